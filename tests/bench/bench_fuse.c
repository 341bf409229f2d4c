/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_fuse: sequential read and programmer-semantics write of a 4 MiB NOR flash through the
 * FUSE view, against the same read and write of a 4 MiB file on tmpfs (/dev/shm) in the same
 * run. Prints medians and ratios (tmpfs time / FUSE time: 1.0 is as fast as tmpfs; target for
 * reads >= 0.3). The headline figures use 1 MiB requests (the kernel's largest FUSE request);
 * 128 KiB requests (cp's size) are shown too: they pay one loop wake-up per 128 KiB, which on a
 * busy or virtualised machine costs more than the copy. A figure, never a pass/fail on speed:
 * it exits non-zero only when the benchmark itself fails, and 0 with a message when /dev/fuse
 * cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "bo_err.h"
#include "fuse/fuse_view.h"
#include "port_logsink.h"
#include "vflash/vflash.h"

#define FLASH_BYTES (4u * 1024u * 1024u)
#define RUNS 15

struct bench {
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    struct fuse_view view;
    struct vflash dev;
    char dir[64];
    char mnt[128];
    char fuse_file[192];
    char shm_file[128];
    uint8_t *buf;
    uint8_t *data[2];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

static void *loop_thread(void *arg)
{
    struct bench *b = arg;

    uv_run(&b->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void stop_cb(uv_async_t *h)
{
    uv_stop(h->loop);
}

/* Reads the whole file sequentially in chunks of chunk bytes; returns seconds or -1. */
static double read_all(const char *path, uint8_t *buf, size_t chunk)
{
    double t0 = now_s();
    size_t total = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0) {
        return -1.0;
    }
    for (;;) {
        ssize_t n = read(fd, buf, chunk);

        if (n < 0) {
            close(fd);
            return -1.0;
        }
        if (n == 0) {
            break;
        }
        total += (size_t)n;
    }
    close(fd);
    return total == FLASH_BYTES ? now_s() - t0 : -1.0;
}

/* Writes the whole file sequentially in chunks (as cp does: O_TRUNC on open); seconds or -1. */
static double write_all(const char *path, const uint8_t *data, size_t chunk)
{
    double t0 = now_s();
    int fd = open(path, O_WRONLY | O_TRUNC);

    if (fd < 0) {
        return -1.0;
    }
    for (size_t off = 0; off < FLASH_BYTES; off += chunk) {
        if (write(fd, data + off, chunk) != (ssize_t)chunk) {
            close(fd);
            return -1.0;
        }
    }
    return close(fd) == 0 ? now_s() - t0 : -1.0;
}

static int setup(struct bench *b)
{
    struct vflash_geometry geom;
    struct fuse_view_device desc;
    int fd;

    memset(&geom, 0, sizeof(geom));
    geom.runs[0].count = FLASH_BYTES / 4096u;
    geom.runs[0].size = 4096;
    geom.run_count = 1;
    geom.write_unit = 4;
    geom.erased_val = 0xff;
    geom.semantics = VFLASH_NOR;
    vflash_init(&b->dev);
    if (vflash_setup(&b->dev, &geom, NULL, 0, NULL) != 0) {
        return -1;
    }
    snprintf(b->dir, sizeof(b->dir), "/tmp/bench_fuse-XXXXXX");
    if (mkdtemp(b->dir) == NULL) {
        return -1;
    }
    snprintf(b->mnt, sizeof(b->mnt), "%s/mnt", b->dir);
    snprintf(b->fuse_file, sizeof(b->fuse_file), "%s/dev0/flash/nor.bin", b->mnt);
    snprintf(b->shm_file, sizeof(b->shm_file), "/dev/shm/bench_fuse-%ld.bin", (long)getpid());
    if (mkdir(b->mnt, 0700) != 0 || uv_loop_init(&b->loop) != 0) {
        return -1;
    }
    uv_async_init(&b->loop, &b->stop, stop_cb);
    fuse_view_init(&b->view);
    if (fuse_view_setup(&b->view, &b->loop, b->mnt, NULL) != 0) {
        return -1;
    }
    memset(&desc, 0, sizeof(desc));
    strcpy(desc.name, "dev0");
    strcpy(desc.flash[0].name, "nor");
    desc.flash[0].dev = &b->dev;
    desc.flash[0].size = b->dev.size;
    desc.flash_count = 1;
    if (fuse_view_add_device(&b->view, &desc) != 0) {
        return -1;
    }
    fd = open(b->shm_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, b->dev.mem, FLASH_BYTES) != (ssize_t)FLASH_BYTES) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    b->buf = malloc(FLASH_BYTES);
    b->data[0] = malloc(FLASH_BYTES);
    b->data[1] = malloc(FLASH_BYTES);
    if (b->buf == NULL || b->data[0] == NULL || b->data[1] == NULL) {
        return -1;
    }
    /* Two images whose bits cross both ways, so every programmer write must erase. */
    for (size_t i = 0; i < FLASH_BYTES; i++) {
        b->data[0][i] = (uint8_t)(i * 7u + (i >> 12));
        b->data[1][i] = (uint8_t)~b->data[0][i];
    }
    return pthread_create(&b->thread, NULL, loop_thread, b) == 0 ? 0 : -1;
}

static void teardown(struct bench *b, bool started)
{
    if (started) {
        uv_async_send(&b->stop);
        pthread_join(b->thread, NULL);
    }
    fuse_view_free(&b->view);
    uv_close((uv_handle_t *)&b->stop, NULL);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    uv_loop_close(&b->loop);
    if (fuse_view_mounted(b->mnt) == 1) {
        umount2(b->mnt, MNT_DETACH);
    }
    rmdir(b->mnt);
    rmdir(b->dir);
    unlink(b->shm_file);
    vflash_free(&b->dev);
    free(b->buf);
    free(b->data[0]);
    free(b->data[1]);
}

/* Medians of RUNS reads (or writes) of both files with one chunk size; -1 on failure. */
static int measure(struct bench *b, bool writing, size_t chunk, double *fuse, double *shm)
{
    double tf[RUNS];
    double ts[RUNS];

    for (int r = 0; r < RUNS; r++) {
        if (writing) {
            tf[r] = write_all(b->fuse_file, b->data[r & 1], chunk);
            ts[r] = write_all(b->shm_file, b->data[r & 1], chunk);
        } else {
            tf[r] = read_all(b->fuse_file, b->buf, chunk);
            ts[r] = read_all(b->shm_file, b->buf, chunk);
        }
        if (tf[r] < 0 || ts[r] < 0) {
            return -1;
        }
    }
    *fuse = median(tf, RUNS);
    *shm = median(ts, RUNS);
    return 0;
}

static void report(const char *what, size_t chunk, double fuse, double shm)
{
    double mib = (double)FLASH_BYTES / (1024.0 * 1024.0);

    printf("%-6s %4zu KiB chunks: FUSE %8.2f ms (%7.0f MiB/s)  tmpfs %8.2f ms (%7.0f MiB/s)  "
           "ratio %.2f\n",
           what, chunk / 1024, fuse * 1e3, mib / fuse, shm * 1e3, mib / shm, shm / fuse);
}

int main(void)
{
    static const size_t chunks[] = { 128u * 1024u, 1024u * 1024u };
    double ratio[2] = { 0.0, 0.0 };
    struct bench b;
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    int rc = 1;

    if (fd < 0) {
        printf("bench_fuse: /dev/fuse cannot be opened (%s); skipped\n", strerror(errno));
        return 0;
    }
    close(fd);
    port_logsink_set(NULL, NULL, PORT_LOG_WARN);
    memset(&b, 0, sizeof(b));
    if (setup(&b) != 0) {
        fprintf(stderr, "bench_fuse: setup failed\n");
        teardown(&b, false);
        return 1;
    }
    printf("bench_fuse: 4 MiB NOR flash (4 KiB sectors) through FUSE vs a tmpfs file, "
           "median of %d; ratio = tmpfs time / FUSE time (target for reads >= 0.3)\n",
           RUNS);
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        double f;
        double s;

        if (measure(&b, false, chunks[i], &f, &s) != 0) {
            fprintf(stderr, "bench_fuse: read failed\n");
            goto out;
        }
        report("read", chunks[i], f, s);
        ratio[0] = s / f;
        if (measure(&b, true, chunks[i], &f, &s) != 0) {
            fprintf(stderr, "bench_fuse: write failed\n");
            goto out;
        }
        report("write", chunks[i], f, s);
        ratio[1] = s / f;
    }
    printf("bench_fuse: read ratio %.2f (target >= 0.3), programmer write ratio %.2f\n", ratio[0],
           ratio[1]);
    /* The last write left data[(RUNS - 1) & 1] in the flash: check it went through. */
    if (memcmp(b.dev.mem, b.data[(RUNS - 1) & 1], FLASH_BYTES) != 0) {
        fprintf(stderr, "bench_fuse: the flash does not hold what was written\n");
        goto out;
    }
    rc = 0;
out:
    teardown(&b, true);
    return rc;
}
