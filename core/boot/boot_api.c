/* SPDX-License-Identifier: Apache-2.0 */
/* The application-side bootloader API (see boot_api.h). */
#include "boot/boot_api.h"

#include <string.h>

#include "bo_err.h"
#include "boot/swap_type.h"
#include "mcuboot_config/mcuboot_logging.h"
#include "sysflash/sysflash.h"

static const struct boot_api_config boot_api_default_cfg = {
    .max_align = BOOT_API_DEFAULT_MAX_ALIGN,
};

/* The trailer parameters of the application API: field access only, no status records. */
static void boot_api_params(const struct boot_api_config *cfg, struct trailer_params *p)
{
    memset(p, 0, sizeof(*p));
    p->max_align = cfg->max_align;
    p->mode = TRAILER_MODE_SCRATCH;
    p->max_sectors = 0;
    p->write_unit = 0;
}

/* The area id of one slot of an image, or BO_EINVAL for an image this build does not have. */
static int boot_api_slot_id(int image_index, int slot)
{
    if (image_index < 0 || image_index >= BROWNOUT_CFG_IMAGE_NUMBER) {
        return BO_EINVAL;
    }
    return slot == 0 ? FLASH_AREA_IMAGE_PRIMARY(image_index)
                     : FLASH_AREA_IMAGE_SECONDARY(image_index);
}

/* Opens one slot of an image and computes its field layout. */
static int boot_api_open(const struct boot_api_config *cfg, int image_index, int slot,
                         const struct flash_area **fa, struct trailer_layout *lay)
{
    struct trailer_params p;
    int id;
    int rc;

    *fa = NULL;
    if (cfg == NULL) {
        return BO_EINVAL;
    }
    id = boot_api_slot_id(image_index, slot);
    if (id < 0) {
        return id;
    }
    rc = flash_area_open((uint8_t)id, fa);
    if (rc < 0) {
        *fa = NULL;
        return rc;
    }
    boot_api_params(cfg, &p);
    rc = trailer_layout_from_area(lay, *fa, &p);
    if (rc < 0) {
        flash_area_close(*fa);
        *fa = NULL;
    }
    return rc;
}

int boot_read_swap_state_cfg(const struct boot_api_config *cfg, const struct flash_area *fa,
                             struct boot_swap_state *state)
{
    struct trailer_params p;
    struct trailer_layout lay;
    int rc;

    if (cfg == NULL || fa == NULL || state == NULL) {
        return BO_EINVAL;
    }
    boot_api_params(cfg, &p);
    rc = trailer_layout_from_area(&lay, fa, &p);
    if (rc < 0) {
        return rc;
    }
    return swap_state_read(fa, &lay, state);
}

int boot_read_swap_state(const struct flash_area *fa, struct boot_swap_state *state)
{
    return boot_read_swap_state_cfg(&boot_api_default_cfg, fa, state);
}

int boot_read_swap_state_by_id_cfg(const struct boot_api_config *cfg, int flash_area_id,
                                   struct boot_swap_state *state)
{
    struct trailer_params p;

    if (cfg == NULL) {
        return BO_EINVAL;
    }
    boot_api_params(cfg, &p);
    return swap_state_read_by_id(flash_area_id, &p, state);
}

int boot_read_swap_state_by_id(int flash_area_id, struct boot_swap_state *state)
{
    return boot_read_swap_state_by_id_cfg(&boot_api_default_cfg, flash_area_id, state);
}

int boot_swap_type_multi_cfg(const struct boot_api_config *cfg, int image_index)
{
    struct boot_swap_state primary;
    struct boot_swap_state secondary;
    int id;
    int rc;
    int type;

    id = boot_api_slot_id(image_index, 0);
    if (cfg == NULL || id < 0) {
        return BOOT_SWAP_TYPE_PANIC;
    }
    rc = boot_read_swap_state_by_id_cfg(cfg, id, &primary);
    if (rc < 0) {
        return BOOT_SWAP_TYPE_PANIC;
    }
    rc = boot_read_swap_state_by_id_cfg(cfg, boot_api_slot_id(image_index, 1), &secondary);
    if (rc < 0) {
        /* An unreachable secondary slot counts as an empty one. */
        MCUBOOT_LOG_INF("image %d: secondary slot unreachable (%d), treated as empty", image_index,
                        rc);
        memset(&secondary, 0, sizeof(secondary));
        secondary.magic = BOOT_MAGIC_UNSET;
        secondary.swap_type = BOOT_SWAP_TYPE_NONE;
        secondary.copy_done = BOOT_FLAG_UNSET;
        secondary.image_ok = BOOT_FLAG_UNSET;
    }
    type = swap_type_decide(&primary, &secondary);
    MCUBOOT_LOG_INF("image %d: swap type %s", image_index,
                    type == BOOT_SWAP_TYPE_TEST     ? "test"
                    : type == BOOT_SWAP_TYPE_PERM   ? "perm"
                    : type == BOOT_SWAP_TYPE_REVERT ? "revert"
                    : type == BOOT_SWAP_TYPE_NONE   ? "none"
                                                    : "panic");
    return type;
}

int boot_swap_type_multi(int image_index)
{
    return boot_swap_type_multi_cfg(&boot_api_default_cfg, image_index);
}

int boot_swap_type(void)
{
    return boot_swap_type_multi(0);
}

/*
 * Writes a new request into a secondary trailer whose magic is unset: image_ok (permanent),
 * swap_info, then the magic. Leftovers of an interrupted earlier request are accepted when they
 * can become this request: a swap_info that already holds it, and for a permanent request an
 * image_ok in any state (a torn or weak flag unit is programmed again, which completes it; the
 * flash refuses with BO_ESEMANTICS what it cannot program).
 */
static int boot_api_write_request(const struct flash_area *fa, const struct trailer_layout *lay,
                                  int image_index, int permanent)
{
    enum trailer_flag_state image_ok;
    uint8_t info;
    uint8_t want_info;
    uint8_t swap_type;
    int rc;

    swap_type = permanent ? BOOT_SWAP_TYPE_PERM : BOOT_SWAP_TYPE_TEST;
    want_info = trailer_swap_info_pack(swap_type, (uint8_t)image_index);
    rc = trailer_read_image_ok(fa, lay, &image_ok);
    if (rc < 0) {
        goto out;
    }
    rc = trailer_read_swap_info(fa, lay, &info);
    if (rc < 0) {
        goto out;
    }
    if ((!permanent && image_ok != TRAILER_FLAG_UNSET) ||
        (info != lay->cfg.erased_val && info != want_info)) {
        rc = BO_ESTATE;
        goto out;
    }
    if (permanent) {
        rc = trailer_write_image_ok(fa, lay);
        if (rc < 0) {
            goto out;
        }
    }
    rc = trailer_write_swap_info(fa, lay, swap_type, (uint8_t)image_index);
    if (rc < 0) {
        goto out;
    }
    rc = trailer_write_magic(fa, lay);
out:
    return rc;
}

int boot_set_pending_multi_cfg(const struct boot_api_config *cfg, int image_index, int permanent)
{
    const struct flash_area *fa = NULL;
    struct trailer_layout lay;
    enum trailer_magic_state magic;
    int rc;

    rc = boot_api_open(cfg, image_index, 1, &fa, &lay);
    if (rc < 0) {
        goto out;
    }
    rc = trailer_read_magic(fa, &lay, &magic);
    if (rc < 0) {
        goto out;
    }
    switch (magic) {
    case TRAILER_MAGIC_GOOD:
        /* A request is already pending. */
        rc = 0;
        break;
    case TRAILER_MAGIC_UNSET:
        rc = boot_api_write_request(fa, &lay, image_index, permanent);
        break;
    default:
        /* The slot is corrupt: erase it so that a later upgrade can use it. */
        MCUBOOT_LOG_WRN("image %d: secondary trailer has a bad magic; erasing the slot",
                        image_index);
        rc = flash_area_erase(fa, 0, flash_area_get_size(fa));
        if (rc == 0) {
            rc = BO_EBADIMAGE;
        }
        break;
    }
out:
    flash_area_close(fa);
    return rc;
}

int boot_set_pending_multi(int image_index, int permanent)
{
    return boot_set_pending_multi_cfg(&boot_api_default_cfg, image_index, permanent);
}

int boot_set_pending(int permanent)
{
    return boot_set_pending_multi(0, permanent);
}

int boot_set_confirmed_multi_cfg(const struct boot_api_config *cfg, int image_index)
{
    const struct flash_area *fa = NULL;
    struct trailer_layout lay;
    enum trailer_magic_state magic;
    enum trailer_flag_state image_ok;
    int rc;

    rc = boot_api_open(cfg, image_index, 0, &fa, &lay);
    if (rc < 0) {
        goto out;
    }
    rc = trailer_read_magic(fa, &lay, &magic);
    if (rc < 0) {
        goto out;
    }
    if (magic == TRAILER_MAGIC_UNSET) {
        /* Nothing was swapped in: there is nothing to confirm. */
        goto out;
    }
    if (magic != TRAILER_MAGIC_GOOD) {
        rc = BO_EBADIMAGE;
        goto out;
    }
    rc = trailer_read_image_ok(fa, &lay, &image_ok);
    if (rc < 0 || image_ok != TRAILER_FLAG_UNSET) {
        goto out;
    }
    rc = trailer_write_image_ok(fa, &lay);
out:
    flash_area_close(fa);
    return rc;
}

int boot_set_confirmed_multi(int image_index)
{
    return boot_set_confirmed_multi_cfg(&boot_api_default_cfg, image_index);
}

int boot_set_confirmed(void)
{
    return boot_set_confirmed_multi(0);
}
