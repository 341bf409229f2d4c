/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The erase and rewrite of a slot's trailer from saved bytes (see boot_rewrite.h).
 */
#include "boot/boot_rewrite.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_status.h"
#include "boot/loader_io.h"

void boot_rewrite_slot_of(const struct boot_loader_state *st, int slot, struct boot_rewrite_slot *s)
{
    if (slot == BOOT_SLOT_PRIMARY) {
        s->fa = st->fa_pri;
        s->lay = &st->lay_pri;
        s->sect = st->sect.pri;
        s->n = st->sect.n_pri;
    } else {
        s->fa = st->fa_sec;
        s->lay = &st->lay_sec;
        s->sect = st->sect.sec;
        s->n = st->sect.n_sec;
    }
}

int boot_rewrite_blank(const struct flash_area *fa, uint32_t off, uint32_t len, uint8_t ev,
                       bool *blank)
{
    uint8_t chunk[64];
    uint32_t done = 0;
    uint32_t i;
    int rc;

    *blank = true;
    while (done < len && *blank) {
        uint32_t n = len - done < sizeof(chunk) ? len - done : (uint32_t)sizeof(chunk);

        rc = flash_area_read(fa, off + done, chunk, n);
        if (rc < 0) {
            return rc;
        }
        for (i = 0; i < n; i++) {
            *blank = *blank && chunk[i] == ev;
        }
        done += n;
    }
    return 0;
}

bool boot_rewrite_all(const uint8_t *p, uint32_t len, uint8_t v)
{
    uint32_t i;

    for (i = 0; i < len; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

int boot_rewrite_trailer(struct boot_loader_state *st, int slot, const uint8_t *recs,
                         const uint8_t *info, const struct boot_rewrite_tail *tail)
{
    struct boot_rewrite_slot s;
    const struct trailer_layout *lay;
    uint8_t chunk[4u * TRAILER_ALIGN_MAX];
    uint8_t unit[TRAILER_ALIGN_MAX];
    uint32_t nrec;
    uint32_t base;
    uint32_t align;
    uint32_t wu;
    uint32_t i;
    uint8_t ev;
    int rc;

    boot_rewrite_slot_of(st, slot, &s);
    lay = s.lay;
    ev = lay->cfg.erased_val;
    wu = lay->cfg.write_unit;
    align = flash_area_align(s.fa);
    nrec = lay->status_entries * lay->status_states;
    base = lay->status_off + lay->status_sz;
    if (align == 0 || align > wu || wu > TRAILER_ALIGN_MAX ||
        (tail != NULL && tail->len > lay->status_off)) {
        return BO_ESEMANTICS;
    }
    rc = boot_status_erase_trailer(st, slot);
    if (rc == 0 && tail != NULL && tail->len != 0) {
        /* The image bytes the erase took, before anything of the trailer. */
        rc = loader_io_copy_buf(tail->fa, s.fa, tail->off, lay->status_off - tail->len, tail->len,
                                chunk, (uint32_t)sizeof(chunk));
    }
    if (rc < 0) {
        return rc;
    }
    /* Records first, then the fields, the magic last. */
    for (i = 0; i < nrec; i++) {
        if (recs[i] == ev) {
            continue;
        }
        memset(unit, ev, sizeof(unit));
        unit[0] = recs[i];
        rc = flash_area_write(s.fa, lay->status_off + i * wu, unit, wu);
        if (rc < 0) {
            return rc;
        }
    }
    for (i = 0; base + i < lay->magic_unit_off; i += align) {
        if (boot_rewrite_all(info + i, align, ev)) {
            continue;
        }
        rc = flash_area_write(s.fa, base + i, info + i, align);
        if (rc < 0) {
            return rc;
        }
    }
    i = lay->magic_unit_off - base;
    if (!boot_rewrite_all(info + i, lay->magic_unit_sz, ev)) {
        rc = flash_area_write(s.fa, lay->magic_unit_off, info + i, lay->magic_unit_sz);
    }
    return rc;
}
