/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the fault-model assumptions of vflash: what a torn ECC unit reads back as
 * (vflash_fault_set_ecc_torn()) and the levels of torn-bits and weak (vflash_cut.level).
 */
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

#include "test_vflash_fault_fx.h"

static const struct combo ecc = { VFLASH_ECC, 0xff };
static const struct combo nor = { VFLASH_NOR, 0xff };

/* Programs sector 0 with a pattern, then cuts its erase at 500 permille. */
static void tear_sector0(struct vflash *dev, const struct combo *c, uint8_t *stored)
{
    struct vflash_cut cut;
    uint8_t data[SECTOR];

    dev_open(dev, c);
    for (uint32_t i = 0; i < SECTOR; i++) {
        data[i] = (uint8_t)(i * 7 + 1);
    }
    assert_int_equal(vflash_program(dev, 0, data, SECTOR), 0);
    memset(&cut, 0, sizeof(cut));
    cut.op_index = dev->stats.ops;
    cut.model = VFLASH_CUT_ERASE_PARTIAL;
    cut.units = VFLASH_CUT_SEEDED;
    cut.permille = 500;
    cut.seed = 11;
    assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
    assert_int_equal(vflash_erase(dev, 0, SECTOR), BO_EPOWER);
    vflash_power_on(dev);
    memcpy(stored, dev->mem, SECTOR);
}

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < VFLASH_ECC_TORN_COUNT; i++) {
        assert_int_equal(vflash_ecc_torn_parse(vflash_ecc_torn_name((enum vflash_ecc_torn)i)), i);
    }
    assert_string_equal(vflash_ecc_torn_name(VFLASH_ECC_TORN_ERASED), "erased");
    assert_int_equal(vflash_ecc_torn_parse("garbled"), BO_EINVAL);
    assert_int_equal(vflash_ecc_torn_parse(NULL), BO_EINVAL);
}

/* The default (erased) returns the stored bytes; every unit of the half-erased sector is torn. */
static void test_erased_default(void **state)
{
    struct vflash dev;
    uint8_t stored[SECTOR];
    uint8_t buf[SECTOR];
    uint32_t torn = 0;

    (void)state;
    tear_sector0(&dev, &ecc, stored);
    for (uint32_t u = 0; u < SECTOR / WU; u++) {
        torn += vflash_fault_unit_torn(&dev, u) ? 1u : 0u;
    }
    assert_true(torn > SECTOR / WU / 2);
    assert_false(vflash_fault_unit_torn(&dev, SECTOR / WU));
    assert_int_equal(vflash_read(&dev, 0, buf, SECTOR), 0);
    assert_memory_equal(buf, stored, SECTOR);
    vflash_free(&dev);
}

static void test_read_error(void **state)
{
    struct vflash dev;
    uint8_t stored[SECTOR];
    uint8_t buf[SECTOR];
    uint32_t u = 0;

    (void)state;
    tear_sector0(&dev, &ecc, stored);
    assert_int_equal(vflash_fault_set_ecc_torn(&dev, VFLASH_ECC_TORN_READ_ERROR, 0), 0);
    while (u < SECTOR / WU && !vflash_fault_unit_torn(&dev, u)) {
        u++;
    }
    assert_true(u < SECTOR / WU);
    assert_int_equal(vflash_read(&dev, u * WU + 1, buf, 1), BO_EIO);
    assert_int_equal(vflash_read(&dev, 0, buf, SECTOR), BO_EIO);
    /* Another sector reads; an erase of the torn one ends its torn units. */
    assert_int_equal(vflash_read(&dev, SECTOR, buf, SECTOR), 0);
    assert_int_equal(vflash_erase(&dev, 0, SECTOR), 0);
    assert_false(vflash_fault_unit_torn(&dev, u));
    assert_int_equal(vflash_read(&dev, 0, buf, SECTOR), 0);
    vflash_free(&dev);
}

static void test_garbage(void **state)
{
    struct vflash dev;
    uint8_t stored[SECTOR];
    uint8_t a[SECTOR];
    uint8_t b[SECTOR];
    uint32_t differ = 0;

    (void)state;
    tear_sector0(&dev, &ecc, stored);
    assert_int_equal(vflash_fault_set_ecc_torn(&dev, VFLASH_ECC_TORN_GARBAGE, 5), 0);
    assert_int_equal(vflash_read(&dev, 0, a, SECTOR), 0);
    assert_int_equal(vflash_read(&dev, 0, b, SECTOR), 0);
    assert_memory_equal(a, b, SECTOR);
    for (uint32_t u = 0; u < SECTOR / WU; u++) {
        if (!vflash_fault_unit_torn(&dev, u)) {
            assert_memory_equal(a + u * WU, stored + u * WU, WU);
        } else if (memcmp(a + u * WU, stored + u * WU, WU) != 0) {
            differ++;
        }
    }
    assert_true(differ > SECTOR / WU / 2);
    /* A partial read gets the same bytes as the whole; another seed other bytes. */
    assert_int_equal(vflash_read(&dev, 3, b, 10), 0);
    assert_memory_equal(b, a + 3, 10);
    assert_int_equal(vflash_fault_set_ecc_torn(&dev, VFLASH_ECC_TORN_GARBAGE, 6), 0);
    assert_int_equal(vflash_read(&dev, 0, b, SECTOR), 0);
    assert_memory_not_equal(a, b, SECTOR);
    vflash_fault_clear_torn(&dev);
    assert_int_equal(vflash_read(&dev, 0, b, SECTOR), 0);
    assert_memory_equal(b, stored, SECTOR);
    vflash_free(&dev);
}

/* A NOR part has no ECC: no torn units, whatever the setting. */
static void test_nor_untouched(void **state)
{
    struct vflash dev;
    uint8_t stored[SECTOR];
    uint8_t buf[SECTOR];

    (void)state;
    tear_sector0(&dev, &nor, stored);
    assert_int_equal(vflash_fault_set_ecc_torn(&dev, VFLASH_ECC_TORN_READ_ERROR, 0), 0);
    assert_false(vflash_fault_unit_torn(&dev, 0));
    assert_int_equal(vflash_read(&dev, 0, buf, SECTOR), 0);
    assert_memory_equal(buf, stored, SECTOR);
    assert_int_equal(vflash_fault_set_ecc_torn(&dev, VFLASH_ECC_TORN_COUNT, 0), BO_EINVAL);
    vflash_free(&dev);
}

/* Cuts a one-page program of all-zero bytes over erased NOR with model at level. */
static uint32_t cut_program(enum vflash_cut_model model, uint32_t level, struct vflash *dev)
{
    struct vflash_cut cut;
    uint8_t zero[PAGE];
    uint8_t buf[PAGE];
    uint32_t zeros = 0;

    dev_open(dev, &nor);
    memset(zero, 0, sizeof(zero));
    memset(&cut, 0, sizeof(cut));
    cut.model = model;
    cut.units = VFLASH_CUT_SEEDED;
    cut.permille = VFLASH_CUT_SEEDED;
    cut.seed = 3;
    cut.level = level;
    assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
    assert_int_equal(vflash_program(dev, 0, zero, PAGE), BO_EPOWER);
    vflash_power_on(dev);
    memcpy(buf, dev->mem, PAGE);
    for (uint32_t i = 0; i < PAGE; i++) {
        zeros += (uint32_t)(8 - popcount8(buf[i]));
    }
    return zeros;
}

/* torn-bits at a level: about level/1000 of the 512 changing bits end new. */
static void test_torn_bits_levels(void **state)
{
    struct vflash dev;
    struct vflash_cut bad;

    (void)state;
    assert_int_equal(cut_program(VFLASH_CUT_TORN_BITS, 1000, &dev), PAGE * 8);
    vflash_free(&dev);
    assert_in_range(cut_program(VFLASH_CUT_TORN_BITS, 5, &dev), 0, 12);
    vflash_free(&dev);
    assert_in_range(cut_program(VFLASH_CUT_TORN_BITS, 995, &dev), PAGE * 8 - 12, PAGE * 8 - 1);
    vflash_free(&dev);
    assert_in_range(cut_program(VFLASH_CUT_TORN_BITS, 0, &dev), 180, 330);
    memset(&bad, 0, sizeof(bad));
    bad.level = 1001;
    assert_int_equal(vflash_fault_arm_cut(&dev, &bad), BO_EINVAL);
    vflash_free(&dev);
}

/* weak at a level: about level/1000 of the changed bits stay unstable. */
static void test_weak_levels(void **state)
{
    uint32_t unstable[3];
    const uint32_t levels[3] = { 0, 1000, 5 };
    struct vflash_weak_info info;

    (void)state;
    for (int i = 0; i < 3; i++) {
        struct vflash dev;
        uint32_t bits = 0;

        cut_program(VFLASH_CUT_WEAK, levels[i], &dev);
        assert_int_equal(vflash_fault_weak_get(&dev, 0, &info), 0);
        for (uint32_t b = 0; b < info.len; b++) {
            bits += (uint32_t)popcount8((uint8_t)(info.old[b] ^ info.intended[b]));
        }
        unstable[i] = bits;
        vflash_free(&dev);
    }
    assert_int_equal(unstable[0], PAGE * 8);
    assert_int_equal(unstable[1], PAGE * 8);
    assert_in_range(unstable[2], 0, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),         cmocka_unit_test(test_erased_default),
        cmocka_unit_test(test_read_error),    cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_nor_untouched), cmocka_unit_test(test_torn_bits_levels),
        cmocka_unit_test(test_weak_levels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
