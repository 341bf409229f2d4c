/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay IDs of the power-fail sweep, fault-list parsing and seed mixing (see sweep.h).
 *
 * bo2:SCENARIO:MODE:BOARD:SIZE:DP:INPUTS:OP:MODEL:PARAM:SEED[:OP2:MODEL2:PARAM2:SEED2]:CHECK
 *
 * MODE is the upgrade mode, followed by "@mcuboot-TREE" when the bootloader is an upstream
 * MCUboot variant (TREE: the hash of the tree's identity, 8 hex digits; the variant follows from
 * the scenario);
 * BOARD is the board's name (percent-encoded outside [A-Za-z0-9._/-]); SIZE is "d" (default),
 * "max", bytes, or "u" (the user's images); DP is 0 or 1 (downgrade prevention), followed by
 * mMAXSECTORS when --max-sectors was given, "n" when the primary is not validated, and "r" or
 * "g" when torn ECC units read as read errors or garbage (--ecc-torn; erased: nothing); INPUTS is
 * the inputs hash (sweep_inputs.h) as 16 hex digits; PARAM is "s" (seeded) or a number (for
 * torn-bits and weak: 0 the even-odds draw, else a --levels level in permille); SEED is
 * 16 hex digits; CHECK is the FNV-1a 32-bit hash of everything before ":CHECK", as 8 hex
 * digits. bo1 IDs, made before the inputs hash, have no INPUTS field (and BOARD may be a path):
 * they still decode, and replay without the inputs check.
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

    ok = sweep_put(buf, len, &at, "bo%d:%s:%s", so->in.expect != 0 ? 2 : 1,
                   scenario_kind_name(so->kind), boot_mode_name(so->mode));
    if (so->bootloader != BL_BROWNOUT) {
        ok = ok && sweep_put(buf, len, &at, "@%s-%08x", bl_kind_name(so->bootloader),
                             (unsigned)so->bl_tree);
    }
    ok = ok && sweep_put(buf, len, &at, ":");
    for (; ok && *b != '\0'; b++) {
        ok = sweep_id_plain(*b) ? sweep_put(buf, len, &at, "%c", *b)
                                : sweep_put(buf, len, &at, "%%%02X", (unsigned char)*b);
    }
    if (so->in.image_old != NULL && so->in.expect != 0) {
        ok = ok && sweep_put(buf, len, &at, ":u");
    } else if (so->image_size == 0) {
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
    if (so->no_validate_primary) {
        ok = ok && sweep_put(buf, len, &at, "n");
    }
    if (so->ecc_torn == VFLASH_ECC_TORN_READ_ERROR || so->ecc_torn == VFLASH_ECC_TORN_GARBAGE) {
        /* Only a non-default assumption is carried: older IDs stay valid. */
        ok = ok && sweep_put(buf, len, &at, so->ecc_torn == VFLASH_ECC_TORN_GARBAGE ? "g" : "r");
    }
    if (so->in.expect != 0) {
        ok = ok && sweep_put(buf, len, &at, ":%016llx", (unsigned long long)so->in.expect);
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

/* Parses DP: "0" or "1", then "mMAXSECTORS" and "n" when present. */
static int sweep_parse_dp(const char *f, struct scenario_opts *so)
{
    char num[16];
    size_t n = 0;

    if (f[0] != '0' && f[0] != '1') {
        return BO_EINVAL;
    }
    so->downgrade_prevention = f[0] == '1';
    so->max_sectors = 0;
    so->no_validate_primary = false;
    f++;
    if (*f == 'm') {
        for (f++; *f >= '0' && *f <= '9' && n + 1 < sizeof(num); f++) {
            num[n++] = *f;
        }
        num[n] = '\0';
        if (board_derive_parse_max_sectors(num, &so->max_sectors) != 0) {
            return BO_EINVAL;
        }
    }
    if (*f == 'n') {
        so->no_validate_primary = true;
        f++;
    }
    so->ecc_torn = VFLASH_ECC_TORN_ERASED;
    if (*f == 'r' || *f == 'g') {
        so->ecc_torn = *f == 'g' ? VFLASH_ECC_TORN_GARBAGE : VFLASH_ECC_TORN_READ_ERROR;
        f++;
    }
    return *f == '\0' ? 0 : BO_EINVAL;
}

/* Parses MODE, "MODE" or "MODE@BOOTLOADER-TREEHASH" (an upstream bootloader's tree). */
static int sweep_parse_mode(char *f, struct scenario_opts *so)
{
    char *at = strchr(f, '@');
    char *dash;
    uint64_t v;
    int k;

    so->bootloader = BL_BROWNOUT;
    so->bl_tree = 0;
    if (at != NULL) {
        *at++ = '\0';
        dash = strrchr(at, '-');
        if (dash == NULL || strlen(dash + 1) != 8 || num_parse_u64(dash + 1, 16, UINT32_MAX, &v) ||
            v == 0) {
            return BO_EINVAL;
        }
        *dash = '\0';
        if (bl_parse(at, &so->bootloader) != 0 || so->bootloader == BL_BROWNOUT) {
            return BO_EINVAL;
        }
        so->bl_tree = (uint32_t)v;
    }
    k = scenario_mode_parse(f);
    if (k < 0) {
        return BO_EINVAL;
    }
    so->mode = (enum boot_mode)k;
    return 0;
}

/* Parses SIZE: "d", "max", bytes, or (bo2) "u" for the user's images. */
static int sweep_parse_size(const char *f, int version, struct scenario_opts *so)
{
    uint64_t v;

    so->in.id_user_images = false;
    so->image_size = 0;
    if (strcmp(f, "d") == 0) {
        return 0;
    }
    if (strcmp(f, "u") == 0 && version == 2) {
        so->in.id_user_images = true;
        return 0;
    }
    if (strcmp(f, "max") == 0) {
        so->image_size = SCENARIO_IMAGE_SIZE_MAX;
        return 0;
    }
    if (num_parse_u64(f, 10, UINT32_MAX - 1u, &v) == 0 && v != 0) {
        so->image_size = (uint32_t)v;
        return 0;
    }
    return BO_EINVAL;
}

/* Splits id (checked: version and CHECK) into fields of buf. \return The version, or BO_EINVAL. */
static int sweep_id_split(const char *id, char *buf, size_t len, char **f, size_t *nf)
{
    const char *last;
    uint64_t v;
    char *p;
    int version;

    if (id == NULL || strlen(id) >= len) {
        return BO_EINVAL;
    }
    version = strncmp(id, "bo1:", 4) == 0 ? 1 : strncmp(id, "bo2:", 4) == 0 ? 2 : 0;
    last = strrchr(id, ':');
    if (version == 0 || last == NULL || strlen(last + 1) != 8 ||
        num_parse_u64(last + 1, 16, UINT32_MAX, &v) ||
        (uint32_t)v != sweep_fnv(id, (size_t)(last - id))) {
        return BO_EINVAL;
    }
    snprintf(buf, len, "%s", id);
    *nf = 0;
    for (p = buf; *nf < SWEEP_ID_FIELDS_MAX; (*nf)++) {
        f[*nf] = p;
        p = strchr(p, ':');
        if (p == NULL) {
            (*nf)++;
            break;
        }
        *p++ = '\0';
    }
    if (p != NULL || (*nf != (size_t)(10 + version) && *nf != (size_t)(14 + version))) {
        return BO_EINVAL;
    }
    return version;
}

int sweep_id_decode(const char *id, struct scenario_opts *so, char *board_buf, size_t board_len,
                    struct sweep_point *pt)
{
    char buf[SWEEP_ID_MAX];
    char *f[SWEEP_ID_FIELDS_MAX];
    size_t nf = 0;
    size_t cut;
    uint64_t v = 0;
    int version = sweep_id_split(id, buf, sizeof(buf), f, &nf);
    int k;

    if (version < 0) {
        return BO_EINVAL;
    }
    memset(pt, 0, sizeof(*pt));
    pt->op2 = -1;
    k = scenario_kind_parse(f[1]);
    if (k < 0) {
        return BO_EINVAL;
    }
    so->kind = (enum scenario_kind)k;
    if (sweep_parse_mode(f[2], so) != 0 || sweep_unescape(f[3], board_buf, board_len) != 0 ||
        sweep_parse_size(f[4], version, so) != 0 || sweep_parse_dp(f[5], so) != 0) {
        return BO_EINVAL;
    }
    so->board = board_buf;
    if (version == 2 &&
        (strlen(f[6]) != 16 || num_parse_u64(f[6], 16, UINT64_MAX, &v) != 0 || v == 0)) {
        return BO_EINVAL;
    }
    so->in.expect = v;
    cut = version == 2 ? 7 : 6;
    if (sweep_parse_cut(&f[cut], &pt->op, &pt->model, &pt->param, &pt->seed) != 0) {
        return BO_EINVAL;
    }
    if (nf == cut + 9) {
        uint64_t op2;

        if (sweep_parse_cut(&f[cut + 4], &op2, &pt->model2, &pt->param2, &pt->seed2) != 0) {
            return BO_EINVAL;
        }
        pt->op2 = (int64_t)op2;
        if (pt->model >= VFLASH_CUT_MODEL_COUNT || pt->model2 >= VFLASH_CUT_MODEL_COUNT) {
            return BO_EINVAL; /* Only cuts have second cuts. */
        }
    }
    return 0;
}

void sweep_assumption(const struct scenario_opts *so, const struct sweep_opts *o, char *buf,
                      size_t len)
{
    size_t at = 0;

    buf[0] = '\0';
    if (!sweep_put(buf, len, &at, "ecc-torn=%s",
                   vflash_ecc_torn_name((enum vflash_ecc_torn)so->ecc_torn))) {
        return;
    }
    for (uint32_t i = 0; i < o->level_count; i++) {
        if (!sweep_put(buf, len, &at, "%s%u", i == 0 ? " levels=" : ",", o->levels[i])) {
            return;
        }
    }
}
