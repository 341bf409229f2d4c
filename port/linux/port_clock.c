/* SPDX-License-Identifier: Apache-2.0 */
/* Real and virtual device clocks, and the port_time_ms() contract of the core. */
#include "port_clock.h"

#include <time.h>

#include "port/port_time.h"
#include "port_os.h"

static _Thread_local struct port_clock *clock_current;

void port_clock_init_real(struct port_clock *clock)
{
    clock->mode = PORT_CLOCK_REAL;
    clock->virt_ns = 0;
    clock->virt_epoch_s = 0;
}

void port_clock_init_virtual(struct port_clock *clock, int64_t epoch_s)
{
    clock->mode = PORT_CLOCK_VIRTUAL;
    clock->virt_ns = 0;
    clock->virt_epoch_s = epoch_s;
}

void port_clock_advance(struct port_clock *clock, uint64_t ns)
{
    if (clock->mode == PORT_CLOCK_VIRTUAL) {
        clock->virt_ns += ns;
    }
}

static uint64_t clock_host_ns(clockid_t id)
{
    struct timespec ts;

    if (port_os.clock_gettime(id, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t port_clock_now_ns(const struct port_clock *clock)
{
    if (clock != NULL && clock->mode == PORT_CLOCK_VIRTUAL) {
        return clock->virt_ns;
    }
    return clock_host_ns(CLOCK_MONOTONIC);
}

int64_t port_clock_epoch_s(const struct port_clock *clock)
{
    if (clock != NULL && clock->mode == PORT_CLOCK_VIRTUAL) {
        return clock->virt_epoch_s + (int64_t)(clock->virt_ns / 1000000000u);
    }
    return (int64_t)(clock_host_ns(CLOCK_REALTIME) / 1000000000u);
}

struct port_clock *port_clock_activate(struct port_clock *clock)
{
    struct port_clock *prev = clock_current;

    clock_current = clock;
    return prev;
}

uint64_t port_time_ms(void)
{
    return port_clock_now_ns(clock_current) / 1000000u;
}

struct port_clock *port_clock_active(void)
{
    return clock_current;
}
