/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of brownoutd's configuration: INI text, FILE:LINE errors, command-line overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "bo_err.h"
#include "config/config_mcuboot.h"
#include "config/daemon_config.h"

static struct config cfg;
static char err[CONFIG_ERR_MAX];

static int parse(const char *text, const char *name)
{
    config_free(&cfg);
    config_init(&cfg);
    err[0] = '\0';
    return config_parse_text(&cfg, text, name, err, sizeof(err));
}

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *write_tmp(const char *text)
{
    static char path[64];
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "/tmp/test_config.XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int parse_args(char **argv)
{
    enum config_action action;
    int argc = 0;

    while (argv[argc] != NULL) {
        argc++;
    }
    config_free(&cfg);
    config_init(&cfg);
    err[0] = '\0';
    return config_parse_args(&cfg, argc, argv, &action, err, sizeof(err));
}

static const char good_ini[] = "; a comment\n"
                               "[daemon]\n"
                               "control = run/bo.sock\n"
                               "mount = /abs/mnt\n"
                               "fuse-write = nor\n"
                               "seed = 0x10\n"
                               "\n"
                               "[device dev0]\n"
                               "board = boards/nrf52840.ini\n"
                               "flash = dev0.bin\n"
                               "image = primary=v1.bin\n"
                               "image = secondary=/images/v2.bin\n"
                               "mode = swap-move\n"
                               "key = k1.pem\n"
                               "key = k2.pem\n"
                               "power-on = manual\n"
                               "power-on-delay-ms = 250\n"
                               "\n"
                               "[device dev1]\n"
                               "board = /b/stm32h7.ini\n"
                               "flash-in-ram = yes\n"
                               "flash = bank2=b2.bin\n"
                               "images = 2\n"
                               "downgrade-prevention = on\n"
                               "validate-primary = false\n";

static void test_good_file(void **state)
{
    const struct config_device *d0;
    const struct config_device *d1;

    (void)state;
    assert_int_equal(parse(good_ini, "/etc/bo/conf.ini"), 0);
    assert_string_equal(cfg.control, "/etc/bo/run/bo.sock");
    assert_string_equal(cfg.mount, "/abs/mnt");
    assert_true(cfg.fuse_nor);
    assert_int_equal(cfg.seed, 16);
    assert_int_equal(cfg.device_count, 2);
    d0 = &cfg.devices[0];
    d1 = &cfg.devices[1];
    assert_string_equal(d0->name, "dev0");
    assert_int_equal(d0->line, 8);
    assert_string_equal(d0->board, "/etc/bo/boards/nrf52840.ini");
    assert_int_equal(d0->flash_count, 1);
    assert_string_equal(d0->flash[0].name, "");
    assert_string_equal(d0->flash[0].path, "/etc/bo/dev0.bin");
    assert_int_equal(d0->image_count, 2);
    assert_int_equal(d0->images[0].area_id, FLASH_AREA_IMAGE_PRIMARY(0));
    assert_string_equal(d0->images[0].path, "/etc/bo/v1.bin");
    assert_int_equal(d0->images[1].area_id, FLASH_AREA_IMAGE_SECONDARY(0));
    assert_string_equal(d0->images[1].path, "/images/v2.bin");
    assert_int_equal(d0->mode, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(d0->key_count, 2);
    assert_string_equal(d0->keys[1], "/etc/bo/k2.pem");
    assert_false(d0->auto_power_on);
    assert_int_equal(d0->power_on_delay_ms, 250);
    assert_int_equal(d0->seed, 16); /* The daemon's seed is the devices' default. */
    assert_true(d0->validate_primary);
    assert_string_equal(d1->board, "/b/stm32h7.ini");
    assert_true(d1->flash_in_ram);
    assert_string_equal(d1->flash[0].name, "bank2");
    assert_int_equal(d1->boot_images, 2);
    assert_true(d1->downgrade_prevention);
    assert_false(d1->validate_primary);
    assert_int_equal(d1->mode, BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(config_check(&cfg, err, sizeof(err)), 0);
}

/* Each bad text fails with NAME:LINE: and a reason containing the expected words. */
static void test_bad_files(void **state)
{
    static const struct {
        const char *text;
        const char *expect;
    } cases[] = {
        { "[device a]\nboard = x\nfoo = 1\n", "c.ini:3: unknown key 'foo'" },
        { "x = 1\n", "c.ini:1: key 'x' outside a section" },
        { "[daemon]\n\n[nope]\nkey = 1\n", "c.ini:3: unknown section [nope]" },
        { "[device a]\nmode = sideways\n", "c.ini:2: unknown mode 'sideways'" },
        { "[device a]\n[device a]\n", "c.ini:2: device 'a' defined twice" },
        { "[device bad/name]\n", "c.ini:1: bad device name" },
        { "[device a]\nflash-erase = maybe\n", "c.ini:2: flash-erase must be true or false" },
        { "[device a]\nimage = tertiary=x.bin\n", "c.ini:2: image 'tertiary=x.bin'" },
        { "[device a]\nimage = scratch=x.bin\n", "c.ini:2: image" },
        { "[device a]\nimages = 3\n", "c.ini:2: images must be 1 or 2" },
        { "[device a]\npower-on = later\n", "c.ini:2: power-on must be auto or manual" },
        { "[device a]\nseed = -1\n", "c.ini:2: seed must be an unsigned number" },
        { "[daemon]\nfuse-write = magic\n", "c.ini:2: fuse-write must be programmer or nor" },
        { "[daemon]\n\n\nthis line has no equals sign\n", "c.ini:4: syntax error" },
        { "[daemon\n", "c.ini:1: unterminated" },
        /* Issue 15 item 8: names the FUSE view reserves, and keys given twice in a section. */
        { "[device .]\n", "c.ini:1: bad device name '.' (reserved" },
        { "[device ..]\n", "c.ini:1: bad device name '..' (reserved" },
        { "[device a]\nboard = x\nmode = move\nboard = y\n",
          "c.ini:4: duplicate key 'board' (first on line 2)" },
        { "[daemon]\nseed = 1\n\nseed = 2\n", "c.ini:4: duplicate key 'seed' (first on line 2)" },
        { "[device a]\naddress = 127.0.0.1:0\naddress = 127.0.0.1:1\n",
          "c.ini:3: duplicate key 'address' (first on line 2)" },
        { "[device a]\nflash-in-ram = yes\nflash-in-ram = no\n",
          "c.ini:3: duplicate key 'flash-in-ram' (first on line 2)" },
        { "[device a]\nimage = primary=a.bin\nimage = secondary=b.bin\nimage = 0-primary=c.bin\n",
          "c.ini:4: duplicate key 'image' for the same slot (first on line 2)" },
        { "[device a]\nflash = a.bin\nflash = b.bin\n",
          "c.ini:3: duplicate key 'flash' for the same flash device (first on line 2)" },
        /* A left part too long for a flash name makes the whole value a path. */
        { "[device a]\nflash = b.bin\nflash = a234567890123456789012345678901234567890=x.bin\n",
          "c.ini:3: duplicate key 'flash' for the same flash device (first on line 2)" },
        { "[device a]\nkey = k.pem\nkey = j.pem\nkey = k.pem\n",
          "c.ini:4: duplicate key 'key' for the same file (first on line 2)" },
        { "[daemon]\nseed = 1\n[device a]\n[daemon]\n",
          "c.ini:4: duplicate [daemon] section (first on line 1)" },
        /* Issue 16: the bootloader of a device. */
        { "[device a]\nbootloader = uboot\n",
          "c.ini:2: bootloader must be brownout or mcuboot, not 'uboot'" },
        { "[device a]\nbootloader = mcuboot\nbootloader = brownout\n",
          "c.ini:3: duplicate key 'bootloader' (first on line 2)" },
        { "[device a]\nmcuboot-src = x\n", "c.ini:2: unknown key 'mcuboot-src'" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse(cases[i].text, "c.ini");

        if (rc != BO_EINVAL || strstr(err, cases[i].expect) == NULL) {
            fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err, cases[i].expect);
        }
    }
}

static void test_check(void **state)
{
    (void)state;
    assert_int_equal(parse("[device a]\nflash = a.bin\n", "c.ini"), 0);
    snprintf(cfg.file, sizeof(cfg.file), "c.ini");
    assert_int_equal(config_check(&cfg, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "c.ini:1: device 'a' has no board"));
    assert_int_equal(parse("[device a]\nboard = b.ini\n", "c.ini"), 0);
    snprintf(cfg.file, sizeof(cfg.file), "c.ini");
    assert_int_equal(config_check(&cfg, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "has no flash file"));
}

static void test_args_only(void **state)
{
    char *argv[] = { "brownoutd",
                     "--board",
                     "b.ini",
                     "--flash",
                     "dev0=d.bin",
                     "--image",
                     "primary=v1.bin",
                     "--image",
                     "secondary=v2.bin",
                     "--mount",
                     "mnt",
                     "--control",
                     "bo.sock",
                     "--mode",
                     "overwrite",
                     "--key",
                     "k.pem",
                     "--seed",
                     "9",
                     NULL };

    (void)state;
    assert_int_equal(parse_args(argv), 0);
    assert_int_equal(cfg.device_count, 1);
    assert_string_equal(cfg.devices[0].name, "dev0");
    assert_string_equal(cfg.devices[0].board, "b.ini");
    assert_string_equal(cfg.devices[0].flash[0].path, "d.bin");
    assert_int_equal(cfg.devices[0].image_count, 2);
    assert_int_equal(cfg.devices[0].mode, BOOT_MODE_OVERWRITE);
    assert_string_equal(cfg.devices[0].keys[0], "k.pem");
    assert_int_equal(cfg.devices[0].seed, 9);
    assert_int_equal(cfg.seed, 9);
    assert_string_equal(cfg.mount, "mnt");
    assert_string_equal(cfg.control, "bo.sock");
}

static void test_args_override_file(void **state)
{
    const char *path = write_tmp("[daemon]\ncontrol = a.sock\n[device dev0]\n"
                                 "board = b.ini\nflash = f.bin\nmode = swap-move\n"
                                 "[device dev1]\nboard = b.ini\nflash-in-ram = true\n");
    char cpath[64];
    char *argv[] = { "brownoutd", "-c",      cpath,         "--device",
                     "dev1",      "--mode",  "swap-offset", "--control",
                     "/x.sock",   "--flash", "dev0=/g.bin", "--check-config",
                     NULL };
    char *argv2[] = { "brownoutd", "-c", cpath, "--mode", "overwrite", NULL };
    char *argv3[] = { "brownoutd",      "-c", cpath, "--device", "dev2", "--board", "/b.ini",
                      "--flash-in-ram", NULL };

    (void)state;
    snprintf(cpath, sizeof(cpath), "%s", path);
    assert_int_equal(parse_args(argv), 0);
    assert_true(cfg.check_only);
    assert_string_equal(cfg.control, "/x.sock");
    assert_int_equal(cfg.devices[0].mode, BOOT_MODE_SWAP_MOVE);
    assert_int_equal(cfg.devices[1].mode, BOOT_MODE_SWAP_OFFSET);
    assert_string_equal(cfg.devices[0].flash[0].path, "/g.bin");
    /* Two devices and no --device: a device option is ambiguous. */
    assert_int_equal(parse_args(argv2), BO_EINVAL);
    assert_non_null(strstr(err, "--device NAME"));
    /* --device creates a device the file lacks. */
    assert_int_equal(parse_args(argv3), 0);
    assert_int_equal(cfg.device_count, 3);
    assert_string_equal(cfg.devices[2].name, "dev2");
    assert_true(cfg.devices[2].flash_in_ram);
    unlink(path);
}

static void test_args_errors(void **state)
{
    char *unknown[] = { "brownoutd", "--frobnicate", NULL };
    char *missing[] = { "brownoutd", "--board", NULL };
    char *extra[] = { "brownoutd", "stray", NULL };
    char *nofile[] = { "brownoutd", "-c", "/nonexistent/brownout.ini", NULL };
    char *badmode[] = { "brownoutd", "--board", "b", "--flash-in-ram", "--mode", "x", NULL };
    char *noboard[] = { "brownoutd", "--flash", "dev0=x.bin", NULL };
    char *help[] = { "brownoutd", "--board", "b", "--help", NULL };
    enum config_action action;

    (void)state;
    assert_int_equal(parse_args(unknown), BO_EINVAL);
    assert_non_null(strstr(err, "--frobnicate"));
    assert_int_equal(parse_args(missing), BO_EINVAL);
    assert_non_null(strstr(err, "needs an argument"));
    assert_int_equal(parse_args(extra), BO_EINVAL);
    assert_int_equal(parse_args(nofile), BO_EOS);
    assert_non_null(strstr(err, "/nonexistent/brownout.ini"));
    assert_int_equal(parse_args(badmode), BO_EINVAL);
    assert_non_null(strstr(err, "--mode x"));
    assert_int_equal(parse_args(noboard), BO_EINVAL);
    assert_non_null(strstr(err, "has no board"));
    config_free(&cfg);
    config_init(&cfg);
    assert_int_equal(config_parse_args(&cfg, 4, help, &action, err, sizeof(err)), 0);
    assert_int_equal(action, CONFIG_HELP);
}

/* The command line refuses the names the FUSE view reserves too. */
static void test_args_reserved_names(void **state)
{
    char *dot[] = { "brownoutd", "--device", ".", "--board", "b.ini", "--flash-in-ram", NULL };
    char *dotdot[] = { "brownoutd", "--device", "..", "--board", "b.ini", "--flash-in-ram", NULL };
    char *fine[] = { "brownoutd", "--device", ".a", "--board", "b.ini", "--flash-in-ram", NULL };

    (void)state;
    assert_int_equal(parse_args(dot), BO_EINVAL);
    assert_non_null(strstr(err, "--device .: bad device name '.' (reserved"));
    assert_int_equal(parse_args(dotdot), BO_EINVAL);
    assert_non_null(strstr(err, "reserved"));
    assert_int_equal(parse_args(fine), 0);
    assert_string_equal(cfg.devices[0].name, ".a");
}

static void test_print_round_trip(void **state)
{
    static struct config again;
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_int_equal(parse(good_ini, "/etc/bo/conf.ini"), 0);
    f = open_memstream(&text, &len);
    assert_non_null(f);
    config_print(&cfg, f);
    fclose(f);
    config_free(&again);
    config_init(&again);
    assert_int_equal(config_parse_text(&again, text, "/printed.ini", err, sizeof(err)), 0);
    assert_int_equal(again.device_count, cfg.device_count);
    assert_string_equal(again.control, cfg.control);
    assert_int_equal(again.devices[0].mode, cfg.devices[0].mode);
    assert_int_equal(again.devices[0].image_count, 2);
    assert_string_equal(again.devices[0].images[1].path, "/images/v2.bin");
    assert_int_equal(again.devices[1].boot_images, 2);
    assert_string_equal(again.devices[1].flash[0].name, "bank2");
    free(text);
}

/* Issue 16: bootloader per device, mcuboot-src for the daemon, in the file and as options. */
static void test_bootloader(void **state)
{
    static const char ini[] = "[daemon]\nmcuboot-src = ../mcuboot\n\n[device a]\nboard = b.ini\n"
                              "bootloader = mcuboot\n[device b]\nboard = b.ini\n"
                              "bootloader = brownout\n[device c]\nboard = b.ini\n";
    char *argv[] = { "brownoutd",      "--board",      "b.ini",
                     "--flash-in-ram", "--bootloader", "mcuboot",
                     "--mcuboot-src",  "/src/mcuboot", NULL };
    static struct config again;
    struct config_mcuboot m;
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_int_equal(parse(ini, "/etc/bo/c.ini"), 0);
    assert_string_equal(cfg.mcuboot_src, "/etc/bo/../mcuboot");
    assert_int_equal(cfg.devices[0].bootloader, BL_MCUBOOT);
    assert_int_equal(cfg.devices[1].bootloader, BL_BROWNOUT);
    assert_int_equal(cfg.devices[2].bootloader, BL_BROWNOUT);
    /* The effective configuration reads back the same. */
    f = open_memstream(&text, &len);
    assert_non_null(f);
    config_print(&cfg, f);
    fclose(f);
    config_free(&again);
    config_init(&again);
    assert_int_equal(config_parse_text(&again, text, "/printed.ini", err, sizeof(err)), 0);
    assert_string_equal(again.mcuboot_src, cfg.mcuboot_src);
    assert_int_equal(again.devices[0].bootloader, BL_MCUBOOT);
    assert_int_equal(again.devices[1].bootloader, BL_BROWNOUT);
    free(text);

    assert_int_equal(parse_args(argv), 0);
    assert_int_equal(cfg.devices[0].bootloader, BL_MCUBOOT);
    assert_string_equal(cfg.mcuboot_src, "/src/mcuboot");

    /* A mcuboot device without a tree is refused before anything runs, naming its section. */
    assert_int_equal(parse("[device a]\nboard = b.ini\nbootloader = mcuboot\n", "c.ini"), 0);
    snprintf(cfg.file, sizeof(cfg.file), "c.ini");
    assert_int_equal(config_mcuboot_resolve(&cfg, &cfg.devices[0], &m, err, sizeof(err)),
                     EX_CONFIG);
    assert_string_equal(err, "c.ini:1: device 'a': bootloader = mcuboot needs a MCUboot tree "
                             "(mcuboot-src = DIR in [daemon], or --mcuboot-src DIR)");
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(config_slot_parse("primary"), FLASH_AREA_IMAGE_PRIMARY(0));
    assert_int_equal(config_slot_parse("image-1-secondary"), FLASH_AREA_IMAGE_SECONDARY(1));
    assert_int_equal(config_slot_parse("0-secondary"), FLASH_AREA_IMAGE_SECONDARY(0));
    assert_int_equal(config_slot_parse("scratch"), FLASH_AREA_IMAGE_SCRATCH);
    assert_int_equal(config_slot_parse("2-primary"), BO_EINVAL);
    assert_int_equal(config_slot_parse(NULL), BO_EINVAL);
    assert_string_equal(config_slot_name(FLASH_AREA_IMAGE_SECONDARY(1)), "1-secondary");
    assert_int_equal(config_mode_parse("swap-scratch"), BOOT_MODE_SWAP_SCRATCH);
    assert_int_equal(config_mode_parse("overwrite-only"), BOOT_MODE_OVERWRITE);
    assert_int_equal(config_mode_parse("offset"), BOOT_MODE_SWAP_OFFSET);
    assert_int_equal(config_mode_parse("swap"), BO_EINVAL);
}

/* Issue 18: no fixed device count, in a file and on the command line; a clone owns its devices. */
static void test_many_devices(void **state)
{
    static struct config copy;
    enum {
        MANY = 1000,
        ARGS = 40
    };
    char *text = malloc((size_t)MANY * 64);
    char *argv[2 * ARGS + 4];
    char names[ARGS][16];
    size_t n = 0;

    (void)state;
    assert_non_null(text);
    for (int i = 0; i < MANY; i++) {
        n += (size_t)snprintf(text + n, 64, "[device d%d]\nboard = b.ini\n", i);
    }
    assert_int_equal(parse(text, "/many.ini"), 0);
    free(text);
    assert_int_equal(cfg.device_count, MANY);
    assert_int_equal(config_find_device(&cfg, "d999"), 999);
    assert_non_null(strstr(cfg.devices[MANY - 1].board, "b.ini"));
    assert_int_equal(cfg.devices[MANY - 1].line, 2 * MANY - 1);

    assert_int_equal(config_clone(&copy, &cfg), 0);
    assert_int_equal(copy.device_count, MANY);
    assert_ptr_not_equal(copy.devices, cfg.devices);
    assert_string_equal(copy.devices[500].name, "d500");
    config_free(&cfg);
    assert_null(cfg.devices);
    assert_int_equal(cfg.device_count, 0);
    assert_string_equal(copy.devices[MANY - 1].name, "d999");
    config_free(&copy);

    argv[0] = "brownoutd";
    for (int i = 0; i < ARGS; i++) {
        snprintf(names[i], sizeof(names[i]), "a%d", i);
        argv[1 + 2 * i] = "--device";
        argv[2 + 2 * i] = names[i];
    }
    argv[2 * ARGS + 1] = "--board=b.ini";
    argv[2 * ARGS + 2] = "--flash-in-ram";
    argv[2 * ARGS + 3] = NULL;
    if (parse_args(argv) != 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(cfg.device_count, ARGS);
    assert_string_equal(cfg.devices[ARGS - 1].name, "a39");
    assert_string_equal(cfg.devices[ARGS - 1].board, "b.ini");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_args_only),
        cmocka_unit_test(test_args_override_file),
        cmocka_unit_test(test_args_errors),
        cmocka_unit_test(test_args_reserved_names),
        cmocka_unit_test(test_print_round_trip),
        cmocka_unit_test(test_bootloader),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_many_devices),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
