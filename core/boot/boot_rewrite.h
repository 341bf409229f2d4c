/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_rewrite.h
 * \brief The erase and rewrite of a slot's trailer from saved bytes: the step that both a
 *        trailer repair (boot_repair.h) and the recovery of its journal (boot_journal.h) end
 *        with. What is saved, why, and in which order it is written back: boot_repair.h.
 */
#ifndef BOOT_BOOT_REWRITE_H
#define BOOT_BOOT_REWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader.h"

/** The areas of a slot of the current image. */
struct boot_rewrite_slot {
    const struct flash_area *fa;
    const struct trailer_layout *lay;
    const struct flash_sector *sect;
    uint32_t n;
};

/** \brief Fills s with the areas of slot (BOOT_SLOT_PRIMARY or _SECONDARY) of the current image. */
void boot_rewrite_slot_of(const struct boot_loader_state *st, int slot,
                          struct boot_rewrite_slot *s);

/**
 * \brief Whether [off, off + len) of fa holds only the erased value ev.
 * \param blank  Receives the answer (false as soon as one byte differs).
 * \return 0, or the error of a flash read.
 */
int boot_rewrite_blank(const struct flash_area *fa, uint32_t off, uint32_t len, uint8_t ev,
                       bool *blank);

/** \brief Whether the len bytes at p all hold v. */
bool boot_rewrite_all(const uint8_t *p, uint32_t len, uint8_t v);

/** Image bytes of a slot's first trailer sector, kept elsewhere while that sector is erased. */
struct boot_rewrite_tail {
    const struct flash_area *fa; /**< Area that keeps them. */
    uint32_t off;                /**< Their offset in fa. */
    uint32_t len;                /**< Their length: they go back to [status_off - len, status_off)
                                      of the slot. */
};

/**
 * \brief Erases the trailer sectors of a slot of the current image and writes the trailer given
 *        as one byte per status record and the info region (fields, magic), in the order of the
 *        rules of boot_repair.h: the image bytes of tail first, then records, fields, the magic
 *        last.
 * \param recs  One byte per status record (the erased value: left erased).
 * \param info  The info region [status_off + status_sz, area end), info_sz bytes.
 * \param tail  Image bytes to copy back below the status area, or NULL.
 * \return 0, BO_ESEMANTICS for a write unit the layout does not handle, or the flash error.
 */
int boot_rewrite_trailer(struct boot_loader_state *st, int slot, const uint8_t *recs,
                         const uint8_t *info, const struct boot_rewrite_tail *tail);

#endif /* BOOT_BOOT_REWRITE_H */
