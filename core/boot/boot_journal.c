/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The journal of a primary trailer rewrite, kept in the secondary slot's status area: see
 * boot_journal.h for the format, the order of operations and why each power cut is safe.
 */
#include "boot/boot_journal.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_repair.h"
#include "boot/boot_status.h"
#include "boot/trailer.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Bytes of the commit record before its padding. */
#define BOOT_JOURNAL_COMMIT_SZ 16u

/* Reads merged into one for the commit and for the body (see boot_journal.h). */
#define BOOT_JOURNAL_COMMIT_READS 32u
#define BOOT_JOURNAL_BODY_READS 8u

/* Reads of a primary unit that must all agree with the journal for the unit to count as held. */
#define BOOT_JOURNAL_CHECK_READS 8u

/* Largest info region journalled (as boot_repair.c keeps). */
#define BOOT_JOURNAL_INFO_MAX 256u

/* Chunk of the blank checks and merged reads. */
#define BOOT_JOURNAL_CHUNK 64u

static const uint8_t boot_journal_magic[4] = { 'B', 'O', 'J', '1' };

/* Where the journal of the current image goes, and its sizes. */
struct boot_journal_geo {
    uint32_t off;      /* Start of the journal in the secondary (its status_off). */
    uint32_t hdr;      /* Commit record size: ALIGN_UP(16, unit). */
    uint32_t body;     /* Body size: ALIGN_UP(nrec + info_sz, unit). */
    uint32_t span_off; /* First trailer sector of the secondary (offset in the area). */
    uint32_t nrec;     /* Status records of the primary. */
    uint32_t info_sz;  /* Info region of the primary. */
    uint8_t ev;        /* Erased value of the secondary. */
};

static uint32_t boot_journal_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) / a * a;
}

/* CRC-32 (IEEE 802.3, reflected), bit by bit: the journal is a few hundred bytes. */
static uint32_t boot_journal_crc32(const uint8_t *p, uint32_t len)
{
    uint32_t crc = 0xffffffffu;
    uint32_t i;
    uint32_t k;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (k = 0; k < 8u; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void boot_journal_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t boot_journal_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Computes where the journal of the current image goes. Returns 0, 1 when there is no room
 * for it (no secondary, a write unit or sizes the journal does not handle), or a negative error.
 */
static int boot_journal_geo_of(struct boot_loader_state *st, struct boot_journal_geo *g)
{
    const struct trailer_layout *lp = &st->lay_pri;
    const struct trailer_layout *ls = &st->lay_sec;
    uint32_t unit;
    uint32_t first;
    int rc;

    if (st->fa_pri == NULL || st->fa_sec == NULL) {
        return 1;
    }
    unit = flash_area_align(st->fa_sec);
    g->nrec = lp->status_entries * lp->status_states;
    g->info_sz = lp->info_sz;
    if (unit == 0 || unit > TRAILER_ALIGN_MAX || g->info_sz > BOOT_JOURNAL_INFO_MAX ||
        g->nrec > sizeof(st->buf) - BOOT_JOURNAL_INFO_MAX - TRAILER_ALIGN_MAX) {
        return 1;
    }
    g->hdr = boot_journal_align_up(BOOT_JOURNAL_COMMIT_SZ, unit);
    g->body = boot_journal_align_up(g->nrec + g->info_sz, unit);
    if (g->hdr + g->body > ls->status_sz) {
        return 1;
    }
    g->off = ls->status_off;
    g->ev = ls->cfg.erased_val;
    rc = trailer_sector_span(ls, st->sect.sec, st->sect.n_sec, &first, &g->span_off);
    if (rc < 0) {
        return rc;
    }
    return 0;
}

/*
 * Reads len bytes at off reads times into out, keeping for each bit the programmed value when
 * any read saw it programmed.
 */
static int boot_journal_read_merged(const struct flash_area *fa, uint32_t off, uint8_t *out,
                                    uint32_t len, uint8_t ev, uint32_t reads)
{
    uint8_t tmp[BOOT_JOURNAL_CHUNK];
    uint32_t done = 0;
    uint32_t r;
    uint32_t i;
    int rc;

    while (done < len) {
        uint32_t n = len - done < sizeof(tmp) ? len - done : (uint32_t)sizeof(tmp);

        rc = flash_area_read(fa, off + done, out + done, n);
        for (r = 1; r < reads && rc == 0; r++) {
            rc = flash_area_read(fa, off + done, tmp, n);
            for (i = 0; i < n && rc == 0; i++) {
                out[done + i] = ev == 0 ? (uint8_t)(out[done + i] | tmp[i])
                                        : (uint8_t)(out[done + i] & tmp[i]);
            }
        }
        if (rc < 0) {
            return rc;
        }
        done += n;
    }
    return 0;
}

int boot_journal_save(struct boot_loader_state *st, const uint8_t *recs, uint32_t nrec,
                      const uint8_t *info, uint32_t info_sz, bool *saved)
{
    struct boot_journal_geo g;
    uint8_t commit[TRAILER_ALIGN_MAX];
    uint32_t area_sz;
    uint32_t attempt;
    bool blank;
    int rc;

    *saved = false;
    rc = boot_journal_geo_of(st, &g);
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    if (nrec != g.nrec || info_sz != g.info_sz) {
        return 0;
    }
    /* The whole trailer span of the secondary must be free: it is erased afterwards. */
    area_sz = flash_area_get_size(st->fa_sec);
    rc = boot_repair_blank(st->fa_sec, g.span_off, area_sz - g.span_off, g.ev, &blank);
    if (rc < 0 || !blank) {
        if (rc == 0) {
            MCUBOOT_LOG_WRN("image %lu: no room to journal the trailer rewrite",
                            (unsigned long)st->cur);
        }
        return rc;
    }

    /* The body: records, then the info region, assembled in the copy buffer. */
    memmove(st->buf, recs, nrec);
    memcpy(st->buf + nrec, info, info_sz);
    memset(st->buf + nrec + info_sz, g.ev, g.body - nrec - info_sz);
    memset(commit, g.ev, sizeof(commit));
    memcpy(commit, boot_journal_magic, sizeof(boot_journal_magic));
    commit[4] = (uint8_t)nrec;
    commit[5] = (uint8_t)(nrec >> 8);
    commit[6] = (uint8_t)info_sz;
    commit[7] = (uint8_t)(info_sz >> 8);
    boot_journal_put32(commit + 8, st->lay_pri.status_off);
    boot_journal_put32(commit + 12, boot_journal_crc32(st->buf, nrec + info_sz));

    /*
     * The body, then the commit last: from then on the journal is authoritative. A cut write
     * of an earlier journal can leave ECC units that read erased but are programmed (the part
     * refuses them, BO_ESEMANTICS): the span read erased, so it is erased and written again.
     */
    for (attempt = 0; attempt < 2; attempt++) {
        if (attempt > 0) {
            rc = boot_journal_clear(st);
            if (rc < 0) {
                return rc;
            }
        }
        rc = flash_area_write(st->fa_sec, g.off + g.hdr, st->buf, g.body);
        if (rc == 0) {
            rc = flash_area_write(st->fa_sec, g.off, commit, g.hdr);
        }
        if (rc != BO_ESEMANTICS) {
            break;
        }
    }
    if (rc < 0) {
        return rc;
    }
    *saved = true;
    return 0;
}

int boot_journal_clear(struct boot_loader_state *st)
{
    return boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
}

/* Whether the commit c belongs to this layout and matches the body in st->buf. */
static bool boot_journal_commit_ok(const struct boot_loader_state *st,
                                   const struct boot_journal_geo *g, const uint8_t *c)
{
    uint32_t nrec = (uint32_t)c[4] | (uint32_t)c[5] << 8;
    uint32_t info_sz = (uint32_t)c[6] | (uint32_t)c[7] << 8;

    return memcmp(c, boot_journal_magic, sizeof(boot_journal_magic)) == 0 && nrec == g->nrec &&
           info_sz == g->info_sz && boot_journal_get32(c + 8) == st->lay_pri.status_off &&
           boot_journal_get32(c + 12) == boot_journal_crc32(st->buf, nrec + info_sz);
}

/* Whether [off, off + len) of the primary reads exactly p on every one of several reads. */
static int boot_journal_holds(const struct boot_loader_state *st, uint32_t off, const uint8_t *p,
                              uint32_t len, bool *same)
{
    uint8_t tmp[TRAILER_ALIGN_MAX];
    uint32_t r;
    int rc = 0;

    *same = len <= sizeof(tmp);
    for (r = 0; r < BOOT_JOURNAL_CHECK_READS && *same; r++) {
        rc = flash_area_read(st->fa_pri, off, tmp, len);
        if (rc < 0) {
            return rc;
        }
        *same = memcmp(tmp, p, len) == 0;
    }
    return rc;
}

/*
 * Whether the primary holds every unit the journal has written: each written record (its first
 * byte) and each written unit of the info region. Units the journal has erased are not looked
 * at: the caller of the rewrite writes them after it.
 */
static int boot_journal_primary_holds(const struct boot_loader_state *st,
                                      const struct boot_journal_geo *g, const uint8_t *recs,
                                      const uint8_t *info, bool *holds)
{
    const struct trailer_layout *lay = &st->lay_pri;
    uint32_t base = lay->status_off + lay->status_sz;
    uint32_t align = flash_area_align(st->fa_pri);
    uint8_t ev = lay->cfg.erased_val;
    uint32_t i;
    uint32_t k;
    bool all_ev;
    int rc;

    *holds = true;
    if (align == 0 || g->info_sz % align != 0) {
        *holds = false;
        return 0;
    }
    for (i = 0; i < g->nrec && *holds; i++) {
        if (recs[i] == ev) {
            continue;
        }
        rc = boot_journal_holds(st, lay->status_off + i * lay->cfg.write_unit, &recs[i], 1,
                                holds);
        if (rc < 0) {
            return rc;
        }
    }
    for (i = 0; i < g->info_sz && *holds; i += align) {
        all_ev = true;
        for (k = 0; k < align; k++) {
            all_ev = all_ev && info[i + k] == ev;
        }
        if (all_ev) {
            continue;
        }
        rc = boot_journal_holds(st, base + i, info + i, align, holds);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * A journal without a valid commit (a cut while it was written or erased): erased when the rest
 * of the secondary's trailer span is erased, so no image byte and no request goes with it.
 */
static int boot_journal_drop_torn(struct boot_loader_state *st, const struct boot_journal_geo *g)
{
    uint32_t area_sz = flash_area_get_size(st->fa_sec);
    uint32_t end = g->off + g->hdr + g->body;
    bool blank;
    int rc;

    rc = boot_repair_blank(st->fa_sec, g->span_off, g->off - g->span_off, g->ev, &blank);
    if (rc == 0 && blank) {
        rc = boot_repair_blank(st->fa_sec, end, area_sz - end, g->ev, &blank);
    }
    if (rc < 0) {
        return rc;
    }
    if (!blank) {
        MCUBOOT_LOG_WRN("image %lu: an uncommitted trailer journal shares its sector",
                        (unsigned long)st->cur);
        return 0;
    }
    MCUBOOT_LOG_WRN("image %lu: erasing an uncommitted trailer journal", (unsigned long)st->cur);
    return boot_journal_clear(st);
}

int boot_journal_recover(struct boot_loader_state *st, bool *applied)
{
    struct boot_journal_geo g;
    uint8_t commit[TRAILER_ALIGN_MAX];
    uint8_t info[BOOT_JOURNAL_INFO_MAX];
    bool blank;
    bool holds;
    int rc;

    if (applied != NULL) {
        *applied = false;
    }
    rc = boot_journal_geo_of(st, &g);
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    rc = boot_repair_blank(st->fa_sec, g.off, g.hdr + g.body, g.ev, &blank);
    if (rc < 0 || blank) {
        return rc;
    }
    rc = boot_journal_read_merged(st->fa_sec, g.off, commit, g.hdr, g.ev,
                                  BOOT_JOURNAL_COMMIT_READS);
    if (rc == 0) {
        rc = boot_journal_read_merged(st->fa_sec, g.off + g.hdr, st->buf, g.body, g.ev,
                                      BOOT_JOURNAL_BODY_READS);
    }
    if (rc < 0) {
        return rc;
    }
    if (!boot_journal_commit_ok(st, &g, commit)) {
        return boot_journal_drop_torn(st, &g);
    }
    memcpy(info, st->buf + g.nrec, g.info_sz);
    rc = boot_journal_primary_holds(st, &g, st->buf, info, &holds);
    if (rc < 0) {
        return rc;
    }
    if (!holds) {
        MCUBOOT_LOG_WRN("image %lu: finishing an interrupted trailer rewrite from its journal",
                        (unsigned long)st->cur);
        rc = boot_repair_write_back(st, BOOT_SLOT_PRIMARY, st->buf, info);
        if (rc < 0) {
            return rc;
        }
        if (applied != NULL) {
            *applied = true;
        }
    }
    return boot_journal_clear(st);
}
