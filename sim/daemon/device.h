/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file device.h
 * \brief A simulated device in brownoutd: its board, its flash in shared mappings owned by the
 *        daemon, and its firmware runs (one brownout-fw child per power-on) on a libuv loop.
 *
 * Flash: each board flash device is a MAP_SHARED mapping of its backing file (or of a memfd
 * with flash-in-ram), sized to the board; ECC parts have an ECC map next to it (FILE.ecc, also
 * shared). A new or --flash-erase'd file starts erased and receives the configured images.
 * Every completed flash operation of the firmware is in the file, even if the daemon dies.
 * Each flash device also has a weak map (vflash_weak.h) in a memfd shared the same way: the
 * unstable bits a `weak` power cut leaves stay unstable for the next runs, the daemon's host
 * reads (device_flash_read()) and writes, until erased or rewritten. Weak maps live in RAM
 * only: a restarted daemon finds every bit settled.
 * The daemon's own vflash devices over the same memory serve host access (flash-read/write,
 * image-load, FUSE): host writes are vflash_host_write() (a programmer, no device operation).
 *
 * Lifecycle: OFF --power_on--> BOOTING --BOOT_DONE--> RUNNING; BOOTING --BOOT_FAILED--> HALTED;
 * any run --power_off--> OFF; --reset--> (RESET) BOOTING; --cut (now, or at op N of the next
 * run)--> OFF (POWER_LOSS), then an automatic power-on after the configured delay unless the
 * device is manual; a run that dies by a signal or a bad exit --> FAULT (DEVICE_FAULT).
 * The end of a run is handled once both the child exited and its pipe reached EOF, so its
 * last message is never lost.
 *
 * Events go to the emitter given at setup: POWER_ON, POWER_OFF, RESET, BOOT_DONE, BOOT_FAILED,
 * POWER_LOSS, DEVICE_FAULT, and for a device with a network (cfg.net) APP_READY, APP_FAILED and
 * RESET_REQUEST; each data object has "device". A RESET_REQUEST (the app's POST /reboot) is
 * followed by a reset exactly like device_reset().
 */
#ifndef SIM_DEVICE_H
#define SIM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "board/board.h"
#include "config/daemon_config.h"
#include "fw/fw_fault.h"
#include "port_flash_map.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"

/** The states of a device. */
enum device_state {
    DEVICE_OFF = 0, /**< No power. */
    DEVICE_BOOTING, /**< The bootloader runs. */
    DEVICE_RUNNING, /**< The app runs. */
    DEVICE_HALTED,  /**< The bootloader found nothing to boot and stopped. */
    DEVICE_FAULT,   /**< The firmware crashed. */
};

/** \brief Receives a device's events; data is taken over. */
typedef void (*device_emit_fn)(void *arg, const char *event, json_t *data, uint64_t clock_ns);

/** \brief Completes a request to the firmware: result or error text (one is NULL). */
typedef void (*device_reply_fn)(void *arg, json_t *result, const char *error);

/** One flash device of a device. */
struct device_flash {
    char name[BOARD_NAME_MAX];
    char path[CONFIG_PATH_MAX]; /**< Backing file, or "" in RAM. */
    int fd;
    int ecc_fd;      /**< -1 without ECC semantics. */
    int lock_fd;     /**< The backing file's exclusive lock (flock), or -1 in RAM. */
    int ecc_lock_fd; /**< The ECC map's lock, or -1. */
    uint8_t *mem;
    size_t size;
    uint8_t *ecc;
    size_t ecc_len;
    int weak_fd; /**< The shared weak map (memfd), or -1. */
    uint8_t *weak;
    size_t weak_len;
    bool fresh;       /**< Started erased (new file, erase asked, or RAM). */
    struct vflash vf; /**< The daemon's view, for host access. */
};

/** Requests to the firmware waiting for their reply, per device. */
#define DEVICE_PENDING_MAX 64
/** Bytes of requests queued to a firmware that does not read them before new ones are refused. */
#define DEVICE_WRITE_QUEUE_MAX ((size_t)64 * 1024)
/** Default time a request to the firmware may take (milliseconds). */
#define DEVICE_REQUEST_TIMEOUT_MS 5000u

/** The error text a request gets when it timed out (compare the pointer). */
extern const char device_error_timeout[];

/** A power cut armed for the next run. */
struct device_cut {
    bool armed;
    uint64_t at; /**< Operation of the run (from 0 at power-on). */
    struct vflash_cut cut;
};

struct device_run;
struct device_pending;
struct spawner;

/** What the daemon asked when it killed a run. */
enum device_next {
    DEVICE_NEXT_NONE = 0,
    DEVICE_NEXT_OFF,
    DEVICE_NEXT_RESET,
    DEVICE_NEXT_CUT,
    DEVICE_NEXT_CLOSE,
};

/** A device. Fields are read-only outside device.c. */
struct device {
    struct config_device cfg;
    struct board board;
    struct device_flash flash[BOARD_MAX_DEVICES];
    uint32_t flash_count;
    struct port_flash_map map; /**< Over the daemon's views. */
    uv_loop_t *loop;
    char firmware[CONFIG_PATH_MAX];
    enum device_state state;
    struct device_run *run;  /**< The firmware run, or NULL. */
    struct spawner *spawner; /**< Starts runs off the loop (the daemon's), or NULL. */
    enum device_next next;   /**< Set when the daemon killed the run. */
    struct device_cut cut;
    struct fw_fault flash_faults[FW_FAULTS_MAX]; /**< fault-inject: for every next run. */
    uint32_t flash_fault_count;
    uv_timer_t *timer; /**< Automatic power-on; heap, closed through libuv. */
    json_t *last_boot; /**< Data of the last BOOT_DONE or BOOT_FAILED, or NULL. */
    json_t *last_loss; /**< Data of the last POWER_LOSS, or NULL. */
    json_t *app;       /**< Data of this run's APP_READY or APP_FAILED, or NULL. */
    uint64_t boots;
    uint64_t power_losses;
    uint64_t faults;
    uint64_t resets;
    uint64_t reset_requests; /**< Resets the app asked for (RESET_REQUEST). */
    uint64_t next_req_id;
    struct device_pending *pending;
    size_t n_pending;            /**< Requests in pending (at most DEVICE_PENDING_MAX). */
    uint32_t request_timeout_ms; /**< A request unanswered this long fails with a timeout. */
    uv_timer_t *req_timer;       /**< Expires pending requests; heap, closed through libuv. */
    void (*req_timer_closed)(struct device *dev); /**< Called once req_timer is closed. */
    bool lost; /**< A backing file shrank: faulted until a restart. */
    device_emit_fn emit;
    void *emit_arg;
    bool closing;
    void (*on_closed)(struct device *dev);
};

/** \brief Initialises an empty device. Cannot fail; device_free() is safe afterwards. */
void device_init(struct device *dev);

/**
 * \brief Loads the board, maps (and creates or erases) the flash, writes the configured images
 *        into flash that starts erased, builds the daemon's views. Does not power on.
 * \param err  Receives a one-line reason ("FILE:LINE: ..." for board errors).
 * \return 0; BO_EINVAL (bad board, file of the wrong size, bad image), BO_EOS, BO_ENOMEM.
 */
int device_setup(struct device *dev, uv_loop_t *loop, const struct config_device *cfg,
                 const char *firmware, device_emit_fn emit, void *emit_arg, char *err,
                 size_t err_len);

/**
 * \brief Starts the shutdown of the device: kills its run and closes its handles; on_closed is
 *        called once every handle is closed (possibly before this returns).
 */
void device_close(struct device *dev, void (*on_closed)(struct device *dev));

/** \brief Flushes and unmaps the flash, closes files. Call after device_close() completed. */
void device_free(struct device *dev);

/** \brief Writes every mapping back to its file (msync). */
void device_flush(struct device *dev);

/** \brief Powers on. \return 0, BO_ESTATE (already on or closing), BO_EOS (spawn failed). */
int device_power_on(struct device *dev);

/** \brief Powers off (kills the run). \return 0 or BO_ESTATE (off already). */
int device_power_off(struct device *dev);

/** \brief Resets: kills the run and starts a new one. Powers on an off device. \return 0. */
int device_reset(struct device *dev);

/**
 * \brief Cuts power now (the run dies where it is).
 * \return 0 or BO_ESTATE (off already).
 */
int device_cut_now(struct device *dev);

/** \brief Arms a cut at operation at of the next run (replacing an armed one). */
void device_arm_cut(struct device *dev, uint64_t at, const struct vflash_cut *cut);

/**
 * \brief Sends a request to the running firmware ("confirm", "state", "crash").
 * \return 0 (cb will be called exactly once, with an error if the run ends first), or
 *         BO_ESTATE when the app is not running (cb not called).
 */
int device_request(struct device *dev, const char *cmd, device_reply_fn cb, void *arg);

/**
 * \brief device_request() with more members in the request object.
 * \param extra  Members merged into the request (not taken over); NULL for none.
 */
int device_request_args(struct device *dev, const char *cmd, json_t *extra, device_reply_fn cb,
                        void *arg);

/**
 * \brief device_request_args() on behalf of an owner (a control client id, 0 for none), whose
 *        requests device_request_cancel() can drop.
 *
 * Every request completes exactly once: with the firmware's reply, with an error when the run
 * ends, or with device_error_timeout after request_timeout_ms.
 * \return 0; BO_ESTATE (the app is not running); BO_EBUSY (DEVICE_PENDING_MAX requests wait, or
 *         the firmware does not read its pipe); BO_ENOMEM.
 */
int device_request_owned(struct device *dev, const char *cmd, json_t *extra, uint64_t owner,
                         device_reply_fn cb, void *arg);

/** \brief Completes every pending request of owner with an error (its client left). */
void device_request_cancel(struct device *dev, uint64_t owner);

/**
 * \brief Checks the flash backing files: one that shrank (or a SIGBUS the guard caught) faults
 *        the device for good (a DEVICE_FAULT event once, its run killed, no more power-on).
 * \return Whether the device's flash is lost.
 */
bool device_flash_lost(struct device *dev);

/**
 * \brief Sets the link faults of the device's network: kept for its next runs, and handed to
 *        the running app (cb receives its reply) when it runs with a network.
 * \param spec  A link_fault_parse() specification ("" or "none": no faults).
 * \return 0 with cb pending; 1 when only kept (no app running; cb not called); BO_EINVAL (bad
 *         spec, reason in err); BO_ENOTSUP (the device has no network).
 */
int device_set_link(struct device *dev, const char *spec, device_reply_fn cb, void *arg, char *err,
                    size_t err_len);

/** \brief The device's status as a JSON object (new reference, NULL on ENOMEM). */
json_t *device_status_json(const struct device *dev);

/** \brief Its flash devices as a JSON array (new reference). */
json_t *device_flash_json(const struct device *dev);

/** \brief The name of a state ("off", "booting", "running", "halted", "fault"). */
const char *device_state_name(enum device_state state);

/** \brief Finds a flash device by name ("" or NULL: the first). \return It, or NULL. */
struct device_flash *device_find_flash(struct device *dev, const char *name);

/**
 * \brief Writes an image into a slot as a programmer: the slot is erased whole, then the image
 *        is written at the slot's start (one sector in for the secondary of swap-using-offset).
 * \return 0; BO_ENOENT (no such slot on the board); BO_ERANGE (too large); a vflash error.
 */
int device_image_load(struct device *dev, int area_id, const uint8_t *data, size_t len);

/**
 * \brief The area of a slot in its flash device.
 * \return 0 with *fl, *off, *size set; BO_ENOENT when the board lacks the slot.
 */
int device_slot(struct device *dev, int area_id, struct device_flash **fl, uint32_t *off,
                uint32_t *size);

/**
 * \brief Reads flash as a host programmer does (vflash_host_read()): bits a weak power cut left
 *        unstable read differently from one read to the next until erased or rewritten; other
 *        bytes are the cells as they are.
 * \return 0, BO_ERANGE, or BO_EINVAL.
 */
int device_flash_read(struct device_flash *fl, uint32_t off, void *dst, uint32_t len);

/**
 * \brief Whether a weak region overlaps [off, off + len) of a flash device (a reader that maps
 *        the memory directly can copy through device_flash_read() only then).
 */
bool device_flash_weak(struct device_flash *fl, uint32_t off, uint32_t len);

/** \brief The pid of the running firmware, or 0. */
int device_pid(const struct device *dev);

#endif /* SIM_DEVICE_H */
