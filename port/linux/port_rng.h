/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_rng.h
 * \brief A device's random number generator: CTR_DRBG over an entropy context fed only by the
 *        port's entropy source.
 *
 * Lifecycle as Mbed TLS: port_rng_init() cannot fail, port_rng_setup() may, port_rng_free() is
 * safe after init. Give port_rng_random and the rng to Mbed TLS as f_rng/p_rng.
 */
#ifndef PORT_RNG_H
#define PORT_RNG_H

#include <stddef.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "port_entropy.h"

struct port_rng {
    struct port_entropy source;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

/** \brief Initialises rng; its source is in system mode. Cannot fail. */
void port_rng_init(struct port_rng *rng);

/**
 * \brief Registers the source and seeds the DRBG.
 *
 * Set the source's mode (port_entropy_set_seed(), ...) between init and setup.
 * \param rng    An initialised rng.
 * \param pers   Personalisation string (a device name), or NULL.
 * \return       0, BO_EENTROPY when the source fails, BO_ECRYPTO on another Mbed TLS error.
 */
int port_rng_setup(struct port_rng *rng, const char *pers);

/** \brief Releases rng. Safe after init, and more than once. */
void port_rng_free(struct port_rng *rng);

/** \brief f_rng for Mbed TLS; p_rng is a struct port_rng. Returns 0 or an Mbed TLS error. */
int port_rng_random(void *p_rng, unsigned char *output, size_t len);

#endif /* PORT_RNG_H */
