/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared table of boots that write nothing (see sweep_memo.h): the flash-state hash, and
 * lookups and stores in shared memory with atomic publication.
 */
#include "sweep/sweep_memo.h"

#include <string.h>
#include <sys/mman.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

/* Entry states. */
#define SWEEP_MEMO_EMPTY 0u
#define SWEEP_MEMO_FILLING 1u
#define SWEEP_MEMO_READY 2u

/* Entries probed from a key's home slot before giving up. */
#define SWEEP_MEMO_PROBES 64u

struct sweep_memo_entry {
    uint32_t state; /* Atomic: EMPTY, FILLING (being written), READY (never changes). */
    uint32_t kind;
    uint64_t key[2];
    int32_t rc;
    uint32_t len;
    uint64_t value[SWEEP_MEMO_VALUE_MAX / 8];
};

/* Bytes before the entries: the shared counters, on a cache line of their own. */
#define SWEEP_MEMO_HEAD 64u

_Static_assert(SWEEP_MEMO_N_COUNT * sizeof(uint64_t) <= SWEEP_MEMO_HEAD, "the counters fit");

int sweep_memo_setup(struct sweep_memo *m, size_t count)
{
    size_t n = 1;
    uint8_t *p;

    memset(m, 0, sizeof(*m));
    while (n < count) {
        n *= 2;
    }
    m->map_len = SWEEP_MEMO_HEAD + n * sizeof(*m->tab);
    p = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        m->map_len = 0;
        return BO_ENOMEM;
    }
    m->counts = (uint64_t *)(void *)p;
    m->tab = (struct sweep_memo_entry *)(void *)(p + SWEEP_MEMO_HEAD);
    m->count = n;
    return 0;
}

void sweep_memo_free(struct sweep_memo *m)
{
    if (m->counts != NULL) {
        munmap(m->counts, m->map_len);
    }
    memset(m, 0, sizeof(*m));
}

void sweep_memo_count(struct sweep_memo *m, enum sweep_memo_counter which)
{
    if (m != NULL && m->counts != NULL && (unsigned)which < SWEEP_MEMO_N_COUNT) {
        __atomic_fetch_add(&m->counts[which], 1, __ATOMIC_RELAXED);
    }
}

bool sweep_memo_find(struct sweep_memo *m, const struct sweep_memo_key *k,
                     enum sweep_memo_kind kind, int *rc, void *value, size_t len)
{
    size_t i;
    uint32_t p;

    if (m == NULL || m->tab == NULL || m->off || len > SWEEP_MEMO_VALUE_MAX) {
        return false;
    }
    for (p = 0, i = (size_t)k->h[0] & (m->count - 1); p < SWEEP_MEMO_PROBES;
         p++, i = (i + 1) & (m->count - 1)) {
        struct sweep_memo_entry *e = &m->tab[i];
        uint32_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);

        if (st == SWEEP_MEMO_EMPTY) {
            return false;
        }
        if (st == SWEEP_MEMO_READY && e->key[0] == k->h[0] && e->key[1] == k->h[1] &&
            e->kind == (uint32_t)kind && e->len == len) {
            *rc = e->rc;
            memcpy(value, e->value, len);
            m->hits++;
            return true;
        }
    }
    return false;
}

void sweep_memo_add(struct sweep_memo *m, const struct sweep_memo_key *k, enum sweep_memo_kind kind,
                    int rc, const void *value, size_t len)
{
    size_t i;
    uint32_t p;

    if (m == NULL || m->tab == NULL || m->off || len > SWEEP_MEMO_VALUE_MAX) {
        return;
    }
    for (p = 0, i = (size_t)k->h[0] & (m->count - 1); p < SWEEP_MEMO_PROBES;
         p++, i = (i + 1) & (m->count - 1)) {
        struct sweep_memo_entry *e = &m->tab[i];
        uint32_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);

        if (st == SWEEP_MEMO_READY && e->key[0] == k->h[0] && e->key[1] == k->h[1] &&
            e->kind == (uint32_t)kind) {
            return;
        }
        if (st != SWEEP_MEMO_EMPTY ||
            !__atomic_compare_exchange_n(&e->state, &st, SWEEP_MEMO_FILLING, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            continue;
        }
        e->kind = (uint32_t)kind;
        e->key[0] = k->h[0];
        e->key[1] = k->h[1];
        e->rc = rc;
        e->len = (uint32_t)len;
        memcpy(e->value, value, len);
        __atomic_store_n(&e->state, SWEEP_MEMO_READY, __ATOMIC_RELEASE);
        m->stores++;
        return;
    }
}

uint64_t sweep_memo_read_faults(const struct port_flash_map *map)
{
    struct vflash_fault_stats st;
    uint64_t n = 0;
    uint32_t i;

    for (i = 0; i < map->device_count; i++) {
        vflash_fault_get_stats(map->devices[i], &st);
        n += st.read_flips + st.weak_reads;
    }
    return n;
}
