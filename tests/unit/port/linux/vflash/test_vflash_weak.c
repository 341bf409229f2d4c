/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of shared weak maps (vflash_weak.h): the weak bits a cut leaves in one process stay
 * unstable for the devices of another process over the same cells, as brownoutd's firmware
 * runs need; every attached device settles them; the draws are the same as in one process;
 * a process killed at any instruction never leaves the map locked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"
#include "vflash/vflash_prng.h"
#include "vflash/vflash_weak.h"

#define SECTOR 1024u
#define SECTORS 4u
#define SIZE (SECTOR * SECTORS)
#define PAGE 64u
#define WU 8u

/* The cells, ECC map and weak map, in shared anonymous memory a forked child sees too. */
struct shared {
    uint8_t *mem;
    uint8_t *ecc;
    uint8_t *weak;
    size_t weak_len;
    struct vflash_geometry geom;
};

static void *map_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    assert_true(p != MAP_FAILED);
    return p;
}

static void shared_open(struct shared *sh, enum vflash_semantics sem, uint8_t erased)
{
    memset(&sh->geom, 0, sizeof(sh->geom));
    sh->geom.runs[0].count = SECTORS;
    sh->geom.runs[0].size = SECTOR;
    sh->geom.run_count = 1;
    sh->geom.write_unit = WU;
    sh->geom.erased_val = erased;
    sh->geom.semantics = sem;
    sh->geom.page_size = PAGE;
    sh->mem = map_shared(SIZE);
    memset(sh->mem, erased, SIZE);
    sh->ecc = map_shared(vflash_ecc_map_size(&sh->geom));
    sh->weak_len = vflash_weak_map_size(SIZE);
    sh->weak = map_shared(sh->weak_len);
    assert_int_equal(vflash_weak_map_format(sh->weak, sh->weak_len, SIZE), 0);
}

static void shared_close(struct shared *sh)
{
    munmap(sh->mem, SIZE);
    munmap(sh->ecc, vflash_ecc_map_size(&sh->geom));
    munmap(sh->weak, sh->weak_len);
}

/* A device over the shared cells, attached to the shared weak map (a "process's view"). */
static void view_open(struct vflash *dev, struct shared *sh)
{
    vflash_init(dev);
    assert_int_equal(vflash_setup(dev, &sh->geom, sh->mem, SIZE, sh->ecc), 0);
    assert_int_equal(vflash_fault_weak_attach(dev, sh->weak, sh->weak_len), 0);
}

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    struct vflash_prng prng;

    vflash_prng_seed(&prng, seed);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)vflash_prng_next(&prng);
    }
}

/* Programs page data at off with a weak cut on that very operation (seed). */
static void weak_program(struct vflash *dev, uint32_t off, const uint8_t *data, uint64_t seed)
{
    struct vflash_cut cut = {
        dev->stats.ops, VFLASH_CUT_WEAK, VFLASH_CUT_SEEDED, VFLASH_CUT_SEEDED, seed, 0
    };
    struct vflash_cut_result res;

    assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
    assert_int_equal(vflash_program(dev, off, data, PAGE), BO_EPOWER);
    assert_int_equal(vflash_fault_cut_result(dev, &res), 0);
    assert_true(res.reached);
    assert_int_equal(res.error, 0);
}

/* In a child process: a fresh view programs a weak page at off, then the process dies. */
static void child_cut(struct shared *sh, uint32_t off, const uint8_t *data, uint64_t seed)
{
    pid_t pid = fork();
    int status = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        struct vflash dev;

        view_open(&dev, sh);
        weak_program(&dev, off, data, seed);
        _exit(vflash_fault_weak_count(&dev) == 1 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Stable bits of a read equal intended; returns whether it differs from intended at all. */
static bool read_checked(struct vflash *dev, uint32_t off, const uint8_t *old,
                         const uint8_t *intended, bool host)
{
    uint8_t buf[PAGE];

    if (host) {
        assert_int_equal(vflash_host_read(dev, off, buf, PAGE), 0);
    } else {
        assert_int_equal(vflash_read(dev, off, buf, PAGE), 0);
    }
    for (uint32_t i = 0; i < PAGE; i++) {
        uint8_t stable = (uint8_t) ~(old[i] ^ intended[i]);

        assert_int_equal(buf[i] & stable, intended[i] & stable);
    }
    return memcmp(buf, intended, PAGE) != 0;
}

static void test_format_and_attach(void **state)
{
    struct shared sh;
    struct vflash dev;
    uint8_t junk[256];

    (void)state;
    assert_int_equal(vflash_weak_map_size(0), 0);
    assert_true(vflash_weak_map_size(SIZE) > 2u * SIZE);
    shared_open(&sh, VFLASH_NOR, 0xff);
    assert_int_equal(vflash_weak_map_format(NULL, sh.weak_len, SIZE), BO_EINVAL);
    assert_int_equal(vflash_weak_map_format(sh.weak, sh.weak_len, 0), BO_EINVAL);
    assert_int_equal(vflash_weak_map_format(sh.weak, 16, SIZE), BO_EINVAL);

    vflash_init(&dev);
    assert_int_equal(vflash_fault_weak_attach(&dev, sh.weak, sh.weak_len), BO_ESTATE);
    assert_int_equal(vflash_setup(&dev, &sh.geom, sh.mem, SIZE, sh.ecc), 0);
    /* Not a map, a map of another length, a map for another device size. */
    memset(junk, 0, sizeof(junk));
    assert_int_equal(vflash_fault_weak_attach(&dev, junk, sizeof(junk)), BO_EINVAL);
    assert_int_equal(vflash_fault_weak_attach(&dev, sh.weak, sh.weak_len - 8), BO_EINVAL);
    assert_int_equal(vflash_fault_weak_attach(&dev, NULL, sh.weak_len), BO_EINVAL);
    assert_int_equal(vflash_weak_map_format(sh.weak, sh.weak_len, SIZE / 2), 0);
    assert_int_equal(vflash_fault_weak_attach(&dev, sh.weak, sh.weak_len), BO_EINVAL);
    assert_int_equal(vflash_weak_map_format(sh.weak, sh.weak_len, SIZE), 0);
    assert_int_equal(vflash_fault_weak_attach(&dev, sh.weak, sh.weak_len), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    vflash_free(&dev);
    shared_close(&sh);
}

/* The heart of it: a cut in a process that dies leaves bits another process reads unstably. */
static void test_weak_outlives_the_process(void **state)
{
    struct shared sh;
    struct vflash dev;
    struct vflash other;
    struct vflash_weak_info info;
    uint8_t old[PAGE];
    uint8_t data[PAGE];
    uint8_t first[PAGE];
    uint8_t buf[PAGE];
    int differ = 0;
    int off_intended = 0;

    (void)state;
    shared_open(&sh, VFLASH_NOR, 0xff);
    memset(old, 0xff, sizeof(old));
    fill(data, sizeof(data), 7);
    child_cut(&sh, SECTOR + PAGE, data, 42);
    /* Flash holds the intended bytes; the region is in the map. */
    assert_memory_equal(sh.mem + SECTOR + PAGE, data, PAGE);
    view_open(&dev, &sh);
    view_open(&other, &sh);
    assert_int_equal(vflash_fault_weak_count(&dev), 1);
    assert_int_equal(vflash_fault_weak_get(&dev, 0, &info), 0);
    assert_int_equal(info.off, SECTOR + PAGE);
    assert_int_equal(info.len, PAGE);
    assert_true(info.unstable > 0 && info.unstable <= PAGE);
    assert_memory_equal(info.old, old, PAGE);
    assert_memory_equal(info.intended, data, PAGE);
    assert_true(vflash_fault_weak_overlaps(&dev, SECTOR + PAGE + 5, 1));
    assert_false(vflash_fault_weak_overlaps(&dev, SECTOR, PAGE));

    /* Successive reads, device and host, by either view, differ. */
    assert_int_equal(vflash_read(&dev, SECTOR + PAGE, first, PAGE), 0);
    for (int r = 0; r < 16; r++) {
        assert_int_equal(vflash_read(r % 2 ? &dev : &other, SECTOR + PAGE, buf, PAGE), 0);
        differ += memcmp(first, buf, PAGE) != 0;
        off_intended += read_checked(r % 2 ? &other : &dev, SECTOR + PAGE, old, data, r % 3);
    }
    assert_true(differ >= 15);
    assert_true(off_intended >= 15);
    /* Bytes next to the region are stable. */
    assert_int_equal(vflash_read(&dev, SECTOR, buf, PAGE), 0);
    assert_memory_equal(buf, sh.mem + SECTOR, PAGE);

    /* An erase of the sector by one view settles it for every view. */
    assert_int_equal(vflash_erase_sector(&other, 1), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    assert_int_equal(vflash_read(&dev, SECTOR + PAGE, buf, PAGE), 0);
    assert_memory_equal(buf, old, PAGE);
    vflash_free(&dev);
    vflash_free(&other);
    shared_close(&sh);
}

/* Host writes and raw host programs settle what they touch; the rest stays weak. */
static void test_host_writes_settle(void **state)
{
    struct shared sh;
    struct vflash dev;
    uint8_t old[PAGE];
    uint8_t data[PAGE];
    uint8_t zero[PAGE];
    struct vflash_weak_info info;

    (void)state;
    shared_open(&sh, VFLASH_NOR, 0xff);
    memset(old, 0xff, sizeof(old));
    memset(zero, 0, sizeof(zero));
    fill(data, sizeof(data), 8);
    child_cut(&sh, 0, data, 5);
    view_open(&dev, &sh);
    assert_int_equal(vflash_fault_weak_get(&dev, 0, &info), 0);
    assert_int_equal(vflash_host_program(&dev, 0, zero, PAGE / 2), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 1);
    for (int r = 0; r < 8; r++) {
        uint8_t buf[PAGE];

        assert_int_equal(vflash_host_read(&dev, 0, buf, PAGE), 0);
        assert_memory_equal(buf, zero, PAGE / 2);
    }
    assert_int_equal(vflash_host_write(&dev, PAGE / 2, data + PAGE / 2, PAGE / 2), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    assert_memory_equal(sh.mem, zero, PAGE / 2);
    assert_false(read_checked(&dev, 0, sh.mem, sh.mem, false));
    vflash_free(&dev);
    shared_close(&sh);
}

/* The draws of a shared map are those of the device's own heap: same seed, same reads. */
static void test_draws_match_in_process(void **state)
{
    struct shared sh;
    struct shared sh2;
    struct vflash shared_dev;
    struct vflash shared_dev2;
    struct vflash heap_dev;
    uint8_t data[PAGE];

    (void)state;
    shared_open(&sh, VFLASH_NOR, 0x00);
    shared_open(&sh2, VFLASH_NOR, 0x00);
    fill(data, sizeof(data), 9);
    child_cut(&sh, 2 * PAGE, data, 1234);
    child_cut(&sh2, 2 * PAGE, data, 1235);
    view_open(&shared_dev, &sh);
    view_open(&shared_dev2, &sh2);
    vflash_init(&heap_dev);
    assert_int_equal(vflash_setup(&heap_dev, &sh.geom, NULL, 0, NULL), 0);
    weak_program(&heap_dev, 2 * PAGE, data, 1234);
    vflash_power_on(&heap_dev);
    for (uint32_t r = 0; r < 20; r++) {
        uint8_t a[3 * PAGE];
        uint8_t b[3 * PAGE];
        uint8_t c[3 * PAGE];
        uint32_t off = PAGE + (r % 4) * 8;

        assert_int_equal(vflash_read(&shared_dev, off, a, sizeof(a)), 0);
        assert_int_equal(vflash_read(&heap_dev, off, b, sizeof(b)), 0);
        assert_int_equal(vflash_read(&shared_dev2, off, c, sizeof(c)), 0);
        assert_memory_equal(a, b, sizeof(a));
        /* Another seed draws otherwise (20 reads of 64 weak bytes cannot all agree). */
        if (r == 19) {
            assert_true(memcmp(a, c, sizeof(a)) != 0);
        }
    }
    vflash_free(&shared_dev);
    vflash_free(&shared_dev2);
    vflash_free(&heap_dev);
    shared_close(&sh);
    shared_close(&sh2);
}

/* ECC parts: the weak units count as programmed in the next process; only an erase settles. */
static void test_ecc_weak_units(void **state)
{
    struct shared sh;
    struct vflash dev;
    uint8_t old[PAGE];
    uint8_t data[PAGE];
    int off_intended = 0;

    (void)state;
    shared_open(&sh, VFLASH_ECC, 0xff);
    memset(old, 0xff, sizeof(old));
    fill(data, sizeof(data), 10);
    child_cut(&sh, 3 * SECTOR, data, 77);
    view_open(&dev, &sh);
    assert_int_equal(vflash_program(&dev, 3 * SECTOR, data, WU), BO_ESEMANTICS);
    for (int r = 0; r < 8; r++) {
        off_intended += read_checked(&dev, 3 * SECTOR, old, data, false);
    }
    assert_true(off_intended >= 7);
    assert_int_equal(vflash_erase_sector(&dev, 3), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    assert_int_equal(vflash_program(&dev, 3 * SECTOR, data, PAGE), 0);
    assert_false(read_checked(&dev, 3 * SECTOR, data, data, false));
    vflash_free(&dev);
    shared_close(&sh);
}

/* Regions accumulate over runs; a full shared map keeps no more (the cut says so). */
static void test_shared_map_capacity(void **state)
{
    struct shared sh;
    struct vflash dev;
    struct vflash_cut_result res;
    uint8_t unit[WU];

    (void)state;
    shared_open(&sh, VFLASH_NO_ERASE, 0xff);
    view_open(&dev, &sh);
    for (uint32_t i = 0; i <= VFLASH_WEAK_MAP_REGIONS; i++) {
        struct vflash_cut cut = {
            dev.stats.ops, VFLASH_CUT_WEAK, VFLASH_CUT_SEEDED, VFLASH_CUT_SEEDED, i, 0
        };

        fill(unit, sizeof(unit), 100 + i);
        assert_int_equal(vflash_fault_arm_cut(&dev, &cut), 0);
        assert_int_equal(vflash_program(&dev, i * WU, unit, WU), BO_EPOWER);
        assert_int_equal(vflash_fault_cut_result(&dev, &res), 0);
        assert_true(res.reached);
        /* The bits landed either way; only the region of the last one could not be kept. */
        assert_memory_equal(sh.mem + i * WU, unit, WU);
        assert_int_equal(res.error, i < VFLASH_WEAK_MAP_REGIONS ? 0 : BO_ENOMEM);
        vflash_power_on(&dev);
    }
    assert_int_equal(vflash_fault_weak_count(&dev), VFLASH_WEAK_MAP_REGIONS);
    /* Settling one frees its slot for the next cut. */
    assert_int_equal(vflash_host_write(&dev, 0, unit, WU), 0);
    assert_int_equal(vflash_fault_weak_count(&dev), VFLASH_WEAK_MAP_REGIONS - 1);
    vflash_fault_clear_weak(&dev);
    assert_int_equal(vflash_fault_weak_count(&dev), 0);
    vflash_free(&dev);
    shared_close(&sh);
}

/* A process killed while it reads, cuts or settles never leaves the map locked or torn. */
static void test_killed_process_never_blocks(void **state)
{
    struct shared sh;
    struct vflash dev;
    uint8_t data[PAGE];
    uint8_t old[2 * PAGE];

    (void)state;
    shared_open(&sh, VFLASH_NO_ERASE, 0xff);
    memset(old, 0xff, sizeof(old));
    fill(data, sizeof(data), 11);
    view_open(&dev, &sh);
    for (int round = 0; round < 30; round++) {
        struct timespec ts = { 0, 200000 + 50000 * (round % 7) };
        pid_t pid;
        int status;

        child_cut(&sh, 0, data, (uint64_t)round);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct vflash child;
            uint8_t buf[SECTOR];

            view_open(&child, &sh);
            for (uint64_t n = 0;; n++) {
                /* Reads, new weak cuts and settling programs, as fast as it can. */
                vflash_read(&child, 0, buf, SECTOR);
                if (n % 16 == 0) {
                    weak_program(&child, PAGE, data, n);
                    vflash_power_on(&child);
                    vflash_program(&child, PAGE, old, PAGE);
                }
            }
        }
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* This process still gets the lock; what is left is consistent. */
        assert_true(vflash_fault_weak_count(&dev) <= 2);
        for (int r = 0; r < 4; r++) {
            uint8_t buf[PAGE];

            assert_int_equal(vflash_read(&dev, 0, buf, PAGE), 0);
            if (vflash_fault_weak_count(&dev) == 0) {
                assert_memory_equal(buf, data, PAGE);
            }
        }
        assert_int_equal(vflash_host_write(&dev, 0, old, 2 * PAGE), 0);
        assert_int_equal(vflash_fault_weak_count(&dev), 0);
    }
    vflash_free(&dev);
    shared_close(&sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_attach),
        cmocka_unit_test(test_weak_outlives_the_process),
        cmocka_unit_test(test_host_writes_settle),
        cmocka_unit_test(test_draws_match_in_process),
        cmocka_unit_test(test_ecc_weak_units),
        cmocka_unit_test(test_shared_map_capacity),
        cmocka_unit_test(test_killed_process_never_blocks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
