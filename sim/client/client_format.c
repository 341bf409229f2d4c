/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Human-readable output of the brownout CLI. --json bypasses all of this and prints the values
 * as they came.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client_format.h"

#define CLIENT_FORMAT_CELL_MAX 48

/* A scalar as text (strings without quotes); objects and arrays as compact JSON. */
static char *client_format_scalar(const json_t *v)
{
    char buf[64];

    switch (json_typeof(v)) {
    case JSON_STRING:
        return strdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    case JSON_REAL:
        snprintf(buf, sizeof(buf), "%g", json_real_value(v));
        return strdup(buf);
    case JSON_TRUE:
        return strdup("yes");
    case JSON_FALSE:
        return strdup("no");
    case JSON_NULL:
        return strdup("-");
    default:
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

static void client_format_tree(FILE *out, const json_t *v, int indent);

static void client_format_pair(FILE *out, const char *key, const json_t *v, int indent)
{
    char *text;

    if ((json_is_object(v) && json_object_size(v) > 0) ||
        (json_is_array(v) && json_array_size(v) > 0)) {
        fprintf(out, "%*s%s:\n", indent, "", key);
        client_format_tree(out, v, indent + 2);
        return;
    }
    text = client_format_scalar(v);
    fprintf(out, "%*s%s: %s\n", indent, "", key, text != NULL ? text : "?");
    free(text);
}

static void client_format_tree(FILE *out, const json_t *v, int indent)
{
    const char *key;
    json_t *item;
    size_t i;
    char label[32];

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, item)
        {
            client_format_pair(out, key, item, indent);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            snprintf(label, sizeof(label), "[%zu]", i);
            client_format_pair(out, label, item, indent);
        }
    } else {
        char *text = client_format_scalar(v);

        fprintf(out, "%*s%s\n", indent, "", text != NULL ? text : "?");
        free(text);
    }
}

/* An array of objects as a table whose columns are the keys of the first row. */
static void client_format_table(FILE *out, const json_t *rows)
{
    const json_t *first = json_array_get(rows, 0);
    size_t ncol = json_object_size(first);
    size_t *width = calloc(ncol > 0 ? ncol : 1, sizeof(*width));
    const char *key;
    json_t *cell;
    json_t *row;
    size_t i;
    size_t c;

    if (width == NULL) {
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        c = 0;
        json_object_foreach((json_t *)first, key, cell)
        {
            if (pass == 0) {
                width[c] = strlen(key);
            } else {
                fprintf(out, "%-*s%s", c + 1 < ncol ? (int)width[c] : 0, key,
                        c + 1 < ncol ? "  " : "\n");
            }
            c++;
        }
        json_array_foreach(rows, i, row)
        {
            c = 0;
            json_object_foreach((json_t *)first, key, cell)
            {
                json_t *v = json_object_get(row, key);
                char *text = v != NULL ? client_format_scalar(v) : strdup("-");
                size_t n = text != NULL ? strlen(text) : 1;

                if (n > CLIENT_FORMAT_CELL_MAX) {
                    n = CLIENT_FORMAT_CELL_MAX;
                }
                if (pass == 0 && n > width[c]) {
                    width[c] = n;
                } else if (pass == 1) {
                    /* The last column is not padded: no trailing blanks. */
                    fprintf(out, "%-*.*s%s", c + 1 < ncol ? (int)width[c] : 0, (int)n,
                            text != NULL ? text : "?", c + 1 < ncol ? "  " : "\n");
                }
                free(text);
                c++;
            }
        }
    }
    free(width);
}

void client_format_value(FILE *out, const json_t *value)
{
    size_t i;
    json_t *row;
    bool table = json_is_array(value) && json_array_size(value) > 0;

    if (value == NULL || (json_is_object(value) && json_object_size(value) == 0)) {
        fprintf(out, "ok\n");
        return;
    }
    json_array_foreach(value, i, row)
    {
        if (!json_is_object(row) || json_object_size(row) == 0) {
            table = false;
        }
    }
    if (table) {
        client_format_table(out, value);
        return;
    }
    client_format_tree(out, value, 0);
}

void client_format_event(FILE *out, const json_t *event)
{
    const json_t *ts = json_object_get(event, "timestamp");
    const json_t *data = json_object_get(event, "data");
    time_t sec = (time_t)json_integer_value(json_object_get(ts, "seconds"));
    long usec = (long)json_integer_value(json_object_get(ts, "microseconds"));
    const char *key;
    json_t *v;
    struct tm tm;
    char when[32] = "--:--:--";

    if (localtime_r(&sec, &tm) != NULL) {
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
    }
    fprintf(out, "%s.%03ld %s", when, usec / 1000,
            json_string_value(json_object_get(event, "event")) != NULL
                ? json_string_value(json_object_get(event, "event"))
                : "?");
    json_object_foreach((json_t *)data, key, v)
    {
        char *text = client_format_scalar(v);

        fprintf(out, " %s=%s", key, text != NULL ? text : "?");
        free(text);
    }
    fprintf(out, "\n");
}

void client_format_error(FILE *out, const json_t *reply)
{
    const json_t *err = json_object_get(reply, "error");
    const char *cls = json_string_value(json_object_get(err, "class"));
    const char *desc = json_string_value(json_object_get(err, "desc"));

    fprintf(out, "brownout: %s: %s\n", cls != NULL ? cls : "Error",
            desc != NULL ? desc : "(no description)");
}
