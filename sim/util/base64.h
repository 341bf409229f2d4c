/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file base64.h
 * \brief Strict base64 (RFC 4648 standard alphabet, '=' padding, no blank or line break) over
 *        Mbed TLS's codec, for the binary data of the control protocol.
 *
 * Strict means one text per datum: Mbed TLS alone would accept spaces and line breaks and
 * non-zero bits under the padding; these functions refuse them.
 */
#ifndef SIM_BASE64_H
#define SIM_BASE64_H

#include <stddef.h>
#include <stdint.h>

/** \brief Length of the data that text decodes to, or -1 if it is not strict base64. */
long long base64_decoded_len(const char *text, size_t len);

/** \brief Decodes strict base64 into out (base64_decoded_len() bytes). \return 0 or -1. */
int base64_decode(const char *text, size_t len, uint8_t *out);

/** \brief Encodes len bytes; returns a malloc'ed NUL-terminated string, or NULL. */
char *base64_encode(const uint8_t *buf, size_t len);

#endif /* SIM_BASE64_H */
