/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware processes: posix_spawn without a copy of the daemon, a pidfd for the exit. */
#include "daemon/device_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The first descriptor the child gets from fds: 0, 1 and 2 are its stdio. */
#define DEVICE_PROC_FIRST_FD 3

/* The pidfd is readable: the process ended; reaps it and reports how. */
static void device_proc_poll_cb(uv_poll_t *h, int status, int events)
{
    struct device_proc *p = h->data;
    siginfo_t si;
    int rc;

    (void)status;
    (void)events;
    memset(&si, 0, sizeof(si));
    rc = waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG);
    if ((rc < 0 && errno != ECHILD) || (rc == 0 && si.si_pid == 0)) {
        return; /* Not over yet: a spurious wake-up. */
    }
    uv_poll_stop(h);
    if (rc < 0) {
        /* Reaped by someone else (nothing in the daemon waits for any child): status unknown. */
        p->exit_cb(p, -1, 0);
    } else if (si.si_code == CLD_EXITED) {
        p->exit_cb(p, si.si_status, 0);
    } else {
        p->exit_cb(p, 0, si.si_status);
    }
}

/* Adds the actions that give the child its descriptors; tmp gets the copies made on the way. */
static int device_proc_actions(posix_spawn_file_actions_t *fa, const int *fds, int fd_count,
                               int *tmp)
{
    int rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);

    for (int i = 0; rc == 0 && i < fd_count; i++) {
        int src = fds[i];

        tmp[i] = -1;
        if (src < DEVICE_PROC_FIRST_FD + fd_count) {
            /* A source that is also a target number could be overwritten by an earlier dup2:
             * a copy above every target keeps it (close-on-exec, closed after the spawn). */
            tmp[i] = fcntl(src, F_DUPFD_CLOEXEC, DEVICE_PROC_FIRST_FD + fd_count);
            if (tmp[i] < 0) {
                return errno;
            }
            src = tmp[i];
        }
        /* dup2 clears close-on-exec on the target (glibc also when src is the target). */
        rc = posix_spawn_file_actions_adddup2(fa, src, DEVICE_PROC_FIRST_FD + i);
    }
    return rc;
}

/* The attributes: a session of its own, default signal dispositions, nothing blocked. */
static int device_proc_attr(posix_spawnattr_t *attr)
{
    sigset_t all;
    sigset_t none;

    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    sigemptyset(&none);
    int rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                                POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) {
        rc = posix_spawnattr_setsigdefault(attr, &all);
    }
    if (rc == 0) {
        rc = posix_spawnattr_setsigmask(attr, &none);
    }
    return rc;
}

/* Runs posix_spawnp with the descriptors and attributes above. \return 0 or an errno value. */
static int device_proc_start(struct device_proc *p, const char *file, char *const argv[],
                             const int *fds, int fd_count)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int *tmp = calloc((size_t)fd_count + 1, sizeof(*tmp));
    pid_t pid = 0;
    int rc = ENOMEM;

    if (tmp == NULL) {
        return rc;
    }
    for (int i = 0; i < fd_count; i++) {
        tmp[i] = -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    rc = device_proc_actions(&fa, fds, fd_count, tmp);
    if (rc == 0) {
        rc = device_proc_attr(&attr);
    }
    if (rc == 0) {
        rc = posix_spawnp(&pid, file, &fa, &attr, argv, environ);
    }
    p->pid = rc == 0 ? (int)pid : 0;
    for (int i = 0; i < fd_count; i++) {
        if (tmp[i] >= 0) {
            close(tmp[i]);
        }
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    free(tmp);
    return rc;
}

void device_proc_pending(struct device_proc *p, device_proc_exit_fn exit_cb)
{
    memset(p, 0, sizeof(*p));
    p->pidfd = -1;
    p->exit_cb = exit_cb;
}

int device_proc_adopt(uv_loop_t *loop, struct device_proc *p, int pid)
{
    int rc;

    p->pid = pid;
    p->pidfd = pidfd_open(pid, 0);
    if (p->pidfd < 0) {
        rc = -errno;
        goto fail;
    }
    (void)fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
    rc = uv_poll_init(loop, &p->poll, p->pidfd);
    if (rc < 0) {
        close(p->pidfd);
        goto fail;
    }
    p->poll.data = p;
    p->watching = true;
    /* Cannot fail with a valid mask in libuv 1.44: it only queues the watcher. */
    (void)uv_poll_start(&p->poll, UV_READABLE, device_proc_poll_cb);
    return 0;
fail:
    /* Without a way to see its exit the process must not run unwatched. */
    (void)kill(pid, SIGKILL);
    (void)waitpid(pid, NULL, 0);
    p->pidfd = -1;
    return rc;
}

int device_proc_spawn(uv_loop_t *loop, struct device_proc *p, const char *file, char *const argv[],
                      const int *fds, int fd_count, device_proc_exit_fn exit_cb)
{
    int rc;

    device_proc_pending(p, exit_cb);
    rc = device_proc_start(p, file, argv, fds, fd_count);
    if (rc != 0) {
        return -rc;
    }
    return device_proc_adopt(loop, p, p->pid);
}

int device_proc_kill(struct device_proc *p, int sig)
{
    if (p->pidfd < 0) {
        return -ESRCH;
    }
    return pidfd_send_signal(p->pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
}

bool device_proc_close(struct device_proc *p, uv_close_cb close_cb)
{
    bool closing = false;

    if (p->watching && !uv_is_closing((uv_handle_t *)&p->poll)) {
        /* uv_close() takes the fd out of the loop's epoll set now, before it is closed. */
        uv_close((uv_handle_t *)&p->poll, close_cb);
        closing = true;
    }
    if (p->pidfd >= 0) {
        close(p->pidfd);
        p->pidfd = -1;
    }
    return closing;
}
