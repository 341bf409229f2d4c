/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_trace.h
 * \brief The flash operation trace of a replay (`brownout sweep --replay ID --trace FILE`),
 *        numbered as replay IDs count: each line of vflash_trace.h gets "op" = the operation's
 *        number in its phase ("action" from the starting flash, "recovery" after the first
 *        cut, "recovery-2" after the second), "phase", and "device-op" (the device's own
 *        count). An operation refused while the power is off has "op": null.
 */
#ifndef SIM_SWEEP_TRACE_H
#define SIM_SWEEP_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "port_flash_map.h"
#include "vflash/vflash_trace.h"

struct sweep_worker;

/** A replay's trace, over every device of the worker's board. */
struct sweep_trace {
    FILE *fp;
    const struct sweep_worker *w;
    struct vflash_trace tr[PORT_FLASH_MAP_MAX_DEVICES];
    uint32_t count; /**< Devices attached. */
    int phase;      /**< 0 action, 1 recovery, 2 recovery-2. */
    int64_t last;   /**< The last numbered operation of the phase; -1: none yet. */
    int error;      /**< The first write error. */
};

/**
 * \brief Attaches a trace writing to fp to every device of w (after the sweep's plan was built,
 *        before the replayed point runs).
 * \param names  The board's flash device names, in map order.
 */
void sweep_trace_attach(struct sweep_trace *t, const struct sweep_worker *w, FILE *fp,
                        const char *const *names);

/** \brief Detaches it. \return 0, or the first write error. */
int sweep_trace_detach(struct sweep_trace *t);

#endif /* SIM_SWEEP_TRACE_H */
