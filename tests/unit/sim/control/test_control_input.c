/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the control engine's input side: framing, line limits, random lines, many clients,
 * slow clients, requests in flight, and the socket of a dead daemon.
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control_test_int.h"

/* Split requests, CRLF, blank lines, two requests in one write, malformed input. */
static void test_framing_requests(void **state)
{
    struct harness h;
    struct harness_reader r;
    json_t *reply;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    /* A request split over several writes, CRLF, blank lines ignored. */
    assert_int_equal(harness_send_str(r.fd, "\n  \n{\"exec"), 0);
    usleep(20000);
    assert_int_equal(harness_send_str(r.fd, "ute\":\"query-"), 0);
    usleep(20000);
    assert_int_equal(harness_send_str(r.fd, "version\",\"id\":3}\r\n"), 0);
    reply = harness_read_json(&r, T_MS);
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 3);
    json_decref(reply);
    /* Two requests in one write get two replies in order. */
    assert_int_equal(harness_send_str(r.fd, "{\"execute\":\"fail\",\"id\":1}\n"
                                            "{\"execute\":\"query-version\",\"id\":2}\n"),
                     0);
    reply = harness_read_json(&r, T_MS);
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 1);
    json_decref(reply);
    reply = harness_read_json(&r, T_MS);
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 2);
    json_decref(reply);
    /* Malformed JSON, NUL bytes and binary: errors, and the connection stays usable. */
    expect_error(&r, "{\"execute\":", "ParseError", NULL);
    assert_int_equal(harness_send(r.fd, "{\"execute\":\"q\0\"}\n", 17), 0);
    reply = harness_read_json(&r, T_MS);
    assert_string_equal(error_class(reply), "ParseError");
    json_decref(reply);
    assert_int_equal(harness_send(r.fd, "\xff\xfe\x01\x80\n", 5), 0);
    reply = harness_read_json(&r, T_MS);
    assert_string_equal(error_class(reply), "ParseError");
    json_decref(reply);
    expect_error(&r, "{\"execute\":\"\xc3\x28\"}", "ParseError", NULL);
    reply = roundtrip(&r, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

/* Lines over, and at, the length limit; a last line without its newline. */
static void test_framing_limits(void **state)
{
    struct harness h;
    struct harness_reader r;
    json_t *reply;
    char *huge;
    bool eof;
    size_t n = CONTROL_LINE_MAX + 64;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    /* A line over 1 MiB: one error, then the connection closes. */
    huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, 'a', n);
    huge[n] = '\n';
    (void)harness_send(r.fd, huge, n + 1);
    free(huge);
    reply = harness_read_json(&r, T_MS);
    assert_non_null(reply);
    assert_string_equal(error_class(reply), "ParseError");
    json_decref(reply);
    assert_null(harness_read_line(&r, T_MS, &eof));
    assert_true(eof);
    close(r.fd);
    /* A line of exactly the limit is parsed (and is bad JSON). */
    open_conn(&h, &r);
    huge = malloc(CONTROL_LINE_MAX + 1);
    assert_non_null(huge);
    memset(huge, ' ', CONTROL_LINE_MAX);
    huge[CONTROL_LINE_MAX - 1] = 'x';
    huge[CONTROL_LINE_MAX] = '\n';
    assert_int_equal(harness_send(r.fd, huge, CONTROL_LINE_MAX + 1), 0);
    free(huge);
    reply = harness_read_json(&r, T_MS);
    assert_string_equal(error_class(reply), "ParseError");
    json_decref(reply);
    reply = roundtrip(&r, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    /* A last request without its newline is still answered at EOF. */
    assert_int_equal(harness_send_str(r.fd, "{\"execute\":\"query-version\",\"id\":9}"), 0);
    shutdown(r.fd, SHUT_WR);
    reply = harness_read_json(&r, T_MS);
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 9);
    json_decref(reply);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* Fills line with one random bad request of the given kind; returns its length. */
static size_t bad_line(char *line, size_t cap, unsigned kind, unsigned i)
{
    static const char *const wrong[] = {
        "{\"execute\":\"echo\",\"arguments\":{\"n\":\"x\"}}",
        "{\"execute\":\"echo\",\"arguments\":{\"n\":99}}",
        "{\"execute\":\"echo\",\"arguments\":{\"flag\":\"yes\"}}",
        "{\"execute\":\"echo\",\"arguments\":{\"blob\":\"!!!!\"}}",
        "{\"execute\":\"echo\",\"arguments\":{\"mode\":1}}",
        "{\"execute\":\"echo\",\"arguments\":{\"obj\":\"o\"}}",
        "{\"execute\":\"need\",\"arguments\":{}}",
        "{\"execute\":[\"echo\"]}",
        "{\"execute\":\"echo\",\"arguments\":null}",
        "\"just a string\"",
        "42",
        "[{\"execute\":\"echo\"}]",
    };
    static const char valid[] = "{\"execute\":\"echo\",\"arguments\":{\"n\":1},\"id\":[1,2]}";
    size_t n = 0;
    size_t j;

    switch (kind) {
    case 0: /* Random bytes. */
        n = 1 + rnd() % 200;
        for (j = 0; j < n; j++) {
            line[j] = (char)(rnd() & 0xff);
            if (line[j] == '\n') {
                line[j] = '\0';
            }
        }
        line[0] = (char)('!' + rnd() % 90);
        if (line[0] == '{' || line[0] == '[') {
            line[0] = '#';
        }
        return n;
    case 1: /* A valid request cut short. */
        n = 1 + rnd() % (sizeof(valid) - 2);
        memcpy(line, valid, n);
        return n;
    case 2: /* Wrong types and shapes. */
        return (size_t)snprintf(line, cap, "%s", wrong[rnd() % (sizeof(wrong) / sizeof(*wrong))]);
    case 3: /* Unknown keys. */
        return (size_t)snprintf(line, cap, "{\"execute\":\"echo\",\"arguments\":{\"k%u\":%u}}", i,
                                rnd());
    case 4: /* NUL bytes inside. */
        n = (size_t)snprintf(line, cap, "{\"execute\":\"echo%u\"}", i);
        line[1 + rnd() % (n - 2)] = '\0';
        return n;
    case 5: /* Unknown commands. */
        return (size_t)snprintf(line, cap, "{\"execute\":\"cmd-%08x\",\"id\":%u}", rnd(), i);
    default: /* Deep nesting. */
        n = 1 + rnd() % (cap - 1);
        for (j = 0; j < n; j++) {
            line[j] = j % 2 ? '[' : '{';
        }
        return n;
    }
}

static void test_random_lines(void **state)
{
    struct harness h;
    struct harness_reader r;
    char line[4096];
    unsigned i;
    unsigned errors = 0;
    unsigned closes = 0;
    json_t *reply;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    for (i = 0; i < 10000; i++) {
        if (i % 2000 == 1999) {
            /* A huge line: an error, then the connection closes; reconnect. */
            size_t n = CONTROL_LINE_MAX + 1 + rnd() % 1000;
            char *huge = malloc(n + 1);
            bool eof;

            assert_non_null(huge);
            memset(huge, 'z', n);
            huge[n] = '\n';
            (void)harness_send(r.fd, huge, n + 1);
            free(huge);
            reply = harness_read_json(&r, T_MS);
            assert_non_null(reply);
            assert_string_equal(error_class(reply), "ParseError");
            json_decref(reply);
            assert_null(harness_read_line(&r, T_MS, &eof));
            assert_true(eof);
            close(r.fd);
            closes++;
            open_conn(&h, &r);
            continue;
        }
        size_t n = bad_line(line, sizeof(line) - 1, i % 7, i);

        line[n] = '\n';
        assert_int_equal(harness_send(r.fd, line, n + 1), 0);
        reply = harness_read_json(&r, T_MS);
        if (reply == NULL || json_object_get(reply, "error") == NULL) {
            fail_msg("line %u (kind %u) got no error reply", i, i % 7);
        }
        errors++;
        json_decref(reply);
    }
    assert_int_equal(errors + closes, 10000);
    close(r.fd);
    /* A new client is served afterwards. */
    open_conn(&h, &r);
    reply = roundtrip(&r, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_many_clients(void **state)
{
    enum {
        N = 64
    };
    static struct harness_reader rs[N];
    struct harness h;
    char line[128];
    int i;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    for (i = 0; i < N; i++) {
        open_conn(&h, &rs[i]);
    }
    for (i = 0; i < N; i++) {
        snprintf(line, sizeof(line), "{\"execute\":\"echo\",\"arguments\":{\"n\":%d},\"id\":%d}\n",
                 i % 6, i);
        assert_int_equal(harness_send_str(rs[i].fd, line), 0);
    }
    for (i = N - 1; i >= 0; i--) {
        json_t *reply = harness_read_json(&rs[i], T_MS);

        assert_non_null(reply);
        assert_int_equal(json_integer_value(json_object_get(reply, "id")), i);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(reply, "return"), "n")),
                         i % 6);
        json_decref(reply);
    }
    for (i = 0; i < N; i++) {
        close(rs[i].fd);
    }
    assert_int_equal(harness_stop(&h), 0);
}

static void test_client_limit(void **state)
{
    struct control_config cfg = { .max_clients = 2 };
    struct harness h;
    struct harness_reader a;
    struct harness_reader b;
    struct harness_reader c;
    json_t *msg;
    bool eof;

    (void)state;
    assert_int_equal(harness_start(&h, &cfg), 0);
    open_conn(&h, &a);
    open_conn(&h, &b);
    memset(&c, 0, sizeof(c));
    c.fd = harness_connect(h.path);
    assert_true(c.fd >= 0);
    msg = harness_read_json(&c, T_MS);
    assert_string_equal(error_desc(msg), "too many clients");
    json_decref(msg);
    assert_null(harness_read_line(&c, T_MS, &eof));
    assert_true(eof);
    close(c.fd);
    close(a.fd);
    close(b.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_slow_client_dropped(void **state)
{
    struct control_config cfg = { .max_queue = 64 * 1024 };
    struct harness h;
    struct harness_reader r;
    char line[256];
    int n;
    int i;
    bool failed = false;
    json_t *reply;

    (void)state;
    assert_int_equal(harness_start(&h, &cfg), 0);
    memset(&r, 0, sizeof(r));
    r.fd = harness_connect(h.path);
    assert_true(r.fd >= 0);
    n = snprintf(line, sizeof(line),
                 "{\"execute\":\"echo\",\"arguments\":{\"text\":"
                 "\"0123456789abcdef\",\"obj\":{\"pad\":\"%0100d\"}}}\n",
                 0);
    /* Requests are sent, replies never read: the server must drop the client. */
    for (i = 0; i < 200000 && !failed; i++) {
        failed = harness_send(r.fd, line, (size_t)n) < 0;
    }
    assert_true(failed);
    close(r.fd);
    open_conn(&h, &r);
    reply = roundtrip(&r, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static volatile int gone_calls;
static volatile uint64_t gone_client;

static void record_gone(void *ctx, uint64_t client)
{
    (void)ctx;
    gone_calls++;
    gone_client = client;
}

/* A client has at most max_pending requests in flight; its owner hears when it leaves. */
static void test_requests_in_flight(void **state)
{
    struct control_config cfg;
    struct harness h;
    struct harness_reader a;
    struct harness_reader b;
    json_t *reply;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_pending = 1;
    cfg.on_client_gone = record_gone;
    gone_calls = 0;
    assert_int_equal(harness_start(&h, &cfg), 0);
    open_conn(&h, &a);
    open_conn(&h, &b);
    assert_int_equal(harness_send_str(a.fd, "{\"execute\":\"later\",\"id\":\"L\"}\n"), 0);
    expect_error(&a, "{\"execute\":\"query-version\"}", "GenericError", "too many requests");
    reply = roundtrip(&b, "{\"execute\":\"finish\"}");
    json_decref(reply);
    reply = harness_read_json(&a, T_MS);
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "L");
    json_decref(reply);
    reply = roundtrip(&a, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    /* A client that leaves with a request in flight is reported once, by id. */
    assert_int_equal(harness_send_str(a.fd, "{\"execute\":\"later\",\"id\":\"L2\"}\n"), 0);
    reply = roundtrip(&a, "{\"execute\":\"query-version\"}"); /* L2 is in flight now. */
    json_decref(reply);
    close(a.fd);
    usleep(100000);
    reply = roundtrip(&b, "{\"execute\":\"finish\"}");
    json_decref(reply);
    assert_int_equal(gone_calls, 1);
    assert_true(gone_client != 0);
    close(b.fd);
    assert_int_equal(harness_stop(&h), 0);
}

/* Listens on path in a child that forks a holder of the socket, then dies. \return holder. */
static pid_t listen_and_die(const char *path)
{
    struct sockaddr_un addr;
    int pipefd[2];
    pid_t owner;
    pid_t holder = 0;

    assert_int_equal(pipe(pipefd), 0);
    owner = fork();
    assert_true(owner >= 0);
    if (owner == 0) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        pid_t h;

        memset(&addr, 0, sizeof(addr));
        addr.sun_family = AF_UNIX;
        memcpy(addr.sun_path, path, strlen(path) + 1); /* Short: a mkdtemp name. */
        if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4) != 0) {
            _exit(1);
        }
        h = fork();
        if (h == 0) {
            /* Holds the listening socket, like a child before its exec; gone within 10 s
             * even when the test fails before it kills it, and holds no output pipe. */
            close(1);
            close(2);
            alarm(10);
            pause();
            _exit(0);
        }
        (void)!write(pipefd[1], &h, sizeof(h));
        _exit(0);
    }
    assert_int_equal(read(pipefd[0], &holder, sizeof(holder)), (ssize_t)sizeof(holder));
    assert_int_equal(waitpid(owner, NULL, 0), owner);
    close(pipefd[0]);
    close(pipefd[1]);
    return holder;
}

/* A socket whose daemon died is stale, even while another process holds a copy of it. */
static void test_dead_daemon_socket_is_stale(void **state)
{
    struct control_config cfg;
    struct control_server srv;
    uv_loop_t loop;
    char dir[64] = "/tmp/bo-stale-XXXXXX";
    char path[128];
    pid_t holder;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/ctl.sock", dir);
    holder = listen_and_die(path);
    memset(&cfg, 0, sizeof(cfg));
    cfg.path = path;
    cfg.version = "test";
    uv_loop_init(&loop);
    control_init(&srv);
    assert_int_equal(control_setup(&srv, &loop, &cfg), 0);
    control_close(&srv, "done");
    uv_run(&loop, UV_RUN_DEFAULT);
    control_free(&srv);
    assert_int_equal(uv_loop_close(&loop), 0);
    kill(holder, SIGKILL);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing_requests),
        cmocka_unit_test(test_framing_limits),
        cmocka_unit_test(test_random_lines),
        cmocka_unit_test(test_many_clients),
        cmocka_unit_test(test_client_limit),
        cmocka_unit_test(test_slow_client_dropped),
        cmocka_unit_test(test_requests_in_flight),
        cmocka_unit_test(test_dead_daemon_socket_is_stale),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
