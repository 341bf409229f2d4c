/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_int.h
 * \brief Internals shared by the sweep engine's files (sweep.c: plan and results;
 *        sweep_exec.c: workers and one cut point's run). Not a public API.
 */
#ifndef SIM_SWEEP_PRIV_H
#define SIM_SWEEP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "mbedtls/platform.h"
#include "port_flash_map.h"
#include "sweep/sweep.h"
#include "sweep/sweep_memo.h"

/* One operation of a recorded run. */
struct sweep_rec_op {
    uint8_t dev;
    uint8_t kind; /* enum vflash_op_kind. */
    bool changed; /* It changes flash (always true on ECC parts). */
    uint32_t nk;  /* torn-prefix k values that give distinct results. */
    uint32_t *ks;
};

struct sweep_rec {
    struct sweep_rec_op *ops;
    uint64_t n;
    uint64_t cap;
    int err;
};

struct sweep_worker;

/* The whole sweep, shared read-only by the workers (but for the two counters). */
struct sweep_plan {
    const struct sweep_opts *o;
    const struct scenario *sc;
    struct sweep_rec rec;       /* Operations of the uninterrupted action. */
    struct sweep_point *points; /* Depth-1 cut points. */
    uint64_t npoints;
    struct scenario_final refs[3]; /* [0] the uninterrupted outcome; [1] test-confirm's
                                           revert outcome; [2] the starting state. */
    size_t nref;
    uint64_t *tasks; /* Task indices of this shard. */
    uint64_t ntasks;
    uint64_t tasks_total;
    uint64_t *sample;           /* Depth 1 --random: point index of each task. */
    struct sweep_outcome **out; /* Per local task. */
    size_t *nout;
    uint64_t counts[SWEEP_MEMO_N_COUNT]; /* The memo's counters at the end of the run. */
    uint64_t next;                       /* Next local task (atomic). */
    uint64_t done;                       /* Finished local tasks (atomic). */
    int fatal;
    /* Runs a non-cut point (sweep_nc_exec(), set by sweep.c), or NULL. */
    void (*nc_exec)(struct sweep_worker *w, const struct sweep_point *pt,
                    struct sweep_outcome *out);
};

struct sweep_worker;

/*
 * A layer's hook in the operation hook of a worker, called before the cut check: the snapshot
 * layer (sweep_snap.c) installs one to fork at the cut points of the run, so that the workers
 * (sweep_exec.c) never call it by name.
 */
struct sweep_op_hook {
    void (*at)(void *arg, struct sweep_worker *w);
    void *arg;
};

/* A worker: its own flash, boot state and Mbed TLS platform. */
struct sweep_worker {
    const struct sweep_plan *plan;
    const struct sweep_opts *o;
    const struct scenario *sc;
    struct port_flash_map map;
    struct port_flash_map *prev_map;
    struct boot_loader_state *state;
    mbedtls_platform_context plat;
    bool plat_on;
    struct sweep_rec *rec; /* Record operations here, or NULL. */
    uint64_t ops;          /* Operations of the current phase. */
    int64_t op_last;       /* The phase's number of the operation the hook last let through
                              (what replay IDs count); -1: it refused that operation. */
    int64_t cut_at;        /* Cut at this operation of the phase; -1: none. */
    struct vflash_cut cut;
    bool cut_hit;
    bool dead; /* Power is off: refuse every operation. */
    bool recovery;
    struct vflash *cut_dev;
    struct scenario_app *app; /* The application state, captured at the cut. */
    struct scenario_app app_at_cut;
    const struct sweep_op_hook *op_hook; /* Called at each operation before the cut check
                                             (a snapshot layer's forks), or NULL. */
    struct sweep_memo *memo;      /* Boots that write nothing, shared (sweep_memo.h), or NULL. */
    struct sweep_memo_cache hc;   /* Sector sums of map for the memo's keys. */
    uint64_t hook_calls;          /* Calls of the operation hook so far. */
    const struct sweep_point *nc; /* The non-cut fault point being run (sweep_fault.c), or NULL. */
    /* Its part of the operation hook (set by sweep_fault.c, so that this layer never calls it
     * by name): 0 to proceed, or the error the operation fails with. */
    int (*nc_hook)(struct sweep_worker *w, struct vflash *dev, const struct vflash_op *op);
    uint64_t nc_ops;            /* Operations since the start of that run. */
    struct vflash *nc_drop_dev; /* The device whose next program is set to drop, or NULL. */
    struct vflash *nc_dev;      /* The device, offset and bytes of the point's operation. */
    uint32_t nc_off;
    uint32_t nc_len;
};

/* The state right after a first cut, powered on again (what the recovery starts from). */
struct sweep_cut_state {
    struct scenario_app app; /* The application's state at the cut. */
    uint8_t applied;         /* The model the flash applied. */
    int rc;                  /* 0, or 1 when the cut was not reached (r says so). */
    struct invariant_report r;
};

/*
 * How a task reaches the state right after its first cut, once per use: by replaying the
 * action from the starting flash (sweep_task), or from a snapshot (sweep_snap.c).
 */
struct sweep_reach {
    /* Records the uninterrupted recovery after pt's first cut; 0, -1 (cut not reached), or an
     * error. */
    int (*count)(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                 struct sweep_rec *rec);
    /* Runs and checks pt from its first cut on. */
    void (*exec)(void *arg, struct sweep_worker *w, const struct sweep_point *pt,
                 struct sweep_outcome *out);
    void *arg;
};

/** \brief Frees a recording. */
void sweep_rec_free(struct sweep_rec *rec);

/** \brief Builds a worker's flash, boot state and Mbed TLS platform on the calling thread. */
int sweep_worker_setup(struct sweep_worker *w, const struct sweep_plan *plan,
                       const struct sweep_opts *o, const struct scenario *sc);

/** \brief Frees a worker (on the thread that set it up). */
void sweep_worker_free(struct sweep_worker *w);

/** \brief Restores the starting flash and the application's power-on state. */
void sweep_start(struct sweep_worker *w, struct scenario_app *app);

/** \brief Arms a cut at operation at of the current phase. */
void sweep_arm(struct sweep_worker *w, int64_t at, uint8_t model, uint32_t param, uint64_t seed);

/**
 * \brief Runs the device from power-on until its application idles.
 * \return 0, BO_EPOWER (a cut fired), or 1 with r filled.
 */
int sweep_device_run(struct sweep_worker *w, struct scenario_app *app, bool check,
                     struct invariant_report *r, struct boot_rsp *last);

/** \brief Runs one cut point from the starting flash and checks the invariants. */
void sweep_exec(struct sweep_worker *w, const struct sweep_point *pt, struct sweep_outcome *out);

/** \brief Clears cs for pt's first cut (applied: pt's model until the flash says). */
void sweep_cut_state_init(struct sweep_cut_state *cs, const struct sweep_point *pt);

/**
 * \brief After the run that carried pt's first cut (run_rc: what it returned): the model the
 *        flash applied, the application's state at the cut, power on again.
 */
void sweep_cut_taken(struct sweep_worker *w, const struct sweep_point *pt, int run_rc,
                     struct sweep_cut_state *cs);

/** \brief Runs pt from the state right after its first cut (cs) and checks the invariants. */
void sweep_exec_from(struct sweep_worker *w, const struct sweep_point *pt,
                     const struct sweep_cut_state *cs, struct sweep_outcome *out);

/**
 * \brief After pt's second cut fired in a recovery run from cs (r: that run's report): power
 *        on, the run to the verdict (through the memo), out's verdict and replay ID filled.
 */
void sweep_exec_second_cut(struct sweep_worker *w, const struct sweep_point *pt,
                           const struct sweep_cut_state *cs, struct invariant_report *r,
                           struct sweep_outcome *out);

/** \brief Records the uninterrupted recovery from cs. \return 0, -1 (no cut), or an error. */
int sweep_count_from(struct sweep_worker *w, const struct sweep_cut_state *cs,
                     struct sweep_rec *rec);

/** \brief The first cut point of local task t. */
void sweep_task_point(const struct sweep_plan *p, uint64_t t, struct sweep_point *pt);

/**
 * \brief Runs local task t, reaching its first cut as how says, into a new outcome list.
 * \return 0 or BO_ENOMEM.
 */
int sweep_task_run(struct sweep_worker *w, uint64_t t, const struct sweep_reach *how,
                   struct sweep_outcome **out, size_t *n);

/** \brief Runs local task t of the plan into its outcome list. \return 0 or BO_ENOMEM. */
int sweep_task(struct sweep_worker *w, uint64_t t);

/**
 * \brief Runs the local tasks from snapshots (sweep_snap.c): runs the action once on w and, at
 *        the operation of each task's first cut, forks a process that takes the cut and runs
 *        the rest of the task; at most o->jobs such processes at a time.
 * \return 0 (p->out filled) or a negative code.
 */
int sweep_snap_execute(struct sweep_plan *p, struct sweep_worker *w);

/** \brief A worker thread: sets up arg (a struct sweep_worker) and runs tasks. */
void *sweep_thread(void *arg);

/** \brief The enabled fault models of faults, in enum order. \return Their number. */
uint32_t sweep_fault_list(uint32_t faults, uint8_t list[SWEEP_MODEL_COUNT]);

/** \brief One boot of the worker's device (through the memo when it has one). */
int sweep_boot(struct sweep_worker *w, struct boot_rsp *rsp);

/** \brief Whether a non-cut model has a point at an operation of that kind. */
bool sweep_nc_applies(uint8_t model, enum vflash_op_kind kind);

/** \brief The point parameter of a non-cut model from the sweep's options. */
uint32_t sweep_nc_param(const struct sweep_opts *o, uint8_t model);

/** \brief Runs a non-cut fault point from the starting flash and checks its invariants. */
void sweep_nc_exec(struct sweep_worker *w, const struct sweep_point *pt, struct sweep_outcome *out);

#endif /* SIM_SWEEP_PRIV_H */
