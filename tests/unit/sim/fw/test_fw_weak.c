/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the weak-map descriptors on the firmware runner's command line (brownoutd hands
 * brownout-fw each flash device's shared weak map as --flash MEMFD[:ECCFD],weak=WEAKFD).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "fw/fw.h"

static int parse(struct fw_args *a, char *flash1, char *flash2)
{
    char *argv[] = {
        "brownout-fw", "--board", "b.ini", "--flash", flash1, "--flash", flash2, NULL
    };
    char err[256];

    err[0] = '\0';
    return fw_parse_args(a, flash2 != NULL ? 7 : 5, argv, err, sizeof(err));
}

static void test_weak_descriptors(void **state)
{
    struct fw_args a;

    (void)state;
    assert_int_equal(parse(&a, "4:5,weak=6", "7,weak=8"), 0);
    assert_int_equal(a.flash_count, 2);
    assert_int_equal(a.mem_fd[0], 4);
    assert_int_equal(a.ecc_fd[0], 5);
    assert_int_equal(a.weak_fd[0], 6);
    assert_int_equal(a.mem_fd[1], 7);
    assert_int_equal(a.ecc_fd[1], -1);
    assert_int_equal(a.weak_fd[1], 8);
    /* Without a weak map, weak bits live and die with the runner. */
    assert_int_equal(parse(&a, "4:5", NULL), 0);
    assert_int_equal(a.weak_fd[0], -1);
    assert_int_equal(a.ecc_fd[0], 5);
}

static void test_bad_weak_descriptors(void **state)
{
    static char *bad[] = { "4,weak=",      "4,weak=x",    "4,wek=5", "4,",
                           "4,weak=70000", "4:5,weak=-1", ",weak=5", "4,weak=5,weak=6" };
    struct fw_args a;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(&a, bad[i], NULL) != BO_EINVAL) {
            fail_msg("'%s' was accepted", bad[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weak_descriptors),
        cmocka_unit_test(test_bad_weak_descriptors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
