/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file control_int.h
 * \brief What the files of the control engine share: clients, requests, the schema checker,
 *        base64 and the dispatcher. Not for users of the engine (they include control.h).
 */
#ifndef SIM_CONTROL_INTERNAL_H
#define SIM_CONTROL_INTERNAL_H

#include "control/control.h"

/** Server states (struct control_server.state). */
enum control_state {
    CONTROL_STATE_IDLE = 0, /**< Initialised, not set up (or setup failed). */
    CONTROL_STATE_RUNNING,  /**< Accepting clients. */
    CONTROL_STATE_CLOSING,  /**< control_close() called; handles closing. */
    CONTROL_STATE_CLOSED,   /**< Every handle closed. */
};

/** One connection. Freed once both of its handles have run their close callbacks. */
struct control_client {
    struct control_server *srv;
    struct control_client *next;
    struct control_client *prev;
    uint64_t id;
    uv_pipe_t pipe;
    uv_timer_t flush_timer;
    uv_shutdown_t shutdown_req;
    int handles_open; /**< Handles not yet through their close callback. */
    bool closing;     /**< No more input is processed, nothing more is queued. */
    bool subscribed;  /**< Receives events. */
    size_t queued;    /**< Bytes handed to uv_write and not yet written. */
    char *line;       /**< The partial line carried over between reads. */
    size_t line_len;
    size_t line_cap;
    struct control_request *pending; /**< Requests not yet completed (list). */
    size_t n_pending;                /**< Their number. */
    char rbuf[65536];                /**< Read buffer handed to libuv. */
};

/** One request being handled. */
struct control_request {
    struct control_client *client; /**< NULL once orphaned. */
    struct control_request *next;
    struct control_request *prev;
    uint64_t client_id;
    json_t *id; /**< The request's id, or NULL when it had none. */
    json_t *args;
    const char *command; /**< Points into the registry or the built-in table. */
    bool in_handler;     /**< The dispatcher still runs the handler. */
    bool done;           /**< Completed. */
};

/**
 * \brief Checks a command definition (name, handler, schema) before it is registered.
 * \return 0 or BO_EINVAL.
 */
int control_schema_check(const struct control_command *cmd);

/**
 * \brief Validates a request's arguments against a schema.
 * \param args  An object.
 * \param desc  Receives the reason of a failure, naming the key.
 * \return 0 or BO_EINVAL.
 */
int control_schema_validate(const struct control_arg *schema, const json_t *args, char *desc,
                            size_t desc_len);

/** \brief The query-commands description of a command; NULL on ENOMEM. */
json_t *control_schema_describe(const struct control_command *cmd);

/**
 * \brief Processes one complete request line (no newline) from client: replies or dispatches.
 */
void control_dispatch_line(struct control_client *client, const char *line, size_t len);

/** \brief Sends an error reply (id may be NULL) to client. */
void control_dispatch_error(struct control_client *client, const json_t *id,
                            enum control_error_class cls, const char *desc);

/** \brief Queues one message (a JSON object) as a line; drops a client over its queue limit. */
void control_client_send(struct control_client *client, const json_t *msg);

/** \brief Starts closing client; with flush, queued output is written first (within flush_ms). */
void control_client_close(struct control_client *client, bool flush);

/** \brief Finds a registered or built-in command; NULL if none. */
const struct control_command *control_dispatch_find(const struct control_server *srv,
                                                    const char *name);

#endif /* SIM_CONTROL_INTERNAL_H */
