/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mbedtls_platform_setup/teardown of the Linux port: installs the port's memory, printf and
 * time hooks into Mbed TLS and activates a context's heap and clock for the calling thread.
 */
#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/error.h"

#include "port_clock.h"
#include "port_heap.h"
#include "port_logsink.h"

static mbedtls_time_t platform_time(mbedtls_time_t *timer)
{
    mbedtls_time_t now = (mbedtls_time_t)port_clock_epoch_s(port_clock_active());

    if (timer != NULL) {
        *timer = now;
    }
    return now;
}

int mbedtls_platform_setup(mbedtls_platform_context *ctx)
{
    int rc;

    if (ctx == NULL) {
        return MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED;
    }
    if (ctx->active) {
        return 0;
    }
    /* The hooks are the same for every context, so installing them again is harmless. */
    rc = mbedtls_platform_set_calloc_free(port_heap_calloc, port_heap_release);
    if (rc != 0) {
        goto out;
    }
    rc = mbedtls_platform_set_printf(port_logsink_printf);
    if (rc != 0) {
        goto out;
    }
    rc = mbedtls_platform_set_time(platform_time);
    if (rc != 0) {
        goto out;
    }
    ctx->saved_heap = port_heap_activate(ctx->heap);
    ctx->saved_clock = port_clock_activate(ctx->clock);
    ctx->active = 1;
out:
    return rc;
}

void mbedtls_platform_teardown(mbedtls_platform_context *ctx)
{
    if (ctx == NULL || !ctx->active) {
        return;
    }
    port_heap_activate(ctx->saved_heap);
    port_clock_activate(ctx->saved_clock);
    ctx->active = 0;
}
