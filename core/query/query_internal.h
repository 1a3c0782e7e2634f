/* Internal to core: binding a compiled filter or field into a statement. */
#ifndef RY_QUERY_INTERNAL_H
#define RY_QUERY_INTERNAL_H

#include <sqlite3.h>

#include "query/query.h"
#include "query/runlist.h"
#include "base/buf.h"

/* Bind the filter's values starting at parameter index `first`; returns the
 * next free index. */
int ry_query__bind(const ry_query *q, sqlite3_stmt *s, int first);

/* Append an SQL expression yielding the field's value for run `r.id` to
 * `sql`, adding its bound values to the field's own list; bind them with
 * ry_field__bind in the same order. */
void ry_field__sql(const ry_field *f, ry_buf *sql);
int ry_field__bind(const ry_field *f, sqlite3_stmt *s, int first);

/* Whether the run list should let SQL order by f (an index serves that
 * direction, NULLs last). */
bool ry_field__sql_sorted(const ry_field *f, bool desc);
/* An index ordering every run that has f by f's value: rows of `table`
 * with `key` = f's key and `column` the value, read through `index` on
 * (key, column) -- whose entries end in run_id, so ties come by id.
 * False where no index orders f (built-ins, counts, mixed text and number
 * params).  The strings are static. */
struct ry_field_index {
	const char *table, *column, *index;
};
bool ry_field__index_order(const ry_field *f, ry_store *st, struct ry_field_index *out);
/* Append a whole statement reading the field for every run that has it
 * (index range scans), or with one_run for the run whose id is bound last
 * (one primary-key lookup): columns (run id, value).  Bind the field with
 * ry_field__bind from 1, then the id.  Without one_run a run may come
 * twice, first with a number and then with text: keep the number. */
void ry_field__scan_sql(const ry_field *f, ry_buf *sql, bool one_run);
/* Built-in fields that the runs_listing index covers can be read together
 * by one scan of it: ry_field__listing_sql appends "SELECT r.id, v1, v2,
 * ... FROM runs ..." for the n fields (each of which ry_field__listed
 * accepts), value i in column i + 1; nothing to bind. */
bool ry_field__listed(const ry_field *f);
void ry_field__listing_sql(ry_field *const *f, size_t n, ry_buf *sql);


/* Run-id sets (query/idset.c): the compiled filter's conditions on params,
 * metrics and tags, each filled by running its subquery on first use.
 * Owned by the compiled query. */
#include <stdbool.h>
#include <stdint.h>
typedef struct ry_idset ry_idset;
/* Parts' sets a connection keeps between evaluations (idset.c); NULL
 * where there is none (then nothing is kept). */
typedef struct ry_idset_cache ry_idset_cache;
typedef int (*ry_idset_fill_fn)(sqlite3 *db, void *payload, ry_idset *set, ry_idset_cache *cache);
ry_idset *ry_idset__new(ry_idset_fill_fn fill, void *payload);
void ry_idset__free(ry_idset *s); /* accepts NULL */
/* Forget the contents: the next use fills the set again. */
void ry_idset__reset(ry_idset *s);
/* For fill functions: one matching id of the current part (duplicates are
 * fine); call part_done after each part.  The set is the intersection of
 * its parts. */
void ry_idset__add(ry_idset *s, int64_t id);
void ry_idset__part_done(ry_idset *s);
/* Forget the part being filled (its scan was given up for probes). */
void ry_idset__part_abort(ry_idset *s);
/* Ids added to the part being filled so far. */
size_t ry_idset__part_rows(const ry_idset *s);
/* Whether a part is done already (so there are candidates to probe). */
bool ry_idset__started(const ry_idset *s);
/* How many ids the parts done so far leave. */
size_t ry_idset__candidates(const ry_idset *s);
/* Keep only the candidates for which keep(arg, id) is 1; a negative
 * return stops and is returned (the set is then partly filtered). */
int ry_idset__filter(ry_idset *s, int (*keep)(void *arg, int64_t id), void *arg);
/* The cache, by key (the part's SQL and values): a hit adds the kept set
 * as the next part and returns true; part_done_keep ends the part like
 * part_done and keeps a copy of its set.  size_hint: the size the part had
 * when last filled (-1: unknown), kept past data changes as an estimate;
 * size_note records one.  All accept a NULL cache. */
bool ry_idset__cached_part(ry_idset *s, ry_idset_cache *c, const char *key);
void ry_idset__part_done_keep(ry_idset *s, ry_idset_cache *c, const char *key);
long long ry_idset__size_hint(const ry_idset_cache *c, const char *key);
void ry_idset__size_note(ry_idset_cache *c, const char *key, size_t n);
/* Step st, a statement `SELECT ry_idset_collect(id) FROM ...`, adding
 * each id to s's current part; with a budget, stop past that many (*over
 * set, SQLITE_OK).  An SQLite code. */
int ry_idset__collect(ry_idset *s, ry_idset_cache *c, sqlite3_stmt *st, size_t budget, bool *over);
/* Fill now if not yet: 0, or the fill's SQLite result code. */
int ry_idset__prepare(ry_idset *s, sqlite3 *db, ry_idset_cache *c);
/* Tests only: evaluate every part by its scan, in the order written, with
 * no cache and no probes (the straightforward plan the planner must
 * agree with). */
extern bool ry_query__plain;
/* What the fills on this thread did, for tests of the plan's choices:
 * parts scanned, parts tested candidate by candidate, parts taken from
 * the cache. */
struct ry_query__stats {
	unsigned scans, probes, hits;
};
extern _Thread_local struct ry_query__stats ry_query__stats;
/* After a successful prepare. */
bool ry_idset__has(const ry_idset *s, int64_t id);
size_t ry_idset__count(const ry_idset *s);
/* Bind the set to parameter i.  A set is filled on its first use and then
 * kept as it is (the statements of one listing share its snapshot);
 * compile the filter again to see newer data. */
void ry_idset__bind(sqlite3_stmt *st, int i, ry_idset *s);
/* Fill s now, on st's connection and with its kept parts; its size in *n.
 * 0 or an RY_E* code. */
int ry_idset__fill(ry_store *st, ry_idset *s, size_t *n);
/* After a fill: write the set's ids, ascending, to out (room for
 * ry_idset__count of them); returns how many. */
size_t ry_idset__ids(const ry_idset *s, int64_t *out);
/* True for the empty filter (every run). */
bool ry_query__empty(const ry_query *q);
/* A set holding every run the filter selects (the filter is that set
 * `and` other conditions), so the list can be read from its ids; NULL
 * where there is none (an `or` at the top, no condition on params,
 * metrics or tags).  *only: the filter is that set alone. */
ry_idset *ry_query__driver(const ry_query *q, bool *only);
/* Tests only: how the run list (runlist.c) reads a filter that has a
 * driver set: 0 its cost decides, 1 never from the set's ids (the index
 * walk, the plain path), 2 always from them.  ids_used counts the lists
 * and counts read from ids on this thread. */
extern int ry_runlist__by_ids;
extern _Thread_local unsigned ry_runlist__ids_used;
/* The compiled filter's sets, in the order their ry_idset calls appear. */
size_t ry_query__nsets(const ry_query *q);
ry_idset *ry_query__set(const ry_query *q, size_t i);
/* Make the SQL function ry_idset(id, set) available on st's connections
 * (query/idset.c); call before preparing a compiled filter's SQL.  0 or an
 * RY_E* code. */
int ry_query__use(ry_store *st);
/* One field of n runs read compactly (runlist.c): a type byte and a
 * double a run, each distinct text held once, by one index scan -- for
 * core's passes over every run that must tell numbers from texts as cells
 * do (a grouping), where a cell a run is 24 bytes and a string a text.
 * ids are lent and must outlive it. */
typedef struct ry_colread ry_colread;
int ry_runlist__colread(ry_colread **out, ry_store *st, const int64_t *ids, size_t n, const ry_field *f);
/* Row i's value: its type, and the number or the text (lent, valid until
 * the free) it has. */
ry_cell_type ry_runlist__colread_get(const ry_colread *c, size_t i, double *num, const char **text);
void ry_runlist__colread_free(ry_colread *c); /* accepts NULL */

#endif
