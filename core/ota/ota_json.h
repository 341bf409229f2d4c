/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file ota_json.h
 * \brief A bounded text writer for the app's JSON and link-format documents (the core has no
 *        stdio): strings are escaped, numbers written in decimal, bytes in hex. Writing past
 *        the buffer sets a sticky overflow flag instead of truncating silently.
 */
#ifndef OTA_OTA_JSON_H
#define OTA_OTA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A document being written. */
struct ota_json {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow; /**< Something did not fit: the document is incomplete. */
};

/** \brief Starts writing into buf (nothing is NUL-terminated). */
void ota_json_init(struct ota_json *j, void *buf, size_t cap);

/** \brief Appends text as is. */
void ota_json_raw(struct ota_json *j, const char *text);

/** \brief Appends a quoted, escaped JSON string. */
void ota_json_str(struct ota_json *j, const char *s);

/** \brief Appends an unsigned decimal number. */
void ota_json_u64(struct ota_json *j, uint64_t v);

/** \brief Appends true or false. */
void ota_json_bool(struct ota_json *j, bool v);

/** \brief Appends a quoted string of lower-case hex digits of n bytes. */
void ota_json_hex(struct ota_json *j, const uint8_t *p, size_t n);

/** \brief Appends "key": (with a comma first unless first is true). */
void ota_json_key(struct ota_json *j, const char *key, bool first);

/**
 * \brief The length written.
 * \return 0 with *len set; BO_ERANGE when something did not fit.
 */
int ota_json_finish(const struct ota_json *j, size_t *len);

#endif /* OTA_OTA_JSON_H */
