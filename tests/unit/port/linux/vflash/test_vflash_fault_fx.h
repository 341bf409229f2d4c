/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the vflash fault tests share (test_vflash_fault.c: the power-cut models;
 * test_vflash_fault_rates.c: errors, drops and read flips at their rates): the device
 * combinations and a small test device.
 */
#ifndef TESTS_UNIT_PORT_LINUX_VFLASH_TEST_VFLASH_FAULT_FX_H
#define TESTS_UNIT_PORT_LINUX_VFLASH_TEST_VFLASH_FAULT_FX_H

#include <stdint.h>
#include <string.h>

#include "vflash/vflash.h"

/* The six (semantics, erased value) combinations every model is checked on. */
struct combo {
    enum vflash_semantics sem;
    uint8_t erased;
};

static const struct combo combos[] = {
    { VFLASH_NOR, 0xff }, { VFLASH_NOR, 0x00 },      { VFLASH_ECC, 0xff },
    { VFLASH_ECC, 0x00 }, { VFLASH_NO_ERASE, 0xff }, { VFLASH_NO_ERASE, 0x00 },
};
#define COMBOS (sizeof(combos) / sizeof(combos[0]))

#define SECTOR 1024u
#define PAGE 64u
#define WU 8u

/* 4 sectors of 1 KiB, 8-byte write units, pages of page bytes (0: none). */
static inline void dev_open_paged(struct vflash *dev, const struct combo *c, uint32_t page)
{
    struct vflash_geometry g;

    memset(&g, 0, sizeof(g));
    g.runs[0].count = 4;
    g.runs[0].size = SECTOR;
    g.runs[0].erase_ns = 1000;
    g.run_count = 1;
    g.write_unit = WU;
    g.erased_val = c->erased;
    g.semantics = c->sem;
    g.page_size = page;
    g.program_ns_per_unit = 10;
    vflash_init(dev);
    assert_int_equal(vflash_setup(dev, &g, NULL, 0, NULL), 0);
}

/* The usual test device: 64-byte pages. */
static inline void dev_open(struct vflash *dev, const struct combo *c)
{
    dev_open_paged(dev, c, PAGE);
}

/* Bits set in v. */
static inline int popcount8(uint8_t v)
{
    int n = 0;

    for (; v != 0; v &= (uint8_t)(v - 1)) {
        n++;
    }
    return n;
}

#endif /* TESTS_UNIT_PORT_LINUX_VFLASH_TEST_VFLASH_FAULT_FX_H */
