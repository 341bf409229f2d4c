/* SPDX-License-Identifier: Apache-2.0 */
/* brownoutd's device commands, registered into the control engine. */
#include "daemon/daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bo_err.h"
#include "daemon/daemon_int.h"
#include "fw/fw.h"
#include "image/image_info.h"

/** Largest flash-read / flash-write / flash-erase in one request. */
#define DAEMON_CMDS_IO_MAX (512 * 1024)

static const char *const daemon_cut_models[] = { "before",    "after",         "torn-prefix",
                                                 "torn-bits", "erase-partial", "weak",
                                                 NULL };
static const char *const daemon_crash_kinds[] = { "abort", "segv", NULL };

#define ARG_DEVICE                                                          \
    {                                                                       \
        "device", CONTROL_ARG_STRING, true, 0, 64, NULL, "The device name." \
    }
#define ARG_DEVICE_OPT                                                     \
    {                                                                      \
        "device", CONTROL_ARG_STRING, false, 0, 64, NULL, "A device name." \
    }
#define ARG_FLASH                                            \
    {                                                        \
        "flash", CONTROL_ARG_STRING, false, 0, 64, NULL,     \
            "The flash device (default: the board's first)." \
    }
#define ARG_END                          \
    {                                    \
        NULL, 0, false, 0, 0, NULL, NULL \
    }

static const struct control_arg daemon_args_device[] = { ARG_DEVICE, ARG_END };
static const struct control_arg daemon_args_upgrade[] = {
    ARG_DEVICE,
    { "permanent", CONTROL_ARG_BOOL, false, 0, 0, NULL,
      "Permanent (no revert) instead of a test upgrade." },
    ARG_END
};
static const struct control_arg daemon_args_device_opt[] = { ARG_DEVICE_OPT, ARG_END };
static const struct control_arg daemon_args_cut[] = {
    ARG_DEVICE,
    { "now", CONTROL_ARG_BOOL, false, 0, 0, NULL, "Cut power now." },
    { "at-op", CONTROL_ARG_INT, false, 0, INT64_MAX, NULL,
      "Cut before flash operation N of the next run (from 0 at power-on)." },
    { "fault", CONTROL_ARG_ENUM, false, 0, 0, daemon_cut_models,
      "What the cut operation leaves (default before)." },
    { "units", CONTROL_ARG_INT, false, 0, UINT32_MAX - 1, NULL, "torn-prefix: units landed." },
    { "permille", CONTROL_ARG_INT, false, 0, 1000, NULL, "erase-partial: progress." },
    { "seed", CONTROL_ARG_INT, false, 0, INT64_MAX, NULL, "Seed of the model's choices." },
    ARG_END
};
static const struct control_arg daemon_args_read[] = {
    ARG_DEVICE,
    ARG_FLASH,
    { "offset", CONTROL_ARG_INT, true, 0, UINT32_MAX, NULL, "First byte." },
    { "length", CONTROL_ARG_INT, true, 0, DAEMON_CMDS_IO_MAX, NULL, "Bytes." },
    ARG_END
};
static const struct control_arg daemon_args_erase[] = {
    ARG_DEVICE,
    ARG_FLASH,
    { "offset", CONTROL_ARG_INT, true, 0, UINT32_MAX, NULL, "First byte (a sector start)." },
    { "length", CONTROL_ARG_INT, true, 0, UINT32_MAX, NULL, "Bytes (whole sectors)." },
    ARG_END
};
static const struct control_arg daemon_args_write[] = {
    ARG_DEVICE,
    ARG_FLASH,
    { "offset", CONTROL_ARG_INT, true, 0, UINT32_MAX, NULL, "First byte." },
    { "data", CONTROL_ARG_DATA, true, 0, DAEMON_CMDS_IO_MAX, NULL, "Bytes, base64." },
    ARG_END
};
static const struct control_arg daemon_args_slot[] = {
    ARG_DEVICE,
    { "slot", CONTROL_ARG_STRING, true, 0, 32, NULL,
      "primary, secondary, 1-primary, 1-secondary (or image-N-...)." },
    ARG_END
};
static const struct control_arg daemon_args_load[] = {
    ARG_DEVICE,
    { "slot", CONTROL_ARG_STRING, true, 0, 32, NULL, "The slot." },
    { "path", CONTROL_ARG_STRING, true, 0, 4096, NULL, "Image file (absolute path)." },
    ARG_END
};
static const struct control_arg daemon_args_link[] = {
    ARG_DEVICE,
    { "link", CONTROL_ARG_STRING, true, 0, CONFIG_LINK_MAX - 1, NULL,
      "Link faults: drop=N,duplicate=N,delay=MS,reorder=N,mtu=N,seed=S (\"none\": off)." },
    ARG_END
};
static const struct control_arg daemon_args_crash[] = {
    ARG_DEVICE,
    { "how", CONTROL_ARG_ENUM, false, 0, 0, daemon_crash_kinds, "abort (default) or segv." },
    ARG_END
};

struct device *daemon_cmds_dev(struct daemon *d, struct control_request *req, json_t *args)
{
    const char *name = json_string_value(json_object_get(args, "device"));
    struct device *dev = daemon_device(d, name);

    if (dev == NULL) {
        control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no device '%s'",
                            name != NULL ? name : "");
    } else if (device_flash_lost(dev)) {
        /* A backing file shrank under the daemon: the device is faulted for good. */
        control_reply_error(req, CONTROL_ERR_INVALID_STATE,
                            "device %s: its flash is lost (a backing file shrank); restart the "
                            "daemon",
                            dev->cfg.name);
        dev = NULL;
    }
    return dev;
}

void daemon_cmds_fail(struct control_request *req, int rc, const char *what)
{
    enum control_error_class cls = CONTROL_ERR_GENERIC;

    if (rc == BO_ESTATE || rc == BO_EBUSY) {
        cls = CONTROL_ERR_INVALID_STATE;
    } else if (rc == BO_ERANGE || rc == BO_EALIGN || rc == BO_EINVAL) {
        cls = CONTROL_ERR_INVALID_ARGUMENT;
    } else if (rc == BO_ENOENT) {
        cls = CONTROL_ERR_DEVICE_NOT_FOUND;
    }
    control_reply_error(req, cls, "%s: %s", what, bo_strerror(rc));
}

/* A query-status of one device waiting for the app's network statistics. */
struct daemon_cmds_status {
    struct control_request *req;
    struct device *dev;
};

static void daemon_cmds_status_reply(void *arg, json_t *result, const char *error)
{
    struct daemon_cmds_status *st = arg;
    json_t *o = device_status_json(st->dev);

    if (o != NULL) {
        json_object_set_new(o, "net", result != NULL ? result : json_pack("{s:s}", "error", error));
    } else {
        json_decref(result);
    }
    control_reply(st->req, o);
    free(st);
}

static void daemon_cmd_status(struct control_request *req, json_t *args, void *ctx)
{
    struct daemon *d = ctx;
    json_t *name = json_object_get(args, "device");
    json_t *devs;
    uint32_t i;

    if (name != NULL) {
        struct device *dev = daemon_device(d, json_string_value(name));
        struct daemon_cmds_status *st;

        if (dev == NULL) {
            control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no device '%s'",
                                json_string_value(name));
            return;
        }
        (void)device_flash_lost(dev);
        /* A running app with a network adds its live DTLS and heap statistics. */
        st = dev->app != NULL ? calloc(1, sizeof(*st)) : NULL;
        if (st != NULL) {
            st->req = req;
            st->dev = dev;
            if (device_request_owned(dev, "status", NULL, control_request_client(req),
                                     daemon_cmds_status_reply, st) == 0) {
                return;
            }
            free(st);
        }
        control_reply(req, device_status_json(dev));
        return;
    }
    devs = json_array();
    for (i = 0; i < d->device_count; i++) {
        json_array_append_new(devs, device_status_json(d->devices[i]));
    }
    control_reply(req,
                  json_pack("{s:s, s:i, s:s, s:s?, s:b, s:I, s:o?, s:o?, s:o}", "version",
                            BROWNOUT_VERSION, "pid", (int)getpid(), "control", d->cfg.control,
                            "mount", d->fuse_up ? d->cfg.mount : NULL, "fuse", d->fuse_up, "events",
                            (json_int_t)d->events, "loop", daemon_loop_json(&d->loop_stats),
                            "spawner", spawner_json(&d->spawner), "devices", devs));
}

static void daemon_cmd_devices(struct control_request *req, json_t *args, void *ctx)
{
    struct daemon *d = ctx;
    json_t *arr = json_array();
    uint32_t i;

    (void)args;
    for (i = 0; i < d->device_count; i++) {
        struct device *dev = d->devices[i];

        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", dev->cfg.name, "board",
                           dev->board.name, "mode", boot_mode_name(dev->cfg.mode), "state",
                           device_state_name(dev->state), "pid", device_pid(dev)));
    }
    control_reply(req, arr);
}

static void daemon_cmd_flash(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    json_t *slots;
    int id;

    if (dev == NULL) {
        return;
    }
    slots = json_array();
    for (id = 0; id < FLASH_AREA_COUNT; id++) {
        struct device_flash *fl;
        uint32_t off;
        uint32_t size;

        if (device_slot(dev, id, &fl, &off, &size) == 0) {
            const char *name = config_slot_name(id);

            json_array_append_new(slots, json_pack("{s:s, s:s, s:I, s:I}", "slot",
                                                   name != NULL ? name : board_partition_name(id),
                                                   "flash", fl->name, "offset", (json_int_t)off,
                                                   "size", (json_int_t)size));
        }
    }
    control_reply(req, json_pack("{s:s, s:o, s:o}", "device", dev->cfg.name, "flash",
                                 device_flash_json(dev), "slots", slots));
}

static void daemon_cmd_power_on(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = device_power_on(dev);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, rc == BO_ESTATE ? "the device is on" : "power-on");
        return;
    }
    control_reply(req, NULL);
}

static void daemon_cmd_power_off(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = device_power_off(dev);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "the device is off");
        return;
    }
    control_reply(req, NULL);
}

static void daemon_cmd_reset(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = device_reset(dev);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "reset");
        return;
    }
    control_reply(req, NULL);
}

static void daemon_cmd_cut(struct control_request *req, json_t *args, void *ctx)
{
    struct daemon *d = ctx;
    struct device *dev;
    json_t *now = json_object_get(args, "now");
    json_t *at = json_object_get(args, "at-op");
    const char *fault = json_string_value(json_object_get(args, "fault"));
    json_t *units = json_object_get(args, "units");
    json_t *permille = json_object_get(args, "permille");
    json_t *seed = json_object_get(args, "seed");
    struct vflash_cut cut;
    int rc;

    if ((at == NULL) == (now == NULL || !json_is_true(now))) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "give either \"now\": true or \"at-op\": N");
        return;
    }
    if (now != NULL && (fault != NULL || units != NULL || permille != NULL || seed != NULL)) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "fault, units, permille and seed go with at-op");
        return;
    }
    dev = daemon_cmds_dev(d, req, args);
    if (dev == NULL) {
        return;
    }
    if (now != NULL) {
        rc = device_cut_now(dev);
        if (rc < 0) {
            daemon_cmds_fail(req, rc, "the device is off");
            return;
        }
        control_reply(req, json_pack("{s:s}", "cut", "now"));
        return;
    }
    memset(&cut, 0, sizeof(cut));
    cut.model =
        fault != NULL ? (enum vflash_cut_model)vflash_cut_model_parse(fault) : VFLASH_CUT_BEFORE;
    cut.units = units != NULL ? (uint32_t)json_integer_value(units) : VFLASH_CUT_SEEDED;
    cut.permille = permille != NULL ? (uint32_t)json_integer_value(permille) : VFLASH_CUT_SEEDED;
    cut.seed = seed != NULL ? (uint64_t)json_integer_value(seed) : dev->cfg.seed;
    device_arm_cut(dev, (uint64_t)json_integer_value(at), &cut);
    control_reply(req, json_pack("{s:I, s:s, s:I, s:s}", "at-op", json_integer_value(at), "fault",
                                 vflash_cut_model_name(cut.model), "seed", (json_int_t)cut.seed,
                                 "applies", "next power-on or reset"));
}

/* Checks [offset, offset + length) against a flash device. */
static struct device_flash *daemon_cmds_range(struct control_request *req, struct device *dev,
                                              json_t *args, uint64_t len)
{
    const char *name = json_string_value(json_object_get(args, "flash"));
    struct device_flash *fl = device_find_flash(dev, name);
    uint64_t off = (uint64_t)json_integer_value(json_object_get(args, "offset"));

    if (fl == NULL) {
        control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no flash device '%s' on %s",
                            name != NULL ? name : "", dev->cfg.name);
        return NULL;
    }
    if (off > fl->size || len > fl->size - off) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "range 0x%llx+0x%llx is outside %s (0x%zx bytes)",
                            (unsigned long long)off, (unsigned long long)len, fl->name, fl->size);
        return NULL;
    }
    return fl;
}

static void daemon_cmd_read(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    uint64_t len = (uint64_t)json_integer_value(json_object_get(args, "length"));
    uint64_t off = (uint64_t)json_integer_value(json_object_get(args, "offset"));
    struct device_flash *fl;
    uint8_t *buf;
    bool weak;
    int rc;

    if (dev == NULL || (fl = daemon_cmds_range(req, dev, args, len)) == NULL) {
        return;
    }
    /* Host reads see the cells as a programmer does: bits a weak power cut left unstable read
     * differently from one read to the next (device_flash_read()); "weak" says the range has
     * such bits. */
    buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf == NULL) {
        daemon_cmds_fail(req, BO_ENOMEM, "flash-read");
        return;
    }
    weak = device_flash_weak(fl, (uint32_t)off, (uint32_t)len);
    rc = device_flash_read(fl, (uint32_t)off, buf, (uint32_t)len);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "flash-read");
    } else {
        control_reply(req, json_pack("{s:s, s:I, s:I, s:o, s:b}", "flash", fl->name, "offset",
                                     (json_int_t)off, "length", (json_int_t)len, "data",
                                     control_data_json(buf, (size_t)len), "weak", weak));
    }
    free(buf);
}

static void daemon_cmd_write(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    uint64_t off = (uint64_t)json_integer_value(json_object_get(args, "offset"));
    struct device_flash *fl;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = control_arg_data(args, "data", &data, &len);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "data");
        return;
    }
    fl = daemon_cmds_range(req, dev, args, len);
    if (fl != NULL) {
        rc = fw_fault_host_write(&fl->vf, (uint32_t)(fl - dev->flash), dev->flash_faults,
                                 dev->flash_fault_count, (uint32_t)off, data, (uint32_t)len);
        if (rc < 0) {
            daemon_cmds_fail(req, rc, "flash-write");
        } else {
            control_reply(req, json_pack("{s:I}", "written", (json_int_t)len));
        }
    }
    free(data);
}

static void daemon_cmd_erase(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    uint64_t len = (uint64_t)json_integer_value(json_object_get(args, "length"));
    uint64_t off = (uint64_t)json_integer_value(json_object_get(args, "offset"));
    struct device_flash *fl;
    int rc;

    if (dev == NULL || (fl = daemon_cmds_range(req, dev, args, len)) == NULL) {
        return;
    }
    if (!vflash_is_boundary(&fl->vf, (uint32_t)off) ||
        !vflash_is_boundary(&fl->vf, (uint32_t)(off + len))) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT,
                            "offset and offset + length must be sector boundaries");
        return;
    }
    rc = vflash_erase(&fl->vf, (uint32_t)off, (uint32_t)len);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "flash-erase");
        return;
    }
    control_reply(req, json_pack("{s:I}", "erased", (json_int_t)len));
}

int daemon_cmds_slot(struct control_request *req, struct device *dev, json_t *args,
                     struct device_flash **fl, uint32_t *off, uint32_t *size)
{
    const char *name = json_string_value(json_object_get(args, "slot"));
    int id = config_slot_parse(name);

    if (id < 0 || device_slot(dev, id, fl, off, size) < 0) {
        control_reply_error(req, CONTROL_ERR_DEVICE_NOT_FOUND, "no slot '%s' on %s", name,
                            dev->cfg.name);
        return BO_ENOENT;
    }
    return id;
}

static void daemon_cmd_image_info(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    struct device_flash *fl;
    uint32_t off;
    uint32_t size;
    char err[256];
    json_t *info;
    int id;

    if (dev == NULL || (id = daemon_cmds_slot(req, dev, args, &fl, &off, &size)) < 0) {
        return;
    }
    if (dev->cfg.mode == BOOT_MODE_SWAP_OFFSET &&
        (id == FLASH_AREA_IMAGE_SECONDARY(0) || id == FLASH_AREA_IMAGE_SECONDARY(1))) {
        int s = vflash_sector_at(&fl->vf, off);

        if (s >= 0 && fl->vf.sectors[s].size < size) {
            off += fl->vf.sectors[s].size;
            size -= fl->vf.sectors[s].size;
        }
    }
    err[0] = '\0';
    info = image_info_describe(fl->mem + off, size, fl->vf.geom.erased_val, err, sizeof(err));
    if (info == NULL) {
        control_reply(req, json_pack("{s:s, s:b, s:s}", "slot", config_slot_name(id), "present", 0,
                                     "reason", err));
        return;
    }
    control_reply(req, json_pack("{s:s, s:b, s:o}", "slot", config_slot_name(id), "present", 1,
                                 "image", info));
}

/* Completes a confirm or state request from the firmware's reply. */
static void daemon_cmds_fw_reply(void *arg, json_t *result, const char *error)
{
    struct control_request *req = arg;

    if (error != NULL) {
        control_reply_error(
            req, error == device_error_timeout ? CONTROL_ERR_TIMEOUT : CONTROL_ERR_GENERIC, "%s",
            error);
        return;
    }
    control_reply(req, result);
}

static void daemon_cmd_confirm(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = device_request_owned(dev, "confirm", NULL, control_request_client(req),
                              daemon_cmds_fw_reply, req);
    if (rc < 0) {
        daemon_cmds_fail(req, rc,
                         rc == BO_EBUSY ? "too many requests wait for the firmware"
                                        : "the application is not running");
    }
}

/* The running app requests an upgrade from image 0's secondary slot (set pending). */
static void daemon_cmd_upgrade(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    json_t *extra;
    int rc;

    if (dev == NULL) {
        return;
    }
    extra = json_pack("{s:b}", "permanent", json_is_true(json_object_get(args, "permanent")));
    rc = extra != NULL
             ? device_request_owned(dev, "set-pending", extra, control_request_client(req),
                                    daemon_cmds_fw_reply, req)
             : BO_ENOMEM;
    json_decref(extra);
    if (rc < 0) {
        daemon_cmds_fail(req, rc,
                         rc == BO_EBUSY ? "too many requests wait for the firmware"
                                        : "the application is not running");
    }
}

static void daemon_cmd_set_link(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    const char *spec = json_string_value(json_object_get(args, "link"));
    char err[256];
    int rc;

    if (dev == NULL) {
        return;
    }
    err[0] = '\0';
    rc = device_set_link(dev, spec, daemon_cmds_fw_reply, req, err, sizeof(err));
    if (rc == BO_EINVAL) {
        control_reply_error(req, CONTROL_ERR_INVALID_ARGUMENT, "link '%s': %s", spec, err);
    } else if (rc == BO_ENOTSUP) {
        control_reply_error(req, CONTROL_ERR_INVALID_STATE, "%s", err);
    } else if (rc == 1) {
        control_reply(req, json_pack("{s:s, s:b}", "link", spec, "applied", 0));
    } else if (rc < 0) {
        daemon_cmds_fail(req, rc, "set-link");
    }
}

static void daemon_cmds_ignore(void *arg, json_t *result, const char *error)
{
    (void)arg;
    (void)error;
    json_decref(result);
}

static void daemon_cmd_crash(struct control_request *req, json_t *args, void *ctx)
{
    struct device *dev = daemon_cmds_dev(ctx, req, args);
    const char *how = json_string_value(json_object_get(args, "how"));
    int rc;

    if (dev == NULL) {
        return;
    }
    rc = device_request(dev, how != NULL && strcmp(how, "segv") == 0 ? "crash-segv" : "crash",
                        daemon_cmds_ignore, NULL);
    if (rc < 0) {
        daemon_cmds_fail(req, rc, "the application is not running");
        return;
    }
    control_reply(req, json_pack("{s:s}", "injected", how != NULL ? how : "abort"));
}

static const struct control_command daemon_commands[] = {
    { "query-status", "The daemon and its devices (or one device).", daemon_args_device_opt,
      daemon_cmd_status, NULL },
    { "query-devices", "The devices: name, board, mode, state, firmware pid.", NULL,
      daemon_cmd_devices, NULL },
    { "query-flash", "A device's flash devices and slots.", daemon_args_device, daemon_cmd_flash,
      NULL },
    { "power-on", "Power a device on (boot).", daemon_args_device, daemon_cmd_power_on, NULL },
    { "power-off", "Power a device off.", daemon_args_device, daemon_cmd_power_off, NULL },
    { "reset", "Reset a device (a new boot).", daemon_args_device, daemon_cmd_reset, NULL },
    { "power-cut", "Cut power now, or at flash operation N of the next run with a fault model.",
      daemon_args_cut, daemon_cmd_cut, NULL },
    { "flash-read", "Read flash bytes (base64).", daemon_args_read, daemon_cmd_read, NULL },
    { "flash-write", "Write flash bytes as a programmer (base64).", daemon_args_write,
      daemon_cmd_write, NULL },
    { "flash-erase", "Erase whole sectors.", daemon_args_erase, daemon_cmd_erase, NULL },
    { "image-load", "Write an image file into a slot (a regular file; the slot is erased first).",
      daemon_args_load, daemon_cmd_image_load, NULL },
    { "image-info", "Describe the image in a slot.", daemon_args_slot, daemon_cmd_image_info,
      NULL },
    { "confirm", "Confirm the running image (boot_set_confirmed in the firmware).",
      daemon_args_device, daemon_cmd_confirm, NULL },
    { "upgrade",
      "Request an upgrade from the secondary slot: a test (reverts unless confirmed) or "
      "permanent (boot_set_pending in the firmware).",
      daemon_args_upgrade, daemon_cmd_upgrade, NULL },
    { "inject-crash", "Make the running firmware crash (a DEVICE_FAULT follows).",
      daemon_args_crash, daemon_cmd_crash, NULL },
    { "set-link", "Set the link faults of a device's network (now and for its next runs).",
      daemon_args_link, daemon_cmd_set_link, NULL },
};

int daemon_cmds_register(struct daemon *d)
{
    size_t i;
    int rc;

    for (i = 0; i < sizeof(daemon_commands) / sizeof(daemon_commands[0]); i++) {
        struct control_command c = daemon_commands[i];

        c.ctx = d;
        rc = control_register(&d->control, &c);
        if (rc < 0) {
            return rc;
        }
    }
    rc = daemon_mark_register(d);
    if (rc < 0) {
        return rc;
    }
    return daemon_fault_register(d);
}
