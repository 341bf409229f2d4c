/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_bundle.h
 * \brief `brownout sweep --bundle DIR`: everything a replay needs, in one directory, and the
 *        check of every output path before a sweep starts.
 *
 * A bundle holds copies of the inputs, byte for byte (so their hashes are the replay IDs'):
 *
 *     DIR/board.ini                    the board file
 *     DIR/key-1.pem ... DIR/key-N.pem  the trusted keys, in order (the first signs built-in
 *                                      images: a private key then)
 *     DIR/image-old.bin, image-new.bin the user's images (absent for built-in images)
 *     DIR/replay-ids.txt               the replay ID of every failure, one a line
 *
 * `brownout sweep --replay ID --bundle DIR` takes its inputs from DIR, from any directory.
 */
#ifndef SIM_SWEEP_BUNDLE_H
#define SIM_SWEEP_BUNDLE_H

#include <stddef.h>

#include "sweep/sweep.h"

/** Room for the paths of a loaded bundle. */
struct sweep_bundle_paths {
    char board[4096];
    char keys[SWEEP_INPUTS_KEYS_MAX][4096];
    char image_old[4096];
    char image_new[4096];
};

/**
 * \brief Checks, before any work, that a file can be written at path (without truncating
 *        one that exists; one created by the check is removed again).
 * \return 0, or BO_EOS with "PATH: reason" in err.
 */
int sweep_bundle_check_file(const char *path, char *err, size_t err_len);

/**
 * \brief Creates dir when missing and checks that files can be written in it.
 * \return 0, or BO_EOS with "DIR: reason" in err.
 */
int sweep_bundle_check_dir(const char *dir, char *err, size_t err_len);

/**
 * \brief Writes the bundle of a finished sweep: copies of its inputs as opts name them (board
 *        resolved as the sweep resolved it) and the failures' replay IDs.
 * \return 0, or BO_EOS / BO_ENOMEM with the reason in err.
 */
int sweep_bundle_write(const char *dir, const struct scenario_opts *opts,
                       const struct sweep_result *res, char *err, size_t err_len);

/**
 * \brief Points in (board_file, keys, images) at the files of the bundle in dir; paths is
 *        the storage, which must outlive in.
 * \return 0, or BO_ENOENT with the reason in err (no board file or key in dir).
 */
int sweep_bundle_load(const char *dir, struct sweep_bundle_paths *paths,
                      struct sweep_inputs_opts *in, char *err, size_t err_len);

#endif /* SIM_SWEEP_BUNDLE_H */
