/* SPDX-License-Identifier: Apache-2.0 */
/* CTR_DRBG seeded only from the port's entropy source. */
#include "port_rng.h"

#include <string.h>

#include "bo_err.h"

void port_rng_init(struct port_rng *rng)
{
    port_entropy_init(&rng->source);
    mbedtls_entropy_init(&rng->entropy);
    mbedtls_ctr_drbg_init(&rng->drbg);
}

int port_rng_setup(struct port_rng *rng, const char *pers)
{
    size_t pers_len = pers != NULL ? strlen(pers) : 0;
    int rc = port_entropy_register(&rng->source, &rng->entropy);

    if (rc < 0) {
        goto out;
    }
    rc = mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy,
                               (const unsigned char *)pers, pers_len);
    if (rc == MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED ||
        rc == MBEDTLS_ERR_ENTROPY_SOURCE_FAILED || rc == MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE) {
        rc = BO_EENTROPY;
    } else if (rc != 0) {
        rc = BO_ECRYPTO;
    }
out:
    return rc;
}

void port_rng_free(struct port_rng *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    mbedtls_entropy_free(&rng->entropy);
}

int port_rng_random(void *p_rng, unsigned char *output, size_t len)
{
    struct port_rng *rng = p_rng;

    return mbedtls_ctr_drbg_random(&rng->drbg, output, len);
}
