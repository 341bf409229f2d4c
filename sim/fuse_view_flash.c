/* SPDX-License-Identifier: Apache-2.0 */
/* Host writes of the FUSE view: a flash programmer's write, or a raw program without erase. */
#include "fuse_view_int.h"

#include <string.h>

#include "bo_err.h"

/* Whether ECC write unit u has been programmed since its last erase. */
static bool fuse_view_flash_ecc_programmed(const struct vflash *dev, uint32_t u)
{
    return ((dev->ecc_map[u / 8u] >> (u % 8u)) & 1u) != 0;
}

/*
 * A program without erase, as the part itself would do it: NOR moves bits only away from the
 * erased value, ECC programs each write unit once after erase, no-erase parts take anything.
 * Everything is checked before the first byte changes.
 */
static int fuse_view_flash_program_raw(struct vflash *dev, uint32_t off, const uint8_t *src,
                                       uint32_t len)
{
    const uint8_t *old = dev->mem + off;

    switch (dev->geom.semantics) {
    case VFLASH_NOR:
        for (uint32_t i = 0; i < len; i++) {
            uint8_t back = dev->geom.erased_val == 0xff ? (uint8_t)(src[i] & ~old[i])
                                                        : (uint8_t)(old[i] & ~src[i]);

            if (back != 0) {
                return BO_ESEMANTICS;
            }
        }
        break;
    case VFLASH_ECC: {
        uint32_t wu = dev->geom.write_unit;

        if (off % wu != 0 || len % wu != 0 || dev->ecc_map == NULL) {
            return BO_EALIGN;
        }
        for (uint32_t u = off / wu; u < (off + len) / wu; u++) {
            if (fuse_view_flash_ecc_programmed(dev, u)) {
                return BO_ESEMANTICS;
            }
        }
        break;
    }
    default:
        break;
    }
    memcpy(dev->mem + off, src, len);
    if (dev->geom.semantics == VFLASH_ECC) {
        vflash_ecc_mark(dev, off, len, true);
    }
    return 0;
}

int fuse_view_flash_write(enum fuse_view_write_mode mode, struct vflash *dev, uint32_t off,
                          const void *src, uint32_t len)
{
    if (dev == NULL || (src == NULL && len > 0)) {
        return BO_EINVAL;
    }
    if (dev->mem == NULL) {
        return BO_ESTATE;
    }
    if (off > dev->size || len > dev->size - off) {
        return BO_ERANGE;
    }
    if (mode == FUSE_VIEW_WRITE_PROGRAMMER) {
        return vflash_host_write(dev, off, src, len);
    }
    return fuse_view_flash_program_raw(dev, off, src, len);
}
