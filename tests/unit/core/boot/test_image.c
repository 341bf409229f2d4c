/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of core/boot/image.c and of the parsing side of image_validate.c: header decoding, the
 * TLV areas, the iterator, and the rejection of malformed images (each one a BO_EBADIMAGE, never
 * a crash or a read outside the source).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

#include "bo_err.h"
#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"

#define IMG_MAX 8192

/* A TLV to put into a synthetic image. */
struct tlv_spec {
    uint16_t type;
    uint16_t len;
    const uint8_t *value; /* NULL: filled with 0x5a. */
};

/* A synthetic image under construction. */
struct img {
    uint8_t buf[IMG_MAX];
    uint32_t len;
    uint32_t body_end;
    uint32_t prot_end;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t add_tlvs(struct img *im, uint16_t magic, const struct tlv_spec *t, size_t n)
{
    uint32_t start = im->len;
    uint32_t off = start + 4;
    size_t i;

    for (i = 0; i < n; i++) {
        put16(im->buf + off, t[i].type);
        put16(im->buf + off + 2, t[i].len);
        if (t[i].value != NULL) {
            memcpy(im->buf + off + 4, t[i].value, t[i].len);
        } else {
            memset(im->buf + off + 4, 0x5a, t[i].len);
        }
        off += 4u + t[i].len;
    }
    put16(im->buf + start, magic);
    put16(im->buf + start + 2, (uint16_t)(off - start));
    im->len = off;
    return off - start;
}

/*
 * Builds header (hdr_size 64) + payload + protected TLVs + a SHA-256 TLV (correct) + extra
 * unprotected TLVs. Returns the offset of the hash TLV's value.
 */
static uint32_t build(struct img *im, uint32_t payload_len, const struct tlv_spec *prot,
                      size_t nprot, const struct tlv_spec *extra, size_t nextra)
{
    uint8_t digest[32];
    uint32_t prot_size = 0;
    uint32_t hash_off;
    uint32_t i;
    uint32_t off;
    uint32_t area;

    memset(im, 0, sizeof(*im));
    /* The header proper is zeroed; the rest of hdr_size is erased padding (--pad-header). */
    memset(im->buf + IMAGE_HEADER_SIZE, 0xff, 64 - IMAGE_HEADER_SIZE);
    put32(im->buf + 0, IMAGE_MAGIC);
    put16(im->buf + 8, 64);
    put32(im->buf + 12, payload_len);
    im->buf[20] = 1;
    im->buf[21] = 2;
    put16(im->buf + 22, 3);
    put32(im->buf + 24, 4);
    for (i = 0; i < payload_len; i++) {
        im->buf[64 + i] = (uint8_t)(i * 7 + 1);
    }
    im->len = 64 + payload_len;
    im->body_end = im->len;
    if (nprot > 0) {
        for (i = 0; i < nprot; i++) {
            prot_size += 4u + prot[i].len;
        }
        prot_size += 4;
        put16(im->buf + 10, (uint16_t)prot_size);
        add_tlvs(im, IMAGE_TLV_PROT_INFO_MAGIC, prot, nprot);
    }
    im->prot_end = im->len;
    mbedtls_sha256(im->buf, im->prot_end, digest, 0);
    /* The unprotected area: the hash first, then the extras. */
    off = im->len;
    put16(im->buf + off + 4, IMAGE_TLV_SHA256);
    put16(im->buf + off + 6, 32);
    memcpy(im->buf + off + 8, digest, 32);
    hash_off = off + 8;
    area = 4 + 36;
    off += area;
    for (i = 0; i < nextra; i++) {
        put16(im->buf + off, extra[i].type);
        put16(im->buf + off + 2, extra[i].len);
        if (extra[i].value != NULL) {
            memcpy(im->buf + off + 4, extra[i].value, extra[i].len);
        } else {
            memset(im->buf + off + 4, 0x5a, extra[i].len);
        }
        off += 4u + extra[i].len;
        area += 4u + extra[i].len;
    }
    put16(im->buf + im->len, IMAGE_TLV_INFO_MAGIC);
    put16(im->buf + im->len + 2, (uint16_t)area);
    im->len = off;
    return hash_off;
}

/* Recomputes the SHA-256 TLV after the hashed part changed. */
static void rehash(struct img *im, uint32_t hash_off)
{
    mbedtls_sha256(im->buf, im->prot_end, im->buf + hash_off, 0);
}

static int validate(const struct img *im, uint32_t size, bool allow_unsigned,
                    struct image_validate_result *res)
{
    struct image_validate_config cfg = { .keys = NULL,
                                         .key_count = 0,
                                         .allow_unsigned = allow_unsigned };
    struct image_src src;

    image_src_from_buffer(&src, im->buf, size);
    return image_validate(&src, &cfg, res);
}

static const uint8_t sec_cnt_val[4] = { 0x07, 0x00, 0x02, 0x01 };
static const uint8_t dep_val[12] = { 1, 0, 0, 0, 2, 3, 4, 0, 5, 0, 0, 0 };

static void test_header_codec(void **state)
{
    struct image_header h = { .magic = IMAGE_MAGIC,
                              .load_addr = 0x20000000,
                              .hdr_size = 0x200,
                              .protect_tlv_size = 28,
                              .img_size = 0xc07b,
                              .flags = 0x10,
                              .version = { 1, 2, 0x304, 0x05060708 },
                              .pad1 = 0 };
    uint8_t raw[IMAGE_HEADER_SIZE];
    struct image_header back;
    static const uint8_t want[IMAGE_HEADER_SIZE] = {
        0x3d, 0xb8, 0xf3, 0x96, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x1c,
        0x00, 0x7b, 0xc0, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x02,
        0x04, 0x03, 0x08, 0x07, 0x06, 0x05, 0x00, 0x00, 0x00, 0x00,
    };

    (void)state;
    image_header_encode(&h, raw);
    assert_memory_equal(raw, want, sizeof(want));
    image_header_decode(raw, &back);
    assert_memory_equal(&back, &h, sizeof(h));
}

static void test_valid_synthetic(void **state)
{
    struct tlv_spec prot[] = {
        { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val },
        { IMAGE_TLV_DEPENDENCY, 12, dep_val },
        { 0x00a5, 3, NULL }, /* vendor, protected */
    };
    struct tlv_spec extra[] = { { 0x1234, 5, NULL } }; /* vendor, unprotected */
    struct image_validate_result res;
    struct img im;

    (void)state;
    build(&im, 100, prot, 3, extra, 1);
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    assert_int_equal(res.hdr.img_size, 100);
    assert_int_equal(res.layout.body_end, 164);
    assert_int_equal(res.layout.prot_end, im.prot_end);
    assert_int_equal(res.layout.tlv_end, im.len);
    assert_true(res.has_sec_cnt);
    assert_int_equal(res.sec_cnt, 0x01020007);
    assert_int_equal(res.dep_count, 1);
    assert_int_equal(res.deps[0].image_id, 1);
    assert_int_equal(res.deps[0].min_version.major, 2);
    assert_int_equal(res.deps[0].min_version.minor, 3);
    assert_int_equal(res.deps[0].min_version.revision, 4);
    assert_int_equal(res.deps[0].min_version.build, 5);
    assert_int_equal(res.key_index, -1);
    assert_false(res.non_bootable);
    /* Without a signature and without permission for unsigned images: rejected. */
    assert_int_equal(validate(&im, im.len, false, &res), BO_EBADSIG);
    /* Padding after the image (a slot) changes nothing. */
    memset(im.buf + im.len, 0xff, 512);
    assert_int_equal(validate(&im, im.len + 512, true, &res), 0);
}

static void test_non_bootable_reported(void **state)
{
    struct image_validate_result res;
    struct img im;
    uint32_t h;

    (void)state;
    h = build(&im, 40, NULL, 0, NULL, 0);
    put32(im.buf + 16, IMAGE_F_NON_BOOTABLE);
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    assert_true(res.non_bootable);
}

static void test_truncated_and_bad_header(void **state)
{
    struct image_validate_result res;
    struct image_header hdr;
    struct image_src src;
    struct img im;
    uint32_t h;

    (void)state;
    h = build(&im, 40, NULL, 0, NULL, 0);
    /* Too short for a header. */
    image_src_from_buffer(&src, im.buf, 31);
    assert_int_equal(image_header_read(&src, &hdr), BO_EBADIMAGE);
    assert_int_equal(validate(&im, 0, true, &res), BO_EBADIMAGE);
    /* Bad magic. */
    im.buf[0] ^= 1;
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_BAD_HEADER);
    im.buf[0] ^= 1;
    /* hdr_size smaller than the header. */
    put16(im.buf + 8, 16);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* hdr_size + img_size past the end, and overflowing 32 bits. */
    h = build(&im, 40, NULL, 0, NULL, 0);
    put32(im.buf + 12, im.len);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    put32(im.buf + 12, 0xffffffe0u);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    put16(im.buf + 8, 0xffff);
    put32(im.buf + 12, 0xffff0001u);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
}

static void test_protected_size_mismatch(void **state)
{
    struct tlv_spec prot[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val } };
    struct image_validate_result res;
    struct img im;
    uint32_t h;

    (void)state;
    /* Header says bigger than the protected info. */
    h = build(&im, 40, prot, 1, NULL, 0);
    put16(im.buf + 10, 16);
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_BAD_TLV_AREA);
    /* Header says there is none, but a protected area follows the payload. */
    h = build(&im, 40, prot, 1, NULL, 0);
    put16(im.buf + 10, 0);
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* Header says there is one, but the payload is followed by the TLV area. */
    h = build(&im, 40, NULL, 0, NULL, 0);
    put16(im.buf + 10, 40);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* A protected area whose info has the wrong magic. */
    h = build(&im, 40, prot, 1, NULL, 0);
    put16(im.buf + im.body_end, IMAGE_TLV_INFO_MAGIC);
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
}

static void test_tlv_bounds(void **state)
{
    struct tlv_spec extra[] = { { 0x00a0, 8, NULL } };
    struct image_validate_result res;
    struct img im;
    uint32_t area;

    (void)state;
    /* TLV area total past the end of the source. */
    build(&im, 40, NULL, 0, NULL, 0);
    assert_int_equal(validate(&im, im.len - 1, true, &res), BO_EBADIMAGE);
    /* TLV area total smaller than its info. */
    build(&im, 40, NULL, 0, NULL, 0);
    put16(im.buf + im.prot_end + 2, 3);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* A TLV whose value runs past the area (the area is shorter than it claims). */
    build(&im, 40, NULL, 0, extra, 1);
    area = im.len - im.prot_end;
    put16(im.buf + im.prot_end + 2, (uint16_t)(area - 1));
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* A TLV length that runs far past the area and the source. */
    build(&im, 40, NULL, 0, extra, 1);
    put16(im.buf + im.len - 8 - 2, 0xfff0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* Two stray bytes at the end of the area: half a TLV header. */
    build(&im, 40, NULL, 0, NULL, 0);
    area = im.len - im.prot_end;
    put16(im.buf + im.prot_end + 2, (uint16_t)(area + 2));
    memset(im.buf + im.len, 0, 2);
    assert_int_equal(validate(&im, im.len + 2, true, &res), BO_EBADIMAGE);
    /* Protected TLV running past the protected area. */
    {
        struct tlv_spec prot[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val } };
        uint32_t h = build(&im, 40, prot, 1, NULL, 0);

        put16(im.buf + im.body_end + 6, 8);
        rehash(&im, h);
        assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    }
}

static void test_hash_tlv_rules(void **state)
{
    uint8_t digest[32];
    struct tlv_spec dup[] = { { IMAGE_TLV_SHA256, 32, digest } };
    struct tlv_spec dup384[] = { { IMAGE_TLV_SHA384, 48, NULL } };
    struct image_validate_result res;
    struct img im;
    uint32_t h;

    (void)state;
    /* Duplicated hash TLV, even an identical one. */
    build(&im, 40, NULL, 0, NULL, 0);
    memcpy(digest, im.buf + im.prot_end + 8, 32);
    build(&im, 40, NULL, 0, dup, 1);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_DUP_HASH);
    /* Two hash TLVs of different algorithms. */
    build(&im, 40, NULL, 0, dup384, 1);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_DUP_HASH);
    /* Missing hash TLV: turn it into a vendor TLV. */
    h = build(&im, 40, NULL, 0, NULL, 0);
    put16(im.buf + h - 4, 0x00a0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_NO_HASH);
    /* Hash TLV of the wrong length for its type. */
    h = build(&im, 40, NULL, 0, NULL, 0);
    put16(im.buf + h - 4, IMAGE_TLV_SHA384);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* SHA-512 is not supported. */
    put16(im.buf + h - 4, IMAGE_TLV_SHA512);
    assert_int_equal(validate(&im, im.len, true, &res), BO_ENOTSUP);
    /* Hash mismatch: a payload bit flipped. */
    build(&im, 40, NULL, 0, NULL, 0);
    im.buf[100] ^= 0x10;
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADSIG);
    assert_int_equal(res.reason, IMAGE_VALIDATE_HASH_MISMATCH);
    /* The hash covers the protected TLVs too. */
    {
        struct tlv_spec prot[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val } };

        build(&im, 40, prot, 1, NULL, 0);
        im.buf[im.body_end + 8] ^= 1;
        assert_int_equal(validate(&im, im.len, true, &res), BO_EBADSIG);
    }
    /* ... and the header padding. */
    build(&im, 40, NULL, 0, NULL, 0);
    im.buf[40] ^= 1;
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADSIG);
}

static void test_sha384_hash_only(void **state)
{
    struct image_validate_result res;
    uint8_t digest[48];
    struct img im;
    uint32_t h;

    (void)state;
    build(&im, 300, NULL, 0, NULL, 0);
    /* Rewrite the hash TLV as SHA-384: the area grows by 16 bytes. */
    h = im.prot_end + 8;
    put16(im.buf + im.prot_end + 2, 4 + 4 + 48);
    put16(im.buf + h - 4, IMAGE_TLV_SHA384);
    put16(im.buf + h - 2, 48);
    mbedtls_sha512(im.buf, im.prot_end, digest, 1);
    memcpy(im.buf + h, digest, 48);
    im.len = h + 48;
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    assert_int_equal(res.hash_type, IMAGE_TLV_SHA384);
    assert_int_equal(res.hash_len, 48);
    assert_memory_equal(res.hash, digest, 48);
}

static void test_tlv_placement(void **state)
{
    struct tlv_spec unprot_sec[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val } };
    struct tlv_spec unprot_dep[] = { { IMAGE_TLV_DEPENDENCY, 12, dep_val } };
    struct tlv_spec unknown[] = { { 0x0077, 4, NULL } };
    struct tlv_spec prot_bad_len[] = { { IMAGE_TLV_SEC_CNT, 5, NULL } };
    struct tlv_spec prot_dup[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val },
                                   { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val } };
    struct tlv_spec prot_hash[] = { { IMAGE_TLV_SHA256, 32, NULL } };
    struct tlv_spec prot_unknown[] = { { 0x0077, 4, NULL } };
    struct tlv_spec deps[5];
    struct image_validate_result res;
    struct img im;
    size_t i;

    (void)state;
    build(&im, 40, NULL, 0, unprot_sec, 1);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    build(&im, 40, NULL, 0, unprot_dep, 1);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    build(&im, 40, NULL, 0, unknown, 1);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    assert_int_equal(res.reason, IMAGE_VALIDATE_BAD_TLV);
    build(&im, 40, prot_bad_len, 1, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    build(&im, 40, prot_dup, 2, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    build(&im, 40, prot_hash, 1, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
    /* Unknown types are tolerated where the hash covers them. */
    build(&im, 40, prot_unknown, 1, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    /* At most IMAGE_VALIDATE_MAX_DEPS dependencies. */
    for (i = 0; i < 5; i++) {
        deps[i] = (struct tlv_spec){ IMAGE_TLV_DEPENDENCY, 12, dep_val };
    }
    build(&im, 40, deps, IMAGE_VALIDATE_MAX_DEPS, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    assert_int_equal(res.dep_count, IMAGE_VALIDATE_MAX_DEPS);
    build(&im, 40, deps, IMAGE_VALIDATE_MAX_DEPS + 1, NULL, 0);
    assert_int_equal(validate(&im, im.len, true, &res), BO_EBADIMAGE);
}

static void test_encrypted_not_supported(void **state)
{
    struct image_validate_result res;
    struct img im;
    uint32_t h;

    (void)state;
    h = build(&im, 40, NULL, 0, NULL, 0);
    put32(im.buf + 16, IMAGE_F_ENCRYPTED_AES128);
    rehash(&im, h);
    assert_int_equal(validate(&im, im.len, true, &res), BO_ENOTSUP);
}

static void test_iterator(void **state)
{
    struct tlv_spec prot[] = {
        { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val },
        { IMAGE_TLV_DEPENDENCY, 12, dep_val },
        { IMAGE_TLV_DEPENDENCY, 12, dep_val },
    };
    struct tlv_spec extra[] = { { 0x00a0, 1, NULL }, { 0x00a1, 0, NULL } };
    struct image_layout layout;
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_src src;
    struct img im;
    uint32_t n;

    (void)state;
    build(&im, 10, prot, 3, extra, 2);
    image_src_from_buffer(&src, im.buf, im.len);
    assert_int_equal(image_header_read(&src, &hdr), 0);
    assert_int_equal(image_layout_read(&src, &hdr, &layout), 0);

    /* Everything, in order: three protected, then the hash and two vendor TLVs. */
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_ANY, false);
    static const uint16_t order[] = { IMAGE_TLV_SEC_CNT,
                                      IMAGE_TLV_DEPENDENCY,
                                      IMAGE_TLV_DEPENDENCY,
                                      IMAGE_TLV_SHA256,
                                      0x00a0,
                                      0x00a1 };
    for (n = 0; n < 6; n++) {
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
        assert_int_equal(tlv.type, order[n]);
        assert_int_equal(tlv.prot, n < 3);
    }
    assert_int_equal(image_tlv_iter_next(&it, &tlv), BO_ENOENT);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), BO_ENOENT);

    /* Filtered by type. */
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_DEPENDENCY, false);
    for (n = 0; image_tlv_iter_next(&it, &tlv) == 0; n++) {
        assert_int_equal(tlv.len, 12);
        assert_true(tlv.prot);
    }
    assert_int_equal(n, 2);

    /* Protected only: the hash is not seen. */
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_SHA256, true);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), BO_ENOENT);
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_SHA256, false);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
    assert_false(tlv.prot);
    assert_int_equal(tlv.off, im.prot_end + 8);

    /* Reading a value into too small a buffer is refused. */
    {
        uint8_t small[16];

        assert_int_equal(image_tlv_read(&src, &tlv, small, sizeof(small)), BO_EBADIMAGE);
    }

    /* No protected area: protected-only iteration is empty at once. */
    build(&im, 10, NULL, 0, NULL, 0);
    image_src_from_buffer(&src, im.buf, im.len);
    assert_int_equal(image_header_read(&src, &hdr), 0);
    assert_int_equal(image_layout_read(&src, &hdr, &layout), 0);
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_ANY, true);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), BO_ENOENT);
}

static void test_version_cmp(void **state)
{
    struct image_version a = { 1, 2, 3, 4 };
    struct image_version b = { 1, 2, 3, 5 };
    struct image_version c = { 1, 3, 0, 0 };
    struct image_version d = { 2, 0, 0, 0 };
    struct image_version e = { 1, 2, 4, 0 };

    (void)state;
    assert_int_equal(image_version_cmp(&a, &b, false), 0);
    assert_true(image_version_cmp(&a, &b, true) < 0);
    assert_true(image_version_cmp(&b, &a, true) > 0);
    assert_true(image_version_cmp(&a, &c, false) < 0);
    assert_true(image_version_cmp(&d, &c, false) > 0);
    assert_true(image_version_cmp(&e, &a, false) > 0);
    assert_int_equal(image_version_cmp(&a, &a, true), 0);
}

static void test_src_bounds(void **state)
{
    uint8_t data[16] = { 0 };
    uint8_t out[16];
    struct image_src src;

    (void)state;
    image_src_from_buffer(&src, data, sizeof(data));
    assert_int_equal(image_src_read(&src, 0, out, 16), 0);
    assert_int_equal(image_src_read(&src, 16, out, 0), 0);
    assert_int_equal(image_src_read(&src, 1, out, 16), BO_ERANGE);
    assert_int_equal(image_src_read(&src, 17, out, 0), BO_ERANGE);
    assert_int_equal(image_src_read(&src, 0xfffffff0u, out, 0x20), BO_ERANGE);
    assert_int_equal(image_src_read(&src, 8, out, 0xfffffffcu), BO_ERANGE);
}

/* Every prefix of a valid image, and every single-byte corruption of its metadata, is rejected
 * with a defined code (and without touching memory outside the source, which the buffer source
 * would expose under a sanitizer). */
static void test_truncations_and_corruptions(void **state)
{
    struct tlv_spec prot[] = { { IMAGE_TLV_SEC_CNT, 4, sec_cnt_val },
                               { IMAGE_TLV_DEPENDENCY, 12, dep_val } };
    struct tlv_spec extra[] = { { IMAGE_TLV_KEYHASH, 32, NULL }, { 0x00a0, 70, NULL } };
    struct image_validate_result res;
    uint8_t *copy;
    struct img im;
    uint32_t len;
    uint32_t i;
    int bit;
    int rc;

    (void)state;
    build(&im, 64, prot, 2, extra, 2);
    assert_int_equal(validate(&im, im.len, true, &res), 0);
    for (len = 0; len < im.len; len++) {
        /* An exact-size heap copy, so a read past the end is a real overflow. */
        struct image_validate_config cfg = { NULL, 0, true };
        struct image_src src;

        copy = malloc(len > 0 ? len : 1);
        assert_non_null(copy);
        memcpy(copy, im.buf, len);
        image_src_from_buffer(&src, copy, len);
        rc = image_validate(&src, &cfg, &res);
        assert_true(rc == BO_EBADIMAGE);
        free(copy);
    }
    for (i = 0; i < im.len; i++) {
        if (i >= 64 && i < im.body_end) {
            continue; /* Payload bytes only change the hash. */
        }
        for (bit = 0; bit < 8; bit += 3) {
            im.buf[i] ^= (uint8_t)(1u << bit);
            rc = validate(&im, im.len, true, &res);
            assert_true(rc == 0 || rc == BO_EBADIMAGE || rc == BO_EBADSIG || rc == BO_ENOTSUP);
            im.buf[i] ^= (uint8_t)(1u << bit);
        }
    }
}

static int setup(void **state)
{
    static mbedtls_platform_context plat;

    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_codec),
        cmocka_unit_test(test_valid_synthetic),
        cmocka_unit_test(test_non_bootable_reported),
        cmocka_unit_test(test_truncated_and_bad_header),
        cmocka_unit_test(test_protected_size_mismatch),
        cmocka_unit_test(test_tlv_bounds),
        cmocka_unit_test(test_hash_tlv_rules),
        cmocka_unit_test(test_sha384_hash_only),
        cmocka_unit_test(test_tlv_placement),
        cmocka_unit_test(test_encrypted_not_supported),
        cmocka_unit_test(test_iterator),
        cmocka_unit_test(test_version_cmp),
        cmocka_unit_test(test_src_bounds),
        cmocka_unit_test(test_truncations_and_corruptions),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
