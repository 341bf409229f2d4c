/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_mcuboot.h
 * \brief The firmware program of a brownoutd device with `bootloader = mcuboot`.
 *
 * Upstream MCUboot is configured at compile time, so each device runs the brownout-fw of its own
 * variant: `$(BUILD)/mcuboot/TREE/VARIANT/brownout-fw` (mk/mcuboot_fw.mk), where TREE is the
 * folder name of the daemon's `mcuboot-src` and VARIANT is what
 * `port/linux/mcuboot/mcuboot_gen.py name` makes of the device's settings: its mode, the type of
 * its key files, the max-align and max-sectors derived from its board (board_derive.h), its image
 * count, validate-primary and downgrade-prevention.
 *
 * BUILD is the build folder brownoutd runs from (its program is BUILD/bin/brownoutd); the source
 * tree is $BROWNOUT_ROOT, or the nearest of the three folders above BUILD that holds brownout's
 * Makefile and the generator. The build is `make NO_DEPS=1 BUILD=... MCUBOOT_SRC=TREE
 * MCUBOOT_KEYS=<the device's key files> PROGRAM` there: the variant's key table (bootutil_keys)
 * is the device's keys, so devices of one variant must name the same keys. Every
 * error is one line, "FILE:LINE: device 'NAME': reason" (the device section's line), and a
 * sysexits code: EX_CONFIG for a configuration that cannot run (no mcuboot-src, a tree that is
 * not MCUboot, a variant upstream's configuration checks reject, an installed brownoutd that has
 * no source tree to build the variant in), EX_DATAERR for a key file of no usable type,
 * EX_SOFTWARE for a build that failed otherwise.
 */
#ifndef SIM_CONFIG_MCUBOOT_H
#define SIM_CONFIG_MCUBOOT_H

#include <stddef.h>

#include "config/daemon_config.h"

/** Room for a variant name, terminator included. */
#define CONFIG_MCUBOOT_VARIANT_MAX 96

/** Where a mcuboot device's firmware program comes from. */
struct config_mcuboot {
    char root[CONFIG_PATH_MAX];  /**< brownout's source tree (runs make and the generator). */
    char build[CONFIG_PATH_MAX]; /**< The build folder, as make's BUILD (relative to root). */
    char tree[CONFIG_PATH_MAX];  /**< The MCUboot tree, absolute. */
    char variant[CONFIG_MCUBOOT_VARIANT_MAX];
    char program[CONFIG_PATH_MAX]; /**< The variant's brownout-fw, absolute. */
};

/**
 * \brief Computes the variant and the program of dev (no build).
 * \param out  Filled on success.
 * \return 0, or a sysexits code with one line in err.
 */
int config_mcuboot_resolve(const struct config *cfg, const struct config_device *dev,
                           struct config_mcuboot *out, char *err, size_t err_len);

/**
 * \brief config_mcuboot_resolve(), then builds the program (make in the source tree; nothing
 *        to do when it is up to date) and checks that it can run.
 * \return 0, or a sysexits code with one line in err.
 */
int config_mcuboot_prepare(const struct config *cfg, const struct config_device *dev,
                           struct config_mcuboot *out, char *err, size_t err_len);

/**
 * \brief Refuses two mcuboot devices of cfg that run one variant but name other key files: the
 *        variant's program holds one key table (the device's keys, MCUBOOT_KEYS).
 * \return 0, or a sysexits code (EX_CONFIG for the conflict) with one line in err naming the
 *         second device's section and the first device.
 */
int config_mcuboot_check_shared(const struct config *cfg, char *err, size_t err_len);

#endif /* SIM_CONFIG_MCUBOOT_H */
