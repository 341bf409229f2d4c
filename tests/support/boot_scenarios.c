/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bootloader scenarios over a matrix of boards (see boot_scenarios.h).
 */
#include "boot_scenarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot_fixture.h"
#include "boot_scenarios_int.h"
#include "sysflash/sysflash.h"

/* Like nrf52840 / nrf54: uniform 4 KiB sectors, two images, a 16 KiB scratch. */
static const uint32_t bs_wu_any[] = { 1, 4, 8, 32, 0 };
static const struct bs_board bs_uniform = {
    "uniform-4k",
    "[board]\nname = uniform-4k\n"
    "[flash internal]\nsectors = 68x4K\nwrite-unit = %u\nerased-value = %s\nsemantics = %s\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition image-1-primary]\noffset = 0x20000\nsize = 0x10000\n"
    "[partition image-1-secondary]\noffset = 0x30000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x40000\nsize = 0x4000\n",
    "nor",
    bs_wu_any,
    10000,
    2,
};

/* Like stm32f4: 16 KiB sectors and a 64 KiB one in the primary, 128 KiB ones elsewhere. */
static const uint32_t bs_wu_mixed[] = { 1, 4, 0 };
static const struct bs_board bs_mixed = {
    "mixed-16k-64k-128k",
    "[board]\nname = mixed\n"
    "[flash internal]\nsectors = 4x16K, 1x64K, 2x128K\nwrite-unit = %u\nerased-value = %s\n"
    "semantics = %s\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x20000\n"
    "[partition image-0-secondary]\noffset = 0x20000\nsize = 0x20000\n"
    "[partition scratch]\noffset = 0x40000\nsize = 0x20000\n",
    "nor",
    bs_wu_mixed,
    20000,
    1,
};

/* Like stm32l4: 2 KiB pages, 8-byte ECC double words. */
static const uint32_t bs_wu_8[] = { 8, 0 };
static const struct bs_board bs_ecc8 = {
    "ecc-2k-8",
    "[board]\nname = ecc8\n"
    "[flash internal]\nsectors = 132x2K\nwrite-unit = %u\nerased-value = %s\nsemantics = %s\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x10000\n"
    "[partition image-0-secondary]\noffset = 0x10000\nsize = 0x10000\n"
    "[partition image-1-primary]\noffset = 0x20000\nsize = 0x10000\n"
    "[partition image-1-secondary]\noffset = 0x30000\nsize = 0x10000\n"
    "[partition scratch]\noffset = 0x40000\nsize = 0x2000\n",
    "ecc",
    bs_wu_8,
    10000,
    2,
};

/* Like stm32h7 (scaled down): 8 KiB sectors, 32-byte ECC flash words. */
static const uint32_t bs_wu_32[] = { 32, 0 };
static const struct bs_board bs_ecc32 = {
    "ecc-8k-32",
    "[board]\nname = ecc32\n"
    "[flash internal]\nsectors = 26x8K\nwrite-unit = %u\nerased-value = %s\nsemantics = %s\n"
    "[partition image-0-primary]\noffset = 0x0\nsize = 0x18000\n"
    "[partition image-0-secondary]\noffset = 0x18000\nsize = 0x18000\n"
    "[partition scratch]\noffset = 0x30000\nsize = 0x4000\n",
    "ecc",
    bs_wu_32,
    12000,
    1,
};

static const struct bs_board *const bs_board_list[] = {
    &bs_uniform, &bs_mixed, &bs_ecc8, &bs_ecc32, NULL,
};

const struct bs_board *const *bs_boards(void)
{
    return bs_board_list;
}

static const char *const bs_names[BS_SCENARIO_COUNT] = {
    "perm",      "test-revert",       "test-confirm",     "bad-sig",   "bad-hash",    "oversize",
    "downgrade", "downgrade-sec-cnt", "leftover-trailer", "multi-met", "multi-unmet", "max-size",
};

const char *bs_scenario_name(enum bs_scenario sc)
{
    return sc < BS_SCENARIO_COUNT ? bs_names[sc] : "?";
}

int bs_begin(struct bs_ctx *c, const struct bs_board *b, uint32_t wu, uint8_t ev,
             enum boot_mode mode, int images, const char *what)
{
    char ini[2048];
    struct board board;
    const char *why = NULL;
    int i;
    int rc;

    memset(c, 0, sizeof(*c));
    c->board = b->name;
    c->wu = wu;
    c->ev = ev;
    c->mode = mode;
    c->what = what;
    snprintf(ini, sizeof(ini), b->ini, wu, ev == 0xff ? "0xff" : "0x00", b->semantics);
    BS_CHECK(c, bf_board_text(&board, ini) == 0, "board does not parse");
    BS_CHECK(c, bf_start(&c->f, &board, mode, (uint32_t)images) == 0, "fixture start");
    c->started = true;
    for (i = 0; i < images; i++) {
        rc = bf_capacity(&c->f, (uint32_t)i, &c->max[i], &why);
        BS_CHECK(c, rc >= 0, "capacity: %d", rc);
        if (rc == 0) {
            printf("skip %s wu=%u ev=0x%02x %s: %s\n", b->name, wu, ev, boot_mode_name(mode),
                   why != NULL ? why : "?");
            return BS_SKIP;
        }
    }
    return BS_PASS;
}

void bs_end(struct bs_ctx *c)
{
    if (c->started) {
        bf_stop(&c->f);
        c->started = false;
    }
}

static bool bs_ver_is(const struct image_version *v, uint8_t major, uint8_t minor)
{
    return v->major == major && v->minor == minor;
}

/* Checks a trailer; 0 in a field means "any". */
static int bs_state(struct bs_ctx *c, int area, uint8_t magic, uint8_t image_ok, uint8_t copy_done)
{
    struct boot_swap_state s;

    BS_CHECK(c, bf_swap_state(&c->f, area, &s) == 0, "read trailer of area %d", area);
    BS_CHECK(c, magic == 0 || s.magic == magic, "area %d magic %u, want %u", area, s.magic, magic);
    BS_CHECK(c, image_ok == 0 || s.image_ok == image_ok, "area %d image_ok %u, want %u", area,
             s.image_ok, image_ok);
    BS_CHECK(c, copy_done == 0 || s.copy_done == copy_done, "area %d copy_done %u, want %u", area,
             s.copy_done, copy_done);
    return BS_PASS;
}

/* Boots and checks the version of image 0 and the operation performed. */
int bs_boot(struct bs_ctx *c, uint8_t major, uint8_t swap_type, struct boot_rsp *rsp)
{
    int rc = bf_boot(&c->f, rsp);

    BS_CHECK(c, rc == 0, "boot failed: %d", rc);
    BS_CHECK(c, rsp->version.major == major, "booted v%u, want v%u", rsp->version.major, major);
    BS_CHECK(c, swap_type == 0 || rsp->swap_type[0] == swap_type, "performed %u, want %u",
             rsp->swap_type[0], swap_type);
    return BS_PASS;
}

/* One more boot changes no byte of flash. */
int bs_stable(struct bs_ctx *c, uint8_t major)
{
    struct bf_snap s;
    struct boot_rsp rsp;
    bool same;
    int rc;

    BS_CHECK(c, bf_snapshot(&c->f, &s) == 0, "snapshot");
    rc = bs_boot(c, major, TRAILER_SWAP_TYPE_NONE, &rsp);
    same = bf_snap_equal(&c->f, &s);
    bf_snap_free(&s);
    if (rc != BS_PASS) {
        return rc;
    }
    BS_CHECK(c, same, "a further boot changed flash");
    return BS_PASS;
}

/* Header of the image in the secondary slot of image 0 at off. */
static int bs_sec_header(struct bs_ctx *c, uint32_t off, struct image_header *hdr, bool *blank)
{
    const struct flash_area *fa;
    uint8_t raw[IMAGE_HEADER_SIZE];
    uint32_t i;
    int rc;

    rc = flash_area_open(FLASH_AREA_IMAGE_1, &fa);
    BS_CHECK(c, rc == 0, "open secondary");
    rc = flash_area_read(fa, off, raw, sizeof(raw));
    *blank = true;
    for (i = 0; i < sizeof(raw); i++) {
        *blank = *blank && raw[i] == flash_area_erased_val(fa);
    }
    flash_area_close(fa);
    BS_CHECK(c, rc == 0, "read secondary");
    image_header_decode(raw, hdr);
    return BS_PASS;
}

int bs_install2(struct bs_ctx *c, uint32_t image, uint8_t v_pri, uint8_t v_sec, uint32_t payload)
{
    struct bf_image img;

    bf_image_init(&img, v_pri, 0, 0, payload);
    BS_CHECK(c, bf_install(&c->f, image, 0, &img) == 0, "install primary");
    bf_image_init(&img, v_sec, 0, 0, payload + 100);
    BS_CHECK(c, bf_install(&c->f, image, 1, &img) == 0, "install secondary");
    return BS_PASS;
}

static int bs_perm(struct bs_ctx *c, const struct bs_board *b)
{
    struct boot_rsp rsp;
    struct image_header hdr;
    bool blank;
    bool swap = c->mode != BOOT_MODE_OVERWRITE;

    BS_TRY(bs_install2(c, 0, 1, 2, b->payload));
    BS_CHECK(c, bf_set_pending(&c->f, 0, true) == 0, "set pending");
    BS_TRY(bs_boot(c, 2, TRAILER_SWAP_TYPE_PERM, &rsp));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_0, TRAILER_MAGIC_GOOD, TRAILER_FLAG_SET,
                    swap ? TRAILER_FLAG_SET : TRAILER_FLAG_UNSET));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_UNSET, 0, 0));
    BS_TRY(bs_sec_header(c, 0, &hdr, &blank));
    if (swap) {
        BS_CHECK(c, hdr.magic == IMAGE_MAGIC && hdr.version.major == 1,
                 "old image not in the secondary");
    } else {
        BS_CHECK(c, blank, "secondary header not erased");
    }
    return bs_stable(c, 2);
}

static int bs_test(struct bs_ctx *c, const struct bs_board *b, bool confirm, uint32_t total)
{
    struct boot_rsp rsp;
    struct bf_image img;
    bool swap = c->mode != BOOT_MODE_OVERWRITE;

    bf_image_init(&img, 1, 0, 0, b->payload);
    BS_CHECK(c, bf_install(&c->f, 0, 0, &img) == 0, "install primary");
    bf_image_init(&img, 2, 0, 0, b->payload + 100);
    img.total_len = total;
    BS_CHECK(c, bf_install(&c->f, 0, 1, &img) == 0, "install secondary");
    BS_CHECK(c, bf_set_pending(&c->f, 0, false) == 0, "set pending");
    BS_TRY(bs_boot(c, 2, TRAILER_SWAP_TYPE_TEST, &rsp));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_0, TRAILER_MAGIC_GOOD, TRAILER_FLAG_UNSET,
                    swap ? TRAILER_FLAG_SET : TRAILER_FLAG_UNSET));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_UNSET, 0, 0));
    if (confirm) {
        BS_CHECK(c, bf_set_confirmed(&c->f, 0) == 0, "confirm");
        BS_TRY(bs_state(c, FLASH_AREA_IMAGE_0, TRAILER_MAGIC_GOOD, TRAILER_FLAG_SET, 0));
        return bs_stable(c, 2);
    }
    if (!swap) {
        /* Overwrite-only cannot revert. */
        return bs_stable(c, 2);
    }
    BS_TRY(bs_boot(c, 1, TRAILER_SWAP_TYPE_REVERT, &rsp));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_0, TRAILER_MAGIC_GOOD, TRAILER_FLAG_SET, TRAILER_FLAG_SET));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_UNSET, 0, 0));
    return bs_stable(c, 1);
}

/* The secondary is refused: the primary boots and the secondary's image is gone. */
static int bs_refused(struct bs_ctx *c, uint8_t v_pri)
{
    struct boot_rsp rsp;
    struct image_header hdr;
    bool blank;

    BS_CHECK(c, bf_set_pending(&c->f, 0, true) == 0, "set pending");
    BS_TRY(bs_boot(c, v_pri, TRAILER_SWAP_TYPE_NONE, &rsp));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_UNSET, 0, 0));
    BS_TRY(bs_sec_header(c, bf_secondary_offset(&c->f, 0), &hdr, &blank));
    BS_CHECK(c, blank, "refused secondary not erased");
    return bs_stable(c, v_pri);
}

static int bs_bad(struct bs_ctx *c, const struct bs_board *b, bool untrusted, bool corrupt)
{
    struct bf_image img;

    bf_image_init(&img, 1, 0, 0, b->payload);
    BS_CHECK(c, bf_install(&c->f, 0, 0, &img) == 0, "install primary");
    bf_image_init(&img, 2, 0, 0, b->payload);
    img.untrusted = untrusted;
    img.corrupt = corrupt;
    BS_CHECK(c, bf_install(&c->f, 0, 1, &img) == 0, "install secondary");
    return bs_refused(c, 1);
}

static int bs_oversize(struct bs_ctx *c, const struct bs_board *b)
{
    struct bf_image img;

    bf_image_init(&img, 1, 0, 0, b->payload);
    BS_CHECK(c, bf_install(&c->f, 0, 0, &img) == 0, "install primary");
    bf_image_init(&img, 2, 0, 0, c->max[0]);
    img.total_len = c->max[0] + 32;
    BS_CHECK(c, bf_install(&c->f, 0, 1, &img) == 0, "install secondary");
    return bs_refused(c, 1);
}

static int bs_downgrade(struct bs_ctx *c, const struct bs_board *b, bool sec_cnt)
{
    struct bf_image img;

    if (sec_cnt) {
        c->f.cfg.downgrade_sec_cnt = true;
    } else {
        c->f.cfg.downgrade_version = true;
    }
    bf_image_init(&img, 3, 0, 0, b->payload);
    img.has_sec_cnt = true;
    img.sec_cnt = 5;
    BS_CHECK(c, bf_install(&c->f, 0, 0, &img) == 0, "install primary");
    bf_image_init(&img, sec_cnt ? 4 : 2, 0, 0, b->payload);
    img.has_sec_cnt = true;
    img.sec_cnt = 4;
    BS_CHECK(c, bf_install(&c->f, 0, 1, &img) == 0, "install secondary");
    return bs_refused(c, 3);
}

static int bs_leftover(struct bs_ctx *c, const struct bs_board *b)
{
    const struct flash_area *fa;
    struct flash_sector s;
    uint32_t off = bf_secondary_offset(&c->f, 0);
    struct boot_rsp rsp;
    int rc;

    BS_TRY(bs_install2(c, 0, 1, 2, b->payload));
    BS_CHECK(c, bf_set_pending(&c->f, 0, true) == 0, "set pending");
    rc = flash_area_open(FLASH_AREA_IMAGE_1, &fa);
    BS_CHECK(c, rc == 0, "open");
    rc = flash_area_get_sector(fa, off, &s);
    if (rc == 0 && s.fs_off + s.fs_size == flash_area_get_size(fa)) {
        /* The image's first sector holds the trailer too: nothing to leave behind. */
        flash_area_close(fa);
        printf("skip %s %s leftover-trailer: one-sector slot\n", c->board, boot_mode_name(c->mode));
        return BS_SKIP;
    }
    if (rc == 0) {
        rc = flash_area_erase(fa, s.fs_off, s.fs_size);
    }
    flash_area_close(fa);
    BS_CHECK(c, rc == 0, "erase the image's first sector");
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_GOOD, 0, 0));
    BS_TRY(bs_boot(c, 1, TRAILER_SWAP_TYPE_NONE, &rsp));
    BS_TRY(bs_state(c, FLASH_AREA_IMAGE_1, TRAILER_MAGIC_UNSET, 0, 0));
    return bs_stable(c, 1);
}

static int bs_multi(struct bs_ctx *c, const struct bs_board *b, bool met)
{
    struct boot_rsp rsp;
    struct bf_image img;
    struct bf_snap s;
    bool same;
    int rc;

    bf_image_init(&img, 1, 0, 0, b->payload);
    BS_CHECK(c, bf_install(&c->f, 0, 0, &img) == 0, "install 0 primary");
    BS_CHECK(c, bf_install(&c->f, 1, 0, &img) == 0, "install 1 primary");
    bf_image_init(&img, 2, 0, 0, b->payload + 64);
    img.dep_count = 1;
    img.deps[0].image_id = 1;
    img.deps[0].min_version.major = met ? 2 : 3;
    BS_CHECK(c, bf_install(&c->f, 0, 1, &img) == 0, "install 0 secondary");
    bf_image_init(&img, 2, 1, 0, b->payload + 128);
    img.dep_count = 1;
    img.deps[0].image_id = 0;
    img.deps[0].min_version.major = 1;
    BS_CHECK(c, bf_install(&c->f, 1, 1, &img) == 0, "install 1 secondary");
    BS_CHECK(c, bf_set_pending(&c->f, 0, true) == 0, "set pending 0");
    BS_CHECK(c, bf_set_pending(&c->f, 1, true) == 0, "set pending 1");
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == 0, "boot: %d", rc);
    BS_CHECK(c, rsp.image_count == 2, "image count %u", rsp.image_count);
    BS_CHECK(c, bs_ver_is(&rsp.versions[0], met ? 2 : 1, 0), "image 0 runs v%u.%u",
             rsp.versions[0].major, rsp.versions[0].minor);
    BS_CHECK(c, bs_ver_is(&rsp.versions[1], 2, 1), "image 1 runs v%u.%u", rsp.versions[1].major,
             rsp.versions[1].minor);
    BS_CHECK(c, bf_snapshot(&c->f, &s) == 0, "snapshot");
    rc = bf_boot(&c->f, &rsp);
    same = bf_snap_equal(&c->f, &s);
    bf_snap_free(&s);
    BS_CHECK(c, rc == 0 && same, "second boot: %d, flash %s", rc, same ? "same" : "changed");
    BS_CHECK(c, bs_ver_is(&rsp.versions[0], met ? 2 : 1, 0), "image 0 then runs v%u",
             rsp.versions[0].major);
    return BS_PASS;
}

int bs_run(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val, enum boot_mode mode,
           enum bs_scenario sc)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    bool multi = sc == BS_MULTI_MET || sc == BS_MULTI_UNMET;
    int rc;

    if (c == NULL) {
        return BS_FAIL;
    }
    if (multi && b->images < 2) {
        free(c);
        return BS_SKIP;
    }
    rc = bs_begin(c, b, write_unit, erased_val, mode, multi ? 2 : 1, bs_scenario_name(sc));
    if (rc == BS_PASS) {
        switch (sc) {
        case BS_PERM:
            rc = bs_perm(c, b);
            break;
        case BS_TEST_REVERT:
            rc = bs_test(c, b, false, 0);
            break;
        case BS_TEST_CONFIRM:
            rc = bs_test(c, b, true, 0);
            break;
        case BS_BAD_SIG:
            rc = bs_bad(c, b, true, false);
            break;
        case BS_BAD_HASH:
            rc = bs_bad(c, b, false, true);
            break;
        case BS_OVERSIZE:
            rc = bs_oversize(c, b);
            break;
        case BS_DOWNGRADE:
            rc = bs_downgrade(c, b, false);
            break;
        case BS_DOWNGRADE_SEC_CNT:
            rc = bs_downgrade(c, b, true);
            break;
        case BS_LEFTOVER_TRAILER:
            rc = bs_leftover(c, b);
            break;
        case BS_MULTI_MET:
            rc = bs_multi(c, b, true);
            break;
        case BS_MULTI_UNMET:
            rc = bs_multi(c, b, false);
            break;
        case BS_MAX_SIZE:
            rc = bs_test(c, b, false, c->max[0]);
            break;
        default:
            rc = BS_FAIL;
        }
    }
    bs_end(c);
    free(c);
    return rc;
}

int bs_run_matrix(enum boot_mode mode, int *passed, int *skipped)
{
    static const uint8_t evs[] = { 0xff, 0x00 };
    const struct bs_board *const *b;
    int failed = 0;
    size_t e;
    int sc;

    *passed = 0;
    *skipped = 0;
    for (b = bs_boards(); *b != NULL; b++) {
        const uint32_t *wu;

        for (wu = (*b)->write_units; *wu != 0; wu++) {
            for (e = 0; e < sizeof(evs); e++) {
                for (sc = 0; sc < BS_SCENARIO_COUNT; sc++) {
                    int rc = bs_run(*b, *wu, evs[e], mode, (enum bs_scenario)sc);

                    if (rc == BS_PASS) {
                        (*passed)++;
                    } else if (rc == BS_SKIP) {
                        (*skipped)++;
                    } else {
                        failed++;
                    }
                }
            }
        }
    }
    return failed;
}

int bs_outcome(struct bs_ctx *c, uint8_t major, struct bs_outcome *o)
{
    o->major = major;
    BS_CHECK(c, bf_swap_state(&c->f, FLASH_AREA_IMAGE_0, &o->pri) == 0, "state");
    BS_CHECK(c, bf_swap_state(&c->f, FLASH_AREA_IMAGE_1, &o->sec) == 0, "state");
    BS_CHECK(c, bf_hash_area(&c->f, FLASH_AREA_IMAGE_0, 0, 0x2000, o->hash) == 0, "hash");
    return BS_PASS;
}

const struct bs_board *bs_board_named(const char *name)
{
    size_t i;

    for (i = 0; bs_board_list[i] != NULL; i++) {
        if (strcmp(bs_board_list[i]->name, name) == 0) {
            return bs_board_list[i];
        }
    }
    return NULL;
}
