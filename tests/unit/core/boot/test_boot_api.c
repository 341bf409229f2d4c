/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the application-side API over flash in RAM: boot_set_pending (test and permanent)
 * then reading the state gives TEST / PERM; boot_set_confirmed sets image_ok; imgtool's padded
 * vectors read as the requests they carry; a power cut at every operation of a request leaves
 * either no request or the whole one, and a retry completes it; no write unit is ever
 * programmed twice between erases (a hook tracks every unit, on NOR parts too, and ECC parts
 * would refuse).
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
#include "boot/boot_api.h"
#include "boot/trailer.h"
#include "port_flash_map.h"
#include "support/interop.h"

#define SLOT_SIZE 0x40000u
#define SECTOR 0x1000u
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Tracks which write units are programmed, and counts double programs and cut requests. */
struct tracker {
    uint8_t *programmed; /* One byte per write unit of the device. */
    uint32_t write_unit;
    uint64_t doubles;
    int64_t cut_at; /* Device operation index to cut power at, or -1. */
};

struct rig {
    struct port_flash_map map;
    struct port_flash_map *prev;
    struct vflash *dev[2];
    struct tracker trk[2];
    uint32_t devices;
};

static int tracker_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct tracker *t = arg;

    if (t->cut_at >= 0 && op->index == (uint64_t)t->cut_at) {
        return BO_EPOWER;
    }
    if (op->kind == VFLASH_OP_ERASE) {
        const struct vflash_sector *s = &dev->sectors[op->sector];
        memset(t->programmed + s->off / t->write_unit, 0, s->size / t->write_unit);
        return 0;
    }
    for (uint32_t u = op->off / t->write_unit; u < (op->off + op->len) / t->write_unit; u++) {
        if (t->programmed[u]) {
            t->doubles++;
        }
        t->programmed[u] = 1;
    }
    return 0;
}

struct geom {
    uint32_t w;
    uint8_t erased;
    enum vflash_semantics sem;
};

/*
 * One device holding both images' slots and a scratch, or (split) the image-0 secondary slot on
 * a second device. with_image1 adds the image-1 slots.
 */
static void rig_setup(struct rig *r, struct geom g, bool with_image1, bool split)
{
    struct board b;
    uint32_t off = 0;

    memset(r, 0, sizeof(*r));
    board_init(&b);
    strcpy(b.name, "api-test");
    b.flash_count = split ? 2 : 1;
    for (uint32_t d = 0; d < b.flash_count; d++) {
        snprintf(b.flash[d].name, sizeof(b.flash[d].name), "dev%u", d);
        b.flash[d].geom.runs[0].count = (5 * SLOT_SIZE + 0x2000) / SECTOR;
        b.flash[d].geom.runs[0].size = SECTOR;
        b.flash[d].geom.run_count = 1;
        b.flash[d].geom.write_unit = g.w;
        b.flash[d].geom.erased_val = g.erased;
        b.flash[d].geom.semantics = g.sem;
    }
    b.part[FLASH_AREA_IMAGE_0] = (struct board_partition){ true, 0, off, SLOT_SIZE, 0 };
    off += SLOT_SIZE;
    if (split) {
        b.part[FLASH_AREA_IMAGE_1] = (struct board_partition){ true, 1, 0, SLOT_SIZE, 0 };
    } else {
        b.part[FLASH_AREA_IMAGE_1] = (struct board_partition){ true, 0, off, SLOT_SIZE, 0 };
        off += SLOT_SIZE;
    }
    if (with_image1) {
        b.part[FLASH_AREA_IMAGE_2] = (struct board_partition){ true, 0, off, SLOT_SIZE, 0 };
        off += SLOT_SIZE;
        b.part[FLASH_AREA_IMAGE_3] = (struct board_partition){ true, 0, off, SLOT_SIZE, 0 };
        off += SLOT_SIZE;
    }
    b.part[FLASH_AREA_IMAGE_SCRATCH] = (struct board_partition){ true, 0, off, 0x2000, 0 };
    port_flash_map_init(&r->map);
    assert_int_equal(port_flash_map_setup_board(&r->map, &b), 0);
    r->prev = port_flash_map_activate(&r->map);
    r->devices = b.flash_count;
    for (uint32_t d = 0; d < r->devices; d++) {
        r->dev[d] = port_flash_map_device(&r->map, d);
        assert_non_null(r->dev[d]);
        r->trk[d].write_unit = g.w;
        r->trk[d].cut_at = -1;
        r->trk[d].programmed = calloc(r->dev[d]->size / g.w, 1);
        assert_non_null(r->trk[d].programmed);
        vflash_set_hook(r->dev[d], tracker_hook, &r->trk[d]);
    }
}

static void rig_free(struct rig *r)
{
    for (uint32_t d = 0; d < r->devices; d++) {
        assert_int_equal(r->trk[d].doubles, 0);
        free(r->trk[d].programmed);
    }
    assert_int_equal(port_flash_map_open_total(&r->map), 0);
    assert_int_equal(r->map.misuse_count, 0);
    port_flash_map_activate(r->prev);
    port_flash_map_free(&r->map);
}

static uint64_t ops(const struct rig *r)
{
    return r->dev[0]->stats.ops;
}

static struct boot_swap_state read_state(const struct boot_api_config *cfg, int id)
{
    struct boot_swap_state s;

    memset(&s, 0, sizeof(s));
    assert_int_equal(boot_read_swap_state_by_id_cfg(cfg, id, &s), 0);
    return s;
}

static void erase_area(int id)
{
    const struct flash_area *fa;

    assert_int_equal(flash_area_open((uint8_t)id, &fa), 0);
    assert_int_equal(flash_area_erase(fa, 0, flash_area_get_size(fa)), 0);
    flash_area_close(fa);
}

/* Compares an area's trailer fields with a rendering of f. */
static void check_tail(const struct boot_api_config *cfg, int id, const struct trailer_fields *f)
{
    const struct flash_area *fa;
    struct trailer_params p = { cfg->max_align, TRAILER_MODE_SCRATCH, 0, 0 };
    struct trailer_layout l;
    uint8_t want[256];
    uint8_t got[256];

    assert_int_equal(flash_area_open((uint8_t)id, &fa), 0);
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    assert_int_equal(trailer_render(&l, f, want, l.info_sz), 0);
    assert_int_equal(flash_area_read(fa, l.swap_size_off, got, l.info_sz), 0);
    assert_memory_equal(got, want, l.info_sz);
    flash_area_close(fa);
}

static const uint32_t max_aligns[] = { 8, 16, 32 };
static const struct geom geoms[] = {
    { 1, 0xff, VFLASH_NOR },  { 4, 0xff, VFLASH_NOR },  { 8, 0xff, VFLASH_ECC },
    { 1, 0x00, VFLASH_NOR },  { 8, 0x00, VFLASH_ECC },  { 16, 0xff, VFLASH_ECC },
    { 32, 0xff, VFLASH_ECC }, { 32, 0x00, VFLASH_NOR },
};

static void check_pending(const struct boot_api_config *cfg, struct geom g)
{
    struct rig r;
    struct boot_swap_state s;
    struct trailer_fields f;

    rig_setup(&r, g, true, false);
    s = read_state(cfg, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_UNSET);
    assert_int_equal(s.image_ok, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_NONE);

    /* Test request. */
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 0), 0);
    s = read_state(cfg, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_UNSET);
    assert_int_equal(s.copy_done, BOOT_FLAG_UNSET);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(s.image_num, 0);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_TEST);
    memset(&f, 0, sizeof(f));
    f.magic = true;
    f.swap_type = BOOT_SWAP_TYPE_TEST;
    check_tail(cfg, FLASH_AREA_IMAGE_1, &f);
    /* Asking again, even for a permanent swap, changes nothing: the request stands. */
    uint64_t before = ops(&r);
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 0), 0);
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 1), 0);
    assert_int_equal(ops(&r), before);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_TEST);

    /* Permanent request on a fresh secondary. */
    erase_area(FLASH_AREA_IMAGE_1);
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 1), 0);
    s = read_state(cfg, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_SET);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_PERM);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_PERM);
    f.image_ok = true;
    f.swap_type = BOOT_SWAP_TYPE_PERM;
    check_tail(cfg, FLASH_AREA_IMAGE_1, &f);

    /* Image 1 carries its number in swap_info and does not disturb image 0. */
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 1), BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 1, 0), 0);
    s = read_state(cfg, FLASH_AREA_IMAGE_3);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(s.image_num, 1);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 1), BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_PERM);
    rig_free(&r);
}

static void test_set_pending_test_and_perm(void **state)
{
    (void)state;
    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t i = 0; i < N(geoms); i++) {
            struct boot_api_config cfg = { max_aligns[a] };

            if (geoms[i].w <= max_aligns[a]) {
                check_pending(&cfg, geoms[i]);
            }
        }
    }
}

/* Writes the primary trailer a test swap leaves: magic, swap_info TEST, copy_done. */
static void write_swapped_primary(const struct boot_api_config *cfg)
{
    const struct flash_area *fa;
    struct trailer_params p = { cfg->max_align, TRAILER_MODE_SCRATCH, 0, 0 };
    struct trailer_layout l;

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(trailer_layout_from_area(&l, fa, &p), 0);
    assert_int_equal(trailer_write_swap_info(fa, &l, BOOT_SWAP_TYPE_TEST, 0), 0);
    assert_int_equal(trailer_write_copy_done(fa, &l), 0);
    assert_int_equal(trailer_write_magic(fa, &l), 0);
    flash_area_close(fa);
}

static void check_confirm(const struct boot_api_config *cfg, struct geom g)
{
    struct rig r;
    struct boot_swap_state s;

    rig_setup(&r, g, false, false);
    /* Nothing swapped in: nothing to confirm, nothing written. */
    uint64_t before = ops(&r);
    assert_int_equal(boot_set_confirmed_multi_cfg(cfg, 0), 0);
    assert_int_equal(ops(&r), before);

    /* After a test swap the next boot would revert; confirming makes it stay. */
    write_swapped_primary(cfg);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(boot_set_confirmed_multi_cfg(cfg, 0), 0);
    s = read_state(cfg, FLASH_AREA_IMAGE_0);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_SET);
    assert_int_equal(s.copy_done, BOOT_FLAG_SET);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_NONE);
    before = ops(&r);
    assert_int_equal(boot_set_confirmed_multi_cfg(cfg, 0), 0);
    assert_int_equal(ops(&r), before);

    /* A bad primary magic cannot be confirmed. */
    erase_area(FLASH_AREA_IMAGE_0);
    const struct flash_area *fa;
    uint8_t junk[32];
    memset(junk, 0x5a, sizeof(junk));
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_0, &fa), 0);
    assert_int_equal(flash_area_write(fa, SLOT_SIZE - 32, junk, 32), 0);
    flash_area_close(fa);
    before = ops(&r);
    assert_int_equal(boot_set_confirmed_multi_cfg(cfg, 0), BO_EBADIMAGE);
    assert_int_equal(ops(&r), before);
    rig_free(&r);
}

static void test_set_confirmed(void **state)
{
    (void)state;
    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t i = 0; i < N(geoms); i++) {
            struct boot_api_config cfg = { max_aligns[a] };

            if (geoms[i].w <= max_aligns[a]) {
                check_confirm(&cfg, geoms[i]);
            }
        }
    }
}

static void test_bad_secondary_magic_erases_slot(void **state)
{
    (void)state;
    struct rig r;
    struct boot_api_config cfg = { 8 };
    const struct flash_area *fa;
    uint8_t buf[64];

    rig_setup(&r, (struct geom){ 8, 0xff, VFLASH_ECC }, false, false);
    memset(buf, 0x33, sizeof(buf));
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(flash_area_write(fa, 0, buf, sizeof(buf)), 0);
    assert_int_equal(flash_area_write(fa, SLOT_SIZE - 16, buf, 16), 0);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 0, 1), BO_EBADIMAGE);
    /* The whole slot is erased, so a later upgrade can use it. */
    uint8_t *all = malloc(SLOT_SIZE);
    assert_non_null(all);
    assert_int_equal(flash_area_read(fa, 0, all, SLOT_SIZE), 0);
    for (uint32_t i = 0; i < SLOT_SIZE; i++) {
        if (all[i] != 0xff) {
            fail_msg("byte %u not erased", i);
        }
    }
    free(all);
    flash_area_close(fa);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 0, 1), 0);
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 0), BOOT_SWAP_TYPE_PERM);
    rig_free(&r);
}

/*
 * Cuts power at every operation of a request: before the magic lands nothing is requested; a
 * retry then completes the request, on ECC parts too.
 */
static void check_power_cuts(const struct boot_api_config *cfg, struct geom g, int permanent)
{
    struct rig r;
    uint64_t total;

    rig_setup(&r, g, false, false);
    uint64_t base = ops(&r);
    assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, permanent), 0);
    total = ops(&r) - base;
    assert_int_equal(total, permanent ? 3 : 2);
    rig_free(&r);

    for (uint64_t k = 0; k < total; k++) {
        int want = permanent ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST;

        rig_setup(&r, g, false, false);
        r.trk[0].cut_at = (int64_t)(ops(&r) + k);
        assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, permanent), BO_EPOWER);
        r.trk[0].cut_at = -1;
        port_flash_map_power_on(&r.map);
        assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), BOOT_SWAP_TYPE_NONE);
        if (permanent && k > 0) {
            /* image_ok landed: a test request can no longer be written over it. */
            assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 0), BO_ESTATE);
        }
        if (!permanent && k > 0) {
            /* swap_info says TEST: a permanent request would contradict it. */
            assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, 1), BO_ESTATE);
        }
        assert_int_equal(boot_set_pending_multi_cfg(cfg, 0, permanent), 0);
        assert_int_equal(boot_swap_type_multi_cfg(cfg, 0), want);
        rig_free(&r);
    }
}

static void test_power_cut_then_retry(void **state)
{
    (void)state;
    for (size_t a = 0; a < N(max_aligns); a++) {
        for (size_t i = 0; i < N(geoms); i++) {
            struct boot_api_config cfg = { max_aligns[a] };

            if (geoms[i].w <= max_aligns[a]) {
                check_power_cuts(&cfg, geoms[i], 0);
                check_power_cuts(&cfg, geoms[i], 1);
            }
        }
    }
}

/*
 * Programs an imgtool vector into a slot, one write unit at a time. With skip_blank, units that
 * hold only the erased value are left unprogrammed, as a programmer that skips blank data does;
 * without it every unit is programmed, padding included.
 */
static void program_vector(int id, const char *name, bool skip_blank)
{
    const char *dir = interop_imgtool_dir();
    const struct flash_area *fa;
    uint8_t *data = NULL;
    uint8_t blank[32];
    size_t len = 0;
    uint32_t w;

    assert_non_null(dir);
    assert_int_equal(interop_read_file(interop_path(dir, name), &data, &len), 0);
    assert_int_equal(len, SLOT_SIZE);
    assert_int_equal(flash_area_open((uint8_t)id, &fa), 0);
    assert_int_equal(flash_area_erase(fa, 0, SLOT_SIZE), 0);
    w = flash_area_align(fa);
    memset(blank, flash_area_erased_val(fa), sizeof(blank));
    if (!skip_blank) {
        assert_int_equal(flash_area_write(fa, 0, data, (uint32_t)len), 0);
    }
    for (uint32_t off = 0; skip_blank && off < len; off += w) {
        if (memcmp(data + off, blank, w) != 0) {
            assert_int_equal(flash_area_write(fa, off, data + off, w), 0);
        }
    }
    flash_area_close(fa);
    free(data);
}

static void test_imgtool_padded_vectors(void **state)
{
    (void)state;
    struct rig r;
    struct boot_api_config ma8 = { 8 };
    struct boot_api_config ma16 = { 16 };
    struct boot_swap_state s;

    rig_setup(&r, (struct geom){ 4, 0xff, VFLASH_ECC }, false, false);
    /* --pad: a test request. */
    program_vector(FLASH_AREA_IMAGE_1, "ec256-test-padded.bin", false);
    s = read_state(&ma8, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_UNSET);
    assert_int_equal(boot_swap_type_multi_cfg(&ma8, 0), BOOT_SWAP_TYPE_TEST);
    /* A bootloader built for another MA sees no magic it knows. */
    s = read_state(&ma16, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_BAD);
    assert_int_equal(boot_swap_type_multi_cfg(&ma16, 0), BOOT_SWAP_TYPE_NONE);
    /* The request stands: asking again writes nothing. */
    uint64_t before = ops(&r);
    assert_int_equal(boot_set_pending_multi_cfg(&ma8, 0, 0), 0);
    assert_int_equal(ops(&r), before);

    /* --pad --confirm: a permanent request. */
    program_vector(FLASH_AREA_IMAGE_1, "ec256-confirm-padded.bin", false);
    s = read_state(&ma8, FLASH_AREA_IMAGE_1);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_SET);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_swap_type_multi_cfg(&ma8, 0), BOOT_SWAP_TYPE_PERM);

    /*
     * A --pad image flashed into the primary can be confirmed by the app, as long as the
     * programmer left the blank image_ok unit unprogrammed: on an ECC part a unit programmed
     * with the erased value cannot be programmed again.
     */
    erase_area(FLASH_AREA_IMAGE_1);
    program_vector(FLASH_AREA_IMAGE_0, "ec256-test-padded.bin", false);
    assert_int_equal(boot_swap_type_multi_cfg(&ma8, 0), BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_set_confirmed_multi_cfg(&ma8, 0), BO_ESEMANTICS);
    program_vector(FLASH_AREA_IMAGE_0, "ec256-test-padded.bin", true);
    assert_int_equal(boot_set_confirmed_multi_cfg(&ma8, 0), 0);
    s = read_state(&ma8, FLASH_AREA_IMAGE_0);
    assert_int_equal(s.image_ok, BOOT_FLAG_SET);
    assert_int_equal(s.copy_done, BOOT_FLAG_UNSET);
    rig_free(&r);
}

static void test_default_max_align_api(void **state)
{
    (void)state;
    struct rig r;
    struct boot_api_config dflt = { BOOT_API_DEFAULT_MAX_ALIGN };
    struct boot_api_config other = { BOOT_API_DEFAULT_MAX_ALIGN == 8 ? 16 : 8 };
    struct boot_swap_state s;
    const struct flash_area *fa;

    rig_setup(&r, (struct geom){ 8, 0xff, VFLASH_NOR }, false, false);
    assert_int_equal(boot_swap_type(), BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_set_pending(0), 0);
    assert_int_equal(boot_swap_type(), BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_multi(0), BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_multi_cfg(&dflt, 0), BOOT_SWAP_TYPE_TEST);
    assert_int_equal(boot_swap_type_multi_cfg(&other, 0), BOOT_SWAP_TYPE_NONE);
    assert_int_equal(boot_read_swap_state_by_id(FLASH_AREA_IMAGE_1, &s), 0);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(boot_read_swap_state(fa, &s), 0);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_TEST);
    flash_area_close(fa);
    erase_area(FLASH_AREA_IMAGE_1);
    assert_int_equal(boot_set_pending_multi(0, 1), 0);
    assert_int_equal(boot_swap_type(), BOOT_SWAP_TYPE_PERM);
    write_swapped_primary(&dflt);
    assert_int_equal(boot_set_confirmed(), 0);
    assert_int_equal(boot_set_confirmed_multi(0), 0);
    assert_int_equal(read_state(&dflt, FLASH_AREA_IMAGE_0).image_ok, BOOT_FLAG_SET);
    rig_free(&r);
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    struct rig r;
    struct boot_api_config cfg = { 8 };
    struct boot_api_config bad = { 12 };
    struct boot_swap_state s;

    rig_setup(&r, (struct geom){ 4, 0xff, VFLASH_NOR }, false, false);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 2, 0), BO_EINVAL);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, -1, 0), BO_EINVAL);
    assert_int_equal(boot_set_confirmed_multi_cfg(&cfg, 2), BO_EINVAL);
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 2), BOOT_SWAP_TYPE_PANIC);
    assert_int_equal(boot_swap_type_multi_cfg(NULL, 0), BOOT_SWAP_TYPE_PANIC);
    assert_int_equal(boot_set_pending_multi_cfg(NULL, 0, 0), BO_EINVAL);
    assert_int_equal(boot_set_pending_multi_cfg(&bad, 0, 0), BO_EINVAL);
    assert_int_equal(boot_swap_type_multi_cfg(&bad, 0), BOOT_SWAP_TYPE_PANIC);
    /* This board has no image 1. */
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 1, 0), BO_ENOENT);
    assert_int_equal(boot_set_confirmed_multi_cfg(&cfg, 1), BO_ENOENT);
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 1), BOOT_SWAP_TYPE_PANIC);
    assert_int_equal(boot_read_swap_state_by_id_cfg(&cfg, FLASH_AREA_IMAGE_3, &s), BO_ENOENT);
    assert_int_equal(boot_read_swap_state_by_id_cfg(&cfg, 300, &s), BO_EINVAL);
    assert_int_equal(boot_read_swap_state_cfg(&cfg, NULL, &s), BO_EINVAL);
    assert_int_equal(r.dev[0]->stats.ops, 0);
    rig_free(&r);
}

/* MCUboot treats a secondary slot it cannot read as empty. */
static void test_unreachable_secondary_is_empty(void **state)
{
    (void)state;
    struct rig r;
    struct boot_api_config cfg = { 8 };

    rig_setup(&r, (struct geom){ 4, 0xff, VFLASH_NOR }, false, true);
    write_swapped_primary(&cfg);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 0, 0), 0);
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 0), BOOT_SWAP_TYPE_TEST);
    /* Cut the second device's power: it now refuses every read. */
    r.trk[1].cut_at = (int64_t)r.dev[1]->stats.ops;
    const struct flash_area *fa;
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(flash_area_erase(fa, 0, SECTOR), BO_EPOWER);
    flash_area_close(fa);
    r.trk[1].cut_at = -1;
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 0), BOOT_SWAP_TYPE_REVERT);
    assert_int_equal(boot_set_pending_multi_cfg(&cfg, 0, 0), BO_EPOWER);
    port_flash_map_power_on(&r.map);
    assert_int_equal(boot_swap_type_multi_cfg(&cfg, 0), BOOT_SWAP_TYPE_TEST);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_pending_test_and_perm),
        cmocka_unit_test(test_set_confirmed),
        cmocka_unit_test(test_bad_secondary_magic_erases_slot),
        cmocka_unit_test(test_power_cut_then_retry),
        cmocka_unit_test(test_imgtool_padded_vectors),
        cmocka_unit_test(test_default_max_align_api),
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_unreachable_secondary_is_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
