/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the event builder: the exact JSON of an event with and without a timestamp, with and
 * without a device clock, and its refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "control/control_event.h"

/* Checks that ev dumps (compact, in insertion order) to want, and frees it. */
static void assert_dumps(json_t *ev, const char *want)
{
    char *text;

    assert_non_null(ev);
    text = json_dumps(ev, JSON_COMPACT);
    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
    json_decref(ev);
}

static void test_without_timestamp(void **state)
{
    (void)state;
    assert_dumps(
        control_event_new("BOOT_DONE", json_pack("{s:s, s:i}", "slot", "primary", "ops", 7), NULL),
        "{\"event\":\"BOOT_DONE\",\"data\":{\"slot\":\"primary\",\"ops\":7}}");
    assert_dumps(control_event_new("RESET_REQUEST", NULL, NULL),
                 "{\"event\":\"RESET_REQUEST\",\"data\":{}}");
}

static void test_with_timestamp(void **state)
{
    struct control_event_clock c = { 1700000000, 250, CONTROL_EVENT_NO_DEVICE_CLOCK };

    (void)state;
    assert_dumps(control_event_new("SHUTDOWN", json_pack("{s:s}", "reason", "quit"), &c),
                 "{\"event\":\"SHUTDOWN\",\"data\":{\"reason\":\"quit\"},"
                 "\"timestamp\":{\"seconds\":1700000000,\"microseconds\":250}}");
    c.device_ns = 12345;
    assert_dumps(control_event_new("POWER_LOSS", NULL, &c),
                 "{\"event\":\"POWER_LOSS\",\"data\":{},\"timestamp\":{\"seconds\":1700000000,"
                 "\"microseconds\":250,\"device-clock-ns\":12345}}");
}

static void test_clock_now(void **state)
{
    struct control_event_clock c;

    (void)state;
    control_event_clock_now(&c, 99);
    assert_true(c.seconds > 0);
    assert_in_range(c.microseconds, 0, 999999);
    assert_int_equal(c.device_ns, 99);
}

static void test_refusals(void **state)
{
    (void)state;
    /* No name: NULL, and the data is freed (the leak checker of the sanitizer build sees it). */
    assert_null(control_event_new(NULL, json_pack("{s:i}", "a", 1), NULL));
    assert_null(control_event_new(NULL, NULL, NULL));
    /* A name that is not UTF-8. */
    assert_null(control_event_new("\xff", NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_timestamp),
        cmocka_unit_test(test_with_timestamp),
        cmocka_unit_test(test_clock_now),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
