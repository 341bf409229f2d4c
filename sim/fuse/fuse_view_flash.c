/* SPDX-License-Identifier: Apache-2.0 */
/* Host writes of the FUSE view: a flash programmer's write, or a raw program without erase. */
#include "fuse/fuse_view_int.h"

#include "bo_err.h"

int fuse_view_flash_write(enum fuse_view_write_mode mode, struct vflash *dev, uint32_t off,
                          const void *src, uint32_t len)
{
    /* Both functions check their arguments (range, state) before changing anything. */
    if (mode == FUSE_VIEW_WRITE_PROGRAMMER) {
        return vflash_host_write(dev, off, src, len);
    }
    return vflash_host_program(dev, off, src, len);
}
