/* SPDX-License-Identifier: Apache-2.0 */
/* The board file reader: INI text (inih) to struct board, every error as FILE:LINE: reason. */
#include "board/board.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board_derive.h"
#include "board/board_text_int.h"

/* Largest program time per unit (1 s, in ns) and erase time per sector (1000 s, in ns). */
#define BOARD_PROGRAM_NS_MAX 1000000000ull
#define BOARD_ERASE_NS_MAX 1000000000000ull

enum board_ini_section {
    SEC_NONE = 0,
    SEC_BOARD,
    SEC_FLASH,
    SEC_PARTITION
};

enum board_ini_key {
    KEY_NAME = 0,
    KEY_DESCRIPTION,
    KEY_MAX_SECTORS,
    KEY_SECTORS,
    KEY_WRITE_UNIT,
    KEY_ERASED_VALUE,
    KEY_SEMANTICS,
    KEY_PAGE_SIZE,
    KEY_PROGRAM_TIME,
    KEY_ERASE_TIME,
    KEY_ENDURANCE,
    KEY_BASE,
    KEY_DEVICE,
    KEY_OFFSET,
    KEY_SIZE,
    KEY_COUNT
};

struct board_ini_key_def {
    const char *name;
    enum board_ini_section section;
    enum board_ini_key key;
};

static const struct board_ini_key_def board_ini_keys[] = {
    { "name", SEC_BOARD, KEY_NAME },
    { "description", SEC_BOARD, KEY_DESCRIPTION },
    { "max-sectors", SEC_BOARD, KEY_MAX_SECTORS },
    { "sectors", SEC_FLASH, KEY_SECTORS },
    { "write-unit", SEC_FLASH, KEY_WRITE_UNIT },
    { "erased-value", SEC_FLASH, KEY_ERASED_VALUE },
    { "semantics", SEC_FLASH, KEY_SEMANTICS },
    { "page-size", SEC_FLASH, KEY_PAGE_SIZE },
    { "program-time-us", SEC_FLASH, KEY_PROGRAM_TIME },
    { "erase-time-ms", SEC_FLASH, KEY_ERASE_TIME },
    { "endurance", SEC_FLASH, KEY_ENDURANCE },
    { "base", SEC_FLASH, KEY_BASE },
    { "device", SEC_PARTITION, KEY_DEVICE },
    { "offset", SEC_PARTITION, KEY_OFFSET },
    { "size", SEC_PARTITION, KEY_SIZE },
};

/* What the parser keeps about one section beyond what struct board holds. */
struct board_ini_sec_state {
    int key_line[KEY_COUNT]; /* 0: key not seen. */
};

/* Erase times given per sector size ("16K:400, 64K:1200"), resolved once sectors are known. */
struct board_ini_erase_spec {
    bool per_size;
    uint64_t all_ns;
    uint32_t sizes[VFLASH_MAX_RUNS];
    uint64_t ns[VFLASH_MAX_RUNS];
    uint32_t count;
};

struct board_ini_parser {
    struct board *board;
    const char *name;
    const char *text;
    size_t len;
    size_t pos;
    int line;     /* Line last handed to inih (1-based). */
    int err_line; /* Line of the first error; 0: none. */
    char *err;
    size_t err_len;
    enum board_ini_section cur;
    int cur_index; /* Flash index or partition id of the current section. */
    struct board_ini_sec_state board_sec;
    struct board_ini_sec_state flash_sec[BOARD_MAX_DEVICES];
    struct board_ini_erase_spec erase[BOARD_MAX_DEVICES];
    struct board_ini_sec_state part_sec[FLASH_AREA_COUNT];
    char part_device[FLASH_AREA_COUNT][BOARD_NAME_MAX];
};

/* Writes "NAME:LINE: reason" (or "NAME: reason" for line 0) into err. */
static int board_ini_fail(struct board_ini_parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int board_ini_fail(struct board_ini_parser *p, int line, const char *fmt, ...)
{
    va_list ap;

    if (p->err_line != 0) {
        return BO_EINVAL;
    }
    p->err_line = line > 0 ? line : 1;
    va_start(ap, fmt);
    board_vformat_error(p->err, p->err_len, p->name, p->err_line, fmt, ap);
    va_end(ap);
    return BO_EINVAL;
}

/* Splits a comma-separated list; calls fn on each trimmed item. */
typedef int (*board_ini_item_fn)(struct board_ini_parser *p, const char *item, void *arg);

static int board_ini_each_item(struct board_ini_parser *p, const char *value, board_ini_item_fn fn,
                               void *arg)
{
    const char *start = value;

    for (;;) {
        const char *end = strchr(start, ',');
        size_t n = end != NULL ? (size_t)(end - start) : strlen(start);
        char item[64];
        int rc;

        if (!board_text_trim_copy(item, sizeof(item), start, n) || item[0] == '\0') {
            return board_ini_fail(p, p->line, "empty or overlong item in list '%s'", value);
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
static int board_ini_sector_item(struct board_ini_parser *p, const char *item, void *arg)
{
    struct vflash_geometry *g = arg;
    uint64_t count = 1;
    uint64_t size;
    const char *size_text = item;
    const char *x = strchr(item, 'x');

    if (x != NULL && !(item[0] == '0' && (item[1] == 'x' || item[1] == 'X'))) {
        char num[24];

        if (!board_text_trim_copy(num, sizeof(num), item, (size_t)(x - item)) ||
            board_text_u64(num, false, &count) < 0 || count == 0 || count > VFLASH_MAX_SECTORS) {
            return board_ini_fail(p, p->line, "bad sector count in '%s'", item);
        }
        size_text = x + 1;
        while (board_text_is_space(*size_text)) {
            size_text++;
        }
    }
    if (board_text_u64(size_text, true, &size) < 0 || size == 0 || size > UINT32_MAX) {
        return board_ini_fail(p, p->line, "bad sector size in '%s'", item);
    }
    if (g->run_count > 0 && g->runs[g->run_count - 1].size == size &&
        g->runs[g->run_count - 1].count + count <= VFLASH_MAX_SECTORS) {
        g->runs[g->run_count - 1].count += (uint32_t)count;
        return 0;
    }
    if (g->run_count == VFLASH_MAX_RUNS) {
        return board_ini_fail(p, p->line, "more than %d runs of sectors", VFLASH_MAX_RUNS);
    }
    g->runs[g->run_count].count = (uint32_t)count;
    g->runs[g->run_count].size = (uint32_t)size;
    g->run_count++;
    return 0;
}

/* One item of a per-size `erase-time-ms`: SIZE:MS. */
static int board_ini_erase_item(struct board_ini_parser *p, const char *item, void *arg)
{
    struct board_ini_erase_spec *spec = arg;
    const char *colon = strchr(item, ':');
    char size_text[24];
    uint64_t size;
    uint64_t us;

    if (colon == NULL ||
        !board_text_trim_copy(size_text, sizeof(size_text), item, (size_t)(colon - item)) ||
        board_text_u64(size_text, true, &size) < 0 || size == 0 || size > UINT32_MAX) {
        return board_ini_fail(p, p->line, "expected SIZE:MILLISECONDS, got '%s'", item);
    }
    colon++;
    while (board_text_is_space(*colon)) {
        colon++;
    }
    if (board_text_milli(colon, &us) < 0 || us * 1000u > BOARD_ERASE_NS_MAX) {
        return board_ini_fail(p, p->line, "bad erase time in '%s'", item);
    }
    for (uint32_t i = 0; i < spec->count; i++) {
        if (spec->sizes[i] == size) {
            return board_ini_fail(p, p->line, "erase time for size %s given twice", size_text);
        }
    }
    if (spec->count == VFLASH_MAX_RUNS) {
        return board_ini_fail(p, p->line, "more than %d erase times", VFLASH_MAX_RUNS);
    }
    spec->sizes[spec->count] = (uint32_t)size;
    spec->ns[spec->count] = us * 1000u;
    spec->count++;
    return 0;
}

/* ---- Keys. ---- */

static int board_ini_flash_key(struct board_ini_parser *p, enum board_ini_key key,
                               const char *value)
{
    struct board_flash *f = &p->board->flash[p->cur_index];
    struct vflash_geometry *g = &f->geom;
    uint64_t v;

    switch (key) {
    case KEY_SECTORS:
        return board_ini_each_item(p, value, board_ini_sector_item, g);
    case KEY_WRITE_UNIT:
        if (board_text_u64(value, false, &v) < 0 || v == 0 || v > VFLASH_MAX_WRITE_UNIT ||
            (v & (v - 1)) != 0) {
            return board_ini_fail(p, p->line, "write-unit must be 1, 2, 4, 8, 16 or 32, got '%s'",
                                  value);
        }
        g->write_unit = (uint32_t)v;
        return 0;
    case KEY_ERASED_VALUE:
        if (board_text_u64(value, false, &v) < 0 || (v != 0xff && v != 0)) {
            return board_ini_fail(p, p->line, "erased-value must be 0xff or 0x00, got '%s'", value);
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
            return board_ini_fail(p, p->line, "semantics must be nor, ecc or no-erase, got '%s'",
                                  value);
        }
        return 0;
    case KEY_PAGE_SIZE:
        if (board_text_u64(value, true, &v) < 0 || v > UINT32_MAX) {
            return board_ini_fail(p, p->line, "bad page-size '%s'", value);
        }
        g->page_size = (uint32_t)v;
        return 0;
    case KEY_PROGRAM_TIME:
        if (board_text_milli(value, &v) < 0 || v > BOARD_PROGRAM_NS_MAX) {
            return board_ini_fail(p, p->line, "bad program-time-us '%s' (microseconds, up to 1e6)",
                                  value);
        }
        g->program_ns_per_unit = v;
        return 0;
    case KEY_ERASE_TIME:
        if (strchr(value, ':') != NULL) {
            p->erase[p->cur_index].per_size = true;
            return board_ini_each_item(p, value, board_ini_erase_item, &p->erase[p->cur_index]);
        }
        if (board_text_milli(value, &v) < 0 || v * 1000u > BOARD_ERASE_NS_MAX) {
            return board_ini_fail(p, p->line, "bad erase-time-ms '%s' (milliseconds, up to 1e6)",
                                  value);
        }
        p->erase[p->cur_index].all_ns = v * 1000u;
        return 0;
    case KEY_ENDURANCE:
        if (board_text_u64(value, false, &v) < 0 || v > UINT32_MAX) {
            return board_ini_fail(p, p->line,
                                  "bad endurance '%s' (erase cycles per sector, "
                                  "0 for unlimited)",
                                  value);
        }
        g->endurance = (uint32_t)v;
        return 0;
    case KEY_BASE:
        if (board_text_u64(value, false, &v) < 0) {
            return board_ini_fail(p, p->line, "bad base address '%s'", value);
        }
        f->base = v;
        return 0;
    default:
        return board_ini_fail(p, p->line, "internal: key %d in [flash]", (int)key);
    }
}

static int board_ini_partition_key(struct board_ini_parser *p, enum board_ini_key key,
                                   const char *value)
{
    struct board_partition *part = &p->board->part[p->cur_index];
    uint64_t v;

    switch (key) {
    case KEY_DEVICE:
        if (!board_valid_name(value)) {
            return board_ini_fail(p, p->line, "bad device name '%s'", value);
        }
        strcpy(p->part_device[p->cur_index], value);
        return 0;
    case KEY_OFFSET:
    case KEY_SIZE:
        if (board_text_u64(value, true, &v) < 0 || v > UINT32_MAX) {
            return board_ini_fail(p, p->line, "bad %s '%s'", key == KEY_OFFSET ? "offset" : "size",
                                  value);
        }
        if (key == KEY_OFFSET) {
            part->off = (uint32_t)v;
        } else if (v == 0) {
            return board_ini_fail(p, p->line, "size must not be 0");
        } else {
            part->size = (uint32_t)v;
        }
        return 0;
    default:
        return board_ini_fail(p, p->line, "internal: key %d in [partition]", (int)key);
    }
}

static int board_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct board_ini_parser *p = user;
    const struct board_ini_key_def *def = NULL;
    struct board_ini_sec_state *st;
    int rc;

    (void)section; /* The reader tracks sections itself, with their line numbers. */
    if (p->err_line != 0) {
        return 0;
    }
    if (p->cur == SEC_NONE) {
        board_ini_fail(p, p->line, "key '%s' outside a section", name);
        return 0;
    }
    for (size_t i = 0; i < sizeof(board_ini_keys) / sizeof(board_ini_keys[0]); i++) {
        if (board_ini_keys[i].section == p->cur && strcmp(board_ini_keys[i].name, name) == 0) {
            def = &board_ini_keys[i];
        }
    }
    if (def == NULL) {
        board_ini_fail(p, p->line, "unknown key '%s' in %s section", name,
                       p->cur == SEC_BOARD   ? "[board]"
                       : p->cur == SEC_FLASH ? "a [flash]"
                                             : "a [partition]");
        return 0;
    }
    st = p->cur == SEC_BOARD   ? &p->board_sec
         : p->cur == SEC_FLASH ? &p->flash_sec[p->cur_index]
                               : &p->part_sec[p->cur_index];
    if (st->key_line[def->key] != 0) {
        board_ini_fail(p, p->line, "duplicate key '%s' (first on line %d)", name,
                       st->key_line[def->key]);
        return 0;
    }
    st->key_line[def->key] = p->line;
    if (value[0] == '\0') {
        board_ini_fail(p, p->line, "empty value for '%s'", name);
        return 0;
    }
    switch (p->cur) {
    case SEC_BOARD:
        if (def->key == KEY_NAME) {
            rc = board_valid_name(value) ? 0
                                         : board_ini_fail(p, p->line, "bad board name '%s'", value);
            if (rc == 0) {
                strcpy(p->board->name, value);
            }
        } else if (def->key == KEY_MAX_SECTORS) {
            rc = board_derive_parse_max_sectors(value, &p->board->max_sectors) == 0
                     ? 0
                     : board_ini_fail(p, p->line, "max-sectors must be 1..%u, got '%s'",
                                      (unsigned)BOARD_DERIVE_MAX_SECTORS, value);
            p->board->max_sectors_line = p->line;
        } else {
            rc = strlen(value) < BOARD_DESC_MAX
                     ? 0
                     : board_ini_fail(p, p->line, "description longer than %d characters",
                                      BOARD_DESC_MAX - 1);
            if (rc == 0) {
                strcpy(p->board->description, value);
            }
        }
        break;
    case SEC_FLASH:
        rc = board_ini_flash_key(p, def->key, value);
        break;
    default:
        rc = board_ini_partition_key(p, def->key, value);
        break;
    }
    return rc < 0 ? 0 : 1;
}

/* ---- Reader: hands inih whole lines, counts them, and registers section headers. ---- */

/* Opens a [flash NAME] section: a new device with the default erased value and semantics. */
static int board_ini_open_flash(struct board_ini_parser *p, const char *name)
{
    struct board_flash *f;

    if (!board_valid_name(name)) {
        return board_ini_fail(p, p->line, "bad flash device name '%s'", name);
    }
    if (board_flash_index(p->board, name) >= 0) {
        return board_ini_fail(p, p->line, "duplicate flash device '%s'", name);
    }
    if (p->board->flash_count == BOARD_MAX_DEVICES) {
        return board_ini_fail(p, p->line, "more than %d flash devices", BOARD_MAX_DEVICES);
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

/* Opens a [partition NAME] section of a known partition seen for the first time. */
static int board_ini_open_partition(struct board_ini_parser *p, const char *name)
{
    int id = board_partition_id(name);

    if (id < 0) {
        return board_ini_fail(p, p->line,
                              "unknown partition '%s' (expected bootloader, image-0-primary, "
                              "image-0-secondary, scratch, image-1-primary or "
                              "image-1-secondary)",
                              name);
    }
    if (p->board->part[id].present) {
        return board_ini_fail(p, p->line, "duplicate partition '%s' (first on line %d)", name,
                              p->board->part[id].line);
    }
    p->board->part[id].present = true;
    p->board->part[id].line = p->line;
    p->cur_index = id;
    p->cur = SEC_PARTITION;
    return 0;
}

/* Registers a section header line (line[0] is '['), or fails with the reason. */
static int board_ini_section_header(struct board_ini_parser *p, const char *line, size_t n)
{
    const char *close = memchr(line, ']', n);
    char inner[2 * BOARD_NAME_MAX + 16];
    char kind[16];
    char name[2 * BOARD_NAME_MAX];
    int words;

    if (close == NULL) {
        return board_ini_fail(p, p->line, "expected ']' to close the section header");
    }
    for (const char *c = close + 1; c < line + n; c++) {
        if (*c == ';' || *c == '#') {
            break;
        }
        if (!board_text_is_space(*c) && *c != '\r' && *c != '\n') {
            return board_ini_fail(p, p->line, "text after the section header");
        }
    }
    if (!board_text_trim_copy(inner, sizeof(inner), line + 1, (size_t)(close - line - 1))) {
        return board_ini_fail(p, p->line, "section header too long");
    }
    words = board_text_split_words(inner, kind, sizeof(kind), name, sizeof(name));
    if (words < 0) {
        return board_ini_fail(p, p->line, "bad section header '[%s]'", inner);
    }
    if (words == 1 && strcmp(kind, "board") == 0) {
        if (p->board->line != 0) {
            return board_ini_fail(p, p->line, "duplicate [board] section (first on line %d)",
                                  p->board->line);
        }
        p->board->line = p->line;
        p->cur = SEC_BOARD;
        return 0;
    }
    if (words == 2 && strcmp(kind, "flash") == 0) {
        return board_ini_open_flash(p, name);
    }
    if (words == 2 && strcmp(kind, "partition") == 0) {
        return board_ini_open_partition(p, name);
    }
    return board_ini_fail(p, p->line,
                          "unknown section '[%s]' (expected [board], [flash NAME] or "
                          "[partition NAME])",
                          inner);
}

static char *board_ini_reader(char *str, int num, void *stream)
{
    struct board_ini_parser *p = stream;
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
        board_ini_fail(p, p->line, "NUL byte in the text");
        return NULL;
    }
    if (n > (size_t)num - 3) {
        board_ini_fail(p, p->line, "line longer than %d characters", num - 4);
        return NULL;
    }
    if (p->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        skip = 3;
    }
    if (n > skip && board_text_is_space(line[skip])) {
        size_t i = skip;

        while (i < n && (board_text_is_space(line[i]) || line[i] == '\r' || line[i] == '\n')) {
            i++;
        }
        if (i < n) {
            board_ini_fail(p, p->line, "indented line (continuation lines are not allowed)");
            return NULL;
        }
    }
    if (n > skip && line[skip] == '[' && board_ini_section_header(p, line + skip, n - skip) < 0) {
        return NULL;
    }
    memcpy(str, line, n);
    str[n] = '\0';
    return str;
}

/* ---- After the text: required keys, erase times, device references, then validation. ---- */

static int board_ini_finish_flash(struct board_ini_parser *p, uint32_t i)
{
    struct board_flash *f = &p->board->flash[i];
    const struct board_ini_sec_state *st = &p->flash_sec[i];
    const struct board_ini_erase_spec *spec = &p->erase[i];
    uint32_t size;

    if (st->key_line[KEY_SECTORS] == 0) {
        return board_ini_fail(p, f->line, "[flash %s] has no 'sectors'", f->name);
    }
    if (st->key_line[KEY_WRITE_UNIT] == 0) {
        return board_ini_fail(p, f->line, "[flash %s] has no 'write-unit'", f->name);
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
            return board_ini_fail(p, st->key_line[KEY_ERASE_TIME],
                                  "no erase time for sectors of %u bytes", run->size);
        }
        if (run->size % f->geom.write_unit != 0) {
            return board_ini_fail(p, st->key_line[KEY_SECTORS],
                                  "sector size %u is not a multiple of the write unit %u",
                                  run->size, f->geom.write_unit);
        }
        if (f->geom.page_size != 0 && run->size % f->geom.page_size != 0) {
            return board_ini_fail(p, st->key_line[KEY_PAGE_SIZE],
                                  "sector size %u is not a multiple of the page size %u", run->size,
                                  f->geom.page_size);
        }
    }
    if (f->geom.page_size != 0 && f->geom.page_size % f->geom.write_unit != 0) {
        return board_ini_fail(p, st->key_line[KEY_PAGE_SIZE],
                              "page-size %u is not a multiple of the write unit %u",
                              f->geom.page_size, f->geom.write_unit);
    }
    if (vflash_geometry_check(&f->geom, &size) < 0) {
        return board_ini_fail(p, st->key_line[KEY_SECTORS],
                              "device larger than 4 GiB - 1 or more than %u sectors",
                              VFLASH_MAX_SECTORS);
    }
    return 0;
}

static int board_ini_finish(struct board_ini_parser *p)
{
    struct board *b = p->board;
    int rc;

    if (b->line == 0) {
        return board_ini_fail(p, 1, "no [board] section");
    }
    if (p->board_sec.key_line[KEY_NAME] == 0) {
        return board_ini_fail(p, b->line, "[board] has no 'name'");
    }
    if (b->flash_count == 0) {
        return board_ini_fail(p, b->line, "no [flash NAME] section");
    }
    for (uint32_t i = 0; i < b->flash_count; i++) {
        rc = board_ini_finish_flash(p, i);
        if (rc < 0) {
            return rc;
        }
    }
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        struct board_partition *part = &b->part[id];
        const struct board_ini_sec_state *st = &p->part_sec[id];
        int dev;

        if (!part->present) {
            continue;
        }
        if (st->key_line[KEY_OFFSET] == 0 || st->key_line[KEY_SIZE] == 0) {
            return board_ini_fail(p, part->line, "[partition %s] needs 'offset' and 'size'",
                                  board_partition_name(id));
        }
        if (st->key_line[KEY_DEVICE] == 0) {
            if (b->flash_count != 1) {
                return board_ini_fail(p, part->line,
                                      "[partition %s] needs 'device' (the board has %u devices)",
                                      board_partition_name(id), b->flash_count);
            }
            dev = 0;
        } else {
            dev = board_flash_index(b, p->part_device[id]);
            if (dev < 0) {
                return board_ini_fail(p, st->key_line[KEY_DEVICE], "no flash device '%s'",
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
    struct board_ini_parser *p;
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

    rc = ini_parse_stream(board_ini_reader, p, board_ini_handler, p);
    if (rc == -2) {
        rc = BO_ENOMEM;
        goto out;
    }
    if (rc > 0 && (p->err_line == 0 || rc < p->err_line)) {
        p->err_line = 0;
        board_ini_fail(p, rc, "syntax error (expected '[section]', 'key = value' or a comment)");
    }
    if (p->err_line != 0) {
        rc = BO_EINVAL;
        goto out;
    }
    rc = board_ini_finish(p);
    if (rc < 0) {
        goto out;
    }
    rc = board_validate(board, err, err_len);
out:
    free(p);
    return rc;
}
