/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_weak.h
 * \brief The weak regions of a virtual flash device, kept in a weak map: a flat block of memory
 *        that lives in the device's heap or in memory shared between processes, so that the
 *        unstable bits a `weak` power cut leaves outlive the process that cut power.
 *
 * A `weak` cut (vflash_fault.h, docs/faults.md) stores the operation's result in flash but
 * leaves every bit it changed unstable: until a program over the unit, an erase of its sector or
 * a host write settles it, each read returns a fresh random choice of the old or the new value.
 * The device keeps, per interrupted operation, a region: its offset and length, the bytes
 * before the operation ("old"), the bytes it meant to leave ("intended") and the state of the
 * generator that draws its reads.
 *
 * Layout of a map: a header, a table of regions, then an arena holding each region's old bytes
 * followed by its intended bytes. Offsets inside the map are relative, so the same map works at
 * any address and in any process. A device keeps its regions in a heap map that grows as
 * needed, unless vflash_fault_weak_attach() hands it a shared map: then every device attached to
 * the same map (for example the daemon's view of a flash device and the firmware process over
 * the same cells) sees, adds and settles the same regions, and the generators advance with the
 * reads of all of them. The draws are a function of the cut's seed and of the sequence of reads
 * of the region, whoever makes them.
 *
 * A shared map has a fixed capacity (VFLASH_WEAK_MAP_REGIONS regions, and twice the device's
 * size for their bytes); a cut that finds it full keeps no region (the cut result reports
 * BO_ENOMEM) and its bits read settled. Processes take turns through a robust process-shared
 * mutex in the header. A process killed while holding it (a power cut kills the firmware at any
 * instruction) is harmless during reads; if it died while changing the table, the next user
 * finds the map marked dirty and settles every region, since their bytes may be torn. Each use
 * of a shared map checks its header and every region against the device before trusting it,
 * and settles everything when a check fails.
 */
#ifndef VFLASH_WEAK_H
#define VFLASH_WEAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vflash/vflash.h"

/** Regions a shared weak map holds. */
#define VFLASH_WEAK_MAP_REGIONS 64u

/**
 * \brief Bytes of a shared weak map for a device of dev_size bytes (its header, the table of
 *        VFLASH_WEAK_MAP_REGIONS regions and an arena of 2 * dev_size bytes). Memory that is
 *        never written costs nothing in a sparse file or memfd.
 * \return The size, or 0 when dev_size is 0.
 */
size_t vflash_weak_map_size(uint32_t dev_size);

/**
 * \brief Formats an empty shared weak map for a device of dev_size bytes in map (len bytes,
 *        normally vflash_weak_map_size(dev_size)), with a robust process-shared mutex. Format a
 *        map once, before any device uses it.
 * \return 0; BO_EINVAL (NULL map, dev_size 0, len too small or not a multiple of 8 above the
 *         table); BO_EOS (the mutex could not be initialised).
 */
int vflash_weak_map_format(void *map, size_t len, uint32_t dev_size);

/*
 * The seam between vflash_fault.c and the weak maps. Not for users: the fault layer calls these
 * (the public API is vflash_fault_weak_*() in vflash_fault.h).
 */

struct vflash_weak_map;
struct vflash_weak_info;

/** Where a device keeps its weak regions. All zero: none yet (a heap map is made on demand). */
struct vflash_weak_set {
    struct vflash_weak_map *map; /**< The map, or NULL. */
    size_t len;                  /**< Its size in bytes. */
    bool own;                    /**< A heap map of the device, freed with it. */
};

/**
 * \brief Makes the set use a formatted shared map for a device of dev_size bytes, dropping
 *        the regions of its own heap map.
 * \return 0; BO_EINVAL (NULL map, or not a formatted map of that size for that device size).
 */
int vflash_weak_attach(struct vflash_weak_set *set, void *map, size_t len, uint32_t dev_size);

/** \brief Frees the set's heap map, if any, and detaches it from a shared one. */
void vflash_weak_free(struct vflash_weak_set *set);

/**
 * \brief Keeps [off, off + len) of an interrupted operation as a weak region: old holds the len
 *        bytes before it, mem the bytes it left (the intended ones); its reads draw from the
 *        stream of seed. Nothing is kept when no byte changed.
 * \return 0, or BO_ENOMEM (no memory, or the shared map is full; nothing kept).
 */
int vflash_weak_add(struct vflash_weak_set *set, const uint8_t *mem, uint32_t dev_size,
                    uint32_t off, const uint8_t *old, uint32_t len, uint64_t seed);

/**
 * \brief Settles the weak bytes of [off, off + len) at their current value in mem (they were
 *        just programmed, erased or written); regions with no unstable byte left are removed.
 */
void vflash_weak_settle(struct vflash_weak_set *set, const uint8_t *mem, uint32_t dev_size,
                        uint32_t off, uint32_t len);

/**
 * \brief Applies the weak regions to the bytes dst just read from [off, off + len): each
 *        unstable bit gets a fresh draw of old or intended.
 * \return The number of regions the read touched.
 */
uint64_t vflash_weak_read(struct vflash_weak_set *set, uint32_t dev_size, uint32_t off,
                          uint8_t *dst, uint32_t len);

/** \brief Whether any weak region overlaps [off, off + len). */
bool vflash_weak_overlaps(struct vflash_weak_set *set, uint32_t dev_size, uint32_t off,
                          uint32_t len);

/** \brief Number of weak regions. */
size_t vflash_weak_count(struct vflash_weak_set *set, uint32_t dev_size);

/**
 * \brief Describes region i (in creation order); the pointers point into the map.
 * \return 0, or BO_ERANGE (no such region).
 */
int vflash_weak_get(struct vflash_weak_set *set, uint32_t dev_size, size_t i,
                    struct vflash_weak_info *info);

/** \brief Settles every region (removes them all). */
void vflash_weak_clear(struct vflash_weak_set *set, uint32_t dev_size);

#endif /* VFLASH_WEAK_H */
