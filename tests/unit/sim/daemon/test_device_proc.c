/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the firmware process starter (sim/daemon/device_proc.c): the descriptors a child gets
 * (also when a source number is another descriptor's target), its session, its exit status and
 * signal seen through the pidfd, a kill, and a program that cannot be started.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/device_proc.h"

/* What the exit callback saw. */
struct tp_result {
    int calls;
    int64_t status;
    int signal;
};

static struct tp_result tp_seen;

static void tp_exit(struct device_proc *p, int64_t exit_status, int term_signal)
{
    (void)p;
    tp_seen.calls++;
    tp_seen.status = exit_status;
    tp_seen.signal = term_signal;
}

/* Runs the loop until the process was reported, then closes it. */
static void tp_wait(uv_loop_t *loop, struct device_proc *p)
{
    while (tp_seen.calls == 0) {
        uv_run(loop, UV_RUN_ONCE);
    }
    device_proc_close(p, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

/* Moves fd to the number to. \return to. */
static int tp_move(int fd, int to)
{
    assert_int_equal(dup3(fd, to, O_CLOEXEC), to);
    close(fd);
    return to;
}

/* Source descriptors 4 and 3 go to targets 3 and 4: a crossing a plain dup2 order breaks. */
static void test_crossed_descriptors(void **state)
{
    static const char script[] = "read x <&3; printf %s \"$x\" >&4; "
                                 "set -- $(cat /proc/$$/stat); [ \"$6\" = \"$$\" ] || exit 3; "
                                 "exit 7";
    char *argv[] = { "sh", "-c", (char *)script, NULL };
    struct device_proc p;
    uv_loop_t loop;
    int pipefd[2];
    int mem = memfd_create("tp", MFD_CLOEXEC);
    int fds[2] = { 4, 3 };
    char buf[16] = { 0 };

    (void)state;
    memset(&tp_seen, 0, sizeof(tp_seen));
    assert_true(mem >= 0);
    assert_int_equal(write(mem, "memfd\n", 6), 6);
    assert_int_equal(lseek(mem, 0, SEEK_SET), 0);
    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    /* All three far from 3 and 4 first, so that placing those closes none of them. */
    mem = tp_move(mem, 20);
    pipefd[0] = tp_move(pipefd[0], 21);
    pipefd[1] = tp_move(pipefd[1], 22);
    /* The memory file on descriptor 4, the pipe's write end on 3. */
    assert_int_equal(dup3(mem, 4, O_CLOEXEC), 4);
    assert_int_equal(dup3(pipefd[1], 3, O_CLOEXEC), 3);
    /* The loop after them: its epoll descriptor must not be one of the two. */
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(device_proc_spawn(&loop, &p, "sh", argv, fds, 2, tp_exit), 0);
    assert_true(p.pid > 0);
    tp_wait(&loop, &p);
    assert_int_equal(tp_seen.calls, 1);
    assert_int_equal(tp_seen.status, 7);
    assert_int_equal(tp_seen.signal, 0);
    close(3);
    close(pipefd[1]);
    assert_int_equal(read(pipefd[0], buf, sizeof(buf) - 1), 5);
    assert_string_equal(buf, "memfd");
    close(pipefd[0]);
    close(4);
    close(mem);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A killed process is reported with its signal. */
static void test_kill(void **state)
{
    char *argv[] = { "sleep", "30", NULL };
    struct device_proc p;
    uv_loop_t loop;

    (void)state;
    memset(&tp_seen, 0, sizeof(tp_seen));
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(device_proc_spawn(&loop, &p, "sleep", argv, NULL, 0, tp_exit), 0);
    assert_int_equal(device_proc_kill(&p, SIGKILL), 0);
    tp_wait(&loop, &p);
    assert_int_equal(tp_seen.calls, 1);
    assert_int_equal(tp_seen.signal, SIGKILL);
    assert_int_equal(device_proc_kill(&p, SIGKILL), -ESRCH);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A program that does not exist: the error, nothing running, no handle open. */
static void test_missing_program(void **state)
{
    char *argv[] = { "brownout-no-such-program", NULL };
    struct device_proc p;
    uv_loop_t loop;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(
        device_proc_spawn(&loop, &p, "/nonexistent/brownout-fw", argv, NULL, 0, tp_exit), -ENOENT);
    assert_int_equal(device_proc_spawn(&loop, &p, argv[0], argv, NULL, 0, tp_exit), -ENOENT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossed_descriptors),
        cmocka_unit_test(test_kill),
        cmocka_unit_test(test_missing_program),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
