/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Permanent upgrades on the shipped board files of fixtures/boards (see boot_scenarios.h).
 */
#include "boot_scenarios.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot_fixture.h"
#include "boot_scenarios_int.h"
#include "interop.h"
#include "sysflash/sysflash.h"

int bs_board_file_upgrade(const char *name, enum boot_mode mode)
{
    struct bs_ctx *c = calloc(1, sizeof(*c));
    struct board board;
    struct boot_rsp rsp;
    const char *why = NULL;
    uint32_t payload;
    int rc = BS_FAIL;

    if (c == NULL) {
        return BS_FAIL;
    }
    c->board = name;
    c->mode = mode;
    c->what = "board-file";
    if (bf_board_file(&board, name) != 0 || bf_start(&c->f, &board, mode, 1) != 0) {
        fprintf(stderr, "FAIL %s: cannot start\n", name);
        free(c);
        return BS_FAIL;
    }
    c->started = true;
    rc = bf_capacity(&c->f, 0, &c->max[0], &why);
    if (rc == 0) {
        printf("skip %s %s: %s\n", name, boot_mode_name(mode), why != NULL ? why : "?");
        rc = BS_SKIP;
    } else if (rc < 0) {
        fprintf(stderr, "FAIL %s %s: capacity %d\n", name, boot_mode_name(mode), rc);
        rc = BS_FAIL;
    } else {
        payload = c->max[0] / 2 < 65536 ? c->max[0] / 2 : 65536;
        rc = bs_install2(c, 0, 1, 2, payload);
        if (rc == BS_PASS) {
            rc = bf_set_pending(&c->f, 0, true) == 0 ? BS_PASS : BS_FAIL;
        }
        if (rc == BS_PASS) {
            rc = bs_boot(c, 2, TRAILER_SWAP_TYPE_PERM, &rsp);
        }
        if (rc == BS_PASS) {
            rc = bs_stable(c, 2);
        }
    }
    bs_end(c);
    free(c);
    return rc;
}

/* Board files bs_claimed_board_files() can check. */
#define BS_BOARDS_MAX 64

/* The name a board file's "; Modes:" line gives a mode (docs/boards.md). */
static const char *bs_claim_name(enum boot_mode mode)
{
    switch (mode) {
    case BOOT_MODE_OVERWRITE:
        return "overwrite-only";
    case BOOT_MODE_SWAP_SCRATCH:
        return "swap-using-scratch";
    case BOOT_MODE_SWAP_MOVE:
        return "swap-using-move";
    case BOOT_MODE_SWAP_OFFSET:
        return "swap-using-offset";
    default:
        return "?";
    }
}

/* True when the text after "Modes:" lists want among its ',' ';' '.' separated words. */
static bool bs_modes_list(const char *list, const char *want)
{
    char buf[256];
    char *save = NULL;
    char *tok;

    snprintf(buf, sizeof(buf), "%s", list);
    for (tok = strtok_r(buf, ",;.\r\n", &save); tok != NULL;
         tok = strtok_r(NULL, ",;.\r\n", &save)) {
        tok += strspn(tok, " \t");
        tok[strcspn(tok, " \t")] = '\0';
        if (strcmp(tok, want) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Reads the "; Modes:" line of a board file: 1 if it claims mode, 0 if not, -1 (reported) when
 * the file cannot be read or has no such line. *line receives its line number.
 */
static int bs_claims(const char *path, const char *rel, enum boot_mode mode, int *line)
{
    char text[256];
    FILE *fp = fopen(path, "r");
    int n = 0;
    int rc = -1;

    *line = 0;
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot read: %s\n", rel, strerror(errno));
        return -1;
    }
    while (rc < 0 && fgets(text, sizeof(text), fp) != NULL) {
        n++;
        if (strncmp(text, "; Modes:", 8) == 0) {
            *line = n;
            rc = bs_modes_list(text + 8, bs_claim_name(mode)) ? 1 : 0;
        }
    }
    fclose(fp);
    if (rc < 0) {
        fprintf(stderr, "%s:1: no \"; Modes:\" line (docs/boards.md)\n", rel);
    }
    return rc;
}

/* The entry of known for board, or NULL. */
static const struct bs_known_failure *bs_known(const struct bs_known_failure *known,
                                               const char *board)
{
    for (; known != NULL && known->board != NULL; known++) {
        if (strcmp(known->board, board) == 0) {
            return known;
        }
    }
    return NULL;
}

/* Runs one claimed board; returns 1 when its result is a failure (reported), else 0. */
static int bs_claimed_one(const char *path, int line, const char *board, enum boot_mode mode,
                          const struct bs_known_failure *k)
{
    int rc = bs_board_file_upgrade(board, mode);
    const char *what = rc == BS_PASS ? "passes" : rc == BS_SKIP ? "was skipped" : "failed";

    if (k != NULL && rc != BS_SKIP) {
        fprintf(stderr,
                "%s:%d: %s is listed as known-failing for %s (%s) but now runs and %s: %s\n", path,
                line, board, bs_claim_name(mode), k->reason, what,
                rc == BS_PASS ? "remove it from the list" : "a bug (see above)");
        return 1;
    }
    if (k != NULL) {
        printf("known failure: %s %s %s: %s\n", board, bs_claim_name(mode), what, k->reason);
        return 0;
    }
    if (rc != BS_PASS) {
        fprintf(stderr, "%s:%d: %s claims %s but the upgrade %s (reason above)\n", path, line,
                board, bs_claim_name(mode), what);
        return 1;
    }
    return 0;
}

/* Keeps the *.ini entries of a directory listing. */
static int bs_is_ini(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 4 && strcmp(d->d_name + n - 4, ".ini") == 0;
}

/* Reports each entry of known that names no board file claiming the mode; returns how many. */
static int bs_stale_known(const struct bs_known_failure *known, const char *const *claimed,
                          int boards, enum boot_mode mode)
{
    int failed = 0;
    int i;

    for (; known != NULL && known->board != NULL; known++) {
        for (i = 0; i < boards && strcmp(claimed[i], known->board) != 0; i++) {
        }
        if (i == boards) {
            fprintf(stderr,
                    "fixtures/boards/%s.ini: listed as known-failing for %s but no such board "
                    "file claims the mode: remove it from the list\n",
                    known->board, bs_claim_name(mode));
            failed++;
        }
    }
    return failed;
}

int bs_claimed_board_files(enum boot_mode mode, const struct bs_known_failure *known, int *boards)
{
    const char *claimed[BS_BOARDS_MAX];
    const char *root = interop_repo_root();
    struct dirent **list = NULL;
    char dir[512];
    char path[1024];
    char rel[300];
    int failed = 0;
    int line;
    int c;
    int n;
    int i;

    *boards = 0;
    if (root == NULL) {
        fprintf(stderr, "cannot find the repository root (set BROWNOUT_ROOT)\n");
        return 1;
    }
    snprintf(dir, sizeof(dir), "%s/fixtures/boards", root);
    n = scandir(dir, &list, bs_is_ini, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: cannot list: %s\n", dir, strerror(errno));
        return 1;
    }
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        snprintf(rel, sizeof(rel), "fixtures/boards/%s", list[i]->d_name);
        list[i]->d_name[strlen(list[i]->d_name) - 4] = '\0';
        c = bs_claims(path, rel, mode, &line);
        if (c > 0 && *boards == BS_BOARDS_MAX) {
            fprintf(stderr, "%s: over %d board files: raise BS_BOARDS_MAX\n", rel, BS_BOARDS_MAX);
        }
        if (c < 0 || (c > 0 && *boards == BS_BOARDS_MAX)) {
            failed++;
        } else if (c > 0) {
            claimed[*boards] = list[i]->d_name;
            (*boards)++;
            failed +=
                bs_claimed_one(rel, line, list[i]->d_name, mode, bs_known(known, list[i]->d_name));
        }
    }
    failed += bs_stale_known(known, claimed, *boards, mode);
    for (i = 0; i < n; i++) {
        free(list[i]);
    }
    free(list);
    if (*boards == 0) {
        fprintf(stderr, "%s: no board file claims %s\n", dir, bs_claim_name(mode));
        failed++;
    }
    return failed;
}
