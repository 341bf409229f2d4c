/* SPDX-License-Identifier: Apache-2.0 */
/* brownoutd's configuration: INI file, command-line overrides, checks and printing. */
#include "config/daemon_config.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board_derive.h"
#include "util/errbuf.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/num.h"
#include "config/config_int.h"

/* Copies a string into a fixed buffer, truncating (callers validate lengths first). */
void config_copy(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

void config_device_init(struct config_device *dev, const char *name)
{
    struct boot_config boot;

    memset(dev, 0, sizeof(*dev));
    config_copy(dev->name, sizeof(dev->name), name != NULL ? name : "dev0");
    /* The bootloader's own defaults (core/boot/loader.h). */
    boot_config_defaults(&boot);
    dev->mode = boot.mode;
    dev->boot_images = boot.image_count;
    dev->validate_primary = boot.validate_primary;
    dev->auto_power_on = true;
    dev->seed = 1;
    config_net_init(&dev->net);
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->control, sizeof(cfg->control), "brownout.sock");
    cfg->seed = 1;
}

void config_free(struct config *cfg)
{
    free(cfg->devices);
    cfg->devices = NULL;
    cfg->device_count = 0;
    cfg->device_cap = 0;
}

struct config_device *config_add_device(struct config *cfg, const char *name)
{
    struct config_device *dev;
    void *arr = cfg->devices;
    int rc = grow_one(&arr, &cfg->device_cap, cfg->device_count, sizeof(*cfg->devices), 8);

    cfg->devices = arr;
    if (rc < 0) {
        return NULL;
    }
    dev = &cfg->devices[cfg->device_count++];
    config_device_init(dev, name);
    dev->seed = cfg->seed;
    return dev;
}

int config_clone(struct config *dst, const struct config *src)
{
    *dst = *src;
    dst->devices = NULL;
    dst->device_cap = 0;
    if (src->device_count == 0) {
        return 0;
    }
    dst->devices = calloc(src->device_count, sizeof(*dst->devices));
    if (dst->devices == NULL) {
        dst->device_count = 0;
        return BO_ENOMEM;
    }
    memcpy(dst->devices, src->devices, src->device_count * sizeof(*dst->devices));
    dst->device_cap = src->device_count;
    return 0;
}

int config_find_device(const struct config *cfg, const char *name)
{
    uint32_t i;

    for (i = 0; i < cfg->device_count; i++) {
        if (strcmp(cfg->devices[i].name, name) == 0) {
            return (int)i;
        }
    }
    return BO_ENOENT;
}

int config_device_name_check(const char *name, char *err, size_t err_len)
{
    if (!board_valid_name(name)) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "bad device name '%s' (1 to 31 of A-Z a-z 0-9 . _ -)", name);
    }
    /* The FUSE view lists devices as directories, where . and .. are taken. */
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "bad device name '%s' (reserved: the FUSE view's . and ..)", name);
    }
    return 0;
}

static const struct {
    const char *name;
    int id;
} config_slots[] = {
    { "primary", FLASH_AREA_IMAGE_PRIMARY(0) },   { "secondary", FLASH_AREA_IMAGE_SECONDARY(0) },
    { "0-primary", FLASH_AREA_IMAGE_PRIMARY(0) }, { "0-secondary", FLASH_AREA_IMAGE_SECONDARY(0) },
    { "1-primary", FLASH_AREA_IMAGE_PRIMARY(1) }, { "1-secondary", FLASH_AREA_IMAGE_SECONDARY(1) },
    { "scratch", FLASH_AREA_IMAGE_SCRATCH },
};

int config_slot_parse(const char *name)
{
    size_t i;

    if (name == NULL) {
        return BO_EINVAL;
    }
    if (strncmp(name, "image-", 6) == 0) {
        name += 6;
    }
    for (i = 0; i < sizeof(config_slots) / sizeof(config_slots[0]); i++) {
        if (strcmp(name, config_slots[i].name) == 0) {
            return config_slots[i].id;
        }
    }
    return BO_EINVAL;
}

const char *config_slot_name(int area_id)
{
    size_t i;

    for (i = 2; i < sizeof(config_slots) / sizeof(config_slots[0]); i++) {
        if (config_slots[i].id == area_id) {
            return config_slots[i].name;
        }
    }
    return NULL;
}

int config_mode_parse(const char *name)
{
    static const struct {
        const char *name;
        enum boot_mode mode;
    } alias[] = {
        { "overwrite-only", BOOT_MODE_OVERWRITE },
        { "scratch", BOOT_MODE_SWAP_SCRATCH },
        { "move", BOOT_MODE_SWAP_MOVE },
        { "offset", BOOT_MODE_SWAP_OFFSET },
    };
    int m;
    size_t i;

    if (name == NULL) {
        return BO_EINVAL;
    }
    for (m = BOOT_MODE_OVERWRITE; m <= BOOT_MODE_SWAP_OFFSET; m++) {
        if (strcmp(name, boot_mode_name((enum boot_mode)m)) == 0) {
            return m;
        }
    }
    for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
        if (strcmp(name, alias[i].name) == 0) {
            return (int)alias[i].mode;
        }
    }
    return BO_EINVAL;
}

/* Parses a boolean: true/false, yes/no, on/off, 1/0. Returns 0/1 or BO_EINVAL. */
static int config_bool(const char *s)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0 ||
        strcmp(s, "1") == 0) {
        return 1;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0 ||
        strcmp(s, "0") == 0) {
        return 0;
    }
    return BO_EINVAL;
}

/* Resolves path against dir (when relative and dir is not empty) into out. */
int config_path(char *out, size_t out_len, const char *dir, const char *path)
{
    int n;

    if (path[0] == '\0') {
        return BO_EINVAL;
    }
    if (path[0] == '/' || dir == NULL || dir[0] == '\0') {
        n = snprintf(out, out_len, "%s", path);
    } else {
        n = snprintf(out, out_len, "%s/%s", dir, path);
    }
    return n < 0 || (size_t)n >= out_len ? BO_ERANGE : 0;
}

/* Splits "KEY=VALUE" at the first '='; returns the value or NULL. key gets the left part. */
const char *config_split(const char *s, char *key, size_t key_len)
{
    const char *eq = strchr(s, '=');
    size_t n;

    if (eq == NULL) {
        return NULL;
    }
    n = (size_t)(eq - s);
    if (n == 0 || n >= key_len) {
        return NULL;
    }
    memcpy(key, s, n);
    key[n] = '\0';
    return eq + 1;
}

/* Adds or replaces the backing file of a flash device ("" = the board's first). */
static int config_dev_flash(struct config_device *dev, const char *flash, const char *dir,
                            const char *path, char *err, size_t err_len)
{
    uint32_t i;
    struct config_flash *f = NULL;

    for (i = 0; i < dev->flash_count; i++) {
        if (strcmp(dev->flash[i].name, flash) == 0) {
            f = &dev->flash[i];
        }
    }
    if (f == NULL) {
        if (dev->flash_count >= BOARD_MAX_DEVICES) {
            errbuf_set(err, err_len, "more than %u flash files", (unsigned)BOARD_MAX_DEVICES);
            return BO_EINVAL;
        }
        f = &dev->flash[dev->flash_count++];
        config_copy(f->name, sizeof(f->name), flash);
    }
    if (config_path(f->path, sizeof(f->path), dir, path) < 0) {
        errbuf_set(err, err_len, "bad flash file path '%s'", path);
        return BO_EINVAL;
    }
    return 0;
}

/* Adds or replaces the image of a slot from "SLOT=PATH". */
static int config_dev_image(struct config_device *dev, const char *value, const char *dir,
                            char *err, size_t err_len)
{
    char slot[32];
    const char *path = config_split(value, slot, sizeof(slot));
    int id;
    uint32_t i;
    struct config_image *im = NULL;

    if (path == NULL || (id = config_slot_parse(slot)) < 0 || id == FLASH_AREA_IMAGE_SCRATCH) {
        errbuf_set(err, err_len,
                   "image '%s': expected SLOT=FILE with SLOT primary, secondary, "
                   "1-primary or 1-secondary",
                   value);
        return BO_EINVAL;
    }
    for (i = 0; i < dev->image_count; i++) {
        if (dev->images[i].area_id == id) {
            im = &dev->images[i];
        }
    }
    if (im == NULL) {
        if (dev->image_count >= CONFIG_MAX_IMAGES) {
            errbuf_set(err, err_len, "more than %u images", (unsigned)CONFIG_MAX_IMAGES);
            return BO_EINVAL;
        }
        im = &dev->images[dev->image_count++];
    }
    im->area_id = id;
    if (config_path(im->path, sizeof(im->path), dir, path) < 0) {
        errbuf_set(err, err_len, "bad image path '%s'", path);
        return BO_EINVAL;
    }
    return 0;
}

static int config_dev_key(struct config_device *dev, const char *value, const char *dir, char *err,
                          size_t err_len)
{
    uint32_t i;
    char path[CONFIG_PATH_MAX];

    if (config_path(path, sizeof(path), dir, value) < 0) {
        errbuf_set(err, err_len, "bad key path '%s'", value);
        return BO_EINVAL;
    }
    for (i = 0; i < dev->key_count; i++) {
        if (strcmp(dev->keys[i], path) == 0) {
            return 0;
        }
    }
    if (dev->key_count >= CONFIG_MAX_KEYS) {
        errbuf_set(err, err_len, "more than %u keys", (unsigned)CONFIG_MAX_KEYS);
        return BO_EINVAL;
    }
    memcpy(dev->keys[dev->key_count++], path, sizeof(path));
    return 0;
}

/* The keys of brownoutd's INI file, in the style of the board reader's table. */
static const struct config_key_def config_keys[] = {
    { "control", CONFIG_SEC_DAEMON, CONFIG_KEY_CONTROL, false },
    { "mount", CONFIG_SEC_DAEMON, CONFIG_KEY_MOUNT, false },
    { "firmware", CONFIG_SEC_DAEMON, CONFIG_KEY_FIRMWARE, false },
    { "fuse-write", CONFIG_SEC_DAEMON, CONFIG_KEY_FUSE_WRITE, false },
    { "seed", CONFIG_SEC_DAEMON, CONFIG_KEY_DAEMON_SEED, false },
    { "mcuboot-src", CONFIG_SEC_DAEMON, CONFIG_KEY_MCUBOOT_SRC, false },
    { "board", CONFIG_SEC_DEVICE, CONFIG_KEY_BOARD, false },
    { "flash", CONFIG_SEC_DEVICE, CONFIG_KEY_FLASH, true },
    { "image", CONFIG_SEC_DEVICE, CONFIG_KEY_IMAGE, true },
    { "key", CONFIG_SEC_DEVICE, CONFIG_KEY_KEY, true },
    { "mode", CONFIG_SEC_DEVICE, CONFIG_KEY_MODE, false },
    { "images", CONFIG_SEC_DEVICE, CONFIG_KEY_IMAGES, false },
    { "max-sectors", CONFIG_SEC_DEVICE, CONFIG_KEY_MAX_SECTORS, false },
    { "power-on", CONFIG_SEC_DEVICE, CONFIG_KEY_POWER_ON, false },
    { "power-on-delay-ms", CONFIG_SEC_DEVICE, CONFIG_KEY_POWER_ON_DELAY, false },
    { "seed", CONFIG_SEC_DEVICE, CONFIG_KEY_SEED, false },
    { "flash-erase", CONFIG_SEC_DEVICE, CONFIG_KEY_FLASH_ERASE, false },
    { "flash-in-ram", CONFIG_SEC_DEVICE, CONFIG_KEY_FLASH_IN_RAM, false },
    { "validate-primary", CONFIG_SEC_DEVICE, CONFIG_KEY_VALIDATE_PRIMARY, false },
    { "downgrade-prevention", CONFIG_SEC_DEVICE, CONFIG_KEY_DOWNGRADE_PREVENTION, false },
    { "bootloader", CONFIG_SEC_DEVICE, CONFIG_KEY_BOOTLOADER, false },
};

const struct config_key_def *config_key_find(enum config_section section, const char *name)
{
    for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
        if (config_keys[i].section == section && strcmp(config_keys[i].name, name) == 0) {
            return &config_keys[i];
        }
    }
    return NULL;
}

int config_dev_entry(const struct config_device *dev, enum config_key key, const char *value,
                     const char *dir)
{
    char name[CONFIG_PATH_MAX];
    /* The split config_dev_files() makes: a left part too long for a flash name is no name. */
    const char *rest = config_split(value, name, BOARD_NAME_MAX);
    int id;

    if (key == CONFIG_KEY_FLASH) {
        for (uint32_t i = 0; i < dev->flash_count; i++) {
            if (strcmp(dev->flash[i].name, rest != NULL ? name : "") == 0) {
                return (int)i;
            }
        }
    } else if (key == CONFIG_KEY_IMAGE) {
        id = rest != NULL ? config_slot_parse(name) : BO_EINVAL;
        for (uint32_t i = 0; id >= 0 && i < dev->image_count; i++) {
            if (dev->images[i].area_id == id) {
                return (int)i;
            }
        }
    } else if (key == CONFIG_KEY_KEY && config_path(name, sizeof(name), dir, value) == 0) {
        for (uint32_t i = 0; i < dev->key_count; i++) {
            if (strcmp(dev->keys[i], name) == 0) {
                return (int)i;
            }
        }
    }
    return -1;
}

/* Applies a device key that names files: board, flash, image, key. */
static int config_dev_files(struct config_device *dev, enum config_key key, const char *value,
                            const char *dir, char *err, size_t err_len)
{
    char name[BOARD_NAME_MAX];
    const char *path;

    switch (key) {
    case CONFIG_KEY_BOARD:
        if (config_path(dev->board, sizeof(dev->board), dir, value) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "bad board path '%s'", value);
        }
        return 0;
    case CONFIG_KEY_FLASH:
        path = config_split(value, name, sizeof(name));
        if (path == NULL) {
            return config_dev_flash(dev, "", dir, value, err, err_len);
        }
        if (!board_valid_name(name)) {
            return errbuf_fail(err, err_len, BO_EINVAL, "flash '%s': bad flash device name '%s'",
                               value, name);
        }
        return config_dev_flash(dev, name, dir, path, err, err_len);
    case CONFIG_KEY_IMAGE:
        return config_dev_image(dev, value, dir, err, err_len);
    default:
        return config_dev_key(dev, value, dir, err, err_len);
    }
}

/* Applies a device key of the boot: mode, images, power-on, power-on-delay-ms, seed. */
static int config_dev_boot(struct config_device *dev, enum config_key key, const char *value,
                           char *err, size_t err_len)
{
    uint64_t v;
    int m;

    switch (key) {
    case CONFIG_KEY_MODE:
        m = config_mode_parse(value);
        if (m < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "unknown mode '%s' (overwrite, swap-scratch, swap-move, "
                               "swap-offset)",
                               value);
        }
        dev->mode = (enum boot_mode)m;
        return 0;
    case CONFIG_KEY_IMAGES:
        if (num_parse_u64(value, 0, 2, &v) < 0 || v == 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "images must be 1 or 2, not '%s'", value);
        }
        dev->boot_images = (uint32_t)v;
        return 0;
    case CONFIG_KEY_MAX_SECTORS:
        if (board_derive_parse_max_sectors(value, &dev->max_sectors) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "max-sectors must be 1..%u, not '%s'",
                               (unsigned)BOARD_DERIVE_MAX_SECTORS, value);
        }
        return 0;
    case CONFIG_KEY_POWER_ON:
        if (strcmp(value, "auto") != 0 && strcmp(value, "manual") != 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "power-on must be auto or manual, not '%s'",
                               value);
        }
        dev->auto_power_on = strcmp(value, "auto") == 0;
        return 0;
    case CONFIG_KEY_POWER_ON_DELAY:
        if (num_parse_u64(value, 0, 3600000u, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "power-on-delay-ms must be 0..3600000, not '%s'", value);
        }
        dev->power_on_delay_ms = (uint32_t)v;
        return 0;
    default:
        if (num_parse_u64(value, 0, UINT64_MAX, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "seed must be an unsigned number, not '%s'",
                               value);
        }
        dev->seed = v;
        return 0;
    }
}

/* Applies a boolean device key: flash-erase, flash-in-ram, validate-primary, downgrade-... */
static int config_dev_flag(struct config_device *dev, const struct config_key_def *def,
                           const char *value, char *err, size_t err_len)
{
    int b = config_bool(value);

    if (b < 0) {
        return errbuf_fail(err, err_len, BO_EINVAL, "%s must be true or false, not '%s'", def->name,
                           value);
    }
    switch (def->key) {
    case CONFIG_KEY_FLASH_ERASE:
        dev->flash_erase = b != 0;
        break;
    case CONFIG_KEY_FLASH_IN_RAM:
        dev->flash_in_ram = b != 0;
        break;
    case CONFIG_KEY_VALIDATE_PRIMARY:
        dev->validate_primary = b != 0;
        break;
    default:
        dev->downgrade_prevention = b != 0;
        break;
    }
    return 0;
}

/* Applies one device key; shared by the INI reader and the command line. */
int config_dev_set(struct config_device *dev, const char *key, const char *value, const char *dir,
                   char *err, size_t err_len)
{
    const struct config_key_def *def = config_key_find(CONFIG_SEC_DEVICE, key);
    int rc;

    if (def == NULL) {
        rc = config_net_set(&dev->net, key, value, dir, err, err_len);
        if (rc != BO_ENOENT) {
            return rc;
        }
        return errbuf_fail(err, err_len, BO_EINVAL, "unknown key '%s' in a [device] section", key);
    }
    switch (def->key) {
    case CONFIG_KEY_BOARD:
    case CONFIG_KEY_FLASH:
    case CONFIG_KEY_IMAGE:
    case CONFIG_KEY_KEY:
        return config_dev_files(dev, def->key, value, dir, err, err_len);
    case CONFIG_KEY_MODE:
    case CONFIG_KEY_IMAGES:
    case CONFIG_KEY_MAX_SECTORS:
    case CONFIG_KEY_POWER_ON:
    case CONFIG_KEY_POWER_ON_DELAY:
    case CONFIG_KEY_SEED:
        return config_dev_boot(dev, def->key, value, err, err_len);
    case CONFIG_KEY_BOOTLOADER:
        if (bl_parse(value, &dev->bootloader) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "bootloader must be brownout or mcuboot, not '%s'", value);
        }
        return 0;
    default:
        return config_dev_flag(dev, def, value, err, err_len);
    }
}

/* Applies one [daemon] key. */
int config_daemon_set(struct config *cfg, const char *key, const char *value, const char *dir,
                      char *err, size_t err_len)
{
    const struct config_key_def *def = config_key_find(CONFIG_SEC_DAEMON, key);
    uint64_t v;

    switch (def != NULL ? def->key : CONFIG_KEY_COUNT) {
    case CONFIG_KEY_CONTROL:
        if (config_path(cfg->control, sizeof(cfg->control), dir, value) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "bad control socket path '%s'", value);
        }
        return 0;
    case CONFIG_KEY_MOUNT:
        if (value[0] == '\0') {
            cfg->mount[0] = '\0';
            return 0;
        }
        if (config_path(cfg->mount, sizeof(cfg->mount), dir, value) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "bad mount path '%s'", value);
        }
        return 0;
    case CONFIG_KEY_FIRMWARE:
        if (config_path(cfg->firmware, sizeof(cfg->firmware), dir, value) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "bad firmware path '%s'", value);
        }
        return 0;
    case CONFIG_KEY_FUSE_WRITE:
        if (strcmp(value, "nor") != 0 && strcmp(value, "programmer") != 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "fuse-write must be programmer or nor, not '%s'", value);
        }
        cfg->fuse_nor = strcmp(value, "nor") == 0;
        return 0;
    case CONFIG_KEY_DAEMON_SEED:
        if (num_parse_u64(value, 0, UINT64_MAX, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "seed must be an unsigned number, not '%s'",
                               value);
        }
        cfg->seed = v;
        return 0;
    case CONFIG_KEY_MCUBOOT_SRC:
        if (config_path(cfg->mcuboot_src, sizeof(cfg->mcuboot_src), dir, value) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "bad mcuboot-src path '%s'", value);
        }
        return 0;
    default:
        return errbuf_fail(err, err_len, BO_EINVAL, "unknown key '%s' in the [daemon] section",
                           key);
    }
}

int config_check(const struct config *cfg, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_MAX];
    uint32_t i;

    if (cfg->control[0] == '\0') {
        errbuf_set(err, err_len, "no control socket path");
        return BO_EINVAL;
    }
    for (i = 0; i < cfg->device_count; i++) {
        const struct config_device *d = &cfg->devices[i];

        if (d->board[0] == '\0') {
            if (d->line > 0) {
                board_format_error(err, err_len, cfg->file, d->line, "device '%s' has no board",
                                   d->name);
            } else {
                errbuf_set(err, err_len, "device '%s' has no board (use --board FILE)", d->name);
            }
            return BO_EINVAL;
        }
        if (!d->flash_in_ram && d->flash_count == 0) {
            if (d->line > 0) {
                board_format_error(err, err_len, cfg->file, d->line,
                                   "device '%s' has no flash file (flash = FILE, or "
                                   "flash-in-ram = true)",
                                   d->name);
            } else {
                errbuf_set(err, err_len,
                           "device '%s' has no flash file (use --flash FILE or "
                           "--flash-in-ram)",
                           d->name);
            }
            return BO_EINVAL;
        }
        if (config_net_check(&d->net, msg, sizeof(msg)) < 0) {
            if (d->line > 0) {
                board_format_error(err, err_len, cfg->file, d->line, "device '%s': %s", d->name,
                                   msg);
            } else {
                errbuf_set(err, err_len, "device '%s': %s", d->name, msg);
            }
            return BO_EINVAL;
        }
    }
    return 0;
}
