/* SPDX-License-Identifier: Apache-2.0 */
/* The fault models' deterministic generator: xoshiro256** seeded through splitmix64. */
#include "vflash/vflash_prng.h"

/* The 64-bit golden ratio constant used by splitmix64 and for stream tags. */
#define VFLASH_PRNG_PHI 0x9e3779b97f4a7c15ull

uint64_t vflash_prng_splitmix64(uint64_t *x)
{
    uint64_t z;

    *x += VFLASH_PRNG_PHI;
    z = *x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void vflash_prng_seed(struct vflash_prng *p, uint64_t seed)
{
    uint64_t x = seed;

    for (int i = 0; i < 4; i++) {
        p->s[i] = vflash_prng_splitmix64(&x);
    }
}

uint64_t vflash_prng_derive(uint64_t seed, uint64_t tag)
{
    uint64_t x = seed ^ (tag * VFLASH_PRNG_PHI);

    return vflash_prng_splitmix64(&x);
}

static uint64_t vflash_prng_rotl(uint64_t v, int k)
{
    return (v << k) | (v >> (64 - k));
}

uint64_t vflash_prng_next(struct vflash_prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = vflash_prng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = vflash_prng_rotl(s[3], 45);
    return result;
}

uint64_t vflash_prng_below(struct vflash_prng *p, uint64_t n)
{
    uint64_t floor;
    uint64_t r;

    if (n == 0) {
        return 0;
    }
    /* 2^64 mod n: drawing below it would favour the small residues. */
    floor = (0 - n) % n;
    do {
        r = vflash_prng_next(p);
    } while (r < floor);
    return r % n;
}

void vflash_prng_bytes_init(struct vflash_prng_bytes *b, struct vflash_prng *p)
{
    b->prng = p;
    b->bits = 0;
    b->left = 0;
}

uint8_t vflash_prng_bytes_next(struct vflash_prng_bytes *b)
{
    uint8_t v;

    if (b->left == 0) {
        b->bits = vflash_prng_next(b->prng);
        b->left = 8;
    }
    v = (uint8_t)b->bits;
    b->bits >>= 8;
    b->left--;
    return v;
}
