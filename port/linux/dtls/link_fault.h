/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file link_fault.h
 * \brief A faulty datagram link: drop, duplicate, delay, reorder and an MTU cap, seeded.
 *
 * The faults are those of Mbed TLS's udp_proxy test program, applied by the device to each
 * direction of its UDP traffic (one struct link_fault per direction):
 * - drop=N:      about one datagram in N is dropped (each datagram independently, p = 1/N);
 * - duplicate=N: about one datagram in N is delivered twice;
 * - delay=MS:    every datagram is delivered MS milliseconds late (a fixed link latency);
 * - reorder=N:   about one datagram in N is held back and delivered right after the next one
 *                (udp_proxy's "delay" option); a held datagram with no successor is delivered
 *                after LINK_FAULT_HOLD_MS, so it is late but never lost;
 * - mtu=N:       datagrams longer than N bytes are dropped;
 * - seed=S:      the seed of the draws, so a run with the same traffic replays exactly.
 * A value of 0 turns a fault off. Draws come from vflash_prng streams derived from the seed and
 * the direction, so changing one fault does not shift the draws of another.
 *
 * Datagrams the link does not delay are delivered synchronously, from link_fault_input().
 * Delayed ones are copied (host memory, not the device heap: they are on the wire) and
 * delivered from a uv_timer of the link's loop.
 */
#ifndef LINK_FAULT_H
#define LINK_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <uv.h>

/** How long a reordered datagram waits for a successor before it is delivered anyway. */
#define LINK_FAULT_HOLD_MS 200

/** The fault settings of a link. All zero: a perfect link. */
struct link_fault_config {
    uint32_t drop_n;    /**< Drop 1 of N datagrams; 0 = off. */
    uint32_t dup_n;     /**< Duplicate 1 of N datagrams; 0 = off. */
    uint32_t delay_ms;  /**< Latency added to every datagram; 0 = off. */
    uint32_t reorder_n; /**< Hold back 1 of N datagrams until after the next one; 0 = off. */
    uint32_t mtu;       /**< Drop datagrams longer than this; 0 = off. */
    uint64_t seed;      /**< Seed of the random draws. */
};

/**
 * \brief Parses a link specification such as "drop=5,duplicate=5,delay=20,reorder=4,mtu=600,
 *        seed=7".
 *
 * Keys: drop, duplicate (or dup), delay, reorder, mtu, seed; values are decimal. An empty
 * string or "none" gives a perfect link. Keys not given are 0. Whitespace around items is
 * allowed. Unknown keys, repeated keys, missing or malformed values and values out of range
 * (above UINT32_MAX, or UINT64_MAX for the seed) are errors.
 * \param lf    Receives the settings (all fields written on success; untouched on error).
 * \param text  The specification; not NULL.
 * \param err   Receives a one-line description of the first error; may be NULL.
 * \param len   Size of err.
 * \return      0, or BO_EINVAL.
 */
int link_fault_parse(struct link_fault_config *lf, const char *text, char *err, size_t len);

/**
 * \brief Formats settings in the syntax link_fault_parse() reads ("none" for a perfect link).
 * \return The length written (excluding the NUL), or BO_ERANGE when buf is too small.
 */
int link_fault_format(const struct link_fault_config *lf, char *buf, size_t len);

/**
 * \brief Receives each datagram the link delivers.
 * \param ctx   The context given to link_fault_setup().
 * \param addr  The address the datagram was given with.
 * \param buf   The datagram; valid only during the call.
 * \param len   Its length.
 */
typedef void (*link_fault_deliver_fn)(void *ctx, const struct sockaddr *addr, const uint8_t *buf,
                                      size_t len);

/** Counters of one direction of a link. */
struct link_fault_stats {
    uint64_t input;      /**< Datagrams given to the link. */
    uint64_t delivered;  /**< Datagrams delivered (duplicates included). */
    uint64_t dropped;    /**< Dropped by drop=N. */
    uint64_t too_big;    /**< Dropped by mtu=N. */
    uint64_t duplicated; /**< Extra copies delivered by duplicate=N. */
    uint64_t delayed;    /**< Delivered late by delay=MS. */
    uint64_t reordered;  /**< Held back by reorder=N. */
    uint64_t queued;     /**< Copies waiting now (delayed or held), each a host allocation. */
    uint64_t discarded;  /**< Copies freed undelivered by link_fault_close(). */
};

struct link_fault_pkt;

/** One direction of a faulty link. Fields are private; read them through the functions. */
struct link_fault {
    struct link_fault_config cfg;
    uint64_t prng[3][4]; /**< Draw states of drop, duplicate, reorder. */
    uv_loop_t *loop;
    uv_timer_t timer;             /**< Fires at the due time of the first queued packet. */
    struct link_fault_pkt *queue; /**< Delayed and held packets, by due time. */
    link_fault_deliver_fn deliver;
    void *ctx;
    uint64_t tag; /**< Stream tag (the direction), mixed into the seed. */
    struct link_fault_stats stats;
    int timer_active; /**< The timer handle is initialised (needs closing). */
    void (*closed)(void *arg);
    void *closed_arg;
};

/** \brief Initialises a link with no faults and no loop. Cannot fail. */
void link_fault_init(struct link_fault *lf);

/**
 * \brief Attaches the link to a loop and a receiver.
 * \param lf       An initialised link.
 * \param loop     The loop of the delay timer.
 * \param cfg      Initial settings, or NULL for none.
 * \param tag      Any value distinguishing this link from others with the same seed.
 * \param deliver  Receives the datagrams the link delivers.
 * \param ctx      Passed to deliver.
 * \return         0, or BO_EOS when the timer cannot be initialised.
 */
int link_fault_setup(struct link_fault *lf, uv_loop_t *loop, const struct link_fault_config *cfg,
                     uint64_t tag, link_fault_deliver_fn deliver, void *ctx);

/**
 * \brief Changes the settings at run time; the draws restart from the new seed.
 *
 * Datagrams already delayed keep their due time.
 */
void link_fault_set(struct link_fault *lf, const struct link_fault_config *cfg);

/** \brief The current settings. */
const struct link_fault_config *link_fault_get(const struct link_fault *lf);

/**
 * \brief Puts one datagram on the link: it is dropped, delivered now (maybe twice), or queued.
 * \return 0 (delivered or queued), 1 (dropped by the link), or BO_ENOMEM (a delayed copy could
 *         not be allocated; the datagram is lost, as on an overloaded link).
 */
int link_fault_input(struct link_fault *lf, const struct sockaddr *addr, const uint8_t *buf,
                     size_t len);

/** \brief The counters of the link. */
void link_fault_stats(const struct link_fault *lf, struct link_fault_stats *st);

/**
 * \brief Discards queued datagrams and closes the timer.
 * \param lf      The link; may be merely initialised.
 * \param closed  Called (from the loop, or at once when nothing needs closing) when the link may
 *                be freed; may be NULL.
 * \param arg     Passed to closed.
 */
void link_fault_close(struct link_fault *lf, void (*closed)(void *arg), void *arg);

#endif /* LINK_FAULT_H */
