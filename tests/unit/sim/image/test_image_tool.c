/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the image tool (sim/image/image_sign.c, sim/image/image_info.c, sim/image/image_tool.c, sim/image/keys.c):
 * images re-signed from the imgtool vectors' payloads have imgtool's layout byte for byte
 * (signature bytes aside), images signed with every key type verify and fail once tampered,
 * and info reports what the files hold (the command line: test_image_tool_cli.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "mbedtls/platform.h"

#include "bo_err.h"
#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "boot/trailer.h"
#include "image/image_info.h"
#include "image/image_sign.h"
#include "image/image_tool.h"
#include "image/keys.h"
#include "port_rng.h"
#include "support/interop.h"

static struct port_rng rng;

static const char *const interop_keys[] = { "ec256", "ec256-other", "rsa2048" };

static const char *vec_dir(void)
{
    const char *dir = interop_imgtool_dir();

    if (dir == NULL) {
        fail_msg("interop vectors not found: set BROWNOUT_SHARED to the directory holding "
                 "interop/imgtool");
    }
    return dir;
}

static uint8_t *read_or_fail(const char *path, size_t *len)
{
    uint8_t *data = NULL;

    if (interop_read_file(path, &data, len) != 0) {
        fail_msg("cannot read %s", path);
    }
    return data;
}

static uint8_t *load_vec(const char *name, size_t *len)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s", interop_path(vec_dir(), name));
    return read_or_fail(path, len);
}

static void load_key_file(struct keys_key *k, const char *path)
{
    char err[KEYS_ERR_MAX];

    keys_init(k);
    if (keys_load(k, path, port_rng_random, &rng, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
}

/* Loads an interop key: NAME.pem (private) or NAME.pub.pem. */
static void load_interop_key(struct keys_key *k, const char *name, bool priv)
{
    char rel[256];
    char path[1024];

    snprintf(rel, sizeof(rel), "keys/%s%s", name, priv ? ".pem" : ".pub.pem");
    snprintf(path, sizeof(path), "%s", interop_path(vec_dir(), rel));
    load_key_file(k, path);
}

/* Loads fixtures/keys/NAME. */
static void load_fixture_key(struct keys_key *k, const char *name)
{
    char path[1024];

    assert_non_null(interop_repo_root());
    snprintf(path, sizeof(path), "%s/fixtures/keys/%s", interop_repo_root(), name);
    load_key_file(k, path);
}

static int validate_buf(const uint8_t *data, size_t len, const struct keys_key *k,
                        bool allow_unsigned, struct image_validate_result *res)
{
    struct image_key ik;
    struct image_validate_config cfg = { NULL, 0, allow_unsigned };
    struct image_src src;

    if (k != NULL) {
        keys_to_image_key(k, &ik);
        cfg.keys = &ik;
        cfg.key_count = 1;
    }
    image_src_from_buffer(&src, data, (uint32_t)len);
    return image_validate(&src, &cfg, res);
}

/* The signature TLV of an image: offset of its header and its value length. */
static void find_sig(const uint8_t *data, size_t len, uint32_t *hdr_off, uint32_t *val_len,
                     uint32_t *tlv_off)
{
    struct image_layout layout;
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_src src;

    *hdr_off = 0;
    *val_len = 0;
    image_src_from_buffer(&src, data, (uint32_t)len);
    assert_int_equal(image_header_read(&src, &hdr), 0);
    assert_int_equal(image_layout_read(&src, &hdr, &layout), 0);
    *tlv_off = layout.tlv_off;
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_ANY, false);
    while (image_tlv_iter_next(&it, &tlv) == 0) {
        if (tlv.type == IMAGE_TLV_ECDSA_SIG || tlv.type == IMAGE_TLV_RSA2048_PSS ||
            tlv.type == IMAGE_TLV_RSA3072_PSS) {
            *hdr_off = tlv.off - IMAGE_TLV_HDR_SIZE;
            *val_len = tlv.len;
        }
    }
}

/*
 * Compares two images of one layout, except the signature value: everything before the
 * signature TLV (with the TLV area's total and the signature length masked, since a DER ECDSA
 * signature varies by a byte or two), and everything after it (padding and trailer), aligned
 * on the end of the file when both are padded to a slot, with the longer one's extra bytes
 * being erased padding.
 */
static void assert_same_layout(const char *name, const uint8_t *a, size_t alen, const uint8_t *b,
                               size_t blen, uint8_t erased)
{
    uint32_t asig, asig_len, atlv;
    uint32_t bsig, bsig_len, btlv;
    size_t arest, brest, common, i;
    uint8_t *ca;
    uint8_t *cb;

    find_sig(a, alen, &asig, &asig_len, &atlv);
    find_sig(b, blen, &bsig, &bsig_len, &btlv);
    assert_int_equal(asig, bsig);
    assert_int_equal(atlv, btlv);
    if (asig == 0) {
        /* No signature: the images must be identical. */
        assert_int_equal(alen, blen);
        if (memcmp(a, b, alen) != 0) {
            fail_msg("%s: differs from imgtool's output", name);
        }
        return;
    }
    ca = malloc(asig + 4);
    cb = malloc(bsig + 4);
    assert_non_null(ca);
    assert_non_null(cb);
    memcpy(ca, a, asig + 4);
    memcpy(cb, b, bsig + 4);
    /* Mask the TLV area total and the signature length. */
    ca[atlv + 2] = cb[btlv + 2] = 0;
    ca[atlv + 3] = cb[btlv + 3] = 0;
    ca[asig + 2] = cb[bsig + 2] = 0;
    ca[asig + 3] = cb[bsig + 3] = 0;
    for (i = 0; i < asig + 4; i++) {
        if (ca[i] != cb[i]) {
            fail_msg("%s: byte 0x%zx differs from imgtool's (0x%02x, imgtool 0x%02x)", name, i,
                     cb[i], ca[i]);
        }
    }
    free(ca);
    free(cb);
    /* The totals differ exactly by the signature length difference. */
    assert_int_equal((a[atlv + 2] | a[atlv + 3] << 8) - (int)asig_len,
                     (b[btlv + 2] | b[btlv + 3] << 8) - (int)bsig_len);
    arest = alen - (asig + 4 + asig_len);
    brest = blen - (bsig + 4 + bsig_len);
    if (alen == blen) {
        /* Both padded to the slot: the tails line up from the end. */
        common = arest < brest ? arest : brest;
        if (memcmp(a + alen - common, b + blen - common, common) != 0) {
            fail_msg("%s: padding or trailer differs from imgtool's", name);
        }
        for (i = 0; i < arest - common; i++) {
            assert_int_equal(a[asig + 4 + asig_len + i], erased);
        }
        for (i = 0; i < brest - common; i++) {
            assert_int_equal(b[bsig + 4 + bsig_len + i], erased);
        }
    } else {
        assert_int_equal(arest, 0);
        assert_int_equal(brest, 0);
        assert_int_equal((long)alen - (long)asig_len, (long)blen - (long)bsig_len);
    }
}

/* Which interop key signed a vector (an index of interop_keys), or -1; res gets its verdict. */
static int it_vector_signer(const uint8_t *data, size_t len, struct image_validate_result *res)
{
    struct keys_key pub;
    size_t k;
    int signer = -1;

    /* Tampered vectors are nobody's output. */
    for (k = 0; k < sizeof(interop_keys) / sizeof(interop_keys[0]) && signer < 0; k++) {
        load_interop_key(&pub, interop_keys[k], false);
        if (validate_buf(data, len, &pub, false, res) == 0) {
            signer = (int)k;
        }
        keys_free(&pub);
    }
    return signer;
}

/* The signing options a vector's bytes reveal (res: its validation), as imgtool was run. */
static void it_opts_from_vector(struct image_sign_opts *o, const struct image_validate_result *res,
                                const uint8_t *data, size_t len)
{
    struct image_layout layout = res->layout;
    uint8_t magic[TRAILER_MAGIC_SZ];
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_src src;

    image_sign_opts_init(o);
    o->f_rng = port_rng_random;
    o->p_rng = &rng;
    o->header_size = res->hdr.hdr_size;
    o->pad_header = true;
    o->version = res->hdr.version;
    o->load_addr = res->hdr.load_addr;
    o->non_bootable = res->non_bootable;
    o->has_sec_cnt = res->has_sec_cnt;
    o->sec_cnt = res->sec_cnt;
    o->dep_count = res->dep_count;
    memcpy(o->deps, res->deps, sizeof(o->deps));
    /* As the vectors' README says: -S 0x40000 --align 4, max-align 8. */
    o->slot_size = 0x40000;
    o->align = 4;
    image_src_from_buffer(&src, data, (uint32_t)len);
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_PUBKEY, false);
    o->pubkey_full = image_tlv_iter_next(&it, &tlv) == 0;
    if (len > layout.tlv_end) {
        assert_int_equal(len, o->slot_size);
        assert_int_equal(trailer_magic_bytes(8, magic), 0);
        assert_memory_equal(data + len - 16, magic, 16);
        o->pad = true;
        o->confirm = data[len - 24] == TRAILER_FLAG_SET_BYTE;
    }
}

/* Re-signs each vector's payload with the options its bytes reveal and compares layouts. */
static void test_layout_matches_imgtool(void **state)
{
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    struct image_validate_result res;
    struct image_sign_opts o;
    struct keys_key priv;
    char err[KEYS_ERR_MAX];
    uint8_t *data;
    uint8_t *out;
    size_t len;
    size_t out_len;
    int signer;
    int n;
    int i;
    int compared = 0;

    (void)state;
    n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        data = load_vec(rows[i].file, &len);
        signer = it_vector_signer(data, len, &res);
        if (signer < 0 && validate_buf(data, len, NULL, true, &res) != 0) {
            print_message("  %-28s skipped (not imgtool's output as is)\n", rows[i].file);
            free(data);
            continue;
        }
        it_opts_from_vector(&o, &res, data, len);
        keys_init(&priv);
        if (signer >= 0) {
            load_interop_key(&priv, interop_keys[signer], true);
            o.key = &priv;
        }
        assert_int_equal(image_sign(&o, data + res.hdr.hdr_size, res.hdr.img_size, &out, &out_len,
                                    err, sizeof(err)),
                         0);
        assert_same_layout(rows[i].file, data, len, out, out_len, 0xff);
        /* And the re-signed image is valid with the same key. */
        if (signer >= 0) {
            assert_int_equal(validate_buf(out, out_len, &priv, false, &res), 0);
        }
        print_message("  %-28s same layout as imgtool (signer %s)\n", rows[i].file,
                      signer >= 0 ? interop_keys[signer] : "none");
        compared++;
        keys_free(&priv);
        free(out);
        free(data);
    }
    assert_true(compared >= 7);
}

/* Images signed with each fixture key type verify; any flipped bit is caught. */
static void test_sign_each_key_type(void **state)
{
    static const struct {
        const char *name;
        enum image_key_type type;
        uint16_t hash;
        uint16_t sig;
    } cases[] = {
        { "ec256", IMAGE_KEY_EC256, IMAGE_TLV_SHA256, IMAGE_TLV_ECDSA_SIG },
        { "ec384", IMAGE_KEY_EC384, IMAGE_TLV_SHA384, IMAGE_TLV_ECDSA_SIG },
        { "rsa2048", IMAGE_KEY_RSA2048, IMAGE_TLV_SHA256, IMAGE_TLV_RSA2048_PSS },
        { "rsa3072", IMAGE_KEY_RSA3072, IMAGE_TLV_SHA256, IMAGE_TLV_RSA3072_PSS },
    };
    struct image_validate_result res;
    struct image_sign_opts o;
    struct keys_key priv;
    struct keys_key pub;
    struct keys_key other;
    char name[64];
    char err[KEYS_ERR_MAX];
    uint8_t payload[3000];
    uint8_t *out;
    size_t out_len;
    uint32_t sig_off, sig_len, tlv_off;
    size_t i;
    size_t j;
    int full;

    (void)state;
    for (j = 0; j < sizeof(payload); j++) {
        payload[j] = (uint8_t)(j * 31 + 7);
    }
    load_fixture_key(&other, "interop-ec256.pub.pem");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(name, sizeof(name), "%s.pem", cases[i].name);
        load_fixture_key(&priv, name);
        snprintf(name, sizeof(name), "%s.pub.pem", cases[i].name);
        load_fixture_key(&pub, name);
        assert_int_equal(priv.type, cases[i].type);
        assert_int_equal(pub.type, cases[i].type);
        assert_int_equal(priv.pub_der_len, pub.pub_der_len);
        assert_memory_equal(priv.pub_der, pub.pub_der, pub.pub_der_len);
        for (full = 0; full < 2; full++) {
            image_sign_opts_init(&o);
            o.f_rng = port_rng_random;
            o.p_rng = &rng;
            o.key = &priv;
            o.pubkey_full = full != 0;
            o.header_size = 0x100;
            o.pad_header = true;
            o.version = (struct image_version){ 1, 2, 3, 4 };
            assert_int_equal(
                image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)), 0);
            assert_int_equal(validate_buf(out, out_len, &pub, false, &res), 0);
            assert_int_equal(res.hash_type, cases[i].hash);
            assert_int_equal(res.sig_type, cases[i].sig);
            assert_int_equal(res.key_index, 0);
            /* Another key does not verify it. */
            assert_int_equal(validate_buf(out, out_len, &other, false, &res), BO_EBADSIG);
            /* A flipped payload bit, a flipped signature bit. */
            out[0x100 + 1234] ^= 0x04;
            assert_int_equal(validate_buf(out, out_len, &pub, false, &res), BO_EBADSIG);
            assert_int_equal(res.reason, IMAGE_VALIDATE_HASH_MISMATCH);
            out[0x100 + 1234] ^= 0x04;
            find_sig(out, out_len, &sig_off, &sig_len, &tlv_off);
            assert_true(sig_len > 0);
            out[sig_off + 4 + sig_len / 2] ^= 0x20;
            assert_int_equal(validate_buf(out, out_len, &pub, false, &res), BO_EBADSIG);
            assert_int_equal(res.reason, IMAGE_VALIDATE_BAD_SIGNATURE);
            free(out);
        }
        keys_free(&priv);
        keys_free(&pub);
    }
    keys_free(&other);
}

/* An ECDSA signature padded with zeros (imgtool --pad-sig) still verifies; other bytes do not. */
static void test_padded_ecdsa_signature(void **state)
{
    struct image_validate_result res;
    struct image_sign_opts o;
    struct keys_key priv;
    char err[KEYS_ERR_MAX];
    uint8_t payload[256] = { 0 };
    uint32_t sig_off, sig_len, tlv_off, total;
    uint8_t *out;
    uint8_t *padded;
    size_t out_len;

    (void)state;
    load_fixture_key(&priv, "ec256.pem");
    image_sign_opts_init(&o);
    o.f_rng = port_rng_random;
    o.p_rng = &rng;
    o.key = &priv;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)), 0);
    find_sig(out, out_len, &sig_off, &sig_len, &tlv_off);
    /* The signature is the last TLV: grow it by 3 zero bytes. */
    assert_int_equal(sig_off + 4 + sig_len, out_len);
    padded = calloc(1, out_len + 3);
    assert_non_null(padded);
    memcpy(padded, out, out_len);
    padded[sig_off + 2] = (uint8_t)(sig_len + 3);
    total = (uint32_t)(out[tlv_off + 2] | out[tlv_off + 3] << 8) + 3;
    padded[tlv_off + 2] = (uint8_t)total;
    padded[tlv_off + 3] = (uint8_t)(total >> 8);
    assert_int_equal(validate_buf(padded, out_len + 3, &priv, false, &res), 0);
    padded[out_len + 1] = 0x01;
    assert_int_equal(validate_buf(padded, out_len + 3, &priv, false, &res), BO_EBADSIG);
    assert_int_equal(res.reason, IMAGE_VALIDATE_BAD_SIGNATURE);
    free(padded);
    free(out);
    keys_free(&priv);
}

/* A generated key signs images that its public half verifies. */
static void test_keygen_roundtrip(void **state)
{
    struct image_validate_result res;
    struct image_sign_opts o;
    struct keys_key k;
    struct keys_key back;
    char err[KEYS_ERR_MAX];
    char path[1024];
    const char *dir = interop_tmpdir();
    uint8_t payload[100] = { 0 };
    uint8_t *out;
    size_t out_len;
    struct stat st;

    (void)state;
    assert_non_null(dir);
    keys_init(&k);
    assert_int_equal(keys_generate(&k, IMAGE_KEY_EC256, port_rng_random, &rng), 0);
    snprintf(path, sizeof(path), "%s/k.pem", dir);
    assert_int_equal(keys_write_private_pem(&k, path, err, sizeof(err)), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    load_key_file(&back, path);
    assert_true(back.is_private);
    assert_int_equal(back.type, IMAGE_KEY_EC256);
    assert_memory_equal(back.pub_der, k.pub_der, k.pub_der_len);
    image_sign_opts_init(&o);
    o.f_rng = port_rng_random;
    o.p_rng = &rng;
    o.key = &back;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)), 0);
    assert_int_equal(validate_buf(out, out_len, &k, false, &res), 0);
    free(out);
    unlink(path);
    rmdir(dir);
    keys_free(&k);
    keys_free(&back);
}

/* Trailer bytes of --pad/--confirm/--overwrite-only for each max-align, against trailer.h. */
static void test_pad_trailer(void **state)
{
    static const uint32_t aligns[][2] = { { 4, 8 }, { 8, 8 }, { 16, 16 }, { 32, 32 }, { 1, 32 } };
    struct trailer_config cfg;
    struct trailer_layout lay;
    struct image_sign_opts o;
    uint8_t magic[TRAILER_MAGIC_SZ];
    uint8_t payload[512] = { 0 };
    char err[KEYS_ERR_MAX];
    uint8_t *out;
    size_t out_len;
    size_t i;
    size_t j;
    int confirm;
    int ow;

    (void)state;
    for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        for (confirm = 0; confirm < 2; confirm++) {
            for (ow = 0; ow < 2; ow++) {
                image_sign_opts_init(&o);
                o.slot_size = 0x8000;
                o.align = aligns[i][0];
                o.max_align = aligns[i][1];
                o.pad = true;
                o.confirm = confirm != 0;
                o.overwrite_only = ow != 0;
                o.erased_val = (i & 1) ? 0x00 : 0xff;
                assert_int_equal(
                    image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)), 0);
                assert_int_equal(out_len, 0x8000);
                memset(&cfg, 0, sizeof(cfg));
                cfg.area_size = 0x8000;
                cfg.write_unit = 1;
                cfg.max_align = o.max_align;
                cfg.mode = TRAILER_MODE_SCRATCH;
                cfg.role = TRAILER_ROLE_SLOT;
                cfg.erased_val = o.erased_val;
                assert_int_equal(trailer_layout_init(&lay, &cfg), 0);
                assert_int_equal(trailer_magic_bytes(o.max_align, magic), 0);
                assert_memory_equal(out + lay.magic_off, magic, TRAILER_MAGIC_SZ);
                assert_int_equal(trailer_decode_flag(&lay, out[lay.image_ok_off]),
                                 confirm && !ow ? TRAILER_FLAG_SET : TRAILER_FLAG_UNSET);
                /* Everything between the image and the magic is erased but image_ok. */
                for (j = 32 + sizeof(payload) - 32 + 40; j < lay.magic_off; j++) {
                    if (j != lay.image_ok_off) {
                        assert_int_equal(out[j], o.erased_val);
                    }
                }
                free(out);
            }
        }
    }
}

static void test_sign_errors(void **state)
{
    struct image_sign_opts o;
    char err[KEYS_ERR_MAX];
    uint8_t payload[1024];
    uint8_t *out = NULL;
    size_t out_len;
    uint32_t tsize;

    (void)state;
    memset(payload, 0, sizeof(payload));
    /* Without --pad-header the header room must be zero. */
    image_sign_opts_init(&o);
    payload[5] = 1;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
    assert_non_null(strstr(err, "--pad-header"));
    payload[5] = 0;
    /* The image + imgtool's trailer must fit the slot, exactly as imgtool computes it. */
    assert_int_equal(trailer_imgtool_size(1, 8, 128, false, &tsize), 0);
    o.slot_size = (uint32_t)sizeof(payload) + 40 + tsize;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)), 0);
    free(out);
    o.slot_size--;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
    assert_non_null(strstr(err, "exceeds"));
    /* Bad geometry. */
    image_sign_opts_init(&o);
    o.align = 3;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
    image_sign_opts_init(&o);
    o.max_align = 64;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
    image_sign_opts_init(&o);
    o.header_size = 16;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
    image_sign_opts_init(&o);
    o.pad = true;
    assert_int_equal(image_sign(&o, payload, sizeof(payload), &out, &out_len, err, sizeof(err)),
                     BO_EINVAL);
}

static void test_parse_version_deps(void **state)
{
    struct image_dependency deps[IMAGE_VALIDATE_MAX_DEPS];
    struct image_version v;
    uint32_t n = 0;

    (void)state;
    assert_int_equal(image_sign_parse_version("1.2.3+4", &v), 0);
    assert_int_equal(v.major, 1);
    assert_int_equal(v.minor, 2);
    assert_int_equal(v.revision, 3);
    assert_int_equal(v.build, 4);
    assert_int_equal(image_sign_parse_version("7", &v), 0);
    assert_int_equal(v.major, 7);
    assert_int_equal(v.minor, 0);
    assert_int_equal(image_sign_parse_version("255.255.65535+4294967295", &v), 0);
    assert_int_equal(v.build, 4294967295u);
    assert_int_equal(image_sign_parse_version("256.0.0", &v), BO_EINVAL);
    assert_int_equal(image_sign_parse_version("1.2.65536", &v), BO_EINVAL);
    assert_int_equal(image_sign_parse_version("1.2.3.4", &v), BO_EINVAL);
    assert_int_equal(image_sign_parse_version("", &v), BO_EINVAL);
    assert_int_equal(image_sign_parse_version("v1", &v), BO_EINVAL);
    assert_int_equal(image_sign_auto_sec_cnt(&(struct image_version){ 3, 1, 2, 9 }), 0x03010002u);

    assert_int_equal(image_sign_parse_deps("(1,1.0.0)", deps, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(deps[0].image_id, 1);
    assert_int_equal(image_sign_parse_deps(" (0, 2.3.4+5), (1,0.1) ", deps, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(deps[0].image_id, 0);
    assert_int_equal(deps[0].min_version.revision, 4);
    assert_int_equal(deps[0].min_version.build, 5);
    assert_int_equal(deps[1].min_version.minor, 1);
    assert_int_equal(image_sign_parse_deps("(1,1.0.0),", deps, 4, &n), BO_EINVAL);
    assert_int_equal(image_sign_parse_deps("(1 1.0.0)", deps, 4, &n), BO_EINVAL);
    assert_int_equal(image_sign_parse_deps("(256,1)", deps, 4, &n), BO_EINVAL);
    assert_int_equal(image_sign_parse_deps("", deps, 4, &n), BO_EINVAL);
    assert_int_equal(image_sign_parse_deps("(1,1)(1,1)(1,1)(1,1)(1,1)", deps, 4, &n), BO_EINVAL);
}

/* info reports the header fields as the vectors' bytes hold them, and the trailer states. */
static void test_info_on_vectors(void **state)
{
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    char err[KEYS_ERR_MAX];
    const json_t *h;
    const json_t *tr;
    json_t *info;
    uint8_t *d;
    size_t len;
    int n;
    int i;

    (void)state;
    n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        d = load_vec(rows[i].file, &len);
        info = image_info_describe(d, len, 0xff, err, sizeof(err));
        if (info == NULL) {
            fail_msg("%s: %s", rows[i].file, err);
        }
        h = json_object_get(info, "header");
        assert_int_equal(json_integer_value(json_object_get(h, "magic")),
                         (json_int_t)(d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24));
        assert_int_equal(json_integer_value(json_object_get(h, "hdr_size")), d[8] | d[9] << 8);
        assert_int_equal(json_integer_value(json_object_get(h, "protect_tlv_size")),
                         d[10] | d[11] << 8);
        assert_int_equal(json_integer_value(json_object_get(h, "img_size")),
                         (json_int_t)(d[12] | d[13] << 8 | d[14] << 16 | (uint32_t)d[15] << 24));
        assert_int_equal(json_integer_value(json_object_get(h, "flags")),
                         (json_int_t)(d[16] | d[17] << 8 | d[18] << 16 | (uint32_t)d[19] << 24));
        assert_int_equal(json_integer_value(json_object_get(h, "major")), d[20]);
        assert_int_equal(json_integer_value(json_object_get(h, "minor")), d[21]);
        assert_int_equal(json_integer_value(json_object_get(h, "revision")), d[22] | d[23] << 8);
        assert_int_equal(json_integer_value(json_object_get(h, "build")),
                         (json_int_t)(d[24] | d[25] << 8 | d[26] << 16 | (uint32_t)d[27] << 24));
        /* The hash check agrees with the manifest: only the tampered body mismatches. */
        assert_int_equal(json_is_true(json_object_get(json_object_get(info, "hash"), "matches")),
                         strcmp(rows[i].file, "ec256-tampered-body.bin") != 0);
        tr = json_object_get(info, "trailer");
        if (strcmp(rows[i].file, "ec256-confirm-padded.bin") == 0 ||
            strcmp(rows[i].file, "ec256-test-padded.bin") == 0) {
            assert_true(json_is_object(tr));
            assert_string_equal(json_string_value(json_object_get(tr, "magic")), "good");
            assert_int_equal(json_integer_value(json_object_get(tr, "max_align")), 8);
            assert_string_equal(json_string_value(json_object_get(tr, "image_ok")),
                                strstr(rows[i].file, "confirm") != NULL ? "set" : "unset");
            assert_string_equal(json_string_value(json_object_get(tr, "copy_done")), "unset");
        } else {
            assert_true(json_is_null(tr));
        }
        json_decref(info);
        free(d);
    }
    /* Not an image: a one-line reason, no object. */
    d = load_vec("payload.bin", &len);
    assert_null(image_info_describe(d, len, 0xff, err, sizeof(err)));
    assert_non_null(strstr(err, "not an MCUboot image"));
    free(d);
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
    return port_rng_setup(&rng, "test_image_tool");
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
        cmocka_unit_test(test_layout_matches_imgtool),
        cmocka_unit_test(test_sign_each_key_type),
        cmocka_unit_test(test_padded_ecdsa_signature),
        cmocka_unit_test(test_keygen_roundtrip),
        cmocka_unit_test(test_pad_trailer),
        cmocka_unit_test(test_sign_errors),
        cmocka_unit_test(test_parse_version_deps),
        cmocka_unit_test(test_info_on_vectors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
