/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Torn-write sweeps: a vflash fault model at every operation of a permanent upgrade (see boot_scenarios.h).
 */
#include "boot_scenarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot_fixture.h"
#include "boot_scenarios_int.h"
#include "sysflash/sysflash.h"

uint64_t bs_fault_seed(uint64_t base, uint64_t n)
{
    return base ^ ((n + 1) * 0x9e3779b97f4a7c15ull);
}

/* A permanent upgrade ready to boot, its start snapshot and the uninterrupted outcome. */
struct bs_fault_run {
    struct bf_snap start;
    struct bs_outcome want;
    uint8_t old_hash[32];
    uint64_t total;
};

static int bs_fault_prepare(struct bs_ctx *c, uint32_t payload, struct bs_fault_run *r)
{
    struct boot_rsp rsp;

    BS_TRY(bs_install2(c, 0, 1, 2, payload));
    BS_CHECK(c, bf_set_pending(&c->f, 0, true) == 0, "set pending");
    BS_CHECK(c, bf_hash_area(&c->f, FLASH_AREA_IMAGE_0, 0, 0x2000, r->old_hash) == 0, "hash");
    BS_CHECK(c, bf_snapshot(&c->f, &r->start) == 0, "snapshot");
    bf_reset_ops(&c->f);
    BS_TRY(bs_boot(c, 2, TRAILER_SWAP_TYPE_PERM, &rsp));
    r->total = c->f.ops;
    return bs_outcome(c, 2, &r->want);
}

/* Cut at op with model and seed, recover, check the invariants. */
static int bs_fault_one(struct bs_ctx *c, const struct bs_fault_run *r, enum vflash_cut_model model,
                        int64_t op, uint64_t seed)
{
    struct boot_rsp rsp;
    struct bs_outcome got;
    const char *mn = vflash_cut_model_name(model);
    int rc;

    bf_restore(&c->f, &r->start);
    bf_reset_ops(&c->f);
    bf_cut_model_at(&c->f, op, model, seed);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == BO_EPOWER && c->f.cut, "%s at %lld seed 0x%llx: boot returned %d", mn,
             (long long)op, (unsigned long long)seed, rc);
    bf_power_on(&c->f);
    rc = bf_boot(&c->f, &rsp);
    BS_CHECK(c, rc == 0, "%s at %lld seed 0x%llx: recovery boot failed: %d", mn, (long long)op,
             (unsigned long long)seed, rc);
    BS_CHECK(c, rsp.version.major == 1 || rsp.version.major == 2,
             "%s at %lld seed 0x%llx: runs v%u", mn, (long long)op, (unsigned long long)seed,
             rsp.version.major);
    BS_TRY(bs_outcome(c, rsp.version.major, &got));
    BS_CHECK(c, memcmp(got.hash, rsp.version.major == 2 ? r->want.hash : r->old_hash, 32) == 0,
             "%s at %lld seed 0x%llx: primary is not v%u as installed", mn, (long long)op,
             (unsigned long long)seed, rsp.version.major);
    if (rsp.version.major == 2) {
        BS_CHECK(c,
                 got.pri.magic == r->want.pri.magic && got.pri.image_ok == r->want.pri.image_ok &&
                     got.pri.copy_done == r->want.pri.copy_done &&
                     got.sec.magic == r->want.sec.magic,
                 "%s at %lld seed 0x%llx: trailers (pri magic %u ok %u cd %u sec magic %u; "
                 "want %u %u %u %u)",
                 mn, (long long)op, (unsigned long long)seed, got.pri.magic, got.pri.image_ok,
                 got.pri.copy_done, got.sec.magic, r->want.pri.magic, r->want.pri.image_ok,
                 r->want.pri.copy_done, r->want.sec.magic);
    }
    rc = bs_stable(c, rsp.version.major);
    if (rc != BS_PASS) {
        fprintf(stderr, "  (after %s at %lld seed 0x%llx)\n", mn, (long long)op,
                (unsigned long long)seed);
    }
    return rc;
}

int bs_fault_case(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                  enum boot_mode mode, enum vflash_cut_model model, int64_t op, uint64_t seed)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct bs_fault_run *r = calloc(1, sizeof(*r));
    int rc = BS_FAIL;

    if (c != NULL && r != NULL) {
        rc = bs_begin(c, b, write_unit, erased_val, mode, 1, "torn-write");
        if (rc == BS_PASS) {
            rc = bs_fault_prepare(c, b->payload, r);
        }
        if (rc == BS_PASS && (op < 0 || (uint64_t)op >= r->total)) {
            printf("skip: op %lld beyond the %llu operations of the upgrade\n", (long long)op,
                   (unsigned long long)r->total);
            rc = BS_SKIP;
        }
        if (rc == BS_PASS) {
            rc = bs_fault_one(c, r, model, op, seed);
        }
        bf_snap_free(&r->start);
        bs_end(c);
    }
    free(r);
    free(c);
    return rc;
}

int bs_fault_sweep(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                   enum boot_mode mode, enum vflash_cut_model model, uint64_t base_seed,
                   uint32_t payload, int *cuts)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct bs_fault_run *r = calloc(1, sizeof(*r));
    uint64_t seed;
    uint64_t n;
    int failed = 0;
    int rc = BS_FAIL;

    *cuts = 0;
    if (c != NULL && r != NULL) {
        rc = bs_begin(c, b, write_unit, erased_val, mode, 1, "torn-write");
        if (rc == BS_PASS) {
            rc = bs_fault_prepare(c, payload != 0 ? payload : b->payload, r);
        }
        for (n = 0; rc == BS_PASS && n < r->total; n++) {
            (*cuts)++;
            seed = bs_fault_seed(base_seed, n);
            if (bs_fault_one(c, r, model, (int64_t)n, seed) != BS_PASS) {
                fprintf(stderr,
                        "torn-write FAIL board=%s wu=%u ev=0x%02x mode=%s model=%s op=%llu "
                        "seed=0x%016llx\n",
                        b->name, write_unit, erased_val, boot_mode_name(mode),
                        vflash_cut_model_name(model), (unsigned long long)n,
                        (unsigned long long)seed);
                failed++;
            }
        }
        bf_snap_free(&r->start);
        bs_end(c);
    }
    if (rc == BS_FAIL) {
        failed++;
    }
    free(r);
    free(c);
    return failed;
}
