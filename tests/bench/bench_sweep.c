/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_sweep: exhaustive depth-1 sweeps (all six cut models, -j2) of a permanent upgrade on
 * nrf52840 with a maximal image, in swap-scratch, swap-move and overwrite. Prints the cut
 * points, cut points per second, and the ratio of the wall time to (cut points x one full image
 * validation measured in the same run); the target is <= 0.3 (issue 18). It prints what the work
 * cost (distinct flash states run after a cut, boots and signature checks run and reused), then
 * runs the same sweep with --no-cache and says whether the results are identical and how much
 * the cache saved. Never asserts speed. torn-prefix is
 * limited to BENCH_PREFIX_MAX boundaries per operation so the run takes minutes, not hours.
 *
 * Under load the wall ratio says more about the machine than the sweep: the cpu ratio is the
 * CPU time of the sweep (its processes included) over (cut points x the CPU time of one
 * validation x jobs), the wall ratio the sweep would have on an idle machine with jobs cores.
 *
 * Beside each mode's figure it prints upstream MCUboot's on the same sweep, when a tree is at
 * hand ($MCUBOOT_SRC, else $BROWNOUT_SHARED/peers/mcuboot, else ../shared/peers/mcuboot beside
 * the repository): `brownout sweep --bootloader mcuboot` in a child (the variant is built first,
 * untimed, by a one-point sweep), with the ratio to the same validation time.
 *
 * Options: --no-snapshots (the replay path, for comparison), --prefix-max N (0: every unit
 * boundary), --jobs N, --mode M (one mode).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "mbedtls/platform.h"
#include "support/bench_clock.h"
#include "sweep/scenario.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"

/* torn-prefix boundaries per operation by default. */
#define BENCH_PREFIX_MAX 8u

/* Seconds of one validation of the scenario's largest image (wall, and CPU in *cpu). */
static double bench_validation(const struct scenario_opts *so, double *cpu)
{
    struct scenario sc;
    struct image_validate_config vc;
    struct image_validate_result res;
    struct image_src src;
    char err[256];
    double t0;
    int i;
    int n = 20;

    scenario_init(&sc);
    if (scenario_setup(&sc, so, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        scenario_free(&sc);
        return 0;
    }
    vc.keys = sc.keys.table;
    vc.key_count = (uint32_t)sc.keys.count;
    vc.allow_unsigned = false;
    image_src_from_buffer(&src, sc.img[0][1].data, sc.img[0][1].size);
    t0 = bench_clock_now();
    *cpu = bench_clock_cpu();
    for (i = 0; i < n; i++) {
        image_validate(&src, &vc, &res);
    }
    *cpu = (bench_clock_cpu() - *cpu) / n;
    scenario_free(&sc);
    return (bench_clock_now() - t0) / n;
}

/* The MCUboot tree to compare with, or NULL. */
static const char *bench_mcuboot_tree(char *buf, size_t len)
{
    const char *env = getenv("MCUBOOT_SRC");
    const char *shared = getenv("BROWNOUT_SHARED");
    const char *root = getenv("BROWNOUT_ROOT");
    char base[PATH_MAX - 64];
    char chk[PATH_MAX + 32];

    if (env != NULL && env[0] != '\0') {
        snprintf(buf, len, "%s", env);
        return buf;
    }
    if (shared != NULL && shared[0] != '\0') {
        snprintf(base, sizeof(base), "%s", shared);
    } else {
        snprintf(base, sizeof(base), "%s/../shared", root != NULL ? root : ".");
    }
    snprintf(buf, len, "%s/peers/mcuboot", base);
    snprintf(chk, sizeof(chk), "%s/boot/bootutil", buf);
    return access(chk, R_OK) == 0 ? buf : NULL;
}

/* Runs `brownout sweep --bootloader mcuboot` (extra: more options); its last line in last. */
static int bench_upstream_run(const char *tree, const char *mode, const char *extra, char *last,
                              size_t len, double *wall)
{
    char exe[PATH_MAX];
    char cmd[3 * PATH_MAX + 256];
    char line[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    double t0 = bench_clock_now();
    FILE *p;

    if (n <= 0) {
        return 1;
    }
    exe[n] = '\0';
    /* build/tests/bench/bench_sweep -> build/bin/brownout */
    snprintf(cmd, sizeof(cmd),
             "'%s/../../bin/brownout' sweep --bootloader mcuboot --mcuboot-src '%s' --board "
             "nrf52840 --mode %s --scenario perm --image-size max %s 2>&1",
             dirname(exe), tree, mode, extra);
    p = popen(cmd, "r");
    if (p == NULL) {
        return 1;
    }
    last[0] = '\0';
    while (fgets(line, sizeof(line), p) != NULL) {
        snprintf(last, len, "%s", line);
    }
    *wall = bench_clock_now() - t0;
    return pclose(p) == -1 ? 1 : 0;
}

/* Prints upstream's figure for mode beside the core's (val: the validation time). */
static void bench_upstream(enum boot_mode mode, uint32_t jobs, uint32_t prefix_max, double val)
{
    char tree[PATH_MAX];
    char extra[128];
    char last[512];
    unsigned long failed = 0;
    unsigned long points = 0;
    double wall = 0;

    if (bench_mcuboot_tree(tree, sizeof(tree)) == NULL) {
        printf("bench_sweep %-12s mcuboot: skipped (no MCUboot tree)\n", boot_mode_name(mode));
        return;
    }
    if (bench_upstream_run(tree, boot_mode_name(mode), "--faults after --random 1", last,
                           sizeof(last), &wall) != 0) {
        printf("bench_sweep %-12s mcuboot: cannot run\n", boot_mode_name(mode));
        return;
    }
    snprintf(extra, sizeof(extra), "--faults all -j %u --prefix-max %u", (unsigned)jobs,
             (unsigned)prefix_max);
    if (bench_upstream_run(tree, boot_mode_name(mode), extra, last, sizeof(last), &wall) != 0 ||
        (sscanf(last, "PASS: %lu of %lu", &failed, &points) != 2 &&
         sscanf(last, "FAIL: %lu of %lu", &failed, &points) != 2) ||
        points == 0) {
        printf("bench_sweep %-12s mcuboot: no result (%s)\n", boot_mode_name(mode), last);
        return;
    }
    printf("bench_sweep %-12s mcuboot %s: %lu cut points, %lu failures, %.1f s (with the "
           "program's start), %.0f points/s, ratio %.2f\n",
           boot_mode_name(mode), tree, points, failed, wall, points / wall,
           val > 0 ? wall / (points * val) : 0.0);
}

/* Whether two sweeps gave the same outcomes, field by field. */
static bool bench_same(const struct sweep_result *a, const struct sweep_result *b)
{
    size_t i;

    if (a->count != b->count) {
        return false;
    }
    for (i = 0; i < a->count; i++) {
        const struct sweep_outcome *x = &a->out[i];
        const struct sweep_outcome *y = &b->out[i];

        if (x->task != y->task || x->status != y->status || x->invariant != y->invariant ||
            x->final_run != y->final_run || x->applied != y->applied ||
            x->reached2 != y->reached2 || strcmp(x->msg, y->msg) != 0 ||
            strcmp(x->id, y->id) != 0) {
            return false;
        }
    }
    return true;
}

/* Runs one sweep of mode into r; *cpu: its CPU seconds. \return 0, or 1 when it cannot run. */
static int bench_run(enum boot_mode mode, uint32_t jobs, uint32_t prefix_max, bool no_snapshots,
                     bool no_cache, struct sweep_result *r, double *cpu)
{
    struct sweep_opts o;
    char err[512];

    sweep_opts_init(&o);
    o.sc.board = "nrf52840";
    o.sc.mode = mode;
    o.sc.kind = SCENARIO_PERM;
    o.sc.image_size = SCENARIO_IMAGE_SIZE_MAX;
    o.jobs = jobs;
    o.prefix_max = prefix_max;
    o.no_snapshots = no_snapshots;
    o.no_cache = no_cache;
    *cpu = bench_clock_cpu();
    sweep_result_init(r);
    if (sweep_run(&o, r, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_sweep: %s: %s\n", boot_mode_name(mode), err);
        return 1;
    }
    *cpu = bench_clock_cpu() - *cpu;
    return 0;
}

/* Runs and prints the sweep of one mode. \return 0, or 1 when the sweep could not run. */
static int bench_mode(enum boot_mode mode, uint32_t jobs, uint32_t prefix_max, bool no_snapshots)
{
    struct scenario_opts so;
    struct sweep_opts o;
    struct sweep_result r;
    struct sweep_result nc;
    double val;
    double val_cpu = 0;
    double cpu;
    double nc_cpu;

    sweep_opts_init(&o);
    so = o.sc;
    so.board = "nrf52840";
    so.mode = mode;
    so.kind = SCENARIO_PERM;
    so.image_size = SCENARIO_IMAGE_SIZE_MAX;
    val = bench_validation(&so, &val_cpu);
    if (bench_run(mode, jobs, prefix_max, no_snapshots, false, &r, &cpu) != 0) {
        return 1;
    }
    printf("bench_sweep %-12s %s -j%u prefix-max %u, image %u B: %llu ops, %zu cut points, "
           "%zu failures, %.1f s, %.0f points/s, validation %.3f ms, ratio %.2f "
           "(target <= 0.3); cpu %.1f s, cpu ratio %.2f\n",
           boot_mode_name(mode), no_snapshots ? "replay" : "snapshots", jobs, prefix_max,
           r.image_size, (unsigned long long)r.ops, r.count, sweep_report_failures(&r), r.wall_s,
           r.count / r.wall_s, val * 1e3, val > 0 ? r.wall_s / (r.count * val) : 0.0, cpu,
           val_cpu > 0 ? cpu / (r.count * val_cpu * jobs) : 0.0);
    printf("bench_sweep %-12s   work: %llu distinct states after a cut run (%llu points reused "
           "one), %llu boots run (%llu reused), %llu signature checks run (%llu reused)\n",
           boot_mode_name(mode), (unsigned long long)r.states, (unsigned long long)r.state_hits,
           (unsigned long long)r.boots, (unsigned long long)r.boot_hits,
           (unsigned long long)r.verifies, (unsigned long long)r.verify_hits);
    if (!no_snapshots) {
        fflush(stdout);
        if (bench_run(mode, jobs, prefix_max, false, true, &nc, &nc_cpu) != 0) {
            sweep_result_free(&r);
            return 1;
        }
        printf("bench_sweep %-12s   --no-cache: %.1f s, ratio %.2f, cpu %.1f s; the cache "
               "saves %.0f%% of the wall time; results %s\n",
               boot_mode_name(mode), nc.wall_s, val > 0 ? nc.wall_s / (nc.count * val) : 0.0,
               nc_cpu, 100.0 * (1.0 - r.wall_s / nc.wall_s),
               bench_same(&r, &nc) ? "identical" : "DIFFER (a bug)");
        sweep_result_free(&nc);
        fflush(stdout);
        bench_upstream(mode, jobs, prefix_max, val);
    }
    sweep_result_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    static const enum boot_mode modes[] = {
        BOOT_MODE_SWAP_SCRATCH,
        BOOT_MODE_SWAP_MOVE,
        BOOT_MODE_OVERWRITE,
    };
    mbedtls_platform_context plat;
    uint32_t prefix_max = BENCH_PREFIX_MAX;
    uint32_t jobs = 2;
    bool no_snapshots = false;
    const char *only = NULL;
    int rc = 0;
    size_t i;
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--no-snapshots") == 0) {
            no_snapshots = true;
        } else if (strcmp(argv[a], "--prefix-max") == 0 && a + 1 < argc) {
            prefix_max = (uint32_t)strtoul(argv[++a], NULL, 0);
        } else if (strcmp(argv[a], "--jobs") == 0 && a + 1 < argc) {
            jobs = (uint32_t)strtoul(argv[++a], NULL, 0);
        } else if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
            only = argv[++a];
        } else {
            fprintf(stderr,
                    "usage: bench_sweep [--no-snapshots] [--prefix-max N] [--jobs N] [--mode M]\n");
            return 2;
        }
    }

    memset(&plat, 0, sizeof(plat));
    if (mbedtls_platform_setup(&plat) != 0) {
        return 1;
    }
    /*
     * Each mode runs in a fresh process, as `brownout sweep` would: the snapshot path forks at
     * every cut point, and a process that already ran sweeps forks more slowly (its address
     * space has grown), which made the last mode measured look slower than the CLI runs it.
     */
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]) && rc == 0; i++) {
        int status = 0;
        pid_t pid;

        if (only != NULL && strcmp(only, boot_mode_name(modes[i])) != 0) {
            continue;
        }
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            int crc = bench_mode(modes[i], jobs, prefix_max, no_snapshots);

            fflush(stdout);
            _exit(crc);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench_sweep: the %s sweep failed\n", boot_mode_name(modes[i]));
            rc = 1;
        }
    }
    mbedtls_platform_teardown(&plat);
    return rc;
}
