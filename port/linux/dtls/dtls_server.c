/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DTLS server's socket and public API: one unconnected uv_udp socket, datagrams through
 * the link faults to the session map or the gate, the idle reaper, stats and closing.
 */
#include "dtls/dtls_server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "port/port_log.h"

/* Largest datagram received (the UDP maximum). */
#define DTLS_SERVER_RX_MAX 65536
/* Record type of a record carrying a Connection ID (RFC 9146). */
#define DTLS_SERVER_CT_CID 25
/* Offset of the CID in such a record: type, version, epoch, sequence number. */
#define DTLS_SERVER_CID_OFFSET 11

/* A datagram queued on the socket when it could not be sent at once. */
struct dtls_server_sendreq {
    uv_udp_send_t req;
    struct dtls_server *srv;
    uint8_t data[];
};

void dtls_server_init(struct dtls_server *srv)
{
    memset(srv, 0, sizeof(*srv));
    link_fault_init(&srv->link_in);
    link_fault_init(&srv->link_out);
    port_heap_init(&srv->heap, "dtls-device", NULL);
    port_rng_init(&srv->rng);
    mbedtls_ssl_config_init(&srv->conf);
    mbedtls_ssl_cookie_init(&srv->cookie);
    mbedtls_x509_crt_init(&srv->cert);
    mbedtls_x509_crt_init(&srv->ca);
    mbedtls_pk_init(&srv->key);
}

socklen_t dtls_server_addr_len(const struct sockaddr *addr)
{
    return addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int dtls_server_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family) {
        return 0;
    }
    if (a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    const struct sockaddr_in *x = (const struct sockaddr_in *)a;
    const struct sockaddr_in *y = (const struct sockaddr_in *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

static void dtls_server_sent_cb(uv_udp_send_t *req, int status)
{
    struct dtls_server_sendreq *r = (struct dtls_server_sendreq *)req;

    if (status < 0) {
        r->srv->st.send_errors++;
    }
    free(r);
}

/* The outbound link's receiver: the socket. */
static void dtls_server_socket_send(void *ctx, const struct sockaddr *addr, const uint8_t *buf,
                                    size_t len)
{
    struct dtls_server *srv = ctx;
    uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
    int r;

    if (!srv->udp_ready || uv_is_closing((uv_handle_t *)&srv->udp)) {
        return;
    }
    r = uv_udp_try_send(&srv->udp, &b, 1, addr);
    if (r >= 0) {
        srv->st.dgrams_out++;
        return;
    }
    if (r == UV_EAGAIN) {
        struct dtls_server_sendreq *q = malloc(sizeof(*q) + len);
        if (q != NULL) {
            q->srv = srv;
            memcpy(q->data, buf, len);
            b = uv_buf_init((char *)q->data, (unsigned)len);
            if (uv_udp_send(&q->req, &srv->udp, &b, 1, addr, dtls_server_sent_cb) == 0) {
                srv->st.dgrams_out++;
                return;
            }
            free(q);
        }
    }
    srv->st.send_errors++;
}

void dtls_server_output(struct dtls_server *srv, const struct sockaddr *addr, const uint8_t *buf,
                        size_t len)
{
    if (link_fault_input(&srv->link_out, addr, buf, len) == 1) {
        srv->st.link_dropped++;
    }
}

/* The inbound link's receiver: finds the datagram's session, or tries the gate. */
static void dtls_server_dispatch(void *ctx, const struct sockaddr *addr, const uint8_t *buf,
                                 size_t len)
{
    struct dtls_server *srv = ctx;
    struct dtls_session *s;

    if (srv->state != 1) {
        return;
    }
    if (srv->cid && len >= DTLS_SERVER_CID_OFFSET + DTLS_SERVER_CID_LEN &&
        buf[0] == DTLS_SERVER_CT_CID) {
        s = dtls_server_map_by_cid(srv, buf + DTLS_SERVER_CID_OFFSET);
        if (s != NULL) {
            dtls_server_session_input(s, addr, buf, len);
            return;
        }
    }
    s = dtls_server_map_by_addr(srv, addr);
    if (s != NULL) {
        dtls_server_session_input(s, addr, buf, len);
        return;
    }
    if (dtls_server_gate_is_hello(buf, len)) {
        dtls_server_gate_input(srv, addr, buf, len);
        return;
    }
    srv->st.dgrams_dropped++;
}

static void dtls_server_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct dtls_server *srv = handle->data;

    (void)suggested;
    *buf = uv_buf_init((char *)srv->rxbuf, DTLS_SERVER_RX_MAX);
}

static void dtls_server_recv_cb(uv_udp_t *udp, ssize_t nread, const uv_buf_t *buf,
                                const struct sockaddr *addr, unsigned flags)
{
    struct dtls_server *srv = udp->data;

    if (nread < 0) {
        port_log(PORT_LOG_WARN, "dtls", "%s: receive: %s", srv->name, uv_strerror((int)nread));
        return;
    }
    if (addr == NULL) {
        return;
    }
    srv->st.dgrams_in++;
    if (flags & UV_UDP_PARTIAL) {
        srv->st.dgrams_dropped++;
        return;
    }
    if (link_fault_input(&srv->link_in, addr, (const uint8_t *)buf->base, (size_t)nread) == 1) {
        srv->st.link_dropped++;
    }
}

/* Closes half-open handshakes past their deadline and sessions silent for the idle timeout. */
static void dtls_server_reap(uv_timer_t *timer)
{
    struct dtls_server *srv = timer->data;
    uint64_t now = uv_now(srv->loop);
    struct dtls_session *s = srv->sessions;

    while (s != NULL) {
        struct dtls_session *next = s->next;
        if (s->state == DTLS_SESSION_HANDSHAKE && now - s->hs_start >= srv->hs_deadline_ms) {
            dtls_server_session_close(s, DTLS_CLOSE_HS_EXPIRED);
        } else if (srv->idle_timeout_ms != DTLS_SERVER_NEVER &&
                   now - s->last_active >= srv->idle_timeout_ms) {
            dtls_server_session_close(s, DTLS_CLOSE_IDLE);
        }
        s = next;
    }
}

/* Applies the defaults of the session limits and timeouts of cfg. */
static void dtls_server_limits(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    srv->max_sessions = cfg->max_sessions != 0 ? cfg->max_sessions : 16;
    srv->max_handshakes = cfg->max_handshakes != 0 ? cfg->max_handshakes : srv->max_sessions / 2;
    if (srv->max_handshakes < 2) {
        srv->max_handshakes = 2; /* Two clients may always handshake at once. */
    }
    if (srv->max_handshakes > srv->max_sessions) {
        srv->max_handshakes = srv->max_sessions;
    }
    srv->hs_deadline_ms =
        cfg->hs_deadline_ms != 0 ? cfg->hs_deadline_ms : DTLS_SERVER_HS_DEADLINE_MS;
    srv->idle_timeout_ms =
        cfg->idle_timeout_ms != 0 ? cfg->idle_timeout_ms : DTLS_SERVER_IDLE_TIMEOUT_MS;
}

/* Starts the reaper: a quarter of the shortest of the deadline and the idle timeout. */
static int dtls_server_reaper_start(struct dtls_server *srv)
{
    uint64_t shortest = srv->hs_deadline_ms;
    uint64_t period;

    if (srv->idle_timeout_ms != DTLS_SERVER_NEVER && srv->idle_timeout_ms < shortest) {
        shortest = srv->idle_timeout_ms;
    }
    period = shortest / 4 > 10 ? shortest / 4 : 10;
    if (uv_timer_init(srv->loop, &srv->reaper) != 0) {
        return BO_EOS;
    }
    srv->reaper.data = srv;
    srv->reaper_ready = 1;
    uv_timer_start(&srv->reaper, dtls_server_reap, period, period);
    return 0;
}

static int dtls_server_bind(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    const char *host = cfg->bind_addr != NULL ? cfg->bind_addr : "127.0.0.1";
    struct sockaddr_storage ss;
    int r;

    memset(&ss, 0, sizeof(ss));
    if (strchr(host, ':') != NULL) {
        r = uv_ip6_addr(host, cfg->port, (struct sockaddr_in6 *)&ss);
    } else {
        r = uv_ip4_addr(host, cfg->port, (struct sockaddr_in *)&ss);
    }
    if (r != 0) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: bad address %s", srv->name, host);
        return BO_EINVAL;
    }
    if (uv_udp_init(srv->loop, &srv->udp) != 0) {
        return BO_EOS;
    }
    srv->udp.data = srv;
    srv->udp_ready = 1;
    r = uv_udp_bind(&srv->udp, (const struct sockaddr *)&ss, 0);
    if (r == 0) {
        r = uv_udp_recv_start(&srv->udp, dtls_server_alloc_cb, dtls_server_recv_cb);
    }
    if (r != 0) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: cannot bind %s:%u: %s", srv->name, host,
                 (unsigned)cfg->port, uv_strerror(r));
        return BO_EOS;
    }
    return 0;
}

int dtls_server_setup(struct dtls_server *srv, uv_loop_t *loop,
                      const struct dtls_server_config *cfg, const struct dtls_server_app *app)
{
    struct port_heap *prev;
    int rc;

    if (loop == NULL || cfg == NULL || app == NULL || app->on_data == NULL || srv->state != 0) {
        return BO_EINVAL;
    }
    srv->loop = loop;
    srv->app = *app;
    snprintf(srv->name, sizeof(srv->name), "%s", cfg->name != NULL ? cfg->name : "dtls");
    dtls_server_limits(srv, cfg);
    srv->mtu = cfg->mtu;
    srv->cid = cfg->cid;
    srv->debug_level = cfg->debug_level;
    port_heap_init(&srv->heap, "dtls-device", cfg->heap_parent);
    srv->heap.budget = cfg->heap_budget;
    srv->state = 1;

    prev = port_heap_activate(&srv->heap);
    rc = dtls_server_conf_setup(srv, cfg);
    port_heap_activate(prev);
    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_map_setup(srv, srv->max_sessions);
    if (rc < 0) {
        goto out;
    }
    srv->rxbuf = malloc(DTLS_SERVER_RX_MAX);
    if (srv->rxbuf == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    rc = link_fault_setup(&srv->link_in, loop, &cfg->link, 1, dtls_server_dispatch, srv);
    if (rc < 0) {
        goto out;
    }
    rc = link_fault_setup(&srv->link_out, loop, &cfg->link, 2, dtls_server_socket_send, srv);
    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_bind(srv, cfg);
    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_reaper_start(srv);
out:
    return rc;
}

int dtls_server_port(const struct dtls_server *srv)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (!srv->udp_ready || uv_udp_getsockname(&srv->udp, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET6) {
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int dtls_server_send(struct dtls_server *srv, uint32_t session, const uint8_t *b, size_t n)
{
    struct dtls_session *s;

    if (srv->state != 1) {
        return BO_ESTATE;
    }
    s = dtls_server_map_by_id(srv, session);
    if (s == NULL) {
        return BO_ENOENT;
    }
    return dtls_server_session_write(s, b, n);
}

int dtls_server_close_session(struct dtls_server *srv, uint32_t session)
{
    struct dtls_session *s = dtls_server_map_by_id(srv, session);

    if (s == NULL) {
        return BO_ENOENT;
    }
    dtls_server_session_close(s, DTLS_CLOSE_LOCAL);
    return 0;
}

int dtls_server_set_link(struct dtls_server *srv, const struct link_fault_config *lf)
{
    if (lf == NULL) {
        return BO_EINVAL;
    }
    link_fault_set(&srv->link_in, lf);
    link_fault_set(&srv->link_out, lf);
    return 0;
}

int dtls_server_session_heap(const struct dtls_server *srv, uint32_t session, size_t *live,
                             size_t *peak)
{
    const struct dtls_session *s = dtls_server_map_by_id(srv, session);

    if (s == NULL) {
        return BO_ENOENT;
    }
    *live = s->heap.live_bytes + sizeof(*s);
    *peak = dtls_server_session_peak(s);
    return 0;
}

const struct link_fault_config *dtls_server_link(const struct dtls_server *srv)
{
    return link_fault_get(&srv->link_in);
}

void dtls_server_stats(const struct dtls_server *srv, struct dtls_server_stats *st)
{
    *st = srv->st;
    st->heap_live = srv->heap.live_bytes;
    st->heap_peak = srv->heap.peak_bytes;
    st->alloc_failures = srv->heap.failed_count;
    for (const struct dtls_session *s = srv->sessions; s != NULL; s = s->next) {
        size_t peak = dtls_server_session_peak(s);
        if (peak > st->session_peak_max) {
            st->session_peak_max = peak;
        }
    }
}

/* Releases what has no handle, once every handle has closed, and reports. */
static void dtls_server_finish(struct dtls_server *srv)
{
    struct port_heap *prev = port_heap_activate(&srv->heap);
    void (*done)(void *arg) = srv->done;

    dtls_server_conf_free(srv);
    port_heap_activate(prev);
    dtls_server_map_free(srv);
    free(srv->rxbuf);
    srv->rxbuf = NULL;
    srv->udp_ready = 0;
    srv->reaper_ready = 0;
    srv->state = 3;
    srv->done = NULL;
    if (done != NULL) {
        done(srv->done_arg);
    }
}

void dtls_server_handle_closed(struct dtls_server *srv)
{
    srv->pending_closes--;
    if (srv->state == 2 && srv->pending_closes == 0) {
        dtls_server_finish(srv);
    }
}

static void dtls_server_uv_closed(uv_handle_t *handle)
{
    dtls_server_handle_closed(handle->data);
}

static void dtls_server_link_closed(void *arg)
{
    dtls_server_handle_closed(arg);
}

void dtls_server_close(struct dtls_server *srv, void (*done)(void *arg), void *arg)
{
    if (srv->state >= 2) {
        return;
    }
    srv->done = done;
    srv->done_arg = arg;
    srv->state = 2;
    /* A guard, so that handles closing at once do not finish before everything is asked. */
    srv->pending_closes++;
    while (srv->sessions != NULL) {
        dtls_server_session_close(srv->sessions, DTLS_CLOSE_LOCAL);
    }
    if (srv->gate != NULL) {
        dtls_server_session_discard(srv->gate);
        srv->gate = NULL;
    }
    srv->pending_closes++;
    link_fault_close(&srv->link_in, dtls_server_link_closed, srv);
    srv->pending_closes++;
    link_fault_close(&srv->link_out, dtls_server_link_closed, srv);
    if (srv->udp_ready) {
        srv->pending_closes++;
        uv_close((uv_handle_t *)&srv->udp, dtls_server_uv_closed);
    }
    if (srv->reaper_ready) {
        srv->pending_closes++;
        uv_close((uv_handle_t *)&srv->reaper, dtls_server_uv_closed);
    }
    dtls_server_handle_closed(srv);
}
