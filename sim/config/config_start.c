/* SPDX-License-Identifier: Apache-2.0 */
/* The start check of brownoutd's devices: board and mode, keys, image files. */
#include "config/config_start.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bo_err.h"
#include "board/board_derive.h"
#include "config/config_limits.h"
#include "config/config_mcuboot.h"
#include "image/keys.h"
#include "port_rng.h"

/* Writes "FILE:LINE: device 'NAME': reason" (or "device 'NAME': reason") into err. */
static void config_start_fmt(const struct config *cfg, const struct config_device *dev, char *err,
                             size_t err_len, const char *reason)
{
    if (dev->line > 0 && cfg->file[0] != '\0') {
        snprintf(err, err_len, "%s:%d: device '%s': %s", cfg->file, dev->line, dev->name, reason);
    } else {
        snprintf(err, err_len, "device '%s': %s", dev->name, reason);
    }
}

/* Whether path can be opened for reading; fills why otherwise. */
static int config_start_readable(const char *what, const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "rb");

    if (f == NULL) {
        snprintf(why, why_len, "%s %s: %s", what, path, strerror(errno));
        return EX_NOINPUT;
    }
    fclose(f);
    return 0;
}

/* Loads every trusted key once: unreadable is EX_NOINPUT, not a key is EX_DATAERR. */
static int config_start_keys(const struct config_device *dev, char *why, size_t why_len)
{
    struct port_rng rng;
    uint32_t i;
    int rc = 0;

    port_rng_init(&rng);
    for (i = 0; i < dev->key_count && rc == 0; i++) {
        struct keys_key k;
        char msg[CONFIG_ERR_MAX];

        rc = config_start_readable("key", dev->keys[i], why, why_len);
        if (rc != 0) {
            break;
        }
        if (i == 0 && port_rng_setup(&rng, "brownoutd-check") != 0) {
            snprintf(why, why_len, "cannot set up the RNG to check the keys");
            rc = EX_SOFTWARE;
            break;
        }
        keys_init(&k);
        if (keys_load(&k, dev->keys[i], port_rng_random, &rng, msg, sizeof(msg)) < 0) {
            snprintf(why, why_len, "key %.*s", (int)(sizeof(msg) - 8), msg);
            rc = EX_DATAERR;
        }
        keys_free(&k);
    }
    port_rng_free(&rng);
    return rc;
}

/* Checks the board against the device's mode and image count; adds the descriptors it needs. */
static int config_start_board(const struct config_device *dev, uint64_t *fds, char *why,
                              size_t why_len)
{
    struct board *board = malloc(sizeof(*board));
    struct boot_config bc;
    int rc;

    if (board == NULL) {
        snprintf(why, why_len, "out of memory");
        return EX_OSERR;
    }
    rc = board_load(board, dev->board, why, why_len);
    if (rc < 0) {
        rc = rc == BO_EINVAL ? EX_CONFIG : rc == BO_ENOMEM ? EX_OSERR : EX_NOINPUT;
        goto out;
    }
    boot_config_defaults(&bc);
    bc.mode = dev->mode;
    bc.image_count = dev->boot_images;
    *fds += config_limits_device_fds(board, dev);
    rc = board_derive_check(board, dev->max_sectors, &bc, NULL, why, why_len);
    if (rc < 0) {
        rc = rc == BO_ENOMEM ? EX_OSERR : EX_CONFIG;
    }
out:
    free(board);
    return rc;
}

/* The checks of one device that build nothing: board and mode, keys, image files. */
static int config_start_basic(const struct config *cfg, const struct config_device *dev,
                              uint64_t *fds, char *err, size_t err_len)
{
    char why[CONFIG_ERR_MAX];
    uint32_t i;
    int rc = config_start_board(dev, fds, why, sizeof(why));

    if (rc == 0) {
        rc = config_start_keys(dev, why, sizeof(why));
    }
    for (i = 0; i < dev->image_count && rc == 0; i++) {
        rc = config_start_readable("image", dev->images[i].path, why, sizeof(why));
    }
    if (rc != 0) {
        config_start_fmt(cfg, dev, err, err_len, why);
    }
    return rc;
}

/* A mcuboot device's variant of upstream MCUboot, built now rather than at its first boot. */
static int config_start_mcuboot(const struct config *cfg, const struct config_device *dev,
                                char *err, size_t err_len)
{
    struct config_mcuboot *m;
    int rc;

    if (dev->bootloader != BL_MCUBOOT) {
        return 0;
    }
    m = malloc(sizeof(*m));
    if (m == NULL) {
        config_start_fmt(cfg, dev, err, err_len, "out of memory");
        return EX_OSERR;
    }
    rc = config_mcuboot_prepare(cfg, dev, m, err, err_len);
    free(m);
    return rc;
}

int config_start_check_device(const struct config *cfg, const struct config_device *dev, char *err,
                              size_t err_len)
{
    uint64_t fds = 0;
    int rc = config_start_basic(cfg, dev, &fds, err, err_len);

    return rc != 0 ? rc : config_start_mcuboot(cfg, dev, err, err_len);
}

int config_start_check(const struct config *cfg, char *err, size_t err_len)
{
    uint64_t fds = 0;
    uint32_t i;
    int rc = 0;

    for (i = 0; i < cfg->device_count && rc == 0; i++) {
        rc = config_start_basic(cfg, &cfg->devices[i], &fds, err, err_len);
    }
    if (rc == 0) {
        /* One program per variant: its devices must agree on its key table before a build. */
        rc = config_mcuboot_check_shared(cfg, err, err_len);
    }
    for (i = 0; i < cfg->device_count && rc == 0; i++) {
        rc = config_start_mcuboot(cfg, &cfg->devices[i], err, err_len);
    }
    if (rc == 0) {
        /* Last: a fleet that cannot start whole is refused before any device starts. */
        rc = config_limits_check(cfg, fds, err, err_len);
    }
    return rc;
}
