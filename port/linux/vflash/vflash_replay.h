/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_replay.h
 * \brief The replay of a virtual flash device's operation trace (vflash_trace.h has the format).
 *
 * Replay applies a trace to a device with the same geometry: programs, erases and host writes
 * are done again, each power cut is re-armed as a cut of the same model, parameters and seed at
 * the same operation (so a torn or weak result is reproduced bit for bit from the same earlier
 * contents), power-ons and traced reads are repeated (reads keep the random draws of weak bits
 * in step), and operations that failed without changing flash (injected errors, wear-out, hook
 * errors) or were silently dropped are skipped. Flash contents, the ECC map and the weak regions
 * end exactly as in the traced run; counters may differ where operations were skipped.
 */
#ifndef VFLASH_REPLAY_H
#define VFLASH_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vflash/vflash.h"

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
int vflash_replay_line(struct vflash *dev, const char *line, size_t len, const char *name,
                       struct vflash_replay_stats *st);

/**
 * \brief Applies every line of a trace stream to dev (see vflash_replay_line()).
 * \param err      Receives "line N: reason" on error; may be NULL.
 * \param err_len  Size of err.
 * \return 0 or the first line's error (BO_EOS when the stream cannot be read).
 */
int vflash_replay(struct vflash *dev, FILE *fp, const char *name, struct vflash_replay_stats *st,
                  char *err, size_t err_len);

#endif /* VFLASH_REPLAY_H */
