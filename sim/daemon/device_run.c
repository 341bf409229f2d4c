/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware runs of a device: brownout-fw children, their pipes, power and reset, shutdown. */
#include "daemon/device.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "daemon/device_int.h"
#include "fw/fw.h"
#include "dtls/link_fault.h"

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
    json_t *loss; /* POWER_LOSS data from the firmware. */
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
        } else if (strcmp(event, "APP_READY") == 0 || strcmp(event, "APP_FAILED") == 0) {
            json_decref(dev->app);
            dev->app = json_deep_copy(data);
            if (dev->app != NULL) {
                json_object_set_new(dev->app, "ready", json_boolean(event[4] == 'R'));
            }
            device_emit(dev, event, json_deep_copy(data), 0);
        } else if (strcmp(event, "RESET_REQUEST") == 0) {
            /* The app's clean reset (POST /reboot): the same path as the reset command. */
            dev->reset_requests++;
            device_emit(dev, "RESET_REQUEST", json_deep_copy(data), 0);
            device_reset(dev);
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
    uv_stdio_container_t stdio[FW_FIRST_FLASH_FD + 3 * BOARD_MAX_DEVICES];
    char weak[24];
    char argbuf[80][CONFIG_NET_PAIR_MAX + 8];
    char *argv[82];
    char pairs[CONFIG_NET_PAIRS][CONFIG_NET_PAIR_MAX];
    size_t npairs;
    int argc = 0;
    int fd = FW_FIRST_FLASH_FD;
    uint32_t i;
    int rc;

#define DEVICE_ARG(...) \
    snprintf(argbuf[argc], sizeof(argbuf[0]), __VA_ARGS__), argv[argc] = argbuf[argc], argc++
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
    if (dev->cfg.max_sectors != 0) {
        DEVICE_ARG("--max-sectors=%u", (unsigned)dev->cfg.max_sectors);
    }
    for (i = 0; i < dev->cfg.key_count; i++) {
        DEVICE_ARG("--key=%s", dev->cfg.keys[i]);
    }
    if (!dev->cfg.validate_primary) {
        DEVICE_ARG("--no-validate");
    }
    if (dev->cfg.downgrade_prevention) {
        DEVICE_ARG("--downgrade-prevention");
    }
    DEVICE_ARG("--seed=%llu", (unsigned long long)dev->cfg.seed);
    npairs = config_net_pairs(&dev->cfg.net, pairs, CONFIG_NET_PAIRS);
    for (i = 0; i < npairs; i++) {
        DEVICE_ARG("--net=%.*s", CONFIG_NET_PAIR_MAX - 1, pairs[i]);
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
        weak[0] = '\0';
        if (dev->flash[i].weak_fd >= 0) {
            /* The weak map: weak bits of earlier runs stay weak in this one. */
            int weak_fd = fd++;

            stdio[weak_fd].flags = UV_INHERIT_FD;
            stdio[weak_fd].data.fd = dev->flash[i].weak_fd;
            snprintf(weak, sizeof(weak), ",weak=%d", weak_fd);
        }
        if (dev->flash[i].ecc_fd >= 0) {
            int ecc_fd = fd++;

            stdio[ecc_fd].flags = UV_INHERIT_FD;
            stdio[ecc_fd].data.fd = dev->flash[i].ecc_fd;
            DEVICE_ARG("--flash=%d:%d%s", mem_fd, ecc_fd, weak);
        } else {
            DEVICE_ARG("--flash=%d%s", mem_fd, weak);
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
        fprintf(stderr, "brownoutd: device %s: cannot start %s: %s\n", dev->cfg.name, dev->firmware,
                uv_strerror(rc));
        uv_close((uv_handle_t *)&run->pipe, device_run_handle_closed);
        uv_close((uv_handle_t *)&run->proc, NULL);
        return BO_EOS;
    }
    run->open_handles = 2;
    dev->run = run;
    dev->state = DEVICE_BOOTING;
    json_decref(dev->app);
    dev->app = NULL;
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
    return device_request_args(dev, cmd, NULL, cb, arg);
}

int device_request_args(struct device *dev, const char *cmd, json_t *extra, device_reply_fn cb,
                        void *arg)
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
    if (msg != NULL && extra != NULL && json_object_update_missing(msg, extra) != 0) {
        json_decref(msg);
        msg = NULL;
    }
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

int device_set_link(struct device *dev, const char *spec, device_reply_fn cb, void *arg, char *err,
                    size_t err_len)
{
    struct link_fault_config lf;
    json_t *extra;
    int rc;

    if (!dev->cfg.net.enabled) {
        snprintf(err, err_len, "device %s has no network (no address)", dev->cfg.name);
        return BO_ENOTSUP;
    }
    if (strlen(spec) >= sizeof(dev->cfg.net.link)) {
        snprintf(err, err_len, "longer than %d characters", (int)sizeof(dev->cfg.net.link) - 1);
        return BO_EINVAL;
    }
    if (link_fault_parse(&lf, spec, err, err_len) < 0) {
        return BO_EINVAL;
    }
    memcpy(dev->cfg.net.link, spec, strlen(spec) + 1);
    if (dev->app == NULL || !json_is_true(json_object_get(dev->app, "ready"))) {
        return 1;
    }
    extra = json_pack("{s:s}", "link", spec);
    if (extra == NULL) {
        return BO_ENOMEM;
    }
    rc = device_request_args(dev, "set-link", extra, cb, arg);
    json_decref(extra);
    return rc == BO_ESTATE ? 1 : rc;
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
