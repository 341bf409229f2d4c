/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file invariants.h
 * \brief The invariants a power-fail sweep checks after every cut (DESIGN.md "Power-fail
 *        sweeps"):
 *
 * 1. every boot succeeds and runs an image signed by a trusted key whose hash verifies (the
 *    primary slot holds, byte for byte, one of the scenario's images, each validated when it
 *    was signed, and the hash the bootloader reports is that image's);
 * 2. the image that runs is one the scenario allows at that point (old or new, never a third),
 *    and the run ends in an outcome the scenario allows for a cut where it happened;
 * 3. no downgrade when downgrade prevention is on (never a version below the starting one);
 * 4. the trailers (magic, swap type, copy_done, image_ok of both slots) and the slots' images
 *    end as the uninterrupted run with the same outcome leaves them;
 * 5. one more clean boot changes no byte of flash and runs the same images.
 */
#ifndef SIM_INVARIANTS_H
#define SIM_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/loader.h"
#include "port_flash_map.h"
#include "sweep/scenario.h"

/** Which invariant failed. */
enum invariant_id {
    INVARIANT_NONE = 0,
    INVARIANT_BOOT = 1,      /**< Bootable, trusted, hash-valid. */
    INVARIANT_IMAGE = 2,     /**< An allowed image and outcome. */
    INVARIANT_DOWNGRADE = 3, /**< No downgrade. */
    INVARIANT_FINAL = 4,     /**< Final trailer and slot states. */
    INVARIANT_STABLE = 5,    /**< A further boot changes nothing. */
    INVARIANT_HARNESS = 6,   /**< The sweep itself could not run the point (not a device fault). */
    INVARIANT_COUNT
};

/** How a reference state is compared (invariant_check_final()). */
enum invariant_ref {
    INVARIANT_REF_NO = 0,
    INVARIANT_REF_FULL = 1,
    INVARIANT_REF_PRIMARY = 2,
};

/** A failed invariant and why. */
struct invariant_report {
    uint8_t id;    /**< enum invariant_id; INVARIANT_NONE when all hold. */
    char msg[200]; /**< One line. */
};

/** \brief A short name of an invariant ("bootable", "allowed-image", ...). */
const char *invariant_name(enum invariant_id id);

/** \brief Records a failure in r (the first one wins). \return 1. */
int invariant_fail(struct invariant_report *r, enum invariant_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * \brief Invariants 1 to 3 for one boot (the active flash map holds the device's flash).
 * \param boot_rc  What boot_go returned.
 * \param rsp      Its response (when boot_rc is 0).
 * \return 0 when they hold, 1 with r filled.
 */
int invariant_check_boot(const struct scenario *sc, int boot_rc, const struct boot_rsp *rsp,
                         struct invariant_report *r);

/**
 * \brief Invariants 2 and 4 at the end of a run: the final state must equal one of the allowed
 *        reference states (the uninterrupted runs of each allowed outcome).
 * \param fin    The final state read from flash.
 * \param refs   Reference states.
 * \param allow  Per reference: INVARIANT_REF_NO (not allowed for this cut), INVARIANT_REF_FULL
 *               (every field must match) or INVARIANT_REF_PRIMARY (only what runs and the
 *               primary slots must match: the secondary may hold anything, for an update lost
 *               to a cut during its request).
 * \param nref   Number of references.
 * \return 0 or 1 with r filled.
 */
int invariant_check_final(const struct scenario *sc, const struct scenario_final *fin,
                          const struct scenario_final *refs, const uint8_t *allow, size_t nref,
                          struct invariant_report *r);

/**
 * \brief Invariant 5: snapshots every device of map, boots once more and compares.
 * \param state  Work area for the boot.
 * \param last   The response of the run's last boot.
 * \return 0, 1 with r filled, or BO_ENOMEM.
 */
int invariant_check_stable(const struct scenario *sc, struct port_flash_map *map,
                           struct boot_loader_state *state, const struct boot_rsp *last,
                           struct invariant_report *r);

#endif /* SIM_INVARIANTS_H */
