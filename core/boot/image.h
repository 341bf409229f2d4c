/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file image.h
 * \brief MCUboot's image format: the 32-byte header, the protected TLV area and the TLV area.
 *
 * An image in a slot is laid out as
 *
 *     [header: 32 bytes, padded to hdr_size] [payload: img_size bytes]
 *     [protected TLV area: info (magic 0x6908, total) + TLVs; protect_tlv_size bytes, optional]
 *     [TLV area: info (magic 0x6907, total) + TLVs]
 *
 * All multi-byte fields are little-endian. A TLV is a 16-bit type, a 16-bit length and the value;
 * an area's total includes its 4-byte info. The hash of an image covers the header, the payload
 * and the protected TLV area.
 *
 * Every function here reads through struct image_src and checks each offset and length taken
 * from the image against the source's size; a malformed image yields BO_EBADIMAGE, never an
 * out-of-bounds read.
 */
#ifndef BOOT_IMAGE_H
#define BOOT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image_src.h"

#define IMAGE_MAGIC 0x96f3b83dU           /**< First word of every image header. */
#define IMAGE_HEADER_SIZE 32u             /**< Bytes of the header proper (hdr_size may be more). */
#define IMAGE_TLV_INFO_MAGIC 0x6907u      /**< Info magic of the (unprotected) TLV area. */
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908u /**< Info magic of the protected TLV area. */
#define IMAGE_TLV_INFO_SIZE 4u            /**< Bytes of an area's info (magic, total). */
#define IMAGE_TLV_HDR_SIZE 4u             /**< Bytes of a TLV's type and length. */

/** \name Header flags (ih_flags). */
/**@{*/
#define IMAGE_F_PIC 0x00000001u
#define IMAGE_F_ENCRYPTED_AES128 0x00000004u
#define IMAGE_F_ENCRYPTED_AES256 0x00000008u
#define IMAGE_F_NON_BOOTABLE 0x00000010u
#define IMAGE_F_RAM_LOAD 0x00000020u
#define IMAGE_F_ROM_FIXED 0x00000100u
#define IMAGE_F_COMPRESSED_LZMA1 0x00000200u
#define IMAGE_F_COMPRESSED_LZMA2 0x00000400u
#define IMAGE_F_COMPRESSED_ARM_THUMB 0x00000800u
/**@}*/

/** \name TLV types. */
/**@{*/
#define IMAGE_TLV_KEYHASH 0x01u     /**< Hash of the signing public key. */
#define IMAGE_TLV_PUBKEY 0x02u      /**< The signing public key itself. */
#define IMAGE_TLV_SHA256 0x10u      /**< SHA-256 of header + payload + protected TLVs. */
#define IMAGE_TLV_SHA384 0x11u      /**< SHA-384 of the same. */
#define IMAGE_TLV_SHA512 0x12u      /**< SHA-512 of the same (not supported for validation). */
#define IMAGE_TLV_RSA2048_PSS 0x20u /**< RSA-2048 PSS signature of the hash. */
#define IMAGE_TLV_ECDSA224 0x21u    /**< Obsolete ECDSA P-224 signature (never accepted). */
#define IMAGE_TLV_ECDSA_SIG 0x22u   /**< ECDSA signature (P-256 or P-384), ASN.1 DER. */
#define IMAGE_TLV_RSA3072_PSS 0x23u /**< RSA-3072 PSS signature of the hash. */
#define IMAGE_TLV_ED25519 0x24u     /**< Ed25519 signature (not supported). */
#define IMAGE_TLV_SIG_PURE 0x25u    /**< Signature over the image rather than its hash. */
#define IMAGE_TLV_ENC_RSA2048 0x30u
#define IMAGE_TLV_ENC_KW 0x31u
#define IMAGE_TLV_ENC_EC256 0x32u
#define IMAGE_TLV_ENC_X25519 0x33u
#define IMAGE_TLV_DEPENDENCY 0x40u  /**< Another image and its minimum version. */
#define IMAGE_TLV_SEC_CNT 0x50u     /**< Security counter, 32 bits. */
#define IMAGE_TLV_BOOT_RECORD 0x60u /**< CBOR boot record (measured boot). */
#define IMAGE_TLV_DECOMP_SIZE 0x70u
#define IMAGE_TLV_DECOMP_SHA 0x71u
#define IMAGE_TLV_DECOMP_SIGNATURE 0x72u
#define IMAGE_TLV_COMP_DEC_SIZE 0x73u
#define IMAGE_TLV_VENDOR_MIN 0x00a0u /**< First type reserved for vendors. */
#define IMAGE_TLV_VENDOR_MAX 0xfffeu /**< Last type reserved for vendors. */
#define IMAGE_TLV_ANY 0xffffu        /**< Iterator filter: every type. */
/**@}*/

#define IMAGE_SEC_CNT_LEN 4u     /**< Value length of a SEC_CNT TLV. */
#define IMAGE_DEPENDENCY_LEN 12u /**< Value length of a DEPENDENCY TLV. */

/** An image version: major.minor.revision+build. */
struct image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build;
};

/** The decoded 32-byte header. */
struct image_header {
    uint32_t magic;            /**< IMAGE_MAGIC in a valid image. */
    uint32_t load_addr;        /**< RAM load address (RAM_LOAD) or fixed ROM address. */
    uint16_t hdr_size;         /**< Bytes from the slot start to the payload (>= 32). */
    uint16_t protect_tlv_size; /**< Bytes of the protected TLV area, info included; 0: none. */
    uint32_t img_size;         /**< Bytes of the payload. */
    uint32_t flags;            /**< IMAGE_F_* bits. */
    struct image_version version;
    uint32_t pad1; /**< Reserved; zero as imgtool writes it. */
};

/** Where the parts of an image lie in its source; every range is inside the source. */
struct image_layout {
    uint32_t hdr_size; /**< Start of the payload. */
    uint32_t body_end; /**< hdr_size + img_size: start of the protected area (or TLV area). */
    uint32_t prot_end; /**< End of the protected area; == body_end when there is none. */
    uint32_t tlv_off;  /**< Start of the TLV area's info (== prot_end). */
    uint32_t tlv_end;  /**< End of the TLV area: the total size of the signed image. */
};

/** One TLV found by the iterator. */
struct image_tlv {
    uint16_t type; /**< IMAGE_TLV_* or a vendor type. */
    uint16_t len;  /**< Length of the value. */
    uint32_t off;  /**< Offset of the value in the source. */
    bool prot;     /**< True when it lies in the protected (hashed) area. */
};

/** A TLV iterator; fill with image_tlv_iter_begin(). */
struct image_tlv_iter {
    const struct image_src *src;
    struct image_layout layout;
    uint32_t off;  /**< Next TLV header to read. */
    uint32_t end;  /**< End of the area being walked. */
    uint16_t type; /**< Filter: a TLV type or IMAGE_TLV_ANY. */
    bool prot_only;
    bool in_prot; /**< Walking the protected area. */
};

/** A dependency of an image on another image, from a DEPENDENCY TLV. */
struct image_dependency {
    uint8_t image_id;                 /**< Index of the image depended on. */
    struct image_version min_version; /**< The lowest version that satisfies it. */
};

/**
 * \brief Decodes a little-endian 32-byte header. Checks nothing.
 */
void image_header_decode(const uint8_t raw[IMAGE_HEADER_SIZE], struct image_header *hdr);

/**
 * \brief Encodes hdr as the little-endian 32-byte header (the image tool writes it).
 */
void image_header_encode(const struct image_header *hdr, uint8_t raw[IMAGE_HEADER_SIZE]);

/**
 * \brief Reads and checks the header at offset 0 of src.
 *
 * Checks the magic, hdr_size >= 32 and that header + payload fit inside src.
 *
 * \return 0; BO_EBADIMAGE when the source is too small, the magic is wrong, or a size is out of
 *         bounds; or the source's read error (BO_EIO, BO_EPOWER).
 */
int image_header_read(const struct image_src *src, struct image_header *hdr);

/**
 * \brief Locates the TLV areas of the image whose header is hdr and checks their infos.
 *
 * When protect_tlv_size is not 0 the protected info must carry magic 0x6908 and a total equal to
 * protect_tlv_size; when it is 0 no protected info may be present. The TLV area info must
 * carry magic 0x6907 and a total of at least 4. Every area must lie inside src.
 *
 * \return 0 with *layout filled; BO_EBADIMAGE; or the source's read error.
 */
int image_layout_read(const struct image_src *src, const struct image_header *hdr,
                      struct image_layout *layout);

/**
 * \brief Starts an iteration over the TLVs of an image.
 *
 * \param it         The iterator.
 * \param src        The source; it must outlive the iteration.
 * \param layout     From image_layout_read() on the same source.
 * \param type       The TLV type to return, or IMAGE_TLV_ANY.
 * \param prot_only  True: only the protected area; false: the protected area, then the TLV area.
 */
void image_tlv_iter_begin(struct image_tlv_iter *it, const struct image_src *src,
                          const struct image_layout *layout, uint16_t type, bool prot_only);

/**
 * \brief Returns the next TLV that matches the iterator's filter.
 *
 * \return 0 with *tlv filled; BO_ENOENT at the end; BO_EBADIMAGE when a TLV's header or value
 *         runs past the end of its area; or the source's read error.
 */
int image_tlv_iter_next(struct image_tlv_iter *it, struct image_tlv *tlv);

/**
 * \brief Reads the value of tlv into buf.
 *
 * \return 0; BO_EBADIMAGE when the value is longer than size or outside the source; or the
 *         source's read error.
 */
int image_tlv_read(const struct image_src *src, const struct image_tlv *tlv, void *buf,
                   uint32_t size);

/**
 * \brief Decodes the 8-byte little-endian version encoding used by headers and dependencies.
 */
void image_version_decode(const uint8_t raw[8], struct image_version *ver);

/**
 * \brief Compares two versions: major, then minor, then revision, then (when with_build) build.
 *
 * \return A negative value, 0 or a positive value when a is lower than, equal to or higher
 *         than b.
 */
int image_version_cmp(const struct image_version *a, const struct image_version *b,
                      bool with_build);

/**
 * \brief Decodes the 12-byte value of a DEPENDENCY TLV.
 */
void image_dependency_decode(const uint8_t raw[IMAGE_DEPENDENCY_LEN], struct image_dependency *dep);

/**
 * \brief True for the TLV types reserved for vendors (0x00a0..0xfffe).
 */
bool image_tlv_is_vendor(uint16_t type);

#endif /* BOOT_IMAGE_H */
