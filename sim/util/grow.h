/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file grow.h
 * \brief The one way sim/ makes room in a growing array (the daemon's devices, the FUSE view's,
 *        the configuration's).
 */
#ifndef SIM_GROW_H
#define SIM_GROW_H

#include <stddef.h>
#include <stdint.h>

/**
 * \brief Makes room for one more element of an array of count elements of elem_size bytes:
 *        when count has reached *cap, *arr is reallocated to twice *cap (first when *cap is 0)
 *        and *cap updated; otherwise nothing changes.
 * \param arr        The array (NULL while empty); replaced when it moves.
 * \param cap        Its capacity in elements.
 * \param count      Elements in use (at most *cap).
 * \param elem_size  Bytes per element (not 0).
 * \param first      Capacity of a first allocation (not 0).
 * \return 0; BO_ENOMEM when memory is short or the size would overflow (the array and *cap are
 *         then unchanged); BO_EINVAL for bad arguments.
 */
int grow_one(void **arr, uint32_t *cap, uint32_t count, size_t elem_size, uint32_t first);

#endif /* SIM_GROW_H */
