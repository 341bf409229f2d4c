/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "control": control-protocol lines through the whole engine (line framing, JSON
 * parsing, request checks, schema validation, dispatch) into brownoutd's device commands, on a
 * dry-run device: a nrf52840 with its flash in RAM whose firmware never starts (uv_spawn is
 * wrapped at link time to fail), so power-on, reset and the firmware requests take their error
 * paths while flash-read/write/erase, image-info, power-cut arming and the queries run for real.
 *
 * The server listens on a Unix socket in $TMPDIR (or /tmp); one client connection is kept
 * across inputs and reopened when an input closes it (quit). The device's flash and state are
 * put back before every input.
 *
 * Input: bytes sent as they are, then a newline. A sync request follows
 * ({"execute":"query-version","id":"fuzz-sync"}) and the harness reads until its reply.
 *
 * Oracles besides no crash or hang: every line the server sends is a JSON object that is a
 * reply ("return" or "error" with a class and a desc) or an event; the input gets exactly one
 * reply per non-blank line (unless the connection closed); the sync reply comes back; the
 * server survives.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "bo_err.h"
#include "config/daemon_config.h"
#include "control/control.h"
#include "control/control_int.h"
#include "daemon/daemon.h"
#include "daemon/device.h"
#include "fuzz_common.h"

#define FUZZ_CONTROL_SYNC "{\"execute\":\"query-version\",\"id\":\"fuzz-sync\"}\n"
#define FUZZ_CONTROL_OUT_MAX ((size_t)64 * 1024 * 1024)
#define FUZZ_CONTROL_SPINS 200000
/* Spins (about 1 ms each past the first 100) for replies that follow the sync reply. */
#define FUZZ_CONTROL_AWAIT_SPINS 2000

static uv_loop_t fuzz_control_loop;
static struct daemon fuzz_control_daemon;
static struct device fuzz_control_dev;
static char fuzz_control_path[108];
static int fuzz_control_fd = -1;
static uint8_t *fuzz_control_snap[BOARD_MAX_DEVICES];
static uint8_t *fuzz_control_snap_ecc[BOARD_MAX_DEVICES];
static char *fuzz_control_out;
static size_t fuzz_control_out_len;
static size_t fuzz_control_out_cap;

int __real_uv_spawn(uv_loop_t *loop, uv_process_t *handle, const uv_process_options_t *options);
int __wrap_uv_spawn(uv_loop_t *loop, uv_process_t *handle, const uv_process_options_t *options);

/*
 * The dry-run device: its firmware never starts. libuv's own uv_spawn() runs with one stdio
 * entry that inherits fd -1, which it refuses after initialising the handle and before any
 * fork, so the caller's error path (which closes the handle) runs as after a failed spawn.
 */
int __wrap_uv_spawn(uv_loop_t *loop, uv_process_t *handle, const uv_process_options_t *options)
{
    uv_process_options_t o = *options;
    uv_stdio_container_t bad;

    memset(&bad, 0, sizeof(bad));
    bad.flags = UV_INHERIT_FD;
    bad.data.fd = -1;
    o.stdio = &bad;
    o.stdio_count = 1;
    return __real_uv_spawn(loop, handle, &o);
}

static void fuzz_control_emit(void *arg, const char *event, json_t *data, uint64_t clock_ns)
{
    struct daemon *d = arg;

    if (d->control_up) {
        control_emit_clock(&d->control, event, data, clock_ns);
    } else {
        json_decref(data);
    }
}

/* Reads what the server sent; returns false at EOF or on an error other than EAGAIN. */
static bool fuzz_control_drain(void)
{
    for (;;) {
        ssize_t n;

        if (fuzz_control_out_cap - fuzz_control_out_len < 65536) {
            size_t cap = fuzz_control_out_cap == 0 ? 262144 : fuzz_control_out_cap * 2;
            char *p;

            fuzz_check(cap <= FUZZ_CONTROL_OUT_MAX, "the server sent more than 64 MiB");
            p = realloc(fuzz_control_out, cap);
            if (p == NULL) {
                abort();
            }
            fuzz_control_out = p;
            fuzz_control_out_cap = cap;
        }
        n = read(fuzz_control_fd, fuzz_control_out + fuzz_control_out_len,
                 fuzz_control_out_cap - fuzz_control_out_len - 1);
        if (n > 0) {
            fuzz_control_out_len += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return true;
        }
        return false;
    }
}

/* Whether the output holds a complete line with the sync id. */
static bool fuzz_control_synced(void)
{
    fuzz_control_out[fuzz_control_out_len] = '\0';
    return fuzz_control_out_len > 0 && fuzz_control_out[fuzz_control_out_len - 1] == '\n' &&
           strstr(fuzz_control_out, "\"fuzz-sync\"") != NULL;
}

/* Connects the client and reads the greeting. */
static void fuzz_control_connect(void)
{
    struct sockaddr_un sa;
    int spins;

    if (fuzz_control_fd >= 0) {
        close(fuzz_control_fd);
    }
    fuzz_control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fuzz_check(fuzz_control_fd >= 0, "socket()");
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, fuzz_control_path, strlen(fuzz_control_path) + 1);
    fuzz_check(connect(fuzz_control_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
               "cannot connect to the control socket");
    fcntl(fuzz_control_fd, F_SETFL, fcntl(fuzz_control_fd, F_GETFL) | O_NONBLOCK);
    fuzz_control_out_len = 0;
    for (spins = 0; spins < FUZZ_CONTROL_SPINS; spins++) {
        uv_run(&fuzz_control_loop, UV_RUN_NOWAIT);
        fuzz_control_drain();
        if (memchr(fuzz_control_out, '\n', fuzz_control_out_len) != NULL) {
            return;
        }
    }
    fuzz_check(false, "no greeting");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const caps[] = { "fuzz", NULL };
    struct config_device c;
    struct control_config cc;
    const char *tmp = getenv("TMPDIR");
    char err[CONFIG_ERR_MAX];
    uint32_t i;

    (void)argc;
    (void)argv;
    if (fuzz_control_fd >= 0) {
        return 0;
    }
    fuzz_setup_once();
    /* A fixed hash seed: object iteration order must not vary from one process to another. */
    json_object_seed(1);
    uv_loop_init(&fuzz_control_loop);
    daemon_init(&fuzz_control_daemon);
    fuzz_control_daemon.loop = &fuzz_control_loop;

    config_device_init(&c, "dev0");
    snprintf(c.board, sizeof(c.board), "%s/fixtures/boards/nrf52840.ini", fuzz_root());
    c.flash_in_ram = true;
    c.auto_power_on = false;
    device_init(&fuzz_control_dev);
    if (device_setup(&fuzz_control_dev, &fuzz_control_loop, &c, "/nonexistent/brownout-fw",
                     fuzz_control_emit, &fuzz_control_daemon, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: device: %s\n", err);
        abort();
    }
    /* The daemon's device table grows on the heap (daemon_add_device); one slot is enough. */
    fuzz_control_daemon.devices = calloc(1, sizeof(*fuzz_control_daemon.devices));
    if (fuzz_control_daemon.devices == NULL) {
        abort();
    }
    fuzz_control_daemon.devices[0] = &fuzz_control_dev;
    fuzz_control_daemon.device_count = 1;
    fuzz_control_daemon.device_cap = 1;
    for (i = 0; i < fuzz_control_dev.flash_count; i++) {
        const struct device_flash *fl = &fuzz_control_dev.flash[i];

        fuzz_control_snap[i] = malloc(fl->size);
        fuzz_control_snap_ecc[i] = fl->ecc_len > 0 ? malloc(fl->ecc_len) : NULL;
        if (fuzz_control_snap[i] == NULL || (fl->ecc_len > 0 && fuzz_control_snap_ecc[i] == NULL)) {
            abort();
        }
        memcpy(fuzz_control_snap[i], fl->mem, fl->size);
        if (fl->ecc_len > 0) {
            memcpy(fuzz_control_snap_ecc[i], fl->ecc, fl->ecc_len);
        }
    }

    /* The control engine leaves SIGPIPE to main(); this setup is the fuzzer's main. */
    signal(SIGPIPE, SIG_IGN);
    control_init(&fuzz_control_daemon.control);
    if (daemon_cmds_register(&fuzz_control_daemon) != 0) {
        abort();
    }
    snprintf(fuzz_control_path, sizeof(fuzz_control_path), "%s/bo-fuzz-%ld.sock",
             tmp != NULL && strlen(tmp) < 60 ? tmp : "/tmp", (long)getpid());
    memset(&cc, 0, sizeof(cc));
    cc.path = fuzz_control_path;
    cc.version = "fuzz";
    cc.capabilities = caps;
    if (control_setup(&fuzz_control_daemon.control, &fuzz_control_loop, &cc) != 0) {
        fprintf(stderr, "fuzz: cannot listen on %s\n", fuzz_control_path);
        abort();
    }
    fuzz_control_daemon.control_up = true;
    fuzz_control_connect();
    /* The socket file is not needed once connected, until a reconnect: keep it. */
    return 0;
}

/* Puts the device back as it was at start. */
static void fuzz_control_reset_device(void)
{
    struct device *dev = &fuzz_control_dev;
    uint32_t i;

    for (i = 0; i < dev->flash_count; i++) {
        memcpy(dev->flash[i].mem, fuzz_control_snap[i], dev->flash[i].size);
        if (dev->flash[i].ecc_len > 0) {
            memcpy(dev->flash[i].ecc, fuzz_control_snap_ecc[i], dev->flash[i].ecc_len);
        }
        vflash_power_on(&dev->flash[i].vf);
        vflash_reset_counters(&dev->flash[i].vf);
    }
    memset(&dev->cut, 0, sizeof(dev->cut));
    dev->state = DEVICE_OFF;
}

/* Every connection starts unsubscribed from events, whatever an earlier input asked. */
static void fuzz_control_reset_clients(void)
{
    struct control_client *c;

    for (c = fuzz_control_daemon.control.clients; c != NULL; c = c->next) {
        c->subscribed = false;
    }
}

/* Checks every line of the output; returns the number of replies. */
static size_t fuzz_control_check_output(void)
{
    size_t replies = 0;
    char *line = fuzz_control_out;
    char *end = fuzz_control_out + fuzz_control_out_len;

    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        json_error_t jerr;
        json_t *msg;

        fuzz_check(nl != NULL, "a partial line after the sync reply");
        msg = json_loadb(line, (size_t)(nl - line), 0, &jerr);
        fuzz_check(json_is_object(msg), "the server sent a line that is not a JSON object");
        if (json_object_get(msg, "event") != NULL) {
            fuzz_check(json_is_string(json_object_get(msg, "event")), "event name");
        } else if (json_object_get(msg, "error") != NULL) {
            json_t *e = json_object_get(msg, "error");

            fuzz_check(json_is_string(json_object_get(e, "class")) &&
                           json_is_string(json_object_get(e, "desc")),
                       "error reply without class and desc");
            replies++;
        } else {
            fuzz_check(json_object_get(msg, "return") != NULL,
                       "a line that is neither a reply nor an event");
            replies++;
        }
        json_decref(msg);
        line = nl + 1;
    }
    return replies;
}

/* The non-blank lines of the input (each gets one reply). */
static size_t fuzz_control_lines(const uint8_t *data, size_t size)
{
    size_t lines = 0;
    size_t i = 0;

    while (i < size) {
        size_t j = i;
        bool blank = true;

        while (j < size && data[j] != '\n') {
            if (data[j] != ' ' && data[j] != '\t' && data[j] != '\r') {
                blank = false;
            }
            j++;
        }
        if (!blank) {
            lines++;
        }
        i = j + 1;
    }
    return lines;
}

/* Writes all of buf, running the loop while the socket is full. */
static bool fuzz_control_send(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    int spins = 0;

    while (len > 0) {
        ssize_t n = write(fuzz_control_fd, p, len);

        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return false;
        }
        uv_run(&fuzz_control_loop, UV_RUN_NOWAIT);
        if (!fuzz_control_drain()) {
            return false;
        }
        fuzz_check(++spins < FUZZ_CONTROL_SPINS, "the server stopped reading");
    }
    return true;
}

/*
 * Runs the loop until the output holds `expected` replies in whole lines, or the spins run out
 * (the oracle then reports the missing replies). A command that works off the loop (image-load
 * reads its file on libuv's thread pool) may answer after the sync request.
 * \return false if the connection closed.
 */
static bool fuzz_control_await(size_t expected)
{
    struct pollfd pfd = { .fd = fuzz_control_fd, .events = POLLIN };
    int spins;

    for (spins = 0; spins < FUZZ_CONTROL_AWAIT_SPINS; spins++) {
        if (fuzz_control_out[fuzz_control_out_len - 1] == '\n' &&
            fuzz_control_check_output() >= expected) {
            return true;
        }
        /* Give the thread pool a moment: its completion wakes the loop's async handle. */
        (void)poll(&pfd, 1, spins > 100 ? 1 : 0);
        uv_run(&fuzz_control_loop, UV_RUN_NOWAIT);
        if (!fuzz_control_drain()) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool open = true;
    size_t replies;
    int spins;

    if (fuzz_control_fd < 0) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    /* Longer than the line limit would only test the limit: keep inputs below it. */
    if (size >= CONTROL_LINE_MAX) {
        return 0;
    }
    fuzz_control_reset_device();
    fuzz_control_reset_clients();
    fuzz_control_out_len = 0;
    open = fuzz_control_send(data, size) && fuzz_control_send("\n", 1) &&
           fuzz_control_send(FUZZ_CONTROL_SYNC, strlen(FUZZ_CONTROL_SYNC));
    for (spins = 0; open && spins < FUZZ_CONTROL_SPINS; spins++) {
        uv_run(&fuzz_control_loop, UV_RUN_NOWAIT);
        open = fuzz_control_drain();
        if (fuzz_control_synced()) {
            break;
        }
        if (spins > 100) {
            struct pollfd pfd = { .fd = fuzz_control_fd, .events = POLLIN };

            (void)poll(&pfd, 1, 0);
        }
    }
    if (open && fuzz_control_synced()) {
        open = fuzz_control_await(fuzz_control_lines(data, size) + 1);
    }
    if (getenv("FUZZ_VERBOSE") != NULL) {
        fwrite(fuzz_control_out, 1, fuzz_control_out_len, stderr);
    }
    if (open) {
        fuzz_check(fuzz_control_synced(), "no reply to the sync request");
        replies = fuzz_control_check_output();
        fuzz_check(replies == fuzz_control_lines(data, size) + 1,
                   "not exactly one reply per request line");
    } else {
        /* The input closed the connection (quit): what was sent must still parse. */
        while (fuzz_control_out_len > 0 && fuzz_control_out[fuzz_control_out_len - 1] != '\n') {
            fuzz_control_out_len--;
        }
        (void)fuzz_control_check_output();
        fuzz_control_connect();
    }
    return 0;
}
