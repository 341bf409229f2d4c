/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep.h
 * \brief The power-fail sweep engine behind `brownout sweep` (docs/sweep.md).
 *
 * A sweep sets up a scenario (scenario.h), runs it once uninterrupted to count the flash
 * operations of the whole action (the application's request writes included) and to record the
 * reference end states, then, for every cut point (operation index x fault model x parameter),
 * restores the starting flash, runs the action with the cut armed, powers on, lets the device
 * boot and act until it idles, and checks the invariants (invariants.h). Depth 2 also cuts
 * during the recovery that follows each first cut.
 *
 * Work is split into tasks (a depth-1 cut point, a depth-2 sample, or, for an exhaustive depth-2
 * sweep, a first cut with all its second cuts); results are kept in task order, so they do not
 * depend on the number of workers. --shard i/n keeps the tasks whose index is i-1 modulo n.
 * Every random choice derives from the sweep seed and the point, never from the run order.
 *
 * By default the prefix before each first cut is not replayed: the action runs once and forks,
 * at each first cut's operation, a process that takes the cut from that exact state (RAM and
 * call stack included) and runs the rest of the task; boots that write nothing are taken from
 * a table shared by those processes (sweep_memo.h). The outcomes are the replay path's
 * (sweep_opts.no_snapshots), byte for byte.
 */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep/invariants.h"
#include "sweep/scenario.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

/** Bit of a fault model in sweep_opts.faults. */
#define SWEEP_FAULT(m) (1u << (m))
/** Every cut model ("all"). */
#define SWEEP_FAULTS_ALL ((1u << VFLASH_CUT_MODEL_COUNT) - 1u)

/** The non-cut fault models, numbered after the cut models (docs/faults.md, "In sweeps"). */
enum sweep_nc_model {
    SWEEP_NC_ERRORS = VFLASH_CUT_MODEL_COUNT, /**< Program and erase errors (BO_EIO). */
    SWEEP_NC_DROP,                            /**< Programs that report success, land nothing. */
    SWEEP_NC_BITFLIP,                         /**< One bit flipped in reads of a region. */
    SWEEP_NC_WEAROUT,                         /**< A sector worn out after some erases. */
    SWEEP_MODEL_COUNT                         /**< Cut and non-cut models; not a model. */
};

/** Every non-cut fault model. */
#define SWEEP_FAULTS_NONCUT (((1u << SWEEP_MODEL_COUNT) - 1u) & ~SWEEP_FAULTS_ALL)

/** Parameters of the non-cut fault models (`--faults errors:rate=1/50,wearout:erases=3`). */
struct sweep_nc_params {
    uint32_t errors_rate;  /**< Later programs and erases fail with probability 1/N; 0: none. */
    uint32_t drop_rate;    /**< Later programs are dropped with probability 1/N; 0: none. */
    uint32_t bitflip_rate; /**< Each read of the region flips a bit with probability 1/N. */
    uint32_t erases;       /**< wearout: erases the sector survives from the fault on. */
};

/** A replay ID's longest length, terminator included. */
#define SWEEP_ID_MAX 512

/** Called before every flash operation (to inject known-bad behaviour in tests). */
typedef int (*sweep_inject_fn)(void *arg, struct vflash *dev, const struct vflash_op *op,
                               bool recovery);

/** Options of a sweep. */
/** Most --levels. */
#define SWEEP_LEVELS_MAX 16

struct sweep_opts {
    struct scenario_opts sc;   /**< Scenario, board, mode, image size. */
    uint32_t faults;           /**< SWEEP_FAULT() bits (cut and non-cut models). */
    struct sweep_nc_params nc; /**< Parameters of the non-cut models. */
    uint32_t depth;            /**< 1 or 2. */
    uint64_t random;           /**< 0: exhaustive; N: N seeded samples. */
    uint64_t seed;             /**< Seed of every random choice. */
    uint32_t jobs;             /**< Parallel workers (0 or 1: one). */
    bool no_snapshots;         /**< Replay every cut point from the starting flash on jobs
                                    threads instead of forking snapshots of one run. */
    bool no_cache;             /**< Run every boot, every run after a cut and every signature
                                    check instead of taking them from the shared tables of
                                    results already computed (the results are the same). */
    uint32_t shard_index;      /**< 1-based shard, with shard_count; 0/0 means 1/1. */
    uint32_t shard_count;
    uint32_t levels[SWEEP_LEVELS_MAX]; /**< --levels: erase-partial, torn-bits and weak get one
                                            point per level (permille, 1..999) per operation
                                            instead of one seeded draw. */
    uint32_t level_count;              /**< Levels given; 0: the seeded draw (default). */
    uint32_t prefix_max;               /**< torn-prefix: at most this many k per operation, evenly
                                    spread; 0: every unit boundary. */
    sweep_inject_fn inject;            /**< Optional; may return BO_EPOWER or an error like a hook.
                                    It must depend only on its arguments and configure only
                                    program and erase faults (results must not depend on the
                                    run order, and a boot that writes nothing is reused). */
    void *inject_arg;
    FILE *log; /**< Optional: the bootloader's log lines (INFO and above) of
                                    every boot, one per line; NULL drops them. */
    void (*progress)(void *arg, uint64_t done, uint64_t total); /**< Optional, main thread. */
    void *progress_arg;
};

/** One cut point. */
struct sweep_point {
    uint64_t op;    /**< Operation index of the action (all devices of the board). */
    uint8_t model;  /**< enum vflash_cut_model. */
    uint32_t param; /**< torn-prefix k, erase-partial permille or VFLASH_CUT_SEEDED, torn-bits
                         and weak level (0: the default draw). */
    uint64_t seed;  /**< The cut's seed. */
    int64_t op2;    /**< Depth 2: operation index of the recovery; -1: no second cut. */
    uint8_t model2;
    uint32_t param2;
    uint64_t seed2;
};

/** Status of a point. */
enum sweep_status {
    SWEEP_PASS = 0,
    SWEEP_FAIL = 1,
};

/** What one cut point gave. */
struct sweep_outcome {
    uint64_t task; /**< Task index in the unsharded sweep. */
    struct sweep_point pt;
    uint8_t status;        /**< enum sweep_status. */
    uint8_t invariant;     /**< enum invariant_id that failed, or INVARIANT_NONE. */
    uint8_t final_run;     /**< enum scenario_ident image 0 ran at the end (0 if unknown). */
    uint8_t applied;       /**< The model the flash applied to the first cut. */
    bool reached2;         /**< Depth 2: the second cut fired (false: the recovery was
                                  shorter). */
    char msg[200];         /**< Why it failed. */
    char id[SWEEP_ID_MAX]; /**< Replay ID. */
};

/** A sweep's results. */
struct sweep_result {
    char scenario[32];
    char board[600];
    char mode[32];
    char bootloader[16];   /**< "brownout" or "mcuboot". */
    char bl_identity[200]; /**< Upstream: the tree's identity and the variant; else "". */
    char assumption[128];  /**< The fault-model assumptions: "ecc-torn=X[ levels=A,B,...]". */
    uint32_t faults;
    uint32_t depth;
    uint64_t random;
    uint64_t seed;
    uint32_t image_opt;  /**< The --image-size option (0 default, max, N). */
    uint32_t image_size; /**< The signed size used. */
    bool downgrade_prevention;
    uint32_t prefix_max;
    struct sweep_nc_params nc; /**< The non-cut models' parameters (when faults has any). */
    uint64_t ops;              /**< Flash operations of the uninterrupted action. */
    uint64_t tasks_total;      /**< Tasks of the unsharded sweep. */
    uint32_t shard_index;
    uint32_t shard_count;
    struct sweep_outcome *out; /**< In task order. */
    size_t count;
    double wall_s;
    /* What the work cost, for benchmarks (not in the reports: they do not depend on it). Zero
     * on the replay path (--no-snapshots, non-cut models), which keeps no tables. */
    uint64_t boots;       /**< Boots the bootloader ran (the stable checks' included). */
    uint64_t boot_hits;   /**< Boots taken from the table instead. */
    uint64_t states;      /**< Runs from power-on after a cut that ran: the distinct flash
                               states they started from (and those with weak bits). */
    uint64_t state_hits;  /**< Such runs taken from the table instead. */
    uint64_t verifies;    /**< Signature verifications run. */
    uint64_t verify_hits; /**< Signature verifications taken from the table instead. */
};

/** \brief Fills o with defaults (all faults, depth 1, exhaustive, seed 1, one job, 1/1). */
void sweep_opts_init(struct sweep_opts *o);

/** \brief Initialises r. Cannot fail. */
void sweep_result_init(struct sweep_result *r);

/** \brief Frees r's outcomes. */
void sweep_result_free(struct sweep_result *r);

/**
 * \brief Runs a sweep. Sets up Mbed TLS's platform per worker thread; the caller's thread needs
 *        it set up too (for signing).
 * \param err  Receives a one-line reason when the sweep cannot run.
 * \return 0 (res filled, failures included), or a negative code: BO_EINVAL (options), a
 *         scenario set-up error, BO_ESTATE (the uninterrupted run itself fails; err says why).
 */
int sweep_run(const struct sweep_opts *o, struct sweep_result *res, char *err, size_t err_len);

/**
 * \brief Re-runs the cut point of a replay ID.
 * \param base   Options for what the ID does not say (root, key, inject); may be NULL.
 * \param id     The replay ID.
 * \param trace  When not NULL, the flash operation trace (JSON lines, with data) goes here.
 * \param out    The outcome.
 * \return 0 (out filled), BO_EINVAL (malformed ID), or a set-up error.
 */
int sweep_replay(const struct sweep_opts *base, const char *id, FILE *trace,
                 struct sweep_outcome *out, char *err, size_t err_len);

/**
 * \brief Encodes a replay ID: bo2:SCENARIO:MODE:BOARD:SIZE:DP:INPUTS:OP:MODEL:PARAM:SEED
 *        [:OP2:MODEL2:PARAM2:SEED2]:CHECK (docs/sweep.md), INPUTS being so->in.expect; a bo1 ID
 *        (no INPUTS) when so->in.expect is 0.
 * \return 0 or BO_ERANGE when buf is too small.
 */
int sweep_id_encode(const struct scenario_opts *so, const struct sweep_point *pt, char *buf,
                    size_t len);

/**
 * \brief Writes the fault-model assumptions of a sweep ("ecc-torn=X", then " levels=A,B" when
 *        --levels was given) into buf, for results.
 */
void sweep_assumption(const struct scenario_opts *so, const struct sweep_opts *o, char *buf,
                      size_t len);

/**
 * \brief Decodes a bo2 or bo1 replay ID into so (kind, mode, board, image size, policies,
 *        in.expect and in.id_user_images; board points into board_buf) and pt.
 * \return 0 or BO_EINVAL (malformed, or the check does not match).
 */
int sweep_id_decode(const char *id, struct scenario_opts *so, char *board_buf, size_t board_len,
                    struct sweep_point *pt);

/** \brief Parses "before,after,..." or "all" into SWEEP_FAULT bits. \return 0 or BO_EINVAL. */
int sweep_faults_parse(const char *s, uint32_t *faults);

/**
 * \brief Parses a fault list with the non-cut models and their parameters ("errors:rate=1/50",
 *        "drop", "bitflip:rate=1/4", "wearout:erases=3"); nc is reset to its defaults first.
 * \return 0 or BO_EINVAL.
 */
int sweep_faults_parse_nc(const char *s, uint32_t *faults, struct sweep_nc_params *nc);

/** \brief A sweep model's name: a cut model's, or "errors", "drop", "bitflip", "wearout". */
const char *sweep_model_name(uint8_t model);

/** \brief Parses a sweep model name. \return The model, or BO_EINVAL. */
int sweep_model_parse(const char *name);

/** \brief Fills nc with the defaults (no later errors or drops, every read flips, 0 erases). */
void sweep_nc_defaults(struct sweep_nc_params *nc);

/** \brief 64-bit mixing of a seed with values (splitmix64 steps). */
uint64_t sweep_mix(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

#endif /* SIM_SWEEP_H */
