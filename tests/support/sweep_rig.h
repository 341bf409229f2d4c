/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test support: running a sweep in a cmocka test and reading its JSON report. The functions
 * assert with cmocka.
 */
#ifndef TESTS_SUPPORT_SWEEP_RIG_H
#define TESTS_SUPPORT_SWEEP_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sweep/sweep.h"
#include "vflash/vflash.h"

/**
 * \brief Options of a sweep of board, mode and kind with two jobs and at most prefix_max
 *        torn-prefix points per operation (the rest sweep_opts_init()'s defaults).
 */
void sweep_rig_opts(struct sweep_opts *o, const char *board, enum boot_mode mode,
                    enum scenario_kind kind, uint32_t prefix_max);

/**
 * Known-bad behaviour for sweep_opts.inject: after a power cut, every program that covers the
 * byte at off (the primary slot's trailer magic) is silently dropped, as if the bootloader
 * forgot to write it, so a resumed upgrade never marks the new image.
 */
struct sweep_rig_drop {
    uint32_t off; /**< Device offset of the primary slot's last 32 bytes. */
};

/** \brief The inject hook of struct sweep_rig_drop (arg). */
int sweep_rig_drop_magic(void *arg, struct vflash *dev, const struct vflash_op *op, bool recovery);

/**
 * \brief Runs the sweep o into r (initialised here; free it with sweep_result_free()); asserts
 *        that it ran and has points. \return Its failures.
 */
size_t sweep_rig_run(const struct sweep_opts *o, struct sweep_result *r);

/** \brief The JSON report of r, in a heap string the caller frees. */
char *sweep_rig_json(const struct sweep_result *r);

#endif /* TESTS_SUPPORT_SWEEP_RIG_H */
