/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file scenario_int.h
 * \brief The scenario's inputs named by content (scenario_inputs.c), used by scenario.c's set-up.
 *        Not a public API.
 */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "port_rng.h"
#include "sweep/scenario.h"

/**
 * \brief Loads the trusted keys (opts.key_path, then opts.in.keys, or the default key) and
 *        checks the image options; built-in images need the first key to be a private one.
 * \return 0, or a negative code with the reason in err.
 */
int scenario_inputs_keys(struct scenario *sc, struct port_rng *rng, char *err, size_t err_len);

/**
 * \brief Loads the user's old and new images of image 0 (sweep_inputs.h), which must fit cap
 *        bytes and have different versions; sets sc->image_size.
 * \return 0, or a negative code with the reason in err.
 */
int scenario_inputs_images(struct scenario *sc, uint32_t cap, char *err, size_t err_len);

/**
 * \brief Computes sc->inputs from the board file, keys and images; a replay's must match
 *        sc->opts.in.expect.
 * \return 0, or BO_EOS / BO_ESTATE with the reason in err.
 */
int scenario_inputs_hash(struct scenario *sc, char *err, size_t err_len);

/**
 * \brief Picks the bootloader of sc->opts (bl_find()), checks that it is linked, that a replay's
 *        tree hash names its tree, and that it can run sc->cfg (bl->check()); records the tree
 *        hash in sc->opts for the replay IDs.
 * \return 0, or BO_ENOTSUP / BO_ESTATE with one line in err.
 */
int scenario_bl_setup(struct scenario *sc, char *err, size_t err_len);

/** \brief The hash replay IDs carry of a tree identity (FNV-1a 32; never 0). */
uint32_t scenario_bl_tree_hash(const char *identity);

#endif /* SIM_SCENARIO_INT_H */
