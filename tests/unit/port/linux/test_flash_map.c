/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of MCUboot's flash_area_* API over vflash devices (port_flash_map). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "board/board.h"
#include "flash_map_backend/flash_map_backend.h"
#include "port_flash_map.h"
#include "support/interop.h"
#include "sysflash/sysflash.h"

/* STM32F4-like: mixed sectors, the primary slot spanning 16K, 16K and 64K sectors. */
static const char board_mixed[] = "[board]\n"
                                  "name = mixed\n"
                                  "[flash internal]\n"
                                  "sectors = 4x16K, 1x64K, 3x128K\n"
                                  "write-unit = 1\n"
                                  "program-time-us = 16\n"
                                  "erase-time-ms = 16K:400, 64K:1200, 128K:2000\n"
                                  "[partition bootloader]\n"
                                  "offset = 0\n"
                                  "size = 32K\n"
                                  "[partition image-0-primary]\n"
                                  "offset = 0x8000\n"
                                  "size = 0x18000\n"
                                  "[partition image-0-secondary]\n"
                                  "offset = 0x20000\n"
                                  "size = 0x20000\n"
                                  "[partition scratch]\n"
                                  "offset = 0x40000\n"
                                  "size = 0x40000\n";

/* Internal flash plus an external SPI NOR holding the secondary slot. */
static const char board_two[] = "[board]\n"
                                "name = two\n"
                                "[flash internal]\n"
                                "sectors = 64x4K\n"
                                "write-unit = 4\n"
                                "program-time-us = 41\n"
                                "erase-time-ms = 85\n"
                                "[flash external]\n"
                                "sectors = 32x4K\n"
                                "write-unit = 1\n"
                                "page-size = 256\n"
                                "erased-value = 0x00\n"
                                "[partition image-0-primary]\n"
                                "device = internal\n"
                                "offset = 0x10000\n"
                                "size = 0x10000\n"
                                "[partition image-0-secondary]\n"
                                "device = external\n"
                                "offset = 0x8000\n"
                                "size = 0x10000\n";

static void map_from_text(struct port_flash_map *map, const char *text)
{
    struct board board;
    char err[256];
    int rc = board_parse(&board, text, strlen(text), "test", err, sizeof(err));

    if (rc != 0) {
        fail_msg("board: %s", err);
    }
    port_flash_map_init(map);
    assert_int_equal(port_flash_map_setup_board(map, &board), 0);
}

static void test_no_active_map(void **state)
{
    const struct flash_area *fa = NULL;
    struct flash_area fake = { .fa_id = 1, .fa_size = 16 };
    struct flash_sector sectors[4];
    uint32_t count = 4;
    uint8_t buf[4];

    (void)state;
    assert_null(port_flash_map_active());
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), BO_ENOENT);
    assert_null(fa);
    assert_int_equal(flash_area_read(&fake, 0, buf, 4), BO_ENOENT);
    assert_int_equal(flash_area_write(&fake, 0, buf, 4), BO_ENOENT);
    assert_int_equal(flash_area_erase(&fake, 0, 4), BO_ENOENT);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_0, &count, sectors), BO_ENOENT);
    assert_int_equal(flash_area_align(&fake), 1);
    assert_int_equal(flash_area_erased_val(&fake), 0xff);
    flash_area_close(&fake); /* Ignored. */
    flash_area_close(NULL);
}

static void test_open_close(void **state)
{
    struct port_flash_map map;
    const struct flash_area *a = NULL;
    const struct flash_area *b = NULL;
    struct flash_area copy;

    (void)state;
    map_from_text(&map, board_mixed);
    assert_null(port_flash_map_activate(&map));
    assert_ptr_equal(port_flash_map_active(), &map);

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &a), 0);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &b), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(flash_area_get_id(a), FLASH_AREA_IMAGE_0);
    assert_int_equal(flash_area_get_device_id(a), 0);
    assert_int_equal(flash_area_get_off(a), 0x8000);
    assert_int_equal(flash_area_get_size(a), 0x18000);
    assert_int_equal(map.open_count[FLASH_AREA_IMAGE_0], 2);
    assert_int_equal(port_flash_map_open_total(&map), 2);
    flash_area_close(a);
    assert_int_equal(map.open_count[FLASH_AREA_IMAGE_0], 1);
    flash_area_close(b);
    assert_int_equal(port_flash_map_open_total(&map), 0);
    assert_int_equal(map.misuse_count, 0);
    /* One close too many, and a close of a copy that is not the map's: counted, ignored. */
    flash_area_close(a);
    copy = *a;
    flash_area_close(&copy);
    flash_area_close(NULL);
    assert_int_equal(map.misuse_count, 2);
    assert_int_equal(map.open_count[FLASH_AREA_IMAGE_0], 0);

    /* Areas the board lacks, ids out of range, a NULL out pointer. */
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_2, &a), BO_ENOENT);
    assert_int_equal(flash_area_open(FLASH_AREA_COUNT, &a), BO_ENOENT);
    assert_int_equal(flash_area_open(255, &a), BO_ENOENT);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, NULL), BO_EINVAL);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &a), 0);
    flash_area_close(a);

    port_flash_map_free(&map);
    assert_null(port_flash_map_active()); /* Freeing the active map deactivates it. */
}

static void test_read_write_erase(void **state)
{
    struct port_flash_map map;
    const struct flash_area *fa;
    struct vflash *dev;
    uint8_t data[64];
    uint8_t buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 3);
    }
    map_from_text(&map, board_mixed);
    port_flash_map_activate(&map);
    dev = port_flash_map_device(&map, 0);
    assert_non_null(dev);
    assert_null(port_flash_map_device(&map, 1));
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(flash_area_align(fa), 1);
    assert_int_equal(flash_area_erased_val(fa), 0xff);

    /* Area offsets land at fa_off in the device. */
    assert_int_equal(flash_area_write(fa, 0x100, data, sizeof(data)), 0);
    assert_memory_equal(dev->mem + 0x8100, data, sizeof(data));
    assert_int_equal(flash_area_read(fa, 0x100, buf, sizeof(buf)), 0);
    assert_memory_equal(buf, data, sizeof(data));
    /* NOR semantics reach through the area. */
    memset(buf, 0xff, sizeof(buf));
    assert_int_equal(flash_area_write(fa, 0x100, buf, 4), BO_ESEMANTICS);

    /* Bounds are the area's, not the device's. */
    assert_int_equal(flash_area_read(fa, 0x18000 - 4, buf, 8), BO_ERANGE);
    assert_int_equal(flash_area_write(fa, 0x18000, data, 1), BO_ERANGE);
    assert_int_equal(flash_area_write(fa, 4, data, UINT32_MAX), BO_ERANGE);
    assert_int_equal(flash_area_erase(fa, 0x8000, 0x20000), BO_ERANGE);
    assert_int_equal(flash_area_read(fa, UINT32_MAX, buf, 2), BO_ERANGE);
    assert_int_equal(flash_area_read(fa, 0x18000, buf, 0), 0);
    assert_int_equal(flash_area_read(NULL, 0, buf, 1), BO_EINVAL);
    assert_true(dev->mem[0x20000] == 0xff); /* The secondary slot after it is untouched. */

    /* Erase: sector boundaries of the device, relative offsets of the area. */
    assert_int_equal(flash_area_erase(fa, 0, 0x2000), BO_EALIGN);
    assert_int_equal(flash_area_erase(fa, 0x1000, 0x4000), BO_EALIGN);
    assert_int_equal(flash_area_erase(fa, 0, 0x4000), 0);
    assert_int_equal(dev->sectors[2].erases, 1);
    assert_int_equal(flash_area_read(fa, 0x100, buf, 4), 0);
    assert_int_equal(buf[0], 0xff);
    assert_int_equal(flash_area_erase(fa, 0x8000, 0x10000), 0); /* The 64K sector. */
    assert_int_equal(dev->sectors[4].erases, 1);
    assert_int_equal(flash_area_erase(fa, 0, 0x18000), 0);
    assert_int_equal(dev->stats.erases, 5);
    flash_area_close(fa);
    port_flash_map_free(&map);
}

static void test_get_sectors_mixed(void **state)
{
    struct port_flash_map map;
    struct flash_sector s[8];
    const struct flash_area *fa;
    uint32_t count;

    (void)state;
    map_from_text(&map, board_mixed);
    port_flash_map_activate(&map);

    count = 8;
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_0, &count, s), 0);
    assert_int_equal(count, 3);
    assert_int_equal(flash_sector_get_off(&s[0]), 0);
    assert_int_equal(flash_sector_get_size(&s[0]), 0x4000);
    assert_int_equal(s[1].fs_off, 0x4000);
    assert_int_equal(s[1].fs_size, 0x4000);
    assert_int_equal(s[2].fs_off, 0x8000);
    assert_int_equal(s[2].fs_size, 0x10000);

    count = 8;
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_SCRATCH, &count, s), 0);
    assert_int_equal(count, 2);
    assert_int_equal(s[1].fs_off, 0x20000);
    assert_int_equal(s[1].fs_size, 0x20000);

    /* Too little room: BO_ENOMEM and the count is left alone. */
    count = 2;
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_0, &count, s), BO_ENOMEM);
    assert_int_equal(count, 2);
    count = 8;
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_2, &count, s), BO_ENOENT);
    assert_int_equal(flash_area_get_sectors(-1, &count, s), BO_ENOENT);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_COUNT, &count, s), BO_ENOENT);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_0, NULL, s), BO_EINVAL);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_0, &count, NULL), BO_EINVAL);

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(flash_area_get_sector(fa, 0, &s[0]), 0);
    assert_int_equal(s[0].fs_off, 0);
    assert_int_equal(s[0].fs_size, 0x4000);
    assert_int_equal(flash_area_get_sector(fa, 0x7fff, &s[0]), 0);
    assert_int_equal(s[0].fs_off, 0x4000);
    assert_int_equal(flash_area_get_sector(fa, 0x17fff, &s[0]), 0);
    assert_int_equal(s[0].fs_off, 0x8000);
    assert_int_equal(s[0].fs_size, 0x10000);
    assert_int_equal(flash_area_get_sector(fa, 0x18000, &s[0]), BO_ERANGE);
    assert_int_equal(flash_area_get_sector(fa, 0, NULL), BO_EINVAL);
    flash_area_close(fa);
    port_flash_map_free(&map);
}

static void test_ids(void **state)
{
    (void)state;
    assert_int_equal(flash_area_id_from_multi_image_slot(0, 0), FLASH_AREA_IMAGE_PRIMARY(0));
    assert_int_equal(flash_area_id_from_multi_image_slot(0, 1), FLASH_AREA_IMAGE_SECONDARY(0));
    assert_int_equal(flash_area_id_from_multi_image_slot(1, 0), FLASH_AREA_IMAGE_PRIMARY(1));
    assert_int_equal(flash_area_id_from_multi_image_slot(1, 1), FLASH_AREA_IMAGE_SECONDARY(1));
    assert_int_equal(flash_area_id_from_multi_image_slot(0, 0), 1);
    assert_int_equal(flash_area_id_from_multi_image_slot(1, 1), 5);
    assert_int_equal(flash_area_id_from_multi_image_slot(2, 0), BO_EINVAL);
    assert_int_equal(flash_area_id_from_multi_image_slot(-1, 0), BO_EINVAL);
    assert_int_equal(flash_area_id_from_multi_image_slot(0, 2), BO_EINVAL);
    assert_int_equal(flash_area_id_from_multi_image_slot(0, -1), BO_EINVAL);
    assert_int_equal(flash_area_id_from_image_slot(0), FLASH_AREA_IMAGE_0);
    assert_int_equal(flash_area_id_from_image_slot(1), FLASH_AREA_IMAGE_1);
    assert_int_equal(flash_area_id_from_image_slot(2), BO_EINVAL);
}

static void test_two_devices(void **state)
{
    struct port_flash_map map;
    const struct flash_area *pri;
    const struct flash_area *sec;
    struct vflash *in;
    struct vflash *ex;
    uint8_t data[512];
    uint8_t buf[4];
    struct flash_sector s[32];
    uint32_t count = 32;

    (void)state;
    memset(data, 0x3c, sizeof(data));
    map_from_text(&map, board_two);
    port_flash_map_activate(&map);
    in = port_flash_map_device(&map, 0);
    ex = port_flash_map_device(&map, 1);
    assert_int_equal(map.device_count, 2);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &pri), 0);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &sec), 0);
    assert_int_equal(flash_area_get_device_id(pri), 0);
    assert_int_equal(flash_area_get_device_id(sec), 1);
    assert_int_equal(flash_area_align(pri), 4);
    assert_int_equal(flash_area_align(sec), 1);
    assert_int_equal(flash_area_erased_val(pri), 0xff);
    assert_int_equal(flash_area_erased_val(sec), 0x00);

    assert_int_equal(flash_area_read(sec, 0, buf, 4), 0);
    assert_int_equal(buf[0], 0x00);
    /* 512 bytes at 0x80 of the external slot: three page operations on the external only. */
    assert_int_equal(flash_area_write(sec, 0x80, data, sizeof(data)), 0);
    assert_int_equal(ex->stats.programs, 3);
    assert_int_equal(in->stats.programs, 0);
    assert_memory_equal(ex->mem + 0x8080, data, sizeof(data));
    assert_int_equal(in->mem[0x8080], 0xff);
    assert_int_equal(flash_area_write(pri, 2, data, 4), BO_EALIGN);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_1, &count, s), 0);
    assert_int_equal(count, 16);
    assert_int_equal(s[15].fs_off, 0xf000);
    assert_int_equal(flash_area_erase(sec, 0, 0x1000), 0);
    assert_int_equal(ex->mem[0x8080], 0x00);
    flash_area_close(pri);
    flash_area_close(sec);
    port_flash_map_free(&map);
}

static void test_activation(void **state)
{
    struct port_flash_map a;
    struct port_flash_map b;
    const struct flash_area *fa;

    (void)state;
    map_from_text(&a, board_mixed);
    map_from_text(&b, board_two);
    assert_null(port_flash_map_activate(&a));
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &fa), 0);
    flash_area_close(fa);
    assert_ptr_equal(port_flash_map_activate(&b), &a);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &fa), BO_ENOENT);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(flash_area_get_device_id(fa), 1);
    flash_area_close(fa);
    assert_ptr_equal(port_flash_map_activate(NULL), &b);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), BO_ENOENT);
    port_flash_map_free(&a);
    port_flash_map_free(&b);
}

static void test_external_devices(void **state)
{
    struct board board;
    struct port_flash_map map;
    struct vflash dev;
    struct vflash small;
    struct vflash *devs[1];
    const struct flash_area *fa;
    uint8_t *mem;
    char err[256];
    uint8_t v = 0x42;

    (void)state;
    assert_int_equal(board_parse(&board, board_mixed, strlen(board_mixed), NULL, err, sizeof(err)),
                     0);
    mem = malloc(0x80000);
    assert_non_null(mem);
    memset(mem, 0xff, 0x80000);
    vflash_init(&dev);
    vflash_init(&small);
    assert_int_equal(vflash_setup(&dev, &board.flash[0].geom, mem, 0x80000, NULL), 0);
    port_flash_map_init(&map);
    devs[0] = &dev;
    assert_int_equal(port_flash_map_setup(&map, &board, devs, 2), BO_EINVAL);
    assert_int_equal(port_flash_map_setup(&map, &board, NULL, 1), BO_EINVAL);
    devs[0] = &small; /* Not set up. */
    assert_int_equal(port_flash_map_setup(&map, &board, devs, 1), BO_EINVAL);
    devs[0] = &dev;
    assert_int_equal(port_flash_map_setup(&map, &board, devs, 1), 0);
    port_flash_map_activate(&map);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(flash_area_write(fa, 1, &v, 1), 0);
    assert_int_equal(mem[0x20001], 0x42);
    flash_area_close(fa);
    port_flash_map_free(&map);
    /* The map did not own the device: it still works. */
    assert_int_equal(vflash_erase_sector(&dev, 5), 0);
    assert_int_equal(mem[0x20001], 0xff);
    vflash_free(&dev);
    free(mem);
}

/* Cuts power at the operation whose index is *arg. */
static int hook_cut(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    (void)dev;
    return op->index == *(uint64_t *)arg ? BO_EPOWER : 0;
}

static void test_power_cut_through_area(void **state)
{
    struct port_flash_map map;
    const struct flash_area *fa;
    struct port_clock clock;
    uint64_t cut_at = 1;
    uint8_t data[8] = { 0 };

    (void)state;
    map_from_text(&map, board_two);
    port_flash_map_activate(&map);
    port_clock_init_virtual(&clock, 0);
    port_flash_map_set_clock(&map, &clock);
    vflash_set_hook(port_flash_map_device(&map, 0), hook_cut, &cut_at);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(flash_area_write(fa, 0, data, 8), 0);
    assert_int_equal(flash_area_erase(fa, 0, 0x2000), BO_EPOWER);
    assert_int_equal(flash_area_read(fa, 0, data, 8), BO_EPOWER);
    port_flash_map_power_on(&map);
    assert_int_equal(flash_area_read(fa, 0, data, 8), 0);
    assert_int_equal(data[0], 0x00); /* The cut erase never happened. */
    assert_true(port_clock_now_ns(&clock) > 0);
    flash_area_close(fa);
    port_flash_map_free(&map);
}

static void test_setup_board_file(void **state)
{
    struct port_flash_map map;
    const struct flash_area *fa;
    char path[512];
    char err[256];
    const char *top = interop_repo_root();

    (void)state;
    snprintf(path, sizeof(path), "%s/fixtures/boards/nrf52840.ini", top != NULL ? top : ".");
    port_flash_map_init(&map);
    if (port_flash_map_setup_board_file(&map, path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    port_flash_map_activate(&map);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(flash_area_get_size(fa), 0x34000);
    assert_int_equal(flash_area_align(fa), 4);
    flash_area_close(fa);
    port_flash_map_free(&map);

    assert_int_equal(port_flash_map_setup_board_file(&map, "/nonexistent/x.ini", err, sizeof(err)),
                     BO_ENOENT);
    assert_non_null(strstr(err, "/nonexistent/x.ini: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_active_map),
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_read_write_erase),
        cmocka_unit_test(test_get_sectors_mixed),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_two_devices),
        cmocka_unit_test(test_activation),
        cmocka_unit_test(test_external_devices),
        cmocka_unit_test(test_power_cut_through_area),
        cmocka_unit_test(test_setup_board_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
