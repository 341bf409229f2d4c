/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file platform_alt.h
 * \brief The port's mbedtls_platform_context (MBEDTLS_PLATFORM_SETUP_TEARDOWN_ALT).
 *
 * Mbed TLS's platform.h includes this file. mbedtls_platform_setup(ctx) installs the port's
 * hooks (calloc/free, printf, time) and makes ctx's heap and clock the ones the calling thread
 * uses; mbedtls_platform_teardown(ctx) restores what was active before. Contexts nest like a
 * stack, one stack per thread: a test inside a device context can set up its own and tear it
 * down again. Fill the fields after zeroing the context and before setup.
 */
#ifndef BROWNOUT_PLATFORM_ALT_H
#define BROWNOUT_PLATFORM_ALT_H

struct port_heap;
struct port_clock;

typedef struct mbedtls_platform_context {
    struct port_heap *heap;         /**< Charged with Mbed TLS allocations; NULL: unaccounted. */
    struct port_clock *clock;       /**< Read by mbedtls_time(); NULL: the host's clock. */
    int active;                     /**< Set between setup and teardown. */
    struct port_heap *saved_heap;   /**< What setup replaced, restored by teardown. */
    struct port_clock *saved_clock; /**< What setup replaced, restored by teardown. */
} mbedtls_platform_context;

#endif /* BROWNOUT_PLATFORM_ALT_H */
