/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_depth2: an exhaustive depth-2 sweep (every first cut x every cut of its recovery, all
 * six cut models, -j2) of a swap-move permanent upgrade of the small (default) image on
 * nrf52840, as issue 18 asks. Prints the cut points, the failures, the wall and CPU time, the
 * points per second, and what the work cost: the distinct flash states run after a cut against
 * the points (the fraction of depth-2 points that were distinct states), and the boots run and
 * reused. The target (<= 10 minutes) is printed beside the time; speed is never asserted.
 *
 * Options: --shard K runs the slice 1/K of the tasks (a strided sample of the first cuts) and
 * extrapolates the points and the time to the whole sweep, saying so; --jobs N; --no-snapshots
 * (the replay path, for comparison); --no-cache. The exit code is non-zero only when the sweep
 * cannot run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mbedtls/platform.h"
#include "support/bench_clock.h"
#include "sweep/scenario.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"

/* The target of issue 18 for the whole sweep, in seconds. */
#define BENCH_TARGET_S 600.0

/* The benchmark's options. */
struct bench_opts {
    uint32_t jobs;
    uint32_t shard; /* Run the slice 1/shard. */
    bool no_snapshots;
    bool no_cache;
};

/* Prints the figures of r (cpu: its CPU seconds). */
static void bench_print(const struct bench_opts *b, const struct sweep_result *r, double cpu)
{
    double k = (double)b->shard;
    double pts = (double)r->count;
    uint64_t runs = r->states + r->state_hits;

    printf("bench_depth2 swap-move nrf52840 small image, perm, depth 2, all cut models, %s%s -j%u"
           "%s: %zu points, %zu failures, %.1f s wall, %.1f s cpu, %.0f points/s\n",
           b->no_snapshots ? "replay" : "snapshots", b->no_cache ? " --no-cache" : "",
           (unsigned)b->jobs, b->shard > 1 ? " (slice 1/K)" : "", r->count,
           sweep_report_failures(r), r->wall_s, cpu, pts / r->wall_s);
    if (b->shard > 1) {
        printf("bench_depth2   extrapolated from the slice 1/%u of %llu first cuts (x%u): about "
               "%.0f points, %.0f s wall (target <= %.0f s)\n",
               (unsigned)b->shard, (unsigned long long)r->tasks_total, (unsigned)b->shard, pts * k,
               r->wall_s * k, BENCH_TARGET_S);
    } else {
        printf("bench_depth2   %llu first cuts, %.1f s wall (target <= %.0f s): %s\n",
               (unsigned long long)r->tasks_total, r->wall_s, BENCH_TARGET_S,
               r->wall_s <= BENCH_TARGET_S ? "met" : "not met");
    }
    printf("bench_depth2   work: %llu distinct states after a cut run for %zu points (%.1f%% of "
           "the points; %llu runs taken from the table), %llu boots run (%llu reused)\n",
           (unsigned long long)r->states, r->count, pts > 0 ? 100.0 * (double)r->states / pts : 0,
           (unsigned long long)r->state_hits, (unsigned long long)r->boots,
           (unsigned long long)r->boot_hits);
    if (runs == 0) {
        printf("bench_depth2   (no table on this path: the replay path and --no-cache keep no "
               "counts of distinct states)\n");
    }
}

static int bench_usage(void)
{
    fprintf(stderr, "usage: bench_depth2 [--shard K] [--jobs N] [--no-snapshots] [--no-cache]\n");
    return 2;
}

int main(int argc, char **argv)
{
    mbedtls_platform_context plat;
    struct bench_opts b = { 2, 1, false, false };
    struct sweep_opts o;
    struct sweep_result r;
    char err[512];
    double cpu;
    int rc = 0;
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--no-snapshots") == 0) {
            b.no_snapshots = true;
        } else if (strcmp(argv[a], "--no-cache") == 0) {
            b.no_cache = true;
        } else if (strcmp(argv[a], "--jobs") == 0 && a + 1 < argc) {
            b.jobs = (uint32_t)strtoul(argv[++a], NULL, 0);
        } else if (strcmp(argv[a], "--shard") == 0 && a + 1 < argc) {
            b.shard = (uint32_t)strtoul(argv[++a], NULL, 0);
        } else {
            return bench_usage();
        }
    }
    if (b.jobs == 0 || b.shard == 0) {
        return bench_usage();
    }
    memset(&plat, 0, sizeof(plat));
    if (mbedtls_platform_setup(&plat) != 0) {
        return 1;
    }
    sweep_opts_init(&o);
    o.sc.board = "nrf52840";
    o.sc.mode = BOOT_MODE_SWAP_MOVE;
    o.sc.kind = SCENARIO_PERM;
    o.faults = SWEEP_FAULTS_ALL;
    o.depth = 2;
    o.jobs = b.jobs;
    o.no_snapshots = b.no_snapshots;
    o.no_cache = b.no_cache;
    o.shard_index = 1;
    o.shard_count = b.shard;
    sweep_result_init(&r);
    cpu = bench_clock_cpu();
    if (sweep_run(&o, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_depth2: %s\n", err);
        rc = 1;
    } else {
        bench_print(&b, &r, bench_clock_cpu() - cpu);
    }
    sweep_result_free(&r);
    mbedtls_platform_teardown(&plat);
    return rc;
}
