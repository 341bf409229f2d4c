/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_bl_cli.h
 * \brief `brownout sweep --bootloader mcuboot [--mcuboot-src DIR]`: the program of an upstream
 *        MCUboot variant, found, built on demand and run (docs/mcuboot.md, "Sweeps").
 */
#ifndef SIM_SWEEP_BL_CLI_H
#define SIM_SWEEP_BL_CLI_H

#include "sweep/sweep.h"

/**
 * \brief Selects the bootloader of a sweep or replay (a replay ID names its own). In a program
 *        without an upstream variant, a sweep of upstream builds the brownout program linked
 *        with the scenario's variant (make MCUBOOT_SRC=DIR, from the source tree) and execs it
 *        with argv (argv[0] being "sweep").
 * \param o       The parsed options; o->sc.bootloader is set from a replay ID.
 * \param replay  The replay ID, or NULL.
 * \param src     --mcuboot-src, or NULL (then $MCUBOOT_SRC).
 * \return -1 to go on in this program, or an exit status (sysexits) after one line on stderr.
 */
int sweep_bl_cli(struct sweep_opts *o, const char *replay, const char *src, int argc, char **argv);

#endif /* SIM_SWEEP_BL_CLI_H */
