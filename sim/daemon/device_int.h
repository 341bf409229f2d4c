/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file device_int.h
 * \brief Internals shared by device.c (flash, setup, views) and device_run.c (firmware runs).
 */
#ifndef SIM_DEVICE_INT_H
#define SIM_DEVICE_INT_H

#include <stdint.h>

#include <jansson.h>

#include "daemon/device.h"

/** \brief Sends an event to the device's emitter with "device" added (data taken over). */
void device_emit(struct device *dev, const char *event, json_t *data, uint64_t clock_ns);

#endif /* SIM_DEVICE_INT_H */
