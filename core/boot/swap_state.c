/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a slot's trailer state (see swap_state.h). */
#include "boot/swap_state.h"

#include <string.h>

#include "bo_err.h"

void swap_state_decode_info(const struct trailer_layout *lay, uint8_t swap_info,
                            struct boot_swap_state *state)
{
    uint8_t type = (uint8_t)(swap_info & 0x0f);

    if (swap_info == lay->cfg.erased_val || type > TRAILER_SWAP_TYPE_REVERT) {
        state->swap_type = TRAILER_SWAP_TYPE_NONE;
        state->image_num = 0;
        return;
    }
    state->swap_type = type;
    state->image_num = (uint8_t)(swap_info >> 4);
}

int swap_state_read(const struct flash_area *fa, const struct trailer_layout *lay,
                    struct boot_swap_state *state)
{
    struct boot_swap_state st;
    enum trailer_magic_state magic;
    enum trailer_flag_state flag;
    uint8_t info;
    int rc;

    if (fa == NULL || lay == NULL || state == NULL) {
        return BO_EINVAL;
    }
    memset(&st, 0, sizeof(st));
    rc = trailer_read_magic(fa, lay, &magic);
    if (rc < 0) {
        goto out;
    }
    st.magic = (uint8_t)magic;
    rc = trailer_read_swap_info(fa, lay, &info);
    if (rc < 0) {
        goto out;
    }
    swap_state_decode_info(lay, info, &st);
    rc = trailer_read_copy_done(fa, lay, &flag);
    if (rc < 0) {
        goto out;
    }
    st.copy_done = (uint8_t)flag;
    rc = trailer_read_image_ok(fa, lay, &flag);
    if (rc < 0) {
        goto out;
    }
    st.image_ok = (uint8_t)flag;
    *state = st;
out:
    return rc;
}

int swap_state_read_by_id(int fa_id, const struct trailer_params *p, struct boot_swap_state *state)
{
    const struct flash_area *fa = NULL;
    struct trailer_layout lay;
    int rc;

    if (p == NULL || state == NULL || fa_id < 0 || fa_id > UINT8_MAX) {
        return BO_EINVAL;
    }
    rc = flash_area_open((uint8_t)fa_id, &fa);
    if (rc < 0) {
        fa = NULL;
        goto out;
    }
    rc = trailer_layout_from_area(&lay, fa, p);
    if (rc < 0) {
        goto out;
    }
    rc = swap_state_read(fa, &lay, state);
out:
    flash_area_close(fa);
    return rc;
}
