/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "trailer": trailer layouts and the decoding of fuzzed slot tails (magic, flags,
 * swap info, swap size, swap-using-offset TLV sizes, every status record, the status scans),
 * the swap-type decision, the status source of swap-using-scratch, trailer rendering, and the
 * application API's request and confirmation over the fuzzed trailers. Max-align 8/16/32, write
 * units 1..32, erased value 0xff or 0x00, the four modes.
 *
 * Flash: one 4 KiB-sector NOR device with a bootloader sector, two 32 KiB slots and a 8 KiB
 * scratch area; the input's tails are copied to the end of each area, the rest is erased.
 *
 * Input:
 *   byte 0   bits 0-1 MA (8, 16, 32, 8), bits 2-4 log2 write unit (clamped to 32 and to MA),
 *            bit 5 erased 0x00, bits 6-7 mode (overwrite, scratch, move, offset)
 *   byte 1   bits 0-3 max sectors (0: 128), bit 4 image number for the status source,
 *            bits 5-6 application call (0 none, 1 test request, 2 permanent request, 3 confirm)
 *   byte 2-7 tail lengths of the primary, the secondary and the scratch (16 bits each)
 *   byte 8-15 trailer_fields to render (magic, flags, swap type, image, swap size)
 *   rest     the three tails, one after the other
 *
 * Oracles: a layout's fields lie inside the area in MCUboot's order; decoded states are of
 * their enums; the application API reads the state the bootloader reads; the swap type is one
 * the table can give and equals boot_swap_type_multi(); status record offsets of the layout
 * are readable and the first one past the end is refused; scans stop inside the status area;
 * a rendered trailer decodes to the fields rendered; a request that succeeds over a trailer
 * without magic makes the next boot do that request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board.h"
#include "boot/boot_api.h"
#include "boot/boot_status.h"
#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "boot/trailer.h"
#include "fuzz_common.h"
#include "port_flash_map.h"

#define FUZZ_TRAILER_SECTOR 4096u
#define FUZZ_TRAILER_SLOT (8u * FUZZ_TRAILER_SECTOR)
#define FUZZ_TRAILER_SCRATCH (2u * FUZZ_TRAILER_SECTOR)

/* One flash map per write unit (1..32) and erased value, built at start. */
static struct port_flash_map fuzz_trailer_maps[6][2];
static bool fuzz_trailer_built[6][2];

static struct port_flash_map *fuzz_trailer_map(uint32_t wu_log, uint32_t erased0)
{
    struct board b;
    char ini[1024];
    char err[256];
    int n;

    if (fuzz_trailer_built[wu_log][erased0]) {
        return &fuzz_trailer_maps[wu_log][erased0];
    }
    n = snprintf(ini, sizeof(ini),
                 "[board]\nname = fuzz\n[flash f]\nsectors = 19x4K\nwrite-unit = %u\n"
                 "erased-value = %s\nsemantics = nor\n"
                 "[partition bootloader]\noffset = 0x0\nsize = 0x1000\n"
                 "[partition image-0-primary]\noffset = 0x1000\nsize = 0x8000\n"
                 "[partition image-0-secondary]\noffset = 0x9000\nsize = 0x8000\n"
                 "[partition scratch]\noffset = 0x11000\nsize = 0x2000\n",
                 1u << wu_log, erased0 ? "0x00" : "0xff");
    if (n < 0 || board_parse(&b, ini, (size_t)n, "fuzz-trailer", err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: board: %s\n", err);
        abort();
    }
    port_flash_map_init(&fuzz_trailer_maps[wu_log][erased0]);
    if (port_flash_map_setup_board(&fuzz_trailer_maps[wu_log][erased0], &b) != 0) {
        abort();
    }
    fuzz_trailer_built[wu_log][erased0] = true;
    return &fuzz_trailer_maps[wu_log][erased0];
}

static bool fuzz_trailer_magic_ok(uint8_t m)
{
    return m == TRAILER_MAGIC_GOOD || m == TRAILER_MAGIC_BAD || m == TRAILER_MAGIC_UNSET;
}

static bool fuzz_trailer_flag_ok(uint8_t f)
{
    return f == TRAILER_FLAG_SET || f == TRAILER_FLAG_BAD || f == TRAILER_FLAG_UNSET;
}

static void fuzz_trailer_check_state(const struct boot_swap_state *st)
{
    fuzz_check(fuzz_trailer_magic_ok(st->magic), "decoded magic outside its enum");
    fuzz_check(fuzz_trailer_flag_ok(st->copy_done), "decoded copy_done outside its enum");
    fuzz_check(fuzz_trailer_flag_ok(st->image_ok), "decoded image_ok outside its enum");
    /* As in MCUboot, a low nibble of 0 stays 0; anything above REVERT decodes as NONE. */
    fuzz_check(st->swap_type <= TRAILER_SWAP_TYPE_REVERT, "decoded swap type above REVERT");
    fuzz_check(st->image_num <= 15, "image number above 15");
}

/* MCUboot's order of the fields, from the end of the area down. */
static void fuzz_trailer_check_layout(const struct trailer_layout *lay)
{
    uint32_t size = lay->cfg.area_size;
    uint32_t ma = lay->cfg.max_align;

    fuzz_check(lay->magic_off + TRAILER_MAGIC_SZ == size, "magic is not the last 16 bytes");
    fuzz_check(lay->magic_unit_off <= lay->magic_off &&
                   lay->magic_unit_off + lay->magic_unit_sz == size &&
                   lay->magic_unit_off % ma == 0,
               "magic write unit misplaced");
    fuzz_check(lay->image_ok_off + ma <= lay->magic_unit_off, "image_ok overlaps the magic");
    fuzz_check(lay->copy_done_off + ma == lay->image_ok_off, "copy_done misplaced");
    fuzz_check(lay->swap_info_off + ma == lay->copy_done_off, "swap_info misplaced");
    if (lay->cfg.mode == TRAILER_MODE_OFFSET) {
        fuzz_check(lay->tlv_sizes_off + ma == lay->swap_info_off &&
                       lay->swap_size_off + ma == lay->tlv_sizes_off,
                   "swap-using-offset fields misplaced");
    } else {
        fuzz_check(lay->tlv_sizes_off == TRAILER_OFF_NONE &&
                       lay->swap_size_off + ma == lay->swap_info_off,
                   "swap_size misplaced");
    }
    fuzz_check(lay->status_off + lay->status_sz <= lay->swap_size_off,
               "status area overlaps the fields");
    fuzz_check(lay->trailer_sz == size - lay->status_off && lay->trailer_sz <= size,
               "trailer size inconsistent");
    fuzz_check(lay->status_sz == lay->status_entries * lay->status_states * lay->cfg.write_unit,
               "status size inconsistent");
}

/* Reads every status record of the layout and one past the end. */
static void fuzz_trailer_records(const struct flash_area *fa, const struct trailer_layout *lay)
{
    enum trailer_status_op op;
    uint32_t idx;
    uint32_t state;
    uint32_t off;
    uint8_t val;
    bool found;
    uint32_t next;
    uint32_t count = lay->status_entries * lay->status_states;

    for (op = TRAILER_STATUS_OP_SWAP; op <= TRAILER_STATUS_OP_MOVE; op++) {
        /* Swap-using-move keeps one move record and two swap records per entry. */
        bool move = lay->cfg.mode == TRAILER_MODE_MOVE;
        uint32_t states = move ? (op == TRAILER_STATUS_OP_MOVE ? 1u : 2u) : lay->status_states;

        if (op == TRAILER_STATUS_OP_MOVE && !move) {
            fuzz_check(trailer_status_record_off(lay, op, 1, 1, &off) == BO_EINVAL,
                       "move record outside swap-using-move accepted");
            break;
        }
        for (idx = 1; idx <= lay->status_entries && idx <= 16; idx++) {
            for (state = 1; state <= states; state++) {
                fuzz_check(trailer_status_record_off(lay, op, idx, state, &off) == 0,
                           "status record of the layout refused");
                fuzz_check(off >= lay->status_off &&
                               off + lay->cfg.write_unit <= lay->status_off + lay->status_sz,
                           "status record outside its area");
                fuzz_check(trailer_read_status(fa, lay, op, idx, state, &val) == 0,
                           "status record unreadable");
            }
        }
        fuzz_check(trailer_status_record_off(lay, op, lay->status_entries + 1, 1, &off) ==
                       BO_EINVAL,
                   "status record past the end accepted");
        fuzz_check(trailer_status_record_off(lay, op, 1, states + 1, &off) == BO_EINVAL,
                   "status state past the end accepted");
    }
    if (count > 4096) {
        count = 4096;
    }
    if (boot_status_scan_forward(fa, lay, count, &found, &next) == 0) {
        fuzz_check(next <= count, "forward scan past the status area");
    }
    if (boot_status_scan_reverse(fa, lay, count, &found, &next) == 0) {
        fuzz_check(next <= count, "reverse scan past the status area");
    }
}

/* Renders fields into a buffer holding the trailer and decodes them back. */
static void fuzz_trailer_render(const struct trailer_layout *lay, struct fuzz_in *in)
{
    struct trailer_fields f;
    struct boot_swap_state st;
    uint32_t len = lay->trailer_sz;
    uint32_t base = lay->cfg.area_size - len;
    uint8_t *tail;
    uint8_t b = fuzz_u8(in);
    uint32_t v;

    memset(&f, 0, sizeof(f));
    f.magic = (b & 1) != 0;
    f.image_ok = (b & 2) != 0;
    f.copy_done = (b & 4) != 0;
    f.has_swap_size = (b & 8) != 0;
    f.swap_type = fuzz_u8(in) & 0x0f;
    f.image_num = fuzz_u8(in) & 0x0f;
    f.swap_size = fuzz_u32(in);
    (void)fuzz_u8(in);
    tail = malloc(len);
    if (tail == NULL) {
        return;
    }
    fuzz_check(trailer_render(lay, &f, tail, len) == 0, "render refused a valid request");
    fuzz_check((trailer_decode_magic(lay, tail + lay->magic_off - base) == TRAILER_MAGIC_GOOD) ==
                   f.magic,
               "rendered magic does not decode");
    fuzz_check((trailer_decode_flag(lay, tail[lay->image_ok_off - base]) == TRAILER_FLAG_SET) ==
                   f.image_ok,
               "rendered image_ok does not decode");
    fuzz_check((trailer_decode_flag(lay, tail[lay->copy_done_off - base]) == TRAILER_FLAG_SET) ==
                   f.copy_done,
               "rendered copy_done does not decode");
    swap_state_decode_info(lay, tail[lay->swap_info_off - base], &st);
    if (f.swap_type >= TRAILER_SWAP_TYPE_NONE && f.swap_type <= TRAILER_SWAP_TYPE_REVERT) {
        fuzz_check(st.swap_type == f.swap_type && st.image_num == f.image_num,
                   "rendered swap_info does not decode");
    }
    if (f.has_swap_size) {
        const uint8_t *p = tail + lay->swap_size_off - base;

        v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        fuzz_check(v == f.swap_size, "rendered swap_size does not decode");
    }
    free(tail);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint32_t w;

    (void)argc;
    (void)argv;
    fuzz_setup_once();
    for (w = 0; w < 6; w++) {
        (void)fuzz_trailer_map(w, 0);
        (void)fuzz_trailer_map(w, 1);
    }
    return 0;
}

static const int fuzz_trailer_ids[3] = { FLASH_AREA_IMAGE_0, FLASH_AREA_IMAGE_1,
                                         FLASH_AREA_IMAGE_SCRATCH };

/*
 * Reads bytes 0 and 1 (MA, write unit, erased value, mode; max sectors, the status source flag
 * and the API call) into p and *b1, and returns the map of that geometry, erased and powered.
 */
static struct port_flash_map *fuzz_trailer_setup(struct fuzz_in *in, struct trailer_params *p,
                                                 uint8_t *b1)
{
    static const uint32_t mas[4] = { 8, 16, 32, 8 };
    static const enum trailer_mode modes[4] = { TRAILER_MODE_OVERWRITE, TRAILER_MODE_SCRATCH,
                                                TRAILER_MODE_MOVE, TRAILER_MODE_OFFSET };
    struct port_flash_map *map;
    struct vflash *dev;
    uint8_t b0 = fuzz_u8(in);
    uint32_t ma = mas[b0 & 3];
    uint32_t wu_log = (b0 >> 2) & 7;
    uint8_t erased = (b0 & 0x20) != 0 ? 0x00 : 0xff;

    *b1 = fuzz_u8(in);
    if (wu_log > 5) {
        wu_log = 5;
    }
    while ((1u << wu_log) > ma) {
        wu_log--;
    }
    map = fuzz_trailer_map(wu_log, erased == 0x00);
    dev = port_flash_map_device(map, 0);
    memset(dev->mem, erased, dev->size);
    port_flash_map_power_on(map);
    memset(p, 0, sizeof(*p));
    p->max_align = ma;
    p->mode = modes[b0 >> 6];
    p->max_sectors = (*b1 & 0x0f) == 0 ? 128u : (uint32_t)(*b1 & 0x0f);
    return map;
}

/* Writes the input's tails at the end of the three areas (each at most the area). */
static void fuzz_trailer_tails(struct fuzz_in *in, struct port_flash_map *map,
                               const uint32_t *tail_len)
{
    struct vflash *dev = port_flash_map_device(map, 0);
    int i;

    for (i = 0; i < 3; i++) {
        const struct flash_area *a = &map->areas[fuzz_trailer_ids[i]];
        uint32_t n = tail_len[i] > a->fa_size ? a->fa_size : tail_len[i];

        if (n > fuzz_left(in)) {
            n = (uint32_t)fuzz_left(in);
        }
        if (n > 0) {
            memcpy(dev->mem + a->fa_off + a->fa_size - n, fuzz_rest(in), n);
            fuzz_skip(in, n);
        }
    }
}

/*
 * Checks area i: its layout, state, status records, swap size, TLV sizes and sector span, and
 * (slots only) that the application API reads the same state. Returns whether it has a layout.
 */
static bool fuzz_trailer_area(int i, const struct trailer_params *p, const struct flash_area *fa,
                              struct trailer_layout *lay, struct boot_swap_state *st)
{
    struct flash_sector sectors[16];
    struct boot_swap_state api;
    struct boot_api_config acfg;
    uint32_t nsec = 16;
    uint32_t first;
    uint32_t ss;
    uint16_t t0;
    uint16_t t1;

    if (trailer_layout_from_area(lay, fa, p) != 0) {
        return false;
    }
    fuzz_trailer_check_layout(lay);
    fuzz_check(swap_state_read(fa, lay, st) == 0, "trailer unreadable");
    fuzz_trailer_check_state(st);
    fuzz_trailer_records(fa, lay);
    fuzz_check(trailer_read_swap_size(fa, lay, &ss) == 0, "swap_size unreadable");
    fuzz_check((trailer_read_tlv_sizes(fa, lay, &t0, &t1) == 0) == (p->mode == TRAILER_MODE_OFFSET),
               "tlv_sizes readable outside swap-using-offset (or not inside)");
    if (flash_area_get_sectors(fuzz_trailer_ids[i], &nsec, sectors) == 0) {
        fuzz_check(trailer_sector_span(lay, sectors, nsec, &first, NULL) == 0 && first < nsec,
                   "trailer sector span");
    }
    if (i < 2) {
        acfg.max_align = p->max_align;
        fuzz_check(boot_read_swap_state_cfg(&acfg, fa, &api) == 0,
                   "application API cannot read the trailer");
        fuzz_check(memcmp(&api, st, sizeof(api)) == 0,
                   "application API reads another state than the bootloader");
    }
    return true;
}

/* The application API's request (call 1, 2) or confirmation (call 3) does what it says. */
static void fuzz_trailer_call(int call, const struct boot_api_config *acfg,
                              const struct flash_area *pri, const struct boot_swap_state *st)
{
    struct boot_swap_state api;
    int type;
    int rc;

    if (call == 1 || call == 2) {
        rc = boot_set_pending_multi_cfg(acfg, 0, call == 2);
        fuzz_check(rc <= 0 && rc > BO_ERR_MIN_, "request error outside enum bo_err");
        if (rc == 0 && st[1].magic == TRAILER_MAGIC_UNSET) {
            type = boot_swap_type_multi_cfg(acfg, 0);
            fuzz_check(type == (call == 2 ? TRAILER_SWAP_TYPE_PERM : TRAILER_SWAP_TYPE_TEST),
                       "a request that succeeded does not ask for its swap");
        }
    } else if (call == 3) {
        rc = boot_set_confirmed_multi_cfg(acfg, 0);
        fuzz_check(rc <= 0 && rc > BO_ERR_MIN_, "confirm error outside enum bo_err");
        if (rc == 0 && st[0].magic == TRAILER_MAGIC_GOOD && st[0].image_ok == TRAILER_FLAG_UNSET) {
            fuzz_check(boot_read_swap_state_cfg(acfg, pri, &api) == 0 &&
                           api.image_ok == TRAILER_FLAG_SET,
                       "a confirmation that succeeded left image_ok unset");
        }
    }
}

/* Both slots read: the decision table, the status source and the API agree. */
static void fuzz_trailer_decide(const struct boot_swap_state *st, bool scratch_ok, uint8_t b1,
                                uint32_t ma, const struct flash_area *pri)
{
    struct boot_api_config acfg;
    int type = swap_type_decide(&st[0], &st[1]);

    fuzz_check(type >= TRAILER_SWAP_TYPE_NONE && type <= TRAILER_SWAP_TYPE_REVERT,
               "swap type outside NONE..REVERT");
    acfg.max_align = ma;
    fuzz_check(boot_swap_type_multi_cfg(&acfg, 0) == type,
               "boot_swap_type_multi disagrees with the decision table");
    if (scratch_ok) {
        int src = swap_type_status_source(&st[0], &st[2], (uint8_t)((b1 >> 4) & 1));

        fuzz_check(src >= SWAP_TYPE_SOURCE_NONE && src <= SWAP_TYPE_SOURCE_PRIMARY,
                   "status source outside its enum");
    }
    fuzz_trailer_call((b1 >> 5) & 3, &acfg, pri, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    struct fuzz_in rin;
    struct port_flash_map *map;
    struct port_flash_map *prev;
    struct trailer_params p;
    struct trailer_layout lay[3];
    struct boot_swap_state st[3];
    const struct flash_area *fa[3] = { NULL, NULL, NULL };
    bool ok[3] = { false, false, false };
    uint32_t tail_len[3];
    uint8_t b1;
    int i;

    fuzz_setup_once();
    fuzz_in_init(&in, data, size);
    map = fuzz_trailer_setup(&in, &p, &b1);
    for (i = 0; i < 3; i++) {
        tail_len[i] = fuzz_u16(&in);
    }
    /* The render request is read whatever happens, so the tails start at a fixed offset. */
    rin = in;
    fuzz_skip(&in, 8);
    prev = port_flash_map_activate(map);
    fuzz_trailer_tails(&in, map, tail_len);
    for (i = 0; i < 3 && (i < 2 || p.mode == TRAILER_MODE_SCRATCH); i++) {
        fuzz_check(flash_area_open((uint8_t)fuzz_trailer_ids[i], &fa[i]) == 0,
                   "area does not open");
        ok[i] = fuzz_trailer_area(i, &p, fa[i], &lay[i], &st[i]);
    }
    if (ok[0]) {
        fuzz_trailer_render(&lay[0], &rin);
    }
    if (ok[0] && ok[1]) {
        fuzz_trailer_decide(st, ok[2], b1, p.max_align, fa[0]);
    }
    for (i = 0; i < 3; i++) {
        if (fa[i] != NULL) {
            flash_area_close(fa[i]);
        }
    }
    port_flash_map_activate(prev);
    return 0;
}
