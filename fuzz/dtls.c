/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target "dtls": the device's DTLS 1.2 server configuration (the port's
 * dtls_server_conf_setup(): PSK and ECDSA certificate, cookies, Connection IDs, anti-replay,
 * bad-MAC limit) driven as the server's gate and session drive it: an mbedtls_ssl_context
 * whose bio reads datagrams from the input, that answers a ClientHello without cookie with a
 * HelloVerifyRequest and starts again, and once the handshake is done reads application data
 * and echoes it. Mbed TLS is built with the fuzzer's instrumentation, so coverage reaches its
 * record layer and handshake parsers.
 *
 * Deterministic: time is a constant (mbedtls_platform_set_time), the cookie key comes from a
 * seeded RNG at start, and the server's RNG is seeded again before every input, so a recorded
 * handshake replays byte for byte (its Finished messages verify).
 *
 * Input: datagrams, each a 16-bit little-endian length and the bytes; the length 0xffff is not
 * a datagram but the expiry of the server's retransmission timer.
 *
 * Recording seeds: FUZZ_DTLS_RECORD=DIR runs, in memory, a Mbed TLS client against this very
 * server set-up (PSK suites, ECDHE-PSK, ECDHE-ECDSA with the fixture PKI, with and without a
 * Connection ID), writes what each client sent as one input file per handshake in DIR, and
 * exits. scripts/fuzz_corpus.sh uses it.
 *
 * Oracles besides no crash, leak or hang: every datagram the server sends is at most one
 * record buffer long; a finished handshake is DTLS 1.2 with a ciphersuite; the driving loop
 * ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/platform_time.h"
#include "mbedtls/ssl.h"

#include "bo_err.h"
#include "dtls/dtls_server.h"
#include "dtls/dtls_server_int.h"
#include "fuzz_common.h"

#define FUZZ_DTLS_TIMER_EVENT 0xffffu
#define FUZZ_DTLS_STEPS 256
#define FUZZ_DTLS_SEND_MAX (MBEDTLS_SSL_OUT_CONTENT_LEN + 512u)
#define FUZZ_DTLS_PSK_ID "brownout-client"
#define FUZZ_DTLS_PSK_HEX "62726f776e6f75742d6f74612d70736b"

/* The server's shared configuration, set up once. */
static struct dtls_server fuzz_dtls_srv;
static bool fuzz_dtls_ready;

/* A byte queue: the server's input (the fuzz input itself, or a recording). */
struct fuzz_dtls_io {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool expired;          /* A timer event was read and not yet acted on. */
    uint32_t timer_fin_ms; /* The Mbed TLS timer; 0: cancelled. */
    uint64_t sent;         /* Datagrams the server sent. */
    bool record;           /* Keep what the server sends (for the recording client). */
    /* Recording: where the server's datagrams go for the client. */
    uint8_t *out;
    size_t out_len;
    size_t out_cap;
};

/* One server session, as the port drives it. */
struct fuzz_dtls_server {
    mbedtls_ssl_context ssl;
    struct fuzz_dtls_io io;
    bool established;
    bool over;
};

static mbedtls_time_t fuzz_dtls_time(mbedtls_time_t *t)
{
    mbedtls_time_t now = 1790000000;

    if (t != NULL) {
        *t = now;
    }
    return now;
}

static void fuzz_dtls_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
    if (*len + n + 2 > *cap) {
        size_t c = (*cap == 0 ? 4096 : *cap * 2) + n;
        uint8_t *nb = realloc(*buf, c);

        if (nb == NULL) {
            abort();
        }
        *buf = nb;
        *cap = c;
    }
    (*buf)[(*len)++] = (uint8_t)(n & 0xff);
    (*buf)[(*len)++] = (uint8_t)(n >> 8);
    memcpy(*buf + *len, p, n);
    *len += n;
}

static int fuzz_dtls_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct fuzz_dtls_io *io = ctx;

    fuzz_check(len <= FUZZ_DTLS_SEND_MAX, "the server sent a datagram over its record buffer");
    io->sent++;
    if (io->record) {
        fuzz_dtls_append(&io->out, &io->out_len, &io->out_cap, buf, len);
    }
    return (int)len;
}

static int fuzz_dtls_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct fuzz_dtls_io *io = ctx;
    size_t n;

    if (io->len - io->pos < 2) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    n = (size_t)io->data[io->pos] | (size_t)io->data[io->pos + 1] << 8;
    io->pos += 2;
    if (n == FUZZ_DTLS_TIMER_EVENT) {
        io->expired = true;
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    if (n > io->len - io->pos) {
        n = io->len - io->pos;
    }
    /* One datagram per call; a datagram longer than the buffer is truncated, as recvfrom does. */
    memcpy(buf, io->data + io->pos, n < len ? n : len);
    io->pos += n;
    return (int)(n < len ? n : len);
}

static void fuzz_dtls_set_timer(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
    struct fuzz_dtls_io *io = ctx;

    (void)int_ms;
    io->timer_fin_ms = fin_ms;
    if (fin_ms == 0) {
        io->expired = false;
    }
}

static int fuzz_dtls_get_timer(void *ctx)
{
    struct fuzz_dtls_io *io = ctx;

    if (io->timer_fin_ms == 0) {
        return -1;
    }
    return io->expired ? 2 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A fresh session: the server's RNG seeded again, a new context over the shared config. */
static void fuzz_dtls_server_start(struct fuzz_dtls_server *s)
{
    static const uint8_t cid[DTLS_SERVER_CID_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    port_rng_free(&fuzz_dtls_srv.rng);
    port_rng_init(&fuzz_dtls_srv.rng);
    port_entropy_set_seed(&fuzz_dtls_srv.rng.source, 7);
    fuzz_check(port_rng_setup(&fuzz_dtls_srv.rng, "fuzz-dtls") == 0, "RNG set-up");
    mbedtls_ssl_init(&s->ssl);
    fuzz_check(mbedtls_ssl_setup(&s->ssl, &fuzz_dtls_srv.conf) == 0, "mbedtls_ssl_setup");
    fuzz_check(mbedtls_ssl_set_client_transport_id(&s->ssl, (const unsigned char *)"peer", 4) == 0,
               "transport id");
    fuzz_check(mbedtls_ssl_set_cid(&s->ssl, MBEDTLS_SSL_CID_ENABLED, cid, sizeof(cid)) == 0,
               "connection id");
    mbedtls_ssl_set_bio(&s->ssl, &s->io, fuzz_dtls_send, fuzz_dtls_recv, NULL);
    mbedtls_ssl_set_timer_cb(&s->ssl, &s->io, fuzz_dtls_set_timer, fuzz_dtls_get_timer);
    s->established = false;
    s->over = false;
}

/* Runs the server on what its input holds; returns when it needs more (or is over). */
static void fuzz_dtls_server_run(struct fuzz_dtls_server *s)
{
    unsigned char buf[MBEDTLS_SSL_IN_CONTENT_LEN];
    int steps;

    for (steps = 0; steps < FUZZ_DTLS_STEPS && !s->over; steps++) {
        bool more = s->io.len - s->io.pos >= 2 || s->io.expired;
        int ret;

        if (!s->established) {
            ret = mbedtls_ssl_handshake(&s->ssl);
            s->io.expired = false;
            if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
                /* The gate: the cookie was sent; start again for the cookie's ClientHello. */
                fuzz_check(mbedtls_ssl_session_reset(&s->ssl) == 0, "session reset");
                fuzz_check(mbedtls_ssl_set_client_transport_id(
                               &s->ssl, (const unsigned char *)"peer", 4) == 0,
                           "transport id");
                continue;
            }
            if (ret == 0) {
                s->established = true;
                fuzz_check(mbedtls_ssl_get_version_number(&s->ssl) == MBEDTLS_SSL_VERSION_TLS1_2,
                           "a handshake finished with another version than DTLS 1.2");
                fuzz_check(mbedtls_ssl_get_ciphersuite(&s->ssl) != NULL,
                           "a handshake finished without a ciphersuite");
                continue;
            }
        } else {
            ret = mbedtls_ssl_read(&s->ssl, buf, sizeof(buf));
            if (ret > 0) {
                ret = mbedtls_ssl_write(&s->ssl, buf, (size_t)ret);
                fuzz_check(ret > 0 || ret == MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
                           "the echo of a record could not be written");
                continue;
            }
            if (ret == MBEDTLS_ERR_SSL_CLIENT_RECONNECT) {
                /* A new ClientHello on the session's address: start over, as the port does. */
                fuzz_check(mbedtls_ssl_session_reset(&s->ssl) == 0, "session reset");
                s->established = false;
                continue;
            }
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
            ret == MBEDTLS_ERR_SSL_TIMEOUT) {
            if (!more) {
                return;
            }
            if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
                s->over = true;
            }
            continue;
        }
        /* An alert, close_notify or a fatal error closes the session. */
        s->over = true;
    }
}

static void fuzz_dtls_server_free(struct fuzz_dtls_server *s)
{
    mbedtls_ssl_free(&s->ssl);
    free(s->io.out);
    s->io.out = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_dtls_server s;

    if (!fuzz_dtls_ready) {
        LLVMFuzzerInitialize(NULL, NULL);
    }
    memset(&s, 0, sizeof(s));
    s.io.data = data;
    s.io.len = size;
    fuzz_dtls_server_start(&s);
    fuzz_dtls_server_run(&s);
    if (getenv("FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "dtls: %s, %llu datagrams sent, %zu of %zu bytes read\n",
                s.established ? "established" : "not established", (unsigned long long)s.io.sent,
                s.io.pos, s.io.len);
    }
    fuzz_dtls_server_free(&s);
    return 0;
}

/* ---- Recording seeds: a client in memory against the same server set-up. */

struct fuzz_dtls_client {
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    struct port_rng rng;
    mbedtls_x509_crt ca;
    struct fuzz_dtls_io io; /* Its input: the server's output. */
    uint8_t *sent;          /* What it sent, as the harness input format. */
    size_t sent_len;
    size_t sent_cap;
};

static int fuzz_dtls_cli_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct fuzz_dtls_client *c = ctx;

    fuzz_dtls_append(&c->sent, &c->sent_len, &c->sent_cap, buf, len);
    return (int)len;
}

static int fuzz_dtls_cli_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct fuzz_dtls_client *c = ctx;

    c->io.data = c->io.out;
    c->io.len = c->io.out_len;
    return fuzz_dtls_recv(&c->io, buf, len);
}

/* Sets up the recording client: one suite, a PSK or the CA, optionally a Connection ID. */
static void fuzz_dtls_client_setup(struct fuzz_dtls_client *c, int *list, bool cert, bool use_cid)
{
    static const uint8_t ccid[4] = { 9, 9, 9, 9 };
    uint8_t psk[16];

    memcpy(psk, "brownout-ota-psk", sizeof(psk));
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_ssl_init(&c->ssl);
    mbedtls_x509_crt_init(&c->ca);
    port_rng_init(&c->rng);
    port_entropy_set_seed(&c->rng.source, 11);
    fuzz_check(port_rng_setup(&c->rng, "fuzz-client") == 0, "client RNG");
    fuzz_check(mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT) == 0,
               "client config");
    mbedtls_ssl_conf_rng(&c->conf, port_rng_random, &c->rng);
    mbedtls_ssl_conf_min_tls_version(&c->conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&c->conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_ciphersuites(&c->conf, list);
    if (cert) {
        char ca[1024];

        snprintf(ca, sizeof(ca), "%s/fixtures/pki/ca.pem", fuzz_root());
        fuzz_check(dtls_server_conf_crt(&c->ca, ca) == 0, "client CA");
        mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
        mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    } else {
        fuzz_check(mbedtls_ssl_conf_psk(&c->conf, psk, sizeof(psk),
                                        (const unsigned char *)FUZZ_DTLS_PSK_ID,
                                        strlen(FUZZ_DTLS_PSK_ID)) == 0,
                   "client PSK");
    }
    if (use_cid) {
        fuzz_check(
            mbedtls_ssl_conf_cid(&c->conf, sizeof(ccid), MBEDTLS_SSL_UNEXPECTED_CID_IGNORE) == 0,
            "client CID");
    }
    fuzz_check(mbedtls_ssl_setup(&c->ssl, &c->conf) == 0, "client setup");
    if (use_cid) {
        fuzz_check(mbedtls_ssl_set_cid(&c->ssl, MBEDTLS_SSL_CID_ENABLED, ccid, sizeof(ccid)) == 0,
                   "client set CID");
    }
    mbedtls_ssl_set_bio(&c->ssl, c, fuzz_dtls_cli_send, fuzz_dtls_cli_recv, NULL);
    mbedtls_ssl_set_timer_cb(&c->ssl, &c->io, fuzz_dtls_set_timer, fuzz_dtls_get_timer);
}

/* One step of the client: handshake, then a CoAP GET /fw, then read and close. -1: failed. */
static int fuzz_dtls_client_step(struct fuzz_dtls_client *c, const char *path, bool *wrote,
                                 bool *closed)
{
    unsigned char buf[256];
    int ret;

    if (!mbedtls_ssl_is_handshake_over(&c->ssl)) {
        ret = mbedtls_ssl_handshake(&c->ssl);
        if (ret != 0 && ret != MBEDTLS_ERR_SSL_WANT_READ) {
            fprintf(stderr, "fuzz: recording %s: client handshake -0x%04x\n", path, (unsigned)-ret);
            return -1;
        }
    } else if (!*wrote) {
        ret = mbedtls_ssl_write(&c->ssl,
                                (const unsigned char *)"\x40\x01\x00\x01\xb2"
                                                       "fw",
                                7);
        *wrote = ret > 0;
    } else {
        ret = mbedtls_ssl_read(&c->ssl, buf, sizeof(buf));
        if (ret > 0) {
            mbedtls_ssl_close_notify(&c->ssl);
            *closed = true;
        }
    }
    return 0;
}

/* Releases the recording client. */
static void fuzz_dtls_client_free(struct fuzz_dtls_client *c)
{
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->ca);
    port_rng_free(&c->rng);
    free(c->sent);
    free(c);
}

/* One recorded handshake (and an application record, then close_notify) into path. */
static int fuzz_dtls_record(const char *path, int suite, bool cert, bool use_cid)
{
    struct fuzz_dtls_client *c = calloc(1, sizeof(*c));
    struct fuzz_dtls_server *s = calloc(1, sizeof(*s));
    int list[2] = { suite, 0 };
    bool wrote = false;
    bool closed = false;
    FILE *f;

    if (c == NULL || s == NULL) {
        abort();
    }
    fuzz_dtls_client_setup(c, list, cert, use_cid);
    /* The server reads the client's recording as it grows; its output goes to the client. */
    fuzz_dtls_server_start(s);
    s->io.record = true;
    for (int round = 0; round < 64 && !closed; round++) {
        if (fuzz_dtls_client_step(c, path, &wrote, &closed) < 0) {
            return -1;
        }
        s->io.data = c->sent;
        s->io.len = c->sent_len;
        fuzz_dtls_server_run(s);
        c->io.out = s->io.out;
        c->io.out_len = s->io.out_len;
    }
    s->io.data = c->sent;
    s->io.len = c->sent_len;
    fuzz_dtls_server_run(s);
    if (!s->established || !closed) {
        fprintf(stderr, "fuzz: recording %s did not complete\n", path);
        return -1;
    }
    f = fopen(path, "wb");
    if (f == NULL || fwrite(c->sent, 1, c->sent_len, f) != c->sent_len) {
        abort();
    }
    fclose(f);
    fuzz_dtls_server_free(s);
    fuzz_dtls_client_free(c);
    free(s);
    return 0;
}

static void fuzz_dtls_record_all(const char *dir)
{
    static const struct {
        const char *name;
        int suite;
        bool cert;
    } recs[] = {
        { "psk-ccm8", MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8, false },
        { "psk-gcm", MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, false },
        { "psk-cbc", MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256, false },
        { "ecdhe-psk", MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, false },
        { "ecdsa-ccm8", MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, true },
        { "ecdsa-gcm", MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true },
    };
    char path[1024];
    size_t i;
    int cid;
    int bad = 0;

    for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        for (cid = 0; cid < 2; cid++) {
            snprintf(path, sizeof(path), "%s/%s%s", dir, recs[i].name, cid ? "-cid" : "");
            bad |= fuzz_dtls_record(path, recs[i].suite, recs[i].cert, cid != 0);
        }
    }
    exit(bad != 0 ? 1 : 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct dtls_server_config cfg;
    char cert[1024];
    char key[1024];
    const char *rec = getenv("FUZZ_DTLS_RECORD");

    (void)argc;
    (void)argv;
    if (fuzz_dtls_ready) {
        return 0;
    }
    fuzz_setup_once();
    mbedtls_platform_set_time(fuzz_dtls_time);
    snprintf(cert, sizeof(cert), "%s/fixtures/pki/device-chain.pem", fuzz_root());
    snprintf(key, sizeof(key), "%s/fixtures/pki/device.key", fuzz_root());
    dtls_server_init(&fuzz_dtls_srv);
    snprintf(fuzz_dtls_srv.name, sizeof(fuzz_dtls_srv.name), "fuzz");
    memset(&cfg, 0, sizeof(cfg));
    cfg.psk_identity = FUZZ_DTLS_PSK_ID;
    cfg.psk_hex = FUZZ_DTLS_PSK_HEX;
    cfg.cert_file = cert;
    cfg.key_file = key;
    cfg.cid = true;
    cfg.seeded = true;
    cfg.seed = 3;
    if (dtls_server_conf_setup(&fuzz_dtls_srv, &cfg) != 0) {
        fprintf(stderr, "fuzz: the DTLS server configuration does not set up\n");
        abort();
    }
    fuzz_dtls_ready = true;
    if (rec != NULL && rec[0] != '\0') {
        fuzz_dtls_record_all(rec);
    }
    return 0;
}
