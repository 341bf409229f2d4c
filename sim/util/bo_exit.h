/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file bo_exit.h
 * \brief The one exit-status table of every brownout program (brownout and its subcommands,
 *        brownoutd, brownout-fw, the image tool), after sysexits(3).
 *
 * | status | name              | meaning                                                      |
 * |--------|-------------------|--------------------------------------------------------------|
 * | 0      | BO_EXIT_OK        | done (for a verdict: it passed)                              |
 * | 1      | BO_EXIT_FAILED    | a verdict "failed" (sweep FAIL, verify: invalid image, the   |
 * |        |                   | daemon answered a request with an error)                     |
 * | 64     | BO_EXIT_USAGE     | a usage error: unknown option, bad value, missing argument  |
 * | 65     | BO_EXIT_DATA      | input data is malformed (not an image, a bad key, ...)       |
 * | 66     | BO_EXIT_NOINPUT   | an input file does not exist or cannot be read               |
 * | 69     | BO_EXIT_UNAVAIL   | a service is unavailable (brownoutd cannot be reached)       |
 * | 70     | BO_EXIT_SOFTWARE  | an internal error                                            |
 * | 71     | BO_EXIT_OSERR     | the system refused (fork, memory)                            |
 * | 73     | BO_EXIT_CANTCREAT | an output file cannot be created (or exists: use --force)    |
 * | 74     | BO_EXIT_IOERR     | an I/O error on a file being read or written                 |
 * | 75     | BO_EXIT_TEMPFAIL  | a temporary failure: a timeout, try again                    |
 * | 76     | BO_EXIT_PROTOCOL  | the peer broke the protocol (brownoutd sent garbage)         |
 * | 77     | BO_EXIT_NOPERM    | permission denied                                            |
 * | 78     | BO_EXIT_CONFIG    | a configuration file is wrong (brownoutd: FILE:LINE: reason) |
 *
 * README.md ("Exit status") and the man pages (man/) document the same table; a test
 * (tests/scripts/test_cli_conventions.sh) checks that every program follows it.
 */
#ifndef SIM_UTIL_BO_EXIT_H
#define SIM_UTIL_BO_EXIT_H

#include <sysexits.h>

#define BO_EXIT_OK 0
#define BO_EXIT_FAILED 1
#define BO_EXIT_USAGE EX_USAGE
#define BO_EXIT_DATA EX_DATAERR
#define BO_EXIT_NOINPUT EX_NOINPUT
#define BO_EXIT_UNAVAIL EX_UNAVAILABLE
#define BO_EXIT_SOFTWARE EX_SOFTWARE
#define BO_EXIT_OSERR EX_OSERR
#define BO_EXIT_CANTCREAT EX_CANTCREAT
#define BO_EXIT_IOERR EX_IOERR
#define BO_EXIT_TEMPFAIL EX_TEMPFAIL
#define BO_EXIT_PROTOCOL EX_PROTOCOL
#define BO_EXIT_NOPERM EX_NOPERM
#define BO_EXIT_CONFIG EX_CONFIG

#ifndef BROWNOUT_VERSION
#define BROWNOUT_VERSION "0.1.0"
#endif

#endif /* SIM_UTIL_BO_EXIT_H */
