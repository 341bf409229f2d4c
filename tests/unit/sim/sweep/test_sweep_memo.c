/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the sweep's shared table (sim/sweep/sweep_memo.c, sweep_memo_key.c): the key of a
 * flash state changes with every byte, ECC bit, context byte and fault digest and refuses weak
 * bits, keys from sector sums follow every operation, entries round-trip and are seen across
 * fork(), and a full neighbourhood stores no more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "board/board.h"
#include "bo_err.h"
#include "port_flash_map.h"
#include "sweep/sweep_memo.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

static void memo_geom(struct vflash_geometry *g, enum vflash_semantics sem, uint32_t wu)
{
    memset(g, 0, sizeof(*g));
    g->runs[0].count = 8;
    g->runs[0].size = 1024;
    g->run_count = 1;
    g->write_unit = wu;
    g->erased_val = 0xff;
    g->semantics = sem;
}

static void memo_map_setup(struct port_flash_map *map, struct vflash *dev)
{
    struct vflash_geometry g;

    port_flash_map_init(map);
    memo_geom(&g, VFLASH_NOR, 4);
    vflash_init(&dev[0]);
    assert_int_equal(vflash_setup(&dev[0], &g, NULL, 0, NULL), 0);
    memo_geom(&g, VFLASH_ECC, 32);
    vflash_init(&dev[1]);
    assert_int_equal(vflash_setup(&dev[1], &g, NULL, 0, NULL), 0);
    map->devices[0] = &dev[0];
    map->devices[1] = &dev[1];
    map->device_count = 2;
}

static void test_key_changes(void **state)
{
    struct port_flash_map map;
    struct vflash dev[2];
    struct sweep_memo_key base;
    struct sweep_memo_key k;
    uint8_t extra[4] = { 1, 2, 3, 4 };
    uint32_t off;
    uint32_t d;

    (void)state;
    memo_map_setup(&map, dev);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &base));
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_equal(&k, &base, sizeof(k));
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_STABLE, NULL, 0, &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, extra, sizeof(extra), &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    /* Every single-bit change of either device's bytes changes the key (a sample of bits). */
    for (d = 0; d < 2; d++) {
        for (off = 0; off < dev[d].size; off += 37) {
            uint8_t bit = (uint8_t)(1u << (off % 8));

            dev[d].mem[off] ^= bit;
            assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
            assert_memory_not_equal(&k, &base, sizeof(k));
            dev[d].mem[off] ^= bit;
        }
    }
    /* The ECC map counts: a unit marked programmed with the same bytes is another state. */
    vflash_ecc_mark(&dev[1], 64, 32, true);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    vflash_ecc_mark(&dev[1], 64, 32, false);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_equal(&k, &base, sizeof(k));
    vflash_free(&dev[0]);
    vflash_free(&dev[1]);
}

static void test_key_refuses_weak(void **state)
{
    struct port_flash_map map;
    struct vflash dev[2];
    struct vflash_cut cut;
    struct sweep_memo_key k;
    uint8_t data[4] = { 0x00, 0x0f, 0xf0, 0x55 };

    (void)state;
    memo_map_setup(&map, dev);
    memset(&cut, 0, sizeof(cut));
    cut.op_index = 0;
    cut.model = VFLASH_CUT_WEAK;
    cut.units = VFLASH_CUT_SEEDED;
    cut.permille = VFLASH_CUT_SEEDED;
    cut.seed = 5;
    assert_int_equal(vflash_fault_arm_cut(&dev[0], &cut), 0);
    vflash_program(&dev[0], 0, data, sizeof(data));
    assert_true(vflash_fault_weak_count(&dev[0]) > 0);
    assert_false(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    vflash_fault_clear_weak(&dev[0]);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    vflash_free(&dev[0]);
    vflash_free(&dev[1]);
}

/* The operation hook of a sweep's worker, reduced to what the sums need. */
static int memo_touch_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct sweep_memo_cache *c = arg;

    sweep_memo_cache_touch(c, dev->geom.semantics == VFLASH_ECC ? 1 : 0, dev, op);
    return 0;
}

/* The key from a fresh cache (every sum computed now) equals ck: the sums were up to date. */
static void memo_assert_fresh(const struct port_flash_map *map, const struct sweep_memo_key *ck,
                              bool equal)
{
    struct sweep_memo_cache fresh;
    struct sweep_memo_key k;

    assert_int_equal(sweep_memo_cache_setup(&fresh, map), 0);
    assert_true(sweep_memo_key(map, &fresh, SWEEP_MEMO_BOOT, NULL, 0, &k));
    if (equal) {
        assert_memory_equal(&k, ck, sizeof(k));
    } else {
        assert_memory_not_equal(&k, ck, sizeof(k));
    }
    sweep_memo_cache_free(&fresh);
}

/*
 * Keys from sector sums: after programs and erases (each touching its sectors, as the sweep's
 * hook does), before and after a refresh, the key equals one computed from scratch; a write
 * around the operations leaves a stale key until the cache is reset.
 */
static void test_sector_sums(void **state)
{
    struct port_flash_map map;
    struct vflash dev[2];
    struct sweep_memo_cache c;
    struct sweep_memo_key k0;
    struct sweep_memo_key k;
    uint8_t data[64];

    (void)state;
    memo_map_setup(&map, dev);
    assert_int_equal(sweep_memo_cache_setup(&c, &map), 0);
    vflash_set_hook(&dev[0], memo_touch_hook, &c);
    vflash_set_hook(&dev[1], memo_touch_hook, &c);
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k0));
    memo_assert_fresh(&map, &k0, true);
    memset(data, 0x5a, sizeof(data));
    /* A program across a sector boundary, on each device. */
    assert_int_equal(vflash_program(&dev[0], 1024 - 32, data, 64), 0);
    assert_int_equal(vflash_program(&dev[1], 3 * 1024, data, 64), 0);
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_not_equal(&k, &k0, sizeof(k));
    memo_assert_fresh(&map, &k, true);
    /* Refreshed, then changed again: the sums follow. */
    sweep_memo_cache_refresh(&c, &map);
    assert_int_equal(vflash_erase_sector(&dev[0], 1), 0);
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k));
    memo_assert_fresh(&map, &k, true);
    /* Back to the start: the same key as at the start. */
    assert_int_equal(vflash_erase_sector(&dev[0], 0), 0);
    assert_int_equal(vflash_erase_sector(&dev[1], 3), 0);
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_equal(&k, &k0, sizeof(k));
    /* A write no operation announced: stale until reset. */
    dev[0].mem[5000] ^= 1;
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k));
    memo_assert_fresh(&map, &k, false);
    sweep_memo_cache_reset(&c);
    assert_true(sweep_memo_key(&map, &c, SWEEP_MEMO_BOOT, NULL, 0, &k));
    memo_assert_fresh(&map, &k, true);
    sweep_memo_cache_free(&c);
    vflash_free(&dev[0]);
    vflash_free(&dev[1]);
}

/* The fault digest is in the key: configuration, the torn-ECC mode, wear with an endurance. */
static void test_key_fault_digest(void **state)
{
    struct port_flash_map map;
    struct vflash dev[2];
    struct vflash_fault_config cfg;
    struct sweep_memo_key base;
    struct sweep_memo_key k;

    (void)state;
    memo_map_setup(&map, dev);
    /* Both devices have a fault state from the start: only its contents differ below. */
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(vflash_fault_configure(&dev[0], &cfg), 0);
    assert_int_equal(vflash_fault_configure(&dev[1], &cfg), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &base));
    /* Wear without an endurance decides nothing. */
    assert_int_equal(vflash_set_sector_wear(&dev[0], 2, 50), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_equal(&k, &base, sizeof(k));
    vflash_set_endurance(&dev[0], 100);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &base));
    assert_int_equal(vflash_set_sector_wear(&dev[0], 2, 60), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    assert_int_equal(vflash_set_sector_wear(&dev[0], 2, 50), 0);
    /* What a torn ECC unit reads as. */
    assert_int_equal(vflash_fault_set_ecc_torn(&dev[1], VFLASH_ECC_TORN_GARBAGE, 9), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    assert_int_equal(vflash_fault_set_ecc_torn(&dev[1], VFLASH_ECC_TORN_ERASED, 0), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &base));
    /* Non-cut faults configured. */
    cfg.seed = 3;
    cfg.program_error.one_in = 7;
    assert_int_equal(vflash_fault_configure(&dev[0], &cfg), 0);
    assert_true(sweep_memo_key(&map, NULL, SWEEP_MEMO_BOOT, NULL, 0, &k));
    assert_memory_not_equal(&k, &base, sizeof(k));
    vflash_free(&dev[0]);
    vflash_free(&dev[1]);
}

static void test_table(void **state)
{
    struct sweep_memo m;
    struct sweep_memo_key k = { { 0x1234, 0x5678 } };
    struct sweep_memo_key k2 = { { 0x1234, 0x9999 } };
    char value[64];
    char got[64];
    int rc = 0;
    pid_t pid;
    int st;
    uint32_t i;

    (void)state;
    assert_int_equal(sweep_memo_setup(&m, 100), 0);
    assert_int_equal(m.count, 128);
    assert_false(sweep_memo_find(&m, &k, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    snprintf(value, sizeof(value), "first");
    sweep_memo_add(&m, &k, SWEEP_MEMO_BOOT, -7, value, sizeof(value));
    assert_true(sweep_memo_find(&m, &k, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    assert_int_equal(rc, -7);
    assert_string_equal(got, "first");
    /* Another kind, another second half, another length: not the same entry. */
    assert_false(sweep_memo_find(&m, &k, SWEEP_MEMO_STABLE, &rc, got, sizeof(got)));
    assert_false(sweep_memo_find(&m, &k2, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    assert_false(sweep_memo_find(&m, &k, SWEEP_MEMO_BOOT, &rc, got, 8));
    /* An entry never changes once stored. */
    snprintf(value, sizeof(value), "second");
    sweep_memo_add(&m, &k, SWEEP_MEMO_BOOT, 3, value, sizeof(value));
    assert_true(sweep_memo_find(&m, &k, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    assert_string_equal(got, "first");
    /* A child's store is seen by the parent (shared memory). */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        snprintf(value, sizeof(value), "child");
        sweep_memo_add(&m, &k2, SWEEP_MEMO_BOOT, 9, value, sizeof(value));
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(sweep_memo_find(&m, &k2, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    assert_int_equal(rc, 9);
    assert_string_equal(got, "child");
    /* Keys of one home slot fill its probe window; then stores are dropped, finds miss. */
    for (i = 0; i < 200; i++) {
        struct sweep_memo_key ki = { { 0x1234, 0x10000 + i } };

        sweep_memo_add(&m, &ki, SWEEP_MEMO_BOOT, (int)i, value, sizeof(value));
    }
    assert_true(sweep_memo_find(&m, &k, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    {
        struct sweep_memo_key last = { { 0x1234, 0x10000 + 199 } };

        assert_false(sweep_memo_find(&m, &last, SWEEP_MEMO_BOOT, &rc, got, sizeof(got)));
    }
    assert_true(m.stores > 0 && m.hits > 0);
    sweep_memo_free(&m);
    assert_null(m.tab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_changes), cmocka_unit_test(test_key_refuses_weak),
        cmocka_unit_test(test_sector_sums), cmocka_unit_test(test_key_fault_digest),
        cmocka_unit_test(test_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
