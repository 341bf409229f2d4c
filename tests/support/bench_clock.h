/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark support: the clocks the benchmarks read (tests/bench). */
#ifndef TESTS_SUPPORT_BENCH_CLOCK_H
#define TESTS_SUPPORT_BENCH_CLOCK_H

/** \brief Seconds of the monotonic clock. */
double bench_clock_now(void);

/** \brief CPU seconds (user and system) of this process and of its waited-for children. */
double bench_clock_cpu(void);

#endif /* TESTS_SUPPORT_BENCH_CLOCK_H */
