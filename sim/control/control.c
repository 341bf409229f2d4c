/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control server: the listening Unix socket, clients, line framing, output queues with a
 * limit, events and the shutdown. Requests themselves are handled in control_dispatch.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/control_event.h"
#include "control/control_int.h"
#include "port/port_log.h"

#define CONTROL_BACKLOG 128

/* One queued output line. */
struct control_write {
    uv_write_t req;
    struct control_client *client;
    size_t len;
    char data[];
};

void control_init(struct control_server *srv)
{
    memset(srv, 0, sizeof(*srv));
    srv->state = CONTROL_STATE_IDLE;
}

int control_register(struct control_server *srv, const struct control_command *cmd)
{
    struct control_command *grown;

    if (control_schema_check(cmd) < 0) {
        return BO_EINVAL;
    }
    if (control_dispatch_find(srv, cmd->name) != NULL) {
        return BO_EEXIST;
    }
    if (srv->n_commands == srv->cap_commands) {
        size_t cap = srv->cap_commands == 0 ? 16 : srv->cap_commands * 2;

        grown = realloc(srv->commands, cap * sizeof(*grown));
        if (grown == NULL) {
            return BO_ENOMEM;
        }
        srv->commands = grown;
        srv->cap_commands = cap;
    }
    srv->commands[srv->n_commands++] = *cmd;
    return 0;
}

/* ---- Shutdown bookkeeping. */

static void control_maybe_closed(struct control_server *srv)
{
    if (srv->state != CONTROL_STATE_CLOSING || srv->listener_open || srv->clients != NULL) {
        return;
    }
    srv->state = CONTROL_STATE_CLOSED;
    if (srv->config.on_closed != NULL) {
        srv->config.on_closed(srv->config.ctx);
    }
}

static void control_listener_closed(uv_handle_t *handle)
{
    struct control_server *srv = handle->data;

    srv->listener_open = false;
    control_maybe_closed(srv);
}

/* ---- Clients. */

static void control_client_handle_closed(uv_handle_t *handle)
{
    struct control_client *client = handle->data;
    struct control_server *srv = client->srv;

    if (--client->handles_open > 0) {
        return;
    }
    if (client->prev != NULL) {
        client->prev->next = client->next;
    } else {
        srv->clients = client->next;
    }
    if (client->next != NULL) {
        client->next->prev = client->prev;
    }
    srv->n_clients--;
    free(client->line);
    free(client);
    control_maybe_closed(srv);
}

static void control_client_close_handles(struct control_client *client)
{
    if (!uv_is_closing((uv_handle_t *)&client->pipe)) {
        uv_close((uv_handle_t *)&client->pipe, control_client_handle_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&client->flush_timer)) {
        uv_close((uv_handle_t *)&client->flush_timer, control_client_handle_closed);
    }
}

static void control_client_shutdown_done(uv_shutdown_t *req, int status)
{
    (void)status;
    control_client_close_handles(req->handle->data);
}

static void control_client_flush_expired(uv_timer_t *timer)
{
    control_client_close_handles(timer->data);
}

void control_client_close(struct control_client *client, bool flush)
{
    struct control_request *req;
    struct control_request *next;

    if (client->closing) {
        return;
    }
    client->closing = true;
    uv_read_stop((uv_stream_t *)&client->pipe);
    /* Requests still running lose their client: their replies will be dropped. */
    for (req = client->pending; req != NULL; req = next) {
        next = req->next;
        req->client = NULL;
        req->next = NULL;
        req->prev = NULL;
    }
    client->pending = NULL;
    if (flush && uv_shutdown(&client->shutdown_req, (uv_stream_t *)&client->pipe,
                             control_client_shutdown_done) == 0) {
        uv_timer_start(&client->flush_timer, control_client_flush_expired,
                       client->srv->config.flush_ms, 0);
        return;
    }
    control_client_close_handles(client);
}

static void control_client_written(uv_write_t *req, int status)
{
    struct control_write *w = (struct control_write *)req;
    struct control_client *client = w->client;

    client->queued -= w->len;
    free(w);
    if (status < 0 && status != UV_ECANCELED) {
        control_client_close(client, false);
    }
}

void control_client_send(struct control_client *client, const json_t *msg)
{
    struct control_server *srv = client->srv;
    struct control_write *w;
    size_t size;
    size_t backlog;
    uv_buf_t buf;

    if (client->closing) {
        return;
    }
    size = json_dumpb(msg, NULL, 0, JSON_COMPACT);
    if (size == 0) {
        return;
    }
    backlog = uv_stream_get_write_queue_size((uv_stream_t *)&client->pipe);
    if (backlog > srv->config.max_queue || size + 1 > srv->config.max_queue - backlog) {
        srv->dropped_clients++;
        port_log(PORT_LOG_WARN, "control",
                 "client %llu dropped: it does not read its output (%zu bytes queued, limit %zu)",
                 (unsigned long long)client->id, backlog, srv->config.max_queue);
        control_client_close(client, false);
        return;
    }
    w = malloc(sizeof(*w) + size + 1);
    if (w == NULL) {
        control_client_close(client, false);
        return;
    }
    (void)json_dumpb(msg, w->data, size, JSON_COMPACT);
    w->data[size] = '\n';
    w->len = size + 1;
    w->client = client;
    buf = uv_buf_init(w->data, (unsigned int)w->len);
    if (uv_write(&w->req, (uv_stream_t *)&client->pipe, &buf, 1, control_client_written) < 0) {
        free(w);
        control_client_close(client, false);
        return;
    }
    client->queued += w->len;
}

/* One complete line: blank lines are ignored, anything else gets exactly one reply. */
static void control_client_line(struct control_client *client, const char *line, size_t len)
{
    size_t i;

    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    for (i = 0; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            control_dispatch_line(client, line, len);
            return;
        }
    }
}

/* Appends to the carried-over line; the caller has checked the limit. */
static int control_client_append(struct control_client *client, const char *p, size_t n)
{
    if (client->line_len + n > client->line_cap) {
        size_t cap = client->line_cap == 0 ? 4096 : client->line_cap;
        char *grown;

        while (cap < client->line_len + n) {
            cap *= 2;
        }
        grown = realloc(client->line, cap);
        if (grown == NULL) {
            return BO_ENOMEM;
        }
        client->line = grown;
        client->line_cap = cap;
    }
    memcpy(client->line + client->line_len, p, n);
    client->line_len += n;
    return 0;
}

static void control_client_too_long(struct control_client *client)
{
    char desc[96];

    snprintf(desc, sizeof(desc), "line longer than %zu bytes; closing the connection",
             client->srv->config.max_line);
    control_dispatch_error(client, NULL, CONTROL_ERR_PARSE, desc);
    control_client_close(client, true);
}

static void control_client_input(struct control_client *client, const char *p, size_t n)
{
    size_t max_line = client->srv->config.max_line;

    while (n > 0 && !client->closing) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl != NULL ? (size_t)(nl - p) : n;

        if (seg > max_line || client->line_len > max_line - seg) {
            control_client_too_long(client);
            return;
        }
        if (nl == NULL) {
            if (control_client_append(client, p, seg) < 0) {
                control_client_close(client, false);
            }
            return;
        }
        if (client->line_len == 0) {
            control_client_line(client, p, seg);
        } else {
            if (control_client_append(client, p, seg) < 0) {
                control_client_close(client, false);
                return;
            }
            control_client_line(client, client->line, client->line_len);
            client->line_len = 0;
            /* Do not keep a huge buffer for an idle client. */
            if (client->line_cap > 65536) {
                free(client->line);
                client->line = NULL;
                client->line_cap = 0;
            }
        }
        p += seg + 1;
        n -= seg + 1;
    }
}

static void control_client_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct control_client *client = handle->data;

    (void)suggested;
    *buf = uv_buf_init(client->rbuf, sizeof(client->rbuf));
}

static void control_client_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct control_client *client = stream->data;

    if (nread > 0) {
        control_client_input(client, buf->base, (size_t)nread);
        return;
    }
    if (nread == UV_EOF) {
        /* A last line without its newline still counts; then the replies are flushed. */
        if (client->line_len > 0 && !client->closing) {
            control_client_line(client, client->line, client->line_len);
            client->line_len = 0;
        }
        control_client_close(client, true);
    } else if (nread < 0) {
        control_client_close(client, false);
    }
}

static void control_client_greet(struct control_client *client)
{
    struct control_server *srv = client->srv;
    const char *const *cap;
    json_t *caps = json_array();
    json_t *msg;

    for (cap = srv->config.capabilities; caps != NULL && cap != NULL && *cap != NULL; cap++) {
        json_array_append_new(caps, json_string(*cap));
    }
    msg = json_pack("{s:{s:s, s:i, s:o*}}", "brownout", "version", srv->config.version, "protocol",
                    CONTROL_PROTOCOL, "capabilities", caps);
    if (msg != NULL) {
        control_client_send(client, msg);
        json_decref(msg);
    }
}

static void control_on_connection(uv_stream_t *listener, int status)
{
    struct control_server *srv = listener->data;
    struct control_client *client;

    if (status < 0 || srv->state != CONTROL_STATE_RUNNING) {
        return;
    }
    client = calloc(1, sizeof(*client));
    if (client == NULL) {
        port_log(PORT_LOG_ERROR, "control", "out of memory accepting a client");
        return;
    }
    client->srv = srv;
    client->id = ++srv->next_client_id;
    uv_pipe_init(srv->loop, &client->pipe, 0);
    uv_timer_init(srv->loop, &client->flush_timer);
    client->pipe.data = client;
    client->flush_timer.data = client;
    client->handles_open = 2;
    client->next = srv->clients;
    if (srv->clients != NULL) {
        srv->clients->prev = client;
    }
    srv->clients = client;
    srv->n_clients++;
    if (uv_accept(listener, (uv_stream_t *)&client->pipe) < 0) {
        control_client_close(client, false);
        return;
    }
    if (srv->n_clients > srv->config.max_clients) {
        control_dispatch_error(client, NULL, CONTROL_ERR_GENERIC, "too many clients");
        control_client_close(client, true);
        return;
    }
    control_client_greet(client);
    if (uv_read_start((uv_stream_t *)&client->pipe, control_client_alloc, control_client_read) <
        0) {
        control_client_close(client, false);
    }
}

/* ---- Events. */

void control_emit_clock(struct control_server *srv, const char *name, json_t *data,
                        uint64_t device_clock_ns)
{
    struct control_client *client;
    struct control_event_clock clock;
    json_t *msg;

    if (srv->state != CONTROL_STATE_RUNNING) {
        json_decref(data);
        return;
    }
    control_event_clock_now(&clock, device_clock_ns);
    msg = control_event_new(name, data, &clock);
    if (msg == NULL) {
        port_log(PORT_LOG_ERROR, "control", "could not build event %s", name);
        return;
    }
    for (client = srv->clients; client != NULL; client = client->next) {
        if (client->subscribed && !client->closing) {
            control_client_send(client, msg);
        }
    }
    json_decref(msg);
}

void control_emit(struct control_server *srv, const char *name, json_t *data)
{
    control_emit_clock(srv, name, data, UINT64_MAX);
}

/* ---- The listening socket. */

/* Refuses a live socket or a file that is not a socket; removes a stale socket. */
static int control_socket_prepare(const char *path)
{
    struct sockaddr_un addr;
    struct stat st;
    int fd;
    int rc;

    if (lstat(path, &st) < 0) {
        return errno == ENOENT ? 0 : BO_EOS;
    }
    if (!S_ISSOCK(st.st_mode)) {
        return BO_EEXIST;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return BO_EOS;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    close(fd);
    if (rc == 0) {
        return BO_EBUSY;
    }
    if (errno != ECONNREFUSED) {
        return BO_EOS;
    }
    port_log(PORT_LOG_INFO, "control", "removing stale socket %s", path);
    return unlink(path) < 0 && errno != ENOENT ? BO_EOS : 0;
}

/* A bound, listening socket of mode 0600 at path, or a negative error. */
static int control_socket_listen(const char *path, int *out)
{
    struct sockaddr_un addr;
    mode_t old_mask;
    int fd;
    int rc;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return BO_EOS;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    /* The umask makes the file private from its creation, chmod makes sure of the mode. */
    old_mask = umask(0177);
    rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old_mask);
    if (rc < 0) {
        rc = errno == EADDRINUSE ? BO_EBUSY : BO_EOS;
        close(fd);
        return rc;
    }
    if (chmod(path, 0600) < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
        unlink(path);
        close(fd);
        return BO_EOS;
    }
    *out = fd;
    return 0;
}

int control_setup(struct control_server *srv, uv_loop_t *loop, const struct control_config *cfg)
{
    struct sockaddr_un addr;
    int fd = -1;
    int rc;

    if (srv->state != CONTROL_STATE_IDLE || srv->path != NULL) {
        return BO_ESTATE;
    }
    if (loop == NULL || cfg == NULL || cfg->path == NULL || cfg->path[0] == '\0' ||
        cfg->version == NULL || strlen(cfg->path) >= sizeof(addr.sun_path)) {
        return BO_EINVAL;
    }
    srv->config = *cfg;
    if (srv->config.max_clients == 0) {
        srv->config.max_clients = CONTROL_CLIENTS_DEFAULT;
    }
    if (srv->config.max_queue == 0) {
        srv->config.max_queue = CONTROL_QUEUE_DEFAULT;
    }
    if (srv->config.max_line == 0) {
        srv->config.max_line = CONTROL_LINE_MAX;
    }
    if (srv->config.flush_ms == 0) {
        srv->config.flush_ms = CONTROL_FLUSH_MS_DEFAULT;
    }
    rc = control_socket_prepare(cfg->path);
    if (rc < 0) {
        return rc;
    }
    rc = control_socket_listen(cfg->path, &fd);
    if (rc < 0) {
        return rc;
    }
    srv->path = strdup(cfg->path);
    if (srv->path == NULL) {
        unlink(cfg->path);
        close(fd);
        return BO_ENOMEM;
    }
    srv->loop = loop;
    uv_pipe_init(loop, &srv->listener, 0);
    srv->listener.data = srv;
    srv->listener_open = true;
    srv->state = CONTROL_STATE_RUNNING;
    if (uv_pipe_open(&srv->listener, fd) < 0) {
        close(fd);
        control_close(srv, "setup failed");
        return BO_EOS;
    }
    if (uv_listen((uv_stream_t *)&srv->listener, CONTROL_BACKLOG, control_on_connection) < 0) {
        control_close(srv, "setup failed");
        return BO_EOS;
    }
    return 0;
}

void control_close(struct control_server *srv, const char *reason)
{
    struct control_client *client;
    struct control_event_clock clock;
    json_t *msg;

    if (srv->state != CONTROL_STATE_RUNNING) {
        return;
    }
    control_event_clock_now(&clock, CONTROL_EVENT_NO_DEVICE_CLOCK);
    msg = control_event_new(
        "SHUTDOWN", json_pack("{s:s}", "reason", reason != NULL ? reason : "shutdown"), &clock);
    srv->state = CONTROL_STATE_CLOSING;
    for (client = srv->clients; client != NULL; client = client->next) {
        if (msg != NULL) {
            control_client_send(client, msg);
        }
        control_client_close(client, true);
    }
    json_decref(msg);
    uv_close((uv_handle_t *)&srv->listener, control_listener_closed);
    if (srv->path != NULL) {
        unlink(srv->path);
    }
    control_maybe_closed(srv);
}

bool control_closed(const struct control_server *srv)
{
    return srv->state == CONTROL_STATE_IDLE || srv->state == CONTROL_STATE_CLOSED;
}

size_t control_client_count(const struct control_server *srv)
{
    return srv->n_clients;
}

void control_free(struct control_server *srv)
{
    if (!control_closed(srv)) {
        port_log(PORT_LOG_ERROR, "control", "control_free() on a server still open; leaked");
        return;
    }
    free(srv->commands);
    free(srv->path);
    control_init(srv);
}
