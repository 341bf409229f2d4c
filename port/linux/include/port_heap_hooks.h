/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_heap_hooks.h
 * \brief The port's allocator functions, declared for Mbed TLS's platform.c.
 *
 * port/linux/mbedtls_config.h includes this file and names the two functions as
 * MBEDTLS_PLATFORM_STD_CALLOC/FREE, so that Mbed TLS's allocation hooks point at
 * the port allocator from the first instruction. Without that, a block allocated before the
 * first mbedtls_platform_setup() would come from libc and later be freed by the port (or the
 * reverse). mbedtls_platform_setup() still installs them with mbedtls_platform_set_calloc_free.
 * The full contract is in port_heap.h.
 */
#ifndef PORT_HEAP_HOOKS_H
#define PORT_HEAP_HOOKS_H

#include <stddef.h>

/** \brief calloc() charged to the calling thread's active heap (see port_heap.h). */
void *port_heap_calloc(size_t nmemb, size_t size);

/** \brief free() crediting the block's owning heap (see port_heap.h). */
void port_heap_release(void *ptr);

#endif /* PORT_HEAP_HOOKS_H */
