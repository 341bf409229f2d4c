/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/boot/boot_decide.c on its own: the swap type MCUboot's table gives, and the states an
 * interrupted revert of swap-using-move or swap-using-offset leaves, which only those two modes
 * read as REVERT (see boot_decide.h). Trailers are written field by field with trailer.h.
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
#include "boot/boot_decide.h"
#include "boot/loader_int.h"
#include "boot/swap_type.h"
#include "support/boot_fixture.h"

/* Uniform 4 KiB sectors, 4-byte NOR units, 16-sector slots. */
static const char board_ini[] =
    "[board]\nname = decide\n"
    "[flash internal]\nsectors = 34x4K\nwrite-unit = 4\nerased-value = 0xff\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x20000\nsize = 0x2000\n";

/* What to write into the two trailers before deciding. */
struct decide_case {
    bool pri_unconfirmed;  /**< Primary: magic good, copy_done set, image_ok unset. */
    uint8_t sec_info;      /**< Secondary swap_info (0: left erased). */
    bool sec_image_ok;     /**< Secondary image_ok set. */
    bool sec_copy_done;    /**< Secondary copy_done set. */
    bool sec_size;         /**< Secondary swap_size written. */
    bool sec_magic_torn;   /**< Secondary magic half written (reads bad), else good. */
    bool sec_magic_absent; /**< Secondary magic left erased. */
};

/* Writes the trailers of c into image 0 and returns boot_decide()'s answer in mode. */
static uint8_t decide(enum boot_mode mode, const struct decide_case *c)
{
    struct boot_loader_state *st = calloc(1, sizeof(*st));
    const uint8_t half[4] = { 0x77, 0xc2, 0x95, 0xf3 };
    struct board b;
    struct bf f;
    uint8_t t = 0xee;

    assert_non_null(st);
    assert_int_equal(bf_board_text(&b, board_ini), 0);
    assert_int_equal(bf_start(&f, &b, mode, 1), 0);
    st->cfg = f.cfg;
    assert_int_equal(boot_image_open(st, 0), 0);
    if (c->pri_unconfirmed) {
        assert_int_equal(trailer_write_copy_done(st->fa_pri, &st->lay_pri), 0);
        assert_int_equal(trailer_write_magic(st->fa_pri, &st->lay_pri), 0);
    }
    if (c->sec_info != 0) {
        assert_int_equal(trailer_write_swap_info(st->fa_sec, &st->lay_sec, c->sec_info, 0), 0);
    }
    if (c->sec_image_ok) {
        assert_int_equal(trailer_write_image_ok(st->fa_sec, &st->lay_sec), 0);
    }
    if (c->sec_copy_done) {
        assert_int_equal(trailer_write_copy_done(st->fa_sec, &st->lay_sec), 0);
    }
    if (c->sec_size) {
        assert_int_equal(trailer_write_swap_size(st->fa_sec, &st->lay_sec, 0x3000), 0);
    }
    if (c->sec_magic_torn) {
        assert_int_equal(flash_area_write(st->fa_sec, st->lay_sec.magic_off, half, sizeof(half)),
                         0);
    } else if (!c->sec_magic_absent) {
        assert_int_equal(trailer_write_magic(st->fa_sec, &st->lay_sec), 0);
    }
    assert_int_equal(boot_decide(st, &t), 0);
    boot_image_close(st);
    free(st);
    bf_stop(&f);
    return t;
}

static void test_table(void **state)
{
    const struct decide_case none = { .sec_magic_absent = true };
    const struct decide_case test = { .sec_info = TRAILER_SWAP_TYPE_TEST };
    const struct decide_case perm = { .sec_info = TRAILER_SWAP_TYPE_PERM, .sec_image_ok = true };
    const struct decide_case revert = { .pri_unconfirmed = true, .sec_magic_absent = true };
    enum boot_mode m;

    (void)state;
    for (m = BOOT_MODE_SWAP_SCRATCH; m <= BOOT_MODE_SWAP_OFFSET; m++) {
        assert_int_equal(decide(m, &none), TRAILER_SWAP_TYPE_NONE);
        assert_int_equal(decide(m, &test), TRAILER_SWAP_TYPE_TEST);
        assert_int_equal(decide(m, &perm), TRAILER_SWAP_TYPE_PERM);
        assert_int_equal(decide(m, &revert), TRAILER_SWAP_TYPE_REVERT);
    }
}

static void test_move_revert_request(void **state)
{
    /* Swap-using-move's revert request: image_ok, swap_size and magic, swap_info erased. */
    const struct decide_case req = { .pri_unconfirmed = true,
                                     .sec_image_ok = true,
                                     .sec_size = true };
    const struct decide_case app = { .pri_unconfirmed = true, .sec_image_ok = true };

    (void)state;
    assert_int_equal(decide(BOOT_MODE_SWAP_MOVE, &req), TRAILER_SWAP_TYPE_REVERT);
    /* Read by the table alone, the same trailers ask for a permanent swap. */
    assert_int_equal(decide(BOOT_MODE_SWAP_SCRATCH, &req), TRAILER_SWAP_TYPE_PERM);
    /* Without swap_size it is an application's permanent request. */
    assert_int_equal(decide(BOOT_MODE_SWAP_MOVE, &app), TRAILER_SWAP_TYPE_PERM);
}

static void test_torn_revert_request(void **state)
{
    /* The revert's request cut while its magic was programmed. */
    const struct decide_case cut = {
        .pri_unconfirmed = true, .sec_image_ok = true, .sec_size = true, .sec_magic_torn = true
    };
    /* An application's torn request: swap_info TEST, copy_done erased. */
    const struct decide_case app = { .pri_unconfirmed = true,
                                     .sec_info = TRAILER_SWAP_TYPE_TEST,
                                     .sec_magic_torn = true };

    (void)state;
    assert_int_equal(decide(BOOT_MODE_SWAP_MOVE, &cut), TRAILER_SWAP_TYPE_REVERT);
    assert_int_equal(decide(BOOT_MODE_SWAP_OFFSET, &cut), TRAILER_SWAP_TYPE_REVERT);
    assert_int_equal(decide(BOOT_MODE_SWAP_SCRATCH, &cut), TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(decide(BOOT_MODE_SWAP_MOVE, &app), TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(decide(BOOT_MODE_SWAP_OFFSET, &app), TRAILER_SWAP_TYPE_NONE);
}

static void test_offset_revert_request(void **state)
{
    /* Swap-using-offset's request: copy_done, swap_info REVERT, sizes, magic. */
    const struct decide_case req = { .pri_unconfirmed = true,
                                     .sec_info = TRAILER_SWAP_TYPE_REVERT,
                                     .sec_image_ok = true,
                                     .sec_copy_done = true,
                                     .sec_size = true };

    (void)state;
    assert_int_equal(decide(BOOT_MODE_SWAP_OFFSET, &req), TRAILER_SWAP_TYPE_REVERT);
    assert_int_equal(decide(BOOT_MODE_SWAP_SCRATCH, &req), TRAILER_SWAP_TYPE_PERM);
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
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_move_revert_request),
        cmocka_unit_test(test_torn_revert_request),
        cmocka_unit_test(test_offset_revert_request),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
