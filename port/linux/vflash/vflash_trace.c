/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON-lines trace of a virtual flash device's operations (its replay: vflash_replay.c). */
#include "vflash/vflash_trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include "bo_err.h"

void vflash_trace_init(struct vflash_trace *t)
{
    memset(t, 0, sizeof(*t));
}

int vflash_trace_setup(struct vflash_trace *t, FILE *fp, vflash_trace_fn fn, void *arg,
                       unsigned flags, const char *name)
{
    if (t == NULL || (fp == NULL) == (fn == NULL)) {
        return BO_EINVAL;
    }
    if (name != NULL && strlen(name) >= sizeof(t->name)) {
        return BO_EINVAL;
    }
    vflash_trace_init(t);
    t->fp = fp;
    t->fn = fn;
    t->arg = arg;
    t->flags = flags;
    if (name != NULL) {
        strcpy(t->name, name);
    }
    return 0;
}

/* A new line object: "dev" (when named) and "kind" first. */
static json_t *vflash_trace_line(const struct vflash_trace *t, const char *kind)
{
    json_t *o = json_object();

    if (o == NULL) {
        return NULL;
    }
    if (t->name[0] != '\0') {
        json_object_set_new(o, "dev", json_string(t->name));
    }
    json_object_set_new(o, "kind", json_string(kind));
    return o;
}

/* Writes and frees a line object. */
static void vflash_trace_emit(struct vflash_trace *t, json_t *o)
{
    char *text;
    size_t len;
    int rc = 0;

    if (o == NULL) {
        if (t->error == 0) {
            t->error = BO_ENOMEM;
        }
        return;
    }
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    if (t->error != 0) {
        goto out;
    }
    len = strlen(text);
    if (t->fp != NULL) {
        if (fwrite(text, 1, len, t->fp) != len || fputc('\n', t->fp) == EOF) {
            rc = BO_EOS;
        }
    } else {
        rc = t->fn(t->arg, text, len);
    }
    if (rc == 0) {
        t->lines++;
    }
out:
    if (rc < 0 && t->error == 0) {
        t->error = rc;
    }
    free(text);
}

/* Adds the bytes as "data" (base64) or "sha256" (hex), as the flags say. */
static void vflash_trace_add_bytes(const struct vflash_trace *t, json_t *o, const uint8_t *p,
                                   uint32_t len)
{
    if (t->flags & VFLASH_TRACE_DATA) {
        size_t need = 0;
        char *b64;

        mbedtls_base64_encode(NULL, 0, &need, p, len);
        b64 = malloc(need + 1);
        if (b64 == NULL) {
            json_object_set_new(o, "data", json_null());
            return;
        }
        if (mbedtls_base64_encode((unsigned char *)b64, need + 1, &need, p, len) == 0) {
            json_object_set_new(o, "data", json_stringn(b64, need));
        }
        free(b64);
    } else {
        uint8_t sum[32];
        char hex[65];

        mbedtls_sha256(p, len, sum, 0);
        for (int i = 0; i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", sum[i]);
        }
        json_object_set_new(o, "sha256", json_string(hex));
    }
}

static json_t *vflash_trace_seed(uint64_t seed)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "0x%016" PRIx64, seed);
    return json_string(buf);
}

/* The observer's op: traces one operation and what the fault layer did to it. */
static void vflash_trace_op(struct vflash *dev, const struct vflash_op *op,
                            const struct vflash_fault_action *act, int rc)
{
    struct vflash_trace *t = dev->trace;
    bool program = op->kind == VFLASH_OP_PROGRAM;
    json_t *o = vflash_trace_line(t, program ? "program" : "erase");

    if (o != NULL) {
        json_object_set_new(o, "op", json_integer((json_int_t)op->index));
        json_object_set_new(o, "sector", json_integer(op->sector));
        json_object_set_new(o, "off", json_integer(op->off));
        json_object_set_new(o, "len", json_integer(op->len));
        json_object_set_new(o, "result", json_integer(rc));
        json_object_set_new(o, "fault", json_string(vflash_fault_kind_name(act->kind)));
        if (act->kind == VFLASH_FAULT_CUT || act->kind == VFLASH_FAULT_HOOK_CUT) {
            json_object_set_new(o, "model", json_string(vflash_cut_model_name(act->model)));
            json_object_set_new(o, "units", json_integer(act->units));
            json_object_set_new(o, "permille", json_integer(act->permille));
            if (act->level != 0) {
                /* Only a --levels cut: older traces stay the same. */
                json_object_set_new(o, "level", json_integer(act->level));
            }
            json_object_set_new(o, "seed", vflash_trace_seed(act->seed));
        }
        if (program) {
            vflash_trace_add_bytes(t, o, op->data, op->len);
        }
    }
    vflash_trace_emit(t, o);
}

/* The observer's read: traces a read call (only with VFLASH_TRACE_READS). */
static void vflash_trace_read(struct vflash *dev, uint32_t off, uint32_t len, int rc)
{
    struct vflash_trace *t = dev->trace;
    json_t *o;

    if ((t->flags & VFLASH_TRACE_READS) == 0) {
        return;
    }
    o = vflash_trace_line(t, "read");
    if (o != NULL) {
        json_object_set_new(o, "off", json_integer(off));
        json_object_set_new(o, "len", json_integer(len));
        json_object_set_new(o, "result", json_integer(rc));
    }
    vflash_trace_emit(t, o);
}

/* The observer's host_write: traces a host write and its bytes. */
static void vflash_trace_host_write(struct vflash *dev, uint32_t off, const uint8_t *src,
                                    uint32_t len, int rc)
{
    struct vflash_trace *t = dev->trace;
    json_t *o = vflash_trace_line(t, "host-write");

    if (o != NULL) {
        json_object_set_new(o, "off", json_integer(off));
        json_object_set_new(o, "len", json_integer(len));
        json_object_set_new(o, "result", json_integer(rc));
        vflash_trace_add_bytes(t, o, src, len);
    }
    vflash_trace_emit(t, o);
}

/* The observer's power_on: traces a power-on. */
static void vflash_trace_power_on(struct vflash *dev)
{
    vflash_trace_emit(dev->trace, vflash_trace_line(dev->trace, "power-on"));
}

/* What the trace observes of a device (installed by vflash_trace_attach()). */
static const struct vflash_observer vflash_trace_observer = {
    .op = vflash_trace_op,
    .read = vflash_trace_read,
    .host_write = vflash_trace_host_write,
    .power_on = vflash_trace_power_on,
};

int vflash_trace_attach(struct vflash *dev, struct vflash_trace *t)
{
    json_t *o;

    if (dev == NULL) {
        return BO_EINVAL;
    }
    dev->trace = t;
    dev->observer = t == NULL ? NULL : &vflash_trace_observer;
    if (t == NULL) {
        return 0;
    }
    o = vflash_trace_line(t, "geometry");
    if (o != NULL) {
        json_object_set_new(o, "size", json_integer(dev->size));
        json_object_set_new(o, "sectors", json_integer(dev->sector_count));
        json_object_set_new(o, "write_unit", json_integer(dev->geom.write_unit));
        json_object_set_new(o, "erased", json_integer(dev->geom.erased_val));
        json_object_set_new(o, "semantics",
                            json_string(vflash_semantics_name(dev->geom.semantics)));
        json_object_set_new(o, "page", json_integer(dev->geom.page_size));
    }
    vflash_trace_emit(t, o);
    return t->error;
}
