/* SPDX-License-Identifier: Apache-2.0 */
/* The OS call table: the real system calls behind port_os. */
#include "port_os.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static int os_open(const char *path, int flags, mode_t mode)
{
    return open(path, flags, mode);
}

static const struct port_os port_os_real = {
    .getrandom = getrandom,
    .open = os_open,
    .read = read,
    .close = close,
    .clock_gettime = clock_gettime,
};

struct port_os port_os = {
    .getrandom = getrandom,
    .open = os_open,
    .read = read,
    .close = close,
    .clock_gettime = clock_gettime,
};

void port_os_reset(void)
{
    port_os = port_os_real;
}
