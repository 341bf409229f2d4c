/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_repair.h
 * \brief Repairs a slot trailer that a torn write left unwritable or ambiguous (issue 4).
 *
 * On ECC flash (STM32L4/H7 style) a write unit can be programmed once after erase. A write
 * interrupted by a power cut programs its unit whatever bytes land: with erased value 0x00 a torn
 * flag write (0x01) can even leave the unit reading erased. MCUboot then programs the same unit
 * again on the next boot and the part refuses (BO_ESEMANTICS): a brick. Weak cells of an
 * interrupted write also read back differently on each read.
 *
 * The rules implemented here, with their reasons:
 * - A trailer unit is never programmed twice: when a trailer field or a status record cannot be
 *   programmed (BO_ESEMANTICS), the trailer's sectors are erased and the whole trailer is
 *   written again, with the unit being written left erased so the caller's retry lands on a
 *   fresh unit. Erasing is the only way an ECC unit becomes programmable again.
 * - What the trailer holds is saved first and kept: every status record that reads written
 *   (the work it records was done before its write began, so a torn record still means "done"),
 *   and every field. Each byte is read several times and a bit that ever reads programmed
 *   counts as programmed: trailer units are only ever written over erased ones, so an unstable
 *   (weak) bit is one the interrupted write meant to program.
 * - Flags (image_ok, copy_done) are only ever programmed to "set" (0x01): a flag unit that
 *   holds anything other than the erased value is written back as "set". The magic is only ever
 *   programmed with the magic: a magic field that is not fully erased is written back whole.
 * - The trailer is rewritten status records first, fields next, the magic last (as MCUboot
 *   initialises a trailer), so a trailer without magic is never mistaken for a complete one.
 * - A primary trailer sector that also holds image bytes (below the status area; a maximal
 *   image) is erased only when those bytes are kept first in a free area (boot_journal.h: the
 *   secondary's trailer sectors, or the scratch area once a swap is complete) and copied back
 *   before the trailer: the core has no RAM for a sector. Without such an area, and for the
 *   secondary's trailer, nothing is erased and the original error is returned.
 *
 * - The erase and rewrite of the primary's trailer is journalled first (boot_journal.h): its
 *   content goes to the secondary slot's status area, so a power cut between the erase and the
 *   magic loses nothing; the next boot writes the trailer back from the journal. The primary's
 *   torn flags and unstable magic are still completed in place first when the part allows it
 *   (NOR), which needs no erase at all.
 *
 * Known limit: when the journal has no room (the secondary's trailer sectors are not erased, for
 * example while the secondary holds a request, or a status area of 1-byte units) and for the
 * secondary's own trailer, the rewrite goes ahead unjournalled, and a cut between the erase and
 * the magic loses the trailer's content.
 */
#ifndef BOOT_BOOT_REPAIR_H
#define BOOT_BOOT_REPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader.h"

/**
 * \brief Erases the trailer sectors of a slot of the current image and writes its trailer back
 *        (see the rules above), leaving [skip_off, skip_off + skip_len) of the area erased.
 * \param slot      BOOT_SLOT_PRIMARY or BOOT_SLOT_SECONDARY.
 * \param skip_off  Offset (in the area) of the unit the caller will write next; ignored when
 *                  skip_len is 0.
 * \param skip_len  Its length, or 0.
 * \return 0, BO_ESEMANTICS when the trailer sectors hold image bytes (nothing changed), or the
 *         flash error.
 */
int boot_repair_trailer(struct boot_loader_state *st, int slot, uint32_t skip_off,
                        uint32_t skip_len);

/**
 * \brief Erases and writes back the primary's trailer as boot_repair_trailer() does, with the
 *        flags asked for written "set". For a flag write the part refused: its unit holds a
 *        torn "set", which may read erased (ECC erased to 0x00). The journal then sees the
 *        trailer as it will be: once copy_done is set, the scratch area of a completed swap is
 *        free to keep the image bytes of a sector the trailer shares (issue 14).
 * \return As boot_repair_trailer().
 */
int boot_repair_set_flags(struct boot_loader_state *st, bool image_ok, bool copy_done);

/**
 * \brief Decides what to do after a trailer write of [off, off + len) to fa returned rc: when rc
 *        is BO_ESEMANTICS (the unit was already programmed, by a torn write) and fa is a slot of
 *        the current image, repairs that slot's trailer with the unit left erased.
 * \return 0 when the caller should retry the write once; otherwise rc, or the repair's error.
 */
int boot_repair_for_retry(struct boot_loader_state *st, const struct flash_area *fa, int rc,
                          uint32_t off, uint32_t len);

/**
 * \brief Checks the primary trailer of the current image for the marks of a torn write: a flag
 *        that reads neither erased nor set, or any field of the trailer that reads differently
 *        on two reads, while the magic is (or reads at least once as) good. Repairs it when
 *        found, which completes the torn flag writes ("set"): first in place (torn flags, an
 *        unstable magic; NOR parts take this without an erase, so a cut during the repair
 *        cannot lose the trailer), then, when something still reads torn, by an erase and
 *        rewrite (boot_repair_trailer()), unless the trailer's sector holds image bytes that no
 *        free area can keep meanwhile.
 * \param repaired  Receives whether a repair was done (may be NULL).
 * \return 0, or a flash error.
 */
int boot_repair_check_primary(struct boot_loader_state *st, bool *repaired);

/**
 * \brief Settles the status record with index rec (from 0) of a slot's status area when it reads
 *        differently on successive reads (a weak write cut by a power loss).
 *
 * A record is written only after the work it records is done, so a record that reads written
 * even once means "done". A resume acts on that reading and then overwrites the sources of the
 * recorded work; if a later boot read the record as erased it would redo the work from sources
 * that no longer hold it and destroy the only copy of a sector (a depth-2 power-cut finding,
 * issue 4). So a record found written and unstable is programmed again with its value, which
 * settles NOR cells; a part that refuses (ECC: only an erase settles a unit) leaves it as it is,
 * and boot_repair_status_end() reads it as written on every boot.
 * \param slot  BOOT_SLOT_PRIMARY or BOOT_SLOT_SECONDARY of the current image.
 * \param rec   Record index in the status area.
 * \param val   The record's value (its state number).
 * \return 0 or a flash error.
 */
int boot_repair_settle_record(struct boot_loader_state *st, int slot, uint32_t rec, uint8_t val);

/**
 * \brief Moves the end of the written status records past records that a single read saw
 *        erased but that read programmed at least once in BOOT_REPAIR_READS reads (weak cells
 *        of a cut record write: the work they record is done).
 * \param slot   BOOT_SLOT_PRIMARY or BOOT_SLOT_SECONDARY of the current image.
 * \param count  Records in the status area.
 * \param next   In: one past the last record a scan found written. Out: the same, extended.
 * \return 0 or a flash error.
 */
int boot_repair_status_end(struct boot_loader_state *st, int slot, uint32_t count, uint32_t *next);

/**
 * \brief boot_repair_status_end() on any area with a status area: a slot or the scratch area.
 * \param fa   The area.
 * \param lay  Its trailer layout.
 */
int boot_repair_status_end_of(const struct flash_area *fa, const struct trailer_layout *lay,
                              uint32_t count, uint32_t *next);

#endif /* BOOT_BOOT_REPAIR_H */
