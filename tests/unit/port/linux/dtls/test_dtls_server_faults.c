/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the DTLS server under faults, against real Mbed TLS clients (dtls_server_peer) in
 * threads beside the server's loop: lossy, duplicating and reordering links, floods of garbage,
 * copies of a session's ClientHello arriving after the handshake, and the heap budget.
 */
#include <poll.h>

#include "test_dtls_server_fx.h"

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
    f->cfg.hs_deadline_ms = 40000;
    f->cfg.max_handshakes = 8; /* Six handshakes at once, none evicted. */
    assert_int_equal(
        link_fault_parse(&f->cfg.link, "drop=5,duplicate=5,reorder=4,seed=7", err, sizeof(err)), 0);
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

/* A UDP relay between one peer and the server that keeps the peer's first two ClientHellos. */
struct relay {
    int front; /* The peer sends here. */
    int back;  /* Connected to the server. */
    int port;  /* Of front. */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    uint8_t hello[2][1024]; /* Without a cookie, then with the cookie. */
    size_t hello_len[2];
    atomic_int hellos;
    atomic_int stop;
};

static int relay_open(struct relay *r, struct fx *f)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(r, 0, sizeof(*r));
    r->back = raw_socket(f);
    r->front = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (r->back < 0 || r->front < 0 || bind(r->front, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(r->front, (struct sockaddr *)&a, &len) != 0) {
        return -1;
    }
    r->port = ntohs(a.sin_port);
    return 0;
}

/* The relay's job: forwards datagrams both ways until told to stop. */
static void job_relay(struct job *j)
{
    struct relay *r = j->arg;
    uint8_t buf[2048];

    while (!atomic_load(&r->stop)) {
        struct pollfd pfd[2] = { { r->front, POLLIN, 0 }, { r->back, POLLIN, 0 } };
        if (poll(pfd, 2, 50) <= 0) {
            continue;
        }
        if (pfd[0].revents & POLLIN) {
            r->peer_len = sizeof(r->peer);
            ssize_t n =
                recvfrom(r->front, buf, sizeof(buf), 0, (struct sockaddr *)&r->peer, &r->peer_len);
            int k = atomic_load(&r->hellos);
            if (n > 25 && buf[0] == 22 && buf[13] == 1 && k < 2 &&
                (size_t)n <= sizeof(r->hello[0])) {
                memcpy(r->hello[k], buf, (size_t)n);
                r->hello_len[k] = (size_t)n;
                atomic_store(&r->hellos, k + 1);
            }
            if (n > 0) {
                send(r->back, buf, (size_t)n, 0);
            }
        }
        if ((pfd[1].revents & POLLIN) && r->peer_len > 0) {
            ssize_t n = recv(r->back, buf, sizeof(buf), 0);
            if (n > 0) {
                sendto(r->front, buf, (size_t)n, 0, (struct sockaddr *)&r->peer, r->peer_len);
            }
        }
    }
    /*
     * The peer's last datagram (its close_notify) is already queued on the front socket when
     * the peer stops the relay: forward it, or the server never sees the close (a race).
     */
    for (;;) {
        struct pollfd pf = { r->front, POLLIN, 0 };
        ssize_t n;

        if (poll(&pf, 1, 0) <= 0 || (n = recv(r->front, buf, sizeof(buf), 0)) <= 0) {
            break;
        }
        send(r->back, buf, (size_t)n, 0);
    }
}

/* A peer through the relay: an echo, its two hellos again from its address, another echo. */
static void job_stale_hellos(struct job *j)
{
    struct relay *r = j->arg;
    struct dtls_server_peer p;

    dtls_server_peer_init(&p);
    j->pc.port = (uint16_t)r->port;
    j->rc = dtls_server_peer_setup(&p, &j->pc);
    if (j->rc == 0) {
        j->rc = dtls_server_peer_handshake(&p);
    }
    if (j->rc == 0) {
        j->echo_ok += peer_echo(&p, "before the copies");
        /* As a network that duplicates or delays datagrams would deliver them, late. */
        for (int i = 0; i < atomic_load(&r->hellos); i++) {
            send(r->back, r->hello[i], r->hello_len[i], 0);
        }
        usleep(100000);
        j->echo_ok += peer_echo(&p, "after the copies");
        dtls_server_peer_close(&p);
    }
    dtls_server_peer_free(&p);
    atomic_store(&r->stop, 1);
}

static void test_stale_hello_keeps_session(void **state)
{
    struct fx *f = *state;
    struct dtls_server_stats st;
    struct relay r;
    struct job j[2];

    fx_base_config(f);
    fx_psk(f);
    assert_int_equal(fx_start(f), 0);
    assert_int_equal(relay_open(&r, f), 0);
    memset(&j[0], 0, sizeof(j[0]));
    j[0].fn = job_relay;
    j[0].arg = &r;
    psk_peer(&j[1]);
    j[1].fn = job_stale_hellos;
    j[1].arg = &r;
    fx_run_jobs(f, j, 2);
    assert_int_equal(j[1].rc, 0);
    assert_int_equal(atomic_load(&r.hellos), 2);
    /*
     * The copy with the (still valid) cookie did not restart the session: the echo after it
     * came back on the same session, and only one handshake ever completed.
     */
    assert_int_equal(j[1].echo_ok, 2);
    fx_run_for(f, 20);
    dtls_server_stats(&f->srv, &st);
    assert_int_equal(st.handshakes_ok, 1);
    assert_int_equal(st.handshakes_failed, 0);
    assert_int_equal(st.sessions_peak, 1);
    assert_true(st.dgrams_dropped >= 2);
    assert_int_equal(st.peer_closes, 1);
    assert_int_equal(f->closes, 1);
    assert_int_equal(f->datas, 2);
    close(r.front);
    close(r.back);
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

int main(void)
{
    mbedtls_platform_context platform;

    if (fx_main_setup(&platform) != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_link_faults, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_garbage, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stale_hello_keeps_session, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_heap_budget, fx_setup, fx_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mbedtls_platform_teardown(&platform);
    return rc;
}
