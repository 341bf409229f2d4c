/* SPDX-License-Identifier: Apache-2.0 */
/* The FUSE view's low-level operations: the tree, attributes, reads and host writes. */
#include "fuse/fuse_view_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "bo_err.h"
#include "port/port_log.h"
#include "vflash/vflash_fault.h"

/* One directory entry while listing. */
struct fuse_view_ops_dirent {
    char name[FUSE_VIEW_NAME_MAX + 8];
    uint64_t ino;
    mode_t mode;
};

static struct fuse_view *fuse_view_ops_view(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

static void fuse_view_ops_err(fuse_req_t req, int err)
{
    fuse_view_ops_view(req)->stats.errors++;
    fuse_reply_err(req, err);
}

/* Renders a device's status.json into a malloc()ed text. */
static int fuse_view_ops_render(struct fuse_view_dev *dev, char **text, size_t *len)
{
    char *out = NULL;
    int rc;

    if (dev->desc.status != NULL) {
        rc = dev->desc.status(dev->desc.cb_arg, &out);
        if (rc < 0 || out == NULL) {
            free(out);
            return rc < 0 ? rc : BO_EIO;
        }
    } else {
        size_t n = strlen(dev->desc.name) + 32;

        out = malloc(n);
        if (out == NULL) {
            return BO_ENOMEM;
        }
        snprintf(out, n, "{\"device\": \"%s\"}\n", dev->desc.name);
    }
    *text = out;
    *len = strlen(out);
    return 0;
}

/* Fills the attributes of a resolved node. */
static int fuse_view_ops_stat(struct fuse_view *view, uint64_t ino,
                              const struct fuse_view_target *t, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = (ino_t)ino;
    st->st_uid = (uid_t)view->uid;
    st->st_gid = (gid_t)view->gid;
    st->st_blksize = 4096;
    st->st_mtime = st->st_ctime = st->st_atime = (time_t)view->mount_time;
    if (t->dev == NULL) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2 + view->dev_count;
        return 0;
    }
    st->st_mtime = st->st_ctime = (time_t)t->dev->mtime;
    switch (t->kind) {
    case FUSE_VIEW_K_DIR:
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 4;
        return 0;
    case FUSE_VIEW_K_FLASHDIR:
    case FUSE_VIEW_K_SLOTDIR:
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    case FUSE_VIEW_K_STATUS: {
        char *text = NULL;
        size_t len = 0;

        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_mtime = st->st_ctime = time(NULL);
        if (fuse_view_ops_render(t->dev, &text, &len) == 0) {
            st->st_size = (off_t)len;
        }
        free(text);
        return 0;
    }
    default:
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = (off_t)t->file->size;
        st->st_blocks = (blkcnt_t)((t->file->size + 511u) / 512u);
        return 0;
    }
}

static void fuse_view_ops_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    /* O_TRUNC comes with open and truncates nothing: cp onto a flash file works. */
    if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) {
        conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
    }
    conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE |
                              FUSE_CAP_WRITEBACK_CACHE);
}

static void fuse_view_ops_reply_entry(fuse_req_t req, struct fuse_view *view, uint64_t ino)
{
    struct fuse_entry_param e;
    struct fuse_view_target t;

    memset(&e, 0, sizeof(e));
    if (fuse_view_resolve(view, ino, &t) < 0) {
        fuse_view_ops_err(req, ENOENT);
        return;
    }
    e.ino = ino;
    e.generation = 1;
    e.attr_timeout = 0.0;
    e.entry_timeout = 0.0;
    fuse_view_ops_stat(view, ino, &t, &e.attr);
    fuse_reply_entry(req, &e);
}

/* Finds name among files, comparing with the ".bin" suffix. */
static int fuse_view_ops_find_file(const struct fuse_view_file *files, uint32_t count,
                                   const char *name)
{
    size_t n = strlen(name);

    if (n < 5 || strcmp(name + n - 4, ".bin") != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (strlen(files[i].name) == n - 4 && memcmp(files[i].name, name, n - 4) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void fuse_view_ops_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_target t;
    int i;

    if (fuse_view_resolve(view, parent, &t) < 0) {
        fuse_view_ops_err(req, ENOENT);
        return;
    }
    if (t.dev == NULL) {
        struct fuse_view_dev *d = fuse_view_dev_by_name(view, name);

        if (d == NULL) {
            fuse_view_ops_err(req, ENOENT);
            return;
        }
        fuse_view_ops_reply_entry(req, view, fuse_view_ino(d, FUSE_VIEW_K_DIR, 0));
        return;
    }
    switch (t.kind) {
    case FUSE_VIEW_K_DIR:
        if (strcmp(name, "flash") == 0) {
            fuse_view_ops_reply_entry(req, view, fuse_view_ino(t.dev, FUSE_VIEW_K_FLASHDIR, 0));
        } else if (strcmp(name, "slots") == 0) {
            fuse_view_ops_reply_entry(req, view, fuse_view_ino(t.dev, FUSE_VIEW_K_SLOTDIR, 0));
        } else if (strcmp(name, "status.json") == 0) {
            fuse_view_ops_reply_entry(req, view, fuse_view_ino(t.dev, FUSE_VIEW_K_STATUS, 0));
        } else {
            fuse_view_ops_err(req, ENOENT);
        }
        return;
    case FUSE_VIEW_K_FLASHDIR:
        i = fuse_view_ops_find_file(t.dev->desc.flash, t.dev->desc.flash_count, name);
        if (i < 0) {
            fuse_view_ops_err(req, ENOENT);
            return;
        }
        fuse_view_ops_reply_entry(req, view, fuse_view_ino(t.dev, FUSE_VIEW_K_FLASH, (uint32_t)i));
        return;
    case FUSE_VIEW_K_SLOTDIR:
        i = fuse_view_ops_find_file(t.dev->desc.slots, t.dev->desc.slot_count, name);
        if (i < 0) {
            fuse_view_ops_err(req, ENOENT);
            return;
        }
        fuse_view_ops_reply_entry(req, view, fuse_view_ino(t.dev, FUSE_VIEW_K_SLOT, (uint32_t)i));
        return;
    default:
        fuse_view_ops_err(req, ENOTDIR);
        return;
    }
}

static void fuse_view_ops_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_target t;
    struct stat st;

    (void)fi;
    if (fuse_view_resolve(view, ino, &t) < 0) {
        fuse_view_ops_err(req, ENOENT);
        return;
    }
    fuse_view_ops_stat(view, ino, &t, &st);
    fuse_reply_attr(req, &st, 0.0);
}

static void fuse_view_ops_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                                  struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_target t;
    struct stat st;

    (void)fi;
    if (fuse_view_resolve(view, ino, &t) < 0) {
        fuse_view_ops_err(req, ENOENT);
        return;
    }
    fuse_view_ops_stat(view, ino, &t, &st);
    if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
        fuse_view_ops_err(req, EPERM);
        return;
    }
    /* Flash cannot shrink or grow: only a "truncation" to the current size is accepted. */
    if ((to_set & FUSE_SET_ATTR_SIZE) && (t.file == NULL || attr->st_size != st.st_size)) {
        fuse_view_ops_err(req, EPERM);
        return;
    }
    /* Time changes (touch, cp -p) are accepted and have no effect. */
    fuse_reply_attr(req, &st, 0.0);
}

/* Adds the entries of a directory from index off on; returns the bytes used. */
static size_t fuse_view_ops_fill(fuse_req_t req, char *buf, size_t size, off_t off,
                                 const struct fuse_view_ops_dirent *ents, size_t count)
{
    size_t used = 0;

    for (size_t i = (size_t)off; i < count; i++) {
        struct stat st;
        size_t n;

        memset(&st, 0, sizeof(st));
        st.st_ino = (ino_t)ents[i].ino;
        st.st_mode = ents[i].mode;
        n = fuse_add_direntry(req, buf + used, size - used, ents[i].name, &st, (off_t)(i + 1));
        if (n > size - used) {
            break;
        }
        used += n;
    }
    return used;
}

static void fuse_view_ops_add_ent(struct fuse_view_ops_dirent *ents, size_t *count,
                                  const char *name, const char *suffix, uint64_t ino, mode_t mode)
{
    struct fuse_view_ops_dirent *e = &ents[(*count)++];
    size_t n = strnlen(name, FUSE_VIEW_NAME_MAX - 1);
    size_t m = strlen(suffix);

    /* Names were checked when the device was added; the bounds only keep the copy safe. */
    memcpy(e->name, name, n);
    memcpy(e->name + n, suffix, m);
    e->name[n + m] = '\0';
    e->ino = ino;
    e->mode = mode;
}

static void fuse_view_ops_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                                  struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_ops_dirent *ents = NULL;
    struct fuse_view_target t;
    size_t count = 0;
    char *buf = NULL;
    int err = 0;

    (void)fi;
    if (fuse_view_resolve(view, ino, &t) < 0) {
        err = ENOENT;
        goto out;
    }
    if (t.dev != NULL && t.kind != FUSE_VIEW_K_DIR && t.kind != FUSE_VIEW_K_FLASHDIR &&
        t.kind != FUSE_VIEW_K_SLOTDIR) {
        err = ENOTDIR;
        goto out;
    }
    ents = calloc((size_t)view->dev_count + FUSE_VIEW_MAX_SLOTS + 4, sizeof(*ents));
    buf = malloc(size > 0 ? size : 1);
    if (ents == NULL || buf == NULL) {
        err = ENOMEM;
        goto out;
    }
    fuse_view_ops_add_ent(ents, &count, ".", "", ino, S_IFDIR);
    fuse_view_ops_add_ent(ents, &count, "..", "", FUSE_ROOT_ID, S_IFDIR);
    if (t.dev == NULL) {
        for (uint32_t i = 0; i < view->dev_count; i++) {
            struct fuse_view_dev *d = view->devs[i];

            fuse_view_ops_add_ent(ents, &count, d->desc.name, "",
                                  fuse_view_ino(d, FUSE_VIEW_K_DIR, 0), S_IFDIR);
        }
    } else if (t.kind == FUSE_VIEW_K_DIR) {
        ents[1].ino = FUSE_ROOT_ID;
        fuse_view_ops_add_ent(ents, &count, "flash", "",
                              fuse_view_ino(t.dev, FUSE_VIEW_K_FLASHDIR, 0), S_IFDIR);
        fuse_view_ops_add_ent(ents, &count, "slots", "",
                              fuse_view_ino(t.dev, FUSE_VIEW_K_SLOTDIR, 0), S_IFDIR);
        fuse_view_ops_add_ent(ents, &count, "status.json", "",
                              fuse_view_ino(t.dev, FUSE_VIEW_K_STATUS, 0), S_IFREG);
    } else {
        bool slots = t.kind == FUSE_VIEW_K_SLOTDIR;
        const struct fuse_view_file *files = slots ? t.dev->desc.slots : t.dev->desc.flash;
        uint32_t n = slots ? t.dev->desc.slot_count : t.dev->desc.flash_count;

        ents[1].ino = fuse_view_ino(t.dev, FUSE_VIEW_K_DIR, 0);
        for (uint32_t i = 0; i < n; i++) {
            fuse_view_ops_add_ent(
                ents, &count, files[i].name, ".bin",
                fuse_view_ino(t.dev, slots ? FUSE_VIEW_K_SLOT : FUSE_VIEW_K_FLASH, i), S_IFREG);
        }
    }
    if (off < 0) {
        off = 0;
    }
    fuse_reply_buf(req, buf, fuse_view_ops_fill(req, buf, size, off, ents, count));
out:
    if (err != 0) {
        fuse_view_ops_err(req, err);
    }
    free(ents);
    free(buf);
}

static void fuse_view_ops_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_handle *h = NULL;
    struct fuse_view_target t;
    int err = 0;

    if (fuse_view_resolve(view, ino, &t) < 0) {
        err = ENOENT;
        goto out;
    }
    if (t.dev == NULL || t.kind <= FUSE_VIEW_K_SLOTDIR) {
        err = EISDIR;
        goto out;
    }
    if (t.kind == FUSE_VIEW_K_STATUS && (fi->flags & O_ACCMODE) != O_RDONLY) {
        err = EACCES;
        goto out;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        err = ENOMEM;
        goto out;
    }
    h->ino = ino;
    if (t.kind == FUSE_VIEW_K_STATUS) {
        int rc = fuse_view_ops_render(t.dev, &h->text, &h->text_len);

        if (rc < 0) {
            err = rc == BO_ENOMEM ? ENOMEM : EIO;
            goto out;
        }
    }
    /* O_TRUNC is ignored: flash keeps its size, and the write that follows programs it. */
    fi->direct_io = 1;
    fi->keep_cache = 0;
    fi->fh = (uint64_t)(uintptr_t)h;
    h->next = view->handles;
    if (view->handles != NULL) {
        view->handles->prev = h;
    }
    view->handles = h;
    if (fuse_reply_open(req, fi) != 0) {
        /* The opener went away (interrupted): no release will come for this handle. */
        view->handles = h->next;
        if (h->next != NULL) {
            h->next->prev = NULL;
        }
        free(h->text);
        free(h);
    }
    return;
out:
    if (h != NULL) {
        free(h->text);
        free(h);
    }
    fuse_view_ops_err(req, err);
}

static struct fuse_view_handle *fuse_view_ops_handle(struct fuse_file_info *fi)
{
    return (struct fuse_view_handle *)(uintptr_t)fi->fh;
}

static void fuse_view_ops_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                               struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_handle *h = fuse_view_ops_handle(fi);
    struct fuse_view_target t;
    const uint8_t *src;
    size_t avail;

    if (fuse_view_resolve(view, ino, &t) < 0 || t.dev == NULL) {
        fuse_view_ops_err(req, ENXIO);
        return;
    }
    if (off < 0) {
        fuse_view_ops_err(req, EINVAL);
        return;
    }
    if (t.kind == FUSE_VIEW_K_STATUS) {
        src = (const uint8_t *)h->text;
        avail = h->text_len;
    } else {
        /* Straight from the device's memory: host reads are not device operations. */
        src = t.file->dev->mem + t.file->off;
        avail = t.file->size;
    }
    if ((uint64_t)off >= avail) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    if (size > avail - (size_t)off) {
        size = avail - (size_t)off;
    }
    view->stats.reads++;
    view->stats.bytes_read += size;
    if (t.kind != FUSE_VIEW_K_STATUS &&
        vflash_fault_weak_overlaps(t.file->dev, t.file->off + (uint32_t)off, (uint32_t)size)) {
        /* Bits a weak power cut left unstable read as a programmer would see them. */
        uint8_t *buf = malloc(size);

        if (buf == NULL) {
            fuse_view_ops_err(req, ENOMEM);
            return;
        }
        vflash_host_read(t.file->dev, t.file->off + (uint32_t)off, buf, (uint32_t)size);
        fuse_reply_buf(req, (const char *)buf, size);
        free(buf);
        return;
    }
    fuse_reply_buf(req, (const char *)src + off, size);
}

static void fuse_view_ops_notify(struct fuse_view_dev *dev, const struct fuse_view_target *t,
                                 enum fuse_view_event event, uint32_t file_off, uint32_t len)
{
    struct fuse_view_write_info info;
    char file[FUSE_VIEW_NAME_MAX + 8];

    if (dev->desc.on_write == NULL) {
        return;
    }
    snprintf(file, sizeof(file), "%s.bin", t->file->name);
    memset(&info, 0, sizeof(info));
    info.event = event;
    info.device = dev->desc.name;
    info.file = file;
    info.slot = t->kind == FUSE_VIEW_K_SLOT;
    info.index = t->index;
    info.dev = t->file->dev;
    info.dev_off = t->file->off + file_off;
    info.file_off = file_off;
    info.len = len;
    dev->desc.on_write(dev->desc.cb_arg, &info);
}

static int fuse_view_ops_errno(int rc)
{
    switch (rc) {
    case BO_ENOMEM:
        return ENOMEM;
    case BO_EALIGN:
    case BO_EINVAL:
        return EINVAL;
    case BO_ERANGE:
        return EFBIG;
    default:
        return EIO;
    }
}

static void fuse_view_ops_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
                                off_t off, struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_handle *h = fuse_view_ops_handle(fi);
    struct fuse_view_target t;
    int rc;

    if (fuse_view_resolve(view, ino, &t) < 0 || t.dev == NULL) {
        fuse_view_ops_err(req, ENXIO);
        return;
    }
    if (t.file == NULL) {
        fuse_view_ops_err(req, EACCES);
        return;
    }
    if (off < 0) {
        fuse_view_ops_err(req, EINVAL);
        return;
    }
    /* A request that does not fit entirely is refused and writes nothing. */
    if ((uint64_t)off > t.file->size || size > t.file->size - (uint64_t)off) {
        fuse_view_ops_err(req, EFBIG);
        return;
    }
    if (size == 0) {
        fuse_reply_write(req, 0);
        return;
    }
    rc = fuse_view_flash_write(view->opts.write_mode, t.file->dev, t.file->off + (uint32_t)off, buf,
                               (uint32_t)size);
    if (rc < 0) {
        port_log(PORT_LOG_DEBUG, "fuse", "%s: write of %zu bytes at %lld refused: %s",
                 t.dev->desc.name, size, (long long)off, bo_strerror(rc));
        fuse_view_ops_err(req, fuse_view_ops_errno(rc));
        return;
    }
    view->stats.writes++;
    view->stats.bytes_written += size;
    t.dev->mtime = (int64_t)time(NULL);
    if (!h->wrote || (uint32_t)off < h->lo) {
        h->lo = (uint32_t)off;
    }
    if (!h->wrote || (uint32_t)off + (uint32_t)size > h->hi) {
        h->hi = (uint32_t)off + (uint32_t)size;
    }
    h->wrote = true;
    fuse_reply_write(req, size);
    fuse_view_ops_notify(t.dev, &t, FUSE_VIEW_EV_WRITE, (uint32_t)off, (uint32_t)size);
}

static void fuse_view_ops_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct fuse_view_handle *h = fuse_view_ops_handle(fi);
    struct fuse_view_target t;

    fuse_reply_err(req, 0);
    if (h == NULL) {
        return;
    }
    if (h->prev != NULL) {
        h->prev->next = h->next;
    } else {
        view->handles = h->next;
    }
    if (h->next != NULL) {
        h->next->prev = h->prev;
    }
    if (h->wrote && fuse_view_resolve(view, ino, &t) == 0 && t.file != NULL) {
        fuse_view_ops_notify(t.dev, &t, FUSE_VIEW_EV_CLOSE, h->lo, h->hi - h->lo);
    }
    free(h->text);
    free(h);
}

static void fuse_view_ops_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void fuse_view_ops_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
                                struct fuse_file_info *fi)
{
    (void)ino;
    (void)datasync;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void fuse_view_ops_statfs(fuse_req_t req, fuse_ino_t ino)
{
    struct fuse_view *view = fuse_view_ops_view(req);
    struct statvfs sv;
    uint64_t bytes = 0;

    (void)ino;
    for (uint32_t i = 0; i < view->dev_count; i++) {
        for (uint32_t j = 0; j < view->devs[i]->desc.flash_count; j++) {
            bytes += view->devs[i]->desc.flash[j].size;
        }
    }
    memset(&sv, 0, sizeof(sv));
    sv.f_bsize = 4096;
    sv.f_frsize = 4096;
    sv.f_blocks = (fsblkcnt_t)(bytes / 4096u);
    sv.f_files = 1u + view->dev_count * 4u;
    sv.f_namemax = FUSE_VIEW_NAME_MAX + 4;
    fuse_reply_statfs(req, &sv);
}

/* The tree is fixed: everything that would add, remove or rename a name is refused. */
static void fuse_view_ops_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                                dev_t rdev)
{
    (void)parent;
    (void)name;
    (void)mode;
    (void)rdev;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    (void)parent;
    (void)name;
    (void)mode;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    (void)parent;
    (void)name;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
                                  const char *name)
{
    (void)link;
    (void)parent;
    (void)name;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
                                 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
    (void)parent;
    (void)name;
    (void)newparent;
    (void)newname;
    (void)flags;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
                               const char *newname)
{
    (void)ino;
    (void)newparent;
    (void)newname;
    fuse_view_ops_err(req, EPERM);
}

static void fuse_view_ops_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                                 struct fuse_file_info *fi)
{
    (void)parent;
    (void)name;
    (void)mode;
    (void)fi;
    fuse_view_ops_err(req, EPERM);
}

const struct fuse_lowlevel_ops fuse_view_ops = {
    .init = fuse_view_ops_init,
    .lookup = fuse_view_ops_lookup,
    .getattr = fuse_view_ops_getattr,
    .setattr = fuse_view_ops_setattr,
    .mknod = fuse_view_ops_mknod,
    .mkdir = fuse_view_ops_mkdir,
    .unlink = fuse_view_ops_unlink,
    .rmdir = fuse_view_ops_unlink,
    .symlink = fuse_view_ops_symlink,
    .rename = fuse_view_ops_rename,
    .link = fuse_view_ops_link,
    .open = fuse_view_ops_open,
    .read = fuse_view_ops_read,
    .write = fuse_view_ops_write,
    .flush = fuse_view_ops_flush,
    .release = fuse_view_ops_release,
    .fsync = fuse_view_ops_fsync,
    .readdir = fuse_view_ops_readdir,
    .statfs = fuse_view_ops_statfs,
    .create = fuse_view_ops_create,
};
