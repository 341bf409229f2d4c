/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file loader_int.h
 * \brief Internals of the loader: the per-mode operations table, the operations of each
 *        upgrade mode, and the image selection the unit tests use to drive one module.
 *
 * Not for applications: include boot/loader.h.
 */
#ifndef BOOT_LOADER_INT_H
#define BOOT_LOADER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/loader.h"

/** What differs between upgrade modes. */
struct boot_mode_ops {
    enum boot_mode mode;
    /**
     * Where an interrupted swap's progress is (an enum swap_type_source); NULL when the mode
     * keeps no progress (overwrite-only).
     */
    int (*source)(struct boot_loader_state *st, uint8_t *source);
    /** Decodes the progress records of area fa into bs (idx, state, op). */
    int (*read_progress)(struct boot_loader_state *st, const struct flash_area *fa,
                         const struct trailer_layout *lay, struct boot_status *bs);
    /**
     * Performs (or resumes) the swap of the current image described by bs (overwrite-only:
     * the copy). Sets *ran to false when the swap was refused (no room), true otherwise.
     */
    int (*run)(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
};

/** \brief The operations of a mode, or NULL for an unknown mode. */
const struct boot_mode_ops *boot_mode_ops_of(enum boot_mode mode);

/**
 * \brief Makes image i the current one of st (whose cfg is set): opens its areas, computes
 *        their trailer layouts and loads their sector tables.
 * \return 0, or the error of an open, of a layout or of sectors_load(); boot_image_close()
 *         must follow either way.
 */
int boot_image_open(struct boot_loader_state *st, uint32_t i);

/** \brief Closes the areas boot_image_open() opened. */
void boot_image_close(struct boot_loader_state *st);

/** Reads both headers of the current image, the secondary's where a swap of swap_type finds it. */
int boot_read_headers(struct boot_loader_state *st, uint8_t swap_type);

/** Performs the operation decided for the current image (st->img[cur].swap_type). */
int boot_perform(struct boot_loader_state *st);

/** \name Per-mode operations (overwrite.c, swap_scratch.c, swap_move.c, swap_offset.c). */
/**@{*/
int overwrite_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);

int swap_scratch_source(struct boot_loader_state *st, uint8_t *source);
int swap_scratch_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                               const struct trailer_layout *lay, struct boot_status *bs);
int swap_scratch_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
int swap_move_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                            const struct trailer_layout *lay, struct boot_status *bs);
int swap_move_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);

int swap_offset_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                              const struct trailer_layout *lay, struct boot_status *bs);
int swap_offset_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
/**@}*/

#endif /* BOOT_LOADER_INT_H */
