/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the DTLS server on libuv, against real Mbed TLS clients (dtls_server_peer) running in
 * threads beside the server's loop: PSK and certificate handshakes with echo, cookies before
 * any session, refused credentials, the session cap, the idle reaper, link faults, garbage,
 * Connection ID migration and the heap budget.
 *
 * With "--serve psk|cert PORT_FILE [SECONDS]" the program is instead an echo server for
 * tests/scripts/test_dtls_openssl.sh (real peers such as openssl s_client).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbedtls/platform.h"

#include "bo_err.h"
#include "dtls_server.h"
#include "dtls_server_peer.h"

#define PSK_ID "brownout-test"
#define PSK_HEX "000102030405060708090a0b0c0d0e0f"

static char pki_dir[512];

static const char *pki(const char *name)
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

static void fx_on_data(void *ctx, uint32_t session, const uint8_t *buf, size_t len)
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

static void fx_on_close(void *ctx, uint32_t session)
{
    struct fx *f = ctx;

    (void)session;
    f->closes++;
}

static void fx_async(uv_async_t *a)
{
    struct fx *f = a->data;

    if (atomic_load(&f->running) == 0) {
        uv_stop(&f->loop);
    }
}

static void fx_base_config(struct fx *f)
{
    memset(&f->cfg, 0, sizeof(f->cfg));
    f->cfg.max_sessions = 8;
    f->cfg.hs_timeout_min_ms = 100;
    f->cfg.hs_timeout_max_ms = 1600;
    f->cfg.seeded = true;
    f->cfg.seed = 1;
    f->cfg.name = "test";
}

static void fx_psk(struct fx *f)
{
    f->cfg.psk_identity = PSK_ID;
    f->cfg.psk_hex = PSK_HEX;
}

static void fx_cert(struct fx *f, bool require_client)
{
    f->cfg.cert_file = pki("device-chain.pem");
    f->cfg.key_file = pki("device.key");
    f->cfg.ca_file = pki("ca.pem");
    f->cfg.require_client_cert = require_client;
}

static int fx_start(struct fx *f)
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

static void fx_closed(void *arg)
{
    struct fx *f = arg;

    f->closed = 1;
}

static void fx_stop(struct fx *f)
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
    int rc;                 /* Result of the handshake. */
    int echo_ok;            /* Echoes received. */
    int hold_ms;            /* Keep the session open this long after the echo. */
    int rebind;             /* Change the local port between two echoes. */
    int delay_ms;           /* Wait this long before starting. */
    int cid;                /* A CID was negotiated. */
    int last_error;         /* The peer's last Mbed TLS error. */
};

static void fx_thread_done(struct fx *f)
{
    atomic_fetch_sub(&f->running, 1);
    uv_async_send(&f->async);
}

static void *job_main(void *arg)
{
    struct job *j = arg;

    j->fn(j);
    fx_thread_done(j->f);
    return NULL;
}

/* Runs the jobs in threads while the loop serves, until every job has finished. */
static void fx_run_jobs(struct fx *f, struct job *jobs, int n)
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

static void fx_run_for(struct fx *f, uint64_t ms);

/* Sends a message and waits for its echo, resending a few times (links may drop records). */
static int peer_echo(struct dtls_server_peer *p, const char *msg)
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

static void job_handshake_echo(struct job *j)
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

static void psk_peer(struct job *j)
{
    memset(j, 0, sizeof(*j));
    j->fn = job_handshake_echo;
    j->pc.psk_identity = PSK_ID;
    j->pc.psk_hex = PSK_HEX;
    j->pc.deadline_ms = 8000;
}

static void cert_peer(struct job *j, const char *cert, const char *key)
{
    memset(j, 0, sizeof(*j));
    j->fn = job_handshake_echo;
    j->pc.ca_file = pki("ca.pem");
    j->pc.cert_file = cert != NULL ? pki(cert) : NULL;
    j->pc.key_file = key != NULL ? pki(key) : NULL;
    j->pc.server_name = "localhost";
    j->pc.deadline_ms = 8000;
}

static void test_psk_echo(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j;

    fx_base_config(f);
    fx_psk(f);
    assert_int_equal(fx_start(f), 0);
    psk_peer(&j);
    fx_run_jobs(f, &j, 1);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.echo_ok, 1);
    fx_run_for(f, 20);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_ok, 1);
    assert_int_equal(st.handshakes_failed, 0);
    assert_true(st.cookies_sent >= 1);
    assert_int_equal(f->datas, 1);
    assert_int_equal(st.peer_closes, 1);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(f->closes, 1);
    assert_true(st.session_peak_max > 4096);
    assert_true(st.heap_peak >= st.session_peak_max);
    fx_stop(f);
}

static void test_cert_echo(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[2];

    fx_base_config(f);
    fx_cert(f, true);
    assert_int_equal(fx_start(f), 0);
    cert_peer(&j[0], "client.pem", "client.key");
    cert_peer(&j[1], "client.pem", "client.key");
    j[1].hold_ms = 100;
    fx_run_jobs(f, j, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(j[i].rc, 0);
    }
    assert_int_equal(j[0].echo_ok, 1);
    assert_int_equal(j[1].echo_ok, 2);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_ok, 2);
    assert_int_equal(st.sessions_peak, 2);
    fx_stop(f);
}

static void test_refused_credentials(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[4];

    fx_base_config(f);
    fx_psk(f);
    fx_cert(f, true);
    assert_int_equal(fx_start(f), 0);
    /* An untrusted client certificate, no certificate at all, an unknown PSK identity. */
    cert_peer(&j[0], "other-client.pem", "other-client.key");
    cert_peer(&j[1], NULL, NULL);
    psk_peer(&j[2]);
    j[2].pc.psk_identity = "nobody";
    /* And the right PSK still works on the same server. */
    psk_peer(&j[3]);
    fx_run_jobs(f, j, 4);
    assert_int_equal(j[0].rc, BO_EPROTO);
    assert_int_equal(j[1].rc, BO_EPROTO);
    assert_int_equal(j[2].rc, BO_EPROTO);
    assert_int_equal(j[3].rc, 0);
    assert_int_equal(j[3].echo_ok, 1);
    fx_run_for(f, 20);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_failed, 3);
    assert_int_equal(st.handshakes_ok, 1);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(f->datas, 1);
    fx_stop(f);
}

/* A raw ClientHello (DTLS 1.2, one PSK suite), with the given cookie (at most 32 bytes). */
static size_t make_hello(uint8_t *out, const uint8_t *cookie, size_t clen, uint8_t seq)
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
    p[0] = 1;                          /* client_hello */
    p[3] = p[11] = (uint8_t)body;      /* length and fragment length; offsets are 0 */
    p += 12;
    p[0] = 0xfe;
    p[1] = 0xfd;
    for (int i = 0; i < 32; i++) {
        p[2 + i] = (uint8_t)(i * 7 + seq);
    }
    p += 35;                           /* the empty session id included */
    *p++ = (uint8_t)clen;
    if (clen > 0) {
        memcpy(p, cookie, clen);
        p += clen;
    }
    static const uint8_t tail[] = { 0, 2, 0xc0, 0xa8, 1, 0 }; /* PSK-AES128-CCM8, null */
    memcpy(p, tail, sizeof(tail));
    return 13 + 12 + body;
}

static int raw_socket(struct fx *f)
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

static void job_raw_hellos(struct job *j)
{
    int fd = raw_socket(j->f);
    uint8_t hello[256], reply[512], cookie[32];
    struct timeval tv = { 1, 0 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* No cookie: a HelloVerifyRequest comes back. */
    size_t n = make_hello(hello, NULL, 0, 0);
    send(fd, hello, n, 0);
    ssize_t r = recv(fd, reply, sizeof(reply), 0);
    if (r > 25 && reply[0] == 22 && reply[13] == 3) {
        j->echo_ok++;
    }
    /* A forged cookie: another HelloVerifyRequest, still no session. */
    memset(cookie, 0x5a, sizeof(cookie));
    n = make_hello(hello, cookie, sizeof(cookie), 1);
    send(fd, hello, n, 0);
    r = recv(fd, reply, sizeof(reply), 0);
    if (r > 25 && reply[0] == 22 && reply[13] == 3) {
        j->echo_ok++;
    }
    close(fd);
}

static void test_no_cookie_no_session(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[8];

    fx_base_config(f);
    fx_psk(f);
    assert_int_equal(fx_start(f), 0);
    for (int i = 0; i < 8; i++) {
        memset(&j[i], 0, sizeof(j[i]));
        j[i].fn = job_raw_hellos;
    }
    fx_run_jobs(f, j, 8);
    dtls_server_stats(&f->srv, &st);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(j[i].echo_ok, 2);
    }
    assert_int_equal(st.cookies_sent, 16);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(st.sessions_peak, 0);
    assert_int_equal(st.handshakes_ok + st.handshakes_failed, 0);
    /* Sixteen unverified peers cost no more than the one gate context. */
    size_t live = st.heap_live;
    memset(&j[0], 0, sizeof(j[0]));
    j[0].fn = job_raw_hellos;
    fx_run_jobs(f, j, 1);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.heap_live, live);
    fx_stop(f);
}

static void test_session_cap(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[3];

    fx_base_config(f);
    fx_psk(f);
    f->cfg.max_sessions = 2;
    assert_int_equal(fx_start(f), 0);
    psk_peer(&j[0]);
    psk_peer(&j[1]);
    j[0].hold_ms = j[1].hold_ms = 1200;
    /* The third arrives while the two hold their sessions: refused at once, with an alert. */
    psk_peer(&j[2]);
    j[2].delay_ms = 500;
    fx_run_jobs(f, j, 3);
    assert_int_equal(j[0].rc, 0);
    assert_int_equal(j[1].rc, 0);
    assert_int_equal(j[2].rc, BO_EPROTO);
    assert_int_equal(j[2].last_error, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE);
    /* The existing sessions kept working after the refusal. */
    assert_int_equal(j[0].echo_ok, 2);
    assert_int_equal(j[1].echo_ok, 2);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.handshakes_ok, 2);
    assert_int_equal(st.sessions_peak, 2);
    /* Once they are gone, a new peer gets in. */
    fx_run_for(f, 20);
    psk_peer(&j[0]);
    fx_run_jobs(f, j, 1);
    assert_int_equal(j[0].rc, 0);
    assert_int_equal(j[0].echo_ok, 1);
    fx_stop(f);
}

static void test_idle_reaper(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j;

    fx_base_config(f);
    fx_psk(f);
    f->cfg.idle_timeout_ms = 200;
    assert_int_equal(fx_start(f), 0);
    psk_peer(&j);
    j.hold_ms = 700;
    fx_run_jobs(f, &j, 1);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.echo_ok, 1); /* The echo after the idle period never comes. */
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.idle_closes, 1);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(f->closes, 1);
    fx_stop(f);
}

static void test_link_faults(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[6];
    char err[128];

    fx_base_config(f);
    fx_psk(f);
    fx_cert(f, true);
    /*
     * A round trip survives drop=5 both ways with p = 0.64; nine tries per flight (50 ms to
     * 12.8 s) make a failed handshake about 3e-4 likely, so the test is not flaky.
     */
    f->cfg.hs_timeout_min_ms = 50;
    f->cfg.hs_timeout_max_ms = 12800;
    assert_int_equal(link_fault_parse(&f->cfg.link, "drop=5,duplicate=5,reorder=4,seed=7", err,
                                      sizeof(err)), 0);
    assert_int_equal(fx_start(f), 0);
    for (int i = 0; i < 6; i++) {
        if (i < 4) {
            psk_peer(&j[i]);
        } else {
            cert_peer(&j[i], "client.pem", "client.key");
        }
        j[i].pc.hs_timeout_min_ms = 50;
        j[i].pc.hs_timeout_max_ms = 12800;
        j[i].pc.deadline_ms = 40000;
    }
    fx_run_jobs(f, j, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(j[i].rc, 0);
        assert_int_equal(j[i].echo_ok, 1);
    }
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_ok, 6);
    assert_true(st.link_dropped > 0);
    struct link_fault_stats in, out;
    link_fault_stats(&f->srv.link_in, &in);
    link_fault_stats(&f->srv.link_out, &out);
    assert_true(in.duplicated + out.duplicated > 0);
    assert_true(in.reordered + out.reordered > 0);
    /* The link can be made perfect at run time. */
    struct link_fault_config none = { 0 };
    assert_int_equal(dtls_server_link(&f->srv)->drop_n, 5);
    assert_int_equal(dtls_server_set_link(&f->srv, &none), 0);
    assert_int_equal(dtls_server_link(&f->srv)->drop_n, 0);
    psk_peer(&j[0]);
    fx_run_jobs(f, j, 1);
    assert_int_equal(j[0].rc, 0);
    fx_stop(f);
}

static void job_garbage(struct job *j)
{
    int fd = raw_socket(j->f);
    uint8_t buf[512];
    uint64_t x = 0x9e3779b97f4a7c15ull;

    for (int i = 0; i < 10000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = 1 + (size_t)(x % 300);
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[k] = (uint8_t)x;
        }
        if (i % 4 == 0 && len > 30) {
            /* Looks like a ClientHello to the first filter; garbage after that. */
            buf[0] = 22;
            buf[1] = 0xfe;
            buf[2] = 0xfd;
            buf[3] = 0;
            buf[4] = 0;
            buf[13] = 1;
        } else if (i % 4 == 1 && len > 30) {
            /* A CID record with a random CID, and an application data record. */
            buf[0] = (i & 8) ? 25 : 23;
            buf[1] = 0xfe;
            buf[2] = 0xfd;
        }
        send(fd, buf, len, 0);
        if (i % 200 == 199) {
            usleep(2000);
        }
    }
    close(fd);
}

static void test_garbage(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j[2];

    fx_base_config(f);
    fx_psk(f);
    f->cfg.cid = true;
    assert_int_equal(fx_start(f), 0);
    /* An established session, then a flood of garbage, then a new peer and the old one. */
    psk_peer(&j[0]);
    j[0].hold_ms = 1500;
    memset(&j[1], 0, sizeof(j[1]));
    j[1].fn = job_garbage;
    j[1].delay_ms = 300;
    fx_run_jobs(f, j, 2);
    assert_int_equal(j[0].rc, 0);
    assert_int_equal(j[0].echo_ok, 2);
    dtls_server_stats(&f->srv, &st);
    assert_true(st.dgrams_in > 5000);
    assert_true(st.dgrams_dropped > 5000);
    assert_int_equal(st.handshakes_ok, 1);
    assert_int_equal(st.handshakes_failed, 0);
    psk_peer(&j[0]);
    fx_run_jobs(f, j, 1);
    assert_int_equal(j[0].rc, 0);
    assert_int_equal(j[0].echo_ok, 1);
    fx_stop(f);
}

static void test_cid_migration(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j;

    fx_base_config(f);
    fx_psk(f);
    f->cfg.cid = true;
    assert_int_equal(fx_start(f), 0);
    psk_peer(&j);
    j.pc.cid = true;
    j.rebind = 1;
    fx_run_jobs(f, &j, 1);
    assert_int_equal(j.rc, 0);
    assert_true(j.cid);
    assert_int_equal(j.echo_ok, 2);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.cid_migrations, 1);
    assert_int_equal(st.handshakes_ok, 1);
    fx_stop(f);
}

/* A peer restarts from the same address without closing: the old session makes way. */
static void job_restart(struct job *j)
{
    struct dtls_server_peer a, b;

    j->pc.port = (uint16_t)dtls_server_port(&j->f->srv);
    dtls_server_peer_init(&a);
    dtls_server_peer_init(&b);
    if (dtls_server_peer_setup(&a, &j->pc) == 0 && dtls_server_peer_handshake(&a) == 0) {
        j->echo_ok += peer_echo(&a, "first life");
        j->pc.local_port = (uint16_t)dtls_server_peer_local_port(&a);
        /* Power loss: no close_notify, and the new life binds the same port again. */
        dtls_server_peer_free(&a);
        j->rc = dtls_server_peer_setup(&b, &j->pc);
        if (j->rc == 0) {
            j->rc = dtls_server_peer_handshake(&b);
        }
        if (j->rc == 0) {
            j->echo_ok += peer_echo(&b, "second life");
        }
    } else {
        j->rc = BO_EIO;
    }
    dtls_server_peer_free(&b);
    dtls_server_peer_free(&a);
}

static void test_client_restart(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j;

    fx_base_config(f);
    fx_psk(f);
    assert_int_equal(fx_start(f), 0);
    psk_peer(&j);
    j.fn = job_restart;
    fx_run_jobs(f, &j, 1);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.echo_ok, 2);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_ok, 2);
    assert_int_equal(st.peer_closes, 1);
    assert_int_equal(st.sessions, 1);
    assert_int_equal(f->closes, 1);
    fx_stop(f);
}

static void test_heap_budget(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct job j;

    fx_base_config(f);
    fx_cert(f, false);
    assert_int_equal(fx_start(f), 0);
    /* Room for the gate but not for a whole ECDHE-ECDSA handshake. */
    f->srv.heap.budget = f->srv.heap.live_bytes + 11500;
    cert_peer(&j, NULL, NULL);
    j.pc.hs_timeout_max_ms = 400;
    j.pc.deadline_ms = 3000;
    fx_run_jobs(f, &j, 1);
    assert_int_not_equal(j.rc, 0);
    dtls_server_stats(&f->srv, &st);
    assert_true(st.alloc_failures > 0);
    assert_int_equal(st.handshakes_ok, 0);
    assert_int_equal(st.sessions, 0);
    assert_true(st.heap_live <= f->srv.heap.budget);
    /* With the budget lifted the same device serves again. */
    f->srv.heap.budget = 0;
    cert_peer(&j, NULL, NULL);
    fx_run_jobs(f, &j, 1);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.echo_ok, 1);
    dtls_server_stats(&f->srv, &st);
    print_message("session peak (ECDHE-ECDSA): %zu bytes; device heap peak %zu\n",
                  st.session_peak_max, st.heap_peak);
    fx_stop(f);
}

static void fx_run_timer_cb(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs the loop for ms milliseconds. */
static void fx_run_for(struct fx *f, uint64_t ms)
{
    uv_timer_t t;

    uv_timer_init(&f->loop, &t);
    uv_timer_start(&t, fx_run_timer_cb, ms, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    *state = f;
    return f == NULL ? -1 : 0;
}

static int fx_teardown(void **state)
{
    free(*state);
    return 0;
}

/* --serve: an echo server for real peers, until SIGTERM/SIGINT or the time limit. */
static void serve_stop(struct fx *f)
{
    uv_stop(&f->loop);
}

static void serve_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    serve_stop(sig->data);
}

static void serve_timeout(uv_timer_t *t)
{
    serve_stop(t->data);
}

static int serve(const char *mode, const char *port_file, const char *seconds)
{
    static struct fx f;
    struct dtls_server_app app = { &f, fx_on_data, fx_on_close };
    uv_signal_t sigterm, sigint;
    uv_timer_t limit;
    FILE *out;
    int rc;

    fx_base_config(&f);
    f.cfg.seeded = false;
    f.cfg.hs_timeout_min_ms = 1000;
    f.cfg.idle_timeout_ms = 60000;
    if (strcmp(mode, "psk") == 0) {
        fx_psk(&f);
        /* Tools that take the key as text (libcoap's -k) need a printable one. */
        if (getenv("DTLS_PSK_HEX") != NULL) {
            f.cfg.psk_hex = getenv("DTLS_PSK_HEX");
        }
    } else if (strcmp(mode, "cert") == 0) {
        fx_cert(&f, true);
    } else {
        fprintf(stderr, "--serve psk|cert PORT_FILE [SECONDS]\n");
        return 2;
    }
    uv_loop_init(&f.loop);
    dtls_server_init(&f.srv);
    rc = dtls_server_setup(&f.srv, &f.loop, &f.cfg, &app);
    if (rc < 0) {
        fprintf(stderr, "dtls_server_setup: %s\n", bo_strerror(rc));
        return 1;
    }
    out = fopen(port_file, "w");
    if (out == NULL) {
        return 1;
    }
    fprintf(out, "%d\n", dtls_server_port(&f.srv));
    fclose(out);
    uv_signal_init(&f.loop, &sigterm);
    uv_signal_init(&f.loop, &sigint);
    sigterm.data = sigint.data = &f;
    uv_signal_start(&sigterm, serve_signal, SIGTERM);
    uv_signal_start(&sigint, serve_signal, SIGINT);
    uv_timer_init(&f.loop, &limit);
    limit.data = &f;
    uv_timer_start(&limit, serve_timeout, (uint64_t)(seconds != NULL ? atoi(seconds) : 60) * 1000,
                   0);
    uv_run(&f.loop, UV_RUN_DEFAULT);

    struct dtls_server_stats st;
    dtls_server_stats(&f.srv, &st);
    printf("handshakes_ok=%llu handshakes_failed=%llu cookies_sent=%llu echoed=%d\n",
           (unsigned long long)st.handshakes_ok, (unsigned long long)st.handshakes_failed,
           (unsigned long long)st.cookies_sent, f.datas);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&limit, NULL);
    dtls_server_close(&f.srv, NULL, NULL);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    uv_loop_close(&f.loop);
    return 0;
}

int main(int argc, char **argv)
{
    const char *root = getenv("BROWNOUT_ROOT");
    mbedtls_platform_context platform;

    snprintf(pki_dir, sizeof(pki_dir), "%s/fixtures/pki", root != NULL ? root : ".");
    memset(&platform, 0, sizeof(platform));
    if (mbedtls_platform_setup(&platform) != 0) {
        return 1;
    }
    if (argc >= 4 && strcmp(argv[1], "--serve") == 0) {
        int rc = serve(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
        mbedtls_platform_teardown(&platform);
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_psk_echo, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cert_echo, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_refused_credentials, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_no_cookie_no_session, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_session_cap, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_idle_reaper, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_link_faults, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_garbage, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cid_migration, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_client_restart, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_heap_budget, fx_setup, fx_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mbedtls_platform_teardown(&platform);
    return rc;
}
