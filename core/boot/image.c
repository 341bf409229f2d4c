/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MCUboot image format: header decoding, TLV area location and TLV iteration, with every offset
 * and length from the image checked against the source before it is used.
 */
#include <stddef.h>
#include <string.h>

#include "bo_err.h"
#include "boot/image.h"

static uint16_t image_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t image_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void image_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void image_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Reads from the source, reporting a range the image points outside of as a malformed image. */
static int image_read(const struct image_src *src, uint32_t off, void *buf, uint32_t len)
{
    int rc = image_src_read(src, off, buf, len);

    return rc == BO_ERANGE ? BO_EBADIMAGE : rc;
}

void image_version_decode(const uint8_t raw[8], struct image_version *ver)
{
    ver->major = raw[0];
    ver->minor = raw[1];
    ver->revision = image_get_le16(raw + 2);
    ver->build = image_get_le32(raw + 4);
}

void image_header_decode(const uint8_t raw[IMAGE_HEADER_SIZE], struct image_header *hdr)
{
    hdr->magic = image_get_le32(raw + 0);
    hdr->load_addr = image_get_le32(raw + 4);
    hdr->hdr_size = image_get_le16(raw + 8);
    hdr->protect_tlv_size = image_get_le16(raw + 10);
    hdr->img_size = image_get_le32(raw + 12);
    hdr->flags = image_get_le32(raw + 16);
    image_version_decode(raw + 20, &hdr->version);
    hdr->pad1 = image_get_le32(raw + 28);
}

void image_header_encode(const struct image_header *hdr, uint8_t raw[IMAGE_HEADER_SIZE])
{
    image_put_le32(raw + 0, hdr->magic);
    image_put_le32(raw + 4, hdr->load_addr);
    image_put_le16(raw + 8, hdr->hdr_size);
    image_put_le16(raw + 10, hdr->protect_tlv_size);
    image_put_le32(raw + 12, hdr->img_size);
    image_put_le32(raw + 16, hdr->flags);
    raw[20] = hdr->version.major;
    raw[21] = hdr->version.minor;
    image_put_le16(raw + 22, hdr->version.revision);
    image_put_le32(raw + 24, hdr->version.build);
    image_put_le32(raw + 28, hdr->pad1);
}

int image_header_read(const struct image_src *src, struct image_header *hdr)
{
    uint8_t raw[IMAGE_HEADER_SIZE];
    int rc = image_read(src, 0, raw, sizeof(raw));

    if (rc < 0) {
        goto out;
    }
    image_header_decode(raw, hdr);
    if (hdr->magic != IMAGE_MAGIC || hdr->hdr_size < IMAGE_HEADER_SIZE ||
        !image_src_range_ok(src->size, hdr->hdr_size, hdr->img_size)) {
        rc = BO_EBADIMAGE;
    }
out:
    return rc;
}

/* Reads an area info at off: its magic and total, the total checked to fit in the source. */
static int image_info_read(const struct image_src *src, uint32_t off, uint16_t *magic,
                           uint16_t *total)
{
    uint8_t raw[IMAGE_TLV_INFO_SIZE];
    int rc = image_read(src, off, raw, sizeof(raw));

    if (rc < 0) {
        return rc;
    }
    *magic = image_get_le16(raw);
    *total = image_get_le16(raw + 2);
    if (*total < IMAGE_TLV_INFO_SIZE || !image_src_range_ok(src->size, off, *total)) {
        return BO_EBADIMAGE;
    }
    return 0;
}

int image_layout_read(const struct image_src *src, const struct image_header *hdr,
                      struct image_layout *layout)
{
    uint16_t magic;
    uint16_t total;
    int rc;

    if (hdr->magic != IMAGE_MAGIC || hdr->hdr_size < IMAGE_HEADER_SIZE ||
        !image_src_range_ok(src->size, hdr->hdr_size, hdr->img_size)) {
        return BO_EBADIMAGE;
    }
    layout->hdr_size = hdr->hdr_size;
    layout->body_end = (uint32_t)hdr->hdr_size + hdr->img_size;
    layout->prot_end = layout->body_end;
    if (hdr->protect_tlv_size != 0) {
        rc = image_info_read(src, layout->body_end, &magic, &total);
        if (rc < 0) {
            return rc;
        }
        if (magic != IMAGE_TLV_PROT_INFO_MAGIC || total != hdr->protect_tlv_size) {
            return BO_EBADIMAGE;
        }
        layout->prot_end = layout->body_end + total;
    }
    layout->tlv_off = layout->prot_end;
    rc = image_info_read(src, layout->tlv_off, &magic, &total);
    if (rc < 0) {
        return rc;
    }
    /* A protected info where the TLV area should start means protect_tlv_size lied. */
    if (magic != IMAGE_TLV_INFO_MAGIC) {
        return BO_EBADIMAGE;
    }
    layout->tlv_end = layout->tlv_off + total;
    return 0;
}

void image_tlv_iter_begin(struct image_tlv_iter *it, const struct image_src *src,
                          const struct image_layout *layout, uint16_t type, bool prot_only)
{
    it->src = src;
    it->layout = *layout;
    it->type = type;
    it->prot_only = prot_only;
    if (layout->prot_end > layout->body_end) {
        it->in_prot = true;
        it->off = layout->body_end + IMAGE_TLV_INFO_SIZE;
        it->end = layout->prot_end;
    } else if (!prot_only) {
        it->in_prot = false;
        it->off = layout->tlv_off + IMAGE_TLV_INFO_SIZE;
        it->end = layout->tlv_end;
    } else {
        /* Nothing to walk: an empty range ends the iteration at once. */
        it->in_prot = true;
        it->off = 0;
        it->end = 0;
    }
}

int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *tlv)
{
    uint8_t raw[IMAGE_TLV_HDR_SIZE];
    uint16_t type;
    uint16_t len;
    int rc;

    for (;;) {
        if (it->off >= it->end) {
            if (!it->in_prot || it->prot_only) {
                return BO_ENOENT;
            }
            it->in_prot = false;
            it->off = it->layout.tlv_off + IMAGE_TLV_INFO_SIZE;
            it->end = it->layout.tlv_end;
            continue;
        }
        /* The TLV header and then its value must both end inside the current area. */
        if (it->end - it->off < IMAGE_TLV_HDR_SIZE) {
            return BO_EBADIMAGE;
        }
        rc = image_read(it->src, it->off, raw, sizeof(raw));
        if (rc < 0) {
            return rc;
        }
        type = image_get_le16(raw);
        len = image_get_le16(raw + 2);
        if (it->end - it->off - IMAGE_TLV_HDR_SIZE < len) {
            return BO_EBADIMAGE;
        }
        tlv->type = type;
        tlv->len = len;
        tlv->off = it->off + IMAGE_TLV_HDR_SIZE;
        tlv->prot = it->in_prot;
        it->off = tlv->off + len;
        if (it->type == IMAGE_TLV_ANY || it->type == type) {
            return 0;
        }
    }
}

int image_tlv_read(const struct image_src *src, const struct image_tlv *tlv, void *buf,
                   uint32_t size)
{
    if (tlv->len > size) {
        return BO_EBADIMAGE;
    }
    return image_read(src, tlv->off, buf, tlv->len);
}

int image_version_cmp(const struct image_version *a, const struct image_version *b, bool with_build)
{
    if (a->major != b->major) {
        return a->major < b->major ? -1 : 1;
    }
    if (a->minor != b->minor) {
        return a->minor < b->minor ? -1 : 1;
    }
    if (a->revision != b->revision) {
        return a->revision < b->revision ? -1 : 1;
    }
    if (with_build && a->build != b->build) {
        return a->build < b->build ? -1 : 1;
    }
    return 0;
}

void image_dependency_decode(const uint8_t raw[IMAGE_DEPENDENCY_LEN], struct image_dependency *dep)
{
    dep->image_id = raw[0];
    image_version_decode(raw + 4, &dep->min_version);
}

bool image_tlv_is_vendor(uint16_t type)
{
    return type >= IMAGE_TLV_VENDOR_MIN && type <= IMAGE_TLV_VENDOR_MAX;
}
