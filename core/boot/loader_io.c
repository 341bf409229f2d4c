/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash helpers of the loader: region erase and copy, and reading image headers, sizes and
 * security counters from a slot (from a base offset).
 */
#include "boot/loader_io.h"

#include <string.h>

#include "bo_err.h"

int loader_io_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    return flash_area_erase(fa, off, len);
}

/* Whether unit u of buf holds only the erased value. */
static bool loader_io_unit_erased(const uint8_t *buf, uint32_t u, uint32_t wu, uint8_t ev)
{
    uint32_t i;

    for (i = 0; i < wu; i++) {
        if (buf[u * wu + i] != ev) {
            return false;
        }
    }
    return true;
}

/* Programs the units of buf, leaving out runs of erased units of at least 8 bytes. */
static int loader_io_program_chunk(const struct flash_area *dst, uint32_t off, const uint8_t *buf,
                                   uint32_t len)
{
    uint32_t wu = flash_area_align(dst);
    uint8_t ev = flash_area_erased_val(dst);
    uint32_t units = len / wu;
    uint32_t seg = UINT32_MAX;
    uint32_t i = 0;
    uint32_t j;
    int rc;

    while (i < units) {
        if (!loader_io_unit_erased(buf, i, wu, ev)) {
            if (seg == UINT32_MAX) {
                seg = i;
            }
            i++;
            continue;
        }
        for (j = i; j < units && loader_io_unit_erased(buf, j, wu, ev); j++) {
        }
        if ((j - i) * wu >= 8) {
            if (seg != UINT32_MAX) {
                rc = flash_area_write(dst, off + seg * wu, buf + seg * wu, (i - seg) * wu);
                if (rc < 0) {
                    return rc;
                }
                seg = UINT32_MAX;
            }
        } else if (seg == UINT32_MAX) {
            seg = i;
        }
        i = j;
    }
    if (seg != UINT32_MAX) {
        return flash_area_write(dst, off + seg * wu, buf + seg * wu, (units - seg) * wu);
    }
    return 0;
}

int loader_io_copy(struct boot_loader_state *st, const struct flash_area *src,
                   const struct flash_area *dst, uint32_t off_src, uint32_t off_dst, uint32_t len)
{
    return loader_io_copy_buf(src, dst, off_src, off_dst, len, st->buf, (uint32_t)sizeof(st->buf));
}

int loader_io_copy_buf(const struct flash_area *src, const struct flash_area *dst, uint32_t off_src,
                       uint32_t off_dst, uint32_t len, uint8_t *buf, uint32_t buf_sz)
{
    uint32_t wu = flash_area_align(dst);
    uint32_t done = 0;
    int rc;

    if (wu == 0 || len % wu != 0 || buf_sz < wu) {
        return BO_EALIGN;
    }
    buf_sz -= buf_sz % wu;
    while (done < len) {
        uint32_t chunk = len - done;

        if (chunk > buf_sz) {
            chunk = buf_sz;
        }
        rc = flash_area_read(src, off_src + done, buf, chunk);
        if (rc < 0) {
            return rc;
        }
        rc = loader_io_program_chunk(dst, off_dst + done, buf, chunk);
        if (rc < 0) {
            return rc;
        }
        done += chunk;
    }
    return 0;
}

static int loader_io_src_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct loader_io_src *c = ctx;

    return flash_area_read(c->fa, c->base + off, buf, len);
}

void loader_io_src_init(struct image_src *src, struct loader_io_src *ctx,
                        const struct flash_area *fa, uint32_t base)
{
    ctx->fa = fa;
    ctx->base = base;
    src->read = loader_io_src_read;
    src->ctx = ctx;
    src->size = flash_area_get_size(fa) > base ? flash_area_get_size(fa) - base : 0;
}

/* Reads the header at base of fa; *ok when its magic is right, *erased when it is blank. */
int loader_io_read_header(const struct flash_area *fa, uint32_t base, struct image_header *hdr,
                          bool *ok, bool *erased)
{
    uint8_t raw[IMAGE_HEADER_SIZE];
    uint8_t ev = flash_area_erased_val(fa);
    int rc;

    *ok = false;
    if (erased != NULL) {
        *erased = false;
    }
    memset(hdr, 0, sizeof(*hdr));
    if (base > flash_area_get_size(fa) || flash_area_get_size(fa) - base < IMAGE_HEADER_SIZE) {
        return 0;
    }
    rc = flash_area_read(fa, base, raw, sizeof(raw));
    if (rc < 0) {
        return rc;
    }
    image_header_decode(raw, hdr);
    *ok = hdr->magic == IMAGE_MAGIC;
    if (erased != NULL) {
        *erased = raw[0] == ev && raw[1] == ev && raw[2] == ev && raw[3] == ev;
    }
    return 0;
}

/* Total size and unprotected TLV size of the image at base of fa (0 when unreadable). */
int loader_io_image_size(const struct flash_area *fa, uint32_t base, uint32_t *size,
                         uint16_t *unprot)
{
    struct loader_io_src ctx;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    int rc;

    *size = 0;
    *unprot = 0;
    loader_io_src_init(&src, &ctx, fa, base);
    rc = image_header_read(&src, &hdr);
    if (rc == 0) {
        rc = image_layout_read(&src, &hdr, &lay);
    }
    if (rc == BO_EBADIMAGE) {
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    *size = lay.tlv_end;
    *unprot = (uint16_t)(lay.tlv_end - lay.tlv_off);
    return 0;
}

/* The security counter of the image at base of fa; *has false when it has none. */
int loader_io_read_sec_cnt(const struct flash_area *fa, uint32_t base, uint32_t *cnt, bool *has)
{
    struct loader_io_src ctx;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t v[IMAGE_SEC_CNT_LEN];
    int rc;

    *has = false;
    *cnt = 0;
    loader_io_src_init(&src, &ctx, fa, base);
    rc = image_header_read(&src, &hdr);
    if (rc == 0) {
        rc = image_layout_read(&src, &hdr, &lay);
    }
    if (rc == 0) {
        image_tlv_iter_begin(&it, &src, &lay, IMAGE_TLV_SEC_CNT, true);
        rc = image_tlv_iter_next(&it, &tlv);
        if (rc == 0 && tlv.len == IMAGE_SEC_CNT_LEN) {
            rc = image_tlv_read(&src, &tlv, v, sizeof(v));
            if (rc == 0) {
                *cnt = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
                       (uint32_t)v[3] << 24;
                *has = true;
            }
        }
    }
    if (rc == BO_EBADIMAGE || rc == BO_ENOENT) {
        return 0;
    }
    return rc;
}
