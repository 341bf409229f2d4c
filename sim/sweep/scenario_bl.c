/* SPDX-License-Identifier: Apache-2.0 */
/* The bootloader a scenario runs: brownout's core or the upstream variant linked in (bl.h). */
#include <stdio.h>
#include <string.h>

#include "bo_err.h"
#include "sweep/scenario.h"
#include "sweep/scenario_int.h"

uint32_t scenario_bl_tree_hash(const char *identity)
{
    uint32_t h = 2166136261u;

    for (; *identity != '\0'; identity++) {
        h ^= (uint8_t)*identity;
        h *= 16777619u;
    }
    return h != 0 ? h : 1u;
}

int scenario_bl_setup(struct scenario *sc, char *err, size_t err_len)
{
    const struct bl *bl = bl_find(sc->opts.bootloader);
    uint32_t tree;

    if (bl == NULL) {
        snprintf(err, err_len,
                 "this program has no %s bootloader linked (run `brownout sweep --bootloader %s "
                 "--mcuboot-src DIR`, which builds and runs the program of the variant)",
                 bl_kind_name(sc->opts.bootloader), bl_kind_name(sc->opts.bootloader));
        return BO_ENOTSUP;
    }
    sc->bl = bl;
    if (bl->kind == BL_BROWNOUT) {
        sc->opts.bl_tree = 0;
        return bl->check(&sc->cfg, err, err_len);
    }
    tree = scenario_bl_tree_hash(bl->tree());
    if (sc->opts.bl_tree != 0 && sc->opts.bl_tree != tree) {
        snprintf(err, err_len,
                 "the replay ID was made with MCUboot tree %08x, this program runs tree %08x (%s)",
                 (unsigned)sc->opts.bl_tree, (unsigned)tree, bl->tree());
        return BO_ESTATE;
    }
    sc->opts.bl_tree = tree;
    if (sc->image_count > 1) {
        /* The seam reports only image 0 of an upstream boot (its boot_rsp names one image). */
        snprintf(err, err_len,
                 "sweeps of upstream MCUboot handle one image (multi-image: not yet)");
        return BO_ENOTSUP;
    }
    return bl->check(&sc->cfg, err, err_len);
}
