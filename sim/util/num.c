/* SPDX-License-Identifier: Apache-2.0 */
/* Strict unsigned-number parsing over strtoull(): whole string, no sign, no blank, a range. */
#include "util/num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "bo_err.h"

int num_parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end = NULL;
    unsigned char c0;

    if (s == NULL || (base != 0 && base != 10 && base != 16)) {
        return BO_EINVAL;
    }
    /* strtoull() would skip blanks and take a sign: the first character must be a digit. */
    c0 = (unsigned char)s[0];
    if (base == 16 ? !isxdigit(c0) : !isdigit(c0)) {
        return BO_EINVAL;
    }
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno != 0 || end == NULL || *end != '\0' || v > max) {
        return BO_EINVAL;
    }
    *out = v;
    return 0;
}
