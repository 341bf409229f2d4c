/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OTA app against images signed by MCUboot's real imgtool (../shared/interop/imgtool):
 * every vector of manifest.tsv is uploaded through PUT /fw/upload (Block1, 512-byte blocks,
 * Size1) and marked pending; the app accepts exactly the vectors the manifest calls valid
 * (unsigned ones only when the device allows unsigned images), an accepted one boots after
 * the reset, a refused one leaves no request and the old image keeps booting. The padded
 * vectors (a whole slot with its trailer) are larger than the slot can install: 4.13.
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
#include "image/keys.h"
#include "ota/ota_app.h"
#include "port_rng.h"
#include "support/boot_fixture.h"
#include "support/interop.h"
#include "sysflash/sysflash.h"

#define PEER 3u
#define SZX_512 5u

/* Slots of 256 KiB, the slot size the padded vectors were made for. */
static const char board_text[] = "[board]\n"
                                 "name = interop-256k\n"
                                 "[flash nor]\n"
                                 "sectors = 160x4K\n"
                                 "write-unit = 4\n"
                                 "erased-value = 0xff\n"
                                 "semantics = nor\n"
                                 "[partition image-0-primary]\n"
                                 "offset = 0x0\n"
                                 "size = 0x40000\n"
                                 "[partition image-0-secondary]\n"
                                 "offset = 0x40000\n"
                                 "size = 0x40000\n"
                                 "[partition scratch]\n"
                                 "offset = 0x80000\n"
                                 "size = 0x20000\n";

static struct board board;
static struct port_rng rng;
static struct keys_table interop_keys;

struct rig {
    struct bf f;
    struct ota_app app;
    uint8_t last[COAP_SERVER_MSG_MAX];
    size_t last_len;
    uint32_t nsent;
    uint16_t mid;
};

static int group_setup(void **state)
{
    (void)state;
    if (bf_global_setup() != 0 || bf_board_text(&board, board_text) != 0) {
        return -1;
    }
    return interop_keys_load(&interop_keys, &rng, 11, "test_ota_interop");
}

static int group_teardown(void **state)
{
    (void)state;
    keys_table_free(&interop_keys);
    port_rng_free(&rng);
    bf_global_teardown();
    return 0;
}

static int rig_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct rig *r = ctx;

    assert_int_equal(peer, PEER);
    memcpy(r->last, buf, len);
    r->last_len = len;
    r->nsent++;
    return 0;
}

static void read_vector(const char *name, uint8_t **data, size_t *len)
{
    assert_int_equal(interop_read_file(interop_path(interop_imgtool_dir(), name), data, len), 0);
}

static void write_primary(struct rig *r, const char *name)
{
    uint8_t *data;
    size_t len;
    size_t padded;
    uint8_t *buf;

    read_vector(name, &data, &len);
    padded = (len + 3u) & ~(size_t)3u;
    buf = malloc(padded);
    assert_non_null(buf);
    memset(buf, 0xff, padded);
    memcpy(buf, data, len);
    assert_int_equal(bf_erase_area(&r->f, FLASH_AREA_IMAGE_0), 0);
    assert_int_equal(bf_write_raw(&r->f, FLASH_AREA_IMAGE_0, 0, buf, (uint32_t)padded), 0);
    free(buf);
    free(data);
}

static void app_start(struct rig *r)
{
    struct ota_app_ops ops = { r, rig_send, NULL };
    struct ota_app_config c = { OTA_CONFIRM_MANUAL, &r->f.cfg, 0 };

    ota_app_init(&r->app);
    assert_int_equal(ota_app_setup(&r->app, &c, &ops, 0), 0);
}

/* Sends a request; returns the code of the reply (parsed into *rep). */
static uint8_t send_req(struct rig *r, uint8_t code, const char *p1, const char *p2,
                        const uint8_t *opts_b1, size_t b1_len, uint32_t size1, const void *payload,
                        size_t plen, struct coap_msg *rep)
{
    uint8_t buf[COAP_SERVER_MSG_MAX];
    struct coap_msg_writer w;
    size_t len;

    coap_msg_write_init(&w, buf, sizeof(buf), COAP_TYPE_CON, code, r->mid++, NULL, 0);
    coap_msg_write_opt_str(&w, COAP_OPT_URI_PATH, p1);
    coap_msg_write_opt_str(&w, COAP_OPT_URI_PATH, p2);
    if (opts_b1 != NULL) {
        coap_msg_write_opt(&w, COAP_OPT_BLOCK1, opts_b1, b1_len);
    }
    if (size1 != 0) {
        coap_msg_write_opt_uint(&w, COAP_OPT_SIZE1, size1);
    }
    coap_msg_write_payload(&w, payload, plen);
    assert_int_equal(coap_msg_write_finish(&w, &len), 0);
    assert_int_equal(ota_app_input(&r->app, PEER, buf, len, 0), 0);
    assert_int_equal(coap_msg_parse(rep, r->last, r->last_len), 0);
    return rep->code;
}

/* Uploads a file; returns the first code that is not 2.31 (2.04 when all went in). */
static uint8_t upload(struct rig *r, const uint8_t *img, size_t len)
{
    uint32_t bs = coap_block_size(SZX_512);
    struct coap_msg rep;
    size_t off;

    for (off = 0; off < len; off += bs) {
        size_t n = len - off < bs ? len - off : bs;
        struct coap_block b = { (uint32_t)(off / bs), off + n < len, SZX_512 };
        uint8_t v[3];
        size_t vl;
        uint8_t code;

        assert_int_equal(coap_block_encode(&b, v, &vl), 0);
        code = send_req(r, COAP_PUT, "fw", "upload", v, vl, off == 0 ? (uint32_t)len : 0, img + off,
                        n, &rep);
        if (code != (b.more ? COAP_CONTINUE : COAP_CHANGED)) {
            return code;
        }
    }
    return COAP_CHANGED;
}

static uint8_t mark_pending(struct rig *r)
{
    struct coap_msg rep;

    assert_int_equal(send_req(r, COAP_POST, "fw", "pending", NULL, 0, 0, "test", 4, &rep),
                     COAP_CODE_EMPTY);
    assert_int_equal(ota_app_tick(&r->app, 0), 0);
    assert_int_equal(coap_msg_parse(&rep, r->last, r->last_len), 0);
    assert_int_equal(rep.type, COAP_TYPE_CON);
    return rep.code;
}

static void one_vector(const struct interop_vector *v, bool allow_unsigned)
{
    struct rig *r = calloc(1, sizeof(*r));
    struct boot_swap_state st;
    struct image_header hdr;
    struct boot_rsp rsp;
    uint8_t *img;
    size_t len;
    bool padded = strstr(v->file, "padded") != NULL;
    bool valid = strcmp(v->expect, "valid") == 0 ||
                 (allow_unsigned && strcmp(v->expect, "valid-if-unsigned-allowed") == 0);
    uint8_t code;

    assert_non_null(r);
    assert_int_equal(bf_start(&r->f, &board, BOOT_MODE_SWAP_SCRATCH, 1), 0);
    r->f.cfg.keys = interop_keys.table;
    r->f.cfg.key_count = (uint32_t)interop_keys.count;
    r->f.cfg.allow_unsigned = allow_unsigned;
    write_primary(r, "ec256-pubkey.bin");
    assert_int_equal(bf_boot(&r->f, &rsp), 0);
    app_start(r);
    read_vector(v->file, &img, &len);
    image_header_decode(img, &hdr);
    code = upload(r, img, len);
    if (padded) {
        /* A whole slot, trailer included: more than the slot can install. */
        assert_int_equal(code, COAP_REQUEST_ENTITY_TOO_LARGE);
    } else {
        assert_int_equal(code, COAP_CHANGED);
        code = mark_pending(r);
        if (valid) {
            assert_int_equal(code, COAP_CHANGED);
        } else {
            assert_int_equal(COAP_CODE_CLASS(code), 4);
            assert_int_equal(bf_swap_state(&r->f, FLASH_AREA_IMAGE_1, &st), 0);
            assert_int_equal(st.magic, BOOT_MAGIC_UNSET);
        }
    }
    ota_app_free(&r->app);
    assert_int_equal(bf_boot(&r->f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0],
                     valid && !padded ? BOOT_SWAP_TYPE_TEST : BOOT_SWAP_TYPE_NONE);
    if (valid && !padded) {
        assert_int_equal(rsp.br_hdr.img_size, hdr.img_size);
        assert_int_equal(rsp.version.build, hdr.version.build);
    }
    free(img);
    bf_stop(&r->f);
    free(r);
}

static void test_manifest_vectors(void **state)
{
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    int n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    int i;

    (void)state;
    assert_true(n >= 8);
    for (i = 0; i < n; i++) {
        one_vector(&rows[i], false);
        if (strcmp(rows[i].expect, "valid-if-unsigned-allowed") == 0) {
            one_vector(&rows[i], true);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_vectors),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
