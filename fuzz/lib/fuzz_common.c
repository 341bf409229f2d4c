/* SPDX-License-Identifier: Apache-2.0 */
/* Shared set-up, fixtures and input reading of the fuzz harnesses (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/platform.h"
#include "port_logsink.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

/* Process-wide state of a harness: set up once, never freed (the process is the fuzzer's). */
static bool fuzz_ready;
static mbedtls_platform_context fuzz_plat;
static struct port_rng fuzz_rng_ctx;

static void fuzz_log_drop(void *ctx, enum port_log_level level, const char *module,
                          const char *line)
{
    (void)ctx;
    (void)level;
    (void)module;
    (void)line;
}

void fuzz_setup_once(void)
{
    if (fuzz_ready) {
        return;
    }
    if (getenv("FUZZ_VERBOSE") == NULL) {
        port_logsink_set(fuzz_log_drop, NULL, PORT_LOG_ERROR);
    }
    memset(&fuzz_plat, 0, sizeof(fuzz_plat));
    if (mbedtls_platform_setup(&fuzz_plat) != 0) {
        fprintf(stderr, "fuzz: mbedtls_platform_setup failed\n");
        abort();
    }
    port_rng_init(&fuzz_rng_ctx);
    port_entropy_set_seed(&fuzz_rng_ctx.source, 0x6272776eULL);
    if (port_rng_setup(&fuzz_rng_ctx, "fuzz") != 0) {
        fprintf(stderr, "fuzz: RNG set-up failed\n");
        abort();
    }
    fuzz_ready = true;
}

struct port_rng *fuzz_rng(void)
{
    return &fuzz_rng_ctx;
}

const char *fuzz_root(void)
{
    const char *env = getenv("BROWNOUT_ROOT");

    return env != NULL && env[0] != '\0' ? env : FUZZ_ROOT;
}

void fuzz_load_key(struct keys_key *k, const char *name)
{
    char path[1024];
    char err[KEYS_ERR_MAX];

    keys_init(k);
    snprintf(path, sizeof(path), "%s/fixtures/keys/%s", fuzz_root(), name);
    if (keys_load(k, path, port_rng_random, &fuzz_rng_ctx, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: cannot load %s: %s\n", path, err);
        abort();
    }
}

void fuzz_check(bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz oracle: %s\n", what);
        abort();
    }
}

void fuzz_in_init(struct fuzz_in *in, const uint8_t *data, size_t len)
{
    in->data = data;
    in->len = data != NULL ? len : 0;
    in->pos = 0;
}

uint8_t fuzz_u8(struct fuzz_in *in)
{
    if (in->pos >= in->len) {
        return 0;
    }
    return in->data[in->pos++];
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
    uint16_t lo = fuzz_u8(in);

    return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);

    return lo | (uint32_t)fuzz_u16(in) << 16;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
    uint64_t lo = fuzz_u32(in);

    return lo | (uint64_t)fuzz_u32(in) << 32;
}

size_t fuzz_left(const struct fuzz_in *in)
{
    return in->pos < in->len ? in->len - in->pos : 0;
}

void fuzz_skip(struct fuzz_in *in, size_t n)
{
    in->pos = n < fuzz_left(in) ? in->pos + n : in->len;
}

const uint8_t *fuzz_rest(const struct fuzz_in *in)
{
    return in->pos < in->len ? in->data + in->pos : NULL;
}
