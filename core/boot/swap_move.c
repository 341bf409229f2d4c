/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Swap-using-move (design.md "Swap without using scratch"): every sector of the primary image
 * moves up by one (from the top down), then for each sector i from the bottom the secondary's
 * sector i goes to primary i and the moved primary sector i + 1 goes to secondary i. One move
 * record and two swap records per sector, all in the primary's status area.
 */
#include "bo_err.h"
#include "boot/boot_repair.h"
#include "boot/boot_record.h"
#include "boot/boot_status.h"
#include "boot/loader_int.h"
#include "boot/sectors.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"

int swap_move_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                            const struct trailer_layout *lay, struct boot_status *bs)
{
    uint32_t moves = lay->status_entries;
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
    rc = boot_repair_settle_record(st, slot, next - 1,
                                   next - 1 < moves ? 1 : (uint8_t)((next - 1 - moves) % 2 + 1));
    if (rc < 0) {
        return rc;
    }
    if (next < moves) {
        bs->op = TRAILER_STATUS_OP_MOVE;
        bs->idx = next + 1;
        bs->state = 1;
    } else {
        bs->op = TRAILER_STATUS_OP_SWAP;
        bs->idx = (next - moves) / 2 + 1;
        bs->state = (uint8_t)((next - moves) % 2 + 1);
    }
    return 0;
}

/* Moves primary sector idx - 1 to idx. */
static int swap_move_up(struct boot_loader_state *st, struct boot_status *bs, uint32_t idx)
{
    const struct flash_sector *p = st->sect.pri;
    int rc;

    if (bs->idx == 1) {
        if (bs->source != SWAP_TYPE_SOURCE_PRIMARY) {
            rc = boot_status_erase_trailer(st, BOOT_SLOT_PRIMARY);
            if (rc < 0) {
                return rc;
            }
            rc = boot_record_init_area(st, st->fa_pri, &st->lay_pri, bs);
            if (rc < 0) {
                return rc;
            }
        }
        rc = boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
        if (rc < 0) {
            return rc;
        }
    }
    rc = boot_record_copy_step(st, st->fa_pri, st->fa_pri, p[idx - 1].fs_off, p[idx].fs_off,
                               p[idx].fs_size, bs);
    if (rc < 0) {
        return rc;
    }
    bs->idx++;
    return 0;
}

/* Swaps secondary sector idx - 1 with the moved primary sector idx (into primary idx - 1). */
static int swap_move_swap(struct boot_loader_state *st, struct boot_status *bs, uint32_t idx)
{
    uint32_t sz = st->sect.pri[0].fs_size;
    uint32_t pri_off = st->sect.pri[idx - 1].fs_off;
    uint32_t pri_up_off = st->sect.pri[idx].fs_off;
    uint32_t sec_off = st->sect.sec[idx - 1].fs_off;
    const struct boot_record_move move[2] = {
        { st->fa_sec, st->fa_pri, sec_off, pri_off },
        { st->fa_pri, st->fa_sec, pri_up_off, sec_off },
    };

    return boot_record_swap_step(st, bs, move, sz);
}

/*
 * A revert starts by rebuilding the primary's trailer; a reset in that window would lose the
 * request. So first make the secondary ask for a permanent swap (image_ok, swap_size, magic):
 * a cut then still swaps the old image back (MCUboot's fixup_revert()). Not once the primary's
 * trailer is the revert's (the status source is the primary): the request has been erased on
 * purpose then, and writing it again would let a cut restart the revert from scratch.
 */
static int swap_move_fixup_revert(struct boot_loader_state *st, struct boot_status *bs)
{
    struct boot_swap_state sec;
    int rc;

    if (bs->swap_type != TRAILER_SWAP_TYPE_REVERT || bs->op != TRAILER_STATUS_OP_MOVE ||
        bs->idx != 1 || bs->source == SWAP_TYPE_SOURCE_PRIMARY) {
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
        rc = trailer_write_image_ok(st->fa_sec, &st->lay_sec);
    }
    if (rc == 0) {
        rc = trailer_write_swap_size(st->fa_sec, &st->lay_sec, bs->swap_size);
    }
    if (rc == 0) {
        rc = trailer_write_magic(st->fa_sec, &st->lay_sec);
    }
    return rc;
}

int swap_move_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran)
{
    const struct boot_sectors *s = &st->sect;
    uint32_t sz = s->pri[0].fs_size;
    uint32_t last_idx = bs->swap_size == 0 ? 1 : (bs->swap_size + sz - 1) / sz;
    uint32_t tp = sectors_trailer_count(s->pri, s->n_pri, st->lay_pri.trailer_sz);
    uint32_t ts = sectors_trailer_count(s->sec, s->n_sec, st->lay_sec.trailer_sz);
    uint32_t idx;
    int rc;

    *ran = false;
    if (last_idx + tp >= s->n_pri || last_idx + ts > s->n_sec) {
        if (boot_status_is_reset(bs)) {
            return 0;
        }
        return BO_ESTATE;
    }
    *ran = true;
    MCUBOOT_LOG_INF("swap using move: %lu sectors, from %s %lu state %u", (unsigned long)last_idx,
                    bs->op == TRAILER_STATUS_OP_MOVE ? "move" : "swap", (unsigned long)bs->idx,
                    bs->state);
    rc = swap_move_fixup_revert(st, bs);
    if (rc < 0) {
        return rc;
    }
    if (bs->op == TRAILER_STATUS_OP_MOVE) {
        for (idx = last_idx; idx > 0; idx--) {
            if (idx + bs->idx <= last_idx + 1) {
                rc = swap_move_up(st, bs, idx);
                if (rc < 0) {
                    return rc;
                }
            }
        }
        bs->idx = 1;
        bs->state = 1;
    }
    bs->op = TRAILER_STATUS_OP_SWAP;
    for (idx = 1; idx <= last_idx; idx++) {
        if (idx >= bs->idx) {
            rc = swap_move_swap(st, bs, idx);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}
