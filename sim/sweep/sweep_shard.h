/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_shard.h
 * \brief `brownout sweep --shard auto`: the shard index and count that a batch engine sets in
 *        the environment (docs/distributed.md).
 */
#ifndef SIM_SWEEP_SHARD_H
#define SIM_SWEEP_SHARD_H

#include <stddef.h>
#include <stdint.h>

/** A function that reads an environment variable, as getenv() does. */
typedef char *(*sweep_shard_getenv_fn)(const char *name);

/**
 * \brief Finds the shard of this process in the environment. The first engine whose index
 *        variable is set wins: BROWNOUT_SHARD_INDEX, Kubernetes' JOB_COMPLETION_INDEX, Slurm's
 *        SLURM_ARRAY_TASK_ID, GitLab's CI_NODE_INDEX, then GNU parallel's PARALLEL_SEQ. The
 *        count is the engine's own (SLURM_ARRAY_TASK_COUNT, CI_NODE_TOTAL) where it has one, else
 *        BROWNOUT_SHARD_COUNT.
 * \param get    Reads a variable (getenv, or a table in tests).
 * \param index  The 1-based shard index.
 * \param count  The number of shards.
 * \param err    One line naming the variables, on failure.
 * \return 0, or BO_EINVAL when no index is set, a count is missing, or a value is malformed.
 */
int sweep_shard_auto(sweep_shard_getenv_fn get, uint32_t *index, uint32_t *count, char *err,
                     size_t err_len);

#endif /* SIM_SWEEP_SHARD_H */
