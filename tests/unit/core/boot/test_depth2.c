/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Depth-2 power-cut findings of the sweep (a second cut during the recovery of the first), in
 * every upgrade mode, fixed in core/boot (issue 4): each replay ID must pass through
 * sweep_replay().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "mbedtls/platform.h"
#include "sweep/invariants.h"
#include "sweep/sweep.h"

static mbedtls_platform_context plat;

/*
 * Swap-using-move test-revert: the step-1 swap record of the test swap cut "weak", then the
 * recovery cut "weak" while copying. The recovery read the weak record as written and erased
 * the step's source (the secondary's first sector); the next boot read it as erased, redid the
 * step from that half-written sector and bricked the device ("malformed image"). Fixed: the last
 * status record is settled (programmed again) when it reads unstable, before the resume acts.
 */
static const char *const test_weak_record[] = {
    "bo1:test-revert:swap-move:nrf52840:d:1:16:weak:0:1039ffdb668c0236:2:weak:s:"
    "d8ea2ed7ec14f9e4:8ef241e1",
};

/*
 * Swap-using-offset test-revert: a cut in the revert's second copy (primary sector 0 erased and
 * half written), then a cut in the recovery after it had written the secondary's revert request
 * again. That request restarted the revert from its first step, which copied the half-written
 * primary sector over the secondary's only copy of the new image ("old / other"). Fixed: a
 * resumed revert (status source primary) does not write the secondary's request again.
 */
static const char *const test_resumed_revert[] = {
    "bo1:test-revert:swap-offset:nrf52840:d:1:37:torn-prefix:54:791b83159dc5dd35:6:before:s:"
    "16d38dc506cd4ebb:eff7a05b",
    "bo1:test-revert:swap-offset:nrf52840:d:1:38:torn-prefix:112:3e53dcf5adf2e6c7:5:after:s:"
    "0015258acbfd60fb:f8302b75",
    "bo1:test-revert:swap-offset:nrf52840:d:1:39:torn-prefix:109:ed9b9ecc853db8c1:5:after:s:"
    "1f94a12ff39527b2:04a447a1",
};

/*
 * Swap-using-offset test-revert on stm32h7 (`--random 1600 --seed 1234`): the revert's request
 * in the secondary trailer was cut while its magic was programmed, and the recovery, which
 * erases that trailer to write the request again, was cut in that erase (erase-partial). The
 * magic read bad and the request's fields partly erased, so the revert was no longer recognised
 * and the unconfirmed test image ran for good ("new" where only "old" is allowed). Fixed: a bad
 * secondary magic over an unconfirmed primary is a revert unless its fields are an
 * application's request (swap_info TEST or PERM, copy_done erased).
 */
static const char *const test_revert_request_erased[] = {
    "bo1:test-revert:swap-offset:stm32h7:3072:1:24:torn-bits:0:3f41fcbdf19dd1cd:0:torn-prefix:s:"
    "a0fa00649f3d15c5:ac78abba",
};

/*
 * Swap-using-offset perm: copy_done torn (torn-bits) at the end of the swap; the recovery's
 * repair erased the primary's trailer to write it back and was cut before the fields and the
 * magic: the new image ran with no trailer (magic, copy_done and image_ok unset). Fixed: torn
 * flags and an unstable magic are completed in place first, which NOR takes without an erase.
 */
static const char *const test_repair_in_place[] = {
    "bo1:perm:swap-offset:nrf52840:d:1:20:torn-bits:0:77df477089ae9ad2:5:before:s:"
    "86243c1621c6e8ce:6cecc5ee",
    "bo1:perm:swap-offset:nrf52840:d:1:20:torn-bits:0:11c8d2aa3c39658d:5:before:s:"
    "86243c1621c6e8ce:12a5aa47",
    /* The same in swap-using-move test-confirm (the confirmation's image_ok torn). */
    "bo1:test-confirm:swap-move:nrf52840:d:1:23:torn-bits:0:11c8d2aa3c39658d:1:after:s:"
    "dae9d54fde8b49e9:48e9cd3a",
};

/*
 * ECC parts (stm32h7): a torn or weak trailer write at the end of a swap (copy_done, image_ok)
 * can only be settled on ECC by erasing the trailer's sector and writing it back
 * (boot_repair_trailer()); a second cut between that erase and the magic lost the trailer. The
 * image that ran was the right one byte for byte, but the trailer ended empty (final-state), and
 * after a test swap the unconfirmed image was no longer reverted (allowed-image). Fixed: the
 * rewrite is journalled in the secondary's status area first (core/boot/boot_journal.h), and
 * the next boot finishes it from the journal.
 */
static const char *const test_ecc_rewrite_window[] = {
    "bo1:perm:swap-move:stm32h7:d:1:24:torn-bits:0:e9f820f017d70329:5:after:s:"
    "4135eea251860c56:49254472",
    "bo1:perm:swap-offset:stm32h7:d:1:20:torn-bits:0:77df477089ae9ad2:5:torn-prefix:s:"
    "0a744516ec6a44af:b2dd2596",
    "bo1:test-revert:swap-move:stm32h7:d:1:22:torn-bits:0:b575fb41eb62e3fd:7:torn-bits:s:"
    "b888979ff06d9dc8:c12433ae",
    "bo1:test-revert:swap-move:stm32h7:d:1:48:weak:0:c25b50c7d13ec867:1:erase-partial:s:"
    "e19b8dd355875926:42dff9db",
};

/*
 * Overwrite-only test-confirm on stm32h7: the first cut tears the copy of the new image, the
 * recovery copies it again and is cut erasing the secondary's first sector (erase-partial). The
 * partial erase moved header bits toward the erased value: the magic still read right and the
 * flags gained IMAGE_F_NON_BOOTABLE, so the loader took the half-erased image for a non-bootable
 * one, dropped only the request and kept the rest ("other") for good, where the uninterrupted
 * run leaves the slot empty (final-state). Fixed: a secondary with that flag is validated, and
 * one that does not validate is erased like any bad image.
 */
static const char *const test_overwrite_half_erased[] = {
    "bo1:test-confirm:overwrite:stm32h7:d:1:7:torn-prefix:12:4db020f37d430bb5:8:torn-prefix:s:"
    "74202625e382caae:c4893541",
};

/*
 * stm32h7, maximal images, overwrite-only and swap-using-scratch (found by `--random 1600
 * --seed 7 --image-size max`): the image fills the primary's last sector up to its trailer,
 * and the second cut tears a flag write there (the application's image_ok, or copy_done). On
 * ECC only an erase settles the unit, and the repair refused to erase a sector that holds image
 * bytes, so the flag ended "bad" where the uninterrupted run leaves it set (final-state). Fixed:
 * those image bytes are journalled with the trailer (boot_journal.h), in the secondary's free
 * trailer sector (overwrite-only) or in the scratch area once the swap is complete.
 */
static const char *const test_ecc_shared_trailer_sector[] = {
    "bo1:test-confirm:overwrite:stm32h7:max:1:173:before:0:dddb32b03a7e8400:379:weak:s:"
    "cdb15038502f37b1:667009ab",
    "bo1:test-confirm:overwrite:stm32h7:max:1:364:torn-prefix:13:61f56f01897136d3:379:weak:s:"
    "42f3842ddd5c1dc1:8abb7861",
    "bo1:test-confirm:overwrite:stm32h7:max:1:56:torn-prefix:28:0a8f0cb0e477217e:379:weak:s:"
    "18b7aa19bee4453d:9ece951f",
    "bo1:test-confirm:swap-scratch:stm32h7:max:1:813:torn-prefix:27:675e43ebeec97f93:390:"
    "torn-bits:s:fe778679e3fd9575:04a273dc",
    "bo1:test-confirm:swap-scratch:stm32h7:max:1:124:torn-prefix:28:e6beb09e9698b552:1022:weak:"
    "s:b8b138e79d1adb6b:57088e5d",
    "bo1:test-confirm:swap-scratch:stm32h7:max:1:865:torn-prefix:13:32cbb8e78dd2b112:391:"
    "torn-bits:s:33b7a8148bd5d642:f5a12396",
    "bo1:test-confirm:swap-scratch:stm32h7:max:1:1144:weak:0:1c7e1b90c75fdfba:0:erase-partial:s:"
    "dd5f87ed82b30ef7:ac2cd3c6",
};

/*
 * The same in swap-using-scratch test-revert (`--random 1600 --seed 7 --image-size max`): the
 * revert's image_ok, written when the revert starts, is torn, so it is found while the swap is
 * still in progress and the scratch area is not free. Fixed: the primary's trailer is checked
 * again once the swap is complete (boot_finish_swap()), when the scratch area can keep the image
 * bytes.
 */
static const char *const test_ecc_torn_during_swap[] = {
    "bo1:test-revert:swap-scratch:stm32h7:max:1:1588:weak:0:4fd14ebf81710f9b:780:torn-bits:s:"
    "94b8ffde88e992ac:2221d61a",
    "bo1:test-revert:swap-scratch:stm32h7:max:1:1546:torn-prefix:24:4076ca9dd7e898a6:780:"
    "torn-bits:s:54d7c0caa2fceac5:c564b5b8",
};

static void d2_replays_pass(const char *const *ids, size_t n)
{
    struct sweep_outcome out;
    char err[512];

    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sweep_replay(NULL, ids[i], NULL, &out, err, sizeof(err)), 0);
        if (out.status != SWEEP_PASS) {
            fprintf(stderr, "  regression [%s] %s\n    %s\n",
                    invariant_name((enum invariant_id)out.invariant), out.msg, ids[i]);
        }
        assert_int_equal(out.status, SWEEP_PASS);
    }
}

static void test_move_weak_record(void **state)
{
    (void)state;
    d2_replays_pass(test_weak_record, sizeof(test_weak_record) / sizeof(test_weak_record[0]));
}

static void test_offset_resumed_revert(void **state)
{
    (void)state;
    d2_replays_pass(test_resumed_revert,
                    sizeof(test_resumed_revert) / sizeof(test_resumed_revert[0]));
}

static void test_offset_revert_request_erased(void **state)
{
    (void)state;
    d2_replays_pass(test_revert_request_erased,
                    sizeof(test_revert_request_erased) / sizeof(test_revert_request_erased[0]));
}

static void test_offset_repair_in_place(void **state)
{
    (void)state;
    d2_replays_pass(test_repair_in_place,
                    sizeof(test_repair_in_place) / sizeof(test_repair_in_place[0]));
}

static void test_ecc_rewrite_window_fixed(void **state)
{
    (void)state;
    d2_replays_pass(test_ecc_rewrite_window,
                    sizeof(test_ecc_rewrite_window) / sizeof(test_ecc_rewrite_window[0]));
}

static void test_overwrite_half_erased_fixed(void **state)
{
    (void)state;
    d2_replays_pass(test_overwrite_half_erased,
                    sizeof(test_overwrite_half_erased) / sizeof(test_overwrite_half_erased[0]));
}

static void test_ecc_shared_trailer_sector_fixed(void **state)
{
    (void)state;
    d2_replays_pass(test_ecc_shared_trailer_sector, sizeof(test_ecc_shared_trailer_sector) /
                                                        sizeof(test_ecc_shared_trailer_sector[0]));
    d2_replays_pass(test_ecc_torn_during_swap,
                    sizeof(test_ecc_torn_during_swap) / sizeof(test_ecc_torn_during_swap[0]));
}

static int d2_setup(void **state)
{
    (void)state;
    memset(&plat, 0, sizeof(plat));
    return mbedtls_platform_setup(&plat) == 0 ? 0 : -1;
}

static int d2_teardown(void **state)
{
    (void)state;
    mbedtls_platform_teardown(&plat);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move_weak_record),
        cmocka_unit_test(test_offset_resumed_revert),
        cmocka_unit_test(test_offset_revert_request_erased),
        cmocka_unit_test(test_offset_repair_in_place),
        cmocka_unit_test(test_ecc_rewrite_window_fixed),
        cmocka_unit_test(test_overwrite_half_erased_fixed),
        cmocka_unit_test(test_ecc_shared_trailer_sector_fixed),
    };

    return cmocka_run_group_tests(tests, d2_setup, d2_teardown);
}
