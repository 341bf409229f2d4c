/* SPDX-License-Identifier: Apache-2.0 */
/* The replay of a virtual flash device's operation trace (vflash_trace.h has the format). */
#include "vflash/vflash_replay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/base64.h>

#include "bo_err.h"
#include "vflash/vflash_fault.h"

/* An unsigned 32-bit member, or false. */
static bool vflash_replay_u32(const json_t *o, const char *key, uint32_t *v)
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
static bool vflash_replay_int(const json_t *o, const char *key, int *v)
{
    const json_t *j = json_object_get(o, key);

    if (!json_is_integer(j) || json_integer_value(j) < BO_ERR_MIN_ || json_integer_value(j) > 0) {
        return false;
    }
    *v = (int)json_integer_value(j);
    return true;
}

/* Decodes "data" of exactly len bytes into a new buffer (*out, freed by the caller). */
static int vflash_replay_data(const json_t *o, uint32_t len, uint8_t **out)
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

    if (!vflash_replay_u32(o, "size", &size) || !vflash_replay_u32(o, "sectors", &sectors) ||
        !vflash_replay_u32(o, "write_unit", &wu) || !vflash_replay_u32(o, "erased", &erased) ||
        !vflash_replay_u32(o, "page", &page) || sem == NULL) {
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
    if (model < 0 || !vflash_replay_u32(o, "units", &cut.units) ||
        !vflash_replay_u32(o, "permille", &cut.permille) || seed == NULL) {
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

    if (fault == NULL || !vflash_replay_u32(o, "off", &off) || !vflash_replay_u32(o, "len", &len) ||
        !vflash_replay_u32(o, "sector", &sector) || !vflash_replay_int(o, "result", &result)) {
        return BO_EINVAL;
    }
    if (strcmp(fault, "none") != 0 && strcmp(fault, "cut") != 0 && strcmp(fault, "hook-cut") != 0) {
        /* Failed or dropped: nothing of it reached flash. */
        st->skipped++;
        return 0;
    }
    if (program) {
        rc = vflash_replay_data(o, len, &data);
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

    if (!vflash_replay_u32(o, "off", &off) || !vflash_replay_u32(o, "len", &len) ||
        !vflash_replay_int(o, "result", &result)) {
        return BO_EINVAL;
    }
    if (write) {
        rc = vflash_replay_data(o, len, &buf);
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

int vflash_replay_line(struct vflash *dev, const char *line, size_t len, const char *name,
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

int vflash_replay(struct vflash *dev, FILE *fp, const char *name, struct vflash_replay_stats *st,
                  char *err, size_t err_len)
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
        rc = vflash_replay_line(dev, line, (size_t)n, name, st);
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
