/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep engine's workers (see sweep_int.h): the hook that counts operations and arms
 * cuts, the device's boot-and-act loop, one cut point's run and checks, and the tasks.
 */
#include "sweep/sweep_int.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "port_logsink.h"
#include "sweep/sweep_memo.h"

void sweep_rec_free(struct sweep_rec *rec)
{
    uint64_t i;

    for (i = 0; i < rec->n; i++) {
        free(rec->ops[i].ks);
    }
    free(rec->ops);
    memset(rec, 0, sizeof(*rec));
}

/* The map's index of dev (fa_device_id). */
static uint32_t sweep_dev_index(const struct sweep_worker *w, const struct vflash *dev)
{
    uint32_t i;

    for (i = 0; i < w->map.device_count; i++) {
        if (w->map.devices[i] == dev) {
            return i;
        }
    }
    return i;
}

/* Records op (called before it happens, so dev->mem holds the old bytes). */
static void sweep_record(struct sweep_worker *w, struct vflash *dev, const struct vflash_op *op)
{
    struct sweep_rec *rec = w->rec;
    struct sweep_rec_op *r;
    uint32_t wu = dev->geom.write_unit;
    bool ecc = dev->geom.semantics == VFLASH_ECC;
    uint32_t units;
    uint32_t k;
    uint32_t i;

    if (rec->n == rec->cap) {
        uint64_t cap = rec->cap == 0 ? 256 : rec->cap * 2;
        struct sweep_rec_op *p = realloc(rec->ops, cap * sizeof(*p));

        if (p == NULL) {
            rec->err = BO_ENOMEM;
            return;
        }
        rec->ops = p;
        rec->cap = cap;
    }
    r = &rec->ops[rec->n++];
    memset(r, 0, sizeof(*r));
    r->dev = (uint8_t)sweep_dev_index(w, dev);
    r->kind = (uint8_t)op->kind;
    if (op->kind == VFLASH_OP_ERASE) {
        r->changed = ecc;
        for (i = 0; i < op->len && !r->changed; i++) {
            r->changed = dev->mem[op->off + i] != dev->geom.erased_val;
        }
        return;
    }
    r->changed = ecc || memcmp(dev->mem + op->off, op->data, op->len) != 0;
    units = vflash_fault_prefix_count(dev, op);
    r->ks = units > 1 ? malloc((units - 1) * sizeof(*r->ks)) : NULL;
    if (units > 1 && r->ks == NULL) {
        rec->err = BO_ENOMEM;
        return;
    }
    /* k units landed differs from k - 1 only when unit k - 1 changes (or is an ECC unit). */
    for (k = 1; k < units; k++) {
        uint32_t at = (k - 1) * wu;

        if (ecc || memcmp(dev->mem + op->off + at, op->data + at, wu) != 0) {
            r->ks[r->nk++] = k;
        }
    }
}

static int sweep_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct sweep_worker *w = arg;
    int rc;

    w->hook_calls++;
    w->op_last = -1;
    if (w->dead) {
        return BO_EPOWER;
    }
    if (w->o->inject != NULL) {
        rc = w->o->inject(w->o->inject_arg, dev, op, w->recovery);
        if (rc != 0) {
            return rc;
        }
    }
    if (w->rec != NULL) {
        sweep_record(w, dev, op);
    }
    if (w->op_hook != NULL) {
        w->op_hook->at(w->op_hook->arg, w);
    }
    /* After the snapshot layer's hook, which may bring the sums up to date before it forks. */
    if (w->memo != NULL) {
        sweep_memo_cache_touch(&w->hc, sweep_dev_index(w, dev), dev, op);
    }
    if (w->nc != NULL && w->nc_hook != NULL) {
        rc = w->nc_hook(w, dev, op);
        if (rc != 0) {
            return rc;
        }
    }
    if (w->cut_at >= 0 && w->ops == (uint64_t)w->cut_at) {
        struct vflash_cut c = w->cut;

        c.op_index = op->index;
        w->cut_at = -1;
        w->cut_hit = true;
        w->dead = true;
        w->cut_dev = dev;
        if (w->app != NULL) {
            w->app_at_cut = *w->app;
        }
        w->op_last = (int64_t)w->ops++;
        if (vflash_fault_arm_cut(dev, &c) != 0) {
            return BO_EPOWER;
        }
        return 0;
    }
    w->op_last = (int64_t)w->ops++;
    return 0;
}

static void sweep_log_drop(void *ctx, enum port_log_level level, const char *module,
                           const char *line)
{
    (void)ctx;
    (void)level;
    (void)module;
    (void)line;
}

/* Writes a bootloader log line to the FILE in ctx (--log of a replay). */
static void sweep_log_print(void *ctx, enum port_log_level level, const char *module,
                            const char *line)
{
    (void)level;
    fprintf((FILE *)ctx, "  log [%s] %s\n", module, line);
}

void sweep_worker_free(struct sweep_worker *w)
{
    if (w->prev_map != NULL || port_flash_map_active() == &w->map) {
        port_flash_map_activate(w->prev_map);
    }
    port_flash_map_free(&w->map);
    sweep_memo_cache_free(&w->hc);
    free(w->state);
    w->state = NULL;
    if (w->plat_on) {
        mbedtls_platform_teardown(&w->plat);
        w->plat_on = false;
    }
}

int sweep_worker_setup(struct sweep_worker *w, const struct sweep_plan *plan,
                       const struct sweep_opts *o, const struct scenario *sc)
{
    uint32_t i;
    int rc;

    memset(w, 0, sizeof(*w));
    w->plan = plan;
    w->o = o;
    w->sc = sc;
    w->cut_at = -1;
    port_flash_map_init(&w->map);
    if (o->log != NULL) {
        port_logsink_set(sweep_log_print, o->log, PORT_LOG_INFO);
    } else {
        port_logsink_set(sweep_log_drop, NULL, PORT_LOG_ERROR);
    }
    memset(&w->plat, 0, sizeof(w->plat));
    if (mbedtls_platform_setup(&w->plat) != 0) {
        return BO_ECRYPTO;
    }
    w->plat_on = true;
    rc = port_flash_map_setup_board(&w->map, &sc->board);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < w->map.device_count; i++) {
        vflash_set_hook(w->map.devices[i], sweep_hook, w);
    }
    w->state = calloc(1, sizeof(*w->state));
    if (w->state == NULL) {
        return BO_ENOMEM;
    }
    rc = sweep_memo_cache_setup(&w->hc, &w->map);
    if (rc < 0) {
        return rc;
    }
    w->prev_map = port_flash_map_activate(&w->map);
    return 0;
}

void sweep_start(struct sweep_worker *w, struct scenario_app *app)
{
    scenario_restore(w->sc, &w->map);
    sweep_memo_cache_reset(&w->hc);
    w->ops = 0;
    w->cut_at = -1;
    w->cut_hit = false;
    w->dead = false;
    w->recovery = false;
    scenario_app_start(w->sc, app);
}

static void sweep_power_on(struct sweep_worker *w)
{
    port_flash_map_power_on(&w->map);
    w->dead = false;
    w->cut_hit = false;
    w->ops = 0;
    w->recovery = true;
}

void sweep_arm(struct sweep_worker *w, int64_t at, uint8_t model, uint32_t param, uint64_t seed)
{
    memset(&w->cut, 0, sizeof(w->cut));
    w->cut.model = (enum vflash_cut_model)model;
    w->cut.units = model == VFLASH_CUT_TORN_PREFIX ? param : VFLASH_CUT_SEEDED;
    w->cut.permille = model == VFLASH_CUT_ERASE_PARTIAL ? param : VFLASH_CUT_SEEDED;
    /* torn-bits and weak: a level from --levels, 0 (or seeded) for the even-odds draw. */
    w->cut.level =
        (model == VFLASH_CUT_TORN_BITS || model == VFLASH_CUT_WEAK) && param != VFLASH_CUT_SEEDED
            ? param
            : 0;
    w->cut.seed = seed;
    w->cut_at = at;
}

_Static_assert(sizeof(struct boot_rsp) <= SWEEP_MEMO_VALUE_MAX, "a boot_rsp fits a memo entry");
_Static_assert(sizeof(struct invariant_report) <= SWEEP_MEMO_VALUE_MAX,
               "an invariant_report fits a memo entry");

/*
 * One boot. With a memo, a boot from a flash state whose boot wrote nothing before gives what
 * it gave then; a boot that writes nothing and draws no read fault is remembered.
 */
int sweep_boot(struct sweep_worker *w, struct boot_rsp *rsp)
{
    struct sweep_memo_key k;
    uint64_t calls = w->hook_calls;
    uint64_t faults = 0;
    bool keyed = false;
    int rc;

    if (w->memo != NULL) {
        keyed = sweep_memo_key(&w->map, &w->hc, SWEEP_MEMO_BOOT, NULL, 0, &k);
        if (keyed && sweep_memo_find(w->memo, &k, SWEEP_MEMO_BOOT, &rc, rsp, sizeof(*rsp))) {
            sweep_memo_count(w->memo, SWEEP_MEMO_N_BOOT_HITS);
            return rc;
        }
        faults = sweep_memo_read_faults(&w->map);
    }
    sweep_memo_count(w->memo, SWEEP_MEMO_N_BOOTS);
    if (w->o->log != NULL) {
        fprintf(w->o->log, "  log --- boot (flash operation %llu)\n", (unsigned long long)w->ops);
    }
    rc = w->sc->bl->boot(w->state, &w->sc->cfg, rsp);
    if (w->o->log != NULL) {
        fprintf(w->o->log, "  log --- boot returned %d%s\n", rc,
                rc == 0 ? "" : (rc == BO_EPOWER ? " (power cut)" : " (no bootable image)"));
    }
    if (keyed && w->hook_calls == calls && sweep_memo_read_faults(&w->map) == faults) {
        sweep_memo_add(w->memo, &k, SWEEP_MEMO_BOOT, rc, rsp, sizeof(*rsp));
    }
    return rc;
}

/* The stable check (invariant_check_stable), through the memo as sweep_boot() does. */
static int sweep_stable(struct sweep_worker *w, const struct boot_rsp *last,
                        struct invariant_report *r)
{
    struct sweep_memo_key k;
    uint64_t calls = w->hook_calls;
    uint64_t faults = 0;
    bool keyed = false;
    int rc;

    if (w->memo != NULL) {
        keyed = sweep_memo_key(&w->map, &w->hc, SWEEP_MEMO_STABLE, last->versions,
                               sizeof(last->versions), &k);
        if (keyed && sweep_memo_find(w->memo, &k, SWEEP_MEMO_STABLE, &rc, r, sizeof(*r))) {
            sweep_memo_count(w->memo, SWEEP_MEMO_N_BOOT_HITS);
            return rc;
        }
        faults = sweep_memo_read_faults(&w->map);
    }
    sweep_memo_count(w->memo, SWEEP_MEMO_N_BOOTS);
    rc = invariant_check_stable(w->sc, &w->map, w->state, last, r);
    if (keyed && w->hook_calls == calls && sweep_memo_read_faults(&w->map) == faults) {
        sweep_memo_add(w->memo, &k, SWEEP_MEMO_STABLE, rc, r, sizeof(*r));
    }
    return rc;
}

/*
 * Runs the device from power-on until its application idles: boot, check (when asked), let the
 * application act, reboot... Returns 0, BO_EPOWER (a cut), or 1 with r filled.
 */
int sweep_device_run(struct sweep_worker *w, struct scenario_app *app, bool check,
                     struct invariant_report *r, struct boot_rsp *last)
{
    struct boot_rsp rsp;
    int rc;

    app->boots = 0;
    w->app = app;
    for (;;) {
        app->in_call = SCENARIO_CALL_BOOT;
        memset(&rsp, 0, sizeof(rsp));
        rc = sweep_boot(w, &rsp);
        if (rc == BO_EPOWER && w->cut_hit) {
            return rc;
        }
        app->in_call = SCENARIO_CALL_NONE;
        if (rc != 0) {
            return invariant_fail(r, INVARIANT_BOOT, "boot %u failed: %s (%d)", app->boots + 1,
                                  bo_strerror(rc), rc);
        }
        if (check && invariant_check_boot(w->sc, rc, &rsp, r) != 0) {
            return 1;
        }
        *last = rsp;
        rc = scenario_app_act(w->sc, app, &rsp);
        if (rc == BO_EPOWER && w->cut_hit) {
            return rc;
        }
        if (rc < 0) {
            return invariant_fail(r, INVARIANT_HARNESS, "application error %d", rc);
        }
        if (rc == SCENARIO_IDLE) {
            return 0;
        }
        if (++app->boots >= SCENARIO_MAX_BOOTS) {
            return invariant_fail(r, INVARIANT_BOOT, "boot loop: %u boots without settling",
                                  app->boots);
        }
    }
}

/* Final checks of a run that ended idle: outcome, final state, a further boot. */
static void sweep_final(struct sweep_worker *w, const struct boot_rsp *last,
                        const struct scenario_app *cuts, size_t ncut, struct invariant_report *r,
                        uint8_t *final_run)
{
    const struct sweep_plan *p = w->plan;
    struct scenario_final fin;
    uint8_t allow[3] = { INVARIANT_REF_FULL, INVARIANT_REF_NO, INVARIANT_REF_NO };
    size_t i;
    int rc;

    for (i = 0; i < ncut; i++) {
        /* A test upgrade reverts when power fails before the new image confirmed. */
        if (p->sc->opts.kind == SCENARIO_TEST_CONFIRM && cuts[i].requested && !cuts[i].confirmed) {
            allow[1] = INVARIANT_REF_FULL;
        }
        /* A cut during the request may lose the update (a torn magic makes the slot corrupt,
         * and the retried request erases it): the old image must then run as it did. */
        if (cuts[i].in_call == SCENARIO_CALL_REQUEST) {
            allow[2] = INVARIANT_REF_PRIMARY;
        }
    }

    rc = scenario_final_read(w->sc, last, &fin);
    if (rc < 0) {
        invariant_fail(r, INVARIANT_FINAL, "cannot read the final state: %d", rc);
        return;
    }
    *final_run = fin.run[0];
    if (invariant_check_final(w->sc, &fin, p->refs, allow, p->nref, r) != 0) {
        return;
    }
    rc = sweep_stable(w, last, r);
    if (rc < 0) {
        invariant_fail(r, INVARIANT_HARNESS, "stable check: %d", rc);
    }
}

void sweep_cut_state_init(struct sweep_cut_state *cs, const struct sweep_point *pt)
{
    memset(cs, 0, sizeof(*cs));
    cs->applied = pt->model;
}

void sweep_cut_taken(struct sweep_worker *w, const struct sweep_point *pt, int run_rc,
                     struct sweep_cut_state *cs)
{
    struct vflash_cut_result cr;

    if (!w->cut_hit) {
        w->cut_at = -1;
        cs->rc = invariant_fail(&cs->r, INVARIANT_HARNESS,
                                "the cut at operation %llu was not reached (run: %d, %llu ops)",
                                (unsigned long long)pt->op, run_rc, (unsigned long long)w->ops);
        return;
    }
    if (vflash_fault_cut_result(w->cut_dev, &cr) == 0 && cr.reached) {
        cs->applied = (uint8_t)cr.applied;
    }
    cs->app = w->app_at_cut;
    sweep_power_on(w);
    cs->rc = 0;
}

/* The first cut of pt, from the starting flash (cs->rc 1 with cs->r when it is not reached). */
static void sweep_first_cut(struct sweep_worker *w, const struct sweep_point *pt,
                            struct sweep_cut_state *cs)
{
    struct boot_rsp last;
    int rc;

    sweep_cut_state_init(cs, pt);
    sweep_start(w, &cs->app);
    sweep_arm(w, (int64_t)pt->op, pt->model, pt->param, pt->seed);
    rc = sweep_device_run(w, &cs->app, false, &cs->r, &last);
    sweep_cut_taken(w, pt, rc, cs);
}

/* What a run from power-on to its verdict leaves: its memo value. */
struct sweep_rest_val {
    uint8_t id;
    uint8_t final_run;
    char msg[sizeof(((struct invariant_report *)0)->msg)];
};

_Static_assert(sizeof(struct sweep_rest_val) <= SWEEP_MEMO_VALUE_MAX, "a verdict fits an entry");

/* The application state's bytes that a run depends on (its boot count restarts at 0). */
static size_t sweep_app_bytes(const struct scenario_app *a, uint8_t *b)
{
    int32_t rc = a->app_rc;

    b[0] = a->policy;
    b[1] = a->requested;
    b[2] = a->confirmed;
    b[3] = a->ran_new;
    b[4] = a->in_call;
    b[5] = a->app_error;
    memcpy(b + 6, &rc, sizeof(rc));
    return 6 + sizeof(rc);
}

/* Runs the device from power-on to its verdict: the checked run, then the final checks. */
static void sweep_rest_run(struct sweep_worker *w, struct scenario_app *app,
                           const struct scenario_app *cuts, size_t ncut, struct invariant_report *r,
                           uint8_t *final_run)
{
    struct boot_rsp last;
    int rc;

    rc = sweep_device_run(w, app, true, r, &last);
    if (rc == BO_EPOWER) {
        invariant_fail(r, INVARIANT_HARNESS, "unexpected power loss");
    }
    if (rc == 0 && r->id == INVARIANT_NONE) {
        sweep_final(w, &last, cuts, ncut, r, final_run);
    }
}

/*
 * sweep_rest_run() through the memo: a run from power-on depends only on the flash (with its
 * fault state) and the application's state, and its verdict only on those and the
 * applications' states at the cuts, so cut points that leave the same state share one run.
 * r must be clear on entry.
 */
static void sweep_rest(struct sweep_worker *w, struct scenario_app *app,
                       const struct scenario_app *cuts, size_t ncut, struct invariant_report *r,
                       uint8_t *final_run)
{
    uint8_t extra[3 * 16];
    struct sweep_rest_val v;
    struct sweep_memo_key k;
    size_t n = 0;
    size_t i;
    uint64_t faults = 0;
    bool keyed = false;
    int rc;

    if (w->memo != NULL && ncut <= 2 && r->id == INVARIANT_NONE) {
        n = sweep_app_bytes(app, extra);
        for (i = 0; i < ncut; i++) {
            n += sweep_app_bytes(&cuts[i], extra + n);
        }
        keyed = sweep_memo_key(&w->map, &w->hc, SWEEP_MEMO_REST, extra, n, &k);
        if (keyed && sweep_memo_find(w->memo, &k, SWEEP_MEMO_REST, &rc, &v, sizeof(v))) {
            sweep_memo_count(w->memo, SWEEP_MEMO_N_REST_HITS);
            r->id = v.id;
            memcpy(r->msg, v.msg, sizeof(r->msg));
            *final_run = v.final_run;
            return;
        }
        faults = sweep_memo_read_faults(&w->map);
    }
    sweep_memo_count(w->memo, SWEEP_MEMO_N_RESTS);
    sweep_rest_run(w, app, cuts, ncut, r, final_run);
    if (keyed && sweep_memo_read_faults(&w->map) == faults) {
        memset(&v, 0, sizeof(v));
        v.id = r->id;
        v.final_run = *final_run;
        memcpy(v.msg, r->msg, sizeof(v.msg));
        sweep_memo_add(w->memo, &k, SWEEP_MEMO_REST, 0, &v, sizeof(v));
    }
}

/* Fills out's verdict from r and its replay ID from pt. */
static void sweep_outcome_fill(const struct sweep_worker *w, const struct sweep_point *pt,
                               const struct invariant_report *r, struct sweep_outcome *out)
{
    out->status = r->id == INVARIANT_NONE ? SWEEP_PASS : SWEEP_FAIL;
    out->invariant = r->id;
    snprintf(out->msg, sizeof(out->msg), "%s", r->msg);
    sweep_id_encode(&w->sc->opts, pt, out->id, sizeof(out->id));
}

void sweep_exec_second_cut(struct sweep_worker *w, const struct sweep_point *pt,
                           const struct sweep_cut_state *cs, struct invariant_report *r,
                           struct sweep_outcome *out)
{
    struct scenario_app cuts[2];
    struct scenario_app app = w->app_at_cut;

    out->reached2 = true;
    cuts[0] = cs->app;
    cuts[1] = app;
    sweep_power_on(w);
    w->cut_at = -1;
    sweep_rest(w, &app, cuts, 2, r, &out->final_run);
    sweep_outcome_fill(w, pt, r, out);
}

void sweep_exec_from(struct sweep_worker *w, const struct sweep_point *pt,
                     const struct sweep_cut_state *cs, struct sweep_outcome *out)
{
    struct invariant_report r = cs->r;
    struct scenario_app app = cs->app;
    struct scenario_app cuts[2];
    size_t ncut = 1;
    struct boot_rsp last;
    int rc = cs->rc;

    out->pt = *pt;
    out->applied = cs->applied;
    cuts[0] = app;
    if (rc == 0 && pt->op2 >= 0) {
        sweep_arm(w, pt->op2, pt->model2, pt->param2, pt->seed2);
        rc = sweep_device_run(w, &app, true, &r, &last);
        if (w->cut_hit) {
            sweep_exec_second_cut(w, pt, cs, &r, out);
            return;
        } else {
            w->cut_at = -1;
            if (rc == BO_EPOWER) {
                invariant_fail(&r, INVARIANT_HARNESS, "unexpected power loss");
            }
            if (rc == 0 && r.id == INVARIANT_NONE) {
                sweep_final(w, &last, cuts, ncut, &r, &out->final_run);
            }
        }
    } else if (rc == 0) {
        sweep_rest(w, &app, cuts, ncut, &r, &out->final_run);
    }
    sweep_outcome_fill(w, pt, &r, out);
}

void sweep_exec(struct sweep_worker *w, const struct sweep_point *pt, struct sweep_outcome *out)
{
    struct sweep_cut_state cs;

    sweep_first_cut(w, pt, &cs);
    sweep_exec_from(w, pt, &cs, out);
}

int sweep_count_from(struct sweep_worker *w, const struct sweep_cut_state *cs,
                     struct sweep_rec *rec)
{
    struct invariant_report r;
    struct scenario_app app = cs->app;
    struct boot_rsp last;

    if (cs->rc != 0) {
        return -1;
    }
    memset(&r, 0, sizeof(r));
    w->rec = rec;
    sweep_device_run(w, &app, false, &r, &last);
    w->rec = NULL;
    return rec->err;
}

/* The replay path of a task: every use replays the first cut from the starting flash. */
static int sweep_replay_count(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                              struct sweep_rec *rec)
{
    struct sweep_cut_state cs;

    (void)arg;
    sweep_first_cut(w, pt, &cs);
    return sweep_count_from(w, &cs, rec);
}

static void sweep_replay_exec(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                              struct sweep_outcome *out)
{
    (void)arg;
    sweep_exec(w, pt, out);
}

static int sweep_push(struct sweep_outcome **out, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        size_t c = *cap == 0 ? 8 : *cap * 2;
        struct sweep_outcome *p = realloc(*out, c * sizeof(*p));

        if (p == NULL) {
            return BO_ENOMEM;
        }
        *out = p;
        *cap = c;
    }
    memset(&(*out)[*n], 0, sizeof(**out));
    (*n)++;
    return 0;
}

/* The enabled fault models, in enum order. */
uint32_t sweep_fault_list(uint32_t faults, uint8_t list[SWEEP_MODEL_COUNT])
{
    uint32_t n = 0;
    uint8_t m;

    for (m = 0; m < SWEEP_MODEL_COUNT; m++) {
        if ((faults & SWEEP_FAULT(m)) != 0) {
            list[n++] = m;
        }
    }
    return n;
}

void sweep_task_point(const struct sweep_plan *p, uint64_t t, struct sweep_point *pt)
{
    const struct sweep_opts *o = p->o;
    uint64_t task = p->tasks[t];

    if (o->depth < 2) {
        *pt = p->points[p->sample != NULL ? p->sample[task] : task];
    } else {
        *pt = p->points[o->random != 0 ? sweep_mix(o->seed, task, 1, 0) % p->npoints : task];
    }
}

int sweep_task_run(struct sweep_worker *w, uint64_t t, const struct sweep_reach *how,
                   struct sweep_outcome **outp, size_t *np)
{
    const struct sweep_plan *p = w->plan;
    const struct sweep_opts *o = w->o;
    uint64_t task = p->tasks[t];
    struct sweep_outcome *out = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct sweep_point pt;
    int rc = 0;

    sweep_task_point(p, t, &pt);
    if (pt.model >= VFLASH_CUT_MODEL_COUNT) {
        /* A non-cut fault: one run from the starting flash, at any depth. */
        rc = p->nc_exec != NULL ? sweep_push(&out, &n, &cap) : BO_EINVAL;
        if (rc == 0) {
            out[0].task = task;
            p->nc_exec(w, &pt, &out[0]);
        }
    } else if (o->depth < 2) {
        rc = sweep_push(&out, &n, &cap);
        if (rc == 0) {
            out[0].task = task;
            how->exec(how->arg, w, &pt, &out[0]);
        }
    } else {
        struct sweep_rec rec;
        uint8_t fl[SWEEP_MODEL_COUNT];
        uint32_t nf = sweep_fault_list(o->faults & SWEEP_FAULTS_ALL, fl);
        uint64_t m;
        uint32_t f;

        memset(&rec, 0, sizeof(rec));
        rc = how->count(how->arg, w, &pt, &rec);
        if (rc != 0 || rec.n == 0 || nf == 0) {
            /* Nothing to cut in the recovery (or the first cut fails): one depth-1 run. */
            pt.op2 = -1;
            rc = sweep_push(&out, &n, &cap);
            if (rc == 0) {
                out[0].task = task;
                how->exec(how->arg, w, &pt, &out[0]);
            }
        } else if (o->random != 0) {
            pt.op2 = (int64_t)(sweep_mix(o->seed, task, 2, 0) % rec.n);
            pt.model2 = fl[sweep_mix(o->seed, task, 3, 0) % nf];
            pt.param2 = VFLASH_CUT_SEEDED;
            pt.seed2 = sweep_mix(o->seed, task, 4, 0);
            rc = sweep_push(&out, &n, &cap);
            if (rc == 0) {
                out[0].task = task;
                how->exec(how->arg, w, &pt, &out[0]);
            }
        } else {
            for (m = 0; m < rec.n && rc == 0; m++) {
                for (f = 0; f < nf && rc == 0; f++) {
                    if (!vflash_cut_model_applies((enum vflash_cut_model)fl[f],
                                                  (enum vflash_op_kind)rec.ops[m].kind)) {
                        continue;
                    }
                    pt.op2 = (int64_t)m;
                    pt.model2 = fl[f];
                    pt.param2 = VFLASH_CUT_SEEDED;
                    pt.seed2 = sweep_mix(o->seed ^ pt.seed, m, fl[f], 2);
                    rc = sweep_push(&out, &n, &cap);
                    if (rc == 0) {
                        out[n - 1].task = task;
                        how->exec(how->arg, w, &pt, &out[n - 1]);
                    }
                }
            }
        }
        sweep_rec_free(&rec);
    }
    *outp = out;
    *np = n;
    return rc;
}

/* Runs local task t into its outcome list, replaying every cut from the starting flash. */
int sweep_task(struct sweep_worker *w, uint64_t t)
{
    static const struct sweep_reach replay = { sweep_replay_count, sweep_replay_exec, NULL };
    struct sweep_plan *p = (struct sweep_plan *)w->plan;

    return sweep_task_run(w, t, &replay, &p->out[t], &p->nout[t]);
}

void *sweep_thread(void *arg)
{
    struct sweep_worker *w = arg;
    struct sweep_plan *p = (struct sweep_plan *)w->plan;
    uint64_t t;
    int rc;

    rc = sweep_worker_setup(w, p, w->o, w->sc);
    if (rc < 0) {
        __atomic_store_n(&p->fatal, rc, __ATOMIC_SEQ_CST);
    }
    while (rc == 0) {
        t = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST);
        if (t >= p->ntasks) {
            break;
        }
        rc = sweep_task(w, t);
        if (rc < 0) {
            __atomic_store_n(&p->fatal, rc, __ATOMIC_SEQ_CST);
        }
        __atomic_fetch_add(&p->done, 1, __ATOMIC_SEQ_CST);
    }
    sweep_worker_free(w);
    return NULL;
}
