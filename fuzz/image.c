/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "image": the image header, the TLV areas, the TLV walk and the whole validation
 * (hash, key lookup, signature, protected metadata) against the fixture keys of every
 * signature type the build compiles (ECDSA P-256, P-384, RSA-2048, RSA-3072).
 *
 * Input: one control byte, then the image bytes (as they would sit at the start of a slot).
 *   bits 0-1  key table: 0 every fixture key, 1 the ECDSA keys, 2 the RSA keys, 3 no key
 *   bit 2     allow unsigned (hash-only) images
 *   bit 3     with the RSA key table only: fix the hash, i.e. write the image's real hash into
 *             its hash TLV before validating, so mutations get past the hash check into the
 *             key and signature code (RSA verification is cheap; an ECDSA verification costs
 *             about a millisecond, which fixing every mutated ECDSA image would pay on most
 *             executions: ECDSA signatures are reached by mutations that keep the hash)
 *
 * Oracles besides no crash: a TLV found by the walk lies inside the image and its area; an
 * accepted image has a consistent layout, a hash that recomputes, and (unless unsigned images
 * are allowed and it carries no signature) a signer from the key table of the right type; a
 * rejection carries a reason and an error code of enum bo_err.
 */
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot/image.h"
#include "boot/image_validate.h"
#include "fuzz_common.h"

#define FUZZ_IMAGE_KEYS 6

static const char *const fuzz_image_key_files[FUZZ_IMAGE_KEYS] = {
    "ec256.pub.pem",   "interop-ec256.pub.pem",   "ec384.pub.pem",
    "rsa2048.pub.pem", "interop-rsa2048.pub.pem", "rsa3072.pub.pem",
};

/* Loaded once; tables: all, ECDSA, RSA. */
static struct keys_key fuzz_image_keys[FUZZ_IMAGE_KEYS];
static struct image_key fuzz_image_all[FUZZ_IMAGE_KEYS];
static bool fuzz_image_ready;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t i;

    (void)argc;
    (void)argv;
    if (fuzz_image_ready) {
        return 0;
    }
    fuzz_setup_once();
    for (i = 0; i < FUZZ_IMAGE_KEYS; i++) {
        fuzz_load_key(&fuzz_image_keys[i], fuzz_image_key_files[i]);
        keys_to_image_key(&fuzz_image_keys[i], &fuzz_image_all[i]);
    }
    fuzz_image_ready = true;
    return 0;
}

/* Writes the real hash into the first hash TLV of the TLV area, when the layout parses. */
static void fuzz_image_fix_hash(uint8_t *img, uint32_t len)
{
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX];

    image_src_from_buffer(&src, img, len);
    if (image_header_read(&src, &hdr) != 0 || image_layout_read(&src, &hdr, &lay) != 0) {
        return;
    }
    image_tlv_iter_begin(&it, &src, &lay, IMAGE_TLV_ANY, false);
    while (image_tlv_iter_next(&it, &tlv) == 0) {
        uint32_t hl = image_validate_hash_len(tlv.type);

        if (tlv.prot || hl == 0 || tlv.len != hl) {
            continue;
        }
        if (image_validate_hash(&src, lay.prot_end, tlv.type, hash) == 0 &&
            image_src_range_ok(len, tlv.off, hl)) {
            memcpy(img + tlv.off, hash, hl);
        }
        return;
    }
}

/* Walks every TLV and checks that each lies inside its area. */
static void fuzz_image_walk(const struct image_src *src)
{
    struct image_header hdr;
    struct image_layout lay;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t val[64];
    int rc;
    int n = 0;

    if (image_header_read(src, &hdr) != 0) {
        return;
    }
    fuzz_check(hdr.hdr_size >= IMAGE_HEADER_SIZE, "accepted header shorter than 32 bytes");
    fuzz_check((uint64_t)hdr.hdr_size + hdr.img_size <= src->size, "header + payload too big");
    if (image_layout_read(src, &hdr, &lay) != 0) {
        return;
    }
    fuzz_check(lay.hdr_size == hdr.hdr_size && lay.body_end == hdr.hdr_size + hdr.img_size &&
                   lay.body_end <= lay.prot_end && lay.prot_end == lay.tlv_off &&
                   lay.tlv_off < lay.tlv_end && lay.tlv_end <= src->size,
               "inconsistent image layout");
    image_tlv_iter_begin(&it, src, &lay, IMAGE_TLV_ANY, false);
    while ((rc = image_tlv_iter_next(&it, &tlv)) == 0) {
        fuzz_check(image_src_range_ok(src->size, tlv.off, tlv.len), "TLV outside the image");
        if (tlv.prot) {
            fuzz_check(tlv.off >= lay.body_end && tlv.off + tlv.len <= lay.prot_end,
                       "protected TLV outside the protected area");
        } else {
            fuzz_check(tlv.off >= lay.tlv_off && tlv.off + tlv.len <= lay.tlv_end,
                       "TLV outside the TLV area");
        }
        if (tlv.len <= sizeof(val)) {
            fuzz_check(image_tlv_read(src, &tlv, val, sizeof(val)) == 0, "TLV value unreadable");
        }
        /* An area holds at most total / 4 TLVs: the walk must end. */
        fuzz_check(++n <= 65536 / 4 + 1, "TLV walk does not end");
    }
    fuzz_check(rc == BO_ENOENT || rc == BO_EBADIMAGE, "TLV walk error code");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image_validate_config cfg;
    struct image_validate_result res;
    struct image_src src;
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX];
    uint8_t ctl;
    uint8_t *img;
    uint32_t len;
    int rc;

    if (!fuzz_image_ready) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    if (size < 1 || size - 1 > (1u << 20)) {
        return 0;
    }
    ctl = data[0];
    len = (uint32_t)(size - 1);
    img = malloc(len == 0 ? 1 : len);
    if (img == NULL) {
        return 0;
    }
    memcpy(img, data + 1, len);
    if ((ctl & 0x0b) == 0x0a) {
        fuzz_image_fix_hash(img, len);
    }

    memset(&cfg, 0, sizeof(cfg));
    switch (ctl & 0x03) {
    case 0:
        cfg.keys = fuzz_image_all;
        cfg.key_count = FUZZ_IMAGE_KEYS;
        break;
    case 1:
        cfg.keys = fuzz_image_all;
        cfg.key_count = 3;
        break;
    case 2:
        cfg.keys = fuzz_image_all + 3;
        cfg.key_count = 3;
        break;
    default:
        break;
    }
    cfg.allow_unsigned = (ctl & 0x04) != 0;

    image_src_from_buffer(&src, img, len);
    fuzz_image_walk(&src);

    memset(&res, 0, sizeof(res));
    rc = image_validate(&src, &cfg, &res);
    if (rc == 0) {
        fuzz_check(res.reason == IMAGE_VALIDATE_OK, "accepted with a failure reason");
        fuzz_check(res.layout.tlv_end <= len && res.layout.prot_end <= res.layout.tlv_end,
                   "accepted layout outside the image");
        fuzz_check(res.hash_len == image_validate_hash_len(res.hash_type) && res.hash_len != 0,
                   "accepted without a supported hash");
        fuzz_check(image_validate_hash(&src, res.layout.prot_end, res.hash_type, hash) == 0 &&
                       memcmp(hash, res.hash, res.hash_len) == 0,
                   "accepted hash does not recompute");
        fuzz_check(res.dep_count <= IMAGE_VALIDATE_MAX_DEPS, "too many dependencies");
        if (res.key_index >= 0) {
            fuzz_check((uint32_t)res.key_index < cfg.key_count, "signer outside the key table");
            fuzz_check(res.sig_type == image_validate_sig_type_of(cfg.keys[res.key_index].type),
                       "signature type does not match the signer's key");
        } else {
            fuzz_check(cfg.allow_unsigned && res.sig_type == 0,
                       "accepted without a trusted signer");
        }
    } else {
        fuzz_check(rc < 0 && rc > BO_ERR_MIN_, "error code outside enum bo_err");
        fuzz_check(res.reason != IMAGE_VALIDATE_OK, "rejected without a reason");
    }
    free(img);
    return 0;
}
