/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file loader.h
 * \brief The bootloader: boot_go() decides, per image, whether to upgrade, revert or resume an
 *        interrupted swap, performs it in the configured upgrade mode, validates the image in
 *        each primary slot and says what to boot.
 *
 * Behaviour and on-flash states follow MCUboot's bootutil (its design document: "High-level
 * operation", "Image Trailer", "Swap Status", "Reset Recovery", the swap modes): the same trailer
 * fields are written in the same order, so a device can move between MCUboot and brownout.
 *
 * Unlike MCUboot, the upgrade mode and the policies are chosen at run time (struct boot_config),
 * so one simulator can host devices of every kind. All state lives in struct boot_loader_state:
 * the core has no globals. boot_go() takes its configuration from the port
 * (port/port_boot.h); boot_go_ctx() takes it from the caller.
 *
 * Power loss: every flash operation may fail with BO_EPOWER, which boot_go() returns at once
 * (the firmware must stop). Every step of a swap is recorded in the status area before the next
 * one starts, so the next boot_go() resumes it to the same end state.
 */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/image_validate.h"
#include "boot/trailer.h"
#include "flash_map_backend/flash_map_backend.h"
#include "config/build_info.h"

/** Most images boot_go() handles (MCUboot's BOOT_IMAGE_NUMBER). */
#define BOOT_IMAGE_MAX 2u

/** Slot numbers, as flash_area_id_from_multi_image_slot() takes them. */
#define BOOT_SLOT_PRIMARY 0
#define BOOT_SLOT_SECONDARY 1

/** Most sectors one slot (or the scratch area) may have: the sector tables' size
 *  (MCUBOOT_MAX_IMG_SECTORS, 128 when unset; derived in config/config_adjust.h). */
#define BOOT_SECTORS_MAX BROWNOUT_CFG_MAX_IMG_SECTORS

/*
 * The buffer of a trailer rewrite and its journal: one byte per status record (at most three
 * per sector), the info region (at most 256 bytes) and a write unit of padding. It is apart
 * from the copy buffer so that a slot of BOOT_SECTORS_MAX sectors can be repaired too (a
 * 1024-byte buffer left torn flags of 512-sector slots unrepaired).
 */
#define BOOT_REC_BUF_SZ (BOOT_SECTORS_MAX * 3u + 256u + 32u)

/** MCUboot's default BOOT_MAX_IMG_SECTORS (and imgtool's --max-sectors default). */
#define BOOT_DEFAULT_MAX_SECTORS 128u

/** MCUboot's default BOOT_MAX_ALIGN. */
#define BOOT_DEFAULT_MAX_ALIGN 8u

/** Upgrade modes (MCUboot's MCUBOOT_OVERWRITE_ONLY / MCUBOOT_SWAP_USING_*). */
enum boot_mode {
    BOOT_MODE_OVERWRITE = 0,    /**< Copy the secondary over the primary; no revert. */
    BOOT_MODE_SWAP_SCRATCH = 1, /**< Swap sector by sector through the scratch area. */
    BOOT_MODE_SWAP_MOVE = 2,    /**< Move the primary up one sector, then swap. */
    BOOT_MODE_SWAP_OFFSET = 3,  /**< Secondary image one sector in; swap with a shift. */
};

/** What a device's bootloader was "compiled" with, chosen at run time. */
struct boot_config {
    enum boot_mode mode;
    uint32_t image_count;         /**< 1 or 2 (the board must have the slots). */
    bool validate_primary;        /**< MCUBOOT_VALIDATE_PRIMARY_SLOT: hash and signature of each
                                      primary image on every boot; off: magic only. */
    bool downgrade_version;       /**< MCUBOOT_DOWNGRADE_PREVENTION: refuse an upgrade to a lower
                                      version (major.minor.revision) than the primary's. */
    bool downgrade_sec_cnt;       /**< ..._SECURITY_COUNTER: refuse a lower security counter. */
    bool allow_unsigned;          /**< Accept images whose hash verifies but no key signs. */
    const struct image_key *keys; /**< Trusted keys; may be NULL when key_count is 0. */
    uint32_t key_count;
    uint32_t max_align;   /**< MCUBOOT_BOOT_MAX_ALIGN: 8, 16 or 32; 0: the smallest
                                      of them that holds the largest write unit. */
    uint32_t max_sectors; /**< BOOT_MAX_IMG_SECTORS: status entries per slot; 0 means
                                      128; at most BOOT_SECTORS_MAX. */
};

/** What to boot (MCUboot's struct boot_rsp, plus what the simulator reports). */
struct boot_rsp {
    struct image_header br_hdr;            /**< Header of image 0 in its primary slot. */
    uint8_t br_flash_dev_id;               /**< Flash device of image 0's primary slot. */
    uint32_t br_image_off;                 /**< Offset of that slot in its device. */
    uint32_t slot;                         /**< Slot booted from: always BOOT_SLOT_PRIMARY. */
    struct image_version version;          /**< Version of image 0. */
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX]; /**< Image 0's hash (when it was validated). */
    uint8_t hash_len;                      /**< 0 when the primary was not validated. */
    uint32_t image_count;                  /**< Images handled. */
    uint8_t swap_type[BOOT_IMAGE_MAX];     /**< Per image, the operation this boot performed or
                                            completed: BOOT_SWAP_TYPE_NONE (1), TEST, PERM,
                                            REVERT or FAIL (trailer_swap_type values). */
    bool resumed[BOOT_IMAGE_MAX];          /**< Per image, whether an interrupted swap was
                                            completed. */
    struct image_version versions[BOOT_IMAGE_MAX]; /**< Per image, the version booted. */
};

/** Progress of a swap (MCUboot's struct boot_status). */
struct boot_status {
    uint32_t idx;         /**< Step number, from 1 (BOOT_STATUS_IDX_0). */
    uint8_t state;        /**< Record within the step, from 1 (BOOT_STATUS_STATE_0). */
    uint8_t op;           /**< enum trailer_status_op (swap-using-move has two phases). */
    uint8_t swap_type;    /**< enum trailer_swap_type being performed. */
    uint8_t source;       /**< enum swap_type_source the status was read from. */
    bool use_scratch;     /**< Swap-using-scratch: status records go to the scratch area. */
    uint32_t swap_size;   /**< Bytes swapped: the larger image of the two slots. */
    uint16_t tlv_size[2]; /**< Swap-using-offset: unprotected TLV area sizes per slot. */
};

/** Sector tables of the current image's slots (and the scratch area). */
struct boot_sectors {
    struct flash_sector pri[BOOT_SECTORS_MAX];
    struct flash_sector sec[BOOT_SECTORS_MAX];
    struct flash_sector scr[BOOT_SECTORS_MAX];
    uint32_t n_pri;
    uint32_t n_sec;
    uint32_t n_scr;
};

/** Per-image state. */
struct boot_image_state {
    struct image_header hdr[2]; /**< Headers read from the slots (at sec_off for secondary). */
    bool hdr_ok[2];             /**< The header's magic is IMAGE_MAGIC. */
    uint32_t sec_off;           /**< Where the secondary's image starts (swap-using-offset). */
    uint8_t swap_type;          /**< Operation decided for this boot. */
    uint8_t performed;          /**< Operation performed or completed (for boot_rsp). */
    bool resumed;               /**< An interrupted swap was completed. */
    bool compatible;            /**< The slots' geometry allows the mode. */
    bool recovered;             /**< This boot swapped a good secondary back (boot_recover.h). */
    bool aborted;               /**< A flash error stopped this boot's upgrade (BO_EIO). */
    struct boot_status bs;
};

/** All state of one boot. Large (sector tables): keep it off small stacks. */
struct boot_loader_state {
    struct boot_config cfg;          /**< Copy of the configuration, defaults filled in. */
    uint32_t cur;                    /**< Image being worked on. */
    const struct flash_area *fa_pri; /**< Areas of the current image (open while working). */
    const struct flash_area *fa_sec;
    const struct flash_area *fa_scr; /**< Swap-using-scratch only. */
    struct trailer_layout lay_pri;
    struct trailer_layout lay_sec;
    struct trailer_layout lay_scr;
    uint32_t write_sz; /**< MCUboot's BOOT_WRITE_SZ: status record size. */
    struct boot_sectors sect;
    struct boot_image_state img[BOOT_IMAGE_MAX];
    struct image_validate_result vres; /**< Result of the last validation. */
    uint8_t buf[1024];                 /**< Copy buffer. */
    uint8_t rec_buf[BOOT_REC_BUF_SZ];  /**< A trailer rewrite's records, info and journal. */
};

/**
 * \brief Boots with the configuration of the calling thread's device (port_boot_config()).
 * \param rsp  Filled on success.
 * \return 0 with rsp filled; BO_ESTATE when the port has no configuration; otherwise as
 *         boot_go_ctx().
 */
int boot_go(struct boot_rsp *rsp);

/**
 * \brief Boots: resumes an interrupted swap, performs a requested upgrade or revert, validates
 *        the primary images and fills rsp.
 * \param state  Work area (contents on entry do not matter).
 * \param cfg    The configuration (copied into state).
 * \param rsp    Filled on success.
 * \return 0; BO_EINVAL for a bad configuration; BO_EBADIMAGE or BO_EBADSIG when a primary
 *         image is missing or fails validation (nothing bootable: the device is bricked);
 *         BO_EPOWER when power was cut (stop at once); another flash error (BO_EIO, ...); or
 *         BO_ENOMEM / BO_ECRYPTO from validation.
 */
int boot_go_ctx(struct boot_loader_state *state, const struct boot_config *cfg,
                struct boot_rsp *rsp);

/**
 * \brief How large an image the mode can install for one image, from the geometry of its slots
 *        (MCUboot's app_max_size(), for the application and the image tool).
 * \param state     Work area.
 * \param cfg       The configuration.
 * \param image     Image number (< cfg->image_count).
 * \param max_size  Receives the largest image in bytes (0 when not compatible).
 * \param why       Receives the reason when not compatible (may be NULL).
 * \return 1 when the slots allow the mode, 0 when not, or a negative error (BO_EINVAL,
 *         BO_ENOENT for a missing area, a flash error).
 */
int boot_image_capacity(struct boot_loader_state *state, const struct boot_config *cfg,
                        uint32_t image, uint32_t *max_size, const char **why);

/**
 * \brief Fills cfg with defaults: swap-using-scratch, one image, validate the primary, no
 *        downgrade prevention, signed images only, no keys, MA automatic (0), 128 sectors.
 *        The one place the defaults are set: the daemon's configuration, the firmware runner
 *        and the sweep's scenarios take theirs from here.
 */
void boot_config_defaults(struct boot_config *cfg);

/** \brief The mode's name: "overwrite", "swap-scratch", "swap-move", "swap-offset". */
const char *boot_mode_name(enum boot_mode mode);

/** \brief The trailer layout mode of an upgrade mode. */
enum trailer_mode boot_mode_trailer_mode(enum boot_mode mode);

#endif /* BOOT_LOADER_H */
