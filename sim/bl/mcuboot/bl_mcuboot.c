/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An unmodified upstream MCUboot variant behind the bootloader interface (sim/bl/bl.h). Compiled
 * once per variant by mk/mcuboot.mk (never by the Makefile's search of sim/), beside the
 * variant's generated mcuboot_variant.h and the tree's mcuboot_tree.h.
 */
#include <stdio.h>
#include <string.h>

#include "bl/bl.h"
#include "bo_err.h"
#include "boot/image.h"
#include "mcuboot_run.h"
#include "mcuboot_tree.h"
#include "mcuboot_variant.h"
#include "port_flash_map.h"

#if defined(BO_MCUBOOT_MODE_OVERWRITE_ONLY)
#define BLM_MODE BOOT_MODE_OVERWRITE
#elif defined(BO_MCUBOOT_MODE_SWAP_SCRATCH)
#define BLM_MODE BOOT_MODE_SWAP_SCRATCH
#elif defined(BO_MCUBOOT_MODE_SWAP_MOVE)
#define BLM_MODE BOOT_MODE_SWAP_MOVE
#elif defined(BO_MCUBOOT_MODE_SWAP_OFFSET)
#define BLM_MODE BOOT_MODE_SWAP_OFFSET
#else
#error "mcuboot_variant.h names no mode"
#endif

/* The core's max_sectors when a configuration leaves it at 0. */
#define BLM_DEFAULT_MAX_SECTORS 128u

static const char *blm_identity(void)
{
    return BO_MCUBOOT_TREE_ID " " BO_MCUBOOT_VARIANT;
}

static const char *blm_tree(void)
{
    return BO_MCUBOOT_TREE_ID;
}

/* The variant's word for a key type (mcuboot_gen.py's sig values). */
static const char *blm_sig_of(const struct boot_config *cfg)
{
    if (cfg->key_count == 0 || cfg->keys == NULL) {
        return "none";
    }
    switch (cfg->keys[0].type) {
    case IMAGE_KEY_EC256:
        return "ec256";
    case IMAGE_KEY_EC384:
        return "ec384";
    case IMAGE_KEY_RSA2048:
        return "rsa2048";
    case IMAGE_KEY_RSA3072:
        return "rsa3072";
    case IMAGE_KEY_NONE:
        break;
    }
    return "none";
}

/* Fills err with the setting that differs; returns BO_ENOTSUP. */
static int blm_differs(char *err, size_t err_len, const char *setting, const char *want,
                       const char *have)
{
    if (err_len > 0) {
        snprintf(err, err_len,
                 "mcuboot variant %s was built with %s = %s, the configuration has %s",
                 BO_MCUBOOT_VARIANT, setting, have, want);
    }
    return BO_ENOTSUP;
}

static int blm_differs_u(char *err, size_t err_len, const char *setting, unsigned long want,
                         unsigned long have)
{
    char w[24];
    char h[24];

    snprintf(w, sizeof(w), "%lu", want);
    snprintf(h, sizeof(h), "%lu", have);
    return blm_differs(err, err_len, setting, w, h);
}

static int blm_check(const struct boot_config *cfg, char *err, size_t err_len)
{
    uint32_t sectors = cfg->max_sectors != 0 ? cfg->max_sectors : BLM_DEFAULT_MAX_SECTORS;

    if (err_len > 0) {
        err[0] = '\0';
    }
    if (cfg->mode != BLM_MODE) {
        return blm_differs(err, err_len, "mode", boot_mode_name(cfg->mode), BO_MCUBOOT_MODE);
    }
    if (cfg->image_count != BO_MCUBOOT_IMAGES) {
        return blm_differs_u(err, err_len, "images", cfg->image_count, BO_MCUBOOT_IMAGES);
    }
    if (cfg->max_align != BO_MCUBOOT_MAX_ALIGN) {
        return blm_differs_u(err, err_len, "max-align", cfg->max_align, BO_MCUBOOT_MAX_ALIGN);
    }
    if (sectors != BO_MCUBOOT_MAX_SECTORS) {
        return blm_differs_u(err, err_len, "max-sectors", sectors, BO_MCUBOOT_MAX_SECTORS);
    }
    if (cfg->validate_primary != (BO_MCUBOOT_VALIDATE_PRIMARY != 0)) {
        return blm_differs(err, err_len, "validate-primary",
                           cfg->validate_primary ? "true" : "false",
                           BO_MCUBOOT_VALIDATE_PRIMARY ? "true" : "false");
    }
    if (cfg->downgrade_version != (BO_MCUBOOT_DOWNGRADE_PREVENTION != 0)) {
        return blm_differs(err, err_len, "downgrade-prevention",
                           cfg->downgrade_version ? "true" : "false",
                           BO_MCUBOOT_DOWNGRADE_PREVENTION ? "true" : "false");
    }
    if (strcmp(blm_sig_of(cfg), BO_MCUBOOT_SIG) != 0) {
        return blm_differs(err, err_len, "sig (the key's type)", blm_sig_of(cfg), BO_MCUBOOT_SIG);
    }
    return 0;
}

/* What the core's boot_rsp holds of an upstream boot. */
static void blm_fill_rsp(const struct mcuboot_boot *b, struct boot_rsp *rsp)
{
    memset(rsp, 0, sizeof(*rsp));
    image_header_decode(b->header, &rsp->br_hdr);
    rsp->br_flash_dev_id = b->flash_dev_id;
    rsp->br_image_off = b->image_off;
    rsp->slot = b->slot < 0 ? 0 : (uint32_t)b->slot;
    rsp->version = rsp->br_hdr.version;
    rsp->image_count = BO_MCUBOOT_IMAGES;
    for (uint32_t i = 0; i < BOOT_IMAGE_MAX; i++) {
        rsp->swap_type[i] = TRAILER_SWAP_TYPE_NONE;
    }
    rsp->versions[0] = rsp->br_hdr.version;
}

static int blm_boot(struct boot_loader_state *state, const struct boot_config *cfg,
                    struct boot_rsp *rsp)
{
    struct mcuboot_boot b;
    int rc;

    (void)state;
    (void)cfg;
    rc = mcuboot_run_boot(port_flash_map_active(), &b);
    if (rc < 0) {
        return rc;
    }
    switch (b.result) {
    case MCUBOOT_RUN_OK:
        blm_fill_rsp(&b, rsp);
        return 0;
    case MCUBOOT_RUN_POWER_LOST:
        return BO_EPOWER;
    case MCUBOOT_RUN_FAILED:
        break;
    }
    return BO_EBADIMAGE;
}

/* The core's code for what a trailer call of upstream came to. */
static int blm_result(int rc, enum mcuboot_run_result result, int failed)
{
    if (rc < 0) {
        return rc;
    }
    switch (result) {
    case MCUBOOT_RUN_OK:
        return 0;
    case MCUBOOT_RUN_POWER_LOST:
        return BO_EPOWER;
    case MCUBOOT_RUN_FAILED:
        break;
    }
    return failed;
}

static int blm_set_pending(const struct boot_config *cfg, int image, bool permanent)
{
    enum mcuboot_run_result result = MCUBOOT_RUN_FAILED;
    int rc;

    if (cfg->max_align == 0 || image < 0 || image >= BO_MCUBOOT_IMAGES) {
        return BO_EINVAL;
    }
    rc = mcuboot_run_set_pending(port_flash_map_active(), image, permanent, &result);
    return blm_result(rc, result, BO_EIO);
}

static int blm_confirm(const struct boot_config *cfg, int image)
{
    enum mcuboot_run_result result = MCUBOOT_RUN_FAILED;
    int rc;

    if (cfg->max_align == 0 || image < 0 || image >= BO_MCUBOOT_IMAGES) {
        return BO_EINVAL;
    }
    rc = mcuboot_run_confirm(port_flash_map_active(), image, &result);
    return blm_result(rc, result, BO_EBADIMAGE);
}

const struct bl bl_mcuboot = {
    .kind = BL_MCUBOOT,
    .name = "mcuboot",
    .identity = blm_identity,
    .tree = blm_tree,
    .check = blm_check,
    .boot = blm_boot,
    .set_pending = blm_set_pending,
    .confirm = blm_confirm,
};
