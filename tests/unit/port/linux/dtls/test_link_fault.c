/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the faulty link: the specification parser and formatter, and each fault on a real
 * libuv loop (rates of drop and duplicate, the MTU cap, a fixed delay, reordering, replay from
 * the seed, run-time changes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "bo_err.h"
#include "dtls/link_fault.h"

static void test_parse(void **state)
{
    struct link_fault_config lf;
    char err[128];

    (void)state;
    assert_int_equal(link_fault_parse(&lf,
                                      "drop=5,duplicate=5,delay=20,reorder=4,mtu=600,"
                                      "seed=7",
                                      err, sizeof(err)),
                     0);
    assert_int_equal(lf.drop_n, 5);
    assert_int_equal(lf.dup_n, 5);
    assert_int_equal(lf.delay_ms, 20);
    assert_int_equal(lf.reorder_n, 4);
    assert_int_equal(lf.mtu, 600);
    assert_int_equal(lf.seed, 7);
    assert_int_equal(
        link_fault_parse(&lf, " dup = 3 , seed=18446744073709551615", err, sizeof(err)), 0);
    assert_int_equal(lf.dup_n, 3);
    assert_int_equal(lf.drop_n, 0);
    assert_true(lf.seed == UINT64_MAX);
    assert_int_equal(link_fault_parse(&lf, "none", err, sizeof(err)), 0);
    assert_int_equal(lf.dup_n, 0);
    assert_int_equal(link_fault_parse(&lf, "", err, sizeof(err)), 0);

    static const char *const bad[] = {
        "drop",
        "drop=",
        "drop=x",
        "drop=-1",
        "drop=4294967296",
        "loss=3",
        "drop=1,drop=2",
        "drop=5,",
        "=5",
        "drop=5;dup=2",
        "seed=18446744073709551616",
        "drop=5,,dup=1",
    };
    lf.drop_n = 99;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(link_fault_parse(&lf, bad[i], err, sizeof(err)), BO_EINVAL);
        assert_true(err[0] != '\0');
        assert_int_equal(lf.drop_n, 99); /* Untouched on error. */
    }
    assert_int_equal(link_fault_parse(&lf, "drop=x", NULL, 0), BO_EINVAL);
}

static void test_format(void **state)
{
    struct link_fault_config lf, back;
    char buf[128];

    (void)state;
    memset(&lf, 0, sizeof(lf));
    assert_int_equal(link_fault_format(&lf, buf, sizeof(buf)), 4);
    assert_string_equal(buf, "none");
    lf.drop_n = 5;
    lf.reorder_n = 4;
    lf.seed = 9;
    assert_true(link_fault_format(&lf, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "drop=5,reorder=4,seed=9");
    assert_int_equal(link_fault_parse(&back, buf, NULL, 0), 0);
    assert_memory_equal(&back, &lf, sizeof(lf));
    assert_int_equal(link_fault_format(&lf, buf, 8), BO_ERANGE);
}

/* A receiver that records what the link delivers. */
struct sink {
    uint32_t seq[20000];
    size_t n;
    uint64_t at[20000];
    uv_loop_t *loop;
};

static void sink_deliver(void *ctx, const struct sockaddr *addr, const uint8_t *buf, size_t len)
{
    struct sink *s = ctx;

    assert_int_equal(addr->sa_family, AF_INET);
    assert_true(len >= 4);
    if (s->n < 20000) {
        memcpy(&s->seq[s->n], buf, 4);
        s->at[s->n] = uv_now(s->loop);
        s->n++;
    }
}

struct lf_fx {
    uv_loop_t loop;
    struct link_fault lf;
    struct sink sink;
    struct sockaddr_in addr;
    uint8_t big[2000];
};

static int lf_setup(void **state)
{
    static struct lf_fx f;

    memset(&f, 0, sizeof(f));
    if (uv_loop_init(&f.loop) != 0) {
        return -1;
    }
    f.sink.loop = &f.loop;
    uv_ip4_addr("127.0.0.1", 5684, &f.addr);
    link_fault_init(&f.lf);
    *state = &f;
    return 0;
}

static void lf_closed(void *arg)
{
    *(int *)arg = 1;
}

static int lf_teardown(void **state)
{
    struct lf_fx *f = *state;
    int closed = 0;

    link_fault_close(&f->lf, lf_closed, &closed);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    if (!closed || uv_loop_close(&f->loop) != 0) {
        return -1;
    }
    return 0;
}

static void lf_start(struct lf_fx *f, const char *spec)
{
    struct link_fault_config cfg;

    assert_int_equal(link_fault_parse(&cfg, spec, NULL, 0), 0);
    assert_int_equal(link_fault_setup(&f->lf, &f->loop, &cfg, 1, sink_deliver, &f->sink), 0);
}

static void lf_send(struct lf_fx *f, uint32_t seq, size_t len)
{
    memcpy(f->big, &seq, 4);
    (void)link_fault_input(&f->lf, (const struct sockaddr *)&f->addr, f->big, len);
}

static void test_perfect(void **state)
{
    struct lf_fx *f = *state;

    lf_start(f, "none");
    for (uint32_t i = 0; i < 100; i++) {
        lf_send(f, i, 10);
    }
    /* Synchronous: everything is there before the loop runs. */
    assert_int_equal(f->sink.n, 100);
    for (uint32_t i = 0; i < 100; i++) {
        assert_int_equal(f->sink.seq[i], i);
    }
}

static void test_drop_and_duplicate_rates(void **state)
{
    struct lf_fx *f = *state;
    struct link_fault_stats st;

    lf_start(f, "drop=5,duplicate=5,seed=1");
    for (uint32_t i = 0; i < 10000; i++) {
        lf_send(f, i, 10);
    }
    link_fault_stats(&f->lf, &st);
    assert_int_equal(st.input, 10000);
    /* 1 in 5 each, within a wide margin of the binomial mean (2000, sd 40). */
    assert_in_range(st.dropped, 1800, 2200);
    assert_in_range(st.duplicated, 1400, 1800); /* Of the 8000 not dropped. */
    assert_int_equal(f->sink.n, 10000 - st.dropped + st.duplicated);
    assert_int_equal(st.delivered, f->sink.n);
}

static void test_same_seed_same_faults(void **state)
{
    struct lf_fx *f = *state;
    static uint32_t first[20000];
    size_t n1;

    lf_start(f, "drop=3,duplicate=4,seed=42");
    for (uint32_t i = 0; i < 1000; i++) {
        lf_send(f, i, 10);
    }
    n1 = f->sink.n;
    memcpy(first, f->sink.seq, n1 * 4);
    /* Setting the same configuration again restarts the same draws. */
    struct link_fault_config cfg = *link_fault_get(&f->lf);
    link_fault_set(&f->lf, &cfg);
    f->sink.n = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        lf_send(f, i, 10);
    }
    assert_int_equal(f->sink.n, n1);
    assert_memory_equal(first, f->sink.seq, n1 * 4);
    /* Another seed gives other faults. */
    cfg.seed = 43;
    link_fault_set(&f->lf, &cfg);
    f->sink.n = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        lf_send(f, i, 10);
    }
    assert_true(f->sink.n != n1 || memcmp(first, f->sink.seq, n1 * 4) != 0);
}

static void test_mtu(void **state)
{
    struct lf_fx *f = *state;
    struct link_fault_stats st;

    lf_start(f, "mtu=600");
    lf_send(f, 1, 600);
    lf_send(f, 2, 601);
    lf_send(f, 3, 1500);
    lf_send(f, 4, 20);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(st.too_big, 2);
    assert_int_equal(f->sink.n, 2);
    assert_int_equal(f->sink.seq[0], 1);
    assert_int_equal(f->sink.seq[1], 4);
}

static void test_delay(void **state)
{
    struct lf_fx *f = *state;

    lf_start(f, "delay=50");
    uv_update_time(&f->loop);
    uint64_t t0 = uv_now(&f->loop);
    for (uint32_t i = 0; i < 5; i++) {
        lf_send(f, i, 10);
    }
    assert_int_equal(f->sink.n, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->sink.n, 5);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(f->sink.seq[i], i);
        assert_true(f->sink.at[i] >= t0 + 50);
    }
}

static void test_reorder(void **state)
{
    struct lf_fx *f = *state;
    struct link_fault_stats st;
    size_t swapped = 0;

    lf_start(f, "reorder=4,seed=3");
    for (uint32_t i = 0; i < 400; i++) {
        lf_send(f, i, 10);
    }
    /* The last one may wait for its hold time: the loop delivers it. */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(f->sink.n, 400);
    assert_in_range(st.reordered, 60, 140);
    for (size_t i = 1; i < f->sink.n; i++) {
        if (f->sink.seq[i] < f->sink.seq[i - 1]) {
            swapped++;
        }
    }
    assert_true(swapped > 0);
    /* Nothing is lost: every sequence number appears once. */
    static uint8_t seen[400];
    memset(seen, 0, sizeof(seen));
    for (size_t i = 0; i < f->sink.n; i++) {
        assert_true(f->sink.seq[i] < 400);
        assert_int_equal(seen[f->sink.seq[i]], 0);
        seen[f->sink.seq[i]] = 1;
    }
}

/*
 * A delay of 100 ms: nothing arrives before the loop runs, both datagrams arrive in order once
 * their due time passed, and their copies are freed. Two more, still queued when the link
 * closes, are freed undelivered (the counters say so; the sanitizer run of make check finds
 * a copy that close would leak).
 */
static void test_delay_then_close(void **state)
{
    struct lf_fx *f = *state;
    struct link_fault_stats st;
    int closed = 0;

    lf_start(f, "delay=100");
    uv_update_time(&f->loop);
    uint64_t t0 = uv_now(&f->loop);
    lf_send(f, 1, 10);
    lf_send(f, 2, 10);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(f->sink.n, 0);
    assert_int_equal(st.queued, 2);
    /* The loop returns when the queue is empty: the timer is its only handle. */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(f->sink.n, 2);
    assert_int_equal(f->sink.seq[0], 1);
    assert_int_equal(f->sink.seq[1], 2);
    assert_true(f->sink.at[0] >= t0 + 100);
    assert_true(f->sink.at[1] >= t0 + 100);
    assert_int_equal(st.delayed, 2);
    assert_int_equal(st.delivered, 2);
    assert_int_equal(st.queued, 0);

    lf_send(f, 3, 10);
    lf_send(f, 4, 10);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(st.queued, 2);
    link_fault_close(&f->lf, lf_closed, &closed);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_true(closed);
    link_fault_stats(&f->lf, &st);
    assert_int_equal(f->sink.n, 2); /* 3 and 4 never arrive. */
    assert_int_equal(st.queued, 0);
    assert_int_equal(st.discarded, 2);
    assert_int_equal(st.delivered, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),
        cmocka_unit_test_setup_teardown(test_perfect, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_drop_and_duplicate_rates, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_same_seed_same_faults, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_mtu, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_delay, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_reorder, lf_setup, lf_teardown),
        cmocka_unit_test_setup_teardown(test_delay_then_close, lf_setup, lf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
