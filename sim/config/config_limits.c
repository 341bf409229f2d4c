/* SPDX-License-Identifier: Apache-2.0 */
/* The descriptors and processes a configuration's devices need, against the process's limits. */
#include "config/config_limits.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

uint32_t config_limits_device_fds(const struct board *board, const struct config_device *dev)
{
    /* The pipe to the firmware run and the pidfd that sees it exit (sim/daemon/device_proc.c). */
    uint32_t n = 2;

    for (uint32_t i = 0; i < board->flash_count; i++) {
        /* The backing file (or memfd) and the weak map; a file also holds its lock. */
        n += dev->flash_in_ram ? 2 : 3;
        if (board->flash[i].geom.semantics == VFLASH_ECC) {
            n += dev->flash_in_ram ? 1 : 2;
        }
    }
    return n;
}

/* Parent pid of /proc/PID (0 if unknown): the field after the parenthesised command name. */
static long config_limits_ppid(const char *pid)
{
    char path[300];
    char buf[512];
    const char *p;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (p == NULL || p[1] == '\0' || p[2] == '\0') {
        return 0;
    }
    /* ") S PPID ...": skip the state. */
    p += 3;
    while (*p == ' ') {
        p++;
    }
    return strtol(p, NULL, 10);
}

/*
 * Processes of the real user now, the daemon's own children left out (a reload counts the
 * running devices among those it needs). \return The count, or 0 if /proc cannot be read.
 */
static uint64_t config_limits_user_procs(void)
{
    DIR *dir = opendir("/proc");
    struct dirent *e;
    uint64_t count = 0;
    uid_t uid = getuid();
    long self = (long)getpid();
    char path[300];
    struct stat st;

    if (dir == NULL) {
        return 0;
    }
    while ((e = readdir(dir)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0])) {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%s", e->d_name);
        if (stat(path, &st) == 0 && st.st_uid == uid && config_limits_ppid(e->d_name) != self) {
            count++;
        }
    }
    closedir(dir);
    return count;
}

/* RLIMIT_NOFILE: raised to the hard limit when that suffices. */
static int config_limits_nofile(uint32_t devices, uint64_t fds, char *err, size_t err_len)
{
    struct rlimit rl;
    uint64_t need = fds + CONFIG_LIMITS_FD_RESERVE;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || need <= rl.rlim_cur) {
        return 0;
    }
    if (rl.rlim_max == RLIM_INFINITY || need <= rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
            return 0;
        }
    }
    snprintf(err, err_len,
             "%" PRIu32 " devices need %" PRIu64 " open files, but RLIMIT_NOFILE is %" PRIu64
             " (hard %" PRIu64 "); raise it: ulimit -n %" PRIu64 " (root raises the hard limit), "
             "prlimit --nofile=%" PRIu64 ", or LimitNOFILE= in a systemd unit",
             devices, need, (uint64_t)rl.rlim_cur, (uint64_t)rl.rlim_max, need, need);
    return EX_UNAVAILABLE;
}

/* RLIMIT_NPROC (counted over all of the user's processes; root is not held to it). */
static int config_limits_nproc(uint32_t devices, char *err, size_t err_len)
{
    struct rlimit rl;
    uint64_t have;
    uint64_t need;

    if (devices == 0 || getrlimit(RLIMIT_NPROC, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        geteuid() == 0) {
        return 0;
    }
    have = config_limits_user_procs();
    need = have + devices + CONFIG_LIMITS_PROC_RESERVE;
    if (need <= rl.rlim_cur) {
        return 0;
    }
    snprintf(err, err_len,
             "%" PRIu32 " devices need %" PRIu32 " firmware processes, and the user runs %" PRIu64
             " already, but RLIMIT_NPROC is %" PRIu64 "; raise it: ulimit -u %" PRIu64
             ", prlimit --nproc=%" PRIu64 ", or LimitNPROC= in a systemd unit",
             devices, devices, have, (uint64_t)rl.rlim_cur, need, need);
    return EX_UNAVAILABLE;
}

/* The kernel's pid_max: a bound for every user. */
static int config_limits_pid_max(uint32_t devices, char *err, size_t err_len)
{
    FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
    unsigned long long pid_max = 0;
    int n;

    if (f == NULL) {
        return 0;
    }
    n = fscanf(f, "%llu", &pid_max);
    fclose(f);
    if (n != 1 || (uint64_t)devices + CONFIG_LIMITS_PROC_RESERVE * 4 <= pid_max) {
        return 0;
    }
    snprintf(err, err_len,
             "%" PRIu32 " devices need as many firmware processes, but kernel.pid_max is %llu; "
             "raise it: sysctl -w kernel.pid_max=%" PRIu64,
             devices, pid_max, (uint64_t)devices + CONFIG_LIMITS_PROC_RESERVE * 4);
    return EX_CONFIG;
}

int config_limits_check(const struct config *cfg, uint64_t fds, char *err, size_t err_len)
{
    int rc = config_limits_nofile(cfg->device_count, fds, err, err_len);

    if (rc == 0) {
        rc = config_limits_nproc(cfg->device_count, err, err_len);
    }
    if (rc == 0) {
        rc = config_limits_pid_max(cfg->device_count, err, err_len);
    }
    return rc;
}
