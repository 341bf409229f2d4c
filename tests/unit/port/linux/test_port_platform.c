/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of mbedtls_platform_setup/teardown of the Linux port and the hooks it installs: memory
 * goes to the context's heap, mbedtls_time() reads the context's clock, mbedtls_printf() reaches
 * the thread's log sink, and contexts nest and unwind cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "mbedtls/error.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "port/port_time.h"
#include "port_clock.h"
#include "port_heap.h"
#include "port_logsink.h"

static void test_setup_teardown_pair(void **state)
{
    struct port_heap heap;
    struct port_clock clock;
    mbedtls_platform_context ctx;
    void *p;

    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    port_heap_init(&heap, "dev", NULL);
    port_clock_init_virtual(&clock, 1700000000);
    ctx.heap = &heap;
    ctx.clock = &clock;

    assert_null(port_heap_active());
    assert_int_equal(mbedtls_platform_setup(&ctx), 0);
    assert_ptr_equal(port_heap_active(), &heap);
    assert_ptr_equal(port_clock_active(), &clock);
    /* A second setup of an active context changes nothing. */
    assert_int_equal(mbedtls_platform_setup(&ctx), 0);

    p = mbedtls_calloc(1, 100);
    assert_non_null(p);
    assert_int_equal(heap.live_bytes, 100);
    mbedtls_free(p);
    assert_int_equal(heap.live_bytes, 0);

    mbedtls_platform_teardown(&ctx);
    assert_null(port_heap_active());
    assert_null(port_clock_active());
    /* Teardown twice, and of a context never set up, are harmless. */
    mbedtls_platform_teardown(&ctx);
    mbedtls_platform_teardown(NULL);
    assert_int_equal(mbedtls_platform_setup(NULL), MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED);
}

static void test_contexts_nest(void **state)
{
    struct port_heap outer_heap;
    struct port_heap inner_heap;
    mbedtls_platform_context outer;
    mbedtls_platform_context inner;

    (void)state;
    memset(&outer, 0, sizeof(outer));
    memset(&inner, 0, sizeof(inner));
    port_heap_init(&outer_heap, "outer", NULL);
    port_heap_init(&inner_heap, "inner", NULL);
    outer.heap = &outer_heap;
    inner.heap = &inner_heap;

    assert_int_equal(mbedtls_platform_setup(&outer), 0);
    assert_int_equal(mbedtls_platform_setup(&inner), 0);
    assert_ptr_equal(port_heap_active(), &inner_heap);
    mbedtls_platform_teardown(&inner);
    assert_ptr_equal(port_heap_active(), &outer_heap);
    mbedtls_platform_teardown(&outer);
    assert_null(port_heap_active());
}

static void test_time_follows_the_virtual_clock(void **state)
{
    struct port_clock clock;
    mbedtls_platform_context ctx;
    mbedtls_time_t t = 0;

    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    port_clock_init_virtual(&clock, 1000);
    ctx.clock = &clock;
    assert_int_equal(mbedtls_platform_setup(&ctx), 0);

    assert_int_equal(mbedtls_time(NULL), 1000);
    assert_int_equal(port_time_ms(), 0);
    port_clock_advance(&clock, 2500000000ull);
    assert_int_equal(mbedtls_time(&t), 1002);
    assert_int_equal(t, 1002);
    assert_int_equal(port_time_ms(), 2500);

    mbedtls_platform_teardown(&ctx);
    /* Back on the host clock: a plausible present-day wall time. */
    assert_true(mbedtls_time(NULL) > 1600000000);
}

static void test_real_clock_is_monotonic(void **state)
{
    struct port_clock clock;
    uint64_t a;
    uint64_t b;

    (void)state;
    port_clock_init_real(&clock);
    a = port_clock_now_ns(&clock);
    b = port_clock_now_ns(&clock);
    assert_true(b >= a);
    port_clock_advance(&clock, 1000000000ull);
    assert_true(port_clock_now_ns(&clock) - b < 1000000000ull);
}

struct captured {
    int lines;
    enum port_log_level level;
    char module[32];
    char text[PORT_LOG_LINE_MAX];
};

static void capture(void *ctx, enum port_log_level level, const char *module, const char *line)
{
    struct captured *c = ctx;

    c->lines++;
    c->level = level;
    strncpy(c->module, module, sizeof(c->module) - 1);
    strncpy(c->text, line, sizeof(c->text) - 1);
}

static void test_printf_and_log_reach_the_sink(void **state)
{
    struct captured c;
    mbedtls_platform_context ctx;

    (void)state;
    memset(&c, 0, sizeof(c));
    memset(&ctx, 0, sizeof(ctx));
    assert_int_equal(mbedtls_platform_setup(&ctx), 0);
    port_logsink_set(capture, &c, PORT_LOG_INFO);

    /* Mbed TLS output is buffered until its newline, then becomes one INFO line. */
    assert_int_equal(mbedtls_printf("partial %d", 1), 9);
    assert_int_equal(c.lines, 0);
    mbedtls_printf(" done\nnext");
    assert_int_equal(c.lines, 1);
    assert_string_equal(c.module, "mbedtls");
    assert_string_equal(c.text, "partial 1 done");
    assert_int_equal(c.level, PORT_LOG_INFO);

    port_log(PORT_LOG_WARN, "boot", "slot %d bad", 1);
    assert_int_equal(c.lines, 2);
    assert_string_equal(c.module, "boot");
    assert_string_equal(c.text, "slot 1 bad");
    /* Lines below the sink's level are dropped. */
    port_log(PORT_LOG_DEBUG, "boot", "noise");
    assert_int_equal(c.lines, 2);

    port_logsink_set(NULL, NULL, PORT_LOG_INFO);
    mbedtls_platform_teardown(&ctx);
}

static void test_error_strings(void **state)
{
    (void)state;
    assert_string_equal(bo_strerror(0), "success");
    assert_string_equal(bo_strerror(BO_EPOWER), "power cut");
    assert_string_equal(bo_strerror(BO_EOS), "operating-system call failed");
    assert_string_equal(bo_strerror(BO_ERR_MIN_), "unknown error");
    assert_string_equal(bo_strerror(5), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_teardown_pair),
        cmocka_unit_test(test_contexts_nest),
        cmocka_unit_test(test_time_follows_the_virtual_clock),
        cmocka_unit_test(test_real_clock_is_monotonic),
        cmocka_unit_test(test_printf_and_log_reach_the_sink),
        cmocka_unit_test(test_error_strings),
    };
    return cmocka_run_group_tests_name("port_platform", tests, NULL, NULL);
}
