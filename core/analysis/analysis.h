/*
 * Analysis over many runs: the runs a filter shows laid out as a table of
 * columns (chosen params or metric summaries, and one target metric), and
 * the statistics that say which params move the metric (Pearson, Spearman,
 * the correlation ratio eta and Kruskal-Wallis H).  Both front ends read
 * it: the parallel-coordinates and scatter screens, `runyard parallel` and
 * `runyard importance`.  It computes; how anything looks is theirs.
 */
#ifndef RY_ANALYSIS_H
#define RY_ANALYSIS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One column: a field's value for every run of the table. */
typedef struct ry_analysis_col {
	char *name;    /* canonical field name ("params.lr"), what a filter reads back; owned */
	char *label;   /* short header ("lr", "val_acc.max"); owned */
	bool numeric;  /* every value present is a number */
	double *num;   /* n values, NaN where missing (numeric columns) */
	int32_t *code; /* other columns: n indexes into values, -1 where missing */
	char **values; /* other columns: the distinct values (numbers as text), in strcmp order */
	size_t nvalues;
} ry_analysis_col;

typedef struct ry_analysis {
	size_t n;               /* runs */
	int64_t *ids;           /* their ids, in the listing's order */
	char **names;           /* their names (raw: sanitise before showing); NULL entries possible */
	ry_analysis_col *cols;  /* the chosen fields, in order */
	size_t ncols;
	ry_analysis_col metric; /* the target metric; always numeric */
	int goal;               /* its goal: +1 higher is better, -1 lower, 0 none */
} ry_analysis;

/* Read the runs of experiment_id (0: every run) that filter (NULL or "":
 * all) lets through, with the fields named (bare keys resolved as a filter
 * does; NULL or nfields 0: the experiment's varying params) and the target
 * metric (a metric field such as "val_acc" or "val_acc.max"; NULL: the
 * first of the experiment's main metrics that has a goal).  Errors:
 * RY_EINVAL for a bad filter or field, or no metric to default to; a
 * metric name that is not a metric is refused.  Caller owns *out and frees
 * it with ry_analysis_free (accepts NULL). */
int ry_analysis_load(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                     const char *const *fields, size_t nfields, const char *metric);
void ry_analysis_free(ry_analysis *a);
/* The same over the newest `limit` of those runs only (0: all): a sample
 * to choose from (which params to show) without reading every run. */
int ry_analysis_load_newest(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                            const char *const *fields, size_t nfields, const char *metric, size_t limit);

/* How a load reports and stops, for a front end that loads on a thread of
 * its own.  The load is one run listing, then one read per column (each a
 * single scan of its key, however many runs): progress is called after
 * the listing (done 0) and after each column, on the loading thread. */
typedef struct ry_analysis_load_options {
	unsigned version;     /* 1 */
	size_t limit;         /* the newest `limit` runs only; 0: all */
	/* done of total column reads finished, over nruns runs; may be NULL */
	void (*progress)(void *payload, size_t done, size_t total, size_t nruns);
	void *payload;
	/* Set (non-zero, from any thread): the load stops at the next column
	 * and fails with RY_ERROR, "cancelled".  NULL: never. */
	const atomic_int *cancel;
	bool no_names;        /* leave names NULL (one read of every run's name less) */
} ry_analysis_load_options;
#define RY_ANALYSIS_LOAD_OPTIONS_INIT { 1, 0, NULL, NULL, NULL, false }

/* ry_analysis_load with options (NULL: the defaults). */
int ry_analysis_load_with(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                          const char *const *fields, size_t nfields, const char *metric,
                          const ry_analysis_load_options *opts);

/* The params worth an axis when none are named: by importance against the
 * metric, at most max of them, among those the runs share (a line needs a
 * value on every axis, and two experiments' params seldom meet) -- taken
 * while the runs that have all of them stay at least half as many as the
 * most common param has.  Canonical names into *out (caller frees with
 * ry_strings_free); *n may be 0. */
void ry_analysis_shared_params(const ry_analysis *a, size_t max, char ***out, size_t *n);

/* Index of the best run under the metric's goal, -1 when none or a tie
 * (ry_metric_best_index). */
long ry_analysis_best(const ry_analysis *a);

/* ---- statistics (NaN pairs skipped) --------------------------------------- */

/* Average ranks, 1-based (ties share the mean of their places) of the n
 * values; NaN values get NaN and take no place. */
void ry_stats_ranks(const double *v, size_t n, double *ranks);
/* Pearson's r over the pairs where both are finite; NaN with fewer than 3
 * pairs or a constant side. */
double ry_stats_pearson(const double *x, const double *y, size_t n);
/* Spearman's rho: Pearson's r of the average ranks of those pairs. */
double ry_stats_spearman(const double *x, const double *y, size_t n);
/* For groups 0..ngroups-1 (group[i] < 0 or y[i] not finite: left out):
 * the correlation ratio eta = sqrt(SS_between / SS_total), and
 * Kruskal-Wallis H with the tie correction, H / (1 - sum(t^3 - t) /
 * (N^3 - N)).  NaN with fewer than 2 non-empty groups or 3 values. */
double ry_stats_eta(const int *group, const double *y, size_t n, int ngroups);
double ry_stats_kruskal(const int *group, const double *y, size_t n, int ngroups);

/* ---- parameter importance ------------------------------------------------- */

typedef struct ry_importance {
	char *label;        /* the column's short header; owned */
	bool categorical;
	size_t n;           /* runs with both the value and the metric */
	int ngroups;        /* categorical: distinct values */
	double pearson, spearman; /* numeric; NaN for categorical */
	double eta, kw_h;   /* categorical; NaN for numeric */
	double effect;      /* the sort key: |spearman|, or sqrt(H / (n - 1)) for a categorical
	                       column (the rank-based epsilon, 0..1 as |rho| is); NaN sorts last */
} ry_importance;

/* One row per column of a, sorted by effect, largest first.  Caller
 * frees with ry_importance_free.  Never fails. */
void ry_analysis_importance(const ry_analysis *a, ry_importance **out, size_t *n);
void ry_importance_free(ry_importance *v, size_t n);

#endif
