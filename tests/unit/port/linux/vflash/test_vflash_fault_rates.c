/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the vflash faults other than power cuts: program and erase errors, silent drops and
 * read flips, each at its rate, in its region, reproducible from its seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

#include "test_vflash_fault_fx.h"

/* Injected program and erase errors: at the rate, only in the region, reproducible, harmless. */
static void test_error_rates(void **state)
{
    struct vflash_fault_config cfg;
    struct vflash_fault_stats st;
    uint8_t pattern[2][256];
    uint8_t data[WU];

    (void)state;
    memset(data, 0x00, sizeof(data));
    for (int rep = 0; rep < 2; rep++) {
        struct vflash dev;
        int fails = 0;

        dev_open(&dev, &combos[4]); /* No-erase: any rewrite allowed. */
        memset(&cfg, 0, sizeof(cfg));
        cfg.seed = 2024;
        cfg.program_error = (struct vflash_fault_rate){ SECTOR, SECTOR, 4 };
        cfg.erase_error = (struct vflash_fault_rate){ 2 * SECTOR, 0, 2 };
        assert_int_equal(vflash_fault_configure(&dev, &cfg), 0);
        for (int i = 0; i < 256; i++) {
            uint64_t ops = dev.stats.ops;
            int rc;

            data[0] = (uint8_t)i;
            assert_int_equal(vflash_program(&dev, 0, data, WU), 0);
            rc = vflash_program(&dev, SECTOR + (uint32_t)(i % 128) * WU, data, WU);
            pattern[rep][i] = (uint8_t)(rc != 0);
            if (rc != 0) {
                assert_int_equal(rc, BO_EIO);
                assert_int_equal(dev.stats.ops, ops + 1);
                fails++;
            } else {
                assert_int_equal(dev.mem[SECTOR + (uint32_t)(i % 128) * WU], (uint8_t)i);
            }
        }
        assert_in_range(fails, 40, 90);
        fails = 0;
        for (int i = 0; i < 100; i++) {
            assert_int_equal(vflash_erase_sector(&dev, 1), 0);
            fails += vflash_erase_sector(&dev, 2 + (uint32_t)(i % 2)) == BO_EIO;
        }
        assert_in_range(fails, 30, 70);
        vflash_fault_get_stats(&dev, &st);
        assert_int_equal(st.erase_errors, (uint64_t)fails);
        vflash_free(&dev);
    }
    assert_memory_equal(pattern[0], pattern[1], 256);
}

/* Silent drops: at the rate, only in the region, and nothing of a dropped program lands. */
static void test_drop(void **state)
{
    struct vflash_fault_config cfg;
    struct vflash_fault_stats st;
    uint8_t data[WU];
    bool lost[SECTOR / WU];
    int dropped = 0;

    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        struct vflash dev;

        dev_open(&dev, &combos[ci]);
        memset(&cfg, 0, sizeof(cfg));
        cfg.seed = 1;
        cfg.drop = (struct vflash_fault_rate){ 0, SECTOR, 3 };
        assert_int_equal(vflash_fault_configure(&dev, &cfg), 0);
        memset(data, combos[ci].erased ^ 0x81, WU);
        memset(lost, 0, sizeof(lost));
        dropped = 0;
        for (uint32_t u = 0; u < 2 * SECTOR / WU; u++) {
            uint64_t ops = dev.stats.ops;

            assert_int_equal(vflash_program(&dev, u * WU, data, WU), 0);
            assert_int_equal(dev.stats.ops, ops + 1);
            if (dev.mem[u * WU] == combos[ci].erased) {
                assert_true(u < SECTOR / WU);
                lost[u] = true;
                dropped++;
            } else {
                assert_memory_equal(dev.mem + u * WU, data, WU);
            }
        }
        vflash_fault_get_stats(&dev, &st);
        assert_in_range(dropped, 20, 70);
        assert_int_equal(st.drops, (uint64_t)dropped);
        /* Nothing of a dropped program landed: even an ECC unit is still programmable. */
        memset(&cfg, 0, sizeof(cfg));
        assert_int_equal(vflash_fault_configure(&dev, &cfg), 0);
        for (uint32_t u = 0; u < SECTOR / WU; u++) {
            if (lost[u]) {
                assert_int_equal(vflash_program(&dev, u * WU, data, WU), 0);
                assert_memory_equal(dev.mem + u * WU, data, WU);
            }
        }
        vflash_free(&dev);
    }
}

/* Read flips: exactly one bit of the region's bytes per hit; flash is unchanged. */
static void test_read_flip(void **state)
{
    struct vflash_fault_config cfg;
    struct vflash_fault_stats st;
    uint8_t buf[SECTOR];
    int flipped = 0;
    struct vflash dev;

    (void)state;
    dev_open(&dev, &combos[0]);
    memset(&cfg, 0, sizeof(cfg));
    cfg.seed = 5;
    cfg.read_flip = (struct vflash_fault_rate){ 100, 10, 2 };
    assert_int_equal(vflash_fault_configure(&dev, &cfg), 0);
    for (int r = 0; r < 200; r++) {
        int bits = 0;

        assert_int_equal(vflash_read(&dev, 0, buf, SECTOR), 0);
        for (uint32_t i = 0; i < SECTOR; i++) {
            if (buf[i] != 0xff) {
                assert_in_range(i, 100, 109);
                bits += popcount8((uint8_t)~buf[i]);
            }
        }
        assert_in_range(bits, 0, 1);
        flipped += bits;
        assert_int_equal(vflash_read(&dev, 200, buf, 100), 0);
        assert_true(buf[0] == 0xff && buf[99] == 0xff);
    }
    assert_in_range(flipped, 70, 130);
    vflash_fault_get_stats(&dev, &st);
    assert_int_equal(st.read_flips, (uint64_t)flipped);
    for (uint32_t i = 0; i < SECTOR; i++) {
        assert_int_equal(dev.mem[i], 0xff);
    }
    vflash_free(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_rates),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_read_flip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
