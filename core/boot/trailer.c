/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image trailer: layout arithmetic and field access. The layout is derived from MCUboot's
 * documentation and its observable on-flash format (see trailer.h); nothing here is MCUboot
 * code.
 */
#include "boot/trailer.h"

#include <string.h>

#include "bo_err.h"
#include "sysflash/sysflash.h"

/*
 * Reads of a trailer unit that must all return the bytes to write before the write is skipped:
 * a weak unit (one bit unstable) passes them all with probability 2^-16.
 */
#define TRAILER_STABLE_READS 16u

/* The classic magic (MA 8), as bytes in flash order. */
static const uint8_t trailer_magic_classic[TRAILER_MAGIC_SZ] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};

/* The 14 bytes that follow the 16-bit MA in the aligned magic (MA 16 and 32). */
static const uint8_t trailer_magic_aligned_tail[TRAILER_MAGIC_SZ - 2] = {
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

static bool trailer_is_pow2_upto(uint32_t v, uint32_t max)
{
    return v != 0 && v <= max && (v & (v - 1)) == 0;
}

static uint32_t trailer_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static uint32_t trailer_align_down(uint32_t v, uint32_t a)
{
    return v & ~(a - 1);
}

int trailer_magic_bytes(uint32_t max_align, uint8_t out[TRAILER_MAGIC_SZ])
{
    if (out == NULL) {
        return BO_EINVAL;
    }
    if (max_align == 8) {
        memcpy(out, trailer_magic_classic, TRAILER_MAGIC_SZ);
        return 0;
    }
    if (max_align == 16 || max_align == 32) {
        out[0] = (uint8_t)(max_align & 0xff);
        out[1] = (uint8_t)(max_align >> 8);
        memcpy(out + 2, trailer_magic_aligned_tail, sizeof(trailer_magic_aligned_tail));
        return 0;
    }
    return BO_EINVAL;
}

static uint32_t trailer_states_per_entry(enum trailer_mode mode)
{
    /* MCUboot's BOOT_STATUS_STATE_COUNT for each upgrade mode. */
    switch (mode) {
    case TRAILER_MODE_OFFSET:
        return 2;
    case TRAILER_MODE_MOVE:
        return 3; /* One move record plus two swap records. */
    case TRAILER_MODE_OVERWRITE:
    case TRAILER_MODE_SCRATCH:
    default:
        return 3;
    }
}

static int trailer_check_config(const struct trailer_config *cfg)
{
    if (cfg->max_align != 8 && cfg->max_align != 16 && cfg->max_align != 32) {
        return BO_EINVAL;
    }
    if (!trailer_is_pow2_upto(cfg->write_unit, cfg->max_align)) {
        return BO_EINVAL;
    }
    if (cfg->erased_val != 0xff && cfg->erased_val != 0x00) {
        return BO_EINVAL;
    }
    if (cfg->mode != TRAILER_MODE_OVERWRITE && cfg->mode != TRAILER_MODE_SCRATCH &&
        cfg->mode != TRAILER_MODE_MOVE && cfg->mode != TRAILER_MODE_OFFSET) {
        return BO_EINVAL;
    }
    if (cfg->role != TRAILER_ROLE_SLOT && cfg->role != TRAILER_ROLE_SCRATCH) {
        return BO_EINVAL;
    }
    if (cfg->role == TRAILER_ROLE_SCRATCH && cfg->mode != TRAILER_MODE_SCRATCH) {
        return BO_EINVAL;
    }
    if (cfg->area_size == 0 || cfg->area_size % cfg->max_align != 0) {
        return BO_EINVAL;
    }
    return 0;
}

int trailer_layout_init(struct trailer_layout *lay, const struct trailer_config *cfg)
{
    struct trailer_layout l;
    uint64_t info;
    uint64_t status;
    uint64_t total;
    uint32_t ma;
    int rc;

    if (lay == NULL || cfg == NULL) {
        return BO_EINVAL;
    }
    rc = trailer_check_config(cfg);
    if (rc < 0) {
        return rc;
    }
    memset(&l, 0, sizeof(l));
    l.cfg = *cfg;
    ma = cfg->max_align;

    /* Four MA-sized fields, the swap-using-offset field, and the magic's write unit. */
    l.magic_unit_sz = trailer_align_up(TRAILER_MAGIC_SZ, ma);
    info = (uint64_t)ma * 4u + l.magic_unit_sz;
    if (cfg->mode == TRAILER_MODE_OFFSET) {
        info += ma;
    }
    l.status_states = trailer_states_per_entry(cfg->mode);
    if (cfg->max_sectors == 0) {
        l.status_entries = 0; /* A field-only layout. */
    } else {
        l.status_entries = cfg->role == TRAILER_ROLE_SCRATCH ? 1u : cfg->max_sectors;
    }
    status = (uint64_t)l.status_entries * l.status_states * cfg->write_unit;
    total = status + info;
    if (total > cfg->area_size) {
        return BO_ERANGE;
    }
    l.info_sz = (uint32_t)info;
    l.status_sz = (uint32_t)status;
    l.trailer_sz = (uint32_t)total;
    l.status_off = cfg->area_size - l.trailer_sz;

    /* The field offsets as MCUboot derives them, each from the one above it. */
    l.magic_off = cfg->area_size - TRAILER_MAGIC_SZ;
    l.magic_unit_off = trailer_align_down(l.magic_off, ma);
    l.image_ok_off = trailer_align_down(l.magic_off - ma, ma);
    l.copy_done_off = l.image_ok_off - ma;
    l.swap_info_off = l.copy_done_off - ma;
    if (cfg->mode == TRAILER_MODE_OFFSET) {
        l.tlv_sizes_off = l.swap_info_off - ma;
        l.swap_size_off = l.tlv_sizes_off - ma;
    } else {
        l.tlv_sizes_off = TRAILER_OFF_NONE;
        l.swap_size_off = l.swap_info_off - ma;
    }
    *lay = l;
    return 0;
}

int trailer_layout_from_area(struct trailer_layout *lay, const struct flash_area *fa,
                             const struct trailer_params *p)
{
    struct trailer_config cfg;
    uint32_t align;
    uint32_t write_unit;

    if (lay == NULL || fa == NULL || p == NULL) {
        return BO_EINVAL;
    }
    align = flash_area_align(fa);
    write_unit = p->write_unit == 0 ? align : p->write_unit;
    if (align > write_unit) {
        return BO_EINVAL;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.area_size = flash_area_get_size(fa);
    cfg.write_unit = write_unit;
    cfg.max_align = p->max_align;
    cfg.max_sectors = p->max_sectors;
    cfg.mode = p->mode;
    cfg.role = flash_area_get_id(fa) == FLASH_AREA_IMAGE_SCRATCH ? TRAILER_ROLE_SCRATCH
                                                                 : TRAILER_ROLE_SLOT;
    cfg.erased_val = flash_area_erased_val(fa);
    return trailer_layout_init(lay, &cfg);
}

int trailer_status_record_off(const struct trailer_layout *lay, enum trailer_status_op op,
                              uint32_t idx, uint32_t state, uint32_t *off)
{
    uint64_t rel;
    uint32_t per_entry;
    uint32_t base_states;
    uint32_t w;

    if (lay == NULL || off == NULL || idx == 0 || state == 0) {
        return BO_EINVAL;
    }
    w = lay->cfg.write_unit;
    if (op == TRAILER_STATUS_OP_MOVE) {
        /* Swap-using-move: one move record per entry, all of them first. */
        if (lay->cfg.mode != TRAILER_MODE_MOVE) {
            return BO_EINVAL;
        }
        per_entry = 1;
        base_states = 0;
    } else if (op == TRAILER_STATUS_OP_SWAP) {
        if (lay->cfg.mode == TRAILER_MODE_MOVE) {
            per_entry = 2;
            base_states = lay->status_entries; /* Past the move records. */
        } else {
            per_entry = lay->status_states;
            base_states = 0;
        }
    } else {
        return BO_EINVAL;
    }
    if (idx > lay->status_entries || state > per_entry) {
        return BO_EINVAL;
    }
    rel = ((uint64_t)base_states + (uint64_t)(idx - 1) * per_entry + (state - 1)) * w;
    if (rel + w > lay->status_sz) {
        return BO_EINVAL;
    }
    *off = lay->status_off + (uint32_t)rel;
    return 0;
}

int trailer_imgtool_size(uint32_t write_unit, uint32_t max_align, uint32_t max_sectors,
                         bool overwrite_only, uint32_t *size)
{
    uint64_t total;
    uint32_t magic_unit;

    if (size == NULL || (max_align != 8 && max_align != 16 && max_align != 32)) {
        return BO_EINVAL;
    }
    magic_unit = trailer_align_up(TRAILER_MAGIC_SZ, max_align);
    if (overwrite_only) {
        *size = max_align * 2u + magic_unit;
        return 0;
    }
    if (!trailer_is_pow2_upto(write_unit, TRAILER_ALIGN_MAX) || max_sectors == 0) {
        return BO_EINVAL;
    }
    total = (uint64_t)max_sectors * 3u * write_unit + (uint64_t)max_align * 4u + magic_unit;
    if (total > UINT32_MAX) {
        return BO_EINVAL;
    }
    *size = (uint32_t)total;
    return 0;
}

uint8_t trailer_swap_info_pack(uint8_t swap_type, uint8_t image_num)
{
    return (uint8_t)(((image_num & 0x0fu) << 4) | (swap_type & 0x0fu));
}

static void trailer_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)((v >> 8) & 0xff);
    p[2] = (uint8_t)((v >> 16) & 0xff);
    p[3] = (uint8_t)((v >> 24) & 0xff);
}

static uint32_t trailer_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int trailer_render(const struct trailer_layout *lay, const struct trailer_fields *f, uint8_t *tail,
                   uint32_t tail_len)
{
    uint8_t *area_end;
    uint32_t size;

    if (lay == NULL || f == NULL || tail == NULL) {
        return BO_EINVAL;
    }
    size = lay->cfg.area_size;
    if (tail_len < lay->info_sz || tail_len > size || f->image_num > 0x0f || f->swap_type > 0x0f) {
        return BO_EINVAL;
    }
    memset(tail, lay->cfg.erased_val, tail_len);
    /* area_end - (size - off) addresses area offset off inside the tail. */
    area_end = tail + tail_len;
    if (f->magic) {
        (void)trailer_magic_bytes(lay->cfg.max_align, area_end - (size - lay->magic_off));
    }
    if (f->image_ok) {
        *(area_end - (size - lay->image_ok_off)) = TRAILER_FLAG_SET_BYTE;
    }
    if (f->copy_done) {
        *(area_end - (size - lay->copy_done_off)) = TRAILER_FLAG_SET_BYTE;
    }
    if (f->swap_type != 0) {
        *(area_end - (size - lay->swap_info_off)) =
            trailer_swap_info_pack(f->swap_type, f->image_num);
    }
    if (f->has_swap_size) {
        trailer_put_le32(area_end - (size - lay->swap_size_off), f->swap_size);
    }
    return 0;
}

int trailer_render_pad(uint32_t max_align, uint8_t erased_val, bool confirm, uint8_t *tail,
                       uint32_t tail_len)
{
    uint32_t magic_unit;
    int rc;

    if (tail == NULL || (erased_val != 0xff && erased_val != 0x00)) {
        return BO_EINVAL;
    }
    if (max_align != 8 && max_align != 16 && max_align != 32) {
        return BO_EINVAL;
    }
    magic_unit = trailer_align_up(TRAILER_MAGIC_SZ, max_align);
    if (tail_len < magic_unit + max_align) {
        return BO_EINVAL;
    }
    memset(tail, erased_val, tail_len);
    rc = trailer_magic_bytes(max_align, tail + tail_len - TRAILER_MAGIC_SZ);
    if (rc < 0) {
        return rc;
    }
    if (confirm) {
        tail[tail_len - magic_unit - max_align] = TRAILER_FLAG_SET_BYTE;
    }
    return 0;
}

int trailer_sector_span(const struct trailer_layout *lay, const struct flash_sector *sectors,
                        uint32_t count, uint32_t *first, uint32_t *first_off)
{
    uint64_t end = 0;
    uint32_t found = UINT32_MAX;
    uint32_t i;

    if (lay == NULL || sectors == NULL || first == NULL || count == 0) {
        return BO_EINVAL;
    }
    for (i = 0; i < count; i++) {
        uint32_t off = flash_sector_get_off(&sectors[i]);
        uint32_t size = flash_sector_get_size(&sectors[i]);

        if (off != end || size == 0) {
            return BO_EINVAL;
        }
        end += size;
        if (found == UINT32_MAX && end > lay->status_off) {
            found = i;
        }
    }
    if (end != lay->cfg.area_size || found == UINT32_MAX) {
        return BO_EINVAL;
    }
    *first = found;
    if (first_off != NULL) {
        *first_off = flash_sector_get_off(&sectors[found]);
    }
    return 0;
}

static bool trailer_all_erased(const uint8_t *p, size_t len, uint8_t erased)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (p[i] != erased) {
            return false;
        }
    }
    return true;
}

enum trailer_magic_state trailer_decode_magic(const struct trailer_layout *lay,
                                              const uint8_t magic[TRAILER_MAGIC_SZ])
{
    uint8_t good[TRAILER_MAGIC_SZ];

    if (trailer_all_erased(magic, TRAILER_MAGIC_SZ, lay->cfg.erased_val)) {
        return TRAILER_MAGIC_UNSET;
    }
    if (trailer_magic_bytes(lay->cfg.max_align, good) == 0 &&
        memcmp(magic, good, TRAILER_MAGIC_SZ) == 0) {
        return TRAILER_MAGIC_GOOD;
    }
    return TRAILER_MAGIC_BAD;
}

enum trailer_flag_state trailer_decode_flag(const struct trailer_layout *lay, uint8_t byte)
{
    if (byte == lay->cfg.erased_val) {
        return TRAILER_FLAG_UNSET;
    }
    if (byte == TRAILER_FLAG_SET_BYTE) {
        return TRAILER_FLAG_SET;
    }
    return TRAILER_FLAG_BAD;
}

/* Reads len bytes at off, refusing a layout that does not describe this area. */
static int trailer_read(const struct flash_area *fa, const struct trailer_layout *lay, uint32_t off,
                        void *dst, uint32_t len)
{
    if (fa == NULL || lay == NULL || dst == NULL) {
        return BO_EINVAL;
    }
    if (flash_area_get_size(fa) != lay->cfg.area_size) {
        return BO_EINVAL;
    }
    return flash_area_read(fa, off, dst, len);
}

int trailer_read_magic(const struct flash_area *fa, const struct trailer_layout *lay,
                       enum trailer_magic_state *state)
{
    uint8_t magic[TRAILER_MAGIC_SZ];
    int rc;

    if (state == NULL) {
        return BO_EINVAL;
    }
    rc = trailer_read(fa, lay, lay == NULL ? 0 : lay->magic_off, magic, sizeof(magic));
    if (rc < 0) {
        return rc;
    }
    *state = trailer_decode_magic(lay, magic);
    return 0;
}

static int trailer_read_flag(const struct flash_area *fa, const struct trailer_layout *lay,
                             uint32_t off, enum trailer_flag_state *state)
{
    uint8_t byte;
    int rc;

    if (state == NULL) {
        return BO_EINVAL;
    }
    rc = trailer_read(fa, lay, off, &byte, 1);
    if (rc < 0) {
        return rc;
    }
    *state = trailer_decode_flag(lay, byte);
    return 0;
}

int trailer_read_image_ok(const struct flash_area *fa, const struct trailer_layout *lay,
                          enum trailer_flag_state *state)
{
    return trailer_read_flag(fa, lay, lay == NULL ? 0 : lay->image_ok_off, state);
}

int trailer_read_copy_done(const struct flash_area *fa, const struct trailer_layout *lay,
                           enum trailer_flag_state *state)
{
    return trailer_read_flag(fa, lay, lay == NULL ? 0 : lay->copy_done_off, state);
}

int trailer_read_swap_info(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint8_t *swap_info)
{
    return trailer_read(fa, lay, lay == NULL ? 0 : lay->swap_info_off, swap_info, 1);
}

int trailer_read_swap_size(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint32_t *swap_size)
{
    uint8_t buf[4];
    int rc;

    if (swap_size == NULL) {
        return BO_EINVAL;
    }
    rc = trailer_read(fa, lay, lay == NULL ? 0 : lay->swap_size_off, buf, sizeof(buf));
    if (rc < 0) {
        return rc;
    }
    *swap_size = trailer_get_le32(buf);
    return 0;
}

int trailer_read_tlv_sizes(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint16_t *primary, uint16_t *secondary)
{
    uint8_t buf[4];
    uint32_t v;
    int rc;

    if (lay == NULL || primary == NULL || secondary == NULL ||
        lay->tlv_sizes_off == TRAILER_OFF_NONE) {
        return BO_EINVAL;
    }
    rc = trailer_read(fa, lay, lay->tlv_sizes_off, buf, sizeof(buf));
    if (rc < 0) {
        return rc;
    }
    v = trailer_get_le32(buf);
    *primary = (uint16_t)(v & 0xffff);
    *secondary = (uint16_t)(v >> 16);
    return 0;
}

int trailer_read_status(const struct flash_area *fa, const struct trailer_layout *lay,
                        enum trailer_status_op op, uint32_t idx, uint32_t state, uint8_t *val)
{
    uint32_t off;
    int rc;

    rc = trailer_status_record_off(lay, op, idx, state, &off);
    if (rc < 0) {
        return rc;
    }
    return trailer_read(fa, lay, off, val, 1);
}

/*
 * Programs buf[0..len) at off (len at most TRAILER_ALIGN_MAX) unless flash already holds
 * exactly those bytes on every one of TRAILER_STABLE_READS reads. Skipping the stable identical
 * case keeps a retried request from programming a unit twice (ECC parts forbid that). A unit
 * left weak by a power cut reads as written on some reads only: it is programmed again, which
 * settles it on NOR flash (an ECC part refuses with BO_ESEMANTICS, for the caller to repair).
 */
static int trailer_program(const struct flash_area *fa, const struct trailer_layout *lay,
                           uint32_t off, const uint8_t *buf, uint32_t len)
{
    uint8_t cur[TRAILER_ALIGN_MAX];
    bool same = true;
    uint32_t r;
    int rc;

    if (len > sizeof(cur)) {
        return BO_EINVAL;
    }
    for (r = 0; r < TRAILER_STABLE_READS && same; r++) {
        rc = trailer_read(fa, lay, off, cur, len);
        if (rc < 0) {
            return rc;
        }
        same = memcmp(cur, buf, len) == 0;
    }
    if (same) {
        return 0;
    }
    return flash_area_write(fa, off, buf, len);
}

/* Writes a field of inlen bytes padded to the area's write unit, like boot_write_trailer(). */
static int trailer_write_field(const struct flash_area *fa, const struct trailer_layout *lay,
                               uint32_t off, const uint8_t *in, uint32_t inlen)
{
    uint8_t buf[TRAILER_ALIGN_MAX];
    uint32_t align;
    uint32_t len;

    if (fa == NULL || lay == NULL) {
        return BO_EINVAL;
    }
    align = flash_area_align(fa);
    if (!trailer_is_pow2_upto(align, lay->cfg.max_align) || inlen > TRAILER_ALIGN_MAX) {
        return BO_EINVAL;
    }
    len = trailer_align_up(inlen, align);
    if (len > lay->cfg.max_align) {
        return BO_EINVAL;
    }
    memset(buf, flash_area_erased_val(fa), sizeof(buf));
    memcpy(buf, in, inlen);
    return trailer_program(fa, lay, off, buf, len);
}

int trailer_write_magic(const struct flash_area *fa, const struct trailer_layout *lay)
{
    uint8_t buf[TRAILER_ALIGN_MAX];
    uint32_t pad;
    int rc;

    if (fa == NULL || lay == NULL) {
        return BO_EINVAL;
    }
    pad = lay->magic_unit_sz - TRAILER_MAGIC_SZ;
    memset(buf, lay->cfg.erased_val, sizeof(buf));
    rc = trailer_magic_bytes(lay->cfg.max_align, buf + pad);
    if (rc < 0) {
        return rc;
    }
    return trailer_program(fa, lay, lay->magic_unit_off, buf, lay->magic_unit_sz);
}

int trailer_write_image_ok(const struct flash_area *fa, const struct trailer_layout *lay)
{
    const uint8_t flag = TRAILER_FLAG_SET_BYTE;

    return trailer_write_field(fa, lay, lay == NULL ? 0 : lay->image_ok_off, &flag, 1);
}

int trailer_write_copy_done(const struct flash_area *fa, const struct trailer_layout *lay)
{
    const uint8_t flag = TRAILER_FLAG_SET_BYTE;

    return trailer_write_field(fa, lay, lay == NULL ? 0 : lay->copy_done_off, &flag, 1);
}

int trailer_write_swap_info(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint8_t swap_type, uint8_t image_num)
{
    uint8_t info;

    if (swap_type > 0x0f || image_num > 0x0f) {
        return BO_EINVAL;
    }
    info = trailer_swap_info_pack(swap_type, image_num);
    return trailer_write_field(fa, lay, lay == NULL ? 0 : lay->swap_info_off, &info, 1);
}

int trailer_write_swap_size(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint32_t swap_size)
{
    uint8_t buf[4];

    trailer_put_le32(buf, swap_size);
    return trailer_write_field(fa, lay, lay == NULL ? 0 : lay->swap_size_off, buf, 4);
}

int trailer_write_tlv_sizes(const struct flash_area *fa, const struct trailer_layout *lay,
                            uint16_t primary, uint16_t secondary)
{
    uint8_t buf[4];

    if (lay == NULL || lay->tlv_sizes_off == TRAILER_OFF_NONE) {
        return BO_EINVAL;
    }
    trailer_put_le32(buf, (uint32_t)primary | ((uint32_t)secondary << 16));
    return trailer_write_field(fa, lay, lay->tlv_sizes_off, buf, 4);
}

int trailer_write_status(const struct flash_area *fa, const struct trailer_layout *lay,
                         enum trailer_status_op op, uint32_t idx, uint32_t state, uint8_t val)
{
    uint32_t off;
    int rc;

    rc = trailer_status_record_off(lay, op, idx, state, &off);
    if (rc < 0) {
        return rc;
    }
    /* A record wider than the layout's records would run into the next one. */
    if (fa == NULL || flash_area_align(fa) > lay->cfg.write_unit) {
        return BO_EINVAL;
    }
    return trailer_write_field(fa, lay, off, &val, 1);
}
