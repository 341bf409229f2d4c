/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the sweep's reuse of results (sim/sweep/sweep_memo*.c, sweep_vcache.c, sweep_rest()
 * in sweep_exec.c): whole sweeps give byte-identical JSON with the tables and with --no-cache
 * (sweep_opts.no_cache), while the cached run did reuse runs after cuts, boots and signature
 * checks and the uncached run reused none: on a NOR board (two modes, two scenarios), on an
 * ECC board whose torn units read as garbage, and at depth 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"
#include "support/sweep_rig.h"
#include "vflash/vflash_fault.h"

static mbedtls_platform_context plat;

/* Runs o with and without the tables: the same JSON; reuse only in the first. */
static void cache_match(struct sweep_opts *o)
{
    struct sweep_result on;
    struct sweep_result off;
    char *a;
    char *b;

    o->no_cache = false;
    sweep_rig_run(o, &on);
    o->no_cache = true;
    sweep_rig_run(o, &off);
    a = sweep_rig_json(&on);
    b = sweep_rig_json(&off);
    assert_string_equal(a, b);
    printf("  %s %s %s depth %u: %zu points, %zu failures; cached %.2f s: %llu states run "
           "(%llu reused), %llu boots (%llu reused), %llu signature checks (%llu reused); "
           "--no-cache %.2f s: %llu states, %llu boots, %llu checks\n",
           o->sc.board, boot_mode_name(o->sc.mode), scenario_kind_name(o->sc.kind), o->depth,
           on.count, sweep_report_failures(&on), on.wall_s, (unsigned long long)on.states,
           (unsigned long long)on.state_hits, (unsigned long long)on.boots,
           (unsigned long long)on.boot_hits, (unsigned long long)on.verifies,
           (unsigned long long)on.verify_hits, off.wall_s, (unsigned long long)off.states,
           (unsigned long long)off.boots, (unsigned long long)off.verifies);
    /* The comparison means something only when results were reused. */
    assert_true(on.state_hits > 0);
    assert_true(on.verify_hits > 0);
    assert_int_equal(off.state_hits + off.boot_hits + off.verify_hits, 0);
    assert_true(off.states > on.states);
    assert_true(off.verifies > on.verifies);
    free(a);
    free(b);
    sweep_result_free(&on);
    sweep_result_free(&off);
}

/* NOR, byte writes: every cut model. */
static void test_nor_cached_equals_uncached(void **state)
{
    struct sweep_opts o;

    (void)state;
    sweep_rig_opts(&o, "nrf52840", BOOT_MODE_SWAP_MOVE, SCENARIO_PERM, 2);
    cache_match(&o);
    sweep_rig_opts(&o, "nrf52840", BOOT_MODE_SWAP_SCRATCH, SCENARIO_TEST_REVERT, 2);
    cache_match(&o);
}

/* ECC, torn units read as garbage (the torn map is part of the state), and depth 2. */
static void test_ecc_and_depth2_cached_equals_uncached(void **state)
{
    struct sweep_opts o;

    (void)state;
    sweep_rig_opts(&o, "stm32h7", BOOT_MODE_SWAP_MOVE, SCENARIO_TEST_CONFIRM, 2);
    o.sc.ecc_torn = VFLASH_ECC_TORN_GARBAGE;
    cache_match(&o);
    sweep_rig_opts(&o, "stm32h7", BOOT_MODE_OVERWRITE, SCENARIO_PERM, 2);
    o.depth = 2;
    o.random = 60;
    cache_match(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nor_cached_equals_uncached),
        cmocka_unit_test(test_ecc_and_depth2_cached_equals_uncached),
    };
    int rc;

    if (mbedtls_platform_setup(&plat) != 0) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    mbedtls_platform_teardown(&plat);
    return rc;
}
