/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/boot/sectors.c on its own: sector spans and trailer counts of a table, the common
 * boundaries of two slots with mixed sector sizes and the swap-using-scratch steps built on
 * them, the compatibility of a geometry with each mode (and its reason), and the largest image
 * each mode can install. Expected values are worked out by hand from the board below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "boot/loader_int.h"
#include "boot/sectors.h"
#include "support/boot_fixture.h"

/*
 * Mixed sectors: the primary (64 KiB) is 4x8K then 8x4K; the secondary (64 KiB) is 16x4K; the
 * scratch area is 16 KiB. The slots' common boundaries are the primary's.
 */
static const char mixed_ini[] =
    "[board]\nname = mixed\n"
    "[flash internal]\nsectors = 4x8K, 28x4K\nwrite-unit = 4\nerased-value = 0xff\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x20000\nsize = 0x4000\n";

/* The same with a 4 KiB scratch area: the 8 KiB units do not fit. */
static const char small_scratch_ini[] =
    "[board]\nname = small\n"
    "[flash internal]\nsectors = 4x8K, 28x4K\nwrite-unit = 4\nerased-value = 0xff\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x20000\nsize = 0x1000\n";

/* Uniform 4 KiB sectors: a 16-sector primary and a 17-sector secondary. */
static const char uneven_ini[] =
    "[board]\nname = uneven\n"
    "[flash internal]\nsectors = 40x4K\nwrite-unit = 4\nerased-value = 0xff\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x11000\n"
    "[partition scratch]\noffset = 0x21000\nsize = 0x2000\n";

/* Starts the fixture on a board in mode and makes image 0 the current image of a new state. */
static struct boot_loader_state *open_image(struct bf *f, const char *ini, enum boot_mode mode)
{
    struct boot_loader_state *st = calloc(1, sizeof(*st));
    struct board b;

    assert_non_null(st);
    assert_int_equal(bf_board_text(&b, ini), 0);
    assert_int_equal(bf_start(f, &b, mode, 1), 0);
    st->cfg = f->cfg;
    assert_int_equal(boot_image_open(st, 0), 0);
    return st;
}

static void close_image(struct bf *f, struct boot_loader_state *st)
{
    boot_image_close(st);
    free(st);
    bf_stop(f);
}

static void test_span_and_trailer_count(void **state)
{
    const struct flash_sector t[4] = {
        { 0x0, 0x4000 }, { 0x4000, 0x4000 }, { 0x8000, 0x1000 }, { 0x9000, 0x1000 }
    };

    (void)state;
    assert_int_equal(sectors_span(t, 0, 4), 0xa000);
    assert_int_equal(sectors_span(t, 1, 2), 0x5000);
    assert_int_equal(sectors_span(t, 3, 0), 0);
    assert_int_equal(sectors_trailer_count(t, 4, 1), 1);
    assert_int_equal(sectors_trailer_count(t, 4, 0x1000), 1);
    assert_int_equal(sectors_trailer_count(t, 4, 0x1001), 2);
    assert_int_equal(sectors_trailer_count(t, 4, 0x2001), 3);
    /* Larger than the table: all of it. */
    assert_int_equal(sectors_trailer_count(t, 4, 0x20000), 4);
}

static void test_load(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, mixed_ini, BOOT_MODE_SWAP_SCRATCH);

    (void)state;
    assert_int_equal(st->sect.n_pri, 12);
    assert_int_equal(st->sect.n_sec, 16);
    assert_int_equal(st->sect.n_scr, 4);
    assert_int_equal(st->sect.pri[3].fs_size, 0x2000);
    assert_int_equal(st->sect.pri[4].fs_off, 0x8000);
    assert_int_equal(st->sect.pri[4].fs_size, 0x1000);
    assert_int_equal(sectors_span(st->sect.pri, 0, st->sect.n_pri), 0x10000);
    close_image(&f, st);
}

static void test_common_boundaries(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, mixed_ini, BOOT_MODE_SWAP_SCRATCH);
    uint32_t next = 0;

    (void)state;
    assert_int_equal(sectors_common_next(st, 0, &next), 0);
    assert_int_equal(next, 0x2000);
    assert_int_equal(sectors_common_next(st, 0x1000, &next), 0);
    assert_int_equal(next, 0x2000);
    assert_int_equal(sectors_common_next(st, 0x8000, &next), 0);
    assert_int_equal(next, 0x9000);
    assert_int_equal(sectors_common_next(st, 0xf000, &next), 0);
    assert_int_equal(next, 0x10000);
    assert_int_equal(sectors_common_next(st, 0x10000, &next), BO_ERANGE);
    /* Steps of at most 16 KiB from the top: 4 units of 4K, then 8K + 8K. */
    assert_int_equal(sectors_region_start(st, 0x10000), 0xc000);
    assert_int_equal(sectors_region_start(st, 0xc000), 0x8000);
    assert_int_equal(sectors_region_start(st, 0x8000), 0x4000);
    assert_int_equal(sectors_region_start(st, 0x4000), 0x0);
    /* The trailers (below 4 KiB here) start in the last 4 KiB sector of both slots. */
    assert_true(st->lay_pri.trailer_sz <= 0x1000);
    assert_int_equal(sectors_trailer_floor(st), 0xf000);
    close_image(&f, st);
}

static void test_compatible(void **state)
{
    struct bf f;
    struct boot_loader_state *st;
    const char *why = NULL;

    (void)state;
    st = open_image(&f, mixed_ini, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(sectors_compatible(st, &why), 1);
    assert_null(why);
    close_image(&f, st);

    st = open_image(&f, small_scratch_ini, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(sectors_compatible(st, &why), 0);
    assert_string_equal(why, "not all sectors fit inside scratch");
    close_image(&f, st);

    st = open_image(&f, mixed_ini, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(sectors_compatible(st, &why), 0);
    assert_string_equal(why, "not the same sector layout (one sector size needed)");
    assert_int_equal(sectors_compatible(st, NULL), 0);
    close_image(&f, st);

    st = open_image(&f, uneven_ini, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(sectors_compatible(st, &why), 0);
    assert_string_equal(why, "not a compatible amount of sectors (primary = secondary or + 1)");
    close_image(&f, st);

    st = open_image(&f, uneven_ini, BOOT_MODE_OVERWRITE);
    assert_int_equal(sectors_compatible(st, &why), 0);
    assert_string_equal(why, "slots differ in size");
    close_image(&f, st);

    st = open_image(&f, uneven_ini, BOOT_MODE_SWAP_OFFSET);
    assert_int_equal(sectors_compatible(st, &why), 1);
    st->cfg.max_sectors = 16;
    assert_int_equal(sectors_compatible(st, &why), 0);
    assert_string_equal(why, "more sectors than allowed");
    close_image(&f, st);
}

static void test_max_image_size(void **state)
{
    struct bf f;
    struct boot_loader_state *st;

    (void)state;
    /* Offset: the primary keeps its 1 trailer sector (15 left), the secondary its trailer
     * sector and the first one (15 left). */
    st = open_image(&f, uneven_ini, BOOT_MODE_SWAP_OFFSET);
    assert_int_equal(sectors_max_image_size(st), 15u * 0x1000);
    close_image(&f, st);

    /* Scratch: the slot less the larger trailer. */
    st = open_image(&f, mixed_ini, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(sectors_max_image_size(st), 0x10000 - st->lay_pri.trailer_sz);
    close_image(&f, st);

    /* Move with 16 sectors in both slots (the secondary's table cut to its first 16). */
    st = open_image(&f, uneven_ini, BOOT_MODE_SWAP_MOVE);
    st->sect.n_sec = 16;
    /* The primary keeps a trailer sector and a free one (14), the secondary a trailer
     * sector (15). */
    assert_int_equal(sectors_max_image_size(st), 14u * 0x1000);
    close_image(&f, st);
}

static int setup(void **state)
{
    (void)state;
    return bf_global_setup();
}

static int teardown(void **state)
{
    (void)state;
    bf_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_and_trailer_count), cmocka_unit_test(test_load),
        cmocka_unit_test(test_common_boundaries),      cmocka_unit_test(test_compatible),
        cmocka_unit_test(test_max_image_size),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
