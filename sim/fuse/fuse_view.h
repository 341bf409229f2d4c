/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fuse_view.h
 * \brief The FUSE view of simulated devices: their flash as files, served from a libuv loop.
 *
 * A view mounts one directory and shows every device added to it:
 *
 *     MOUNT/<device>/flash/<flashdev>.bin    the whole flash device, raw
 *     MOUNT/<device>/slots/<slot>.bin        one partition (flash area) of a device
 *     MOUNT/<device>/status.json             live state, rendered by a callback on each open
 *
 * The session is libfuse3's low-level API, single-threaded: the view polls the session's file
 * descriptor from the caller's libuv loop (uv_poll) and answers each request from there. Every
 * file is opened with direct_io, so the kernel caches nothing and each read shows the flash as
 * it is now. Entries and attributes are never cached either (timeouts of 0): a device added or
 * removed while mounted appears or disappears at the next lookup, without a notification that
 * could deadlock a single-threaded server.
 *
 * Writes act like a flash programmer by default (vflash_host_write(): the sectors a write
 * touches are erased when needed, bytes it does not cover are kept, new bytes are programmed),
 * or with raw NOR semantics (FUSE_VIEW_WRITE_NOR: a write may only move bits away from the
 * erased value, as a program operation without erase; anything else fails with EIO and
 * changes nothing). Host access is not a device operation: no hook, no counters, no simulated
 * time, and it works while the device's power is cut, as a programmer works with the target off.
 *
 * Errors seen by programs using the mount: a write request that does not fit entirely inside
 * the file fails with EFBIG and writes nothing; truncation to another size, chmod and chown
 * fail with EPERM (truncation to the current size and time changes succeed; opening with O_TRUNC
 * truncates nothing, so `cp image MOUNT/dev0/slots/0-secondary.bin` works); create, mknod,
 * mkdir, unlink, rmdir, rename, link and symlink fail with EPERM; status.json opened for
 * writing fails with EACCES; reading or writing an open file of a removed device fails with
 * ENXIO.
 *
 * The process that owns the loop must never access the mountpoint itself (the loop that would
 * answer is the one waiting): tests run the loop in another thread.
 *
 * A view is not thread-safe: call it from the loop's thread only.
 */
#ifndef FUSE_VIEW_H
#define FUSE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "board/board.h"
#include "port_flash_map.h"
#include "vflash/vflash.h"

/** Longest device, flash or slot name, terminator included (".bin" is added to file names). */
#define FUSE_VIEW_NAME_MAX 32
/** Most flash devices shown for one device. */
#define FUSE_VIEW_MAX_FLASH 8
/** Most slot files shown for one device. */
#define FUSE_VIEW_MAX_SLOTS 16

/** How host writes change the flash. */
enum fuse_view_write_mode {
    FUSE_VIEW_WRITE_PROGRAMMER = 0, /**< Erase what must be erased, keep the rest (default). */
    FUSE_VIEW_WRITE_NOR,            /**< Raw program semantics, no erase; violations: EIO. */
};

/** What a write notification reports. */
enum fuse_view_event {
    FUSE_VIEW_EV_WRITE = 0, /**< A write request changed the flash. */
    FUSE_VIEW_EV_CLOSE,     /**< A file that was written through is closed (last release). */
};

/** One file of a device: a whole flash device, or a window of one (a slot). */
struct fuse_view_file {
    char name[FUSE_VIEW_NAME_MAX]; /**< File name without ".bin": [A-Za-z0-9._-], 1..27. */
    struct vflash *dev;            /**< The flash device holding the bytes (set up). */
    uint32_t off;                  /**< First byte in dev (0 for a flash file). */
    uint32_t size;                 /**< Bytes; off + size <= dev->size. */
};

/** A write notification. Pointers are valid for the duration of the callback only. */
struct fuse_view_write_info {
    enum fuse_view_event event;
    const char *device; /**< The device name. */
    const char *file;   /**< The file name, ".bin" included. */
    bool slot;          /**< The file is under slots/ (else under flash/). */
    uint32_t index;     /**< Its index in the description's slot or flash array. */
    struct vflash *dev; /**< The flash device written. */
    uint32_t dev_off;   /**< First byte written, as an offset in dev. */
    uint32_t file_off;  /**< The same byte as an offset in the file. */
    uint32_t len;       /**< Bytes written (CLOSE: the span from the lowest to the highest). */
};

/**
 * \brief Renders the device's status.json.
 * \param arg  The description's cb_arg.
 * \param out  Receives a malloc()ed NUL-terminated JSON text the view frees (json_dumps()
 *             output fits).
 * \return 0 or a negative bo_err code (the open then fails with EIO).
 */
typedef int (*fuse_view_status_fn)(void *arg, char **out);

/**
 * \brief Called after a host write and after the close of a written file, from the loop.
 *        It must not access the mountpoint nor free the view (it may add or remove devices).
 */
typedef void (*fuse_view_write_fn)(void *arg, const struct fuse_view_write_info *info);

/** A device to show. Plain data, copied by fuse_view_add_device(). */
struct fuse_view_device {
    char name[FUSE_VIEW_NAME_MAX];                    /**< Directory name: [A-Za-z0-9._-], 1..31. */
    struct fuse_view_file flash[FUSE_VIEW_MAX_FLASH]; /**< Files under flash/. */
    uint32_t flash_count;
    struct fuse_view_file slots[FUSE_VIEW_MAX_SLOTS]; /**< Files under slots/. */
    uint32_t slot_count;
    fuse_view_status_fn status;  /**< Renders status.json; NULL: {"device": NAME}. */
    fuse_view_write_fn on_write; /**< Write notifications; may be NULL. */
    void *cb_arg;                /**< Passed to both callbacks. */
};

/** Options of a view. Zeroed: programmer writes, owner-only access, stale mounts cleaned. */
struct fuse_view_options {
    enum fuse_view_write_mode write_mode;
    bool allow_other; /**< Let other users in (needs user_allow_other unless root). */
    bool keep_stale;  /**< Do not clean a stale mount at the mountpoint (then: BO_EBUSY). */
};

/** Counters, for tests and the daemon's query commands. */
struct fuse_view_stats {
    uint64_t requests; /**< Requests processed. */
    uint64_t reads;    /**< Read requests answered with data. */
    uint64_t writes;   /**< Write requests that changed flash. */
    uint64_t bytes_read;
    uint64_t bytes_written;
    uint64_t errors; /**< Requests answered with an error. */
};

struct fuse_session;
struct fuse_view_dev;
struct fuse_view_handle;

/** A view. Fields are private. */
struct fuse_view {
    uv_loop_t *loop;
    uv_poll_t *poll; /**< Heap-allocated; freed by its close callback. */
    struct fuse_session *se;
    void *buf_mem;    /**< libfuse's receive buffer (struct fuse_buf.mem). */
    char *mountpoint; /**< As given to setup. */
    struct fuse_view_options opts;
    struct fuse_view_dev **devs; /**< Shown devices, in order of adding; grown as they come. */
    uint32_t dev_count;
    uint32_t dev_cap;                 /**< Room in devs. */
    uint64_t next_serial;             /**< Serial of the next device added (inode numbers). */
    struct fuse_view_handle *handles; /**< Open files, to free what the kernel never releases. */
    struct fuse_view_stats stats;
    unsigned uid; /**< Owner of every file: the mounting user. */
    unsigned gid;
    int64_t mount_time; /**< Seconds since the epoch, for file times. */
};

/** \brief Initialises an empty view. Cannot fail; fuse_view_free() is safe afterwards. */
void fuse_view_init(struct fuse_view *view);

/**
 * \brief Mounts the view at mountpoint and starts serving it from loop.
 *
 * First clears a stale FUSE mount at mountpoint (one whose server died: stat() fails with
 * ENOTCONN) with a lazy unmount, logging one line; a live FUSE mount there (stat() works and
 * /proc/self/mountinfo lists a fuse filesystem) is left alone and refused. The mountpoint must be
 * an existing directory that this process does not serve itself (stat() would wait for it).
 *
 * \param view        An initialised view (not set up).
 * \param loop        The libuv loop that serves the view; it must outlive the view.
 * \param mountpoint  The directory to mount on (copied).
 * \param opts        Options, or NULL for the defaults.
 * \return 0; BO_ENOTSUP when /dev/fuse cannot be opened (not logged: the caller says once that
 *         it runs without FUSE); BO_ENOENT when the mountpoint does not exist; BO_EINVAL when it
 *         is not a directory or an argument is NULL; BO_EBUSY when a live FUSE filesystem is
 *         mounted there or a stale one could not be cleared; BO_EOS when mounting fails;
 *         BO_ESTATE when already set up; BO_ENOMEM. On error the view is left initialised and
 *         nothing is mounted.
 */
int fuse_view_setup(struct fuse_view *view, uv_loop_t *loop, const char *mountpoint,
                    const struct fuse_view_options *opts);

/**
 * \brief Unmounts (lazily, so it never blocks on users of the mount), ends the session and frees
 *        everything. Safe on an initialised or freed view. The poll handle is closed through
 *        libuv: run the loop once more (for example uv_run(loop, UV_RUN_NOWAIT)) before
 *        uv_loop_close().
 */
void fuse_view_free(struct fuse_view *view);

/**
 * \brief Shows a device (its description is copied; its flash devices must stay valid until
 *        fuse_view_remove_device() or fuse_view_free()).
 * \return 0; BO_EINVAL (bad name, a file outside its flash device, too many files, duplicate
 *         file names); BO_EEXIST (a device of that name is shown); BO_ENOMEM (an allocation
 *         failed).
 */
int fuse_view_add_device(struct fuse_view *view, const struct fuse_view_device *desc);

/**
 * \brief Stops showing a device; its open files fail with ENXIO from now on.
 * \return 0 or BO_ENOENT.
 */
int fuse_view_remove_device(struct fuse_view *view, const char *name);

/** \brief Changes the write mode of the view (takes effect at the next write). */
void fuse_view_set_write_mode(struct fuse_view *view, enum fuse_view_write_mode mode);

/**
 * \brief Parses a write mode keyword: "programmer" or "nor" (the --fuse-write values).
 * \return 0 or BO_EINVAL.
 */
int fuse_view_parse_write_mode(const char *s, enum fuse_view_write_mode *mode);

/** \brief The keyword of a write mode ("programmer", "nor"). */
const char *fuse_view_write_mode_name(enum fuse_view_write_mode mode);

/** \brief Whether name is a valid device or file name for a view. */
bool fuse_view_valid_name(const char *name, size_t max_len);

/**
 * \brief Fills a description from a board and the flash map built from it: one flash file per
 *        board flash device (named as in the board) and one slot file per partition, named
 *        "bootloader", "0-primary", "0-secondary", "1-primary", "1-secondary" and "scratch".
 *        The callbacks are left NULL for the caller to set.
 * \param desc   Receives the description (zeroed first).
 * \param name   The device name.
 * \param board  The board.
 * \param map    A map set up from that board (its devices are used).
 * \return 0 or BO_EINVAL (bad name, map not matching the board).
 */
int fuse_view_device_from_map(struct fuse_view_device *desc, const char *name,
                              const struct board *board, struct port_flash_map *map);

/**
 * \brief Whether a FUSE filesystem is mounted at path, according to /proc/self/mountinfo.
 * \return 1 (mounted), 0 (not), or a negative bo_err code (mountinfo unreadable).
 */
int fuse_view_mounted(const char *path);

#endif /* FUSE_VIEW_H */
