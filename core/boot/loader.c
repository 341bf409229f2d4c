/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader's decisions (MCUboot's loader.c behaviour, design.md "High-level operation"):
 * for each image, resume an interrupted swap or decide the swap type from the trailers and
 * validate the secondary; check dependencies between images; perform the upgrades; validate
 * the primaries and say what to boot.
 */
#include "boot/loader.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_decide.h"
#include "boot/boot_deps.h"
#include "boot/boot_journal.h"
#include "boot/boot_recover.h"
#include "boot/boot_repair.h"
#include "boot/boot_record.h"
#include "boot/boot_status.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
#include "boot/sectors.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"
#include "port/port_boot.h"
#include "sysflash/sysflash.h"

static const struct boot_mode_ops boot_ops[] = {
    { BOOT_MODE_OVERWRITE, NULL, NULL, overwrite_run },
    { BOOT_MODE_SWAP_SCRATCH, swap_scratch_source, swap_scratch_read_progress, swap_scratch_run },
    { BOOT_MODE_SWAP_MOVE, boot_status_source_slots, swap_move_read_progress, swap_move_run },
    { BOOT_MODE_SWAP_OFFSET, boot_status_source_slots, swap_offset_read_progress, swap_offset_run },
};

const struct boot_mode_ops *boot_mode_ops_of(enum boot_mode mode)
{
    size_t i;

    for (i = 0; i < sizeof(boot_ops) / sizeof(boot_ops[0]); i++) {
        if (boot_ops[i].mode == mode) {
            return &boot_ops[i];
        }
    }
    return NULL;
}

void boot_config_defaults(struct boot_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mode = BOOT_MODE_SWAP_SCRATCH;
    cfg->image_count = 1;
    cfg->validate_primary = true;
    cfg->max_align = 0;
    cfg->max_sectors = BOOT_DEFAULT_MAX_SECTORS;
}

const char *boot_mode_name(enum boot_mode mode)
{
    switch (mode) {
    case BOOT_MODE_OVERWRITE:
        return "overwrite";
    case BOOT_MODE_SWAP_SCRATCH:
        return "swap-scratch";
    case BOOT_MODE_SWAP_MOVE:
        return "swap-move";
    case BOOT_MODE_SWAP_OFFSET:
        return "swap-offset";
    default:
        return "unknown";
    }
}

enum trailer_mode boot_mode_trailer_mode(enum boot_mode mode)
{
    switch (mode) {
    case BOOT_MODE_OVERWRITE:
        return TRAILER_MODE_OVERWRITE;
    case BOOT_MODE_SWAP_MOVE:
        return TRAILER_MODE_MOVE;
    case BOOT_MODE_SWAP_OFFSET:
        return TRAILER_MODE_OFFSET;
    default:
        return TRAILER_MODE_SCRATCH;
    }
}

/* Opens the areas of image i, computes the layouts and loads the sector tables (loader_int.h). */
int boot_image_open(struct boot_loader_state *st, uint32_t i)
{
    struct trailer_params p;
    uint32_t ma;
    int rc;

    st->cur = i;
    st->fa_pri = NULL;
    st->fa_sec = NULL;
    st->fa_scr = NULL;
    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)i, 0), &st->fa_pri);
    if (rc < 0) {
        return rc;
    }
    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)i, 1), &st->fa_sec);
    if (rc < 0) {
        return rc;
    }
    st->write_sz = flash_area_align(st->fa_pri);
    if (flash_area_align(st->fa_sec) > st->write_sz) {
        st->write_sz = flash_area_align(st->fa_sec);
    }
    if (st->cfg.mode == BOOT_MODE_SWAP_SCRATCH) {
        rc = flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &st->fa_scr);
        if (rc < 0) {
            return rc;
        }
        if (flash_area_align(st->fa_scr) > st->write_sz) {
            st->write_sz = flash_area_align(st->fa_scr);
        }
    }
    ma = st->cfg.max_align;
    if (ma == 0) {
        ma = st->write_sz <= 8 ? 8 : st->write_sz <= 16 ? 16 : 32;
    }
    memset(&p, 0, sizeof(p));
    p.max_align = ma;
    p.mode = boot_mode_trailer_mode(st->cfg.mode);
    p.max_sectors = st->cfg.max_sectors;
    p.write_unit = st->write_sz;
    rc = trailer_layout_from_area(&st->lay_pri, st->fa_pri, &p);
    if (rc == 0) {
        rc = trailer_layout_from_area(&st->lay_sec, st->fa_sec, &p);
    }
    if (rc == 0 && st->fa_scr != NULL) {
        rc = trailer_layout_from_area(&st->lay_scr, st->fa_scr, &p);
    }
    if (rc < 0) {
        MCUBOOT_LOG_ERR("image %lu: no trailer layout for this geometry (%d)", (unsigned long)i,
                        rc);
        return rc;
    }
    return sectors_load(st);
}

void boot_image_close(struct boot_loader_state *st)
{
    flash_area_close(st->fa_scr);
    flash_area_close(st->fa_sec);
    flash_area_close(st->fa_pri);
    st->fa_pri = NULL;
    st->fa_sec = NULL;
    st->fa_scr = NULL;
}

/* Reads both headers of the current image; decides where the offset-mode secondary starts. */
int boot_read_headers(struct boot_loader_state *st, uint8_t swap_type)
{
    struct boot_image_state *img = &st->img[st->cur];
    uint32_t pref = 0;
    uint32_t other = 0;
    int rc;

    rc = loader_io_read_header(st->fa_pri, 0, &img->hdr[0], &img->hdr_ok[0], NULL);
    if (rc < 0) {
        return rc;
    }
    if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET) {
        /* A new image sits one sector in; a swapped-out one (to revert to) at 0. */
        pref = swap_type == TRAILER_SWAP_TYPE_REVERT ? 0 : st->sect.sec[0].fs_size;
        other = swap_type == TRAILER_SWAP_TYPE_REVERT ? st->sect.sec[0].fs_size : 0;
    }
    img->sec_off = pref;
    rc = loader_io_read_header(st->fa_sec, pref, &img->hdr[1], &img->hdr_ok[1], NULL);
    if (rc < 0 || img->hdr_ok[1] || pref == other) {
        return rc;
    }
    rc = loader_io_read_header(st->fa_sec, other, &img->hdr[1], &img->hdr_ok[1], NULL);
    if (rc == 0 && img->hdr_ok[1]) {
        img->sec_off = other;
    }
    return rc;
}

/* Erases the whole secondary slot of the current image (an image that must not be used). */
static int boot_erase_secondary(struct boot_loader_state *st)
{
    MCUBOOT_LOG_WRN("image %lu: erasing the secondary slot", (unsigned long)st->cur);
    return loader_io_erase(st->fa_sec, 0, flash_area_get_size(st->fa_sec));
}

/*
 * Whether the primary slot holds an image whose version can be compared with: a good header
 * whose TLV areas are where it says. An overwrite-only copy cut in its first page leaves a
 * header with the image magic but erased (or half written) versions and sizes; comparing with
 * that would refuse the very upgrade that must be finished, and brick the device.
 */
static int boot_primary_is_image(struct boot_loader_state *st, bool *is_image)
{
    uint32_t size;
    uint16_t unprot;
    int rc;

    *is_image = false;
    if (!st->img[st->cur].hdr_ok[0]) {
        return 0;
    }
    rc = loader_io_image_size(st->fa_pri, 0, &size, &unprot);
    if (rc < 0) {
        return rc;
    }
    *is_image = size != 0;
    return 0;
}

/*
 * Whether the secondary image (validated in st->vres) may replace the primary. Downgrade
 * prevention compares with the primary only when it holds an image (boot_primary_is_image()).
 */
static int boot_secondary_acceptable(struct boot_loader_state *st, bool *ok)
{
    struct boot_image_state *img = &st->img[st->cur];
    uint32_t pri_cnt;
    bool pri_has;
    bool pri_image;
    int rc;

    *ok = false;
    if (st->vres.layout.tlv_end > sectors_max_image_size(st)) {
        MCUBOOT_LOG_WRN("image %lu: secondary image too large for the mode",
                        (unsigned long)st->cur);
        return 0;
    }
    rc = boot_primary_is_image(st, &pri_image);
    if (rc < 0) {
        return rc;
    }
    if (pri_image && st->cfg.downgrade_version &&
        image_version_cmp(&st->vres.hdr.version, &img->hdr[0].version, false) < 0) {
        MCUBOOT_LOG_WRN("image %lu: downgrade refused", (unsigned long)st->cur);
        return 0;
    }
    if (pri_image && st->cfg.downgrade_sec_cnt) {
        rc = loader_io_read_sec_cnt(st->fa_pri, 0, &pri_cnt, &pri_has);
        if (rc < 0) {
            return rc;
        }
        if (!st->vres.has_sec_cnt || (pri_has && st->vres.sec_cnt < pri_cnt)) {
            MCUBOOT_LOG_WRN("image %lu: security counter downgrade refused",
                            (unsigned long)st->cur);
            return 0;
        }
    }
    *ok = true;
    return 0;
}

/*
 * Validates the image in a slot of the current image (MCUboot's boot_validate_slot()).
 * Returns 0 when it is good, 1 when there is no usable image (a bad secondary is erased), or
 * a negative error. *verr receives the validation error for a rejected primary.
 */
static int boot_validate_slot(struct boot_loader_state *st, int slot, uint8_t swap_type, int *verr)
{
    struct boot_image_state *img = &st->img[st->cur];
    const struct flash_area *fa = slot == BOOT_SLOT_PRIMARY ? st->fa_pri : st->fa_sec;
    uint32_t base = slot == BOOT_SLOT_PRIMARY ? 0 : img->sec_off;
    struct image_validate_config vc;
    struct loader_io_src ctx;
    struct image_src src;
    struct image_header hdr;
    bool non_bootable;
    bool ok;
    bool erased;
    int rc;

    *verr = BO_EBADIMAGE;
    rc = loader_io_read_header(fa, base, &hdr, &ok, &erased);
    if (rc < 0) {
        return rc;
    }
    non_bootable = ok && (hdr.flags & IMAGE_F_NON_BOOTABLE) != 0;
    if (erased || (non_bootable && slot == BOOT_SLOT_PRIMARY)) {
        if (slot == BOOT_SLOT_SECONDARY) {
            /* An image erased (or half erased) with its trailer left behind: drop the trailer
             * so it stops asking for an upgrade. */
            rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
            if (rc < 0) {
                return rc;
            }
        }
        return 1;
    }
    memset(&vc, 0, sizeof(vc));
    vc.keys = st->cfg.keys;
    vc.key_count = st->cfg.key_count;
    vc.allow_unsigned = st->cfg.allow_unsigned;
    loader_io_src_init(&src, &ctx, fa, base);
    rc = image_validate(&src, &vc, &st->vres);
    ok = rc == 0;
    if (ok && non_bootable) {
        /*
         * A secondary that validates with NON_BOOTABLE set is a real non-bootable image: it is
         * kept and only its request goes. One that does not validate is not: a cut erase of
         * the slot's first sector moves header bits toward the erased value and can raise the
         * flag over a half-erased image, which is erased as any bad image (a depth-2 finding,
         * overwrite-only on ECC).
         */
        rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
        return rc < 0 ? rc : 1;
    }
    if (rc == BO_EBADIMAGE || rc == BO_EBADSIG || rc == BO_ENOTSUP) {
        *verr = rc;
        rc = 0;
    } else if (rc < 0) {
        return rc;
    }
    if (ok && slot == BOOT_SLOT_SECONDARY && swap_type != TRAILER_SWAP_TYPE_REVERT) {
        rc = boot_secondary_acceptable(st, &ok);
        if (rc < 0) {
            return rc;
        }
    }
    if (ok) {
        return 0;
    }
    MCUBOOT_LOG_ERR("image %lu: the image in the %s slot is not valid", (unsigned long)st->cur,
                    slot == BOOT_SLOT_PRIMARY ? "primary" : "secondary");
    if (slot == BOOT_SLOT_SECONDARY) {
        rc = boot_erase_secondary(st);
        if (rc < 0) {
            return rc;
        }
    }
    return 1;
}

/* Multi-image: once a later image upgrades or resumes, earlier REVERTs were false alarms. */
static void boot_review_swap_types(struct boot_loader_state *st, bool aborted)
{
    uint8_t t = st->img[st->cur].swap_type;
    uint32_t i;

    if (st->cur == 0) {
        return;
    }
    if (!aborted && (t == TRAILER_SWAP_TYPE_NONE || t == TRAILER_SWAP_TYPE_REVERT)) {
        return;
    }
    for (i = 0; i < st->cur; i++) {
        if (st->img[i].swap_type == TRAILER_SWAP_TYPE_REVERT) {
            st->img[i].swap_type = TRAILER_SWAP_TYPE_NONE;
        }
    }
}

/* Sets the primary's flags after a swap of type t (boot_perform_update()'s epilogue). */
static int boot_finish_swap(struct boot_loader_state *st, uint8_t t)
{
    int rc = 0;

    if (swap_type_is_upgrade(t)) {
        rc = boot_record_finish(st, t == TRAILER_SWAP_TYPE_REVERT || t == TRAILER_SWAP_TYPE_PERM);
    }
    if (rc == 0 && swap_type_is_upgrade(t)) {
        /* A flag torn during the swap may only be repairable now that the swap is complete
         * (the scratch area is then free to keep image bytes; boot_journal.h). */
        rc = boot_repair_check_primary(st, NULL);
    }
    return rc;
}

/* Erases the trailer of a secondary slot that holds no image (see below). */
static int boot_drop_secondary_trailer(struct boot_loader_state *st)
{
    MCUBOOT_LOG_WRN("image %lu: erasing a torn trailer in the empty secondary slot",
                    (unsigned long)st->cur);
    return boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
}

/*
 * A secondary slot without an image whose magic does not read erased is what a cut erase of its
 * trailer sector leaves (overwrite-only erases the slot's first and last sectors last): erase
 * the trailer again, so the final state is MCUboot's (magic unset) and no later boot sees a
 * half-erased request. A partial erase can leave the magic reading good and a flag reading bad
 * (no swap type then): that request has no image to act on either (a depth-2 finding on ECC,
 * overwrite-only). Only when no swap is in progress.
 *
 * When the slot's first sector is also its trailer sector (one sector per slot), the cut erase
 * leaves the header half erased too: a header that is not an image header then suffices (issue
 * 14, overwrite-only on NOR).
 */
static int boot_drop_torn_secondary_trailer(struct boot_loader_state *st)
{
    struct boot_image_state *img = &st->img[st->cur];
    struct image_header hdr;
    enum trailer_magic_state magic;
    uint32_t first;
    uint32_t first_off;
    bool ok;
    bool erased;
    int rc;

    if (img->hdr_ok[1]) {
        return 0;
    }
    rc = trailer_read_magic(st->fa_sec, &st->lay_sec, &magic);
    if (rc < 0 || magic == TRAILER_MAGIC_UNSET) {
        return rc;
    }
    rc = trailer_sector_span(&st->lay_sec, st->sect.sec, st->sect.n_sec, &first, &first_off);
    if (rc < 0 || first_off == 0) {
        /* The header's sector is the trailer's: no image header, no image. */
        return rc < 0 ? rc : boot_drop_secondary_trailer(st);
    }
    rc = loader_io_read_header(st->fa_sec, 0, &hdr, &ok, &erased);
    if (rc < 0 || !erased) {
        return rc;
    }
    if (img->sec_off != 0) {
        rc = loader_io_read_header(st->fa_sec, img->sec_off, &hdr, &ok, &erased);
        if (rc < 0 || !erased) {
            return rc;
        }
    }
    return boot_drop_secondary_trailer(st);
}

/* Finishes the repairs of the primary's trailer, then reads the swap type and the headers. */
static int boot_prepare_trailers(struct boot_loader_state *st, uint8_t *t)
{
    /* A cut rewrite of the primary's trailer is finished from its journal before anything
     * reads that trailer. */
    int rc = boot_journal_recover(st, NULL);

    if (rc == 0) {
        /* A flag torn while being set, or unstable bits: complete the primary's trailer. */
        rc = boot_repair_check_primary(st, NULL);
    }
    if (rc == 0) {
        rc = boot_decide(st, t);
    }
    if (rc == 0) {
        rc = boot_read_headers(st, *t);
    }
    return rc;
}

/* Power was lost during a swap (st->img[cur].bs): finish it the way it was going. */
static int boot_resume(struct boot_loader_state *st, const struct boot_mode_ops *ops)
{
    struct boot_image_state *img = &st->img[st->cur];
    bool ran;
    int rc;

    MCUBOOT_LOG_INF("image %lu: resuming an interrupted swap", (unsigned long)st->cur);
    boot_review_swap_types(st, true);
    rc = ops->run(st, &img->bs, &ran);
    if (rc == 0) {
        rc = boot_finish_swap(st, img->bs.swap_type);
    }
    if (rc < 0) {
        return rc;
    }
    img->performed = img->bs.swap_type;
    img->resumed = true;
    boot_status_reset(&img->bs);
    return boot_read_headers(st, TRAILER_SWAP_TYPE_NONE);
}

/*
 * Validates the secondary of an upgrade of type *t, which becomes FAIL or NONE when the image
 * is not usable. Returns 0, 1 when the validation itself failed (the image's swap type is then
 * FAIL and it is kept), or a negative error.
 */
static int boot_prepare_upgrade(struct boot_loader_state *st, uint8_t *t)
{
    struct boot_image_state *img = &st->img[st->cur];
    int verr;
    int rc;

    if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET && *t != TRAILER_SWAP_TYPE_REVERT && img->hdr_ok[1] &&
        img->sec_off == 0) {
        /* An upgrade image must start one sector into the slot. */
        rc = boot_erase_secondary(st);
        if (rc < 0) {
            return rc;
        }
        img->hdr_ok[1] = false;
    }
    rc = boot_validate_slot(st, BOOT_SLOT_SECONDARY, *t, &verr);
    if (rc == BO_ENOMEM || rc == BO_ECRYPTO || rc == BO_EINVAL) {
        /* Validation itself failed (MCUboot's FIH_FAILURE): keep the image, no swap. */
        MCUBOOT_LOG_ERR("image %lu: cannot validate the secondary (%d)", (unsigned long)st->cur,
                        rc);
        img->swap_type = TRAILER_SWAP_TYPE_FAIL;
        return 1;
    }
    if (rc == 1) {
        *t = img->bs.swap_type != TRAILER_SWAP_TYPE_NONE ? TRAILER_SWAP_TYPE_FAIL
                                                         : TRAILER_SWAP_TYPE_NONE;
    }
    return rc < 0 ? rc : 0;
}

/* First pass for the current image: resume, or decide and validate (prepare_image_for_update). */
static int boot_prepare_image(struct boot_loader_state *st)
{
    struct boot_image_state *img = &st->img[st->cur];
    const struct boot_mode_ops *ops = boot_mode_ops_of(st->cfg.mode);
    const char *why = NULL;
    uint8_t t = TRAILER_SWAP_TYPE_NONE;
    int rc;

    img->swap_type = TRAILER_SWAP_TYPE_NONE;
    img->performed = TRAILER_SWAP_TYPE_NONE;
    img->recovered = false;
    boot_status_reset(&img->bs);
    rc = boot_prepare_trailers(st, &t);
    if (rc < 0) {
        return rc;
    }
    img->compatible = sectors_compatible(st, &why) != 0;
    if (!img->compatible) {
        MCUBOOT_LOG_WRN("image %lu: cannot upgrade: %s", (unsigned long)st->cur, why);
        return 0;
    }
    rc = boot_status_read(st, ops, &img->bs);
    if (rc < 0) {
        return rc;
    }
    if (!boot_status_is_reset(&img->bs)) {
        return boot_resume(st, ops);
    }
    if (img->bs.swap_type != TRAILER_SWAP_TYPE_NONE && img->bs.swap_type != t) {
        /* A swap was set up but no step recorded: start it again. */
        t = img->bs.swap_type;
        rc = boot_read_headers(st, t);
        if (rc < 0) {
            return rc;
        }
    }
    if (t == TRAILER_SWAP_TYPE_NONE) {
        rc = boot_drop_torn_secondary_trailer(st);
        if (rc < 0) {
            return rc;
        }
    }
    if (swap_type_is_upgrade(t)) {
        rc = boot_prepare_upgrade(st, &t);
        if (rc != 0) {
            return rc < 0 ? rc : 0;
        }
    }
    img->swap_type = t;
    boot_review_swap_types(st, false);
    return 0;
}

/* Second pass for the current image: perform the decided operation (boot_perform_update()). */
int boot_perform(struct boot_loader_state *st)
{
    struct boot_image_state *img = &st->img[st->cur];
    const struct boot_mode_ops *ops = boot_mode_ops_of(st->cfg.mode);
    struct boot_status *bs = &img->bs;
    uint8_t t = img->swap_type;
    uint32_t sz_pri;
    uint32_t sz_sec;
    bool ran = false;
    int rc;

    if (t == TRAILER_SWAP_TYPE_FAIL) {
        img->performed = t;
        /* The secondary was bad: behave as after a revert, so it is not tried again. */
        return st->cfg.mode == BOOT_MODE_OVERWRITE ? 0 : boot_record_image_ok(st);
    }
    if (!swap_type_is_upgrade(t)) {
        return 0;
    }
    bs->swap_type = t;
    if (st->cfg.mode != BOOT_MODE_OVERWRITE) {
        rc = loader_io_image_size(st->fa_pri, 0, &sz_pri, &bs->tlv_size[0]);
        if (rc == 0) {
            rc = loader_io_image_size(st->fa_sec, img->sec_off, &sz_sec, &bs->tlv_size[1]);
        }
        if (rc < 0) {
            return rc;
        }
        bs->swap_size = sz_pri > sz_sec ? sz_pri : sz_sec;
    }
    rc = ops->run(st, bs, &ran);
    if (rc < 0) {
        return rc;
    }
    if (!ran) {
        MCUBOOT_LOG_WRN("image %lu: not enough room to swap", (unsigned long)st->cur);
        return 0;
    }
    if (st->cfg.mode != BOOT_MODE_OVERWRITE) {
        rc = boot_finish_swap(st, t);
        if (rc < 0) {
            return rc;
        }
    }
    img->performed = t;
    boot_status_reset(bs);
    return 0;
}

/*
 * Reads the primary's header and, with validate_primary, validates it. Returns 0 (good), 1 (no
 * good image: *verr says why) or a flash error.
 */
static int boot_primary_valid(struct boot_loader_state *st, int *verr)
{
    struct boot_image_state *img = &st->img[st->cur];
    int rc;

    rc = loader_io_read_header(st->fa_pri, 0, &img->hdr[0], &img->hdr_ok[0], NULL);
    if (rc < 0) {
        return rc;
    }
    if (st->cfg.validate_primary) {
        return boot_validate_slot(st, BOOT_SLOT_PRIMARY, TRAILER_SWAP_TYPE_NONE, verr);
    }
    if (!img->hdr_ok[0]) {
        MCUBOOT_LOG_ERR("image %lu: bad image magic", (unsigned long)st->cur);
        *verr = BO_EBADIMAGE;
        return 1;
    }
    return 0;
}

/* Last pass for the current image: the primary must hold a good image. */
static int boot_check_primary(struct boot_loader_state *st, struct boot_rsp *rsp)
{
    static const struct boot_recover_ops ops = { boot_read_headers, boot_perform };
    struct boot_image_state *img = &st->img[st->cur];
    int verr = BO_EBADIMAGE;
    bool recovered = false;
    int rc;

    rc = boot_primary_valid(st, &verr);
    if (rc == 1 && st->cfg.validate_primary) {
        /* A good image in the secondary is swapped back (copied after a stopped swap). */
        rc = img->aborted ? boot_recover_copy(st, &ops, &recovered)
                          : boot_recover_primary(st, &ops, &recovered);
        if (rc == 0) {
            rc = recovered ? boot_primary_valid(st, &verr) : 1;
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (rc == 1) {
        return verr;
    }
    rsp->versions[st->cur] = img->hdr[0].version;
    rsp->swap_type[st->cur] = img->performed;
    rsp->resumed[st->cur] = img->resumed;
    if (st->cur == 0) {
        rsp->br_hdr = img->hdr[0];
        rsp->br_flash_dev_id = flash_area_get_device_id(st->fa_pri);
        rsp->br_image_off = flash_area_get_off(st->fa_pri);
        rsp->slot = BOOT_SLOT_PRIMARY;
        rsp->version = img->hdr[0].version;
        if (st->cfg.validate_primary) {
            memcpy(rsp->hash, st->vres.hash, sizeof(rsp->hash));
            rsp->hash_len = st->vres.hash_len;
        }
    }
    return 0;
}

/*
 * A flash operation of a swap (or of its resume or repair) failed (BO_EIO: a worn or failing
 * sector). With validate_primary the upgrade stops for this boot and the last pass boots the
 * primary if it validates (an intact image), instead of failing every boot on the same
 * operation (issue 14). The request or progress stays: a later boot tries again.
 */
static int boot_abort_on_io(struct boot_loader_state *st, int rc)
{
    struct boot_image_state *img = &st->img[st->cur];

    if (rc != BO_EIO || !st->cfg.validate_primary) {
        return rc;
    }
    MCUBOOT_LOG_ERR("image %lu: flash error during the upgrade: stopped, the primary boots if "
                    "it is valid",
                    (unsigned long)st->cur);
    img->aborted = true;
    img->swap_type = TRAILER_SWAP_TYPE_NONE;
    img->performed = TRAILER_SWAP_TYPE_NONE;
    return 0;
}

/* Runs one pass over every image. */
static int boot_pass(struct boot_loader_state *st, int pass, struct boot_rsp *rsp)
{
    uint32_t i;
    int rc = 0;

    for (i = 0; i < st->cfg.image_count && rc == 0; i++) {
        rc = boot_image_open(st, i);
        if (rc == 0 && pass == 0) {
            st->img[i].aborted = false;
            rc = boot_abort_on_io(st, boot_prepare_image(st));
        } else if (rc == 0 && pass == 1) {
            rc = st->img[i].aborted ? 0 : boot_abort_on_io(st, boot_perform(st));
        } else if (rc == 0) {
            rc = boot_check_primary(st, rsp);
        }
        boot_image_close(st);
    }
    return rc;
}

/* Clears state and copies cfg into it, with the default of each field left at 0. */
static void boot_state_init(struct boot_loader_state *state, const struct boot_config *cfg)
{
    memset(state, 0, sizeof(*state));
    state->cfg = *cfg;
    if (state->cfg.max_sectors == 0) {
        state->cfg.max_sectors = BOOT_DEFAULT_MAX_SECTORS;
    }
}

int boot_go_ctx(struct boot_loader_state *state, const struct boot_config *cfg,
                struct boot_rsp *rsp)
{
    bool upgrade = false;
    uint32_t i;
    int rc;

    if (state == NULL || cfg == NULL || rsp == NULL || cfg->image_count < 1 ||
        cfg->image_count > BOOT_IMAGE_MAX || boot_mode_ops_of(cfg->mode) == NULL ||
        cfg->max_sectors > BOOT_SECTORS_MAX || (cfg->key_count > 0 && cfg->keys == NULL)) {
        return BO_EINVAL;
    }
    boot_state_init(state, cfg);
    memset(rsp, 0, sizeof(*rsp));
    rsp->image_count = cfg->image_count;
    rc = boot_pass(state, 0, rsp);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < cfg->image_count; i++) {
        upgrade = upgrade || swap_type_is_upgrade(state->img[i].swap_type);
    }
    if (upgrade && cfg->image_count > 1) {
        rc = boot_deps_verify(state);
        if (rc < 0) {
            return rc;
        }
    }
    rc = boot_pass(state, 1, rsp);
    if (rc < 0) {
        return rc;
    }
    return boot_pass(state, 2, rsp);
}

int boot_image_capacity(struct boot_loader_state *state, const struct boot_config *cfg,
                        uint32_t image, uint32_t *max_size, const char **why)
{
    int rc;

    if (state == NULL || cfg == NULL || max_size == NULL || image >= cfg->image_count ||
        image >= BOOT_IMAGE_MAX || boot_mode_ops_of(cfg->mode) == NULL ||
        cfg->max_sectors > BOOT_SECTORS_MAX) {
        return BO_EINVAL;
    }
    boot_state_init(state, cfg);
    *max_size = 0;
    rc = boot_image_open(state, image);
    if (rc == 0) {
        rc = sectors_compatible(state, why);
        if (rc == 1) {
            *max_size = sectors_max_image_size(state);
        }
    }
    boot_image_close(state);
    return rc;
}

int boot_go(struct boot_rsp *rsp)
{
    struct boot_loader_state state;
    const struct boot_config *cfg = port_boot_config();

    if (cfg == NULL) {
        return BO_ESTATE;
    }
    return boot_go_ctx(&state, cfg, rsp);
}
