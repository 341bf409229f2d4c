/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the inputs a sweep names by content (sim/sweep/sweep_inputs.c) and of bo2 replay
 * IDs: a failing point's ID replays as FAIL, and once its board file changed the replay is
 * refused (it used to run on the new board and could pass); another key is refused too; the
 * ID carries the inputs hash, the user's images ("u") and the policies; bo1 IDs still decode.
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

#include "bo_err.h"
#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_inputs.h"

static mbedtls_platform_context plat;

/* The offset of the primary trailer's magic on stm32h7 (image-0-primary ends at 0x80000). */
#define TEST_MAGIC_OFF (0x80000u - 32u)

/* Drops every program of the recovery over the primary's trailer magic: points must fail. */
static int ti_drop_magic(void *arg, struct vflash *dev, const struct vflash_op *op, bool recovery)
{
    struct vflash_fault_config fc;

    (void)arg;
    memset(&fc, 0, sizeof(fc));
    if (recovery && op->kind == VFLASH_OP_PROGRAM && op->off <= TEST_MAGIC_OFF &&
        op->off + op->len > TEST_MAGIC_OFF) {
        fc.drop.off = op->off;
        fc.drop.len = op->len;
        fc.drop.one_in = 1;
    }
    return vflash_fault_configure(dev, &fc);
}

/* Copies the shipped board name to path. */
static void ti_copy_board(const char *name, const char *path)
{
    char src[1024];
    char buf[8192];
    FILE *in;
    FILE *out;
    size_t n;

    snprintf(src, sizeof(src), "%s/fixtures/boards/%s.ini", getenv("BROWNOUT_ROOT"), name);
    in = fopen(src, "rb");
    assert_non_null(in);
    out = fopen(path, "wb");
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        assert_int_equal(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Appends a line to a file. */
static void ti_append(const char *path, const char *line)
{
    FILE *f = fopen(path, "a");

    assert_non_null(f);
    fputs(line, f);
    assert_int_equal(fclose(f), 0);
}

/* A sweep on a copy of stm32h7 whose recovery drops the trailer magic; its first failure. */
static void ti_failing_point(struct sweep_opts *o, const char *board, char *id, size_t len)
{
    struct sweep_result r;
    char err[512] = "";
    size_t i;

    sweep_opts_init(o);
    o->sc.board = board;
    o->sc.mode = BOOT_MODE_SWAP_SCRATCH;
    o->sc.kind = SCENARIO_PERM;
    o->faults = SWEEP_FAULT(VFLASH_CUT_BEFORE);
    o->jobs = 2;
    o->inject = ti_drop_magic;
    sweep_result_init(&r);
    assert_int_equal(sweep_run(o, &r, err, sizeof(err)), 0);
    for (i = 0; i < r.count && r.out[i].status == SWEEP_PASS; i++) {
    }
    assert_true(i < r.count);
    snprintf(id, len, "%s", r.out[i].id);
    sweep_result_free(&r);
}

static void test_changed_board_is_refused(void **state)
{
    char dir[] = "/tmp/bo-test-inputs.XXXXXX";
    char board[64];
    char id[SWEEP_ID_MAX];
    char err[512] = "";
    struct sweep_opts o;
    struct sweep_outcome out;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(board, sizeof(board), "%s/h7.ini", dir);
    ti_copy_board("stm32h7", board);
    ti_failing_point(&o, board, id, sizeof(id));
    assert_true(strncmp(id, "bo2:perm:swap-scratch:h7:d:1:", 29) == 0);
    /* The board file by name is nowhere here: the replay names it and says what to give. */
    assert_true(sweep_replay(&o, id, NULL, &out, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "--bundle DIR or --board FILE"));
    /* With the file it reproduces the failure. */
    o.sc.in.board_file = board;
    assert_int_equal(sweep_replay(&o, id, NULL, &out, err, sizeof(err)), 0);
    assert_int_equal(out.status, SWEEP_FAIL);
    assert_string_equal(out.id, id);
    /* Changed, even by a comment, it is refused with the reason. */
    ti_append(board, "; edited after the sweep\n");
    err[0] = '\0';
    assert_int_equal(sweep_replay(&o, id, NULL, &out, err, sizeof(err)), BO_ESTATE);
    assert_non_null(strstr(err, "is not the one the ID was made with"));
    assert_non_null(strstr(err, board));
    assert_null(strstr(err, "keys"));
    /* Another signing key (built-in images): the keys and the images differ. */
    ti_copy_board("stm32h7", board);
    o.sc.in.keys[0] = "fixtures/keys/interop-ec256.pem";
    o.sc.in.key_count = 1;
    assert_int_equal(sweep_replay(&o, id, NULL, &out, err, sizeof(err)), BO_ESTATE);
    assert_non_null(strstr(err, "the trusted keys are not the ID's"));
    assert_non_null(strstr(err, "another signing key"));
    assert_null(strstr(err, "board file"));
    unlink(board);
    rmdir(dir);
}

static void test_id_round_trip(void **state)
{
    struct scenario_opts so;
    struct scenario_opts back;
    struct sweep_point pt;
    struct sweep_point got;
    char id[SWEEP_ID_MAX];
    char board[600];

    (void)state;
    scenario_opts_init(&so);
    so.board = "my-board";
    so.max_sectors = 256;
    so.no_validate_primary = true;
    so.in.image_old = "a.bin";
    so.in.expect = 0x0123456789abcdefull;
    memset(&pt, 0, sizeof(pt));
    pt.op = 7;
    pt.model = VFLASH_CUT_AFTER;
    pt.seed = 9;
    pt.op2 = -1;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_true(
        strncmp(id, "bo2:perm:swap-scratch:my-board:u:1m256n:0123456789abcdef:7:after:", 65) == 0);
    scenario_opts_init(&back);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_string_equal(back.board, "my-board");
    assert_int_equal(back.in.expect, so.in.expect);
    assert_true(back.in.id_user_images);
    assert_int_equal(back.max_sectors, 256);
    assert_true(back.no_validate_primary);
    assert_true(back.downgrade_prevention);
    assert_memory_equal(&got, &pt, sizeof(pt));
    /* The user's images cannot replay without their files; built-in ones refuse them. */
    assert_int_equal(sweep_inputs_replay_check(&back.in, id, sizeof(id)), BO_EINVAL);
    back.in.image_old = "a.bin";
    back.in.image_new = "b.bin";
    assert_int_equal(sweep_inputs_replay_check(&back.in, id, sizeof(id)), 0);
    back.in.id_user_images = false;
    assert_int_equal(sweep_inputs_replay_check(&back.in, id, sizeof(id)), BO_EINVAL);
    /* A bo1 ID (no inputs hash) still decodes, with nothing to check. */
    assert_int_equal(sweep_id_decode("bo1:perm:overwrite:nrf52840:d:1:55:torn-prefix:4:"
                                     "59d35b863fa7ecf8:b36de935",
                                     &back, board, sizeof(board), &got),
                     0);
    assert_int_equal(back.in.expect, 0);
    assert_int_equal(got.op, 55);
    /* "u" is a bo2 size only. */
    assert_int_equal(sweep_id_decode("bo2:perm:overwrite:x:u:1:0000000000000000:0:before:0:"
                                     "0000000000000000:00000000",
                                     &back, board, sizeof(board), &got),
                     BO_EINVAL);
}

static void test_check_names_each_part(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(sweep_inputs_check(0, 5, "b.ini", false, err, sizeof(err)), 0);
    assert_int_equal(sweep_inputs_check(5, 5, "b.ini", false, err, sizeof(err)), 0);
    assert_int_equal(sweep_inputs_check(1ull << 40, 0, "b.ini", false, err, sizeof(err)),
                     BO_ESTATE);
    assert_non_null(strstr(err, "the board file b.ini"));
    assert_null(strstr(err, "keys"));
    assert_int_equal(sweep_inputs_check(1ull << 20, 0, "b.ini", false, err, sizeof(err)),
                     BO_ESTATE);
    assert_non_null(strstr(err, "the trusted keys are not the ID's"));
    assert_null(strstr(err, "board"));
    assert_int_equal(sweep_inputs_check(1, 0, "b.ini", true, err, sizeof(err)), BO_ESTATE);
    assert_non_null(strstr(err, "the images are not the ID's"));
    assert_null(strstr(err, "keys"));
}

static int ti_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat);
}

static int ti_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changed_board_is_refused),
        cmocka_unit_test(test_id_round_trip),
        cmocka_unit_test(test_check_names_each_part),
    };

    if (getenv("BROWNOUT_ROOT") == NULL || chdir(getenv("BROWNOUT_ROOT")) != 0) {
        fprintf(stderr, "test_sweep_inputs: BROWNOUT_ROOT must name the source tree\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, ti_setup, ti_teardown);
}
