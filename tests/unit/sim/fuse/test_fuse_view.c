/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE view, mounted for real: two RAM devices (nRF52840 NOR, STM32L4 ECC) in a temporary
 * directory, the view's libuv loop in a second thread while this thread does file I/O on the
 * mount (one thread doing both would deadlock). Tests skip when /dev/fuse cannot be opened.
 */
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

static void watchdog(int sig)
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

static bool fuse_available(void)
{
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static void *loop_thread(void *arg)
{
    struct fx *fx = arg;

    uv_run(&fx->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void stop_cb(uv_async_t *h)
{
    uv_stop(h->loop);
}

static void loop_start(struct fx *fx)
{
    assert_false(fx->running);
    assert_int_equal(pthread_create(&fx->thread, NULL, loop_thread, fx), 0);
    fx->running = true;
}

static void loop_stop(struct fx *fx)
{
    if (fx->running) {
        uv_async_send(&fx->stop);
        pthread_join(fx->thread, NULL);
        fx->running = false;
    }
}

static int status_cb(void *arg, char **out)
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

static void write_cb(void *arg, const struct fuse_view_write_info *info)
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

static int load_board(struct board *b, struct port_flash_map *map, const char *name)
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

static int add_dev(struct fx *fx, const char *name, struct board *b, struct port_flash_map *map,
                   bool with_status)
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
static int fx_setup(void **state, bool mount, enum fuse_view_write_mode mode)
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

static int setup_programmer(void **state)
{
    return fx_setup(state, true, FUSE_VIEW_WRITE_PROGRAMMER);
}

static int setup_nor(void **state)
{
    return fx_setup(state, true, FUSE_VIEW_WRITE_NOR);
}

static int setup_unmounted(void **state)
{
    return fx_setup(state, false, FUSE_VIEW_WRITE_PROGRAMMER);
}

static int teardown(void **state)
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

static const char *mpath(struct fx *fx, const char *rel)
{
    static char buf[2][512];
    static int which;

    which ^= 1;
    snprintf(buf[which], sizeof(buf[which]), "%s/%s", fx->mnt, rel);
    return buf[which];
}

/* The names in a directory, sorted and joined with spaces. */
static char *list_dir(const char *path)
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

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static int wait_for(int *counter, int at_least)
{
    for (int i = 0; i < 400; i++) {
        if (__atomic_load_n(counter, __ATOMIC_SEQ_CST) >= at_least) {
            return 0;
        }
        usleep(5000);
    }
    return -1;
}

static void test_tree(void **state)
{
    struct fx *fx = *state;
    struct stat st;

    SKIP_WITHOUT_FUSE(fx);
    assert_int_equal(fuse_view_mounted(fx->mnt), 1);
    assert_string_equal(list_dir(fx->mnt), "dev0 dev1");
    assert_string_equal(list_dir(mpath(fx, "dev0")), "flash slots status.json");
    assert_string_equal(list_dir(mpath(fx, "dev0/flash")), "internal.bin");
    assert_string_equal(list_dir(mpath(fx, "dev0/slots")),
                        "0-primary.bin 0-secondary.bin 1-primary.bin 1-secondary.bin "
                        "bootloader.bin scratch.bin");
    assert_int_equal(stat(mpath(fx, "dev0/flash/internal.bin"), &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 1024 * 1024);
    assert_int_equal(st.st_uid, getuid());
    assert_int_equal(stat(mpath(fx, "dev0/slots/0-secondary.bin"), &st), 0);
    assert_int_equal(st.st_size, 0x34000);
    assert_int_equal(stat(mpath(fx, "dev1/slots/scratch.bin"), &st), 0);
    assert_int_equal(stat(mpath(fx, "dev0"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(stat(mpath(fx, "dev2"), &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat(mpath(fx, "dev0/flash/internal"), &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat(mpath(fx, "dev0/status.json/x"), &st), -1);
    assert_int_equal(errno, ENOTDIR);
}

static void test_read_flash(void **state)
{
    struct fx *fx = *state;
    struct vflash *dev;
    uint8_t *pattern;
    uint8_t *got;
    size_t len;
    uint8_t small[16];
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    dev = port_flash_map_device(&fx->map0, 0);
    pattern = malloc(dev->size);
    assert_non_null(pattern);
    fill_pattern(pattern, dev->size, 7);
    /* The loop thread does not touch the memory until a request comes. */
    memcpy(dev->mem, pattern, dev->size);
    assert_int_equal(interop_read_file(mpath(fx, "dev0/flash/internal.bin"), &got, &len), 0);
    assert_int_equal(len, dev->size);
    assert_memory_equal(got, dev->mem, dev->size);
    free(got);
    assert_int_equal(interop_read_file(mpath(fx, "dev0/slots/0-secondary.bin"), &got, &len), 0);
    assert_int_equal(len, 0x34000);
    assert_memory_equal(got, pattern + 0x40000, 0x34000);
    free(got);
    fd = open(mpath(fx, "dev0/slots/0-primary.bin"), O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, small, sizeof(small), 0x33ff8), 8);
    assert_memory_equal(small, pattern + 0xC000 + 0x33ff8, 8);
    assert_int_equal(pread(fd, small, sizeof(small), 0x34000), 0);
    assert_int_equal(pread(fd, small, sizeof(small), 0x100000), 0);
    close(fd);
    /* Host reads are not device operations. */
    assert_int_equal(dev->stats.reads, 0);
    free(pattern);
}

static void test_cp_write(void **state)
{
    struct fx *fx = *state;
    struct vflash *dev;
    uint8_t *before;
    uint8_t image[10000];
    const uint32_t slot = 0x40000;
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    dev = port_flash_map_device(&fx->map0, 0);
    /* Old contents with many zero bits, so programming the image needs erases. */
    before = malloc(dev->size);
    assert_non_null(before);
    fill_pattern(before, dev->size, 3);
    memcpy(dev->mem, before, dev->size);
    fill_pattern(image, sizeof(image), 11);
    fd = open(mpath(fx, "dev0/slots/0-secondary.bin"), O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, image, sizeof(image)), (ssize_t)sizeof(image));
    assert_int_equal(close(fd), 0);
    assert_int_equal(wait_for(&fx->closes, 1), 0);
    /* The image is programmed, the rest of its last sector and of the flash kept. */
    assert_memory_equal(dev->mem + slot, image, sizeof(image));
    assert_memory_equal(dev->mem, before, slot);
    assert_memory_equal(dev->mem + slot + sizeof(image), before + slot + sizeof(image),
                        dev->size - slot - sizeof(image));
    /* Not a device operation: no erase or program counted, no wear. */
    assert_int_equal(dev->stats.ops, 0);
    assert_int_equal(dev->stats.erases, 0);
    for (uint32_t s = 0; s < dev->sector_count; s++) {
        assert_int_equal(dev->sectors[s].wear, 0);
    }
    assert_true(__atomic_load_n(&fx->writes, __ATOMIC_SEQ_CST) >= 1);
    assert_int_equal(fx->close_off, 0);
    assert_int_equal(fx->close_len, sizeof(image));
    /* The file keeps its size: flash does not shrink. */
    struct stat st;
    assert_int_equal(stat(mpath(fx, "dev0/slots/0-secondary.bin"), &st), 0);
    assert_int_equal(st.st_size, 0x34000);
    free(before);
}

/* The real cp(1), in another process, stages an image into a slot. */
static void test_cp_command(void **state)
{
    struct fx *fx = *state;
    struct vflash *dev;
    uint8_t image[70000];
    char src[512];
    char cmd[1200];

    SKIP_WITHOUT_FUSE(fx);
    dev = port_flash_map_device(&fx->map0, 0);
    memset(dev->mem, 0x00, dev->size);
    fill_pattern(image, sizeof(image), 5);
    snprintf(src, sizeof(src), "%s/app.bin", fx->dir);
    assert_int_equal(interop_write_file(src, image, sizeof(image)), 0);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, mpath(fx, "dev0/slots/0-secondary.bin"));
    assert_int_equal(system(cmd), 0);
    unlink(src);
    assert_memory_equal(dev->mem + 0x40000, image, sizeof(image));
    /* The rest of the last touched sector keeps its zeros (the programmer rewrote it). */
    for (uint32_t i = 0x40000 + sizeof(image); i < 0x40000 + 0x12000; i++) {
        assert_int_equal(dev->mem[i], 0x00);
    }
    assert_int_equal(dev->mem[0x3ffff], 0x00);
}

static void test_nor_mode(void **state)
{
    struct fx *fx = *state;
    struct vflash *nor;
    struct vflash *ecc;
    uint8_t buf[16];
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    nor = port_flash_map_device(&fx->map0, 0);
    ecc = port_flash_map_device(&fx->map1, 0);
    fd = open(mpath(fx, "dev0/flash/internal.bin"), O_RDWR);
    assert_true(fd >= 0);
    /* Erased 0xff: clearing bits works at any offset and length. */
    memset(buf, 0xf0, sizeof(buf));
    assert_int_equal(pwrite(fd, buf, 3, 0x1001), 3);
    assert_int_equal(nor->mem[0x1001], 0xf0);
    assert_int_equal(nor->mem[0x1004], 0xff);
    memset(buf, 0x30, sizeof(buf));
    assert_int_equal(pwrite(fd, buf, 3, 0x1001), 3);
    assert_int_equal(nor->mem[0x1002], 0x30);
    /* A bit back to 1 needs an erase: EIO, nothing changes. */
    memset(buf, 0x31, sizeof(buf));
    assert_int_equal(pwrite(fd, buf, 3, 0x1001), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(nor->mem[0x1001], 0x30);
    close(fd);

    /* ECC: a write unit is programmed once; misaligned raw writes are refused. */
    fd = open(mpath(fx, "dev1/flash/internal.bin"), O_RDWR);
    assert_true(fd >= 0);
    memset(buf, 0x5a, sizeof(buf));
    assert_int_equal(pwrite(fd, buf, 8, 0x800), 8);
    assert_memory_equal(ecc->mem + 0x800, buf, 8);
    assert_int_equal(pwrite(fd, buf, 8, 0x800), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(pwrite(fd, buf, 4, 0x808), -1);
    assert_int_equal(errno, EINVAL);
    close(fd);
}

static void test_errors(void **state)
{
    struct fx *fx = *state;
    char slot[512];
    uint8_t buf[8] = { 0 };
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    snprintf(slot, sizeof(slot), "%s", mpath(fx, "dev0/slots/scratch.bin"));
    fd = open(slot, O_WRONLY);
    assert_true(fd >= 0);
    /* Past the end: EFBIG, and a request crossing the end writes nothing. */
    assert_int_equal(pwrite(fd, buf, 4, 0x1E000), -1);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(pwrite(fd, buf, 4, 0x1E000 - 2), -1);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(port_flash_map_device(&fx->map0, 0)->mem[0xDC000 + 0x1E000 - 1], 0xff);
    assert_int_equal(pwrite(fd, buf, 2, 0x1E000 - 2), 2);
    close(fd);
    /* A write split into several requests: those that fit are written (a short write). */
    uint8_t *big = malloc(0x100000 + 0x1000);
    assert_non_null(big);
    memset(big, 0x42, 0x100000 + 0x1000);
    fd = open(mpath(fx, "dev0/flash/internal.bin"), O_WRONLY);
    assert_true(fd >= 0);
    ssize_t n = pwrite(fd, big, 0x100000 + 0x1000, 0);
    assert_true(n > 0 && n <= 0x100000);
    assert_memory_equal(port_flash_map_device(&fx->map0, 0)->mem, big, (size_t)n);
    free(big);
    close(fd);
    fd = open(slot, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 0), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(ftruncate(fd, 0x1E000), 0);
    close(fd);
    assert_int_equal(truncate(slot, 100), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(chmod(slot, 0777), -1);
    assert_int_equal(errno, EPERM);
    /* The tree is fixed. */
    assert_int_equal(open(mpath(fx, "dev0/slots/new.bin"), O_WRONLY | O_CREAT, 0600), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(mkdir(mpath(fx, "dev0/new"), 0700), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(mkdir(mpath(fx, "dev9"), 0700), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(unlink(slot), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(rename(slot, mpath(fx, "dev0/slots/x.bin")), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(rmdir(mpath(fx, "dev0/flash")), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(open(mpath(fx, "dev0/status.json"), O_WRONLY), -1);
    assert_int_equal(errno, EACCES);
    assert_true(fx->view.stats.errors > 0);
}

static void test_status_json(void **state)
{
    struct fx *fx = *state;
    json_error_t jerr;
    json_t *j;
    int first;

    SKIP_WITHOUT_FUSE(fx);
    j = json_load_file(mpath(fx, "dev0/status.json"), 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "device")), "dev0");
    first = (int)json_integer_value(json_object_get(j, "opens"));
    json_decref(j);
    /* Regenerated on each open. */
    j = json_load_file(mpath(fx, "dev0/status.json"), 0, &jerr);
    assert_non_null(j);
    assert_true(json_integer_value(json_object_get(j, "opens")) > first);
    json_decref(j);
    /* Without a callback: a minimal document. */
    j = json_load_file(mpath(fx, "dev1/status.json"), 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "device")), "dev1");
    json_decref(j);
}

static void test_add_remove(void **state)
{
    struct fx *fx = *state;
    struct stat st;
    uint8_t buf[4];
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    fd = open(mpath(fx, "dev0/flash/internal.bin"), O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(stat(mpath(fx, "dev1/flash/internal.bin"), &st), 0);
    loop_stop(fx);
    assert_int_equal(fuse_view_remove_device(&fx->view, "dev1"), 0);
    assert_int_equal(fuse_view_remove_device(&fx->view, "dev0"), 0);
    assert_int_equal(fuse_view_remove_device(&fx->view, "dev0"), BO_ENOENT);
    loop_start(fx);
    assert_string_equal(list_dir(fx->mnt), "");
    assert_int_equal(stat(mpath(fx, "dev1/flash/internal.bin"), &st), -1);
    assert_int_equal(errno, ENOENT);
    /* An open file of a removed device fails. */
    assert_int_equal(pread(fd, buf, sizeof(buf), 0), -1);
    assert_int_equal(errno, ENXIO);
    assert_int_equal(pwrite(fd, buf, sizeof(buf), 0), -1);
    assert_int_equal(errno, ENXIO);
    close(fd);
    /* Added back: a new device with the same name, new inode numbers. */
    loop_stop(fx);
    assert_int_equal(add_dev(fx, "dev2", &fx->board1, &fx->map1, false), 0);
    assert_int_equal(add_dev(fx, "dev2", &fx->board1, &fx->map1, false), BO_EEXIST);
    loop_start(fx);
    assert_string_equal(list_dir(fx->mnt), "dev2");
    assert_int_equal(stat(mpath(fx, "dev2/slots/0-primary.bin"), &st), 0);
}

/* Power cut on the device: the host still reads and writes its flash. */
static int cut_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    (void)arg;
    (void)dev;
    (void)op;
    return BO_EPOWER;
}

static void test_power_cut_host_access(void **state)
{
    struct fx *fx = *state;
    struct vflash *dev;
    uint8_t word[4] = { 1, 2, 3, 4 };
    uint8_t got[4];
    int fd;

    SKIP_WITHOUT_FUSE(fx);
    dev = port_flash_map_device(&fx->map0, 0);
    vflash_set_hook(dev, cut_hook, NULL);
    assert_int_equal(vflash_program(dev, 0, word, 4), BO_EPOWER);
    assert_true(dev->power_lost);
    fd = open(mpath(fx, "dev0/flash/internal.bin"), O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, word, 4, 0x2000), 4);
    assert_int_equal(pread(fd, got, 4, 0x2000), 4);
    assert_memory_equal(got, word, 4);
    close(fd);
    vflash_set_hook(dev, NULL, NULL);
}

/* A mount left by a killed server is cleared at the next setup. */
static void test_stale_mount(void **state)
{
    struct fx *fx = *state;
    struct stat st;
    pid_t pid;
    int status;

    SKIP_WITHOUT_FUSE(fx);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uv_loop_t loop;
        struct fuse_view view;

        alarm(30);
        uv_loop_init(&loop);
        fuse_view_init(&view);
        if (fuse_view_setup(&view, &loop, fx->mnt, NULL) != 0) {
            _exit(2);
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        _exit(3);
    }
    for (int i = 0; i < 400 && fuse_view_mounted(fx->mnt) != 1; i++) {
        usleep(5000);
    }
    assert_int_equal(fuse_view_mounted(fx->mnt), 1);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(stat(fx->mnt, &st), -1);
    assert_int_equal(errno, ENOTCONN);
    /* keep_stale refuses to touch it. */
    struct fuse_view_options opts = { .keep_stale = true };
    assert_int_equal(fuse_view_setup(&fx->view, &fx->loop, fx->mnt, &opts), BO_EBUSY);
    assert_int_equal(fuse_view_setup(&fx->view, &fx->loop, fx->mnt, NULL), 0);
    assert_int_equal(add_dev(fx, "dev0", &fx->board0, &fx->map0, false), 0);
    loop_start(fx);
    assert_string_equal(list_dir(fx->mnt), "dev0");
    assert_int_equal(fuse_view_setup(&fx->view, &fx->loop, fx->mnt, NULL), BO_ESTATE);
    loop_stop(fx);
    fuse_view_free(&fx->view);
    assert_int_equal(fuse_view_mounted(fx->mnt), 0);
    assert_int_equal(stat(fx->mnt, &st), 0);
}

/* A second view on a live mount is refused; a missing mountpoint is an error. */
static void test_setup_errors(void **state)
{
    struct fx *fx = *state;
    struct fuse_view other;
    uv_loop_t loop2;
    char path[400];

    SKIP_WITHOUT_FUSE(fx);
    assert_int_equal(uv_loop_init(&loop2), 0);
    fuse_view_init(&other);
    snprintf(path, sizeof(path), "%s/missing", fx->dir);
    assert_int_equal(fuse_view_setup(&other, &loop2, path, NULL), BO_ENOENT);
    /* Served by the loop thread, so this thread may stat it. */
    assert_int_equal(fuse_view_setup(&other, &loop2, fx->mnt, NULL), BO_EBUSY);
    assert_int_equal(fuse_view_setup(&other, &loop2, mpath(fx, "dev0/status.json"), NULL),
                     BO_EINVAL);
    assert_int_equal(fuse_view_setup(&other, NULL, fx->mnt, NULL), BO_EINVAL);
    /* A second mount elsewhere works and goes away with its view. */
    snprintf(path, sizeof(path), "%s/other", fx->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(fuse_view_setup(&other, &loop2, path, NULL), 0);
    assert_int_equal(fuse_view_mounted(path), 1);
    fuse_view_free(&other);
    uv_run(&loop2, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&loop2), 0);
    assert_int_equal(fuse_view_mounted(path), 0);
    rmdir(path);
    assert_string_equal(list_dir(fx->mnt), "dev0 dev1");
}

static void test_descriptions(void **state)
{
    struct fx *fx = *state;
    struct fuse_view_device desc;
    struct vflash *dev;

    assert_non_null(fx);
    dev = port_flash_map_device(&fx->map0, 0);
    assert_int_equal(fuse_view_device_from_map(&desc, "dev0", &fx->board0, &fx->map0), 0);
    assert_int_equal(desc.flash_count, 1);
    assert_string_equal(desc.flash[0].name, "internal");
    assert_int_equal(desc.slot_count, 6);
    assert_string_equal(desc.slots[1].name, "0-primary");
    assert_int_equal(desc.slots[1].off, 0xC000);
    assert_int_equal(fuse_view_device_from_map(&desc, "bad/name", &fx->board0, &fx->map0),
                     BO_EINVAL);
    assert_int_equal(fuse_view_device_from_map(&desc, "dev0", &fx->board1, &fx->map0), 0);

    memset(&desc, 0, sizeof(desc));
    strcpy(desc.name, "d");
    desc.flash_count = 1;
    strcpy(desc.flash[0].name, "f");
    desc.flash[0].dev = dev;
    desc.flash[0].size = dev->size;
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), 0);
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EEXIST);
    strcpy(desc.name, "..");
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    strcpy(desc.name, "e");
    desc.flash[0].size = dev->size + 1;
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    desc.flash[0].size = 16;
    desc.flash[0].off = UINT32_MAX - 8;
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    desc.flash[0].off = 0;
    desc.flash_count = 2;
    desc.flash[1] = desc.flash[0];
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    desc.flash_count = FUSE_VIEW_MAX_FLASH + 1;
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    desc.flash_count = 1;
    strcpy(desc.flash[0].name, "a-very-long-name-for-a-flash");
    assert_int_equal(fuse_view_add_device(&fx->view, &desc), BO_EINVAL);
    assert_int_equal(fuse_view_remove_device(&fx->view, "d"), 0);
    assert_int_equal(fuse_view_remove_device(&fx->view, "d"), BO_ENOENT);

    enum fuse_view_write_mode mode;
    assert_int_equal(fuse_view_parse_write_mode("nor", &mode), 0);
    assert_int_equal(mode, FUSE_VIEW_WRITE_NOR);
    assert_int_equal(fuse_view_parse_write_mode("programmer", &mode), 0);
    assert_int_equal(mode, FUSE_VIEW_WRITE_PROGRAMMER);
    assert_int_equal(fuse_view_parse_write_mode("NOR", &mode), BO_EINVAL);
    assert_string_equal(fuse_view_write_mode_name(FUSE_VIEW_WRITE_NOR), "nor");
    assert_false(fuse_view_valid_name("", 31));
    assert_false(fuse_view_valid_name("a b", 31));
    assert_true(fuse_view_valid_name("dev-0.x_y", 31));
}

/* Without /dev/fuse, setup says so and mounts nothing (run where FUSE is unavailable). */
static void test_no_fuse(void **state)
{
    struct fx *fx = *state;

    assert_non_null(fx);
    if (fx->fuse) {
        skip();
    }
    assert_int_equal(fuse_view_setup(&fx->view, &fx->loop, fx->mnt, NULL), BO_ENOTSUP);
    assert_int_equal(fuse_view_mounted(fx->mnt), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tree, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_read_flash, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_cp_write, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_cp_command, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_nor_mode, setup_nor, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_status_json, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_add_remove, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_host_access, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_stale_mount, setup_unmounted, teardown),
        cmocka_unit_test_setup_teardown(test_setup_errors, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_descriptions, setup_unmounted, teardown),
        cmocka_unit_test_setup_teardown(test_no_fuse, setup_unmounted, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
