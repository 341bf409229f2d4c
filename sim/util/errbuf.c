/* SPDX-License-Identifier: Apache-2.0 */
/* Error-buffer formatting shared by every module of sim/. */
#include "util/errbuf.h"

#include <stdio.h>

void errbuf_vset(char *err, size_t err_len, const char *fmt, va_list ap)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    vsnprintf(err, err_len, fmt, ap);
}

void errbuf_set(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    errbuf_vset(err, err_len, fmt, ap);
    va_end(ap);
}

int errbuf_fail(char *err, size_t err_len, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    errbuf_vset(err, err_len, fmt, ap);
    va_end(ap);
    return rc;
}
