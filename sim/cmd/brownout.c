/* SPDX-License-Identifier: Apache-2.0 */
/*
 * brownout: the command-line client. Each subcommand is one entry of the table below, run with
 * argv shifted so that argv[0] is its own name.
 */
#include <stdio.h>
#include <string.h>

#include "client/client_cli.h"
#include "client/client_fault.h"
#include "image/image_tool.h"
#include "sweep/sweep_cli.h"

#ifndef BROWNOUT_VERSION
#define BROWNOUT_VERSION "0.1.0"
#endif

struct brownout_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct brownout_cmd brownout_cmds[] = {
    { "image", "keygen, sign, verify, info FILE; load|info DEV SLOT (daemon)", client_cli_image },
    { "status", "brownoutd's status (control socket)", client_cli_main },
    { "sweep", "power-fail sweeps of an upgrade, replay IDs, shard merges", sweep_cli_main },
    { "devices", "the devices of brownoutd", client_cli_main },
    { "power-on", "power a device on", client_cli_main },
    { "power-off", "power a device off", client_cli_main },
    { "reset", "reset a device", client_cli_main },
    { "power-cut", "cut a device's power now or at flash operation N", client_cli_main },
    { "confirm", "confirm the image a device runs", client_cli_main },
    { "set-link", "set the link faults of a device's network", client_cli_main },
    { "fault-inject", "flash faults (errors, drop, bitflip, wearout) of a device",
      client_fault_main },
    { "flash", "read, write or erase a device's flash", client_cli_main },
    { "events", "print brownoutd's events (--follow: until shutdown)", client_cli_main },
    { "wait", "wait for an event (--timeout S, --device DEV)", client_cli_main },
    { "raw", "send one JSON request line to brownoutd", client_cli_main },
};

static void brownout_usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: brownout [--help] [--version] COMMAND [ARGS...]\n\ncommands:\n");
    for (i = 0; i < sizeof(brownout_cmds) / sizeof(brownout_cmds[0]); i++) {
        fprintf(out, "  %-10s %s\n", brownout_cmds[i].name, brownout_cmds[i].summary);
    }
    fprintf(out, "\n'brownout COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    /*
     * SIGPIPE keeps its default here on purpose: `brownout events --follow | head` ends quietly
     * when head does. The control socket's writes use MSG_NOSIGNAL (client.c).
     */
    if (argc < 2) {
        brownout_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        brownout_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("brownout %s\n", BROWNOUT_VERSION);
        return 0;
    }
    for (i = 0; i < sizeof(brownout_cmds) / sizeof(brownout_cmds[0]); i++) {
        if (strcmp(argv[1], brownout_cmds[i].name) == 0) {
            return brownout_cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "brownout: unknown command '%s' (see brownout --help)\n", argv[1]);
    return 2;
}
