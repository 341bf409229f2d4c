/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware runner's command line (fw.h describes it). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bl/bl.h"
#include "bo_err.h"
#include "config/config_int.h"
#include "fw/fw.h"
#include "board/board_derive.h"
#include "util/errbuf.h"
#include "util/num.h"

/* The options (getopt_long values past every character). */
enum {
    FW_ARGS_NAME = 256,
    FW_ARGS_BOARD,
    FW_ARGS_MODE,
    FW_ARGS_IMAGES,
    FW_ARGS_KEY,
    FW_ARGS_NO_VALIDATE,
    FW_ARGS_DOWNGRADE,
    FW_ARGS_FLASH,
    FW_ARGS_CUT_AT,
    FW_ARGS_CUT_MODEL,
    FW_ARGS_CUT_UNITS,
    FW_ARGS_CUT_PERMILLE,
    FW_ARGS_CUT_SEED,
    FW_ARGS_NET,
    FW_ARGS_SEED,
    FW_ARGS_MAX_SECTORS,
    FW_ARGS_FLASH_FAULT,
    FW_ARGS_BOOTLOADER,
};

/* The long options (fw.h lists them). */
static const struct option fw_args_options[] = {
    { "name", required_argument, NULL, FW_ARGS_NAME },
    { "board", required_argument, NULL, FW_ARGS_BOARD },
    { "mode", required_argument, NULL, FW_ARGS_MODE },
    { "images", required_argument, NULL, FW_ARGS_IMAGES },
    { "key", required_argument, NULL, FW_ARGS_KEY },
    { "no-validate", no_argument, NULL, FW_ARGS_NO_VALIDATE },
    { "downgrade-prevention", no_argument, NULL, FW_ARGS_DOWNGRADE },
    { "flash", required_argument, NULL, FW_ARGS_FLASH },
    { "cut-at", required_argument, NULL, FW_ARGS_CUT_AT },
    { "cut-model", required_argument, NULL, FW_ARGS_CUT_MODEL },
    { "cut-units", required_argument, NULL, FW_ARGS_CUT_UNITS },
    { "cut-permille", required_argument, NULL, FW_ARGS_CUT_PERMILLE },
    { "cut-seed", required_argument, NULL, FW_ARGS_CUT_SEED },
    { "net", required_argument, NULL, FW_ARGS_NET },
    { "seed", required_argument, NULL, FW_ARGS_SEED },
    { "max-sectors", required_argument, NULL, FW_ARGS_MAX_SECTORS },
    { "flash-fault", required_argument, NULL, FW_ARGS_FLASH_FAULT },
    { "bootloader", required_argument, NULL, FW_ARGS_BOOTLOADER },
    { NULL, 0, NULL, 0 },
};

/* Parses "MEMFD[:ECCFD][,weak=WEAKFD]". */
static int fw_args_flash(struct fw_args *a, const char *s)
{
    char buf[64];
    char *colon;
    char *comma;
    uint64_t mem;
    uint64_t ecc = 0;
    uint64_t weak = 0;

    if (a->flash_count >= BOARD_MAX_DEVICES || strlen(s) >= sizeof(buf)) {
        return BO_EINVAL;
    }
    memcpy(buf, s, strlen(s) + 1);
    comma = strchr(buf, ',');
    if (comma != NULL) {
        *comma = '\0';
        if (strncmp(comma + 1, "weak=", 5) != 0 || num_parse_u64(comma + 6, 0, 65535, &weak) < 0) {
            return BO_EINVAL;
        }
    }
    colon = strchr(buf, ':');
    if (colon != NULL) {
        *colon = '\0';
        if (num_parse_u64(colon + 1, 0, 65535, &ecc) < 0) {
            return BO_EINVAL;
        }
    }
    if (num_parse_u64(buf, 0, 65535, &mem) < 0) {
        return BO_EINVAL;
    }
    a->mem_fd[a->flash_count] = (int)mem;
    a->ecc_fd[a->flash_count] = colon != NULL ? (int)ecc : -1;
    a->weak_fd[a->flash_count] = comma != NULL ? (int)weak : -1;
    a->flash_count++;
    return 0;
}

/* Applies an option that takes a number. \return 0, BO_EINVAL (bad value), or 1 (not one). */
static int fw_args_number(struct fw_args *a, int c, const char *arg)
{
    uint64_t v;

    switch (c) {
    case FW_ARGS_IMAGES:
        if (num_parse_u64(arg, 0, 2, &v) < 0 || v == 0) {
            return BO_EINVAL;
        }
        a->images = (uint32_t)v;
        return 0;
    case FW_ARGS_CUT_AT:
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) < 0) {
            return BO_EINVAL;
        }
        a->cut_armed = true;
        a->cut_at = v;
        return 0;
    case FW_ARGS_CUT_UNITS:
        if (num_parse_u64(arg, 0, UINT32_MAX, &v) < 0) {
            return BO_EINVAL;
        }
        a->cut.units = (uint32_t)v;
        return 0;
    case FW_ARGS_CUT_PERMILLE:
        if (num_parse_u64(arg, 0, 1000, &v) < 0) {
            return BO_EINVAL;
        }
        a->cut.permille = (uint32_t)v;
        return 0;
    case FW_ARGS_CUT_SEED:
    case FW_ARGS_SEED:
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) < 0) {
            return BO_EINVAL;
        }
        *(c == FW_ARGS_SEED ? &a->seed : &a->cut.seed) = v;
        return 0;
    case FW_ARGS_MAX_SECTORS:
        return board_derive_parse_max_sectors(arg, &a->max_sectors) < 0 ? BO_EINVAL : 0;
    default:
        return 1;
    }
}

/* Copies arg into dst of size cap. \return 0, or BO_EINVAL when it is empty or too long. */
static int fw_args_copy(char *dst, size_t cap, const char *arg)
{
    size_t len = strlen(arg);

    if (len == 0 || len >= cap) {
        return BO_EINVAL;
    }
    memcpy(dst, arg, len + 1);
    return 0;
}

/* Applies an option that takes a name, a path or nothing. \return 0, BO_EINVAL, or 1. */
static int fw_args_text(struct fw_args *a, int c, const char *arg)
{
    int m;

    switch (c) {
    case FW_ARGS_NAME:
        return board_valid_name(arg) ? fw_args_copy(a->name, sizeof(a->name), arg) : BO_EINVAL;
    case FW_ARGS_BOARD:
        return fw_args_copy(a->board, sizeof(a->board), arg);
    case FW_ARGS_KEY:
        if (a->key_count >= CONFIG_MAX_KEYS ||
            fw_args_copy(a->keys[a->key_count], CONFIG_PATH_MAX, arg) < 0) {
            return BO_EINVAL;
        }
        a->key_count++;
        return 0;
    case FW_ARGS_MODE:
    case FW_ARGS_CUT_MODEL:
        m = c == FW_ARGS_MODE ? config_mode_parse(arg) : vflash_cut_model_parse(arg);
        if (m < 0) {
            return BO_EINVAL;
        }
        if (c == FW_ARGS_MODE) {
            a->mode = (enum boot_mode)m;
        } else {
            a->cut.model = (enum vflash_cut_model)m;
        }
        return 0;
    case FW_ARGS_FLASH:
        return fw_args_flash(a, arg);
    case FW_ARGS_BOOTLOADER:
        return bl_parse(arg, &a->bootloader);
    case FW_ARGS_FLASH_FAULT:
        if (a->fault_count >= FW_FAULTS_MAX || fw_fault_parse(arg, &a->faults[a->fault_count])) {
            return BO_EINVAL;
        }
        a->fault_count++;
        return 0;
    case FW_ARGS_NO_VALIDATE:
        a->validate_primary = false;
        return 0;
    case FW_ARGS_DOWNGRADE:
        a->downgrade_prevention = true;
        return 0;
    default:
        return 1;
    }
}

/* Applies --net KEY=VALUE. \return 0, or BO_EINVAL with a message in err. */
static int fw_args_net(struct fw_args *a, const char *arg, char *err, size_t err_len)
{
    char key[32];
    char msg[CONFIG_ERR_MAX];
    const char *value = config_split(arg, key, sizeof(key));

    if (value == NULL || config_net_set(&a->net, key, value, "", msg, sizeof(msg)) < 0) {
        snprintf(err, err_len, "--net %s: %s", arg, value == NULL ? "expected KEY=VALUE" : msg);
        return BO_EINVAL;
    }
    return 0;
}

/* What must hold once every option is read. \return 0, or BO_EINVAL with a message in err. */
static int fw_args_check(const struct fw_args *a, int argc, char **argv, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_MAX];

    if (optind < argc) {
        snprintf(err, err_len, "unexpected argument '%s'", argv[optind]);
        return BO_EINVAL;
    }
    if (a->board[0] == '\0' || a->flash_count == 0) {
        snprintf(err, err_len, "--board and --flash are required");
        return BO_EINVAL;
    }
    if (config_net_check(&a->net, msg, sizeof(msg)) < 0) {
        snprintf(err, err_len, "--net: %s", msg);
        return BO_EINVAL;
    }
    return 0;
}

int fw_parse_args(struct fw_args *a, int argc, char **argv, char *err, size_t err_len)
{
    struct boot_config boot;
    int c;
    int rc;

    memset(a, 0, sizeof(*a));
    snprintf(a->name, sizeof(a->name), "dev0");
    boot_config_defaults(&boot);
    a->mode = boot.mode;
    a->images = boot.image_count;
    a->validate_primary = boot.validate_primary;
    a->pipe_fd = FW_PIPE_FD;
    a->cut.units = VFLASH_CUT_SEEDED;
    a->cut.permille = VFLASH_CUT_SEEDED;
    a->seed = 1;
    config_net_init(&a->net);
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":", fw_args_options, NULL)) != -1) {
        if (c == FW_ARGS_NET) {
            rc = fw_args_net(a, optarg, err, err_len);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        rc = fw_args_number(a, c, optarg);
        if (rc == 1) {
            rc = fw_args_text(a, c, optarg);
        }
        if (rc == 1) {
            snprintf(err, err_len, "unknown option or missing argument: %s", argv[optind - 1]);
            return BO_EINVAL;
        }
        if (rc < 0) {
            snprintf(err, err_len, "bad value for %s", argv[optind - 1]);
            return BO_EINVAL;
        }
    }
    return fw_args_check(a, argc, argv, err, err_len);
}
