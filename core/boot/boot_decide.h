/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_decide.h
 * \brief The swap type the trailers of the current image ask for: MCUboot's swap-type table
 *        (swap_type.h), plus the states an interrupted revert of swap-using-move or
 *        swap-using-offset leaves, which the table alone reads wrongly.
 *
 * A revert in these modes first writes a request into the (erased) secondary trailer
 * ("fixup_revert"), then rebuilds the primary's trailer, then swaps. Two windows are resolved
 * here, both only in swap-using-move and swap-using-offset:
 * - swap-using-move's request is image_ok, swap_size and the magic, with swap_info erased: the
 *   table reads it as PERM, and downgrade prevention would then refuse the old image and erase
 *   it. No application request has that shape (boot_set_pending() always writes swap_info and
 *   never swap_size), so it is taken as the REVERT it is.
 * - a cut while the request's magic is programmed leaves the secondary magic bad while the
 *   primary still reads as an unconfirmed test image (magic good, image_ok unset, copy_done
 *   set). The table asks a revert only with an erased secondary magic, so the device would stay
 *   on the unconfirmed image for good. Unless the other fields are an application's request
 *   (swap_info TEST or PERM, copy_done erased), it is taken as REVERT, and the revert writes the
 *   request again. The fields of the revert's own request (written before the magic) may read
 *   partly erased: a cut erase, when the revert erases that trailer to write it again, leaves
 *   them so. An application's torn request is left alone.
 * In swap-using-offset a secondary request whose swap_info says REVERT is that revert too.
 */
#ifndef BOOT_BOOT_DECIDE_H
#define BOOT_BOOT_DECIDE_H

#include <stdint.h>

#include "boot/loader.h"

/**
 * \brief Decides the swap type of the current image from its two trailers.
 * \param type  Receives an enum trailer_swap_type (NONE, TEST, PERM or REVERT).
 * \return 0, or the flash error.
 */
int boot_decide(struct boot_loader_state *st, uint8_t *type);

#endif /* BOOT_BOOT_DECIDE_H */
