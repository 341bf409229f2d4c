/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_log.h
 * \brief Port contract: the log sink the core writes to.
 *
 * The core logs through this one function; each port decides where lines go (the Linux port:
 * the current device's sink, by default stderr). The core never includes stdio.
 */
#ifndef PORT_LOG_H
#define PORT_LOG_H

#include <stdarg.h>

/** Severity, most severe first. A sink drops lines above its configured level. */
enum port_log_level {
    PORT_LOG_ERROR = 0,
    PORT_LOG_WARN = 1,
    PORT_LOG_INFO = 2,
    PORT_LOG_DEBUG = 3,
};

/**
 * \brief Writes one log line.
 *
 * Contract: callable from any core code at any time, including before any setup (then it goes
 * to the port's default sink); never fails and never calls back into the core; a line longer
 * than the port's buffer is truncated, never split. The line needs no trailing newline.
 *
 * \param level   Severity of the line.
 * \param module  Short name of the emitting module ("boot", "ota", ...); not NULL.
 * \param fmt     printf-style format; the arguments follow.
 */
void port_log(enum port_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** \brief Same as port_log() with a va_list; the same contract. */
void port_log_v(enum port_log_level level, const char *module, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif /* PORT_LOG_H */
