/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_priv.h
 * \brief Internals shared by the sweep engine's files (sweep.c: plan and results;
 *        sweep_exec.c: workers and one cut point's run). Not a public API.
 */
#ifndef SIM_SWEEP_PRIV_H
#define SIM_SWEEP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "mbedtls/platform.h"
#include "port_flash_map.h"
#include "sweep.h"

/* One operation of a recorded run. */
struct sweep_rec_op {
    uint8_t dev;
    uint8_t kind;      /* enum vflash_op_kind. */
    bool changed;      /* It changes flash (always true on ECC parts). */
    uint32_t nk;       /* torn-prefix k values that give distinct results. */
    uint32_t *ks;
};

struct sweep_rec {
    struct sweep_rec_op *ops;
    uint64_t n;
    uint64_t cap;
    int err;
};

/* The whole sweep, shared read-only by the workers (but for the two counters). */
struct sweep_plan {
    const struct sweep_opts *o;
    const struct scenario *sc;
    struct sweep_rec rec;               /* Operations of the uninterrupted action. */
    struct sweep_point *points;         /* Depth-1 cut points. */
    uint64_t npoints;
    struct scenario_final refs[3];      /* [0] the uninterrupted outcome; [1] test-confirm's
                                           revert outcome; [2] the starting state. */
    size_t nref;
    uint64_t *tasks;                    /* Task indices of this shard. */
    uint64_t ntasks;
    uint64_t tasks_total;
    uint64_t *sample;                   /* Depth 1 --random: point index of each task. */
    struct sweep_outcome **out;         /* Per local task. */
    size_t *nout;
    uint64_t next;                      /* Next local task (atomic). */
    uint64_t done;                      /* Finished local tasks (atomic). */
    int fatal;
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
    struct sweep_rec *rec;      /* Record operations here, or NULL. */
    uint64_t ops;               /* Operations of the current phase. */
    int64_t cut_at;             /* Cut at this operation of the phase; -1: none. */
    struct vflash_cut cut;
    bool cut_hit;
    bool dead;                  /* Power is off: refuse every operation. */
    bool recovery;
    struct vflash *cut_dev;
    struct scenario_app *app;   /* The application state, captured at the cut. */
    struct scenario_app app_at_cut;
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

/**
 * \brief Runs the device from power-on until its application idles.
 * \return 0, BO_EPOWER (a cut fired), or 1 with r filled.
 */
int sweep_device_run(struct sweep_worker *w, struct scenario_app *app, bool check,
                     struct invariant_report *r, struct boot_rsp *last);

/** \brief Runs one cut point and checks the invariants. */
void sweep_exec(struct sweep_worker *w, const struct sweep_point *pt, struct sweep_outcome *out);

/** \brief Runs local task t of the plan into its outcome list. \return 0 or BO_ENOMEM. */
int sweep_task(struct sweep_worker *w, uint64_t t);

/** \brief A worker thread: sets up arg (a struct sweep_worker) and runs tasks. */
void *sweep_thread(void *arg);

/** \brief The enabled fault models of faults, in enum order. \return Their number. */
uint32_t sweep_fault_list(uint32_t faults, uint8_t list[VFLASH_CUT_MODEL_COUNT]);

#endif /* SIM_SWEEP_PRIV_H */
