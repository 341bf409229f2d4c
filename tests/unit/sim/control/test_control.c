/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the control engine: a real server on a temporary socket, its loop in a thread,
 * driven through raw sockets and the client library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "client/client.h"

#include "control_test_int.h"

static void test_greeting_and_mode(void **state)
{
    struct harness h;
    struct harness_reader r;
    struct stat st;
    json_t *greet;
    json_t *hello;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    assert_int_equal(stat(h.path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    memset(&r, 0, sizeof(r));
    r.fd = harness_connect(h.path);
    assert_true(r.fd >= 0);
    greet = harness_read_json(&r, T_MS);
    assert_non_null(greet);
    assert_int_equal(json_object_size(greet), 1);
    hello = json_object_get(greet, "brownout");
    assert_string_equal(json_string_value(json_object_get(hello, "version")), "test-1.0");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(hello, "capabilities"), 0)), "events");
    json_decref(greet);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
    /* The socket file is gone after the shutdown. */
    assert_int_equal(stat(h.path, &st), -1);
}

static void test_socket_file_rules(void **state)
{
    struct harness h;
    struct control_server other;
    struct control_config cfg;
    uv_loop_t loop;
    struct sockaddr_un addr;
    char path[160];
    int fd;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    /* A live socket is not replaced. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.path = h.path;
    cfg.version = "x";
    uv_loop_init(&loop);
    control_init(&other);
    assert_int_equal(control_setup(&other, &loop, &cfg), BO_EBUSY);
    /* A regular file is not removed. */
    snprintf(path, sizeof(path), "%s/file", h.dir);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    cfg.path = path;
    assert_int_equal(control_setup(&other, &loop, &cfg), BO_EEXIST);
    unlink(path);
    /* A stale socket (bound, nobody listening) is replaced. */
    snprintf(path, sizeof(path), "%s/stale.sock", h.dir);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    assert_true(strlen(path) < sizeof(addr.sun_path));
    memcpy(addr.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(fd);
    assert_int_equal(control_setup(&other, &loop, &cfg), 0);
    control_close(&other, "done");
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(control_closed(&other));
    control_free(&other);
    assert_int_equal(access(path, F_OK), -1);
    /* Too long a path. */
    memset(path, 'a', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    control_init(&other);
    assert_int_equal(control_setup(&other, &loop, &cfg), BO_EINVAL);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_register_rules(void **state)
{
    struct control_server srv;
    static const struct control_arg bad_int[] = {
        { .name = "n", .type = CONTROL_ARG_INT, .min = 3, .max = 1 }, { .name = NULL }
    };
    static const struct control_arg dup[] = { { .name = "n", .type = CONTROL_ARG_BOOL },
                                              { .name = "n", .type = CONTROL_ARG_BOOL },
                                              { .name = NULL } };
    static const struct control_arg no_values[] = { { .name = "e", .type = CONTROL_ARG_ENUM },
                                                    { .name = NULL } };
    static const struct control_arg no_size[] = { { .name = "d", .type = CONTROL_ARG_DATA },
                                                  { .name = NULL } };
    struct control_command cmd = { .name = "x-y", .handler = harness_echo };

    (void)state;
    control_init(&srv);
    assert_int_equal(control_register(&srv, &cmd), 0);
    assert_int_equal(control_register(&srv, &cmd), BO_EEXIST);
    cmd.name = "quit";
    assert_int_equal(control_register(&srv, &cmd), BO_EEXIST);
    cmd.name = "Bad";
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.name = "a--b";
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.name = "ok";
    cmd.handler = NULL;
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.handler = harness_echo;
    cmd.args = bad_int;
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.args = dup;
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.args = no_values;
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    cmd.args = no_size;
    assert_int_equal(control_register(&srv, &cmd), BO_EINVAL);
    control_free(&srv);
}

static void test_id_echo(void **state)
{
    static const char *const ids[] = {
        "7",     "-12", "\"abc\"", "\"\\u00e9\\n\"", "null", "true",
        "false", "1.5", "[]",      "[1,\"x\",null]", "{}",   "{\"a\":{\"b\":[1,2]}}",
    };
    struct harness h;
    struct harness_reader r;
    char line[256];
    size_t i;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        json_t *want = json_loads(ids[i], JSON_DECODE_ANY, NULL);
        json_t *reply;

        assert_non_null(want);
        snprintf(line, sizeof(line), "{\"execute\":\"query-version\",\"id\":%s}", ids[i]);
        reply = roundtrip(&r, line);
        assert_non_null(json_object_get(reply, "return"));
        assert_true(json_equal(json_object_get(reply, "id"), want));
        json_decref(reply);
        /* Error replies echo the id too. */
        snprintf(line, sizeof(line), "{\"id\":%s,\"execute\":\"no-such\"}", ids[i]);
        reply = roundtrip(&r, line);
        assert_string_equal(error_class(reply), "CommandNotFound");
        assert_true(json_equal(json_object_get(reply, "id"), want));
        json_decref(reply);
        json_decref(want);
    }
    /* No id, no id in the reply. */
    {
        json_t *reply = roundtrip(&r, "{\"execute\":\"query-version\"}");

        assert_null(json_object_get(reply, "id"));
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(reply, "return"), "version")),
            "test-1.0");
        json_decref(reply);
    }
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_validation(void **state)
{
    struct harness h;
    struct harness_reader r;
    json_t *reply;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    expect_error(&r, "{\"execute\":\"nope\"}", "CommandNotFound", "nope");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"zz\":1}}", "InvalidArgument", "'zz'");
    expect_error(&r, "{\"execute\":\"echo\",\"extra\":1}", "InvalidRequest", "'extra'");
    expect_error(&r, "{\"arguments\":{}}", "InvalidRequest", "execute");
    expect_error(&r, "{\"execute\":5}", "InvalidRequest", "execute");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":[]}", "InvalidArgument", "arguments");
    expect_error(&r, "[1,2]", "InvalidRequest", "object");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"text\":5}}", "InvalidArgument",
                 "'text'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"text\":\"01234567890123456\"}}",
                 "InvalidArgument", "'text'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"n\":\"1\"}}", "InvalidArgument",
                 "'n'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"n\":1.0}}", "InvalidArgument", "'n'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"n\":6}}", "InvalidArgument", "'n'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"n\":-6}}", "InvalidArgument", "'n'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"flag\":1}}", "InvalidArgument",
                 "'flag'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"flag\":null}}", "InvalidArgument",
                 "'flag'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"blob\":\"AAA\"}}", "InvalidArgument",
                 "'blob'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"blob\":\"AA==AA==\"}}",
                 "InvalidArgument", "'blob'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"blob\":\"AAAAAAAAAAAA\"}}",
                 "InvalidArgument", "'blob'");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"mode\":\"c\"}}", "InvalidArgument",
                 "'mode'");
    /* An enum error lists the allowed values. */
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"mode\":\"c\"}}", "InvalidArgument",
                 "'c' is not one of: a, b");
    expect_error(&r, "{\"execute\":\"echo\",\"arguments\":{\"obj\":[]}}", "InvalidArgument",
                 "'obj'");
    expect_error(&r, "{\"execute\":\"need\"}", "InvalidArgument", "missing argument 'name'");
    expect_error(&r, "{\"execute\":\"need\",\"arguments\":{\"name\":null}}", "InvalidArgument",
                 "'name'");
    expect_error(&r, "{\"execute\":\"fail\"}", "GenericError", "it failed");
    expect_error(&r, "{\"execute\":\"echo\",\"execute\":\"echo\"}", "ParseError", NULL);
    /* Everything valid at once. */
    reply = roundtrip(&r, "{\"execute\":\"echo\",\"arguments\":{\"text\":\"hi\",\"n\":-5,"
                          "\"flag\":false,\"blob\":\"AQIDBAUGBwg=\",\"mode\":\"b\","
                          "\"obj\":{\"k\":[1]}},\"id\":1}");
    assert_non_null(json_object_get(reply, "return"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(reply, "return"), "n")),
                     -5);
    json_decref(reply);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_events_to_subscribers(void **state)
{
    struct harness h;
    struct harness_reader sub;
    struct harness_reader other;
    json_t *reply;
    json_t *ev;
    json_t *ts;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &sub);
    open_conn(&h, &other);
    reply = roundtrip(&sub, "{\"execute\":\"events\",\"arguments\":{\"enable\":true}}");
    assert_true(json_is_true(json_object_get(json_object_get(reply, "return"), "enabled")));
    json_decref(reply);
    /* A rejected emit has no side effect: no event. */
    expect_error(&other, "{\"execute\":\"emit\",\"arguments\":{\"name\":1}}", "InvalidArgument",
                 "'name'");
    reply = roundtrip(&other, "{\"execute\":\"emit\",\"arguments\":{\"name\":\"BOOT_DONE\"}}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    /* The subscriber gets the event first, the other one nothing. */
    ev = harness_read_json(&sub, T_MS);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "BOOT_DONE");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "data"), "device")),
                        "dev0");
    ts = json_object_get(ev, "timestamp");
    assert_true(json_integer_value(json_object_get(ts, "seconds")) > 1600000000);
    assert_true(json_integer_value(json_object_get(ts, "microseconds")) < 1000000);
    assert_int_equal(json_integer_value(json_object_get(ts, "device-clock-ns")), 12345);
    json_decref(ev);
    reply = roundtrip(&other, "{\"execute\":\"query-version\",\"id\":\"after\"}");
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "after");
    json_decref(reply);
    /* Unsubscribed: no more events. */
    reply = roundtrip(&sub, "{\"execute\":\"events\",\"arguments\":{\"enable\":false}}");
    assert_true(json_is_false(json_object_get(json_object_get(reply, "return"), "enabled")));
    json_decref(reply);
    reply = roundtrip(&other, "{\"execute\":\"emit\",\"arguments\":{\"name\":\"RESET\"}}");
    json_decref(reply);
    reply = roundtrip(&sub, "{\"execute\":\"query-version\",\"id\":5}");
    assert_int_equal(json_integer_value(json_object_get(reply, "id")), 5);
    json_decref(reply);
    close(sub.fd);
    close(other.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_async_reply(void **state)
{
    struct harness h;
    struct harness_reader a;
    struct harness_reader b;
    json_t *reply;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &a);
    open_conn(&h, &b);
    /* A pending request does not block the connection; its reply comes later by id. */
    assert_int_equal(harness_send_str(a.fd, "{\"execute\":\"later\",\"id\":\"L\"}\n"), 0);
    reply = roundtrip(&a, "{\"execute\":\"query-version\",\"id\":\"V\"}");
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "V");
    json_decref(reply);
    reply = roundtrip(&b, "{\"execute\":\"finish\"}");
    assert_true(json_is_false(json_object_get(json_object_get(reply, "return"), "orphaned")));
    json_decref(reply);
    reply = harness_read_json(&a, T_MS);
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "L");
    assert_true(json_is_true(json_object_get(json_object_get(reply, "return"), "late")));
    json_decref(reply);
    /* The client goes away before the reply: completing it is harmless. */
    assert_int_equal(harness_send_str(a.fd, "{\"execute\":\"later\",\"id\":\"L2\"}\n"), 0);
    usleep(50000);
    close(a.fd);
    usleep(50000);
    reply = roundtrip(&b, "{\"execute\":\"finish\"}");
    assert_true(json_is_true(json_object_get(json_object_get(reply, "return"), "orphaned")));
    json_decref(reply);
    reply = roundtrip(&b, "{\"execute\":\"query-version\"}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    close(b.fd);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_query_commands_and_quit(void **state)
{
    struct harness h;
    struct harness_reader r;
    json_t *reply;
    json_t *cmd;
    size_t i;
    bool found = false;
    bool eof;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &r);
    reply = roundtrip(&r, "{\"execute\":\"query-commands\"}");
    json_array_foreach(json_object_get(reply, "return"), i, cmd)
    {
        if (strcmp(json_string_value(json_object_get(cmd, "name")), "echo") == 0) {
            json_t *args = json_object_get(cmd, "arguments");

            found = true;
            assert_int_equal(json_array_size(args), 6);
            assert_string_equal(json_string_value(json_object_get(json_array_get(args, 1), "type")),
                                "int");
            assert_int_equal(json_integer_value(json_object_get(json_array_get(args, 1), "min")),
                             -5);
            assert_int_equal(
                json_integer_value(json_object_get(json_array_get(args, 3), "max-size")), 8);
            assert_int_equal(json_array_size(json_object_get(json_array_get(args, 4), "values")),
                             2);
        }
    }
    assert_true(found);
    assert_true(json_array_size(json_object_get(reply, "return")) >= 4 + 13);
    json_decref(reply);
    reply = roundtrip(&r, "{\"execute\":\"quit\",\"id\":1}");
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    assert_null(harness_read_line(&r, T_MS, &eof));
    assert_true(eof);
    close(r.fd);
    assert_int_equal(harness_stop(&h), 0);
    assert_int_equal(h.quits, 1);
}

static void test_shutdown_event(void **state)
{
    struct harness h;
    struct harness_reader sub;
    struct harness_reader plain;
    json_t *reply;
    json_t *ev;
    bool eof;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    open_conn(&h, &sub);
    open_conn(&h, &plain);
    reply = roundtrip(&sub, "{\"execute\":\"events\"}");
    json_decref(reply);
    /* A request left pending at shutdown is orphaned, not crashed on. */
    assert_int_equal(harness_send_str(plain.fd, "{\"execute\":\"later\"}\n"), 0);
    usleep(50000);
    uv_async_send(&h.stop);
    ev = harness_read_json(&sub, T_MS);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "SHUTDOWN");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "data"), "reason")),
                        "test over");
    json_decref(ev);
    ev = harness_read_json(&plain, T_MS);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "SHUTDOWN");
    json_decref(ev);
    assert_null(harness_read_line(&sub, T_MS, &eof));
    assert_true(eof);
    assert_null(harness_read_line(&plain, T_MS, &eof));
    assert_true(eof);
    pthread_join(h.thread, NULL);
    assert_true(h.closed);
    assert_non_null(h.held);
    assert_true(control_request_orphaned(h.held));
    control_reply(h.held, NULL);
    assert_int_equal(uv_loop_close(&h.loop), 0);
    control_free(&h.srv);
    rmdir(h.dir);
    close(sub.fd);
    close(plain.fd);
}

static void test_base64(void **state)
{
    static const struct {
        const char *plain;
        const char *b64;
    } v[] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        json_t *s = control_data_json(v[i].plain, strlen(v[i].plain));
        json_t *args = json_pack("{s:o}", "d", s);
        uint8_t *out;
        size_t len;

        assert_string_equal(json_string_value(s), v[i].b64);
        assert_int_equal(control_arg_data(args, "d", &out, &len), 0);
        assert_int_equal(len, strlen(v[i].plain));
        assert_memory_equal(out, v[i].plain, len);
        free(out);
        assert_int_equal(control_arg_data(args, "missing", &out, &len), BO_ENOENT);
        json_decref(args);
    }
    {
        /* Non-canonical padding bits and stray characters are refused. */
        json_t *args = json_pack("{s:s, s:s, s:s}", "a", "Zh==", "b", "Zm9 ", "c", "Zm=v");
        uint8_t *out;
        size_t len;

        assert_int_equal(control_arg_data(args, "a", &out, &len), BO_EINVAL);
        assert_int_equal(control_arg_data(args, "b", &out, &len), BO_EINVAL);
        assert_int_equal(control_arg_data(args, "c", &out, &len), BO_EINVAL);
        json_decref(args);
    }
    assert_string_equal(control_error_class_name(CONTROL_ERR_INVALID_ARGUMENT), "InvalidArgument");
    assert_string_equal(control_error_class_name((enum control_error_class)99), "GenericError");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting_and_mode), cmocka_unit_test(test_socket_file_rules),
        cmocka_unit_test(test_register_rules),    cmocka_unit_test(test_id_echo),
        cmocka_unit_test(test_validation),        cmocka_unit_test(test_events_to_subscribers),
        cmocka_unit_test(test_async_reply),       cmocka_unit_test(test_query_commands_and_quit),
        cmocka_unit_test(test_shutdown_event),    cmocka_unit_test(test_base64),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
