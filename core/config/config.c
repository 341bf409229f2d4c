/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one translation unit that checks the core's configuration: it defines
 * BROWNOUT_CONFIG_CHECKING, so config/build_info.h runs the generated and hand-written checks
 * here, once per library build, and nowhere else. It also records the configuration for
 * config_info_get().
 */
#define BROWNOUT_CONFIG_CHECKING 1
#include "config/build_info.h"

#include "config/config.h"

#if defined(MCUBOOT_SIGN_EC256)
#define CONFIG_INFO_EC256_ CONFIG_SIGN_EC256
#else
#define CONFIG_INFO_EC256_ 0u
#endif
#if defined(MCUBOOT_SIGN_EC384)
#define CONFIG_INFO_EC384_ CONFIG_SIGN_EC384
#else
#define CONFIG_INFO_EC384_ 0u
#endif
#if defined(MCUBOOT_SIGN_RSA)
#define CONFIG_INFO_RSA_ CONFIG_SIGN_RSA
#else
#define CONFIG_INFO_RSA_ 0u
#endif
#if defined(BROWNOUT_OTA_APP)
#define CONFIG_INFO_OTA_ true
#else
#define CONFIG_INFO_OTA_ false
#endif

static const struct config_info config_info_compiled = {
    .version = BROWNOUT_CFG_VERSION,
    .sim_all_modes = BROWNOUT_CFG_SIM_ALL_MODES != 0,
    .mode = BROWNOUT_CFG_MODE,
    .sign_types = CONFIG_INFO_EC256_ | CONFIG_INFO_EC384_ | CONFIG_INFO_RSA_,
    .rsa_len = BROWNOUT_CFG_RSA_LEN,
    .allow_unsigned = BROWNOUT_CFG_ALLOW_UNSIGNED != 0,
    .ota_app = CONFIG_INFO_OTA_,
    .image_number = BROWNOUT_CFG_IMAGE_NUMBER,
    .max_align = BROWNOUT_CFG_MAX_ALIGN,
    .max_img_sectors = BROWNOUT_CFG_MAX_IMG_SECTORS,
    .trailer_size = BROWNOUT_CFG_TRAILER_SIZE,
    .hash_size = BROWNOUT_CFG_HASH_SIZE,
};

const struct config_info *config_info_get(void)
{
    return &config_info_compiled;
}
