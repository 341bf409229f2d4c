/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command schemas: checking a definition when it is registered, validating a request's
 * arguments before any side effect, and describing a command for query-commands.
 */
#include <stdio.h>
#include <string.h>

#include "control/control_int.h"
#include "util/base64.h"

/* Whether s is a protocol name: [a-z0-9] words joined by single hyphens. */
static bool control_schema_name_ok(const char *s)
{
    size_t i;
    size_t n;

    if (s == NULL) {
        return false;
    }
    n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-') {
        return false;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '-' && s[i + 1] == '-') {
            return false;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return false;
        }
    }
    return true;
}

int control_schema_check(const struct control_command *cmd)
{
    const struct control_arg *a;
    const struct control_arg *b;

    if (cmd == NULL || !control_schema_name_ok(cmd->name) || cmd->handler == NULL) {
        return BO_EINVAL;
    }
    for (a = cmd->args; a != NULL && a->name != NULL; a++) {
        if (!control_schema_name_ok(a->name)) {
            return BO_EINVAL;
        }
        switch (a->type) {
        case CONTROL_ARG_STRING:
        case CONTROL_ARG_BOOL:
        case CONTROL_ARG_OBJECT:
            break;
        case CONTROL_ARG_INT:
            if (a->min > a->max) {
                return BO_EINVAL;
            }
            break;
        case CONTROL_ARG_DATA:
            if (a->max <= 0) {
                return BO_EINVAL;
            }
            break;
        case CONTROL_ARG_ENUM:
            if (a->values == NULL || a->values[0] == NULL) {
                return BO_EINVAL;
            }
            break;
        default:
            return BO_EINVAL;
        }
        for (b = cmd->args; b != a; b++) {
            if (strcmp(a->name, b->name) == 0) {
                return BO_EINVAL;
            }
        }
    }
    return 0;
}

static const char *control_schema_type_name(enum control_arg_type type)
{
    switch (type) {
    case CONTROL_ARG_STRING:
        return "string";
    case CONTROL_ARG_INT:
        return "int";
    case CONTROL_ARG_BOOL:
        return "bool";
    case CONTROL_ARG_DATA:
        return "data";
    case CONTROL_ARG_ENUM:
        return "enum";
    case CONTROL_ARG_OBJECT:
        return "object";
    }
    return "unknown";
}

/* The JSON type of v in words, for error messages. */
static const char *control_schema_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Describes a value not among an enum argument's: "'torn' is not one of: before, after, ...". */
static void control_schema_enum_error(const struct control_arg *a, const char *value, char *desc,
                                      size_t desc_len)
{
    const char *const *e;
    size_t n =
        (size_t)snprintf(desc, desc_len, "argument '%s': '%.64s' is not one of:", a->name, value);

    for (e = a->values; *e != NULL && n < desc_len; e++) {
        n += (size_t)snprintf(desc + n, desc_len - n, "%s %s", e == a->values ? "" : ",", *e);
    }
}

/* Checks one present argument against its definition. */
static int control_schema_value(const struct control_arg *a, const json_t *v, char *desc,
                                size_t desc_len)
{
    const char *const *e;
    long long n;

    switch (a->type) {
    case CONTROL_ARG_STRING:
        if (!json_is_string(v)) {
            break;
        }
        if (a->max > 0 && json_string_length(v) > (size_t)a->max) {
            snprintf(desc, desc_len, "argument '%s': longer than %lld bytes", a->name, a->max);
            return BO_EINVAL;
        }
        return 0;
    case CONTROL_ARG_INT:
        if (!json_is_integer(v)) {
            break;
        }
        n = json_integer_value(v);
        if (n < a->min || n > a->max) {
            snprintf(desc, desc_len, "argument '%s': %lld is outside [%lld, %lld]", a->name, n,
                     a->min, a->max);
            return BO_EINVAL;
        }
        return 0;
    case CONTROL_ARG_BOOL:
        if (!json_is_boolean(v)) {
            break;
        }
        return 0;
    case CONTROL_ARG_DATA:
        if (!json_is_string(v)) {
            break;
        }
        n = base64_decoded_len(json_string_value(v), json_string_length(v));
        if (n < 0) {
            snprintf(desc, desc_len, "argument '%s': not valid base64", a->name);
            return BO_EINVAL;
        }
        if (n > a->max) {
            snprintf(desc, desc_len, "argument '%s': %lld bytes, more than the %lld allowed",
                     a->name, n, a->max);
            return BO_EINVAL;
        }
        return 0;
    case CONTROL_ARG_ENUM:
        if (!json_is_string(v)) {
            break;
        }
        for (e = a->values; *e != NULL; e++) {
            if (strlen(*e) == json_string_length(v) && strcmp(*e, json_string_value(v)) == 0) {
                return 0;
            }
        }
        control_schema_enum_error(a, json_string_value(v), desc, desc_len);
        return BO_EINVAL;
    case CONTROL_ARG_OBJECT:
        if (!json_is_object(v)) {
            break;
        }
        return 0;
    }
    snprintf(desc, desc_len, "argument '%s': expected %s, got %s", a->name,
             a->type == CONTROL_ARG_INT      ? "an integer"
             : a->type == CONTROL_ARG_BOOL   ? "a boolean"
             : a->type == CONTROL_ARG_OBJECT ? "an object"
             : a->type == CONTROL_ARG_DATA   ? "a base64 string"
                                             : "a string",
             control_schema_json_type(v));
    return BO_EINVAL;
}

int control_schema_validate(const struct control_arg *schema, const json_t *args, char *desc,
                            size_t desc_len)
{
    const struct control_arg *a;
    const char *key;
    json_t *v;

    if (!json_is_object(args)) {
        snprintf(desc, desc_len, "'arguments' must be an object");
        return BO_EINVAL;
    }
    /* Unknown keys first, so that a misspelt optional argument is never silently ignored. */
    json_object_foreach((json_t *)args, key, v)
    {
        for (a = schema; a != NULL && a->name != NULL; a++) {
            if (strcmp(a->name, key) == 0) {
                break;
            }
        }
        if (a == NULL || a->name == NULL) {
            snprintf(desc, desc_len, "unknown argument '%.64s'", key);
            return BO_EINVAL;
        }
    }
    for (a = schema; a != NULL && a->name != NULL; a++) {
        v = json_object_get(args, a->name);
        if (v == NULL) {
            if (a->required) {
                snprintf(desc, desc_len, "missing argument '%s'", a->name);
                return BO_EINVAL;
            }
            continue;
        }
        if (control_schema_value(a, v, desc, desc_len) < 0) {
            return BO_EINVAL;
        }
    }
    return 0;
}

json_t *control_schema_describe(const struct control_command *cmd)
{
    const struct control_arg *a;
    const char *const *e;
    json_t *list = json_array();
    json_t *out = NULL;

    if (list == NULL) {
        return NULL;
    }
    for (a = cmd->args; a != NULL && a->name != NULL; a++) {
        json_t *d = json_pack("{s:s, s:s, s:b}", "name", a->name, "type",
                              control_schema_type_name(a->type), "required", a->required);
        int rc = 0;

        if (d == NULL) {
            goto out;
        }
        if (a->type == CONTROL_ARG_INT) {
            rc |= json_object_set_new(d, "min", json_integer(a->min));
            rc |= json_object_set_new(d, "max", json_integer(a->max));
        } else if (a->type == CONTROL_ARG_STRING && a->max > 0) {
            rc |= json_object_set_new(d, "max-length", json_integer(a->max));
        } else if (a->type == CONTROL_ARG_DATA) {
            rc |= json_object_set_new(d, "max-size", json_integer(a->max));
        } else if (a->type == CONTROL_ARG_ENUM) {
            json_t *vals = json_array();

            for (e = a->values; vals != NULL && *e != NULL; e++) {
                rc |= json_array_append_new(vals, json_string(*e));
            }
            rc |= json_object_set_new(d, "values", vals);
        }
        if (a->help != NULL) {
            rc |= json_object_set_new(d, "help", json_string(a->help));
        }
        if (rc != 0) {
            json_decref(d);
            goto out;
        }
        if (json_array_append_new(list, d) != 0) {
            goto out;
        }
    }
    out = json_pack("{s:s, s:s, s:O}", "name", cmd->name, "help",
                    cmd->help != NULL ? cmd->help : "", "arguments", list);
out:
    json_decref(list);
    return out;
}
