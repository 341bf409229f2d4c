/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The power-fail sweep engine (see sweep.h): the uninterrupted run, the cut points, tasks,
 * shards, threads, and replays.
 */
#include "sweep/sweep.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_err.h"
#include "sweep/sweep_int.h"
#include "sweep/sweep_trace.h"

/* Adds one cut point to the list. */
static int sweep_add_point(struct sweep_plan *p, uint64_t *cap, uint64_t op, uint8_t model,
                           uint32_t param)
{
    struct sweep_point *pt;

    if (p->npoints == *cap) {
        uint64_t c = *cap == 0 ? 1024 : *cap * 2;
        struct sweep_point *np = realloc(p->points, c * sizeof(*np));

        if (np == NULL) {
            return BO_ENOMEM;
        }
        p->points = np;
        *cap = c;
    }
    pt = &p->points[p->npoints++];
    memset(pt, 0, sizeof(*pt));
    pt->op = op;
    pt->model = model;
    pt->param = param;
    pt->seed = sweep_mix(p->o->seed, op, model, param);
    pt->op2 = -1;
    return 0;
}

/* Whether --levels enumerates model (erase-partial, torn-bits, weak). */
static bool sweep_levelled(uint8_t m)
{
    return m == VFLASH_CUT_ERASE_PARTIAL || m == VFLASH_CUT_TORN_BITS || m == VFLASH_CUT_WEAK;
}

/* Every depth-1 cut point of the recorded action. */
static int sweep_points(struct sweep_plan *p)
{
    const struct sweep_opts *o = p->o;
    uint8_t fl[SWEEP_MODEL_COUNT];
    uint32_t nf = sweep_fault_list(o->faults, fl);
    uint64_t cap = 0;
    uint64_t i;
    uint32_t f;
    int rc = 0;

    for (i = 0; i < p->rec.n && rc == 0; i++) {
        const struct sweep_rec_op *op = &p->rec.ops[i];
        bool first = true;

        for (f = 0; f < nf && rc == 0; f++) {
            uint8_t m = fl[f];
            uint32_t j;
            uint32_t nk;

            if (m >= VFLASH_CUT_MODEL_COUNT) {
                /* A non-cut fault: one point per operation it applies to. */
                if (sweep_nc_applies(m, (enum vflash_op_kind)op->kind)) {
                    rc = sweep_add_point(p, &cap, i, m, sweep_nc_param(o, m));
                }
                continue;
            }
            if (!vflash_cut_model_applies((enum vflash_cut_model)m,
                                          (enum vflash_op_kind)op->kind)) {
                continue;
            }
            if (!op->changed) {
                /* Every model leaves the same flash: one point stands for all. */
                if (first) {
                    rc = sweep_add_point(p, &cap, i, m, 0);
                }
                first = false;
                continue;
            }
            first = false;
            if (o->level_count != 0 && sweep_levelled(m)) {
                for (j = 0; j < o->level_count && rc == 0; j++) {
                    rc = sweep_add_point(p, &cap, i, m, o->levels[j]);
                }
                continue;
            }
            if (m != VFLASH_CUT_TORN_PREFIX) {
                rc = sweep_add_point(p, &cap, i, m,
                                     m == VFLASH_CUT_ERASE_PARTIAL ? VFLASH_CUT_SEEDED : 0);
                continue;
            }
            nk = op->nk;
            if (o->prefix_max != 0 && nk > o->prefix_max) {
                for (j = 0; j < o->prefix_max && rc == 0; j++) {
                    uint64_t at =
                        o->prefix_max > 1 ? (uint64_t)j * (nk - 1) / (o->prefix_max - 1) : 0;

                    rc = sweep_add_point(p, &cap, i, m, op->ks[at]);
                }
            } else {
                for (j = 0; j < nk && rc == 0; j++) {
                    rc = sweep_add_point(p, &cap, i, m, op->ks[j]);
                }
            }
        }
    }
    return rc;
}

void sweep_opts_init(struct sweep_opts *o)
{
    memset(o, 0, sizeof(*o));
    scenario_opts_init(&o->sc);
    o->faults = SWEEP_FAULTS_ALL;
    sweep_nc_defaults(&o->nc);
    o->depth = 1;
    o->seed = 1;
    o->jobs = 1;
    o->shard_index = 1;
    o->shard_count = 1;
}

void sweep_result_init(struct sweep_result *r)
{
    memset(r, 0, sizeof(*r));
}

void sweep_result_free(struct sweep_result *r)
{
    free(r->out);
    r->out = NULL;
    r->count = 0;
}

struct sweep_key {
    uint64_t key;
    uint64_t idx;
};

static int sweep_key_cmp(const void *a, const void *b)
{
    const struct sweep_key *x = a;
    const struct sweep_key *y = b;

    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->idx < y->idx ? -1 : 1);
}

static int sweep_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

/* Depth 1 --random N: N distinct points, chosen by seeded keys, in point order. */
static int sweep_sample(struct sweep_plan *p)
{
    struct sweep_key *keys;
    uint64_t n = p->o->random;
    uint64_t i;

    if (n >= p->npoints) {
        p->tasks_total = p->npoints;
        return 0;
    }
    keys = malloc((p->npoints + 1) * sizeof(*keys));
    p->sample = malloc((n + 1) * sizeof(*p->sample));
    if (keys == NULL || p->sample == NULL) {
        free(keys);
        return BO_ENOMEM;
    }
    for (i = 0; i < p->npoints; i++) {
        keys[i].key = sweep_mix(p->o->seed, i, 0x5a, 0);
        keys[i].idx = i;
    }
    qsort(keys, p->npoints, sizeof(*keys), sweep_key_cmp);
    for (i = 0; i < n; i++) {
        p->sample[i] = keys[i].idx;
    }
    qsort(p->sample, n, sizeof(*p->sample), sweep_u64_cmp);
    free(keys);
    p->tasks_total = n;
    return 0;
}

/* The uninterrupted run(s) on worker w: operations, references, points, tasks. */
static int sweep_plan_build(struct sweep_plan *p, struct sweep_worker *w, char *err, size_t err_len)
{
    const struct sweep_opts *o = p->o;
    struct invariant_report r;
    struct scenario_app app;
    struct boot_rsp last;
    uint32_t si = o->shard_count == 0 ? 1 : o->shard_index;
    uint32_t sn = o->shard_count == 0 ? 1 : o->shard_count;
    uint64_t t;
    int rc;
    int pass;

    for (pass = 0; pass < (p->sc->opts.kind == SCENARIO_TEST_CONFIRM ? 2 : 1); pass++) {
        memset(&r, 0, sizeof(r));
        sweep_start(w, &app);
        if (pass == 1) {
            app.policy = SCENARIO_TEST_REVERT;
        }
        w->rec = pass == 0 ? &p->rec : NULL;
        rc = sweep_device_run(w, &app, true, &r, &last);
        w->rec = NULL;
        if (rc == 0 && r.id == INVARIANT_NONE) {
            rc = scenario_final_read(p->sc, &last, &p->refs[pass]);
        }
        if (rc == 0 && r.id == INVARIANT_NONE) {
            rc = invariant_check_stable(p->sc, &w->map, w->state, &last, &r);
        }
        if (rc != 0 || r.id != INVARIANT_NONE || p->rec.err != 0) {
            snprintf(err, err_len, "the uninterrupted %s run fails: %s",
                     pass == 0 ? scenario_kind_name(p->sc->opts.kind) : "test-revert",
                     r.id != INVARIANT_NONE ? r.msg : bo_strerror(rc != 0 ? rc : p->rec.err));
            return BO_ESTATE;
        }
        p->nref = (size_t)pass + 1;
    }
    /* The starting state, as the old image runs it before any request. */
    sweep_start(w, &app);
    memset(&last, 0, sizeof(last));
    rc = p->sc->bl->boot(w->state, &p->sc->cfg, &last);
    if (rc == 0) {
        rc = scenario_final_read(p->sc, &last, &p->refs[2]);
    }
    if (rc < 0) {
        snprintf(err, err_len, "the starting flash does not boot: %s", bo_strerror(rc));
        return BO_ESTATE;
    }
    p->nref = 3;
    rc = sweep_points(p);
    if (rc < 0) {
        return rc;
    }
    if (p->npoints == 0) {
        snprintf(err, err_len, "no cut points (the action does no flash operation)");
        return BO_ESTATE;
    }
    if (o->depth < 2 && o->random != 0) {
        rc = sweep_sample(p);
        if (rc < 0) {
            return rc;
        }
    } else {
        p->tasks_total = o->depth >= 2 && o->random != 0 ? o->random : p->npoints;
    }
    p->tasks = malloc((p->tasks_total / sn + 1) * sizeof(*p->tasks));
    if (p->tasks == NULL) {
        return BO_ENOMEM;
    }
    for (t = si - 1; t < p->tasks_total; t += sn) {
        p->tasks[p->ntasks++] = t;
    }
    p->out = calloc(p->ntasks + 1, sizeof(*p->out));
    p->nout = calloc(p->ntasks + 1, sizeof(*p->nout));
    return p->out != NULL && p->nout != NULL ? 0 : BO_ENOMEM;
}

static void sweep_plan_free(struct sweep_plan *p)
{
    uint64_t t;

    sweep_rec_free(&p->rec);
    free(p->points);
    free(p->tasks);
    free(p->sample);
    for (t = 0; p->out != NULL && t < p->ntasks; t++) {
        free(p->out[t]);
    }
    free(p->out);
    free(p->nout);
    memset(p, 0, sizeof(*p));
}

static double sweep_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the local tasks on jobs threads (or on this one), reporting progress. */
static int sweep_execute(struct sweep_plan *p, struct sweep_worker *w0)
{
    const struct sweep_opts *o = p->o;
    uint32_t jobs = o->jobs == 0 ? 1 : o->jobs;
    struct sweep_worker *ws = NULL;
    pthread_t *th = NULL;
    uint32_t started = 0;
    uint32_t i;
    uint64_t t;
    int rc = 0;

    if (jobs > p->ntasks) {
        jobs = p->ntasks == 0 ? 1 : (uint32_t)p->ntasks;
    }
    if (jobs == 1) {
        for (t = 0; t < p->ntasks && rc == 0; t++) {
            rc = sweep_task(w0, t);
            p->done = t + 1;
            if (o->progress != NULL) {
                o->progress(o->progress_arg, p->done, p->ntasks);
            }
        }
        return rc;
    }
    ws = calloc(jobs, sizeof(*ws));
    th = calloc(jobs, sizeof(*th));
    if (ws == NULL || th == NULL) {
        free(ws);
        free(th);
        return BO_ENOMEM;
    }
    for (i = 0; i < jobs; i++) {
        ws[i].plan = p;
        ws[i].o = o;
        ws[i].sc = p->sc;
        if (pthread_create(&th[i], NULL, sweep_thread, &ws[i]) != 0) {
            rc = BO_EOS;
            break;
        }
        started++;
    }
    while (o->progress != NULL && __atomic_load_n(&p->done, __ATOMIC_SEQ_CST) < p->ntasks &&
           started == jobs && __atomic_load_n(&p->fatal, __ATOMIC_SEQ_CST) == 0) {
        struct timespec ts = { 0, 100 * 1000 * 1000 };

        o->progress(o->progress_arg, __atomic_load_n(&p->done, __ATOMIC_SEQ_CST), p->ntasks);
        nanosleep(&ts, NULL);
    }
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    if (o->progress != NULL) {
        o->progress(o->progress_arg, p->done, p->ntasks);
    }
    free(ws);
    free(th);
    return rc < 0 ? rc : p->fatal;
}

static void sweep_result_header(struct sweep_result *res, const struct sweep_opts *o,
                                const struct scenario *sc)
{
    snprintf(res->scenario, sizeof(res->scenario), "%s", scenario_kind_name(sc->opts.kind));
    snprintf(res->board, sizeof(res->board), "%s", sc->opts.board);
    snprintf(res->mode, sizeof(res->mode), "%s", boot_mode_name(sc->opts.mode));
    snprintf(res->bootloader, sizeof(res->bootloader), "%s", sc->bl->name);
    snprintf(res->bl_identity, sizeof(res->bl_identity), "%s",
             sc->bl->kind == BL_BROWNOUT ? "" : sc->bl->identity());
    res->faults = o->faults;
    res->depth = o->depth < 2 ? 1 : 2;
    res->random = o->random;
    res->seed = o->seed;
    res->image_opt = sc->opts.image_size;
    res->image_size = sc->image_size;
    res->downgrade_prevention = sc->opts.downgrade_prevention;
    res->prefix_max = o->prefix_max;
    sweep_assumption(&sc->opts, o, res->assumption, sizeof(res->assumption));
    res->nc = o->nc;
    res->shard_index = o->shard_count == 0 ? 1 : o->shard_index;
    res->shard_count = o->shard_count == 0 ? 1 : o->shard_count;
}

int sweep_run(const struct sweep_opts *o, struct sweep_result *res, char *err, size_t err_len)
{
    struct scenario *sc = calloc(1, sizeof(*sc));
    struct sweep_worker *w0 = calloc(1, sizeof(*w0));
    struct sweep_plan p;
    double t0 = sweep_now();
    uint64_t t;
    size_t k;
    int rc;

    memset(&p, 0, sizeof(p));
    if (sc == NULL || w0 == NULL) {
        free(sc);
        free(w0);
        return BO_ENOMEM;
    }
    scenario_init(sc);
    if (o->faults == 0 || (o->faults & ~(SWEEP_FAULTS_ALL | SWEEP_FAULTS_NONCUT)) != 0 ||
        o->depth < 1 || o->depth > 2 ||
        (o->shard_count != 0 && (o->shard_index < 1 || o->shard_index > o->shard_count))) {
        snprintf(err, err_len, "bad sweep options (faults, depth or shard)");
        rc = BO_EINVAL;
        goto out;
    }
    rc = scenario_setup(sc, &o->sc, err, err_len);
    if (rc < 0) {
        goto out;
    }
    p.o = o;
    p.sc = sc;
    p.nc_exec = sweep_nc_exec;
    rc = sweep_worker_setup(w0, &p, o, sc);
    if (rc == 0) {
        rc = sweep_plan_build(&p, w0, err, err_len);
    }
    if (rc == 0) {
        /* Non-cut points run from the starting flash: no snapshots with them. */
        rc = o->no_snapshots || (o->faults & SWEEP_FAULTS_NONCUT) != 0 ? sweep_execute(&p, w0)
                                                                       : sweep_snap_execute(&p, w0);
        if (rc < 0) {
            snprintf(err, err_len, "a worker failed: %s", bo_strerror(rc));
        }
    }
    if (rc < 0) {
        goto out;
    }
    sweep_result_header(res, o, sc);
    res->ops = p.rec.n;
    res->tasks_total = p.tasks_total;
    res->count = 0;
    for (t = 0; t < p.ntasks; t++) {
        res->count += p.nout[t];
    }
    res->out = calloc(res->count + 1, sizeof(*res->out));
    if (res->out == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    for (t = 0, k = 0; t < p.ntasks; t++) {
        memcpy(&res->out[k], p.out[t], p.nout[t] * sizeof(*res->out));
        k += p.nout[t];
    }
    res->wall_s = sweep_now() - t0;
    res->boots = p.counts[SWEEP_MEMO_N_BOOTS];
    res->boot_hits = p.counts[SWEEP_MEMO_N_BOOT_HITS];
    res->states = p.counts[SWEEP_MEMO_N_RESTS];
    res->state_hits = p.counts[SWEEP_MEMO_N_REST_HITS];
    res->verifies = p.counts[SWEEP_MEMO_N_VERIFIES];
    res->verify_hits = p.counts[SWEEP_MEMO_N_VERIFY_HITS];
out:
    sweep_worker_free(w0);
    sweep_plan_free(&p);
    scenario_free(sc);
    free(sc);
    free(w0);
    return rc;
}

int sweep_replay(const struct sweep_opts *base, const char *id, FILE *trace,
                 struct sweep_outcome *out, char *err, size_t err_len)
{
    struct scenario *sc = calloc(1, sizeof(*sc));
    struct sweep_worker *w0 = calloc(1, sizeof(*w0));
    struct sweep_trace *tr = calloc(1, sizeof(*tr));
    const char *names[PORT_FLASH_MAP_MAX_DEVICES];
    struct sweep_opts o;
    struct sweep_plan p;
    struct sweep_point pt;
    char board[600];
    uint32_t i;
    int rc;

    memset(&p, 0, sizeof(p));
    memset(out, 0, sizeof(*out));
    if (sc == NULL || w0 == NULL || tr == NULL) {
        free(sc);
        free(w0);
        free(tr);
        return BO_ENOMEM;
    }
    scenario_init(sc);
    if (base != NULL) {
        o = *base;
    } else {
        sweep_opts_init(&o);
    }
    o.depth = 1;
    o.random = 0;
    o.shard_index = 1;
    o.shard_count = 1;
    rc = sweep_id_decode(id, &o.sc, board, sizeof(board), &pt);
    if (rc < 0) {
        snprintf(err, err_len, "malformed replay ID");
        goto out;
    }
    rc = sweep_inputs_replay_check(&o.sc.in, err, err_len);
    if (rc < 0) {
        goto out;
    }
    rc = scenario_setup(sc, &o.sc, err, err_len);
    if (rc < 0) {
        goto out;
    }
    p.o = &o;
    p.sc = sc;
    rc = sweep_worker_setup(w0, &p, &o, sc);
    if (rc == 0) {
        rc = sweep_plan_build(&p, w0, err, err_len);
    }
    if (rc < 0) {
        goto out;
    }
    for (i = 0; i < w0->map.device_count && i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        names[i] = sc->board.flash[i].name;
    }
    if (trace != NULL) {
        sweep_trace_attach(tr, w0, trace, names);
    }
    if (pt.model >= VFLASH_CUT_MODEL_COUNT) {
        sweep_nc_exec(w0, &pt, out);
    } else {
        sweep_exec(w0, &pt, out);
    }
    if (trace != NULL && sweep_trace_detach(tr) < 0) {
        snprintf(err, err_len, "cannot write the trace");
        rc = BO_EOS;
    }
out:
    sweep_worker_free(w0);
    sweep_plan_free(&p);
    scenario_free(sc);
    free(sc);
    free(w0);
    free(tr);
    return rc;
}
