/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names of the sweep's fault models (the six cuts and the non-cut models of sweep_fault.c) and
 * the --faults list with its parameters (see sweep.h). Below sweep_id.c and sweep_fault.c.
 */
#include <stdio.h>
#include <string.h>

#include "bo_err.h"
#include "sweep/sweep.h"
#include "util/num.h"

static const char *const sweep_nc_names[SWEEP_MODEL_COUNT - VFLASH_CUT_MODEL_COUNT] = {
    "errors",
    "drop",
    "bitflip",
    "wearout",
};

const char *sweep_model_name(uint8_t model)
{
    if (model < VFLASH_CUT_MODEL_COUNT) {
        return vflash_cut_model_name((enum vflash_cut_model)model);
    }
    if (model < SWEEP_MODEL_COUNT) {
        return sweep_nc_names[model - VFLASH_CUT_MODEL_COUNT];
    }
    return "unknown";
}

int sweep_model_parse(const char *name)
{
    int m = vflash_cut_model_parse(name);
    unsigned i;

    if (m >= 0) {
        return m;
    }
    for (i = 0; i < SWEEP_MODEL_COUNT - VFLASH_CUT_MODEL_COUNT; i++) {
        if (strcmp(name, sweep_nc_names[i]) == 0) {
            return (int)(VFLASH_CUT_MODEL_COUNT + i);
        }
    }
    return BO_EINVAL;
}

void sweep_nc_defaults(struct sweep_nc_params *nc)
{
    memset(nc, 0, sizeof(*nc));
    nc->bitflip_rate = 1;
}

/* Parses "1/N" (N >= 1) into *n. */
static int sweep_nc_rate(const char *s, uint32_t *n)
{
    uint64_t v;

    if (strncmp(s, "1/", 2) != 0 || num_parse_u64(s + 2, 10, UINT32_MAX, &v) != 0 || v == 0) {
        return BO_EINVAL;
    }
    *n = (uint32_t)v;
    return 0;
}

/* Parses the parameter after "MODEL:" of a non-cut model into nc. */
static int sweep_nc_param_parse(int m, const char *p, struct sweep_nc_params *nc)
{
    uint64_t v;

    if (m == SWEEP_NC_WEAROUT) {
        if (strncmp(p, "erases=", 7) != 0 || num_parse_u64(p + 7, 10, 1000000, &v) != 0) {
            return BO_EINVAL;
        }
        nc->erases = (uint32_t)v;
        return 0;
    }
    if (strncmp(p, "rate=", 5) != 0) {
        return BO_EINVAL;
    }
    if (m == SWEEP_NC_ERRORS) {
        return sweep_nc_rate(p + 5, &nc->errors_rate);
    }
    if (m == SWEEP_NC_DROP) {
        return sweep_nc_rate(p + 5, &nc->drop_rate);
    }
    return sweep_nc_rate(p + 5, &nc->bitflip_rate);
}

int sweep_faults_parse(const char *s, uint32_t *faults)
{
    struct sweep_nc_params nc;

    return sweep_faults_parse_nc(s, faults, &nc);
}

int sweep_faults_parse_nc(const char *s, uint32_t *faults, struct sweep_nc_params *nc)
{
    char buf[256];
    char *save = NULL;
    char *tok;

    *faults = 0;
    sweep_nc_defaults(nc);
    if (s == NULL || strlen(s) >= sizeof(buf)) {
        return BO_EINVAL;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *param = strchr(tok, ':');
        int m;

        if (param != NULL) {
            *param++ = '\0';
        }
        if (strcmp(tok, "all") == 0 && param == NULL) {
            *faults |= SWEEP_FAULTS_ALL;
            continue;
        }
        m = sweep_model_parse(tok);
        if (m < 0 || (param != NULL && m < VFLASH_CUT_MODEL_COUNT) ||
            (param != NULL && sweep_nc_param_parse(m, param, nc) != 0)) {
            return BO_EINVAL;
        }
        *faults |= SWEEP_FAULT((unsigned)m);
    }
    return *faults != 0 ? 0 : BO_EINVAL;
}
