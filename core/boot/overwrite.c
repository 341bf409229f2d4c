/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Overwrite-only (MCUboot's MCUBOOT_OVERWRITE_ONLY): the secondary slot is copied over the
 * primary, trailer included, then the secondary's first and last sectors are erased so the
 * request is gone. There is no status: an interrupted copy is simply done again on the next boot
 * because the secondary still asks for it.
 */
#include "bo_err.h"
#include "boot/loader_int.h"
#include "boot/loader_io.h"
#include "mcuboot_config/mcuboot_logging.h"

int overwrite_run(struct boot_loader_state *st, struct boot_status *bs, bool *ran)
{
    const struct boot_sectors *s = &st->sect;
    uint32_t size = 0;
    uint32_t i;
    int rc;

    (void)bs;
    *ran = true;
    MCUBOOT_LOG_INF("overwrite: erasing the primary slot");
    for (i = 0; i < s->n_pri; i++) {
        rc = loader_io_erase(st->fa_pri, s->pri[i].fs_off, s->pri[i].fs_size);
        if (rc < 0) {
            return rc;
        }
        size += s->pri[i].fs_size;
    }
    MCUBOOT_LOG_INF("overwrite: copying 0x%lx bytes", (unsigned long)size);
    rc = loader_io_copy(st, st->fa_sec, st->fa_pri, 0, 0, size);
    if (rc < 0) {
        return rc;
    }
    /* The header and the trailer of the secondary go, so the request does not repeat. */
    rc = loader_io_erase(st->fa_sec, s->sec[0].fs_off, s->sec[0].fs_size);
    if (rc < 0) {
        return rc;
    }
    return loader_io_erase(st->fa_sec, s->sec[s->n_sec - 1].fs_off, s->sec[s->n_sec - 1].fs_size);
}
