/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_tool.h
 * \brief `brownout image SUBCOMMAND`: keygen, sign, verify, info, getpub.
 *
 * Exit status (util/bo_exit.h): 0 on success (for verify: the image is valid), 1 when verify
 * finds the image invalid, 64 for a usage error, 65 for bad data (not an image, a key that
 * cannot be used, an image that cannot be made), 66 for an input that cannot be read, 73 for
 * an output that cannot be created (keygen: the key file exists and --force is not given).
 * Every failure prints one line to stderr.
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
