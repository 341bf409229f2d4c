/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the fault models' generator against the published splitmix64 and xoshiro256**
 * sequences, and of its uniform draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vflash/vflash_prng.h"

static void test_prng_vectors(void **state)
{
    static const uint64_t sm[4] = { 0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
                                    0x06c45d188009454full, 0xf88bb8a8724c81ecull };
    static const uint64_t xo[4] = { 11520u, 0u, 1509978240u, 1215971899390074240ull };
    struct vflash_prng p = { { 1, 2, 3, 4 } };
    uint64_t x = 0;
    int seen[10] = { 0 };

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(vflash_prng_splitmix64(&x), sm[i]);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(vflash_prng_next(&p), xo[i]);
    }
    vflash_prng_seed(&p, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(p.s[i], sm[i]);
    }
    assert_int_equal(vflash_prng_next(&p), 0x99ec5f36cb75f2b4ull);
    for (int i = 0; i < 1000; i++) {
        uint64_t v = vflash_prng_below(&p, 10);

        assert_true(v < 10);
        seen[v]++;
    }
    for (int i = 0; i < 10; i++) {
        assert_in_range(seen[i], 60, 140);
    }
    assert_int_equal(vflash_prng_below(&p, 0), 0);
    assert_int_not_equal(vflash_prng_derive(1, 1), vflash_prng_derive(1, 2));
    assert_int_not_equal(vflash_prng_derive(1, 1), vflash_prng_derive(2, 1));
}

/* Every seed gives the same sequence twice; nearby seeds give unrelated ones. */
static void test_prng_streams(void **state)
{
    struct vflash_prng a;
    struct vflash_prng b;

    (void)state;
    for (uint64_t seed = 0; seed < 16; seed++) {
        vflash_prng_seed(&a, seed);
        vflash_prng_seed(&b, seed);
        for (int i = 0; i < 64; i++) {
            assert_int_equal(vflash_prng_next(&a), vflash_prng_next(&b));
        }
        vflash_prng_seed(&b, seed + 1);
        assert_int_not_equal(vflash_prng_next(&a), vflash_prng_next(&b));
    }
    /* below(1) is always 0; below(2^63 + 1) still returns values in range. */
    for (int i = 0; i < 64; i++) {
        assert_int_equal(vflash_prng_below(&a, 1), 0);
        assert_true(vflash_prng_below(&a, (1ull << 63) + 1) <= (1ull << 63));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prng_vectors),
        cmocka_unit_test(test_prng_streams),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
