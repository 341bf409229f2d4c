/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file coap_block.h
 * \brief Block-wise transfer options (RFC 7959 section 2.2): Block1 and Block2 values carry a
 *        block number NUM, a "more" flag M and a size exponent SZX (size = 2^(SZX + 4), 16 to
 *        1024 bytes; SZX 7 is reserved), packed as an unsigned integer of 0 to 3 bytes.
 */
#ifndef OTA_COAP_BLOCK_H
#define OTA_COAP_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ota/coap_msg.h"

#define COAP_BLOCK_SZX_MIN 0u       /**< 16 bytes. */
#define COAP_BLOCK_SZX_MAX 6u       /**< 1024 bytes; 7 is reserved. */
#define COAP_BLOCK_NUM_MAX 0xfffffu /**< NUM fits in 20 bits (a 3-byte value). */
#define COAP_BLOCK_VALUE_MAX 3u     /**< Longest encoded value. */

/** A decoded Block1 or Block2 value. */
struct coap_block {
    uint32_t num; /**< Block number, 0..COAP_BLOCK_NUM_MAX. */
    bool more;    /**< M: more blocks follow (or, in a Block2 request, must be 0). */
    uint8_t szx;  /**< Size exponent, 0..6. */
};

/** \brief The block size of a size exponent: 16 << szx. */
static inline uint32_t coap_block_size(uint8_t szx)
{
    return 16u << szx;
}

/**
 * \brief Decodes an option value.
 * \return 0 with *b filled; BO_EINVAL when the value is longer than 3 bytes or SZX is 7.
 */
int coap_block_decode(const uint8_t *val, size_t len, struct coap_block *b);

/**
 * \brief Decodes a Block1 or Block2 option of a message.
 * \return 1 with *b filled; 0 when the option is absent; BO_EINVAL when it is malformed or
 *         occurs more than once.
 */
int coap_block_from_msg(const struct coap_msg *m, uint16_t num, struct coap_block *b);

/**
 * \brief Encodes b in its shortest form (NUM 0, M 0, SZX 0 is the empty value).
 * \param b    The block; num <= COAP_BLOCK_NUM_MAX and szx <= 6.
 * \param out  Receives up to 3 bytes.
 * \param len  Receives the length.
 * \return 0 or BO_EINVAL.
 */
int coap_block_encode(const struct coap_block *b, uint8_t out[COAP_BLOCK_VALUE_MAX], size_t *len);

/** \brief Appends a Block1 or Block2 option to a message being written. */
int coap_block_write(struct coap_msg_writer *w, uint16_t num, const struct coap_block *b);

/**
 * \brief The byte offset of a block: num * size, checked for overflow.
 * \return 0 with *off set; BO_ERANGE when it does not fit in 32 bits.
 */
int coap_block_offset(const struct coap_block *b, uint32_t *off);

/**
 * \brief The largest size exponent whose block size is at most size (16 <= size).
 * \return 0 with *szx set; BO_EINVAL when size < 16.
 */
int coap_block_szx_for(uint32_t size, uint8_t *szx);

#endif /* OTA_COAP_BLOCK_H */
