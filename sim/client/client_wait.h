/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_wait.h
 * \brief Race-free waits: the event a command causes, on a connection subscribed before it.
 */
#ifndef SIM_CLIENT_WAIT_H
#define SIM_CLIENT_WAIT_H

#include <jansson.h>

#include "client/client.h"

/**
 * \brief Waits for event name (of device, when not NULL) caused by the command just executed.
 *
 * The connection must have subscribed to events before the command was sent, so no event the
 * command caused can be missed. Events kept while waiting for the command's reply came before
 * the command ran, except those from the device's marker event on (the event the command emits
 * at once, e.g. RESET for reset): the earlier ones are dropped, so an event of an older run
 * does not count. A NULL marker drops every kept event.
 *
 * \param c           A connection subscribed to events.
 * \param marker      The command's own first event, or NULL.
 * \param name        The event awaited.
 * \param device      Its device, or NULL for any.
 * \param timeout_ms  Time allowed (negative: none).
 * \param event       Receives the whole event object; json_decref() it.
 * \return 0; BO_ETIMEDOUT; BO_ESTATE when the daemon shut down first; BO_EIO, BO_EPROTO or
 *         BO_ENOMEM as client_next_event().
 */
int client_wait_caused(struct client_conn *c, const char *marker, const char *name,
                       const char *device, int timeout_ms, json_t **event);

/**
 * \brief Subscribes the connection to events (the "events" command).
 * \return 0, or an error of client_execute(); BO_EPROTO if the daemon refused.
 */
int client_wait_subscribe(struct client_conn *c, int timeout_ms);

/**
 * \brief The CLI's --wait: client_wait_caused() with the marker of command (RESET for reset,
 *        POWER_ON for power-on, none otherwise), then prints the event as one line of JSON.
 * \return An exit status: 0, BO_EXIT_TEMPFAIL (timeout), BO_EXIT_UNAVAIL (connection closed or the
 *         daemon shut down), BO_EXIT_PROTOCOL or BO_EXIT_OSERR; the failure is said on stderr.
 */
int client_wait_cli(struct client_conn *c, const char *command, const char *name,
                    const char *device, int timeout_ms);

#endif /* SIM_CLIENT_WAIT_H */
