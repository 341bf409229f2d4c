/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file check_config.h
 * \brief The hand-written configuration rules of the core.
 *
 * Included by config/build_info.h in core/config/config.c only, after config_adjust.h. Every
 * message says what is wrong and what to do. Rules that need C expressions rather than
 * preprocessor arithmetic use _Static_assert. The MCUboot options the core does not implement
 * (other modes, signature types, keys, encryption, crypto back ends) are rejected by the
 * generated config_check_after.h ("unsupported" lines of scripts/config_checks.txt). docs/config.md explains each rule.
 */
#ifndef BROWNOUT_CONFIG_CHECK_CONFIG_H
#define BROWNOUT_CONFIG_CHECK_CONFIG_H

#include <limits.h>

/* ---------------------------------------------------------------------------------------- */
/* The target. */

#if CHAR_BIT != 8
#error "the core needs 8-bit bytes (CHAR_BIT == 8): flash offsets and trailer fields are byte-exact"
#endif

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the core supports little-endian targets only: MCUboot writes trailer sizes in host order \
and brownout's trailers must match little-endian devices"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Upgrade mode: exactly one, or the simulator's run-time choice. */

#if defined(MCUBOOT_OVERWRITE_ONLY)
#define BROWNOUT_CHK_MODE_OVERWRITE_ 1
#else
#define BROWNOUT_CHK_MODE_OVERWRITE_ 0
#endif
#if defined(MCUBOOT_SWAP_USING_SCRATCH)
#define BROWNOUT_CHK_MODE_SCRATCH_ 1
#else
#define BROWNOUT_CHK_MODE_SCRATCH_ 0
#endif
#if defined(MCUBOOT_SWAP_USING_MOVE)
#define BROWNOUT_CHK_MODE_MOVE_ 1
#else
#define BROWNOUT_CHK_MODE_MOVE_ 0
#endif
#if defined(MCUBOOT_SWAP_USING_OFFSET)
#define BROWNOUT_CHK_MODE_OFFSET_ 1
#else
#define BROWNOUT_CHK_MODE_OFFSET_ 0
#endif
#define BROWNOUT_CHK_MODE_COUNT_                                                           \
    (BROWNOUT_CHK_MODE_OVERWRITE_ + BROWNOUT_CHK_MODE_SCRATCH_ + BROWNOUT_CHK_MODE_MOVE_ + \
     BROWNOUT_CHK_MODE_OFFSET_)

#if defined(BROWNOUT_SIM_ALL_MODES) && BROWNOUT_CHK_MODE_COUNT_ != 0
#error "BROWNOUT_SIM_ALL_MODES (the simulator's build: every upgrade mode, chosen per device at \
run time) cannot be combined with MCUBOOT_OVERWRITE_ONLY or MCUBOOT_SWAP_USING_*: keep one of the \
two"
#endif
#if !defined(BROWNOUT_SIM_ALL_MODES) && BROWNOUT_CHK_MODE_COUNT_ == 0
#error "no upgrade mode is configured: define exactly one of MCUBOOT_OVERWRITE_ONLY, \
MCUBOOT_SWAP_USING_SCRATCH, MCUBOOT_SWAP_USING_MOVE, MCUBOOT_SWAP_USING_OFFSET (or \
BROWNOUT_SIM_ALL_MODES for the simulator); MCUboot's bootutil falls back to \
MCUBOOT_SWAP_USING_SCRATCH, brownout's core wants the choice written"
#endif
#if BROWNOUT_CHK_MODE_COUNT_ > 1
#error "more than one upgrade mode is configured: define exactly one of MCUBOOT_OVERWRITE_ONLY, \
MCUBOOT_SWAP_USING_SCRATCH, MCUBOOT_SWAP_USING_MOVE, MCUBOOT_SWAP_USING_OFFSET"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Signature type: exactly one, none when unsigned images are allowed, several in the
 * simulator. */

#if BROWNOUT_CFG_SIGN_TYPE_COUNT == 0 && !defined(BROWNOUT_ALLOW_UNSIGNED)
#error "no signature type is configured: define one of MCUBOOT_SIGN_EC256, MCUBOOT_SIGN_EC384, \
MCUBOOT_SIGN_RSA, or BROWNOUT_ALLOW_UNSIGNED to accept hash-only images"
#endif
#if BROWNOUT_CFG_SIGN_TYPE_COUNT > 1 && !defined(BROWNOUT_SIM_ALL_SIGN_TYPES)
#error "more than one signature type is configured: keep one of MCUBOOT_SIGN_EC256, \
MCUBOOT_SIGN_EC384, MCUBOOT_SIGN_RSA (several are for the simulator only, with \
BROWNOUT_SIM_ALL_SIGN_TYPES)"
#endif
#if defined(BROWNOUT_SIM_ALL_SIGN_TYPES) && BROWNOUT_CFG_SIGN_TYPE_COUNT == 0
#error \
    "BROWNOUT_SIM_ALL_SIGN_TYPES is set but no MCUBOOT_SIGN_* is: list the signature types the \
simulator compiles in"
#endif

#if defined(MCUBOOT_SIGN_RSA_LEN) && !defined(MCUBOOT_SIGN_RSA)
#error "MCUBOOT_SIGN_RSA_LEN is set without MCUBOOT_SIGN_RSA: define MCUBOOT_SIGN_RSA or remove \
MCUBOOT_SIGN_RSA_LEN"
#endif
#if defined(MCUBOOT_SIGN_RSA) && BROWNOUT_CFG_RSA_LEN != 2048 && BROWNOUT_CFG_RSA_LEN != 3072
#error "MCUBOOT_SIGN_RSA_LEN must be 2048 or 3072 (the RSA-PSS key sizes MCUboot and brownout \
verify)"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Boot policy. */

#if BROWNOUT_CFG_DOWNGRADE_SEC_CNT && !defined(MCUBOOT_DOWNGRADE_PREVENTION)
#error "MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER refines MCUBOOT_DOWNGRADE_PREVENTION: \
define MCUBOOT_DOWNGRADE_PREVENTION too"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Sizes. */

#if BROWNOUT_CFG_MAX_ALIGN != 8 && BROWNOUT_CFG_MAX_ALIGN != 16 && BROWNOUT_CFG_MAX_ALIGN != 32
#error "MCUBOOT_BOOT_MAX_ALIGN must be 8, 16 or 32 (the trailer layouts MCUboot defines): round \
the largest flash write unit up to one of them"
#endif

#if BROWNOUT_CFG_IMAGE_NUMBER < 1 || BROWNOUT_CFG_IMAGE_NUMBER > 2
#error "MCUBOOT_IMAGE_NUMBER must be 1 or 2: the core handles at most two images (BOOT_IMAGE_MAX)"
#endif

#if BROWNOUT_CFG_MAX_IMG_SECTORS < 1 || BROWNOUT_CFG_MAX_IMG_SECTORS > 8192
#error "MCUBOOT_MAX_IMG_SECTORS must be between 1 and 8192: it sizes the sector tables and the \
swap status area"
#endif
#if (BROWNOUT_CHK_MODE_MOVE_ || BROWNOUT_CHK_MODE_OFFSET_) && BROWNOUT_CFG_MAX_IMG_SECTORS < 2
#error "swap-using-move and swap-using-offset need MCUBOOT_MAX_IMG_SECTORS >= 2: they shift the \
image by one sector"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Flash geometry, where the configuration states it at compile time. */

#if defined(BROWNOUT_PRIMARY_SECTOR_SIZE)
#if BROWNOUT_PRIMARY_SECTOR_SIZE < 16 || \
    (BROWNOUT_PRIMARY_SECTOR_SIZE & (BROWNOUT_PRIMARY_SECTOR_SIZE - 1)) != 0
#error "BROWNOUT_PRIMARY_SECTOR_SIZE must be a power of two of at least 16 bytes"
#endif
#endif
#if defined(BROWNOUT_SECONDARY_SECTOR_SIZE)
#if BROWNOUT_SECONDARY_SECTOR_SIZE < 16 || \
    (BROWNOUT_SECONDARY_SECTOR_SIZE & (BROWNOUT_SECONDARY_SECTOR_SIZE - 1)) != 0
#error "BROWNOUT_SECONDARY_SECTOR_SIZE must be a power of two of at least 16 bytes"
#endif
#endif

#if (BROWNOUT_CHK_MODE_MOVE_ || BROWNOUT_CHK_MODE_OFFSET_) && \
    defined(BROWNOUT_PRIMARY_SECTOR_SIZE) && defined(BROWNOUT_SECONDARY_SECTOR_SIZE)
#if BROWNOUT_PRIMARY_SECTOR_SIZE != BROWNOUT_SECONDARY_SECTOR_SIZE
#error "swap-using-move and swap-using-offset need the same sector size in both slots: \
BROWNOUT_PRIMARY_SECTOR_SIZE and BROWNOUT_SECONDARY_SECTOR_SIZE differ (use swap-using-scratch \
for mixed sectors)"
#endif
#endif

#if defined(BROWNOUT_SLOT_SIZE) && !defined(BROWNOUT_PRIMARY_SECTOR_SIZE)
#error "BROWNOUT_SLOT_SIZE needs BROWNOUT_PRIMARY_SECTOR_SIZE: the checks count the slot's sectors"
#endif

#if defined(BROWNOUT_SLOT_SIZE)
_Static_assert(BROWNOUT_SLOT_SIZE % BROWNOUT_PRIMARY_SECTOR_SIZE == 0,
               "BROWNOUT_SLOT_SIZE must be a whole number of BROWNOUT_PRIMARY_SECTOR_SIZE sectors");
_Static_assert(BROWNOUT_SLOT_SIZE / BROWNOUT_PRIMARY_SECTOR_SIZE <= BROWNOUT_CFG_MAX_IMG_SECTORS,
               "the primary slot has more sectors than MCUBOOT_MAX_IMG_SECTORS: raise "
               "MCUBOOT_MAX_IMG_SECTORS to BROWNOUT_SLOT_SIZE / BROWNOUT_PRIMARY_SECTOR_SIZE");
_Static_assert((unsigned long long)BROWNOUT_CFG_TRAILER_SIZE < BROWNOUT_SLOT_SIZE,
               "the image trailer does not fit in BROWNOUT_SLOT_SIZE: lower "
               "MCUBOOT_MAX_IMG_SECTORS or MCUBOOT_BOOT_MAX_ALIGN, or enlarge the slot");
#endif

/* ---------------------------------------------------------------------------------------- */
/* Crypto library. */

#if !defined(MCUBOOT_USE_MBED_TLS)
#error "MCUBOOT_USE_MBED_TLS is not defined: the core verifies images with Mbed TLS; define it"
#endif

#endif /* BROWNOUT_CONFIG_CHECK_CONFIG_H */
