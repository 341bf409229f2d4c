/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_cli.h
 * \brief The `brownout` subcommands that talk to brownoutd through its control socket.
 *
 * `brownout status|devices|power-on|power-off|reset|confirm|power-cut|flash|image load|
 * image info DEV SLOT|events|wait|raw`. Options (after the subcommand): -s/--socket PATH,
 * -j/--json, -t/--timeout S, -h/--help. Exit status (sysexits.h): 0 ok, 1 the daemon answered
 * with an error, 64 usage, 66 an input file cannot be read, 69 the daemon cannot be reached (or
 * went away), 73 an output file cannot be written, 75 timeout, 76 the daemon sent garbage.
 */
#ifndef SIM_CLIENT_CLI_H
#define SIM_CLIENT_CLI_H

#include <stdio.h>

/**
 * \brief Runs the subcommand argv[0] ("status", "power-cut", "flash", ...).
 * \return The process exit status.
 */
int client_cli_main(int argc, char **argv);

/**
 * \brief `brownout image ...`: `load DEV SLOT FILE` and `info DEV SLOT` go to the daemon,
 *        everything else (keygen, sign, verify, getpub, `info FILE`) to the offline image tool.
 * \return The process exit status.
 */
int client_cli_image(int argc, char **argv);

/** \brief Prints the usage of the daemon subcommands to out. */
void client_cli_usage(FILE *out);

#endif /* SIM_CLIENT_CLI_H */
