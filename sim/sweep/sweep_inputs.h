/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_inputs.h
 * \brief What a sweep runs on, named by content: the repository root (or the installed share
 *        directory), the trusted keys, the user's own signed images, a device of brownoutd's
 *        configuration, and the 64-bit inputs hash that a replay ID carries.
 *
 * The inputs hash packs three SHA-256 digests, truncated: the board file's bytes (top 24
 * bits), the trusted keys' public DER in order (20 bits), and the bytes of every image the
 * scenario starts from, old and new (low 20 bits). A replay computes it again from the inputs
 * it found and refuses, naming the part that differs, when it does not match the ID's.
 */
#ifndef SIM_SWEEP_INPUTS_H
#define SIM_SWEEP_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "image/keys.h"

/** Most trusted keys of a sweep (as many as a brownoutd device). */
#define SWEEP_INPUTS_KEYS_MAX 4u

/** The scenario options that name inputs (part of struct scenario_opts). */
struct sweep_inputs_opts {
    const char *keys[SWEEP_INPUTS_KEYS_MAX]; /**< Trusted keys (the first signs built-in
                                                  images); none: the default key. */
    uint32_t key_count;
    const char *image_old;  /**< The user's signed image in the primary at the start, or NULL
                                 for the built-in images. */
    const char *image_new;  /**< The user's signed image in the secondary (with image_old). */
    const char *board_file; /**< Replay: the board file to use instead of the ID's board name
                                 (--board or --bundle); NULL: resolve the name. */
    uint64_t expect;        /**< Replay: the ID's inputs hash; 0: none to check. Once set up,
                                 the scenario's own (what its IDs carry). */
    bool id_user_images;    /**< Decoded: the ID's images are the user's (SIZE "u"). */
};

/** One of the user's images as the scenario needs it. */
struct sweep_inputs_image {
    uint8_t *data; /**< The signed bytes, padded to 32 bytes with the erased value. */
    uint32_t len;  /**< Bytes written to flash. */
    uint32_t size; /**< The signed image's size (header + payload + TLVs). */
    struct image_version ver;
    uint8_t hash[32]; /**< Its SHA-256 image hash. */
};

/**
 * \brief Finds the directory that holds fixtures/boards: given (--root), then BROWNOUT_ROOT,
 *        then ../share/brownout next to the running binary, then up from the binary (a source
 *        tree's build/bin), then up from the working directory; "." when none does.
 */
void sweep_inputs_root(const char *given, char *out, size_t out_len);

/**
 * \brief The board file of a --board value: a path when it has a '/' or ends in ".ini", else
 *        root's fixtures/boards/NAME.ini.
 */
void sweep_inputs_board_path(const char *board, const char *root, char *out, size_t out_len);

/** \brief The default trusted (and signing) key under root. */
void sweep_inputs_default_key(const char *root, char *out, size_t out_len);

/**
 * \brief Loads the trusted keys: opts' keys, or root's fixtures/keys/ec256.pem.
 * \return 0, or a keys_load() error with "PATH: reason" in err.
 */
int sweep_inputs_keys(struct keys_table *t, const struct sweep_inputs_opts *opts, const char *root,
                      int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err,
                      size_t err_len);

/**
 * \brief Loads one of the user's images: it must validate with the trusted keys (SHA-256
 *        hash); bytes after the signed image (imgtool --pad) are ignored.
 * \param what  "--image-old" or "--image-new", for messages.
 * \return 0; BO_EOS (unreadable), BO_EINVAL (not a valid signed image; err says why), BO_ENOMEM.
 */
int sweep_inputs_image(const char *path, const char *what, const struct keys_table *t,
                       uint8_t erased_val, struct sweep_inputs_image *img, char *err,
                       size_t err_len);

/**
 * \brief The inputs hash of a board file, keys and n signed images (data[i] of size[i] bytes:
 *        old and new of each image, in order).
 * \return 0 with *hash set, or BO_EOS when the board file cannot be read.
 */
int sweep_inputs_hash(const char *board_path, const struct keys_table *t,
                      const uint8_t *const *data, const uint32_t *size, size_t n, uint64_t *hash);

/**
 * \brief Compares a replay's inputs hash with the ID's.
 * \return 0 when they match (or want is 0), else BO_ESTATE with the parts that differ in err.
 */
int sweep_inputs_check(uint64_t want, uint64_t got, const char *board_path, bool user_images,
                       char *err, size_t err_len);

/**
 * \brief Before a replay: the ID's images (in->id_user_images) and the images given agree.
 * \return 0, or BO_EINVAL with the reason (the user's images are missing, or were given for an
 *         ID of built-in images).
 */
int sweep_inputs_replay_check(const struct sweep_inputs_opts *in, char *err, size_t err_len);

#endif /* SIM_SWEEP_INPUTS_H */
