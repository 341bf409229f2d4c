/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file device_proc.h
 * \brief Firmware processes started without copying the daemon: posix_spawn (a vfork-style clone
 *        that shares the daemon's memory until the child calls exec) and a pidfd watched by the
 *        loop for the exit.
 *
 * uv_spawn() forks: the kernel copies the page tables and the thousands of mappings of a daemon
 * hosting a fleet, and the loop waits for that and for the child's exec. With 1,000 devices this
 * took 10-40 ms a spawn, on the loop that also serves the control socket and the FUSE view.
 * posix_spawn shares the address space until the exec, so the loop waits only for the exec
 * itself. The exit is seen through pidfd_open(2) (Linux 5.3) under a uv_poll, and reaped with
 * waitid(P_PIDFD): no SIGCHLD handler, no scan of every child on each exit.
 */
#ifndef SIM_DEVICE_PROC_H
#define SIM_DEVICE_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

struct device_proc;

/** \brief Called once when the process ended: its exit status, or the signal that ended it. */
typedef void (*device_proc_exit_fn)(struct device_proc *p, int64_t exit_status, int term_signal);

/** A started process. The caller embeds it; data is the caller's. */
struct device_proc {
    uv_poll_t poll; /**< Watches pidfd; poll.data points at this struct. */
    int pid;
    int pidfd;
    device_proc_exit_fn exit_cb;
    void *data;
    bool watching; /**< poll is initialised (the pid is known). */
};

/**
 * \brief Starts file (searched in PATH when it has no slash, as execvp does) in a session of its
 *        own, with argv, stdin on /dev/null, the daemon's stdout and stderr, fds[i] as
 *        descriptor 3 + i (for i < fd_count) and no other descriptor of the daemon (they are all
 *        close-on-exec), every signal at its default disposition and none blocked.
 * \return 0, or a negative errno value (from posix_spawn, pidfd_open or libuv; nothing is left
 *         running and no handle is open).
 */
int device_proc_spawn(uv_loop_t *loop, struct device_proc *p, const char *file, char *const argv[],
                      const int *fds, int fd_count, device_proc_exit_fn exit_cb);

/**
 * \brief Watches pid, a child of the daemon started by someone else (the spawner, spawner.h),
 *        as device_proc_spawn() watches its own. p was set up with device_proc_pending().
 * \return 0, or a negative errno value (the process is then killed; it stays a zombie only if
 *         no pidfd could be opened at all).
 */
int device_proc_adopt(uv_loop_t *loop, struct device_proc *p, int pid);

/** \brief Sets p up for a process whose pid is not known yet (no handle open). */
void device_proc_pending(struct device_proc *p, device_proc_exit_fn exit_cb);

/** \brief Sends sig to the process unless it was reaped. \return 0 or a negative errno value. */
int device_proc_kill(struct device_proc *p, int sig);

/**
 * \brief Closes the poll handle (close_cb gets it) and the pidfd; the process is not killed.
 * \return Whether a handle is being closed (false for a pending process: no callback follows).
 */
bool device_proc_close(struct device_proc *p, uv_close_cb close_cb);

#endif /* SIM_DEVICE_PROC_H */
