/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark support: the monotonic clock and the CPU time of a process and its children. */
#include "bench_clock.h"

#include <sys/resource.h>
#include <time.h>

double bench_clock_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of one rusage's user and system time. */
static double bench_clock_usage(const struct rusage *u)
{
    return (double)(u->ru_utime.tv_sec + u->ru_stime.tv_sec) +
           (double)(u->ru_utime.tv_usec + u->ru_stime.tv_usec) / 1e6;
}

double bench_clock_cpu(void)
{
    struct rusage self;
    struct rusage kids;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return bench_clock_usage(&self) + bench_clock_usage(&kids);
}
