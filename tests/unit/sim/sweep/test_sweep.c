/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the power-fail sweep engine (sim/sweep*.c, sim/sweep/scenario.c, sim/sweep/invariants.c): depth-1
 * sweeps of every fault model over three boards and every mode they allow, sampled depth-2
 * sweeps, a sweep that must fail (a dropped trailer magic) and its replay, replay IDs, shards,
 * merges and determinism across thread counts.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"
#include "support/sweep_rig.h"

static mbedtls_platform_context plat;

/* torn-prefix points per operation in the board sweeps (a byte-write board has 1024 per copy
 * operation; the CLI default is every boundary, which the ECC board's sweeps use). */
#define TEST_PREFIX_MAX 8u

static void sw_opts(struct sweep_opts *o, const char *board, enum boot_mode mode,
                    enum scenario_kind kind)
{
    sweep_rig_opts(o, board, mode, kind, TEST_PREFIX_MAX);
}

static void sw_print_failures(const struct sweep_result *r)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < r->count && n < 5; i++) {
        if (r->out[i].status != SWEEP_PASS) {
            fprintf(stderr, "  FAIL [%s] %s\n    %s\n",
                    invariant_name((enum invariant_id)r->out[i].invariant), r->out[i].msg,
                    r->out[i].id);
            n++;
        }
    }
}

static size_t sw_run(const struct sweep_opts *o, struct sweep_result *r)
{
    return sweep_rig_run(o, r);
}

static void sw_board_modes(const char *board, const enum boot_mode *modes, size_t n, uint32_t depth,
                           uint64_t random, uint32_t prefix_max)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct sweep_opts o;
        struct sweep_result r;
        size_t fails;

        sw_opts(&o, board, modes[i], SCENARIO_PERM);
        o.depth = depth;
        o.random = random;
        o.seed = 7;
        o.prefix_max = prefix_max;
        fails = sw_run(&o, &r);
        printf("  %s %s depth %u: %zu points, %llu ops, %zu failures\n", board,
               boot_mode_name(modes[i]), depth, r.count, (unsigned long long)r.ops, fails);
        sw_print_failures(&r);
        assert_int_equal(fails, 0);
        sweep_result_free(&r);
    }
}

static const enum boot_mode test_all_modes[] = {
    BOOT_MODE_SWAP_SCRATCH,
    BOOT_MODE_SWAP_MOVE,
    BOOT_MODE_SWAP_OFFSET,
    BOOT_MODE_OVERWRITE,
};

/* Mixed 16/64/128 KiB sectors, byte writes: the modes its layout allows. */
static void test_depth1_stm32f4(void **state)
{
    static const enum boot_mode modes[] = { BOOT_MODE_SWAP_SCRATCH, BOOT_MODE_OVERWRITE };

    (void)state;
    sw_board_modes("stm32f4", modes, 2, 1, 0, TEST_PREFIX_MAX);
}

/* 128 KiB sectors, 32-byte ECC flash words programmed once: every torn-prefix boundary. */
static void test_depth1_stm32h7(void **state)
{
    (void)state;
    sw_board_modes("stm32h7", test_all_modes, 4, 1, 0, 0);
}

/* Erased value 0x00. */
static void test_depth1_erased0(void **state)
{
    (void)state;
    sw_board_modes("nrf52840-erased0", test_all_modes, 4, 1, 0, TEST_PREFIX_MAX);
}

/* Depth 2, seeded samples, one board per mode. */
static void test_depth2_sampled(void **state)
{
    (void)state;
    sw_board_modes("stm32h7", test_all_modes, 4, 2, 24, TEST_PREFIX_MAX);
}

/* The other scenarios on one board. */
static void test_scenarios(void **state)
{
    static const enum scenario_kind kinds[] = {
        SCENARIO_TEST_CONFIRM,
        SCENARIO_MULTI_IMAGE,
        SCENARIO_DOWNGRADE,
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct sweep_opts o;
        struct sweep_result r;
        size_t fails;

        sw_opts(&o, "stm32h7", BOOT_MODE_SWAP_SCRATCH, kinds[i]);
        o.random = 120;
        fails = sw_run(&o, &r);
        printf("  %s: %zu points, %zu failures\n", scenario_kind_name(kinds[i]), r.count, fails);
        sw_print_failures(&r);
        assert_int_equal(fails, 0);
        sweep_result_free(&r);
    }
}

/*
 * Known-bad behaviour: after a power cut, every program of the primary slot's trailer magic is
 * silently dropped (as if the bootloader forgot to write it), so a resumed upgrade never marks
 * the new image. The sweep must report failures, and a replay must reproduce them.
 */
static void test_bad_behaviour_found(void **state)
{
    /* stm32h7: image-0-primary is 0x20000..0x80000 of the device. */
    struct sweep_rig_drop drop = { 0x80000 - 32 };
    struct sweep_opts o;
    struct sweep_result r;
    struct sweep_outcome rep;
    char err[512];
    size_t fails;
    size_t i;
    int rc;

    (void)state;
    sw_opts(&o, "stm32h7", BOOT_MODE_SWAP_SCRATCH, SCENARIO_PERM);
    o.faults = SWEEP_FAULT(VFLASH_CUT_BEFORE);
    o.inject = sweep_rig_drop_magic;
    o.inject_arg = &drop;
    fails = sw_run(&o, &r);
    printf("  dropped magic: %zu of %zu points fail\n", fails, r.count);
    assert_true(fails > 0);
    for (i = 0; i < r.count && r.out[i].status == SWEEP_PASS; i++) {
    }
    assert_true(i < r.count);
    assert_true(strncmp(r.out[i].id, "bo2:perm:swap-scratch:stm32h7:", 30) == 0);
    rc = sweep_replay(&o, r.out[i].id, NULL, &rep, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_int_equal(rep.status, SWEEP_FAIL);
    assert_int_equal(rep.invariant, r.out[i].invariant);
    assert_string_equal(rep.msg, r.out[i].msg);
    assert_string_equal(rep.id, r.out[i].id);
    sweep_result_free(&r);
}

/*
 * Points the sweep's application model got wrong (test-revert): the cut lands "after" the test
 * request's magic, so the request's call never returned. The core does everything right (test
 * swap, the unconfirmed new image resets, revert); back on the old image the application retries
 * its request, a second, legitimate test upgrade, and the new image it brings must get its one
 * reset again. The model kept ran_new from the first run and idled on the unconfirmed image.
 * Fixed in sim/sweep/scenario.c (each request starts a new test cycle): each ID must pass.
 */
static const char *const test_fixed_model_bugs[] = {
    "bo1:test-revert:swap-scratch:nrf52840:d:1:1:after:0:44e5b98100c67fb0:27bb62bf",
    "bo1:test-revert:swap-move:nrf52840:d:1:1:after:0:44e5b98100c67fb0:cf1e8488",
    "bo1:test-revert:swap-offset:nrf52840:d:1:1:after:0:44e5b98100c67fb0:be6dd702",
};

/* Failures the sweep found in core/boot, fixed (issue 4): each replay ID must pass. */
static const char *const test_fixed_core_bugs[] = {
    /* Weak image_ok cells of the request: the retried request read them as already written
     * and skipped the write, so they never settled; the upgrade ended recorded as a test swap.
     * Fixed: a trailer unit is programmed again unless 16 reads all return the bytes. */
    "bo1:perm:swap-move:nrf52840-erased0:d:1:0:weak:0:8b76d6143d34732a:b61a4644",
    "bo1:perm:swap-offset:nrf52840-erased0:d:1:0:weak:0:8b76d6143d34732a:448628ae",
    "bo1:perm:overwrite:nrf52840-erased0:d:1:0:weak:0:8b76d6143d34732a:36c4633e",
    /* Overwrite-only with downgrade prevention: a copy torn in its first page left a header
     * with an erased version, the secondary was refused as a downgrade and erased. Fixed: the
     * primary's version counts only when it holds an image (header and TLV areas). */
    "bo1:perm:overwrite:nrf52840:d:1:55:torn-prefix:4:59d35b863fa7ecf8:b36de935",
    /* Swap-using-move revert: a cut after the revert's request (a PERM-shaped secondary
     * trailer) and downgrade prevention refused the old image. Fixed: that request is read as
     * the REVERT it is (boot_decide.c). */
    "bo1:test-revert:swap-move:nrf52840:d:1:31:after:0:e2446a7a6be1f03e:002b06af",
    /* Swap-using-offset revert: the request's magic torn, so no table row asked for the
     * revert and the unconfirmed image stayed. Fixed: a bad secondary magic with an
     * unconfirmed primary resumes the revert, and the request is written again. */
    "bo1:test-revert:swap-offset:nrf52840:d:1:24:torn-prefix:2:1fc27e744fd3dc24:f8ec5c60",
};

/* Replays each ID and asserts it passes now. */
static void sw_replays_pass(const char *const *ids, size_t n)
{
    struct sweep_outcome out;
    char err[512];

    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sweep_replay(NULL, ids[i], NULL, &out, err, sizeof(err)), 0);
        if (out.status != SWEEP_PASS) {
            fprintf(stderr, "  regression [%s] %s\n    %s\n",
                    invariant_name((enum invariant_id)out.invariant), out.msg, ids[i]);
        }
        assert_int_equal(out.status, SWEEP_PASS);
    }
}

static void test_core_bug_replays(void **state)
{
    (void)state;
    sw_replays_pass(test_fixed_core_bugs,
                    sizeof(test_fixed_core_bugs) / sizeof(test_fixed_core_bugs[0]));
    sw_replays_pass(test_fixed_model_bugs,
                    sizeof(test_fixed_model_bugs) / sizeof(test_fixed_model_bugs[0]));
}

static void test_replay_id(void **state)
{
    struct scenario_opts so;
    struct scenario_opts back;
    struct sweep_point pt;
    struct sweep_point got;
    char id[SWEEP_ID_MAX];
    char bad[SWEEP_ID_MAX];
    char board[600];
    size_t i;

    (void)state;
    scenario_opts_init(&so);
    so.kind = SCENARIO_TEST_CONFIRM;
    so.mode = BOOT_MODE_SWAP_MOVE;
    so.board = "/tmp/my boards/odd:name.ini";
    so.image_size = SCENARIO_IMAGE_SIZE_MAX;
    so.downgrade_prevention = false;
    memset(&pt, 0, sizeof(pt));
    pt.op = 1234;
    pt.model = VFLASH_CUT_TORN_PREFIX;
    pt.param = 17;
    pt.seed = 0xfedcba9876543210ull;
    pt.op2 = 5;
    pt.model2 = VFLASH_CUT_ERASE_PARTIAL;
    pt.param2 = VFLASH_CUT_SEEDED;
    pt.seed2 = 42;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_null(strchr(id, ' '));
    scenario_opts_init(&back);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(back.kind, so.kind);
    assert_int_equal(back.mode, so.mode);
    assert_string_equal(back.board, so.board);
    assert_int_equal(back.image_size, so.image_size);
    assert_false(back.downgrade_prevention);
    assert_memory_equal(&got, &pt, sizeof(pt));
    /* Depth 1 (no second cut) round trip. */
    pt.op2 = -1;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(got.op2, -1);
    assert_int_equal(got.op, 1234);
    /* Every single-character change is rejected (the check catches what parsing does not). */
    for (i = 0; id[i] != '\0'; i++) {
        snprintf(bad, sizeof(bad), "%s", id);
        bad[i] = bad[i] == 'a' ? 'b' : 'a';
        assert_int_equal(sweep_id_decode(bad, &back, board, sizeof(board), &got), BO_EINVAL);
    }
    snprintf(bad, sizeof(bad), "%.*s", (int)strlen(id) - 1, id);
    assert_int_equal(sweep_id_decode(bad, &back, board, sizeof(board), &got), BO_EINVAL);
    assert_int_equal(sweep_id_decode("", &back, board, sizeof(board), &got), BO_EINVAL);
    assert_int_equal(sweep_id_decode("bo1:perm", &back, board, sizeof(board), &got), BO_EINVAL);
    assert_int_equal(sweep_id_decode("bo2:perm:swap-move:x:d:1:0:before:0:0000000000000000:"
                                     "00000000",
                                     &back, board, sizeof(board), &got),
                     BO_EINVAL);
    assert_int_equal(sweep_id_decode(NULL, &back, board, sizeof(board), &got), BO_EINVAL);
}

/* Runs o on both paths (replay and snapshots) and asserts byte-identical JSON results. */
static size_t sw_paths_match(struct sweep_opts *o)
{
    struct sweep_result replay;
    struct sweep_result snap;
    size_t fails;
    char *a;
    char *b;

    o->no_snapshots = true;
    fails = sw_run(o, &replay);
    o->no_snapshots = false;
    assert_int_equal(sw_run(o, &snap), fails);
    a = sweep_rig_json(&replay);
    b = sweep_rig_json(&snap);
    assert_string_equal(a, b);
    printf("  %s %s %s depth %u: %zu points, %zu failures, replay %.2f s, snapshots %.2f s\n",
           o->sc.board, boot_mode_name(o->sc.mode), scenario_kind_name(o->sc.kind), o->depth,
           snap.count, fails, replay.wall_s, snap.wall_s);
    free(a);
    free(b);
    sweep_result_free(&replay);
    sweep_result_free(&snap);
    return fails;
}

/*
 * Snapshot reuse gives the replay path's results: the same cut points, outcomes, messages and
 * replay IDs, with failures (the dropped magic) and without, depth 1 and 2, sampled and
 * sharded, one job and several.
 */
static void test_snapshots_match_replay(void **state)
{
    struct sweep_rig_drop drop = { 0x80000 - 32 };
    struct sweep_opts o;

    (void)state;
    sw_opts(&o, "stm32h7", BOOT_MODE_SWAP_SCRATCH, SCENARIO_PERM);
    o.faults = SWEEP_FAULT(VFLASH_CUT_BEFORE) | SWEEP_FAULT(VFLASH_CUT_TORN_PREFIX) |
               SWEEP_FAULT(VFLASH_CUT_WEAK);
    o.inject = sweep_rig_drop_magic;
    o.inject_arg = &drop;
    assert_true(sw_paths_match(&o) > 0);
    o.jobs = 1;
    o.depth = 2;
    o.random = 12;
    assert_true(sw_paths_match(&o) > 0);

    sw_opts(&o, "nrf52840-erased0", BOOT_MODE_SWAP_MOVE, SCENARIO_TEST_REVERT);
    o.random = 90;
    assert_int_equal(sw_paths_match(&o), 0);
    o.shard_index = 2;
    o.shard_count = 3;
    o.random = 40;
    o.jobs = 3;
    assert_int_equal(sw_paths_match(&o), 0);

    /* Depth 2, exhaustive: each second cut forks again from the state after the first. */
    sw_opts(&o, "stm32h7", BOOT_MODE_OVERWRITE, SCENARIO_PERM);
    o.faults = SWEEP_FAULT(VFLASH_CUT_AFTER);
    o.depth = 2;
    assert_int_equal(sw_paths_match(&o), 0);
}

/* A cut point whose process dies is a failure with its replay ID; the sweep goes on. */
static int sw_die_in_recovery(void *arg, struct vflash *dev, const struct vflash_op *op,
                              bool recovery)
{
    (void)arg;
    (void)dev;
    if (recovery && op->kind == VFLASH_OP_ERASE) {
        raise(SIGKILL);
    }
    return 0;
}

static void test_snapshot_child_dies(void **state)
{
    struct sweep_opts o;
    struct sweep_result r;
    size_t fails;
    size_t i;

    (void)state;
    sw_opts(&o, "stm32h7", BOOT_MODE_OVERWRITE, SCENARIO_PERM);
    o.faults = SWEEP_FAULT(VFLASH_CUT_BEFORE);
    o.inject = sw_die_in_recovery;
    fails = sw_run(&o, &r);
    assert_true(fails > 0);
    for (i = 0; i < r.count; i++) {
        if (r.out[i].status == SWEEP_FAIL) {
            assert_int_equal(r.out[i].invariant, INVARIANT_HARNESS);
            assert_non_null(strstr(r.out[i].msg, "signal 9"));
            assert_true(strncmp(r.out[i].id, "bo2:perm:overwrite:stm32h7:", 27) == 0);
        }
    }
    sweep_result_free(&r);
}

static void test_shards_merge_and_jobs(void **state)
{
    struct sweep_result whole;
    struct sweep_result one;
    struct sweep_result parts[3];
    struct sweep_result merged;
    struct sweep_result loaded;
    struct sweep_opts o;
    char path[] = "/tmp/test_sweep_XXXXXX";
    char err[256];
    char *a;
    char *b;
    uint64_t seen = 0;
    size_t i;
    FILE *f;
    int fd;

    (void)state;
    sw_opts(&o, "stm32h7", BOOT_MODE_SWAP_MOVE, SCENARIO_TEST_REVERT);
    o.faults = SWEEP_FAULT(VFLASH_CUT_BEFORE) | SWEEP_FAULT(VFLASH_CUT_TORN_BITS);
    sw_run(&o, &whole);
    o.jobs = 1;
    sw_run(&o, &one);
    a = sweep_rig_json(&whole);
    b = sweep_rig_json(&one);
    assert_string_equal(a, b);
    free(b);
    for (i = 0; i < 3; i++) {
        o.jobs = 2;
        o.shard_index = (uint32_t)i + 1;
        o.shard_count = 3;
        sw_run(&o, &parts[i]);
        seen += parts[i].count;
    }
    assert_int_equal(seen, whole.count);
    assert_int_equal(sweep_report_merge(parts, 3, &merged, err, sizeof(err)), 0);
    b = sweep_rig_json(&merged);
    assert_string_equal(a, b);
    free(b);
    /* Through a file, as --merge reads it. */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_int_equal(sweep_report_json(f, &merged), 0);
    fclose(f);
    assert_int_equal(sweep_report_load(path, &loaded, err, sizeof(err)), 0);
    b = sweep_rig_json(&loaded);
    assert_string_equal(a, b);
    free(b);
    unlink(path);
    /* A shard given twice is refused. */
    sweep_result_free(&parts[1]);
    parts[1] = parts[0];
    sweep_result_free(&merged);
    assert_int_equal(sweep_report_merge(parts, 2, &merged, err, sizeof(err)), BO_EINVAL);
    parts[1].out = NULL;
    free(a);
    sweep_result_free(&loaded);
    sweep_result_free(&whole);
    sweep_result_free(&one);
    for (i = 0; i < 3; i++) {
        sweep_result_free(&parts[i]);
    }
}

static int sw_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int sw_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_id),           cmocka_unit_test(test_shards_merge_and_jobs),
        cmocka_unit_test(test_bad_behaviour_found), cmocka_unit_test(test_snapshots_match_replay),
        cmocka_unit_test(test_snapshot_child_dies), cmocka_unit_test(test_depth1_stm32f4),
        cmocka_unit_test(test_depth1_stm32h7),      cmocka_unit_test(test_depth1_erased0),
        cmocka_unit_test(test_depth2_sampled),      cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_core_bug_replays),
    };

    return cmocka_run_group_tests(tests, sw_setup, sw_teardown);
}
