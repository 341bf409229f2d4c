/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file daemon_int.h
 * \brief What daemon_cmds.c shares with the command handlers in other files of sim/daemon.
 */
#ifndef SIM_DAEMON_INT_H
#define SIM_DAEMON_INT_H

#include "daemon/daemon.h"

/** \brief Finds the device of a request, or replies DeviceNotFound (or InvalidState when its
 *         flash is lost) and returns NULL. */
struct device *daemon_cmds_dev(struct daemon *d, struct control_request *req, json_t *args);

/** \brief Replies to a bo_err failure with the closest error class. */
void daemon_cmds_fail(struct control_request *req, int rc, const char *what);

/** \brief Parses the "slot" of a request: its area id, or replies and returns BO_ENOENT. */
int daemon_cmds_slot(struct control_request *req, struct device *dev, json_t *args,
                     struct device_flash **fl, uint32_t *off, uint32_t *size);

/**
 * \brief The image-load command: the file is opened and read on the libuv thread pool (never
 *        on the loop: it may be a file of the daemon's own FUSE view), refused unless it is a
 *        regular, non-empty file that fits the slot, and only then written into the slot.
 */
void daemon_cmd_image_load(struct control_request *req, json_t *args, void *ctx);

/** \brief Registers the fault-inject command (daemon_fault.c). \return 0 or an error. */
int daemon_fault_register(struct daemon *d);

/** \brief Registers image-pending and image-confirm (daemon_mark.c). \return 0 or an error. */
int daemon_mark_register(struct daemon *d);

/** \brief The argument schema of fault-inject (for tests of its refusals). */
const struct control_arg *daemon_fault_schema(void);

#endif /* SIM_DAEMON_INT_H */
