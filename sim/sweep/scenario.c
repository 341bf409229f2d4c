/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-fail sweep scenarios (see scenario.h): the starting flash, the application model and
 * the outcomes each scenario allows.
 */
#include "sweep/scenario.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "boot/image.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "image/image_sign.h"
#include "port_rng.h"
#include "util/errbuf.h"
#include "sweep/scenario_int.h"
#include "sysflash/sysflash.h"
#include "vflash/vflash_fault.h"

static const char *const scenario_names[SCENARIO_KIND_COUNT] = {
    "perm", "test-revert", "test-confirm", "multi-image", "downgrade",
};

const char *scenario_kind_name(enum scenario_kind kind)
{
    return (unsigned)kind < SCENARIO_KIND_COUNT ? scenario_names[kind] : "?";
}

int scenario_kind_parse(const char *name)
{
    int i;

    for (i = 0; name != NULL && i < (int)SCENARIO_KIND_COUNT; i++) {
        if (strcmp(name, scenario_names[i]) == 0) {
            return i;
        }
    }
    return BO_EINVAL;
}

int scenario_mode_parse(const char *name)
{
    int m;

    for (m = BOOT_MODE_OVERWRITE; name != NULL && m <= BOOT_MODE_SWAP_OFFSET; m++) {
        if (strcmp(name, boot_mode_name((enum boot_mode)m)) == 0) {
            return m;
        }
    }
    return BO_EINVAL;
}

void scenario_opts_init(struct scenario_opts *opts)
{
    struct boot_config boot;

    memset(opts, 0, sizeof(*opts));
    /* The bootloader's own default mode (core/boot/loader.h); sweeps check downgrades. */
    boot_config_defaults(&boot);
    opts->kind = SCENARIO_PERM;
    opts->mode = boot.mode;
    opts->board = "nrf52840";
    opts->downgrade_prevention = true;
}

void scenario_init(struct scenario *sc)
{
    memset(sc, 0, sizeof(*sc));
}

void scenario_free(struct scenario *sc)
{
    uint32_t i;
    uint32_t j;

    keys_table_free(&sc->keys);
    for (i = 0; i < SCENARIO_IMAGES_MAX; i++) {
        for (j = 0; j < 2; j++) {
            free(sc->img[i][j].data);
            sc->img[i][j].data = NULL;
        }
    }
    for (i = 0; i < BOARD_MAX_DEVICES; i++) {
        free(sc->start_mem[i]);
        free(sc->start_ecc[i]);
        sc->start_mem[i] = NULL;
        sc->start_ecc[i] = NULL;
    }
}

uint32_t scenario_max_align(const struct scenario *sc)
{
    return sc->max_align;
}

/* Deterministic payload bytes. */
static void scenario_fill(uint8_t *p, uint32_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 0x9e3779b9u;
    uint32_t i;

    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)(x >> 11);
    }
}

struct scenario_sign {
    struct image_version ver;
    uint32_t dep_count;
    struct image_dependency deps[1];
    uint32_t seed;
    uint32_t total; /* Signed size wanted. */
    uint8_t erased_val;
};

static int scenario_sign_once(struct scenario *sc, const struct scenario_sign *s, uint32_t plen,
                              uint32_t seed, struct port_rng *rng, uint8_t **out, size_t *out_len,
                              char *err, size_t err_len)
{
    struct image_sign_opts so;
    uint8_t *payload = malloc(plen + 1u);
    int rc;

    if (payload == NULL) {
        return BO_ENOMEM;
    }
    scenario_fill(payload, plen, seed);
    image_sign_opts_init(&so);
    so.key = &sc->keys.keys[0];
    so.header_size = IMAGE_HEADER_SIZE;
    so.pad_header = true;
    so.erased_val = s->erased_val;
    so.version = s->ver;
    so.dep_count = s->dep_count;
    memcpy(so.deps, s->deps, sizeof(s->deps));
    so.f_rng = port_rng_random;
    so.p_rng = rng;
    rc = image_sign(&so, payload, plen, out, out_len, err, err_len);
    free(payload);
    return rc;
}

/* Signs an image of exactly s->total bytes (signatures vary in length: retry with new data). */
static int scenario_sign(struct scenario *sc, const struct scenario_sign *s, struct port_rng *rng,
                         struct scenario_image *img, char *err, size_t err_len)
{
    struct image_validate_config vc = { sc->keys.table, (uint32_t)sc->keys.count, false };
    struct image_validate_result res;
    struct image_src src;
    uint8_t *data = NULL;
    size_t len = 0;
    uint32_t plen = s->total > 512 ? s->total - 256 : 64;
    uint32_t seed = s->seed;
    int tries;
    int rc = 0;

    for (tries = 0; tries < 64; tries++) {
        free(data);
        data = NULL;
        rc = scenario_sign_once(sc, s, plen, seed, rng, &data, &len, err, err_len);
        if (rc < 0) {
            return rc;
        }
        if (len == s->total) {
            break;
        }
        if (len > s->total && plen <= len - s->total) {
            free(data);
            snprintf(err, err_len, "image size %u is too small", s->total);
            return BO_EINVAL;
        }
        plen = (uint32_t)((int64_t)plen + (int64_t)s->total - (int64_t)len);
        seed++;
    }
    if (len != s->total) {
        free(data);
        snprintf(err, err_len, "cannot sign an image of exactly %u bytes", s->total);
        return BO_EINVAL;
    }
    img->size = (uint32_t)len;
    img->len = (uint32_t)((len + 31u) / 32u * 32u);
    img->data = realloc(data, img->len);
    if (img->data == NULL) {
        free(data);
        return BO_ENOMEM;
    }
    memset(img->data + len, s->erased_val, img->len - len);
    img->ver = s->ver;
    image_src_from_buffer(&src, img->data, img->size);
    rc = image_validate(&src, &vc, &res);
    if (rc < 0 || res.hash_len != 32) {
        snprintf(err, err_len, "a signed image does not validate (%s)",
                 image_validate_reason_str(res.reason));
        return rc < 0 ? rc : BO_ECRYPTO;
    }
    memcpy(img->hash, res.hash, 32);
    return 0;
}

static int scenario_install(struct scenario *sc, uint32_t image, int slot,
                            const struct scenario_image *img)
{
    const struct flash_area *fa;
    uint32_t off = slot == 1 ? sc->sec_off[image] : 0;
    int rc;

    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)image, slot), &fa);
    if (rc < 0) {
        return rc;
    }
    rc = flash_area_erase(fa, 0, flash_area_get_size(fa));
    if (rc == 0) {
        rc = flash_area_write(fa, off, img->data, img->len);
    }
    flash_area_close(fa);
    return rc;
}

static int scenario_sec_offset(struct scenario *sc, uint32_t image)
{
    const struct flash_area *fa;
    struct flash_sector s;
    int rc;

    sc->sec_off[image] = 0;
    if (sc->opts.mode != BOOT_MODE_SWAP_OFFSET) {
        return 0;
    }
    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)image, 1), &fa);
    if (rc < 0) {
        return rc;
    }
    rc = flash_area_get_sector(fa, 0, &s);
    flash_area_close(fa);
    if (rc == 0) {
        sc->sec_off[image] = s.fs_size;
    }
    return rc;
}

/* Capacity per image and the image sizes to sign. */
static int scenario_sizes(struct scenario *sc, uint32_t cap_min, char *err, size_t err_len)
{
    uint32_t want = sc->opts.image_size;

    if (want == SCENARIO_IMAGE_SIZE_MAX) {
        want = cap_min & ~31u;
    } else if (want == 0) {
        want = SCENARIO_IMAGE_SIZE_DEFAULT;
    }
    if (want > cap_min || want < 1024u) {
        snprintf(err, err_len, "image size %u outside 1024..%u (the mode's capacity)", want,
                 cap_min);
        return BO_EINVAL;
    }
    sc->image_size = want;
    return 0;
}

static int scenario_load_board(struct scenario *sc, char *err, size_t err_len)
{
    const char *b = sc->opts.board;
    const char *base;
    size_t n;
    int rc;

    if (b == NULL || b[0] == '\0') {
        snprintf(err, err_len, "no board");
        return BO_EINVAL;
    }
    if (sc->opts.in.board_file != NULL) {
        snprintf(sc->board_path, sizeof(sc->board_path), "%s", sc->opts.in.board_file);
    } else {
        sweep_inputs_board_path(b, sc->root, sc->board_path, sizeof(sc->board_path));
    }
    base = strrchr(b, '/') != NULL ? strrchr(b, '/') + 1 : b;
    n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".ini") == 0) {
        n -= 4;
    }
    if (n >= sizeof(sc->board_name)) {
        n = sizeof(sc->board_name) - 1;
    }
    memcpy(sc->board_name, base, n);
    sc->board_name[n] = '\0';
    rc = board_load(&sc->board, sc->board_path, err, err_len);
    if (rc == BO_ENOENT && sc->opts.in.expect != 0 && sc->opts.in.board_file == NULL) {
        errbuf_set(
            err, err_len,
            "%s: no such board here; replay the ID's board with --bundle DIR or --board FILE",
            sc->board_path);
    }
    return rc;
}

/* Signs the known images of every image number. */
static int scenario_make_images(struct scenario *sc, struct port_rng *rng, char *err,
                                size_t err_len)
{
    uint32_t i;
    int rc = 0;

    for (i = 0; i < sc->image_count && rc == 0; i++) {
        struct scenario_sign s[2];
        int id = flash_area_id_from_multi_image_slot((int)i, 0);
        uint8_t ev = sc->board.flash[sc->board.part[id].device].geom.erased_val;
        int j;

        memset(s, 0, sizeof(s));
        for (j = 0; j < 2; j++) {
            s[j].erased_val = ev;
            s[j].seed = 1000u * (i + 1u) + (uint32_t)j;
            s[j].ver.major = (uint8_t)(j + 1);
            s[j].ver.minor = (uint8_t)i;
        }
        /* The new image is the larger one, so the swap covers the whole maximal image. */
        s[0].total = sc->image_size > 2048u ? sc->image_size - 512u : sc->image_size - 256u;
        s[1].total = sc->image_size;
        if (sc->opts.kind == SCENARIO_DOWNGRADE) {
            s[0].ver.major = 2;
            s[1].ver.major = 1;
        }
        if (sc->opts.kind == SCENARIO_MULTI_IMAGE && i == 0) {
            s[1].dep_count = 1;
            s[1].deps[0].image_id = 1;
            s[1].deps[0].min_version.major = 2;
            s[1].deps[0].min_version.minor = 1;
        }
        for (j = 0; j < 2 && rc == 0; j++) {
            rc = scenario_sign(sc, &s[j], rng, &sc->img[i][j], err, err_len);
        }
    }
    return rc;
}

/* Builds the starting flash on a temporary map and snapshots it. */
static int scenario_build_flash(struct scenario *sc, struct port_rng *rng, char *err,
                                size_t err_len)
{
    struct port_flash_map map;
    struct port_flash_map *prev;
    struct boot_loader_state *st = calloc(1, sizeof(*st));
    uint32_t cap_min = UINT32_MAX;
    uint32_t i;
    int rc;

    port_flash_map_init(&map);
    if (st == NULL) {
        return BO_ENOMEM;
    }
    rc = port_flash_map_setup_board(&map, &sc->board);
    if (rc < 0) {
        snprintf(err, err_len, "cannot build the board's flash");
        free(st);
        return rc;
    }
    prev = port_flash_map_activate(&map);
    for (i = 0; i < sc->image_count && rc == 0; i++) {
        uint32_t cap = 0;
        const char *why = NULL;

        rc = boot_image_capacity(st, &sc->cfg, i, &cap, &why);
        if (rc == 0) {
            snprintf(err, err_len, "%s does not allow %s for image %u: %s", sc->board_name,
                     boot_mode_name(sc->opts.mode), i, why != NULL ? why : "?");
            rc = BO_ENOTSUP;
        } else if (rc < 0) {
            snprintf(err, err_len, "capacity of image %u: error %d", i, rc);
        } else {
            cap_min = cap < cap_min ? cap : cap_min;
            rc = scenario_sec_offset(sc, i);
        }
    }
    if (rc == 0 && sc->user_images) {
        rc = scenario_inputs_images(sc, cap_min, err, err_len);
    } else if (rc == 0) {
        rc = scenario_sizes(sc, cap_min, err, err_len);
    }
    if (rc == 0 && !sc->user_images) {
        rc = scenario_make_images(sc, rng, err, err_len);
    }
    for (i = 0; i < sc->image_count && rc == 0; i++) {
        rc = scenario_install(sc, i, 0, &sc->img[i][0]);
        if (rc == 0) {
            rc = scenario_install(sc, i, 1, &sc->img[i][1]);
        }
        if (rc < 0) {
            snprintf(err, err_len, "cannot install the images of image %u: %d", i, rc);
        }
    }
    for (i = 0; i < map.device_count && rc == 0; i++) {
        struct vflash *d = map.devices[i];

        sc->mem_len[i] = d->size;
        sc->start_mem[i] = malloc(d->size);
        if (sc->start_mem[i] == NULL) {
            rc = BO_ENOMEM;
            break;
        }
        memcpy(sc->start_mem[i], d->mem, d->size);
        if (d->ecc_map != NULL) {
            sc->ecc_len[i] = vflash_ecc_map_size(&d->geom);
            sc->start_ecc[i] = malloc(sc->ecc_len[i] + 1u);
            if (sc->start_ecc[i] == NULL) {
                rc = BO_ENOMEM;
                break;
            }
            memcpy(sc->start_ecc[i], d->ecc_map, sc->ecc_len[i]);
        }
        sc->dev_count = i + 1;
    }
    port_flash_map_activate(prev);
    port_flash_map_free(&map);
    free(st);
    return rc;
}

int scenario_setup(struct scenario *sc, const struct scenario_opts *opts, char *err, size_t err_len)
{
    struct port_rng rng;
    int rc;

    sc->opts = *opts;
    sweep_inputs_root(opts->root, sc->root, sizeof(sc->root));
    port_rng_init(&rng);
    /* A fixed seed: the same options sign the same bytes, so op counts and replays match. */
    port_entropy_set_seed(&rng.source, 0x62726f776e6f7574ull);
    rc = port_rng_setup(&rng, "brownout-sweep");
    if (rc != 0) {
        snprintf(err, err_len, "cannot set up the RNG");
        rc = BO_ECRYPTO;
        goto out;
    }
    if ((unsigned)opts->kind >= SCENARIO_KIND_COUNT ||
        (unsigned)opts->mode > BOOT_MODE_SWAP_OFFSET) {
        snprintf(err, err_len, "bad scenario or mode");
        rc = BO_EINVAL;
        goto out;
    }
    rc = scenario_load_board(sc, err, err_len);
    if (rc == 0) {
        rc = scenario_inputs_keys(sc, &rng, err, err_len);
    }
    if (rc < 0) {
        goto out;
    }
    sc->image_count = opts->kind == SCENARIO_MULTI_IMAGE ? 2u : 1u;
    if (sc->image_count == 2 && !sc->board.part[FLASH_AREA_IMAGE_2].present) {
        snprintf(err, err_len, "%s has no second image", sc->board_name);
        rc = BO_ENOTSUP;
        goto out;
    }
    rc = board_derive(&sc->board, opts->mode, sc->image_count, opts->max_sectors, &sc->derived, err,
                      err_len);
    if (rc < 0) {
        goto out;
    }
    sc->max_align = sc->derived.max_align;
    boot_config_defaults(&sc->cfg);
    sc->cfg.mode = opts->mode;
    sc->cfg.image_count = sc->image_count;
    sc->cfg.keys = sc->keys.table;
    sc->cfg.key_count = (uint32_t)sc->keys.count;
    sc->cfg.validate_primary = !opts->no_validate_primary;
    board_derive_apply(&sc->derived, &sc->cfg);
    sc->cfg.downgrade_version = opts->downgrade_prevention;
    rc = scenario_bl_setup(sc, err, err_len);
    if (rc == 0) {
        rc = scenario_build_flash(sc, &rng, err, err_len);
    }
    if (rc == 0) {
        rc = scenario_inputs_hash(sc, err, err_len);
    }
    /* Replay IDs name the board and the inputs hash from here on. */
    sc->opts.board = sc->board_name;
    sc->opts.in.expect = sc->inputs;
out:
    port_rng_free(&rng);
    return rc;
}

void scenario_restore(const struct scenario *sc, struct port_flash_map *map)
{
    uint32_t i;

    for (i = 0; i < sc->dev_count && i < map->device_count; i++) {
        struct vflash *d = map->devices[i];

        vflash_fault_clear_weak(d);
        vflash_fault_clear_torn(d);
        vflash_fault_disarm(d);
        if (sc->opts.ecc_torn != VFLASH_ECC_TORN_ERASED) {
            /* The garbage bytes depend on the unit only: a replay reads the same. */
            (void)vflash_fault_set_ecc_torn(d, (enum vflash_ecc_torn)sc->opts.ecc_torn, 0);
        }
        memcpy(d->mem, sc->start_mem[i], sc->mem_len[i]);
        if (sc->start_ecc[i] != NULL && d->ecc_map != NULL) {
            memcpy(d->ecc_map, sc->start_ecc[i], sc->ecc_len[i]);
        }
    }
    port_flash_map_power_on(map);
}

void scenario_app_start(const struct scenario *sc, struct scenario_app *app)
{
    memset(app, 0, sizeof(*app));
    app->policy = (uint8_t)sc->opts.kind;
}

bool scenario_runs_new(const struct scenario *sc, const struct boot_rsp *rsp, uint32_t image)
{
    const struct image_version *a = &rsp->versions[image];
    const struct image_version *b = &sc->img[image][1].ver;

    return image < rsp->image_count && a->major == b->major && a->minor == b->minor &&
           a->revision == b->revision;
}

/* Requests the upgrade of every image; the flag is set only when every call returned. */
static int scenario_request(const struct scenario *sc, struct scenario_app *app, int permanent)
{
    uint32_t i;
    int rc = 0;

    /* Each request starts a new test cycle: the new image it brings gets its one reset again
     * (a request retried after a cut may follow a completed swap and revert). */
    app->ran_new = 0;
    app->in_call = SCENARIO_CALL_REQUEST;
    for (i = 0; i < sc->image_count && rc == 0; i++) {
        rc = sc->bl->set_pending(&sc->cfg, (int)i, permanent != 0);
    }
    if (rc == BO_EPOWER) {
        return rc;
    }
    app->in_call = SCENARIO_CALL_NONE;
    if (rc < 0) {
        app->app_error = 1;
        app->app_rc = rc;
        return SCENARIO_IDLE;
    }
    app->requested = 1;
    return SCENARIO_REBOOT;
}

int scenario_app_act(const struct scenario *sc, struct scenario_app *app,
                     const struct boot_rsp *rsp)
{
    bool is_new = scenario_runs_new(sc, rsp, 0);
    int rc;

    switch ((enum scenario_kind)app->policy) {
    case SCENARIO_TEST_CONFIRM:
        if (is_new) {
            if (app->confirmed) {
                return SCENARIO_IDLE;
            }
            app->in_call = SCENARIO_CALL_CONFIRM;
            rc = sc->bl->confirm(&sc->cfg, 0);
            if (rc == BO_EPOWER) {
                return rc;
            }
            app->in_call = SCENARIO_CALL_NONE;
            if (rc < 0) {
                app->app_error = 1;
                app->app_rc = rc;
            } else {
                app->confirmed = 1;
            }
            return SCENARIO_IDLE;
        }
        return app->requested ? SCENARIO_IDLE : scenario_request(sc, app, 0);
    case SCENARIO_TEST_REVERT:
        if (is_new) {
            /* The new image never confirms; it resets once (a watchdog), then gives up. */
            if (app->ran_new) {
                return SCENARIO_IDLE;
            }
            app->ran_new = 1;
            return SCENARIO_REBOOT;
        }
        return app->requested ? SCENARIO_IDLE : scenario_request(sc, app, 0);
    case SCENARIO_PERM:
    case SCENARIO_MULTI_IMAGE:
    case SCENARIO_DOWNGRADE:
    default:
        if (is_new || app->requested) {
            return SCENARIO_IDLE;
        }
        return scenario_request(sc, app, 1);
    }
}

static int scenario_compare_at(const struct flash_area *fa, uint32_t off,
                               const struct scenario_image *img, uint8_t *buf, uint32_t buf_len)
{
    uint32_t done = 0;
    int rc;

    if (off > flash_area_get_size(fa) || img->size > flash_area_get_size(fa) - off) {
        return 0;
    }
    while (done < img->size) {
        uint32_t n = img->size - done < buf_len ? img->size - done : buf_len;

        rc = flash_area_read(fa, off + done, buf, n);
        if (rc < 0) {
            return rc;
        }
        if (memcmp(buf, img->data + done, n) != 0) {
            return 0;
        }
        done += n;
    }
    return 1;
}

/* Identity of the image at off of an open area. */
static int scenario_ident_at(const struct scenario *sc, uint32_t image, const struct flash_area *fa,
                             uint32_t off)
{
    uint8_t buf[1024];
    struct image_header hdr;
    int j;
    int rc;

    if (off > flash_area_get_size(fa) || flash_area_get_size(fa) - off < IMAGE_HEADER_SIZE) {
        return SCENARIO_ID_EMPTY;
    }
    rc = flash_area_read(fa, off, buf, IMAGE_HEADER_SIZE);
    if (rc < 0) {
        return rc;
    }
    image_header_decode(buf, &hdr);
    if (hdr.magic != IMAGE_MAGIC) {
        return SCENARIO_ID_EMPTY;
    }
    for (j = 0; j < 2; j++) {
        rc = scenario_compare_at(fa, off, &sc->img[image][j], buf, sizeof(buf));
        if (rc < 0) {
            return rc;
        }
        if (rc == 1) {
            return j == 0 ? SCENARIO_ID_OLD : SCENARIO_ID_NEW;
        }
    }
    return SCENARIO_ID_OTHER;
}

int scenario_identify(const struct scenario *sc, uint32_t image, int slot)
{
    const struct flash_area *fa;
    int rc;

    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)image, slot), &fa);
    if (rc < 0) {
        return rc;
    }
    rc = scenario_ident_at(sc, image, fa, 0);
    if (rc == SCENARIO_ID_EMPTY && slot == 1 && sc->sec_off[image] != 0) {
        rc = scenario_ident_at(sc, image, fa, sc->sec_off[image]);
        rc = rc > 0 ? rc + 0x10 : rc;
    }
    flash_area_close(fa);
    return rc;
}

int scenario_final_read(const struct scenario *sc, const struct boot_rsp *rsp,
                        struct scenario_final *fin)
{
    struct boot_api_config api = { sc->max_align };
    uint32_t i;
    int rc = 0;

    memset(fin, 0, sizeof(*fin));
    for (i = 0; i < sc->image_count && rc == 0; i++) {
        fin->run[i] = scenario_runs_new(sc, rsp, i) ? SCENARIO_ID_NEW : SCENARIO_ID_OLD;
        rc = boot_read_swap_state_by_id_cfg(&api, flash_area_id_from_multi_image_slot((int)i, 0),
                                            &fin->pri[i]);
        if (rc == 0) {
            rc = boot_read_swap_state_by_id_cfg(
                &api, flash_area_id_from_multi_image_slot((int)i, 1), &fin->sec[i]);
        }
        if (rc == 0) {
            rc = scenario_identify(sc, i, 0);
            fin->pri_id[i] = (uint8_t)(rc >= 0 ? rc : 0);
        }
        if (rc >= 0) {
            rc = scenario_identify(sc, i, 1);
            fin->sec_id[i] = (uint8_t)(rc >= 0 ? rc : 0);
        }
        rc = rc > 0 ? 0 : rc;
    }
    return rc;
}

bool scenario_boot_allowed(const struct scenario *sc, uint32_t image, int ident)
{
    (void)image;
    if (sc->opts.kind == SCENARIO_DOWNGRADE) {
        return ident == SCENARIO_ID_OLD;
    }
    return ident == SCENARIO_ID_OLD || ident == SCENARIO_ID_NEW;
}
