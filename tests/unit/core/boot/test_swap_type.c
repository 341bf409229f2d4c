/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of MCUboot's decision tables: the rows are MCUboot's, in its order; every row is hit by
 * the states it names; every combination of decoded trailer values gives the answer the
 * design document's tables give when read first to last; swap_info decodes as MCUboot's
 * boot_read_swap_state() does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/swap_state.h"
#include "boot/swap_type.h"
#include "boot/trailer.h"

#define GOOD TRAILER_MAGIC_GOOD
#define BAD TRAILER_MAGIC_BAD
#define UNSET TRAILER_MAGIC_UNSET
#define ANY TRAILER_MAGIC_ANY
#define NOTGOOD TRAILER_MAGIC_NOTGOOD
#define FSET TRAILER_FLAG_SET
#define FBAD TRAILER_FLAG_BAD
#define FUNSET TRAILER_FLAG_UNSET
#define FANY TRAILER_FLAG_ANY

static const uint8_t magics[] = { GOOD, BAD, UNSET };
static const uint8_t flags[] = { FSET, FBAD, FUNSET };

static struct boot_swap_state st(uint8_t magic, uint8_t image_ok, uint8_t copy_done)
{
    struct boot_swap_state s;

    memset(&s, 0, sizeof(s));
    s.magic = magic;
    s.image_ok = image_ok;
    s.copy_done = copy_done;
    s.swap_type = TRAILER_SWAP_TYPE_NONE;
    return s;
}

/* The tables hold exactly MCUboot's rows, in MCUboot's order. */
static void test_swap_table_rows(void **state)
{
    (void)state;
    static const struct swap_type_row want[] = {
        { ANY, GOOD, FANY, FUNSET, FANY, TRAILER_SWAP_TYPE_TEST },
        { ANY, GOOD, FANY, FSET, FANY, TRAILER_SWAP_TYPE_PERM },
        { GOOD, UNSET, FUNSET, FANY, FSET, TRAILER_SWAP_TYPE_REVERT },
    };
    size_t n = 0;
    const struct swap_type_row *rows = swap_type_table(&n);

    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].magic_primary, want[i].magic_primary);
        assert_int_equal(rows[i].magic_secondary, want[i].magic_secondary);
        assert_int_equal(rows[i].image_ok_primary, want[i].image_ok_primary);
        assert_int_equal(rows[i].image_ok_secondary, want[i].image_ok_secondary);
        assert_int_equal(rows[i].copy_done_primary, want[i].copy_done_primary);
        assert_int_equal(rows[i].swap_type, want[i].swap_type);
    }
    assert_ptr_equal(swap_type_table(NULL), rows);
}

static void test_source_table_rows(void **state)
{
    (void)state;
    static const struct swap_type_source_row want[] = {
        { GOOD, NOTGOOD, FSET, SWAP_TYPE_SOURCE_NONE },
        { GOOD, NOTGOOD, FUNSET, SWAP_TYPE_SOURCE_PRIMARY },
        { ANY, GOOD, FANY, SWAP_TYPE_SOURCE_SCRATCH },
        { UNSET, ANY, FUNSET, SWAP_TYPE_SOURCE_PRIMARY },
    };
    size_t n = 0;
    const struct swap_type_source_row *rows = swap_type_source_table(&n);

    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].magic_primary, want[i].magic_primary);
        assert_int_equal(rows[i].magic_scratch, want[i].magic_scratch);
        assert_int_equal(rows[i].copy_done_primary, want[i].copy_done_primary);
        assert_int_equal(rows[i].source, want[i].source);
    }
    /* MCUboot's BOOT_STATUS_SOURCE_* values. */
    assert_int_equal(SWAP_TYPE_SOURCE_NONE, 0);
    assert_int_equal(SWAP_TYPE_SOURCE_SCRATCH, 1);
    assert_int_equal(SWAP_TYPE_SOURCE_PRIMARY, 2);
}

/* The states of the design document, one per row, and state IV. */
static void test_each_swap_row(void **state)
{
    (void)state;
    struct boot_swap_state p, s;

    /* State I: a test request; the primary's state does not matter. */
    p = st(BAD, FBAD, FSET);
    s = st(GOOD, FUNSET, FUNSET);
    assert_int_equal(swap_type_match(&p, &s), 0);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_TEST);
    /* State II: a permanent request. */
    p = st(UNSET, FUNSET, FUNSET);
    s = st(GOOD, FSET, FUNSET);
    assert_int_equal(swap_type_match(&p, &s), 1);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_PERM);
    /* State III: a test swap was done and not confirmed. */
    p = st(GOOD, FUNSET, FSET);
    s = st(UNSET, FSET, FBAD);
    assert_int_equal(swap_type_match(&p, &s), 2);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_REVERT);
    /* State IV: confirmed, nothing pending. */
    p = st(GOOD, FSET, FSET);
    s = st(UNSET, FUNSET, FUNSET);
    assert_int_equal(swap_type_match(&p, &s), -1);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_NONE);
    /* A secondary request wins over a primary that would revert. */
    p = st(GOOD, FUNSET, FSET);
    s = st(GOOD, FSET, FUNSET);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_PERM);
    /* A bad image_ok in the secondary asks for nothing. */
    s = st(GOOD, FBAD, FUNSET);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_NONE);
    /* A bad secondary magic does not count as unset for a revert. */
    s = st(BAD, FUNSET, FUNSET);
    assert_int_equal(swap_type_decide(&p, &s), TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(swap_type_decide(NULL, &s), TRAILER_SWAP_TYPE_PANIC);
    assert_int_equal(swap_type_match(&p, NULL), -1);
}

/* The design document's tables read first to last, written out as conditions. */
static int reference_swap_type(const struct boot_swap_state *p, const struct boot_swap_state *s)
{
    if (s->magic == GOOD && s->image_ok == FUNSET) {
        return TRAILER_SWAP_TYPE_TEST;
    }
    if (s->magic == GOOD && s->image_ok == FSET) {
        return TRAILER_SWAP_TYPE_PERM;
    }
    if (p->magic == GOOD && s->magic == UNSET && p->image_ok == FUNSET && p->copy_done == FSET) {
        return TRAILER_SWAP_TYPE_REVERT;
    }
    return TRAILER_SWAP_TYPE_NONE;
}

/* All 3^6 combinations of decoded values (secondary copy_done included, which no row reads). */
static void test_swap_exhaustive(void **state)
{
    (void)state;
    int count[6] = { 0 };

    for (size_t pm = 0; pm < 3; pm++) {
        for (size_t sm = 0; sm < 3; sm++) {
            for (size_t po = 0; po < 3; po++) {
                for (size_t so = 0; so < 3; so++) {
                    for (size_t pc = 0; pc < 3; pc++) {
                        for (size_t sc = 0; sc < 3; sc++) {
                            struct boot_swap_state p = st(magics[pm], flags[po], flags[pc]);
                            struct boot_swap_state s = st(magics[sm], flags[so], flags[sc]);
                            int want = reference_swap_type(&p, &s);
                            int got = swap_type_decide(&p, &s);

                            assert_int_equal(got, want);
                            count[got]++;
                        }
                    }
                }
            }
        }
    }
    /* Every outcome is reachable. */
    assert_true(count[TRAILER_SWAP_TYPE_TEST] > 0);
    assert_true(count[TRAILER_SWAP_TYPE_PERM] > 0);
    assert_true(count[TRAILER_SWAP_TYPE_REVERT] > 0);
    assert_true(count[TRAILER_SWAP_TYPE_NONE] > 0);
}

static void test_each_source_row(void **state)
{
    (void)state;
    struct boot_swap_state p, s;

    /* Row 1: copy done in the primary, no scratch trailer: nothing to resume. */
    p = st(GOOD, FUNSET, FSET);
    s = st(UNSET, FUNSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), 0);
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_NONE);
    s = st(BAD, FUNSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), 0);
    /* Row 2: primary trailer without copy_done: resume from the primary. */
    p = st(GOOD, FSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), 1);
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_PRIMARY);
    /* Row 3: a scratch trailer, whatever the primary holds. */
    p = st(GOOD, FUNSET, FSET);
    s = st(GOOD, FUNSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), 2);
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_SCRATCH);
    p = st(BAD, FBAD, FBAD);
    assert_int_equal(swap_type_source_match(&p, &s), 2);
    /* Row 4: no primary trailer: look in the primary (nothing, or a revert under way). */
    p = st(UNSET, FUNSET, FUNSET);
    s = st(BAD, FUNSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), 3);
    assert_int_equal(swap_type_status_source(&p, &s, 1), SWAP_TYPE_SOURCE_PRIMARY);
    /* No row: a bad primary magic without scratch trailer. */
    p = st(BAD, FUNSET, FUNSET);
    s = st(UNSET, FUNSET, FUNSET);
    assert_int_equal(swap_type_source_match(&p, &s), -1);
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_NONE);
    assert_int_equal(swap_type_status_source(NULL, &s, 0), SWAP_TYPE_SOURCE_NONE);
}

static void test_source_scratch_other_image(void **state)
{
    (void)state;
    struct boot_swap_state p = st(GOOD, FUNSET, FUNSET);
    struct boot_swap_state s = st(GOOD, FUNSET, FUNSET);

    s.image_num = 1;
    s.swap_type = TRAILER_SWAP_TYPE_TEST;
    assert_int_equal(swap_type_status_source(&p, &s, 1), SWAP_TYPE_SOURCE_SCRATCH);
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_NONE);
    s.image_num = 0;
    assert_int_equal(swap_type_status_source(&p, &s, 0), SWAP_TYPE_SOURCE_SCRATCH);
    assert_int_equal(swap_type_status_source(&p, &s, 1), SWAP_TYPE_SOURCE_NONE);
}

static int reference_source(const struct boot_swap_state *p, const struct boot_swap_state *s)
{
    if (p->magic == GOOD && s->magic != GOOD && p->copy_done == FSET) {
        return SWAP_TYPE_SOURCE_NONE;
    }
    if (p->magic == GOOD && s->magic != GOOD && p->copy_done == FUNSET) {
        return SWAP_TYPE_SOURCE_PRIMARY;
    }
    if (s->magic == GOOD) {
        return SWAP_TYPE_SOURCE_SCRATCH;
    }
    if (p->magic == UNSET && p->copy_done == FUNSET) {
        return SWAP_TYPE_SOURCE_PRIMARY;
    }
    return SWAP_TYPE_SOURCE_NONE;
}

static void test_source_exhaustive(void **state)
{
    (void)state;
    for (size_t pm = 0; pm < 3; pm++) {
        for (size_t sm = 0; sm < 3; sm++) {
            for (size_t pc = 0; pc < 3; pc++) {
                for (size_t po = 0; po < 3; po++) {
                    struct boot_swap_state p = st(magics[pm], flags[po], flags[pc]);
                    struct boot_swap_state s = st(magics[sm], FUNSET, FUNSET);

                    assert_int_equal(swap_type_status_source(&p, &s, 0), reference_source(&p, &s));
                }
            }
        }
    }
}

static void test_wildcards(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        assert_true(swap_type_magic_matches(ANY, magics[i]));
        assert_int_equal(swap_type_magic_matches(NOTGOOD, magics[i]) != 0, magics[i] != GOOD);
        assert_true(swap_type_flag_matches(FANY, flags[i]));
        for (size_t j = 0; j < 3; j++) {
            assert_int_equal(swap_type_magic_matches(magics[i], magics[j]) != 0, i == j);
            assert_int_equal(swap_type_flag_matches(flags[i], flags[j]) != 0, i == j);
        }
    }
}

static void test_decode_swap_info(void **state)
{
    (void)state;
    struct trailer_config c;
    struct trailer_layout lff, l00;
    struct boot_swap_state s;

    memset(&c, 0, sizeof(c));
    c.area_size = 0x1000;
    c.write_unit = 4;
    c.max_align = 8;
    c.max_sectors = 1;
    c.mode = TRAILER_MODE_SCRATCH;
    c.erased_val = 0xff;
    assert_int_equal(trailer_layout_init(&lff, &c), 0);
    c.erased_val = 0x00;
    assert_int_equal(trailer_layout_init(&l00, &c), 0);

    swap_state_decode_info(&lff, 0xff, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(s.image_num, 0);
    swap_state_decode_info(&lff, 0x12, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_TEST);
    assert_int_equal(s.image_num, 1);
    swap_state_decode_info(&lff, 0x04, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_REVERT);
    /* Above REVERT (FAIL included) is reset to NONE, image 0. */
    swap_state_decode_info(&lff, 0x15, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_NONE);
    assert_int_equal(s.image_num, 0);
    /* Type 0 is below REVERT and kept, as MCUboot does. */
    swap_state_decode_info(&lff, 0x00, &s);
    assert_int_equal(s.swap_type, 0);
    swap_state_decode_info(&l00, 0x00, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_NONE);
    swap_state_decode_info(&l00, 0x13, &s);
    assert_int_equal(s.swap_type, TRAILER_SWAP_TYPE_PERM);
    assert_int_equal(s.image_num, 1);
    assert_int_equal(trailer_swap_info_pack(TRAILER_SWAP_TYPE_PERM, 1), 0x13);
    assert_int_equal(trailer_swap_info_pack(TRAILER_SWAP_TYPE_TEST, 0), 0x02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_table_rows),   cmocka_unit_test(test_source_table_rows),
        cmocka_unit_test(test_each_swap_row),     cmocka_unit_test(test_swap_exhaustive),
        cmocka_unit_test(test_each_source_row),   cmocka_unit_test(test_source_scratch_other_image),
        cmocka_unit_test(test_source_exhaustive), cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_decode_swap_info),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
