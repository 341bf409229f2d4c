/* SPDX-License-Identifier: Apache-2.0 */
/* The spawner: a small process that starts firmware runs as the daemon's children. */
#include "daemon/spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bo_err.h"

/* Bytes of one request: a count, the program and the arguments, each NUL-terminated. */
#define SPAWNER_MSG_MAX 65536
/* Most arguments of one request. */
#define SPAWNER_ARGS_MAX 256
/* The first descriptor a run gets from the request. */
#define SPAWNER_FIRST_FD 3

/* A request as the spawner received it. */
struct spawner_req {
    char buf[SPAWNER_MSG_MAX];
    char *argv[SPAWNER_ARGS_MAX + 1];
    int fds[SPAWNER_MAX_FDS];
    int fd_count;
};

/* Writes one line to descriptor fd, ignoring errors (the daemon may be gone). */
static void spawner_note(int fd, const char *key, long value)
{
    char line[64];
    int n = snprintf(line, sizeof(line), "{\"%s\": %ld}\n", key, value);

    if (write(fd, line, (size_t)n) < 0) {
        return;
    }
}

/* In the new run: its descriptors, session and signals, its pid to the daemon, then exec. */
static void spawner_child(struct spawner_req *r)
{
    sigset_t none;
    int i;

    for (i = 0; i < r->fd_count; i++) {
        /* Above every target first, so that no dup2 below overwrites a source. */
        r->fds[i] = fcntl(r->fds[i], F_DUPFD_CLOEXEC, SPAWNER_FIRST_FD + r->fd_count);
        if (r->fds[i] < 0) {
            _exit(127);
        }
    }
    for (i = 0; i < r->fd_count; i++) {
        if (dup2(r->fds[i], SPAWNER_FIRST_FD + i) < 0) {
            _exit(127);
        }
    }
    i = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (i < 0 || dup2(i, 0) < 0) {
        _exit(127);
    }
    (void)setsid();
    for (i = 1; i < NSIG; i++) {
        (void)signal(i, SIG_DFL);
    }
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    spawner_note(SPAWNER_FIRST_FD, "spawned", (long)getpid());
    execvp(r->argv[0], &r->argv[1]);
    spawner_note(SPAWNER_FIRST_FD, "spawn-error", (long)errno);
    _exit(127);
}

/* Splits a received request into its program, arguments and descriptors. \return 0 or -1. */
static int spawner_parse(struct spawner_req *r, size_t len, struct msghdr *msg)
{
    struct cmsghdr *c = CMSG_FIRSTHDR(msg);
    size_t off = 0;
    int n = 0;

    r->fd_count = 0;
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        r->fd_count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        memcpy(r->fds, CMSG_DATA(c), (size_t)r->fd_count * sizeof(int));
    }
    while (off < len && n < SPAWNER_ARGS_MAX) {
        char *end = memchr(r->buf + off, '\0', len - off);

        if (end == NULL) {
            return -1;
        }
        r->argv[n++] = r->buf + off;
        off = (size_t)(end - r->buf) + 1;
    }
    r->argv[n] = NULL;
    return n >= 2 && off == len ? 0 : -1;
}

/* The spawner's life: one request at a time until the daemon closes the socket. */
static void spawner_main(int sock, pid_t daemon)
{
    union {
        char buf[CMSG_SPACE(SPAWNER_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct spawner_req *r = malloc(sizeof(*r));

    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    (void)prctl(PR_SET_NAME, "bo-spawner");
    if (r == NULL || getppid() != daemon) {
        _exit(0);
    }
    for (;;) {
        struct iovec iov = { r->buf, sizeof(r->buf) };
        struct msghdr msg = { 0 };
        ssize_t n;

        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl.buf;
        msg.msg_controllen = sizeof(ctl.buf);
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            _exit(0);
        }
        if (spawner_parse(r, (size_t)n, &msg) == 0 &&
            syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0) == 0) {
            spawner_child(r);
        }
        for (int i = 0; i < r->fd_count; i++) {
            close(r->fds[i]);
        }
    }
}

void spawner_init(struct spawner *s)
{
    memset(s, 0, sizeof(*s));
    s->sock = -1;
    s->pidfd = -1;
}

/* The spawner's pidfd is readable: it exited. Reaps it and says so in one line. */
static void spawner_exit_cb(uv_poll_t *h, int status, int events)
{
    struct spawner *s = h->data;
    siginfo_t si;

    (void)status;
    (void)events;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PIDFD, (id_t)s->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0) {
        return;
    }
    if (si.si_code == CLD_EXITED) {
        fprintf(stderr,
                "brownoutd: the spawner process (pid %d) exited with status %d; brownoutd "
                "starts firmware runs itself from now on\n",
                s->pid, si.si_status);
    } else {
        fprintf(stderr,
                "brownoutd: the spawner process (pid %d) was killed by %s; brownoutd starts "
                "firmware runs itself from now on\n",
                s->pid, strsignal(si.si_status));
    }
    s->pid = 0;
    spawner_stop(s);
}

int spawner_start(struct spawner *s, uv_loop_t *loop)
{
    pid_t daemon = getpid();
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        return BO_EOS;
    }
    pid = fork();
    if (pid == 0) {
        /* Nothing of the daemon but stdio and the socket. */
        close(sv[0]);
        (void)close_range(3, (unsigned)sv[1] - 1, 0);
        (void)close_range((unsigned)sv[1] + 1, ~0u, 0);
        spawner_main(sv[1], daemon);
        _exit(0);
    }
    close(sv[1]);
    s->pidfd = pid > 0 ? pidfd_open(pid, 0) : -1;
    if (s->pidfd < 0 || uv_poll_init(loop, &s->poll, s->pidfd) < 0) {
        close(sv[0]);
        if (pid > 0) {
            (void)kill(pid, SIGKILL);
            (void)waitpid(pid, NULL, 0);
        }
        if (s->pidfd >= 0) {
            close(s->pidfd);
        }
        spawner_init(s);
        return BO_EOS;
    }
    s->polling = true;
    s->poll.data = s;
    (void)uv_poll_start(&s->poll, UV_READABLE, spawner_exit_cb);
    /* It must not keep the loop alive: the daemon stops when its devices and clients do. */
    uv_unref((uv_handle_t *)&s->poll);
    s->sock = sv[0];
    s->pid = (int)pid;
    s->up = true;
    return 0;
}

/* Lays the request out: the program, then the arguments. \return Its length, or 0. */
static size_t spawner_pack(char *buf, size_t room, const char *file, char *const argv[])
{
    size_t len = 0;

    for (int i = -1; i < 0 || argv[i] != NULL; i++) {
        const char *arg = i < 0 ? file : argv[i];
        size_t n = strlen(arg) + 1;

        if (i >= SPAWNER_ARGS_MAX - 1 || n > room - len) {
            return 0;
        }
        memcpy(buf + len, arg, n);
        len += n;
    }
    return len;
}

int spawner_spawn(struct spawner *s, const char *file, char *const argv[], const int *fds,
                  int fd_count)
{
    union {
        char buf[CMSG_SPACE(SPAWNER_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = { 0 };
    struct iovec iov;
    struct cmsghdr *c;
    char *buf;
    ssize_t sent;

    if (!s->up) {
        return BO_ESTATE;
    }
    buf = malloc(SPAWNER_MSG_MAX);
    if (buf == NULL || fd_count < 1 || fd_count > SPAWNER_MAX_FDS ||
        (iov.iov_len = spawner_pack(buf, SPAWNER_MSG_MAX, file, argv)) == 0) {
        free(buf);
        return BO_EINVAL;
    }
    iov.iov_base = buf;
    memset(&ctl, 0, sizeof(ctl));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = CMSG_SPACE((size_t)fd_count * sizeof(int));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN((size_t)fd_count * sizeof(int));
    memcpy(CMSG_DATA(c), fds, (size_t)fd_count * sizeof(int));
    do {
        sent = sendmsg(s->sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    free(buf);
    if (sent < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == ETOOMANYREFS)) {
        /* Requests queue faster than the spawner takes them: this one is started directly. */
        return BO_EBUSY;
    }
    if (sent < 0) {
        /* A dead spawner: the daemon starts runs itself from now on. */
        fprintf(stderr,
                "brownoutd: the spawner process (pid %d) takes no request (%s); "
                "brownoutd starts firmware runs itself from now on\n",
                s->pid, strerror(errno));
        spawner_stop(s);
        return BO_EOS;
    }
    s->spawns++;
    return 0;
}

void spawner_stop(struct spawner *s)
{
    s->up = false;
    if (s->sock >= 0) {
        close(s->sock);
        s->sock = -1;
    }
    if (s->pid > 0 && s->pidfd >= 0) {
        /* Closing the socket ends it too; the kill makes it certain before the reap. */
        (void)pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
        /* By pid: libuv made the pidfd non-blocking, so waitid on it would not wait. */
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        s->pid = 0;
    }
    if (s->polling && !uv_is_closing((uv_handle_t *)&s->poll)) {
        uv_close((uv_handle_t *)&s->poll, NULL);
    }
    if (s->pidfd >= 0) {
        close(s->pidfd);
        s->pidfd = -1;
    }
}

json_t *spawner_json(const struct spawner *s)
{
    return json_pack("{s:i, s:I, s:I}", "pid", s->pid, "spawns", (json_int_t)s->spawns, "direct",
                     (json_int_t)s->direct);
}
