/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_cli.h
 * \brief The `brownout` subcommands that talk to brownoutd through its control socket.
 *
 * `brownout status|devices|power-on|power-off|reset|confirm|power-cut|flash|image load|
 * image info DEV SLOT|image pending|image confirm|events|wait|raw`. Options: -s/--socket PATH,
 * -j/--json, -t/--timeout S (brownout also takes them before the command), -h/--help (the
 * command's own page, client_help.h). Exit status (util/bo_exit.h): 0 ok, 1 the daemon answered
 * with an error, 64 usage (the refused option is named), 66 an input file cannot be read, 69
 * the daemon cannot be reached (or went away), 73 an output file cannot be written, 75 timeout,
 * 76 the daemon sent garbage.
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
 * \brief `brownout image ...`: `load DEV SLOT FILE`, `info DEV SLOT`, `pending DEV KIND` and
 *        `confirm DEV` go to the daemon, everything else (keygen, sign, verify, getpub,
 *        `info FILE`) to the offline image tool; `image SUB --help` prints SUB's own page.
 * \return The process exit status.
 */
int client_cli_image(int argc, char **argv);

/** \brief Prints the usage of the daemon subcommands to out. */
void client_cli_usage(FILE *out);

#endif /* SIM_CLIENT_CLI_H */
