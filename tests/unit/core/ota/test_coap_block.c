/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the RFC 7959 block option values: sizes of every SZX, the shortest encodings
 * (NUM 0/M 0/SZX 0 is empty, 1, 2 and 3 bytes), round trips at the NUM limits, SZX 7 and
 * over-long values refused, offsets with overflow checks, and the option read from a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "ota/coap_block.h"

static void test_sizes(void **state)
{
    (void)state;
    uint8_t szx;

    assert_int_equal(coap_block_size(0), 16);
    assert_int_equal(coap_block_size(4), 256);
    assert_int_equal(coap_block_size(6), 1024);
    assert_int_equal(coap_block_szx_for(1024, &szx), 0);
    assert_int_equal(szx, 6);
    assert_int_equal(coap_block_szx_for(5000, &szx), 0);
    assert_int_equal(szx, 6);
    assert_int_equal(coap_block_szx_for(600, &szx), 0);
    assert_int_equal(szx, 5);
    assert_int_equal(coap_block_szx_for(16, &szx), 0);
    assert_int_equal(szx, 0);
    assert_int_equal(coap_block_szx_for(15, &szx), BO_EINVAL);
}

static void test_encodings(void **state)
{
    (void)state;
    struct coap_block b = { 0, false, 0 };
    uint8_t v[3];
    size_t len;

    assert_int_equal(coap_block_encode(&b, v, &len), 0);
    assert_int_equal(len, 0);
    b.szx = 6;
    b.more = true;
    assert_int_equal(coap_block_encode(&b, v, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(v[0], 0x0e);
    b.num = 15;
    assert_int_equal(coap_block_encode(&b, v, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(v[0], 0xfe);
    b.num = 16;
    assert_int_equal(coap_block_encode(&b, v, &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(v[0], 0x01);
    assert_int_equal(v[1], 0x0e);
    b.num = 4096;
    b.more = false;
    b.szx = 2;
    assert_int_equal(coap_block_encode(&b, v, &len), 0);
    assert_int_equal(len, 3);
    assert_int_equal(v[0], 0x01);
    assert_int_equal(v[1], 0x00);
    assert_int_equal(v[2], 0x02);
    b.num = COAP_BLOCK_NUM_MAX + 1;
    assert_int_equal(coap_block_encode(&b, v, &len), BO_EINVAL);
    b.num = 1;
    b.szx = 7;
    assert_int_equal(coap_block_encode(&b, v, &len), BO_EINVAL);
}

static void test_round_trips(void **state)
{
    (void)state;
    const uint32_t nums[] = { 0, 1, 15, 16, 4095, 4096, COAP_BLOCK_NUM_MAX };
    size_t i;
    uint8_t szx;

    for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        for (szx = 0; szx <= 6; szx++) {
            struct coap_block in = { nums[i], (i & 1) != 0, szx };
            struct coap_block out;
            uint8_t v[3];
            size_t len;

            assert_int_equal(coap_block_encode(&in, v, &len), 0);
            assert_int_equal(coap_block_decode(v, len, &out), 0);
            assert_int_equal(out.num, in.num);
            assert_int_equal(out.more, in.more);
            assert_int_equal(out.szx, in.szx);
        }
    }
}

static void test_decode_refusals(void **state)
{
    (void)state;
    const uint8_t szx7[] = { 0x17 };
    const uint8_t four[] = { 0, 0, 0x10, 0x06 };
    struct coap_block b;

    assert_int_equal(coap_block_decode(szx7, 1, &b), BO_EINVAL);
    assert_int_equal(coap_block_decode(four, 4, &b), BO_EINVAL);
    assert_int_equal(coap_block_decode(NULL, 0, &b), 0);
    assert_int_equal(b.num, 0);
    assert_false(b.more);
    assert_int_equal(b.szx, 0);
}

static void test_offsets(void **state)
{
    (void)state;
    struct coap_block b = { 3, true, 6 };
    uint32_t off;

    assert_int_equal(coap_block_offset(&b, &off), 0);
    assert_int_equal(off, 3072);
    b.num = COAP_BLOCK_NUM_MAX;
    assert_int_equal(coap_block_offset(&b, &off), 0);
    assert_int_equal(off, COAP_BLOCK_NUM_MAX * 1024u);
}

static void test_from_message(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct coap_msg_writer w;
    struct coap_msg m;
    struct coap_block b = { 5, true, 4 };
    struct coap_block got;
    size_t len;

    coap_msg_write_init(&w, buf, sizeof(buf), COAP_TYPE_CON, COAP_PUT, 9, NULL, 0);
    coap_block_write(&w, COAP_OPT_BLOCK1, &b);
    assert_int_equal(coap_msg_write_finish(&w, &len), 0);
    assert_int_equal(coap_msg_parse(&m, buf, len), 0);
    assert_int_equal(coap_block_from_msg(&m, COAP_OPT_BLOCK1, &got), 1);
    assert_int_equal(got.num, 5);
    assert_true(got.more);
    assert_int_equal(got.szx, 4);
    assert_int_equal(coap_block_from_msg(&m, COAP_OPT_BLOCK2, &got), 0);
    /* Repeated: refused. */
    coap_msg_write_init(&w, buf, sizeof(buf), COAP_TYPE_CON, COAP_PUT, 9, NULL, 0);
    coap_block_write(&w, COAP_OPT_BLOCK1, &b);
    coap_block_write(&w, COAP_OPT_BLOCK1, &b);
    assert_int_equal(coap_msg_write_finish(&w, &len), 0);
    assert_int_equal(coap_msg_parse(&m, buf, len), 0);
    assert_int_equal(coap_block_from_msg(&m, COAP_OPT_BLOCK1, &got), BO_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),       cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_round_trips), cmocka_unit_test(test_decode_refusals),
        cmocka_unit_test(test_offsets),     cmocka_unit_test(test_from_message),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
