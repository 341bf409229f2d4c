/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end interoperability of the bootloader: images signed by MCUboot's real imgtool
 * (../shared/interop/imgtool) boot through boot_go() or brick it exactly as manifest.tsv says,
 * the padded test/confirm vectors act as upgrade requests, and an image signed by
 * `brownout image sign` boots as an upgrade and passes `brownout image verify`.
 */
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
#include "boot/boot_api.h"
#include "boot/image.h"
#include "image/image_tool.h"
#include "image/keys.h"
#include "port_rng.h"
#include "support/boot_fixture.h"
#include "support/interop.h"
#include "sysflash/sysflash.h"

/* Slots of 256 KiB, the slot size the padded vectors were made for. */
static const char board_text[] = "[board]\n"
                                 "name = interop-256k\n"
                                 "[flash nor]\n"
                                 "sectors = 160x4K\n"
                                 "write-unit = 4\n"
                                 "erased-value = 0xff\n"
                                 "semantics = nor\n"
                                 "[partition image-0-primary]\n"
                                 "offset = 0x0\n"
                                 "size = 0x40000\n"
                                 "[partition image-0-secondary]\n"
                                 "offset = 0x40000\n"
                                 "size = 0x40000\n"
                                 "[partition scratch]\n"
                                 "offset = 0x80000\n"
                                 "size = 0x20000\n";

static struct board board;
static struct port_rng rng;
static struct keys_table interop_keys;

static int group_setup(void **state)
{
    (void)state;
    if (bf_global_setup() != 0 || bf_board_text(&board, board_text) != 0) {
        return -1;
    }
    return interop_keys_load(&interop_keys, &rng, 9, "test_boot_interop");
}

static int group_teardown(void **state)
{
    (void)state;
    keys_table_free(&interop_keys);
    port_rng_free(&rng);
    bf_global_teardown();
    return 0;
}

/* Starts the board trusting MCUboot's interop keys. */
static void start_interop(struct bf *f, bool allow_unsigned)
{
    assert_int_equal(bf_start(f, &board, BOOT_MODE_SWAP_SCRATCH, 1), 0);
    f->cfg.keys = interop_keys.table;
    f->cfg.key_count = (uint32_t)interop_keys.count;
    f->cfg.allow_unsigned = allow_unsigned;
}

/* Writes a vector file at the start of an area. */
static void write_vector(struct bf *f, int area_id, const char *name, struct image_header *hdr)
{
    uint8_t *data = NULL;
    size_t len = 0;

    assert_int_equal(interop_read_file(interop_path(interop_imgtool_dir(), name), &data, &len), 0);
    /* Program whole write units: pad the tail with the erased value. */
    size_t padded = (len + 3u) & ~(size_t)3u;
    uint8_t *buf = malloc(padded);
    assert_non_null(buf);
    memset(buf, 0xff, padded);
    memcpy(buf, data, len);
    assert_int_equal(bf_write_raw(f, area_id, 0, buf, (uint32_t)padded), 0);
    if (hdr != NULL) {
        image_header_decode(data, hdr);
    }
    free(buf);
    free(data);
}

static void assert_version(const struct image_version *got, const struct image_version *want)
{
    assert_int_equal(got->major, want->major);
    assert_int_equal(got->minor, want->minor);
    assert_int_equal(got->revision, want->revision);
    assert_int_equal(got->build, want->build);
}

/* Every vector in the primary slot: boots or bricks as the manifest says. */
static void test_manifest_vectors_boot_as_expected(void **state)
{
    struct interop_vector rows[INTEROP_MAX_VECTORS];
    int n = interop_manifest(rows, INTEROP_MAX_VECTORS);
    int checked = 0;

    (void)state;
    assert_true(n >= 10);
    for (int i = 0; i < n; i++) {
        for (int allow = 0; allow <= 1; allow++) {
            struct bf f;
            struct boot_rsp rsp;
            struct image_header hdr;
            bool want_boot;
            int rc;

            if (strcmp(rows[i].expect, "valid") == 0) {
                want_boot = true;
            } else if (strcmp(rows[i].expect, "valid-if-unsigned-allowed") == 0) {
                want_boot = allow == 1;
            } else {
                want_boot = false;
            }
            start_interop(&f, allow == 1);
            write_vector(&f, FLASH_AREA_IMAGE_0, rows[i].file, &hdr);
            rc = bf_boot(&f, &rsp);
            if (want_boot) {
                if (rc != 0) {
                    fail_msg("%s (unsigned %s): expected to boot, got %s", rows[i].file,
                             allow ? "allowed" : "refused", bo_strerror(rc));
                }
                assert_version(&rsp.version, &hdr.version);
                assert_int_equal(rsp.hash_len, 32);
            } else if (rc != BO_EBADSIG && rc != BO_EBADIMAGE) {
                fail_msg("%s (unsigned %s): expected no bootable image, got %s", rows[i].file,
                         allow ? "allowed" : "refused", rc == 0 ? "a boot" : bo_strerror(rc));
            }
            bf_stop(&f);
            checked++;
        }
    }
    assert_int_equal(checked, 2 * n);
}

/* imgtool's --pad (test) and --pad --confirm (permanent) outputs are upgrade requests. */
static void test_padded_vectors_request_upgrades(void **state)
{
    struct image_header old_hdr;
    struct image_header new_hdr;
    struct boot_rsp rsp;
    struct bf f;

    (void)state;
    /* Test upgrade: runs once, then reverts because nobody confirmed it. */
    start_interop(&f, false);
    write_vector(&f, FLASH_AREA_IMAGE_0, "ec256-keyhash.bin", &old_hdr);
    write_vector(&f, FLASH_AREA_IMAGE_1, "ec256-test-padded.bin", &new_hdr);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_TEST);
    assert_version(&rsp.version, &new_hdr.version);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_REVERT);
    assert_version(&rsp.version, &old_hdr.version);
    bf_stop(&f);

    /* Permanent upgrade: stays after further boots. */
    start_interop(&f, false);
    write_vector(&f, FLASH_AREA_IMAGE_0, "ec256-keyhash.bin", &old_hdr);
    write_vector(&f, FLASH_AREA_IMAGE_1, "ec256-confirm-padded.bin", &new_hdr);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_PERM);
    assert_version(&rsp.version, &new_hdr.version);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_NONE);
    assert_version(&rsp.version, &new_hdr.version);
    bf_stop(&f);
}

/* Runs `brownout image ARGS...` in-process with its output silenced; returns its exit code. */
static int run_image_tool(char **args, int n)
{
    char *argv[32];
    int argc = 0;
    int rc;

    argv[argc++] = (char *)"image";
    for (int i = 0; i < n && argc < 31; i++) {
        argv[argc++] = args[i];
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1);
    int saved_err = dup(2);
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    dup2(fileno(null), 1);
    dup2(fileno(null), 2);
    rc = image_tool_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    fclose(null);
    return rc;
}

/* An image signed by `brownout image sign` boots as a permanent upgrade and verifies. */
static void test_brownout_signed_image_boots(void **state)
{
    const char *dir = interop_tmpdir();
    char key[1024];
    char payload[1024];
    char out[1024];
    struct image_header new_hdr;
    struct boot_rsp rsp;
    struct bf f;

    (void)state;
    assert_non_null(dir);
    snprintf(key, sizeof(key), "%s/fixtures/keys/ec256.pem", interop_repo_root());
    snprintf(payload, sizeof(payload), "%s", interop_path(interop_imgtool_dir(), "payload.bin"));
    snprintf(out, sizeof(out), "%s/v3.bin", dir);
    char *sign[] = { "sign",    "-k", key,  "-H",       "0x200", "--pad-header", "-S",    "0x40000",
                     "--align", "4",  "-v", "3.1.4+15", "--pad", "--confirm",    payload, out };
    assert_int_equal(run_image_tool(sign, (int)(sizeof(sign) / sizeof(sign[0]))), 0);
    char *verify[] = { "verify", "-k", key, out };
    assert_int_equal(run_image_tool(verify, 4), 0);

    /* The fixture's configuration trusts fixtures/keys/ec256.pem. */
    assert_int_equal(bf_start(&f, &board, BOOT_MODE_SWAP_SCRATCH, 1), 0);
    struct bf_image v1;
    bf_image_init(&v1, 1, 0, 0, 30000);
    assert_int_equal(bf_install(&f, 0, BOOT_SLOT_PRIMARY, &v1), 0);
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(interop_read_file(out, &data, &len), 0);
    assert_int_equal(len, 0x40000);
    image_header_decode(data, &new_hdr);
    assert_int_equal(bf_write_raw(&f, FLASH_AREA_IMAGE_1, 0, data, (uint32_t)len), 0);
    free(data);
    assert_int_equal(bf_boot(&f, &rsp), 0);
    assert_int_equal(rsp.swap_type[0], BOOT_SWAP_TYPE_PERM);
    assert_int_equal(rsp.version.major, 3);
    assert_int_equal(rsp.version.minor, 1);
    assert_int_equal(rsp.version.revision, 4);
    assert_int_equal(rsp.version.build, 15);
    bf_stop(&f);
    unlink(out);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_vectors_boot_as_expected),
        cmocka_unit_test(test_padded_vectors_request_upgrades),
        cmocka_unit_test(test_brownout_signed_image_boots),
    };
    return cmocka_run_group_tests_name("boot_interop", tests, group_setup, group_teardown);
}
