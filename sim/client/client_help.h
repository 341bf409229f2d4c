/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_help.h
 * \brief The --help page of each `brownout` subcommand (its own usage, options and examples),
 *        and the options every daemon subcommand shares.
 */
#ifndef SIM_CLIENT_HELP_H
#define SIM_CLIENT_HELP_H

#include <stdbool.h>
#include <stdio.h>

/**
 * \brief Prints the help page of a subcommand.
 * \param cmd  The subcommand ("status", "power-cut") or, for `image`, "image SUB" ("image load",
 *             "image sign"); "image" alone prints the page of `brownout image`.
 * \return true when cmd has a page (printed), false otherwise (nothing printed).
 */
bool client_help_print(FILE *out, const char *cmd);

/** \brief Prints the options every daemon subcommand shares and the exit status table. */
void client_help_common(FILE *out);

#endif /* SIM_CLIENT_HELP_H */
