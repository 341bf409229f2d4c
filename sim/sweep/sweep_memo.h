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
#include "vflash/vflash.h"

/** What a memo entry holds. */
enum sweep_memo_kind {
    SWEEP_MEMO_BOOT = 1,   /**< A boot's return code and struct boot_rsp. */
    SWEEP_MEMO_STABLE = 2, /**< The stable check's return code and struct invariant_report. */
    SWEEP_MEMO_VERIFY = 4, /**< A signature check's result (sweep_vcache.c), keyed by the key,
                                the hash and the signature. */
    SWEEP_MEMO_REST = 3,   /**< What a run from power-on to its verdict found (sweep_exec.c):
                                a run that writes, keyed by the flash it started from and the
                                application's state. */
};

/** Counts shared by every process of a sweep (sweep_memo_count()). */
enum sweep_memo_counter {
    SWEEP_MEMO_N_BOOTS = 0,   /**< Boots the bootloader ran. */
    SWEEP_MEMO_N_BOOT_HITS,   /**< Boots taken from the table. */
    SWEEP_MEMO_N_RESTS,       /**< Runs from power-on to a verdict that ran (distinct states,
                                   and the states that cannot be keyed). */
    SWEEP_MEMO_N_REST_HITS,   /**< Such runs taken from the table. */
    SWEEP_MEMO_N_VERIFIES,    /**< Signature verifications that ran. */
    SWEEP_MEMO_N_VERIFY_HITS, /**< Signature verifications taken from the table. */
    SWEEP_MEMO_N_COUNT
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
    uint64_t *counts; /**< SWEEP_MEMO_N_COUNT shared counters. */
    bool off;         /**< Count only: lookups miss and nothing is stored (--no-cache). */
    size_t count;     /**< Entries, a power of two. */
    size_t map_len;   /**< Bytes mapped. */
    uint64_t hits;    /**< Found in this process. */
    uint64_t stores;  /**< Stored by this process. */
};

/**
 * \brief Maps a table of count entries (rounded up to a power of two) in shared memory.
 * \return 0, or BO_ENOMEM.
 */
int sweep_memo_setup(struct sweep_memo *m, size_t count);

/** \brief Unmaps the table (in the process that mapped it; children just exit). */
void sweep_memo_free(struct sweep_memo *m);

/** The per-sector sums of one device. */
struct sweep_memo_sums {
    uint64_t (*sum)[2]; /**< Hash of each sector's bytes and ECC bits. */
    uint8_t *dirty;     /**< Non-zero: the sector may have changed since its sum. */
    uint32_t n;         /**< Sectors. */
    bool off;           /**< The device is hashed whole every time (its ECC bits of a sector do
                             not start on a byte). */
};

/**
 * A process's cache of sector sums of its flash: a key rehashes only the sectors an operation
 * touched since the last key (sweep_memo_cache_touch(), called before every operation), or all
 * after sweep_memo_cache_reset() (the flash was written around the operations).
 */
struct sweep_memo_cache {
    struct sweep_memo_sums dev[PORT_FLASH_MAP_MAX_DEVICES];
    uint32_t count;
};

/** \brief Sizes the cache for the map's devices, every sector dirty. \return 0 or BO_ENOMEM. */
int sweep_memo_cache_setup(struct sweep_memo_cache *c, const struct port_flash_map *map);

/** \brief Frees the cache. */
void sweep_memo_cache_free(struct sweep_memo_cache *c);

/** \brief Marks the sectors of device dev (d) that op touches as changed. */
void sweep_memo_cache_touch(struct sweep_memo_cache *c, uint32_t dev, const struct vflash *d,
                            const struct vflash_op *op);

/**
 * \brief Brings the sums of the changed sectors up to date now (a process about to fork:
 *        its children then rehash only what they change).
 */
void sweep_memo_cache_refresh(struct sweep_memo_cache *c, const struct port_flash_map *map);

/** \brief Marks every sector as changed (c may be NULL). */
void sweep_memo_cache_reset(struct sweep_memo_cache *c);

/**
 * \brief The key of the map's flash for kind: every device's contents, ECC map and fault
 *        digest (vflash_fault_digest()), with extra bytes of context mixed in. c (or NULL)
 *        holds sector sums to reuse.
 * \return false when the state cannot be keyed (a device holds weak bits).
 */
bool sweep_memo_key(const struct port_flash_map *map, struct sweep_memo_cache *c,
                    enum sweep_memo_kind kind, const void *extra, size_t extra_len,
                    struct sweep_memo_key *k);

/** \brief The key of len bytes of data for kind (no flash in it). */
void sweep_memo_key_buf(enum sweep_memo_kind kind, const void *data, size_t len,
                        struct sweep_memo_key *k);

/** \brief Adds one to a shared counter (m may be NULL). */
void sweep_memo_count(struct sweep_memo *m, enum sweep_memo_counter which);

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
