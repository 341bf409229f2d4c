/* SPDX-License-Identifier: Apache-2.0 */
/* Non-cut flash faults handed by brownoutd to each firmware run (see fw_fault.h). */
#include "fw/fw_fault.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "vflash/vflash_fault.h"

/* The endurance a worn-out region's device gets: far above the erases of any run. */
#define FW_FAULT_ENDURANCE 0x40000000u

static const char *const fw_fault_names[FW_FAULT_KINDS] = { "errors", "drop", "bitflip",
                                                            "wearout" };

const char *fw_fault_kind_name(uint8_t kind)
{
    return kind < FW_FAULT_KINDS ? fw_fault_names[kind] : "unknown";
}

int fw_fault_kind_parse(const char *name)
{
    int i;

    for (i = 0; name != NULL && i < FW_FAULT_KINDS; i++) {
        if (strcmp(name, fw_fault_names[i]) == 0) {
            return i;
        }
    }
    return BO_EINVAL;
}

int fw_fault_format(const struct fw_fault *f, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%u,%s,%u,%u,%u,%u,%" PRIu64, (unsigned)f->flash,
                     fw_fault_kind_name(f->kind), (unsigned)f->off, (unsigned)f->len,
                     (unsigned)f->rate, (unsigned)f->erases, f->seed);

    return n < 0 || (size_t)n >= len ? BO_ERANGE : 0;
}

int fw_fault_parse(const char *s, struct fw_fault *f)
{
    char kind[16];
    unsigned flash;
    unsigned off;
    unsigned len;
    unsigned rate;
    unsigned erases;
    uint64_t seed;
    int end = 0;
    int k;

    memset(f, 0, sizeof(*f));
    if (sscanf(s, "%u,%15[a-z],%u,%u,%u,%u,%" SCNu64 "%n", &flash, kind, &off, &len, &rate, &erases,
               &seed, &end) != 7 ||
        s[end] != '\0' || flash >= BOARD_MAX_DEVICES || rate == 0) {
        return BO_EINVAL;
    }
    k = fw_fault_kind_parse(kind);
    if (k < 0) {
        return BO_EINVAL;
    }
    f->flash = flash;
    f->kind = (uint8_t)k;
    f->off = off;
    f->len = len;
    f->rate = rate;
    f->erases = erases;
    f->seed = seed;
    return 0;
}

/* Wears out every sector of the region: each survives f->erases more erases in this run. */
static int fw_fault_wear(struct vflash *dev, const struct fw_fault *f, uint32_t end)
{
    uint32_t s;
    int rc = 0;

    vflash_set_endurance(dev, FW_FAULT_ENDURANCE);
    for (s = 0; s < dev->sector_count && rc == 0; s++) {
        const struct vflash_sector *sec = &dev->sectors[s];

        if (sec->off < end && f->off < sec->off + sec->size) {
            rc = vflash_set_sector_wear(dev, s, (uint64_t)FW_FAULT_ENDURANCE - f->erases);
        }
    }
    return rc;
}

int fw_fault_apply(struct vflash *const *devs, uint32_t ndev, const struct fw_fault *f,
                   size_t count)
{
    struct vflash_fault_config cfg[BOARD_MAX_DEVICES];
    bool used[BOARD_MAX_DEVICES] = { false };
    size_t i;
    int rc = 0;

    memset(cfg, 0, sizeof(cfg));
    for (i = 0; i < count && rc == 0; i++) {
        struct vflash_fault_rate r = { f[i].off, f[i].len, f[i].rate };
        struct vflash *dev = f[i].flash < ndev ? devs[f[i].flash] : NULL;
        uint32_t end = f[i].len == 0 ? (dev != NULL ? dev->size : 0) : f[i].off + f[i].len;

        if (dev == NULL || f[i].off >= dev->size || end > dev->size || end < f[i].off) {
            return BO_EINVAL;
        }
        used[f[i].flash] = true;
        cfg[f[i].flash].seed = f[i].seed;
        switch (f[i].kind) {
        case FW_FAULT_ERRORS:
            cfg[f[i].flash].program_error = r;
            cfg[f[i].flash].erase_error = r;
            break;
        case FW_FAULT_DROP:
            cfg[f[i].flash].drop = r;
            break;
        case FW_FAULT_BITFLIP:
            cfg[f[i].flash].read_flip = r;
            break;
        default:
            rc = fw_fault_wear(dev, &f[i], end);
            break;
        }
    }
    for (i = 0; i < ndev && i < BOARD_MAX_DEVICES && rc == 0; i++) {
        if (used[i]) {
            rc = vflash_fault_configure(devs[i], &cfg[i]);
        }
    }
    return rc;
}

/* A draw in [0, 2^64) for a chunk of a host write: splitmix64 of the seed and the offset. */
static uint64_t fw_fault_draw(uint64_t seed, uint32_t off)
{
    uint64_t x = seed + 0x9e3779b97f4a7c15ull * ((uint64_t)off + 1);

    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Whether [off, off + len) overlaps fault f's region on a device of `size` bytes. */
static bool fw_fault_overlaps(const struct fw_fault *f, uint32_t size, uint32_t off, uint32_t len)
{
    uint64_t end = f->len == 0 ? size : (uint64_t)f->off + f->len;

    return len > 0 && off < end && f->off < (uint64_t)off + len;
}

int fw_fault_host_write(struct vflash *vf, uint32_t flash, const struct fw_fault *f, size_t count,
                        uint32_t off, const uint8_t *buf, uint32_t len)
{
    uint32_t chunk = vf->geom.page_size != 0 ? vf->geom.page_size : vf->geom.write_unit;
    uint8_t *copy = NULL;
    uint32_t at;
    size_t i;
    int rc;

    for (i = 0; i < count; i++) {
        if (f[i].flash != flash || !fw_fault_overlaps(&f[i], vf->size, off, len)) {
            continue;
        }
        if (f[i].kind == FW_FAULT_ERRORS || (f[i].kind == FW_FAULT_WEAROUT && f[i].erases == 0)) {
            free(copy);
            return BO_EIO;
        }
        if (f[i].kind != FW_FAULT_DROP) {
            continue;
        }
        if (copy == NULL) {
            copy = malloc(len);
            if (copy == NULL) {
                return BO_ENOMEM;
            }
            memcpy(copy, buf, len);
        }
        for (at = off - off % chunk; at < off + len; at += chunk) {
            uint32_t lo = at < off ? off : at;
            uint32_t hi = at + chunk > off + len ? off + len : at + chunk;

            if (fw_fault_overlaps(&f[i], vf->size, lo, hi - lo) &&
                fw_fault_draw(f[i].seed, at) % f[i].rate == 0) {
                memset(copy + (lo - off), vf->geom.erased_val, hi - lo);
            }
        }
    }
    rc = vflash_host_write(vf, off, copy != NULL ? copy : buf, len);
    free(copy);
    return rc;
}

json_t *fw_fault_json(const struct board *board, const struct fw_fault *f, size_t count)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr != NULL && i < count; i++) {
        const char *name = f[i].flash < board->flash_count ? board->flash[f[i].flash].name : "";
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "flash", name, "kind",
                              fw_fault_kind_name(f[i].kind), "offset", (json_int_t)f[i].off, "size",
                              (json_int_t)f[i].len, "rate", (json_int_t)f[i].rate, "seed",
                              (json_int_t)f[i].seed);

        if (o != NULL && f[i].kind == FW_FAULT_WEAROUT) {
            json_object_set_new(o, "erases", json_integer(f[i].erases));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}
