/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_logging.h
 * \brief MCUboot's logging macros, routed to the port's log sink (port/port_log.h).
 */
#ifndef MCUBOOT_CONFIG_MCUBOOT_LOGGING_H
#define MCUBOOT_CONFIG_MCUBOOT_LOGGING_H

#include "port/port_log.h"

#define MCUBOOT_LOG_ERR(...) port_log(PORT_LOG_ERROR, "boot", __VA_ARGS__)
#define MCUBOOT_LOG_WRN(...) port_log(PORT_LOG_WARN, "boot", __VA_ARGS__)
#define MCUBOOT_LOG_INF(...) port_log(PORT_LOG_INFO, "boot", __VA_ARGS__)
#define MCUBOOT_LOG_DBG(...) port_log(PORT_LOG_DEBUG, "boot", __VA_ARGS__)

#endif /* MCUBOOT_CONFIG_MCUBOOT_LOGGING_H */
