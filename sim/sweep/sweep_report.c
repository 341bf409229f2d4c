/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reporting of power-fail sweep results (see sweep_report.h).
 */
#include "sweep/sweep_report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

size_t sweep_report_failures(const struct sweep_result *res)
{
    size_t i;
    size_t n = 0;

    for (i = 0; i < res->count; i++) {
        n += res->out[i].status != SWEEP_PASS;
    }
    return n;
}

/* Reads a result file's "fault_params" (absent: all zero). */
static void sweep_report_nc_parse(const json_t *o, struct sweep_nc_params *nc)
{
    memset(nc, 0, sizeof(*nc));
    nc->errors_rate = (uint32_t)json_integer_value(json_object_get(o, "errors_rate"));
    nc->drop_rate = (uint32_t)json_integer_value(json_object_get(o, "drop_rate"));
    nc->bitflip_rate = (uint32_t)json_integer_value(json_object_get(o, "bitflip_rate"));
    nc->erases = (uint32_t)json_integer_value(json_object_get(o, "erases"));
}

static const char *sweep_report_outcome(uint8_t run)
{
    return run == SCENARIO_ID_NEW ? "new" : run == SCENARIO_ID_OLD ? "old" : "none";
}

void sweep_report_summary(FILE *out, const struct sweep_result *res)
{
    uint64_t pts[SWEEP_MODEL_COUNT] = { 0 };
    uint64_t nw[SWEEP_MODEL_COUNT] = { 0 };
    uint64_t old[SWEEP_MODEL_COUNT] = { 0 };
    uint64_t bad[SWEEP_MODEL_COUNT] = { 0 };
    size_t fails = sweep_report_failures(res);
    size_t shown = 0;
    size_t i;
    int m;

    for (i = 0; i < res->count; i++) {
        const struct sweep_outcome *o = &res->out[i];
        uint8_t md = o->pt.op2 >= 0 ? o->pt.model2 : o->pt.model;

        if (md >= SWEEP_MODEL_COUNT) {
            continue;
        }
        pts[md]++;
        if (o->status != SWEEP_PASS) {
            bad[md]++;
        } else if (o->final_run == SCENARIO_ID_NEW) {
            nw[md]++;
        } else {
            old[md]++;
        }
    }
    fprintf(out,
            "sweep %s on %s, %s, depth %u, image %u bytes: %llu flash operations, "
            "%zu cut points (shard %u/%u of %llu tasks), %.2f s\n",
            res->scenario, res->board, res->mode, res->depth, res->image_size,
            (unsigned long long)res->ops, res->count, res->shard_index, res->shard_count,
            (unsigned long long)res->tasks_total, res->wall_s);
    if (res->bl_identity[0] != '\0') {
        fprintf(out, "  bootloader: %s %s\n", res->bootloader, res->bl_identity);
    }
    fprintf(out, "  assumption: %s\n", res->assumption);
    if (res->states + res->state_hits > 0) {
        /* What the work cost (the snapshot path; --no-cache shows nothing reused). */
        fprintf(out,
                "  work: %llu runs after a cut (%llu reused), %llu boots (%llu reused), "
                "%llu signature checks (%llu reused)\n",
                (unsigned long long)res->states, (unsigned long long)res->state_hits,
                (unsigned long long)res->boots, (unsigned long long)res->boot_hits,
                (unsigned long long)res->verifies, (unsigned long long)res->verify_hits);
    }
    fprintf(out, "  %-14s %10s %10s %10s %10s\n", res->depth > 1 ? "second cut" : "fault model",
            "points", "new image", "old image", "FAILED");
    for (m = 0; m < SWEEP_MODEL_COUNT; m++) {
        if ((res->faults & SWEEP_FAULT((unsigned)m)) == 0 && pts[m] == 0) {
            continue;
        }
        fprintf(out, "  %-14s %10llu %10llu %10llu %10llu\n", sweep_model_name((uint8_t)m),
                (unsigned long long)pts[m], (unsigned long long)nw[m], (unsigned long long)old[m],
                (unsigned long long)bad[m]);
    }
    for (i = 0; i < res->count && shown < 20; i++) {
        const struct sweep_outcome *o = &res->out[i];

        if (o->status == SWEEP_PASS) {
            continue;
        }
        fprintf(out, "FAIL [%s] %s\n  replay: brownout sweep --replay %s\n",
                invariant_name((enum invariant_id)o->invariant), o->msg, o->id);
        shown++;
    }
    if (fails > shown) {
        fprintf(out, "... and %zu more failures (see --json)\n", fails - shown);
    }
    fprintf(out, "%s: %zu of %zu cut points failed\n", fails == 0 ? "PASS" : "FAIL", fails,
            res->count);
}

static json_t *sweep_report_point(const struct sweep_outcome *o)
{
    json_t *j = json_object();

    if (j == NULL) {
        return NULL;
    }
    json_object_set_new(j, "task", json_integer((json_int_t)o->task));
    json_object_set_new(j, "op", json_integer((json_int_t)o->pt.op));
    json_object_set_new(j, "model", json_string(sweep_model_name(o->pt.model)));
    json_object_set_new(j, "param",
                        o->pt.param == VFLASH_CUT_SEEDED ? json_string("seeded")
                                                         : json_integer((json_int_t)o->pt.param));
    if (o->pt.op2 >= 0) {
        json_object_set_new(j, "op2", json_integer((json_int_t)o->pt.op2));
        json_object_set_new(j, "model2", json_string(vflash_cut_model_name(o->pt.model2)));
        json_object_set_new(j, "reached2", json_boolean(o->reached2));
    }
    json_object_set_new(j, "applied", json_string(sweep_model_name(o->applied)));
    json_object_set_new(j, "status", json_string(o->status == SWEEP_PASS ? "pass" : "fail"));
    json_object_set_new(j, "outcome", json_string(sweep_report_outcome(o->final_run)));
    if (o->status != SWEEP_PASS) {
        json_object_set_new(j, "invariant", json_integer(o->invariant));
        json_object_set_new(j, "invariant_name",
                            json_string(invariant_name((enum invariant_id)o->invariant)));
        json_object_set_new(j, "message", json_string(o->msg));
    }
    json_object_set_new(j, "replay", json_string(o->id));
    return j;
}

int sweep_report_json(FILE *out, const struct sweep_result *res)
{
    json_t *root = json_object();
    json_t *arr = json_array();
    json_t *faults = json_array();
    size_t i;
    int m;
    int rc = 0;

    if (root == NULL || arr == NULL || faults == NULL) {
        json_decref(root);
        json_decref(arr);
        json_decref(faults);
        return BO_ENOMEM;
    }
    for (m = 0; m < SWEEP_MODEL_COUNT; m++) {
        if ((res->faults & SWEEP_FAULT((unsigned)m)) != 0) {
            json_array_append_new(faults, json_string(sweep_model_name((uint8_t)m)));
        }
    }
    json_object_set_new(root, "brownout_sweep", json_integer(1));
    json_object_set_new(root, "scenario", json_string(res->scenario));
    json_object_set_new(root, "board", json_string(res->board));
    json_object_set_new(root, "mode", json_string(res->mode));
    json_object_set_new(root, "bootloader",
                        json_string(res->bootloader[0] != '\0' ? res->bootloader : "brownout"));
    json_object_set_new(root, "bootloader_identity", json_string(res->bl_identity));
    json_object_set_new(root, "assumption", json_string(res->assumption));
    json_object_set_new(root, "faults", faults);
    json_object_set_new(root, "depth", json_integer(res->depth));
    json_object_set_new(root, "random", json_integer((json_int_t)res->random));
    json_object_set_new(root, "seed", json_integer((json_int_t)res->seed));
    json_object_set_new(root, "image_option", json_integer((json_int_t)res->image_opt));
    json_object_set_new(root, "image_size", json_integer(res->image_size));
    json_object_set_new(root, "downgrade_prevention", json_boolean(res->downgrade_prevention));
    json_object_set_new(root, "prefix_max", json_integer(res->prefix_max));
    if ((res->faults & SWEEP_FAULTS_NONCUT) != 0) {
        json_object_set_new(
            root, "fault_params",
            json_pack("{s:I, s:I, s:I, s:I}", "errors_rate", (json_int_t)res->nc.errors_rate,
                      "drop_rate", (json_int_t)res->nc.drop_rate, "bitflip_rate",
                      (json_int_t)res->nc.bitflip_rate, "erases", (json_int_t)res->nc.erases));
    }
    json_object_set_new(root, "ops", json_integer((json_int_t)res->ops));
    json_object_set_new(root, "tasks_total", json_integer((json_int_t)res->tasks_total));
    json_object_set_new(root, "shard_index", json_integer(res->shard_index));
    json_object_set_new(root, "shard_count", json_integer(res->shard_count));
    json_object_set_new(root, "points", json_integer((json_int_t)res->count));
    json_object_set_new(root, "failures", json_integer((json_int_t)sweep_report_failures(res)));
    for (i = 0; i < res->count; i++) {
        json_t *j = sweep_report_point(&res->out[i]);

        if (j == NULL || json_array_append_new(arr, j) != 0) {
            rc = BO_ENOMEM;
            break;
        }
    }
    json_object_set_new(root, "results", arr);
    if (rc == 0 &&
        (json_dumpf(root, out, JSON_SORT_KEYS | JSON_COMPACT) != 0 || fputc('\n', out) == EOF)) {
        rc = BO_EOS;
    }
    json_decref(root);
    return rc;
}

static int sweep_report_fail(char *err, size_t err_len, int rc, const char *what)
{
    snprintf(err, err_len, "%s", what);
    return rc;
}

static int sweep_report_model(json_t *j, const char *key, uint8_t *model)
{
    int m = sweep_model_parse(json_string_value(json_object_get(j, key)) != NULL
                                  ? json_string_value(json_object_get(j, key))
                                  : "");

    if (m < 0) {
        return BO_EINVAL;
    }
    *model = (uint8_t)m;
    return 0;
}

/* Reads one outcome back (the replay ID carries the seeds and parameters exactly). */
static int sweep_report_load_point(json_t *j, struct sweep_outcome *o)
{
    struct scenario_opts so;
    char board[600];
    const char *id = json_string_value(json_object_get(j, "replay"));
    const char *st = json_string_value(json_object_get(j, "status"));
    const char *oc = json_string_value(json_object_get(j, "outcome"));
    const char *msg = json_string_value(json_object_get(j, "message"));

    memset(o, 0, sizeof(*o));
    if (id == NULL || st == NULL || oc == NULL || !json_is_integer(json_object_get(j, "task")) ||
        sweep_id_decode(id, &so, board, sizeof(board), &o->pt) != 0 ||
        sweep_report_model(j, "applied", &o->applied) != 0) {
        return BO_EINVAL;
    }
    snprintf(o->id, sizeof(o->id), "%s", id);
    o->task = (uint64_t)json_integer_value(json_object_get(j, "task"));
    o->status = strcmp(st, "pass") == 0 ? SWEEP_PASS : SWEEP_FAIL;
    o->final_run = strcmp(oc, "new") == 0   ? SCENARIO_ID_NEW
                   : strcmp(oc, "old") == 0 ? SCENARIO_ID_OLD
                                            : 0;
    o->reached2 = json_is_true(json_object_get(j, "reached2"));
    o->invariant = (uint8_t)json_integer_value(json_object_get(j, "invariant"));
    snprintf(o->msg, sizeof(o->msg), "%s", msg != NULL ? msg : "");
    return 0;
}

int sweep_report_load(const char *path, struct sweep_result *res, char *err, size_t err_len)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *arr;
    json_t *faults;
    size_t i;
    int rc = 0;

    sweep_result_init(res);
    if (root == NULL) {
        snprintf(err, err_len, "%s:%d: %s", path, je.line, je.text);
        return BO_EINVAL;
    }
    arr = json_object_get(root, "results");
    faults = json_object_get(root, "faults");
    if (json_integer_value(json_object_get(root, "brownout_sweep")) != 1 || !json_is_array(arr) ||
        !json_is_array(faults)) {
        json_decref(root);
        return sweep_report_fail(err, err_len, BO_EINVAL, "not a brownout sweep result");
    }
    snprintf(res->scenario, sizeof(res->scenario), "%s",
             json_string_value(json_object_get(root, "scenario")) ?: "");
    snprintf(res->board, sizeof(res->board), "%s",
             json_string_value(json_object_get(root, "board")) ?: "");
    snprintf(res->mode, sizeof(res->mode), "%s",
             json_string_value(json_object_get(root, "mode")) ?: "");
    snprintf(res->bootloader, sizeof(res->bootloader), "%s",
             json_string_value(json_object_get(root, "bootloader")) ?: "brownout");
    snprintf(res->bl_identity, sizeof(res->bl_identity), "%s",
             json_string_value(json_object_get(root, "bootloader_identity")) ?: "");
    /* Results from before the assumptions were printed were made under the default. */
    snprintf(res->assumption, sizeof(res->assumption), "%s",
             json_string_value(json_object_get(root, "assumption")) ?: "ecc-torn=erased");
    for (i = 0; i < json_array_size(faults); i++) {
        int m = sweep_model_parse(json_string_value(json_array_get(faults, i)) ?: "");

        if (m >= 0) {
            res->faults |= SWEEP_FAULT((unsigned)m);
        }
    }
    res->depth = (uint32_t)json_integer_value(json_object_get(root, "depth"));
    res->random = (uint64_t)json_integer_value(json_object_get(root, "random"));
    res->seed = (uint64_t)json_integer_value(json_object_get(root, "seed"));
    res->image_opt = (uint32_t)json_integer_value(json_object_get(root, "image_option"));
    res->image_size = (uint32_t)json_integer_value(json_object_get(root, "image_size"));
    res->downgrade_prevention = json_is_true(json_object_get(root, "downgrade_prevention"));
    res->prefix_max = (uint32_t)json_integer_value(json_object_get(root, "prefix_max"));
    sweep_report_nc_parse(json_object_get(root, "fault_params"), &res->nc);
    res->ops = (uint64_t)json_integer_value(json_object_get(root, "ops"));
    res->tasks_total = (uint64_t)json_integer_value(json_object_get(root, "tasks_total"));
    res->shard_index = (uint32_t)json_integer_value(json_object_get(root, "shard_index"));
    res->shard_count = (uint32_t)json_integer_value(json_object_get(root, "shard_count"));
    res->count = json_array_size(arr);
    res->out = calloc(res->count + 1, sizeof(*res->out));
    if (res->out == NULL) {
        rc = BO_ENOMEM;
    }
    for (i = 0; rc == 0 && i < res->count; i++) {
        if (sweep_report_load_point(json_array_get(arr, i), &res->out[i]) != 0) {
            rc = sweep_report_fail(err, err_len, BO_EINVAL, "a malformed result entry");
        }
    }
    if (rc != 0) {
        sweep_result_free(res);
    }
    json_decref(root);
    return rc;
}

static int sweep_report_task_cmp(const void *a, const void *b)
{
    const struct sweep_outcome *x = a;
    const struct sweep_outcome *y = b;

    if (x->task != y->task) {
        return x->task < y->task ? -1 : 1;
    }
    return 0;
}

int sweep_report_merge(const struct sweep_result *parts, size_t n, struct sweep_result *out,
                       char *err, size_t err_len)
{
    const struct sweep_result *a = &parts[0];
    bool seen[256];
    size_t total = 0;
    size_t i;
    size_t k;

    sweep_result_init(out);
    if (n == 0 || a->shard_count == 0 || a->shard_count > 256) {
        return sweep_report_fail(err, err_len, BO_EINVAL, "nothing to merge");
    }
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < n; i++) {
        const struct sweep_result *b = &parts[i];

        if (strcmp(a->scenario, b->scenario) != 0 || strcmp(a->board, b->board) != 0 ||
            strcmp(a->mode, b->mode) != 0 || strcmp(a->bl_identity, b->bl_identity) != 0 ||
            strcmp(a->assumption, b->assumption) != 0 || a->faults != b->faults ||
            a->depth != b->depth || a->random != b->random || a->seed != b->seed ||
            a->image_opt != b->image_opt || a->downgrade_prevention != b->downgrade_prevention ||
            a->prefix_max != b->prefix_max || memcmp(&a->nc, &b->nc, sizeof(a->nc)) != 0 ||
            a->tasks_total != b->tasks_total || a->shard_count != b->shard_count) {
            return sweep_report_fail(err, err_len, BO_EINVAL,
                                     "the results are not shards of one sweep");
        }
        if (b->shard_index < 1 || b->shard_index > b->shard_count || seen[b->shard_index - 1]) {
            return sweep_report_fail(err, err_len, BO_EINVAL, "a shard appears twice");
        }
        seen[b->shard_index - 1] = true;
        total += b->count;
    }
    /* A merge that lacks a shard is not the whole sweep: its verdict would claim points that
     * never ran. */
    for (i = 0; i < a->shard_count; i++) {
        if (!seen[i]) {
            snprintf(err, err_len, "shard %zu of %u is missing (%zu of %u given)", i + 1,
                     a->shard_count, n, a->shard_count);
            return BO_EINVAL;
        }
    }
    *out = *a;
    out->out = calloc(total + 1, sizeof(*out->out));
    if (out->out == NULL) {
        return BO_ENOMEM;
    }
    out->count = total;
    out->wall_s = 0;
    for (i = 0, k = 0; i < n; i++) {
        memcpy(&out->out[k], parts[i].out, parts[i].count * sizeof(*out->out));
        k += parts[i].count;
        out->wall_s += parts[i].wall_s;
    }
    /* A stable sort by task keeps each depth-2 task's cuts in their order. */
    for (i = 1; i < total; i++) {
        struct sweep_outcome tmp = out->out[i];

        for (k = i; k > 0 && sweep_report_task_cmp(&out->out[k - 1], &tmp) > 0; k--) {
            out->out[k] = out->out[k - 1];
        }
        out->out[k] = tmp;
    }
    out->shard_index = 1;
    out->shard_count = 1;
    return 0;
}

static void sweep_report_xml(FILE *f, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

int sweep_report_junit(const char *path, const struct sweep_result *res)
{
    FILE *f = fopen(path, "w");
    size_t i;
    int rc;

    if (f == NULL) {
        return BO_EOS;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    fprintf(f, "<testsuite name=\"sweep.%s.", res->scenario);
    sweep_report_xml(f, res->board);
    fprintf(f, ".%s\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", res->mode, res->count,
            sweep_report_failures(res), res->wall_s);
    if (res->bl_identity[0] != '\0') {
        fprintf(f, "<properties><property name=\"bootloader\" value=\"%s\"/>", res->bootloader);
        fprintf(f, "<property name=\"bootloader_identity\" value=\"");
        sweep_report_xml(f, res->bl_identity);
        fprintf(f, "\"/></properties>\n");
    }
    for (i = 0; i < res->count; i++) {
        const struct sweep_outcome *o = &res->out[i];

        fprintf(f, "  <testcase classname=\"sweep.%s.%s\" name=\"op%llu.%s", res->scenario,
                res->mode, (unsigned long long)o->pt.op, sweep_model_name(o->pt.model));
        if (o->pt.param != VFLASH_CUT_SEEDED && o->pt.model == VFLASH_CUT_TORN_PREFIX) {
            fprintf(f, ".k%u", o->pt.param);
        }
        if (o->pt.op2 >= 0) {
            fprintf(f, ".then.op%lld.%s", (long long)o->pt.op2,
                    vflash_cut_model_name(o->pt.model2));
        }
        fprintf(f, "\"");
        if (o->status == SWEEP_PASS) {
            fprintf(f, "/>\n");
            continue;
        }
        fprintf(f, ">\n    <failure type=\"%s\" message=\"",
                invariant_name((enum invariant_id)o->invariant));
        sweep_report_xml(f, o->msg);
        fprintf(f, "\">replay: brownout sweep --replay %s</failure>\n  </testcase>\n", o->id);
    }
    fprintf(f, "</testsuite>\n</testsuites>\n");
    rc = ferror(f) ? BO_EOS : 0;
    if (fclose(f) != 0) {
        rc = BO_EOS;
    }
    return rc;
}

void sweep_report_progress(FILE *out, unsigned long long done, unsigned long long total)
{
    char bar[41];
    unsigned long long fill = total == 0 ? 40 : done * 40 / total;
    unsigned i;

    for (i = 0; i < 40; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[40] = '\0';
    fprintf(out, "\r[%s] %llu/%llu", bar, done, total);
    if (done >= total) {
        fputc('\n', out);
    }
    fflush(out);
}
