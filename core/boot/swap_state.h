/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file swap_state.h
 * \brief The decoded trailer state of one slot (or of the scratch area): magic, swap type,
 *        image number, copy_done and image_ok, as MCUboot's boot_read_swap_state() reports it.
 */
#ifndef BOOT_SWAP_STATE_H
#define BOOT_SWAP_STATE_H

#include <stdint.h>

#include "boot/trailer.h"
#include "flash_map_backend/flash_map_backend.h"

/**
 * The state of one trailer, with MCUboot's name and fields (bootutil_public.h), so application
 * code written against MCUboot compiles unchanged.
 */
struct boot_swap_state {
    uint8_t magic;     /**< An enum trailer_magic_state (BOOT_MAGIC_GOOD/BAD/UNSET). */
    uint8_t swap_type; /**< An enum trailer_swap_type; NONE when swap_info is erased or holds
                            a type above REVERT. */
    uint8_t copy_done; /**< An enum trailer_flag_state (BOOT_FLAG_SET/BAD/UNSET). */
    uint8_t image_ok;  /**< An enum trailer_flag_state. */
    uint8_t image_num; /**< High nibble of swap_info; 0 when the swap type was reset to NONE. */
};

/**
 * \brief Decodes a raw swap_info byte as MCUboot does: an erased byte, or a swap type above
 *        REVERT, gives swap type NONE and image 0.
 * \param lay        The layout (its erased value applies).
 * \param swap_info  The byte read at swap_info_off.
 * \param state      Receives swap_type and image_num.
 */
void swap_state_decode_info(const struct trailer_layout *lay, uint8_t swap_info,
                            struct boot_swap_state *state);

/**
 * \brief Reads the state of an open area.
 * \param fa     The area; its size must be the layout's.
 * \param lay    Its layout.
 * \param state  Filled on success.
 * \return 0, BO_EINVAL, or the flash error (BO_EPOWER included).
 */
int swap_state_read(const struct flash_area *fa, const struct trailer_layout *lay,
                    struct boot_swap_state *state);

/**
 * \brief Opens area id, computes its layout from p, reads its state and closes it.
 * \return 0, BO_ENOENT when the area does not exist, BO_EINVAL, or the flash error.
 */
int swap_state_read_by_id(int fa_id, const struct trailer_params *p, struct boot_swap_state *state);

#endif /* BOOT_SWAP_STATE_H */
