/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_boot.h
 * \brief Linux port of the boot configuration hook (core/include/port/port_boot.h): each thread
 *        activates the configuration of the device it runs, like port_heap_activate().
 */
#ifndef PORT_LINUX_PORT_BOOT_H
#define PORT_LINUX_PORT_BOOT_H

#include "boot/loader.h"

/**
 * \brief Makes cfg the configuration port_boot_config() returns on the calling thread.
 * \param cfg  The configuration (must outlive its activation), or NULL for none.
 * \return The previously active configuration, to restore later.
 */
const struct boot_config *port_boot_activate(const struct boot_config *cfg);

#endif /* PORT_LINUX_PORT_BOOT_H */
