/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of errbuf_set() and errbuf_fail(): formatting, truncation, NULL and empty buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "util/errbuf.h"

static void test_formats(void **state)
{
    char err[64];

    (void)state;
    errbuf_set(err, sizeof(err), "bad '%s' at %d", "x", 3);
    assert_string_equal(err, "bad 'x' at 3");
}

static void test_truncates(void **state)
{
    char err[8];

    (void)state;
    memset(err, 'z', sizeof(err));
    errbuf_set(err, 5, "%s", "abcdefgh");
    assert_string_equal(err, "abcd");
    /* Nothing past the length given is written. */
    assert_int_equal(err[5], 'z');
}

static void test_no_buffer(void **state)
{
    char err[4] = "old";

    (void)state;
    errbuf_set(NULL, 10, "ignored %d", 1);
    errbuf_set(err, 0, "ignored %d", 2);
    assert_string_equal(err, "old");
    assert_int_equal(errbuf_fail(NULL, 0, BO_ENOMEM, "out of memory"), BO_ENOMEM);
}

static void test_fail_returns_code(void **state)
{
    char err[32];

    (void)state;
    assert_int_equal(errbuf_fail(err, sizeof(err), BO_EINVAL, "key '%s'", "k"), BO_EINVAL);
    assert_string_equal(err, "key 'k'");
    assert_int_equal(errbuf_fail(err, sizeof(err), BO_ERANGE, "n=%u", 9u), BO_ERANGE);
    assert_string_equal(err, "n=9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_truncates),
        cmocka_unit_test(test_no_buffer),
        cmocka_unit_test(test_fail_returns_code),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
