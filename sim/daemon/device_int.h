/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file device_int.h
 * \brief Internals shared by device.c (flash, setup, views), device_run.c (firmware runs) and
 *        device_req.c (requests to the firmware).
 */
#ifndef SIM_DEVICE_INT_H
#define SIM_DEVICE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "daemon/device.h"
#include "daemon/device_proc.h"

/** One firmware process and its pipe. Freed once both handles are closed. */
struct device_run {
    struct device *dev;
    struct device_proc proc;
    uv_pipe_t pipe;
    int open_handles;
    bool exited;
    bool eof;
    bool finished;
    int64_t exit_status;
    int term_signal;
    bool power_loss;
    bool boot_failed;
    json_t *loss; /**< POWER_LOSS data from the firmware. */
    char *line;
    size_t line_len;
    bool line_overflow;
};

/** \brief Sends an event to the device's emitter with "device" added (data taken over). */
void device_emit(struct device *dev, const char *event, json_t *data, uint64_t clock_ns);

/** \brief Completes every pending request with the error why. */
void device_req_fail_all(struct device *dev, const char *why);

/** \brief Completes the pending request id with the firmware's reply msg (not taken over). */
void device_req_reply(struct device *dev, uint64_t id, json_t *msg);

/** \brief Starts closing the request timer; \return whether it was open (closed_cb follows). */
bool device_req_close(struct device *dev, void (*closed_cb)(struct device *dev));

/** \brief The flash is lost: kills the run (the device ends in DEVICE_FAULT, never restarts). */
void device_lose_run(struct device *dev);

#endif /* SIM_DEVICE_INT_H */
