/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of fileio_read_all(): contents, the terminating NUL, the size limit, missing files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "util/fileio.h"

static char path[64];

static int setup(void **state)
{
    int fd;

    (void)state;
    snprintf(path, sizeof(path), "/tmp/test_fileio.XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void write_bytes(size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        fputc((int)(i * 7u & 0xffu), f);
    }
    fclose(f);
}

static void test_reads_whole_file_across_growth(void **state)
{
    uint8_t *data = NULL;
    size_t len = 0;

    (void)state;
    /* Larger than the first buffer, so the buffer grows at least twice. */
    write_bytes(200000);
    assert_int_equal(fileio_read_all(path, 1u << 20, &data, &len, NULL, 0), 0);
    assert_int_equal(len, 200000);
    for (size_t i = 0; i < len; i++) {
        if (data[i] != (uint8_t)(i * 7u)) {
            fail_msg("byte %zu differs", i);
        }
    }
    assert_int_equal(data[len], 0);
    free(data);
}

static void test_empty_file(void **state)
{
    uint8_t *data = NULL;
    size_t len = 99;

    (void)state;
    write_bytes(0);
    assert_int_equal(fileio_read_all(path, 10, &data, &len, NULL, 0), 0);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], 0);
    free(data);
}

static void test_limit(void **state)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char err[128];

    (void)state;
    write_bytes(1001);
    assert_int_equal(fileio_read_all(path, 1000, &data, &len, err, sizeof(err)), BO_ERANGE);
    assert_null(data);
    assert_non_null(strstr(err, ": too large"));
    assert_int_equal(fileio_read_all(path, 1001, &data, &len, NULL, 0), 0);
    assert_int_equal(len, 1001);
    free(data);
}

static void test_missing_file(void **state)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char err[128];

    (void)state;
    assert_int_equal(fileio_read_all("/nonexistent/x", 10, &data, &len, err, sizeof(err)), BO_EOS);
    assert_string_equal(err, "/nonexistent/x: No such file or directory");
    assert_null(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_whole_file_across_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests_name("fileio", tests, NULL, NULL);
}
