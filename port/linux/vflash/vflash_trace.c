/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON-lines trace of a virtual flash device's operations, and its replay. */
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

int vflash_trace_attach(struct vflash *dev, struct vflash_trace *t)
{
    json_t *o;

    if (dev == NULL) {
        return BO_EINVAL;
    }
    dev->trace = t;
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

void vflash_trace_op(struct vflash *dev, const struct vflash_op *op,
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
            json_object_set_new(o, "seed", vflash_trace_seed(act->seed));
        }
        if (program) {
            vflash_trace_add_bytes(t, o, op->data, op->len);
        }
    }
    vflash_trace_emit(t, o);
}

void vflash_trace_read(struct vflash *dev, uint32_t off, uint32_t len, int rc)
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

void vflash_trace_host_write(struct vflash *dev, uint32_t off, const uint8_t *src, uint32_t len,
                             int rc)
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

void vflash_trace_power_on(struct vflash *dev)
{
    vflash_trace_emit(dev->trace, vflash_trace_line(dev->trace, "power-on"));
}

/* Replay. */

/* An unsigned 32-bit member, or false. */
static bool vflash_json_u32(const json_t *o, const char *key, uint32_t *v)
{
    const json_t *j = json_object_get(o, key);
    json_int_t i;

    if (!json_is_integer(j)) {
        return false;
    }
    i = json_integer_value(j);
    if (i < 0 || i > (json_int_t)UINT32_MAX) {
        return false;
    }
    *v = (uint32_t)i;
    return true;
}

/* An int member (a result code), or false. */
static bool vflash_json_int(const json_t *o, const char *key, int *v)
{
    const json_t *j = json_object_get(o, key);

    if (!json_is_integer(j) || json_integer_value(j) < BO_ERR_MIN_ || json_integer_value(j) > 0) {
        return false;
    }
    *v = (int)json_integer_value(j);
    return true;
}

/* Decodes "data" of exactly len bytes into a new buffer (*out, freed by the caller). */
static int vflash_json_data(const json_t *o, uint32_t len, uint8_t **out)
{
    const json_t *j = json_object_get(o, "data");
    size_t olen = 0;
    uint8_t *buf;

    *out = NULL;
    if (!json_is_string(j)) {
        return BO_EINVAL;
    }
    buf = malloc(len != 0 ? len : 1);
    if (buf == NULL) {
        return BO_ENOMEM;
    }
    if (mbedtls_base64_decode(buf, len, &olen, (const unsigned char *)json_string_value(j),
                              json_string_length(j)) != 0 ||
        olen != len) {
        free(buf);
        return BO_EINVAL;
    }
    *out = buf;
    return 0;
}

/* Checks a geometry header against the device. */
static int vflash_replay_geometry(const struct vflash *dev, const json_t *o)
{
    const char *sem = json_string_value(json_object_get(o, "semantics"));
    uint32_t size;
    uint32_t sectors;
    uint32_t wu;
    uint32_t erased;
    uint32_t page;

    if (!vflash_json_u32(o, "size", &size) || !vflash_json_u32(o, "sectors", &sectors) ||
        !vflash_json_u32(o, "write_unit", &wu) || !vflash_json_u32(o, "erased", &erased) ||
        !vflash_json_u32(o, "page", &page) || sem == NULL) {
        return BO_EINVAL;
    }
    if (size != dev->size || sectors != dev->sector_count || wu != dev->geom.write_unit ||
        erased != dev->geom.erased_val || page != dev->geom.page_size ||
        strcmp(sem, vflash_semantics_name(dev->geom.semantics)) != 0) {
        return BO_EINVAL;
    }
    return 0;
}

/* Arms the cut a traced operation line records, for the device's next operation. */
static int vflash_replay_arm(struct vflash *dev, const json_t *o, const char *fault)
{
    struct vflash_cut cut;
    const char *seed = json_string_value(json_object_get(o, "seed"));
    int model;

    memset(&cut, 0, sizeof(cut));
    cut.op_index = dev->stats.ops;
    model = vflash_cut_model_parse(json_string_value(json_object_get(o, "model")));
    if (model < 0 || !vflash_json_u32(o, "units", &cut.units) ||
        !vflash_json_u32(o, "permille", &cut.permille) || seed == NULL) {
        return BO_EINVAL;
    }
    if (strcmp(fault, "hook-cut") == 0) {
        model = VFLASH_CUT_BEFORE;
    }
    cut.model = (enum vflash_cut_model)model;
    cut.seed = strtoull(seed, NULL, 16);
    return vflash_fault_arm_cut(dev, &cut);
}

/* Replays a "program" or "erase" line. */
static int vflash_replay_op(struct vflash *dev, const json_t *o, bool program,
                            struct vflash_replay_stats *st)
{
    const char *fault = json_string_value(json_object_get(o, "fault"));
    uint8_t *data = NULL;
    uint32_t off;
    uint32_t len;
    uint32_t sector;
    int result;
    int rc;

    if (fault == NULL || !vflash_json_u32(o, "off", &off) || !vflash_json_u32(o, "len", &len) ||
        !vflash_json_u32(o, "sector", &sector) || !vflash_json_int(o, "result", &result)) {
        return BO_EINVAL;
    }
    if (strcmp(fault, "none") != 0 && strcmp(fault, "cut") != 0 && strcmp(fault, "hook-cut") != 0) {
        /* Failed or dropped: nothing of it reached flash. */
        st->skipped++;
        return 0;
    }
    if (program) {
        rc = vflash_json_data(o, len, &data);
        if (rc < 0) {
            goto out;
        }
    }
    if (strcmp(fault, "none") != 0) {
        rc = vflash_replay_arm(dev, o, fault);
        if (rc < 0) {
            goto out;
        }
        st->cuts++;
    }
    rc = program ? vflash_program(dev, off, data, len) : vflash_erase_sector(dev, sector);
    if (rc != result) {
        rc = BO_ESTATE;
        goto out;
    }
    st->applied++;
    rc = 0;
out:
    free(data);
    return rc;
}

/* Replays a "read" or "host-write" line. */
static int vflash_replay_access(struct vflash *dev, const json_t *o, bool write,
                                struct vflash_replay_stats *st)
{
    uint8_t *buf = NULL;
    uint32_t off;
    uint32_t len;
    int result;
    int rc;

    if (!vflash_json_u32(o, "off", &off) || !vflash_json_u32(o, "len", &len) ||
        !vflash_json_int(o, "result", &result)) {
        return BO_EINVAL;
    }
    if (write) {
        rc = vflash_json_data(o, len, &buf);
        if (rc < 0) {
            goto out;
        }
        rc = vflash_host_write(dev, off, buf, len);
    } else {
        buf = malloc(len != 0 ? len : 1);
        if (buf == NULL) {
            rc = BO_ENOMEM;
            goto out;
        }
        rc = vflash_read(dev, off, buf, len);
    }
    if (rc != result) {
        rc = BO_ESTATE;
        goto out;
    }
    st->applied++;
    rc = 0;
out:
    free(buf);
    return rc;
}

int vflash_trace_replay_line(struct vflash *dev, const char *line, size_t len, const char *name,
                             struct vflash_replay_stats *st)
{
    struct vflash_replay_stats dummy;
    const char *kind;
    const char *dev_name;
    json_t *o;
    int rc;

    if (st == NULL) {
        memset(&dummy, 0, sizeof(dummy));
        st = &dummy;
    }
    if (dev == NULL || line == NULL) {
        return BO_EINVAL;
    }
    st->lines++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) {
        len--;
    }
    if (len == 0) {
        return 0;
    }
    o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return BO_EINVAL;
    }
    kind = json_string_value(json_object_get(o, "kind"));
    dev_name = json_string_value(json_object_get(o, "dev"));
    if (kind == NULL) {
        rc = BO_EINVAL;
    } else if (name != NULL && (dev_name == NULL || strcmp(dev_name, name) != 0)) {
        st->skipped++;
        rc = 0;
    } else if (strcmp(kind, "geometry") == 0) {
        rc = vflash_replay_geometry(dev, o);
    } else if (strcmp(kind, "program") == 0 || strcmp(kind, "erase") == 0) {
        rc = vflash_replay_op(dev, o, kind[0] == 'p', st);
    } else if (strcmp(kind, "read") == 0 || strcmp(kind, "host-write") == 0) {
        rc = vflash_replay_access(dev, o, kind[0] == 'h', st);
    } else if (strcmp(kind, "power-on") == 0) {
        vflash_power_on(dev);
        st->applied++;
        rc = 0;
    } else {
        rc = BO_EINVAL;
    }
    json_decref(o);
    return rc;
}

int vflash_trace_replay(struct vflash *dev, FILE *fp, const char *name,
                        struct vflash_replay_stats *st, char *err, size_t err_len)
{
    struct vflash_replay_stats local;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t no = 0;
    int rc = 0;

    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    if (st == NULL) {
        st = &local;
    }
    memset(st, 0, sizeof(*st));
    if (dev == NULL || fp == NULL) {
        return BO_EINVAL;
    }
    while ((n = getline(&line, &cap, fp)) >= 0) {
        no++;
        rc = vflash_trace_replay_line(dev, line, (size_t)n, name, st);
        if (rc < 0) {
            if (err != NULL) {
                snprintf(err, err_len, "line %" PRIu64 ": %s", no,
                         rc == BO_ESTATE ? "the device's result differs from the trace"
                                         : bo_strerror(rc));
            }
            goto out;
        }
    }
    if (ferror(fp)) {
        rc = BO_EOS;
        if (err != NULL) {
            snprintf(err, err_len, "line %" PRIu64 ": read error", no + 1);
        }
    }
out:
    free(line);
    return rc;
}
