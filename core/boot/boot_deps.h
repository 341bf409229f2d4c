/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file boot_deps.h
 * \brief Multi-image dependencies (MCUboot's boot_verify_dependencies()): each image's
 *        DEPENDENCY TLVs are checked against the version of the other image in the slot it will
 *        run from once the decided swaps are done.
 */
#ifndef BOOT_BOOT_DEPS_H
#define BOOT_BOOT_DEPS_H

#include "boot/loader.h"

/**
 * \brief Checks the dependencies of every image against the swap types decided in st->img.
 *        An unmet dependency rejects the upgrade that breaks it (of the image itself when it
 *        upgrades, else of the image depended on: its swap type becomes NONE), and the check
 *        starts again until everything left is consistent.
 * \return 0, or the error of a flash read.
 */
int boot_deps_verify(struct boot_loader_state *st);

#endif /* BOOT_BOOT_DEPS_H */
