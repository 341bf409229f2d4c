/* SPDX-License-Identifier: Apache-2.0 */
/* Fault models of the virtual flash: power cuts at operation N, errors, drops, flips, weak bits. */
#include "vflash/vflash_fault.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash_fault_int.h"
#include "vflash/vflash_prng.h"
#include "vflash/vflash_weak.h"

/* Stream tags: each random choice has its own stream of its seed (docs/faults.md). */
#define VFLASH_TAG_PROGRAM_ERROR 1u
#define VFLASH_TAG_ERASE_ERROR 2u
#define VFLASH_TAG_DROP 3u
#define VFLASH_TAG_READ_FLIP 4u
#define VFLASH_TAG_CUT 16u
#define VFLASH_TAG_CUT_BITS 18u
#define VFLASH_TAG_ECC_TORN 19u

static const char *const vflash_ecc_torn_names[VFLASH_ECC_TORN_COUNT] = {
    "erased",
    "read-error",
    "garbage",
};

const char *vflash_ecc_torn_name(enum vflash_ecc_torn mode)
{
    if ((unsigned)mode >= VFLASH_ECC_TORN_COUNT) {
        return "unknown";
    }
    return vflash_ecc_torn_names[mode];
}

int vflash_ecc_torn_parse(const char *name)
{
    for (int i = 0; name != NULL && i < VFLASH_ECC_TORN_COUNT; i++) {
        if (strcmp(name, vflash_ecc_torn_names[i]) == 0) {
            return i;
        }
    }
    return BO_EINVAL;
}

static const char *const vflash_cut_names[VFLASH_CUT_MODEL_COUNT] = {
    "before", "after", "torn-prefix", "torn-bits", "erase-partial", "weak",
};

const char *vflash_cut_model_name(enum vflash_cut_model model)
{
    if ((unsigned)model >= VFLASH_CUT_MODEL_COUNT) {
        return "unknown";
    }
    return vflash_cut_names[model];
}

int vflash_cut_model_parse(const char *name)
{
    if (name == NULL) {
        return BO_EINVAL;
    }
    for (int i = 0; i < VFLASH_CUT_MODEL_COUNT; i++) {
        if (strcmp(name, vflash_cut_names[i]) == 0) {
            return i;
        }
    }
    return BO_EINVAL;
}

const char *vflash_fault_kind_name(enum vflash_fault_kind kind)
{
    switch (kind) {
    case VFLASH_FAULT_NONE:
        return "none";
    case VFLASH_FAULT_HOOK_ERROR:
        return "hook-error";
    case VFLASH_FAULT_HOOK_CUT:
        return "hook-cut";
    case VFLASH_FAULT_CUT:
        return "cut";
    case VFLASH_FAULT_ERROR:
        return "error";
    case VFLASH_FAULT_WEAR:
        return "wear-out";
    case VFLASH_FAULT_DROP:
        return "drop";
    }
    return "unknown";
}

uint32_t vflash_fault_prefix_count(const struct vflash *dev, const struct vflash_op *op)
{
    if (dev == NULL || op == NULL || dev->geom.write_unit == 0) {
        return 0;
    }
    if (op->kind == VFLASH_OP_ERASE) {
        return 1;
    }
    return op->len / dev->geom.write_unit;
}

bool vflash_cut_model_applies(enum vflash_cut_model model, enum vflash_op_kind kind)
{
    if ((unsigned)model >= VFLASH_CUT_MODEL_COUNT) {
        return false;
    }
    if (kind == VFLASH_OP_PROGRAM) {
        return model != VFLASH_CUT_ERASE_PARTIAL;
    }
    return model != VFLASH_CUT_TORN_PREFIX;
}

/* The fault state of a device, created on first use. */
static struct vflash_fault *vflash_fault_get(struct vflash *dev)
{
    if (dev->fault == NULL) {
        dev->fault = calloc(1, sizeof(*dev->fault));
    }
    return dev->fault;
}

int vflash_fault_arm_cut(struct vflash *dev, const struct vflash_cut *cut)
{
    struct vflash_fault *f;

    if (dev == NULL || cut == NULL || (unsigned)cut->model >= VFLASH_CUT_MODEL_COUNT) {
        return BO_EINVAL;
    }
    if ((cut->permille > 1000 && cut->permille != VFLASH_CUT_SEEDED) || cut->level > 1000) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL) {
        return BO_ESTATE;
    }
    f = vflash_fault_get(dev);
    if (f == NULL) {
        return BO_ENOMEM;
    }
    f->cut = *cut;
    f->armed = true;
    memset(&f->result, 0, sizeof(f->result));
    f->result.armed = true;
    f->result.model = cut->model;
    return 0;
}

void vflash_fault_disarm(struct vflash *dev)
{
    if (dev != NULL && dev->fault != NULL) {
        dev->fault->armed = false;
    }
}

int vflash_fault_cut_result(const struct vflash *dev, struct vflash_cut_result *res)
{
    if (dev == NULL || res == NULL) {
        return BO_EINVAL;
    }
    if (dev->fault == NULL) {
        memset(res, 0, sizeof(*res));
        return 0;
    }
    *res = dev->fault->result;
    return 0;
}

int vflash_fault_configure(struct vflash *dev, const struct vflash_fault_config *cfg)
{
    struct vflash_fault *f;

    if (dev == NULL || cfg == NULL) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL) {
        return BO_ESTATE;
    }
    f = vflash_fault_get(dev);
    if (f == NULL) {
        return BO_ENOMEM;
    }
    f->cfg = *cfg;
    vflash_prng_seed(&f->program_error, vflash_prng_derive(cfg->seed, VFLASH_TAG_PROGRAM_ERROR));
    vflash_prng_seed(&f->erase_error, vflash_prng_derive(cfg->seed, VFLASH_TAG_ERASE_ERROR));
    vflash_prng_seed(&f->drop, vflash_prng_derive(cfg->seed, VFLASH_TAG_DROP));
    vflash_prng_seed(&f->read_flip, vflash_prng_derive(cfg->seed, VFLASH_TAG_READ_FLIP));
    return 0;
}

void vflash_fault_get_stats(const struct vflash *dev, struct vflash_fault_stats *st)
{
    if (st == NULL) {
        return;
    }
    if (dev == NULL || dev->fault == NULL) {
        memset(st, 0, sizeof(*st));
        return;
    }
    *st = dev->fault->stats;
}

size_t vflash_fault_weak_count(const struct vflash *dev)
{
    if (dev == NULL || dev->fault == NULL) {
        return 0;
    }
    return vflash_weak_count(&dev->fault->weak, dev->size);
}

int vflash_fault_weak_get(const struct vflash *dev, size_t i, struct vflash_weak_info *info)
{
    if (dev == NULL || info == NULL) {
        return BO_EINVAL;
    }
    if (dev->fault == NULL) {
        return BO_ERANGE;
    }
    return vflash_weak_get(&dev->fault->weak, dev->size, i, info);
}

bool vflash_fault_weak_overlaps(const struct vflash *dev, uint32_t off, uint32_t len)
{
    if (dev == NULL || dev->fault == NULL) {
        return false;
    }
    return vflash_weak_overlaps(&dev->fault->weak, dev->size, off, len);
}

int vflash_fault_weak_attach(struct vflash *dev, void *map, size_t len)
{
    struct vflash_fault *f;

    if (dev == NULL || map == NULL) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL) {
        return BO_ESTATE;
    }
    f = vflash_fault_get(dev);
    if (f == NULL) {
        return BO_ENOMEM;
    }
    return vflash_weak_attach(&f->weak, map, len, dev->size);
}

void vflash_fault_clear_weak(struct vflash *dev)
{
    if (dev == NULL || dev->fault == NULL) {
        return;
    }
    vflash_weak_clear(&dev->fault->weak, dev->size);
}

void vflash_fault_free(struct vflash *dev)
{
    if (dev == NULL || dev->fault == NULL) {
        return;
    }
    vflash_weak_free(&dev->fault->weak);
    free(dev->fault->torn);
    free(dev->fault);
    dev->fault = NULL;
}

/*
 * The intersection of [a, a + n) with [b, b + m) in *lo and *hi; false when empty. 64-bit
 * arithmetic: no sum can wrap.
 */
static bool vflash_overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m, uint64_t *lo,
                           uint64_t *hi)
{
    *lo = a > b ? a : b;
    *hi = a + n < b + m ? a + n : b + m;
    return *lo < *hi;
}

/* The overlap of [off, off + len) with the region of a rate (len 0: to the end of the device). */
static bool vflash_rate_overlap(const struct vflash *dev, const struct vflash_fault_rate *rate,
                                uint32_t off, uint32_t len, uint64_t *lo, uint64_t *hi)
{
    uint64_t rlen = rate->len;

    if (rlen == 0) {
        rlen = rate->off < dev->size ? dev->size - rate->off : 0;
    }
    return vflash_overlap(off, len, rate->off, rlen, lo, hi);
}

/* Whether an event on [off, off + len) is hit by a rate; draws only for events in its region. */
static bool vflash_rate_hit(const struct vflash *dev, const struct vflash_fault_rate *rate,
                            struct vflash_prng *prng, uint32_t off, uint32_t len)
{
    uint64_t lo;
    uint64_t hi;

    if (rate->one_in == 0 || !vflash_rate_overlap(dev, rate, off, len, &lo, &hi)) {
        return false;
    }
    return vflash_prng_below(prng, rate->one_in) == 0;
}

void vflash_fault_settle(struct vflash *dev, uint32_t off, uint32_t len)
{
    if (dev->fault == NULL) {
        return;
    }
    vflash_weak_settle(&dev->fault->weak, dev->mem, dev->size, off, len);
    if (dev->fault->torn != NULL && len != 0) {
        uint32_t wu = dev->geom.write_unit;

        for (uint32_t u = off / wu; u <= (off + len - 1) / wu; u++) {
            dev->fault->torn[u / 8] &= (uint8_t) ~(1u << (u % 8));
        }
    }
}

void vflash_fault_read(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len)
{
    struct vflash_fault *f = dev->fault;
    uint64_t lo;
    uint64_t hi;

    if (f == NULL) {
        return;
    }
    f->stats.weak_reads += vflash_weak_read(&f->weak, dev->size, off, dst, len);
    if (vflash_rate_hit(dev, &f->cfg.read_flip, &f->read_flip, off, len)) {
        uint64_t at;
        uint64_t bit;

        vflash_rate_overlap(dev, &f->cfg.read_flip, off, len, &lo, &hi);
        at = lo + vflash_prng_below(&f->read_flip, hi - lo);
        bit = vflash_prng_below(&f->read_flip, 8);
        dst[at - off] ^= (uint8_t)(1u << bit);
        f->stats.read_flips++;
    }
}

void vflash_fault_host_read(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len)
{
    if (dev->fault == NULL) {
        return;
    }
    dev->fault->stats.weak_reads += vflash_weak_read(&dev->fault->weak, dev->size, off, dst, len);
}

/* torn-bits: each bit the operation would change (old ^ target) ends old or new at random. */
static void vflash_cut_torn_bits(uint8_t *mem, const uint8_t *target, uint32_t len,
                                 struct vflash_prng *prng)
{
    struct vflash_prng_bytes rnd;

    vflash_prng_bytes_init(&rnd, prng);
    for (uint32_t i = 0; i < len; i++) {
        uint8_t r = vflash_prng_bytes_next(&rnd);

        mem[i] ^= (uint8_t)(r & (mem[i] ^ target[i]));
    }
}

/*
 * erase-partial (target: the erased bytes), and torn-bits and weak at a level: each bit that
 * differs from target takes target's value when a 32-bit draw is below p * 2^32 / 1000 (draws:
 * high half, then low half of each output, bits LSB first).
 */
static void vflash_cut_toward(uint8_t *mem, const uint8_t *target, uint32_t len, uint32_t permille,
                              struct vflash_prng *prng)
{
    uint32_t thr = (uint32_t)(((uint64_t)permille << 32) / 1000u);
    uint64_t bits = 0;
    bool half = false;

    if (permille == 0) {
        return;
    }
    if (permille >= 1000) {
        memcpy(mem, target, len);
        return;
    }
    for (uint32_t i = 0; i < len; i++) {
        uint8_t diff = (uint8_t)(mem[i] ^ target[i]);

        for (unsigned b = 0; diff != 0 && b < 8; b++) {
            uint32_t r;

            if (((diff >> b) & 1u) == 0) {
                continue;
            }
            if (!half) {
                bits = vflash_prng_next(prng);
                r = (uint32_t)(bits >> 32);
            } else {
                r = (uint32_t)bits;
            }
            half = !half;
            if (r < thr) {
                mem[i] ^= (uint8_t)(1u << b);
            }
        }
    }
}

/* Fills the result counters from the bytes before (old), after (mem) and intended. */
static void vflash_cut_count(const struct vflash *dev, struct vflash_cut_result *r,
                             const uint8_t *old, const uint8_t *intended)
{
    uint32_t wu = dev->geom.write_unit;
    const uint8_t *now = dev->mem + r->op.off;

    for (uint32_t u = 0; u < r->units; u++) {
        bool is_new = true;
        bool changed = false;

        for (uint32_t i = u * wu; i < (u + 1) * wu; i++) {
            uint8_t d = (uint8_t)(now[i] ^ old[i]);

            is_new = is_new && now[i] == intended[i];
            changed = changed || d != 0;
            for (; d != 0; d &= (uint8_t)(d - 1)) {
                r->bits_changed++;
            }
        }
        r->units_new += is_new ? 1u : 0u;
        r->units_changed += changed ? 1u : 0u;
    }
}

/* Resolves the model an armed cut applies to an operation of this kind. */
static enum vflash_cut_model vflash_cut_resolve(enum vflash_cut_model model,
                                                enum vflash_op_kind kind)
{
    if (model == VFLASH_CUT_ERASE_PARTIAL && kind == VFLASH_OP_PROGRAM) {
        return VFLASH_CUT_BEFORE;
    }
    if (model == VFLASH_CUT_TORN_PREFIX && kind == VFLASH_OP_ERASE) {
        return VFLASH_CUT_ERASE_PARTIAL;
    }
    return model;
}

/*
 * weak: keeps the region of op. At a level p, each changed bit stays unstable with probability
 * p/1000 and settles at its new value otherwise (its old value in the region becomes the new).
 */
static int vflash_cut_weak(struct vflash *dev, struct vflash_fault *f, const struct vflash_op *op,
                           const uint8_t *old, struct vflash_prng *bits)
{
    uint8_t *unstable;
    int rc;

    if (f->cut.level == 0) {
        return vflash_weak_add(&f->weak, dev->mem, dev->size, op->off, old, op->len, f->cut.seed);
    }
    unstable = malloc(op->len);
    if (unstable == NULL) {
        return BO_ENOMEM;
    }
    memcpy(unstable, old, op->len);
    vflash_cut_toward(unstable, dev->mem + op->off, op->len, 1000u - f->cut.level, bits);
    rc = vflash_weak_add(&f->weak, dev->mem, dev->size, op->off, unstable, op->len, f->cut.seed);
    free(unstable);
    return rc;
}

/*
 * Leaves in flash what the resolved model (f->result.applied) leaves of op: old holds the bytes
 * before it, target the erased bytes of an erase (NULL for a program); prng draws the model's
 * parameters and bits its bits.
 */
static void vflash_cut_leave(struct vflash *dev, struct vflash_fault *f, const struct vflash_op *op,
                             const uint8_t *old, const uint8_t *target, struct vflash_prng *prng,
                             struct vflash_prng *bits)
{
    struct vflash_cut_result *r = &f->result;
    uint32_t wu = dev->geom.write_unit;
    uint8_t *mem = dev->mem + op->off;
    bool erase = op->kind == VFLASH_OP_ERASE;

    switch (r->applied) {
    case VFLASH_CUT_BEFORE:
    case VFLASH_CUT_MODEL_COUNT:
        break;
    case VFLASH_CUT_AFTER:
    case VFLASH_CUT_WEAK:
        memcpy(mem, erase ? target : op->data, op->len);
        vflash_ecc_mark(dev, op->off, op->len, !erase);
        vflash_fault_settle(dev, op->off, op->len);
        if (r->applied == VFLASH_CUT_WEAK) {
            r->error = vflash_cut_weak(dev, f, op, old, bits);
        }
        break;
    case VFLASH_CUT_TORN_PREFIX:
        r->prefix = f->cut.units;
        if (r->prefix == VFLASH_CUT_SEEDED) {
            r->prefix = (uint32_t)vflash_prng_below(prng, r->units);
        } else if (r->prefix > r->units) {
            r->prefix = r->units;
        }
        memcpy(mem, op->data, (size_t)r->prefix * wu);
        vflash_ecc_mark(dev, op->off, r->prefix * wu, true);
        vflash_fault_settle(dev, op->off, r->prefix * wu);
        break;
    case VFLASH_CUT_TORN_BITS:
        if (f->cut.level != 0) {
            vflash_cut_toward(mem, erase ? target : op->data, op->len, f->cut.level, bits);
        } else {
            vflash_cut_torn_bits(mem, erase ? target : op->data, op->len, bits);
        }
        if (erase) {
            vflash_ecc_mark_unerased(dev, op->off, op->len);
        } else {
            vflash_ecc_mark(dev, op->off, op->len, true);
        }
        vflash_fault_settle(dev, op->off, op->len);
        break;
    case VFLASH_CUT_ERASE_PARTIAL:
        r->permille = f->cut.permille;
        if (r->permille == VFLASH_CUT_SEEDED) {
            r->permille = 1u + (uint32_t)vflash_prng_below(prng, 999);
        }
        vflash_cut_toward(mem, target, op->len, r->permille, bits);
        vflash_ecc_mark_unerased(dev, op->off, op->len);
        vflash_fault_settle(dev, op->off, op->len);
        break;
    }
}

/* The torn map's size: one bit per write unit, as the ECC map (vflash_ecc_map_size(), computed
 * here from the device's size so that this module does not call up into vflash.c). */
static size_t vflash_fault_torn_size(const struct vflash *dev)
{
    return ((size_t)(dev->size / dev->geom.write_unit) + 7) / 8;
}

/*
 * Marks the torn ECC units of op (ECC semantics only): a unit is torn when the cut left it
 * programmed with bytes that are neither its old ones nor the intended ones.
 */
static void vflash_cut_mark_torn(struct vflash *dev, struct vflash_fault *f,
                                 const struct vflash_op *op, const uint8_t *old,
                                 const uint8_t *intended)
{
    uint32_t wu = dev->geom.write_unit;

    if (dev->geom.semantics != VFLASH_ECC) {
        return;
    }
    if (f->torn == NULL) {
        f->torn = calloc(1, vflash_fault_torn_size(dev));
        if (f->torn == NULL) {
            return;
        }
    }
    for (uint32_t i = 0; i < op->len; i += wu) {
        uint32_t u = (op->off + i) / wu;
        const uint8_t *now = dev->mem + op->off + i;
        bool torn = ((dev->ecc_map[u / 8] >> (u % 8)) & 1u) != 0 && memcmp(now, old + i, wu) != 0 &&
                    memcmp(now, intended + i, wu) != 0;

        if (torn) {
            f->torn[u / 8] |= (uint8_t)(1u << (u % 8));
        }
    }
}

/* Applies the armed cut to op: flash gets what the model leaves; power is lost by the caller. */
static void vflash_cut_apply(struct vflash *dev, struct vflash_fault *f, const struct vflash_op *op,
                             struct vflash_fault_action *act)
{
    struct vflash_cut_result *r = &f->result;
    struct vflash_prng prng;
    struct vflash_prng bits;
    uint32_t wu = dev->geom.write_unit;
    uint8_t *mem = dev->mem + op->off;
    uint8_t *old = NULL;
    uint8_t *target = NULL;
    bool erase = op->kind == VFLASH_OP_ERASE;

    f->armed = false;
    f->stats.cuts++;
    r->reached = true;
    r->op = *op;
    r->op.data = NULL;
    r->units = op->len / wu;
    r->applied = vflash_cut_resolve(f->cut.model, op->kind);
    /* Parameters and bits draw from separate streams: a replay that gives the parameter
     * explicitly still gets the same bits. */
    vflash_prng_seed(&prng, vflash_prng_derive(f->cut.seed, VFLASH_TAG_CUT));
    vflash_prng_seed(&bits, vflash_prng_derive(f->cut.seed, VFLASH_TAG_CUT_BITS));
    old = malloc(op->len);
    target = erase ? malloc(op->len) : NULL;
    if (old == NULL || (erase && target == NULL)) {
        r->error = BO_ENOMEM;
        r->applied = VFLASH_CUT_BEFORE;
        goto out;
    }
    memcpy(old, mem, op->len);
    if (erase) {
        memset(target, dev->geom.erased_val, op->len);
    }
    vflash_cut_leave(dev, f, op, old, target, &prng, &bits);
    vflash_cut_count(dev, r, old, erase ? target : op->data);
    vflash_cut_mark_torn(dev, f, op, old, erase ? target : op->data);
out:
    free(old);
    free(target);
    act->kind = VFLASH_FAULT_CUT;
    act->rc = BO_EPOWER;
    act->model = r->applied;
    act->units = r->prefix;
    act->permille = r->permille;
    act->level =
        r->applied == VFLASH_CUT_TORN_BITS || r->applied == VFLASH_CUT_WEAK ? f->cut.level : 0;
    act->seed = f->cut.seed;
}

/*
 * Wear-out: an erase of a sector already erased endurance times fails (and counts, so the
 * sector is now erased more than its endurance); a program touching such a sector fails.
 */
static bool vflash_worn(struct vflash *dev, const struct vflash_op *op)
{
    uint32_t endurance = dev->geom.endurance;

    if (endurance == 0) {
        return false;
    }
    if (op->kind == VFLASH_OP_ERASE) {
        struct vflash_sector *s = &dev->sectors[op->sector];

        if (s->wear < endurance) {
            return false;
        }
        s->wear++;
        return true;
    }
    for (uint32_t i = op->sector; i < dev->sector_count && dev->sectors[i].off < op->off + op->len;
         i++) {
        if (dev->sectors[i].wear > endurance) {
            return true;
        }
    }
    return false;
}

void vflash_fault_decide(struct vflash *dev, const struct vflash_op *op,
                         struct vflash_fault_action *act)
{
    struct vflash_fault *f = dev->fault;

    memset(act, 0, sizeof(*act));
    act->kind = VFLASH_FAULT_NONE;
    if (f != NULL && f->armed && f->cut.op_index == op->index) {
        vflash_cut_apply(dev, f, op, act);
        return;
    }
    if (vflash_worn(dev, op)) {
        act->kind = VFLASH_FAULT_WEAR;
        act->rc = BO_EIO;
        if (f != NULL) {
            f->stats.wear_errors++;
        }
        return;
    }
    if (f == NULL) {
        return;
    }
    if (op->kind == VFLASH_OP_ERASE) {
        if (vflash_rate_hit(dev, &f->cfg.erase_error, &f->erase_error, op->off, op->len)) {
            act->kind = VFLASH_FAULT_ERROR;
            act->rc = BO_EIO;
            f->stats.erase_errors++;
        }
        return;
    }
    if (vflash_rate_hit(dev, &f->cfg.program_error, &f->program_error, op->off, op->len)) {
        act->kind = VFLASH_FAULT_ERROR;
        act->rc = BO_EIO;
        f->stats.program_errors++;
        return;
    }
    if (vflash_rate_hit(dev, &f->cfg.drop, &f->drop, op->off, op->len)) {
        act->kind = VFLASH_FAULT_DROP;
        f->stats.drops++;
    }
}

int vflash_fault_set_ecc_torn(struct vflash *dev, enum vflash_ecc_torn mode, uint64_t seed)
{
    struct vflash_fault *f;

    if (dev == NULL || (unsigned)mode >= VFLASH_ECC_TORN_COUNT) {
        return BO_EINVAL;
    }
    if (dev->sectors == NULL) {
        return BO_ESTATE;
    }
    f = vflash_fault_get(dev);
    if (f == NULL) {
        return BO_ENOMEM;
    }
    f->ecc_torn = mode;
    f->ecc_torn_seed = seed;
    return 0;
}

bool vflash_fault_unit_torn(const struct vflash *dev, uint32_t unit)
{
    const struct vflash_fault *f = dev != NULL ? dev->fault : NULL;

    if (f == NULL || f->torn == NULL || unit >= dev->size / dev->geom.write_unit) {
        return false;
    }
    return ((f->torn[unit / 8] >> (unit % 8)) & 1u) != 0;
}

void vflash_fault_clear_torn(struct vflash *dev)
{
    if (dev == NULL || dev->fault == NULL || dev->fault->torn == NULL) {
        return;
    }
    memset(dev->fault->torn, 0, vflash_fault_torn_size(dev));
}

int vflash_fault_read_torn(struct vflash *dev, uint32_t off, uint8_t *dst, uint32_t len)
{
    const struct vflash_fault *f = dev->fault;
    uint32_t wu = dev->geom.write_unit;

    if (f == NULL || f->torn == NULL || f->ecc_torn == VFLASH_ECC_TORN_ERASED || len == 0) {
        return 0;
    }
    for (uint32_t u = off / wu; u <= (off + len - 1) / wu; u++) {
        struct vflash_prng prng;
        struct vflash_prng_bytes rnd;

        if (!vflash_fault_unit_torn(dev, u)) {
            continue;
        }
        if (f->ecc_torn == VFLASH_ECC_TORN_READ_ERROR) {
            return BO_EIO;
        }
        /* Garbage: the unit's bytes are a stream of its own, the same on every read. */
        vflash_prng_seed(&prng, vflash_prng_derive(f->ecc_torn_seed ^ VFLASH_TAG_ECC_TORN, u));
        vflash_prng_bytes_init(&rnd, &prng);
        for (uint32_t a = u * wu; a < (u + 1) * wu; a++) {
            uint8_t b = vflash_prng_bytes_next(&rnd);

            if (a >= off && a < off + len) {
                dst[a - off] = b;
            }
        }
    }
    return 0;
}
