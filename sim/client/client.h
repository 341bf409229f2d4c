/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client.h
 * \brief A blocking client of the control protocol (see control.h and docs/protocol.md).
 *
 * One connection: connect and read the greeting, execute commands (replies are matched by id;
 * events that arrive meanwhile are kept for client_next_event()), wait for events. Every call
 * takes a timeout in milliseconds (negative: none).
 */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#include "bo_err.h"

/** A connection. Fields are private. */
struct client_conn {
    int fd;
    char *buf; /**< Received bytes not yet consumed. */
    size_t len;
    size_t cap;
    json_t *greeting; /**< The "brownout" object of the greeting. */
    json_t *events;   /**< Events received while waiting for a reply (an array). */
    long long next_id;
};

/** \brief Initialises c, unconnected. Cannot fail. */
void client_init(struct client_conn *c);

/**
 * \brief Connects to the socket at path and reads the greeting.
 * \return 0; BO_ENOENT if nothing listens there (no file, refused); BO_EOS for another failure
 *         to connect; BO_ETIMEDOUT; BO_EPROTO if the greeting is not brownout's; BO_ENOMEM.
 */
int client_connect(struct client_conn *c, const char *path, int timeout_ms);

/**
 * \brief Runs one command.
 * \param name   The command.
 * \param args   Its arguments, taken over; NULL for none.
 * \param reply  Receives the whole reply object (with "return" or "error"); json_decref() it.
 * \return 0 when a reply arrived (an error reply included); BO_ETIMEDOUT; BO_EIO if the
 *         connection closed; BO_EPROTO if the daemon sent garbage; BO_ENOMEM.
 */
int client_execute(struct client_conn *c, const char *name, json_t *args, int timeout_ms,
                   json_t **reply);

/**
 * \brief Sends one raw line as typed and returns the next message that is not an event.
 * \return As client_execute(); BO_EINVAL if line holds a newline.
 */
int client_raw(struct client_conn *c, const char *line, int timeout_ms, json_t **reply);

/**
 * \brief Returns the next event (kept ones first). Subscribe first with the "events" command.
 * \return 0; BO_ETIMEDOUT; BO_EIO if the connection closed; BO_EPROTO; BO_ENOMEM.
 */
int client_next_event(struct client_conn *c, int timeout_ms, json_t **event);

/** \brief Closes the connection and frees everything; safe after client_init(). */
void client_free(struct client_conn *c);

/**
 * \brief The socket path: opt if not NULL, else $BROWNOUT_SOCKET, else "brownout.sock" in the
 *        current directory (brownoutd's default --control).
 * \return buf, or NULL if the path does not fit.
 */
const char *client_socket_path(const char *opt, char *buf, size_t len);

#endif /* SIM_CLIENT_H */
