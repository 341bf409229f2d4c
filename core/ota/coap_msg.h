/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file coap_msg.h
 * \brief CoAP messages (RFC 7252 section 3): parsing a datagram into a read-only view, iterating
 *        its options, and serialising a message into a caller's buffer.
 *
 * Nothing is copied or allocated: a parsed struct coap_msg points into the datagram, which must
 * outlive it. The parser accepts only well-formed messages: version 1, a token of at most 8
 * bytes, options whose delta and length (with their 13/14 extended forms) lie inside the
 * datagram, no reserved nibble 15 inside an option header, option numbers that stay below
 * 65536, a payload marker only when a payload follows it, and an empty message (code 0.00)
 * with neither token, options nor payload.
 */
#ifndef OTA_COAP_MSG_H
#define OTA_COAP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes of the fixed header. */
#define COAP_HEADER_SIZE 4u
/** Longest token. */
#define COAP_TOKEN_MAX 8u
/** The byte that separates the options from the payload. */
#define COAP_PAYLOAD_MARKER 0xffu

/** Message types. */
enum coap_type {
    COAP_TYPE_CON = 0,
    COAP_TYPE_NON = 1,
    COAP_TYPE_ACK = 2,
    COAP_TYPE_RST = 3,
};

/** Builds a code from its class and detail, as in "4.04". */
#define COAP_CODE(c, d) ((uint8_t)(((c) << 5) | (d)))
/** The class of a code (0 request, 2 success, 4 client error, 5 server error). */
#define COAP_CODE_CLASS(code) ((uint8_t)((code) >> 5))

/** Codes used by brownout. */
enum coap_code {
    COAP_CODE_EMPTY = COAP_CODE(0, 0),
    COAP_GET = COAP_CODE(0, 1),
    COAP_POST = COAP_CODE(0, 2),
    COAP_PUT = COAP_CODE(0, 3),
    COAP_DELETE = COAP_CODE(0, 4),
    COAP_CREATED = COAP_CODE(2, 1),
    COAP_DELETED = COAP_CODE(2, 2),
    COAP_VALID = COAP_CODE(2, 3),
    COAP_CHANGED = COAP_CODE(2, 4),
    COAP_CONTENT = COAP_CODE(2, 5),
    COAP_CONTINUE = COAP_CODE(2, 31),
    COAP_BAD_REQUEST = COAP_CODE(4, 0),
    COAP_UNAUTHORIZED = COAP_CODE(4, 1),
    COAP_BAD_OPTION = COAP_CODE(4, 2),
    COAP_FORBIDDEN = COAP_CODE(4, 3),
    COAP_NOT_FOUND = COAP_CODE(4, 4),
    COAP_METHOD_NOT_ALLOWED = COAP_CODE(4, 5),
    COAP_NOT_ACCEPTABLE = COAP_CODE(4, 6),
    COAP_REQUEST_ENTITY_INCOMPLETE = COAP_CODE(4, 8),
    COAP_PRECONDITION_FAILED = COAP_CODE(4, 12),
    COAP_REQUEST_ENTITY_TOO_LARGE = COAP_CODE(4, 13),
    COAP_UNSUPPORTED_CONTENT_FORMAT = COAP_CODE(4, 15),
    COAP_INTERNAL_SERVER_ERROR = COAP_CODE(5, 0),
    COAP_NOT_IMPLEMENTED = COAP_CODE(5, 1),
    COAP_SERVICE_UNAVAILABLE = COAP_CODE(5, 3),
    COAP_PROXYING_NOT_SUPPORTED = COAP_CODE(5, 5),
};

/** Option numbers (RFC 7252 section 5.10, RFC 7959 section 2.1). */
enum coap_option {
    COAP_OPT_IF_MATCH = 1,
    COAP_OPT_URI_HOST = 3,
    COAP_OPT_ETAG = 4,
    COAP_OPT_IF_NONE_MATCH = 5,
    COAP_OPT_OBSERVE = 6,
    COAP_OPT_URI_PORT = 7,
    COAP_OPT_LOCATION_PATH = 8,
    COAP_OPT_URI_PATH = 11,
    COAP_OPT_CONTENT_FORMAT = 12,
    COAP_OPT_MAX_AGE = 14,
    COAP_OPT_URI_QUERY = 15,
    COAP_OPT_ACCEPT = 17,
    COAP_OPT_LOCATION_QUERY = 20,
    COAP_OPT_BLOCK2 = 23,
    COAP_OPT_BLOCK1 = 27,
    COAP_OPT_SIZE2 = 28,
    COAP_OPT_PROXY_URI = 35,
    COAP_OPT_PROXY_SCHEME = 39,
    COAP_OPT_SIZE1 = 60,
};

/** Content-Format values. */
enum coap_content_format {
    COAP_CF_TEXT_PLAIN = 0,
    COAP_CF_LINK_FORMAT = 40,
    COAP_CF_OCTET_STREAM = 42,
    COAP_CF_JSON = 50,
    COAP_CF_NONE = 0xffff, /**< Not a value: the option is absent. */
};

/** A parsed message: a view into the datagram. */
struct coap_msg {
    uint8_t type;                  /**< enum coap_type. */
    uint8_t code;                  /**< enum coap_code or any other code. */
    uint16_t mid;                  /**< Message ID. */
    uint8_t tkl;                   /**< Token length, 0..8. */
    uint8_t token[COAP_TOKEN_MAX]; /**< The token (a copy: it is echoed in replies). */
    const uint8_t *opts;           /**< The encoded options. */
    size_t opts_len;
    const uint8_t *payload; /**< NULL when there is no payload. */
    size_t payload_len;
};

/** One option, its value pointing into the datagram. */
struct coap_opt {
    uint16_t num;
    uint16_t len;
    const uint8_t *val;
};

/** An iterator over the options of a parsed message. */
struct coap_msg_opt_iter {
    const uint8_t *p;
    const uint8_t *end;
    uint32_t num;
};

/**
 * \brief Reads only the fixed header (for replying RST to a message that does not parse).
 * \return 0 with type, code, mid and tkl set; BO_EPROTO when the datagram is shorter than 4
 *         bytes or not version 1; BO_EINVAL for NULL arguments.
 */
int coap_msg_peek(struct coap_msg *m, const uint8_t *buf, size_t len);

/**
 * \brief Parses a datagram.
 * \param m    Filled on success (and partly on failure; do not use it then).
 * \param buf  The datagram; it must outlive m.
 * \param len  Its length.
 * \return 0; BO_EPROTO for a message format error (any of the rules in the file comment);
 *         BO_EINVAL for NULL arguments.
 */
int coap_msg_parse(struct coap_msg *m, const uint8_t *buf, size_t len);

/** \brief Whether a parsed message is a request (code class 0, code not 0.00). */
bool coap_msg_is_request(const struct coap_msg *m);

/** \brief Starts an iteration over the options of m, in order. */
void coap_msg_opt_begin(struct coap_msg_opt_iter *it, const struct coap_msg *m);

/**
 * \brief The next option.
 * \return 1 with *opt filled; 0 at the end; BO_EPROTO when the options are malformed (never
 *         for a message coap_msg_parse() accepted).
 */
int coap_msg_opt_next(struct coap_msg_opt_iter *it, struct coap_opt *opt);

/**
 * \brief Finds the first option num of m.
 * \return 1 with *opt filled; 0 when absent.
 */
int coap_msg_find_opt(const struct coap_msg *m, uint16_t num, struct coap_opt *opt);

/** \brief How many times option num occurs in m. */
uint32_t coap_msg_count_opt(const struct coap_msg *m, uint16_t num);

/**
 * \brief Decodes an unsigned-integer option value (big-endian, 0..4 bytes).
 * \return 0 with *v set; BO_EINVAL when the value is longer than 4 bytes.
 */
int coap_msg_opt_uint(const struct coap_opt *opt, uint32_t *v);

/**
 * \brief Whether option num is critical (odd numbers, RFC 7252 section 5.4.1).
 */
static inline bool coap_msg_opt_critical(uint16_t num)
{
    return (num & 1u) != 0;
}

/** A message being serialised. Errors are sticky: check err (or the last return) at the end. */
struct coap_msg_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    uint16_t last_opt; /**< Number of the last option written. */
    bool payload;      /**< The payload was written: nothing may follow. */
    int err;           /**< 0 or the first error. */
};

/**
 * \brief Starts a message: header and token.
 * \return 0; BO_EINVAL for a token longer than 8 bytes, a type above 3 or NULL arguments;
 *         BO_ERANGE when the buffer is too small.
 */
int coap_msg_write_init(struct coap_msg_writer *w, uint8_t *buf, size_t cap, uint8_t type,
                        uint8_t code, uint16_t mid, const uint8_t *token, uint8_t tkl);

/**
 * \brief Appends an option. Options must come in non-decreasing number order.
 * \return 0; BO_EINVAL for an option out of order, after the payload, or longer than 65535 +
 *         269 bytes; BO_ERANGE when it does not fit; or an earlier error.
 */
int coap_msg_write_opt(struct coap_msg_writer *w, uint16_t num, const void *val, size_t len);

/** \brief Appends an unsigned-integer option in its shortest form (0 is zero-length). */
int coap_msg_write_opt_uint(struct coap_msg_writer *w, uint16_t num, uint32_t v);

/** \brief Appends a string option (NUL-terminated). */
int coap_msg_write_opt_str(struct coap_msg_writer *w, uint16_t num, const char *s);

/**
 * \brief Appends the payload marker and the payload; a zero-length payload writes nothing.
 * \return 0; BO_ERANGE when it does not fit; BO_EINVAL when a payload was already written.
 */
int coap_msg_write_payload(struct coap_msg_writer *w, const void *data, size_t len);

/**
 * \brief Finishes the message.
 * \return 0 with *len set to the message's length, or the first error.
 */
int coap_msg_write_finish(const struct coap_msg_writer *w, size_t *len);

#endif /* OTA_COAP_MSG_H */
