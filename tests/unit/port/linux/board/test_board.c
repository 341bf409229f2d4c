/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of board files: every fixture loads; bad texts give the expected FILE:LINE: reason. */
#include <dirent.h>
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
#include "port_flash_map.h"
#include "support/interop.h"

/* The repository root (tests/support/interop.h finds it; BROWNOUT_ROOT overrides). */
static const char *top_dir(void)
{
    const char *top = interop_repo_root();

    return top != NULL ? top : ".";
}

static void load_fixture(struct board *board, const char *file)
{
    char path[512];
    char err[256];

    snprintf(path, sizeof(path), "%s/fixtures/boards/%s", top_dir(), file);
    if (board_load(board, path, err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
}

/* The largest sector of area id, from the board's geometry. */
static uint32_t largest_sector(const struct board *b, int id)
{
    const struct board_partition *p = &b->part[id];
    const struct vflash_geometry *g = &b->flash[p->device].geom;
    uint32_t pos = 0;
    uint32_t max = 0;

    for (uint32_t r = 0; r < g->run_count; r++) {
        for (uint32_t s = 0; s < g->runs[r].count; s++) {
            if (pos >= p->off && pos < p->off + p->size && g->runs[r].size > max) {
                max = g->runs[r].size;
            }
            pos += g->runs[r].size;
        }
    }
    return max;
}

static void test_every_fixture_loads(void **state)
{
    char dir_path[512];
    DIR *dir;
    struct dirent *de;
    int count = 0;

    (void)state;
    snprintf(dir_path, sizeof(dir_path), "%s/fixtures/boards", top_dir());
    dir = opendir(dir_path);
    assert_non_null(dir);
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        struct board b;
        struct port_flash_map map;
        const struct flash_area *fa;

        if (n < 5 || strcmp(de->d_name + n - 4, ".ini") != 0) {
            continue;
        }
        load_fixture(&b, de->d_name);
        count++;
        /* The board's name is its file name. */
        assert_int_equal(strlen(b.name), n - 4);
        assert_memory_equal(b.name, de->d_name, n - 4);
        assert_true(b.description[0] != '\0');
        assert_true(b.part[FLASH_AREA_IMAGE_0].present);
        assert_true(b.part[FLASH_AREA_IMAGE_1].present);
        /* Every fixture can run swap-using-scratch: its scratch holds any slot sector. */
        assert_true(b.part[FLASH_AREA_IMAGE_SCRATCH].present);
        assert_true(b.part[FLASH_AREA_IMAGE_SCRATCH].size >= largest_sector(&b, 1));
        assert_true(b.part[FLASH_AREA_IMAGE_SCRATCH].size >= largest_sector(&b, 2));
        for (uint32_t i = 0; i < b.flash_count; i++) {
            assert_true(b.flash[i].geom.program_ns_per_unit > 0);
            for (uint32_t r = 0; r < b.flash[i].geom.run_count; r++) {
                assert_true(b.flash[i].geom.runs[r].erase_ns > 0);
            }
        }
        port_flash_map_init(&map);
        assert_int_equal(port_flash_map_setup_board(&map, &b), 0);
        port_flash_map_activate(&map);
        assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
        assert_int_equal(flash_area_erase(fa, 0, flash_area_get_size(fa)), 0);
        flash_area_close(fa);
        port_flash_map_free(&map);
    }
    closedir(dir);
    assert_true(count >= 11);
}

static void test_fixture_values(void **state)
{
    struct board b;

    (void)state;
    load_fixture(&b, "nrf52840.ini");
    assert_int_equal(b.part[FLASH_AREA_IMAGE_0].size, 0x34000);
    assert_int_equal(b.flash[0].geom.write_unit, 4);
    assert_int_equal(b.flash[0].geom.runs[0].size, 4096);
    assert_int_equal(b.flash[0].geom.program_ns_per_unit, 41000);
    assert_int_equal(b.flash[0].geom.runs[0].erase_ns, 85000000);
    assert_true(b.part[FLASH_AREA_IMAGE_3].present);

    load_fixture(&b, "stm32f4.ini");
    assert_int_equal(b.flash[0].geom.run_count, 3);
    assert_int_equal(b.flash[0].geom.runs[0].count, 4);
    assert_int_equal(b.flash[0].geom.runs[1].size, 0x10000);
    assert_int_equal(b.flash[0].geom.runs[2].count, 7);
    assert_int_equal(b.flash[0].geom.runs[2].erase_ns, 2000000000ull);
    assert_int_equal(b.flash[0].geom.write_unit, 1);
    assert_int_equal(b.flash[0].base, 0x08000000);

    load_fixture(&b, "stm32f769.ini");
    assert_int_equal(b.flash_count, 2);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_0].device, 0);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_1].device, 1);

    load_fixture(&b, "nrf52840-mx25r64.ini");
    assert_int_equal(b.flash_count, 2);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_1].device, 1);
    assert_int_equal(b.flash[1].geom.page_size, 256);
    assert_int_equal(b.flash[1].geom.program_ns_per_unit, 3320);

    load_fixture(&b, "stm32l4.ini");
    assert_int_equal(b.flash[0].geom.semantics, VFLASH_ECC);
    assert_int_equal(b.flash[0].geom.write_unit, 8);
    assert_int_equal(b.flash[0].geom.runs[0].size, 2048);
    assert_int_equal(b.flash[0].geom.program_ns_per_unit, 81690);

    load_fixture(&b, "stm32h7.ini");
    assert_int_equal(b.flash[0].geom.write_unit, 32);
    assert_int_equal(b.flash[0].geom.runs[0].size, 128 * 1024);

    load_fixture(&b, "w25q.ini");
    assert_int_equal(b.flash[0].geom.page_size, 256);
    assert_int_equal(b.flash[0].geom.runs[0].size, 4096);

    load_fixture(&b, "lpc55.ini");
    assert_int_equal(b.flash[0].geom.runs[0].size, 512);

    load_fixture(&b, "nrf52840-erased0.ini");
    assert_int_equal(b.flash[0].geom.erased_val, 0x00);

    load_fixture(&b, "nrf54l15.ini");
    assert_int_equal(b.flash[0].geom.semantics, VFLASH_NO_ERASE);
}

/* A minimal valid board; the bad texts below are variations of it. */
#define GOOD_BOARD                    \
    "[board]\n"                       \
    "name = t\n"                      \
    "[flash f]\n"                     \
    "sectors = 16x4K\n"               \
    "write-unit = 4\n"                \
    "[partition image-0-primary]\n"   \
    "offset = 0x0\n"                  \
    "size = 0x4000\n"                 \
    "[partition image-0-secondary]\n" \
    "offset = 0x4000\n"               \
    "size = 0x4000\n"

static void test_good_texts(void **state)
{
    static const char good[] = GOOD_BOARD;
    static const char fancy[] = "\xef\xbb\xbf; A comment, a BOM, blank lines, inline comments.\n"
                                "\n"
                                "[board]\n"
                                "name = fancy   ; the name\n"
                                "description = Two devices; defaults\n"
                                "# another comment\n"
                                "[ flash  f ]\n"
                                "sectors = 2x4K, 4K, 0x1000, 1x8K, 16K\n"
                                "write-unit = 32\n"
                                "erased-value = 0\n"
                                "semantics = no-erase\n"
                                "page-size = 0x100\n"
                                "program-time-us = 0.5\n"
                                "erase-time-ms = 4K:1.25, 8K : 2, 16K:3\n"
                                "base = 0x1000000000\n"
                                "endurance = 10000\n"
                                "[flash g]\n"
                                "sectors = 1M\n"
                                "write-unit = 1\n"
                                "[partition image-0-primary]\n"
                                "device = f\n"
                                "offset = 0\n"
                                "size = 16K\n"
                                "[partition image-0-secondary]\n"
                                "device = g\n"
                                "offset = 1M\n"
                                "size = 0\n";
    struct board b;
    char err[256];

    (void)state;
    assert_int_equal(board_parse(&b, good, strlen(good), "good.ini", err, sizeof(err)), 0);
    assert_string_equal(b.name, "t");
    assert_int_equal(b.flash[0].geom.erased_val, 0xff);
    assert_int_equal(b.flash[0].geom.semantics, VFLASH_NOR);
    assert_int_equal(b.flash[0].geom.page_size, 0);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_1].off, 0x4000);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_1].line, 9);
    assert_int_equal(b.flash[0].line, 3);
    assert_int_equal(b.line, 1);
    assert_false(b.part[FLASH_AREA_IMAGE_SCRATCH].present);
    assert_string_equal(b.file, "good.ini");

    /* The fancy board is bad only in its last line (size 0); fix it and parse again. */
    assert_int_equal(board_parse(&b, fancy, strlen(fancy), "fancy.ini", err, sizeof(err)),
                     BO_EINVAL);
    assert_string_equal(err, "fancy.ini:27: size must not be 0");
    {
        char text[sizeof(fancy) + 8];

        memcpy(text, fancy, sizeof(fancy));
        strcpy(strstr(text, "offset = 1M\nsize = 0\n"), "offset = 0\nsize = 1M\n");
        assert_int_equal(board_parse(&b, text, strlen(text), "fancy.ini", err, sizeof(err)), 0);
    }
    assert_string_equal(b.name, "fancy");
    assert_string_equal(b.description, "Two devices; defaults");
    assert_int_equal(b.flash_count, 2);
    assert_string_equal(b.flash[0].name, "f");
    /* Adjacent runs of one size merge: 4K x4, 8K, 16K. */
    assert_int_equal(b.flash[0].geom.run_count, 3);
    assert_int_equal(b.flash[0].geom.runs[0].count, 4);
    assert_int_equal(b.flash[0].geom.runs[0].erase_ns, 1250000);
    assert_int_equal(b.flash[0].geom.runs[1].erase_ns, 2000000);
    assert_int_equal(b.flash[0].geom.runs[2].size, 16384);
    assert_int_equal(b.flash[0].geom.write_unit, 32);
    assert_int_equal(b.flash[0].geom.erased_val, 0);
    assert_int_equal(b.flash[0].geom.semantics, VFLASH_NO_ERASE);
    assert_int_equal(b.flash[0].geom.page_size, 256);
    assert_int_equal(b.flash[0].geom.program_ns_per_unit, 500);
    assert_int_equal(b.flash[0].base, 0x1000000000ull);
    assert_int_equal(b.flash[0].geom.endurance, 10000);
    assert_int_equal(b.flash[1].geom.endurance, 0);
    assert_int_equal(b.flash[1].geom.runs[0].size, 1024 * 1024);
    assert_int_equal(b.part[FLASH_AREA_IMAGE_1].device, 1);
}

struct bad_case {
    const char *text;
    const char *message; /* The whole expected message. */
};

static const struct bad_case bad_cases[] = {
    { "[board]\nname = t\n[flash f]\nsectors = 16x4K\nwrite-unit = 4\nendurance = -3\n",
      "bad.ini:6: bad endurance '-3' (erase cycles per sector, 0 for unlimited)" },
    { "[board]\nname = t\n[flash f]\nsectors = 16x4K\nendurance = 99999999999\n",
      "bad.ini:5: bad endurance '99999999999' (erase cycles per sector, 0 for unlimited)" },
    { "name = t\n" GOOD_BOARD, "bad.ini:1: key 'name' outside a section" },
    { GOOD_BOARD "[foo]\n", "bad.ini:12: unknown section '[foo]' (expected [board], "
                            "[flash NAME] or [partition NAME])" },
    { GOOD_BOARD "[flash]\n", "bad.ini:12: unknown section '[flash]' (expected [board], "
                              "[flash NAME] or [partition NAME])" },
    { GOOD_BOARD "[flash a b]\n", "bad.ini:12: bad section header '[flash a b]'" },
    { GOOD_BOARD "[flash bad/name]\n", "bad.ini:12: bad flash device name 'bad/name'" },
    { GOOD_BOARD "[flash f]\n", "bad.ini:12: duplicate flash device 'f'" },
    { GOOD_BOARD "[board]\n", "bad.ini:12: duplicate [board] section (first on line 1)" },
    { GOOD_BOARD "[partition image-0-primary]\n",
      "bad.ini:12: duplicate partition 'image-0-primary' (first on line 6)" },
    { GOOD_BOARD "[partition storage]\n",
      "bad.ini:12: unknown partition 'storage' (expected bootloader, image-0-primary, "
      "image-0-secondary, scratch, image-1-primary or image-1-secondary)" },
    { GOOD_BOARD "[flash f]", "bad.ini:12: duplicate flash device 'f'" },
    { GOOD_BOARD "[flash g\n", "bad.ini:12: expected ']' to close the section header" },
    { GOOD_BOARD "[board] x\n", "bad.ini:12: text after the section header" },
    { GOOD_BOARD "garbage\n",
      "bad.ini:12: syntax error (expected '[section]', 'key = value' or a comment)" },
    { GOOD_BOARD "  offset = 4\n", "bad.ini:12: indented line (continuation lines are not "
                                   "allowed)" },
    { GOOD_BOARD "offset = 4\n", "bad.ini:12: duplicate key 'offset' (first on line 10)" },
    { GOOD_BOARD "colour = red\n", "bad.ini:12: unknown key 'colour' in a [partition] section" },
    { GOOD_BOARD "[flash g]\nsize = 4\n", "bad.ini:13: unknown key 'size' in a [flash] section" },
    { GOOD_BOARD "[board]\n", "bad.ini:12: duplicate [board] section (first on line 1)" },
    { GOOD_BOARD "[flash g]\nwrite-unit = 3\n",
      "bad.ini:13: write-unit must be 1, 2, 4, 8, 16 or 32, got '3'" },
    { GOOD_BOARD "[flash g]\nwrite-unit = 64\n",
      "bad.ini:13: write-unit must be 1, 2, 4, 8, 16 or 32, got '64'" },
    { GOOD_BOARD "[flash g]\nerased-value = 0x7f\n",
      "bad.ini:13: erased-value must be 0xff or 0x00, got '0x7f'" },
    { GOOD_BOARD "[flash g]\nsemantics = flash\n",
      "bad.ini:13: semantics must be nor, ecc or no-erase, got 'flash'" },
    { GOOD_BOARD "[flash g]\nsectors = 4y16K\n", "bad.ini:13: bad sector size in '4y16K'" },
    { GOOD_BOARD "[flash g]\nsectors = 4x\n", "bad.ini:13: bad sector size in '4x'" },
    { GOOD_BOARD "[flash g]\nsectors = 0x\n", "bad.ini:13: bad sector size in '0x'" },
    { GOOD_BOARD "[flash g]\nsectors = x4K\n", "bad.ini:13: bad sector count in 'x4K'" },
    { GOOD_BOARD "[flash g]\nsectors = 0x4x4K\n", "bad.ini:13: bad sector size in '0x4x4K'" },
    { GOOD_BOARD "[flash g]\nsectors = 4K,,4K\n",
      "bad.ini:13: empty or overlong item in list '4K,,4K'" },
    { GOOD_BOARD "[flash g]\nsectors = 99999999999\n",
      "bad.ini:13: bad sector size in '99999999999'" },
    { GOOD_BOARD "[flash g]\nprogram-time-us = 1.2345\n",
      "bad.ini:13: bad program-time-us '1.2345' (microseconds, up to 1e6)" },
    { GOOD_BOARD "[flash g]\nerase-time-ms = 4K:fast\n",
      "bad.ini:13: bad erase time in '4K:fast'" },
    { GOOD_BOARD "[flash g]\nerase-time-ms = 4K:1, 4K:2\n",
      "bad.ini:13: erase time for size 4K given twice" },
    { GOOD_BOARD "[flash g]\nbase = -1\n", "bad.ini:13: bad base address '-1'" },
    { GOOD_BOARD "[flash g]\nwrite-unit =\n", "bad.ini:13: empty value for 'write-unit'" },
    { GOOD_BOARD "[flash g]\nwrite-unit = 1\n", "bad.ini:12: [flash g] has no 'sectors'" },
    { GOOD_BOARD "[flash g]\nsectors = 4K\n", "bad.ini:12: [flash g] has no 'write-unit'" },
    { GOOD_BOARD "[flash g]\nsectors = 2x4K, 1x6\nwrite-unit = 4\n",
      "bad.ini:13: sector size 6 is not a multiple of the write unit 4" },
    { GOOD_BOARD "[flash g]\nsectors = 4K\npage-size = 3K\nwrite-unit = 1\n",
      "bad.ini:14: sector size 4096 is not a multiple of the page size 3072" },
    { GOOD_BOARD "[flash g]\nsectors = 4K\npage-size = 6\nwrite-unit = 4\n",
      "bad.ini:14: sector size 4096 is not a multiple of the page size 6" },
    { GOOD_BOARD "[flash g]\nsectors = 4K, 8K\nwrite-unit = 4\nerase-time-ms = 4K:3\n",
      "bad.ini:15: no erase time for sectors of 8192 bytes" },
    { GOOD_BOARD "[partition scratch]\nsize = 4K\n",
      "bad.ini:12: [partition scratch] needs 'offset' and 'size'" },
    { GOOD_BOARD "[flash g]\nsectors = 2x4K\nwrite-unit = 4\n"
                 "[partition scratch]\noffset = 0\nsize = 4K\n",
      "bad.ini:6: [partition image-0-primary] needs 'device' (the board has 2 devices)" },
    { GOOD_BOARD "[partition scratch]\ndevice = nope\noffset = 0\nsize = 4K\n",
      "bad.ini:13: no flash device 'nope'" },
    { GOOD_BOARD "[partition scratch]\noffset = 0x10000\nsize = 0x1000\n",
      "bad.ini:12: partition 'scratch' (0x10000 + 0x1000) does not fit in device 'f' "
      "(0x10000 bytes)" },
    { GOOD_BOARD "[partition scratch]\noffset = 0xF000\nsize = 0x2000\n",
      "bad.ini:12: partition 'scratch' (0xf000 + 0x2000) does not fit in device 'f' "
      "(0x10000 bytes)" },
    { GOOD_BOARD "[partition scratch]\noffset = 0xF000\nsize = 0xFFFFFFFF\n",
      "bad.ini:12: partition 'scratch' (0xf000 + 0xffffffff) does not fit in device 'f' "
      "(0x10000 bytes)" },
    { GOOD_BOARD "[partition scratch]\noffset = 0x100000000\nsize = 0x1000\n",
      "bad.ini:13: bad offset '0x100000000'" },
    { GOOD_BOARD "[partition scratch]\noffset = 0xF800\nsize = 0x800\n",
      "bad.ini:12: partition 'scratch' (0xf800 + 0x800) does not start on a sector boundary "
      "of 'f'" },
    { GOOD_BOARD "[partition scratch]\noffset = 0xF000\nsize = 0x800\n",
      "bad.ini:12: partition 'scratch' (0xf000 + 0x800) does not end on a sector boundary "
      "of 'f'" },
    { GOOD_BOARD "[partition scratch]\noffset = 0x3000\nsize = 0x2000\n",
      "bad.ini:12: partitions 'image-0-primary' and 'scratch' overlap" },
    { GOOD_BOARD "[partition image-1-primary]\noffset = 0xF000\nsize = 0x1000\n",
      "bad.ini:12: image 1 needs both 'image-1-primary' and 'image-1-secondary'" },
    { "[board]\nname = t\n[flash f]\nsectors = 8x4K\nwrite-unit = 4\n"
      "[partition image-0-primary]\noffset = 0x0\nsize = 0x4000\n",
      "bad.ini:6: image 0 needs both 'image-0-primary' and 'image-0-secondary'" },
    { "[board]\nname = t\n[flash f]\nsectors = 8x4K\nwrite-unit = 4\n",
      "bad.ini:1: image 0 needs both 'image-0-primary' and 'image-0-secondary'" },
    { "[flash f]\nsectors = 8x4K\nwrite-unit = 4\n", "bad.ini:1: no [board] section" },
    { "", "bad.ini:1: no [board] section" },
    { "[board]\ndescription = x\n", "bad.ini:1: [board] has no 'name'" },
    { "\n[board]\nname = t\n", "bad.ini:2: no [flash NAME] section" },
    { "[board]\nname = a b\n", "bad.ini:2: bad board name 'a b'" },
    { GOOD_BOARD "[flash a]\n[flash b]\n[flash c]\n[flash d]\n",
      "bad.ini:15: more than 4 flash devices" },
    { GOOD_BOARD "\n\n\x01\n", "bad.ini:14: syntax error (expected '[section]', 'key = value' or "
                               "a comment)" },
};

static void test_bad_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct board b;
        char err[512];
        int rc;

        memset(err, 'x', sizeof(err));
        rc = board_parse(&b, bad_cases[i].text, strlen(bad_cases[i].text), "bad.ini", err,
                         sizeof(err));
        if (rc != BO_EINVAL || strcmp(err, bad_cases[i].message) != 0) {
            fail_msg("case %zu: rc %d, message\n  '%s', expected\n  '%s'", i, rc, err,
                     bad_cases[i].message);
        }
    }
}

static void test_bad_bytes(void **state)
{
    static const char with_nul[] = GOOD_BOARD "name\0 = x\n";
    char long_line[400];
    char *text;
    struct board b;
    char err[256];

    (void)state;
    assert_int_equal(board_parse(&b, with_nul, sizeof(with_nul) - 1, "nul.ini", err, sizeof(err)),
                     BO_EINVAL);
    assert_string_equal(err, "nul.ini:12: NUL byte in the text");

    memset(long_line, ';', sizeof(long_line));
    long_line[sizeof(long_line) - 1] = '\0';
    text = malloc(sizeof(GOOD_BOARD) + sizeof(long_line) + 1);
    assert_non_null(text);
    strcpy(text, GOOD_BOARD);
    strcat(text, long_line);
    assert_int_equal(board_parse(&b, text, strlen(text), NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "<board>:12: line longer than "));
    free(text);

    /* No message buffer, or a tiny one: still an error, never an overflow. */
    assert_int_equal(board_parse(&b, "x", 1, "t", NULL, 0), BO_EINVAL);
    assert_int_equal(board_parse(&b, "x", 1, "t", err, 4), BO_EINVAL);
    assert_string_equal(err, "t:1");
    assert_int_equal(board_parse(&b, NULL, 0, "t", err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "t:1: no [board] section");
}

static void test_load_errors(void **state)
{
    struct board b;
    char err[256];

    (void)state;
    assert_int_equal(board_load(&b, "/nonexistent/board.ini", err, sizeof(err)), BO_ENOENT);
    assert_string_equal(err, "/nonexistent/board.ini: No such file or directory");
    assert_int_equal(board_load(&b, "/", err, sizeof(err)), BO_EOS);
    assert_non_null(strstr(err, "/: "));
    assert_int_equal(board_load(&b, NULL, err, sizeof(err)), BO_EINVAL);
}

static void test_validate_edited(void **state)
{
    static const char good[] = GOOD_BOARD;
    struct board b;
    struct board hand;
    char err[256];

    (void)state;
    assert_int_equal(board_parse(&b, good, strlen(good), "e.ini", err, sizeof(err)), 0);
    b.part[FLASH_AREA_IMAGE_1].off = 0x2000;
    assert_int_equal(board_validate(&b, err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "e.ini:9: partitions 'image-0-primary' and 'image-0-secondary' "
                             "overlap");
    b.part[FLASH_AREA_IMAGE_1].off = 0x4000;
    b.flash[0].geom.write_unit = 5;
    assert_int_equal(board_validate(&b, err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "e.ini:3: flash device 'f' has an invalid geometry");
    b.flash[0].geom.write_unit = 8;
    b.flash[0].geom.erased_val = 0x00;
    assert_int_equal(board_validate(&b, err, sizeof(err)), 0);

    /* A board built by hand has no lines: "NAME: reason". */
    board_init(&hand);
    assert_int_equal(board_validate(&hand, err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "<board>: needs 1 to 4 flash devices");
    assert_int_equal(board_validate(NULL, err, sizeof(err)), BO_EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(board_partition_id("bootloader"), FLASH_AREA_BOOTLOADER);
    assert_int_equal(board_partition_id("image-0-primary"), FLASH_AREA_IMAGE_0);
    assert_int_equal(board_partition_id("image-0-secondary"), FLASH_AREA_IMAGE_1);
    assert_int_equal(board_partition_id("scratch"), FLASH_AREA_IMAGE_SCRATCH);
    assert_int_equal(board_partition_id("image-1-primary"), FLASH_AREA_IMAGE_2);
    assert_int_equal(board_partition_id("image-1-secondary"), FLASH_AREA_IMAGE_3);
    assert_int_equal(board_partition_id("image-2-primary"), BO_ENOENT);
    assert_int_equal(board_partition_id(NULL), BO_ENOENT);
    assert_string_equal(board_partition_name(FLASH_AREA_IMAGE_SCRATCH), "scratch");
    assert_null(board_partition_name(FLASH_AREA_COUNT));
    assert_null(board_partition_name(-1));
    assert_true(board_valid_name("nrf52840-mx25r64"));
    assert_false(board_valid_name(""));
    assert_false(board_valid_name("a b"));
    assert_false(board_valid_name("0123456789012345678901234567890123"));
}

/* Mutated fixtures never crash the parser, and every failure carries a FILE:LINE message. */
static void test_mutations(void **state)
{
    char path[512];
    char err[256];
    FILE *f;
    char base[4096];
    size_t len;
    uint32_t seed = 12345;

    (void)state;
    snprintf(path, sizeof(path), "%s/fixtures/boards/stm32f769.ini", top_dir());
    f = fopen(path, "rb");
    assert_non_null(f);
    len = fread(base, 1, sizeof(base), f);
    fclose(f);
    assert_true(len > 0 && len < sizeof(base));
    for (int round = 0; round < 3000; round++) {
        char text[sizeof(base)];
        struct board b;
        int rc;

        memcpy(text, base, len);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            text[(seed >> 8) % len] = (char)(seed >> 20);
        }
        rc = board_parse(&b, text, len, "m.ini", err, sizeof(err));
        if (rc != 0) {
            assert_int_equal(rc, BO_EINVAL);
            assert_int_equal(strncmp(err, "m.ini:", 6), 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_loads), cmocka_unit_test(test_fixture_values),
        cmocka_unit_test(test_good_texts),          cmocka_unit_test(test_bad_texts),
        cmocka_unit_test(test_bad_bytes),           cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_validate_edited),     cmocka_unit_test(test_names),
        cmocka_unit_test(test_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
