/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The brownout subcommands that drive brownoutd: each turns its command line into one control
 * request (or an event subscription) and prints the answer for a person, or as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "client/client_cli.h"
#include "client/client_cli_int.h"
#include "client/client_format.h"
#include "client/client_help.h"
#include "client/client_wait.h"
#include "image/image_info.h"
#include "image/image_tool.h"
#include "util/num.h"

void client_cli_usage(FILE *out)
{
    fprintf(out,
            "daemon commands (brownoutd's control socket):\n"
            "  status [DEV]                    the daemon and its devices (or one)\n"
            "  devices                         the devices, one line each\n"
            "  power-on|power-off|reset|confirm DEV\n"
            "  power-cut DEV [--at-op N] [--fault MODEL] [--seed N] [--units N] [--permille N]\n"
            "                                  cut power now, or at flash operation N\n"
            "  flash read DEV [FLASH] OFFSET LENGTH [-o FILE]\n"
            "  flash write DEV [FLASH] OFFSET FILE   (FILE '-' is standard input)\n"
            "  flash erase DEV [FLASH] OFFSET LENGTH   (FLASH: default the board's first)\n"
            "  image load DEV SLOT FILE        stage FILE into a slot (e.g. 0-secondary)\n"
            "  image info DEV SLOT             the image in a slot\n"
            "  image pending DEV test|permanent   mark the secondary's image pending\n"
            "  image confirm DEV               confirm the primary's image over the flash\n"
            "  set-link DEV SPEC               link faults of DEV's network, e.g.\n"
            "                                  drop=5,duplicate=5,reorder=4 (none: off)\n"
            "  fault-inject DEV --kind KIND ... | --clear   flash faults for DEV's next runs\n"
            "                                  (see brownout fault-inject --help)\n"
            "  events [--follow]               print the next event (--follow: all of them)\n"
            "  wait EVENT [--device DEV]       wait for an event, e.g. BOOT_DONE\n"
            "  raw JSON                        send one request line as typed\n"
            "  reset, power-on, power-cut and image load take --wait EVENT[:TIMEOUT]: subscribe\n"
            "  to events first, send the command, then print the device's EVENT it caused as\n"
            "  JSON (TIMEOUT in seconds, default -t or 30), e.g. reset dev0 --wait BOOT_DONE\n"
            "\n");
    client_help_common(out);
}

int client_cli_usage_error(const struct client_cli *cli, const char *msg)
{
    fprintf(stderr, "brownout %s: %s (see brownout %s --help)\n", cli->help, msg, cli->help);
    return BO_EXIT_USAGE;
}

bool client_cli_number(const char *s, long long max, long long *out)
{
    uint64_t v;

    if (num_parse_u64(s, 0, (uint64_t)max, &v) < 0) {
        return false;
    }
    *out = (long long)v;
    return true;
}

/* The command options that take a number: their bit, range, field and usage error. */
static const struct {
    int c;
    unsigned bit;
    long long max;
    size_t off;
    const char *msg;
} client_cli_num_opts[] = {
    { 'A', CLIENT_OPT_AT_OP, INT64_MAX, offsetof(struct client_cli, at_op),
      "--at-op wants an operation index" },
    { 'S', CLIENT_OPT_SEED, INT64_MAX, offsetof(struct client_cli, seed), "--seed wants a number" },
    { 'U', CLIENT_OPT_UNITS, UINT32_MAX - 1, offsetof(struct client_cli, units),
      "--units wants a number" },
    { 'P', CLIENT_OPT_PERMILLE, 1000, offsetof(struct client_cli, permille),
      "--permille wants 0 to 1000" },
};

/* Parses --timeout SECONDS into cli->timeout_ms; false when it is not a duration. */
static bool client_cli_timeout(struct client_cli *cli, const char *arg)
{
    char *end;
    double secs;

    errno = 0;
    secs = strtod(arg, &end);
    if (errno != 0 || *end != '\0' || !(secs >= 0) || secs > 86400.0 * 365) {
        return false;
    }
    cli->timeout_ms = (int)(secs * 1000.0 + 0.5);
    return true;
}

/* Parses --wait EVENT[:TIMEOUT]; false when it is malformed. */
static bool client_cli_wait_option(struct client_cli *cli, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
    int saved = cli->timeout_ms;

    if (len == 0 || len >= sizeof(cli->wait_event)) {
        return false;
    }
    memcpy(cli->wait_event, arg, len);
    cli->wait_event[len] = '\0';
    cli->wait_ms = -1;
    if (colon != NULL) {
        if (!client_cli_timeout(cli, colon + 1)) {
            return false;
        }
        cli->wait_ms = cli->timeout_ms;
        cli->timeout_ms = saved;
    }
    return true;
}

/* Applies one option; sets *bit for the command options. Returns 0, -1 (help) or a status. */
static int client_cli_option(struct client_cli *cli, int c, const char *arg, unsigned *bit)
{
    for (size_t i = 0; i < sizeof(client_cli_num_opts) / sizeof(client_cli_num_opts[0]); i++) {
        if (client_cli_num_opts[i].c == c) {
            long long *field = (long long *)((char *)cli + client_cli_num_opts[i].off);

            *bit = client_cli_num_opts[i].bit;
            return client_cli_number(arg, client_cli_num_opts[i].max, field)
                       ? 0
                       : client_cli_usage_error(cli, client_cli_num_opts[i].msg);
        }
    }
    switch (c) {
    case 's':
        cli->socket = arg;
        return 0;
    case 'j':
        cli->json = true;
        return 0;
    case 't':
        return client_cli_timeout(cli, arg)
                   ? 0
                   : client_cli_usage_error(cli, "--timeout wants seconds");
    case 'h':
        client_help_print(stdout, cli->help);
        return -1;
    case 'F':
        *bit = CLIENT_OPT_FAULT;
        cli->fault = arg;
        return 0;
    case 'f':
        *bit = CLIENT_OPT_FOLLOW;
        cli->follow = true;
        return 0;
    case 'd':
        *bit = CLIENT_OPT_DEVICE;
        cli->device = arg;
        return 0;
    case 'o':
        *bit = CLIENT_OPT_OUTPUT;
        cli->output = arg;
        return 0;
    case 'I':
        *bit = CLIENT_OPT_IMAGE;
        return client_cli_number(arg, 1, &cli->image)
                   ? 0
                   : client_cli_usage_error(cli, "--image wants 0 or 1");
    case 'w':
        *bit = CLIENT_OPT_WAIT;
        return client_cli_wait_option(cli, arg)
                   ? 0
                   : client_cli_usage_error(cli, "--wait wants EVENT or EVENT:SECONDS");
    default:
        return -2;
    }
}

/* Reports the option getopt_long refused (argv[optind - 1], or -optopt): unknown, no value. */
static int client_cli_bad_option(const struct client_cli *cli, int c, char **argv, int last)
{
    char shortopt[3] = { '-', (char)optopt, '\0' };
    const char *opt = strncmp(argv[last], "--", 2) == 0 ? argv[last] : shortopt;
    char msg[160];

    snprintf(msg, sizeof(msg), c == ':' ? "option '%.64s' needs a value" : "unknown option '%.64s'",
             opt);
    return client_cli_usage_error(cli, msg);
}

static int client_cli_parse(struct client_cli *cli, int argc, char **argv, unsigned allowed)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },  { "json", no_argument, NULL, 'j' },
        { "timeout", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
        { "at-op", required_argument, NULL, 'A' },   { "fault", required_argument, NULL, 'F' },
        { "seed", required_argument, NULL, 'S' },    { "follow", no_argument, NULL, 'f' },
        { "device", required_argument, NULL, 'd' },  { "output", required_argument, NULL, 'o' },
        { "units", required_argument, NULL, 'U' },   { "permille", required_argument, NULL, 'P' },
        { "wait", required_argument, NULL, 'w' }, /* EVENT[:TIMEOUT] */
        { "image", required_argument, NULL, 'I' },   { NULL, 0, NULL, 0 },
    };
    unsigned bit;
    int rc;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:jt:hfd:o:w:", longopts, NULL)) != -1) {
        bit = 0;
        rc = c == '?' || c == ':' ? -2 : client_cli_option(cli, c, optarg, &bit);
        if (rc == -2) {
            return client_cli_bad_option(cli, c, argv, optind - 1);
        }
        if (rc != 0) {
            return rc;
        }
        if ((bit & ~allowed) != 0) {
            char msg[160];

            snprintf(msg, sizeof(msg), "option '%.64s' is not one of its options",
                     argv[optind - 1 - (optarg != NULL && optarg == argv[optind - 1] ? 1 : 0)]);
            return client_cli_usage_error(cli, msg);
        }
        cli->given |= bit;
    }
    cli->pos = argv + optind;
    cli->npos = argc - optind;
    return 0;
}

/* Connects, mapping failures to exit statuses; 0 when connected. */
static int client_cli_connect(struct client_cli *cli)
{
    char path[PATH_MAX];
    int rc;

    if (client_socket_path(cli->socket, path, sizeof(path)) == NULL) {
        return client_cli_usage_error(cli, "socket path too long");
    }
    rc = client_connect(&cli->conn, path,
                        cli->timeout_ms >= 0 ? cli->timeout_ms : CLIENT_CLI_TIMEOUT_MS);
    switch (rc) {
    case 0:
        return 0;
    case BO_ETIMEDOUT:
        fprintf(stderr, "brownout: %s: no greeting in time\n", path);
        return BO_EXIT_TEMPFAIL;
    case BO_EPROTO:
        fprintf(stderr, "brownout: %s: not a brownoutd control socket\n", path);
        return BO_EXIT_PROTOCOL;
    default:
        fprintf(stderr, "brownout: cannot reach brownoutd at %s: %s\n", path,
                errno != 0 ? strerror(errno) : bo_strerror(rc));
        return BO_EXIT_UNAVAIL;
    }
}

/* Maps a client library failure after connecting to an exit status. */
static int client_cli_failure(int rc)
{
    switch (rc) {
    case BO_ETIMEDOUT:
        fprintf(stderr, "brownout: timed out\n");
        return BO_EXIT_TEMPFAIL;
    case BO_EPROTO:
        fprintf(stderr, "brownout: the daemon sent something that is not a JSON object\n");
        return BO_EXIT_PROTOCOL;
    case BO_ENOMEM:
        fprintf(stderr, "brownout: out of memory\n");
        return BO_EXIT_OSERR;
    default:
        fprintf(stderr, "brownout: the daemon closed the connection\n");
        return BO_EXIT_UNAVAIL;
    }
}

void client_cli_print_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);

    if (text != NULL) {
        printf("%s\n", text);
        free(text);
    }
}

int client_cli_run(struct client_cli *cli, const char *command, json_t *args, json_t **ret)
{
    char device[CLIENT_CLI_EVENT_MAX * 4] = "";
    json_t *reply = NULL;
    int rc;

    if (ret != NULL) {
        *ret = NULL;
    }
    if (args == NULL) {
        fprintf(stderr, "brownout: out of memory\n");
        return BO_EXIT_OSERR;
    }
    rc = client_cli_connect(cli);
    if (rc == 0 && cli->wait_event[0] != '\0') {
        const char *dev = json_string_value(json_object_get(args, "device"));

        snprintf(device, sizeof(device), "%s", dev != NULL ? dev : "");
        rc = client_wait_subscribe(&cli->conn,
                                   cli->timeout_ms >= 0 ? cli->timeout_ms : CLIENT_CLI_TIMEOUT_MS);
        rc = rc < 0 ? client_cli_failure(rc) : 0;
    }
    if (rc != 0) {
        json_decref(args);
        return rc;
    }
    rc = client_execute(&cli->conn, command, args,
                        cli->timeout_ms >= 0 ? cli->timeout_ms : CLIENT_CLI_TIMEOUT_MS, &reply);
    if (rc < 0) {
        return client_cli_failure(rc);
    }
    if (json_object_get(reply, "return") == NULL) {
        client_format_error(stderr, reply);
        json_decref(reply);
        return CLIENT_CLI_EXIT_ERROR;
    }
    if (cli->wait_event[0] != '\0') {
        json_decref(reply);
        return client_wait_cli(
            &cli->conn, command, cli->wait_event, device[0] != '\0' ? device : NULL,
            cli->wait_ms >= 0 ? cli->wait_ms
                              : (cli->timeout_ms >= 0 ? cli->timeout_ms : CLIENT_CLI_TIMEOUT_MS));
    }
    if (ret != NULL) {
        *ret = json_incref(json_object_get(reply, "return"));
    } else if (cli->json) {
        client_cli_print_json(json_object_get(reply, "return"));
    } else {
        client_format_value(stdout, json_object_get(reply, "return"));
    }
    json_decref(reply);
    return 0;
}

/* status, devices, power-on, power-off, reset, confirm (status: DEV optional). */
static int client_cli_simple(struct client_cli *cli, const char *command, bool with_device)
{
    if (strcmp(command, "query-status") == 0 && cli->npos == 1) {
        with_device = true;
    }
    if (cli->npos != (with_device ? 1 : 0)) {
        return client_cli_usage_error(cli, with_device ? "needs one DEV" : "takes no arguments");
    }
    if (!with_device) {
        return client_cli_run(cli, command, json_object(), NULL);
    }
    return client_cli_run(cli, command, json_pack("{s:s}", "device", cli->pos[0]), NULL);
}

static int client_cli_power_cut(struct client_cli *cli)
{
    json_t *args;

    if (cli->npos != 1) {
        return client_cli_usage_error(cli, "needs one DEV");
    }
    args = json_pack("{s:s}", "device", cli->pos[0]);
    if (args == NULL) {
        return client_cli_run(cli, "power-cut", NULL, NULL);
    }
    if ((cli->given & CLIENT_OPT_AT_OP) != 0) {
        json_object_set_new(args, "at-op", json_integer(cli->at_op));
    } else {
        json_object_set_new(args, "now", json_true());
    }
    if (cli->fault != NULL) {
        json_object_set_new(args, "fault", json_string(cli->fault));
    }
    if ((cli->given & CLIENT_OPT_SEED) != 0) {
        json_object_set_new(args, "seed", json_integer(cli->seed));
    }
    if ((cli->given & CLIENT_OPT_UNITS) != 0) {
        json_object_set_new(args, "units", json_integer(cli->units));
    }
    if ((cli->given & CLIENT_OPT_PERMILLE) != 0) {
        json_object_set_new(args, "permille", json_integer(cli->permille));
    }
    return client_cli_run(cli, "power-cut", args, NULL);
}

/* image info DEV SLOT: the slot's image, printed as the offline `image info FILE` does. */
static int client_cli_image_info(struct client_cli *cli)
{
    json_t *ret = NULL;
    char name[128];
    int rc;

    if (cli->npos != 3) {
        return client_cli_usage_error(cli, "needs DEV and SLOT");
    }
    rc = client_cli_run(cli, "image-info",
                        json_pack("{s:s, s:s}", "device", cli->pos[1], "slot", cli->pos[2]), &ret);
    if (rc != 0) {
        return rc;
    }
    if (cli->json || !json_is_true(json_object_get(ret, "present"))) {
        cli->json ? client_cli_print_json(ret) : client_format_value(stdout, ret);
    } else {
        snprintf(name, sizeof(name), "%s %s", cli->pos[1], cli->pos[2]);
        image_info_print_text(stdout, name, json_object_get(ret, "image"));
    }
    json_decref(ret);
    return 0;
}

/* image pending DEV test|permanent and image confirm DEV: the application's trailer requests. */
static int client_cli_image_mark(struct client_cli *cli, bool pending)
{
    json_t *args;

    if (cli->npos != (pending ? 3 : 2)) {
        return client_cli_usage_error(cli, pending ? "needs DEV and test or permanent"
                                                   : "needs one DEV");
    }
    if (pending && strcmp(cli->pos[2], "test") != 0 && strcmp(cli->pos[2], "permanent") != 0) {
        char msg[128];

        snprintf(msg, sizeof(msg), "'%.64s' is not one of: test, permanent", cli->pos[2]);
        return client_cli_usage_error(cli, msg);
    }
    args = json_pack("{s:s, s:I}", "device", cli->pos[1], "image", (json_int_t)cli->image);
    if (args != NULL && pending) {
        json_object_set_new(args, "kind", json_string(cli->pos[2]));
    }
    return client_cli_run(cli, pending ? "image-pending" : "image-confirm", args, NULL);
}

/* image load|info|pending|confirm (the daemon's side of `image`). */
static int client_cli_image_daemon(struct client_cli *cli)
{
    const char *sub = cli->npos > 0 ? cli->pos[0] : "";
    char *abs;
    json_t *args;

    if (strcmp(sub, "info") == 0) {
        return client_cli_image_info(cli);
    }
    if (strcmp(sub, "pending") == 0 || strcmp(sub, "confirm") == 0) {
        return client_cli_image_mark(cli, sub[0] == 'p');
    }
    if (cli->npos != 4) {
        return client_cli_usage_error(cli, "needs DEV, SLOT and FILE");
    }
    /* The daemon reads the file itself, from its own working directory. */
    abs = realpath(cli->pos[3], NULL);
    if (abs == NULL) {
        fprintf(stderr, "brownout: cannot read %s: %s\n", cli->pos[3], strerror(errno));
        return BO_EXIT_NOINPUT;
    }
    args = json_pack("{s:s, s:s, s:s}", "device", cli->pos[1], "slot", cli->pos[2], "path", abs);
    free(abs);
    return client_cli_run(cli, "image-load", args, NULL);
}

static void client_cli_show_event(const struct client_cli *cli, const json_t *event)
{
    if (cli->json) {
        char *text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);

        if (text != NULL) {
            printf("%s\n", text);
            free(text);
        }
    } else {
        client_format_event(stdout, event);
    }
    fflush(stdout);
}

/* events [--follow] and wait EVENT [--device DEV]: subscribe, then read events. */
static int client_cli_events(struct client_cli *cli, const char *wanted)
{
    json_t *event = NULL;
    json_t *ret = NULL;
    int timeout = cli->timeout_ms;
    int rc;

    rc = client_cli_run(cli, "events", json_pack("{s:b}", "enable", 1), &ret);
    json_decref(ret);
    if (rc != 0) {
        return rc;
    }
    for (;;) {
        const char *name;
        const char *dev;

        rc = client_next_event(&cli->conn, timeout, &event);
        if (rc == BO_ETIMEDOUT && wanted == NULL && cli->follow) {
            return 0;
        }
        if (rc < 0) {
            if (rc == BO_ETIMEDOUT && wanted != NULL) {
                fprintf(stderr, "brownout: no %s within the timeout\n", wanted);
                return BO_EXIT_TEMPFAIL;
            }
            if (rc == BO_EIO && wanted == NULL) {
                return 0;
            }
            return client_cli_failure(rc);
        }
        name = json_string_value(json_object_get(event, "event"));
        dev = json_string_value(json_object_get(json_object_get(event, "data"), "device"));
        if (wanted == NULL) {
            client_cli_show_event(cli, event);
            if (!cli->follow || (name != NULL && strcmp(name, "SHUTDOWN") == 0)) {
                json_decref(event);
                return 0;
            }
        } else if (name != NULL && strcmp(name, wanted) == 0 &&
                   (cli->device == NULL || (dev != NULL && strcmp(dev, cli->device) == 0))) {
            client_cli_show_event(cli, event);
            json_decref(event);
            return 0;
        } else if (name != NULL && strcmp(name, "SHUTDOWN") == 0) {
            fprintf(stderr, "brownout: the daemon shut down before %s\n", wanted);
            json_decref(event);
            return BO_EXIT_UNAVAIL;
        }
        json_decref(event);
    }
}

static int client_cli_raw(struct client_cli *cli)
{
    json_t *reply = NULL;
    int rc;

    if (cli->npos != 1) {
        return client_cli_usage_error(cli, "needs one JSON request (quote it)");
    }
    rc = client_cli_connect(cli);
    if (rc != 0) {
        return rc;
    }
    rc = client_raw(&cli->conn, cli->pos[0],
                    cli->timeout_ms >= 0 ? cli->timeout_ms : CLIENT_CLI_TIMEOUT_MS, &reply);
    if (rc == BO_EINVAL) {
        return client_cli_usage_error(cli, "the request must be one line");
    }
    if (rc < 0) {
        return client_cli_failure(rc);
    }
    if (cli->json || json_object_get(reply, "return") == NULL) {
        char *text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);

        if (text != NULL) {
            printf("%s\n", text);
            free(text);
        }
    } else {
        client_format_value(stdout, json_object_get(reply, "return"));
    }
    rc = json_object_get(reply, "return") != NULL ? 0 : CLIENT_CLI_EXIT_ERROR;
    json_decref(reply);
    return rc;
}

/* The command options (CLIENT_OPT_*) subcommand cmd (image: with its own sub) accepts. */
static unsigned client_cli_allowed(const char *cmd, const char *sub)
{
    if (strcmp(cmd, "power-cut") == 0) {
        return CLIENT_OPT_AT_OP | CLIENT_OPT_FAULT | CLIENT_OPT_SEED | CLIENT_OPT_UNITS |
               CLIENT_OPT_PERMILLE | CLIENT_OPT_WAIT;
    }
    if (strcmp(cmd, "reset") == 0 || strcmp(cmd, "power-on") == 0 ||
        (strcmp(cmd, "image") == 0 && strcmp(sub, "load") == 0)) {
        return CLIENT_OPT_WAIT;
    }
    if (strcmp(cmd, "image") == 0 && (strcmp(sub, "pending") == 0 || strcmp(sub, "confirm") == 0)) {
        return CLIENT_OPT_IMAGE;
    }
    if (strcmp(cmd, "flash") == 0) {
        return CLIENT_OPT_OUTPUT;
    }
    if (strcmp(cmd, "events") == 0) {
        return CLIENT_OPT_FOLLOW;
    }
    return strcmp(cmd, "wait") == 0 ? CLIENT_OPT_DEVICE : 0;
}

int client_cli_main(int argc, char **argv)
{
    struct client_cli cli;
    const char *cmd = argc > 0 ? argv[0] : "";
    const char *sub = argc > 1 ? argv[1] : "";
    char help[32];
    int rc;

    memset(&cli, 0, sizeof(cli));
    cli.name = cmd;
    if (strcmp(cmd, "image") == 0) {
        snprintf(help, sizeof(help), "image %.16s", sub);
    } else {
        snprintf(help, sizeof(help), "%.24s", cmd);
    }
    cli.help = help;
    cli.timeout_ms = -1;
    client_init(&cli.conn);
    rc = client_cli_parse(&cli, argc, argv, client_cli_allowed(cmd, sub));
    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    if (strcmp(cmd, "status") == 0) {
        rc = client_cli_simple(&cli, "query-status", false);
    } else if (strcmp(cmd, "devices") == 0) {
        rc = client_cli_simple(&cli, "query-devices", false);
    } else if (strcmp(cmd, "power-on") == 0 || strcmp(cmd, "power-off") == 0 ||
               strcmp(cmd, "reset") == 0 || strcmp(cmd, "confirm") == 0) {
        rc = client_cli_simple(&cli, cmd, true);
    } else if (strcmp(cmd, "power-cut") == 0) {
        rc = client_cli_power_cut(&cli);
    } else if (strcmp(cmd, "flash") == 0) {
        rc = client_cli_flash(&cli);
    } else if (strcmp(cmd, "image") == 0) {
        rc = client_cli_image_daemon(&cli);
    } else if (strcmp(cmd, "events") == 0) {
        rc = cli.npos == 0 ? client_cli_events(&cli, NULL)
                           : client_cli_usage_error(&cli, "takes no arguments");
    } else if (strcmp(cmd, "wait") == 0) {
        rc = cli.npos == 1 ? client_cli_events(&cli, cli.pos[0])
                           : client_cli_usage_error(&cli, "needs one EVENT");
    } else if (strcmp(cmd, "set-link") == 0) {
        rc = cli.npos == 2
                 ? client_cli_run(&cli, "set-link",
                                  json_pack("{s:s, s:s}", "device", cli.pos[0], "link", cli.pos[1]),
                                  NULL)
                 : client_cli_usage_error(&cli, "needs DEV and SPEC");
    } else if (strcmp(cmd, "raw") == 0) {
        rc = client_cli_raw(&cli);
    } else {
        rc = client_cli_usage_error(&cli, "not a daemon command");
    }
    client_free(&cli.conn);
    return rc;
}

/* Counts the positional arguments after argv[1], skipping options and their values. */
static int client_cli_count_positional(int argc, char **argv)
{
    int n = 0;
    int i;

    for (i = 2; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            return n + (argc - i - 1);
        }
        if (a[0] != '-' || a[1] == '\0') {
            n++;
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0 || strcmp(a, "-t") == 0 ||
                   strcmp(a, "--timeout") == 0 || strcmp(a, "-R") == 0 ||
                   strcmp(a, "--erased-val") == 0) {
            i++;
        }
    }
    return n;
}

/* Whether argv[2..] asks for --help (before a "--"). */
static bool client_cli_wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return true;
        }
    }
    return false;
}

int client_cli_image(int argc, char **argv)
{
    char page[32];

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        image_tool_usage(stdout);
        fprintf(stdout, "daemon commands (brownoutd's control socket):\n"
                        "  load DEV SLOT FILE, info DEV SLOT, pending DEV test|permanent,\n"
                        "  confirm DEV   (brownout image COMMAND --help: its own page)\n");
        return BO_EXIT_OK;
    }
    snprintf(page, sizeof(page), "image %.16s", argc >= 2 ? argv[1] : "");
    if (argc >= 2 && client_cli_wants_help(argc, argv) && client_help_print(stdout, page)) {
        return BO_EXIT_OK;
    }
    if (argc >= 2 &&
        (strcmp(argv[1], "load") == 0 || strcmp(argv[1], "pending") == 0 ||
         strcmp(argv[1], "confirm") == 0 ||
         (strcmp(argv[1], "info") == 0 && client_cli_count_positional(argc, argv) == 2))) {
        return client_cli_main(argc, argv);
    }
    return image_tool_main(argc, argv);
}
