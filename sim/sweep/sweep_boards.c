/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random legal boards (sweep_boards.h): a seeded generator of board INI text and the runner
 * behind `brownout sweep --random-boards N`.
 */
#include "sweep/sweep_boards.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "bo_err.h"
#include "board/board.h"
#include "board/board_derive.h"
#include "sweep/sweep_report.h"
#include "util/num.h"

/* The modes a board is tried in (enum boot_mode values). */
#define SB_MODES 4u

/* The generator's random stream: splitmix64 steps from the seed and the board's index. */
struct sb_rng {
    uint64_t s;
};

/* A sector layout being built: runs of sectors in address order, partitions as text. */
struct sb_layout {
    uint32_t count[VFLASH_MAX_RUNS];
    uint32_t size[VFLASH_MAX_RUNS];
    uint32_t runs;
    uint32_t off;        /* End of the last run. */
    uint32_t max_sector; /* Largest sector of the slots. */
    uint32_t min_sector; /* Smallest sector of the device. */
    uint32_t slot_sectors[2];
    char parts[768];
    size_t parts_len;
    char desc[96];
};

/* Text being appended to, with an overflow flag. */
struct sb_text {
    char *buf;
    size_t len;
    size_t used;
    bool overflow;
};

static uint32_t sb_pick(struct sb_rng *r, uint32_t n)
{
    r->s = sweep_mix(r->s, 0x5eed, 0, 0);
    return (uint32_t)(r->s % n);
}

static void sb_printf(struct sb_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends formatted text; remembers an overflow instead of failing at once. */
static void sb_printf(struct sb_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->overflow) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->len - t->used) {
        t->overflow = true;
        return;
    }
    t->used += (size_t)n;
}

/* Appends count sectors of size (merged with the previous run of that size). */
static void sb_add(struct sb_layout *l, uint32_t count, uint32_t size)
{
    if (l->runs > 0 && l->size[l->runs - 1] == size) {
        l->count[l->runs - 1] += count;
    } else if (l->runs < VFLASH_MAX_RUNS) {
        l->count[l->runs] = count;
        l->size[l->runs] = size;
        l->runs++;
    }
    l->off += count * size;
    if (l->min_sector == 0 || size < l->min_sector) {
        l->min_sector = size;
    }
}

/* Records a partition from start to the current end of the layout. */
static void sb_part(struct sb_layout *l, const char *name, uint32_t start)
{
    struct sb_text t = { l->parts, sizeof(l->parts), l->parts_len, false };

    sb_printf(&t, "\n[partition %s]\noffset = 0x%X\nsize = 0x%X\n", name, (unsigned)start,
              (unsigned)(l->off - start));
    l->parts_len = t.used;
}

/* Adds one slot of the layout kind: uniform (n x s), one sector, or mixed (small then big). */
static void sb_slot(struct sb_layout *l, const char *name, const uint32_t *cnt,
                    const uint32_t *size, uint32_t parts, uint32_t slot)
{
    uint32_t start = l->off;
    uint32_t i;

    for (i = 0; i < parts; i++) {
        sb_add(l, cnt[i], size[i]);
        l->slot_sectors[slot] += cnt[i];
        if (size[i] > l->max_sector) {
            l->max_sector = size[i];
        }
    }
    sb_part(l, name, start);
}

/* Uniform sectors: 512 B..64 KiB, slots of 32..256 KiB. */
static void sb_layout_uniform(struct sb_layout *l, struct sb_rng *r)
{
    uint32_t s = 512u << sb_pick(r, 8);
    uint32_t slot = 32768u << sb_pick(r, 4);
    uint32_t n = slot / s > 0 ? slot / s : 1;

    snprintf(l->desc, sizeof(l->desc), "uniform %ux%u", (unsigned)n, (unsigned)s);
    sb_slot(l, "image-0-primary", &n, &s, 1, 0);
    sb_slot(l, "image-0-secondary", &n, &s, 1, 1);
}

/* One sector per slot: 16..128 KiB. */
static void sb_layout_one(struct sb_layout *l, struct sb_rng *r)
{
    uint32_t s = 16384u << sb_pick(r, 4);
    uint32_t n = 1;

    snprintf(l->desc, sizeof(l->desc), "one sector of %u per slot", (unsigned)s);
    sb_slot(l, "image-0-primary", &n, &s, 1, 0);
    sb_slot(l, "image-0-secondary", &n, &s, 1, 1);
}

/* Mixed sizes: the primary has small sectors then big ones; the secondary the same, the
 * reverse order, or big sectors only (same size). */
static void sb_layout_mixed(struct sb_layout *l, struct sb_rng *r)
{
    uint32_t small = 1024u << sb_pick(r, 4);
    uint32_t ratio = 2u << sb_pick(r, 3);
    uint32_t q = 1 + sb_pick(r, 2);
    uint32_t b = 1 + sb_pick(r, 3);
    uint32_t pc[2] = { q * ratio, b };
    uint32_t ps[2] = { small, small * ratio };
    uint32_t rc[2] = { b, q * ratio };
    uint32_t rs[2] = { small * ratio, small };
    uint32_t big = q + b;
    uint32_t kind = sb_pick(r, 3);

    snprintf(l->desc, sizeof(l->desc), "mixed %ux%u+%ux%u, secondary %s", (unsigned)pc[0],
             (unsigned)small, (unsigned)b, (unsigned)(small * ratio),
             kind == 0   ? "same"
             : kind == 1 ? "reversed"
                         : "big sectors");
    sb_slot(l, "image-0-primary", pc, ps, 2, 0);
    if (kind == 0) {
        sb_slot(l, "image-0-secondary", pc, ps, 2, 1);
    } else if (kind == 1) {
        sb_slot(l, "image-0-secondary", rc, rs, 2, 1);
    } else {
        sb_slot(l, "image-0-secondary", &big, &ps[1], 1, 1);
    }
}

/* Lays out the bootloader (maybe), the slots and the scratch area (maybe). */
static void sb_layout_build(struct sb_layout *l, struct sb_rng *r)
{
    uint32_t kind = sb_pick(r, 3);
    bool boot = sb_pick(r, 2) == 0;
    uint32_t n;

    memset(l, 0, sizeof(*l));
    if (boot) {
        /* A bootloader of 16 KiB in 1 KiB sectors. */
        sb_add(l, 16, 1024);
        sb_part(l, "bootloader", 0);
    }
    if (kind == 0) {
        sb_layout_uniform(l, r);
    } else if (kind == 1) {
        sb_layout_one(l, r);
    } else {
        sb_layout_mixed(l, r);
    }
    if (sb_pick(r, 10) < 7) {
        /* Scratch: half, one, two or four of the largest slot sector, in sectors of that size
         * (or one sector of half of it). */
        uint32_t start = l->off;
        uint32_t c = sb_pick(r, 4);

        if (c == 0 && l->max_sector >= 1024) {
            sb_add(l, 1, l->max_sector / 2);
        } else {
            n = c <= 1 ? 1u : c == 2 ? 2u : 4u;
            sb_add(l, n, l->max_sector);
        }
        sb_part(l, "scratch", start);
    }
}

/* Writes the [board] and [flash] sections and the partitions of a layout. */
static void sb_emit(struct sb_text *t, const struct sb_layout *l, const char *name,
                    struct sb_rng *r)
{
    static const char *const sem[] = { "nor", "ecc", "no-erase" };
    uint32_t wu = 1u << sb_pick(r, 6);
    uint32_t erased = sb_pick(r, 2) == 0 ? 0xffu : 0x00u;
    uint32_t si = sb_pick(r, 3);
    uint32_t page = 0;
    uint32_t most =
        l->slot_sectors[0] > l->slot_sectors[1] ? l->slot_sectors[0] : l->slot_sectors[1];
    uint32_t i;

    if (sb_pick(r, 3) == 0) {
        page = 256u << sb_pick(r, 2);
        page = page < wu ? wu : page;
        page = l->min_sector % page == 0 ? page : 0; /* A guard: sectors are >= 512 B. */
    }
    sb_printf(t,
              "; SPDX-License-Identifier: Apache-2.0\n; Generated by brownout sweep "
              "--random-boards.\n\n[board]\nname = %s\n",
              name);
    sb_printf(t, "description = random: %s, write unit %u, erased 0x%02x, %s, page %u\n", l->desc,
              (unsigned)wu, (unsigned)erased, sem[si], (unsigned)page);
    if (most > 128 && sb_pick(r, 10) < 7) {
        /* Most of the time, lift the sector limit as imgtool --max-sectors would. */
        uint32_t ms = (most + 31u) / 32u * 32u;

        sb_printf(t, "max-sectors = %u\n", (unsigned)(ms > 4096 ? 4096 : ms));
    }
    sb_printf(t, "\n[flash internal]\nsectors = ");
    for (i = 0; i < l->runs; i++) {
        sb_printf(t, "%s%ux%u", i > 0 ? ", " : "", (unsigned)l->count[i], (unsigned)l->size[i]);
    }
    sb_printf(t, "\nwrite-unit = %u\nerased-value = 0x%02x\nsemantics = %s\n", (unsigned)wu,
              (unsigned)erased, sem[si]);
    if (page != 0) {
        sb_printf(t, "page-size = %u\n", (unsigned)page);
    }
    sb_printf(t, "%s", l->parts);
}

int sweep_boards_generate(uint64_t seed, uint32_t index, char *text, size_t len, char *name,
                          size_t name_len)
{
    struct sb_rng r = { sweep_mix(seed, index, 0xb0a2d, 0) };
    struct sb_text t = { text, len, 0, false };
    struct sb_layout l;
    int n;

    if (len == 0) {
        return BO_ERANGE;
    }
    text[0] = '\0';
    n = snprintf(name, name_len, "rb-%llu-%u", (unsigned long long)(seed % 1000000000ull),
                 (unsigned)index);
    if (n < 0 || (size_t)n >= name_len || n >= BOARD_NAME_MAX) {
        return BO_ERANGE;
    }
    sb_layout_build(&l, &r);
    sb_emit(&t, &l, name, &r);
    return t.overflow ? BO_ERANGE : 0;
}

/* A random-board run in progress. */
struct sb_run {
    const struct sweep_opts *base;
    const struct sweep_boards_opts *bo;
    FILE *out;
    struct sweep_boards_summary *sum;
    char dir[512];
    bool tmp; /* dir is a temporary directory: only failing boards stay. */
    json_t *jboards;
};

/* One generated board and what it gave. */
struct sb_board {
    char name[BOARD_NAME_MAX];
    char path[700];
    char text[SWEEP_BOARDS_TEXT_MAX];
    struct board board;
    uint32_t accepted; /* Bits of the modes board_derive_check() accepts. */
    uint64_t points;
    uint64_t failures;
    char refused[1024]; /* "mode (reason), ..." */
    json_t *j;
};

/* Counts a refusal under its reason: the file and line removed, numbers replaced by N. */
static void sb_reason_add(struct sweep_boards_summary *sum, const char *path, const char *reason)
{
    char key[sizeof(sum->reasons[0].text)];
    size_t n = strlen(path);
    size_t k = 0;
    uint32_t i;

    if (strncmp(reason, path, n) == 0 && reason[n] == ':') {
        reason += n + 1;
        reason += strspn(reason, "0123456789");
        reason += strspn(reason, ": ");
    }
    for (; *reason != '\0' && k + 1 < sizeof(key); reason++) {
        if (*reason >= '0' && *reason <= '9') {
            if (k == 0 || key[k - 1] != 'N') {
                key[k++] = 'N';
            }
        } else {
            key[k++] = *reason;
        }
    }
    key[k] = '\0';
    for (i = 0; i < sum->reason_count && strcmp(sum->reasons[i].text, key) != 0; i++) {
    }
    if (i == sum->reason_count && i < SWEEP_BOARDS_REASONS_MAX - 1) {
        snprintf(sum->reasons[i].text, sizeof(sum->reasons[i].text), "%s", key);
        sum->reason_count++;
    } else if (i >= SWEEP_BOARDS_REASONS_MAX - 1) {
        /* The last entry counts every reason past the others. */
        i = SWEEP_BOARDS_REASONS_MAX - 1;
        snprintf(sum->reasons[i].text, sizeof(sum->reasons[i].text), "other");
        sum->reason_count = SWEEP_BOARDS_REASONS_MAX;
    }
    sum->reasons[i].count++;
}

/* Records that board b refuses mode m for reason. */
static void sb_refuse(struct sb_run *run, struct sb_board *b, uint32_t m, const char *reason)
{
    const char *short_reason = reason;
    size_t used = strlen(b->refused);
    json_t *jr = json_object();

    if (strncmp(reason, b->path, strlen(b->path)) == 0) {
        short_reason = reason + strlen(b->path);
        short_reason += strspn(short_reason, ":0123456789 ");
    }
    snprintf(b->refused + used, sizeof(b->refused) - used, "%s%s (%s)", used > 0 ? ", " : "",
             boot_mode_name((enum boot_mode)m), short_reason);
    run->sum->modes_refused++;
    sb_reason_add(run->sum, b->path, reason);
    json_object_set_new(jr, "mode", json_string(boot_mode_name((enum boot_mode)m)));
    json_object_set_new(jr, "reason", json_string(reason));
    json_array_append_new(json_object_get(b->j, "refused"), jr);
}

/* Whether the run asks for mode m. */
static bool sb_wants(const struct sb_run *run, uint32_t m)
{
    return run->bo->modes == 0 || (run->bo->modes & (1u << m)) != 0;
}

/* The start check of every mode asked for: board_derive_check(), as brownoutd runs it. */
static void sb_check_modes(struct sb_run *run, struct sb_board *b)
{
    uint32_t m;

    for (m = 0; m < SB_MODES; m++) {
        struct boot_config cfg;
        char err[512] = "";

        if (!sb_wants(run, m)) {
            continue;
        }
        boot_config_defaults(&cfg);
        cfg.mode = (enum boot_mode)m;
        cfg.image_count = 1;
        if (board_derive_check(&b->board, run->base->sc.max_sectors, &cfg, NULL, err, sizeof(err)) <
            0) {
            sb_refuse(run, b, m, err[0] != '\0' ? err : "refused");
        } else {
            b->accepted |= 1u << m;
        }
    }
}

/* Writes a board's text to its file. */
static int sb_write_file(const struct sb_board *b, char *err, size_t err_len)
{
    FILE *f = fopen(b->path, "w");
    int rc = 0;

    if (f == NULL) {
        snprintf(err, err_len, "cannot write %s: %s", b->path, strerror(errno));
        return BO_EOS;
    }
    if (fputs(b->text, f) < 0) {
        rc = BO_EOS;
    }
    if (fclose(f) != 0) {
        rc = BO_EOS;
    }
    if (rc < 0) {
        snprintf(err, err_len, "cannot write %s", b->path);
    }
    return rc;
}

/* Records the failed points of one sweep: their replay IDs on out and in the JSON. */
static void sb_failures(struct sb_run *run, const struct sweep_result *res, json_t *jm)
{
    json_t *ids = json_array();
    size_t i;

    for (i = 0; i < res->count; i++) {
        const struct sweep_outcome *o = &res->out[i];

        if (o->status == SWEEP_PASS) {
            continue;
        }
        json_array_append_new(ids, json_string(o->id));
        if (!run->bo->json) {
            fprintf(run->out, "  FAIL %s [%s] %s\n", o->id,
                    invariant_name((enum invariant_id)o->invariant), o->msg);
        }
    }
    json_object_set_new(jm, "failed_ids", ids);
}

/* The action itself fails without a cut (BO_ESTATE): one failure, not a refusal. */
static void sb_uncut_failure(struct sb_run *run, struct sb_board *b, uint32_t m, const char *why)
{
    json_t *jm = json_pack("{s:s, s:i, s:i, s:s}", "mode", boot_mode_name((enum boot_mode)m),
                           "points", 0, "failures", 1, "error", why);

    if (!run->bo->json) {
        fprintf(run->out, "  FAIL %s %s: %s\n", b->name, boot_mode_name((enum boot_mode)m), why);
    }
    json_array_append_new(json_object_get(b->j, "accepted"), jm);
    b->failures++;
    run->sum->modes_swept++;
}

/* Sweeps board b in mode m with the base options. */
static void sb_sweep_mode(struct sb_run *run, struct sb_board *b, uint32_t m)
{
    struct sweep_opts o = *run->base;
    struct sweep_result res;
    char err[512] = "";
    size_t fails;
    json_t *jm;
    int rc;

    o.sc.board = b->path;
    o.sc.mode = (enum boot_mode)m;
    o.progress = NULL;
    sweep_result_init(&res);
    fflush(run->out);
    rc = sweep_run(&o, &res, err, sizeof(err));
    if (rc == BO_ESTATE) {
        sb_uncut_failure(run, b, m, err[0] != '\0' ? err : bo_strerror(rc));
        goto out;
    }
    if (rc < 0) {
        /* The scenario's own set-up refused (an image that does not fit, for example). */
        char why[600];

        snprintf(why, sizeof(why), "%s", err[0] != '\0' ? err : bo_strerror(rc));
        b->accepted &= ~(1u << m);
        sb_refuse(run, b, m, why);
        goto out;
    }
    fails = sweep_report_failures(&res);
    jm = json_object();
    json_object_set_new(jm, "mode", json_string(boot_mode_name((enum boot_mode)m)));
    json_object_set_new(jm, "points", json_integer((json_int_t)res.count));
    json_object_set_new(jm, "failures", json_integer((json_int_t)fails));
    sb_failures(run, &res, jm);
    json_array_append_new(json_object_get(b->j, "accepted"), jm);
    b->points += res.count;
    b->failures += fails;
    run->sum->modes_swept++;
out:
    sweep_result_free(&res);
}

/* Prints a board's line: accepted modes, refused modes with reasons, points, failures. */
static void sb_board_line(const struct sb_run *run, const struct sb_board *b)
{
    uint32_t m;
    bool any = false;

    if (run->bo->json) {
        return;
    }
    fprintf(run->out, "%s: accepted", b->name);
    for (m = 0; m < SB_MODES; m++) {
        if ((b->accepted & (1u << m)) != 0) {
            fprintf(run->out, "%s%s", any ? "," : " ", boot_mode_name((enum boot_mode)m));
            any = true;
        }
    }
    fprintf(run->out, "%s; refused %s; %llu points, %llu failures%s%s\n", any ? "" : " none",
            b->refused[0] != '\0' ? b->refused : "none", (unsigned long long)b->points,
            (unsigned long long)b->failures, b->failures > 0 ? "; board file " : "",
            b->failures > 0 ? b->path : "");
    fflush(run->out);
}

/* Generates, checks and sweeps board number index. */
static int sb_board_run(struct sb_run *run, struct sb_board *b, uint32_t index, char *err,
                        size_t err_len)
{
    uint32_t m;
    int rc = sweep_boards_generate(run->bo->seed, index, b->text, sizeof(b->text), b->name,
                                   sizeof(b->name));

    if (rc < 0) {
        snprintf(err, err_len, "board %u: generated text too long", (unsigned)index);
        goto out;
    }
    snprintf(b->path, sizeof(b->path), "%s/%s.ini", run->dir, b->name);
    rc = board_parse(&b->board, b->text, strlen(b->text), b->path, err, err_len);
    if (rc < 0) {
        goto out; /* A generator bug: every board it writes must parse. */
    }
    b->j = json_pack("{s:s, s:I, s:[], s:[]}", "name", b->name, "index", (json_int_t)index,
                     "accepted", "refused");
    sb_check_modes(run, b);
    rc = b->accepted != 0 || !run->tmp ? sb_write_file(b, err, err_len) : 0;
    for (m = 0; m < SB_MODES && rc == 0; m++) {
        if ((b->accepted & (1u << m)) != 0) {
            sb_sweep_mode(run, b, m);
        }
    }
    if (rc < 0) {
        goto out;
    }
    run->sum->boards++;
    run->sum->points += b->points;
    run->sum->failures += b->failures;
    *(b->accepted != 0 ? &run->sum->accepted : &run->sum->refused) += 1;
    json_object_set_new(b->j, "points", json_integer((json_int_t)b->points));
    json_object_set_new(b->j, "failures", json_integer((json_int_t)b->failures));
    if (b->failures > 0 || !run->tmp) {
        json_object_set_new(b->j, "file", json_string(b->path));
    }
    if (b->failures == 0 && run->tmp) {
        unlink(b->path);
    }
    sb_board_line(run, b);
    json_array_append(run->jboards, b->j);
out:
    json_decref(b->j);
    b->j = NULL;
    return rc;
}

/* Prints the summary: boards generated, accepted, refused (by reason), points, failures. */
static void sb_summary(FILE *out, const struct sweep_boards_opts *bo,
                       const struct sweep_boards_summary *sum, const char *kept)
{
    uint32_t i;

    fprintf(out,
            "random boards (seed %llu): %u generated, %u accepted in at least one mode, "
            "%u refused in every mode\n",
            (unsigned long long)bo->seed, (unsigned)sum->boards, (unsigned)sum->accepted,
            (unsigned)sum->refused);
    fprintf(out, "  board modes: %u swept, %u refused\n", (unsigned)sum->modes_swept,
            (unsigned)sum->modes_refused);
    for (i = 0; i < sum->reason_count; i++) {
        fprintf(out, "  refused %5u  %s\n", (unsigned)sum->reasons[i].count, sum->reasons[i].text);
    }
    fprintf(out, "  points %llu, failures %llu\n", (unsigned long long)sum->points,
            (unsigned long long)sum->failures);
    if (kept != NULL) {
        fprintf(out, "  board files: %s\n", kept);
    }
    if (sum->failures > 0) {
        fprintf(out,
                "  replay a failure: brownout sweep --replay ID --board FILE (its board file)\n");
    }
    if (sum->failures == 0) {
        fprintf(out, "PASS: 0 of %llu cut points failed on %u boards\n",
                (unsigned long long)sum->points, (unsigned)sum->boards);
    } else {
        fprintf(out, "FAIL: %llu failures (%llu cut points, %u boards)\n",
                (unsigned long long)sum->failures, (unsigned long long)sum->points,
                (unsigned)sum->boards);
    }
}

/* Prints the JSON document: the options, every board, the summary. */
static void sb_json(FILE *out, const struct sb_run *run, const char *kept)
{
    const struct sweep_boards_summary *sum = run->sum;
    json_t *reasons = json_object();
    json_t *doc;
    uint32_t i;

    for (i = 0; i < sum->reason_count; i++) {
        json_object_set_new(reasons, sum->reasons[i].text,
                            json_integer((json_int_t)sum->reasons[i].count));
    }
    doc = json_pack("{s:I, s:s, s:O, s:{s:i, s:i, s:i, s:i, s:i, s:o, s:I, s:I}}", "seed",
                    (json_int_t)run->bo->seed, "scenario", scenario_kind_name(run->base->sc.kind),
                    "boards", run->jboards, "summary", "generated", (int)sum->boards, "accepted",
                    (int)sum->accepted, "refused", (int)sum->refused, "modes_swept",
                    (int)sum->modes_swept, "modes_refused", (int)sum->modes_refused,
                    "refused_by_reason", reasons, "points", (json_int_t)sum->points, "failures",
                    (json_int_t)sum->failures);
    if (doc == NULL) {
        return;
    }
    if (kept != NULL) {
        json_object_set_new(doc, "board_dir", json_string(kept));
    }
    json_dumpf(doc, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(doc);
}

/* Makes the directory the board files go to. */
static int sb_dir_setup(struct sb_run *run, char *err, size_t err_len)
{
    const char *tmpdir = getenv("TMPDIR");

    if (run->bo->save_dir != NULL) {
        snprintf(run->dir, sizeof(run->dir), "%s", run->bo->save_dir);
        if (mkdir(run->dir, 0755) != 0 && errno != EEXIST) {
            snprintf(err, err_len, "cannot create %s: %s", run->dir, strerror(errno));
            return BO_EOS;
        }
        if (access(run->dir, W_OK) != 0) {
            snprintf(err, err_len, "cannot write to %s: %s", run->dir, strerror(errno));
            return BO_EOS;
        }
        return 0;
    }
    snprintf(run->dir, sizeof(run->dir), "%s/brownout-boards-XXXXXX",
             tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
    if (mkdtemp(run->dir) == NULL) {
        snprintf(err, err_len, "cannot create a temporary directory: %s", strerror(errno));
        return BO_EOS;
    }
    run->tmp = true;
    return 0;
}

int sweep_boards_run(const struct sweep_opts *base, const struct sweep_boards_opts *bo, FILE *out,
                     struct sweep_boards_summary *sum, char *err, size_t err_len)
{
    struct sb_run run = { base, bo, out, sum, "", false, json_array() };
    struct sb_board *b = calloc(1, sizeof(*b));
    const char *kept = NULL;
    uint32_t i;
    int rc = 0;

    memset(sum, 0, sizeof(*sum));
    if (b == NULL || run.jboards == NULL) {
        rc = BO_ENOMEM;
        goto out;
    }
    rc = sb_dir_setup(&run, err, err_len);
    for (i = 0; i < bo->count && rc == 0; i++) {
        memset(b, 0, sizeof(*b));
        rc = sb_board_run(&run, b, i, err, err_len);
    }
    if (rc < 0) {
        goto out;
    }
    /* A temporary directory stays only when it holds a failing board. */
    kept = run.tmp && rmdir(run.dir) == 0 ? NULL : run.dir;
    if (bo->json) {
        sb_json(out, &run, kept);
    } else {
        sb_summary(out, bo, sum, kept);
    }
out:
    if (rc < 0 && run.tmp) {
        rmdir(run.dir);
    }
    json_decref(run.jboards);
    free(b);
    return rc;
}

int sweep_boards_cli(const struct sweep_opts *base, const char *count, bool board_given,
                     bool mode_given, const char *save_dir, bool json)
{
    struct sweep_boards_summary *sum = calloc(1, sizeof(*sum));
    struct sweep_boards_opts bo;
    char err[600] = "";
    uint64_t n;
    int rc;

    if (sum == NULL) {
        return 2;
    }
    memset(&bo, 0, sizeof(bo));
    if (num_parse_u64(count, 0, UINT64_MAX, &n) != 0 || n == 0 || n > 1000000) {
        fprintf(stderr, "sweep: --random-boards is 1..1000000, got '%s'\n", count);
        rc = 2;
        goto out;
    }
    if (board_given || base->shard_count > 1) {
        fprintf(stderr,
                "sweep: --random-boards goes without --board, --config, --bundle and --shard\n");
        rc = 2;
        goto out;
    }
    bo.count = (uint32_t)n;
    bo.seed = base->seed;
    bo.modes = mode_given ? 1u << base->sc.mode : 0u;
    bo.save_dir = save_dir;
    bo.json = json;
    rc = sweep_boards_run(base, &bo, stdout, sum, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "sweep: %s\n", err[0] != '\0' ? err : bo_strerror(rc));
        rc = 2;
    } else {
        rc = sum->failures == 0 ? 0 : 1;
    }
out:
    free(sum);
    return rc;
}
