/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_boot.h
 * \brief Port hook: the bootloader configuration of the device the core runs for.
 *
 * A real target compiles one configuration into its bootloader; the simulator hosts devices of
 * every kind in one process, so boot_go() asks the port which configuration applies to the
 * calling context (the Linux port: the one the calling thread activated).
 *
 * Contract: callable at any time; returns the same pointer until the port changes it; the
 * configuration it points to stays valid and unchanged while boot_go() runs.
 */
#ifndef PORT_PORT_BOOT_H
#define PORT_PORT_BOOT_H

struct boot_config;

/**
 * \brief The boot configuration of the current device.
 * \return The configuration, or NULL when none is set (boot_go() then fails with BO_ESTATE).
 */
const struct boot_config *port_boot_config(void);

#endif /* PORT_PORT_BOOT_H */
