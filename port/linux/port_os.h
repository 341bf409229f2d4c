/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_os.h
 * \brief The table of OS calls the Linux port makes, overridable by tests for error injection.
 *
 * Every system call of the port's entropy, clock and device code goes through port_os, in the
 * manner of SQLite's os_unix.c: a test replaces one entry (say getrandom with a function that
 * returns ENOSYS) to drive an error path, then calls port_os_reset().
 */
#ifndef PORT_OS_H
#define PORT_OS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct port_os {
    /** getrandom(2): fills buf, returns bytes written or -1 with errno. */
    ssize_t (*getrandom)(void *buf, size_t len, unsigned int flags);
    /** open(2) with an explicit mode argument. */
    int (*open)(const char *path, int flags, mode_t mode);
    /** read(2). */
    ssize_t (*read)(int fd, void *buf, size_t len);
    /** close(2). */
    int (*close)(int fd);
    /** clock_gettime(2). */
    int (*clock_gettime)(clockid_t clk, struct timespec *ts);
};

/** The table in force. Tests may assign entries; nothing else should. */
extern struct port_os port_os;

/** \brief Restores every entry of port_os to the real system call. */
void port_os_reset(void);

#endif /* PORT_OS_H */
