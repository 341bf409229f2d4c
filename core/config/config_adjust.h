/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config_adjust.h
 * \brief The macros the core derives from its configuration (BROWNOUT_CFG_*).
 *
 * Included by config/build_info.h after the configuration; never include it directly. A
 * configuration must not define any of these (config_check_after.h rejects it): the core sizes
 * its buffers and trailer layouts from them, so a hand-set value would desynchronise them.
 * Defaults are MCUboot's: MA 8, 128 sectors, one image, RSA-2048.
 *
 * Trailer sizes follow core/boot/trailer.h (MCUboot's boot_trailer_sz()), computed for the
 * largest write unit the configuration allows (MA): the magic takes ALIGN_UP(16, MA) bytes,
 * image_ok, copy_done, swap_info and swap_size MA bytes each (plus MA of TLV sizes for
 * swap-using-offset), and the swap status S x states x MA bytes.
 */
#ifndef BROWNOUT_CONFIG_CONFIG_ADJUST_H
#define BROWNOUT_CONFIG_CONFIG_ADJUST_H

/** Version of the configuration options this core reads (scripts/config_history/). */
#define BROWNOUT_CFG_VERSION 1

/** 1 in the simulator's run-time-configured build (every upgrade mode compiled in). */
#if defined(BROWNOUT_SIM_ALL_MODES)
#define BROWNOUT_CFG_SIM_ALL_MODES 1
#else
#define BROWNOUT_CFG_SIM_ALL_MODES 0
#endif

/**
 * The firmware's upgrade mode, as an enum boot_mode value (core/boot/loader.h: 0 overwrite-only,
 * 1 swap-using-scratch, 2 swap-using-move, 3 swap-using-offset); -1 when the mode is chosen at
 * run time (simulator) or not configured.
 */
#if !defined(BROWNOUT_SIM_ALL_MODES) && defined(MCUBOOT_OVERWRITE_ONLY)
#define BROWNOUT_CFG_MODE 0
#elif !defined(BROWNOUT_SIM_ALL_MODES) && defined(MCUBOOT_SWAP_USING_SCRATCH)
#define BROWNOUT_CFG_MODE 1
#elif !defined(BROWNOUT_SIM_ALL_MODES) && defined(MCUBOOT_SWAP_USING_MOVE)
#define BROWNOUT_CFG_MODE 2
#elif !defined(BROWNOUT_SIM_ALL_MODES) && defined(MCUBOOT_SWAP_USING_OFFSET)
#define BROWNOUT_CFG_MODE 3
#else
#define BROWNOUT_CFG_MODE (-1)
#endif

/** Number of signature types compiled in (MCUBOOT_SIGN_EC256, _EC384, _RSA). */
#if defined(MCUBOOT_SIGN_EC256)
#define BROWNOUT_CFG_SIGN_EC256_COUNT_ 1
#else
#define BROWNOUT_CFG_SIGN_EC256_COUNT_ 0
#endif
#if defined(MCUBOOT_SIGN_EC384)
#define BROWNOUT_CFG_SIGN_EC384_COUNT_ 1
#else
#define BROWNOUT_CFG_SIGN_EC384_COUNT_ 0
#endif
#if defined(MCUBOOT_SIGN_RSA)
#define BROWNOUT_CFG_SIGN_RSA_COUNT_ 1
#else
#define BROWNOUT_CFG_SIGN_RSA_COUNT_ 0
#endif
#define BROWNOUT_CFG_SIGN_TYPE_COUNT \
    (BROWNOUT_CFG_SIGN_EC256_COUNT_ + BROWNOUT_CFG_SIGN_EC384_COUNT_ + BROWNOUT_CFG_SIGN_RSA_COUNT_)

/** RSA modulus size in bits (MCUBOOT_SIGN_RSA_LEN, default 2048); 0 without RSA. */
#if defined(MCUBOOT_SIGN_RSA) && defined(MCUBOOT_SIGN_RSA_LEN)
#define BROWNOUT_CFG_RSA_LEN MCUBOOT_SIGN_RSA_LEN
#elif defined(MCUBOOT_SIGN_RSA)
#define BROWNOUT_CFG_RSA_LEN 2048
#else
#define BROWNOUT_CFG_RSA_LEN 0
#endif

/** Boot policy as 0/1 values, for a firmware port's struct boot_config. */
#if defined(BROWNOUT_ALLOW_UNSIGNED)
#define BROWNOUT_CFG_ALLOW_UNSIGNED 1
#else
#define BROWNOUT_CFG_ALLOW_UNSIGNED 0
#endif
#if defined(MCUBOOT_VALIDATE_PRIMARY_SLOT)
#define BROWNOUT_CFG_VALIDATE_PRIMARY 1
#else
#define BROWNOUT_CFG_VALIDATE_PRIMARY 0
#endif
#if defined(MCUBOOT_DOWNGRADE_PREVENTION)
#define BROWNOUT_CFG_DOWNGRADE_VERSION 1
#else
#define BROWNOUT_CFG_DOWNGRADE_VERSION 0
#endif
/* Upstream MCUboot's swap modes test MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER as a value
 * (0: compare versions, 1: compare security counters); brownout also takes it empty, meaning
 * 1. The second term is true for an empty definition only. */
#if defined(MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER) &&    \
    ((MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER + 0) != 0 || \
     (1 - MCUBOOT_DOWNGRADE_PREVENTION_SECURITY_COUNTER - 1) == 2)
#define BROWNOUT_CFG_DOWNGRADE_SEC_CNT 1
#else
#define BROWNOUT_CFG_DOWNGRADE_SEC_CNT 0
#endif

/** Images handled (MCUBOOT_IMAGE_NUMBER, default 1). */
#if defined(MCUBOOT_IMAGE_NUMBER)
#define BROWNOUT_CFG_IMAGE_NUMBER MCUBOOT_IMAGE_NUMBER
#else
#define BROWNOUT_CFG_IMAGE_NUMBER 1
#endif

/** MCUboot's BOOT_MAX_ALIGN (MCUBOOT_BOOT_MAX_ALIGN, default 8). */
#if defined(MCUBOOT_BOOT_MAX_ALIGN)
#define BROWNOUT_CFG_MAX_ALIGN MCUBOOT_BOOT_MAX_ALIGN
#else
#define BROWNOUT_CFG_MAX_ALIGN 8
#endif

/** Most sectors per slot, the size of the sector tables (MCUBOOT_MAX_IMG_SECTORS, 128). */
#if defined(MCUBOOT_MAX_IMG_SECTORS)
#define BROWNOUT_CFG_MAX_IMG_SECTORS MCUBOOT_MAX_IMG_SECTORS
#else
#define BROWNOUT_CFG_MAX_IMG_SECTORS 128
#endif

/** Status entries of a slot's trailer (MCUboot's BOOT_STATUS_MAX_ENTRIES). */
#define BROWNOUT_CFG_STATUS_ENTRIES BROWNOUT_CFG_MAX_IMG_SECTORS

/** Status records per entry of the largest layout compiled: 2 for offset only, else 3. */
#if BROWNOUT_CFG_MODE == 3
#define BROWNOUT_CFG_STATUS_STATES 2
#else
#define BROWNOUT_CFG_STATUS_STATES 3
#endif

/** Largest swap status area of a slot, in bytes. */
#define BROWNOUT_CFG_STATUS_SIZE \
    (BROWNOUT_CFG_STATUS_ENTRIES * BROWNOUT_CFG_STATUS_STATES * BROWNOUT_CFG_MAX_ALIGN)

/** Bytes the magic occupies: ALIGN_UP(16, MA). */
#if BROWNOUT_CFG_MAX_ALIGN > 16
#define BROWNOUT_CFG_MAGIC_AREA_SIZE BROWNOUT_CFG_MAX_ALIGN
#else
#define BROWNOUT_CFG_MAGIC_AREA_SIZE 16
#endif

/** The trailer's fields above the status area (5 MA when swap-using-offset can run). */
#if BROWNOUT_CFG_MODE == 3 || BROWNOUT_CFG_SIM_ALL_MODES
#define BROWNOUT_CFG_TRAILER_INFO_SIZE (5 * BROWNOUT_CFG_MAX_ALIGN + BROWNOUT_CFG_MAGIC_AREA_SIZE)
#else
#define BROWNOUT_CFG_TRAILER_INFO_SIZE (4 * BROWNOUT_CFG_MAX_ALIGN + BROWNOUT_CFG_MAGIC_AREA_SIZE)
#endif

/** Largest trailer of a slot, in bytes (the bytes an image may never use). */
#define BROWNOUT_CFG_TRAILER_SIZE (BROWNOUT_CFG_STATUS_SIZE + BROWNOUT_CFG_TRAILER_INFO_SIZE)

/** Trailer of the scratch area (one status entry). */
#define BROWNOUT_CFG_SCRATCH_TRAILER_SIZE \
    (BROWNOUT_CFG_STATUS_STATES * BROWNOUT_CFG_MAX_ALIGN + BROWNOUT_CFG_TRAILER_INFO_SIZE)

/** Largest image hash: SHA-384 (48 bytes) with ECDSA P-384, SHA-256 (32) otherwise. */
#if defined(MCUBOOT_SIGN_EC384)
#define BROWNOUT_CFG_HASH_SIZE 48
#else
#define BROWNOUT_CFG_HASH_SIZE 32
#endif

#endif /* BROWNOUT_CONFIG_CONFIG_ADJUST_H */
