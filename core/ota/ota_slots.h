/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file ota_slots.h
 * \brief What the app reports and checks about the images in its slots: an image source over a
 *        slot starting at an offset (the swap-using-offset secondary holds its image a sector
 *        in), and a slot's image summary (version, size, hash).
 */
#ifndef OTA_OTA_SLOTS_H
#define OTA_OTA_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "flash_map_backend/flash_map_backend.h"

/** The context of an image source over part of a slot. */
struct ota_slot_src {
    const struct flash_area *fa;
    uint32_t base;
};

/** What a slot holds. */
struct ota_slot_info {
    bool present; /**< A header with the image magic and a sound layout. */
    struct image_version version;
    uint32_t size;                         /**< The signed image's size (end of its TLV area). */
    uint8_t hash_len;                      /**< 0 when the hash could not be computed. */
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX]; /**< SHA-256 of header, payload, protected TLVs. */
};

/**
 * \brief Makes src read [base, base + size) of an open area.
 * \return 0, or BO_ERANGE when the range is not inside the area.
 */
int ota_slots_src(struct image_src *src, struct ota_slot_src *ctx, const struct flash_area *fa,
                  uint32_t base, uint32_t size);

/**
 * \brief Summarises the image at [base, base + size) of an open area. A slot without an image
 *        is not an error (info->present is false).
 * \return 0, BO_ERANGE for a range outside the area, BO_EPOWER or another read error.
 */
int ota_slots_info(const struct flash_area *fa, uint32_t base, uint32_t size,
                   struct ota_slot_info *info);

#endif /* OTA_OTA_SLOTS_H */
