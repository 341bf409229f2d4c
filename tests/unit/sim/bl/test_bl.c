/* SPDX-License-Identifier: Apache-2.0 */
/* The bootloader interface: names, the registry, and brownout's core driven through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bl/bl.h"
#include "bo_err.h"
#include "support/boot_fixture.h"

static struct board tb_board;

static void test_names(void **unused)
{
    enum bl_kind k = BL_MCUBOOT;

    (void)unused;
    assert_int_equal(bl_parse("brownout", &k), 0);
    assert_int_equal(k, BL_BROWNOUT);
    assert_int_equal(bl_parse("mcuboot", &k), 0);
    assert_int_equal(k, BL_MCUBOOT);
    assert_int_equal(bl_parse("MCUboot", &k), BO_EINVAL);
    assert_int_equal(bl_parse("", &k), BO_EINVAL);
    assert_int_equal(bl_parse(NULL, &k), BO_EINVAL);
    assert_string_equal(bl_kind_name(BL_BROWNOUT), "brownout");
    assert_string_equal(bl_kind_name(BL_MCUBOOT), "mcuboot");
    assert_string_equal(bl_kind_name((enum bl_kind)7), "?");
}

/* A program built without an upstream variant has the core only. */
static void test_registry(void **unused)
{
    const struct bl *b = bl_find(BL_BROWNOUT);

    (void)unused;
    assert_non_null(b);
    assert_ptr_equal(b, &bl_brownout);
    assert_int_equal(b->kind, BL_BROWNOUT);
    assert_string_equal(b->name, "brownout");
    assert_string_equal(b->identity(), "brownout");
    assert_null(bl_find(BL_MCUBOOT));
    assert_null(bl_find((enum bl_kind)7));
}

/* Test upgrade, revert, test upgrade and confirm, each step through the interface. */
static void test_core_upgrade(void **unused)
{
    const struct bl *b = &bl_brownout;
    struct bf f;
    struct bf_image v1, v2;
    struct boot_rsp rsp;
    char err[128] = "x";

    (void)unused;
    assert_int_equal(bf_start(&f, &tb_board, BOOT_MODE_SWAP_MOVE, 1), 0);
    assert_int_equal(b->check(&f.cfg, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    bf_image_init(&v1, 1, 0, 0, 3000);
    bf_image_init(&v2, 2, 0, 0, 3000);
    v2.seed = 2;
    assert_int_equal(bf_install(&f, 0, 0, &v1), 0);
    assert_int_equal(bf_install(&f, 0, 1, &v2), 0);
    assert_int_equal(b->boot(f.state, &f.cfg, &rsp), 0);
    assert_int_equal(rsp.version.major, 1);
    assert_int_equal(b->set_pending(&f.cfg, 0, false), BO_EINVAL); /* MA not derived. */
    f.cfg.max_align = bf_max_align(&f, 0);
    assert_int_equal(b->set_pending(&f.cfg, 0, false), 0);
    assert_int_equal(b->boot(f.state, &f.cfg, &rsp), 0);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(b->boot(f.state, &f.cfg, &rsp), 0);
    assert_int_equal(rsp.version.major, 1); /* Not confirmed: reverted. */
    assert_int_equal(b->set_pending(&f.cfg, 0, false), 0);
    assert_int_equal(b->boot(f.state, &f.cfg, &rsp), 0);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(b->confirm(&f.cfg, 0), 0);
    assert_int_equal(b->boot(f.state, &f.cfg, &rsp), 0);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(b->set_pending(&f.cfg, 5, false), BO_EINVAL);
    bf_stop(&f);
}

static int tb_setup(void **unused)
{
    (void)unused;
    if (bf_global_setup() != 0) {
        return -1;
    }
    return bf_board_file(&tb_board, "nrf52840") == 0 ? 0 : -1;
}

static int tb_teardown(void **unused)
{
    (void)unused;
    bf_global_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_core_upgrade),
    };

    return cmocka_run_group_tests(tests, tb_setup, tb_teardown);
}
