/* SPDX-License-Identifier: Apache-2.0 */
/* The FUSE view: session lifecycle on a libuv loop, the device table and inode numbering. */
#include "fuse/fuse_view_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bo_err.h"
#include "port/port_log.h"
#include "util/grow.h"

/* Requests handled per poll wake-up before the loop gets a turn again. */
#define FUSE_VIEW_BATCH 64

void fuse_view_init(struct fuse_view *view)
{
    memset(view, 0, sizeof(*view));
    view->next_serial = 1;
}

/* Stops serving: closes the poll handle (it frees itself in its close callback). */
static void fuse_view_poll_close_cb(uv_handle_t *handle)
{
    free(handle);
}

static void fuse_view_stop_poll(struct fuse_view *view)
{
    if (view->poll != NULL) {
        /* uv_close() takes the fd out of the loop's epoll set now, before the fd is closed. */
        view->poll->data = NULL;
        uv_close((uv_handle_t *)view->poll, fuse_view_poll_close_cb);
        view->poll = NULL;
    }
}

static void fuse_view_poll_cb(uv_poll_t *poll, int status, int events)
{
    struct fuse_view *view = poll->data;

    (void)events;
    if (view == NULL) {
        return;
    }
    if (status < 0) {
        port_log(PORT_LOG_ERROR, "fuse", "polling %s failed: %s", view->mountpoint,
                 uv_strerror(status));
        fuse_view_stop_poll(view);
        return;
    }
    for (int i = 0; i < FUSE_VIEW_BATCH; i++) {
        struct fuse_buf buf;

        memset(&buf, 0, sizeof(buf));
        buf.mem = view->buf_mem;
        int rc = fuse_session_receive_buf(view->se, &buf);
        view->buf_mem = buf.mem;
        if (rc == -EINTR) {
            continue;
        }
        if (rc == -EAGAIN) {
            break;
        }
        if (rc <= 0) {
            if (rc < 0) {
                port_log(PORT_LOG_ERROR, "fuse", "reading the FUSE device of %s: %s",
                         view->mountpoint, strerror(-rc));
            }
            break;
        }
        fuse_session_process_buf(view->se, &buf);
        view->stats.requests++;
        if (view->poll == NULL) {
            return;
        }
    }
    if (fuse_session_exited(view->se)) {
        port_log(PORT_LOG_WARN, "fuse", "%s was unmounted from outside; no longer serving it",
                 view->mountpoint);
        fuse_view_stop_poll(view);
    }
}

/*
 * Whether /dev/fuse can be opened at all (it cannot in many containers). Silent: the caller
 * says once that it runs without FUSE.
 */
static int fuse_view_probe_device(void)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return BO_ENOTSUP;
    }
    close(fd);
    return 0;
}

/* Creates the FUSE session and mounts it at the view's mountpoint. \return 0 or BO_EOS. */
static int fuse_view_session_mount(struct fuse_view *view)
{
    char optstr[128];
    char *argv[4];
    struct fuse_args args;

    snprintf(optstr, sizeof(optstr), "default_permissions,fsname=brownout,subtype=brownout%s",
             view->opts.allow_other ? ",allow_other" : "");
    argv[0] = "brownout";
    argv[1] = "-o";
    argv[2] = optstr;
    argv[3] = NULL;
    args.argc = 3;
    args.argv = argv;
    args.allocated = 0;
    view->se = fuse_session_new(&args, &fuse_view_ops, sizeof(fuse_view_ops), view);
    fuse_opt_free_args(&args);
    if (view->se == NULL) {
        port_log(PORT_LOG_ERROR, "fuse", "cannot create a FUSE session");
        return BO_EOS;
    }
    if (fuse_session_mount(view->se, view->mountpoint) != 0) {
        port_log(PORT_LOG_ERROR, "fuse", "cannot mount %s", view->mountpoint);
        fuse_session_destroy(view->se);
        view->se = NULL;
        return BO_EOS;
    }
    return 0;
}

/* Drives the session from loop: a non-blocking, close-on-exec fd under a uv_poll. */
static int fuse_view_poll_start(struct fuse_view *view, uv_loop_t *loop)
{
    int fd = fuse_session_fd(view->se);
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        return BO_EOS;
    }
    view->poll = malloc(sizeof(*view->poll));
    if (view->poll == NULL) {
        return BO_ENOMEM;
    }
    if (uv_poll_init(loop, view->poll, fd) < 0) {
        free(view->poll);
        view->poll = NULL;
        return BO_EOS;
    }
    view->poll->data = view;
    view->loop = loop;
    if (uv_poll_start(view->poll, UV_READABLE, fuse_view_poll_cb) < 0) {
        return BO_EOS;
    }
    return 0;
}

int fuse_view_setup(struct fuse_view *view, uv_loop_t *loop, const char *mountpoint,
                    const struct fuse_view_options *opts)
{
    int rc;

    if (view == NULL || loop == NULL || mountpoint == NULL || mountpoint[0] == '\0') {
        return BO_EINVAL;
    }
    if (view->se != NULL) {
        return BO_ESTATE;
    }
    memset(&view->opts, 0, sizeof(view->opts));
    if (opts != NULL) {
        view->opts = *opts;
    }
    rc = fuse_view_probe_device();
    if (rc < 0) {
        goto out;
    }
    rc = fuse_view_mount_prepare(mountpoint, view->opts.keep_stale);
    if (rc < 0) {
        goto out;
    }
    view->mountpoint = strdup(mountpoint);
    if (view->mountpoint == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    rc = fuse_view_session_mount(view);
    if (rc < 0) {
        goto out;
    }
    rc = fuse_view_poll_start(view, loop);
    if (rc < 0) {
        goto out;
    }
    view->uid = (unsigned)getuid();
    view->gid = (unsigned)getgid();
    view->mount_time = (int64_t)time(NULL);
    port_log(PORT_LOG_INFO, "fuse", "mounted %s (writes: %s)", mountpoint,
             fuse_view_write_mode_name(view->opts.write_mode));
out:
    if (rc < 0) {
        fuse_view_free(view);
    }
    return rc;
}

void fuse_view_free(struct fuse_view *view)
{
    if (view == NULL) {
        return;
    }
    fuse_view_stop_poll(view);
    if (view->se != NULL) {
        /* Lazy unmount as root (libfuse's default): never waits for users of the mount. */
        fuse_session_unmount(view->se);
        fuse_session_destroy(view->se);
        view->se = NULL;
        port_log(PORT_LOG_INFO, "fuse", "unmounted %s", view->mountpoint);
    }
    while (view->handles != NULL) {
        struct fuse_view_handle *h = view->handles;

        view->handles = h->next;
        free(h->text);
        free(h);
    }
    for (uint32_t i = 0; i < view->dev_count; i++) {
        free(view->devs[i]);
    }
    free(view->devs);
    free(view->buf_mem);
    free(view->mountpoint);
    fuse_view_init(view);
}

bool fuse_view_valid_name(const char *name, size_t max_len)
{
    size_t n;

    if (name == NULL) {
        return false;
    }
    n = strnlen(name, max_len + 1);
    if (n == 0 || n > max_len || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Checks the files of one directory of a description. */
static int fuse_view_check_files(const struct fuse_view_file *files, uint32_t count, uint32_t max)
{
    if (count > max) {
        return BO_EINVAL;
    }
    for (uint32_t i = 0; i < count; i++) {
        const struct fuse_view_file *f = &files[i];

        /* Room for ".bin" in FUSE_VIEW_NAME_MAX with the terminator. */
        if (!fuse_view_valid_name(f->name, FUSE_VIEW_NAME_MAX - 5) || f->dev == NULL ||
            f->dev->mem == NULL || f->off > f->dev->size || f->size > f->dev->size - f->off) {
            return BO_EINVAL;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(files[j].name, f->name) == 0) {
                return BO_EINVAL;
            }
        }
    }
    return 0;
}

/* Makes room for one more device in view->devs. */
static int fuse_view_grow(struct fuse_view *view)
{
    void *arr = view->devs;
    int rc = grow_one(&arr, &view->dev_cap, view->dev_count, sizeof(*view->devs), 16);

    view->devs = arr;
    return rc;
}

int fuse_view_add_device(struct fuse_view *view, const struct fuse_view_device *desc)
{
    struct fuse_view_dev *d;
    int rc;

    if (view == NULL || desc == NULL || !fuse_view_valid_name(desc->name, FUSE_VIEW_NAME_MAX - 1)) {
        return BO_EINVAL;
    }
    rc = fuse_view_check_files(desc->flash, desc->flash_count, FUSE_VIEW_MAX_FLASH);
    if (rc == 0) {
        rc = fuse_view_check_files(desc->slots, desc->slot_count, FUSE_VIEW_MAX_SLOTS);
    }
    if (rc < 0) {
        return rc;
    }
    if (fuse_view_dev_by_name(view, desc->name) != NULL) {
        return BO_EEXIST;
    }
    rc = fuse_view_grow(view);
    if (rc < 0) {
        return rc;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return BO_ENOMEM;
    }
    d->desc = *desc;
    d->serial = view->next_serial++;
    d->mtime = (int64_t)time(NULL);
    view->devs[view->dev_count++] = d;
    return 0;
}

int fuse_view_remove_device(struct fuse_view *view, const char *name)
{
    if (view == NULL || name == NULL) {
        return BO_EINVAL;
    }
    for (uint32_t i = 0; i < view->dev_count; i++) {
        if (strcmp(view->devs[i]->desc.name, name) == 0) {
            free(view->devs[i]);
            memmove(&view->devs[i], &view->devs[i + 1],
                    (view->dev_count - i - 1) * sizeof(view->devs[0]));
            view->dev_count--;
            view->devs[view->dev_count] = NULL;
            return 0;
        }
    }
    return BO_ENOENT;
}

void fuse_view_set_write_mode(struct fuse_view *view, enum fuse_view_write_mode mode)
{
    if (view != NULL && (mode == FUSE_VIEW_WRITE_PROGRAMMER || mode == FUSE_VIEW_WRITE_NOR)) {
        view->opts.write_mode = mode;
    }
}

int fuse_view_parse_write_mode(const char *s, enum fuse_view_write_mode *mode)
{
    if (s == NULL || mode == NULL) {
        return BO_EINVAL;
    }
    if (strcmp(s, "programmer") == 0) {
        *mode = FUSE_VIEW_WRITE_PROGRAMMER;
    } else if (strcmp(s, "nor") == 0) {
        *mode = FUSE_VIEW_WRITE_NOR;
    } else {
        return BO_EINVAL;
    }
    return 0;
}

const char *fuse_view_write_mode_name(enum fuse_view_write_mode mode)
{
    return mode == FUSE_VIEW_WRITE_NOR ? "nor" : "programmer";
}

/* The slot file name of a flash area id: the board's partition name without "image-". */
static const char *fuse_view_slot_name(int id)
{
    const char *name = board_partition_name(id);

    if (name != NULL && strncmp(name, "image-", 6) == 0) {
        name += 6;
    }
    return name;
}

int fuse_view_device_from_map(struct fuse_view_device *desc, const char *name,
                              const struct board *board, struct port_flash_map *map)
{
    if (desc == NULL || name == NULL || board == NULL || map == NULL) {
        return BO_EINVAL;
    }
    memset(desc, 0, sizeof(*desc));
    if (!fuse_view_valid_name(name, FUSE_VIEW_NAME_MAX - 1) ||
        map->device_count != board->flash_count || board->flash_count > FUSE_VIEW_MAX_FLASH) {
        return BO_EINVAL;
    }
    strcpy(desc->name, name);
    for (uint32_t i = 0; i < board->flash_count; i++) {
        struct fuse_view_file *f = &desc->flash[desc->flash_count++];
        struct vflash *dev = map->devices[i];

        if (dev == NULL || strlen(board->flash[i].name) > FUSE_VIEW_NAME_MAX - 5) {
            return BO_EINVAL;
        }
        strcpy(f->name, board->flash[i].name);
        f->dev = dev;
        f->off = 0;
        f->size = dev->size;
    }
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        const struct flash_area *fa = &map->areas[id];
        const char *slot = fuse_view_slot_name(id);
        struct fuse_view_file *f;

        if (!map->present[id] || slot == NULL) {
            continue;
        }
        if (fa->fa_device_id >= map->device_count || desc->slot_count >= FUSE_VIEW_MAX_SLOTS) {
            return BO_EINVAL;
        }
        f = &desc->slots[desc->slot_count++];
        strcpy(f->name, slot);
        f->dev = map->devices[fa->fa_device_id];
        f->off = fa->fa_off;
        f->size = fa->fa_size;
    }
    return 0;
}

struct fuse_view_dev *fuse_view_dev_by_serial(struct fuse_view *view, uint64_t serial)
{
    for (uint32_t i = 0; i < view->dev_count; i++) {
        if (view->devs[i]->serial == serial) {
            return view->devs[i];
        }
    }
    return NULL;
}

struct fuse_view_dev *fuse_view_dev_by_name(struct fuse_view *view, const char *name)
{
    for (uint32_t i = 0; i < view->dev_count; i++) {
        if (strcmp(view->devs[i]->desc.name, name) == 0) {
            return view->devs[i];
        }
    }
    return NULL;
}

uint64_t fuse_view_ino(const struct fuse_view_dev *dev, unsigned kind, uint32_t index)
{
    return (dev->serial << FUSE_VIEW_INO_SHIFT) | (uint64_t)(kind + index);
}

int fuse_view_resolve(struct fuse_view *view, uint64_t ino, struct fuse_view_target *t)
{
    unsigned low = (unsigned)(ino & ((1u << FUSE_VIEW_INO_SHIFT) - 1u));

    memset(t, 0, sizeof(*t));
    if (ino == FUSE_ROOT_ID) {
        return 0;
    }
    t->dev = fuse_view_dev_by_serial(view, ino >> FUSE_VIEW_INO_SHIFT);
    if (t->dev == NULL) {
        return -ENOENT;
    }
    if (low <= FUSE_VIEW_K_STATUS) {
        t->kind = low;
        return 0;
    }
    if (low >= FUSE_VIEW_K_SLOT && low - FUSE_VIEW_K_SLOT < t->dev->desc.slot_count) {
        t->kind = FUSE_VIEW_K_SLOT;
        t->index = low - FUSE_VIEW_K_SLOT;
        t->file = &t->dev->desc.slots[t->index];
        return 0;
    }
    if (low >= FUSE_VIEW_K_FLASH && low < FUSE_VIEW_K_SLOT &&
        low - FUSE_VIEW_K_FLASH < t->dev->desc.flash_count) {
        t->kind = FUSE_VIEW_K_FLASH;
        t->index = low - FUSE_VIEW_K_FLASH;
        t->file = &t->dev->desc.flash[t->index];
        return 0;
    }
    return -ENOENT;
}
