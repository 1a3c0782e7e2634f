/*
 * The filter and sort language over runs (docs/query.md).
 *
 *   lr < 0.01 and val_acc > 0.9 and status = finished
 *   (optimizer = adam or optimizer = adamw) and not tags.bad
 *   duration > 2h and created < 7d and name ~ "resnet*"
 *
 * Fields: name, status, host, experiment, created, started, ended, duration,
 * cost, id, uuid, source, exit_code, gpus, git_commit, git_branch;
 * params.KEY, metrics.KEY (last value) with .min .max .best .n, tags.KEY;
 * a bare KEY resolves to a param or a metric, the param when both exist.
 * A filter compiles to SQL with every value bound, never spliced.
 */
#ifndef RY_QUERY_H
#define RY_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

/* ---- fields: what a column or a sort key refers to ------------------- */

typedef enum ry_field_kind {
	RY_FIELD_BUILTIN, /* a column of runs (or derived: duration, experiment) */
	RY_FIELD_PARAM,
	RY_FIELD_METRIC,
	RY_FIELD_TAG,
} ry_field_kind;

typedef enum ry_metric_agg {
	RY_AGG_LAST, RY_AGG_MIN, RY_AGG_MAX, RY_AGG_BEST, RY_AGG_COUNT,
} ry_metric_agg;

typedef struct ry_field ry_field;

/* Resolve a field name against the workspace (bare keys need it).  Errors:
 * RY_EINVAL with a message naming the unknown or ambiguous field and the
 * choices.  Caller owns *out; free with ry_field_free (accepts NULL). */
int ry_field_parse(ry_field **out, ry_store *st, const char *name);
void ry_field_free(ry_field *f);

ry_field_kind ry_field_kind_of(const ry_field *f);
const char *ry_field_key(const ry_field *f);   /* "lr" for params.lr, "status" for status; lent */
const char *ry_field_label(const ry_field *f); /* short header text: "lr", "val_acc.max"; lent */
ry_metric_agg ry_field_agg(const ry_field *f); /* for metric fields */
bool ry_field_numeric(const ry_field *f);      /* sorts/aligns as a number */
/* The canonical name, which ry_field_parse reads back as the same field:
 * "params.lr" for a bare lr that is a param, "metrics.val_acc.max",
 * params."batch size".  Two spellings of one field share it.  Lent. */
const char *ry_field_name(const ry_field *f);
/* Whether any run has the param, metric or tag (a built-in always
 * exists): a remembered column whose key has gone reads false. */
bool ry_field_exists(ry_store *st, const ry_field *f);

/* The canonical name of the param KEY ("params.lr", params."batch size"),
 * what ry_field_name gives for it.  Caller frees. */
char *ry_field_param_name(const char *key);

/* Append text v to b as a filter value that reads back as that text: a
 * bare word where one does (adam, vit-b/16), else quoted ("two words",
 * "1.10", "and"), for filters a program writes (brushes, :sweep). */
void ry_query_put_value(ry_buf *b, const char *v);

/* ---- sort keys ------------------------------------------------------- */

/* Parse "KEY" or "KEY:asc" / "KEY:desc".  Caller frees the field. */
int ry_sort_parse(ry_field **out, bool *descending, ry_store *st, const char *spec);

/* ---- filters --------------------------------------------------------- */

typedef struct ry_query ry_query;

/* Parse, resolve and compile a filter expression.  Errors: RY_EINVAL with a
 * two-or-three line message: what was expected, the expression, a caret
 * under the column ("filter: expected a value after '>' at column 6").
 * Caller owns *out; free with ry_query_free (accepts NULL). */
int ry_query_compile(ry_query **out, ry_store *st, const char *expr);
void ry_query_free(ry_query *q);

/* The compiled SQL condition over `runs AS r` (for tests and debugging);
 * contains only ? placeholders for values.  Lent. */
const char *ry_query_sql(const ry_query *q);

/* The fields the filter reads, by canonical name (ry_field_name), each
 * once, in the order they first appear; what a table shows as columns so
 * that a filter's keys are visible.  NULL past the end.  Lent. */
size_t ry_query_nfields(const ry_query *q);
const char *ry_query_field(const ry_query *q, size_t i);

/* 1-based column of the last parse error, 0 if none (for the TUI's inline
 * error marker). */
int ry_query_error_column(void);

#endif
