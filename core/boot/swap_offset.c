/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-offset: the new image is stored one sector into the secondary slot. For each
 * sector i from the bottom, primary i goes to secondary i (the free sector below the new
 * image's sector i) and secondary i + 1 goes to primary i; afterwards the old image sits at
 * the start of the secondary. A revert runs the mirror image from the top down and leaves the
 * new image one sector in again. Two records per sector, in the primary's status area.
 *
 * Unlike MCUboot, which skips the sectors past each image, every sector of the swapped range
 * is copied: the images end the same, and progress never depends on the headers.
 */
#include "bo_err.h"
#include "boot/boot_repair.h"
#include "boot/boot_record.h"
#include "boot/boot_status.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
#include "boot/sectors.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"

int swap_offset_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                              const struct trailer_layout *lay, struct boot_status *bs)
{
    bool found;
    uint32_t next;
    int slot;
    int rc;

    rc = boot_status_scan_reverse(fa, lay, lay->status_entries * lay->status_states, &found, &next);
    if (rc < 0) {
        return rc;
    }
    /* A weak last record counts as written, and must read the same on every later boot. */
    slot = fa == st->fa_pri ? BOOT_SLOT_PRIMARY : BOOT_SLOT_SECONDARY;
    next = found ? next : 0;
    rc = boot_repair_status_end(st, slot, lay->status_entries * lay->status_states, &next);
    if (rc < 0 || next == 0) {
        return rc;
    }
    rc = boot_repair_settle_record(st, slot, next - 1, (uint8_t)((next - 1) % 2 + 1));
    if (rc < 0) {
        return rc;
    }
    bs->op = TRAILER_STATUS_OP_SWAP;
    bs->idx = next / 2 + 1;
    bs->state = (uint8_t)(next % 2 + 1);
    return 0;
}

/* One step: first copy primary sector a -> secondary sector b, then secondary c -> primary a. */
static int swap_offset_step(struct boot_loader_state *st, struct boot_status *bs, uint32_t a,
                            uint32_t b, uint32_t c)
{
    uint32_t sz = st->sect.pri[0].fs_size;
    uint32_t pri_off = st->sect.pri[a].fs_off;
    uint32_t sec_dst = st->sect.sec[b].fs_off;
    uint32_t sec_src = st->sect.sec[c].fs_off;
    const struct boot_record_move move[2] = {
        { st->fa_pri, st->fa_sec, pri_off, sec_dst },
        { st->fa_sec, st->fa_pri, sec_src, pri_off },
    };

    return boot_record_swap_step(st, bs, move, sz);
}

/*
 * Before a revert rebuilds the primary's trailer, the secondary gets one that asks for the
 * revert (copy_done, swap_info REVERT, sizes, magic), so a reset in between still reverts
 * (MCUboot's fixup_revert() of this mode).
 *
 * Only while the primary's trailer is not yet the revert's: once it is (the status source is
 * the primary), the secondary's request has done its job and has been erased on purpose. A
 * resume that wrote it again would, when cut before erasing it once more, leave a request that
 * starts the revert over from the first step and copies a half-swapped primary sector over the
 * only copy of the new image's sector (a depth-2 power-cut finding, issue 4).
 */
static int swap_offset_fixup_revert(struct boot_loader_state *st, struct boot_status *bs)
{
    struct boot_swap_state sec;
    int rc;

    if (bs->swap_type != TRAILER_SWAP_TYPE_REVERT || bs->idx != 1 ||
        bs->source == SWAP_TYPE_SOURCE_PRIMARY) {
        return 0;
    }
    rc = swap_state_read(st->fa_sec, &st->lay_sec, &sec);
    /* A good magic: the request is already there. A bad one: its magic write was cut, so
     * the request is written again from an erased trailer. */
    if (rc < 0 || sec.magic == TRAILER_MAGIC_GOOD) {
        return rc;
    }
    rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
    if (rc == 0) {
        rc = trailer_write_copy_done(st->fa_sec, &st->lay_sec);
    }
    if (rc == 0) {
        rc = boot_record_init_area(st, st->fa_sec, &st->lay_sec, bs);
    }
    return rc;
}

int swap_offset_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran)
{
    const struct boot_sectors *s = &st->sect;
    uint32_t sz = s->pri[0].fs_size;
    uint32_t last_idx = bs->swap_size == 0 ? 0 : (bs->swap_size - 1) / sz;
    uint32_t tp = sectors_trailer_count(s->pri, s->n_pri, st->lay_pri.trailer_sz);
    uint32_t ts = sectors_trailer_count(s->sec, s->n_sec, st->lay_sec.trailer_sz);
    bool revert = bs->swap_type == TRAILER_SWAP_TYPE_REVERT;
    uint32_t i;
    int rc;

    *ran = false;
    if (last_idx + tp >= s->n_pri || last_idx + 1 + ts >= s->n_sec + 1) {
        if (boot_status_is_reset(bs)) {
            return 0;
        }
        return BO_ESTATE;
    }
    *ran = true;
    MCUBOOT_LOG_INF("swap using offset%s: %lu sectors, from step %lu state %u",
                    revert ? " (revert)" : "", (unsigned long)(last_idx + 1),
                    (unsigned long)bs->idx, bs->state);
    rc = swap_offset_fixup_revert(st, bs);
    if (rc < 0) {
        return rc;
    }
    if (bs->idx == 1) {
        if (bs->source != SWAP_TYPE_SOURCE_PRIMARY) {
            rc = boot_status_erase_trailer(st, BOOT_SLOT_PRIMARY);
            if (rc == 0) {
                rc = boot_record_init_area(st, st->fa_pri, &st->lay_pri, bs);
            }
            if (rc < 0) {
                return rc;
            }
        }
        rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
        if (rc < 0) {
            return rc;
        }
    }
    bs->op = TRAILER_STATUS_OP_SWAP;
    for (i = 0; i <= last_idx; i++) {
        if (i + 1 < bs->idx) {
            continue;
        }
        if (revert) {
            uint32_t m = last_idx - i;

            rc = swap_offset_step(st, bs, m, m + 1, m);
        } else {
            rc = swap_offset_step(st, bs, i, i, i + 1);
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (revert) {
        /* The old image's header must not look like an image at offset 0 any more, and the
         * secondary must be free for the next update. */
        rc = loader_io_erase(st->fa_sec, s->sec[0].fs_off, s->sec[0].fs_size);
        if (rc == 0) {
            rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
        }
    }
    return rc;
}
