/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_trace.h
 * \brief A trace of every operation of a virtual flash device as JSON lines, and its replay.
 *
 * A trace attached to a device receives one JSON object per line (docs/faults.md has the
 * format): a "geometry" header when attached, then one line per operation ("program", "erase":
 * op index, sector, device offset, length, result code, the fault applied and its parameters),
 * per host write ("host-write"), per power-on ("power-on") and, with VFLASH_TRACE_READS, per
 * read ("read"). Programmed bytes are written as base64 ("data") with VFLASH_TRACE_DATA, or as
 * their SHA-256 in hex ("sha256") without it; only a trace with data can be replayed.
 *
 * Replay applies a trace to a device with the same geometry: programs, erases and host writes
 * are done again, each power cut is re-armed as a cut of the same model, parameters and seed at
 * the same operation (so a torn or weak result is reproduced bit for bit from the same earlier
 * contents), power-ons and traced reads are repeated (reads keep the random draws of weak bits
 * in step), and operations that failed without changing flash (injected errors, wear-out, hook
 * errors) or were silently dropped are skipped. Flash contents, the ECC map and the weak regions
 * end exactly as in the traced run; counters may differ where operations were skipped.
 */
#ifndef VFLASH_TRACE_H
#define VFLASH_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

/** Write programmed bytes as base64 (needed for replay); otherwise as SHA-256. */
#define VFLASH_TRACE_DATA 0x1u
/** Also trace every read call (offset, length, result; never the bytes). */
#define VFLASH_TRACE_READS 0x2u

/** Longest device name in a trace, terminator included. */
#define VFLASH_TRACE_NAME_MAX 32

/**
 * \brief Receives one trace line.
 * \param arg   The argument given at setup.
 * \param line  The JSON object, NUL-terminated, without a newline.
 * \param len   strlen(line).
 * \return 0, or a negative code: the trace records it in error and stops writing.
 */
typedef int (*vflash_trace_fn)(void *arg, const char *line, size_t len);

/** A trace sink. Owned by the caller; must outlive its attachment to a device. */
struct vflash_trace {
    FILE *fp;                         /**< Lines go here (each followed by '\n'), or NULL. */
    vflash_trace_fn fn;               /**< Or to this callback, when fp is NULL. */
    void *arg;                        /**< The callback's argument. */
    unsigned flags;                   /**< VFLASH_TRACE_* bits. */
    char name[VFLASH_TRACE_NAME_MAX]; /**< "dev" of every line, or empty for none. */
    uint64_t lines;                   /**< Lines written. */
    int error;                        /**< First error (BO_EOS, BO_ENOMEM, callback code). */
};

/** \brief Initialises an unconnected trace. Cannot fail. */
void vflash_trace_init(struct vflash_trace *t);

/**
 * \brief Connects a trace to a stream or a callback (exactly one of fp and fn non-NULL).
 * \param name  The device name put in every line ("dev"), or NULL; at most 31 characters.
 * \return 0 or BO_EINVAL.
 */
int vflash_trace_setup(struct vflash_trace *t, FILE *fp, vflash_trace_fn fn, void *arg,
                       unsigned flags, const char *name);

/**
 * \brief Attaches a trace to a device (NULL detaches) and writes the geometry header.
 * \return 0, BO_EINVAL (NULL device) or the trace's error.
 */
int vflash_trace_attach(struct vflash *dev, struct vflash_trace *t);

/** What a replay did. */
struct vflash_replay_stats {
    uint64_t lines;   /**< Lines read (blank lines included). */
    uint64_t applied; /**< Lines applied to the device. */
    uint64_t skipped; /**< Lines for another device, failed or dropped operations. */
    uint64_t cuts;    /**< Power cuts re-armed. */
};

/**
 * \brief Applies one trace line to dev.
 *
 * \param dev   The device; its geometry must match the trace's header.
 * \param line  The JSON object (need not be NUL-terminated).
 * \param len   Its length.
 * \param name  Apply only lines whose "dev" is name; NULL applies every line.
 * \param st    Counts what was done; may be NULL.
 * \return 0; BO_EINVAL for a malformed line, a line without data, or a header that does not match
 *         the device; BO_ESTATE when the device gives a result other than the traced one; or
 *         BO_ENOMEM.
 */
int vflash_trace_replay_line(struct vflash *dev, const char *line, size_t len, const char *name,
                             struct vflash_replay_stats *st);

/**
 * \brief Applies every line of a trace stream to dev (see vflash_trace_replay_line()).
 * \param err      Receives "line N: reason" on error; may be NULL.
 * \param err_len  Size of err.
 * \return 0 or the first line's error (BO_EOS when the stream cannot be read).
 */
int vflash_trace_replay(struct vflash *dev, FILE *fp, const char *name,
                        struct vflash_replay_stats *st, char *err, size_t err_len);

/*
 * The seam with vflash.c (not for users): called when dev->trace is set.
 */

/** \brief Traces one operation and what the fault layer did to it. */
void vflash_trace_op(struct vflash *dev, const struct vflash_op *op,
                     const struct vflash_fault_action *act, int rc);

/** \brief Traces a read call (only with VFLASH_TRACE_READS). */
void vflash_trace_read(struct vflash *dev, uint32_t off, uint32_t len, int rc);

/** \brief Traces a host write. */
void vflash_trace_host_write(struct vflash *dev, uint32_t off, const uint8_t *src, uint32_t len,
                             int rc);

/** \brief Traces a power-on. */
void vflash_trace_power_on(struct vflash *dev);

#endif /* VFLASH_TRACE_H */
