/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the sweep's explicit fault-model assumptions: --ecc-torn (what a torn ECC unit reads
 * back as) carried in replay IDs only when it is not the default, and --levels (one point per
 * permille level of erase-partial, torn-bits and weak per operation) whose points replay
 * exactly.
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

/* Encodes a torn-bits point at level 5 under ecc_torn and decodes it back. */
static void roundtrip(uint8_t ecc_torn, char *id, size_t len)
{
    struct scenario_opts so;
    struct scenario_opts back;
    struct sweep_point pt;
    struct sweep_point got;
    char board[64];

    scenario_opts_init(&so);
    so.board = "stm32h7";
    so.ecc_torn = ecc_torn;
    memset(&pt, 0, sizeof(pt));
    pt.op = 7;
    pt.model = VFLASH_CUT_TORN_BITS;
    pt.param = 5;
    pt.seed = 0xabc;
    pt.op2 = -1;
    assert_int_equal(sweep_id_encode(&so, &pt, id, len), 0);
    scenario_opts_init(&back);
    back.ecc_torn = VFLASH_ECC_TORN_GARBAGE + 1; /* Overwritten by the decode. */
    assert_int_equal(sweep_id_decode(id, &back, board, sizeof(board), &got), 0);
    assert_int_equal(back.ecc_torn, ecc_torn);
    assert_int_equal(got.param, 5);
    assert_int_equal(got.model, VFLASH_CUT_TORN_BITS);
}

static void test_id_ecc_torn(void **state)
{
    char id[SWEEP_ID_MAX];
    char plain[SWEEP_ID_MAX];

    (void)state;
    roundtrip(VFLASH_ECC_TORN_ERASED, plain, sizeof(plain));
    /* The default adds nothing: IDs made before the option are the same IDs. */
    assert_non_null(strstr(plain, ":stm32h7:d:1:"));
    roundtrip(VFLASH_ECC_TORN_READ_ERROR, id, sizeof(id));
    assert_non_null(strstr(id, ":stm32h7:d:1r:"));
    roundtrip(VFLASH_ECC_TORN_GARBAGE, id, sizeof(id));
    assert_non_null(strstr(id, ":stm32h7:d:1g:"));
    assert_string_not_equal(id, plain);
}

static void sw_opts(struct sweep_opts *o, const char *board, const char *faults)
{
    sweep_opts_init(o);
    o->sc.board = board;
    o->sc.mode = BOOT_MODE_SWAP_SCRATCH;
    o->sc.kind = SCENARIO_PERM;
    o->jobs = 2;
    assert_int_equal(sweep_faults_parse(faults, &o->faults), 0);
}

/* Points of model at param in r. */
static size_t sw_count(const struct sweep_result *r, uint8_t model, uint32_t param)
{
    size_t n = 0;

    for (size_t i = 0; i < r->count; i++) {
        n += r->out[i].pt.model == model && r->out[i].pt.param == param ? 1u : 0u;
    }
    return n;
}

/* Replays point i of r with a trace: whether a traced line holds needle. */
static bool sw_trace_has(const struct sweep_result *r, size_t i, const char *needle)
{
    struct sweep_outcome again;
    char err[256] = "";
    char *buf = NULL;
    size_t len = 0;
    FILE *tr = open_memstream(&buf, &len);
    bool found;

    assert_non_null(tr);
    assert_int_equal(sweep_replay(NULL, r->out[i].id, tr, &again, err, sizeof(err)), 0);
    fclose(tr);
    found = strstr(buf, needle) != NULL;
    free(buf);
    return found;
}

/* Replays point i of r from its ID alone: the same point, the same outcome. */
static void sw_replays(const struct sweep_result *r, size_t i)
{
    struct sweep_outcome again;
    char err[256] = "";

    assert_int_equal(sweep_replay(NULL, r->out[i].id, NULL, &again, err, sizeof(err)), 0);
    assert_int_equal(again.pt.param, r->out[i].pt.param);
    assert_int_equal(again.status, r->out[i].status);
    assert_int_equal(again.final_run, r->out[i].final_run);
    assert_string_equal(again.msg, r->out[i].msg);
}

static void test_levels(void **state)
{
    struct sweep_opts o;
    struct sweep_result one;
    struct sweep_result lv;
    char err[256] = "";
    size_t drawn;

    (void)state;
    sw_opts(&o, "nrf52840", "erase-partial,torn-bits");
    sweep_result_init(&one);
    assert_int_equal(sweep_run(&o, &one, err, sizeof(err)), 0);
    drawn = sw_count(&one, VFLASH_CUT_ERASE_PARTIAL, VFLASH_CUT_SEEDED);
    assert_true(drawn > 0);
    o.levels[0] = 1;
    o.levels[1] = 995;
    o.level_count = 2;
    sweep_result_init(&lv);
    assert_int_equal(sweep_run(&o, &lv, err, sizeof(err)), 0);
    /* Each drawn point becomes one point per level; no draw is left. */
    assert_int_equal(sw_count(&lv, VFLASH_CUT_ERASE_PARTIAL, 1), drawn);
    assert_int_equal(sw_count(&lv, VFLASH_CUT_ERASE_PARTIAL, 995), drawn);
    assert_int_equal(sw_count(&lv, VFLASH_CUT_ERASE_PARTIAL, VFLASH_CUT_SEEDED), 0);
    /* torn-bits: an operation that changes nothing keeps its one point (param 0). */
    assert_true(sw_count(&lv, VFLASH_CUT_TORN_BITS, 1) > 0);
    assert_int_equal(sw_count(&lv, VFLASH_CUT_TORN_BITS, 1) +
                         sw_count(&lv, VFLASH_CUT_TORN_BITS, 0),
                     sw_count(&one, VFLASH_CUT_TORN_BITS, 0));
    assert_int_equal(sw_count(&lv, VFLASH_CUT_TORN_BITS, 995),
                     sw_count(&lv, VFLASH_CUT_TORN_BITS, 1));
    assert_string_equal(lv.assumption, "ecc-torn=erased levels=1,995");
    for (size_t i = 0; i < lv.count; i += lv.count / 5 + 1) {
        sw_replays(&lv, i);
    }
    /* The level reaches the cut: the trace of a torn-bits point at 995 says so. */
    for (size_t i = 0; i < lv.count; i++) {
        if (lv.out[i].pt.model == VFLASH_CUT_TORN_BITS && lv.out[i].pt.param == 995) {
            assert_true(sw_trace_has(&lv, i, "\"model\":\"torn-bits\""));
            assert_true(sw_trace_has(&lv, i, "\"level\":995"));
            break;
        }
    }
    sweep_result_free(&one);
    sweep_result_free(&lv);
}

/* Whether some point of a and b (the same sweep under two assumptions) ends differently. */
static bool sw_differ(const struct sweep_result *a, const struct sweep_result *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        if (a->out[i].status != b->out[i].status || a->out[i].final_run != b->out[i].final_run) {
            return true;
        }
    }
    return false;
}

static void test_ecc_torn_sweep(void **state)
{
    struct sweep_opts o;
    struct sweep_result erased;
    struct sweep_result rerr;
    char err[256] = "";

    (void)state;
    sw_opts(&o, "stm32h7", "torn-bits");
    sweep_result_init(&erased);
    assert_int_equal(sweep_run(&o, &erased, err, sizeof(err)), 0);
    assert_string_equal(erased.assumption, "ecc-torn=erased");
    o.sc.ecc_torn = VFLASH_ECC_TORN_READ_ERROR;
    sweep_result_init(&rerr);
    assert_int_equal(sweep_run(&o, &rerr, err, sizeof(err)), 0);
    assert_string_equal(rerr.assumption, "ecc-torn=read-error");
    /* The assumption reaches the flash: torn units that read as errors change outcomes. */
    assert_true(sw_differ(&erased, &rerr));
    for (size_t i = 0; i < rerr.count; i++) {
        assert_non_null(strstr(rerr.out[i].id, ":d:1r:"));
        if (rerr.out[i].status != erased.out[i].status) {
            sw_replays(&rerr, i);
            break;
        }
    }
    sweep_result_free(&erased);
    sweep_result_free(&rerr);
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
        cmocka_unit_test(test_id_ecc_torn),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_ecc_torn_sweep),
    };

    return cmocka_run_group_tests(tests, sw_setup, sw_teardown);
}
