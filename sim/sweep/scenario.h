/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file scenario.h
 * \brief Power-fail sweep scenarios: a board, an upgrade mode, the starting flash (the old
 *        image in each primary slot, the new one in each secondary slot) and the device
 *        application that drives the upgrade, with the outcomes each scenario allows.
 *
 * The application is modelled the way a device behaves: after every boot it looks at what it
 * runs and acts (request the upgrade, confirm, reboot or stay idle). What it knows across boots
 * (that a request or a confirmation completed) lives in struct scenario_app, which a power cut
 * does not erase: a flag is set only once the call that earns it has returned, so a call cut
 * part-way is retried after power-on exactly as a real device would retry it.
 *
 * Lifecycle: scenario_init(), scenario_setup() (loads the board and key, signs the images,
 * builds the starting flash), then any number of runs, scenario_free().
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bl/bl.h"
#include "board/board.h"
#include "board/board_derive.h"
#include "boot/loader.h"
#include "boot/swap_state.h"
#include "image/keys.h"
#include "port_flash_map.h"
#include "sweep/sweep_inputs.h"

/** Images a scenario handles (at most BOOT_IMAGE_MAX). */
#define SCENARIO_IMAGES_MAX 2u

/** The image size meaning "the largest the mode allows" (--image-size max). */
#define SCENARIO_IMAGE_SIZE_MAX UINT32_MAX

/** Default signed image size in bytes (small, so sweeps run fast). */
#define SCENARIO_IMAGE_SIZE_DEFAULT 3072u

/** Most boots one run may take before it counts as a boot loop. */
#define SCENARIO_MAX_BOOTS 8u

/** The scenarios. */
enum scenario_kind {
    SCENARIO_PERM = 0,     /**< Permanent upgrade: request, reboot, runs the new image. */
    SCENARIO_TEST_REVERT,  /**< Test upgrade never confirmed: the next reboot reverts. */
    SCENARIO_TEST_CONFIRM, /**< Test upgrade confirmed by the new image: kept. */
    SCENARIO_MULTI_IMAGE,  /**< Two images, image 0 depends on image 1's new version. */
    SCENARIO_DOWNGRADE,    /**< Older image offered with downgrade prevention: refused. */
    SCENARIO_KIND_COUNT
};

/** Which call of the application is in progress (for the outcomes a cut there allows). */
enum scenario_call {
    SCENARIO_CALL_NONE = 0,
    SCENARIO_CALL_BOOT,    /**< boot_go(). */
    SCENARIO_CALL_REQUEST, /**< boot_set_pending(). */
    SCENARIO_CALL_CONFIRM, /**< boot_set_confirmed(). */
};

/** What the application knows across power cuts. */
struct scenario_app {
    uint8_t policy;    /**< enum scenario_kind whose behaviour the application follows. */
    uint8_t requested; /**< Its upgrade request returned successfully. */
    uint8_t confirmed; /**< Its confirmation returned successfully. */
    uint8_t ran_new;   /**< It has run the new image (test-revert then reboots once). */
    uint8_t in_call;   /**< enum scenario_call in progress. */
    uint8_t app_error; /**< Set when an application call failed (not by a power cut). */
    int app_rc;        /**< That call's error code. */
    uint32_t boots;    /**< Boots of the current run. */
};

/** What the application does after a boot. */
enum scenario_action {
    SCENARIO_IDLE = 0, /**< Nothing more: the run is over. */
    SCENARIO_REBOOT,   /**< Reset (no power loss) and boot again. */
};

/** Identity of a slot's contents. */
enum scenario_ident {
    SCENARIO_ID_EMPTY = 0, /**< No image header. */
    SCENARIO_ID_OLD = 1,   /**< The image the primary held at the start. */
    SCENARIO_ID_NEW = 2,   /**< The image the secondary held at the start. */
    SCENARIO_ID_OTHER = 3, /**< A header, but neither known image byte for byte. */
};

/** Options of a scenario. */
struct scenario_opts {
    enum scenario_kind kind;
    enum boot_mode mode;
    const char *board;         /**< A name under ROOT/fixtures/boards, or a path to an INI file. */
    const char *root;          /**< Repository root for fixtures; NULL: found automatically. */
    const char *key_path;      /**< Signing key, before in.keys; NULL and no in.keys:
                                    ROOT/fixtures/keys/ec256.pem. */
    uint32_t image_size;       /**< Signed image size; 0: default; SCENARIO_IMAGE_SIZE_MAX. */
    bool downgrade_prevention; /**< MCUBOOT_DOWNGRADE_PREVENTION (by version). */
    uint32_t max_sectors;      /**< Status entries per slot; 0: the board's (board_derive.h). */
    bool no_validate_primary;  /**< MCUBOOT_VALIDATE_PRIMARY_SLOT off (a device's policy). */
    uint8_t ecc_torn;          /**< enum vflash_ecc_torn: what a torn ECC unit reads back as
                                    (the fault-model assumption; default erased). */
    struct sweep_inputs_opts in; /**< Keys, the user's images, a replay's inputs. */
    enum bl_kind bootloader;     /**< The bootloader under test (bl.h); default brownout's. */
    uint32_t bl_tree;            /**< Hash of the upstream tree's identity (replay IDs); 0: any
                                      (set by setup from the linked variant). */
};

/** One signed image the scenario knows. */
struct scenario_image {
    uint8_t *data; /**< The signed image, padded to 32 bytes with erased bytes. */
    uint32_t len;  /**< Bytes written to flash. */
    uint32_t size; /**< The signed image's size (header + payload + TLVs). */
    struct image_version ver;
    uint8_t hash[32]; /**< Its SHA-256 image hash (as validation computes it). */
};

/** The state a run ends in, compared against the uninterrupted run of the same outcome. */
struct scenario_final {
    uint8_t run[SCENARIO_IMAGES_MAX]; /**< enum scenario_ident running per image. */
    struct boot_swap_state pri[SCENARIO_IMAGES_MAX];
    struct boot_swap_state sec[SCENARIO_IMAGES_MAX];
    uint8_t pri_id[SCENARIO_IMAGES_MAX]; /**< enum scenario_ident of the primary slot. */
    uint8_t sec_id[SCENARIO_IMAGES_MAX]; /**< Secondary slot ident; +0x10 when found one
                                                 sector in (swap-using-offset). */
};

/** A scenario, ready to run. Read-only once set up: workers share it. */
struct scenario {
    struct scenario_opts opts;
    char root[512];
    char board_path[600];
    char board_name[BOARD_NAME_MAX];
    struct board board;
    struct boot_config cfg;
    const struct bl *bl;    /**< The bootloader every boot and request of a run calls. */
    struct keys_table keys; /**< The trusted keys; the first signs built-in images. */
    uint64_t inputs;        /**< The inputs hash (sweep_inputs.h) of board, keys, images. */
    bool user_images;       /**< The images are the user's (opts.in.image_old/new). */
    uint32_t image_count;
    uint32_t max_align;
    struct board_derived derived;          /**< Settings derived from the board (board_derive.h). */
    uint32_t image_size;                   /**< The size actually used. */
    uint32_t sec_off[SCENARIO_IMAGES_MAX]; /**< Image offset in the secondary. */
    struct scenario_image img[SCENARIO_IMAGES_MAX][2]; /**< [image][0 old, 1 new]. */
    uint8_t *start_mem[BOARD_MAX_DEVICES];             /**< Starting flash of each device. */
    uint8_t *start_ecc[BOARD_MAX_DEVICES];             /**< Its ECC map (ecc semantics). */
    size_t mem_len[BOARD_MAX_DEVICES];
    size_t ecc_len[BOARD_MAX_DEVICES];
    uint32_t dev_count;
};

/** \brief The scenario's name ("perm", "test-revert", ...), or "?". */
const char *scenario_kind_name(enum scenario_kind kind);

/** \brief Parses a scenario name. \return The kind, or BO_EINVAL. */
int scenario_kind_parse(const char *name);

/** \brief Parses an upgrade mode name as boot_mode_name() spells it. \return It or BO_EINVAL. */
int scenario_mode_parse(const char *name);

/** \brief Fills opts with defaults (perm, swap-scratch, nrf52840, default size, prevention). */
void scenario_opts_init(struct scenario_opts *opts);

/** \brief Initialises sc. Cannot fail; scenario_free() is safe afterwards. */
void scenario_init(struct scenario *sc);

/**
 * \brief Builds the scenario: board, key, signed images (deterministic bytes), and the
 *        starting flash. Needs Mbed TLS's platform set up on the calling thread.
 * \param err  Receives a one-line reason on failure.
 * \return 0; BO_EINVAL (bad options, image too large), BO_ENOENT (board or key not found),
 *         BO_ENOTSUP (the board's geometry does not allow the mode), BO_ENOMEM, or another code.
 */
int scenario_setup(struct scenario *sc, const struct scenario_opts *opts, char *err,
                   size_t err_len);

/** \brief Frees what setup allocated. */
void scenario_free(struct scenario *sc);

/**
 * \brief Puts the starting flash into map (a map built from sc->board), settling weak bits and
 *        powering the devices on.
 */
void scenario_restore(const struct scenario *sc, struct port_flash_map *map);

/** \brief The application state at power-on of a fresh run. */
void scenario_app_start(const struct scenario *sc, struct scenario_app *app);

/**
 * \brief What the application does after a boot that ran rsp: it may request the upgrade or
 *        confirm (through the active flash map), then says whether to reboot.
 * \return SCENARIO_IDLE or SCENARIO_REBOOT, or BO_EPOWER when power was cut during its call.
 */
int scenario_app_act(const struct scenario *sc, struct scenario_app *app,
                     const struct boot_rsp *rsp);

/** \brief Whether image's version in rsp is the new image's. */
bool scenario_runs_new(const struct scenario *sc, const struct boot_rsp *rsp, uint32_t image);

/**
 * \brief Identifies what a slot holds by comparing its bytes with the known images (through
 *        the active flash map). \return An enum scenario_ident (+0x10 when found at the
 *        secondary's image offset), or a negative flash error.
 */
int scenario_identify(const struct scenario *sc, uint32_t image, int slot);

/** \brief Reads the final state (active flash map) for the running images of rsp. */
int scenario_final_read(const struct scenario *sc, const struct boot_rsp *rsp,
                        struct scenario_final *fin);

/** \brief Whether a boot may run images of this identity at any point of the scenario. */
bool scenario_boot_allowed(const struct scenario *sc, uint32_t image, int ident);

/** \brief The trailer MA shared by the bootloader and the application API. */
uint32_t scenario_max_align(const struct scenario *sc);

#endif /* SIM_SCENARIO_H */
