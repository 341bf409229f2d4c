/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_format.h
 * \brief Human-readable output of the brownout CLI: return values, events, errors.
 */
#ifndef SIM_CLIENT_FORMAT_H
#define SIM_CLIENT_FORMAT_H

#include <stdio.h>

#include <jansson.h>

/**
 * \brief Prints a return value for a person: "ok" for an empty object, "key: value" lines for
 *        an object (nested ones indented), a table for an array of objects, else the value.
 */
void client_format_value(FILE *out, const json_t *value);

/** \brief Prints an event on one line: local time, name, then key=value pairs of its data. */
void client_format_event(FILE *out, const json_t *event);

/** \brief Prints an error reply ("CLASS: desc") to out. */
void client_format_error(FILE *out, const json_t *reply);

#endif /* SIM_CLIENT_FORMAT_H */
