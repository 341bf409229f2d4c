/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Slot sector tables, geometry compatibility per upgrade mode and the largest image per mode.
 */
#include "boot/sectors.h"

#include <string.h>

#include "bo_err.h"
#include "sysflash/sysflash.h"

static int sectors_load_one(int fa_id, struct flash_sector *out, uint32_t *n)
{
    uint32_t count = BOOT_SECTORS_MAX;
    int rc = flash_area_get_sectors(fa_id, &count, out);

    if (rc < 0) {
        return rc;
    }
    if (count == 0 || count > BOOT_SECTORS_MAX) {
        return BO_ENOMEM;
    }
    *n = count;
    return 0;
}

int sectors_load(struct boot_loader_state *st)
{
    int rc;

    memset(&st->sect.n_pri, 0, sizeof(uint32_t) * 3);
    rc = sectors_load_one(flash_area_get_id(st->fa_pri), st->sect.pri, &st->sect.n_pri);
    if (rc < 0) {
        return rc;
    }
    rc = sectors_load_one(flash_area_get_id(st->fa_sec), st->sect.sec, &st->sect.n_sec);
    if (rc < 0) {
        return rc;
    }
    if (st->cfg.mode == BOOT_MODE_SWAP_SCRATCH) {
        rc = sectors_load_one(FLASH_AREA_IMAGE_SCRATCH, st->sect.scr, &st->sect.n_scr);
    }
    return rc;
}

uint32_t sectors_trailer_count(const struct flash_sector *s, uint32_t n, uint32_t trailer_sz)
{
    uint32_t total = 0;
    uint32_t count = 0;

    while (count < n) {
        total += s[n - 1 - count].fs_size;
        count++;
        if (total >= trailer_sz) {
            break;
        }
    }
    return count;
}

uint32_t sectors_span(const struct flash_sector *s, uint32_t first, uint32_t count)
{
    uint32_t total = 0;
    uint32_t i;

    for (i = 0; i < count; i++) {
        total += s[first + i].fs_size;
    }
    return total;
}

/* Whether every sector of a table has the size of the first one. */
static int sectors_uniform(const struct flash_sector *s, uint32_t n, uint32_t size)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        if (s[i].fs_size != size) {
            return 0;
        }
    }
    return 1;
}

/* Index of the sector holding off (off inside the table), by binary search. */
static uint32_t sectors_at(const struct flash_sector *s, uint32_t n, uint32_t off)
{
    uint32_t lo = 0;
    uint32_t hi = n;

    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (s[mid].fs_off <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Whether off is a sector boundary of a table (its end included). */
static int sectors_is_boundary(const struct flash_sector *s, uint32_t n, uint32_t off)
{
    uint32_t end = s[n - 1].fs_off + s[n - 1].fs_size;

    if (off == 0 || off == end) {
        return 1;
    }
    if (off > end) {
        return 0;
    }
    return s[sectors_at(s, n, off)].fs_off == off;
}

int sectors_common_next(const struct boot_loader_state *st, uint32_t off, uint32_t *next)
{
    const struct boot_sectors *t = &st->sect;
    uint32_t end = t->pri[t->n_pri - 1].fs_off + t->pri[t->n_pri - 1].fs_size;
    uint32_t cand = off;

    while (cand < end) {
        uint32_t i = sectors_at(t->pri, t->n_pri, cand);

        cand = t->pri[i].fs_off + t->pri[i].fs_size;
        if (sectors_is_boundary(t->sec, t->n_sec, cand)) {
            *next = cand;
            return 0;
        }
    }
    return BO_ERANGE;
}

/* The largest boundary of both slots below off (off > 0). */
static uint32_t sectors_common_prev(const struct boot_loader_state *st, uint32_t off)
{
    const struct boot_sectors *t = &st->sect;
    uint32_t cand = off;

    while (cand > 0) {
        cand = t->pri[sectors_at(t->pri, t->n_pri, cand - 1)].fs_off;
        if (sectors_is_boundary(t->sec, t->n_sec, cand)) {
            return cand;
        }
    }
    return 0;
}

uint32_t sectors_region_start(const struct boot_loader_state *st, uint32_t end)
{
    uint32_t scratch_sz = flash_area_get_size(st->fa_scr);
    uint32_t start = end;

    while (start > 0) {
        uint32_t prev = sectors_common_prev(st, start);

        if (end - prev > scratch_sz) {
            break;
        }
        start = prev;
    }
    return start;
}

uint32_t sectors_trailer_floor(const struct boot_loader_state *st)
{
    const struct boot_sectors *t = &st->sect;
    uint32_t a = t->pri[sectors_at(t->pri, t->n_pri, st->lay_pri.status_off)].fs_off;
    uint32_t b = t->sec[sectors_at(t->sec, t->n_sec, st->lay_sec.status_off)].fs_off;

    return a < b ? a : b;
}

static int sectors_scratch_compatible(const struct boot_loader_state *st, const char **why)
{
    uint32_t scratch_sz = flash_area_get_size(st->fa_scr);
    uint32_t pri_sz = flash_area_get_size(st->fa_pri);
    uint32_t off = 0;
    uint32_t next;
    uint32_t top;
    uint32_t limit;

    if (pri_sz != flash_area_get_size(st->fa_sec)) {
        *why = "slots differ in size";
        return 0;
    }
    /* Every unit between common boundaries must fit in the scratch area. */
    while (off < pri_sz) {
        if (sectors_common_next(st, off, &next) < 0) {
            *why = "slots have non-compatible sectors";
            return 0;
        }
        if (next - off > scratch_sz) {
            *why = "not all sectors fit inside scratch";
            return 0;
        }
        off = next;
    }
    /* The first swap step (the top units that fit in the scratch area) carries the trailers. */
    top = sectors_region_start(st, pri_sz);
    limit = sectors_trailer_floor(st);
    if (top > limit) {
        *why = "the scratch area cannot hold the sectors of the trailer";
        return 0;
    }
    if (pri_sz - top > st->lay_scr.status_off + st->lay_pri.trailer_sz) {
        *why = "the scratch area cannot hold the last sectors and its own trailer";
        return 0;
    }
    return 1;
}

int sectors_compatible(const struct boot_loader_state *st, const char **why)
{
    const struct boot_sectors *s = &st->sect;
    const char *dummy;
    uint32_t size;

    if (why == NULL) {
        why = &dummy;
    }
    *why = NULL;
    if (st->cfg.mode == BOOT_MODE_OVERWRITE) {
        if (flash_area_get_size(st->fa_pri) != flash_area_get_size(st->fa_sec)) {
            *why = "slots differ in size";
            return 0;
        }
        return 1;
    }
    if (s->n_pri > st->cfg.max_sectors || s->n_sec > st->cfg.max_sectors) {
        *why = "more sectors than allowed";
        return 0;
    }
    switch (st->cfg.mode) {
    case BOOT_MODE_SWAP_SCRATCH:
        return sectors_scratch_compatible(st, why);
    case BOOT_MODE_SWAP_MOVE:
    case BOOT_MODE_SWAP_OFFSET:
        size = s->pri[0].fs_size;
        if (!sectors_uniform(s->pri, s->n_pri, size) || !sectors_uniform(s->sec, s->n_sec, size)) {
            *why = "not the same sector layout (one sector size needed)";
            return 0;
        }
        if (st->cfg.mode == BOOT_MODE_SWAP_MOVE && s->n_pri != s->n_sec &&
            s->n_pri != s->n_sec + 1) {
            *why = "not a compatible amount of sectors (primary = secondary or + 1)";
            return 0;
        }
        if (st->cfg.mode == BOOT_MODE_SWAP_OFFSET && s->n_pri != s->n_sec &&
            s->n_sec != s->n_pri + 1) {
            *why = "not a compatible amount of sectors (secondary = primary or + 1)";
            return 0;
        }
        if (sectors_max_image_size(st) == 0) {
            *why = "no room for an image beside the trailers";
            return 0;
        }
        return 1;
    default:
        *why = "unknown mode";
        return 0;
    }
}

uint32_t sectors_max_image_size(const struct boot_loader_state *st)
{
    const struct boot_sectors *s = &st->sect;
    uint32_t pri_sz = flash_area_get_size(st->fa_pri);
    uint32_t sec_sz = flash_area_get_size(st->fa_sec);
    uint32_t tp;
    uint32_t ts;
    uint32_t a;
    uint32_t b;

    switch (st->cfg.mode) {
    case BOOT_MODE_OVERWRITE:
    case BOOT_MODE_SWAP_SCRATCH:
        a = pri_sz < sec_sz ? pri_sz : sec_sz;
        tp = st->lay_pri.trailer_sz > st->lay_sec.trailer_sz ? st->lay_pri.trailer_sz
                                                             : st->lay_sec.trailer_sz;
        return a > tp ? a - tp : 0;
    case BOOT_MODE_SWAP_MOVE:
        /* The primary needs one free sector below its trailer; the secondary's trailer
         * sectors are erased when the swap starts. */
        tp = sectors_trailer_count(s->pri, s->n_pri, st->lay_pri.trailer_sz);
        ts = sectors_trailer_count(s->sec, s->n_sec, st->lay_sec.trailer_sz);
        a = s->n_pri > tp + 1 ? s->n_pri - tp - 1 : 0;
        b = s->n_sec > ts ? s->n_sec - ts : 0;
        return (a < b ? a : b) * s->pri[0].fs_size;
    case BOOT_MODE_SWAP_OFFSET:
        /* The secondary's image starts one sector in and must end below its trailer. */
        tp = sectors_trailer_count(s->pri, s->n_pri, st->lay_pri.trailer_sz);
        ts = sectors_trailer_count(s->sec, s->n_sec, st->lay_sec.trailer_sz);
        a = s->n_pri > tp ? s->n_pri - tp : 0;
        b = s->n_sec > ts + 1 ? s->n_sec - ts - 1 : 0;
        return (a < b ? a : b) * s->pri[0].fs_size;
    default:
        return 0;
    }
}
