/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of `brownout image` as a command (sim/image/image_tool.c): keygen, sign, verify, info
 * and getpub run in-process on real files, a flipped bit and a truncated image fail cleanly,
 * and usage errors get their exit codes.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "mbedtls/platform.h"

#include "image/image_tool.h"
#include "support/interop.h"

/* The interop vectors' folder; a clear failure without them. */
static const char *itc_vec_dir(void)
{
    const char *dir = interop_imgtool_dir();

    if (dir == NULL) {
        fail_msg("interop vectors not found: set BROWNOUT_SHARED to the directory holding "
                 "interop/imgtool");
    }
    return dir;
}

/* A whole file, or the test fails. */
static uint8_t *itc_read(const char *path, size_t *len)
{
    uint8_t *data = NULL;

    if (interop_read_file(path, &data, len) != 0) {
        fail_msg("cannot read %s", path);
    }
    return data;
}

/* Asserts that path holds (same) or no longer holds (!same) the len bytes of old. */
static void itc_same_file(const char *path, const uint8_t *old, size_t len, bool same)
{
    size_t now_len;
    uint8_t *now = itc_read(path, &now_len);

    assert_int_equal(now_len == len && memcmp(now, old, len) == 0, same);
    free(now);
}

/* Runs `brownout image ARGS...` in-process with stdout and stderr sent to /dev/null. */
static int run_tool(const char *first, ...)
{
    char *argv[32];
    va_list ap;
    int argc = 0;
    int saved_out;
    int saved_err;
    int rc;
    FILE *null;

    argv[argc++] = (char *)"image";
    argv[argc++] = (char *)first;
    va_start(ap, first);
    while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL) {
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(1);
    saved_err = dup(2);
    null = fopen("/dev/null", "w");
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

static void test_cli(void **state)
{
    const char *dir = interop_tmpdir();
    char key[1024], pub[1024], img[1024], bad[1024], trunc[1024];
    char vpay[1024], vkey[1024], vvec[1024];
    uint8_t *d;
    size_t len;

    (void)state;
    assert_non_null(dir);
    snprintf(key, sizeof(key), "%s/k.pem", dir);
    snprintf(pub, sizeof(pub), "%s/k.pub.pem", dir);
    snprintf(img, sizeof(img), "%s/img.bin", dir);
    snprintf(bad, sizeof(bad), "%s/bad.bin", dir);
    snprintf(trunc, sizeof(trunc), "%s/trunc.bin", dir);
    snprintf(vpay, sizeof(vpay), "%s", interop_path(itc_vec_dir(), "payload.bin"));
    snprintf(vkey, sizeof(vkey), "%s", interop_path(itc_vec_dir(), "keys/ec256.pub.pem"));
    snprintf(vvec, sizeof(vvec), "%s", interop_path(itc_vec_dir(), "ec256-keyhash.bin"));

    assert_int_equal(run_tool("keygen", "-t", "ecdsa-p384", "-k", key, "--public", pub, NULL), 0);
    assert_int_equal(run_tool("sign", "-k", key, "-H", "0x200", "--pad-header", "-S", "0x40000",
                              "--align", "4", "-v", "1.2.3+4", "-s", "auto", "-d", "(1,1.0.0)",
                              "--confirm", vpay, img, NULL),
                     0);
    assert_int_equal(run_tool("verify", "-k", pub, img, NULL), 0);
    assert_int_equal(run_tool("verify", "-k", vkey, img, NULL), 1);
    assert_int_equal(run_tool("verify", "-k", vkey, "-k", pub, img, NULL), 0);
    assert_int_equal(run_tool("info", img, NULL), 0);
    assert_int_equal(run_tool("info", "--json", img, NULL), 0);
    assert_int_equal(run_tool("verify", "-k", vkey, vvec, NULL), 0);
    assert_int_equal(run_tool("getpub", "-k", key, NULL), 0);

    /* A flipped bit fails verify; a truncated image fails verify and info, cleanly. */
    d = itc_read(img, &len);
    d[0x300] ^= 1;
    assert_int_equal(interop_write_file(bad, d, len), 0);
    assert_int_equal(run_tool("verify", "-k", pub, bad, NULL), 1);
    assert_int_equal(interop_write_file(trunc, d, 0xc000), 0);
    assert_int_equal(run_tool("verify", "-k", pub, trunc, NULL), 1);
    assert_int_equal(run_tool("info", trunc, NULL), EX_DATAERR);
    assert_int_equal(interop_write_file(trunc, d, 10), 0);
    assert_int_equal(run_tool("info", trunc, NULL), EX_DATAERR);
    free(d);

    /* Usage errors and failures. */
    /* Usage errors exit 64, bad data 65, a missing input 66, an output not created 73. */
    assert_int_equal(run_tool("sign", vpay, NULL), EX_USAGE);
    assert_int_equal(run_tool("sign", "--align", "3", "--pad-header", vpay, img, NULL), EX_DATAERR);
    assert_int_equal(run_tool("sign", "-v", "1.x", vpay, img, NULL), EX_USAGE);
    assert_int_equal(run_tool("sign", "--test", "--confirm", "-S", "0x40000", vpay, img, NULL),
                     EX_USAGE);
    assert_int_equal(run_tool("sign", "--bogus", vpay, img, NULL), EX_USAGE);
    assert_int_equal(run_tool("sign", "-k", pub, "--pad-header", vpay, img, NULL), EX_DATAERR);
    assert_int_equal(run_tool("sign", "-k", "/nonexistent.pem", vpay, img, NULL), EX_NOINPUT);
    assert_int_equal(run_tool("sign", "/nonexistent", img, NULL), EX_NOINPUT);
    assert_int_equal(run_tool("sign", "--pad-header", vpay, "/nonexistent/out.bin", NULL),
                     EX_CANTCREAT);
    assert_int_equal(run_tool("verify", img, NULL), EX_USAGE);
    assert_int_equal(run_tool("verify", "-k", vpay, img, NULL), EX_DATAERR);
    assert_int_equal(run_tool("info", "/nonexistent", NULL), EX_NOINPUT);
    assert_int_equal(run_tool("info", "-R", NULL), EX_USAGE);
    assert_int_equal(run_tool("keygen", "-t", "dsa", "-k", key, NULL), EX_USAGE);
    assert_int_equal(run_tool("frobnicate", NULL), EX_USAGE);
    assert_int_equal(run_tool("--help", NULL), 0);

    unlink(key);
    unlink(pub);
    unlink(img);
    unlink(bad);
    unlink(trunc);
    rmdir(dir);
}

/* keygen keeps an existing key (and public key) file unless --force: no silent overwrite. */
static void test_keygen_keeps_keys(void **state)
{
    const char *dir = interop_tmpdir();
    char key[1024], pub[1024], fresh[1024];
    uint8_t *d;
    size_t len;

    (void)state;
    assert_non_null(dir);
    snprintf(key, sizeof(key), "%s/k.pem", dir);
    snprintf(pub, sizeof(pub), "%s/k.pub.pem", dir);
    snprintf(fresh, sizeof(fresh), "%s/fresh.pem", dir);
    assert_int_equal(run_tool("keygen", "-t", "ecdsa-p256", "-k", key, "--public", pub, NULL), 0);
    d = itc_read(key, &len);
    assert_int_equal(run_tool("keygen", "-t", "ecdsa-p256", "-k", key, NULL), EX_CANTCREAT);
    assert_int_equal(run_tool("keygen", "-t", "ecdsa-p256", "-k", fresh, "--public", pub, NULL),
                     EX_CANTCREAT);
    assert_int_not_equal(access(fresh, F_OK), 0);
    itc_same_file(key, d, len, true);
    assert_int_equal(run_tool("keygen", "-t", "ecdsa-p256", "-k", key, "--force", NULL), 0);
    itc_same_file(key, d, len, false);
    free(d);
    unlink(key);
    unlink(pub);
    rmdir(dir);
}

static int setup(void **state)
{
    static mbedtls_platform_context plat;

    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) != 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_keygen_keeps_keys),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
