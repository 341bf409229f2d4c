/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "coap": CoAP datagrams into the device's OTA app (core/ota/ota_app.h): message
 * parsing, options, Block1/Block2, duplicate detection, separate responses and retransmissions,
 * the upload into the secondary slot, POST /fw/pending (validation, then the boot API), confirm
 * and reboot; over the flash of a nrf52840 in RAM whose primary slot holds a signed image.
 *
 * Input:
 *   byte 0     bits 0-1 confirm policy (manual, auto, never), bits 2-3 upgrade mode (overwrite,
 *              scratch, move, offset)
 *   then       datagrams: a flags byte (bits 0-1 peer, bit 2 forget the peer afterwards, bits
 *              3-7 time that passes before it, in 256 ms steps), a 16-bit length (at most
 *              1152) and the bytes; after each, the app's due work runs (ota_app_tick)
 *   at the end 300 s pass in steps, so separate responses and retransmissions run out
 *
 * Oracles besides no crash: every datagram the app sends parses as CoAP and fits
 * COAP_SERVER_MSG_MAX; flash outside the secondary slot and the primary's trailer sector never
 * changes (the running image is never touched); when the flash asks the next boot for an
 * upgrade, the secondary slot holds an image signed by the trusted key (the app never marks an
 * image pending that does not validate); every flash area it opened is closed by
 * ota_app_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "boot/image_validate.h"
#include "fuzz_common.h"
#include "image/image_sign.h"
#include "ota/coap_msg.h"
#include "ota/coap_server.h"
#include "ota/ota_app.h"
#include "port_flash_map.h"

#define FUZZ_COAP_TRAILER_KEEP 4096u

static struct port_flash_map fuzz_coap_map;
static struct keys_key fuzz_coap_key;
static struct image_key fuzz_coap_trusted[1];
static struct ota_app *fuzz_coap_app;
static uint8_t *fuzz_coap_start;
static size_t fuzz_coap_size;
static bool fuzz_coap_ready;
static uint64_t fuzz_coap_sent;

static int fuzz_coap_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct coap_msg m;

    (void)ctx;
    (void)peer;
    fuzz_check(len <= COAP_SERVER_MSG_MAX, "the app sent a datagram over COAP_SERVER_MSG_MAX");
    fuzz_check(coap_msg_parse(&m, buf, len) == 0, "the app sent a datagram that does not parse");
    fuzz_coap_sent++;
    return 0;
}

static void fuzz_coap_reboot(void *ctx)
{
    (void)ctx;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[1024];
    char err[256];
    struct image_sign_opts o;
    uint8_t payload[1500];
    uint8_t *img = NULL;
    size_t img_len = 0;
    struct vflash *dev;
    size_t i;

    (void)argc;
    (void)argv;
    if (fuzz_coap_ready) {
        return 0;
    }
    fuzz_setup_once();
    fuzz_load_key(&fuzz_coap_key, "ec256.pem");
    keys_to_image_key(&fuzz_coap_key, &fuzz_coap_trusted[0]);
    snprintf(path, sizeof(path), "%s/fixtures/boards/nrf52840.ini", fuzz_root());
    port_flash_map_init(&fuzz_coap_map);
    if (port_flash_map_setup_board_file(&fuzz_coap_map, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    /* The running image: v1.0.0 signed by the trusted key, as a programmer wrote it. */
    memset(payload, 0, sizeof(payload));
    for (i = IMAGE_HEADER_SIZE; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 13u);
    }
    image_sign_opts_init(&o);
    o.key = &fuzz_coap_key;
    o.version.major = 1;
    o.f_rng = port_rng_random;
    o.p_rng = fuzz_rng();
    if (image_sign(&o, payload, sizeof(payload), &img, &img_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: image_sign: %s\n", err);
        abort();
    }
    dev = port_flash_map_device(&fuzz_coap_map, 0);
    if (vflash_host_write(dev, fuzz_coap_map.areas[FLASH_AREA_IMAGE_0].fa_off, img,
                          (uint32_t)img_len) != 0) {
        abort();
    }
    free(img);
    fuzz_coap_size = dev->size;
    fuzz_coap_start = malloc(fuzz_coap_size);
    fuzz_coap_app = calloc(1, sizeof(*fuzz_coap_app));
    if (fuzz_coap_start == NULL || fuzz_coap_app == NULL) {
        abort();
    }
    memcpy(fuzz_coap_start, dev->mem, fuzz_coap_size);
    fuzz_coap_ready = true;
    return 0;
}

/* Flash outside the secondary slot and the primary's last sector is as it was. */
static void fuzz_coap_check_flash(const struct vflash *dev)
{
    const struct flash_area *pri = &fuzz_coap_map.areas[FLASH_AREA_IMAGE_0];
    const struct flash_area *sec = &fuzz_coap_map.areas[FLASH_AREA_IMAGE_1];
    uint32_t keep_from = pri->fa_off + pri->fa_size - FUZZ_COAP_TRAILER_KEEP;

    fuzz_check(memcmp(dev->mem, fuzz_coap_start, keep_from) == 0,
               "the app changed flash before the primary's trailer (the running image)");
    fuzz_check(memcmp(dev->mem + pri->fa_off + pri->fa_size,
                      fuzz_coap_start + pri->fa_off + pri->fa_size,
                      sec->fa_off - (pri->fa_off + pri->fa_size)) == 0,
               "the app changed flash between the slots");
    fuzz_check(memcmp(dev->mem + sec->fa_off + sec->fa_size,
                      fuzz_coap_start + sec->fa_off + sec->fa_size,
                      fuzz_coap_size - (sec->fa_off + sec->fa_size)) == 0,
               "the app changed flash after the secondary slot");
}

/* Reads the secondary slot from where the image starts in it. */
struct fuzz_coap_slot {
    const struct flash_area *fa;
    uint32_t off;
};

static int fuzz_coap_slot_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct fuzz_coap_slot *s = ctx;

    return flash_area_read(s->fa, s->off + off, buf, len);
}

/* A requested upgrade must name an image that validates with the trusted key. */
static void fuzz_coap_check_pending(const struct boot_config *bc, uint32_t img_off)
{
    struct boot_api_config acfg;
    struct image_validate_config vc;
    struct image_validate_result res;
    struct fuzz_coap_slot slot;
    struct image_src src;
    int type;

    acfg.max_align = bc->max_align == 0 ? 8 : bc->max_align;
    type = boot_swap_type_multi_cfg(&acfg, 0);
    if (type != BOOT_SWAP_TYPE_TEST && type != BOOT_SWAP_TYPE_PERM) {
        return;
    }
    fuzz_check(flash_area_open(FLASH_AREA_IMAGE_1, &slot.fa) == 0, "secondary does not open");
    fuzz_check(img_off < slot.fa->fa_size, "image offset outside the secondary slot");
    slot.off = img_off;
    src.read = fuzz_coap_slot_read;
    src.ctx = &slot;
    src.size = slot.fa->fa_size - img_off;
    memset(&vc, 0, sizeof(vc));
    vc.keys = fuzz_coap_trusted;
    vc.key_count = 1;
    fuzz_check(image_validate(&src, &vc, &res) == 0,
               "an upgrade is pending for an image that does not validate");
    flash_area_close(slot.fa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum boot_mode modes[4] = { BOOT_MODE_OVERWRITE, BOOT_MODE_SWAP_SCRATCH,
                                             BOOT_MODE_SWAP_MOVE, BOOT_MODE_SWAP_OFFSET };
    struct fuzz_in in;
    struct boot_config bc;
    struct ota_app_config ac;
    struct ota_app_ops ops;
    struct port_flash_map *prev;
    struct vflash *dev;
    uint64_t now = 1000;
    uint8_t b0;
    int rc;
    int i;

    if (!fuzz_coap_ready) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    dev = port_flash_map_device(&fuzz_coap_map, 0);
    memcpy(dev->mem, fuzz_coap_start, fuzz_coap_size);
    port_flash_map_power_on(&fuzz_coap_map);
    prev = port_flash_map_activate(&fuzz_coap_map);
    fuzz_in_init(&in, data, size);
    b0 = fuzz_u8(&in);

    boot_config_defaults(&bc);
    bc.mode = modes[(b0 >> 2) & 3];
    bc.keys = fuzz_coap_trusted;
    bc.key_count = 1;
    memset(&ac, 0, sizeof(ac));
    ac.confirm = (enum ota_confirm_policy)((b0 & 3) % 3);
    ac.boot = &bc;
    ac.image_index = 0;
    memset(&ops, 0, sizeof(ops));
    ops.send = fuzz_coap_send;
    ops.reboot = fuzz_coap_reboot;

    ota_app_init(fuzz_coap_app);
    rc = ota_app_setup(fuzz_coap_app, &ac, &ops, now);
    fuzz_check(rc == 0, "the OTA app does not set up over a valid primary");
    while (rc == 0 && fuzz_left(&in) >= 3) {
        uint8_t flags = fuzz_u8(&in);
        uint32_t peer = flags & 3u;
        size_t len = fuzz_u16(&in);

        if (len > COAP_SERVER_MSG_MAX) {
            len = COAP_SERVER_MSG_MAX;
        }
        if (len > fuzz_left(&in)) {
            len = fuzz_left(&in);
        }
        now += (uint64_t)(flags >> 3) * 256u;
        rc = ota_app_input(fuzz_coap_app, peer, fuzz_rest(&in), len, now);
        fuzz_skip(&in, len);
        fuzz_check(rc == 0, "ota_app_input failed without a power cut");
        rc = ota_app_tick(fuzz_coap_app, now);
        fuzz_check(rc == 0, "ota_app_tick failed without a power cut");
        if ((flags & 4) != 0) {
            ota_app_peer_gone(fuzz_coap_app, peer);
        }
    }
    /* Let separate responses and retransmissions run out. */
    for (i = 0; i < 160 && rc == 0; i++) {
        now += 2000;
        rc = ota_app_tick(fuzz_coap_app, now);
        fuzz_check(rc == 0, "ota_app_tick failed without a power cut");
    }
    fuzz_coap_check_flash(dev);
    fuzz_coap_check_pending(&bc, fuzz_coap_app->img_off);
    ota_app_free(fuzz_coap_app);
    fuzz_check(port_flash_map_open_total(&fuzz_coap_map) == 0, "the app left an area open");
    port_flash_map_activate(prev);
    return 0;
}
