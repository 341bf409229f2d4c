/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trailer repair after torn writes on ECC flash: see boot_repair.h for the rules and their
 * reasons.
 */
#include "boot/boot_repair.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_journal.h"
#include "boot/boot_rewrite.h"
#include "boot/trailer.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Reads of a byte merged into one: a bit that any read saw programmed counts as programmed. */
#define BOOT_REPAIR_READS 8u

/* Largest info region kept (4 MA + MA + ALIGN_UP(16, MA) with MA 32 is 192 bytes). */
#define BOOT_REPAIR_INFO_MAX 256u

/*
 * Reads len bytes at off BOOT_REPAIR_READS times into out, keeping for each bit the programmed
 * value when any read saw it: an unstable bit belongs to an interrupted write over erased cells.
 */
static int boot_repair_read_merged(const struct flash_area *fa, uint32_t off, uint8_t *out,
                                   uint32_t len, uint8_t ev)
{
    uint8_t tmp[BOOT_REPAIR_INFO_MAX];
    uint32_t r;
    uint32_t i;
    int rc;

    if (len > sizeof(tmp)) {
        return BO_ERANGE;
    }
    rc = flash_area_read(fa, off, out, len);
    for (r = 1; r < BOOT_REPAIR_READS && rc == 0; r++) {
        rc = flash_area_read(fa, off, tmp, len);
        for (i = 0; i < len && rc == 0; i++) {
            out[i] = ev == 0 ? (uint8_t)(out[i] | tmp[i]) : (uint8_t)(out[i] & tmp[i]);
        }
    }
    return rc;
}

static bool boot_repair_overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return blen != 0 && alen != 0 && a < b + blen && b < a + alen;
}

/* A flag unit that holds anything but erased bytes was meant to read "set". */
static void boot_repair_norm_flag(uint8_t *info, uint32_t base, uint32_t flag_off, uint32_t unit,
                                  uint8_t ev)
{
    uint8_t *p = info + (flag_off - base);

    if (!boot_rewrite_all(p, unit, ev)) {
        memset(p, ev, unit);
        p[0] = TRAILER_FLAG_SET_BYTE;
    }
}

/*
 * Saves what a slot's trailer holds (see boot_repair.h): one byte per status record into recs
 * (the rest of a record is padding) and the info region into info, each byte merged over
 * several reads, torn flags read as set, a partly written magic as the magic, and the units
 * overlapping [skip_off, skip_off + skip_len) as erased.
 */
static int boot_repair_save(const struct boot_rewrite_slot *s, uint32_t skip_off, uint32_t skip_len,
                            uint8_t *recs, uint8_t *info)
{
    const struct trailer_layout *lay = s->lay;
    uint32_t nrec = lay->status_entries * lay->status_states;
    uint32_t base = lay->status_off + lay->status_sz;
    uint32_t align = flash_area_align(s->fa);
    uint32_t wu = lay->cfg.write_unit;
    uint8_t ev = lay->cfg.erased_val;
    uint32_t i;
    int rc;

    for (i = 0; i < nrec; i++) {
        rc = boot_repair_read_merged(s->fa, lay->status_off + i * wu, &recs[i], 1, ev);
        if (rc < 0) {
            return rc;
        }
        if (boot_repair_overlaps(lay->status_off + i * wu, wu, skip_off, skip_len)) {
            recs[i] = ev;
        }
    }
    rc = boot_repair_read_merged(s->fa, base, info, lay->info_sz, ev);
    if (rc < 0) {
        return rc;
    }
    boot_repair_norm_flag(info, base, lay->image_ok_off, align, ev);
    boot_repair_norm_flag(info, base, lay->copy_done_off, align, ev);
    if (!boot_rewrite_all(info + (lay->magic_off - base), TRAILER_MAGIC_SZ, ev)) {
        memset(info + (lay->magic_unit_off - base), ev, lay->magic_unit_sz);
        rc = trailer_magic_bytes(lay->cfg.max_align, info + (lay->magic_off - base));
        if (rc < 0) {
            return rc;
        }
    }
    for (i = 0; i < lay->info_sz; i++) {
        if (boot_repair_overlaps(base + i, 1, skip_off, skip_len)) {
            info[i] = ev;
        }
    }
    return 0;
}

/*
 * Whether the image bytes below the status area in the trailer's first sector are all erased
 * (*blank). Returns 0, BO_ESEMANTICS when the layout is not one the repair handles (records
 * beyond rec_max, a large info region, write units), or a flash error.
 */
static int boot_repair_tail_blank(const struct boot_rewrite_slot *s, uint32_t rec_max, bool *blank)
{
    const struct trailer_layout *lay = s->lay;
    uint32_t align = flash_area_align(s->fa);
    uint32_t wu = lay->cfg.write_unit;
    uint32_t first;
    uint32_t first_off;
    int rc;

    if (lay->status_entries * lay->status_states > rec_max || lay->info_sz > BOOT_REPAIR_INFO_MAX ||
        align == 0 || align > wu || wu > TRAILER_ALIGN_MAX) {
        return BO_ESEMANTICS;
    }
    rc = trailer_sector_span(lay, s->sect, s->n, &first, &first_off);
    if (rc < 0) {
        return rc;
    }
    return boot_rewrite_blank(s->fa, first_off, lay->status_off - first_off, lay->cfg.erased_val,
                              blank);
}

/*
 * boot_repair_trailer(), with the primary's flags of set (bit 0 image_ok, bit 1 copy_done)
 * written back "set" (boot_repair_set_flags()).
 */
static int boot_repair_trailer_as(struct boot_loader_state *st, int slot, uint32_t skip_off,
                                  uint32_t skip_len, unsigned set)
{
    struct boot_rewrite_slot s;
    uint8_t info[BOOT_REPAIR_INFO_MAX];
    uint8_t *recs = st->rec_buf;
    struct boot_journal jr;
    uint32_t base;
    uint32_t i;
    bool blank;
    int rc;

    boot_rewrite_slot_of(st, slot, &s);
    /* Image bytes in the trailer's first sector: erased only once kept in a free area. */
    rc = boot_repair_tail_blank(&s, (uint32_t)sizeof(st->rec_buf), &blank);
    if (rc < 0) {
        return rc;
    }
    if (!blank && slot != BOOT_SLOT_PRIMARY) {
        MCUBOOT_LOG_ERR("image %lu: torn trailer shares its sector with the image",
                        (unsigned long)st->cur);
        return BO_ESEMANTICS;
    }
    MCUBOOT_LOG_WRN("image %lu: rewriting the %s trailer after a torn write",
                    (unsigned long)st->cur, slot == BOOT_SLOT_PRIMARY ? "primary" : "secondary");
    rc = boot_repair_save(&s, skip_off, skip_len, recs, info);
    if (rc < 0) {
        return rc;
    }
    base = s.lay->status_off + s.lay->status_sz;
    for (i = 0; i < 2; i++) {
        uint32_t off = i == 0 ? s.lay->image_ok_off : s.lay->copy_done_off;

        if ((set >> i) & 1u) {
            memset(info + (off - base), s.lay->cfg.erased_val, flash_area_align(s.fa));
            info[off - base] = TRAILER_FLAG_SET_BYTE;
        }
    }
    memset(&jr, 0, sizeof(jr));
    if (slot == BOOT_SLOT_PRIMARY) {
        /* A copy first, so that a cut between the erase and the magic loses nothing. */
        rc = boot_journal_save(st, recs, s.lay->status_entries * s.lay->status_states, info,
                               s.lay->info_sz, !blank, &jr);
        if (rc < 0) {
            return rc;
        }
        if (!blank && jr.store == BOOT_JOURNAL_NONE) {
            MCUBOOT_LOG_ERR("image %lu: torn trailer shares its sector with the image and no "
                            "free area can keep the image bytes",
                            (unsigned long)st->cur);
            return BO_ESEMANTICS;
        }
    }
    rc = boot_rewrite_trailer(st, slot, recs, info, blank ? NULL : &jr.tail);
    if (rc == 0 && jr.store != BOOT_JOURNAL_NONE) {
        rc = boot_journal_clear(st, &jr);
    }
    return rc;
}

int boot_repair_trailer(struct boot_loader_state *st, int slot, uint32_t skip_off,
                        uint32_t skip_len)
{
    return boot_repair_trailer_as(st, slot, skip_off, skip_len, 0);
}

int boot_repair_set_flags(struct boot_loader_state *st, bool image_ok, bool copy_done)
{
    return boot_repair_trailer_as(st, BOOT_SLOT_PRIMARY, 0, 0,
                                  (image_ok ? 1u : 0u) | (copy_done ? 2u : 0u));
}

int boot_repair_for_retry(struct boot_loader_state *st, const struct flash_area *fa, int rc,
                          uint32_t off, uint32_t len)
{
    int slot;

    if (rc != BO_ESEMANTICS) {
        return rc;
    }
    if (fa == st->fa_pri) {
        slot = BOOT_SLOT_PRIMARY;
    } else if (fa == st->fa_sec) {
        slot = BOOT_SLOT_SECONDARY;
    } else {
        return rc;
    }
    return boot_repair_trailer(st, slot, off, len);
}

/* What boot_repair_scan_primary() saw in the primary's trailer fields. */
struct boot_repair_scan {
    bool good;           /**< The magic read good at least once. */
    bool magic_unstable; /**< ... but not on every read. */
    bool torn;           /**< A flag read bad, or a field read differently on two reads. */
    bool prog[2];        /**< image_ok, copy_done: some read saw it programmed. */
    bool set[2];         /**< image_ok, copy_done: every read saw it set. */
};

/* Reads the primary's trailer fields BOOT_REPAIR_READS times and says what it saw. */
static int boot_repair_scan_primary(struct boot_loader_state *st, struct boot_repair_scan *sc)
{
    const struct trailer_layout *lay = &st->lay_pri;
    uint8_t first[BOOT_REPAIR_INFO_MAX];
    uint8_t again[BOOT_REPAIR_INFO_MAX];
    uint32_t base = lay->status_off + lay->status_sz;
    uint32_t r;
    bool all_good = true;
    int rc;

    memset(sc, 0, sizeof(*sc));
    sc->set[0] = true;
    sc->set[1] = true;
    rc = flash_area_read(st->fa_pri, base, first, lay->info_sz);
    for (r = 0; r < BOOT_REPAIR_READS && rc == 0; r++) {
        const uint8_t *b = r == 0 ? first : again;
        bool g;

        if (r > 0) {
            rc = flash_area_read(st->fa_pri, base, again, lay->info_sz);
            if (rc < 0) {
                break;
            }
            /* A value read twice differently is not trusted. */
            sc->torn = sc->torn || memcmp(first, again, lay->info_sz) != 0;
        }
        g = trailer_decode_magic(lay, b + (lay->magic_off - base)) == TRAILER_MAGIC_GOOD;
        sc->good = sc->good || g;
        all_good = all_good && g;
        sc->torn =
            sc->torn || trailer_decode_flag(lay, b[lay->image_ok_off - base]) == TRAILER_FLAG_BAD;
        sc->torn =
            sc->torn || trailer_decode_flag(lay, b[lay->copy_done_off - base]) == TRAILER_FLAG_BAD;
        sc->prog[0] = sc->prog[0] || b[lay->image_ok_off - base] != lay->cfg.erased_val;
        sc->prog[1] = sc->prog[1] || b[lay->copy_done_off - base] != lay->cfg.erased_val;
        sc->set[0] =
            sc->set[0] && trailer_decode_flag(lay, b[lay->image_ok_off - base]) == TRAILER_FLAG_SET;
        sc->set[1] = sc->set[1] &&
                     trailer_decode_flag(lay, b[lay->copy_done_off - base]) == TRAILER_FLAG_SET;
    }
    sc->magic_unstable = sc->good && !all_good;
    return rc;
}

/*
 * Completes in place the fields of the primary whose value is known: a torn or unstable flag
 * ("set") and an unstable good magic. On NOR this needs no erase (a torn write only moved bits
 * toward the value being written, and a program settles weak bits), so no power cut can find
 * the trailer erased half-way through a repair (a depth-2 finding: a cut while rewriting the
 * trailer after a torn copy_done lost magic, image_ok and copy_done). An ECC part refuses
 * (BO_ESEMANTICS): the field stays as it is for the caller's erase and rewrite.
 */
static int boot_repair_in_place(struct boot_loader_state *st, const struct boot_repair_scan *sc)
{
    int rc = 0;
    int i;

    for (i = 0; i < 2 && rc == 0; i++) {
        if (!sc->prog[i] || sc->set[i]) {
            continue;
        }
        MCUBOOT_LOG_WRN("completing a torn %s flag in place", i == 0 ? "image_ok" : "copy_done");
        if (i == 0) {
            rc = trailer_write_image_ok(st->fa_pri, &st->lay_pri);
        } else {
            rc = trailer_write_copy_done(st->fa_pri, &st->lay_pri);
        }
        rc = rc == BO_ESEMANTICS ? 0 : rc;
    }
    if (rc == 0 && sc->magic_unstable) {
        MCUBOOT_LOG_WRN("settling an unstable magic in place");
        rc = trailer_write_magic(st->fa_pri, &st->lay_pri);
        rc = rc == BO_ESEMANTICS ? 0 : rc;
    }
    return rc;
}

int boot_repair_check_primary(struct boot_loader_state *st, bool *repaired)
{
    struct boot_repair_scan sc;
    int rc;

    if (repaired != NULL) {
        *repaired = false;
    }
    if (st->lay_pri.info_sz > BOOT_REPAIR_INFO_MAX) {
        return 0;
    }
    rc = boot_repair_scan_primary(st, &sc);
    if (rc < 0 || !sc.good || !sc.torn) {
        return rc;
    }
    rc = boot_repair_in_place(st, &sc);
    if (rc == 0) {
        rc = boot_repair_scan_primary(st, &sc);
    }
    if (rc < 0) {
        return rc;
    }
    if (sc.torn) {
        /* Something in place could not settle: erase and write the trailer back. */
        rc = boot_repair_trailer(st, BOOT_SLOT_PRIMARY, 0, 0);
        if (rc == BO_ESEMANTICS) {
            /* Not repairable by an erase without losing image bytes: left as it is. */
            return 0;
        }
    }
    if (rc == 0 && repaired != NULL) {
        *repaired = true;
    }
    return rc;
}

int boot_repair_settle_record(struct boot_loader_state *st, int slot, uint32_t rec, uint8_t val)
{
    struct boot_rewrite_slot s;
    uint8_t first[TRAILER_ALIGN_MAX];
    uint8_t again[TRAILER_ALIGN_MAX];
    bool stable = true;
    uint32_t nrec;
    uint32_t wu;
    uint32_t off;
    uint32_t r;
    int rc;

    boot_rewrite_slot_of(st, slot, &s);
    wu = s.lay->cfg.write_unit;
    nrec = s.lay->status_entries * s.lay->status_states;
    if (rec >= nrec || wu == 0 || wu > TRAILER_ALIGN_MAX) {
        return BO_EINVAL;
    }
    off = s.lay->status_off + rec * wu;
    rc = flash_area_read(s.fa, off, first, wu);
    for (r = 1; r < BOOT_REPAIR_READS && rc == 0 && stable; r++) {
        rc = flash_area_read(s.fa, off, again, wu);
        stable = rc == 0 && memcmp(first, again, wu) == 0;
    }
    if (rc < 0 || stable) {
        return rc;
    }
    MCUBOOT_LOG_WRN("image %lu: settling an unstable swap status record", (unsigned long)st->cur);
    memset(first, s.lay->cfg.erased_val, sizeof(first));
    first[0] = val;
    rc = flash_area_write(s.fa, off, first, wu);
    /* An ECC part refuses: the record stays unstable, and boot_repair_status_end() keeps
     * reading it as written (an erase and rewrite here would open a window in which a cut
     * loses the whole trailer). */
    return rc == BO_ESEMANTICS ? 0 : rc;
}

int boot_repair_status_end(struct boot_loader_state *st, int slot, uint32_t count, uint32_t *next)
{
    struct boot_rewrite_slot s;

    boot_rewrite_slot_of(st, slot, &s);
    return boot_repair_status_end_of(s.fa, s.lay, count, next);
}

int boot_repair_status_end_of(const struct flash_area *fa, const struct trailer_layout *lay,
                              uint32_t count, uint32_t *next)
{
    uint32_t wu = lay->cfg.write_unit;
    uint32_t r;
    uint8_t b;
    bool written;
    int rc = 0;

    while (*next < count && rc == 0) {
        written = false;
        for (r = 0; r < BOOT_REPAIR_READS && rc == 0 && !written; r++) {
            rc = flash_area_read(fa, lay->status_off + *next * wu, &b, 1);
            written = rc == 0 && b != lay->cfg.erased_val;
        }
        if (!written) {
            break;
        }
        (*next)++;
    }
    return rc;
}
