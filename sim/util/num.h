/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file num.h
 * \brief The one unsigned-number parser of sim/ (command lines, INI values, replay IDs).
 */
#ifndef SIM_NUM_H
#define SIM_NUM_H

#include <stdint.h>

/**
 * \brief Parses all of s as an unsigned number in [0, max].
 *
 * base is 0 (C prefixes: 0x hex, a leading 0 octal, else decimal), 10 or 16. s must start with
 * a digit of the base: no blank, sign or empty string; nothing may follow the number.
 * \param s     The text; NULL is refused.
 * \param base  0, 10 or 16.
 * \param max   The largest value accepted.
 * \param out   Receives the value; unchanged on error.
 * \return 0 or BO_EINVAL.
 */
int num_parse_u64(const char *s, int base, uint64_t max, uint64_t *out);

#endif /* SIM_NUM_H */
