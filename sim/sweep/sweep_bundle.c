/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay bundles and the output path checks of `brownout sweep` (see sweep_bundle.h).
 */
#include "sweep/sweep_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "util/errbuf.h"
#include "util/fileio.h"

/* Largest input file a bundle copies. */
#define SWEEP_BUNDLE_FILE_MAX (64u * 1024u * 1024u)

int sweep_bundle_check_file(const char *path, char *err, size_t err_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd >= 0) {
        close(fd);
        unlink(path);
        return 0;
    }
    if (errno == EEXIST) {
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
    }
    return errbuf_fail(err, err_len, BO_EOS, "%s: cannot write: %s", path, strerror(errno));
}

int sweep_bundle_check_dir(const char *dir, char *err, size_t err_len)
{
    struct stat st;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        return errbuf_fail(err, err_len, BO_EOS, "%s: cannot create: %s", dir, strerror(errno));
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return errbuf_fail(err, err_len, BO_EOS, "%s: not a directory", dir);
    }
    if (access(dir, W_OK | X_OK) != 0) {
        return errbuf_fail(err, err_len, BO_EOS, "%s: cannot write: %s", dir, strerror(errno));
    }
    return 0;
}

/* Copies the file src to dir/name, byte for byte. */
static int sweep_bundle_copy(const char *src, const char *dir, const char *name, char *err,
                             size_t err_len)
{
    char dst[PATH_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    FILE *f;
    int rc = fileio_read_all(src, SWEEP_BUNDLE_FILE_MAX, &data, &len, err, err_len);

    if (rc < 0) {
        return rc;
    }
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    f = fopen(dst, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) {
        rc = errbuf_fail(err, err_len, BO_EOS, "%s: cannot write: %s", dst, strerror(errno));
    }
    if (f != NULL && fclose(f) != 0 && rc == 0) {
        rc = errbuf_fail(err, err_len, BO_EOS, "%s: cannot write: %s", dst, strerror(errno));
    }
    free(data);
    return rc;
}

/* Writes the failures' replay IDs to dir/replay-ids.txt. */
static int sweep_bundle_ids(const char *dir, const struct sweep_result *res, char *err,
                            size_t err_len)
{
    char path[PATH_MAX];
    FILE *f;
    size_t i;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/replay-ids.txt", dir);
    f = fopen(path, "w");
    if (f == NULL) {
        return errbuf_fail(err, err_len, BO_EOS, "%s: cannot write: %s", path, strerror(errno));
    }
    for (i = 0; i < res->count; i++) {
        if (res->out[i].status != SWEEP_PASS && fprintf(f, "%s\n", res->out[i].id) < 0) {
            rc = BO_EOS;
        }
    }
    if (fclose(f) != 0 || rc < 0) {
        return errbuf_fail(err, err_len, BO_EOS, "%s: cannot write", path);
    }
    return 0;
}

/* Removes the key and image copies a previous bundle in dir may hold. */
static void sweep_bundle_clear(const char *dir)
{
    char path[PATH_MAX];
    unsigned i;

    for (i = 1; i <= SWEEP_INPUTS_KEYS_MAX; i++) {
        snprintf(path, sizeof(path), "%s/key-%u.pem", dir, i);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/image-old.bin", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/image-new.bin", dir);
    unlink(path);
}

int sweep_bundle_write(const char *dir, const struct scenario_opts *opts,
                       const struct sweep_result *res, char *err, size_t err_len)
{
    char root[PATH_MAX];
    char path[PATH_MAX];
    char name[32];
    const char *keys[SWEEP_INPUTS_KEYS_MAX + 1];
    uint32_t n = 0;
    uint32_t i;
    int rc;

    sweep_inputs_root(opts->root, root, sizeof(root));
    sweep_bundle_clear(dir);
    sweep_inputs_board_path(opts->board, root, path, sizeof(path));
    rc = sweep_bundle_copy(opts->in.board_file != NULL ? opts->in.board_file : path, dir,
                           "board.ini", err, err_len);
    if (opts->key_path != NULL) {
        keys[n++] = opts->key_path;
    }
    for (i = 0; i < opts->in.key_count && n < SWEEP_INPUTS_KEYS_MAX; i++) {
        keys[n++] = opts->in.keys[i];
    }
    if (n == 0) {
        sweep_inputs_default_key(root, path, sizeof(path));
        keys[n++] = path;
    }
    for (i = 0; i < n && rc == 0; i++) {
        snprintf(name, sizeof(name), "key-%u.pem", (unsigned)i + 1u);
        rc = sweep_bundle_copy(keys[i], dir, name, err, err_len);
    }
    if (rc == 0 && opts->in.image_old != NULL) {
        rc = sweep_bundle_copy(opts->in.image_old, dir, "image-old.bin", err, err_len);
    }
    if (rc == 0 && opts->in.image_new != NULL) {
        rc = sweep_bundle_copy(opts->in.image_new, dir, "image-new.bin", err, err_len);
    }
    return rc == 0 ? sweep_bundle_ids(dir, res, err, err_len) : rc;
}

static bool sweep_bundle_has(const char *path)
{
    return access(path, R_OK) == 0;
}

int sweep_bundle_load(const char *dir, struct sweep_bundle_paths *paths,
                      struct sweep_inputs_opts *in, char *err, size_t err_len)
{
    uint32_t i;

    snprintf(paths->board, sizeof(paths->board), "%s/board.ini", dir);
    if (!sweep_bundle_has(paths->board)) {
        return errbuf_fail(err, err_len, BO_ENOENT, "%s: no board file: not a bundle of a sweep",
                           paths->board);
    }
    in->board_file = paths->board;
    in->key_count = 0;
    for (i = 0; i < SWEEP_INPUTS_KEYS_MAX; i++) {
        snprintf(paths->keys[i], sizeof(paths->keys[i]), "%s/key-%u.pem", dir, (unsigned)i + 1u);
        if (!sweep_bundle_has(paths->keys[i])) {
            break;
        }
        in->keys[in->key_count++] = paths->keys[i];
    }
    if (in->key_count == 0) {
        return errbuf_fail(err, err_len, BO_ENOENT, "%s/key-1.pem: no key: not a bundle of a sweep",
                           dir);
    }
    snprintf(paths->image_old, sizeof(paths->image_old), "%s/image-old.bin", dir);
    snprintf(paths->image_new, sizeof(paths->image_new), "%s/image-new.bin", dir);
    in->image_old = sweep_bundle_has(paths->image_old) ? paths->image_old : NULL;
    in->image_new = sweep_bundle_has(paths->image_new) ? paths->image_new : NULL;
    return 0;
}
