/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OTA app test rig (see ota_rig.h).
 */
#include "ota_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sysflash/sysflash.h"

int ota_rig_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct ota_rig *r = ctx;
    struct ota_rig_sent *s = &r->sent[r->nsent % OTA_RIG_SENT_MAX];

    assert_int_equal(peer, OTA_RIG_PEER);
    assert_true(len <= sizeof(s->buf));
    memcpy(s->buf, buf, len);
    s->len = len;
    r->nsent++;
    return 0;
}

void ota_rig_reboot(void *ctx)
{
    struct ota_rig *r = ctx;

    r->reboots++;
    r->sent_at_reboot = r->nsent;
}

/* Starts the app (a fresh instance, as after a reset). */
int ota_rig_start(struct ota_rig *r, enum ota_confirm_policy policy)
{
    struct ota_app_ops ops = { r, ota_rig_send, ota_rig_reboot };

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

void ota_rig_stop(struct ota_rig *r)
{
    if (r->app != NULL) {
        ota_app_free(r->app);
    }
}

struct ota_rig *ota_rig_new(const char *board, enum boot_mode mode)
{
    struct ota_rig *r = calloc(1, sizeof(*r));
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

void ota_rig_free(struct ota_rig *r)
{
    ota_rig_stop(r);
    free(r->app);
    bf_stop(&r->f);
    free(r);
}

const struct ota_rig_sent *ota_rig_last(const struct ota_rig *r)
{
    assert_true(r->nsent > 0);
    return &r->sent[(r->nsent - 1) % OTA_RIG_SENT_MAX];
}

/*
 * Sends one request (Uri-Path from path, then the options, in order) and returns the code of
 * the one datagram it got back (parsed into *rep). Returns 0xff when nothing came back.
 */
uint8_t ota_rig_rq(struct ota_rig *r, uint8_t type, uint8_t code, const char *path,
                   const struct ota_rig_opt *x, size_t nx, const void *payload, size_t plen,
                   struct coap_msg *rep, int *rc_out)
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
    rc = ota_app_input(r->app, OTA_RIG_PEER, buf, len, r->now);
    if (rc_out != NULL) {
        *rc_out = rc;
    } else {
        assert_int_equal(rc, 0);
    }
    if (r->nsent == before) {
        return 0xff;
    }
    assert_int_equal(r->nsent, before + 1);
    assert_int_equal(coap_msg_parse(rep, ota_rig_last(r)->buf, ota_rig_last(r)->len), 0);
    assert_int_equal(rep->tkl, type == COAP_TYPE_CON && rep->code == 0 ? 0 : 2);
    return rep->code;
}

uint8_t ota_rig_get(struct ota_rig *r, const char *path, struct coap_msg *rep)
{
    return ota_rig_rq(r, COAP_TYPE_CON, COAP_GET, path, NULL, 0, NULL, 0, rep, NULL);
}

/* POST to a resource answered at once. */
uint8_t ota_rig_post(struct ota_rig *r, const char *path, const char *payload, struct coap_msg *rep)
{
    return ota_rig_rq(r, COAP_TYPE_CON, COAP_POST, path, NULL, 0, payload,
                      payload != NULL ? strlen(payload) : 0, rep, NULL);
}

/* POST /fw/pending: an empty ACK now, the answer as a CON response from the tick (ACKed). */
uint8_t ota_rig_pending(struct ota_rig *r, const char *kind, struct coap_msg *rep)
{
    uint8_t ack[4];
    struct coap_msg_writer w;
    size_t len;
    uint8_t code;

    assert_int_equal(ota_rig_post(r, "fw/pending", kind, rep), COAP_CODE_EMPTY);
    assert_int_equal(rep->type, COAP_TYPE_ACK);
    assert_true(ota_app_next_deadline(r->app) <= r->now);
    assert_int_equal(ota_app_tick(r->app, r->now), 0);
    assert_int_equal(coap_msg_parse(rep, ota_rig_last(r)->buf, ota_rig_last(r)->len), 0);
    assert_int_equal(rep->type, COAP_TYPE_CON);
    assert_int_equal(rep->tkl, 2);
    code = rep->code;
    coap_msg_write_init(&w, ack, sizeof(ack), COAP_TYPE_ACK, COAP_CODE_EMPTY, rep->mid, NULL, 0);
    coap_msg_write_finish(&w, &len);
    assert_int_equal(ota_app_input(r->app, OTA_RIG_PEER, ack, len, r->now), 0);
    assert_int_equal(ota_app_next_deadline(r->app), UINT64_MAX);
    return code;
}

/*
 * Sends block num of an image with size exponent szx (Size1 on block 0). Returns the reply's
 * code (0xff: none); *rc_out gets ota_app_input's return.
 */
uint8_t ota_rig_put_block(struct ota_rig *r, const uint8_t *img, size_t len, uint8_t szx,
                          uint32_t num, struct coap_msg *rep, int *rc_out)
{
    uint32_t bs = coap_block_size(szx);
    size_t off = (size_t)num * bs;
    size_t n = len - off < bs ? len - off : bs;
    struct coap_block b = { num, off + n < len, szx };
    uint8_t bv[3];
    uint8_t sv[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                      (uint8_t)len };
    struct ota_rig_opt x[2];
    size_t bl;

    assert_int_equal(coap_block_encode(&b, bv, &bl), 0);
    x[0].num = COAP_OPT_BLOCK1;
    x[0].val = bv;
    x[0].len = bl;
    x[1].num = COAP_OPT_SIZE1;
    x[1].val = sv;
    x[1].len = 4;
    return ota_rig_rq(r, COAP_TYPE_CON, COAP_PUT, "fw/upload", x, num == 0 ? 2 : 1, img + off, n,
                      rep, rc_out);
}

uint32_t ota_rig_nblocks(size_t len, uint8_t szx)
{
    return (uint32_t)((len + coap_block_size(szx) - 1) / coap_block_size(szx));
}

/* Uploads blocks [from, nblocks) and checks every reply. */
void ota_rig_upload_from(struct ota_rig *r, const uint8_t *img, size_t len, uint8_t szx,
                         uint32_t from)
{
    uint32_t n = ota_rig_nblocks(len, szx);
    struct coap_msg rep;
    struct coap_block b;
    uint32_t i;

    for (i = from; i < n; i++) {
        uint8_t code = ota_rig_put_block(r, img, len, szx, i, &rep, NULL);

        assert_int_equal(rep.type, COAP_TYPE_ACK);
        assert_int_equal(code, i + 1 < n ? COAP_CONTINUE : COAP_CHANGED);
        assert_int_equal(coap_block_from_msg(&rep, COAP_OPT_BLOCK1, &b), 1);
        assert_int_equal(b.num, i);
        assert_int_equal(b.szx, szx);
        assert_int_equal(b.more, i + 1 < n);
    }
}

void ota_rig_make_image(struct ota_rig *r, uint8_t major, uint32_t payload, bool corrupt,
                        bool untrusted, bool no_key, uint8_t **img, size_t *len)
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
void ota_rig_reset(struct ota_rig *r, enum ota_confirm_policy policy, struct boot_rsp *rsp)
{
    ota_rig_stop(r);
    assert_int_equal(bf_boot(&r->f, rsp), 0);
    r->now += 10000;
    assert_int_equal(ota_rig_start(r, policy), 0);
}
