/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by test_control.c and test_client.c: a control server on a temporary socket whose
 * libuv loop runs in a thread, a few test commands registered into it, and raw socket helpers.
 * Everything here is static inline so that each test includes only what it uses.
 */
#ifndef TEST_CONTROL_HARNESS_H
#define TEST_CONTROL_HARNESS_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "control/control.h"

struct harness {
    uv_loop_t loop;
    uv_async_t stop;
    uv_timer_t later; /* Emits BOOT_DONE a moment after power-on. */
    struct control_server srv;
    pthread_t thread;
    char dir[64];
    char path[128];
    struct control_request *held; /* The request "later" left pending. */
    int quits;                    /* on_quit calls. */
    bool closed;                  /* on_closed ran. */
};

static const char *const harness_modes[] = { "a", "b", NULL };

static const struct control_arg harness_echo_args[] = {
    { .name = "text", .type = CONTROL_ARG_STRING, .max = 16 },
    { .name = "n", .type = CONTROL_ARG_INT, .min = -5, .max = 5 },
    { .name = "flag", .type = CONTROL_ARG_BOOL },
    { .name = "blob", .type = CONTROL_ARG_DATA, .max = 8 },
    { .name = "mode", .type = CONTROL_ARG_ENUM, .values = harness_modes },
    { .name = "obj", .type = CONTROL_ARG_OBJECT },
    { .name = NULL },
};

static const struct control_arg harness_name_args[] = {
    { .name = "name", .type = CONTROL_ARG_STRING, .required = true, .max = 64 },
    { .name = NULL },
};

static const struct control_arg harness_device_args[] = {
    { .name = "device", .type = CONTROL_ARG_STRING, .required = true, .max = 64 },
    { .name = NULL },
};

static const struct control_arg harness_slot_args[] = {
    { .name = "device", .type = CONTROL_ARG_STRING, .required = true, .max = 64 },
    { .name = "slot", .type = CONTROL_ARG_STRING, .required = true, .max = 64 },
    { .name = "path", .type = CONTROL_ARG_STRING, .max = 4096 },
    { .name = NULL },
};

static const struct control_arg harness_flash_args[] = {
    { .name = "device", .type = CONTROL_ARG_STRING, .required = true },
    { .name = "flash", .type = CONTROL_ARG_STRING },
    { .name = "offset", .type = CONTROL_ARG_INT, .required = true, .min = 0, .max = 1 << 20 },
    { .name = "length", .type = CONTROL_ARG_INT, .min = 0, .max = 1 << 20 },
    { .name = "data", .type = CONTROL_ARG_DATA, .max = 1 << 20 },
    { .name = NULL },
};

static inline void harness_echo(struct control_request *req, json_t *args, void *ctx)
{
    (void)ctx;
    control_reply(req, json_incref(args));
}

static inline void harness_fail(struct control_request *req, json_t *args, void *ctx)
{
    (void)args;
    (void)ctx;
    control_reply_error(req, CONTROL_ERR_GENERIC, "it failed");
}

static inline void harness_emit(struct control_request *req, json_t *args, void *ctx)
{
    struct harness *h = ctx;

    control_emit_clock(&h->srv, json_string_value(json_object_get(args, "name")),
                       json_pack("{s:s}", "device", "dev0"), 12345);
    control_reply(req, NULL);
}

static inline void harness_later(struct control_request *req, json_t *args, void *ctx)
{
    struct harness *h = ctx;

    (void)args;
    if (h->held != NULL) {
        control_reply_error(req, CONTROL_ERR_INVALID_STATE, "one at a time");
        return;
    }
    h->held = req;
}

static inline void harness_finish(struct control_request *req, json_t *args, void *ctx)
{
    struct harness *h = ctx;
    bool orphaned;

    (void)args;
    if (h->held == NULL) {
        control_reply_error(req, CONTROL_ERR_INVALID_STATE, "nothing pending");
        return;
    }
    orphaned = control_request_orphaned(h->held);
    control_reply(h->held, json_pack("{s:b}", "late", 1));
    h->held = NULL;
    control_reply(req, json_pack("{s:b}", "orphaned", orphaned));
}

static inline void harness_status(struct control_request *req, json_t *args, void *ctx)
{
    (void)args;
    (void)ctx;
    control_reply(req, json_pack("{s:s, s:[{s:s, s:s}]}", "state", "running", "devices", "name",
                                 "dev0", "state", "off"));
}

static inline void harness_boot_done(uv_timer_t *t)
{
    struct harness *h = t->data;

    control_emit(&h->srv, "BOOT_DONE",
                 json_pack("{s:s, s:s}", "device", "dev0", "version", "1.0.0"));
}

static inline void harness_power_on(struct control_request *req, json_t *args, void *ctx)
{
    struct harness *h = ctx;

    if (strcmp(json_string_value(json_object_get(args, "device")), "dev0") != 0) {
        control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no device '%s'",
                            json_string_value(json_object_get(args, "device")));
        return;
    }
    uv_timer_start(&h->later, harness_boot_done, 300, 0);
    control_reply(req, NULL);
}

static const char *const harness_models[] = { "before", "torn-prefix", NULL };

static const struct control_arg harness_cut_args[] = {
    { .name = "device", .type = CONTROL_ARG_STRING, .required = true, .max = 64 },
    { .name = "now", .type = CONTROL_ARG_BOOL },
    { .name = "at-op", .type = CONTROL_ARG_INT, .min = 0, .max = INT64_MAX },
    { .name = "fault", .type = CONTROL_ARG_ENUM, .values = harness_models },
    { .name = "units", .type = CONTROL_ARG_INT, .min = 0, .max = 1000 },
    { .name = "permille", .type = CONTROL_ARG_INT, .min = 0, .max = 1000 },
    { .name = "seed", .type = CONTROL_ARG_INT, .min = 0, .max = INT64_MAX },
    { .name = NULL },
};

static inline void harness_flash_read(struct control_request *req, json_t *args, void *ctx)
{
    uint8_t buf[64];
    size_t len = (size_t)json_integer_value(json_object_get(args, "length"));
    size_t i;

    (void)ctx;
    if (len > sizeof(buf)) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "at most 64 bytes");
        return;
    }
    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    control_reply(req, json_pack("{s:o}", "data", control_data_json(buf, len)));
}

static inline void harness_flash_write(struct control_request *req, json_t *args, void *ctx)
{
    uint8_t *data;
    size_t len;

    (void)ctx;
    if (control_arg_data(args, "data", &data, &len) < 0) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "no data");
        return;
    }
    free(data);
    control_reply(req, json_pack("{s:I}", "written", (json_int_t)len));
}

static inline void harness_handle_closed(uv_handle_t *handle)
{
    (void)handle;
}

static inline void harness_on_closed(void *ctx)
{
    struct harness *h = ctx;

    h->closed = true;
    uv_close((uv_handle_t *)&h->stop, harness_handle_closed);
    uv_close((uv_handle_t *)&h->later, harness_handle_closed);
}

static inline void harness_on_quit(void *ctx, uint64_t client)
{
    struct harness *h = ctx;

    (void)client;
    h->quits++;
}

static inline void harness_stop_cb(uv_async_t *async)
{
    struct harness *h = async->data;

    control_close(&h->srv, "test over");
}

static inline void *harness_thread(void *arg)
{
    struct harness *h = arg;

    uv_run(&h->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Registers the test commands. */
static inline int harness_register(struct harness *h)
{
    const struct control_command cmds[] = {
        { .name = "echo",
          .args = harness_echo_args,
          .handler = harness_echo,
          .ctx = h,
          .help = "returns its arguments" },
        { .name = "need", .args = harness_name_args, .handler = harness_echo, .ctx = h },
        { .name = "fail", .handler = harness_fail, .ctx = h },
        { .name = "emit", .args = harness_name_args, .handler = harness_emit, .ctx = h },
        { .name = "later", .handler = harness_later, .ctx = h },
        { .name = "finish", .handler = harness_finish, .ctx = h },
        { .name = "query-status", .handler = harness_status, .ctx = h },
        { .name = "power-on", .args = harness_device_args, .handler = harness_power_on, .ctx = h },
        { .name = "image-info", .args = harness_slot_args, .handler = harness_echo, .ctx = h },
        { .name = "image-load", .args = harness_slot_args, .handler = harness_echo, .ctx = h },
        { .name = "flash-read",
          .args = harness_flash_args,
          .handler = harness_flash_read,
          .ctx = h },
        { .name = "flash-write",
          .args = harness_flash_args,
          .handler = harness_flash_write,
          .ctx = h },
        { .name = "power-cut", .args = harness_cut_args, .handler = harness_echo, .ctx = h },
    };
    size_t i;

    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        int rc = control_register(&h->srv, &cmds[i]);

        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * Starts a server with the test commands on DIR/ctl.sock in its own thread; cfg may be NULL
 * (defaults) and its path is ignored. Returns 0 or a negative error.
 */
static inline int harness_start(struct harness *h, const struct control_config *cfg)
{
    static const char *const caps[] = { "events", "async", NULL };
    struct control_config c;
    int rc;

    memset(h, 0, sizeof(*h));
    snprintf(h->dir, sizeof(h->dir), "/tmp/bo-control-XXXXXX");
    if (mkdtemp(h->dir) == NULL) {
        return BO_EOS;
    }
    snprintf(h->path, sizeof(h->path), "%s/ctl.sock", h->dir);
    if (cfg != NULL) {
        c = *cfg;
    } else {
        memset(&c, 0, sizeof(c));
    }
    c.path = h->path;
    c.version = "test-1.0";
    c.capabilities = caps;
    c.on_closed = harness_on_closed;
    c.on_quit = harness_on_quit;
    c.ctx = h;
    /* The engine leaves SIGPIPE to the program's main(); the harness is this test's. */
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&h->loop);
    control_init(&h->srv);
    rc = harness_register(h);
    if (rc == 0) {
        rc = control_setup(&h->srv, &h->loop, &c);
    }
    if (rc < 0) {
        control_free(&h->srv);
        uv_loop_close(&h->loop);
        rmdir(h->dir);
        return rc;
    }
    uv_async_init(&h->loop, &h->stop, harness_stop_cb);
    h->stop.data = h;
    uv_timer_init(&h->loop, &h->later);
    h->later.data = h;
    if (pthread_create(&h->thread, NULL, harness_thread, h) != 0) {
        return BO_EOS;
    }
    return 0;
}

/* Joins the loop thread once the server was told to stop, and frees everything. */
static inline int harness_join(struct harness *h)
{
    int rc;

    pthread_join(h->thread, NULL);
    rc = uv_loop_close(&h->loop);
    control_free(&h->srv);
    rmdir(h->dir);
    return rc == 0 && h->closed ? 0 : BO_EBUSY;
}

/* A raw connection to path; -1 on failure. */
static inline int harness_connect(const char *path)
{
    struct sockaddr_un addr;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        close(fd);
        return -1;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int harness_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static inline int harness_send_str(int fd, const char *s)
{
    return harness_send(fd, s, strlen(s));
}

/* A per-fd line reader: bytes read past the newline are kept for the next call. */
struct harness_reader {
    int fd;
    char buf[1 << 16];
    size_t len;
};

/*
 * Reads one line (without newline) within timeout_ms into a malloc'ed string; NULL on EOF,
 * error or timeout (*eof tells EOF apart when given).
 */
static inline char *harness_read_line(struct harness_reader *r, int timeout_ms, bool *eof)
{
    if (eof != NULL) {
        *eof = false;
    }
    for (;;) {
        char *nl = memchr(r->buf, '\n', r->len);
        struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
        ssize_t n;

        if (nl != NULL) {
            size_t l = (size_t)(nl - r->buf);
            char *line = malloc(l + 1);

            if (line == NULL) {
                return NULL;
            }
            memcpy(line, r->buf, l);
            line[l] = '\0';
            memmove(r->buf, nl + 1, r->len - l - 1);
            r->len -= l + 1;
            return line;
        }
        if (r->len == sizeof(r->buf) || poll(&pfd, 1, timeout_ms) <= 0) {
            return NULL;
        }
        n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
        if (n <= 0) {
            if (eof != NULL) {
                *eof = true;
            }
            return NULL;
        }
        r->len += (size_t)n;
    }
}

/* Reads one line and parses it; NULL on failure. */
static inline json_t *harness_read_json(struct harness_reader *r, int timeout_ms)
{
    char *line = harness_read_line(r, timeout_ms, NULL);
    json_t *v;

    if (line == NULL) {
        return NULL;
    }
    v = json_loads(line, 0, NULL);
    free(line);
    return v;
}

/* Stops the server (SHUTDOWN to every client), joins the thread, frees everything. */
static inline int harness_stop(struct harness *h)
{
    uv_async_send(&h->stop);
    return harness_join(h);
}

#endif /* TEST_CONTROL_HARNESS_H */
