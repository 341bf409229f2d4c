/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recorded writes of a swap, each repaired and done again once when a torn write left its
 * unit programmed (see boot_record.h).
 */
#include "boot/boot_record.h"

#include "bo_err.h"
#include "boot/boot_repair.h"
#include "boot/loader_io.h"
#include "boot/swap_state.h"

int boot_record_status(struct boot_loader_state *st, const struct boot_status *bs)
{
    struct boot_status_unit unit;
    int rc = boot_status_write(st, bs);

    if (rc == BO_ESEMANTICS && boot_status_record_unit(st, bs, &unit) == 0) {
        /* A torn write of this record left it reading erased: its step was just redone. */
        rc = boot_repair_for_retry(st, unit.fa, rc, unit.off, unit.len);
        if (rc == 0) {
            rc = boot_status_write(st, bs);
        }
    }
    return rc;
}

int boot_record_field(struct boot_loader_state *st, const struct flash_area *fa,
                      const struct trailer_layout *lay, enum boot_status_field field,
                      const struct boot_status *bs)
{
    struct boot_status_unit unit;
    int rc = boot_status_write_field(st, fa, lay, field, bs);

    if (rc != BO_ESEMANTICS || boot_status_field_unit(fa, lay, field, &unit) < 0) {
        return rc;
    }
    if (fa == st->fa_pri &&
        (field == BOOT_STATUS_FIELD_IMAGE_OK || field == BOOT_STATUS_FIELD_COPY_DONE)) {
        /* The unit holds a torn "set": the rewrite writes the flag set itself. */
        return boot_repair_set_flags(st, field == BOOT_STATUS_FIELD_IMAGE_OK,
                                     field == BOOT_STATUS_FIELD_COPY_DONE);
    }
    rc = boot_repair_for_retry(st, fa, rc, unit.off, unit.len);
    if (rc == 0) {
        rc = boot_status_write_field(st, fa, lay, field, bs);
    }
    return rc;
}

int boot_record_init_area(struct boot_loader_state *st, const struct flash_area *fa,
                          const struct trailer_layout *lay, const struct boot_status *bs)
{
    struct boot_swap_state sec;
    int rc;

    rc = swap_state_read(st->fa_sec, &st->lay_sec, &sec);
    if (rc < 0) {
        return rc;
    }
    if (bs->swap_type != TRAILER_SWAP_TYPE_NONE) {
        rc = boot_record_field(st, fa, lay, BOOT_STATUS_FIELD_SWAP_INFO, bs);
        if (rc < 0) {
            return rc;
        }
    }
    if (sec.image_ok == TRAILER_FLAG_SET) {
        rc = boot_record_field(st, fa, lay, BOOT_STATUS_FIELD_IMAGE_OK, bs);
        if (rc < 0) {
            return rc;
        }
    }
    rc = boot_record_field(st, fa, lay, BOOT_STATUS_FIELD_SWAP_SIZE, bs);
    if (rc < 0) {
        return rc;
    }
    if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET) {
        rc = boot_record_field(st, fa, lay, BOOT_STATUS_FIELD_TLV_SIZES, bs);
        if (rc < 0) {
            return rc;
        }
    }
    return boot_record_field(st, fa, lay, BOOT_STATUS_FIELD_MAGIC, bs);
}

int boot_record_image_ok(struct boot_loader_state *st)
{
    enum trailer_flag_state flag;
    int rc = trailer_read_image_ok(st->fa_pri, &st->lay_pri, &flag);

    if (rc < 0 || flag != TRAILER_FLAG_UNSET) {
        return rc;
    }
    return boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_IMAGE_OK, NULL);
}

int boot_record_copy_done(struct boot_loader_state *st)
{
    return boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_COPY_DONE, NULL);
}

int boot_record_finish(struct boot_loader_state *st, bool image_ok)
{
    enum trailer_flag_state flag = TRAILER_FLAG_SET;
    int rc = 0;

    if (image_ok) {
        rc = trailer_read_image_ok(st->fa_pri, &st->lay_pri, &flag);
    }
    if (rc == 0 && flag == TRAILER_FLAG_UNSET) {
        rc =
            boot_status_write_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_IMAGE_OK, NULL);
        if (rc == BO_ESEMANTICS) {
            /* The swap is complete: copy_done goes with the rewrite, so the journal may use
             * the scratch area (boot_repair_set_flags()). */
            return boot_repair_set_flags(st, true, true);
        }
    }
    if (rc < 0) {
        return rc;
    }
    return boot_record_copy_done(st);
}

int boot_record_copy_step(struct boot_loader_state *st, const struct flash_area *src,
                          const struct flash_area *dst, uint32_t src_off, uint32_t dst_off,
                          uint32_t sz, struct boot_status *bs)
{
    int rc = loader_io_erase(dst, dst_off, sz);

    if (rc == 0) {
        rc = loader_io_copy(st, src, dst, src_off, dst_off, sz);
    }
    if (rc == 0) {
        rc = boot_record_status(st, bs);
    }
    return rc;
}

int boot_record_swap_step(struct boot_loader_state *st, struct boot_status *bs,
                          const struct boot_record_move move[2], uint32_t sz)
{
    int rc = 0;

    if (bs->state == 1) {
        rc = boot_record_copy_step(st, move[0].src, move[0].dst, move[0].src_off, move[0].dst_off,
                                   sz, bs);
        if (rc < 0) {
            return rc;
        }
        bs->state = 2;
    }
    if (bs->state == 2) {
        rc = boot_record_copy_step(st, move[1].src, move[1].dst, move[1].src_off, move[1].dst_off,
                                   sz, bs);
        if (rc < 0) {
            return rc;
        }
        bs->idx++;
        bs->state = 1;
    }
    return rc;
}
