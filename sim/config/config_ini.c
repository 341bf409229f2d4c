/* SPDX-License-Identifier: Apache-2.0 */
/*
 * brownoutd's INI reader: inih fed line by line (exact FILE:LINE in every error), section
 * headers, and the refusal of keys given twice in a section, as the board reader does.
 */
#include "config/daemon_config.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "config/config_int.h"
#include "util/errbuf.h"
#include "util/fileio.h"

/* Every key of a section: config.c's keys, then config_net.c's. */
#define CONFIG_INI_KEYS (CONFIG_KEY_COUNT + CONFIG_NET_KEY_COUNT)

/* The lines where the current section gave each key; 0: not given. */
struct config_ini_seen {
    int key[CONFIG_INI_KEYS];
    int flash[BOARD_MAX_DEVICES]; /* Multi-valued keys: one line per entry of the device. */
    int image[CONFIG_MAX_IMAGES];
    int keyfile[CONFIG_MAX_KEYS];
};

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
    enum config_section section;
    int daemon_line; /* Line of the [daemon] header; 0: none yet. */
    struct config_device *dev;
    struct config_ini_seen seen;
};

static int config_fail(struct config_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error as "NAME:LINE: reason"; returns 0 (inih's "stop"). */
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

/* The id of a key in the current section (CONFIG_INI_KEYS range), or -1 for an unknown key. */
static int config_ini_key_id(const struct config_parser *p, const char *name, bool *multi)
{
    const struct config_key_def *def = config_key_find(p->section, name);
    int net;

    *multi = false;
    if (def != NULL) {
        *multi = def->multi;
        return (int)def->key;
    }
    net = p->section == CONFIG_SEC_DEVICE ? config_net_key_find(name) : BO_ENOENT;
    return net < 0 ? -1 : CONFIG_KEY_COUNT + net;
}

/* The line slots of a multi-valued key's entries, and how many entries the device has. */
static int *config_ini_entry_lines(struct config_parser *p, int id, uint32_t *count)
{
    if (id == CONFIG_KEY_FLASH) {
        *count = p->dev->flash_count;
        return p->seen.flash;
    }
    if (id == CONFIG_KEY_IMAGE) {
        *count = p->dev->image_count;
        return p->seen.image;
    }
    *count = p->dev->key_count;
    return p->seen.keyfile;
}

/* Refuses a key the section already gave (for a multi-valued key: the same entry again). */
static int config_ini_check_twice(struct config_parser *p, const char *name, const char *value,
                                  int id, bool multi)
{
    static const char *const what[] = {
        [CONFIG_KEY_FLASH] = "flash device", [CONFIG_KEY_IMAGE] = "slot", [CONFIG_KEY_KEY] = "file"
    };
    uint32_t count;
    int *lines;
    int i;

    if (!multi) {
        if (p->seen.key[id] != 0) {
            return config_fail(p, "duplicate key '%s' (first on line %d)", name, p->seen.key[id]);
        }
        return 1;
    }
    lines = config_ini_entry_lines(p, id, &count);
    i = config_dev_entry(p->dev, (enum config_key)id, value, p->dir);
    if (i >= 0 && (uint32_t)i < count && lines[i] != 0) {
        return config_fail(p, "duplicate key '%s' for the same %s (first on line %d)", name,
                           what[id], lines[i]);
    }
    return 1;
}

/* Notes the line of a key just applied. */
static void config_ini_note(struct config_parser *p, int id, bool multi)
{
    uint32_t count;
    int *lines;

    if (!multi) {
        p->seen.key[id] = p->line;
        return;
    }
    lines = config_ini_entry_lines(p, id, &count);
    if (count > 0) {
        lines[count - 1] = p->line;
    }
}

/* Applies one key of the current section. Returns 1 to go on, 0 on error. */
static int config_ini_apply(struct config_parser *p, const char *name, const char *value)
{
    char msg[CONFIG_ERR_MAX];
    bool multi = false;
    int id = config_ini_key_id(p, name, &multi);
    int rc;

    if (id >= 0 && config_ini_check_twice(p, name, value, id, multi) == 0) {
        return 0;
    }
    if (p->section == CONFIG_SEC_DAEMON) {
        rc = config_daemon_set(p->cfg, name, value, p->dir, msg, sizeof(msg));
    } else {
        rc = config_dev_set(p->dev, name, value, p->dir, msg, sizeof(msg));
    }
    if (rc < 0) {
        return config_fail(p, "%s", msg);
    }
    if (id >= 0) {
        config_ini_note(p, id, multi);
    }
    return 1;
}

/* inih handler: returns 1 to go on, 0 on error (recorded in the parser). */
static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct config_parser *p = user;

    if (p->err_line != 0) {
        return 0;
    }
    if (name == NULL) {
        /* A new section (inih calls with name NULL when INI_CALL_HANDLER_ON_NEW_SECTION). */
        return 1;
    }
    if (p->section == CONFIG_SEC_DAEMON || (p->section == CONFIG_SEC_DEVICE && p->dev != NULL)) {
        return config_ini_apply(p, name, value);
    }
    if (section[0] == '\0') {
        return config_fail(p, "key '%s' outside a section", name);
    }
    return config_fail(p, "key '%s' in an unknown section [%s]", name, section);
}

/* Opens a [device NAME] section. */
static void config_ini_device(struct config_parser *p, const char *name)
{
    char msg[CONFIG_ERR_MAX];

    while (*name == ' ') {
        name++;
    }
    if (config_device_name_check(name, msg, sizeof(msg)) < 0) {
        config_fail(p, "%s", msg);
        return;
    }
    if (config_find_device(p->cfg, name) >= 0) {
        config_fail(p, "device '%s' defined twice", name);
        return;
    }
    p->dev = config_add_device(p->cfg, name);
    if (p->dev == NULL) {
        config_fail(p, "device '%s': out of memory", name);
        return;
    }
    p->dev->line = p->line;
    p->section = CONFIG_SEC_DEVICE;
}

/* Recognises a section header line before inih sees it, to keep line numbers exact. */
static void config_section_line(struct config_parser *p, const char *line, size_t n)
{
    char buf[128];
    size_t i = 0;
    size_t len = 0;

    while (i < n && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    if (i >= n || line[i] != '[') {
        return;
    }
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
    memset(&p->seen, 0, sizeof(p->seen));
    if (strcmp(buf, "daemon") == 0) {
        if (p->daemon_line != 0) {
            config_fail(p, "duplicate [daemon] section (first on line %d)", p->daemon_line);
            return;
        }
        p->daemon_line = p->line;
        p->section = CONFIG_SEC_DAEMON;
        return;
    }
    if (strncmp(buf, "device ", 7) == 0) {
        config_ini_device(p, buf + 7);
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
        errbuf_set(err, err_len, "%s: NUL byte in the file", path);
        free(data);
        return BO_EINVAL;
    }
    snprintf(cfg->file, sizeof(cfg->file), "%s", path);
    rc = config_parse_text(cfg, (const char *)data, path, err, err_len);
    free(data);
    return rc;
}
