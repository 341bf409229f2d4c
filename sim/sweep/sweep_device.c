/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sweep of one device of brownoutd's configuration (see sweep_device.h).
 */
#include "sweep/sweep_device.h"

#include <string.h>

#include "bo_err.h"
#include "config/config_start.h"
#include "sysflash/sysflash.h"
#include "util/errbuf.h"

/* The device named, or the file's only one. \return Its index, or BO_EINVAL with err set. */
static int sweep_device_find(const struct config *cfg, const char *name, char *err, size_t err_len)
{
    int i;

    if (name == NULL) {
        if (cfg->device_count == 1) {
            return 0;
        }
        return errbuf_fail(err, err_len, BO_EINVAL, "%s: %u devices: name one with --device",
                           cfg->file, (unsigned)cfg->device_count);
    }
    i = config_find_device(cfg, name);
    if (i < 0) {
        return errbuf_fail(err, err_len, BO_EINVAL, "%s: no device '%s'", cfg->file, name);
    }
    return i;
}

/* The device's images: primary is the old one, secondary the new one (unless given). */
static void sweep_device_images(const struct config_device *dev, struct scenario_opts *so)
{
    bool given = so->in.image_old != NULL || so->in.image_new != NULL;
    uint32_t i;

    for (i = 0; i < dev->image_count && !given; i++) {
        if (dev->images[i].area_id == FLASH_AREA_IMAGE_PRIMARY(0)) {
            so->in.image_old = dev->images[i].path;
        } else if (dev->images[i].area_id == FLASH_AREA_IMAGE_SECONDARY(0)) {
            so->in.image_new = dev->images[i].path;
        }
    }
}

int sweep_device_apply(struct config *cfg, const char *file, const char *name,
                       const struct sweep_device_given *given, struct scenario_opts *so, char *err,
                       size_t err_len)
{
    const struct config_device *dev;
    uint32_t i;
    int rc;

    config_init(cfg);
    rc = config_load_file(cfg, file, err, err_len);
    if (rc < 0) {
        return rc;
    }
    rc = sweep_device_find(cfg, name, err, err_len);
    if (rc < 0) {
        return rc;
    }
    dev = &cfg->devices[rc];
    if (config_start_check_device(cfg, dev, err, err_len) != 0) {
        return BO_EINVAL;
    }
    if (dev->boot_images == 2 && so->kind != SCENARIO_MULTI_IMAGE) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "%s:%d: device '%s' handles 2 images: sweep it with --scenario "
                           "multi-image",
                           cfg->file, dev->line, dev->name);
    }
    so->board = given->board ? so->board : dev->board;
    so->mode = given->mode ? so->mode : dev->mode;
    so->max_sectors = so->max_sectors != 0 ? so->max_sectors : dev->max_sectors;
    so->downgrade_prevention =
        given->downgrade ? so->downgrade_prevention : dev->downgrade_prevention;
    so->no_validate_primary = !dev->validate_primary;
    for (i = 0; i < dev->key_count && so->in.key_count == 0; i++) {
        so->in.keys[i] = dev->keys[i];
    }
    if (so->in.key_count == 0) {
        so->in.key_count = dev->key_count;
    }
    sweep_device_images(dev, so);
    return 0;
}
