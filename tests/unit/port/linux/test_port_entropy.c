/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the port's entropy source and RNG: the seeded mode replays, the system mode reads
 * getrandom(2) and falls back to /dev/urandom, and a failing source makes the DRBG fail cleanly.
 * OS failures are injected through the port_os table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#include "port_os.h"
#include "port_rng.h"

static mbedtls_platform_context platform;

static int group_setup(void **state)
{
    (void)state;
    return mbedtls_platform_setup(&platform);
}

static int group_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&platform);
    return 0;
}

static int reset_os(void **state)
{
    (void)state;
    port_os_reset();
    return 0;
}

/* Seeds an rng in seeded mode and draws len bytes; returns 0 or an error. */
static int draw_seeded(uint64_t seed, unsigned char *out, size_t len)
{
    struct port_rng rng;
    int rc;

    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, seed);
    rc = port_rng_setup(&rng, "test");
    if (rc == 0) {
        rc = port_rng_random(&rng, out, len);
    }
    port_rng_free(&rng);
    return rc;
}

static void test_seeded_replays_and_seeds_differ(void **state)
{
    unsigned char a[64];
    unsigned char b[64];
    unsigned char c[64];

    (void)state;
    assert_int_equal(draw_seeded(42, a, sizeof(a)), 0);
    assert_int_equal(draw_seeded(42, b, sizeof(b)), 0);
    assert_int_equal(draw_seeded(43, c, sizeof(c)), 0);
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, c, sizeof(a));
}

static void test_seeded_stream_is_independent_of_chunking(void **state)
{
    struct port_entropy one;
    struct port_entropy two;
    unsigned char whole[100];
    unsigned char parts[100];
    size_t olen = 0;

    (void)state;
    port_entropy_init(&one);
    port_entropy_init(&two);
    port_entropy_set_seed(&one, 7);
    port_entropy_set_seed(&two, 7);
    assert_int_equal(port_entropy_poll(&one, whole, sizeof(whole), &olen), 0);
    assert_int_equal(olen, sizeof(whole));
    for (size_t off = 0; off < sizeof(parts); off += 7) {
        size_t n = sizeof(parts) - off < 7 ? sizeof(parts) - off : 7;
        assert_int_equal(port_entropy_poll(&two, parts + off, n, &olen), 0);
        assert_int_equal(olen, n);
    }
    assert_memory_equal(whole, parts, sizeof(whole));
}

static void test_system_mode_gives_distinct_streams(void **state)
{
    struct port_rng r1;
    struct port_rng r2;
    unsigned char a[32];
    unsigned char b[32];

    (void)state;
    port_rng_init(&r1);
    port_rng_init(&r2);
    assert_int_equal(port_rng_setup(&r1, "one"), 0);
    assert_int_equal(port_rng_setup(&r2, "one"), 0);
    assert_int_equal(port_rng_random(&r1, a, sizeof(a)), 0);
    assert_int_equal(port_rng_random(&r2, b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_true(r1.source.polls > 0);
    assert_int_equal(r1.source.failures, 0);
    port_rng_free(&r1);
    port_rng_free(&r2);
}

static int opens;
static int getrandom_calls;

static ssize_t getrandom_enosys(void *buf, size_t len, unsigned int flags)
{
    (void)buf;
    (void)len;
    (void)flags;
    getrandom_calls++;
    errno = ENOSYS;
    return -1;
}

static ssize_t getrandom_eio(void *buf, size_t len, unsigned int flags)
{
    (void)buf;
    (void)len;
    (void)flags;
    getrandom_calls++;
    errno = EIO;
    return -1;
}

/* Returns at most 3 bytes per call, after one EINTR: the source must loop. */
static ssize_t getrandom_short(void *buf, size_t len, unsigned int flags)
{
    (void)flags;
    if (getrandom_calls++ == 0) {
        errno = EINTR;
        return -1;
    }
    len = len < 3 ? len : 3;
    memset(buf, 0xa5, len);
    return (ssize_t)len;
}

static int (*real_open)(const char *path, int flags, mode_t mode);

static int open_counting(const char *path, int flags, mode_t mode)
{
    opens++;
    assert_string_equal(path, "/dev/urandom");
    return real_open(path, flags, mode);
}

static int open_fails(const char *path, int flags, mode_t mode)
{
    (void)path;
    (void)flags;
    (void)mode;
    opens++;
    errno = ENOENT;
    return -1;
}

static void test_falls_back_to_urandom_without_getrandom(void **state)
{
    struct port_entropy src;
    unsigned char buf[48];
    unsigned char zero[48];
    size_t olen = 0;

    (void)state;
    opens = 0;
    getrandom_calls = 0;
    real_open = port_os.open;
    port_os.getrandom = getrandom_enosys;
    port_os.open = open_counting;
    port_entropy_init(&src);
    memset(buf, 0, sizeof(buf));
    memset(zero, 0, sizeof(zero));
    assert_int_equal(port_entropy_poll(&src, buf, sizeof(buf), &olen), 0);
    assert_int_equal(olen, sizeof(buf));
    assert_int_equal(getrandom_calls, 1);
    assert_int_equal(opens, 1);
    assert_memory_not_equal(buf, zero, sizeof(buf));
}

static void test_short_reads_and_eintr_are_retried(void **state)
{
    struct port_entropy src;
    unsigned char buf[10];
    size_t olen = 0;

    (void)state;
    getrandom_calls = 0;
    port_os.getrandom = getrandom_short;
    port_entropy_init(&src);
    assert_int_equal(port_entropy_poll(&src, buf, sizeof(buf), &olen), 0);
    assert_int_equal(olen, sizeof(buf));
    assert_int_equal(getrandom_calls, 1 + 4);
}

static void test_getrandom_error_fails_the_source(void **state)
{
    struct port_entropy src;
    unsigned char buf[16];
    size_t olen = 99;

    (void)state;
    opens = 0;
    port_os.getrandom = getrandom_eio;
    port_os.open = open_fails;
    port_entropy_init(&src);
    assert_int_equal(port_entropy_poll(&src, buf, sizeof(buf), &olen),
                     MBEDTLS_ERR_ENTROPY_SOURCE_FAILED);
    assert_int_equal(olen, 0);
    /* EIO is not "no such call": there is no silent fallback to another source. */
    assert_int_equal(opens, 0);
    assert_int_equal(src.failures, 1);
}

static void test_no_source_at_all_fails_rng_setup(void **state)
{
    struct port_rng rng;

    (void)state;
    port_os.getrandom = getrandom_enosys;
    port_os.open = open_fails;
    port_rng_init(&rng);
    assert_int_equal(port_rng_setup(&rng, "x"), BO_EENTROPY);
    port_rng_free(&rng);
}

static void test_failing_source_makes_reseed_fail(void **state)
{
    struct port_rng rng;
    unsigned char buf[16];

    (void)state;
    port_rng_init(&rng);
    port_entropy_set_failing(&rng.source);
    assert_int_equal(port_rng_setup(&rng, "x"), BO_EENTROPY);
    port_rng_free(&rng);

    /* A source that fails after seeding makes the next reseed, and so the output, fail. */
    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, 1);
    assert_int_equal(port_rng_setup(&rng, "x"), 0);
    assert_int_equal(port_rng_random(&rng, buf, sizeof(buf)), 0);
    port_entropy_set_failing(&rng.source);
    mbedtls_ctr_drbg_set_prediction_resistance(&rng.drbg, MBEDTLS_CTR_DRBG_PR_ON);
    assert_int_equal(port_rng_random(&rng, buf, sizeof(buf)),
                     MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED);
    port_rng_free(&rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeded_replays_and_seeds_differ),
        cmocka_unit_test(test_seeded_stream_is_independent_of_chunking),
        cmocka_unit_test(test_system_mode_gives_distinct_streams),
        cmocka_unit_test_teardown(test_falls_back_to_urandom_without_getrandom, reset_os),
        cmocka_unit_test_teardown(test_short_reads_and_eintr_are_retried, reset_os),
        cmocka_unit_test_teardown(test_getrandom_error_fails_the_source, reset_os),
        cmocka_unit_test_teardown(test_no_source_at_all_fails_rng_setup, reset_os),
        cmocka_unit_test_teardown(test_failing_source_makes_reseed_fail, reset_os),
    };
    return cmocka_run_group_tests_name("port_entropy", tests, group_setup, group_teardown);
}
