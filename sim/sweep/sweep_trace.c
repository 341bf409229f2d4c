/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A replay's flash operation trace, numbered as replay IDs count (see sweep_trace.h).
 */
#include "sweep/sweep_trace.h"

#include <jansson.h>
#include <string.h>

#include "bo_err.h"
#include "sweep/sweep_int.h"

static const char *const sweep_trace_phases[3] = { "action", "recovery", "recovery-2" };

/* Adds the phase and the ID's numbering to one line of an operation; copies other lines. */
static int sweep_trace_line(void *arg, const char *line, size_t len)
{
    struct sweep_trace *t = arg;
    const struct sweep_worker *w = t->w;
    json_t *o = json_loadb(line, len, 0, NULL);
    json_t *dev_op = o != NULL ? json_object_get(o, "op") : NULL;
    int rc = 0;

    if (dev_op != NULL) {
        int want = w->recovery ? 1 : 0;

        /* A power-on restarts the count: a number not above the last starts the next phase. */
        if (want > t->phase || (w->recovery && w->op_last >= 0 && w->op_last <= t->last)) {
            t->phase = want > t->phase ? want : t->phase + 1;
            t->last = -1;
        }
        if (t->phase > 2) {
            t->phase = 2;
        }
        json_object_set(o, "device-op", dev_op);
        json_object_set_new(o, "op",
                            w->op_last >= 0 ? json_integer((json_int_t)w->op_last) : json_null());
        json_object_set_new(o, "phase", json_string(sweep_trace_phases[t->phase]));
        if (w->op_last >= 0) {
            t->last = w->op_last;
        }
    }
    if (o == NULL) {
        rc = fprintf(t->fp, "%.*s\n", (int)len, line) < 0 ? BO_EOS : 0;
    } else if (json_dumpf(o, t->fp, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
               fputc('\n', t->fp) == EOF) {
        rc = BO_EOS;
    }
    json_decref(o);
    if (rc < 0 && t->error == 0) {
        t->error = rc;
    }
    return rc;
}

void sweep_trace_attach(struct sweep_trace *t, const struct sweep_worker *w, FILE *fp,
                        const char *const *names)
{
    uint32_t i;

    memset(t, 0, sizeof(*t));
    t->fp = fp;
    t->w = w;
    t->last = -1;
    for (i = 0; i < w->map.device_count; i++) {
        vflash_trace_init(&t->tr[i]);
        vflash_trace_setup(&t->tr[i], NULL, sweep_trace_line, t, VFLASH_TRACE_DATA, names[i]);
        vflash_trace_attach(w->map.devices[i], &t->tr[i]);
        t->count = i + 1;
    }
}

int sweep_trace_detach(struct sweep_trace *t)
{
    uint32_t i;

    for (i = 0; i < t->count; i++) {
        vflash_trace_attach(t->w->map.devices[i], NULL);
    }
    t->count = 0;
    return t->error;
}
