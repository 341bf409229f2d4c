/* SPDX-License-Identifier: Apache-2.0 */
/* A virtual flash device: geometry, NOR/ECC/no-erase semantics, counters, timing, op hook. */
#include "vflash/vflash.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash_fault.h"

void vflash_init(struct vflash *dev)
{
    memset(dev, 0, sizeof(*dev));
}

static bool vflash_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int vflash_geometry_check(const struct vflash_geometry *geom, uint32_t *size)
{
    uint64_t total = 0;
    uint64_t sectors = 0;

    if (geom == NULL || geom->run_count == 0 || geom->run_count > VFLASH_MAX_RUNS) {
        return BO_EINVAL;
    }
    if (!vflash_pow2(geom->write_unit) || geom->write_unit > VFLASH_MAX_WRITE_UNIT) {
        return BO_EINVAL;
    }
    if (geom->erased_val != 0xff && geom->erased_val != 0x00) {
        return BO_EINVAL;
    }
    if (geom->semantics != VFLASH_NOR && geom->semantics != VFLASH_ECC &&
        geom->semantics != VFLASH_NO_ERASE) {
        return BO_EINVAL;
    }
    if (geom->page_size != 0 && geom->page_size % geom->write_unit != 0) {
        return BO_EINVAL;
    }
    for (uint32_t i = 0; i < geom->run_count; i++) {
        const struct vflash_run *run = &geom->runs[i];

        if (run->count == 0 || run->size == 0 || run->size % geom->write_unit != 0) {
            return BO_EINVAL;
        }
        if (geom->page_size != 0 && run->size % geom->page_size != 0) {
            return BO_EINVAL;
        }
        sectors += run->count;
        total += (uint64_t)run->count * run->size;
        if (sectors > VFLASH_MAX_SECTORS || total > UINT32_MAX) {
            return BO_EINVAL;
        }
    }
    if (size != NULL) {
        *size = (uint32_t)total;
    }
    return 0;
}

size_t vflash_ecc_map_size(const struct vflash_geometry *geom)
{
    uint32_t size;

    if (vflash_geometry_check(geom, &size) < 0) {
        return 0;
    }
    return ((size_t)(size / geom->write_unit) + 7) / 8;
}

static bool vflash_ecc_test(const struct vflash *dev, uint32_t unit)
{
    return (dev->ecc_map[unit / 8] >> (unit % 8)) & 1u;
}

int vflash_setup(struct vflash *dev, const struct vflash_geometry *geom, uint8_t *mem,
                 size_t mem_len, uint8_t *ecc_map)
{
    uint32_t size = 0;
    uint32_t off = 0;
    uint32_t n = 0;
    int rc;

    if (dev == NULL) {
        return BO_EINVAL;
    }
    vflash_free(dev);
    rc = vflash_geometry_check(geom, &size);
    if (rc < 0) {
        goto out;
    }
    if (mem != NULL && mem_len != size) {
        rc = BO_EINVAL;
        goto out;
    }
    dev->geom = *geom;
    dev->size = size;
    for (uint32_t i = 0; i < geom->run_count; i++) {
        dev->sector_count += geom->runs[i].count;
    }
    dev->sectors = calloc(dev->sector_count, sizeof(*dev->sectors));
    if (dev->sectors == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < geom->run_count; i++) {
        for (uint32_t j = 0; j < geom->runs[i].count; j++) {
            dev->sectors[n].off = off;
            dev->sectors[n].size = geom->runs[i].size;
            dev->sectors[n].erase_ns = geom->runs[i].erase_ns;
            off += geom->runs[i].size;
            n++;
        }
    }
    if (mem != NULL) {
        dev->mem = mem;
    } else {
        dev->mem = malloc(size);
        if (dev->mem == NULL) {
            rc = BO_ENOMEM;
            goto out;
        }
        dev->own_mem = true;
        memset(dev->mem, geom->erased_val, size);
    }
    if (geom->semantics == VFLASH_ECC) {
        if (ecc_map != NULL) {
            dev->ecc_map = ecc_map;
        } else {
            dev->ecc_map = calloc(1, vflash_ecc_map_size(geom));
            if (dev->ecc_map == NULL) {
                rc = BO_ENOMEM;
                goto out;
            }
            dev->own_ecc_map = true;
            /* A fresh map over old contents: every unit not fully erased is programmed. */
            vflash_ecc_mark_unerased(dev, 0, size);
        }
    }
    rc = 0;
out:
    if (rc < 0) {
        vflash_free(dev);
    }
    return rc;
}

void vflash_free(struct vflash *dev)
{
    if (dev == NULL) {
        return;
    }
    free(dev->sectors);
    if (dev->own_mem) {
        free(dev->mem);
    }
    if (dev->own_ecc_map) {
        free(dev->ecc_map);
    }
    vflash_fault_free(dev);
    vflash_init(dev);
}

void vflash_set_clock(struct vflash *dev, struct port_clock *clock)
{
    if (dev == NULL) {
        return;
    }
    dev->clock = clock;
}

void vflash_set_hook(struct vflash *dev, vflash_hook_fn hook, void *arg)
{
    if (dev == NULL) {
        return;
    }
    dev->hook = hook;
    dev->hook_arg = arg;
}

void vflash_power_on(struct vflash *dev)
{
    if (dev == NULL) {
        return;
    }
    dev->power_lost = false;
    if (dev->trace != NULL) {
        dev->observer->power_on(dev);
    }
}

void vflash_reset_counters(struct vflash *dev)
{
    if (dev == NULL) {
        return;
    }
    memset(&dev->stats, 0, sizeof(dev->stats));
    for (uint32_t i = 0; i < dev->sector_count; i++) {
        dev->sectors[i].reads = 0;
        dev->sectors[i].programs = 0;
        dev->sectors[i].erases = 0;
    }
}

void vflash_set_endurance(struct vflash *dev, uint32_t endurance)
{
    if (dev == NULL) {
        return;
    }
    dev->geom.endurance = endurance;
}

int vflash_sector_wear(const struct vflash *dev, uint32_t index, uint64_t *wear)
{
    if (dev == NULL || wear == NULL) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL || index >= dev->sector_count) {
        return BO_ERANGE;
    }
    *wear = dev->sectors[index].wear;
    return 0;
}

int vflash_set_sector_wear(struct vflash *dev, uint32_t index, uint64_t wear)
{
    if (dev == NULL) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL || index >= dev->sector_count) {
        return BO_ERANGE;
    }
    dev->sectors[index].wear = wear;
    return 0;
}

int vflash_sector_at(const struct vflash *dev, uint32_t off)
{
    uint32_t lo = 0;
    uint32_t hi;

    if (dev == NULL || dev->sectors == NULL || off >= dev->size) {
        return BO_ERANGE;
    }
    hi = dev->sector_count;
    /* Invariant: the sector holding off lies in [lo, hi). */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (dev->sectors[mid].off <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return (int)lo;
}

bool vflash_is_boundary(const struct vflash *dev, uint32_t off)
{
    int idx;

    if (dev == NULL || dev->sectors == NULL) {
        return false;
    }
    if (off == dev->size) {
        return true;
    }
    idx = vflash_sector_at(dev, off);
    return idx >= 0 && dev->sectors[idx].off == off;
}

const char *vflash_semantics_name(enum vflash_semantics sem)
{
    switch (sem) {
    case VFLASH_NOR:
        return "nor";
    case VFLASH_ECC:
        return "ecc";
    case VFLASH_NO_ERASE:
        return "no-erase";
    }
    return "unknown";
}

/* Common preconditions of every call: set up and powered. */
static int vflash_ready(const struct vflash *dev)
{
    if (dev == NULL || dev->sectors == NULL) {
        return BO_ESTATE;
    }
    if (dev->power_lost) {
        return BO_EPOWER;
    }
    return 0;
}

static bool vflash_in_range(const struct vflash *dev, uint32_t off, uint32_t len)
{
    return off <= dev->size && len <= dev->size - off;
}

int vflash_read(struct vflash *dev, uint32_t off, void *dst, uint32_t len)
{
    int rc = vflash_ready(dev);

    if (rc < 0) {
        return rc;
    }
    if (dst == NULL && len != 0) {
        return BO_EINVAL;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    memcpy(dst, dev->mem + off, len);
    if (dev->fault != NULL) {
        rc = vflash_fault_read_torn(dev, off, dst, len);
        if (rc < 0) {
            return rc;
        }
        vflash_fault_read(dev, off, dst, len);
    }
    if (dev->trace != NULL) {
        dev->observer->read(dev, off, len, 0);
    }
    for (int i = vflash_sector_at(dev, off);
         i >= 0 && (uint32_t)i < dev->sector_count && dev->sectors[i].off < off + len; i++) {
        dev->sectors[i].reads++;
    }
    dev->stats.reads++;
    dev->stats.bytes_read += len;
    return 0;
}

/* Whether programming src over [off, off + len) is allowed by the part's semantics. */
static bool vflash_program_allowed(const struct vflash *dev, uint32_t off, const uint8_t *src,
                                   uint32_t len)
{
    const uint8_t *old = dev->mem + off;

    switch (dev->geom.semantics) {
    case VFLASH_NOR:
        for (uint32_t i = 0; i < len; i++) {
            /* Erased 0xff: a program may only clear bits; erased 0x00: only set them. */
            uint8_t back = dev->geom.erased_val == 0xff ? (uint8_t)(src[i] & ~old[i])
                                                        : (uint8_t)(old[i] & ~src[i]);
            if (back != 0) {
                return false;
            }
        }
        return true;
    case VFLASH_ECC:
        for (uint32_t u = off / dev->geom.write_unit; u < (off + len) / dev->geom.write_unit; u++) {
            if (vflash_ecc_test(dev, u)) {
                return false;
            }
        }
        return true;
    case VFLASH_NO_ERASE:
        return true;
    }
    return false;
}

/*
 * The apply steps: what an operation does to the cells once it is allowed to happen. They are
 * kept apart from validation, counting and the hook so that fault models can apply part of an
 * operation (a torn write leaves some units new and some old).
 */
static void vflash_apply_program(struct vflash *dev, uint32_t off, const uint8_t *src, uint32_t len)
{
    memcpy(dev->mem + off, src, len);
    vflash_ecc_mark(dev, off, len, true);
    if (dev->fault != NULL) {
        vflash_fault_settle(dev, off, len);
    }
}

static void vflash_apply_erase(struct vflash *dev, uint32_t index)
{
    const struct vflash_sector *s = &dev->sectors[index];

    memset(dev->mem + s->off, dev->geom.erased_val, s->size);
    vflash_ecc_mark(dev, s->off, s->size, false);
    if (dev->fault != NULL) {
        vflash_fault_settle(dev, s->off, s->size);
    }
}

/* Counts an operation that took place (whole or torn) and advances the clock. */
static void vflash_account(struct vflash *dev, const struct vflash_op *op, uint32_t units)
{
    uint64_t ns;

    if (op->kind == VFLASH_OP_PROGRAM) {
        ns = (uint64_t)units * dev->geom.program_ns_per_unit;
        dev->sectors[op->sector].programs++;
        dev->stats.programs++;
        dev->stats.bytes_programmed += op->len;
    } else {
        ns = dev->sectors[op->sector].erase_ns;
        dev->sectors[op->sector].erases++;
        dev->sectors[op->sector].wear++;
        dev->stats.erases++;
    }
    dev->stats.ops++;
    dev->stats.busy_ns += ns;
    if (dev->clock != NULL) {
        port_clock_advance(dev->clock, ns);
    }
}

/*
 * Runs one operation: the user hook, then the fault layer (an armed cut, wear-out, injected
 * errors and drops), then the apply step, the counters, the clock and the trace.
 */
static int vflash_run_op(struct vflash *dev, const struct vflash_op *op)
{
    struct vflash_fault_action act;
    uint32_t units = op->len / dev->geom.write_unit;
    int rc = 0;

    memset(&act, 0, sizeof(act));
    if (dev->hook != NULL) {
        rc = dev->hook(dev->hook_arg, dev, op);
        if (rc == BO_EPOWER) {
            act.kind = VFLASH_FAULT_HOOK_CUT;
            act.model = VFLASH_CUT_BEFORE;
        } else if (rc < 0) {
            act.kind = VFLASH_FAULT_HOOK_ERROR;
        }
        act.rc = rc;
    }
    if (act.kind == VFLASH_FAULT_NONE) {
        vflash_fault_decide(dev, op, &act);
    }
    switch (act.kind) {
    case VFLASH_FAULT_NONE:
        if (op->kind == VFLASH_OP_PROGRAM) {
            vflash_apply_program(dev, op->off, op->data, op->len);
        } else {
            vflash_apply_erase(dev, op->sector);
        }
        vflash_account(dev, op, units);
        rc = 0;
        break;
    case VFLASH_FAULT_DROP:
        vflash_account(dev, op, units);
        rc = 0;
        break;
    case VFLASH_FAULT_HOOK_CUT:
        dev->power_lost = true;
        rc = BO_EPOWER;
        break;
    case VFLASH_FAULT_CUT:
        /* The fault layer already left the model's result in flash. */
        if (act.model != VFLASH_CUT_BEFORE) {
            vflash_account(dev, op, act.model == VFLASH_CUT_TORN_PREFIX ? act.units : units);
        }
        dev->power_lost = true;
        rc = BO_EPOWER;
        break;
    case VFLASH_FAULT_HOOK_ERROR:
    case VFLASH_FAULT_ERROR:
    case VFLASH_FAULT_WEAR:
        rc = act.rc;
        break;
    }
    if (dev->trace != NULL) {
        dev->observer->op(dev, op, &act, rc);
    }
    return rc;
}

int vflash_program(struct vflash *dev, uint32_t off, const void *src, uint32_t len)
{
    const uint8_t *bytes = src;
    uint32_t done = 0;
    int rc = vflash_ready(dev);

    if (rc < 0) {
        return rc;
    }
    if (src == NULL && len != 0) {
        return BO_EINVAL;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    if (off % dev->geom.write_unit != 0 || len % dev->geom.write_unit != 0) {
        return BO_EALIGN;
    }
    if (!vflash_program_allowed(dev, off, bytes, len)) {
        return BO_ESEMANTICS;
    }
    while (done < len) {
        struct vflash_op op;
        uint32_t at = off + done;
        uint32_t chunk = len - done;

        if (dev->geom.page_size != 0) {
            uint32_t room = dev->geom.page_size - at % dev->geom.page_size;

            if (chunk > room) {
                chunk = room;
            }
        }
        op.kind = VFLASH_OP_PROGRAM;
        op.index = dev->stats.ops;
        op.sector = (uint32_t)vflash_sector_at(dev, at);
        op.off = at;
        op.len = chunk;
        op.data = bytes + done;
        rc = vflash_run_op(dev, &op);
        if (rc < 0) {
            return rc;
        }
        done += chunk;
    }
    return 0;
}

int vflash_erase_sector(struct vflash *dev, uint32_t index)
{
    struct vflash_op op;
    int rc = vflash_ready(dev);

    if (rc < 0) {
        return rc;
    }
    if (index >= dev->sector_count) {
        return BO_ERANGE;
    }
    op.kind = VFLASH_OP_ERASE;
    op.index = dev->stats.ops;
    op.sector = index;
    op.off = dev->sectors[index].off;
    op.len = dev->sectors[index].size;
    op.data = NULL;
    return vflash_run_op(dev, &op);
}

int vflash_erase(struct vflash *dev, uint32_t off, uint32_t len)
{
    int rc = vflash_ready(dev);
    int first;

    if (rc < 0) {
        return rc;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    if (!vflash_is_boundary(dev, off) || !vflash_is_boundary(dev, off + len)) {
        return BO_EALIGN;
    }
    if (len == 0) {
        return 0;
    }
    first = vflash_sector_at(dev, off);
    for (uint32_t i = (uint32_t)first; i < dev->sector_count && dev->sectors[i].off < off + len;
         i++) {
        rc = vflash_erase_sector(dev, i);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Whether ECC unit u is all erased value. */
static bool vflash_unit_erased(const struct vflash *dev, uint32_t u)
{
    const uint8_t *p = dev->mem + (size_t)u * dev->geom.write_unit;

    for (uint32_t i = 0; i < dev->geom.write_unit; i++) {
        if (p[i] != dev->geom.erased_val) {
            return false;
        }
    }
    return true;
}

/* Whether bytes [a, b) of the device can take src in place, without an erase. */
static bool vflash_host_in_place(const struct vflash *dev, uint32_t a, uint32_t b,
                                 const uint8_t *src)
{
    uint32_t wu = dev->geom.write_unit;

    if (dev->geom.semantics == VFLASH_NOR) {
        return vflash_program_allowed(dev, a, src, b - a);
    }
    if (dev->geom.semantics == VFLASH_ECC) {
        for (uint32_t u = a / wu; u <= (b - 1) / wu; u++) {
            uint32_t lo = u * wu > a ? u * wu : a;
            uint32_t hi = (u + 1) * wu < b ? (u + 1) * wu : b;

            if (vflash_ecc_test(dev, u) && memcmp(dev->mem + lo, src + (lo - a), hi - lo) != 0) {
                return false;
            }
        }
    }
    return true;
}

/* The body of vflash_host_write once its arguments are checked. */
static int vflash_host_write_sectors(struct vflash *dev, uint32_t off, const uint8_t *bytes,
                                     uint32_t len)
{
    uint32_t end = off + len;
    int first;

    first = vflash_sector_at(dev, off);
    for (uint32_t i = (uint32_t)first; i < dev->sector_count && dev->sectors[i].off < end; i++) {
        const struct vflash_sector *s = &dev->sectors[i];
        uint32_t a = s->off > off ? s->off : off;
        uint32_t b = s->off + s->size < end ? s->off + s->size : end;
        const uint8_t *in = bytes + (a - off);

        if (vflash_host_in_place(dev, a, b, in)) {
            memcpy(dev->mem + a, in, b - a);
        } else {
            uint8_t *copy = malloc(s->size);

            if (copy == NULL) {
                return BO_ENOMEM;
            }
            memcpy(copy, dev->mem + s->off, s->size);
            memcpy(copy + (a - s->off), in, b - a);
            vflash_apply_erase(dev, i);
            memcpy(dev->mem + s->off, copy, s->size);
            free(copy);
            a = s->off;
            b = s->off + s->size;
        }
        if (dev->geom.semantics == VFLASH_ECC) {
            uint32_t wu = dev->geom.write_unit;

            for (uint32_t u = a / wu; u <= (b - 1) / wu; u++) {
                if (!vflash_unit_erased(dev, u)) {
                    vflash_ecc_mark(dev, u * wu, wu, true);
                }
            }
        }
        if (dev->fault != NULL) {
            vflash_fault_settle(dev, a, b - a);
        }
    }
    return 0;
}

int vflash_host_write(struct vflash *dev, uint32_t off, const void *src, uint32_t len)
{
    int rc;

    if (dev == NULL || dev->sectors == NULL) {
        return BO_ESTATE;
    }
    if (src == NULL && len != 0) {
        return BO_EINVAL;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    rc = vflash_host_write_sectors(dev, off, src, len);
    if (dev->trace != NULL) {
        dev->observer->host_write(dev, off, src, len, rc);
    }
    return rc;
}

int vflash_host_program(struct vflash *dev, uint32_t off, const void *src, uint32_t len)
{
    uint32_t wu;

    if (dev == NULL || dev->sectors == NULL) {
        return BO_ESTATE;
    }
    if (src == NULL && len != 0) {
        return BO_EINVAL;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    wu = dev->geom.write_unit;
    if (dev->geom.semantics == VFLASH_ECC && (off % wu != 0 || len % wu != 0)) {
        return BO_EALIGN;
    }
    if (!vflash_program_allowed(dev, off, src, len)) {
        return BO_ESEMANTICS;
    }
    memcpy(dev->mem + off, src, len);
    if (dev->geom.semantics == VFLASH_ECC) {
        vflash_ecc_mark(dev, off, len, true);
    }
    if (dev->fault != NULL) {
        vflash_fault_settle(dev, off, len);
    }
    return 0;
}

int vflash_host_read(struct vflash *dev, uint32_t off, void *dst, uint32_t len)
{
    if (dev == NULL || dev->sectors == NULL) {
        return BO_ESTATE;
    }
    if (dst == NULL && len != 0) {
        return BO_EINVAL;
    }
    if (!vflash_in_range(dev, off, len)) {
        return BO_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    memcpy(dst, dev->mem + off, len);
    if (dev->fault != NULL) {
        vflash_fault_host_read(dev, off, dst, len);
    }
    return 0;
}
