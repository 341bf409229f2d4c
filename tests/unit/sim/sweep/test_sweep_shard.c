/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of `--shard auto` (sim/sweep/sweep_shard.c) on a fake environment: each engine's
 * variables, the precedence between engines, and the refusals (nothing set, no count, an index
 * out of range, a value that is not a number).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bo_err.h"
#include "sweep/sweep_shard.h"

/* The fake environment: NULL-terminated NAME=VALUE strings. */
static const char *const *test_env;

static char *test_getenv(const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; test_env[i] != NULL; i++) {
        if (strncmp(test_env[i], name, n) == 0 && test_env[i][n] == '=') {
            return (char *)test_env[i] + n + 1;
        }
    }
    return NULL;
}

/* Runs sweep_shard_auto() on env; expects I/N, or a refusal (index 0) whose line holds what. */
static void expect_shard(const char *const *env, uint32_t index, uint32_t count, const char *what)
{
    char err[256] = "";
    uint32_t i = 99;
    uint32_t n = 99;
    int rc;

    test_env = env;
    rc = sweep_shard_auto(test_getenv, &i, &n, err, sizeof(err));
    if (index == 0) {
        assert_int_equal(rc, BO_EINVAL);
        assert_non_null(strstr(err, what));
        assert_int_equal(i, 99);
        assert_int_equal(n, 99);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, index);
    assert_int_equal(n, count);
}

static void test_each_engine(void **state)
{
    (void)state;
    expect_shard((const char *[]){ "BROWNOUT_SHARD_INDEX=3", "BROWNOUT_SHARD_COUNT=4", NULL }, 3, 4,
                 NULL);
    expect_shard((const char *[]){ "JOB_COMPLETION_INDEX=0", "BROWNOUT_SHARD_COUNT=8", NULL }, 1, 8,
                 NULL);
    expect_shard((const char *[]){ "SLURM_ARRAY_TASK_ID=7", "SLURM_ARRAY_TASK_COUNT=8", NULL }, 8,
                 8, NULL);
    expect_shard((const char *[]){ "SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_MIN=1",
                                   "SLURM_ARRAY_TASK_COUNT=8", NULL },
                 1, 8, NULL);
    expect_shard((const char *[]){ "CI_NODE_INDEX=2", "CI_NODE_TOTAL=2", NULL }, 2, 2, NULL);
    expect_shard((const char *[]){ "PARALLEL_SEQ=5", "BROWNOUT_SHARD_COUNT=5", NULL }, 5, 5, NULL);
}

static void test_precedence(void **state)
{
    (void)state;
    /* The explicit pair wins over every engine; then Kubernetes, Slurm, GitLab, GNU parallel. */
    expect_shard((const char *[]){ "PARALLEL_SEQ=1", "CI_NODE_INDEX=1", "CI_NODE_TOTAL=4",
                                   "BROWNOUT_SHARD_INDEX=4", "BROWNOUT_SHARD_COUNT=4", NULL },
                 4, 4, NULL);
    expect_shard((const char *[]){ "SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=4",
                                   "JOB_COMPLETION_INDEX=2", "BROWNOUT_SHARD_COUNT=4", NULL },
                 3, 4, NULL);
    expect_shard((const char *[]){ "CI_NODE_INDEX=1", "CI_NODE_TOTAL=4", "SLURM_ARRAY_TASK_ID=1",
                                   "SLURM_ARRAY_TASK_COUNT=4", NULL },
                 2, 4, NULL);
    expect_shard((const char *[]){ "PARALLEL_SEQ=1", "BROWNOUT_SHARD_COUNT=4", "CI_NODE_INDEX=3",
                                   "CI_NODE_TOTAL=4", NULL },
                 3, 4, NULL);
}

static void test_refusals(void **state)
{
    (void)state;
    expect_shard((const char *[]){ "BROWNOUT_SHARD_COUNT=4", NULL }, 0, 0,
                 "no shard index in the environment");
    expect_shard((const char *[]){ "PARALLEL_SEQ=1", NULL }, 0, 0,
                 "PARALLEL_SEQ (GNU parallel) is set but not the shard count BROWNOUT_SHARD_COUNT");
    expect_shard((const char *[]){ "JOB_COMPLETION_INDEX=4", "BROWNOUT_SHARD_COUNT=4", NULL }, 0, 0,
                 "JOB_COMPLETION_INDEX=4 is not one of 4 shards counted from 0");
    expect_shard((const char *[]){ "SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_MIN=1",
                                   "SLURM_ARRAY_TASK_COUNT=4", NULL },
                 0, 0, "SLURM_ARRAY_TASK_ID=0 is not one of 4 shards counted from 1");
    expect_shard((const char *[]){ "CI_NODE_INDEX=0", "CI_NODE_TOTAL=4", NULL }, 0, 0,
                 "CI_NODE_INDEX=0 is not one of 4");
    expect_shard((const char *[]){ "CI_NODE_INDEX=1", "CI_NODE_TOTAL=0", NULL }, 0, 0,
                 "is not one of 0 shards");
    expect_shard((const char *[]){ "CI_NODE_INDEX=1x", "CI_NODE_TOTAL=4", NULL }, 0, 0,
                 "CI_NODE_INDEX='1x' is not a number");
    expect_shard((const char *[]){ "BROWNOUT_SHARD_INDEX=1", "BROWNOUT_SHARD_COUNT=", NULL }, 0, 0,
                 "BROWNOUT_SHARD_COUNT='' is not a number");
    expect_shard((const char *[]){ "BROWNOUT_SHARD_INDEX=0x10", "BROWNOUT_SHARD_COUNT=99", NULL },
                 0, 0, "BROWNOUT_SHARD_INDEX='0x10' is not a number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_engine),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
