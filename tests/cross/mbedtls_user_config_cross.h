/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make cross: what a Cortex-M target changes in the port's Mbed TLS configuration
 * (MBEDTLS_USER_CONFIG_FILE, applied after port/linux/mbedtls_config.h).
 *
 * Mbed TLS finds a millisecond clock on Unix and Windows only; elsewhere the port provides
 * mbedtls_ms_time() (the firmware's port_time_ms(), for DTLS timers).
 */
#define MBEDTLS_PLATFORM_MS_TIME_ALT
