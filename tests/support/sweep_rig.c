/* SPDX-License-Identifier: Apache-2.0 */
/* Test support: a sweep run and its JSON report in memory (see sweep_rig.h). */
#include "sweep_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sweep/sweep_report.h"
#include "vflash/vflash_fault.h"

size_t sweep_rig_run(const struct sweep_opts *o, struct sweep_result *r)
{
    char err[512] = "";
    int rc;

    sweep_result_init(r);
    rc = sweep_run(o, r, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "sweep %s %s: %d %s\n", o->sc.board, boot_mode_name(o->sc.mode), rc, err);
    }
    assert_int_equal(rc, 0);
    assert_true(r->count > 0);
    return sweep_report_failures(r);
}

char *sweep_rig_json(const struct sweep_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(sweep_report_json(f, r), 0);
    fclose(f);
    return buf;
}

void sweep_rig_opts(struct sweep_opts *o, const char *board, enum boot_mode mode,
                    enum scenario_kind kind, uint32_t prefix_max)
{
    sweep_opts_init(o);
    o->sc.board = board;
    o->sc.mode = mode;
    o->sc.kind = kind;
    o->jobs = 2;
    o->prefix_max = prefix_max;
}

int sweep_rig_drop_magic(void *arg, struct vflash *dev, const struct vflash_op *op, bool recovery)
{
    const struct sweep_rig_drop *d = arg;
    struct vflash_fault_config fc;

    memset(&fc, 0, sizeof(fc));
    if (recovery && op->kind == VFLASH_OP_PROGRAM && op->off <= d->off &&
        op->off + op->len > d->off) {
        fc.drop.off = op->off;
        fc.drop.len = op->len;
        fc.drop.one_in = 1;
    }
    return vflash_fault_configure(dev, &fc);
}
