/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file daemon_loop.h
 * \brief How long brownoutd's loop is busy: the time between two waits for events, measured
 *        with libuv's idle-time metric and a prepare handle (two clock reads an iteration).
 *
 * An iteration's busy time is how long a control client or a FUSE request that arrived at its
 * start may have waited. query-status (without a device) reports the totals, so a benchmark can
 * say what fraction of a period the loop was blocked.
 */
#ifndef SIM_DAEMON_LOOP_H
#define SIM_DAEMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

/** An iteration at least this long (ms) counts as long: the period of bench_fleet's probe. */
#define DAEMON_LOOP_LONG_MS 20

/** The loop's busy-time counters. */
struct daemon_loop {
    uv_prepare_t prepare;
    bool started;
    uint64_t start_ns;   /**< When the counting started. */
    uint64_t mark_ns;    /**< The previous iteration's prepare. */
    uint64_t mark_idle;  /**< The loop's idle time then. */
    uint64_t iterations; /**< Iterations counted. */
    uint64_t busy_ns;    /**< Their busy time. */
    uint64_t long_count; /**< Iterations of DAEMON_LOOP_LONG_MS or more. */
    uint64_t long_ns;    /**< Their busy time. */
    uint64_t max_ns;     /**< The longest iteration's busy time. */
};

/**
 * \brief Starts counting on loop (before uv_run: it turns libuv's idle-time metric on).
 *        The prepare handle does not keep the loop alive. \return 0 or BO_EOS.
 */
int daemon_loop_start(struct daemon_loop *l, uv_loop_t *loop);

/** \brief Stops counting and closes the handle (safe when never started). */
void daemon_loop_stop(struct daemon_loop *l);

/** \brief The counters as a JSON object (new reference), or NULL when not counting. */
json_t *daemon_loop_json(const struct daemon_loop *l);

#endif /* SIM_DAEMON_LOOP_H */
