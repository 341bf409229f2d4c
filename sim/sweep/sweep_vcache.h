/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_vcache.h
 * \brief The sweep's cache of signature checks. Not a public API.
 *
 * A signature check is a pure function of the public key, the hash and the signature. The
 * programs that link the sweep wrap Mbed TLS's entry points the bootloaders call
 * (mbedtls_pk_verify, mbedtls_pk_verify_ext: the core; mbedtls_ecdsa_read_signature: upstream
 * MCUboot) with the linker's --wrap (the Makefile's SWEEP_WRAP), so that neither bootloader changes:
 * while a sweep's memo is in use, a check already done by any process of the sweep returns
 * the result it had; otherwise (no sweep, --no-cache, another thread's replay path) the call
 * goes straight to Mbed TLS. Results of checks that ran out of memory are not kept.
 */
#ifndef SIM_SWEEP_VCACHE_H
#define SIM_SWEEP_VCACHE_H

#include "sweep/sweep_memo.h"

/** \brief Checks from now on go through m (NULL: straight to Mbed TLS). Not thread-safe. */
void sweep_vcache_use(struct sweep_memo *m);

#endif /* SIM_SWEEP_VCACHE_H */
