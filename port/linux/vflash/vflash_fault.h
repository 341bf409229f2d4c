/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_fault.h
 * \brief Fault models of a virtual flash device: power cuts at operation N with six models of
 *        what the interrupted operation leaves in flash, and non-cut faults (errors, silent
 *        drops, read bit flips) at seeded rates. docs/faults.md is the reference.
 *
 * A cut is armed for one operation index (see vflash.h for what an operation is). When the
 * device reaches that operation, after the user hook let it proceed, the model decides what
 * lands, power is lost and the call returns BO_EPOWER; the device then refuses every call until
 * vflash_power_on(). A cut is one-shot: it disarms when it fires. Models:
 *
 * - `before`: the operation does not happen.
 * - `after`: the operation completes, then power is lost.
 * - `torn-prefix`: the first k write units of a program land, the others keep their old bytes;
 *   k is given or drawn uniformly in [0, units). On an erase it acts as `erase-partial`.
 * - `torn-bits`: each bit the operation would change ends old or new (one random bit each);
 *   bits it would not change are untouched. On an erase the bits that are not erased move to
 *   the erased value at random.
 * - `erase-partial`: an erase leaves each non-erased bit erased with probability p/1000, where
 *   p (the progress, in permille) is given or drawn uniformly in [1, 999]. Bits only move
 *   toward the erased value. On a program it acts as `before`.
 * - `weak`: the operation's result is stored, but every bit it changed is unstable: each read
 *   returns, for each such bit, the old or the new value at random, until a program over the
 *   unit or an erase of the sector (or a host write) settles it. The regions live in the
 *   device's heap, or in a shared weak map (vflash_fault_weak_attach(), vflash_weak.h) where
 *   they outlive the process that cut power.
 *
 * With ECC semantics the "programmed" map follows what landed: the units a torn program touched
 * are programmed (a torn ECC write cannot be programmed again without an erase); after a torn
 * erase a unit is programmed unless it is fully erased.
 *
 * A user hook may arm a cut for the operation it is looking at (op->index) and return 0: the cut
 * then applies to that very operation. This is how a board-wide hook counting operations over
 * several devices places a fault model on the one it chose.
 *
 * Non-cut faults, in the order they are checked after the user hook and an armed cut: wear-out
 * (a sector erased more than its endurance, see vflash_set_endurance()), then an injected
 * program or erase error, then a silent program drop. An error changes nothing and the
 * operation does not count; a drop counts as completed (time passes) but nothing lands.
 */
#ifndef VFLASH_FAULT_H
#define VFLASH_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vflash/vflash.h"

/** What an operation interrupted by a power cut leaves in flash. */
enum vflash_cut_model {
    VFLASH_CUT_BEFORE = 0,    /**< Nothing happened. */
    VFLASH_CUT_AFTER,         /**< The operation completed. */
    VFLASH_CUT_TORN_PREFIX,   /**< The first k write units landed. */
    VFLASH_CUT_TORN_BITS,     /**< Each changing bit ends old or new at random. */
    VFLASH_CUT_ERASE_PARTIAL, /**< A random part of the non-erased bits got erased. */
    VFLASH_CUT_WEAK,          /**< The result is stored but its changed bits read unstably. */
    VFLASH_CUT_MODEL_COUNT    /**< Number of models; not a model. */
};

/** A parameter value meaning "draw it from the cut's seed". */
#define VFLASH_CUT_SEEDED UINT32_MAX

/** A power cut to arm. */
struct vflash_cut {
    uint64_t op_index; /**< The operation to cut (vflash_op.index). */
    enum vflash_cut_model model;
    uint32_t units;    /**< torn-prefix: k, or VFLASH_CUT_SEEDED. A k at or beyond
                                      the operation's unit count lands every unit. */
    uint32_t permille; /**< erase-partial (and torn-prefix on an erase): progress p in
                                      0..1000, or VFLASH_CUT_SEEDED. */
    uint64_t seed;     /**< Seed of every random choice of the cut. */
    uint32_t level;    /**< torn-bits and weak: 0 for the default (torn-bits: each changing
                            bit ends old or new with even odds; weak: every changed bit is
                            unstable), or a level p in 1..1000 permille: torn-bits: each
                            changing bit ends new with probability p/1000; weak: each changed
                            bit is unstable with probability p/1000 and settles at its new
                            value otherwise. A sweep's --levels enumerates it. */
};

/**
 * What a read of a torn ECC unit returns. A unit is torn when a cut (torn-bits, erase-partial,
 * torn-bits on an erase) left it programmed with bytes that are neither its old ones nor the
 * intended ones, so that its stored ECC cannot match; a program, an erase or a host write over
 * the unit ends that. NOR and no-erase devices have no torn units.
 */
enum vflash_ecc_torn {
    VFLASH_ECC_TORN_ERASED = 0, /**< The stored bytes, as if ECC were not checked (default). */
    VFLASH_ECC_TORN_READ_ERROR, /**< A read touching the unit fails with BO_EIO (an
                                     uncorrectable ECC error); nothing is copied reliably. */
    VFLASH_ECC_TORN_GARBAGE,    /**< Seeded pseudo-random bytes, the same on every read of the
                                     unit (a miscorrection). */
    VFLASH_ECC_TORN_COUNT       /**< Number of settings; not a setting. */
};

/** \brief The setting's name: "erased", "read-error", "garbage", or "unknown". */
const char *vflash_ecc_torn_name(enum vflash_ecc_torn mode);

/** \brief Parses a setting name. \return The setting, or BO_EINVAL. */
int vflash_ecc_torn_parse(const char *name);

/**
 * \brief Sets what reads of torn ECC units return from now on (vflash_read() only; host reads
 *        get the stored bytes). seed seeds the garbage bytes: unit u reads as the same bytes for
 *        the same seed.
 * \return 0, BO_EINVAL (NULL device or unknown setting), BO_ESTATE (not set up), or BO_ENOMEM.
 */
int vflash_fault_set_ecc_torn(struct vflash *dev, enum vflash_ecc_torn mode, uint64_t seed);

/** \brief Whether write unit `unit` is torn (see enum vflash_ecc_torn). */
bool vflash_fault_unit_torn(const struct vflash *dev, uint32_t unit);

/** \brief Forgets every torn unit (for restoring a snapshot of the contents, as clear_weak). */
void vflash_fault_clear_torn(struct vflash *dev);

/** What an armed cut did. */
struct vflash_cut_result {
    bool armed;                    /**< A cut was armed (and has not been cleared since). */
    bool reached;                  /**< The cut fired. The fields below are valid only then. */
    enum vflash_cut_model model;   /**< The armed model. */
    enum vflash_cut_model applied; /**< The model applied: `before` for erase-partial on a
                                        program or when memory ran out, `erase-partial` for
                                        torn-prefix on an erase, else model. */
    struct vflash_op op;           /**< The operation cut (data is NULL). */
    uint32_t units;                /**< Write units in the operation. */
    uint32_t units_new;            /**< Units that hold the operation's full result. */
    uint32_t units_changed;        /**< Units whose bytes differ from before the operation. */
    uint32_t prefix;               /**< torn-prefix: the k used. */
    uint32_t permille;             /**< erase-partial: the p used. */
    uint64_t bits_changed;         /**< Bits that differ from before the operation. */
    int error;                     /**< 0, or BO_ENOMEM when a weak region could not be kept. */
};

/** A region and rate of a non-cut fault. */
struct vflash_fault_rate {
    uint32_t off;    /**< First device byte of the region. */
    uint32_t len;    /**< Bytes in the region; 0 means up to the end of the device. */
    uint32_t one_in; /**< Each eligible event in the region is hit with probability 1/one_in;
                          0 disables the fault, 1 hits every event. */
};

/** Non-cut faults. An all-zero config disables all of them. */
struct vflash_fault_config {
    uint64_t seed;                          /**< Seed of all their random choices. */
    struct vflash_fault_rate program_error; /**< A program op overlapping it fails: BO_EIO. */
    struct vflash_fault_rate erase_error;   /**< An erase overlapping it fails: BO_EIO. */
    struct vflash_fault_rate drop;          /**< A program op overlapping it reports success
                                                 but writes nothing. */
    struct vflash_fault_rate read_flip;     /**< A read call overlapping it gets one bit of the
                                                 overlap flipped in the returned bytes. */
};

/** Counts of injected faults. */
struct vflash_fault_stats {
    uint64_t cuts;           /**< Armed cuts that fired (cuts by a user hook are not counted). */
    uint64_t program_errors; /**< Injected program errors. */
    uint64_t erase_errors;   /**< Injected erase errors. */
    uint64_t wear_errors;    /**< Operations refused by wear-out. */
    uint64_t drops;          /**< Silently dropped programs. */
    uint64_t read_flips;     /**< Bits flipped in reads. */
    uint64_t weak_reads;     /**< Read calls that touched a weak region. */
};

/** A weak region, as vflash_fault_weak_get() reports it. */
struct vflash_weak_info {
    uint32_t off;            /**< First device byte. */
    uint32_t len;            /**< Bytes. */
    const uint8_t *old;      /**< The len bytes before the operation (settled bytes: current). */
    const uint8_t *intended; /**< The len bytes the operation meant to leave. */
    uint32_t unstable;       /**< Bytes whose bits still read unstably. */
};

/** \brief The model's name: "before", "after", "torn-prefix", "torn-bits", "erase-partial",
 *         "weak", or "unknown". */
const char *vflash_cut_model_name(enum vflash_cut_model model);

/**
 * \brief Parses a model name (as vflash_cut_model_name() spells it).
 * \return The model, or BO_EINVAL.
 */
int vflash_cut_model_parse(const char *name);

/**
 * \brief How many distinct k a torn-prefix cut has on an operation: its write units for a
 *        program (k in [0, units)), 1 for an erase (where torn-prefix acts as erase-partial).
 */
uint32_t vflash_fault_prefix_count(const struct vflash *dev, const struct vflash_op *op);

/**
 * \brief Whether a model acts as itself on an operation kind: false for erase-partial on a
 *        program (it acts as `before`) and torn-prefix on an erase (it acts as erase-partial),
 *        so a sweep can skip the duplicates.
 */
bool vflash_cut_model_applies(enum vflash_cut_model model, enum vflash_op_kind kind);

/**
 * \brief Arms a power cut, replacing any armed one, and clears the last result.
 * \return 0, BO_EINVAL (NULL argument, unknown model, permille above 1000 and not seeded),
 *         BO_ESTATE (device not set up), or BO_ENOMEM.
 */
int vflash_fault_arm_cut(struct vflash *dev, const struct vflash_cut *cut);

/** \brief Disarms the cut, if any; the last result is kept. */
void vflash_fault_disarm(struct vflash *dev);

/**
 * \brief What the last armed cut did.
 * \return 0 (res filled; res->armed false when no cut was ever armed), or BO_EINVAL.
 */
int vflash_fault_cut_result(const struct vflash *dev, struct vflash_cut_result *res);

/**
 * \brief Sets the non-cut faults (copied) and restarts their random streams from cfg->seed.
 * \return 0, BO_EINVAL (NULL argument), BO_ESTATE (device not set up), or BO_ENOMEM.
 */
int vflash_fault_configure(struct vflash *dev, const struct vflash_fault_config *cfg);

/** \brief The injected fault counts (zero when no fault was ever set up). */
void vflash_fault_get_stats(const struct vflash *dev, struct vflash_fault_stats *st);

/** \brief Number of weak regions not yet settled. */
size_t vflash_fault_weak_count(const struct vflash *dev);

/**
 * \brief Describes weak region i (in creation order). The pointers are valid until the next
 *        device call (with a shared weak map: until any user of the map changes it).
 * \return 0, or BO_ERANGE (no such region) / BO_EINVAL.
 */
int vflash_fault_weak_get(const struct vflash *dev, size_t i, struct vflash_weak_info *info);

/** \brief Whether a weak region overlaps [off, off + len). */
bool vflash_fault_weak_overlaps(const struct vflash *dev, uint32_t off, uint32_t len);

/**
 * \brief Keeps the device's weak regions in a shared weak map from now on (formatted with
 *        vflash_weak_map_format() for a device of this size). Every device attached to the same
 *        map, in this process or another, shares its regions: a weak cut in one is read
 *        unstably by all, and a program, erase or host write in any of them settles it. The
 *        regions the device kept in its own heap are dropped. The map must outlive the device.
 * \return 0, BO_EINVAL (NULL argument or not a formatted map for this device), BO_ESTATE
 *         (device not set up), or BO_ENOMEM.
 */
int vflash_fault_weak_attach(struct vflash *dev, void *map, size_t len);

/**
 * \brief Settles every weak region (their bits read as intended from now on). For restoring a
 *        snapshot of the contents, where the weak state of the snapshot is not kept.
 */
void vflash_fault_clear_weak(struct vflash *dev);

/** A sink of bytes, fed by vflash_fault_digest(). */
typedef void (*vflash_digest_put_fn)(void *ctx, const void *data, size_t len);

/**
 * \brief Feeds put with the fault state that decides how the device behaves from now on,
 *        besides its contents and ECC map: the non-cut configuration and the positions of its
 *        random streams, an armed cut, what a torn ECC unit reads as and which units are torn,
 *        and the wear of every sector when the device has an endurance. Counters are left out.
 *        Two devices of the same geometry with the same contents, ECC map and digest behave
 *        the same under the same operations (a sweep's memo relies on it).
 * \return false when no digest can stand for the state: the device holds weak regions, whose
 *         reads draw new values from a map other devices may share.
 */
bool vflash_fault_digest(const struct vflash *dev, vflash_digest_put_fn put, void *ctx);

/*
 * The seam between vflash.c and the fault models. Not for users: vflash.c calls these.
 */

/** What the fault layer decided for one operation. */
enum vflash_fault_kind {
    VFLASH_FAULT_NONE = 0,   /**< Proceed normally. */
    VFLASH_FAULT_HOOK_ERROR, /**< The user hook failed the operation (rc). */
    VFLASH_FAULT_HOOK_CUT,   /**< The user hook cut power before it. */
    VFLASH_FAULT_CUT,        /**< An armed cut fired (model, and what it already applied). */
    VFLASH_FAULT_ERROR,      /**< An injected BO_EIO. */
    VFLASH_FAULT_WEAR,       /**< Wear-out: BO_EIO. */
    VFLASH_FAULT_DROP,       /**< Silent drop: counted, nothing lands. */
};

/** The decision for one operation. */
struct vflash_fault_action {
    enum vflash_fault_kind kind;
    int rc;                      /**< The code returned for the error kinds. */
    enum vflash_cut_model model; /**< For a cut: the model applied. */
    uint32_t units;              /**< For a cut: torn-prefix k. */
    uint32_t permille;           /**< For a cut: erase-partial p. */
    uint32_t level;              /**< For a cut: torn-bits and weak level (0: the default). */
    uint64_t seed;               /**< For a cut: its seed. */
};

/** \brief The name of a fault kind for traces ("none", "hook-error", "cut", "error", ...). */
const char *vflash_fault_kind_name(enum vflash_fault_kind kind);

/**
 * \brief Decides what happens to op once the user hook let it proceed. For a cut other than
 *        `before` and `after` the model's result is already in flash when this returns.
 */
void vflash_fault_decide(struct vflash *dev, const struct vflash_op *op,
                         struct vflash_fault_action *act);

/** \brief Applies weak regions and read flips to bytes just read from [off, off + len). */
void vflash_fault_read(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len);

/** \brief Applies the weak regions (not the read flips) to bytes a host read just copied. */
void vflash_fault_host_read(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len);

/**
 * \brief Applies the ecc-torn setting to bytes just read from [off, off + len).
 * \return 0, or BO_EIO (read-error and a torn unit in the range).
 */
int vflash_fault_read_torn(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len);

/** \brief Settles the weak bytes in [off, off + len) and ends its torn units: they were just
 *        programmed or erased. */
void vflash_fault_settle(struct vflash *dev, uint32_t off, uint32_t len);

/** \brief Frees the fault state of a device (vflash_free calls it). */
void vflash_fault_free(struct vflash *dev);

#endif /* VFLASH_FAULT_H */
