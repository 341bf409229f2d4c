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
 * Whether the secondary holds the request a revert of this mode writes before its magic, which
 * no application writes: swap-using-move's image_ok with swap_info erased and swap_size
 * written; swap-using-offset's copy_done with swap_info REVERT.
 */
static int boot_decide_revert_request(struct boot_loader_state *st,
                                      const struct boot_swap_state *sec, bool *is_revert)
{
    *is_revert = false;
    if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET) {
        *is_revert = sec->copy_done == TRAILER_FLAG_SET &&
                     sec->swap_type == TRAILER_SWAP_TYPE_REVERT;
        return 0;
    }
    if (sec->image_ok != TRAILER_FLAG_SET) {
        return 0;
    }
    return boot_decide_move_revert_request(st, is_revert);
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
        /* The revert's request, cut while its magic was programmed? */
        rc = boot_decide_revert_request(st, &sec, &is_revert);
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
