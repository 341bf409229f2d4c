/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_clock.h
 * \brief Device clocks: the host's real clock, or a virtual one that only moves when told to.
 *
 * A simulated device runs on a virtual clock that flash operations and timers advance, so a boot
 * reports how long it would take on the real part and a replay sees the same time again. The
 * clock the calling thread reads (port_time_ms(), Mbed TLS's time hook) is the one activated.
 */
#ifndef PORT_CLOCK_H
#define PORT_CLOCK_H

#include <stdint.h>

enum port_clock_mode {
    PORT_CLOCK_REAL = 0, /**< CLOCK_MONOTONIC and CLOCK_REALTIME of the host. */
    PORT_CLOCK_VIRTUAL,  /**< Starts at a given wall time; advanced only by port_clock_advance. */
};

struct port_clock {
    enum port_clock_mode mode;
    uint64_t virt_ns;     /**< Virtual mode: nanoseconds elapsed since start. */
    int64_t virt_epoch_s; /**< Virtual mode: wall-clock seconds at start. */
};

/** \brief Initialises a real clock. Cannot fail. */
void port_clock_init_real(struct port_clock *clock);

/**
 * \brief Initialises a virtual clock. Cannot fail.
 * \param epoch_s  The wall-clock time (seconds since 1970) the device believes it starts at.
 */
void port_clock_init_virtual(struct port_clock *clock, int64_t epoch_s);

/** \brief Advances a virtual clock by ns; does nothing to a real one. */
void port_clock_advance(struct port_clock *clock, uint64_t ns);

/** \brief Monotonic nanoseconds (real: since boot of the host; virtual: since start). */
uint64_t port_clock_now_ns(const struct port_clock *clock);

/** \brief Wall-clock seconds since 1970. */
int64_t port_clock_epoch_s(const struct port_clock *clock);

/**
 * \brief Makes clock the one the calling thread reads.
 * \param clock  The clock, or NULL for the host's real clock.
 * \return       The previously active clock, to restore later.
 */
struct port_clock *port_clock_activate(struct port_clock *clock);

/** \brief The clock the calling thread reads, or NULL for the host's real clock. */
struct port_clock *port_clock_active(void);

#endif /* PORT_CLOCK_H */
