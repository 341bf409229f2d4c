/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_device.h
 * \brief `brownout sweep --config daemon.ini --device NAME`: sweeps a device of brownoutd's
 *        configuration as the daemon would run it: its board, mode, max-sectors, trusted keys,
 *        policies (downgrade prevention, primary validation) and the images its [device]
 *        section preloads (primary: the old image, secondary: the new one). Options given on
 *        the command line win over the file.
 */
#ifndef SIM_SWEEP_DEVICE_H
#define SIM_SWEEP_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/daemon_config.h"
#include "sweep/scenario.h"

/** Which scenario options the command line gave (the file does not override them). */
struct sweep_device_given {
    bool board;
    bool mode;
    bool downgrade;
};

/**
 * \brief Loads file into cfg (which must outlive so: so points into it) and applies device
 *        name (NULL: the file's only device) to so.
 * \param err  Receives one line: "FILE:LINE: reason" when there is a line, else "FILE: reason".
 * \return 0 or BO_EINVAL, BO_EOS, BO_ENOMEM.
 */
int sweep_device_apply(struct config *cfg, const char *file, const char *name,
                       const struct sweep_device_given *given, struct scenario_opts *so, char *err,
                       size_t err_len);

#endif /* SIM_SWEEP_DEVICE_H */
