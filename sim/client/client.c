/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The blocking control client: a Unix stream socket read with poll() against a deadline, lines
 * split as they arrive, replies matched by id.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"

/* The longest line accepted from the daemon (a flash read of a few MiB in base64 fits). */
#define CLIENT_LINE_MAX ((size_t)64 * 1024 * 1024)

void client_init(struct client_conn *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->next_id = 1;
}

void client_free(struct client_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->buf);
    json_decref(c->greeting);
    json_decref(c->events);
    client_init(c);
}

const char *client_socket_path(const char *opt, char *buf, size_t len)
{
    const char *env = getenv("BROWNOUT_SOCKET");
    int n;

    if (opt != NULL) {
        n = snprintf(buf, len, "%s", opt);
    } else if (env != NULL && env[0] != '\0') {
        n = snprintf(buf, len, "%s", env);
    } else {
        n = snprintf(buf, len, "brownout.sock");
    }
    return n < 0 || (size_t)n >= len ? NULL : buf;
}

static long long client_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (-1: none) for poll(). */
static int client_left(long long deadline)
{
    long long left;

    if (deadline < 0) {
        return -1;
    }
    left = deadline - client_now_ms();
    return left < 0 ? 0 : (int)(left > 1000000000 ? 1000000000 : left);
}

static long long client_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : client_now_ms() + timeout_ms;
}

/* Writes all of buf before the deadline. */
static int client_write_all(struct client_conn *c, const char *buf, size_t len, long long deadline)
{
    while (len > 0) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
        ssize_t n;
        int rc = poll(&pfd, 1, client_left(deadline));

        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return BO_EOS;
        }
        if (rc == 0) {
            return BO_ETIMEDOUT;
        }
        n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0) {
            return BO_EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads the next line and parses it as a JSON object. */
static int client_read_message(struct client_conn *c, long long deadline, json_t **msg)
{
    *msg = NULL;
    for (;;) {
        char *nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL;
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        ssize_t n;
        int rc;

        if (nl != NULL) {
            size_t line_len = (size_t)(nl - c->buf);
            json_t *m = json_loadb(c->buf, line_len, 0, NULL);

            memmove(c->buf, nl + 1, c->len - line_len - 1);
            c->len -= line_len + 1;
            if (!json_is_object(m)) {
                json_decref(m);
                return BO_EPROTO;
            }
            *msg = m;
            return 0;
        }
        if (c->len == c->cap) {
            size_t cap = c->cap == 0 ? 65536 : c->cap * 2;
            char *grown;

            if (cap > CLIENT_LINE_MAX) {
                return BO_EPROTO;
            }
            grown = realloc(c->buf, cap);
            if (grown == NULL) {
                return BO_ENOMEM;
            }
            c->buf = grown;
            c->cap = cap;
        }
        rc = poll(&pfd, 1, client_left(deadline));
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return BO_EOS;
        }
        if (rc == 0) {
            return BO_ETIMEDOUT;
        }
        n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            return BO_EIO;
        }
        c->len += (size_t)n;
    }
}

int client_connect(struct client_conn *c, const char *path, int timeout_ms)
{
    long long deadline = client_deadline(timeout_ms);
    struct sockaddr_un addr;
    json_t *msg = NULL;
    json_t *hello;
    int rc;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        return BO_ENOENT;
    }
    c->events = json_array();
    if (c->events == NULL) {
        return BO_ENOMEM;
    }
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        return BO_EOS;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        rc = errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR ? BO_ENOENT : BO_EOS;
        close(c->fd);
        c->fd = -1;
        return rc;
    }
    rc = client_read_message(c, deadline, &msg);
    if (rc == BO_EIO) {
        rc = BO_ENOENT;
    }
    if (rc < 0) {
        return rc;
    }
    hello = json_object_get(msg, "brownout");
    if (!json_is_object(hello)) {
        json_decref(msg);
        return BO_EPROTO;
    }
    c->greeting = json_incref(hello);
    json_decref(msg);
    return 0;
}

/* Reads until a message that is not an event and satisfies match (id), keeping events. */
static int client_await_reply(struct client_conn *c, const json_t *id, long long deadline,
                              json_t **reply)
{
    for (;;) {
        json_t *msg;
        int rc = client_read_message(c, deadline, &msg);

        if (rc < 0) {
            return rc;
        }
        if (json_object_get(msg, "event") != NULL) {
            if (json_array_append_new(c->events, msg) != 0) {
                return BO_ENOMEM;
            }
            continue;
        }
        if (id == NULL || json_equal(json_object_get(msg, "id"), (json_t *)id) ||
            json_object_get(msg, "id") == NULL) {
            *reply = msg;
            return 0;
        }
        json_decref(msg);
    }
}

int client_execute(struct client_conn *c, const char *name, json_t *args, int timeout_ms,
                   json_t **reply)
{
    long long deadline = client_deadline(timeout_ms);
    json_t *req;
    json_t *id;
    char *line = NULL;
    size_t len;
    int rc;

    *reply = NULL;
    id = json_integer(c->next_id++);
    req = json_pack("{s:s, s:o, s:O}", "execute", name, "arguments",
                    args != NULL ? args : json_object(), "id", id);
    if (req == NULL) {
        json_decref(id);
        return BO_ENOMEM;
    }
    line = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (line == NULL) {
        json_decref(id);
        return BO_ENOMEM;
    }
    len = strlen(line);
    line[len] = '\n';
    rc = client_write_all(c, line, len + 1, deadline);
    free(line);
    if (rc == 0) {
        rc = client_await_reply(c, id, deadline, reply);
    }
    json_decref(id);
    return rc;
}

int client_raw(struct client_conn *c, const char *line, int timeout_ms, json_t **reply)
{
    long long deadline = client_deadline(timeout_ms);
    int rc;

    *reply = NULL;
    if (strchr(line, '\n') != NULL) {
        return BO_EINVAL;
    }
    rc = client_write_all(c, line, strlen(line), deadline);
    if (rc == 0) {
        rc = client_write_all(c, "\n", 1, deadline);
    }
    if (rc == 0) {
        rc = client_await_reply(c, NULL, deadline, reply);
    }
    return rc;
}

int client_next_event(struct client_conn *c, int timeout_ms, json_t **event)
{
    long long deadline = client_deadline(timeout_ms);

    *event = NULL;
    for (;;) {
        json_t *msg;
        int rc;

        if (json_array_size(c->events) > 0) {
            *event = json_incref(json_array_get(c->events, 0));
            json_array_remove(c->events, 0);
            return 0;
        }
        rc = client_read_message(c, deadline, &msg);
        if (rc < 0) {
            return rc;
        }
        if (json_object_get(msg, "event") != NULL) {
            *event = msg;
            return 0;
        }
        /* A late reply (to a request that timed out) is not an event. */
        json_decref(msg);
    }
}
