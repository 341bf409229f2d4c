/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut sweeps of an upgrade or a revert, at depth 1 and 2 (see boot_scenarios.h).
 */
#include "boot_scenarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot_fixture.h"
#include "boot_scenarios_int.h"
#include "sysflash/sysflash.h"

static int bs_sweep_one(struct bs_ctx *c, const struct bf_snap *start, int64_t n,
                        const struct bs_outcome *want)
{
    struct boot_rsp rsp;
    struct bs_outcome got;
    int rc;

    bf_restore(&c->f, start);
    bf_reset_ops(&c->f);
    bf_cut_at(&c->f, n);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == BO_EPOWER && c->f.cut, "cut at %lld: boot returned %d", (long long)n, rc);
    bf_power_on(&c->f);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == 0, "cut at %lld: recovery boot failed: %d", (long long)n, rc);
    BS_CHECK(c, rsp.version.major == want->major, "cut at %lld: runs v%u, want v%u", (long long)n,
             rsp.version.major, want->major);
    BS_TRY(bs_outcome(c, want->major, &got));
    BS_CHECK(c, memcmp(got.hash, want->hash, sizeof(got.hash)) == 0,
             "cut at %lld: primary differs from an uninterrupted run", (long long)n);
    BS_CHECK(c,
             got.pri.magic == want->pri.magic && got.pri.image_ok == want->pri.image_ok &&
                 got.pri.copy_done == want->pri.copy_done && got.sec.magic == want->sec.magic,
             "cut at %lld: trailers differ (pri magic %u ok %u cd %u sec magic %u; want %u %u %u "
             "%u)",
             (long long)n, got.pri.magic, got.pri.image_ok, got.pri.copy_done, got.sec.magic,
             want->pri.magic, want->pri.image_ok, want->pri.copy_done, want->sec.magic);
    return bs_stable(c, want->major);
}

int bs_power_sweep(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                   enum boot_mode mode, int revert, int *cuts)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct bs_outcome want;
    struct boot_rsp rsp;
    struct bf_snap start;
    uint64_t total;
    uint64_t n;
    int failed = 0;
    int rc;

    *cuts = 0;
    if (c == NULL) {
        return 1;
    }
    memset(&start, 0, sizeof(start));
    rc = bs_begin(c, b, write_unit, erased_val, mode, 1, revert ? "sweep-revert" : "sweep");
    if (rc == BS_PASS) {
        rc = bs_install2(c, 0, 1, 2, b->payload);
    }
    if (rc == BS_PASS) {
        rc = bf_set_pending(&c->f, 0, !revert) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS && revert) {
        rc = bs_boot(c, 2, TRAILER_SWAP_TYPE_TEST, &rsp);
    }
    if (rc == BS_PASS) {
        rc = bf_snapshot(&c->f, &start) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS) {
        bf_reset_ops(&c->f);
        rc = bs_boot(c, revert ? 1 : 2, 0, &rsp);
    }
    total = c->f.ops;
    if (rc == BS_PASS) {
        rc = bs_outcome(c, revert ? 1 : 2, &want);
    }
    for (n = 0; rc == BS_PASS && n < total; n++) {
        (*cuts)++;
        if (bs_sweep_one(c, &start, (int64_t)n, &want) != BS_PASS) {
            failed++;
        }
    }
    if (rc == BS_FAIL) {
        failed++;
    }
    bf_snap_free(&start);
    bs_end(c);
    free(c);
    return failed;
}

/* Cut at n, then at m of the recovery, then recover fully. */
static int bs_sweep_two(struct bs_ctx *c, const struct bf_snap *start, int64_t n, int64_t m,
                        const struct bs_outcome *want, bool *m_beyond)
{
    struct boot_rsp rsp;
    struct bs_outcome got;
    int rc;

    bf_restore(&c->f, start);
    bf_reset_ops(&c->f);
    bf_cut_at(&c->f, n);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == BO_EPOWER, "cut at %lld: boot returned %d", (long long)n, rc);
    bf_power_on(&c->f);
    bf_reset_ops(&c->f);
    bf_cut_at(&c->f, m);
    rc = bf_boot(&c->f, &rsp);
    *m_beyond = rc == 0 && !c->f.cut;
    BS_CHECK(c, rc == BO_EPOWER || *m_beyond, "cut at %lld then %lld: boot returned %d",
             (long long)n, (long long)m, rc);
    bf_power_on(&c->f);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == 0, "cut at %lld then %lld: recovery failed: %d", (long long)n, (long long)m,
             rc);
    BS_CHECK(c, rsp.version.major == want->major, "cut at %lld then %lld: runs v%u", (long long)n,
             (long long)m, rsp.version.major);
    BS_TRY(bs_outcome(c, want->major, &got));
    BS_CHECK(c,
             memcmp(got.hash, want->hash, sizeof(got.hash)) == 0 &&
                 got.pri.magic == want->pri.magic && got.pri.image_ok == want->pri.image_ok &&
                 got.pri.copy_done == want->pri.copy_done && got.sec.magic == want->sec.magic,
             "cut at %lld then %lld: result differs from an uninterrupted run", (long long)n,
             (long long)m);
    return bs_stable(c, want->major);
}

int bs_power_sweep2(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                    enum boot_mode mode, int revert, uint32_t stride, int *cuts)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct bs_outcome want;
    struct boot_rsp rsp;
    struct bf_snap start;
    uint64_t total;
    uint64_t n;
    uint64_t m;
    uint64_t k = 0;
    bool beyond;
    int failed = 0;
    int rc;

    *cuts = 0;
    if (c == NULL) {
        return 1;
    }
    memset(&start, 0, sizeof(start));
    rc = bs_begin(c, b, write_unit, erased_val, mode, 1, revert ? "sweep2-revert" : "sweep2");
    if (rc == BS_PASS) {
        rc = bs_install2(c, 0, 1, 2, b->payload);
    }
    if (rc == BS_PASS) {
        rc = bf_set_pending(&c->f, 0, !revert) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS && revert) {
        rc = bs_boot(c, 2, TRAILER_SWAP_TYPE_TEST, &rsp);
    }
    if (rc == BS_PASS) {
        rc = bf_snapshot(&c->f, &start) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS) {
        bf_reset_ops(&c->f);
        rc = bs_boot(c, revert ? 1 : 2, 0, &rsp);
    }
    total = c->f.ops;
    if (rc == BS_PASS) {
        rc = bs_outcome(c, revert ? 1 : 2, &want);
    }
    for (n = 0; rc == BS_PASS && n < total; n++) {
        beyond = false;
        for (m = 0; !beyond; m++) {
            if (k++ % (stride == 0 ? 1 : stride) != 0) {
                continue;
            }
            (*cuts)++;
            if (bs_sweep_two(c, &start, (int64_t)n, (int64_t)m, &want, &beyond) != BS_PASS) {
                failed++;
                break;
            }
        }
    }
    if (rc == BS_FAIL) {
        failed++;
    }
    bf_snap_free(&start);
    bs_end(c);
    free(c);
    return failed;
}

int bs_power_pair(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                  enum boot_mode mode, int revert, int64_t n, int64_t m)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct bs_outcome want;
    struct boot_rsp rsp;
    struct bf_snap start;
    bool beyond = false;
    int rc;

    if (c == NULL) {
        return BS_FAIL;
    }
    memset(&start, 0, sizeof(start));
    rc = bs_begin(c, b, write_unit, erased_val, mode, 1, "pair");
    if (rc == BS_PASS) {
        rc = bs_install2(c, 0, 1, 2, b->payload);
    }
    if (rc == BS_PASS) {
        rc = bf_set_pending(&c->f, 0, !revert) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS && revert) {
        rc = bs_boot(c, 2, TRAILER_SWAP_TYPE_TEST, &rsp);
    }
    if (rc == BS_PASS) {
        rc = bf_snapshot(&c->f, &start) == 0 ? BS_PASS : BS_FAIL;
    }
    if (rc == BS_PASS) {
        rc = bs_boot(c, revert ? 1 : 2, 0, &rsp);
    }
    if (rc == BS_PASS) {
        rc = bs_outcome(c, revert ? 1 : 2, &want);
    }
    if (rc == BS_PASS) {
        rc = bs_sweep_two(c, &start, n, m, &want, &beyond);
    }
    bf_snap_free(&start);
    bs_end(c);
    free(c);
    return rc;
}
