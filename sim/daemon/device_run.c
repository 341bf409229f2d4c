/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware runs of a device: brownout-fw children, their pipes, power and reset, shutdown. */
#include "daemon/device.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bo_err.h"
#include "daemon/device_int.h"
#include "fw/fw.h"
#include "daemon/spawner.h"
#include "util/argv_build.h"
#include "dtls/link_fault.h"

int device_pid(const struct device *dev)
{
    return dev->run != NULL && !dev->run->exited ? dev->run->proc.pid : 0;
}

/* ---- Runs. ---- */

static void device_closed_cb(struct device *dev);

static void device_run_handle_closed(uv_handle_t *h)
{
    /* The poll handle's data is its struct device_proc, the pipe's the run. */
    struct device_run *run = h->type == UV_POLL ? ((struct device_proc *)h->data)->data : h->data;
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
    device_req_fail_all(dev, "the firmware stopped");
    if (!uv_is_closing((uv_handle_t *)&run->pipe)) {
        uv_close((uv_handle_t *)&run->pipe, device_run_handle_closed);
    }
    (void)device_proc_close(&run->proc, device_run_handle_closed);
    if (dev->lost) {
        dev->state = DEVICE_FAULT;
        return;
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

static void device_exit_cb(struct device_proc *proc, int64_t exit_status, int term_signal)
{
    struct device_run *run = proc->data;

    run->exited = true;
    run->exit_status = exit_status;
    run->term_signal = term_signal;
    if (run->eof) {
        device_run_finish(run);
    }
}

/* The run started by the spawner says its pid (its first line): watch it from now on. */
static void device_run_adopt(struct device_run *run, json_t *msg)
{
    struct device *dev = run->dev;
    json_int_t pid = json_integer_value(json_object_get(msg, "spawned"));
    json_t *err = json_object_get(msg, "spawn-error");
    int rc;

    if (json_is_integer(err)) {
        /* Its exit (127) follows, seen through the pidfd. */
        fprintf(stderr, "brownoutd: device %s: cannot start %s: %s\n", dev->cfg.name, dev->firmware,
                strerror((int)json_integer_value(err)));
        return;
    }
    if (run->proc.watching || run->exited || pid <= 0 || pid > INT32_MAX) {
        return;
    }
    rc = device_proc_adopt(dev->loop, &run->proc, (int)pid);
    if (rc < 0) {
        fprintf(stderr, "brownoutd: device %s: cannot watch its firmware (pid %d): %s\n",
                dev->cfg.name, (int)pid, strerror(-rc));
        device_exit_cb(&run->proc, -1, 0);
        return;
    }
    run->open_handles++;
    if (dev->next != DEVICE_NEXT_NONE) {
        /* Killed before its pid was known. */
        (void)device_proc_kill(&run->proc, SIGKILL);
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

    if (msg != NULL &&
        (json_object_get(msg, "spawned") != NULL || json_object_get(msg, "spawn-error") != NULL)) {
        device_run_adopt(run, msg);
        json_decref(msg);
        return;
    }
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
        device_req_reply(dev, (uint64_t)json_integer_value(reply), msg);
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
        if (!run->exited && run->proc.pid == 0) {
            /* Its pid never came: the spawner died before starting it. Nothing to wait for. */
            fprintf(stderr, "brownoutd: device %s: the firmware did not start\n",
                    run->dev->cfg.name);
            run->exited = true;
            run->exit_status = -1;
        }
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

/* The device's options: identity, boot policy, keys, seed and network. */
static void device_spawn_options(struct device *dev, struct argv_build *a)
{
    char pairs[CONFIG_NET_PAIRS][CONFIG_NET_PAIR_MAX];
    size_t npairs;
    uint32_t i;

    argv_build_add(a, "%s", dev->firmware);
    argv_build_add(a, "--name=%s", dev->cfg.name);
    argv_build_add(a, "--board=%s", dev->cfg.board);
    argv_build_add(a, "--mode=%s", boot_mode_name(dev->cfg.mode));
    argv_build_add(a, "--images=%u", (unsigned)dev->cfg.boot_images);
    if (dev->cfg.max_sectors != 0) {
        argv_build_add(a, "--max-sectors=%u", (unsigned)dev->cfg.max_sectors);
    }
    for (i = 0; i < dev->cfg.key_count; i++) {
        argv_build_add(a, "--key=%s", dev->cfg.keys[i]);
    }
    if (!dev->cfg.validate_primary) {
        argv_build_add(a, "--no-validate");
    }
    if (dev->cfg.downgrade_prevention) {
        argv_build_add(a, "--downgrade-prevention");
    }
    if (dev->cfg.bootloader != BL_BROWNOUT) {
        argv_build_add(a, "--bootloader=%s", bl_kind_name(dev->cfg.bootloader));
    }
    argv_build_add(a, "--seed=%llu", (unsigned long long)dev->cfg.seed);
    npairs = config_net_pairs(&dev->cfg.net, pairs, CONFIG_NET_PAIRS);
    for (i = 0; i < npairs; i++) {
        argv_build_add(a, "--net=%.*s", CONFIG_NET_PAIR_MAX - 1, pairs[i]);
    }
}

/* The armed power cut, handed to this run and disarmed. */
static void device_spawn_cut(struct device *dev, struct argv_build *a)
{
    if (!dev->cut.armed) {
        return;
    }
    argv_build_add(a, "--cut-at=%llu", (unsigned long long)dev->cut.at);
    argv_build_add(a, "--cut-model=%s", vflash_cut_model_name(dev->cut.cut.model));
    argv_build_add(a, "--cut-seed=%llu", (unsigned long long)dev->cut.cut.seed);
    if (dev->cut.cut.units != VFLASH_CUT_SEEDED) {
        argv_build_add(a, "--cut-units=%u", (unsigned)dev->cut.cut.units);
    }
    if (dev->cut.cut.permille != VFLASH_CUT_SEEDED) {
        argv_build_add(a, "--cut-permille=%u", (unsigned)dev->cut.cut.permille);
    }
    dev->cut.armed = false;
}

/* Hands each flash device's memory (and weak and ECC maps) to the run. \return fd count. */
static int device_spawn_flash(struct device *dev, struct argv_build *a, int *fds)
{
    int fd = FW_FIRST_FLASH_FD;
    char weak[24];
    uint32_t i;

    for (i = 0; i < dev->flash_count; i++) {
        int mem_fd = fd++;

        fds[mem_fd] = dev->flash[i].fd;
        weak[0] = '\0';
        if (dev->flash[i].weak_fd >= 0) {
            /* The weak map: weak bits of earlier runs stay weak in this one. */
            int weak_fd = fd++;

            fds[weak_fd] = dev->flash[i].weak_fd;
            snprintf(weak, sizeof(weak), ",weak=%d", weak_fd);
        }
        if (dev->flash[i].ecc_fd >= 0) {
            int ecc_fd = fd++;

            fds[ecc_fd] = dev->flash[i].ecc_fd;
            argv_build_add(a, "--flash=%d:%d%s", mem_fd, ecc_fd, weak);
        } else {
            argv_build_add(a, "--flash=%d%s", mem_fd, weak);
        }
    }
    return fd;
}

/*
 * Starts the run through the spawner (its pid comes later, on the pipe), or when there is none
 * or it is busy, directly. \return 0 or a negative errno value.
 */
static int device_spawn_start(struct device *dev, struct device_run *run, char **argv,
                              const int *fds, int count)
{
    int rc = BO_ESTATE;

    if (dev->spawner != NULL) {
        rc = spawner_spawn(dev->spawner, dev->firmware, argv, fds, count);
    }
    if (rc == 0) {
        device_proc_pending(&run->proc, device_exit_cb);
        run->proc.data = run;
        return 0;
    }
    if (dev->spawner != NULL) {
        dev->spawner->direct++;
    }
    rc = device_proc_spawn(dev->loop, &run->proc, dev->firmware, argv, fds, count, device_exit_cb);
    run->proc.data = run;
    if (rc == 0) {
        run->open_handles++;
    }
    return rc;
}

/* Says in one line why a run could not start. \return BO_EOS. */
static int device_spawn_failed(struct device *dev, int err)
{
    fprintf(stderr, "brownoutd: device %s: cannot start %s: %s\n", dev->cfg.name, dev->firmware,
            strerror(err));
    return BO_EOS;
}

/*
 * Starts the run's process with its pipe (a socket pair: the run's end becomes FW_PIPE_FD).
 * fds[FW_PIPE_FD..count) are the descriptors the run gets. On failure run is freed (at once, or
 * by the pipe's close callback). \return 0 or BO_EOS.
 */
static int device_spawn_process(struct device *dev, struct device_run *run, char **argv, int *fds,
                                int count)
{
    int sv[2];
    int rc;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = errno;
        free(run);
        return device_spawn_failed(dev, rc);
    }
    uv_pipe_init(dev->loop, &run->pipe, 0);
    run->pipe.data = run;
    run->open_handles = 1;
    rc = uv_pipe_open(&run->pipe, sv[0]);
    if (rc < 0) {
        close(sv[0]);
    } else {
        fds[FW_PIPE_FD] = sv[1];
        rc = device_spawn_start(dev, run, argv, fds + FW_PIPE_FD, count - FW_PIPE_FD);
    }
    close(sv[1]);
    if (rc < 0) {
        uv_close((uv_handle_t *)&run->pipe, device_run_handle_closed);
        return device_spawn_failed(dev, -rc);
    }
    return 0;
}

/* Builds the runner's command line and starts it. */
static int device_spawn(struct device *dev)
{
    int fds[FW_FIRST_FLASH_FD + 3 * BOARD_MAX_DEVICES];
    struct argv_build a;
    struct device_run *run = calloc(1, sizeof(*run));
    char **argv;
    uint32_t i;
    int count;
    int rc = BO_ENOMEM;

    argv_build_init(&a);
    if (run == NULL) {
        goto out;
    }
    run->dev = dev;
    device_spawn_options(dev, &a);
    count = device_spawn_flash(dev, &a, fds);
    device_spawn_cut(dev, &a);
    for (i = 0; i < dev->flash_fault_count; i++) {
        char spec[128];

        if (fw_fault_format(&dev->flash_faults[i], spec, sizeof(spec)) == 0) {
            argv_build_add(&a, "--flash-fault=%s", spec);
        }
    }
    argv = argv_build_argv(&a);
    if (argv == NULL) {
        free(run);
        goto out;
    }
    rc = device_spawn_process(dev, run, argv, fds, count);
    if (rc < 0) {
        goto out; /* run is freed. */
    }
    dev->run = run;
    dev->state = DEVICE_BOOTING;
    json_decref(dev->app);
    dev->app = NULL;
    uv_read_start((uv_stream_t *)&run->pipe, device_alloc_cb, device_read_cb);
out:
    argv_build_free(&a);
    return rc;
}

int device_power_on(struct device *dev)
{
    int rc;

    if (dev->closing || dev->run != NULL || dev->lost) {
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
        (void)device_proc_kill(&dev->run->proc, SIGKILL);
    }
}

void device_lose_run(struct device *dev)
{
    if (dev->timer != NULL) {
        uv_timer_stop(dev->timer);
    }
    dev->state = DEVICE_FAULT;
    if (dev->run != NULL && dev->next == DEVICE_NEXT_NONE) {
        device_kill(dev, DEVICE_NEXT_CLOSE);
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
    if (dev->closing || dev->lost) {
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

    if (dev->timer != NULL || dev->req_timer != NULL || dev->run != NULL || cb == NULL) {
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
    device_req_fail_all(dev, "the daemon is stopping");
    (void)device_req_close(dev, device_closed_cb);
    if (dev->timer != NULL) {
        if (!uv_is_closing((uv_handle_t *)dev->timer)) {
            uv_close((uv_handle_t *)dev->timer, device_timer_closed);
        }
        return;
    }
    device_closed_cb(dev);
}
