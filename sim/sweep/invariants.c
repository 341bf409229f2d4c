/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invariants of a power-fail sweep (see invariants.h).
 */
#include "sweep/invariants.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

static const char *const invariant_names[INVARIANT_COUNT] = {
    "none", "bootable", "allowed-image", "no-downgrade", "final-state", "stable", "harness",
};

const char *invariant_name(enum invariant_id id)
{
    return (unsigned)id < INVARIANT_COUNT ? invariant_names[id] : "?";
}

int invariant_fail(struct invariant_report *r, enum invariant_id id, const char *fmt, ...)
{
    va_list ap;

    if (r->id != INVARIANT_NONE) {
        return 1;
    }
    r->id = (uint8_t)id;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
    va_end(ap);
    return 1;
}

static int invariant_ver_cmp(const struct image_version *a, const struct image_version *b)
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
    return 0;
}

static const char *invariant_ident_name(int id)
{
    switch (id & 0x0f) {
    case SCENARIO_ID_EMPTY:
        return "empty";
    case SCENARIO_ID_OLD:
        return "old";
    case SCENARIO_ID_NEW:
        return "new";
    default:
        return "other";
    }
}

int invariant_check_boot(const struct scenario *sc, int boot_rc, const struct boot_rsp *rsp,
                         struct invariant_report *r)
{
    uint32_t i;
    int id;

    if (boot_rc != 0) {
        return invariant_fail(r, INVARIANT_BOOT, "boot failed: %s (%d)", bo_strerror(boot_rc),
                              boot_rc);
    }
    if (rsp->image_count != sc->image_count) {
        return invariant_fail(r, INVARIANT_BOOT, "boot handled %u images, want %u",
                              rsp->image_count, sc->image_count);
    }
    for (i = 0; i < sc->image_count; i++) {
        const struct image_version *v = &rsp->versions[i];

        if (sc->cfg.downgrade_version && invariant_ver_cmp(v, &sc->img[i][0].ver) < 0) {
            return invariant_fail(r, INVARIANT_DOWNGRADE,
                                  "image %u runs v%u.%u.%u, below the starting v%u.%u.%u", i,
                                  v->major, v->minor, v->revision, sc->img[i][0].ver.major,
                                  sc->img[i][0].ver.minor, sc->img[i][0].ver.revision);
        }
        id = scenario_identify(sc, i, 0);
        if (id < 0) {
            return invariant_fail(r, INVARIANT_BOOT, "image %u: primary unreadable: %d", i, id);
        }
        if (id == SCENARIO_ID_EMPTY || id == SCENARIO_ID_OTHER) {
            return invariant_fail(r, INVARIANT_IMAGE,
                                  "image %u boots a primary slot holding %s (v%u.%u), neither "
                                  "the old nor the new image",
                                  i, id == SCENARIO_ID_EMPTY ? "no image" : "a third image",
                                  v->major, v->minor);
        }
        if (!scenario_boot_allowed(sc, i, id)) {
            return invariant_fail(r, INVARIANT_IMAGE, "image %u runs the %s image, not allowed", i,
                                  invariant_ident_name(id));
        }
        if (invariant_ver_cmp(v, &sc->img[i][id == SCENARIO_ID_NEW ? 1 : 0].ver) != 0) {
            return invariant_fail(r, INVARIANT_BOOT,
                                  "image %u: reported version v%u.%u differs from the slot's", i,
                                  v->major, v->minor);
        }
        if (i == 0 && rsp->hash_len != 0 &&
            (rsp->hash_len != 32 ||
             memcmp(rsp->hash, sc->img[0][id == SCENARIO_ID_NEW ? 1 : 0].hash, 32) != 0)) {
            return invariant_fail(r, INVARIANT_BOOT,
                                  "image 0: the reported hash is not the %s image's",
                                  invariant_ident_name(id));
        }
    }
    return 0;
}

/*
 * Whether two trailers are the same end state. Upstream MCUboot records in swap_type the
 * operation that finished the job (a revert resumed through its table's "perm" row records
 * perm) and never reads it once copy_done is set: for it, a finished trailer's swap_type is
 * not part of the end state. The core's is.
 */
static bool invariant_state_eq(const struct scenario *sc, const struct boot_swap_state *a,
                               const struct boot_swap_state *b)
{
    bool finished = sc->bl != NULL && sc->bl->kind != BL_BROWNOUT &&
                    a->copy_done == TRAILER_FLAG_SET && b->copy_done == TRAILER_FLAG_SET;

    return a->magic == b->magic && (finished || a->swap_type == b->swap_type) &&
           a->copy_done == b->copy_done && a->image_ok == b->image_ok &&
           a->image_num == b->image_num;
}

/* Describes the first difference between fin and ref. */
static void invariant_describe(const struct scenario *sc, const struct scenario_final *fin,
                               const struct scenario_final *ref, char *buf, size_t len)
{
    uint32_t i;

    for (i = 0; i < sc->image_count; i++) {
        const struct boot_swap_state *g[2] = { &fin->pri[i], &fin->sec[i] };
        const struct boot_swap_state *w[2] = { &ref->pri[i], &ref->sec[i] };
        int s;

        for (s = 0; s < 2; s++) {
            if (!invariant_state_eq(sc, g[s], w[s])) {
                snprintf(buf, len,
                         "image %u %s trailer: magic %u swap_type %u copy_done %u image_ok %u "
                         "image_num %u; an uninterrupted run leaves %u %u %u %u %u",
                         i, s == 0 ? "primary" : "secondary", g[s]->magic, g[s]->swap_type,
                         g[s]->copy_done, g[s]->image_ok, g[s]->image_num, w[s]->magic,
                         w[s]->swap_type, w[s]->copy_done, w[s]->image_ok, w[s]->image_num);
                return;
            }
        }
        if (fin->pri_id[i] != ref->pri_id[i] || fin->sec_id[i] != ref->sec_id[i]) {
            snprintf(buf, len,
                     "image %u slots hold %s%s / %s%s; an uninterrupted run leaves %s / %s%s", i,
                     invariant_ident_name(fin->pri_id[i]), "", invariant_ident_name(fin->sec_id[i]),
                     (fin->sec_id[i] & 0x10) != 0 ? " (one sector in)" : "",
                     invariant_ident_name(ref->pri_id[i]), invariant_ident_name(ref->sec_id[i]),
                     (ref->sec_id[i] & 0x10) != 0 ? " (one sector in)" : "");
            return;
        }
    }
    snprintf(buf, len, "final state differs");
}

static bool invariant_final_eq(const struct scenario *sc, const struct scenario_final *a,
                               const struct scenario_final *b, bool primary_only)
{
    uint32_t i;

    for (i = 0; i < sc->image_count; i++) {
        if (a->run[i] != b->run[i] || a->pri_id[i] != b->pri_id[i] ||
            !invariant_state_eq(sc, &a->pri[i], &b->pri[i])) {
            return false;
        }
        if (!primary_only &&
            (a->sec_id[i] != b->sec_id[i] || !invariant_state_eq(sc, &a->sec[i], &b->sec[i]))) {
            return false;
        }
    }
    return true;
}

static bool invariant_run_eq(const struct scenario *sc, const struct scenario_final *a,
                             const struct scenario_final *b)
{
    uint32_t i;

    for (i = 0; i < sc->image_count; i++) {
        if (a->run[i] != b->run[i]) {
            return false;
        }
    }
    return true;
}

int invariant_check_final(const struct scenario *sc, const struct scenario_final *fin,
                          const struct scenario_final *refs, const uint8_t *allow, size_t nref,
                          struct invariant_report *r)
{
    const struct scenario_final *near = NULL;
    char buf[200];
    size_t i;

    for (i = 0; i < nref; i++) {
        if (allow[i] == INVARIANT_REF_NO || !invariant_run_eq(sc, fin, &refs[i])) {
            continue;
        }
        if (invariant_final_eq(sc, fin, &refs[i], allow[i] == INVARIANT_REF_PRIMARY)) {
            return 0;
        }
        near = near == NULL ? &refs[i] : near;
    }
    if (near == NULL) {
        return invariant_fail(r, INVARIANT_IMAGE,
                              "the run ends on the %s image%s, an outcome not allowed for a cut "
                              "there",
                              invariant_ident_name(fin->run[0]),
                              sc->image_count > 1 ? " (image 0)" : "");
    }
    invariant_describe(sc, fin, near, buf, sizeof(buf));
    return invariant_fail(r, INVARIANT_FINAL, "%s", buf);
}

int invariant_check_stable(const struct scenario *sc, struct port_flash_map *map,
                           struct boot_loader_state *state, const struct boot_rsp *last,
                           struct invariant_report *r)
{
    uint8_t *copy[PORT_FLASH_MAP_MAX_DEVICES] = { NULL };
    uint8_t *ecc[PORT_FLASH_MAP_MAX_DEVICES] = { NULL };
    struct boot_rsp rsp;
    uint32_t i;
    int rc = 0;
    int brc;

    for (i = 0; i < map->device_count; i++) {
        struct vflash *d = map->devices[i];

        copy[i] = malloc(d->size);
        if (copy[i] == NULL) {
            rc = BO_ENOMEM;
            goto out;
        }
        memcpy(copy[i], d->mem, d->size);
        if (d->ecc_map != NULL) {
            ecc[i] = malloc(vflash_ecc_map_size(&d->geom));
            if (ecc[i] == NULL) {
                rc = BO_ENOMEM;
                goto out;
            }
            memcpy(ecc[i], d->ecc_map, vflash_ecc_map_size(&d->geom));
        }
    }
    brc = sc->bl->boot(state, &sc->cfg, &rsp);
    if (brc != 0) {
        rc = invariant_fail(r, INVARIANT_STABLE, "a further boot fails: %s (%d)", bo_strerror(brc),
                            brc);
        goto out;
    }
    for (i = 0; i < sc->image_count; i++) {
        if (memcmp(&rsp.versions[i], &last->versions[i], sizeof(rsp.versions[i])) != 0) {
            rc = invariant_fail(r, INVARIANT_STABLE,
                                "a further boot runs v%u.%u of image %u, "
                                "not v%u.%u",
                                rsp.versions[i].major, rsp.versions[i].minor, i,
                                last->versions[i].major, last->versions[i].minor);
            goto out;
        }
    }
    for (i = 0; i < map->device_count; i++) {
        struct vflash *d = map->devices[i];
        uint32_t off;

        if (memcmp(copy[i], d->mem, d->size) != 0) {
            for (off = 0; off < d->size && copy[i][off] == d->mem[off]; off++) {
            }
            rc = invariant_fail(r, INVARIANT_STABLE,
                                "a further boot changed flash (device %u, first at 0x%x)", i, off);
            goto out;
        }
        if (ecc[i] != NULL && memcmp(ecc[i], d->ecc_map, vflash_ecc_map_size(&d->geom)) != 0) {
            rc = invariant_fail(r, INVARIANT_STABLE,
                                "a further boot programmed erased ECC units (device %u)", i);
            goto out;
        }
    }
out:
    for (i = 0; i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        free(copy[i]);
        free(ecc[i]);
    }
    return rc;
}
