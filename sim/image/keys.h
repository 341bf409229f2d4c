/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file keys.h
 * \brief Signing keys of the image tool: load PEM or DER files, generate, write PEM, and build
 *        the key table struct image_validate_config wants.
 *
 * A key's public part is kept in the form imgtool embeds in images (and hashes for KEYHASH):
 * SubjectPublicKeyInfo DER for ECDSA keys, PKCS#1 RSAPublicKey DER for RSA keys.
 */
#ifndef SIM_KEYS_H
#define SIM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbedtls/pk.h"

#include "boot/image_validate.h"

#define KEYS_PUB_DER_MAX 600u /**< Room for the public DER of the largest key (RSA-3072). */
#define KEYS_ERR_MAX 256u     /**< Room for a one-line error message. */

/** A key: the Mbed TLS object, its type and its public DER. */
struct keys_key {
    mbedtls_pk_context pk;
    enum image_key_type type;
    bool is_private; /**< The private half is loaded (signing possible). */
    uint8_t pub_der[KEYS_PUB_DER_MAX];
    uint32_t pub_der_len;
};

/** A set of trusted keys and the table that points into it. */
struct keys_table {
    struct keys_key *keys;
    struct image_key *table; /**< count entries, for struct image_validate_config. */
    size_t count;
};

/** \brief Initialises k to an empty key. Cannot fail. */
void keys_init(struct keys_key *k);

/** \brief Releases k. Safe after keys_init(), and more than once. */
void keys_free(struct keys_key *k);

/**
 * \brief Loads a private or public key, PEM or DER, from path.
 *
 * \param k       Initialised key; on success holds the key.
 * \param path    The file.
 * \param f_rng   RNG used by Mbed TLS while it checks a private key (port_rng_random).
 * \param p_rng   Its context.
 * \param err     Receives a one-line reason on failure (may be NULL).
 * \param errlen  Room at err.
 * \return 0; BO_EOS (cannot read), BO_EINVAL (not a key), BO_ENOTSUP (not one of the four types),
 *         BO_ENOMEM.
 */
int keys_load(struct keys_key *k, const char *path, int (*f_rng)(void *, unsigned char *, size_t),
              void *p_rng, char *err, size_t errlen);

/**
 * \brief Parses a private or public key, PEM or DER, from memory (PEM needs no terminator).
 * \return As keys_load(), without BO_EOS.
 */
int keys_parse(struct keys_key *k, const uint8_t *data, size_t len,
               int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err,
               size_t errlen);

/**
 * \brief Generates a key of type.
 * \return 0; BO_EINVAL for IMAGE_KEY_NONE; BO_ECRYPTO; BO_ENOMEM.
 */
int keys_generate(struct keys_key *k, enum image_key_type type,
                  int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

/**
 * \brief Writes the private key as PEM to path (created with mode 0600, replaced if present).
 * \return 0; BO_EINVAL when k has no private part; BO_ECRYPTO; BO_EOS.
 */
int keys_write_private_pem(const struct keys_key *k, const char *path, char *err, size_t errlen);

/**
 * \brief Writes the public key as SubjectPublicKeyInfo PEM to path.
 * \return 0; BO_ECRYPTO; BO_EOS.
 */
int keys_write_public_pem(const struct keys_key *k, const char *path, char *err, size_t errlen);

/**
 * \brief Encodes the public key as SubjectPublicKeyInfo PEM into buf (NUL-terminated).
 * \return 0 or BO_ECRYPTO (including a buffer too small).
 */
int keys_public_pem(const struct keys_key *k, char *buf, size_t size);

/** \brief The tool's name of a key type: "ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072". */
const char *keys_type_name(enum image_key_type type);

/** \brief The key type of a name (imgtool's "ecdsa-p256" etc.), or IMAGE_KEY_NONE. */
enum image_key_type keys_type_from_name(const char *name);

/** \brief The key as an entry of a key table (pointing into k). */
void keys_to_image_key(const struct keys_key *k, struct image_key *out);

/**
 * \brief Loads each of paths as a trusted key.
 * \return 0 with t filled; an error of keys_load() (t is then empty); BO_ENOMEM.
 */
int keys_table_load(struct keys_table *t, const char *const *paths, size_t n,
                    int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err,
                    size_t errlen);

/** \brief Releases t. Safe on a zeroed table, and more than once. */
void keys_table_free(struct keys_table *t);

#endif /* SIM_KEYS_H */
