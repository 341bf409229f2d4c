/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of core/boot/image_validate.c against images signed by MCUboot's imgtool (the shared
 * interop vectors): each is accepted or rejected as manifest.tsv says, and the header fields
 * validation reports equal the bytes of the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"

#include "bo_err.h"
#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "image/keys.h"
#include "port_flash_map.h"
#include "port_rng.h"
#include "support/interop.h"

static struct port_rng rng;

static const char *vec_dir(void)
{
    const char *dir = interop_imgtool_dir();

    if (dir == NULL) {
        fail_msg("interop vectors not found: set BROWNOUT_SHARED to the directory holding "
                 "interop/imgtool (repository root: %s)",
                 interop_repo_root() != NULL ? interop_repo_root() : "not found");
    }
    return dir;
}

static uint8_t *load_vec(const char *name, size_t *len)
{
    uint8_t *data = NULL;
    char path[1024];

    snprintf(path, sizeof(path), "%s", interop_path(vec_dir(), name));
    if (interop_read_file(path, &data, len) != 0) {
        fail_msg("cannot read %s", path);
    }
    return data;
}

/* Loads keys/NAME.pub.pem of the vectors into k. */
static void load_key(struct keys_key *k, const char *name)
{
    char err[KEYS_ERR_MAX];
    char rel[256];
    char path[1024];

    snprintf(rel, sizeof(rel), "keys/%s.pub.pem", name);
    snprintf(path, sizeof(path), "%s", interop_path(vec_dir(), rel));
    keys_init(k);
    if (keys_load(k, path, port_rng_random, &rng, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
}

static int validate_buf(const uint8_t *data, size_t len, const struct image_key *keys,
                        uint32_t nkeys, bool allow_unsigned, struct image_validate_result *res)
{
    struct image_validate_config cfg = { keys, nkeys, allow_unsigned };
    struct image_src src;

    image_src_from_buffer(&src, data, (uint32_t)len);
    return image_validate(&src, &cfg, res);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static void check_header_fields(const uint8_t *data, const struct image_validate_result *res)
{
    assert_int_equal(res->hdr.magic, le32(data));
    assert_int_equal(res->hdr.load_addr, le32(data + 4));
    assert_int_equal(res->hdr.hdr_size, le16(data + 8));
    assert_int_equal(res->hdr.protect_tlv_size, le16(data + 10));
    assert_int_equal(res->hdr.img_size, le32(data + 12));
    assert_int_equal(res->hdr.flags, le32(data + 16));
    assert_int_equal(res->hdr.version.major, data[20]);
    assert_int_equal(res->hdr.version.minor, data[21]);
    assert_int_equal(res->hdr.version.revision, le16(data + 22));
    assert_int_equal(res->hdr.version.build, le32(data + 24));
}

/* Every row of manifest.tsv, with and without permission for unsigned images. */
static void test_manifest(void **state)
{
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    struct image_validate_result res;
    struct image_key ik;
    struct keys_key k;
    uint8_t digest[32];
    uint8_t *data;
    size_t len;
    int n;
    int i;
    int rc_strict;
    int rc_lax;
    int valid = 0;
    int invalid = 0;
    int unsigned_ok = 0;

    (void)state;
    vec_dir();
    n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    assert_true(n >= 10);
    for (i = 0; i < n; i++) {
        bool have_key = strcmp(rows[i].key, "none") != 0;

        data = load_vec(rows[i].file, &len);
        if (have_key) {
            load_key(&k, rows[i].key);
            keys_to_image_key(&k, &ik);
        }
        rc_strict = validate_buf(data, len, have_key ? &ik : NULL, have_key ? 1 : 0, false, &res);
        rc_lax = validate_buf(data, len, have_key ? &ik : NULL, have_key ? 1 : 0, true, &res);
        print_message("  %-28s %-26s strict=%d lax=%d\n", rows[i].file, rows[i].expect, rc_strict,
                      rc_lax);
        if (strcmp(rows[i].expect, "valid") == 0) {
            assert_int_equal(rc_strict, 0);
            assert_int_equal(rc_lax, 0);
            assert_int_equal(res.key_index, 0);
            assert_int_equal(res.hash_type, IMAGE_TLV_SHA256);
            /* The hash reported is the SHA-256 of header + payload + protected TLVs. */
            mbedtls_sha256(data, res.layout.prot_end, digest, 0);
            assert_memory_equal(res.hash, digest, 32);
            valid++;
        } else if (strcmp(rows[i].expect, "invalid") == 0) {
            assert_int_equal(rc_strict, BO_EBADSIG);
            assert_int_equal(rc_lax, BO_EBADSIG);
            invalid++;
        } else if (strcmp(rows[i].expect, "valid-if-unsigned-allowed") == 0) {
            assert_int_equal(rc_strict, BO_EBADSIG);
            assert_int_equal(rc_lax, 0);
            assert_int_equal(res.key_index, -1);
            unsigned_ok++;
        } else {
            fail_msg("unknown expectation '%s' for %s", rows[i].expect, rows[i].file);
        }
        /* Whatever the verdict, the header was parsed and reported as the file holds it. */
        check_header_fields(data, &res);
        if (have_key) {
            keys_free(&k);
        }
        free(data);
    }
    assert_true(valid > 0 && invalid > 0 && unsigned_ok > 0);
}

static void test_protected_tlvs_decoded(void **state)
{
    struct image_validate_result res;
    struct image_key ik;
    struct keys_key k;
    uint8_t *data;
    size_t len;

    (void)state;
    load_key(&k, "ec256");
    keys_to_image_key(&k, &ik);
    data = load_vec("ec256-protected-tlvs.bin", &len);
    assert_int_equal(validate_buf(data, len, &ik, 1, false, &res), 0);
    /* imgtool's "-s auto" derives the counter from the version 3.1.0: 0x03010000. */
    assert_true(res.has_sec_cnt);
    assert_int_equal(res.sec_cnt, 0x03010000);
    assert_int_equal(res.dep_count, 1);
    assert_int_equal(res.deps[0].image_id, 1);
    assert_int_equal(res.deps[0].min_version.major, 1);
    assert_int_equal(res.deps[0].min_version.minor, 0);
    assert_int_equal(res.deps[0].min_version.revision, 0);
    assert_int_equal(res.deps[0].min_version.build, 0);
    assert_int_equal(res.sig_type, IMAGE_TLV_ECDSA_SIG);
    assert_false(res.non_bootable);
    free(data);
    keys_free(&k);
}

/* The KEYHASH TLV is the SHA-256 of the key as the table holds it. */
static void test_keyhash_form(void **state)
{
    struct image_layout layout;
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_src src;
    uint8_t want[IMAGE_VALIDATE_HASH_MAX];
    uint8_t got[32];
    static const char *const names[][2] = {
        { "ec256-keyhash.bin", "ec256" },
        { "rsa2048.bin", "rsa2048" },
        { "ec256-wrong-key.bin", "ec256-other" },
    };
    struct keys_key k;
    uint8_t *data;
    size_t len;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        data = load_vec(names[i][0], &len);
        load_key(&k, names[i][1]);
        image_src_from_buffer(&src, data, (uint32_t)len);
        assert_int_equal(image_header_read(&src, &hdr), 0);
        assert_int_equal(image_layout_read(&src, &hdr, &layout), 0);
        image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_KEYHASH, false);
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
        assert_int_equal(tlv.len, 32);
        assert_int_equal(image_tlv_read(&src, &tlv, got, sizeof(got)), 0);
        assert_int_equal(image_validate_key_hash(k.pub_der, k.pub_der_len, IMAGE_TLV_SHA256, want),
                         0);
        assert_memory_equal(got, want, 32);
        keys_free(&k);
        free(data);
    }
}

static void test_key_table_lookup(void **state)
{
    struct image_validate_result res;
    struct image_key table[3];
    struct keys_key k[3];
    uint8_t *data;
    size_t len;

    (void)state;
    load_key(&k[0], "rsa2048");
    load_key(&k[1], "ec256-other");
    load_key(&k[2], "ec256");
    for (int i = 0; i < 3; i++) {
        keys_to_image_key(&k[i], &table[i]);
    }
    /* Found by hash at its index, whatever the order of the table. */
    data = load_vec("ec256-keyhash.bin", &len);
    assert_int_equal(validate_buf(data, len, table, 3, false, &res), 0);
    assert_int_equal(res.key_index, 2);
    /* Not trusted without it. */
    assert_int_equal(validate_buf(data, len, table, 2, false, &res), BO_EBADSIG);
    assert_int_equal(validate_buf(data, len, NULL, 0, false, &res), BO_EBADSIG);
    free(data);
    /* The full PUBKEY form. */
    data = load_vec("ec256-pubkey.bin", &len);
    assert_int_equal(validate_buf(data, len, table, 3, false, &res), 0);
    assert_int_equal(res.key_index, 2);
    assert_int_equal(validate_buf(data, len, table, 2, false, &res), BO_EBADSIG);
    free(data);
    /* The "wrong" key is fine once it is trusted: the rejection was about trust. */
    data = load_vec("ec256-wrong-key.bin", &len);
    assert_int_equal(validate_buf(data, len, table, 3, false, &res), 0);
    assert_int_equal(res.key_index, 1);
    free(data);
    data = load_vec("rsa2048.bin", &len);
    assert_int_equal(validate_buf(data, len, table, 3, false, &res), 0);
    assert_int_equal(res.key_index, 0);
    assert_int_equal(res.sig_type, IMAGE_TLV_RSA2048_PSS);
    /* A key listed with the wrong type never matches. */
    table[0].type = IMAGE_KEY_RSA3072;
    assert_int_equal(validate_buf(data, len, table, 1, false, &res), BO_EBADSIG);
    free(data);
    for (int i = 0; i < 3; i++) {
        keys_free(&k[i]);
    }
}

/* A signature that fails, or that no trusted key made, is never excused by permission for
 * unsigned images; that permission covers images without any signature. */
static void test_tampered_even_if_unsigned_allowed(void **state)
{
    struct image_validate_result res;
    struct image_key ik;
    struct keys_key k;
    uint8_t *data;
    size_t len;

    (void)state;
    load_key(&k, "ec256");
    keys_to_image_key(&k, &ik);
    data = load_vec("ec256-tampered-sig.bin", &len);
    assert_int_equal(validate_buf(data, len, &ik, 1, true, &res), BO_EBADSIG);
    assert_int_equal(validate_buf(data, len, NULL, 0, true, &res), BO_EBADSIG);
    free(data);
    data = load_vec("ec256-keyhash.bin", &len);
    assert_int_equal(validate_buf(data, len, NULL, 0, true, &res), BO_EBADSIG);
    free(data);
    keys_free(&k);
}

/* Each rejection says why. */
static void test_reasons(void **state)
{
    static const struct {
        const char *file;
        bool allow_unsigned;
        int rc;
        enum image_validate_reason reason;
    } cases[] = {
        { "ec256-keyhash.bin", false, 0, IMAGE_VALIDATE_OK },
        { "ec256-wrong-key.bin", false, BO_EBADSIG, IMAGE_VALIDATE_UNTRUSTED },
        { "ec256-tampered-body.bin", false, BO_EBADSIG, IMAGE_VALIDATE_HASH_MISMATCH },
        { "ec256-tampered-sig.bin", false, BO_EBADSIG, IMAGE_VALIDATE_BAD_SIGNATURE },
        { "hash-only.bin", false, BO_EBADSIG, IMAGE_VALIDATE_UNSIGNED },
        { "hash-only.bin", true, 0, IMAGE_VALIDATE_OK },
        { "payload.bin", true, BO_EBADIMAGE, IMAGE_VALIDATE_BAD_HEADER },
    };
    struct image_validate_result res;
    struct image_key ik;
    struct keys_key k;
    uint8_t *data;
    size_t len;
    size_t i;

    (void)state;
    load_key(&k, "ec256");
    keys_to_image_key(&k, &ik);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        data = load_vec(cases[i].file, &len);
        assert_int_equal(validate_buf(data, len, &ik, 1, cases[i].allow_unsigned, &res),
                         cases[i].rc);
        assert_int_equal(res.reason, cases[i].reason);
        assert_non_null(image_validate_reason_str(res.reason));
        free(data);
    }
    keys_free(&k);
}

/* A vector validates in a flash slot of a board, through flash_area_read. */
static void test_from_flash_area(void **state)
{
    const char *root = interop_repo_root();
    struct image_validate_result res;
    struct port_flash_map map;
    struct port_flash_map *prev;
    const struct flash_area *fa;
    struct image_src src;
    struct image_key ik;
    struct keys_key k;
    char board[1024];
    char err[256];
    uint8_t *data;
    size_t len;

    (void)state;
    assert_non_null(root);
    snprintf(board, sizeof(board), "%s/fixtures/boards/nrf52840.ini", root);
    port_flash_map_init(&map);
    if (port_flash_map_setup_board_file(&map, board, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    prev = port_flash_map_activate(&map);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SECONDARY(0), &fa), 0);
    data = load_vec("ec256-keyhash.bin", &len);
    /* Programmed whole write units: the tail is padded with the erased value. */
    {
        size_t units = (len + 3) & ~(size_t)3;
        uint8_t *padded = realloc(data, units);

        assert_non_null(padded);
        memset(padded + len, 0xff, units - len);
        data = padded;
        len = units;
    }
    assert_true(len <= flash_area_get_size(fa));
    assert_int_equal(flash_area_write(fa, 0, data, (uint32_t)len), 0);
    load_key(&k, "ec256");
    keys_to_image_key(&k, &ik);
    image_src_from_flash_area(&src, fa);
    assert_int_equal(src.size, flash_area_get_size(fa));
    {
        struct image_validate_config cfg = { &ik, 1, false };

        assert_int_equal(image_validate(&src, &cfg, &res), 0);
        assert_int_equal(res.hdr.version.major, 1);
        /* A flipped payload bit in flash is found. */
        data[1000] ^= 0x01;
        assert_int_equal(flash_area_erase(fa, 0, flash_area_get_size(fa)), 0);
        assert_int_equal(flash_area_write(fa, 0, data, (uint32_t)len), 0);
        assert_int_equal(image_validate(&src, &cfg, &res), BO_EBADSIG);
    }
    free(data);
    keys_free(&k);
    flash_area_close(fa);
    port_flash_map_activate(prev);
    port_flash_map_free(&map);
}

static int setup(void **state)
{
    static mbedtls_platform_context plat;

    (void)state;
    memset(&plat, 0, sizeof(plat));
    if (mbedtls_platform_setup(&plat) != 0) {
        return -1;
    }
    port_rng_init(&rng);
    return port_rng_setup(&rng, "test_image_validate");
}

static int teardown(void **state)
{
    (void)state;
    port_rng_free(&rng);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_protected_tlvs_decoded),
        cmocka_unit_test(test_keyhash_form),
        cmocka_unit_test(test_key_table_lookup),
        cmocka_unit_test(test_tampered_even_if_unsigned_allowed),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_from_flash_area),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
