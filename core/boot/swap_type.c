/* SPDX-License-Identifier: Apache-2.0 */
/* MCUboot's swap-type and status-source decision tables (see swap_type.h). */
#include "boot/swap_type.h"

/*
 * Only the states that make the bootloader act are listed; the secondary slot's rows come first
 * because a request in the secondary slot takes priority over the primary's state.
 */
static const struct swap_type_row swap_type_rows[] = {
    /* A test image is waiting in the secondary slot. */
    {
        .magic_primary = TRAILER_MAGIC_ANY,
        .magic_secondary = TRAILER_MAGIC_GOOD,
        .image_ok_primary = TRAILER_FLAG_ANY,
        .image_ok_secondary = TRAILER_FLAG_UNSET,
        .copy_done_primary = TRAILER_FLAG_ANY,
        .swap_type = TRAILER_SWAP_TYPE_TEST,
    },
    /* A permanent image is waiting in the secondary slot. */
    {
        .magic_primary = TRAILER_MAGIC_ANY,
        .magic_secondary = TRAILER_MAGIC_GOOD,
        .image_ok_primary = TRAILER_FLAG_ANY,
        .image_ok_secondary = TRAILER_FLAG_SET,
        .copy_done_primary = TRAILER_FLAG_ANY,
        .swap_type = TRAILER_SWAP_TYPE_PERM,
    },
    /* A tested image was swapped in and booted, but never confirmed: swap back. */
    {
        .magic_primary = TRAILER_MAGIC_GOOD,
        .magic_secondary = TRAILER_MAGIC_UNSET,
        .image_ok_primary = TRAILER_FLAG_UNSET,
        .image_ok_secondary = TRAILER_FLAG_ANY,
        .copy_done_primary = TRAILER_FLAG_SET,
        .swap_type = TRAILER_SWAP_TYPE_REVERT,
    },
};

static const struct swap_type_source_row swap_type_source_rows[] = {
    /* The primary trailer is complete and its copy is done: nothing to resume. */
    {
        .magic_primary = TRAILER_MAGIC_GOOD,
        .magic_scratch = TRAILER_MAGIC_NOTGOOD,
        .copy_done_primary = TRAILER_FLAG_SET,
        .source = SWAP_TYPE_SOURCE_NONE,
    },
    /* The primary trailer was written but the copy is not done: resume from the primary. */
    {
        .magic_primary = TRAILER_MAGIC_GOOD,
        .magic_scratch = TRAILER_MAGIC_NOTGOOD,
        .copy_done_primary = TRAILER_FLAG_UNSET,
        .source = SWAP_TYPE_SOURCE_PRIMARY,
    },
    /* The scratch holds a trailer: the last sector was being swapped. */
    {
        .magic_primary = TRAILER_MAGIC_ANY,
        .magic_scratch = TRAILER_MAGIC_GOOD,
        .copy_done_primary = TRAILER_FLAG_ANY,
        .source = SWAP_TYPE_SOURCE_SCRATCH,
    },
    /*
     * No primary trailer: either nothing was ever swapped (reading the status finds nothing)
     * or a revert is under way with its status in the primary slot.
     */
    {
        .magic_primary = TRAILER_MAGIC_UNSET,
        .magic_scratch = TRAILER_MAGIC_ANY,
        .copy_done_primary = TRAILER_FLAG_UNSET,
        .source = SWAP_TYPE_SOURCE_PRIMARY,
    },
};

const struct swap_type_row *swap_type_table(size_t *count)
{
    if (count != NULL) {
        *count = sizeof(swap_type_rows) / sizeof(swap_type_rows[0]);
    }
    return swap_type_rows;
}

const struct swap_type_source_row *swap_type_source_table(size_t *count)
{
    if (count != NULL) {
        *count = sizeof(swap_type_source_rows) / sizeof(swap_type_source_rows[0]);
    }
    return swap_type_source_rows;
}

int swap_type_magic_matches(uint8_t cell, uint8_t magic)
{
    if (cell == TRAILER_MAGIC_ANY) {
        return 1;
    }
    if (cell == TRAILER_MAGIC_NOTGOOD) {
        return magic != TRAILER_MAGIC_GOOD;
    }
    return cell == magic;
}

int swap_type_flag_matches(uint8_t cell, uint8_t flag)
{
    return cell == TRAILER_FLAG_ANY || cell == flag;
}

int swap_type_match(const struct boot_swap_state *primary, const struct boot_swap_state *secondary)
{
    size_t n;
    size_t i;
    const struct swap_type_row *rows = swap_type_table(&n);

    if (primary == NULL || secondary == NULL) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (swap_type_magic_matches(rows[i].magic_primary, primary->magic) &&
            swap_type_magic_matches(rows[i].magic_secondary, secondary->magic) &&
            swap_type_flag_matches(rows[i].image_ok_primary, primary->image_ok) &&
            swap_type_flag_matches(rows[i].image_ok_secondary, secondary->image_ok) &&
            swap_type_flag_matches(rows[i].copy_done_primary, primary->copy_done)) {
            return (int)i;
        }
    }
    return -1;
}

int swap_type_decide(const struct boot_swap_state *primary, const struct boot_swap_state *secondary)
{
    const struct swap_type_row *rows = swap_type_table(NULL);
    int row;

    if (primary == NULL || secondary == NULL) {
        return TRAILER_SWAP_TYPE_PANIC;
    }
    row = swap_type_match(primary, secondary);
    if (row < 0) {
        return TRAILER_SWAP_TYPE_NONE;
    }
    return rows[row].swap_type;
}

int swap_type_source_match(const struct boot_swap_state *primary,
                           const struct boot_swap_state *scratch)
{
    size_t n;
    size_t i;
    const struct swap_type_source_row *rows = swap_type_source_table(&n);

    if (primary == NULL || scratch == NULL) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (swap_type_magic_matches(rows[i].magic_primary, primary->magic) &&
            swap_type_magic_matches(rows[i].magic_scratch, scratch->magic) &&
            swap_type_flag_matches(rows[i].copy_done_primary, primary->copy_done)) {
            return (int)i;
        }
    }
    return -1;
}

int swap_type_status_source(const struct boot_swap_state *primary,
                            const struct boot_swap_state *scratch, uint8_t image_index)
{
    const struct swap_type_source_row *rows = swap_type_source_table(NULL);
    int row;

    row = swap_type_source_match(primary, scratch);
    if (row < 0) {
        return SWAP_TYPE_SOURCE_NONE;
    }
    if (rows[row].source == SWAP_TYPE_SOURCE_SCRATCH && scratch->image_num != image_index) {
        /* The scratch's status belongs to the other image. */
        return SWAP_TYPE_SOURCE_NONE;
    }
    return rows[row].source;
}

bool swap_type_is_upgrade(uint8_t swap_type)
{
    return swap_type == TRAILER_SWAP_TYPE_TEST || swap_type == TRAILER_SWAP_TYPE_PERM ||
           swap_type == TRAILER_SWAP_TYPE_REVERT;
}
