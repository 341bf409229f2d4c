/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The journalled rewrite of the primary trailer (core/boot/boot_journal.c, issue 4): on an ECC
 * board (stm32h7, 32-byte units programmed once), every upgrade mode, a permanent upgrade whose
 * primary image_ok write was torn is repaired on the next boot by an erase and rewrite of the
 * trailer. That repair boot is cut at every one of its flash operations with each of the six
 * fault models; the boot after the cut must end with the trailers of the uninterrupted repair,
 * the new image running, and one more boot must change no byte.
 *
 * With a maximal image (overwrite-only and swap-using-scratch) the image fills the trailer's
 * first sector up to the status area, so the journal also keeps those image bytes (in the
 * secondary's trailer sector, or in the scratch area) and copies them back after the erase. The
 * copies are about 1900 operations: every operation near the start, the middle (the primary's
 * erase) and the end is cut, and every JT_STRIDE-th one in between.
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
#include "boot/trailer.h"
#include "support/boot_fixture.h"
#include "sysflash/sysflash.h"
#include "vflash/vflash_fault.h"

/* A byte that decodes as neither erased nor set: what a torn flag write leaves. */
#define JT_TORN_BYTE 0x5au

/* Maximal images: operations cut at the start, around the middle and at the end, and the
 * stride of the cut operations in between. */
#define JT_EDGE 32
#define JT_STRIDE 41

/* Image size of a case: the default small image, or the largest the mode installs. */
#define JT_SMALL 3000u
#define JT_MAX 0u

static struct board jt_board;

/* Layout of an area as the bootloader of the fixture computes it. */
static void jt_layout(struct bf *f, const struct flash_area *fa, struct trailer_layout *lay)
{
    struct trailer_params p;
    enum trailer_mode tm = TRAILER_MODE_SCRATCH;

    switch (f->cfg.mode) {
    case BOOT_MODE_OVERWRITE:
        tm = TRAILER_MODE_OVERWRITE;
        break;
    case BOOT_MODE_SWAP_MOVE:
        tm = TRAILER_MODE_MOVE;
        break;
    case BOOT_MODE_SWAP_OFFSET:
        tm = TRAILER_MODE_OFFSET;
        break;
    default:
        break;
    }
    memset(&p, 0, sizeof(p));
    p.max_align = bf_max_align(f, 0);
    p.mode = tm;
    p.max_sectors = BOOT_DEFAULT_MAX_SECTORS;
    p.write_unit = flash_area_align(fa);
    assert_int_equal(trailer_layout_from_area(lay, fa, &p), 0);
}

/*
 * Rewrites the primary's trailer as a torn image_ok write leaves it on ECC flash: the trailer
 * sector erased and written back with every unit as it was, the image_ok unit programmed with a
 * byte that reads neither erased nor set.
 */
static void jt_tear_image_ok(struct bf *f, bool shared)
{
    const struct flash_area *fa;
    struct trailer_layout lay;
    struct flash_sector sect[BOOT_SECTORS_MAX];
    uint32_t n = BOOT_SECTORS_MAX;
    uint32_t first;
    uint32_t first_off;
    uint32_t size;
    uint32_t wu;
    uint32_t off;
    uint8_t *tail;
    uint8_t ev;

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_PRIMARY(0), &fa), 0);
    jt_layout(f, fa, &lay);
    size = flash_area_get_size(fa);
    wu = flash_area_align(fa);
    ev = flash_area_erased_val(fa);
    assert_int_equal(flash_area_get_sectors(FLASH_AREA_IMAGE_PRIMARY(0), &n, sect), 0);
    assert_int_equal(trailer_sector_span(&lay, sect, n, &first, &first_off), 0);
    tail = malloc(size - first_off);
    assert_non_null(tail);
    assert_int_equal(flash_area_read(fa, first_off, tail, size - first_off), 0);
    /* The small image must not share the trailer's sector; the maximal one must. */
    for (off = 0; off < lay.status_off - first_off && !shared; off++) {
        assert_int_equal(tail[off], ev);
    }
    assert_true(!shared || tail[0] != ev);
    tail[lay.image_ok_off - first_off] = JT_TORN_BYTE;
    assert_int_equal(flash_area_erase(fa, first_off, size - first_off), 0);
    for (off = first_off; off < size; off += wu) {
        uint32_t k;
        bool erased = true;

        for (k = 0; k < wu; k++) {
            erased = erased && tail[off - first_off + k] == ev;
        }
        if (!erased) {
            assert_int_equal(flash_area_write(fa, off, tail + (off - first_off), wu), 0);
        }
    }
    free(tail);
    flash_area_close(fa);
}

static bool jt_state_eq(const struct boot_swap_state *a, const struct boot_swap_state *b)
{
    return a->magic == b->magic && a->swap_type == b->swap_type && a->copy_done == b->copy_done &&
           a->image_ok == b->image_ok && a->image_num == b->image_num;
}

/*
 * Starts the fixture in mode with v1 in the primary and v2 (images of size) in the secondary,
 * and boots through v2's permanent upgrade; v2 receives the new image's description.
 */
static void jt_upgraded(struct bf *f, enum boot_mode mode, uint32_t size, struct bf_image *v2)
{
    struct bf_image v1;
    struct boot_rsp rsp;

    assert_int_equal(bf_start(f, &jt_board, mode, 1), 0);
    bf_image_init(&v1, 1, 0, 0, JT_SMALL);
    bf_image_init(v2, 2, 0, 0, JT_SMALL);
    v2->seed = 2;
    if (size == JT_MAX) {
        assert_int_equal(bf_capacity(f, 0, &v1.total_len, NULL), 1);
        v2->total_len = v1.total_len;
    }
    assert_int_equal(bf_install(f, 0, 0, &v1), 0);
    assert_int_equal(bf_install(f, 0, 1, v2), 0);
    assert_int_equal(bf_set_pending(f, 0, true), 0);
    assert_int_equal(bf_boot(f, &rsp), 0);
    assert_int_equal(rsp.versions[0].major, 2);
}

/* Whether the repair operation op (of ops) is cut: all of them for a small image. */
static bool jt_cut_op(bool all, int64_t op, uint64_t ops)
{
    int64_t mid = (int64_t)ops / 2;

    return all || op < JT_EDGE || op >= (int64_t)ops - JT_EDGE ||
           (op >= mid - JT_EDGE && op < mid + JT_EDGE) || op % JT_STRIDE == 0;
}

/*
 * Cuts the repair of the torn state at operation op with model m, powers on and checks the
 * device ends as after the uninterrupted repair; returns 1 (reported) when it does not.
 */
static int jt_cut_point(struct bf *f, const struct bf_snap *torn, enum boot_mode mode, int64_t op,
                        int m, const struct boot_swap_state *want_pri,
                        const struct boot_swap_state *want_sec)
{
    uint64_t seed = 0x6a6f75726e616cull ^ ((uint64_t)op << 8) ^ (uint64_t)m;
    struct boot_swap_state got_pri;
    struct boot_swap_state got_sec;
    struct bf_snap after;
    struct boot_rsp rsp;
    const char *why = NULL;

    memset(&got_pri, 0, sizeof(got_pri));
    memset(&got_sec, 0, sizeof(got_sec));
    bf_restore(f, torn);
    bf_reset_ops(f);
    bf_cut_model_at(f, op, (enum vflash_cut_model)m, seed);
    (void)bf_boot(f, &rsp);
    bf_power_on(f);
    if (bf_boot(f, &rsp) != 0) {
        why = "the boot after the cut failed";
    } else if (rsp.versions[0].major != 2) {
        why = "the old image runs";
    } else if (bf_swap_state(f, FLASH_AREA_IMAGE_PRIMARY(0), &got_pri) != 0 ||
               bf_swap_state(f, FLASH_AREA_IMAGE_SECONDARY(0), &got_sec) != 0) {
        why = "trailers unreadable";
    } else if (!jt_state_eq(&got_pri, want_pri)) {
        why = "primary trailer differs from the uninterrupted repair's";
    } else if (!jt_state_eq(&got_sec, want_sec)) {
        why = "secondary trailer differs from the uninterrupted repair's";
    } else if (bf_snapshot(f, &after) != 0) {
        why = "snapshot";
    } else {
        if (bf_boot(f, &rsp) != 0 || !bf_snap_equal(f, &after)) {
            why = "one more boot changed flash";
        }
        bf_snap_free(&after);
    }
    if (why == NULL) {
        return 0;
    }
    fprintf(stderr,
            "  %s: cut at repair op %lld (%s, seed 0x%016llx): %s (primary %u %u %u %u, "
            "secondary %u %u %u %u)\n",
            boot_mode_name(mode), (long long)op, vflash_cut_model_name((enum vflash_cut_model)m),
            (unsigned long long)seed, why, got_pri.magic, got_pri.swap_type, got_pri.copy_done,
            got_pri.image_ok, got_sec.magic, got_sec.swap_type, got_sec.copy_done,
            got_sec.image_ok);
    return 1;
}

/*
 * Runs the cut matrix of one mode with images of size (JT_SMALL, or JT_MAX for the largest);
 * returns the number of failed cut points.
 */
static int jt_run_mode(enum boot_mode mode, uint32_t size, int *points)
{
    struct bf f;
    struct bf_image v2;
    struct bf_snap torn;
    struct boot_rsp rsp;
    struct boot_swap_state want_pri;
    struct boot_swap_state want_sec;
    struct boot_swap_state got_pri;
    uint64_t ops;
    int failed = 0;
    int64_t op;
    int m;

    *points = 0;
    jt_upgraded(&f, mode, size, &v2);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &want_pri), 0);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_SECONDARY(0), &want_sec), 0);
    assert_int_equal(want_pri.image_ok, TRAILER_FLAG_SET);

    jt_tear_image_ok(&f, size == JT_MAX);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &got_pri), 0);
    assert_int_equal(got_pri.image_ok, TRAILER_FLAG_BAD);
    assert_int_equal(bf_snapshot(&f, &torn), 0);

    /* The uninterrupted repair. */
    bf_reset_ops(&f);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    ops = f.ops;
    assert_int_equal(rsp.versions[0].major, 2);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &got_pri), 0);
    assert_true(jt_state_eq(&got_pri, &want_pri));
    /* Journal (body, commit), trailer erase, rewrite, journal erase: more than a few ops. */
    assert_true(ops >= 5);

    for (op = 0; op < (int64_t)ops; op++) {
        for (m = 0; m < VFLASH_CUT_MODEL_COUNT && jt_cut_op(size != JT_MAX, op, ops); m++) {
            (*points)++;
            failed += jt_cut_point(&f, &torn, mode, op, m, &want_pri, &want_sec);
        }
    }
    printf("  %s, %s image: repair of %llu ops, %d cut points, %d failed\n", boot_mode_name(mode),
           size == JT_MAX ? "maximal" : "small", (unsigned long long)ops, *points, failed);
    bf_snap_free(&torn);
    bf_stop(&f);
    return failed;
}

static void jt_mode(enum boot_mode mode, uint32_t size)
{
    int points;

    assert_int_equal(jt_run_mode(mode, size, &points), 0);
    assert_true(points > 0);
}

static void test_journal_scratch(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_SWAP_SCRATCH, JT_SMALL);
}

static void test_journal_move(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_SWAP_MOVE, JT_SMALL);
}

static void test_journal_offset(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_SWAP_OFFSET, JT_SMALL);
}

static void test_journal_overwrite(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_OVERWRITE, JT_SMALL);
}

static void test_journal_scratch_max(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_SWAP_SCRATCH, JT_MAX);
}

static void test_journal_overwrite_max(void **state)
{
    (void)state;
    jt_mode(BOOT_MODE_OVERWRITE, JT_MAX);
}

/*
 * A maximal image, overwrite-only, with the secondary's trailer sector silently dropping every
 * program: the image bytes kept there do not read back, so the repair must be refused before
 * the primary's sector is erased (the flag stays torn, the image intact, the store erased).
 * With the fault gone, the next boot repairs the flag.
 */
static void test_journal_dropped_copy_refused(void **state)
{
    struct vflash_fault_config fc;
    struct bf f;
    struct bf_image v2;
    struct boot_rsp rsp;
    struct boot_swap_state pri;
    struct boot_swap_state sec;
    const struct flash_area *fa;
    uint8_t before[32];
    uint8_t after[32];
    uint32_t size;

    (void)state;
    jt_upgraded(&f, BOOT_MODE_OVERWRITE, JT_MAX, &v2);
    jt_tear_image_ok(&f, true);
    assert_int_equal(bf_hash_area(&f, FLASH_AREA_IMAGE_PRIMARY(0), 0, v2.total_len, before), 0);

    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_SECONDARY(0), &fa), 0);
    size = flash_area_get_size(fa);
    memset(&fc, 0, sizeof(fc));
    fc.seed = 1;
    fc.drop.off = (uint32_t)fa->fa_off + size - 0x20000u;
    fc.drop.len = 0x20000u;
    fc.drop.one_in = 1;
    flash_area_close(fa);
    assert_int_equal(vflash_fault_configure(f.map.devices[0], &fc), 0);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.versions[0].major, 2);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &pri), 0);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_BAD);
    assert_int_equal(bf_hash_area(&f, FLASH_AREA_IMAGE_PRIMARY(0), 0, v2.total_len, after), 0);
    assert_memory_equal(before, after, sizeof(before));
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_SECONDARY(0), &sec), 0);
    assert_int_equal(sec.magic, TRAILER_MAGIC_UNSET);

    memset(&fc, 0, sizeof(fc));
    assert_int_equal(vflash_fault_configure(f.map.devices[0], &fc), 0);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.versions[0].major, 2);
    assert_int_equal(bf_swap_state(&f, FLASH_AREA_IMAGE_PRIMARY(0), &pri), 0);
    assert_int_equal(pri.image_ok, TRAILER_FLAG_SET);
    assert_int_equal(bf_hash_area(&f, FLASH_AREA_IMAGE_PRIMARY(0), 0, v2.total_len, after), 0);
    assert_memory_equal(before, after, sizeof(before));
    bf_stop(&f);
}

static int jt_setup(void **state)
{
    (void)state;
    if (bf_global_setup() != 0) {
        return -1;
    }
    return bf_board_file(&jt_board, "stm32h7") == 0 ? 0 : -1;
}

static int jt_teardown(void **state)
{
    (void)state;
    bf_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_scratch),
        cmocka_unit_test(test_journal_move),
        cmocka_unit_test(test_journal_offset),
        cmocka_unit_test(test_journal_overwrite),
        cmocka_unit_test(test_journal_scratch_max),
        cmocka_unit_test(test_journal_overwrite_max),
        cmocka_unit_test(test_journal_dropped_copy_refused),
    };

    return cmocka_run_group_tests(tests, jt_setup, jt_teardown);
}
