/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the vflash operation trace (JSON lines) and its byte-exact replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bo_err.h"
#include "vflash/vflash.h"
#include "vflash/vflash_fault.h"
#include "vflash/vflash_prng.h"
#include "vflash/vflash_replay.h"
#include "vflash/vflash_trace.h"

struct combo {
    enum vflash_semantics sem;
    uint8_t erased;
};

static const struct combo combos[] = {
    { VFLASH_NOR, 0xff }, { VFLASH_NOR, 0x00 },      { VFLASH_ECC, 0xff },
    { VFLASH_ECC, 0x00 }, { VFLASH_NO_ERASE, 0xff }, { VFLASH_NO_ERASE, 0x00 },
};
#define COMBOS (sizeof(combos) / sizeof(combos[0]))

#define SECTOR 512u
#define SECTORS 4u
#define PAGE 64u
#define WU 4u

static void dev_open(struct vflash *dev, const struct combo *c, uint32_t page)
{
    struct vflash_geometry g;

    memset(&g, 0, sizeof(g));
    g.runs[0].count = SECTORS;
    g.runs[0].size = SECTOR;
    g.run_count = 1;
    g.write_unit = WU;
    g.erased_val = c->erased;
    g.semantics = c->sem;
    g.page_size = page;
    vflash_init(dev);
    assert_int_equal(vflash_setup(dev, &g, NULL, 0, NULL), 0);
}

/* Bytes a program may write at [off, off + n) now: random bits moved away from erased on NOR. */
static void next_data(const struct vflash *dev, struct vflash_prng *p, uint32_t off, uint8_t *d,
                      uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t r = (uint8_t)vflash_prng_next(p);

        if (dev->geom.semantics == VFLASH_NOR) {
            uint8_t old = dev->mem[off + i];

            r = dev->geom.erased_val == 0xff ? (uint8_t)(old & r) : (uint8_t)(old | r);
        }
        d[i] = r;
    }
}

/* Arms a seeded cut of model for the device's next operation. */
static void arm_next(struct vflash *dev, enum vflash_cut_model model, struct vflash_prng *p)
{
    struct vflash_cut cut = { dev->stats.ops,      model, VFLASH_CUT_SEEDED, VFLASH_CUT_SEEDED,
                              vflash_prng_next(p), 0 };

    assert_int_equal(vflash_fault_arm_cut(dev, &cut), 0);
}

/*
 * A seeded workload: programs, erases, reads, host writes, and power cuts of every model (the
 * models that act as themselves on the operation's kind, in turn), power-on after each. Ops the
 * semantics refuse are simply refused. It ends with weak regions left by a program and an erase.
 */
static void workload(struct vflash *dev, uint64_t seed)
{
    static const enum vflash_cut_model prog_models[] = {
        VFLASH_CUT_BEFORE,    VFLASH_CUT_AFTER, VFLASH_CUT_TORN_PREFIX,
        VFLASH_CUT_TORN_BITS, VFLASH_CUT_WEAK,
    };
    static const enum vflash_cut_model erase_models[] = {
        VFLASH_CUT_BEFORE,        VFLASH_CUT_AFTER, VFLASH_CUT_TORN_BITS,
        VFLASH_CUT_ERASE_PARTIAL, VFLASH_CUT_WEAK,
    };
    struct vflash_prng p;
    uint8_t buf[2 * PAGE];
    unsigned prog_cuts = 0;
    unsigned erase_cuts = 0;

    vflash_prng_seed(&p, seed);
    for (int step = 0; step < 400; step++) {
        uint32_t what = (uint32_t)vflash_prng_below(&p, 100);
        uint32_t sector = (uint32_t)vflash_prng_below(&p, SECTORS);
        uint32_t off = sector * SECTOR + (uint32_t)vflash_prng_below(&p, SECTOR / WU - 32) * WU;
        uint32_t len = (1u + (uint32_t)vflash_prng_below(&p, 32)) * WU;
        bool cut = vflash_prng_below(&p, what < 50 ? 8 : 3) == 0;

        if (what < 50) {
            next_data(dev, &p, off, buf, len);
            if (cut) {
                arm_next(dev, prog_models[prog_cuts++ % 5], &p);
            }
            (void)vflash_program(dev, off, buf, len);
            vflash_fault_disarm(dev); /* In case the semantics refused the program. */
        } else if (what < 62) {
            if (cut) {
                arm_next(dev, erase_models[erase_cuts++ % 5], &p);
            }
            (void)vflash_erase_sector(dev, sector);
        } else if (what < 65) {
            next_data(dev, &p, off, buf, len);
            buf[0] ^= 0xff; /* Needs an erase on NOR: the host write handles it. */
            assert_int_equal(vflash_host_write(dev, off + 1, buf, len), 0);
        } else {
            assert_true(vflash_read(dev, off, buf, len) == 0 || dev->power_lost);
        }
        if (dev->power_lost) {
            vflash_power_on(dev);
        }
    }
    assert_true(prog_cuts >= 5);
    assert_true(erase_cuts >= 5);
    /* Leave a weak program in sector 1 and a weak erase of sector 2. */
    assert_int_equal(vflash_erase_sector(dev, 1), 0);
    next_data(dev, &p, SECTOR, buf, 2 * PAGE);
    arm_next(dev, VFLASH_CUT_WEAK, &p);
    assert_int_equal(vflash_program(dev, SECTOR, buf, 2 * PAGE), BO_EPOWER);
    vflash_power_on(dev);
    arm_next(dev, VFLASH_CUT_WEAK, &p);
    assert_int_equal(vflash_erase_sector(dev, 2), BO_EPOWER);
    vflash_power_on(dev);
    assert_int_equal(vflash_read(dev, SECTOR, buf, 2 * PAGE), 0);
    assert_int_equal(vflash_fault_weak_count(dev) >= 1, true);
}

/* Asserts two devices hold the same bytes, ECC map and weak regions, and read alike. */
static void assert_same_device(struct vflash *a, struct vflash *b)
{
    uint8_t ra[SECTOR];
    uint8_t rb[SECTOR];

    assert_memory_equal(a->mem, b->mem, a->size);
    if (a->ecc_map != NULL) {
        assert_memory_equal(a->ecc_map, b->ecc_map, vflash_ecc_map_size(&a->geom));
    }
    assert_int_equal(vflash_fault_weak_count(a), vflash_fault_weak_count(b));
    for (size_t i = 0; i < vflash_fault_weak_count(a); i++) {
        struct vflash_weak_info wa;
        struct vflash_weak_info wb;

        assert_int_equal(vflash_fault_weak_get(a, i, &wa), 0);
        assert_int_equal(vflash_fault_weak_get(b, i, &wb), 0);
        assert_int_equal(wa.off, wb.off);
        assert_int_equal(wa.len, wb.len);
        assert_memory_equal(wa.old, wb.old, wa.len);
        assert_memory_equal(wa.intended, wb.intended, wa.len);
    }
    for (uint32_t s = 0; s < SECTORS; s++) {
        assert_int_equal(vflash_read(a, s * SECTOR, ra, SECTOR), 0);
        assert_int_equal(vflash_read(b, s * SECTOR, rb, SECTOR), 0);
        assert_memory_equal(ra, rb, SECTOR);
    }
}

static char *slurp(FILE *fp, size_t *len)
{
    long n;
    char *text;

    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    rewind(fp);
    *len = (size_t)n;
    return text;
}

/* Record a workload with cuts of every model, replay it: same bytes, ECC, weak state, reads;
 * and the replay's own trace is the same text. Every semantics, both erased values, paging. */
static void test_replay_reproduces(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < COMBOS; ci++) {
        for (uint32_t page = 0; page <= PAGE; page += PAGE) {
            struct vflash a;
            struct vflash b;
            struct vflash_trace ta;
            struct vflash_trace tb;
            struct vflash_replay_stats st;
            struct vflash_cut_result res;
            FILE *fa = tmpfile();
            FILE *fb = tmpfile();
            char *text_a;
            char *text_b;
            size_t la;
            size_t lb;
            char err[128];

            assert_non_null(fa);
            assert_non_null(fb);
            dev_open(&a, &combos[ci], page);
            dev_open(&b, &combos[ci], page);
            vflash_trace_init(&ta);
            assert_int_equal(vflash_trace_setup(&ta, fa, NULL, NULL,
                                                VFLASH_TRACE_DATA | VFLASH_TRACE_READS, "flash0"),
                             0);
            assert_int_equal(vflash_trace_attach(&a, &ta), 0);
            workload(&a, 1000 + ci + page);
            assert_int_equal(ta.error, 0);
            assert_int_equal(vflash_fault_cut_result(&a, &res), 0);
            assert_true(res.reached);
            vflash_trace_attach(&a, NULL);
            assert_true(a.stats.ops > 100);

            vflash_trace_init(&tb);
            assert_int_equal(vflash_trace_setup(&tb, fb, NULL, NULL,
                                                VFLASH_TRACE_DATA | VFLASH_TRACE_READS, "flash0"),
                             0);
            assert_int_equal(vflash_trace_attach(&b, &tb), 0);
            rewind(fa);
            assert_int_equal(vflash_replay(&b, fa, "flash0", &st, err, sizeof(err)), 0);
            vflash_trace_attach(&b, NULL);
            assert_true(st.cuts >= 12);
            assert_true(vflash_fault_weak_count(&b) >= 1);
            assert_int_equal(st.lines, ta.lines);
            assert_int_equal(st.skipped, 0);
            assert_same_device(&a, &b);
            assert_int_equal(a.stats.ops, b.stats.ops);

            text_a = slurp(fa, &la);
            text_b = slurp(fb, &lb);
            assert_int_equal(la, lb);
            assert_memory_equal(text_a, text_b, la);
            free(text_a);
            free(text_b);
            fclose(fa);
            fclose(fb);
            vflash_free(&a);
            vflash_free(&b);
        }
    }
}

/* Without the traced reads a replay still reproduces the bytes (not the weak read draws). */
static void test_replay_without_reads(void **state)
{
    struct vflash a;
    struct vflash b;
    struct vflash_trace t;
    FILE *fp = tmpfile();

    (void)state;
    assert_non_null(fp);
    dev_open(&a, &combos[2], PAGE);
    dev_open(&b, &combos[2], PAGE);
    assert_int_equal(vflash_trace_setup(&t, fp, NULL, NULL, VFLASH_TRACE_DATA, NULL), 0);
    assert_int_equal(vflash_trace_attach(&a, &t), 0);
    workload(&a, 7);
    rewind(fp);
    assert_int_equal(vflash_replay(&b, fp, NULL, NULL, NULL, 0), 0);
    assert_memory_equal(a.mem, b.mem, a.size);
    assert_memory_equal(a.ecc_map, b.ecc_map, vflash_ecc_map_size(&a.geom));
    fclose(fp);
    vflash_free(&a);
    vflash_free(&b);
}

/* Collects lines through the callback sink. */
struct lines {
    json_t *arr;
    int fail_after;
};

static int collect(void *arg, const char *line, size_t len)
{
    struct lines *l = arg;
    json_t *o = json_loadb(line, len, 0, NULL);

    assert_non_null(o);
    assert_int_equal(strlen(line), len);
    json_array_append_new(l->arr, o);
    if (l->fail_after >= 0 && json_array_size(l->arr) >= (size_t)l->fail_after) {
        return BO_EIO;
    }
    return 0;
}

static const char *str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));

    assert_non_null(v);
    return v;
}

static json_int_t num(const json_t *o, const char *key)
{
    const json_t *j = json_object_get(o, key);

    assert_true(json_is_integer(j));
    return json_integer_value(j);
}

/* The line format: header, ops with their fault, host writes, power-on, sha256 without data. */
static void test_line_format(void **state)
{
    struct vflash dev;
    struct vflash_trace t;
    struct vflash_fault_config cfg;
    struct vflash_cut cut = { 3, VFLASH_CUT_TORN_PREFIX, 2, 0, 0xfeedu, 0 };
    struct lines l = { json_array(), -1 };
    uint8_t data[2 * PAGE];
    const json_t *o;

    (void)state;
    memset(data, 0x00, sizeof(data));
    dev_open(&dev, &combos[0], PAGE);
    assert_int_equal(vflash_trace_setup(&t, NULL, NULL, NULL, 0, NULL), BO_EINVAL);
    assert_int_equal(vflash_trace_setup(&t, NULL, collect, &l, 0, "dev-a"), 0);
    assert_int_equal(vflash_trace_attach(&dev, &t), 0);
    memset(&cfg, 0, sizeof(cfg));
    cfg.program_error = (struct vflash_fault_rate){ SECTOR, SECTOR, 1 };
    cfg.drop = (struct vflash_fault_rate){ 2 * SECTOR, SECTOR, 1 };
    assert_int_equal(vflash_fault_configure(&dev, &cfg), 0);
    assert_int_equal(vflash_program(&dev, 0, data, 2 * PAGE), 0);     /* ops 0, 1 */
    assert_int_equal(vflash_program(&dev, SECTOR, data, WU), BO_EIO); /* fails */
    assert_int_equal(vflash_program(&dev, 2 * SECTOR, data, WU), 0);  /* op 2, dropped */
    assert_int_equal(vflash_fault_arm_cut(&dev, &cut), 0);
    assert_int_equal(vflash_erase_sector(&dev, 3), BO_EPOWER); /* op 3, cut */
    vflash_power_on(&dev);
    assert_int_equal(vflash_host_write(&dev, 5, "abc", 3), 0);
    assert_int_equal(vflash_read(&dev, 0, data, 4), 0); /* not traced */

    assert_int_equal(json_array_size(l.arr), 8);
    o = json_array_get(l.arr, 0);
    assert_string_equal(str(o, "dev"), "dev-a");
    assert_string_equal(str(o, "kind"), "geometry");
    assert_int_equal(num(o, "size"), SECTOR * SECTORS);
    assert_int_equal(num(o, "write_unit"), WU);
    assert_int_equal(num(o, "erased"), 255);
    assert_string_equal(str(o, "semantics"), "nor");
    o = json_array_get(l.arr, 2);
    assert_string_equal(str(o, "kind"), "program");
    assert_int_equal(num(o, "op"), 1);
    assert_int_equal(num(o, "off"), PAGE);
    assert_int_equal(num(o, "len"), PAGE);
    assert_int_equal(num(o, "result"), 0);
    assert_string_equal(str(o, "fault"), "none");
    /* SHA-256 of 64 zero bytes. */
    assert_string_equal(str(o, "sha256"),
                        "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    assert_null(json_object_get(o, "data"));
    o = json_array_get(l.arr, 3);
    assert_string_equal(str(o, "fault"), "error");
    assert_int_equal(num(o, "result"), BO_EIO);
    assert_int_equal(num(o, "sector"), 1);
    o = json_array_get(l.arr, 4);
    assert_string_equal(str(o, "fault"), "drop");
    assert_int_equal(num(o, "op"), 2);
    o = json_array_get(l.arr, 5);
    assert_string_equal(str(o, "kind"), "erase");
    assert_string_equal(str(o, "fault"), "cut");
    assert_string_equal(str(o, "model"), "erase-partial");
    assert_string_equal(str(o, "seed"), "0x000000000000feed");
    assert_int_equal(num(o, "result"), BO_EPOWER);
    assert_int_equal(num(o, "op"), 3);
    o = json_array_get(l.arr, 6);
    assert_string_equal(str(o, "kind"), "power-on");
    o = json_array_get(l.arr, 7);
    assert_string_equal(str(o, "kind"), "host-write");
    assert_int_equal(num(o, "off"), 5);
    assert_int_equal(t.lines, 8);

    /* A failing sink records its error and stops. */
    l.fail_after = (int)json_array_size(l.arr) + 1;
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(vflash_erase_sector(&dev, 0), 0);
    assert_int_equal(t.error, BO_EIO);
    assert_int_equal(json_array_size(l.arr), 9);
    json_decref(l.arr);
    vflash_free(&dev);
}

static void test_replay_errors(void **state)
{
    struct vflash dev;
    struct vflash other;
    struct vflash_trace t;
    struct vflash_replay_stats st;
    FILE *fp = tmpfile();
    uint8_t data[WU] = { 1, 2, 3, 4 };
    char err[128];

    (void)state;
    assert_non_null(fp);
    dev_open(&dev, &combos[0], 0);
    assert_int_equal(vflash_trace_setup(&t, fp, NULL, NULL, VFLASH_TRACE_DATA, "x"), 0);
    assert_int_equal(vflash_trace_attach(&dev, &t), 0);
    assert_int_equal(vflash_program(&dev, 0, data, WU), 0);
    vflash_free(&dev);

    /* Another geometry is refused at the header. */
    dev_open(&other, &combos[1], 0);
    rewind(fp);
    assert_int_equal(vflash_replay(&other, fp, NULL, NULL, err, sizeof(err)), BO_EINVAL);
    assert_non_null(strstr(err, "line 1: "));
    vflash_free(&other);

    /* A device whose result differs (already programmed otherwise) is reported. */
    dev_open(&other, &combos[0], 0);
    data[0] = 0x00;
    assert_int_equal(vflash_program(&other, 0, data, WU), 0);
    rewind(fp);
    assert_int_equal(vflash_replay(&other, fp, "x", &st, err, sizeof(err)), BO_ESTATE);
    assert_non_null(strstr(err, "line 2"));
    /* Lines of another device are skipped. */
    rewind(fp);
    assert_int_equal(vflash_replay(&other, fp, "y", &st, err, sizeof(err)), 0);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(st.applied, 0);
    vflash_free(&other);

    dev_open(&other, &combos[0], 0);
    static const char *const bad[] = {
        "not json",
        "[1,2]",
        "{\"kind\":\"teleport\"}",
        "{\"off\":0}",
        "{\"kind\":\"program\",\"op\":0,\"sector\":0,\"off\":0,\"len\":4,\"result\":0,"
        "\"fault\":\"none\",\"sha256\":\"00\"}",
        "{\"kind\":\"program\",\"op\":0,\"sector\":0,\"off\":0,\"len\":4,\"result\":0,"
        "\"fault\":\"none\",\"data\":\"AAAAAAAA\"}",
        "{\"kind\":\"program\",\"op\":0,\"sector\":0,\"off\":-4,\"len\":4,\"result\":0,"
        "\"fault\":\"none\",\"data\":\"AAAAAA==\"}",
        "{\"kind\":\"erase\",\"op\":0,\"sector\":0,\"off\":0,\"len\":4,\"result\":-12,"
        "\"fault\":\"cut\",\"model\":\"melt\",\"units\":0,\"permille\":0,\"seed\":\"0x1\"}",
        "{\"kind\":\"read\",\"off\":0,\"len\":4,\"result\":7}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(vflash_replay_line(&other, bad[i], strlen(bad[i]), NULL, NULL), BO_EINVAL);
    }
    assert_int_equal(vflash_replay_line(&other, "\n", 1, NULL, NULL), 0);
    {
        const char *ok = "{\"kind\":\"program\",\"op\":0,\"sector\":0,\"off\":0,\"len\":4,"
                         "\"result\":0,\"fault\":\"none\",\"data\":\"AQIDBA==\"}\n";

        assert_int_equal(vflash_replay_line(&other, ok, strlen(ok), NULL, NULL), 0);
        assert_int_equal(other.mem[3], 4);
    }
    assert_int_equal(vflash_replay(NULL, fp, NULL, NULL, NULL, 0), BO_EINVAL);
    vflash_free(&other);
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_reproduces),
        cmocka_unit_test(test_replay_without_reads),
        cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_replay_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
