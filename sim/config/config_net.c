/* SPDX-License-Identifier: Apache-2.0 */
/* The network keys of a [device] section: the device app's CoAPs server (issue 6). */
#include "config/daemon_config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bo_err.h"
#include "config/config_int.h"
#include "dtls/dtls_server.h"
#include "dtls/link_fault.h"
#include "util/errbuf.h"
#include "util/num.h"

/* Longest duration accepted for a timeout: one day, in milliseconds. */
#define CONFIG_NET_MS_MAX 86400000u

void config_net_init(struct config_net *net)
{
    memset(net, 0, sizeof(*net));
    net->confirm = CONFIG_CONFIRM_MANUAL;
}

const char *config_confirm_name(enum config_confirm confirm)
{
    switch (confirm) {
    case CONFIG_CONFIRM_MANUAL:
        return "manual";
    case CONFIG_CONFIRM_AUTO:
        return "auto";
    case CONFIG_CONFIRM_NEVER:
        return "never";
    }
    return "manual";
}

/* Parses "HOST:PORT" or "[HOST]:PORT" with HOST an IP literal. */
static int config_net_address(struct config_net *net, const char *value, char *err, size_t err_len)
{
    unsigned char addr[16];
    char host[CONFIG_HOST_MAX];
    const char *port;
    const char *colon;
    size_t n;
    uint64_t v;
    int family = AF_INET;

    if (value[0] == '[') {
        const char *close = strchr(value, ']');

        if (close == NULL || close[1] != ':') {
            goto bad;
        }
        n = (size_t)(close - value - 1);
        port = close + 2;
        value++;
        family = AF_INET6;
    } else {
        colon = strrchr(value, ':');
        if (colon == NULL || strchr(value, ':') != colon) {
            goto bad;
        }
        n = (size_t)(colon - value);
        port = colon + 1;
    }
    if (n == 0 || n >= sizeof(host)) {
        goto bad;
    }
    memcpy(host, value, n);
    host[n] = '\0';
    if (inet_pton(family, host, addr) != 1 || num_parse_u64(port, 0, 65535, &v) < 0) {
        goto bad;
    }
    memcpy(net->host, host, n + 1);
    net->port = (uint16_t)v;
    net->enabled = true;
    return 0;
bad:
    errbuf_set(err, err_len,
               "address must be IPV4:PORT or [IPV6]:PORT (port 0: ephemeral), "
               "not '%s'",
               value);
    return BO_EINVAL;
}

/* Parses a PSK in hex: 1..CONFIG_PSK_MAX bytes (the DTLS server's own decoder). */
static int config_net_psk(struct config_net *net, const char *value, char *err, size_t err_len)
{
    size_t len = 0;

    if (dtls_server_conf_hex(value, net->psk, sizeof(net->psk), &len) < 0) {
        goto bad;
    }
    net->psk_len = (uint32_t)len;
    return 0;
bad:
    errbuf_set(err, err_len, "psk must be 1 to %d bytes in hex (an even number of 0-9a-f)",
               CONFIG_PSK_MAX);
    return BO_EINVAL;
}

/* Parses a PSK identity: 1..128 printable ASCII characters. */
static int config_net_identity(struct config_net *net, const char *value, char *err, size_t err_len)
{
    size_t n = strlen(value);
    size_t i;

    for (i = 0; i < n; i++) {
        if (value[i] < 0x21 || value[i] > 0x7e) {
            n = 0;
        }
    }
    if (n == 0 || n >= sizeof(net->psk_identity)) {
        errbuf_set(err, err_len, "psk-identity must be 1 to %d printable characters",
                   (int)sizeof(net->psk_identity) - 1);
        return BO_EINVAL;
    }
    memcpy(net->psk_identity, value, n + 1);
    return 0;
}

/* Parses a duration in milliseconds: "N", "Nms" or "Ns". */
static int config_net_ms(const char *key, const char *value, uint32_t *out, char *err,
                         size_t err_len)
{
    char num[32];
    size_t n = strlen(value);
    uint64_t scale = 1;
    uint64_t v;

    if (n > 2 && strcmp(value + n - 2, "ms") == 0) {
        n -= 2;
    } else if (n > 1 && value[n - 1] == 's') {
        n -= 1;
        scale = 1000;
    }
    if (n == 0 || n >= sizeof(num)) {
        goto bad;
    }
    memcpy(num, value, n);
    num[n] = '\0';
    if (num_parse_u64(num, 0, CONFIG_NET_MS_MAX, &v) < 0 || v * scale > CONFIG_NET_MS_MAX) {
        goto bad;
    }
    *out = (uint32_t)(v * scale);
    return 0;
bad:
    errbuf_set(err, err_len,
               "%s must be a duration of at most a day (N in ms, Nms or Ns), "
               "not '%s'",
               key, value);
    return BO_EINVAL;
}

/* Parses a byte count: "N", "NK" or "NM" (binary units, "KiB"/"MiB" too). */
static int config_net_bytes(const char *key, const char *value, uint64_t *out, char *err,
                            size_t err_len)
{
    static const struct {
        const char *suffix;
        uint64_t scale;
    } units[] = { { "KiB", 1024 }, { "MiB", 1024 * 1024 }, { "K", 1024 }, { "M", 1024 * 1024 } };
    char num[32];
    size_t n = strlen(value);
    uint64_t scale = 1;
    uint64_t v;
    size_t i;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t s = strlen(units[i].suffix);

        if (n > s && strcmp(value + n - s, units[i].suffix) == 0) {
            n -= s;
            scale = units[i].scale;
            break;
        }
    }
    if (n == 0 || n >= sizeof(num)) {
        goto bad;
    }
    memcpy(num, value, n);
    num[n] = '\0';
    if (num_parse_u64(num, 0, (uint64_t)1 << 32, &v) < 0 || v * scale > (uint64_t)1 << 32) {
        goto bad;
    }
    *out = v * scale;
    return 0;
bad:
    errbuf_set(err, err_len, "%s must be a byte count up to 4 GiB (N, NK or NM), not '%s'", key,
               value);
    return BO_EINVAL;
}

static int config_net_file(char *dst, const char *key, const char *value, const char *dir,
                           char *err, size_t err_len)
{
    if (config_path(dst, CONFIG_PATH_MAX, dir, value) < 0) {
        errbuf_set(err, err_len, "bad %s path '%s'", key, value);
        return BO_EINVAL;
    }
    return 0;
}

/* The network keys of a [device] section, in the style of the board reader's table. */
static const struct {
    const char *name;
    enum config_net_key key;
} config_net_keys[] = {
    { "address", CONFIG_NET_ADDRESS },
    { "psk-identity", CONFIG_NET_PSK_IDENTITY },
    { "psk", CONFIG_NET_PSK },
    { "certificate", CONFIG_NET_CERTIFICATE },
    { "private-key", CONFIG_NET_PRIVATE_KEY },
    { "ca", CONFIG_NET_CA },
    { "require-client-cert", CONFIG_NET_REQUIRE_CLIENT_CERT },
    { "confirm", CONFIG_NET_CONFIRM },
    { "heap-budget", CONFIG_NET_HEAP_BUDGET },
    { "max-sessions", CONFIG_NET_MAX_SESSIONS },
    { "max-handshakes", CONFIG_NET_MAX_HANDSHAKES },
    { "handshake-deadline", CONFIG_NET_HANDSHAKE_DEADLINE },
    { "idle-timeout", CONFIG_NET_IDLE_TIMEOUT },
    { "dtls-timeout-min", CONFIG_NET_DTLS_TIMEOUT_MIN },
    { "dtls-timeout-max", CONFIG_NET_DTLS_TIMEOUT_MAX },
    { "link", CONFIG_NET_LINK },
};

int config_net_key_find(const char *name)
{
    for (size_t i = 0; i < sizeof(config_net_keys) / sizeof(config_net_keys[0]); i++) {
        if (strcmp(config_net_keys[i].name, name) == 0) {
            return (int)config_net_keys[i].key;
        }
    }
    return BO_ENOENT;
}

/* Parses a link fault description (empty: none), checked by the link fault parser. */
static int config_net_link(struct config_net *net, const char *value, char *err, size_t err_len)
{
    struct link_fault_config lf;
    char msg[160];

    if (strlen(value) >= sizeof(net->link)) {
        return errbuf_fail(err, err_len, BO_EINVAL, "link: longer than %d characters",
                           (int)sizeof(net->link) - 1);
    }
    if (value[0] != '\0' && link_fault_parse(&lf, value, msg, sizeof(msg)) < 0) {
        return errbuf_fail(err, err_len, BO_EINVAL, "link '%s': %s", value, msg);
    }
    memcpy(net->link, value, strlen(value) + 1);
    return 0;
}

/* Parses the confirm policy: manual, auto or never. */
static int config_net_confirm(struct config_net *net, const char *value, char *err, size_t err_len)
{
    static const enum config_confirm all[] = { CONFIG_CONFIRM_MANUAL, CONFIG_CONFIRM_AUTO,
                                               CONFIG_CONFIRM_NEVER };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(value, config_confirm_name(all[i])) == 0) {
            net->confirm = all[i];
            return 0;
        }
    }
    return errbuf_fail(err, err_len, BO_EINVAL, "confirm must be manual, auto or never, not '%s'",
                       value);
}

/* Applies a key of the server's identity: address, PSK, certificates, client policy. */
static int config_net_set_peer(struct config_net *net, enum config_net_key k, const char *key,
                               const char *value, const char *dir, char *err, size_t err_len)
{
    switch (k) {
    case CONFIG_NET_ADDRESS:
        return config_net_address(net, value, err, err_len);
    case CONFIG_NET_PSK_IDENTITY:
        return config_net_identity(net, value, err, err_len);
    case CONFIG_NET_PSK:
        return config_net_psk(net, value, err, err_len);
    case CONFIG_NET_CERTIFICATE:
        return config_net_file(net->certificate, key, value, dir, err, err_len);
    case CONFIG_NET_PRIVATE_KEY:
        return config_net_file(net->private_key, key, value, dir, err, err_len);
    case CONFIG_NET_CA:
        return config_net_file(net->ca, key, value, dir, err, err_len);
    case CONFIG_NET_REQUIRE_CLIENT_CERT:
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "require-client-cert must be true or false, not '%s'", value);
        }
        net->require_client_cert = strcmp(value, "true") == 0;
        return 0;
    default:
        return config_net_confirm(net, value, err, err_len);
    }
}

/* Applies a key of the server's limits: heap, sessions, timeouts, link faults. */
static int config_net_set_limits(struct config_net *net, enum config_net_key k, const char *key,
                                 const char *value, char *err, size_t err_len)
{
    uint64_t v;

    switch (k) {
    case CONFIG_NET_HEAP_BUDGET:
        return config_net_bytes(key, value, &net->heap_budget, err, err_len);
    case CONFIG_NET_MAX_SESSIONS:
        if (num_parse_u64(value, 0, 100000, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL, "max-sessions must be 0..100000, not '%s'",
                               value);
        }
        net->max_sessions = (uint32_t)v;
        return 0;
    case CONFIG_NET_MAX_HANDSHAKES:
        if (num_parse_u64(value, 0, 100000, &v) < 0) {
            return errbuf_fail(err, err_len, BO_EINVAL,
                               "max-handshakes must be 0..100000, not '%s'", value);
        }
        net->max_handshakes = (uint32_t)v;
        return 0;
    case CONFIG_NET_HANDSHAKE_DEADLINE:
        return config_net_ms(key, value, &net->hs_deadline_ms, err, err_len);
    case CONFIG_NET_IDLE_TIMEOUT:
        return config_net_ms(key, value, &net->idle_timeout_ms, err, err_len);
    case CONFIG_NET_DTLS_TIMEOUT_MIN:
        return config_net_ms(key, value, &net->dtls_timeout_min_ms, err, err_len);
    case CONFIG_NET_DTLS_TIMEOUT_MAX:
        return config_net_ms(key, value, &net->dtls_timeout_max_ms, err, err_len);
    default:
        return config_net_link(net, value, err, err_len);
    }
}

int config_net_set(struct config_net *net, const char *key, const char *value, const char *dir,
                   char *err, size_t err_len)
{
    int k = config_net_key_find(key);

    if (k < 0) {
        return BO_ENOENT;
    }
    if (k <= CONFIG_NET_CONFIRM) {
        return config_net_set_peer(net, (enum config_net_key)k, key, value, dir, err, err_len);
    }
    return config_net_set_limits(net, (enum config_net_key)k, key, value, err, err_len);
}

int config_net_check(const struct config_net *net, char *err, size_t err_len)
{
    bool psk = net->psk_len > 0 || net->psk_identity[0] != '\0';
    bool cert = net->certificate[0] != '\0' || net->private_key[0] != '\0';

    if (!net->enabled) {
        if (psk || cert || net->ca[0] != '\0') {
            errbuf_set(err, err_len, "psk, certificate and ca need an address");
            return BO_EINVAL;
        }
        return 0;
    }
    if (psk && (net->psk_len == 0 || net->psk_identity[0] == '\0')) {
        errbuf_set(err, err_len, "psk and psk-identity go together");
        return BO_EINVAL;
    }
    if (cert && (net->certificate[0] == '\0' || net->private_key[0] == '\0')) {
        errbuf_set(err, err_len, "certificate and private-key go together");
        return BO_EINVAL;
    }
    if (!psk && !cert) {
        errbuf_set(err, err_len,
                   "an address needs psk-identity + psk or certificate + "
                   "private-key");
        return BO_EINVAL;
    }
    if (net->require_client_cert && (net->ca[0] == '\0' || !cert)) {
        errbuf_set(err, err_len, "require-client-cert needs a ca and a certificate");
        return BO_EINVAL;
    }
    if (net->dtls_timeout_min_ms != 0 && net->dtls_timeout_max_ms != 0 &&
        net->dtls_timeout_min_ms > net->dtls_timeout_max_ms) {
        errbuf_set(err, err_len, "dtls-timeout-min is above dtls-timeout-max");
        return BO_EINVAL;
    }
    return 0;
}

size_t config_net_pairs(const struct config_net *net, char pairs[][CONFIG_NET_PAIR_MAX], size_t max)
{
    size_t n = 0;
    uint32_t i;

#define CONFIG_NET_PAIR(...)                                        \
    do {                                                            \
        if (n < max) {                                              \
            snprintf(pairs[n++], CONFIG_NET_PAIR_MAX, __VA_ARGS__); \
        }                                                           \
    } while (0)
    if (!net->enabled) {
        return 0;
    }
    if (strchr(net->host, ':') != NULL) {
        CONFIG_NET_PAIR("address=[%s]:%u", net->host, (unsigned)net->port);
    } else {
        CONFIG_NET_PAIR("address=%s:%u", net->host, (unsigned)net->port);
    }
    if (net->psk_len > 0) {
        char hex[2 * CONFIG_PSK_MAX + 1];

        for (i = 0; i < net->psk_len; i++) {
            snprintf(hex + 2 * i, 3, "%02x", net->psk[i]);
        }
        CONFIG_NET_PAIR("psk-identity=%s", net->psk_identity);
        CONFIG_NET_PAIR("psk=%s", hex);
    }
    if (net->certificate[0] != '\0') {
        CONFIG_NET_PAIR("certificate=%s", net->certificate);
        CONFIG_NET_PAIR("private-key=%s", net->private_key);
    }
    if (net->ca[0] != '\0') {
        CONFIG_NET_PAIR("ca=%s", net->ca);
    }
    CONFIG_NET_PAIR("require-client-cert=%s", net->require_client_cert ? "true" : "false");
    CONFIG_NET_PAIR("confirm=%s", config_confirm_name(net->confirm));
    CONFIG_NET_PAIR("heap-budget=%llu", (unsigned long long)net->heap_budget);
    CONFIG_NET_PAIR("max-sessions=%u", (unsigned)net->max_sessions);
    CONFIG_NET_PAIR("max-handshakes=%u", (unsigned)net->max_handshakes);
    CONFIG_NET_PAIR("handshake-deadline=%u", (unsigned)net->hs_deadline_ms);
    CONFIG_NET_PAIR("idle-timeout=%u", (unsigned)net->idle_timeout_ms);
    CONFIG_NET_PAIR("dtls-timeout-min=%u", (unsigned)net->dtls_timeout_min_ms);
    CONFIG_NET_PAIR("dtls-timeout-max=%u", (unsigned)net->dtls_timeout_max_ms);
    if (net->link[0] != '\0') {
        CONFIG_NET_PAIR("link=%s", net->link);
    }
#undef CONFIG_NET_PAIR
    return n;
}
