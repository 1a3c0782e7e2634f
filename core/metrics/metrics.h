/*
 * Metric series: ingest (batched, chunked) and read-back (full histories and
 * per-run summaries).  Layout and the reasons for it: docs/storage.md.
 *
 * Values are doubles; NaN and +-inf are stored faithfully in histories and
 * ignored by min/max summaries.  Steps are int64; timestamps Unix seconds.
 */
#ifndef RY_METRICS_H
#define RY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* At most this many points per stored chunk (the unit of encoding and of
 * reading); fewer where their blob would outgrow a B-tree cell (~1 KB). */
#define RY_METRICS_CHUNK 1024

typedef struct ry_point {
	int64_t step;
	double ts;    /* Unix seconds, millisecond precision when stored */
	double value; /* may be NaN or +-inf */
} ry_point;

typedef struct ry_metric_summary {
	char *key;          /* owned by the array */
	int64_t n;          /* number of points */
	int64_t last_step;
	double last;        /* NaN when the last value was not finite */
	double min, max;    /* over finite values; NaN when there are none */
	double first_ts, last_ts;
} ry_metric_summary;

/* ---- ingest ---------------------------------------------------------- */

typedef struct ry_metrics_writer ry_metrics_writer;

/* A writer buffers points in memory and writes them in chunks; it appends to
 * series already in the store (another process's, too).  Caller owns *out. */
int ry_metrics_writer_new(ry_metrics_writer **out, ry_store *st);

/* Buffer one point.  Points of one (run, key) should come in step order;
 * out-of-order points are kept (histories are returned in insertion order). */
int ry_metrics_append(ry_metrics_writer *w, int64_t run_id, const char *key,
                      int64_t step, double ts, double value);

/* Write everything buffered in one transaction (joining the caller's if one
 * is open) and update the summaries.  Call it per batch, e.g. every 0.5 s. */
int ry_metrics_flush(ry_metrics_writer *w);

/* Number of points buffered and not yet flushed. */
size_t ry_metrics_pending(const ry_metrics_writer *w);

/* Free the writer; points not flushed are discarded.  Accepts NULL. */
void ry_metrics_writer_free(ry_metrics_writer *w);

/* ---- read-back ------------------------------------------------------- */

/* The full history of one metric of one run, in insertion order.  *out is a
 * malloc'd array the caller frees with free(); *n may be 0 (no such metric
 * is not an error). */
int ry_metrics_read(ry_store *st, int64_t run_id, const char *key, ry_point **out, size_t *n);

/* The same into a buffer the caller keeps and reuses: *buf (malloc'd, *cap
 * entries, may start NULL/0) grows as needed and stays the caller's to
 * free, whatever is returned.  Reusing one buffer for many histories
 * spares the page faults of fresh memory. */
int ry_metrics_read_into(ry_store *st, int64_t run_id, const char *key, ry_point **buf, size_t *cap,
                         size_t *n);

/* The points of a history from index `from` on (the first `from` points,
 * in insertion order, are skipped), into *buf as ry_metrics_read_into
 * does; *n is how many.  A live chart that has `from` points already reads
 * only the new ones: chunks wholly before `from` are not decoded (their
 * blobs are not even read). */
int ry_metrics_read_since(ry_store *st, int64_t run_id, const char *key, size_t from, ry_point **buf,
                          size_t *cap, size_t *n);

/* Summaries of every metric of a run, sorted by key.  Free with
 * ry_metric_summaries_free. */
int ry_metrics_summaries(ry_store *st, int64_t run_id, ry_metric_summary **out, size_t *n);
void ry_metric_summaries_free(ry_metric_summary *s, size_t n);

/* Distinct metric keys, of one experiment (experiment_id > 0) or of all.
 * Sorted; free with ry_strings_free (util.h). */
int ry_metrics_keys(ry_store *st, int64_t experiment_id, char ***out, size_t *n);

/* Which direction is better for a metric: +1 higher (accuracy, f1, auc,
 * map, bleu...), -1 lower (loss, error, perplexity, rmse, wer...), 0
 * neither (lr, epoch, grad_norm, *_runtime, *_per_second, time, mfu...: no
 * best and no verdict).  ry_metric_goal_guess reads the name alone
 * (prefixes and suffixes such as train/, val_, valid_0's, /epoch, (B) do
 * not matter); a NULL key guesses +1. */
int ry_metric_goal_guess(const char *key);

/* Where a metric's goal comes from. */
typedef enum ry_goal_source {
	RY_GOAL_GUESSED,    /* the name */
	RY_GOAL_WORKSPACE,  /* the workspace setting metric.KEY.goal */
	RY_GOAL_EXPERIMENT, /* the experiment's setting metric.KEY.goal */
} ry_goal_source;

/* The goal of a metric of experiment experiment_id (0: none in particular):
 * the experiment's setting "metric.KEY.goal" = max|min|none, else the
 * workspace's, else the guess.  st may be NULL to guess only; src may be
 * NULL. */
int ry_metric_goal_source(ry_store *st, int64_t experiment_id, const char *key, ry_goal_source *src);
/* What a front end calls a source: "guessed from the name", "workspace",
 * "experiment".  A static string. */
const char *ry_metric_goal_source_name(ry_goal_source src);
int ry_metric_goal_in(ry_store *st, int64_t experiment_id, const char *key);
/* The goal for runs side by side (compare), given their experiments'
 * ids: that experiment's when all share one, else the workspace's. */
int ry_metric_goal_of_runs(ry_store *st, const int64_t *experiment_ids, size_t n, const char *key);
/* The same for the workspace as a whole (no experiment's setting). */
int ry_metric_goal(ry_store *st, const char *key);

/* Whether the workspace names a direction for this metric (metric.KEY.goal
 * is max or min), rather than the name heuristic deciding: a metric someone
 * set a goal for is one they watch.  False for a NULL st or key. */
bool ry_metric_goal_set(ry_store *st, const char *key);

/* Save the goal of metric KEY -- "max", "min" or "none" (also higher,
 * lower, neither), or NULL to forget it -- for experiment experiment_id
 * (> 0) or for the workspace (0).  RY_EINVAL for another word. */
int ry_metric_goal_save(ry_store *st, int64_t experiment_id, const char *key, const char *goal);

/* Read a goal word (max/higher, min/lower, none/neither, any case) into
 * *goal; false for NULL or another word. */
bool ry_metric_goal_parse(const char *word, int *goal);

/* The word for a goal: "max" for +1, "min" for -1, "none" for 0 (what
 * `show`, `compare` and --json print, and what metric.KEY.goal takes; a
 * gate METRIC:max takes the first two). */
const char *ry_metric_goal_name(int goal);

/* Whether a is strictly better than b under goal (NaN is never better;
 * nothing is better under goal 0). */
bool ry_metric_better(int goal, double a, double b);

/* Index of the best of v[0..n) under goal, or -1 when no value is finite or
 * when two or more share the best: a tie has no best, marking one of them
 * would claim a difference.  Always -1 under goal 0.  NaN and infinities are skipped.  What compare
 * marks as best, in the CLI and the TUI. */
long ry_metric_best_index(const double *v, size_t n, int goal);

/* A summary's best value under goal: its max or its min; NaN for NULL or
 * goal 0 (no best). */
double ry_metric_summary_best(const ry_metric_summary *s, int goal);

/* Bytes used by stored metric chunks and the number of points in them. */
int ry_metrics_storage(ry_store *st, int64_t *bytes, int64_t *points);

#endif
