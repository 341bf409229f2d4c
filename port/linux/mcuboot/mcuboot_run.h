/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_run.h
 * \brief Running an unmodified upstream MCUboot (a variant built by mk/mcuboot.mk) on a device's
 *        flash map: boot, request an upgrade, confirm, each surviving a power cut.
 *
 * Upstream does not know the port's BO_EPOWER (a flash operation cut by a power loss): it would
 * carry on, or stop on an assert. The port's flash layer for upstream (the mcuboot_flash_area_*
 * functions that a variant's library calls instead of flash_area_read/write/erase) unwinds out
 * of upstream with longjmp when an operation returns BO_EPOWER, back to the mcuboot_run_* call
 * that entered it, which reports MCUBOOT_RUN_POWER_LOST. The device stays without power until
 * the caller restores it (port_flash_map_power_on()); the bootloader's RAM is gone with it:
 * every area upstream left open is closed, and upstream's state is cleared on the next boot.
 *
 * Upstream keeps its state in globals: one thread of a process runs it at a time. mk/mcuboot.mk
 * renames upstream's symbols (prefix mcuboot_up_), so a variant links beside brownout's core.
 */
#ifndef MCUBOOT_RUN_H
#define MCUBOOT_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "port_flash_map.h"

/** What a call into upstream came to. */
enum mcuboot_run_result {
    MCUBOOT_RUN_OK = 0,         /**< Booted (mcuboot_run_boot) or done (the others). */
    MCUBOOT_RUN_FAILED = 1,     /**< Upstream refused: no bootable image, or an error. */
    MCUBOOT_RUN_POWER_LOST = 2, /**< A flash operation was cut; unwound out of upstream. */
};

/** The outcome of one boot. */
struct mcuboot_boot {
    enum mcuboot_run_result result;
    int area_id;          /**< Area of the image booted (FLASH_AREA_*), or -1. */
    int slot;             /**< 0 primary, 1 secondary, -1 when not booted. */
    uint8_t flash_dev_id; /**< Device of the image booted. */
    uint32_t image_off;   /**< Device offset of the booted image's header. */
    uint8_t ver_major;    /**< Version of the booted image (its header). */
    uint8_t ver_minor;
    uint16_t ver_revision;
    uint32_t ver_build;
    uint32_t img_size;  /**< ih_img_size of the booted image. */
    uint8_t header[32]; /**< The booted image's header as upstream read it (flash byte order). */
};

/**
 * \brief Runs upstream's boot_go() on map (activated for the call, the previous map restored).
 * \param map  The device's flash map.
 * \param out  The outcome.
 * \return 0 (see out->result), or BO_EINVAL for NULL arguments.
 */
int mcuboot_run_boot(struct port_flash_map *map, struct mcuboot_boot *out);

/**
 * \brief Requests an upgrade of image image from its secondary slot: boot_set_pending_multi().
 * \param permanent  false: a test upgrade (reverted unless confirmed); true: permanent.
 * \param result     What the call came to.
 * \return 0, or BO_EINVAL.
 */
int mcuboot_run_set_pending(struct port_flash_map *map, int image, bool permanent,
                            enum mcuboot_run_result *result);

/**
 * \brief Confirms the running image image: boot_set_confirmed_multi().
 * \return 0, or BO_EINVAL.
 */
int mcuboot_run_confirm(struct port_flash_map *map, int image, enum mcuboot_run_result *result);

/** \brief The identity of the upstream tree the variant was built from (git describe or a hash). */
const char *mcuboot_run_tree_id(void);

/** \brief The variant's name (its settings, see port/linux/mcuboot/mcuboot_gen.py). */
const char *mcuboot_run_variant(void);

/** \brief A name for a result ("ok", "failed", "power-lost"). */
const char *mcuboot_run_result_name(enum mcuboot_run_result result);

#endif /* MCUBOOT_RUN_H */
