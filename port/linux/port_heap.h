/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_heap.h
 * \brief Accounted heaps: the allocator the port gives Mbed TLS (mbedtls_platform_set_calloc_free).
 *
 * Mbed TLS's allocation hooks carry no context, so the heap an allocation is charged to is the
 * one the calling thread activated (mbedtls_platform_setup() does this for its context). Each
 * block remembers its owner, so a block is credited back to the right heap wherever it is freed.
 * A heap may have a parent (a DTLS session's heap inside its device's): every charge also goes
 * to the parent, and a budget anywhere on the chain can refuse an allocation.
 *
 * A heap holds no resources of its own; it must outlive the blocks charged to it.
 */
#ifndef PORT_HEAP_H
#define PORT_HEAP_H

#include <stddef.h>

#include "port_heap_hooks.h"

struct port_heap {
    const char *name;           /**< For reports; may be NULL. */
    struct port_heap *parent;   /**< Charged too; may be NULL. */
    size_t budget;              /**< Most live bytes allowed; 0 means unlimited. */
    unsigned long fail_at;      /**< Fail the fail_at-th allocation (1-based); 0 = never. */
    size_t live_bytes;          /**< Bytes requested and not yet freed. */
    size_t peak_bytes;          /**< Highest live_bytes seen. */
    size_t live_count;          /**< Blocks not yet freed. */
    unsigned long alloc_count;  /**< Allocation requests seen, failed ones included. */
    unsigned long failed_count; /**< Requests refused (budget, injection, or host OOM). */
};

/**
 * \brief Initialises a heap with no budget and no injected failure. Cannot fail.
 * \param heap    The heap.
 * \param name    A static name for reports, or NULL.
 * \param parent  A heap charged as well, or NULL.
 */
void port_heap_init(struct port_heap *heap, const char *name, struct port_heap *parent);

/**
 * \brief Makes heap the one the calling thread's allocations are charged to.
 * \param heap  The heap, or NULL for the thread's unaccounted default.
 * \return      The previously active heap (NULL for the default), to restore later.
 */
struct port_heap *port_heap_activate(struct port_heap *heap);

/** \brief The heap the calling thread charges, or NULL for the default. */
struct port_heap *port_heap_active(void);

/*
 * port_heap_calloc(nmemb, size) (declared in port_heap_hooks.h): calloc() charged to the active
 * heap, the hook given to Mbed TLS. Returns zeroed memory, or NULL when nmemb * size overflows,
 * a budget on the chain would be exceeded, the injected failure index is reached, or the host is
 * out of memory.
 *
 * port_heap_release(ptr): free() that credits the block's owner; NULL is ignored.
 */

#endif /* PORT_HEAP_H */
