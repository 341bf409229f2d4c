/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image validation: one pass over the TLVs to find what the image claims, one chunked pass over
 * header + payload + protected TLVs to hash it, then the signatures against the caller's keys.
 */
#include <stddef.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/pk.h"
#include "mbedtls/rsa.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

#include "bo_err.h"
#include "boot/image_validate.h"

#define IMAGE_VALIDATE_KEY_MAX 512u /* Longest key DER compared or parsed. */
#define IMAGE_VALIDATE_SIG_MAX 512u /* Longest signature verified. */
#define IMAGE_VALIDATE_PSS_SALT_LEN 32

#if IMAGE_VALIDATE_CHUNK_SIZE < 64
#error "IMAGE_VALIDATE_CHUNK_SIZE must be at least 64 bytes"
#endif

/* One work buffer: the hash pass and the signature pass never need it at the same time. */
union image_validate_buf {
    uint8_t chunk[IMAGE_VALIDATE_CHUNK_SIZE];
    struct {
        uint8_t key[IMAGE_VALIDATE_KEY_MAX];
        uint8_t sig[IMAGE_VALIDATE_SIG_MAX];
    } ks;
};

/* A signature TLV and the KEYHASH or PUBKEY TLV that named its key. */
struct image_validate_sig {
    struct image_tlv key;
    struct image_tlv sig;
};

/* What the TLV pass found; values are read later, once the hash is known to match. */
struct image_validate_scan {
    bool have_hash;
    struct image_tlv hash;
    bool have_sec_cnt;
    struct image_tlv sec_cnt;
    uint32_t dep_count;
    struct image_tlv deps[IMAGE_VALIDATE_MAX_DEPS];
    bool have_key;
    struct image_tlv key;
    uint32_t sig_count;
    struct image_validate_sig sigs[IMAGE_VALIDATE_MAX_SIGS];
    bool any_sig; /* Some signature TLV is present, paired with a key or not. */
    enum image_validate_reason reason; /* Why the walk failed. */
};

union image_validate_sha {
    mbedtls_sha256_context sha256;
    mbedtls_sha512_context sha512;
};

uint16_t image_validate_hash_type_of(enum image_key_type type)
{
    return type == IMAGE_KEY_EC384 ? IMAGE_TLV_SHA384 : IMAGE_TLV_SHA256;
}

uint16_t image_validate_sig_type_of(enum image_key_type type)
{
    switch (type) {
    case IMAGE_KEY_EC256:
    case IMAGE_KEY_EC384:
        return IMAGE_TLV_ECDSA_SIG;
    case IMAGE_KEY_RSA2048:
        return IMAGE_TLV_RSA2048_PSS;
    case IMAGE_KEY_RSA3072:
        return IMAGE_TLV_RSA3072_PSS;
    default:
        return 0;
    }
}

uint32_t image_validate_hash_len(uint16_t hash_type)
{
    switch (hash_type) {
    case IMAGE_TLV_SHA256:
        return 32;
    case IMAGE_TLV_SHA384:
        return 48;
    default:
        return 0;
    }
}

static bool image_validate_is_sig_type(uint16_t type)
{
    return type == IMAGE_TLV_ECDSA_SIG || type == IMAGE_TLV_RSA2048_PSS ||
           type == IMAGE_TLV_RSA3072_PSS || type == IMAGE_TLV_ECDSA224 ||
           type == IMAGE_TLV_ED25519 || type == IMAGE_TLV_SIG_PURE;
}

/* Mbed TLS adds a low-level code (bits 0..6) to a high-level one (bits 7..15). */
static bool image_validate_is_alloc_err(int ret)
{
    int high = -((-ret) & 0xff80);
    int low = -((-ret) & 0x007f);

    return high == MBEDTLS_ERR_PK_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           low == MBEDTLS_ERR_MPI_ALLOC_FAILED;
}

/* Compares without an early exit, so the time taken does not tell where a hash differs. */
static bool image_validate_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    uint8_t diff = 0;
    uint32_t i;

    for (i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

static int image_validate_sha_start(union image_validate_sha *sha, uint16_t hash_type)
{
    if (hash_type == IMAGE_TLV_SHA256) {
        mbedtls_sha256_init(&sha->sha256);
        return mbedtls_sha256_starts(&sha->sha256, 0);
    }
    mbedtls_sha512_init(&sha->sha512);
    return mbedtls_sha512_starts(&sha->sha512, 1);
}

static int image_validate_sha_update(union image_validate_sha *sha, uint16_t hash_type,
                                     const uint8_t *data, size_t len)
{
    if (hash_type == IMAGE_TLV_SHA256) {
        return mbedtls_sha256_update(&sha->sha256, data, len);
    }
    return mbedtls_sha512_update(&sha->sha512, data, len);
}

static int image_validate_sha_finish(union image_validate_sha *sha, uint16_t hash_type,
                                     uint8_t *out)
{
    if (hash_type == IMAGE_TLV_SHA256) {
        return mbedtls_sha256_finish(&sha->sha256, out);
    }
    return mbedtls_sha512_finish(&sha->sha512, out);
}

static void image_validate_sha_free(union image_validate_sha *sha, uint16_t hash_type)
{
    if (hash_type == IMAGE_TLV_SHA256) {
        mbedtls_sha256_free(&sha->sha256);
    } else {
        mbedtls_sha512_free(&sha->sha512);
    }
}

/* Hashes [0, len) of src through buf, one chunk per read. */
static int image_validate_hash_with(const struct image_src *src, uint32_t len, uint16_t hash_type,
                                    uint8_t *out, uint8_t *buf, uint32_t buf_size)
{
    union image_validate_sha sha;
    uint32_t off = 0;
    uint32_t n;
    int rc;

    if (image_validate_hash_len(hash_type) == 0) {
        return BO_EINVAL;
    }
    if (src == NULL || !image_src_range_ok(src->size, 0, len)) {
        return BO_EBADIMAGE;
    }
    rc = image_validate_sha_start(&sha, hash_type);
    if (rc != 0) {
        rc = BO_ECRYPTO;
        goto out;
    }
    while (off < len) {
        n = len - off < buf_size ? len - off : buf_size;
        rc = image_src_read(src, off, buf, n);
        if (rc < 0) {
            rc = rc == BO_ERANGE ? BO_EBADIMAGE : rc;
            goto out;
        }
        rc = image_validate_sha_update(&sha, hash_type, buf, n);
        if (rc != 0) {
            rc = BO_ECRYPTO;
            goto out;
        }
        off += n;
    }
    rc = image_validate_sha_finish(&sha, hash_type, out);
    if (rc != 0) {
        rc = BO_ECRYPTO;
    }
out:
    image_validate_sha_free(&sha, hash_type);
    return rc;
}

int image_validate_hash(const struct image_src *src, uint32_t len, uint16_t hash_type,
                        uint8_t out[IMAGE_VALIDATE_HASH_MAX])
{
    uint8_t buf[IMAGE_VALIDATE_CHUNK_SIZE];

    return image_validate_hash_with(src, len, hash_type, out, buf, sizeof(buf));
}

int image_validate_key_hash(const uint8_t *der, uint32_t der_len, uint16_t hash_type,
                            uint8_t out[IMAGE_VALIDATE_HASH_MAX])
{
    int rc;

    if (hash_type == IMAGE_TLV_SHA256) {
        rc = mbedtls_sha256(der, der_len, out, 0);
    } else if (hash_type == IMAGE_TLV_SHA384) {
        rc = mbedtls_sha512(der, der_len, out, 1);
    } else {
        return BO_EINVAL;
    }
    return rc == 0 ? 0 : BO_ECRYPTO;
}

/* Files one TLV of the walk into scan, rejecting what may not appear where it is. */
static int image_validate_scan_tlv(struct image_validate_scan *scan, const struct image_tlv *tlv)
{
    uint16_t t = tlv->type;

    if (tlv->prot) {
        if (t == IMAGE_TLV_SEC_CNT) {
            if (scan->have_sec_cnt || tlv->len != IMAGE_SEC_CNT_LEN) {
                return BO_EBADIMAGE;
            }
            scan->have_sec_cnt = true;
            scan->sec_cnt = *tlv;
        } else if (t == IMAGE_TLV_DEPENDENCY) {
            if (scan->dep_count == IMAGE_VALIDATE_MAX_DEPS || tlv->len != IMAGE_DEPENDENCY_LEN) {
                return BO_EBADIMAGE;
            }
            scan->deps[scan->dep_count++] = *tlv;
        } else if (t == IMAGE_TLV_KEYHASH || t == IMAGE_TLV_PUBKEY ||
                   image_validate_hash_len(t) != 0 || t == IMAGE_TLV_SHA512 ||
                   image_validate_is_sig_type(t)) {
            /* Hashes, keys and signatures cannot be part of what they authenticate. */
            return BO_EBADIMAGE;
        }
        /* Other protected TLVs (boot record, vendor, unknown) are covered by the hash. */
        return 0;
    }
    if (t == IMAGE_TLV_SHA256 || t == IMAGE_TLV_SHA384 || t == IMAGE_TLV_SHA512) {
        if (scan->have_hash) {
            scan->reason = IMAGE_VALIDATE_DUP_HASH;
            return BO_EBADIMAGE;
        }
        scan->have_hash = true;
        scan->hash = *tlv;
    } else if (t == IMAGE_TLV_KEYHASH || t == IMAGE_TLV_PUBKEY) {
        scan->have_key = true;
        scan->key = *tlv;
    } else if (image_validate_is_sig_type(t)) {
        scan->any_sig = true;
        if (scan->have_key && (t == IMAGE_TLV_ECDSA_SIG || t == IMAGE_TLV_RSA2048_PSS ||
                               t == IMAGE_TLV_RSA3072_PSS)) {
            if (scan->sig_count == IMAGE_VALIDATE_MAX_SIGS) {
                return BO_EBADIMAGE;
            }
            scan->sigs[scan->sig_count].key = scan->key;
            scan->sigs[scan->sig_count].sig = *tlv;
            scan->sig_count++;
        }
        /* A key names the one signature that follows it. */
        scan->have_key = false;
    } else if (t == IMAGE_TLV_ENC_RSA2048 || t == IMAGE_TLV_ENC_KW || t == IMAGE_TLV_ENC_EC256 ||
               t == IMAGE_TLV_ENC_X25519 || image_tlv_is_vendor(t)) {
        /* Encryption keys are refused through the header flags; vendor TLVs are ignored. */
    } else {
        /* Anything else would be metadata nobody authenticated. */
        return BO_EBADIMAGE;
    }
    return 0;
}

/* Finds the table key named by a KEYHASH or PUBKEY TLV for a signature of sig_type. */
static int image_validate_find_key(const struct image_src *src,
                                   const struct image_validate_config *cfg,
                                   const struct image_tlv *key_tlv, uint16_t sig_type,
                                   uint16_t hash_type, uint8_t *buf, int *index)
{
    uint8_t khash[IMAGE_VALIDATE_HASH_MAX];
    uint32_t hash_len = image_validate_hash_len(hash_type);
    const struct image_key *k;
    uint32_t i;
    int rc;

    *index = -1;
    if (key_tlv->type == IMAGE_TLV_KEYHASH) {
        if (key_tlv->len != hash_len) {
            return BO_EBADIMAGE;
        }
    } else if (key_tlv->len > IMAGE_VALIDATE_KEY_MAX) {
        /* No key of the table is that long, so none can match. */
        return 0;
    }
    rc = image_tlv_read(src, key_tlv, buf, IMAGE_VALIDATE_KEY_MAX);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < cfg->key_count; i++) {
        k = &cfg->keys[i];
        if (image_validate_sig_type_of(k->type) != sig_type ||
            image_validate_hash_type_of(k->type) != hash_type || k->der == NULL) {
            continue;
        }
        if (key_tlv->type == IMAGE_TLV_PUBKEY) {
            if (k->der_len == key_tlv->len && memcmp(k->der, buf, k->der_len) == 0) {
                *index = (int)i;
                return 0;
            }
            continue;
        }
        rc = image_validate_key_hash(k->der, k->der_len, hash_type, khash);
        if (rc < 0) {
            return rc;
        }
        if (memcmp(khash, buf, hash_len) == 0) {
            *index = (int)i;
            return 0;
        }
    }
    return 0;
}

/*
 * The length of a DER ECDSA signature followed only by zero bytes: imgtool's --pad-sig pads
 * signatures to a fixed size for old bootloaders, and MCUboot accepts both forms.
 */
static uint32_t image_validate_ecdsa_len(const uint8_t *sig, uint32_t sig_len)
{
    uint32_t der_len;
    uint32_t i;

    if (sig_len < 2 || sig[0] != 0x30) {
        return sig_len;
    }
    if (sig[1] < 0x80) {
        der_len = 2u + sig[1];
    } else if (sig[1] == 0x81 && sig_len >= 3) {
        der_len = 3u + sig[2];
    } else {
        return sig_len;
    }
    if (der_len >= sig_len) {
        return sig_len;
    }
    for (i = der_len; i < sig_len; i++) {
        if (sig[i] != 0) {
            return sig_len;
        }
    }
    return der_len;
}

/* Verifies one signature with one key: 0, BO_EBADSIG, BO_EINVAL (bad key), BO_ENOMEM. */
static int image_validate_verify(const struct image_key *key, const uint8_t *hash,
                                 uint32_t hash_len, const uint8_t *sig, uint32_t sig_len)
{
    mbedtls_pk_rsassa_pss_options pss;
    mbedtls_pk_context pk;
    size_t bits;
    int ret;
    int rc;

    mbedtls_pk_init(&pk);
    ret = mbedtls_pk_parse_public_key(&pk, key->der, key->der_len);
    if (ret != 0) {
        rc = image_validate_is_alloc_err(ret) ? BO_ENOMEM : BO_EINVAL;
        goto out;
    }
    bits = mbedtls_pk_get_bitlen(&pk);
    switch (key->type) {
    case IMAGE_KEY_EC256:
    case IMAGE_KEY_EC384:
        if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
            bits != (key->type == IMAGE_KEY_EC256 ? 256u : 384u)) {
            rc = BO_EINVAL;
            goto out;
        }
        ret = mbedtls_pk_verify(
            &pk, key->type == IMAGE_KEY_EC256 ? MBEDTLS_MD_SHA256 : MBEDTLS_MD_SHA384, hash,
            hash_len, sig, image_validate_ecdsa_len(sig, sig_len));
        break;
    case IMAGE_KEY_RSA2048:
    case IMAGE_KEY_RSA3072:
        if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA ||
            bits != (key->type == IMAGE_KEY_RSA2048 ? 2048u : 3072u)) {
            rc = BO_EINVAL;
            goto out;
        }
        if (sig_len != bits / 8) {
            rc = BO_EBADSIG;
            goto out;
        }
        pss.mgf1_hash_id = MBEDTLS_MD_SHA256;
        pss.expected_salt_len = IMAGE_VALIDATE_PSS_SALT_LEN;
        ret = mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &pss, &pk, MBEDTLS_MD_SHA256, hash,
                                    hash_len, sig, sig_len);
        break;
    default:
        rc = BO_EINVAL;
        goto out;
    }
    if (ret == 0) {
        rc = 0;
    } else {
        rc = image_validate_is_alloc_err(ret) ? BO_ENOMEM : BO_EBADSIG;
    }
out:
    mbedtls_pk_free(&pk);
    return rc;
}

/* Walks every TLV once, in both areas. */
static int image_validate_walk(const struct image_src *src, const struct image_layout *layout,
                               struct image_validate_scan *scan)
{
    struct image_tlv_iter it;
    struct image_tlv tlv;
    int rc;

    memset(scan, 0, sizeof(*scan));
    scan->reason = IMAGE_VALIDATE_BAD_TLV;
    image_tlv_iter_begin(&it, src, layout, IMAGE_TLV_ANY, false);
    while ((rc = image_tlv_iter_next(&it, &tlv)) == 0) {
        rc = image_validate_scan_tlv(scan, &tlv);
        if (rc < 0) {
            return rc;
        }
    }
    if (rc != BO_ENOENT && rc != BO_EBADIMAGE) {
        scan->reason = IMAGE_VALIDATE_READ_ERROR;
    }
    return rc == BO_ENOENT ? 0 : rc;
}

/* Reads the security counter and the dependencies the walk located. */
static int image_validate_read_meta(const struct image_src *src,
                                    const struct image_validate_scan *scan,
                                    struct image_validate_result *res)
{
    uint8_t raw[IMAGE_DEPENDENCY_LEN];
    uint32_t i;
    int rc = 0;

    if (scan->have_sec_cnt) {
        rc = image_tlv_read(src, &scan->sec_cnt, raw, sizeof(raw));
        if (rc < 0) {
            return rc;
        }
        res->has_sec_cnt = true;
        res->sec_cnt = (uint32_t)raw[0] | ((uint32_t)raw[1] << 8) | ((uint32_t)raw[2] << 16) |
                       ((uint32_t)raw[3] << 24);
    }
    for (i = 0; i < scan->dep_count; i++) {
        rc = image_tlv_read(src, &scan->deps[i], raw, sizeof(raw));
        if (rc < 0) {
            return rc;
        }
        image_dependency_decode(raw, &res->deps[i]);
    }
    res->dep_count = scan->dep_count;
    return 0;
}

/* Tries each key + signature pair; 0 when one verifies with a trusted key. */
static int image_validate_sigs(const struct image_src *src, const struct image_validate_config *cfg,
                               const struct image_validate_scan *scan,
                               struct image_validate_result *res, union image_validate_buf *buf)
{
    const struct image_validate_sig *s;
    bool trusted_failed = false;
    bool bad_tlv = false;
    uint32_t i;
    int index;
    int rc;

    for (i = 0; i < scan->sig_count; i++) {
        s = &scan->sigs[i];
        rc = image_validate_find_key(src, cfg, &s->key, s->sig.type, res->hash_type, buf->ks.key,
                                     &index);
        if (rc == BO_EBADIMAGE) {
            bad_tlv = true;
            continue;
        }
        if (rc < 0) {
            res->reason =
                rc == BO_ECRYPTO ? IMAGE_VALIDATE_CRYPTO_ERROR : IMAGE_VALIDATE_READ_ERROR;
            return rc;
        }
        if (index < 0) {
            continue;
        }
        if (s->sig.len > IMAGE_VALIDATE_SIG_MAX) {
            trusted_failed = true;
            continue;
        }
        rc = image_tlv_read(src, &s->sig, buf->ks.sig, IMAGE_VALIDATE_SIG_MAX);
        if (rc < 0) {
            res->reason = IMAGE_VALIDATE_READ_ERROR;
            return rc;
        }
        rc = image_validate_verify(&cfg->keys[index], res->hash, res->hash_len, buf->ks.sig,
                                   s->sig.len);
        if (rc == 0) {
            res->key_index = index;
            res->sig_type = s->sig.type;
            return 0;
        }
        if (rc != BO_EBADSIG) {
            res->reason = rc == BO_EINVAL ? IMAGE_VALIDATE_BAD_KEY : IMAGE_VALIDATE_CRYPTO_ERROR;
            return rc;
        }
        trusted_failed = true;
    }
    if (trusted_failed) {
        res->reason = IMAGE_VALIDATE_BAD_SIGNATURE;
        return BO_EBADSIG;
    }
    if (bad_tlv) {
        res->reason = IMAGE_VALIDATE_BAD_TLV;
        return BO_EBADIMAGE;
    }
    if (scan->any_sig) {
        res->reason = IMAGE_VALIDATE_UNTRUSTED;
        return BO_EBADSIG;
    }
    /* Permission for unsigned images covers images that carry no signature at all. */
    if (cfg->allow_unsigned) {
        return 0;
    }
    res->reason = IMAGE_VALIDATE_UNSIGNED;
    return BO_EBADSIG;
}

int image_validate(const struct image_src *src, const struct image_validate_config *cfg,
                   struct image_validate_result *res)
{
    uint8_t expected[IMAGE_VALIDATE_HASH_MAX];
    struct image_validate_scan scan;
    union image_validate_buf buf;
    uint32_t hash_len;
    int rc;

    if (src == NULL || cfg == NULL || res == NULL || (cfg->key_count != 0 && cfg->keys == NULL)) {
        return BO_EINVAL;
    }
    memset(res, 0, sizeof(*res));
    res->key_index = -1;
    res->reason = IMAGE_VALIDATE_BAD_HEADER;
    rc = image_header_read(src, &res->hdr);
    if (rc < 0) {
        goto out;
    }
    res->non_bootable = (res->hdr.flags & IMAGE_F_NON_BOOTABLE) != 0;
    res->reason = IMAGE_VALIDATE_BAD_TLV_AREA;
    rc = image_layout_read(src, &res->hdr, &res->layout);
    if (rc < 0) {
        goto out;
    }
    rc = image_validate_walk(src, &res->layout, &scan);
    if (rc < 0) {
        res->reason = scan.reason;
        goto out;
    }
    res->reason = IMAGE_VALIDATE_NO_HASH;
    if (!scan.have_hash) {
        rc = BO_EBADIMAGE;
        goto out;
    }
    res->reason = IMAGE_VALIDATE_UNSUPPORTED;
    if (res->hdr.flags & (IMAGE_F_ENCRYPTED_AES128 | IMAGE_F_ENCRYPTED_AES256 |
                          IMAGE_F_COMPRESSED_LZMA1 | IMAGE_F_COMPRESSED_LZMA2)) {
        rc = BO_ENOTSUP;
        goto out;
    }
    hash_len = image_validate_hash_len(scan.hash.type);
    if (hash_len == 0) {
        rc = BO_ENOTSUP;
        goto out;
    }
    res->reason = IMAGE_VALIDATE_BAD_TLV;
    if (scan.hash.len != hash_len) {
        rc = BO_EBADIMAGE;
        goto out;
    }
    res->hash_type = scan.hash.type;
    res->hash_len = (uint8_t)hash_len;
    rc = image_validate_hash_with(src, res->layout.prot_end, res->hash_type, res->hash, buf.chunk,
                                  sizeof(buf.chunk));
    if (rc == 0) {
        rc = image_tlv_read(src, &scan.hash, expected, sizeof(expected));
    }
    if (rc == 0) {
        rc = image_validate_read_meta(src, &scan, res);
    }
    if (rc < 0) {
        res->reason = rc == BO_ECRYPTO ? IMAGE_VALIDATE_CRYPTO_ERROR : IMAGE_VALIDATE_READ_ERROR;
        goto out;
    }
    if (!image_validate_equal(expected, res->hash, hash_len)) {
        res->reason = IMAGE_VALIDATE_HASH_MISMATCH;
        rc = BO_EBADSIG;
        goto out;
    }
    res->reason = IMAGE_VALIDATE_OK;
    rc = image_validate_sigs(src, cfg, &scan, res, &buf);
out:
    if (rc == BO_EPOWER || rc == BO_EIO) {
        res->reason = IMAGE_VALIDATE_READ_ERROR;
    }
    return rc;
}

const char *image_validate_reason_str(enum image_validate_reason reason)
{
    switch (reason) {
    case IMAGE_VALIDATE_OK:
        return "valid";
    case IMAGE_VALIDATE_BAD_HEADER:
        return "bad image header (size, magic, or header and payload sizes past the slot)";
    case IMAGE_VALIDATE_BAD_TLV_AREA:
        return "bad TLV area (info magic, protected TLV size, or total past the slot)";
    case IMAGE_VALIDATE_BAD_TLV:
        return "malformed TLV (past its area, misplaced, or of a wrong length)";
    case IMAGE_VALIDATE_NO_HASH:
        return "no hash TLV";
    case IMAGE_VALIDATE_DUP_HASH:
        return "more than one hash TLV";
    case IMAGE_VALIDATE_UNSUPPORTED:
        return "unsupported image (encrypted, compressed, or hash algorithm)";
    case IMAGE_VALIDATE_HASH_MISMATCH:
        return "hash mismatch: the image was modified after signing";
    case IMAGE_VALIDATE_UNSIGNED:
        return "not signed, and unsigned images are not allowed";
    case IMAGE_VALIDATE_UNTRUSTED:
        return "signed by a key that is not trusted";
    case IMAGE_VALIDATE_BAD_SIGNATURE:
        return "signature does not verify with the trusted key";
    case IMAGE_VALIDATE_BAD_KEY:
        return "a trusted key does not parse as its declared type";
    case IMAGE_VALIDATE_READ_ERROR:
        return "the image could not be read";
    case IMAGE_VALIDATE_CRYPTO_ERROR:
        return "crypto library failure";
    default:
        return "unknown reason";
    }
}
