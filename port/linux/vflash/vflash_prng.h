/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_prng.h
 * \brief The deterministic pseudo-random generator of the fault models: xoshiro256** seeded
 *        through splitmix64, the same sequence on every machine and compiler.
 *
 * Every random choice a fault model makes comes from one of these generators, seeded from a
 * uint64 seed that a sweep records and prints, so a run can be reproduced exactly.
 *
 * - Seeding: the four state words are four successive outputs of splitmix64 started at the
 *   seed (splitmix64: x += 0x9e3779b97f4a7c15; z = x; z = (z ^ (z >> 30)) *
 *   0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb; return z ^ (z >> 31)).
 * - Output: xoshiro256** (result = rotl(s1 * 5, 7) * 9, then the standard state update with
 *   t = s1 << 17 and a rotation of s3 by 45).
 * - Independent streams: vflash_prng_derive(seed, tag) gives the seed of stream `tag` of a
 *   seed, so enabling one fault does not shift the draws of another.
 */
#ifndef VFLASH_PRNG_H
#define VFLASH_PRNG_H

#include <stdint.h>

/** A generator state. Plain data: copy it to fork a stream. */
struct vflash_prng {
    uint64_t s[4];
};

/** \brief One splitmix64 step: advances *x and returns the next output. */
uint64_t vflash_prng_splitmix64(uint64_t *x);

/** \brief Seeds a generator (any seed, 0 included, gives a valid state). */
void vflash_prng_seed(struct vflash_prng *p, uint64_t seed);

/** \brief The seed of stream tag of seed: the first splitmix64 output from seed ^ (tag * phi). */
uint64_t vflash_prng_derive(uint64_t seed, uint64_t tag);

/** \brief The next 64 random bits. */
uint64_t vflash_prng_next(struct vflash_prng *p);

/**
 * \brief A uniform value in [0, n) without modulo bias (draws are rejected below 2^64 mod n).
 * \return The value, or 0 when n is 0 (no draw is made then).
 */
uint64_t vflash_prng_below(struct vflash_prng *p, uint64_t n);

/**
 * Random bytes drawn 8 per 64-bit output, least significant byte first. Start one with
 * vflash_prng_bytes_init() for each run of bytes: a new run always begins with a new output.
 */
struct vflash_prng_bytes {
    struct vflash_prng *prng; /**< The generator drawn from. */
    uint64_t bits;            /**< The bytes of the current output not used yet. */
    unsigned left;            /**< How many. */
};

/** \brief Starts a run of random bytes drawn from p. */
void vflash_prng_bytes_init(struct vflash_prng_bytes *b, struct vflash_prng *p);

/** \brief The next random byte of the run. */
uint8_t vflash_prng_bytes_next(struct vflash_prng_bytes *b);

#endif /* VFLASH_PRNG_H */
