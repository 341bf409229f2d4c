/* SPDX-License-Identifier: Apache-2.0 */
/* Board files: an INI format (parsed with inih) for flash devices and partition maps. */
#include "board.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

/* Largest board file board_load() reads. */
#define BOARD_FILE_LIMIT (1024u * 1024u)
/* Largest program time per unit (1 s, in ns) and erase time per sector (1000 s, in ns). */
#define BOARD_PROGRAM_NS_MAX 1000000000ull
#define BOARD_ERASE_NS_MAX 1000000000000ull

static const char *const board_part_names[FLASH_AREA_COUNT] = {
    [FLASH_AREA_BOOTLOADER] = "bootloader",
    [FLASH_AREA_IMAGE_0] = "image-0-primary",
    [FLASH_AREA_IMAGE_1] = "image-0-secondary",
    [FLASH_AREA_IMAGE_SCRATCH] = "scratch",
    [FLASH_AREA_IMAGE_2] = "image-1-primary",
    [FLASH_AREA_IMAGE_3] = "image-1-secondary",
};

enum board_section { SEC_NONE = 0, SEC_BOARD, SEC_FLASH, SEC_PARTITION };

enum board_key {
    KEY_NAME = 0, KEY_DESCRIPTION,
    KEY_SECTORS, KEY_WRITE_UNIT, KEY_ERASED_VALUE, KEY_SEMANTICS, KEY_PAGE_SIZE,
    KEY_PROGRAM_TIME, KEY_ERASE_TIME, KEY_BASE,
    KEY_DEVICE, KEY_OFFSET, KEY_SIZE,
    KEY_COUNT
};

struct board_key_def {
    const char *name;
    enum board_section section;
    enum board_key key;
};

static const struct board_key_def board_keys[] = {
    { "name", SEC_BOARD, KEY_NAME },
    { "description", SEC_BOARD, KEY_DESCRIPTION },
    { "sectors", SEC_FLASH, KEY_SECTORS },
    { "write-unit", SEC_FLASH, KEY_WRITE_UNIT },
    { "erased-value", SEC_FLASH, KEY_ERASED_VALUE },
    { "semantics", SEC_FLASH, KEY_SEMANTICS },
    { "page-size", SEC_FLASH, KEY_PAGE_SIZE },
    { "program-time-us", SEC_FLASH, KEY_PROGRAM_TIME },
    { "erase-time-ms", SEC_FLASH, KEY_ERASE_TIME },
    { "base", SEC_FLASH, KEY_BASE },
    { "device", SEC_PARTITION, KEY_DEVICE },
    { "offset", SEC_PARTITION, KEY_OFFSET },
    { "size", SEC_PARTITION, KEY_SIZE },
};

/* What the parser keeps about one section beyond what struct board holds. */
struct board_sec_state {
    int key_line[KEY_COUNT]; /* 0: key not seen. */
};

/* Erase times given per sector size ("16K:400, 64K:1200"), resolved once sectors are known. */
struct board_erase_spec {
    bool per_size;
    uint64_t all_ns;
    uint32_t sizes[VFLASH_MAX_RUNS];
    uint64_t ns[VFLASH_MAX_RUNS];
    uint32_t count;
};

struct board_parser {
    struct board *board;
    const char *name;
    const char *text;
    size_t len;
    size_t pos;
    int line;           /* Line last handed to inih (1-based). */
    int err_line;       /* Line of the first error; 0: none. */
    char *err;
    size_t err_len;
    enum board_section cur;
    int cur_index;      /* Flash index or partition id of the current section. */
    struct board_sec_state board_sec;
    struct board_sec_state flash_sec[BOARD_MAX_DEVICES];
    struct board_erase_spec erase[BOARD_MAX_DEVICES];
    struct board_sec_state part_sec[FLASH_AREA_COUNT];
    char part_device[FLASH_AREA_COUNT][BOARD_NAME_MAX];
};

/* Writes "NAME:LINE: reason" (or "NAME: reason" for line 0) into err. */
static void board_vmsg(char *err, size_t err_len, const char *name, int line, const char *fmt,
                       va_list ap)
{
    int n;

    if (err == NULL || err_len == 0) {
        return;
    }
    if (line > 0) {
        n = snprintf(err, err_len, "%s:%d: ", name, line);
    } else {
        n = snprintf(err, err_len, "%s: ", name);
    }
    if (n < 0 || (size_t)n >= err_len) {
        return;
    }
    vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
}

__attribute__((format(printf, 3, 4)))
static int board_fail(struct board_parser *p, int line, const char *fmt, ...)
{
    va_list ap;

    if (p->err_line != 0) {
        return BO_EINVAL;
    }
    p->err_line = line > 0 ? line : 1;
    va_start(ap, fmt);
    board_vmsg(p->err, p->err_len, p->name, p->err_line, fmt, ap);
    va_end(ap);
    return BO_EINVAL;
}

__attribute__((format(printf, 5, 6)))
static int board_vfail(const struct board *board, char *err, size_t err_len, int line,
                       const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    board_vmsg(err, err_len, board->file[0] != '\0' ? board->file : "<board>", line, fmt, ap);
    va_end(ap);
    return BO_EINVAL;
}

void board_init(struct board *board)
{
    memset(board, 0, sizeof(*board));
}

int board_partition_id(const char *name)
{
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        if (name != NULL && strcmp(name, board_part_names[id]) == 0) {
            return id;
        }
    }
    return BO_ENOENT;
}

const char *board_partition_name(int id)
{
    return id >= 0 && id < FLASH_AREA_COUNT ? board_part_names[id] : NULL;
}

int board_flash_index(const struct board *board, const char *name)
{
    for (uint32_t i = 0; i < board->flash_count; i++) {
        if (strcmp(board->flash[i].name, name) == 0) {
            return (int)i;
        }
    }
    return BO_ENOENT;
}

/* ---- Value parsers. Each returns 0 or BO_EINVAL; s is already trimmed by inih. ---- */

static bool board_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Copies s[0..n) into out with surrounding blanks removed. Returns false if it does not fit. */
static bool board_trim_copy(char *out, size_t out_len, const char *s, size_t n)
{
    while (n > 0 && board_is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && board_is_space(s[n - 1])) {
        n--;
    }
    if (n >= out_len) {
        return false;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* An unsigned number: decimal or 0x hex, with an optional K (KiB) or M (MiB) suffix. */
static int board_parse_u64(const char *s, bool suffix, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *c = s;
    int digits = 0;

    if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
        base = 16;
        c += 2;
    }
    for (;; c++) {
        unsigned d;

        if (*c >= '0' && *c <= '9') {
            d = (unsigned)(*c - '0');
        } else if (base == 16 && *c >= 'a' && *c <= 'f') {
            d = (unsigned)(*c - 'a' + 10);
        } else if (base == 16 && *c >= 'A' && *c <= 'F') {
            d = (unsigned)(*c - 'A' + 10);
        } else {
            break;
        }
        if (v > (UINT64_MAX - d) / base) {
            return BO_EINVAL;
        }
        v = v * base + d;
        digits++;
    }
    if (digits == 0) {
        return BO_EINVAL;
    }
    if (suffix && (*c == 'K' || *c == 'M')) {
        unsigned shift = *c == 'K' ? 10 : 20;

        if (v > (UINT64_MAX >> shift)) {
            return BO_EINVAL;
        }
        v <<= shift;
        c++;
    }
    if (*c != '\0') {
        return BO_EINVAL;
    }
    *out = v;
    return 0;
}

/* A decimal number with up to three fraction digits, returned in thousandths. */
static int board_parse_milli(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    int frac = -1;

    for (const char *c = s; *c != '\0'; c++) {
        if (*c == '.' && frac < 0 && digits > 0) {
            frac = 0;
            continue;
        }
        if (*c < '0' || *c > '9' || frac == 3) {
            return BO_EINVAL;
        }
        if (v > (UINT64_MAX - 9) / 10) {
            return BO_EINVAL;
        }
        v = v * 10 + (uint64_t)(*c - '0');
        digits++;
        if (frac >= 0) {
            frac++;
        }
    }
    if (digits == 0 || frac == 0) {
        return BO_EINVAL;
    }
    for (int i = frac < 0 ? 0 : frac; i < 3; i++) {
        if (v > UINT64_MAX / 10) {
            return BO_EINVAL;
        }
        v *= 10;
    }
    *out = v;
    return 0;
}

/* Splits a comma-separated list; calls fn on each trimmed item. */
typedef int (*board_item_fn)(struct board_parser *p, const char *item, void *arg);

static int board_each_item(struct board_parser *p, const char *value, board_item_fn fn,
                           void *arg)
{
    const char *start = value;

    for (;;) {
        const char *end = strchr(start, ',');
        size_t n = end != NULL ? (size_t)(end - start) : strlen(start);
        char item[64];
        int rc;

        if (!board_trim_copy(item, sizeof(item), start, n) || item[0] == '\0') {
            return board_fail(p, p->line, "empty or overlong item in list '%s'", value);
        }
        rc = fn(p, item, arg);
        if (rc < 0) {
            return rc;
        }
        if (end == NULL) {
            return 0;
        }
        start = end + 1;
    }
}

/* One item of `sectors`: COUNTxSIZE or SIZE. */
static int board_sector_item(struct board_parser *p, const char *item, void *arg)
{
    struct vflash_geometry *g = arg;
    uint64_t count = 1;
    uint64_t size;
    const char *size_text = item;
    const char *x = strchr(item, 'x');

    if (x != NULL && !(item[0] == '0' && (item[1] == 'x' || item[1] == 'X'))) {
        char num[24];

        if (!board_trim_copy(num, sizeof(num), item, (size_t)(x - item)) ||
            board_parse_u64(num, false, &count) < 0 || count == 0 || count > VFLASH_MAX_SECTORS) {
            return board_fail(p, p->line, "bad sector count in '%s'", item);
        }
        size_text = x + 1;
        while (board_is_space(*size_text)) {
            size_text++;
        }
    }
    if (board_parse_u64(size_text, true, &size) < 0 || size == 0 || size > UINT32_MAX) {
        return board_fail(p, p->line, "bad sector size in '%s'", item);
    }
    if (g->run_count > 0 && g->runs[g->run_count - 1].size == size &&
        g->runs[g->run_count - 1].count + count <= VFLASH_MAX_SECTORS) {
        g->runs[g->run_count - 1].count += (uint32_t)count;
        return 0;
    }
    if (g->run_count == VFLASH_MAX_RUNS) {
        return board_fail(p, p->line, "more than %d runs of sectors", VFLASH_MAX_RUNS);
    }
    g->runs[g->run_count].count = (uint32_t)count;
    g->runs[g->run_count].size = (uint32_t)size;
    g->run_count++;
    return 0;
}

/* One item of a per-size `erase-time-ms`: SIZE:MS. */
static int board_erase_item(struct board_parser *p, const char *item, void *arg)
{
    struct board_erase_spec *spec = arg;
    const char *colon = strchr(item, ':');
    char size_text[24];
    uint64_t size;
    uint64_t us;

    if (colon == NULL || !board_trim_copy(size_text, sizeof(size_text), item,
                                          (size_t)(colon - item)) ||
        board_parse_u64(size_text, true, &size) < 0 || size == 0 || size > UINT32_MAX) {
        return board_fail(p, p->line, "expected SIZE:MILLISECONDS, got '%s'", item);
    }
    colon++;
    while (board_is_space(*colon)) {
        colon++;
    }
    if (board_parse_milli(colon, &us) < 0 || us * 1000u > BOARD_ERASE_NS_MAX) {
        return board_fail(p, p->line, "bad erase time in '%s'", item);
    }
    for (uint32_t i = 0; i < spec->count; i++) {
        if (spec->sizes[i] == size) {
            return board_fail(p, p->line, "erase time for size %s given twice", size_text);
        }
    }
    if (spec->count == VFLASH_MAX_RUNS) {
        return board_fail(p, p->line, "more than %d erase times", VFLASH_MAX_RUNS);
    }
    spec->sizes[spec->count] = (uint32_t)size;
    spec->ns[spec->count] = us * 1000u;
    spec->count++;
    return 0;
}

/* A name of a board or device: 1..BOARD_NAME_MAX-1 of [A-Za-z0-9._-]. */
static bool board_valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= BOARD_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

/* ---- Keys. ---- */

static int board_flash_key(struct board_parser *p, enum board_key key, const char *value)
{
    struct board_flash *f = &p->board->flash[p->cur_index];
    struct vflash_geometry *g = &f->geom;
    uint64_t v;

    switch (key) {
    case KEY_SECTORS:
        return board_each_item(p, value, board_sector_item, g);
    case KEY_WRITE_UNIT:
        if (board_parse_u64(value, false, &v) < 0 || v == 0 || v > VFLASH_MAX_WRITE_UNIT ||
            (v & (v - 1)) != 0) {
            return board_fail(p, p->line, "write-unit must be 1, 2, 4, 8, 16 or 32, got '%s'",
                              value);
        }
        g->write_unit = (uint32_t)v;
        return 0;
    case KEY_ERASED_VALUE:
        if (board_parse_u64(value, false, &v) < 0 || (v != 0xff && v != 0)) {
            return board_fail(p, p->line, "erased-value must be 0xff or 0x00, got '%s'", value);
        }
        g->erased_val = (uint8_t)v;
        return 0;
    case KEY_SEMANTICS:
        if (strcmp(value, "nor") == 0) {
            g->semantics = VFLASH_NOR;
        } else if (strcmp(value, "ecc") == 0) {
            g->semantics = VFLASH_ECC;
        } else if (strcmp(value, "no-erase") == 0) {
            g->semantics = VFLASH_NO_ERASE;
        } else {
            return board_fail(p, p->line, "semantics must be nor, ecc or no-erase, got '%s'",
                              value);
        }
        return 0;
    case KEY_PAGE_SIZE:
        if (board_parse_u64(value, true, &v) < 0 || v > UINT32_MAX) {
            return board_fail(p, p->line, "bad page-size '%s'", value);
        }
        g->page_size = (uint32_t)v;
        return 0;
    case KEY_PROGRAM_TIME:
        if (board_parse_milli(value, &v) < 0 || v > BOARD_PROGRAM_NS_MAX) {
            return board_fail(p, p->line, "bad program-time-us '%s' (microseconds, up to 1e6)",
                              value);
        }
        g->program_ns_per_unit = v;
        return 0;
    case KEY_ERASE_TIME:
        if (strchr(value, ':') != NULL) {
            p->erase[p->cur_index].per_size = true;
            return board_each_item(p, value, board_erase_item, &p->erase[p->cur_index]);
        }
        if (board_parse_milli(value, &v) < 0 || v * 1000u > BOARD_ERASE_NS_MAX) {
            return board_fail(p, p->line, "bad erase-time-ms '%s' (milliseconds, up to 1e6)",
                              value);
        }
        p->erase[p->cur_index].all_ns = v * 1000u;
        return 0;
    case KEY_BASE:
        if (board_parse_u64(value, false, &v) < 0) {
            return board_fail(p, p->line, "bad base address '%s'", value);
        }
        f->base = v;
        return 0;
    default:
        return board_fail(p, p->line, "internal: key %d in [flash]", (int)key);
    }
}

static int board_partition_key(struct board_parser *p, enum board_key key, const char *value)
{
    struct board_partition *part = &p->board->part[p->cur_index];
    uint64_t v;

    switch (key) {
    case KEY_DEVICE:
        if (!board_valid_name(value)) {
            return board_fail(p, p->line, "bad device name '%s'", value);
        }
        strcpy(p->part_device[p->cur_index], value);
        return 0;
    case KEY_OFFSET:
    case KEY_SIZE:
        if (board_parse_u64(value, true, &v) < 0 || v > UINT32_MAX) {
            return board_fail(p, p->line, "bad %s '%s'", key == KEY_OFFSET ? "offset" : "size",
                              value);
        }
        if (key == KEY_OFFSET) {
            part->off = (uint32_t)v;
        } else if (v == 0) {
            return board_fail(p, p->line, "size must not be 0");
        } else {
            part->size = (uint32_t)v;
        }
        return 0;
    default:
        return board_fail(p, p->line, "internal: key %d in [partition]", (int)key);
    }
}

static int board_handler(void *user, const char *section, const char *name, const char *value)
{
    struct board_parser *p = user;
    const struct board_key_def *def = NULL;
    struct board_sec_state *st;
    int rc;

    (void)section; /* The reader tracks sections itself, with their line numbers. */
    if (p->err_line != 0) {
        return 0;
    }
    if (p->cur == SEC_NONE) {
        board_fail(p, p->line, "key '%s' outside a section", name);
        return 0;
    }
    for (size_t i = 0; i < sizeof(board_keys) / sizeof(board_keys[0]); i++) {
        if (board_keys[i].section == p->cur && strcmp(board_keys[i].name, name) == 0) {
            def = &board_keys[i];
        }
    }
    if (def == NULL) {
        board_fail(p, p->line, "unknown key '%s' in %s section", name,
                   p->cur == SEC_BOARD ? "[board]" : p->cur == SEC_FLASH ? "a [flash]"
                                                                          : "a [partition]");
        return 0;
    }
    st = p->cur == SEC_BOARD   ? &p->board_sec
         : p->cur == SEC_FLASH ? &p->flash_sec[p->cur_index]
                               : &p->part_sec[p->cur_index];
    if (st->key_line[def->key] != 0) {
        board_fail(p, p->line, "duplicate key '%s' (first on line %d)", name,
                   st->key_line[def->key]);
        return 0;
    }
    st->key_line[def->key] = p->line;
    if (value[0] == '\0') {
        board_fail(p, p->line, "empty value for '%s'", name);
        return 0;
    }
    switch (p->cur) {
    case SEC_BOARD:
        if (def->key == KEY_NAME) {
            rc = board_valid_name(value) ? 0 : board_fail(p, p->line, "bad board name '%s'",
                                                          value);
            if (rc == 0) {
                strcpy(p->board->name, value);
            }
        } else {
            rc = strlen(value) < BOARD_DESC_MAX
                     ? 0
                     : board_fail(p, p->line, "description longer than %d characters",
                                  BOARD_DESC_MAX - 1);
            if (rc == 0) {
                strcpy(p->board->description, value);
            }
        }
        break;
    case SEC_FLASH:
        rc = board_flash_key(p, def->key, value);
        break;
    default:
        rc = board_partition_key(p, def->key, value);
        break;
    }
    return rc < 0 ? 0 : 1;
}

/* ---- Reader: hands inih whole lines, counts them, and registers section headers. ---- */

/*
 * Splits "KIND" or "KIND NAME" into its words. Returns the number of words, or -1 when there are
 * more than two or one does not fit.
 */
static int board_split_words(const char *s, char *w1, size_t w1_len, char *w2, size_t w2_len)
{
    char *out[2] = { w1, w2 };
    size_t room[2] = { w1_len, w2_len };
    int words = 0;

    w1[0] = w2[0] = '\0';
    while (*s != '\0') {
        size_t n = 0;

        while (board_is_space(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        if (words == 2) {
            return -1;
        }
        while (s[n] != '\0' && !board_is_space(s[n])) {
            n++;
        }
        if (n >= room[words]) {
            return -1;
        }
        memcpy(out[words], s, n);
        out[words][n] = '\0';
        words++;
        s += n;
    }
    return words;
}

static int board_section_header(struct board_parser *p, const char *line, size_t n)
{
    const char *close = memchr(line, ']', n);
    char inner[2 * BOARD_NAME_MAX + 16];
    char kind[16];
    char name[2 * BOARD_NAME_MAX];
    int words;

    if (close == NULL) {
        return board_fail(p, p->line, "expected ']' to close the section header");
    }
    for (const char *c = close + 1; c < line + n; c++) {
        if (*c == ';' || *c == '#') {
            break;
        }
        if (!board_is_space(*c) && *c != '\r' && *c != '\n') {
            return board_fail(p, p->line, "text after the section header");
        }
    }
    if (!board_trim_copy(inner, sizeof(inner), line + 1, (size_t)(close - line - 1))) {
        return board_fail(p, p->line, "section header too long");
    }
    words = board_split_words(inner, kind, sizeof(kind), name, sizeof(name));
    if (words < 0) {
        return board_fail(p, p->line, "bad section header '[%s]'", inner);
    }
    if (words == 1 && strcmp(kind, "board") == 0) {
        if (p->board->line != 0) {
            return board_fail(p, p->line, "duplicate [board] section (first on line %d)",
                              p->board->line);
        }
        p->board->line = p->line;
        p->cur = SEC_BOARD;
        return 0;
    }
    if (words == 2 && strcmp(kind, "flash") == 0) {
        struct board_flash *f;

        if (!board_valid_name(name)) {
            return board_fail(p, p->line, "bad flash device name '%s'", name);
        }
        if (board_flash_index(p->board, name) >= 0) {
            return board_fail(p, p->line, "duplicate flash device '%s'", name);
        }
        if (p->board->flash_count == BOARD_MAX_DEVICES) {
            return board_fail(p, p->line, "more than %d flash devices", BOARD_MAX_DEVICES);
        }
        p->cur_index = (int)p->board->flash_count++;
        f = &p->board->flash[p->cur_index];
        strcpy(f->name, name);
        f->line = p->line;
        f->geom.erased_val = 0xff;
        f->geom.semantics = VFLASH_NOR;
        p->cur = SEC_FLASH;
        return 0;
    }
    if (words == 2 && strcmp(kind, "partition") == 0) {
        int id = board_partition_id(name);

        if (id < 0) {
            return board_fail(p, p->line,
                              "unknown partition '%s' (expected bootloader, image-0-primary, "
                              "image-0-secondary, scratch, image-1-primary or "
                              "image-1-secondary)",
                              name);
        }
        if (p->board->part[id].present) {
            return board_fail(p, p->line, "duplicate partition '%s' (first on line %d)", name,
                              p->board->part[id].line);
        }
        p->board->part[id].present = true;
        p->board->part[id].line = p->line;
        p->cur_index = id;
        p->cur = SEC_PARTITION;
        return 0;
    }
    return board_fail(p, p->line,
                      "unknown section '[%s]' (expected [board], [flash NAME] or "
                      "[partition NAME])",
                      inner);
}

static char *board_reader(char *str, int num, void *stream)
{
    struct board_parser *p = stream;
    const char *line = p->text + p->pos;
    const char *nl;
    size_t n;
    size_t skip = 0;

    if (p->err_line != 0 || p->pos >= p->len || num < 4) {
        return NULL;
    }
    nl = memchr(line, '\n', p->len - p->pos);
    n = nl != NULL ? (size_t)(nl - line) + 1 : p->len - p->pos;
    p->line++;
    p->pos += n;
    if (memchr(line, '\0', n) != NULL) {
        board_fail(p, p->line, "NUL byte in the text");
        return NULL;
    }
    if (n > (size_t)num - 3) {
        board_fail(p, p->line, "line longer than %d characters", num - 4);
        return NULL;
    }
    if (p->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        skip = 3;
    }
    if (n > skip && board_is_space(line[skip])) {
        size_t i = skip;

        while (i < n && (board_is_space(line[i]) || line[i] == '\r' || line[i] == '\n')) {
            i++;
        }
        if (i < n) {
            board_fail(p, p->line, "indented line (continuation lines are not allowed)");
            return NULL;
        }
    }
    if (n > skip && line[skip] == '[' && board_section_header(p, line + skip, n - skip) < 0) {
        return NULL;
    }
    memcpy(str, line, n);
    str[n] = '\0';
    return str;
}

/* ---- After the text: required keys, erase times, device references, then validation. ---- */

static int board_finish_flash(struct board_parser *p, uint32_t i)
{
    struct board_flash *f = &p->board->flash[i];
    const struct board_sec_state *st = &p->flash_sec[i];
    const struct board_erase_spec *spec = &p->erase[i];
    uint32_t size;

    if (st->key_line[KEY_SECTORS] == 0) {
        return board_fail(p, f->line, "[flash %s] has no 'sectors'", f->name);
    }
    if (st->key_line[KEY_WRITE_UNIT] == 0) {
        return board_fail(p, f->line, "[flash %s] has no 'write-unit'", f->name);
    }
    for (uint32_t r = 0; r < f->geom.run_count; r++) {
        struct vflash_run *run = &f->geom.runs[r];
        bool found = !spec->per_size;

        run->erase_ns = spec->all_ns;
        for (uint32_t k = 0; spec->per_size && k < spec->count; k++) {
            if (spec->sizes[k] == run->size) {
                run->erase_ns = spec->ns[k];
                found = true;
            }
        }
        if (!found) {
            return board_fail(p, st->key_line[KEY_ERASE_TIME],
                              "no erase time for sectors of %u bytes", run->size);
        }
        if (run->size % f->geom.write_unit != 0) {
            return board_fail(p, st->key_line[KEY_SECTORS],
                              "sector size %u is not a multiple of the write unit %u",
                              run->size, f->geom.write_unit);
        }
        if (f->geom.page_size != 0 && run->size % f->geom.page_size != 0) {
            return board_fail(p, st->key_line[KEY_PAGE_SIZE],
                              "sector size %u is not a multiple of the page size %u", run->size,
                              f->geom.page_size);
        }
    }
    if (f->geom.page_size != 0 && f->geom.page_size % f->geom.write_unit != 0) {
        return board_fail(p, st->key_line[KEY_PAGE_SIZE],
                          "page-size %u is not a multiple of the write unit %u",
                          f->geom.page_size, f->geom.write_unit);
    }
    if (vflash_geometry_check(&f->geom, &size) < 0) {
        return board_fail(p, st->key_line[KEY_SECTORS],
                          "device larger than 4 GiB - 1 or more than %u sectors",
                          VFLASH_MAX_SECTORS);
    }
    return 0;
}

static int board_finish(struct board_parser *p)
{
    struct board *b = p->board;
    int rc;

    if (b->line == 0) {
        return board_fail(p, 1, "no [board] section");
    }
    if (p->board_sec.key_line[KEY_NAME] == 0) {
        return board_fail(p, b->line, "[board] has no 'name'");
    }
    if (b->flash_count == 0) {
        return board_fail(p, b->line, "no [flash NAME] section");
    }
    for (uint32_t i = 0; i < b->flash_count; i++) {
        rc = board_finish_flash(p, i);
        if (rc < 0) {
            return rc;
        }
    }
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        struct board_partition *part = &b->part[id];
        const struct board_sec_state *st = &p->part_sec[id];
        int dev;

        if (!part->present) {
            continue;
        }
        if (st->key_line[KEY_OFFSET] == 0 || st->key_line[KEY_SIZE] == 0) {
            return board_fail(p, part->line, "[partition %s] needs 'offset' and 'size'",
                              board_part_names[id]);
        }
        if (st->key_line[KEY_DEVICE] == 0) {
            if (b->flash_count != 1) {
                return board_fail(p, part->line,
                                  "[partition %s] needs 'device' (the board has %u devices)",
                                  board_part_names[id], b->flash_count);
            }
            dev = 0;
        } else {
            dev = board_flash_index(b, p->part_device[id]);
            if (dev < 0) {
                return board_fail(p, st->key_line[KEY_DEVICE], "no flash device '%s'",
                                  p->part_device[id]);
            }
        }
        part->device = (uint8_t)dev;
    }
    return 0;
}

int board_parse(struct board *board, const char *text, size_t len, const char *name, char *err,
                size_t err_len)
{
    struct board_parser *p;
    int rc;

    board_init(board);
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return BO_ENOMEM;
    }
    p->board = board;
    p->name = name != NULL ? name : "<board>";
    p->text = text != NULL ? text : "";
    p->len = text != NULL ? len : 0;
    p->err = err;
    p->err_len = err_len;
    (void)snprintf(board->file, sizeof(board->file), "%s", p->name);

    rc = ini_parse_stream(board_reader, p, board_handler, p);
    if (rc == -2) {
        rc = BO_ENOMEM;
        goto out;
    }
    if (rc > 0 && (p->err_line == 0 || rc < p->err_line)) {
        p->err_line = 0;
        board_fail(p, rc, "syntax error (expected '[section]', 'key = value' or a comment)");
    }
    if (p->err_line != 0) {
        rc = BO_EINVAL;
        goto out;
    }
    rc = board_finish(p);
    if (rc < 0) {
        goto out;
    }
    rc = board_validate(board, err, err_len);
out:
    free(p);
    return rc;
}

int board_load(struct board *board, const char *path, char *err, size_t err_len)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t n;
    int rc;

    board_init(board);
    if (path == NULL) {
        return BO_EINVAL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = errno == ENOENT ? BO_ENOENT : BO_EOS;
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: %s", path, strerror(errno));
        }
        goto out;
    }
    buf = malloc(BOARD_FILE_LIMIT + 1);
    if (buf == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    n = fread(buf, 1, BOARD_FILE_LIMIT + 1, f);
    if (ferror(f) || n > BOARD_FILE_LIMIT) {
        rc = ferror(f) ? BO_EOS : BO_EINVAL;
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: %s", path,
                     rc == BO_EOS ? "read error" : "larger than 1 MiB");
        }
        goto out;
    }
    rc = board_parse(board, buf, n, path, err, err_len);
out:
    free(buf);
    if (f != NULL) {
        fclose(f);
    }
    return rc;
}

/* ---- Consistency of a board (also of one edited by hand). ---- */

int board_validate(const struct board *board, char *err, size_t err_len)
{
    uint32_t dev_size[BOARD_MAX_DEVICES];
    int rc = 0;

    if (board == NULL) {
        return BO_EINVAL;
    }
    if (board->flash_count == 0 || board->flash_count > BOARD_MAX_DEVICES) {
        return board_vfail(board, err, err_len, board->line, "needs 1 to %d flash devices",
                           BOARD_MAX_DEVICES);
    }
    for (uint32_t i = 0; i < board->flash_count; i++) {
        if (vflash_geometry_check(&board->flash[i].geom, &dev_size[i]) < 0) {
            return board_vfail(board, err, err_len, board->flash[i].line,
                               "flash device '%s' has an invalid geometry",
                               board->flash[i].name);
        }
    }
    for (int id = 0; id < FLASH_AREA_COUNT && rc == 0; id++) {
        const struct board_partition *a = &board->part[id];
        const char *an = board_part_names[id];
        const struct board_flash *f;

        if (!a->present) {
            continue;
        }
        if (a->device >= board->flash_count) {
            rc = board_vfail(board, err, err_len, a->line, "partition '%s' names device %u",
                             an, a->device);
            break;
        }
        f = &board->flash[a->device];
        if (a->size == 0 || a->off > dev_size[a->device] ||
            a->size > dev_size[a->device] - a->off) {
            rc = board_vfail(board, err, err_len, a->line,
                             "partition '%s' (0x%x + 0x%x) does not fit in device '%s' "
                             "(0x%x bytes)",
                             an, a->off, a->size, f->name, dev_size[a->device]);
            break;
        }
        /* Both ends of the partition must fall on sector boundaries of its device. */
        {
            uint32_t pos = 0;
            bool start_ok = false;
            bool end_ok = false;

            for (uint32_t r = 0; r < f->geom.run_count; r++) {
                for (uint32_t s = 0; s < f->geom.runs[r].count; s++) {
                    start_ok = start_ok || pos == a->off;
                    end_ok = end_ok || pos == a->off + a->size;
                    pos += f->geom.runs[r].size;
                }
            }
            end_ok = end_ok || pos == a->off + a->size;
            if (!start_ok || !end_ok) {
                rc = board_vfail(board, err, err_len, a->line,
                                 "partition '%s' (0x%x + 0x%x) does not %s on a sector "
                                 "boundary of '%s'",
                                 an, a->off, a->size, start_ok ? "end" : "start", f->name);
                break;
            }
        }
        for (int other = 0; other < id; other++) {
            const struct board_partition *b = &board->part[other];

            if (b->present && b->device == a->device && a->off < b->off + b->size &&
                b->off < a->off + a->size) {
                rc = board_vfail(board, err, err_len, a->line > b->line ? a->line : b->line,
                                 "partitions '%s' and '%s' overlap", board_part_names[other],
                                 an);
                break;
            }
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (!board->part[FLASH_AREA_IMAGE_0].present || !board->part[FLASH_AREA_IMAGE_1].present) {
        int line = board->part[FLASH_AREA_IMAGE_0].present ? board->part[FLASH_AREA_IMAGE_0].line
                   : board->part[FLASH_AREA_IMAGE_1].present
                       ? board->part[FLASH_AREA_IMAGE_1].line
                       : board->line;

        return board_vfail(board, err, err_len, line,
                           "image 0 needs both 'image-0-primary' and 'image-0-secondary'");
    }
    if (board->part[FLASH_AREA_IMAGE_2].present != board->part[FLASH_AREA_IMAGE_3].present) {
        int line = board->part[FLASH_AREA_IMAGE_2].present ? board->part[FLASH_AREA_IMAGE_2].line
                                                           : board->part[FLASH_AREA_IMAGE_3].line;

        return board_vfail(board, err, err_len, line,
                           "image 1 needs both 'image-1-primary' and 'image-1-secondary'");
    }
    return 0;
}
