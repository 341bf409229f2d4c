/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_status.h
 * \brief Swap progress in the status area of a trailer: finding where an interrupted swap
 *        stands, writing one record or one field, and erasing trailers.
 *
 * A swap is a sequence of steps (idx, from 1), each of a few records (state, from 1); a record
 * is one write unit whose first byte is the state number, written when its work is done. After
 * a reset the last written record says what is done: MCUboot's swap_read_status(). The area
 * holding the records is the status source: the primary slot, or for the first step of
 * swap-using-scratch the scratch area.
 */
#ifndef BOOT_BOOT_STATUS_H
#define BOOT_BOOT_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader_int.h"

/** \brief Resets bs to "no swap in progress" (MCUboot's boot_status_reset()). */
void boot_status_reset(struct boot_status *bs);

/** \brief Whether bs says no swap is in progress (MCUboot's boot_status_is_reset()). */
bool boot_status_is_reset(const struct boot_status *bs);

/**
 * \brief Reads the progress of an interrupted swap of the current image: the status source,
 *        the last record written, the swap type and (when a swap is under way) the swap size.
 * \param st   State with the current image's areas open and layouts computed.
 * \param ops  The mode's operations.
 * \param bs   Reset, then filled.
 * \return 0 or the flash error.
 */
int boot_status_read(struct boot_loader_state *st, const struct boot_mode_ops *ops,
                     struct boot_status *bs);

/**
 * \brief Writes the record (bs->op, bs->idx, bs->state) with value bs->state, in the scratch
 *        area when bs->use_scratch, else in the primary slot (MCUboot's boot_write_status()).
 *        A record that a torn write already programmed gives BO_ESEMANTICS: the layer above
 *        (boot_record.h) repairs the trailer and writes the record again.
 * \return 0 or the flash error.
 */
int boot_status_write(struct boot_loader_state *st, const struct boot_status *bs);

/** The write unit a record or a field occupies. */
struct boot_status_unit {
    const struct flash_area *fa; /**< The area it is in. */
    uint32_t off;                /**< Its offset in fa. */
    uint32_t len;                /**< Its length in bytes. */
};

/**
 * \brief Where boot_status_write() writes the record of bs.
 * \return 0, or BO_EINVAL when bs names no record of the layout.
 */
int boot_status_record_unit(struct boot_loader_state *st, const struct boot_status *bs,
                            struct boot_status_unit *unit);

/** A trailer field boot_status_write_field() writes. */
enum boot_status_field {
    BOOT_STATUS_FIELD_SWAP_INFO = 0, /**< bs->swap_type, image st->cur. */
    BOOT_STATUS_FIELD_IMAGE_OK,
    BOOT_STATUS_FIELD_COPY_DONE,
    BOOT_STATUS_FIELD_SWAP_SIZE, /**< bs->swap_size. */
    BOOT_STATUS_FIELD_TLV_SIZES, /**< bs->tlv_size (swap-using-offset). */
    BOOT_STATUS_FIELD_MAGIC,
};

/**
 * \brief Writes one trailer field of area fa, once: a unit that a torn write already
 *        programmed gives BO_ESEMANTICS (ECC parts), for the layer above to repair.
 * \param bs  Supplies the values of SWAP_INFO, SWAP_SIZE and TLV_SIZES (may be NULL otherwise).
 * \return 0 or the flash error.
 */
int boot_status_write_field(struct boot_loader_state *st, const struct flash_area *fa,
                            const struct trailer_layout *lay, enum boot_status_field field,
                            const struct boot_status *bs);

/**
 * \brief The write units boot_status_write_field() programs for field (the magic: its unit).
 * \return 0, or BO_EINVAL when fa has no write unit.
 */
int boot_status_field_unit(const struct flash_area *fa, const struct trailer_layout *lay,
                           enum boot_status_field field, struct boot_status_unit *unit);

/**
 * \brief Erases the sectors holding a slot's trailer, from the last one down (MCUboot's
 *        swap_erase_trailer_sectors()).
 * \param slot  BOOT_SLOT_PRIMARY or BOOT_SLOT_SECONDARY of the current image.
 * \return 0 or the flash error.
 */
int boot_status_erase_trailer(struct boot_loader_state *st, int slot);

/**
 * \brief Status source of swap-using-move and swap-using-offset: the primary slot when its
 *        magic is good, its copy_done unset and the secondary's magic not good; else none.
 * \return 0 with *source set, or the flash error.
 */
int boot_status_source_slots(struct boot_loader_state *st, uint8_t *source);

/**
 * \brief MCUboot's forward scan (swap-using-scratch): the first erased record after the first
 *        written one.
 * \param count  Records in the status area.
 * \param found  Receives whether any record is written.
 * \param next   Receives the index (from 0) of the record to write next.
 * \return 0 or the flash error.
 */
int boot_status_scan_forward(const struct flash_area *fa, const struct trailer_layout *lay,
                             uint32_t count, bool *found, uint32_t *next);

/**
 * \brief MCUboot's backward scan (swap-using-move and -offset): one past the last written
 *        record.
 * \return 0 or the flash error; *found and *next as boot_status_scan_forward().
 */
int boot_status_scan_reverse(const struct flash_area *fa, const struct trailer_layout *lay,
                             uint32_t count, bool *found, uint32_t *next);

#endif /* BOOT_BOOT_STATUS_H */
