/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fault-inject command (docs/protocol.md): non-cut faults (program/erase errors, dropped
 * programs, read bit flips, wear-out) in a region of one of a device's flash devices, kept by
 * the daemon and handed to every next firmware run (fw_fault.h). The running firmware keeps the
 * faults it started with: a reset or power-on applies the new ones.
 */
#include <string.h>

#include "bo_err.h"
#include "daemon/daemon_int.h"
#include "fw/fw_fault.h"

static const char *const daemon_fault_kinds[] = { "errors", "drop", "bitflip", "wearout", NULL };

static const struct control_arg daemon_fault_args[] = {
    { "device", CONTROL_ARG_STRING, true, 0, 64, NULL, "The device name." },
    { "flash", CONTROL_ARG_STRING, false, 0, 64, NULL,
      "The flash device (default: the board's first)." },
    { "kind", CONTROL_ARG_ENUM, false, 0, 0, daemon_fault_kinds,
      "errors, drop, bitflip or wearout (required unless clear)." },
    { "offset", CONTROL_ARG_INT, false, 0, UINT32_MAX, NULL, "First byte of the region (0)." },
    { "size", CONTROL_ARG_INT, false, 0, UINT32_MAX, NULL,
      "Bytes of the region (default 0: up to the end of the flash)." },
    { "rate", CONTROL_ARG_INT, false, 1, UINT32_MAX, NULL,
      "Each event in the region is hit with probability 1/rate (default 1: every one)." },
    { "erases", CONTROL_ARG_INT, false, 0, 1000000, NULL,
      "wearout: erases each sector of the region survives in a run (default 0)." },
    { "seed", CONTROL_ARG_INT, false, 0, INT64_MAX, NULL, "Seed of the random choices (0)." },
    { "clear", CONTROL_ARG_BOOL, false, 0, 0, NULL,
      "Remove the faults (of this kind, of this flash, or all of the device)." },
    { NULL, 0, false, 0, 0, NULL, NULL },
};

/* Whether args has key. */
static bool daemon_fault_has(json_t *args, const char *key)
{
    return json_object_get(args, key) != NULL;
}

/* Removes the device's faults that match flash (or any when -1) and kind (or any when -1). */
static void daemon_fault_clear(struct device *dev, int flash, int kind)
{
    uint32_t i;
    uint32_t n = 0;

    for (i = 0; i < dev->flash_fault_count; i++) {
        const struct fw_fault *f = &dev->flash_faults[i];

        if ((flash >= 0 && f->flash != (uint32_t)flash) || (kind >= 0 && f->kind != kind)) {
            dev->flash_faults[n++] = *f;
        }
    }
    dev->flash_fault_count = n;
}

/*
 * Checks the combination of arguments (the schema checked each one) and fills f. Replies and
 * returns BO_EINVAL when they do not fit together or the region leaves the flash.
 */
static int daemon_fault_check(struct control_request *req, struct device *dev, json_t *args,
                              bool clear, struct fw_fault *f)
{
    const char *name = json_string_value(json_object_get(args, "flash"));
    struct device_flash *fl = device_find_flash(dev, name);
    uint64_t off = (uint64_t)json_integer_value(json_object_get(args, "offset"));
    uint64_t len = (uint64_t)json_integer_value(json_object_get(args, "size"));
    int kind = fw_fault_kind_parse(json_string_value(json_object_get(args, "kind")));

    if (fl == NULL) {
        control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no flash device '%s' on %s",
                            name != NULL ? name : "", dev->cfg.name);
        return BO_EINVAL;
    }
    if (clear && (daemon_fault_has(args, "offset") || daemon_fault_has(args, "size") ||
                  daemon_fault_has(args, "rate") || daemon_fault_has(args, "erases") ||
                  daemon_fault_has(args, "seed"))) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "clear takes only device, flash and kind");
        return BO_EINVAL;
    }
    if (!clear && kind < 0) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "missing argument 'kind'");
        return BO_EINVAL;
    }
    if (!clear && kind != FW_FAULT_WEAROUT && daemon_fault_has(args, "erases")) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "erases is for kind wearout only");
        return BO_EINVAL;
    }
    if (!clear && kind == FW_FAULT_WEAROUT && daemon_fault_has(args, "rate")) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "wearout takes erases, not rate");
        return BO_EINVAL;
    }
    if (off >= fl->size || len > fl->size - off) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "region 0x%llx+0x%llx is outside %s (0x%zx bytes)",
                            (unsigned long long)off, (unsigned long long)len, fl->name, fl->size);
        return BO_EINVAL;
    }
    memset(f, 0, sizeof(*f));
    f->flash = (uint32_t)(fl - dev->flash);
    f->kind = (uint8_t)(kind < 0 ? FW_FAULT_KINDS : kind);
    f->off = (uint32_t)off;
    f->len = (uint32_t)len;
    f->rate = daemon_fault_has(args, "rate")
                  ? (uint32_t)json_integer_value(json_object_get(args, "rate"))
                  : 1u;
    f->erases = (uint32_t)json_integer_value(json_object_get(args, "erases"));
    f->seed = (uint64_t)json_integer_value(json_object_get(args, "seed"));
    return 0;
}

static void daemon_cmd_fault_inject(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    bool clear = json_is_true(json_object_get(args, "clear"));
    struct fw_fault f;

    if (dev == NULL || daemon_fault_check(req, dev, args, clear, &f) < 0) {
        return;
    }
    if (clear) {
        daemon_fault_clear(dev, daemon_fault_has(args, "flash") ? (int)f.flash : -1,
                           f.kind < FW_FAULT_KINDS ? f.kind : -1);
    } else {
        /* One fault per kind and flash device: a new one replaces the old. */
        daemon_fault_clear(dev, (int)f.flash, f.kind);
        dev->flash_faults[dev->flash_fault_count++] = f;
    }
    control_reply(req,
                  json_pack("{s:s, s:o, s:s}", "device", dev->cfg.name, "flash-faults",
                            fw_fault_json(&dev->board, dev->flash_faults, dev->flash_fault_count),
                            "applies", "next-run"));
}

static const struct control_command daemon_fault_command = {
    "fault-inject",
    "Non-cut flash faults (errors, drop, bitflip, wearout) in a region, for the device's next "
    "runs (a reset applies them), or clear them.",
    daemon_fault_args,
    daemon_cmd_fault_inject,
    NULL,
};

const struct control_arg *daemon_fault_schema(void)
{
    return daemon_fault_args;
}

int daemon_fault_register(struct daemon *d)
{
    struct control_command c = daemon_fault_command;

    c.ctx = d;
    return control_register(&d->control, &c);
}
