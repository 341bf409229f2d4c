/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap progress: status source, record scans, single record and field writes, trailer erasure.
 */
#include "boot/boot_status.h"

#include <string.h>

#include "bo_err.h"
#include "boot/loader_io.h"
#include "boot/sectors.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"

void boot_status_reset(struct boot_status *bs)
{
    memset(bs, 0, sizeof(*bs));
    bs->op = TRAILER_STATUS_OP_MOVE;
    bs->idx = 1;
    bs->state = 1;
    bs->swap_type = TRAILER_SWAP_TYPE_NONE;
    bs->source = SWAP_TYPE_SOURCE_NONE;
}

bool boot_status_is_reset(const struct boot_status *bs)
{
    return bs->op == TRAILER_STATUS_OP_MOVE && bs->idx == 1 && bs->state == 1;
}

/* Reads the first byte of record i (from 0) of the status area. */
static int boot_status_read_record(const struct flash_area *fa, const struct trailer_layout *lay,
                                   uint32_t i, bool *erased)
{
    uint8_t b;
    int rc;

    rc = flash_area_read(fa, lay->status_off + i * lay->cfg.write_unit, &b, 1);
    if (rc < 0) {
        return rc;
    }
    *erased = b == lay->cfg.erased_val;
    return 0;
}

int boot_status_scan_forward(const struct flash_area *fa, const struct trailer_layout *lay,
                             uint32_t count, bool *found, uint32_t *next)
{
    bool seen = false;
    bool erased;
    uint32_t first_erased = 0;
    uint32_t i;
    int rc;

    for (i = 0; i < count; i++) {
        rc = boot_status_read_record(fa, lay, i, &erased);
        if (rc < 0) {
            return rc;
        }
        if (erased) {
            if (seen && first_erased == 0) {
                first_erased = i;
            }
        } else if (!seen) {
            seen = true;
        } else if (first_erased != 0) {
            /* A record after a gap: an earlier status write failed. MCUboot logs it and
             * relies on the validation of the primary slot. */
            MCUBOOT_LOG_WRN("inconsistent swap status");
            break;
        }
    }
    *found = seen;
    *next = seen ? (first_erased != 0 ? first_erased : i) : 0;
    return 0;
}

int boot_status_scan_reverse(const struct flash_area *fa, const struct trailer_layout *lay,
                             uint32_t count, bool *found, uint32_t *next)
{
    bool erased;
    uint32_t i;
    int rc;

    *found = false;
    *next = 0;
    for (i = count; i > 0; i--) {
        rc = boot_status_read_record(fa, lay, i - 1, &erased);
        if (rc < 0) {
            return rc;
        }
        if (!erased) {
            *found = true;
            *next = i;
            break;
        }
    }
    return 0;
}

int boot_status_source_slots(struct boot_loader_state *st, uint8_t *source)
{
    struct boot_swap_state pri;
    struct boot_swap_state sec;
    int rc;

    rc = swap_state_read(st->fa_pri, &st->lay_pri, &pri);
    if (rc < 0) {
        return rc;
    }
    rc = swap_state_read(st->fa_sec, &st->lay_sec, &sec);
    if (rc < 0) {
        return rc;
    }
    if (pri.magic == TRAILER_MAGIC_GOOD && pri.copy_done == TRAILER_FLAG_UNSET &&
        sec.magic != TRAILER_MAGIC_GOOD) {
        *source = SWAP_TYPE_SOURCE_PRIMARY;
    } else {
        *source = SWAP_TYPE_SOURCE_NONE;
    }
    return 0;
}

int boot_status_read(struct boot_loader_state *st, const struct boot_mode_ops *ops,
                     struct boot_status *bs)
{
    const struct flash_area *fa;
    const struct trailer_layout *lay;
    struct boot_swap_state info;
    uint8_t raw;
    uint8_t source = SWAP_TYPE_SOURCE_NONE;
    uint32_t slot_sz;
    int rc;

    boot_status_reset(bs);
    if (ops->source == NULL) {
        return 0;
    }
    rc = ops->source(st, &source);
    if (rc < 0) {
        return rc;
    }
    bs->source = source;
    if (source == SWAP_TYPE_SOURCE_SCRATCH) {
        fa = st->fa_scr;
        lay = &st->lay_scr;
    } else if (source == SWAP_TYPE_SOURCE_PRIMARY) {
        fa = st->fa_pri;
        lay = &st->lay_pri;
    } else {
        return 0;
    }
    rc = ops->read_progress(st, fa, lay, bs);
    if (rc < 0) {
        return rc;
    }
    rc = trailer_read_swap_info(fa, lay, &raw);
    if (rc < 0) {
        return rc;
    }
    swap_state_decode_info(lay, raw, &info);
    bs->swap_type = info.swap_type;
    if (boot_status_is_reset(bs)) {
        return 0;
    }
    /* A swap is under way: its size is in the same trailer. */
    rc = trailer_read_swap_size(fa, lay, &bs->swap_size);
    if (rc < 0) {
        return rc;
    }
    slot_sz = flash_area_get_size(st->fa_pri);
    if (bs->swap_size == 0 || bs->swap_size > slot_sz) {
        /* A corrupt size: swap everything a swap can reach rather than leave half an image. */
        MCUBOOT_LOG_WRN("swap size 0x%lx out of range", (unsigned long)bs->swap_size);
        bs->swap_size = sectors_max_image_size(st);
    }
    if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET) {
        rc = trailer_read_tlv_sizes(fa, lay, &bs->tlv_size[0], &bs->tlv_size[1]);
    }
    return rc;
}

/* The area and layout holding the records of bs, and the record's operation. */
static const struct flash_area *boot_status_record_area(struct boot_loader_state *st,
                                                        const struct boot_status *bs,
                                                        const struct trailer_layout **lay,
                                                        enum trailer_status_op *op)
{
    *op = st->cfg.mode == BOOT_MODE_SWAP_MOVE ? (enum trailer_status_op)bs->op
                                              : TRAILER_STATUS_OP_SWAP;
    *lay = bs->use_scratch ? &st->lay_scr : &st->lay_pri;
    return bs->use_scratch ? st->fa_scr : st->fa_pri;
}

int boot_status_write(struct boot_loader_state *st, const struct boot_status *bs)
{
    const struct trailer_layout *lay;
    enum trailer_status_op op;
    const struct flash_area *fa = boot_status_record_area(st, bs, &lay, &op);

    return trailer_write_status(fa, lay, op, bs->idx, bs->state, bs->state);
}

int boot_status_record_unit(struct boot_loader_state *st, const struct boot_status *bs,
                            struct boot_status_unit *unit)
{
    const struct trailer_layout *lay;
    enum trailer_status_op op;

    unit->fa = boot_status_record_area(st, bs, &lay, &op);
    unit->len = lay->cfg.write_unit;
    return trailer_status_record_off(lay, op, bs->idx, bs->state, &unit->off);
}

int boot_status_write_field(struct boot_loader_state *st, const struct flash_area *fa,
                            const struct trailer_layout *lay, enum boot_status_field field,
                            const struct boot_status *bs)
{
    switch (field) {
    case BOOT_STATUS_FIELD_SWAP_INFO:
        return trailer_write_swap_info(fa, lay, bs->swap_type, (uint8_t)st->cur);
    case BOOT_STATUS_FIELD_IMAGE_OK:
        return trailer_write_image_ok(fa, lay);
    case BOOT_STATUS_FIELD_COPY_DONE:
        return trailer_write_copy_done(fa, lay);
    case BOOT_STATUS_FIELD_SWAP_SIZE:
        return trailer_write_swap_size(fa, lay, bs->swap_size);
    case BOOT_STATUS_FIELD_TLV_SIZES:
        return trailer_write_tlv_sizes(fa, lay, bs->tlv_size[0], bs->tlv_size[1]);
    case BOOT_STATUS_FIELD_MAGIC:
        return trailer_write_magic(fa, lay);
    default:
        return BO_EINVAL;
    }
}

int boot_status_field_unit(const struct flash_area *fa, const struct trailer_layout *lay,
                           enum boot_status_field field, struct boot_status_unit *unit)
{
    uint32_t align = flash_area_align(fa);

    if (align == 0) {
        return BO_EINVAL;
    }
    unit->fa = fa;
    unit->len = align;
    switch (field) {
    case BOOT_STATUS_FIELD_SWAP_INFO:
        unit->off = lay->swap_info_off;
        break;
    case BOOT_STATUS_FIELD_IMAGE_OK:
        unit->off = lay->image_ok_off;
        break;
    case BOOT_STATUS_FIELD_COPY_DONE:
        unit->off = lay->copy_done_off;
        break;
    case BOOT_STATUS_FIELD_SWAP_SIZE:
        unit->off = lay->swap_size_off;
        unit->len = (4u + align - 1u) / align * align;
        break;
    case BOOT_STATUS_FIELD_TLV_SIZES:
        unit->off = lay->tlv_sizes_off;
        unit->len = (4u + align - 1u) / align * align;
        break;
    default:
        unit->off = lay->magic_unit_off;
        unit->len = lay->magic_unit_sz;
        break;
    }
    return 0;
}

int boot_status_erase_trailer(struct boot_loader_state *st, int slot)
{
    const struct flash_area *fa = slot == BOOT_SLOT_PRIMARY ? st->fa_pri : st->fa_sec;
    const struct trailer_layout *lay = slot == BOOT_SLOT_PRIMARY ? &st->lay_pri : &st->lay_sec;
    const struct flash_sector *s = slot == BOOT_SLOT_PRIMARY ? st->sect.pri : st->sect.sec;
    uint32_t n = slot == BOOT_SLOT_PRIMARY ? st->sect.n_pri : st->sect.n_sec;
    uint32_t total = 0;
    uint32_t i = n;
    int rc;

    while (i > 0 && total < lay->trailer_sz) {
        i--;
        rc = loader_io_erase(fa, s[i].fs_off, s[i].fs_size);
        if (rc < 0) {
            return rc;
        }
        total += s[i].fs_size;
    }
    return 0;
}
