/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Torn writes on ECC flash (issue 4): a permanent upgrade cut at every flash operation with
 * each of the six vflash fault models, on the ECC boards of the scenario matrix, both erased
 * values, every upgrade mode; and the cases that once bricked the boot core, kept by their
 * replay coordinates (board, write unit, erased value, mode, model, operation, seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/boot_fixture.h"
#include "support/boot_scenarios.h"

/* The base seed of the sweeps; each cut's seed is bs_fault_seed(TW_SEED, op). */
#define TW_SEED 0x7a11ed5eedull

static const uint8_t tw_evs[] = { 0xff, 0x00 };

/* Sweeps every model over both erased values of one ECC board for one mode. */
static void tw_sweep_board(const char *board, enum boot_mode mode)
{
    const struct bs_board *b = bs_board_named(board);
    int total_cuts = 0;
    int failed = 0;
    int cuts;
    size_t e;
    int m;

    assert_non_null(b);
    for (e = 0; e < sizeof(tw_evs); e++) {
        for (m = 0; m < VFLASH_CUT_MODEL_COUNT; m++) {
            failed += bs_fault_sweep(b, b->write_units[0], tw_evs[e], mode,
                                     (enum vflash_cut_model)m, TW_SEED, &cuts);
            total_cuts += cuts;
        }
    }
    printf("%s %s: %d cut points, %d failed\n", board, boot_mode_name(mode), total_cuts,
           failed);
    assert_int_equal(failed, 0);
    assert_true(total_cuts > 0);
}

static void test_sweep_ecc8_scratch(void **state)
{
    (void)state;
    tw_sweep_board("ecc-2k-8", BOOT_MODE_SWAP_SCRATCH);
}

static void test_sweep_ecc8_move(void **state)
{
    (void)state;
    tw_sweep_board("ecc-2k-8", BOOT_MODE_SWAP_MOVE);
}

static void test_sweep_ecc8_offset(void **state)
{
    (void)state;
    tw_sweep_board("ecc-2k-8", BOOT_MODE_SWAP_OFFSET);
}

static void test_sweep_ecc8_overwrite(void **state)
{
    (void)state;
    tw_sweep_board("ecc-2k-8", BOOT_MODE_OVERWRITE);
}

static void test_sweep_ecc32_scratch(void **state)
{
    (void)state;
    tw_sweep_board("ecc-8k-32", BOOT_MODE_SWAP_SCRATCH);
}

static void test_sweep_ecc32_move(void **state)
{
    (void)state;
    tw_sweep_board("ecc-8k-32", BOOT_MODE_SWAP_MOVE);
}

static void test_sweep_ecc32_offset(void **state)
{
    (void)state;
    tw_sweep_board("ecc-8k-32", BOOT_MODE_SWAP_OFFSET);
}

static void test_sweep_ecc32_overwrite(void **state)
{
    (void)state;
    tw_sweep_board("ecc-8k-32", BOOT_MODE_OVERWRITE);
}

static int tw_setup(void **state)
{
    (void)state;
    return bf_global_setup();
}

static int tw_teardown(void **state)
{
    (void)state;
    bf_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_ecc8_scratch),
        cmocka_unit_test(test_sweep_ecc8_move),
        cmocka_unit_test(test_sweep_ecc8_offset),
        cmocka_unit_test(test_sweep_ecc8_overwrite),
        cmocka_unit_test(test_sweep_ecc32_scratch),
        cmocka_unit_test(test_sweep_ecc32_move),
        cmocka_unit_test(test_sweep_ecc32_offset),
        cmocka_unit_test(test_sweep_ecc32_overwrite),
    };

    return cmocka_run_group_tests(tests, tw_setup, tw_teardown);
}
