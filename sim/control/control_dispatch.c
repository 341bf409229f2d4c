/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control requests: parsing a line into a request, the checks before any side effect, the
 * built-in commands, and completing a request (synchronously or later) with a reply.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control_int.h"
#include "port/port_log.h"

static const char *const control_error_names[CONTROL_ERR_COUNT_] = {
    [CONTROL_ERR_GENERIC] = "GenericError",
    [CONTROL_ERR_PARSE] = "ParseError",
    [CONTROL_ERR_INVALID_REQUEST] = "InvalidRequest",
    [CONTROL_ERR_COMMAND_NOT_FOUND] = "CommandNotFound",
    [CONTROL_ERR_INVALID_ARGUMENT] = "InvalidArgument",
    [CONTROL_ERR_DEVICE_NOT_FOUND] = "DeviceNotFound",
    [CONTROL_ERR_INVALID_STATE] = "InvalidState",
    [CONTROL_ERR_TIMEOUT] = "Timeout",
};

const char *control_error_class_name(enum control_error_class cls)
{
    if ((int)cls < 0 || cls >= CONTROL_ERR_COUNT_) {
        return control_error_names[CONTROL_ERR_GENERIC];
    }
    return control_error_names[cls];
}

/* ---- Built-in commands. They run synchronously, so req->client is set. */

static void control_builtin_version(struct control_request *req, json_t *args, void *ctx)
{
    const struct control_server *srv = req->client->srv;
    const char *const *cap;
    json_t *caps = json_array();

    (void)args;
    (void)ctx;
    for (cap = srv->config.capabilities; caps != NULL && cap != NULL && *cap != NULL; cap++) {
        json_array_append_new(caps, json_string(*cap));
    }
    control_reply(req, json_pack("{s:s, s:i, s:o*}", "version", srv->config.version, "protocol",
                                 CONTROL_PROTOCOL, "capabilities", caps));
}

static void control_builtin_commands(struct control_request *req, json_t *args, void *ctx);

static void control_builtin_events(struct control_request *req, json_t *args, void *ctx)
{
    json_t *enable = json_object_get(args, "enable");

    (void)ctx;
    req->client->subscribed = enable == NULL || json_is_true(enable);
    control_reply(req, json_pack("{s:b}", "enabled", req->client->subscribed));
}

static void control_builtin_quit(struct control_request *req, json_t *args, void *ctx)
{
    struct control_client *client = req->client;
    struct control_server *srv = client->srv;

    (void)args;
    (void)ctx;
    control_reply(req, NULL);
    control_client_close(client, true);
    if (srv->config.on_quit != NULL) {
        srv->config.on_quit(srv->config.ctx, client->id);
    }
}

static const struct control_arg control_events_args[] = {
    { .name = "enable",
      .type = CONTROL_ARG_BOOL,
      .help = "true (the default) to receive events, false to stop" },
    { .name = NULL },
};

static const struct control_command control_builtins[] = {
    { .name = "query-version",
      .help = "The daemon's version, protocol and capabilities.",
      .handler = control_builtin_version },
    { .name = "query-commands",
      .help = "Every command with its argument schema.",
      .handler = control_builtin_commands },
    { .name = "events",
      .help = "Subscribe this connection to events (or unsubscribe).",
      .args = control_events_args,
      .handler = control_builtin_events },
    { .name = "quit",
      .help = "Close this connection after the reply.",
      .handler = control_builtin_quit },
};

#define CONTROL_N_BUILTINS (sizeof(control_builtins) / sizeof(control_builtins[0]))

static void control_builtin_commands(struct control_request *req, json_t *args, void *ctx)
{
    const struct control_server *srv = req->client->srv;
    json_t *list = json_array();
    size_t i;

    (void)args;
    (void)ctx;
    for (i = 0; list != NULL && i < CONTROL_N_BUILTINS + srv->n_commands; i++) {
        const struct control_command *cmd =
            i < CONTROL_N_BUILTINS ? &control_builtins[i] : &srv->commands[i - CONTROL_N_BUILTINS];
        json_t *d = control_schema_describe(cmd);

        if (d == NULL || json_array_append_new(list, d) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (list == NULL) {
        control_reply_error(req, CONTROL_ERR_GENERIC, "out of memory");
        return;
    }
    control_reply(req, list);
}

const struct control_command *control_dispatch_find(const struct control_server *srv,
                                                    const char *name)
{
    size_t i;

    for (i = 0; i < CONTROL_N_BUILTINS; i++) {
        if (strcmp(control_builtins[i].name, name) == 0) {
            return &control_builtins[i];
        }
    }
    for (i = 0; i < srv->n_commands; i++) {
        if (strcmp(srv->commands[i].name, name) == 0) {
            return &srv->commands[i];
        }
    }
    return NULL;
}

/* ---- Replies. */

/*
 * The error object of a reply. A desc that is not valid UTF-8 (a parse error quoting the bytes
 * of a malformed line, a message cut in the middle of a character) is sent with its non-ASCII
 * bytes replaced by '?': JSON strings must be UTF-8, and a malformed request still gets a reply.
 */
static json_t *control_dispatch_error_json(enum control_error_class cls, const char *desc)
{
    json_t *msg =
        json_pack("{s:{s:s, s:s}}", "error", "class", control_error_class_name(cls), "desc", desc);
    char ascii[512];
    size_t i;

    if (msg != NULL) {
        return msg;
    }
    for (i = 0; desc[i] != '\0' && i < sizeof(ascii) - 1; i++) {
        ascii[i] = (unsigned char)desc[i] < 0x80 ? desc[i] : '?';
    }
    ascii[i] = '\0';
    return json_pack("{s:{s:s, s:s}}", "error", "class", control_error_class_name(cls), "desc",
                     ascii);
}

void control_dispatch_error(struct control_client *client, const json_t *id,
                            enum control_error_class cls, const char *desc)
{
    json_t *msg = control_dispatch_error_json(cls, desc);

    if (msg == NULL) {
        return;
    }
    if (id != NULL) {
        json_object_set(msg, "id", (json_t *)id);
    }
    control_client_send(client, msg);
    json_decref(msg);
}

static void control_request_free(struct control_request *req)
{
    json_decref(req->id);
    json_decref(req->args);
    free(req);
}

/* Completes req with msg (taken over): unlinks it, sends msg unless orphaned, frees it. */
static void control_request_finish(struct control_request *req, json_t *msg)
{
    struct control_client *client = req->client;

    if (req->done) {
        port_log(PORT_LOG_ERROR, "control", "command '%s' completed twice; reply dropped",
                 req->command);
        json_decref(msg);
        return;
    }
    req->done = true;
    if (client != NULL) {
        /* Unlinked before sending: a send that drops the client must not see it. */
        if (req->prev != NULL) {
            req->prev->next = req->next;
        } else {
            client->pending = req->next;
        }
        if (req->next != NULL) {
            req->next->prev = req->prev;
        }
        client->n_pending--;
        req->client = NULL;
        req->next = NULL;
        req->prev = NULL;
        if (msg != NULL) {
            if (req->id != NULL) {
                json_object_set(msg, "id", req->id);
            }
            control_client_send(client, msg);
        }
    }
    json_decref(msg);
    if (!req->in_handler) {
        control_request_free(req);
    }
}

void control_reply(struct control_request *req, json_t *value)
{
    json_t *msg;

    if (value == NULL) {
        value = json_object();
    }
    msg = json_object();
    if (msg != NULL && json_object_set_new(msg, "return", value) != 0) {
        json_decref(msg);
        msg = NULL;
    } else if (msg == NULL) {
        json_decref(value);
    }
    control_request_finish(req, msg);
}

void control_reply_error(struct control_request *req, enum control_error_class cls, const char *fmt,
                         ...)
{
    char desc[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    control_request_finish(req, control_dispatch_error_json(cls, desc));
}

bool control_request_orphaned(const struct control_request *req)
{
    return req->client == NULL;
}

uint64_t control_request_client(const struct control_request *req)
{
    return req->client_id;
}

const char *control_request_command(const struct control_request *req)
{
    return req->command;
}

/* ---- Requests. */

/* Runs a validated command; args is taken over. */
static void control_dispatch_run(struct control_client *client, const struct control_command *cmd,
                                 const json_t *id, json_t *args)
{
    struct control_request *req;

    if (client->n_pending >= client->srv->config.max_pending) {
        json_decref(args);
        control_dispatch_error(client, id, CONTROL_ERR_GENERIC,
                               "too many requests in flight; wait for their replies");
        return;
    }
    req = calloc(1, sizeof(*req));
    if (req == NULL) {
        json_decref(args);
        control_dispatch_error(client, id, CONTROL_ERR_GENERIC, "out of memory");
        return;
    }
    req->client = client;
    req->client_id = client->id;
    req->id = id != NULL ? json_incref((json_t *)id) : NULL;
    req->args = args;
    req->command = cmd->name;
    req->next = client->pending;
    if (client->pending != NULL) {
        client->pending->prev = req;
    }
    client->pending = req;
    client->n_pending++;
    req->in_handler = true;
    cmd->handler(req, args, cmd->ctx);
    req->in_handler = false;
    if (req->done) {
        control_request_free(req);
    }
}

void control_dispatch_line(struct control_client *client, const char *line, size_t len)
{
    const struct control_command *cmd;
    json_error_t jerr;
    json_t *msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *id;
    json_t *execute;
    json_t *args;
    json_t *v;
    const char *key;
    char desc[320];

    if (msg == NULL) {
        snprintf(desc, sizeof(desc), "JSON parse error at byte %d: %s", jerr.position, jerr.text);
        control_dispatch_error(client, NULL, CONTROL_ERR_PARSE, desc);
        return;
    }
    if (!json_is_object(msg)) {
        control_dispatch_error(client, NULL, CONTROL_ERR_INVALID_REQUEST,
                               "a request must be a JSON object");
        goto out;
    }
    id = json_object_get(msg, "id");
    json_object_foreach(msg, key, v)
    {
        if (strcmp(key, "execute") != 0 && strcmp(key, "arguments") != 0 &&
            strcmp(key, "id") != 0) {
            snprintf(desc, sizeof(desc), "unknown key '%.64s' in the request", key);
            control_dispatch_error(client, id, CONTROL_ERR_INVALID_REQUEST, desc);
            goto out;
        }
    }
    execute = json_object_get(msg, "execute");
    if (!json_is_string(execute)) {
        control_dispatch_error(client, id, CONTROL_ERR_INVALID_REQUEST,
                               execute == NULL ? "missing 'execute'"
                                               : "'execute' must be a string naming a command");
        goto out;
    }
    cmd = control_dispatch_find(client->srv, json_string_value(execute));
    if (cmd == NULL || strlen(cmd->name) != json_string_length(execute)) {
        snprintf(desc, sizeof(desc), "command '%.64s' not found", json_string_value(execute));
        control_dispatch_error(client, id, CONTROL_ERR_COMMAND_NOT_FOUND, desc);
        goto out;
    }
    args = json_object_get(msg, "arguments");
    if (args == NULL) {
        args = json_object();
        if (args == NULL) {
            control_dispatch_error(client, id, CONTROL_ERR_GENERIC, "out of memory");
            goto out;
        }
    } else {
        json_incref(args);
    }
    if (control_schema_validate(cmd->args, args, desc, sizeof(desc)) < 0) {
        json_decref(args);
        control_dispatch_error(client, id, CONTROL_ERR_INVALID_ARGUMENT, desc);
        goto out;
    }
    control_dispatch_run(client, cmd, id, args);
out:
    json_decref(msg);
}
