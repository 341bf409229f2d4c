/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the sweep's bootloader seam in a program without an upstream variant (the ordinary
 * build): replay IDs that carry an upstream tree round-trip and are checked, a scenario of
 * upstream MCUboot refuses with one line saying how to run it, and brownout's core stays the
 * default. The sweeps of upstream itself are tests/scripts/test_mcuboot_sweeps.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bl/bl.h"
#include "bo_err.h"
#include "mbedtls/platform.h"
#include "sweep/scenario_int.h"
#include "sweep/sweep.h"

static mbedtls_platform_context plat;

static int tb_setup(void **state)
{
    (void)state;
    return mbedtls_platform_setup(&plat);
}

static int tb_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

/* A replay ID of an upstream tree keeps the bootloader and the tree's hash. */
static void test_id_carries_tree(void **state)
{
    struct scenario_opts so;
    struct scenario_opts back;
    struct sweep_point pt;
    struct sweep_point got;
    char id[SWEEP_ID_MAX];
    char board[128];

    (void)state;
    scenario_opts_init(&so);
    so.kind = SCENARIO_TEST_REVERT;
    so.mode = BOOT_MODE_SWAP_MOVE;
    so.in.expect = 0x1122334455667788ull;
    so.bootloader = BL_MCUBOOT;
    so.bl_tree = 0x8c4354d6u;
    memset(&pt, 0, sizeof(pt));
    pt.op = 29;
    pt.model = VFLASH_CUT_TORN_PREFIX;
    pt.param = 1;
    pt.op2 = -1;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_non_null(strstr(id, ":swap-move@mcuboot-8c4354d6:"));
    scenario_opts_init(&back);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(back.bootloader, BL_MCUBOOT);
    assert_int_equal(back.bl_tree, 0x8c4354d6u);
    assert_int_equal(back.mode, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(got.op, 29);
    /* brownout's own IDs are unchanged, and decode to the core. */
    so.bootloader = BL_BROWNOUT;
    so.bl_tree = 0;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_null(strchr(id, '@'));
    back.bootloader = BL_MCUBOOT;
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(back.bootloader, BL_BROWNOUT);
}

/* A malformed bootloader part of MODE is refused, even with a valid check. */
static void test_id_bad_bootloader(void **state)
{
    static const char *const bad[] = {
        "swap-move@mcuboot-8c4354d", "swap-move@mcuboot-8c4354dz", "swap-move@brownout-8c4354d6",
        "swap-move@other-8c4354d6",  "swap-move@mcuboot-00000000", "swap-move@mcuboot",
    };
    struct scenario_opts back;
    struct sweep_point got;
    char id[SWEEP_ID_MAX];
    char board[128];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[SWEEP_ID_MAX - 16];
        uint32_t h = 2166136261u;

        snprintf(body, sizeof(body), "bo1:perm:%s:nrf52840:d:1:3:after:0:0000000000000001", bad[i]);
        for (const char *p = body; *p != '\0'; p++) {
            h = (h ^ (uint8_t)*p) * 16777619u;
        }
        snprintf(id, sizeof(id), "%s:%08x", body, (unsigned)h);
        scenario_opts_init(&back);
        assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), BO_EINVAL);
    }
}

/* Upstream MCUboot is not linked into this program: set-up says so in one line. */
static void test_scenario_without_variant(void **state)
{
    struct scenario_opts so;
    struct scenario sc;
    char err[512] = "";

    (void)state;
    assert_null(bl_find(BL_MCUBOOT));
    scenario_opts_init(&so);
    so.bootloader = BL_MCUBOOT;
    scenario_init(&sc);
    assert_int_equal(scenario_setup(&sc, &so, err, sizeof(err)), BO_ENOTSUP);
    assert_non_null(strstr(err, "no mcuboot bootloader linked"));
    assert_null(strchr(err, '\n'));
    scenario_free(&sc);
    /* The default is brownout's core, which accepts every configuration. */
    scenario_opts_init(&so);
    scenario_init(&sc);
    assert_int_equal(scenario_setup(&sc, &so, err, sizeof(err)), 0);
    assert_ptr_equal(sc.bl, &bl_brownout);
    assert_int_equal(sc.opts.bl_tree, 0);
    scenario_free(&sc);
}

/* The tree hash is never 0 (0 means "any" in the options). */
static void test_tree_hash(void **state)
{
    (void)state;
    assert_int_not_equal(scenario_bl_tree_hash(""), 0);
    assert_int_not_equal(scenario_bl_tree_hash("sha256:8d7b50d05a2a1996"),
                         scenario_bl_tree_hash("sha256:c47dd6bc8c328b06"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_carries_tree),
        cmocka_unit_test(test_id_bad_bootloader),
        cmocka_unit_test(test_scenario_without_variant),
        cmocka_unit_test(test_tree_hash),
    };

    return cmocka_run_group_tests(tests, tb_setup, tb_teardown);
}
