/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keys of the sweep's memo (see sweep_memo.h): a 128-bit hash of a flash state, kept per
 * sector so that a key costs the sectors written since the last one, not the whole flash.
 */
#include "sweep/sweep_memo.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

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

static void sweep_memo_put(void *ctx, const void *data, size_t len)
{
    sweep_memo_hash_bytes(ctx, data, len);
}

/* The ECC map bytes of sector i (its units start on a byte of the map: checked at setup). */
static void sweep_memo_sector_ecc(const struct vflash *d, uint32_t i, size_t *off, size_t *len)
{
    uint32_t wu = d->geom.write_unit;

    *off = d->sectors[i].off / wu / 8;
    *len = ((size_t)d->sectors[i].size / wu + 7) / 8;
}

/* Whether every sector's ECC bits start on a byte boundary of the map (else no cache). */
static bool sweep_memo_ecc_aligned(const struct vflash *d)
{
    uint32_t i;

    for (i = 0; d->ecc_map != NULL && i < d->sector_count; i++) {
        if ((d->sectors[i].off / d->geom.write_unit) % 8 != 0 ||
            (d->sectors[i].size / d->geom.write_unit) % 8 != 0) {
            return false;
        }
    }
    return true;
}

int sweep_memo_cache_setup(struct sweep_memo_cache *c, const struct port_flash_map *map)
{
    uint32_t i;

    memset(c, 0, sizeof(*c));
    c->count = map->device_count;
    for (i = 0; i < map->device_count; i++) {
        const struct vflash *d = map->devices[i];
        struct sweep_memo_sums *s = &c->dev[i];

        s->n = d->sector_count;
        s->sum = calloc(s->n, sizeof(*s->sum));
        s->dirty = malloc(s->n);
        if (s->sum == NULL || s->dirty == NULL) {
            sweep_memo_cache_free(c);
            return BO_ENOMEM;
        }
        s->off = !sweep_memo_ecc_aligned(d);
        memset(s->dirty, 1, s->n);
    }
    return 0;
}

void sweep_memo_cache_free(struct sweep_memo_cache *c)
{
    uint32_t i;

    for (i = 0; i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        free(c->dev[i].sum);
        free(c->dev[i].dirty);
    }
    memset(c, 0, sizeof(*c));
}

void sweep_memo_cache_touch(struct sweep_memo_cache *c, uint32_t dev, const struct vflash *d,
                            const struct vflash_op *op)
{
    const uint64_t end = (uint64_t)op->off + op->len;
    struct sweep_memo_sums *s;
    uint32_t i;

    if (c == NULL || dev >= c->count) {
        return;
    }
    s = &c->dev[dev];
    for (i = op->sector; i < s->n && i < d->sector_count && d->sectors[i].off < end; i++) {
        s->dirty[i] = 1;
    }
}

void sweep_memo_cache_reset(struct sweep_memo_cache *c)
{
    uint32_t i;

    for (i = 0; c != NULL && i < c->count; i++) {
        memset(c->dev[i].dirty, 1, c->dev[i].n);
    }
}

/* Brings the sums of device d's dirty sectors up to date. */
static void sweep_memo_sums_update(const struct vflash *d, struct sweep_memo_sums *s)
{
    struct sweep_memo_hash one;
    struct sweep_memo_key k;
    size_t eoff;
    size_t elen;
    uint32_t i;

    for (i = 0; i < s->n; i++) {
        if (!s->dirty[i]) {
            continue;
        }
        sweep_memo_hash_init(&one);
        sweep_memo_hash_bytes(&one, d->mem + d->sectors[i].off, d->sectors[i].size);
        if (d->ecc_map != NULL) {
            sweep_memo_sector_ecc(d, i, &eoff, &elen);
            sweep_memo_hash_bytes(&one, d->ecc_map + eoff, elen);
        }
        sweep_memo_hash_end(&one, &k);
        s->sum[i][0] = k.h[0];
        s->sum[i][1] = k.h[1];
        s->dirty[i] = 0;
    }
}

/* Whether s holds usable sums for device d. */
static bool sweep_memo_sums_usable(const struct vflash *d, const struct sweep_memo_sums *s)
{
    return s != NULL && !s->off && s->n == d->sector_count;
}

void sweep_memo_cache_refresh(struct sweep_memo_cache *c, const struct port_flash_map *map)
{
    uint32_t i;

    for (i = 0; c != NULL && i < c->count && i < map->device_count; i++) {
        if (sweep_memo_sums_usable(map->devices[i], &c->dev[i])) {
            sweep_memo_sums_update(map->devices[i], &c->dev[i]);
        }
    }
}

/* Folds device d's contents and ECC map into h, from its sector sums where it has them. */
static void sweep_memo_key_dev(struct sweep_memo_hash *h, const struct vflash *d,
                               struct sweep_memo_sums *s)
{
    if (!sweep_memo_sums_usable(d, s)) {
        sweep_memo_hash_bytes(h, d->mem, d->size);
        if (d->ecc_map != NULL) {
            sweep_memo_hash_bytes(h, d->ecc_map, vflash_ecc_map_size(&d->geom));
        }
        return;
    }
    sweep_memo_sums_update(d, s);
    sweep_memo_hash_bytes(h, s->sum, (size_t)s->n * sizeof(*s->sum));
}

bool sweep_memo_key(const struct port_flash_map *map, struct sweep_memo_cache *c,
                    enum sweep_memo_kind kind, const void *extra, size_t extra_len,
                    struct sweep_memo_key *k)
{
    struct sweep_memo_hash h;
    uint64_t head[3] = { (uint64_t)kind, map->device_count, extra_len };
    uint32_t i;

    sweep_memo_hash_init(&h);
    sweep_memo_hash_bytes(&h, head, sizeof(head));
    for (i = 0; i < map->device_count; i++) {
        if (!vflash_fault_digest(map->devices[i], sweep_memo_put, &h)) {
            /* Weak regions settle outside the operations that touch them: drop every sum. */
            sweep_memo_cache_reset(c);
            return false;
        }
    }
    for (i = 0; i < map->device_count; i++) {
        sweep_memo_key_dev(&h, map->devices[i], c != NULL && i < c->count ? &c->dev[i] : NULL);
    }
    if (extra_len > 0) {
        sweep_memo_hash_bytes(&h, extra, extra_len);
    }
    sweep_memo_hash_end(&h, k);
    return true;
}

void sweep_memo_key_buf(enum sweep_memo_kind kind, const void *data, size_t len,
                        struct sweep_memo_key *k)
{
    struct sweep_memo_hash h;
    uint64_t head[2] = { (uint64_t)kind, len };

    sweep_memo_hash_init(&h);
    sweep_memo_hash_bytes(&h, head, sizeof(head));
    sweep_memo_hash_bytes(&h, data, len);
    sweep_memo_hash_end(&h, k);
}
