/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device app (see ota_app.h): the lifecycle, the resource table and the handlers of the
 * firmware resources. The CoAP machinery is coap_server.c, the upload is ota_upload.c.
 */
#include "ota/ota_app.h"

#include <string.h>

#include "bo_err.h"
#include "boot/image_validate.h"
#include "port/port_log.h"
#include "ota/ota_json.h"
#include "ota/ota_slots.h"
#include "sysflash/sysflash.h"

#define OTA_GET COAP_METHOD_BIT(COAP_GET)
#define OTA_PUT COAP_METHOD_BIT(COAP_PUT)
#define OTA_POST COAP_METHOD_BIT(COAP_POST)

static int ota_app_wellknown(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);
static int ota_app_fw(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);
static int ota_app_upload(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);
static int ota_app_pending(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);
static int ota_app_confirm(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);
static int ota_app_reboot(void *ctx, const struct coap_req *req, struct coap_rsp *rsp);

static const struct coap_resource ota_app_resources[] = {
    { ".well-known/core", OTA_GET, 0, ota_app_wellknown },
    { "fw", OTA_GET, 0, ota_app_fw },
    { "fw/upload", OTA_PUT, 0, ota_app_upload },
    { "fw/pending", OTA_POST, OTA_POST, ota_app_pending },
    { "fw/confirm", OTA_POST, 0, ota_app_confirm },
    { "reboot", OTA_POST, 0, ota_app_reboot },
};

static const char ota_app_links[] = "</fw>;rt=\"fw.info\";ct=50,"
                                    "</fw/upload>;rt=\"fw.upload\";ct=42,"
                                    "</fw/pending>;rt=\"fw.pending\";ct=0,"
                                    "</fw/confirm>;rt=\"fw.confirm\","
                                    "</reboot>;rt=\"reboot\"";

void ota_app_init(struct ota_app *app)
{
    memset(app, 0, sizeof(*app));
}

void ota_app_free(struct ota_app *app)
{
    if (app == NULL) {
        return;
    }
    coap_server_free(&app->srv);
    ota_upload_free(&app->up);
    flash_area_close(app->fa_sec);
    flash_area_close(app->fa_pri);
    ota_app_init(app);
}

/* The bootloader's MA: configured, or derived from the write units as boot_go() does. */
static uint32_t ota_app_max_align(const struct ota_app *app)
{
    const struct flash_area *scr;
    uint32_t wu = flash_area_align(app->fa_pri);

    if (app->cfg.boot->max_align != 0) {
        return app->cfg.boot->max_align;
    }
    if (flash_area_align(app->fa_sec) > wu) {
        wu = flash_area_align(app->fa_sec);
    }
    if (app->cfg.boot->mode == BOOT_MODE_SWAP_SCRATCH &&
        flash_area_open(FLASH_AREA_IMAGE_SCRATCH, &scr) == 0) {
        if (flash_area_align(scr) > wu) {
            wu = flash_area_align(scr);
        }
        flash_area_close(scr);
    }
    return wu <= 8 ? 8 : wu <= 16 ? 16 : 32;
}

/* Opens the slots and works out where an image goes and how large it may be. */
static int ota_app_slots(struct ota_app *app)
{
    uint32_t idx = app->cfg.image_index;
    struct flash_sector first;
    const char *why = NULL;
    int id;
    int rc;

    id = flash_area_id_from_multi_image_slot((int)idx, 0);
    rc = id < 0 ? id : flash_area_open((uint8_t)id, &app->fa_pri);
    if (rc < 0) {
        app->fa_pri = NULL;
        return rc;
    }
    id = flash_area_id_from_multi_image_slot((int)idx, 1);
    rc = id < 0 ? id : flash_area_open((uint8_t)id, &app->fa_sec);
    if (rc < 0) {
        app->fa_sec = NULL;
        return rc;
    }
    rc = boot_image_capacity(&app->work, app->cfg.boot, idx, &app->capacity, &why);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0 || app->capacity == 0) {
        port_log(PORT_LOG_ERROR, "ota", "image %lu cannot be updated: %s", (unsigned long)idx,
                 why != NULL ? why : "no room");
        return BO_ENOTSUP;
    }
    app->img_off = 0;
    if (app->cfg.boot->mode == BOOT_MODE_SWAP_OFFSET) {
        rc = flash_area_get_sector(app->fa_sec, 0, &first);
        if (rc < 0) {
            return rc;
        }
        app->img_off = first.fs_size;
    }
    app->api.max_align = ota_app_max_align(app);
    return ota_upload_setup(&app->up, app->fa_sec, app->img_off, app->capacity);
}

int ota_app_setup(struct ota_app *app, const struct ota_app_config *cfg,
                  const struct ota_app_ops *ops, uint64_t now_ms)
{
    struct coap_server_config sc;
    int rc;

    if (app == NULL || cfg == NULL || ops == NULL || ops->send == NULL || cfg->boot == NULL ||
        cfg->image_index >= cfg->boot->image_count || cfg->image_index >= BOOT_IMAGE_MAX ||
        (cfg->confirm != OTA_CONFIRM_MANUAL && cfg->confirm != OTA_CONFIRM_AUTO &&
         cfg->confirm != OTA_CONFIRM_NEVER)) {
        return BO_EINVAL;
    }
    ota_app_free(app);
    app->cfg = *cfg;
    app->ops = *ops;
    rc = ota_app_slots(app);
    if (rc < 0) {
        goto out;
    }
    memset(&sc, 0, sizeof(sc));
    sc.resources = ota_app_resources;
    sc.resource_count = sizeof(ota_app_resources) / sizeof(ota_app_resources[0]);
    sc.ctx = app;
    sc.send = ops->send;
    sc.send_ctx = ops->ctx;
    sc.first_mid = (uint16_t)((now_ms * 2654435761u) >> 7);
    rc = coap_server_setup(&app->srv, &sc);
    if (rc < 0) {
        goto out;
    }
    if (cfg->confirm == OTA_CONFIRM_AUTO) {
        rc = boot_set_confirmed_multi_cfg(&app->api, (int)cfg->image_index);
        if (rc == BO_EPOWER) {
            goto out;
        }
        if (rc < 0) {
            /* The app still serves: an update is how such a device gets fixed. */
            port_log(PORT_LOG_WARN, "ota", "cannot confirm the running image (%d)", rc);
            rc = 0;
        }
    }
    app->ready = true;
out:
    if (rc < 0) {
        ota_app_free(app);
    }
    return rc;
}

int ota_app_input(struct ota_app *app, uint32_t peer, const uint8_t *dgram, size_t len,
                  uint64_t now_ms)
{
    if (app == NULL || (dgram == NULL && len != 0)) {
        return BO_EINVAL;
    }
    if (!app->ready) {
        return BO_ESTATE;
    }
    return coap_server_input(&app->srv, peer, dgram, len, now_ms);
}

void ota_app_peer_gone(struct ota_app *app, uint32_t peer)
{
    if (app != NULL && app->ready) {
        coap_server_peer_gone(&app->srv, peer);
    }
}

int ota_app_tick(struct ota_app *app, uint64_t now_ms)
{
    if (app == NULL) {
        return BO_EINVAL;
    }
    if (!app->ready) {
        return BO_ESTATE;
    }
    return coap_server_tick(&app->srv, now_ms);
}

uint64_t ota_app_next_deadline(const struct ota_app *app)
{
    if (app == NULL || !app->ready) {
        return UINT64_MAX;
    }
    return coap_server_next_deadline(&app->srv);
}

const struct coap_server_stats *ota_app_stats(const struct ota_app *app)
{
    return coap_server_stats(&app->srv);
}

/* ---- Handlers ---- */

/* Sets a response code with a short diagnostic text (RFC 7252 section 5.5.2). */
static int ota_app_reply(struct coap_rsp *rsp, uint8_t code, const char *diag)
{
    size_t n = diag != NULL ? strlen(diag) : 0;

    rsp->code = code;
    rsp->content_format = COAP_CF_NONE;
    if (n > rsp->payload_cap) {
        n = rsp->payload_cap;
    }
    if (n != 0) {
        memcpy(rsp->payload, diag, n);
    }
    rsp->payload_len = n;
    return 0;
}

static int ota_app_wellknown(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    (void)ctx;
    (void)req;
    ota_app_reply(rsp, COAP_CONTENT, ota_app_links);
    rsp->content_format = COAP_CF_LINK_FORMAT;
    return 0;
}

static const char *ota_app_policy_name(enum ota_confirm_policy p)
{
    return p == OTA_CONFIRM_AUTO ? "auto" : p == OTA_CONFIRM_NEVER ? "never" : "manual";
}

/* Writes "major.minor.revision+build". */
static void ota_app_json_version(struct ota_json *j, const struct image_version *v)
{
    ota_json_raw(j, "\"");
    ota_json_u64(j, v->major);
    ota_json_raw(j, ".");
    ota_json_u64(j, v->minor);
    ota_json_raw(j, ".");
    ota_json_u64(j, v->revision);
    ota_json_raw(j, "+");
    ota_json_u64(j, v->build);
    ota_json_raw(j, "\"");
}

/* One slot object of GET /fw. */
static int ota_app_json_slot(struct ota_app *app, struct ota_json *j, int slot, int swap_type)
{
    const struct flash_area *fa = slot == 0 ? app->fa_pri : app->fa_sec;
    uint32_t base = slot == 0 ? 0 : app->img_off;
    struct ota_slot_info info;
    bool pending =
        slot == 1 && (swap_type == BOOT_SWAP_TYPE_TEST || swap_type == BOOT_SWAP_TYPE_PERM);
    bool confirmed =
        slot == 0 ? swap_type != BOOT_SWAP_TYPE_REVERT : swap_type == BOOT_SWAP_TYPE_REVERT;
    int rc;

    rc = ota_slots_info(fa, base, flash_area_get_size(fa) - base, &info);
    if (rc < 0) {
        return rc;
    }
    ota_json_raw(j, "{");
    ota_json_key(j, "slot", true);
    ota_json_u64(j, (uint64_t)slot);
    ota_json_key(j, "name", false);
    ota_json_str(j, slot == 0 ? "primary" : "secondary");
    ota_json_key(j, "image", false);
    ota_json_bool(j, info.present);
    if (info.present) {
        ota_json_key(j, "version", false);
        ota_app_json_version(j, &info.version);
        ota_json_key(j, "size", false);
        ota_json_u64(j, info.size);
        if (info.hash_len != 0) {
            ota_json_key(j, "hash", false);
            ota_json_hex(j, info.hash, info.hash_len);
        }
    }
    ota_json_key(j, "active", false);
    ota_json_bool(j, slot == 0);
    ota_json_key(j, "confirmed", false);
    ota_json_bool(j, info.present && confirmed);
    ota_json_key(j, "pending", false);
    ota_json_bool(j, pending);
    ota_json_key(j, "permanent", false);
    ota_json_bool(j, pending && swap_type == BOOT_SWAP_TYPE_PERM);
    ota_json_raw(j, "}");
    return 0;
}

static int ota_app_fw(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct ota_app *app = ctx;
    int swap_type = boot_swap_type_multi_cfg(&app->api, (int)app->cfg.image_index);
    uint32_t received = 0;
    bool complete = false;
    bool known;
    struct ota_json j;
    size_t len;
    int rc;

    (void)req;
    ota_json_init(&j, rsp->payload, rsp->payload_cap);
    ota_json_raw(&j, "{");
    ota_json_key(&j, "image", true);
    ota_json_u64(&j, app->cfg.image_index);
    ota_json_key(&j, "mode", false);
    ota_json_str(&j, boot_mode_name(app->cfg.boot->mode));
    ota_json_key(&j, "confirm", false);
    ota_json_str(&j, ota_app_policy_name(app->cfg.confirm));
    ota_json_key(&j, "capacity", false);
    ota_json_u64(&j, app->capacity);
    ota_json_key(&j, "slots", false);
    ota_json_raw(&j, "[");
    rc = ota_app_json_slot(app, &j, 0, swap_type);
    if (rc == 0) {
        ota_json_raw(&j, ",");
        rc = ota_app_json_slot(app, &j, 1, swap_type);
    }
    if (rc < 0) {
        return rc;
    }
    ota_json_raw(&j, "]");
    known = ota_upload_progress(&app->up, &received, &complete);
    ota_json_key(&j, "upload", false);
    ota_json_raw(&j, "{");
    ota_json_key(&j, "known", true);
    ota_json_bool(&j, known);
    ota_json_key(&j, "received", false);
    ota_json_u64(&j, received);
    ota_json_key(&j, "complete", false);
    ota_json_bool(&j, complete);
    ota_json_raw(&j, "}}");
    rc = ota_json_finish(&j, &len);
    if (rc < 0) {
        return rc;
    }
    rsp->code = COAP_CONTENT;
    rsp->content_format = COAP_CF_JSON;
    rsp->payload_len = len;
    return 0;
}

/* Whether the running image waits for its confirmation (a test swap that can still revert). */
static bool ota_app_awaits_confirm(struct ota_app *app)
{
    return app->cfg.boot->mode != BOOT_MODE_OVERWRITE &&
           boot_swap_type_multi_cfg(&app->api, (int)app->cfg.image_index) == BOOT_SWAP_TYPE_REVERT;
}

static int ota_app_upload(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct ota_app *app = ctx;
    const struct coap_msg *m = req->msg;
    struct ota_upload_block blk;
    struct coap_block b1;
    int rc;

    if (req->content_format != COAP_CF_NONE && req->content_format != COAP_CF_OCTET_STREAM) {
        return ota_app_reply(rsp, COAP_UNSUPPORTED_CONTENT_FORMAT, "octet-stream only");
    }
    memset(&blk, 0, sizeof(blk));
    if (req->has_block1) {
        b1 = req->block1;
    } else {
        /* A whole image in one request: one last block of the largest size. */
        b1.num = 0;
        b1.more = false;
        b1.szx = COAP_BLOCK_SZX_MAX;
    }
    if (coap_block_offset(&b1, &blk.off) < 0) {
        rsp->has_size1 = true;
        rsp->size1 = app->capacity;
        return ota_app_reply(rsp, COAP_REQUEST_ENTITY_TOO_LARGE, "larger than the slot");
    }
    if (m->payload_len > coap_block_size(b1.szx)) {
        return ota_app_reply(rsp, COAP_BAD_REQUEST, "payload larger than the block");
    }
    if (blk.off == 0 && ota_app_awaits_confirm(app)) {
        return ota_app_reply(rsp, COAP_FORBIDDEN, "confirm the running image first");
    }
    blk.data = m->payload;
    blk.len = (uint32_t)m->payload_len;
    blk.size = coap_block_size(b1.szx);
    blk.last = !b1.more;
    blk.total = req->has_size1 ? req->size1 : 0;
    rc = ota_upload_block(&app->up, &blk);
    switch (rc) {
    case 0:
        break;
    case BO_EPOWER:
        return rc;
    case BO_EBADIMAGE:
        return ota_app_reply(rsp, COAP_BAD_REQUEST, "not an image header");
    case BO_EINVAL:
        return ota_app_reply(rsp, COAP_BAD_REQUEST, "bad block");
    case BO_ERANGE:
        rsp->has_size1 = true;
        rsp->size1 = app->capacity;
        return ota_app_reply(rsp, COAP_REQUEST_ENTITY_TOO_LARGE, "larger than the slot");
    case BO_ESTATE:
        return ota_app_reply(rsp, COAP_REQUEST_ENTITY_INCOMPLETE, "send earlier blocks");
    default:
        return ota_app_reply(rsp, COAP_INTERNAL_SERVER_ERROR, "flash error");
    }
    if (req->has_block1) {
        rsp->has_block1 = true;
        rsp->block1 = b1;
    }
    return ota_app_reply(rsp, b1.more ? COAP_CONTINUE : COAP_CHANGED, NULL);
}

/* Parses the payload of POST /fw/pending: "test" or "permanent" (a trailing newline is ok). */
static int ota_app_pending_kind(const struct coap_msg *m, int *permanent)
{
    size_t n = m->payload_len;

    while (n > 0 &&
           (m->payload[n - 1] == '\n' || m->payload[n - 1] == '\r' || m->payload[n - 1] == ' ')) {
        n--;
    }
    if (n == 4 && memcmp(m->payload, "test", 4) == 0) {
        *permanent = 0;
        return 0;
    }
    if (n == 9 && memcmp(m->payload, "permanent", 9) == 0) {
        *permanent = 1;
        return 0;
    }
    return BO_EINVAL;
}

/* Validates the secondary image; 0 or the CoAP code of the refusal in *code. */
static int ota_app_validate(struct ota_app *app, uint8_t *code, const char **why)
{
    struct image_validate_config vc;
    struct image_validate_result res;
    struct image_header pri;
    struct ota_slot_src ctx;
    struct image_src src;
    int rc;

    *code = 0;
    rc = ota_slots_src(&src, &ctx, app->fa_sec, app->img_off, app->capacity);
    if (rc < 0) {
        return rc;
    }
    memset(&vc, 0, sizeof(vc));
    vc.keys = app->cfg.boot->keys;
    vc.key_count = app->cfg.boot->key_count;
    vc.allow_unsigned = app->cfg.boot->allow_unsigned;
    rc = image_validate(&src, &vc, &res);
    *why = image_validate_reason_str(res.reason);
    if (rc == BO_EBADIMAGE || rc == BO_ENOTSUP) {
        *code = COAP_BAD_REQUEST;
        return 0;
    }
    if (rc == BO_EBADSIG) {
        *code = COAP_FORBIDDEN;
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    if (app->cfg.boot->downgrade_version) {
        rc = ota_slots_src(&src, &ctx, app->fa_pri, 0, flash_area_get_size(app->fa_pri));
        if (rc == 0 && image_header_read(&src, &pri) == 0 &&
            image_version_cmp(&res.hdr.version, &pri.version, false) < 0) {
            *code = COAP_FORBIDDEN;
            *why = "downgrade";
        }
    }
    return 0;
}

static int ota_app_pending(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct ota_app *app = ctx;
    const char *why = NULL;
    bool complete = false;
    uint8_t code = 0;
    int permanent;
    int rc;

    if (req->content_format != COAP_CF_NONE && req->content_format != COAP_CF_TEXT_PLAIN) {
        return ota_app_reply(rsp, COAP_UNSUPPORTED_CONTENT_FORMAT, "text/plain only");
    }
    if (ota_app_pending_kind(req->msg, &permanent) < 0) {
        return ota_app_reply(rsp, COAP_BAD_REQUEST, "payload: test or permanent");
    }
    if (ota_upload_progress(&app->up, NULL, &complete) && !complete) {
        return ota_app_reply(rsp, COAP_REQUEST_ENTITY_INCOMPLETE, "upload not finished");
    }
    rc = ota_app_validate(app, &code, &why);
    if (rc == BO_EPOWER) {
        return rc;
    }
    if (rc < 0) {
        return ota_app_reply(rsp, COAP_INTERNAL_SERVER_ERROR, "cannot validate");
    }
    if (code != 0) {
        port_log(PORT_LOG_WARN, "ota", "image refused: %s", why);
        return ota_app_reply(rsp, code, why);
    }
    rc = boot_set_pending_multi_cfg(&app->api, (int)app->cfg.image_index, permanent);
    if (rc == BO_EPOWER) {
        return rc;
    }
    if (rc < 0) {
        port_log(PORT_LOG_ERROR, "ota", "boot_set_pending failed (%d)", rc);
        return ota_app_reply(rsp, COAP_INTERNAL_SERVER_ERROR, "cannot mark pending");
    }
    port_log(PORT_LOG_INFO, "ota", "image marked pending (%s)", permanent ? "permanent" : "test");
    return ota_app_reply(rsp, COAP_CHANGED, NULL);
}

static int ota_app_confirm(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    struct ota_app *app = ctx;
    int rc;

    (void)req;
    if (app->cfg.confirm == OTA_CONFIRM_NEVER) {
        return ota_app_reply(rsp, COAP_FORBIDDEN, "confirm policy is never");
    }
    rc = boot_set_confirmed_multi_cfg(&app->api, (int)app->cfg.image_index);
    if (rc == BO_EPOWER) {
        return rc;
    }
    if (rc < 0) {
        return ota_app_reply(rsp, COAP_INTERNAL_SERVER_ERROR, "cannot confirm");
    }
    return ota_app_reply(rsp, COAP_CHANGED, NULL);
}

static void ota_app_do_reboot(void *ctx)
{
    struct ota_app *app = ctx;

    app->rebooting = true;
    if (app->ops.reboot != NULL) {
        app->ops.reboot(app->ops.ctx);
    }
}

static int ota_app_reboot(void *ctx, const struct coap_req *req, struct coap_rsp *rsp)
{
    (void)ctx;
    (void)req;
    rsp->after_send = ota_app_do_reboot;
    return ota_app_reply(rsp, COAP_CHANGED, NULL);
}
