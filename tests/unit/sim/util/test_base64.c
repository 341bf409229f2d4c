/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the strict base64 codec: RFC 4648 vectors, round trips, and the texts it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"

/* RFC 4648 section 10. */
static const char *const rfc_plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
static const char *const rfc_text[] = { "",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

static void test_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rfc_plain) / sizeof(rfc_plain[0]); i++) {
        size_t n = strlen(rfc_plain[i]);
        char *text = base64_encode((const uint8_t *)rfc_plain[i], n);
        uint8_t out[8];

        assert_non_null(text);
        assert_string_equal(text, rfc_text[i]);
        free(text);
        assert_int_equal(base64_decoded_len(rfc_text[i], strlen(rfc_text[i])), (long long)n);
        assert_int_equal(base64_decode(rfc_text[i], strlen(rfc_text[i]), out), 0);
        assert_memory_equal(out, rfc_plain[i], n);
    }
}

static void test_round_trip(void **state)
{
    uint8_t in[70];
    uint8_t out[70];

    (void)state;
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 37u + 11u);
    }
    for (size_t n = 0; n <= sizeof(in); n++) {
        char *text = base64_encode(in, n);

        assert_non_null(text);
        assert_int_equal(strlen(text), (n + 2) / 3 * 4);
        assert_int_equal(base64_decoded_len(text, strlen(text)), (long long)n);
        memset(out, 0, sizeof(out));
        assert_int_equal(base64_decode(text, strlen(text), out), 0);
        assert_memory_equal(out, in, n);
        free(text);
    }
}

static void test_refuses(void **state)
{
    /* Each is wrong in one way only. */
    static const char *const bad[] = {
        "Zg=",   /* length not a multiple of 4 */
        "Zm9vY", /* length not a multiple of 4 */
        "Zh==",  /* bits under the padding not zero */
        "Zm9=",  /* bits under the padding not zero */
        "Zm 9v", /* a blank inside */
        "Zm9v\nYmFy",
        "Zm9v\r\nYmFy",
        "Zm9v    ",         /* trailing blanks */
        "Zm9v\n\n\n\nZm9v", /* line breaks Mbed TLS alone skips, length a multiple of 4 */
        "Zm9v\r\n\r\nZm9v",
        "Zg==Zg==", /* padding inside */
        "Z===",     /* too much padding */
        "====",     /* padding only */
        "Zm9-",     /* URL-safe alphabet */
        "Zm9\x80",  /* not ASCII */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t out[16];

        assert_int_equal(base64_decoded_len(bad[i], strlen(bad[i])), -1);
        assert_int_equal(base64_decode(bad[i], strlen(bad[i]), out), -1);
    }
    /* A NUL inside the text (the length says where it ends). */
    assert_int_equal(base64_decoded_len("Zm\0v", 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
