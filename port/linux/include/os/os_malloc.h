/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file os_malloc.h
 * \brief The heap header upstream MCUboot's loader includes (os/os_malloc.h).
 *
 * On the Linux port the bootloader allocates nothing itself; Mbed TLS's allocations go to the
 * port's accounted heap through its platform hooks (port_heap_hooks.h). The header therefore
 * only provides the standard allocator declarations a port's os_malloc.h usually carries.
 */
#ifndef OS_OS_MALLOC_H
#define OS_OS_MALLOC_H

#include <stdlib.h>

#endif /* OS_OS_MALLOC_H */
