/* SPDX-License-Identifier: Apache-2.0 */
/* The swap type of the current image, interrupted reverts included (see boot_decide.h). */
#include "boot/boot_decide.h"

#include "bo_err.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "boot/trailer.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Whether the primary reads as a test image swapped in and not confirmed (a revert is due). */
static bool boot_decide_pri_unconfirmed(const struct boot_swap_state *pri)
{
    return pri->magic == TRAILER_MAGIC_GOOD && pri->image_ok == TRAILER_FLAG_UNSET &&
           pri->copy_done == TRAILER_FLAG_SET;
}

/*
 * Whether the secondary holds swap-using-move's revert request: swap_info erased and swap_size
 * written, which no application request leaves.
 */
static int boot_decide_move_revert_request(struct boot_loader_state *st, bool *is_revert)
{
    const struct trailer_layout *lay = &st->lay_sec;
    uint32_t erased32;
    uint32_t size;
    uint8_t info;
    int rc;

    *is_revert = false;
    rc = trailer_read_swap_info(st->fa_sec, lay, &info);
    if (rc < 0 || info != lay->cfg.erased_val) {
        return rc;
    }
    rc = trailer_read_swap_size(st->fa_sec, lay, &size);
    if (rc < 0) {
        return rc;
    }
    erased32 = lay->cfg.erased_val == 0 ? 0u : UINT32_MAX;
    *is_revert = size != erased32;
    return 0;
}

/*
 * Whether a secondary trailer whose magic reads bad is an application's torn request: swap_info
 * TEST or PERM, written whole before the magic, and copy_done erased (no application writes
 * it). A revert request, whole or partly erased, cannot read so: its swap_info (REVERT, or
 * erased in swap-using-move) only moves toward the erased value, which never gives TEST or
 * PERM, and it is the only writer of the secondary's copy_done.
 */
static bool boot_decide_app_request(const struct boot_swap_state *sec)
{
    return sec->copy_done == TRAILER_FLAG_UNSET &&
           (sec->swap_type == TRAILER_SWAP_TYPE_TEST || sec->swap_type == TRAILER_SWAP_TYPE_PERM);
}

int boot_decide(struct boot_loader_state *st, uint8_t *type)
{
    struct boot_swap_state pri;
    struct boot_swap_state sec;
    bool is_revert = false;
    int rc;

    rc = swap_state_read(st->fa_pri, &st->lay_pri, &pri);
    if (rc == 0) {
        rc = swap_state_read(st->fa_sec, &st->lay_sec, &sec);
    }
    if (rc < 0) {
        return rc;
    }
    *type = (uint8_t)swap_type_decide(&pri, &sec);
    if (st->cfg.mode != BOOT_MODE_SWAP_MOVE && st->cfg.mode != BOOT_MODE_SWAP_OFFSET) {
        return 0;
    }
    if (*type == TRAILER_SWAP_TYPE_NONE && sec.magic == TRAILER_MAGIC_BAD &&
        boot_decide_pri_unconfirmed(&pri)) {
        /*
         * The revert's request cut while its magic was programmed, or cut while the revert
         * erased that trailer to write it again (its fields then read partly erased: a depth-2
         * finding on stm32h7, swap-using-offset). An application's torn request is left alone.
         */
        is_revert = !boot_decide_app_request(&sec);
    } else if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET &&
               (*type == TRAILER_SWAP_TYPE_TEST || *type == TRAILER_SWAP_TYPE_PERM) &&
               sec.swap_type == TRAILER_SWAP_TYPE_REVERT) {
        /* A revert whose start was cut short left this request in the secondary. */
        is_revert = true;
    } else if (st->cfg.mode == BOOT_MODE_SWAP_MOVE && *type == TRAILER_SWAP_TYPE_PERM) {
        rc = boot_decide_move_revert_request(st, &is_revert);
    }
    if (rc < 0) {
        return rc;
    }
    if (is_revert) {
        MCUBOOT_LOG_INF("image %lu: resuming the start of a revert", (unsigned long)st->cur);
        *type = TRAILER_SWAP_TYPE_REVERT;
    }
    return 0;
}
