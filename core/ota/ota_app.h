/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file ota_app.h
 * \brief The device app: a CoAP server for over-the-air updates of one image (issue 6).
 *
 * Resources (docs/ota.md has the full reference):
 * - GET /.well-known/core  the resources, in link format;
 * - GET /fw                JSON: per slot version, hash, active/pending/confirmed; upload
 *                          progress;
 * - PUT /fw/upload         the image, Block1 (16..1024-byte blocks), written into the secondary
 *                          slot as it arrives (see ota_upload.h for the restart/resume rules);
 * - POST /fw/pending       payload "test" or "permanent": validates the image in the secondary
 *                          slot with the device's keys, then boot_set_pending(); a CON request
 *                          gets an empty ACK at once and the result as a separate response;
 * - POST /fw/confirm       boot_set_confirmed() (4.03 with the NEVER policy, nothing written);
 * - POST /reboot           2.04, then ops->reboot().
 *
 * The transport is the caller's: received datagrams go in through ota_app_input(), replies go
 * out through ops->send; peers are transport session ids. Flash is reached through the port's
 * flash_area_* functions and the application-side boot API (boot_api.h), so the caller must
 * have the device's flash map active. No heap, no globals: all state is in struct ota_app.
 */
#ifndef OTA_OTA_APP_H
#define OTA_OTA_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot_api.h"
#include "boot/loader.h"
#include "flash_map_backend/flash_map_backend.h"
#include "ota/coap_server.h"
#include "ota/ota_upload.h"

/** What the app does about confirming the running image. */
enum ota_confirm_policy {
    OTA_CONFIRM_MANUAL = 0, /**< POST /fw/confirm confirms. */
    OTA_CONFIRM_AUTO,       /**< ota_app_setup() confirms (after a successful boot). */
    OTA_CONFIRM_NEVER,      /**< Never confirm (a bad image: the next reset reverts). */
};

/** What the app needs from its host. */
struct ota_app_ops {
    void *ctx;
    /** Sends one CoAP datagram to the peer (a transport session id). 0 or negative bo_err. */
    int (*send)(void *ctx, uint32_t peer, const uint8_t *buf, size_t len);
    /** Asks for a clean reset; called after the response to POST /reboot was sent. */
    void (*reboot)(void *ctx);
};

/** The device's configuration. */
struct ota_app_config {
    enum ota_confirm_policy confirm;
    const struct boot_config *boot; /**< The device's boot configuration (mode, keys, ...). */
    uint32_t image_index;           /**< The image updated (0). */
};

/** The app. Fixed size, no heap; treat the fields as private. */
struct ota_app {
    struct ota_app_config cfg;
    struct ota_app_ops ops;
    bool ready;                      /**< Set up. */
    bool rebooting;                  /**< ops->reboot was called. */
    struct boot_api_config api;      /**< The bootloader's MA for the boot API. */
    const struct flash_area *fa_pri; /**< The image's primary slot (open). */
    const struct flash_area *fa_sec; /**< The image's secondary slot (open). */
    uint32_t img_off;                /**< Where an image starts in the secondary slot. */
    uint32_t capacity;               /**< Largest image the mode can install. */
    struct ota_upload up;
    struct coap_server srv;
    /** Scratch for boot_image_capacity() at setup: its size follows MCUBOOT_MAX_IMG_SECTORS
     *  (about 100 KiB with the Linux port's 4096, about 3 KiB with MCUboot's default 128). */
    struct boot_loader_state work;
};

/** \brief Zeroes an app (cannot fail). */
void ota_app_init(struct ota_app *app);

/**
 * \brief Sets up the app: opens the image's slots, computes the largest image the upgrade mode
 *        accepts, and with OTA_CONFIRM_AUTO confirms the running image.
 * \param app     The app (after ota_app_init()).
 * \param cfg     The configuration; cfg->boot must outlive the app.
 * \param ops     The host's callbacks (copied); send is required, reboot may be NULL.
 * \param now_ms  The device clock.
 * \return 0; BO_EINVAL for a bad argument or an image index outside the configuration;
 *         BO_ENOENT when a slot does not exist; BO_ENOTSUP when the slots' geometry does not
 *         allow the upgrade mode; BO_EPOWER (stop at once) or another flash error from the
 *         confirmation.
 */
int ota_app_setup(struct ota_app *app, const struct ota_app_config *cfg,
                  const struct ota_app_ops *ops, uint64_t now_ms);

/**
 * \brief Handles one received datagram; replies go out through ops->send.
 * \return 0 (malformed or refused requests are answered, not returned); BO_EPOWER when a
 *         flash operation lost power (the firmware must stop at once); BO_ESTATE when the app
 *         is not set up; BO_EINVAL for bad arguments.
 */
int ota_app_input(struct ota_app *app, uint32_t peer, const uint8_t *dgram, size_t len,
                  uint64_t now_ms);

/** \brief The transport closed a session: forgets what the server keeps for that peer. */
void ota_app_peer_gone(struct ota_app *app, uint32_t peer);

/**
 * \brief Runs due work: separate responses (POST /fw/pending is validated here), CON
 *        retransmissions, cache expiry.
 * \return 0, BO_EPOWER (stop at once), or BO_ESTATE when the app is not set up.
 */
int ota_app_tick(struct ota_app *app, uint64_t now_ms);

/** \brief When ota_app_tick() next has work; UINT64_MAX: none. */
uint64_t ota_app_next_deadline(const struct ota_app *app);

/** \brief The CoAP counters (rx, tx, duplicates, retransmissions, ...). */
const struct coap_server_stats *ota_app_stats(const struct ota_app *app);

/** \brief Releases the app: closes the slots (safe after init, and twice). */
void ota_app_free(struct ota_app *app);

#endif /* OTA_OTA_APP_H */
