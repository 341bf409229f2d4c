/* SPDX-License-Identifier: Apache-2.0 */
/*
 * argv_build: formatted arguments of any length, an array that grows and always ends in NULL,
 * an empty line, a sticky error, and a line a real program runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <spawn.h>
#include <sys/wait.h>

#include "bo_err.h"
#include "util/argv_build.h"

extern char **environ;

static void test_many_and_long(void **unused)
{
    struct argv_build b;
    char *long_arg = malloc(10001);
    char want[32];
    char **argv;
    uint32_t i;

    (void)unused;
    assert_non_null(long_arg);
    memset(long_arg, 'x', 10000);
    long_arg[10000] = '\0';
    argv_build_init(&b);
    for (i = 0; i < 100; i++) {
        assert_int_equal(argv_build_add(&b, "--arg%u=%s", (unsigned)i, i % 2 ? "odd" : "even"), 0);
        /* The array ends in NULL after every add. */
        assert_null(b.argv[b.argc]);
    }
    assert_int_equal(argv_build_add(&b, "%s", long_arg), 0);
    argv = argv_build_argv(&b);
    assert_non_null(argv);
    assert_int_equal(b.argc, 101);
    for (i = 0; i < 100; i++) {
        snprintf(want, sizeof(want), "--arg%u=%s", (unsigned)i, i % 2 ? "odd" : "even");
        assert_string_equal(argv[i], want);
    }
    /* Nothing cut: the old fixed buffers kept a few hundred bytes an argument. */
    assert_string_equal(argv[100], long_arg);
    assert_null(argv[101]);
    argv_build_free(&b);
    assert_null(b.argv);
    assert_int_equal(b.argc, 0);
    free(long_arg);
}

static void test_empty(void **unused)
{
    struct argv_build b;
    char **argv;

    (void)unused;
    argv_build_init(&b);
    argv = argv_build_argv(&b);
    assert_non_null(argv);
    assert_null(argv[0]);
    argv_build_free(&b);
    /* Free after init alone is safe too. */
    argv_build_free(&b);
}

static void test_sticky_error(void **unused)
{
    struct argv_build b;

    (void)unused;
    argv_build_init(&b);
    assert_int_equal(argv_build_add(&b, "first"), 0);
    /* As if memory ran short on an earlier add: nothing more is added, no array comes back. */
    b.rc = BO_ENOMEM;
    assert_int_equal(argv_build_add(&b, "second"), BO_ENOMEM);
    assert_int_equal(b.argc, 1);
    assert_null(argv_build_argv(&b));
    argv_build_free(&b);
    assert_int_equal(b.rc, 0);
}

static void test_runs(void **unused)
{
    struct argv_build b;
    pid_t pid;
    int status = 0;

    (void)unused;
    argv_build_init(&b);
    argv_build_add(&b, "sh");
    argv_build_add(&b, "-c");
    argv_build_add(&b, "[ \"$1\" = 'a b' ] && [ \"$2\" = %d ] && [ $# -eq 2 ]", 42);
    argv_build_add(&b, "sh");
    argv_build_add(&b, "%s %s", "a", "b");
    argv_build_add(&b, "%d", 42);
    assert_int_equal(posix_spawnp(&pid, "sh", NULL, NULL, argv_build_argv(&b), environ), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    argv_build_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_and_long),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_sticky_error),
        cmocka_unit_test(test_runs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
