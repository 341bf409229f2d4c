/* SPDX-License-Identifier: Apache-2.0 */
/* Boards: partition names, consistency checks, loading board files (board_ini.c parses them). */
#include "board/board.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

/* Largest board file board_load() reads. */
#define BOARD_FILE_LIMIT (1024u * 1024u)

static const char *const board_part_names[FLASH_AREA_COUNT] = {
    [FLASH_AREA_BOOTLOADER] = "bootloader",     [FLASH_AREA_IMAGE_0] = "image-0-primary",
    [FLASH_AREA_IMAGE_1] = "image-0-secondary", [FLASH_AREA_IMAGE_SCRATCH] = "scratch",
    [FLASH_AREA_IMAGE_2] = "image-1-primary",   [FLASH_AREA_IMAGE_3] = "image-1-secondary",
};

void board_vformat_error(char *err, size_t err_len, const char *file, int line, const char *fmt,
                         va_list ap)
{
    int n;

    if (err == NULL || err_len == 0) {
        return;
    }
    if (file == NULL) {
        file = "<board>";
    }
    if (line > 0) {
        n = snprintf(err, err_len, "%s:%d: ", file, line);
    } else {
        n = snprintf(err, err_len, "%s: ", file);
    }
    if (n < 0 || (size_t)n >= err_len) {
        return;
    }
    vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
}

void board_format_error(char *err, size_t err_len, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    board_vformat_error(err, err_len, file, line, fmt, ap);
    va_end(ap);
}

static int board_vfail(const struct board *board, char *err, size_t err_len, int line,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int board_vfail(const struct board *board, char *err, size_t err_len, int line,
                       const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    board_vformat_error(err, err_len, board->file[0] != '\0' ? board->file : "<board>", line, fmt,
                        ap);
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

/* A name of a board or device: 1..BOARD_NAME_MAX-1 of [A-Za-z0-9._-]. */
bool board_valid_name(const char *s)
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

/* Whether a partition starts (start_ok) and ends (end_ok) on sector boundaries of device f. */
static void board_sector_bounds(const struct board_flash *f, const struct board_partition *a,
                                bool *start_ok, bool *end_ok)
{
    uint32_t pos = 0;

    *start_ok = false;
    *end_ok = false;
    for (uint32_t r = 0; r < f->geom.run_count; r++) {
        for (uint32_t s = 0; s < f->geom.runs[r].count; s++) {
            *start_ok = *start_ok || pos == a->off;
            *end_ok = *end_ok || pos == a->off + a->size;
            pos += f->geom.runs[r].size;
        }
    }
    *end_ok = *end_ok || pos == a->off + a->size;
}

/*
 * Checks present partition id: on an existing device, inside it, on its sector boundaries, and
 * overlapping no partition of a lower id. dev_size: the size of each device.
 */
static int board_check_partition(const struct board *board, int id, const uint32_t *dev_size,
                                 char *err, size_t err_len)
{
    const struct board_partition *a = &board->part[id];
    const char *an = board_part_names[id];
    const struct board_flash *f;
    bool start_ok;
    bool end_ok;

    if (a->device >= board->flash_count) {
        return board_vfail(board, err, err_len, a->line, "partition '%s' names device %u", an,
                           a->device);
    }
    f = &board->flash[a->device];
    if (a->size == 0 || a->off > dev_size[a->device] || a->size > dev_size[a->device] - a->off) {
        return board_vfail(board, err, err_len, a->line,
                           "partition '%s' (0x%x + 0x%x) does not fit in device '%s' "
                           "(0x%x bytes)",
                           an, a->off, a->size, f->name, dev_size[a->device]);
    }
    board_sector_bounds(f, a, &start_ok, &end_ok);
    if (!start_ok || !end_ok) {
        return board_vfail(board, err, err_len, a->line,
                           "partition '%s' (0x%x + 0x%x) does not %s on a sector "
                           "boundary of '%s'",
                           an, a->off, a->size, start_ok ? "end" : "start", f->name);
    }
    for (int other = 0; other < id; other++) {
        const struct board_partition *b = &board->part[other];

        if (b->present && b->device == a->device && a->off < b->off + b->size &&
            b->off < a->off + a->size) {
            return board_vfail(board, err, err_len, a->line > b->line ? a->line : b->line,
                               "partitions '%s' and '%s' overlap", board_part_names[other], an);
        }
    }
    return 0;
}

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
                               "flash device '%s' has an invalid geometry", board->flash[i].name);
        }
    }
    for (int id = 0; id < FLASH_AREA_COUNT && rc == 0; id++) {
        if (board->part[id].present) {
            rc = board_check_partition(board, id, dev_size, err, err_len);
        }
    }
    if (rc < 0) {
        return rc;
    }
    if (!board->part[FLASH_AREA_IMAGE_0].present || !board->part[FLASH_AREA_IMAGE_1].present) {
        int line = board->part[FLASH_AREA_IMAGE_0].present   ? board->part[FLASH_AREA_IMAGE_0].line
                   : board->part[FLASH_AREA_IMAGE_1].present ? board->part[FLASH_AREA_IMAGE_1].line
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
