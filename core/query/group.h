/*
 * Grouped listings for both front ends: the runs of a listing (runlist.h)
 * put into groups by one field (a param, a tag, a built-in field) or by
 * their config, with count, mean, std, median and IQR of each asked-for
 * column per group.  Computed in C over the cells ry_runlist_fetch reads
 * (one index scan per column at 100k runs), never per group in SQL.
 *
 * The config rule (`config`, or its spelling `-seed`): two runs are in one
 * group when their params are equal except the seed-like ones, so the
 * seeds of one config collapse into a line.  A param is seed-like when its
 * key, ignoring case, is `seed` or `random_state`, ends in `_seed` or
 * `.seed`, or starts with `seed_` (ry_group_seed_like).
 *
 * It does not format: tui/text/present.c writes "mean ± std" for both.
 */
#ifndef RY_GROUP_H
#define RY_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/query.h"
#include "store/store.h"

/* Whether a param key is seed-like (the config rule above). */
bool ry_group_seed_like(const char *key);

/* Whether a group key names the config rule ("config" or "-seed"). */
bool ry_group_key_is_config(const char *key);

/* Aggregates of one column over one group's runs.  Only finite numbers
 * count: a run without the value, with text, or with NaN/inf adds to
 * nmissing.  With n == 0 every figure is NaN; std (sample, n - 1) is NaN
 * for n == 1.  Quantiles interpolate linearly (numpy's default). */
typedef struct ry_group_stats {
	size_t n;        /* finite values */
	size_t nmissing; /* runs of the group without one */
	double mean, std, min, max;
	double median, q1, q3; /* IQR = q3 - q1 */
} ry_group_stats;

typedef struct ry_grouping ry_grouping;

/* Group runs ids[0..n) by `key` (a field name as ry_field_parse reads it,
 * or "config" / "-seed"), aggregating fields[0..nfields).  Groups come
 * ordered by value (numbers by value before text), runs without the key
 * last as one group whose value is NULL; runs keep their order from ids
 * inside a group.  Errors: RY_EINVAL for an unknown key (message from
 * ry_field_parse).  Caller owns *out; ry_grouping_free accepts NULL. */
int ry_grouping_open(ry_grouping **out, ry_store *st, const int64_t *ids, size_t n, const char *key,
                     ry_field *const *fields, size_t nfields);
void ry_grouping_free(ry_grouping *g);

/* Re-order the groups by the mean of column j (groups without a value
 * last in both directions, ties by value order); j >= nfields restores
 * the value order. */
void ry_grouping_sort(ry_grouping *g, size_t j, bool descending);

size_t ry_grouping_count(const ry_grouping *g);          /* groups; 0 for NULL */
size_t ry_grouping_nfields(const ry_grouping *g);
/* The group's value as text ("adam", "0.01", for config "lr=0.01
 * optimizer=adam"), raw (sanitise before showing); NULL for the runs
 * without the key.  Lent. */
const char *ry_grouping_value(const ry_grouping *g, size_t i);
size_t ry_grouping_nruns(const ry_grouping *g, size_t i);
const int64_t *ry_grouping_ids(const ry_grouping *g, size_t i); /* lent, nruns entries */
const ry_group_stats *ry_grouping_stats(const ry_grouping *g, size_t i, size_t j); /* lent */
/* A filter (query language) that selects group i of a field grouping, e.g.
 * `params.optimizer = "adam"` or `not params.optimizer`; NULL for a
 * config grouping, which no filter spells.  Caller frees. */
char *ry_grouping_filter(const ry_grouping *g, size_t i);

/* Aggregate vals[0..n) (any order; sorted in place) into *s: the
 * computation ry_grouping_open does per group and column, for tests. */
void ry_group_stats_compute(ry_group_stats *s, double *vals, size_t n, size_t nmissing);

/* ---- a group's curve -------------------------------------------------- */

/* One step of a group's curve: the runs' values of one metric at exactly
 * that step (runs of one config log the same steps), finite ones only. */
typedef struct ry_group_point {
	int64_t step;
	size_t n;                    /* runs with a finite value there */
	double mean, std, min, max;  /* std: sample (n - 1), NaN for n == 1 */
} ry_group_point;

/* The curve of metric `key` over runs ids[0..n): one point per step any
 * of them logged, ascending.  *out: caller frees (free); *np may be 0. */
int ry_group_curve(ry_store *st, const int64_t *ids, size_t n, const char *key, ry_group_point **out,
                   size_t *np);

#endif
