/* SPDX-License-Identifier: Apache-2.0 */
/* Accounted heaps for Mbed TLS: per-context live/peak/count, budgets and failure injection. */
#include "port_heap.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every block starts with this header; its size keeps the payload maximally aligned. */
union heap_header {
    max_align_t align;
    struct {
        struct port_heap *owner;
        size_t size;
    } h;
};

static _Thread_local struct port_heap *heap_current;

void port_heap_init(struct port_heap *heap, const char *name, struct port_heap *parent)
{
    memset(heap, 0, sizeof(*heap));
    heap->name = name;
    heap->parent = parent;
}

struct port_heap *port_heap_activate(struct port_heap *heap)
{
    struct port_heap *prev = heap_current;

    heap_current = heap;
    return prev;
}

struct port_heap *port_heap_active(void)
{
    return heap_current;
}

/* Counts the request on the chain and says whether every heap on it allows size more bytes. */
static int heap_admit(struct port_heap *heap, size_t size)
{
    int ok = 1;

    for (struct port_heap *h = heap; h != NULL; h = h->parent) {
        h->alloc_count++;
        if (h->fail_at != 0 && h->alloc_count == h->fail_at) {
            ok = 0;
        }
        if (h->budget != 0 && (size > h->budget || h->live_bytes > h->budget - size)) {
            ok = 0;
        }
    }
    if (!ok) {
        for (struct port_heap *h = heap; h != NULL; h = h->parent) {
            h->failed_count++;
        }
    }
    return ok;
}

void *port_heap_calloc(size_t nmemb, size_t size)
{
    struct port_heap *heap = heap_current;
    union heap_header *hdr;
    size_t bytes;

    if (size != 0 && nmemb > (SIZE_MAX - sizeof(*hdr)) / size) {
        return NULL;
    }
    bytes = nmemb * size;
    if (!heap_admit(heap, bytes)) {
        return NULL;
    }
    hdr = calloc(1, sizeof(*hdr) + bytes);
    if (hdr == NULL) {
        for (struct port_heap *h = heap; h != NULL; h = h->parent) {
            h->failed_count++;
        }
        return NULL;
    }
    hdr->h.owner = heap;
    hdr->h.size = bytes;
    for (struct port_heap *h = heap; h != NULL; h = h->parent) {
        h->live_bytes += bytes;
        h->live_count++;
        if (h->live_bytes > h->peak_bytes) {
            h->peak_bytes = h->live_bytes;
        }
    }
    return hdr + 1;
}

void port_heap_release(void *ptr)
{
    union heap_header *hdr;

    if (ptr == NULL) {
        return;
    }
    hdr = (union heap_header *)ptr - 1;
    for (struct port_heap *h = hdr->h.owner; h != NULL; h = h->parent) {
        h->live_bytes -= hdr->h.size;
        h->live_count--;
    }
    free(hdr);
}
