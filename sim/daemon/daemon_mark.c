/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image-pending and image-confirm commands (docs/protocol.md): the trailer requests an
 * application writes (boot_set_pending, boot_set_confirmed), performed by the daemon over the
 * device's flash through its own flash map, so that an image staged without imgtool's --pad
 * can be marked for the next boot whether the device runs or not.
 */
#include <stdio.h>

#include "board/board_derive.h"
#include "boot/boot_api.h"
#include "bo_err.h"
#include "daemon/daemon_int.h"
#include "port_flash_map.h"

static const char *const daemon_mark_kinds[] = { "test", "permanent", NULL };

static const struct control_arg daemon_mark_pending_args[] = {
    { "device", CONTROL_ARG_STRING, true, 0, 64, NULL, "The device name." },
    { "kind", CONTROL_ARG_ENUM, true, 0, 0, daemon_mark_kinds,
      "test (reverted unless confirmed) or permanent (image_ok set)." },
    { "image", CONTROL_ARG_INT, false, 0, 1, NULL, "The image pair (default 0)." },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

static const struct control_arg daemon_mark_confirm_args[] = {
    { "device", CONTROL_ARG_STRING, true, 0, 64, NULL, "The device name." },
    { "image", CONTROL_ARG_INT, false, 0, 1, NULL, "The image pair (default 0)." },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

/* Runs the request over dev's flash map with the board's derived max-align. */
static int daemon_mark_run(struct device *dev, int image, int pending, int permanent)
{
    struct board_derived derived;
    struct boot_api_config api;
    struct port_flash_map *prev;
    char err[256];
    int rc;

    rc = board_derive(&dev->board, dev->cfg.mode, dev->cfg.boot_images, dev->cfg.max_sectors,
                      &derived, err, sizeof(err));
    if (rc < 0) {
        return rc;
    }
    if ((uint32_t)image >= dev->cfg.boot_images) {
        return BO_ENOENT;
    }
    api.max_align = derived.max_align;
    prev = port_flash_map_activate(&dev->map);
    rc = pending ? boot_set_pending_multi_cfg(&api, image, permanent)
                 : boot_set_confirmed_multi_cfg(&api, image);
    port_flash_map_activate(prev);
    if (rc == 0) {
        device_flush(dev);
    }
    return rc;
}

/* image-pending DEVICE KIND [IMAGE] and image-confirm DEVICE [IMAGE]. */
static void daemon_mark_cmd(struct control_request *req, json_t *args, void *ctx, int pending)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    const char *kind = json_string_value(json_object_get(args, "kind"));
    json_t *image = json_object_get(args, "image");
    int n = image != NULL ? (int)json_integer_value(image) : 0;
    int permanent = kind != NULL && kind[0] == 'p';
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = daemon_mark_run(dev, n, pending, permanent);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, pending ? "image-pending" : "image-confirm");
        return;
    }
    control_reply(req, pending ? json_pack("{s:i, s:s}", "image", n, "pending", kind)
                               : json_pack("{s:i, s:b}", "image", n, "confirmed", 1));
}

static void daemon_mark_pending(struct control_request *req, json_t *args, void *ctx)
{
    daemon_mark_cmd(req, args, ctx, 1);
}

static void daemon_mark_confirm(struct control_request *req, json_t *args, void *ctx)
{
    daemon_mark_cmd(req, args, ctx, 0);
}

int daemon_mark_register(struct daemon *d)
{
    const struct control_command cmds[] = {
        { "image-pending",
          "Mark the secondary slot's image pending, as the application would (boot_set_pending).",
          daemon_mark_pending_args, daemon_mark_pending, d },
        { "image-confirm",
          "Confirm the primary slot's image over the flash, as the application would "
          "(boot_set_confirmed).",
          daemon_mark_confirm_args, daemon_mark_confirm, d },
    };
    size_t i;
    int rc;

    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        rc = control_register(&d->control, &cmds[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
