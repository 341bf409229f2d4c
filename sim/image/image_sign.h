/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_sign.h
 * \brief `brownout image sign`: wrap a payload into an MCUboot image with the layout MCUboot's
 *        imgtool produces for the same options (only signature bytes differ).
 *
 * Layout written, as imgtool does it:
 * - the payload, preceded by header_size erased bytes with --pad-header (else its first
 *   header_size bytes must be zero and are replaced);
 * - the 32-byte header (RAM_LOAD flag when a load address is given, NON_BOOTABLE on request);
 * - protected TLVs when any: SEC_CNT, then one DEPENDENCY per dependency;
 * - the TLV area: the hash (SHA-256; SHA-384 for ECDSA P-384 keys), then KEYHASH (hash of the
 *   public key DER, same algorithm) or PUBKEY, then the signature;
 * - with --pad: erased bytes up to the slot size, the trailer magic in the last 16 bytes and,
 *   with --confirm (not with --overwrite-only), image_ok = 0x01.
 * With a slot size, image + imgtool's trailer size must fit in the slot.
 */
#ifndef SIM_IMAGE_SIGN_H
#define SIM_IMAGE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/image_validate.h"
#include "image/keys.h"

#define IMAGE_SIGN_DEFAULT_MAX_SECTORS 128u /**< imgtool's default for -M. */

/** Options of `sign`, with imgtool's meaning. */
struct image_sign_opts {
    struct keys_key *key;         /**< Signing key (private); NULL makes a hash-only image. */
    bool pubkey_full;             /**< --public-key-format full: PUBKEY instead of KEYHASH. */
    uint32_t header_size;         /**< -H: at least 32 and at most 65535. */
    bool pad_header;              /**< --pad-header. */
    uint32_t slot_size;           /**< -S: 0 when not given (no fit check, no --pad). */
    bool pad;                     /**< --pad. */
    bool confirm;                 /**< --confirm (implies pad). */
    uint32_t align;               /**< --align: 1, 2, 4, 8, 16 or 32. */
    uint32_t max_align;           /**< --max-align: 8, 16, 32, or 0 for max(8, align). */
    uint32_t max_sectors;         /**< -M: status entries; 0 for the default 128. */
    bool overwrite_only;          /**< --overwrite-only. */
    uint8_t erased_val;           /**< -R: 0xff or 0x00. */
    uint32_t load_addr;           /**< -L: non-zero sets RAM_LOAD. */
    bool non_bootable;            /**< --non-bootable. */
    struct image_version version; /**< -v. */
    bool has_sec_cnt;             /**< -s given. */
    uint32_t sec_cnt;             /**< -s value. */
    uint32_t dep_count;           /**< -d: number of dependencies. */
    struct image_dependency deps[IMAGE_VALIDATE_MAX_DEPS];
    int (*f_rng)(void *, unsigned char *, size_t); /**< RNG for signing (RSA PSS salt...). */
    void *p_rng;
};

/** \brief Fills o with imgtool's defaults (header 32, align 1, erased 0xff, version 0). */
void image_sign_opts_init(struct image_sign_opts *o);

/**
 * \brief Builds the image.
 *
 * \param o        Options.
 * \param in       The payload (the input file).
 * \param in_len   Its length.
 * \param out      Receives a malloc'd image (free() it).
 * \param out_len  Receives its length.
 * \param err      Receives a one-line reason on failure.
 * \param errlen   Room at err.
 * \return 0; BO_EINVAL for bad options or an input that does not fit; BO_ENOMEM; BO_ECRYPTO.
 */
int image_sign(const struct image_sign_opts *o, const uint8_t *in, size_t in_len, uint8_t **out,
               size_t *out_len, char *err, size_t errlen);

/**
 * \brief Parses an imgtool version "MAJOR[.MINOR[.REVISION]][+BUILD]".
 * \return 0 or BO_EINVAL (syntax, or a field too large for its width).
 */
int image_sign_parse_version(const char *s, struct image_version *v);

/**
 * \brief Parses imgtool's dependency list "(ID,VERSION)[, (ID,VERSION)...]".
 * \return 0 or BO_EINVAL (syntax, more than max entries, an id above 255).
 */
int image_sign_parse_deps(const char *s, struct image_dependency *deps, uint32_t max,
                          uint32_t *count);

/** \brief imgtool's "-s auto": (major << 24) + (minor << 16) + revision. */
uint32_t image_sign_auto_sec_cnt(const struct image_version *v);

#endif /* SIM_IMAGE_SIGN_H */
