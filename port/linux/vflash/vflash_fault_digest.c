/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The digest of a device's fault state (see vflash_fault.h): everything the fault layer keeps
 * that changes what later operations and reads do.
 */
#include <string.h>

#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"
#include "vflash/vflash_fault_int.h"

/* Feeds the wear of every sector (only a device with an endurance wears out). */
static void vflash_digest_wear(const struct vflash *dev, vflash_digest_put_fn put, void *ctx)
{
    uint32_t i;

    if (dev->geom.endurance == 0) {
        return;
    }
    for (i = 0; i < dev->sector_count; i++) {
        put(ctx, &dev->sectors[i].wear, sizeof(dev->sectors[i].wear));
    }
}

bool vflash_fault_digest(const struct vflash *dev, vflash_digest_put_fn put, void *ctx)
{
    const struct vflash_fault *f = dev->fault;
    uint8_t tag;

    vflash_digest_wear(dev, put, ctx);
    if (f == NULL) {
        tag = 0;
        put(ctx, &tag, sizeof(tag));
        return true;
    }
    if (vflash_fault_weak_count(dev) != 0) {
        return false;
    }
    tag = f->armed ? 2 : 1;
    put(ctx, &tag, sizeof(tag));
    put(ctx, &f->cfg, sizeof(f->cfg));
    put(ctx, &f->program_error, sizeof(f->program_error));
    put(ctx, &f->erase_error, sizeof(f->erase_error));
    put(ctx, &f->drop, sizeof(f->drop));
    put(ctx, &f->read_flip, sizeof(f->read_flip));
    if (f->armed) {
        put(ctx, &f->cut, sizeof(f->cut));
    }
    if (f->ecc_torn != VFLASH_ECC_TORN_ERASED) {
        /* Only these modes read torn units differently from their contents. */
        put(ctx, &f->ecc_torn, sizeof(f->ecc_torn));
        put(ctx, &f->ecc_torn_seed, sizeof(f->ecc_torn_seed));
        if (f->torn != NULL) {
            put(ctx, f->torn, ((size_t)(dev->size / dev->geom.write_unit) + 7) / 8);
        }
    }
    return true;
}
