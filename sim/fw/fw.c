/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware runner: one power-on of a device over flash shared with the daemon. */
#include "fw/fw.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "bo_err.h"
#include "boot/boot_api.h"
#include "board/board_derive.h"
#include "config/config_int.h"
#include "control/control_event.h"
#include "fw/fw_app.h"
#include "image/keys.h"
#include "mbedtls/platform.h"
#include "util/errbuf.h"
#include "port_clock.h"
#include "port_flash_map.h"
#include "port_logsink.h"
#include "port_rng.h"

/* Everything of one run. */
struct fw_ctx {
    const struct fw_args *args;
    struct board board;
    struct vflash flash[BOARD_MAX_DEVICES];
    struct vflash *devs[BOARD_MAX_DEVICES];
    uint8_t *mem[BOARD_MAX_DEVICES];
    size_t mem_len[BOARD_MAX_DEVICES];
    uint8_t *ecc[BOARD_MAX_DEVICES];
    size_t ecc_len[BOARD_MAX_DEVICES];
    uint8_t *weak[BOARD_MAX_DEVICES];
    size_t weak_len[BOARD_MAX_DEVICES];
    uint64_t weak_at_power_on; /* Weak regions in flash when the run started. */
    struct port_flash_map map;
    struct port_clock clock;
    struct boot_config cfg;
    struct board_derived derived; /* Max-align and max-sectors of the board (board_derive.h). */
    struct keys_table keys;
    struct port_rng rng;
    uint64_t ops;        /* Flash operations of this run so far. */
    int cut_dev;         /* Device the cut was armed on; -1: not yet. */
    uint64_t cut_global; /* The run's op number of the cut. */
    const char *phase;   /* "boot" or "app". */
    const struct bl *bl; /* The bootloader the device runs (--bootloader). */
};

const char *fw_swap_type_name(uint8_t swap_type)
{
    switch (swap_type) {
    case BOOT_SWAP_TYPE_NONE:
        return "none";
    case BOOT_SWAP_TYPE_TEST:
        return "test";
    case BOOT_SWAP_TYPE_PERM:
        return "perm";
    case BOOT_SWAP_TYPE_REVERT:
        return "revert";
    case BOOT_SWAP_TYPE_FAIL:
        return "fail";
    default:
        return "panic";
    }
}

/* Writes one JSON message line to the daemon; a daemon that is gone ends the run. */
static void fw_send(struct fw_ctx *ctx, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    size_t len;
    size_t done = 0;

    json_decref(msg);
    if (text == NULL) {
        return;
    }
    len = strlen(text);
    text[len] = '\n';
    while (done <= len) {
        ssize_t n = write(ctx->args->pipe_fd, text + done, len + 1 - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The app phase made the pipe non-blocking: wait until the daemon reads. */
            struct pollfd pfd = { ctx->args->pipe_fd, POLLOUT, 0 };

            poll(&pfd, 1, -1);
            continue;
        }
        if (n <= 0) {
            free(text);
            _exit(0);
        }
        done += (size_t)n;
    }
    free(text);
}

/* An event to the daemon (no timestamp: the daemon adds it when it broadcasts). */
static json_t *fw_event(const char *name, json_t *data)
{
    return control_event_new(name, data, NULL);
}

/* The hook of every flash device: counts the run's operations and arms the cut at its op. */
static int fw_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    struct fw_ctx *ctx = arg;
    uint64_t n = ctx->ops++;

    if (ctx->args->cut_armed && n == ctx->args->cut_at && ctx->cut_dev < 0) {
        struct vflash_cut cut = ctx->args->cut;
        uint32_t i;

        cut.op_index = op->index;
        if (vflash_fault_arm_cut(dev, &cut) == 0) {
            for (i = 0; i < ctx->board.flash_count; i++) {
                if (ctx->devs[i] == dev) {
                    ctx->cut_dev = (int)i;
                }
            }
            ctx->cut_global = n;
        }
    }
    return 0;
}

/* Reports the power loss that stopped the run, then ends the process as power does. */
static void fw_power_loss(struct fw_ctx *ctx)
{
    struct vflash_cut_result res;
    json_t *data;

    memset(&res, 0, sizeof(res));
    data = json_pack("{s:I, s:s, s:s, s:I}", "op", (json_int_t)ctx->cut_global, "phase", ctx->phase,
                     "fault", vflash_cut_model_name(ctx->args->cut.model), "clock-ns",
                     (json_int_t)port_clock_now_ns(&ctx->clock));
    if (data != NULL && ctx->cut_dev >= 0 &&
        vflash_fault_cut_result(ctx->devs[ctx->cut_dev], &res) == 0 && res.reached) {
        json_object_set_new(data, "flash", json_string(ctx->board.flash[ctx->cut_dev].name));
        json_object_set_new(data, "applied", json_string(vflash_cut_model_name(res.applied)));
        json_object_set_new(data, "kind",
                            json_string(res.op.kind == VFLASH_OP_ERASE ? "erase" : "program"));
        json_object_set_new(data, "offset", json_integer(res.op.off));
        json_object_set_new(data, "length", json_integer(res.op.len));
        json_object_set_new(data, "seed", json_integer((json_int_t)ctx->args->cut.seed));
        if (res.applied == VFLASH_CUT_TORN_PREFIX) {
            json_object_set_new(data, "units", json_integer(res.prefix));
        }
        if (res.applied == VFLASH_CUT_ERASE_PARTIAL) {
            json_object_set_new(data, "permille", json_integer(res.permille));
        }
    }
    if (data != NULL) {
        fw_send(ctx, fw_event("POWER_LOSS", data));
    }
    _exit(0);
}

static void fw_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static json_t *fw_version_json(const struct image_version *v)
{
    char buf[48];

    snprintf(buf, sizeof(buf), "%u.%u.%u+%lu", v->major, v->minor, v->revision,
             (unsigned long)v->build);
    return json_string(buf);
}

/* Maps the shared weak map of flash device i and keeps the device's weak regions in it. */
static int fw_setup_weak(struct fw_ctx *ctx, uint32_t i, char *err, size_t err_len)
{
    const struct fw_args *a = ctx->args;
    struct stat st;
    void *p;
    int rc;

    if (fstat(a->weak_fd[i], &st) != 0 || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX) {
        errbuf_set(err, err_len, "flash %s: descriptor %d is no weak map", ctx->board.flash[i].name,
                   a->weak_fd[i]);
        return BO_EINVAL;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, a->weak_fd[i], 0);
    if (p == MAP_FAILED) {
        errbuf_set(err, err_len, "mmap: %s", strerror(errno));
        return BO_EOS;
    }
    ctx->weak[i] = p;
    ctx->weak_len[i] = (size_t)st.st_size;
    rc = vflash_fault_weak_attach(&ctx->flash[i], p, ctx->weak_len[i]);
    if (rc < 0) {
        errbuf_set(err, err_len, "flash %s: weak map: %s", ctx->board.flash[i].name,
                   bo_strerror(rc));
        return rc;
    }
    ctx->weak_at_power_on += vflash_fault_weak_count(&ctx->flash[i]);
    return 0;
}

/* Maps the flash and builds the devices and the map. */
static int fw_setup_flash(struct fw_ctx *ctx, char *err, size_t err_len)
{
    const struct fw_args *a = ctx->args;
    uint32_t i;
    int rc;

    if (a->flash_count != ctx->board.flash_count) {
        errbuf_set(err, err_len, "%u flash descriptors for a board of %u flash devices",
                   (unsigned)a->flash_count, (unsigned)ctx->board.flash_count);
        return BO_EINVAL;
    }
    for (i = 0; i < ctx->board.flash_count; i++) {
        const struct vflash_geometry *g = &ctx->board.flash[i].geom;
        uint32_t size = 0;
        struct stat st;
        void *p;

        vflash_geometry_check(g, &size);
        if (fstat(a->mem_fd[i], &st) != 0 || (uint64_t)st.st_size != size) {
            errbuf_set(err, err_len, "flash %s: descriptor %d is not %u bytes",
                       ctx->board.flash[i].name, a->mem_fd[i], (unsigned)size);
            return BO_EINVAL;
        }
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a->mem_fd[i], 0);
        if (p == MAP_FAILED) {
            errbuf_set(err, err_len, "mmap: %s", strerror(errno));
            return BO_EOS;
        }
        ctx->mem[i] = p;
        ctx->mem_len[i] = size;
        if (g->semantics == VFLASH_ECC) {
            size_t elen = vflash_ecc_map_size(g);

            if (a->ecc_fd[i] < 0 || fstat(a->ecc_fd[i], &st) != 0 || (uint64_t)st.st_size != elen) {
                errbuf_set(err, err_len, "flash %s: no ECC map of %zu bytes",
                           ctx->board.flash[i].name, elen);
                return BO_EINVAL;
            }
            p = mmap(NULL, elen, PROT_READ | PROT_WRITE, MAP_SHARED, a->ecc_fd[i], 0);
            if (p == MAP_FAILED) {
                errbuf_set(err, err_len, "mmap: %s", strerror(errno));
                return BO_EOS;
            }
            ctx->ecc[i] = p;
            ctx->ecc_len[i] = elen;
        }
        rc = vflash_setup(&ctx->flash[i], g, ctx->mem[i], size, ctx->ecc[i]);
        if (rc < 0) {
            errbuf_set(err, err_len, "vflash_setup: %s", bo_strerror(rc));
            return rc;
        }
        if (a->weak_fd[i] >= 0) {
            rc = fw_setup_weak(ctx, i, err, err_len);
            if (rc < 0) {
                return rc;
            }
        }
        vflash_set_clock(&ctx->flash[i], &ctx->clock);
        vflash_set_hook(&ctx->flash[i], fw_hook, ctx);
        ctx->devs[i] = &ctx->flash[i];
    }
    rc = fw_fault_apply(ctx->devs, ctx->board.flash_count, a->faults, a->fault_count);
    if (rc < 0) {
        errbuf_set(err, err_len, "--flash-fault: %s", bo_strerror(rc));
        return rc;
    }
    rc = port_flash_map_setup(&ctx->map, &ctx->board, ctx->devs, ctx->board.flash_count);
    if (rc < 0) {
        errbuf_set(err, err_len, "flash map: %s", bo_strerror(rc));
    }
    return rc;
}

/* Reads image 0's trailer states. */
static json_t *fw_state_json(struct fw_ctx *ctx)
{
    struct boot_api_config api = { ctx->cfg.max_align != 0 ? ctx->cfg.max_align : 8 };
    struct boot_swap_state pri;
    struct boot_swap_state sec;
    int rc1 = boot_read_swap_state_by_id_cfg(&api, FLASH_AREA_IMAGE_PRIMARY(0), &pri);
    int rc2 = boot_read_swap_state_by_id_cfg(&api, FLASH_AREA_IMAGE_SECONDARY(0), &sec);
    int next = boot_swap_type_multi_cfg(&api, 0);

    if (rc1 == BO_EPOWER || rc2 == BO_EPOWER) {
        fw_power_loss(ctx);
    }
    return json_pack(
        "{s:b, s:b, s:b, s:s}", "primary-magic-good", rc1 == 0 && pri.magic == BOOT_MAGIC_GOOD,
        "confirmed", rc1 == 0 && pri.image_ok == BOOT_FLAG_SET, "pending",
        rc2 == 0 && sec.magic == BOOT_MAGIC_GOOD, "next-swap", fw_swap_type_name((uint8_t)next));
}

/* Answers one request from the daemon; returns the reply message, or NULL for none. */
static json_t *fw_request_msg(struct fw_ctx *ctx, json_t *msg)
{
    const char *cmd = json_string_value(json_object_get(msg, "cmd"));
    json_t *id = json_object_get(msg, "id");
    json_t *reply;

    if (cmd == NULL) {
        return NULL;
    }
    reply = json_object();
    json_object_set(reply, "reply", id != NULL ? id : json_null());
    if (strcmp(cmd, "confirm") == 0) {
        int rc = ctx->bl->confirm(&ctx->cfg, 0);

        if (rc == BO_EPOWER) {
            fw_power_loss(ctx);
        }
        if (rc < 0) {
            json_object_set_new(reply, "error", json_string(bo_strerror(rc)));
        } else {
            json_object_set_new(reply, "return", fw_state_json(ctx));
        }
    } else if (strcmp(cmd, "set-pending") == 0) {
        int rc =
            ctx->bl->set_pending(&ctx->cfg, 0, json_is_true(json_object_get(msg, "permanent")));

        if (rc == BO_EPOWER) {
            fw_power_loss(ctx);
        }
        if (rc < 0) {
            json_object_set_new(reply, "error", json_string(bo_strerror(rc)));
        } else {
            json_object_set_new(reply, "return", fw_state_json(ctx));
        }
    } else if (strcmp(cmd, "state") == 0) {
        json_object_set_new(reply, "return", fw_state_json(ctx));
    } else if (strcmp(cmd, "crash") == 0 || strcmp(cmd, "crash-segv") == 0) {
        if (strcmp(cmd, "crash-segv") == 0) {
            signal(SIGSEGV, SIG_DFL);
            raise(SIGSEGV);
        }
        abort();
    } else {
        json_object_set_new(reply, "error", json_string("unknown request"));
    }
    return reply;
}

/* Handles one request line from the daemon. */
static void fw_request(struct fw_ctx *ctx, const char *line)
{
    json_t *msg = json_loads(line, 0, NULL);
    json_t *reply = msg != NULL ? fw_request_msg(ctx, msg) : NULL;

    json_decref(msg);
    if (reply != NULL) {
        fw_send(ctx, reply);
    }
}

/* ---- Hooks of the networked application (fw_app.c). ---- */

static json_t *fw_host_request(void *arg, json_t *msg)
{
    return fw_request_msg(arg, msg);
}

static void fw_host_send(void *arg, json_t *msg)
{
    fw_send(arg, msg);
}

/* A cut that fired during an app flash operation ends the run as it does during the boot. */
static void fw_host_check_power(void *arg)
{
    struct fw_ctx *ctx = arg;
    struct vflash_cut_result res;

    memset(&res, 0, sizeof(res));
    if (ctx->cut_dev >= 0 && vflash_fault_cut_result(ctx->devs[ctx->cut_dev], &res) == 0 &&
        res.reached) {
        fw_power_loss(ctx);
    }
}

/* The application: answers requests until the pipe closes. */
static void fw_app(struct fw_ctx *ctx)
{
    static char buf[FW_LINE_MAX];
    size_t len = 0;

    ctx->phase = "app";
    for (;;) {
        ssize_t n = read(ctx->args->pipe_fd, buf + len, sizeof(buf) - 1 - len);
        char *nl;

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        len += (size_t)n;
        while ((nl = memchr(buf, '\n', len)) != NULL) {
            *nl = '\0';
            fw_request(ctx, buf);
            len -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, len);
        }
        if (len == sizeof(buf) - 1) {
            len = 0; /* A line too long for any request: drop it. */
        }
    }
}

static void fw_log_sink(void *arg, enum port_log_level level, const char *module, const char *line)
{
    const struct fw_args *a = arg;

    (void)level;
    fprintf(stderr, "brownout-fw[%s] %s: %s\n", a->name, module != NULL ? module : "-", line);
}

/*
 * Sets up the process of a run before the flash (parent death, pipe, log, clock, crypto, the
 * board and the keys). \return 0, or the exit status after a message on stderr.
 */
static int fw_start(struct fw_ctx *ctx, mbedtls_platform_context *plat, const struct fw_args *a)
{
    char err[512];
    const char *paths[CONFIG_MAX_KEYS];
    uint32_t i;
    int flags;
    int rc;

    memset(ctx, 0, sizeof(*ctx));
    memset(plat, 0, sizeof(*plat));
    ctx->args = a;
    ctx->cut_dev = -1;
    ctx->phase = "boot";
    /* The device has no power without the daemon: die with it, never race its successor. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) {
        return EX_OSERR;
    }
    flags = fcntl(a->pipe_fd, F_GETFL);
    if (flags < 0 || fcntl(a->pipe_fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        fprintf(stderr, "brownout-fw: no pipe on descriptor %d\n", a->pipe_fd);
        return EX_OSERR;
    }
    port_logsink_set(fw_log_sink, (void *)a,
                     getenv("BROWNOUT_FW_VERBOSE") != NULL ? PORT_LOG_DEBUG : PORT_LOG_WARN);
    port_clock_init_virtual(&ctx->clock, 0);
    port_flash_map_init(&ctx->map);
    for (i = 0; i < BOARD_MAX_DEVICES; i++) {
        vflash_init(&ctx->flash[i]);
    }
    port_rng_init(&ctx->rng);
    if (mbedtls_platform_setup(plat) != 0 || port_rng_setup(&ctx->rng, "brownout-fw") != 0) {
        fprintf(stderr, "brownout-fw: crypto setup failed\n");
        return EX_SOFTWARE;
    }
    rc = board_load(&ctx->board, a->board, err, sizeof(err));
    if (rc == 0) {
        rc = board_derive(&ctx->board, a->mode, a->images, a->max_sectors, &ctx->derived, err,
                          sizeof(err));
    }
    if (rc < 0) {
        fprintf(stderr, "brownout-fw: %s\n", err);
        return EX_DATAERR;
    }
    for (i = 0; i < a->key_count; i++) {
        paths[i] = a->keys[i];
    }
    rc = keys_table_load(&ctx->keys, paths, a->key_count, port_rng_random, &ctx->rng, err,
                         sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "brownout-fw: %s\n", err);
        return EX_DATAERR;
    }
    return 0;
}

/* Adds which bootloader ran, and which build of it, to a boot event's data. */
static void fw_bl_json(struct fw_ctx *ctx, json_t *data)
{
    json_object_set_new(data, "bootloader", json_string(ctx->bl->name));
    json_object_set_new(data, "bootloader-id", json_string(ctx->bl->identity()));
}

/* Reports the boot's result (bl->boot() returned rc) to the daemon: BOOT_FAILED or BOOT_DONE. */
static void fw_report_boot(struct fw_ctx *ctx, int rc, const struct boot_rsp *rsp)
{
    char hash[2 * IMAGE_VALIDATE_HASH_MAX + 1];
    json_t *data;

    if (rc < 0) {
        data =
            json_pack("{s:s, s:i, s:I, s:I, s:I}", "error", fw_boot_error(ctx->cfg.image_count, rc),
                      "code", rc, "boot-time-ns", (json_int_t)port_clock_now_ns(&ctx->clock), "ops",
                      (json_int_t)ctx->ops, "weak-regions", (json_int_t)ctx->weak_at_power_on);
        if (data != NULL) {
            fw_bl_json(ctx, data);
            fw_send(ctx, fw_event("BOOT_FAILED", data));
        }
        return;
    }
    fw_hex(rsp->hash, rsp->hash_len, hash);
    data =
        json_pack("{s:s, s:o, s:s, s:s, s:b, s:I, s:I, s:i, s:I}", "slot", "primary", "version",
                  fw_version_json(&rsp->version), "hash", hash, "swap-type",
                  fw_swap_type_name(rsp->swap_type[0]), "resumed", rsp->resumed[0], "boot-time-ns",
                  (json_int_t)port_clock_now_ns(&ctx->clock), "ops", (json_int_t)ctx->ops, "images",
                  (int)rsp->image_count, "weak-regions", (json_int_t)ctx->weak_at_power_on);
    if (data != NULL) {
        json_object_set_new(data, "state", fw_state_json(ctx));
        fw_bl_json(ctx, data);
        fw_send(ctx, fw_event("BOOT_DONE", data));
    }
}

/* The application phase: fw_app.h's loop when the device has a network, else the pipe only. */
static void fw_run_app(struct fw_ctx *ctx, const struct fw_args *a)
{
    struct fw_app_host host = { ctx, fw_host_request, fw_host_send, fw_host_check_power,
                                &ctx->cfg };
    struct fw_app_args app_args;

    if (!a->net.enabled) {
        fw_app(ctx);
        return;
    }
    ctx->phase = "app";
    memset(&app_args, 0, sizeof(app_args));
    app_args.net = a->net;
    app_args.seed = a->seed;
    app_args.name = a->name;
    fw_app_run(&app_args, a->pipe_fd, &host);
}

/*
 * Builds the boot configuration and picks the bootloader, which must be linked into this
 * program and able to run the configuration. \return 0, or EX_CONFIG after a message.
 */
static int fw_setup_boot(struct fw_ctx *ctx, const struct fw_args *a)
{
    char err[512];

    boot_config_defaults(&ctx->cfg);
    ctx->cfg.mode = a->mode;
    ctx->cfg.image_count = a->images;
    ctx->cfg.validate_primary = a->validate_primary;
    ctx->cfg.downgrade_version = a->downgrade_prevention;
    ctx->cfg.keys = ctx->keys.table;
    ctx->cfg.key_count = (uint32_t)ctx->keys.count;
    board_derive_apply(&ctx->derived, &ctx->cfg);
    ctx->bl = bl_find(a->bootloader);
    if (ctx->bl == NULL) {
        fprintf(stderr,
                "brownout-fw: bootloader %s is not linked into this program (a device with "
                "bootloader = %s runs its variant's brownout-fw, docs/mcuboot.md)\n",
                bl_kind_name(a->bootloader), bl_kind_name(a->bootloader));
        return EX_CONFIG;
    }
    if (ctx->bl->check(&ctx->cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "brownout-fw: bootloader %s (%s): %s\n", ctx->bl->name, ctx->bl->identity(),
                err);
        return EX_CONFIG;
    }
    return 0;
}

int fw_run(const struct fw_args *a)
{
    static struct boot_loader_state state;
    static struct fw_ctx ctx;
    mbedtls_platform_context plat;
    struct boot_rsp rsp;
    char err[512];
    int rc;

    rc = fw_start(&ctx, &plat, a);
    if (rc != 0) {
        return rc;
    }
    rc = fw_setup_flash(&ctx, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "brownout-fw: %s\n", err);
        return EX_OSERR;
    }
    rc = fw_setup_boot(&ctx, a);
    if (rc != 0) {
        return rc;
    }
    port_flash_map_activate(&ctx.map);
    port_clock_activate(&ctx.clock);

    rc = ctx.bl->boot(&state, &ctx.cfg, &rsp);
    if (rc == BO_EPOWER) {
        fw_power_loss(&ctx);
    }
    fw_report_boot(&ctx, rc, &rsp);
    if (rc < 0) {
        return 0;
    }
    fw_run_app(&ctx, a);
    keys_table_free(&ctx.keys);
    port_rng_free(&ctx.rng);
    return 0;
}
