/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the network keys of a [device] section (sim/config/config_net.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "config/daemon_config.h"

static char err[CONFIG_ERR_MAX];

static int set(struct config_net *n, const char *key, const char *value)
{
    err[0] = '\0';
    return config_net_set(n, key, value, "/etc/bo", err, sizeof(err));
}

static void test_address(void **state)
{
    struct config_net n;

    (void)state;
    config_net_init(&n);
    assert_false(n.enabled);
    assert_int_equal(set(&n, "address", "127.0.0.1:5684"), 0);
    assert_true(n.enabled);
    assert_string_equal(n.host, "127.0.0.1");
    assert_int_equal(n.port, 5684);
    assert_int_equal(set(&n, "address", "[::1]:0"), 0);
    assert_string_equal(n.host, "::1");
    assert_int_equal(n.port, 0);
    assert_int_equal(set(&n, "address", "127.0.0.1"), BO_EINVAL);
    assert_non_null(strstr(err, "IPV4:PORT"));
    assert_int_equal(set(&n, "address", "127.0.0:5684"), BO_EINVAL);
    assert_int_equal(set(&n, "address", "127.0.0.1:65536"), BO_EINVAL);
    assert_int_equal(set(&n, "address", "localhost:5684"), BO_EINVAL);
    assert_int_equal(set(&n, "address", "::1:5684"), BO_EINVAL);
    assert_int_equal(set(&n, "address", "[::1:5684"), BO_EINVAL);
    assert_int_equal(set(&n, "address", ":5684"), BO_EINVAL);
    /* A failed key leaves the last good value. */
    assert_string_equal(n.host, "::1");
}

static void test_psk(void **state)
{
    struct config_net n;
    char key[2 * CONFIG_PSK_MAX + 3];

    (void)state;
    config_net_init(&n);
    assert_int_equal(set(&n, "psk", "00A1ff"), 0);
    assert_int_equal(n.psk_len, 3);
    assert_int_equal(n.psk[0], 0x00);
    assert_int_equal(n.psk[1], 0xa1);
    assert_int_equal(n.psk[2], 0xff);
    assert_int_equal(set(&n, "psk", "abc"), BO_EINVAL);
    assert_int_equal(set(&n, "psk", ""), BO_EINVAL);
    assert_int_equal(set(&n, "psk", "zz"), BO_EINVAL);
    memset(key, 'a', 2 * CONFIG_PSK_MAX);
    key[2 * CONFIG_PSK_MAX] = '\0';
    assert_int_equal(set(&n, "psk", key), 0);
    assert_int_equal(n.psk_len, CONFIG_PSK_MAX);
    strcat(key, "aa");
    assert_int_equal(set(&n, "psk", key), BO_EINVAL);
    assert_int_equal(set(&n, "psk-identity", "client 1"), BO_EINVAL);
    assert_int_equal(set(&n, "psk-identity", ""), BO_EINVAL);
    assert_int_equal(set(&n, "psk-identity", "client-1"), 0);
    assert_string_equal(n.psk_identity, "client-1");
}

static void test_numbers_and_paths(void **state)
{
    struct config_net n;

    (void)state;
    config_net_init(&n);
    assert_int_equal(set(&n, "idle-timeout", "30s"), 0);
    assert_int_equal(n.idle_timeout_ms, 30000);
    assert_int_equal(set(&n, "idle-timeout", "250ms"), 0);
    assert_int_equal(n.idle_timeout_ms, 250);
    assert_int_equal(set(&n, "idle-timeout", "1200"), 0);
    assert_int_equal(n.idle_timeout_ms, 1200);
    assert_int_equal(set(&n, "idle-timeout", "86401s"), BO_EINVAL);
    assert_int_equal(set(&n, "idle-timeout", "-1"), BO_EINVAL);
    assert_int_equal(set(&n, "idle-timeout", "s"), BO_EINVAL);
    assert_int_equal(set(&n, "dtls-timeout-min", "1x"), BO_EINVAL);
    assert_int_equal(set(&n, "heap-budget", "64K"), 0);
    assert_int_equal(n.heap_budget, 65536);
    assert_int_equal(set(&n, "heap-budget", "2MiB"), 0);
    assert_int_equal(n.heap_budget, 2 * 1024 * 1024);
    assert_int_equal(set(&n, "heap-budget", "5G"), BO_EINVAL);
    assert_int_equal(set(&n, "max-sessions", "100001"), BO_EINVAL);
    assert_int_equal(set(&n, "max-sessions", "8"), 0);
    assert_int_equal(n.max_sessions, 8);
    assert_int_equal(set(&n, "max-handshakes", "100001"), BO_EINVAL);
    assert_int_equal(set(&n, "max-handshakes", "3"), 0);
    assert_int_equal(n.max_handshakes, 3);
    assert_int_equal(set(&n, "handshake-deadline", "2s"), 0);
    assert_int_equal(n.hs_deadline_ms, 2000);
    assert_int_equal(set(&n, "handshake-deadline", "soon"), BO_EINVAL);
    assert_int_equal(set(&n, "confirm", "auto"), 0);
    assert_int_equal(n.confirm, CONFIG_CONFIRM_AUTO);
    assert_int_equal(set(&n, "confirm", "sometimes"), BO_EINVAL);
    assert_int_equal(set(&n, "require-client-cert", "yes-please"), BO_EINVAL);
    assert_int_equal(set(&n, "certificate", "pki/dev.pem"), 0);
    assert_string_equal(n.certificate, "/etc/bo/pki/dev.pem");
    assert_int_equal(set(&n, "ca", "/abs/ca.pem"), 0);
    assert_string_equal(n.ca, "/abs/ca.pem");
    assert_int_equal(set(&n, "link", "drop=5,duplicate=5,reorder=4,seed=3"), 0);
    assert_string_equal(n.link, "drop=5,duplicate=5,reorder=4,seed=3");
    assert_int_equal(set(&n, "link", "drop=five"), BO_EINVAL);
    assert_int_equal(set(&n, "link", "sideways=1"), BO_EINVAL);
    assert_int_equal(set(&n, "board", "x"), BO_ENOENT);
    assert_string_equal(err, "");
}

static void test_check(void **state)
{
    struct config_net n;

    (void)state;
    config_net_init(&n);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), 0);
    assert_int_equal(set(&n, "psk-identity", "a"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "need an address"));
    assert_int_equal(set(&n, "address", "127.0.0.1:0"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "go together"));
    assert_int_equal(set(&n, "psk", "01"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), 0);
    assert_int_equal(set(&n, "require-client-cert", "true"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), BO_EINVAL);
    assert_int_equal(set(&n, "certificate", "d.pem"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), BO_EINVAL);
    assert_int_equal(set(&n, "private-key", "d.key"), 0);
    assert_int_equal(set(&n, "ca", "ca.pem"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), 0);
    assert_int_equal(set(&n, "dtls-timeout-min", "5s"), 0);
    assert_int_equal(set(&n, "dtls-timeout-max", "1s"), 0);
    assert_int_equal(config_net_check(&n, err, sizeof(err)), BO_EINVAL);
}

/* config_net_pairs() gives back what config_net_set() reads: how brownout-fw gets the keys. */
static void test_pairs_round_trip(void **state)
{
    struct config_net n;
    struct config_net back;
    char pairs[CONFIG_NET_PAIRS][CONFIG_NET_PAIR_MAX];
    size_t count;
    size_t i;

    (void)state;
    config_net_init(&n);
    assert_int_equal(config_net_pairs(&n, pairs, CONFIG_NET_PAIRS), 0);
    assert_int_equal(set(&n, "address", "[::1]:5684"), 0);
    assert_int_equal(set(&n, "psk-identity", "id"), 0);
    assert_int_equal(set(&n, "psk", "00ff10"), 0);
    assert_int_equal(set(&n, "certificate", "c.pem"), 0);
    assert_int_equal(set(&n, "private-key", "c.key"), 0);
    assert_int_equal(set(&n, "ca", "ca.pem"), 0);
    assert_int_equal(set(&n, "require-client-cert", "true"), 0);
    assert_int_equal(set(&n, "confirm", "never"), 0);
    assert_int_equal(set(&n, "heap-budget", "48K"), 0);
    assert_int_equal(set(&n, "max-sessions", "3"), 0);
    assert_int_equal(set(&n, "max-handshakes", "2"), 0);
    assert_int_equal(set(&n, "handshake-deadline", "750ms"), 0);
    assert_int_equal(set(&n, "idle-timeout", "9s"), 0);
    assert_int_equal(set(&n, "dtls-timeout-min", "200ms"), 0);
    assert_int_equal(set(&n, "dtls-timeout-max", "2s"), 0);
    assert_int_equal(set(&n, "link", "drop=3"), 0);
    count = config_net_pairs(&n, pairs, CONFIG_NET_PAIRS);
    assert_true(count > 10 && count <= CONFIG_NET_PAIRS);
    config_net_init(&back);
    for (i = 0; i < count; i++) {
        char *eq = strchr(pairs[i], '=');

        assert_non_null(eq);
        *eq = '\0';
        assert_int_equal(config_net_set(&back, pairs[i], eq + 1, "", err, sizeof(err)), 0);
    }
    assert_memory_equal(&n, &back, sizeof(n));
}

/* In an INI file, errors name FILE:LINE, and check names the device's section line. */
static void test_ini(void **state)
{
    static struct config cfg;
    static const char bad_value[] = "[device d]\nboard = b.ini\nflash-in-ram = true\n"
                                    "address = 127.0.0.1:99999\n";
    static const char bad_combo[] = "\n[device d]\nboard = b.ini\nflash-in-ram = true\n"
                                    "address = 127.0.0.1:5684\n";

    (void)state;
    config_free(&cfg);
    config_init(&cfg);
    assert_int_equal(config_parse_text(&cfg, bad_value, "/x/ota.ini", err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "/x/ota.ini:4:"));
    config_free(&cfg);
    config_init(&cfg);
    snprintf(cfg.file, sizeof(cfg.file), "/x/ota.ini");
    assert_int_equal(config_parse_text(&cfg, bad_combo, "/x/ota.ini", err, sizeof(err)), 0);
    assert_int_equal(config_check(&cfg, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "/x/ota.ini:2:"));
    assert_non_null(strstr(err, "needs psk-identity"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address),           cmocka_unit_test(test_psk),
        cmocka_unit_test(test_numbers_and_paths), cmocka_unit_test(test_check),
        cmocka_unit_test(test_pairs_round_trip),  cmocka_unit_test(test_ini),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
