/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash.h
 * \brief A virtual flash device: geometry, program semantics, wear counters, timing and a hook
 *        that sees every operation before it happens (the seam for power-cut injection).
 *
 * A device is a byte array plus rules. Its geometry is a list of sectors (erase units, mixed
 * sizes allowed), a write unit, an erased value, a program semantics and an optional page size:
 *
 * - `VFLASH_NOR`: programming only moves bits away from the erased value (0xff parts clear
 *   bits, 0x00 parts set them). Rewriting a unit is allowed as long as no bit moves back.
 * - `VFLASH_ECC`: a write unit can be programmed once after an erase (STM32L4/H7 style); a
 *   second program of the unit fails, whatever the data.
 * - `VFLASH_NO_ERASE`: RRAM/MRAM style; any value can be written, erase writes the erased value.
 *
 * An *operation* is one program of one page (a program call crossing page boundaries is split
 * into one operation per page, as a real driver does) or the erase of one sector. Operations are
 * numbered from 0 over the life of the device (vflash_reset_counters() restarts the count); the
 * power-fail sweep indexes them. Before each operation the device calls its hook, which may let
 * the operation proceed, fail it with an error, or cut power (BO_EPOWER): the operation does not
 * happen, the call returns BO_EPOWER, and the device refuses every later call with BO_EPOWER
 * until vflash_power_on() re-arms it.
 *
 * Every call validates all its arguments before the first operation: a misaligned, out-of-range
 * or semantics-violating call returns BO_EALIGN, BO_ERANGE or BO_ESEMANTICS and changes nothing.
 * No argument value crashes the device (NULL buffers with a nonzero length are BO_EINVAL).
 *
 * Fault models (power cuts that tear an operation, injected errors, weak bits) live in
 * vflash_fault.h and plug in here. The operation trace (vflash_trace.h) attaches as an observer
 * (struct vflash_observer), so the device never calls it by name; its replay, which drives a
 * device, is in vflash_replay.h.
 *
 * Wear: each sector counts the erases of its life (vflash_sector.wear, kept by
 * vflash_reset_counters()). With an endurance E (geometry or vflash_set_endurance()), the erase
 * of a sector already erased E times fails with BO_EIO and leaves it worn (wear E + 1): from
 * then on erases and programs touching it fail with BO_EIO.
 *
 * A device is not thread-safe; one thread uses it at a time.
 */
#ifndef VFLASH_H
#define VFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port_clock.h"

/** Most runs of equal sectors in one geometry. */
#define VFLASH_MAX_RUNS 16
/** Most sectors in one device. */
#define VFLASH_MAX_SECTORS (1u << 20)
/** Largest write unit in bytes. */
#define VFLASH_MAX_WRITE_UNIT 32u

/** Program semantics of a part. */
enum vflash_semantics {
    VFLASH_NOR = 0,  /**< Bits move only away from the erased value; rewrites allowed. */
    VFLASH_ECC,      /**< A write unit can be programmed once after erase. */
    VFLASH_NO_ERASE, /**< Any value can be written at any time. */
};

/** A run of count consecutive sectors of one size. */
struct vflash_run {
    uint32_t count;    /**< Number of sectors (>= 1). */
    uint32_t size;     /**< Bytes per sector: a multiple of the write unit and the page size. */
    uint64_t erase_ns; /**< Time to erase one sector of this run, in nanoseconds. */
};

/** The shape and behaviour of a device. Plain data: copy it, edit it, hand it to setup. */
struct vflash_geometry {
    struct vflash_run runs[VFLASH_MAX_RUNS]; /**< Sectors, in address order. */
    uint32_t run_count;                      /**< Used entries of runs (1..VFLASH_MAX_RUNS). */
    uint32_t write_unit; /**< Program granularity in bytes: 1, 2, 4, 8, 16 or 32. */
    uint8_t erased_val;  /**< 0xff or 0x00. */
    enum vflash_semantics semantics;
    uint32_t page_size;           /**< 0 (no paging) or a multiple of write_unit. */
    uint64_t program_ns_per_unit; /**< Time to program one write unit, in nanoseconds. */
    uint32_t endurance;           /**< Erases a sector survives; 0: unlimited. */
};

/** Kinds of operations the hook sees. */
enum vflash_op_kind {
    VFLASH_OP_PROGRAM = 0, /**< Program of one page (or of the whole call without paging). */
    VFLASH_OP_ERASE,       /**< Erase of one sector. */
};

/** One operation, as the hook sees it before it happens. */
struct vflash_op {
    enum vflash_op_kind kind;
    uint64_t index;      /**< Operation number: ops completed on the device before this one. */
    uint32_t sector;     /**< Index of the sector holding off. */
    uint32_t off;        /**< Device offset of the first byte. */
    uint32_t len;        /**< Bytes programmed, or the sector size for an erase. */
    const uint8_t *data; /**< Program: the len bytes it would write. Erase: NULL. */
};

struct vflash;
struct vflash_fault;
struct vflash_fault_action;
struct vflash_trace;

/**
 * What a device reports of its activity to an observer attached with its sink in vflash.trace
 * (the operation trace installs one: vflash_trace_attach()). Every member is called only while
 * vflash.trace is set.
 */
struct vflash_observer {
    /** After an operation, with what the fault layer did to it and the result. */
    void (*op)(struct vflash *dev, const struct vflash_op *op,
               const struct vflash_fault_action *act, int rc);
    /** After a successful read call. */
    void (*read)(struct vflash *dev, uint32_t off, uint32_t len, int rc);
    /** After a host write. */
    void (*host_write)(struct vflash *dev, uint32_t off, const uint8_t *src, uint32_t len, int rc);
    /** After a power-on. */
    void (*power_on)(struct vflash *dev);
};

/**
 * \brief Called before every operation.
 * \param arg  The argument given to vflash_set_hook().
 * \param dev  The device.
 * \param op   The operation; valid for the duration of the call.
 * \return 0 to let the operation happen; BO_EPOWER to cut power (the operation does not happen,
 *         the device refuses further calls); any other negative code to fail the operation
 *         (nothing happens, the caller gets that code, the device stays powered).
 */
typedef int (*vflash_hook_fn)(void *arg, struct vflash *dev, const struct vflash_op *op);

/** Per-sector geometry and wear. */
struct vflash_sector {
    uint32_t off;      /**< Device offset. */
    uint32_t size;     /**< Bytes. */
    uint64_t erase_ns; /**< Erase time. */
    uint64_t reads;    /**< Read calls touching the sector. */
    uint64_t programs; /**< Program operations starting in the sector. */
    uint64_t erases;   /**< Erases of the sector since the counters were reset. */
    uint64_t wear;     /**< Erases over the device's life (not reset), failed worn-out
                             erases included. */
};

/** Device totals. */
struct vflash_stats {
    uint64_t ops;      /**< Operations completed (programs per page + sector erases). */
    uint64_t reads;    /**< Read calls that succeeded. */
    uint64_t programs; /**< Program operations completed. */
    uint64_t erases;   /**< Sector erases completed. */
    uint64_t bytes_read;
    uint64_t bytes_programmed;
    uint64_t busy_ns; /**< Simulated time spent programming and erasing. */
};

/**
 * A device. Fields are read-only for users: change a device only through the functions below.
 */
struct vflash {
    struct vflash_geometry geom;
    uint32_t size; /**< Total bytes. */
    uint32_t sector_count;
    struct vflash_sector *sectors; /**< sector_count entries, in address order. */
    uint8_t *mem;                  /**< The contents. */
    uint8_t *ecc_map;              /**< ECC: one bit per write unit, set = programmed. */
    bool own_mem;
    bool own_ecc_map;
    bool power_lost; /**< Set by a power cut; cleared by vflash_power_on(). */
    struct vflash_stats stats;
    struct port_clock *clock; /**< Advanced by each operation's duration; may be NULL. */
    vflash_hook_fn hook;
    void *hook_arg;
    struct vflash_fault *fault; /**< Fault state (vflash_fault.h), NULL until first used. */
    struct vflash_trace *trace; /**< Operation trace (vflash_trace.h), or NULL. */
    const struct vflash_observer *observer; /**< The trace's callbacks, set with trace. */
};

/**
 * \brief Initialises an empty device. Cannot fail; vflash_free() is safe afterwards.
 */
void vflash_init(struct vflash *dev);

/**
 * \brief Checks a geometry without building a device.
 * \param geom  The geometry.
 * \param size  Where to store the total size in bytes, or NULL.
 * \return 0, or BO_EINVAL when a field is out of range (write unit not a power of two in 1..32,
 *         erased value not 0x00/0xff, sizes not multiples of the write unit or page, no sector,
 *         too many sectors, or a total size above 4 GiB - 1).
 */
int vflash_geometry_check(const struct vflash_geometry *geom, uint32_t *size);

/**
 * \brief Bytes of external ECC map a geometry needs (one bit per write unit), or 0 when the
 *        geometry is invalid.
 */
size_t vflash_ecc_map_size(const struct vflash_geometry *geom);

/**
 * \brief Builds the device.
 *
 * \param dev      An initialised device. Setting up a device again frees its old state first,
 *                 its hook and clock included.
 * \param geom     The geometry (copied).
 * \param mem      NULL to allocate erased memory, or an external region of exactly the device's
 *                 size that the device uses as is (for example a shared mapping of a backing
 *                 file); it must outlive the device.
 * \param mem_len  The size of mem (ignored when mem is NULL).
 * \param ecc_map  ECC semantics only: NULL to allocate the map, or an external region of
 *                 vflash_ecc_map_size() bytes used as is (so the "programmed" state can outlive
 *                 the process, next to mem). An allocated map starts with every unit that is not
 *                 fully erased marked programmed. Ignored for other semantics.
 * \return 0, BO_EINVAL (NULL dev, bad geometry, wrong mem_len), or BO_ENOMEM; on error the
 *         device is left initialised and empty.
 */
int vflash_setup(struct vflash *dev, const struct vflash_geometry *geom, uint8_t *mem,
                 size_t mem_len, uint8_t *ecc_map);

/** \brief Frees what the device allocated and returns it to the initialised state. */
void vflash_free(struct vflash *dev);

/** \brief Sets the clock advanced by operations (NULL: none). */
void vflash_set_clock(struct vflash *dev, struct port_clock *clock);

/** \brief Sets the hook called before every operation (NULL: none). */
void vflash_set_hook(struct vflash *dev, vflash_hook_fn hook, void *arg);

/** \brief Restores power after a cut: the device accepts calls again. Contents are kept. */
void vflash_power_on(struct vflash *dev);

/** \brief Zeroes the totals, the per-sector counters and the operation number (not the wear). */
void vflash_reset_counters(struct vflash *dev);

/**
 * \brief Reads len bytes at off.
 * \return 0, BO_EINVAL (NULL dst with len > 0), BO_ERANGE, BO_EPOWER (power is cut), or
 *         BO_ESTATE (device not set up).
 */
int vflash_read(struct vflash *dev, uint32_t off, void *dst, uint32_t len);

/**
 * \brief Programs len bytes at off, one operation per page touched.
 *
 * off and len must be multiples of the write unit. With NOR semantics no bit may move back to
 * the erased value; with ECC semantics no unit in the range may have been programmed since its
 * last erase. len 0 is a no-op returning 0.
 *
 * \return 0, BO_EINVAL, BO_EALIGN, BO_ERANGE, BO_ESEMANTICS (nothing written), BO_ESTATE, an
 *         error from the hook (the pages before it were written), or BO_EPOWER (the pages before
 *         the cut were written, the rest were not).
 */
int vflash_program(struct vflash *dev, uint32_t off, const void *src, uint32_t len);

/**
 * \brief Erases sector index.
 * \return 0, BO_ERANGE (no such sector), BO_ESTATE, a hook error, or BO_EPOWER.
 */
int vflash_erase_sector(struct vflash *dev, uint32_t index);

/**
 * \brief Erases the sectors covering [off, off + len), one operation per sector, in order.
 * \return 0, BO_ERANGE, BO_EALIGN (off or off + len not on a sector boundary), BO_ESTATE, a hook
 *         error, or BO_EPOWER (the sectors before it were erased). len 0 is a no-op.
 */
int vflash_erase(struct vflash *dev, uint32_t off, uint32_t len);

/**
 * \brief Writes as a host-side flash programmer does (the FUSE view, the control socket).
 *
 * Each sector the range touches keeps the bytes it does not overwrite and gets the new ones;
 * when the part's semantics cannot program them in place (a NOR bit back to the erased value, a
 * changed ECC unit already programmed), the sector is erased and rewritten. ECC units that end
 * up differing from the erased value count as programmed. Any offset and length (no alignment).
 * It is not a device operation: no hook, no counters, no time, and it works while power is cut.
 *
 * \return 0, BO_EINVAL (NULL src with len > 0), BO_ERANGE, BO_ESTATE (not set up), or
 *         BO_ENOMEM (nothing changed in the sector that needed the memory).
 */
int vflash_host_write(struct vflash *dev, uint32_t off, const void *src, uint32_t len);

/**
 * \brief Reads as a host-side programmer does (the FUSE view, the control socket): the cells
 *        as they answer, weak bits unstable (each such read draws, as a device read does), no
 *        read-flip fault. Not a device operation: no counters, no trace, and it works while
 *        power is cut.
 * \return 0, BO_EINVAL (NULL dst with len > 0), BO_ERANGE, or BO_ESTATE (not set up).
 */
int vflash_host_read(struct vflash *dev, uint32_t off, void *dst, uint32_t len);

/**
 * \brief Programs without erasing, as the part itself would (a raw programmer, the FUSE view's
 *        `nor` write mode): NOR bits move only away from the erased value, ECC write units are
 *        programmed once after erase (whole units only), no-erase parts take anything.
 *
 * Like vflash_host_write() it is not a device operation (no hook, counters or time) and works
 * while power is cut; the weak bits it programs over are settled. Everything is checked before
 * the first byte changes.
 * \return 0, BO_EINVAL (NULL src with len > 0), BO_ERANGE, BO_ESTATE (not set up), BO_EALIGN
 *         (ECC: not whole units), or BO_ESEMANTICS (the part cannot program that).
 */
int vflash_host_program(struct vflash *dev, uint32_t off, const void *src, uint32_t len);

/**
 * \brief Sets the endurance of every sector: the erases it survives (0: unlimited).
 */
void vflash_set_endurance(struct vflash *dev, uint32_t endurance);

/**
 * \brief The wear of sector index: its erases over the device's life.
 * \return 0 (*wear set), BO_EINVAL (NULL argument) or BO_ERANGE (no such sector).
 */
int vflash_sector_wear(const struct vflash *dev, uint32_t index, uint64_t *wear);

/**
 * \brief Sets the wear of sector index, for example to start from an aged part.
 * \return 0, BO_EINVAL or BO_ERANGE.
 */
int vflash_set_sector_wear(struct vflash *dev, uint32_t index, uint64_t wear);

/**
 * \brief Finds the sector holding device offset off.
 * \return The sector index, or BO_ERANGE when off is outside the device.
 */
int vflash_sector_at(const struct vflash *dev, uint32_t off);

/** \brief Whether off is the first byte of a sector, or the end of the device. */
bool vflash_is_boundary(const struct vflash *dev, uint32_t off);

/** \brief The semantics keyword of the board format ("nor", "ecc", "no-erase"). */
const char *vflash_semantics_name(enum vflash_semantics sem);

/*
 * For the fault models (vflash_fault.c) only: they change cells outside the normal apply path.
 * Ranges must be whole write units inside the device; both are no-ops without ECC semantics.
 * Both are in vflash_ecc.c.
 */

/** \brief Marks the ECC units of [off, off + len) programmed or not. */
void vflash_ecc_mark(struct vflash *dev, uint32_t off, uint32_t len, bool programmed);

/** \brief Marks the ECC units of [off, off + len) programmed unless fully erased. */
void vflash_ecc_mark_unerased(struct vflash *dev, uint32_t off, uint32_t len);

#endif /* VFLASH_H */
