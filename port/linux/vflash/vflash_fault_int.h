/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_fault_int.h
 * \brief The fault layer's state, shared by its files (vflash_fault.c: the models;
 *        vflash_fault_digest.c: the digest of what decides a device's future). Not a public API.
 */
#ifndef VFLASH_FAULT_INT_H
#define VFLASH_FAULT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vflash/vflash_fault.h"
#include "vflash/vflash_prng.h"
#include "vflash/vflash_weak.h"

struct vflash_fault {
    struct vflash_fault_config cfg;
    struct vflash_prng program_error;
    struct vflash_prng erase_error;
    struct vflash_prng drop;
    struct vflash_prng read_flip;
    bool armed;
    struct vflash_cut cut;
    struct vflash_cut_result result;
    struct vflash_weak_set weak; /* Weak regions (vflash_weak.h; stream tag 17). */
    struct vflash_fault_stats stats;
    enum vflash_ecc_torn ecc_torn; /* What a read of a torn ECC unit returns. */
    uint64_t ecc_torn_seed;        /* Seed of the garbage bytes. */
    uint8_t *torn;                 /* ECC: one bit per write unit, set = torn by a cut. */
};

#endif /* VFLASH_FAULT_INT_H */
