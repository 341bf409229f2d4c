/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_fleet: the fleet benchmark of issue 18 is tests/bench/bench_fleet.py (it drives a real
 * brownoutd, coap-client processes and the FUSE view, which Python does in a page); this
 * program runs it from make bench with the build it was built in. Arguments and the
 * environment (BENCH_FLEET_N, BENCH_FLEET_JOBS, BENCH_FLEET_SEED) pass through.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char exe[PATH_MAX];
    char script[PATH_MAX + 64];
    const char *root = getenv("BROWNOUT_ROOT");
    char **args = calloc((size_t)argc + 3, sizeof(*args));
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (args == NULL || n <= 0) {
        fprintf(stderr, "bench_fleet: cannot find its own build\n");
        return 70;
    }
    exe[n] = '\0';
    /* BUILD/tests/bench/bench_fleet: the build is three levels up. */
    if (getenv("BUILD") == NULL) {
        setenv("BUILD", dirname(dirname(dirname(exe))), 1);
    }
    snprintf(script, sizeof(script), "%s/tests/bench/bench_fleet.py", root != NULL ? root : ".");
    args[0] = "python3";
    args[1] = script;
    for (int i = 1; i < argc; i++) {
        args[i + 1] = argv[i];
    }
    execvp("python3", args);
    fprintf(stderr, "bench_fleet: python3: %s\n", strerror(errno));
    return 71;
}
