/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_memo.h
 * \brief A table of the results of boots that write nothing, keyed by the flash they started
 *        from, shared by the processes of a snapshot sweep (sweep_snap.c). Not a public API.
 *
 * A boot starts from reset: all it depends on is the flash (contents, ECC maps, fault state)
 * and the board's configuration, fixed for a sweep. When it performs no flash operation, the
 * flash it leaves is the flash it found, so its response and return code are all there is to
 * remember: a later boot from the same flash gives the same, and the sweep can take them from
 * the table instead of booting again (most cut points end in the same few states, whose
 * further clean boot is the same boot every time).
 *
 * Only exact reuse is allowed: a state is keyed only when no device holds weak bits (their
 * reads draw random values), a result is stored only when the boot made no operation and no
 * read drew a fault, and the key is a 128-bit hash of every byte of every device. The
 * operation hook a sweep is given (sweep_opts.inject) must depend only on its arguments and
 * configure only program and erase faults, as the determinism of -j already requires.
 *
 * The table lives in shared anonymous memory created before the first fork; entries are
 * published with atomic operations and never change once published, so processes may crash
 * or race without harm (a racing writer only duplicates an entry). A full table stores no more.
 */
#ifndef SIM_SWEEP_MEMO_H
#define SIM_SWEEP_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port_flash_map.h"

/** What a memo entry holds. */
enum sweep_memo_kind {
    SWEEP_MEMO_BOOT = 1,   /**< A boot's return code and struct boot_rsp. */
    SWEEP_MEMO_STABLE = 2, /**< The stable check's return code and struct invariant_report. */
};

/** Largest value an entry holds, in bytes. */
#define SWEEP_MEMO_VALUE_MAX 256u

/** A flash state's key. */
struct sweep_memo_key {
    uint64_t h[2];
};

struct sweep_memo_entry;

/** The shared table. */
struct sweep_memo {
    struct sweep_memo_entry *tab;
    size_t count;    /**< Entries, a power of two. */
    size_t map_len;  /**< Bytes mapped. */
    uint64_t hits;   /**< Found in this process. */
    uint64_t stores; /**< Stored by this process. */
};

/**
 * \brief Maps a table of count entries (rounded up to a power of two) in shared memory.
 * \return 0, or BO_ENOMEM.
 */
int sweep_memo_setup(struct sweep_memo *m, size_t count);

/** \brief Unmaps the table (in the process that mapped it; children just exit). */
void sweep_memo_free(struct sweep_memo *m);

/**
 * \brief The key of the map's flash for kind, with extra bytes of context mixed in.
 * \return false when the state cannot be keyed (a device holds weak bits).
 */
bool sweep_memo_key(const struct port_flash_map *map, enum sweep_memo_kind kind, const void *extra,
                    size_t extra_len, struct sweep_memo_key *k);

/**
 * \brief Looks k up. \return true with *rc and the len bytes of value filled, or false.
 */
bool sweep_memo_find(struct sweep_memo *m, const struct sweep_memo_key *k,
                     enum sweep_memo_kind kind, int *rc, void *value, size_t len);

/** \brief Stores rc and len (<= SWEEP_MEMO_VALUE_MAX) bytes of value under k. */
void sweep_memo_add(struct sweep_memo *m, const struct sweep_memo_key *k, enum sweep_memo_kind kind,
                    int rc, const void *value, size_t len);

/** \brief Read faults drawn so far by the map's devices (weak reads and bit flips). */
uint64_t sweep_memo_read_faults(const struct port_flash_map *map);

#endif /* SIM_SWEEP_MEMO_H */
