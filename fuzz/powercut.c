/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "powercut": the input is a power-cut schedule for an upgrade scenario of the
 * sweep engine (sim/sweep/scenario.h): which scenario, how many cuts (1 to 4: a cut, then cuts during
 * each recovery), and for each cut the operation index, the fault model, its parameter (torn
 * units or erase progress) and its seed. The oracle is the sweep's invariants
 * (sim/sweep/invariants.h): every boot runs a trusted image the scenario allows, no downgrade, the
 * trailers end in MCUboot's final states, and one more boot changes nothing. This fuzzes the
 * schedule itself: depths and parameter combinations no exhaustive sweep enumerates.
 *
 * Input:
 *   byte 0     scenario (index into the table built at start, modulo its size)
 *   byte 1     bits 0-1: cuts - 1
 *   per cut    16-bit operation index (the first modulo the scenario's operation count, later
 *              ones modulo 512: a cut past the recovery's end does not fire and ends the run),
 *              model byte (modulo the six models), 16-bit parameter (torn-prefix units, or
 *              erase-partial permille modulo 1001; 0xffff: seeded), 32-bit seed
 *
 * Scenarios: perm, test-revert, test-confirm, multi-image, downgrade, in the four modes, on
 * nrf52840 (NOR) and k64f (ECC); combinations a board cannot run are left out. They are all set
 * up in LLVMFuzzerInitialize (before AFL++'s fork server), so an input's coverage does not
 * depend on which inputs ran before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "fuzz_common.h"
#include "sweep/invariants.h"
#include "sweep/scenario.h"
#include "sweep/sweep.h"
#include "sweep/sweep_int.h"

#define FUZZ_PC_MAX 48u
#define FUZZ_PC_CUTS 4u
#define FUZZ_PC_LATER_OPS 512u

/* One ready scenario: its worker (flash, boot state) and the references of its plan. */
struct fuzz_pc {
    struct scenario sc;
    struct sweep_opts o;
    struct sweep_plan plan;
    struct sweep_worker w;
};

static struct fuzz_pc *fuzz_pc_list[FUZZ_PC_MAX];
static uint32_t fuzz_pc_count;

/* Power back on after a cut (the sweep engine's own step). */
static void fuzz_pc_power_on(struct sweep_worker *w)
{
    port_flash_map_power_on(&w->map);
    w->dead = false;
    w->cut_hit = false;
    w->ops = 0;
    w->recovery = true;
}

static void fuzz_pc_arm(struct sweep_worker *w, int64_t at, uint8_t model, uint32_t param,
                        uint64_t seed)
{
    memset(&w->cut, 0, sizeof(w->cut));
    w->cut.model = (enum vflash_cut_model)model;
    w->cut.units = model == VFLASH_CUT_TORN_PREFIX ? param : VFLASH_CUT_SEEDED;
    w->cut.permille = model == VFLASH_CUT_ERASE_PARTIAL ? param : VFLASH_CUT_SEEDED;
    w->cut.seed = seed;
    w->cut_at = at;
}

/* The uninterrupted runs: the operations and the reference end states (as the sweep does). */
static int fuzz_pc_plan(struct fuzz_pc *pc)
{
    struct sweep_plan *p = &pc->plan;
    struct sweep_worker *w = &pc->w;
    struct invariant_report r;
    struct scenario_app app;
    struct boot_rsp last;
    int pass;
    int rc;

    for (pass = 0; pass < (pc->sc.opts.kind == SCENARIO_TEST_CONFIRM ? 2 : 1); pass++) {
        memset(&r, 0, sizeof(r));
        sweep_start(w, &app);
        if (pass == 1) {
            app.policy = SCENARIO_TEST_REVERT;
        }
        w->rec = pass == 0 ? &p->rec : NULL;
        rc = sweep_device_run(w, &app, true, &r, &last);
        w->rec = NULL;
        if (rc != 0 || r.id != INVARIANT_NONE || p->rec.err != 0) {
            return BO_ESTATE;
        }
        rc = scenario_final_read(&pc->sc, &last, &p->refs[pass]);
        if (rc == 0) {
            rc = invariant_check_stable(&pc->sc, &w->map, w->state, &last, &r);
        }
        if (rc != 0 || r.id != INVARIANT_NONE) {
            return BO_ESTATE;
        }
        p->nref = (size_t)pass + 1;
    }
    sweep_start(w, &app);
    memset(&last, 0, sizeof(last));
    rc = boot_go_ctx(w->state, &pc->sc.cfg, &last);
    if (rc == 0) {
        rc = scenario_final_read(&pc->sc, &last, &p->refs[2]);
    }
    p->nref = 3;
    return rc < 0 || p->rec.n == 0 ? BO_ESTATE : 0;
}

static void fuzz_pc_add(enum scenario_kind kind, enum boot_mode mode, const char *board)
{
    struct fuzz_pc *pc;
    char err[256];

    if (fuzz_pc_count == FUZZ_PC_MAX) {
        return;
    }
    pc = calloc(1, sizeof(*pc));
    if (pc == NULL) {
        abort();
    }
    scenario_init(&pc->sc);
    sweep_opts_init(&pc->o);
    pc->o.sc.kind = kind;
    pc->o.sc.mode = mode;
    pc->o.sc.board = board;
    pc->o.sc.root = fuzz_root();
    pc->o.sc.downgrade_prevention = kind == SCENARIO_DOWNGRADE;
    if (scenario_setup(&pc->sc, &pc->o.sc, err, sizeof(err)) != 0) {
        scenario_free(&pc->sc);
        free(pc);
        return;
    }
    pc->plan.o = &pc->o;
    pc->plan.sc = &pc->sc;
    if (sweep_worker_setup(&pc->w, &pc->plan, &pc->o, &pc->sc) != 0 || fuzz_pc_plan(pc) != 0) {
        if (getenv("FUZZ_VERBOSE") != NULL) {
            fprintf(stderr, "fuzz: scenario %s/%s/%s left out\n", scenario_kind_name(kind),
                    boot_mode_name(mode), board);
        }
        /* The worker's flash map stays active on this thread only while it is in use. */
        port_flash_map_activate(NULL);
        return;
    }
    port_flash_map_activate(NULL);
    fuzz_pc_list[fuzz_pc_count++] = pc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const boards[] = { "nrf52840", "k64f" };
    static const enum boot_mode modes[] = { BOOT_MODE_OVERWRITE, BOOT_MODE_SWAP_SCRATCH,
                                            BOOT_MODE_SWAP_MOVE, BOOT_MODE_SWAP_OFFSET };
    uint32_t b;
    uint32_t m;
    uint32_t k;

    (void)argc;
    (void)argv;
    fuzz_setup_once();
    for (b = 0; b < sizeof(boards) / sizeof(boards[0]); b++) {
        for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
            for (k = 0; k < SCENARIO_KIND_COUNT; k++) {
                fuzz_pc_add((enum scenario_kind)k, modes[m], boards[b]);
            }
        }
    }
    if (fuzz_pc_count == 0) {
        fprintf(stderr, "fuzz: no power-cut scenario could be set up (root %s)\n", fuzz_root());
        abort();
    }
    /* The worker's set-up installed a silent log sink on this thread; keep it silent. */
    return 0;
}

/* Fails the oracle with the invariant's name and message. */
static void fuzz_pc_fail(const struct fuzz_pc *pc, const struct invariant_report *r)
{
    char msg[400];

    snprintf(msg, sizeof(msg), "%s/%s/%s: invariant %s: %s", scenario_kind_name(pc->sc.opts.kind),
             boot_mode_name(pc->sc.opts.mode), pc->sc.opts.board,
             invariant_name((enum invariant_id)r->id), r->msg);
    fuzz_check(false, msg);
}

/*
 * Runs the input's cuts: the first in the scenario's run, each later one in the recovery after
 * the previous. Returns -1 when every cut fired (the device is powered on again), else the
 * return of the run that ended without one; cuts[] gets the application state at each cut.
 */
static int fuzz_pc_cuts(struct fuzz_pc *pc, struct fuzz_in *in, struct scenario_app *app,
                        struct scenario_app *cuts, uint32_t *ncut, struct invariant_report *r,
                        struct boot_rsp *last)
{
    struct sweep_worker *w = &pc->w;
    uint32_t ncuts = (fuzz_u8(in) & 3u) + 1u;
    uint32_t i;
    int rc = 0;

    for (i = 0; i < ncuts; i++) {
        uint64_t op = fuzz_u16(in);
        uint8_t model = (uint8_t)(fuzz_u8(in) % VFLASH_CUT_MODEL_COUNT);
        uint32_t param = fuzz_u16(in);
        uint64_t seed = fuzz_u32(in);

        if (param == 0xffff) {
            param = VFLASH_CUT_SEEDED;
        } else if (model == VFLASH_CUT_ERASE_PARTIAL) {
            param %= 1001;
        }
        op = i == 0 ? op % pc->plan.rec.n : op % FUZZ_PC_LATER_OPS;
        fuzz_pc_arm(w, (int64_t)op, model, param, seed);
        rc = sweep_device_run(w, app, i > 0, r, last);
        if (!w->cut_hit) {
            /* Only a cut during a recovery may miss: the recovery was shorter. */
            fuzz_check(i > 0, "the first cut was not reached in a deterministic run");
            w->cut_at = -1;
            return rc;
        }
        if (rc != BO_EPOWER && rc != 0) {
            return rc;
        }
        *app = w->app_at_cut;
        cuts[(*ncut)++] = *app;
        fuzz_pc_power_on(w);
    }
    return -1;
}

/*
 * The end of a run that reported no invariant: the final state must be one the scenario
 * allows, given where the cuts fell, and one more boot must change nothing.
 */
static void fuzz_pc_check_end(struct fuzz_pc *pc, const struct scenario_app *cuts, uint32_t ncut,
                              int rc, struct invariant_report *r, const struct boot_rsp *last)
{
    uint8_t allow[3] = { INVARIANT_REF_FULL, INVARIANT_REF_NO, INVARIANT_REF_NO };
    struct scenario_final fin;
    uint32_t i;

    fuzz_check(rc != BO_EPOWER, "power loss after the last cut");
    fuzz_check(rc == 0, "the run stopped without an invariant report");
    for (i = 0; i < ncut; i++) {
        if (pc->sc.opts.kind == SCENARIO_TEST_CONFIRM && cuts[i].requested && !cuts[i].confirmed) {
            allow[1] = INVARIANT_REF_FULL;
        }
        if (cuts[i].in_call == SCENARIO_CALL_REQUEST) {
            allow[2] = INVARIANT_REF_PRIMARY;
        }
    }
    rc = scenario_final_read(&pc->sc, last, &fin);
    if (rc < 0) {
        invariant_fail(r, INVARIANT_FINAL, "cannot read the final state: %d", rc);
    } else if (invariant_check_final(&pc->sc, &fin, pc->plan.refs, allow, pc->plan.nref, r) == 0) {
        rc = invariant_check_stable(&pc->sc, &pc->w.map, pc->w.state, last, r);
        if (rc < 0) {
            invariant_fail(r, INVARIANT_HARNESS, "stable check: %d", rc);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    struct fuzz_pc *pc;
    struct invariant_report r;
    struct scenario_app app;
    struct scenario_app cuts[FUZZ_PC_CUTS];
    struct boot_rsp last;
    uint32_t ncut = 0;
    int rc;

    if (fuzz_pc_count == 0) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    fuzz_in_init(&in, data, size);
    pc = fuzz_pc_list[fuzz_u8(&in) % fuzz_pc_count];
    port_flash_map_activate(&pc->w.map);
    memset(&r, 0, sizeof(r));
    memset(&last, 0, sizeof(last));

    sweep_start(&pc->w, &app);
    rc = fuzz_pc_cuts(pc, &in, &app, cuts, &ncut, &r, &last);
    if (rc == -1) {
        /* Every cut fired: boot to idle with the checks on. */
        rc = sweep_device_run(&pc->w, &app, true, &r, &last);
    }
    if (r.id == INVARIANT_NONE) {
        fuzz_pc_check_end(pc, cuts, ncut, rc, &r, &last);
    }
    if (r.id != INVARIANT_NONE) {
        fuzz_pc_fail(pc, &r);
    }
    port_flash_map_activate(NULL);
    return 0;
}
