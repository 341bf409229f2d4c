/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-scratch (MCUboot's default mode, design.md "Image Slots" and "Swap Status").
 *
 * The swapped range (the sectors holding the larger image) is split, from the top down, into
 * steps of whole units that fit in the scratch area; a unit ends where both slots have a
 * sector boundary. Each step has three records:
 *   1: secondary -> scratch, 2: primary -> secondary, 3: scratch -> primary.
 * The first step also carries the trailers when the range reaches them: then the primary's
 * status lives in the scratch area until the step's last copy restores it (use_scratch), and
 * the step ends by erasing the scratch area. A cut of that erase leaves a stale scratch
 * trailer over partly erased data; the primary's restored trailer then wins over it (see
 * swap_scratch_primary_took_over()).
 */
#include <string.h>

#include "bo_err.h"
#include "boot/boot_record.h"
#include "boot/boot_repair.h"
#include "boot/boot_status.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
#include "boot/sectors.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"

/*
 * Whether the primary's trailer records the first step as complete while the scratch area
 * still holds that step's trailer: the step restored the primary's trailer, wrote its last
 * record there and was cut while erasing the scratch area. The scratch's data is then partly
 * erased (its trailer sector goes last, or is only partly erased, its fields unreliable), so
 * resuming from the scratch would redo the step's last copy from it and destroy the primary.
 * The primary's status is the one to follow: its magic is good, its copy is not done and its
 * records reach past the first step. No earlier swap leaves that state behind: a finished swap
 * sets copy_done before another can start.
 */
static int swap_scratch_primary_took_over(struct boot_loader_state *st,
                                          const struct boot_swap_state *pri, bool *took_over)
{
    struct boot_status prog;
    int rc;

    *took_over = false;
    if (pri->magic != TRAILER_MAGIC_GOOD || pri->copy_done != TRAILER_FLAG_UNSET) {
        return 0;
    }
    memset(&prog, 0, sizeof(prog));
    prog.idx = 1;
    prog.state = 1;
    rc = swap_scratch_read_progress(st, st->fa_pri, &st->lay_pri, &prog);
    if (rc < 0) {
        return rc;
    }
    *took_over = prog.idx >= 2;
    return 0;
}

int swap_scratch_source(struct boot_loader_state *st, uint8_t *source)
{
    struct boot_swap_state pri;
    struct boot_swap_state scr;
    bool took_over;
    int rc;

    rc = swap_state_read(st->fa_pri, &st->lay_pri, &pri);
    if (rc < 0) {
        return rc;
    }
    rc = swap_state_read(st->fa_scr, &st->lay_scr, &scr);
    if (rc < 0) {
        return rc;
    }
    *source = (uint8_t)swap_type_status_source(&pri, &scr, (uint8_t)st->cur);
    if (*source == SWAP_TYPE_SOURCE_SCRATCH) {
        rc = swap_scratch_primary_took_over(st, &pri, &took_over);
        if (rc < 0) {
            return rc;
        }
        if (took_over) {
            MCUBOOT_LOG_WRN("stale scratch trailer: resuming from the primary slot");
            *source = SWAP_TYPE_SOURCE_PRIMARY;
        }
    }
    return 0;
}

int swap_scratch_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                               const struct trailer_layout *lay, struct boot_status *bs)
{
    uint32_t count = lay->status_entries * lay->status_states;
    bool found;
    uint32_t next;
    int rc;

    /*
     * The last record written counts, past any record before it that reads erased: a record is
     * written only once the one before it was, so such a record is one a cut left torn or weak
     * (ECC), and resuming there would redo a copy whose source a later state has overwritten.
     * A weak last record counts as written, as in swap_move.c (issue 14: a weak record read
     * erased once redid the step, and the rewrite of its unit bricked k64f).
     */
    rc = boot_status_scan_reverse(fa, lay, count, &found, &next);
    if (rc == 0) {
        next = found ? next : 0;
        rc = boot_repair_status_end_of(fa, lay, count, &next);
    }
    if (rc == 0 && next != 0 && fa == st->fa_pri) {
        rc = boot_repair_settle_record(st, BOOT_SLOT_PRIMARY, next - 1,
                                       (uint8_t)((next - 1) % lay->status_states + 1));
    }
    if (rc < 0 || next == 0) {
        return rc;
    }
    bs->idx = next / lay->status_states + 1;
    bs->state = (uint8_t)(next % lay->status_states + 1);
    return 0;
}

/* The end of the swapped range: the first common boundary at or above size, or the end of the
 * slots when the range would reach the trailers' sectors. */
static uint32_t swap_scratch_range_end(const struct boot_loader_state *st, uint32_t size)
{
    uint32_t slot_sz = flash_area_get_size(st->fa_pri);
    uint32_t end = 0;

    while (end < size || end == 0) {
        if (sectors_common_next(st, end, &end) < 0) {
            return slot_sz;
        }
    }
    if (end > sectors_trailer_floor(st)) {
        end = slot_sz;
    }
    return end;
}

/* Restores the primary's trailer from the scratch area after the first step's last copy. */
static int swap_scratch_restore_trailer(struct boot_loader_state *st, struct boot_status *bs,
                                        uint32_t dst_off)
{
    struct boot_status info;
    struct boot_swap_state scr;
    int rc;

    rc = loader_io_copy(st, st->fa_scr, st->fa_pri, st->lay_scr.status_off, dst_off,
                        (st->lay_scr.status_states - 1) * st->write_sz);
    if (rc < 0) {
        return rc;
    }
    rc = swap_state_read(st->fa_scr, &st->lay_scr, &scr);
    if (rc < 0) {
        return rc;
    }
    if (scr.image_ok == TRAILER_FLAG_SET) {
        rc = boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_IMAGE_OK, bs);
        if (rc < 0) {
            return rc;
        }
    }
    if (scr.swap_type != TRAILER_SWAP_TYPE_NONE) {
        info = *bs;
        info.swap_type = scr.swap_type;
        rc = boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_SWAP_INFO, &info);
        if (rc < 0) {
            return rc;
        }
    }
    rc = boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_SWAP_SIZE, bs);
    if (rc < 0) {
        return rc;
    }
    return boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_MAGIC, bs);
}

/*
 * The first step's trailers, before its first copy. A first step restarted while the scratch
 * trailer is the only record of the request (the primary's was being rebuilt, the secondary's
 * is gone in a revert) keeps that trailer: MCUboot erases it first, and a second cut then loses
 * the revert.
 */
static int swap_scratch_first_trailers(struct boot_loader_state *st, struct boot_status *bs,
                                       bool keep)
{
    uint32_t scratch_sz = flash_area_get_size(st->fa_scr);
    int rc = 0;

    /* The scratch trailer holds the swap type while the primary's is rebuilt. */
    if (!keep) {
        rc = boot_record_init_area(st, st->fa_scr, &st->lay_scr, bs);
    }
    if (rc < 0 || bs->use_scratch) {
        return rc;
    }
    rc = boot_status_erase_trailer(st, BOOT_SLOT_PRIMARY);
    if (rc == 0) {
        rc = boot_record_init_area(st, st->fa_pri, &st->lay_pri, bs);
    }
    if (rc == 0) {
        rc = loader_io_erase(st->fa_scr, 0, scratch_sz);
    }
    return rc;
}

/* Record 1 of a step: the secondary's [off, off + copy_sz) to the scratch area. */
static int swap_scratch_to_scratch(struct boot_loader_state *st, struct boot_status *bs,
                                   uint32_t off, uint32_t copy_sz)
{
    uint32_t scratch_sz = flash_area_get_size(st->fa_scr);
    bool keep = bs->idx == 1 && bs->state == 1 && !bs->use_scratch &&
                bs->source == SWAP_TYPE_SOURCE_SCRATCH;
    int rc = 0;

    if (!keep) {
        rc = loader_io_erase(st->fa_scr, 0, scratch_sz);
    }
    if (rc == 0 && bs->idx == 1) {
        rc = swap_scratch_first_trailers(st, bs, keep);
    }
    if (rc == 0) {
        rc = loader_io_copy(st, st->fa_sec, st->fa_scr, off, 0, copy_sz);
    }
    if (rc == 0) {
        rc = boot_record_status(st, bs);
    }
    return rc;
}

/* Record 2 of a step: the primary's [off, off + copy_sz) to the secondary. */
static int swap_scratch_to_secondary(struct boot_loader_state *st, struct boot_status *bs,
                                     uint32_t off, uint32_t sz, uint32_t copy_sz)
{
    int rc = loader_io_erase(st->fa_sec, off, sz);

    if (rc == 0) {
        rc = loader_io_copy(st, st->fa_pri, st->fa_sec, off, off, copy_sz);
    }
    if (rc == 0 && bs->idx == 1 && !bs->use_scratch) {
        /* The secondary keeps no trailer: only the primary has the status. */
        rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
    }
    if (rc == 0) {
        rc = boot_record_status(st, bs);
    }
    return rc;
}

/*
 * Record 3 of a step: the scratch area to the primary's [off, off + copy_sz), its trailer too in
 * a first step that carries it; then the next step's first record.
 */
static int swap_scratch_to_primary(struct boot_loader_state *st, struct boot_status *bs,
                                   uint32_t off, uint32_t sz, uint32_t copy_sz)
{
    bool erase_scratch;
    int rc = loader_io_erase(st->fa_pri, off, sz);

    if (rc == 0) {
        rc = loader_io_copy(st, st->fa_scr, st->fa_pri, 0, off, copy_sz);
    }
    if (rc == 0 && bs->use_scratch) {
        rc = swap_scratch_restore_trailer(st, bs, off + copy_sz);
    }
    if (rc < 0) {
        return rc;
    }
    /* The scratch trailer goes only after the primary has one again. */
    erase_scratch = bs->use_scratch;
    bs->use_scratch = false;
    rc = boot_record_status(st, bs);
    if (rc < 0) {
        return rc;
    }
    bs->idx++;
    bs->state = 1;
    if (erase_scratch) {
        rc = loader_io_erase(st->fa_scr, 0, flash_area_get_size(st->fa_scr));
    }
    return rc;
}

/* One step: swaps [off, off + sz) of the two slots through the scratch area. */
static int swap_scratch_step(struct boot_loader_state *st, struct boot_status *bs, uint32_t off,
                             uint32_t sz)
{
    uint32_t copy_sz = sz;
    int rc = 0;

    if (off + sz == flash_area_get_size(st->fa_pri)) {
        /* The top step leaves the trailers out of the copies. */
        copy_sz = st->lay_pri.status_off - off;
    }
    bs->use_scratch = bs->idx == 1 && copy_sz != sz;
    if (bs->state == 1) {
        rc = swap_scratch_to_scratch(st, bs, off, copy_sz);
        if (rc < 0) {
            return rc;
        }
        bs->state = 2;
    }
    if (bs->state == 2) {
        rc = swap_scratch_to_secondary(st, bs, off, sz, copy_sz);
        if (rc < 0) {
            return rc;
        }
        bs->state = 3;
    }
    if (bs->state == 3) {
        rc = swap_scratch_to_primary(st, bs, off, sz, copy_sz);
    }
    return rc;
}

/*
 * Erases the scratch area when the primary took over from a stale scratch trailer (see
 * swap_scratch_primary_took_over()): the first step's erase of the scratch was cut, and a later
 * boot would otherwise find the stale trailer again once the primary's copy is done.
 */
static int swap_scratch_drop_stale(struct boot_loader_state *st, const struct boot_status *bs)
{
    struct boot_swap_state scr;
    int rc;

    if (bs->source != SWAP_TYPE_SOURCE_PRIMARY) {
        return 0;
    }
    rc = swap_state_read(st->fa_scr, &st->lay_scr, &scr);
    if (rc < 0 || scr.magic != TRAILER_MAGIC_GOOD) {
        return rc;
    }
    return loader_io_erase(st->fa_scr, 0, flash_area_get_size(st->fa_scr));
}

int swap_scratch_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran)
{
    uint32_t end = swap_scratch_range_end(st, bs->swap_size);
    uint32_t step = 0;
    int rc;

    MCUBOOT_LOG_INF("swap using scratch: 0x%lx bytes, from step %lu state %u", (unsigned long)end,
                    (unsigned long)bs->idx, bs->state);
    *ran = true;
    rc = swap_scratch_drop_stale(st, bs);
    if (rc < 0) {
        return rc;
    }
    while (end > 0) {
        uint32_t start = sectors_region_start(st, end);

        if (start == end) {
            return BO_ESTATE;
        }
        if (step + 1 >= bs->idx) {
            rc = swap_scratch_step(st, bs, start, end - start);
            if (rc < 0) {
                return rc;
            }
        }
        end = start;
        step++;
    }
    return 0;
}
