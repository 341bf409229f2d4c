/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gate: one pre-verification ssl context shared by every peer that has no session yet.
 *
 * A ClientHello from an unknown address is fed to the gate with the peer's address as its
 * transport id. Without a valid cookie, Mbed TLS answers with a HelloVerifyRequest and the gate
 * is reset: the peer has cost one reused context and nothing else. With a valid cookie and
 * room under the session cap, the handshake goes on in the gate, which then becomes the peer's
 * session (keeping its heap), and the next ClientHello gets a new gate.
 *
 * Room: a valid hello is admitted when a session slot is free or some handshake is half-open.
 * Once its cookie is verified, the oldest half-open handshake is evicted while the half-open
 * budget (max_handshakes) is spent or every slot is taken, so half-open handshakes never hold
 * more than their budget and never push out established sessions. With a valid cookie but
 * every slot established, the peer gets a fatal handshake_failure alert instead of a second
 * HelloVerifyRequest, and the refusal is counted.
 */
#include "dtls/dtls_server_int.h"

#include <string.h>

#include "bo_err.h"
#include "port/port_log.h"

/* Record and handshake header sizes of DTLS 1.2 (RFC 6347, sections 4.1 and 4.2.2). */
#define GATE_RECORD_HDR 13
#define GATE_HS_HDR 12
#define GATE_CT_HANDSHAKE 22
#define GATE_CT_ALERT 21
#define GATE_HS_CLIENT_HELLO 1
#define GATE_ALERT_FATAL 2
#define GATE_ALERT_HANDSHAKE_FAILURE 40
/* Offset of the client random in an unfragmented ClientHello record. */
#define GATE_RANDOM_OFFSET (GATE_RECORD_HDR + GATE_HS_HDR + 2)
#define GATE_RANDOM_LEN 32

int dtls_server_gate_cookie_write(void *ctx, unsigned char **p, unsigned char *end,
                                  const unsigned char *cli_id, size_t cli_id_len)
{
    struct dtls_server *srv = ctx;

    return mbedtls_ssl_cookie_write(&srv->cookie, p, end, cli_id, cli_id_len);
}

int dtls_server_gate_evict(struct dtls_server *srv)
{
    struct dtls_session *oldest = NULL;

    /* The list is newest first: the last half-open session in it is the oldest. */
    for (struct dtls_session *s = srv->sessions; s != NULL; s = s->next) {
        if (s->state == DTLS_SESSION_HANDSHAKE) {
            oldest = s;
        }
    }
    if (oldest == NULL) {
        return 0;
    }
    port_log(PORT_LOG_INFO, "dtls", "%s: half-open session %u evicted", srv->name,
             (unsigned)oldest->id);
    dtls_server_session_close(oldest, DTLS_CLOSE_HS_EVICTED);
    return 1;
}

/* Makes room for one more half-open handshake: within the budget and the session cap. */
static void dtls_server_gate_make_room(struct dtls_server *srv)
{
    while (srv->st.sessions - srv->st.established >= srv->max_handshakes ||
           srv->st.sessions >= srv->max_sessions) {
        if (!dtls_server_gate_evict(srv)) {
            break;
        }
    }
}

int dtls_server_gate_cookie_check(void *ctx, const unsigned char *cookie, size_t clen,
                                  const unsigned char *cli_id, size_t cli_id_len)
{
    struct dtls_server *srv = ctx;
    int ret = mbedtls_ssl_cookie_check(&srv->cookie, cookie, clen, cli_id, cli_id_len);

    /* Outside the gate (a reconnect inside a session), the cookie alone decides. */
    if (ret != 0 || !srv->gate_running) {
        return ret;
    }
    if (srv->st.sessions >= srv->max_sessions && srv->st.sessions == srv->st.established) {
        srv->gate_refused = 1;
        return -1;
    }
    /* Evicted before the new peer's flight goes out, so the budget is never exceeded. */
    dtls_server_gate_make_room(srv);
    srv->gate_admitted = 1;
    return 0;
}

int dtls_server_gate_is_hello(const uint8_t *buf, size_t len)
{
    if (len < GATE_RECORD_HDR + GATE_HS_HDR) {
        return 0;
    }
    /* A handshake record of a DTLS version (major 254), epoch 0, holding a ClientHello. */
    return buf[0] == GATE_CT_HANDSHAKE && buf[1] == 0xfe && buf[3] == 0 && buf[4] == 0 &&
           buf[GATE_RECORD_HDR] == GATE_HS_CLIENT_HELLO;
}

int dtls_server_gate_is_stale_hello(const struct dtls_session *s, const uint8_t *buf, size_t len)
{
    return dtls_server_gate_is_hello(buf, len) && len >= GATE_RANDOM_OFFSET + GATE_RANDOM_LEN &&
           memcmp(buf + GATE_RANDOM_OFFSET, s->hello_random, GATE_RANDOM_LEN) == 0;
}

/* The transport id of a peer: its address bytes and port. */
static size_t dtls_server_gate_transport_id(const struct sockaddr *addr, uint8_t *id)
{
    if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
        memcpy(id, &a->sin6_addr, 16);
        memcpy(id + 16, &a->sin6_port, 2);
        return 18;
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
    memcpy(id, &a->sin_addr, 4);
    memcpy(id + 4, &a->sin_port, 2);
    return 6;
}

/* Sends a plaintext fatal handshake_failure alert answering the hello in buf. */
static void dtls_server_gate_refuse(struct dtls_server *srv, const struct sockaddr *addr,
                                    const uint8_t *buf)
{
    uint8_t alert[GATE_RECORD_HDR + 2];

    alert[0] = GATE_CT_ALERT;
    alert[1] = 0xfe;
    alert[2] = 0xfd;
    alert[3] = 0;
    alert[4] = 0;
    memcpy(alert + 5, buf + 5, 6); /* The sequence number of the hello, as a HVR does. */
    alert[11] = 0;
    alert[12] = 2;
    alert[13] = GATE_ALERT_FATAL;
    alert[14] = GATE_ALERT_HANDSHAKE_FAILURE;
    dtls_server_output(srv, addr, alert, sizeof(alert));
}

/* Turns the gate into a session in the map. */
static void dtls_server_gate_promote(struct dtls_server *srv, struct dtls_session *g)
{
    do {
        g->id = ++srv->next_id;
    } while (g->id == 0 || dtls_server_map_by_id(srv, g->id) != NULL);
    g->state = DTLS_SESSION_HANDSHAKE;
    g->last_active = uv_now(srv->loop);
    g->hs_start = g->last_active;
    srv->gate = NULL;
    dtls_server_map_add(srv, g);
    srv->st.sessions++;
    if (srv->st.sessions > srv->st.sessions_peak) {
        srv->st.sessions_peak = srv->st.sessions;
    }
}

void dtls_server_gate_input(struct dtls_server *srv, const struct sockaddr *addr,
                            const uint8_t *buf, size_t len)
{
    struct dtls_session *g = srv->gate;
    uint8_t id[18];
    size_t id_len;
    struct port_heap *prev;
    int ret;

    if (g == NULL) {
        g = dtls_server_session_new(srv);
        if (g == NULL) {
            srv->st.dgrams_dropped++;
            return;
        }
        srv->gate = g;
    }
    memset(&g->peer, 0, sizeof(g->peer));
    memcpy(&g->peer, addr, dtls_server_addr_len(addr));
    id_len = dtls_server_gate_transport_id(addr, id);
    g->rx = buf;
    g->rx_len = len;
    srv->gate_running = 1;
    srv->gate_admitted = 0;
    srv->gate_refused = 0;
    prev = port_heap_activate(&g->heap);
    ret = mbedtls_ssl_set_client_transport_id(&g->ssl, id, id_len);
    if (ret == 0) {
        ret = mbedtls_ssl_handshake(&g->ssl);
    }
    port_heap_activate(prev);
    srv->gate_running = 0;
    g->rx = NULL;
    g->rx_len = 0;

    if (srv->gate_admitted &&
        (ret == 0 || ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)) {
        if (len >= GATE_RANDOM_OFFSET + GATE_RANDOM_LEN) {
            memcpy(g->hello_random, buf + GATE_RANDOM_OFFSET, GATE_RANDOM_LEN);
        }
        dtls_server_gate_promote(srv, g);
        return;
    }
    if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED && srv->gate_refused) {
        srv->st.refused++;
        dtls_server_gate_refuse(srv, addr, buf);
    } else if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
        srv->st.cookies_sent++;
    } else if (srv->gate_admitted) {
        srv->st.handshakes_failed++;
        port_log(PORT_LOG_INFO, "dtls", "%s: hello with a valid cookie failed (-0x%04x)", srv->name,
                 (unsigned)-ret);
    } else {
        srv->st.dgrams_dropped++;
    }
    srv->gate_refused = 0;
    prev = port_heap_activate(&g->heap);
    ret = mbedtls_ssl_session_reset(&g->ssl);
    port_heap_activate(prev);
    dtls_server_timer_set(g, 0, 0);
    if (ret != 0) {
        srv->gate = NULL;
        dtls_server_session_discard(g);
    }
}
