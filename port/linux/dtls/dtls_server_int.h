/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file dtls_server_int.h
 * \brief Internals shared by the dtls_server_*.c files (not for users of dtls_server.h).
 *
 * Files and concepts:
 * - dtls_server.c          the socket, dispatch of datagrams, the public API, the reaper;
 * - dtls_server_conf.c     credentials and the shared mbedtls_ssl_config;
 * - dtls_server_map.c      the session map (by peer address, by Connection ID, by id);
 * - dtls_server_session.c  one session: its ssl context, bio callbacks, driving, closing;
 * - dtls_server_timer.c    the Mbed TLS timer contract on a uv_timer;
 * - dtls_server_gate.c     the pre-verification context: cookies and admission.
 */
#ifndef DTLS_SERVER_INT_H
#define DTLS_SERVER_INT_H

#include "dtls/dtls_server.h"

/** Life of a dtls_session. */
enum dtls_session_state {
    DTLS_SESSION_GATE = 0,    /**< The pre-verification context. */
    DTLS_SESSION_HANDSHAKE,   /**< Cookie verified, handshake running. */
    DTLS_SESSION_ESTABLISHED, /**< Application data flows. */
    DTLS_SESSION_CLOSING,     /**< Out of the map; the handles are closing. */
};

/** Why a session is closed (selects the counter). */
enum dtls_close_reason {
    DTLS_CLOSE_LOCAL = 0,  /**< The app or the server's close. */
    DTLS_CLOSE_IDLE,       /**< The idle reaper. */
    DTLS_CLOSE_PEER,       /**< close_notify or a fatal alert from the peer. */
    DTLS_CLOSE_BADMAC,     /**< The bad-MAC limit. */
    DTLS_CLOSE_HS_FAILED,  /**< The handshake failed or timed out. */
    DTLS_CLOSE_HS_EVICTED, /**< A half-open handshake made way for a newer one. */
    DTLS_CLOSE_HS_EXPIRED, /**< A half-open handshake passed its deadline. */
    DTLS_CLOSE_ERROR,      /**< Another Mbed TLS error on an established session. */
};

/** One peer's DTLS session (or the gate). Allocated from the device heap. */
struct dtls_session {
    struct dtls_server *srv;
    struct dtls_session *prev; /**< The server's list of sessions. */
    struct dtls_session *next;
    struct dtls_session *next_addr; /**< Hash chains of the map. */
    struct dtls_session *next_cid;
    struct dtls_session *next_id;
    int in_addr_map;
    int in_cid_map;
    int in_list;
    uint32_t id;
    enum dtls_session_state state;
    struct sockaddr_storage peer;     /**< Where records to the peer go. */
    uint8_t cid[DTLS_SERVER_CID_LEN]; /**< Our Connection ID (what the peer puts in records). */
    struct port_heap heap;            /**< Charged with this session's Mbed TLS memory. */
    mbedtls_ssl_context ssl;
    int ssl_ready;         /**< mbedtls_ssl_setup() succeeded. */
    uv_timer_t timer;      /**< The Mbed TLS timer. */
    uint64_t timer_start;  /**< Loop time (ms) when the timer was set. */
    uint32_t timer_int_ms; /**< Intermediate delay; meaningful when timer_fin_ms. */
    uint32_t timer_fin_ms; /**< Final delay; 0 = cancelled. */
    const uint8_t *rx;     /**< The datagram being handed to Mbed TLS, or NULL. */
    size_t rx_len;
    uint64_t last_active;     /**< Loop time of the last traffic. */
    uint64_t hs_start;        /**< Loop time of the verified hello (the deadline's start). */
    uint8_t hello_random[32]; /**< Client random of the hello that made the session. */
};

/* dtls_server.c */

/** \brief Puts one datagram to addr on the outbound link (then the socket). */
void dtls_server_output(struct dtls_server *srv, const struct sockaddr *addr, const uint8_t *buf,
                        size_t len);

/** \brief Length of a sockaddr of the family of addr. */
socklen_t dtls_server_addr_len(const struct sockaddr *addr);

/** \brief Whether two addresses are the same (family, address and port). */
int dtls_server_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/** \brief Called when one of the server's handles finished closing. */
void dtls_server_handle_closed(struct dtls_server *srv);

/* dtls_server_conf.c */

/** \brief Loads credentials and sets up srv->rng, srv->conf and srv->cookie. */
int dtls_server_conf_setup(struct dtls_server *srv, const struct dtls_server_config *cfg);

/** \brief Parses a certificate (chain) file, PEM or DER, into crt. 0 or a bo_err. */
int dtls_server_conf_crt(mbedtls_x509_crt *crt, const char *path);

/** \brief Parses a private key file, PEM or DER, into key. 0 or a bo_err. */
int dtls_server_conf_key(mbedtls_pk_context *key, const char *path, struct port_rng *rng);

/** \brief Releases what dtls_server_conf_setup() made. Safe after dtls_server_init(). */
void dtls_server_conf_free(struct dtls_server *srv);

/* dtls_server_map.c */

/** \brief Allocates the hash buckets for about max_sessions sessions. 0 or BO_ENOMEM. */
int dtls_server_map_setup(struct dtls_server *srv, uint32_t max_sessions);

/** \brief Releases the buckets. */
void dtls_server_map_free(struct dtls_server *srv);

/** \brief Adds s to the list and the id and address maps. */
void dtls_server_map_add(struct dtls_server *srv, struct dtls_session *s);

/** \brief Removes s from every map and the list it is in. */
void dtls_server_map_remove(struct dtls_server *srv, struct dtls_session *s);

/** \brief Adds s to the Connection ID map. */
void dtls_server_map_add_cid(struct dtls_server *srv, struct dtls_session *s);

/** \brief Moves s to a new peer address in the address map (and s->peer). */
void dtls_server_map_move(struct dtls_server *srv, struct dtls_session *s,
                          const struct sockaddr *addr);

/** \brief The session of a peer address, or NULL. */
struct dtls_session *dtls_server_map_by_addr(const struct dtls_server *srv,
                                             const struct sockaddr *addr);

/** \brief The session of a Connection ID (DTLS_SERVER_CID_LEN bytes), or NULL. */
struct dtls_session *dtls_server_map_by_cid(const struct dtls_server *srv, const uint8_t *cid);

/** \brief The session of an id, or NULL. */
struct dtls_session *dtls_server_map_by_id(const struct dtls_server *srv, uint32_t id);

/* dtls_server_session.c */

/**
 * \brief Allocates a session (the gate state) with its heap, ssl context and timer.
 * \return The session, or NULL (allocation or setup failed; counted).
 */
struct dtls_session *dtls_server_session_new(struct dtls_server *srv);

/** \brief Gives one datagram from addr to a session in the map and runs Mbed TLS. */
void dtls_server_session_input(struct dtls_session *s, const struct sockaddr *addr,
                               const uint8_t *buf, size_t len);

/** \brief Runs the session's handshake or reads its records (also used by the timer). */
void dtls_server_session_drive(struct dtls_session *s);

/** \brief Sends application data. See dtls_server_send(). */
int dtls_server_session_write(struct dtls_session *s, const uint8_t *b, size_t n);

/** \brief Closes a session (counted by reason); its memory is released from the loop. */
void dtls_server_session_close(struct dtls_session *s, enum dtls_close_reason reason);

/** \brief Releases a session that was never in the map (the gate) from the loop. */
void dtls_server_session_discard(struct dtls_session *s);

/** \brief The peak heap of a session, its context included. */
size_t dtls_server_session_peak(const struct dtls_session *s);

/* dtls_server_timer.c */

/** \brief mbedtls_ssl_set_timer_cb's f_set_timer; ctx is a struct dtls_session. */
void dtls_server_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms);

/** \brief mbedtls_ssl_set_timer_cb's f_get_timer: -1 cancelled, 0, 1 (int) or 2 (fin) passed. */
int dtls_server_timer_get(void *ctx);

/* dtls_server_gate.c */

/** \brief The cookie writer given to Mbed TLS (srv->cookie); ctx is the server. */
int dtls_server_gate_cookie_write(void *ctx, unsigned char **p, unsigned char *end,
                                  const unsigned char *cli_id, size_t cli_id_len);

/** \brief The cookie check given to Mbed TLS: checks the cookie, then admission. */
int dtls_server_gate_cookie_check(void *ctx, const unsigned char *cookie, size_t clen,
                                  const unsigned char *cli_id, size_t cli_id_len);

/** \brief Whether a datagram looks like a ClientHello in epoch 0 (worth the gate's time). */
int dtls_server_gate_is_hello(const uint8_t *buf, size_t len);

/**
 * \brief Whether a datagram is a copy of the ClientHello that made session s (same client
 *        random): a duplicate or late copy from the network, not a restarted client.
 */
int dtls_server_gate_is_stale_hello(const struct dtls_session *s, const uint8_t *buf, size_t len);

/** \brief Closes the oldest half-open handshake (with a fatal alert). 1 if there was one. */
int dtls_server_gate_evict(struct dtls_server *srv);

/** \brief Runs one ClientHello from an unknown peer through the gate. */
void dtls_server_gate_input(struct dtls_server *srv, const struct sockaddr *addr,
                            const uint8_t *buf, size_t len);

#endif /* DTLS_SERVER_INT_H */
