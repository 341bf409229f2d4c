/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot configuration hook of the Linux port: one configuration per thread.
 */
#include "port_boot.h"

#include "port/port_boot.h"

static _Thread_local const struct boot_config *port_boot_current;

const struct boot_config *port_boot_activate(const struct boot_config *cfg)
{
    const struct boot_config *prev = port_boot_current;

    port_boot_current = cfg;
    return prev;
}

const struct boot_config *port_boot_config(void)
{
    return port_boot_current;
}
