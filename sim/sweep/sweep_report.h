/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sweep_report.h
 * \brief Reporting of power-fail sweep results: the summary table, JSON (mergeable across
 *        shards), JUnit XML, the progress bar, and the merge of shard results.
 */
#ifndef SIM_SWEEP_REPORT_H
#define SIM_SWEEP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "sweep/sweep.h"

/** \brief Prints the summary: cut points, outcomes per fault model, failures and replay IDs. */
void sweep_report_summary(FILE *out, const struct sweep_result *res);

/**
 * \brief Writes res as one JSON object (every outcome, in task order).
 * \return 0, BO_ENOMEM or BO_EOS.
 */
int sweep_report_json(FILE *out, const struct sweep_result *res);

/**
 * \brief Reads a JSON result written by sweep_report_json().
 * \return 0, BO_EOS (unreadable), BO_EINVAL (not a sweep result; err says why), BO_ENOMEM.
 */
int sweep_report_load(const char *path, struct sweep_result *res, char *err, size_t err_len);

/**
 * \brief Merges shard results (same sweep, disjoint shards of the same count) into out, as the
 *        unsharded sweep would have reported them (shard 1/1).
 * \return 0, BO_EINVAL (they are not shards of one sweep, or overlap; err says why), BO_ENOMEM.
 */
int sweep_report_merge(const struct sweep_result *parts, size_t n, struct sweep_result *out,
                       char *err, size_t err_len);

/**
 * \brief Writes JUnit XML: one testsuite, one testcase per cut point; failures carry the
 *        invariant, the reason and the replay ID.
 * \return 0 or BO_EOS.
 */
int sweep_report_junit(const char *path, const struct sweep_result *res);

/** \brief Draws a progress bar on out (a terminal): done of total. */
void sweep_report_progress(FILE *out, unsigned long long done, unsigned long long total);

/** \brief Number of failed outcomes. */
size_t sweep_report_failures(const struct sweep_result *res);

#endif /* SIM_SWEEP_REPORT_H */
