/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_go and boot_go_ctx as an API: configuration checks, the port hook, what a device with
 * no or a bad primary image gets, validation policies, the response, power-cut propagation
 * and resumption, and the capacity of each mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "boot/loader.h"
#include "mbedtls/sha256.h"
#include "port_boot.h"
#include "support/boot_fixture.h"
#include "support/boot_scenarios.h"
#include "sysflash/sysflash.h"

static const char board_ini[] =
    "[board]\nname = t\n"
    "[flash internal]\nsectors = 68x4K\nwrite-unit = 4\nerased-value = 0xff\nsemantics = nor\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition image-1-primary]\noffset = 0x20000\nsize = 0x10000\n"
    "[partition image-1-secondary]\noffset = 0x30000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x40000\nsize = 0x4000\n";

static void start(struct bf *f, enum boot_mode mode)
{
    struct board b;

    assert_int_equal(bf_board_text(&b, board_ini), 0);
    assert_int_equal(bf_start(f, &b, mode, 1), 0);
}

static void install(struct bf *f, int slot, uint8_t major)
{
    struct bf_image img;

    bf_image_init(&img, major, 0, 0, 9000);
    assert_int_equal(bf_install(f, 0, slot, &img), 0);
}

static void test_no_port_config(void **state)
{
    struct boot_rsp rsp;
    const struct boot_config *prev = port_boot_activate(NULL);

    (void)state;
    assert_int_equal(boot_go(&rsp), BO_ESTATE);
    port_boot_activate(prev);
}

static void test_boot_go_uses_port_config(void **state)
{
    struct bf f;
    struct boot_rsp rsp;

    (void)state;
    start(&f, BOOT_MODE_SWAP_SCRATCH);
    install(&f, 0, 3);
    /* bf_start() activated f.cfg for this thread. */
    assert_int_equal(boot_go(&rsp), 0);
    assert_int_equal(rsp.version.major, 3);
    bf_stop(&f);
}

static void test_bad_config(void **state)
{
    struct bf f;
    struct boot_rsp rsp;
    struct boot_config cfg;

    (void)state;
    start(&f, BOOT_MODE_SWAP_SCRATCH);
    cfg = f.cfg;
    cfg.image_count = 0;
    assert_int_equal(boot_go_ctx(f.state, &cfg, &rsp), BO_EINVAL);
    cfg.image_count = 3;
    assert_int_equal(boot_go_ctx(f.state, &cfg, &rsp), BO_EINVAL);
    cfg = f.cfg;
    cfg.mode = (enum boot_mode)9;
    assert_int_equal(boot_go_ctx(f.state, &cfg, &rsp), BO_EINVAL);
    cfg = f.cfg;
    cfg.keys = NULL;
    assert_int_equal(boot_go_ctx(f.state, &cfg, &rsp), BO_EINVAL);
    cfg = f.cfg;
    cfg.max_sectors = BOOT_SECTORS_MAX + 1;
    assert_int_equal(boot_go_ctx(f.state, &cfg, &rsp), BO_EINVAL);
    assert_int_equal(boot_go_ctx(NULL, &f.cfg, &rsp), BO_EINVAL);
    bf_stop(&f);
}

static void test_empty_flash_does_not_boot(void **state)
{
    struct bf f;
    struct boot_rsp rsp;
    int mode;

    (void)state;
    for (mode = 0; mode < 4; mode++) {
        start(&f, (enum boot_mode)mode);
        assert_int_equal(bf_boot(&f, &rsp), BO_EBADIMAGE);
        f.cfg.validate_primary = false;
        assert_int_equal(bf_boot(&f, &rsp), BO_EBADIMAGE);
        bf_stop(&f);
    }
}

static void test_primary_validation_policy(void **state)
{
    struct bf f;
    struct boot_rsp rsp;
    struct bf_image img;

    (void)state;
    start(&f, BOOT_MODE_SWAP_MOVE);
    bf_image_init(&img, 1, 2, 3, 5000);
    img.untrusted = true;
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    assert_int_equal(bf_boot(&f, &rsp), BO_EBADSIG);
    f.cfg.validate_primary = false;
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.version.minor, 2);
    assert_int_equal(rsp.hash_len, 0);

    /* Hash-only images boot only when unsigned images are allowed. */
    f.cfg.validate_primary = true;
    bf_image_init(&img, 1, 0, 0, 5000);
    img.no_key = true;
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    assert_int_equal(bf_boot(&f, &rsp), BO_EBADSIG);
    f.cfg.allow_unsigned = true;
    assert_int_equal(bf_boot(&f, &rsp), 0);

    /* A corrupted primary never boots. */
    bf_image_init(&img, 1, 0, 0, 5000);
    img.corrupt = true;
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    assert_int_equal(bf_boot(&f, &rsp), BO_EBADSIG);

    /* Neither does a non-bootable one. */
    bf_image_init(&img, 1, 0, 0, 5000);
    img.non_bootable = true;
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    assert_int_equal(bf_boot(&f, &rsp), BO_EBADIMAGE);
    bf_stop(&f);
}

static void test_response(void **state)
{
    struct bf f;
    struct boot_rsp rsp;
    struct bf_image img;
    const struct flash_area *fa;
    uint8_t hash[32];

    (void)state;
    start(&f, BOOT_MODE_SWAP_OFFSET);
    bf_image_init(&img, 4, 5, 6, 7000);
    img.ver.build = 77;
    assert_int_equal(bf_install(&f, 0, 0, &img), 0);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(rsp.br_image_off, flash_area_get_off(fa));
    assert_int_equal(rsp.br_flash_dev_id, flash_area_get_device_id(fa));
    flash_area_close(fa);
    assert_int_equal(rsp.br_hdr.magic, IMAGE_MAGIC);
    assert_int_equal(rsp.slot, 0);
    assert_int_equal(rsp.version.major, 4);
    assert_int_equal(rsp.version.minor, 5);
    assert_int_equal(rsp.version.revision, 6);
    assert_int_equal(rsp.version.build, 77);
    assert_int_equal(rsp.image_count, 1);
    assert_int_equal(rsp.swap_type[0], TRAILER_SWAP_TYPE_NONE);
    assert_false(rsp.resumed[0]);
    /* The hash covers header, payload and protected TLVs. */
    assert_int_equal(rsp.hash_len, 32);
    assert_int_equal(
        bf_hash_area(&f, FLASH_AREA_IMAGE_0, 0,
                     rsp.br_hdr.hdr_size + rsp.br_hdr.img_size + rsp.br_hdr.protect_tlv_size, hash),
        0);
    assert_memory_equal(hash, rsp.hash, 32);
    bf_stop(&f);
}

static void test_power_cut_propagates_and_resumes(void **state)
{
    struct bf f;
    struct boot_rsp rsp;
    struct bf_snap snap;
    uint64_t total;
    int mode;

    (void)state;
    for (mode = 1; mode < 4; mode++) {
        start(&f, (enum boot_mode)mode);
        install(&f, 0, 1);
        install(&f, 1, 2);
        assert_int_equal(bf_set_pending(&f, 0, true), 0);
        /* Count the operations of the upgrade, then cut half-way through it. */
        assert_int_equal(bf_snapshot(&f, &snap), 0);
        bf_reset_ops(&f);
        assert_int_equal(bf_boot(&f, &rsp), 0);
        total = f.ops;
        bf_restore(&f, &snap);
        bf_snap_free(&snap);
        bf_reset_ops(&f);
        bf_cut_at(&f, (int64_t)(total / 2));
        assert_int_equal(bf_boot(&f, &rsp), BO_EPOWER);
        /* While power is off, nothing more happens. */
        assert_int_equal(bf_boot(&f, &rsp), BO_EPOWER);
        bf_power_on(&f);
        assert_int_equal(bf_boot(&f, &rsp), 0);
        assert_int_equal(rsp.version.major, 2);
        assert_true(rsp.resumed[0]);
        assert_int_equal(rsp.swap_type[0], TRAILER_SWAP_TYPE_PERM);
        assert_int_equal(bf_boot(&f, &rsp), 0);
        assert_false(rsp.resumed[0]);
        assert_int_equal(rsp.swap_type[0], TRAILER_SWAP_TYPE_NONE);
        bf_stop(&f);
    }
}

static void test_capacity_per_mode(void **state)
{
    struct bf f;
    uint32_t max;
    const char *why;

    (void)state;
    /* 16 sectors of 4 KiB per slot, write unit 4, MA 8: trailer 128 x 3 x 4 + 48 bytes. */
    start(&f, BOOT_MODE_OVERWRITE);
    assert_int_equal(bf_capacity(&f, 0, &max, &why), 1);
    assert_int_equal(max, 0x10000 - (128 * 3 * 4 + 48));
    bf_stop(&f);
    start(&f, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(bf_capacity(&f, 0, &max, &why), 1);
    assert_int_equal(max, 0x10000 - (128 * 3 * 4 + 48));
    bf_stop(&f);
    start(&f, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(bf_capacity(&f, 0, &max, &why), 1);
    assert_int_equal(max, 14 * 4096);
    bf_stop(&f);
    start(&f, BOOT_MODE_SWAP_OFFSET);
    assert_int_equal(bf_capacity(&f, 0, &max, &why), 1);
    assert_int_equal(max, 14 * 4096);
    f.cfg.max_sectors = 8;
    assert_int_equal(bf_capacity(&f, 0, &max, &why), 0);
    assert_non_null(why);
    assert_int_equal(max, 0);
    bf_stop(&f);
}

static void test_mode_names(void **state)
{
    struct boot_config cfg;

    (void)state;
    assert_string_equal(boot_mode_name(BOOT_MODE_OVERWRITE), "overwrite");
    assert_string_equal(boot_mode_name(BOOT_MODE_SWAP_SCRATCH), "swap-scratch");
    assert_string_equal(boot_mode_name(BOOT_MODE_SWAP_MOVE), "swap-move");
    assert_string_equal(boot_mode_name(BOOT_MODE_SWAP_OFFSET), "swap-offset");
    boot_config_defaults(&cfg);
    assert_int_equal(cfg.mode, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(cfg.image_count, 1);
    assert_true(cfg.validate_primary);
    assert_int_equal(cfg.max_sectors, BOOT_DEFAULT_MAX_SECTORS);
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
        cmocka_unit_test(test_no_port_config),
        cmocka_unit_test(test_boot_go_uses_port_config),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_empty_flash_does_not_boot),
        cmocka_unit_test(test_primary_validation_policy),
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_power_cut_propagates_and_resumes),
        cmocka_unit_test(test_capacity_per_mode),
        cmocka_unit_test(test_mode_names),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
