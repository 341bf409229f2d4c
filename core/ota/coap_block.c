/* SPDX-License-Identifier: Apache-2.0 */
/* Block-wise transfer option values (see coap_block.h). */
#include "ota/coap_block.h"

#include "bo_err.h"

#define COAP_BLOCK_SZX_RESERVED 7u

int coap_block_decode(const uint8_t *val, size_t len, struct coap_block *b)
{
    uint32_t v = 0;
    size_t i;

    if (b == NULL || len > COAP_BLOCK_VALUE_MAX || (len != 0 && val == NULL)) {
        return BO_EINVAL;
    }
    for (i = 0; i < len; i++) {
        v = v << 8 | val[i];
    }
    if ((v & 0x7u) == COAP_BLOCK_SZX_RESERVED) {
        return BO_EINVAL;
    }
    b->num = v >> 4;
    b->more = (v & 0x8u) != 0;
    b->szx = (uint8_t)(v & 0x7u);
    return 0;
}

int coap_block_from_msg(const struct coap_msg *m, uint16_t num, struct coap_block *b)
{
    struct coap_opt opt;
    int rc;

    if (coap_msg_find_opt(m, num, &opt) != 1) {
        return 0;
    }
    if (coap_msg_count_opt(m, num) != 1) {
        return BO_EINVAL;
    }
    rc = coap_block_decode(opt.val, opt.len, b);
    return rc < 0 ? rc : 1;
}

int coap_block_encode(const struct coap_block *b, uint8_t out[COAP_BLOCK_VALUE_MAX], size_t *len)
{
    uint32_t v;
    size_t n;
    size_t i;

    if (b == NULL || out == NULL || len == NULL || b->num > COAP_BLOCK_NUM_MAX ||
        b->szx > COAP_BLOCK_SZX_MAX) {
        return BO_EINVAL;
    }
    v = b->num << 4 | (b->more ? 0x8u : 0u) | b->szx;
    n = v == 0 ? 0 : v <= 0xffu ? 1 : v <= 0xffffu ? 2 : 3;
    for (i = 0; i < n; i++) {
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    *len = n;
    return 0;
}

int coap_block_write(struct coap_msg_writer *w, uint16_t num, const struct coap_block *b)
{
    uint8_t val[COAP_BLOCK_VALUE_MAX];
    size_t len;
    int rc = coap_block_encode(b, val, &len);

    if (rc < 0) {
        if (w->err == 0) {
            w->err = rc;
        }
        return rc;
    }
    return coap_msg_write_opt(w, num, val, len);
}

int coap_block_offset(const struct coap_block *b, uint32_t *off)
{
    uint64_t o;

    if (b->szx > COAP_BLOCK_SZX_MAX) {
        return BO_EINVAL;
    }
    o = (uint64_t)b->num * coap_block_size(b->szx);
    if (o > UINT32_MAX) {
        return BO_ERANGE;
    }
    *off = (uint32_t)o;
    return 0;
}

int coap_block_szx_for(uint32_t size, uint8_t *szx)
{
    uint8_t s = COAP_BLOCK_SZX_MAX;

    if (size < 16u) {
        return BO_EINVAL;
    }
    while (s > 0 && coap_block_size(s) > size) {
        s--;
    }
    *szx = s;
    return 0;
}
