/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing an uploaded image into the secondary slot (see ota_upload.h for the rules).
 *
 * Offsets named pos/off are image offsets; img_off + pos is the offset in the slot. The upload
 * streams bytes in order: whole write units are compared with flash and programmed when they
 * differ, a trailing partial unit waits in carry[] for the next block.
 */
#include "ota/ota_upload.h"

#include <string.h>

#include "bo_err.h"
#include "boot/image.h"

/* Bytes before a resumed block that must hold data for the upload to continue there. */
#define OTA_UPLOAD_PREV_SPAN 16u
/* Bytes at the end of the slot that hold the trailer's magic. */
#define OTA_UPLOAD_MAGIC_SPAN 16u

void ota_upload_init(struct ota_upload *u)
{
    memset(u, 0, sizeof(*u));
}

int ota_upload_setup(struct ota_upload *u, const struct flash_area *fa, uint32_t img_off,
                     uint32_t capacity)
{
    uint32_t size;
    uint32_t align;

    if (u == NULL || fa == NULL) {
        return BO_EINVAL;
    }
    size = flash_area_get_size(fa);
    align = flash_area_align(fa);
    if (img_off >= size || capacity > size - img_off || align == 0 || align > OTA_UPLOAD_UNIT_MAX ||
        (align & (align - 1)) != 0 || img_off % align != 0 || size < OTA_UPLOAD_MAGIC_SPAN) {
        return BO_EINVAL;
    }
    ota_upload_init(u);
    u->fa = fa;
    u->img_off = img_off;
    u->capacity = capacity;
    u->align = align;
    u->erased_val = flash_area_erased_val(fa);
    return 0;
}

void ota_upload_reset(struct ota_upload *u)
{
    u->known = false;
    u->complete = false;
    u->next_off = 0;
    u->erased_to = 0;
    u->expect = 0;
    u->carry_off = 0;
    u->carry_len = 0;
}

void ota_upload_free(struct ota_upload *u)
{
    if (u != NULL) {
        ota_upload_init(u);
    }
}

uint32_t ota_upload_capacity(const struct ota_upload *u)
{
    return u->capacity;
}

bool ota_upload_progress(const struct ota_upload *u, uint32_t *received, bool *complete)
{
    if (received != NULL) {
        *received = u->known ? u->next_off : 0;
    }
    if (complete != NULL) {
        *complete = u->known && u->complete;
    }
    return u->known;
}

static int ota_upload_read(struct ota_upload *u, uint32_t pos, void *dst, uint32_t len)
{
    return flash_area_read(u->fa, u->img_off + pos, dst, len);
}

static bool ota_upload_all_erased(const struct ota_upload *u, const uint8_t *p, uint32_t len)
{
    uint32_t i;

    for (i = 0; i < len; i++) {
        if (p[i] != u->erased_val) {
            return false;
        }
    }
    return true;
}

/* A flash refusal to program over what a unit holds means the region is not ours. */
static int ota_upload_flash_rc(int rc)
{
    return rc == BO_ESEMANTICS ? BO_ESTATE : rc;
}

/*
 * Programs [pos, pos + len) (unit-aligned) from src: the units that already hold their bytes
 * are skipped, each run of the others is programmed in one operation.
 */
static int ota_upload_program(struct ota_upload *u, uint32_t pos, const uint8_t *src, uint32_t len)
{
    uint32_t done = 0;
    int rc;

    while (done < len) {
        uint32_t n = len - done;
        uint32_t i = 0;

        if (n > sizeof(u->buf)) {
            n = sizeof(u->buf);
        }
        rc = ota_upload_read(u, pos + done, u->buf, n);
        if (rc < 0) {
            return rc;
        }
        while (i < n) {
            uint32_t run = i;

            while (run < n && memcmp(u->buf + run, src + done + run, u->align) != 0) {
                run += u->align;
            }
            if (run > i) {
                rc = flash_area_write(u->fa, u->img_off + pos + done + i, src + done + i, run - i);
                if (rc < 0) {
                    return ota_upload_flash_rc(rc);
                }
            }
            i = run + u->align;
        }
        done += n;
    }
    return 0;
}

/* Erases every sector the range [pos, end) enters that this upload has not erased yet. */
static int ota_upload_erase_ahead(struct ota_upload *u, uint32_t end)
{
    struct flash_sector s;
    int rc;

    while (u->erased_to < end) {
        rc = flash_area_get_sector(u->fa, u->img_off + u->erased_to, &s);
        if (rc < 0) {
            return rc;
        }
        rc = flash_area_erase(u->fa, s.fs_off, s.fs_size);
        if (rc < 0) {
            return rc;
        }
        u->erased_to = s.fs_off + s.fs_size - u->img_off;
    }
    return 0;
}

/* Appends bytes to the stream at u->next_off: full units are programmed, the rest carried. */
static int ota_upload_stream(struct ota_upload *u, const uint8_t *p, uint32_t len, bool last)
{
    uint32_t whole;
    int rc;

    if (u->carry_len != 0) {
        uint32_t n = u->align - u->carry_len;

        if (n > len) {
            n = len;
        }
        memcpy(u->carry + u->carry_len, p, n);
        u->carry_len += n;
        p += n;
        len -= n;
        u->next_off += n;
        if (u->carry_len == u->align) {
            rc = ota_upload_program(u, u->carry_off, u->carry, u->align);
            if (rc < 0) {
                return rc;
            }
            u->carry_len = 0;
        }
    }
    whole = len - len % u->align;
    if (whole != 0) {
        rc = ota_upload_program(u, u->next_off, p, whole);
        if (rc < 0) {
            return rc;
        }
        u->next_off += whole;
        p += whole;
        len -= whole;
    }
    if (len != 0) {
        u->carry_off = u->next_off;
        u->carry_len = len;
        memcpy(u->carry, p, len);
        u->next_off += len;
    }
    if (last && u->carry_len != 0) {
        memset(u->carry + u->carry_len, u->erased_val, u->align - u->carry_len);
        rc = ota_upload_program(u, u->carry_off, u->carry, u->align);
        if (rc < 0) {
            return rc;
        }
        u->carry_len = 0;
    }
    return 0;
}

/* Whether [off, off + len) holds data (flash, or the carried unit for its part). */
static int ota_upload_same(struct ota_upload *u, uint32_t off, const uint8_t *data, uint32_t len,
                           bool *same)
{
    uint32_t i;
    int rc;

    *same = false;
    rc = ota_upload_read(u, off, u->buf, len);
    if (rc < 0) {
        return rc;
    }
    if (u->known && u->carry_len != 0) {
        for (i = 0; i < u->carry_len; i++) {
            uint32_t at = u->carry_off + i;

            if (at >= off && at - off < len) {
                u->buf[at - off] = u->carry[i];
            }
        }
    }
    *same = memcmp(u->buf, data, len) == 0;
    return 0;
}

/* Withdraws a request for the next boot left in the slot: erases the trailer's last sector. */
static int ota_upload_withdraw(struct ota_upload *u)
{
    uint32_t size = flash_area_get_size(u->fa);
    uint8_t magic[OTA_UPLOAD_MAGIC_SPAN];
    struct flash_sector s;
    int rc;

    rc = flash_area_read(u->fa, size - OTA_UPLOAD_MAGIC_SPAN, magic, sizeof(magic));
    if (rc < 0 || ota_upload_all_erased(u, magic, sizeof(magic))) {
        return rc;
    }
    rc = flash_area_get_sector(u->fa, size - 1, &s);
    if (rc < 0) {
        return rc;
    }
    return flash_area_erase(u->fa, s.fs_off, s.fs_size);
}

/* Block 0: checks the header, withdraws an old request and starts the upload over. */
static int ota_upload_restart(struct ota_upload *u, const struct ota_upload_block *blk)
{
    struct image_header hdr;
    uint64_t need;
    int rc;

    if (blk->len < 4 ||
        ((uint32_t)blk->data[0] | (uint32_t)blk->data[1] << 8 | (uint32_t)blk->data[2] << 16 |
         (uint32_t)blk->data[3] << 24) != IMAGE_MAGIC) {
        return BO_EBADIMAGE;
    }
    if (blk->len >= IMAGE_HEADER_SIZE) {
        image_header_decode(blk->data, &hdr);
        if (hdr.hdr_size < IMAGE_HEADER_SIZE) {
            return BO_EBADIMAGE;
        }
        need = (uint64_t)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size;
        if (need > u->capacity) {
            return BO_ERANGE;
        }
    }
    ota_upload_reset(u);
    rc = ota_upload_withdraw(u);
    if (rc < 0) {
        return rc;
    }
    u->known = true;
    u->expect = blk->total;
    return 0;
}

/*
 * A block RAM cannot place (after a power cut, or a new instance): accept it when flash
 * already holds it, continue from it when the data before it is there, refuse it otherwise.
 * Sets *written when the block needs no write.
 */
static int ota_upload_resume(struct ota_upload *u, const struct ota_upload_block *blk,
                             bool *written)
{
    uint8_t prev[OTA_UPLOAD_PREV_SPAN > OTA_UPLOAD_UNIT_MAX ? OTA_UPLOAD_PREV_SPAN
                                                            : OTA_UPLOAD_UNIT_MAX];
    uint32_t span = OTA_UPLOAD_PREV_SPAN > u->align ? OTA_UPLOAD_PREV_SPAN : u->align;
    uint8_t head[4];
    struct flash_sector s;
    uint32_t resume;
    bool same;
    int rc;

    *written = false;
    rc = ota_upload_read(u, 0, head, sizeof(head));
    if (rc < 0) {
        return rc;
    }
    if (((uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 |
         (uint32_t)head[3] << 24) != IMAGE_MAGIC) {
        return BO_ESTATE;
    }
    rc = ota_upload_same(u, blk->off, blk->data, blk->len, &same);
    if (rc < 0) {
        return rc;
    }
    if (same && blk->len != 0) {
        resume = blk->off + blk->len;
        *written = true;
    } else {
        if (span > blk->off) {
            span = blk->off;
        }
        rc = ota_upload_read(u, blk->off - span, prev, span);
        if (rc < 0) {
            return rc;
        }
        if (ota_upload_all_erased(u, prev, span)) {
            return BO_ESTATE;
        }
        resume = blk->off;
    }
    ota_upload_reset(u);
    rc = flash_area_get_sector(u->fa, u->img_off + resume - 1, &s);
    if (rc < 0) {
        return rc;
    }
    u->known = true;
    u->expect = blk->total;
    u->erased_to = s.fs_off + s.fs_size - u->img_off;
    /* A resume inside a write unit carries the unit's bytes that flash already holds. */
    u->carry_len = resume % u->align;
    u->carry_off = resume - u->carry_len;
    u->next_off = resume;
    if (u->carry_len != 0) {
        rc = ota_upload_read(u, u->carry_off, u->carry, u->carry_len);
    }
    return rc;
}

/* Checks the shape of a block against the transfer and the slot. */
static int ota_upload_check(const struct ota_upload *u, const struct ota_upload_block *blk)
{
    if (blk->len > OTA_UPLOAD_BLOCK_MAX || (blk->len != 0 && blk->data == NULL) ||
        blk->size < 16u || blk->size > OTA_UPLOAD_BLOCK_MAX || (blk->size & (blk->size - 1)) != 0 ||
        blk->off % blk->size != 0 || (!blk->last && blk->len != blk->size) ||
        blk->len > blk->size) {
        return BO_EINVAL;
    }
    if (blk->off > u->capacity || blk->len > u->capacity - blk->off || blk->total > u->capacity) {
        return BO_ERANGE;
    }
    return 0;
}

int ota_upload_block(struct ota_upload *u, const struct ota_upload_block *blk)
{
    bool written = false;
    bool same;
    int rc;

    if (u == NULL || blk == NULL || u->fa == NULL) {
        return BO_EINVAL;
    }
    rc = ota_upload_check(u, blk);
    if (rc < 0) {
        return rc;
    }
    if (blk->off == 0) {
        rc = ota_upload_restart(u, blk);
    } else if (u->known && blk->off == u->next_off) {
        rc = 0;
    } else if (u->known && blk->off < u->next_off) {
        /* A block sent again: it must be the one already taken. */
        if (blk->len > u->next_off - blk->off) {
            return BO_ESTATE;
        }
        rc = ota_upload_same(u, blk->off, blk->data, blk->len, &same);
        if (rc == 0 && !same) {
            rc = BO_ESTATE;
        }
        return rc;
    } else if (u->known) {
        return BO_ESTATE;
    } else {
        rc = ota_upload_resume(u, blk, &written);
    }
    if (rc < 0) {
        return rc;
    }
    if (!written) {
        rc = ota_upload_erase_ahead(u, blk->off + blk->len);
        if (rc == 0) {
            rc = ota_upload_stream(u, blk->data, blk->len, blk->last);
        }
        if (rc < 0) {
            /* Where the upload stands is no longer certain: flash decides from now on. */
            ota_upload_reset(u);
            return rc;
        }
    }
    if (blk->total != 0) {
        u->expect = blk->total;
    }
    u->complete = blk->last;
    return 0;
}
