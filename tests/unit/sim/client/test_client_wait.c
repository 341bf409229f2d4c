/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of client_wait_caused() (client_wait.h): which kept events count for the event a
 * command caused, over a socket pair that plays the daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/client.h"
#include "client/client_wait.h"

/* A connection whose daemon side is peer[0]. */
struct wait_fixture {
    struct client_conn conn;
    int peer;
};

static int wait_setup(void **state)
{
    struct wait_fixture *f = calloc(1, sizeof(*f));
    int sv[2];

    assert_non_null(f);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    client_init(&f->conn);
    f->conn.fd = sv[0];
    f->conn.events = json_array();
    f->peer = sv[1];
    *state = f;
    return 0;
}

static int wait_teardown(void **state)
{
    struct wait_fixture *f = *state;

    client_free(&f->conn);
    close(f->peer);
    free(f);
    return 0;
}

/* An event of device with a "run" number that tells events apart. */
static json_t *wait_event(const char *name, const char *device, int run)
{
    return json_pack("{s:s, s:{s:s, s:i}}", "event", name, "data", "device", device, "run", run);
}

/* Keeps an event as if it had come while the command's reply was awaited. */
static void wait_keep(struct wait_fixture *f, const char *name, const char *device, int run)
{
    json_array_append_new(f->conn.events, wait_event(name, device, run));
}

/* The daemon sends an event on the socket. */
static void wait_send(struct wait_fixture *f, const char *name, const char *device, int run)
{
    json_t *ev = wait_event(name, device, run);
    char *text = json_dumps(ev, JSON_COMPACT);

    assert_non_null(text);
    assert_int_equal(write(f->peer, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(write(f->peer, "\n", 1), 1);
    free(text);
    json_decref(ev);
}

static int wait_run(const json_t *event)
{
    return (int)json_integer_value(json_object_get(json_object_get(event, "data"), "run"));
}

static void test_kept_events_after_the_marker_count(void **state)
{
    struct wait_fixture *f = *state;
    json_t *ev = NULL;

    /* An older run's BOOT_DONE, then this reset's RESET and (kept) its BOOT_DONE. */
    wait_keep(f, "BOOT_DONE", "dev0", 1);
    wait_keep(f, "RESET", "dev0", 2);
    wait_keep(f, "BOOT_DONE", "dev1", 2);
    wait_keep(f, "BOOT_DONE", "dev0", 2);
    assert_int_equal(client_wait_caused(&f->conn, "RESET", "BOOT_DONE", "dev0", 1000, &ev), 0);
    assert_int_equal(wait_run(ev), 2);
    json_decref(ev);
}

static void test_older_runs_do_not_count(void **state)
{
    struct wait_fixture *f = *state;
    json_t *ev = NULL;

    wait_keep(f, "BOOT_DONE", "dev0", 1);
    wait_keep(f, "RESET", "dev0", 2);
    wait_send(f, "BOOT_DONE", "dev1", 2);
    wait_send(f, "BOOT_DONE", "dev0", 2);
    assert_int_equal(client_wait_caused(&f->conn, "RESET", "BOOT_DONE", "dev0", 1000, &ev), 0);
    assert_int_equal(wait_run(ev), 2);
    json_decref(ev);
    /* Without a marker every kept event is older than the command. */
    wait_keep(f, "POWER_LOSS", "dev0", 3);
    wait_send(f, "POWER_LOSS", "dev0", 4);
    assert_int_equal(client_wait_caused(&f->conn, NULL, "POWER_LOSS", "dev0", 1000, &ev), 0);
    assert_int_equal(wait_run(ev), 4);
    json_decref(ev);
}

static void test_shutdown_and_timeout(void **state)
{
    struct wait_fixture *f = *state;
    json_t *ev = NULL;

    wait_send(f, "POWER_ON", "dev0", 1);
    assert_int_equal(client_wait_caused(&f->conn, NULL, "BOOT_DONE", "dev0", 0, &ev), BO_ETIMEDOUT);
    assert_null(ev);
    assert_int_equal(write(f->peer, "{\"event\":\"SHUTDOWN\",\"data\":{}}\n", 31), 31);
    assert_int_equal(client_wait_caused(&f->conn, NULL, "BOOT_DONE", NULL, 1000, &ev), BO_ESTATE);
    assert_null(ev);
    close(f->peer);
    f->peer = -1;
    assert_int_equal(client_wait_caused(&f->conn, NULL, "BOOT_DONE", NULL, 1000, &ev), BO_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kept_events_after_the_marker_count, wait_setup,
                                        wait_teardown),
        cmocka_unit_test_setup_teardown(test_older_runs_do_not_count, wait_setup, wait_teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_and_timeout, wait_setup, wait_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
