/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the vflash power-cut models: what each leaves in flash (the non-cut faults are in
 * test_vflash_fault_rates.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"
#include "vflash/vflash_prng.h"

#include "test_vflash_fault_fx.h"

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
    struct vflash_prng prng;

    vflash_prng_seed(&prng, seed);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)vflash_prng_next(&prng);
    }
}

/* Data a program may write over old under the combo's semantics, differing in every byte. */
static void make_new(const struct combo *c, const uint8_t *old, uint8_t *new_, size_t n,
                     uint64_t seed)
{
    fill_random(new_, n, seed);
    for (size_t i = 0; i < n; i++) {
        if (c->sem == VFLASH_NOR) {
            /* Only move bits away from the erased value, and at least one per byte. */
            uint8_t away = (uint8_t)(old[i] ^ c->erased);
            uint8_t free_bits = (uint8_t)~away;

            new_[i] = (uint8_t)(old[i] ^ (new_[i] & free_bits));
            if (new_[i] == old[i] && free_bits != 0) {
                new_[i] = (uint8_t)(old[i] ^ (free_bits & (uint8_t)-free_bits));
            }
        } else if (new_[i] == old[i]) {
            new_[i] ^= 0x5a;
        }
    }
}

/* Old contents of sector 0 for programs: erased for NOR/ECC parts, random for no-erase. */
static void preload(struct vflash *dev, const struct combo *c, uint8_t *old)
{
    if (c->sem == VFLASH_NO_ERASE) {
        fill_random(old, SECTOR, 77);
        assert_int_equal(vflash_host_write(dev, 0, old, SECTOR), 0);
    } else {
        memset(old, c->erased, SECTOR);
    }
}

static void arm(struct vflash *dev, uint64_t index, enum vflash_cut_model model, uint32_t units,
                uint32_t permille, uint64_t seed)
{
    struct vflash_cut cut = { index, model, units, permille, seed, 0 };

    assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
}

static void test_model_names(void **state)
{
    (void)state;
    for (int m = 0; m < VFLASH_CUT_MODEL_COUNT; m++) {
        assert_int_equal(vflash_cut_model_parse(vflash_cut_model_name(m)), m);
    }
    assert_string_equal(vflash_cut_model_name(VFLASH_CUT_TORN_PREFIX), "torn-prefix");
    assert_string_equal(vflash_cut_model_name(VFLASH_CUT_MODEL_COUNT), "unknown");
    assert_int_equal(vflash_cut_model_parse("torn"), BO_EINVAL);
    assert_int_equal(vflash_cut_model_parse(NULL), BO_EINVAL);
    assert_false(vflash_cut_model_applies(VFLASH_CUT_ERASE_PARTIAL, VFLASH_OP_PROGRAM));
    assert_false(vflash_cut_model_applies(VFLASH_CUT_TORN_PREFIX, VFLASH_OP_ERASE));
    assert_true(vflash_cut_model_applies(VFLASH_CUT_TORN_BITS, VFLASH_OP_ERASE));
    assert_true(vflash_cut_model_applies(VFLASH_CUT_WEAK, VFLASH_OP_PROGRAM));
}

static void test_arm_errors(void **state)
{
    struct vflash dev;
    struct vflash_cut cut = { 0, VFLASH_CUT_MODEL_COUNT, 0, 0, 1, 0 };
    struct vflash_cut_result res;

    (void)state;
    vflash_init(&dev);
    cut.model = VFLASH_CUT_AFTER;
    assert_int_equal(vflash_fault_arm_cut(&dev, &cut), BO_ESTATE);
    dev_open(&dev, &combos[0]);
    assert_int_equal(vflash_fault_arm_cut(NULL, &cut), BO_EINVAL);
    assert_int_equal(vflash_fault_arm_cut(&dev, NULL), BO_EINVAL);
    cut.model = VFLASH_CUT_MODEL_COUNT;
    assert_int_equal(vflash_fault_arm_cut(&dev, &cut), BO_EINVAL);
    cut.model = VFLASH_CUT_ERASE_PARTIAL;
    cut.permille = 1001;
    assert_int_equal(vflash_fault_arm_cut(&dev, &cut), BO_EINVAL);
    assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
    assert_false(res.armed);
    assert_int_equal(vflash_fault_cut_result(NULL, &res), BO_EINVAL);
    vflash_free(&dev);
}

/* before / after on a program and an erase, for every combo; the device refuses calls after. */
static void test_before_after(void **state)
{
    uint8_t old[SECTOR];
    uint8_t data[2 * PAGE];
    uint8_t buf[2 * PAGE];
    uint8_t erased[SECTOR];

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        memset(erased, combos[ci].erased, sizeof(erased));
        for (int m = VFLASH_CUT_BEFORE; m <= VFLASH_CUT_AFTER; m++) {
            bool after = m == VFLASH_CUT_AFTER;
            struct vflash dev;
            struct vflash_cut_result res;

            dev_open(&dev, &combos[ci]);
            preload(&dev, &combos[ci], old);
            make_new(&combos[ci], old, data, sizeof(data), 5);
            /* Op 0 is page 0 (lands), op 1 is page 1 (cut). */
            arm(&dev, 1, (enum vflash_cut_model)m, 0, 0, 9);
            assert_int_equal(vflash_program(&dev, 0, data, sizeof(data)), BO_EPOWER);
            assert_int_equal(vflash_read(&dev, 0, buf, 1), BO_EPOWER);
            assert_int_equal(vflash_erase_sector(&dev, 1), BO_EPOWER);
            assert_int_equal(vflash_program(&dev, 0, data, WU), BO_EPOWER);
            vflash_power_on(&dev);
            assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
            assert_true(res.armed);
            assert_true(res.reached);
            assert_int_equal(res.applied, m);
            assert_int_equal(res.op.index, 1);
            assert_int_equal(res.op.off, PAGE);
            assert_int_equal(res.op.len, PAGE);
            assert_int_equal(res.op.sector, 0);
            assert_int_equal(res.op.kind, VFLASH_OP_PROGRAM);
            assert_int_equal(res.units_new, after ? PAGE / WU : 0);
            assert_int_equal(dev.stats.ops, after ? 2 : 1);
            assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
            assert_memory_equal(buf, data, PAGE);
            assert_memory_equal(buf + PAGE, after ? data + PAGE : old + PAGE, PAGE);
            if (combos[ci].sem == VFLASH_ECC) {
                /* Page 1 is programmed only if the operation happened. */
                assert_int_equal(vflash_program(&dev, PAGE, data + PAGE, WU),
                                 after ? BO_ESEMANTICS : 0);
            }
            /* The same on an erase. */
            memcpy(old, dev.mem, SECTOR);
            arm(&dev, dev.stats.ops, (enum vflash_cut_model)m, 0, 0, 9);
            assert_int_equal(vflash_erase_sector(&dev, 0), BO_EPOWER);
            assert_int_equal(vflash_read(&dev, 0, buf, 1), BO_EPOWER);
            vflash_power_on(&dev);
            assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
            assert_int_equal(res.op.kind, VFLASH_OP_ERASE);
            assert_int_equal(res.units, SECTOR / WU);
            assert_memory_equal(dev.mem, after ? erased : old, SECTOR);
            assert_int_equal(dev.sectors[0].wear, after ? 1 : 0);
            vflash_free(&dev);
        }
    }
}

/* torn-prefix at every unit boundary of a multi-unit program, on every combo. */
static void test_torn_prefix_every_boundary(void **state)
{
    uint8_t old[SECTOR];
    uint8_t data[3 * PAGE];
    uint8_t buf[3 * PAGE];
    const uint32_t units = PAGE / WU;

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        for (uint32_t k = 0; k <= units; k++) {
            struct vflash dev;
            struct vflash_cut_result res;

            dev_open(&dev, &combos[ci]);
            preload(&dev, &combos[ci], old);
            make_new(&combos[ci], old, data, sizeof(data), 100 + k);
            vflash_reset_counters(&dev);
            arm(&dev, 1, VFLASH_CUT_TORN_PREFIX, k, 0, 3);
            assert_int_equal(vflash_program(&dev, 0, data, sizeof(data)), BO_EPOWER);
            vflash_power_on(&dev);
            assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
            assert_memory_equal(buf, data, PAGE + k * WU);
            assert_memory_equal(buf + PAGE + k * WU, old + PAGE + k * WU,
                                sizeof(buf) - PAGE - k * WU);
            assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
            assert_int_equal(res.applied, VFLASH_CUT_TORN_PREFIX);
            assert_int_equal(res.units, units);
            assert_int_equal(res.prefix, k);
            assert_int_equal(res.units_new, k);
            assert_int_equal(res.units_changed, k);
            assert_int_equal(dev.stats.ops, 2);
            assert_int_equal(dev.stats.busy_ns, (units + k) * 10u);
            if (combos[ci].sem == VFLASH_ECC && k < units) {
                /* Landed units are programmed; the first unit that did not land is not. */
                if (k > 0) {
                    assert_int_equal(
                        vflash_program(&dev, PAGE + (k - 1) * WU, data + PAGE + (k - 1) * WU, WU),
                        BO_ESEMANTICS);
                }
                assert_int_equal(vflash_program(&dev, PAGE + k * WU, data + PAGE + k * WU, WU), 0);
            }
            vflash_free(&dev);
        }
    }
}

/* A seeded k is in range, the same for a seed, and varies over seeds. */
static void test_torn_prefix_seeded(void **state)
{
    uint8_t data[PAGE];
    bool seen[PAGE / WU] = { false };
    int distinct = 0;

    (void)state;
    memset(data, 0x12, sizeof(data));
    for (uint64_t seed = 0; seed < 64; seed++) {
        uint32_t k[2];

        for (int rep = 0; rep < 2; rep++) {
            struct vflash dev;
            struct vflash_cut_result res;

            dev_open(&dev, &combos[0]);
            arm(&dev, 0, VFLASH_CUT_TORN_PREFIX, VFLASH_CUT_SEEDED, 0, seed);
            assert_int_equal(vflash_program(&dev, 0, data, PAGE), BO_EPOWER);
            assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
            k[rep] = res.prefix;
            assert_true(k[rep] < PAGE / WU);
            vflash_free(&dev);
        }
        assert_int_equal(k[0], k[1]);
        if (!seen[k[0]]) {
            seen[k[0]] = true;
            distinct++;
        }
    }
    assert_true(distinct >= 6);
}

/* Checks that now only moved bits of old that differ from target, and each to target. */
static uint64_t check_only_changing_bits(const uint8_t *old, const uint8_t *target,
                                         const uint8_t *now, size_t n, uint64_t *diff_bits)
{
    uint64_t moved = 0;

    *diff_bits = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t may = (uint8_t)(old[i] ^ target[i]);
        uint8_t did = (uint8_t)(old[i] ^ now[i]);

        assert_int_equal(did & (uint8_t)~may, 0);
        moved += (uint64_t)popcount8(did);
        *diff_bits += (uint64_t)popcount8(may);
    }
    return moved;
}

/* Runs a cut of model on op 0 (a 256-byte program, or erase of sector 0) and reads sector 0. */
static void run_cut(const struct combo *c, enum vflash_cut_model model, bool erase,
                    uint32_t permille, uint64_t seed, uint8_t *old, uint8_t *target, uint8_t *now,
                    struct vflash_cut_result *res)
{
    struct vflash dev;

    dev_open_paged(&dev, c, 0);
    if (erase) {
        fill_random(old, SECTOR, 1234);
        memset(old, c->erased, WU); /* One erased unit: an ECC part can still program it. */
        assert_int_equal(vflash_host_write(&dev, 0, old, SECTOR), 0);
        memset(target, c->erased, SECTOR);
    } else {
        preload(&dev, c, old);
        memcpy(target, old, SECTOR);
        make_new(c, old, target, 256, 4321);
    }
    vflash_reset_counters(&dev);
    arm(&dev, 0, model, 0, permille, seed);
    if (erase) {
        assert_int_equal(vflash_erase_sector(&dev, 0), BO_EPOWER);
    } else {
        assert_int_equal(vflash_program(&dev, 0, target, 256), BO_EPOWER);
    }
    vflash_power_on(&dev);
    memcpy(now, dev.mem, SECTOR);
    assert_int_equal(vflash_fault_cut_result(&dev, res), 0);
    if (c->sem == VFLASH_ECC) {
        /* The ECC map follows what landed. */
        for (uint32_t u = 0; u < (erase ? SECTOR : 256u) / WU; u++) {
            uint8_t unit[WU];
            bool erased_unit = true;

            for (uint32_t i = 0; i < WU; i++) {
                erased_unit = erased_unit && now[u * WU + i] == c->erased;
            }
            memset(unit, c->erased == 0xff ? 0x00 : 0xff, WU);
            if (erase) {
                assert_int_equal(vflash_program(&dev, u * WU, unit, WU),
                                 erased_unit ? 0 : BO_ESEMANTICS);
            } else {
                /* Every unit a torn program touched is programmed; none if it did not happen. */
                assert_int_equal(vflash_program(&dev, u * WU, unit, WU),
                                 res->applied == VFLASH_CUT_BEFORE ? 0 : BO_ESEMANTICS);
            }
        }
    }
    vflash_free(&dev);
}

static void test_torn_bits(void **state)
{
    uint8_t old[SECTOR];
    uint8_t target[SECTOR];
    uint8_t a[SECTOR];
    uint8_t b[SECTOR];
    struct vflash_cut_result res;

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        for (int erase = 0; erase < 2; erase++) {
            uint64_t diff;
            uint64_t moved;

            run_cut(&combos[ci], VFLASH_CUT_TORN_BITS, erase, 0, 42, old, target, a, &res);
            moved = check_only_changing_bits(old, target, a, SECTOR, &diff);
            assert_int_equal(res.applied, VFLASH_CUT_TORN_BITS);
            assert_int_equal(res.bits_changed, moved);
            /* About half the changing bits moved. */
            assert_true(diff > 500);
            assert_in_range(moved, diff * 2 / 5, diff * 3 / 5);
            /* Same seed, same result; another seed, another. */
            run_cut(&combos[ci], VFLASH_CUT_TORN_BITS, erase, 0, 42, old, target, b, &res);
            assert_memory_equal(a, b, SECTOR);
            run_cut(&combos[ci], VFLASH_CUT_TORN_BITS, erase, 0, 43, old, target, b, &res);
            assert_memory_not_equal(a, b, SECTOR);
        }
    }
}

static void test_erase_partial(void **state)
{
    uint8_t old[SECTOR];
    uint8_t target[SECTOR];
    uint8_t a[SECTOR];
    uint8_t b[SECTOR];
    struct vflash_cut_result res;

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        static const uint32_t ps[] = { 0, 100, 500, 900, 1000 };
        uint64_t diff;
        uint64_t moved;

        for (size_t pi = 0; pi < sizeof(ps) / sizeof(ps[0]); pi++) {
            run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, true, ps[pi], 7, old, target, a, &res);
            /* Only raises bits toward the erased value, never the other way. */
            moved = check_only_changing_bits(old, target, a, SECTOR, &diff);
            assert_int_equal(res.permille, ps[pi]);
            if (ps[pi] == 0) {
                assert_int_equal(moved, 0);
            } else if (ps[pi] == 1000) {
                assert_int_equal(moved, diff);
            } else {
                assert_in_range(moved * 1000 / diff, ps[pi] - 60, ps[pi] + 60);
            }
        }
        /* Seeded progress: in [1, 999], reproducible, and another seed differs. */
        run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, true, VFLASH_CUT_SEEDED, 11, old, target, a,
                &res);
        assert_in_range(res.permille, 1, 999);
        check_only_changing_bits(old, target, a, SECTOR, &diff);
        run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, true, VFLASH_CUT_SEEDED, 11, old, target, b,
                &res);
        assert_memory_equal(a, b, SECTOR);
        run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, true, VFLASH_CUT_SEEDED, 12, old, target, b,
                &res);
        assert_memory_not_equal(a, b, SECTOR);
        /* The progress itself is drawn from the seed: it varies over seeds. */
        {
            uint32_t first = res.permille;
            int others = 0;

            for (uint64_t seed = 20; seed < 26; seed++) {
                run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, true, VFLASH_CUT_SEEDED, seed, old,
                        target, b, &res);
                assert_in_range(res.permille, 1, 999);
                others += res.permille != first;
            }
            assert_true(others >= 4);
        }
        /* torn-prefix on an erase acts as erase-partial. */
        run_cut(&combos[ci], VFLASH_CUT_TORN_PREFIX, true, 500, 11, old, target, a, &res);
        assert_int_equal(res.applied, VFLASH_CUT_ERASE_PARTIAL);
        check_only_changing_bits(old, target, a, SECTOR, &diff);
        /* erase-partial on a program acts as before. */
        run_cut(&combos[ci], VFLASH_CUT_ERASE_PARTIAL, false, 500, 11, old, target, a, &res);
        assert_int_equal(res.applied, VFLASH_CUT_BEFORE);
        assert_memory_equal(a, old, SECTOR);
    }
}

/* Reads [off, off + n) reps times; checks stable bits never change and unstable bits take both
 * values. Returns how many reads differed from the first. */
static int check_weak_reads(struct vflash *dev, uint32_t off, const uint8_t *old,
                            const uint8_t *intended, uint32_t n, int reps)
{
    uint8_t first[SECTOR];
    uint8_t buf[SECTOR];
    uint8_t seen0[SECTOR];
    uint8_t seen1[SECTOR];
    int differ = 0;

    memset(seen0, 0, n);
    memset(seen1, 0, n);
    for (int r = 0; r < reps; r++) {
        assert_int_equal(vflash_read(dev, off, r == 0 ? first : buf, n), 0);
        if (r > 0 && memcmp(first, buf, n) != 0) {
            differ++;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t v = r == 0 ? first[i] : buf[i];
            uint8_t unstable = (uint8_t)(old[i] ^ intended[i]);

            assert_int_equal(v & (uint8_t)~unstable, intended[i] & (uint8_t)~unstable);
            seen0[i] |= (uint8_t)(~v & unstable);
            seen1[i] |= (uint8_t)(v & unstable);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t unstable = (uint8_t)(old[i] ^ intended[i]);

        assert_int_equal(seen0[i], unstable);
        assert_int_equal(seen1[i], unstable);
    }
    return differ;
}

static void test_weak_program(void **state)
{
    uint8_t old[SECTOR];
    uint8_t data[2 * PAGE];
    uint8_t buf[SECTOR];
    struct vflash_weak_info info;

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        struct vflash dev;

        dev_open(&dev, &combos[ci]);
        preload(&dev, &combos[ci], old);
        make_new(&combos[ci], old, data, sizeof(data), 8);
        arm(&dev, 0, VFLASH_CUT_WEAK, 0, 0, 99);
        assert_int_equal(vflash_program(&dev, 0, data, sizeof(data)), BO_EPOWER);
        vflash_power_on(&dev);
        assert_int_equal(vflash_fault_weak_count(&dev), 1);
        assert_int_equal(vflash_fault_weak_get(&dev, 0, &info), 0);
        assert_int_equal(info.off, 0);
        assert_int_equal(info.len, PAGE);
        assert_memory_equal(info.old, old, PAGE);
        assert_memory_equal(info.intended, data, PAGE);
        assert_int_equal(vflash_fault_weak_get(&dev, 1, &info), BO_ERANGE);
        assert_true(check_weak_reads(&dev, 0, old, data, PAGE, 64) > 50);
        /* Bytes outside the region never change. */
        for (int r = 0; r < 8; r++) {
            assert_int_equal(vflash_read(&dev, PAGE, buf, SECTOR - PAGE), 0);
            assert_memory_equal(buf, old + PAGE, SECTOR - PAGE);
        }
        if (combos[ci].sem == VFLASH_ECC) {
            /* The unit counts as programmed: it cannot be reprogrammed, only erased. */
            assert_int_equal(vflash_program(&dev, 0, data, WU), BO_ESEMANTICS);
            assert_int_equal(vflash_fault_weak_count(&dev), 1);
            assert_int_equal(vflash_erase_sector(&dev, 0), 0);
            assert_int_equal(vflash_fault_weak_count(&dev), 0);
            memset(old, combos[ci].erased, PAGE);
            assert_int_equal(vflash_read(&dev, 0, buf, PAGE), 0);
            assert_memory_equal(buf, old, PAGE);
        } else {
            /* Reprogramming half the units settles them; the rest stay weak. */
            assert_int_equal(vflash_program(&dev, 0, data, PAGE / 2), 0);
            assert_int_equal(vflash_fault_weak_count(&dev), 1);
            for (int r = 0; r < 8; r++) {
                assert_int_equal(vflash_read(&dev, 0, buf, PAGE / 2), 0);
                assert_memory_equal(buf, data, PAGE / 2);
            }
            check_weak_reads(&dev, PAGE / 2, old + PAGE / 2, data + PAGE / 2, PAGE / 2, 64);
            assert_int_equal(vflash_program(&dev, PAGE / 2, data + PAGE / 2, PAGE / 2), 0);
            assert_int_equal(vflash_fault_weak_count(&dev), 0);
            assert_int_equal(vflash_read(&dev, 0, buf, PAGE), 0);
            assert_memory_equal(buf, data, PAGE);
        }
        vflash_free(&dev);
    }
}

/* Sector 0 holds old (random), then a weak cut of its erase with seed. */
static void weak_erased(struct vflash *dev, const struct combo *c, uint8_t *old, uint64_t seed)
{
    dev_open(dev, c);
    fill_random(old, SECTOR, 5);
    assert_int_equal(vflash_host_write(dev, 0, old, SECTOR), 0);
    arm(dev, dev->stats.ops, VFLASH_CUT_WEAK, 0, 0, seed);
    assert_int_equal(vflash_erase_sector(dev, 0), BO_EPOWER);
    vflash_power_on(dev);
}

static void test_weak_erase(void **state)
{
    uint8_t old[SECTOR];
    uint8_t erased[SECTOR];
    uint8_t unit[WU];
    uint8_t a[SECTOR];
    uint8_t b[SECTOR];

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        struct vflash dev;
        struct vflash twin;
        struct vflash other;

        weak_erased(&dev, &combos[ci], old, 3);
        weak_erased(&twin, &combos[ci], old, 3);
        weak_erased(&other, &combos[ci], old, 4);
        /* The same seed gives the same sequence of reads; another seed another. */
        for (int r = 0; r < 4; r++) {
            assert_int_equal(vflash_read(&twin, 0, a, SECTOR), 0);
            assert_int_equal(vflash_read(&dev, 0, b, SECTOR), 0);
            assert_memory_equal(a, b, SECTOR);
            assert_int_equal(vflash_read(&other, 0, b, SECTOR), 0);
            assert_memory_not_equal(a, b, SECTOR);
        }
        memset(erased, combos[ci].erased, SECTOR);
        check_weak_reads(&dev, 0, old, erased, SECTOR, 48);
        /* Programming a unit settles it (the erase left the units erased, hence programmable). */
        memset(unit, 0x3c, WU);
        assert_int_equal(vflash_program(&dev, 0, unit, WU), 0);
        for (int r = 0; r < 4; r++) {
            assert_int_equal(vflash_read(&dev, 0, a, WU), 0);
            assert_memory_equal(a, unit, WU);
        }
        assert_int_equal(vflash_fault_weak_count(&dev), 1);
        check_weak_reads(&dev, WU, old + WU, erased + WU, SECTOR - WU, 48);
        /* An erase of the sector settles the rest. */
        assert_int_equal(vflash_erase_sector(&dev, 0), 0);
        assert_int_equal(vflash_fault_weak_count(&dev), 0);
        assert_int_equal(vflash_read(&dev, 0, a, SECTOR), 0);
        assert_memory_equal(a, erased, SECTOR);
        /* Clearing settles too (for snapshot restores). */
        vflash_fault_clear_weak(&twin);
        assert_int_equal(vflash_fault_weak_count(&twin), 0);
        assert_int_equal(vflash_read(&twin, 0, a, SECTOR), 0);
        assert_memory_equal(a, erased, SECTOR);
        vflash_free(&dev);
        vflash_free(&twin);
        vflash_free(&other);
    }
}

/* A cut armed beyond the run is not reached; armed cuts are one-shot. */
static void test_cut_not_reached(void **state)
{
    struct vflash dev;
    struct vflash_cut_result res;
    uint8_t data[PAGE];

    (void)state;
    memset(data, 0xa5, sizeof(data));
    dev_open(&dev, &combos[0]);
    arm(&dev, 100, VFLASH_CUT_TORN_BITS, 0, 0, 1);
    assert_int_equal(vflash_program(&dev, 0, data, PAGE), 0);
    assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
    assert_true(res.armed);
    assert_false(res.reached);
    arm(&dev, 1, VFLASH_CUT_BEFORE, 0, 0, 1);
    vflash_fault_disarm(&dev);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    vflash_free(&dev);
}

/* A user hook arms a cut for the operation it sees; hook errors take precedence. */
static int arming_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    int *mode = arg;

    if (*mode == 1 && op->index == 2) {
        struct vflash_cut cut = { op->index, VFLASH_CUT_TORN_PREFIX, 3, 0, 5, 0 };

        assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
    }
    if (*mode == 2) {
        return BO_EBUSY;
    }
    return 0;
}

static void test_hook_arms_cut(void **state)
{
    struct vflash dev;
    struct vflash_cut_result res;
    uint8_t data[4 * PAGE];
    uint8_t buf[4 * PAGE];
    int mode = 1;

    (void)state;
    fill_random(data, sizeof(data), 1);
    dev_open(&dev, &combos[4]);
    vflash_set_hook(&dev, arming_hook, &mode);
    assert_int_equal(vflash_program(&dev, 0, data, sizeof(data)), BO_EPOWER);
    assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
    assert_true(res.reached);
    assert_int_equal(res.op.index, 2);
    assert_int_equal(res.prefix, 3);
    vflash_power_on(&dev);
    assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
    assert_memory_equal(buf, data, 2 * PAGE + 3 * WU);
    mode = 2;
    arm(&dev, dev.stats.ops, VFLASH_CUT_AFTER, 0, 0, 1);
    assert_int_equal(vflash_erase_sector(&dev, 0), BO_EBUSY);
    assert_false(dev.power_lost);
    vflash_free(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_names),
        cmocka_unit_test(test_arm_errors),
        cmocka_unit_test(test_before_after),
        cmocka_unit_test(test_torn_prefix_every_boundary),
        cmocka_unit_test(test_torn_prefix_seeded),
        cmocka_unit_test(test_torn_bits),
        cmocka_unit_test(test_erase_partial),
        cmocka_unit_test(test_weak_program),
        cmocka_unit_test(test_weak_erase),
        cmocka_unit_test(test_cut_not_reached),
        cmocka_unit_test(test_hook_arms_cut),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
