/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/boot/loader_io.c on its own: region copies (which leave runs of 8 or more erased bytes
 * unprogrammed, so an ECC unit stays writable, and count as fewer flash operations), alignment
 * errors, and the header, size and security counter of an image read from a slot at a base
 * offset. Image sizes are checked against the TLV info headers read straight from flash.
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
#include "boot/loader_io.h"
#include "support/boot_fixture.h"

/* 4 KiB sectors, 8-byte ECC units, 16-sector slots. */
static const char ecc_ini[] =
    "[board]\nname = io-ecc\n"
    "[flash internal]\nsectors = 34x4K\nwrite-unit = 8\nerased-value = 0xff\nsemantics = ecc\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x20000\nsize = 0x2000\n";

/* The same geometry on 4-byte NOR units. */
static const char nor_ini[] =
    "[board]\nname = io-nor\n"
    "[flash internal]\nsectors = 34x4K\nwrite-unit = 4\nerased-value = 0xff\nsemantics = nor\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x20000\nsize = 0x2000\n";

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

/* Fills the secondary's first 48 bytes: 16 data, erased_run erased, the rest data. */
static void write_source(struct boot_loader_state *st, uint32_t erased_run)
{
    uint8_t src[48];
    uint32_t i;

    for (i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)(i + 1);
    }
    memset(src + 16, 0xff, erased_run);
    assert_int_equal(flash_area_write(st->fa_sec, 0, src, sizeof(src)), 0);
}

static void test_copy_leaves_erased_runs(void **state)
{
    const uint8_t later[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
    uint8_t a[48];
    uint8_t b[48];
    struct bf f;
    struct boot_loader_state *st = open_image(&f, ecc_ini, BOOT_MODE_SWAP_SCRATCH);

    (void)state;
    write_source(st, 16);
    bf_reset_ops(&f);
    assert_int_equal(loader_io_copy(st, st->fa_sec, st->fa_pri, 0, 0, 48), 0);
    /* Two programs: [0, 16) and [32, 48). */
    assert_int_equal(f.ops, 2);
    assert_int_equal(flash_area_read(st->fa_sec, 0, a, sizeof(a)), 0);
    assert_int_equal(flash_area_read(st->fa_pri, 0, b, sizeof(b)), 0);
    assert_memory_equal(a, b, sizeof(a));
    /* The erased run was not programmed: an ECC unit there still takes a write. */
    assert_int_equal(flash_area_write(st->fa_pri, 16, later, sizeof(later)), 0);
    close_image(&f, st);
}

static void test_copy_programs_short_runs(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, nor_ini, BOOT_MODE_SWAP_SCRATCH);

    (void)state;
    /* One erased 4-byte unit: shorter than 8 bytes, programmed with its neighbours. */
    write_source(st, 4);
    bf_reset_ops(&f);
    assert_int_equal(loader_io_copy(st, st->fa_sec, st->fa_pri, 0, 0, 48), 0);
    assert_int_equal(f.ops, 1);
    /* Two erased units make a run of 8 bytes. */
    assert_int_equal(loader_io_erase(st->fa_pri, 0, 0x1000), 0);
    assert_int_equal(loader_io_erase(st->fa_sec, 0, 0x1000), 0);
    write_source(st, 8);
    bf_reset_ops(&f);
    assert_int_equal(loader_io_copy(st, st->fa_sec, st->fa_pri, 0, 0, 48), 0);
    assert_int_equal(f.ops, 2);
    close_image(&f, st);
}

static void test_copy_alignment(void **state)
{
    uint8_t buf[16];
    struct bf f;
    struct boot_loader_state *st = open_image(&f, ecc_ini, BOOT_MODE_SWAP_SCRATCH);

    (void)state;
    assert_int_equal(loader_io_copy_buf(st->fa_sec, st->fa_pri, 0, 0, 12, buf, sizeof(buf)),
                     BO_EALIGN);
    assert_int_equal(loader_io_copy_buf(st->fa_sec, st->fa_pri, 0, 0, 16, buf, 4), BO_EALIGN);
    /* A buffer of one unit copies in unit-sized chunks. */
    assert_int_equal(loader_io_copy_buf(st->fa_sec, st->fa_pri, 0, 0, 64, buf, 8), 0);
    close_image(&f, st);
}

/* The size of the image at base of fa from its TLV info headers, read directly. */
static uint32_t tlv_end(const struct flash_area *fa, uint32_t base, const struct image_header *h,
                        uint16_t *unprot)
{
    uint32_t off = base + h->hdr_size + h->img_size + h->protect_tlv_size;
    uint8_t info[4];

    assert_int_equal(flash_area_read(fa, off, info, sizeof(info)), 0);
    assert_int_equal(info[0] | info[1] << 8, IMAGE_TLV_INFO_MAGIC);
    *unprot = (uint16_t)(info[2] | info[3] << 8);
    return off - base + *unprot;
}

static void test_header_size_and_counter(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, nor_ini, BOOT_MODE_SWAP_OFFSET);
    uint32_t base = st->sect.sec[0].fs_size;
    struct image_header hdr;
    struct bf_image img;
    uint32_t size;
    uint32_t cnt;
    uint16_t unprot;
    uint16_t want_unprot;
    bool erased;
    bool has;
    bool ok;

    (void)state;
    /* Erased slot: no image, a blank header, size 0. */
    assert_int_equal(loader_io_read_header(st->fa_sec, 0, &hdr, &ok, &erased), 0);
    assert_false(ok);
    assert_true(erased);
    assert_int_equal(loader_io_image_size(st->fa_sec, 0, &size, &unprot), 0);
    assert_int_equal(size, 0);
    /* A base past the end of the area: no header, no error. */
    assert_int_equal(loader_io_read_header(st->fa_sec, 0x10000, &hdr, &ok, &erased), 0);
    assert_false(ok);
    assert_false(erased);

    /* Swap-using-offset installs the secondary's image one sector in. */
    bf_image_init(&img, 2, 1, 7, 5000);
    img.has_sec_cnt = true;
    img.sec_cnt = 42;
    assert_int_equal(bf_install(&f, 0, BOOT_SLOT_SECONDARY, &img), 0);
    assert_int_equal(loader_io_read_header(st->fa_sec, base, &hdr, &ok, &erased), 0);
    assert_true(ok);
    assert_false(erased);
    assert_int_equal(hdr.version.major, 2);
    assert_int_equal(hdr.version.revision, 7);
    assert_int_equal(hdr.img_size, 5000);
    assert_int_equal(loader_io_image_size(st->fa_sec, base, &size, &unprot), 0);
    assert_int_equal(size, tlv_end(st->fa_sec, base, &hdr, &want_unprot));
    assert_int_equal(unprot, want_unprot);
    assert_int_equal(loader_io_read_sec_cnt(st->fa_sec, base, &cnt, &has), 0);
    assert_true(has);
    assert_int_equal(cnt, 42);

    /* Without a SEC_CNT TLV, and where no image is. */
    bf_image_init(&img, 1, 0, 0, 3000);
    assert_int_equal(bf_install(&f, 0, BOOT_SLOT_PRIMARY, &img), 0);
    assert_int_equal(loader_io_read_sec_cnt(st->fa_pri, 0, &cnt, &has), 0);
    assert_false(has);
    assert_int_equal(loader_io_read_sec_cnt(st->fa_sec, 0, &cnt, &has), 0);
    assert_false(has);
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
        cmocka_unit_test(test_copy_leaves_erased_runs),
        cmocka_unit_test(test_copy_programs_short_runs),
        cmocka_unit_test(test_copy_alignment),
        cmocka_unit_test(test_header_size_and_counter),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
