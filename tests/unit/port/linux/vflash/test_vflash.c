/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the virtual flash device: semantics, geometry, errors, counters, timing, the hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "port_clock.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

/* A geometry of count sectors of size bytes. */
static struct vflash_geometry geom_uniform(uint32_t count, uint32_t size, uint32_t wu,
                                           uint8_t erased, enum vflash_semantics sem)
{
    struct vflash_geometry g;

    memset(&g, 0, sizeof(g));
    g.runs[0].count = count;
    g.runs[0].size = size;
    g.runs[0].erase_ns = 1000;
    g.run_count = 1;
    g.write_unit = wu;
    g.erased_val = erased;
    g.semantics = sem;
    return g;
}

/* STM32F4-like mixed sectors: 4x16K, 1x64K, 2x128K. */
static struct vflash_geometry geom_mixed(void)
{
    struct vflash_geometry g = geom_uniform(4, 16 * 1024, 1, 0xff, VFLASH_NOR);

    g.runs[1].count = 1;
    g.runs[1].size = 64 * 1024;
    g.runs[1].erase_ns = 2000;
    g.runs[2].count = 2;
    g.runs[2].size = 128 * 1024;
    g.runs[2].erase_ns = 3000;
    g.run_count = 3;
    return g;
}

static bool all_equal(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

static void test_geometry_check(void **state)
{
    struct vflash_geometry g = geom_uniform(8, 4096, 4, 0xff, VFLASH_NOR);
    struct vflash_geometry bad;
    uint32_t size = 0;

    (void)state;
    assert_int_equal(vflash_geometry_check(&g, &size), 0);
    assert_int_equal(size, 8 * 4096);
    assert_int_equal(vflash_ecc_map_size(&g), 8 * 4096 / 4 / 8);

    bad = g;
    bad.write_unit = 3;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad.write_unit = 64;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad.write_unit = 0;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.erased_val = 0x7f;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.runs[0].size = 4098;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.runs[0].count = 0;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.run_count = 0;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad.run_count = VFLASH_MAX_RUNS + 1;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.page_size = 6;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad.page_size = 8192; /* Sectors are not whole pages. */
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.runs[0].count = 0x100000;
    bad.runs[0].size = 0x10000; /* 64 GiB: beyond 32-bit offsets. */
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    bad = g;
    bad.semantics = (enum vflash_semantics)7;
    assert_int_equal(vflash_geometry_check(&bad, NULL), BO_EINVAL);
    assert_int_equal(vflash_geometry_check(NULL, NULL), BO_EINVAL);
}

static void test_setup_erased(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 1024, 1, 0x00, VFLASH_NOR);
    struct vflash dev;
    uint8_t buf[2048];

    (void)state;
    vflash_init(&dev);
    assert_int_equal(vflash_read(&dev, 0, buf, 1), BO_ESTATE);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(dev.size, 2048);
    assert_int_equal(dev.sector_count, 2);
    memset(buf, 0x55, sizeof(buf));
    assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
    assert_true(all_equal(buf, sizeof(buf), 0x00));
    vflash_free(&dev);
    vflash_free(&dev); /* Safe twice. */
    assert_int_equal(vflash_program(&dev, 0, buf, 1), BO_ESTATE);
    assert_int_equal(vflash_erase_sector(&dev, 0), BO_ESTATE);

    /* NULL devices are refused, never dereferenced. */
    assert_int_equal(vflash_setup(NULL, &g, NULL, 0, NULL), BO_EINVAL);
    assert_int_equal(vflash_setup(&dev, NULL, NULL, 0, NULL), BO_EINVAL);
    assert_int_equal(vflash_read(NULL, 0, buf, 1), BO_ESTATE);
    assert_int_equal(vflash_program(NULL, 0, buf, 1), BO_ESTATE);
    assert_int_equal(vflash_erase(NULL, 0, 1), BO_ESTATE);
    assert_int_equal(vflash_sector_at(NULL, 0), BO_ERANGE);
    assert_false(vflash_is_boundary(NULL, 0));
    vflash_power_on(NULL);
    vflash_set_hook(NULL, NULL, NULL);
    vflash_set_clock(NULL, NULL);
    vflash_reset_counters(NULL);
    vflash_free(NULL);

    g.erased_val = 0xff;
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
    assert_true(all_equal(buf, sizeof(buf), 0xff));
    vflash_free(&dev);
}

static void test_nor_ff(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 256, 4, 0xff, VFLASH_NOR);
    struct vflash dev;
    const uint8_t a[4] = { 0xf0, 0x0f, 0xaa, 0xff };
    const uint8_t b[4] = { 0x00, 0x0f, 0x8a, 0x7f };    /* Only clears bits of a. */
    const uint8_t back[4] = { 0x00, 0x1f, 0x8a, 0x7f }; /* Sets one bit of b again. */
    uint8_t buf[4];

    (void)state;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_program(&dev, 8, a, 4), 0);
    assert_int_equal(vflash_program(&dev, 8, a, 4), 0); /* A rewrite moves no bit back. */
    assert_int_equal(vflash_program(&dev, 8, b, 4), 0);
    assert_int_equal(vflash_program(&dev, 8, back, 4), BO_ESEMANTICS);
    assert_int_equal(vflash_read(&dev, 8, buf, 4), 0);
    assert_memory_equal(buf, b, 4);
    assert_int_equal(dev.stats.programs, 3);

    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(vflash_program(&dev, 8, back, 4), 0);
    assert_int_equal(vflash_read(&dev, 8, buf, 4), 0);
    assert_memory_equal(buf, back, 4);
    vflash_free(&dev);
}

static void test_nor_00(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 256, 1, 0x00, VFLASH_NOR);
    struct vflash dev;
    uint8_t v;

    (void)state;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    v = 0x11;
    assert_int_equal(vflash_program(&dev, 3, &v, 1), 0);
    v = 0x33; /* Sets another bit: allowed on a 0x00 part. */
    assert_int_equal(vflash_program(&dev, 3, &v, 1), 0);
    v = 0x22; /* Clears bit 0 back towards 0x00: not allowed. */
    assert_int_equal(vflash_program(&dev, 3, &v, 1), BO_ESEMANTICS);
    assert_int_equal(vflash_read(&dev, 3, &v, 1), 0);
    assert_int_equal(v, 0x33);
    assert_int_equal(vflash_erase(&dev, 0, 256), 0);
    assert_int_equal(vflash_read(&dev, 3, &v, 1), 0);
    assert_int_equal(v, 0x00);
    vflash_free(&dev);
}

static void test_ecc(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 2048, 8, 0xff, VFLASH_ECC);
    struct vflash dev;
    uint8_t data[24];
    uint8_t ones[8];
    uint8_t buf[24];

    (void)state;
    memset(data, 0x5a, sizeof(data));
    memset(ones, 0xff, sizeof(ones));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_program(&dev, 16, data, 8), 0);
    /* A second program of the unit fails even when it would only clear bits. */
    memset(buf, 0x00, 8);
    assert_int_equal(vflash_program(&dev, 16, buf, 8), BO_ESEMANTICS);
    /* Programming the erased value still uses the unit up. */
    assert_int_equal(vflash_program(&dev, 32, ones, 8), 0);
    assert_int_equal(vflash_program(&dev, 32, data, 8), BO_ESEMANTICS);
    /* A call covering a programmed unit writes nothing at all. */
    assert_int_equal(vflash_program(&dev, 0, data, 24), BO_ESEMANTICS);
    assert_int_equal(vflash_read(&dev, 0, buf, 16), 0);
    assert_true(all_equal(buf, 16, 0xff));
    assert_int_equal(vflash_program(&dev, 0, data, 16), 0);
    /* Erase makes the units programmable again. */
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(vflash_program(&dev, 16, data, 24), 0);
    assert_int_equal(vflash_read(&dev, 16, buf, 24), 0);
    assert_memory_equal(buf, data, 24);
    /* The other sector was untouched by the erase and its units are still free. */
    assert_int_equal(vflash_program(&dev, 2048, data, 8), 0);
    vflash_free(&dev);
}

static void test_ecc_external_map(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 256, 16, 0xff, VFLASH_ECC);
    size_t map_len = vflash_ecc_map_size(&g);
    uint8_t *mem = malloc(512);
    uint8_t *map = calloc(1, map_len);
    uint8_t data[16];
    struct vflash dev;

    (void)state;
    assert_non_null(mem);
    assert_non_null(map);
    assert_int_equal(map_len, 512 / 16 / 8);
    memset(mem, 0xff, 512);
    memset(data, 0x12, sizeof(data));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, mem, 511, map), BO_EINVAL);
    assert_int_equal(vflash_setup(&dev, &g, mem, 512, map), 0);
    assert_int_equal(vflash_program(&dev, 32, data, 16), 0);
    assert_memory_equal(mem + 32, data, 16);
    assert_int_equal(map[0], 1u << 2);
    vflash_free(&dev);
    /* The state outlives the device: a new device over the same regions refuses the unit. */
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, mem, 512, map), 0);
    assert_int_equal(vflash_program(&dev, 32, data, 16), BO_ESEMANTICS);
    vflash_free(&dev);
    /* A map the device allocates over old contents marks non-erased units programmed. */
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, mem, 512, NULL), 0);
    assert_int_equal(vflash_program(&dev, 32, data, 16), BO_ESEMANTICS);
    assert_int_equal(vflash_program(&dev, 48, data, 16), 0);
    vflash_free(&dev);
    free(map);
    free(mem);
}

static void test_no_erase(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 512, 1, 0xff, VFLASH_NO_ERASE);
    struct vflash dev;
    uint8_t v;

    (void)state;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    v = 0x00;
    assert_int_equal(vflash_program(&dev, 7, &v, 1), 0);
    v = 0xa5; /* Bits move both ways: allowed. */
    assert_int_equal(vflash_program(&dev, 7, &v, 1), 0);
    v = 0;
    assert_int_equal(vflash_read(&dev, 7, &v, 1), 0);
    assert_int_equal(v, 0xa5);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(vflash_read(&dev, 7, &v, 1), 0);
    assert_int_equal(v, 0xff);
    vflash_free(&dev);
}

static void test_mixed_sectors(void **state)
{
    struct vflash_geometry g = geom_mixed();
    struct vflash dev;
    uint8_t z[16];

    (void)state;
    memset(z, 0, sizeof(z));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(dev.size, 4 * 16384 + 65536 + 2 * 131072);
    assert_int_equal(dev.sector_count, 7);
    assert_int_equal(dev.sectors[4].off, 0x10000);
    assert_int_equal(dev.sectors[4].size, 0x10000);
    assert_int_equal(dev.sectors[5].off, 0x20000);
    assert_int_equal(dev.sectors[6].off, 0x40000);
    assert_int_equal(vflash_sector_at(&dev, 0), 0);
    assert_int_equal(vflash_sector_at(&dev, 0x3fff), 0);
    assert_int_equal(vflash_sector_at(&dev, 0x4000), 1);
    assert_int_equal(vflash_sector_at(&dev, 0x1ffff), 4);
    assert_int_equal(vflash_sector_at(&dev, 0x5ffff), 6);
    assert_int_equal(vflash_sector_at(&dev, 0x60000), BO_ERANGE);
    assert_true(vflash_is_boundary(&dev, 0x10000));
    assert_true(vflash_is_boundary(&dev, 0x60000));
    assert_false(vflash_is_boundary(&dev, 0x18000));

    /* Dirty every sector, then erase the 16K, 16K and 64K sectors 2..4 in one call. */
    for (uint32_t i = 0; i < dev.sector_count; i++) {
        assert_int_equal(vflash_program(&dev, dev.sectors[i].off, z, sizeof(z)), 0);
    }
    assert_int_equal(vflash_erase(&dev, 0x8000, 0x18000), 0);
    assert_int_equal(dev.stats.erases, 3);
    assert_int_equal(dev.sectors[1].erases, 0);
    assert_int_equal(dev.sectors[2].erases, 1);
    assert_int_equal(dev.sectors[4].erases, 1);
    assert_int_equal(dev.sectors[5].erases, 0);
    assert_true(all_equal(dev.mem + 0x8000, 0x18000, 0xff));
    assert_true(all_equal(dev.mem + 0x4000, 16, 0x00));
    assert_true(all_equal(dev.mem + 0x20000, 16, 0x00));
    /* Each erase took the time of its own sector size. */
    assert_int_equal(dev.stats.busy_ns, 1000 + 1000 + 2000);
    vflash_free(&dev);
}

static void test_errors_change_nothing(void **state)
{
    struct vflash_geometry g = geom_mixed();
    struct vflash dev;
    uint8_t *snap;
    struct vflash_stats stats;
    uint8_t data[64];

    (void)state;
    g.write_unit = 8;
    memset(data, 0x00, sizeof(data));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_program(&dev, 0x100, data, 16), 0);
    snap = malloc(dev.size);
    assert_non_null(snap);
    memcpy(snap, dev.mem, dev.size);
    stats = dev.stats;

    assert_int_equal(vflash_program(&dev, 4, data, 8), BO_EALIGN);
    assert_int_equal(vflash_program(&dev, 8, data, 12), BO_EALIGN);
    assert_int_equal(vflash_program(&dev, dev.size - 8, data, 16), BO_ERANGE);
    assert_int_equal(vflash_program(&dev, dev.size, data, 8), BO_ERANGE);
    assert_int_equal(vflash_program(&dev, 8, data, UINT32_MAX - 7), BO_ERANGE);
    assert_int_equal(vflash_program(&dev, UINT32_MAX - 7, data, 8), BO_ERANGE);
    assert_int_equal(vflash_program(&dev, 0, NULL, 8), BO_EINVAL);
    memset(data, 0xff, 16);
    assert_int_equal(vflash_program(&dev, 0x100, data, 16), BO_ESEMANTICS);
    assert_int_equal(vflash_erase(&dev, 0x2000, 0x4000), BO_EALIGN);
    assert_int_equal(vflash_erase(&dev, 0x4000, 0x2000), BO_EALIGN);
    assert_int_equal(vflash_erase(&dev, 0x40000, 0x40000), BO_ERANGE);
    assert_int_equal(vflash_erase(&dev, UINT32_MAX, 2), BO_ERANGE);
    assert_int_equal(vflash_erase_sector(&dev, 7), BO_ERANGE);
    assert_int_equal(vflash_erase_sector(&dev, UINT32_MAX), BO_ERANGE);
    assert_int_equal(vflash_read(&dev, dev.size - 1, data, 2), BO_ERANGE);
    assert_int_equal(vflash_read(&dev, 0, NULL, 2), BO_EINVAL);
    /* Empty calls are valid and do nothing. */
    assert_int_equal(vflash_program(&dev, 0, NULL, 0), 0);
    assert_int_equal(vflash_erase(&dev, 0x4000, 0), 0);
    assert_int_equal(vflash_read(&dev, dev.size, NULL, 0), 0);

    assert_memory_equal(snap, dev.mem, dev.size);
    assert_int_equal(dev.stats.ops, stats.ops);
    assert_int_equal(dev.stats.programs, stats.programs);
    assert_int_equal(dev.stats.erases, stats.erases);
    free(snap);
    vflash_free(&dev);
}

/* Records the operations the hook sees; cuts power or fails at chosen indexes. */
struct hook_log {
    struct vflash_op ops[32];
    uint8_t first_bytes[32];
    size_t count;
    uint64_t cut_at;  /* UINT64_MAX: never. */
    uint64_t fail_at; /* UINT64_MAX: never. */
};

static int hook_record(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct hook_log *log = arg;

    (void)dev;
    if (log->count < 32) {
        log->ops[log->count] = *op;
        log->first_bytes[log->count] = op->data != NULL ? op->data[0] : 0;
        log->ops[log->count].data = NULL;
        log->count++;
    }
    if (op->index == log->cut_at) {
        return BO_EPOWER;
    }
    if (op->index == log->fail_at) {
        return BO_EIO;
    }
    return 0;
}

static void test_page_split(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 1024, 1, 0xff, VFLASH_NOR);
    struct hook_log log = { .cut_at = UINT64_MAX, .fail_at = UINT64_MAX };
    struct vflash dev;
    uint8_t data[1024];

    (void)state;
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)i;
    }
    g.page_size = 256;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    vflash_set_hook(&dev, hook_record, &log);
    /* 1024 bytes from 0x380: pages 0x380..0x400 (128), three full pages, 0x700..0x780 (128). */
    assert_int_equal(vflash_program(&dev, 0x380, data, 1024), 0);
    assert_int_equal(log.count, 5);
    assert_int_equal(dev.stats.ops, 5);
    assert_int_equal(dev.stats.programs, 5);
    assert_int_equal(log.ops[0].off, 0x380);
    assert_int_equal(log.ops[0].len, 128);
    assert_int_equal(log.ops[0].sector, 0);
    assert_int_equal(log.ops[1].off, 0x400);
    assert_int_equal(log.ops[1].len, 256);
    assert_int_equal(log.ops[1].sector, 1);
    assert_int_equal(log.first_bytes[1], 128);
    assert_int_equal(log.ops[4].off, 0x700);
    assert_int_equal(log.ops[4].len, 128);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(log.ops[i].kind, VFLASH_OP_PROGRAM);
        assert_int_equal(log.ops[i].index, i);
    }
    assert_memory_equal(dev.mem + 0x380, data, 1024);
    /* Without paging one call is one operation. */
    g.page_size = 0;
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    log.count = 0;
    vflash_set_hook(&dev, hook_record, &log);
    assert_int_equal(vflash_program(&dev, 0x380, data, 1024), 0);
    assert_int_equal(log.count, 1);
    assert_int_equal(log.ops[0].len, 1024);
    vflash_free(&dev);
}

static void test_counters(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 1024, 4, 0xff, VFLASH_NOR);
    struct vflash dev;
    uint8_t buf[2048];

    (void)state;
    memset(buf, 0, sizeof(buf));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_read(&dev, 1000, buf, 1100), 0); /* Touches sectors 0, 1 and 2. */
    assert_int_equal(vflash_read(&dev, 3072, buf, 4), 0);
    assert_int_equal(dev.sectors[0].reads, 1);
    assert_int_equal(dev.sectors[1].reads, 1);
    assert_int_equal(dev.sectors[2].reads, 1);
    assert_int_equal(dev.sectors[3].reads, 1);
    assert_int_equal(dev.stats.reads, 2);
    assert_int_equal(dev.stats.bytes_read, 1104);
    assert_int_equal(vflash_program(&dev, 1024, buf, 8), 0);
    assert_int_equal(vflash_program(&dev, 1032, buf, 8), 0);
    assert_int_equal(vflash_erase_sector(&dev, 1), 0);
    assert_int_equal(vflash_erase_sector(&dev, 1), 0);
    assert_int_equal(vflash_erase_sector(&dev, 3), 0);
    assert_int_equal(dev.sectors[1].programs, 2);
    assert_int_equal(dev.sectors[1].erases, 2);
    assert_int_equal(dev.sectors[3].erases, 1);
    assert_int_equal(dev.sectors[0].erases, 0);
    assert_int_equal(dev.stats.programs, 2);
    assert_int_equal(dev.stats.erases, 3);
    assert_int_equal(dev.stats.ops, 5);
    assert_int_equal(dev.stats.bytes_programmed, 16);
    vflash_reset_counters(&dev);
    assert_int_equal(dev.stats.ops, 0);
    assert_int_equal(dev.sectors[1].erases, 0);
    assert_int_equal(dev.sectors[0].reads, 0);
    vflash_free(&dev);
}

static void test_timing(void **state)
{
    struct vflash_geometry g = geom_mixed();
    struct port_clock clock;
    struct vflash dev;
    uint8_t buf[64];

    (void)state;
    g.write_unit = 4;
    g.program_ns_per_unit = 41000;
    g.runs[0].erase_ns = 400000000;
    g.runs[2].erase_ns = 2000000000;
    memset(buf, 0, sizeof(buf));
    port_clock_init_virtual(&clock, 1700000000);
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    vflash_set_clock(&dev, &clock);
    assert_int_equal(vflash_program(&dev, 0, buf, 64), 0);
    assert_int_equal(port_clock_now_ns(&clock), 16 * 41000);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(port_clock_now_ns(&clock), 16 * 41000 + 400000000ull);
    assert_int_equal(vflash_erase_sector(&dev, 6), 0);
    assert_int_equal(port_clock_now_ns(&clock), 16 * 41000 + 2400000000ull);
    assert_int_equal(dev.stats.busy_ns, port_clock_now_ns(&clock));
    /* Reads and refused operations take no time. */
    assert_int_equal(vflash_read(&dev, 0, buf, 64), 0);
    assert_int_equal(vflash_program(&dev, 2, buf, 4), BO_EALIGN);
    assert_int_equal(port_clock_now_ns(&clock), 16 * 41000 + 2400000000ull);
    vflash_set_clock(&dev, NULL);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(port_clock_now_ns(&clock), 16 * 41000 + 2400000000ull);
    vflash_free(&dev);
}

static void test_hook_power_cut(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 1024, 4, 0xff, VFLASH_NOR);
    struct hook_log log = { .cut_at = 3, .fail_at = UINT64_MAX };
    struct vflash dev;
    uint8_t data[1024];
    uint8_t buf[4];

    (void)state;
    memset(data, 0x00, sizeof(data));
    g.page_size = 256;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    vflash_set_hook(&dev, hook_record, &log);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0); /* op 0 */
    /* ops 1, 2 land; op 3 (the third page) is cut; the fourth page is never tried. */
    assert_int_equal(vflash_program(&dev, 0, data, 1024), BO_EPOWER);
    assert_int_equal(log.count, 4);
    assert_int_equal(log.ops[3].index, 3);
    assert_int_equal(log.ops[3].off, 512);
    assert_true(dev.power_lost);
    assert_int_equal(dev.stats.ops, 3);
    assert_true(all_equal(dev.mem, 512, 0x00));
    assert_true(all_equal(dev.mem + 512, 512, 0xff));
    /* Everything is refused until power returns, and the hook is not consulted. */
    assert_int_equal(vflash_program(&dev, 512, data, 4), BO_EPOWER);
    assert_int_equal(vflash_erase_sector(&dev, 1), BO_EPOWER);
    assert_int_equal(vflash_erase(&dev, 0, 1024), BO_EPOWER);
    assert_int_equal(vflash_read(&dev, 0, buf, 4), BO_EPOWER);
    assert_int_equal(log.count, 4);
    assert_int_equal(dev.stats.ops, 3);

    vflash_power_on(&dev);
    assert_false(dev.power_lost);
    log.cut_at = UINT64_MAX;
    assert_int_equal(vflash_program(&dev, 512, data, 512), 0); /* ops 3 and 4. */
    assert_int_equal(log.ops[5].index, 4);
    assert_int_equal(dev.stats.ops, 5);
    assert_true(all_equal(dev.mem, 1024, 0x00));
    vflash_free(&dev);
}

static void test_hook_cut_erase_range(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 1024, 1, 0xff, VFLASH_NOR);
    struct hook_log log = { .cut_at = 2, .fail_at = UINT64_MAX };
    struct vflash dev;
    uint8_t zero[4096];

    (void)state;
    memset(zero, 0, sizeof(zero));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_program(&dev, 0, zero, 4096), 0);
    vflash_reset_counters(&dev);
    vflash_set_hook(&dev, hook_record, &log);
    assert_int_equal(vflash_erase(&dev, 0, 4096), BO_EPOWER);
    assert_int_equal(log.count, 3);
    assert_int_equal(log.ops[2].kind, VFLASH_OP_ERASE);
    assert_int_equal(log.ops[2].sector, 2);
    assert_int_equal(log.ops[2].len, 1024);
    assert_true(all_equal(dev.mem, 2048, 0xff));
    assert_true(all_equal(dev.mem + 2048, 2048, 0x00));
    assert_int_equal(dev.sectors[2].erases, 0);
    vflash_free(&dev);
}

static void test_hook_error(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 256, 1, 0xff, VFLASH_NOR);
    struct hook_log log = { .cut_at = UINT64_MAX, .fail_at = 0 };
    struct vflash dev;
    uint8_t v = 0x12;

    (void)state;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    vflash_set_hook(&dev, hook_record, &log);
    assert_int_equal(vflash_program(&dev, 0, &v, 1), BO_EIO);
    assert_false(dev.power_lost);
    assert_int_equal(dev.mem[0], 0xff);
    assert_int_equal(dev.stats.ops, 0);
    log.fail_at = UINT64_MAX;
    assert_int_equal(vflash_program(&dev, 0, &v, 1), 0);
    assert_int_equal(dev.mem[0], 0x12);
    vflash_free(&dev);
}

static void test_host_write(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 256, 8, 0xff, VFLASH_NOR);
    struct vflash dev;
    uint8_t data[300];
    uint8_t v;

    (void)state;
    memset(data, 0x0f, sizeof(data));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    dev.mem[0] = 0x00;
    dev.mem[511] = 0x00;
    /* Unaligned, across sectors 0 and 1, while power is cut: 0xff to 0x0f only clears bits, so
     * both take the bytes in place and keep the rest. */
    dev.power_lost = true;
    assert_int_equal(vflash_host_write(&dev, 3, data, 300), 0);
    assert_int_equal(dev.mem[0], 0x00);
    assert_true(all_equal(dev.mem + 3, 300, 0x0f));
    assert_int_equal(dev.mem[303], 0xff);
    assert_int_equal(dev.mem[511], 0x00);
    /* 0x0f to 0xf0 needs bits back: sector 1 is erased and rewritten, keeping byte 511. */
    v = 0xf0;
    assert_int_equal(vflash_host_write(&dev, 260, &v, 1), 0);
    assert_int_equal(dev.mem[260], 0xf0);
    assert_int_equal(dev.mem[259], 0x0f);
    assert_int_equal(dev.mem[303], 0xff);
    assert_int_equal(dev.mem[511], 0x00);
    /* Not device operations. */
    assert_int_equal(dev.stats.ops, 0);
    assert_int_equal(dev.sectors[1].erases, 0);
    assert_int_equal(vflash_host_write(&dev, 1020, data, 8), BO_ERANGE);
    assert_int_equal(vflash_host_write(&dev, 0, NULL, 8), BO_EINVAL);
    vflash_free(&dev);

    /* ECC: a rewritten unit needs an erase; the units written count as programmed. */
    g = geom_uniform(2, 256, 8, 0xff, VFLASH_ECC);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_program(&dev, 0, data, 8), 0);
    v = 0x00;
    assert_int_equal(vflash_host_write(&dev, 2, &v, 1), 0);
    assert_int_equal(dev.mem[1], 0x0f);
    assert_int_equal(dev.mem[2], 0x00);
    assert_int_equal(vflash_host_write(&dev, 2, &v, 1), 0); /* Same content: in place. */
    assert_int_equal(vflash_host_write(&dev, 17, &v, 1), 0);
    assert_int_equal(vflash_program(&dev, 16, data, 8), BO_ESEMANTICS);
    assert_int_equal(vflash_program(&dev, 8, data, 8), 0); /* Still erased and free. */
    vflash_free(&dev);
}

/*
 * Wear counts every erase over the device's life (vflash_reset_counters keeps it). With an
 * endurance E (geometry or vflash_set_endurance) the (E + 1)th erase fails with BO_EIO and leaves
 * the sector worn: its erases and programs fail from then on.
 */
static void test_wear(void **state)
{
    struct vflash_geometry g = geom_uniform(4, 1024, 4, 0xff, VFLASH_NOR);
    struct vflash dev;
    uint64_t wear = 0;
    uint8_t data[4] = { 0x11, 0x11, 0x11, 0x11 };

    (void)state;
    g.endurance = 2;
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_erase(&dev, 0, 3 * 1024), 0);
    assert_int_equal(vflash_erase_sector(&dev, 1), 0);
    assert_int_equal(vflash_program(&dev, 1024, data, 4), 0);
    vflash_reset_counters(&dev);
    assert_int_equal(dev.sectors[1].erases, 0);
    assert_int_equal(vflash_sector_wear(&dev, 0, &wear), 0);
    assert_int_equal(wear, 1);
    assert_int_equal(vflash_sector_wear(&dev, 1, &wear), 0);
    assert_int_equal(wear, 2);
    assert_int_equal(vflash_sector_wear(&dev, 3, &wear), 0);
    assert_int_equal(wear, 0);
    /* Sector 1 has had its two erases: a range erase stops there with BO_EIO. */
    assert_int_equal(vflash_erase(&dev, 0, 4 * 1024), BO_EIO);
    assert_int_equal(dev.sectors[0].erases, 1);
    assert_int_equal(dev.sectors[2].erases, 0);
    assert_int_equal(dev.mem[1024], 0x11);
    assert_int_equal(vflash_sector_wear(&dev, 1, &wear), 0);
    assert_int_equal(wear, 3);
    assert_int_equal(vflash_program(&dev, 1028, data, 4), BO_EIO);
    assert_int_equal(vflash_erase_sector(&dev, 1), BO_EIO);
    assert_int_equal(dev.stats.ops, 1);
    /* Other sectors are fine; an aged sector starts worn. */
    assert_int_equal(vflash_program(&dev, 0, data, 4), 0);
    assert_int_equal(vflash_set_sector_wear(&dev, 3, 2), 0);
    assert_int_equal(vflash_erase_sector(&dev, 3), BO_EIO);
    assert_int_equal(vflash_sector_wear(&dev, 9, &wear), BO_ERANGE);
    assert_int_equal(vflash_set_sector_wear(&dev, 9, 0), BO_ERANGE);
    assert_int_equal(vflash_sector_wear(&dev, 0, NULL), BO_EINVAL);
    assert_int_equal(vflash_set_sector_wear(NULL, 0, 0), BO_EINVAL);
    /* Endurance 0 is unlimited. */
    vflash_set_endurance(&dev, 0);
    assert_int_equal(vflash_erase_sector(&dev, 1), 0);
    vflash_free(&dev);
}

/* A host write settles the weak bits it overwrites (in place on a no-erase part; on NOR the
 * sector is erased and rewritten, which settles all of it). */
static void test_host_write_settles_weak(void **state)
{
    struct vflash_geometry g = geom_uniform(2, 1024, 4, 0xff, VFLASH_NO_ERASE);
    struct vflash_cut cut = { 0, VFLASH_CUT_WEAK, 0, 0, 1, 0 };
    struct vflash dev;
    uint8_t data[8];
    uint8_t buf[8];

    (void)state;
    memset(data, 0x00, sizeof(data));
    vflash_init(&dev);
    assert_int_equal(vflash_setup(&dev, &g, NULL, 0, NULL), 0);
    assert_int_equal(vflash_fault_arm_cut(&dev, &cut), 0);
    assert_int_equal(vflash_program(&dev, 0, data, sizeof(data)), BO_EPOWER);
    vflash_power_on(&dev);
    assert_int_equal(vflash_fault_weak_count(&dev), 1);
    assert_int_equal(vflash_host_write(&dev, 0, "\x12\x34\x56\x78", 4), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 1);
    assert_int_equal(vflash_host_write(&dev, 4, "\x9a\xbc\xde\xf0", 4), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    for (int r = 0; r < 4; r++) {
        assert_int_equal(vflash_read(&dev, 0, buf, sizeof(buf)), 0);
        assert_memory_equal(buf, "\x12\x34\x56\x78\x9a\xbc\xde\xf0", 8);
    }
    vflash_free(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry_check),
        cmocka_unit_test(test_setup_erased),
        cmocka_unit_test(test_nor_ff),
        cmocka_unit_test(test_nor_00),
        cmocka_unit_test(test_ecc),
        cmocka_unit_test(test_ecc_external_map),
        cmocka_unit_test(test_no_erase),
        cmocka_unit_test(test_mixed_sectors),
        cmocka_unit_test(test_errors_change_nothing),
        cmocka_unit_test(test_page_split),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_hook_power_cut),
        cmocka_unit_test(test_hook_cut_erase_range),
        cmocka_unit_test(test_hook_error),
        cmocka_unit_test(test_host_write),
        cmocka_unit_test(test_wear),
        cmocka_unit_test(test_host_write_settles_weak),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
