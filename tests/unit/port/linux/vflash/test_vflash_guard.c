/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the SIGBUS guard of shared flash mappings (vflash_guard.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "vflash/vflash_guard.h"

/* A file of two pages of 0xA5 mapped shared, as the daemon maps a backing file. */
static uint8_t *map_file(int *fd_out, size_t len)
{
    char path[] = "/tmp/bo-guard-XXXXXX";
    uint8_t *p;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(ftruncate(fd, (off_t)len), 0);
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    memset(p, 0xA5, len);
    *fd_out = fd;
    return p;
}

/* A read past the end of a truncated file completes (zero pages) and trips the guard. */
static void test_truncated_file_read(void **state)
{
    size_t len = 2 * (size_t)sysconf(_SC_PAGESIZE);
    volatile uint8_t *p;
    uint8_t v;
    int fd;

    (void)state;
    p = map_file(&fd, len);
    assert_int_equal(vflash_guard_add((void *)p, len), 0);
    assert_false(vflash_guard_tripped((const void *)p));
    assert_int_equal(p[len - 1], 0xA5);
    assert_int_equal(ftruncate(fd, 0), 0);
    v = p[len - 1];
    assert_int_equal(v, 0);
    assert_true(vflash_guard_tripped((const void *)p));
    p[0] = 1; /* Writable still: the owner's stores do not fault either. */
    vflash_guard_remove((const void *)p);
    assert_false(vflash_guard_tripped((const void *)p));
    munmap((void *)p, len);
    close(fd);
}

/* Ranges are independent: a trip marks the faulting range only; slots are reused. */
/* Ranges guarded in the growth part of test_ranges: far past any small fixed table. */
#define GUARD_MANY 3000

static void test_ranges(void **state)
{
    size_t len = (size_t)sysconf(_SC_PAGESIZE);
    volatile uint8_t *a;
    volatile uint8_t *b;
    int fa;
    int fb;
    size_t i;

    (void)state;
    a = map_file(&fa, len);
    b = map_file(&fb, len);
    assert_int_equal(vflash_guard_add((void *)a, len), 0);
    assert_int_equal(vflash_guard_add((void *)b, len), 0);
    assert_int_equal(ftruncate(fb, 0), 0);
    assert_int_equal(b[10], 0);
    assert_int_equal(a[10], 0xA5);
    assert_false(vflash_guard_tripped((const void *)a));
    assert_true(vflash_guard_tripped((const void *)b));
    vflash_guard_remove((const void *)a);
    vflash_guard_remove((const void *)b);
    munmap((void *)a, len);
    munmap((void *)b, len);
    close(fa);
    close(fb);

    /* No fixed count (a daemon guards two maps per device of a 1,000-device fleet): a range
     * guarded before the table grows and one added after both stay guarded. */
    a = map_file(&fa, len);
    b = map_file(&fb, len);
    assert_int_equal(vflash_guard_add((void *)a, len), 0);
    for (i = 0; i < GUARD_MANY; i++) {
        assert_int_equal(vflash_guard_add((void *)(uintptr_t)(0x1000 * (i + 1)), 16), 0);
    }
    assert_int_equal(vflash_guard_add((void *)b, len), 0);
    assert_int_equal(ftruncate(fa, 0), 0);
    assert_int_equal(ftruncate(fb, 0), 0);
    assert_int_equal(a[10], 0);
    assert_int_equal(b[10], 0);
    assert_true(vflash_guard_tripped((const void *)a));
    assert_true(vflash_guard_tripped((const void *)b));
    for (i = 0; i < GUARD_MANY; i++) {
        vflash_guard_remove((const void *)(uintptr_t)(0x1000 * (i + 1)));
    }
    vflash_guard_remove((const void *)a);
    vflash_guard_remove((const void *)b);
    munmap((void *)a, len);
    munmap((void *)b, len);
    close(fa);
    close(fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_file_read),
        cmocka_unit_test(test_ranges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
