/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file loader_priv.h
 * \brief Internals shared by the loader and its upgrade modes: the per-mode operations table,
 *        region copy and erase, and the trailer flags the loader sets after a swap.
 *
 * Not for applications: include boot/loader.h.
 */
#ifndef BOOT_LOADER_PRIV_H
#define BOOT_LOADER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/image_src.h"
#include "boot/loader.h"

/** What differs between upgrade modes. */
struct boot_mode_ops {
    enum boot_mode mode;
    /**
     * Where an interrupted swap's progress is (an enum swap_type_source); NULL when the mode
     * keeps no progress (overwrite-only).
     */
    int (*source)(struct boot_loader_state *st, uint8_t *source);
    /** Decodes the progress records of area fa into bs (idx, state, op). */
    int (*read_progress)(struct boot_loader_state *st, const struct flash_area *fa,
                         const struct trailer_layout *lay, struct boot_status *bs);
    /**
     * Performs (or resumes) the swap of the current image described by bs (overwrite-only:
     * the copy). Sets *ran to false when the swap was refused (no room), true otherwise.
     */
    int (*run)(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
};

/** \brief The operations of a mode, or NULL for an unknown mode. */
const struct boot_mode_ops *boot_mode_ops_of(enum boot_mode mode);

/**
 * \brief Erases [off, off + len) of fa (sector boundaries).
 * \return 0 or the flash error.
 */
int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len);

/**
 * \brief Copies len bytes from src at off_src to dst at off_dst, which must be erased. Write
 *        units of dst whose source bytes all hold dst's erased value are not programmed when
 *        they form a run of at least 8 bytes (an ECC part would otherwise count them as written,
 *        and the bytes stay the same either way).
 * \return 0 or the flash error.
 */
int boot_copy_region(struct boot_loader_state *st, const struct flash_area *src,
                     const struct flash_area *dst, uint32_t off_src, uint32_t off_dst,
                     uint32_t len);

/**
 * \brief Copies like boot_copy_region() through the caller's buffer (buf_sz bytes, at least one
 *        write unit of dst), for copies made while st->buf holds other data.
 * \return 0, BO_EALIGN when len is not a multiple of dst's write unit, or a flash error.
 */
int boot_copy_region_buf(const struct flash_area *src, const struct flash_area *dst,
                         uint32_t off_src, uint32_t off_dst, uint32_t len, uint8_t *buf,
                         uint32_t buf_sz);

/*
 * One recorded step of a sector swap: erases [dst_off, dst_off + sz) of dst, copies sz bytes of
 * src at src_off into it, then writes the status record bs names, so that a power cut anywhere
 * in the step redoes exactly this step. Returns 0 or the first error (BO_EPOWER at once).
 */
int boot_copy_step(struct boot_loader_state *st, const struct flash_area *src,
                   const struct flash_area *dst, uint32_t src_off, uint32_t dst_off, uint32_t sz,
                   struct boot_status *bs);

/* One sector copy of a swap step: sz bytes from src at src_off to dst at dst_off. */
struct boot_sector_move {
    const struct flash_area *src;
    const struct flash_area *dst;
    uint32_t src_off;
    uint32_t dst_off;
};

/*
 * One two-state step of swap-using-move or swap-using-offset: state 1 is the boot_copy_step()
 * of move[0], state 2 that of move[1]; the step resumes at bs->state and, once both are
 * recorded, advances bs to the first state of the next step. Returns 0 or the first error.
 */
int boot_swap_step(struct boot_loader_state *st, struct boot_status *bs,
                   const struct boot_sector_move move[2], uint32_t sz);

/**
 * \brief Sets image_ok in the current image's primary trailer if it is unset (MCUboot's
 *        swap_set_image_ok()).
 */
int boot_set_primary_image_ok(struct boot_loader_state *st);

/** \brief Sets copy_done in the current image's primary trailer (swap_set_copy_done()). */
int boot_set_primary_copy_done(struct boot_loader_state *st);

/** \brief Whether a swap type is an upgrade (MCUboot's BOOT_IS_UPGRADE: TEST, PERM, REVERT). */
bool boot_is_upgrade(uint8_t swap_type);

/** An image source over an area from a base offset (the swap-using-offset secondary). */
struct boot_src_ctx {
    const struct flash_area *fa;
    uint32_t base;
};

/** \brief Makes src read fa from base on (size: the rest of the area). */
void boot_src_init(struct image_src *src, struct boot_src_ctx *ctx, const struct flash_area *fa,
                   uint32_t base);

/**
 * \brief Reads the header at base of fa.
 * \param ok      Receives whether its magic is IMAGE_MAGIC.
 * \param erased  Receives whether its first word is blank (may be NULL).
 * \return 0 or the flash error.
 */
int boot_read_header(const struct flash_area *fa, uint32_t base, struct image_header *hdr, bool *ok,
                     bool *erased);

/**
 * \brief Total size (header to end of TLVs) and unprotected TLV area size of the image at base
 *        of fa; both 0 when there is no well-formed image.
 * \return 0 or the flash error.
 */
int boot_image_size(const struct flash_area *fa, uint32_t base, uint32_t *size, uint16_t *unprot);

/**
 * \brief The security counter (protected SEC_CNT TLV) of the image at base of fa.
 * \param has  Receives false when the image has none (or is malformed).
 * \return 0 or the flash error.
 */
int boot_read_sec_cnt(const struct flash_area *fa, uint32_t base, uint32_t *cnt, bool *has);

/** \name Per-mode operations (overwrite.c, swap_scratch.c, swap_move.c, swap_offset.c). */
/**@{*/
int overwrite_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);

int swap_scratch_source(struct boot_loader_state *st, uint8_t *source);
int swap_scratch_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                               const struct trailer_layout *lay, struct boot_status *bs);
int swap_scratch_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
/** The smallest boundary of both slots above off (BO_ERANGE when none). */
int swap_scratch_common_next(const struct boot_loader_state *st, uint32_t off, uint32_t *next);
/** Start of the step that ends at end: the units below it that fit in the scratch area. */
uint32_t swap_scratch_region_start(const struct boot_loader_state *st, uint32_t end);
/** The lowest first-trailer-sector offset of the two slots. */
uint32_t swap_scratch_trailer_floor(const struct boot_loader_state *st);

int swap_move_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                            const struct trailer_layout *lay, struct boot_status *bs);
int swap_move_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);

int swap_offset_read_progress(struct boot_loader_state *st, const struct flash_area *fa,
                              const struct trailer_layout *lay, struct boot_status *bs);
int swap_offset_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran);
/**@}*/

#endif /* BOOT_LOADER_PRIV_H */
