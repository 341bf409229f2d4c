/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Overwrite-only: every scenario on every matrix board, a power cut before every flash
 * operation of an upgrade (overwrite-only cannot revert), a permanent upgrade on each real
 * board file, and what a secondary whose header says NON_BOOTABLE is left as.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "boot/image.h"
#include "boot/trailer.h"
#include "flash_map_backend/flash_map_backend.h"
#include "support/boot_fixture.h"
#include "support/boot_scenarios.h"
#include "sysflash/sysflash.h"

#define MODE BOOT_MODE_OVERWRITE

static void test_matrix(void **state)
{
    int passed;
    int skipped;
    int failed;

    (void)state;
    failed = bs_run_matrix(MODE, &passed, &skipped);
    printf("overwrite matrix: %d passed, %d skipped, %d failed\n", passed, skipped, failed);
    assert_int_equal(failed, 0);
    assert_true(passed > 100);
}

static void test_power_cut_upgrade(void **state)
{
    int cuts;
    int failed;

    (void)state;
    failed = bs_power_sweep(bs_boards()[0], 4, 0xff, MODE, 0, &cuts);
    printf("overwrite upgrade: %d cut points, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(cuts > 20);
}

static void test_power_cut_mixed_sectors(void **state)
{
    int cuts;
    int failed;

    (void)state;
    failed = bs_power_sweep(bs_boards()[1], 1, 0x00, MODE, 0, &cuts);
    printf("overwrite mixed sectors: %d cut points, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
    assert_true(cuts > 20);
}

static void test_power_cut_depth2(void **state)
{
    int cuts;
    int failed;

    (void)state;
    /* A second cut during the recovery of each first cut, sampled. */
    failed = bs_power_sweep2(bs_boards()[0], 4, 0xff, MODE, 0, 17, &cuts);
    printf("overwrite depth 2 upgrade: %d pairs, %d failed\n", cuts, failed);
    assert_int_equal(failed, 0);
}

/*
 * Shipped boards whose board file claims this mode but that cannot run it yet, each with the
 * reason. A listed board that runs (passes or fails) fails test_board_files: remove it then.
 */
static const struct bs_known_failure known_failing[] = {
    { NULL, NULL },
};

/* Every shipped board file that claims the mode runs a permanent upgrade in it. */
static void test_board_files(void **state)
{
    int boards;
    int failed;

    (void)state;
    failed = bs_claimed_board_files(MODE, known_failing, &boards);
    printf("overwrite board files: %d claim the mode, %d failed\n", boards, failed);
    assert_int_equal(failed, 0);
    assert_true(boards > 0);
}

/* The magic of the header at the start of the image 0 secondary. */
static uint32_t secondary_header_magic(void)
{
    const struct flash_area *fa;
    uint8_t raw[4];

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SECONDARY(0), &fa), 0);
    assert_int_equal(flash_area_read(fa, 0, raw, sizeof(raw)), 0);
    flash_area_close(fa);
    return (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 |
           (uint32_t)raw[3] << 24;
}

/*
 * A test upgrade requested for a secondary whose header has IMAGE_F_NON_BOOTABLE, on the ECC
 * board: v1 keeps running and the request goes. A non-bootable image that validates is kept;
 * one that does not (what a cut erase of the slot's first sector can leave: header bits moved
 * toward the erased value raise the flag over a half-erased image) is erased like any bad image,
 * so no half image stays behind.
 */
static void check_non_bootable(bool corrupt)
{
    struct board b;
    struct bf f;
    struct bf_image img;
    struct boot_rsp rsp;
    struct boot_swap_state sec;

    assert_int_equal(bf_board_file(&b, "stm32h7"), 0);
    assert_int_equal(bf_start(&f, &b, MODE, 1), 0);
    bf_image_init(&img, 1, 0, 0, 3000);
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    bf_image_init(&img, 2, 0, 0, 3000);
    img.non_bootable = true;
    img.corrupt = corrupt;
    assert_int_equal(bf_install(&f, 0, 1, &img), 0);
    assert_int_equal(bf_set_pending(&f, 0, false), 0);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.version.major, 1);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_SECONDARY(0), &sec), 0);
    assert_int_equal(sec.magic, TRAILER_MAGIC_UNSET);
    if (corrupt) {
        assert_int_not_equal(secondary_header_magic(), IMAGE_MAGIC);
    } else {
        assert_int_equal(secondary_header_magic(), IMAGE_MAGIC);
    }
    /* A further boot changes nothing and runs v1. */
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.version.major, 1);
    bf_stop(&f);
}

static void test_non_bootable_kept(void **state)
{
    (void)state;
    check_non_bootable(false);
}

static void test_non_bootable_corrupt_erased(void **state)
{
    (void)state;
    check_non_bootable(true);
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
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_power_cut_upgrade),
        cmocka_unit_test(test_power_cut_mixed_sectors),
        cmocka_unit_test(test_power_cut_depth2),
        cmocka_unit_test(test_board_files),
        cmocka_unit_test(test_non_bootable_kept),
        cmocka_unit_test(test_non_bootable_corrupt_erased),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
