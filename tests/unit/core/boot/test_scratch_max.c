/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regression tests of swap-using-scratch with a maximal image (issue 4): the image reaches the
 * trailers' sectors, so the swap's first step carries the primary's trailer in the scratch area
 * and ends by erasing the scratch area.
 * - Replays of the nrf52840 sweep's failures: a cut while that erase ran (every fault model)
 *   left the scratch's magic good over partly erased data, and the next boot redid the step's
 *   last copy from it (the primary no longer verified); a torn or weak copy_done write at the
 *   end of the swap stayed "bad" because the trailer's sector also holds image bytes.
 * - Depth-1 sweeps of every fault model, permanent upgrade and revert, over a small board with
 *   a three-sector scratch area and a maximal image, so the same situations run in seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"

static mbedtls_platform_context plat;

/* Failures of `brownout sweep --board nrf52840 --mode swap-scratch --scenario perm --faults
 * all --image-size max --prefix-max 8` before the fixes (147 of 8256 cut points). */
static const char *const test_ids[] = {
    /* Cuts of the scratch erase after the first step (operations 461 to 490). */
    "bo1:perm:swap-scratch:nrf52840:max:1:461:after:0:318aba7854b1a165:67bb6bec",
    "bo1:perm:swap-scratch:nrf52840:max:1:461:torn-bits:0:2ad7d6bed80db512:4045f92d",
    "bo1:perm:swap-scratch:nrf52840:max:1:461:erase-partial:s:d64d29b93049fd0a:63ad404e",
    "bo1:perm:swap-scratch:nrf52840:max:1:461:weak:0:08269c83d4821442:a0310db4",
    "bo1:perm:swap-scratch:nrf52840:max:1:462:before:0:e6eaac27494dcec2:31da964c",
    "bo1:perm:swap-scratch:nrf52840:max:1:465:before:0:ad52ab12579c7327:f0ea7e36",
    /* The final copy_done write torn or weak: it stayed "bad" (final-state). */
    "bo1:perm:swap-scratch:nrf52840:max:1:832:torn-bits:0:0000b6359177d53f:1e4b38e2",
    "bo1:perm:swap-scratch:nrf52840:max:1:832:weak:0:e74b09cfcb1a3b87:60228383",
};

/*
 * 4 KiB sectors, 8-sector slots and a 3-sector scratch: the swap runs in steps of 3, 3 and 2
 * sectors, the first carrying the trailer. Before the fixes these sweeps failed at 12 (perm)
 * and 27 (test-revert) of their cut points.
 */
static const char test_board_ini[] = "[board]\n"
                                     "name = scratch-max-small\n"
                                     "description = three-sector scratch, eight-sector slots\n"
                                     "[flash internal]\n"
                                     "sectors = 64x4K\n"
                                     "write-unit = 4\n"
                                     "erased-value = 0xff\n"
                                     "semantics = nor\n"
                                     "program-time-us = 41\n"
                                     "erase-time-ms = 85\n"
                                     "[partition image-0-primary]\n"
                                     "offset = 0x0\n"
                                     "size = 0x8000\n"
                                     "[partition image-0-secondary]\n"
                                     "offset = 0x8000\n"
                                     "size = 0x8000\n"
                                     "[partition scratch]\n"
                                     "offset = 0x10000\n"
                                     "size = 0x3000\n";

static void test_replays(void **state)
{
    struct sweep_outcome out;
    char err[512] = "";
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(test_ids) / sizeof(test_ids[0]); i++) {
        int rc = sweep_replay(NULL, test_ids[i], NULL, &out, err, sizeof(err));

        if (rc != 0) {
            fprintf(stderr, "replay %s: %d %s\n", test_ids[i], rc, err);
        }
        assert_int_equal(rc, 0);
        if (out.status != SWEEP_PASS) {
            fprintf(stderr, "  regression [%s] %s\n    %s\n",
                    invariant_name((enum invariant_id)out.invariant), out.msg, test_ids[i]);
        }
        assert_int_equal(out.status, SWEEP_PASS);
    }
}

/* Writes the board to a temporary file; returns 0 and its path in path. */
static int sm_write_board(char *path, size_t len)
{
    const char *dir = getenv("TMPDIR");
    FILE *f;
    int fd;

    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    if ((size_t)snprintf(path, len, "%s/bo-scratch-max-XXXXXX", dir) >= len) {
        return -1;
    }
    fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(path);
        return -1;
    }
    if (fputs(test_board_ini, f) == EOF) {
        fclose(f);
        unlink(path);
        return -1;
    }
    if (fclose(f) != 0) {
        unlink(path);
        return -1;
    }
    return 0;
}

/* Runs a maximal-image depth-1 sweep of every fault model; returns its failures. */
static size_t sm_small_sweep(const char *board, enum scenario_kind kind, uint64_t *ops)
{
    struct sweep_opts o;
    struct sweep_result r;
    char err[512] = "";
    size_t fails;
    size_t i;
    size_t shown = 0;
    int rc;

    sweep_opts_init(&o);
    o.sc.board = board;
    o.sc.mode = BOOT_MODE_SWAP_SCRATCH;
    o.sc.kind = kind;
    o.sc.image_size = SCENARIO_IMAGE_SIZE_MAX;
    o.faults = SWEEP_FAULTS_ALL;
    o.jobs = 2;
    o.prefix_max = 2;
    sweep_result_init(&r);
    rc = sweep_run(&o, &r, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "sweep: %d %s\n", rc, err);
    }
    assert_int_equal(rc, 0);
    fails = sweep_report_failures(&r);
    for (i = 0; i < r.count; i++) {
        const struct sweep_outcome *x = &r.out[i];

        if (x->status != SWEEP_PASS && shown < 5) {
            fprintf(stderr, "  FAIL [%s] %s\n    %s\n",
                    invariant_name((enum invariant_id)x->invariant), x->msg, x->id);
            shown++;
        }
    }
    printf("  scratch-max-small %s: %zu points, %llu ops, %zu failures\n",
           kind == SCENARIO_PERM ? "perm" : "test-revert", r.count, (unsigned long long)r.ops,
           fails);
    *ops = r.ops;
    sweep_result_free(&r);
    return fails;
}

static void test_small_board_sweeps(void **state)
{
    char path[512];
    uint64_t ops = 0;
    size_t perm;
    size_t revert;

    (void)state;
    assert_int_equal(sm_write_board(path, sizeof(path)), 0);
    perm = sm_small_sweep(path, SCENARIO_PERM, &ops);
    /* Three steps of three records and their erases and copies: well over 100 operations. */
    assert_true(ops > 100);
    revert = sm_small_sweep(path, SCENARIO_TEST_REVERT, &ops);
    unlink(path);
    assert_int_equal(perm, 0);
    assert_int_equal(revert, 0);
}

static int sm_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int sm_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replays),
        cmocka_unit_test(test_small_board_sweeps),
    };

    return cmocka_run_group_tests(tests, sm_setup, sm_teardown);
}
