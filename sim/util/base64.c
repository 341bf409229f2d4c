/* SPDX-License-Identifier: Apache-2.0 */
/* Strict base64: Mbed TLS's codec plus the checks that make the encoding unique. */
#include "util/base64.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/base64.h"

/* True when the last group of text is the one encoding of the bytes it decodes to. */
static bool base64_last_group_canonical(const char *text, size_t len)
{
    const unsigned char *group = (const unsigned char *)text + len - 4;
    unsigned char bytes[3];
    unsigned char again[5];
    size_t n = 0;
    size_t m = 0;

    if (mbedtls_base64_decode(bytes, sizeof(bytes), &n, group, 4) != 0 ||
        mbedtls_base64_encode(again, sizeof(again), &m, bytes, n) != 0) {
        return false;
    }
    return m == 4 && memcmp(again, group, 4) == 0;
}

long long base64_decoded_len(const char *text, size_t len)
{
    size_t n = 0;
    int rc;

    if (len % 4 != 0) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    /* Mbed TLS skips blanks and line breaks (PEM needs that); the protocol has none. */
    if (memchr(text, ' ', len) != NULL || memchr(text, '\n', len) != NULL ||
        memchr(text, '\r', len) != NULL) {
        return -1;
    }
    rc = mbedtls_base64_decode(NULL, 0, &n, (const unsigned char *)text, len);
    if (rc != MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) {
        return -1;
    }
    /* The bits dropped by the padding must be zero, so that every datum has one encoding. */
    if (!base64_last_group_canonical(text, len)) {
        return -1;
    }
    return (long long)n;
}

int base64_decode(const char *text, size_t len, uint8_t *out)
{
    long long n = base64_decoded_len(text, len);
    size_t olen = 0;

    if (n < 0) {
        return -1;
    }
    if (n == 0) {
        return 0;
    }
    if (mbedtls_base64_decode(out, (size_t)n, &olen, (const unsigned char *)text, len) != 0 ||
        olen != (size_t)n) {
        return -1;
    }
    return 0;
}

char *base64_encode(const uint8_t *buf, size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    size_t olen = 0;
    char *text;

    if (groups > (SIZE_MAX - 1) / 4) {
        return NULL;
    }
    text = malloc(groups * 4 + 1);
    if (text == NULL) {
        return NULL;
    }
    if (mbedtls_base64_encode((unsigned char *)text, groups * 4 + 1, &olen, buf, len) != 0) {
        free(text);
        return NULL;
    }
    text[olen] = '\0';
    return text;
}
