/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The words and numbers of board files (board_text_int.h): blanks, trimming, the words of a
 * section header, and the unsigned and fixed-point numbers of values.
 */
#include "board/board_text_int.h"

#include <string.h>

#include "bo_err.h"

/* A blank inside a line: space or tab. */
bool board_text_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Copies s[0..n) into out with surrounding blanks removed. Returns false if it does not fit. */
bool board_text_trim_copy(char *out, size_t out_len, const char *s, size_t n)
{
    while (n > 0 && board_text_is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && board_text_is_space(s[n - 1])) {
        n--;
    }
    if (n >= out_len) {
        return false;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* An unsigned number: decimal or 0x hex, with an optional K (KiB) or M (MiB) suffix. */
int board_text_u64(const char *s, bool suffix, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *c = s;
    int digits = 0;

    if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
        base = 16;
        c += 2;
    }
    for (;; c++) {
        unsigned d;

        if (*c >= '0' && *c <= '9') {
            d = (unsigned)(*c - '0');
        } else if (base == 16 && *c >= 'a' && *c <= 'f') {
            d = (unsigned)(*c - 'a' + 10);
        } else if (base == 16 && *c >= 'A' && *c <= 'F') {
            d = (unsigned)(*c - 'A' + 10);
        } else {
            break;
        }
        if (v > (UINT64_MAX - d) / base) {
            return BO_EINVAL;
        }
        v = v * base + d;
        digits++;
    }
    if (digits == 0) {
        return BO_EINVAL;
    }
    if (suffix && (*c == 'K' || *c == 'M')) {
        unsigned shift = *c == 'K' ? 10 : 20;

        if (v > (UINT64_MAX >> shift)) {
            return BO_EINVAL;
        }
        v <<= shift;
        c++;
    }
    if (*c != '\0') {
        return BO_EINVAL;
    }
    *out = v;
    return 0;
}

/* A decimal number with up to three fraction digits, returned in thousandths. */
int board_text_milli(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    int frac = -1;

    for (const char *c = s; *c != '\0'; c++) {
        if (*c == '.' && frac < 0 && digits > 0) {
            frac = 0;
            continue;
        }
        if (*c < '0' || *c > '9' || frac == 3) {
            return BO_EINVAL;
        }
        if (v > (UINT64_MAX - 9) / 10) {
            return BO_EINVAL;
        }
        v = v * 10 + (uint64_t)(*c - '0');
        digits++;
        if (frac >= 0) {
            frac++;
        }
    }
    if (digits == 0 || frac == 0) {
        return BO_EINVAL;
    }
    for (int i = frac < 0 ? 0 : frac; i < 3; i++) {
        if (v > UINT64_MAX / 10) {
            return BO_EINVAL;
        }
        v *= 10;
    }
    *out = v;
    return 0;
}

/*
 * Splits "KIND" or "KIND NAME" into its words. Returns the number of words, or -1 when there are
 * more than two or one does not fit.
 */
int board_text_split_words(const char *s, char *w1, size_t w1_len, char *w2, size_t w2_len)
{
    char *out[2] = { w1, w2 };
    size_t room[2] = { w1_len, w2_len };
    int words = 0;

    w1[0] = w2[0] = '\0';
    while (*s != '\0') {
        size_t n = 0;

        while (board_text_is_space(*s)) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        if (words == 2) {
            return -1;
        }
        while (s[n] != '\0' && !board_text_is_space(s[n])) {
            n++;
        }
        if (n >= room[words]) {
            return -1;
        }
        memcpy(out[words], s, n);
        out[words][n] = '\0';
        words++;
        s += n;
    }
    return words;
}
