/* SPDX-License-Identifier: Apache-2.0 */
/* Running upstream MCUboot on a flash map: boot, set pending, confirm, unwound at a power cut. */
#include "mcuboot_run.h"

#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include "bo_err.h"
#include "bootutil/bootutil.h"
#include "bootutil/bootutil_public.h"
#include "bootutil/fault_injection_hardening.h"
#include "bootutil/image.h"
#include "mcuboot_flash.h"
#include "mcuboot_tree.h"
#include "mcuboot_variant.h"

/* Where a power cut unwinds to: set while a mcuboot_run_* call is inside upstream. */
static _Thread_local jmp_buf *run_unwind;

void mcuboot_flash_unwind_if_cut(int rc)
{
    if (rc == BO_EPOWER && run_unwind != NULL) {
        longjmp(*run_unwind, 1);
    }
}

/* Closes every area upstream left open when the power cut unwound it. */
static void run_close_all(struct port_flash_map *map)
{
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        while (map->open_count[id] > 0) {
            flash_area_close(&map->areas[id]);
        }
    }
}

/* The slot and area of the image upstream booted, from the device offset of its header. */
static void run_locate(const struct port_flash_map *map, uint8_t dev, uint32_t off,
                       struct mcuboot_boot *out)
{
    for (int image = 0; image < MCUBOOT_IMAGE_NUMBER; image++) {
        for (int slot = 0; slot < 2; slot++) {
            int id = flash_area_id_from_multi_image_slot(image, slot);
            const struct flash_area *fa;

            if (id < 0 || !map->present[id]) {
                continue;
            }
            fa = &map->areas[id];
            if (fa->fa_device_id == dev && off >= fa->fa_off && off - fa->fa_off < fa->fa_size) {
                out->area_id = id;
                out->slot = slot;
                return;
            }
        }
    }
}

/* boot_go() with the unwind target set; fills out. */
static void run_boot_go(struct port_flash_map *map, struct mcuboot_boot *out)
{
    struct boot_rsp rsp = { 0 };
    fih_ret fih_rc = boot_go(&rsp);

    if (FIH_NOT_EQ(fih_rc, FIH_SUCCESS) || rsp.br_hdr == NULL) {
        out->result = MCUBOOT_RUN_FAILED;
        return;
    }
    out->result = MCUBOOT_RUN_OK;
    out->flash_dev_id = rsp.br_flash_dev_id;
    out->image_off = rsp.br_image_off;
    out->ver_major = rsp.br_hdr->ih_ver.iv_major;
    out->ver_minor = rsp.br_hdr->ih_ver.iv_minor;
    out->ver_revision = rsp.br_hdr->ih_ver.iv_revision;
    out->ver_build = rsp.br_hdr->ih_ver.iv_build_num;
    out->img_size = rsp.br_hdr->ih_img_size;
    _Static_assert(sizeof(*rsp.br_hdr) == sizeof(out->header), "image header size");
    memcpy(out->header, rsp.br_hdr, sizeof(out->header));
    run_locate(map, rsp.br_flash_dev_id, rsp.br_image_off, out);
}

int mcuboot_run_boot(struct port_flash_map *map, struct mcuboot_boot *out)
{
    struct port_flash_map *prev;
    jmp_buf env;

    if (map == NULL || out == NULL) {
        return BO_EINVAL;
    }
    *out = (struct mcuboot_boot){ .result = MCUBOOT_RUN_FAILED, .area_id = -1, .slot = -1 };
    prev = port_flash_map_activate(map);
    run_unwind = &env;
    if (setjmp(env) == 0) {
        run_boot_go(map, out);
    } else {
        *out = (struct mcuboot_boot){ .result = MCUBOOT_RUN_POWER_LOST, .area_id = -1, .slot = -1 };
        run_close_all(map);
    }
    run_unwind = NULL;
    port_flash_map_activate(prev);
    return 0;
}

/* One call of upstream's trailer API (pending or confirmed) with the unwind target set. */
static int run_trailer_call(struct port_flash_map *map, int image, int permanent, bool confirm,
                            enum mcuboot_run_result *result)
{
    struct port_flash_map *prev;
    jmp_buf env;

    if (map == NULL || result == NULL || image < 0 || image >= MCUBOOT_IMAGE_NUMBER) {
        return BO_EINVAL;
    }
    prev = port_flash_map_activate(map);
    run_unwind = &env;
    if (setjmp(env) == 0) {
        int rc =
            confirm ? boot_set_confirmed_multi(image) : boot_set_pending_multi(image, permanent);

        *result = rc == 0 ? MCUBOOT_RUN_OK : MCUBOOT_RUN_FAILED;
    } else {
        *result = MCUBOOT_RUN_POWER_LOST;
        run_close_all(map);
    }
    run_unwind = NULL;
    port_flash_map_activate(prev);
    return 0;
}

int mcuboot_run_set_pending(struct port_flash_map *map, int image, bool permanent,
                            enum mcuboot_run_result *result)
{
    return run_trailer_call(map, image, permanent ? 1 : 0, false, result);
}

int mcuboot_run_confirm(struct port_flash_map *map, int image, enum mcuboot_run_result *result)
{
    return run_trailer_call(map, image, 0, true, result);
}

const char *mcuboot_run_tree_id(void)
{
    return BO_MCUBOOT_TREE_ID;
}

const char *mcuboot_run_variant(void)
{
    return BO_MCUBOOT_VARIANT;
}

const char *mcuboot_run_result_name(enum mcuboot_run_result result)
{
    switch (result) {
    case MCUBOOT_RUN_OK:
        return "ok";
    case MCUBOOT_RUN_FAILED:
        return "failed";
    case MCUBOOT_RUN_POWER_LOST:
        return "power-lost";
    }
    return "?";
}
