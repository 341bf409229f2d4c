/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fileio.h
 * \brief Reading a whole file into memory, for the host programs (image tool, CLI, daemon).
 */
#ifndef SIM_FILEIO_H
#define SIM_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/**
 * \brief Reads the whole of path ("-" is standard input) into a malloc'd buffer.
 *
 * The buffer holds one more byte than *len, a NUL, so text can be parsed in place.
 * \param path    The file.
 * \param max     The largest size accepted, in bytes.
 * \param data    Receives the buffer (free() it); unchanged on error.
 * \param len     Receives the number of bytes read.
 * \param err     Receives a one-line reason on error ("PATH: reason"); may be NULL.
 * \param errlen  Room at err.
 * \return 0; BO_EOS (cannot open or read), BO_ERANGE (larger than max), BO_ENOMEM.
 */
int fileio_read_all(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                    size_t errlen);

#endif /* SIM_FILEIO_H */
