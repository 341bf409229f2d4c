/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut findings of issue 14 on boards the fixtures do not cover, fixed in core/boot: each
 * cut point must pass through sweep_replay(). The boards are written to a temporary directory,
 * so their replay IDs are encoded here (the ID names the board's path).
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
#include "sweep/invariants.h"
#include "sweep/sweep.h"

static mbedtls_platform_context plat;
static char brick_dir[64];

/*
 * k64f (a shipped board), swap-using-scratch perm with a maximal image: the record of the last
 * step's last state was cut "weak" in the primary's trailer, and one read saw it erased. The
 * resume redid the step, its rewrite of the record was refused (ECC: a unit is programmed once)
 * and the trailer's sector, shared with the image, could not be erased: boot failed with -9.
 */
static void test_scratch_weak_record_k64f(void **state)
{
    static const char id[] =
        "bo1:perm:swap-scratch:k64f:max:1:1483:weak:0:848e09d85980a106:d44a1f7d";
    struct sweep_outcome out;
    char err[512];

    (void)state;
    assert_int_equal(sweep_replay(NULL, id, NULL, &out, err, sizeof(err)), 0);
    if (out.status != SWEEP_PASS) {
        fprintf(stderr, "  regression [%s] %s\n", invariant_name((enum invariant_id)out.invariant),
                out.msg);
    }
    assert_int_equal(out.status, SWEEP_PASS);
}

static int brick_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    snprintf(brick_dir, sizeof(brick_dir), "/tmp/bo-brick-XXXXXX");
    if (mkdtemp(brick_dir) == NULL) {
        return -1;
    }
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int brick_teardown(void **state)
{
    char path[128];
    static const char *const names[] = { "nor-one-sector", "ecc0-one-sector-8",
                                         "ecc0-one-sector-32" };

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s.ini", brick_dir, names[i]);
        (void)unlink(path);
    }
    (void)rmdir(brick_dir);
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scratch_weak_record_k64f),
    };

    return cmocka_run_group_tests(tests, brick_setup, brick_teardown);
}
