/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_scenarios.h
 * \brief Test support: the bootloader scenarios every upgrade mode must pass, over a matrix of
 *        boards x write units x erased values, and the power-cut sweep of one upgrade.
 *
 * Each scenario returns BS_PASS, BS_SKIP (the board's geometry does not allow the mode; the
 * reason goes to stdout) or BS_FAIL (what went wrong goes to stderr).
 */
#ifndef TESTS_SUPPORT_BOOT_SCENARIOS_H
#define TESTS_SUPPORT_BOOT_SCENARIOS_H

#include <stdint.h>

#include "boot/loader.h"
#include "vflash/vflash_fault.h"

enum bs_result {
    BS_PASS = 0,
    BS_SKIP = 1,
    BS_FAIL = -1,
};

enum bs_scenario {
    BS_PERM = 0,          /**< Permanent upgrade; the next boot changes nothing. */
    BS_TEST_REVERT,       /**< Test upgrade, no confirmation: reverted on the next boot. */
    BS_TEST_CONFIRM,      /**< Test upgrade confirmed by the application: kept. */
    BS_BAD_SIG,           /**< Secondary signed by an untrusted key: erased, primary kept. */
    BS_BAD_HASH,          /**< Secondary corrupted after signing: erased, primary kept. */
    BS_OVERSIZE,          /**< Secondary larger than the mode allows: erased, primary kept. */
    BS_DOWNGRADE,         /**< Lower version with downgrade prevention: erased, primary kept. */
    BS_DOWNGRADE_SEC_CNT, /**< Lower security counter with prevention: refused. */
    BS_LEFTOVER_TRAILER,  /**< Erased image with its trailer left: trailer erased, no swap. */
    BS_MULTI_MET,         /**< Two images, dependency met: both upgrade. */
    BS_MULTI_UNMET,       /**< Two images, dependency unmet: that upgrade is refused. */
    BS_MAX_SIZE,          /**< Largest image the mode allows: upgrades (and reverts). */
    BS_SCENARIO_COUNT
};

/** One board of the matrix: an INI template with the write unit, erased value and semantics. */
struct bs_board {
    const char *name;
    const char *ini;       /**< printf template: %u write unit, %s erased value, %s semantics. */
    const char *semantics; /**< "nor" or "ecc". */
    const uint32_t *write_units; /**< Zero-terminated. */
    uint32_t payload;            /**< Payload bytes of ordinary images. */
    int images;                  /**< Images the board has (1 or 2). */
};

/** \brief The matrix boards (NULL-terminated). */
const struct bs_board *const *bs_boards(void);

/** \brief Scenario name. */
const char *bs_scenario_name(enum bs_scenario sc);

/**
 * \brief Runs one scenario on one board variant.
 * \return BS_PASS, BS_SKIP or BS_FAIL.
 */
int bs_run(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val, enum boot_mode mode,
           enum bs_scenario sc);

/**
 * \brief Runs every scenario on every board variant for a mode; prints one line per failure.
 * \param passed  Receives the number of passed runs.
 * \param skipped Receives the number of skipped runs.
 * \return The number of failures.
 */
int bs_run_matrix(enum boot_mode mode, int *passed, int *skipped);

/**
 * \brief Power-cut sweep: cuts power before every flash operation of a permanent upgrade (and,
 *        when revert is set, of the revert after a test upgrade) of one board variant, boots
 *        again, and checks the result equals an uninterrupted run.
 * \param cuts  Receives the number of cut points tried.
 * \return The number of cut points that failed.
 */
int bs_power_sweep(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                   enum boot_mode mode, int revert, int *cuts);

/**
 * \brief Depth-2 power-cut sweep: for every cut point n of the upgrade (or revert), cuts again
 *        at every stride-th operation m of the recovery boot, then recovers and compares with
 *        an uninterrupted run.
 * \param stride  Try one (n, m) pair in stride (1: all).
 * \return The number of failed pairs (at most one counted per n).
 */
int bs_power_sweep2(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                    enum boot_mode mode, int revert, uint32_t stride, int *cuts);

/**
 * \brief One depth-2 pair: cut before operation n of the upgrade (or revert), then before
 *        operation m of the recovery, recover, and compare with an uninterrupted run.
 * \return BS_PASS, BS_SKIP or BS_FAIL.
 */
int bs_power_pair(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                  enum boot_mode mode, int revert, int64_t n, int64_t m);

/**
 * \brief One permanent upgrade on a board file of fixtures/boards (smoke test on real
 *        geometries).
 * \return BS_PASS, BS_SKIP (not compatible, reason printed) or BS_FAIL.
 */
int bs_board_file_upgrade(const char *name, enum boot_mode mode);

/** A shipped board that does not run a mode it claims yet, and why (the issue that fixes it). */
struct bs_known_failure {
    const char *board;  /**< Name of the board file, without ".ini"; NULL ends a list. */
    const char *reason; /**< Why it does not run, printed with the result. */
};

/**
 * \brief A permanent upgrade (bs_board_file_upgrade()) on every board file of fixtures/boards
 *        whose "; Modes:" header line claims mode. A claimed board that is skipped or fails is a
 *        failure, except the boards of known, which must be skipped: a listed board that runs
 *        (passes or fails), or that does not claim the mode, is a failure too, so the list
 *        cannot go stale. A board
 *        file without a Modes line is a failure. Each failure prints one FILE:LINE line on
 *        stderr.
 * \param known  Boards expected not to run the mode, ended by a NULL board (may be NULL).
 * \param boards Receives the number of board files that claim the mode.
 * \return The number of failures (at least 1 when no board file claims the mode).
 */
int bs_claimed_board_files(enum boot_mode mode, const struct bs_known_failure *known, int *boards);

/** \brief The matrix board called name, or NULL. */
const struct bs_board *bs_board_named(const char *name);

/**
 * \brief The seed of the cut at operation n in a fault sweep started from base (what a failure
 *        prints and bs_fault_case() takes).
 */
uint64_t bs_fault_seed(uint64_t base, uint64_t n);

/**
 * \brief One torn-write case of a permanent upgrade: power is cut at board-wide operation op of
 *        the upgrading boot with a vflash fault model and seed, then the device powers on and
 *        boots to completion. Checks: the recovery boot succeeds; it runs the old or the new
 *        image, byte-identical to the image it started as or to an uninterrupted upgrade;
 *        running the new one, the trailers are in the uninterrupted run's final state; one more
 *        boot changes no byte of flash.
 * \return BS_PASS, BS_SKIP (mode not possible, or op beyond the upgrade) or BS_FAIL (the case
 *         and what failed go to stderr).
 */
int bs_fault_case(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                  enum boot_mode mode, enum vflash_cut_model model, int64_t op, uint64_t seed);

/**
 * \brief bs_fault_case() at every operation of a permanent upgrade with one model, the cut at
 *        operation n seeded with bs_fault_seed(base_seed, n). Each failure prints a line
 *        "torn-write FAIL board=... wu=... ev=... mode=... model=... op=... seed=0x...".
 * \param payload  Payload bytes of the images (0: the board's), to size the sweep.
 * \param cuts     Receives the number of cut points tried.
 * \return The number of failed cut points (0 when the mode is not possible on the board).
 */
int bs_fault_sweep(const struct bs_board *b, uint32_t write_unit, uint8_t erased_val,
                   enum boot_mode mode, enum vflash_cut_model model, uint64_t base_seed,
                   uint32_t payload, int *cuts);

#endif /* TESTS_SUPPORT_BOOT_SCENARIOS_H */
