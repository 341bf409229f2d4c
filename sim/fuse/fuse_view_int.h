/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fuse_view_int.h
 * \brief Internals shared by the files of the FUSE view: inode numbering, the device table, the
 *        low-level operations, host writes and mount housekeeping.
 *
 * Inode numbers: the root is FUSE_ROOT_ID (1). Each device added gets a serial that is never
 * reused (1, 2, ...), and its nodes are (serial << FUSE_VIEW_INO_SHIFT) | kind, so an inode of a
 * removed device can never name a node of a device added later.
 */
#ifndef FUSE_VIEW_INT_H
#define FUSE_VIEW_INT_H

#define FUSE_USE_VERSION 35

#include <fuse_lowlevel.h>

#include "fuse/fuse_view.h"

/** Bits of an inode number that select the node inside a device. */
#define FUSE_VIEW_INO_SHIFT 8

/** Node kinds inside a device (the low bits of an inode number). */
enum fuse_view_kind {
    FUSE_VIEW_K_DIR = 0,      /**< MOUNT/<device> */
    FUSE_VIEW_K_FLASHDIR = 1, /**< MOUNT/<device>/flash */
    FUSE_VIEW_K_SLOTDIR = 2,  /**< MOUNT/<device>/slots */
    FUSE_VIEW_K_STATUS = 3,   /**< MOUNT/<device>/status.json */
    FUSE_VIEW_K_FLASH = 16,   /**< + index: MOUNT/<device>/flash/<name>.bin */
    FUSE_VIEW_K_SLOT = 64,    /**< + index: MOUNT/<device>/slots/<name>.bin */
};

/** A shown device. */
struct fuse_view_dev {
    struct fuse_view_device desc;
    uint64_t serial;
    int64_t mtime; /**< Last host write (seconds), or the time it was added. */
};

/** An open file. */
struct fuse_view_handle {
    struct fuse_view_handle *prev;
    struct fuse_view_handle *next;
    uint64_t ino;
    char *text; /**< status.json: the rendering taken at open. */
    size_t text_len;
    bool wrote;  /**< A write went through this handle. */
    uint32_t lo; /**< Lowest file offset written. */
    uint32_t hi; /**< End of the highest range written. */
};

/** A node resolved from an inode number. */
struct fuse_view_target {
    struct fuse_view_dev *dev;         /**< NULL for the root. */
    unsigned kind;                     /**< enum fuse_view_kind without the index. */
    uint32_t index;                    /**< Flash or slot index. */
    const struct fuse_view_file *file; /**< The flash or slot file, or NULL. */
};

/** The operations table handed to fuse_session_new() (fuse_view_ops.c). */
extern const struct fuse_lowlevel_ops fuse_view_ops;

/** \brief The device with that serial, or NULL. */
struct fuse_view_dev *fuse_view_dev_by_serial(struct fuse_view *view, uint64_t serial);

/** \brief The device with that name, or NULL. */
struct fuse_view_dev *fuse_view_dev_by_name(struct fuse_view *view, const char *name);

/**
 * \brief Resolves an inode number.
 * \return 0 or -ENOENT (no such node, or its device was removed).
 */
int fuse_view_resolve(struct fuse_view *view, uint64_t ino, struct fuse_view_target *t);

/** \brief The inode number of a node of a device. */
uint64_t fuse_view_ino(const struct fuse_view_dev *dev, unsigned kind, uint32_t index);

/**
 * \brief Writes len bytes at device offset off with the given semantics (fuse_view_flash.c).
 * \return 0; BO_ESEMANTICS (raw mode: the part cannot program this without an erase; nothing
 *         changed); BO_EALIGN (raw mode on an ECC part: not whole write units); BO_ERANGE;
 *         BO_ESTATE; BO_EINVAL; BO_ENOMEM.
 */
int fuse_view_flash_write(enum fuse_view_write_mode mode, struct vflash *dev, uint32_t off,
                          const void *src, uint32_t len);

/**
 * \brief Makes mountpoint usable: clears a stale FUSE mount on it (fuse_view_mount.c).
 * \return 0; BO_ENOENT (no such directory); BO_EINVAL (not a directory); BO_EBUSY (a live FUSE
 *         mount is there, or a stale one remains because keep_stale is set or unmounting
 *         failed); BO_EOS.
 */
int fuse_view_mount_prepare(const char *mountpoint, bool keep_stale);

/** \brief Lazily unmounts path, with umount2() or else fusermount3 -u -z. \return 0 or BO_EOS. */
int fuse_view_mount_detach(const char *path);

#endif /* FUSE_VIEW_INT_H */
