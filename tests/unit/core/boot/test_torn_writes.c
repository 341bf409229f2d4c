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

/* Payload of the sweeps' images: two or three sectors keep make check fast and still swap
 * several sectors and every trailer write. */
#define TW_PAYLOAD 5000u

static const uint8_t tw_evs[] = { 0xff, 0x00 };

/* A torn-write case that once failed, by its replay coordinates. */
struct tw_case {
    const char *board;
    uint32_t wu;
    uint8_t ev;
    enum boot_mode mode;
    enum vflash_cut_model model;
    int64_t op;
    uint64_t seed;
};

/*
 * Every cut of the sweeps below that failed before the boot core learned to repair torn
 * trailers (boot_repair.h), with the failure it showed:
 * - erased value 0x00, torn-bits/weak on a status record or trailer field: the recovery boot
 *   redid the step and programmed the unit again, which the ECC part refused (BO_ESEMANTICS);
 * - erased value 0xff, torn-bits/weak on copy_done: the flag read "bad", no rule resumed, and
 *   the primary kept a copy_done that was neither set nor unset;
 * - overwrite, any torn model on the erase of the secondary's last sector: its magic stayed
 *   "bad" instead of unset.
 */
static const struct tw_case tw_cases[] = {
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_TORN_BITS, 74,
      0x5a40a9225b3f04caull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 74, 0x5a40a9225b3f04caull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_TORN_BITS, 38,
      0x1a738b3875b5b9deull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_TORN_BITS, 60,
      0xb33801494552cfecull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_TORN_BITS, 68,
      0xa4f3ce855efe2f44ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 38, 0x1a738b3875b5b9deull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 50, 0x850d3f8e4a3be6c2ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 60, 0xb33801494552cfecull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 68, 0xa4f3ce855efe2f44ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 77, 0x34e716fed95c908bull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 53, 0x5fb3ad5ac85b7283ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 75, 0xf878236bdbf188d1ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 75, 0xf878236bdbf188d1ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 21, 0x98c4758ae18bf723ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 35, 0x3fcd1e6ff7942c19ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 40, 0x56e27ecf730081b0ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 44, 0xcfc065e171fa915cull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 48, 0x489e4cfb4cac9ee8ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 52, 0xc17c331d4b86eeb4ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 56, 0x3a5a1a374678fe40ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 60, 0xb33801494552cfecull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 64, 0x2c15e8634004dfb8ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 68, 0xa4f3ce855efe2f44ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 72, 0x1dd1b59f5dd03f10ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 75, 0xf878236bdbf188d1ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 9, 0x2e2ac144e905863full },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 52, 0xc17c331d4b86eeb4ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 60, 0xb33801494552cfecull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 77, 0x34e716fed95c908bull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 53, 0x5fb3ad5ac85b7283ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 54, 0xfdeb26a048edf66eull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 40, 0x56e27ecf730081b0ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 54, 0xfdeb26a048edf66eull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 22, 0x36fbefd07e5c7b0eull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 38, 0x1a738b3875b5b9deull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 46, 0x0c2f59744f419936ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 52, 0xc17c331d4b86eeb4ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 38, 0x1a738b3875b5b9deull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 50, 0x850d3f8e4a3be6c2ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 52, 0xc17c331d4b86eeb4ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 55, 0x9c22a0e9c9a67a75ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 56, 0x3a5a1a374678fe40ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_PREFIX, 46, 0x0c2f59744f419936ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_BITS, 46, 0x0c2f59744f419936ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_ERASE_PARTIAL, 46,
      0x0c2f59744f419936ull },
    { "ecc-2k-8", 8, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_WEAK, 46, 0x0c2f59744f419936ull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_PREFIX, 47, 0xaa66d2bdcc1a1d1dull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_BITS, 47, 0xaa66d2bdcc1a1d1dull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_ERASE_PARTIAL, 47,
      0xaa66d2bdcc1a1d1dull },
    { "ecc-2k-8", 8, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_WEAK, 47, 0xaa66d2bdcc1a1d1dull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_TORN_BITS, 59,
      0x15008703c4984a01ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 59, 0x15008703c4984a01ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_SCRATCH, VFLASH_CUT_WEAK, 59, 0x15008703c4984a01ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 56, 0x3a5a1a374678fe40ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 56, 0x3a5a1a374678fe40ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_TORN_BITS, 49, 0xe6d5c640cd6162f7ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 55, 0x9c22a0e9c9a67a75ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_MOVE, VFLASH_CUT_WEAK, 56, 0x3a5a1a374678fe40ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 41,
      0xf519f814f3d5059full },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 40, 0x56e27ecf730081b0ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 41, 0xf519f814f3d5059full },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 28,
      0xec48ca797a9d508cull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 34,
      0xa195a42676c3a832ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_TORN_BITS, 40,
      0x56e27ecf730081b0ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_SWAP_OFFSET, VFLASH_CUT_WEAK, 41, 0xf519f814f3d5059full },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_PREFIX, 27,
      0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_BITS, 27, 0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_ERASE_PARTIAL, 27,
      0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0xff, BOOT_MODE_OVERWRITE, VFLASH_CUT_WEAK, 27, 0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_PREFIX, 27,
      0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_TORN_BITS, 27, 0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_ERASE_PARTIAL, 27,
      0x4e115033fdc8cca1ull },
    { "ecc-8k-32", 32, 0x00, BOOT_MODE_OVERWRITE, VFLASH_CUT_WEAK, 27, 0x4e115033fdc8cca1ull },
};

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
                                     (enum vflash_cut_model)m, TW_SEED, TW_PAYLOAD, &cuts);
            total_cuts += cuts;
        }
    }
    printf("%s %s: %d cut points, %d failed\n", board, boot_mode_name(mode), total_cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(total_cuts > 0);
}

static void test_regressions(void **state)
{
    size_t n = sizeof(tw_cases) / sizeof(tw_cases[0]);
    size_t failed = 0;
    size_t i;

    (void)state;
    for (i = 0; i < n; i++) {
        const struct tw_case *c = &tw_cases[i];
        const struct bs_board *b = bs_board_named(c->board);
        int rc;

        assert_non_null(b);
        rc = bs_fault_case(b, c->wu, c->ev, c->mode, c->model, c->op, c->seed);
        if (rc != BS_PASS) {
            fprintf(stderr,
                    "regression %s wu=%u ev=0x%02x mode=%s model=%s op=%lld seed=0x%016llx: "
                    "%s\n",
                    c->board, c->wu, c->ev, boot_mode_name(c->mode),
                    vflash_cut_model_name(c->model), (long long)c->op, (unsigned long long)c->seed,
                    rc == BS_SKIP ? "skipped" : "failed");
            failed++;
        }
    }
    printf("%zu torn-write regressions, %zu failed\n", n, failed);
    assert_int_equal(failed, 0);
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
        cmocka_unit_test(test_regressions),           cmocka_unit_test(test_sweep_ecc8_scratch),
        cmocka_unit_test(test_sweep_ecc8_move),       cmocka_unit_test(test_sweep_ecc8_offset),
        cmocka_unit_test(test_sweep_ecc8_overwrite),  cmocka_unit_test(test_sweep_ecc32_scratch),
        cmocka_unit_test(test_sweep_ecc32_move),      cmocka_unit_test(test_sweep_ecc32_offset),
        cmocka_unit_test(test_sweep_ecc32_overwrite),
    };

    return cmocka_run_group_tests(tests, tw_setup, tw_teardown);
}
