/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_src.h
 * \brief A byte source the image parser reads from: a flash slot, a file held in memory, or a
 *        fuzz input, behind one read callback and one hard size bound.
 *
 * The parser never trusts an offset or a length taken from an image: every read goes through
 * image_src_read(), which refuses anything that does not lie wholly inside [0, size).
 */
#ifndef BOOT_IMAGE_SRC_H
#define BOOT_IMAGE_SRC_H

#include <stdint.h>

#include "flash_map_backend/flash_map_backend.h"

/** A readable range of bytes: offsets 0..size-1. */
struct image_src {
    /**
     * Reads len bytes at off into buf. Called only with ranges inside [0, size).
     * Returns 0 or a negative enum bo_err code (BO_EIO, BO_EPOWER, ...).
     */
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    void *ctx;     /**< Passed to read. */
    uint32_t size; /**< The size of the slot or buffer: the hard bound for every read. */
};

/**
 * \brief Makes src read from a buffer in memory.
 *
 * \param src   The source to fill.
 * \param data  The bytes; they must outlive src and are never written. NULL only with size 0.
 * \param size  The number of bytes at data.
 */
void image_src_from_buffer(struct image_src *src, const void *data, uint32_t size);

/**
 * \brief Makes src read from an open flash area through flash_area_read().
 *
 * \param src  The source to fill; its size is the size of the area.
 * \param fa   An open area; it must stay open as long as src is used.
 */
void image_src_from_flash_area(struct image_src *src, const struct flash_area *fa);

/**
 * \brief Reads len bytes at off, after checking that the range lies inside the source.
 *
 * \return 0; BO_ERANGE when [off, off + len) is not inside [0, size) (overflow included), and
 *         nothing is read; or the error of the source's read callback.
 */
int image_src_read(const struct image_src *src, uint32_t off, void *buf, uint32_t len);

/**
 * \brief True when [off, off + len) lies inside [0, size), computed without overflow.
 */
static inline int image_src_range_ok(uint32_t size, uint32_t off, uint32_t len)
{
    return off <= size && len <= size - off;
}

#endif /* BOOT_IMAGE_SRC_H */
