/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The replay flavour of a harness: a main that feeds each file named on the command line (or
 * each regular file of a named directory, in name order) to LLVMFuzzerTestOneInput() once,
 * from a heap buffer of exactly its size, so AddressSanitizer sees any read past the input.
 *
 *   TARGET-replay [-v] PATH...
 *
 * -v prints each file before it runs (to find the input of a crash). Exits 0 when every input
 * ran, 1 when a path cannot be read; a crash or a failed oracle aborts the process.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_common.h"

static int fuzz_replay_verbose;

static double fuzz_replay_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one file. Returns 0, or -1 when it cannot be read. */
static int fuzz_replay_file(const char *path, unsigned long *count)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t len = 0;
    double t0;
    double dt;

    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    for (;;) {
        size_t n;

        if (len == cap) {
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            uint8_t *nb = realloc(buf, ncap);

            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    fclose(f);
    /* An exact-size copy: a read one byte past the input is a heap overflow. */
    {
        uint8_t *exact = malloc(len == 0 ? 1 : len);

        if (exact == NULL) {
            free(buf);
            return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        buf = exact;
    }
    if (fuzz_replay_verbose) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    }
    t0 = fuzz_replay_now();
    LLVMFuzzerTestOneInput(buf, len);
    dt = fuzz_replay_now() - t0;
    if (dt > 1.0) {
        fprintf(stderr, "replay: %s took %.1f s (a hang under AFL++'s default timeout)\n", path,
                dt);
    }
    free(buf);
    (*count)++;
    return 0;
}

static int fuzz_replay_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of a directory, in name order. */
static int fuzz_replay_dir(const char *dir, unsigned long *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    size_t i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap == 0 ? 64 : cap * 2;
            char **nn = realloc(names, ncap * sizeof(*nn));

            if (nn == NULL) {
                rc = -1;
                break;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] == NULL) {
            rc = -1;
            break;
        }
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0) {
        qsort(names, n, sizeof(*names), fuzz_replay_cmp);
    }
    for (i = 0; i < n; i++) {
        struct stat st;

        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc = fuzz_replay_file(names[i], count);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned long count = 0;
    int i;
    int rc = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc && rc == 0; i++) {
        struct stat st;

        if (strcmp(argv[i], "-v") == 0) {
            fuzz_replay_verbose = 1;
            continue;
        }
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s does not exist\n", argv[i]);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = fuzz_replay_dir(argv[i], &count);
        } else {
            rc = fuzz_replay_file(argv[i], &count);
        }
    }
    if (rc != 0) {
        return 1;
    }
    printf("replay: %lu inputs ran clean\n", count);
    return 0;
}
