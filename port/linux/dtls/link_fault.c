/* SPDX-License-Identifier: Apache-2.0 */
/* A faulty datagram link (udp_proxy semantics), one direction per struct link_fault. */
#include "dtls/link_fault.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash_prng.h"

/* A delayed or held datagram. */
struct link_fault_pkt {
    struct link_fault_pkt *next;
    uint64_t due; /* Loop time (ms) at which it is delivered. */
    int held;     /* Reordered: also delivered right after the next packet. */
    struct sockaddr_storage addr;
    size_t len;
    uint8_t data[];
};

/* The draw streams, one per fault. */
enum {
    LF_DRAW_DROP = 0,
    LF_DRAW_DUP = 1,
    LF_DRAW_REORDER = 2,
    LF_DRAWS = 3
};

static void link_fault_set_error(char *err, size_t len, const char *msg, const char *item,
                                 size_t item_len)
{
    if (err != NULL && len > 0) {
        snprintf(err, len, "%s: '%.*s'", msg, (int)(item_len > 64 ? 64 : item_len), item);
    }
}

/* Parses a decimal number in [s, e) no larger than max. */
static int link_fault_number(const char *s, const char *e, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (s == e) {
        return BO_EINVAL;
    }
    for (; s < e; s++) {
        if (*s < '0' || *s > '9') {
            return BO_EINVAL;
        }
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10) {
            return BO_EINVAL;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int link_fault_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The keys of a specification, in the order of their bits in "seen"; dup is duplicate. */
static const char *const link_fault_keys[] = { "drop",    "duplicate", "dup", "delay",
                                               "reorder", "mtu",       "seed" };

/* Trims spaces and tabs from both ends of [*s, *e). */
static void link_fault_trim(const char **s, const char **e)
{
    while (*s < *e && link_fault_is_space(**s)) {
        (*s)++;
    }
    while (*e > *s && link_fault_is_space((*e)[-1])) {
        (*e)--;
    }
}

/* The index of the key [s, s + n) in link_fault_keys (dup as duplicate), or -1. */
static int link_fault_key(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(link_fault_keys) / sizeof(link_fault_keys[0]); i++) {
        if (strlen(link_fault_keys[i]) == n && memcmp(link_fault_keys[i], s, n) == 0) {
            return i == 2 ? 1 : (int)i;
        }
    }
    return -1;
}

/* Stores the value v of key k in out. */
static void link_fault_store(struct link_fault_config *out, int k, uint64_t v)
{
    switch (k) {
    case 0:
        out->drop_n = (uint32_t)v;
        break;
    case 1:
        out->dup_n = (uint32_t)v;
        break;
    case 3:
        out->delay_ms = (uint32_t)v;
        break;
    case 4:
        out->reorder_n = (uint32_t)v;
        break;
    case 5:
        out->mtu = (uint32_t)v;
        break;
    default:
        out->seed = v;
        break;
    }
}

/* Parses one "key = value" item [item, end) into out; seen holds the keys given so far. */
static int link_fault_item(struct link_fault_config *out, unsigned *seen, const char *item,
                           const char *end, char *err, size_t len)
{
    const char *s = item, *e = end;
    uint64_t v;

    link_fault_trim(&s, &e);
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (eq == NULL) {
        link_fault_set_error(err, len, "expected key=value", item, (size_t)(end - item));
        return BO_EINVAL;
    }
    const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
    link_fault_trim(&ks, &ke);
    link_fault_trim(&vs, &ve);
    int k = link_fault_key(ks, (size_t)(ke - ks));
    if (k < 0) {
        link_fault_set_error(err, len, "unknown link fault", ks, (size_t)(ke - ks));
        return BO_EINVAL;
    }
    if (*seen & (1u << k)) {
        link_fault_set_error(err, len, "repeated link fault", ks, (size_t)(ke - ks));
        return BO_EINVAL;
    }
    *seen |= 1u << k;
    if (link_fault_number(vs, ve, k == 6 ? UINT64_MAX : UINT32_MAX, &v) < 0) {
        link_fault_set_error(err, len, "bad value", item, (size_t)(end - item));
        return BO_EINVAL;
    }
    link_fault_store(out, k, v);
    return 0;
}

int link_fault_parse(struct link_fault_config *lf, const char *text, char *err, size_t len)
{
    struct link_fault_config out;
    unsigned seen = 0;
    const char *p = text;

    memset(&out, 0, sizeof(out));
    if (err != NULL && len > 0) {
        err[0] = '\0';
    }
    while (link_fault_is_space(*p)) {
        p++;
    }
    if (*p == '\0' || strcmp(p, "none") == 0) {
        *lf = out;
        return 0;
    }
    while (*p != '\0') {
        const char *item = p, *end = strchr(p, ',');
        if (end == NULL) {
            end = p + strlen(p);
        }
        if (link_fault_item(&out, &seen, item, end, err, len) < 0) {
            return BO_EINVAL;
        }
        p = *end == ',' ? end + 1 : end;
        if (*end == ',' && *p == '\0') {
            link_fault_set_error(err, len, "trailing comma", item, (size_t)(end - item) + 1);
            return BO_EINVAL;
        }
    }
    *lf = out;
    return 0;
}

int link_fault_format(const struct link_fault_config *lf, char *buf, size_t len)
{
    size_t used = 0;
    int n;
    const struct {
        const char *key;
        uint64_t value;
    } items[] = {
        { "drop", lf->drop_n },       { "duplicate", lf->dup_n }, { "delay", lf->delay_ms },
        { "reorder", lf->reorder_n }, { "mtu", lf->mtu },         { "seed", lf->seed },
    };

    if (len == 0) {
        return BO_ERANGE;
    }
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        if (items[i].value == 0) {
            continue;
        }
        n = snprintf(buf + used, len - used, "%s%s=%" PRIu64, used ? "," : "", items[i].key,
                     items[i].value);
        if (n < 0 || (size_t)n >= len - used) {
            return BO_ERANGE;
        }
        used += (size_t)n;
    }
    if (used == 0) {
        n = snprintf(buf, len, "none");
        if (n < 0 || (size_t)n >= len) {
            return BO_ERANGE;
        }
        used = (size_t)n;
    }
    return (int)used;
}

void link_fault_init(struct link_fault *lf)
{
    memset(lf, 0, sizeof(*lf));
}

/* One draw: true with probability 1/n; n == 0 makes no draw and gives false. */
static int link_fault_draw(struct link_fault *lf, int stream, uint32_t n)
{
    struct vflash_prng prng;

    if (n == 0) {
        return 0;
    }
    memcpy(prng.s, lf->prng[stream], sizeof(prng.s));
    uint64_t v = vflash_prng_below(&prng, n);
    memcpy(lf->prng[stream], prng.s, sizeof(prng.s));
    return v == 0;
}

void link_fault_set(struct link_fault *lf, const struct link_fault_config *cfg)
{
    struct vflash_prng prng;

    if (cfg != NULL) {
        lf->cfg = *cfg;
    } else {
        memset(&lf->cfg, 0, sizeof(lf->cfg));
    }
    for (int i = 0; i < LF_DRAWS; i++) {
        uint64_t tag = lf->tag * LF_DRAWS + (uint64_t)i + 1;
        vflash_prng_seed(&prng, vflash_prng_derive(lf->cfg.seed, tag));
        memcpy(lf->prng[i], prng.s, sizeof(prng.s));
    }
}

const struct link_fault_config *link_fault_get(const struct link_fault *lf)
{
    return &lf->cfg;
}

static void link_fault_arm(struct link_fault *lf);

/* Delivers and frees one queued packet. */
static void link_fault_release(struct link_fault *lf, struct link_fault_pkt *pkt)
{
    lf->stats.delivered++;
    lf->stats.queued--;
    lf->deliver(lf->ctx, (const struct sockaddr *)&pkt->addr, pkt->data, pkt->len);
    free(pkt);
}

/* Unlinks the first held packet of the queue, or returns NULL. */
static struct link_fault_pkt *link_fault_take_held(struct link_fault *lf)
{
    for (struct link_fault_pkt **pp = &lf->queue; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->held) {
            struct link_fault_pkt *pkt = *pp;
            *pp = pkt->next;
            return pkt;
        }
    }
    return NULL;
}

/* Delivers a packet now, then any packets held back waiting for a successor. */
static void link_fault_deliver_now(struct link_fault *lf, const struct sockaddr *addr,
                                   const uint8_t *buf, size_t len, int copies)
{
    struct link_fault_pkt *held;

    for (int i = 0; i < copies; i++) {
        lf->stats.delivered++;
        lf->deliver(lf->ctx, addr, buf, len);
    }
    while ((held = link_fault_take_held(lf)) != NULL) {
        link_fault_release(lf, held);
    }
    link_fault_arm(lf);
}

static void link_fault_timer_cb(uv_timer_t *timer)
{
    struct link_fault *lf = timer->data;
    uint64_t now = uv_now(lf->loop);
    int released_plain = 0;

    while (lf->queue != NULL && lf->queue->due <= now) {
        struct link_fault_pkt *pkt = lf->queue;
        lf->queue = pkt->next;
        released_plain |= !pkt->held;
        link_fault_release(lf, pkt);
    }
    /* A delayed packet is a successor too: packets held behind it follow it out. */
    if (released_plain) {
        struct link_fault_pkt *held;
        while ((held = link_fault_take_held(lf)) != NULL) {
            link_fault_release(lf, held);
        }
    }
    link_fault_arm(lf);
}

static void link_fault_arm(struct link_fault *lf)
{
    if (!lf->timer_active || uv_is_closing((uv_handle_t *)&lf->timer)) {
        return;
    }
    if (lf->queue == NULL) {
        uv_timer_stop(&lf->timer);
        return;
    }
    uint64_t now = uv_now(lf->loop);
    uint64_t due = lf->queue->due;
    uv_timer_start(&lf->timer, link_fault_timer_cb, due > now ? due - now : 0, 0);
}

/* Queues a copy of a packet by due time (stable: equal due times keep their order). */
static int link_fault_enqueue(struct link_fault *lf, const struct sockaddr *addr,
                              const uint8_t *buf, size_t len, uint64_t due, int held)
{
    struct link_fault_pkt *pkt = malloc(sizeof(*pkt) + len);
    struct link_fault_pkt **pp;

    if (pkt == NULL) {
        return BO_ENOMEM;
    }
    memset(pkt, 0, sizeof(*pkt));
    pkt->due = due;
    pkt->held = held;
    pkt->len = len;
    memcpy(pkt->data, buf, len);
    memcpy(&pkt->addr, addr,
           addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    for (pp = &lf->queue; *pp != NULL && (*pp)->due <= due; pp = &(*pp)->next) {
    }
    pkt->next = *pp;
    *pp = pkt;
    lf->stats.queued++;
    link_fault_arm(lf);
    return 0;
}

int link_fault_setup(struct link_fault *lf, uv_loop_t *loop, const struct link_fault_config *cfg,
                     uint64_t tag, link_fault_deliver_fn deliver, void *ctx)
{
    lf->loop = loop;
    lf->deliver = deliver;
    lf->ctx = ctx;
    lf->tag = tag;
    link_fault_set(lf, cfg);
    if (uv_timer_init(loop, &lf->timer) != 0) {
        return BO_EOS;
    }
    lf->timer.data = lf;
    lf->timer_active = 1;
    return 0;
}

int link_fault_input(struct link_fault *lf, const struct sockaddr *addr, const uint8_t *buf,
                     size_t len)
{
    const struct link_fault_config *c = &lf->cfg;
    int copies = 1;
    int held;

    lf->stats.input++;
    /* Each fault draws from its own stream for every datagram, dropped ones included. */
    int drop = link_fault_draw(lf, LF_DRAW_DROP, c->drop_n);
    int dup = link_fault_draw(lf, LF_DRAW_DUP, c->dup_n);
    int reorder = link_fault_draw(lf, LF_DRAW_REORDER, c->reorder_n);

    if (c->mtu != 0 && len > c->mtu) {
        lf->stats.too_big++;
        return 1;
    }
    if (drop) {
        lf->stats.dropped++;
        return 1;
    }
    if (dup) {
        lf->stats.duplicated++;
        copies = 2;
    }
    held = reorder && lf->timer_active;
    if (held) {
        lf->stats.reordered++;
    }
    if (!held && (c->delay_ms == 0 || !lf->timer_active)) {
        link_fault_deliver_now(lf, addr, buf, len, copies);
        return 0;
    }
    uint64_t now = uv_now(lf->loop);
    uint64_t due = now + c->delay_ms + (held ? LINK_FAULT_HOLD_MS : 0);
    if (c->delay_ms != 0) {
        lf->stats.delayed++;
    }
    for (int i = 0; i < copies; i++) {
        int rc = link_fault_enqueue(lf, addr, buf, len, due, held);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

void link_fault_stats(const struct link_fault *lf, struct link_fault_stats *st)
{
    *st = lf->stats;
}

static void link_fault_closed_cb(uv_handle_t *handle)
{
    struct link_fault *lf = handle->data;

    lf->timer_active = 0;
    if (lf->closed != NULL) {
        void (*closed)(void *arg) = lf->closed;
        lf->closed = NULL;
        closed(lf->closed_arg);
    }
}

void link_fault_close(struct link_fault *lf, void (*closed)(void *arg), void *arg)
{
    while (lf->queue != NULL) {
        struct link_fault_pkt *pkt = lf->queue;
        lf->queue = pkt->next;
        lf->stats.queued--;
        lf->stats.discarded++;
        free(pkt);
    }
    if (!lf->timer_active) {
        if (closed != NULL) {
            closed(arg);
        }
        return;
    }
    if (lf->closed != NULL || uv_is_closing((uv_handle_t *)&lf->timer)) {
        return;
    }
    lf->closed = closed;
    lf->closed_arg = arg;
    uv_close((uv_handle_t *)&lf->timer, link_fault_closed_cb);
}
