/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inputs of a sweep, named by content (see sweep_inputs.h): where the shipped boards and
 * key are, the trusted keys, the user's signed images, and the inputs hash of replay IDs.
 */
#include "sweep/sweep_inputs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "boot/image_src.h"
#include "boot/image_validate.h"
#include "mbedtls/sha256.h"
#include "util/errbuf.h"
#include "util/fileio.h"

/* Largest image or board file the sweep reads (larger than any slot of a shipped board). */
#define SWEEP_INPUTS_FILE_MAX (64u * 1024u * 1024u)

/* Bits of each part of the inputs hash: board, keys, images (24 + 20 + 20 = 64). */
#define SWEEP_INPUTS_BOARD_BITS 24u
#define SWEEP_INPUTS_PART_BITS 20u

/* Whether dir holds fixtures/boards. */
static bool sweep_inputs_is_root(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;

    snprintf(p, sizeof(p), "%s/fixtures/boards", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Walks up from dir (modified) looking for a root. */
static bool sweep_inputs_walk_up(char *dir, char *out, size_t out_len)
{
    char *slash;

    for (;;) {
        if (sweep_inputs_is_root(dir)) {
            snprintf(out, out_len, "%s", dir);
            return true;
        }
        slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir) {
            return false;
        }
        *slash = '\0';
    }
}

/* The installed layout: PREFIX/bin/brownout finds PREFIX/share/brownout. */
static bool sweep_inputs_share(const char *exe, char *out, size_t out_len)
{
    char dir[PATH_MAX];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", exe);
    slash = strrchr(dir, '/');
    if (slash == NULL) {
        return false;
    }
    *slash = '\0';
    if (strlen(dir) + sizeof("/../share/brownout") > sizeof(dir)) {
        return false;
    }
    strcat(dir, "/../share/brownout");
    if (!sweep_inputs_is_root(dir)) {
        return false;
    }
    snprintf(out, out_len, "%s", dir);
    return true;
}

void sweep_inputs_root(const char *given, char *out, size_t out_len)
{
    char buf[PATH_MAX];
    const char *env = getenv("BROWNOUT_ROOT");
    ssize_t n;

    if (given != NULL) {
        snprintf(out, out_len, "%s", given);
        return;
    }
    if (env != NULL && env[0] != '\0' && sweep_inputs_is_root(env)) {
        snprintf(out, out_len, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n > 0) {
        buf[n] = '\0';
        if (sweep_inputs_share(buf, out, out_len) || sweep_inputs_walk_up(buf, out, out_len)) {
            return;
        }
    }
    if (getcwd(buf, sizeof(buf)) != NULL && sweep_inputs_walk_up(buf, out, out_len)) {
        return;
    }
    snprintf(out, out_len, ".");
}

void sweep_inputs_board_path(const char *board, const char *root, char *out, size_t out_len)
{
    size_t n = strlen(board);

    if (strchr(board, '/') != NULL || (n > 4 && strcmp(board + n - 4, ".ini") == 0)) {
        snprintf(out, out_len, "%s", board);
    } else {
        snprintf(out, out_len, "%s/fixtures/boards/%s.ini", root, board);
    }
}

void sweep_inputs_default_key(const char *root, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/fixtures/keys/ec256.pem", root);
}

int sweep_inputs_keys(struct keys_table *t, const struct sweep_inputs_opts *opts, const char *root,
                      int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err,
                      size_t err_len)
{
    char dflt[PATH_MAX];
    const char *one[1] = { dflt };

    if (opts->key_count > SWEEP_INPUTS_KEYS_MAX) {
        return errbuf_fail(err, err_len, BO_EINVAL, "at most %u keys",
                           (unsigned)SWEEP_INPUTS_KEYS_MAX);
    }
    if (opts->key_count > 0) {
        return keys_table_load(t, opts->keys, opts->key_count, f_rng, p_rng, err, err_len);
    }
    sweep_inputs_default_key(root, dflt, sizeof(dflt));
    return keys_table_load(t, one, 1, f_rng, p_rng, err, err_len);
}

/* Checks a loaded image file against the trusted keys and fills img. */
static int sweep_inputs_validate(const char *path, const char *what, const struct keys_table *t,
                                 uint8_t *data, size_t len, struct sweep_inputs_image *img,
                                 char *err, size_t err_len)
{
    struct image_validate_config vc = { t->table, (uint32_t)t->count, false };
    struct image_validate_result res;
    struct image_src src;
    int rc;

    memset(&res, 0, sizeof(res));
    image_src_from_buffer(&src, data, (uint32_t)len);
    rc = image_validate(&src, &vc, &res);
    if (rc < 0) {
        return errbuf_fail(err, err_len, BO_EINVAL, "%s %s: not a signed image the keys trust (%s)",
                           what, path, image_validate_reason_str(res.reason));
    }
    if (res.hash_len != 32) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "%s %s: a SHA-384 image; the sweep checks SHA-256 images", what, path);
    }
    img->size = res.layout.tlv_end;
    img->ver = res.hdr.version;
    memcpy(img->hash, res.hash, 32);
    return 0;
}

int sweep_inputs_image(const char *path, const char *what, const struct keys_table *t,
                       uint8_t erased_val, struct sweep_inputs_image *img, char *err,
                       size_t err_len)
{
    uint8_t *data = NULL;
    size_t len = 0;
    uint8_t *p;
    int rc;

    memset(img, 0, sizeof(*img));
    rc = fileio_read_all(path, SWEEP_INPUTS_FILE_MAX, &data, &len, err, err_len);
    if (rc < 0) {
        return rc;
    }
    rc = sweep_inputs_validate(path, what, t, data, len, img, err, err_len);
    if (rc < 0) {
        free(data);
        return rc;
    }
    img->len = (img->size + 31u) / 32u * 32u;
    p = realloc(data, img->len);
    if (p == NULL) {
        free(data);
        return BO_ENOMEM;
    }
    memset(p + img->size, erased_val, img->len - img->size);
    img->data = p;
    return 0;
}

/* The top bits of a SHA-256 digest. */
static uint64_t sweep_inputs_bits(const uint8_t sum[32], unsigned bits)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        v = v << 8 | sum[i];
    }
    return v >> (64u - bits);
}

/* Adds a length (8 bytes, big-endian) and the bytes, so that parts cannot run into each other. */
static void sweep_inputs_add(mbedtls_sha256_context *c, const uint8_t *p, size_t n)
{
    uint8_t l[8];
    int i;

    for (i = 0; i < 8; i++) {
        l[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
    }
    mbedtls_sha256_update(c, l, sizeof(l));
    mbedtls_sha256_update(c, p, n);
}

int sweep_inputs_hash(const char *board_path, const struct keys_table *t,
                      const uint8_t *const *data, const uint32_t *size, size_t n, uint64_t *hash)
{
    mbedtls_sha256_context c;
    uint8_t sum[3][32];
    uint8_t *board = NULL;
    size_t blen = 0;
    size_t i;
    int rc = fileio_read_all(board_path, SWEEP_INPUTS_FILE_MAX, &board, &blen, NULL, 0);

    if (rc < 0) {
        return rc;
    }
    mbedtls_sha256(board, blen, sum[0], 0);
    free(board);
    mbedtls_sha256_init(&c);
    mbedtls_sha256_starts(&c, 0);
    for (i = 0; i < t->count; i++) {
        sweep_inputs_add(&c, t->keys[i].pub_der, t->keys[i].pub_der_len);
    }
    mbedtls_sha256_finish(&c, sum[1]);
    mbedtls_sha256_starts(&c, 0);
    for (i = 0; i < n; i++) {
        sweep_inputs_add(&c, data[i], size[i]);
    }
    mbedtls_sha256_finish(&c, sum[2]);
    mbedtls_sha256_free(&c);
    *hash = sweep_inputs_bits(sum[0], SWEEP_INPUTS_BOARD_BITS) << (2u * SWEEP_INPUTS_PART_BITS) |
            sweep_inputs_bits(sum[1], SWEEP_INPUTS_PART_BITS) << SWEEP_INPUTS_PART_BITS |
            sweep_inputs_bits(sum[2], SWEEP_INPUTS_PART_BITS);
    return 0;
}

int sweep_inputs_check(uint64_t want, uint64_t got, const char *board_path, bool user_images,
                       char *err, size_t err_len)
{
    uint64_t part = (1ull << SWEEP_INPUTS_PART_BITS) - 1u;
    uint64_t diff = want ^ got;
    char why[3][160];
    size_t n = 0;

    if (want == 0 || diff == 0) {
        return 0;
    }
    if ((diff >> (2u * SWEEP_INPUTS_PART_BITS)) != 0) {
        snprintf(why[n++], sizeof(why[0]), "the board file %s is not the one the ID was made with",
                 board_path);
    }
    if (((diff >> SWEEP_INPUTS_PART_BITS) & part) != 0) {
        snprintf(why[n++], sizeof(why[0]), "the trusted keys are not the ID's");
    }
    if ((diff & part) != 0) {
        snprintf(why[n++], sizeof(why[0]), "%s",
                 user_images ? "the images are not the ID's"
                             : "the built-in images are not the ID's (another signing key)");
    }
    errbuf_set(err, err_len,
               "the inputs differ from the replay ID's (inputs %016llx, found %016llx): %s%s%s%s%s",
               (unsigned long long)want, (unsigned long long)got, why[0], n > 1 ? "; " : "",
               n > 1 ? why[1] : "", n > 2 ? "; " : "", n > 2 ? why[2] : "");
    return BO_ESTATE;
}

int sweep_inputs_replay_check(const struct sweep_inputs_opts *in, char *err, size_t err_len)
{
    if (in->id_user_images && (in->image_old == NULL || in->image_new == NULL)) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "the ID's images are the user's: replay with --bundle DIR (written "
                           "by the sweep) or --image-old FILE --image-new FILE");
    }
    if (!in->id_user_images && in->expect != 0 &&
        (in->image_old != NULL || in->image_new != NULL)) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "the ID's images are the built-in ones: replay without "
                           "--image-old/--image-new");
    }
    return 0;
}
