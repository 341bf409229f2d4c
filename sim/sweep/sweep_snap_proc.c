/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process plumbing of the snapshot layer (see sweep_snap_int.h): the buffers the children
 * fill, the pipes they write them into, and the waits for them.
 */
#include "sweep/sweep_snap_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bo_err.h"

void sweep_snap_put(struct sweep_snap_buf *b, const void *data, size_t len)
{
    if (b->err != 0) {
        return;
    }
    if (len > b->cap - b->len) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        uint8_t *p;

        while (cap - b->len < len) {
            cap *= 2;
        }
        p = realloc(b->data, cap);
        if (p == NULL) {
            b->err = BO_ENOMEM;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

int sweep_snap_write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return BO_EOS;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads what fd has into b. \return 1 at end of file, 0 when more may come, or BO_EOS. */
int sweep_snap_read_some(int fd, struct sweep_snap_buf *b)
{
    uint8_t chunk[16384];
    ssize_t n;

    do {
        n = read(fd, chunk, sizeof(chunk));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return BO_EOS;
    }
    if (n == 0) {
        return 1;
    }
    sweep_snap_put(b, chunk, (size_t)n);
    return b->err;
}

/* Waits for pid. \return Its status as waitpid() gives it, or -1 when it cannot say. */
int sweep_snap_reap(pid_t pid)
{
    int st = 0;
    pid_t r;

    do {
        r = waitpid(pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == ECHILD) {
        /* SIGCHLD is ignored: the child was reaped; its output says whether it finished. */
        return 0;
    }
    return r == pid ? st : -1;
}

/* In a new child: fatal signals kill it (a test framework's handlers would resume tests). */
void sweep_snap_child_signals(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS };
    size_t i;

    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        signal(sigs[i], SIG_DFL);
    }
}

/*
 * Runs fn in a forked copy of this process and returns what it wrote into its buffer.
 * \return 0 (out filled), BO_EOS (no fork, or the copy died), or BO_ENOMEM.
 */
int sweep_snap_fork_call(void (*fn)(void *ctx, struct sweep_snap_buf *b), void *ctx,
                         struct sweep_snap_buf *out)
{
    int fds[2];
    pid_t pid;
    int rc = 0;
    int st;

    if (pipe(fds) != 0) {
        return BO_EOS;
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return BO_EOS;
    }
    if (pid == 0) {
        struct sweep_snap_buf b;

        close(fds[0]);
        sweep_snap_child_signals();
        memset(&b, 0, sizeof(b));
        fn(ctx, &b);
        if (b.err != 0 || sweep_snap_write_all(fds[1], b.data, b.len) != 0) {
            _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    while (rc == 0) {
        rc = sweep_snap_read_some(fds[0], out);
    }
    close(fds[0]);
    st = sweep_snap_reap(pid);
    if (rc == 1) {
        rc = 0;
    }
    if (rc == 0 && (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
        rc = BO_EOS;
    }
    return rc;
}
