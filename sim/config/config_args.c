/* SPDX-License-Identifier: Apache-2.0 */
/* brownoutd's command line: options over the configuration file, --help, --check-config. */
#include "config/daemon_config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "config/config_int.h"
#include "util/errbuf.h"
#include "util/num.h"

enum {
    OPT_BOARD = 256,
    OPT_FLASH,
    OPT_FLASH_ERASE,
    OPT_FLASH_IN_RAM,
    OPT_IMAGE,
    OPT_MOUNT,
    OPT_CONTROL,
    OPT_SEED,
    OPT_MODE,
    OPT_KEY,
    OPT_DEVICE,
    OPT_FIRMWARE,
    OPT_FUSE_WRITE,
    OPT_CHECK,
    OPT_POWER_ON,
    OPT_NO_MOUNT,
    OPT_READY_FD,
    OPT_LOG,
    OPT_QUIET,
    OPT_BOOTLOADER,
    OPT_MCUBOOT_SRC,
};

static const struct option config_longopts[] = {
    { "config", required_argument, NULL, 'c' },
    { "board", required_argument, NULL, OPT_BOARD },
    { "flash", required_argument, NULL, OPT_FLASH },
    { "flash-erase", no_argument, NULL, OPT_FLASH_ERASE },
    { "flash-in-ram", no_argument, NULL, OPT_FLASH_IN_RAM },
    { "image", required_argument, NULL, OPT_IMAGE },
    { "mount", required_argument, NULL, OPT_MOUNT },
    { "no-mount", no_argument, NULL, OPT_NO_MOUNT },
    { "control", required_argument, NULL, OPT_CONTROL },
    { "seed", required_argument, NULL, OPT_SEED },
    { "mode", required_argument, NULL, OPT_MODE },
    { "key", required_argument, NULL, OPT_KEY },
    { "device", required_argument, NULL, OPT_DEVICE },
    { "firmware", required_argument, NULL, OPT_FIRMWARE },
    { "fuse-write", required_argument, NULL, OPT_FUSE_WRITE },
    { "power-on", required_argument, NULL, OPT_POWER_ON },
    { "check-config", no_argument, NULL, OPT_CHECK },
    { "ready-fd", required_argument, NULL, OPT_READY_FD },
    { "log", required_argument, NULL, OPT_LOG },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "bootloader", required_argument, NULL, OPT_BOOTLOADER },
    { "mcuboot-src", required_argument, NULL, OPT_MCUBOOT_SRC },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

void config_usage(FILE *out)
{
    fprintf(out, "Usage: brownoutd [OPTION]...\n"
                 "Run simulated devices (bootloader and firmware) with their flash in files, a\n"
                 "control socket and a FUSE view of the flash.\n"
                 "\n"
                 "  -c, --config FILE        read the INI configuration FILE first\n"
                 "      --device NAME        apply the device options below to device NAME\n"
                 "                           (repeatable; created when the file lacks it)\n"
                 "      --board FILE         board description (fixtures/boards/*.ini)\n"
                 "      --flash [NAME=]FILE  backing file of a flash device (NAME: a device,\n"
                 "                           DEVICE.FLASHDEV, or a flash device of the board)\n"
                 "      --flash-erase        erase the flash at start\n"
                 "      --flash-in-ram       keep the flash in memory (nothing survives)\n"
                 "      --image SLOT=FILE    write FILE into SLOT (primary, secondary, 1-primary,\n"
                 "                           1-secondary) when the flash starts erased\n"
                 "      --mode MODE          overwrite, swap-scratch, swap-move or swap-offset\n"
                 "      --key FILE           trust this public key (repeatable)\n"
                 "      --bootloader NAME    brownout (default) or mcuboot: upstream MCUboot of\n"
                 "                           --mcuboot-src, built for the device's settings\n"
                 "      --mcuboot-src DIR    the MCUboot tree of mcuboot devices\n"
                 "      --power-on auto|manual  power devices on at start and after cuts\n"
                 "      --seed N             default seed of power-cut models\n"
                 "      --control PATH       control socket (default brownout.sock)\n"
                 "      --mount DIR          FUSE mountpoint; --no-mount: none\n"
                 "      --fuse-write MODE    programmer (default) or nor\n"
                 "      --firmware PROGRAM   the firmware runner (default: brownout-fw next to\n"
                 "                           brownoutd)\n"
                 "      --check-config       print the effective configuration and exit\n"
                 "      --ready-fd N         write READY and a newline to descriptor N once the\n"
                 "                           socket listens and the mount is up, then close it\n"
                 "      --log FILE           messages and events to FILE (appended), not stderr\n"
                 "      --quiet              no line on stderr (or the log) for each event\n"
                 "  -v, --verbose            log more\n"
                 "  -h, --help               display this help and exit\n"
                 "  -V, --version            output version information and exit\n"
                 "\n"
                 "The file has a [daemon] section and [device NAME] sections (NAME not . or ..);\n"
                 "a section gives each key once (image, flash and key: once per slot, flash\n"
                 "device and file). Errors name FILE:LINE.\n"
                 "\n"
                 "Signals: SIGTERM/SIGINT shut down cleanly (a second one exits at once); SIGHUP\n"
                 "re-reads the configuration file.\n"
                 "Exit status: 0 ok, 64 usage error, 65 bad data (a key file), 66 missing\n"
                 "input, 70 internal error, 71 system error, 78 configuration error.\n");
}

/* The devices command-line device options apply to. */
struct config_targets {
    char (*names)[BOARD_NAME_MAX]; /* Room for one name per argument, and one more. */
    uint32_t count;
};

/* Returns the device named name, created if needed. */
static struct config_device *config_get_device(struct config *cfg, const char *name, char *err,
                                               size_t err_len)
{
    int i = config_find_device(cfg, name);
    struct config_device *dev;

    if (i >= 0) {
        return &cfg->devices[i];
    }
    if (config_device_name_check(name, err, err_len) < 0) {
        return NULL;
    }
    dev = config_add_device(cfg, name);
    if (dev == NULL) {
        errbuf_set(err, err_len, "device '%s': out of memory", name);
    }
    return dev;
}

/* Applies a device option to every target device. */
static int config_apply_dev(struct config *cfg, struct config_targets *t, const char *key,
                            const char *value, char *err, size_t err_len)
{
    uint32_t i;
    char msg[CONFIG_ERR_MAX];

    if (t->count == 0) {
        if (cfg->device_count == 1) {
            config_copy(t->names[0], sizeof(t->names[0]), cfg->devices[0].name);
        } else if (cfg->device_count == 0) {
            snprintf(t->names[0], sizeof(t->names[0]), "dev0");
        } else {
            errbuf_set(err, err_len,
                       "--%s: the configuration has %u devices; say which with "
                       "--device NAME",
                       key, (unsigned)cfg->device_count);
            return BO_EINVAL;
        }
        t->count = 1;
    }
    for (i = 0; i < t->count; i++) {
        struct config_device *d = config_get_device(cfg, t->names[i], err, err_len);

        if (d == NULL) {
            return BO_EINVAL;
        }
        if (config_dev_set(d, key, value, "", msg, sizeof(msg)) < 0) {
            errbuf_set(err, err_len, "--%s %s: %s", key, value, msg);
            return BO_EINVAL;
        }
    }
    return 0;
}

/*
 * --flash NAME=FILE: NAME is a device ("dev0"), "DEVICE.FLASHDEV", or anything else (a flash
 * device of the target devices' board).
 */
static int config_apply_flash(struct config *cfg, struct config_targets *t, const char *value,
                              char *err, size_t err_len)
{
    char name[2 * BOARD_NAME_MAX];
    const char *path = config_split(value, name, sizeof(name));
    char *dot;
    struct config_device *d;
    char msg[CONFIG_ERR_MAX];
    char flash_value[CONFIG_PATH_MAX + BOARD_NAME_MAX];

    if (path == NULL) {
        return config_apply_dev(cfg, t, "flash", value, err, err_len);
    }
    dot = strchr(name, '.');
    if (dot != NULL) {
        *dot = '\0';
        snprintf(flash_value, sizeof(flash_value), "%s=%s", dot + 1, path);
    } else if (config_find_device(cfg, name) >= 0 || (t->count == 0 && cfg->device_count == 0)) {
        snprintf(flash_value, sizeof(flash_value), "%s", path);
    } else {
        return config_apply_dev(cfg, t, "flash", value, err, err_len);
    }
    d = config_get_device(cfg, name, err, err_len);
    if (d == NULL) {
        return BO_EINVAL;
    }
    if (t->count == 0) {
        config_copy(t->names[0], sizeof(t->names[0]), name);
        t->count = 1;
    }
    if (config_dev_set(d, "flash", flash_value, "", msg, sizeof(msg)) < 0) {
        errbuf_set(err, err_len, "--flash %s: %s", value, msg);
        return BO_EINVAL;
    }
    return 0;
}

/* The options that set one key: of the target devices, or of the [daemon] section. */
static const struct {
    int opt;
    const char *key;
    const char *value; /* The value of an option without argument; NULL: the argument. */
    bool daemon;
} config_opt_keys[] = {
    { OPT_BOARD, "board", NULL, false },
    { OPT_FLASH_ERASE, "flash-erase", "true", false },
    { OPT_FLASH_IN_RAM, "flash-in-ram", "true", false },
    { OPT_IMAGE, "image", NULL, false },
    { OPT_MODE, "mode", NULL, false },
    { OPT_KEY, "key", NULL, false },
    { OPT_POWER_ON, "power-on", NULL, false },
    { OPT_BOOTLOADER, "bootloader", NULL, false },
    { OPT_MCUBOOT_SRC, "mcuboot-src", NULL, true },
    { OPT_MOUNT, "mount", NULL, true },
    { OPT_CONTROL, "control", NULL, true },
    { OPT_FIRMWARE, "firmware", NULL, true },
    { OPT_FUSE_WRITE, "fuse-write", NULL, true },
};

/*
 * First pass: --config, --device, --help, --version, and usage errors.
 * Returns 1 when action is decided (help, version), 0 to go on, or BO_EINVAL.
 */
static int config_args_first(int argc, char **argv, struct config_targets *t, const char **file,
                             enum config_action *action, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_MAX];
    int c;

    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":c:vhV", config_longopts, NULL)) != -1) {
        if (c == 'h' || c == 'V') {
            *action = c == 'h' ? CONFIG_HELP : CONFIG_VERSION;
            return 1;
        }
        if (c == 'c') {
            *file = optarg;
        } else if (c == OPT_DEVICE) {
            if (config_device_name_check(optarg, msg, sizeof(msg)) < 0) {
                return errbuf_fail(err, err_len, BO_EINVAL, "--device %s: %s", optarg, msg);
            }
            config_copy(t->names[t->count++], sizeof(t->names[0]), optarg);
        } else if (c == '?') {
            return errbuf_fail(err, err_len, BO_EINVAL, "unknown option '%s'", argv[optind - 1]);
        } else if (c == ':') {
            return errbuf_fail(err, err_len, BO_EINVAL, "option '%s' needs an argument",
                               argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return errbuf_fail(err, err_len, BO_EINVAL, "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

/* Second pass: applies one option over the configuration file. */
static int config_args_option(struct config *cfg, struct config_targets *t, int c, const char *arg,
                              char *err, size_t err_len)
{
    uint64_t v;

    for (size_t i = 0; i < sizeof(config_opt_keys) / sizeof(config_opt_keys[0]); i++) {
        const char *value = config_opt_keys[i].value != NULL ? config_opt_keys[i].value : arg;

        if (config_opt_keys[i].opt != c) {
            continue;
        }
        if (config_opt_keys[i].daemon) {
            return config_daemon_set(cfg, config_opt_keys[i].key, value, "", err, err_len);
        }
        return config_apply_dev(cfg, t, config_opt_keys[i].key, value, err, err_len);
    }
    switch (c) {
    case OPT_FLASH:
        return config_apply_flash(cfg, t, arg, err, err_len);
    case OPT_SEED:
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "--seed %s: not an unsigned number", arg);
        }
        cfg->seed = v;
        return cfg->device_count > 0 || t->count > 0
                   ? config_apply_dev(cfg, t, "seed", arg, err, err_len)
                   : 0;
    case OPT_NO_MOUNT:
        cfg->mount[0] = '\0';
        return 0;
    case OPT_CHECK:
        cfg->check_only = true;
        return 0;
    case OPT_READY_FD:
        if (num_parse_u64(arg, 0, INT32_MAX, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "--ready-fd %s: not a descriptor number",
                               arg);
        }
        cfg->ready_fd = (int)v;
        cfg->has_ready_fd = true;
        return 0;
    case OPT_LOG:
        if (strlen(arg) == 0 || strlen(arg) >= sizeof(cfg->log)) {
            return errbuf_fail(err, err_len, BO_EINVAL, "--log: empty or too long path");
        }
        config_copy(cfg->log, sizeof(cfg->log), arg);
        return 0;
    case OPT_QUIET:
        cfg->quiet = true;
        return 0;
    case 'v':
        cfg->verbose = true;
        return 0;
    default:
        return 0;
    }
}

/* config_parse_args() with the targets' room allocated. */
static int config_parse_targets(struct config *cfg, struct config_targets *tp, int argc,
                                char **argv, enum config_action *action, char *err, size_t err_len)
{
    struct config_targets t = *tp;
    const char *file = NULL;
    int c;
    int rc;

    rc = config_args_first(argc, argv, &t, &file, action, err, err_len);
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    /* The daemon-wide options that device defaults depend on come before the file's devices. */
    if (file != NULL) {
        rc = config_load_file(cfg, file, err, err_len);
        if (rc < 0) {
            return rc;
        }
    }
    optind = 0;
    while ((c = getopt_long(argc, argv, ":c:vhV", config_longopts, NULL)) != -1) {
        rc = config_args_option(cfg, &t, c, optarg, err, err_len);
        if (rc < 0) {
            return rc;
        }
    }
    /* --device NAME alone creates the device. */
    for (c = 0; c < (int)t.count; c++) {
        if (config_get_device(cfg, t.names[c], err, err_len) == NULL) {
            return BO_EINVAL;
        }
    }
    return config_check(cfg, err, err_len);
}

int config_parse_args(struct config *cfg, int argc, char **argv, enum config_action *action,
                      char *err, size_t err_len)
{
    struct config_targets t;
    int rc;

    *action = CONFIG_RUN;
    memset(&t, 0, sizeof(t));
    /* Each --device takes an argument, so argc names are more than enough. */
    t.names = calloc((size_t)(argc > 0 ? argc : 0) + 1, sizeof(*t.names));
    if (t.names == NULL) {
        return errbuf_fail(err, err_len, BO_ENOMEM, "out of memory");
    }
    rc = config_parse_targets(cfg, &t, argc, argv, action, err, err_len);
    free(t.names);
    return rc;
}

void config_print(const struct config *cfg, FILE *out)
{
    uint32_t i;
    uint32_t j;

    fprintf(out, "; effective configuration%s%s\n", cfg->file[0] != '\0' ? " of " : "", cfg->file);
    fprintf(out, "[daemon]\ncontrol = %s\nmount = %s\nfuse-write = %s\n", cfg->control, cfg->mount,
            cfg->fuse_nor ? "nor" : "programmer");
    if (cfg->firmware[0] != '\0') {
        fprintf(out, "firmware = %s\n", cfg->firmware);
    }
    fprintf(out, "seed = %llu\n", (unsigned long long)cfg->seed);
    if (cfg->mcuboot_src[0] != '\0') {
        fprintf(out, "mcuboot-src = %s\n", cfg->mcuboot_src);
    }
    for (i = 0; i < cfg->device_count; i++) {
        const struct config_device *d = &cfg->devices[i];

        fprintf(out, "\n[device %s]\nboard = %s\n", d->name, d->board);
        for (j = 0; j < d->flash_count; j++) {
            if (d->flash[j].name[0] != '\0') {
                fprintf(out, "flash = %s=%s\n", d->flash[j].name, d->flash[j].path);
            } else {
                fprintf(out, "flash = %s\n", d->flash[j].path);
            }
        }
        fprintf(out, "flash-erase = %s\nflash-in-ram = %s\n", d->flash_erase ? "true" : "false",
                d->flash_in_ram ? "true" : "false");
        for (j = 0; j < d->image_count; j++) {
            fprintf(out, "image = %s=%s\n", config_slot_name(d->images[j].area_id),
                    d->images[j].path);
        }
        fprintf(out, "bootloader = %s\n", bl_kind_name(d->bootloader));
        fprintf(out, "mode = %s\nimages = %u\n", boot_mode_name(d->mode), (unsigned)d->boot_images);
        if (d->max_sectors != 0) {
            fprintf(out, "max-sectors = %u\n", (unsigned)d->max_sectors);
        }
        for (j = 0; j < d->key_count; j++) {
            fprintf(out, "key = %s\n", d->keys[j]);
        }
        fprintf(out,
                "validate-primary = %s\ndowngrade-prevention = %s\npower-on = %s\n"
                "power-on-delay-ms = %u\nseed = %llu\n",
                d->validate_primary ? "true" : "false", d->downgrade_prevention ? "true" : "false",
                d->auto_power_on ? "auto" : "manual", (unsigned)d->power_on_delay_ms,
                (unsigned long long)d->seed);
        {
            char pairs[CONFIG_NET_PAIRS][CONFIG_NET_PAIR_MAX];
            size_t n = config_net_pairs(&d->net, pairs, CONFIG_NET_PAIRS);

            for (j = 0; j < n; j++) {
                char *eq = strchr(pairs[j], '=');

                *eq = '\0';
                fprintf(out, "%s = %s\n", pairs[j], eq + 1);
            }
        }
    }
}
