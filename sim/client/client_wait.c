/* SPDX-License-Identifier: Apache-2.0 */
/* Race-free waits for the event a command causes (client_wait.h). */
#include "client/client_wait.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/bo_exit.h"

/* True when event is called name and, if device is not NULL, comes from device. */
static bool client_wait_match(const json_t *event, const char *name, const char *device)
{
    const char *ev = json_string_value(json_object_get(event, "event"));
    const char *dev = json_string_value(json_object_get(json_object_get(event, "data"), "device"));

    if (ev == NULL || strcmp(ev, name) != 0) {
        return false;
    }
    return device == NULL || (dev != NULL && strcmp(dev, device) == 0);
}

/* Drops the kept events that came before the device's last marker (all without a marker). */
static void client_wait_prune(struct client_conn *c, const char *marker, const char *device)
{
    size_t keep_from = json_array_size(c->events);
    size_t i;

    for (i = 0; marker != NULL && i < json_array_size(c->events); i++) {
        if (client_wait_match(json_array_get(c->events, i), marker, device)) {
            keep_from = i;
        }
    }
    while (keep_from-- > 0) {
        json_array_remove(c->events, 0);
    }
}

/* Milliseconds of a monotonic clock. */
static long long client_wait_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int client_wait_caused(struct client_conn *c, const char *marker, const char *name,
                       const char *device, int timeout_ms, json_t **event)
{
    long long deadline = timeout_ms >= 0 ? client_wait_now_ms() + timeout_ms : -1;
    int rc = 0;

    *event = NULL;
    client_wait_prune(c, marker, device);
    for (;;) {
        long long left = deadline < 0 ? -1 : deadline - client_wait_now_ms();
        json_t *ev = NULL;

        if (deadline >= 0 && left < 0) {
            left = 0;
        }
        rc = client_next_event(c, (int)left, &ev);
        if (rc < 0) {
            goto out;
        }
        if (client_wait_match(ev, name, device)) {
            *event = ev;
            goto out;
        }
        if (client_wait_match(ev, "SHUTDOWN", NULL)) {
            json_decref(ev);
            rc = BO_ESTATE;
            goto out;
        }
        json_decref(ev);
    }
out:
    return rc;
}

int client_wait_subscribe(struct client_conn *c, int timeout_ms)
{
    json_t *reply = NULL;
    int rc = client_execute(c, "events", json_pack("{s:b}", "enable", 1), timeout_ms, &reply);

    if (rc == 0 && json_object_get(reply, "return") == NULL) {
        rc = BO_EPROTO;
    }
    json_decref(reply);
    return rc;
}

int client_wait_cli(struct client_conn *c, const char *command, const char *name,
                    const char *device, int timeout_ms)
{
    const char *marker = NULL;
    json_t *event = NULL;
    char *text;
    int rc;

    if (strcmp(command, "reset") == 0) {
        marker = "RESET";
    } else if (strcmp(command, "power-on") == 0) {
        marker = "POWER_ON";
    }
    rc = client_wait_caused(c, marker, name, device, timeout_ms, &event);
    if (rc < 0) {
        fprintf(stderr, "brownout: %s%s\n",
                rc == BO_ETIMEDOUT ? "no event of this name within the timeout: "
                : rc == BO_ESTATE  ? "the daemon shut down before "
                : rc == BO_EPROTO  ? "the daemon sent something that is not a JSON object; awaited "
                                   : "the daemon closed the connection before ",
                name);
        return rc == BO_ETIMEDOUT ? BO_EXIT_TEMPFAIL
               : rc == BO_EPROTO  ? BO_EXIT_PROTOCOL
                                  : BO_EXIT_UNAVAIL;
    }
    text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(event);
    if (text == NULL) {
        return BO_EXIT_OSERR;
    }
    printf("%s\n", text);
    fflush(stdout);
    free(text);
    return 0;
}
