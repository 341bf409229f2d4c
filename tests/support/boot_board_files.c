/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Permanent upgrades on the shipped board files of fixtures/boards (see boot_scenarios.h).
 */
#include "boot_scenarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "boot_fixture.h"
#include "boot_scenarios_int.h"
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
