/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file ota_upload.h
 * \brief Writing an image into the secondary slot as its blocks arrive (PUT /fw/upload with
 *        Block1), erasing ahead one sector at a time.
 *
 * Rules (offsets are relative to the start of the image in the slot):
 * - Block 0 (re)starts an upload: its first word must be the image magic, and when the
 *   header is complete in the block its hdr_size + img_size + protect_tlv_size (and an
 *   announced total size) must fit the slot's capacity. A request for the next boot left in
 *   the slot's trailer is withdrawn first (the trailer's last sector is erased).
 * - A block at the offset where the upload stands is written: each sector it enters is erased
 *   first (once per upload), then every write unit that does not already hold its bytes is
 *   programmed. A write unit larger than the blocks (16-byte blocks on a 32-byte-unit part) is
 *   programmed once it is complete, or padded with the erased value after the last block.
 * - RAM is lost on a power cut, so a new instance (or a block other than the next one) is
 *   judged by what flash holds: a block whose region already holds exactly its bytes is
 *   accepted without writing; a block that follows data which is there (the write unit just
 *   before it is not erased) continues the upload from there; a block past unwritten data is
 *   refused (the client must go back, at worst to block 0).
 * - Nothing here trusts the upload: the image is validated before it is ever marked pending.
 */
#ifndef OTA_OTA_UPLOAD_H
#define OTA_OTA_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash_map_backend/flash_map_backend.h"

/** Largest block (RFC 7959 SZX 6). */
#define OTA_UPLOAD_BLOCK_MAX 1024u
/** Largest write unit (vflash: 1..32 bytes). */
#define OTA_UPLOAD_UNIT_MAX 32u

/** The state of an upload. Treat the fields as private. */
struct ota_upload {
    const struct flash_area *fa; /**< The secondary slot (open while set up). */
    uint32_t img_off;            /**< Where the image starts in the slot. */
    uint32_t capacity;           /**< Largest image the mode can install. */
    uint32_t align;              /**< Write unit. */
    uint8_t erased_val;
    bool known;                         /**< RAM knows where the upload stands. */
    bool complete;                      /**< The last block was received. */
    uint32_t next_off;                  /**< Bytes received in order. */
    uint32_t erased_to;                 /**< Sectors below this were erased by this upload. */
    uint32_t expect;                    /**< Total size announced (Size1); 0: unknown. */
    uint32_t carry_off;                 /**< Start of the write unit not yet programmed. */
    uint32_t carry_len;                 /**< Bytes of it received (less than one write unit). */
    uint8_t carry[OTA_UPLOAD_UNIT_MAX]; /**< Those bytes. */
    uint8_t buf[OTA_UPLOAD_BLOCK_MAX];  /**< Read-back buffer. */
};

/** One received block. */
struct ota_upload_block {
    uint32_t off; /**< Offset of the block in the image. */
    const uint8_t *data;
    uint32_t len;   /**< 0..OTA_UPLOAD_BLOCK_MAX. */
    uint32_t size;  /**< The block size of the transfer (len == size unless last). */
    bool last;      /**< No more blocks follow. */
    uint32_t total; /**< Announced total size (Size1); 0: unknown. */
};

/** \brief Zeroes an upload (cannot fail). */
void ota_upload_init(struct ota_upload *u);

/**
 * \brief Sets up an upload over an open secondary slot.
 * \param u         The upload.
 * \param fa        The secondary slot; it must stay open until ota_upload_free().
 * \param img_off   Where the image starts in the slot (a sector in for swap-using-offset).
 * \param capacity  The largest image (from boot_image_capacity()).
 * \return 0, or BO_EINVAL when the offset and capacity do not fit the slot.
 */
int ota_upload_setup(struct ota_upload *u, const struct flash_area *fa, uint32_t img_off,
                     uint32_t capacity);

/**
 * \brief Takes one block.
 * \return 0 when it was written or already there; BO_EBADIMAGE when block 0 does not start
 *         with an image header; BO_ERANGE when the image (announced or written) is larger
 *         than the capacity; BO_ESTATE when the block lies past data that is not there, or
 *         its region holds other bytes that cannot be programmed over; BO_EINVAL for a
 *         malformed block (a non-final block shorter than the block size, a block that is not
 *         aligned to its size); BO_EPOWER when power was cut (stop at once); or another flash
 *         error.
 */
int ota_upload_block(struct ota_upload *u, const struct ota_upload_block *blk);

/** \brief The largest image accepted. */
uint32_t ota_upload_capacity(const struct ota_upload *u);

/**
 * \brief Where the upload stands.
 * \param received  Bytes received in order (0 when RAM does not know).
 * \param complete  Whether the last block arrived.
 * \return Whether RAM knows the upload's progress (false after setup or a power cut).
 */
bool ota_upload_progress(const struct ota_upload *u, uint32_t *received, bool *complete);

/** \brief Forgets the upload (the slot stays open). */
void ota_upload_reset(struct ota_upload *u);

/** \brief Releases the upload (does not close the slot; safe after init). */
void ota_upload_free(struct ota_upload *u);

#endif /* OTA_OTA_UPLOAD_H */
