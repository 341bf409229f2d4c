/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshot reuse for sweeps (see sweep_int.h). The replay path runs, for every cut point, the
 * action from the starting flash up to the cut: the prefix is run once per point. Here the
 * action runs once, and at the operation of each task's first cut the process forks: the child
 * is an exact copy of the device at that instant (flash, fault state, the bootloader's call
 * stack and RAM, the application), takes the cut, runs the rest of the task as the replay path
 * would, writes its outcomes into a pipe and exits; the parent goes on with the action. At most
 * o->jobs children run at a time. A depth-2 task forks again from the state right after its
 * first cut to record the recovery (which defines its second cuts), then once more to run that
 * recovery a single time, forking at the operation of each second cut (sweep_snap_share_run()),
 * so that no second cut re-runs the recovery's prefix.
 *
 * Everything a child computes is what the replay path computes from the same state, so the
 * outcomes are the same; sweep_task_run() is shared by both paths. A child that dies gives a
 * failed outcome of its cut point with a replay ID instead of stopping the sweep.
 *
 * Processes, not threads: the parent forks only from the thread that runs the sweep and starts
 * no thread of its own; each child resets the fatal-signal handlers a test framework may have
 * installed and leaves with _exit(), so nothing of the parent (stdio buffers, exit handlers)
 * runs twice.
 */
#include "sweep/sweep_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bo_err.h"
#include "sweep/sweep_memo.h"
#include "sweep/sweep_snap_int.h"
#include "sweep/sweep_vcache.h"

/*
 * AddressSanitizer keeps freed memory in a quarantine of up to hundreds of megabytes, whose page
 * tables every fork() copies: the parent drains it once before the run.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SWEEP_SNAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWEEP_SNAP_ASAN 1
#endif
#endif
#if defined(SWEEP_SNAP_ASAN)
void __sanitizer_purge_allocator(void);
#define SWEEP_SNAP_PURGE() __sanitizer_purge_allocator()
#else
#define SWEEP_SNAP_PURGE() ((void)0)
#endif

/* Entries of the shared table of boots that write nothing. */
#define SWEEP_SNAP_MEMO_ENTRIES 262144u

/* A child running one task. */
struct sweep_snap_slot {
    pid_t pid;  /* 0: free. */
    int fd;     /* Read end of its pipe. */
    uint64_t t; /* Local task. */
    struct sweep_snap_buf buf;
};

/* Header of a child's output: its task and number of outcomes. */
struct sweep_snap_head {
    uint64_t t;
    uint64_t n;
};

struct sweep_snap {
    struct sweep_plan *plan;
    uint64_t *order; /* Local tasks by the operation of their first cut. */
    uint64_t *op_of; /* That operation, per entry of order. */
    uint64_t cursor; /* Next entry of order to fork. */
    struct sweep_snap_slot *slots;
    struct pollfd *pf; /* poll() set of the busy slots. */
    uint32_t *pf_slot; /* The slot of each entry of pf. */
    uint32_t nslots;
    uint32_t busy;
    bool stop;                  /* No more forks (a fork failed): the rest replays. */
    bool child;                 /* This process is a child. */
    uint64_t task;              /* In a child: its local task. */
    int out_fd;                 /* In a child: its pipe. */
    struct sweep_cut_state *cs; /* The first cut's state (the run's frame). */
};

/* A use of a child's state right after its first cut. */
struct sweep_snap_use {
    const struct sweep_cut_state *cs;
    bool in_place; /* Depth 1: the only use runs in this process. */
    bool defer;    /* Depth 2: a use only notes its point; sweep_snap_share() runs them. */
};

/* What a forked copy runs for a use. */
struct sweep_snap_call {
    struct sweep_worker *w;
    const struct sweep_point *pt;
    const struct sweep_cut_state *cs;
    struct sweep_outcome *out;
};

static void sweep_snap_count_fn(void *ctx, struct sweep_snap_buf *b)
{
    struct sweep_snap_call *c = ctx;
    struct sweep_rec rec;
    int32_t rc;
    uint64_t i;

    memset(&rec, 0, sizeof(rec));
    rc = sweep_count_from(c->w, c->cs, &rec);
    sweep_snap_put(b, &rc, sizeof(rc));
    sweep_snap_put(b, &rec.n, sizeof(rec.n));
    for (i = 0; i < rec.n; i++) {
        sweep_snap_put(b, &rec.ops[i].kind, 1);
    }
    sweep_rec_free(&rec);
}

static void sweep_snap_exec_fn(void *ctx, struct sweep_snap_buf *b)
{
    struct sweep_snap_call *c = ctx;

    sweep_exec_from(c->w, c->pt, c->cs, c->out);
    sweep_snap_put(b, c->out, sizeof(*c->out));
}

/* Records the recovery after the child's first cut, in a forked copy (the state stays). */
static int sweep_snap_count(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                            struct sweep_rec *rec)
{
    const struct sweep_snap_use *u = arg;
    struct sweep_snap_call c = { w, pt, u->cs, NULL };
    struct sweep_snap_buf b;
    int32_t rc;
    uint64_t n;
    uint64_t i;
    int err;

    memset(&b, 0, sizeof(b));
    err = sweep_snap_fork_call(sweep_snap_count_fn, &c, &b);
    if (err == 0 && b.len < sizeof(rc) + sizeof(n)) {
        err = BO_EOS;
    }
    if (err == 0) {
        memcpy(&rc, b.data, sizeof(rc));
        memcpy(&n, b.data + sizeof(rc), sizeof(n));
        if (n != b.len - sizeof(rc) - sizeof(n)) {
            err = BO_EOS;
        }
    }
    if (err == 0 && n > 0) {
        rec->ops = calloc(n, sizeof(*rec->ops));
        if (rec->ops == NULL) {
            err = BO_ENOMEM;
        }
    }
    if (err == 0) {
        for (i = 0; i < n; i++) {
            rec->ops[i].kind = b.data[sizeof(rc) + sizeof(n) + i];
        }
        rec->n = n;
        rec->cap = n;
        err = rc;
    }
    free(b.data);
    return err;
}

/* Fills out as the failure of pt whose process died. */
static void sweep_snap_died(const struct sweep_worker *w, const struct sweep_point *pt,
                            uint64_t task, int status, struct sweep_outcome *out)
{
    memset(out, 0, sizeof(*out));
    out->task = task;
    out->pt = *pt;
    out->applied = pt->model;
    out->status = SWEEP_FAIL;
    out->invariant = INVARIANT_HARNESS;
    if (status >= 0 && WIFSIGNALED(status)) {
        snprintf(out->msg, sizeof(out->msg), "the cut point's process died of signal %d",
                 WTERMSIG(status));
    } else {
        snprintf(out->msg, sizeof(out->msg), "the cut point's process failed (status %d)",
                 status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    sweep_id_encode(&w->sc->opts, pt, out->id, sizeof(out->id));
}

/* Runs pt from the child's first cut: in place for the only use, else in a forked copy. */
static void sweep_snap_exec(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                            struct sweep_outcome *out)
{
    const struct sweep_snap_use *u = arg;
    struct sweep_snap_call c = { w, pt, u->cs, out };
    struct sweep_snap_buf b;
    uint64_t task = out->task;

    if (u->defer) {
        out->pt = *pt;
        out->applied = u->cs->applied;
        return;
    }
    if (u->in_place) {
        sweep_exec_from(w, pt, u->cs, out);
        return;
    }
    memset(&b, 0, sizeof(b));
    if (sweep_snap_fork_call(sweep_snap_exec_fn, &c, &b) == 0 && b.len == sizeof(*out)) {
        memcpy(out, b.data, sizeof(*out));
    } else {
        sweep_snap_died(w, pt, task, -1, out);
    }
    free(b.data);
}

/*
 * Depth 2 with the recovery shared: the recovery after the first cut runs once, in a forked copy
 * of the first-cut process, as sweep_exec_from() runs it (with its checks); at the operation of
 * each second cut, that copy forks a process which arms the cut at this operation and returns
 * into the running recovery, so the cut fires there; the process then finishes as
 * sweep_exec_from() does after a second cut (sweep_exec_second_cut()) and writes its outcome.
 * The copy waits for each such process before it goes on, so a task keeps one process busy at
 * a time, as before. A point the shared run does not reach (a recovery shorter than its
 * recording, or a fork that failed) runs as before: from the state after the first cut.
 */
struct sweep_snap_share {
    const struct sweep_cut_state *cs;
    struct sweep_outcome *out; /* The task's points (pt set), in order of op2. */
    size_t n;
    size_t cursor; /* Next point to fork. */
    uint8_t *got;  /* Per point: 1 when its outcome is in out. */
    struct sweep_worker *w;
    bool child; /* This process took a second cut. */
    size_t idx; /* In such a child: its point. */
    int fd;     /* In such a child: its pipe. */
};

/* Reads the outcome of point i from the second-cut process pid (pipe fd), and reaps it. */
static void sweep_snap_share_wait(struct sweep_snap_share *s, struct sweep_worker *w, size_t i,
                                  int fd, pid_t pid)
{
    struct sweep_snap_buf b;
    int rc = 0;
    int st;

    memset(&b, 0, sizeof(b));
    while (rc == 0) {
        rc = sweep_snap_read_some(fd, &b);
    }
    close(fd);
    st = sweep_snap_reap(pid);
    if (rc == 1 && st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && b.len == sizeof(s->out[i])) {
        memcpy(&s->out[i], b.data, sizeof(s->out[i]));
    } else {
        struct sweep_point pt = s->out[i].pt;

        sweep_snap_died(w, &pt, s->out[i].task, -1, &s->out[i]);
    }
    s->got[i] = 1;
    free(b.data);
}

/*
 * In a new child: copies the flash's pages now, in one call per device, rather than one
 * copy-on-write fault per page its recovery writes (best effort: without it, the faults).
 */
static void sweep_snap_populate(struct sweep_worker *w)
{
#if defined(MADV_POPULATE_WRITE)
    uint32_t i;
    long page = sysconf(_SC_PAGESIZE);

    for (i = 0; i < w->map.device_count && page > 0; i++) {
        struct vflash *d = w->map.devices[i];
        uintptr_t a = (uintptr_t)d->mem & ~((uintptr_t)page - 1);
        uintptr_t e = (uintptr_t)d->mem + d->size;

        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
    }
#else
    (void)w;
#endif
}

/*
 * The operation hook of the shared recovery: forks the second cuts at this operation, one at a
 * time. Returns in the copy after the last of them, or in a child with its cut armed.
 */
static void sweep_snap_share_at(void *arg, struct sweep_worker *w)
{
    struct sweep_snap_share *s = arg;

    if (w->memo != NULL && !s->child && s->cursor < s->n &&
        s->out[s->cursor].pt.op2 == (int64_t)w->ops) {
        sweep_memo_cache_refresh(&w->hc, &w->map);
    }
    while (!s->child && s->cursor < s->n && s->out[s->cursor].pt.op2 == (int64_t)w->ops) {
        const struct sweep_point *pt = &s->out[s->cursor].pt;
        size_t i = s->cursor++;
        int fds[2];
        pid_t pid;

        if (pipe(fds) != 0) {
            continue;
        }
        pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            continue;
        }
        if (pid == 0) {
            close(fds[0]);
            sweep_snap_child_signals();
            s->child = true;
            s->idx = i;
            s->fd = fds[1];
            sweep_snap_populate(w);
            sweep_arm(w, (int64_t)w->ops, pt->model2, pt->param2, pt->seed2);
            return;
        }
        close(fds[1]);
        sweep_snap_share_wait(s, w, i, fds[0], pid);
    }
}

/* The copy that runs the shared recovery: which points it ran, then all the outcomes. */
static void sweep_snap_share_fn(void *ctx, struct sweep_snap_buf *b)
{
    struct sweep_snap_share *s = ctx;
    struct sweep_worker *w = s->w;
    struct invariant_report r = s->cs->r;
    struct scenario_app app = s->cs->app;
    struct sweep_op_hook hook;
    struct boot_rsp last;

    hook.at = sweep_snap_share_at;
    hook.arg = s;
    w->op_hook = &hook;
    sweep_device_run(w, &app, true, &r, &last);
    w->op_hook = NULL;
    if (s->child) {
        struct sweep_outcome *o = &s->out[s->idx];

        if (!w->cut_hit) {
            _exit(1);
        }
        sweep_exec_second_cut(w, &o->pt, s->cs, &r, o);
        _exit(sweep_snap_write_all(s->fd, (const uint8_t *)o, sizeof(*o)) == 0 ? 0 : 1);
    }
    sweep_snap_put(b, s->got, s->n);
    sweep_snap_put(b, s->out, s->n * sizeof(*s->out));
}

/*
 * Runs the deferred points of a depth-2 task (out[i].pt set) from the state after its first
 * cut: those the shared recovery reaches, there; the others as before, one copy each.
 */
static void sweep_snap_share_run(const struct sweep_snap_use *u, struct sweep_worker *w,
                                 struct sweep_outcome *out, size_t n)
{
    struct sweep_snap_use one = { u->cs, false, false };
    struct sweep_snap_share s;
    struct sweep_snap_buf b;
    struct sweep_point pt;
    size_t i;
    bool any = false;

    memset(&s, 0, sizeof(s));
    memset(&b, 0, sizeof(b));
    s.cs = u->cs;
    s.w = w;
    s.out = out;
    s.n = n;
    s.got = calloc(n + 1, 1);
    for (i = 0; i < n; i++) {
        any = any || out[i].pt.op2 >= 0;
    }
    if (any && s.got != NULL && sweep_snap_fork_call(sweep_snap_share_fn, &s, &b) == 0 &&
        b.len == n + n * sizeof(*out)) {
        for (i = 0; i < n; i++) {
            s.got[i] = b.data[i];
            if (s.got[i] != 0) {
                memcpy(&out[i], b.data + n + i * sizeof(*out), sizeof(*out));
            }
        }
    } else if (s.got != NULL) {
        memset(s.got, 0, n);
    }
    for (i = 0; i < n; i++) {
        if (s.got == NULL || s.got[i] == 0) {
            pt = out[i].pt;
            sweep_snap_exec(&one, w, &pt, &out[i]);
        }
    }
    free(b.data);
    free(s.got);
}

/* A child after the action's run returned: the rest of its task, its outcomes, exit. */
static void sweep_snap_child(struct sweep_snap *s, struct sweep_worker *w, int run_rc)
{
    struct sweep_snap_use u;
    struct sweep_reach how;
    struct sweep_outcome *out = NULL;
    struct sweep_snap_head h;
    struct sweep_snap_buf b;
    struct sweep_point pt;
    size_t n = 0;
    int rc;

    w->op_hook = NULL;
    sweep_task_point(s->plan, s->task, &pt);
    sweep_cut_taken(w, &pt, run_rc, s->cs);
    u.cs = s->cs;
    u.in_place = w->o->depth < 2;
    /* With --log, each point's lines stay together as the replay path prints them. */
    u.defer = w->o->depth >= 2 && w->o->log == NULL;
    how.count = sweep_snap_count;
    how.exec = sweep_snap_exec;
    how.arg = &u;
    rc = sweep_task_run(w, s->task, &how, &out, &n);
    if (rc == 0 && u.defer) {
        sweep_snap_share_run(&u, w, out, n);
    }
    memset(&b, 0, sizeof(b));
    h.t = s->task;
    h.n = n;
    sweep_snap_put(&b, &h, sizeof(h));
    sweep_snap_put(&b, out, n * sizeof(*out));
    if (rc != 0 || b.err != 0 || sweep_snap_write_all(s->out_fd, b.data, b.len) != 0) {
        _exit(1);
    }
    _exit(0);
}

/* Takes the outcomes of a finished slot into the plan. */
static void sweep_snap_collect(struct sweep_snap *s, struct sweep_worker *w,
                               struct sweep_snap_slot *sl, int status)
{
    struct sweep_plan *p = s->plan;
    const struct sweep_opts *o = p->o;
    struct sweep_snap_head h;
    struct sweep_outcome *out = NULL;
    struct sweep_point pt;
    bool ok = false;

    memset(&h, 0, sizeof(h));
    if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && sl->buf.len >= sizeof(h)) {
        memcpy(&h, sl->buf.data, sizeof(h));
        ok = h.t == sl->t && h.n <= (sl->buf.len - sizeof(h)) / sizeof(*out) &&
             h.n * sizeof(*out) == sl->buf.len - sizeof(h);
    }
    if (ok) {
        out = malloc(h.n * sizeof(*out) + 1);
        if (out != NULL) {
            memcpy(out, sl->buf.data + sizeof(h), h.n * sizeof(*out));
        }
    } else {
        h.n = 1;
        out = malloc(sizeof(*out));
        if (out != NULL) {
            sweep_task_point(p, sl->t, &pt);
            sweep_snap_died(w, &pt, p->tasks[sl->t], status, out);
        }
    }
    if (out == NULL) {
        p->fatal = BO_ENOMEM;
        h.n = 0;
    }
    p->out[sl->t] = out;
    p->nout[sl->t] = (size_t)h.n;
    p->done++;
    if (o->progress != NULL) {
        o->progress(o->progress_arg, p->done, p->ntasks);
    }
}

/* Waits until at least one child finished and collects it. \return 0 or BO_EOS. */
static int sweep_snap_wait(struct sweep_snap *s, struct sweep_worker *w)
{
    struct pollfd *pf = s->pf;
    uint32_t *idx = s->pf_slot;
    uint32_t n = 0;
    uint32_t i;
    bool freed = false;

    while (!freed && s->busy > 0) {
        n = 0;
        for (i = 0; i < s->nslots; i++) {
            if (s->slots[i].pid != 0) {
                pf[n].fd = s->slots[i].fd;
                pf[n].events = POLLIN;
                pf[n].revents = 0;
                idx[n++] = i;
            }
        }
        if (poll(pf, n, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return BO_EOS;
        }
        for (i = 0; i < n; i++) {
            struct sweep_snap_slot *sl = &s->slots[idx[i]];
            int rc;

            if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            rc = sweep_snap_read_some(sl->fd, &sl->buf);
            if (rc == 0) {
                continue;
            }
            /* End of file (or a broken pipe): the child is done. */
            close(sl->fd);
            sweep_snap_collect(s, w, sl, rc == 1 ? sweep_snap_reap(sl->pid) : -1);
            if (rc != 1) {
                sweep_snap_reap(sl->pid);
            }
            free(sl->buf.data);
            memset(sl, 0, sizeof(*sl));
            s->busy--;
            freed = true;
        }
    }
    return 0;
}

/*
 * The operation hook (struct sweep_op_hook) before the cut check: forks the snapshots of the
 * tasks whose first cut is this operation. Returns in the parent after the last of them, or in
 * a child with the cut of its task armed.
 */
static void sweep_snap_at(void *arg, struct sweep_worker *w)
{
    struct sweep_snap *s = arg;

    if (s->child || s->stop) {
        return;
    }
    if (w->memo != NULL && s->cursor < s->plan->ntasks && s->op_of[s->cursor] == w->ops) {
        /* The children key the state after their cut: let them rehash only what they change. */
        sweep_memo_cache_refresh(&w->hc, &w->map);
    }
    while (s->cursor < s->plan->ntasks && s->op_of[s->cursor] == w->ops) {
        struct sweep_snap_slot *sl = NULL;
        struct sweep_point pt;
        uint32_t i;
        int fds[2];
        pid_t pid;

        while (s->busy == s->nslots) {
            if (sweep_snap_wait(s, w) < 0) {
                s->stop = true;
                return;
            }
        }
        for (i = 0; i < s->nslots && sl == NULL; i++) {
            if (s->slots[i].pid == 0) {
                sl = &s->slots[i];
            }
        }
        if (sl == NULL || pipe(fds) != 0) {
            s->stop = true;
            return;
        }
        pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            s->stop = true;
            return;
        }
        if (pid == 0) {
            /* The child: arm its cut at this operation; the hook takes it on return. */
            close(fds[0]);
            for (i = 0; i < s->nslots; i++) {
                if (s->slots[i].pid != 0) {
                    close(s->slots[i].fd);
                }
            }
            sweep_snap_child_signals();
            s->child = true;
            s->task = s->order[s->cursor];
            s->out_fd = fds[1];
            sweep_task_point(s->plan, s->task, &pt);
            sweep_snap_populate(w);
            s->cs->applied = pt.model;
            sweep_arm(w, (int64_t)w->ops, pt.model, pt.param, pt.seed);
            return;
        }
        close(fds[1]);
        memset(sl, 0, sizeof(*sl));
        sl->pid = pid;
        sl->fd = fds[0];
        sl->t = s->order[s->cursor];
        s->busy++;
        s->cursor++;
    }
}

struct sweep_snap_key {
    uint64_t op;
    uint64_t t;
};

static int sweep_snap_key_cmp(const void *a, const void *b)
{
    const struct sweep_snap_key *x = a;
    const struct sweep_snap_key *y = b;

    if (x->op != y->op) {
        return x->op < y->op ? -1 : 1;
    }
    return x->t < y->t ? -1 : x->t > y->t ? 1 : 0;
}

/* Orders the local tasks by the operation of their first cut. */
static int sweep_snap_order(struct sweep_snap *s)
{
    struct sweep_plan *p = s->plan;
    struct sweep_snap_key *keys = malloc((p->ntasks + 1) * sizeof(*keys));
    struct sweep_point pt;
    uint64_t t;

    s->order = malloc((p->ntasks + 1) * sizeof(*s->order));
    s->op_of = malloc((p->ntasks + 1) * sizeof(*s->op_of));
    if (keys == NULL || s->order == NULL || s->op_of == NULL) {
        free(keys);
        return BO_ENOMEM;
    }
    for (t = 0; t < p->ntasks; t++) {
        sweep_task_point(p, t, &pt);
        keys[t].op = pt.op;
        keys[t].t = t;
    }
    qsort(keys, p->ntasks, sizeof(*keys), sweep_snap_key_cmp);
    for (t = 0; t < p->ntasks; t++) {
        s->order[t] = keys[t].t;
        s->op_of[t] = keys[t].op;
    }
    free(keys);
    return 0;
}

/* Sets up the shared tables (without them, for want of shared memory, everything runs). */
static void sweep_snap_memo_on(const struct sweep_opts *o, struct sweep_worker *w,
                               struct sweep_memo *memo)
{
    if (sweep_memo_setup(memo, SWEEP_SNAP_MEMO_ENTRIES) == 0) {
        /* --no-cache (and --log, whose lines a reused result would not print) only count. */
        memo->off = o->no_cache || o->log != NULL;
        w->memo = memo;
        sweep_vcache_use(memo);
    }
}

/* Takes the tables' counters into the plan and frees them. */
static void sweep_snap_memo_off(struct sweep_plan *p, struct sweep_worker *w)
{
    if (w->memo != NULL) {
        memcpy(p->counts, w->memo->counts, sizeof(p->counts));
        sweep_vcache_use(NULL);
        sweep_memo_free(w->memo);
        w->memo = NULL;
    }
}

int sweep_snap_execute(struct sweep_plan *p, struct sweep_worker *w)
{
    const struct sweep_opts *o = p->o;
    struct sweep_cut_state cs;
    struct sweep_point none;
    struct sweep_memo memo;
    struct sweep_op_hook hook;
    struct sweep_snap s;
    struct boot_rsp last;
    uint64_t k;
    int rc;

    memset(&s, 0, sizeof(s));
    memset(&none, 0, sizeof(none));
    if (p->ntasks == 0) {
        return 0;
    }
    s.plan = p;
    s.nslots = o->jobs == 0 ? 1 : o->jobs;
    s.cs = &cs;
    s.slots = calloc(s.nslots, sizeof(*s.slots));
    s.pf = calloc(s.nslots, sizeof(*s.pf));
    s.pf_slot = calloc(s.nslots, sizeof(*s.pf_slot));
    rc = s.slots == NULL || s.pf == NULL || s.pf_slot == NULL ? BO_ENOMEM : sweep_snap_order(&s);
    if (rc < 0) {
        goto out;
    }
    sweep_snap_memo_on(o, w, &memo);
    SWEEP_SNAP_PURGE();
    /* The action once, as every replay runs it (no checks), forking at the first cuts. */
    sweep_cut_state_init(&cs, &none);
    sweep_start(w, &cs.app);
    hook.at = sweep_snap_at;
    hook.arg = &s;
    w->op_hook = &hook;
    rc = sweep_device_run(w, &cs.app, false, &cs.r, &last);
    if (s.child) {
        sweep_snap_child(&s, w, rc);
    }
    w->op_hook = NULL;
    rc = 0;
    while (s.busy > 0 && rc == 0) {
        rc = sweep_snap_wait(&s, w);
    }
    /* Tasks no child ran (no fork, or a cut the run did not reach): the replay path. */
    for (k = s.cursor; k < p->ntasks && rc == 0; k++) {
        rc = sweep_task(w, s.order[k]);
        p->done++;
        if (o->progress != NULL) {
            o->progress(o->progress_arg, p->done, p->ntasks);
        }
    }
    if (rc == 0) {
        rc = p->fatal;
    }
out:
    sweep_snap_memo_off(p, w);
    for (k = 0; s.slots != NULL && k < s.nslots; k++) {
        if (s.slots[k].pid != 0) {
            close(s.slots[k].fd);
            sweep_snap_reap(s.slots[k].pid);
            free(s.slots[k].buf.data);
        }
    }
    free(s.slots);
    free(s.pf);
    free(s.pf_slot);
    free(s.order);
    free(s.op_of);
    return rc;
}
