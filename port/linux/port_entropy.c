/* SPDX-License-Identifier: Apache-2.0 */
/* Entropy for Mbed TLS: getrandom(2) with a /dev/urandom fallback, or a seeded stream. */
#include "port_entropy.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "bo_err.h"
#include "mbedtls/sha256.h"
#include "port_os.h"

void port_entropy_init(struct port_entropy *src)
{
    memset(src, 0, sizeof(*src));
    src->mode = PORT_ENTROPY_SYSTEM;
}

void port_entropy_set_seed(struct port_entropy *src, uint64_t seed)
{
    src->mode = PORT_ENTROPY_SEEDED;
    src->seed = seed;
    src->block = 0;
    src->buf_used = sizeof(src->buf);
}

void port_entropy_set_failing(struct port_entropy *src)
{
    src->mode = PORT_ENTROPY_FAILING;
}

/* Reads len bytes from /dev/urandom; 0 on success. */
static int entropy_urandom(unsigned char *out, size_t len)
{
    int rc = -1;
    int fd = port_os.open("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);

    if (fd < 0) {
        return -1;
    }
    while (len > 0) {
        ssize_t n = port_os.read(fd, out, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto out;
        }
        out += n;
        len -= (size_t)n;
    }
    rc = 0;
out:
    port_os.close(fd);
    return rc;
}

/* Fills out from the kernel; 0 on success. */
static int entropy_system(unsigned char *out, size_t len)
{
    while (len > 0) {
        ssize_t n = port_os.getrandom(out, len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
            /* No getrandom(2) (old kernel, or a seccomp filter that forbids it). */
            return entropy_urandom(out, len);
        }
        if (n <= 0) {
            return -1;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Fills out from the seeded stream: block i is SHA-256(seed || i), both little-endian. */
static int entropy_seeded(struct port_entropy *src, unsigned char *out, size_t len)
{
    while (len > 0) {
        if (src->buf_used == sizeof(src->buf)) {
            unsigned char in[16];
            for (int i = 0; i < 8; i++) {
                in[i] = (unsigned char)(src->seed >> (8 * i));
                in[8 + i] = (unsigned char)(src->block >> (8 * i));
            }
            if (mbedtls_sha256(in, sizeof(in), src->buf, 0) != 0) {
                return -1;
            }
            src->block++;
            src->buf_used = 0;
        }
        size_t n = sizeof(src->buf) - src->buf_used;
        if (n > len) {
            n = len;
        }
        memcpy(out, src->buf + src->buf_used, n);
        src->buf_used += n;
        out += n;
        len -= n;
    }
    return 0;
}

int port_entropy_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    struct port_entropy *src = data;
    int rc = -1;

    *olen = 0;
    src->polls++;
    switch (src->mode) {
    case PORT_ENTROPY_SYSTEM:
        rc = entropy_system(output, len);
        break;
    case PORT_ENTROPY_SEEDED:
        rc = entropy_seeded(src, output, len);
        break;
    case PORT_ENTROPY_FAILING:
        rc = -1;
        break;
    }
    if (rc != 0) {
        src->failures++;
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    }
    *olen = len;
    return 0;
}

int port_entropy_register(struct port_entropy *src, mbedtls_entropy_context *ctx)
{
    if (mbedtls_entropy_add_source(ctx, port_entropy_poll, src, 32,
                                   MBEDTLS_ENTROPY_SOURCE_STRONG) != 0) {
        return BO_ECRYPTO;
    }
    return 0;
}
