/* Internal to core (and its tests): what the line scanner (metrics/scan.c)
 * lends the ingest (metrics/ingest.c), and the scanner without the
 * prefilter that lets ry_ingest_scan skip lines holding no pair. */
#ifndef RY_INGEST_INTERNAL_H
#define RY_INGEST_INTERNAL_H

#include "metrics/ingest.h"

/* The longest metric or param name captured or stored, in bytes. */
#define RY_INGEST__MAX_KEY 200

/* Parse a number at s[0..n) (decimal, exponent, nan, inf); returns its
 * length, 0 when s holds none. */
size_t ry_ingest__parse_number(const char *s, size_t n, double *out);

/* ry_ingest_scan's rules applied to every byte of the line: the definition
 * the prefilter must agree with (the tests compare the two). */
size_t ry_ingest__scan_unfiltered(const char *line, size_t len, ry_scalar *out, size_t max,
                                  bool *has_step, int64_t *step);

/* The ingest's scanner: ry_ingest_scan without judging keys (the pairs
 * whose key names a count, size, id, time or a sentence are kept), for a
 * caller that judges each key once with ry_ingest__pair_is_metric and
 * remembers.  ry_ingest__scan_init must have run (ry_ingest_new runs it). */
void ry_ingest__scan_init(void);
size_t ry_ingest__scan_unjudged(const char *line, size_t len, ry_scalar *out, size_t max, bool *has_step,
                                int64_t *step);
bool ry_ingest__pair_is_metric(const ry_scalar *sc);

/* The scanner's rules lent to the table reader: the rank of a step word
 * (3 step, 2 iter or iteration, 1 epoch, 0 none), whether a key names a
 * count, size, id or time rather than a metric, and the length of a unit
 * glued to a number ("G" of "2.31G"; 0: none). */
int ry_ingest__step_rank(const char *word, size_t n);
bool ry_ingest__key_not_metric(const char *key, size_t n);
size_t ry_ingest__unit_len(const char *s, size_t n);

/* ---- header-row tables (metrics/table.c) ------------------------------ */

#define RY_INGEST__TABLE_COLS 24
#define RY_INGEST__TABLE_NAME 64

/* The header in force: the names of the columns of the rows under it. */
typedef struct ry_ingest__table {
	size_t ncols;                                         /* 0: no header seen */
	char name[RY_INGEST__TABLE_COLS][RY_INGEST__TABLE_NAME]; /* the key of each column */
	size_t namelen[RY_INGEST__TABLE_COLS];
	int rank[RY_INGEST__TABLE_COLS];                      /* > 0: a step column (epoch, iter) */
	bool skip[RY_INGEST__TABLE_COLS];                     /* named for a count, size or time */
} ry_ingest__table;

/* Is line (no newline, no \r) a header row?  Then t holds its columns;
 * t is left alone otherwise. */
bool ry_ingest__table_header(ry_ingest__table *t, const char *line, size_t len);

/* Is line a row under t's header?  Then its numeric cells go to out (up
 * to max; keys lent from t, valid until t changes) and the count is
 * returned; a step column sets *has_step and *step.  Not a row: -1. */
long ry_ingest__table_row(const ry_ingest__table *t, const char *line, size_t len, ry_scalar *out, size_t max,
                          bool *has_step, int64_t *step);

#endif
