/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the firmware runner's command line (the contract between brownoutd and brownout-fw). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "fw/fw.h"

static int parse(struct fw_args *a, char **argv, char *err, size_t err_len)
{
    int argc = 0;

    while (argv[argc] != NULL) {
        argc++;
    }
    return fw_parse_args(a, argc, argv, err, err_len);
}

static void test_full_command_line(void **state)
{
    char *argv[] = { "brownout-fw",
                     "--name=dev7",
                     "--board=/b.ini",
                     "--mode=swap-offset",
                     "--images=2",
                     "--key=/k1.pem",
                     "--key",
                     "/k2.pem",
                     "--no-validate",
                     "--downgrade-prevention",
                     "--flash=4:5",
                     "--flash=6",
                     "--cut-at=123",
                     "--cut-model=torn-prefix",
                     "--cut-units=3",
                     "--cut-permille=500",
                     "--cut-seed=0x99",
                     "--seed=7",
                     "--bootloader=mcuboot",
                     NULL };
    struct fw_args a;
    char err[256];

    (void)state;
    assert_int_equal(parse(&a, argv, err, sizeof(err)), 0);
    assert_string_equal(a.name, "dev7");
    assert_string_equal(a.board, "/b.ini");
    assert_int_equal(a.mode, BOOT_MODE_SWAP_OFFSET);
    assert_int_equal(a.images, 2);
    assert_int_equal(a.key_count, 2);
    assert_string_equal(a.keys[1], "/k2.pem");
    assert_false(a.validate_primary);
    assert_true(a.downgrade_prevention);
    assert_int_equal(a.flash_count, 2);
    assert_int_equal(a.mem_fd[0], 4);
    assert_int_equal(a.ecc_fd[0], 5);
    assert_int_equal(a.mem_fd[1], 6);
    assert_int_equal(a.ecc_fd[1], -1);
    assert_true(a.cut_armed);
    assert_int_equal(a.cut_at, 123);
    assert_int_equal(a.cut.model, VFLASH_CUT_TORN_PREFIX);
    assert_int_equal(a.cut.units, 3);
    assert_int_equal(a.cut.permille, 500);
    assert_int_equal(a.cut.seed, 0x99);
    assert_int_equal(a.seed, 7);
    assert_int_equal(a.bootloader, BL_MCUBOOT);
    assert_int_equal(a.pipe_fd, FW_PIPE_FD);
}

static void test_defaults(void **state)
{
    char *argv[] = { "brownout-fw", "--board", "b.ini", "--flash", "4", NULL };
    struct fw_args a;
    char err[256];

    (void)state;
    assert_int_equal(parse(&a, argv, err, sizeof(err)), 0);
    assert_int_equal(a.mode, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(a.images, 1);
    assert_true(a.validate_primary);
    assert_false(a.cut_armed);
    assert_int_equal(a.cut.units, VFLASH_CUT_SEEDED);
    assert_int_equal(a.cut.permille, VFLASH_CUT_SEEDED);
    assert_int_equal(a.bootloader, BL_BROWNOUT);
}

static void test_bad_command_lines(void **state)
{
    static char *bad[][6] = {
        { "fw", "--board", "b", NULL }, /* no --flash */
        { "fw", "--flash", "4", NULL }, /* no --board */
        { "fw", "--board", "b", "--flash", "x", NULL },
        { "fw", "--board", "b", "--flash", "4:", NULL },
        { "fw", "--board", "b", "--flash", "70000", NULL },
        { "fw", "--board", "b", "--flash", "4", "--mode=sideways" },
        { "fw", "--board", "b", "--flash", "4", "--images=3" },
        { "fw", "--board", "b", "--flash", "4", "--cut-model=gentle" },
        { "fw", "--board", "b", "--flash", "4", "--cut-permille=1001" },
        { "fw", "--board", "b", "--flash", "4", "--cut-at=-1" },
        { "fw", "--board", "b", "--flash", "4", "--name=a/b" },
        { "fw", "--board", "b", "--flash", "4", "--what" },
        { "fw", "--board", "b", "--flash", "4", "stray" },
        { "fw", "--board", "b", "--flash", "4", "--bootloader=uboot" },
    };
    char *argv[8];
    struct fw_args a;
    char err[256];
    size_t i;
    size_t j;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (j = 0; j < 6 && bad[i][j] != NULL; j++) {
            argv[j] = bad[i][j];
        }
        argv[j] = NULL;
        err[0] = '\0';
        if (parse(&a, argv, err, sizeof(err)) != BO_EINVAL || err[0] == '\0') {
            fail_msg("case %zu was accepted", i);
        }
    }
    /* The message names the option: its value, or the option itself when unknown. */
    argv[0] = "fw";
    argv[1] = "--images=3";
    argv[2] = NULL;
    assert_int_equal(parse(&a, argv, err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "bad value for --images=3");
    argv[1] = "--what";
    assert_int_equal(parse(&a, argv, err, sizeof(err)), BO_EINVAL);
    assert_string_equal(err, "unknown option or missing argument: --what");
}

static void test_swap_type_names(void **state)
{
    (void)state;
    assert_string_equal(fw_swap_type_name(1), "none");
    assert_string_equal(fw_swap_type_name(2), "test");
    assert_string_equal(fw_swap_type_name(3), "perm");
    assert_string_equal(fw_swap_type_name(4), "revert");
    assert_string_equal(fw_swap_type_name(5), "fail");
    assert_string_equal(fw_swap_type_name(0xff), "panic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_command_line),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_command_lines),
        cmocka_unit_test(test_swap_type_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
