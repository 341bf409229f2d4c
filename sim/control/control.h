/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file control.h
 * \brief The control protocol engine: QMP-shaped JSON lines on a Unix stream socket.
 *
 * The engine owns a listening socket on a libuv loop, the clients, the line framing, the
 * greeting, a registry of commands with declarative argument schemas, replies, errors with a
 * class, and the broadcast of events to subscribed clients. It knows nothing about devices:
 * whoever owns the loop registers the commands (control_register()) and emits the events
 * (control_emit()). docs/protocol.md describes the wire format.
 *
 * Wire format, one JSON object per line:
 * - greeting on connect: `{"brownout": {"version": V, "capabilities": [...]}}`;
 * - request: `{"execute": NAME, "arguments": {...}, "id": ANY}` (arguments and id optional);
 * - reply: `{"return": VALUE, "id": ANY}` or
 *   `{"error": {"class": CLASS, "desc": TEXT}, "id": ANY}` (id echoed verbatim when given);
 * - event: `{"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": U}}`,
 *   the timestamp carrying "device-clock-ns" too when the emitter gives a device clock.
 *
 * Lifecycle (Mbed TLS style): control_init() cannot fail; control_register() and
 * control_setup() may; control_close() starts an asynchronous shutdown that ends when the loop
 * has run the close callbacks (config.on_closed is called then); control_free() releases the
 * registry and is safe after control_init() or once the shutdown has completed.
 *
 * Threading: every function must be called on the thread that runs the loop.
 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "bo_err.h"

/** The longest request line accepted, newline excluded (1 MiB). */
#define CONTROL_LINE_MAX ((size_t)1024 * 1024)
/** Default limit of clients connected at once. */
#define CONTROL_CLIENTS_DEFAULT 256
/** Default limit of bytes queued for one client before it is dropped as too slow (16 MiB). */
#define CONTROL_QUEUE_DEFAULT ((size_t)16 * 1024 * 1024)
/** Default time a closing connection may take to flush its output (milliseconds). */
#define CONTROL_FLUSH_MS_DEFAULT 1000u
/** Default limit of requests of one client waiting for their reply at once. */
#define CONTROL_PENDING_DEFAULT 32
/** The protocol revision reported by query-version. */
#define CONTROL_PROTOCOL 1

/** \brief The error classes of the protocol (their wire names in control_error_class_name()). */
enum control_error_class {
    CONTROL_ERR_GENERIC = 0,       /**< "GenericError": the command failed. */
    CONTROL_ERR_PARSE,             /**< "ParseError": not JSON, or a line too long. */
    CONTROL_ERR_INVALID_REQUEST,   /**< "InvalidRequest": JSON, but not a request object. */
    CONTROL_ERR_COMMAND_NOT_FOUND, /**< "CommandNotFound": no command of that name. */
    CONTROL_ERR_INVALID_ARGUMENT,  /**< "InvalidArgument": the arguments break the schema. */
    CONTROL_ERR_DEVICE_NOT_FOUND,  /**< "DeviceNotFound": no such device, flash or slot. */
    CONTROL_ERR_INVALID_STATE,     /**< "InvalidState": not possible in the current state. */
    CONTROL_ERR_TIMEOUT,           /**< "Timeout": the operation did not finish in time. */
    CONTROL_ERR_COUNT_             /**< Number of classes; not a class. */
};

/** \brief The wire name of an error class ("GenericError" for anything out of range). */
const char *control_error_class_name(enum control_error_class cls);

/** \brief The type of one argument in a command's schema. */
enum control_arg_type {
    CONTROL_ARG_STRING = 1, /**< A JSON string; max: longest length in bytes (0: no limit). */
    CONTROL_ARG_INT,        /**< A JSON integer in [min, max]. */
    CONTROL_ARG_BOOL,       /**< true or false. */
    CONTROL_ARG_DATA,       /**< Binary data as a base64 string; max: largest decoded size. */
    CONTROL_ARG_ENUM,       /**< A JSON string among values. */
    CONTROL_ARG_OBJECT,     /**< Any JSON object; the handler checks its contents. */
};

/**
 * \brief One argument of a command's schema.
 *
 * A schema is an array of these ended by an entry whose name is NULL. Unknown keys in a request
 * are errors; an argument that is not required may be absent (never null).
 */
struct control_arg {
    const char *name;           /**< The key; lower case with hyphens. */
    enum control_arg_type type; /**< Its type. */
    bool required;              /**< Whether it must be present. */
    long long min;              /**< INT: lowest value allowed. */
    long long max;              /**< INT: highest value; STRING, DATA: size limit (see type). */
    const char *const *values;  /**< ENUM: the allowed strings, NULL-terminated. */
    const char *help;           /**< One line for query-commands; may be NULL. */
};

/** A pending reply: one request being handled. Opaque. */
struct control_request;

/**
 * \brief Handles one request whose arguments passed the schema.
 *
 * The handler must complete the request exactly once with control_reply() or
 * control_reply_error(), either before it returns (a synchronous command) or later from any
 * loop callback (an asynchronous one: keep the pointer). A request whose client disconnected
 * meanwhile still has to be completed; its reply is then dropped (control_request_orphaned()).
 *
 * \param req   The request.
 * \param args  The validated arguments (an object, possibly empty); valid until completion.
 * \param ctx   The command's ctx.
 */
typedef void (*control_handler_fn)(struct control_request *req, json_t *args, void *ctx);

/** \brief A command: copied by control_register(), except args, which must outlive the server. */
struct control_command {
    const char *name;               /**< Lower case with hyphens, e.g. "power-cut". */
    const char *help;               /**< One line for query-commands; may be NULL. */
    const struct control_arg *args; /**< The schema (NULL-name terminated); NULL: none. */
    control_handler_fn handler;     /**< Runs the command. */
    void *ctx;                      /**< Passed to handler. */
};

/** \brief Configuration of a server; copied by control_setup() (strings must outlive it). */
struct control_config {
    const char *path;                /**< Socket path (shorter than sun_path). */
    const char *version;             /**< Reported in the greeting and query-version. */
    const char *const *capabilities; /**< NULL-terminated list for the greeting; may be NULL. */
    size_t max_clients;              /**< 0: CONTROL_CLIENTS_DEFAULT. */
    size_t max_queue;                /**< Bytes queued per client; 0: CONTROL_QUEUE_DEFAULT. */
    size_t max_line;                 /**< 0: CONTROL_LINE_MAX. */
    unsigned flush_ms;               /**< 0: CONTROL_FLUSH_MS_DEFAULT. */
    size_t max_pending; /**< Requests of one client in flight; 0: CONTROL_PENDING_DEFAULT. */
    /**
     * Called when a client that still has requests in flight goes away (before they become
     * orphans), so that the owner can complete them now; may be NULL.
     */
    void (*on_client_gone)(void *ctx, uint64_t client);
    /** Called after `quit` was answered and its connection is closing; may be NULL. */
    void (*on_quit)(void *ctx, uint64_t client);
    /** Called once control_close() has finished (every handle closed); may be NULL. */
    void (*on_closed)(void *ctx);
    void *ctx; /**< Passed to the callbacks. */
};

struct control_client;

/** \brief A control server. Fields are private; embed it or allocate it, then control_init(). */
struct control_server {
    uv_loop_t *loop;
    struct control_config config;
    char *path;
    uv_pipe_t listener;
    int state;
    bool listener_open;
    struct control_command *commands;
    size_t n_commands;
    size_t cap_commands;
    struct control_client *clients;
    size_t n_clients;
    uint64_t next_client_id;
    uint64_t dropped_clients;
};

/** \brief Initialises srv to an empty, unbound server. Cannot fail. */
void control_init(struct control_server *srv);

/**
 * \brief Registers a command (before or after control_setup()).
 * \return 0; BO_EINVAL for a bad name or schema; BO_EEXIST if the name is taken (the built-ins
 *         query-version, query-commands, events and quit included); BO_ENOMEM.
 */
int control_register(struct control_server *srv, const struct control_command *cmd);

/**
 * \brief Creates the socket (mode 0600) and starts accepting clients on loop.
 *
 * A stale socket file (nobody listening) is replaced; a live one is not.
 * \return 0; BO_EINVAL for a bad config or a path too long; BO_EBUSY if a server already
 *         listens there; BO_EEXIST if the path is not a socket; BO_ESTATE if already set up;
 *         BO_EOS if a system call failed; BO_ENOMEM.
 */
int control_setup(struct control_server *srv, uv_loop_t *loop, const struct control_config *cfg);

/**
 * \brief Broadcasts an event to every subscribed client.
 * \param name  Upper case, e.g. "BOOT_DONE".
 * \param data  The data object; the reference is taken over (like json_object_set_new());
 *              NULL sends an empty object.
 */
void control_emit(struct control_server *srv, const char *name, json_t *data);

/**
 * \brief control_emit() with the device's clock added to the timestamp as "device-clock-ns".
 */
void control_emit_clock(struct control_server *srv, const char *name, json_t *data,
                        uint64_t device_clock_ns);

/**
 * \brief Starts the shutdown: a SHUTDOWN event (data {"reason": reason}) to every client,
 *        subscribed or not, then every connection is flushed (within flush_ms) and closed, the
 *        listener closed and the socket file removed. Pending requests become orphans.
 *        Does nothing if the server is not running. Safe to call from a handler.
 */
void control_close(struct control_server *srv, const char *reason);

/** \brief Whether control_close() has finished (or the server was never set up). */
bool control_closed(const struct control_server *srv);

/** \brief Frees the registry. Safe after control_init() or once control_closed() is true. */
void control_free(struct control_server *srv);

/** \brief Number of clients connected now. */
size_t control_client_count(const struct control_server *srv);

/**
 * \brief Completes req with `{"return": value}`.
 * \param value  Taken over; NULL returns an empty object.
 */
void control_reply(struct control_request *req, json_t *value);

/** \brief Completes req with an error of class cls; desc is printf-formatted. */
void control_reply_error(struct control_request *req, enum control_error_class cls, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

/** \brief Whether the client of req has gone (its reply will be dropped). */
bool control_request_orphaned(const struct control_request *req);

/** \brief The id of the client that sent req (unique per server, never 0). */
uint64_t control_request_client(const struct control_request *req);

/** \brief The name of the command req runs. */
const char *control_request_command(const struct control_request *req);

/**
 * \brief Decodes a validated CONTROL_ARG_DATA argument.
 * \param args  The handler's args.
 * \param name  The argument's name.
 * \param out   Receives a malloc'ed buffer (free() it; non-NULL even for 0 bytes).
 * \param len   Receives its length.
 * \return 0; BO_ENOENT if absent; BO_EINVAL if not valid base64; BO_ENOMEM.
 */
int control_arg_data(const json_t *args, const char *name, uint8_t **out, size_t *len);

/** \brief A new JSON string holding buf base64-encoded (for replies); NULL on ENOMEM. */
json_t *control_data_json(const void *buf, size_t len);

#endif /* SIM_CONTROL_H */
