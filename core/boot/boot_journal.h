/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_journal.h
 * \brief A power-safe erase and rewrite of the primary slot's trailer on ECC flash (issue 4):
 *        the trailer's content is journalled in the secondary slot's status area first.
 *
 * Why: on ECC parts (a write unit can be programmed once after an erase) a torn trailer write is
 * only settled by erasing the trailer's sector and writing the trailer back
 * (boot_repair_trailer()). Without a second copy, a power cut between that erase and the magic
 * loses the trailer (magic, swap info, image_ok, copy_done, the swap status): the device then
 * boots the wrong image (an unconfirmed test image is never reverted) or stops in the middle of
 * a swap. Depth-2 power-cut sweeps on stm32h7 found it in every upgrade mode.
 *
 * Where: the status area of the secondary slot of the same image. MCUboot never reads it (the
 * status source of every mode is the primary slot or the scratch area), no copy of any mode
 * writes it, and an image must end before it, so at rest it is always erased. The journal is
 * used only when the secondary's whole trailer span (its first trailer sector up to the end of
 * the slot) reads erased, so that erasing that span afterwards loses nothing: no image bytes,
 * no request in the secondary's trailer fields. The trailer of a slot at rest is therefore the
 * same, byte for byte, as MCUboot leaves it; the journal lives only for the few operations of a
 * repair.
 *
 * Format, at the secondary's status_off (u = the secondary's write unit, H = ALIGN_UP(16, u)):
 *   [0, H)       commit: "BOJ1", nrec (u16 LE), info_sz (u16 LE), the primary's status_off
 *                (u32 LE), CRC-32 (IEEE) of the body (u32 LE); padded with the erased value.
 *   [H, H + B)   body: one byte per status record of the primary (its first byte), then the
 *                primary's info region [status_off + status_sz, area end) (fields and magic)
 *                as it must be written back; padded to u with the erased value.
 *
 * Order of operations (boot_repair_trailer()), with the state a power cut leaves at each point:
 *   1. the body is written, then the commit: a cut leaves a journal without a valid commit,
 *      the primary's trailer untouched (still torn): the next boot erases the journal and
 *      repairs again;
 *   2. the primary's trailer sectors are erased and its trailer written back (records, fields,
 *      magic last): a cut leaves a valid journal and an incomplete primary trailer: the next
 *      boot writes the primary's trailer again from the journal (erase first: ECC units may
 *      already be programmed);
 *   3. the secondary's trailer sectors are erased: a cut leaves a valid journal (or what a cut
 *      erase leaves of it) and a complete primary trailer: the next boot sees that the primary
 *      holds every unit the journal has (later writes to units the journal has erased are
 *      kept) and only erases the journal again.
 * A commit is read 32 times and a bit counts as programmed when any read saw it programmed
 * (journal units are only written over erased ones, so an unstable bit belongs to the write);
 * the body 8 times. A journal whose CRC does not match is treated as not committed: it can only
 * be left by a cut while it was written (step 1) or erased (step 3), and in both cases the
 * primary's trailer does not need it.
 *
 * Limits: the journal needs the secondary's trailer span erased and a status area large enough
 * (write units of 2 bytes or more with the default 128 sectors); otherwise the rewrite goes
 * ahead without it, as before, and a cut inside it can still lose the trailer. Only the primary
 * slot's trailer is journalled.
 */
#ifndef BOOT_BOOT_JOURNAL_H
#define BOOT_BOOT_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader_priv.h"

/**
 * \brief Writes the journal of a primary trailer rewrite when the secondary's trailer span is
 *        erased and the journal fits in its status area.
 * \param recs     One byte per status record of the primary (the erased value: not written).
 * \param nrec     Their number (the primary's status_entries x status_states).
 * \param info     The primary's info region as it will be written back.
 * \param info_sz  Its size (the primary's info_sz).
 * \param saved    Receives whether a journal was written (false: no room, nothing written).
 * \return 0 or a flash error.
 */
int boot_journal_save(struct boot_loader_state *st, const uint8_t *recs, uint32_t nrec,
                      const uint8_t *info, uint32_t info_sz, bool *saved);

/**
 * \brief Erases the secondary's trailer sectors, which hold the journal (step 3 above).
 * \return 0 or a flash error.
 */
int boot_journal_clear(struct boot_loader_state *st);

/**
 * \brief Finishes an interrupted rewrite of the current image's primary trailer: run first on
 *        every boot, before anything reads the primary's trailer. A committed journal whose
 *        content the primary does not hold is written back to the primary (erase and rewrite),
 *        then the journal is erased; a journal the primary already holds, or one that was never
 *        committed, is erased when the secondary's trailer fields are erased (nothing else can
 *        be lost with it).
 * \param applied  Receives whether the primary's trailer was written back (may be NULL).
 * \return 0 or a flash error.
 */
int boot_journal_recover(struct boot_loader_state *st, bool *applied);

#endif /* BOOT_BOOT_JOURNAL_H */
