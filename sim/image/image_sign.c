/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image tool's signer: header, protected TLVs, hash, key and signature TLVs, padding and
 * trailer, in imgtool's order and sizes.
 */
#include "image/image_sign.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/pk.h"
#include "mbedtls/rsa.h"

#include "bo_err.h"
#include "boot/trailer.h"
#include "util/errbuf.h"

#define IMAGE_SIGN_SIG_MAX 512u

void image_sign_opts_init(struct image_sign_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->header_size = IMAGE_HEADER_SIZE;
    o->align = 1;
    o->erased_val = 0xff;
}

uint32_t image_sign_auto_sec_cnt(const struct image_version *v)
{
    return ((uint32_t)v->major << 24) + ((uint32_t)v->minor << 16) + v->revision;
}

/* Parses a decimal number of at most max at *p, advancing *p. */
static int image_sign_number(const char **p, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    const char *s = *p;

    if (!isdigit((unsigned char)*s)) {
        return BO_EINVAL;
    }
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (unsigned long long)(*s - '0');
        if (v > max) {
            return BO_EINVAL;
        }
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

/* Parses a version at *p up to the first character that cannot continue it. */
static int image_sign_version_at(const char **p, struct image_version *v)
{
    unsigned long long n;
    const char *s = *p;

    memset(v, 0, sizeof(*v));
    if (image_sign_number(&s, 0xff, &n) < 0) {
        return BO_EINVAL;
    }
    v->major = (uint8_t)n;
    if (*s == '.') {
        s++;
        if (image_sign_number(&s, 0xff, &n) < 0) {
            return BO_EINVAL;
        }
        v->minor = (uint8_t)n;
        if (*s == '.') {
            s++;
            if (image_sign_number(&s, 0xffff, &n) < 0) {
                return BO_EINVAL;
            }
            v->revision = (uint16_t)n;
        }
    }
    if (*s == '+') {
        s++;
        if (image_sign_number(&s, 0xffffffffULL, &n) < 0) {
            return BO_EINVAL;
        }
        v->build = (uint32_t)n;
    }
    *p = s;
    return 0;
}

int image_sign_parse_version(const char *s, struct image_version *v)
{
    if (image_sign_version_at(&s, v) < 0 || *s != '\0') {
        return BO_EINVAL;
    }
    return 0;
}

static const char *image_sign_skip_space(const char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    return s;
}

int image_sign_parse_deps(const char *s, struct image_dependency *deps, uint32_t max,
                          uint32_t *count)
{
    unsigned long long id;
    uint32_t n = 0;

    s = image_sign_skip_space(s);
    while (*s != '\0') {
        if (n == max || *s != '(') {
            return BO_EINVAL;
        }
        s = image_sign_skip_space(s + 1);
        if (image_sign_number(&s, 0xff, &id) < 0) {
            return BO_EINVAL;
        }
        s = image_sign_skip_space(s);
        if (*s != ',') {
            return BO_EINVAL;
        }
        s = image_sign_skip_space(s + 1);
        deps[n].image_id = (uint8_t)id;
        if (image_sign_version_at(&s, &deps[n].min_version) < 0) {
            return BO_EINVAL;
        }
        s = image_sign_skip_space(s);
        if (*s != ')') {
            return BO_EINVAL;
        }
        n++;
        s = image_sign_skip_space(s + 1);
        if (*s == ',') {
            s = image_sign_skip_space(s + 1);
            if (*s == '\0') {
                return BO_EINVAL;
            }
        }
    }
    if (n == 0) {
        return BO_EINVAL;
    }
    *count = n;
    return 0;
}

/* A growing output buffer. */
struct image_sign_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

static int image_sign_reserve(struct image_sign_buf *b, size_t more)
{
    size_t cap = b->cap != 0 ? b->cap : 4096;
    uint8_t *p;

    if (more > SIZE_MAX - b->len) {
        return BO_ENOMEM;
    }
    while (cap < b->len + more) {
        if (cap > SIZE_MAX / 2) {
            return BO_ENOMEM;
        }
        cap *= 2;
    }
    if (cap != b->cap) {
        p = realloc(b->data, cap);
        if (p == NULL) {
            return BO_ENOMEM;
        }
        b->data = p;
        b->cap = cap;
    }
    return 0;
}

static int image_sign_append(struct image_sign_buf *b, const void *data, size_t len)
{
    int rc = image_sign_reserve(b, len);

    if (rc == 0 && len > 0) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
    }
    return rc;
}

static int image_sign_fill(struct image_sign_buf *b, uint8_t val, size_t len)
{
    int rc = image_sign_reserve(b, len);

    if (rc == 0) {
        memset(b->data + b->len, val, len);
        b->len += len;
    }
    return rc;
}

static void image_sign_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static int image_sign_tlv(struct image_sign_buf *b, uint16_t type, const void *value, uint16_t len)
{
    uint8_t hdr[IMAGE_TLV_HDR_SIZE];
    int rc;

    image_sign_le16(hdr, type);
    image_sign_le16(hdr + 2, len);
    rc = image_sign_append(b, hdr, sizeof(hdr));
    if (rc == 0) {
        rc = image_sign_append(b, value, len);
    }
    return rc;
}

/* Signs hash with the key: DER ECDSA, or RSA PSS (MGF1 SHA-256, salt 32) as MCUboot expects. */
static int image_sign_signature(const struct image_sign_opts *o, const uint8_t *hash,
                                uint32_t hash_len, uint8_t *sig, size_t *sig_len, char *err,
                                size_t errlen)
{
    mbedtls_rsa_context *rsa;
    int ret;

    switch (o->key->type) {
    case IMAGE_KEY_EC256:
    case IMAGE_KEY_EC384:
        ret = mbedtls_pk_sign(
            &o->key->pk, o->key->type == IMAGE_KEY_EC256 ? MBEDTLS_MD_SHA256 : MBEDTLS_MD_SHA384,
            hash, hash_len, sig, IMAGE_SIGN_SIG_MAX, sig_len, o->f_rng, o->p_rng);
        break;
    case IMAGE_KEY_RSA2048:
    case IMAGE_KEY_RSA3072:
        rsa = mbedtls_pk_rsa(o->key->pk);
        ret = mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
        if (ret == 0) {
            ret = mbedtls_rsa_rsassa_pss_sign_ext(rsa, o->f_rng, o->p_rng, MBEDTLS_MD_SHA256,
                                                  hash_len, hash, 32, sig);
        }
        *sig_len = mbedtls_rsa_get_len(rsa);
        break;
    default:
        return errbuf_fail(err, errlen, BO_EINVAL, "unsupported key type");
    }
    if (ret != 0) {
        return errbuf_fail(err, errlen, BO_ECRYPTO, "signing failed (Mbed TLS error -0x%04x)",
                           (unsigned)-ret);
    }
    return 0;
}

static bool image_sign_pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* Checks the options as imgtool's argument parser does. */
static int image_sign_check(const struct image_sign_opts *o, uint32_t max_align, char *err,
                            size_t errlen)
{
    if (o->header_size < IMAGE_HEADER_SIZE || o->header_size > 0xffff) {
        return errbuf_fail(err, errlen, BO_EINVAL, "header size %u: must be between 32 and 65535",
                           o->header_size);
    }
    if (!image_sign_pow2_in(o->align, 1, 32)) {
        return errbuf_fail(err, errlen, BO_EINVAL, "--align %u: must be 1, 2, 4, 8, 16 or 32",
                           o->align);
    }
    if (!image_sign_pow2_in(max_align, 8, 32)) {
        return errbuf_fail(err, errlen, BO_EINVAL, "--max-align %u: must be 8, 16 or 32",
                           max_align);
    }
    if (o->erased_val != 0xff && o->erased_val != 0x00) {
        return errbuf_fail(err, errlen, BO_EINVAL, "erased value must be 0 or 0xff");
    }
    if ((o->pad || o->confirm) && o->slot_size == 0) {
        return errbuf_fail(err, errlen, BO_EINVAL, "--pad and --confirm need -S/--slot-size");
    }
    if (o->key != NULL && !o->key->is_private) {
        return errbuf_fail(err, errlen, BO_EINVAL, "signing needs a private key");
    }
    if (o->dep_count > IMAGE_VALIDATE_MAX_DEPS) {
        return errbuf_fail(err, errlen, BO_EINVAL, "at most %u dependencies",
                           IMAGE_VALIDATE_MAX_DEPS);
    }
    return 0;
}

/* Appends the header, payload and protected TLVs to b. */
static int image_sign_body(const struct image_sign_opts *o, const uint8_t *in, size_t in_len,
                           struct image_sign_buf *b, char *err, size_t errlen)
{
    struct image_header hdr;
    uint8_t raw[IMAGE_DEPENDENCY_LEN];
    uint32_t prot_size = 0;
    uint8_t info[IMAGE_TLV_INFO_SIZE];
    size_t i;
    int rc;

    if (o->pad_header) {
        rc = image_sign_fill(b, o->erased_val, o->header_size);
        if (rc < 0) {
            return errbuf_fail(err, errlen, rc, "out of memory");
        }
    } else {
        for (i = 0; i < o->header_size; i++) {
            if (i >= in_len || in[i] != 0) {
                return errbuf_fail(err, errlen, BO_EINVAL,
                                   "the input does not start with %u zero bytes for the "
                                   "header: use --pad-header",
                                   o->header_size);
            }
        }
    }
    rc = image_sign_append(b, in, in_len);
    if (rc < 0) {
        return errbuf_fail(err, errlen, rc, "out of memory");
    }
    if (b->len - o->header_size > UINT32_MAX) {
        return errbuf_fail(err, errlen, BO_EINVAL, "the payload is larger than 4 GiB");
    }
    if (o->has_sec_cnt) {
        prot_size += IMAGE_TLV_HDR_SIZE + IMAGE_SEC_CNT_LEN;
    }
    prot_size += o->dep_count * (IMAGE_TLV_HDR_SIZE + IMAGE_DEPENDENCY_LEN);
    if (prot_size != 0) {
        prot_size += IMAGE_TLV_INFO_SIZE;
    }
    memset(&hdr, 0, sizeof(hdr));
    hdr.magic = IMAGE_MAGIC;
    hdr.load_addr = o->load_addr;
    hdr.hdr_size = (uint16_t)o->header_size;
    hdr.protect_tlv_size = (uint16_t)prot_size;
    hdr.img_size = (uint32_t)(b->len - o->header_size);
    hdr.flags =
        (o->load_addr != 0 ? IMAGE_F_RAM_LOAD : 0) | (o->non_bootable ? IMAGE_F_NON_BOOTABLE : 0);
    hdr.version = o->version;
    image_header_encode(&hdr, b->data);
    if (prot_size == 0) {
        return 0;
    }
    image_sign_le16(info, IMAGE_TLV_PROT_INFO_MAGIC);
    image_sign_le16(info + 2, (uint16_t)prot_size);
    rc = image_sign_append(b, info, sizeof(info));
    if (rc == 0 && o->has_sec_cnt) {
        raw[0] = (uint8_t)o->sec_cnt;
        raw[1] = (uint8_t)(o->sec_cnt >> 8);
        raw[2] = (uint8_t)(o->sec_cnt >> 16);
        raw[3] = (uint8_t)(o->sec_cnt >> 24);
        rc = image_sign_tlv(b, IMAGE_TLV_SEC_CNT, raw, IMAGE_SEC_CNT_LEN);
    }
    for (i = 0; rc == 0 && i < o->dep_count; i++) {
        memset(raw, 0, sizeof(raw));
        raw[0] = o->deps[i].image_id;
        raw[4] = o->deps[i].min_version.major;
        raw[5] = o->deps[i].min_version.minor;
        image_sign_le16(raw + 6, o->deps[i].min_version.revision);
        raw[8] = (uint8_t)o->deps[i].min_version.build;
        raw[9] = (uint8_t)(o->deps[i].min_version.build >> 8);
        raw[10] = (uint8_t)(o->deps[i].min_version.build >> 16);
        raw[11] = (uint8_t)(o->deps[i].min_version.build >> 24);
        rc = image_sign_tlv(b, IMAGE_TLV_DEPENDENCY, raw, IMAGE_DEPENDENCY_LEN);
    }
    if (rc < 0) {
        return errbuf_fail(err, errlen, rc, "out of memory");
    }
    return 0;
}

/* Builds the TLV area (hash, key, signature) for the hashed bytes of b into tlv. */
static int image_sign_tlvs(const struct image_sign_opts *o, const struct image_sign_buf *b,
                           struct image_sign_buf *tlv, char *err, size_t errlen)
{
    uint16_t hash_type =
        o->key != NULL ? image_validate_hash_type_of(o->key->type) : IMAGE_TLV_SHA256;
    uint32_t hash_len = image_validate_hash_len(hash_type);
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX];
    uint8_t khash[IMAGE_VALIDATE_HASH_MAX];
    uint8_t sig[IMAGE_SIGN_SIG_MAX];
    struct image_src src;
    size_t sig_len = 0;
    int rc;

    if (b->len > UINT32_MAX) {
        return errbuf_fail(err, errlen, BO_EINVAL, "the image is larger than 4 GiB");
    }
    image_src_from_buffer(&src, b->data, (uint32_t)b->len);
    rc = image_validate_hash(&src, (uint32_t)b->len, hash_type, hash);
    if (rc < 0) {
        return errbuf_fail(err, errlen, rc, "hashing failed");
    }
    rc = image_sign_fill(tlv, 0, IMAGE_TLV_INFO_SIZE);
    if (rc == 0) {
        rc = image_sign_tlv(tlv, hash_type, hash, (uint16_t)hash_len);
    }
    if (rc == 0 && o->key != NULL) {
        if (o->pubkey_full) {
            rc = image_sign_tlv(tlv, IMAGE_TLV_PUBKEY, o->key->pub_der,
                                (uint16_t)o->key->pub_der_len);
        } else {
            rc = image_validate_key_hash(o->key->pub_der, o->key->pub_der_len, hash_type, khash);
            if (rc == 0) {
                rc = image_sign_tlv(tlv, IMAGE_TLV_KEYHASH, khash, (uint16_t)hash_len);
            }
        }
        if (rc == 0) {
            rc = image_sign_signature(o, hash, hash_len, sig, &sig_len, err, errlen);
            if (rc < 0) {
                return rc;
            }
            rc = image_sign_tlv(tlv, image_validate_sig_type_of(o->key->type), sig,
                                (uint16_t)sig_len);
        }
    }
    if (rc < 0) {
        return errbuf_fail(err, errlen, rc, "cannot build the TLV area");
    }
    if (tlv->len > 0xffff) {
        return errbuf_fail(err, errlen, BO_EINVAL, "the TLV area exceeds 65535 bytes");
    }
    image_sign_le16(tlv->data, IMAGE_TLV_INFO_MAGIC);
    image_sign_le16(tlv->data + 2, (uint16_t)tlv->len);
    return 0;
}

/* Pads b to the slot size and writes imgtool's trailer: magic, and image_ok when confirmed. */
static int image_sign_pad(const struct image_sign_opts *o, uint32_t max_align,
                          struct image_sign_buf *b, char *err, size_t errlen)
{
    uint8_t magic[TRAILER_MAGIC_SZ];
    uint32_t magic_unit;
    int rc;

    rc = trailer_magic_bytes(max_align, magic);
    if (rc == 0) {
        rc = image_sign_fill(b, o->erased_val, o->slot_size - b->len);
    }
    if (rc < 0) {
        return errbuf_fail(err, errlen, rc, "cannot pad to the slot size");
    }
    memcpy(b->data + b->len - TRAILER_MAGIC_SZ, magic, TRAILER_MAGIC_SZ);
    if (o->confirm && !o->overwrite_only) {
        magic_unit = (TRAILER_MAGIC_SZ + max_align - 1) / max_align * max_align;
        b->data[b->len - magic_unit - max_align] = TRAILER_FLAG_SET_BYTE;
    }
    return 0;
}

int image_sign(const struct image_sign_opts *o, const uint8_t *in, size_t in_len, uint8_t **out,
               size_t *out_len, char *err, size_t errlen)
{
    uint32_t max_align = o->max_align != 0 ? o->max_align : (o->align > 8 ? o->align : 8);
    uint32_t max_sectors = o->max_sectors != 0 ? o->max_sectors : IMAGE_SIGN_DEFAULT_MAX_SECTORS;
    struct image_sign_buf b = { NULL, 0, 0 };
    struct image_sign_buf tlv = { NULL, 0, 0 };
    uint32_t tsize = 0;
    int rc;

    rc = image_sign_check(o, max_align, err, errlen);
    if (rc < 0) {
        goto out;
    }
    if (o->slot_size != 0) {
        rc = trailer_imgtool_size(o->align, max_align, max_sectors, o->overwrite_only, &tsize);
        if (rc < 0) {
            rc = errbuf_fail(err, errlen, rc,
                             "bad trailer geometry (--align %u, "
                             "--max-align %u, -M %u)",
                             o->align, max_align, max_sectors);
            goto out;
        }
    }
    rc = image_sign_body(o, in, in_len, &b, err, errlen);
    if (rc < 0) {
        goto out;
    }
    rc = image_sign_tlvs(o, &b, &tlv, err, errlen);
    if (rc < 0) {
        goto out;
    }
    rc = image_sign_append(&b, tlv.data, tlv.len);
    if (rc < 0) {
        rc = errbuf_fail(err, errlen, rc, "out of memory");
        goto out;
    }
    if (o->slot_size != 0 && (b.len > o->slot_size || o->slot_size - b.len < tsize)) {
        rc = errbuf_fail(err, errlen, BO_EINVAL,
                         "image size (0x%zx) + trailer (0x%x) exceeds the slot size 0x%x", b.len,
                         tsize, o->slot_size);
        goto out;
    }
    if (o->pad || o->confirm) {
        rc = image_sign_pad(o, max_align, &b, err, errlen);
        if (rc < 0) {
            goto out;
        }
    }
    *out = b.data;
    *out_len = b.len;
    b.data = NULL;
out:
    free(tlv.data);
    free(b.data);
    return rc;
}
