/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file control_event.h
 * \brief The one builder of event objects, for every emitter of events.
 *
 * An event is `{"event": NAME, "data": {...}}`; the control protocol's broadcasts add a
 * `"timestamp": {"seconds": S, "microseconds": U}` carrying "device-clock-ns" too when the
 * emitter gives a device clock (control.h has the wire format). The firmware's events to the
 * daemon (sim/fw) carry no timestamp; the daemon's broadcasts (control.c) do.
 */
#ifndef SIM_CONTROL_EVENT_H
#define SIM_CONTROL_EVENT_H

#include <stdint.h>

#include <jansson.h>

/** No device clock in a timestamp. */
#define CONTROL_EVENT_NO_DEVICE_CLOCK UINT64_MAX

/** When an event happened. */
struct control_event_clock {
    int64_t seconds;      /**< Wall-clock time: seconds since the epoch. */
    int64_t microseconds; /**< And microseconds (0 to 999999). */
    uint64_t device_ns;   /**< The device's clock, or CONTROL_EVENT_NO_DEVICE_CLOCK. */
};

/** \brief Fills c with the wall-clock time now and the device clock device_ns. */
void control_event_clock_now(struct control_event_clock *c, uint64_t device_ns);

/**
 * \brief Builds an event.
 * \param name   The event's name (BOOT_DONE, SHUTDOWN...).
 * \param data   Its data, stolen (freed on failure); NULL for an empty object.
 * \param clock  The timestamp's time, or NULL for an event without a timestamp.
 * \return The new object, or NULL (NULL name, or out of memory).
 */
json_t *control_event_new(const char *name, json_t *data, const struct control_event_clock *clock);

#endif /* SIM_CONTROL_EVENT_H */
