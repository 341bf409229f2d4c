/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the image trailer: offsets and sizes equal MCUboot's for every write unit, MA and
 * erased value; both magic encodings; the status records of every mode; imgtool's pad size;
 * imgtool's padded interop vectors decode to the states their manifest names. Field writes
 * through flash_area_* are in test_trailer_flash.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "boot/swap_state.h"
#include "boot/trailer.h"
#include "port_flash_map.h"
#include "support/interop.h"

static const uint32_t max_aligns[] = { 8, 16, 32 };
static const uint32_t write_units[] = { 1, 2, 4, 8, 16, 32 };
static const uint8_t erased_vals[] = { 0xff, 0x00 };
static const enum trailer_mode modes[] = { TRAILER_MODE_OVERWRITE, TRAILER_MODE_SCRATCH,
                                           TRAILER_MODE_MOVE, TRAILER_MODE_OFFSET };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t classic_magic[16] = { 0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                           0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80 };
static const uint8_t aligned_tail[14] = { 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                          0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a };

static struct trailer_config make_cfg(uint32_t size, uint32_t w, uint32_t ma, uint8_t erased,
                                      enum trailer_mode mode, uint32_t sectors)
{
    struct trailer_config c;

    memset(&c, 0, sizeof(c));
    c.area_size = size;
    c.write_unit = w;
    c.max_align = ma;
    c.erased_val = erased;
    c.mode = mode;
    c.role = TRAILER_ROLE_SLOT;
    c.max_sectors = sectors;
    return c;
}

/*
 * MCUboot's numbers, written out independently of trailer.c: the magic unit is
 * ALIGN_UP(16, MA), then image_ok, copy_done, swap_info, (TLV sizes,) swap_size each one MA
 * lower; the status area holds sectors x states x w bytes below that.
 */
static void test_layout_matches_mcuboot(void **state)
{
    (void)state;
    const uint32_t size = 0x20000;
    const uint32_t sectors = 32;

    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t u = 0; u < N(write_units); u++) {
            for (size_t e = 0; e < N(erased_vals); e++) {
                for (size_t m = 0; m < N(modes); m++) {
                    uint32_t ma = max_aligns[a];
                    uint32_t w = write_units[u];
                    struct trailer_config c =
                        make_cfg(size, w, ma, erased_vals[e], modes[m], sectors);
                    struct trailer_layout l;
                    int rc = trailer_layout_init(&l, &c);

                    if (w > ma) {
                        assert_int_equal(rc, BO_EINVAL);
                        continue;
                    }
                    assert_int_equal(rc, 0);
                    uint32_t magic_unit = ma == 32 ? 32 : 16;
                    bool offset = modes[m] == TRAILER_MODE_OFFSET;
                    uint32_t states = offset ? 2 : 3;
                    uint32_t info = 4 * ma + magic_unit + (offset ? ma : 0);

                    assert_int_equal(l.magic_off, size - 16);
                    assert_int_equal(l.magic_unit_off, size - magic_unit);
                    assert_int_equal(l.magic_unit_sz, magic_unit);
                    assert_int_equal(l.image_ok_off, size - magic_unit - ma);
                    assert_int_equal(l.copy_done_off, size - magic_unit - 2 * ma);
                    assert_int_equal(l.swap_info_off, size - magic_unit - 3 * ma);
                    if (offset) {
                        assert_int_equal(l.tlv_sizes_off, size - magic_unit - 4 * ma);
                        assert_int_equal(l.swap_size_off, size - magic_unit - 5 * ma);
                    } else {
                        assert_int_equal(l.tlv_sizes_off, TRAILER_OFF_NONE);
                        assert_int_equal(l.swap_size_off, size - magic_unit - 4 * ma);
                    }
                    assert_int_equal(l.info_sz, info);
                    assert_int_equal(l.swap_size_off, size - info);
                    assert_int_equal(l.status_states, states);
                    assert_int_equal(l.status_entries, sectors);
                    assert_int_equal(l.status_sz, sectors * states * w);
                    assert_int_equal(l.trailer_sz, sectors * states * w + info);
                    assert_int_equal(l.status_off, size - l.trailer_sz);
                }
            }
        }
    }
}

/* Literal offsets from the end of a slot, per MA, as MCUboot and imgtool place them. */
static void test_layout_literal_offsets(void **state)
{
    (void)state;
    static const struct {
        uint32_t ma, image_ok, copy_done, swap_info, swap_size;
    } want[] = {
        { 8, 24, 32, 40, 48 },
        { 16, 32, 48, 64, 80 },
        { 32, 64, 96, 128, 160 },
    };
    const uint32_t size = 0x34000;

    for (size_t i = 0; i < N(want); i++) {
        struct trailer_config c = make_cfg(size, 4, want[i].ma, 0xff, TRAILER_MODE_SCRATCH, 128);
        struct trailer_layout l;

        assert_int_equal(trailer_layout_init(&l, &c), 0);
        assert_int_equal(size - l.image_ok_off, want[i].image_ok);
        assert_int_equal(size - l.copy_done_off, want[i].copy_done);
        assert_int_equal(size - l.swap_info_off, want[i].swap_info);
        assert_int_equal(size - l.swap_size_off, want[i].swap_size);
    }
    /* MA 8, write unit 8, 128 sectors: the classic 3120-byte trailer. */
    struct trailer_config c = make_cfg(size, 8, 8, 0xff, TRAILER_MODE_SCRATCH, 128);
    struct trailer_layout l;

    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(l.trailer_sz, 3120);
}

/* Outside swap-using-offset, MCUboot's trailer_sz is the size imgtool reserves. */
static void test_layout_equals_imgtool_size(void **state)
{
    (void)state;
    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t u = 0; u < N(write_units); u++) {
            uint32_t ma = max_aligns[a];
            uint32_t w = write_units[u];
            struct trailer_layout l;
            uint32_t sz = 0;

            if (w > ma) {
                continue;
            }
            for (size_t m = 0; m < 3; m++) {
                struct trailer_config c = make_cfg(0x40000, w, ma, 0xff, modes[m], 128);

                assert_int_equal(trailer_layout_init(&l, &c), 0);
                assert_int_equal(trailer_imgtool_size(w, ma, 128, false, &sz), 0);
                assert_int_equal(l.trailer_sz, sz);
            }
        }
    }
}

static void test_layout_scratch_and_field_only(void **state)
{
    (void)state;
    struct trailer_config c = make_cfg(0x2000, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 128);
    struct trailer_layout l;

    c.role = TRAILER_ROLE_SCRATCH;
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(l.status_entries, 1);
    assert_int_equal(l.status_sz, 3 * 4);
    assert_int_equal(l.trailer_sz, 3 * 4 + 48); /* MCUboot's boot_scratch_trailer_sz(). */
    assert_int_equal(l.image_ok_off, 0x2000 - 24);

    /* A scratch area exists only in swap-using-scratch. */
    c.mode = TRAILER_MODE_MOVE;
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);

    /* Field-only: no status area, same field offsets. */
    c = make_cfg(0x1000, 4, 16, 0x00, TRAILER_MODE_SCRATCH, 0);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(l.status_sz, 0);
    assert_int_equal(l.image_ok_off, 0x1000 - 32);
}

static void test_layout_rejects(void **state)
{
    (void)state;
    struct trailer_layout l;
    struct trailer_config c;

    memset(&l, 0x5a, sizeof(l));
    static const uint32_t bad_w[] = { 0, 3, 5, 6, 12, 24, 64 };
    for (size_t i = 0; i < N(bad_w); i++) {
        c = make_cfg(0x10000, bad_w[i], 32, 0xff, TRAILER_MODE_SCRATCH, 16);
        assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    }
    static const uint32_t bad_ma[] = { 0, 1, 4, 12, 24, 64 };
    for (size_t i = 0; i < N(bad_ma); i++) {
        c = make_cfg(0x10000, 1, bad_ma[i], 0xff, TRAILER_MODE_SCRATCH, 16);
        assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    }
    c = make_cfg(0x10000, 16, 8, 0xff, TRAILER_MODE_SCRATCH, 16); /* w > MA */
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    c = make_cfg(0x10000, 4, 8, 0x55, TRAILER_MODE_SCRATCH, 16);
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    c = make_cfg(0x10004, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 16); /* Not a multiple of MA. */
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    c = make_cfg(0, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 16);
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    c = make_cfg(0x10000, 4, 8, 0xff, (enum trailer_mode)7, 16);
    assert_int_equal(trailer_layout_init(&l, &c), BO_EINVAL);
    assert_int_equal(trailer_layout_init(NULL, &c), BO_EINVAL);
    assert_int_equal(trailer_layout_init(&l, NULL), BO_EINVAL);

    /* The trailer must fit: 48 + 16 x 3 x 4 = 240 bytes. */
    c = make_cfg(240, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 16);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(l.status_off, 0);
    c = make_cfg(232, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 16);
    assert_int_equal(trailer_layout_init(&l, &c), BO_ERANGE);
    /* Huge sector counts do not overflow into a fit. */
    c = make_cfg(0x40000, 32, 32, 0xff, TRAILER_MODE_SCRATCH, UINT32_MAX);
    assert_int_equal(trailer_layout_init(&l, &c), BO_ERANGE);
}

static void test_magic_encodings(void **state)
{
    (void)state;
    uint8_t m[16];

    assert_int_equal(trailer_magic_bytes(8, m), 0);
    assert_memory_equal(m, classic_magic, 16);
    assert_int_equal(trailer_magic_bytes(16, m), 0);
    assert_int_equal(m[0], 0x10);
    assert_int_equal(m[1], 0x00);
    assert_memory_equal(m + 2, aligned_tail, 14);
    assert_int_equal(trailer_magic_bytes(32, m), 0);
    assert_int_equal(m[0], 0x20);
    assert_int_equal(m[1], 0x00);
    assert_memory_equal(m + 2, aligned_tail, 14);
    assert_int_equal(trailer_magic_bytes(4, m), BO_EINVAL);
    assert_int_equal(trailer_magic_bytes(64, m), BO_EINVAL);

    /* A magic is GOOD only for its own MA. */
    struct trailer_config c8 = make_cfg(0x1000, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 1);
    struct trailer_config c16 = make_cfg(0x1000, 4, 16, 0xff, TRAILER_MODE_SCRATCH, 1);
    struct trailer_config c32 = make_cfg(0x1000, 4, 32, 0xff, TRAILER_MODE_SCRATCH, 1);
    struct trailer_layout l8, l16, l32;

    assert_int_equal(trailer_layout_init(&l8, &c8), 0);
    assert_int_equal(trailer_layout_init(&l16, &c16), 0);
    assert_int_equal(trailer_layout_init(&l32, &c32), 0);
    assert_int_equal(trailer_decode_magic(&l8, classic_magic), TRAILER_MAGIC_GOOD);
    assert_int_equal(trailer_decode_magic(&l16, classic_magic), TRAILER_MAGIC_BAD);
    assert_int_equal(trailer_decode_magic(&l32, m), TRAILER_MAGIC_GOOD);
    assert_int_equal(trailer_decode_magic(&l16, m), TRAILER_MAGIC_BAD);
    memset(m, 0xff, sizeof(m));
    assert_int_equal(trailer_decode_magic(&l8, m), TRAILER_MAGIC_UNSET);
    m[15] = 0xfe;
    assert_int_equal(trailer_decode_magic(&l8, m), TRAILER_MAGIC_BAD);
}

static void test_decode_flags_both_erased_values(void **state)
{
    (void)state;
    struct trailer_layout lff, l00;
    struct trailer_config c = make_cfg(0x1000, 1, 8, 0xff, TRAILER_MODE_SCRATCH, 1);
    uint8_t m[16];

    assert_int_equal(trailer_layout_init(&lff, &c), 0);
    c.erased_val = 0x00;
    assert_int_equal(trailer_layout_init(&l00, &c), 0);
    assert_int_equal(trailer_decode_flag(&lff, 0xff), TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_decode_flag(&lff, 0x01), TRAILER_FLAG_SET);
    assert_int_equal(trailer_decode_flag(&lff, 0x00), TRAILER_FLAG_BAD);
    assert_int_equal(trailer_decode_flag(&lff, 0x03), TRAILER_FLAG_BAD);
    assert_int_equal(trailer_decode_flag(&l00, 0x00), TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_decode_flag(&l00, 0x01), TRAILER_FLAG_SET);
    assert_int_equal(trailer_decode_flag(&l00, 0xff), TRAILER_FLAG_BAD);
    memset(m, 0x00, sizeof(m));
    assert_int_equal(trailer_decode_magic(&l00, m), TRAILER_MAGIC_UNSET);
    assert_int_equal(trailer_decode_magic(&lff, m), TRAILER_MAGIC_BAD);
    memset(m, 0xff, sizeof(m));
    assert_int_equal(trailer_decode_magic(&l00, m), TRAILER_MAGIC_BAD);
}

static void test_status_records(void **state)
{
    (void)state;
    struct trailer_layout l;
    struct trailer_config c;
    uint32_t off = 0;

    /* Scratch: 3 records per entry, entry 1 first. */
    c = make_cfg(0x10000, 4, 8, 0xff, TRAILER_MODE_SCRATCH, 16);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 1, 1, &off), 0);
    assert_int_equal(off, l.status_off);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 1, 3, &off), 0);
    assert_int_equal(off, l.status_off + 8);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 2, 1, &off), 0);
    assert_int_equal(off, l.status_off + 12);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 16, 3, &off), 0);
    assert_int_equal(off, l.status_off + l.status_sz - 4);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 17, 1, &off), BO_EINVAL);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 1, 4, &off), BO_EINVAL);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 0, 1, &off), BO_EINVAL);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_MOVE, 1, 1, &off), BO_EINVAL);

    /* Move: 16 move records, then 16 x 2 swap records. */
    c = make_cfg(0x10000, 8, 8, 0xff, TRAILER_MODE_MOVE, 16);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(l.status_sz, 16 * 3 * 8);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_MOVE, 1, 1, &off), 0);
    assert_int_equal(off, l.status_off);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_MOVE, 16, 1, &off), 0);
    assert_int_equal(off, l.status_off + 15 * 8);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_MOVE, 1, 2, &off), BO_EINVAL);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 1, 1, &off), 0);
    assert_int_equal(off, l.status_off + 16 * 8);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 2, 2, &off), 0);
    assert_int_equal(off, l.status_off + 16 * 8 + 3 * 8);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 16, 2, &off), 0);
    assert_int_equal(off + 8, l.status_off + l.status_sz);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 1, 3, &off), BO_EINVAL);

    /* Offset: 2 records per entry. */
    c = make_cfg(0x10000, 2, 16, 0x00, TRAILER_MODE_OFFSET, 16);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 3, 2, &off), 0);
    assert_int_equal(off, l.status_off + (2 * 2 + 1) * 2);
    assert_int_equal(trailer_status_record_off(&l, TRAILER_STATUS_OP_SWAP, 3, 3, &off), BO_EINVAL);
}

static void test_imgtool_size(void **state)
{
    (void)state;
    uint32_t sz = 0;

    assert_int_equal(trailer_imgtool_size(1, 8, 128, false, &sz), 0);
    assert_int_equal(sz, 128 * 3 + 32 + 16);
    assert_int_equal(trailer_imgtool_size(4, 8, 128, false, &sz), 0);
    assert_int_equal(sz, 1584);
    assert_int_equal(trailer_imgtool_size(8, 32, 128, false, &sz), 0);
    assert_int_equal(sz, 3072 + 128 + 32);
    /* imgtool accepts a write unit above MA; MCUboot's layout does not. */
    assert_int_equal(trailer_imgtool_size(32, 8, 128, false, &sz), 0);
    assert_int_equal(sz, 128 * 3 * 32 + 32 + 16);
    assert_int_equal(trailer_imgtool_size(4, 8, 128, true, &sz), 0);
    assert_int_equal(sz, 32);
    assert_int_equal(trailer_imgtool_size(4, 32, 128, true, &sz), 0);
    assert_int_equal(sz, 96);
    assert_int_equal(trailer_imgtool_size(3, 8, 128, false, &sz), BO_EINVAL);
    assert_int_equal(trailer_imgtool_size(64, 8, 128, false, &sz), BO_EINVAL);
    assert_int_equal(trailer_imgtool_size(4, 4, 128, false, &sz), BO_EINVAL);
    assert_int_equal(trailer_imgtool_size(4, 8, 0, false, &sz), BO_EINVAL);
    assert_int_equal(trailer_imgtool_size(32, 8, UINT32_MAX, false, &sz), BO_EINVAL);
}

static void test_render(void **state)
{
    (void)state;
    struct trailer_config c = make_cfg(0x1000, 8, 32, 0x00, TRAILER_MODE_SCRATCH, 4);
    struct trailer_layout l;
    struct trailer_fields f;
    uint8_t tail[256];
    uint8_t m[16];

    assert_int_equal(trailer_layout_init(&l, &c), 0);
    memset(&f, 0, sizeof(f));
    f.magic = true;
    f.image_ok = true;
    f.copy_done = true;
    f.swap_type = TRAILER_SWAP_TYPE_PERM;
    f.image_num = 1;
    f.has_swap_size = true;
    f.swap_size = 0x12345678;
    assert_int_equal(trailer_render(&l, &f, tail, sizeof(tail)), 0);
    uint8_t *end = tail + sizeof(tail);
    assert_int_equal(trailer_magic_bytes(32, m), 0);
    assert_memory_equal(end - 16, m, 16);
    for (int i = 32; i > 16; i--) {
        assert_int_equal(end[-i], 0x00); /* Erased padding before the 32-form magic. */
    }
    assert_int_equal(end[-64], 0x01);
    assert_int_equal(end[-96], 0x01);
    assert_int_equal(end[-128], 0x13);
    assert_int_equal(end[-160], 0x78);
    assert_int_equal(end[-159], 0x56);
    assert_int_equal(end[-158], 0x34);
    assert_int_equal(end[-157], 0x12);
    assert_int_equal(end[-63], 0x00);
    assert_int_equal(tail[0], 0x00);

    assert_int_equal(trailer_render(&l, &f, tail, l.info_sz - 1), BO_EINVAL);
    f.image_num = 16;
    assert_int_equal(trailer_render(&l, &f, tail, sizeof(tail)), BO_EINVAL);
}

static void test_render_pad(void **state)
{
    (void)state;
    uint8_t tail[200];
    uint8_t m[16];

    assert_int_equal(trailer_render_pad(32, 0x00, true, tail, sizeof(tail)), 0);
    assert_int_equal(trailer_magic_bytes(32, m), 0);
    assert_memory_equal(tail + sizeof(tail) - 16, m, 16);
    for (size_t i = 0; i < sizeof(tail) - 16; i++) {
        assert_int_equal(tail[i], i == sizeof(tail) - 64 ? 0x01 : 0x00);
    }
    assert_int_equal(trailer_render_pad(16, 0xff, false, tail, 32), 0);
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(tail[i], 0xff);
    }
    assert_int_equal(trailer_render_pad(16, 0xff, true, tail, 32), 0);
    assert_int_equal(tail[0], 0x01);
    assert_int_equal(trailer_render_pad(16, 0xff, true, tail, 48), 0);
    assert_int_equal(tail[16], 0x01);
    assert_int_equal(tail[0], 0xff);
    assert_int_equal(trailer_render_pad(16, 0xff, true, tail, 31), BO_EINVAL);
    assert_int_equal(trailer_render_pad(8, 0x12, true, tail, 64), BO_EINVAL);
    assert_int_equal(trailer_render_pad(4, 0xff, true, tail, 64), BO_EINVAL);
}

static void test_sector_span(void **state)
{
    (void)state;
    /* A 3120-byte trailer (MA 8, w 8, 128 sectors) at the end of eight 4 KiB sectors. */
    struct trailer_config c = make_cfg(0x8000, 8, 8, 0xff, TRAILER_MODE_SCRATCH, 128);
    struct trailer_layout l;
    struct flash_sector secs[8];
    uint32_t first = 0, off = 0;

    assert_int_equal(trailer_layout_init(&l, &c), 0);
    for (uint32_t i = 0; i < 8; i++) {
        secs[i].fs_off = i * 0x1000;
        secs[i].fs_size = 0x1000;
    }
    assert_int_equal(trailer_sector_span(&l, secs, 8, &first, &off), 0);
    assert_int_equal(first, 7);
    assert_int_equal(off, 0x7000);
    /* With 1 KiB sectors at the end it spans four of them. */
    struct flash_sector mixed[5] = {
        { 0, 0x4000 }, { 0x4000, 0x2000 }, { 0x6000, 0x1000 }, { 0x7000, 0x800 }, { 0x7800, 0x800 }
    };
    c = make_cfg(0x8000, 8, 8, 0xff, TRAILER_MODE_SCRATCH, 128);
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_sector_span(&l, mixed, 5, &first, NULL), 0);
    assert_int_equal(first, 3);
    c.max_sectors = 200; /* 4848 bytes: reaches into the 4 KiB sector. */
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_sector_span(&l, mixed, 5, &first, &off), 0);
    assert_int_equal(first, 2);
    assert_int_equal(off, 0x6000);
    /* Sectors that do not tile the area are refused. */
    mixed[3].fs_off = 0x7100;
    assert_int_equal(trailer_sector_span(&l, mixed, 5, &first, NULL), BO_EINVAL);
    assert_int_equal(trailer_sector_span(&l, secs, 7, &first, NULL), BO_EINVAL);
    assert_int_equal(trailer_sector_span(&l, secs, 0, &first, NULL), BO_EINVAL);
}

/* The padded imgtool vectors: the slot is the whole file, MA 8 (imgtool's default). */
static void check_padded_vector(const char *name, bool image_ok_set)
{
    const char *dir = interop_imgtool_dir();
    uint8_t *data = NULL;
    size_t len = 0;

    assert_non_null(dir);
    assert_int_equal(interop_read_file(interop_path(dir, name), &data, &len), 0);
    assert_true(len >= 0x1000 && len % 8 == 0);

    struct trailer_config c = make_cfg((uint32_t)len, 1, 8, 0xff, TRAILER_MODE_SCRATCH, 128);
    struct trailer_layout l;
    struct boot_swap_state st;

    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_decode_magic(&l, data + l.magic_off), TRAILER_MAGIC_GOOD);
    assert_int_equal(trailer_decode_flag(&l, data[l.image_ok_off]),
                     image_ok_set ? TRAILER_FLAG_SET : TRAILER_FLAG_UNSET);
    assert_int_equal(trailer_decode_flag(&l, data[l.copy_done_off]), TRAILER_FLAG_UNSET);
    memset(&st, 0, sizeof(st));
    swap_state_decode_info(&l, data[l.swap_info_off], &st);
    assert_int_equal(st.swap_type, TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(st.image_num, 0);

    /* Rendering the same request gives the same bytes over the whole imgtool trailer. */
    uint32_t isz = 0;
    assert_int_equal(trailer_imgtool_size(1, 8, 128, false, &isz), 0);
    uint8_t *tail = malloc(isz);
    struct trailer_fields f;

    assert_non_null(tail);
    memset(&f, 0, sizeof(f));
    f.magic = true;
    f.image_ok = image_ok_set;
    assert_int_equal(trailer_render(&l, &f, tail, isz), 0);
    assert_memory_equal(tail, data + len - isz, isz);

    /* So does imgtool's own --pad rendering. */
    assert_int_equal(trailer_render_pad(8, 0xff, image_ok_set, tail, isz), 0);
    assert_memory_equal(tail, data + len - isz, isz);

    /* Decoded with the 16- or 32-form magic, the classic magic is bad. */
    c.max_align = 16;
    assert_int_equal(trailer_layout_init(&l, &c), 0);
    assert_int_equal(trailer_decode_magic(&l, data + l.magic_off), TRAILER_MAGIC_BAD);
    free(tail);
    free(data);
}

static void test_interop_padded_vectors(void **state)
{
    (void)state;
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    int n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    int seen = 0;

    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        if (strstr(rows[i].note, "padded") == NULL) {
            continue;
        }
        /* The manifest says which trailer each padded vector carries. */
        bool image_ok = strstr(rows[i].note, "image_ok set") != NULL;
        assert_true(image_ok || strstr(rows[i].note, "image_ok unset") != NULL);
        check_padded_vector(rows[i].file, image_ok);
        seen++;
    }
    assert_int_equal(seen, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_matches_mcuboot),
        cmocka_unit_test(test_layout_literal_offsets),
        cmocka_unit_test(test_layout_equals_imgtool_size),
        cmocka_unit_test(test_layout_scratch_and_field_only),
        cmocka_unit_test(test_layout_rejects),
        cmocka_unit_test(test_magic_encodings),
        cmocka_unit_test(test_decode_flags_both_erased_values),
        cmocka_unit_test(test_status_records),
        cmocka_unit_test(test_imgtool_size),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_pad),
        cmocka_unit_test(test_sector_span),
        cmocka_unit_test(test_interop_padded_vectors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
