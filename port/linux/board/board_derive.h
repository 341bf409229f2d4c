/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file board_derive.h
 * \brief The device settings that follow from a board, derived in one place (the daemon, the
 *        firmware process, the sweep and the fuzz harnesses all call board_derive()), and the
 *        start-time check that a board can run an upgrade mode at all.
 *
 * Derived settings:
 * - max-align: MCUboot's BOOT_MAX_ALIGN, max(8, the largest write unit of the areas the mode
 *   uses), rounded up to 8, 16 or 32;
 * - max-sectors: MCUboot's MCUBOOT_MAX_IMG_SECTORS (imgtool's --max-sectors), the status
 *   entries of a slot: the caller's value, else the board's `max-sectors` key, else 128;
 * - the sector count of every slot and of the scratch area;
 * - the trailer size imgtool reserves for images of this board (`--align W --max-align MA
 *   --max-sectors S`), which a signed, padded image must not overlap.
 *
 * Every refusal is one line "FILE:LINE: reason" naming the board file (and the line of its
 * [board] section, max-sectors key or partition), so a bad combination is reported at start,
 * never at each boot.
 */
#ifndef BOARD_DERIVE_H
#define BOARD_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "boot/loader.h"

/** Largest max-sectors the build takes (the core's sector tables, BOOT_SECTORS_MAX). */
#define BOARD_DERIVE_MAX_SECTORS BOOT_SECTORS_MAX

/** What follows from a board, a mode and an image count. */
struct board_derived {
    uint32_t max_align;   /**< BOOT_MAX_ALIGN: 8, 16 or 32. */
    uint32_t write_unit;  /**< The largest write unit of the areas the mode uses. */
    uint32_t max_sectors; /**< Status entries of a slot. */
    uint32_t slot_sectors[BOOT_IMAGE_MAX][2]; /**< Sectors per slot; 0 for an absent slot. */
    uint32_t scratch_sectors;                 /**< Sectors of the scratch area, or 0. */
    uint32_t trailer_size; /**< imgtool's trailer size for this board and mode. */
};

/** \brief board_parse_max_sectors() with the core's limit, BOARD_DERIVE_MAX_SECTORS. */
#define board_derive_parse_max_sectors(s, out) \
    board_parse_max_sectors((s), BOARD_DERIVE_MAX_SECTORS, (out))

/**
 * \brief The number of sectors of a board's partition (0 when it is absent).
 */
uint32_t board_derive_sector_count(const struct board *board, int area_id);

/**
 * \brief Derives the settings of a board for a mode and checks the ones that need no flash:
 *        the image count against the board's slots, a scratch partition under swap-scratch,
 *        and the sector counts against max-sectors.
 * \param board        A valid board.
 * \param mode         The upgrade mode.
 * \param images       Images the bootloader handles: 1 or 2.
 * \param max_sectors  An explicit max-sectors (device or sweep option), or 0 for the board's.
 * \param out          Receives the settings (filled as far as known on error).
 * \param err          Receives "FILE:LINE: reason" on error; may be NULL.
 * \return 0, or BO_EINVAL.
 */
int board_derive(const struct board *board, enum boot_mode mode, uint32_t images,
                 uint32_t max_sectors, struct board_derived *out, char *err, size_t err_len);

/** \brief Copies the derived max-align and max-sectors into a boot configuration. */
void board_derive_apply(const struct board_derived *d, struct boot_config *cfg);

/**
 * \brief The start check: board_derive(), then the core's own verdict on the slots' geometry
 *        (boot_image_capacity() on a flash built in RAM), so a mode the board's sector layout
 *        cannot run is refused before the first boot.
 * \param board        A valid board.
 * \param max_sectors  An explicit max-sectors, or 0 for the board's (as board_derive()).
 * \param cfg          The boot configuration: its mode and image count are read, its max_align
 *                     and max_sectors set to the derived ones (board_derive_apply()).
 * \param out          Receives the derived settings; may be NULL.
 * \param err          Receives "FILE:LINE: reason" on error; may be NULL.
 * \return 0, BO_EINVAL (the board cannot run the mode), or BO_ENOMEM.
 */
int board_derive_check(const struct board *board, uint32_t max_sectors, struct boot_config *cfg,
                       struct board_derived *out, char *err, size_t err_len);

#endif /* BOARD_DERIVE_H */
