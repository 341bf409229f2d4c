/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware program of a device with bootloader = mcuboot: its variant, built on demand. */
#include "config/config_mcuboot.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "board/board_derive.h"
#include "util/argv_build.h"
#include "util/errbuf.h"

/* The variant generator, relative to the source tree. */
#define CM_GEN "port/linux/mcuboot/mcuboot_gen.py"
/* Bytes of a child's output kept (the last ones when it says more). */
#define CM_OUT_MAX 65536

static void cm_fail(const struct config *cfg, const struct config_device *dev, char *err,
                    size_t err_len, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Writes "FILE:LINE: device 'NAME': reason" (or "device 'NAME': reason") into err. */
static void cm_fail(const struct config *cfg, const struct config_device *dev, char *err,
                    size_t err_len, const char *fmt, ...)
{
    char why[CONFIG_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (dev->line > 0 && cfg->file[0] != '\0') {
        snprintf(err, err_len, "%s:%d: device '%s': %s", cfg->file, dev->line, dev->name, why);
    } else {
        snprintf(err, err_len, "device '%s': %s", dev->name, why);
    }
}

/* Whether dir holds brownout's Makefile and the variant generator. */
static int cm_is_root(const char *dir)
{
    char path[CONFIG_PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, CM_GEN);
    if (access(path, R_OK) != 0) {
        return 0;
    }
    snprintf(path, sizeof(path), "%s/Makefile", dir);
    return access(path, R_OK) == 0;
}

/* Replaces path by its folder ("/" stays). */
static void cm_dirname(char *path)
{
    char *slash = strrchr(path, '/');

    if (slash != NULL && slash != path) {
        *slash = '\0';
    }
}

/*
 * Finds the build folder (BUILD/bin/ holds this program) and the source tree ($BROWNOUT_ROOT,
 * or a folder above BUILD). \return 0, or EX_CONFIG with the reason in why.
 */
static int cm_locate(struct config_mcuboot *out, char *why, size_t why_len)
{
    char exe[PATH_MAX];
    char build[PATH_MAX];
    const char *env = getenv("BROWNOUT_ROOT");
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    size_t rlen;
    int up;

    build[0] = '\0';
    if (n > 0) {
        exe[n] = '\0';
        cm_dirname(exe);
        rlen = strlen(exe);
        if (rlen > 4 && strcmp(exe + rlen - 4, "/bin") == 0) {
            exe[rlen - 4] = '\0';
            snprintf(build, sizeof(build), "%s", exe);
        }
    }
    out->root[0] = '\0';
    if (env != NULL && env[0] != '\0' && cm_is_root(env) && realpath(env, exe) != NULL &&
        strlen(exe) < sizeof(out->root)) {
        snprintf(out->root, sizeof(out->root), "%s", exe);
    }
    snprintf(exe, sizeof(exe), "%s", build);
    for (up = 0; up < 3 && out->root[0] == '\0' && exe[0] != '\0' && strcmp(exe, "/") != 0; up++) {
        cm_dirname(exe);
        if (cm_is_root(exe) && strlen(exe) < sizeof(out->root)) {
            snprintf(out->root, sizeof(out->root), "%s", exe);
        }
    }
    if (out->root[0] == '\0') {
        snprintf(why, why_len,
                 "bootloader = mcuboot: this brownoutd (%s) is not in a brownout build tree, and "
                 "upstream MCUboot variants are built from the source tree (set BROWNOUT_ROOT)",
                 build[0] != '\0' ? build : "?");
        return EX_CONFIG;
    }
    rlen = strlen(out->root);
    if (build[0] == '\0') {
        snprintf(out->build, sizeof(out->build), "build");
    } else if (strncmp(build, out->root, rlen) == 0 && build[rlen] == '/') {
        snprintf(out->build, sizeof(out->build), "%s", build + rlen + 1);
    } else {
        snprintf(out->build, sizeof(out->build), "%s", build);
    }
    return 0;
}

/* Keeps at most CM_OUT_MAX bytes of a child's output: the last ones. */
static void cm_keep(char *buf, size_t *len, const char *data, size_t n)
{
    if (n >= CM_OUT_MAX) {
        data += n - (CM_OUT_MAX - 1);
        n = CM_OUT_MAX - 1;
    }
    if (*len + n >= CM_OUT_MAX) {
        size_t drop = *len + n - (CM_OUT_MAX - 1);

        memmove(buf, buf + drop, *len - drop);
        *len -= drop;
    }
    memcpy(buf + *len, data, n);
    *len += n;
    buf[*len] = '\0';
}

/*
 * Runs a command in dir (NULL: here), its standard output and error into buf (CM_OUT_MAX
 * bytes), without the make variables of a make that may have started brownoutd.
 * \return Its exit status, or EX_OSERR when it could not run (a command line that memory could
 *         not hold: "out of memory" in buf).
 */
static int cm_run(const char *dir, struct argv_build *a, char *buf)
{
    char *const *argv = argv_build_argv(a);
    char chunk[4096];
    size_t len = 0;
    int fds[2];
    int status;
    pid_t pid;

    buf[0] = '\0';
    if (argv == NULL) {
        snprintf(buf, CM_OUT_MAX, "out of memory");
        return EX_OSERR;
    }
    if (pipe(fds) != 0) {
        return EX_OSERR;
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return EX_OSERR;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        unsetenv("MAKEFLAGS");
        unsetenv("MFLAGS");
        unsetenv("MAKELEVEL");
        if (dir == NULL || chdir(dir) == 0) {
            execvp(argv[0], argv);
        }
        fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
        _exit(EX_OSERR);
    }
    close(fds[1]);
    for (;;) {
        ssize_t n = read(fds[0], chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        cm_keep(buf, &len, chunk, (size_t)n);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return EX_OSERR;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
}

/* The first line of text that contains needle (or the first line), copied into out. */
static void cm_line(const char *text, const char *needle, char *out, size_t out_len)
{
    const char *p = needle != NULL ? strstr(text, needle) : NULL;
    size_t n;

    if (p == NULL) {
        p = text;
    } else {
        while (p > text && p[-1] != '\n') {
            p--;
        }
    }
    n = strcspn(p, "\n");
    snprintf(out, out_len, "%.*s", (int)n, p);
}

/* A sysexits code of a child, or EX_SOFTWARE for another status. */
static int cm_code(int status)
{
    return status >= EX__BASE && status <= EX__MAX ? status : EX_SOFTWARE;
}

/* The derived max-align and max-sectors of the device's board. \return 0 or EX_CONFIG. */
static int cm_derive(const struct config_device *dev, struct board_derived *d, char *why,
                     size_t why_len)
{
    struct board *board = malloc(sizeof(*board));
    int rc;

    if (board == NULL) {
        snprintf(why, why_len, "out of memory");
        return EX_OSERR;
    }
    rc = board_load(board, dev->board, why, why_len);
    if (rc == 0) {
        rc = board_derive(board, dev->mode, dev->boot_images, dev->max_sectors, d, why, why_len);
    }
    free(board);
    return rc < 0 ? EX_CONFIG : 0;
}

/* Names the variant of the device's settings (mcuboot_gen.py name). \return 0 or an exit code. */
static int cm_variant(struct config_mcuboot *out, const struct config_device *dev,
                      const struct board_derived *d, char *why, size_t why_len)
{
    struct argv_build a;
    char *text = malloc(CM_OUT_MAX);
    uint32_t i;
    int rc;

    argv_build_init(&a);
    if (text == NULL) {
        snprintf(why, why_len, "out of memory");
        return EX_OSERR;
    }
    argv_build_add(&a, "python3");
    argv_build_add(&a, "%s/%s", out->root, CM_GEN);
    argv_build_add(&a, "name");
    argv_build_add(&a, "mode=%s", boot_mode_name(dev->mode));
    for (i = 0; i < dev->key_count; i++) {
        argv_build_add(&a, "key=%s", dev->keys[i]);
    }
    if (dev->key_count == 0) {
        argv_build_add(&a, "sig=none");
    }
    argv_build_add(&a, "max-align=%u", (unsigned)d->max_align);
    argv_build_add(&a, "max-sectors=%u", (unsigned)d->max_sectors);
    argv_build_add(&a, "images=%u", (unsigned)dev->boot_images);
    argv_build_add(&a, "validate-primary=%s", dev->validate_primary ? "true" : "false");
    argv_build_add(&a, "downgrade-prevention=%s", dev->downgrade_prevention ? "true" : "false");
    rc = cm_run(NULL, &a, text);
    cm_line(text, NULL, rc == 0 ? out->variant : why, rc == 0 ? sizeof(out->variant) : why_len);
    if (rc == 0 && out->variant[0] == '\0') {
        snprintf(why, why_len, "mcuboot: the generator named no variant");
        rc = EX_SOFTWARE;
    }
    argv_build_free(&a);
    free(text);
    return rc == 0 ? 0 : cm_code(rc);
}

/* Checks the tree (mcuboot_gen.py check): one line naming what is wrong. */
static int cm_check_tree(const struct config_mcuboot *out, char *why, size_t why_len)
{
    char *text = malloc(CM_OUT_MAX);
    struct argv_build a;
    int rc;

    argv_build_init(&a);
    if (text == NULL) {
        snprintf(why, why_len, "out of memory");
        return EX_OSERR;
    }
    argv_build_add(&a, "python3");
    argv_build_add(&a, "%s/%s", out->root, CM_GEN);
    argv_build_add(&a, "check");
    argv_build_add(&a, "%s", out->tree);
    rc = cm_run(NULL, &a, text);
    if (rc != 0) {
        char line[CONFIG_ERR_MAX];

        cm_line(text, NULL, line, sizeof(line));
        errbuf_set(why, why_len, "mcuboot-src: %s", line);
        rc = EX_CONFIG;
    }
    argv_build_free(&a);
    free(text);
    return rc;
}

int config_mcuboot_resolve(const struct config *cfg, const struct config_device *dev,
                           struct config_mcuboot *out, char *err, size_t err_len)
{
    char why[CONFIG_ERR_MAX];
    struct board_derived d;
    const char *base;
    int rc;

    memset(out, 0, sizeof(*out));
    if (cfg->mcuboot_src[0] == '\0') {
        cm_fail(cfg, dev, err, err_len,
                "bootloader = mcuboot needs a MCUboot tree (mcuboot-src = DIR in [daemon], or "
                "--mcuboot-src DIR)");
        return EX_CONFIG;
    }
    if (realpath(cfg->mcuboot_src, why) == NULL || strlen(why) >= sizeof(out->tree)) {
        cm_fail(cfg, dev, err, err_len, "mcuboot-src %s: %s", cfg->mcuboot_src,
                errno != 0 ? strerror(errno) : "path too long");
        return EX_CONFIG;
    }
    snprintf(out->tree, sizeof(out->tree), "%s", why);
    rc = cm_locate(out, why, sizeof(why));
    if (rc == 0) {
        rc = cm_check_tree(out, why, sizeof(why));
    }
    if (rc == 0) {
        rc = cm_derive(dev, &d, why, sizeof(why));
    }
    if (rc == 0) {
        rc = cm_variant(out, dev, &d, why, sizeof(why));
    }
    if (rc != 0) {
        cm_fail(cfg, dev, err, err_len, "%s", why);
        return rc;
    }
    base = strrchr(out->tree, '/');
    base = base != NULL && base[1] != '\0' ? base + 1 : out->tree;
    errbuf_set(out->program, sizeof(out->program), "%s%s%s/mcuboot/%s/%s/brownout-fw",
               out->build[0] == '/' ? "" : out->root, out->build[0] == '/' ? "" : "/", out->build,
               base, out->variant);
    return 0;
}

/*
 * MCUBOOT_BL_KEYS=...: the variant's key table (bootutil_keys) holds the device's key files, by
 * absolute path (make runs in the source tree). \return 0, or EX_NOINPUT with why filled.
 */
static int cm_keys(struct argv_build *a, const struct config_device *dev, char *why, size_t why_len)
{
    char arg[CONFIG_PATH_MAX + 32];
    size_t room = sizeof(arg);
    size_t len = (size_t)snprintf(arg, room, "MCUBOOT_BL_KEYS=");
    char path[PATH_MAX];
    uint32_t i;

    for (i = 0; i < dev->key_count; i++) {
        if (realpath(dev->keys[i], path) == NULL) {
            errbuf_set(why, why_len, "key %s: %s", dev->keys[i], strerror(errno));
            return EX_NOINPUT;
        }
        if (len + strlen(path) + 2 > room) {
            errbuf_set(why, why_len, "key %s: the key paths are too long", dev->keys[i]);
            return EX_CONFIG;
        }
        len += (size_t)snprintf(arg + len, room - len, "%s%s", i > 0 ? " " : "", path);
    }
    argv_build_add(a, "%s", arg);
    return 0;
}

/* Runs make for the variant's program; fills why with the line that says why it failed. */
static int cm_make(const struct config_mcuboot *m, const struct config_device *dev, char *why,
                   size_t why_len)
{
    char *text = malloc(CM_OUT_MAX);
    struct argv_build a;
    const char *base = strrchr(m->tree, '/');
    int rc;

    argv_build_init(&a);
    if (text == NULL) {
        snprintf(why, why_len, "out of memory");
        return EX_OSERR;
    }
    base = base != NULL && base[1] != '\0' ? base + 1 : m->tree;
    argv_build_add(&a, "make");
    argv_build_add(&a, "--no-print-directory");
    argv_build_add(&a, "NO_DEPS=1");
    argv_build_add(&a, "BUILD=%s", m->build);
    argv_build_add(&a, "MCUBOOT_SRC=%s", m->tree);
    rc = cm_keys(&a, dev, why, why_len);
    if (rc != 0) {
        argv_build_free(&a);
        free(text);
        return rc;
    }
    argv_build_add(&a, "%s/mcuboot/%s/%s/brownout-fw", m->build, base, m->variant);
    rc = cm_run(m->root, &a, text);
    if (rc != 0 && strstr(text, "upstream MCUboot rejects variant") != NULL) {
        cm_line(text, "upstream MCUboot rejects variant", why, why_len);
        rc = EX_CONFIG;
    } else if (rc != 0) {
        char line[CONFIG_ERR_MAX];

        cm_line(text, strstr(text, "error") != NULL ? "error" : "***", line, sizeof(line));
        errbuf_set(why, why_len, "building mcuboot variant %s failed (make -C %s): %s", m->variant,
                   m->root, line);
        rc = cm_code(rc);
    }
    argv_build_free(&a);
    free(text);
    return rc;
}

int config_mcuboot_prepare(const struct config *cfg, const struct config_device *dev,
                           struct config_mcuboot *out, char *err, size_t err_len)
{
    char why[CONFIG_ERR_MAX];
    int rc = config_mcuboot_resolve(cfg, dev, out, err, err_len);

    if (rc != 0) {
        return rc;
    }
    rc = cm_make(out, dev, why, sizeof(why));
    if (rc == 0 && access(out->program, X_OK) != 0) {
        snprintf(why, sizeof(why), "mcuboot variant %s: %s: %s", out->variant, out->program,
                 strerror(errno));
        rc = EX_SOFTWARE;
    }
    if (rc != 0) {
        cm_fail(cfg, dev, err, err_len, "%s", why);
    }
    return rc;
}

/* Whether two devices name the same key files (as sets of real paths). */
static bool cm_same_keys(const struct config_device *a, const struct config_device *b)
{
    char pa[PATH_MAX];
    char pb[PATH_MAX];
    uint32_t found = 0;
    uint32_t i;
    uint32_t j;

    if (a->key_count != b->key_count) {
        return false;
    }
    for (i = 0; i < a->key_count; i++) {
        if (realpath(a->keys[i], pa) == NULL) {
            return false;
        }
        for (j = 0; j < b->key_count; j++) {
            if (realpath(b->keys[j], pb) != NULL && strcmp(pa, pb) == 0) {
                found++;
                break;
            }
        }
    }
    return found == a->key_count;
}

int config_mcuboot_check_shared(const struct config *cfg, char *err, size_t err_len)
{
    struct config_mcuboot *m;
    uint32_t count = 0;
    uint32_t i;
    uint32_t j;
    int rc = 0;

    for (i = 0; i < cfg->device_count; i++) {
        count += cfg->devices[i].bootloader == BL_MCUBOOT ? 1 : 0;
    }
    if (count < 2) {
        return 0; /* Nothing to compare: spare the generator's runs. */
    }
    m = calloc(cfg->device_count, sizeof(*m));
    if (m == NULL) {
        return EX_OSERR;
    }
    for (i = 0; i < cfg->device_count && rc == 0; i++) {
        const struct config_device *b = &cfg->devices[i];

        if (b->bootloader != BL_MCUBOOT) {
            continue;
        }
        rc = config_mcuboot_resolve(cfg, b, &m[i], err, err_len);
        for (j = 0; j < i && rc == 0; j++) {
            const struct config_device *a = &cfg->devices[j];

            if (a->bootloader == BL_MCUBOOT && strcmp(m[i].program, m[j].program) == 0 &&
                !cm_same_keys(a, b)) {
                cm_fail(cfg, b, err, err_len,
                        "names other key files than device '%s', which runs the same mcuboot "
                        "variant %s: its program has one key table",
                        a->name, m[i].variant);
                rc = EX_CONFIG;
            }
        }
    }
    free(m);
    return rc;
}
