/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_cli_int.h
 * \brief What the files of the daemon subcommands (client_cli.c, client_flash.c) share: the
 *        parsed command line and the helpers that run one request.
 */
#ifndef SIM_CLIENT_CLI_INT_H
#define SIM_CLIENT_CLI_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "client/client.h"
#include "util/bo_exit.h"

/* Exit status for an error reply. */
#define CLIENT_CLI_EXIT_ERROR BO_EXIT_FAILED
/* Default time a command may take, in milliseconds. */
#define CLIENT_CLI_TIMEOUT_MS 30000
/* The largest file flash write sends (the daemon enforces its own limit). */
#define CLIENT_CLI_DATA_MAX ((size_t)32 * 1024 * 1024)

/* Options a subcommand accepts, beyond -s, -j, -t and -h. */
enum {
    CLIENT_OPT_AT_OP = 1u << 0,
    CLIENT_OPT_FAULT = 1u << 1,
    CLIENT_OPT_SEED = 1u << 2,
    CLIENT_OPT_FOLLOW = 1u << 3,
    CLIENT_OPT_DEVICE = 1u << 4,
    CLIENT_OPT_OUTPUT = 1u << 5,
    CLIENT_OPT_UNITS = 1u << 6,
    CLIENT_OPT_PERMILLE = 1u << 7,
    CLIENT_OPT_WAIT = 1u << 8,
    CLIENT_OPT_IMAGE = 1u << 9,
};

/* The longest event name --wait takes. */
#define CLIENT_CLI_EVENT_MAX 64

struct client_cli {
    const char *name; /* The subcommand as typed, for messages. */
    const char *help; /* Its help page ("image load" for image load). */
    const char *socket;
    bool json;
    int timeout_ms; /* -1: none given. */
    unsigned given; /* CLIENT_OPT_* seen. */
    long long at_op;
    const char *fault;
    long long seed;
    long long units;
    long long permille;
    long long image; /* --image N of image pending and image confirm. */
    bool follow;
    const char *device;
    const char *output;
    char wait_event[CLIENT_CLI_EVENT_MAX]; /* --wait EVENT, or empty. */
    int wait_ms;                           /* --wait's :TIMEOUT in ms; -1: none given. */
    char **pos;                            /* Positional arguments. */
    int npos;
    struct client_conn conn;
};

/** \brief Prints "brownout CMD: msg" and returns the usage exit status. */
int client_cli_usage_error(const struct client_cli *cli, const char *msg);

/** \brief Parses an unsigned number (decimal or 0x hex) into [0, max]; false when it is not. */
bool client_cli_number(const char *s, long long max, long long *out);

/** \brief Prints a JSON value, indented. */
void client_cli_print_json(const json_t *v);

/**
 * \brief Executes one command (args taken over; NULL: out of memory) and prints its result,
 *        or hands it to *ret when ret is not NULL. \return The exit status.
 */
int client_cli_run(struct client_cli *cli, const char *command, json_t *args, json_t **ret);

/** \brief flash read|write|erase DEV [FLASH] OFFSET LENGTH|FILE (client_flash.c). */
int client_cli_flash(struct client_cli *cli);

#endif /* SIM_CLIENT_CLI_INT_H */
