/* SPDX-License-Identifier: Apache-2.0 */
/* The flash layer of upstream MCUboot variants: the port's flash_area_* with a power-cut exit. */
#include "mcuboot_flash.h"

#include "bo_err.h"
#include "sysflash/sysflash.h"

int mcuboot_flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
    int rc = flash_area_read(fa, off, dst, len);

    mcuboot_flash_unwind_if_cut(rc);
    return rc;
}

int mcuboot_flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
                             uint32_t len)
{
    int rc = flash_area_write(fa, off, src, len);

    mcuboot_flash_unwind_if_cut(rc);
    return rc;
}

int mcuboot_flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    int rc = flash_area_erase(fa, off, len);

    mcuboot_flash_unwind_if_cut(rc);
    return rc;
}

int flash_area_id_to_multi_image_slot(int image_index, int area_id)
{
    if (image_index < 0 || image_index > 1) {
        return BO_EINVAL;
    }
    if (area_id == FLASH_AREA_IMAGE_PRIMARY(image_index)) {
        return 0;
    }
    if (area_id == FLASH_AREA_IMAGE_SECONDARY(image_index)) {
        return 1;
    }
    return BO_EINVAL;
}
