/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_snap_int.h
 * \brief The process plumbing of the snapshot layer (sweep_snap_proc.c), shared by
 *        sweep_snap.c: growable output buffers, pipes, forks and reaping. Not a public API.
 */
#ifndef SIM_SWEEP_SNAP_INT_H
#define SIM_SWEEP_SNAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A growable byte buffer (a child's output). */
struct sweep_snap_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int err; /* BO_ENOMEM once a put failed; later puts do nothing. */
};

/** \brief Appends len bytes of data to b (sets b->err when it cannot grow). */
void sweep_snap_put(struct sweep_snap_buf *b, const void *data, size_t len);

/** \brief Writes all of data to fd. \return 0 or BO_EOS. */
int sweep_snap_write_all(int fd, const uint8_t *data, size_t len);

/** \brief Reads what fd has into b. \return 1 at end of file, 0 when more may come, or BO_EOS. */
int sweep_snap_read_some(int fd, struct sweep_snap_buf *b);

/** \brief Waits for pid. \return Its status as waitpid() gives it, or -1 when it cannot say. */
int sweep_snap_reap(pid_t pid);

/** \brief In a new child: fatal signals kill it (a test framework's handlers would resume). */
void sweep_snap_child_signals(void);

/**
 * \brief Runs fn in a forked copy of this process and returns what it wrote into its buffer.
 * \return 0 (out filled), BO_EOS (no fork, or the copy died), or BO_ENOMEM.
 */
int sweep_snap_fork_call(void (*fn)(void *ctx, struct sweep_snap_buf *b), void *ctx,
                         struct sweep_snap_buf *out);

#endif /* SIM_SWEEP_SNAP_INT_H */
