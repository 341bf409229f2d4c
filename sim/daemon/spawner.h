/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file spawner.h
 * \brief A small helper process that starts firmware runs for brownoutd, so that the daemon's
 *        loop never waits for a fork or an exec.
 *
 * Forked at the daemon's start, before any device exists (the daemon is small then), the
 * spawner reads requests (a command line and descriptors) from a socket pair and starts each
 * with clone(CLONE_PARENT): the run is the daemon's child, as one started by the daemon itself,
 * and the daemon reaps it through a pidfd. The spawner never waits for the run: the run tells
 * the daemon its pid itself, as its first line on descriptor 3 (its pipe to the daemon),
 * `{"spawned": PID}`, before its exec; an exec that fails writes `{"spawn-error": ERRNO}` there
 * instead and exits 127. The spawner dies with the daemon (PR_SET_PDEATHSIG, and the socket
 * closing); if it dies first, the daemon says so in one line and starts runs itself.
 */
#ifndef SIM_SPAWNER_H
#define SIM_SPAWNER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

/** Most descriptors a request hands over. */
#define SPAWNER_MAX_FDS 32

/** The daemon's side of the spawner. */
struct spawner {
    uv_poll_t poll;  /**< Watches pidfd: the spawner's exit. */
    int sock;        /**< The daemon's end of the socket pair, or -1. */
    int pid;         /**< The spawner's pid, or 0. */
    int pidfd;       /**< Its pidfd, or -1. */
    bool up;         /**< Requests can be sent. */
    bool polling;    /**< poll is initialised. */
    uint64_t spawns; /**< Runs started through it. */
    uint64_t direct; /**< Runs the daemon started itself (no spawner). */
};

/** \brief Initialises a spawner that is not running (requests fail). Cannot fail. */
void spawner_init(struct spawner *s);

/**
 * \brief Forks the spawner process and watches it on loop. Call before the daemon grows.
 * \return 0, or BO_EOS (then s stays down and the daemon starts runs itself).
 */
int spawner_start(struct spawner *s, uv_loop_t *loop);

/**
 * \brief Asks the spawner to start file with argv, fds[i] as descriptor 3 + i.
 * \return 0 (sent: the run's pid comes on fds[0]'s peer); BO_ESTATE when the spawner is down;
 *         BO_EINVAL when the request does not fit; BO_EBUSY when the socket is full (the caller
 *         starts this run itself); BO_EOS when sending failed (the spawner is taken down).
 */
int spawner_spawn(struct spawner *s, const char *file, char *const argv[], const int *fds,
                  int fd_count);

/** \brief Kills and reaps the spawner, closes its handle. Safe when it never started. */
void spawner_stop(struct spawner *s);

/** \brief {"pid", "spawns", "direct"} for query-status (new reference). */
json_t *spawner_json(const struct spawner *s);

#endif /* SIM_SPAWNER_H */
