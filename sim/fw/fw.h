/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fw.h
 * \brief The firmware runner (build/bin/brownout-fw): one power-on of one device, in its own
 *        process. brownoutd starts it with uv_spawn for each power-on or reset.
 *
 * The runner maps the device's flash (and ECC maps) from file descriptors it inherits, builds
 * vflash devices over the shared memory and a flash map from the board, runs boot_go_ctx() and
 * then a minimal application: it reports the booted image and answers requests on its pipe
 * until the pipe closes (the daemon powered it off) or the daemon kills it (power cut, reset).
 *
 * Inherited descriptors: FW_PIPE_FD is a bidirectional pipe to the daemon; the flash and ECC map
 * descriptors are named on the command line.
 *
 * Command line (the daemon builds it; `brownout-fw --help` prints it):
 *
 *     brownout-fw --name DEV --board FILE --mode MODE --images N [--key FILE]...
 *                 [--no-validate] [--downgrade-prevention] [--bootloader brownout|mcuboot]
 *                 --flash MEMFD[:ECCFD][,weak=WEAKFD]...  (one per board flash device, in order)
 *                 [--cut-at N --cut-model MODEL [--cut-units K] [--cut-permille P]
 *                  [--cut-seed S]]
 *                 [--seed S] [--max-sectors N] [--net KEY=VALUE]...
 *                 [--flash-fault FLASH,KIND,OFFSET,SIZE,RATE,ERASES,SEED]...
 *
 * --net takes the network keys of a [device] section (config.h: address, psk-identity, psk,
 * certificate, ...). With an address, the application phase is fw_app.h's libuv loop (DTLS
 * server and OTA app); without one, the runner only answers its pipe.
 * WEAKFD is the flash device's shared weak map (vflash_weak.h): the runner's reads see the weak
 * bits earlier runs left, and a weak cut in this run leaves its region there for the next ones.
 * Without it, weak bits live and die with the process.
 * A cut at N fires before flash operation N of this run (counted over all flash devices of the
 * board from 0 at power-on), with the fault model given, exactly as vflash_fault.h describes.
 *
 * Messages from the runner, one JSON object per line:
 *
 *     {"event": "BOOT_DONE", "data": {"slot", "version", "hash", "swap-type", "resumed",
 *                                     "boot-time-ns", "ops", "weak-regions"}}
 *     {"event": "BOOT_FAILED", "data": {"error", "code", "boot-time-ns", "ops", "weak-regions"}}
 *     {"event": "POWER_LOSS", "data": {"op", "fault", "device", "kind", "offset", "phase",
 *                                      "clock-ns"}}
 *     {"reply": ID, "return": {...}}   or   {"reply": ID, "error": TEXT}
 *
 * With a network, fw_app.h adds the events APP_READY, APP_FAILED and RESET_REQUEST and the
 * requests "status" and "set-link".
 *
 * "weak-regions" counts the weak regions the run found in its flash at power-on. BOOT_DONE and
 * BOOT_FAILED also carry "bootloader" (bl->name) and "bootloader-id" (bl->identity(): the tree
 * and variant of upstream MCUboot).
 *
 * Requests to the runner: `{"cmd": "confirm", "id": ID}` (the bootloader's confirm of image 0),
 * `{"cmd": "set-pending", "id": ID, "permanent": BOOL}` (its set_pending of image 0),
 * `{"cmd": "state", "id": ID}` (trailer states of image 0's slots), `{"cmd": "crash"}` or
 * `{"cmd": "crash-segv"}` (a firmware fault by abort() or SIGSEGV, for tests).
 *
 * Exit status: 0 after a power loss, a failed boot or the pipe closing; EX_USAGE, EX_OSERR,
 * EX_SOFTWARE for a runner that could not start (the daemon reports a DEVICE_FAULT).
 */
#ifndef SIM_FW_H
#define SIM_FW_H

#include <stdbool.h>
#include <stdint.h>

#include "bl/bl.h"
#include "board/board.h"
#include "boot/loader.h"
#include "config/daemon_config.h"
#include "fw/fw_fault.h"
#include "vflash/vflash_fault.h"

/** The descriptor of the pipe to the daemon in the runner. */
#define FW_PIPE_FD 3
/** The first descriptor the daemon hands flash mappings on. */
#define FW_FIRST_FLASH_FD 4
/** Longest message line either side sends. */
#define FW_LINE_MAX 65536

/** The runner's arguments. */
struct fw_args {
    char name[BOARD_NAME_MAX];
    char board[CONFIG_PATH_MAX];
    enum boot_mode mode;
    uint32_t images;
    char keys[CONFIG_MAX_KEYS][CONFIG_PATH_MAX];
    uint32_t key_count;
    bool validate_primary;
    bool downgrade_prevention;
    int mem_fd[BOARD_MAX_DEVICES];
    int ecc_fd[BOARD_MAX_DEVICES];  /**< -1 when the device has no ECC map. */
    int weak_fd[BOARD_MAX_DEVICES]; /**< -1 when the device has no shared weak map. */
    uint32_t flash_count;
    bool cut_armed;
    uint64_t cut_at;
    struct vflash_cut cut; /**< op_index is rewritten per device when it fires. */
    int pipe_fd;
    uint64_t seed;                         /**< The device's seed (default of link fault draws). */
    uint32_t max_sectors;                  /**< --max-sectors; 0: the board's (board_derive.h). */
    struct config_net net;                 /**< The device app's network (--net KEY=VALUE). */
    struct fw_fault faults[FW_FAULTS_MAX]; /**< --flash-fault: non-cut faults (fw_fault.h). */
    uint32_t fault_count;
    enum bl_kind bootloader; /**< --bootloader: the program must link it (bl_find()). */
};

/**
 * \brief The text of a failed boot for BOOT_FAILED (fw_boot_error.c): bo_strerror(rc), except
 *        that a primary slot whose header holds the erased value is "no image", not a
 *        malformed one. Reads the active flash map's primary slots.
 * \param image_count  Images the bootloader handles.
 * \param rc           boot_go_ctx()'s error.
 */
const char *fw_boot_error(uint32_t image_count, int rc);

/**
 * \brief Parses the runner's command line.
 * \return 0; BO_EINVAL with a message in err (usage error).
 */
int fw_parse_args(struct fw_args *a, int argc, char **argv, char *err, size_t err_len);

/**
 * \brief Runs one power-on of the device: boot, then the application until the pipe closes.
 * \return The process exit status.
 */
int fw_run(const struct fw_args *a);

/** \brief The name of a swap type as events report it ("none", "test", "perm", ...). */
const char *fw_swap_type_name(uint8_t swap_type);

#endif /* SIM_FW_H */
