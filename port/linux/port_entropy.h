/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_entropy.h
 * \brief The port's entropy source for Mbed TLS (MBEDTLS_NO_PLATFORM_ENTROPY is set).
 *
 * In system mode it reads getrandom(2), falling back to /dev/urandom when the kernel lacks the
 * call; in seeded mode it produces a deterministic stream from a 64-bit seed (SHA-256 of the seed
 * and a block counter), so tests and fuzz harnesses replay exactly; in failing mode every poll
 * fails. It is registered as a STRONG source, so a failure makes the DRBG seeding or reseeding
 * fail with an error: Mbed TLS never falls back to weaker input.
 */
#ifndef PORT_ENTROPY_H
#define PORT_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

#include "mbedtls/entropy.h"

enum port_entropy_mode {
    PORT_ENTROPY_SYSTEM = 0, /**< getrandom(2), then /dev/urandom. */
    PORT_ENTROPY_SEEDED,     /**< Deterministic from seed; for tests and fuzzing only. */
    PORT_ENTROPY_FAILING,    /**< Every poll fails; for tests of the error path. */
};

struct port_entropy {
    enum port_entropy_mode mode;
    uint64_t seed;          /**< Seeded mode: the seed. */
    uint64_t block;         /**< Seeded mode: index of the next 32-byte block. */
    unsigned char buf[32];  /**< Seeded mode: the current block. */
    size_t buf_used;        /**< Seeded mode: bytes of buf already handed out. */
    unsigned long polls;    /**< Polls served, failed ones included. */
    unsigned long failures; /**< Polls that failed. */
};

/** \brief Initialises a source in system mode. Cannot fail. */
void port_entropy_init(struct port_entropy *src);

/** \brief Switches to seeded (deterministic) mode from the start of seed's stream. */
void port_entropy_set_seed(struct port_entropy *src, uint64_t seed);

/** \brief Switches to failing mode: every later poll returns an error. */
void port_entropy_set_failing(struct port_entropy *src);

/**
 * \brief The poll function (mbedtls_entropy_f_source_ptr); data is a struct port_entropy.
 * \return 0 with *olen = len, or MBEDTLS_ERR_ENTROPY_SOURCE_FAILED with *olen = 0.
 */
int port_entropy_poll(void *data, unsigned char *output, size_t len, size_t *olen);

/**
 * \brief Registers src with an Mbed TLS entropy context as a STRONG source (32-byte threshold).
 * \return 0, or BO_ECRYPTO when the context has no room for another source.
 */
int port_entropy_register(struct port_entropy *src, mbedtls_entropy_context *ctx);

#endif /* PORT_ENTROPY_H */
