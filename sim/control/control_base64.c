/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict base64 (RFC 4648, standard alphabet, '=' padding, no whitespace) for the binary data
 * the control protocol carries.
 */
#include <stdlib.h>
#include <string.h>

#include "control/control_int.h"

static const char control_base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, or -1 for a character outside the alphabet. */
static int control_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

long long control_base64_decoded_len(const char *text, size_t len)
{
    size_t pad = 0;
    size_t i;

    if (len % 4 != 0) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    if (text[len - 1] == '=') {
        pad = text[len - 2] == '=' ? 2 : 1;
    }
    for (i = 0; i < len - pad; i++) {
        if (control_base64_value((unsigned char)text[i]) < 0) {
            return -1;
        }
    }
    /* The bits dropped by the padding must be zero, so that every datum has one encoding. */
    if (pad == 2 && (control_base64_value((unsigned char)text[len - 3]) & 0x0f) != 0) {
        return -1;
    }
    if (pad == 1 && (control_base64_value((unsigned char)text[len - 2]) & 0x03) != 0) {
        return -1;
    }
    return (long long)(len / 4 * 3 - pad);
}

int control_base64_decode(const char *text, size_t len, uint8_t *out)
{
    long long n = control_base64_decoded_len(text, len);
    size_t i;
    size_t o = 0;

    if (n < 0) {
        return -1;
    }
    for (i = 0; i < len; i += 4) {
        int v0 = control_base64_value((unsigned char)text[i]);
        int v1 = control_base64_value((unsigned char)text[i + 1]);
        int v2 = text[i + 2] == '=' ? 0 : control_base64_value((unsigned char)text[i + 2]);
        int v3 = text[i + 3] == '=' ? 0 : control_base64_value((unsigned char)text[i + 3]);
        unsigned long quad = ((unsigned long)v0 << 18) | ((unsigned long)v1 << 12) |
                             ((unsigned long)v2 << 6) | (unsigned long)v3;

        if (o < (size_t)n) {
            out[o++] = (uint8_t)(quad >> 16);
        }
        if (o < (size_t)n) {
            out[o++] = (uint8_t)(quad >> 8);
        }
        if (o < (size_t)n) {
            out[o++] = (uint8_t)quad;
        }
    }
    return 0;
}

char *control_base64_encode(const uint8_t *buf, size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    size_t i;
    size_t o = 0;
    char *text;

    if (groups > (SIZE_MAX - 1) / 4) {
        return NULL;
    }
    text = malloc(groups * 4 + 1);
    if (text == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i += 3) {
        size_t left = len - i;
        unsigned long quad = (unsigned long)buf[i] << 16;

        if (left > 1) {
            quad |= (unsigned long)buf[i + 1] << 8;
        }
        if (left > 2) {
            quad |= buf[i + 2];
        }
        text[o++] = control_base64_alphabet[(quad >> 18) & 0x3f];
        text[o++] = control_base64_alphabet[(quad >> 12) & 0x3f];
        text[o++] = left > 1 ? control_base64_alphabet[(quad >> 6) & 0x3f] : '=';
        text[o++] = left > 2 ? control_base64_alphabet[quad & 0x3f] : '=';
    }
    text[o] = '\0';
    return text;
}

int control_arg_data(const json_t *args, const char *name, uint8_t **out, size_t *len)
{
    const json_t *v = json_object_get(args, name);
    const char *text;
    size_t text_len;
    long long n;
    uint8_t *buf;

    *out = NULL;
    *len = 0;
    if (v == NULL) {
        return BO_ENOENT;
    }
    if (!json_is_string(v)) {
        return BO_EINVAL;
    }
    text = json_string_value(v);
    text_len = json_string_length(v);
    n = control_base64_decoded_len(text, text_len);
    if (n < 0) {
        return BO_EINVAL;
    }
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) {
        return BO_ENOMEM;
    }
    (void)control_base64_decode(text, text_len, buf);
    *out = buf;
    *len = (size_t)n;
    return 0;
}

json_t *control_data_json(const void *buf, size_t len)
{
    char *text = control_base64_encode(buf, len);
    json_t *s;

    if (text == NULL) {
        return NULL;
    }
    s = json_string(text);
    free(text);
    return s;
}
