/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads for the host programs. */
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"

int fileio_read_all(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                    size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t n = 0;
    int rc = 0;

    if (f == NULL) {
        if (err != NULL) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        }
        return BO_EOS;
    }
    for (;;) {
        size_t got;

        if (cap - n < 2) {
            size_t next = cap == 0 ? 65536 : cap * 2;
            uint8_t *grown;

            if (n > max) {
                rc = BO_ERANGE;
                break;
            }
            grown = realloc(buf, next);
            if (grown == NULL) {
                rc = BO_ENOMEM;
                break;
            }
            buf = grown;
            cap = next;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        rc = BO_EOS;
    }
    if (rc == 0 && n > max) {
        rc = BO_ERANGE;
    }
    if (!is_stdin) {
        fclose(f);
    }
    if (rc < 0) {
        if (err != NULL) {
            snprintf(err, errlen, "%s: %s", path,
                     rc == BO_ERANGE   ? "too large"
                     : rc == BO_ENOMEM ? "out of memory"
                                       : "read error");
        }
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
