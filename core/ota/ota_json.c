/* SPDX-License-Identifier: Apache-2.0 */
/* The bounded text writer (see ota_json.h). */
#include "ota/ota_json.h"

#include <string.h>

#include "bo_err.h"

static const char ota_json_digits[] = "0123456789abcdef";

void ota_json_init(struct ota_json *j, void *buf, size_t cap)
{
    j->buf = buf;
    j->cap = buf != NULL ? cap : 0;
    j->len = 0;
    j->overflow = false;
}

static void ota_json_put(struct ota_json *j, const char *p, size_t n)
{
    if (j->overflow || n > j->cap - j->len) {
        j->overflow = true;
        return;
    }
    memcpy(j->buf + j->len, p, n);
    j->len += n;
}

void ota_json_raw(struct ota_json *j, const char *text)
{
    ota_json_put(j, text, strlen(text));
}

void ota_json_str(struct ota_json *j, const char *s)
{
    char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

    ota_json_put(j, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            ota_json_put(j, esc, 2);
        } else if (c < 0x20) {
            esc[1] = 'u';
            esc[4] = ota_json_digits[c >> 4];
            esc[5] = ota_json_digits[c & 0xf];
            ota_json_put(j, esc, 6);
        } else {
            ota_json_put(j, (const char *)&c, 1);
        }
    }
    ota_json_put(j, "\"", 1);
}

void ota_json_u64(struct ota_json *j, uint64_t v)
{
    char d[20];
    size_t n = 0;

    do {
        d[sizeof(d) - 1 - n] = (char)('0' + v % 10u);
        v /= 10u;
        n++;
    } while (v != 0);
    ota_json_put(j, d + sizeof(d) - n, n);
}

void ota_json_bool(struct ota_json *j, bool v)
{
    ota_json_raw(j, v ? "true" : "false");
}

void ota_json_hex(struct ota_json *j, const uint8_t *p, size_t n)
{
    size_t i;

    ota_json_put(j, "\"", 1);
    for (i = 0; i < n; i++) {
        char h[2] = { ota_json_digits[p[i] >> 4], ota_json_digits[p[i] & 0xf] };

        ota_json_put(j, h, 2);
    }
    ota_json_put(j, "\"", 1);
}

void ota_json_key(struct ota_json *j, const char *key, bool first)
{
    if (!first) {
        ota_json_put(j, ",", 1);
    }
    ota_json_str(j, key);
    ota_json_put(j, ":", 1);
}

int ota_json_finish(const struct ota_json *j, size_t *len)
{
    if (j->overflow) {
        return BO_ERANGE;
    }
    *len = j->len;
    return 0;
}
