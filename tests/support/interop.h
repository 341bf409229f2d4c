/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file interop.h
 * \brief Test support: find the repository root and the imgtool interop vectors, read files,
 *        and parse the vectors' manifest.tsv.
 *
 * The repository root is, in order: $BROWNOUT_ROOT; the directory __FILE__ of this file names
 * when the compiler was given an absolute path; the first directory, walking up from the
 * working directory and then from the test executable (/proc/self/exe), that holds
 * core/boot/image.h. The vectors are $BROWNOUT_SHARED/interop/imgtool when BROWNOUT_SHARED is
 * set, else ROOT/../shared/interop/imgtool.
 */
#ifndef TESTS_SUPPORT_INTEROP_H
#define TESTS_SUPPORT_INTEROP_H

#include <stddef.h>
#include <stdint.h>

#define INTEROP_MAX_VECTORS 64

struct keys_table;
struct port_rng;

/** One row of manifest.tsv. */
struct interop_vector {
    char file[128];  /**< Image file name, in the interop directory. */
    char key[64];    /**< Key to trust (keys/KEY.pub.pem), or "none". */
    char expect[64]; /**< "valid", "invalid" or "valid-if-unsigned-allowed". */
    char note[256];
};

/** \brief The repository root (no trailing slash), or NULL when it cannot be found. */
const char *interop_repo_root(void);

/** \brief The imgtool interop directory, or NULL when it does not exist. */
const char *interop_imgtool_dir(void);

/**
 * \brief Formats DIR/NAME into a static buffer (overwritten by the next call).
 */
const char *interop_path(const char *dir, const char *name);

/**
 * \brief Reads a whole file into a malloc'd buffer (free() it).
 * \return 0, or -1 when it cannot be read.
 */
int interop_read_file(const char *path, uint8_t **data, size_t *len);

/**
 * \brief Writes len bytes to path, replacing it. \return 0 or -1.
 */
int interop_write_file(const char *path, const void *data, size_t len);

/**
 * \brief Parses DIR/manifest.tsv of the imgtool vectors (header row skipped).
 * \return The number of rows (>= 0), or -1 when it cannot be read.
 */
int interop_manifest(struct interop_vector *rows, size_t max);

/**
 * \brief A fresh scratch directory for a test (mkdtemp under $TMPDIR or /tmp).
 * \return Its path in a static buffer, or NULL.
 */
const char *interop_tmpdir(void);

/**
 * \brief Loads the vectors' public keys (keys/ec256.pub.pem, keys/rsa2048.pub.pem) into keys,
 *        with rng set up from a seeded entropy source (free both with keys_table_free() and
 *        port_rng_free()).
 * \param who   The caller's name, for the error message printed on stderr.
 * \return 0, or -1 (vectors not found, or a key that does not load).
 */
int interop_keys_load(struct keys_table *keys, struct port_rng *rng, uint64_t seed,
                      const char *who);

#endif /* TESTS_SUPPORT_INTEROP_H */
