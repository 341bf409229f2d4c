/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay IDs of the power-fail sweep, fault-list parsing and seed mixing (see sweep.h).
 *
 * bo1:SCENARIO:MODE:BOARD:SIZE:DP:OP:MODEL:PARAM:SEED[:OP2:MODEL2:PARAM2:SEED2]:CHECK
 *
 * BOARD is percent-encoded outside [A-Za-z0-9._/-]; SIZE is "d" (default), "max" or bytes; DP is
 * 0 or 1 (downgrade prevention), followed by mMAXSECTORS when --max-sectors was given; PARAM is "s" (seeded) or a number; SEED is 16 hex digits;
 * CHECK is the FNV-1a 32-bit hash of everything before ":CHECK", as 8 hex digits.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "board/board_derive.h"
#include "sweep/sweep.h"
#include "util/num.h"

#define SWEEP_ID_FIELDS_MAX 16

uint64_t sweep_mix(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t v[3] = { a, b, c };
    uint64_t x = seed;
    int i;

    for (i = 0; i < 3; i++) {
        x += 0x9e3779b97f4a7c15ull ^ v[i];
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        x ^= x >> 31;
    }
    return x;
}

static uint32_t sweep_fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static bool sweep_id_plain(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '/' || c == '-';
}

/* Appends to buf at *at; returns false when it does not fit. */
static bool sweep_put(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool sweep_put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*at >= len) {
        return false;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf + *at, len - *at, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len - *at) {
        return false;
    }
    *at += (size_t)n;
    return true;
}

static bool sweep_put_cut(char *buf, size_t len, size_t *at, uint64_t op, uint8_t model,
                          uint32_t param, uint64_t seed)
{
    bool ok = sweep_put(buf, len, at, ":%llu:%s:", (unsigned long long)op, sweep_model_name(model));

    if (param == VFLASH_CUT_SEEDED) {
        ok = ok && sweep_put(buf, len, at, "s");
    } else {
        ok = ok && sweep_put(buf, len, at, "%u", param);
    }
    return ok && sweep_put(buf, len, at, ":%016llx", (unsigned long long)seed);
}

int sweep_id_encode(const struct scenario_opts *so, const struct sweep_point *pt, char *buf,
                    size_t len)
{
    const char *b = so->board != NULL ? so->board : "";
    size_t at = 0;
    bool ok;

    ok = sweep_put(buf, len, &at, "bo1:%s:%s:", scenario_kind_name(so->kind),
                   boot_mode_name(so->mode));
    for (; ok && *b != '\0'; b++) {
        ok = sweep_id_plain(*b) ? sweep_put(buf, len, &at, "%c", *b)
                                : sweep_put(buf, len, &at, "%%%02X", (unsigned char)*b);
    }
    if (so->image_size == 0) {
        ok = ok && sweep_put(buf, len, &at, ":d");
    } else if (so->image_size == SCENARIO_IMAGE_SIZE_MAX) {
        ok = ok && sweep_put(buf, len, &at, ":max");
    } else {
        ok = ok && sweep_put(buf, len, &at, ":%u", so->image_size);
    }
    ok = ok && sweep_put(buf, len, &at, ":%d", so->downgrade_prevention ? 1 : 0);
    if (so->max_sectors != 0) {
        ok = ok && sweep_put(buf, len, &at, "m%u", (unsigned)so->max_sectors);
    }
    ok = ok && sweep_put_cut(buf, len, &at, pt->op, pt->model, pt->param, pt->seed);
    if (pt->op2 >= 0) {
        ok = ok &&
             sweep_put_cut(buf, len, &at, (uint64_t)pt->op2, pt->model2, pt->param2, pt->seed2);
    }
    ok = ok && sweep_put(buf, len, &at, ":%08x", sweep_fnv(buf, at));
    if (!ok) {
        if (len > 0) {
            buf[0] = '\0';
        }
        return BO_ERANGE;
    }
    return 0;
}

static int sweep_parse_cut(char **f, uint64_t *op, uint8_t *model, uint32_t *param, uint64_t *seed)
{
    uint64_t v;
    int m = sweep_model_parse(f[1]);

    if (m < 0 || num_parse_u64(f[0], 10, UINT64_MAX >> 1, op) != 0 || strlen(f[3]) != 16 ||
        num_parse_u64(f[3], 16, UINT64_MAX, seed) != 0) {
        return BO_EINVAL;
    }
    *model = (uint8_t)m;
    if (strcmp(f[2], "s") == 0) {
        *param = VFLASH_CUT_SEEDED;
    } else if (num_parse_u64(f[2], 10, UINT32_MAX - 1u, &v) == 0) {
        *param = (uint32_t)v;
    } else {
        return BO_EINVAL;
    }
    return 0;
}

/* Percent-decodes src into dst. */
static int sweep_unescape(const char *src, char *dst, size_t len)
{
    size_t n = 0;

    for (; *src != '\0'; src++) {
        char c = *src;

        if (c == '%') {
            char hex[3] = { src[1], src[1] != '\0' ? src[2] : '\0', '\0' };
            uint64_t v;

            if (hex[0] == '\0' || hex[1] == '\0' || num_parse_u64(hex, 16, 255, &v) != 0 ||
                v == 0) {
                return BO_EINVAL;
            }
            c = (char)v;
            src += 2;
        } else if (!sweep_id_plain(c)) {
            return BO_EINVAL;
        }
        if (n + 1 >= len) {
            return BO_EINVAL;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
    return n > 0 ? 0 : BO_EINVAL;
}

int sweep_id_decode(const char *id, struct scenario_opts *so, char *board_buf, size_t board_len,
                    struct sweep_point *pt)
{
    char buf[SWEEP_ID_MAX];
    char *f[SWEEP_ID_FIELDS_MAX];
    size_t nf = 0;
    char *p;
    const char *last;
    uint64_t v;
    int k;

    if (id == NULL || strlen(id) >= sizeof(buf) || strncmp(id, "bo1:", 4) != 0) {
        return BO_EINVAL;
    }
    last = strrchr(id, ':');
    if (last == NULL || strlen(last + 1) != 8 || num_parse_u64(last + 1, 16, UINT32_MAX, &v) ||
        (uint32_t)v != sweep_fnv(id, (size_t)(last - id))) {
        return BO_EINVAL;
    }
    snprintf(buf, sizeof(buf), "%s", id);
    for (p = buf; nf < SWEEP_ID_FIELDS_MAX; nf++) {
        f[nf] = p;
        p = strchr(p, ':');
        if (p == NULL) {
            nf++;
            break;
        }
        *p++ = '\0';
    }
    if (p != NULL || (nf != 11 && nf != 15)) {
        return BO_EINVAL;
    }
    memset(pt, 0, sizeof(*pt));
    pt->op2 = -1;
    k = scenario_kind_parse(f[1]);
    if (k < 0) {
        return BO_EINVAL;
    }
    so->kind = (enum scenario_kind)k;
    k = scenario_mode_parse(f[2]);
    if (k < 0 || sweep_unescape(f[3], board_buf, board_len) != 0) {
        return BO_EINVAL;
    }
    so->mode = (enum boot_mode)k;
    so->board = board_buf;
    if (strcmp(f[4], "d") == 0) {
        so->image_size = 0;
    } else if (strcmp(f[4], "max") == 0) {
        so->image_size = SCENARIO_IMAGE_SIZE_MAX;
    } else if (num_parse_u64(f[4], 10, UINT32_MAX - 1u, &v) == 0 && v != 0) {
        so->image_size = (uint32_t)v;
    } else {
        return BO_EINVAL;
    }
    so->max_sectors = 0;
    if ((f[5][0] != '0' && f[5][0] != '1') ||
        (f[5][1] != '\0' &&
         (f[5][1] != 'm' || board_derive_parse_max_sectors(&f[5][2], &so->max_sectors) != 0))) {
        return BO_EINVAL;
    }
    so->downgrade_prevention = f[5][0] == '1';
    if (sweep_parse_cut(&f[6], &pt->op, &pt->model, &pt->param, &pt->seed) != 0) {
        return BO_EINVAL;
    }
    if (nf == 15) {
        uint64_t op2;

        if (sweep_parse_cut(&f[10], &op2, &pt->model2, &pt->param2, &pt->seed2) != 0) {
            return BO_EINVAL;
        }
        pt->op2 = (int64_t)op2;
        if (pt->model >= VFLASH_CUT_MODEL_COUNT || pt->model2 >= VFLASH_CUT_MODEL_COUNT) {
            return BO_EINVAL; /* Only cuts have second cuts. */
        }
    }
    return 0;
}
