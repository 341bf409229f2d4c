/* SPDX-License-Identifier: Apache-2.0 */
/* Mount housekeeping of the FUSE view: is a FUSE filesystem mounted here, stale-mount cleanup. */
#include "fuse/fuse_view_int.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bo_err.h"
#include "port/port_log.h"

extern char **environ;

/* Most stale mounts stacked on one mountpoint that setup clears. */
#define FUSE_VIEW_MOUNT_MAX_STALE 8

/*
 * The absolute path of path without resolving its last component (resolving it would stat the
 * mount, which hangs or fails on a dead FUSE mount): realpath() of the parent plus the name.
 */
static int fuse_view_mount_canon(const char *path, char *out, size_t out_size)
{
    char tmp[PATH_MAX];
    char parent[PATH_MAX];
    size_t n = strlen(path);
    const char *base;
    int w;

    if (n == 0 || n >= sizeof(tmp)) {
        return BO_EINVAL;
    }
    memcpy(tmp, path, n + 1);
    while (n > 1 && tmp[n - 1] == '/') {
        tmp[--n] = '\0';
    }
    if (strcmp(tmp, "/") == 0) {
        snprintf(out, out_size, "/");
        return 0;
    }
    char *slash = strrchr(tmp, '/');
    if (slash == NULL) {
        base = tmp;
        if (realpath(".", parent) == NULL) {
            return BO_EOS;
        }
    } else {
        *slash = '\0';
        base = slash + 1;
        if (realpath(tmp[0] != '\0' ? tmp : "/", parent) == NULL) {
            return errno == ENOENT ? BO_ENOENT : BO_EOS;
        }
    }
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        /* Not a name: resolving the whole path is the only option. */
        return realpath(path, out) != NULL ? 0 : BO_EOS;
    }
    w = snprintf(out, out_size, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", base);
    return w < 0 || (size_t)w >= out_size ? BO_EINVAL : 0;
}

/* Decodes the octal escapes (\040 for a space...) of a mountinfo field in place. */
static void fuse_view_mount_unescape(char *s)
{
    char *w = s;

    for (char *r = s; *r != '\0'; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

int fuse_view_mounted(const char *path)
{
    char canon[PATH_MAX];
    char *line = NULL;
    size_t cap = 0;
    FILE *f;
    int found = 0;
    int rc;

    if (path == NULL) {
        return BO_EINVAL;
    }
    rc = fuse_view_mount_canon(path, canon, sizeof(canon));
    if (rc < 0) {
        return rc == BO_ENOENT ? 0 : rc;
    }
    f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) {
        return BO_EOS;
    }
    while (!found && getline(&line, &cap, f) > 0) {
        char *save = NULL;
        char *mnt = NULL;
        char *tok = strtok_r(line, " \n", &save);

        /* Fields: id parent major:minor root mountpoint options [optional...] - fstype ... */
        for (int i = 0; tok != NULL; i++, tok = strtok_r(NULL, " \n", &save)) {
            if (i == 4) {
                mnt = tok;
            } else if (i > 4 && strcmp(tok, "-") == 0) {
                char *fstype = strtok_r(NULL, " \n", &save);

                if (mnt != NULL && fstype != NULL && strncmp(fstype, "fuse", 4) == 0) {
                    fuse_view_mount_unescape(mnt);
                    found = strcmp(mnt, canon) == 0;
                }
                break;
            }
        }
    }
    free(line);
    fclose(f);
    return found;
}

int fuse_view_mount_detach(const char *path)
{
    char *argv[] = { "fusermount3", "-u", "-z", "--", (char *)path, NULL };
    pid_t pid;
    int status;

    if (umount2(path, MNT_DETACH) == 0) {
        return 0;
    }
    if (errno != EPERM) {
        return BO_EOS;
    }
    /* Not allowed to unmount ourselves: the setuid helper can, for our own mounts. */
    if (posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ) != 0) {
        return BO_EOS;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return BO_EOS;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : BO_EOS;
}

int fuse_view_mount_prepare(const char *mountpoint, bool keep_stale)
{
    for (int i = 0; i <= FUSE_VIEW_MOUNT_MAX_STALE; i++) {
        struct stat st;
        int rc;

        if (stat(mountpoint, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                port_log(PORT_LOG_ERROR, "fuse", "%s is not a directory", mountpoint);
                return BO_EINVAL;
            }
            rc = fuse_view_mounted(mountpoint);
            if (rc == 1) {
                port_log(PORT_LOG_ERROR, "fuse", "a live FUSE filesystem is mounted on %s",
                         mountpoint);
                return BO_EBUSY;
            }
            return 0;
        }
        if (errno == ENOENT) {
            port_log(PORT_LOG_ERROR, "fuse", "mountpoint %s does not exist", mountpoint);
            return BO_ENOENT;
        }
        if (errno != ENOTCONN && errno != ECONNABORTED) {
            port_log(PORT_LOG_ERROR, "fuse", "cannot stat %s: %s", mountpoint, strerror(errno));
            return BO_EOS;
        }
        if (keep_stale) {
            port_log(PORT_LOG_ERROR, "fuse", "a stale FUSE mount is on %s", mountpoint);
            return BO_EBUSY;
        }
        if (fuse_view_mount_detach(mountpoint) < 0) {
            port_log(PORT_LOG_ERROR, "fuse", "cannot clear the stale FUSE mount on %s: %s",
                     mountpoint, strerror(errno));
            return BO_EBUSY;
        }
        port_log(PORT_LOG_WARN, "fuse", "cleared a stale FUSE mount on %s (lazy unmount)",
                 mountpoint);
    }
    return BO_EBUSY;
}
