/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `brownout fault-inject DEV ...`: the fault-inject command of brownoutd (docs/protocol.md),
 * non-cut flash faults for a device's next runs, from the command line.
 */
#include "client/client_fault.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "client/client.h"
#include "client/client_format.h"
#include "util/bo_exit.h"
#include "util/num.h"

/* Default time a request may take (milliseconds), as the other daemon commands. */
#define CLIENT_FAULT_TIMEOUT_MS 30000

struct client_fault {
    const char *socket;
    bool json;
    int timeout_ms;
    json_t *args;
};

static void client_fault_usage(FILE *out)
{
    fprintf(out,
            "usage: brownout fault-inject DEV --kind KIND [--flash NAME] [--offset N]\n"
            "                             [--size N] [--rate 1/N] [--erases E] [--seed S]\n"
            "       brownout fault-inject DEV --clear [--flash NAME] [--kind KIND]\n\n"
            "Non-cut flash faults of a device, applied to its next runs (a reset or power-on\n"
            "applies them; the running firmware keeps those it started with):\n"
            "  --kind KIND      errors (programs and erases fail), drop (programs report\n"
            "                   success but land nothing), bitflip (reads get one bit flipped),\n"
            "                   wearout (each sector survives E erases per run)\n"
            "  --flash NAME     the flash device (default: the board's first)\n"
            "  --offset N       first byte of the region (default 0)\n"
            "  --size N         bytes of the region (default 0: up to the end of the flash)\n"
            "  --rate 1/N       each event in the region is hit with probability 1/N\n"
            "                   (default 1/1: every one; not for wearout)\n"
            "  --erases E       wearout: erases each sector survives (default 0)\n"
            "  --seed S         seed of the random choices (default 0)\n"
            "  --clear          remove the faults (of KIND, of FLASH, or all of DEV)\n"
            "  -s, --socket PATH, -j, --json, -t, --timeout S   as the other daemon commands\n"
            "query-status (brownout status DEV) lists them as flash-faults.\n"
            "exit status: 0 ok, 1 error reply, 64 usage, 69 daemon unreachable, 75 timeout,\n"
            "76 protocol error\n\n"
            "example:\n  brownout fault-inject dev0 --kind bitflip --rate 1/100\n");
}

static int client_fault_usage_error(const char *msg)
{
    fprintf(stderr, "brownout fault-inject: %s (see brownout fault-inject --help)\n", msg);
    return BO_EXIT_USAGE;
}

/* Sets a numeric argument from text ("1/N" for --rate). \return 0 or BO_EXIT_USAGE. */
static int client_fault_number(struct client_fault *f, const char *key, const char *arg)
{
    uint64_t v;

    if (strcmp(key, "rate") == 0) {
        if (strncmp(arg, "1/", 2) != 0) {
            return client_fault_usage_error("--rate wants 1/N");
        }
        arg += 2;
    }
    if (num_parse_u64(arg, 0, strcmp(key, "seed") == 0 ? INT64_MAX : UINT32_MAX, &v) < 0 ||
        (strcmp(key, "rate") == 0 && v == 0)) {
        fprintf(stderr, "brownout fault-inject: --%s: '%s' is not a valid number\n", key, arg);
        return BO_EXIT_USAGE;
    }
    json_object_set_new(f->args, key, json_integer((json_int_t)v));
    return 0;
}

/* Applies one option. \return 0, BO_EXIT_USAGE, or -1 after --help. */
static int client_fault_option(struct client_fault *f, int c, const char *arg)
{
    static const char *const keys[] = {
        ['o'] = "offset", ['z'] = "size", ['r'] = "rate", ['e'] = "erases", ['S'] = "seed"
    };
    char *end;
    double secs;

    switch (c) {
    case 'h':
        client_fault_usage(stdout);
        return -1;
    case 's':
        f->socket = arg;
        return 0;
    case 'j':
        f->json = true;
        return 0;
    case 't':
        secs = strtod(arg, &end);
        if (*end != '\0' || !(secs >= 0) || secs > 86400.0 * 365) {
            return client_fault_usage_error("--timeout wants seconds");
        }
        f->timeout_ms = (int)(secs * 1000.0 + 0.5);
        return 0;
    case 'k':
    case 'f':
        json_object_set_new(f->args, c == 'k' ? "kind" : "flash", json_string(arg));
        return 0;
    case 'c':
        json_object_set_new(f->args, "clear", json_true());
        return 0;
    case 'o':
    case 'z':
    case 'r':
    case 'e':
    case 'S':
        return client_fault_number(f, keys[c], arg);
    default:
        return client_fault_usage_error("unknown option");
    }
}

/* Parses the command line into f. \return 0, BO_EXIT_USAGE, or -1 after --help. */
static int client_fault_parse(struct client_fault *f, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { "kind", required_argument, NULL, 'k' },
        { "flash", required_argument, NULL, 'f' },
        { "offset", required_argument, NULL, 'o' },
        { "size", required_argument, NULL, 'z' },
        { "rate", required_argument, NULL, 'r' },
        { "erases", required_argument, NULL, 'e' },
        { "seed", required_argument, NULL, 'S' },
        { "clear", no_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    int rc;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:jt:h", longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            char shortopt[3] = { '-', (char)optopt, '\0' };

            fprintf(stderr, "brownout fault-inject: %s '%s' (see brownout fault-inject --help)\n",
                    c == ':' ? "option needs a value:" : "unknown option",
                    strncmp(argv[optind - 1], "--", 2) == 0 ? argv[optind - 1] : shortopt);
            return BO_EXIT_USAGE;
        }
        rc = client_fault_option(f, c, optarg);
        if (rc != 0) {
            return rc;
        }
    }
    if (argc - optind != 1) {
        return client_fault_usage_error("needs one DEV");
    }
    json_object_set_new(f->args, "device", json_string(argv[optind]));
    return 0;
}

/* Sends the request and prints the reply. \return The exit status. */
static int client_fault_send(struct client_fault *f)
{
    struct client_conn conn;
    char path[PATH_MAX];
    int ms = f->timeout_ms >= 0 ? f->timeout_ms : CLIENT_FAULT_TIMEOUT_MS;
    json_t *reply = NULL;
    int rc;

    client_init(&conn);
    if (client_socket_path(f->socket, path, sizeof(path)) == NULL) {
        return client_fault_usage_error("socket path too long");
    }
    rc = client_connect(&conn, path, ms);
    if (rc == 0) {
        rc = client_execute(&conn, "fault-inject", json_incref(f->args), ms, &reply);
    }
    client_free(&conn);
    if (rc < 0) {
        fprintf(stderr, "brownout: fault-inject at %s: %s\n", path, bo_strerror(rc));
        return rc == BO_ETIMEDOUT ? BO_EXIT_TEMPFAIL
               : rc == BO_EPROTO  ? BO_EXIT_PROTOCOL
                                  : BO_EXIT_UNAVAIL;
    }
    if (json_object_get(reply, "return") == NULL) {
        client_format_error(stderr, reply);
        json_decref(reply);
        return 1;
    }
    if (f->json) {
        json_dumpf(json_object_get(reply, "return"), stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        client_format_value(stdout, json_object_get(reply, "return"));
    }
    json_decref(reply);
    return 0;
}

int client_fault_main(int argc, char **argv)
{
    struct client_fault f;
    int rc;

    memset(&f, 0, sizeof(f));
    f.timeout_ms = -1;
    f.args = json_object();
    if (f.args == NULL) {
        return BO_EXIT_OSERR;
    }
    rc = client_fault_parse(&f, argc, argv);
    if (rc == 0) {
        rc = client_fault_send(&f);
    }
    json_decref(f.args);
    return rc < 0 ? 0 : rc;
}
