/* SPDX-License-Identifier: Apache-2.0 */
/* Slot sources and image summaries (see ota_slots.h). */
#include "ota/ota_slots.h"

#include <string.h>

#include "bo_err.h"

static int ota_slots_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct ota_slot_src *s = ctx;

    return flash_area_read(s->fa, s->base + off, buf, len);
}

int ota_slots_src(struct image_src *src, struct ota_slot_src *ctx, const struct flash_area *fa,
                  uint32_t base, uint32_t size)
{
    if (src == NULL || ctx == NULL || fa == NULL ||
        !image_src_range_ok(flash_area_get_size(fa), base, size)) {
        return BO_ERANGE;
    }
    ctx->fa = fa;
    ctx->base = base;
    src->read = ota_slots_read;
    src->ctx = ctx;
    src->size = size;
    return 0;
}

/* Malformed images are reported as absent; read errors are returned. */
static int ota_slots_soft(int rc)
{
    return rc == BO_EBADIMAGE || rc == BO_ERANGE ? 0 : rc;
}

int ota_slots_info(const struct flash_area *fa, uint32_t base, uint32_t size,
                   struct ota_slot_info *info)
{
    struct ota_slot_src ctx;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    int rc;

    memset(info, 0, sizeof(*info));
    rc = ota_slots_src(&src, &ctx, fa, base, size);
    if (rc < 0) {
        return rc;
    }
    rc = image_header_read(&src, &hdr);
    if (rc < 0) {
        return ota_slots_soft(rc);
    }
    rc = image_layout_read(&src, &hdr, &lay);
    if (rc < 0) {
        return ota_slots_soft(rc);
    }
    info->present = true;
    info->version = hdr.version;
    info->size = lay.tlv_end;
    rc = image_validate_hash(&src, lay.prot_end, IMAGE_TLV_SHA256, info->hash);
    if (rc == 0) {
        info->hash_len = 32;
    }
    return ota_slots_soft(rc == BO_ECRYPTO ? 0 : rc);
}
