/* SPDX-License-Identifier: Apache-2.0 */
/* Growing arrays: twice the room when full. */
#include "util/grow.h"

#include <stdlib.h>

#include "bo_err.h"

int grow_one(void **arr, uint32_t *cap, uint32_t count, size_t elem_size, uint32_t first)
{
    uint64_t want;
    void *grown;

    if (arr == NULL || cap == NULL || elem_size == 0 || first == 0 || count > *cap) {
        return BO_EINVAL;
    }
    if (count < *cap) {
        return 0;
    }
    want = *cap == 0 ? first : (uint64_t)*cap * 2;
    if (want > UINT32_MAX || want > SIZE_MAX / elem_size) {
        return BO_ENOMEM;
    }
    grown = realloc(*arr, (size_t)want * elem_size);
    if (grown == NULL) {
        return BO_ENOMEM;
    }
    *arr = grown;
    *cap = (uint32_t)want;
    return 0;
}
