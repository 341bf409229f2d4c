/* SPDX-License-Identifier: Apache-2.0 */
/* brownoutd's configuration: INI file, command-line overrides, checks and printing. */
#include "config/daemon_config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "util/fileio.h"
#include "config/config_int.h"

/* The state of one INI parse. */
struct config_parser {
    struct config *cfg;
    const char *name;
    const char *text;
    size_t len;
    size_t pos;
    int line;
    int err_line;
    char *err;
    size_t err_len;
    char dir[CONFIG_PATH_MAX]; /* Directory of the file, for relative paths; "" for cwd. */
    int section;               /* 0 none, 1 daemon, 2 device, -1 unknown. */
    struct config_device *dev;
};

void config_fmt(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err_len == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static int config_fail(struct config_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int config_fail(struct config_parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->err_line != 0) {
        return 0;
    }
    p->err_line = p->line > 0 ? p->line : 1;
    va_start(ap, fmt);
    board_vformat_error(p->err, p->err_len, p->name, p->err_line, fmt, ap);
    va_end(ap);
    return 0;
}

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

/* Parses an unsigned decimal or 0x number up to max. */
int config_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-' || *s == '+') {
        return BO_EINVAL;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || v > max) {
        return BO_EINVAL;
    }
    *out = v;
    return 0;
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
            config_fmt(err, err_len, "more than %u flash files", (unsigned)BOARD_MAX_DEVICES);
            return BO_EINVAL;
        }
        f = &dev->flash[dev->flash_count++];
        config_copy(f->name, sizeof(f->name), flash);
    }
    if (config_path(f->path, sizeof(f->path), dir, path) < 0) {
        config_fmt(err, err_len, "bad flash file path '%s'", path);
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
        config_fmt(err, err_len,
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
            config_fmt(err, err_len, "more than %u images", (unsigned)CONFIG_MAX_IMAGES);
            return BO_EINVAL;
        }
        im = &dev->images[dev->image_count++];
    }
    im->area_id = id;
    if (config_path(im->path, sizeof(im->path), dir, path) < 0) {
        config_fmt(err, err_len, "bad image path '%s'", path);
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
        config_fmt(err, err_len, "bad key path '%s'", value);
        return BO_EINVAL;
    }
    for (i = 0; i < dev->key_count; i++) {
        if (strcmp(dev->keys[i], path) == 0) {
            return 0;
        }
    }
    if (dev->key_count >= CONFIG_MAX_KEYS) {
        config_fmt(err, err_len, "more than %u keys", (unsigned)CONFIG_MAX_KEYS);
        return BO_EINVAL;
    }
    memcpy(dev->keys[dev->key_count++], path, sizeof(path));
    return 0;
}

/* Applies one device key; shared by the INI reader and the command line. */
int config_dev_set(struct config_device *dev, const char *key, const char *value, const char *dir,
                   char *err, size_t err_len)
{
    uint64_t v;
    int b;

    if (strcmp(key, "board") == 0) {
        if (config_path(dev->board, sizeof(dev->board), dir, value) < 0) {
            config_fmt(err, err_len, "bad board path '%s'", value);
            return BO_EINVAL;
        }
        return 0;
    }
    if (strcmp(key, "flash") == 0) {
        char name[BOARD_NAME_MAX];
        const char *path = config_split(value, name, sizeof(name));

        if (path == NULL) {
            return config_dev_flash(dev, "", dir, value, err, err_len);
        }
        if (!board_valid_name(name)) {
            config_fmt(err, err_len, "flash '%s': bad flash device name '%s'", value, name);
            return BO_EINVAL;
        }
        return config_dev_flash(dev, name, dir, path, err, err_len);
    }
    if (strcmp(key, "image") == 0) {
        return config_dev_image(dev, value, dir, err, err_len);
    }
    if (strcmp(key, "key") == 0) {
        return config_dev_key(dev, value, dir, err, err_len);
    }
    if (strcmp(key, "mode") == 0) {
        b = config_mode_parse(value);
        if (b < 0) {
            config_fmt(err, err_len,
                       "unknown mode '%s' (overwrite, swap-scratch, swap-move, "
                       "swap-offset)",
                       value);
            return BO_EINVAL;
        }
        dev->mode = (enum boot_mode)b;
        return 0;
    }
    if (strcmp(key, "images") == 0) {
        if (config_u64(value, 2, &v) < 0 || v == 0) {
            config_fmt(err, err_len, "images must be 1 or 2, not '%s'", value);
            return BO_EINVAL;
        }
        dev->boot_images = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "power-on") == 0) {
        if (strcmp(value, "auto") != 0 && strcmp(value, "manual") != 0) {
            config_fmt(err, err_len, "power-on must be auto or manual, not '%s'", value);
            return BO_EINVAL;
        }
        dev->auto_power_on = strcmp(value, "auto") == 0;
        return 0;
    }
    if (strcmp(key, "power-on-delay-ms") == 0) {
        if (config_u64(value, 3600000u, &v) < 0) {
            config_fmt(err, err_len, "power-on-delay-ms must be 0..3600000, not '%s'", value);
            return BO_EINVAL;
        }
        dev->power_on_delay_ms = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "seed") == 0) {
        if (config_u64(value, UINT64_MAX, &v) < 0) {
            config_fmt(err, err_len, "seed must be an unsigned number, not '%s'", value);
            return BO_EINVAL;
        }
        dev->seed = v;
        return 0;
    }
    b = config_net_set(&dev->net, key, value, dir, err, err_len);
    if (b != BO_ENOENT) {
        return b;
    }
    {
        static const char *const bools[] = { "flash-erase", "flash-in-ram", "validate-primary",
                                             "downgrade-prevention" };
        bool *const dst[] = { &dev->flash_erase, &dev->flash_in_ram, &dev->validate_primary,
                              &dev->downgrade_prevention };
        size_t i;

        for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
            if (strcmp(key, bools[i]) == 0) {
                b = config_bool(value);
                if (b < 0) {
                    config_fmt(err, err_len, "%s must be true or false, not '%s'", key, value);
                    return BO_EINVAL;
                }
                *dst[i] = b != 0;
                return 0;
            }
        }
    }
    config_fmt(err, err_len, "unknown key '%s' in a [device] section", key);
    return BO_EINVAL;
}

/* Applies one [daemon] key. */
int config_daemon_set(struct config *cfg, const char *key, const char *value, const char *dir,
                      char *err, size_t err_len)
{
    uint64_t v;

    if (strcmp(key, "control") == 0) {
        if (config_path(cfg->control, sizeof(cfg->control), dir, value) < 0) {
            config_fmt(err, err_len, "bad control socket path '%s'", value);
            return BO_EINVAL;
        }
        return 0;
    }
    if (strcmp(key, "mount") == 0) {
        if (value[0] == '\0') {
            cfg->mount[0] = '\0';
            return 0;
        }
        if (config_path(cfg->mount, sizeof(cfg->mount), dir, value) < 0) {
            config_fmt(err, err_len, "bad mount path '%s'", value);
            return BO_EINVAL;
        }
        return 0;
    }
    if (strcmp(key, "firmware") == 0) {
        if (config_path(cfg->firmware, sizeof(cfg->firmware), dir, value) < 0) {
            config_fmt(err, err_len, "bad firmware path '%s'", value);
            return BO_EINVAL;
        }
        return 0;
    }
    if (strcmp(key, "fuse-write") == 0) {
        if (strcmp(value, "nor") != 0 && strcmp(value, "programmer") != 0) {
            config_fmt(err, err_len, "fuse-write must be programmer or nor, not '%s'", value);
            return BO_EINVAL;
        }
        cfg->fuse_nor = strcmp(value, "nor") == 0;
        return 0;
    }
    if (strcmp(key, "seed") == 0) {
        if (config_u64(value, UINT64_MAX, &v) < 0) {
            config_fmt(err, err_len, "seed must be an unsigned number, not '%s'", value);
            return BO_EINVAL;
        }
        cfg->seed = v;
        return 0;
    }
    config_fmt(err, err_len, "unknown key '%s' in the [daemon] section", key);
    return BO_EINVAL;
}

/* inih handler: returns 1 to go on, 0 on error (recorded in the parser). */
static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct config_parser *p = user;
    char msg[CONFIG_ERR_MAX];

    if (p->err_line != 0) {
        return 0;
    }
    if (name == NULL) {
        /* A new section (inih calls with name NULL when INI_CALL_HANDLER_ON_NEW_SECTION). */
        return 1;
    }
    if (p->section == 1) {
        if (config_daemon_set(p->cfg, name, value, p->dir, msg, sizeof(msg)) < 0) {
            return config_fail(p, "%s", msg);
        }
        return 1;
    }
    if (p->section == 2 && p->dev != NULL) {
        if (config_dev_set(p->dev, name, value, p->dir, msg, sizeof(msg)) < 0) {
            return config_fail(p, "%s", msg);
        }
        return 1;
    }
    if (section[0] == '\0') {
        return config_fail(p, "key '%s' outside a section", name);
    }
    return config_fail(p, "key '%s' in an unknown section [%s]", name, section);
}

/* Recognises a section header line before inih sees it, to keep line numbers exact. */
static void config_section_line(struct config_parser *p, const char *line, size_t n)
{
    char buf[128];
    size_t i = 0;
    size_t len;
    const char *name;

    while (i < n && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    if (i >= n || line[i] != '[') {
        return;
    }
    len = 0;
    i++;
    while (i < n && line[i] != ']' && line[i] != '\n' && len + 1 < sizeof(buf)) {
        buf[len++] = line[i++];
    }
    buf[len] = '\0';
    if (i >= n || line[i] != ']') {
        config_fail(p, "unterminated or too long section header");
        return;
    }
    p->dev = NULL;
    if (strcmp(buf, "daemon") == 0) {
        p->section = 1;
        return;
    }
    if (strncmp(buf, "device ", 7) == 0) {
        name = buf + 7;
        while (*name == ' ') {
            name++;
        }
        if (!board_valid_name(name)) {
            config_fail(p, "bad device name '%s' (1 to 31 of A-Z a-z 0-9 . _ -)", name);
            return;
        }
        if (config_find_device(p->cfg, name) >= 0) {
            config_fail(p, "device '%s' defined twice", name);
            return;
        }
        if (p->cfg->device_count >= CONFIG_MAX_DEVICES) {
            config_fail(p, "more than %d devices", CONFIG_MAX_DEVICES);
            return;
        }
        p->dev = &p->cfg->devices[p->cfg->device_count++];
        config_device_init(p->dev, name);
        p->dev->seed = p->cfg->seed;
        p->dev->line = p->line;
        p->section = 2;
        return;
    }
    config_fail(p, "unknown section [%s] (expected [daemon] or [device NAME])", buf);
}

static char *config_ini_reader(char *str, int num, void *stream)
{
    struct config_parser *p = stream;
    const char *line = p->text + p->pos;
    const char *nl;
    size_t n;

    if (p->err_line != 0 || p->pos >= p->len || num < 4) {
        return NULL;
    }
    nl = memchr(line, '\n', p->len - p->pos);
    n = nl != NULL ? (size_t)(nl - line) + 1 : p->len - p->pos;
    p->line++;
    p->pos += n;
    if (n > (size_t)num - 3) {
        config_fail(p, "line longer than %d characters", num - 4);
        return NULL;
    }
    config_section_line(p, line, n);
    if (p->err_line != 0) {
        return NULL;
    }
    memcpy(str, line, n);
    str[n] = '\0';
    return str;
}

int config_parse_text(struct config *cfg, const char *text, const char *name, char *err,
                      size_t err_len)
{
    struct config_parser p;
    const char *slash;
    int rc;

    memset(&p, 0, sizeof(p));
    p.cfg = cfg;
    p.name = name != NULL ? name : "<config>";
    p.text = text;
    p.len = strlen(text);
    p.err = err;
    p.err_len = err_len;
    slash = strrchr(p.name, '/');
    if (name != NULL && slash != NULL && (size_t)(slash - p.name) < sizeof(p.dir)) {
        memcpy(p.dir, p.name, (size_t)(slash - p.name));
        p.dir[slash - p.name] = '\0';
        if (p.dir[0] == '\0') {
            p.dir[0] = '/';
            p.dir[1] = '\0';
        }
    }
    rc = ini_parse_stream(config_ini_reader, &p, config_ini_handler, &p);
    if (rc == -2) {
        return BO_ENOMEM;
    }
    if (rc > 0 && p.err_line == 0) {
        p.line = rc;
        config_fail(&p, "syntax error (expected '[section]', 'key = value' or a comment)");
    }
    return p.err_line != 0 ? BO_EINVAL : 0;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = fileio_read_all(path, (size_t)1 << 24, &data, &len, err, err_len);

    if (rc < 0) {
        return rc;
    }
    /* fileio_read_all() ends the buffer with a NUL; another one inside is not text. */
    if (strlen((const char *)data) != len) {
        config_fmt(err, err_len, "%s: NUL byte in the file", path);
        free(data);
        return BO_EINVAL;
    }
    snprintf(cfg->file, sizeof(cfg->file), "%s", path);
    rc = config_parse_text(cfg, (const char *)data, path, err, err_len);
    free(data);
    return rc;
}

int config_check(const struct config *cfg, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_MAX];
    uint32_t i;

    if (cfg->control[0] == '\0') {
        config_fmt(err, err_len, "no control socket path");
        return BO_EINVAL;
    }
    for (i = 0; i < cfg->device_count; i++) {
        const struct config_device *d = &cfg->devices[i];

        if (d->board[0] == '\0') {
            if (d->line > 0) {
                board_format_error(err, err_len, cfg->file, d->line, "device '%s' has no board",
                                   d->name);
            } else {
                config_fmt(err, err_len, "device '%s' has no board (use --board FILE)", d->name);
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
                config_fmt(err, err_len,
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
                config_fmt(err, err_len, "device '%s': %s", d->name, msg);
            }
            return BO_EINVAL;
        }
    }
    return 0;
}
