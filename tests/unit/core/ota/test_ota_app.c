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
#include "support/ota_rig.h"
#include "sysflash/sysflash.h"

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

static void whole_update(const char *board, enum boot_mode mode, uint8_t szx)
{
    struct ota_rig *r = ota_rig_new(board, mode);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 20000, false, false, false, &img, &len);
    ota_rig_upload_from(r, img, len, szx, 0);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_TEST);
    assert_int_equal(ota_rig_post(r, "fw/confirm", NULL, &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_NONE);
    free(img);
    ota_rig_free(r);
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
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_OVERWRITE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 3, 5000, false, false, false, &img, &len);
    ota_rig_upload_from(r, img, len, 6, 0);
    assert_int_equal(ota_rig_pending(r, "permanent\n", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    free(img);
    ota_rig_free(r);
}

static void test_policies(void **state)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_MOVE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;

    (void)state;
    /* never: the test image is not confirmed, the next reset reverts. */
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_NEVER), 0);
    ota_rig_make_image(r, 2, 7000, false, false, false, &img, &len);
    ota_rig_upload_from(r, img, len, 5, 0);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_NEVER, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(ota_rig_post(r, "fw/confirm", NULL, &rep), COAP_FORBIDDEN);
    /* An upload now would destroy the image the revert needs. */
    assert_int_equal(ota_rig_put_block(r, img, len, 5, 0, &rep, NULL), COAP_FORBIDDEN);
    ota_rig_reset(r, OTA_CONFIRM_NEVER, &rsp);
    assert_int_equal(rsp.version.major, 1);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_REVERT);
    /* auto: the setup after the test boot confirms. */
    ota_rig_upload_from(r, img, len, 5, 0);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_AUTO, &rsp);
    assert_int_equal(rsp.version.major, 2);
    ota_rig_reset(r, OTA_CONFIRM_AUTO, &rsp);
    assert_int_equal(rsp.version.major, 2);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_NONE);
    free(img);
    ota_rig_free(r);
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
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct coap_opt o;
    uint32_t cf;
    uint8_t hash[32];
    char hex[80];
    uint8_t *img;
    size_t len;
    int i;

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(ota_rig_get(r, ".well-known/core", &rep), COAP_CONTENT);
    assert_int_equal(coap_msg_find_opt(&rep, COAP_OPT_CONTENT_FORMAT, &o), 1);
    assert_int_equal(coap_msg_opt_uint(&o, &cf), 0);
    assert_int_equal(cf, COAP_CF_LINK_FORMAT);
    assert_true(contains(&rep, "</fw/upload>"));
    assert_true(contains(&rep, "</fw/pending>"));

    assert_int_equal(ota_rig_get(r, "fw", &rep), COAP_CONTENT);
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
    ota_rig_make_image(r, 2, 3000, false, false, false, &img, &len);
    ota_rig_upload_from(r, img, len, 6, 0);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    assert_int_equal(ota_rig_get(r, "fw", &rep), COAP_CONTENT);
    assert_true(contains(&rep, "\"version\":\"2.0.0+0\""));
    assert_true(contains(&rep, "\"pending\":true,\"permanent\":false"));
    assert_true(contains(&rep, "\"received\":"));
    assert_true(contains(&rep, "\"complete\":true"));
    free(img);
    ota_rig_free(r);
}

/* Block 0 refused: bad magic; header, Size1 or block number beyond the slot (4.13). */
static void test_refusals_slot(void **state)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct coap_opt o;
    uint32_t v;
    uint8_t *img;
    size_t len;
    uint8_t hdr[64];

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 4000, false, false, false, &img, &len);
    assert_int_equal(ota_rig_get(r, "nope", &rep), COAP_NOT_FOUND);
    assert_int_equal(ota_rig_get(r, "fw/upload", &rep), COAP_METHOD_NOT_ALLOWED);
    assert_int_equal(ota_rig_post(r, "fw", NULL, &rep), COAP_METHOD_NOT_ALLOWED);
    /* Bad magic in block 0. */
    memcpy(hdr, img, sizeof(hdr));
    hdr[0] ^= 0xff;
    assert_int_equal(ota_rig_put_block(r, hdr, sizeof(hdr), 4, 0, &rep, NULL), COAP_BAD_REQUEST);
    /* A header announcing more than the slot holds: 4.13 with Size1 = capacity. */
    memcpy(hdr, img, sizeof(hdr));
    hdr[12] = 0x00;
    hdr[13] = 0x00;
    hdr[14] = 0x10; /* img_size 1 MiB */
    hdr[15] = 0x00;
    assert_int_equal(ota_rig_put_block(r, hdr, sizeof(hdr), 4, 0, &rep, NULL),
                     COAP_REQUEST_ENTITY_TOO_LARGE);
    assert_int_equal(coap_msg_find_opt(&rep, COAP_OPT_SIZE1, &o), 1);
    assert_int_equal(coap_msg_opt_uint(&o, &v), 0);
    assert_int_equal(v, r->app->capacity);
    assert_true(v > 0 && v < 0x34000);
    /* Size1 larger than the slot. */
    {
        uint8_t big[4] = { 0x00, 0x10, 0x00, 0x00 };
        uint8_t bv[1] = { 0x0e }; /* NUM 0, M, 1024 */
        struct ota_rig_opt x[2] = { { COAP_OPT_BLOCK1, bv, 1 }, { COAP_OPT_SIZE1, big, 4 } };

        assert_int_equal(
            ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", x, 2, img, 1024, &rep, NULL),
            COAP_REQUEST_ENTITY_TOO_LARGE);
    }
    /* A block past the end of the slot. */
    {
        uint8_t bv[3];
        size_t bl;
        struct coap_block b = { 0x34000 / 1024, true, 6 };
        struct ota_rig_opt x = { COAP_OPT_BLOCK1, bv, 0 };

        coap_block_encode(&b, bv, &bl);
        x.len = bl;
        assert_int_equal(
            ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &x, 1, img, 1024, &rep, NULL),
            COAP_REQUEST_ENTITY_TOO_LARGE);
    }
    free(img);
    ota_rig_free(r);
}

/* Upload refusals: content format, block option, gaps, short blocks, early or bad pending. */
static void test_refusals_upload(void **state)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    uint8_t *img;
    size_t len;
    const uint8_t cf_json = 50;
    const struct ota_rig_opt json = { COAP_OPT_CONTENT_FORMAT, &cf_json, 1 };
    const uint8_t b1_szx7 = 0x0f;
    const struct ota_rig_opt bad_b1 = { COAP_OPT_BLOCK1, &b1_szx7, 1 };

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 4000, false, false, false, &img, &len);
    /* Wrong content format, bad block option. */
    assert_int_equal(
        ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &json, 1, img, 64, &rep, NULL),
        COAP_UNSUPPORTED_CONTENT_FORMAT);
    assert_int_equal(
        ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &bad_b1, 1, img, 64, &rep, NULL),
        COAP_BAD_REQUEST);
    /* A block past unwritten data, RAM knowing nothing: 4.08. */
    assert_int_equal(ota_rig_put_block(r, img, len, 6, 2, &rep, NULL),
                     COAP_REQUEST_ENTITY_INCOMPLETE);
    /* With RAM knowing where the upload stands: a skipped block is 4.08 too. */
    assert_int_equal(ota_rig_put_block(r, img, len, 6, 0, &rep, NULL), COAP_CONTINUE);
    assert_int_equal(ota_rig_put_block(r, img, len, 6, 2, &rep, NULL),
                     COAP_REQUEST_ENTITY_INCOMPLETE);
    /* A non-final block shorter than its size. */
    {
        uint8_t bv[1] = { 0x1e }; /* NUM 1, M, 1024 */
        struct ota_rig_opt x = { COAP_OPT_BLOCK1, bv, 1 };

        assert_int_equal(
            ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", &x, 1, img + 1024, 100, &rep, NULL),
            COAP_BAD_REQUEST);
    }
    /* An unfinished upload cannot be marked pending. */
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_REQUEST_ENTITY_INCOMPLETE);
    /* A bad pending payload. */
    assert_int_equal(ota_rig_pending(r, "maybe", &rep), COAP_BAD_REQUEST);
    /* The same block sent again is fine; then finish. */
    assert_int_equal(ota_rig_put_block(r, img, len, 6, 0, &rep, NULL), COAP_CONTINUE);
    ota_rig_upload_from(r, img, len, 6, 1);
    assert_int_equal(ota_rig_put_block(r, img, len, 6, 1, &rep, NULL), COAP_CONTINUE);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    free(img);
    ota_rig_free(r);
}

/* A power cut at flash operation `cut` of the upload; a new instance resumes. */
static bool cut_and_resume(uint32_t cut, int model, bool resume_earlier, uint32_t *ops_total)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;
    uint32_t n;
    uint32_t i;
    uint32_t failed = UINT32_MAX;
    int rc = 0;

    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 12000, false, false, false, &img, &len);
    n = ota_rig_nblocks(len, 4);
    bf_reset_ops(&r->f);
    if (model < 0) {
        bf_cut_at(&r->f, cut);
    } else {
        bf_cut_model_at(&r->f, cut, (enum vflash_cut_model)model, 1000u + cut);
    }
    for (i = 0; i < n; i++) {
        uint8_t code = ota_rig_put_block(r, img, len, 4, i, &rep, &rc);

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
        ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
        assert_int_equal(rsp.version.major, 1);
        if (failed > 0 && resume_earlier) {
            /* An earlier block holds exactly its bytes: accepted. */
            assert_int_equal(ota_rig_put_block(r, img, len, 4, failed - 1, &rep, NULL),
                             COAP_CONTINUE);
            ota_rig_upload_from(r, img, len, 4, failed);
        } else if (failed > 1) {
            ota_rig_upload_from(r, img, len, 4, failed);
        } else {
            ota_rig_upload_from(r, img, len, 4, 0);
        }
    }
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 2);
    free(img);
    ota_rig_free(r);
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
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    uint8_t *img;
    size_t len;
    uint32_t i;

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 12000, false, false, false, &img, &len);
    for (i = 0; i < 10; i++) {
        assert_int_equal(ota_rig_put_block(r, img, len, 8 - 4, i, &rep, NULL), COAP_CONTINUE);
    }
    /* RAM lost: a new instance knows nothing. */
    ota_rig_stop(r);
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(ota_rig_put_block(r, img, len, 4, 12, &rep, NULL),
                     COAP_REQUEST_ENTITY_INCOMPLETE);
    assert_int_equal(ota_rig_put_block(r, img, len, 4, 10, &rep, NULL), COAP_CONTINUE);
    ota_rig_upload_from(r, img, len, 4, 11);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    free(img);
    ota_rig_free(r);
}

/* An image that must never boot: refused by the app, and by the bootloader behind its back. */
static void bad_image(bool corrupt, bool untrusted, bool no_key)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;
    struct boot_rsp rsp;
    struct boot_swap_state st;
    uint8_t *img;
    size_t len;
    uint8_t code;

    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 6000, corrupt, untrusted, no_key, &img, &len);
    ota_rig_upload_from(r, img, len, 6, 0);
    code = ota_rig_pending(r, "test", &rep);
    assert_int_equal(COAP_CODE_CLASS(code), 4);
    assert_true(rep.payload_len > 0);
    assert_int_equal(bf_swap_state(&r->f, FLASH_AREA_IMAGE_1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    /* Marked pending without the app: the bootloader refuses it too. */
    assert_int_equal(bf_set_pending(&r->f, 0, false), 0);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    free(img);
    ota_rig_free(r);
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
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct coap_msg rep;

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    assert_int_equal(ota_rig_post(r, "reboot", NULL, &rep), COAP_CHANGED);
    assert_int_equal(r->reboots, 1);
    assert_int_equal(r->sent_at_reboot, r->nsent);
    assert_int_equal(ota_rig_get(r, "reboot", &rep), COAP_METHOD_NOT_ALLOWED);
    ota_rig_free(r);
}

static void test_restart_withdraws_request(void **state)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_MOVE);
    struct coap_msg rep;
    struct boot_rsp rsp;
    struct boot_swap_state st;
    uint8_t *img2;
    uint8_t *img3;
    size_t len2;
    size_t len3;
    int rc;

    (void)state;
    assert_int_equal(ota_rig_start(r, OTA_CONFIRM_MANUAL), 0);
    ota_rig_make_image(r, 2, 8000, false, false, false, &img2, &len2);
    ota_rig_make_image(r, 3, 8000, false, false, false, &img3, &len3);
    ota_rig_upload_from(r, img2, len2, 6, 0);
    assert_int_equal(ota_rig_pending(r, "test", &rep), COAP_CHANGED);
    /* A new upload starts: the request for v2 is withdrawn before anything is written. */
    assert_int_equal(ota_rig_put_block(r, img3, len3, 6, 0, &rep, &rc), COAP_CONTINUE);
    assert_int_equal(bf_swap_state(&r->f, FLASH_AREA_IMAGE_1, &st), 0);
    assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 1);
    ota_rig_upload_from(r, img3, len3, 6, 0);
    assert_int_equal(ota_rig_pending(r, "permanent", &rep), COAP_CHANGED);
    ota_rig_reset(r, OTA_CONFIRM_MANUAL, &rsp);
    assert_int_equal(rsp.version.major, 3);
    free(img2);
    free(img3);
    ota_rig_free(r);
}

static void test_setup_errors(void **state)
{
    struct ota_rig *r = ota_rig_new("nrf52840", BOOT_MODE_SWAP_SCRATCH);
    struct ota_app_ops ops = { r, ota_rig_send, ota_rig_reboot };
    struct ota_app_ops no_send = { r, NULL, NULL };
    struct ota_app_config c = { OTA_CONFIRM_MANUAL, &r->f.cfg, 0 };
    uint8_t junk[4] = { 0x40, 0x01, 0, 0 };

    (void)state;
    r->app = malloc(sizeof(*r->app));
    ota_app_init(r->app);
    assert_int_equal(ota_app_input(r->app, OTA_RIG_PEER, junk, 4, 0), BO_ESTATE);
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
    ota_rig_free(r);
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
        cmocka_unit_test(test_refusals_slot),
        cmocka_unit_test(test_refusals_upload),
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
