/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the control client and the brownout daemon subcommands: exit statuses against a
 * live test server and against no server, timeouts, the image command's routing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <cmocka.h>

#include "client/client.h"
#include "client/client_cli.h"
#include "support/interop.h"
#include "support/control_harness.h"

/* Runs `brownout ARGS...` (argv[0] is the subcommand), NULL-terminated list. */
static int cli(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    const char *a;

    va_start(ap, first);
    for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *)) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    return strcmp(argv[0], "image") == 0 ? client_cli_image(argc, argv)
                                         : client_cli_main(argc, argv);
}

static void test_no_daemon(void **state)
{
    char dir[] = "/tmp/bo-client-XXXXXX";
    char path[96];
    struct sockaddr_un addr;
    int fd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/none.sock", dir);
    assert_int_equal(cli("status", "-s", path, NULL), EX_UNAVAILABLE);
    assert_int_equal(cli("wait", "BOOT_DONE", "--socket", path, NULL), EX_UNAVAILABLE);
    /* A stale socket: nobody listens. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    close(fd);
    assert_int_equal(cli("power-on", "dev0", "-s", path, NULL), EX_UNAVAILABLE);
    unlink(path);
    rmdir(dir);
}

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(cli("power-on", NULL), EX_USAGE);
    assert_int_equal(cli("status", "dev0", "extra", NULL), EX_USAGE);
    assert_int_equal(cli("flash", "read", "dev0", "0", NULL), EX_USAGE);
    assert_int_equal(cli("status", "--bogus", NULL), EX_USAGE);
    assert_int_equal(cli("power-cut", "dev0", "--follow", NULL), EX_USAGE);
    assert_int_equal(cli("power-cut", "dev0", "--at-op", "-3", NULL), EX_USAGE);
    assert_int_equal(cli("wait", NULL), EX_USAGE);
    assert_int_equal(cli("wait", "X", "--timeout", "soon", NULL), EX_USAGE);
    assert_int_equal(cli("flash", "read", "dev0", "int", "zero", "16", NULL), EX_USAGE);
    assert_int_equal(cli("flash", "poke", "dev0", "int", "0", "16", NULL), EX_USAGE);
    assert_int_equal(cli("raw", NULL), EX_USAGE);
    assert_int_equal(cli("image", "load", "dev0", NULL), EX_USAGE);
    assert_int_equal(cli("status", "--help", NULL), 0);
}

static void test_socket_path(void **state)
{
    char buf[256];

    (void)state;
    unsetenv("BROWNOUT_SOCKET");
    unsetenv("XDG_RUNTIME_DIR");
    assert_string_equal(client_socket_path(NULL, buf, sizeof(buf)), "brownout.sock");
    setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
    assert_string_equal(client_socket_path(NULL, buf, sizeof(buf)), "brownout.sock");
    setenv("BROWNOUT_SOCKET", "/tmp/x.sock", 1);
    assert_string_equal(client_socket_path(NULL, buf, sizeof(buf)), "/tmp/x.sock");
    assert_string_equal(client_socket_path("a.sock", buf, sizeof(buf)), "a.sock");
    assert_null(client_socket_path("a.sock", buf, 4));
    unsetenv("BROWNOUT_SOCKET");
    unsetenv("XDG_RUNTIME_DIR");
}

static void test_commands(void **state)
{
    struct harness h;
    char file[160];
    char out[160];
    uint8_t buf[16];
    FILE *f;
    size_t i;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    assert_int_equal(cli("status", "-s", h.path, NULL), 0);
    assert_int_equal(cli("status", "--json", "-s", h.path, NULL), 0);
    setenv("BROWNOUT_SOCKET", h.path, 1);
    assert_int_equal(cli("status", NULL), 0);
    unsetenv("BROWNOUT_SOCKET");
    /* Error replies exit 1. */
    assert_int_equal(cli("devices", "-s", h.path, NULL), 1);
    assert_int_equal(cli("power-on", "dev9", "-s", h.path, NULL), 1);
    assert_int_equal(cli("raw", "{\"execute\":\"fail\"}", "-s", h.path, NULL), 1);
    assert_int_equal(cli("raw", "not json", "-s", h.path, NULL), 1);
    assert_int_equal(cli("raw", "{\"execute\":\"query-version\"}", "-s", h.path, NULL), 0);
    assert_int_equal(cli("raw", "{\"execute\":\"query-version\"}", "-j", "-s", h.path, NULL), 0);
    /* flash read into a file, flash write from one. */
    snprintf(out, sizeof(out), "%s/read.bin", h.dir);
    assert_int_equal(
        cli("flash", "read", "dev0", "int", "0x10", "16", "-o", out, "-s", h.path, NULL), 0);
    f = fopen(out, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof(buf), f), 16);
    fclose(f);
    for (i = 0; i < 16; i++) {
        assert_int_equal(buf[i], (uint8_t)(i * 7 + 1));
    }
    assert_int_equal(cli("flash", "read", "dev0", "int", "0", "8", "-s", h.path, NULL), 0);
    assert_int_equal(cli("flash", "write", "dev0", "int", "0", out, "-s", h.path, NULL), 0);
    assert_int_equal(cli("flash", "erase", "dev0", "int", "0", "4096", "-s", h.path, NULL), 1);
    assert_int_equal(cli("flash", "read", "dev0", "0", "8", "-j", "-s", h.path, NULL), 0);
    assert_int_equal(cli("flash", "write", "dev0", "0", out, "-s", h.path, NULL), 0);
    /* power-cut: now, or at an operation with a model; the schema checks the values. */
    assert_int_equal(cli("power-cut", "dev0", "-s", h.path, NULL), 0);
    assert_int_equal(cli("power-cut", "dev0", "--at-op", "12", "--fault", "torn-prefix", "--units",
                         "3", "--seed", "7", "-s", h.path, NULL),
                     0);
    assert_int_equal(
        cli("power-cut", "dev0", "--at-op", "1", "--fault", "melt", "-s", h.path, NULL), 1);
    assert_int_equal(cli("status", "dev0", "-s", h.path, NULL), 1);
    snprintf(file, sizeof(file), "%s/missing.bin", h.dir);
    assert_int_equal(cli("flash", "write", "dev0", "int", "0", file, "-s", h.path, NULL),
                     EX_NOINPUT);
    /* image: DEV SLOT goes to the daemon, a FILE to the offline tool. */
    assert_int_equal(cli("image", "info", "dev0", "0-primary", "-s", h.path, NULL), 0);
    assert_int_equal(cli("image", "load", "dev0", "0-secondary", out, "-s", h.path, NULL), 0);
    assert_int_equal(cli("image", "load", "dev0", "0-secondary", file, "-s", h.path, NULL),
                     EX_NOINPUT);
    unlink(out);
    assert_int_equal(harness_stop(&h), 0);
}

static void test_offline_image_info_still_offline(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/ec256-keyhash.bin", interop_imgtool_dir());
    assert_int_equal(cli("image", "info", path, NULL), 0);
    assert_int_equal(cli("image", "info", "--json", path, NULL), 0);
}

static void test_wait_and_timeouts(void **state)
{
    struct harness h;
    struct client_conn c;
    json_t *reply = NULL;

    (void)state;
    assert_int_equal(harness_start(&h, NULL), 0);
    assert_int_equal(cli("wait", "NEVER", "--timeout", "0.2", "-s", h.path, NULL), EX_TEMPFAIL);
    assert_int_equal(cli("events", "-t", "0.2", "-s", h.path, NULL), EX_TEMPFAIL);
    assert_int_equal(cli("events", "--follow", "-t", "0.2", "-s", h.path, NULL), 0);
    /* power-on emits BOOT_DONE 300 ms later; wait sees it, filtered by device. */
    assert_int_equal(cli("power-on", "dev0", "-s", h.path, NULL), 0);
    assert_int_equal(cli("wait", "BOOT_DONE", "--device", "dev0", "-t", "5", "-s", h.path, NULL),
                     0);
    assert_int_equal(cli("power-on", "dev0", "-s", h.path, NULL), 0);
    assert_int_equal(cli("wait", "BOOT_DONE", "--device", "dev1", "-t", "0.6", "-s", h.path, NULL),
                     EX_TEMPFAIL);
    /* A command that never answers times out (75), through the library and the CLI. */
    client_init(&c);
    assert_int_equal(client_connect(&c, h.path, 2000), 0);
    assert_int_equal(client_execute(&c, "later", NULL, 200, &reply), BO_ETIMEDOUT);
    assert_null(reply);
    client_free(&c);
    assert_int_equal(cli("raw", "{\"execute\":\"finish\"}", "-s", h.path, NULL), 0);
    assert_int_equal(cli("raw", "{\"execute\":\"later\"}", "-t", "0.2", "-s", h.path, NULL),
                     EX_TEMPFAIL);
    assert_int_equal(cli("raw", "{\"execute\":\"finish\"}", "-s", h.path, NULL), 0);
    /* Events that arrive while waiting for a reply are kept for client_next_event(). */
    client_init(&c);
    assert_int_equal(client_connect(&c, h.path, 2000), 0);
    assert_int_equal(client_execute(&c, "events", NULL, 2000, &reply), 0);
    json_decref(reply);
    assert_int_equal(client_execute(&c, "emit", json_pack("{s:s}", "name", "RESET"), 2000, &reply),
                     0);
    assert_non_null(json_object_get(reply, "return"));
    json_decref(reply);
    assert_int_equal(client_next_event(&c, 2000, &reply), 0);
    assert_string_equal(json_string_value(json_object_get(reply, "event")), "RESET");
    json_decref(reply);
    /* The daemon going away ends a wait with 69 and shows up as BO_EIO. */
    uv_async_send(&h.stop);
    assert_int_equal(client_next_event(&c, 2000, &reply), 0);
    assert_string_equal(json_string_value(json_object_get(reply, "event")), "SHUTDOWN");
    json_decref(reply);
    assert_int_equal(client_next_event(&c, 2000, &reply), BO_EIO);
    client_free(&c);
    assert_int_equal(harness_join(&h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_daemon),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_socket_path),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_offline_image_info_still_offline),
        cmocka_unit_test(test_wait_and_timeouts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
