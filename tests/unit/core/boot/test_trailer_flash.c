/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the image trailer through flash_area_* on a board built in RAM: field writes on NOR
 * and ECC flash, for every write unit, MA, erased value and mode, are byte-exact, read back, and
 * never program a unit twice; the layout taken from a flash area.
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

static const uint32_t max_aligns[] = { 8, 16, 32 };
static const uint32_t write_units[] = { 1, 2, 4, 8, 16, 32 };
static const uint8_t erased_vals[] = { 0xff, 0x00 };
static const enum trailer_mode modes[] = { TRAILER_MODE_OVERWRITE, TRAILER_MODE_SCRATCH,
                                           TRAILER_MODE_MOVE, TRAILER_MODE_OFFSET };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A board built in RAM with one flash device, both slots and a scratch, as the flash map. */
struct rig {
    struct port_flash_map map;
    struct port_flash_map *prev;
    struct vflash *dev;
};

static void rig_setup(struct rig *r, uint32_t w, uint8_t erased, enum vflash_semantics sem,
                      uint32_t slot_size)
{
    struct board b;

    board_init(&b);
    strcpy(b.name, "trailer-test");
    b.flash_count = 1;
    strcpy(b.flash[0].name, "internal");
    b.flash[0].geom.runs[0].count = (2 * slot_size + 0x2000) / 0x1000;
    b.flash[0].geom.runs[0].size = 0x1000;
    b.flash[0].geom.run_count = 1;
    b.flash[0].geom.write_unit = w;
    b.flash[0].geom.erased_val = erased;
    b.flash[0].geom.semantics = sem;
    b.part[FLASH_AREA_IMAGE_0] = (struct board_partition){ true, 0, 0, slot_size, 0 };
    b.part[FLASH_AREA_IMAGE_1] = (struct board_partition){ true, 0, slot_size, slot_size, 0 };
    b.part[FLASH_AREA_IMAGE_SCRATCH] =
        (struct board_partition){ true, 0, 2 * slot_size, 0x2000, 0 };
    port_flash_map_init(&r->map);
    assert_int_equal(port_flash_map_setup_board(&r->map, &b), 0);
    r->prev = port_flash_map_activate(&r->map);
    r->dev = port_flash_map_device(&r->map, 0);
    assert_non_null(r->dev);
}

static void rig_free(struct rig *r)
{
    assert_int_equal(port_flash_map_open_total(&r->map), 0);
    port_flash_map_activate(r->prev);
    port_flash_map_free(&r->map);
}

/* Writes every field of a fresh trailer, one program operation each; returns the op count. */
static uint64_t write_all_fields(struct rig *r, const struct flash_area *fa,
                                 const struct trailer_layout *l, enum trailer_mode mode)
{
    uint64_t ops0 = r->dev->stats.ops;
    uint64_t ops;

    assert_int_equal(trailer_write_swap_size(fa, l, 0x0001f000), 0);
    if (mode == TRAILER_MODE_OFFSET) {
        assert_int_equal(trailer_write_tlv_sizes(fa, l, 0x0123, 0x4567), 0);
    } else {
        assert_int_equal(trailer_write_tlv_sizes(fa, l, 1, 2), BO_EINVAL);
    }
    assert_int_equal(trailer_write_swap_info(fa, l, TRAILER_SWAP_TYPE_REVERT, 1), 0);
    assert_int_equal(trailer_write_copy_done(fa, l), 0);
    assert_int_equal(trailer_write_image_ok(fa, l), 0);
    assert_int_equal(trailer_write_magic(fa, l), 0);
    /* One program operation per field (no paging on this part). */
    ops = r->dev->stats.ops;
    assert_int_equal(ops - ops0, mode == TRAILER_MODE_OFFSET ? 6 : 5);
    return ops;
}

/* Checks the fields write_all_fields() wrote: flash against trailer_render(), and read back. */
static void check_fields_read(const struct flash_area *fa, const struct trailer_layout *l,
                              enum trailer_mode mode)
{
    struct trailer_fields f;
    struct boot_swap_state st;
    uint8_t want[512];
    uint8_t got[512];
    uint32_t ss = 0;

    memset(&f, 0, sizeof(f));
    f.magic = f.image_ok = f.copy_done = true;
    f.swap_type = TRAILER_SWAP_TYPE_REVERT;
    f.image_num = 1;
    f.has_swap_size = true;
    f.swap_size = 0x0001f000;
    assert_int_equal(trailer_render(l, &f, want, l->info_sz), 0);
    if (mode == TRAILER_MODE_OFFSET) {
        uint8_t *t = want + l->info_sz - (l->cfg.area_size - l->tlv_sizes_off);
        t[0] = 0x23;
        t[1] = 0x01;
        t[2] = 0x67;
        t[3] = 0x45;
    }
    assert_int_equal(flash_area_read(fa, l->swap_size_off, got, l->info_sz), 0);
    assert_memory_equal(got, want, l->info_sz);

    assert_int_equal(swap_state_read(fa, l, &st), 0);
    assert_int_equal(st.magic, TRAILER_MAGIC_GOOD);
    assert_int_equal(st.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(st.copy_done, TRAILER_FLAG_SET);
    assert_int_equal(st.swap_type, TRAILER_SWAP_TYPE_REVERT);
    assert_int_equal(st.image_num, 1);
    assert_int_equal(trailer_read_swap_size(fa, l, &ss), 0);
    assert_int_equal(ss, 0x0001f000);
    if (mode == TRAILER_MODE_OFFSET) {
        uint16_t a = 0, b = 0;
        assert_int_equal(trailer_read_tlv_sizes(fa, l, &a, &b), 0);
        assert_int_equal(a, 0x0123);
        assert_int_equal(b, 0x4567);
    }
}

/* Writes and reads a status record; writing it again programs nothing. */
static void check_status_record(const struct flash_area *fa, const struct trailer_layout *l,
                                enum trailer_mode mode, uint32_t w, uint8_t erased)
{
    uint8_t got[32];
    uint8_t v = 0;
    uint32_t off = 0;
    enum trailer_status_op op =
        mode == TRAILER_MODE_MOVE ? TRAILER_STATUS_OP_MOVE : TRAILER_STATUS_OP_SWAP;

    assert_true(w <= sizeof(got));
    assert_int_equal(trailer_read_status(fa, l, op, 3, 1, &v), 0);
    assert_int_equal(v, erased);
    assert_int_equal(trailer_write_status(fa, l, op, 3, 1, 1), 0);
    assert_int_equal(trailer_read_status(fa, l, op, 3, 1, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(trailer_status_record_off(l, op, 3, 1, &off), 0);
    assert_int_equal(flash_area_read(fa, off, got, w), 0);
    assert_int_equal(got[0], 1);
    for (uint32_t i = 1; i < w; i++) {
        assert_int_equal(got[i], erased);
    }
    assert_int_equal(trailer_write_status(fa, l, op, 3, 1, 1), 0);
    assert_int_equal(trailer_write_status(fa, l, op, 65, 1, 1), BO_EINVAL);
}

/* Writes every field of a fresh trailer and checks flash against trailer_render(). */
static void check_field_writes(uint32_t w, uint32_t ma, uint8_t erased, enum vflash_semantics sem,
                               enum trailer_mode mode)
{
    struct rig r;
    const struct flash_area *fa;
    struct trailer_params p = { ma, mode, 64, 0 };
    struct trailer_layout l;
    uint64_t ops;

    rig_setup(&r, w, erased, sem, 0x10000);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    assert_int_equal(l.cfg.write_unit, w);
    assert_int_equal(l.cfg.erased_val, erased);
    assert_true(l.info_sz <= 512);

    ops = write_all_fields(&r, fa, &l, mode);
    check_fields_read(fa, &l, mode);

    /* Writing the same values again programs nothing: safe on ECC parts. */
    assert_int_equal(trailer_write_magic(fa, &l), 0);
    assert_int_equal(trailer_write_image_ok(fa, &l), 0);
    assert_int_equal(trailer_write_copy_done(fa, &l), 0);
    assert_int_equal(trailer_write_swap_info(fa, &l, TRAILER_SWAP_TYPE_REVERT, 1), 0);
    assert_int_equal(trailer_write_swap_size(fa, &l, 0x0001f000), 0);
    assert_int_equal(r.dev->stats.ops, ops);

    /* A different value cannot be programmed over a written field. */
    assert_int_equal(trailer_write_swap_info(fa, &l, TRAILER_SWAP_TYPE_TEST, 1), BO_ESEMANTICS);
    assert_int_equal(trailer_write_swap_info(fa, &l, 16, 1), BO_EINVAL);

    check_status_record(fa, &l, mode, w, erased);
    flash_area_close(fa);
    rig_free(&r);
}

static void test_field_writes_every_geometry(void **state)
{
    (void)state;
    static const enum vflash_semantics sems[] = { VFLASH_NOR, VFLASH_ECC };

    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t u = 0; u < N(write_units); u++) {
            if (write_units[u] > max_aligns[a]) {
                continue;
            }
            for (size_t e = 0; e < N(erased_vals); e++) {
                for (size_t s = 0; s < N(sems); s++) {
                    for (size_t m = 0; m < N(modes); m++) {
                        check_field_writes(write_units[u], max_aligns[a], erased_vals[e], sems[s],
                                           modes[m]);
                    }
                }
            }
        }
    }
}

static void test_ecc_refuses_double_program(void **state)
{
    (void)state;
    struct rig r;
    const struct flash_area *fa;
    struct trailer_params p = { 8, TRAILER_MODE_SCRATCH, 16, 0 };
    struct trailer_layout l;
    uint8_t unit[8];

    rig_setup(&r, 8, 0xff, VFLASH_ECC, 0x10000);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    /* The part itself refuses a second program of a unit, even with the same data. */
    memset(unit, 0xff, sizeof(unit));
    unit[0] = 0x01;
    assert_int_equal(flash_area_write(fa, l.copy_done_off, unit, 8), 0);
    assert_int_equal(flash_area_write(fa, l.copy_done_off, unit, 8), BO_ESEMANTICS);
    /* The trailer code sees the value is there and does not try. */
    assert_int_equal(trailer_write_copy_done(fa, &l), 0);
    assert_int_equal(trailer_write_image_ok(fa, &l), 0);
    assert_int_equal(trailer_write_image_ok(fa, &l), 0);
    flash_area_close(fa);
    rig_free(&r);
}

static void test_layout_from_area(void **state)
{
    (void)state;
    struct rig r;
    const struct flash_area *fa;
    struct trailer_layout l;
    struct trailer_params p = { 16, TRAILER_MODE_SCRATCH, 8, 0 };

    rig_setup(&r, 4, 0x00, VFLASH_NOR, 0x10000);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &fa), 0);
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    assert_int_equal(l.cfg.role, TRAILER_ROLE_SCRATCH);
    assert_int_equal(l.cfg.area_size, 0x2000);
    assert_int_equal(l.status_entries, 1);
    /* MCUboot's BOOT_WRITE_SZ may be larger than the area's write unit, never smaller. */
    p.write_unit = 16;
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    assert_int_equal(l.cfg.write_unit, 16);
    p.write_unit = 2;
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), BO_EINVAL);
    /* A layout of another area size is refused by every access. */
    const struct flash_area *slot;
    enum trailer_magic_state ms;
    p.write_unit = 0;
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &slot), 0);
    assert_int_equal(trailer_read_magic(slot, &l, &ms), BO_EINVAL);
    assert_int_equal(trailer_write_magic(slot, &l), BO_EINVAL);
    flash_area_close(slot);
    flash_area_close(fa);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_writes_every_geometry),
        cmocka_unit_test(test_ecc_refuses_double_program),
        cmocka_unit_test(test_layout_from_area),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
