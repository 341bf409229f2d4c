/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the sweep's non-cut fault models (sim/sweep/sweep_fault.c): the --faults syntax and
 * its refusals, replay IDs that carry the model and its parameter, sweeps of each model whose
 * outcomes replay exactly, and traces that show each fault really injected.
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
#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_report.h"

static mbedtls_platform_context plat;

static void test_parse(void **state)
{
    struct sweep_nc_params nc;
    uint32_t f = 0;

    (void)state;
    assert_int_equal(sweep_faults_parse_nc("errors:rate=1/50,wearout:erases=3,weak", &f, &nc), 0);
    assert_int_equal(f, SWEEP_FAULT(SWEEP_NC_ERRORS) | SWEEP_FAULT(SWEEP_NC_WEAROUT) |
                            SWEEP_FAULT(VFLASH_CUT_WEAK));
    assert_int_equal(nc.errors_rate, 50);
    assert_int_equal(nc.erases, 3);
    assert_int_equal(nc.drop_rate, 0);
    assert_int_equal(nc.bitflip_rate, 1);
    assert_int_equal(sweep_faults_parse_nc("drop:rate=1/7,bitflip:rate=1/4", &f, &nc), 0);
    assert_int_equal(f, SWEEP_FAULT(SWEEP_NC_DROP) | SWEEP_FAULT(SWEEP_NC_BITFLIP));
    assert_int_equal(nc.drop_rate, 7);
    assert_int_equal(nc.bitflip_rate, 4);
    /* "all" stays the six cut models. */
    assert_int_equal(sweep_faults_parse("all", &f), 0);
    assert_int_equal(f, SWEEP_FAULTS_ALL);
    assert_int_equal(sweep_faults_parse_nc("errors:rate=2/50", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("errors:rate=1/0", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("wearout:rate=1/2", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("drop:erases=2", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("before:rate=1/2", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("all:rate=1/2", &f, &nc), BO_EINVAL);
    assert_int_equal(sweep_faults_parse_nc("flood", &f, &nc), BO_EINVAL);
    assert_string_equal(sweep_model_name(SWEEP_NC_BITFLIP), "bitflip");
    assert_int_equal(sweep_model_parse("wearout"), SWEEP_NC_WEAROUT);
}

static void test_replay_id(void **state)
{
    struct scenario_opts so;
    struct scenario_opts back;
    struct sweep_point pt;
    struct sweep_point got;
    char id[SWEEP_ID_MAX];
    char board[64];
    char *m;

    (void)state;
    scenario_opts_init(&so);
    memset(&pt, 0, sizeof(pt));
    pt.op = 41;
    pt.model = SWEEP_NC_DROP;
    pt.param = 30;
    pt.seed = 0x1234;
    pt.op2 = -1;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_non_null(strstr(id, ":41:drop:30:0000000000001234:"));
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(got.op, 41);
    assert_int_equal(got.model, SWEEP_NC_DROP);
    assert_int_equal(got.param, 30);
    assert_int_equal(got.seed, 0x1234);
    /* The check covers the model: another model's name does not decode. */
    m = strstr(id, ":drop:");
    memcpy(m, ":weak:", 6);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), BO_EINVAL);
    /* Non-cut faults have no second cut. */
    pt.op2 = 3;
    pt.model2 = VFLASH_CUT_AFTER;
    assert_int_equal(sweep_id_encode(&so, &pt, id, sizeof(id)), 0);
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), BO_EINVAL);
}

static void sw_opts(struct sweep_opts *o, const char *faults)
{
    sweep_opts_init(o);
    o->sc.board = "nrf52840";
    o->sc.mode = BOOT_MODE_SWAP_SCRATCH;
    o->sc.kind = SCENARIO_PERM;
    o->jobs = 2;
    assert_int_equal(sweep_faults_parse_nc(faults, &o->faults, &o->nc), 0);
}

/* Whether the replay of id traces a line with this fault kind. */
static bool sw_trace_has(const char *id, const char *fault, struct sweep_outcome *out)
{
    char err[256] = "";
    char *buf = NULL;
    size_t len = 0;
    FILE *tr = open_memstream(&buf, &len);
    bool found;

    assert_non_null(tr);
    assert_int_equal(sweep_replay(NULL, id, tr, out, err, sizeof(err)), 0);
    fclose(tr);
    found = strstr(buf, fault) != NULL;
    free(buf);
    return found;
}

/* Sweeps one model; every point's replay gives the same outcome; returns the failures. */
static size_t sw_sweep_replays(const char *faults, uint8_t model, const char *trace_fault)
{
    struct sweep_opts o;
    struct sweep_result r;
    struct sweep_outcome again;
    char err[256] = "";
    size_t fails;
    size_t i;

    sw_opts(&o, faults);
    sweep_result_init(&r);
    assert_int_equal(sweep_run(&o, &r, err, sizeof(err)), 0);
    assert_true(r.count > 0);
    fails = sweep_report_failures(&r);
    for (i = 0; i < r.count; i += r.count / 4 + 1) {
        assert_int_equal(r.out[i].pt.model, model);
        assert_non_null(strstr(r.out[i].id, sweep_model_name(model)));
        if (trace_fault != NULL) {
            assert_true(sw_trace_has(r.out[i].id, trace_fault, &again));
        } else {
            assert_int_equal(sweep_replay(NULL, r.out[i].id, NULL, &again, err, sizeof(err)), 0);
        }
        assert_int_equal(again.status, r.out[i].status);
        assert_int_equal(again.final_run, r.out[i].final_run);
        assert_string_equal(again.msg, r.out[i].msg);
    }
    for (i = 0; i < r.count; i++) {
        /* Never a boot of an image that does not validate, nor a harness error. */
        assert_true(r.out[i].status == SWEEP_PASS || r.out[i].invariant == INVARIANT_BOOT);
        if (r.out[i].status != SWEEP_PASS) {
            assert_non_null(strstr(r.out[i].msg, "intact"));
        }
    }
    sweep_result_free(&r);
    return fails;
}

static void test_errors(void **state)
{
    (void)state;
    /* One program or erase error anywhere in the upgrade: the device recovers every time. */
    assert_int_equal(sw_sweep_replays("errors", SWEEP_NC_ERRORS, "\"fault\":\"hook-error\""), 0);
}

static void test_drop_bitflip_wearout(void **state)
{
    (void)state;
    /* Outcomes replay exactly. A dropped program or a sector worn out in the middle of a swap
     * no longer bricks the device while an image is intact (issue 14, docs/faults.md). */
    assert_int_equal(sw_sweep_replays("drop", SWEEP_NC_DROP, "\"fault\":\"drop\""), 0);
    assert_int_equal(sw_sweep_replays("bitflip", SWEEP_NC_BITFLIP, NULL), 0);
    assert_int_equal(sw_sweep_replays("wearout:erases=2", SWEEP_NC_WEAROUT, NULL), 0);
    assert_int_equal(sw_sweep_replays("wearout", SWEEP_NC_WEAROUT, "\"fault\":\"wear-out\""), 0);
}

static int sw_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int sw_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_replay_id),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_drop_bitflip_wearout),
    };

    return cmocka_run_group_tests(tests, sw_setup, sw_teardown);
}
