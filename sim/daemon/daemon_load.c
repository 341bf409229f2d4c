/* SPDX-License-Identifier: Apache-2.0 */
/* The image-load command: the user's file is read off the loop, then written into the slot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "daemon/daemon_int.h"

/* One image-load between its request and the write into flash. */
struct daemon_load {
    uv_work_t work;
    struct daemon *d;
    struct control_request *req;
    struct device *dev;
    int id;
    uint32_t size; /* Bytes the slot holds. */
    char *path;
    uint8_t *data;
    size_t len;
    bool failed;
    char err[512];
};

/* Reads exactly want bytes and checks that the file ends there. \return 0 or -1 (errno). */
static int daemon_load_read(int fd, uint8_t *buf, size_t want, size_t *got)
{
    size_t n = 0;

    while (n < want + 1) {
        ssize_t r = read(fd, buf + n, want + 1 - n);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    *got = n;
    return 0;
}

/* Runs on the thread pool: opens without blocking, refuses what is not a regular file. */
static void daemon_load_work(uv_work_t *w)
{
    struct daemon_load *l = w->data;
    struct stat st;
    size_t got = 0;
    int fd = open(l->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    l->failed = true;
    if (fd < 0) {
        snprintf(l->err, sizeof(l->err), "%s: %s", l->path, strerror(errno));
        return;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(l->err, sizeof(l->err), "%s: %s", l->path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(l->err, sizeof(l->err), "%s: not a regular file", l->path);
    } else if (st.st_size == 0) {
        snprintf(l->err, sizeof(l->err), "%s: empty file", l->path);
    } else if ((uint64_t)st.st_size > l->size) {
        snprintf(l->err, sizeof(l->err), "%s: %lld bytes do not fit the slot (0x%x bytes)", l->path,
                 (long long)st.st_size, (unsigned)l->size);
    } else if ((l->data = malloc((size_t)st.st_size + 1)) == NULL) {
        snprintf(l->err, sizeof(l->err), "%s: out of memory", l->path);
    } else if (daemon_load_read(fd, l->data, (size_t)st.st_size, &got) < 0) {
        snprintf(l->err, sizeof(l->err), "%s: %s", l->path, strerror(errno));
    } else if (got != (size_t)st.st_size) {
        snprintf(l->err, sizeof(l->err), "%s: its size changed while it was read", l->path);
    } else {
        l->len = got;
        l->failed = false;
    }
    close(fd);
}

/* Back on the loop: writes the image, replies, frees. */
static void daemon_load_done(uv_work_t *w, int status)
{
    struct daemon_load *l = w->data;
    int rc;

    if (status != 0 || l->d->stopping) {
        control_reply_error(l->req, CONTROL_ERR_INVALID_STATE, "the daemon is stopping");
    } else if (l->failed) {
        control_reply_error(l->req, CONTROL_ERR_INVALID_ARGUMENT, "%s", l->err);
    } else if (device_flash_lost(l->dev)) {
        control_reply_error(l->req, CONTROL_ERR_INVALID_STATE, "device %s: its flash is lost",
                            l->dev->cfg.name);
    } else {
        rc = device_image_load(l->dev, l->id, l->data, l->len);
        if (rc < 0) {
            daemon_cmds_fail(l->req, rc, "image-load");
        } else {
            control_reply(l->req, json_pack("{s:s, s:I}", "slot", config_slot_name(l->id), "bytes",
                                            (json_int_t)l->len));
        }
    }
    free(l->data);
    free(l->path);
    free(l);
}

void daemon_cmd_image_load(struct control_request *req, json_t *args, void *ctx)
{
    struct daemon *d = ctx;
    struct device *dev = daemon_cmds_dev(d, req, args);
    const char *path = json_string_value(json_object_get(args, "path"));
    struct device_flash *fl;
    struct daemon_load *l;
    uint32_t off;
    uint32_t size;
    int id;

    if (dev == NULL || (id = daemon_cmds_slot(req, dev, args, &fl, &off, &size)) < 0) {
        return;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL || (l->path = strdup(path)) == NULL) {
        free(l);
        daemon_cmds_fail(req, BO_ENOMEM, "image-load");
        return;
    }
    l->d = d;
    l->req = req;
    l->dev = dev;
    l->id = id;
    l->size = size;
    l->work.data = l;
    if (uv_queue_work(d->loop, &l->work, daemon_load_work, daemon_load_done) != 0) {
        free(l->path);
        free(l);
        daemon_cmds_fail(req, BO_EOS, "image-load");
    }
}
