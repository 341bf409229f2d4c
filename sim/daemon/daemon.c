/* SPDX-License-Identifier: Apache-2.0 */
/* brownoutd's loop owner: devices, control socket, FUSE view, signals, reload. */
#include "daemon/daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "bo_err.h"
#include "config/config_mcuboot.h"
#include "config/config_start.h"
#include "util/grow.h"

static const char *const daemon_caps[] = {
    "devices", "power-cut", "flash", "images", "events", NULL
};

void daemon_init(struct daemon *d)
{
    memset(d, 0, sizeof(*d));
    spawner_init(&d->spawner);
    control_init(&d->control);
    fuse_view_init(&d->fuse);
}

struct device *daemon_device(struct daemon *d, const char *name)
{
    uint32_t i;

    for (i = 0; name != NULL && i < d->device_count; i++) {
        if (strcmp(d->devices[i]->cfg.name, name) == 0) {
            return d->devices[i];
        }
    }
    return NULL;
}

void daemon_emit(struct daemon *d, const char *event, json_t *data, uint64_t clock_ns)
{
    char *text = data != NULL ? json_dumps(data, JSON_COMPACT) : NULL;

    d->events++;
    if (!d->cfg.quiet) {
        fprintf(stderr, "brownoutd: event %s %s\n", event, text != NULL ? text : "{}");
    }
    free(text);
    if (d->control_up) {
        if (clock_ns != 0) {
            control_emit_clock(&d->control, event, data, clock_ns);
        } else {
            control_emit(&d->control, event, data);
        }
    } else {
        json_decref(data);
    }
}

/* Device event sink. */
static void daemon_device_event(void *arg, const char *event, json_t *data, uint64_t clock_ns)
{
    daemon_emit(arg, event, data, clock_ns);
}

/* Renders MOUNT/<device>/status.json. */
static int daemon_fuse_status(void *arg, char **out)
{
    json_t *st = device_status_json(arg);

    if (st == NULL) {
        return BO_ENOMEM;
    }
    *out = json_dumps(st, JSON_INDENT(2));
    json_decref(st);
    return *out != NULL ? 0 : BO_ENOMEM;
}

/* Shows a device in the FUSE view. */
static void daemon_fuse_add(struct daemon *d, struct device *dev)
{
    struct fuse_view_device desc;
    int rc;

    if (!d->fuse_up) {
        return;
    }
    rc = fuse_view_device_from_map(&desc, dev->cfg.name, &dev->board, &dev->map);
    if (rc == 0) {
        desc.status = daemon_fuse_status;
        desc.cb_arg = dev;
        rc = fuse_view_add_device(&d->fuse, &desc);
    }
    if (rc < 0) {
        fprintf(stderr, "brownoutd: device %s: not shown in FUSE: %s\n", dev->cfg.name,
                bo_strerror(rc));
    }
}

/*
 * The firmware program of a device: the daemon's, or for bootloader = mcuboot its variant's
 * (config_mcuboot.h; the start check built it). \return 0, or BO_EINVAL with err filled.
 */
static int daemon_device_firmware(struct daemon *d, const struct config_device *cfg, char *prog,
                                  size_t prog_len, char *err, size_t err_len)
{
    struct config_mcuboot *m;
    int rc;

    if (cfg->bootloader != BL_MCUBOOT) {
        snprintf(prog, prog_len, "%s", d->cfg.firmware);
        return 0;
    }
    m = malloc(sizeof(*m));
    if (m == NULL) {
        return BO_ENOMEM;
    }
    rc = config_mcuboot_resolve(&d->cfg, cfg, m, err, err_len);
    if (rc == 0) {
        snprintf(prog, prog_len, "%s", m->program);
    }
    free(m);
    return rc == 0 ? 0 : BO_EINVAL;
}

/* Makes room for one more device in the daemon's table. */
static int daemon_grow_devices(struct daemon *d)
{
    void *arr = d->devices;
    int rc = grow_one(&arr, &d->device_cap, d->device_count, sizeof(*d->devices), 16);

    d->devices = arr;
    return rc;
}

int daemon_add_device(struct daemon *d, const struct config_device *cfg, char *err, size_t err_len)
{
    char firmware[CONFIG_PATH_MAX];
    const char *timeout;
    struct device *dev;
    int rc;

    rc = daemon_grow_devices(d);
    if (rc < 0) {
        snprintf(err, err_len, "device table: %s", bo_strerror(rc));
        return rc;
    }
    rc = daemon_device_firmware(d, cfg, firmware, sizeof(firmware), err, err_len);
    if (rc < 0) {
        return rc;
    }
    dev = malloc(sizeof(*dev));
    if (dev == NULL) {
        return BO_ENOMEM;
    }
    device_init(dev);
    rc = device_setup(dev, d->loop, cfg, firmware, daemon_device_event, d, err, err_len);
    if (rc < 0) {
        if (dev->timer != NULL) {
            free(dev->timer);
            dev->timer = NULL;
        }
        device_free(dev);
        free(dev);
        return rc;
    }
    timeout = getenv("BROWNOUT_REQUEST_TIMEOUT_MS");
    if (timeout != NULL && atoi(timeout) > 0) {
        /* For tests: how long a request to the firmware may take. */
        dev->request_timeout_ms = (uint32_t)atoi(timeout);
    }
    dev->spawner = &d->spawner;
    d->devices[d->device_count++] = dev;
    d->devices_open++;
    daemon_fuse_add(d, dev);
    if (cfg->auto_power_on && !d->stopping && d->control_up) {
        rc = device_power_on(dev);
        if (rc < 0) {
            fprintf(stderr, "brownoutd: device %s: power-on failed: %s\n", cfg->name,
                    bo_strerror(rc));
        }
    }
    return 0;
}

/* ---- Shutdown. ---- */

static void daemon_maybe_done(struct daemon *d)
{
    uint32_t i;

    if (!d->stopping || d->devices_open > 0 || (d->control_up && !control_closed(&d->control))) {
        return;
    }
    if (d->sig_init) {
        for (i = 0; i < 3; i++) {
            if (!uv_is_closing((uv_handle_t *)&d->sig[i])) {
                uv_close((uv_handle_t *)&d->sig[i], NULL);
            }
        }
    }
}

static void daemon_device_closed(struct device *dev)
{
    struct daemon *d = dev->emit_arg;

    d->devices_open--;
    daemon_maybe_done(d);
}

/* A client left: the requests it had forwarded to firmware are dropped now. */
static void daemon_client_gone(void *ctx, uint64_t client)
{
    struct daemon *d = ctx;
    uint32_t i;

    for (i = 0; i < d->device_count; i++) {
        device_request_cancel(d->devices[i], client);
    }
}

static void daemon_control_closed(void *ctx)
{
    daemon_maybe_done(ctx);
}

void daemon_stop(struct daemon *d, const char *reason)
{
    uint32_t i;

    if (d->stopping) {
        return;
    }
    d->stopping = true;
    sd_notify(0, "STOPPING=1");
    daemon_loop_stop(&d->loop_stats);
    if (d->control_up) {
        /* A daemon that never started said why in one line already. */
        fprintf(stderr, "brownoutd: shutting down (%s)\n", reason);
    }
    if (d->fuse_up) {
        fuse_view_free(&d->fuse);
        d->fuse_up = false;
    }
    for (i = 0; i < d->device_count; i++) {
        device_close(d->devices[i], daemon_device_closed);
    }
    if (d->control_up) {
        control_close(&d->control, reason);
    }
    daemon_maybe_done(d);
}

/* ---- Reload. ---- */

/* Applies the re-read configuration cfg to the running device dev. */
static void daemon_reload_device(struct device *dev, const struct config *cfg)
{
    int j = config_find_device(cfg, dev->cfg.name);
    const struct config_device *n;

    if (j < 0) {
        fprintf(stderr,
                "brownoutd: SIGHUP: device %s removed from the configuration; "
                "it keeps running until a restart\n",
                dev->cfg.name);
        return;
    }
    n = &cfg->devices[j];
    if (strcmp(n->board, dev->cfg.board) != 0 || n->flash_in_ram != dev->cfg.flash_in_ram ||
        n->flash_count != dev->cfg.flash_count ||
        memcmp(n->flash, dev->cfg.flash, sizeof(n->flash)) != 0) {
        fprintf(stderr,
                "brownoutd: SIGHUP: device %s: board or flash change needs a "
                "restart\n",
                dev->cfg.name);
    }
    /* Applied live or at the next power-on: the runner gets them on each spawn. */
    dev->cfg.mode = n->mode;
    dev->cfg.boot_images = n->boot_images;
    dev->cfg.max_sectors = n->max_sectors;
    memcpy(dev->cfg.keys, n->keys, sizeof(n->keys));
    dev->cfg.key_count = n->key_count;
    dev->cfg.validate_primary = n->validate_primary;
    dev->cfg.downgrade_prevention = n->downgrade_prevention;
    dev->cfg.auto_power_on = n->auto_power_on;
    dev->cfg.power_on_delay_ms = n->power_on_delay_ms;
    dev->cfg.seed = n->seed;
    /* The device app's network keys apply from the next power-on; a link set with
     * set-link is replaced by the file's, as the file is what SIGHUP re-reads. */
    dev->cfg.net = n->net;
}

static void daemon_reload(struct daemon *d)
{
    struct config *cfg;
    struct config_device *added;
    enum config_action action;
    char err[CONFIG_ERR_MAX];
    uint32_t i;

    if (d->argv == NULL) {
        fprintf(stderr, "brownoutd: SIGHUP: no command line to reload from\n");
        return;
    }
    cfg = malloc(sizeof(*cfg));
    if (cfg == NULL) {
        return;
    }
    config_init(cfg);
    if (config_parse_args(cfg, d->argc, d->argv, &action, err, sizeof(err)) < 0 ||
        config_start_check(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "brownoutd: SIGHUP: configuration not reloaded: %s\n", err);
        config_free(cfg);
        free(cfg);
        return;
    }
    fprintf(stderr, "brownoutd: SIGHUP: configuration re-read\n");
    if (strcmp(cfg->control, d->cfg.control) != 0) {
        fprintf(stderr, "brownoutd: SIGHUP: control socket change needs a restart\n");
    }
    if (strcmp(cfg->mount, d->cfg.mount) != 0 || cfg->fuse_nor != d->cfg.fuse_nor) {
        fprintf(stderr, "brownoutd: SIGHUP: mount or fuse-write change needs a restart\n");
    }
    for (i = 0; i < d->device_count; i++) {
        daemon_reload_device(d->devices[i], cfg);
    }
    for (i = 0; i < cfg->device_count; i++) {
        if (daemon_device(d, cfg->devices[i].name) == NULL) {
            if (daemon_add_device(d, &cfg->devices[i], err, sizeof(err)) < 0) {
                fprintf(stderr, "brownoutd: SIGHUP: device %s not added: %s\n",
                        cfg->devices[i].name, err);
            } else {
                fprintf(stderr, "brownoutd: SIGHUP: device %s added\n", cfg->devices[i].name);
                added = config_add_device(&d->cfg, cfg->devices[i].name);
                if (added != NULL) {
                    *added = cfg->devices[i];
                }
            }
        }
    }
    config_free(cfg);
    free(cfg);
}

static void daemon_signal_cb(uv_signal_t *h, int signum)
{
    struct daemon *d = h->data;

    if (signum == SIGHUP) {
        daemon_reload(d);
        return;
    }
    /* The same signal twice at once (sent to the process and its group) counts once. */
    if (d->signals_seen > 0 && uv_now(d->loop) - d->first_signal_ms < 200) {
        return;
    }
    if (d->signals_seen++ == 0) {
        d->first_signal_ms = uv_now(d->loop);
    } else {
        fprintf(stderr, "brownoutd: second %s, exiting now\n", strsignal(signum));
        _exit(128 + signum);
    }
    daemon_stop(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Resolves the firmware runner: brownout-fw next to this program. */
static void daemon_default_firmware(struct config *cfg)
{
    char self[CONFIG_PATH_MAX];
    ssize_t n;
    char *slash;

    if (cfg->firmware[0] != '\0') {
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(cfg->firmware, sizeof(cfg->firmware), "brownout-fw");
        return;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    snprintf(cfg->firmware, sizeof(cfg->firmware), "%.*s/brownout-fw",
             (int)(sizeof(cfg->firmware) - 16), self);
}

/* Mounts the FUSE view when asked (or says once that the daemon runs without it). */
static int daemon_mount(struct daemon *d, char *err, size_t err_len)
{
    int rc;

    if (d->cfg.mount[0] == '\0') {
        return 0;
    }
    mkdir(d->cfg.mount, 0755);
    rc = fuse_view_setup(&d->fuse, d->loop, d->cfg.mount, NULL);
    if (rc == BO_ENOTSUP) {
        fprintf(stderr, "brownoutd: /dev/fuse cannot be opened: running without FUSE\n");
        return 0;
    }
    if (rc < 0) {
        snprintf(err, err_len, "mount %s: %s", d->cfg.mount, bo_strerror(rc));
        return rc;
    }
    d->fuse_up = true;
    fuse_view_set_write_mode(&d->fuse,
                             d->cfg.fuse_nor ? FUSE_VIEW_WRITE_NOR : FUSE_VIEW_WRITE_PROGRAMMER);
    return 0;
}

/* --ready-fd: tells the parent, in one line, that the socket listens and the mount is up. */
static void daemon_ready_fd(struct daemon *d)
{
    static const char ready[] = "READY\n";

    if (!d->cfg.has_ready_fd) {
        return;
    }
    if (write(d->cfg.ready_fd, ready, sizeof(ready) - 1) != (ssize_t)(sizeof(ready) - 1)) {
        fprintf(stderr, "brownoutd: --ready-fd %d: %s\n", d->cfg.ready_fd, strerror(errno));
    }
    close(d->cfg.ready_fd);
    d->cfg.has_ready_fd = false;
}

/* The spawner (before the daemon grows: its one fork stays cheap) and the loop's counters. */
static int daemon_setup_loop(struct daemon *d, uv_loop_t *loop, char *err, size_t err_len)
{
    if (spawner_start(&d->spawner, loop) < 0) {
        fprintf(stderr, "brownoutd: no spawner process could be started: brownoutd starts "
                        "firmware runs itself\n");
    }
    if (daemon_loop_start(&d->loop_stats, loop) < 0) {
        snprintf(err, err_len, "loop statistics: %s", bo_strerror(BO_EOS));
        return BO_EOS;
    }
    return 0;
}

int daemon_setup(struct daemon *d, uv_loop_t *loop, const struct config *cfg, int argc, char **argv,
                 char *err, size_t err_len)
{
    static const int signums[3] = { SIGTERM, SIGINT, SIGHUP };
    struct control_config cc;
    uint32_t i;
    int rc;

    /* Descriptors inherited from whoever started the daemon must not reach firmware runs;
     * every descriptor the daemon opens itself is close-on-exec from its creation. */
    (void)close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
    d->loop = loop;
    if (config_clone(&d->cfg, cfg) < 0) {
        snprintf(err, err_len, "configuration: %s", bo_strerror(BO_ENOMEM));
        return BO_ENOMEM;
    }
    d->argc = argc;
    d->argv = argv;
    daemon_default_firmware(&d->cfg);
    if (access(d->cfg.firmware, X_OK) != 0) {
        snprintf(err, err_len, "firmware runner %s: %s", d->cfg.firmware, strerror(errno));
        return BO_EOS;
    }
    rc = daemon_setup_loop(d, loop, err, err_len);
    if (rc < 0) {
        return rc;
    }
    for (i = 0; i < 3; i++) {
        uv_signal_init(loop, &d->sig[i]);
        d->sig[i].data = d;
        uv_signal_start(&d->sig[i], daemon_signal_cb, signums[i]);
    }
    d->sig_init = true;

    rc = daemon_mount(d, err, err_len);
    if (rc < 0) {
        return rc;
    }
    memset(&cc, 0, sizeof(cc));
    cc.path = d->cfg.control;
    cc.version = BROWNOUT_VERSION;
    cc.capabilities = daemon_caps;
    cc.on_closed = daemon_control_closed;
    cc.on_client_gone = daemon_client_gone;
    cc.ctx = d;
    rc = daemon_cmds_register(d);
    if (rc < 0) {
        snprintf(err, err_len, "registering commands: %s", bo_strerror(rc));
        return rc;
    }
    /* Devices before the socket: a client that connects sees every device. */
    for (i = 0; i < d->cfg.device_count; i++) {
        rc = daemon_add_device(d, &d->cfg.devices[i], err, err_len);
        if (rc < 0) {
            return rc;
        }
    }
    rc = control_setup(&d->control, loop, &cc);
    if (rc < 0) {
        snprintf(err, err_len, "control socket %s: %s", d->cfg.control,
                 rc == BO_EBUSY ? "another daemon listens there" : bo_strerror(rc));
        return rc;
    }
    d->control_up = true;
    for (i = 0; i < d->device_count; i++) {
        if (d->devices[i]->cfg.auto_power_on) {
            rc = device_power_on(d->devices[i]);
            if (rc < 0) {
                fprintf(stderr, "brownoutd: device %s: power-on failed: %s\n",
                        d->devices[i]->cfg.name, bo_strerror(rc));
            }
        }
    }
    fprintf(stderr, "brownoutd: %u device(s), control socket %s%s%s\n", (unsigned)d->device_count,
            d->cfg.control, d->fuse_up ? ", FUSE view at " : "", d->fuse_up ? d->cfg.mount : "");
    sd_notify(0, "READY=1");
    daemon_ready_fd(d);
    return 0;
}

void daemon_free(struct daemon *d)
{
    uint32_t i;

    spawner_stop(&d->spawner);
    if (d->fuse_up) {
        fuse_view_free(&d->fuse);
        d->fuse_up = false;
    }
    for (i = 0; i < d->device_count; i++) {
        device_free(d->devices[i]);
        free(d->devices[i]);
    }
    free(d->devices);
    d->devices = NULL;
    d->device_count = 0;
    d->device_cap = 0;
    config_free(&d->cfg);
    control_free(&d->control);
}
