/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the DTLS server on libuv, against real Mbed TLS clients (dtls_server_peer) running in
 * threads beside the server's loop: PSK and certificate handshakes with echo, the ciphersuite
 * preference, cookies before any session, refused credentials, the session cap, the idle
 * reaper, Connection ID migration and a restarted client. Faults (lossy links, garbage,
 * duplicated hellos, the heap budget) are in test_dtls_server_faults.c.
 *
 * With "--serve psk|cert PORT_FILE [SECONDS]" the program is instead an echo server for
 * tests/scripts/test_dtls_openssl.sh (real peers such as openssl s_client).
 */
#include <signal.h>

#include "test_dtls_server_fx.h"

/* Whether a suite is AEAD (GCM, CCM, CCM-8 or ChaCha20-Poly1305), by its name. */
static int suite_is_aead(int id)
{
    const char *name = mbedtls_ssl_get_ciphersuite_name(id);

    return name != NULL && (strstr(name, "GCM") != NULL || strstr(name, "CCM") != NULL ||
                            strstr(name, "CHACHA20") != NULL);
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
    /* Forward secrecy and authenticated encryption for certificate clients too. */
    for (int i = 0; i < 2; i++) {
        assert_true(suite_is_aead(j[i].suite));
        assert_non_null(strstr(mbedtls_ssl_get_ciphersuite_name(j[i].suite), "ECDHE-ECDSA"));
    }
    fx_stop(f);
}

/* The ciphersuite preference: AEAD before CBC, and CBC-only clients still served. */
static void test_aead_preferred(void **state)
{
    struct fx *f = *state;
    struct job j[3];
    int seen_cbc = 0;

    fx_base_config(f);
    fx_psk(f);
    assert_int_equal(fx_start(f), 0);
    /* The server's list: every AEAD suite before the first other one. */
    for (int i = 0; f->srv.suites[i] != 0; i++) {
        if (!suite_is_aead(f->srv.suites[i])) {
            seen_cbc = 1;
        } else {
            assert_false(seen_cbc);
        }
    }
    assert_true(seen_cbc);
    /*
     * A client that offers every suite (ECDHE-PSK-AES256-CBC-SHA384 among them, Mbed TLS's
     * default choice) gets an AEAD one; one that offers only a CBC suite, or only CCM-8
     * (CoAP's mandatory suite), gets that.
     */
    psk_peer(&j[0]);
    psk_peer(&j[1]);
    j[1].pc.ciphersuite = MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
    psk_peer(&j[2]);
    j[2].pc.ciphersuite = MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8;
    fx_run_jobs(f, j, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(j[i].rc, 0);
        assert_int_equal(j[i].echo_ok, 1);
    }
    assert_true(suite_is_aead(j[0].suite));
    assert_int_equal(j[1].suite, MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);
    assert_int_equal(j[2].suite, MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8);
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

static void job_raw_hellos(struct job *j)
{
    int fd = raw_socket(j->f);
    uint8_t hello[256], reply[512], cookie[32];
    struct timeval tv = { 1, 0 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    /* No cookie: a HelloVerifyRequest comes back. */
    size_t n = fx_make_hello(hello, NULL, 0, 0);
    send(fd, hello, n, 0);
    ssize_t r = recv(fd, reply, sizeof(reply), 0);
    if (r > 25 && reply[0] == 22 && reply[13] == 3) {
        j->echo_ok++;
    }
    /* A forged cookie: another HelloVerifyRequest, still no session. */
    memset(cookie, 0x5a, sizeof(cookie));
    n = fx_make_hello(hello, cookie, sizeof(cookie), 1);
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
    mbedtls_platform_context platform;

    if (fx_main_setup(&platform) != 0) {
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
        cmocka_unit_test_setup_teardown(test_aead_preferred, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_refused_credentials, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_no_cookie_no_session, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_session_cap, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_idle_reaper, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cid_migration, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_client_restart, fx_setup, fx_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mbedtls_platform_teardown(&platform);
    return rc;
}
