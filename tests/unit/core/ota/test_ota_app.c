/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the OTA app over flash in RAM (a fixtures/boards board through port_flash_map) with
 * real signed images, driven through ota_app_input() as a CoAP client would:
 * - whole updates in every swap mode: PUT /fw/upload of v2 in 64- and 1024-byte blocks,
 *   POST /fw/pending "test" (separate response), boot_go boots v2, POST /fw/confirm, boot again
 *   still v2; "permanent"; 16-byte blocks on a 32-byte ECC write unit;
 * - the confirm policies: auto confirms at setup, never refuses (4.03) and the reset reverts;
 * - GET /.well-known/core and GET /fw (JSON: versions, hashes, flags, upload progress);
 * - refusals: 4.13 (header or Size1 larger than the slot, with Size1), 4.00 (bad magic, bad
 *   payload), 4.04, 4.05, 4.08 (a block past unwritten data, an unfinished upload marked
 *   pending), 4.15, and an upload while a test image awaits its confirmation (4.03);
 * - a power cut at many flash operations of an upload: a new app instance resumes from the
 *   interrupted block (or an earlier one) and the update completes;
 * - a corrupted, an untrusted and an unsigned upload are refused when marked pending and never
 *   boot, even when marked pending behind the app's back;
 * - POST /reboot answers 2.04 before ops->reboot runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "ota/ota_app.h"
#include "support/boot_fixture.h"
#include "sysflash/sysflash.h"

#define PEER 7u
#define SENT_MAX 8

struct sent {
    size_t len;
    uint8_t buf[COAP_SERVER_MSG_MAX];
};

struct rig {
    struct bf f;
    struct ota_app *app;
    struct ota_app_config cfg;
    struct sent sent[SENT_MAX];
    uint32_t nsent;
    uint32_t reboots;
    uint32_t sent_at_reboot;
    uint16_t mid;
    uint64_t now;
};

static int rig_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct rig *r = ctx;
    struct sent *s = &r->sent[r->nsent % SENT_MAX];

    assert_int_equal(peer, PEER);
    assert_true(len <= sizeof(s->buf));
    memcpy(s->buf, buf, len);
    s->len = len;
    r->nsent++;
    return 0;
}

static void rig_reboot(void *ctx)
{
    struct rig *r = ctx;

    r->reboots++;
    r->sent_at_reboot = r->nsent;
}

static int group_setup(void **state)
{
    (void)state;
    return bf_global_setup();
}

static int group_teardown(void **state)
{
    (void)state;
    bf_global_teardown();
    return 0;
}

/* Starts the app (a fresh instance, as after a reset). */
static int app_start(struct rig *r, enum ota_confirm_policy policy)
{
    struct ota_app_ops ops = { r, rig_send, rig_reboot };

    if (r->app == NULL) {
        r->app = malloc(sizeof(*r->app));
        assert_non_null(r->app);
    }
    ota_app_init(r->app);
    r->cfg.confirm = policy;
    r->cfg.boot = &r->f.cfg;
    r->cfg.image_index = 0;
    return ota_app_setup(r->app, &r->cfg, &ops, r->now);
}

static void app_stop(struct rig *r)
{
    if (r->app != NULL) {
        ota_app_free(r->app);
    }
}

static struct rig *rig_new(const char *board, enum boot_mode mode)
{
    struct rig *r = calloc(1, sizeof(*r));
    struct boot_rsp rsp;
    struct bf_image v1;
    struct board b;

    assert_non_null(r);
    assert_int_equal(bf_board_file(&b, board), 0);
    assert_int_equal(bf_start(&r->f, &b, mode, 1), 0);
    bf_image_init(&v1, 1, 0, 0, 9000);
    assert_int_equal(bf_install(&r->f, 0, 0, &v1), 0);
    assert_int_equal(bf_boot(&r->f, &rsp), 0);
    assert_int_equal(rsp.version.major, 1);
    r->mid = 0x100;
    r->now = 1000;
    return r;
}

static void rig_free(struct rig *r)
{
    app_stop(r);
    free(r->app);
    bf_stop(&r->f);
    free(r);
}

static const struct sent *last(const struct rig *r)
{
    assert_true(r->nsent > 0);
    return &r->sent[(r->nsent - 1) % SENT_MAX];
}

/* An option for a request. */
struct xopt {
    uint16_t num;
    const void *val;
    size_t len;
};

/*
 * Sends one request (Uri-Path from path, then the options, in order) and returns the code of
 * the one datagram it got back (parsed into *rep). Returns 0xff when nothing came back.
 */
static uint8_t rq(struct rig *r, uint8_t type, uint8_t code, const char *path, const struct xopt *x,
                  size_t nx, const void *payload, size_t plen, struct coap_msg *rep, int *rc_out)
{
    static const uint8_t tok[2] = { 0x42, 0x43 };
    uint8_t buf[COAP_SERVER_MSG_MAX];
    struct coap_msg_writer w;
    const char *p = path;
    uint32_t before = r->nsent;
    size_t len;
    size_t i;
    int rc;

    coap_msg_write_init(&w, buf, sizeof(buf), type, code, r->mid++, tok, 2);
    while (p != NULL && *p != '\0') {
        const char *e = strchr(p, '/');
        size_t sl = e != NULL ? (size_t)(e - p) : strlen(p);

        coap_msg_write_opt(&w, COAP_OPT_URI_PATH, p, sl);
        p = e != NULL ? e + 1 : NULL;
    }
    for (i = 0; i < nx; i++) {
        coap_msg_write_opt(&w, x[i].num, x[i].val, x[i].len);
    }
    coap_msg_write_payload(&w, payload, plen);
    assert_int_equal(coap_msg_write_finish(&w, &len), 0);
    rc = ota_app_input(r->app, PEER, buf, len, r->now);
    if (rc_out != NULL) {
        *rc_out = rc;
    } else {
        assert_int_equal(rc, 0);
    }
    if (r->nsent == before) {
        return 0xff;
    }
    assert_int_equal(r->nsent, before + 1);
    assert_int_equal(coap_msg_parse(rep, last(r)->buf, last(r)->len), 0);
    assert_int_equal(rep->tkl, type == COAP_TYPE_CON && rep->code == 0 ? 0 : 2);
    return rep->code;
}

static uint8_t get(struct rig *r, const char *path, struct coap_msg *rep)
{
    return rq(r, COAP_TYPE_CON, COAP_GET, path, NULL, 0, NULL, 0, rep, NULL);
}

/* POST to a resource answered at once. */
static uint8_t post(struct rig *r, const char *path, const char *payload, struct coap_msg *rep)
{
    return rq(r, COAP_TYPE_CON, COAP_POST, path, NULL, 0, payload,
              payload != NULL ? strlen(payload) : 0, rep, NULL);
}

/* POST /fw/pending: an empty ACK now, the answer as a CON response from the tick (ACKed). */
static uint8_t mark_pending(struct rig *r, const char *kind, struct coap_msg *rep)
{
    uint8_t ack[4];
    struct coap_msg_writer w;
    size_t len;
    uint8_t code;

    assert_int_equal(post(r, "fw/pending", kind, rep), COAP_CODE_EMPTY);
    assert_int_equal(rep->type, COAP_TYPE_ACK);
    assert_true(ota_app_next_deadline(r->app) <= r->now);
    assert_int_equal(ota_app_tick(r->app, r->now), 0);
    assert_int_equal(coap_msg_parse(rep, last(r)->buf, last(r)->len), 0);
    assert_int_equal(rep->type, COAP_TYPE_CON);
    assert_int_equal(rep->tkl, 2);
    code = rep->code;
    coap_msg_write_init(&w, ack, sizeof(ack), COAP_TYPE_ACK, COAP_CODE_EMPTY, rep->mid, NULL, 0);
    coap_msg_write_finish(&w, &len);
    assert_int_equal(ota_app_input(r->app, PEER, ack, len, r->now), 0);
    assert_int_equal(ota_app_next_deadline(r->app), UINT64_MAX);
    return code;
}

/*
 * Sends block num of an image with size exponent szx (Size1 on block 0). Returns the reply's
 * code (0xff: none); *rc_out gets ota_app_input's return.
 */
static uint8_t put_block(struct rig *r, const uint8_t *img, size_t len, uint8_t szx, uint32_t num,
                         struct coap_msg *rep, int *rc_out)
{
    uint32_t bs = coap_block_size(szx);
    size_t off = (size_t)num * bs;
    size_t n = len - off < bs ? len - off : bs;
    struct coap_block b = { num, off + n < len, szx };
    uint8_t bv[3];
    uint8_t sv[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                      (uint8_t)len };
    struct xopt x[2];
    size_t bl;

    assert_int_equal(coap_block_encode(&b, bv, &bl), 0);
    x[0].num = COAP_OPT_BLOCK1;
    x[0].val = bv;
    x[0].len = bl;
    x[1].num = COAP_OPT_SIZE1;
    x[1].val = sv;
    x[1].len = 4;
    return rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", x, num == 0 ? 2 : 1, img + off, n, rep,
              rc_out);
}

static uint32_t nblocks(size_t len, uint8_t szx)
{
    return (uint32_t)((len + coap_block_size(szx) - 1) / coap_block_size(szx));
}

/* Uploads blocks [from, nblocks) and checks every reply. */
static void upload_from(struct rig *r, const uint8_t *img, size_t len, uint8_t szx, uint32_t from)
{
    uint32_t n = nblocks(len, szx);
    struct coap_msg rep;
    struct coap_block b;
    uint32_t i;

    for (i = from; i < n; i++) {
        uint8_t code = put_block(r, img, len, szx, i, &rep, NULL);

        assert_int_equal(rep.type, COAP_TYPE_ACK);
        assert_int_equal(code, i + 1 < n ? COAP_CONTINUE : COAP_CHANGED);
        assert_int_equal(coap_block_from_msg(&rep, COAP_OPT_BLOCK1, &b), 1);
        assert_int_equal(b.num, i);
        assert_int_equal(b.szx, szx);
        assert_int_equal(b.more, i + 1 < n);
    }
}

static void make_image(struct rig *r, uint8_t major, uint32_t payload, bool corrupt, bool untrusted,
                       bool no_key, uint8_t **img, size_t *len)
{
    struct bf_image o;
    const struct flash_area *fa;

    bf_image_init(&o, major, 0, 0, payload);
    o.corrupt = corrupt;
    o.untrusted = untrusted;
    o.no_key = no_key;
    assert_int_equal(flash_area_open(FLASH_AREA_IMAGE_1, &fa), 0);
    assert_int_equal(bf_make_image(&r->f, &o, flash_area_erased_val(fa), img, len), 0);
    flash_area_close(fa);
}

/* Resets the device: the app goes, the bootloader runs, the app comes back. */
static void reset(struct rig *r, enum ota_confirm_policy policy, struct boot_rsp *rsp)
{
    app_stop(r);
    assert_int_equal(bf_boot(&r->f, rsp), 0);
    r->now += 10000;
    assert_int_equal(app_start(r, policy), 0);
}

static void whole_update(const char *board, enum boot_mode mode, uint8_t szx)
{
    struct rig *r = rig_new(board, mode);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 20000, false, false, false, &img, &len);
    upload_from(r, img, len, szx, 0);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_TEST);
    assert_int_equal(post(r, "fw/confirm", NULL, &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_NONE);
    free(img);
    rig_free(r);
}

static void test_update_scratch_64(void **state)
{
    (void)state;
    whole_update("nrf52840", BOOT_MODE_SWAP_SCRATCH, 2);
}

static void test_update_scratch_1024(void **state)
{
    (void)state;
    whole_update("nrf52840", BOOT_MODE_SWAP_SCRATCH, 6);
}

static void test_update_move(void **state)
{
    (void)state;
    whole_update("nrf52840", BOOT_MODE_SWAP_MOVE, 6);
}

static void test_update_offset(void **state)
{
    (void)state;
    whole_update("nrf52840", BOOT_MODE_SWAP_OFFSET, 5);
}

static void test_update_ecc_small_blocks(void **state)
{
    (void)state;
    /* 16-byte blocks on 32-byte ECC flash words programmed once. */
    whole_update("stm32h7", BOOT_MODE_SWAP_SCRATCH, 0);
}

static void test_update_erased0(void **state)
{
    (void)state;
    whole_update("nrf52840-erased0", BOOT_MODE_SWAP_MOVE, 4);
}

static void test_permanent_and_overwrite(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_OVERWRITE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 3, 5000, false, false, false, &img, &len);
    upload_from(r, img, len, 6, 0);
    assert_int_equal(mark_pending(r, "permanent\n", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    free(img);
    rig_free(r);
}

static void test_policies(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_MOVE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    (void)state;
    /* never: the test image is not confirmed, the next reset reverts. */
    assert_int_equal(app_start(r, OTA_CONFIRM_NEVER), 0);
    make_image(r, 2, 7000, false, false, false, &img, &len);
    upload_from(r, img, len, 5, 0);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_NEVER, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(post(r, "fw/confirm", NULL, &rep), COAP_FORBIDDEN);
    /* An upload now would destroy the image the revert needs. */
    assert_int_equal(put_block(r, img, len, 5, 0, &rep, NULL), COAP_FORBIDDEN);
    reset(r, OTA_CONFIRM_NEVER, &rsp);
    assert_int_equal(rsp.version.major, 1);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_REVERT);
    /* auto: the setup after the test boot confirms. */
    upload_from(r, img, len, 5, 0);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_AUTO, &rsp);
    assert_int_equal(rsp.version.major, 2);
    reset(r, OTA_CONFIRM_AUTO, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_NONE);
    free(img);
    rig_free(r);
}

static bool contains(const struct coap_msg *m, const char *s)
{
    size_t n = strlen(s);
    size_t i;

    for (i = 0; i + n <= m->payload_len; i++) {
        if (memcmp(m->payload + i, s, n) == 0) {
            return true;
        }
    }
    return false;
}

static void test_get_resources(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct coap_opt o;
    uint32_t cf;
    uint8_t hash[32];
    char hex[80];
    uint8_t *img;
    size_t len;
    int i;

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(get(r, ".well-known/core", &rep), COAP_CONTENT);
    assert_int_equal(coap_msg_find_opt(&rep, COAP_OPT_CONTENT_FORMAT, &o), 1);
    assert_int_equal(coap_msg_opt_uint(&o, &cf), 0);
    assert_int_equal(cf, COAP_CF_LINK_FORMAT);
    assert_true(contains(&rep, "</fw/upload>"));
    assert_true(contains(&rep, "</fw/pending>"));

    assert_int_equal(get(r, "fw", &rep), COAP_CONTENT);
    assert_int_equal(coap_msg_find_opt(&rep, COAP_OPT_CONTENT_FORMAT, &o), 1);
    assert_int_equal(coap_msg_opt_uint(&o, &cf), 0);
    assert_int_equal(cf, COAP_CF_JSON);
    assert_true(contains(&rep, "\"mode\":\"swap-scratch\""));
    assert_true(contains(&rep, "\"version\":\"1.0.0+0\""));
    assert_true(contains(&rep, "\"name\":\"secondary\",\"image\":false"));
    assert_true(contains(&rep, "\"known\":false"));
    /* The primary's hash is the one the image carries. */
    {
        uint32_t hl = 0;
        struct boot_rsp rsp;

        assert_int_equal(bf_boot(&r->f, &rsp), 0);
        hl = rsp.hash_len;
        assert_int_equal(hl, 32);
        memcpy(hash, rsp.hash, 32);
        for (i = 0; i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", hash[i]);
        }
        assert_true(contains(&rep, hex));
    }
    make_image(r, 2, 3000, false, false, false, &img, &len);
    upload_from(r, img, len, 6, 0);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    assert_int_equal(get(r, "fw", &rep), COAP_CONTENT);
    assert_true(contains(&rep, "\"version\":\"2.0.0+0\""));
    assert_true(contains(&rep, "\"pending\":true,\"permanent\":false"));
    assert_true(contains(&rep, "\"received\":"));
    assert_true(contains(&rep, "\"complete\":true"));
    free(img);
    rig_free(r);
}

static void test_refusals(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct coap_opt o;
    uint32_t v;
    uint8_t *img;
    size_t len;
    uint8_t hdr[64];
    const uint8_t cf_json = 50;
    const struct xopt json = { COAP_OPT_CONTENT_FORMAT, &cf_json, 1 };
    const uint8_t b1_szx7 = 0x0f;
    const struct xopt bad_b1 = { COAP_OPT_BLOCK1, &b1_szx7, 1 };

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 4000, false, false, false, &img, &len);
    assert_int_equal(get(r, "nope", &rep), COAP_NOT_FOUND);
    assert_int_equal(get(r, "fw/upload", &rep), COAP_METHOD_NOT_ALLOWED);
    assert_int_equal(post(r, "fw", NULL, &rep), COAP_METHOD_NOT_ALLOWED);
    /* Bad magic in block 0. */
    memcpy(hdr, img, sizeof(hdr));
    hdr[0] ^= 0xff;
    assert_int_equal(put_block(r, hdr, sizeof(hdr), 4, 0, &rep, NULL), COAP_BAD_REQUEST);
    /* A header announcing more than the slot holds: 4.13 with Size1 = capacity. */
    memcpy(hdr, img, sizeof(hdr));
    hdr[12] = 0x00;
    hdr[13] = 0x00;
    hdr[14] = 0x10; /* img_size 1 MiB */
    hdr[15] = 0x00;
    assert_int_equal(put_block(r, hdr, sizeof(hdr), 4, 0, &rep, NULL),
                     COAP_REQUEST_ENTITY_TOO_LARGE);
    assert_int_equal(coap_msg_find_opt(&rep, COAP_OPT_SIZE1, &o), 1);
    assert_int_equal(coap_msg_opt_uint(&o, &v), 0);
    assert_int_equal(v, r->app->capacity);
    assert_true(v > 0 && v < 0x34000);
    /* Size1 larger than the slot. */
    {
        uint8_t big[4] = { 0x00, 0x10, 0x00, 0x00 };
        uint8_t bv[1] = { 0x0e }; /* NUM 0, M, 1024 */
        struct xopt x[2] = { { COAP_OPT_BLOCK1, bv, 1 }, { COAP_OPT_SIZE1, big, 4 } };

        assert_int_equal(rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", x, 2, img, 1024, &rep, NULL),
                         COAP_REQUEST_ENTITY_TOO_LARGE);
    }
    /* A block past the end of the slot. */
    {
        uint8_t bv[3];
        size_t bl;
        struct coap_block b = { 0x34000 / 1024, true, 6 };
        struct xopt x = { COAP_OPT_BLOCK1, bv, 0 };

        coap_block_encode(&b, bv, &bl);
        x.len = bl;
        assert_int_equal(rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &x, 1, img, 1024, &rep, NULL),
                         COAP_REQUEST_ENTITY_TOO_LARGE);
    }
    /* Wrong content format, bad block option. */
    assert_int_equal(rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &json, 1, img, 64, &rep, NULL),
                     COAP_UNSUPPORTED_CONTENT_FORMAT);
    assert_int_equal(rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &bad_b1, 1, img, 64, &rep, NULL),
                     COAP_BAD_REQUEST);
    /* A block past unwritten data, RAM knowing nothing: 4.08. */
    assert_int_equal(put_block(r, img, len, 6, 2, &rep, NULL), COAP_REQUEST_ENTITY_INCOMPLETE);
    /* With RAM knowing where the upload stands: a skipped block is 4.08 too. */
    assert_int_equal(put_block(r, img, len, 6, 0, &rep, NULL), COAP_CONTINUE);
    assert_int_equal(put_block(r, img, len, 6, 2, &rep, NULL), COAP_REQUEST_ENTITY_INCOMPLETE);
    /* A non-final block shorter than its size. */
    {
        uint8_t bv[1] = { 0x1e }; /* NUM 1, M, 1024 */
        struct xopt x = { COAP_OPT_BLOCK1, bv, 1 };

        assert_int_equal(
            rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &x, 1, img + 1024, 100, &rep, NULL),
            COAP_BAD_REQUEST);
    }
    /* An unfinished upload cannot be marked pending. */
    assert_int_equal(mark_pending(r, "test", &rep), COAP_REQUEST_ENTITY_INCOMPLETE);
    /* A bad pending payload. */
    assert_int_equal(mark_pending(r, "maybe", &rep), COAP_BAD_REQUEST);
    /* The same block sent again is fine; then finish. */
    assert_int_equal(put_block(r, img, len, 6, 0, &rep, NULL), COAP_CONTINUE);
    upload_from(r, img, len, 6, 1);
    assert_int_equal(put_block(r, img, len, 6, 1, &rep, NULL), COAP_CONTINUE);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    free(img);
    rig_free(r);
}

/* A power cut at flash operation `cut` of the upload; a new instance resumes. */
static bool cut_and_resume(uint32_t cut, int model, bool resume_earlier, uint32_t *ops_total)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;
    uint32_t n;
    uint32_t i;
    uint32_t failed = UINT32_MAX;
    int rc = 0;

    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 12000, false, false, false, &img, &len);
    n = nblocks(len, 4);
    bf_reset_ops(&r->f);
    if (model < 0) {
        bf_cut_at(&r->f, cut);
    } else {
        bf_cut_model_at(&r->f, cut, (enum vflash_cut_model)model, 1000u + cut);
    }
    for (i = 0; i < n; i++) {
        uint8_t code = put_block(r, img, len, 4, i, &rep, &rc);

        if (rc == BO_EPOWER) {
            assert_int_equal(code, 0xff);
            failed = i;
            break;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(code, i + 1 < n ? COAP_CONTINUE : COAP_CHANGED);
    }
    if (ops_total != NULL) {
        *ops_total = (uint32_t)r->f.ops;
    }
    if (failed != UINT32_MAX) {
        /* Power comes back: v1 boots (nothing was marked pending), the app starts afresh. */
        bf_power_on(&r->f);
        reset(r, OTA_CONFIRM_MANUAL, &rsp);
        assert_int_equal(rsp.version.major, 1);
        if (failed > 0 && resume_earlier) {
            /* An earlier block holds exactly its bytes: accepted. */
            assert_int_equal(put_block(r, img, len, 4, failed - 1, &rep, NULL), COAP_CONTINUE);
            upload_from(r, img, len, 4, failed);
        } else if (failed > 1) {
            upload_from(r, img, len, 4, failed);
        } else {
            upload_from(r, img, len, 4, 0);
        }
    }
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    free(img);
    rig_free(r);
    return failed != UINT32_MAX;
}

static void test_power_cut_resume(void **state)
{
    uint32_t total = 0;
    uint32_t cut;

    (void)state;
    assert_false(cut_and_resume(UINT32_MAX >> 1, -1, false, &total));
    assert_true(total > 20);
    for (cut = 0; cut < total; cut += (cut < 8 ? 1 : total / 13 + 1)) {
        assert_true(cut_and_resume(cut, -1, (cut & 1) != 0, NULL));
    }
}

/* The same with the fault models of a real cut: torn writes, torn bits, weak cells, ... */
static void test_power_cut_models(void **state)
{
    uint32_t total = 0;
    uint32_t cut;
    int model;

    (void)state;
    assert_false(cut_and_resume(UINT32_MAX >> 1, -1, false, &total));
    for (model = 0; model < (int)VFLASH_CUT_MODEL_COUNT; model++) {
        for (cut = model % 3; cut < total; cut += total / 9 + 1) {
            assert_true(cut_and_resume(cut, model, (cut & 1) != 0, NULL));
        }
    }
}

static void test_resume_past_gap_refused(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    uint8_t *img;
    size_t len;
    uint32_t i;

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 12000, false, false, false, &img, &len);
    for (i = 0; i < 10; i++) {
        assert_int_equal(put_block(r, img, len, 8 - 4, i, &rep, NULL), COAP_CONTINUE);
    }
    /* RAM lost: a new instance knows nothing. */
    app_stop(r);
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(put_block(r, img, len, 4, 12, &rep, NULL), COAP_REQUEST_ENTITY_INCOMPLETE);
    assert_int_equal(put_block(r, img, len, 4, 10, &rep, NULL), COAP_CONTINUE);
    upload_from(r, img, len, 4, 11);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    free(img);
    rig_free(r);
}

/* An image that must never boot: refused by the app, and by the bootloader behind its back. */
static void bad_image(bool corrupt, bool untrusted, bool no_key)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct boot_rsp rsp;
    struct boot_swap_state st;
    uint8_t *img;
    size_t len;
    uint8_t code;

    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 6000, corrupt, untrusted, no_key, &img, &len);
    upload_from(r, img, len, 6, 0);
    code = mark_pending(r, "test", &rep);
    assert_int_equal(COAP_CODE_CLASS(code), 4);
    assert_true(rep.payload_len > 0);
    assert_int_equal(bf_swap_state(&r->f, FLASH_AREA_IMAGE_1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    /* Marked pending without the app: the bootloader refuses it too. */
    assert_int_equal(bf_set_pending(&r->f, 0, false), 0);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    free(img);
    rig_free(r);
}

static void test_corrupted_never_boots(void **state)
{
    (void)state;
    bad_image(true, false, false);
}

static void test_untrusted_never_boots(void **state)
{
    (void)state;
    bad_image(false, true, false);
}

static void test_unsigned_never_boots(void **state)
{
    (void)state;
    bad_image(false, false, true);
}

static void test_reboot_after_reply(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(post(r, "reboot", NULL, &rep), COAP_CHANGED);
    assert_int_equal(r->reboots, 1);
    assert_int_equal(r->sent_at_reboot, r->nsent);
    assert_int_equal(get(r, "reboot", &rep), COAP_METHOD_NOT_ALLOWED);
    rig_free(r);
}

static void test_restart_withdraws_request(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_MOVE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    struct boot_swap_state st;
    uint8_t *img2;
    uint8_t *img3;
    size_t len2;
    size_t len3;
    int rc;

    (void)state;
    assert_int_equal(app_start(r, OTA_CONFIRM_MANUAL), 0);
    make_image(r, 2, 8000, false, false, false, &img2, &len2);
    make_image(r, 3, 8000, false, false, false, &img3, &len3);
    upload_from(r, img2, len2, 6, 0);
    assert_int_equal(mark_pending(r, "test", &rep), COAP_CHANGED);
    /* A new upload starts: the request for v2 is withdrawn before anything is written. */
    assert_int_equal(put_block(r, img3, len3, 6, 0, &rep, &rc), COAP_CONTINUE);
    assert_int_equal(bf_swap_state(&r->f, FLASH_AREA_IMAGE_1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    upload_from(r, img3, len3, 6, 0);
    assert_int_equal(mark_pending(r, "permanent", &rep), COAP_CHANGED);
    reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    free(img2);
    free(img3);
    rig_free(r);
}

static void test_setup_errors(void **state)
{
    struct rig *r = rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct ota_app_ops ops = { r, rig_send, rig_reboot };
    struct ota_app_ops no_send = { r, NULL, NULL };
    struct ota_app_config c = { OTA_CONFIRM_MANUAL, &r->f.cfg, 0 };
    uint8_t junk[4] = { 0x40, 0x01, 0, 0 };

    (void)state;
    r->app = malloc(sizeof(*r->app));
    ota_app_init(r->app);
    assert_int_equal(ota_app_input(r->app, PEER, junk, 4, 0), BO_ESTATE);
    assert_int_equal(ota_app_tick(r->app, 0), BO_ESTATE);
    assert_int_equal(ota_app_next_deadline(r->app), UINT64_MAX);
    assert_int_equal(ota_app_setup(r->app, &c, &no_send, 0), BO_EINVAL);
    c.image_index = 1;
    assert_int_equal(ota_app_setup(r->app, &c, &ops, 0), BO_EINVAL);
    c.image_index = 0;
    c.boot = NULL;
    assert_int_equal(ota_app_setup(r->app, &c, &ops, 0), BO_EINVAL);
    c.boot = &r->f.cfg;
    assert_int_equal(ota_app_setup(r->app, &c, &ops, 0), 0);
    ota_app_free(r->app);
    ota_app_free(r->app);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_scratch_64),
        cmocka_unit_test(test_update_scratch_1024),
        cmocka_unit_test(test_update_move),
        cmocka_unit_test(test_update_offset),
        cmocka_unit_test(test_update_ecc_small_blocks),
        cmocka_unit_test(test_update_erased0),
        cmocka_unit_test(test_permanent_and_overwrite),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_get_resources),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_power_cut_resume),
        cmocka_unit_test(test_power_cut_models),
        cmocka_unit_test(test_resume_past_gap_refused),
        cmocka_unit_test(test_corrupted_never_boots),
        cmocka_unit_test(test_untrusted_never_boots),
        cmocka_unit_test(test_unsigned_never_boots),
        cmocka_unit_test(test_reboot_after_reply),
        cmocka_unit_test(test_restart_withdraws_request),
        cmocka_unit_test(test_setup_errors),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
