/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_validate.h
 * \brief Validation of an MCUboot image: the hash TLV against the image, the signature against a
 *        table of trusted keys the caller passes in, and the protected metadata (security
 *        counter, dependencies).
 *
 * The image is read once, in fixed-size chunks, through struct image_src; nothing is allocated
 * here (Mbed TLS allocates through its platform hooks while it parses a key and verifies).
 *
 * Rules, matching MCUboot's bootutil:
 * - the hash (SHA-256, or SHA-384 for ECDSA P-384 keys) covers header, payload and protected
 *   TLV area and must equal the one hash TLV of the TLV area;
 * - a signature TLV is checked against the key named by the KEYHASH or PUBKEY TLV just before
 *   it; KEYHASH is the hash (same algorithm as the image hash) of the key in the form imgtool
 *   embeds: SubjectPublicKeyInfo DER for ECDSA, PKCS#1 RSAPublicKey DER for RSA; PUBKEY is that
 *   DER itself. The image is signed when one signature verifies with a key of the table;
 * - an image that carries no signature TLV at all is accepted (on its hash) only when the
 *   configuration allows unsigned images; an image that carries a signature must be signed by a
 *   trusted key whatever the configuration (a signature that does not verify, or by a key
 *   nobody trusts, is never excused);
 * - SEC_CNT and DEPENDENCY must lie in the protected area; vendor TLVs (0x00a0..0xfffe) are
 *   ignored in both areas; any other unknown type in the unprotected area rejects the image.
 */
#ifndef BOOT_IMAGE_VALIDATE_H
#define BOOT_IMAGE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/image_src.h"

#define IMAGE_VALIDATE_HASH_MAX 48u /**< Longest image hash (SHA-384). */
#define IMAGE_VALIDATE_MAX_DEPS 4u  /**< Most DEPENDENCY TLVs an image may carry. */
#define IMAGE_VALIDATE_MAX_SIGS 4u  /**< Most key + signature pairs an image may carry. */

#ifndef IMAGE_VALIDATE_CHUNK_SIZE
/** Bytes hashed per read; also bounds the key and signature buffers (2 x 512). */
#define IMAGE_VALIDATE_CHUNK_SIZE 1024u
#endif

/** The signature algorithm of a key. */
enum image_key_type {
    IMAGE_KEY_NONE = 0,
    IMAGE_KEY_EC256 = 1,   /**< ECDSA P-256 with SHA-256, TLV ECDSA_SIG. */
    IMAGE_KEY_EC384 = 2,   /**< ECDSA P-384 with SHA-384, TLV ECDSA_SIG. */
    IMAGE_KEY_RSA2048 = 3, /**< RSA-2048 PSS (MGF1 SHA-256, salt 32), TLV RSA2048_PSS. */
    IMAGE_KEY_RSA3072 = 4, /**< RSA-3072 PSS (MGF1 SHA-256, salt 32), TLV RSA3072_PSS. */
};

/** A trusted public key. */
struct image_key {
    enum image_key_type type;
    const uint8_t *der; /**< SubjectPublicKeyInfo (ECDSA) or PKCS#1 RSAPublicKey (RSA) DER. */
    uint32_t der_len;   /**< At most 512 bytes. */
};

/** What the caller trusts and allows. */
struct image_validate_config {
    const struct image_key *keys; /**< The key table; may be NULL when key_count is 0. */
    uint32_t key_count;
    bool allow_unsigned; /**< Accept images without any signature TLV on their hash. */
};

/** Why validation failed (or IMAGE_VALIDATE_OK), for a one-line diagnosis. */
enum image_validate_reason {
    IMAGE_VALIDATE_OK = 0,
    IMAGE_VALIDATE_BAD_HEADER,    /**< Too short, bad magic, or sizes outside the slot. */
    IMAGE_VALIDATE_BAD_TLV_AREA,  /**< An area info is missing, wrong or out of bounds. */
    IMAGE_VALIDATE_BAD_TLV,       /**< A TLV runs out of its area, or is misplaced or mis-sized. */
    IMAGE_VALIDATE_NO_HASH,       /**< No hash TLV. */
    IMAGE_VALIDATE_DUP_HASH,      /**< More than one hash TLV. */
    IMAGE_VALIDATE_UNSUPPORTED,   /**< Encrypted, compressed, or an unsupported hash. */
    IMAGE_VALIDATE_HASH_MISMATCH, /**< The hash TLV does not match the image. */
    IMAGE_VALIDATE_UNSIGNED,      /**< No signature, and unsigned images are not allowed. */
    IMAGE_VALIDATE_UNTRUSTED,     /**< Signed, but by no key of the table. */
    IMAGE_VALIDATE_BAD_SIGNATURE, /**< A trusted key's signature does not verify. */
    IMAGE_VALIDATE_BAD_KEY,       /**< A key of the table does not parse as its type. */
    IMAGE_VALIDATE_READ_ERROR,    /**< The source could not be read. */
    IMAGE_VALIDATE_CRYPTO_ERROR,  /**< Mbed TLS failed (out of memory included). */
};

/** What validation found out about an image. */
struct image_validate_result {
    struct image_header hdr;
    struct image_layout layout;
    uint16_t hash_type;                    /**< IMAGE_TLV_SHA256 or IMAGE_TLV_SHA384. */
    uint8_t hash_len;                      /**< 32 or 48. */
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX]; /**< The computed (and matching) image hash. */
    bool has_sec_cnt;
    uint32_t sec_cnt; /**< Valid when has_sec_cnt. */
    uint32_t dep_count;
    struct image_dependency deps[IMAGE_VALIDATE_MAX_DEPS];
    int key_index;                     /**< Index in the key table of the signer; -1: none. */
    uint16_t sig_type;                 /**< The signature TLV type that verified; 0: none. */
    bool non_bootable;                 /**< The header has IMAGE_F_NON_BOOTABLE. */
    enum image_validate_reason reason; /**< IMAGE_VALIDATE_OK when 0 is returned. */
};

/**
 * \brief Validates the image in src.
 *
 * \param src  The slot or buffer holding the image (the image may be followed by padding and a
 *             trailer).
 * \param cfg  Trusted keys and policy.
 * \param res  Filled as far as validation got; complete when 0 is returned.
 * \return 0 when the image is well formed, its hash matches and it is signed by a trusted key
 *         (or unsigned images are allowed); BO_EBADIMAGE when it is malformed (bounds, magic,
 *         missing or duplicated hash TLV, TLV in the wrong area or of a wrong length);
 *         BO_EBADSIG when the hash does not match, no trusted key signs it, or a trusted key's
 *         signature fails; BO_ENOTSUP for encrypted or compressed images or an unsupported hash;
 *         BO_EINVAL for a bad argument or a key of the table that does not parse as its type;
 *         BO_ENOMEM when Mbed TLS runs out of memory; BO_ECRYPTO for other Mbed TLS failures;
 *         or the source's read error (BO_EIO, BO_EPOWER).
 */
int image_validate(const struct image_src *src, const struct image_validate_config *cfg,
                   struct image_validate_result *res);

/**
 * \brief Hashes the first len bytes of src with SHA-256 or SHA-384, in chunks.
 *
 * \param src        The source.
 * \param len        Bytes to hash from offset 0 (for an image: layout.prot_end).
 * \param hash_type  IMAGE_TLV_SHA256 or IMAGE_TLV_SHA384.
 * \param out        Receives 32 or 48 bytes.
 * \return 0; BO_EINVAL for another hash type; BO_EBADIMAGE when len exceeds the source; the
 *         source's read error; or BO_ECRYPTO.
 */
int image_validate_hash(const struct image_src *src, uint32_t len, uint16_t hash_type,
                        uint8_t out[IMAGE_VALIDATE_HASH_MAX]);

/**
 * \brief The key-hash of a public key as KEYHASH carries it: SHA-256 or SHA-384 of its DER.
 *
 * \return 0; BO_EINVAL for another hash type; or BO_ECRYPTO.
 */
int image_validate_key_hash(const uint8_t *der, uint32_t der_len, uint16_t hash_type,
                            uint8_t out[IMAGE_VALIDATE_HASH_MAX]);

/** \brief The hash TLV type a key type signs with: SHA384 for EC384, SHA256 otherwise. */
uint16_t image_validate_hash_type_of(enum image_key_type type);

/** \brief The signature TLV type of a key type (0 for IMAGE_KEY_NONE). */
uint16_t image_validate_sig_type_of(enum image_key_type type);

/** \brief A short constant description of a reason; never NULL. */
const char *image_validate_reason_str(enum image_validate_reason reason);

/** \brief The digest length of a hash TLV type: 32, 48, or 0 when unsupported. */
uint32_t image_validate_hash_len(uint16_t hash_type);

#endif /* BOOT_IMAGE_VALIDATE_H */
