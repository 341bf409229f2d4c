/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file client_fault.h
 * \brief `brownout fault-inject DEV ...`: brownoutd's fault-inject command from the command line
 *        (`brownout fault-inject --help`, docs/protocol.md).
 */
#ifndef SIM_CLIENT_FAULT_H
#define SIM_CLIENT_FAULT_H

/**
 * \brief Runs `fault-inject` with argv[0] "fault-inject".
 * \return The process exit status.
 */
int client_fault_main(int argc, char **argv);

#endif /* SIM_CLIENT_FAULT_H */
