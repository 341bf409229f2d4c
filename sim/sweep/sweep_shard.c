/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `--shard auto`: the batch engines that start one process per shard each tell the process its
 * place in an environment variable; this maps them to the sweep's 1-based I/N
 * (docs/distributed.md lists the engines and their precedence).
 */
#include "sweep/sweep_shard.h"

#include <stdbool.h>

#include "bo_err.h"
#include "util/errbuf.h"
#include "util/num.h"

/* Most shards a sweep takes (the same bound as --shard I/N's 32-bit numbers). */
#define SWEEP_SHARD_MAX 1000000u

/* One engine: where it puts the index, from which number it counts, and where the count is. */
struct sweep_shard_engine {
    const char *what;  /* The engine, for messages. */
    const char *index; /* Variable holding the index. */
    uint32_t base;     /* The index of the first shard (0 or 1). */
    const char *min;   /* Variable holding the first index instead of base, or NULL. */
    const char *count; /* Variable holding the count, or NULL: BROWNOUT_SHARD_COUNT. */
};

/* The engines in order of precedence: the explicit variables first, then the engines. */
static const struct sweep_shard_engine sweep_shard_engines[] = {
    { "brownout", "BROWNOUT_SHARD_INDEX", 1, NULL, NULL },
    { "Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", 0, NULL, NULL },
    { "Slurm job array", "SLURM_ARRAY_TASK_ID", 0, "SLURM_ARRAY_TASK_MIN",
      "SLURM_ARRAY_TASK_COUNT" },
    { "GitLab parallel job", "CI_NODE_INDEX", 1, NULL, "CI_NODE_TOTAL" },
    { "GNU parallel", "PARALLEL_SEQ", 1, NULL, NULL },
};

/* Reads the number in the variable name. \return 0, or BO_EINVAL with err set. */
static int sweep_shard_number(sweep_shard_getenv_fn get, const char *name, uint64_t *v, char *err,
                              size_t err_len)
{
    const char *s = get(name);

    if (s == NULL || num_parse_u64(s, 10, SWEEP_SHARD_MAX, v) != 0) {
        return errbuf_fail(err, err_len, BO_EINVAL, "--shard auto: %s='%s' is not a number 0..%u",
                           name, s != NULL ? s : "", SWEEP_SHARD_MAX);
    }
    return 0;
}

/* The shard I/N of one engine whose index variable is set. \return 0, or BO_EINVAL. */
static int sweep_shard_of(const struct sweep_shard_engine *e, sweep_shard_getenv_fn get,
                          uint32_t *index, uint32_t *count, char *err, size_t err_len)
{
    const char *count_var = e->count != NULL ? e->count : "BROWNOUT_SHARD_COUNT";
    uint64_t base = e->base;
    uint64_t i;
    uint64_t n;
    int rc = sweep_shard_number(get, e->index, &i, err, err_len);

    if (rc == 0 && e->min != NULL && get(e->min) != NULL) {
        rc = sweep_shard_number(get, e->min, &base, err, err_len);
    }
    if (rc == 0 && get(count_var) == NULL) {
        return errbuf_fail(err, err_len, BO_EINVAL,
                           "--shard auto: %s (%s) is set but not the shard count %s", e->index,
                           e->what, count_var);
    }
    if (rc == 0) {
        rc = sweep_shard_number(get, count_var, &n, err, err_len);
    }
    if (rc == 0 && (i < base || n == 0 || i - base >= n)) {
        rc = errbuf_fail(err, err_len, BO_EINVAL,
                         "--shard auto: %s=%llu is not one of %llu shards counted from %llu (%s)",
                         e->index, (unsigned long long)i, (unsigned long long)n,
                         (unsigned long long)base, count_var);
    }
    if (rc == 0) {
        *index = (uint32_t)(i - base + 1);
        *count = (uint32_t)n;
    }
    return rc;
}

int sweep_shard_auto(sweep_shard_getenv_fn get, uint32_t *index, uint32_t *count, char *err,
                     size_t err_len)
{
    size_t i;

    for (i = 0; i < sizeof(sweep_shard_engines) / sizeof(sweep_shard_engines[0]); i++) {
        if (get(sweep_shard_engines[i].index) != NULL) {
            return sweep_shard_of(&sweep_shard_engines[i], get, index, count, err, err_len);
        }
    }
    return errbuf_fail(err, err_len, BO_EINVAL,
                       "--shard auto: no shard index in the environment (BROWNOUT_SHARD_INDEX, "
                       "JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, CI_NODE_INDEX or PARALLEL_SEQ)");
}
