/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_int.h
 * \brief Internals shared by config.c (INI text) and config_args.c (command line).
 */
#ifndef SIM_CONFIG_INT_H
#define SIM_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config/daemon_config.h"

/** \brief Copies src into dst of size bytes, truncating; always terminated. */
void config_copy(char *dst, size_t size, const char *src);

/**
 * \brief Resolves path against dir (when path is relative and dir is not empty) into out.
 * \return 0; BO_EINVAL for an empty path; BO_ERANGE when out is too small.
 */
int config_path(char *out, size_t out_len, const char *dir, const char *path);

/**
 * \brief Splits "KEY=VALUE" at the first '='.
 * \return The value (key receives the left part), or NULL without '=' or with a bad key.
 */
const char *config_split(const char *s, char *key, size_t key_len);

/**
 * \brief Applies one key of a [device] section (relative paths against dir).
 * \return 0 or BO_EINVAL with the reason in err.
 */
int config_dev_set(struct config_device *dev, const char *key, const char *value, const char *dir,
                   char *err, size_t err_len);

/**
 * \brief Applies one key of the [daemon] section (relative paths against dir).
 * \return 0 or BO_EINVAL with the reason in err.
 */
int config_daemon_set(struct config *cfg, const char *key, const char *value, const char *dir,
                      char *err, size_t err_len);

#endif /* SIM_CONFIG_INT_H */
