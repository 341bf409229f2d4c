/* SPDX-License-Identifier: Apache-2.0 */
/* A blocking DTLS 1.2 client on a connected UDP socket, the other end of a dtls_server. */
#include "dtls/dtls_server_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bo_err.h"
#include "dtls/dtls_server_int.h"

static uint64_t dtls_server_peer_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void dtls_server_peer_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
    struct dtls_server_peer *p = ctx;

    p->timer_int_ms = int_ms;
    p->timer_fin_ms = fin_ms;
    p->timer_start_ms = dtls_server_peer_now_ms();
}

static int dtls_server_peer_timer_get(void *ctx)
{
    const struct dtls_server_peer *p = ctx;

    if (p->timer_fin_ms == 0) {
        return -1;
    }
    uint64_t elapsed = dtls_server_peer_now_ms() - p->timer_start_ms;
    if (elapsed >= p->timer_fin_ms) {
        return 2;
    }
    return elapsed >= p->timer_int_ms ? 1 : 0;
}

static int dtls_server_peer_send_cb(void *ctx, const unsigned char *buf, size_t len)
{
    struct dtls_server_peer *p = ctx;
    ssize_t n = send(p->fd, buf, len, 0);

    if (n < 0) {
        /* A refused datagram (no server yet) is lost like any other. */
        if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED) {
            return (int)len;
        }
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
    return (int)n;
}

/* Receives one datagram, waiting at most timeout ms (0: wait forever, as Mbed TLS means it). */
static int dtls_server_peer_recv_cb(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    struct dtls_server_peer *p = ctx;
    struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

    for (;;) {
        int r = poll(&pfd, 1, timeout == 0 ? -1 : (int)timeout);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            return MBEDTLS_ERR_SSL_TIMEOUT;
        }
        if (r < 0) {
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        ssize_t n = recv(p->fd, buf, len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)) {
            if (errno == ECONNREFUSED) {
                return MBEDTLS_ERR_SSL_TIMEOUT;
            }
            continue;
        }
        if (n < 0) {
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        return (int)n;
    }
}

void dtls_server_peer_init(struct dtls_server_peer *p)
{
    memset(p, 0, sizeof(*p));
    p->fd = -1;
    port_heap_init(&p->heap, "dtls-peer", NULL);
    port_rng_init(&p->rng);
    mbedtls_ssl_config_init(&p->conf);
    mbedtls_ssl_init(&p->ssl);
    mbedtls_x509_crt_init(&p->ca);
    mbedtls_x509_crt_init(&p->cert);
    mbedtls_pk_init(&p->key);
}

/* Opens a UDP socket connected to the server, on a fresh local port. */
static int dtls_server_peer_socket(struct dtls_server_peer *p)
{
    int fd = socket(p->server.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        return BO_EOS;
    }
    if (p->local_port != 0) {
        struct sockaddr_storage local;
        int one = 1;
        memset(&local, 0, sizeof(local));
        local.ss_family = p->server.ss_family;
        if (local.ss_family == AF_INET6) {
            ((struct sockaddr_in6 *)&local)->sin6_port = htons(p->local_port);
        } else {
            ((struct sockaddr_in *)&local)->sin_port = htons(p->local_port);
        }
        /* Only the first socket gets the fixed port; a rebind moves to a fresh one. */
        p->local_port = 0;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
            bind(fd, (struct sockaddr *)&local, dtls_server_addr_len((struct sockaddr *)&local)) !=
                0) {
            close(fd);
            return BO_EOS;
        }
    }
    if (connect(fd, (struct sockaddr *)&p->server,
                dtls_server_addr_len((struct sockaddr *)&p->server)) != 0) {
        close(fd);
        return BO_EOS;
    }
    if (p->fd >= 0) {
        close(p->fd);
    }
    p->fd = fd;
    return 0;
}

/* The PSK-only suites a constrained CoAP client offers. */
static const int dtls_server_peer_psk_suites[] = {
    MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8,
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
    0,
};

/* The RNG, the client defaults, versions, timeouts and the ciphersuites. */
static int dtls_server_peer_conf_base(struct dtls_server_peer *p,
                                      const struct dtls_server_peer_config *cfg)
{
    mbedtls_ssl_config *conf = &p->conf;
    int rc;

    if (cfg->seeded) {
        port_entropy_set_seed(&p->rng.source, cfg->seed);
    }
    rc = port_rng_setup(&p->rng, "dtls-peer");
    if (rc < 0) {
        return rc;
    }
    if (mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        return BO_ECRYPTO;
    }
    mbedtls_ssl_conf_rng(conf, port_rng_random, &p->rng);
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_handshake_timeout(conf, cfg->hs_timeout_min_ms ? cfg->hs_timeout_min_ms : 200,
                                       cfg->hs_timeout_max_ms ? cfg->hs_timeout_max_ms : 3200);
    if (cfg->ciphersuite != 0) {
        p->ciphersuites[0] = cfg->ciphersuite;
        p->ciphersuites[1] = 0;
        mbedtls_ssl_conf_ciphersuites(conf, p->ciphersuites);
    } else if (cfg->psk_identity != NULL && cfg->cert_file == NULL && cfg->ca_file == NULL) {
        /* A PSK-only peer offers PSK suites only, as a constrained CoAP client does. */
        mbedtls_ssl_conf_ciphersuites(conf, dtls_server_peer_psk_suites);
    }
    return 0;
}

/* The credentials: the CA that verifies the server, the client certificate, the PSK. */
static int dtls_server_peer_conf_creds(struct dtls_server_peer *p,
                                       const struct dtls_server_peer_config *cfg)
{
    mbedtls_ssl_config *conf = &p->conf;
    int rc;

    if (cfg->ca_file != NULL) {
        rc = dtls_server_conf_crt(&p->ca, cfg->ca_file);
        if (rc < 0) {
            return rc;
        }
        mbedtls_ssl_conf_ca_chain(conf, &p->ca, NULL);
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    if (cfg->cert_file != NULL) {
        rc = dtls_server_conf_crt(&p->cert, cfg->cert_file);
        if (rc == 0) {
            rc = cfg->key_file != NULL ? dtls_server_conf_key(&p->key, cfg->key_file, &p->rng)
                                       : BO_EINVAL;
        }
        if (rc < 0) {
            return rc;
        }
        if (mbedtls_ssl_conf_own_cert(conf, &p->cert, &p->key) != 0) {
            return BO_ECRYPTO;
        }
    }
    if (cfg->psk_identity != NULL && cfg->psk_hex != NULL) {
        size_t psk_len;
        rc = dtls_server_conf_hex(cfg->psk_hex, p->psk, sizeof(p->psk), &psk_len);
        if (rc < 0) {
            return rc;
        }
        if (mbedtls_ssl_conf_psk(conf, p->psk, psk_len, (const unsigned char *)cfg->psk_identity,
                                 strlen(cfg->psk_identity)) != 0) {
            return BO_ECRYPTO;
        }
    }
    return 0;
}

/* The ssl context: Connection ID, server name, bio and timer callbacks. */
static int dtls_server_peer_conf_ssl(struct dtls_server_peer *p,
                                     const struct dtls_server_peer_config *cfg)
{
    int rc = 0;

    if (cfg->cid && mbedtls_ssl_conf_cid(&p->conf, 4, MBEDTLS_SSL_UNEXPECTED_CID_IGNORE) != 0) {
        return BO_ECRYPTO;
    }
    if (mbedtls_ssl_setup(&p->ssl, &p->conf) != 0) {
        return BO_ECRYPTO;
    }
    if (cfg->server_name != NULL && mbedtls_ssl_set_hostname(&p->ssl, cfg->server_name) != 0) {
        return BO_ECRYPTO;
    }
    if (cfg->cid) {
        uint8_t cid[4];
        rc = port_rng_random(&p->rng, cid, sizeof(cid)) == 0 ? 0 : BO_EENTROPY;
        if (rc == 0 &&
            mbedtls_ssl_set_cid(&p->ssl, MBEDTLS_SSL_CID_ENABLED, cid, sizeof(cid)) != 0) {
            rc = BO_ECRYPTO;
        }
        if (rc < 0) {
            return rc;
        }
    }
    mbedtls_ssl_set_bio(&p->ssl, p, dtls_server_peer_send_cb, NULL, dtls_server_peer_recv_cb);
    mbedtls_ssl_set_timer_cb(&p->ssl, p, dtls_server_peer_timer_set, dtls_server_peer_timer_get);
    return 0;
}

static int dtls_server_peer_configure(struct dtls_server_peer *p,
                                      const struct dtls_server_peer_config *cfg)
{
    int rc = dtls_server_peer_conf_base(p, cfg);

    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_peer_conf_creds(p, cfg);
    if (rc < 0) {
        goto out;
    }
    rc = dtls_server_peer_conf_ssl(p, cfg);
out:
    return rc;
}

int dtls_server_peer_setup(struct dtls_server_peer *p, const struct dtls_server_peer_config *cfg)
{
    const char *host = cfg->host != NULL ? cfg->host : "127.0.0.1";
    struct port_heap *prev;
    int rc;

    memset(&p->server, 0, sizeof(p->server));
    if (strchr(host, ':') != NULL) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&p->server;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(cfg->port);
        rc = inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : BO_EINVAL;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&p->server;
        a->sin_family = AF_INET;
        a->sin_port = htons(cfg->port);
        rc = inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : BO_EINVAL;
    }
    if (rc < 0) {
        return rc;
    }
    p->deadline_ms = cfg->deadline_ms != 0 ? cfg->deadline_ms : 10000;
    p->local_port = cfg->local_port;
    prev = port_heap_activate(&p->heap);
    rc = dtls_server_peer_configure(p, cfg);
    port_heap_activate(prev);
    if (rc < 0) {
        return rc;
    }
    return dtls_server_peer_socket(p);
}

int dtls_server_peer_handshake(struct dtls_server_peer *p)
{
    uint64_t end = dtls_server_peer_now_ms() + p->deadline_ms;
    struct port_heap *prev = port_heap_activate(&p->heap);
    int rc = 0;
    int ret;

    for (;;) {
        ret = mbedtls_ssl_handshake(&p->ssl);
        if (ret == 0) {
            break;
        }
        if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
            rc = BO_ETIMEDOUT;
            break;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            rc = BO_EPROTO;
            break;
        }
        if (dtls_server_peer_now_ms() >= end) {
            rc = BO_ETIMEDOUT;
            break;
        }
    }
    p->last_error = ret;
    port_heap_activate(prev);
    return rc;
}

int dtls_server_peer_send(struct dtls_server_peer *p, const uint8_t *buf, size_t len)
{
    struct port_heap *prev = port_heap_activate(&p->heap);
    int ret = mbedtls_ssl_write(&p->ssl, buf, len);

    port_heap_activate(prev);
    if (ret < 0 || (size_t)ret != len) {
        p->last_error = ret;
        return BO_EIO;
    }
    return 0;
}

int dtls_server_peer_recv(struct dtls_server_peer *p, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    struct port_heap *prev = port_heap_activate(&p->heap);
    uint64_t end = dtls_server_peer_now_ms() + timeout_ms;
    int ret;

    mbedtls_ssl_conf_read_timeout(&p->conf, timeout_ms != 0 ? timeout_ms : 1);
    for (;;) {
        ret = mbedtls_ssl_read(&p->ssl, buf, len);
        if (ret > 0) {
            break;
        }
        if (ret == MBEDTLS_ERR_SSL_TIMEOUT ||
            ((ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == 0) &&
             dtls_server_peer_now_ms() >= end)) {
            ret = BO_ETIMEDOUT;
            break;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE && ret != 0) {
            p->last_error = ret;
            ret = BO_EPROTO;
            break;
        }
    }
    port_heap_activate(prev);
    return ret;
}

int dtls_server_peer_rebind(struct dtls_server_peer *p)
{
    return dtls_server_peer_socket(p);
}

int dtls_server_peer_local_port(const struct dtls_server_peer *p)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (p->fd < 0 || getsockname(p->fd, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET6) {
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

bool dtls_server_peer_has_cid(struct dtls_server_peer *p)
{
    int enabled = MBEDTLS_SSL_CID_DISABLED;

    return mbedtls_ssl_get_peer_cid(&p->ssl, &enabled, NULL, NULL) == 0 &&
           enabled == MBEDTLS_SSL_CID_ENABLED;
}

void dtls_server_peer_close(struct dtls_server_peer *p)
{
    struct port_heap *prev = port_heap_activate(&p->heap);

    (void)mbedtls_ssl_close_notify(&p->ssl);
    port_heap_activate(prev);
}

void dtls_server_peer_free(struct dtls_server_peer *p)
{
    struct port_heap *prev = port_heap_activate(&p->heap);

    mbedtls_ssl_free(&p->ssl);
    mbedtls_ssl_config_free(&p->conf);
    mbedtls_x509_crt_free(&p->ca);
    mbedtls_x509_crt_free(&p->cert);
    mbedtls_pk_free(&p->key);
    port_rng_free(&p->rng);
    port_heap_activate(prev);
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
}
