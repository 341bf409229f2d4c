/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_time.h
 * \brief Port contract: the device's monotonic clock.
 */
#ifndef PORT_TIME_H
#define PORT_TIME_H

#include <stdint.h>

/**
 * \brief Milliseconds since an arbitrary origin, never going backwards.
 *
 * Contract: on a real part a free-running timer; on the Linux port the clock of the device the
 * calling thread runs (a virtual clock that flash operations advance, or the host's monotonic
 * clock). Never fails; wraps only after 2^64 ms.
 */
uint64_t port_time_ms(void);

#endif /* PORT_TIME_H */
