/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image_info.h
 * \brief `brownout image info`: describe an image file (header, TLVs, hash check and, for a
 *        file padded to a slot, the trailer) as JSON or as text.
 */
#ifndef SIM_IMAGE_INFO_H
#define SIM_IMAGE_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/**
 * \brief Describes the image in data.
 *
 * The object has: "size", "header" {magic, load_addr, hdr_size, protect_tlv_size, img_size,
 * flags, flag_names[], version "M.m.r+b", major, minor, revision, build}, "protected_tlvs" and
 * "tlvs" (arrays of {type, name, len, offset, value (hex)}, plus "sec_cnt" or "image_id" and
 * "min_version" where they apply), "image_size" (header + payload + TLV areas), "hash"
 * {type, matches}, and "trailer" (null unless the file extends past the image: then
 * {max_align, magic "good"|"unset"|"bad", image_ok, copy_done "set"|"unset"|"bad",
 * swap_info, swap_type, image_num, swap_size}).
 *
 * \param data        The file's bytes.
 * \param len         Their number.
 * \param erased_val  Erased value for reading the trailer (0xff or 0x00).
 * \param err         Receives a one-line reason when NULL is returned.
 * \param errlen      Room at err.
 * \return A new reference, or NULL when the file is not a well-formed image (or on ENOMEM).
 */
json_t *image_info_describe(const uint8_t *data, size_t len, uint8_t erased_val, char *err,
                            size_t errlen);

/**
 * \brief Prints a description made by image_info_describe() as readable text.
 */
void image_info_print_text(FILE *out, const char *name, const json_t *info);

/** \brief The name of a TLV type ("SHA256", "KEYHASH", ..., "VENDOR" or "UNKNOWN"). */
const char *image_info_tlv_name(uint16_t type);

#endif /* SIM_IMAGE_INFO_H */
