/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "board": the board INI parser (port/linux/board/board_ini.c, inih underneath) and the
 * board model's checks, then, for a board that parses and is small enough, its flash map.
 *
 * Input: the INI text itself (any bytes; NUL bytes must be refused).
 *
 * Oracles besides no crash: every error message has the "NAME:LINE: reason" or "NAME: reason"
 * form and is NUL-terminated; a board that parses passes board_validate(); its names are valid;
 * every partition lies inside its device; the flash map of a board of at most 8 MiB builds, and
 * each area opens and is tiled exactly by its sectors; parsing is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board.h"
#include "flash_map_backend/flash_map_backend.h"
#include "fuzz_common.h"
#include "port_flash_map.h"

#define FUZZ_BOARD_MAX_FLASH (8u * 1024u * 1024u)
#define FUZZ_BOARD_SECTORS 8192u

static struct flash_sector fuzz_board_sectors[FUZZ_BOARD_SECTORS];

static void fuzz_board_check_error(const char *err, size_t len)
{
    fuzz_check(memchr(err, '\0', len) != NULL, "error message not terminated");
    fuzz_check(strncmp(err, "fuzz.ini:", 9) == 0 || strncmp(err, "fuzz.ini: ", 10) == 0,
               "error message does not start with the file name");
}

/* Builds the flash map and checks every area against its sectors. */
static void fuzz_board_map(const struct board *b)
{
    struct port_flash_map map;
    struct port_flash_map *prev;
    uint64_t total = 0;
    uint32_t i;
    int id;

    for (i = 0; i < b->flash_count; i++) {
        uint32_t size = 0;

        fuzz_check(vflash_geometry_check(&b->flash[i].geom, &size) == 0,
                   "valid board with an invalid geometry");
        total += size;
    }
    if (total > FUZZ_BOARD_MAX_FLASH) {
        return;
    }
    port_flash_map_init(&map);
    fuzz_check(port_flash_map_setup_board(&map, b) == 0, "valid board does not build its map");
    prev = port_flash_map_activate(&map);
    for (id = 0; id < FLASH_AREA_COUNT; id++) {
        const struct flash_area *fa;
        uint32_t count = FUZZ_BOARD_SECTORS;
        uint64_t sum = 0;
        uint32_t k;

        if (!b->part[id].present) {
            fuzz_check(flash_area_open((uint8_t)id, &fa) != 0, "absent partition opens");
            continue;
        }
        fuzz_check(flash_area_open((uint8_t)id, &fa) == 0, "partition does not open");
        fuzz_check(fa->fa_size == b->part[id].size && fa->fa_off == b->part[id].off,
                   "area differs from its partition");
        if (flash_area_get_sectors(id, &count, fuzz_board_sectors) == 0) {
            for (k = 0; k < count; k++) {
                fuzz_check(fuzz_board_sectors[k].fs_off == sum, "sectors leave a gap");
                sum += fuzz_board_sectors[k].fs_size;
            }
            fuzz_check(sum == fa->fa_size, "sectors do not tile the area");
        }
        flash_area_close(fa);
    }
    fuzz_check(port_flash_map_open_total(&map) == 0, "an area stayed open");
    port_flash_map_activate(prev);
    port_flash_map_free(&map);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup_once();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct board *b = malloc(sizeof(*b));
    struct board *again = malloc(sizeof(*again));
    char err[256];
    char err2[256];
    int rc;
    int rc2;
    uint32_t i;
    int id;

    fuzz_setup_once();
    if (b == NULL || again == NULL) {
        free(b);
        free(again);
        return 0;
    }
    memset(err, 'x', sizeof(err));
    rc = board_parse(b, (const char *)data, size, "fuzz.ini", err, sizeof(err));
    fuzz_check(rc == 0 || rc == BO_EINVAL || rc == BO_ENOMEM, "unexpected board_parse code");
    rc2 = board_parse(again, (const char *)data, size, "fuzz.ini", err2, sizeof(err2));
    fuzz_check(rc == rc2, "board_parse is not deterministic");
    if (rc != 0) {
        fuzz_board_check_error(err, sizeof(err));
        fuzz_check(strcmp(err, err2) == 0, "board_parse errors are not deterministic");
        fuzz_check(size == 0 || memchr(data, '\0', size) == NULL || rc == BO_EINVAL,
                   "NUL byte accepted");
        goto out;
    }
    fuzz_check(size == 0 || memchr(data, '\0', size) == NULL, "NUL byte accepted");
    fuzz_check(board_validate(b, err, sizeof(err)) == 0, "parsed board does not validate");
    fuzz_check(board_valid_name(b->name), "parsed board has an invalid name");
    fuzz_check(b->flash_count >= 1 && b->flash_count <= BOARD_MAX_DEVICES, "device count");
    for (i = 0; i < b->flash_count; i++) {
        fuzz_check(board_valid_name(b->flash[i].name), "device with an invalid name");
        fuzz_check(board_flash_index(b, b->flash[i].name) == (int)i, "device lookup");
    }
    for (id = 0; id < FLASH_AREA_COUNT; id++) {
        const struct board_partition *p = &b->part[id];
        uint32_t dsize = 0;

        if (!p->present) {
            continue;
        }
        fuzz_check(p->device < b->flash_count, "partition on a missing device");
        (void)vflash_geometry_check(&b->flash[p->device].geom, &dsize);
        fuzz_check((uint64_t)p->off + p->size <= dsize, "partition outside its device");
        fuzz_check(board_partition_id(board_partition_name(id)) == id, "partition names");
    }
    fuzz_check(b->part[FLASH_AREA_IMAGE_0].present && b->part[FLASH_AREA_IMAGE_1].present,
               "parsed board without image 0's slots");
    fuzz_board_map(b);
out:
    free(b);
    free(again);
    return 0;
}
