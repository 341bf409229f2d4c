/* SPDX-License-Identifier: Apache-2.0 */
/* The text of a failed boot: an erased primary slot is "no image", not a malformed one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bo_err.h"
#include "flash_map_backend/flash_map_backend.h"
#include "fw/fw.h"
#include "sysflash/sysflash.h"

/* Whether image i's primary slot starts with a header of erased bytes. */
static bool fw_boot_primary_erased(uint32_t i)
{
    const struct flash_area *fa;
    uint8_t hdr[32];
    bool erased = false;
    size_t k;

    if (flash_area_open((uint8_t)FLASH_AREA_IMAGE_PRIMARY(i), &fa) != 0) {
        return false;
    }
    if (flash_area_read(fa, 0, hdr, sizeof(hdr)) == 0) {
        erased = true;
        for (k = 0; k < sizeof(hdr); k++) {
            erased = erased && hdr[k] == flash_area_erased_val(fa);
        }
    }
    flash_area_close(fa);
    return erased;
}

const char *fw_boot_error(uint32_t image_count, int rc)
{
    uint32_t i;

    for (i = 0; rc == BO_EBADIMAGE && i < image_count; i++) {
        if (fw_boot_primary_erased(i)) {
            return i == 0 ? "no image: the primary slot is erased"
                          : "no image: image 1's primary slot is erased";
        }
    }
    return bo_strerror(rc);
}
