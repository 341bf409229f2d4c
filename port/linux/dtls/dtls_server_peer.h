/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file dtls_server_peer.h
 * \brief A small blocking DTLS 1.2 client (Mbed TLS): the other end of a dtls_server, for
 *        tests, benchmarks and tools.
 *
 * A peer owns a connected UDP socket and works in blocking calls with deadlines, so each
 * runs in its own thread beside the server's loop. Its Mbed TLS allocations are charged to its
 * own heap (activated around every call), never to a device's.
 */
#ifndef DTLS_SERVER_PEER_H
#define DTLS_SERVER_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#include "port_heap.h"
#include "port_rng.h"

/** Settings of a peer. Zero-initialise, then fill what is needed. */
struct dtls_server_peer_config {
    const char *host;           /**< Numeric server address; NULL = "127.0.0.1". */
    uint16_t port;              /**< Server port. */
    const char *psk_identity;   /**< PSK identity; with psk_hex enables PSK suites. */
    const char *psk_hex;        /**< PSK as hexadecimal text. */
    const char *ca_file;        /**< CA to verify the server with; NULL = no verification. */
    const char *cert_file;      /**< Client certificate; NULL = none. */
    const char *key_file;       /**< Its key. */
    const char *server_name;    /**< Expected server name (SNI, verification); may be NULL. */
    int ciphersuite;            /**< Only this suite (an MBEDTLS_TLS_* id); 0 = defaults. */
    bool cid;                   /**< Offer a Connection ID. */
    uint32_t hs_timeout_min_ms; /**< 0 = 200. */
    uint32_t hs_timeout_max_ms; /**< 0 = 3200. */
    uint32_t deadline_ms;       /**< Longest handshake; 0 = 10000. */
    bool seeded;                /**< Deterministic RNG from seed; else system entropy. */
    uint64_t seed;
    uint16_t local_port; /**< Bind to this local port (SO_REUSEADDR); 0 = any. */
};

/** A peer. Fields are private. */
struct dtls_server_peer {
    int fd;
    struct sockaddr_storage server;
    struct port_heap heap;
    struct port_rng rng;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    int ciphersuites[2];
    uint8_t psk[64];
    uint64_t timer_start_ms;
    uint32_t timer_int_ms;
    uint32_t timer_fin_ms;
    uint32_t deadline_ms;
    uint16_t local_port;
    int last_error; /**< The last Mbed TLS error, for messages. */
};

/** \brief Initialises a peer so that dtls_server_peer_free() is safe. Cannot fail. */
void dtls_server_peer_init(struct dtls_server_peer *p);

/**
 * \brief Loads credentials and opens the socket (connected to the server).
 * \return 0, BO_EINVAL, BO_ENOENT, BO_ECRYPTO, BO_EENTROPY or BO_EOS.
 */
int dtls_server_peer_setup(struct dtls_server_peer *p, const struct dtls_server_peer_config *cfg);

/**
 * \brief Runs the handshake to completion.
 * \return 0; BO_ETIMEDOUT (no answer within the deadline); BO_EPROTO (the handshake failed:
 *         p->last_error holds the Mbed TLS code).
 */
int dtls_server_peer_handshake(struct dtls_server_peer *p);

/** \brief Sends one record of application data. \return 0 or BO_EIO. */
int dtls_server_peer_send(struct dtls_server_peer *p, const uint8_t *buf, size_t len);

/**
 * \brief Receives one record of application data.
 * \return Its length; BO_ETIMEDOUT after timeout_ms; BO_EPROTO when the session ended.
 */
int dtls_server_peer_recv(struct dtls_server_peer *p, uint8_t *buf, size_t len,
                          uint32_t timeout_ms);

/** \brief Moves the peer to a new local port (a NAT rebinding). \return 0 or BO_EOS. */
int dtls_server_peer_rebind(struct dtls_server_peer *p);

/** \brief The local UDP port of the peer's socket, or -1. */
int dtls_server_peer_local_port(const struct dtls_server_peer *p);

/** \brief Whether a Connection ID was negotiated. */
bool dtls_server_peer_has_cid(struct dtls_server_peer *p);

/** \brief Sends close_notify. */
void dtls_server_peer_close(struct dtls_server_peer *p);

/** \brief Releases the peer. Safe after init, and more than once. */
void dtls_server_peer_free(struct dtls_server_peer *p);

#endif /* DTLS_SERVER_PEER_H */
