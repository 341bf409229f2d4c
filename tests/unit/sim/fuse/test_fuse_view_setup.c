/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE view's setup side: stale mounts of a killed daemon, setup errors, the descriptions
 * of devices and write modes, and a machine without /dev/fuse.
 */
#include "fuse_test_int.h"

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
        cmocka_unit_test_setup_teardown(test_stale_mount, setup_unmounted, teardown),
        cmocka_unit_test_setup_teardown(test_setup_errors, setup_programmer, teardown),
        cmocka_unit_test_setup_teardown(test_descriptions, setup_unmounted, teardown),
        cmocka_unit_test_setup_teardown(test_no_fuse, setup_unmounted, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
