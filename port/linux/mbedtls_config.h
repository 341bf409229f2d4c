/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The complete Mbed TLS 3.6 configuration of brownout's Linux port.
 *
 * It is a full configuration (passed as MBEDTLS_CONFIG_FILE), not a delta on upstream's default,
 * so that what the simulated device carries is exactly what is listed here, as on a real
 * microcontroller build. The Makefile compiles the pristine library sources with it.
 *
 * Porting choices (the Mbed TLS porting guide, done for the Linux port):
 * - no network or timing module: MBEDTLS_NET_C and MBEDTLS_TIMING_C are off; the port gives the
 *   DTLS layer mbedtls_ssl_set_bio() and mbedtls_ssl_set_timer_cb() callbacks on libuv;
 * - no platform entropy: the port registers its own source with mbedtls_entropy_add_source();
 * - no file system: MBEDTLS_FS_IO is off; keys and certificates are parsed from buffers;
 * - memory, printf and time go through runtime hooks (mbedtls_platform_set_calloc_free,
 *   mbedtls_platform_set_printf, mbedtls_platform_set_time); setup/teardown are the port's own.
 *
 * Record buffers (sized for a small device):
 * - MBEDTLS_SSL_IN_CONTENT_LEN 4096: a DTLS handshake message is reassembled in the input
 *   buffer, so it must hold the largest one the device accepts (a client's certificate message
 *   with a short ECDSA chain, around 1.5 KiB); 4 KiB leaves room for a two-certificate chain.
 * - MBEDTLS_SSL_OUT_CONTENT_LEN 2048: the largest thing the device sends is its own certificate
 *   message (under 1 KiB) or a CoAP response carrying a 1024-byte block plus options.
 * - MBEDTLS_SSL_DTLS_MAX_BUFFERING 8192: future handshake messages buffered while reordering.
 * - MBEDTLS_SSL_CID_IN_LEN_MAX / OUT_LEN_MAX 16: Connection ID lengths accepted.
 * Each session therefore costs about 4096 + 2048 + record overhead (~2 x 300) bytes of buffers,
 * plus handshake state while a handshake runs; the port allocator measures the real figure.
 */
#ifndef BROWNOUT_PORT_MBEDTLS_CONFIG_H
#define BROWNOUT_PORT_MBEDTLS_CONFIG_H

/* System support. */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_NO_PLATFORM_ENTROPY

/* Platform layer: every OS service goes through a hook the port installs. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
/*
 * The port allocator is the default from the start (see port/linux/include/port_heap_hooks.h,
 * which declares the two functions for platform.c; MBEDTLS_PLATFORM_STD_MEM_HDR would need
 * MBEDTLS_PLATFORM_NO_STD_FUNCTIONS, so the declarations come with this file instead).
 */
#include "port_heap_hooks.h"
#define MBEDTLS_PLATFORM_STD_CALLOC port_heap_calloc
#define MBEDTLS_PLATFORM_STD_FREE port_heap_release
#define MBEDTLS_PLATFORM_SETUP_TEARDOWN_ALT
#define MBEDTLS_PLATFORM_PRINTF_ALT
#define MBEDTLS_PLATFORM_TIME_ALT

/* Hashes. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/* Symmetric ciphers and modes used by the DTLS cipher suites. */
#define MBEDTLS_AES_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_CIPHER_PADDING_PKCS7
#define MBEDTLS_CCM_C
#define MBEDTLS_GCM_C

/* Random numbers. */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_HMAC_DRBG_C

/* Public-key cryptography: ECDSA P-256/P-384 and RSA-2048/3072 with PSS, as MCUboot uses. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_GENPRIME
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ECDH_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C

/* X.509, for certificate-authenticated DTLS. */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

/* (D)TLS: TLS 1.2 record layer over datagrams, server and client (the client drives tests). */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#define MBEDTLS_SSL_COOKIE_C
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_BADMAC_LIMIT
#define MBEDTLS_SSL_DTLS_CONNECTION_ID
#define MBEDTLS_SSL_DTLS_CLIENT_PORT_REUSE
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED

/* Diagnostics: readable error strings and the handshake debug log (routed to the port logger). */
#define MBEDTLS_ERROR_C
#define MBEDTLS_DEBUG_C

/* Sizes (see the comment at the top of this file). */
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048
#define MBEDTLS_SSL_DTLS_MAX_BUFFERING 8192
#define MBEDTLS_SSL_CID_IN_LEN_MAX 16
#define MBEDTLS_SSL_CID_OUT_LEN_MAX 16
#define MBEDTLS_MPI_MAX_SIZE 512
#define MBEDTLS_ENTROPY_MAX_SOURCES 4

#endif /* BROWNOUT_PORT_MBEDTLS_CONFIG_H */
