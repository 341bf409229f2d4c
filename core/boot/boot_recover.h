/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_recover.h
 * \brief Recovery of a primary slot that does not validate while the secondary holds a good
 *        image (issue 14: a program dropped in the middle of a swap).
 *
 * The bootloader does not read back what it writes. A program that reported success and landed
 * nothing leaves, once the swap is complete, a primary whose image does not validate, while the
 * image the swap moved out is intact in the secondary. Without recovery no image boots again.
 *
 * When the last pass finds the primary not valid (validate_primary on, a swap mode, the slots
 * compatible), the secondary's image (where a revert finds it: at 0 in swap-using-offset) is
 * validated without being erased on failure. If it is good, a revert swap brings it back: the
 * same swap, status records and trailer as MCUboot's revert (swap type REVERT, image_ok and
 * copy_done set at the end), so the trailer format is unchanged and a cut in it is resumed as any
 * revert. Downgrade prevention does not apply (as for MCUboot's revert): the image ran before,
 * and the other one is not valid. A signed older image in the secondary can therefore run when
 * the primary is corrupted; whoever can write both slots can also write a revert request.
 *
 * Bounds: at most one recovery per image and boot; it starts only when the secondary validates
 * and the primary does not, and afterwards the secondary holds what the primary held (not valid),
 * so on flash that works the next boot finds the recovered image valid and does nothing. A
 * further recovery needs a new fault in this one (each is then a complete swap of a good image).
 */
#ifndef BOOT_BOOT_RECOVER_H
#define BOOT_BOOT_RECOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader.h"

/**
 * The loader's operations a recovery runs. The loader passes them down, so that this module stays
 * below the loader (no module cycle: scripts/check_layers.py).
 */
struct boot_recover_ops {
    /** boot_read_headers(): reads both headers for the swap type. */
    int (*read_headers)(struct boot_loader_state *st, uint8_t swap_type);
    /** boot_perform(): runs the swap of st->img[st->cur].swap_type. */
    int (*perform)(struct boot_loader_state *st);
};

/**
 * \brief Swaps a good secondary image back into a primary that does not validate.
 * \param st         The loader state, the current image open.
 * \param ops        The loader's operations.
 * \param recovered  Set to true when a revert swap ran (the caller validates the primary again).
 * \return 0 (also when there is nothing to recover), or a negative error of the swap.
 */
int boot_recover_primary(struct boot_loader_state *st, const struct boot_recover_ops *ops,
                         bool *recovered);

/**
 * \brief After a flash error stopped a swap-using-move or -offset swap (st->img[cur].aborted)
 *        and the primary does not validate: copies a good secondary image over the primary
 *        and erases the primary's trailer, so the swap is over and the copy boots.
 *
 * A sector worn out in the secondary at the swap's first step leaves the new image intact in
 * the secondary and the old one only moved up in the primary (issue 14, docs/faults.md). The
 * copy writes the primary alone; a cut in it leaves the swap's progress, whose resume stops on
 * the same error, and the copy runs again. Both modes keep their progress in the primary's
 * trailer only. Not swap-using-scratch: its progress may be in the scratch area, and a copy
 * there met the worn sector in the primary (random-board faults sweeps, docs/faults.md).
 * \param st         The loader state, the current image open.
 * \param ops        The loader's operations.
 * \param recovered  Set to true when the copy ran.
 * \return 0 (also when there is nothing to recover), or a flash error.
 */
int boot_recover_copy(struct boot_loader_state *st, const struct boot_recover_ops *ops,
                      bool *recovered);

#endif /* BOOT_BOOT_RECOVER_H */
