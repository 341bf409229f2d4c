/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file config.h
 * \brief What the core library was compiled with, readable at run time.
 *
 * The values come from the configuration core/config/config.c checked when the library was
 * built (config/build_info.h), so a program linked with the library can report them (a
 * daemon's version output, a test that must know the trailer size).
 */
#ifndef BROWNOUT_CONFIG_CONFIG_H
#define BROWNOUT_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/** The compiled configuration (BROWNOUT_CFG_* values of config/config_adjust.h). */
struct config_info {
    uint32_t version;         /**< Configuration version (scripts/config_history/). */
    bool sim_all_modes;       /**< Every upgrade mode compiled in, chosen at run time. */
    int32_t mode;             /**< enum boot_mode of a firmware build; -1 in the simulator. */
    uint32_t sign_types;      /**< Bit 0 ECDSA P-256, bit 1 ECDSA P-384, bit 2 RSA. */
    uint32_t rsa_len;         /**< RSA modulus bits; 0 without RSA. */
    bool allow_unsigned;      /**< BROWNOUT_ALLOW_UNSIGNED. */
    bool ota_app;             /**< BROWNOUT_OTA_APP. */
    uint32_t image_number;    /**< MCUBOOT_IMAGE_NUMBER. */
    uint32_t max_align;       /**< MCUBOOT_BOOT_MAX_ALIGN. */
    uint32_t max_img_sectors; /**< MCUBOOT_MAX_IMG_SECTORS. */
    uint32_t trailer_size;    /**< Largest slot trailer in bytes (BROWNOUT_CFG_TRAILER_SIZE). */
    uint32_t hash_size;       /**< Largest image hash in bytes. */
};

/** Bits of config_info.sign_types. */
#define CONFIG_SIGN_EC256 (1u << 0)
#define CONFIG_SIGN_EC384 (1u << 1)
#define CONFIG_SIGN_RSA (1u << 2)

/**
 * \brief The configuration the core library was compiled with.
 * \return A pointer to constant data, valid for the life of the program; never NULL.
 */
const struct config_info *config_info_get(void);

#endif /* BROWNOUT_CONFIG_CONFIG_H */
