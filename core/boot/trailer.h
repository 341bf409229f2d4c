/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file trailer.h
 * \brief The image trailer at the end of a slot (or of the scratch area), byte-exact with
 *        MCUboot: its layout as pure functions of the geometry, and reading and writing its
 *        fields through the flash_area API.
 *
 * Layout, from the end of the area downwards (MA is MCUboot's BOOT_MAX_ALIGN, w the write unit
 * the status records are padded to, S the number of status entries):
 *
 *   [area_size - 16, area_size)       magic, 16 bytes. With MA 8 it is MCUboot's classic magic;
 *                                     with MA 16 or 32 it is the 16-bit MA (little-endian)
 *                                     followed by the 14 bytes of the "aligned" magic. MCUboot
 *                                     programs it as one write of ALIGN_UP(16, MA) bytes
 *                                     starting at ALIGN_DOWN(area_size - 16, MA), the bytes
 *                                     before the magic holding the erased value.
 *   image_ok  = ALIGN_DOWN(magic - MA, MA)           one flag, MA bytes reserved
 *   copy_done = image_ok - MA                        one flag
 *   swap_info = copy_done - MA                       swap type (low nibble), image (high)
 *   tlv_sizes = swap_info - MA                       swap-using-offset only: the unprotected
 *                                                    TLV sizes of both slots (uint32)
 *   swap_size = (tlv_sizes or swap_info) - MA        uint32
 *   [encryption keys: MCUboot puts 2 x ALIGN_UP(key size, MA) here when it is built with
 *    MCUBOOT_ENC_IMAGES (16 or 32 byte AES keys, or the whole encrypted-key TLV with
 *    MCUBOOT_SWAP_SAVE_ENCTLV). brownout does not support encrypted images: no room is left
 *    for them, exactly like an MCUboot built without MCUBOOT_ENC_IMAGES.]
 *   status    = area_size - trailer_sz               S x states x w bytes of swap progress
 *
 * trailer_sz = status_sz + info_sz, info_sz = 4 MA (+ MA for swap-using-offset)
 * + ALIGN_UP(16, MA): MCUboot's boot_trailer_sz() / boot_status_sz(). The states per entry are
 * MCUboot's BOOT_STATUS_STATE_COUNT: 3 for swap-using-scratch and overwrite-only, 3 for
 * swap-using-move (1 move + 2 swap records), 2 for swap-using-offset. S is BOOT_MAX_IMG_SECTORS
 * for a slot and 1 for the scratch area.
 *
 * Multi-byte values (swap_size, tlv_sizes, the MA field of the magic) are little-endian: MCUboot
 * stores them in host order and every target of brownout is little-endian.
 *
 * Flash writes: every field is written as one program call of ALIGN_UP(field size, write unit)
 * bytes, padded with the erased value, as MCUboot's boot_write_trailer() does; the magic as one
 * program call of ALIGN_UP(16, MA) bytes. A field write first reads the bytes it would program,
 * several times: when every read returns exactly the bytes to write it does nothing, so a
 * retried request never programs a unit twice (ECC parts forbid that); otherwise it programs
 * and lets the flash decide (a NOR part accepts re-programming bits towards the programmed
 * value, an ECC part refuses with BO_ESEMANTICS). A unit left weak by a power cut reads
 * differently from one read to the next and is therefore programmed again, which settles it on
 * NOR flash.
 */
#ifndef BOOT_TRAILER_H
#define BOOT_TRAILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash_map_backend/flash_map_backend.h"

/** Size of the magic field in bytes (MCUboot's BOOT_MAGIC_SZ). */
#define TRAILER_MAGIC_SZ 16u

/** Largest write unit and largest MA a layout accepts. */
#define TRAILER_ALIGN_MAX 32u

/** The byte a set flag holds (MCUboot's BOOT_FLAG_SET, written to flash). */
#define TRAILER_FLAG_SET_BYTE 0x01u

/** An offset that does not exist in this layout (tlv_sizes outside swap-using-offset). */
#define TRAILER_OFF_NONE UINT32_MAX

/** Decoded magic, with MCUboot's BOOT_MAGIC_* values. */
enum trailer_magic_state {
    TRAILER_MAGIC_GOOD = 1,    /**< The magic of this layout's MA. */
    TRAILER_MAGIC_BAD = 2,     /**< Neither erased nor the magic. */
    TRAILER_MAGIC_UNSET = 3,   /**< All 16 bytes hold the erased value. */
    TRAILER_MAGIC_ANY = 4,     /**< Table wildcard only; never read from flash. */
    TRAILER_MAGIC_NOTGOOD = 5, /**< Table wildcard only: anything but GOOD. */
};

/** Decoded flag (image_ok, copy_done), with MCUboot's BOOT_FLAG_* values. */
enum trailer_flag_state {
    TRAILER_FLAG_SET = 1,   /**< The byte is 0x01. */
    TRAILER_FLAG_BAD = 2,   /**< Neither erased nor 0x01. */
    TRAILER_FLAG_UNSET = 3, /**< The byte holds the erased value. */
    TRAILER_FLAG_ANY = 4,   /**< Table wildcard only. */
};

/** Swap types, with MCUboot's BOOT_SWAP_TYPE_* values (the low nibble of swap_info). */
enum trailer_swap_type {
    TRAILER_SWAP_TYPE_NONE = 1,
    TRAILER_SWAP_TYPE_TEST = 2,
    TRAILER_SWAP_TYPE_PERM = 3,
    TRAILER_SWAP_TYPE_REVERT = 4,
    TRAILER_SWAP_TYPE_FAIL = 5,
    TRAILER_SWAP_TYPE_PANIC = 0xff,
};

/** Upgrade mode: decides the status record count and the swap-using-offset field. */
enum trailer_mode {
    TRAILER_MODE_OVERWRITE = 0,
    TRAILER_MODE_SCRATCH = 1,
    TRAILER_MODE_MOVE = 2,
    TRAILER_MODE_OFFSET = 3,
};

/** Which area a layout describes: an image slot or the scratch area (one status entry). */
enum trailer_role {
    TRAILER_ROLE_SLOT = 0,
    TRAILER_ROLE_SCRATCH = 1,
};

/** Swap-using-move records moves and swaps in two regions of the status area. */
enum trailer_status_op {
    TRAILER_STATUS_OP_SWAP = 0, /**< Scratch, offset and the swap phase of move. */
    TRAILER_STATUS_OP_MOVE = 1, /**< The move-up phase of swap-using-move. */
};

/** Everything the layout depends on. */
struct trailer_config {
    uint32_t area_size;   /**< Size of the slot or scratch area; a multiple of max_align. */
    uint32_t write_unit;  /**< Status record size: 1, 2, 4, 8, 16 or 32 and <= max_align. */
    uint32_t max_align;   /**< MCUBOOT_BOOT_MAX_ALIGN of the bootloader: 8, 16 or 32. */
    uint32_t max_sectors; /**< BOOT_MAX_IMG_SECTORS: status entries of a slot. 0 makes a
                               field-only layout without status area (for the application
                               API, which touches no status record); its trailer_sz is then
                               not MCUboot's. */
    enum trailer_mode mode;
    enum trailer_role role; /**< TRAILER_ROLE_SCRATCH only with TRAILER_MODE_SCRATCH. */
    uint8_t erased_val;     /**< 0xff or 0x00. */
};

/** A computed layout: offsets are relative to the start of the area. */
struct trailer_layout {
    struct trailer_config cfg;
    uint32_t magic_off;      /**< The 16 magic bytes. */
    uint32_t magic_unit_off; /**< Start of the one write that programs the magic. */
    uint32_t magic_unit_sz;  /**< ALIGN_UP(16, MA): MCUboot's BOOT_MAGIC_ALIGN_SIZE. */
    uint32_t image_ok_off;
    uint32_t copy_done_off;
    uint32_t swap_info_off;
    uint32_t tlv_sizes_off; /**< TRAILER_OFF_NONE unless swap-using-offset. */
    uint32_t swap_size_off;
    uint32_t info_sz;        /**< MCUboot's boot_trailer_info_sz(). */
    uint32_t status_states;  /**< Records per entry (BOOT_STATUS_STATE_COUNT). */
    uint32_t status_entries; /**< Entries: max_sectors, or 1 in the scratch area. */
    uint32_t status_sz;      /**< status_entries x status_states x write_unit. */
    uint32_t status_off;     /**< area_size - trailer_sz. */
    uint32_t trailer_sz;     /**< status_sz + info_sz. */
};

/** Field values to render into a memory copy of an area's tail (see trailer_render()). */
struct trailer_fields {
    bool magic;         /**< Write the magic. */
    bool image_ok;      /**< Set image_ok. */
    bool copy_done;     /**< Set copy_done. */
    uint8_t swap_type;  /**< 0 leaves swap_info erased; else its low nibble. */
    uint8_t image_num;  /**< High nibble of swap_info (0..15). */
    bool has_swap_size; /**< Write swap_size. */
    uint32_t swap_size;
};

/**
 * \brief Computes the layout of cfg.
 * \param lay  Filled on success; untouched on failure.
 * \param cfg  The geometry.
 * \return 0; BO_EINVAL for a write unit, MA, erased value, mode/role or sector count MCUboot
 *         would not accept, or an area size that is not a multiple of MA; BO_ERANGE when the
 *         trailer does not fit in the area.
 */
int trailer_layout_init(struct trailer_layout *lay, const struct trailer_config *cfg);

/** What a layout needs beyond what the flash_area API tells about an area. */
struct trailer_params {
    uint32_t max_align; /**< MCUBOOT_BOOT_MAX_ALIGN of the bootloader: 8, 16 or 32. */
    enum trailer_mode mode;
    uint32_t max_sectors; /**< BOOT_MAX_IMG_SECTORS; 0 for a field-only layout (see below). */
    uint32_t write_unit;  /**< Status record size MCUboot would use (its BOOT_WRITE_SZ, the
                               larger write unit of the primary slot and the scratch), or 0
                               for the area's own write unit. */
};
/*
 * Known deviation: when the scratch's write unit exceeds the primary slot's, MCUboot sizes the
 * primary's status area with the primary's own write unit (boot_status_off()) but spaces its
 * records by BOOT_WRITE_SZ; a layout uses write_unit for both, so the status area always holds
 * every record. Status bytes then differ from MCUboot's on such boards; trailer fields do not.
 */

/**
 * \brief Computes the layout of an open area: its size, write unit and erased value come from
 *        the flash_area API, its role from its id (FLASH_AREA_IMAGE_SCRATCH is the scratch).
 * \param lay  Filled on success.
 * \param fa   The area.
 * \param p    The bootloader's parameters.
 * \return As trailer_layout_init(); BO_EINVAL too when the area's write unit exceeds
 *         p->write_unit.
 */
int trailer_layout_from_area(struct trailer_layout *lay, const struct flash_area *fa,
                             const struct trailer_params *p);

/**
 * \brief The 16 magic bytes of an MA.
 * \param max_align  8 gives the classic magic, 16 or 32 the aligned form.
 * \param out        Receives 16 bytes.
 * \return 0, or BO_EINVAL for another MA (out untouched).
 */
int trailer_magic_bytes(uint32_t max_align, uint8_t out[TRAILER_MAGIC_SZ]);

/**
 * \brief Offset of one status record.
 * \param lay    The layout.
 * \param op     TRAILER_STATUS_OP_MOVE only in swap-using-move.
 * \param idx    Entry number, from 1 (MCUboot's BOOT_STATUS_IDX_0).
 * \param state  Record number within the entry, from 1 (BOOT_STATUS_STATE_0).
 * \param off    Receives the offset from the start of the area.
 * \return 0, or BO_EINVAL when idx or state lies outside the layout's status area.
 */
int trailer_status_record_off(const struct trailer_layout *lay, enum trailer_status_op op,
                              uint32_t idx, uint32_t state, uint32_t *off);

/**
 * \brief The trailer size imgtool reserves when it pads an image (`sign --pad`), which the
 *        image must not overlap: 3 records per entry whatever the mode, no swap-using-offset
 *        field, and only image_ok, copy_done and the magic with --overwrite-only.
 * \param write_unit      imgtool's --align (1, 2, 4, 8, 16, 32).
 * \param max_align       imgtool's --max-align (8, 16, 32).
 * \param max_sectors     imgtool's --max-sectors (its default is 128).
 * \param overwrite_only  imgtool's --overwrite-only.
 * \param size            Receives the size in bytes.
 * \return 0, or BO_EINVAL for a value imgtool rejects or a size that overflows.
 */
int trailer_imgtool_size(uint32_t write_unit, uint32_t max_align, uint32_t max_sectors,
                         bool overwrite_only, uint32_t *size);

/**
 * \brief Renders a trailer into memory, as the image tool's --pad does: the last tail_len bytes
 *        of the area are set to the erased value, then the requested fields are written.
 * \param lay       The layout (its erased value and MA apply).
 * \param f         The fields to set.
 * \param tail      The last tail_len bytes of the area.
 * \param tail_len  At least info_sz (room for every field) and at most the area size.
 * \return 0, or BO_EINVAL (NULL argument, tail_len out of range, image_num > 15).
 */
int trailer_render(const struct trailer_layout *lay, const struct trailer_fields *f, uint8_t *tail,
                   uint32_t tail_len);

/**
 * \brief Renders what imgtool's `sign --pad` puts after the image: every byte erased, the
 *        magic of max_align in the last 16 bytes, and with confirm (`--confirm`) image_ok set.
 *        imgtool sets no image_ok with --overwrite-only even when asked to confirm: the caller
 *        passes confirm false then.
 * \param max_align   imgtool's --max-align: 8, 16 or 32.
 * \param erased_val  imgtool's -R/--erased-val: 0xff or 0x00.
 * \param confirm     Set image_ok.
 * \param tail        The bytes from the end of the image to the end of the slot.
 * \param tail_len    Their count: at least ALIGN_UP(16, max_align) + max_align.
 * \return 0, or BO_EINVAL.
 */
int trailer_render_pad(uint32_t max_align, uint8_t erased_val, bool confirm, uint8_t *tail,
                       uint32_t tail_len);

/**
 * \brief The sectors the trailer occupies: the first sector holding any byte of
 *        [status_off, area_size), as MCUboot's trailer-sector arithmetic needs it (erasing a
 *        trailer, the largest image that leaves the trailer sectors alone).
 * \param lay      The layout.
 * \param sectors  The area's sectors in address order (flash_area_get_sectors()), covering
 *                 [0, area_size) without gaps.
 * \param count    Their number.
 * \param first    Receives the index of the first trailer sector.
 * \param first_off Receives its offset in the area (may be NULL).
 * \return 0, or BO_EINVAL when the sectors do not tile the area.
 */
int trailer_sector_span(const struct trailer_layout *lay, const struct flash_sector *sectors,
                        uint32_t count, uint32_t *first, uint32_t *first_off);

/**
 * \brief Decodes the 16 magic bytes read at magic_off.
 * \return A trailer_magic_state: UNSET when all bytes hold the erased value, GOOD when they are
 *         the magic of the layout's MA, BAD otherwise.
 */
enum trailer_magic_state trailer_decode_magic(const struct trailer_layout *lay,
                                              const uint8_t magic[TRAILER_MAGIC_SZ]);

/** \brief Decodes a flag byte: UNSET (erased value), SET (0x01) or BAD. */
enum trailer_flag_state trailer_decode_flag(const struct trailer_layout *lay, uint8_t byte);

/** \brief Packs swap_info: image number in the high nibble, swap type in the low one. */
uint8_t trailer_swap_info_pack(uint8_t swap_type, uint8_t image_num);

/**
 * \brief Reads and decodes the magic of an area.
 * \return 0 with *state set, or the flash error.
 */
int trailer_read_magic(const struct flash_area *fa, const struct trailer_layout *lay,
                       enum trailer_magic_state *state);

/** \brief Reads and decodes image_ok. \return 0 or the flash error. */
int trailer_read_image_ok(const struct flash_area *fa, const struct trailer_layout *lay,
                          enum trailer_flag_state *state);

/** \brief Reads and decodes copy_done. \return 0 or the flash error. */
int trailer_read_copy_done(const struct flash_area *fa, const struct trailer_layout *lay,
                           enum trailer_flag_state *state);

/** \brief Reads the raw swap_info byte. \return 0 or the flash error. */
int trailer_read_swap_info(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint8_t *swap_info);

/** \brief Reads swap_size (little-endian uint32). \return 0 or the flash error. */
int trailer_read_swap_size(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint32_t *swap_size);

/**
 * \brief Reads the swap-using-offset TLV sizes (primary in the low 16 bits).
 * \return 0, BO_EINVAL outside swap-using-offset, or the flash error.
 */
int trailer_read_tlv_sizes(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint16_t *primary, uint16_t *secondary);

/**
 * \brief Reads one status record (its first byte).
 * \return 0, BO_EINVAL for a record outside the status area, or the flash error.
 */
int trailer_read_status(const struct flash_area *fa, const struct trailer_layout *lay,
                        enum trailer_status_op op, uint32_t idx, uint32_t state, uint8_t *val);

/**
 * \brief Writes the magic: one program call of magic_unit_sz bytes at magic_unit_off.
 * \return 0 (also when the magic is already there), or the flash error.
 */
int trailer_write_magic(const struct flash_area *fa, const struct trailer_layout *lay);

/** \brief Sets image_ok (one write unit). \return 0 or the flash error. */
int trailer_write_image_ok(const struct flash_area *fa, const struct trailer_layout *lay);

/** \brief Sets copy_done (one write unit). \return 0 or the flash error. */
int trailer_write_copy_done(const struct flash_area *fa, const struct trailer_layout *lay);

/**
 * \brief Writes swap_info (one write unit).
 * \return 0, BO_EINVAL for a swap type above 15 or an image number above 15, or the flash
 *         error.
 */
int trailer_write_swap_info(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint8_t swap_type, uint8_t image_num);

/** \brief Writes swap_size (ALIGN_UP(4, write unit) bytes). \return 0 or the flash error. */
int trailer_write_swap_size(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint32_t swap_size);

/**
 * \brief Writes the swap-using-offset TLV sizes.
 * \return 0, BO_EINVAL outside swap-using-offset, or the flash error.
 */
int trailer_write_tlv_sizes(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint16_t primary, uint16_t secondary);

/**
 * \brief Writes one status record: the byte val padded to one write unit, as MCUboot's
 *        boot_write_status() does (val is the state number, 1..3).
 * \return 0, BO_EINVAL for a record outside the status area, or the flash error.
 */
int trailer_write_status(const struct flash_area *fa, const struct trailer_layout *lay,
                         enum trailer_status_op op, uint32_t idx, uint32_t state, uint8_t val);

#endif /* BOOT_TRAILER_H */
