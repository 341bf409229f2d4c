/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file argv_build.h
 * \brief The one way sim/ builds a command line for exec: printf-formatted arguments, each
 *        allocated to its length, in an array that grows and always ends in NULL.
 *
 * Errors are sticky: a caller adds every argument and checks once, with argv_build_argv().
 */
#ifndef SIM_ARGV_BUILD_H
#define SIM_ARGV_BUILD_H

#include <stdint.h>

/** A command line being built. */
struct argv_build {
    char **argv;   /**< The arguments and a NULL after them (NULL while empty). */
    uint32_t argc; /**< Arguments added. */
    uint32_t cap;  /**< Room in argv, in pointers. */
    int rc;        /**< The first error (BO_ENOMEM), or 0. */
};

/** \brief Initialises an empty command line. Cannot fail. */
void argv_build_init(struct argv_build *b);

/**
 * \brief Appends one argument, formatted as by printf (any length).
 * \return 0, or BO_ENOMEM (then kept in b->rc and nothing is appended, now or later).
 */
int argv_build_add(struct argv_build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * \brief The NULL-terminated argument array, owned by b (valid until the next add or free).
 * \return The array (an empty line gives an array holding only NULL), or NULL when an add
 *         failed or memory is short.
 */
char **argv_build_argv(struct argv_build *b);

/** \brief Frees the arguments and the array; b is empty again. Safe after init. */
void argv_build_free(struct argv_build *b);

#endif /* SIM_ARGV_BUILD_H */
