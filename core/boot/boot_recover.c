/* SPDX-License-Identifier: Apache-2.0 */
/* Recovery of a primary that does not validate from a good secondary: see boot_recover.h. */
#include "boot/boot_recover.h"

#include <string.h>

#include "bo_err.h"
#include "boot/image_validate.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
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

int boot_recover_primary(struct boot_loader_state *st, bool *recovered)
{
    struct boot_image_state *img = &st->img[st->cur];
    bool good = false;
    int rc;

    *recovered = false;
    if (st->cfg.mode == BOOT_MODE_OVERWRITE || !img->compatible || img->recovered || img->aborted) {
        return 0;
    }
    img->recovered = true;
    rc = boot_read_headers(st, TRAILER_SWAP_TYPE_REVERT);
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
    rc = boot_perform(st);
    if (rc == 0) {
        *recovered = img->performed == TRAILER_SWAP_TYPE_REVERT;
    }
    return rc;
}
