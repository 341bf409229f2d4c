/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fuzz_common.h
 * \brief What every fuzz harness shares: one-time process set-up (Mbed TLS platform, a seeded
 *        RNG, a silent log sink), the repository root, fixture keys, an input reader and the
 *        oracle check that aborts with a message.
 *
 * Harnesses are LLVMFuzzerTestOneInput() functions built three ways (AFL++, libFuzzer, a
 * replay main; see mk/fuzz.mk). Everything here is deterministic: the RNG is seeded with a
 * constant, so the same input always takes the same path (AFL++ stability).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/keys.h"
#include "port_rng.h"

/** The libFuzzer entry point every harness defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * The one-time set-up every harness defines: AFL++'s driver calls it before its fork server
 * starts, libFuzzer and the replay main before the first input. Everything a harness caches
 * is built here, so that an input's coverage never depends on the inputs run before it.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/**
 * \brief Sets up the process once (later calls do nothing): Mbed TLS platform, the seeded RNG,
 *        log lines dropped (FUZZ_VERBOSE=1 in the environment keeps them on stderr).
 *        Aborts when set-up fails: a harness that cannot start must not report "no crash".
 */
void fuzz_setup_once(void);

/** \brief The deterministic RNG of the process (after fuzz_setup_once()). */
struct port_rng *fuzz_rng(void);

/**
 * \brief The repository root: $BROWNOUT_ROOT, else the directory the harness was built from.
 */
const char *fuzz_root(void);

/**
 * \brief Loads ROOT/fixtures/keys/NAME into k (initialised here). Aborts on failure.
 */
void fuzz_load_key(struct keys_key *k, const char *name);

/**
 * \brief Checks an oracle: when cond is false, prints "fuzz oracle: what" and aborts, so the
 *        fuzzer records the input as a crash.
 */
void fuzz_check(bool cond, const char *what);

/** A cursor over the fuzz input. Reads past the end return zeros. */
struct fuzz_in {
    const uint8_t *data;
    size_t len;
    size_t pos;
};

/** \brief Starts reading data. */
void fuzz_in_init(struct fuzz_in *in, const uint8_t *data, size_t len);

/** \brief The next byte (0 past the end). */
uint8_t fuzz_u8(struct fuzz_in *in);

/** \brief The next little-endian 16-bit value. */
uint16_t fuzz_u16(struct fuzz_in *in);

/** \brief The next little-endian 32-bit value. */
uint32_t fuzz_u32(struct fuzz_in *in);

/** \brief The next little-endian 64-bit value. */
uint64_t fuzz_u64(struct fuzz_in *in);

/** \brief Bytes left. */
size_t fuzz_left(const struct fuzz_in *in);

/** \brief Skips n bytes (at most to the end). */
void fuzz_skip(struct fuzz_in *in, size_t n);

/** \brief The unread bytes (NULL when none). */
const uint8_t *fuzz_rest(const struct fuzz_in *in);

#endif /* FUZZ_COMMON_H */
