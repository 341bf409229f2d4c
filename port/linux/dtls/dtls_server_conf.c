/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials (PSK, certificates) and the shared Mbed TLS configuration of a DTLS server. */
#include "dtls/dtls_server_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/debug.h"
#include "mbedtls/platform_util.h"

#include "bo_err.h"
#include "port/port_log.h"

/* Largest credential file read. */
#define CONF_FILE_MAX (256 * 1024)

/* Reads a whole file into a malloc'd buffer with a NUL appended (PEM parsers count it). */
static int dtls_server_conf_read(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = 0;

    if (f == NULL) {
        port_log(PORT_LOG_ERROR, "dtls", "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? BO_ENOENT : BO_EOS;
    }
    buf = malloc(CONF_FILE_MAX + 1);
    if (buf == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    len = fread(buf, 1, CONF_FILE_MAX + 1, f);
    if (ferror(f) || len > CONF_FILE_MAX) {
        port_log(PORT_LOG_ERROR, "dtls", "cannot read %s (or larger than %d bytes)", path,
                 CONF_FILE_MAX);
        rc = BO_EINVAL;
        goto out;
    }
    buf[len] = '\0';
out:
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    /* PEM input is passed with its NUL, DER without. */
    *out_len = strstr((const char *)buf, "-----BEGIN") != NULL ? len + 1 : len;
    return 0;
}

int dtls_server_conf_crt(mbedtls_x509_crt *crt, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = dtls_server_conf_read(path, &buf, &len);

    if (rc < 0) {
        return rc;
    }
    int ret = mbedtls_x509_crt_parse(crt, buf, len);
    if (ret != 0) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: not a certificate (-0x%04x)", path, (unsigned)-ret);
        rc = ret == MBEDTLS_ERR_X509_ALLOC_FAILED ? BO_ENOMEM : BO_ECRYPTO;
    }
    free(buf);
    return rc;
}

int dtls_server_conf_key(mbedtls_pk_context *key, const char *path, struct port_rng *rng)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = dtls_server_conf_read(path, &buf, &len);

    if (rc < 0) {
        return rc;
    }
    int ret = mbedtls_pk_parse_key(key, buf, len, NULL, 0, port_rng_random, rng);
    if (ret != 0) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: not a private key (-0x%04x)", path, (unsigned)-ret);
        rc = ret == MBEDTLS_ERR_PK_ALLOC_FAILED ? BO_ENOMEM : BO_ECRYPTO;
    }
    mbedtls_platform_zeroize(buf, len);
    free(buf);
    return rc;
}

static int dtls_server_conf_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int dtls_server_conf_hex(const char *hex, uint8_t *out, size_t max, size_t *out_len)
{
    size_t n = strlen(hex);

    if (n == 0 || n % 2 != 0 || n / 2 > max) {
        return BO_EINVAL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = dtls_server_conf_hexval(hex[2 * i]);
        int lo = dtls_server_conf_hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return BO_EINVAL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = n / 2;
    return 0;
}

/* Decodes the PSK from cfg into srv->psk. */
static int dtls_server_conf_psk(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    if (cfg->psk != NULL) {
        if (cfg->psk_len == 0 || cfg->psk_len > sizeof(srv->psk)) {
            return BO_EINVAL;
        }
        memcpy(srv->psk, cfg->psk, cfg->psk_len);
        srv->psk_len = cfg->psk_len;
        return 0;
    }
    return dtls_server_conf_hex(cfg->psk_hex, srv->psk, sizeof(srv->psk), &srv->psk_len);
}

static void dtls_server_conf_debug(void *ctx, int level, const char *file, int line,
                                   const char *msg)
{
    const struct dtls_server *srv = ctx;
    size_t n = strlen(msg);

    (void)level;
    if (n > 0 && msg[n - 1] == '\n') {
        n--;
    }
    port_log(PORT_LOG_DEBUG, "dtls", "%s: %s:%d: %.*s", srv->name, file, line, (int)n, msg);
}

/*
 * The suites the server prefers, best first: authenticated encryption (no CBC padding or
 * separate MAC, the smallest record overhead), forward-secret key exchanges first. Suites this
 * Mbed TLS build lacks (ECDHE-PSK with ChaCha20-Poly1305 needs MBEDTLS_CHACHAPOLY_C) are left
 * out when the list is built.
 */
static const int dtls_server_conf_aead[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_PSK_WITH_AES_128_CCM,
    MBEDTLS_TLS_PSK_WITH_AES_256_CCM,
    MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8,
    MBEDTLS_TLS_PSK_WITH_AES_256_CCM_8,
    MBEDTLS_TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
};

/* Whether id is already among the first n suites of list. */
static int dtls_server_conf_has_suite(const int *list, size_t n, int id)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == id) {
            return 1;
        }
    }
    return 0;
}

/*
 * Fills srv->suites: the AEAD suites this build supports in the order above, then the rest of
 * Mbed TLS's default list in its order, and gives it to the configuration.
 */
static void dtls_server_conf_suites(struct dtls_server *srv)
{
    const int *defaults = mbedtls_ssl_list_ciphersuites();
    size_t n = 0;

    for (size_t i = 0; i < sizeof(dtls_server_conf_aead) / sizeof(dtls_server_conf_aead[0]) &&
                       n < DTLS_SERVER_SUITES_MAX;
         i++) {
        if (mbedtls_ssl_ciphersuite_from_id(dtls_server_conf_aead[i]) != NULL) {
            srv->suites[n++] = dtls_server_conf_aead[i];
        }
    }
    for (size_t i = 0; defaults[i] != 0 && n < DTLS_SERVER_SUITES_MAX; i++) {
        if (!dtls_server_conf_has_suite(srv->suites, n, defaults[i])) {
            srv->suites[n++] = defaults[i];
        }
    }
    srv->suites[n] = 0;
    mbedtls_ssl_conf_ciphersuites(&srv->conf, srv->suites);
}

/* Maps an Mbed TLS setup error to a bo_err. */
static int dtls_server_conf_err(int ret)
{
    if (ret == MBEDTLS_ERR_SSL_ALLOC_FAILED || ret == MBEDTLS_ERR_MD_ALLOC_FAILED) {
        return BO_ENOMEM;
    }
    return BO_ECRYPTO;
}

/* Checks which credentials cfg gives and that they go together; decodes the PSK. */
static int dtls_server_conf_check(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    int rc;

    srv->have_psk = cfg->psk != NULL || (cfg->psk_hex != NULL && cfg->psk_hex[0] != '\0');
    srv->have_cert = cfg->cert_file != NULL && cfg->cert_file[0] != '\0';
    if (!srv->have_psk && !srv->have_cert) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: neither a PSK nor a certificate", srv->name);
        return BO_EINVAL;
    }
    if (srv->have_psk) {
        if (cfg->psk_identity == NULL || cfg->psk_identity[0] == '\0' ||
            strlen(cfg->psk_identity) > DTLS_SERVER_PSK_ID_MAX) {
            port_log(PORT_LOG_ERROR, "dtls", "%s: bad PSK identity", srv->name);
            return BO_EINVAL;
        }
        rc = dtls_server_conf_psk(srv, cfg);
        if (rc < 0) {
            port_log(PORT_LOG_ERROR, "dtls", "%s: bad PSK (1..%d bytes, hex)", srv->name,
                     DTLS_SERVER_PSK_MAX);
            return rc;
        }
        strcpy(srv->psk_identity, cfg->psk_identity);
    }
    if (srv->have_cert && (cfg->key_file == NULL || cfg->key_file[0] == '\0')) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: a certificate needs a private key", srv->name);
        return BO_EINVAL;
    }
    if (cfg->require_client_cert && (cfg->ca_file == NULL || cfg->ca_file[0] == '\0')) {
        port_log(PORT_LOG_ERROR, "dtls", "%s: client certificates need a CA", srv->name);
        return BO_EINVAL;
    }
    return 0;
}

/* Sets up the RNG and loads the certificate, its key and the CA from their files. */
static int dtls_server_conf_load(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    int rc;

    if (cfg->seeded) {
        port_entropy_set_seed(&srv->rng.source, cfg->seed);
    }
    rc = port_rng_setup(&srv->rng, srv->name);
    if (rc < 0) {
        goto out;
    }
    if (srv->have_cert) {
        rc = dtls_server_conf_crt(&srv->cert, cfg->cert_file);
        if (rc < 0) {
            goto out;
        }
        rc = dtls_server_conf_key(&srv->key, cfg->key_file, &srv->rng);
        if (rc < 0) {
            goto out;
        }
    }
    if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0') {
        rc = dtls_server_conf_crt(&srv->ca, cfg->ca_file);
    }
out:
    return rc;
}

/* The credentials in the configuration: own certificate, CA, authentication mode, PSK. */
static int dtls_server_conf_creds(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    mbedtls_ssl_config *conf = &srv->conf;
    int ret;

    if (srv->have_cert) {
        ret = mbedtls_ssl_conf_own_cert(conf, &srv->cert, &srv->key);
        if (ret != 0) {
            return dtls_server_conf_err(ret);
        }
    }
    if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0') {
        mbedtls_ssl_conf_ca_chain(conf, &srv->ca, NULL);
    }
    mbedtls_ssl_conf_authmode(conf, cfg->require_client_cert ? MBEDTLS_SSL_VERIFY_REQUIRED
                                                             : MBEDTLS_SSL_VERIFY_NONE);
    if (srv->have_psk) {
        ret = mbedtls_ssl_conf_psk(conf, srv->psk, srv->psk_len,
                                   (const unsigned char *)srv->psk_identity,
                                   strlen(srv->psk_identity));
        if (ret != 0) {
            return dtls_server_conf_err(ret);
        }
    }
    return 0;
}

/* The shared mbedtls_ssl_config: DTLS 1.2 server, suites, timeouts, CID, cookies, debug. */
static int dtls_server_conf_ssl(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    mbedtls_ssl_config *conf = &srv->conf;
    int ret = mbedtls_ssl_config_defaults(
        conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT);
    int rc;

    if (ret != 0) {
        return dtls_server_conf_err(ret);
    }
    mbedtls_ssl_conf_rng(conf, port_rng_random, &srv->rng);
    dtls_server_conf_suites(srv);
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_dtls_anti_replay(conf, MBEDTLS_SSL_ANTI_REPLAY_ENABLED);
    mbedtls_ssl_conf_dtls_badmac_limit(conf, cfg->bad_mac_limit ? cfg->bad_mac_limit : 16);
    mbedtls_ssl_conf_handshake_timeout(conf, cfg->hs_timeout_min_ms ? cfg->hs_timeout_min_ms : 1000,
                                       cfg->hs_timeout_max_ms ? cfg->hs_timeout_max_ms : 60000);
    if (cfg->cid) {
        ret = mbedtls_ssl_conf_cid(conf, DTLS_SERVER_CID_LEN, MBEDTLS_SSL_UNEXPECTED_CID_IGNORE);
        if (ret != 0) {
            return dtls_server_conf_err(ret);
        }
    }
    rc = dtls_server_conf_creds(srv, cfg);
    if (rc < 0) {
        return rc;
    }
    ret = mbedtls_ssl_cookie_setup(&srv->cookie, port_rng_random, &srv->rng);
    if (ret != 0) {
        return dtls_server_conf_err(ret);
    }
    mbedtls_ssl_conf_dtls_cookies(conf, dtls_server_gate_cookie_write,
                                  dtls_server_gate_cookie_check, srv);
    if (cfg->debug_level > 0) {
        mbedtls_ssl_conf_dbg(conf, dtls_server_conf_debug, srv);
        mbedtls_debug_set_threshold(cfg->debug_level);
    }
    return 0;
}

int dtls_server_conf_setup(struct dtls_server *srv, const struct dtls_server_config *cfg)
{
    int rc = dtls_server_conf_check(srv, cfg);

    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_conf_load(srv, cfg);
    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_conf_ssl(srv, cfg);
out:
    return rc;
}

void dtls_server_conf_free(struct dtls_server *srv)
{
    mbedtls_ssl_cookie_free(&srv->cookie);
    mbedtls_ssl_config_free(&srv->conf);
    mbedtls_pk_free(&srv->key);
    mbedtls_x509_crt_free(&srv->ca);
    mbedtls_x509_crt_free(&srv->cert);
    port_rng_free(&srv->rng);
    mbedtls_platform_zeroize(srv->psk, sizeof(srv->psk));
    srv->psk_len = 0;
}
