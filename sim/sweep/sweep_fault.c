/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-cut fault models of the sweep (docs/faults.md, "In sweeps"): program and erase errors,
 * dropped programs, read bit flips and wear-out, injected at one operation of the action (and,
 * with a rate, at later ones), with the invariants that can honestly be expected of them.
 */
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "flash_map_backend/flash_map_backend.h"
#include "sysflash/sysflash.h"
#include "sweep/sweep_int.h"

/* The endurance given to a device whose sector wears out: far above any sweep's erases. */
#define SWEEP_NC_ENDURANCE 0x40000000u

bool sweep_nc_applies(uint8_t model, enum vflash_op_kind kind)
{
    switch (model) {
    case SWEEP_NC_ERRORS:
    case SWEEP_NC_BITFLIP:
        return true;
    case SWEEP_NC_DROP:
        return kind == VFLASH_OP_PROGRAM;
    case SWEEP_NC_WEAROUT:
        return kind == VFLASH_OP_ERASE;
    default:
        return false;
    }
}

uint32_t sweep_nc_param(const struct sweep_opts *o, uint8_t model)
{
    switch (model) {
    case SWEEP_NC_ERRORS:
        return o->nc.errors_rate;
    case SWEEP_NC_DROP:
        return o->nc.drop_rate;
    case SWEEP_NC_BITFLIP:
        return o->nc.bitflip_rate == 0 ? 1 : o->nc.bitflip_rate;
    case SWEEP_NC_WEAROUT:
        return o->nc.erases;
    default:
        return 0;
    }
}

/* Turns off the non-cut faults of every device (configuration, the board's endurance, wear). */
static void sweep_nc_clear(struct sweep_worker *w)
{
    struct vflash_fault_config none;
    uint32_t i;
    uint32_t s;

    memset(&none, 0, sizeof(none));
    for (i = 0; i < w->map.device_count; i++) {
        struct vflash *d = w->map.devices[i];

        vflash_fault_configure(d, &none);
        vflash_set_endurance(d, d->geom.endurance);
        for (s = 0; s < d->sector_count; s++) {
            vflash_set_sector_wear(d, s, 0);
        }
    }
    w->nc_drop_dev = NULL;
}

/* Sets dev to drop exactly the program op (one_in 1 over its bytes), or to drop nothing. */
static int sweep_nc_drop(struct sweep_worker *w, struct vflash *dev, const struct vflash_op *op,
                         bool hit)
{
    struct vflash_fault_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    if (w->nc_drop_dev != NULL) {
        vflash_fault_configure(w->nc_drop_dev, &cfg);
        w->nc_drop_dev = NULL;
    }
    if (!hit || op->kind != VFLASH_OP_PROGRAM || op->len == 0) {
        return 0;
    }
    cfg.drop.off = op->off;
    cfg.drop.len = op->len;
    cfg.drop.one_in = 1;
    w->nc_drop_dev = dev;
    return vflash_fault_configure(dev, &cfg);
}

/* Makes the sector of the erase op survive `erases` more erases (this one included). */
static int sweep_nc_wear(struct vflash *dev, const struct vflash_op *op, uint32_t erases)
{
    vflash_set_endurance(dev, SWEEP_NC_ENDURANCE);
    return vflash_set_sector_wear(dev, op->sector, (uint64_t)SWEEP_NC_ENDURANCE - erases);
}

/* Flips bits in reads of the bytes of op, at the point's rate, seeded by the point. */
static int sweep_nc_flip(struct vflash *dev, const struct vflash_op *op,
                         const struct sweep_point *pt)
{
    struct vflash_fault_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.seed = pt->seed;
    cfg.read_flip.off = op->off;
    cfg.read_flip.len = op->len == 0 ? 1 : op->len;
    cfg.read_flip.one_in = pt->param == 0 ? 1 : pt->param;
    return vflash_fault_configure(dev, &cfg);
}

/* The operation hook's part for a non-cut point (w->nc): injects its fault. */
static int sweep_nc_hook(struct sweep_worker *w, struct vflash *dev, const struct vflash_op *op)
{
    const struct sweep_point *pt = w->nc;
    uint64_t i = w->nc_ops++;
    bool hit;
    int rc;

    if (i < pt->op) {
        return 0;
    }
    if (i == pt->op) {
        w->nc_dev = dev;
        w->nc_off = op->off;
        w->nc_len = op->len;
    }
    /* At the point's operation for sure, after it at the rate (errors and drop). */
    hit = i == pt->op ||
          (pt->param != 0 && (pt->model == SWEEP_NC_ERRORS || pt->model == SWEEP_NC_DROP) &&
           sweep_mix(pt->seed, i, pt->model, 7) % pt->param == 0);
    switch (pt->model) {
    case SWEEP_NC_ERRORS:
        return hit ? BO_EIO : 0;
    case SWEEP_NC_DROP:
        rc = sweep_nc_drop(w, dev, op, hit);
        break;
    case SWEEP_NC_BITFLIP:
        rc = i == pt->op ? sweep_nc_flip(dev, op, pt) : 0;
        break;
    case SWEEP_NC_WEAROUT:
        rc = i == pt->op && op->kind == VFLASH_OP_ERASE ? sweep_nc_wear(dev, op, pt->param) : 0;
        break;
    default:
        rc = 0;
        break;
    }
    return rc < 0 ? BO_EIO : 0;
}

/* Whether the point's operation touched flash area id (false when there is no such area). */
static bool sweep_nc_touches(const struct sweep_worker *w, int id)
{
    const struct flash_area *fa;
    bool hit;

    if (w->nc_dev == NULL || flash_area_open((uint8_t)id, &fa) != 0) {
        return false;
    }
    hit = port_flash_map_device((struct port_flash_map *)&w->map, fa->fa_device_id) == w->nc_dev &&
          w->nc_off < fa->fa_off + fa->fa_size && fa->fa_off < w->nc_off + w->nc_len;
    flash_area_close(fa);
    return hit;
}

/*
 * Whether an intact copy of image in slot can still run: one in the primary slot can; one in
 * the secondary can only through a swap, which a lasting fault (a worn-out sector, bits that
 * read flipped) in the primary slot or the scratch area forbids.
 */
static bool sweep_nc_runnable(const struct sweep_worker *w, uint32_t image, int slot)
{
    uint8_t m = w->nc != NULL ? w->nc->model : 0;

    if (slot == 0 || (m != SWEEP_NC_WEAROUT && m != SWEEP_NC_BITFLIP)) {
        return true;
    }
    return !sweep_nc_touches(w, flash_area_id_from_multi_image_slot((int)image, 0)) &&
           !sweep_nc_touches(w, FLASH_AREA_IMAGE_SCRATCH);
}

/*
 * After the device failed to boot every time: that is a failure only when every image still
 * has a copy, in one of its slots, that reads back as a scenario image the device may run
 * (a copy the fault destroyed, or one read through flipped bits, does not count).
 */
static void sweep_nc_bricked(struct sweep_worker *w, int boot_rc, struct invariant_report *r)
{
    const struct scenario *sc = w->sc;
    int found[SCENARIO_IMAGES_MAX] = { -1, -1 };
    uint32_t i;
    int slot;

    for (i = 0; i < sc->image_count; i++) {
        for (slot = 1; slot >= 0 && found[i] < 0; slot--) {
            int id = scenario_identify(sc, i, slot);

            if (id > 0 && (id & 0xf) != SCENARIO_ID_OTHER &&
                scenario_boot_allowed(sc, i, id & 0xf) && sweep_nc_runnable(w, i, slot)) {
                found[i] = slot;
            }
        }
        if (found[i] < 0) {
            return;
        }
    }
    invariant_fail(
        r, INVARIANT_BOOT, "no boot in %u tries (%s), although image 0 is intact in the %s slot",
        SCENARIO_MAX_BOOTS, bo_strerror(boot_rc), found[0] == 0 ? "primary" : "secondary");
}

/*
 * Boots the device from power-on until its application idles, then once more; a boot that
 * fails is retried after a reset (a watchdog) up to SCENARIO_MAX_BOOTS times. Fills r on a
 * failure, and *final_run with what the last good boot ran.
 */
static void sweep_nc_run(struct sweep_worker *w, struct scenario_app *app,
                         struct invariant_report *r, uint8_t *final_run)
{
    struct boot_rsp rsp;
    uint32_t boots = 0;
    uint32_t fails = 0;
    bool idle = false;
    int rc;

    for (;;) {
        app->in_call = SCENARIO_CALL_BOOT;
        memset(&rsp, 0, sizeof(rsp));
        rc = sweep_boot(w, &rsp);
        app->in_call = SCENARIO_CALL_NONE;
        if (rc != 0) {
            if (++fails >= SCENARIO_MAX_BOOTS) {
                sweep_nc_bricked(w, rc, r);
                return;
            }
            port_flash_map_power_on(&w->map);
            continue;
        }
        fails = 0;
        if (invariant_check_boot(w->sc, rc, &rsp, r) != 0) {
            return;
        }
        *final_run = scenario_runs_new(w->sc, &rsp, 0) ? SCENARIO_ID_NEW : SCENARIO_ID_OLD;
        if (idle) {
            return;
        }
        rc = scenario_app_act(w->sc, app, &rsp);
        if (rc < 0) {
            invariant_fail(r, INVARIANT_HARNESS, "application error %d", rc);
            return;
        }
        if (rc == SCENARIO_IDLE) {
            /* The run is over: power off, and the device boots once more. */
            idle = true;
            port_flash_map_power_on(&w->map);
        }
        if (++boots > 2 * SCENARIO_MAX_BOOTS) {
            invariant_fail(r, INVARIANT_BOOT, "boot loop: %u boots without settling", boots);
            return;
        }
    }
}

void sweep_nc_exec(struct sweep_worker *w, const struct sweep_point *pt, struct sweep_outcome *out)
{
    struct sweep_memo *memo = w->memo;
    struct invariant_report r;
    struct scenario_app app;

    memset(&r, 0, sizeof(r));
    out->pt = *pt;
    out->applied = pt->model;
    /* Boots under a fault are not those of the shared table (reads may flip). */
    w->memo = NULL;
    sweep_nc_clear(w);
    sweep_start(w, &app);
    w->nc_ops = 0;
    w->nc_dev = NULL;
    w->nc_hook = sweep_nc_hook;
    w->nc = pt;
    sweep_nc_run(w, &app, &r, &out->final_run);
    if (w->nc_ops <= pt->op) {
        invariant_fail(&r, INVARIANT_HARNESS, "the fault at operation %llu was not reached",
                       (unsigned long long)pt->op);
    }
    w->nc = NULL;
    w->nc_dev = NULL;
    sweep_nc_clear(w);
    /* Its operations were not followed by the sector sums: they start over. */
    sweep_memo_cache_reset(&w->hc);
    w->memo = memo;
    out->status = r.id == INVARIANT_NONE ? SWEEP_PASS : SWEEP_FAIL;
    out->invariant = r.id;
    snprintf(out->msg, sizeof(out->msg), "%s", r.msg);
    sweep_id_encode(&w->sc->opts, pt, out->id, sizeof(out->id));
}
