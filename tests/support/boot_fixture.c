/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test support for the bootloader (see boot_fixture.h).
 */
#include "boot_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "boot/trailer.h"
#include "image/image_sign.h"
#include "image/keys.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"
#include "port_boot.h"
#include "port_logsink.h"
#include "port_rng.h"
#include "interop.h"
#include "sysflash/sysflash.h"

static mbedtls_platform_context bf_plat;
static struct port_rng bf_rng;
static struct keys_key bf_key;
static struct keys_key bf_other;
static struct image_key bf_trusted[1];

static void bf_log_sink(void *ctx, enum port_log_level level, const char *module, const char *line)
{
    (void)ctx;
    fprintf(stderr, "[%d] %s: %s\n", (int)level, module, line);
}

static void bf_log_drop(void *ctx, enum port_log_level level, const char *module, const char *line)
{
    (void)ctx;
    (void)level;
    (void)module;
    (void)line;
}

int bf_global_setup(void)
{
    char path[512];
    char err[256];
    const char *root = interop_repo_root();

    /* Boot logs are noise in a matrix of hundreds of boots; BF_VERBOSE=1 shows them. */
    if (getenv("BF_VERBOSE") != NULL) {
        port_logsink_set(bf_log_sink, NULL, PORT_LOG_DEBUG);
    } else {
        port_logsink_set(bf_log_drop, NULL, PORT_LOG_ERROR);
    }
    memset(&bf_plat, 0, sizeof(bf_plat));
    if (mbedtls_platform_setup(&bf_plat) != 0) {
        return -1;
    }
    port_rng_init(&bf_rng);
    port_entropy_set_seed(&bf_rng.source, 12345);
    if (port_rng_setup(&bf_rng, "boot_fixture") != 0 || root == NULL) {
        return -1;
    }
    keys_init(&bf_key);
    keys_init(&bf_other);
    snprintf(path, sizeof(path), "%s/fixtures/keys/ec256.pem", root);
    if (keys_load(&bf_key, path, port_rng_random, &bf_rng, err, sizeof(err)) != 0) {
        fprintf(stderr, "boot_fixture: %s\n", err);
        return -1;
    }
    if (keys_generate(&bf_other, IMAGE_KEY_EC256, port_rng_random, &bf_rng) != 0) {
        return -1;
    }
    keys_to_image_key(&bf_key, &bf_trusted[0]);
    return 0;
}

void bf_global_teardown(void)
{
    keys_free(&bf_key);
    keys_free(&bf_other);
    port_rng_free(&bf_rng);
    mbedtls_platform_teardown(&bf_plat);
}

int bf_board_text(struct board *b, const char *ini)
{
    char err[256];
    int rc = board_parse(b, ini, strlen(ini), "test-board", err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "boot_fixture: %s\n", err);
    }
    return rc;
}

int bf_board_file(struct board *b, const char *name)
{
    char path[512];
    char err[256];
    const char *root = interop_repo_root();
    int rc;

    if (root == NULL) {
        return BO_ENOENT;
    }
    snprintf(path, sizeof(path), "%s/fixtures/boards/%s.ini", root, name);
    rc = board_load(b, path, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "boot_fixture: %s\n", err);
    }
    return rc;
}

static int bf_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct bf *f = arg;

    if (f->cut_at >= 0 && f->ops == (uint64_t)f->cut_at) {
        f->cut = true;
        if (f->cut_modelled) {
            struct vflash_cut cut;

            /* The cut hits this very operation on this device (vflash_fault.h). */
            memset(&cut, 0, sizeof(cut));
            cut.op_index = op->index;
            cut.model = f->cut_model;
            cut.units = VFLASH_CUT_SEEDED;
            cut.permille = VFLASH_CUT_SEEDED;
            cut.seed = f->cut_seed;
            f->cut_at = -1;
            f->ops++;
            return vflash_fault_arm_cut(dev, &cut);
        }
        return BO_EPOWER;
    }
    f->ops++;
    return 0;
}

int bf_start(struct bf *f, const struct board *b, enum boot_mode mode, uint32_t image_count)
{
    uint32_t i;
    int rc;

    memset(f, 0, sizeof(*f));
    f->board = *b;
    f->cut_at = -1;
    port_flash_map_init(&f->map);
    rc = port_flash_map_setup_board(&f->map, &f->board);
    if (rc != 0) {
        return rc;
    }
    for (i = 0; i < f->map.device_count; i++) {
        vflash_set_hook(f->map.devices[i], bf_hook, f);
    }
    f->state = calloc(1, sizeof(*f->state));
    if (f->state == NULL) {
        port_flash_map_free(&f->map);
        return BO_ENOMEM;
    }
    boot_config_defaults(&f->cfg);
    f->cfg.mode = mode;
    f->cfg.image_count = image_count;
    if (f->board.max_sectors != 0) {
        /* A board file's max-sectors sizes the trailers, as the daemon and the sweep do. */
        f->cfg.max_sectors = f->board.max_sectors;
    }
    f->cfg.keys = bf_trusted;
    f->cfg.key_count = 1;
    f->prev_map = port_flash_map_activate(&f->map);
    f->prev_cfg = port_boot_activate(&f->cfg);
    return 0;
}

void bf_stop(struct bf *f)
{
    port_boot_activate(f->prev_cfg);
    port_flash_map_activate(f->prev_map);
    port_flash_map_free(&f->map);
    free(f->state);
    f->state = NULL;
}

void bf_image_init(struct bf_image *img, uint8_t major, uint8_t minor, uint16_t rev, uint32_t len)
{
    memset(img, 0, sizeof(*img));
    img->ver.major = major;
    img->ver.minor = minor;
    img->ver.revision = rev;
    img->payload_len = len;
    img->seed = (uint32_t)major * 7919u + minor * 104729u + rev * 31u + len;
}

static void bf_fill(uint8_t *p, uint32_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1u;
    uint32_t i;

    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)(x >> 8);
    }
}

static int bf_sign(const struct bf_image *o, uint32_t payload_len, uint8_t erased_val,
                   uint8_t **out, size_t *out_len)
{
    struct image_sign_opts so;
    char err[256];
    uint8_t *payload;
    int rc;

    payload = malloc(payload_len + 1);
    if (payload == NULL) {
        return BO_ENOMEM;
    }
    bf_fill(payload, payload_len, o->seed);
    image_sign_opts_init(&so);
    so.key = o->no_key ? NULL : o->untrusted ? &bf_other : &bf_key;
    so.non_bootable = o->non_bootable;
    so.header_size = 32;
    so.pad_header = true;
    so.erased_val = erased_val;
    so.version = o->ver;
    so.has_sec_cnt = o->has_sec_cnt;
    so.sec_cnt = o->sec_cnt;
    so.dep_count = o->dep_count;
    memcpy(so.deps, o->deps, sizeof(o->deps));
    so.f_rng = port_rng_random;
    so.p_rng = &bf_rng;
    rc = image_sign(&so, payload, payload_len, out, out_len, err, sizeof(err));
    free(payload);
    if (rc != 0) {
        fprintf(stderr, "boot_fixture: sign: %s\n", err);
    }
    return rc;
}

int bf_make_image(struct bf *f, const struct bf_image *o, uint8_t erased_val, uint8_t **out,
                  size_t *out_len)
{
    struct bf_image v = *o;
    uint32_t len = o->payload_len;
    uint8_t *img = NULL;
    size_t img_len = 0;
    size_t padded;
    int tries;
    int rc;

    (void)f;
    /* Signatures vary in length with the content: aim, then vary the content until the
     * signature has the length aimed for. */
    for (tries = 0; tries < 64; tries++) {
        free(img);
        img = NULL;
        rc = bf_sign(&v, len, erased_val, &img, &img_len);
        if (rc != 0) {
            return rc;
        }
        if (o->total_len == 0 || img_len == o->total_len) {
            break;
        }
        len = (uint32_t)((int64_t)len + (int64_t)o->total_len - (int64_t)img_len);
        v.seed++;
    }
    if (o->total_len != 0 && img_len != o->total_len) {
        fprintf(stderr, "boot_fixture: cannot size an image to %u bytes (got %zu)\n", o->total_len,
                img_len);
        free(img);
        return BO_ERANGE;
    }
    if (o->corrupt) {
        img[64] ^= 0x5a;
    }
    padded = (img_len + 31) / 32 * 32;
    *out = realloc(img, padded);
    if (*out == NULL) {
        free(img);
        return BO_ENOMEM;
    }
    memset(*out + img_len, erased_val, padded - img_len);
    *out_len = padded;
    return 0;
}

uint32_t bf_secondary_offset(struct bf *f, uint32_t image)
{
    struct flash_sector s[1];
    uint32_t n = 1;
    int id = flash_area_id_from_multi_image_slot((int)image, 1);

    if (f->cfg.mode != BOOT_MODE_SWAP_OFFSET) {
        return 0;
    }
    n = 1;
    if (flash_area_get_sectors(id, &n, s) == BO_ENOMEM) {
        struct flash_sector *all = calloc(BOOT_SECTORS_MAX, sizeof(*all));
        uint32_t size;

        n = BOOT_SECTORS_MAX;
        flash_area_get_sectors(id, &n, all);
        size = all[0].fs_size;
        free(all);
        return size;
    }
    return s[0].fs_size;
}

int bf_erase_area(struct bf *f, int area_id)
{
    const struct flash_area *fa;
    int rc;

    (void)f;
    rc = flash_area_open((uint8_t)area_id, &fa);
    if (rc != 0) {
        return rc;
    }
    rc = flash_area_erase(fa, 0, flash_area_get_size(fa));
    flash_area_close(fa);
    return rc;
}

int bf_write_raw(struct bf *f, int area_id, uint32_t off, const void *data, uint32_t len)
{
    const struct flash_area *fa;
    int rc;

    (void)f;
    rc = flash_area_open((uint8_t)area_id, &fa);
    if (rc != 0) {
        return rc;
    }
    rc = flash_area_write(fa, off, data, len);
    flash_area_close(fa);
    return rc;
}

int bf_install(struct bf *f, uint32_t image, int slot, const struct bf_image *o)
{
    int id = flash_area_id_from_multi_image_slot((int)image, slot);
    const struct flash_area *fa;
    uint8_t *img;
    size_t len;
    uint32_t off = slot == 1 ? bf_secondary_offset(f, image) : 0;
    int rc;

    rc = flash_area_open((uint8_t)id, &fa);
    if (rc != 0) {
        return rc;
    }
    rc = bf_make_image(f, o, flash_area_erased_val(fa), &img, &len);
    if (rc == 0) {
        rc = flash_area_erase(fa, 0, flash_area_get_size(fa));
        if (rc == 0) {
            rc = flash_area_write(fa, off, img, (uint32_t)len);
        }
        if (rc != 0) {
            fprintf(stderr, "boot_fixture: writing %zu bytes at 0x%x of area %d: %d\n", len, off,
                    id, rc);
        }
        free(img);
    }
    flash_area_close(fa);
    return rc;
}

int bf_boot(struct bf *f, struct boot_rsp *rsp)
{
    return boot_go_ctx(f->state, &f->cfg, rsp);
}

uint32_t bf_max_align(struct bf *f, uint32_t image)
{
    const struct flash_area *fa;
    uint32_t wu = 1;
    int slot;

    if (f->cfg.max_align != 0) {
        return f->cfg.max_align;
    }
    for (slot = 0; slot < 2; slot++) {
        if (flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)image, slot), &fa) ==
            0) {
            wu = flash_area_align(fa) > wu ? flash_area_align(fa) : wu;
            flash_area_close(fa);
        }
    }
    if (f->cfg.mode == BOOT_MODE_SWAP_SCRATCH &&
        flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &fa) == 0) {
        wu = flash_area_align(fa) > wu ? flash_area_align(fa) : wu;
        flash_area_close(fa);
    }
    return wu <= 8 ? 8 : wu <= 16 ? 16 : 32;
}

int bf_set_pending(struct bf *f, uint32_t image, bool permanent)
{
    struct boot_api_config c = { bf_max_align(f, image) };

    return boot_set_pending_multi_cfg(&c, (int)image, permanent ? 1 : 0);
}

int bf_set_confirmed(struct bf *f, uint32_t image)
{
    struct boot_api_config c = { bf_max_align(f, image) };

    return boot_set_confirmed_multi_cfg(&c, (int)image);
}

int bf_swap_state(struct bf *f, int area_id, struct boot_swap_state *st)
{
    struct boot_api_config c = { bf_max_align(f, 0) };

    return boot_read_swap_state_by_id_cfg(&c, area_id, st);
}

int bf_capacity(struct bf *f, uint32_t image, uint32_t *max, const char **why)
{
    return boot_image_capacity(f->state, &f->cfg, image, max, why);
}

int bf_hash_area(struct bf *f, int area_id, uint32_t off, uint32_t len, uint8_t out[32])
{
    const struct flash_area *fa;
    uint8_t *buf;
    int rc;

    (void)f;
    buf = malloc(len + 1);
    if (buf == NULL) {
        return BO_ENOMEM;
    }
    rc = flash_area_open((uint8_t)area_id, &fa);
    if (rc == 0) {
        rc = flash_area_read(fa, off, buf, len);
        flash_area_close(fa);
    }
    if (rc == 0) {
        mbedtls_sha256(buf, len, out, 0);
    }
    free(buf);
    return rc;
}

int bf_snapshot(struct bf *f, struct bf_snap *s)
{
    uint32_t i;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < f->map.device_count; i++) {
        struct vflash *d = f->map.devices[i];

        s->mem_len[i] = d->size;
        s->mem[i] = malloc(d->size);
        if (s->mem[i] == NULL) {
            return BO_ENOMEM;
        }
        memcpy(s->mem[i], d->mem, d->size);
        if (d->ecc_map != NULL) {
            s->ecc_len[i] = vflash_ecc_map_size(&d->geom);
            s->ecc[i] = malloc(s->ecc_len[i]);
            if (s->ecc[i] == NULL) {
                return BO_ENOMEM;
            }
            memcpy(s->ecc[i], d->ecc_map, s->ecc_len[i]);
        }
        s->count++;
    }
    return 0;
}

void bf_restore(struct bf *f, const struct bf_snap *s)
{
    uint32_t i;

    for (i = 0; i < s->count; i++) {
        struct vflash *d = f->map.devices[i];

        memcpy(d->mem, s->mem[i], s->mem_len[i]);
        if (s->ecc[i] != NULL) {
            memcpy(d->ecc_map, s->ecc[i], s->ecc_len[i]);
        }
        vflash_fault_clear_weak(d);
    }
    bf_power_on(f);
}

void bf_snap_free(struct bf_snap *s)
{
    uint32_t i;

    for (i = 0; i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        free(s->mem[i]);
        free(s->ecc[i]);
    }
    memset(s, 0, sizeof(*s));
}

bool bf_snap_equal(struct bf *f, const struct bf_snap *s)
{
    uint32_t i;

    for (i = 0; i < s->count; i++) {
        if (memcmp(f->map.devices[i]->mem, s->mem[i], s->mem_len[i]) != 0) {
            return false;
        }
    }
    return true;
}

void bf_reset_ops(struct bf *f)
{
    f->ops = 0;
}

void bf_cut_at(struct bf *f, int64_t n)
{
    f->cut_at = n;
    f->cut = false;
    f->cut_modelled = false;
}

void bf_cut_model_at(struct bf *f, int64_t n, enum vflash_cut_model model, uint64_t seed)
{
    f->cut_at = n;
    f->cut = false;
    f->cut_modelled = true;
    f->cut_model = model;
    f->cut_seed = seed;
}

void bf_power_on(struct bf *f)
{
    f->cut_at = -1;
    f->cut_modelled = false;
    port_flash_map_power_on(&f->map);
}
