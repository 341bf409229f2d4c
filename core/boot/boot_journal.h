/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_journal.h
 * \brief A power-safe erase and rewrite of the primary slot's trailer on ECC flash (issue 4):
 *        the trailer (and any image bytes sharing its sector) is journalled in a free area first.
 *
 * Why: on ECC parts (a write unit can be programmed once after an erase) a torn trailer write is
 * only settled by erasing the trailer's sector and writing the trailer back
 * (boot_repair_trailer()). Without a second copy, a power cut between that erase and the magic
 * loses the trailer (magic, swap info, image_ok, copy_done, the swap status): the device then
 * boots the wrong image (an unconfirmed test image is never reverted) or stops in the middle of
 * a swap. Depth-2 power-cut sweeps on stm32h7 found it in every upgrade mode.
 *
 * Where (the journal's "store"), first that is free:
 *   - the secondary slot of the same image: the commit and the body in its status area, the
 *     kept image bytes (below) at the start of its first trailer sector. MCUboot never reads a
 *     secondary's status area (the status source of every mode is the primary slot or the
 *     scratch area), no copy of any mode writes it, and an image must end before it. Free when
 *     the secondary's whole trailer span (its first trailer sector up to the end of the slot)
 *     reads erased, so that erasing that span afterwards loses nothing: no image bytes, no
 *     request in the secondary's trailer fields;
 *   - the scratch area (swap-using-scratch, one image): the kept image bytes at its start, the
 *     commit and the body after them, never in the scratch's own trailer fields. Free once the
 *     current swap is complete (the trailer being written back has copy_done set) and the
 *     scratch's magic is not good (it is not the status source): its content is then a leftover
 *     of the swap's last step, which the next swap erases before use.
 * The trailer of a slot at rest is therefore the same, byte for byte, as MCUboot leaves it; the
 * journal lives only for the few operations of a repair.
 *
 * Kept image bytes ("tail"): a maximal image fills the primary's first trailer sector up to
 * the status area, and an erase of that sector would lose them. The rewrite then also keeps
 * [first trailer sector, status_off) of the primary in the store, and writes it back after the
 * erase, before the trailer. Without a free store with room for them the rewrite is refused
 * and the torn unit stays as it is (the right image still runs).
 *
 * Format, at the store's commit offset (u = the store's write unit, H = ALIGN_UP(20, u)):
 *   [0, H)       commit: "BOJ2", nrec (u16 LE), info_sz (u16 LE), the primary's status_off
 *                (u32 LE), tail length (u32 LE, 0 or the primary's image bytes below its
 *                status area in its first trailer sector), CRC-32 (IEEE) of the body and then
 *                the tail (u32 LE); padded with the erased value.
 *   [H, H + B)   body: one byte per status record of the primary (its first byte), then the
 *                primary's info region [status_off + status_sz, area end) (fields and magic)
 *                as it must be written back; padded to u with the erased value.
 *
 * Order of operations (boot_repair_trailer()), with the state a power cut leaves at each point:
 *   1. the body is written, then the tail is copied and checked against the primary, then the
 *      commit: a cut leaves a journal without a valid commit, the primary's trailer untouched
 *      (still torn): the next boot drops the journal (the secondary's trailer span is erased;
 *      a scratch store is left to the next swap or repair, which erase it first) and repairs
 *      again;
 *   2. the primary's trailer sectors are erased, the tail copied back and the trailer written
 *      (records, fields, magic last): a cut leaves a valid journal and an incomplete primary:
 *      the next boot does step 2 again from the journal (erase first: ECC units may already be
 *      programmed);
 *   3. the store is erased: a cut leaves a valid journal (or what a cut erase leaves of it) and
 *      a complete primary: the next boot sees that the primary holds the tail and every unit
 *      the journal has (later writes to units the journal has erased are kept) and only erases
 *      the store again.
 * A commit is read 32 times and a bit counts as programmed when any read saw it programmed
 * (journal units are only written over erased ones, so an unstable bit belongs to the write);
 * the body 8 times; the tail must give the commit's CRC on two reads, and the primary must
 * match it on 8. A journal whose CRC does not match is treated as not committed: it can only be
 * left by a cut while it was written (step 1) or erased (step 3), and in both cases the
 * primary's trailer does not need it.
 *
 * Limits: the journal needs a free store with room (write units of 2 bytes or more with the
 * default 128 sectors); otherwise a rewrite without image bytes to keep goes ahead without it,
 * as before, and a cut inside it can still lose the trailer. Only the primary slot's trailer is
 * journalled; with two images the scratch area is never used (the other image's interrupted
 * swap may need what it holds).
 */
#ifndef BOOT_BOOT_JOURNAL_H
#define BOOT_BOOT_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/boot_rewrite.h"
#include "boot/loader.h"

/** Where a journal was saved. */
enum boot_journal_store {
    BOOT_JOURNAL_NONE = 0,  /**< Nowhere: no free store with room. */
    BOOT_JOURNAL_SECONDARY, /**< The secondary slot's trailer sectors. */
    BOOT_JOURNAL_SCRATCH,   /**< The scratch area. */
};

/** A saved journal. */
struct boot_journal {
    enum boot_journal_store store;
    struct boot_rewrite_tail tail; /**< Where the kept image bytes are (len 0: none kept). */
};

/**
 * \brief Writes the journal of a primary trailer rewrite to the first free store with room.
 * \param recs      One byte per status record of the primary (the erased value: not written).
 * \param nrec      Their number (the primary's status_entries x status_states).
 * \param info      The primary's info region as it will be written back.
 * \param info_sz   Its size (the primary's info_sz).
 * \param with_tail Whether the image bytes of the primary's first trailer sector must be kept.
 * \param j         Receives the store used (BOOT_JOURNAL_NONE: no room, nothing written) and,
 *                  with with_tail, where the image bytes are kept.
 * \return 0 or a flash error.
 */
int boot_journal_save(struct boot_loader_state *st, const uint8_t *recs, uint32_t nrec,
                      const uint8_t *info, uint32_t info_sz, bool with_tail,
                      struct boot_journal *j);

/**
 * \brief Erases the store of a saved journal (step 3 above).
 * \return 0 or a flash error.
 */
int boot_journal_clear(struct boot_loader_state *st, const struct boot_journal *j);

/**
 * \brief Finishes an interrupted rewrite of the current image's primary trailer: run first on
 *        every boot, before anything reads the primary's trailer. A committed journal whose
 *        content the primary does not hold is written back to the primary (erase, the kept
 *        image bytes, the trailer), then its store is erased; a journal the primary already
 *        holds is erased; one that was never committed is erased in the secondary when the
 *        secondary's trailer fields are erased (nothing else can be lost with it), and left in
 *        the scratch area.
 * \param applied  Receives whether the primary's trailer was written back (may be NULL).
 * \return 0 or a flash error.
 */
int boot_journal_recover(struct boot_loader_state *st, bool *applied);

#endif /* BOOT_BOOT_JOURNAL_H */
