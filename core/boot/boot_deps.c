/* SPDX-License-Identifier: Apache-2.0 */
/* Dependencies between images (see boot_deps.h). */
#include "boot/boot_deps.h"

#include "bo_err.h"
#include "boot/image.h"
#include "boot/loader_io.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"

/* Reads the DEPENDENCY TLVs of image i in slot (protected area). */
static int boot_deps_read(struct boot_loader_state *st, uint32_t i, int slot,
                          struct image_dependency *deps, uint32_t *n)
{
    const struct flash_area *fa = NULL;
    struct loader_io_src ctx;
    struct image_src src;
    struct image_header hdr;
    struct image_layout lay;
    struct image_tlv_iter it;
    struct image_tlv tlv;
    uint8_t raw[IMAGE_DEPENDENCY_LEN];
    int rc;

    *n = 0;
    rc = flash_area_open((uint8_t)flash_area_id_from_multi_image_slot((int)i, slot), &fa);
    if (rc < 0) {
        return rc;
    }
    loader_io_src_init(&src, &ctx, fa, slot == BOOT_SLOT_PRIMARY ? 0 : st->img[i].sec_off);
    rc = image_header_read(&src, &hdr);
    if (rc == 0) {
        rc = image_layout_read(&src, &hdr, &lay);
    }
    if (rc == 0) {
        image_tlv_iter_begin(&it, &src, &lay, IMAGE_TLV_DEPENDENCY, true);
        while ((rc = image_tlv_iter_next(&it, &tlv)) == 0 && *n < IMAGE_VALIDATE_MAX_DEPS) {
            if (tlv.len != IMAGE_DEPENDENCY_LEN) {
                rc = BO_EBADIMAGE;
                break;
            }
            rc = image_tlv_read(&src, &tlv, raw, sizeof(raw));
            if (rc < 0) {
                break;
            }
            image_dependency_decode(raw, &deps[(*n)++]);
        }
    }
    flash_area_close(fa);
    return rc == BO_ENOENT || rc == BO_EBADIMAGE || rc == 0 ? 0 : rc;
}

/* Whether dep is met by the image that will run in the slot its swap type leaves it in. */
static bool boot_deps_met(const struct boot_loader_state *st, const struct image_dependency *dep)
{
    const struct boot_image_state *other;
    int slot;

    if (dep->image_id >= st->cfg.image_count) {
        return false;
    }
    other = &st->img[dep->image_id];
    slot = swap_type_is_upgrade(other->swap_type) ? BOOT_SLOT_SECONDARY : BOOT_SLOT_PRIMARY;
    return other->hdr_ok[slot] &&
           image_version_cmp(&other->hdr[slot].version, &dep->min_version, false) >= 0;
}

/* Rejects upgrades until every dependency left is met (see boot_deps.h). */
int boot_deps_verify(struct boot_loader_state *st)
{
    struct image_dependency deps[IMAGE_VALIDATE_MAX_DEPS];
    bool changed = true;
    uint32_t i;
    uint32_t k;
    uint32_t n;
    int rc;

    while (changed) {
        changed = false;
        for (i = 0; i < st->cfg.image_count && !changed; i++) {
            uint8_t t = st->img[i].swap_type;
            int slot = t != TRAILER_SWAP_TYPE_NONE && t != TRAILER_SWAP_TYPE_FAIL
                           ? BOOT_SLOT_SECONDARY
                           : BOOT_SLOT_PRIMARY;

            rc = boot_deps_read(st, i, slot, deps, &n);
            if (rc < 0) {
                return rc;
            }
            for (k = 0; k < n && !changed; k++) {
                uint8_t *ti = &st->img[i].swap_type;
                uint8_t *tj;

                if (boot_deps_met(st, &deps[k])) {
                    continue;
                }
                MCUBOOT_LOG_WRN("image %lu: dependency on image %u not met", (unsigned long)i,
                                deps[k].image_id);
                if (*ti == TRAILER_SWAP_TYPE_TEST || *ti == TRAILER_SWAP_TYPE_PERM) {
                    *ti = TRAILER_SWAP_TYPE_NONE;
                    changed = true;
                } else if (deps[k].image_id < st->cfg.image_count) {
                    tj = &st->img[deps[k].image_id].swap_type;
                    if (*tj == TRAILER_SWAP_TYPE_TEST || *tj == TRAILER_SWAP_TYPE_PERM) {
                        *tj = TRAILER_SWAP_TYPE_NONE;
                        changed = true;
                    }
                }
            }
        }
    }
    return 0;
}
