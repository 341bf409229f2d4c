/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `brownout flash read|write|erase`: a device's flash bytes through brownoutd's flash-read,
 * flash-write and flash-erase commands.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_cli_int.h"
#include "control/control.h"
#include "util/fileio.h"

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
        rc = BO_EXIT_PROTOCOL;
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
        rc = BO_EXIT_CANTCREAT;
    }
out:
    free(data);
    json_decref(ret);
    return rc;
}

/* flash read|write|erase DEV [FLASH] OFFSET LENGTH|FILE. */
int client_cli_flash(struct client_cli *cli)
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
        return BO_EXIT_NOINPUT;
    }
    args = client_cli_flash_args(dev, flash, offset);
    if (args != NULL && json_object_set_new(args, "data", control_data_json(data, len)) != 0) {
        json_decref(args);
        args = NULL;
    }
    free(data);
    return client_cli_run(cli, "flash-write", args, NULL);
}
