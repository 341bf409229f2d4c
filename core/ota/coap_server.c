/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CoAP server (see coap_server.h): message layer (CON/NON/ACK/RST, duplicate cache,
 * separate responses with retransmission) and request layer (option checks, dispatch, Block2).
 */
#include "ota/coap_server.h"

#include <string.h>

#include "bo_err.h"

/* What the option check decided about a request. */
struct coap_server_verdict {
    uint8_t code; /* 0: the request may be dispatched; else the error to answer. */
    const struct coap_resource *res;
};

/* The rules of the options this server understands. */
struct coap_server_opt_rule {
    uint16_t num;
    uint16_t min_len;
    uint16_t max_len;
    bool repeatable;
};

static const struct coap_server_opt_rule coap_server_opt_rules[] = {
    { COAP_OPT_URI_HOST, 1, 255, false }, { COAP_OPT_URI_PORT, 0, 2, false },
    { COAP_OPT_URI_PATH, 0, 255, true },  { COAP_OPT_CONTENT_FORMAT, 0, 2, false },
    { COAP_OPT_URI_QUERY, 0, 255, true }, { COAP_OPT_ACCEPT, 0, 2, false },
    { COAP_OPT_BLOCK2, 0, 3, false },     { COAP_OPT_BLOCK1, 0, 3, false },
    { COAP_OPT_SIZE2, 0, 4, false },      { COAP_OPT_SIZE1, 0, 4, false },
};

void coap_server_init(struct coap_server *s)
{
    memset(s, 0, sizeof(*s));
}

int coap_server_setup(struct coap_server *s, const struct coap_server_config *cfg)
{
    if (s == NULL || cfg == NULL || cfg->send == NULL ||
        (cfg->resources == NULL && cfg->resource_count != 0)) {
        return BO_EINVAL;
    }
    coap_server_init(s);
    s->cfg = *cfg;
    s->next_mid = cfg->first_mid;
    return 0;
}

void coap_server_free(struct coap_server *s)
{
    if (s != NULL) {
        coap_server_init(s);
    }
}

const struct coap_server_stats *coap_server_stats(const struct coap_server *s)
{
    return &s->stats;
}

static int coap_server_send(struct coap_server *s, uint32_t peer, const uint8_t *buf, size_t len)
{
    s->stats.tx++;
    return s->cfg.send(s->cfg.send_ctx, peer, buf, len);
}

/* Sends an empty ACK or RST with message id mid. */
static void coap_server_send_empty(struct coap_server *s, uint32_t peer, uint8_t type, uint16_t mid)
{
    uint8_t b[COAP_HEADER_SIZE];
    struct coap_msg_writer w;
    size_t len;

    if (coap_msg_write_init(&w, b, sizeof(b), type, COAP_CODE_EMPTY, mid, NULL, 0) == 0 &&
        coap_msg_write_finish(&w, &len) == 0) {
        if (type == COAP_TYPE_RST) {
            s->stats.rst_sent++;
        }
        (void)coap_server_send(s, peer, b, len);
    }
}

/* ---- Duplicate cache ---- */

static struct coap_dedup_entry *coap_server_dedup_find(struct coap_server *s, uint32_t peer,
                                                       uint16_t mid, uint64_t now_ms)
{
    size_t i;

    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS; i++) {
        struct coap_dedup_entry *e = &s->dedup[i];

        if (e->used && e->expires_ms <= now_ms) {
            e->used = false;
        }
        if (e->used && e->peer == peer && e->mid == mid) {
            return e;
        }
    }
    return NULL;
}

/* Remembers the reply to (peer, mid); the slot expiring first makes room when all are used. */
static void coap_server_dedup_store(struct coap_server *s, uint32_t peer, uint16_t mid, bool is_con,
                                    bool is_get, const uint8_t *rsp, size_t len, uint64_t now_ms)
{
    struct coap_dedup_entry *e = NULL;
    uint64_t life = is_con ? COAP_EXCHANGE_LIFETIME_MS : COAP_NON_LIFETIME_MS;
    size_t i;

    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS && e == NULL; i++) {
        struct coap_dedup_entry *c = &s->dedup[i];

        if (c->used && c->peer == peer && c->mid == mid) {
            e = c;
        }
    }
    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS && e == NULL; i++) {
        if (!s->dedup[i].used || s->dedup[i].expires_ms <= now_ms) {
            e = &s->dedup[i];
        }
    }
    if (e == NULL) {
        e = &s->dedup[0];
        for (i = 1; i < COAP_SERVER_DEDUP_SLOTS; i++) {
            if (s->dedup[i].expires_ms < e->expires_ms) {
                e = &s->dedup[i];
            }
        }
    }
    memset(e, 0, sizeof(*e));
    e->used = true;
    e->peer = peer;
    e->mid = mid;
    e->expires_ms = now_ms > UINT64_MAX - life ? UINT64_MAX : now_ms + life;
    if (len <= COAP_SERVER_DEDUP_RSP_MAX) {
        memcpy(e->rsp, rsp, len);
        e->rsp_len = (uint16_t)len;
    } else {
        /* Too long to keep: a GET is safe to compute again; anything else gets no replay. */
        e->recompute = is_get;
    }
}

/* ---- Request checks ---- */

static const struct coap_server_opt_rule *coap_server_rule_of(uint16_t num)
{
    size_t i;

    for (i = 0; i < sizeof(coap_server_opt_rules) / sizeof(coap_server_opt_rules[0]); i++) {
        if (coap_server_opt_rules[i].num == num) {
            return &coap_server_opt_rules[i];
        }
    }
    return NULL;
}

/* Whether option o is one to use (known, of a valid length, and the first of its kind). */
static bool coap_server_opt_usable(const struct coap_opt *o, uint16_t prev_num)
{
    const struct coap_server_opt_rule *r = coap_server_rule_of(o->num);

    if (r == NULL || o->len < r->min_len || o->len > r->max_len) {
        return false;
    }
    return r->repeatable || o->num != prev_num;
}

/* The error code the options of a request call for, or 0. */
static uint8_t coap_server_check_options(const struct coap_msg *m)
{
    struct coap_msg_opt_iter it;
    struct coap_opt o;
    uint16_t prev = 0;
    int rc;

    coap_msg_opt_begin(&it, m);
    while ((rc = coap_msg_opt_next(&it, &o)) == 1) {
        if (o.num == COAP_OPT_PROXY_URI || o.num == COAP_OPT_PROXY_SCHEME) {
            return COAP_PROXYING_NOT_SUPPORTED;
        }
        if (!coap_server_opt_usable(&o, prev) && coap_msg_opt_critical(o.num)) {
            return COAP_BAD_OPTION;
        }
        prev = o.num;
    }
    return rc < 0 ? COAP_BAD_REQUEST : 0;
}

/* Whether the Uri-Path options of m spell path ("a/b"). */
static bool coap_server_path_match(const struct coap_msg *m, const char *path)
{
    struct coap_msg_opt_iter it;
    struct coap_opt o;
    const char *p = path;
    bool first = true;

    coap_msg_opt_begin(&it, m);
    while (coap_msg_opt_next(&it, &o) == 1) {
        size_t seg;

        if (o.num != COAP_OPT_URI_PATH) {
            continue;
        }
        if (!first) {
            if (*p != '/') {
                return false;
            }
            p++;
        } else if (*p == '\0') {
            return false;
        }
        first = false;
        seg = 0;
        while (p[seg] != '\0' && p[seg] != '/') {
            seg++;
        }
        if (seg != o.len || memcmp(p, o.val, seg) != 0) {
            return false;
        }
        p += seg;
    }
    return *p == '\0';
}

/* Reads an unsigned option into *v when it is present and usable; returns whether it was. */
static bool coap_server_req_uint(const struct coap_msg *m, uint16_t num, uint32_t *v)
{
    struct coap_opt o;

    if (coap_msg_find_opt(m, num, &o) != 1 || !coap_server_opt_usable(&o, 0)) {
        return false;
    }
    return coap_msg_opt_uint(&o, v) == 0;
}

/* Decodes the options of a request into req; returns 0 or the error code to answer. */
static uint8_t coap_server_req_decode(const struct coap_msg *m, uint32_t peer, uint64_t now_ms,
                                      struct coap_req *req)
{
    uint32_t v;
    int rc;

    memset(req, 0, sizeof(*req));
    req->peer = peer;
    req->msg = m;
    req->now_ms = now_ms;
    req->content_format = COAP_CF_NONE;
    req->accept = COAP_CF_NONE;
    if (coap_server_req_uint(m, COAP_OPT_CONTENT_FORMAT, &v)) {
        req->content_format = (uint16_t)v;
    }
    if (coap_server_req_uint(m, COAP_OPT_ACCEPT, &v)) {
        req->accept = (uint16_t)v;
    }
    if (coap_server_req_uint(m, COAP_OPT_SIZE1, &v)) {
        req->has_size1 = true;
        req->size1 = v;
    }
    rc = coap_block_from_msg(m, COAP_OPT_BLOCK1, &req->block1);
    if (rc < 0) {
        return COAP_BAD_REQUEST;
    }
    req->has_block1 = rc == 1;
    rc = coap_block_from_msg(m, COAP_OPT_BLOCK2, &req->block2);
    if (rc < 0) {
        return COAP_BAD_REQUEST;
    }
    req->has_block2 = rc == 1;
    return 0;
}

/* Checks a request and finds its resource. */
static void coap_server_check(const struct coap_server *s, const struct coap_msg *m,
                              struct coap_server_verdict *c)
{
    size_t i;

    c->res = NULL;
    c->code = coap_server_check_options(m);
    if (c->code != 0) {
        return;
    }
    for (i = 0; i < s->cfg.resource_count; i++) {
        if (coap_server_path_match(m, s->cfg.resources[i].path)) {
            c->res = &s->cfg.resources[i];
            break;
        }
    }
    if (c->res == NULL) {
        c->code = COAP_NOT_FOUND;
    } else if (m->code > COAP_CODE(0, 7) || (c->res->methods & COAP_METHOD_BIT(m->code)) == 0) {
        c->code = COAP_METHOD_NOT_ALLOWED;
    }
}

/* ---- Responses ---- */

/* Writes the Block2 slice of the representation, or the error it calls for (0: done). */
static uint8_t coap_server_rsp_body(struct coap_msg_writer *w, const struct coap_req *req,
                                    const struct coap_rsp *rsp)
{
    struct coap_block b2;
    uint32_t off;
    size_t n;

    if (!req->has_block2 || COAP_CODE_CLASS(rsp->code) != 2) {
        (void)coap_msg_write_payload(w, rsp->payload, rsp->payload_len);
        return 0;
    }
    b2 = req->block2;
    if (coap_block_offset(&b2, &off) < 0 || (off >= rsp->payload_len && off != 0)) {
        return COAP_BAD_OPTION;
    }
    n = rsp->payload_len - off;
    b2.more = n > coap_block_size(b2.szx);
    if (b2.more) {
        n = coap_block_size(b2.szx);
    }
    (void)coap_block_write(w, COAP_OPT_BLOCK2, &b2);
    if (rsp->has_block1) {
        (void)coap_block_write(w, COAP_OPT_BLOCK1, &rsp->block1);
    }
    if (b2.num == 0 && b2.more) {
        (void)coap_msg_write_opt_uint(w, COAP_OPT_SIZE2, (uint32_t)rsp->payload_len);
    }
    if (rsp->has_size1) {
        (void)coap_msg_write_opt_uint(w, COAP_OPT_SIZE1, rsp->size1);
    }
    (void)coap_msg_write_payload(w, rsp->payload + off, n);
    return 0;
}

/* Serialises rsp as a reply of type/mid to req into s->tx. */
static int coap_server_rsp_encode(struct coap_server *s, uint8_t type, uint16_t mid,
                                  const struct coap_req *req, struct coap_rsp *rsp, size_t *len)
{
    const struct coap_msg *m = req->msg;
    struct coap_msg_writer w;
    uint8_t err;

    if (COAP_CODE_CLASS(rsp->code) == 2 && req->accept != COAP_CF_NONE &&
        rsp->content_format != COAP_CF_NONE && rsp->content_format != req->accept) {
        rsp->code = COAP_NOT_ACCEPTABLE;
        rsp->payload_len = 0;
        rsp->content_format = COAP_CF_NONE;
        rsp->has_block1 = false;
    }
    for (;;) {
        (void)coap_msg_write_init(&w, s->tx, sizeof(s->tx), type, rsp->code, mid, m->token, m->tkl);
        if (rsp->content_format != COAP_CF_NONE) {
            (void)coap_msg_write_opt_uint(&w, COAP_OPT_CONTENT_FORMAT, rsp->content_format);
        }
        if (req->has_block2 && COAP_CODE_CLASS(rsp->code) == 2) {
            err = coap_server_rsp_body(&w, req, rsp);
            if (err == 0) {
                break;
            }
            rsp->code = err;
            rsp->payload_len = 0;
            rsp->content_format = COAP_CF_NONE;
            continue;
        }
        if (rsp->has_block1) {
            (void)coap_block_write(&w, COAP_OPT_BLOCK1, &rsp->block1);
        }
        if (rsp->has_size1) {
            (void)coap_msg_write_opt_uint(&w, COAP_OPT_SIZE1, rsp->size1);
        }
        (void)coap_msg_write_payload(&w, rsp->payload, rsp->payload_len);
        break;
    }
    return coap_msg_write_finish(&w, len);
}

/* A response without a payload, for a code the server decided itself. */
static void coap_server_rsp_plain(struct coap_server *s, struct coap_rsp *rsp, uint8_t code)
{
    memset(rsp, 0, sizeof(*rsp));
    rsp->code = code;
    rsp->content_format = COAP_CF_NONE;
    rsp->payload = s->rep;
    rsp->payload_cap = sizeof(s->rep);
}

/* Runs the handler of a checked request (or builds the check's error) into rsp. */
static int coap_server_run(struct coap_server *s, const struct coap_server_verdict *c,
                           const struct coap_req *req, struct coap_rsp *rsp)
{
    int rc;

    coap_server_rsp_plain(s, rsp, c->code != 0 ? c->code : COAP_INTERNAL_SERVER_ERROR);
    if (c->code != 0) {
        return 0;
    }
    rc = c->res->handler(s->cfg.ctx, req, rsp);
    if (rc == BO_EPOWER) {
        return rc;
    }
    if (rc < 0 || rsp->payload_len > rsp->payload_cap) {
        coap_server_rsp_plain(s, rsp, COAP_INTERNAL_SERVER_ERROR);
    }
    return 0;
}

/* Builds, sends and caches the reply to a request (piggybacked ACK or NON). */
static int coap_server_reply(struct coap_server *s, uint32_t peer, const struct coap_msg *m,
                             const struct coap_server_verdict *c, struct coap_req *req, bool cache,
                             uint64_t now_ms)
{
    bool is_con = m->type == COAP_TYPE_CON;
    uint8_t type = is_con ? COAP_TYPE_ACK : COAP_TYPE_NON;
    uint16_t mid = is_con ? m->mid : s->next_mid++;
    struct coap_rsp rsp;
    size_t len;
    int rc;

    rc = coap_server_run(s, c, req, &rsp);
    if (rc < 0) {
        return rc;
    }
    rc = coap_server_rsp_encode(s, type, mid, req, &rsp, &len);
    if (rc < 0) {
        coap_server_rsp_plain(s, &rsp, COAP_INTERNAL_SERVER_ERROR);
        rc = coap_server_rsp_encode(s, type, mid, req, &rsp, &len);
        if (rc < 0) {
            return 0;
        }
    }
    (void)coap_server_send(s, peer, s->tx, len);
    if (cache) {
        coap_server_dedup_store(s, peer, m->mid, is_con, m->code == COAP_GET, s->tx, len, now_ms);
    }
    if (rsp.after_send != NULL) {
        rsp.after_send(s->cfg.ctx);
    }
    return 0;
}

/* Queues a CON request for a separate response; false when it cannot be. */
static bool coap_server_defer(struct coap_server *s, uint32_t peer, const uint8_t *dgram,
                              size_t len, uint64_t now_ms)
{
    size_t i;

    if (len > COAP_SERVER_DEFER_RAW_MAX) {
        return false;
    }
    for (i = 0; i < COAP_SERVER_DEFER_SLOTS; i++) {
        struct coap_deferred *d = &s->defer[i];

        if (!d->used) {
            d->used = true;
            d->peer = peer;
            d->len = (uint16_t)len;
            d->due_ms = now_ms;
            memcpy(d->raw, dgram, len);
            return true;
        }
    }
    return false;
}

/* Handles ACK and RST: they end the retransmission of a CON the server sent. */
static void coap_server_ack(struct coap_server *s, uint32_t peer, uint16_t mid)
{
    size_t i;

    for (i = 0; i < COAP_SERVER_CON_SLOTS; i++) {
        struct coap_con *c = &s->con[i];

        if (c->used && c->peer == peer && c->mid == mid) {
            c->used = false;
        }
    }
}

static int coap_server_request(struct coap_server *s, uint32_t peer, const uint8_t *dgram,
                               size_t len, const struct coap_msg *m, uint64_t now_ms)
{
    struct coap_dedup_entry *e = coap_server_dedup_find(s, peer, m->mid, now_ms);
    bool cache = true;
    struct coap_server_verdict c;
    struct coap_req req;
    uint8_t code;

    if (e != NULL) {
        s->stats.duplicates++;
        if (!e->recompute) {
            if (e->rsp_len != 0) {
                (void)coap_server_send(s, peer, e->rsp, e->rsp_len);
            }
            return 0;
        }
        cache = false;
    }
    coap_server_check(s, m, &c);
    code = coap_server_req_decode(m, peer, now_ms, &req);
    if (c.code == 0 && code != 0) {
        c.code = code;
    }
    if (c.code == 0 && cache && m->type == COAP_TYPE_CON &&
        (c.res->separate & COAP_METHOD_BIT(m->code)) != 0) {
        if (coap_server_defer(s, peer, dgram, len, now_ms)) {
            uint8_t ack[COAP_HEADER_SIZE];
            struct coap_msg_writer w;
            size_t n;

            s->stats.separate++;
            (void)coap_msg_write_init(&w, ack, sizeof(ack), COAP_TYPE_ACK, COAP_CODE_EMPTY, m->mid,
                                      NULL, 0);
            if (coap_msg_write_finish(&w, &n) == 0) {
                (void)coap_server_send(s, peer, ack, n);
                coap_server_dedup_store(s, peer, m->mid, true, false, ack, n, now_ms);
            }
            return 0;
        }
        c.code = COAP_SERVICE_UNAVAILABLE;
    }
    return coap_server_reply(s, peer, m, &c, &req, cache, now_ms);
}

int coap_server_input(struct coap_server *s, uint32_t peer, const uint8_t *dgram, size_t len,
                      uint64_t now_ms)
{
    struct coap_msg m;
    uint8_t cls;

    if (s == NULL || (dgram == NULL && len != 0)) {
        return BO_EINVAL;
    }
    s->stats.rx++;
    if (coap_msg_parse(&m, dgram, len) < 0) {
        s->stats.malformed++;
        /* A CON that does not parse is rejected; anything else is dropped silently. */
        if (coap_msg_peek(&m, dgram, len) == 0 && m.type == COAP_TYPE_CON) {
            coap_server_send_empty(s, peer, COAP_TYPE_RST, m.mid);
        }
        return 0;
    }
    if (m.type == COAP_TYPE_ACK || m.type == COAP_TYPE_RST) {
        coap_server_ack(s, peer, m.mid);
        return 0;
    }
    cls = COAP_CODE_CLASS(m.code);
    if (coap_msg_is_request(&m)) {
        return coap_server_request(s, peer, dgram, len, &m, now_ms);
    }
    /* A ping, a response we never asked for, or a reserved class. */
    if (m.type == COAP_TYPE_CON && (m.code == COAP_CODE_EMPTY || cls != 0)) {
        coap_server_send_empty(s, peer, COAP_TYPE_RST, m.mid);
    }
    return 0;
}

/* The first retransmission timeout: ACK_TIMEOUT times a factor in [1, 1.5], spread by mid. */
static uint32_t coap_server_initial_timeout(uint16_t mid)
{
    return COAP_ACK_TIMEOUT_MS + ((uint32_t)mid * 7919u) % (COAP_ACK_TIMEOUT_MS / 2u + 1u);
}

/* Sends a separate response as CON, and keeps it for retransmission when it fits. */
static void coap_server_send_con(struct coap_server *s, uint32_t peer, uint16_t mid, size_t len,
                                 uint64_t now_ms)
{
    size_t i;

    (void)coap_server_send(s, peer, s->tx, len);
    if (len > COAP_SERVER_CON_MAX) {
        return;
    }
    for (i = 0; i < COAP_SERVER_CON_SLOTS; i++) {
        struct coap_con *c = &s->con[i];

        if (!c->used) {
            c->used = true;
            c->peer = peer;
            c->mid = mid;
            c->len = (uint16_t)len;
            c->retries = 0;
            c->timeout_ms = coap_server_initial_timeout(mid);
            c->next_ms = now_ms + c->timeout_ms;
            memcpy(c->buf, s->tx, len);
            return;
        }
    }
}

/* Computes one deferred request and sends its separate response. */
static int coap_server_run_deferred(struct coap_server *s, struct coap_deferred *d, uint64_t now_ms)
{
    struct coap_msg m;
    struct coap_server_verdict c;
    struct coap_req req;
    struct coap_rsp rsp;
    uint32_t peer = d->peer;
    uint16_t mid;
    size_t len;
    int rc;

    d->used = false;
    if (coap_msg_parse(&m, d->raw, d->len) < 0) {
        return 0;
    }
    coap_server_check(s, &m, &c);
    if (c.code == 0) {
        c.code = coap_server_req_decode(&m, peer, now_ms, &req);
    } else {
        (void)coap_server_req_decode(&m, peer, now_ms, &req);
    }
    rc = coap_server_run(s, &c, &req, &rsp);
    if (rc < 0) {
        return rc;
    }
    mid = s->next_mid++;
    rc = coap_server_rsp_encode(s, COAP_TYPE_CON, mid, &req, &rsp, &len);
    if (rc < 0) {
        return 0;
    }
    coap_server_send_con(s, peer, mid, len, now_ms);
    if (rsp.after_send != NULL) {
        rsp.after_send(s->cfg.ctx);
    }
    return 0;
}

int coap_server_tick(struct coap_server *s, uint64_t now_ms)
{
    size_t i;
    int rc;

    if (s == NULL) {
        return BO_EINVAL;
    }
    for (i = 0; i < COAP_SERVER_DEFER_SLOTS; i++) {
        if (s->defer[i].used && s->defer[i].due_ms <= now_ms) {
            rc = coap_server_run_deferred(s, &s->defer[i], now_ms);
            if (rc < 0) {
                return rc;
            }
        }
    }
    for (i = 0; i < COAP_SERVER_CON_SLOTS; i++) {
        struct coap_con *c = &s->con[i];

        if (!c->used || c->next_ms > now_ms) {
            continue;
        }
        if (c->retries >= COAP_MAX_RETRANSMIT) {
            c->used = false;
            s->stats.give_ups++;
            continue;
        }
        c->retries++;
        c->timeout_ms *= 2u;
        c->next_ms = now_ms + c->timeout_ms;
        s->stats.retransmits++;
        (void)coap_server_send(s, c->peer, c->buf, c->len);
    }
    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS; i++) {
        if (s->dedup[i].used && s->dedup[i].expires_ms <= now_ms) {
            s->dedup[i].used = false;
        }
    }
    return 0;
}

uint64_t coap_server_next_deadline(const struct coap_server *s)
{
    uint64_t t = UINT64_MAX;
    size_t i;

    for (i = 0; i < COAP_SERVER_DEFER_SLOTS; i++) {
        if (s->defer[i].used && s->defer[i].due_ms < t) {
            t = s->defer[i].due_ms;
        }
    }
    for (i = 0; i < COAP_SERVER_CON_SLOTS; i++) {
        if (s->con[i].used && s->con[i].next_ms < t) {
            t = s->con[i].next_ms;
        }
    }
    return t;
}

void coap_server_peer_gone(struct coap_server *s, uint32_t peer)
{
    size_t i;

    for (i = 0; i < COAP_SERVER_DEDUP_SLOTS; i++) {
        if (s->dedup[i].peer == peer) {
            s->dedup[i].used = false;
        }
    }
    for (i = 0; i < COAP_SERVER_DEFER_SLOTS; i++) {
        if (s->defer[i].peer == peer) {
            s->defer[i].used = false;
        }
    }
    for (i = 0; i < COAP_SERVER_CON_SLOTS; i++) {
        if (s->con[i].peer == peer) {
            s->con[i].used = false;
        }
    }
}
