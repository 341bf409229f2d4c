/* SPDX-License-Identifier: Apache-2.0 */
/* A simulated device: shared flash mappings and firmware runs on the daemon's loop. */
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bo_err.h"
#include "fw.h"

/* One firmware process and its pipe. Freed once both handles are closed. */
struct device_run {
    struct device *dev;
    uv_process_t proc;
    uv_pipe_t pipe;
    int open_handles;
    bool exited;
    bool eof;
    bool finished;
    int64_t exit_status;
    int term_signal;
    bool power_loss;
    bool boot_failed;
    json_t *loss;     /* POWER_LOSS data from the firmware. */
    char *line;
    size_t line_len;
    bool line_overflow;
};

/* A request to the firmware waiting for its reply. */
struct device_pending {
    struct device_pending *next;
    uint64_t id;
    device_reply_fn cb;
    void *arg;
};

/* A write to the firmware's pipe. */
struct device_write {
    uv_write_t req;
    char *text;
};

static void device_fmt(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void device_fmt(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err_len == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

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
        vflash_init(&dev->flash[i].vf);
    }
    port_flash_map_init(&dev->map);
    board_init(&dev->board);
}

/* Emits an event with "device" added. */
static void device_emit(struct device *dev, const char *event, json_t *data, uint64_t clock_ns)
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

/* Opens (or creates) a backing file or memfd of size bytes. *fresh tells whether it is new. */
static int device_open_backing(const char *path, size_t size, bool erase, bool in_ram,
                               const char *what, int *fd_out, bool *fresh, char *err,
                               size_t err_len)
{
    struct stat st;
    int fd;

    *fresh = false;
    if (in_ram) {
        fd = memfd_create(what, MFD_CLOEXEC);
        *fresh = true;
    } else {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    }
    if (fd < 0) {
        device_fmt(err, err_len, "%s: %s", in_ram ? what : path, strerror(errno));
        return BO_EOS;
    }
    if (fstat(fd, &st) != 0) {
        device_fmt(err, err_len, "%s: %s", path, strerror(errno));
        close(fd);
        return BO_EOS;
    }
    if (st.st_size == 0) {
        *fresh = true;
    } else if ((uint64_t)st.st_size != size && !erase) {
        device_fmt(err, err_len, "%s: %llu bytes, but the board's %s has %zu (use --flash-erase "
                   "to start it over)", path, (unsigned long long)st.st_size, what, size);
        close(fd);
        return BO_EINVAL;
    }
    if (erase) {
        *fresh = true;
    }
    if ((uint64_t)st.st_size != size || *fresh) {
        if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)size) != 0) {
            device_fmt(err, err_len, "%s: %s", path, strerror(errno));
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
        device_fmt(err, err_len, "%s: mmap: %s", path, strerror(errno));
        return BO_EOS;
    }
    *out = p;
    return 0;
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
        if (strcmp(c->flash[j].name, bf->name) == 0 ||
            (c->flash[j].name[0] == '\0' && i == 0)) {
            path = c->flash[j].path;
        }
    }
    if (path == NULL && !c->flash_in_ram) {
        device_fmt(err, err_len, "device %s: no backing file for flash device '%s'", c->name,
                   bf->name);
        return BO_EINVAL;
    }
    snprintf(fl->path, sizeof(fl->path), "%s", c->flash_in_ram ? "" : path);
    rc = vflash_geometry_check(&bf->geom, &size);
    if (rc < 0) {
        device_fmt(err, err_len, "device %s: bad geometry", c->name);
        return rc;
    }
    fl->size = size;
    rc = device_open_backing(fl->path, size, c->flash_erase, c->flash_in_ram, bf->name, &fl->fd,
                             &fl->fresh, err, err_len);
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
        rc = device_open_backing(epath, fl->ecc_len, c->flash_erase || fl->fresh,
                                 c->flash_in_ram, "ecc", &fl->ecc_fd, &ecc_fresh, err, err_len);
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
        device_fmt(err, err_len, "device %s: vflash: %s", c->name, bo_strerror(rc));
        return rc;
    }
    if (ecc_fresh && !fl->fresh) {
        /* Contents without an ECC map: every unit that is not erased counts as programmed. */
        memset(fl->ecc, 0, fl->ecc_len);
        vflash_ecc_mark_unerased(&fl->vf, 0, size);
    }
    return 0;
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
    rc = vflash_host_write(&fl->vf, off, buf, size);
    free(buf);
    return rc;
}

/* Reads a whole file into memory. */
static int device_read_file(const char *path, uint8_t **out, size_t *len, char *err,
                            size_t err_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    if (f == NULL) {
        device_fmt(err, err_len, "%s: %s", path, strerror(errno));
        return BO_EOS;
    }
    for (;;) {
        size_t got;

        if (cap - n < 65536) {
            uint8_t *grown;

            if (cap > (64u << 20)) {
                free(buf);
                fclose(f);
                device_fmt(err, err_len, "%s: too large", path);
                return BO_ERANGE;
            }
            grown = realloc(buf, cap + 262144);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return BO_ENOMEM;
            }
            buf = grown;
            cap += 262144;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
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
        device_fmt(err, err_len, "device %s: flash map: %s", cfg->name, bo_strerror(rc));
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
            device_fmt(err, err_len, "%s: cannot load into %s: %s", cfg->images[i].path,
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

int device_pid(const struct device *dev)
{
    return dev->run != NULL && !dev->run->exited ? dev->run->proc.pid : 0;
}

/* ---- Runs. ---- */

static void device_closed_cb(struct device *dev);

static void device_run_handle_closed(uv_handle_t *h)
{
    struct device_run *run = h->data;
    struct device *dev = run->dev;

    if (--run->open_handles > 0) {
        return;
    }
    free(run->line);
    json_decref(run->loss);
    free(run);
    if (dev->closing && dev->run == NULL) {
        device_closed_cb(dev);
    }
}

static void device_fail_pending(struct device *dev, const char *why)
{
    while (dev->pending != NULL) {
        struct device_pending *p = dev->pending;

        dev->pending = p->next;
        p->cb(p->arg, NULL, why);
        free(p);
    }
}

static int device_spawn(struct device *dev);

static void device_power_on_timer(uv_timer_t *t)
{
    struct device *dev = t->data;

    if (dev->state == DEVICE_OFF && dev->run == NULL && !dev->closing) {
        device_power_on(dev);
    }
}

static void device_schedule_power_on(struct device *dev)
{
    if (dev->cfg.auto_power_on && !dev->closing && dev->timer != NULL) {
        uv_timer_start(dev->timer, device_power_on_timer, dev->cfg.power_on_delay_ms, 0);
    }
}

/* The run is over: the process exited and its pipe is drained. */
static void device_run_finish(struct device_run *run)
{
    struct device *dev = run->dev;
    enum device_next next = dev->next;

    if (run->finished) {
        return;
    }
    run->finished = true;
    dev->run = NULL;
    dev->next = DEVICE_NEXT_NONE;
    device_fail_pending(dev, "the firmware stopped");
    if (!uv_is_closing((uv_handle_t *)&run->pipe)) {
        uv_close((uv_handle_t *)&run->pipe, device_run_handle_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&run->proc)) {
        uv_close((uv_handle_t *)&run->proc, device_run_handle_closed);
    }
    switch (next) {
    case DEVICE_NEXT_CLOSE:
        dev->state = DEVICE_OFF;
        return;
    case DEVICE_NEXT_OFF:
        dev->state = DEVICE_OFF;
        device_emit(dev, "POWER_OFF", NULL, 0);
        return;
    case DEVICE_NEXT_RESET:
        dev->state = DEVICE_OFF;
        if (device_spawn(dev) < 0) {
            dev->state = DEVICE_FAULT;
        }
        return;
    case DEVICE_NEXT_CUT:
        dev->state = DEVICE_OFF;
        dev->power_losses++;
        json_decref(dev->last_loss);
        dev->last_loss = json_pack("{s:n, s:s}", "op", "fault", "now");
        device_emit(dev, "POWER_LOSS", json_deep_copy(dev->last_loss), 0);
        device_schedule_power_on(dev);
        return;
    case DEVICE_NEXT_NONE:
        break;
    }
    if (run->power_loss) {
        dev->state = DEVICE_OFF;
        dev->power_losses++;
        json_decref(dev->last_loss);
        dev->last_loss = json_incref(run->loss);
        device_emit(dev, "POWER_LOSS", json_deep_copy(run->loss),
                    (uint64_t)json_integer_value(json_object_get(run->loss, "clock-ns")));
        device_schedule_power_on(dev);
    } else if (run->boot_failed) {
        dev->state = DEVICE_HALTED;
    } else if (run->term_signal != 0 || run->exit_status != 0) {
        dev->state = DEVICE_FAULT;
        dev->faults++;
        device_emit(dev, "DEVICE_FAULT",
                    json_pack("{s:i, s:s, s:I}", "signal", run->term_signal, "signal-name",
                              run->term_signal != 0 ? strsignal(run->term_signal) : "",
                              "exit-status", (json_int_t)run->exit_status),
                    0);
    } else {
        dev->state = DEVICE_OFF;
    }
}

static void device_exit_cb(uv_process_t *proc, int64_t exit_status, int term_signal)
{
    struct device_run *run = proc->data;

    run->exited = true;
    run->exit_status = exit_status;
    run->term_signal = term_signal;
    if (run->eof) {
        device_run_finish(run);
    }
}

/* Handles one message line from the firmware. */
static void device_message(struct device_run *run, const char *line)
{
    struct device *dev = run->dev;
    json_t *msg = json_loads(line, 0, NULL);
    const char *event = json_string_value(json_object_get(msg, "event"));
    json_t *data = json_object_get(msg, "data");
    json_t *reply = json_object_get(msg, "reply");

    if (msg == NULL || dev->next != DEVICE_NEXT_NONE) {
        json_decref(msg);
        return;
    }
    if (event != NULL && json_is_object(data)) {
        uint64_t clock = (uint64_t)json_integer_value(json_object_get(data, "boot-time-ns"));

        if (strcmp(event, "BOOT_DONE") == 0) {
            dev->state = DEVICE_RUNNING;
            dev->boots++;
            json_decref(dev->last_boot);
            dev->last_boot = json_deep_copy(data);
            device_emit(dev, "BOOT_DONE", json_deep_copy(data), clock);
        } else if (strcmp(event, "BOOT_FAILED") == 0) {
            run->boot_failed = true;
            dev->state = DEVICE_HALTED;
            json_decref(dev->last_boot);
            dev->last_boot = json_deep_copy(data);
            device_emit(dev, "BOOT_FAILED", json_deep_copy(data), clock);
        } else if (strcmp(event, "POWER_LOSS") == 0) {
            run->power_loss = true;
            json_decref(run->loss);
            run->loss = json_deep_copy(data);
        }
    } else if (json_is_integer(reply)) {
        uint64_t id = (uint64_t)json_integer_value(reply);
        struct device_pending **pp = &dev->pending;

        while (*pp != NULL && (*pp)->id != id) {
            pp = &(*pp)->next;
        }
        if (*pp != NULL) {
            struct device_pending *p = *pp;
            json_t *ret = json_object_get(msg, "return");
            const char *error = json_string_value(json_object_get(msg, "error"));

            *pp = p->next;
            p->cb(p->arg, error == NULL ? json_incref(ret != NULL ? ret : json_null()) : NULL,
                  error);
            free(p);
        }
    }
    json_decref(msg);
}

static void device_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char dummy[1];
    struct device_run *run = h->data;

    (void)suggested;
    if (run->line == NULL) {
        run->line = malloc(FW_LINE_MAX);
        if (run->line == NULL) {
            *buf = uv_buf_init(dummy, 0);
            return;
        }
    }
    if (run->line_len >= FW_LINE_MAX - 1) {
        run->line_len = 0;
        run->line_overflow = true;
    }
    *buf = uv_buf_init(run->line + run->line_len, (unsigned)(FW_LINE_MAX - 1 - run->line_len));
}

static void device_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct device_run *run = s->data;
    char *nl;

    (void)buf;
    if (n < 0) {
        uv_read_stop(s);
        run->eof = true;
        if (run->exited) {
            device_run_finish(run);
        }
        return;
    }
    run->line_len += (size_t)n;
    while (run->line != NULL && (nl = memchr(run->line, '\n', run->line_len)) != NULL) {
        *nl = '\0';
        if (!run->line_overflow) {
            device_message(run, run->line);
        }
        run->line_overflow = false;
        run->line_len -= (size_t)(nl + 1 - run->line);
        memmove(run->line, nl + 1, run->line_len);
    }
}

/* Builds the runner's command line and starts it. */
static int device_spawn(struct device *dev)
{
    struct device_run *run;
    uv_process_options_t o;
    uv_stdio_container_t stdio[FW_FIRST_FLASH_FD + 2 * BOARD_MAX_DEVICES];
    char argbuf[48][CONFIG_PATH_MAX + 32];
    char *argv[50];
    int argc = 0;
    int fd = FW_FIRST_FLASH_FD;
    uint32_t i;
    int rc;

#define DEVICE_ARG(...) snprintf(argbuf[argc], sizeof(argbuf[0]), __VA_ARGS__), \
                        argv[argc] = argbuf[argc], argc++
    run = calloc(1, sizeof(*run));
    if (run == NULL) {
        return BO_ENOMEM;
    }
    run->dev = dev;
    memset(&o, 0, sizeof(o));
    memset(stdio, 0, sizeof(stdio));
    DEVICE_ARG("%s", dev->firmware);
    DEVICE_ARG("--name=%s", dev->cfg.name);
    DEVICE_ARG("--board=%s", dev->cfg.board);
    DEVICE_ARG("--mode=%s", boot_mode_name(dev->cfg.mode));
    DEVICE_ARG("--images=%u", (unsigned)dev->cfg.boot_images);
    for (i = 0; i < dev->cfg.key_count; i++) {
        DEVICE_ARG("--key=%s", dev->cfg.keys[i]);
    }
    if (!dev->cfg.validate_primary) {
        DEVICE_ARG("--no-validate");
    }
    if (dev->cfg.downgrade_prevention) {
        DEVICE_ARG("--downgrade-prevention");
    }
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 1;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    stdio[FW_PIPE_FD].flags = UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE;
    stdio[FW_PIPE_FD].data.stream = (uv_stream_t *)&run->pipe;
    for (i = 0; i < dev->flash_count; i++) {
        int mem_fd = fd++;

        stdio[mem_fd].flags = UV_INHERIT_FD;
        stdio[mem_fd].data.fd = dev->flash[i].fd;
        if (dev->flash[i].ecc_fd >= 0) {
            int ecc_fd = fd++;

            stdio[ecc_fd].flags = UV_INHERIT_FD;
            stdio[ecc_fd].data.fd = dev->flash[i].ecc_fd;
            DEVICE_ARG("--flash=%d:%d", mem_fd, ecc_fd);
        } else {
            DEVICE_ARG("--flash=%d", mem_fd);
        }
    }
    if (dev->cut.armed) {
        DEVICE_ARG("--cut-at=%llu", (unsigned long long)dev->cut.at);
        DEVICE_ARG("--cut-model=%s", vflash_cut_model_name(dev->cut.cut.model));
        DEVICE_ARG("--cut-seed=%llu", (unsigned long long)dev->cut.cut.seed);
        if (dev->cut.cut.units != VFLASH_CUT_SEEDED) {
            DEVICE_ARG("--cut-units=%u", (unsigned)dev->cut.cut.units);
        }
        if (dev->cut.cut.permille != VFLASH_CUT_SEEDED) {
            DEVICE_ARG("--cut-permille=%u", (unsigned)dev->cut.cut.permille);
        }
        dev->cut.armed = false;
    }
#undef DEVICE_ARG
    argv[argc] = NULL;
    o.file = dev->firmware;
    o.args = argv;
    o.exit_cb = device_exit_cb;
    o.stdio = stdio;
    o.stdio_count = fd;
    /* Its own session: a terminal's Ctrl-C or a group kill reaches the daemon, not the part. */
    o.flags = UV_PROCESS_DETACHED;
    uv_pipe_init(dev->loop, &run->pipe, 0);
    run->pipe.data = run;
    run->proc.data = run;
    run->open_handles = 1;
    rc = uv_spawn(dev->loop, &run->proc, &o);
    if (rc != 0) {
        fprintf(stderr, "brownoutd: device %s: cannot start %s: %s\n", dev->cfg.name,
                dev->firmware, uv_strerror(rc));
        uv_close((uv_handle_t *)&run->pipe, device_run_handle_closed);
        uv_close((uv_handle_t *)&run->proc, NULL);
        return BO_EOS;
    }
    run->open_handles = 2;
    dev->run = run;
    dev->state = DEVICE_BOOTING;
    uv_read_start((uv_stream_t *)&run->pipe, device_alloc_cb, device_read_cb);
    return 0;
}

int device_power_on(struct device *dev)
{
    int rc;

    if (dev->closing || dev->run != NULL) {
        return BO_ESTATE;
    }
    if (dev->timer != NULL) {
        uv_timer_stop(dev->timer);
    }
    rc = device_spawn(dev);
    if (rc == 0) {
        device_emit(dev, "POWER_ON", NULL, 0);
    }
    return rc;
}

/* Kills the run; what follows is decided by next once it is over. */
static void device_kill(struct device *dev, enum device_next next)
{
    dev->next = next;
    if (!dev->run->exited) {
        uv_process_kill(&dev->run->proc, SIGKILL);
    }
}

int device_power_off(struct device *dev)
{
    if (dev->timer != NULL) {
        uv_timer_stop(dev->timer);
    }
    if (dev->run == NULL) {
        if (dev->state == DEVICE_OFF) {
            return BO_ESTATE;
        }
        dev->state = DEVICE_OFF;
        device_emit(dev, "POWER_OFF", NULL, 0);
        return 0;
    }
    if (dev->next != DEVICE_NEXT_NONE) {
        return BO_ESTATE;
    }
    device_kill(dev, DEVICE_NEXT_OFF);
    return 0;
}

int device_reset(struct device *dev)
{
    if (dev->closing) {
        return BO_ESTATE;
    }
    dev->resets++;
    device_emit(dev, "RESET", NULL, 0);
    if (dev->run == NULL) {
        dev->state = DEVICE_OFF;
        if (dev->timer != NULL) {
            uv_timer_stop(dev->timer);
        }
        return device_spawn(dev);
    }
    device_kill(dev, DEVICE_NEXT_RESET);
    return 0;
}

int device_cut_now(struct device *dev)
{
    if (dev->run == NULL || dev->next != DEVICE_NEXT_NONE) {
        return BO_ESTATE;
    }
    device_kill(dev, DEVICE_NEXT_CUT);
    return 0;
}

void device_arm_cut(struct device *dev, uint64_t at, const struct vflash_cut *cut)
{
    dev->cut.armed = true;
    dev->cut.at = at;
    dev->cut.cut = *cut;
}

static void device_write_cb(uv_write_t *req, int status)
{
    struct device_write *w = (struct device_write *)req;

    (void)status;
    free(w->text);
    free(w);
}

int device_request(struct device *dev, const char *cmd, device_reply_fn cb, void *arg)
{
    struct device_pending *p;
    struct device_write *w;
    uv_buf_t buf;
    json_t *msg;
    int n;

    if (dev->run == NULL || dev->state != DEVICE_RUNNING || dev->next != DEVICE_NEXT_NONE) {
        return BO_ESTATE;
    }
    p = calloc(1, sizeof(*p));
    w = calloc(1, sizeof(*w));
    msg = json_pack("{s:s, s:I}", "cmd", cmd, "id", (json_int_t)++dev->next_req_id);
    if (p == NULL || w == NULL || msg == NULL) {
        free(p);
        free(w);
        json_decref(msg);
        return BO_ENOMEM;
    }
    w->text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (w->text == NULL) {
        free(p);
        free(w);
        return BO_ENOMEM;
    }
    n = (int)strlen(w->text);
    w->text[n] = '\n';
    buf = uv_buf_init(w->text, (unsigned)n + 1);
    if (uv_write(&w->req, (uv_stream_t *)&dev->run->pipe, &buf, 1, device_write_cb) != 0) {
        free(w->text);
        free(w);
        free(p);
        return BO_ESTATE;
    }
    p->id = dev->next_req_id;
    p->cb = cb;
    p->arg = arg;
    p->next = dev->pending;
    dev->pending = p;
    return 0;
}

/* ---- Shutdown. ---- */

static void device_timer_closed(uv_handle_t *h)
{
    struct device *dev = h->data;

    free(h);
    dev->timer = NULL;
    if (dev->run == NULL) {
        device_closed_cb(dev);
    }
}

static void device_closed_cb(struct device *dev)
{
    void (*cb)(struct device *) = dev->on_closed;

    if (dev->timer != NULL || dev->run != NULL || cb == NULL) {
        return;
    }
    dev->on_closed = NULL;
    cb(dev);
}

void device_close(struct device *dev, void (*on_closed)(struct device *dev))
{
    dev->closing = true;
    dev->on_closed = on_closed;
    if (dev->run != NULL) {
        device_kill(dev, DEVICE_NEXT_CLOSE);
    }
    if (dev->timer != NULL) {
        if (!uv_is_closing((uv_handle_t *)dev->timer)) {
            uv_close((uv_handle_t *)dev->timer, device_timer_closed);
        }
        return;
    }
    device_closed_cb(dev);
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

void device_free(struct device *dev)
{
    uint32_t i;

    device_flush(dev);
    port_flash_map_free(&dev->map);
    for (i = 0; i < BOARD_MAX_DEVICES; i++) {
        struct device_flash *fl = &dev->flash[i];

        vflash_free(&fl->vf);
        if (fl->mem != NULL) {
            munmap(fl->mem, fl->size);
        }
        if (fl->ecc != NULL) {
            munmap(fl->ecc, fl->ecc_len);
        }
        if (fl->fd >= 0) {
            close(fl->fd);
        }
        if (fl->ecc_fd >= 0) {
            close(fl->ecc_fd);
        }
        fl->mem = NULL;
        fl->ecc = NULL;
        fl->fd = -1;
        fl->ecc_fd = -1;
    }
    json_decref(dev->last_boot);
    json_decref(dev->last_loss);
    dev->last_boot = NULL;
    dev->last_loss = NULL;
    dev->flash_count = 0;
}

/* ---- JSON views. ---- */

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
            json_array_append_new(runs, json_pack("{s:I, s:I}", "count",
                                                  (json_int_t)g->runs[r].count, "size",
                                                  (json_int_t)g->runs[r].size));
        }
        o = json_pack("{s:s, s:I, s:I, s:o, s:I, s:s, s:s, s:s?}", "name", fl->name, "size",
                      (json_int_t)fl->size, "sectors", (json_int_t)fl->vf.sector_count,
                      "sector-runs", runs, "write-unit", (json_int_t)g->write_unit,
                      "erased-value", g->erased_val == 0 ? "0x00" : "0xff", "semantics",
                      vflash_semantics_name(g->semantics), "backing",
                      fl->path[0] != '\0' ? fl->path : NULL);
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *device_status_json(const struct device *dev)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:i}", "name",
                          dev->cfg.name, "board", dev->board.name, "mode",
                          boot_mode_name(dev->cfg.mode), "state", device_state_name(dev->state),
                          "power", dev->run != NULL, "boots", (json_int_t)dev->boots,
                          "power-losses", (json_int_t)dev->power_losses, "faults",
                          (json_int_t)dev->faults, "resets", (json_int_t)dev->resets, "pid",
                          device_pid(dev));

    if (o == NULL) {
        return NULL;
    }
    json_object_set_new(o, "last-boot",
                        dev->last_boot != NULL ? json_deep_copy(dev->last_boot) : json_null());
    json_object_set_new(o, "last-power-loss",
                        dev->last_loss != NULL ? json_deep_copy(dev->last_loss) : json_null());
    if (dev->cut.armed) {
        json_object_set_new(o, "armed-cut",
                            json_pack("{s:I, s:s, s:I}", "at-op", (json_int_t)dev->cut.at,
                                      "fault", vflash_cut_model_name(dev->cut.cut.model), "seed",
                                      (json_int_t)dev->cut.cut.seed));
    } else {
        json_object_set_new(o, "armed-cut", json_null());
    }
    json_object_set_new(o, "auto-power-on", json_boolean(dev->cfg.auto_power_on));
    return o;
}
