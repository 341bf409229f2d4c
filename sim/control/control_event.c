/* SPDX-License-Identifier: Apache-2.0 */
/* The one builder of event objects (control_event.h). */
#include "control/control_event.h"

#include <time.h>

void control_event_clock_now(struct control_event_clock *c, uint64_t device_ns)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    c->seconds = (int64_t)now.tv_sec;
    c->microseconds = (int64_t)(now.tv_nsec / 1000);
    c->device_ns = device_ns;
}

/* The timestamp object of clock, or NULL. */
static json_t *control_event_timestamp(const struct control_event_clock *clock)
{
    json_t *ts = json_pack("{s:I, s:I}", "seconds", (json_int_t)clock->seconds, "microseconds",
                           (json_int_t)clock->microseconds);

    if (ts != NULL && clock->device_ns != CONTROL_EVENT_NO_DEVICE_CLOCK &&
        json_object_set_new(ts, "device-clock-ns",
                            json_integer((json_int_t)(clock->device_ns & INT64_MAX))) != 0) {
        json_decref(ts);
        ts = NULL;
    }
    return ts;
}

json_t *control_event_new(const char *name, json_t *data, const struct control_event_clock *clock)
{
    json_t *ev = NULL;

    if (data == NULL) {
        data = json_object();
    }
    if (name == NULL || data == NULL) {
        goto fail;
    }
    /* The members in this order: event, data, timestamp (what clients have always read). */
    ev = json_pack("{s:s, s:O}", "event", name, "data", data);
    if (ev == NULL) {
        goto fail;
    }
    if (clock != NULL &&
        json_object_set_new(ev, "timestamp", control_event_timestamp(clock)) != 0) {
        goto fail;
    }
    json_decref(data);
    return ev;
fail:
    json_decref(ev);
    json_decref(data);
    return NULL;
}
