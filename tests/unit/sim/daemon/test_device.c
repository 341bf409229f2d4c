/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the device model without firmware runs: backing files created, sized and erased,
 * kept across restarts, images written only into fresh flash, ECC maps, flash-in-ram, host
 * writes visible in the file, slots, status JSON, and a clean close on a loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "daemon/device.h"
#include "support/interop.h"

struct fixture {
    char dir[64];
    char board[512];
    uv_loop_t loop;
    int events;
    char last_event[32];
};

static void fx_emit(void *arg, const char *event, json_t *data, uint64_t clock_ns)
{
    struct fixture *fx = arg;

    (void)clock_ns;
    fx->events++;
    snprintf(fx->last_event, sizeof(fx->last_event), "%s", event);
    json_decref(data);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    const char *root = interop_repo_root();

    if (fx == NULL || root == NULL) {
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_device.XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        return -1;
    }
    snprintf(fx->board, sizeof(fx->board), "%s/fixtures/boards/nrf52840.ini", root);
    uv_loop_init(&fx->loop);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];

    uv_run(&fx->loop, UV_RUN_NOWAIT);
    uv_loop_close(&fx->loop);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0) {
        return -1;
    }
    free(fx);
    return 0;
}

static void closed_cb(struct device *dev)
{
    dev->cfg.seed = 4242; /* Marks the callback as run. */
}

/* Closes the device through the loop and frees it. */
static void close_device(struct fixture *fx, struct device *dev)
{
    device_close(dev, closed_cb);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(dev->cfg.seed, 4242);
    device_free(dev);
}

static void make_cfg(struct fixture *fx, struct config_device *c, const char *board)
{
    config_device_init(c, "dev0");
    snprintf(c->board, sizeof(c->board), "%s", board != NULL ? board : fx->board);
    c->flash_count = 1;
    snprintf(c->flash[0].path, sizeof(c->flash[0].path), "%s/dev0.bin", fx->dir);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int setup_dev(struct fixture *fx, struct device *dev, const struct config_device *c,
                     char *err, size_t err_len)
{
    device_init(dev);
    return device_setup(dev, &fx->loop, c, "/nonexistent/brownout-fw", fx_emit, fx, err, err_len);
}

static void test_new_file_and_images(void **state)
{
    struct fixture *fx = *state;
    static struct device dev;
    struct config_device c;
    char img[128];
    char err[512];
    uint8_t payload[300];
    struct stat st;
    struct device_flash *fl;
    uint32_t off;
    uint32_t size;
    size_t i;

    for (i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 7 + 1);
    }
    snprintf(img, sizeof(img), "%s/img.bin", fx->dir);
    write_file(img, payload, sizeof(payload));
    make_cfg(fx, &c, NULL);
    c.image_count = 1;
    c.images[0].area_id = FLASH_AREA_IMAGE_SECONDARY(0);
    snprintf(c.images[0].path, sizeof(c.images[0].path), "%s", img);
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_int_equal(stat(c.flash[0].path, &st), 0);
    assert_int_equal(st.st_size, 1024 * 1024);
    assert_int_equal(dev.state, DEVICE_OFF);
    assert_int_equal(device_slot(&dev, FLASH_AREA_IMAGE_SECONDARY(0), &fl, &off, &size), 0);
    assert_int_equal(off, 0x40000);
    assert_int_equal(size, 0x34000);
    assert_memory_equal(fl->mem + off, payload, sizeof(payload));
    assert_int_equal(fl->mem[off + sizeof(payload)], 0xff);
    assert_int_equal(fl->mem[0], 0xff);
    assert_int_equal(device_slot(&dev, FLASH_AREA_IMAGE_SCRATCH + 40, &fl, &off, &size), BO_ENOENT);
    /* A host write lands in the backing file (shared mapping). */
    assert_int_equal(vflash_host_write(&fl->vf, 16, "\x12\x34", 2), 0);
    close_device(fx, &dev);
    {
        FILE *f = fopen(c.flash[0].path, "rb");
        uint8_t b[2];

        assert_non_null(f);
        assert_int_equal(fseek(f, 16, SEEK_SET), 0);
        assert_int_equal(fread(b, 1, 2, f), 2);
        fclose(f);
        assert_int_equal(b[0], 0x12);
        assert_int_equal(b[1], 0x34);
    }
    /* A restart keeps the contents and does not write the images again. */
    memset(payload, 0, 4);
    write_file(img, payload, sizeof(payload));
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_int_equal(dev.flash[0].fresh, false);
    assert_int_equal(dev.flash[0].mem[16], 0x12);
    assert_int_equal(dev.flash[0].mem[0x40000], 1);
    close_device(fx, &dev);
    /* --flash-erase starts over: erased, then the images again. */
    c.flash_erase = true;
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_int_equal(dev.flash[0].mem[16], 0xff);
    assert_int_equal(dev.flash[0].mem[0x40000], 0);
    close_device(fx, &dev);
}

/* A second device on a locked backing file fails before erasing; a shrunk file is lost. */
static void test_lock_and_lost(void **state)
{
    struct fixture *fx = *state;
    static struct device a;
    static struct device b;
    struct config_device c;
    char err[512];

    make_cfg(fx, &c, NULL);
    assert_int_equal(setup_dev(fx, &a, &c, err, sizeof(err)), 0);
    a.flash[0].mem[64] = 0x5a;
    c.flash_erase = true;
    err[0] = '\0';
    assert_int_equal(setup_dev(fx, &b, &c, err, sizeof(err)), BO_EBUSY);
    assert_non_null(strstr(err, "locked"));
    device_free(&b);
    assert_int_equal(a.flash[0].mem[64], 0x5a);
    assert_false(device_flash_lost(&a));
    assert_int_equal(truncate(c.flash[0].path, 4096), 0);
    fx->events = 0;
    assert_true(device_flash_lost(&a));
    assert_int_equal(fx->events, 1);
    assert_string_equal(fx->last_event, "DEVICE_FAULT");
    assert_int_equal(a.state, DEVICE_FAULT);
    assert_int_equal(device_power_on(&a), BO_ESTATE);
    assert_true(device_flash_lost(&a));
    assert_int_equal(fx->events, 1);
    close_device(fx, &a);
    /* The lock went with the device. */
    assert_int_equal(setup_dev(fx, &b, &c, err, sizeof(err)), 0);
    close_device(fx, &b);
}

static void test_bad_setups(void **state)
{
    struct fixture *fx = *state;
    static struct device dev;
    struct config_device c;
    char err[512];
    uint8_t small[100];

    memset(small, 0xff, sizeof(small));
    make_cfg(fx, &c, NULL);
    write_file(c.flash[0].path, small, sizeof(small));
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "--flash-erase"));
    device_free(&dev);
    /* A missing image file names the file. */
    make_cfg(fx, &c, NULL);
    snprintf(c.flash[0].path, sizeof(c.flash[0].path), "%s/other.bin", fx->dir);
    c.image_count = 1;
    c.images[0].area_id = FLASH_AREA_IMAGE_PRIMARY(0);
    snprintf(c.images[0].path, sizeof(c.images[0].path), "%s/missing.bin", fx->dir);
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), BO_EOS);
    assert_non_null(strstr(err, "missing.bin"));
    device_free(&dev);
    /* A bad board gives its FILE:LINE message. */
    make_cfg(fx, &c, "/nonexistent/board.ini");
    assert_true(setup_dev(fx, &dev, &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "/nonexistent/board.ini"));
    device_free(&dev);
}

static void test_image_too_large(void **state)
{
    struct fixture *fx = *state;
    static struct device dev;
    struct config_device c;
    char err[512];
    uint8_t *big = calloc(1, 0x34001);

    assert_non_null(big);
    make_cfg(fx, &c, NULL);
    c.flash_in_ram = true;
    c.flash_count = 0;
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_string_equal(dev.flash[0].path, "");
    assert_int_equal(device_image_load(&dev, FLASH_AREA_IMAGE_PRIMARY(0), big, 0x34001), BO_ERANGE);
    assert_int_equal(device_image_load(&dev, FLASH_AREA_IMAGE_PRIMARY(0), big, 0x34000), 0);
    assert_int_equal(dev.flash[0].mem[0xC000], 0);
    assert_int_equal(device_image_load(&dev, FLASH_AREA_IMAGE_PRIMARY(1) + 40, big, 1), BO_ENOENT);
    free(big);
    close_device(fx, &dev);
}

static void test_ecc_map(void **state)
{
    struct fixture *fx = *state;
    static struct device dev;
    struct config_device c;
    char board[400];
    char ecc[600];
    char err[512];
    struct stat st;

    snprintf(board, sizeof(board), "%s/fixtures/boards/stm32h7.ini", interop_repo_root());
    make_cfg(fx, &c, board);
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_int_equal(dev.flash[0].vf.geom.semantics, VFLASH_ECC);
    snprintf(ecc, sizeof(ecc), "%s.ecc", c.flash[0].path);
    assert_int_equal(stat(ecc, &st), 0);
    assert_int_equal((size_t)st.st_size, dev.flash[0].ecc_len);
    /* The map is shared: a host write marks units programmed in the file's map. */
    assert_int_equal(vflash_host_write(&dev.flash[0].vf, 0, "abc", 3), 0);
    assert_true(dev.flash[0].ecc[0] != 0);
    close_device(fx, &dev);
    /* Lost map: rebuilt from the contents (non-erased units count as programmed). */
    assert_int_equal(unlink(ecc), 0);
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    assert_true(dev.flash[0].ecc[0] != 0);
    assert_int_equal(dev.flash[0].mem[0], 'a');
    close_device(fx, &dev);
}

static void test_status_and_states(void **state)
{
    struct fixture *fx = *state;
    static struct device dev;
    struct config_device c;
    struct vflash_cut cut;
    char err[512];
    json_t *st;
    json_t *fl;

    make_cfg(fx, &c, NULL);
    assert_int_equal(setup_dev(fx, &dev, &c, err, sizeof(err)), 0);
    st = device_status_json(&dev);
    assert_non_null(st);
    assert_string_equal(json_string_value(json_object_get(st, "state")), "off");
    assert_string_equal(json_string_value(json_object_get(st, "board")), "nrf52840");
    assert_true(json_is_null(json_object_get(st, "armed-cut")));
    json_decref(st);
    memset(&cut, 0, sizeof(cut));
    cut.model = VFLASH_CUT_TORN_BITS;
    cut.seed = 5;
    device_arm_cut(&dev, 17, &cut);
    st = device_status_json(&dev);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "armed-cut"), "at-op")),
                     17);
    json_decref(st);
    fl = device_flash_json(&dev);
    assert_int_equal(json_array_size(fl), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(fl, 0), "size")),
                     1024 * 1024);
    json_decref(fl);
    /* Without a run: off already, no app to ask, a cut "now" has nothing to cut. */
    assert_int_equal(device_power_off(&dev), BO_ESTATE);
    assert_int_equal(device_cut_now(&dev), BO_ESTATE);
    assert_int_equal(device_request(&dev, "confirm", NULL, NULL), BO_ESTATE);
    /* The runner does not exist: power-on fails and the device stays off. */
    assert_int_equal(device_power_on(&dev), BO_EOS);
    assert_int_equal(dev.state, DEVICE_OFF);
    assert_int_equal(fx->events, 0);
    assert_string_equal(device_state_name(DEVICE_HALTED), "halted");
    assert_non_null(device_find_flash(&dev, "internal"));
    assert_non_null(device_find_flash(&dev, NULL));
    assert_null(device_find_flash(&dev, "nope"));
    close_device(fx, &dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_file_and_images, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_setups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ecc_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_and_states, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
