/* SPDX-License-Identifier: Apache-2.0 */
/* Settings derived from a board (max-align, max-sectors, sector counts, trailer size), and the
 * start check that the board can run a mode: one function every user calls. */
#include "board/board_derive.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot/trailer.h"
#include "port_flash_map.h"

static int board_derive_fail(const struct board *board, char *err, size_t err_len, int line,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Formats "FILE:LINE: reason" for the board and returns BO_EINVAL. */
static int board_derive_fail(const struct board *board, char *err, size_t err_len, int line,
                             const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    board_vformat_error(err, err_len, board->file[0] != '\0' ? board->file : board->name,
                        line > 0 ? line : board->line, fmt, ap);
    va_end(ap);
    return BO_EINVAL;
}

uint32_t board_derive_sector_count(const struct board *board, int area_id)
{
    const struct board_partition *p;
    const struct vflash_geometry *g;
    uint64_t pos = 0;
    uint32_t n = 0;
    uint32_t r;
    uint32_t s;

    if (area_id < 0 || area_id >= FLASH_AREA_COUNT || !board->part[area_id].present) {
        return 0;
    }
    p = &board->part[area_id];
    g = &board->flash[p->device].geom;
    for (r = 0; r < g->run_count; r++) {
        for (s = 0; s < g->runs[r].count; s++) {
            if (pos >= p->off && pos < (uint64_t)p->off + p->size) {
                n++;
            }
            pos += g->runs[r].size;
        }
    }
    return n;
}

/* The write unit of a partition's device, or 1 when the partition is absent. */
static uint32_t board_derive_wu(const struct board *board, int area_id)
{
    if (!board->part[area_id].present) {
        return 1;
    }
    return board->flash[board->part[area_id].device].geom.write_unit;
}

/* Checks the slots of each image and counts their sectors. */
static int board_derive_slots(const struct board *board, enum boot_mode mode, uint32_t images,
                              struct board_derived *out, char *err, size_t err_len)
{
    uint32_t i;
    int slot;

    for (i = 0; i < images; i++) {
        for (slot = 0; slot < 2; slot++) {
            int id = flash_area_id_from_multi_image_slot((int)i, slot);
            uint32_t w;

            if (id < 0 || id >= FLASH_AREA_COUNT || !board->part[id].present) {
                return board_derive_fail(board, err, err_len, 0,
                                         "%u images need a [partition %s], the board has none",
                                         (unsigned)images, board_partition_name(id));
            }
            out->slot_sectors[i][slot] = board_derive_sector_count(board, id);
            w = board_derive_wu(board, id);
            out->write_unit = w > out->write_unit ? w : out->write_unit;
        }
    }
    if (mode == BOOT_MODE_SWAP_SCRATCH) {
        if (!board->part[FLASH_AREA_IMAGE_SCRATCH].present) {
            return board_derive_fail(board, err, err_len, 0,
                                     "swap-scratch needs a [partition scratch], the board has "
                                     "none (use another mode or add one)");
        }
        out->scratch_sectors = board_derive_sector_count(board, FLASH_AREA_IMAGE_SCRATCH);
        if (board_derive_wu(board, FLASH_AREA_IMAGE_SCRATCH) > out->write_unit) {
            out->write_unit = board_derive_wu(board, FLASH_AREA_IMAGE_SCRATCH);
        }
    }
    return 0;
}

/* Checks every slot's sector count against max-sectors (overwrite-only has no status area).
 * explicit: max-sectors came from the caller (a device key or an option), not the board. */
static int board_derive_check_sectors(const struct board *board, enum boot_mode mode,
                                      uint32_t images, bool explicit,
                                      const struct board_derived *out, char *err, size_t err_len)
{
    uint32_t i;
    int slot;

    if (mode == BOOT_MODE_OVERWRITE) {
        return 0;
    }
    for (i = 0; i < images; i++) {
        for (slot = 0; slot < 2; slot++) {
            int id = flash_area_id_from_multi_image_slot((int)i, slot);
            uint32_t n = out->slot_sectors[i][slot];
            int line = !explicit && board->max_sectors_line > 0 ? board->max_sectors_line
                                                                : board->part[id].line;

            if (n > out->max_sectors) {
                return board_derive_fail(
                    board, err, err_len, line,
                    "%s has %u sectors, more than max-sectors %u allows in %s (%s max-sectors "
                    "to %u or more: MCUboot's MCUBOOT_MAX_IMG_SECTORS)",
                    board_partition_name(id), (unsigned)n, (unsigned)out->max_sectors,
                    boot_mode_name(mode),
                    explicit ? "raise the device's or option's" : "set [board]", (unsigned)n);
            }
        }
    }
    return 0;
}

/* The write unit the core uses for image i's trailers: the largest of its areas'. */
static uint32_t board_derive_image_wu(const struct board *board, enum boot_mode mode, uint32_t i)
{
    uint32_t w = board_derive_wu(board, flash_area_id_from_multi_image_slot((int)i, 0));
    uint32_t s = board_derive_wu(board, flash_area_id_from_multi_image_slot((int)i, 1));

    w = s > w ? s : w;
    if (mode == BOOT_MODE_SWAP_SCRATCH) {
        s = board_derive_wu(board, FLASH_AREA_IMAGE_SCRATCH);
        w = s > w ? s : w;
    }
    return w;
}

/*
 * Checks that the core's trailer layout of area id (a slot of image i, or the scratch area)
 * fits in the partition: a trailer larger than the area is refused with its sizes and the
 * max-sectors that would fit.
 */
static int board_derive_check_trailer(const struct board *board, enum boot_mode mode, uint32_t i,
                                      int id, const struct board_derived *out, char *err,
                                      size_t err_len)
{
    const struct board_partition *p = &board->part[id];
    struct trailer_config tc;
    struct trailer_layout lay;
    uint64_t info;
    uint64_t per_sector;
    uint64_t status;

    memset(&tc, 0, sizeof(tc));
    tc.area_size = p->size;
    tc.write_unit = board_derive_image_wu(board, mode, i);
    tc.max_align = out->max_align;
    tc.max_sectors = out->max_sectors;
    tc.mode = boot_mode_trailer_mode(mode);
    tc.role = id == FLASH_AREA_IMAGE_SCRATCH ? TRAILER_ROLE_SCRATCH : TRAILER_ROLE_SLOT;
    tc.erased_val = board->flash[p->device].geom.erased_val;
    if (trailer_layout_init(&lay, &tc) != BO_ERANGE) {
        return 0;
    }
    /* The same sizes as trailer_layout_init(): fields and magic, then the status records. */
    info = (uint64_t)tc.max_align * (mode == BOOT_MODE_SWAP_OFFSET ? 5u : 4u) +
           ((TRAILER_MAGIC_SZ + tc.max_align - 1) / tc.max_align) * tc.max_align;
    per_sector = (uint64_t)(mode == BOOT_MODE_SWAP_OFFSET ? 2u : 3u) * tc.write_unit;
    status = per_sector * (tc.role == TRAILER_ROLE_SCRATCH ? 1u : tc.max_sectors);
    if (tc.role == TRAILER_ROLE_SLOT && p->size > info && (p->size - info) / per_sector > 0) {
        return board_derive_fail(
            board, err, err_len, p->line,
            "[partition %s] (%u bytes) cannot hold the %s trailer of %llu bytes (max-sectors %u "
            "x %u records x %u bytes + %llu): set max-sectors to %llu or less, or enlarge it",
            board_partition_name(id), (unsigned)p->size, boot_mode_name(mode),
            (unsigned long long)(status + info), (unsigned)tc.max_sectors,
            (unsigned)(per_sector / tc.write_unit), (unsigned)tc.write_unit,
            (unsigned long long)info, (unsigned long long)((p->size - info) / per_sector));
    }
    return board_derive_fail(board, err, err_len, p->line,
                             "[partition %s] (%u bytes) cannot hold the %s trailer of %llu "
                             "bytes (write unit %u, max-align %u): enlarge it",
                             board_partition_name(id), (unsigned)p->size, boot_mode_name(mode),
                             (unsigned long long)(status + info), (unsigned)tc.write_unit,
                             (unsigned)tc.max_align);
}

/* Checks the trailer of every slot (and of the scratch area) against its partition's size. */
static int board_derive_check_trailers(const struct board *board, enum boot_mode mode,
                                       uint32_t images, const struct board_derived *out, char *err,
                                       size_t err_len)
{
    uint32_t i;
    int slot;
    int rc = 0;

    for (i = 0; i < images && rc == 0; i++) {
        for (slot = 0; slot < 2 && rc == 0; slot++) {
            rc = board_derive_check_trailer(board, mode, i,
                                            flash_area_id_from_multi_image_slot((int)i, slot), out,
                                            err, err_len);
        }
        if (rc == 0 && mode == BOOT_MODE_SWAP_SCRATCH) {
            rc = board_derive_check_trailer(board, mode, i, FLASH_AREA_IMAGE_SCRATCH, out, err,
                                            err_len);
        }
    }
    return rc;
}

/*
 * Refuses swap-scratch with one sector per slot when the scratch area is ECC flash erased to
 * 0x00 (docs/sweep.md, "Issue 14"): a torn status record of the swap's only step, which lives
 * in the scratch area, can read erased while its unit is programmed; it cannot be written
 * again, and the scratch area holding the only copy of the new image's sector cannot be
 * erased, so the device would be left without a bootable image.
 */
static int board_derive_check_scratch_ecc0(const struct board *board, enum boot_mode mode,
                                           uint32_t images, const struct board_derived *out,
                                           char *err, size_t err_len)
{
    const struct board_partition *scr = &board->part[FLASH_AREA_IMAGE_SCRATCH];
    const struct board_flash *f;
    uint32_t i;

    if (mode != BOOT_MODE_SWAP_SCRATCH || !scr->present) {
        return 0;
    }
    f = &board->flash[scr->device];
    if (f->geom.semantics != VFLASH_ECC || f->geom.erased_val != 0x00) {
        return 0;
    }
    for (i = 0; i < images; i++) {
        if (out->slot_sectors[i][0] == 1 || out->slot_sectors[i][1] == 1) {
            return board_derive_fail(
                board, err, err_len, f->line,
                "swap-scratch with one sector per slot is refused on ECC flash erased to 0x00 "
                "([flash %s]): a torn status record in the scratch area can leave no bootable "
                "image (use more sectors per slot, another mode or erased-value 0xff)",
                f->name);
        }
    }
    return 0;
}

int board_derive(const struct board *board, enum boot_mode mode, uint32_t images,
                 uint32_t max_sectors, struct board_derived *out, char *err, size_t err_len)
{
    int rc;

    memset(out, 0, sizeof(*out));
    out->write_unit = 1;
    if (images == 0 || images > BOOT_IMAGE_MAX || (unsigned)mode > BOOT_MODE_SWAP_OFFSET) {
        return board_derive_fail(board, err, err_len, 0, "bad mode or image count");
    }
    out->max_sectors = max_sectors != 0          ? max_sectors
                       : board->max_sectors != 0 ? board->max_sectors
                                                 : BOOT_DEFAULT_MAX_SECTORS;
    if (out->max_sectors > BOARD_DERIVE_MAX_SECTORS) {
        return board_derive_fail(board, err, err_len, board->max_sectors_line,
                                 "max-sectors %u is above the build's %u (MCUBOOT_MAX_IMG_SECTORS)",
                                 (unsigned)out->max_sectors, (unsigned)BOARD_DERIVE_MAX_SECTORS);
    }
    rc = board_derive_slots(board, mode, images, out, err, err_len);
    if (rc < 0) {
        goto out;
    }
    out->max_align = out->write_unit <= 8 ? 8u : out->write_unit <= 16 ? 16u : 32u;
    rc = trailer_imgtool_size(out->write_unit, out->max_align, out->max_sectors,
                              mode == BOOT_MODE_OVERWRITE, &out->trailer_size);
    if (rc < 0) {
        rc = board_derive_fail(board, err, err_len, 0, "no trailer size for write unit %u",
                               (unsigned)out->write_unit);
        goto out;
    }
    rc = board_derive_check_sectors(board, mode, images, max_sectors != 0, out, err, err_len);
    if (rc == 0) {
        rc = board_derive_check_trailers(board, mode, images, out, err, err_len);
    }
    if (rc == 0) {
        rc = board_derive_check_scratch_ecc0(board, mode, images, out, err, err_len);
    }
out:
    return rc;
}

void board_derive_apply(const struct board_derived *d, struct boot_config *cfg)
{
    cfg->max_align = d->max_align;
    cfg->max_sectors = d->max_sectors;
}

/* Asks the core whether each image's slots allow the mode, on the board's flash in RAM. */
static int board_derive_capacity(const struct board *board, const struct boot_config *cfg,
                                 char *err, size_t err_len)
{
    struct boot_loader_state *st = calloc(1, sizeof(*st));
    struct port_flash_map map;
    struct port_flash_map *prev;
    uint32_t i;
    int rc;

    port_flash_map_init(&map);
    if (st == NULL) {
        return BO_ENOMEM;
    }
    rc = port_flash_map_setup_board(&map, board);
    if (rc < 0) {
        goto out;
    }
    prev = port_flash_map_activate(&map);
    for (i = 0; i < cfg->image_count && rc == 0; i++) {
        uint32_t cap = 0;
        const char *why = NULL;

        rc = boot_image_capacity(st, cfg, i, &cap, &why);
        if (rc == 0) {
            rc = board_derive_fail(board, err, err_len, 0, "the board cannot run %s (image %u): %s",
                                   boot_mode_name(cfg->mode), (unsigned)i,
                                   why != NULL ? why : "incompatible slots");
        } else if (rc > 0) {
            rc = 0;
        } else {
            board_derive_fail(board, err, err_len, 0, "cannot check image %u's slots: %s",
                              (unsigned)i, bo_strerror(rc));
        }
    }
    port_flash_map_activate(prev);
out:
    port_flash_map_free(&map);
    free(st);
    return rc;
}

int board_derive_check(const struct board *board, uint32_t max_sectors, struct boot_config *cfg,
                       struct board_derived *out, char *err, size_t err_len)
{
    struct board_derived d;
    int rc = board_derive(board, cfg->mode, cfg->image_count, max_sectors, &d, err, err_len);

    if (rc < 0) {
        goto out;
    }
    board_derive_apply(&d, cfg);
    rc = board_derive_capacity(board, cfg, err, err_len);
out:
    if (out != NULL) {
        *out = d;
    }
    return rc;
}
