/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file fuse_test_int.h
 * \brief The fixture the FUSE view's tests share (test_fuse_view.c, test_fuse_view_setup.c):
 *        two RAM devices, the view's libuv loop in a second thread, a watchdog against hangs.
 */
#ifndef TEST_FUSE_TEST_INT_H
#define TEST_FUSE_TEST_INT_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "bo_err.h"
#include "fuse/fuse_view.h"
#include "port_flash_map.h"
#include "support/interop.h"
#include "vflash/vflash.h"

/* One mounted view and its devices. */
struct fx {
    char dir[256];
    char mnt[300];
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    bool running;
    bool loop_ready;
    bool fuse; /* /dev/fuse can be opened. */
    struct fuse_view view;
    struct port_flash_map map0;
    struct port_flash_map map1;
    struct board board0;
    struct board board1;
    int status_calls;
    int writes; /* Atomic: EV_WRITE notifications. */
    int closes; /* Atomic: EV_CLOSE notifications. */
    uint32_t close_off;
    uint32_t close_len;
    uint32_t write_dev_off;
};

/* The mount of the running test, for the watchdog. */
static char watchdog_mnt[300];

static inline void watchdog(int sig)
{
    (void)sig;
    /* A hung test must not leave a mount behind: detach it and stop at once. */
    if (watchdog_mnt[0] != '\0') {
        umount2(watchdog_mnt, MNT_DETACH);
    }
    static const char msg[] = "test_fuse_view: watchdog fired (a request hung)\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(1);
}

static inline bool fuse_available(void)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static inline void *loop_thread(void *arg)
{
    struct fx *fx = arg;

    uv_run(&fx->loop, UV_RUN_DEFAULT);
    return NULL;
}

static inline void stop_cb(uv_async_t *h)
{
    uv_stop(h->loop);
}

static inline void loop_start(struct fx *fx)
{
    assert_false(fx->running);
    assert_int_equal(pthread_create(&fx->thread, NULL, loop_thread, fx), 0);
    fx->running = true;
}

static inline void loop_stop(struct fx *fx)
{
    if (fx->running) {
        uv_async_send(&fx->stop);
        pthread_join(fx->thread, NULL);
        fx->running = false;
    }
}

static inline int status_cb(void *arg, char **out)
{
    struct fx *fx = arg;
    json_t *j;

    fx->status_calls++;
    j = json_pack("{s:s, s:s, s:i}", "device", "dev0", "state", "running", "opens",
                  fx->status_calls);
    *out = json_dumps(j, 0);
    json_decref(j);
    return *out != NULL ? 0 : BO_ENOMEM;
}

static inline void write_cb(void *arg, const struct fuse_view_write_info *info)
{
    struct fx *fx = arg;

    if (info->event == FUSE_VIEW_EV_WRITE) {
        fx->write_dev_off = info->dev_off;
        __atomic_add_fetch(&fx->writes, 1, __ATOMIC_SEQ_CST);
    } else {
        fx->close_off = info->file_off;
        fx->close_len = info->len;
        __atomic_add_fetch(&fx->closes, 1, __ATOMIC_SEQ_CST);
    }
}

static inline int load_board(struct board *b, struct port_flash_map *map, const char *name)
{
    char path[512];
    char err[256];

    snprintf(path, sizeof(path), "%s/fixtures/boards/%s.ini", interop_repo_root(), name);
    if (board_load(b, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    port_flash_map_init(map);
    return port_flash_map_setup_board(map, b) == 0 ? 0 : -1;
}

static inline int add_dev(struct fx *fx, const char *name, struct board *b,
                          struct port_flash_map *map, bool with_status)
{
    struct fuse_view_device desc;
    int rc = fuse_view_device_from_map(&desc, name, b, map);

    if (rc < 0) {
        return rc;
    }
    if (with_status) {
        desc.status = status_cb;
    }
    desc.on_write = write_cb;
    desc.cb_arg = fx;
    return fuse_view_add_device(&fx->view, &desc);
}

/* Builds the devices and the loop; mounts unless mount is false. */
static inline int fx_setup(void **state, bool mount, enum fuse_view_write_mode mode)
{
    struct fx *fx;
    struct fuse_view_options opts;
    const char *tmp;

    if (mount && !fuse_available()) {
        fprintf(stderr, "test_fuse_view: /dev/fuse cannot be opened; skipping\n");
        *state = NULL;
        return 0;
    }
    fx = calloc(1, sizeof(*fx));
    tmp = interop_tmpdir();
    if (fx == NULL || tmp == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "%s", tmp);
    snprintf(fx->mnt, sizeof(fx->mnt), "%s/mnt", fx->dir);
    if (mkdir(fx->mnt, 0700) != 0 || uv_loop_init(&fx->loop) != 0) {
        free(fx);
        return -1;
    }
    uv_async_init(&fx->loop, &fx->stop, stop_cb);
    fx->loop_ready = true;
    fx->fuse = fuse_available();
    fuse_view_init(&fx->view);
    if (load_board(&fx->board0, &fx->map0, "nrf52840") != 0 ||
        load_board(&fx->board1, &fx->map1, "stm32l4") != 0) {
        return -1;
    }
    snprintf(watchdog_mnt, sizeof(watchdog_mnt), "%s", fx->mnt);
    signal(SIGALRM, watchdog);
    alarm(60);
    *state = fx;
    if (!mount) {
        return 0;
    }
    memset(&opts, 0, sizeof(opts));
    opts.write_mode = mode;
    if (fuse_view_setup(&fx->view, &fx->loop, fx->mnt, &opts) != 0 ||
        add_dev(fx, "dev0", &fx->board0, &fx->map0, true) != 0 ||
        add_dev(fx, "dev1", &fx->board1, &fx->map1, false) != 0) {
        return -1;
    }
    loop_start(fx);
    return 0;
}

static inline int setup_programmer(void **state)
{
    return fx_setup(state, true, FUSE_VIEW_WRITE_PROGRAMMER);
}

static inline int setup_nor(void **state)
{
    return fx_setup(state, true, FUSE_VIEW_WRITE_NOR);
}

static inline int setup_unmounted(void **state)
{
    return fx_setup(state, false, FUSE_VIEW_WRITE_PROGRAMMER);
}

static inline int teardown(void **state)
{
    struct fx *fx = *state;
    int mounted;

    if (fx == NULL) {
        return 0;
    }
    loop_stop(fx);
    fuse_view_free(&fx->view);
    if (fx->loop_ready) {
        uv_close((uv_handle_t *)&fx->stop, NULL);
        uv_run(&fx->loop, UV_RUN_DEFAULT);
        uv_loop_close(&fx->loop);
    }
    mounted = fuse_view_mounted(fx->mnt);
    if (mounted != 0) {
        umount2(fx->mnt, MNT_DETACH);
    }
    port_flash_map_free(&fx->map0);
    port_flash_map_free(&fx->map1);
    rmdir(fx->mnt);
    rmdir(fx->dir);
    alarm(0);
    watchdog_mnt[0] = '\0';
    free(fx);
    /* After free nothing may stay mounted. */
    return mounted == 0 ? 0 : -1;
}

#define SKIP_WITHOUT_FUSE(fx)              \
    do {                                   \
        if ((fx) == NULL || !(fx)->fuse) { \
            skip();                        \
        }                                  \
    } while (0)

static inline const char *mpath(struct fx *fx, const char *rel)
{
    static char buf[2][512];
    static int which;

    which ^= 1;
    snprintf(buf[which], sizeof(buf[which]), "%s/%s", fx->mnt, rel);
    return buf[which];
}

/* The names in a directory, sorted and joined with spaces. */
static inline char *list_dir(const char *path)
{
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    static char out[1024];

    out[0] = '\0';
    if (n < 0) {
        snprintf(out, sizeof(out), "<%s>", strerror(errno));
        return out;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
            if (out[0] != '\0') {
                strncat(out, " ", sizeof(out) - strlen(out) - 1);
            }
            strncat(out, names[i]->d_name, sizeof(out) - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
    return out;
}

static inline void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static inline int wait_for(int *counter, int at_least)
{
    for (int i = 0; i < 400; i++) {
        if (__atomic_load_n(counter, __ATOMIC_SEQ_CST) >= at_least) {
            return 0;
        }
        usleep(5000);
    }
    return -1;
}

#endif /* TEST_FUSE_TEST_INT_H */
