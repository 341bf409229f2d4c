/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_limits.h
 * \brief What a configuration's devices need of the process's limits, checked before start.
 *
 * One brownoutd hosts any number of devices; each holds descriptors in the daemon (its flash
 * backing files or memfds, their locks, the weak and ECC maps, the pipe to its firmware run)
 * and one firmware process. A daemon that runs out of either half-way through its devices
 * would leave a fleet half up: the need is summed and compared with RLIMIT_NOFILE (its soft
 * limit raised to the hard one when that suffices), RLIMIT_NPROC and the kernel's pid_max
 * first, and a shortfall refused in one line that says how to raise the limit.
 */
#ifndef SIM_CONFIG_LIMITS_H
#define SIM_CONFIG_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "config/daemon_config.h"

/** Descriptors the daemon holds apart from its devices: stdio, log, control socket and its
 *  clients, FUSE, libuv's own, and a spawn's transient pipes. */
#define CONFIG_LIMITS_FD_RESERVE 96

/** Processes kept free for the mcuboot builds and for whatever else the user runs. */
#define CONFIG_LIMITS_PROC_RESERVE 16

/** \brief Descriptors the daemon holds for one device of this board and configuration. */
uint32_t config_limits_device_fds(const struct board *board, const struct config_device *dev);

/**
 * \brief Checks that fds descriptors (the devices' sum) and one process per device of cfg fit
 *        the process's limits; raises the soft RLIMIT_NOFILE to the hard one if that suffices.
 * \param err  Receives one line: what is needed, the limit, how to raise it.
 * \return 0, EX_UNAVAILABLE (a limit of the process: RLIMIT_NOFILE, RLIMIT_NPROC) or EX_CONFIG
 *         (the system's kernel.pid_max).
 */
int config_limits_check(const struct config *cfg, uint64_t fds, char *err, size_t err_len);

#endif /* SIM_CONFIG_LIMITS_H */
