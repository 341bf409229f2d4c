/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by test_dtls_server.c and test_dtls_server_faults.c: a DTLS server echoing data on a
 * libuv loop in the test's thread, and client jobs (dtls_server_peer, real Mbed TLS clients) run
 * in threads beside it. Everything here is static inline so that each test includes only what
 * it uses.
 */
#ifndef TEST_DTLS_SERVER_FX_H
#define TEST_DTLS_SERVER_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbedtls/platform.h"

#include "bo_err.h"
#include "dtls/dtls_server.h"
#include "dtls/dtls_server_peer.h"

#define PSK_ID "brownout-test"
#define PSK_HEX "000102030405060708090a0b0c0d0e0f"

static char pki_dir[512];

static inline const char *pki(const char *name)
{
    static _Thread_local char path[64][640];
    static _Thread_local int next;
    char *p = path[next++ % 64];

    snprintf(p, sizeof(path[0]), "%s/%s", pki_dir, name);
    return p;
}

/* The server side of a test: a loop, a server echoing data, and thread bookkeeping. */
struct fx {
    uv_loop_t loop;
    struct dtls_server srv;
    struct dtls_server_config cfg;
    uv_async_t async;
    atomic_int running;
    int closes;
    int datas;
    int closed;
};

static inline void fx_on_data(void *ctx, uint32_t session, const uint8_t *buf, size_t len)
{
    struct fx *f = ctx;
    size_t live = 0, peak = 0;

    /* Each session's heap is its own: live within peak, both above the record buffers. */
    assert_int_equal(dtls_server_session_heap(&f->srv, session, &live, &peak), 0);
    assert_true(live > 6144 && live <= peak);
    assert_int_equal(dtls_server_session_heap(&f->srv, 0, &live, &peak), BO_ENOENT);
    f->datas++;
    (void)dtls_server_send(&f->srv, session, buf, len);
}

static inline void fx_on_close(void *ctx, uint32_t session)
{
    struct fx *f = ctx;

    (void)session;
    f->closes++;
}

static inline void fx_async(uv_async_t *a)
{
    struct fx *f = a->data;

    if (atomic_load(&f->running) == 0) {
        uv_stop(&f->loop);
    }
}

static inline void fx_base_config(struct fx *f)
{
    memset(&f->cfg, 0, sizeof(f->cfg));
    f->cfg.max_sessions = 8;
    f->cfg.hs_timeout_min_ms = 100;
    f->cfg.hs_timeout_max_ms = 1600;
    f->cfg.seeded = true;
    f->cfg.seed = 1;
    f->cfg.name = "test";
}

static inline void fx_psk(struct fx *f)
{
    f->cfg.psk_identity = PSK_ID;
    f->cfg.psk_hex = PSK_HEX;
}

static inline void fx_cert(struct fx *f, bool require_client)
{
    f->cfg.cert_file = pki("device-chain.pem");
    f->cfg.key_file = pki("device.key");
    f->cfg.ca_file = pki("ca.pem");
    f->cfg.require_client_cert = require_client;
}

static inline int fx_start(struct fx *f)
{
    struct dtls_server_app app = { f, fx_on_data, fx_on_close };

    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(uv_async_init(&f->loop, &f->async, fx_async), 0);
    f->async.data = f;
    dtls_server_init(&f->srv);
    int rc = dtls_server_setup(&f->srv, &f->loop, &f->cfg, &app);
    if (rc == 0) {
        assert_true(dtls_server_port(&f->srv) > 0);
    }
    return rc;
}

static inline void fx_closed(void *arg)
{
    struct fx *f = arg;

    f->closed = 1;
}

static inline void fx_stop(struct fx *f)
{
    dtls_server_close(&f->srv, fx_closed, f);
    uv_close((uv_handle_t *)&f->async, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(f->closed);
    assert_int_equal(f->srv.heap.live_bytes, 0);
    assert_int_equal(uv_loop_close(&f->loop), 0);
}

/* A client thread's job. */
struct job {
    struct fx *f;
    void (*fn)(struct job *j);
    struct dtls_server_peer_config pc;
    int rc;         /* Result of the handshake. */
    int echo_ok;    /* Echoes received. */
    int hold_ms;    /* Keep the session open this long after the echo. */
    int rebind;     /* Change the local port between two echoes. */
    int delay_ms;   /* Wait this long before starting. */
    int cid;        /* A CID was negotiated. */
    int last_error; /* The peer's last Mbed TLS error. */
    int suite;      /* The ciphersuite negotiated. */
    void *arg;      /* For the job's function. */
};

static inline void fx_thread_done(struct fx *f)
{
    atomic_fetch_sub(&f->running, 1);
    uv_async_send(&f->async);
}

static inline void *job_main(void *arg)
{
    struct job *j = arg;

    j->fn(j);
    fx_thread_done(j->f);
    return NULL;
}

/* Runs the jobs in threads while the loop serves, until every job has finished. */
static inline void fx_run_jobs(struct fx *f, struct job *jobs, int n)
{
    pthread_t t[64];

    assert_true(n <= 64);
    atomic_store(&f->running, n);
    for (int i = 0; i < n; i++) {
        jobs[i].f = f;
        assert_int_equal(pthread_create(&t[i], NULL, job_main, &jobs[i]), 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT);
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
    }
}

static inline void fx_run_for(struct fx *f, uint64_t ms);

/* Sends a message and waits for its echo, resending a few times (links may drop records). */
static inline int peer_echo(struct dtls_server_peer *p, const char *msg)
{
    uint8_t buf[256];

    for (int attempt = 0; attempt < 10; attempt++) {
        if (dtls_server_peer_send(p, (const uint8_t *)msg, strlen(msg)) != 0) {
            return 0;
        }
        int n = dtls_server_peer_recv(p, buf, sizeof(buf), 400);
        if (n == (int)strlen(msg) && memcmp(buf, msg, (size_t)n) == 0) {
            return 1;
        }
        if (n != BO_ETIMEDOUT) {
            return 0;
        }
    }
    return 0;
}

static inline void job_handshake_echo(struct job *j)
{
    struct dtls_server_peer p;

    if (j->delay_ms > 0) {
        usleep((useconds_t)j->delay_ms * 1000);
    }
    dtls_server_peer_init(&p);
    j->pc.port = (uint16_t)dtls_server_port(&j->f->srv);
    j->rc = dtls_server_peer_setup(&p, &j->pc);
    if (j->rc == 0) {
        j->rc = dtls_server_peer_handshake(&p);
        j->last_error = p.last_error;
    }
    if (j->rc == 0) {
        j->cid = dtls_server_peer_has_cid(&p);
        j->suite = mbedtls_ssl_get_ciphersuite_id_from_ssl(&p.ssl);
        j->echo_ok += peer_echo(&p, "hello, device");
        if (j->rebind) {
            if (dtls_server_peer_rebind(&p) == 0) {
                j->echo_ok += peer_echo(&p, "moved");
            }
        }
        if (j->hold_ms > 0) {
            usleep((useconds_t)j->hold_ms * 1000);
            j->echo_ok += peer_echo(&p, "still here");
        }
        dtls_server_peer_close(&p);
    }
    dtls_server_peer_free(&p);
}

static inline void psk_peer(struct job *j)
{
    memset(j, 0, sizeof(*j));
    j->fn = job_handshake_echo;
    j->pc.psk_identity = PSK_ID;
    j->pc.psk_hex = PSK_HEX;
    j->pc.deadline_ms = 8000;
}

static inline void cert_peer(struct job *j, const char *cert, const char *key)
{
    memset(j, 0, sizeof(*j));
    j->fn = job_handshake_echo;
    j->pc.ca_file = pki("ca.pem");
    j->pc.cert_file = cert != NULL ? pki(cert) : NULL;
    j->pc.key_file = key != NULL ? pki(key) : NULL;
    j->pc.server_name = "localhost";
    j->pc.deadline_ms = 8000;
}

/* A UDP socket connected to the server. */
static inline int raw_socket(struct fx *f)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)dtls_server_port(&f->srv));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A raw ClientHello (DTLS 1.2, one PSK suite), with the given cookie (at most 32 bytes). */
static inline size_t fx_make_hello(uint8_t *out, const uint8_t *cookie, size_t clen, uint8_t seq)
{
    /* Record header (13), handshake header (12), version and random (34), session id (1). */
    size_t body = 2 + 32 + 1 + 1 + clen + 2 + 2 + 2;
    uint8_t *p = out;

    memset(out, 0, 13 + 12 + body);
    p[0] = 22;
    p[1] = 0xfe;
    p[2] = 0xfd;
    p[10] = seq;
    p[11] = (uint8_t)((12 + body) >> 8);
    p[12] = (uint8_t)(12 + body);
    p += 13;
    p[0] = 1;                     /* client_hello */
    p[3] = p[11] = (uint8_t)body; /* length and fragment length; offsets are 0 */
    p += 12;
    p[0] = 0xfe;
    p[1] = 0xfd;
    for (int i = 0; i < 32; i++) {
        p[2 + i] = (uint8_t)(i * 7 + seq);
    }
    p += 35; /* the empty session id included */
    *p++ = (uint8_t)clen;
    if (clen > 0) {
        memcpy(p, cookie, clen);
        p += clen;
    }
    static const uint8_t tail[] = { 0, 2, 0xc0, 0xa8, 1, 0 }; /* PSK-AES128-CCM8, null */
    memcpy(p, tail, sizeof(tail));
    return 13 + 12 + body;
}

static inline void fx_run_timer_cb(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs the loop for ms milliseconds. */
static inline void fx_run_for(struct fx *f, uint64_t ms)
{
    uv_timer_t t;

    uv_timer_init(&f->loop, &t);
    uv_timer_start(&t, fx_run_timer_cb, ms, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
}

static inline int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    *state = f;
    return f == NULL ? -1 : 0;
}

static inline int fx_teardown(void **state)
{
    free(*state);
    return 0;
}

/* Points pki() at $BROWNOUT_ROOT/fixtures/pki and sets up Mbed TLS's platform. 0 or -1. */
static inline int fx_main_setup(mbedtls_platform_context *platform)
{
    const char *root = getenv("BROWNOUT_ROOT");

    snprintf(pki_dir, sizeof(pki_dir), "%s/fixtures/pki", root != NULL ? root : ".");
    memset(platform, 0, sizeof(*platform));
    return mbedtls_platform_setup(platform) == 0 ? 0 : -1;
}

#endif /* TEST_DTLS_SERVER_FX_H */
