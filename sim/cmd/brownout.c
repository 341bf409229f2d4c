/* SPDX-License-Identifier: Apache-2.0 */
/*
 * brownout: the command-line client. Each subcommand is one entry of the table below, run with
 * argv shifted so that argv[0] is its own name. The options every daemon command shares (-s, -j,
 * -t) may come before the command too: they are moved behind it. `--version` answers for every
 * command, and exit statuses follow the table of util/bo_exit.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_cli.h"
#include "client/client_fault.h"
#include "client/client_help.h"
#include "image/image_tool.h"
#include "sweep/sweep_cli.h"
#include "util/bo_exit.h"

/* Most global options given before the command (each with its value). */
#define BROWNOUT_GLOBALS_MAX 16

struct brownout_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    bool daemon; /* Takes the global options (-s, -j, -t). */
};

static const struct brownout_cmd brownout_cmds[] = {
    { "image", "keygen, sign, verify, info FILE; load|info|pending|confirm DEV (daemon)",
      client_cli_image, true },
    { "status", "brownoutd's status (control socket)", client_cli_main, true },
    { "sweep", "power-fail sweeps of an upgrade, replay IDs, shard merges", sweep_cli_main, false },
    { "devices", "the devices of brownoutd", client_cli_main, true },
    { "power-on", "power a device on", client_cli_main, true },
    { "power-off", "power a device off", client_cli_main, true },
    { "reset", "reset a device", client_cli_main, true },
    { "power-cut", "cut a device's power now or at flash operation N", client_cli_main, true },
    { "confirm", "confirm the image a device runs", client_cli_main, true },
    { "set-link", "set the link faults of a device's network", client_cli_main, true },
    { "fault-inject", "flash faults (errors, drop, bitflip, wearout) of a device",
      client_fault_main, true },
    { "flash", "read, write or erase a device's flash", client_cli_main, true },
    { "events", "print brownoutd's events (--follow: until shutdown)", client_cli_main, true },
    { "wait", "wait for an event (--timeout S, --device DEV)", client_cli_main, true },
    { "raw", "send one JSON request line to brownoutd", client_cli_main, true },
};

static void brownout_usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: brownout [-s PATH] [-j] [-t S] COMMAND [ARGS...]\n"
                 "       brownout --help | --version\n\ncommands:\n");
    for (i = 0; i < sizeof(brownout_cmds) / sizeof(brownout_cmds[0]); i++) {
        fprintf(out, "  %-12s %s\n", brownout_cmds[i].name, brownout_cmds[i].summary);
    }
    fprintf(out, "\n'brownout COMMAND --help' describes a command, with examples.\n\n");
    client_help_common(out);
}

/* Whether a is option name (e.g. "--socket") or, when it takes a value, "--socket=...". */
static bool brownout_is_opt(const char *a, const char *shortopt, const char *longopt)
{
    size_t n = strlen(longopt);

    return strcmp(a, shortopt) == 0 || strcmp(a, longopt) == 0 ||
           (strncmp(a, longopt, n) == 0 && a[n] == '=');
}

/*
 * Collects the global options before the command (argv[1..]) into globals; returns the index of
 * the command, or -1 after printing a usage error.
 */
static int brownout_globals(int argc, char **argv, char **globals, int *nglobals)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        bool valued = brownout_is_opt(a, "-s", "--socket") || brownout_is_opt(a, "-t", "--timeout");

        if (*nglobals + 2 > BROWNOUT_GLOBALS_MAX) {
            fprintf(stderr, "brownout: too many options before the command\n");
            return -1;
        }
        if (valued && strchr(a, '=') == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "brownout: option '%s' needs a value (see brownout --help)\n", a);
                return -1;
            }
            globals[(*nglobals)++] = argv[i++];
        } else if (!valued && !brownout_is_opt(a, "-j", "--json")) {
            fprintf(stderr, "brownout: unknown option '%s' (see brownout --help)\n", a);
            return -1;
        }
        globals[(*nglobals)++] = argv[i];
    }
    return i;
}

/* Whether the command's arguments ask for --version (image sign: -v/--version is a value). */
static bool brownout_wants_version(int argc, char **argv)
{
    bool signing = strcmp(argv[0], "image") == 0 && argc > 1 &&
                   (strcmp(argv[1], "sign") == 0 || strcmp(argv[1], "create") == 0);
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--version") == 0 && (!signing || i == argc - 1)) {
            return true;
        }
    }
    return false;
}

/* Runs cmd with the global options inserted after its name (image: after its subcommand). */
static int brownout_run(const struct brownout_cmd *cmd, int argc, char **argv, char **globals,
                        int nglobals)
{
    char **v;
    int head = strcmp(cmd->name, "image") == 0 && argc > 1 ? 2 : 1;
    int rc;

    if (nglobals == 0) {
        return cmd->run(argc, argv);
    }
    if (!cmd->daemon) {
        fprintf(stderr, "brownout: %s takes no option before it (see brownout %s --help)\n",
                cmd->name, cmd->name);
        return BO_EXIT_USAGE;
    }
    v = calloc((size_t)(argc + nglobals + 1), sizeof(*v));
    if (v == NULL) {
        fprintf(stderr, "brownout: out of memory\n");
        return BO_EXIT_OSERR;
    }
    memcpy(v, argv, (size_t)head * sizeof(*v));
    memcpy(v + head, globals, (size_t)nglobals * sizeof(*v));
    memcpy(v + head + nglobals, argv + head, (size_t)(argc - head) * sizeof(*v));
    rc = cmd->run(argc + nglobals, v);
    free(v);
    return rc;
}

/* `brownout help COMMAND [SUB]`: the page of `brownout COMMAND [SUB] --help`. */
static int brownout_help(int argc, char **argv)
{
    char *v[4] = { argv[2], argc > 3 ? argv[3] : (char *)"--help", (char *)"--help", NULL };
    size_t i;

    for (i = 0; i < sizeof(brownout_cmds) / sizeof(brownout_cmds[0]); i++) {
        if (strcmp(argv[2], brownout_cmds[i].name) == 0) {
            return brownout_cmds[i].run(argc > 3 ? 3 : 2, v);
        }
    }
    fprintf(stderr, "brownout: unknown command '%s' (see brownout --help)\n", argv[2]);
    return BO_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    char *globals[BROWNOUT_GLOBALS_MAX];
    int nglobals = 0;
    size_t i;
    int first;

    /*
     * SIGPIPE keeps its default here on purpose: `brownout events --follow | head` ends quietly
     * when head does. The control socket's writes use MSG_NOSIGNAL (client.c).
     */
    if (argc >= 3 && strcmp(argv[1], "help") == 0) {
        return brownout_help(argc, argv);
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        brownout_usage(stdout);
        return BO_EXIT_OK;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("brownout %s\n", BROWNOUT_VERSION);
        return BO_EXIT_OK;
    }
    first = brownout_globals(argc, argv, globals, &nglobals);
    if (first < 0) {
        return BO_EXIT_USAGE;
    }
    if (first >= argc) {
        brownout_usage(stderr);
        return BO_EXIT_USAGE;
    }
    for (i = 0; i < sizeof(brownout_cmds) / sizeof(brownout_cmds[0]); i++) {
        if (strcmp(argv[first], brownout_cmds[i].name) != 0) {
            continue;
        }
        if (brownout_wants_version(argc - first, argv + first)) {
            printf("brownout %s %s\n", brownout_cmds[i].name, BROWNOUT_VERSION);
            return BO_EXIT_OK;
        }
        return brownout_run(&brownout_cmds[i], argc - first, argv + first, globals, nglobals);
    }
    fprintf(stderr, "brownout: unknown command '%s' (see brownout --help)\n", argv[first]);
    return BO_EXIT_USAGE;
}
