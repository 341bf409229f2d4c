/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file daemon.h
 * \brief brownoutd: one libuv loop that owns the devices, the control socket (control.h), the
 *        FUSE view (fuse_view.h) and the signals.
 *
 * Start: devices are set up (flash mapped, images written into fresh flash), the control
 * socket listens, the FUSE view is mounted (or the daemon says once that it runs without FUSE),
 * devices with automatic power-on are powered on, then sd_notify("READY=1").
 * SIGTERM/SIGINT: sd_notify("STOPPING=1"), a SHUTDOWN event to every client, the firmware runs
 * are killed, the view is unmounted, the flash flushed, the loop ends (exit 0); a second signal
 * exits at once. SIGHUP re-reads the configuration (the same command line) and applies what it
 * can live: new devices, power-on policy, seeds, and (from the next power-on) mode, keys and
 * validation; it logs what needs a restart (boards, flash files, socket, mount).
 */
#ifndef SIM_DAEMON_H
#define SIM_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config/daemon_config.h"
#include "control/control.h"
#include "daemon/daemon_loop.h"
#include "daemon/device.h"
#include "daemon/spawner.h"
#include "fuse/fuse_view.h"

#ifndef BROWNOUT_VERSION
#define BROWNOUT_VERSION "0.1.0"
#endif

/** The daemon. */
struct daemon {
    uv_loop_t *loop;
    struct config cfg;
    int argc; /**< The command line, for SIGHUP. */
    char **argv;
    struct device **devices; /**< Grown as devices are added. */
    uint32_t device_count;
    uint32_t device_cap; /**< Room in devices. */
    struct control_server control;
    bool control_up;
    struct fuse_view fuse;
    bool fuse_up;
    uv_signal_t sig[3];
    bool sig_init;
    int signals_seen;
    uint64_t first_signal_ms; /**< Loop time of the first SIGTERM/SIGINT. */
    bool stopping;
    uint32_t devices_open;
    uint64_t events;               /**< Events emitted. */
    struct daemon_loop loop_stats; /**< The loop's busy time (query-status). */
    struct spawner spawner;        /**< Starts firmware runs off the loop. */
};

/** \brief Initialises an empty daemon. Cannot fail. */
void daemon_init(struct daemon *d);

/**
 * \brief Sets everything up on loop from cfg (copied) and powers devices on.
 * \param argc, argv  The command line, kept for SIGHUP (may be 0/NULL: no reload).
 * \param err         Receives the reason on failure.
 * \return 0; BO_EINVAL (configuration), BO_EBUSY (socket in use), BO_EOS, BO_ENOMEM.
 */
int daemon_setup(struct daemon *d, uv_loop_t *loop, const struct config *cfg, int argc, char **argv,
                 char *err, size_t err_len);

/** \brief Starts the graceful shutdown (idempotent); the loop ends when it is done. */
void daemon_stop(struct daemon *d, const char *reason);

/** \brief Frees what is left after the loop ended (flushes and unmaps flash). */
void daemon_free(struct daemon *d);

/** \brief Finds a device by name, or NULL. */
struct device *daemon_device(struct daemon *d, const char *name);

/** \brief Registers the device commands into the control server. \return 0 or an error. */
int daemon_cmds_register(struct daemon *d);

/** \brief Emits an event to the control clients (data taken over) and logs it. */
void daemon_emit(struct daemon *d, const char *event, json_t *data, uint64_t clock_ns);

/** \brief Adds and starts a device from its configuration. \return 0 or an error. */
int daemon_add_device(struct daemon *d, const struct config_device *cfg, char *err, size_t err_len);

#endif /* SIM_DAEMON_H */
