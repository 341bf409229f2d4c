/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-move: every scenario on every matrix board, a power cut before every flash
 * operation of an upgrade and of a revert, and a permanent upgrade on each real board file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "support/boot_fixture.h"
#include "support/boot_scenarios.h"

#define MODE BOOT_MODE_SWAP_MOVE

static void test_matrix(void **state)
{
    int passed;
    int skipped;
    int failed;

    (void)state;
    failed = bs_run_matrix(MODE, &passed, &skipped);
    printf("swap-move matrix: %d passed, %d skipped, %d failed\n", passed, skipped, failed);
    assert_int_equal(failed, 0);
    assert_true(passed > 100);
}

static void test_power_cut_upgrade(void **state)
{
    int cuts;
    int failed;

    (void)state;
    failed = bs_power_sweep(bs_boards()[0], 4, 0xff, MODE, 0, &cuts);
    printf("swap-move upgrade: %d cut points, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(cuts > 20);
}

static void test_power_cut_revert(void **state)
{
    int cuts;
    int failed;

    (void)state;
    failed = bs_power_sweep(bs_boards()[0], 4, 0xff, MODE, 1, &cuts);
    printf("swap-move revert: %d cut points, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(cuts > 20);
}

static void test_power_cut_ecc(void **state)
{
    int cuts;
    int failed;

    (void)state;
    failed = bs_power_sweep(bs_boards()[2], 8, 0x00, MODE, 0, &cuts);
    printf("swap-move ecc: %d cut points, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(cuts > 20);
}

static void test_power_cut_depth2(void **state)
{
    int cuts;
    int failed;

    (void)state;
    /* A second cut during the recovery of each first cut, sampled. */
    failed = bs_power_sweep2(bs_boards()[0], 4, 0xff, MODE, 0, 17, &cuts);
    printf("swap-move depth 2 upgrade: %d pairs, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    failed = bs_power_sweep2(bs_boards()[0], 4, 0xff, MODE, 1, 17, &cuts);
    printf("swap-move depth 2 revert: %d pairs, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
}

/*
 * Shipped boards whose board file claims this mode but that cannot run it yet, each with the
 * reason. A listed board that runs (passes or fails) fails test_board_files: remove it then.
 */
static const struct bs_known_failure known_failing[] = {
    { NULL, NULL },
};

/* Every shipped board file that claims the mode runs a permanent upgrade in it. */
static void test_board_files(void **state)
{
    int boards;
    int failed;

    (void)state;
    failed = bs_claimed_board_files(MODE, known_failing, &boards);
    printf("swap-move board files: %d claim the mode, %d failed\n", boards, failed);
    assert_int_equal(failed, 0);
    assert_true(boards > 0);
}

static int setup(void **state)
{
    (void)state;
    return bf_global_setup();
}

static int teardown(void **state)
{
    (void)state;
    bf_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),           cmocka_unit_test(test_power_cut_upgrade),
        cmocka_unit_test(test_power_cut_revert), cmocka_unit_test(test_power_cut_ecc),
        cmocka_unit_test(test_power_cut_depth2), cmocka_unit_test(test_board_files),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
