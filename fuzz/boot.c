/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "boot": whole boots (boot_go_ctx) over a fuzzed two-slot flash, in every upgrade
 * mode, on NOR, ECC and no-erase parts.
 *
 * Flash: one device of 40 x 4 KiB sectors: a bootloader (2 sectors, filled with a guard
 * pattern), a 64 KiB primary, a 64 KiB secondary, a 16 KiB scratch, and 2 guard sectors at the
 * end. The input picks prepared images for the slots (two signed by the trusted key, one by a
 * key nobody trusts, one hash-only, one trusted with a security counter), asks the application
 * API for requests, then patches raw bytes anywhere in the slots (headers, TLVs, trailers,
 * status records) like a corrupted or half-written flash.
 *
 * Input:
 *   byte 0   bits 0-1 mode, bits 2-3 part (0 NOR wu 4, 1 ECC wu 8, 2 NOR wu 1 erased 0x00,
 *            3 no-erase wu 16), bit 4 downgrade prevention, bit 5 security-counter prevention
 *   byte 1   low nibble: the primary's image (0 none, 1..5), high nibble: the secondary's
 *   byte 2   bits 0-1 request (0 none, 1 test, 2 permanent), bit 2 confirm the primary first,
 *            bit 3 confirm between the two boots
 *   then     patches until the input ends: flags (bits 0-1 area: primary, secondary,
 *            scratch; bit 2: offset counted from the area's end), a 16-bit offset, a length
 *            (at most 64) and the bytes
 *
 * Oracles besides no crash or hang: the bootloader never reads, writes or erases outside the
 * slots and the scratch area (every flash_area_read/write/erase is checked by a link-time
 * wrapper, and the guard sectors must keep their pattern); it never boots an image whose hash
 * is not the hash of an image signed by the trusted key (the hash is recomputed from flash);
 * the response's hash is that hash; every area it opened is closed again; its error codes
 * belong to enum bo_err.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board.h"
#include "board/board_derive.h"
#include "boot/boot_api.h"
#include "boot/image.h"
#include "boot/image_validate.h"
#include "boot/loader.h"
#include "fuzz_common.h"
#include "image/image_sign.h"
#include "port_flash_map.h"

#define FUZZ_BOOT_SECTOR 4096u
#define FUZZ_BOOT_GUARD 0xa5u
#define FUZZ_BOOT_IMAGES 5u
#define FUZZ_BOOT_PARTS 4u
#define FUZZ_BOOT_PATCH_MAX 64u
#define FUZZ_BOOT_PATCHES 24u

/* Guard regions outside every area the bootloader may touch. */
#define FUZZ_BOOT_BL_END 0x2000u
#define FUZZ_BOOT_GUARD_OFF 0x26000u
#define FUZZ_BOOT_DEV_SIZE 0x28000u

/* One prepared image. */
struct fuzz_boot_image {
    uint8_t *data;
    size_t len;
    uint8_t hash[32];
    bool trusted; /* Signed by the trusted key. */
};

static struct keys_key fuzz_boot_key;
static struct keys_key fuzz_boot_other;
static struct image_key fuzz_boot_trusted[1];
static struct fuzz_boot_image fuzz_boot_images[FUZZ_BOOT_IMAGES];
static struct port_flash_map fuzz_boot_maps[FUZZ_BOOT_PARTS];
/* What each map's board derives (board_derive.h): the same max-align every user computes. */
static struct board_derived fuzz_boot_derived[FUZZ_BOOT_PARTS];
static struct boot_loader_state *fuzz_boot_state;
static bool fuzz_boot_ready;
static uint8_t fuzz_boot_guard[FUZZ_BOOT_BL_END];

/* Set while the bootloader runs: the wrappers below check its flash accesses then. */
static bool fuzz_boot_watch;
static uint32_t fuzz_boot_image_count;

int __real_flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len);
int __real_flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
                            uint32_t len);
int __real_flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);
int __wrap_flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len);
int __wrap_flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
                            uint32_t len);
int __wrap_flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

/* The oracle on every flash access: an area of a slot (or the scratch), inside its bounds. */
static void fuzz_boot_access(const struct flash_area *fa, uint32_t off, uint32_t len,
                             const char *what)
{
    char msg[160];
    bool slot;

    if (!fuzz_boot_watch) {
        return;
    }
    fuzz_check(fa != NULL, "flash access through a NULL area");
    slot = fa->fa_id == FLASH_AREA_IMAGE_0 || fa->fa_id == FLASH_AREA_IMAGE_1 ||
           fa->fa_id == FLASH_AREA_IMAGE_SCRATCH ||
           (fuzz_boot_image_count > 1 &&
            (fa->fa_id == FLASH_AREA_IMAGE_2 || fa->fa_id == FLASH_AREA_IMAGE_3));
    if (!slot || off > fa->fa_size || len > fa->fa_size - off) {
        snprintf(msg, sizeof(msg), "%s outside the slots: area %u off %u len %u (size %u)", what,
                 (unsigned)fa->fa_id, (unsigned)off, (unsigned)len, (unsigned)fa->fa_size);
        fuzz_check(false, msg);
    }
}

int __wrap_flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
    fuzz_boot_access(fa, off, len, "read");
    return __real_flash_area_read(fa, off, dst, len);
}

int __wrap_flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
                            uint32_t len)
{
    fuzz_boot_access(fa, off, len, "write");
    return __real_flash_area_write(fa, off, src, len);
}

int __wrap_flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    fuzz_boot_access(fa, off, len, "erase");
    return __real_flash_area_erase(fa, off, len);
}

/* Signs a payload of len pseudo-random bytes. */
static void fuzz_boot_sign(struct fuzz_boot_image *img, struct keys_key *key, uint8_t major,
                           uint32_t len, uint32_t seed, bool sec_cnt)
{
    struct image_sign_opts o;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX];
    char err[256];
    uint8_t *payload = malloc(len);
    uint32_t i;

    if (payload == NULL) {
        abort();
    }
    for (i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        payload[i] = (uint8_t)(seed >> 16);
    }
    memset(payload, 0, IMAGE_HEADER_SIZE);
    image_sign_opts_init(&o);
    o.key = key;
    o.version.major = major;
    o.has_sec_cnt = sec_cnt;
    o.sec_cnt = major;
    o.f_rng = port_rng_random;
    o.p_rng = fuzz_rng();
    if (image_sign(&o, payload, len, &img->data, &img->len, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: image_sign: %s\n", err);
        abort();
    }
    free(payload);
    image_src_from_buffer(&src, img->data, (uint32_t)img->len);
    if (image_header_read(&src, &hdr) != 0 || image_layout_read(&src, &hdr, &lay) != 0 ||
        image_validate_hash(&src, lay.prot_end, IMAGE_TLV_SHA256, hash) != 0) {
        abort();
    }
    memcpy(img->hash, hash, sizeof(img->hash));
    img->trusted = key == &fuzz_boot_key;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const parts[FUZZ_BOOT_PARTS] = {
        "write-unit = 4\nerased-value = 0xff\nsemantics = nor\n",
        "write-unit = 8\nerased-value = 0xff\nsemantics = ecc\n",
        "write-unit = 1\nerased-value = 0x00\nsemantics = nor\n",
        "write-unit = 16\nerased-value = 0xff\nsemantics = no-erase\n",
    };
    char ini[1024];
    char err[256];
    struct board b;
    uint32_t i;
    int n;

    (void)argc;
    (void)argv;
    if (fuzz_boot_ready) {
        return 0;
    }
    fuzz_setup_once();
    fuzz_load_key(&fuzz_boot_key, "ec256.pem");
    fuzz_load_key(&fuzz_boot_other, "interop-ec256-other.pem");
    keys_to_image_key(&fuzz_boot_key, &fuzz_boot_trusted[0]);
    fuzz_boot_sign(&fuzz_boot_images[0], &fuzz_boot_key, 1, 2000, 1, false);
    fuzz_boot_sign(&fuzz_boot_images[1], &fuzz_boot_key, 2, 5000, 2, false);
    fuzz_boot_sign(&fuzz_boot_images[2], &fuzz_boot_other, 3, 3000, 3, false);
    fuzz_boot_sign(&fuzz_boot_images[3], NULL, 4, 2500, 4, false);
    fuzz_boot_sign(&fuzz_boot_images[4], &fuzz_boot_key, 5, 9000, 5, true);
    for (i = 0; i < FUZZ_BOOT_PARTS; i++) {
        n = snprintf(ini, sizeof(ini),
                     "[board]\nname = fuzz-boot\n[flash f]\nsectors = 40x4K\n%s"
                     "[partition bootloader]\noffset = 0x0\nsize = 0x2000\n"
                     "[partition image-0-primary]\noffset = 0x2000\nsize = 0x10000\n"
                     "[partition image-0-secondary]\noffset = 0x12000\nsize = 0x10000\n"
                     "[partition scratch]\noffset = 0x22000\nsize = 0x4000\n",
                     parts[i]);
        if (n < 0 || board_parse(&b, ini, (size_t)n, "fuzz-boot", err, sizeof(err)) != 0) {
            fprintf(stderr, "fuzz: board: %s\n", err);
            abort();
        }
        port_flash_map_init(&fuzz_boot_maps[i]);
        if (board_derive(&b, BOOT_MODE_SWAP_SCRATCH, 1, 0, &fuzz_boot_derived[i], err,
                         sizeof(err)) != 0 ||
            port_flash_map_setup_board(&fuzz_boot_maps[i], &b) != 0) {
            abort();
        }
    }
    for (i = 0; i < sizeof(fuzz_boot_guard); i++) {
        fuzz_boot_guard[i] = (uint8_t)(FUZZ_BOOT_GUARD ^ (i * 7u));
    }
    fuzz_boot_state = calloc(1, sizeof(*fuzz_boot_state));
    if (fuzz_boot_state == NULL) {
        abort();
    }
    fuzz_boot_ready = true;
    return 0;
}

/* The guard regions kept their pattern. */
static void fuzz_boot_check_guards(const struct vflash *dev)
{
    fuzz_check(memcmp(dev->mem, fuzz_boot_guard, FUZZ_BOOT_BL_END) == 0,
               "the bootloader partition changed");
    fuzz_check(memcmp(dev->mem + FUZZ_BOOT_GUARD_OFF, fuzz_boot_guard,
                      FUZZ_BOOT_DEV_SIZE - FUZZ_BOOT_GUARD_OFF) == 0,
               "the flash after the partitions changed");
}

/* A successful boot runs a trusted image: recompute its hash from the primary slot. */
static void fuzz_boot_check_booted(const struct boot_rsp *rsp)
{
    const struct flash_area *fa;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    uint8_t hash[IMAGE_VALIDATE_HASH_MAX];
    bool known = false;
    uint32_t i;

    fuzz_check(flash_area_open(FLASH_AREA_IMAGE_0, &fa) == 0, "primary does not open");
    image_src_from_flash_area(&src, fa);
    fuzz_check(image_header_read(&src, &hdr) == 0 && image_layout_read(&src, &hdr, &lay) == 0,
               "booted a primary slot whose image does not parse");
    fuzz_check(image_validate_hash(&src, lay.prot_end, IMAGE_TLV_SHA256, hash) == 0,
               "cannot hash the booted image");
    flash_area_close(fa);
    for (i = 0; i < FUZZ_BOOT_IMAGES; i++) {
        if (fuzz_boot_images[i].trusted && memcmp(hash, fuzz_boot_images[i].hash, 32) == 0) {
            known = true;
        }
    }
    fuzz_check(known, "booted an image not signed by the trusted key");
    fuzz_check(rsp->hash_len == 32 && memcmp(rsp->hash, hash, 32) == 0,
               "the response's hash is not the booted image's");
}

/* One boot with the oracles armed. Returns boot_go_ctx()'s code. */
static int fuzz_boot_once(struct port_flash_map *map, const struct boot_config *cfg)
{
    struct boot_rsp rsp;
    int rc;

    memset(&rsp, 0, sizeof(rsp));
    fuzz_boot_watch = true;
    rc = boot_go_ctx(fuzz_boot_state, cfg, &rsp);
    fuzz_boot_watch = false;
    fuzz_check(rc <= 0 && rc > BO_ERR_MIN_, "boot_go error outside enum bo_err");
    fuzz_check(rc != BO_EPOWER, "power loss without a power cut");
    fuzz_check(port_flash_map_open_total(map) == 0, "boot_go left an area open");
    fuzz_boot_check_guards(port_flash_map_device(map, 0));
    if (rc == 0) {
        fuzz_boot_check_booted(&rsp);
    }
    return rc;
}

/* Writes an image at off of an area (a host programmer's write). */
static void fuzz_boot_install(struct vflash *dev, const struct flash_area *fa, uint32_t off,
                              uint32_t which)
{
    const struct fuzz_boot_image *img;

    if (which == 0 || which > FUZZ_BOOT_IMAGES) {
        return;
    }
    img = &fuzz_boot_images[which - 1];
    if (off + img->len <= fa->fa_size) {
        (void)vflash_host_write(dev, fa->fa_off + off, img->data, (uint32_t)img->len);
    }
}

/* The boot configuration byte 0 asks for, on the device's write unit. */
static void fuzz_boot_config(struct boot_config *cfg, uint8_t b0)
{
    static const enum boot_mode modes[4] = { BOOT_MODE_OVERWRITE, BOOT_MODE_SWAP_SCRATCH,
                                             BOOT_MODE_SWAP_MOVE, BOOT_MODE_SWAP_OFFSET };

    boot_config_defaults(cfg);
    cfg->mode = modes[b0 & 3];
    cfg->image_count = 1;
    cfg->validate_primary = true;
    cfg->downgrade_version = (b0 & 0x10) != 0;
    cfg->downgrade_sec_cnt = (b0 & 0x20) != 0;
    cfg->allow_unsigned = false;
    cfg->keys = fuzz_boot_trusted;
    cfg->key_count = 1;
    board_derive_apply(&fuzz_boot_derived[(b0 >> 2) & 3], cfg);
}

/* Applies the input's patches (the rest of it) to the slots and the scratch area. */
static void fuzz_boot_patch(struct fuzz_in *in, struct vflash *dev,
                            const struct port_flash_map *map)
{
    static const int areas[3] = { FLASH_AREA_IMAGE_0, FLASH_AREA_IMAGE_1,
                                  FLASH_AREA_IMAGE_SCRATCH };
    uint32_t n;

    for (n = 0; n < FUZZ_BOOT_PATCHES && fuzz_left(in) >= 4; n++) {
        uint8_t flags = fuzz_u8(in);
        uint32_t off = fuzz_u16(in);
        uint32_t len = fuzz_u8(in) % (FUZZ_BOOT_PATCH_MAX + 1);
        const struct flash_area *fa = &map->areas[areas[(flags & 3) % 3]];

        if (len > fuzz_left(in)) {
            len = (uint32_t)fuzz_left(in);
        }
        if (len > fa->fa_size) {
            len = fa->fa_size;
        }
        if ((flags & 4) != 0) {
            off = off % (fa->fa_size - len + 1);
            off = fa->fa_size - len - off;
        } else {
            off = off % (fa->fa_size - len + 1);
        }
        if (len > 0) {
            (void)vflash_host_write(dev, fa->fa_off + off, fuzz_rest(in), len);
        }
        fuzz_skip(in, len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in;
    struct boot_config cfg;
    struct boot_api_config acfg;
    struct port_flash_map *map;
    struct port_flash_map *prev;
    struct vflash *dev;
    uint8_t b0;
    uint8_t b1;
    uint8_t b2;
    int rc;

    if (!fuzz_boot_ready) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    fuzz_in_init(&in, data, size);
    b0 = fuzz_u8(&in);
    b1 = fuzz_u8(&in);
    b2 = fuzz_u8(&in);
    map = &fuzz_boot_maps[(b0 >> 2) & 3];
    dev = port_flash_map_device(map, 0);
    port_flash_map_power_on(map);
    if (vflash_erase(dev, 0, dev->size) != 0) {
        abort();
    }
    vflash_host_write(dev, 0, fuzz_boot_guard, FUZZ_BOOT_BL_END);
    vflash_host_write(dev, FUZZ_BOOT_GUARD_OFF, fuzz_boot_guard,
                      FUZZ_BOOT_DEV_SIZE - FUZZ_BOOT_GUARD_OFF);
    prev = port_flash_map_activate(map);

    fuzz_boot_config(&cfg, b0);
    fuzz_boot_image_count = cfg.image_count;
    acfg.max_align = cfg.max_align;

    fuzz_boot_install(dev, &map->areas[FLASH_AREA_IMAGE_0], 0, b1 & 0x0f);
    fuzz_boot_install(dev, &map->areas[FLASH_AREA_IMAGE_1],
                      cfg.mode == BOOT_MODE_SWAP_OFFSET ? FUZZ_BOOT_SECTOR : 0, b1 >> 4);
    if ((b2 & 4) != 0) {
        (void)boot_set_confirmed_multi_cfg(&acfg, 0);
    }
    if ((b2 & 3) == 1 || (b2 & 3) == 2) {
        (void)boot_set_pending_multi_cfg(&acfg, 0, (b2 & 3) == 2);
    }
    fuzz_boot_patch(&in, dev, map);

    rc = fuzz_boot_once(map, &cfg);
    if (rc == 0) {
        if ((b2 & 8) != 0) {
            (void)boot_set_confirmed_multi_cfg(&acfg, 0);
        }
        (void)fuzz_boot_once(map, &cfg);
    }
    port_flash_map_activate(prev);
    return 0;
}
