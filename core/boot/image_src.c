/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image sources: a memory buffer and a flash area, both behind struct image_src.
 */
#include <stddef.h>
#include <string.h>

#include "bo_err.h"
#include "boot/image_src.h"

static int image_src_buffer_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const uint8_t *data = ctx;

    memcpy(buf, data + off, len);
    return 0;
}

static int image_src_flash_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct flash_area *fa = ctx;

    return flash_area_read(fa, off, buf, len);
}

void image_src_from_buffer(struct image_src *src, const void *data, uint32_t size)
{
    /* The buffer is only ever read; the callback context is untyped, hence the cast. */
    src->read = image_src_buffer_read;
    src->ctx = (void *)(uintptr_t)data;
    src->size = data != NULL ? size : 0;
}

void image_src_from_flash_area(struct image_src *src, const struct flash_area *fa)
{
    src->read = image_src_flash_read;
    src->ctx = (void *)(uintptr_t)fa;
    src->size = flash_area_get_size(fa);
}

int image_src_read(const struct image_src *src, uint32_t off, void *buf, uint32_t len)
{
    if (src == NULL || src->read == NULL || !image_src_range_ok(src->size, off, len)) {
        return BO_ERANGE;
    }
    if (len == 0) {
        return 0;
    }
    return src->read(src->ctx, off, buf, len);
}
