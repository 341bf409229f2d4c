/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file control_test_int.h
 * \brief Helpers the control engine's tests share (test_control.c, test_control_input.c):
 *        connections that read their greeting, round trips and error checks.
 */
#ifndef TEST_CONTROL_TEST_INT_H
#define TEST_CONTROL_TEST_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/control_harness.h"

#define T_MS 5000

/* A connection that has read its greeting. */
static inline void open_conn(const struct harness *h, struct harness_reader *r)
{
    json_t *greet;

    memset(r, 0, sizeof(*r));
    r->fd = harness_connect(h->path);
    assert_true(r->fd >= 0);
    greet = harness_read_json(r, T_MS);
    assert_non_null(greet);
    assert_non_null(json_object_get(greet, "brownout"));
    json_decref(greet);
}

/* Sends a line and returns the parsed reply. */
static inline json_t *roundtrip(struct harness_reader *r, const char *line)
{
    assert_int_equal(harness_send_str(r->fd, line), 0);
    assert_int_equal(harness_send_str(r->fd, "\n"), 0);
    return harness_read_json(r, T_MS);
}

static inline const char *error_class(const json_t *reply)
{
    return json_string_value(json_object_get(json_object_get(reply, "error"), "class"));
}

static inline const char *error_desc(const json_t *reply)
{
    return json_string_value(json_object_get(json_object_get(reply, "error"), "desc"));
}

/* Expects an error reply of class cls whose desc contains needle (when given). */
static inline void expect_error(struct harness_reader *r, const char *line, const char *cls,
                                const char *needle)
{
    json_t *reply = roundtrip(r, line);

    assert_non_null(reply);
    assert_null(json_object_get(reply, "return"));
    assert_non_null(error_class(reply));
    if (strcmp(error_class(reply), cls) != 0 ||
        (needle != NULL && strstr(error_desc(reply), needle) == NULL)) {
        fail_msg("'%s': got %s '%s', want %s containing '%s'", line, error_class(reply),
                 error_desc(reply), cls, needle != NULL ? needle : "");
    }
    json_decref(reply);
}

#endif /* TEST_CONTROL_TEST_INT_H */
