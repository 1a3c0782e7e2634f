/*
 * Which keys of an experiment's runs tell them apart: the params that vary
 * between them and the metrics people watch.  What a table shows by
 * default comes from here; how many of them fit is the front end's call.
 */
#ifndef RY_KEYS_H
#define RY_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* How many of an experiment's newest runs tell what varies in it. */
#define RY_KEYS_SAMPLE 500

/* Params that take two or more values among the runs of the workspace
 * (experiment_id 0: every run, two index seeks per key) or of one
 * experiment (> 0: its newest RY_KEYS_SAMPLE runs, all of a smaller one),
 * sorted by key.  A param with one value wherever it is set is left out,
 * and so is one set on a single run only (nothing to compare it with).
 * *out: caller frees with ry_strings_free (util.h); *n may be 0. */
int ry_keys_varying_params(ry_store *st, int64_t experiment_id, char ***out, size_t *n);

/* The main metrics of one experiment (its newest RY_KEYS_SAMPLE runs) or
 * of the workspace (0): those whose goal
 * the workspace names (metric.KEY.goal), then the validation ones (val_..., val/...,
 * valid_..., validation_...), then loss — each group sorted by key.  When
 * none is main, every metric, sorted.  Free as above. */
int ry_keys_main_metrics(ry_store *st, int64_t experiment_id, char ***out, size_t *n);

#endif
