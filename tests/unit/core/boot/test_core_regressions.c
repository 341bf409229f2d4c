/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regression tests of the core bugs the power-fail sweep found (issue 4), on the bootloader
 * and the application API directly (the replay IDs themselves are in test_sweep.c):
 * - a weak image_ok unit left by a cut request must be programmed again by the retry;
 * - overwrite-only with downgrade prevention: a cut anywhere in the upgrade, and a copy torn
 *   in its first page (a header with an erased version), still end on the new image;
 * - swap-using-move and swap-using-offset with downgrade prevention: a cut anywhere in a
 *   revert still ends on the old image, confirmed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "support/boot_fixture.h"
#include "sysflash/sysflash.h"
#include "vflash/vflash_fault.h"

/* Payload of the test images: a few sectors, so a sweep of every operation stays short. */
#define TEST_PAYLOAD 9000u

static void start(struct bf *f, const char *board, enum boot_mode mode, bool downgrade)
{
    struct board b;

    assert_int_equal(bf_board_file(&b, board), 0);
    assert_int_equal(bf_start(f, &b, mode, 1), 0);
    f->cfg.downgrade_version = downgrade;
}

static void install(struct bf *f, int slot, uint8_t major)
{
    struct bf_image img;

    bf_image_init(&img, major, 0, 0, TEST_PAYLOAD);
    img.seed = major;
    assert_int_equal(bf_install(f, 0, slot, &img), 0);
}

static size_t weak_regions(const struct bf *f)
{
    size_t n = 0;
    uint32_t i;

    for (i = 0; i < f->map.device_count; i++) {
        if (f->map.devices[i] != NULL) {
            n += vflash_fault_weak_count(f->map.devices[i]);
        }
    }
    return n;
}

/* Boots and checks the major version that runs. */
static void boot_expect(struct bf *f, uint8_t major)
{
    struct boot_rsp rsp;

    assert_int_equal(bf_boot(f, &rsp), 0);
    assert_int_equal(rsp.version.major, major);
}

static void test_weak_request_settles(void **state)
{
    static const enum boot_mode modes[] = {
        BOOT_MODE_SWAP_MOVE,
        BOOT_MODE_SWAP_OFFSET,
        BOOT_MODE_OVERWRITE,
        BOOT_MODE_SWAP_SCRATCH,
    };
    static const char *const boards[] = { "nrf52840-erased0", "nrf52840" };
    struct boot_swap_state st;
    struct bf f;
    size_t m;
    size_t b;
    uint64_t seed;

    (void)state;
    for (b = 0; b < sizeof(boards) / sizeof(boards[0]); b++) {
        for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
            for (seed = 1; seed <= 8; seed++) {
                start(&f, boards[b], modes[m], false);
                install(&f, 0, 1);
                install(&f, 1, 2);
                /* The request's first program (image_ok) is cut weak. */
                bf_reset_ops(&f);
                bf_cut_model_at(&f, 0, VFLASH_CUT_WEAK, seed);
                assert_int_equal(bf_set_pending(&f, 0, true), BO_EPOWER);
                bf_power_on(&f);
                assert_true(weak_regions(&f) > 0);
                /* The retry programs the weak unit again, which settles it. */
                assert_int_equal(bf_set_pending(&f, 0, true), 0);
                assert_int_equal(weak_regions(&f), 0);
                assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_SECONDARY(0), &st), 0);
                assert_int_equal(st.image_ok, BOOT_FLAG_SET);
                assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
                boot_expect(&f, 2);
                boot_expect(&f, 2);
                if (modes[m] != BOOT_MODE_OVERWRITE) {
                    /* The upgrade is recorded as permanent. */
                    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &st), 0);
                    assert_int_equal(st.image_ok, BOOT_FLAG_SET);
                    assert_int_equal(st.swap_type, BOOT_SWAP_TYPE_PERM);
                }
                bf_stop(&f);
            }
        }
    }
}

/*
 * Cuts the boot that starts from snap at every operation with each model, then powers on and
 * boots twice: both boots must run `major`. Returns the number of cut points.
 */
static int cut_every_op(struct bf *f, struct bf_snap *snap, uint8_t major)
{
    static const enum vflash_cut_model models[] = {
        VFLASH_CUT_BEFORE,
        VFLASH_CUT_AFTER,
        VFLASH_CUT_TORN_PREFIX,
        VFLASH_CUT_TORN_BITS,
    };
    struct boot_rsp rsp;
    uint64_t total;
    uint64_t n;
    size_t m;
    int points = 0;

    bf_reset_ops(f);
    assert_int_equal(bf_boot(f, &rsp), 0);
    assert_int_equal(rsp.version.major, major);
    total = f->ops;
    for (n = 0; n < total; n++) {
        for (m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
            int rc;

            bf_restore(f, snap);
            bf_reset_ops(f);
            bf_cut_model_at(f, (int64_t)n, models[m], 0x5eed0000u + n * 8u + m);
            rc = bf_boot(f, &rsp);
            bf_cut_model_at(f, -1, VFLASH_CUT_BEFORE, 0);
            bf_power_on(f);
            if (rc != BO_EPOWER) {
                fail_msg("op %llu model %zu: the cut was not reached (%d)", (unsigned long long)n,
                         m, rc);
            }
            rc = bf_boot(f, &rsp);
            if (rc != 0 || rsp.version.major != major) {
                fail_msg("op %llu of %llu model %zu: boot %d runs %u, want %u",
                         (unsigned long long)n, (unsigned long long)total, m, rc, rsp.version.major,
                         major);
            }
            boot_expect(f, major);
            points++;
        }
    }
    return points;
}

static void test_overwrite_cut_with_downgrade_prevention(void **state)
{
    struct bf_snap snap;
    struct bf f;
    int points;

    (void)state;
    start(&f, "nrf52840", BOOT_MODE_OVERWRITE, true);
    install(&f, 0, 1);
    install(&f, 1, 2);
    assert_int_equal(bf_set_pending(&f, 0, true), 0);
    assert_int_equal(bf_snapshot(&f, &snap), 0);
    points = cut_every_op(&f, &snap, 2);
    printf("  overwrite upgrade: %d cut points\n", points);
    assert_true(points > 40);
    bf_snap_free(&snap);
    bf_stop(&f);
}

/*
 * The sweep's point (bo1:perm:overwrite:nrf52840:d:1:55:torn-prefix:4:...): the copy's first
 * program torn after 16 bytes, the primary erased otherwise. The header reads with the image
 * magic and an erased version; that must not count as a newer image.
 */
static void test_overwrite_torn_header(void **state)
{
    struct bf_image img;
    struct bf f;
    uint8_t *bytes = NULL;
    size_t len = 0;

    (void)state;
    start(&f, "nrf52840", BOOT_MODE_OVERWRITE, true);
    install(&f, 0, 1);
    install(&f, 1, 2);
    assert_int_equal(bf_set_pending(&f, 0, true), 0);
    bf_image_init(&img, 2, 0, 0, TEST_PAYLOAD);
    img.seed = 2;
    assert_int_equal(bf_make_image(&f, &img, 0xff, &bytes, &len), 0);
    assert_true(len > 16);
    assert_int_equal(bf_erase_area(&f, FLASH_AREA_IMAGE_PRIMARY(0)), 0);
    assert_int_equal(bf_write_raw(&f, FLASH_AREA_IMAGE_PRIMARY(0), 0, bytes, 16), 0);
    free(bytes);
    boot_expect(&f, 2);
    boot_expect(&f, 2);
    bf_stop(&f);
}

static void test_revert_cut_with_downgrade_prevention(void **state)
{
    static const enum boot_mode modes[] = { BOOT_MODE_SWAP_MOVE, BOOT_MODE_SWAP_OFFSET };
    struct boot_swap_state st;
    struct bf_snap snap;
    struct bf f;
    size_t m;
    int points;

    (void)state;
    for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        start(&f, "nrf52840", modes[m], true);
        install(&f, 0, 1);
        install(&f, 1, 2);
        assert_int_equal(bf_set_pending(&f, 0, false), 0);
        boot_expect(&f, 2);
        /* The new image never confirms: the next boot reverts. */
        assert_int_equal(bf_snapshot(&f, &snap), 0);
        points = cut_every_op(&f, &snap, 1);
        printf("  %s revert: %d cut points\n", boot_mode_name(modes[m]), points);
        assert_true(points > 20);
        assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &st), 0);
        assert_int_equal(st.image_ok, BOOT_FLAG_SET);
        bf_snap_free(&snap);
        bf_stop(&f);
    }
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
        cmocka_unit_test(test_weak_request_settles),
        cmocka_unit_test(test_overwrite_cut_with_downgrade_prevention),
        cmocka_unit_test(test_overwrite_torn_header),
        cmocka_unit_test(test_revert_cut_with_downgrade_prevention),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
