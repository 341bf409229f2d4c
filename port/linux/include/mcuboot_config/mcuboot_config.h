/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_config.h
 * \brief Bootloader configuration of the Linux port: the simulator's configuration.
 *
 * A real device compiles one upgrade mode and one signature type (MCUboot's option names, see
 * docs/config.md). The simulator compiles all of them, and the boot context chooses one per
 * device at run time (struct boot_config), so one daemon can run devices of every kind and a
 * sweep can cover every mode: BROWNOUT_SIM_ALL_MODES and BROWNOUT_SIM_ALL_SIGN_TYPES say so
 * explicitly, and the configuration checks (core/config) accept them only without a single
 * MCUBOOT_OVERWRITE_ONLY / MCUBOOT_SWAP_USING_* mode. The boot policy options
 * (MCUBOOT_VALIDATE_PRIMARY_SLOT, MCUBOOT_DOWNGRADE_PREVENTION) are per device too and are
 * therefore not set here. Core code reads this file through config/build_info.h.
 */
#ifndef MCUBOOT_CONFIG_MCUBOOT_CONFIG_H
#define MCUBOOT_CONFIG_MCUBOOT_CONFIG_H

/* Every upgrade mode is compiled in; struct boot_config picks one per device. */
#define BROWNOUT_SIM_ALL_MODES

/* Signature types compiled in; each key of the key table says which one it is. */
#define BROWNOUT_SIM_ALL_SIGN_TYPES
#define MCUBOOT_SIGN_EC256
#define MCUBOOT_SIGN_EC384
#define MCUBOOT_SIGN_RSA
/* RSA-2048 and RSA-3072 keys are both accepted; 2048 is MCUboot's default length. */
#define MCUBOOT_SIGN_RSA_LEN 2048

/* Unsigned (hash-only) images are accepted only when a device's boot_config allows them. */
#define BROWNOUT_ALLOW_UNSIGNED

/* Up to two images (multi-image with dependencies). */
#define MCUBOOT_IMAGE_NUMBER 2

/* Largest write unit any board may declare, in bytes (trailer fields are padded to it). */
#define MCUBOOT_BOOT_MAX_ALIGN 32

/* Most sectors in one slot (a 1 MiB slot of 512-byte pages needs 2048). */
#define MCUBOOT_MAX_IMG_SECTORS 4096

/* Crypto library. */
#define MCUBOOT_USE_MBED_TLS

/* The device application: CoAPs over-the-air updates (core/ota). */
#define BROWNOUT_OTA_APP

#endif /* MCUBOOT_CONFIG_MCUBOOT_CONFIG_H */
