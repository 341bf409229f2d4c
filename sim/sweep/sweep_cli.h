/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_cli.h
 * \brief `brownout sweep`: power-fail sweeps from the command line (docs/sweep.md).
 */
#ifndef SIM_SWEEP_CLI_H
#define SIM_SWEEP_CLI_H

#include <stdio.h>

/**
 * \brief Runs `sweep` with argv[0] == "sweep".
 * \return Exit status: 0 no failures, 1 failures (or a replayed failure), else a sysexits.h code
 *         (the table of docs/sweep.md).
 */
int sweep_cli_main(int argc, char **argv);

/** \brief Prints the usage of `brownout sweep`. */
void sweep_cli_usage(FILE *out);

#endif /* SIM_SWEEP_CLI_H */
