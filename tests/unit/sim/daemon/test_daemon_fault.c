/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of fault-inject's argument schema (sim/daemon/daemon_fault.c) through the control
 * engine's validation: what it accepts, and each refusal with its one-line reason. The
 * checks that need a device (region inside the flash, kind and clear together) are in
 * tests/integration/test_fault.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bo_err.h"
#include "control/control_int.h"
#include "daemon/daemon_int.h"

/* Validates the JSON text against the schema; desc receives the reason. */
static int tf_validate(const char *text, char *desc, size_t len)
{
    json_error_t e;
    json_t *args = json_loads(text, 0, &e);
    int rc;

    assert_non_null(args);
    desc[0] = '\0';
    rc = control_schema_validate(daemon_fault_schema(), args, desc, len);
    json_decref(args);
    return rc;
}

/* A handler for the schema check (never called). */
static void tf_handler(struct control_request *req, json_t *args, void *ctx)
{
    (void)req;
    (void)args;
    (void)ctx;
}

static void test_schema_is_valid(void **state)
{
    struct control_command c = { "fault-inject", "", daemon_fault_schema(), tf_handler, NULL };

    (void)state;
    assert_int_equal(control_schema_check(&c), 0);
}

static void test_accepts(void **state)
{
    char d[256];

    (void)state;
    assert_int_equal(tf_validate("{\"device\":\"dev0\",\"kind\":\"drop\",\"offset\":4096,"
                                 "\"size\":8192,\"rate\":4,\"seed\":9}",
                                 d, sizeof(d)),
                     0);
    assert_int_equal(
        tf_validate("{\"device\":\"dev0\",\"kind\":\"wearout\",\"erases\":3}", d, sizeof(d)), 0);
    assert_int_equal(tf_validate("{\"device\":\"dev0\",\"clear\":true}", d, sizeof(d)), 0);
}

static void test_refusals(void **state)
{
    static const struct {
        const char *args;
        const char *why;
    } bad[] = {
        { "{\"kind\":\"drop\"}", "missing argument 'device'" },
        { "{\"device\":\"dev0\",\"kind\":\"smoke\"}",
          "is not one of: errors, drop, bitflip, wearout" },
        { "{\"device\":\"dev0\",\"kind\":\"drop\",\"rate\":0}", "'rate': 0 is outside" },
        { "{\"device\":\"dev0\",\"kind\":\"drop\",\"offset\":-1}", "'offset': -1 is outside" },
        { "{\"device\":\"dev0\",\"kind\":\"drop\",\"size\":4294967296}", "'size'" },
        { "{\"device\":\"dev0\",\"kind\":\"wearout\",\"erases\":1000001}", "'erases'" },
        { "{\"device\":\"dev0\",\"kind\":\"drop\",\"seed\":\"x\"}", "expected an integer" },
        { "{\"device\":\"dev0\",\"clear\":1}", "expected a boolean" },
        { "{\"device\":\"dev0\",\"kind\":\"drop\",\"colour\":\"red\"}", "unknown argument" },
        { "{\"device\":7,\"kind\":\"drop\"}", "expected a string" },
    };
    char d[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(tf_validate(bad[i].args, d, sizeof(d)), BO_EINVAL);
        if (strstr(d, bad[i].why) == NULL) {
            fail_msg("%s: '%s' does not say '%s'", bad[i].args, d, bad[i].why);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_is_valid),
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
