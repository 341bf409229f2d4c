/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file errbuf.h
 * \brief The one way sim/ writes a reason into a caller's error buffer.
 */
#ifndef SIM_ERRBUF_H
#define SIM_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

/**
 * \brief Formats a reason into err (printf-style), truncating to err_len.
 *
 * A NULL err or an err_len of 0 means the caller wants no text: nothing is written.
 */
void errbuf_set(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** \brief errbuf_set() with a va_list. */
void errbuf_vset(char *err, size_t err_len, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/**
 * \brief errbuf_set(), then returns rc, for `return errbuf_fail(err, len, BO_EINVAL, ...);`.
 */
int errbuf_fail(char *err, size_t err_len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* SIM_ERRBUF_H */
