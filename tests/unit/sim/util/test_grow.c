/* SPDX-License-Identifier: Apache-2.0 */
/* grow_one(): room for one more element, twice the capacity when full, nothing lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bo_err.h"
#include "util/grow.h"

static void test_grows_and_keeps(void **unused)
{
    void *arr = NULL;
    uint32_t cap = 0;
    uint32_t count = 0;
    uint32_t i;

    (void)unused;
    for (i = 0; i < 1000; i++) {
        assert_int_equal(grow_one(&arr, &cap, count, sizeof(uint32_t), 4), 0);
        assert_true(count < cap);
        ((uint32_t *)arr)[count++] = i * 7;
    }
    assert_int_equal(cap, 1024); /* 4, 8, ..., 1024. */
    for (i = 0; i < 1000; i++) {
        assert_int_equal(((uint32_t *)arr)[i], i * 7);
    }
    free(arr);
}

static void test_no_move_while_room(void **unused)
{
    void *arr = NULL;
    void *before;
    uint32_t cap = 0;

    (void)unused;
    assert_int_equal(grow_one(&arr, &cap, 0, 8, 16), 0);
    assert_int_equal(cap, 16);
    before = arr;
    assert_int_equal(grow_one(&arr, &cap, 15, 8, 16), 0);
    assert_ptr_equal(arr, before);
    assert_int_equal(cap, 16);
    free(arr);
}

static void test_refuses(void **unused)
{
    void *arr = NULL;
    uint32_t cap = 0;
    uint32_t big = 0x80000000u;

    (void)unused;
    assert_int_equal(grow_one(NULL, &cap, 0, 8, 16), BO_EINVAL);
    assert_int_equal(grow_one(&arr, NULL, 0, 8, 16), BO_EINVAL);
    assert_int_equal(grow_one(&arr, &cap, 0, 0, 16), BO_EINVAL);
    assert_int_equal(grow_one(&arr, &cap, 0, 8, 0), BO_EINVAL);
    assert_int_equal(grow_one(&arr, &cap, 1, 8, 16), BO_EINVAL); /* count > cap */
    /* Doubling past 32 bits is refused and changes nothing. */
    assert_int_equal(grow_one(&arr, &big, big, 1, 16), BO_ENOMEM);
    assert_int_equal(big, 0x80000000u);
    assert_null(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_and_keeps),
        cmocka_unit_test(test_no_move_while_room),
        cmocka_unit_test(test_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
