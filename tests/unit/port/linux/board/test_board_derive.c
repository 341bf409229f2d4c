/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of board_derive: the settings every user derives from a board, and the start check
 * that refuses a board, mode or sector count the bootloader cannot run, with FILE:LINE. */
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
#include "board/board_derive.h"
#include "support/interop.h"

/* The repository root (tests/support/interop.h finds it; BROWNOUT_ROOT overrides). */
static const char *top_dir(void)
{
    const char *top = interop_repo_root();

    return top != NULL ? top : ".";
}

static void load_fixture(struct board *board, const char *name)
{
    char path[512];
    char err[256];

    snprintf(path, sizeof(path), "%s/fixtures/boards/%s.ini", top_dir(), name);
    if (board_load(board, path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
}

/* A one-device board of 96 sectors of 4 KiB with the given extra [board] keys and partitions. */
static int parse_board(struct board *b, const char *board_keys, const char *parts, char *err,
                       size_t err_len)
{
    char text[1024];
    int n = snprintf(text, sizeof(text),
                     "[board]\nname = t\n%s[flash f]\nsectors = 96x4K\nwrite-unit = 4\n%s",
                     board_keys, parts);

    assert_true(n > 0 && (size_t)n < sizeof(text));
    return board_parse(b, text, (size_t)n, "t.ini", err, err_len);
}

#define SLOTS_40                                                  \
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x28000\n" \
    "[partition image-0-secondary]\noffset = 0x28000\nsize = 0x28000\n"

static void test_max_align_follows_write_unit(void **state)
{
    static const struct {
        const char *board;
        uint32_t max_align;
    } cases[] = {
        { "nrf52840", 8 }, { "k64f", 8 },      { "stm32f4", 8 },
        { "lpc55", 16 },   { "nrf54l15", 16 }, { "stm32h7", 32 },
    };
    struct board b;
    struct board_derived d;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        load_fixture(&b, cases[i].board);
        assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_SCRATCH, 1, 0, &d, err, sizeof(err)), 0);
        assert_int_equal(d.max_align, cases[i].max_align);
    }
}

static void test_counts_and_trailer(void **state)
{
    struct board b;
    struct board_derived d;
    struct boot_config cfg;
    char err[256];

    (void)state;
    load_fixture(&b, "nrf52840");
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_MOVE, 2, 0, &d, err, sizeof(err)), 0);
    assert_int_equal(d.slot_sectors[0][0], 0x34000 / 4096);
    assert_int_equal(d.max_sectors, 128);
    assert_int_equal(d.scratch_sectors, 0);
    /* imgtool: 128 entries x 3 records x write unit 4, 4 MA, 16 bytes of magic. */
    assert_int_equal(d.trailer_size, 128 * 3 * 4 + 4 * 8 + 16);

    load_fixture(&b, "lpc55");
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_SCRATCH, 1, 0, &d, err, sizeof(err)), 0);
    assert_int_equal(d.max_sectors, 512);
    assert_int_equal(d.slot_sectors[0][1], 512);
    assert_true(d.scratch_sectors > 0);
    assert_int_equal(d.trailer_size, 512 * 3 * 16 + 4 * 16 + 16);
    boot_config_defaults(&cfg);
    board_derive_apply(&d, &cfg);
    assert_int_equal(cfg.max_align, 16);
    assert_int_equal(cfg.max_sectors, 512);
    /* Overwrite-only has no status area: image_ok, copy_done and the magic. */
    assert_int_equal(board_derive(&b, BOOT_MODE_OVERWRITE, 1, 0, &d, err, sizeof(err)), 0);
    assert_int_equal(d.trailer_size, 2 * 16 + 16);
}

/* The modes a fixture's header comment claims, from its "; Modes:" line. */
static void claimed_modes(const char *name, bool modes[4])
{
    char path[512];
    char line[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/fixtures/boards/%s.ini", top_dir(), name);
    f = fopen(path, "r");
    assert_non_null(f);
    memset(modes, 0, 4 * sizeof(bool));
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "; Modes:", 8) == 0) {
            modes[BOOT_MODE_OVERWRITE] = strstr(line, "overwrite-only") != NULL;
            modes[BOOT_MODE_SWAP_SCRATCH] = strstr(line, "swap-using-scratch") != NULL;
            modes[BOOT_MODE_SWAP_MOVE] = strstr(line, "swap-using-move") != NULL;
            modes[BOOT_MODE_SWAP_OFFSET] = strstr(line, "swap-using-offset") != NULL;
        }
    }
    fclose(f);
}

static void test_every_fixture_runs_its_modes(void **state)
{
    static const char *const boards[] = {
        "k64f",     "lpc55",   "nrf52840",  "nrf52840-erased0", "nrf52840-mx25r64",
        "nrf54l15", "stm32f4", "stm32f769", "stm32h7",          "stm32l4",
        "w25q"
    };
    struct board b;
    char err[512];

    (void)state;
    for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
        bool modes[4];
        int n = 0;

        load_fixture(&b, boards[i]);
        claimed_modes(boards[i], modes);
        for (int m = 0; m < 4; m++) {
            struct boot_config cfg;

            if (!modes[m]) {
                continue;
            }
            n++;
            boot_config_defaults(&cfg);
            cfg.mode = (enum boot_mode)m;
            if (board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)) != 0) {
                fail_msg("%s %s: %s", boards[i], boot_mode_name(cfg.mode), err);
            }
        }
        assert_true(n > 0);
    }
}

static void test_refuses_no_scratch(void **state)
{
    struct board b;
    struct boot_config cfg;
    char err[256];

    (void)state;
    assert_int_equal(parse_board(&b, "", SLOTS_40, err, sizeof(err)), 0);
    boot_config_defaults(&cfg);
    cfg.mode = BOOT_MODE_SWAP_SCRATCH;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "t.ini:1: swap-scratch needs a [partition scratch]"));
    cfg.mode = BOOT_MODE_SWAP_MOVE;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), 0);
}

static void test_refuses_too_many_sectors(void **state)
{
    struct board b;
    struct board_derived d;
    char err[256];

    (void)state;
    /* 40 sectors a slot: max-sectors 39 is too few (named at its line), 40 is enough. */
    assert_int_equal(parse_board(&b, "max-sectors = 39\n", SLOTS_40, err, sizeof(err)), 0);
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_MOVE, 1, 0, &d, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "t.ini:3: image-0-primary has 40 sectors, more than "
                                "max-sectors 39"));
    /* Overwrite-only keeps no status: any count. */
    assert_int_equal(board_derive(&b, BOOT_MODE_OVERWRITE, 1, 0, &d, err, sizeof(err)), 0);
    /* An explicit value (device or sweep option) wins over the board's. */
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_MOVE, 1, 40, &d, err, sizeof(err)), 0);
    assert_int_equal(d.max_sectors, 40);
    /* Too few by the caller's value: the partition's line, and the caller's option to raise. */
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_MOVE, 1, 30, &d, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "t.ini:7: image-0-primary has 40 sectors"));
    assert_non_null(strstr(err, "raise the device's or option's max-sectors"));
    assert_int_equal(board_derive(&b, BOOT_MODE_SWAP_MOVE, 1, BOARD_DERIVE_MAX_SECTORS + 1, &d, err,
                                  sizeof(err)),
                     BO_EINVAL);
}

static void test_refuses_layout_the_core_cannot_run(void **state)
{
    struct board b;
    struct boot_config cfg;
    char err[256];

    (void)state;
    /* Slots of mixed sectors (16 KiB then 64 KiB): swap-using-move needs one size. */
    {
        static const char text[] = "[board]\nname = mixed\n[flash f]\nsectors = 8x16K, 4x64K\n"
                                   "write-unit = 8\n"
                                   "[partition image-0-primary]\noffset = 0x0\nsize = 0x30000\n"
                                   "[partition image-0-secondary]\noffset = 0x30000\n"
                                   "size = 0x30000\n";

        assert_int_equal(board_parse(&b, text, sizeof(text) - 1, "mixed.ini", err, sizeof(err)), 0);
    }
    boot_config_defaults(&cfg);
    cfg.mode = BOOT_MODE_SWAP_MOVE;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "mixed.ini:1: the board cannot run swap-move (image 0): "));
    cfg.mode = BOOT_MODE_OVERWRITE;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), 0);
    /* Two images on a board with one. */
    load_fixture(&b, "k64f");
    cfg.mode = BOOT_MODE_OVERWRITE;
    cfg.image_count = 2;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "image-1-primary"));
}

/*
 * A tiny board (random board rb-14-55): 12 KiB slots of 1 KiB and 4 KiB sectors, 32-byte ECC
 * units. The core's trailer (128 x 3 records of 32 bytes + 160 bytes) is larger than a slot: each
 * mode is refused naming the partition, the sizes and the max-sectors that fits, not "out of
 * range".
 */
static void test_refuses_trailer_larger_than_slot(void **state)
{
    static const char text[] = "[board]\nname = tiny\n[flash f]\nsectors = 20x1K, 9x4K\n"
                               "write-unit = 32\nerased-value = 0x00\nsemantics = ecc\n"
                               "[partition image-0-primary]\noffset = 0x4000\nsize = 0x3000\n"
                               "[partition image-0-secondary]\noffset = 0x7000\nsize = 0x3000\n"
                               "[partition scratch]\noffset = 0xA000\nsize = 0x4000\n";
    static const enum boot_mode modes[] = { BOOT_MODE_OVERWRITE, BOOT_MODE_SWAP_SCRATCH,
                                            BOOT_MODE_SWAP_MOVE };
    struct board b;
    struct boot_config cfg;
    char err[512];

    (void)state;
    assert_int_equal(board_parse(&b, text, sizeof(text) - 1, "tiny.ini", err, sizeof(err)), 0);
    boot_config_defaults(&cfg);
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        cfg.mode = modes[i];
        assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), BO_EINVAL);
        assert_non_null(strstr(err, "tiny.ini:8: [partition image-0-primary] (12288 bytes) "
                                    "cannot hold the "));
        assert_non_null(strstr(err, "trailer of 12448 bytes (max-sectors 128 x 3 records x 32 "
                                    "bytes + 160): set max-sectors to 126 or less"));
    }
    /* The max-sectors the message names fits. */
    cfg.mode = BOOT_MODE_OVERWRITE;
    assert_int_equal(board_derive_check(&b, 126, &cfg, NULL, err, sizeof(err)), 0);
}

/*
 * Swap-scratch with one sector per slot on ECC flash erased to 0x00 (docs/sweep.md, "Issue 14")
 * is refused at start with the flash section's line; erased to 0xff, or in another mode, it runs.
 */
static void test_refuses_scratch_one_sector_ecc0(void **state)
{
    static const char fmt[] = "[board]\nname = one\n[flash f]\nsectors = 3x128K\n"
                              "write-unit = 8\nerased-value = %s\nsemantics = ecc\n"
                              "[partition image-0-primary]\noffset = 0x0\nsize = 0x20000\n"
                              "[partition image-0-secondary]\noffset = 0x20000\nsize = 0x20000\n"
                              "[partition scratch]\noffset = 0x40000\nsize = 0x20000\n";
    struct board b;
    struct boot_config cfg;
    char text[512];
    char err[512];
    int n;

    (void)state;
    n = snprintf(text, sizeof(text), fmt, "0x00");
    assert_int_equal(board_parse(&b, text, (size_t)n, "one.ini", err, sizeof(err)), 0);
    boot_config_defaults(&cfg);
    cfg.mode = BOOT_MODE_SWAP_SCRATCH;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "one.ini:3: swap-scratch with one sector per slot is refused on "
                                "ECC flash erased to 0x00 ([flash f])"));
    cfg.mode = BOOT_MODE_OVERWRITE;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), 0);
    n = snprintf(text, sizeof(text), fmt, "0xff");
    assert_int_equal(board_parse(&b, text, (size_t)n, "one.ini", err, sizeof(err)), 0);
    cfg.mode = BOOT_MODE_SWAP_SCRATCH;
    assert_int_equal(board_derive_check(&b, 0, &cfg, NULL, err, sizeof(err)), 0);
}

static void test_max_sectors_key(void **state)
{
    static const char *const bad[] = { "0", "4097", "12x", "-1", "0x10" };
    struct board b;
    char keys[64];
    char err[256];
    uint32_t v = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(keys, sizeof(keys), "max-sectors = %s\n", bad[i]);
        assert_int_equal(parse_board(&b, keys, SLOTS_40, err, sizeof(err)), BO_EINVAL);
        assert_non_null(strstr(err, "t.ini:3: max-sectors must be 1..4096"));
    }
    assert_int_equal(parse_board(&b, "max-sectors = 4096\n", SLOTS_40, err, sizeof(err)), 0);
    assert_int_equal(b.max_sectors, 4096);
    assert_int_equal(board_derive_parse_max_sectors("256", &v), 0);
    assert_int_equal(v, 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_align_follows_write_unit),
        cmocka_unit_test(test_counts_and_trailer),
        cmocka_unit_test(test_every_fixture_runs_its_modes),
        cmocka_unit_test(test_refuses_no_scratch),
        cmocka_unit_test(test_refuses_too_many_sectors),
        cmocka_unit_test(test_refuses_layout_the_core_cannot_run),
        cmocka_unit_test(test_max_sectors_key),
        cmocka_unit_test(test_refuses_trailer_larger_than_slot),
        cmocka_unit_test(test_refuses_scratch_one_sector_ecc0),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
