/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CoAP message parsing and serialisation (see coap_msg.h). The option encoding is RFC 7252
 * section 3.1: a byte of delta and length nibbles, 13 meaning one extension byte (value - 13),
 * 14 meaning two extension bytes (value - 269), and 15 reserved (it only ever appears as the
 * whole payload marker byte 0xff).
 */
#include "ota/coap_msg.h"

#include <string.h>

#include "bo_err.h"

#define COAP_VERSION 1u
#define COAP_EXT1 13u
#define COAP_EXT2 14u
#define COAP_EXT1_BASE 13u
#define COAP_EXT2_BASE 269u
#define COAP_OPT_NUM_MAX 65535u
#define COAP_OPT_LEN_MAX (65535u + COAP_EXT2_BASE)

int coap_msg_peek(struct coap_msg *m, const uint8_t *buf, size_t len)
{
    if (m == NULL || (buf == NULL && len != 0)) {
        return BO_EINVAL;
    }
    memset(m, 0, sizeof(*m));
    if (len < COAP_HEADER_SIZE || (buf[0] >> 6) != COAP_VERSION) {
        return BO_EPROTO;
    }
    m->type = (uint8_t)((buf[0] >> 4) & 0x3u);
    m->tkl = (uint8_t)(buf[0] & 0xfu);
    m->code = buf[1];
    m->mid = (uint16_t)((uint16_t)buf[2] << 8 | buf[3]);
    return 0;
}

/* Decodes an extended delta or length nibble; advances *p. */
static int coap_msg_ext_read(uint32_t nibble, const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    if (nibble < COAP_EXT1) {
        *out = nibble;
        return 0;
    }
    if (nibble == COAP_EXT1) {
        if (end - *p < 1) {
            return BO_EPROTO;
        }
        *out = (uint32_t)(*p)[0] + COAP_EXT1_BASE;
        *p += 1;
        return 0;
    }
    if (nibble == COAP_EXT2) {
        if (end - *p < 2) {
            return BO_EPROTO;
        }
        *out = ((uint32_t)(*p)[0] << 8 | (*p)[1]) + COAP_EXT2_BASE;
        *p += 2;
        return 0;
    }
    return BO_EPROTO;
}

/*
 * Reads one option at it->p. Returns 1 with *opt, 0 at the end of the options (end of data or
 * the payload marker, it->p left on the marker), or BO_EPROTO.
 */
static int coap_msg_opt_decode(struct coap_msg_opt_iter *it, struct coap_opt *opt)
{
    const uint8_t *p = it->p;
    uint32_t delta;
    uint32_t len;
    uint32_t num;
    int rc;

    if (p >= it->end || *p == COAP_PAYLOAD_MARKER) {
        return 0;
    }
    p++;
    rc = coap_msg_ext_read((uint32_t)(it->p[0] >> 4), &p, it->end, &delta);
    if (rc < 0) {
        return rc;
    }
    rc = coap_msg_ext_read((uint32_t)(it->p[0] & 0xfu), &p, it->end, &len);
    if (rc < 0) {
        return rc;
    }
    num = it->num + delta;
    if (num > COAP_OPT_NUM_MAX || len > (size_t)(it->end - p)) {
        return BO_EPROTO;
    }
    opt->num = (uint16_t)num;
    opt->len = (uint16_t)len;
    opt->val = p;
    it->num = num;
    it->p = p + len;
    return 1;
}

int coap_msg_parse(struct coap_msg *m, const uint8_t *buf, size_t len)
{
    struct coap_msg_opt_iter it;
    struct coap_opt opt;
    const uint8_t *end;
    int rc;

    rc = coap_msg_peek(m, buf, len);
    if (rc < 0) {
        return rc;
    }
    if (m->tkl > COAP_TOKEN_MAX || len - COAP_HEADER_SIZE < m->tkl) {
        return BO_EPROTO;
    }
    memcpy(m->token, buf + COAP_HEADER_SIZE, m->tkl);
    if (m->code == COAP_CODE_EMPTY) {
        /* An empty message is exactly the 4-byte header (section 4.1). */
        return (m->tkl == 0 && len == COAP_HEADER_SIZE) ? 0 : BO_EPROTO;
    }
    end = buf + len;
    it.p = buf + COAP_HEADER_SIZE + m->tkl;
    it.end = end;
    it.num = 0;
    m->opts = it.p;
    for (;;) {
        rc = coap_msg_opt_decode(&it, &opt);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            break;
        }
    }
    m->opts_len = (size_t)(it.p - m->opts);
    if (it.p < end) {
        /* The payload marker: a payload must follow (section 3). */
        if (end - it.p < 2) {
            return BO_EPROTO;
        }
        m->payload = it.p + 1;
        m->payload_len = (size_t)(end - it.p - 1);
    }
    return 0;
}

bool coap_msg_is_request(const struct coap_msg *m)
{
    return COAP_CODE_CLASS(m->code) == 0 && m->code != COAP_CODE_EMPTY;
}

void coap_msg_opt_begin(struct coap_msg_opt_iter *it, const struct coap_msg *m)
{
    it->p = m->opts;
    it->end = m->opts != NULL ? m->opts + m->opts_len : NULL;
    it->num = 0;
}

int coap_msg_opt_next(struct coap_msg_opt_iter *it, struct coap_opt *opt)
{
    if (it->p == NULL) {
        return 0;
    }
    return coap_msg_opt_decode(it, opt);
}

int coap_msg_find_opt(const struct coap_msg *m, uint16_t num, struct coap_opt *opt)
{
    struct coap_msg_opt_iter it;

    coap_msg_opt_begin(&it, m);
    while (coap_msg_opt_next(&it, opt) == 1) {
        if (opt->num == num) {
            return 1;
        }
        if (opt->num > num) {
            break;
        }
    }
    return 0;
}

uint32_t coap_msg_count_opt(const struct coap_msg *m, uint16_t num)
{
    struct coap_msg_opt_iter it;
    struct coap_opt opt;
    uint32_t n = 0;

    coap_msg_opt_begin(&it, m);
    while (coap_msg_opt_next(&it, &opt) == 1) {
        if (opt.num == num) {
            n++;
        }
    }
    return n;
}

int coap_msg_opt_uint(const struct coap_opt *opt, uint32_t *v)
{
    uint32_t x = 0;
    uint16_t i;

    if (opt->len > 4) {
        return BO_EINVAL;
    }
    for (i = 0; i < opt->len; i++) {
        x = x << 8 | opt->val[i];
    }
    *v = x;
    return 0;
}

int coap_msg_write_init(struct coap_msg_writer *w, uint8_t *buf, size_t cap, uint8_t type,
                        uint8_t code, uint16_t mid, const uint8_t *token, uint8_t tkl)
{
    if (w == NULL) {
        return BO_EINVAL;
    }
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    if (buf == NULL || type > COAP_TYPE_RST || tkl > COAP_TOKEN_MAX ||
        (tkl != 0 && token == NULL)) {
        w->err = BO_EINVAL;
        return w->err;
    }
    if (cap < COAP_HEADER_SIZE + tkl) {
        w->err = BO_ERANGE;
        return w->err;
    }
    buf[0] = (uint8_t)(COAP_VERSION << 6 | (uint32_t)type << 4 | tkl);
    buf[1] = code;
    buf[2] = (uint8_t)(mid >> 8);
    buf[3] = (uint8_t)mid;
    if (tkl != 0) {
        memcpy(buf + COAP_HEADER_SIZE, token, tkl);
    }
    w->len = COAP_HEADER_SIZE + tkl;
    return 0;
}

/* The nibble for a delta or length, and how many extension bytes it needs. */
static uint8_t coap_msg_nibble(uint32_t v, size_t *ext)
{
    if (v < COAP_EXT1_BASE) {
        *ext = 0;
        return (uint8_t)v;
    }
    if (v < COAP_EXT2_BASE) {
        *ext = 1;
        return COAP_EXT1;
    }
    *ext = 2;
    return COAP_EXT2;
}

static void coap_msg_ext_write(uint8_t *p, uint32_t v, size_t ext)
{
    if (ext == 1) {
        p[0] = (uint8_t)(v - COAP_EXT1_BASE);
    } else if (ext == 2) {
        p[0] = (uint8_t)((v - COAP_EXT2_BASE) >> 8);
        p[1] = (uint8_t)(v - COAP_EXT2_BASE);
    }
}

int coap_msg_write_opt(struct coap_msg_writer *w, uint16_t num, const void *val, size_t len)
{
    uint32_t delta;
    size_t dext;
    size_t lext;
    uint8_t dn;
    uint8_t ln;
    size_t need;
    uint8_t *p;

    if (w->err != 0) {
        return w->err;
    }
    if (w->payload || num < w->last_opt || len > COAP_OPT_LEN_MAX || (len != 0 && val == NULL)) {
        w->err = BO_EINVAL;
        return w->err;
    }
    delta = (uint32_t)num - w->last_opt;
    dn = coap_msg_nibble(delta, &dext);
    ln = coap_msg_nibble((uint32_t)len, &lext);
    need = 1 + dext + lext + len;
    if (need > w->cap - w->len) {
        w->err = BO_ERANGE;
        return w->err;
    }
    p = w->buf + w->len;
    p[0] = (uint8_t)(dn << 4 | ln);
    coap_msg_ext_write(p + 1, delta, dext);
    coap_msg_ext_write(p + 1 + dext, (uint32_t)len, lext);
    if (len != 0) {
        memcpy(p + 1 + dext + lext, val, len);
    }
    w->len += need;
    w->last_opt = num;
    return 0;
}

int coap_msg_write_opt_uint(struct coap_msg_writer *w, uint16_t num, uint32_t v)
{
    uint8_t b[4];
    size_t n = 0;
    size_t i;

    for (i = 0; i < 4; i++) {
        uint8_t byte = (uint8_t)(v >> (24 - 8 * i));

        if (n != 0 || byte != 0) {
            b[n++] = byte;
        }
    }
    return coap_msg_write_opt(w, num, b, n);
}

int coap_msg_write_opt_str(struct coap_msg_writer *w, uint16_t num, const char *s)
{
    return coap_msg_write_opt(w, num, s, s != NULL ? strlen(s) : 0);
}

int coap_msg_write_payload(struct coap_msg_writer *w, const void *data, size_t len)
{
    if (w->err != 0) {
        return w->err;
    }
    if (w->payload || (len != 0 && data == NULL)) {
        w->err = BO_EINVAL;
        return w->err;
    }
    if (len == 0) {
        return 0;
    }
    if (len > w->cap - w->len || w->cap - w->len - len < 1) {
        w->err = BO_ERANGE;
        return w->err;
    }
    w->buf[w->len] = COAP_PAYLOAD_MARKER;
    memcpy(w->buf + w->len + 1, data, len);
    w->len += 1 + len;
    w->payload = true;
    return 0;
}

int coap_msg_write_finish(const struct coap_msg_writer *w, size_t *len)
{
    if (w->err != 0) {
        return w->err;
    }
    *len = w->len;
    return 0;
}
