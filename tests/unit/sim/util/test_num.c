/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of num_parse_u64(): bases, range, and every shape of text it must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bo_err.h"
#include "util/num.h"

static void test_bases(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(num_parse_u64("0", 0, UINT64_MAX, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(num_parse_u64("1234", 0, UINT64_MAX, &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(num_parse_u64("0x1f", 0, UINT64_MAX, &v), 0);
    assert_int_equal(v, 0x1f);
    assert_int_equal(num_parse_u64("010", 0, UINT64_MAX, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(num_parse_u64("010", 10, UINT64_MAX, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(num_parse_u64("ff", 16, UINT64_MAX, &v), 0);
    assert_int_equal(v, 255);
    assert_int_equal(num_parse_u64("18446744073709551615", 10, UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
}

static void test_range(void **state)
{
    uint64_t v = 7;

    (void)state;
    assert_int_equal(num_parse_u64("65535", 0, 65535, &v), 0);
    assert_int_equal(v, 65535);
    v = 7;
    assert_int_equal(num_parse_u64("65536", 0, 65535, &v), BO_EINVAL);
    assert_int_equal(v, 7);
    /* One past UINT64_MAX overflows strtoull (ERANGE). */
    assert_int_equal(num_parse_u64("18446744073709551616", 10, UINT64_MAX, &v), BO_EINVAL);
    assert_int_equal(v, 7);
}

static void test_refuses(void **state)
{
    static const char *const bad[] = { "", " 1", "1 ", "+1", "-1", "1x", "0x", "x1", "1.5", "abc" };
    uint64_t v = 7;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(num_parse_u64(bad[i], 0, UINT64_MAX, &v), BO_EINVAL);
        assert_int_equal(v, 7);
    }
    assert_int_equal(num_parse_u64(NULL, 0, UINT64_MAX, &v), BO_EINVAL);
    assert_int_equal(num_parse_u64("ab", 10, UINT64_MAX, &v), BO_EINVAL);
    assert_int_equal(num_parse_u64("-f", 16, UINT64_MAX, &v), BO_EINVAL);
    assert_int_equal(num_parse_u64("1", 8, UINT64_MAX, &v), BO_EINVAL);
    assert_int_equal(v, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bases),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
