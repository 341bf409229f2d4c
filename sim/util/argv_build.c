/* SPDX-License-Identifier: Apache-2.0 */
/* Command lines for exec: formatted arguments in a growing, NULL-terminated array. */
#include "util/argv_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "util/grow.h"

void argv_build_init(struct argv_build *b)
{
    memset(b, 0, sizeof(*b));
}

/* Makes room for one more argument and the NULL after it. \return 0 or BO_ENOMEM. */
static int argv_build_room(struct argv_build *b)
{
    void *arr = b->argv;
    /* Slots in use: the arguments and their NULL (none before the first allocation). */
    uint32_t used = b->argv != NULL ? b->argc + 1 : 0;
    int rc = grow_one(&arr, &b->cap, used, sizeof(*b->argv), 16);

    b->argv = arr;
    return rc;
}

int argv_build_add(struct argv_build *b, const char *fmt, ...)
{
    va_list ap;
    char *arg = NULL;
    int n;
    int rc = b->rc;

    if (rc < 0) {
        goto out;
    }
    rc = argv_build_room(b);
    if (rc < 0) {
        goto out;
    }
    va_start(ap, fmt);
    n = vasprintf(&arg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        rc = BO_ENOMEM;
        goto out;
    }
    b->argv[b->argc++] = arg;
    b->argv[b->argc] = NULL;
out:
    b->rc = rc;
    return rc;
}

char **argv_build_argv(struct argv_build *b)
{
    if (b->rc == 0 && b->argv == NULL) {
        b->rc = argv_build_room(b);
        if (b->rc == 0) {
            b->argv[0] = NULL;
        }
    }
    return b->rc == 0 ? b->argv : NULL;
}

void argv_build_free(struct argv_build *b)
{
    for (uint32_t i = 0; i < b->argc; i++) {
        free(b->argv[i]);
    }
    free(b->argv);
    argv_build_init(b);
}
