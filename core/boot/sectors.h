/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sectors.h
 * \brief The sector tables of the current image's slots and scratch area, whether their
 *        geometry allows the configured upgrade mode, and the largest image the mode can swap.
 *
 * Compatibility per mode (MCUboot's boot_slots_compatible() for each):
 * - overwrite-only: both slots the same size;
 * - swap-using-scratch: the slots split at common boundaries into units that each fit the
 *   scratch area, the same total size, and the units from the top that fit in the scratch
 *   area cover the whole trailer (so the first swap step carries it);
 * - swap-using-move: one sector size everywhere, the primary as large as the secondary or one
 *   sector larger;
 * - swap-using-offset: one sector size everywhere, the secondary as large as the primary or
 *   one sector larger.
 * Every mode but overwrite-only also needs at most max_sectors sectors per slot.
 */
#ifndef BOOT_SECTORS_H
#define BOOT_SECTORS_H

#include <stdint.h>

#include "boot/loader.h"

/**
 * \brief Fills st->sect from flash_area_get_sectors() for the current image's slots (and the
 *        scratch area in swap-using-scratch).
 * \return 0, BO_ENOENT (an area is missing) or BO_ENOMEM (more than BOOT_SECTORS_MAX sectors).
 */
int sectors_load(struct boot_loader_state *st);

/**
 * \brief Whether the geometry allows the mode.
 * \param st   State with sectors and layouts loaded.
 * \param why  Receives a static reason when not (may be NULL).
 * \return 1 when compatible, 0 when not.
 */
int sectors_compatible(const struct boot_loader_state *st, const char **why);

/**
 * \brief The largest image (header + payload + TLVs) the mode can upgrade to: it must leave
 *        room for the trailers and the mode's working space.
 * \return Bytes; 0 when the geometry is not compatible.
 */
uint32_t sectors_max_image_size(const struct boot_loader_state *st);

/**
 * \brief How many sectors, counted from the end of a table, hold the last trailer_sz bytes.
 * \return The count (at least 1), or n when the trailer is larger than the whole table.
 */
uint32_t sectors_trailer_count(const struct flash_sector *s, uint32_t n, uint32_t trailer_sz);

/** \brief Sum of the sizes of sectors [first, first + count) of a table. */
uint32_t sectors_span(const struct flash_sector *s, uint32_t first, uint32_t count);

/**
 * \brief The smallest offset above off where both slots have a sector boundary (their ends
 *        included): the end of the swap-using-scratch unit that starts at off.
 * \return 0, or BO_ERANGE when there is none up to the end of the primary.
 */
int sectors_common_next(const struct boot_loader_state *st, uint32_t off, uint32_t *next);

/**
 * \brief Start of the swap-using-scratch step that ends at end: the lowest common boundary
 *        such that the units from it up to end fit in the scratch area together.
 */
uint32_t sectors_region_start(const struct boot_loader_state *st, uint32_t end);

/** \brief The lower of the two slots' first trailer sector offsets (swap-using-scratch). */
uint32_t sectors_trailer_floor(const struct boot_loader_state *st);

#endif /* BOOT_SECTORS_H */
