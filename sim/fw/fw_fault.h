/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fw_fault.h
 * \brief Non-cut flash faults of a daemon device (docs/faults.md, "In brownoutd"): what the
 *        `fault-inject` command keeps per device and hands each firmware run as
 *        `--flash-fault FLASH,KIND,OFFSET,SIZE,RATE,ERASES,SEED`, and how the run applies them
 *        to its vflash devices.
 */
#ifndef SIM_FW_FAULT_H
#define SIM_FW_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "board/board.h"
#include "vflash/vflash.h"

/** The kinds of non-cut fault. */
enum fw_fault_kind {
    FW_FAULT_ERRORS = 0, /**< Programs and erases in the region fail (BO_EIO). */
    FW_FAULT_DROP,       /**< Programs in the region report success, land nothing. */
    FW_FAULT_BITFLIP,    /**< Reads of the region get one bit flipped. */
    FW_FAULT_WEAROUT,    /**< The region's sectors wear out after `erases` erases. */
    FW_FAULT_KINDS       /**< Number of kinds; not a kind. */
};

/** At most one fault of each kind per flash device. */
#define FW_FAULTS_MAX (BOARD_MAX_DEVICES * FW_FAULT_KINDS)

/** One fault of one flash device. */
struct fw_fault {
    uint32_t flash;  /**< Index of the flash device in the board. */
    uint8_t kind;    /**< enum fw_fault_kind. */
    uint32_t off;    /**< First byte of the region. */
    uint32_t len;    /**< Bytes of the region; 0: up to the end of the device. */
    uint32_t rate;   /**< Each eligible event is hit with probability 1/rate (1: all). */
    uint32_t erases; /**< wearout: erases each sector of the region survives per run. */
    uint64_t seed;   /**< Seed of the random choices (one per flash device: the last set). */
};

/** \brief The kind's name ("errors", "drop", "bitflip", "wearout"), or "unknown". */
const char *fw_fault_kind_name(uint8_t kind);

/** \brief Parses a kind name. \return The kind, or BO_EINVAL. */
int fw_fault_kind_parse(const char *name);

/** \brief Formats f as the --flash-fault argument. \return 0 or BO_ERANGE. */
int fw_fault_format(const struct fw_fault *f, char *buf, size_t len);

/** \brief Parses a --flash-fault argument. \return 0 or BO_EINVAL. */
int fw_fault_parse(const char *s, struct fw_fault *f);

/**
 * \brief Applies the faults to the run's flash devices (before the boot).
 * \return 0, or BO_EINVAL (a fault names no such device or a region outside it).
 */
int fw_fault_apply(struct vflash *const *devs, uint32_t ndev, const struct fw_fault *f,
                   size_t count);

/**
 * \brief A host write (image-load, flash-write) into flash device `flash` under its faults, as a
 *        programmer would see them: a region with errors or a worn-out sector (erases 0) fails
 *        the whole write with BO_EIO before any byte changes; in a drop region each page (or
 *        write unit) hit at the rate is left erased. Then vflash_host_write().
 * \return vflash_host_write()'s result, BO_EIO, or BO_ENOMEM.
 */
int fw_fault_host_write(struct vflash *vf, uint32_t flash, const struct fw_fault *f, size_t count,
                        uint32_t off, const uint8_t *buf, uint32_t len);

/** \brief The faults as JSON for query-status: an array of objects. */
json_t *fw_fault_json(const struct board *board, const struct fw_fault *f, size_t count);

#endif /* SIM_FW_FAULT_H */
