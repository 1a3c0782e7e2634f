/*
 * Run listing for both front ends: a filtered, sorted list of run ids
 * computed in one query, and cell values fetched for just the rows and
 * columns that are shown (the TUI fetches one screen at a time; the CLI
 * fetches everything it prints).
 */
#ifndef RY_RUNLIST_H
#define RY_RUNLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/query.h"
#include "store/store.h"

typedef struct ry_runlist_options {
	unsigned version;
	int64_t experiment_id; /* > 0: only that experiment */
	const char *filter;    /* query language; NULL or "" for all */
	const char *sort;      /* "KEY[:asc|:desc]"; NULL: newest first */
	size_t limit;          /* 0: no limit */
} ry_runlist_options;
#define RY_RUNLIST_OPTIONS_INIT { 1, 0, NULL, NULL, 0 }

typedef struct ry_runlist ry_runlist;

/* Errors: RY_EINVAL for a bad filter or sort (message as ry_query_compile). */
int ry_runlist_open(ry_runlist **out, ry_store *st, const ry_runlist_options *opts);
void ry_runlist_free(ry_runlist *l); /* accepts NULL */

/* How many runs opts selects, ignoring opts->limit and opts->sort: what a
 * screen showing a first page (a limit) says it is a page of.  Without a
 * filter it reads the maintained per-experiment counts (one row each,
 * whatever the number of runs); with one it counts the matches in one
 * index scan, no sort.  Errors as ry_runlist_open. */
int ry_runlist_total(ry_store *st, const ry_runlist_options *opts, size_t *n);

/* Read the index filtered lists scan into the page cache, so the first
 * keystroke of a filter does not pay for a cold read of it (90 ms at 100k
 * runs on a VM where a read costs 30 us).  For an idle moment. */
void ry_runlist_warm(ry_store *st);
size_t ry_runlist_count(const ry_runlist *l);
int64_t ry_runlist_id(const ry_runlist *l, size_t i);
const int64_t *ry_runlist_ids(const ry_runlist *l); /* lent, count entries */
/* Free l (not NULL) but its ids, handed over (count entries, never NULL;
 * the caller frees them): a reader of every run's columns keeps the ids
 * without a second copy of them while it reads. */
int64_t *ry_runlist_take_ids(ry_runlist *l);

typedef enum ry_cell_type { RY_CELL_NULL, RY_CELL_NUM, RY_CELL_TEXT } ry_cell_type;

typedef struct ry_cell {
	ry_cell_type type;
	double num;   /* RY_CELL_NUM (may be NaN for a non-finite metric) */
	char *text;   /* RY_CELL_TEXT: owned, raw (sanitise before showing) */
} ry_cell;

/* Fill cells[i * nfields + j] with field j of run ids[i].  Missing values
 * are RY_CELL_NULL.  Release with ry_cells_clear. */
int ry_runlist_fetch(ry_store *st, const int64_t *ids, size_t n,
                     ry_field *const *fields, size_t nfields, ry_cell *cells);
void ry_cells_clear(ry_cell *cells, size_t n);

/* One field of many runs as a column a front end can hold for every run
 * (the analysis table at 10^6 runs): 8 bytes a run for numbers, 4 for
 * texts, each distinct text held once -- no cell and no string per run.
 * When any run's value is text the column is text, numbers written as
 * "%.17g"; then num is NULL.  Read by one scan of the field's key, as
 * ry_runlist_fetch reads it. */
typedef struct ry_column {
	double *num;      /* n values, NaN where missing; NULL for a text column; owned */
	int32_t *code;    /* text column: n indexes into texts, -1 where missing; else NULL; owned */
	char **texts;     /* the distinct texts, in strcmp order; owned */
	size_t ntexts;
} ry_column;
/* Fill *out (zeroed first) with field f of runs ids[0..n).  On failure
 * *out is left empty.  Release with ry_column_clear (a zeroed one is ok). */
int ry_runlist_fetch_column(ry_store *st, const int64_t *ids, size_t n, const ry_field *f, ry_column *out);
void ry_column_clear(ry_column *c);

/* The cells of many rows, block by block, for output that streams (every
 * run as CSV or JSON): each column is read once, by one index scan, into
 * compact per-run arrays (9 bytes a run and column, plus text), and each
 * block of rows is filled from them as it is written, so no cell array for
 * every row is ever built (24 bytes a cell: 300 MB for 10^6 runs x 13
 * columns).  Few rows, or ids spread too far apart for those arrays, are
 * looked up block by block instead.  ids and fields are lent and must
 * outlive the reader.  Errors as ry_runlist_fetch. */
typedef struct ry_cellreader ry_cellreader;
int ry_cellreader_open(ry_cellreader **out, ry_store *st, const int64_t *ids, size_t n,
                       ry_field *const *fields, size_t nfields);
/* Fill cells[i * nfields + j] for rows [from, from + k) of the ids given
 * at open (from + k <= n); release with ry_cells_clear. */
int ry_cellreader_read(ry_cellreader *r, size_t from, size_t k, ry_cell *cells);
void ry_cellreader_free(ry_cellreader *r); /* accepts NULL */

/* Format a cell for display the same way in CLI and TUI: numbers with up to
 * 6 significant digits, durations as "3h05m" for the duration field,
 * timestamps as age for created/started/ended.  Writes into out. */
void ry_cell_format(const ry_field *f, const ry_cell *c, double now, char *out, size_t n);

#endif
