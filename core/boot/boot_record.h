/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_record.h
 * \brief The writes a swap records its progress and its trailers with: status records, trailer
 *        fields, a trailer initialised for a swap, the recorded copy steps of a swap, and the
 *        primary's flags after it. Each write that finds its unit already programmed by a torn
 *        write (BO_ESEMANTICS, ECC parts) has the slot's trailer repaired (boot_repair.h) and
 *        is done once more.
 *
 * This is the layer above boot_status.h (single writes, which return BO_ESEMANTICS) and
 * boot_repair.h (the repair and its journal); the upgrade modes and the loader use it.
 */
#ifndef BOOT_BOOT_RECORD_H
#define BOOT_BOOT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/boot_status.h"
#include "boot/loader.h"

/**
 * \brief Writes the status record of bs (boot_status_write()), repairing a torn unit once.
 * \return 0 or the flash error.
 */
int boot_record_status(struct boot_loader_state *st, const struct boot_status *bs);

/**
 * \brief Writes one trailer field of fa (boot_status_write_field()), repairing a torn unit once.
 * \return 0 or the flash error.
 */
int boot_record_field(struct boot_loader_state *st, const struct flash_area *fa,
                      const struct trailer_layout *lay, enum boot_status_field field,
                      const struct boot_status *bs);

/**
 * \brief Initialises a trailer for a swap (MCUboot's swap_status_init()): swap_info (when the
 *        swap type is not NONE), image_ok (when the secondary's is set), swap_size, the
 *        swap-using-offset TLV sizes, and the magic last.
 * \return 0 or the flash error.
 */
int boot_record_init_area(struct boot_loader_state *st, const struct flash_area *fa,
                          const struct trailer_layout *lay, const struct boot_status *bs);

/*
 * One recorded step of a sector swap: erases [dst_off, dst_off + sz) of dst, copies sz bytes of
 * src at src_off into it, then writes the status record bs names, so that a power cut anywhere
 * in the step redoes exactly this step. Returns 0 or the first error (BO_EPOWER at once).
 */
int boot_record_copy_step(struct boot_loader_state *st, const struct flash_area *src,
                          const struct flash_area *dst, uint32_t src_off, uint32_t dst_off,
                          uint32_t sz, struct boot_status *bs);

/* One sector copy of a swap step: sz bytes from src at src_off to dst at dst_off. */
struct boot_record_move {
    const struct flash_area *src;
    const struct flash_area *dst;
    uint32_t src_off;
    uint32_t dst_off;
};

/*
 * One two-state step of swap-using-move or swap-using-offset: state 1 is the
 * boot_record_copy_step() of move[0], state 2 that of move[1]; the step resumes at bs->state
 * and, once both are recorded, advances bs to the first state of the next step. Returns 0 or
 * the first error.
 */
int boot_record_swap_step(struct boot_loader_state *st, struct boot_status *bs,
                          const struct boot_record_move move[2], uint32_t sz);

/**
 * \brief Sets image_ok in the current image's primary trailer if it is unset (MCUboot's
 *        swap_set_image_ok()).
 */
int boot_record_image_ok(struct boot_loader_state *st);

/** \brief Sets copy_done in the current image's primary trailer (swap_set_copy_done()). */
int boot_record_copy_done(struct boot_loader_state *st);

/**
 * \brief Ends a completed swap (boot_perform_update()'s epilogue): sets image_ok when asked and
 *        unset, then copy_done. A torn image_ok unit is repaired with both flags set at once.
 * \return 0 or the flash error.
 */
int boot_record_finish(struct boot_loader_state *st, bool image_ok);

#endif /* BOOT_BOOT_RECORD_H */
