/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_boards.h
 * \brief Random legal boards for the power-fail sweep (`brownout sweep --random-boards N`).
 *
 * A seeded generator writes board INI text (docs/boards.md) that the normal board parser reads:
 * one flash device with a uniform, one-sector-per-slot or mixed sector layout, a write unit of
 * 1..32 bytes, erased value 0xff or 0x00, nor, ecc or no-erase semantics, an optional page
 * size, an optional bootloader and scratch partition, and max-sectors where the slots have more
 * than 128 sectors (most of the time). The same seed and index always give the same text.
 *
 * The runner generates N boards; each mode the board's start check accepts
 * (board_derive_check(), the check brownoutd and the sweep run at start) is swept, each mode it
 * refuses is reported with the reason. A board that fails is kept as a file beside its replay
 * IDs, so that `brownout sweep --replay ID` finds it.
 */
#ifndef SIM_SWEEP_BOARDS_H
#define SIM_SWEEP_BOARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep/sweep.h"

/** Longest generated board text, terminator included. */
#define SWEEP_BOARDS_TEXT_MAX 2048
/** Distinct refusal reasons the summary counts (more are counted as "other"). */
#define SWEEP_BOARDS_REASONS_MAX 32

/** One refusal reason (numbers replaced by N) and how many board modes it refused. */
struct sweep_boards_reason {
    char text[160];
    uint32_t count;
};

/** What a random-board run gave. */
struct sweep_boards_summary {
    uint32_t boards;        /**< Boards generated. */
    uint32_t accepted;      /**< Boards that accepted at least one mode. */
    uint32_t refused;       /**< Boards refused in every mode asked for. */
    uint32_t modes_swept;   /**< (board, mode) pairs swept. */
    uint32_t modes_refused; /**< (board, mode) pairs refused. */
    uint64_t points;        /**< Cut points of every sweep. */
    uint64_t failures;      /**< Failed cut points. */
    struct sweep_boards_reason reasons[SWEEP_BOARDS_REASONS_MAX];
    uint32_t reason_count;
};

/** Options of a random-board run. */
struct sweep_boards_opts {
    uint32_t count;       /**< Boards to generate. */
    uint64_t seed;        /**< Generator seed (the sweeps use the base options' seed). */
    uint32_t modes;       /**< Bits (1u << enum boot_mode); 0: every mode. */
    const char *save_dir; /**< Every board file goes here; NULL: a temporary directory
                               where only boards that failed are kept. */
    bool json;            /**< Print JSON instead of the lines and the summary. */
};

/**
 * \brief Writes the INI text of random board number index of seed.
 * \param text      Receives the text (NUL-terminated).
 * \param len       Size of text (SWEEP_BOARDS_TEXT_MAX is enough).
 * \param name      Receives the board name ("rb-SEED-INDEX", at most 31 characters).
 * \param name_len  Size of name (BOARD_NAME_MAX).
 * \return 0, or BO_ERANGE when a buffer is too small.
 */
int sweep_boards_generate(uint64_t seed, uint32_t index, char *text, size_t len, char *name,
                          size_t name_len);

/**
 * \brief Generates bo->count boards and sweeps every mode each accepts with base's options
 *        (scenario, faults, depth, image size, jobs...; base->sc.board and mode are replaced).
 *        Prints a line per board and a summary (or JSON) to out.
 * \param sum  Receives the counts.
 * \param err  Receives a one-line reason when the run cannot go on.
 * \return 0 (sum filled, failures included), or a negative code (a board directory that
 *         cannot be written, a generated board that does not parse, memory).
 */
int sweep_boards_run(const struct sweep_opts *base, const struct sweep_boards_opts *bo, FILE *out,
                     struct sweep_boards_summary *sum, char *err, size_t err_len);

/**
 * \brief `brownout sweep --random-boards N`: parses N, runs and prints.
 * \param board_given  Whether --board, --config or --bundle was given too (an error).
 * \param mode_given   Whether --mode restricts the modes.
 * \return Exit status: 0 no failure, 1 failures, 2 usage or set-up.
 */
int sweep_boards_cli(const struct sweep_opts *base, const char *count, bool board_given,
                     bool mode_given, const char *save_dir, bool json);

#endif /* SIM_SWEEP_BOARDS_H */
