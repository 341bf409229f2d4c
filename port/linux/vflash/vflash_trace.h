/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_trace.h
 * \brief A trace of every operation of a virtual flash device as JSON lines.
 *
 * A trace attached to a device receives one JSON object per line (docs/faults.md has the
 * format): a "geometry" header when attached, then one line per operation ("program", "erase":
 * op index, sector, device offset, length, result code, the fault applied and its parameters),
 * per host write ("host-write"), per power-on ("power-on") and, with VFLASH_TRACE_READS, per
 * read ("read"). Programmed bytes are written as base64 ("data") with VFLASH_TRACE_DATA, or as
 * their SHA-256 in hex ("sha256") without it; only a trace with data can be replayed.
 *
 * The trace attaches to a device as its observer (struct vflash_observer in vflash.h), so the
 * device calls it without depending on it. Its replay is in vflash_replay.h.
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

#endif /* VFLASH_TRACE_H */
