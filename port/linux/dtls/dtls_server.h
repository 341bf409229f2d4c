/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file dtls_server.h
 * \brief A DTLS 1.2 server on libuv (Mbed TLS), the transport of a device's CoAPs app.
 *
 * One unconnected uv_udp socket serves every peer. Sessions are found by peer address, and by
 * Connection ID (RFC 9146) once one is negotiated, so a session survives a change of the
 * peer's address. Mbed TLS runs through the port's callbacks: mbedtls_ssl_set_bio() with
 * non-blocking send/receive of one datagram per call, and mbedtls_ssl_set_timer_cb() on a
 * uv_timer per session (loop time).
 *
 * Unverified peers: every ClientHello goes first through one shared "gate" context that
 * answers with a HelloVerifyRequest cookie (cookies are always on) and is reset afterwards, so a
 * peer that has not returned a valid cookie costs no memory beyond that one context. A
 * ClientHello with a valid cookie turns the gate into the peer's session (it keeps the heap
 * charged so far) and a new gate is made.
 *
 * Half-open handshakes (cookie verified, not yet established) cannot starve established
 * sessions: they have a budget of their own (max_handshakes, half of max_sessions by default)
 * and a deadline (hs_deadline_ms from the verified hello, checked by the reaper). A ClientHello
 * with a valid cookie that finds the budget spent, or every session slot taken while some
 * handshake is half-open, evicts the oldest half-open handshake (with a fatal alert) and takes
 * its place. Only when max_sessions are all established is a valid ClientHello refused (a
 * fatal alert is sent and the refusal counted); existing sessions keep working. Established
 * sessions silent for idle_timeout_ms (finite by default) are closed, so that dead peers free
 * their slots.
 *
 * Ciphersuites: the server's preference decides. AEAD suites (GCM, CCM, CCM-8) come first,
 * those with an ephemeral key exchange (ECDHE) before the others, so that a PSK client that
 * offers both gets, for example, PSK-AES128-GCM rather than ECDHE-PSK-AES256-CBC-SHA384 (with
 * up to 80 bytes of record overhead, too much for a 1024-byte CoAP block in some clients).
 * Mbed TLS's other defaults (CBC) follow, for clients that offer nothing better.
 *
 * Memory: every Mbed TLS allocation is charged, through port_heap, to a heap per session whose
 * parent is the server's device heap (whose parent is cfg->heap_parent). The device heap may
 * have a budget; an allocation refused by it fails that handshake or session cleanly.
 *
 * Threading: a server belongs to its loop's thread; no function may be called from another.
 */
#ifndef DTLS_SERVER_H
#define DTLS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/x509_crt.h"
#include "mbedtls/pk.h"

#include "dtls/link_fault.h"
#include "port_heap.h"
#include "port_rng.h"

/** Longest PSK identity and key accepted. */
#define DTLS_SERVER_PSK_ID_MAX 128
#define DTLS_SERVER_PSK_MAX 64
/** Length of the Connection IDs the server gives its peers. */
#define DTLS_SERVER_CID_LEN 8
/** Most ciphersuites in the server's preference list. */
#define DTLS_SERVER_SUITES_MAX 64
/** Default deadline of a half-open handshake, from its verified ClientHello (ms). */
#define DTLS_SERVER_HS_DEADLINE_MS 10000u
/** Default idle timeout of a session (ms). */
#define DTLS_SERVER_IDLE_TIMEOUT_MS 300000u
/** An idle_timeout_ms that never expires. */
#define DTLS_SERVER_NEVER UINT32_MAX

/** The settings of a server. Zero-initialise, then fill what is needed. */
struct dtls_server_config {
    const char *bind_addr; /**< Numeric IPv4/IPv6 address; NULL = "127.0.0.1". */
    uint16_t port;         /**< UDP port; 0 = ephemeral (see dtls_server_port()). */

    /* Pre-shared key: enabled when psk_len > 0. */
    const char *psk_identity; /**< Identity (text); required with a PSK. */
    const uint8_t *psk;       /**< Raw key bytes (psk_hex is the alternative). */
    size_t psk_len;           /**< Length of psk; 0 with psk_hex or without PSK. */
    const char *psk_hex;      /**< Key as hexadecimal text; used when psk is NULL. */

    /* Certificates (ECDSA P-256): enabled when cert_file is set. Files are PEM or DER. */
    const char *cert_file;    /**< The device's certificate (chain). */
    const char *key_file;     /**< Its private key; required with cert_file. */
    const char *ca_file;      /**< CAs trusted for client certificates; NULL = none. */
    bool require_client_cert; /**< MBEDTLS_SSL_VERIFY_REQUIRED (needs ca_file). */

    uint32_t max_sessions;         /**< Cap on sessions (handshaking included); 0 = 16. */
    uint32_t max_handshakes;       /**< Cap on half-open handshakes; 0 = max_sessions / 2 (at
                                       least 2); at most max_sessions. */
    uint32_t hs_deadline_ms;       /**< Half-open handshakes older than this are closed;
                                       0 = DTLS_SERVER_HS_DEADLINE_MS. */
    uint32_t idle_timeout_ms;      /**< Sessions silent this long are closed; 0 =
                                       DTLS_SERVER_IDLE_TIMEOUT_MS; DTLS_SERVER_NEVER: never. */
    uint32_t hs_timeout_min_ms;    /**< Handshake retransmission timeout, first; 0 = 1000. */
    uint32_t hs_timeout_max_ms;    /**< Handshake retransmission timeout, last; 0 = 60000. */
    uint32_t bad_mac_limit;        /**< Records failing authentication before close; 0 = 16. */
    bool cid;                      /**< Offer Connection IDs (RFC 9146). */
    uint16_t mtu;                  /**< Path MTU for handshake fragmentation; 0 = none. */
    size_t heap_budget;            /**< Budget of the device heap in bytes; 0 = none. */
    struct port_heap *heap_parent; /**< Parent of the device heap (the process's); may be NULL. */
    bool seeded;                   /**< Deterministic RNG from seed (tests); else system entropy. */
    uint64_t seed;                 /**< The seed when seeded. */
    struct link_fault_config link; /**< Faults on both directions; all zero = none. */
    int debug_level;               /**< Mbed TLS debug threshold (0..4) to the port log; the
                                       threshold is process-wide in Mbed TLS. */
    const char *name;              /**< For logs and the RNG personalisation; NULL = "dtls". */
};

/** What the server gives the app. Callbacks run on the loop's thread. */
struct dtls_server_app {
    void *ctx;
    /** One record of application data from an established session. */
    void (*on_data)(void *ctx, uint32_t session, const uint8_t *buf, size_t len);
    /** A session the app has seen data from (or that was established) is gone. May be NULL. */
    void (*on_close)(void *ctx, uint32_t session);
};

/** Counters and gauges. */
struct dtls_server_stats {
    uint32_t sessions;          /**< Sessions now (half-open + established). */
    uint32_t established;       /**< Of which established (the others are half-open). */
    uint32_t sessions_peak;     /**< Most sessions at once. */
    uint64_t handshakes_ok;     /**< Handshakes completed. */
    uint64_t handshakes_failed; /**< Handshakes that failed after a valid cookie. */
    uint64_t refused;           /**< Valid ClientHellos refused because of max_sessions. */
    uint64_t hs_evicted;        /**< Half-open handshakes evicted for a newer valid hello. */
    uint64_t hs_expired;        /**< Half-open handshakes closed by hs_deadline_ms. */
    uint64_t cookies_sent;      /**< HelloVerifyRequests sent. */
    uint64_t bad_mac_closes;    /**< Sessions closed by the bad-MAC limit. */
    uint64_t idle_closes;       /**< Sessions closed by the idle reaper. */
    uint64_t peer_closes;       /**< Sessions closed by the peer (close_notify, alert). */
    uint64_t alloc_failures;    /**< Allocations the device heap (or a session's) refused. */
    uint64_t cid_migrations;    /**< Address changes of a session found by its CID. */
    uint64_t dgrams_in;         /**< Datagrams received (before link faults). */
    uint64_t dgrams_out;        /**< Datagrams sent to the socket (after link faults). */
    uint64_t dgrams_dropped;    /**< Received datagrams discarded (no session, not a hello). */
    uint64_t link_dropped;      /**< Datagrams the link faults dropped, both directions. */
    uint64_t send_errors;       /**< Datagrams the socket refused. */
    size_t heap_live;           /**< Device heap: bytes live now. */
    size_t heap_peak;           /**< Device heap: highest live bytes. */
    size_t session_peak_max;    /**< Highest peak of any one session (heap + its context). */
};

struct dtls_session;

/** A server. Fields are private. */
struct dtls_server {
    uv_loop_t *loop;
    struct dtls_server_app app;
    uv_udp_t udp;
    uv_timer_t reaper;
    struct link_fault link_in;
    struct link_fault link_out;
    struct port_heap heap; /**< The device heap. */
    struct port_rng rng;
    mbedtls_ssl_config conf;
    mbedtls_ssl_cookie_ctx cookie;
    mbedtls_x509_crt cert;
    mbedtls_x509_crt ca;
    mbedtls_pk_context key;
    int suites[DTLS_SERVER_SUITES_MAX + 1]; /**< Preference list, 0-terminated. */
    uint8_t psk[DTLS_SERVER_PSK_MAX];
    size_t psk_len;
    char psk_identity[DTLS_SERVER_PSK_ID_MAX + 1];
    int have_psk;
    int have_cert;
    int debug_level;
    char name[32];
    uint32_t max_sessions;
    uint32_t max_handshakes;
    uint32_t hs_deadline_ms;
    uint32_t idle_timeout_ms;
    uint16_t mtu;
    int cid;
    struct dtls_session *gate;     /**< The pre-verification context. */
    struct dtls_session *sessions; /**< All sessions, a doubly linked list. */
    struct dtls_session **by_addr; /**< Hash buckets by peer address. */
    struct dtls_session **by_cid;  /**< Hash buckets by our Connection ID. */
    struct dtls_session **by_id;   /**< Hash buckets by session id. */
    size_t nbuckets;               /**< A power of two. */
    uint32_t next_id;
    int gate_running;  /**< The gate is processing a ClientHello. */
    int gate_admitted; /**< Its cookie was valid and the cap allowed it. */
    int gate_refused;  /**< Its cookie was valid but the cap refused it. */
    struct dtls_server_stats st;
    uint8_t *rxbuf;          /**< Receive buffer of the socket. */
    int udp_ready;           /**< The socket handle is initialised. */
    int reaper_ready;        /**< The reaper timer is initialised. */
    int state;               /**< 0 init, 1 set up, 2 closing. */
    unsigned pending_closes; /**< Handles still closing. */
    void (*done)(void *arg);
    void *done_arg;
};

/** \brief Initialises srv so that dtls_server_close() is safe. Cannot fail. */
void dtls_server_init(struct dtls_server *srv);

/**
 * \brief Loads credentials, binds the socket and starts serving.
 * \param srv   An initialised server.
 * \param loop  The loop; it must outlive the server.
 * \param cfg   Settings; strings and buffers need not outlive the call.
 * \param app   The app's callbacks (copied); on_data is required.
 * \return      0; BO_EINVAL (bad settings: no PSK and no certificate, bad hex, ...);
 *              BO_ENOENT (a file is missing); BO_ECRYPTO (a key or certificate does not parse,
 *              or an Mbed TLS setup fails); BO_ENOMEM (heap budget); BO_EENTROPY; BO_EOS
 *              (the socket cannot be bound). On error, call dtls_server_close() anyway.
 */
int dtls_server_setup(struct dtls_server *srv, uv_loop_t *loop,
                      const struct dtls_server_config *cfg, const struct dtls_server_app *app);

/** \brief The bound UDP port (the ephemeral one when cfg->port was 0), or -1 before setup. */
int dtls_server_port(const struct dtls_server *srv);

/**
 * \brief Sends application data to an established session, as one record.
 * \return 0; BO_ENOENT (no such session or not established); BO_ERANGE (larger than a record
 *         can carry); BO_ENOMEM (heap); BO_EIO (Mbed TLS failed; the session is closed);
 *         BO_ESTATE (the server is not running).
 */
int dtls_server_send(struct dtls_server *srv, uint32_t session, const uint8_t *b, size_t n);

/**
 * \brief Closes one session (sends close_notify; on_close is called).
 * \return 0, or BO_ENOENT.
 */
int dtls_server_close_session(struct dtls_server *srv, uint32_t session);

/** \brief Changes the link faults of both directions at run time. \return 0 or BO_EINVAL. */
int dtls_server_set_link(struct dtls_server *srv, const struct link_fault_config *lf);

/**
 * \brief The heap of one session: bytes live now and the peak, its context struct included.
 * \return 0, or BO_ENOENT.
 */
int dtls_server_session_heap(const struct dtls_server *srv, uint32_t session, size_t *live,
                             size_t *peak);

/** \brief The link faults now applied (both directions have the same). */
const struct link_fault_config *dtls_server_link(const struct dtls_server *srv);

/** \brief Fills st with the counters and gauges of srv. */
void dtls_server_stats(const struct dtls_server *srv, struct dtls_server_stats *st);

/**
 * \brief Closes every session (on_close is called for each) and the server's handles.
 * \param srv   The server; may be merely initialised or partly set up.
 * \param done  Called when every handle has closed and the server's memory is released (from
 *              the loop, or at once when nothing needed the loop); may be NULL.
 * \param arg   Passed to done.
 */
void dtls_server_close(struct dtls_server *srv, void (*done)(void *arg), void *arg);

/**
 * \brief Decodes a PSK written in hexadecimal (as dtls_server_config.psk_hex takes it).
 * \param hex      NUL-terminated text: an even number (2 or more) of 0-9, a-f, A-F.
 * \param out      Receives the bytes.
 * \param max      Room at out; more bytes than this is an error.
 * \param out_len  Receives the number of bytes.
 * \return 0, or BO_EINVAL (nothing meaningful in out).
 */
int dtls_server_conf_hex(const char *hex, uint8_t *out, size_t max, size_t *out_len);

#endif /* DTLS_SERVER_H */
