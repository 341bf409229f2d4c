/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test support: running a sweep in a cmocka test and reading its JSON report. The functions
 * assert with cmocka.
 */
#ifndef TESTS_SUPPORT_SWEEP_RIG_H
#define TESTS_SUPPORT_SWEEP_RIG_H

#include <stddef.h>

#include "sweep/sweep.h"

/**
 * \brief Runs the sweep o into r (initialised here; free it with sweep_result_free()); asserts
 *        that it ran and has points. \return Its failures.
 */
size_t sweep_rig_run(const struct sweep_opts *o, struct sweep_result *r);

/** \brief The JSON report of r, in a heap string the caller frees. */
char *sweep_rig_json(const struct sweep_result *r);

#endif /* TESTS_SUPPORT_SWEEP_RIG_H */
