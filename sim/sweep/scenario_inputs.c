/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scenario's inputs (see scenario_int.h): trusted keys, the user's images, the inputs hash.
 */
#include "sweep/scenario_int.h"

#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "sysflash/sysflash.h"
#include "util/errbuf.h"

int scenario_inputs_images(struct scenario *sc, uint32_t cap, char *err, size_t err_len)
{
    const char *path[2] = { sc->opts.in.image_old, sc->opts.in.image_new };
    uint8_t ev =
        sc->board.flash[sc->board.part[FLASH_AREA_IMAGE_PRIMARY(0)].device].geom.erased_val;
    int j;
    int rc = 0;

    for (j = 0; j < 2 && rc == 0; j++) {
        struct sweep_inputs_image u;

        rc = sweep_inputs_image(path[j], j == 0 ? "--image-old" : "--image-new", &sc->keys, ev, &u,
                                err, err_len);
        if (rc == 0 && u.size > cap) {
            free(u.data);
            rc = errbuf_fail(err, err_len, BO_EINVAL,
                             "%s %s: %u bytes, more than %s allows on %s (%u)",
                             j == 0 ? "--image-old" : "--image-new", path[j], (unsigned)u.size,
                             boot_mode_name(sc->opts.mode), sc->board_name, (unsigned)cap);
        }
        if (rc == 0) {
            sc->img[0][j].data = u.data;
            sc->img[0][j].len = u.len;
            sc->img[0][j].size = u.size;
            sc->img[0][j].ver = u.ver;
            memcpy(sc->img[0][j].hash, u.hash, sizeof(u.hash));
        }
    }
    if (rc == 0 && sc->img[0][0].ver.major == sc->img[0][1].ver.major &&
        sc->img[0][0].ver.minor == sc->img[0][1].ver.minor &&
        sc->img[0][0].ver.revision == sc->img[0][1].ver.revision) {
        rc = errbuf_fail(
            err, err_len, BO_EINVAL, "--image-old and --image-new have the same version %u.%u.%u",
            sc->img[0][0].ver.major, sc->img[0][0].ver.minor, sc->img[0][0].ver.revision);
    }
    sc->image_size = sc->img[0][1].size;
    return rc;
}

int scenario_inputs_keys(struct scenario *sc, struct port_rng *rng, char *err, size_t err_len)
{
    struct sweep_inputs_opts in = sc->opts.in;
    int rc;

    if (sc->opts.key_path != NULL && in.key_count < SWEEP_INPUTS_KEYS_MAX) {
        memmove(&in.keys[1], &in.keys[0], in.key_count * sizeof(in.keys[0]));
        in.keys[0] = sc->opts.key_path;
        in.key_count++;
    }
    sc->user_images = in.image_old != NULL || in.image_new != NULL;
    if (sc->user_images && (in.image_old == NULL || in.image_new == NULL)) {
        return errbuf_fail(err, err_len, BO_EINVAL, "--image-old and --image-new go together");
    }
    if (sc->user_images && sc->opts.kind == SCENARIO_MULTI_IMAGE) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "--image-old/--image-new give image 0 only: not with multi-image");
    }
    rc = sweep_inputs_keys(&sc->keys, &in, sc->root, port_rng_random, rng, err, err_len);
    if (rc == 0 && !sc->user_images && !sc->keys.keys[0].is_private) {
        rc = errbuf_fail(err, err_len, BO_EINVAL,
                         "the built-in images need a private signing key as the first --key "
                         "(%s is public); or give --image-old and --image-new",
                         in.key_count > 0 ? in.keys[0] : "the default key");
    }
    return rc;
}

int scenario_inputs_hash(struct scenario *sc, char *err, size_t err_len)
{
    const uint8_t *data[2 * SCENARIO_IMAGES_MAX];
    uint32_t size[2 * SCENARIO_IMAGES_MAX];
    size_t n = 0;
    uint32_t i;
    uint32_t j;
    int rc;

    for (i = 0; i < sc->image_count; i++) {
        for (j = 0; j < 2; j++, n++) {
            data[n] = sc->img[i][j].data;
            size[n] = sc->img[i][j].size;
        }
    }
    rc = sweep_inputs_hash(sc->board_path, &sc->keys, data, size, n, &sc->inputs);
    if (rc < 0) {
        return errbuf_fail(err, err_len, rc, "%s: cannot read the board file", sc->board_path);
    }
    return sweep_inputs_check(sc->opts.in.expect, sc->inputs, sc->board_path, sc->user_images, err,
                              err_len);
}
