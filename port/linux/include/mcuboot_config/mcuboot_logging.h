/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_logging.h
 * \brief MCUboot's logging macros, routed to the port's log sink.
 *
 * Both bootloaders use them: brownout's core and an upstream MCUboot tree built against the port
 * (mk/mcuboot.mk, docs/mcuboot.md). The header is self-contained: the sink's entry point is
 * declared here with plain types, so that an upstream build needs no core header. Its level is a
 * value of the core's enum port_log_level (0 error, 1 warning, 2 info, 3 debug). Lines carry the
 * module MCUBOOT_LOG_MODULE_NAME: "boot" unless mcuboot_config.h names another (upstream
 * variants say "mcuboot").
 */
#ifndef MCUBOOT_CONFIG_MCUBOOT_LOGGING_H
#define MCUBOOT_CONFIG_MCUBOOT_LOGGING_H

#ifndef MCUBOOT_LOG_MODULE_NAME
#define MCUBOOT_LOG_MODULE_NAME "boot"
#endif

/**
 * \brief Writes one log line through port_log() (core/include/port/port_log.h), same contract.
 * \param level   0 error, 1 warning, 2 info, 3 debug; anything above 3 is debug.
 * \param module  Short name of the emitting module; not NULL.
 * \param fmt     printf-style format; the arguments follow.
 */
void port_log_mcuboot(int level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define MCUBOOT_LOG_ERR(...) port_log_mcuboot(0, MCUBOOT_LOG_MODULE_NAME, __VA_ARGS__)
#define MCUBOOT_LOG_WRN(...) port_log_mcuboot(1, MCUBOOT_LOG_MODULE_NAME, __VA_ARGS__)
#define MCUBOOT_LOG_INF(...) port_log_mcuboot(2, MCUBOOT_LOG_MODULE_NAME, __VA_ARGS__)
#define MCUBOOT_LOG_DBG(...) port_log_mcuboot(3, MCUBOOT_LOG_MODULE_NAME, __VA_ARGS__)
/* Upstream's simulator-only lines: debug lines here. */
#define MCUBOOT_LOG_SIM(...) port_log_mcuboot(3, MCUBOOT_LOG_MODULE_NAME, __VA_ARGS__)

/* One sink serves every module: declaring or registering a log module is nothing to do. */
#define MCUBOOT_LOG_MODULE_DECLARE(module)
#define MCUBOOT_LOG_MODULE_REGISTER(module)

#endif /* MCUBOOT_CONFIG_MCUBOOT_LOGGING_H */
