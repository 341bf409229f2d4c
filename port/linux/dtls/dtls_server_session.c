/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One DTLS session of a server: its Mbed TLS context and heap, the bio callbacks (one datagram
 * per call, non-blocking), driving the handshake and reading records, sending and closing.
 *
 * Every call into the session's ssl context runs with the session's heap active, so its
 * allocations are charged to it (and, through the parent, to the device heap).
 */
#include "dtls/dtls_server_int.h"

#include <string.h>

#include "mbedtls/error.h"

#include "bo_err.h"
#include "port/port_log.h"

/* Bio send: one datagram to the peer, through the link. Never blocks, never fails. */
static int dtls_server_session_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct dtls_session *s = ctx;
    struct dtls_server *srv = s->srv;

    if (s->state == DTLS_SESSION_GATE && srv->gate_refused) {
        /* The HelloVerifyRequest of a refused hello is replaced by an alert (see the gate). */
        return (int)len;
    }
    dtls_server_output(srv, (const struct sockaddr *)&s->peer, buf, len);
    return (int)len;
}

/* Bio receive: hands over the pending datagram, once. */
static int dtls_server_session_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct dtls_session *s = ctx;
    size_t n;

    if (s->rx == NULL) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    n = s->rx_len < len ? s->rx_len : len;
    memcpy(buf, s->rx, n);
    s->rx = NULL;
    s->rx_len = 0;
    return (int)n;
}

struct dtls_session *dtls_server_session_new(struct dtls_server *srv)
{
    struct port_heap *prev = port_heap_activate(&srv->heap);
    struct dtls_session *s = port_heap_calloc(1, sizeof(*s));
    int ret;

    port_heap_activate(prev);
    if (s == NULL) {
        return NULL;
    }
    s->srv = srv;
    s->state = DTLS_SESSION_GATE;
    port_heap_init(&s->heap, "dtls-session", &srv->heap);
    mbedtls_ssl_init(&s->ssl);
    if (uv_timer_init(srv->loop, &s->timer) != 0) {
        mbedtls_ssl_free(&s->ssl);
        port_heap_release(s);
        return NULL;
    }
    s->timer.data = s;
    s->last_active = uv_now(srv->loop);

    prev = port_heap_activate(&s->heap);
    ret = mbedtls_ssl_setup(&s->ssl, &srv->conf);
    if (ret == 0 && srv->cid) {
        ret = port_rng_random(&srv->rng, s->cid, sizeof(s->cid));
        if (ret == 0) {
            ret = mbedtls_ssl_set_cid(&s->ssl, MBEDTLS_SSL_CID_ENABLED, s->cid, sizeof(s->cid));
        }
    }
    port_heap_activate(prev);
    if (ret != 0) {
        port_log(PORT_LOG_WARN, "dtls", "%s: cannot set up a session (-0x%04x)", srv->name,
                 (unsigned)-ret);
        dtls_server_session_discard(s);
        return NULL;
    }
    s->ssl_ready = 1;
    if (srv->mtu != 0) {
        mbedtls_ssl_set_mtu(&s->ssl, srv->mtu);
    }
    mbedtls_ssl_set_bio(&s->ssl, s, dtls_server_session_send, dtls_server_session_recv, NULL);
    mbedtls_ssl_set_timer_cb(&s->ssl, s, dtls_server_timer_set, dtls_server_timer_get);
    return s;
}

size_t dtls_server_session_peak(const struct dtls_session *s)
{
    return s->heap.peak_bytes + sizeof(*s);
}

static void dtls_server_session_closed_cb(uv_handle_t *handle)
{
    struct dtls_session *s = handle->data;
    struct dtls_server *srv = s->srv;
    struct port_heap *prev = port_heap_activate(&s->heap);

    mbedtls_ssl_free(&s->ssl);
    port_heap_activate(prev);
    port_heap_release(s);
    dtls_server_handle_closed(srv);
}

void dtls_server_session_discard(struct dtls_session *s)
{
    struct dtls_server *srv = s->srv;

    s->state = DTLS_SESSION_CLOSING;
    srv->pending_closes++;
    uv_close((uv_handle_t *)&s->timer, dtls_server_session_closed_cb);
}

void dtls_server_session_close(struct dtls_session *s, enum dtls_close_reason reason)
{
    struct dtls_server *srv = s->srv;
    int was_established = s->state == DTLS_SESSION_ESTABLISHED;
    size_t peak;

    if (s->state == DTLS_SESSION_CLOSING) {
        return;
    }
    if (was_established && (reason == DTLS_CLOSE_LOCAL || reason == DTLS_CLOSE_IDLE)) {
        struct port_heap *prev = port_heap_activate(&s->heap);
        (void)mbedtls_ssl_close_notify(&s->ssl);
        port_heap_activate(prev);
    }
    if (reason == DTLS_CLOSE_HS_EVICTED || reason == DTLS_CLOSE_HS_EXPIRED) {
        /* A live client learns at once that it must start again; a silent one costs a send. */
        struct port_heap *prev = port_heap_activate(&s->heap);
        (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                             MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
        port_heap_activate(prev);
    }
    switch (reason) {
    case DTLS_CLOSE_IDLE:
        srv->st.idle_closes++;
        break;
    case DTLS_CLOSE_PEER:
        srv->st.peer_closes++;
        break;
    case DTLS_CLOSE_BADMAC:
        srv->st.bad_mac_closes++;
        break;
    case DTLS_CLOSE_HS_FAILED:
        srv->st.handshakes_failed++;
        break;
    case DTLS_CLOSE_HS_EVICTED:
        srv->st.handshakes_failed++;
        srv->st.hs_evicted++;
        break;
    case DTLS_CLOSE_HS_EXPIRED:
        srv->st.handshakes_failed++;
        srv->st.hs_expired++;
        break;
    default:
        break;
    }
    dtls_server_map_remove(srv, s);
    if (srv->st.sessions > 0) {
        srv->st.sessions--;
    }
    if (was_established && srv->st.established > 0) {
        srv->st.established--;
    }
    peak = dtls_server_session_peak(s);
    if (peak > srv->st.session_peak_max) {
        srv->st.session_peak_max = peak;
    }
    s->state = DTLS_SESSION_CLOSING;
    uv_timer_stop(&s->timer);
    if (was_established && srv->app.on_close != NULL) {
        srv->app.on_close(srv->app.ctx, s->id);
    }
    srv->pending_closes++;
    uv_close((uv_handle_t *)&s->timer, dtls_server_session_closed_cb);
}

/* The session's handshake finished: count it and register its Connection ID. */
static void dtls_server_session_established(struct dtls_session *s)
{
    struct dtls_server *srv = s->srv;
    int cid_enabled = MBEDTLS_SSL_CID_DISABLED;

    s->state = DTLS_SESSION_ESTABLISHED;
    srv->st.handshakes_ok++;
    srv->st.established++;
    s->last_active = uv_now(srv->loop);
    if (srv->cid && mbedtls_ssl_get_peer_cid(&s->ssl, &cid_enabled, NULL, NULL) == 0 &&
        cid_enabled == MBEDTLS_SSL_CID_ENABLED) {
        dtls_server_map_add_cid(srv, s);
    }
}

/* Maps an error of an established session's read to a close reason. */
static enum dtls_close_reason dtls_server_session_reason(int ret)
{
    switch (ret) {
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
    case MBEDTLS_ERR_SSL_CLIENT_RECONNECT:
        return DTLS_CLOSE_PEER;
    case MBEDTLS_ERR_SSL_INVALID_MAC:
        return DTLS_CLOSE_BADMAC;
    default:
        return DTLS_CLOSE_ERROR;
    }
}

/*
 * Reads every record the pending datagram holds and hands application data to the app.
 * Returns 1 when the datagram was a ClientHello with a valid cookie from the session's own
 * address (the peer restarted): the session is closed and the caller gives the hello to the gate.
 */
static int dtls_server_session_read(struct dtls_session *s, const struct sockaddr *from)
{
    struct dtls_server *srv = s->srv;
    unsigned char buf[MBEDTLS_SSL_IN_CONTENT_LEN];

    for (;;) {
        struct port_heap *prev = port_heap_activate(&s->heap);
        int ret = mbedtls_ssl_read(&s->ssl, buf, sizeof(buf));
        port_heap_activate(prev);

        if (ret > 0) {
            s->last_active = uv_now(srv->loop);
            /*
             * An authenticated record from a new address, found by its Connection ID: the
             * peer moved (RFC 9146, section 6), so replies follow it.
             */
            if (from != NULL && !dtls_server_addr_equal(from, (struct sockaddr *)&s->peer)) {
                struct dtls_session *other = dtls_server_map_by_addr(srv, from);
                if (other == NULL) {
                    dtls_server_map_move(srv, s, from);
                    srv->st.cid_migrations++;
                }
            }
            srv->app.on_data(srv->app.ctx, s->id, buf, (size_t)ret);
            if (s->state != DTLS_SESSION_ESTABLISHED) {
                return 0;
            }
            continue;
        }
        if (ret == 0 || ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
            ret == MBEDTLS_ERR_SSL_TIMEOUT) {
            return 0;
        }
        if (ret != MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY && ret != MBEDTLS_ERR_SSL_CLIENT_RECONNECT) {
            port_log(PORT_LOG_INFO, "dtls", "%s: session %u closed (-0x%04x)", srv->name,
                     (unsigned)s->id, (unsigned)-ret);
        }
        dtls_server_session_close(s, dtls_server_session_reason(ret));
        return ret == MBEDTLS_ERR_SSL_CLIENT_RECONNECT;
    }
}

void dtls_server_session_drive(struct dtls_session *s)
{
    struct dtls_server *srv = s->srv;

    if (s->state == DTLS_SESSION_HANDSHAKE) {
        struct port_heap *prev = port_heap_activate(&s->heap);
        int ret = mbedtls_ssl_handshake(&s->ssl);
        port_heap_activate(prev);

        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            return;
        }
        if (ret != 0) {
            port_log(PORT_LOG_INFO, "dtls", "%s: handshake of session %u failed (-0x%04x)",
                     srv->name, (unsigned)s->id, (unsigned)-ret);
            /*
             * Mbed TLS does not alert on every failure (a missing client certificate, for
             * one): a fatal alert tells the peer now rather than after its retransmissions.
             * A second alert after Mbed TLS's own is harmless; the peer has stopped.
             */
            if (ret != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && ret != MBEDTLS_ERR_SSL_TIMEOUT) {
                prev = port_heap_activate(&s->heap);
                (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                                     MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
                port_heap_activate(prev);
            }
            dtls_server_session_close(s, DTLS_CLOSE_HS_FAILED);
            return;
        }
        dtls_server_session_established(s);
    }
    if (s->state == DTLS_SESSION_ESTABLISHED) {
        (void)dtls_server_session_read(s, NULL);
    }
}

void dtls_server_session_input(struct dtls_session *s, const struct sockaddr *addr,
                               const uint8_t *buf, size_t len)
{
    s->rx = buf;
    s->rx_len = len;
    if (s->state == DTLS_SESSION_HANDSHAKE) {
        s->last_active = uv_now(s->srv->loop);
        dtls_server_session_drive(s);
    } else if (s->state == DTLS_SESSION_ESTABLISHED) {
        /*
         * A copy of the hello that made this session (duplicated or delayed by the network)
         * still carries a valid cookie: Mbed TLS would take it for a restarted client and reset
         * the session. Only a hello with a new client random is a restart.
         */
        if (dtls_server_gate_is_stale_hello(s, buf, len)) {
            s->srv->st.dgrams_dropped++;
            s->rx = NULL;
            s->rx_len = 0;
            return;
        }
        int moved = !dtls_server_addr_equal(addr, (const struct sockaddr *)&s->peer);
        if (dtls_server_session_read(s, moved ? addr : NULL) == 1) {
            /* The old session is gone; the hello, with its valid cookie, starts a new one. */
            s->rx = NULL;
            dtls_server_gate_input(s->srv, addr, buf, len);
            return;
        }
    }
    s->rx = NULL;
    s->rx_len = 0;
}

int dtls_server_session_write(struct dtls_session *s, const uint8_t *b, size_t n)
{
    struct dtls_server *srv = s->srv;
    struct port_heap *prev;
    int max, ret;

    if (s->state != DTLS_SESSION_ESTABLISHED) {
        return BO_ENOENT;
    }
    max = mbedtls_ssl_get_max_out_record_payload(&s->ssl);
    if (max < 0 || n > (size_t)max) {
        return BO_ERANGE;
    }
    prev = port_heap_activate(&s->heap);
    ret = mbedtls_ssl_write(&s->ssl, b, n);
    port_heap_activate(prev);
    if (ret >= 0 && (size_t)ret == n) {
        s->last_active = uv_now(srv->loop);
        return 0;
    }
    if (ret == MBEDTLS_ERR_SSL_ALLOC_FAILED) {
        return BO_ENOMEM;
    }
    port_log(PORT_LOG_WARN, "dtls", "%s: write to session %u failed (-0x%04x)", srv->name,
             (unsigned)s->id, (unsigned)(ret < 0 ? -ret : ret));
    dtls_server_session_close(s, DTLS_CLOSE_ERROR);
    return BO_EIO;
}
