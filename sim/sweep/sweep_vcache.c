/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep's cache of signature checks (see sweep_vcache.h): the linker's --wrap sends the
 * bootloaders' calls here; each __real_ name is the Mbed TLS function itself.
 */
#include "sweep/sweep_vcache.h"

#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/pk.h"

/* Room for the key, the hash and the signature of one check (RSA-3072 at most). */
#define SWEEP_VCACHE_BUF 2048u

/* The memo in use, or NULL: set by the sweep's single-threaded snapshot path. */
static struct sweep_memo *sweep_vcache_memo;

int __real_mbedtls_pk_verify(mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                             const unsigned char *hash, size_t hash_len, const unsigned char *sig,
                             size_t sig_len);
int __real_mbedtls_pk_verify_ext(mbedtls_pk_type_t type, const void *options,
                                 mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                                 const unsigned char *hash, size_t hash_len,
                                 const unsigned char *sig, size_t sig_len);
int __real_mbedtls_ecdsa_read_signature(mbedtls_ecdsa_context *ctx, const unsigned char *hash,
                                        size_t hlen, const unsigned char *sig, size_t slen);
int __wrap_mbedtls_pk_verify(mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                             const unsigned char *hash, size_t hash_len, const unsigned char *sig,
                             size_t sig_len);
int __wrap_mbedtls_pk_verify_ext(mbedtls_pk_type_t type, const void *options,
                                 mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                                 const unsigned char *hash, size_t hash_len,
                                 const unsigned char *sig, size_t sig_len);
int __wrap_mbedtls_ecdsa_read_signature(mbedtls_ecdsa_context *ctx, const unsigned char *hash,
                                        size_t hlen, const unsigned char *sig, size_t slen);

void sweep_vcache_use(struct sweep_memo *m)
{
    sweep_vcache_memo = m;
}

/* A check's description, built into a buffer. */
struct sweep_vcache_in {
    uint8_t buf[SWEEP_VCACHE_BUF];
    size_t len;
    bool ok; /* False when a part does not fit: the check is not cached. */
};

static void sweep_vcache_add(struct sweep_vcache_in *in, const void *data, size_t len)
{
    uint64_t n = len;

    if (!in->ok || len > sizeof(in->buf) - sizeof(n) - in->len) {
        in->ok = false;
        return;
    }
    memcpy(in->buf + in->len, &n, sizeof(n));
    if (len > 0) {
        /* A part may be empty and NULL (no options). */
        memcpy(in->buf + in->len + sizeof(n), data, len);
    }
    in->len += sizeof(n) + len;
}

/* Whether a result may be kept: not an allocation failure (the next try may have memory). */
static bool sweep_vcache_keeps(int ret)
{
    return ret != MBEDTLS_ERR_MPI_ALLOC_FAILED && ret != MBEDTLS_ERR_ECP_ALLOC_FAILED &&
           ret != MBEDTLS_ERR_PK_ALLOC_FAILED;
}

/* Looks the check up: true with *ret, or false with its key in k (*keyed: it has one). */
static bool sweep_vcache_find(const struct sweep_vcache_in *in, struct sweep_memo_key *k,
                              bool *keyed, int *ret)
{
    struct sweep_memo *m = sweep_vcache_memo;
    int32_t v;
    int rc;

    *keyed = m != NULL && !m->off && in->ok;
    if (!*keyed) {
        sweep_memo_count(m, SWEEP_MEMO_N_VERIFIES);
        return false;
    }
    sweep_memo_key_buf(SWEEP_MEMO_VERIFY, in->buf, in->len, k);
    if (sweep_memo_find(m, k, SWEEP_MEMO_VERIFY, &rc, &v, sizeof(v))) {
        sweep_memo_count(m, SWEEP_MEMO_N_VERIFY_HITS);
        *ret = v;
        return true;
    }
    sweep_memo_count(m, SWEEP_MEMO_N_VERIFIES);
    return false;
}

static void sweep_vcache_store(const struct sweep_memo_key *k, bool keyed, int ret)
{
    int32_t v = ret;

    if (keyed && sweep_vcache_keeps(ret)) {
        sweep_memo_add(sweep_vcache_memo, k, SWEEP_MEMO_VERIFY, 0, &v, sizeof(v));
    }
}

/* Describes a pk check: which call, its type and options, the public key, hash, signature. */
static void sweep_vcache_pk(struct sweep_vcache_in *in, uint8_t call, mbedtls_pk_type_t type,
                            const void *options, size_t options_len, mbedtls_pk_context *ctx,
                            mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_len,
                            const unsigned char *sig, size_t sig_len)
{
    uint8_t der[1024];
    int32_t head[3] = { call, (int32_t)type, (int32_t)md_alg };
    int n;

    in->len = 0;
    in->ok = true;
    n = mbedtls_pk_write_pubkey_der(ctx, der, sizeof(der));
    if (n <= 0) {
        in->ok = false;
        return;
    }
    sweep_vcache_add(in, head, sizeof(head));
    sweep_vcache_add(in, options, options_len);
    sweep_vcache_add(in, der + sizeof(der) - (size_t)n, (size_t)n);
    sweep_vcache_add(in, hash, hash_len);
    sweep_vcache_add(in, sig, sig_len);
}

int __wrap_mbedtls_pk_verify(mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                             const unsigned char *hash, size_t hash_len, const unsigned char *sig,
                             size_t sig_len)
{
    struct sweep_vcache_in in;
    struct sweep_memo_key k;
    bool keyed = false;
    int ret;

    if (sweep_vcache_memo == NULL) {
        return __real_mbedtls_pk_verify(ctx, md_alg, hash, hash_len, sig, sig_len);
    }
    sweep_vcache_pk(&in, 1, MBEDTLS_PK_NONE, NULL, 0, ctx, md_alg, hash, hash_len, sig, sig_len);
    if (sweep_vcache_find(&in, &k, &keyed, &ret)) {
        return ret;
    }
    ret = __real_mbedtls_pk_verify(ctx, md_alg, hash, hash_len, sig, sig_len);
    sweep_vcache_store(&k, keyed, ret);
    return ret;
}

int __wrap_mbedtls_pk_verify_ext(mbedtls_pk_type_t type, const void *options,
                                 mbedtls_pk_context *ctx, mbedtls_md_type_t md_alg,
                                 const unsigned char *hash, size_t hash_len,
                                 const unsigned char *sig, size_t sig_len)
{
    struct sweep_vcache_in in;
    struct sweep_memo_key k;
    bool keyed = false;
    int ret;

    if (sweep_vcache_memo == NULL) {
        return __real_mbedtls_pk_verify_ext(type, options, ctx, md_alg, hash, hash_len, sig,
                                            sig_len);
    }
    sweep_vcache_pk(&in, 2, type, options,
                    type == MBEDTLS_PK_RSASSA_PSS && options != NULL
                        ? sizeof(mbedtls_pk_rsassa_pss_options)
                        : 0,
                    ctx, md_alg, hash, hash_len, sig, sig_len);
    if (sweep_vcache_find(&in, &k, &keyed, &ret)) {
        return ret;
    }
    ret = __real_mbedtls_pk_verify_ext(type, options, ctx, md_alg, hash, hash_len, sig, sig_len);
    sweep_vcache_store(&k, keyed, ret);
    return ret;
}

int __wrap_mbedtls_ecdsa_read_signature(mbedtls_ecdsa_context *ctx, const unsigned char *hash,
                                        size_t hlen, const unsigned char *sig, size_t slen)
{
    struct sweep_vcache_in in;
    struct sweep_memo_key k;
    uint8_t q[2 * MBEDTLS_ECP_MAX_BYTES + 1];
    int32_t head[2] = { 3, 0 };
    size_t qlen = 0;
    bool keyed = false;
    int ret;

    if (sweep_vcache_memo == NULL) {
        return __real_mbedtls_ecdsa_read_signature(ctx, hash, hlen, sig, slen);
    }
    head[1] = (int32_t)mbedtls_ecp_keypair_get_group_id(ctx);
    in.len = 0;
    in.ok =
        mbedtls_ecp_write_public_key(ctx, MBEDTLS_ECP_PF_UNCOMPRESSED, &qlen, q, sizeof(q)) == 0;
    sweep_vcache_add(&in, head, sizeof(head));
    sweep_vcache_add(&in, q, qlen);
    sweep_vcache_add(&in, hash, hlen);
    sweep_vcache_add(&in, sig, slen);
    if (sweep_vcache_find(&in, &k, &keyed, &ret)) {
        return ret;
    }
    ret = __real_mbedtls_ecdsa_read_signature(ctx, hash, hlen, sig, slen);
    sweep_vcache_store(&k, keyed, ret);
    return ret;
}
