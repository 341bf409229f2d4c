/* SPDX-License-Identifier: Apache-2.0 */
/* The runner's application phase: daemon pipe, DTLS server and OTA app on one libuv loop. */
#include "fw/fw_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bo_err.h"
#include "control/control_event.h"
#include "dtls/dtls_server.h"
#include "fw/fw.h"
#include "dtls/link_fault.h"
#include "ota/ota_app.h"

/* Everything of the application phase. */
struct fw_app {
    const struct fw_app_args *args;
    const struct fw_app_host *host;
    uv_loop_t loop;
    uv_pipe_t pipe;
    uv_timer_t timer;
    struct dtls_server dtls;
    struct ota_app ota;
    bool dtls_up; /* dtls_server_setup() succeeded. */
    bool ota_up;  /* ota_app_setup() succeeded. */
    bool stopping;
    int port;
    char *line;
    size_t line_len;
    bool line_overflow;
};

static uint64_t fw_app_now(struct fw_app *app)
{
    return uv_now(&app->loop);
}

static void fw_app_send(struct fw_app *app, json_t *msg)
{
    if (msg != NULL) {
        app->host->send(app->host->ctx, msg);
    }
}

static void fw_app_event(struct fw_app *app, const char *name, json_t *data)
{
    fw_app_send(app, control_event_new(name, data, NULL));
}

static void fw_app_timer_cb(uv_timer_t *t);

/* Arms the timer for the OTA app's next deadline (retransmissions, expiry). */
static void fw_app_schedule(struct fw_app *app)
{
    uint64_t deadline;
    uint64_t now = fw_app_now(app);

    if (!app->ota_up || app->stopping) {
        return;
    }
    deadline = ota_app_next_deadline(&app->ota);
    if (deadline == UINT64_MAX) {
        uv_timer_stop(&app->timer);
        return;
    }
    uv_timer_start(&app->timer, fw_app_timer_cb, deadline > now ? deadline - now : 0, 0);
}

static void fw_app_timer_cb(uv_timer_t *t)
{
    struct fw_app *app = t->data;

    ota_app_tick(&app->ota, fw_app_now(app));
    app->host->check_power(app->host->ctx);
    fw_app_schedule(app);
}

/* ---- DTLS <-> OTA. ---- */

static void fw_app_on_data(void *ctx, uint32_t session, const uint8_t *buf, size_t len)
{
    struct fw_app *app = ctx;

    if (!app->ota_up || app->stopping) {
        return;
    }
    ota_app_input(&app->ota, session, buf, len, fw_app_now(app));
    app->host->check_power(app->host->ctx);
    fw_app_schedule(app);
}

static void fw_app_on_close(void *ctx, uint32_t session)
{
    struct fw_app *app = ctx;

    if (app->ota_up) {
        ota_app_peer_gone(&app->ota, session);
    }
}

static int fw_app_ota_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct fw_app *app = ctx;

    return app->dtls_up ? dtls_server_send(&app->dtls, peer, buf, len) : BO_ESTATE;
}

static void fw_app_ota_reboot(void *ctx)
{
    fw_app_event(ctx, "RESET_REQUEST", json_pack("{s:s}", "reason", "reboot"));
}

/* ---- Requests from the daemon. ---- */

static json_t *fw_app_status_json(struct fw_app *app)
{
    struct dtls_server_stats st;
    const struct link_fault_config *lf = NULL;
    char link[CONFIG_LINK_MAX];
    json_t *o;

    if (!app->dtls_up) {
        return json_pack("{s:b}", "up", 0);
    }
    dtls_server_stats(&app->dtls, &st);
    lf = dtls_server_link(&app->dtls);
    if (lf == NULL || link_fault_format(lf, link, sizeof(link)) < 0) {
        snprintf(link, sizeof(link), "?");
    }
    o = json_pack(
        "{s:b, s:i, s:s, s:{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
        " s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
        "up", 1, "port", app->port, "link", link, "dtls", "sessions", (int)st.sessions,
        "established", (int)st.established, "sessions-peak", (int)st.sessions_peak, "handshakes",
        (json_int_t)st.handshakes_ok, "handshakes-failed", (json_int_t)st.handshakes_failed,
        "refused", (json_int_t)st.refused, "cookies-sent", (json_int_t)st.cookies_sent,
        "bad-mac-closes", (json_int_t)st.bad_mac_closes, "idle-closes", (json_int_t)st.idle_closes,
        "peer-closes", (json_int_t)st.peer_closes, "alloc-failures", (json_int_t)st.alloc_failures,
        "cid-migrations", (json_int_t)st.cid_migrations, "datagrams-in", (json_int_t)st.dgrams_in,
        "datagrams-out", (json_int_t)st.dgrams_out, "datagrams-dropped",
        (json_int_t)st.dgrams_dropped, "link-dropped", (json_int_t)st.link_dropped, "send-errors",
        (json_int_t)st.send_errors, "heap", "live", (json_int_t)st.heap_live, "peak",
        (json_int_t)st.heap_peak, "session-peak-max", (json_int_t)st.session_peak_max, "budget",
        (json_int_t)app->args->net.heap_budget);
    if (o != NULL && app->ota_up) {
        const struct coap_server_stats *cs = ota_app_stats(&app->ota);

        json_object_set_new(
            o, "coap",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "rx", (json_int_t)cs->rx, "tx",
                      (json_int_t)cs->tx, "malformed", (json_int_t)cs->malformed, "duplicates",
                      (json_int_t)cs->duplicates, "rst-sent", (json_int_t)cs->rst_sent,
                      "retransmits", (json_int_t)cs->retransmits, "give-ups",
                      (json_int_t)cs->give_ups, "separate", (json_int_t)cs->separate));
    }
    return o;
}

/* Applies a link fault specification; a spec without a seed takes the device's. */
static int fw_app_set_link(struct fw_app *app, const char *spec, char *err, size_t err_len)
{
    struct link_fault_config lf;
    int rc = link_fault_parse(&lf, spec, err, err_len);

    if (rc < 0) {
        return rc;
    }
    if (lf.seed == 0) {
        lf.seed = app->args->seed;
    }
    if (!app->dtls_up) {
        snprintf(err, err_len, "the device has no network");
        return BO_ESTATE;
    }
    rc = dtls_server_set_link(&app->dtls, &lf);
    if (rc < 0) {
        snprintf(err, err_len, "%s", bo_strerror(rc));
    }
    return rc;
}

static void fw_app_request(struct fw_app *app, const char *line)
{
    json_t *msg = json_loads(line, 0, NULL);
    const char *cmd = json_string_value(json_object_get(msg, "cmd"));
    json_t *reply = NULL;

    if (cmd == NULL) {
        json_decref(msg);
        return;
    }
    if (strcmp(cmd, "status") == 0 || strcmp(cmd, "set-link") == 0) {
        json_t *id = json_object_get(msg, "id");

        reply = json_object();
        json_object_set(reply, "reply", id != NULL ? id : json_null());
        if (strcmp(cmd, "status") == 0) {
            json_object_set_new(reply, "return", fw_app_status_json(app));
        } else {
            const char *spec = json_string_value(json_object_get(msg, "link"));
            char err[160];

            if (spec == NULL) {
                json_object_set_new(reply, "error", json_string("set-link needs \"link\""));
            } else if (fw_app_set_link(app, spec, err, sizeof(err)) < 0) {
                json_object_set_new(reply, "error", json_string(err));
            } else {
                char link[CONFIG_LINK_MAX];

                if (link_fault_format(dtls_server_link(&app->dtls), link, sizeof(link)) < 0) {
                    snprintf(link, sizeof(link), "%s", spec);
                }
                json_object_set_new(reply, "return",
                                    json_pack("{s:s, s:b}", "link", link, "applied", 1));
            }
        }
    } else {
        reply = app->host->request(app->host->ctx, msg);
    }
    json_decref(msg);
    fw_app_send(app, reply);
}

/* ---- The pipe. ---- */

static void fw_app_stop(struct fw_app *app);

static void fw_app_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char dummy[1];
    struct fw_app *app = h->data;

    (void)suggested;
    if (app->line == NULL) {
        app->line = malloc(FW_LINE_MAX);
        if (app->line == NULL) {
            *buf = uv_buf_init(dummy, 0);
            return;
        }
    }
    if (app->line_len >= FW_LINE_MAX - 1) {
        app->line_len = 0; /* A line too long for any request: drop it. */
        app->line_overflow = true;
    }
    *buf = uv_buf_init(app->line + app->line_len, (unsigned)(FW_LINE_MAX - 1 - app->line_len));
}

static void fw_app_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct fw_app *app = s->data;
    char *nl;

    (void)buf;
    if (n < 0) {
        fw_app_stop(app);
        return;
    }
    app->line_len += (size_t)n;
    while (app->line != NULL && !app->stopping &&
           (nl = memchr(app->line, '\n', app->line_len)) != NULL) {
        *nl = '\0';
        if (!app->line_overflow) {
            fw_app_request(app, app->line);
        }
        app->line_overflow = false;
        app->line_len -= (size_t)(nl + 1 - app->line);
        memmove(app->line, nl + 1, app->line_len);
    }
}

/* The daemon closed the pipe (power off): close every handle; uv_run() then returns. */
static void fw_app_stop(struct fw_app *app)
{
    if (app->stopping) {
        return;
    }
    app->stopping = true;
    uv_read_stop((uv_stream_t *)&app->pipe);
    uv_close((uv_handle_t *)&app->pipe, NULL);
    uv_close((uv_handle_t *)&app->timer, NULL);
    dtls_server_close(&app->dtls, NULL, NULL);
}

/* ---- Setup. ---- */

static int fw_app_start_net(struct fw_app *app, char *err, size_t err_len)
{
    const struct config_net *net = &app->args->net;
    struct dtls_server_config dc;
    struct dtls_server_app da = { app, fw_app_on_data, fw_app_on_close };
    struct ota_app_config oc;
    struct ota_app_ops ops = { app, fw_app_ota_send, fw_app_ota_reboot };
    int rc;

    memset(&dc, 0, sizeof(dc));
    dc.bind_addr = net->host;
    dc.port = net->port;
    if (net->psk_len > 0) {
        dc.psk_identity = net->psk_identity;
        dc.psk = net->psk;
        dc.psk_len = net->psk_len;
    }
    if (net->certificate[0] != '\0') {
        dc.cert_file = net->certificate;
        dc.key_file = net->private_key;
    }
    dc.ca_file = net->ca[0] != '\0' ? net->ca : NULL;
    dc.require_client_cert = net->require_client_cert;
    dc.max_sessions = net->max_sessions;
    dc.max_handshakes = net->max_handshakes;
    dc.hs_deadline_ms = net->hs_deadline_ms;
    dc.idle_timeout_ms = net->idle_timeout_ms;
    dc.hs_timeout_min_ms = net->dtls_timeout_min_ms;
    dc.hs_timeout_max_ms = net->dtls_timeout_max_ms;
    dc.cid = true;
    dc.heap_budget = (size_t)net->heap_budget;
    dc.name = app->args->name;
    if (net->link[0] != '\0') {
        rc = link_fault_parse(&dc.link, net->link, err, err_len);
        if (rc < 0) {
            return rc;
        }
        if (dc.link.seed == 0) {
            dc.link.seed = app->args->seed;
        }
    }
    rc = dtls_server_setup(&app->dtls, &app->loop, &dc, &da);
    if (rc < 0) {
        snprintf(err, err_len, "dtls_server_setup: %s", bo_strerror(rc));
        return rc;
    }
    app->dtls_up = true;
    app->port = dtls_server_port(&app->dtls);
    memset(&oc, 0, sizeof(oc));
    oc.confirm = net->confirm == CONFIG_CONFIRM_AUTO    ? OTA_CONFIRM_AUTO
                 : net->confirm == CONFIG_CONFIRM_NEVER ? OTA_CONFIRM_NEVER
                                                        : OTA_CONFIRM_MANUAL;
    oc.boot = app->host->boot;
    oc.image_index = 0;
    rc = ota_app_setup(&app->ota, &oc, &ops, fw_app_now(app));
    app->host->check_power(app->host->ctx);
    if (rc < 0) {
        snprintf(err, err_len, "ota_app_setup: %s", bo_strerror(rc));
        return rc;
    }
    app->ota_up = true;
    return 0;
}

int fw_app_run(const struct fw_app_args *args, int pipe_fd, const struct fw_app_host *host)
{
    struct fw_app *app = calloc(1, sizeof(*app));
    char err[256];
    int rc;

    if (app == NULL) {
        return BO_ENOMEM;
    }
    app->args = args;
    app->host = host;
    app->port = -1;
    dtls_server_init(&app->dtls);
    ota_app_init(&app->ota);
    if (uv_loop_init(&app->loop) != 0) {
        free(app);
        return BO_EOS;
    }
    app->pipe.data = app;
    app->timer.data = app;
    uv_pipe_init(&app->loop, &app->pipe, 0);
    uv_timer_init(&app->loop, &app->timer);
    rc = uv_pipe_open(&app->pipe, pipe_fd);
    if (rc != 0) {
        fprintf(stderr, "brownout-fw[%s]: pipe: %s\n", args->name, uv_strerror(rc));
        rc = BO_EOS;
        fw_app_stop(app);
        goto out;
    }
    err[0] = '\0';
    rc = fw_app_start_net(app, err, sizeof(err));
    if (rc < 0) {
        fw_app_event(app, "APP_FAILED", json_pack("{s:s, s:i}", "error", err, "code", rc));
    } else {
        fw_app_event(app, "APP_READY",
                     json_pack("{s:s, s:i, s:b, s:b, s:s}", "address", args->net.host, "port",
                               app->port, "psk", args->net.psk_len > 0, "certificate",
                               args->net.certificate[0] != '\0', "confirm",
                               config_confirm_name(args->net.confirm)));
        fw_app_schedule(app);
    }
    rc = 0;
    uv_read_start((uv_stream_t *)&app->pipe, fw_app_alloc_cb, fw_app_read_cb);
out:
    uv_run(&app->loop, UV_RUN_DEFAULT);
    ota_app_free(&app->ota);
    uv_loop_close(&app->loop);
    free(app->line);
    free(app);
    return rc;
}
