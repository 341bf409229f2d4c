/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_start.h
 * \brief The start check of brownoutd's devices: everything that would otherwise fail at each
 *        power-on is refused once, before the daemon starts (and by --check-config): the board
 *        file, the mode and image count against its partitions and sector layout
 *        (board_derive_check()), every key and image file the device names, and for a device
 *        with bootloader = mcuboot its variant's firmware program (config_mcuboot.h: built
 *        now, when it is not up to date).
 */
#ifndef SIM_CONFIG_START_H
#define SIM_CONFIG_START_H

#include <stddef.h>

#include "config/daemon_config.h"

/**
 * \brief Checks one device of a configuration.
 * \param cfg      The configuration (its file names the device's line in messages).
 * \param dev      One of its devices.
 * \param err      Receives one line: "FILE:LINE: device 'NAME': reason" (the configuration's
 *                 file and the device's line when it has one) or the board's "FILE:LINE: ...".
 * \param err_len  Room at err.
 * \return 0, or the sysexits code to exit with: EX_CONFIG (the board cannot run the device's
 *         mode or image count, or a board file error), EX_NOINPUT (a board, key or image file
 *         cannot be read), EX_DATAERR (a key file holds no usable key), or the code of
 *         config_mcuboot_prepare() for a mcuboot device.
 */
int config_start_check_device(const struct config *cfg, const struct config_device *dev, char *err,
                              size_t err_len);

/**
 * \brief config_start_check_device() for every device, then the process's limits against what
 *        all of them need (config_limits_check()); the first failure's code.
 */
int config_start_check(const struct config *cfg, char *err, size_t err_len);

#endif /* SIM_CONFIG_START_H */
