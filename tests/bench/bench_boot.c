/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_boot: boot_go() validating a 1 MiB image (SHA-256 + ECDSA P-256) in the primary slot,
 * against the bare cost of that work measured in the same run: SHA-256 of 1 MiB in memory plus
 * one P-256 signature verification. Prints both medians and their ratio (target <= 1.2).
 * A figure, never a pass/fail on speed: it exits non-zero only when the benchmark itself fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/boot_fixture.h"
#include "support/interop.h"
#include "image/keys.h"
#include "mbedtls/pk.h"
#include "mbedtls/sha256.h"
#include "port_rng.h"

#define IMAGE_BYTES (1024u * 1024u)
#define RUNS 9

/* A board with room for a 1 MiB image: one 4 MiB NOR part in 4 KiB sectors. */
static const char bench_board[] = "[board]\n"
                                  "name = bench-4m\n"
                                  "[flash nor]\n"
                                  "sectors = 1024x4K\n"
                                  "write-unit = 4\n"
                                  "erased-value = 0xff\n"
                                  "semantics = nor\n"
                                  "[partition image-0-primary]\n"
                                  "offset = 0x0\n"
                                  "size = 0x180000\n"
                                  "[partition image-0-secondary]\n"
                                  "offset = 0x180000\n"
                                  "size = 0x180000\n"
                                  "[partition scratch]\n"
                                  "offset = 0x300000\n"
                                  "size = 0x20000\n";

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

/* The bare work: SHA-256 of the buffer, then one P-256 verify of a signature over it. */
static int baseline_once(const uint8_t *buf, size_t len, mbedtls_pk_context *pk, const uint8_t *sig,
                         size_t sig_len)
{
    uint8_t digest[32];
    int rc = mbedtls_sha256(buf, len, digest, 0);

    if (rc != 0) {
        return rc;
    }
    return mbedtls_pk_verify(pk, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, sig_len);
}

/* Loads the fixture key the bootloader trusts and signs the SHA-256 of buf with it. */
static int baseline_setup(struct keys_key *key, struct port_rng *rng, const uint8_t *buf,
                          size_t len, uint8_t *sig, size_t sig_size, size_t *sig_len)
{
    char path[512];
    char err[256];
    uint8_t digest[32];
    int rc;

    snprintf(path, sizeof(path), "%s/fixtures/keys/ec256.pem", interop_repo_root());
    rc = keys_load(key, path, port_rng_random, rng, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "bench_boot: %s\n", err);
        return rc;
    }
    rc = mbedtls_sha256(buf, len, digest, 0);
    if (rc != 0) {
        return rc;
    }
    return mbedtls_pk_sign(&key->pk, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig, sig_size,
                           sig_len, port_rng_random, rng);
}

int main(void)
{
    struct board board;
    struct bf f;
    struct bf_image img;
    struct boot_rsp rsp;
    struct keys_key key;
    struct port_rng rng;
    uint8_t *buf = NULL;
    size_t buf_len = 0;
    uint8_t sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    double t_boot[RUNS];
    double t_base[RUNS];
    int rc = 1;
    bool started = false;

    keys_init(&key);
    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, 1);
    if (port_rng_setup(&rng, "bench") != 0 || bf_global_setup() != 0 ||
        bf_board_text(&board, bench_board) != 0) {
        fprintf(stderr, "bench_boot: fixture setup failed\n");
        goto out;
    }
    if (bf_start(&f, &board, BOOT_MODE_SWAP_SCRATCH, 1) != 0) {
        fprintf(stderr, "bench_boot: cannot start the board\n");
        goto out;
    }
    started = true;
    bf_image_init(&img, 1, 0, 0, 0);
    img.total_len = IMAGE_BYTES;
    if (bf_install(&f, 0, BOOT_SLOT_PRIMARY, &img) != 0 ||
        bf_make_image(&f, &img, 0xff, &buf, &buf_len) != 0) {
        fprintf(stderr, "bench_boot: cannot build the 1 MiB image\n");
        goto out;
    }

    /* The baseline's key and signature: the fixture's trusted key signs the buffer's digest. */
    if (baseline_setup(&key, &rng, buf, buf_len, sig, sizeof(sig), &sig_len) != 0) {
        fprintf(stderr, "bench_boot: cannot sign the baseline digest\n");
        goto out;
    }

    for (int i = 0; i < RUNS; i++) {
        double t0 = now_s();
        if (bf_boot(&f, &rsp) != 0 || rsp.hash_len != 32) {
            fprintf(stderr, "bench_boot: boot_go failed\n");
            goto out;
        }
        double t1 = now_s();
        if (baseline_once(buf, buf_len, &key.pk, sig, sig_len) != 0) {
            fprintf(stderr, "bench_boot: baseline verify failed\n");
            goto out;
        }
        double t2 = now_s();
        t_boot[i] = t1 - t0;
        t_base[i] = t2 - t1;
    }
    double boot = median(t_boot, RUNS);
    double base = median(t_base, RUNS);
    printf("bench_boot: image %zu bytes, boot_go (validate primary) %.3f ms, "
           "limit (SHA-256 of 1 MiB + one P-256 verify) %.3f ms\n",
           buf_len, boot * 1e3, base * 1e3);
    printf("bench_boot: ratio %.3f (target <= 1.2)\n", boot / base);
    rc = 0;
out:
    free(buf);
    keys_free(&key);
    port_rng_free(&rng);
    if (started) {
        bf_stop(&f);
    }
    bf_global_teardown();
    return rc;
}
