/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file swap_type.h
 * \brief MCUboot's two decision tables, as data plus a lookup:
 *        - the swap-type table: (primary magic, secondary magic, primary image_ok, secondary
 *          image_ok, primary copy_done) -> TEST, PERM or REVERT, and NONE when no row matches;
 *        - the status-source table of swap-using-scratch: (primary magic, scratch magic,
 *          primary copy_done) -> where an interrupted swap's progress is read from.
 *
 * Rows are evaluated first to last and the first match wins, in MCUboot's order (its design
 * document, "Image Trailers" and "Reset Recovery"). Table cells hold enum trailer_magic_state
 * and enum trailer_flag_state values, with the ANY and NOTGOOD wildcards.
 */
#ifndef BOOT_SWAP_TYPE_H
#define BOOT_SWAP_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/swap_state.h"

/** Where the swap status lives, with MCUboot's BOOT_STATUS_SOURCE_* values. */
enum swap_type_source {
    SWAP_TYPE_SOURCE_NONE = 0,
    SWAP_TYPE_SOURCE_SCRATCH = 1,
    SWAP_TYPE_SOURCE_PRIMARY = 2,
};

/** One row of the swap-type table. */
struct swap_type_row {
    uint8_t magic_primary;
    uint8_t magic_secondary;
    uint8_t image_ok_primary;
    uint8_t image_ok_secondary;
    uint8_t copy_done_primary;
    uint8_t swap_type; /**< An enum trailer_swap_type. */
};

/** One row of the status-source table. */
struct swap_type_source_row {
    uint8_t magic_primary;
    uint8_t magic_scratch;
    uint8_t copy_done_primary;
    uint8_t source; /**< An enum swap_type_source. */
};

/**
 * \brief The swap-type table.
 * \param count  Receives the number of rows (may be NULL).
 * \return The rows, in evaluation order; static storage.
 */
const struct swap_type_row *swap_type_table(size_t *count);

/** \brief The status-source table, in evaluation order; *count receives its length. */
const struct swap_type_source_row *swap_type_source_table(size_t *count);

/**
 * \brief Whether a table's magic cell accepts a decoded magic: ANY accepts everything,
 *        NOTGOOD everything but GOOD, any other cell only itself.
 */
int swap_type_magic_matches(uint8_t cell, uint8_t magic);

/** \brief Whether a table's flag cell accepts a decoded flag (ANY accepts everything). */
int swap_type_flag_matches(uint8_t cell, uint8_t flag);

/**
 * \brief The first row of the swap-type table that the two states match.
 * \return The row index, or -1 when none matches.
 */
int swap_type_match(const struct boot_swap_state *primary, const struct boot_swap_state *secondary);

/**
 * \brief The swap type two trailer states ask for.
 * \return TRAILER_SWAP_TYPE_TEST, _PERM or _REVERT from the first matching row,
 *         TRAILER_SWAP_TYPE_NONE when no row matches, TRAILER_SWAP_TYPE_PANIC for NULL.
 */
int swap_type_decide(const struct boot_swap_state *primary,
                     const struct boot_swap_state *secondary);

/**
 * \brief The first row of the status-source table that the states match.
 * \return The row index, or -1 when none matches.
 */
int swap_type_source_match(const struct boot_swap_state *primary,
                           const struct boot_swap_state *scratch);

/**
 * \brief Where to read an interrupted swap-using-scratch swap's progress from. As in MCUboot
 *        with more than one image, a status found in the scratch area counts only when the
 *        scratch's image number is the image being examined; otherwise the answer is NONE.
 * \param primary      State of the image's primary slot.
 * \param scratch      State of the scratch area.
 * \param image_index  The image being examined.
 * \return An enum swap_type_source (NONE when no row matches or for NULL).
 */
int swap_type_status_source(const struct boot_swap_state *primary,
                            const struct boot_swap_state *scratch, uint8_t image_index);

/** \brief Whether a swap type is an upgrade (MCUboot's BOOT_IS_UPGRADE: TEST, PERM, REVERT). */
bool swap_type_is_upgrade(uint8_t swap_type);

#endif /* BOOT_SWAP_TYPE_H */
