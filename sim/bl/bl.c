/* SPDX-License-Identifier: Apache-2.0 */
/* The bootloader registry and brownout's core behind the bootloader interface. */
#include "bl/bl.h"

#include <string.h>

#include "bo_err.h"
#include "boot/boot_api.h"

/* The upstream variant this program was linked with, when it was (bl_mcuboot.c defines it). */
extern const struct bl bl_mcuboot __attribute__((weak));

static const char *bl_core_identity(void)
{
    return "brownout";
}

static const char *bl_core_tree(void)
{
    return "";
}

static int bl_core_check(const struct boot_config *cfg, char *err, size_t err_len)
{
    (void)cfg;
    if (err_len > 0) {
        err[0] = '\0';
    }
    return 0;
}

static int bl_core_boot(struct boot_loader_state *state, const struct boot_config *cfg,
                        struct boot_rsp *rsp)
{
    return boot_go_ctx(state, cfg, rsp);
}

static int bl_core_set_pending(const struct boot_config *cfg, int image, bool permanent)
{
    struct boot_api_config api = { cfg->max_align };

    if (cfg->max_align == 0) {
        return BO_EINVAL;
    }
    return boot_set_pending_multi_cfg(&api, image, permanent ? 1 : 0);
}

static int bl_core_confirm(const struct boot_config *cfg, int image)
{
    struct boot_api_config api = { cfg->max_align };

    if (cfg->max_align == 0) {
        return BO_EINVAL;
    }
    return boot_set_confirmed_multi_cfg(&api, image);
}

const struct bl bl_brownout = {
    .kind = BL_BROWNOUT,
    .name = "brownout",
    .identity = bl_core_identity,
    .tree = bl_core_tree,
    .check = bl_core_check,
    .boot = bl_core_boot,
    .set_pending = bl_core_set_pending,
    .confirm = bl_core_confirm,
};

const struct bl *bl_find(enum bl_kind kind)
{
    switch (kind) {
    case BL_BROWNOUT:
        return &bl_brownout;
    case BL_MCUBOOT:
        return &bl_mcuboot != NULL ? &bl_mcuboot : NULL;
    }
    return NULL;
}

int bl_parse(const char *name, enum bl_kind *out)
{
    if (name != NULL && strcmp(name, "brownout") == 0) {
        *out = BL_BROWNOUT;
        return 0;
    }
    if (name != NULL && strcmp(name, "mcuboot") == 0) {
        *out = BL_MCUBOOT;
        return 0;
    }
    return BO_EINVAL;
}

const char *bl_kind_name(enum bl_kind kind)
{
    switch (kind) {
    case BL_BROWNOUT:
        return "brownout";
    case BL_MCUBOOT:
        return "mcuboot";
    }
    return "?";
}
