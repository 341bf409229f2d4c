/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the random legal boards (sim/sweep/sweep_boards.c): the generator is deterministic per
 * seed and index, every board it writes parses and validates, and together they cover the
 * layouts and geometries it promises; a small run (6 boards, fixed seed, two fault models, depth
 * 1) adds up and passes; JSON output parses; a board that fails keeps its file and replay ID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "bo_err.h"
#include "board/board.h"
#include "board/board_derive.h"
#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_boards.h"

static mbedtls_platform_context plat;

/* Boards per seed the generator tests look at. */
#define TB_PER_SEED 300u

static void test_generate_deterministic(void **state)
{
    static const uint64_t seeds[] = { 1, 14, 0xdeadbeefcafeull };
    char a[SWEEP_BOARDS_TEXT_MAX];
    char b[SWEEP_BOARDS_TEXT_MAX];
    char na[BOARD_NAME_MAX];
    char nb[BOARD_NAME_MAX];
    uint32_t same_as_next = 0;
    size_t s;
    uint32_t i;

    (void)state;
    for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        for (i = 0; i < 50; i++) {
            assert_int_equal(sweep_boards_generate(seeds[s], i, a, sizeof(a), na, sizeof(na)), 0);
            assert_int_equal(sweep_boards_generate(seeds[s], i, b, sizeof(b), nb, sizeof(nb)), 0);
            assert_string_equal(a, b);
            assert_string_equal(na, nb);
            assert_int_equal(sweep_boards_generate(seeds[s], i + 1, b, sizeof(b), nb, sizeof(nb)),
                             0);
            assert_string_not_equal(na, nb);
            /* Past the name line, another index (or seed) gives another board. */
            same_as_next += strcmp(strstr(a, "description"), strstr(b, "description")) == 0;
        }
    }
    assert_true(same_as_next < 10);
    assert_int_equal(sweep_boards_generate(1, 0, a, sizeof(a), na, sizeof(na)), 0);
    assert_int_equal(sweep_boards_generate(2, 0, b, sizeof(b), nb, sizeof(nb)), 0);
    assert_string_not_equal(strstr(a, "description"), strstr(b, "description"));
    /* Too small a buffer is an error, never a cut board. */
    assert_int_equal(sweep_boards_generate(1, 0, a, 64, na, sizeof(na)), BO_ERANGE);
}

/* What the generated boards cover, to check each promised kind occurs. */
struct tb_cover {
    uint32_t write_units; /* Bits of the write units seen. */
    uint32_t erased[2];   /* 0x00, 0xff. */
    uint32_t sem[3];      /* nor, ecc, no-erase. */
    uint32_t paged, unpaged, scratch, no_scratch, one_sector, mixed, max_sectors;
};

static void tb_cover_add(struct tb_cover *c, const struct board *b)
{
    const struct vflash_geometry *g = &b->flash[0].geom;
    uint32_t pri = board_derive_sector_count(b, FLASH_AREA_IMAGE_PRIMARY(0));

    c->write_units |= g->write_unit;
    c->erased[g->erased_val == 0xff]++;
    c->sem[g->semantics == VFLASH_NOR ? 0 : g->semantics == VFLASH_ECC ? 1 : 2]++;
    *(g->page_size != 0 ? &c->paged : &c->unpaged) += 1;
    *(b->part[FLASH_AREA_IMAGE_SCRATCH].present ? &c->scratch : &c->no_scratch) += 1;
    c->one_sector += pri == 1;
    c->mixed += strstr(b->description, "mixed") != NULL;
    c->max_sectors += b->max_sectors > 128;
}

static void test_generate_legal(void **state)
{
    struct board *b = calloc(1, sizeof(*b));
    char text[SWEEP_BOARDS_TEXT_MAX];
    char name[BOARD_NAME_MAX];
    char err[512];
    struct tb_cover c;
    uint64_t seed;
    uint32_t i;

    (void)state;
    assert_non_null(b);
    memset(&c, 0, sizeof(c));
    for (seed = 1; seed <= 3; seed++) {
        for (i = 0; i < TB_PER_SEED; i++) {
            assert_int_equal(sweep_boards_generate(seed, i, text, sizeof(text), name, sizeof(name)),
                             0);
            err[0] = '\0';
            if (board_parse(b, text, strlen(text), name, err, sizeof(err)) != 0) {
                fprintf(stderr, "%s does not parse: %s\n%s", name, err, text);
                fail();
            }
            assert_int_equal(board_validate(b, err, sizeof(err)), 0);
            assert_true(board_valid_name(name));
            assert_string_equal(b->name, name);
            tb_cover_add(&c, b);
        }
    }
    assert_int_equal(c.write_units, 1 | 2 | 4 | 8 | 16 | 32);
    assert_true(c.erased[0] > 0 && c.erased[1] > 0);
    assert_true(c.sem[0] > 0 && c.sem[1] > 0 && c.sem[2] > 0);
    assert_true(c.paged > 0 && c.unpaged > 0);
    assert_true(c.scratch > 0 && c.no_scratch > 0);
    assert_true(c.one_sector > 0 && c.mixed > 0 && c.max_sectors > 0);
    free(b);
}

static void tb_base(struct sweep_opts *o, uint32_t faults)
{
    sweep_opts_init(o);
    o->faults = faults;
    o->depth = 1;
    o->jobs = 2;
    o->prefix_max = 2;
    o->seed = 1;
}

/* The summary of a run adds up: every board is accepted or refused, every mode swept or
 * refused, every refusal has a reason. */
static void tb_check_sum(const struct sweep_boards_summary *s, uint32_t boards, uint32_t modes)
{
    uint32_t reasons = 0;
    uint32_t i;

    assert_int_equal(s->boards, boards);
    assert_int_equal(s->accepted + s->refused, boards);
    assert_int_equal(s->modes_swept + s->modes_refused, boards * modes);
    for (i = 0; i < s->reason_count; i++) {
        assert_true(s->reasons[i].text[0] != '\0');
        /* No file name or line number: the reason is the same for every board. */
        assert_null(strstr(s->reasons[i].text, ".ini"));
        reasons += s->reasons[i].count;
    }
    assert_int_equal(reasons, s->modes_refused);
}

static void test_run_small(void **state)
{
    struct sweep_boards_summary sum;
    struct sweep_boards_opts bo = { 6, 1, 0, NULL, false };
    struct sweep_opts o;
    char err[512] = "";
    char line[1024];
    FILE *out = tmpfile();
    bool pass = false;
    int rc;

    (void)state;
    assert_non_null(out);
    tb_base(&o, SWEEP_FAULT(VFLASH_CUT_BEFORE) | SWEEP_FAULT(VFLASH_CUT_AFTER));
    rc = sweep_boards_run(&o, &bo, out, &sum, err, sizeof(err));
    rewind(out);
    while (fgets(line, sizeof(line), out) != NULL) {
        fputs(line, stdout);
        pass |= strncmp(line, "PASS: 0 of ", 11) == 0;
    }
    fclose(out);
    assert_int_equal(rc, 0);
    tb_check_sum(&sum, 6, 4);
    assert_true(sum.accepted > 0 && sum.modes_refused > 0);
    assert_true(sum.points > 0);
    assert_int_equal(sum.failures, 0);
    assert_true(pass);
}

static void test_run_json_one_mode(void **state)
{
    struct sweep_boards_summary sum;
    struct sweep_boards_opts bo = { 3, 5, 1u << BOOT_MODE_OVERWRITE, NULL, true };
    struct sweep_opts o;
    json_error_t jerr;
    char err[512] = "";
    FILE *out = tmpfile();
    json_t *doc;

    (void)state;
    assert_non_null(out);
    tb_base(&o, SWEEP_FAULT(VFLASH_CUT_BEFORE));
    assert_int_equal(sweep_boards_run(&o, &bo, out, &sum, err, sizeof(err)), 0);
    tb_check_sum(&sum, 3, 1);
    rewind(out);
    doc = json_loadf(out, 0, &jerr);
    fclose(out);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "seed")), 5);
    assert_int_equal(json_array_size(json_object_get(doc, "boards")), 3);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "summary"), "generated")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "points")),
                     (json_int_t)sum.points);
    json_decref(doc);
}

/* Known-bad behaviour: every program during the recovery after a cut is silently dropped. */
static int tb_drop_recovery(void *arg, struct vflash *dev, const struct vflash_op *op,
                            bool recovery)
{
    struct vflash_fault_config fc;

    (void)arg;
    memset(&fc, 0, sizeof(fc));
    if (recovery && op->kind == VFLASH_OP_PROGRAM) {
        fc.drop.off = op->off;
        fc.drop.len = op->len;
        fc.drop.one_in = 1;
    }
    return vflash_fault_configure(dev, &fc);
}

/* Removes the board files a run kept (path: one of them) and their directory. */
static void tb_remove_kept(const char *path, uint32_t count)
{
    char dir[700];
    char file[800];
    char *end;
    uint32_t i;

    snprintf(dir, sizeof(dir), "%s", path);
    end = strrchr(dir, '/');
    assert_non_null(end);
    *end = '\0';
    for (i = 0; i < count; i++) {
        snprintf(file, sizeof(file), "%s/rb-1-%u.ini", dir, (unsigned)i);
        unlink(file);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* A failing board is reported with replay IDs, and its file stays where the ID points. */
static void test_failure_kept(void **state)
{
    struct sweep_boards_summary sum;
    struct sweep_boards_opts bo = { 2, 1, 1u << BOOT_MODE_OVERWRITE, NULL, false };
    struct sweep_opts o;
    struct sweep_outcome rep;
    char err[512] = "";
    char line[1024];
    char id[SWEEP_ID_MAX] = "";
    char file[700] = "";
    const char *p;
    FILE *out = tmpfile();

    (void)state;
    assert_non_null(out);
    tb_base(&o, SWEEP_FAULT(VFLASH_CUT_BEFORE));
    o.inject = tb_drop_recovery;
    assert_int_equal(sweep_boards_run(&o, &bo, out, &sum, err, sizeof(err)), 0);
    assert_true(sum.failures > 0);
    rewind(out);
    while (fgets(line, sizeof(line), out) != NULL) {
        if (id[0] == '\0' && sscanf(line, "  FAIL %511s", id) == 1) {
            printf("%s", line);
        }
        p = strstr(line, "; board file ");
        if (file[0] == '\0' && p != NULL && sscanf(p, "; board file %699s", file) == 1) {
            printf("%s", line);
        }
    }
    fclose(out);
    assert_true(strncmp(id, "bo2:perm:overwrite:rb-1-", 24) == 0);
    assert_non_null(strstr(file, "/rb-1-"));
    /* The kept file is the board the ID names: a replay given it fails the same way. */
    o.sc.in.board_file = file;
    assert_int_equal(sweep_replay(&o, id, NULL, &rep, err, sizeof(err)), 0);
    assert_int_equal(rep.status, SWEEP_FAIL);
    tb_remove_kept(file, bo.count);
}

/* Known-bad behaviour: every program fails with an I/O error, so even the run without a cut
 * fails. That is a failure of the board's mode, never a refusal. */
static int tb_fail_programs(void *arg, struct vflash *dev, const struct vflash_op *op,
                            bool recovery)
{
    (void)arg;
    (void)dev;
    (void)recovery;
    return op->kind == VFLASH_OP_PROGRAM ? BO_EIO : 0;
}

static void test_uncut_failure(void **state)
{
    struct sweep_boards_summary sum;
    struct sweep_boards_opts bo = { 1, 1, 1u << BOOT_MODE_OVERWRITE, NULL, false };
    struct sweep_opts o;
    char err[512] = "";
    char line[1024];
    char dir[700] = "";
    FILE *out = tmpfile();

    (void)state;
    assert_non_null(out);
    tb_base(&o, SWEEP_FAULT(VFLASH_CUT_BEFORE));
    o.inject = tb_fail_programs;
    assert_int_equal(sweep_boards_run(&o, &bo, out, &sum, err, sizeof(err)), 0);
    rewind(out);
    while (fgets(line, sizeof(line), out) != NULL) {
        printf("%s", line);
        if (sscanf(line, "  board files: %699s", dir) == 1) {
            strcat(dir, "/rb-1-0.ini");
        }
    }
    fclose(out);
    tb_check_sum(&sum, 1, 1);
    assert_int_equal(sum.modes_swept, 1);
    assert_int_equal(sum.failures, 1);
    /* The failing board's file is kept. */
    assert_true(dir[0] != '\0');
    tb_remove_kept(dir, bo.count);
}

static int tb_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int tb_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_deterministic),
        cmocka_unit_test(test_generate_legal),
        cmocka_unit_test(test_run_small),
        cmocka_unit_test(test_run_json_one_mode),
        cmocka_unit_test(test_failure_kept),
        cmocka_unit_test(test_uncut_failure),
    };

    return cmocka_run_group_tests(tests, tb_setup, tb_teardown);
}
