/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file board.h
 * \brief Board descriptions: flash devices (geometry, semantics, timing) and the partition map,
 *        read from INI files (docs/boards.md describes the format; fixtures/boards has examples).
 *        board.c holds the model and its checks, board_ini.c the INI reader (board_parse).
 *
 * A parsed board is plain data. Tests may copy one and edit fields (for example the write unit
 * or erased value of a device) before building flash from it with port_flash_map_setup_board();
 * board_validate() re-checks an edited board.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysflash/sysflash.h"
#include "vflash/vflash.h"

/** Most flash devices on one board. */
#define BOARD_MAX_DEVICES 4
/** Longest board or device name, terminator included. */
#define BOARD_NAME_MAX 32
/** Longest description, terminator included. */
#define BOARD_DESC_MAX 160
/** Longest file name kept for messages, terminator included. */
#define BOARD_FILE_MAX 256

/** One flash device of a board. */
struct board_flash {
    char name[BOARD_NAME_MAX];   /**< The NAME of its [flash NAME] section. */
    struct vflash_geometry geom; /**< Geometry, semantics and timing. */
    uint64_t base;               /**< Address of the device in the part's memory map. */
    int line;                    /**< Line of the section header (0 if built by hand). */
};

/** One partition (flash area) of a board. */
struct board_partition {
    bool present;
    uint8_t device; /**< Index into board.flash. */
    uint32_t off;   /**< Offset in the device. */
    uint32_t size;
    int line; /**< Line of the section header (0 if built by hand). */
};

/** A board. */
struct board {
    char name[BOARD_NAME_MAX];
    char description[BOARD_DESC_MAX];
    char file[BOARD_FILE_MAX]; /**< The file (or name) it was parsed from. */
    int line;                  /**< Line of the [board] header (0 if built by hand). */
    struct board_flash flash[BOARD_MAX_DEVICES];
    uint32_t flash_count;
    struct board_partition part[FLASH_AREA_COUNT]; /**< Indexed by FLASH_AREA_* id. */
    uint32_t max_sectors; /**< [board] max-sectors (board_derive.h); 0: the default 128. */
    int max_sectors_line; /**< Line of that key (0 if not given). */
};

/** \brief Initialises an empty board. Cannot fail. */
void board_init(struct board *board);

/**
 * \brief Parses a board from text.
 *
 * \param board    Receives the board (initialised first; on error its contents are unspecified).
 * \param text     The INI text; need not be NUL-terminated; NUL bytes in it are an error.
 * \param len      Its length in bytes.
 * \param name     The name used in messages (a file name), or NULL for "<board>".
 * \param err      Receives "NAME:LINE: reason" on error (always NUL-terminated); may be NULL.
 * \param err_len  Size of err.
 * \return 0, BO_EINVAL for any error in the text, or BO_ENOMEM.
 */
int board_parse(struct board *board, const char *text, size_t len, const char *name, char *err,
                size_t err_len);

/**
 * \brief Reads and parses a board file.
 * \return 0, BO_EINVAL (message "FILE:LINE: reason"), BO_ENOENT or BO_EOS (the file cannot be
 *         read; message "FILE: reason"), or BO_ENOMEM.
 */
int board_load(struct board *board, const char *path, char *err, size_t err_len);

/**
 * \brief Checks a board's consistency: device geometries, partitions inside their device and on
 *        sector boundaries, no overlaps, both slots of image 0, both or neither slot of image 1.
 * \return 0 or BO_EINVAL with "FILE:LINE: reason" in err (LINE of the offending section).
 */
int board_validate(const struct board *board, char *err, size_t err_len);

/**
 * \brief The flash area id of a partition name ("bootloader", "image-0-primary",
 *        "image-0-secondary", "scratch", "image-1-primary", "image-1-secondary").
 * \return The id, or BO_ENOENT.
 */
int board_partition_id(const char *name);

/** \brief Whether s is a valid board or device name: 1 to 31 of [A-Za-z0-9._-]. */
bool board_valid_name(const char *s);

/**
 * \brief Parses a max-sectors value (the [board] key, a device key or an option): a decimal
 *        number 1..max. Here, not in board_derive.c, so that reading a board file needs no
 *        bootloader code (the upstream MCUboot test programs link the port without the core).
 * \return 0, or BO_EINVAL.
 */
int board_parse_max_sectors(const char *s, uint32_t max, uint32_t *out);

/**
 * \brief Formats "FILE:LINE: reason" (or "FILE: reason" when line is 0) into err, the message
 *        form of every board error. err may be NULL; the result is always NUL-terminated.
 */
void board_format_error(char *err, size_t err_len, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** \brief board_format_error() with a va_list. */
void board_vformat_error(char *err, size_t err_len, const char *file, int line, const char *fmt,
                         va_list ap) __attribute__((format(printf, 5, 0)));

/** \brief The partition name of an area id, or NULL. */
const char *board_partition_name(int id);

/**
 * \brief Finds a device by name.
 * \return Its index, or BO_ENOENT.
 */
int board_flash_index(const struct board *board, const char *name);

#endif /* BOARD_H */
