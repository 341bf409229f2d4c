/* SPDX-License-Identifier: Apache-2.0 */
/* A simulated device: shared flash mappings and firmware runs on the daemon's loop. */
#include "daemon/device.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "util/fileio.h"
#include "daemon/device_int.h"
#include "util/errbuf.h"
#include "vflash/vflash_guard.h"
#include "vflash/vflash_weak.h"

const char *device_state_name(enum device_state state)
{
    switch (state) {
    case DEVICE_OFF:
        return "off";
    case DEVICE_BOOTING:
        return "booting";
    case DEVICE_RUNNING:
        return "running";
    case DEVICE_HALTED:
        return "halted";
    case DEVICE_FAULT:
        return "fault";
    }
    return "unknown";
}

void device_init(struct device *dev)
{
    uint32_t i;

    memset(dev, 0, sizeof(*dev));
    for (i = 0; i < BOARD_MAX_DEVICES; i++) {
        dev->flash[i].fd = -1;
        dev->flash[i].ecc_fd = -1;
        dev->flash[i].weak_fd = -1;
        dev->flash[i].lock_fd = -1;
        dev->flash[i].ecc_lock_fd = -1;
        vflash_init(&dev->flash[i].vf);
    }
    port_flash_map_init(&dev->map);
    board_init(&dev->board);
}

/* Emits an event with "device" added. */
void device_emit(struct device *dev, const char *event, json_t *data, uint64_t clock_ns)
{
    if (data == NULL) {
        data = json_object();
    }
    if (data != NULL) {
        json_object_set_new(data, "device", json_string(dev->cfg.name));
    }
    if (dev->emit != NULL) {
        dev->emit(dev->emit_arg, event, data, clock_ns);
    } else {
        json_decref(data);
    }
}

/* How long a lock held by a dying daemon's child (between its fork and exec) is waited for. */
#define DEVICE_LOCK_WAIT_MS 1000

/*
 * Takes the exclusive lock of a backing file on an open file description of its own (never
 * inherited by a firmware run: a run of a killed daemon must not keep the file locked).
 */
static int device_lock_backing(const char *path, int *lock_out, char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int waited = 0;

    if (fd < 0) {
        errbuf_set(err, err_len, "%s: %s", path, strerror(errno));
        return BO_EOS;
    }
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= DEVICE_LOCK_WAIT_MS) {
            errbuf_set(err, err_len, "%s: %s", path,
                       errno == EWOULDBLOCK ? "in use by another brownoutd (locked)"
                                            : strerror(errno));
            close(fd);
            return errno == EWOULDBLOCK ? BO_EBUSY : BO_EOS;
        }
        usleep(10000);
        waited += 10;
    }
    *lock_out = fd;
    return 0;
}

/* Opens (or creates) a backing file or memfd of size bytes. *fresh tells whether it is new. */
static int device_open_backing(const char *path, size_t size, bool erase, bool in_ram,
                               const char *what, int *fd_out, int *lock_out, bool *fresh, char *err,
                               size_t err_len)
{
    struct stat st;
    int fd;
    int rc;

    *fresh = false;
    if (in_ram) {
        fd = memfd_create(what, MFD_CLOEXEC);
        *fresh = true;
    } else {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    }
    if (fd < 0) {
        errbuf_set(err, err_len, "%s: %s", in_ram ? what : path, strerror(errno));
        return BO_EOS;
    }
    /* Locked before anything is read or erased: a second daemon must not wipe a live device. */
    if (!in_ram && (rc = device_lock_backing(path, lock_out, err, err_len)) < 0) {
        close(fd);
        return rc;
    }
    if (fstat(fd, &st) != 0) {
        errbuf_set(err, err_len, "%s: %s", path, strerror(errno));
        close(fd);
        return BO_EOS;
    }
    if (st.st_size == 0) {
        *fresh = true;
    } else if ((uint64_t)st.st_size != size && !erase) {
        errbuf_set(err, err_len,
                   "%s: %llu bytes, but the board's %s has %zu (use --flash-erase "
                   "to start it over)",
                   path, (unsigned long long)st.st_size, what, size);
        close(fd);
        return BO_EINVAL;
    }
    if (erase) {
        *fresh = true;
    }
    if ((uint64_t)st.st_size != size || *fresh) {
        if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)size) != 0) {
            errbuf_set(err, err_len, "%s: %s", path, strerror(errno));
            close(fd);
            return BO_EOS;
        }
    }
    *fd_out = fd;
    return 0;
}

static int device_map(int fd, size_t size, uint8_t **out, const char *path, char *err,
                      size_t err_len)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (p == MAP_FAILED) {
        errbuf_set(err, err_len, "%s: mmap: %s", path, strerror(errno));
        return BO_EOS;
    }
    *out = p;
    if (vflash_guard_add(p, size) < 0) {
        errbuf_set(err, err_len, "%s: cannot guard the mapping against SIGBUS", path);
        return BO_ENOMEM;
    }
    return 0;
}

/* Creates the shared weak map of a flash device (a memfd: weak bits do not outlive the daemon). */
static int device_setup_weak(struct device *dev, struct device_flash *fl, char *err, size_t err_len)
{
    int rc;

    fl->weak_len = vflash_weak_map_size((uint32_t)fl->size);
    fl->weak_fd = memfd_create("weak", MFD_CLOEXEC);
    if (fl->weak_fd < 0 || ftruncate(fl->weak_fd, (off_t)fl->weak_len) != 0) {
        errbuf_set(err, err_len, "device %s: weak map of %s: %s", dev->cfg.name, fl->name,
                   strerror(errno));
        return BO_EOS;
    }
    rc = device_map(fl->weak_fd, fl->weak_len, &fl->weak, "weak map", err, err_len);
    if (rc < 0) {
        return rc;
    }
    rc = vflash_weak_map_format(fl->weak, fl->weak_len, (uint32_t)fl->size);
    if (rc == 0) {
        rc = vflash_fault_weak_attach(&fl->vf, fl->weak, fl->weak_len);
    }
    if (rc < 0) {
        errbuf_set(err, err_len, "device %s: weak map of %s: %s", dev->cfg.name, fl->name,
                   bo_strerror(rc));
    }
    return rc;
}

/* Maps one flash device of the board. */
static int device_setup_flash(struct device *dev, uint32_t i, char *err, size_t err_len)
{
    struct device_flash *fl = &dev->flash[i];
    const struct board_flash *bf = &dev->board.flash[i];
    const struct config_device *c = &dev->cfg;
    const char *path = NULL;
    uint32_t size = 0;
    uint32_t j;
    bool ecc_fresh = false;
    int rc;

    memcpy(fl->name, bf->name, sizeof(fl->name));
    for (j = 0; j < c->flash_count; j++) {
        if (strcmp(c->flash[j].name, bf->name) == 0 || (c->flash[j].name[0] == '\0' && i == 0)) {
            path = c->flash[j].path;
        }
    }
    if (path == NULL && !c->flash_in_ram) {
        errbuf_set(err, err_len, "device %s: no backing file for flash device '%s'", c->name,
                   bf->name);
        return BO_EINVAL;
    }
    snprintf(fl->path, sizeof(fl->path), "%s", c->flash_in_ram ? "" : path);
    rc = vflash_geometry_check(&bf->geom, &size);
    if (rc < 0) {
        errbuf_set(err, err_len, "device %s: bad geometry", c->name);
        return rc;
    }
    fl->size = size;
    rc = device_open_backing(fl->path, size, c->flash_erase, c->flash_in_ram, bf->name, &fl->fd,
                             &fl->lock_fd, &fl->fresh, err, err_len);
    if (rc < 0) {
        return rc;
    }
    rc = device_map(fl->fd, size, &fl->mem, fl->path, err, err_len);
    if (rc < 0) {
        return rc;
    }
    if (fl->fresh) {
        memset(fl->mem, bf->geom.erased_val, size);
    }
    if (bf->geom.semantics == VFLASH_ECC) {
        char epath[CONFIG_PATH_MAX + 8];

        fl->ecc_len = vflash_ecc_map_size(&bf->geom);
        snprintf(epath, sizeof(epath), "%s.ecc", fl->path);
        rc = device_open_backing(epath, fl->ecc_len, c->flash_erase || fl->fresh, c->flash_in_ram,
                                 "ecc", &fl->ecc_fd, &fl->ecc_lock_fd, &ecc_fresh, err, err_len);
        if (rc < 0) {
            return rc;
        }
        rc = device_map(fl->ecc_fd, fl->ecc_len, &fl->ecc, epath, err, err_len);
        if (rc < 0) {
            return rc;
        }
    }
    rc = vflash_setup(&fl->vf, &bf->geom, fl->mem, size, fl->ecc);
    if (rc < 0) {
        errbuf_set(err, err_len, "device %s: vflash: %s", c->name, bo_strerror(rc));
        return rc;
    }
    if (ecc_fresh && !fl->fresh) {
        /* Contents without an ECC map: every unit that is not erased counts as programmed. */
        memset(fl->ecc, 0, fl->ecc_len);
        vflash_ecc_mark_unerased(&fl->vf, 0, size);
    }
    return device_setup_weak(dev, fl, err, err_len);
}

int device_slot(struct device *dev, int area_id, struct device_flash **fl, uint32_t *off,
                uint32_t *size)
{
    const struct board_partition *p;

    if (area_id < 0 || area_id >= FLASH_AREA_COUNT || !dev->board.part[area_id].present) {
        return BO_ENOENT;
    }
    p = &dev->board.part[area_id];
    if (p->device >= dev->flash_count) {
        return BO_ENOENT;
    }
    *fl = &dev->flash[p->device];
    *off = p->off;
    *size = p->size;
    return 0;
}

int device_image_load(struct device *dev, int area_id, const uint8_t *data, size_t len)
{
    struct device_flash *fl;
    uint32_t off;
    uint32_t size;
    uint32_t start = 0;
    uint8_t *buf;
    int rc = device_slot(dev, area_id, &fl, &off, &size);

    if (rc < 0) {
        return rc;
    }
    if (dev->cfg.mode == BOOT_MODE_SWAP_OFFSET &&
        (area_id == FLASH_AREA_IMAGE_SECONDARY(0) || area_id == FLASH_AREA_IMAGE_SECONDARY(1))) {
        int s = vflash_sector_at(&fl->vf, off);

        if (s < 0) {
            return s;
        }
        start = fl->vf.sectors[s].size;
    }
    if (start > size || len > size - start) {
        return BO_ERANGE;
    }
    buf = malloc(size);
    if (buf == NULL) {
        return BO_ENOMEM;
    }
    memset(buf, fl->vf.geom.erased_val, size);
    if (len > 0) {
        memcpy(buf + start, data, len);
    }
    /* A programmer's write: it meets the faults fault-inject set (fw_fault.h). */
    rc = fw_fault_host_write(&fl->vf, (uint32_t)(fl - dev->flash), dev->flash_faults,
                             dev->flash_fault_count, off, buf, size);
    free(buf);
    return rc;
}

/* Reads a whole file into memory. */
static int device_read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t err_len)
{
    return fileio_read_all(path, (size_t)64 << 20, out, len, err, err_len);
}

int device_setup(struct device *dev, uv_loop_t *loop, const struct config_device *cfg,
                 const char *firmware, device_emit_fn emit, void *emit_arg, char *err,
                 size_t err_len)
{
    struct vflash *views[BOARD_MAX_DEVICES];
    bool fresh = true;
    uint32_t i;
    int rc;

    dev->cfg = *cfg;
    dev->loop = loop;
    dev->emit = emit;
    dev->emit_arg = emit_arg;
    dev->request_timeout_ms = DEVICE_REQUEST_TIMEOUT_MS;
    snprintf(dev->firmware, sizeof(dev->firmware), "%s", firmware);
    rc = board_load(&dev->board, cfg->board, err, err_len);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < dev->board.flash_count; i++) {
        rc = device_setup_flash(dev, i, err, err_len);
        if (rc < 0) {
            return rc;
        }
        dev->flash_count = i + 1;
        views[i] = &dev->flash[i].vf;
        fresh = fresh && dev->flash[i].fresh;
    }
    rc = port_flash_map_setup(&dev->map, &dev->board, views, dev->flash_count);
    if (rc < 0) {
        errbuf_set(err, err_len, "device %s: flash map: %s", cfg->name, bo_strerror(rc));
        return rc;
    }
    for (i = 0; fresh && i < cfg->image_count; i++) {
        uint8_t *data = NULL;
        size_t len = 0;

        rc = device_read_file(cfg->images[i].path, &data, &len, err, err_len);
        if (rc < 0) {
            return rc;
        }
        rc = device_image_load(dev, cfg->images[i].area_id, data, len);
        free(data);
        if (rc < 0) {
            errbuf_set(err, err_len, "%s: cannot load into %s: %s", cfg->images[i].path,
                       config_slot_name(cfg->images[i].area_id), bo_strerror(rc));
            return rc;
        }
    }
    dev->timer = malloc(sizeof(*dev->timer));
    if (dev->timer == NULL) {
        return BO_ENOMEM;
    }
    uv_timer_init(loop, dev->timer);
    dev->timer->data = dev;
    return 0;
}

struct device_flash *device_find_flash(struct device *dev, const char *name)
{
    uint32_t i;

    if (dev->flash_count == 0) {
        return NULL;
    }
    if (name == NULL || name[0] == '\0') {
        return &dev->flash[0];
    }
    for (i = 0; i < dev->flash_count; i++) {
        if (strcmp(dev->flash[i].name, name) == 0) {
            return &dev->flash[i];
        }
    }
    return NULL;
}

void device_flush(struct device *dev)
{
    uint32_t i;

    for (i = 0; i < dev->flash_count; i++) {
        if (dev->flash[i].mem != NULL && dev->flash[i].path[0] != '\0') {
            msync(dev->flash[i].mem, dev->flash[i].size, MS_SYNC);
            if (dev->flash[i].ecc != NULL) {
                msync(dev->flash[i].ecc, dev->flash[i].ecc_len, MS_SYNC);
            }
        }
    }
}

static void device_close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Whether a backing file lost bytes under its mapping (truncated, or replaced by cp). */
static bool device_flash_shrunk(const struct device_flash *fl)
{
    struct stat st;

    if (vflash_guard_tripped(fl->mem) || vflash_guard_tripped(fl->ecc)) {
        return true;
    }
    if (fl->fd >= 0 && fstat(fl->fd, &st) == 0 && (uint64_t)st.st_size < fl->size) {
        return true;
    }
    return fl->ecc_fd >= 0 && fstat(fl->ecc_fd, &st) == 0 && (uint64_t)st.st_size < fl->ecc_len;
}

bool device_flash_lost(struct device *dev)
{
    uint32_t i;

    for (i = 0; !dev->lost && i < dev->flash_count; i++) {
        if (device_flash_shrunk(&dev->flash[i])) {
            dev->lost = true;
            dev->faults++;
            fprintf(stderr, "brownoutd: device %s: backing file of %s shrank; device faulted\n",
                    dev->cfg.name, dev->flash[i].name);
            device_emit(dev, "DEVICE_FAULT",
                        json_pack("{s:i, s:s, s:I, s:s, s:s}", "signal", 0, "signal-name", "",
                                  "exit-status", (json_int_t)0, "reason",
                                  "a flash backing file shrank", "flash", dev->flash[i].name),
                        0);
            device_lose_run(dev);
        }
    }
    return dev->lost;
}

void device_free(struct device *dev)
{
    uint32_t i;

    device_flush(dev);
    port_flash_map_free(&dev->map);
    for (i = 0; i < BOARD_MAX_DEVICES; i++) {
        struct device_flash *fl = &dev->flash[i];

        vflash_free(&fl->vf);
        vflash_guard_remove(fl->mem);
        vflash_guard_remove(fl->ecc);
        vflash_guard_remove(fl->weak);
        if (fl->mem != NULL) {
            munmap(fl->mem, fl->size);
        }
        if (fl->ecc != NULL) {
            munmap(fl->ecc, fl->ecc_len);
        }
        if (fl->weak != NULL) {
            munmap(fl->weak, fl->weak_len);
        }
        device_close_fd(&fl->lock_fd);
        device_close_fd(&fl->ecc_lock_fd);
        if (fl->weak_fd >= 0) {
            close(fl->weak_fd);
        }
        if (fl->fd >= 0) {
            close(fl->fd);
        }
        if (fl->ecc_fd >= 0) {
            close(fl->ecc_fd);
        }
        fl->mem = NULL;
        fl->ecc = NULL;
        fl->weak = NULL;
        fl->fd = -1;
        fl->ecc_fd = -1;
        fl->weak_fd = -1;
    }
    json_decref(dev->last_boot);
    json_decref(dev->last_loss);
    json_decref(dev->app);
    dev->last_boot = NULL;
    dev->last_loss = NULL;
    dev->app = NULL;
    dev->flash_count = 0;
}

int device_flash_read(struct device_flash *fl, uint32_t off, void *dst, uint32_t len)
{
    return vflash_host_read(&fl->vf, off, dst, len);
}

bool device_flash_weak(struct device_flash *fl, uint32_t off, uint32_t len)
{
    return vflash_fault_weak_overlaps(&fl->vf, off, len);
}

/* ---- JSON views. ---- */

/* The weak regions of a flash device: [{"offset", "length", "unstable-bytes"}]. */
static json_t *device_weak_json(const struct device_flash *fl)
{
    json_t *arr = json_array();
    struct vflash_weak_info info;

    for (size_t i = 0; arr != NULL && vflash_fault_weak_get(&fl->vf, i, &info) == 0; i++) {
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I}", "offset", (json_int_t)info.off,
                                             "length", (json_int_t)info.len, "unstable-bytes",
                                             (json_int_t)info.unstable));
    }
    return arr;
}

json_t *device_flash_json(const struct device *dev)
{
    json_t *arr = json_array();
    uint32_t i;
    uint32_t r;

    for (i = 0; arr != NULL && i < dev->flash_count; i++) {
        const struct device_flash *fl = &dev->flash[i];
        const struct vflash_geometry *g = &fl->vf.geom;
        json_t *runs = json_array();
        json_t *o;

        for (r = 0; runs != NULL && r < g->run_count; r++) {
            json_array_append_new(runs,
                                  json_pack("{s:I, s:I}", "count", (json_int_t)g->runs[r].count,
                                            "size", (json_int_t)g->runs[r].size));
        }
        o = json_pack("{s:s, s:I, s:I, s:o, s:I, s:s, s:s, s:s?}", "name", fl->name, "size",
                      (json_int_t)fl->size, "sectors", (json_int_t)fl->vf.sector_count,
                      "sector-runs", runs, "write-unit", (json_int_t)g->write_unit, "erased-value",
                      g->erased_val == 0 ? "0x00" : "0xff", "semantics",
                      vflash_semantics_name(g->semantics), "backing",
                      fl->path[0] != '\0' ? fl->path : NULL);
        if (o != NULL) {
            json_object_set_new(o, "weak-regions", device_weak_json(fl));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/*
 * Adds the device's bootloader to its status: its name, the build the last boot reported
 * ("bootloader-id": the tree and variant for upstream MCUboot) and a mcuboot device's variant
 * (the folder of its firmware program, config_mcuboot.h).
 */
static void device_bl_json(const struct device *dev, json_t *o)
{
    json_t *id = dev->last_boot != NULL ? json_object_get(dev->last_boot, "bootloader-id") : NULL;
    char variant[CONFIG_PATH_MAX];
    char *slash;

    json_object_set_new(o, "bootloader", json_string(bl_kind_name(dev->cfg.bootloader)));
    json_object_set_new(o, "bootloader-id", json_is_string(id) ? json_copy(id) : json_null());
    if (dev->cfg.bootloader != BL_MCUBOOT) {
        return;
    }
    snprintf(variant, sizeof(variant), "%s", dev->firmware);
    slash = strrchr(variant, '/');
    if (slash != NULL) {
        *slash = '\0';
        slash = strrchr(variant, '/');
    }
    json_object_set_new(o, "mcuboot-variant", json_string(slash != NULL ? slash + 1 : variant));
}

json_t *device_status_json(const struct device *dev)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:i}", "name", dev->cfg.name, "board",
        dev->board.name, "mode", boot_mode_name(dev->cfg.mode), "state",
        device_state_name(dev->state), "power", dev->run != NULL, "boots", (json_int_t)dev->boots,
        "power-losses", (json_int_t)dev->power_losses, "faults", (json_int_t)dev->faults, "resets",
        (json_int_t)dev->resets, "pid", device_pid(dev));

    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "last-boot",
                        dev->last_boot != NULL ? json_deep_copy(dev->last_boot) : json_null());
    json_object_set_new(o, "last-power-loss",
                        dev->last_loss != NULL ? json_deep_copy(dev->last_loss) : json_null());
    if (dev->cut.armed) {
        json_object_set_new(o, "armed-cut",
                            json_pack("{s:I, s:s, s:I}", "at-op", (json_int_t)dev->cut.at, "fault",
                                      vflash_cut_model_name(dev->cut.cut.model), "seed",
                                      (json_int_t)dev->cut.cut.seed));
    } else {
        json_object_set_new(o, "armed-cut", json_null());
    }
    json_object_set_new(o, "flash-faults",
                        fw_fault_json(&dev->board, dev->flash_faults, dev->flash_fault_count));
    json_object_set_new(o, "auto-power-on", json_boolean(dev->cfg.auto_power_on));
    device_bl_json(dev, o);
    if (dev->cfg.net.enabled) {
        json_object_set_new(o, "app", dev->app != NULL ? json_deep_copy(dev->app) : json_null());
        json_object_set_new(o, "link",
                            json_string(dev->cfg.net.link[0] != '\0' ? dev->cfg.net.link : "none"));
        json_object_set_new(o, "confirm-policy",
                            json_string(config_confirm_name(dev->cfg.net.confirm)));
        json_object_set_new(o, "reset-requests", json_integer((json_int_t)dev->reset_requests));
    }
    return o;
}
