/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_config.h
 * \brief Bootloader configuration of the Linux port (MCUboot's option names).
 *
 * A real device compiles one upgrade mode and one signature type. The simulator compiles all of
 * them, and the boot context chooses one at run time (struct boot_config), so one daemon can run
 * devices of every kind and a sweep can cover every mode. The compile-time configuration checks
 * (core/config) read these options.
 */
#ifndef MCUBOOT_CONFIG_MCUBOOT_CONFIG_H
#define MCUBOOT_CONFIG_MCUBOOT_CONFIG_H

/* Signature types compiled in; each key of the key table says which one it is. */
#define MCUBOOT_SIGN_EC256
#define MCUBOOT_SIGN_EC384
#define MCUBOOT_SIGN_RSA
#define MCUBOOT_SIGN_RSA_LEN_2048
#define MCUBOOT_SIGN_RSA_LEN_3072

/* Upgrade modes compiled in; struct boot_config picks one per device. */
#define MCUBOOT_OVERWRITE_ONLY_AVAILABLE
#define MCUBOOT_SWAP_USING_SCRATCH_AVAILABLE
#define MCUBOOT_SWAP_USING_MOVE_AVAILABLE
#define MCUBOOT_SWAP_USING_OFFSET_AVAILABLE

/* Unsigned (hash-only) images are accepted only when a device's boot_config allows them. */
#define MCUBOOT_HASH_ONLY_AVAILABLE

/* Up to two images (multi-image with dependencies). */
#define MCUBOOT_IMAGE_NUMBER 2

/* Largest write unit any board may declare, in bytes (trailer fields are padded to it). */
#define MCUBOOT_BOOT_MAX_ALIGN 32

/* Most sectors in one slot (a 1 MiB slot of 512-byte pages needs 2048). */
#define MCUBOOT_MAX_IMG_SECTORS 4096

/* Crypto library. */
#define MCUBOOT_USE_MBED_TLS

#endif /* MCUBOOT_CONFIG_MCUBOOT_CONFIG_H */
