/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file flash_map_backend.h
 * \brief The flash seam between the bootloader core and a port, with MCUboot's names and
 *        signatures, so the port could host upstream MCUboot as well as brownout's core.
 *
 * On the Linux port the areas are those of the flash map the calling thread activated
 * (port_flash_map_activate() in port_flash_map.h): one process can host many devices, each with
 * its own map, and the core stays free of globals.
 *
 * Every function returns 0 or a negative enum bo_err code unless stated otherwise. Offsets are
 * relative to the start of the area; an access outside the area is BO_ERANGE and touches nothing.
 */
#ifndef FLASH_MAP_BACKEND_H
#define FLASH_MAP_BACKEND_H

#include <stdint.h>

/** A partition: a contiguous range of one flash device. */
struct flash_area {
    uint8_t fa_id;        /**< One of the FLASH_AREA_* ids of sysflash/sysflash.h. */
    uint8_t fa_device_id; /**< Index of the flash device holding the area. */
    uint16_t pad16;
    uint32_t fa_off;  /**< Offset of the area in its device. */
    uint32_t fa_size; /**< Size of the area in bytes. */
};

/** An erase unit of an area, its offset relative to the start of the area. */
struct flash_sector {
    uint32_t fs_off;
    uint32_t fs_size;
};

static inline uint8_t flash_area_get_id(const struct flash_area *fa)
{
    return fa->fa_id;
}

static inline uint8_t flash_area_get_device_id(const struct flash_area *fa)
{
    return fa->fa_device_id;
}

static inline uint32_t flash_area_get_off(const struct flash_area *fa)
{
    return fa->fa_off;
}

static inline uint32_t flash_area_get_size(const struct flash_area *fa)
{
    return fa->fa_size;
}

static inline uint32_t flash_sector_get_off(const struct flash_sector *fs)
{
    return fs->fs_off;
}

static inline uint32_t flash_sector_get_size(const struct flash_sector *fs)
{
    return fs->fs_size;
}

/**
 * \brief Opens area id. Opens are counted: each successful open needs one close.
 * \return 0 with *fap set, or BO_ENOENT when the active map has no such area.
 */
int flash_area_open(uint8_t id, const struct flash_area **fap);

/** \brief Releases one open of the area. NULL is ignored. */
void flash_area_close(const struct flash_area *fa);

/** \brief Reads len bytes at off. Reading never changes flash (except `weak` cells, see vflash). */
int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len);

/**
 * \brief Programs len bytes at off; off and len must be multiples of flash_area_align().
 * \return 0, BO_EALIGN, BO_ERANGE, BO_ESEMANTICS (the part cannot program that: a NOR bit back
 *         to the erased value, an ECC unit written twice), BO_EIO (injected fault), or BO_EPOWER
 *         (power was cut during this operation: the caller must stop).
 */
int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len);

/** \brief Erases the sectors covering [off, off + len); both must fall on sector boundaries. */
int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

/** \brief The write unit of the area's device in bytes (1..32). */
uint32_t flash_area_align(const struct flash_area *fa);

/** \brief The value of an erased byte of the area's device (0xff or 0x00). */
uint8_t flash_area_erased_val(const struct flash_area *fa);

/**
 * \brief Lists the sectors of area fa_id.
 * \param fa_id    The area.
 * \param count    In: room in sectors; out: the number of sectors.
 * \param sectors  Filled with each sector, offsets relative to the area.
 * \return 0, BO_ENOENT, or BO_ENOMEM when *count is too small (then *count is unchanged).
 */
int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors);

/** \brief The sector holding offset off of the area. */
int flash_area_get_sector(const struct flash_area *fa, uint32_t off, struct flash_sector *sector);

/**
 * \brief The area id of slot (0 primary, 1 secondary) of image image_index.
 * \return The id (>= 0), or BO_EINVAL for an image or slot that does not exist in this build.
 */
int flash_area_id_from_multi_image_slot(int image_index, int slot);

/** \brief flash_area_id_from_multi_image_slot(0, slot). */
int flash_area_id_from_image_slot(int slot);

/**
 * \brief The slot (0 primary, 1 secondary) that area area_id is for image image_index: the
 *        inverse of flash_area_id_from_multi_image_slot(). Upstream MCUboot's ports provide it;
 *        here it is built with an upstream tree only (port/linux/mcuboot/mcuboot_flash.c).
 * \return The slot, or BO_EINVAL when the area is no slot of that image.
 */
int flash_area_id_to_multi_image_slot(int image_index, int area_id);

#endif /* FLASH_MAP_BACKEND_H */
