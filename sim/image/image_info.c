/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image description for `brownout image info`: one JSON object, printed as is or as text.
 */
#include "image/image_info.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "boot/trailer.h"
#include "util/errbuf.h"

#define IMAGE_INFO_HEX_TEXT_MAX 32u /* Bytes of a value shown in text before "...". */

/* Whether a header's bytes all hold an erased value (0xff or 0x00): an empty slot. */
static bool image_info_erased(const uint8_t *data, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (data[i] != data[0] || (data[0] != 0xff && data[0] != 0x00)) {
            return false;
        }
    }
    return true;
}

const char *image_info_tlv_name(uint16_t type)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        { IMAGE_TLV_KEYHASH, "KEYHASH" },
        { IMAGE_TLV_PUBKEY, "PUBKEY" },
        { IMAGE_TLV_SHA256, "SHA256" },
        { IMAGE_TLV_SHA384, "SHA384" },
        { IMAGE_TLV_SHA512, "SHA512" },
        { IMAGE_TLV_RSA2048_PSS, "RSA2048_PSS" },
        { IMAGE_TLV_ECDSA224, "ECDSA224" },
        { IMAGE_TLV_ECDSA_SIG, "ECDSA_SIG" },
        { IMAGE_TLV_RSA3072_PSS, "RSA3072_PSS" },
        { IMAGE_TLV_ED25519, "ED25519" },
        { IMAGE_TLV_SIG_PURE, "SIG_PURE" },
        { IMAGE_TLV_ENC_RSA2048, "ENC_RSA2048" },
        { IMAGE_TLV_ENC_KW, "ENC_KW" },
        { IMAGE_TLV_ENC_EC256, "ENC_EC256" },
        { IMAGE_TLV_ENC_X25519, "ENC_X25519" },
        { IMAGE_TLV_DEPENDENCY, "DEPENDENCY" },
        { IMAGE_TLV_SEC_CNT, "SEC_CNT" },
        { IMAGE_TLV_BOOT_RECORD, "BOOT_RECORD" },
        { IMAGE_TLV_DECOMP_SIZE, "DECOMP_SIZE" },
        { IMAGE_TLV_DECOMP_SHA, "DECOMP_SHA" },
        { IMAGE_TLV_DECOMP_SIGNATURE, "DECOMP_SIGNATURE" },
        { IMAGE_TLV_COMP_DEC_SIZE, "COMP_DEC_SIZE" },
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].type == type) {
            return names[i].name;
        }
    }
    return image_tlv_is_vendor(type) ? "VENDOR" : "UNKNOWN";
}

static json_t *image_info_flag_names(uint32_t flags)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        { IMAGE_F_PIC, "PIC" },
        { IMAGE_F_ENCRYPTED_AES128, "ENCRYPTED_AES128" },
        { IMAGE_F_ENCRYPTED_AES256, "ENCRYPTED_AES256" },
        { IMAGE_F_NON_BOOTABLE, "NON_BOOTABLE" },
        { IMAGE_F_RAM_LOAD, "RAM_LOAD" },
        { IMAGE_F_ROM_FIXED, "ROM_FIXED" },
        { IMAGE_F_COMPRESSED_LZMA1, "COMPRESSED_LZMA1" },
        { IMAGE_F_COMPRESSED_LZMA2, "COMPRESSED_LZMA2" },
        { IMAGE_F_COMPRESSED_ARM_THUMB, "COMPRESSED_ARM_THUMB" },
    };
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < sizeof(bits) / sizeof(bits[0]); i++) {
        if (flags & bits[i].bit) {
            json_array_append_new(arr, json_string(bits[i].name));
        }
    }
    return arr;
}

static json_t *image_info_version(const struct image_version *v)
{
    char buf[48];

    snprintf(buf, sizeof(buf), "%u.%u.%u+%u", v->major, v->minor, v->revision, v->build);
    return json_string(buf);
}

static json_t *image_info_hex(const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(len * 2 + 1);
    json_t *j;
    size_t i;

    if (s == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 0xf];
    }
    s[2 * len] = '\0';
    j = json_string(s);
    free(s);
    return j;
}

static json_t *image_info_header(const struct image_header *h)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:i, s:i, s:i, s:I}", "magic",
                     (json_int_t)h->magic, "load_addr", (json_int_t)h->load_addr, "hdr_size",
                     (json_int_t)h->hdr_size, "protect_tlv_size", (json_int_t)h->protect_tlv_size,
                     "img_size", (json_int_t)h->img_size, "flags", (json_int_t)h->flags,
                     "flag_names", image_info_flag_names(h->flags), "version",
                     image_info_version(&h->version), "major", (int)h->version.major, "minor",
                     (int)h->version.minor, "revision", (int)h->version.revision, "build",
                     (json_int_t)h->version.build);
}

static json_t *image_info_tlv(const uint8_t *data, const struct image_tlv *t)
{
    const uint8_t *v = data + t->off;
    struct image_dependency dep;
    json_t *o;

    o = json_pack("{s:i, s:s, s:i, s:I, s:o}", "type", (int)t->type, "name",
                  image_info_tlv_name(t->type), "len", (int)t->len, "offset", (json_int_t)t->off,
                  "value", image_info_hex(v, t->len));
    if (o == NULL) {
        return NULL;
    }
    if (t->type == IMAGE_TLV_SEC_CNT && t->len == IMAGE_SEC_CNT_LEN) {
        json_object_set_new(
            o, "sec_cnt",
            json_integer((json_int_t)((uint32_t)v[0] | ((uint32_t)v[1] << 8) |
                                      ((uint32_t)v[2] << 16) | ((uint32_t)v[3] << 24))));
    } else if (t->type == IMAGE_TLV_DEPENDENCY && t->len == IMAGE_DEPENDENCY_LEN) {
        image_dependency_decode(v, &dep);
        json_object_set_new(o, "image_id", json_integer(dep.image_id));
        json_object_set_new(o, "min_version", image_info_version(&dep.min_version));
    }
    return o;
}

static const char *image_info_flag_str(enum trailer_flag_state s)
{
    return s == TRAILER_FLAG_SET ? "set" : s == TRAILER_FLAG_UNSET ? "unset" : "bad";
}

/* Decodes the trailer of a file padded to its slot: the file length is the slot size. */
static json_t *image_info_trailer(const uint8_t *data, size_t len, uint8_t erased_val)
{
    static const uint32_t aligns[] = { 8, 16, 32 };
    const uint8_t *tail = data + len - TRAILER_MAGIC_SZ;
    uint8_t magic[TRAILER_MAGIC_SZ];
    struct trailer_config cfg;
    struct trailer_layout lay;
    const char *magic_state = "bad";
    uint32_t max_align = 8;
    uint32_t swap_size;
    uint8_t info;
    size_t i;
    json_t *o;

    for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        if (trailer_magic_bytes(aligns[i], magic) == 0 &&
            memcmp(magic, tail, TRAILER_MAGIC_SZ) == 0) {
            max_align = aligns[i];
            magic_state = "good";
            break;
        }
    }
    if (strcmp(magic_state, "bad") == 0) {
        for (i = 0; i < TRAILER_MAGIC_SZ && tail[i] == erased_val; i++) {
        }
        if (i == TRAILER_MAGIC_SZ) {
            magic_state = "unset";
        }
    }
    o = json_pack("{s:i, s:s}", "max_align", (int)max_align, "magic", magic_state);
    memset(&cfg, 0, sizeof(cfg));
    cfg.area_size = (uint32_t)len;
    cfg.write_unit = 1;
    cfg.max_align = max_align;
    cfg.max_sectors = 0;
    cfg.mode = TRAILER_MODE_SCRATCH;
    cfg.role = TRAILER_ROLE_SLOT;
    cfg.erased_val = erased_val;
    if (o == NULL || len > UINT32_MAX || trailer_layout_init(&lay, &cfg) != 0) {
        return o;
    }
    info = data[lay.swap_info_off];
    swap_size = (uint32_t)data[lay.swap_size_off] | ((uint32_t)data[lay.swap_size_off + 1] << 8) |
                ((uint32_t)data[lay.swap_size_off + 2] << 16) |
                ((uint32_t)data[lay.swap_size_off + 3] << 24);
    json_object_set_new(
        o, "image_ok",
        json_string(image_info_flag_str(trailer_decode_flag(&lay, data[lay.image_ok_off]))));
    json_object_set_new(
        o, "copy_done",
        json_string(image_info_flag_str(trailer_decode_flag(&lay, data[lay.copy_done_off]))));
    json_object_set_new(o, "swap_info", json_integer(info));
    json_object_set_new(o, "swap_type", json_integer(info & 0x0f));
    json_object_set_new(o, "image_num", json_integer(info >> 4));
    json_object_set_new(o, "swap_size", json_integer((json_int_t)swap_size));
    return o;
}

/* Reads the header and the layout of the image in data; 0, or -1 with the reason in err. */
static int image_info_open(const uint8_t *data, size_t len, struct image_src *src,
                           struct image_header *hdr, struct image_layout *layout, char *err,
                           size_t errlen)
{
    if (len > UINT32_MAX) {
        return errbuf_fail(err, errlen, -1, "file larger than 4 GiB");
    }
    image_src_from_buffer(src, data, (uint32_t)len);
    if (image_header_read(src, hdr) < 0) {
        return errbuf_fail(err, errlen, -1, "not an MCUboot image: %s",
                           len < IMAGE_HEADER_SIZE                      ? "shorter than a header"
                           : image_info_erased(data, IMAGE_HEADER_SIZE) ? "erased (no image)"
                           : (data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24) !=
                                   IMAGE_MAGIC
                               ? "bad magic"
                               : "header and payload sizes exceed the file");
    }
    if (image_layout_read(src, hdr, layout) < 0) {
        return errbuf_fail(err, errlen, -1, "malformed image: %s",
                           image_validate_reason_str(IMAGE_VALIDATE_BAD_TLV_AREA));
    }
    return 0;
}

/* The "hash" member: the first hash TLV's type and whether it matches, or null. */
static json_t *image_info_hash(const struct image_src *src, const struct image_layout *layout,
                               const uint8_t *data, const struct image_tlv *hash_tlv)
{
    uint8_t digest[IMAGE_VALIDATE_HASH_MAX];

    if (hash_tlv == NULL ||
        image_validate_hash(src, layout->prot_end, hash_tlv->type, digest) != 0) {
        return json_null();
    }
    return json_pack("{s:s, s:b}", "type", image_info_tlv_name(hash_tlv->type), "matches",
                     memcmp(digest, data + hash_tlv->off, hash_tlv->len) == 0);
}

json_t *image_info_describe(const uint8_t *data, size_t len, uint8_t erased_val, char *err,
                            size_t errlen)
{
    struct image_layout layout;
    struct image_header hdr;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    struct image_src src;
    json_t *prot = NULL;
    json_t *tlvs = NULL;
    json_t *info = NULL;
    bool have_hash = false;
    struct image_tlv hash_tlv;
    int rc;

    if (image_info_open(data, len, &src, &hdr, &layout, err, errlen) < 0) {
        return NULL;
    }
    prot = json_array();
    tlvs = json_array();
    if (prot == NULL || tlvs == NULL) {
        goto nomem;
    }
    image_tlv_iter_begin(&it, &src, &layout, IMAGE_TLV_ANY, false);
    while ((rc = image_tlv_iter_next(&it, &tlv)) == 0) {
        json_array_append_new(tlv.prot ? prot : tlvs, image_info_tlv(data, &tlv));
        if (!tlv.prot && image_validate_hash_len(tlv.type) == tlv.len && !have_hash) {
            have_hash = true;
            hash_tlv = tlv;
        }
    }
    if (rc != BO_ENOENT) {
        errbuf_set(err, errlen, "malformed image: %s",
                   image_validate_reason_str(IMAGE_VALIDATE_BAD_TLV));
        goto fail;
    }
    info = json_pack("{s:I, s:o, s:o, s:o, s:I}", "size", (json_int_t)len, "header",
                     image_info_header(&hdr), "protected_tlvs", prot, "tlvs", tlvs, "image_size",
                     (json_int_t)layout.tlv_end);
    prot = NULL;
    tlvs = NULL;
    if (info == NULL) {
        goto nomem;
    }
    json_object_set_new(info, "hash",
                        image_info_hash(&src, &layout, data, have_hash ? &hash_tlv : NULL));
    if (len > layout.tlv_end && len >= TRAILER_MAGIC_SZ) {
        json_object_set_new(info, "trailer", image_info_trailer(data, len, erased_val));
    } else {
        json_object_set_new(info, "trailer", json_null());
    }
    return info;
nomem:
    errbuf_set(err, errlen, "out of memory");
fail:
    json_decref(prot);
    json_decref(tlvs);
    json_decref(info);
    return NULL;
}

static json_int_t image_info_int(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void image_info_print_tlvs(FILE *out, const json_t *arr)
{
    const char *hex;
    size_t i;
    json_t *t;

    json_array_foreach(arr, i, t)
    {
        hex = json_string_value(json_object_get(t, "value"));
        fprintf(out, "  0x%04x %-12s %5d  ", (unsigned)image_info_int(t, "type"),
                json_string_value(json_object_get(t, "name")), (int)image_info_int(t, "len"));
        if (json_object_get(t, "sec_cnt") != NULL) {
            fprintf(out, "0x%08x\n", (unsigned)image_info_int(t, "sec_cnt"));
        } else if (json_object_get(t, "image_id") != NULL) {
            fprintf(out, "image %d >= %s\n", (int)image_info_int(t, "image_id"),
                    json_string_value(json_object_get(t, "min_version")));
        } else if (hex != NULL && strlen(hex) > 2 * IMAGE_INFO_HEX_TEXT_MAX) {
            fprintf(out, "%.*s...\n", (int)(2 * IMAGE_INFO_HEX_TEXT_MAX), hex);
        } else {
            fprintf(out, "%s\n", hex != NULL ? hex : "");
        }
    }
}

void image_info_print_text(FILE *out, const char *name, const json_t *info)
{
    const json_t *h = json_object_get(info, "header");
    const json_t *prot = json_object_get(info, "protected_tlvs");
    const json_t *hash = json_object_get(info, "hash");
    const json_t *tr = json_object_get(info, "trailer");
    const json_t *flags = json_object_get(h, "flag_names");
    const json_t *f;
    size_t i;

    fprintf(out, "%s: %lld bytes\n", name, (long long)image_info_int(info, "size"));
    fprintf(out, "header\n");
    fprintf(out, "  magic             0x%08llx\n", (long long)image_info_int(h, "magic"));
    fprintf(out, "  load address      0x%08llx\n", (long long)image_info_int(h, "load_addr"));
    fprintf(out, "  header size       0x%llx (%lld)\n", (long long)image_info_int(h, "hdr_size"),
            (long long)image_info_int(h, "hdr_size"));
    fprintf(out, "  protected size    0x%llx (%lld)\n",
            (long long)image_info_int(h, "protect_tlv_size"),
            (long long)image_info_int(h, "protect_tlv_size"));
    fprintf(out, "  image size        0x%llx (%lld)\n", (long long)image_info_int(h, "img_size"),
            (long long)image_info_int(h, "img_size"));
    fprintf(out, "  flags             0x%08llx", (long long)image_info_int(h, "flags"));
    json_array_foreach(flags, i, f)
    {
        fprintf(out, " %s", json_string_value(f));
    }
    fprintf(out, "\n  version           %s\n", json_string_value(json_object_get(h, "version")));
    if (json_array_size(prot) > 0) {
        fprintf(out, "protected TLVs\n");
        image_info_print_tlvs(out, prot);
    }
    fprintf(out, "TLVs\n");
    image_info_print_tlvs(out, json_object_get(info, "tlvs"));
    fprintf(out, "image end           0x%llx (%lld)\n",
            (long long)image_info_int(info, "image_size"),
            (long long)image_info_int(info, "image_size"));
    if (json_is_object(hash)) {
        fprintf(out, "hash                %s, %s\n",
                json_string_value(json_object_get(hash, "type")),
                json_is_true(json_object_get(hash, "matches")) ? "matches" : "MISMATCH");
    } else {
        fprintf(out, "hash                none\n");
    }
    if (json_is_object(tr)) {
        fprintf(out, "trailer             magic %s (max-align %lld)",
                json_string_value(json_object_get(tr, "magic")),
                (long long)image_info_int(tr, "max_align"));
        if (json_object_get(tr, "image_ok") != NULL) {
            fprintf(out, ", image_ok %s, copy_done %s, swap_info 0x%02llx, swap_size 0x%llx",
                    json_string_value(json_object_get(tr, "image_ok")),
                    json_string_value(json_object_get(tr, "copy_done")),
                    (long long)image_info_int(tr, "swap_info"),
                    (long long)image_info_int(tr, "swap_size"));
        }
        fprintf(out, "\n");
    }
}
