/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file loader_io.h
 * \brief The loader's flash helpers: region erase and copy, and reading an image's header,
 *        size and security counter from a slot (from a base offset).
 *
 * The lowest layer of the loader above trailer.h and image.h: nothing here knows about swap
 * progress or trailers.
 */
#ifndef BOOT_LOADER_IO_H
#define BOOT_LOADER_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/loader.h"

/**
 * \brief Erases [off, off + len) of fa (sector boundaries).
 * \return 0 or the flash error.
 */
int loader_io_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

/**
 * \brief Copies len bytes from src at off_src to dst at off_dst, which must be erased. Write
 *        units of dst whose source bytes all hold dst's erased value are not programmed when
 *        they form a run of at least 8 bytes (an ECC part would otherwise count them as written,
 *        and the bytes stay the same either way).
 * \return 0 or the flash error.
 */
int loader_io_copy(struct boot_loader_state *st, const struct flash_area *src,
                   const struct flash_area *dst, uint32_t off_src, uint32_t off_dst, uint32_t len);

/**
 * \brief Copies like loader_io_copy() through the caller's buffer (buf_sz bytes, at least one
 *        write unit of dst), for copies made while st->buf holds other data.
 * \return 0, BO_EALIGN when len is not a multiple of dst's write unit, or a flash error.
 */
int loader_io_copy_buf(const struct flash_area *src, const struct flash_area *dst, uint32_t off_src,
                       uint32_t off_dst, uint32_t len, uint8_t *buf, uint32_t buf_sz);

/** An image source over an area from a base offset (the swap-using-offset secondary). */
struct loader_io_src {
    const struct flash_area *fa;
    uint32_t base;
};

/** \brief Makes src read fa from base on (size: the rest of the area). */
void loader_io_src_init(struct image_src *src, struct loader_io_src *ctx,
                        const struct flash_area *fa, uint32_t base);

/**
 * \brief Reads the header at base of fa.
 * \param ok      Receives whether its magic is IMAGE_MAGIC.
 * \param erased  Receives whether its first word is blank (may be NULL).
 * \return 0 or the flash error.
 */
int loader_io_read_header(const struct flash_area *fa, uint32_t base, struct image_header *hdr,
                          bool *ok, bool *erased);

/**
 * \brief Total size (header to end of TLVs) and unprotected TLV area size of the image at base
 *        of fa; both 0 when there is no well-formed image.
 * \return 0 or the flash error.
 */
int loader_io_image_size(const struct flash_area *fa, uint32_t base, uint32_t *size,
                         uint16_t *unprot);

/**
 * \brief The security counter (protected SEC_CNT TLV) of the image at base of fa.
 * \param has  Receives false when the image has none (or is malformed).
 * \return 0 or the flash error.
 */
int loader_io_read_sec_cnt(const struct flash_area *fa, uint32_t base, uint32_t *cnt, bool *has);

#endif /* BOOT_LOADER_IO_H */
