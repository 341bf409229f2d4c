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
#include <sysexits.h>

#include "client/client.h"
#include "client/client_cli.h"
#include "client/client_wait.h"
#include "util/fileio.h"
#include "util/num.h"
#include "client/client_format.h"
#include "control/control.h"
#include "image/image_tool.h"

/* Exit status for an error reply. */
#define CLIENT_CLI_EXIT_ERROR 1
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
};

/* The longest event name --wait takes. */
#define CLIENT_CLI_EVENT_MAX 64

struct client_cli {
    const char *name; /* The subcommand as typed, for messages. */
    const char *socket;
    bool json;
    int timeout_ms; /* -1: none given. */
    unsigned given; /* CLIENT_OPT_* seen. */
    long long at_op;
    const char *fault;
    long long seed;
    long long units;
    long long permille;
    bool follow;
    const char *device;
    const char *output;
    char wait_event[CLIENT_CLI_EVENT_MAX]; /* --wait EVENT, or empty. */
    int wait_ms;                           /* --wait's :TIMEOUT in ms; -1: none given. */
    char **pos;                            /* Positional arguments. */
    int npos;
    struct client_conn conn;
};

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
            "options (after the command):\n"
            "  -s, --socket PATH   control socket (default: $BROWNOUT_SOCKET, else\n"
            "                      ./brownout.sock, brownoutd's default)\n"
            "  -j, --json          print the returned JSON instead of text\n"
            "  -t, --timeout S     give up after S seconds (exit 75); commands default to 30,\n"
            "                      wait and events to no limit\n"
            "exit status: 0 ok, 1 error reply, 64 usage, 66 unreadable input, 69 daemon\n"
            "unreachable, 73 unwritable output, 75 timeout, 76 protocol error\n");
}

static int client_cli_usage_error(const struct client_cli *cli, const char *msg)
{
    fprintf(stderr, "brownout %s: %s (see brownout --help)\n", cli->name, msg);
    return EX_USAGE;
}

/* Parses an unsigned number (decimal or 0x hex) into [0, max], for the long long fields. */
static bool client_cli_number(const char *s, long long max, long long *out)
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
        client_cli_usage(stdout);
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
    case 'W':
        *bit = CLIENT_OPT_WAIT;
        return client_cli_wait_option(cli, arg)
                   ? 0
                   : client_cli_usage_error(cli, "--wait wants EVENT or EVENT:SECONDS");
    default:
        return client_cli_usage_error(cli, "unknown option or missing value");
    }
}

static int client_cli_parse(struct client_cli *cli, int argc, char **argv, unsigned allowed)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { "at-op", required_argument, NULL, 'A' },
        { "fault", required_argument, NULL, 'F' },
        { "seed", required_argument, NULL, 'S' },
        { "follow", no_argument, NULL, 'f' },
        { "device", required_argument, NULL, 'd' },
        { "output", required_argument, NULL, 'o' },
        { "units", required_argument, NULL, 'U' },
        { "permille", required_argument, NULL, 'P' },
        { "wait", required_argument, NULL, 'W' }, /* EVENT[:TIMEOUT] */
        { NULL, 0, NULL, 0 },
    };
    unsigned bit;
    int rc;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "s:jt:hfd:o:", longopts, NULL)) != -1) {
        bit = 0;
        rc = client_cli_option(cli, c, optarg, &bit);
        if (rc != 0) {
            return rc;
        }
        if ((bit & ~allowed) != 0) {
            return client_cli_usage_error(cli, "option not valid for this command");
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
        return EX_TEMPFAIL;
    case BO_EPROTO:
        fprintf(stderr, "brownout: %s: not a brownoutd control socket\n", path);
        return EX_PROTOCOL;
    default:
        fprintf(stderr, "brownout: cannot reach brownoutd at %s: %s\n", path,
                errno != 0 ? strerror(errno) : bo_strerror(rc));
        return EX_UNAVAILABLE;
    }
}

/* Maps a client library failure after connecting to an exit status. */
static int client_cli_failure(int rc)
{
    switch (rc) {
    case BO_ETIMEDOUT:
        fprintf(stderr, "brownout: timed out\n");
        return EX_TEMPFAIL;
    case BO_EPROTO:
        fprintf(stderr, "brownout: the daemon sent something that is not a JSON object\n");
        return EX_PROTOCOL;
    case BO_ENOMEM:
        fprintf(stderr, "brownout: out of memory\n");
        return EX_OSERR;
    default:
        fprintf(stderr, "brownout: the daemon closed the connection\n");
        return EX_UNAVAILABLE;
    }
}

static void client_cli_print_json(const json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);

    if (text != NULL) {
        printf("%s\n", text);
        free(text);
    }
}

/* Executes one command (args taken over) and prints its result; returns the exit status. */
static int client_cli_run(struct client_cli *cli, const char *command, json_t *args, json_t **ret)
{
    char device[CLIENT_CLI_EVENT_MAX * 4] = "";
    json_t *reply = NULL;
    int rc;

    if (ret != NULL) {
        *ret = NULL;
    }
    if (args == NULL) {
        fprintf(stderr, "brownout: out of memory\n");
        return EX_OSERR;
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

/* Reads a whole file ("-": standard input). */
static int client_cli_slurp(const char *path, uint8_t **out, size_t *len)
{
    return fileio_read_all(path, CLIENT_CLI_DATA_MAX, out, len, NULL, 0) == 0 ? 0 : -1;
}

static void client_cli_hexdump(FILE *out, long long base, const uint8_t *buf, size_t len)
{
    size_t i;
    size_t j;

    for (i = 0; i < len; i += 16) {
        fprintf(out, "%08llx ", (unsigned long long)base + i);
        for (j = i; j < i + 16; j++) {
            if (j < len) {
                fprintf(out, " %02x", buf[j]);
            } else {
                fprintf(out, "   ");
            }
        }
        fprintf(out, "  |");
        for (j = i; j < i + 16 && j < len; j++) {
            fputc(buf[j] >= 0x20 && buf[j] < 0x7f ? buf[j] : '.', out);
        }
        fprintf(out, "|\n");
    }
}

/* The arguments every flash command shares: device, flash when given, offset. */
static json_t *client_cli_flash_args(const char *dev, const char *flash, long long offset)
{
    json_t *args = json_pack("{s:s, s:I}", "device", dev, "offset", (json_int_t)offset);

    if (args != NULL && flash != NULL &&
        json_object_set_new(args, "flash", json_string(flash)) != 0) {
        json_decref(args);
        return NULL;
    }
    return args;
}

static int client_cli_flash_read(struct client_cli *cli, json_t *args, long long offset,
                                 long long length)
{
    json_t *ret = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    if (args != NULL && json_object_set_new(args, "length", json_integer(length)) != 0) {
        json_decref(args);
        args = NULL;
    }
    rc = client_cli_run(cli, "flash-read", args, &ret);

    if (rc != 0) {
        return rc;
    }
    if (cli->json && cli->output == NULL) {
        client_cli_print_json(ret);
        goto out;
    }
    if (control_arg_data(ret, "data", &data, &len) < 0) {
        rc = EX_PROTOCOL;
        fprintf(stderr, "brownout: the reply has no base64 \"data\"\n");
        goto out;
    }
    if (cli->output == NULL) {
        client_cli_hexdump(stdout, offset, data, len);
        goto out;
    }
    f = strcmp(cli->output, "-") == 0 ? stdout : fopen(cli->output, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "brownout: cannot write %s: %s\n", cli->output, strerror(errno));
        rc = EX_CANTCREAT;
    }
out:
    free(data);
    json_decref(ret);
    return rc;
}

/* flash read|write|erase DEV [FLASH] OFFSET LENGTH|FILE. */
static int client_cli_flash(struct client_cli *cli)
{
    const char *sub = cli->npos > 0 ? cli->pos[0] : "";
    const char *dev;
    const char *flash = NULL;
    const char *last;
    long long offset;
    long long length;
    uint8_t *data = NULL;
    size_t len;
    json_t *args;

    if (cli->npos != 4 && cli->npos != 5) {
        return client_cli_usage_error(cli, "usage: flash read|write|erase DEV [FLASH] OFFSET "
                                           "LENGTH|FILE");
    }
    dev = cli->pos[1];
    if (cli->npos == 5) {
        flash = cli->pos[2];
    }
    last = cli->pos[cli->npos - 1];
    if (!client_cli_number(cli->pos[cli->npos - 2], INT64_MAX, &offset)) {
        return client_cli_usage_error(cli, "OFFSET must be a number");
    }
    if (cli->output != NULL && strcmp(sub, "read") != 0) {
        return client_cli_usage_error(cli, "-o is for flash read");
    }
    if (strcmp(sub, "read") == 0 || strcmp(sub, "erase") == 0) {
        if (!client_cli_number(last, INT64_MAX, &length)) {
            return client_cli_usage_error(cli, "LENGTH must be a number");
        }
        args = client_cli_flash_args(dev, flash, offset);
        if (sub[0] == 'r') {
            return client_cli_flash_read(cli, args, offset, length);
        }
        if (args != NULL && json_object_set_new(args, "length", json_integer(length)) != 0) {
            json_decref(args);
            args = NULL;
        }
        return client_cli_run(cli, "flash-erase", args, NULL);
    }
    if (strcmp(sub, "write") != 0) {
        return client_cli_usage_error(cli, "flash read, write or erase");
    }
    if (client_cli_slurp(last, &data, &len) < 0) {
        fprintf(stderr, "brownout: cannot read %s (or larger than %zu bytes)\n", last,
                CLIENT_CLI_DATA_MAX);
        return EX_NOINPUT;
    }
    args = client_cli_flash_args(dev, flash, offset);
    if (args != NULL && json_object_set_new(args, "data", control_data_json(data, len)) != 0) {
        json_decref(args);
        args = NULL;
    }
    free(data);
    return client_cli_run(cli, "flash-write", args, NULL);
}

/* image load DEV SLOT FILE | image info DEV SLOT (the daemon's side of `image`). */
static int client_cli_image_daemon(struct client_cli *cli)
{
    const char *sub = cli->npos > 0 ? cli->pos[0] : "";
    char *abs;
    json_t *args;

    if (strcmp(sub, "info") == 0) {
        if (cli->npos != 3) {
            return client_cli_usage_error(cli, "usage: image info DEV SLOT");
        }
        return client_cli_run(cli, "image-info",
                              json_pack("{s:s, s:s}", "device", cli->pos[1], "slot", cli->pos[2]),
                              NULL);
    }
    if (cli->npos != 4) {
        return client_cli_usage_error(cli, "usage: image load DEV SLOT FILE");
    }
    /* The daemon reads the file itself, from its own working directory. */
    abs = realpath(cli->pos[3], NULL);
    if (abs == NULL) {
        fprintf(stderr, "brownout: cannot read %s: %s\n", cli->pos[3], strerror(errno));
        return EX_NOINPUT;
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
                return EX_TEMPFAIL;
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
            return EX_UNAVAILABLE;
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

int client_cli_main(int argc, char **argv)
{
    struct client_cli cli;
    const char *cmd = argc > 0 ? argv[0] : "";
    unsigned allowed = 0;
    int rc;

    memset(&cli, 0, sizeof(cli));
    cli.name = cmd;
    cli.timeout_ms = -1;
    client_init(&cli.conn);
    if (strcmp(cmd, "power-cut") == 0) {
        allowed = CLIENT_OPT_AT_OP | CLIENT_OPT_FAULT | CLIENT_OPT_SEED | CLIENT_OPT_UNITS |
                  CLIENT_OPT_PERMILLE | CLIENT_OPT_WAIT;
    } else if (strcmp(cmd, "reset") == 0 || strcmp(cmd, "power-on") == 0) {
        allowed = CLIENT_OPT_WAIT;
    } else if (strcmp(cmd, "image") == 0 && argc > 1 && strcmp(argv[1], "load") == 0) {
        allowed = CLIENT_OPT_WAIT;
    } else if (strcmp(cmd, "flash") == 0) {
        allowed = CLIENT_OPT_OUTPUT;
    } else if (strcmp(cmd, "events") == 0) {
        allowed = CLIENT_OPT_FOLLOW;
    } else if (strcmp(cmd, "wait") == 0) {
        allowed = CLIENT_OPT_DEVICE;
    }
    rc = client_cli_parse(&cli, argc, argv, allowed);
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

int client_cli_image(int argc, char **argv)
{
    if (argc >= 2 &&
        (strcmp(argv[1], "load") == 0 ||
         (strcmp(argv[1], "info") == 0 && client_cli_count_positional(argc, argv) == 2))) {
        return client_cli_main(argc, argv);
    }
    return image_tool_main(argc, argv);
}
