/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file coap_server.h
 * \brief A small CoAP server (RFC 7252) over a datagram transport that names peers by a
 *        32-bit session id: dispatch by Uri-Path and method to a fixed resource table,
 *        piggybacked replies to CON requests, NON replies to NON requests, separate responses
 *        (an empty ACK now, a CON response later, retransmitted with exponential backoff),
 *        duplicate detection by (peer, message id) with a fixed cache that replays the reply,
 *        and Block2 slicing of representations (RFC 7959).
 *
 * Rules it applies to every request, in order: a duplicate gets the cached reply again; an
 * unrecognised critical option, or a non-repeatable one repeated, gets 4.02 (Proxy-Uri and
 * Proxy-Scheme get 5.05); an unknown path 4.04; a method the resource does not allow 4.05; a
 * malformed Block1/Block2/Size1 value 4.00; an Accept that the representation does not match
 * 4.06. A CON message that does not parse, an empty CON (a ping), and a CON response or a CON
 * with a reserved code class get RST; such NON messages are ignored.
 *
 * Everything is fixed-size: no allocation, no global state. Time is the caller's now_ms.
 */
#ifndef OTA_COAP_SERVER_H
#define OTA_COAP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ota/coap_block.h"
#include "ota/coap_msg.h"

/** Largest datagram received or sent: a 1024-byte block with its header and options. */
#define COAP_SERVER_MSG_MAX 1152u
/** Largest representation a handler may produce (sent in Block2 slices when asked). */
#define COAP_SERVER_REP_MAX 1024u
/** Replies remembered for duplicate detection. */
#define COAP_SERVER_DEDUP_SLOTS 16u
/** Longest reply kept in the duplicate cache (longer GET replies are recomputed). */
#define COAP_SERVER_DEDUP_RSP_MAX 96u
/** Requests waiting for their separate response. */
#define COAP_SERVER_DEFER_SLOTS 2u
/** Longest request that can be answered separately (others are answered at once). */
#define COAP_SERVER_DEFER_RAW_MAX 256u
/** Confirmable responses awaiting an ACK. */
#define COAP_SERVER_CON_SLOTS 4u
/** Longest confirmable response kept for retransmission. */
#define COAP_SERVER_CON_MAX 256u

/** RFC 7252 section 4.8 transmission parameters, in milliseconds. */
#define COAP_ACK_TIMEOUT_MS 2000u
#define COAP_MAX_RETRANSMIT 4u
#define COAP_EXCHANGE_LIFETIME_MS 247000u
#define COAP_NON_LIFETIME_MS 145000u

/** A method bit for struct coap_resource.methods. */
#define COAP_METHOD_BIT(code) ((uint8_t)(1u << ((code)&0x7u)))

/** A decoded request, as a handler sees it. */
struct coap_req {
    uint32_t peer;
    const struct coap_msg *msg;
    uint64_t now_ms;
    uint16_t content_format; /**< COAP_CF_NONE when absent. */
    uint16_t accept;         /**< The Accept option; COAP_CF_NONE when absent. */
    bool has_block1;
    struct coap_block block1;
    bool has_block2;
    struct coap_block block2;
    bool has_size1;
    uint32_t size1;
};

/** A response being built by a handler. */
struct coap_rsp {
    uint8_t code;            /**< Set by the handler (preset to 5.00). */
    uint16_t content_format; /**< COAP_CF_NONE: no Content-Format option. */
    bool has_block1;
    struct coap_block block1; /**< Echoed Block1 of an upload. */
    bool has_size1;
    uint32_t size1;     /**< Size1 (with 4.13: the largest size accepted). */
    uint8_t *payload;   /**< The server's representation buffer. */
    size_t payload_cap; /**< COAP_SERVER_REP_MAX. */
    size_t payload_len; /**< Bytes the handler wrote. */
    /** Called once the response was handed to the transport (e.g. to reboot). */
    void (*after_send)(void *ctx);
};

/**
 * A request handler.
 * \return 0 with rsp filled; BO_EPOWER to stop at once (power was cut: nothing is sent);
 *         another negative code makes the server answer 5.00.
 */
typedef int (*coap_handler_fn)(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);

/** One resource. */
struct coap_resource {
    const char *path; /**< Segments joined by '/', no leading '/': "fw/upload". */
    uint8_t methods;  /**< COAP_METHOD_BIT() of each allowed method. */
    uint8_t separate; /**< Methods whose CON requests get a separate response. */
    coap_handler_fn handler;
};

/** What the server is given. */
struct coap_server_config {
    const struct coap_resource *resources;
    size_t resource_count;
    void *ctx; /**< Passed to handlers and after_send. */
    /** Sends one datagram to a peer. Returns 0 or a negative bo_err code. */
    int (*send)(void *send_ctx, uint32_t peer, const uint8_t *buf, size_t len);
    void *send_ctx;
    uint16_t first_mid; /**< Message id of the first message the server originates. */
};

/** Counters. */
struct coap_server_stats {
    uint64_t rx;         /**< Datagrams received. */
    uint64_t tx;         /**< Datagrams sent (retransmissions included). */
    uint64_t malformed;  /**< Datagrams that did not parse. */
    uint64_t duplicates; /**< Requests answered from the duplicate cache. */
    uint64_t rst_sent;
    uint64_t retransmits; /**< CON retransmissions. */
    uint64_t give_ups;    /**< CON responses never acknowledged. */
    uint64_t separate;    /**< Requests answered separately. */
};

/** A remembered reply. */
struct coap_dedup_entry {
    bool used;
    bool recompute; /**< The reply was too long to keep: recompute it (GET only). */
    uint32_t peer;
    uint16_t mid;
    uint16_t rsp_len; /**< 0: nothing to replay. */
    uint64_t expires_ms;
    uint8_t rsp[COAP_SERVER_DEDUP_RSP_MAX];
};

/** A CON request whose response is computed later. */
struct coap_deferred {
    bool used;
    uint32_t peer;
    uint16_t len;
    uint64_t due_ms; /**< When it was received: it is computed on the next tick. */
    uint8_t raw[COAP_SERVER_DEFER_RAW_MAX];
};

/** A CON message sent by the server, awaiting its ACK. */
struct coap_con {
    bool used;
    uint32_t peer;
    uint16_t mid;
    uint16_t len;
    uint8_t retries;     /**< Retransmissions done. */
    uint32_t timeout_ms; /**< Current timeout (doubles each retransmission). */
    uint64_t next_ms;    /**< When to retransmit (or give up). */
    uint8_t buf[COAP_SERVER_CON_MAX];
};

/** The server. Treat the fields as private. */
struct coap_server {
    struct coap_server_config cfg;
    uint16_t next_mid;
    struct coap_server_stats stats;
    struct coap_dedup_entry dedup[COAP_SERVER_DEDUP_SLOTS];
    struct coap_deferred defer[COAP_SERVER_DEFER_SLOTS];
    struct coap_con con[COAP_SERVER_CON_SLOTS];
    uint8_t rep[COAP_SERVER_REP_MAX];
    uint8_t tx[COAP_SERVER_MSG_MAX];
};

/** \brief Zeroes a server (cannot fail). */
void coap_server_init(struct coap_server *s);

/**
 * \brief Sets up a server.
 * \return 0, or BO_EINVAL for a missing send callback or resource table.
 */
int coap_server_setup(struct coap_server *s, const struct coap_server_config *cfg);

/**
 * \brief Handles one received datagram; replies go out through cfg.send.
 * \return 0 (protocol errors are answered, not returned); BO_EPOWER when a handler lost power
 *         (stop at once); BO_EINVAL for bad arguments.
 */
int coap_server_input(struct coap_server *s, uint32_t peer, const uint8_t *dgram, size_t len,
                      uint64_t now_ms);

/**
 * \brief Computes due separate responses, retransmits CON responses whose timeout passed,
 *        gives up on those retransmitted COAP_MAX_RETRANSMIT times, and expires cache entries.
 * \return 0, or BO_EPOWER when a handler lost power.
 */
int coap_server_tick(struct coap_server *s, uint64_t now_ms);

/** \brief When coap_server_tick() next has work; UINT64_MAX: none. */
uint64_t coap_server_next_deadline(const struct coap_server *s);

/** \brief Forgets a peer: its cached replies, pending requests and CON responses. */
void coap_server_peer_gone(struct coap_server *s, uint32_t peer);

/** \brief The counters. */
const struct coap_server_stats *coap_server_stats(const struct coap_server *s);

/** \brief Releases a server (nothing is held; safe after init). */
void coap_server_free(struct coap_server *s);

#endif /* OTA_COAP_SERVER_H */
