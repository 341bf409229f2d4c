/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_logsink.h
 * \brief Where the Linux port sends log lines (the core's port_log() and Mbed TLS's printf).
 *
 * A sink is per thread: the firmware of a device, a sweep worker or a test installs its own
 * and the lines of one never reach another. With no sink installed, lines at or above the
 * default level go to stderr.
 */
#ifndef PORT_LOGSINK_H
#define PORT_LOGSINK_H

#include "port/port_log.h"

/** Maximum length of one formatted line; longer lines are truncated. */
#define PORT_LOG_LINE_MAX 512

/**
 * \brief Receives one formatted line (no trailing newline).
 * \param ctx     The context given to port_logsink_set().
 * \param level   Severity.
 * \param module  Emitting module.
 * \param line    The NUL-terminated text.
 */
typedef void (*port_logsink_fn)(void *ctx, enum port_log_level level, const char *module,
                                const char *line);

/**
 * \brief Installs the sink of the calling thread.
 * \param fn      The sink, or NULL to return to stderr.
 * \param ctx     Passed to fn.
 * \param level   Lines less severe than this are dropped before formatting.
 */
void port_logsink_set(port_logsink_fn fn, void *ctx, enum port_log_level level);

/**
 * \brief The printf replacement handed to mbedtls_platform_set_printf().
 *
 * Mbed TLS's own output (self-tests, debug) becomes INFO lines of module "mbedtls"; one call
 * may carry several lines or a partial line, which is buffered until its newline.
 * \return The number of characters formatted, as printf.
 */
int port_logsink_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PORT_LOGSINK_H */
