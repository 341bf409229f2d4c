/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_int.h
 * \brief Internals shared by config.c (INI text) and config_args.c (command line).
 */
#ifndef SIM_CONFIG_INT_H
#define SIM_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/daemon_config.h"

/** The sections of brownoutd's INI file. */
enum config_section {
    CONFIG_SEC_NONE = 0,
    CONFIG_SEC_DAEMON,
    CONFIG_SEC_DEVICE,
};

/** The keys config.c applies: [daemon] and the boot side of [device] (its key table's ids). */
enum config_key {
    CONFIG_KEY_CONTROL = 0,
    CONFIG_KEY_MOUNT,
    CONFIG_KEY_FIRMWARE,
    CONFIG_KEY_FUSE_WRITE,
    CONFIG_KEY_DAEMON_SEED,
    CONFIG_KEY_MCUBOOT_SRC,
    CONFIG_KEY_BOARD,
    CONFIG_KEY_FLASH,
    CONFIG_KEY_IMAGE,
    CONFIG_KEY_KEY,
    CONFIG_KEY_MODE,
    CONFIG_KEY_IMAGES,
    CONFIG_KEY_MAX_SECTORS,
    CONFIG_KEY_POWER_ON,
    CONFIG_KEY_POWER_ON_DELAY,
    CONFIG_KEY_SEED,
    CONFIG_KEY_FLASH_ERASE,
    CONFIG_KEY_FLASH_IN_RAM,
    CONFIG_KEY_VALIDATE_PRIMARY,
    CONFIG_KEY_DOWNGRADE_PREVENTION,
    CONFIG_KEY_BOOTLOADER,
    CONFIG_KEY_COUNT
};

/** The network keys of a [device] section, which config_net.c applies (its key table's ids). */
enum config_net_key {
    CONFIG_NET_ADDRESS = 0,
    CONFIG_NET_PSK_IDENTITY,
    CONFIG_NET_PSK,
    CONFIG_NET_CERTIFICATE,
    CONFIG_NET_PRIVATE_KEY,
    CONFIG_NET_CA,
    CONFIG_NET_REQUIRE_CLIENT_CERT,
    CONFIG_NET_CONFIRM,
    CONFIG_NET_HEAP_BUDGET,
    CONFIG_NET_MAX_SESSIONS,
    CONFIG_NET_MAX_HANDSHAKES,
    CONFIG_NET_HANDSHAKE_DEADLINE,
    CONFIG_NET_IDLE_TIMEOUT,
    CONFIG_NET_DTLS_TIMEOUT_MIN,
    CONFIG_NET_DTLS_TIMEOUT_MAX,
    CONFIG_NET_LINK,
    CONFIG_NET_KEY_COUNT
};

/** One row of config.c's key table. */
struct config_key_def {
    const char *name;
    enum config_section section;
    enum config_key key;
    bool multi; /**< Given once per value (per slot, flash device or file), not once. */
};

/** \brief The row of config.c's table for name in section, or NULL. */
const struct config_key_def *config_key_find(enum config_section section, const char *name);

/** \brief The id of the network key called name, or BO_ENOENT. */
int config_net_key_find(const char *name);

/**
 * \brief Checks a device name: the board name rule, minus the names the FUSE view reserves.
 * \return 0, or BO_EINVAL with the reason in err.
 */
int config_device_name_check(const char *name, char *err, size_t err_len);

/**
 * \brief Which entry of dev a multi-valued key's value would replace: the image of the same
 *        slot, the file of the same flash device, the same key file.
 * \return The entry's index, or -1 when the value adds an entry (or will be refused).
 */
int config_dev_entry(const struct config_device *dev, enum config_key key, const char *value,
                     const char *dir);

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
