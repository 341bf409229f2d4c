/* SPDX-License-Identifier: Apache-2.0 */
/* Weak regions of a virtual flash device in a weak map (heap or shared between processes). */
#include "vflash/vflash_weak.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash_fault.h"
#include "vflash/vflash_prng.h"

/* "WEAK" in little-endian ASCII, and the layout version. */
#define VFLASH_WEAK_MAGIC 0x4b414557u
#define VFLASH_WEAK_VERSION 1u
/* The stream tag of a weak region's reads (docs/faults.md). */
#define VFLASH_WEAK_TAG 17u
/* First sizes of a heap map. */
#define VFLASH_WEAK_HEAP_REGIONS 4u
#define VFLASH_WEAK_HEAP_ARENA 4096u

/* One region, in the map's table. */
struct vflash_weak_region {
    uint32_t off;      /* First device byte. */
    uint32_t len;      /* Bytes. */
    uint32_t unstable; /* Bytes where old and intended still differ. */
    uint32_t reserved;
    uint64_t data;           /* Arena offset of old[len], then intended[len]. */
    struct vflash_prng prng; /* Draws of its reads. */
};

struct vflash_weak_map {
    uint32_t magic;
    uint32_t version;
    uint64_t size;        /* Bytes of the whole map. */
    uint32_t dev_size;    /* Size of the device it serves. */
    uint32_t shared;      /* 1: formatted for sharing, lock is valid. */
    uint32_t dirty;       /* A change of the table or the bytes is under way. */
    uint32_t count;       /* Regions in use. */
    uint32_t max_regions; /* Entries of the table. */
    uint32_t reserved;
    uint64_t arena_cap;  /* Bytes of the arena. */
    uint64_t arena_used; /* Bytes of it in use, from its start. */
    pthread_mutex_t lock;
    struct vflash_weak_region regions[];
};

/* Bytes before the arena of a map with max_regions table entries. */
static uint64_t vflash_weak_table_end(uint64_t max_regions)
{
    return offsetof(struct vflash_weak_map, regions) +
           max_regions * sizeof(struct vflash_weak_region);
}

static uint8_t *vflash_weak_arena(struct vflash_weak_map *m)
{
    return (uint8_t *)m + vflash_weak_table_end(m->max_regions);
}

size_t vflash_weak_map_size(uint32_t dev_size)
{
    if (dev_size == 0) {
        return 0;
    }
    return (size_t)(vflash_weak_table_end(VFLASH_WEAK_MAP_REGIONS) + 2 * (uint64_t)dev_size);
}

/* Fills the header of an empty map (the mutex is the caller's business). */
static void vflash_weak_init(struct vflash_weak_map *m, uint64_t len, uint32_t dev_size,
                             uint32_t max_regions, bool shared)
{
    m->magic = VFLASH_WEAK_MAGIC;
    m->version = VFLASH_WEAK_VERSION;
    m->size = len;
    m->dev_size = dev_size;
    m->shared = shared ? 1u : 0u;
    m->dirty = 0;
    m->count = 0;
    m->max_regions = max_regions;
    m->reserved = 0;
    m->arena_cap = len - vflash_weak_table_end(max_regions);
    m->arena_used = 0;
}

int vflash_weak_map_format(void *map, size_t len, uint32_t dev_size)
{
    struct vflash_weak_map *m = map;
    pthread_mutexattr_t attr;
    int rc = BO_EOS;

    if (map == NULL || dev_size == 0 || len < vflash_weak_table_end(VFLASH_WEAK_MAP_REGIONS)) {
        return BO_EINVAL;
    }
    memset(m, 0, (size_t)vflash_weak_table_end(VFLASH_WEAK_MAP_REGIONS));
    if (pthread_mutexattr_init(&attr) != 0) {
        return BO_EOS;
    }
    if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0 ||
        pthread_mutex_init(&m->lock, &attr) != 0) {
        goto out;
    }
    vflash_weak_init(m, len, dev_size, VFLASH_WEAK_MAP_REGIONS, true);
    rc = 0;
out:
    pthread_mutexattr_destroy(&attr);
    return rc;
}

/* Whether the header fits a map of len bytes serving a device of dev_size bytes. */
static bool vflash_weak_header_ok(const struct vflash_weak_map *m, uint64_t len, uint32_t dev_size)
{
    uint64_t end;

    if (m->magic != VFLASH_WEAK_MAGIC || m->version != VFLASH_WEAK_VERSION || m->size != len ||
        m->dev_size != dev_size || m->max_regions == 0 ||
        m->max_regions >
            (len - offsetof(struct vflash_weak_map, regions)) / sizeof(struct vflash_weak_region)) {
        return false;
    }
    end = vflash_weak_table_end(m->max_regions);
    return m->arena_cap == len - end && m->arena_used <= m->arena_cap && m->count <= m->max_regions;
}

/* Whether every region of the table lies inside the device and the used arena. */
static bool vflash_weak_regions_ok(const struct vflash_weak_map *m)
{
    for (uint32_t i = 0; i < m->count; i++) {
        const struct vflash_weak_region *r = &m->regions[i];

        if (r->len == 0 || r->off > m->dev_size || r->len > m->dev_size - r->off ||
            r->unstable > r->len || r->data > m->arena_used ||
            2 * (uint64_t)r->len > m->arena_used - r->data) {
            return false;
        }
    }
    return true;
}

/* Drops every region. */
static void vflash_weak_reset(struct vflash_weak_map *m)
{
    m->count = 0;
    m->arena_used = 0;
    m->dirty = 0;
}

/*
 * Takes the map for one use: locks a shared map and checks it (settling everything when a
 * holder died in the middle of a change or the checks fail). NULL when there is no map.
 */
static struct vflash_weak_map *vflash_weak_enter(struct vflash_weak_set *set, uint32_t dev_size)
{
    struct vflash_weak_map *m = set->map;
    int rc;

    if (m == NULL || !m->shared || set->own) {
        return m;
    }
    rc = pthread_mutex_lock(&m->lock);
    if (rc == EOWNERDEAD) {
        pthread_mutex_consistent(&m->lock);
        if (m->dirty) {
            vflash_weak_reset(m);
        }
    } else if (rc != 0) {
        return NULL;
    }
    if (!vflash_weak_header_ok(m, set->len, dev_size)) {
        /* The header itself is wrong: nothing in the map can be trusted, not even its size. */
        pthread_mutex_unlock(&m->lock);
        return NULL;
    }
    if (!vflash_weak_regions_ok(m)) {
        vflash_weak_reset(m);
    }
    return m;
}

static void vflash_weak_leave(struct vflash_weak_set *set, struct vflash_weak_map *m)
{
    if (m != NULL && m->shared && !set->own) {
        pthread_mutex_unlock(&m->lock);
    }
}

int vflash_weak_attach(struct vflash_weak_set *set, void *map, size_t len, uint32_t dev_size)
{
    struct vflash_weak_map *m = map;

    if (set == NULL || m == NULL || len < offsetof(struct vflash_weak_map, regions) || !m->shared ||
        !vflash_weak_header_ok(m, len, dev_size)) {
        return BO_EINVAL;
    }
    vflash_weak_free(set);
    set->map = m;
    set->len = len;
    set->own = false;
    return 0;
}

void vflash_weak_free(struct vflash_weak_set *set)
{
    if (set->own) {
        free(set->map);
    }
    set->map = NULL;
    set->len = 0;
    set->own = false;
}

/* The intersection of [a, a + n) with [b, b + m) in *lo and *hi; false when empty. */
static bool vflash_weak_overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m, uint64_t *lo,
                                uint64_t *hi)
{
    *lo = a > b ? a : b;
    *hi = a + n < b + m ? a + n : b + m;
    return *lo < *hi;
}

/* Removes region i: its bytes leave the arena (packed again), the table keeps its order. */
static void vflash_weak_remove(struct vflash_weak_map *m, uint32_t i)
{
    uint8_t *arena = vflash_weak_arena(m);
    uint64_t data = m->regions[i].data;
    uint64_t bytes = 2 * (uint64_t)m->regions[i].len;

    memmove(arena + data, arena + data + bytes, (size_t)(m->arena_used - data - bytes));
    m->arena_used -= bytes;
    for (uint32_t j = 0; j < m->count; j++) {
        if (m->regions[j].data > data) {
            m->regions[j].data -= bytes;
        }
    }
    memmove(&m->regions[i], &m->regions[i + 1],
            (m->count - i - 1) * sizeof(struct vflash_weak_region));
    m->count--;
}

/* A heap map of at least max_regions entries and arena bytes holding the regions of old. */
static int vflash_weak_grow(struct vflash_weak_set *set, uint32_t dev_size, uint64_t need)
{
    struct vflash_weak_map *old = set->map;
    struct vflash_weak_map *m;
    uint32_t regions = VFLASH_WEAK_HEAP_REGIONS;
    uint64_t arena = VFLASH_WEAK_HEAP_ARENA;
    uint64_t used = 0;
    uint64_t len;

    if (old != NULL) {
        regions = old->count < old->max_regions ? old->max_regions : 2 * old->max_regions;
        arena = old->arena_cap;
        used = old->arena_used;
    }
    while (arena - used < need) {
        arena *= 2;
    }
    len = vflash_weak_table_end(regions) + arena;
    if (len > SIZE_MAX || regions > UINT32_MAX / 2) {
        return BO_ENOMEM;
    }
    m = calloc(1, (size_t)len);
    if (m == NULL) {
        return BO_ENOMEM;
    }
    vflash_weak_init(m, len, dev_size, regions, false);
    if (old != NULL) {
        m->count = old->count;
        m->arena_used = old->arena_used;
        memcpy(m->regions, old->regions, old->count * sizeof(struct vflash_weak_region));
        memcpy(vflash_weak_arena(m), vflash_weak_arena(old), (size_t)old->arena_used);
    }
    vflash_weak_free(set);
    set->map = m;
    set->len = (size_t)len;
    set->own = true;
    return 0;
}

int vflash_weak_add(struct vflash_weak_set *set, const uint8_t *mem, uint32_t dev_size,
                    uint32_t off, const uint8_t *old, uint32_t len, uint64_t seed)
{
    struct vflash_weak_map *m;
    struct vflash_weak_region *r;
    uint32_t unstable = 0;
    uint8_t *bytes;
    int rc = 0;

    for (uint32_t i = 0; i < len; i++) {
        if (old[i] != mem[off + i]) {
            unstable++;
        }
    }
    if (unstable == 0) {
        return 0;
    }
    if (set->map == NULL || set->own) {
        m = set->map;
        if (m == NULL || m->count == m->max_regions ||
            m->arena_cap - m->arena_used < 2 * (uint64_t)len) {
            rc = vflash_weak_grow(set, dev_size, 2 * (uint64_t)len);
            if (rc < 0) {
                return rc;
            }
        }
    }
    m = vflash_weak_enter(set, dev_size);
    if (m == NULL) {
        return BO_ENOMEM;
    }
    if (m->count == m->max_regions || m->arena_cap - m->arena_used < 2 * (uint64_t)len) {
        rc = BO_ENOMEM;
        goto out;
    }
    m->dirty = 1;
    r = &m->regions[m->count];
    memset(r, 0, sizeof(*r));
    r->off = off;
    r->len = len;
    r->unstable = unstable;
    r->data = m->arena_used;
    vflash_prng_seed(&r->prng, vflash_prng_derive(seed, VFLASH_WEAK_TAG));
    bytes = vflash_weak_arena(m) + r->data;
    memcpy(bytes, old, len);
    memcpy(bytes + len, mem + off, len);
    m->arena_used += 2 * (uint64_t)len;
    m->count++;
    m->dirty = 0;
out:
    vflash_weak_leave(set, m);
    return rc;
}

void vflash_weak_settle(struct vflash_weak_set *set, const uint8_t *mem, uint32_t dev_size,
                        uint32_t off, uint32_t len)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);
    uint32_t i = 0;

    if (m == NULL) {
        return;
    }
    while (i < m->count) {
        struct vflash_weak_region *r = &m->regions[i];
        uint8_t *old = vflash_weak_arena(m) + r->data;
        uint8_t *intended = old + r->len;
        uint64_t lo;
        uint64_t hi;

        if (!vflash_weak_overlap(off, len, r->off, r->len, &lo, &hi)) {
            i++;
            continue;
        }
        m->dirty = 1;
        for (uint64_t a = lo; a < hi; a++) {
            uint32_t k = (uint32_t)(a - r->off);

            if (old[k] != intended[k]) {
                r->unstable--;
            }
            old[k] = mem[a];
            intended[k] = mem[a];
        }
        if (r->unstable == 0) {
            vflash_weak_remove(m, i);
        } else {
            i++;
        }
        m->dirty = 0;
    }
    vflash_weak_leave(set, m);
}

uint64_t vflash_weak_read(struct vflash_weak_set *set, uint32_t dev_size, uint32_t off,
                          uint8_t *dst, uint32_t len)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);
    uint64_t touched = 0;

    if (m == NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < m->count; i++) {
        struct vflash_weak_region *r = &m->regions[i];
        const uint8_t *old = vflash_weak_arena(m) + r->data;
        const uint8_t *intended = old + r->len;
        struct vflash_prng_bytes rnd;
        uint64_t lo;
        uint64_t hi;

        if (!vflash_weak_overlap(off, len, r->off, r->len, &lo, &hi)) {
            continue;
        }
        touched++;
        vflash_prng_bytes_init(&rnd, &r->prng);
        for (uint64_t a = lo; a < hi; a++) {
            uint32_t k = (uint32_t)(a - r->off);

            dst[a - off] ^= (uint8_t)(vflash_prng_bytes_next(&rnd) & (old[k] ^ intended[k]));
        }
    }
    vflash_weak_leave(set, m);
    return touched;
}

bool vflash_weak_overlaps(struct vflash_weak_set *set, uint32_t dev_size, uint32_t off,
                          uint32_t len)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);
    bool any = false;

    if (m == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < m->count && !any; i++) {
        uint64_t lo;
        uint64_t hi;

        any = vflash_weak_overlap(off, len, m->regions[i].off, m->regions[i].len, &lo, &hi);
    }
    vflash_weak_leave(set, m);
    return any;
}

size_t vflash_weak_count(struct vflash_weak_set *set, uint32_t dev_size)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);
    size_t n;

    if (m == NULL) {
        return 0;
    }
    n = m->count;
    vflash_weak_leave(set, m);
    return n;
}

int vflash_weak_get(struct vflash_weak_set *set, uint32_t dev_size, size_t i,
                    struct vflash_weak_info *info)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);
    int rc = BO_ERANGE;

    if (m == NULL) {
        return BO_ERANGE;
    }
    if (i < m->count) {
        const struct vflash_weak_region *r = &m->regions[i];

        info->off = r->off;
        info->len = r->len;
        info->old = vflash_weak_arena(m) + r->data;
        info->intended = info->old + r->len;
        info->unstable = r->unstable;
        rc = 0;
    }
    vflash_weak_leave(set, m);
    return rc;
}

void vflash_weak_clear(struct vflash_weak_set *set, uint32_t dev_size)
{
    struct vflash_weak_map *m = vflash_weak_enter(set, dev_size);

    if (m == NULL) {
        return;
    }
    vflash_weak_reset(m);
    vflash_weak_leave(set, m);
}
