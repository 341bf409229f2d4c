/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file bl.h
 * \brief The bootloader under test: brownout's core (the default) or an unmodified upstream
 *        MCUboot variant, behind one interface used by the sweep and the firmware process.
 *
 * Callers pass a configuration whose max_align is the derived value (board_derive: the
 * smallest of 8, 16, 32 that holds the largest write unit), never 0 ("automatic"): the
 * application's requests write the trailer with it. Each implementation boots the calling thread's active flash map (port_flash_map_active()),
 * performs the application's requests (mark the secondary pending, confirm the running image)
 * and says which tree it is. Results keep the core's contract so callers need not know which
 * bootloader ran: 0 with rsp filled when an image boots, BO_EPOWER when a flash operation was cut
 * (stop at once; the caller restores power), BO_EBADIMAGE when nothing is bootable, another
 * negative BO_E* code for an error.
 *
 * Upstream MCUboot is configured at compile time: a program links at most one variant (its
 * symbols renamed by mk/mcuboot.mk so that it links beside the core), and the variant's
 * implementation refuses a configuration the variant was not built for (bl->check()).
 * Upstream keeps globals: one thread of a process runs it at a time.
 */
#ifndef SIM_BL_H
#define SIM_BL_H

#include <stdbool.h>
#include <stddef.h>

#include "boot/loader.h"

/** Which bootloader a device or a sweep runs. */
enum bl_kind {
    BL_BROWNOUT = 0, /**< brownout's core (core/boot). */
    BL_MCUBOOT = 1,  /**< An upstream MCUboot variant (port/linux/mcuboot). */
};

/** One bootloader implementation. Every member is set. */
struct bl {
    enum bl_kind kind;
    const char *name; /**< "brownout" or "mcuboot": the word of configurations and IDs. */

    /**
     * \brief Says which build this is, for results and replay IDs: "brownout" for the core;
     *        for upstream the tree's identity and the variant, e.g.
     *        "sha256:8d7b50d05a2a1996 commit:2d4bacc3c15e swap-move_ec256_a8_s512_i1_vp1_dg0_hk0".
     */
    const char *(*identity)(void);

    /**
     * \brief The identity of the tree alone, without the variant ("" for the core): what replay
     *        IDs pin (a variant follows from the scenario).
     */
    const char *(*tree)(void);

    /**
     * \brief Checks that cfg can run on this build (upstream: the compiled variant's mode, image
     *        count, max-align, max-sectors, validate-primary, downgrade prevention, key type).
     * \param err  Receives one line naming the setting that differs.
     * \return 0, or BO_ENOTSUP with err filled.
     */
    int (*check)(const struct boot_config *cfg, char *err, size_t err_len);

    /**
     * \brief Boots the active flash map (boot_go_ctx()'s contract).
     * \param state  The core's work area (upstream ignores it).
     * \param rsp    Filled when an image boots. Upstream fills br_hdr, br_flash_dev_id,
     *               br_image_off, slot, version, versions[0] (upstream's boot_rsp names
     *               image 0 only) and image_count; hash_len is 0 and swap_type[]/resumed[]
     *               are TRAILER_SWAP_TYPE_NONE/false (upstream does not say).
     */
    int (*boot)(struct boot_loader_state *state, const struct boot_config *cfg,
                struct boot_rsp *rsp);

    /**
     * \brief Marks image's secondary pending (boot_set_pending_multi()).
     * \return 0; BO_EINVAL for cfg->max_align 0 or an image that does not exist; BO_EPOWER or
     *         another flash error.
     */
    int (*set_pending)(const struct boot_config *cfg, int image, bool permanent);

    /**
     * \brief Confirms the running image (boot_set_confirmed_multi()).
     * \return 0; BO_EINVAL as set_pending; BO_EBADIMAGE when the primary's magic is bad;
     *         BO_EPOWER or another flash error.
     */
    int (*confirm)(const struct boot_config *cfg, int image);
};

/** \brief The implementation of kind linked into this program, or NULL when it is not. */
const struct bl *bl_find(enum bl_kind kind);

/**
 * \brief Parses a bootloader's name ("brownout", "mcuboot").
 * \return 0, or BO_EINVAL for another word.
 */
int bl_parse(const char *name, enum bl_kind *out);

/** \brief The name of kind ("brownout", "mcuboot"), or "?". */
const char *bl_kind_name(enum bl_kind kind);

/** \brief brownout's core: always linked. */
extern const struct bl bl_brownout;

#endif /* SIM_BL_H */
