/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/boot/boot_status.c on its own: the reset state, single record and field writes and the
 * units they occupy, the forward and backward scans, the progress read of an interrupted swap,
 * and the erase of a slot's trailer. On an ECC board a field written twice gives BO_ESEMANTICS
 * and leaves the flash as it was (the repair is the layer above, boot_record.c), while
 * boot_record_field() repairs the trailer and writes the field.
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
#include "boot/boot_record.h"
#include "boot/boot_status.h"
#include "boot/loader_int.h"
#include "boot/swap_type.h"
#include "support/boot_fixture.h"

/* 4 KiB sectors, 8-byte ECC units programmed once, 8-sector slots and a 2-sector scratch. */
static const char board_ini[] =
    "[board]\nname = status\n"
    "[flash internal]\nsectors = 20x4K\nwrite-unit = 8\nerased-value = 0xff\nsemantics = ecc\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x8000\n"
    "[partition image-0-secondary]\noffset = 0x8000\nsize = 0x8000\n"
    "[partition scratch]\noffset = 0x10000\nsize = 0x2000\n";

/* Starts the fixture in mode and makes image 0 the current image of a new state. */
static struct boot_loader_state *open_image(struct bf *f, enum boot_mode mode)
{
    struct boot_loader_state *st = calloc(1, sizeof(*st));
    struct board b;

    assert_non_null(st);
    assert_int_equal(bf_board_text(&b, board_ini), 0);
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

/* The first byte of the unit at off of fa. */
static uint8_t byte_at(const struct flash_area *fa, uint32_t off)
{
    uint8_t b = 0;

    assert_int_equal(flash_area_read(fa, off, &b, 1), 0);
    return b;
}

static void test_reset(void **state)
{
    struct boot_status bs;

    (void)state;
    memset(&bs, 0x5a, sizeof(bs));
    boot_status_reset(&bs);
    assert_true(boot_status_is_reset(&bs));
    assert_int_equal(bs.swap_type, TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(bs.source, SWAP_TYPE_SOURCE_NONE);
    assert_int_equal(bs.swap_size, 0);
    assert_false(bs.use_scratch);
    bs.state = 2;
    assert_false(boot_status_is_reset(&bs));
    boot_status_reset(&bs);
    bs.op = TRAILER_STATUS_OP_SWAP;
    assert_false(boot_status_is_reset(&bs));
}

static void test_records_and_scans(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, BOOT_MODE_SWAP_SCRATCH);
    const struct trailer_layout *lay = &st->lay_pri;
    uint32_t count = lay->status_entries * lay->status_states;
    struct boot_status_unit unit;
    struct boot_status bs;
    uint32_t next;
    uint32_t off;
    bool found;

    (void)state;
    assert_int_equal(boot_status_scan_forward(st->fa_pri, lay, count, &found, &next), 0);
    assert_false(found);
    assert_int_equal(next, 0);
    boot_status_reset(&bs);
    for (bs.state = 1; bs.state <= 3; bs.state++) {
        assert_int_equal(boot_status_write(st, &bs), 0);
        assert_int_equal(boot_status_record_unit(st, &bs, &unit), 0);
        assert_ptr_equal(unit.fa, st->fa_pri);
        assert_int_equal(unit.len, lay->cfg.write_unit);
        assert_int_equal(trailer_status_record_off(lay, TRAILER_STATUS_OP_SWAP, 1, bs.state, &off),
                         0);
        assert_int_equal(unit.off, off);
        assert_int_equal(byte_at(st->fa_pri, unit.off), bs.state);
    }
    assert_int_equal(boot_status_scan_forward(st->fa_pri, lay, count, &found, &next), 0);
    assert_true(found);
    assert_int_equal(next, 3);
    assert_int_equal(boot_status_scan_reverse(st->fa_pri, lay, count, &found, &next), 0);
    assert_true(found);
    assert_int_equal(next, 3);

    /* A first step that carries the trailer records in the scratch area. */
    bs.state = 1;
    bs.use_scratch = true;
    assert_int_equal(boot_status_write(st, &bs), 0);
    assert_int_equal(boot_status_record_unit(st, &bs, &unit), 0);
    assert_ptr_equal(unit.fa, st->fa_scr);
    assert_int_equal(byte_at(st->fa_scr, unit.off), 1);

    /* No such record. */
    bs.idx = lay->status_entries + 1;
    assert_int_equal(boot_status_record_unit(st, &bs, &unit), BO_EINVAL);
    close_image(&f, st);
}

static void test_field_units(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, BOOT_MODE_SWAP_SCRATCH);
    const struct trailer_layout *lay = &st->lay_sec;
    uint32_t align = flash_area_align(st->fa_sec);
    struct boot_status_unit u;

    (void)state;
    assert_int_equal(boot_status_field_unit(st->fa_sec, lay, BOOT_STATUS_FIELD_IMAGE_OK, &u), 0);
    assert_int_equal(u.off, lay->image_ok_off);
    assert_int_equal(u.len, align);
    assert_int_equal(boot_status_field_unit(st->fa_sec, lay, BOOT_STATUS_FIELD_COPY_DONE, &u), 0);
    assert_int_equal(u.off, lay->copy_done_off);
    assert_int_equal(boot_status_field_unit(st->fa_sec, lay, BOOT_STATUS_FIELD_SWAP_INFO, &u), 0);
    assert_int_equal(u.off, lay->swap_info_off);
    /* A 4-byte field takes whole units. */
    assert_int_equal(boot_status_field_unit(st->fa_sec, lay, BOOT_STATUS_FIELD_SWAP_SIZE, &u), 0);
    assert_int_equal(u.off, lay->swap_size_off);
    assert_int_equal(u.len, 8);
    assert_int_equal(boot_status_field_unit(st->fa_sec, lay, BOOT_STATUS_FIELD_MAGIC, &u), 0);
    assert_int_equal(u.off, lay->magic_unit_off);
    assert_int_equal(u.len, lay->magic_unit_sz);
    close_image(&f, st);
}

static void test_torn_field_is_left_to_the_layer_above(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, BOOT_MODE_SWAP_SCRATCH);
    const uint8_t torn[8] = { 0x5a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    enum trailer_flag_state flag;
    struct bf_snap snap;

    (void)state;
    /* A torn image_ok write: the unit is programmed but reads neither erased nor set. */
    assert_int_equal(flash_area_write(st->fa_pri, st->lay_pri.image_ok_off, torn, sizeof(torn)), 0);
    assert_int_equal(
        boot_status_write_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_MAGIC, NULL), 0);
    assert_int_equal(bf_snapshot(&f, &snap), 0);
    /* The part refuses to program the unit again, and nothing is repaired. */
    assert_int_equal(
        boot_status_write_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_IMAGE_OK, NULL),
        BO_ESEMANTICS);
    assert_true(bf_snap_equal(&f, &snap));
    /* The layer above rewrites the trailer with the unit erased and writes it again. */
    assert_int_equal(
        boot_record_field(st, st->fa_pri, &st->lay_pri, BOOT_STATUS_FIELD_IMAGE_OK, NULL), 0);
    assert_false(bf_snap_equal(&f, &snap));
    assert_int_equal(trailer_read_image_ok(st->fa_pri, &st->lay_pri, &flag), 0);
    assert_int_equal(flag, TRAILER_FLAG_SET);
    bf_snap_free(&snap);
    close_image(&f, st);
}

static void test_read_progress(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, BOOT_MODE_SWAP_SCRATCH);
    const struct boot_mode_ops *ops = boot_mode_ops_of(BOOT_MODE_SWAP_SCRATCH);
    struct boot_status bs;
    struct boot_status got;

    (void)state;
    assert_int_equal(boot_status_read(st, ops, &got), 0);
    assert_true(boot_status_is_reset(&got));
    assert_int_equal(got.swap_type, TRAILER_SWAP_TYPE_NONE);

    /* A test swap of 0x3000 bytes set up in the primary, two records of its first step done. */
    boot_status_reset(&bs);
    bs.swap_type = TRAILER_SWAP_TYPE_TEST;
    bs.swap_size = 0x3000;
    assert_int_equal(boot_record_init_area(st, st->fa_pri, &st->lay_pri, &bs), 0);
    for (bs.state = 1; bs.state <= 2; bs.state++) {
        assert_int_equal(boot_status_write(st, &bs), 0);
    }
    assert_int_equal(boot_status_read(st, ops, &got), 0);
    assert_int_equal(got.source, SWAP_TYPE_SOURCE_PRIMARY);
    assert_int_equal(got.idx, 1);
    assert_int_equal(got.state, 3);
    assert_int_equal(got.swap_type, TRAILER_SWAP_TYPE_TEST);
    assert_int_equal(got.swap_size, 0x3000);
    close_image(&f, st);
}

static void test_erase_trailer(void **state)
{
    struct bf f;
    struct boot_loader_state *st = open_image(&f, BOOT_MODE_SWAP_SCRATCH);
    uint32_t last = st->sect.sec[st->sect.n_sec - 1].fs_off;
    uint32_t below = st->sect.sec[st->sect.n_sec - 2].fs_off;
    const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    (void)state;
    /* The trailer fits in the last sector: the erase takes that one only. */
    assert_true(st->lay_sec.trailer_sz <= st->sect.sec[st->sect.n_sec - 1].fs_size);
    assert_int_equal(flash_area_write(st->fa_sec, last, data, sizeof(data)), 0);
    assert_int_equal(flash_area_write(st->fa_sec, below, data, sizeof(data)), 0);
    assert_int_equal(trailer_write_magic(st->fa_sec, &st->lay_sec), 0);
    assert_int_equal(boot_status_erase_trailer(st, BOOT_SLOT_SECONDARY), 0);
    assert_int_equal(byte_at(st->fa_sec, last), 0xff);
    assert_int_equal(byte_at(st->fa_sec, st->lay_sec.magic_off), 0xff);
    assert_int_equal(byte_at(st->fa_sec, below), 1);
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
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_records_and_scans),
        cmocka_unit_test(test_field_units),
        cmocka_unit_test(test_torn_field_is_left_to_the_layer_above),
        cmocka_unit_test(test_read_progress),
        cmocka_unit_test(test_erase_trailer),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
