/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the accounted allocator given to Mbed TLS: accounting balances to zero after real
 * crypto and DTLS work, budgets refuse allocations, and "fail allocation N" makes every
 * allocation of a P-256 key generation fail cleanly in turn, with nothing leaked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mbedtls/ecdsa.h"
#include "mbedtls/error.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#include "port_heap.h"
#include "port_rng.h"

struct fixture {
    struct port_heap heap;
    mbedtls_platform_context platform;
};

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof(f));
    port_heap_init(&f.heap, "test", NULL);
    f.platform.heap = &f.heap;
    if (mbedtls_platform_setup(&f.platform) != 0) {
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mbedtls_platform_teardown(&f->platform);
    return 0;
}

/* Generates a P-256 key, signs a digest and verifies the signature; returns 0 or an error. */
static int ecdsa_round_trip(struct port_rng *rng)
{
    unsigned char digest[32];
    unsigned char sig[MBEDTLS_ECDSA_MAX_LEN];
    size_t sig_len = 0;
    mbedtls_ecdsa_context key;
    int rc;

    mbedtls_ecdsa_init(&key);
    rc = mbedtls_sha256((const unsigned char *)"brownout", 8, digest, 0);
    if (rc != 0) {
        goto out;
    }
    rc = mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, port_rng_random, rng);
    if (rc != 0) {
        goto out;
    }
    rc = mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, digest, sizeof(digest), sig,
                                       sizeof(sig), &sig_len, port_rng_random, rng);
    if (rc != 0) {
        goto out;
    }
    rc = mbedtls_ecdsa_read_signature(&key, digest, sizeof(digest), sig, sig_len);
out:
    mbedtls_ecdsa_free(&key);
    return rc;
}

static void test_ecdsa_sign_verify_balances(void **state)
{
    struct fixture *f = *state;
    struct port_rng rng;

    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, 1);
    assert_int_equal(port_rng_setup(&rng, "heap"), 0);
    assert_int_equal(ecdsa_round_trip(&rng), 0);
    port_rng_free(&rng);

    assert_true(f->heap.alloc_count > 0);
    assert_true(f->heap.peak_bytes > 0);
    assert_int_equal(f->heap.live_bytes, 0);
    assert_int_equal(f->heap.live_count, 0);
    assert_int_equal(f->heap.failed_count, 0);
}

static void test_dtls_context_setup_free_balances(void **state)
{
    struct fixture *f = *state;
    struct port_rng rng;
    mbedtls_ssl_config conf;
    mbedtls_ssl_cookie_ctx cookie;
    mbedtls_ssl_context ssl;

    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, 2);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_cookie_init(&cookie);
    mbedtls_ssl_init(&ssl);

    assert_int_equal(port_rng_setup(&rng, "dtls"), 0);
    assert_int_equal(mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER,
                                                 MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    mbedtls_ssl_conf_rng(&conf, port_rng_random, &rng);
    assert_int_equal(mbedtls_ssl_cookie_setup(&cookie, port_rng_random, &rng), 0);
    mbedtls_ssl_conf_dtls_cookies(&conf, mbedtls_ssl_cookie_write, mbedtls_ssl_cookie_check,
                                  &cookie);
    assert_int_equal(mbedtls_ssl_setup(&ssl, &conf), 0);
    /* The record buffers are on the accounted heap while the context lives. */
    assert_true(f->heap.live_bytes >= MBEDTLS_SSL_IN_CONTENT_LEN + MBEDTLS_SSL_OUT_CONTENT_LEN);

    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_cookie_free(&cookie);
    mbedtls_ssl_config_free(&conf);
    port_rng_free(&rng);
    assert_int_equal(f->heap.live_bytes, 0);
    assert_int_equal(f->heap.live_count, 0);
}

/* Generates a P-256 key pair; returns 0 or the Mbed TLS error. */
static int p256_keygen(struct port_rng *rng)
{
    mbedtls_ecp_keypair key;
    int rc;

    mbedtls_ecp_keypair_init(&key);
    rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &key, port_rng_random, rng);
    mbedtls_ecp_keypair_free(&key);
    return rc;
}

/*
 * Runs a P-256 key generation charged to keygen_heap, with a fresh RNG of a fixed seed (charged
 * to rng_heap, so injection hits only the key generation), so that every run makes the same
 * allocations in the same order.
 */
static int p256_keygen_fixed(struct port_heap *rng_heap, struct port_heap *keygen_heap)
{
    struct port_rng rng;
    struct port_heap *prev = port_heap_activate(rng_heap);
    int rc;

    port_rng_init(&rng);
    port_entropy_set_seed(&rng.source, 3);
    rc = port_rng_setup(&rng, "keygen");
    if (rc == 0) {
        port_heap_activate(keygen_heap);
        rc = p256_keygen(&rng);
        port_heap_activate(rng_heap);
    }
    port_rng_free(&rng);
    port_heap_activate(prev);
    return rc;
}

static void test_fail_every_allocation_of_p256_keygen(void **state)
{
    struct port_heap rng_heap;
    struct port_heap heap;
    unsigned long total;

    (void)state;
    port_heap_init(&rng_heap, "rng", NULL);

    /* Count the allocations of one clean run. */
    port_heap_init(&heap, "count", NULL);
    assert_int_equal(p256_keygen_fixed(&rng_heap, &heap), 0);
    total = heap.alloc_count;
    assert_true(total > 10);
    assert_int_equal(heap.live_bytes, 0);

    for (unsigned long n = 1; n <= total; n++) {
        int rc;

        port_heap_init(&heap, "inject", NULL);
        heap.fail_at = n;
        rc = p256_keygen_fixed(&rng_heap, &heap);
        /* Each allocation failure surfaces as an ALLOC_FAILED code of the module that asked. */
        if (rc != MBEDTLS_ERR_MPI_ALLOC_FAILED && rc != MBEDTLS_ERR_ECP_ALLOC_FAILED) {
            char text[128];
            mbedtls_strerror(rc, text, sizeof(text));
            fail_msg("allocation %lu of %lu: expected ALLOC_FAILED, got -0x%04x (%s)", n, total,
                     (unsigned)-rc, text);
        }
        assert_int_equal(heap.failed_count, 1);
        assert_int_equal(heap.live_bytes, 0);
        assert_int_equal(heap.live_count, 0);
        assert_int_equal(rng_heap.live_bytes, 0);
    }
}

static void test_budget_refuses_and_parent_is_charged(void **state)
{
    struct fixture *f = *state;
    struct port_heap session;
    void *a;
    void *b;
    void *c;

    port_heap_init(&f->heap, "device", NULL);
    f->heap.budget = 1000;
    port_heap_init(&session, "session", &f->heap);
    port_heap_activate(&session);

    a = mbedtls_calloc(1, 600);
    assert_non_null(a);
    assert_int_equal(session.live_bytes, 600);
    assert_int_equal(f->heap.live_bytes, 600);
    /* The parent's budget applies to the child's allocation. */
    b = mbedtls_calloc(1, 401);
    assert_null(b);
    assert_int_equal(f->heap.failed_count, 1);
    assert_int_equal(session.failed_count, 1);
    b = mbedtls_calloc(4, 100);
    assert_non_null(b);
    assert_int_equal(f->heap.live_bytes, 1000);
    assert_int_equal(f->heap.peak_bytes, 1000);
    /* A product that overflows size_t is refused, not wrapped. */
    c = mbedtls_calloc(SIZE_MAX / 2, 4);
    assert_null(c);

    /* A block is credited to its owner even when freed under another heap. */
    port_heap_activate(&f->heap);
    mbedtls_free(a);
    mbedtls_free(b);
    mbedtls_free(NULL);
    assert_int_equal(session.live_bytes, 0);
    assert_int_equal(f->heap.live_bytes, 0);
    assert_int_equal(f->heap.live_count, 0);
    assert_int_equal(session.peak_bytes, 1000);
}

static void test_memory_is_zeroed_and_aligned(void **state)
{
    (void)state;
    unsigned char *p = mbedtls_calloc(3, 37);

    assert_non_null(p);
    assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    for (size_t i = 0; i < 3 * 37; i++) {
        assert_int_equal(p[i], 0);
    }
    mbedtls_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ecdsa_sign_verify_balances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dtls_context_setup_free_balances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_every_allocation_of_p256_keygen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_refuses_and_parent_is_charged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_is_zeroed_and_aligned, setup, teardown),
    };
    return cmocka_run_group_tests_name("port_heap", tests, NULL, NULL);
}
