/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file build_info.h
 * \brief The core's configuration: include this instead of mcuboot_config/mcuboot_config.h.
 *
 * It reads, in order:
 *  1. (checking unit only) config_check_before.h, generated: core options of the command line,
 *     the Mbed TLS configuration, core options wrongly set there;
 *  2. the core configuration: BROWNOUT_CONFIG_FILE when it is defined (it replaces the port's
 *     file), otherwise the port's "mcuboot_config/mcuboot_config.h";
 *  3. BROWNOUT_USER_CONFIG_FILE when it is defined (applied after, to adjust a few options);
 *  4. (checking unit only) config_check_after.h, generated, on the raw configuration: removed
 *     options, derived macros set by the user, Mbed TLS options set in the core configuration;
 *  5. config_adjust.h: the derived BROWNOUT_CFG_* macros (sizes, defaults);
 *  6. (checking unit only) check_config.h, the hand-written rules, and config_check_final.h,
 *     generated: the Mbed TLS features the chosen options need.
 *
 * The checks run in exactly one translation unit, core/config/config.c, which defines
 * BROWNOUT_CONFIG_CHECKING before including this file; every other unit only reads the
 * configuration and the derived macros, so a bad configuration is reported once per library
 * build. Both file macros are given with their quotes, e.g.
 * -DBROWNOUT_CONFIG_FILE='"my_config.h"'. docs/config.md lists the options and the rules.
 */
#ifndef BROWNOUT_CONFIG_BUILD_INFO_H
#define BROWNOUT_CONFIG_BUILD_INFO_H

#if defined(BROWNOUT_CONFIG_CHECKING)
#include "config/config_check_before.h"
#endif

#if defined(BROWNOUT_CONFIG_FILE)
#include BROWNOUT_CONFIG_FILE
#else
#include "mcuboot_config/mcuboot_config.h"
#endif

#if defined(BROWNOUT_USER_CONFIG_FILE)
#include BROWNOUT_USER_CONFIG_FILE
#endif

#if defined(BROWNOUT_CONFIG_CHECKING)
#include "config/config_check_after.h"
#endif

#include "config/config_adjust.h"

#if defined(BROWNOUT_CONFIG_CHECKING)
#include "config/check_config.h"
#include "config/config_check_final.h"
#endif

#endif /* BROWNOUT_CONFIG_BUILD_INFO_H */
