/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `brownout sweep --bootloader mcuboot [--mcuboot-src DIR]` in a program without an upstream
 * variant: computes the variant from the scenario (mode, key type, derived max-align and
 * max-sectors, images, validate-primary, downgrade prevention), builds the brownout program
 * linked with it (mk/mcuboot.mk) when run from a source tree, and execs it with the same
 * arguments. In that program (bl_find(BL_MCUBOOT) is set) it only selects the bootloader.
 */
#include "sweep/sweep_bl_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "bo_err.h"
#include "sweep/sweep_inputs.h"

/* Most output of a helper command kept (the generator, make). */
#define SWEEP_BL_OUT_MAX 8192

/* Runs argv (a helper command) with its output in out. \return Its exit status, or -1. */
static int sweep_bl_run(char *const argv[], char *out, size_t out_len)
{
    size_t n = 0;
    int fd[2];
    int status = 0;
    pid_t pid;

    if (pipe(fd) != 0) {
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        dup2(fd[1], STDERR_FILENO);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    for (;;) {
        char buf[512];
        ssize_t r = read(fd[0], buf, sizeof(buf));

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        for (ssize_t i = 0; i < r && n + 1 < out_len; i++) {
            out[n++] = buf[i];
        }
    }
    out[n] = '\0';
    close(fd[0]);
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Prints the lines of a helper's output that say what is wrong (not make's own). */
static void sweep_bl_print_errors(char *out)
{
    for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "make", 4) != 0 && strncmp(line, "  ", 2) != 0) {
            fprintf(stderr, "sweep: %s\n", line);
        }
    }
}

/* Checks the tree and names the variant (mcuboot_gen.py check, name). \return 0 or a status. */
static int sweep_bl_variant(const char *root, const char *tree, const struct boot_config *cfg,
                            char *name, size_t len)
{
    static const char *const sigs[] = { "none", "ec256", "ec384", "rsa2048", "rsa3072" };
    char gen[PATH_MAX + 64];
    char set[7][48];
    char out[SWEEP_BL_OUT_MAX];
    unsigned key = cfg->key_count > 0 ? (unsigned)cfg->keys[0].type : 0;
    int rc;

    snprintf(gen, sizeof(gen), "%s/port/linux/mcuboot/mcuboot_gen.py", root);
    {
        char *argv[] = { "python3", gen, "check", (char *)tree, NULL };

        if (sweep_bl_run(argv, out, sizeof(out)) != 0) {
            sweep_bl_print_errors(out);
            return EX_DATAERR;
        }
    }
    snprintf(set[0], sizeof(set[0]), "mode=%s", boot_mode_name(cfg->mode));
    snprintf(set[1], sizeof(set[1]), "sig=%s", key < 5 ? sigs[key] : "none");
    snprintf(set[2], sizeof(set[2]), "max-align=%u", (unsigned)cfg->max_align);
    snprintf(set[3], sizeof(set[3]), "max-sectors=%u", (unsigned)cfg->max_sectors);
    snprintf(set[4], sizeof(set[4]), "images=%u", (unsigned)cfg->image_count);
    snprintf(set[5], sizeof(set[5]), "validate-primary=%s",
             cfg->validate_primary ? "true" : "false");
    snprintf(set[6], sizeof(set[6]), "downgrade-prevention=%s",
             cfg->downgrade_version ? "true" : "false");
    {
        char *argv[] = { "python3", gen,    "name", set[0], set[1], set[2],
                         set[3],    set[4], set[5], set[6], NULL };

        rc = sweep_bl_run(argv, out, sizeof(out));
    }
    if (rc != 0) {
        sweep_bl_print_errors(out);
        return EX_DATAERR;
    }
    out[strcspn(out, "\n")] = '\0';
    if (strlen(out) >= len) {
        fprintf(stderr, "sweep: variant name too long: %s\n", out);
        return EX_SOFTWARE;
    }
    memcpy(name, out, strlen(out) + 1);
    return 0;
}

/* The scenario's bootloader configuration, as brownout's core would run it. */
static int sweep_bl_config(const struct sweep_opts *o, const char *replay, struct scenario *sc)
{
    struct scenario_opts so = o->sc;
    struct sweep_point pt;
    char board[600];
    char err[512] = "";
    int rc = 0;

    if (replay != NULL) {
        rc = sweep_id_decode(replay, &so, board, sizeof(board), &pt);
    }
    so.bootloader = BL_BROWNOUT;
    so.bl_tree = 0;
    if (rc == 0) {
        rc = scenario_setup(sc, &so, err, sizeof(err));
    }
    if (rc < 0) {
        fprintf(stderr, "sweep: %s\n", err[0] != '\0' ? err : "malformed replay ID");
        return EX_DATAERR;
    }
    if (sc->image_count > 1) {
        fprintf(stderr, "sweep: sweeps of upstream MCUboot handle one image (multi-image: not "
                        "yet)\n");
        return EX_USAGE;
    }
    return 0;
}

/* Builds the variant's program with make. \return 0 or an exit status (one line said why). */
static int sweep_bl_make(const char *root, const char *src, const char *build, const char *prog)
{
    char src_arg[PATH_MAX + 16];
    char build_arg[PATH_MAX + 16];
    char out[SWEEP_BL_OUT_MAX];
    char *argv[] = { "make",      "-C",    (char *)root, "--no-print-directory", "-s",
                     "NO_DEPS=1", src_arg, build_arg,    (char *)prog,           NULL };
    int rc;

    snprintf(src_arg, sizeof(src_arg), "MCUBOOT_SRC=%s", src);
    snprintf(build_arg, sizeof(build_arg), "BUILD=%s", build);
    rc = sweep_bl_run(argv, out, sizeof(out));
    if (rc == 0) {
        return 0;
    }
    rc = strstr(out, "rejects variant") != NULL || strstr(out, "not a MCUboot tree") != NULL ||
                 strstr(out, "too old for the port") != NULL || strstr(out, "mcuboot: ") == out ||
                 strstr(out, "\nmcuboot: ") != NULL
             ? EX_DATAERR
             : EX_SOFTWARE;
    sweep_bl_print_errors(out);
    if (rc == EX_SOFTWARE) {
        fprintf(stderr, "sweep: cannot build %s (make -C %s MCUBOOT_SRC=%s %s)\n", prog, root, src,
                prog);
    }
    return rc;
}

/* Execs prog with "sweep" and the arguments of this call. \return Only on failure. */
static int sweep_bl_exec(const char *prog, int argc, char **argv)
{
    char **args = calloc((size_t)argc + 2, sizeof(*args));

    if (args == NULL) {
        return EX_OSERR;
    }
    args[0] = (char *)prog;
    args[1] = "sweep";
    for (int i = 1; i < argc; i++) {
        args[i + 1] = argv[i];
    }
    fflush(stdout);
    execv(prog, args);
    fprintf(stderr, "sweep: cannot run %s: %s\n", prog, strerror(errno));
    free(args);
    return EX_OSERR;
}

/* Finds, builds and execs the variant's program. \return Only on failure: an exit status. */
static int sweep_bl_launch(const struct sweep_opts *o, const char *replay, const char *src,
                           int argc, char **argv)
{
    char root[PATH_MAX];
    char tree[PATH_MAX];
    char mk[PATH_MAX + 32];
    char variant[160];
    char prog[3 * PATH_MAX];
    const char *build = getenv("BUILD") != NULL ? getenv("BUILD") : "build";
    struct scenario sc;
    struct stat st;
    int rc;

    sweep_inputs_root(o->sc.root, root, sizeof(root));
    snprintf(mk, sizeof(mk), "%s/mk/mcuboot.mk", root);
    if (stat(mk, &st) != 0) {
        fprintf(stderr,
                "sweep: --bootloader mcuboot runs the brownout program linked with a variant: "
                "build it in the source tree (make MCUBOOT_SRC=DIR "
                "build/mcuboot/TREE/VARIANT/brownout, docs/mcuboot.md) and run that\n");
        return EX_UNAVAILABLE;
    }
    if (realpath(src, tree) == NULL || stat(tree, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "sweep: %s: not a MCUboot tree (no such folder)\n", src);
        return EX_NOINPUT;
    }
    scenario_init(&sc);
    rc = sweep_bl_config(o, replay, &sc);
    if (rc == 0) {
        rc = sweep_bl_variant(root, tree, &sc.cfg, variant, sizeof(variant));
    }
    scenario_free(&sc);
    if (rc != 0) {
        return rc;
    }
    snprintf(prog, sizeof(prog), "%s/mcuboot/%s/%s/brownout", build, strrchr(tree, '/') + 1,
             variant);
    rc = sweep_bl_make(root, tree, build, prog);
    if (rc != 0) {
        return rc;
    }
    snprintf(prog, sizeof(prog), "%s%s%s/mcuboot/%s/%s/brownout", build[0] == '/' ? "" : root,
             build[0] == '/' ? "" : "/", build, strrchr(tree, '/') + 1, variant);
    return sweep_bl_exec(prog, argc, argv);
}

int sweep_bl_cli(struct sweep_opts *o, const char *replay, const char *src, int argc, char **argv)
{
    struct scenario_opts so = o->sc;
    struct sweep_point pt;
    char board[600];

    if (replay != NULL && sweep_id_decode(replay, &so, board, sizeof(board), &pt) == 0) {
        o->sc.bootloader = so.bootloader;
    }
    if (o->sc.bootloader == BL_BROWNOUT) {
        if (src != NULL) {
            fprintf(stderr, "sweep: --mcuboot-src goes with --bootloader mcuboot\n");
            return EX_USAGE;
        }
        return -1;
    }
    if (bl_find(BL_MCUBOOT) != NULL) {
        if (o->no_snapshots && o->jobs > 1) {
            fprintf(stderr, "sweep: upstream MCUboot keeps globals: --no-snapshots runs on one "
                            "thread (-j 1), or drop it (snapshots fork processes)\n");
            return EX_USAGE;
        }
        return -1;
    }
    if (src == NULL || src[0] == '\0') {
        src = getenv("MCUBOOT_SRC");
    }
    if ((src == NULL || src[0] == '\0') && replay != NULL) {
        fprintf(stderr, "sweep: the replay ID is of upstream MCUboot: give its tree with "
                        "--mcuboot-src DIR\n");
        return EX_USAGE;
    }
    if (src == NULL || src[0] == '\0') {
        fprintf(stderr, "sweep: --bootloader mcuboot needs --mcuboot-src DIR (an upstream "
                        "MCUboot tree, e.g. the mcuboot folder of a west workspace)\n");
        return EX_USAGE;
    }
    return sweep_bl_launch(o, replay, src, argc, argv);
}
