/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_api.h
 * \brief The application-side bootloader API with MCUboot's names (bootutil_public.h):
 *        request an upgrade, confirm the running image, read the trailer states and the swap
 *        type the next boot will perform.
 *
 * Differences from MCUboot, all deliberate:
 * - Errors are negative enum bo_err codes (MCUboot returns positive BOOT_E* codes); 0 still
 *   means success and the swap-type functions still return BOOT_SWAP_TYPE_* values.
 * - The trailer's MA (MCUboot's compile-time BOOT_MAX_ALIGN) is a run-time value here, because
 *   one simulator hosts devices of every kind: every function has a _cfg variant that takes it,
 *   and the MCUboot-named functions use BOOT_API_DEFAULT_MAX_ALIGN.
 * - boot_set_pending() writes the secondary trailer's magic last (image_ok, then swap_info,
 *   then the magic). MCUboot's boot_set_next() writes the magic first; the final bytes are the
 *   same, but with the magic last a power cut part-way leaves no request at all (the next boot
 *   does nothing) instead of a test request where a permanent one was asked for. A retry after
 *   such a cut programs every unit of the request again (settling weak units on NOR); on ECC
 *   parts a unit that already reads right on every read is left alone.
 */
#ifndef BOOT_BOOT_API_H
#define BOOT_BOOT_API_H

#include <stdint.h>

#include "boot/swap_state.h"
#include "boot/trailer.h"
#include "flash_map_backend/flash_map_backend.h"
#include "config/build_info.h"

/* MCUboot's names for the decoded trailer values. */
#define BOOT_MAGIC_GOOD TRAILER_MAGIC_GOOD
#define BOOT_MAGIC_BAD TRAILER_MAGIC_BAD
#define BOOT_MAGIC_UNSET TRAILER_MAGIC_UNSET
#define BOOT_MAGIC_ANY TRAILER_MAGIC_ANY
#define BOOT_MAGIC_NOTGOOD TRAILER_MAGIC_NOTGOOD

#define BOOT_FLAG_SET TRAILER_FLAG_SET
#define BOOT_FLAG_BAD TRAILER_FLAG_BAD
#define BOOT_FLAG_UNSET TRAILER_FLAG_UNSET
#define BOOT_FLAG_ANY TRAILER_FLAG_ANY

#define BOOT_SWAP_TYPE_NONE TRAILER_SWAP_TYPE_NONE
#define BOOT_SWAP_TYPE_TEST TRAILER_SWAP_TYPE_TEST
#define BOOT_SWAP_TYPE_PERM TRAILER_SWAP_TYPE_PERM
#define BOOT_SWAP_TYPE_REVERT TRAILER_SWAP_TYPE_REVERT
#define BOOT_SWAP_TYPE_FAIL TRAILER_SWAP_TYPE_FAIL
#define BOOT_SWAP_TYPE_PANIC TRAILER_SWAP_TYPE_PANIC

/** The MA the MCUboot-named functions use: MCUBOOT_BOOT_MAX_ALIGN, or MCUboot's default 8. */
#define BOOT_API_DEFAULT_MAX_ALIGN BROWNOUT_CFG_MAX_ALIGN

/** What the application API needs to know about the bootloader it talks to. */
struct boot_api_config {
    uint32_t max_align; /**< The bootloader's MCUBOOT_BOOT_MAX_ALIGN: 8, 16 or 32. */
};

/**
 * \brief Reads the trailer state of an open slot (MCUboot's boot_read_swap_state()).
 * \return 0, BO_EINVAL, or the flash error.
 */
int boot_read_swap_state_cfg(const struct boot_api_config *cfg, const struct flash_area *fa,
                             struct boot_swap_state *state);

/** \brief boot_read_swap_state_cfg() with BOOT_API_DEFAULT_MAX_ALIGN. */
int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *state);

/**
 * \brief Opens area id, reads its trailer state and closes it.
 * \return 0, BO_ENOENT for an unknown area, BO_EINVAL, or the flash error.
 */
int boot_read_swap_state_by_id_cfg(const struct boot_api_config *cfg, int flash_area_id,
                                   struct boot_swap_state *state);

/** \brief boot_read_swap_state_by_id_cfg() with BOOT_API_DEFAULT_MAX_ALIGN. */
int boot_read_swap_state_by_id(int flash_area_id, struct boot_swap_state *state);

/**
 * \brief The swap type the next boot will perform for image image_index, from the trailers of
 *        its two slots and MCUboot's decision table. As in MCUboot, a secondary slot that
 *        cannot be read counts as empty.
 * \return BOOT_SWAP_TYPE_NONE, _TEST, _PERM or _REVERT; BOOT_SWAP_TYPE_PANIC when the primary
 *         slot's trailer cannot be read or the image does not exist.
 */
int boot_swap_type_multi_cfg(const struct boot_api_config *cfg, int image_index);

/** \brief boot_swap_type_multi_cfg() with BOOT_API_DEFAULT_MAX_ALIGN. */
int boot_swap_type_multi(int image_index);

/** \brief boot_swap_type_multi(0). */
int boot_swap_type(void);

/**
 * \brief Marks the image in the secondary slot of image_index as pending: the next boot swaps
 *        it in, once (permanent == 0: revert on the following boot unless confirmed) or for
 *        good (permanent != 0).
 *
 * With the secondary trailer's magic unset it writes image_ok (permanent only), swap_info
 * (swap type TEST or PERM, the image number) and the magic; with the magic already good the
 * request stands and nothing is written; with a bad magic the slot is corrupt and is erased
 * whole, as MCUboot does.
 *
 * Leftovers of an interrupted request are programmed again (a torn or weak unit settles):
 * a permanent request accepts image_ok in any state and lets the flash refuse what it cannot
 * program.
 *
 * \return 0; BO_EBADIMAGE when a bad magic made it erase the slot; BO_ESTATE when the trailer
 *         holds leftovers that contradict the request (image_ok not erased for a test request,
 *         or another swap_info) so it cannot be written without an erase; BO_ESEMANTICS when
 *         the flash cannot program the request over what the trailer holds; BO_EINVAL or
 *         BO_ENOENT for an image that does not exist; or the flash error (BO_EPOWER
 *         included).
 */
int boot_set_pending_multi_cfg(const struct boot_api_config *cfg, int image_index, int permanent);

/** \brief boot_set_pending_multi_cfg() with BOOT_API_DEFAULT_MAX_ALIGN. */
int boot_set_pending_multi(int image_index, int permanent);

/** \brief boot_set_pending_multi(0, permanent). */
int boot_set_pending(int permanent);

/**
 * \brief Marks the image in the primary slot of image_index as confirmed: sets image_ok when
 *        the primary trailer's magic is good and image_ok is unset (also for a padded image
 *        written by a programmer, whose copy_done is unset). A primary without magic has
 *        nothing to confirm and is left alone.
 * \return 0; BO_EBADIMAGE when the primary's magic is bad (MCUboot's BOOT_EBADVECT); BO_EINVAL
 *         or BO_ENOENT for an image that does not exist; or the flash error.
 */
int boot_set_confirmed_multi_cfg(const struct boot_api_config *cfg, int image_index);

/** \brief boot_set_confirmed_multi_cfg() with BOOT_API_DEFAULT_MAX_ALIGN. */
int boot_set_confirmed_multi(int image_index);

/** \brief boot_set_confirmed_multi(0). */
int boot_set_confirmed(void);

#endif /* BOOT_BOOT_API_H */
