/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The journal of a primary trailer rewrite, kept in a free store (the secondary's trailer
 * sectors or the scratch area): see boot_journal.h for the format, the stores, the order of
 * operations and why each power cut is safe.
 */
#include "boot/boot_journal.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_status.h"
#include "boot/loader_io.h"
#include "boot/swap_state.h"
#include "boot/trailer.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Bytes of the commit record before its padding. */
#define BOOT_JOURNAL_COMMIT_SZ 20u

/* Reads merged into one for the commit and for the body (see boot_journal.h). */
#define BOOT_JOURNAL_COMMIT_READS 32u
#define BOOT_JOURNAL_BODY_READS 8u

/* Reads of a primary unit (and of the primary's image bytes) that must all agree with the
 * journal for the primary to count as holding it. */
#define BOOT_JOURNAL_CHECK_READS 8u

/* Reads of the kept image bytes that must each give the commit's CRC. */
#define BOOT_JOURNAL_TAIL_READS 2u

/* Largest info region journalled (as boot_repair.c keeps). */
#define BOOT_JOURNAL_INFO_MAX 256u

/* Chunk of the merged reads, the CRC and comparison passes and the copies. */
#define BOOT_JOURNAL_CHUNK (4u * TRAILER_ALIGN_MAX)

static const uint8_t boot_journal_magic[4] = { 'B', 'O', 'J', '2' };

/* Where the journal of the current image goes in one store, and its sizes. */
struct boot_journal_geo {
    enum boot_journal_store store;
    const struct flash_area *fa; /* The store's area. */
    uint32_t off;                /* Commit record. */
    uint32_t hdr;                /* Its size: ALIGN_UP(20, unit). */
    uint32_t body;               /* Body size (at off + hdr): ALIGN_UP(nrec + info_sz, unit). */
    uint32_t tail_off;           /* Where the kept image bytes go. */
    uint32_t tail_room;          /* Room for them (0: none). */
    uint32_t tail_len; /* The primary's image bytes below its status area in its first trailer
                           sector (the tail a journal keeps, if any). */
    uint32_t nrec;     /* Status records of the primary. */
    uint32_t info_sz;  /* Info region of the primary. */
    uint8_t ev;        /* Erased value of the store. */
};

static uint32_t boot_journal_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) / a * a;
}

/*
 * CRC-32 (IEEE 802.3, reflected), four bits at a time, continued from crc (start: 0xffffffff,
 * end: ~). A 16-entry table: the kept image bytes are up to a sector, and a 1 KiB table is more
 * flash than this needs on a bootloader.
 */
static uint32_t boot_journal_crc32(uint32_t crc, const uint8_t *p, uint32_t len)
{
    static const uint32_t nibble[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
        0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
    };
    uint32_t i;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 0x0fu];
        crc = (crc >> 4) ^ nibble[crc & 0x0fu];
    }
    return crc;
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

/* Continues crc over [off, off + len) of fa, read once. */
static int boot_journal_crc_flash(const struct flash_area *fa, uint32_t off, uint32_t len,
                                  uint32_t *crc)
{
    uint8_t chunk[BOOT_JOURNAL_CHUNK];
    uint32_t done = 0;
    int rc;

    while (done < len) {
        uint32_t n = len - done < sizeof(chunk) ? len - done : (uint32_t)sizeof(chunk);

        rc = flash_area_read(fa, off + done, chunk, n);
        if (rc < 0) {
            return rc;
        }
        *crc = boot_journal_crc32(*crc, chunk, n);
        done += n;
    }
    return 0;
}

/*
 * Computes where the journal of the current image goes in a store. Returns 0, 1 when the store
 * does not exist or has no room for the journal (a write unit or sizes the journal does not
 * handle), or a negative error.
 */
static int boot_journal_geo_of(struct boot_loader_state *st, enum boot_journal_store store,
                               struct boot_journal_geo *g)
{
    const struct trailer_layout *lp = &st->lay_pri;
    uint32_t first;
    uint32_t pri_first;
    uint32_t span_off;
    uint32_t unit;
    int rc;

    memset(g, 0, sizeof(*g));
    g->store = store;
    g->fa = store == BOOT_JOURNAL_SECONDARY ? st->fa_sec : st->fa_scr;
    if (st->fa_pri == NULL || g->fa == NULL ||
        (store == BOOT_JOURNAL_SCRATCH && st->cfg.image_count != 1)) {
        return 1;
    }
    unit = flash_area_align(g->fa);
    g->nrec = lp->status_entries * lp->status_states;
    g->info_sz = lp->info_sz;
    if (unit == 0 || unit > TRAILER_ALIGN_MAX || g->info_sz > BOOT_JOURNAL_INFO_MAX ||
        g->nrec > sizeof(st->rec_buf) - BOOT_JOURNAL_INFO_MAX - TRAILER_ALIGN_MAX) {
        return 1;
    }
    g->hdr = boot_journal_align_up(BOOT_JOURNAL_COMMIT_SZ, unit);
    g->body = boot_journal_align_up(g->nrec + g->info_sz, unit);
    g->ev = flash_area_erased_val(g->fa);
    rc = trailer_sector_span(lp, st->sect.pri, st->sect.n_pri, &first, &pri_first);
    if (rc < 0) {
        return rc;
    }
    g->tail_len = lp->status_off - pri_first;
    if (store == BOOT_JOURNAL_SECONDARY) {
        if (g->hdr + g->body > st->lay_sec.status_sz) {
            return 1;
        }
        rc = trailer_sector_span(&st->lay_sec, st->sect.sec, st->sect.n_sec, &first, &span_off);
        if (rc < 0) {
            return rc;
        }
        g->off = st->lay_sec.status_off;
        g->tail_off = span_off;
        g->tail_room = st->lay_sec.status_off - span_off;
    } else {
        /* The tail at the start, the journal after it, both before the scratch's fields. */
        g->off = boot_journal_align_up(g->tail_len, unit);
        if (g->off + g->hdr + g->body > st->lay_scr.status_off + st->lay_scr.status_sz) {
            return 1;
        }
        g->tail_off = 0;
        g->tail_room = g->tail_len;
    }
    if (g->tail_len % unit != 0 || g->tail_off % unit != 0) {
        g->tail_room = 0;
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
                out[done + i] =
                    ev == 0 ? (uint8_t)(out[done + i] | tmp[i]) : (uint8_t)(out[done + i] & tmp[i]);
            }
        }
        if (rc < 0) {
            return rc;
        }
        done += n;
    }
    return 0;
}

/* Erases a store (step 3 of boot_journal.h). */
static int boot_journal_erase_store(struct boot_loader_state *st, enum boot_journal_store store)
{
    if (store == BOOT_JOURNAL_SCRATCH) {
        return loader_io_erase(st->fa_scr, 0, flash_area_get_size(st->fa_scr));
    }
    return boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY);
}

/* Whether a store may take a journal now (see boot_journal.h, "Where"). */
static int boot_journal_store_free(struct boot_loader_state *st, const struct boot_journal_geo *g,
                                   const uint8_t *info, bool *free_now)
{
    const struct trailer_layout *lp = &st->lay_pri;
    struct boot_swap_state scr;
    uint32_t span_off = g->tail_off;
    int rc;

    if (g->store == BOOT_JOURNAL_SECONDARY) {
        /* The whole trailer span of the secondary: it is erased afterwards. */
        return boot_rewrite_blank(g->fa, span_off, flash_area_get_size(g->fa) - span_off, g->ev,
                                  free_now);
    }
    *free_now = false;
    if (info[lp->copy_done_off - (lp->status_off + lp->status_sz)] != TRAILER_FLAG_SET_BYTE) {
        return 0;
    }
    rc = swap_state_read(st->fa_scr, &st->lay_scr, &scr);
    if (rc == 0) {
        *free_now = scr.magic != TRAILER_MAGIC_GOOD;
    }
    return rc;
}

/*
 * Writes the journal (step 1 of boot_journal.h) to a free store: the body (from st->rec_buf), the
 * tail (checked against the primary), then the commit. Returns 0, 1 when the kept image bytes
 * do not read back as the primary's (nothing committed), or a negative error.
 */
static int boot_journal_write(struct boot_loader_state *st, const struct boot_journal_geo *g,
                              uint32_t tail_len, const uint8_t *commit_in)
{
    uint8_t chunk[BOOT_JOURNAL_CHUNK];
    uint8_t commit[TRAILER_ALIGN_MAX];
    uint32_t crc = boot_journal_crc32(0xffffffffu, st->rec_buf, g->nrec + g->info_sz);
    uint32_t pri_first = st->lay_pri.status_off - tail_len;
    uint32_t kept = crc;
    uint32_t attempt;
    int rc = 0;

    memcpy(commit, commit_in, sizeof(commit));
    if (tail_len != 0) {
        rc = boot_journal_crc_flash(st->fa_pri, pri_first, tail_len, &crc);
        if (rc < 0) {
            return rc;
        }
    }
    boot_journal_put32(commit + 12, tail_len);
    boot_journal_put32(commit + 16, ~crc);

    /*
     * A cut write of an earlier journal can leave ECC units that read erased but are
     * programmed (the part refuses them, BO_ESEMANTICS): the store is erased and written again.
     * The scratch area holds a swap's leftover: it is always erased first.
     */
    for (attempt = 0; attempt < 2; attempt++) {
        if (attempt > 0 || g->store == BOOT_JOURNAL_SCRATCH) {
            rc = boot_journal_erase_store(st, g->store);
            if (rc < 0) {
                return rc;
            }
        }
        rc = flash_area_write(g->fa, g->off + g->hdr, st->rec_buf, g->body);
        if (rc == 0 && tail_len != 0) {
            rc = loader_io_copy_buf(st->fa_pri, g->fa, pri_first, g->tail_off, tail_len, chunk,
                                    (uint32_t)sizeof(chunk));
        }
        if (rc != BO_ESEMANTICS) {
            break;
        }
    }
    if (rc == 0 && tail_len != 0) {
        /* A write the part dropped must not become the only copy of the image bytes. */
        rc = boot_journal_crc_flash(g->fa, g->tail_off, tail_len, &kept);
        if (rc == 0 && kept != crc) {
            MCUBOOT_LOG_ERR("image %lu: the kept image bytes do not read back",
                            (unsigned long)st->cur);
            return 1;
        }
    }
    if (rc == 0) {
        rc = flash_area_write(g->fa, g->off, commit, g->hdr);
    }
    return rc;
}

int boot_journal_save(struct boot_loader_state *st, const uint8_t *recs, uint32_t nrec,
                      const uint8_t *info, uint32_t info_sz, bool with_tail, struct boot_journal *j)
{
    static const enum boot_journal_store stores[2] = { BOOT_JOURNAL_SECONDARY,
                                                       BOOT_JOURNAL_SCRATCH };
    struct boot_journal_geo g;
    uint8_t commit[TRAILER_ALIGN_MAX];
    bool free_now;
    size_t i;
    int rc;

    memset(j, 0, sizeof(*j));
    for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
        rc = boot_journal_geo_of(st, stores[i], &g);
        if (rc < 0) {
            return rc;
        }
        if (rc > 0 || nrec != g.nrec || info_sz != g.info_sz ||
            (with_tail && (g.tail_len == 0 || g.tail_len > g.tail_room))) {
            continue;
        }
        rc = boot_journal_store_free(st, &g, info, &free_now);
        if (rc < 0) {
            return rc;
        }
        if (!free_now) {
            continue;
        }
        /* The body: records, then the info region, assembled in the copy buffer. */
        memmove(st->rec_buf, recs, nrec);
        memcpy(st->rec_buf + nrec, info, info_sz);
        memset(st->rec_buf + nrec + info_sz, g.ev, g.body - nrec - info_sz);
        memset(commit, g.ev, sizeof(commit));
        memcpy(commit, boot_journal_magic, sizeof(boot_journal_magic));
        commit[4] = (uint8_t)nrec;
        commit[5] = (uint8_t)(nrec >> 8);
        commit[6] = (uint8_t)info_sz;
        commit[7] = (uint8_t)(info_sz >> 8);
        boot_journal_put32(commit + 8, st->lay_pri.status_off);
        rc = boot_journal_write(st, &g, with_tail ? g.tail_len : 0, commit);
        if (rc > 0) {
            /* Not committed: erased now, and the rewrite is refused (nothing lost). */
            return boot_journal_erase_store(st, g.store);
        }
        if (rc < 0) {
            return rc;
        }
        j->store = g.store;
        if (with_tail) {
            j->tail.fa = g.fa;
            j->tail.off = g.tail_off;
            j->tail.len = g.tail_len;
        }
        return 0;
    }
    MCUBOOT_LOG_WRN("image %lu: no room to journal the trailer rewrite", (unsigned long)st->cur);
    return 0;
}

int boot_journal_clear(struct boot_loader_state *st, const struct boot_journal *j)
{
    return j->store == BOOT_JOURNAL_NONE ? 0 : boot_journal_erase_store(st, j->store);
}

/*
 * Whether the commit c belongs to this layout and matches the body in st->rec_buf and the kept
 * image bytes (on every one of BOOT_JOURNAL_TAIL_READS reads).
 */
static int boot_journal_commit_ok(const struct boot_loader_state *st,
                                  const struct boot_journal_geo *g, const uint8_t *c, bool *ok)
{
    uint32_t nrec = (uint32_t)c[4] | (uint32_t)c[5] << 8;
    uint32_t info_sz = (uint32_t)c[6] | (uint32_t)c[7] << 8;
    uint32_t tail_len = boot_journal_get32(c + 12);
    uint32_t body_crc;
    uint32_t crc;
    uint32_t r;
    int rc = 0;

    *ok = memcmp(c, boot_journal_magic, sizeof(boot_journal_magic)) == 0 && nrec == g->nrec &&
          info_sz == g->info_sz && boot_journal_get32(c + 8) == st->lay_pri.status_off &&
          (tail_len == 0 || (tail_len == g->tail_len && tail_len <= g->tail_room));
    body_crc = boot_journal_crc32(0xffffffffu, st->rec_buf, g->nrec + g->info_sz);
    for (r = 0; r < (tail_len == 0 ? 1u : BOOT_JOURNAL_TAIL_READS) && *ok; r++) {
        crc = body_crc;
        rc = boot_journal_crc_flash(g->fa, g->tail_off, tail_len, &crc);
        if (rc < 0) {
            return rc;
        }
        *ok = ~crc == boot_journal_get32(c + 16);
    }
    return rc;
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

/* Whether the primary's image bytes below its status area read as the kept ones, every time. */
static int boot_journal_tail_held(const struct boot_loader_state *st,
                                  const struct boot_journal_geo *g, uint32_t tail_len, bool *same)
{
    uint8_t kept[BOOT_JOURNAL_CHUNK];
    uint8_t pri[BOOT_JOURNAL_CHUNK];
    uint32_t pri_first = st->lay_pri.status_off - tail_len;
    uint32_t done = 0;
    uint32_t r;
    int rc = 0;

    *same = true;
    while (done < tail_len && *same) {
        uint32_t n = tail_len - done < sizeof(kept) ? tail_len - done : (uint32_t)sizeof(kept);

        rc = flash_area_read(g->fa, g->tail_off + done, kept, n);
        for (r = 0; r < BOOT_JOURNAL_CHECK_READS && rc == 0 && *same; r++) {
            rc = flash_area_read(st->fa_pri, pri_first + done, pri, n);
            *same = rc == 0 && memcmp(kept, pri, n) == 0;
        }
        if (rc < 0) {
            return rc;
        }
        done += n;
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
        rc = boot_journal_holds(st, lay->status_off + i * lay->cfg.write_unit, &recs[i], 1, holds);
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
 * A journal without a valid commit (a cut while it was written or erased). In the secondary it
 * is erased when the secondary's trailer fields are erased: the span was erased when the
 * journal began, and only the journal writes a secondary's status area, so no image byte and no
 * request goes with it. In the scratch area it is left: its bytes cannot be told from a swap's
 * sector copy, and the next swap or journal erases the scratch before use.
 */
static int boot_journal_drop_torn(struct boot_loader_state *st, const struct boot_journal_geo *g)
{
    uint32_t area_sz = flash_area_get_size(g->fa);
    uint32_t end = g->off + g->hdr + g->body;
    bool blank;
    int rc;

    if (g->store != BOOT_JOURNAL_SECONDARY) {
        return 0;
    }
    rc = boot_rewrite_blank(g->fa, end, area_sz - end, g->ev, &blank);
    if (rc < 0) {
        return rc;
    }
    if (!blank) {
        MCUBOOT_LOG_WRN("image %lu: an uncommitted trailer journal shares its sector",
                        (unsigned long)st->cur);
        return 0;
    }
    MCUBOOT_LOG_WRN("image %lu: erasing an uncommitted trailer journal", (unsigned long)st->cur);
    return boot_journal_erase_store(st, g->store);
}

/* Finishes or drops the journal of one store (boot_journal_recover()). */
static int boot_journal_recover_store(struct boot_loader_state *st,
                                      const struct boot_journal_geo *g, bool *applied)
{
    struct boot_rewrite_tail tail;
    struct boot_swap_state scr;
    uint8_t commit[TRAILER_ALIGN_MAX];
    uint8_t info[BOOT_JOURNAL_INFO_MAX];
    bool blank;
    bool holds;
    bool ok = false;
    int rc;

    rc = boot_rewrite_blank(g->fa, g->off, g->hdr + g->body, g->ev, &blank);
    if (rc < 0 || blank) {
        return rc;
    }
    if (g->store == BOOT_JOURNAL_SCRATCH) {
        /* While the scratch is the status source, or holds no journal, nothing to do. */
        rc = swap_state_read(st->fa_scr, &st->lay_scr, &scr);
        if (rc == 0 && scr.magic != TRAILER_MAGIC_GOOD) {
            rc = flash_area_read(g->fa, g->off, commit, sizeof(boot_journal_magic));
        }
        if (rc < 0 || scr.magic == TRAILER_MAGIC_GOOD ||
            memcmp(commit, boot_journal_magic, sizeof(boot_journal_magic)) != 0) {
            return rc;
        }
    }
    rc = boot_journal_read_merged(g->fa, g->off, commit, g->hdr, g->ev, BOOT_JOURNAL_COMMIT_READS);
    if (rc == 0) {
        rc = boot_journal_read_merged(g->fa, g->off + g->hdr, st->rec_buf, g->body, g->ev,
                                      BOOT_JOURNAL_BODY_READS);
    }
    if (rc == 0) {
        rc = boot_journal_commit_ok(st, g, commit, &ok);
    }
    if (rc < 0) {
        return rc;
    }
    if (!ok) {
        return boot_journal_drop_torn(st, g);
    }
    tail.fa = g->fa;
    tail.off = g->tail_off;
    tail.len = boot_journal_get32(commit + 12);
    memcpy(info, st->rec_buf + g->nrec, g->info_sz);
    rc = boot_journal_primary_holds(st, g, st->rec_buf, info, &holds);
    if (rc == 0 && holds) {
        rc = boot_journal_tail_held(st, g, tail.len, &holds);
    }
    if (rc < 0) {
        return rc;
    }
    if (!holds) {
        MCUBOOT_LOG_WRN("image %lu: finishing an interrupted trailer rewrite from its journal",
                        (unsigned long)st->cur);
        rc = boot_rewrite_trailer(st, BOOT_SLOT_PRIMARY, st->rec_buf, info,
                                  tail.len != 0 ? &tail : NULL);
        if (rc < 0) {
            return rc;
        }
        *applied = true;
    }
    return boot_journal_erase_store(st, g->store);
}

int boot_journal_recover(struct boot_loader_state *st, bool *applied)
{
    static const enum boot_journal_store stores[2] = { BOOT_JOURNAL_SECONDARY,
                                                       BOOT_JOURNAL_SCRATCH };
    struct boot_journal_geo g;
    bool done = false;
    size_t i;
    int rc = 0;

    for (i = 0; i < sizeof(stores) / sizeof(stores[0]) && rc >= 0; i++) {
        rc = boot_journal_geo_of(st, stores[i], &g);
        if (rc == 0) {
            rc = boot_journal_recover_store(st, &g, &done);
        }
    }
    if (applied != NULL) {
        *applied = done;
    }
    return rc < 0 ? rc : 0;
}
