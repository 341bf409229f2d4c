/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_config.h
 * \brief The core configuration of make cross: a Cortex-M4 firmware build.
 *
 * make cross puts tests/cross/include first on the include path, so this file stands for the
 * mcuboot_config.h a real port would provide (the other port contract headers come from
 * port/linux/include: they are declarations only). Unlike the simulator's configuration it
 * chooses one upgrade mode and one signature type, as the checks of core/config require of a
 * firmware build; the core still compiles every mode (it is configured at run time).
 */
#ifndef MCUBOOT_CONFIG_MCUBOOT_CONFIG_H
#define MCUBOOT_CONFIG_MCUBOOT_CONFIG_H

#define MCUBOOT_SWAP_USING_MOVE
#define MCUBOOT_SIGN_EC256
#define MCUBOOT_VALIDATE_PRIMARY_SLOT
#define MCUBOOT_DOWNGRADE_PREVENTION
#define MCUBOOT_IMAGE_NUMBER 1
#define MCUBOOT_BOOT_MAX_ALIGN 8
#define MCUBOOT_MAX_IMG_SECTORS 128
#define MCUBOOT_USE_MBED_TLS
#define BROWNOUT_OTA_APP

/* A 4 KiB-sector part with 256 KiB slots (nRF52840-like). */
#define BROWNOUT_PRIMARY_SECTOR_SIZE 4096
#define BROWNOUT_SECONDARY_SECTOR_SIZE 4096
#define BROWNOUT_SLOT_SIZE (256 * 1024)

#endif /* MCUBOOT_CONFIG_MCUBOOT_CONFIG_H */
