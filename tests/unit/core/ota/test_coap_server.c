/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the CoAP server over a capturing transport and a small resource table:
 * piggybacked and NON replies with tokens echoed; duplicate detection per (peer, message id)
 * replaying the very bytes, expiring after EXCHANGE_LIFETIME, recomputing long GET replies,
 * forgotten with the peer; 4.04, 4.05, 4.02, 5.05, 4.00, 4.06 and 5.00; RST for malformed CON,
 * pings, unsolicited CON responses and reserved classes, silence for malformed NON;
 * separate responses (empty ACK, CON response on tick, retransmissions with doubling
 * timeouts, give-up after 4, stopped by ACK or RST); Block2 slicing; after_send ordering; a
 * power cut in a handler; random datagrams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "ota/coap_server.h"

#define SENT_MAX 64
#define PEER_A 11u
#define PEER_B 22u

struct sent {
    uint32_t peer;
    size_t len;
    uint8_t buf[COAP_SERVER_MSG_MAX];
};

struct rig {
    struct coap_server srv;
    struct sent sent[SENT_MAX];
    uint32_t nsent;
    uint32_t calls_hello;
    uint32_t calls_big;
    uint32_t calls_slow;
    uint32_t calls_post;
    uint32_t sent_at_after;
    uint32_t after_calls;
};

static int rig_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len)
{
    struct rig *r = ctx;
    struct sent *s = &r->sent[r->nsent % SENT_MAX];

    assert_true(len <= COAP_SERVER_MSG_MAX);
    s->peer = peer;
    s->len = len;
    memcpy(s->buf, buf, len);
    r->nsent++;
    return 0;
}

static int h_hello(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct rig *r = ctx;

    (void)req;
    r->calls_hello++;
    rsp->code = COAP_CONTENT;
    rsp->content_format = COAP_CF_TEXT_PLAIN;
    memcpy(rsp->payload, "hi", 2);
    rsp->payload_len = 2;
    return 0;
}

static int h_big(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct rig *r = ctx;
    size_t i;

    (void)req;
    r->calls_big++;
    for (i = 0; i < 700; i++) {
        rsp->payload[i] = (uint8_t)(i * 7);
    }
    rsp->payload_len = 700;
    rsp->code = COAP_CONTENT;
    rsp->content_format = COAP_CF_OCTET_STREAM;
    return 0;
}

static int h_slow(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct rig *r = ctx;

    r->calls_slow++;
    rsp->code = COAP_CHANGED;
    memcpy(rsp->payload, req->msg->payload, req->msg->payload_len);
    rsp->payload_len = req->msg->payload_len;
    return 0;
}

static int h_post(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct rig *r = ctx;

    (void)req;
    r->calls_post++;
    rsp->code = COAP_CHANGED;
    return 0;
}

static int h_boom(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    (void)ctx;
    (void)req;
    (void)rsp;
    return BO_EIO;
}

static int h_cut(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    (void)ctx;
    (void)req;
    (void)rsp;
    return BO_EPOWER;
}

static void after(void *ctx)
{
    struct rig *r = ctx;

    r->after_calls++;
    r->sent_at_after = r->nsent;
}

static int h_after(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    (void)ctx;
    (void)req;
    rsp->code = COAP_CHANGED;
    rsp->after_send = after;
    return 0;
}

static const struct coap_resource resources[] = {
    { "hello", COAP_METHOD_BIT(COAP_GET), 0, h_hello },
    { "big", COAP_METHOD_BIT(COAP_GET), 0, h_big },
    { "slow", COAP_METHOD_BIT(COAP_POST), COAP_METHOD_BIT(COAP_POST), h_slow },
    { "a/b", COAP_METHOD_BIT(COAP_POST) | COAP_METHOD_BIT(COAP_PUT), 0, h_post },
    { "boom", COAP_METHOD_BIT(COAP_GET), 0, h_boom },
    { "cut", COAP_METHOD_BIT(COAP_POST), 0, h_cut },
    { "after", COAP_METHOD_BIT(COAP_POST), 0, h_after },
};

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof(*r));
    struct coap_server_config c;

    assert_non_null(r);
    memset(&c, 0, sizeof(c));
    c.resources = resources;
    c.resource_count = sizeof(resources) / sizeof(resources[0]);
    c.ctx = r;
    c.send = rig_send;
    c.send_ctx = r;
    c.first_mid = 0x4000;
    coap_server_init(&r->srv);
    assert_int_equal(coap_server_setup(&r->srv, &c), 0);
    return r;
}

static const struct sent *last(const struct rig *r)
{
    assert_true(r->nsent > 0);
    return &r->sent[(r->nsent - 1) % SENT_MAX];
}

static void parse_last(const struct rig *r, struct coap_msg *m)
{
    const struct sent *s = last(r);

    assert_int_equal(coap_msg_parse(m, s->buf, s->len), 0);
}

/* An extra option for a request. */
struct xopt {
    uint16_t num;
    const void *val;
    size_t len;
};

/* Builds a request: Uri-Path from path, extra options merged in number order. */
static size_t mk(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint16_t mid,
                 const char *path, const struct xopt *x, size_t nx, const char *payload)
{
    static const uint8_t tok[4] = { 0xde, 0xad, 0xbe, 0xef };
    struct xopt all[16];
    size_t n = 0;
    size_t i;
    size_t j;
    const char *p = path;
    struct coap_msg_writer w;
    size_t len;

    while (p != NULL && *p != '\0') {
        const char *e = strchr(p, '/');
        size_t sl = e != NULL ? (size_t)(e - p) : strlen(p);

        all[n].num = COAP_OPT_URI_PATH;
        all[n].val = p;
        all[n].len = sl;
        n++;
        p = e != NULL ? e + 1 : NULL;
    }
    for (i = 0; i < nx; i++) {
        all[n++] = x[i];
    }
    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && all[j - 1].num > all[j].num; j--) {
            struct xopt t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    }
    coap_msg_write_init(&w, buf, cap, type, code, mid, tok, 4);
    for (i = 0; i < n; i++) {
        coap_msg_write_opt(&w, all[i].num, all[i].val, all[i].len);
    }
    if (payload != NULL) {
        coap_msg_write_payload(&w, payload, strlen(payload));
    }
    assert_int_equal(coap_msg_write_finish(&w, &len), 0);
    return len;
}

/* Sends a request and returns the code of the (single) reply. */
static uint8_t ask(struct rig *r, uint8_t type, uint8_t code, uint16_t mid, const char *path,
                   const struct xopt *x, size_t nx)
{
    uint8_t buf[256];
    size_t len = mk(buf, sizeof(buf), type, code, mid, path, x, nx, NULL);
    uint32_t before = r->nsent;
    struct coap_msg m;

    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 1000), 0);
    assert_int_equal(r->nsent, before + 1);
    parse_last(r, &m);
    return m.code;
}

static void test_piggybacked_and_non(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    struct coap_msg m;
    size_t len;

    (void)state;
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_GET, 0x1111, "hello", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 0), 0);
    assert_int_equal(r->nsent, 1);
    assert_int_equal(last(r)->peer, PEER_A);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_ACK);
    assert_int_equal(m.mid, 0x1111);
    assert_int_equal(m.code, COAP_CONTENT);
    assert_int_equal(m.tkl, 4);
    assert_int_equal(m.token[0], 0xde);
    assert_int_equal(m.payload_len, 2);
    assert_memory_equal(m.payload, "hi", 2);

    len = mk(buf, sizeof(buf), COAP_TYPE_NON, COAP_GET, 0x2222, "hello", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_B, buf, len, 0), 0);
    parse_last(r, &m);
    assert_int_equal(last(r)->peer, PEER_B);
    assert_int_equal(m.type, COAP_TYPE_NON);
    assert_int_equal(m.mid, 0x4000);
    assert_int_equal(m.tkl, 4);
    assert_int_equal(m.code, COAP_CONTENT);
    assert_int_equal(r->calls_hello, 2);
    free(r);
}

static void test_duplicates(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    size_t len;
    struct sent first;

    (void)state;
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 0x3333, "a/b", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 100), 0);
    first = *last(r);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 200), 0);
    assert_int_equal(r->calls_post, 1);
    assert_int_equal(r->nsent, 2);
    assert_int_equal(last(r)->len, first.len);
    assert_memory_equal(last(r)->buf, first.buf, first.len);
    assert_int_equal(coap_server_stats(&r->srv)->duplicates, 1);
    /* Another peer with the same message id is another exchange. */
    assert_int_equal(coap_server_input(&r->srv, PEER_B, buf, len, 300), 0);
    assert_int_equal(r->calls_post, 2);
    /* After EXCHANGE_LIFETIME the id is new again. */
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 100 + COAP_EXCHANGE_LIFETIME_MS),
                     0);
    assert_int_equal(r->calls_post, 3);
    /* A forgotten peer starts afresh. */
    coap_server_peer_gone(&r->srv, PEER_A);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 200 + COAP_EXCHANGE_LIFETIME_MS),
                     0);
    assert_int_equal(r->calls_post, 4);
    /* NON duplicates are answered from the cache too. */
    len = mk(buf, sizeof(buf), COAP_TYPE_NON, COAP_POST, 0x3334, "a/b", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 1000), 0);
    first = *last(r);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 1001), 0);
    assert_int_equal(r->calls_post, 5);
    assert_memory_equal(last(r)->buf, first.buf, first.len);
    /* A long GET reply is not kept but computed again, with the same bytes. */
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_GET, 0x3335, "big", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 1000), 0);
    first = *last(r);
    assert_true(first.len > COAP_SERVER_DEDUP_RSP_MAX);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 1001), 0);
    assert_int_equal(r->calls_big, 2);
    assert_int_equal(last(r)->len, first.len);
    assert_memory_equal(last(r)->buf, first.buf, first.len);
    free(r);
}

static void test_cache_eviction(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    size_t len;
    uint16_t i;

    (void)state;
    /* More exchanges than slots: the oldest is evicted, recent ones still replay. */
    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS + 4; i++) {
        len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, (uint16_t)(100 + i), "a/b", NULL, 0,
                 NULL);
        assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, i), 0);
    }
    assert_int_equal(r->calls_post, COAP_SERVER_DEDUP_SLOTS + 4);
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, (uint16_t)(100 + i - 1), "a/b", NULL, 0,
             NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 50), 0);
    assert_int_equal(r->calls_post, COAP_SERVER_DEDUP_SLOTS + 4);
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 100, "a/b", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 51), 0);
    assert_int_equal(r->calls_post, COAP_SERVER_DEDUP_SLOTS + 5);
    free(r);
}

static void test_error_codes(void **state)
{
    struct rig *r = rig_new();
    const uint8_t szx7 = 0x07;
    const uint8_t b2 = 0x02;
    const uint8_t cf_json = 50;
    const struct xopt unknown_critical = { 9, "x", 1 };
    const struct xopt unknown_elective = { 258, NULL, 0 };
    const struct xopt proxy = { COAP_OPT_PROXY_URI, "coap://x/", 9 };
    const struct xopt bad_block = { COAP_OPT_BLOCK2, &szx7, 1 };
    const struct xopt two_block[2] = { { COAP_OPT_BLOCK2, &b2, 1 }, { COAP_OPT_BLOCK2, &b2, 1 } };
    const struct xopt accept_json = { COAP_OPT_ACCEPT, &cf_json, 1 };
    const struct xopt long_port = { COAP_OPT_URI_PORT, "abc", 3 };
    const struct xopt host = { COAP_OPT_URI_HOST, "dev", 3 };
    const struct xopt query = { COAP_OPT_URI_QUERY, "a=1", 3 };
    const struct xopt empty_seg = { COAP_OPT_URI_PATH, NULL, 0 }; /* "hello/" */

    (void)state;
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 1, "nope", NULL, 0), COAP_NOT_FOUND);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 2, "", NULL, 0), COAP_NOT_FOUND);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 3, "a", NULL, 0), COAP_NOT_FOUND);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 4, "a/b/c", NULL, 0), COAP_NOT_FOUND);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 5, "hello", &empty_seg, 1), COAP_NOT_FOUND);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_PUT, 6, "hello", NULL, 0), COAP_METHOD_NOT_ALLOWED);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_DELETE, 7, "a/b", NULL, 0),
                     COAP_METHOD_NOT_ALLOWED);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_CODE(0, 5), 8, "hello", NULL, 0),
                     COAP_METHOD_NOT_ALLOWED);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 9, "hello", &unknown_critical, 1),
                     COAP_BAD_OPTION);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 10, "hello", &unknown_elective, 1),
                     COAP_CONTENT);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 11, "hello", &proxy, 1),
                     COAP_PROXYING_NOT_SUPPORTED);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 12, "hello", &bad_block, 1), COAP_BAD_REQUEST);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 13, "hello", two_block, 2), COAP_BAD_OPTION);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 14, "hello", &accept_json, 1),
                     COAP_NOT_ACCEPTABLE);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 15, "hello", &long_port, 1), COAP_BAD_OPTION);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 16, "hello", &host, 1), COAP_CONTENT);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 17, "hello", &query, 1), COAP_CONTENT);
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 18, "boom", NULL, 0),
                     COAP_INTERNAL_SERVER_ERROR);
    assert_int_equal(ask(r, COAP_TYPE_NON, COAP_GET, 19, "nope", NULL, 0), COAP_NOT_FOUND);
    free(r);
}

static void expect_rst(struct rig *r, const uint8_t *b, size_t n, uint16_t mid)
{
    uint32_t before = r->nsent;
    struct coap_msg m;

    assert_int_equal(coap_server_input(&r->srv, PEER_A, b, n, 0), 0);
    assert_int_equal(r->nsent, before + 1);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_RST);
    assert_int_equal(m.code, COAP_CODE_EMPTY);
    assert_int_equal(m.mid, mid);
}

static void expect_silence(struct rig *r, const uint8_t *b, size_t n)
{
    uint32_t before = r->nsent;

    assert_int_equal(coap_server_input(&r->srv, PEER_A, b, n, 0), 0);
    assert_int_equal(r->nsent, before);
}

static void test_rst_and_silence(void **state)
{
    struct rig *r = rig_new();
    const uint8_t bad_con[] = { 0x49, 0x01, 0x12, 0x34 }; /* TKL 9 */
    const uint8_t bad_opt_con[] = { 0x40, 0x01, 0x12, 0x35, 0xf1, 0x00 };
    const uint8_t bad_non[] = { 0x59, 0x01, 0x12, 0x36 };
    const uint8_t ping[] = { 0x40, 0x00, 0x12, 0x37 };
    const uint8_t con_rsp[] = { 0x40, 0x45, 0x12, 0x38 };  /* CON 2.05 */
    const uint8_t reserved[] = { 0x40, 0x21, 0x12, 0x39 }; /* CON 1.01 */
    const uint8_t non_rsp[] = { 0x50, 0x45, 0x12, 0x3a };
    const uint8_t ack[] = { 0x60, 0x00, 0x12, 0x3b };
    const uint8_t rst[] = { 0x70, 0x00, 0x12, 0x3c };
    const uint8_t ver2[] = { 0x80, 0x01, 0x12, 0x3d };

    (void)state;
    expect_rst(r, bad_con, sizeof(bad_con), 0x1234);
    expect_rst(r, bad_opt_con, sizeof(bad_opt_con), 0x1235);
    expect_silence(r, bad_non, sizeof(bad_non));
    expect_rst(r, ping, sizeof(ping), 0x1237);
    expect_rst(r, con_rsp, sizeof(con_rsp), 0x1238);
    expect_rst(r, reserved, sizeof(reserved), 0x1239);
    expect_silence(r, non_rsp, sizeof(non_rsp));
    expect_silence(r, ack, sizeof(ack));
    expect_silence(r, rst, sizeof(rst));
    expect_silence(r, ver2, sizeof(ver2));
    expect_silence(r, ver2, 2);
    assert_int_equal(coap_server_stats(&r->srv)->rst_sent, 5);
    free(r);
}

static void test_separate_response(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    struct coap_msg m;
    struct sent con;
    size_t len;
    uint64_t now = 5000;
    uint64_t t;
    uint64_t prev_gap = 0;
    int i;

    (void)state;
    assert_int_equal(coap_server_next_deadline(&r->srv), UINT64_MAX);
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 0x5555, "slow", NULL, 0, "work");
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, now), 0);
    /* An empty ACK now, the work later. */
    assert_int_equal(r->nsent, 1);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_ACK);
    assert_int_equal(m.code, COAP_CODE_EMPTY);
    assert_int_equal(m.mid, 0x5555);
    assert_int_equal(r->calls_slow, 0);
    assert_true(coap_server_next_deadline(&r->srv) <= now);
    /* A duplicate of the request gets the empty ACK again and does not queue more work. */
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, now + 1), 0);
    assert_int_equal(r->nsent, 2);
    parse_last(r, &m);
    assert_int_equal(m.code, COAP_CODE_EMPTY);
    assert_int_equal(coap_server_tick(&r->srv, now + 2), 0);
    assert_int_equal(r->calls_slow, 1);
    assert_int_equal(r->nsent, 3);
    con = *last(r);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_CON);
    assert_int_equal(m.code, COAP_CHANGED);
    assert_int_equal(m.tkl, 4);
    assert_int_equal(m.token[3], 0xef);
    assert_int_equal(m.payload_len, 4);
    assert_memory_equal(m.payload, "work", 4);
    now += 2;
    /* Retransmitted unchanged, each timeout twice the previous, 4 times, then dropped. */
    t = coap_server_next_deadline(&r->srv);
    assert_true(t >= now + COAP_ACK_TIMEOUT_MS && t <= now + COAP_ACK_TIMEOUT_MS * 3 / 2);
    for (i = 0; i < (int)COAP_MAX_RETRANSMIT; i++) {
        uint64_t gap = t - now;

        if (prev_gap != 0) {
            assert_int_equal(gap, prev_gap * 2);
        }
        prev_gap = gap;
        assert_int_equal(coap_server_tick(&r->srv, t - 1), 0);
        assert_int_equal(r->nsent, 3 + (uint32_t)i);
        now = t;
        assert_int_equal(coap_server_tick(&r->srv, now), 0);
        assert_int_equal(r->nsent, 4 + (uint32_t)i);
        assert_int_equal(last(r)->len, con.len);
        assert_memory_equal(last(r)->buf, con.buf, con.len);
        t = coap_server_next_deadline(&r->srv);
    }
    assert_int_equal(coap_server_stats(&r->srv)->retransmits, COAP_MAX_RETRANSMIT);
    assert_int_equal(coap_server_tick(&r->srv, t), 0);
    assert_int_equal(coap_server_stats(&r->srv)->give_ups, 1);
    assert_int_equal(coap_server_next_deadline(&r->srv), UINT64_MAX);
    assert_int_equal(r->calls_slow, 1);
    free(r);
}

static void test_separate_acked(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    uint8_t ack[4];
    struct coap_msg_writer w;
    struct coap_msg m;
    size_t len;

    (void)state;
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 0x6666, "slow", NULL, 0, "x");
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 0), 0);
    assert_int_equal(coap_server_tick(&r->srv, 0), 0);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_CON);
    /* An ACK from another peer does not count. */
    coap_msg_write_init(&w, ack, sizeof(ack), COAP_TYPE_ACK, COAP_CODE_EMPTY, m.mid, NULL, 0);
    coap_msg_write_finish(&w, &len);
    assert_int_equal(coap_server_input(&r->srv, PEER_B, ack, len, 10), 0);
    assert_true(coap_server_next_deadline(&r->srv) != UINT64_MAX);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, ack, len, 10), 0);
    assert_int_equal(coap_server_next_deadline(&r->srv), UINT64_MAX);
    /* RST also ends it. */
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 0x6667, "slow", NULL, 0, "y");
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 20), 0);
    assert_int_equal(coap_server_tick(&r->srv, 20), 0);
    parse_last(r, &m);
    coap_msg_write_init(&w, ack, sizeof(ack), COAP_TYPE_RST, COAP_CODE_EMPTY, m.mid, NULL, 0);
    coap_msg_write_finish(&w, &len);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, ack, len, 30), 0);
    assert_int_equal(coap_server_next_deadline(&r->srv), UINT64_MAX);
    /* A NON request to a separate resource is answered at once. */
    len = mk(buf, sizeof(buf), COAP_TYPE_NON, COAP_POST, 0x6668, "slow", NULL, 0, "z");
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 40), 0);
    parse_last(r, &m);
    assert_int_equal(m.type, COAP_TYPE_NON);
    assert_int_equal(m.code, COAP_CHANGED);
    /* A peer that goes away takes its pending work with it. */
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 0x6669, "slow", NULL, 0, "w");
    assert_int_equal(coap_server_input(&r->srv, PEER_B, buf, len, 50), 0);
    coap_server_peer_gone(&r->srv, PEER_B);
    assert_int_equal(coap_server_next_deadline(&r->srv), UINT64_MAX);
    assert_int_equal(r->calls_slow, 3);
    free(r);
}

static void test_block2(void **state)
{
    struct rig *r = rig_new();
    uint8_t v[1];
    struct xopt b2 = { COAP_OPT_BLOCK2, v, 1 };
    struct coap_block blk;
    struct coap_opt o;
    struct coap_msg m;
    uint32_t sz;
    int i;

    (void)state;
    /* Whole: 700 bytes in one reply. */
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 1, "big", NULL, 0), COAP_CONTENT);
    parse_last(r, &m);
    assert_int_equal(m.payload_len, 700);
    assert_int_equal(coap_msg_find_opt(&m, COAP_OPT_BLOCK2, &o), 0);
    for (i = 0; i < 3; i++) {
        v[0] = (uint8_t)(i << 4 | 4); /* NUM i, SZX 4: 256 bytes. */
        assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, (uint16_t)(10 + i), "big", &b2, 1),
                         COAP_CONTENT);
        parse_last(r, &m);
        assert_int_equal(coap_block_from_msg(&m, COAP_OPT_BLOCK2, &blk), 1);
        assert_int_equal(blk.num, (uint32_t)i);
        assert_int_equal(blk.szx, 4);
        assert_int_equal(blk.more, i < 2);
        assert_int_equal(m.payload_len, i < 2 ? 256 : 700 - 512);
        assert_int_equal(m.payload[0], (uint8_t)((i * 256) * 7));
        if (i == 0) {
            assert_int_equal(coap_msg_find_opt(&m, COAP_OPT_SIZE2, &o), 1);
            assert_int_equal(coap_msg_opt_uint(&o, &sz), 0);
            assert_int_equal(sz, 700);
        }
    }
    v[0] = 3 << 4 | 4;
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 20, "big", &b2, 1), COAP_BAD_OPTION);
    free(r);
}

static void test_after_send_and_power_cut(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[128];
    size_t len;

    (void)state;
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 1, "after", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 0), 0);
    assert_int_equal(r->after_calls, 1);
    assert_int_equal(r->sent_at_after, 1);
    /* A power cut in a handler: nothing is sent, the error comes back. */
    len = mk(buf, sizeof(buf), COAP_TYPE_CON, COAP_POST, 2, "cut", NULL, 0, NULL);
    assert_int_equal(coap_server_input(&r->srv, PEER_A, buf, len, 0), BO_EPOWER);
    assert_int_equal(r->nsent, 1);
    free(r);
}

static void test_random_datagrams(void **state)
{
    struct rig *r = rig_new();
    uint8_t buf[96];
    uint32_t x = 0xabcdef01u;
    int round;

    (void)state;
    for (round = 0; round < 20000; round++) {
        size_t n;
        size_t i;

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        n = x % sizeof(buf);
        for (i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
        if (n > 4 && (x & 3) != 0) {
            buf[0] = (uint8_t)(0x40 | (buf[0] & 0x30) | (buf[0] & 0x7)); /* Version 1. */
            buf[1] = (uint8_t)(buf[1] & 0x07);                           /* A request. */
        }
        assert_int_equal(coap_server_input(&r->srv, (x >> 8) & 3, buf, n, (uint64_t)round), 0);
        assert_int_equal(coap_server_tick(&r->srv, (uint64_t)round), 0);
    }
    assert_int_equal(ask(r, COAP_TYPE_CON, COAP_GET, 0x7777, "hello", NULL, 0), COAP_CONTENT);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_piggybacked_and_non),      cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_cache_eviction),           cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_rst_and_silence),          cmocka_unit_test(test_separate_response),
        cmocka_unit_test(test_separate_acked),           cmocka_unit_test(test_block2),
        cmocka_unit_test(test_after_send_and_power_cut), cmocka_unit_test(test_random_datagrams),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
