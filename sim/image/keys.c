/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image-tool keys: loading, generation and PEM output through Mbed TLS's pk module.
 */
#include "image/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbedtls/ecp.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/rsa.h"

#include "bo_err.h"
#include "util/fileio.h"
#include "util/errbuf.h"

#define KEYS_FILE_MAX (64u * 1024u)
#define KEYS_PEM_MAX 4096u

static bool keys_alloc_failed(int ret)
{
    int high = -((-ret) & 0xff80);
    int low = -((-ret) & 0x007f);

    return high == MBEDTLS_ERR_PK_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           low == MBEDTLS_ERR_MPI_ALLOC_FAILED;
}

void keys_init(struct keys_key *k)
{
    memset(k, 0, sizeof(*k));
    mbedtls_pk_init(&k->pk);
}

void keys_free(struct keys_key *k)
{
    mbedtls_pk_free(&k->pk);
    k->type = IMAGE_KEY_NONE;
    k->is_private = false;
    k->pub_der_len = 0;
}

const char *keys_type_name(enum image_key_type type)
{
    switch (type) {
    case IMAGE_KEY_EC256:
        return "ecdsa-p256";
    case IMAGE_KEY_EC384:
        return "ecdsa-p384";
    case IMAGE_KEY_RSA2048:
        return "rsa-2048";
    case IMAGE_KEY_RSA3072:
        return "rsa-3072";
    default:
        return "none";
    }
}

enum image_key_type keys_type_from_name(const char *name)
{
    static const enum image_key_type types[] = {
        IMAGE_KEY_EC256,
        IMAGE_KEY_EC384,
        IMAGE_KEY_RSA2048,
        IMAGE_KEY_RSA3072,
    };
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(name, keys_type_name(types[i])) == 0) {
            return types[i];
        }
    }
    return IMAGE_KEY_NONE;
}

/* Sets type and pub_der from k->pk. */
static int keys_derive_public(struct keys_key *k, char *err, size_t errlen)
{
    uint8_t buf[KEYS_PUB_DER_MAX];
    uint8_t *p = buf + sizeof(buf);
    size_t bits = mbedtls_pk_get_bitlen(&k->pk);
    int ret;

    if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY && bits == 256) {
        k->type = IMAGE_KEY_EC256;
    } else if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY && bits == 384) {
        k->type = IMAGE_KEY_EC384;
    } else if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_RSA && bits == 2048) {
        k->type = IMAGE_KEY_RSA2048;
    } else if (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_RSA && bits == 3072) {
        k->type = IMAGE_KEY_RSA3072;
    } else {
        errbuf_set(err, errlen,
                   "unsupported key (%s, %zu bits): want ecdsa-p256, ecdsa-p384, "
                   "rsa-2048 or rsa-3072",
                   mbedtls_pk_get_name(&k->pk), bits);
        return BO_ENOTSUP;
    }
    /* imgtool embeds SubjectPublicKeyInfo for ECDSA and the bare RSAPublicKey for RSA. */
    if (k->type == IMAGE_KEY_RSA2048 || k->type == IMAGE_KEY_RSA3072) {
        ret = mbedtls_pk_write_pubkey(&p, buf, &k->pk);
    } else {
        ret = mbedtls_pk_write_pubkey_der(&k->pk, buf, sizeof(buf));
    }
    if (ret <= 0) {
        errbuf_set(err, errlen, "cannot encode the public key (Mbed TLS error -0x%04x)",
                   (unsigned)-ret);
        return keys_alloc_failed(ret) ? BO_ENOMEM : BO_ECRYPTO;
    }
    memcpy(k->pub_der, buf + sizeof(buf) - (size_t)ret, (size_t)ret);
    k->pub_der_len = (uint32_t)ret;
    return 0;
}

int keys_parse(struct keys_key *k, const uint8_t *data, size_t len,
               int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err, size_t errlen)
{
    unsigned char *copy;
    size_t n = len;
    int ret;
    int rc;

    /* PEM parsing wants the terminating NUL counted in the length. */
    copy = malloc(len + 1);
    if (copy == NULL) {
        errbuf_set(err, errlen, "out of memory");
        return BO_ENOMEM;
    }
    memcpy(copy, data, len);
    copy[len] = '\0';
    if (len > 0 && memmem(data, len, "-----BEGIN", 10) != NULL) {
        n = len + 1;
    }
    mbedtls_pk_free(&k->pk);
    mbedtls_pk_init(&k->pk);
    ret = mbedtls_pk_parse_key(&k->pk, copy, n, NULL, 0, f_rng, p_rng);
    if (ret == 0) {
        k->is_private = true;
    } else {
        mbedtls_pk_free(&k->pk);
        mbedtls_pk_init(&k->pk);
        ret = mbedtls_pk_parse_public_key(&k->pk, copy, n);
        k->is_private = false;
    }
    mbedtls_platform_zeroize(copy, len + 1);
    free(copy);
    if (ret != 0) {
        if (keys_alloc_failed(ret)) {
            errbuf_set(err, errlen, "out of memory while parsing the key");
            return BO_ENOMEM;
        }
        errbuf_set(err, errlen,
                   "not a private or public key in PEM or DER form "
                   "(or an encrypted one)");
        return BO_EINVAL;
    }
    rc = keys_derive_public(k, err, errlen);
    if (rc < 0) {
        keys_free(k);
        mbedtls_pk_init(&k->pk);
    }
    return rc;
}

/* Reads a whole (small) file into a malloc'd buffer. */
static int keys_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    int rc = fileio_read_all(path, KEYS_FILE_MAX, data, len, err, errlen);

    if (rc == BO_ERANGE) {
        errbuf_set(err, errlen, "%s: too large for a key file", path);
        rc = BO_EINVAL;
    }
    return rc;
}

int keys_load(struct keys_key *k, const char *path, int (*f_rng)(void *, unsigned char *, size_t),
              void *p_rng, char *err, size_t errlen)
{
    char why[KEYS_ERR_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = keys_read_file(path, &data, &len, err, errlen);

    if (rc < 0) {
        return rc;
    }
    rc = keys_parse(k, data, len, f_rng, p_rng, why, sizeof(why));
    if (rc < 0) {
        errbuf_set(err, errlen, "%s: %s", path, why);
    }
    mbedtls_platform_zeroize(data, len);
    free(data);
    return rc;
}

int keys_generate(struct keys_key *k, enum image_key_type type,
                  int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    int ret;

    mbedtls_pk_free(&k->pk);
    mbedtls_pk_init(&k->pk);
    switch (type) {
    case IMAGE_KEY_EC256:
    case IMAGE_KEY_EC384:
        ret = mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (ret == 0) {
            ret = mbedtls_ecp_gen_key(type == IMAGE_KEY_EC256 ? MBEDTLS_ECP_DP_SECP256R1
                                                              : MBEDTLS_ECP_DP_SECP384R1,
                                      mbedtls_pk_ec(k->pk), f_rng, p_rng);
        }
        break;
    case IMAGE_KEY_RSA2048:
    case IMAGE_KEY_RSA3072:
        ret = mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (ret == 0) {
            ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(k->pk), f_rng, p_rng,
                                      type == IMAGE_KEY_RSA2048 ? 2048 : 3072, 65537);
        }
        break;
    default:
        return BO_EINVAL;
    }
    if (ret != 0) {
        keys_free(k);
        mbedtls_pk_init(&k->pk);
        return keys_alloc_failed(ret) ? BO_ENOMEM : BO_ECRYPTO;
    }
    k->is_private = true;
    return keys_derive_public(k, NULL, 0);
}

/* Writes a PEM text to path with the given mode. */
static int keys_write_text(const char *path, const char *text, mode_t mode, char *err,
                           size_t errlen)
{
    size_t len = strlen(text);
    size_t done = 0;
    ssize_t n;
    int fd;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return BO_EOS;
    }
    /* An existing file keeps its mode through O_TRUNC: make a private key private anyway. */
    if (fchmod(fd, mode) != 0) {
        errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return BO_EOS;
    }
    while (done < len) {
        n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            errbuf_set(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "short write");
            close(fd);
            return BO_EOS;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0) {
        errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return BO_EOS;
    }
    return 0;
}

int keys_write_private_pem(const struct keys_key *k, const char *path, char *err, size_t errlen)
{
    unsigned char pem[KEYS_PEM_MAX];
    int ret;
    int rc;

    if (!k->is_private) {
        errbuf_set(err, errlen, "no private key to write");
        return BO_EINVAL;
    }
    ret = mbedtls_pk_write_key_pem(&k->pk, pem, sizeof(pem));
    if (ret != 0) {
        errbuf_set(err, errlen, "cannot encode the private key (Mbed TLS error -0x%04x)",
                   (unsigned)-ret);
        return BO_ECRYPTO;
    }
    rc = keys_write_text(path, (const char *)pem, 0600, err, errlen);
    mbedtls_platform_zeroize(pem, sizeof(pem));
    return rc;
}

int keys_public_pem(const struct keys_key *k, char *buf, size_t size)
{
    return mbedtls_pk_write_pubkey_pem(&k->pk, (unsigned char *)buf, size) == 0 ? 0 : BO_ECRYPTO;
}

int keys_write_public_pem(const struct keys_key *k, const char *path, char *err, size_t errlen)
{
    char pem[KEYS_PEM_MAX];

    if (keys_public_pem(k, pem, sizeof(pem)) < 0) {
        errbuf_set(err, errlen, "cannot encode the public key");
        return BO_ECRYPTO;
    }
    return keys_write_text(path, pem, 0644, err, errlen);
}

void keys_to_image_key(const struct keys_key *k, struct image_key *out)
{
    out->type = k->type;
    out->der = k->pub_der;
    out->der_len = k->pub_der_len;
}

int keys_table_load(struct keys_table *t, const char *const *paths, size_t n,
                    int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, char *err,
                    size_t errlen)
{
    size_t i;
    int rc = 0;

    memset(t, 0, sizeof(*t));
    if (n == 0) {
        return 0;
    }
    t->keys = calloc(n, sizeof(*t->keys));
    t->table = calloc(n, sizeof(*t->table));
    if (t->keys == NULL || t->table == NULL) {
        errbuf_set(err, errlen, "out of memory");
        rc = BO_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        keys_init(&t->keys[i]);
        t->count = i + 1;
        rc = keys_load(&t->keys[i], paths[i], f_rng, p_rng, err, errlen);
        if (rc < 0) {
            goto out;
        }
        keys_to_image_key(&t->keys[i], &t->table[i]);
    }
out:
    if (rc < 0) {
        keys_table_free(t);
    }
    return rc;
}

void keys_table_free(struct keys_table *t)
{
    size_t i;

    if (t->keys != NULL) {
        for (i = 0; i < t->count; i++) {
            keys_free(&t->keys[i]);
        }
    }
    free(t->keys);
    free(t->table);
    memset(t, 0, sizeof(*t));
}
