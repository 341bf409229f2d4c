/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_fixture.h
 * \brief Test support for the bootloader: a board's flash in RAM, signed images of any version,
 *        size and dependencies written into slots, boots, the application API between boots,
 *        flash snapshots and power cuts before a chosen flash operation.
 *
 * Usage: bf_global_setup() once per test program (Mbed TLS platform, RNG, a trusted and an
 * untrusted ECDSA P-256 key), then per scenario bf_board_text() or bf_board_file(), edit the
 * board if wanted, bf_start(), install images, bf_boot(), ..., bf_stop().
 */
#ifndef TESTS_SUPPORT_BOOT_FIXTURE_H
#define TESTS_SUPPORT_BOOT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "boot/loader.h"
#include "boot/swap_state.h"
#include "port_flash_map.h"
#include "vflash/vflash_fault.h"

/** A running fixture. */
struct bf {
    struct board board;
    struct port_flash_map map;
    struct port_flash_map *prev_map;
    struct boot_config cfg;
    const struct boot_config *prev_cfg;
    struct boot_loader_state *state; /**< Heap-allocated (large). */
    uint64_t ops;                    /**< Flash operations seen by the hook since bf_reset_ops. */
    int64_t cut_at;                  /**< Cut power before this operation; -1: never. */
    bool cut;                        /**< A cut happened. */
    bool cut_modelled;               /**< The cut at cut_at applies cut_model (not a hook cut). */
    enum vflash_cut_model cut_model; /**< Fault model of a modelled cut. */
    uint64_t cut_seed;               /**< Seed of a modelled cut. */
};

/** What image to build. */
struct bf_image {
    struct image_version ver;
    uint32_t payload_len; /**< Payload bytes (pseudo-random from seed). */
    uint32_t total_len;   /**< When not 0: size the payload so the image is exactly this. */
    uint32_t seed;
    bool has_sec_cnt;
    uint32_t sec_cnt;
    uint32_t dep_count;
    struct image_dependency deps[2];
    bool untrusted;    /**< Sign with a key the bootloader does not trust. */
    bool corrupt;      /**< Flip a payload byte after signing (bad hash). */
    bool no_key;       /**< Hash only, no signature. */
    bool non_bootable; /**< Set IMAGE_F_NON_BOOTABLE. */
};

/** A copy of all flash of a fixture. */
struct bf_snap {
    uint8_t *mem[PORT_FLASH_MAP_MAX_DEVICES];
    uint8_t *ecc[PORT_FLASH_MAP_MAX_DEVICES];
    size_t mem_len[PORT_FLASH_MAP_MAX_DEVICES];
    size_t ecc_len[PORT_FLASH_MAP_MAX_DEVICES];
    uint32_t count;
};

/** \brief Mbed TLS platform, RNG and keys for the whole program. \return 0 or -1. */
int bf_global_setup(void);

/** \brief Releases what bf_global_setup() made. */
void bf_global_teardown(void);

/** \brief Parses a board from INI text. \return 0 or a bo_err code (message printed). */
int bf_board_text(struct board *b, const char *ini);

/** \brief Loads fixtures/boards/NAME.ini. \return 0 or a bo_err code. */
int bf_board_file(struct board *b, const char *name);

/**
 * \brief Builds the flash of board in RAM (all erased), activates it and a boot configuration
 *        of mode (validate primary, the trusted key, MA 0 = automatic).
 */
int bf_start(struct bf *f, const struct board *b, enum boot_mode mode, uint32_t image_count);

/** \brief Deactivates and frees everything. */
void bf_stop(struct bf *f);

/** \brief Fills img with version major.minor.rev and a payload of len bytes. */
void bf_image_init(struct bf_image *img, uint8_t major, uint8_t minor, uint16_t rev, uint32_t len);

/**
 * \brief Signs an image (malloc'd, padded to 32 bytes with the erased value of area_id).
 * \return 0 or a bo_err code.
 */
int bf_make_image(struct bf *f, const struct bf_image *o, uint8_t erased_val, uint8_t **out,
                  size_t *out_len);

/**
 * \brief Erases slot (0 primary, 1 secondary) of image and writes the image built from o at the
 *        slot's image offset (one sector in for the swap-using-offset secondary).
 */
int bf_install(struct bf *f, uint32_t image, int slot, const struct bf_image *o);

/** \brief Writes raw bytes at off of an area (erasing nothing). */
int bf_write_raw(struct bf *f, int area_id, uint32_t off, const void *data, uint32_t len);

/** \brief Erases an area whole. */
int bf_erase_area(struct bf *f, int area_id);

/** \brief Offset of the image in the secondary slot of image (swap-using-offset: a sector). */
uint32_t bf_secondary_offset(struct bf *f, uint32_t image);

/** \brief boot_go() with the fixture's configuration. */
int bf_boot(struct bf *f, struct boot_rsp *rsp);

/** \brief boot_set_pending_multi_cfg() for the fixture's MA. */
int bf_set_pending(struct bf *f, uint32_t image, bool permanent);

/** \brief boot_set_confirmed_multi_cfg() for the fixture's MA. */
int bf_set_confirmed(struct bf *f, uint32_t image);

/** \brief The trailer state of an area, with the fixture's MA and mode. */
int bf_swap_state(struct bf *f, int area_id, struct boot_swap_state *st);

/** \brief The MA the bootloader uses (max(8, largest write unit) unless configured). */
uint32_t bf_max_align(struct bf *f, uint32_t image);

/**
 * \brief Largest image for the mode and whether the slots are compatible.
 * \return 1 compatible (with *max set), 0 not (with *why set), or a negative error.
 */
int bf_capacity(struct bf *f, uint32_t image, uint32_t *max, const char **why);

/** \brief SHA-256 of the first len bytes of an area at off. */
int bf_hash_area(struct bf *f, int area_id, uint32_t off, uint32_t len, uint8_t out[32]);

/** \brief Copies all flash. */
int bf_snapshot(struct bf *f, struct bf_snap *s);

/**
 * \brief Puts flash back as it was at the snapshot (and powers the devices on). Weak bits a
 *        modelled cut left are settled (a snapshot does not carry them).
 */
void bf_restore(struct bf *f, const struct bf_snap *s);

/** \brief Frees a snapshot. */
void bf_snap_free(struct bf_snap *s);

/** \brief Whether the flash equals a snapshot. */
bool bf_snap_equal(struct bf *f, const struct bf_snap *s);

/** \brief Zeroes the operation counter. */
void bf_reset_ops(struct bf *f);

/** \brief Cuts power before operation n (counted from bf_reset_ops); -1 disables. */
void bf_cut_at(struct bf *f, int64_t n);

/**
 * \brief Cuts power at operation n (counted from bf_reset_ops, board-wide over every device)
 *        with a fault model of vflash_fault.h: the hook arms a vflash cut of that model and
 *        seed for the very operation, on the device it belongs to. `before` gives the same
 *        flash as bf_cut_at(). -1 disables.
 */
void bf_cut_model_at(struct bf *f, int64_t n, enum vflash_cut_model model, uint64_t seed);

/** \brief Restores power after a cut (and disables the cut). */
void bf_power_on(struct bf *f);

#endif /* TESTS_SUPPORT_BOOT_FIXTURE_H */
