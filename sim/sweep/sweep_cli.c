/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `brownout sweep`: the command line of the power-fail sweep engine (docs/sweep.md).
 * Exit status (sysexits.h; the table of docs/sweep.md): 0 no failure, 1 failures (or a replay
 * that reproduces one), 64 usage, 65 bad data, 66 no input, 70 internal error, 73 an output that
 * cannot be created.
 */
#include "sweep/sweep_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bo_err.h"
#include "board/board_derive.h"
#include "mbedtls/platform.h"
#include "sweep/sweep.h"
#include "sweep/sweep_boards.h"
#include "sweep/sweep_bundle.h"
#include "sweep/sweep_bl_cli.h"
#include "sweep/sweep_device.h"
#include "sweep/sweep_report.h"
#include "sweep/sweep_shard.h"
#include "util/errbuf.h"
#include "util/num.h"

void sweep_cli_usage(FILE *out)
{
    fprintf(out,
            "usage: brownout sweep --board B --mode MODE --scenario S [options]\n"
            "       brownout sweep --config daemon.ini [--device NAME] --scenario S [options]\n"
            "       brownout sweep --replay ID [--bundle DIR] [--trace FILE] [--log]\n"
            "       brownout sweep --merge A.json B.json ... [--json] [--junit FILE]\n"
            "       brownout sweep --random-boards N [--seed S] [--save-boards DIR] [options]\n"
            "\n"
            "  --board B          board name under fixtures/boards, or an INI path\n"
            "  --mode M           overwrite, swap-scratch, swap-move, swap-offset\n"
            "  --scenario S       perm, test-revert, test-confirm, multi-image, downgrade\n"
            "  --faults LIST      before,after,torn-prefix,torn-bits,erase-partial,weak | all\n"
            "                     and non-cut: errors[:rate=1/N],drop[:rate=1/N],\n"
            "                     bitflip[:rate=1/N],wearout[:erases=E] (docs/faults.md)\n"
            "  --depth 1|2        2: also cut during the recovery after each cut\n"
            "  --random N         N seeded samples instead of every cut point\n"
            "  --seed S           seed of every random choice (default 1)\n"
            "  --image-size N|max signed image size (default %u)\n"
            "  --prefix-max N     at most N torn-prefix points per operation (default all)\n"
            "  --levels L,L,...   erase-partial, torn-bits, weak: one point per level\n"
            "                     (permille 1..999) per operation instead of one draw\n"
            "  --ecc-torn X       a torn ECC unit reads as: erased (default), read-error,\n"
            "                     garbage\n"
            "  --no-downgrade-prevention\n"
            "  -j, --jobs N       parallel workers (processes forked from snapshots)\n"
            "  --no-snapshots     replay every cut point from the start, on -j threads\n"
            "  --no-cache         run every boot and signature check again instead of\n"
            "                     reusing the result of the same flash state\n"
            "  --shard I/N|auto   run shard I of N (1-based); auto: from the batch engine's\n"
            "                     environment (docs/distributed.md)\n"
            "  --json             print the results as JSON instead of the summary\n"
            "  --junit FILE       write JUnit XML\n"
            "  --trace FILE       replay: write every flash operation as JSON lines\n"
            "  --log              replay: print the bootloader's log of every boot\n"
            "  --root DIR         repository root (fixtures); default: found automatically\n"
            "  --key PEM          trusted key, may repeat; the first signs the built-in images\n"
            "                     (default fixtures/keys/ec256.pem)\n"
            "  --image-old FILE   the user's signed image, in the primary at the start\n"
            "  --image-new FILE   the user's signed image, in the secondary at the start\n"
            "  --config FILE      a brownoutd configuration: sweep a device as it would run\n"
            "  --device NAME      its device (default: the file's only one)\n"
            "  --bundle DIR       write the inputs and failing replay IDs to DIR; with --replay,\n"
            "                     take the inputs from DIR\n"
            "  --max-sectors N    status entries per slot (default: the board's, else 128)\n"
            "  --random-boards N  sweep N random legal boards in every mode each accepts\n"
            "  --save-boards DIR  keep every random board file in DIR (default: failing ones)\n"
            "  --bootloader B     brownout (default) or mcuboot: an upstream MCUboot variant\n"
            "  --mcuboot-src DIR  the MCUboot tree of --bootloader mcuboot (docs/mcuboot.md)\n"
            "\n"
            "Exit status: 0 every point passed (PASS), 1 a point failed (FAIL: a verdict),\n"
            "64 usage (a bad option or value), 65 bad data (a malformed board, image, key,\n"
            "bundle, result or replay ID), 66 no input (a file that does not exist),\n"
            "70 internal error, 73 an output that cannot be created (--junit, --trace,\n"
            "--bundle, --save-boards; checked before the sweep starts).\n",
            SCENARIO_IMAGE_SIZE_DEFAULT);
}

struct sweep_cli {
    struct sweep_opts o;
    const char *replay;
    const char *trace;
    const char *junit;
    const char *bundle;
    const char *config;
    const char *device;
    const char *mcuboot_src;
    struct sweep_device_given given;   /* Scenario options given on the command line. */
    struct config *cfg;                /* --config's file, which c->o points into. */
    struct sweep_bundle_paths *bpaths; /* --bundle's files of a replay. */
    bool json;
    bool merge;
    const char *random_boards; /* --random-boards N, with --save-boards DIR. */
    const char *save_boards;
    bool shard_auto; /* --shard auto: the index and count come from the environment. */
};

/* What sweep_cli_parse() returns for --help: not an exit status. */
#define SWEEP_CLI_HELP (-1)

/* The exit status of a refusal with the error code rc (sysexits.h, docs/sweep.md). */
static int sweep_cli_status(int rc)
{
    switch (rc) {
    case BO_ENOENT:
        return EX_NOINPUT;
    case BO_ENOMEM:
    case BO_EOS:
    case BO_EIO:
    case BO_EENTROPY:
        return EX_SOFTWARE;
    default:
        return EX_DATAERR;
    }
}

static void sweep_cli_progress(void *arg, uint64_t done, uint64_t total)
{
    (void)arg;
    sweep_report_progress(stdout, done, total);
}

/* The long options of `brownout sweep`. */
static const struct option sweep_cli_options[] = {
    { "board", required_argument, NULL, 'b' },
    { "mode", required_argument, NULL, 'm' },
    { "scenario", required_argument, NULL, 's' },
    { "faults", required_argument, NULL, 'f' },
    { "depth", required_argument, NULL, 'd' },
    { "random", required_argument, NULL, 'r' },
    { "seed", required_argument, NULL, 'S' },
    { "jobs", required_argument, NULL, 'j' },
    { "shard", required_argument, NULL, 'h' },
    { "json", no_argument, NULL, 'J' },
    { "junit", required_argument, NULL, 'u' },
    { "replay", required_argument, NULL, 'R' },
    { "trace", required_argument, NULL, 't' },
    { "merge", no_argument, NULL, 'M' },
    { "log", no_argument, NULL, 'L' },
    { "image-size", required_argument, NULL, 'i' },
    { "prefix-max", required_argument, NULL, 'p' },
    { "levels", required_argument, NULL, 'l' },
    { "ecc-torn", required_argument, NULL, 'e' },
    { "no-downgrade-prevention", no_argument, NULL, 'D' },
    { "no-snapshots", no_argument, NULL, 'N' },
    { "no-cache", no_argument, NULL, 'K' },
    { "root", required_argument, NULL, 'o' },
    { "key", required_argument, NULL, 'k' },
    { "max-sectors", required_argument, NULL, 'x' },
    { "random-boards", required_argument, NULL, 'G' },
    { "save-boards", required_argument, NULL, 'V' },
    { "image-old", required_argument, NULL, 'O' },
    { "image-new", required_argument, NULL, 'W' },
    { "bundle", required_argument, NULL, 'B' },
    { "config", required_argument, NULL, 'C' },
    { "device", required_argument, NULL, 'E' },
    { "bootloader", required_argument, NULL, 'y' },
    { "mcuboot-src", required_argument, NULL, 'U' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
};

/* Parses --levels: 1 to SWEEP_LEVELS_MAX distinct permille levels in 1..999. \return 0 or EX_USAGE. */
static int sweep_cli_levels(struct sweep_cli *c, const char *arg)
{
    char buf[256];
    char *save = NULL;
    char *tok;
    uint64_t v;

    c->o.level_count = 0;
    snprintf(buf, sizeof(buf), "%s", arg);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (num_parse_u64(tok, 10, 999, &v) != 0 || v == 0 ||
            c->o.level_count == SWEEP_LEVELS_MAX) {
            fprintf(stderr, "sweep: --levels is up to %u permille levels in 1..999, not '%s'\n",
                    (unsigned)SWEEP_LEVELS_MAX, arg);
            return EX_USAGE;
        }
        for (uint32_t i = 0; i < c->o.level_count; i++) {
            if (c->o.levels[i] == (uint32_t)v) {
                fprintf(stderr, "sweep: --levels: %u is given twice\n", (unsigned)v);
                return EX_USAGE;
            }
        }
        c->o.levels[c->o.level_count++] = (uint32_t)v;
    }
    if (c->o.level_count == 0 || strlen(arg) >= sizeof(buf)) {
        fprintf(stderr, "sweep: --levels is up to %u permille levels in 1..999, not '%s'\n",
                (unsigned)SWEEP_LEVELS_MAX, arg);
        return EX_USAGE;
    }
    return 0;
}

/* Applies an option that takes a number. \return 0, EX_USAGE (bad value), or 1 (not one). */
static int sweep_cli_number(struct sweep_cli *c, int ch, const char *arg)
{
    uint64_t v;

    switch (ch) {
    case 'd':
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) != 0 || v < 1 || v > 2) {
            fprintf(stderr, "sweep: --depth is 1 or 2\n");
            return EX_USAGE;
        }
        c->o.depth = (uint32_t)v;
        return 0;
    case 'r':
    case 'S':
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) != 0) {
            fprintf(stderr, "sweep: --%s: bad number '%s'\n", ch == 'r' ? "random" : "seed", arg);
            return EX_USAGE;
        }
        *(ch == 'r' ? &c->o.random : &c->o.seed) = v;
        return 0;
    case 'j':
    case 'p':
        if (num_parse_u64(arg, 0, UINT64_MAX, &v) != 0 || v > 1024 || (ch == 'j' && v == 0)) {
            fprintf(stderr, "sweep: --%s is %u..1024, not '%s'\n",
                    ch == 'j' ? "jobs" : "prefix-max", ch == 'j' ? 1u : 0u, arg);
            return EX_USAGE;
        }
        *(ch == 'j' ? &c->o.jobs : &c->o.prefix_max) = (uint32_t)v;
        return 0;
    case 'i':
        if (strcmp(arg, "max") == 0) {
            c->o.sc.image_size = SCENARIO_IMAGE_SIZE_MAX;
        } else if (num_parse_u64(arg, 0, UINT64_MAX, &v) == 0 && v > 0 && v < UINT32_MAX) {
            c->o.sc.image_size = (uint32_t)v;
        } else {
            fprintf(stderr, "sweep: --image-size is a number of bytes or max, not '%s'\n", arg);
            return EX_USAGE;
        }
        return 0;
    case 'l':
        return sweep_cli_levels(c, arg);
    case 'x':
        if (board_derive_parse_max_sectors(arg, &c->o.sc.max_sectors) != 0) {
            fprintf(stderr, "sweep: --max-sectors is 1..%u\n", (unsigned)BOARD_DERIVE_MAX_SECTORS);
            return EX_USAGE;
        }
        return 0;
    case 'h':
        c->shard_auto = strcmp(arg, "auto") == 0;
        if (!c->shard_auto && (sscanf(arg, "%u/%u", &c->o.shard_index, &c->o.shard_count) != 2 ||
                               c->o.shard_count == 0 || c->o.shard_index < 1 ||
                               c->o.shard_index > c->o.shard_count)) {
            fprintf(stderr, "sweep: --shard is I/N with 1 <= I <= N, or auto, not '%s'\n", arg);
            return EX_USAGE;
        }
        return 0;
    default:
        return 1;
    }
}

/* Applies an option that names something (mode, scenario, faults). \return 0, EX_USAGE or 1. */
static int sweep_cli_name(struct sweep_cli *c, int ch, const char *arg)
{
    int x;

    switch (ch) {
    case 'm':
        if ((x = scenario_mode_parse(arg)) < 0) {
            fprintf(stderr,
                    "sweep: --mode: unknown mode '%s' (overwrite, swap-scratch, swap-move, "
                    "swap-offset)\n",
                    arg);
            return EX_USAGE;
        }
        c->o.sc.mode = (enum boot_mode)x;
        c->given.mode = true;
        return 0;
    case 's':
        if ((x = scenario_kind_parse(arg)) < 0) {
            fprintf(stderr,
                    "sweep: --scenario: unknown scenario '%s' (perm, test-revert, test-confirm, "
                    "multi-image, downgrade)\n",
                    arg);
            return EX_USAGE;
        }
        c->o.sc.kind = (enum scenario_kind)x;
        return 0;
    case 'e':
        if ((x = vflash_ecc_torn_parse(arg)) < 0) {
            fprintf(stderr, "sweep: --ecc-torn: unknown '%s' (erased, read-error, garbage)\n", arg);
            return EX_USAGE;
        }
        c->o.sc.ecc_torn = (uint8_t)x;
        return 0;
    case 'y':
        if (bl_parse(arg, &c->o.sc.bootloader) != 0) {
            fprintf(stderr, "sweep: --bootloader: unknown bootloader '%s' (brownout, mcuboot)\n",
                    arg);
            return EX_USAGE;
        }
        return 0;
    case 'f':
        if (sweep_faults_parse_nc(arg, &c->o.faults, &c->o.nc) != 0) {
            fprintf(stderr,
                    "sweep: --faults: bad fault list '%s' (before, after, torn-prefix, torn-bits, "
                    "erase-partial, weak, all; errors[:rate=1/N], drop[:rate=1/N], "
                    "bitflip[:rate=1/N], wearout[:erases=E])\n",
                    arg);
            return EX_USAGE;
        }
        return 0;
    default:
        return 1;
    }
}

/* Applies an option that names an input or output file. \return 0, EX_USAGE, or 1. */
static int sweep_cli_file(struct sweep_cli *c, int ch, const char *arg)
{
    const char **slot[] = { ['O'] = &c->o.sc.in.image_old,
                            ['W'] = &c->o.sc.in.image_new,
                            ['B'] = &c->bundle,
                            ['C'] = &c->config,
                            ['E'] = &c->device,
                            ['U'] = &c->mcuboot_src };

    if (ch == 'k') {
        if (c->o.sc.in.key_count >= SWEEP_INPUTS_KEYS_MAX) {
            fprintf(stderr, "sweep: at most %u --key\n", (unsigned)SWEEP_INPUTS_KEYS_MAX);
            return EX_USAGE;
        }
        c->o.sc.in.keys[c->o.sc.in.key_count++] = arg;
        return 0;
    }
    if (ch < 0 || (size_t)ch >= sizeof(slot) / sizeof(slot[0]) || slot[ch] == NULL) {
        return 1;
    }
    *slot[ch] = arg;
    return 0;
}

/* Applies an option kept as given (a path, a flag). \return 0, or EX_USAGE (unknown option). */
static int sweep_cli_plain(struct sweep_cli *c, int ch, const char *arg)
{
    switch (ch) {
    case 'b':
        c->o.sc.board = arg;
        c->given.board = true;
        break;
    case 'J':
        c->json = true;
        break;
    case 'u':
        c->junit = arg;
        break;
    case 'R':
        c->replay = arg;
        break;
    case 't':
        c->trace = arg;
        break;
    case 'M':
        c->merge = true;
        break;
    case 'L':
        c->o.log = stdout;
        break;
    case 'D':
        c->o.sc.downgrade_prevention = false;
        c->given.downgrade = true;
        break;
    case 'N':
        c->o.no_snapshots = true;
        break;
    case 'K':
        c->o.no_cache = true;
        break;
    case 'o':
        c->o.sc.root = arg;
        break;
    case 'G':
        c->random_boards = arg;
        break;
    case 'V':
        c->save_boards = arg;
        break;
    default:
        return EX_USAGE;
    }
    return 0;
}

/* The combinations of options that do not go together. \return 0, or EX_USAGE. */
static int sweep_cli_combinations(const struct sweep_cli *c, int argc, char **argv)
{
    const char *why = NULL;

    if ((c->trace != NULL || c->o.log != NULL) && c->replay == NULL) {
        why = "--trace and --log go with --replay";
    } else if (c->save_boards != NULL && c->random_boards == NULL) {
        why = "--save-boards goes with --random-boards";
    } else if (c->device != NULL && c->config == NULL) {
        why = "--device goes with --config";
    } else if (c->random_boards != NULL &&
               (c->given.board || c->config != NULL || c->bundle != NULL || c->o.shard_count > 1)) {
        why = "--random-boards goes without --board, --config, --bundle and --shard";
    } else if (c->random_boards != NULL && c->o.sc.bootloader == BL_MCUBOOT) {
        why = "--random-boards goes without --bootloader mcuboot (each generated board would "
              "need its own upstream variant)";
    } else if (c->merge && (c->bundle != NULL || c->config != NULL ||
                            c->o.sc.in.image_old != NULL || c->o.sc.in.image_new != NULL)) {
        why = "--merge takes JSON files (and --json, --junit) only";
    } else if (c->merge && optind == argc) {
        why = "--merge needs JSON files";
    }
    if (why != NULL) {
        fprintf(stderr, "sweep: %s\n", why);
        return EX_USAGE;
    }
    if (!c->merge && optind != argc) {
        fprintf(stderr, "sweep: unexpected argument '%s'\n", argv[optind]);
        return EX_USAGE;
    }
    return 0;
}

/* Resolves --shard auto from the batch engine's environment. \return 0, or EX_USAGE. */
static int sweep_cli_shard_auto(struct sweep_cli *c)
{
    char err[256] = "";

    if (!c->shard_auto) {
        return 0;
    }
    if (sweep_shard_auto(getenv, &c->o.shard_index, &c->o.shard_count, err, sizeof(err)) != 0) {
        fprintf(stderr, "sweep: %s\n", err);
        return EX_USAGE;
    }
    return 0;
}

/* Parses the command line. \return 0, SWEEP_CLI_HELP, or EX_USAGE with one line on stderr. */
static int sweep_cli_parse(struct sweep_cli *c, int argc, char **argv)
{
    int ch;
    int rc;

    optind = 1;
    opterr = 1;
    while ((ch = getopt_long(argc, argv, "j:", sweep_cli_options, NULL)) != -1) {
        rc = sweep_cli_number(c, ch, optarg);
        if (rc == 1) {
            rc = sweep_cli_name(c, ch, optarg);
        }
        if (rc == 1) {
            rc = sweep_cli_file(c, ch, optarg);
        }
        if (rc == 1) {
            rc = sweep_cli_plain(c, ch, optarg);
        }
        if (ch == 'H') {
            return SWEEP_CLI_HELP;
        }
        if (rc != 0) {
            return rc;
        }
    }
    rc = sweep_cli_shard_auto(c);
    if (rc == 0) {
        rc = sweep_cli_combinations(c, argc, argv);
    }
    return rc;
}

/*
 * Checks that every input file named on the command line exists and can be read, before any
 * work. \return 0, or EX_NOINPUT with one line on stderr.
 */
static int sweep_cli_inputs_exist(const struct sweep_cli *c, int argc, char **argv)
{
    const char *named[4 + SWEEP_INPUTS_KEYS_MAX];
    size_t n = 0;
    int i;

    named[n++] = c->o.sc.in.image_old;
    named[n++] = c->o.sc.in.image_new;
    named[n++] = c->config;
    named[n++] = c->replay != NULL ? c->bundle : NULL;
    for (i = 0; i < (int)c->o.sc.in.key_count; i++) {
        named[n++] = c->o.sc.in.keys[i];
    }
    for (i = 0; i < (int)n; i++) {
        if (named[i] != NULL && access(named[i], R_OK) != 0) {
            fprintf(stderr, "sweep: %s: %s\n", named[i], strerror(errno));
            return EX_NOINPUT;
        }
    }
    for (i = optind; c->merge && i < argc; i++) {
        if (access(argv[i], R_OK) != 0) {
            fprintf(stderr, "sweep: %s: %s\n", argv[i], strerror(errno));
            return EX_NOINPUT;
        }
    }
    return 0;
}

/* Writes the results; a junit file that cannot be written is EX_CANTCREAT. */
static int sweep_cli_output(const struct sweep_cli *c, const struct sweep_result *res)
{
    if (c->json) {
        sweep_report_json(stdout, res);
    } else {
        sweep_report_summary(stdout, res);
    }
    if (c->junit != NULL && sweep_report_junit(c->junit, res) != 0) {
        fprintf(stderr, "sweep: cannot write %s\n", c->junit);
        return EX_CANTCREAT;
    }
    return sweep_report_failures(res) == 0 ? 0 : 1;
}

/* Prints the outcome of a replayed point. \return 0 (it passes) or 1 (it fails). */
static int sweep_cli_replay_print(const struct sweep_cli *c, const struct sweep_outcome *out)
{
    printf("replay %s\n  first cut: op %llu %s (applied %s)", out->id,
           (unsigned long long)out->pt.op, sweep_model_name(out->pt.model),
           sweep_model_name(out->applied));
    if (out->pt.op2 >= 0) {
        printf(", second cut: recovery op %lld %s%s", (long long)out->pt.op2,
               vflash_cut_model_name(out->pt.model2), out->reached2 ? "" : " (not reached)");
    }
    printf("\n%s", out->status == SWEEP_PASS ? "PASS: every invariant holds\n" : "FAIL ");
    if (out->status != SWEEP_PASS) {
        printf("[%s] %s\n", invariant_name((enum invariant_id)out->invariant), out->msg);
    }
    if (c->trace != NULL) {
        printf("trace: %s\n", c->trace);
    }
    return out->status == SWEEP_PASS ? 0 : 1;
}

static int sweep_cli_replay(const struct sweep_cli *c)
{
    struct sweep_outcome out;
    char err[256] = "";
    FILE *tf = NULL;
    int rc;

    if (c->trace != NULL) {
        tf = fopen(c->trace, "w");
        if (tf == NULL) {
            fprintf(stderr, "sweep: cannot write %s\n", c->trace);
            return EX_CANTCREAT;
        }
    }
    rc = sweep_replay(&c->o, c->replay, tf, &out, err, sizeof(err));
    if (tf != NULL) {
        fclose(tf);
    }
    if (rc < 0) {
        fprintf(stderr, "sweep: replay: %s\n", err[0] != '\0' ? err : bo_strerror(rc));
        return sweep_cli_status(rc);
    }
    return sweep_cli_replay_print(c, &out);
}

static int sweep_cli_merge(const struct sweep_cli *c, int argc, char **argv)
{
    struct sweep_result *parts = calloc((size_t)argc, sizeof(*parts));
    struct sweep_result out;
    char err[256] = "";
    int n = 0;
    int i;
    int rc = 0;

    if (parts == NULL) {
        return EX_SOFTWARE;
    }
    sweep_result_init(&out);
    for (i = optind; i < argc && rc == 0; i++) {
        if (sweep_report_load(argv[i], &parts[n], err, sizeof(err)) != 0) {
            fprintf(stderr, "sweep: %s: %s\n", argv[i], err);
            rc = EX_DATAERR;
        } else {
            n++;
        }
    }
    if (rc == 0 && sweep_report_merge(parts, (size_t)n, &out, err, sizeof(err)) != 0) {
        fprintf(stderr, "sweep: merge: %s\n", err);
        rc = EX_DATAERR;
    } else if (rc == 0) {
        rc = sweep_cli_output(c, &out);
    }
    for (i = 0; i < n; i++) {
        sweep_result_free(&parts[i]);
    }
    sweep_result_free(&out);
    free(parts);
    return rc;
}

/* Checks every output path before any work. \return 0, or EX_CANTCREAT with one line. */
static int sweep_cli_outputs(const struct sweep_cli *c)
{
    char err[CONFIG_ERR_MAX] = "";
    int rc = 0;

    if (c->bundle != NULL && c->replay == NULL && !c->merge) {
        rc = sweep_bundle_check_dir(c->bundle, err, sizeof(err));
    }
    if (rc == 0 && c->save_boards != NULL) {
        rc = sweep_bundle_check_dir(c->save_boards, err, sizeof(err));
    }
    if (rc == 0 && c->junit != NULL) {
        rc = sweep_bundle_check_file(c->junit, err, sizeof(err));
    }
    if (rc == 0 && c->trace != NULL) {
        rc = sweep_bundle_check_file(c->trace, err, sizeof(err));
    }
    if (rc < 0) {
        fprintf(stderr, "sweep: %s\n", err[0] != '\0' ? err : bo_strerror(rc));
        return EX_CANTCREAT;
    }
    return 0;
}

/*
 * Applies --config and the inputs of a replay (--bundle, --board), before any work.
 * \return 0, or an exit status with one line on stderr.
 */
static int sweep_cli_prepare(struct sweep_cli *c)
{
    char err[CONFIG_ERR_MAX] = "";
    int rc = 0;

    if (c->config != NULL) {
        c->cfg = malloc(sizeof(*c->cfg));
        rc = c->cfg == NULL ? BO_ENOMEM
                            : sweep_device_apply(c->cfg, c->config, c->device, &c->given, &c->o.sc,
                                                 err, sizeof(err));
    }
    if (rc == 0 && c->replay != NULL && (c->given.board || c->config != NULL)) {
        c->o.sc.in.board_file = c->o.sc.board;
    }
    if (rc == 0 && c->replay != NULL && c->bundle != NULL) {
        c->bpaths = calloc(1, sizeof(*c->bpaths));
        rc = c->bpaths == NULL
                 ? BO_ENOMEM
                 : sweep_bundle_load(c->bundle, c->bpaths, &c->o.sc.in, err, sizeof(err));
        /* The directory exists (sweep_cli_inputs_exist): a file it lacks makes it malformed. */
        rc = rc == BO_ENOENT ? BO_EINVAL : rc;
    }
    if (rc < 0) {
        fprintf(stderr, "sweep: %s\n", err[0] != '\0' ? err : bo_strerror(rc));
        return sweep_cli_status(rc);
    }
    return 0;
}

/* Runs the sweep, prints its results and writes its bundle. \return The exit status. */
static int sweep_cli_sweep(struct sweep_cli *c)
{
    struct sweep_result res;
    char err[512] = "";
    int rc;

    if (isatty(STDOUT_FILENO) && !c->json) {
        c->o.progress = sweep_cli_progress;
    }
    sweep_result_init(&res);
    rc = sweep_run(&c->o, &res, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "sweep: %s\n", err[0] != '\0' ? err : bo_strerror(rc));
        rc = rc == BO_ESTATE ? 1 : sweep_cli_status(rc);
    } else {
        rc = sweep_cli_output(c, &res);
    }
    if (rc <= 1 && c->bundle != NULL && res.out != NULL) {
        if (sweep_bundle_write(c->bundle, &c->o.sc, &res, err, sizeof(err)) < 0) {
            fprintf(stderr, "sweep: bundle: %s\n", err);
            rc = EX_CANTCREAT;
        } else if (!c->json) {
            printf("bundle: %s (brownout sweep --replay ID --bundle %s)\n", c->bundle, c->bundle);
        }
    }
    sweep_result_free(&res);
    return rc;
}

/*
 * Runs --random-boards (sweep_boards.c) or the sweep. \return The exit status. The usage and
 * output checks came first, so a refusal of sweep_boards_cli (2) is an internal error here.
 */
static int sweep_cli_boards_or_sweep(struct sweep_cli *c)
{
    bool other_inputs = c->given.board || c->config != NULL || c->bundle != NULL;
    uint64_t n;
    int rc;

    if (c->random_boards == NULL) {
        return sweep_cli_sweep(c);
    }
    if (num_parse_u64(c->random_boards, 0, UINT64_MAX, &n) != 0 || n == 0 || n > 1000000) {
        fprintf(stderr, "sweep: --random-boards is 1..1000000, not '%s'\n", c->random_boards);
        return EX_USAGE;
    }
    rc = sweep_boards_cli(&c->o, c->random_boards, other_inputs, c->given.mode, c->save_boards,
                          c->json);
    return rc == 2 ? EX_SOFTWARE : rc;
}

/* Parses, then checks the inputs and outputs, in the order of the exit-status table. */
static int sweep_cli_checks(struct sweep_cli *c, int argc, char **argv)
{
    int rc = sweep_cli_parse(c, argc, argv);

    if (rc == 0) {
        rc = sweep_cli_inputs_exist(c, argc, argv);
    }
    if (rc == 0) {
        rc = sweep_cli_outputs(c);
    }
    if (rc == 0) {
        rc = sweep_cli_prepare(c);
    }
    return rc;
}

int sweep_cli_main(int argc, char **argv)
{
    mbedtls_platform_context plat;
    struct sweep_cli c;
    int rc;

    memset(&c, 0, sizeof(c));
    sweep_opts_init(&c.o);
    if (argc >= 2 && strcmp(argv[1], "-h") == 0) {
        sweep_cli_usage(stdout);
        return 0;
    }
    rc = sweep_cli_checks(&c, argc, argv);
    if (rc == SWEEP_CLI_HELP) {
        sweep_cli_usage(stdout);
        return 0;
    }
    if (rc == 0 && !c.merge) {
        rc = sweep_bl_cli(&c.o, c.replay, c.mcuboot_src, argc, argv);
        rc = rc < 0 ? 0 : rc;
    }
    if (rc == 0 && c.merge) {
        rc = sweep_cli_merge(&c, argc, argv);
    } else if (rc == 0) {
        memset(&plat, 0, sizeof(plat));
        if (mbedtls_platform_setup(&plat) != 0) {
            rc = EX_SOFTWARE;
        } else {
            rc = c.replay != NULL ? sweep_cli_replay(&c) : sweep_cli_boards_or_sweep(&c);
            mbedtls_platform_teardown(&plat);
        }
    }
    if (c.cfg != NULL) {
        config_free(c.cfg);
    }
    free(c.cfg);
    free(c.bpaths);
    return rc;
}
