/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file board_text_int.h
 * \brief The words and numbers of board files, for the INI reader (board_ini.c). Not a public API.
 */
#ifndef BOARD_TEXT_INT_H
#define BOARD_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** \brief Whether c is a blank inside a line (space or tab). */
bool board_text_is_space(char c);

/** \brief Copies s[0..n) into out with surrounding blanks removed; false if it does not fit. */
bool board_text_trim_copy(char *out, size_t out_len, const char *s, size_t n);

/**
 * \brief An unsigned number: decimal or 0x hex, with an optional K (KiB) or M (MiB) suffix when
 *        suffix is set; s is already trimmed. \return 0 or BO_EINVAL.
 */
int board_text_u64(const char *s, bool suffix, uint64_t *out);

/**
 * \brief A decimal number with up to three fraction digits, in thousandths.
 * \return 0 or BO_EINVAL.
 */
int board_text_milli(const char *s, uint64_t *out);

/**
 * \brief Splits "KIND" or "KIND NAME" into its words.
 * \return The number of words, or -1 when there are more than two or one does not fit.
 */
int board_text_split_words(const char *s, char *w1, size_t w1_len, char *w2, size_t w2_len);

#endif /* BOARD_TEXT_INT_H */
