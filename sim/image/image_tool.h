/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_tool.h
 * \brief `brownout image SUBCOMMAND`: keygen, sign, verify, info, getpub.
 *
 * Exit status: 0 on success (for verify: the image is valid), 1 when the operation fails (an
 * invalid image, an unreadable file), 2 for a usage error. Every failure prints one line to
 * stderr.
 */
#ifndef SIM_IMAGE_TOOL_H
#define SIM_IMAGE_TOOL_H

#include <stdio.h>

/**
 * \brief Runs `image` with argv[0] == "image" (or any name) and argv[1] the subcommand.
 * \return The process exit status.
 */
int image_tool_main(int argc, char **argv);

/** \brief Prints the usage of `brownout image` to out. */
void image_tool_usage(FILE *out);

#endif /* SIM_IMAGE_TOOL_H */
