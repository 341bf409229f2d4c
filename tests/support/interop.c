/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Locating the repository and the shared interop vectors from any working directory.
 */
#include "interop.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/keys.h"
#include "port_entropy.h"
#include "port_rng.h"

static bool interop_is_root(const char *dir)
{
    char probe[PATH_MAX];
    struct stat st;

    if (snprintf(probe, sizeof(probe), "%s/core/boot/image.h", dir) >= (int)sizeof(probe)) {
        return false;
    }
    return stat(probe, &st) == 0 && S_ISREG(st.st_mode);
}

/* Walks up from start (a directory) until a repository root; copies it into out. */
static bool interop_walk_up(const char *start, char *out, size_t size)
{
    char dir[PATH_MAX];
    char *slash;

    if (realpath(start, dir) == NULL) {
        return false;
    }
    for (;;) {
        if (interop_is_root(dir)) {
            snprintf(out, size, "%s", dir);
            return true;
        }
        slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir) {
            return false;
        }
        *slash = '\0';
    }
}

const char *interop_repo_root(void)
{
    static char root[PATH_MAX];
    static bool done;
    char buf[PATH_MAX];
    const char *env = getenv("BROWNOUT_ROOT");
    const char *file = __FILE__;
    ssize_t n;
    char *slash;

    if (done) {
        return root[0] != '\0' ? root : NULL;
    }
    done = true;
    if (env != NULL && env[0] != '\0' && interop_is_root(env)) {
        snprintf(root, sizeof(root), "%s", env);
        return root;
    }
    /* __FILE__ is ROOT/tests/support/interop.c when the build passed an absolute path. */
    if (file[0] == '/' && strlen(file) < sizeof(buf)) {
        snprintf(buf, sizeof(buf), "%s", file);
        for (int i = 0; i < 3 && (slash = strrchr(buf, '/')) != NULL; i++) {
            *slash = '\0';
        }
        if (interop_is_root(buf)) {
            snprintf(root, sizeof(root), "%s", buf);
            return root;
        }
    }
    if (getcwd(buf, sizeof(buf)) != NULL && interop_walk_up(buf, root, sizeof(root))) {
        return root;
    }
    n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n > 0) {
        buf[n] = '\0';
        slash = strrchr(buf, '/');
        if (slash != NULL) {
            *slash = '\0';
            if (interop_walk_up(buf, root, sizeof(root))) {
                return root;
            }
        }
    }
    root[0] = '\0';
    return NULL;
}

const char *interop_imgtool_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("BROWNOUT_SHARED");
    const char *root;
    struct stat st;

    if (env != NULL && env[0] != '\0') {
        snprintf(dir, sizeof(dir), "%s/interop/imgtool", env);
    } else {
        root = interop_repo_root();
        if (root == NULL) {
            return NULL;
        }
        snprintf(dir, sizeof(dir), "%s/../shared/interop/imgtool", root);
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return NULL;
    }
    return dir;
}

const char *interop_path(const char *dir, const char *name)
{
    static char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

int interop_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;

    if (f == NULL) {
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = (size_t)size;
    return 0;
}

int interop_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int rc = 0;

    if (f == NULL) {
        return -1;
    }
    if (len > 0 && fwrite(data, 1, len, f) != len) {
        rc = -1;
    }
    if (fclose(f) != 0) {
        rc = -1;
    }
    return rc;
}

/* Copies the next tab-separated field of *line into out, advancing *line past the tab. */
static void interop_field(char **line, char *out, size_t size)
{
    char *p = *line;
    size_t n = strcspn(p, "\t\r\n");

    snprintf(out, size, "%.*s", (int)n, p);
    p += n;
    if (*p == '\t') {
        p++;
    }
    *line = p;
}

int interop_manifest(struct interop_vector *rows, size_t max)
{
    const char *dir = interop_imgtool_dir();
    char line[1024];
    size_t count = 0;
    bool header = true;
    char *p;
    FILE *f;

    if (dir == NULL || (f = fopen(interop_path(dir, "manifest.tsv"), "r")) == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && count < max) {
        if (header) {
            header = false;
            continue;
        }
        if (line[0] == '\n' || line[0] == '#') {
            continue;
        }
        p = line;
        interop_field(&p, rows[count].file, sizeof(rows[count].file));
        interop_field(&p, rows[count].key, sizeof(rows[count].key));
        interop_field(&p, rows[count].expect, sizeof(rows[count].expect));
        interop_field(&p, rows[count].note, sizeof(rows[count].note));
        count++;
    }
    fclose(f);
    return (int)count;
}

const char *interop_tmpdir(void)
{
    static char dir[PATH_MAX];
    const char *base = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/brownout-test-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    return mkdtemp(dir);
}

int interop_keys_load(struct keys_table *keys, struct port_rng *rng, uint64_t seed, const char *who)
{
    const char *dir = interop_imgtool_dir();
    char ec[1024];
    char rsa[1024];
    const char *paths[2] = { ec, rsa };
    char err[256];

    if (dir == NULL) {
        fprintf(stderr, "%s: interop vectors not found (set BROWNOUT_SHARED)\n", who);
        return -1;
    }
    snprintf(ec, sizeof(ec), "%s/keys/ec256.pub.pem", dir);
    snprintf(rsa, sizeof(rsa), "%s/keys/rsa2048.pub.pem", dir);
    port_rng_init(rng);
    port_entropy_set_seed(&rng->source, seed);
    if (port_rng_setup(rng, who) != 0 ||
        keys_table_load(keys, paths, 2, port_rng_random, rng, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return -1;
    }
    return 0;
}
