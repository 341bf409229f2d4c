/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The session map of a DTLS server: three chained hash tables over the same sessions (by peer
 * address, by our Connection ID once negotiated, by session id) and a list of all of them.
 * Chains are intrusive (links in struct dtls_session), so adding never allocates.
 */
#include "dtls/dtls_server_int.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

/* FNV-1a over bytes, then folded to the bucket count. */
static size_t dtls_server_map_hash(const struct dtls_server *srv, const uint8_t *p, size_t n,
                                   uint64_t salt)
{
    uint64_t h = 0xcbf29ce484222325ull ^ salt;

    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    return (size_t)h & (srv->nbuckets - 1);
}

static size_t dtls_server_map_addr_hash(const struct dtls_server *srv, const struct sockaddr *addr)
{
    if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
        uint8_t key[18];
        memcpy(key, &a->sin6_addr, 16);
        memcpy(key + 16, &a->sin6_port, 2);
        return dtls_server_map_hash(srv, key, sizeof(key), 6);
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
    uint8_t key[6];
    memcpy(key, &a->sin_addr, 4);
    memcpy(key + 4, &a->sin_port, 2);
    return dtls_server_map_hash(srv, key, sizeof(key), 4);
}

static size_t dtls_server_map_id_hash(const struct dtls_server *srv, uint32_t id)
{
    uint8_t key[4] = { (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16), (uint8_t)(id >> 24) };

    return dtls_server_map_hash(srv, key, sizeof(key), 1);
}

int dtls_server_map_setup(struct dtls_server *srv, uint32_t max_sessions)
{
    size_t n = 16;

    while (n < (size_t)max_sessions * 2 && n < ((size_t)1 << 20)) {
        n *= 2;
    }
    srv->by_addr = calloc(n, sizeof(*srv->by_addr));
    srv->by_cid = calloc(n, sizeof(*srv->by_cid));
    srv->by_id = calloc(n, sizeof(*srv->by_id));
    if (srv->by_addr == NULL || srv->by_cid == NULL || srv->by_id == NULL) {
        dtls_server_map_free(srv);
        return BO_ENOMEM;
    }
    srv->nbuckets = n;
    return 0;
}

void dtls_server_map_free(struct dtls_server *srv)
{
    free(srv->by_addr);
    free(srv->by_cid);
    free(srv->by_id);
    srv->by_addr = NULL;
    srv->by_cid = NULL;
    srv->by_id = NULL;
    srv->nbuckets = 0;
}

void dtls_server_map_add(struct dtls_server *srv, struct dtls_session *s)
{
    size_t b;

    s->prev = NULL;
    s->next = srv->sessions;
    if (srv->sessions != NULL) {
        srv->sessions->prev = s;
    }
    srv->sessions = s;
    s->in_list = 1;

    b = dtls_server_map_id_hash(srv, s->id);
    s->next_id = srv->by_id[b];
    srv->by_id[b] = s;

    b = dtls_server_map_addr_hash(srv, (const struct sockaddr *)&s->peer);
    s->next_addr = srv->by_addr[b];
    srv->by_addr[b] = s;
    s->in_addr_map = 1;
}

void dtls_server_map_add_cid(struct dtls_server *srv, struct dtls_session *s)
{
    size_t b = dtls_server_map_hash(srv, s->cid, sizeof(s->cid), 8);

    if (s->in_cid_map) {
        return;
    }
    s->next_cid = srv->by_cid[b];
    srv->by_cid[b] = s;
    s->in_cid_map = 1;
}

static void dtls_server_map_unlink_addr(struct dtls_server *srv, struct dtls_session *s)
{
    size_t b = dtls_server_map_addr_hash(srv, (const struct sockaddr *)&s->peer);

    for (struct dtls_session **pp = &srv->by_addr[b]; *pp != NULL; pp = &(*pp)->next_addr) {
        if (*pp == s) {
            *pp = s->next_addr;
            break;
        }
    }
    s->in_addr_map = 0;
}

void dtls_server_map_remove(struct dtls_server *srv, struct dtls_session *s)
{
    size_t b;

    if (!s->in_list) {
        return;
    }
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        srv->sessions = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->in_list = 0;

    b = dtls_server_map_id_hash(srv, s->id);
    for (struct dtls_session **pp = &srv->by_id[b]; *pp != NULL; pp = &(*pp)->next_id) {
        if (*pp == s) {
            *pp = s->next_id;
            break;
        }
    }
    if (s->in_addr_map) {
        dtls_server_map_unlink_addr(srv, s);
    }
    if (s->in_cid_map) {
        b = dtls_server_map_hash(srv, s->cid, sizeof(s->cid), 8);
        for (struct dtls_session **pp = &srv->by_cid[b]; *pp != NULL; pp = &(*pp)->next_cid) {
            if (*pp == s) {
                *pp = s->next_cid;
                break;
            }
        }
        s->in_cid_map = 0;
    }
}

void dtls_server_map_move(struct dtls_server *srv, struct dtls_session *s,
                          const struct sockaddr *addr)
{
    size_t b;

    if (s->in_addr_map) {
        dtls_server_map_unlink_addr(srv, s);
    }
    memset(&s->peer, 0, sizeof(s->peer));
    memcpy(&s->peer, addr, dtls_server_addr_len(addr));
    b = dtls_server_map_addr_hash(srv, addr);
    s->next_addr = srv->by_addr[b];
    srv->by_addr[b] = s;
    s->in_addr_map = 1;
}

struct dtls_session *dtls_server_map_by_addr(const struct dtls_server *srv,
                                             const struct sockaddr *addr)
{
    if (srv->nbuckets == 0) {
        return NULL;
    }
    size_t b = dtls_server_map_addr_hash(srv, addr);
    for (struct dtls_session *s = srv->by_addr[b]; s != NULL; s = s->next_addr) {
        if (dtls_server_addr_equal((const struct sockaddr *)&s->peer, addr)) {
            return s;
        }
    }
    return NULL;
}

struct dtls_session *dtls_server_map_by_cid(const struct dtls_server *srv, const uint8_t *cid)
{
    if (srv->nbuckets == 0) {
        return NULL;
    }
    size_t b = dtls_server_map_hash(srv, cid, DTLS_SERVER_CID_LEN, 8);
    for (struct dtls_session *s = srv->by_cid[b]; s != NULL; s = s->next_cid) {
        if (memcmp(s->cid, cid, DTLS_SERVER_CID_LEN) == 0) {
            return s;
        }
    }
    return NULL;
}

struct dtls_session *dtls_server_map_by_id(const struct dtls_server *srv, uint32_t id)
{
    if (srv->nbuckets == 0) {
        return NULL;
    }
    size_t b = dtls_server_map_id_hash(srv, id);
    for (struct dtls_session *s = srv->by_id[b]; s != NULL; s = s->next_id) {
        if (s->id == id) {
            return s;
        }
    }
    return NULL;
}
