/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the DTLS server against a flood of half-open handshakes (issue 15, item 3): a raw
 * UDP attacker without credentials sends ClientHellos that echo the HelloVerifyRequest cookie
 * and then stays silent. An established session must survive, a new legitimate handshake must
 * succeed while the flood's half-open handshakes are evicted, and half-open handshakes must
 * end at their deadline. Before the half-open budget existed, the flood took every session slot
 * and the legitimate client was refused.
 */
#include <poll.h>

#include "test_dtls_server_fx.h"

/* Half-open handshakes the attacker makes: one more than the default session cap. */
#define FLOOD_N 17

/* Shared by the jobs of a test: the step reached, in order. */
struct flood {
    atomic_int step; /* 1: holder established, 2: flood done, 3: newcomer done. */
    int admitted;    /* Attacker hellos answered with a ServerHello. */
    int refused;     /* Attacker hellos answered with an alert. */
    int alerted;     /* Attacker sockets that got an alert after their ServerHello. */
    int n;           /* Half-open handshakes to make. */
};

/* Waits (without a deadline: the jobs before always reach it) until the flood reaches step. */
static void flood_wait(struct flood *fl, int step)
{
    while (atomic_load(&fl->step) < step) {
        usleep(1000);
    }
}

/* Receives one datagram on fd within 2 s; its length, or -1. */
static ssize_t flood_recv(int fd, uint8_t *buf, size_t len)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    if (poll(&pfd, 1, 2000) != 1) {
        return -1;
    }
    return recv(fd, buf, len, 0);
}

/*
 * One half-open handshake on fd: a hello, the HelloVerifyRequest, the hello again with its
 * cookie, and the server's answer. Returns 1 (a ServerHello), 0 (an alert) or -1.
 */
static int flood_half_open(int fd)
{
    uint8_t hello[256], reply[2048];
    ssize_t r;
    size_t n = fx_make_hello(hello, NULL, 0, 0);

    send(fd, hello, n, 0);
    r = flood_recv(fd, reply, sizeof(reply));
    /* Record (13), handshake header (12), server_version (2), then the cookie. */
    if (r < 28 || reply[0] != 22 || reply[13] != 3 || reply[27] > 32 || r < 28 + reply[27]) {
        return -1;
    }
    n = fx_make_hello(hello, reply + 28, reply[27], 1);
    send(fd, hello, n, 0);
    r = flood_recv(fd, reply, sizeof(reply));
    if (r > 13 && reply[0] == 22 && reply[13] == 2) {
        return 1;
    }
    return r > 13 && reply[0] == 21 ? 0 : -1;
}

/* Whether a fatal alert is waiting on fd (among retransmissions of the server's flight). */
static int flood_alerted(int fd)
{
    uint8_t buf[2048];
    ssize_t r;

    while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        if (r >= 15 && buf[0] == 21 && buf[13] == 2) {
            return 1;
        }
    }
    return 0;
}

/* The attacker: n half-open handshakes from n ports, then silence. */
static void job_flood(struct job *j)
{
    struct flood *fl = j->arg;
    int fds[64];

    flood_wait(fl, 1);
    for (int i = 0; i < fl->n; i++) {
        fds[i] = raw_socket(j->f);
        int r = fds[i] >= 0 ? flood_half_open(fds[i]) : -1;
        fl->admitted += r == 1;
        fl->refused += r == 0;
    }
    for (int i = 0; i < fl->n; i++) {
        fl->alerted += fds[i] >= 0 && flood_alerted(fds[i]);
    }
    int one = 1;
    atomic_compare_exchange_strong(&fl->step, &one, 2);
    flood_wait(fl, 3);
    for (int i = 0; i < fl->n; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
}

/* The established session: an echo before the flood and one after the newcomer. */
static void job_holder(struct job *j)
{
    struct flood *fl = j->arg;
    struct dtls_server_peer p;

    dtls_server_peer_init(&p);
    j->pc.port = (uint16_t)dtls_server_port(&j->f->srv);
    j->rc = dtls_server_peer_setup(&p, &j->pc);
    if (j->rc == 0) {
        j->rc = dtls_server_peer_handshake(&p);
    }
    if (j->rc == 0) {
        j->echo_ok += peer_echo(&p, "before the flood");
    }
    atomic_store(&fl->step, 1);
    flood_wait(fl, 3);
    if (j->rc == 0) {
        j->echo_ok += peer_echo(&p, "after the flood");
        dtls_server_peer_close(&p);
    }
    dtls_server_peer_free(&p);
}

/* A legitimate client arriving after the flood. */
static void job_newcomer(struct job *j)
{
    struct flood *fl = j->arg;

    flood_wait(fl, 2);
    job_handshake_echo(j);
    atomic_store(&fl->step, 3);
}

static void flood_jobs(struct job *j, struct flood *fl)
{
    psk_peer(&j[0]);
    j[0].fn = job_holder;
    memset(&j[1], 0, sizeof(j[1]));
    j[1].fn = job_flood;
    psk_peer(&j[2]);
    j[2].fn = job_newcomer;
    for (int i = 0; i < 3; i++) {
        j[i].arg = fl;
    }
}

/* The numbers: the default cap (16) and timeouts, a flood larger than the cap. */
static void test_flood_evicts_half_open(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct flood fl = { .n = FLOOD_N };
    struct job j[3];

    fx_base_config(f);
    fx_psk(f);
    f->cfg.max_sessions = 0;
    f->cfg.hs_timeout_min_ms = 0;
    f->cfg.hs_timeout_max_ms = 0;
    assert_int_equal(fx_start(f), 0);
    flood_jobs(j, &fl);
    fx_run_jobs(f, j, 3);
    dtls_server_stats(&f->srv, &st);
    /* The established session survived, and the newcomer got in. */
    assert_int_equal(j[0].rc, 0);
    assert_int_equal(j[0].echo_ok, 2);
    assert_int_equal(j[2].rc, 0);
    assert_int_equal(j[2].echo_ok, 1);
    /* Every attacker hello was admitted, each beyond the budget (8) evicting the oldest. */
    assert_int_equal(fl.admitted, FLOOD_N);
    assert_int_equal(fl.refused, 0);
    assert_int_equal(fl.alerted, FLOOD_N - 8);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.hs_evicted, FLOOD_N - 8 + 1);
    assert_int_equal(st.handshakes_ok, 2);
    assert_true(st.sessions - st.established <= 8);
    assert_int_equal(st.sessions_peak, 9);
    fx_stop(f);
}

/* Half-open handshakes end at their deadline; the defaults are finite. */
static void test_half_open_deadline(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct flood fl = { .n = 3 };
    struct job j;

    fx_base_config(f);
    fx_psk(f);
    f->cfg.max_sessions = 0;
    f->cfg.hs_timeout_min_ms = 0;
    f->cfg.hs_timeout_max_ms = 0;
    f->cfg.hs_deadline_ms = 300;
    assert_int_equal(fx_start(f), 0);
    assert_int_equal(f->srv.max_handshakes, 8);
    assert_int_equal(f->srv.idle_timeout_ms, DTLS_SERVER_IDLE_TIMEOUT_MS);
    memset(&j, 0, sizeof(j));
    j.fn = job_flood;
    j.arg = &fl;
    /* Past step 1, the attacker starts at once; past step 2, it closes its sockets at once. */
    atomic_store(&fl.step, 3);
    fx_run_jobs(f, &j, 1);
    assert_int_equal(fl.admitted, 3);
    /* The reaper runs every 75 ms: by 300 + 75 ms of loop time, every one is gone. */
    fx_run_for(f, 500);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(st.hs_expired, 3);
    assert_int_equal(st.hs_evicted, 0);
    fx_stop(f);
}

int main(void)
{
    mbedtls_platform_context platform;

    if (fx_main_setup(&platform) != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flood_evicts_half_open, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_half_open_deadline, fx_setup, fx_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mbedtls_platform_teardown(&platform);
    return rc;
}
