/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ECC map of a virtual flash device (declared in vflash.h): which write units are
 * programmed. Its own file so that the fault models (vflash_fault.c) and the device (vflash.c)
 * both use it without depending on each other.
 */
#include <stdbool.h>
#include <stdint.h>

#include "vflash/vflash.h"

/* Sets (programmed) or clears one write unit's bit. */
static void vflash_ecc_set(struct vflash *dev, uint32_t unit, bool programmed)
{
    if (programmed) {
        dev->ecc_map[unit / 8] |= (uint8_t)(1u << (unit % 8));
    } else {
        dev->ecc_map[unit / 8] &= (uint8_t) ~(1u << (unit % 8));
    }
}

void vflash_ecc_mark(struct vflash *dev, uint32_t off, uint32_t len, bool programmed)
{
    uint32_t wu = dev->geom.write_unit;

    if (dev->geom.semantics != VFLASH_ECC) {
        return;
    }
    for (uint32_t u = off / wu; u < off / wu + len / wu; u++) {
        vflash_ecc_set(dev, u, programmed);
    }
}

void vflash_ecc_mark_unerased(struct vflash *dev, uint32_t off, uint32_t len)
{
    uint32_t wu = dev->geom.write_unit;

    if (dev->geom.semantics != VFLASH_ECC) {
        return;
    }
    for (uint32_t u = off / wu; u < off / wu + len / wu; u++) {
        const uint8_t *p = dev->mem + (size_t)u * wu;
        bool erased = true;

        for (uint32_t i = 0; i < wu; i++) {
            erased = erased && p[i] == dev->geom.erased_val;
        }
        vflash_ecc_set(dev, u, !erased);
    }
}
