/* SPDX-License-Identifier: Apache-2.0 */
/* The Linux port's log sink: per-thread destination for port_log() and Mbed TLS printf. */
#include "port_logsink.h"

#include "mcuboot_config/mcuboot_logging.h"

#include <stdio.h>

struct logsink_state {
    port_logsink_fn fn;
    void *ctx;
    enum port_log_level level;
    char partial[PORT_LOG_LINE_MAX]; /* Mbed TLS printf text not yet ended by a newline. */
    size_t partial_len;
};

static _Thread_local struct logsink_state logsink = {
    .fn = NULL,
    .ctx = NULL,
    .level = PORT_LOG_INFO,
    .partial_len = 0,
};

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static void logsink_emit(enum port_log_level level, const char *module, const char *line)
{
    if (logsink.fn != NULL) {
        logsink.fn(logsink.ctx, level, module, line);
        return;
    }
    fprintf(stderr, "[%s] %s: %s\n", level_names[level], module, line);
}

void port_logsink_set(port_logsink_fn fn, void *ctx, enum port_log_level level)
{
    logsink.fn = fn;
    logsink.ctx = ctx;
    logsink.level = level;
    logsink.partial_len = 0;
}

void port_log_v(enum port_log_level level, const char *module, const char *fmt, va_list ap)
{
    char line[PORT_LOG_LINE_MAX];

    if (level > logsink.level) {
        return;
    }
    vsnprintf(line, sizeof(line), fmt, ap);
    logsink_emit(level, module, line);
}

void port_log(enum port_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    port_log_v(level, module, fmt, ap);
    va_end(ap);
}

/* MCUboot's logging macros (mcuboot_config/mcuboot_logging.h) land here, with a plain int level. */
void port_log_mcuboot(int level, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    port_log_v(level <= 0   ? PORT_LOG_ERROR
               : level >= 3 ? PORT_LOG_DEBUG
                            : (enum port_log_level)level,
               module, fmt, ap);
    va_end(ap);
}

int port_logsink_printf(const char *fmt, ...)
{
    char text[PORT_LOG_LINE_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return n;
    }
    for (const char *p = text; *p != '\0'; p++) {
        int full = logsink.partial_len == sizeof(logsink.partial) - 1;
        if (*p != '\n' && !full) {
            logsink.partial[logsink.partial_len++] = *p;
            continue;
        }
        logsink.partial[logsink.partial_len] = '\0';
        if (PORT_LOG_INFO <= logsink.level) {
            logsink_emit(PORT_LOG_INFO, "mbedtls", logsink.partial);
        }
        logsink.partial_len = 0;
        if (*p != '\n') {
            logsink.partial[logsink.partial_len++] = *p;
        }
    }
    return n;
}
