/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fw_app.h
 * \brief The firmware runner's application phase with a network: after BOOT_DONE, brownout-fw
 *        runs a libuv loop with the daemon pipe (a uv_pipe), the device's DTLS server
 *        (port/linux/dtls/dtls_server.h) and a uv_timer driving the OTA app (core/ota/ota_app.h).
 *
 * Data path: dtls_server on_data -> ota_app_input(); ota_app ops.send -> dtls_server_send();
 * ota_app ops.reboot -> the event {"event": "RESET_REQUEST"} to the daemon, which resets the
 * device exactly as its reset command does. The OTA app's clock is the loop's (milliseconds).
 *
 * Messages the app adds to those of fw.h, one JSON object per line:
 *
 *     {"event": "APP_READY", "data": {"address", "port", "psk", "certificate", "confirm"}}
 *     {"event": "APP_FAILED", "data": {"error", "code"}}  (no network; the pipe still works)
 *     {"event": "RESET_REQUEST", "data": {"reason": "reboot"}}
 *
 * Requests the app answers itself (others go to the runner's handler):
 *
 *     {"cmd": "status", "id": ID}  -> {"dtls": {...}, "heap": {...}, "link", "port"}
 *     {"cmd": "set-link", "id": ID, "link": SPEC} -> {"link": SPEC as link_fault_format()}
 *
 * A power cut that fires during a flash operation of the app ends the process through the
 * host's check_power() hook, as it does during the boot.
 */
#ifndef SIM_FW_APP_H
#define SIM_FW_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "boot/loader.h"
#include "config/daemon_config.h"

/** What the runner (fw.c) gives the app. */
struct fw_app_host {
    void *ctx;
    /** Answers a request the app does not handle; returns the reply message (new reference). */
    json_t *(*request)(void *ctx, json_t *msg);
    /** Writes one message line to the daemon (the reference is taken over). */
    void (*send)(void *ctx, json_t *msg);
    /** Ends the process as power loss does if a cut fired since the last call. */
    void (*check_power)(void *ctx);
    /** The device's boot configuration (mode, keys, image count). */
    const struct boot_config *boot;
};

/** The app's settings. */
struct fw_app_args {
    struct config_net net; /**< From brownout-fw's --net KEY=VALUE options. */
    uint64_t seed;         /**< The device's seed (link faults without their own seed). */
    const char *name;      /**< The device name (logs). */
};

/**
 * \brief Runs the application until the pipe to the daemon closes.
 * \param args     The settings; args->net.enabled must be true.
 * \param pipe_fd  The pipe to the daemon (made non-blocking).
 * \param host     The runner's hooks.
 * \return 0 once the pipe closed and every handle is closed; BO_EOS if the loop cannot start.
 */
int fw_app_run(const struct fw_app_args *args, int pipe_fd, const struct fw_app_host *host);

#endif /* SIM_FW_APP_H */
