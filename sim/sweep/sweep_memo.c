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

/*
 * The hash: four lanes, each word of input folded into one lane by xor, a multiplication by an
 * odd constant and a xor-shift. Each step is a bijection of the lane for a given word and of
 * the word for a given lane, so two inputs that differ in one word always leave that lane
 * different; the lanes are then mixed into 128 bits.
 */
struct sweep_memo_hash {
    uint64_t lane[4];
    uint64_t words;
};

static const uint64_t sweep_memo_mul[4] = {
    0x9e3779b97f4a7c15ull,
    0xc2b2ae3d27d4eb4full,
    0x165667b19e3779f9ull,
    0xd6e8feb86659fd93ull,
};

static inline uint64_t sweep_memo_step(uint64_t acc, uint64_t v, uint64_t mul)
{
    acc ^= v;
    acc *= mul;
    return acc ^ (acc >> 32);
}

static void sweep_memo_hash_init(struct sweep_memo_hash *h)
{
    h->lane[0] = 0x243f6a8885a308d3ull;
    h->lane[1] = 0x13198a2e03707344ull;
    h->lane[2] = 0xa4093822299f31d0ull;
    h->lane[3] = 0x082efa98ec4e6c89ull;
    h->words = 0;
}

/* Folds len bytes in; the lanes restart at lane 0 for every call (lengths are mixed in). */
static void sweep_memo_hash_bytes(struct sweep_memo_hash *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t a = h->lane[0];
    uint64_t b = h->lane[1];
    uint64_t c = h->lane[2];
    uint64_t d = h->lane[3];
    uint64_t w[4];
    uint64_t tail = 0;
    size_t i;

    for (i = 0; i + 32 <= len; i += 32) {
        memcpy(w, p + i, sizeof(w));
        a = sweep_memo_step(a, w[0], sweep_memo_mul[0]);
        b = sweep_memo_step(b, w[1], sweep_memo_mul[1]);
        c = sweep_memo_step(c, w[2], sweep_memo_mul[2]);
        d = sweep_memo_step(d, w[3], sweep_memo_mul[3]);
    }
    for (; i + 8 <= len; i += 8) {
        memcpy(&w[0], p + i, 8);
        a = sweep_memo_step(a, w[0], sweep_memo_mul[0]);
        a ^= a >> 29;
    }
    if (i < len) {
        memcpy(&tail, p + i, len - i);
    }
    b = sweep_memo_step(b, tail, sweep_memo_mul[1]);
    c = sweep_memo_step(c, (uint64_t)len, sweep_memo_mul[2]);
    h->lane[0] = a;
    h->lane[1] = b;
    h->lane[2] = c;
    h->lane[3] = d;
    h->words += len / 8 + 1;
}

static uint64_t sweep_memo_fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void sweep_memo_hash_end(const struct sweep_memo_hash *h, struct sweep_memo_key *k)
{
    const uint64_t *l = h->lane;

    k->h[0] = sweep_memo_fmix(
        l[0] ^ sweep_memo_fmix(l[1] ^ sweep_memo_fmix(l[2] ^ sweep_memo_fmix(l[3]))));
    k->h[1] = sweep_memo_fmix(
        l[3] + 3 * sweep_memo_fmix(
                       l[2] + 5 * sweep_memo_fmix(l[1] + 7 * sweep_memo_fmix(l[0] + h->words))));
}

int sweep_memo_setup(struct sweep_memo *m, size_t count)
{
    size_t n = 1;
    void *p;

    memset(m, 0, sizeof(*m));
    while (n < count) {
        n *= 2;
    }
    p = mmap(NULL, n * sizeof(*m->tab), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return BO_ENOMEM;
    }
    m->tab = p;
    m->count = n;
    m->map_len = n * sizeof(*m->tab);
    return 0;
}

void sweep_memo_free(struct sweep_memo *m)
{
    if (m->tab != NULL) {
        munmap(m->tab, m->map_len);
    }
    memset(m, 0, sizeof(*m));
}

bool sweep_memo_key(const struct port_flash_map *map, enum sweep_memo_kind kind, const void *extra,
                    size_t extra_len, struct sweep_memo_key *k)
{
    struct sweep_memo_hash h;
    uint64_t head[2] = { (uint64_t)kind, map->device_count };
    uint32_t i;

    for (i = 0; i < map->device_count; i++) {
        if (vflash_fault_weak_count(map->devices[i]) != 0) {
            return false;
        }
    }
    sweep_memo_hash_init(&h);
    sweep_memo_hash_bytes(&h, head, sizeof(head));
    for (i = 0; i < map->device_count; i++) {
        const struct vflash *d = map->devices[i];

        sweep_memo_hash_bytes(&h, d->mem, d->size);
        if (d->ecc_map != NULL) {
            sweep_memo_hash_bytes(&h, d->ecc_map, vflash_ecc_map_size(&d->geom));
        }
    }
    if (extra_len > 0) {
        sweep_memo_hash_bytes(&h, extra, extra_len);
    }
    sweep_memo_hash_end(&h, k);
    return true;
}

bool sweep_memo_find(struct sweep_memo *m, const struct sweep_memo_key *k,
                     enum sweep_memo_kind kind, int *rc, void *value, size_t len)
{
    size_t i;
    uint32_t p;

    if (m == NULL || m->tab == NULL || len > SWEEP_MEMO_VALUE_MAX) {
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

    if (m == NULL || m->tab == NULL || len > SWEEP_MEMO_VALUE_MAX) {
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
