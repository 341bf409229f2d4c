/* SPDX-License-Identifier: Apache-2.0 */
/* Recovery of a primary that does not validate from a good secondary: see boot_recover.h. */
#include "boot/boot_recover.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_status.h"
#include "boot/image_validate.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
#include "boot/sectors.h"
#include "boot/trailer.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Whether the secondary's image (at st->img[cur].sec_off) validates; nothing is erased. */
static int boot_recover_secondary_good(struct boot_loader_state *st, bool *good)
{
    struct boot_image_state *img = &st->img[st->cur];
    struct image_validate_config vc;
    struct loader_io_src ctx;
    struct image_src src;
    int rc;

    *good = false;
    if (!img->hdr_ok[1] || (img->hdr[1].flags & IMAGE_F_NON_BOOTABLE) != 0) {
        return 0;
    }
    memset(&vc, 0, sizeof(vc));
    vc.keys = st->cfg.keys;
    vc.key_count = st->cfg.key_count;
    vc.allow_unsigned = st->cfg.allow_unsigned;
    loader_io_src_init(&src, &ctx, st->fa_sec, img->sec_off);
    rc = image_validate(&src, &vc, &st->vres);
    if (rc == BO_EBADIMAGE || rc == BO_EBADSIG || rc == BO_ENOTSUP) {
        return 0;
    }
    *good = rc == 0;
    return rc;
}

int boot_recover_primary(struct boot_loader_state *st, const struct boot_recover_ops *ops,
                         bool *recovered)
{
    struct boot_image_state *img = &st->img[st->cur];
    bool good = false;
    int rc;

    *recovered = false;
    if (st->cfg.mode == BOOT_MODE_OVERWRITE || !img->compatible || img->recovered || img->aborted) {
        return 0;
    }
    img->recovered = true;
    rc = ops->read_headers(st, TRAILER_SWAP_TYPE_REVERT);
    if (rc == 0) {
        rc = boot_recover_secondary_good(st, &good);
    }
    if (rc < 0 || !good) {
        return rc;
    }
    MCUBOOT_LOG_WRN("image %lu: the primary does not validate, the secondary does: swapping it "
                    "back",
                    (unsigned long)st->cur);
    img->swap_type = TRAILER_SWAP_TYPE_REVERT;
    rc = ops->perform(st);
    if (rc == 0) {
        *recovered = img->performed == TRAILER_SWAP_TYPE_REVERT;
    }
    return rc;
}

/* Erases the primary's sectors that hold [0, size) and copies the secondary's image into them. */
static int boot_recover_copy_image(struct boot_loader_state *st, uint32_t size)
{
    const struct boot_sectors *t = &st->sect;
    uint32_t base = st->img[st->cur].sec_off;
    uint32_t i;
    int rc = 0;

    for (i = 0; i < t->n_pri && t->pri[i].fs_off < size && rc == 0; i++) {
        rc = loader_io_erase(st->fa_pri, t->pri[i].fs_off, t->pri[i].fs_size);
        if (rc == 0) {
            rc = loader_io_copy(st, st->fa_sec, st->fa_pri, base + t->pri[i].fs_off,
                                t->pri[i].fs_off, t->pri[i].fs_size);
        }
    }
    return rc;
}

int boot_recover_copy(struct boot_loader_state *st, const struct boot_recover_ops *ops,
                      bool *recovered)
{
    struct boot_image_state *img = &st->img[st->cur];
    bool good = false;
    uint32_t size = 0;
    uint16_t unprot;
    int rc;

    *recovered = false;
    if (!img->aborted || !img->compatible ||
        (st->cfg.mode != BOOT_MODE_SWAP_MOVE && st->cfg.mode != BOOT_MODE_SWAP_OFFSET)) {
        return 0;
    }
    rc = ops->read_headers(st, TRAILER_SWAP_TYPE_NONE);
    if (rc == 0) {
        rc = boot_recover_secondary_good(st, &good);
    }
    if (rc == 0 && good) {
        rc = loader_io_image_size(st->fa_sec, img->sec_off, &size, &unprot);
    }
    if (rc < 0 || !good || size == 0 || size > sectors_max_image_size(st)) {
        return rc;
    }
    MCUBOOT_LOG_WRN("image %lu: a flash error stopped the swap and the primary does not "
                    "validate: copying the secondary's image over it",
                    (unsigned long)st->cur);
    rc = boot_recover_copy_image(st, size);
    if (rc == 0) {
        /* The swap is over: no progress left for a later boot to resume. */
        rc = boot_status_erase_trailer(st, BOOT_SLOT_PRIMARY);
    }
    *recovered = rc == 0;
    return rc;
}
