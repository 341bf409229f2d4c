/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exhaustive depth-2 sweeps with the recovery shared (sim/sweep/sweep_snap.c: the recovery after
 * a first cut runs once and forks at each second cut) give, byte for byte, the JSON results of
 * the replay path (--no-snapshots, which re-runs every point from the starting flash) and of
 * --no-cache: the same points in the same order, the same outcomes, messages and replay IDs.
 * Slices (--shard) keep each run to seconds; one sweep has failures (a dropped trailer magic),
 * so that a second cut taken at the wrong operation changes verdicts, not only IDs.
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

static mbedtls_platform_context plat;

/* The JSON of a sweep of o, in memory; *fails: its failures, *missed: points not reached2. */
static char *d2_json(const struct sweep_opts *o, size_t *fails, size_t *missed)
{
    struct sweep_result r;
    char *buf;
    size_t i;

    *fails = sweep_rig_run(o, &r);
    *missed = 0;
    for (i = 0; i < r.count; i++) {
        *missed += r.out[i].reached2 ? 0 : 1;
    }
    buf = sweep_rig_json(&r);
    printf("  %s %s%s%s: %zu points, %zu failures, %zu second cuts not reached, %.2f s\n",
           o->sc.board, boot_mode_name(o->sc.mode), o->no_snapshots ? " --no-snapshots" : "",
           o->no_cache ? " --no-cache" : "", r.count, *fails, *missed, r.wall_s);
    sweep_result_free(&r);
    return buf;
}

/* Runs o with the recovery shared, on the replay path and with --no-cache; asserts one JSON. */
static size_t d2_match(struct sweep_opts *o)
{
    size_t fails;
    size_t f;
    size_t missed;
    size_t m;
    char *shared;
    char *other;

    o->no_snapshots = false;
    o->no_cache = false;
    shared = d2_json(o, &fails, &missed);
    o->no_snapshots = true;
    other = d2_json(o, &f, &m);
    assert_string_equal(shared, other);
    free(other);
    o->no_snapshots = false;
    o->no_cache = true;
    other = d2_json(o, &f, &m);
    assert_string_equal(shared, other);
    free(other);
    free(shared);
    o->no_cache = false;
    return fails;
}

static void d2_opts(struct sweep_opts *o, const char *board, enum boot_mode mode, uint32_t shard,
                    uint32_t shards)
{
    sweep_opts_init(o);
    o->sc.board = board;
    o->sc.mode = mode;
    o->sc.kind = SCENARIO_PERM;
    o->faults = SWEEP_FAULTS_ALL;
    o->depth = 2;
    o->jobs = 2;
    o->prefix_max = 4;
    o->shard_index = shard;
    o->shard_count = shards;
}

/* The bench_depth2 sweep (swap-move, small image, nrf52840), a slice of it. */
static void test_depth2_swap_move_slice(void **state)
{
    struct sweep_opts o;

    (void)state;
    d2_opts(&o, "nrf52840", BOOT_MODE_SWAP_MOVE, 5, 1600);
    o.prefix_max = 0;
    assert_int_equal(d2_match(&o), 0);
}

/*
 * After a power cut, every program of the primary slot's trailer magic is dropped: a resumed
 * upgrade never marks the new image, so many depth-2 points fail, each at its own operations.
 */
static void test_depth2_failures_slice(void **state)
{
    /* stm32h7: image-0-primary is 0x20000..0x80000 of the device. */
    struct sweep_rig_drop drop = { 0x80000 - 32 };
    struct sweep_opts o;

    (void)state;
    d2_opts(&o, "stm32h7", BOOT_MODE_SWAP_SCRATCH, 3, 60);
    o.inject = sweep_rig_drop_magic;
    o.inject_arg = &drop;
    assert_true(d2_match(&o) > 0);
}

static int d2_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int d2_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth2_swap_move_slice),
        cmocka_unit_test(test_depth2_failures_slice),
    };

    return cmocka_run_group_tests(tests, d2_setup, d2_teardown);
}
