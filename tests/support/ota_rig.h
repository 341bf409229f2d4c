/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test support: a device running the OTA app over flash in RAM (a fixtures/boards board through
 * the boot fixture), driven through ota_app_input() as a CoAP client would. The functions
 * assert with cmocka; call them from a cmocka test whose group setup ran bf_global_setup().
 */
#ifndef TESTS_SUPPORT_OTA_RIG_H
#define TESTS_SUPPORT_OTA_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ota/ota_app.h"
#include "boot_fixture.h"

#define OTA_RIG_PEER 7u
#define OTA_RIG_SENT_MAX 8

struct ota_rig_sent {
    size_t len;
    uint8_t buf[COAP_SERVER_MSG_MAX];
};

struct ota_rig {
    struct bf f;
    struct ota_app *app;
    struct ota_app_config cfg;
    struct ota_rig_sent sent[OTA_RIG_SENT_MAX];
    uint32_t nsent;
    uint32_t reboots;
    uint32_t sent_at_reboot;
    uint16_t mid;
    uint64_t now;
};

/* An option for a request. */
struct ota_rig_opt {
    uint16_t num;
    const void *val;
    size_t len;
};

/* The rig's ota_app_ops callbacks: records a sent datagram; counts a reboot. */
int ota_rig_send(void *ctx, uint32_t peer, const uint8_t *buf, size_t len);
void ota_rig_reboot(void *ctx);

/* Starts the app (a fresh instance, as after a reset). */
int ota_rig_start(struct ota_rig *r, enum ota_confirm_policy policy);

/* Stops the app, as a reset does. */
void ota_rig_stop(struct ota_rig *r);

/* A device on a fixtures/boards board in mode, v1 installed and booted; no app yet. */
struct ota_rig *ota_rig_new(const char *board, enum boot_mode mode);

/* Stops the app and the device and frees the rig. */
void ota_rig_free(struct ota_rig *r);

/* The last datagram the app sent. */
const struct ota_rig_sent *ota_rig_last(const struct ota_rig *r);

/*
 * Sends one request (Uri-Path from path, then the options, in order) and returns the code of
 * the one datagram it got back (parsed into *rep). Returns 0xff when nothing came back.
 */
uint8_t ota_rig_rq(struct ota_rig *r, uint8_t type, uint8_t code, const char *path,
                   const struct ota_rig_opt *x, size_t nx, const void *payload, size_t plen,
                   struct coap_msg *rep, int *rc_out);

/* GET path; returns the reply code. */
uint8_t ota_rig_get(struct ota_rig *r, const char *path, struct coap_msg *rep);

/* POST to a resource answered at once. */
uint8_t ota_rig_post(struct ota_rig *r, const char *path, const char *payload,
                     struct coap_msg *rep);

/* POST /fw/pending: an empty ACK now, the answer as a CON response from the tick (ACKed). */
uint8_t ota_rig_pending(struct ota_rig *r, const char *kind, struct coap_msg *rep);

/*
 * Sends block num of an image with size exponent szx (Size1 on block 0). Returns the reply's
 * code (0xff: none); *rc_out gets ota_app_input's return.
 */
uint8_t ota_rig_put_block(struct ota_rig *r, const uint8_t *img, size_t len, uint8_t szx,
                          uint32_t num, struct coap_msg *rep, int *rc_out);

/* The number of blocks of size exponent szx in len bytes. */
uint32_t ota_rig_nblocks(size_t len, uint8_t szx);

/* Uploads blocks [from, nblocks) and checks every reply. */
void ota_rig_upload_from(struct ota_rig *r, const uint8_t *img, size_t len, uint8_t szx,
                         uint32_t from);

/* A signed image of version major for the secondary slot (malloc'd; free() it). */
void ota_rig_make_image(struct ota_rig *r, uint8_t major, uint32_t payload, bool corrupt,
                        bool untrusted, bool no_key, uint8_t **img, size_t *len);

/* Resets the device: the app goes, the bootloader runs, the app comes back. */
void ota_rig_reset(struct ota_rig *r, enum ota_confirm_policy policy, struct boot_rsp *rsp);

#endif /* TESTS_SUPPORT_OTA_RIG_H */
