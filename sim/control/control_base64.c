/* SPDX-License-Identifier: Apache-2.0 */
/* The binary arguments and results of the control protocol, as strict base64 (util/base64). */
#include <stdlib.h>
#include <string.h>

#include "control/control_int.h"
#include "util/base64.h"

int control_arg_data(const json_t *args, const char *name, uint8_t **out, size_t *len)
{
    const json_t *v = json_object_get(args, name);
    const char *text;
    size_t text_len;
    long long n;
    uint8_t *buf;

    *out = NULL;
    *len = 0;
    if (v == NULL) {
        return BO_ENOENT;
    }
    if (!json_is_string(v)) {
        return BO_EINVAL;
    }
    text = json_string_value(v);
    text_len = json_string_length(v);
    n = base64_decoded_len(text, text_len);
    if (n < 0) {
        return BO_EINVAL;
    }
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) {
        return BO_ENOMEM;
    }
    (void)base64_decode(text, text_len, buf);
    *out = buf;
    *len = (size_t)n;
    return 0;
}

json_t *control_data_json(const void *buf, size_t len)
{
    char *text = base64_encode(buf, len);
    json_t *s;

    if (text == NULL) {
        return NULL;
    }
    s = json_string(text);
    free(text);
    return s;
}
