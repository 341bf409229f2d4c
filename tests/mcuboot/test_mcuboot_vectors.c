/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unmodified upstream MCUboot (one variant, built by mk/mcuboot.mk) on the port's virtual flash:
 * every imgtool interop vector (../shared/interop/imgtool/manifest.tsv) boots or is refused
 * exactly as the manifest says, judged by upstream itself; a test upgrade swaps and then
 * reverts; and a power cut during the upgrade unwinds out of boot_go() and the next boot
 * completes the upgrade. tests/scripts/test_mcuboot.sh runs one such program per variant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "mcuboot_config/mcuboot_logging.h"
#include "mcuboot_run.h"
#include "mcuboot_variant.h"
#include "port_flash_map.h"
#include "port_logsink.h"

#define TM_MAX_ROWS 32
/* The sector size of the board below. */
#define TM_SECTOR 4096u

/* Where an update goes in the secondary slot: swap-offset keeps its first sector free. */
#ifdef BO_MCUBOOT_MODE_SWAP_OFFSET
#define TM_UPDATE_OFF TM_SECTOR
#else
#define TM_UPDATE_OFF 0u
#endif

/* The device: 4 KiB NOR sectors, 8-byte writes, the 0x40000 slots the padded vectors fit. */
static const char tm_board_text[] = "[board]\n"
                                    "name = mcuboot-test\n"
                                    "[flash internal]\n"
                                    "sectors = 256x4K\n"
                                    "write-unit = 8\n"
                                    "erased-value = 0xff\n"
                                    "semantics = nor\n"
                                    "[partition bootloader]\n"
                                    "offset = 0x0\n"
                                    "size = 0x10000\n"
                                    "[partition image-0-primary]\n"
                                    "offset = 0x10000\n"
                                    "size = 0x40000\n"
                                    "[partition image-0-secondary]\n"
                                    "offset = 0x50000\n"
                                    "size = 0x40000\n"
                                    "[partition scratch]\n"
                                    "offset = 0x90000\n"
                                    "size = 0x4000\n";

/* One row of manifest.tsv. */
struct tm_row {
    char file[128];
    char key[64];
    char expect[64];
};

static char tm_dir[1024];
static struct tm_row tm_rows[TM_MAX_ROWS];
static int tm_row_count;

/* The interop directory: $BROWNOUT_SHARED/interop/imgtool, else ROOT/../shared/... */
static int tm_find_dir(void)
{
    const char *shared = getenv("BROWNOUT_SHARED");
    const char *root = getenv("BROWNOUT_ROOT");

    if (shared != NULL && shared[0] != '\0') {
        snprintf(tm_dir, sizeof(tm_dir), "%s/interop/imgtool", shared);
    } else {
        snprintf(tm_dir, sizeof(tm_dir), "%s/../shared/interop/imgtool", root != NULL ? root : ".");
    }
    return 0;
}

/* Reads DIR/name into a malloc'd buffer. */
static uint8_t *tm_read(const char *name, size_t *len)
{
    char path[1280];
    FILE *f;
    uint8_t *buf = NULL;
    long size;

    snprintf(path, sizeof(path), "%s/%s", tm_dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("%s: cannot open", path);
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
            *len = (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    if (buf == NULL) {
        fail_msg("%s: cannot read", path);
    }
    return buf;
}

/* Parses the manifest (header row skipped). */
static int tm_load_manifest(void **state)
{
    char path[1280];
    char line[512];
    FILE *f;

    (void)state;
    tm_find_dir();
    snprintf(path, sizeof(path), "%s/manifest.tsv", tm_dir);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open (set BROWNOUT_SHARED)\n", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && tm_row_count < TM_MAX_ROWS) {
        struct tm_row *r = &tm_rows[tm_row_count];

        if (strncmp(line, "file\t", 5) == 0) {
            continue;
        }
        if (sscanf(line, "%127[^\t]\t%63[^\t]\t%63[^\t\n]", r->file, r->key, r->expect) == 3) {
            tm_row_count++;
        }
    }
    fclose(f);
    port_logsink_set(NULL, NULL, PORT_LOG_ERROR);
    printf("upstream MCUboot %s, variant %s, %d vectors\n", mcuboot_run_tree_id(),
           mcuboot_run_variant(), tm_row_count);
    return tm_row_count > 0 ? 0 : -1;
}

/* A fresh, fully erased device. */
static void tm_map_setup(struct port_flash_map *map)
{
    struct board board;
    char err[256];

    assert_int_equal(
        board_parse(&board, tm_board_text, strlen(tm_board_text), "mcuboot-test", err, sizeof(err)),
        0);
    port_flash_map_init(map);
    assert_int_equal(port_flash_map_setup_board(map, &board), 0);
}

/* Writes data at offset off of area id, as a programmer does. */
static void tm_put(struct port_flash_map *map, int id, uint32_t off, const uint8_t *data,
                   size_t len)
{
    const struct flash_area *fa = &map->areas[id];

    assert_true(map->present[id] && off <= fa->fa_size && len <= fa->fa_size - off);
    assert_int_equal(
        vflash_host_write(map->devices[fa->fa_device_id], fa->fa_off + off, data, (uint32_t)len),
        0);
}

/* Whether area id starts with data. */
static int tm_holds(struct port_flash_map *map, int id, const uint8_t *data, size_t len)
{
    const struct flash_area *fa = &map->areas[id];
    uint8_t *buf = malloc(len);
    int same;

    assert_non_null(buf);
    assert_int_equal(
        vflash_host_read(map->devices[fa->fa_device_id], fa->fa_off, buf, (uint32_t)len), 0);
    same = memcmp(buf, data, len) == 0;
    free(buf);
    return same;
}

/* Little-endian fields of an image. */
static uint32_t tm_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t tm_le32(const uint8_t *p)
{
    return tm_le16(p) | tm_le16(p + 2) << 16;
}

/* How an image names its signing key: 1 by hash (KEYHASH TLV), 2 whole (PUBKEY TLV), 0 not. */
static int tm_key_tlv(const uint8_t *img, size_t len)
{
    size_t off;
    size_t end;

    if (len < 32) {
        return 0;
    }
    /* The TLV areas follow the header and the body: the protected one (if any), then the
     * unprotected one; each starts with a 4-byte info (magic, total length). */
    off = tm_le16(img + 8) + (size_t)tm_le32(img + 12);
    while (off + 4 <= len && (tm_le16(img + off) == 0x6908 || tm_le16(img + off) == 0x6907)) {
        end = off + tm_le16(img + off + 2);
        for (off += 4; off + 4 <= end && end <= len; off += 4 + tm_le16(img + off + 2)) {
            if (tm_le16(img + off) == 0x01 || tm_le16(img + off) == 0x02) {
                return (int)tm_le16(img + off);
            }
        }
        off = end;
    }
    return 0;
}

/* The verdict upstream must reach on row r in this variant: 1 boots, 0 refused, -1 the variant
 * cannot judge it (a signed image in a variant that checks no signature). "valid" means valid
 * in the configuration the image was made for: a KEYHASH image with a key table, a PUBKEY image
 * with MCUBOOT_HW_KEY; the other configuration finds no key it may use and refuses it. */
static int tm_expected(const struct tm_row *r, const uint8_t *img, size_t len)
{
    int unsigned_variant = strcmp(BO_MCUBOOT_SIG, "none") == 0;

    if (strcmp(r->key, "none") == 0) {
        return unsigned_variant && strcmp(r->expect, "valid-if-unsigned-allowed") == 0;
    }
    if (unsigned_variant) {
        return -1;
    }
    /* An image signed with another key type than the variant checks has no signature it
     * accepts: refused, as an untrusted key is. */
    if (strcmp(r->key, BO_MCUBOOT_SIG) != 0) {
        return 0;
    }
    if (tm_key_tlv(img, len) != (BO_MCUBOOT_HW_KEY ? 0x02 : 0x01)) {
        return 0;
    }
    return strcmp(r->expect, "valid") == 0;
}

/* Boots one image from the primary slot; returns 1 if upstream booted it, else 0. */
static int tm_boot_vector(const uint8_t *img, size_t len)
{
    struct port_flash_map map;
    struct mcuboot_boot boot;

    tm_map_setup(&map);
    tm_put(&map, FLASH_AREA_IMAGE_PRIMARY(0), 0, img, len);
    assert_int_equal(mcuboot_run_boot(&map, &boot), 0);
    assert_int_not_equal(boot.result, MCUBOOT_RUN_POWER_LOST);
    assert_int_equal(port_flash_map_open_total(&map), 0);
    port_flash_map_free(&map);
    return boot.result == MCUBOOT_RUN_OK && boot.slot == 0;
}

/* Every vector this variant can judge boots or is refused exactly as the manifest says. */
static void test_vectors(void **state)
{
    int judged = 0;
    int wrong = 0;

    (void)state;
    for (int i = 0; i < tm_row_count; i++) {
        const struct tm_row *r = &tm_rows[i];
        size_t len;
        uint8_t *img = tm_read(r->file, &len);
        int want = tm_expected(r, img, len);
        int got = want < 0 ? 0 : tm_boot_vector(img, len);

        free(img);
        if (want < 0) {
            printf("  %-28s %-8s not judged by a variant without signatures\n", r->file, r->key);
            continue;
        }
        judged++;
        printf("  %-28s %-8s %-26s expected: %-7s upstream: %s%s\n", r->file, r->key, r->expect,
               want ? "boots" : "refuses", got ? "boots" : "refuses",
               got == want ? "" : "  <-- WRONG");
        wrong += got != want;
    }
    assert_true(judged > 0);
    assert_int_equal(wrong, 0);
}

/* The upgrade of the tests: A (1.2.3) in the primary slot, B (3.1.0) in the secondary. */
static const char tm_old[] = "ec256-keyhash.bin";
static const char tm_new[] = "ec256-protected-tlvs.bin";

struct tm_upgrade {
    struct port_flash_map map;
    uint8_t *old_img;
    size_t old_len;
    uint8_t *new_img;
    size_t new_len;
};

/* Sets up the device with A and B and requests a test upgrade (skipped unless the variant
 * checks A's and B's ECDSA P-256 signatures through their KEYHASH TLVs). */
static void tm_upgrade_setup(struct tm_upgrade *u)
{
    enum mcuboot_run_result res;

    if (strcmp(BO_MCUBOOT_SIG, "ec256") != 0 || BO_MCUBOOT_HW_KEY) {
        skip();
    }
    u->old_img = tm_read(tm_old, &u->old_len);
    u->new_img = tm_read(tm_new, &u->new_len);
    tm_map_setup(&u->map);
    tm_put(&u->map, FLASH_AREA_IMAGE_PRIMARY(0), 0, u->old_img, u->old_len);
    tm_put(&u->map, FLASH_AREA_IMAGE_SECONDARY(0), TM_UPDATE_OFF, u->new_img, u->new_len);
    assert_int_equal(mcuboot_run_set_pending(&u->map, 0, false, &res), 0);
    assert_int_equal(res, MCUBOOT_RUN_OK);
}

static void tm_upgrade_free(struct tm_upgrade *u)
{
    port_flash_map_free(&u->map);
    free(u->old_img);
    free(u->new_img);
}

/* Boots and checks that upstream ran the image of the primary slot, and which one. */
static void tm_boot_expect(struct tm_upgrade *u, int want_new)
{
    struct mcuboot_boot boot;

    assert_int_equal(mcuboot_run_boot(&u->map, &boot), 0);
    assert_int_equal(boot.result, MCUBOOT_RUN_OK);
    assert_int_equal(boot.slot, 0);
    assert_int_equal(port_flash_map_open_total(&u->map), 0);
    if (want_new) {
        assert_true(tm_holds(&u->map, FLASH_AREA_IMAGE_PRIMARY(0), u->new_img, u->new_len));
        assert_int_equal(boot.ver_major, 3);
    } else {
        assert_true(tm_holds(&u->map, FLASH_AREA_IMAGE_PRIMARY(0), u->old_img, u->old_len));
        assert_int_equal(boot.ver_major, 1);
    }
}

/* Set pending, boot: B runs. Unconfirmed, the next boot reverts to A (a swap mode) or keeps B
 * (overwrite-only); confirmed, B stays. */
static void test_upgrade(void **state)
{
    struct tm_upgrade u;
    enum mcuboot_run_result res;
    int swaps = strcmp(BO_MCUBOOT_MODE, "overwrite-only") != 0;

    (void)state;
    tm_upgrade_setup(&u);
    tm_boot_expect(&u, 1);
    tm_boot_expect(&u, !swaps);
    if (swaps) {
        assert_int_equal(mcuboot_run_set_pending(&u.map, 0, false, &res), 0);
        assert_int_equal(res, MCUBOOT_RUN_OK);
        tm_boot_expect(&u, 1);
        assert_int_equal(mcuboot_run_confirm(&u.map, 0, &res), 0);
        assert_int_equal(res, MCUBOOT_RUN_OK);
        tm_boot_expect(&u, 1);
    }
    tm_upgrade_free(&u);
}

/* Cuts power before operation *arg of the device. */
static int tm_cut_hook(void *arg, struct vflash *dev, const struct vflash_op *op)
{
    (void)dev;
    return op->index == *(const uint64_t *)arg ? BO_EPOWER : 0;
}

/* A power cut at operation `at` of the upgrade boot unwinds out of upstream; power back on,
 * the next boot completes the upgrade. */
static void tm_cut_once(uint64_t at)
{
    struct tm_upgrade u;
    struct mcuboot_boot boot;
    struct vflash *dev;

    tm_upgrade_setup(&u);
    dev = port_flash_map_device(&u.map, 0);
    vflash_reset_counters(dev);
    vflash_set_hook(dev, tm_cut_hook, &at);
    assert_int_equal(mcuboot_run_boot(&u.map, &boot), 0);
    assert_int_equal(boot.result, MCUBOOT_RUN_POWER_LOST);
    assert_int_equal(boot.slot, -1);
    assert_int_equal(port_flash_map_open_total(&u.map), 0);
    vflash_set_hook(dev, NULL, NULL);
    port_flash_map_power_on(&u.map);
    tm_boot_expect(&u, 1);
    tm_upgrade_free(&u);
}

/* Cuts at nine operations spread over the whole upgrade, the first and the last included. */
static void test_powercut(void **state)
{
    struct tm_upgrade u;
    uint64_t ops;

    (void)state;
    tm_upgrade_setup(&u);
    vflash_reset_counters(port_flash_map_device(&u.map, 0));
    tm_boot_expect(&u, 1);
    ops = port_flash_map_device(&u.map, 0)->stats.ops;
    tm_upgrade_free(&u);
    printf("  the upgrade boot takes %llu flash operations\n", (unsigned long long)ops);
    assert_true(ops > 0);
    for (uint64_t i = 0; i <= 8; i++) {
        tm_cut_once((ops - 1) * i / 8);
    }
}

/* What the capturing log sink saw. */
struct tm_log {
    int lines;
    int errors_from_mcuboot;
    enum port_log_level last_level;
    char last[256];
};

static void tm_log_sink(void *ctx, enum port_log_level level, const char *module, const char *line)
{
    struct tm_log *log = ctx;

    log->lines++;
    log->last_level = level;
    snprintf(log->last, sizeof(log->last), "%s: %s", module, line);
    if (level == PORT_LOG_ERROR && strcmp(module, "mcuboot") == 0) {
        log->errors_from_mcuboot++;
    }
}

/* Upstream's MCUBOOT_LOG_* lines reach the port's sink as module "mcuboot" with their level;
 * port_log_mcuboot() clamps levels outside 0..3. */
static void test_log(void **state)
{
    struct tm_log log = { 0 };
    static const uint8_t junk[64] = { 0x3d, 0xb8, 0xf3, 0x96 };

    (void)state;
    port_logsink_set(tm_log_sink, &log, PORT_LOG_DEBUG);
    assert_int_equal(tm_boot_vector(junk, sizeof(junk)), 0);
    assert_true(log.errors_from_mcuboot > 0);
    port_log_mcuboot(7, "t", "beyond debug");
    assert_int_equal(log.last_level, PORT_LOG_DEBUG);
    assert_string_equal(log.last, "t: beyond debug");
    port_log_mcuboot(-1, "t", "below error");
    assert_int_equal(log.last_level, PORT_LOG_ERROR);
    port_logsink_set(NULL, NULL, PORT_LOG_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_upgrade),
        cmocka_unit_test(test_powercut),
        cmocka_unit_test(test_log),
    };

    return cmocka_run_group_tests_name(BO_MCUBOOT_VARIANT, tests, tm_load_manifest, NULL);
}
