/*
 * Run listing: the filtered, sorted id list (one query) and the cells of
 * the rows and columns actually shown.
 *
 * Fetching picks between two plans per column.  For a screenful of rows it
 * looks each run up by primary key (runs.id, or (run_id, key) in params /
 * metric_summary / tags).  For many rows it reads the whole column in one
 * index range scan (`WHERE key = ?`) and drops the runs not asked for,
 * mapping run ids to rows with a small hash table; that beats 100k point
 * lookups by a wide margin and needs no temp table or IN list.
 *
 * It does not format for a terminal: ry_cell_format returns raw text that
 * the front ends sanitise.
 */
#include "query/runlist.h"
#include "query/query_internal.h"
#include "store/store_internal.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Several statements read as one snapshot, in one read transaction: in WAL
 * mode each autocommit statement takes and drops its own read lock (a few
 * system calls, ~10 us each on a busy VM), which made 10,000 point lookups
 * cost 170 ms.  Inside a caller's transaction nothing is started. */
static bool read_begin(ry_store *st)
{
	sqlite3 *db = ry_store__db(st);
	return sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void read_end(ry_store *st, bool started)
{
	if (started)
		sqlite3_exec(ry_store__db(st), "COMMIT", NULL, NULL, NULL);
}

struct ry_runlist {
	int64_t *ids;
	size_t n;
};

/* Sorting by a param, metric, tag or a built-in field no index orders
 * (duration, cost, host...) happens here, not in SQL: SQLite would run a
 * correlated lookup or an expression per run and sort 100k rows in a temp
 * b-tree (~100-250 ms); reading the column with one index scan and sorting
 * in C takes a fraction of that.  Order: values as SQLite orders them
 * (numbers before text ascending, text before numbers descending), NULLs
 * last in both directions, ties by id, newest first.
 *
 * Every row gets a key (class, k, id) of 16 bytes and one LSD radix sort
 * orders them: k is the number's bits in an order-preserving form, or for
 * text the string's rank among the column's distinct strings.  The column
 * is read compactly (9 bytes a run, each distinct text once): at 10^6 runs
 * the sort's peak is ~41 MB over the list, where a cell a run, a string a
 * text and 24-byte keys made it ~60. */
struct rkey {
	uint64_t k;   /* order_bits(value) or text rank, inverted for desc */
	uint64_t idc; /* the value class in sort order (NULLs last) << 62 | RKEY_ID - id,
	                 so that ascending puts the newest first: 16 bytes a run */
};
#define RKEY_ID ((1ull << 62) - 1) /* run ids are below 2^62 */

static uint64_t order_bits(double v)
{
	uint64_t u;
	if (v == 0)
		v = 0; /* -0 sorts with 0, as in SQLite */
	memcpy(&u, &v, sizeof u);
	return u >> 63 ? ~u : u | (1ull << 63);
}

static void radix_sort(struct rkey *a, size_t n)
{
	struct rkey *tmp = ry_xmalloc(n * sizeof *tmp), *src = a, *dst = tmp, *t;
	/* Least significant first: the id (tie-break), the value, the class. */
	for (int pass = 0; pass < 13; pass++) {
		int field = pass < 6 ? 0 : pass < 12 ? 1 : 2;
		unsigned shift = (unsigned)(pass % 6) * 11;
		size_t count[2048] = { 0 }, sum = 0;
#define DIGIT(x) ((size_t)(field == 2 ? (x).idc >> 62 : (((field ? (x).k : (x).idc & RKEY_ID) >> shift) & 2047)))
		for (size_t i = 0; i < n; i++)
			count[DIGIT(src[i])]++;
		if (count[DIGIT(src[0])] == n)
			continue; /* every key has this digit: nothing to do */
		for (size_t b = 0; b < 2048; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[DIGIT(src[i])]++] = src[i];
#undef DIGIT
		t = src, src = dst, dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
}

/* Distinct texts, each held once, numbered as first seen: an
 * open-addressing table of their codes.  A column of every run (a param
 * such as optimizer) repeats a few values 10^6 times; a string per run was
 * ~40 bytes a run. */
struct dict {
	char **texts;
	size_t n, cap;
	uint32_t *slots; /* code + 1; 0 empty */
	size_t mask;
};

static uint64_t text_hash(const char *t, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)t[i]) * 0x100000001b3ull;
	return h;
}

static uint32_t dict_add(struct dict *d, const char *t, size_t len)
{
	if (2 * (d->n + 1) > d->mask + 1) { /* grow: at most half full */
		size_t cap = d->mask ? 2 * (d->mask + 1) : 64;
		free(d->slots);
		d->slots = ry_xcalloc(cap, sizeof *d->slots);
		d->mask = cap - 1;
		for (size_t c = 0; c < d->n; c++) {
			size_t h = (size_t)text_hash(d->texts[c], strlen(d->texts[c])) & d->mask;
			while (d->slots[h])
				h = (h + 1) & d->mask;
			d->slots[h] = (uint32_t)c + 1;
		}
	}
	size_t h = (size_t)text_hash(t, len) & d->mask;
	for (; d->slots[h]; h = (h + 1) & d->mask) {
		const char *x = d->texts[d->slots[h] - 1];
		if (!strncmp(x, t, len) && !x[len])
			return d->slots[h] - 1;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->texts = ry_xrealloc(d->texts, d->cap * sizeof *d->texts);
	}
	d->texts[d->n] = ry_xstrndup(t, len);
	d->slots[h] = (uint32_t)d->n + 1;
	return (uint32_t)d->n++;
}

static void dict_free(struct dict *d)
{
	ry_strings_free(d->texts, d->n);
	free(d->slots);
	memset(d, 0, sizeof *d);
}

struct coded {
	const char *text;
	uint32_t code;
};

static int cmp_coded(const void *a, const void *b)
{
	return strcmp(((const struct coded *)a)->text, ((const struct coded *)b)->text);
}

/* Each distinct text's rank in strcmp order, by its code; caller frees. */
static uint32_t *dict_ranks(const struct dict *d)
{
	struct coded *order = ry_xmalloc((d->n ? d->n : 1) * sizeof *order);
	uint32_t *rank = ry_xmalloc((d->n ? d->n : 1) * sizeof *rank);
	for (size_t c = 0; c < d->n; c++)
		order[c] = (struct coded){ d->texts[c], (uint32_t)c };
	qsort(order, d->n, sizeof *order, cmp_coded);
	for (size_t c = 0; c < d->n; c++)
		rank[order[c].code] = (uint32_t)c;
	free(order);
	return rank;
}

/* Which rows ask for a run id, for the scan plan.  Run ids are dense
 * (INTEGER PRIMARY KEY), so almost always the ids asked for span a range
 * not much wider than their number: then a column is first read into small
 * arrays indexed by id - min (9 bytes a run: ~1 MB for 100k runs, cache-
 * resident however the scan is ordered) and then copied into the cells in
 * row order.  Scattering straight into the cells (24 bytes x columns x rows,
 * in the index's order) cost 4x more: every store missed the cache.  Sparse
 * id sets use a hash table from id to row instead. */
struct idmap {
	int64_t min;
	size_t span;       /* > 0: the dense plan */
	struct slot { int64_t id; uint32_t row; } *slots; /* hash: row + 1; 0 = empty */
	size_t mask;
	unsigned shift;
	uint32_t *next;    /* hash: next[row] = row + 1 of the next row with the same id */
};

/* A run's value in a column read compactly (struct column, struct compact). */
enum { V_NULL, V_NUM, V_TEXT, V_MOVED };

/* A column of n runs read compactly (read_compact, below): the
 * run at row i has type[at] (V_*) and val[at] (its number, or its text's
 * code in d) for at = COLUMN_AT(m, ids, i); m is NULL when the arrays are
 * in row order. */
struct compact {
	struct idmap *m;
	uint8_t *type;
	double *val;
};
#define COLUMN_AT(m, ids, i) ((m) ? (size_t)((uint64_t)(ids)[i] - (uint64_t)(m)->min) : (i))
static int read_compact(ry_store *st, const int64_t *ids, size_t n, const ry_field *f, struct dict *d,
                        struct compact *out);
static void compact_free(struct compact *c);

/* Order l->ids by the compact column c (text codes into d) and keep the
 * first limit (0: all). */
static void sort_compact(ry_runlist *l, const struct compact *c, const struct dict *d, bool desc, size_t limit)
{
	/* a text's key is its rank among the column's distinct texts (host or
	 * optimizer columns have a handful; ranking those beats comparing 10^6
	 * strings in qsort by 5x) */
	uint32_t *rank = dict_ranks(d);
	struct rkey *keys = ry_xmalloc(l->n * sizeof *keys);
	for (size_t i = 0; i < l->n; i++) {
		size_t at = COLUMN_AT(c->m, l->ids, i);
		unsigned t = c->type[at];
		uint64_t k = t == V_NUM ? order_bits(c->val[at]) : t == V_TEXT ? rank[(size_t)c->val[at]] : 0;
		uint64_t cls = t == V_NULL ? 2 : (t == V_TEXT) != desc;
		keys[i].k = desc ? ~k : k;
		keys[i].idc = cls << 62 | (RKEY_ID - (uint64_t)l->ids[i]);
	}
	free(rank);
	radix_sort(keys, l->n);
	if (limit && limit < l->n)
		l->n = limit;
	for (size_t i = 0; i < l->n; i++)
		l->ids[i] = (int64_t)(RKEY_ID - (keys[i].idc & RKEY_ID));
	free(keys);
}

/* c (in row order) from n cells: texts coded into d. */
static void compact_from_cells(const ry_cell *cells, size_t n, struct dict *d, struct compact *c)
{
	c->type = ry_xcalloc(n ? n : 1, 1);
	c->val = ry_xmalloc((n ? n : 1) * sizeof *c->val);
	for (size_t i = 0; i < n; i++) {
		c->type[i] = cells[i].type == RY_CELL_NUM ? V_NUM : cells[i].type == RY_CELL_TEXT ? V_TEXT : V_NULL;
		c->val[i] = c->type[i] == V_TEXT ? dict_add(d, cells[i].text, strlen(cells[i].text)) : cells[i].num;
	}
}

/* Order l->ids by cells[i] (the sort key of run l->ids[i], as the
 * id-driven list read it) and keep the first limit (0: all); the cells
 * are cleared. */
static void sort_cells(ry_runlist *l, ry_cell *cells, bool desc, size_t limit)
{
	struct dict d = { 0 };
	struct compact c = { NULL, NULL, NULL };
	if (!l->n)
		return;
	compact_from_cells(cells, l->n, &d, &c);
	ry_cells_clear(cells, l->n);
	sort_compact(l, &c, &d, desc, limit);
	compact_free(&c);
	dict_free(&d);
}

static int sort_in_c(ry_store *st, ry_runlist *l, ry_field *sort, bool desc, size_t limit)
{
	struct dict d = { 0 };
	struct compact c;
	if (!l->n)
		return 0;
	int rc = read_compact(st, l->ids, l->n, sort, &d, &c);
	if (!rc)
		sort_compact(l, &c, &d, desc, limit);
	compact_free(&c);
	dict_free(&d);
	return rc;
}

/* ---- the first page from an index on the sort key ---------------------- */

/* A page (a limit) sorted by a metric summary, a param or a tag reads the
 * index on (key, value) in order and stops when the page is full, instead
 * of reading the column for every run and sorting (448 ms for 50 rows at
 * 10^6 runs).  Same order as sort_in_c: the index's entries are (key,
 * value, run_id), so descending is one backward walk (value DESC, run_id
 * DESC).  Ascending wants values forward but ties by id descending, which
 * one walk cannot give: SQLite would sort each group of equal values
 * ("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"), 130 ms for a tag with a
 * few values over 10^6 runs.  So it seeks each distinct value in turn
 * (value > previous, LIMIT 1) and walks that value's entries backward.
 * EXPLAIN QUERY PLAN (metrics.val_acc; params and tags alike), no sort in
 * any of them:
 *   the walk, the first and the next value:
 *     SEARCH metric_summary USING COVERING INDEX metric_summary_by_key (key=? AND last>?)
 *   one value's runs:
 *     SEARCH metric_summary USING COVERING INDEX metric_summary_by_key (key=? AND last=?)
 * NULL values (a NaN metric) and runs without the key come last, by id
 * descending, from a second walk down the rowid that skips runs having a
 * value (one primary-key probe each):
 *   SCAN r; CORRELATED SCALAR SUBQUERY: SEARCH v USING PRIMARY KEY (run_id=? AND key=?)
 *
 * With a filter or an experiment each candidate is checked by its rowid
 * (SEARCH r USING INTEGER PRIMARY KEY) in walk order.  A selective filter
 * could make that walk read most of the index a row at a time, so it
 * gives up after WALK_MIN + WALK_PER_ROW candidates per row wanted (at
 * most WALK_CAP) and the caller sorts every match in C as before. */
#define WALK_PER_ROW 64
#define WALK_MIN 20000
#define WALK_CAP 40000 /* ~2.5 us a candidate at 10^6 runs: at most ~100 ms lost */

/* The runs having a value for the sort key, in list order. */
struct walk {
	sqlite3_stmt *all;         /* descending: one backward walk */
	sqlite3_stmt *first, *next; /* ascending: the first distinct value, the one after ?2 */
	sqlite3_stmt *group;       /* ascending: the runs with value ?2, by id descending */
	sqlite3_value *val;        /* ascending: the current value (a copy) */
	bool in_group;
};

static int walk_prepare(ry_store *st, sqlite3_stmt **s, const char *sql, const ry_field *sort)
{
	if (sqlite3_prepare_v2(ry_store__db(st), sql, -1, s, NULL) != SQLITE_OK)
		return ry_store__sqlerr(st, "preparing the run list");
	ry_field__bind(sort, *s, 1);
	return 0;
}

static int walk_open(struct walk *w, ry_store *st, const ry_field *sort, const struct ry_field_index *ix, bool desc)
{
	char sql[512];
	int rc;
	memset(w, 0, sizeof *w);
	if (desc) {
		snprintf(sql, sizeof sql, "SELECT run_id FROM %s INDEXED BY %s WHERE key = ?1 AND %s IS NOT NULL"
		         " ORDER BY %s DESC, run_id DESC", ix->table, ix->index, ix->column, ix->column);
		return walk_prepare(st, &w->all, sql, sort);
	}
	snprintf(sql, sizeof sql, "SELECT %s FROM %s INDEXED BY %s WHERE key = ?1 AND %s IS NOT NULL"
	         " ORDER BY %s LIMIT 1", ix->column, ix->table, ix->index, ix->column, ix->column);
	if ((rc = walk_prepare(st, &w->first, sql, sort)))
		return rc;
	snprintf(sql, sizeof sql, "SELECT %s FROM %s INDEXED BY %s WHERE key = ?1 AND %s > ?2"
	         " ORDER BY %s LIMIT 1", ix->column, ix->table, ix->index, ix->column, ix->column);
	if ((rc = walk_prepare(st, &w->next, sql, sort)))
		return rc;
	snprintf(sql, sizeof sql, "SELECT run_id FROM %s INDEXED BY %s WHERE key = ?1 AND %s = ?2"
	         " ORDER BY run_id DESC", ix->table, ix->index, ix->column);
	return walk_prepare(st, &w->group, sql, sort);
}

/* SQLITE_ROW with *id, SQLITE_DONE, or an SQLite error code. */
static int walk_step(struct walk *w, int64_t *id)
{
	int step;
	if (w->all) {
		if ((step = sqlite3_step(w->all)) == SQLITE_ROW)
			*id = sqlite3_column_int64(w->all, 0);
		return step;
	}
	for (;;) {
		if (w->in_group) {
			if ((step = sqlite3_step(w->group)) == SQLITE_ROW) {
				*id = sqlite3_column_int64(w->group, 0);
				return step;
			}
			sqlite3_reset(w->group);
			if (step != SQLITE_DONE)
				return step;
			w->in_group = false;
		}
		sqlite3_stmt *s = w->val ? w->next : w->first;
		if (w->val)
			sqlite3_bind_value(s, 2, w->val);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW) {
			sqlite3_value_free(w->val);
			if (!(w->val = sqlite3_value_dup(sqlite3_column_value(s, 0))))
				ry_fatal("out of memory");
		}
		sqlite3_reset(s);
		if (step != SQLITE_ROW)
			return step;
		sqlite3_bind_value(w->group, 2, w->val);
		w->in_group = true;
	}
}

static void walk_close(struct walk *w)
{
	sqlite3_finalize(w->all);
	sqlite3_finalize(w->first);
	sqlite3_finalize(w->next);
	sqlite3_finalize(w->group);
	sqlite3_value_free(w->val);
}

static size_t page_walk_max(size_t limit)
{
	return limit < (WALK_CAP - WALK_MIN) / WALK_PER_ROW ? WALK_MIN + limit * WALK_PER_ROW : WALK_CAP;
}

/* 1: l holds the page; 0: the walk gave up past `budget` candidates (0:
 * page_walk_max) and every match is to be sorted instead; < 0: an RY_E*
 * code. */
static int page_by_index(ry_store *st, ry_runlist *l, const ry_query *q, int64_t exp, const ry_field *sort,
                         const struct ry_field_index *ix, bool desc, size_t limit, size_t budget)
{
	bool check = !ry_query__empty(q) || exp > 0;
	size_t walk_max = budget && budget < page_walk_max(limit) ? budget : page_walk_max(limit);
	size_t walked = 0, cap = 0;
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *ok = NULL;
	struct walk walk;
	int rc = 1, step, i;
	bool exhausted = false;

	if ((rc = walk_open(&walk, st, sort, ix, desc)) < 0)
		goto done;
	rc = 1;
	if (check) {
		ry_buf_printf(&sql, "SELECT 1 FROM runs AS r WHERE r.id = ? AND %s%s", ry_query_sql(q),
		              exp > 0 ? " AND r.experiment_id = ?" : "");
		if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &ok, NULL) != SQLITE_OK) {
			rc = ry_store__sqlerr(st, "preparing the run list");
			goto done;
		}
		i = ry_query__bind(q, ok, 2);
		if (exp > 0)
			sqlite3_bind_int64(ok, i, exp);
	}
	while (l->n < limit) {
		int64_t id = 0;
		if ((step = walk_step(&walk, &id)) != SQLITE_ROW) {
			if (step != SQLITE_DONE) {
				rc = ry_store__sqlerr(st, "listing runs");
				goto done;
			}
			exhausted = true;
			break;
		}
		if (check) {
			if (++walked > walk_max) {
				rc = 0;
				goto done;
			}
			sqlite3_bind_int64(ok, 1, id);
			step = sqlite3_step(ok);
			sqlite3_reset(ok);
			if (step != SQLITE_ROW && step != SQLITE_DONE) {
				rc = ry_store__sqlerr(st, "listing runs");
				goto done;
			}
			if (step != SQLITE_ROW)
				continue;
		}
		l->ids = ry_xgrow(l->ids, &cap, l->n + 1, sizeof *l->ids);
		l->ids[l->n++] = id;
	}
	if (exhausted && l->n < limit) {
		/* Every run with a value is in: the rest, without one. */
		sqlite3_stmt *tail = NULL;
		ry_buf_clear(&sql);
		ry_buf_printf(&sql, "SELECT r.id FROM runs AS r WHERE %s%s AND NOT EXISTS (SELECT 1 FROM %s AS v"
		              " WHERE v.run_id = r.id AND v.key = ? AND v.%s IS NOT NULL) ORDER BY r.id DESC LIMIT ?",
		              ry_query_sql(q), exp > 0 ? " AND r.experiment_id = ?" : "", ix->table, ix->column);
		if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &tail, NULL) != SQLITE_OK) {
			rc = ry_store__sqlerr(st, "preparing the run list");
			goto done;
		}
		i = ry_query__bind(q, tail, 1);
		if (exp > 0)
			sqlite3_bind_int64(tail, i++, exp);
		i = ry_field__bind(sort, tail, i);
		sqlite3_bind_int64(tail, i, (sqlite3_int64)(limit - l->n));
		while ((step = sqlite3_step(tail)) == SQLITE_ROW) {
			l->ids = ry_xgrow(l->ids, &cap, l->n + 1, sizeof *l->ids);
			l->ids[l->n++] = sqlite3_column_int64(tail, 0);
		}
		sqlite3_finalize(tail);
		if (step != SQLITE_DONE)
			rc = ry_store__sqlerr(st, "listing runs");
	}
done:
	walk_close(&walk);
	sqlite3_finalize(ok);
	ry_buf_free(&sql);
	if (rc == 0) {
		l->n = 0; /* the caller starts again */
	}
	return rc;
}

/* ---- a small set's runs, looked up by id ------------------------------- */

/* A filter whose conditions on params, metrics and tags are joined to the
 * rest by `and` has, before the list is read, a set holding every run it
 * selects (query.c's driver set, filled by the plan of query/idset.c).
 * Walking the list's index tests every run of the workspace against it:
 * ~65 ms at 10^6 runs however few match.  When the set is small the runs
 * are instead looked up by id, in id order (one rowid seek each, which
 * also tests the rest of the filter and reads the sort key), and sorted in
 * C by sort_cells, whose order is the SQL's and the index walks'.
 *
 * A seek reads a page of the wide runs table that the walk's covering
 * index does not need: at 10^6 runs one costs about ID_COST entries of a
 * walk (2 us against 0.1, CPU and system time together; 150,000 seeks
 * took 300 ms where the whole walk takes 90), so the set must be well
 * under a twentieth of the runs.  A list with a limit in an order some
 * index gives stops its walk early (after about limit x runs / matches
 * entries when the matches are spread), which the choice counts too. */
#define ID_COST 20

int ry_runlist__by_ids = 0;
_Thread_local unsigned ry_runlist__ids_used;

static size_t runs_total(ry_store *st)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT coalesce(sum(nruns), 0) FROM experiment_stats");
	size_t n = sqlite3_step(s) == SQLITE_ROW ? (size_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return n;
}

/* Whether to read the list from the set's n ids, each costing `seeks`
 * seeks, rather than walking an index: the whole walk costs runs /
 * ID_COST seeks, and a list sorted in C reads its column as well (`walks`
 * 2: a scan of the key's index, or of runs_listing, as long); a walk in
 * an index order that stops at a limit costs about limit x runs / n
 * entries when the matches are spread over the order. */
static bool ids_pay(size_t n, unsigned seeks, ry_store *st, size_t limit, unsigned walks)
{
	double runs, walk;
	if (ry_runlist__by_ids)
		return ry_runlist__by_ids == 2;
	runs = (double)runs_total(st);
	walk = runs * walks;
	if (limit && n && (double)limit * runs / (double)n < runs)
		walk = (double)limit * runs / (double)n;
	return (double)n * seeks <= walk / ID_COST;
}

static void set_cell(ry_cell *c, sqlite3_stmt *s, int col);

/* Look up each id of set (n of them) with the filter and the experiment:
 * l gets the ids that pass, in id order, and cells (n of them, zeroed) the
 * value of f for each (f NULL: nothing read, cells may be NULL). */
static int scan_ids(ry_store *st, ry_runlist *l, ry_cell *cells, const ry_query *q, int64_t exp, const ry_field *f,
                    ry_idset *set, size_t n)
{
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, at = 1, i, step;

	ry_buf_puts(&sql, "SELECT ");
	if (f)
		ry_field__sql(f, &sql);
	else
		ry_buf_puts(&sql, "1");
	ry_buf_printf(&sql, " FROM runs AS r WHERE r.id = ? AND %s%s", ry_query_sql(q),
	              exp > 0 ? " AND r.experiment_id = ?" : "");
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing the run list");
		goto done;
	}
	if (f)
		at = ry_field__bind(f, s, 1);
	i = ry_query__bind(q, s, at + 1);
	if (exp > 0)
		sqlite3_bind_int64(s, i, exp);
	l->ids = ry_xmalloc((n ? n : 1) * sizeof *l->ids);
	l->n = 0;
	n = ry_idset__ids(set, l->ids);
	for (size_t k = 0; k < n; k++) {
		sqlite3_bind_int64(s, at, l->ids[k]);
		if ((step = sqlite3_step(s)) == SQLITE_ROW) {
			if (f)
				set_cell(&cells[l->n], s, 0);
			l->ids[l->n++] = l->ids[k];
		} else if (step != SQLITE_DONE) {
			rc = ry_store__sqlerr(st, "listing runs");
			break;
		}
		sqlite3_reset(s);
	}
	ry_runlist__ids_used++;
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	return rc;
}

/* The list from the set's n ids, sorted by sort (NULL: newest first, as
 * created DESC, id DESC). */
static int list_by_ids(ry_store *st, ry_runlist *l, const ry_query *q, int64_t exp, const ry_field *sort, bool desc,
                       size_t limit, ry_idset *set, size_t n)
{
	ry_field *created = NULL;
	ry_cell *cells = ry_xcalloc(n ? n : 1, sizeof *cells);
	int rc = 0;
	if (!sort) {
		if ((rc = ry_field_parse(&created, st, "created")))
			goto done;
		sort = created;
		desc = true;
	}
	if ((rc = scan_ids(st, l, cells, q, exp, sort, set, n)) == 0)
		sort_cells(l, cells, desc, limit);
done:
	ry_cells_clear(cells, n);
	free(cells);
	ry_field_free(created);
	return rc;
}

int ry_runlist_open(ry_runlist **out, ry_store *st, const ry_runlist_options *opts)
{
	static const ry_runlist_options defaults = RY_RUNLIST_OPTIONS_INIT;
	ry_query *q = NULL;
	ry_field *sort = NULL;
	bool desc = true, in_c, txn = false;
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	ry_runlist *l = NULL;
	ry_idset *set;
	struct ry_field_index ix;
	size_t cap = 0;
	int rc, i, step;
	bool paged, only;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = ry_query_compile(&q, st, opts->filter)))
		return rc;
	if (opts->sort && *opts->sort && (rc = ry_sort_parse(&sort, &desc, st, opts->sort))) {
		ry_query_free(q);
		return rc;
	}
	in_c = sort && !ry_field__sql_sorted(sort, desc);
	txn = read_begin(st);
	if ((rc = ry_query__use(st)))
		goto done;
	paged = in_c && opts->limit && ry_field__index_order(sort, st, &ix);
	if ((set = ry_query__driver(q, &only)) != NULL) {
		size_t n = 0;
		unsigned seeks = sort && ry_field_kind_of(sort) != RY_FIELD_BUILTIN ? 2 : 1;
		if ((rc = ry_idset__fill(st, set, &n)))
			goto done;
		/* A page in an index order stops at the limit when the matches
		 * are spread; SQL's walk cannot be cut short, page_by_index's
		 * can: it tries first, for as many candidates as the seeks
		 * would cost (a candidate costs a seek), and the ids are read
		 * if it gives up.  At worst that is twice the seeks, where it
		 * walked 64 candidates a row and then sorted every match; a
		 * page it finds costs what it did. */
		if (paged && !ry_runlist__by_ids && ids_pay(n, seeks, st, 0, 2)) {
			l = ry_xcalloc(1, sizeof *l);
			rc = page_by_index(st, l, q, opts->experiment_id, sort, &ix, desc, opts->limit, n * seeks + 1);
			if (rc == 0) { /* it gave up */
				free(l->ids);
				l->ids = NULL;
				rc = list_by_ids(st, l, q, opts->experiment_id, sort, desc, opts->limit, set, n);
			} else if (rc == 1) {
				rc = 0;
			}
			if (rc < 0)
				goto done;
			*out = l;
			l = NULL;
			goto done;
		}
		if ((!paged || ry_runlist__by_ids == 2) && ids_pay(n, seeks, st, in_c ? 0 : opts->limit, in_c ? 2 : 1)) {
			l = ry_xcalloc(1, sizeof *l);
			if ((rc = list_by_ids(st, l, q, opts->experiment_id, sort, desc, opts->limit, set, n)))
				goto done;
			*out = l;
			l = NULL;
			goto done;
		}
	}
	if (paged) {
		l = ry_xcalloc(1, sizeof *l);
		rc = page_by_index(st, l, q, opts->experiment_id, sort, &ix, desc, opts->limit, 0);
		if (rc < 0)
			goto done;
		if (rc == 1) {
			rc = 0;
			*out = l;
			l = NULL;
			goto done;
		}
		ry_runlist_free(l);
		l = NULL;
	}

	/* The plan is chosen here, not by the planner, which trusts sampled
	 * statistics (PRAGMA optimize) and has sent `lr < 0.01 and status =
	 * finished` down runs_by_status with a table lookup per run (100-190
	 * ms), and the unfiltered list through the wide index (3x the pages to
	 * read cold).  A filtered or scoped list scans runs_listing, which
	 * covers every built-in field: its worst case is one ~9 MB scan per
	 * 100k runs (10-15 ms).  The unfiltered list newest first reads only
	 * ids from runs_by_created, and so does a filter that is its set
	 * alone, which needs no other column (a fifth of the pages: at 10^6
	 * runs 4,600 instead of 25,500, each read back through the page
	 * cache).  Other unfiltered orders have their own index (name,
	 * status) and are left to the planner. */
	{
		const char *idx = " INDEXED BY runs_listing";
		if (ry_query__empty(q) && opts->experiment_id <= 0)
			idx = !sort ? " INDEXED BY runs_by_created" : "";
		else if (set && only && opts->experiment_id <= 0 && !sort)
			idx = " INDEXED BY runs_by_created";
		ry_buf_printf(&sql, "SELECT r.id FROM runs AS r%s WHERE %s", idx,
		              ry_query_sql(q));
	}
	if (opts->experiment_id > 0)
		ry_buf_puts(&sql, " AND r.experiment_id = ?");
	if (sort && !in_c) {
		ry_buf_puts(&sql, " ORDER BY ");
		ry_field__sql(sort, &sql);
		/* SQLite sorts NULL first, so DESC puts them last; ascending
		 * orders reach here only for columns without NULLs. */
		ry_buf_puts(&sql, desc ? " DESC" : " ASC");
		ry_buf_puts(&sql, ", r.id DESC LIMIT ?");
	} else if (!sort) {
		ry_buf_puts(&sql, " ORDER BY r.created DESC, r.id DESC LIMIT ?");
	}

	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing the run list");
		goto done;
	}
	i = ry_query__bind(q, s, 1);
	if (opts->experiment_id > 0)
		sqlite3_bind_int64(s, i++, opts->experiment_id);
	if (sort && !in_c)
		i = ry_field__bind(sort, s, i);
	if (!in_c)
		sqlite3_bind_int64(s, i, opts->limit ? (sqlite3_int64)opts->limit : -1);

	l = ry_xcalloc(1, sizeof *l);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		l->ids = ry_xgrow(l->ids, &cap, l->n + 1, sizeof *l->ids);
		l->ids[l->n++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE) {
		rc = ry_store__sqlerr(st, "listing runs");
		goto done;
	}
	if (in_c && (rc = sort_in_c(st, l, sort, desc, opts->limit)))
		goto done;
	*out = l;
	l = NULL;
done:
	ry_runlist_free(l);
	sqlite3_finalize(s);
	read_end(st, txn);
	ry_buf_free(&sql);
	ry_field_free(sort);
	ry_query_free(q);
	return rc;
}

int ry_runlist_total(ry_store *st, const ry_runlist_options *opts, size_t *n)
{
	static const ry_runlist_options defaults = RY_RUNLIST_OPTIONS_INIT;
	ry_query *q = NULL;
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	ry_idset *set;
	int rc, i;
	bool only, txn = false;
	*n = 0;
	if (!opts)
		opts = &defaults;
	if ((rc = ry_query_compile(&q, st, opts->filter)))
		return rc;
	if ((set = ry_query__driver(q, &only)) != NULL) {
		/* The set's size is the count when the filter is the set alone;
		 * a small set's runs are checked one by one (see scan_ids). */
		size_t k = 0;
		txn = read_begin(st);
		if ((rc = ry_query__use(st)) || (rc = ry_idset__fill(st, set, &k)))
			goto done;
		if (only && opts->experiment_id <= 0 && ry_runlist__by_ids != 1) {
			*n = k;
			goto done;
		}
		if (ids_pay(k, 1, st, 0, 1)) {
			ry_runlist l = { 0 };
			rc = scan_ids(st, &l, NULL, q, opts->experiment_id, NULL, set, k);
			*n = l.n;
			free(l.ids);
			goto done;
		}
	}
	if (ry_query__empty(q))
		ry_buf_puts(&sql, "SELECT coalesce(sum(nruns), 0) FROM experiment_stats WHERE ?1 <= 0 OR experiment_id = ?1");
	else
		ry_buf_printf(&sql, "SELECT count(*) FROM runs AS r INDEXED BY runs_listing WHERE %s%s", ry_query_sql(q),
		              opts->experiment_id > 0 ? " AND r.experiment_id = ?" : "");
	if ((rc = ry_query__use(st)))
		goto done;
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing the run count");
		goto done;
	}
	if (ry_query__empty(q)) {
		sqlite3_bind_int64(s, 1, opts->experiment_id);
	} else {
		i = ry_query__bind(q, s, 1);
		if (opts->experiment_id > 0)
			sqlite3_bind_int64(s, i, opts->experiment_id);
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0);
	else
		rc = ry_store__sqlerr(st, "counting runs");
done:
	sqlite3_finalize(s);
	read_end(st, txn);
	ry_buf_free(&sql);
	ry_query_free(q);
	return rc;
}

void ry_runlist_warm(ry_store *st)
{
	/* One covering scan pulls the listing index into the page cache; the
	 * result does not matter. */
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT count(*) FROM runs INDEXED BY runs_listing WHERE status <> ''");
	while (sqlite3_step(s) == SQLITE_ROW)
		;
	sqlite3_reset(s);
}

void ry_runlist_free(ry_runlist *l)
{
	if (!l)
		return;
	free(l->ids);
	free(l);
}

size_t ry_runlist_count(const ry_runlist *l)
{
	return l ? l->n : 0;
}

int64_t ry_runlist_id(const ry_runlist *l, size_t i)
{
	return i < l->n ? l->ids[i] : 0;
}

const int64_t *ry_runlist_ids(const ry_runlist *l)
{
	return l->ids;
}

int64_t *ry_runlist_take_ids(ry_runlist *l)
{
	/* the list grew by doubling: no more room held than it uses */
	int64_t *ids = ry_xrealloc(l->ids, (l->n ? l->n : 1) * sizeof *ids);
	free(l);
	return ids;
}

/* ---- fetching cells ---------------------------------------------------- */

/* Above this many rows a column is read by one index scan, not by lookups
 * (measured with tests/bench/bench_query.c; see docs/query.md). */
#define POINT_MAX 3000

/* Fill a cell that is still empty (RY_CELL_NULL). */
static void set_cell(ry_cell *c, sqlite3_stmt *s, int col)
{
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		c->type = RY_CELL_NUM;
		c->num = sqlite3_column_double(s, col);
		break;
	case SQLITE_NULL:
		break;
	default:
		c->type = RY_CELL_TEXT;
		c->text = ry_store__column_dup(s, col);
		break;
	}
}


/* Fibonacci hashing: the top bits of id * 2^64/phi spread runs of
 * consecutive ids evenly over the table. */
static size_t idhash(const struct idmap *m, int64_t id)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> m->shift);
}

static uint32_t *idmap_slot(struct idmap *m, int64_t id, bool insert)
{
	for (size_t h = idhash(m, id);; h = (h + 1) & m->mask) {
		if (!m->slots[h].row) {
			if (!insert)
				return NULL;
			m->slots[h].id = id;
			return &m->slots[h].row;
		}
		if (m->slots[h].id == id)
			return &m->slots[h].row;
	}
}

static void idmap_build(struct idmap *m, const int64_t *ids, size_t n)
{
	int64_t lo = ids[0], hi = ids[0];
	size_t cap = 16;
	unsigned bits = 4;
	memset(m, 0, sizeof *m);
	for (size_t i = 1; i < n; i++) {
		if (ids[i] < lo)
			lo = ids[i];
		if (ids[i] > hi)
			hi = ids[i];
	}
	if ((uint64_t)hi - (uint64_t)lo < 4 * (uint64_t)n + 4096) {
		m->min = lo;
		m->span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
		return;
	}
	while (cap < n * 2)
		cap <<= 1, bits++;
	m->mask = cap - 1;
	m->shift = 64 - bits;
	m->slots = ry_xcalloc(cap, sizeof *m->slots);
	m->next = ry_xcalloc(n, sizeof *m->next);
	for (size_t i = n; i-- > 0;) {
		uint32_t *slot = idmap_slot(m, ids[i], true);
		m->next[i] = *slot;
		*slot = (uint32_t)i + 1;
	}
}

static void idmap_free(struct idmap *m)
{
	free(m->slots);
	free(m->next);
}

/* One column by primary-key lookups. */
static int fetch_points(ry_store *st, const int64_t *ids, size_t n, const ry_field *f,
                        size_t j, size_t nfields, ry_cell *cells)
{
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, idx;

	ry_field__scan_sql(f, &sql, true);
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing a column fetch");
		goto done;
	}
	idx = ry_field__bind(f, s, 1);
	for (size_t i = 0; i < n; i++) {
		int step;
		sqlite3_bind_int64(s, idx, ids[i]);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW)
			set_cell(&cells[i * nfields + j], s, 1);
		else if (step != SQLITE_DONE) {
			rc = ry_store__sqlerr(st, "fetching run columns");
			goto done;
		}
		sqlite3_reset(s);
	}
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	return rc;
}

/* One column read for the dense plan, indexed by id - min. */
struct column {
	uint8_t *types; /* V_*; V_NULL (0) where the run has no value */
	double *vals;   /* V_NUM: the number; V_TEXT with dict: the text's code */
	char **texts;   /* allocated on the first text value (without dict) */
	struct dict *dict; /* set: texts are interned into it, not held per run */
};


static void column_free(struct column *c, size_t span)
{
	if (c->texts)
		for (size_t k = 0; k < span; k++)
			free(c->texts[k]);
	free(c->texts);
	free(c->types);
	free(c->vals);
}

static void column_alloc(struct column *c, size_t span)
{
	c->types = ry_xcalloc(span, 1);
	c->vals = ry_xmalloc(span * sizeof *c->vals);
}

/* Value `i` of row s into slot k of a dense column. */
static void column_put(struct column *col, size_t span, uint64_t k, sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		col->types[k] = V_NUM;
		col->vals[k] = sqlite3_column_double(s, i);
		break;
	default:
		if (col->types[k] == V_NUM)
			break; /* a param's number came first */
		if (col->dict) {
			const char *t = (const char *)sqlite3_column_text(s, i);
			if (!t)
				break;
			col->types[k] = V_TEXT;
			col->vals[k] = dict_add(col->dict, t, strnlen(t, (size_t)sqlite3_column_bytes(s, i)));
			break;
		}
		if (!col->texts)
			col->texts = ry_xcalloc(span, sizeof *col->texts);
		col->types[k] = V_TEXT;
		col->texts[k] = ry_store__column_dup(s, i);
		break;
	}
}

/* Dense plan: every built-in column the runs_listing index covers, by one
 * scan of it (each scan of 10^6 entries costs ~100 ms, whatever it reads:
 * 8 columns were 8 scans); *done[j] marks the fields read. */
static int fetch_listed(ry_store *st, const struct idmap *m, ry_field *const *fields, size_t nfields,
                        struct column *cols, bool *done)
{
	ry_field **f = ry_xcalloc(nfields + 1, sizeof *f);
	size_t *at = ry_xcalloc(nfields + 1, sizeof *at), n = 0;
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, step;

	for (size_t j = 0; j < nfields; j++)
		if (ry_field__listed(fields[j])) {
			at[n] = j;
			f[n++] = fields[j];
		}
	if (n < 2)
		goto done; /* one column: its own scan is the same */
	ry_field__listing_sql(f, n, &sql);
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing a column fetch");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		column_alloc(&cols[at[i]], m->span);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t k = (uint64_t)sqlite3_column_int64(s, 0) - (uint64_t)m->min;
		if (k >= m->span)
			continue;
		for (size_t i = 0; i < n; i++)
			column_put(&cols[at[i]], m->span, k, s, (int)i + 1);
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "fetching run columns");
	for (size_t i = 0; i < n && !rc; i++)
		done[at[i]] = true;
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	free(f);
	free(at);
	return rc;
}

/* One column by a single scan of its key (or of runs).  Dense plan: into
 * `col`; sparse plan: straight into the cells of the rows asking. */
static int fetch_scan(ry_store *st, struct idmap *m, const ry_field *f, struct column *col,
                      size_t j, size_t nfields, ry_cell *cells)
{
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, step;

	ry_field__scan_sql(f, &sql, false);
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing a column fetch");
		goto done;
	}
	ry_field__bind(f, s, 1);
	if (m->span)
		column_alloc(col, m->span);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (!m->span) {
			uint32_t *slot = idmap_slot(m, id, false);
			for (uint32_t row = slot ? *slot : 0; row; row = m->next[row - 1])
				if (cells[(row - 1) * nfields + j].type == RY_CELL_NULL)
					set_cell(&cells[(row - 1) * nfields + j], s, 1);
			continue;
		}
		uint64_t k = (uint64_t)id - (uint64_t)m->min;
		if (k < m->span)
			column_put(col, m->span, k, s, 1);
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "fetching run columns");
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	return rc;
}

/* Dense plan, last step: every cell written once, row by row, so the big
 * cell array is filled in order while the columns are read at random from
 * small arrays. */
static void gather(const struct idmap *m, const int64_t *ids, size_t n, struct column *cols,
                   size_t nfields, ry_cell *cells)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)((uint64_t)ids[i] - (uint64_t)m->min);
		for (size_t j = 0; j < nfields; j++) {
			struct column *col = &cols[j];
			ry_cell *c = &cells[i * nfields + j];
			c->num = 0;
			c->text = NULL;
			switch (col->types[k]) {
			case V_NUM:
				c->type = RY_CELL_NUM;
				c->num = col->vals[k];
				break;
			case V_TEXT: /* the first row asking takes the string */
				c->type = RY_CELL_TEXT;
				c->text = col->texts[k];
				col->texts[k] = NULL;
				col->types[k] = V_MOVED;
				col->vals[k] = (double)i;
				break;
			case V_MOVED: /* the same id asked for again */
				c->type = RY_CELL_TEXT;
				c->text = ry_xstrdup(cells[(size_t)col->vals[k] * nfields + j].text);
				break;
			default:
				c->type = RY_CELL_NULL;
				break;
			}
		}
	}
}

int ry_runlist_fetch(ry_store *st, const int64_t *ids, size_t n,
                     ry_field *const *fields, size_t nfields, ry_cell *cells)
{
	struct idmap m;
	struct column *cols = NULL;
	bool txn, dense;
	int rc = 0;

	if (!n || !nfields)
		return 0;
	txn = read_begin(st);
	if (n > POINT_MAX)
		idmap_build(&m, ids, n);
	dense = n > POINT_MAX && m.span;
	if (dense)
		cols = ry_xcalloc(nfields, sizeof *cols);
	else
		memset(cells, 0, n * nfields * sizeof *cells);
	bool *done = ry_xcalloc(nfields, sizeof *done);
	if (dense)
		rc = fetch_listed(st, &m, fields, nfields, cols, done);
	for (size_t j = 0; j < nfields && !rc; j++) {
		if (done[j])
			continue;
		if (n > POINT_MAX)
			rc = fetch_scan(st, &m, fields[j], dense ? &cols[j] : NULL, j, nfields, cells);
		else
			rc = fetch_points(st, ids, n, fields[j], j, nfields, cells);
	}
	free(done);
	if (dense) {
		if (rc)
			memset(cells, 0, n * nfields * sizeof *cells);
		else
			gather(&m, ids, n, cols, nfields, cells);
		for (size_t j = 0; j < nfields; j++)
			column_free(&cols[j], m.span);
		free(cols);
	}
	if (n > POINT_MAX)
		idmap_free(&m);
	read_end(st, txn);
	if (rc)
		ry_cells_clear(cells, n * nfields);
	return rc;
}

void ry_column_clear(ry_column *c)
{
	free(c->num);
	free(c->code);
	ry_strings_free(c->texts, c->ntexts);
	memset(c, 0, sizeof *c);
}

/* The column's values in row order, from the run at row i's type and
 * value at type[at(i)], val[at(i)]: num, or (text in it) codes into the
 * distinct texts sorted, the numbers among them interned as "%.17g". */
static void column_out(struct dict *d, const struct idmap *m, const int64_t *ids, size_t n, const uint8_t *type,
                       const double *val, ry_column *out)
{
	bool text = false;
	for (size_t i = 0; i < n && !text && d->n; i++)
		text = type[COLUMN_AT(m, ids, i)] == V_TEXT;
	if (!text) {
		out->num = ry_xmalloc((n ? n : 1) * sizeof *out->num);
		for (size_t i = 0; i < n; i++) {
			size_t k = COLUMN_AT(m, ids, i);
			out->num[i] = type[k] == V_NUM ? val[k] : NAN;
		}
		return;
	}
	out->code = ry_xmalloc((n ? n : 1) * sizeof *out->code);
	for (size_t i = 0; i < n; i++) {
		size_t k = COLUMN_AT(m, ids, i);
		char buf[40];
		if (type[k] == V_NUM)
			snprintf(buf, sizeof buf, "%.17g", val[k]);
		out->code[i] = type[k] == V_TEXT ? (int32_t)val[k]
		             : type[k] == V_NUM ? (int32_t)dict_add(d, buf, strlen(buf)) : -1;
	}
	/* codes in strcmp order of their texts */
	uint32_t *rank = dict_ranks(d);
	out->texts = ry_xmalloc(d->n * sizeof *out->texts);
	for (size_t c = 0; c < d->n; c++)
		out->texts[rank[c]] = d->texts[c];
	out->ntexts = d->n;
	for (size_t i = 0; i < n; i++)
		if (out->code[i] >= 0)
			out->code[i] = (int32_t)rank[out->code[i]];
	free(rank);
	free(d->texts);
	d->texts = NULL;
	d->n = 0;
}

static int read_compact(ry_store *st, const int64_t *ids, size_t n, const ry_field *f, struct dict *d,
                        struct compact *out)
{
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (n > POINT_MAX) {
		struct idmap *m = ry_xmalloc(sizeof *m);
		idmap_build(m, ids, n);
		if (m->span) {
			/* by id - min while the index is scanned */
			struct column col = { NULL, NULL, NULL, d }; /* fetch_scan allocates its arrays */
			bool txn = read_begin(st);
			rc = fetch_scan(st, m, f, &col, 0, 1, NULL);
			read_end(st, txn);
			out->m = m;
			out->type = col.types;
			out->val = col.vals;
			if (rc)
				compact_free(out);
			return rc;
		}
		idmap_free(m);
		free(m);
	}
	/* few runs, or ids too far apart: through cells, in row order */
	ry_cell *cells = ry_xcalloc(n ? n : 1, sizeof *cells);
	ry_field *fp = (ry_field *)f;
	if ((rc = ry_runlist_fetch(st, ids, n, &fp, 1, cells)) == 0)
		compact_from_cells(cells, n, d, out);
	ry_cells_clear(cells, n);
	free(cells);
	return rc;
}

static void compact_free(struct compact *c)
{
	if (c->m)
		idmap_free(c->m);
	free(c->m);
	free(c->type);
	free(c->val);
	memset(c, 0, sizeof *c);
}

int ry_runlist_fetch_column(ry_store *st, const int64_t *ids, size_t n, const ry_field *f, ry_column *out)
{
	struct dict d = { 0 };
	struct compact c;
	memset(out, 0, sizeof *out);
	int rc = read_compact(st, ids, n, f, &d, &c);
	if (!rc)
		column_out(&d, c.m, ids, n, c.type, c.val, out);
	compact_free(&c);
	dict_free(&d);
	return rc;
}

struct ry_colread {
	const int64_t *ids;
	struct dict d;
	struct compact c;
};

int ry_runlist__colread(ry_colread **out, ry_store *st, const int64_t *ids, size_t n, const ry_field *f)
{
	ry_colread *r = ry_xcalloc(1, sizeof *r);
	int rc = read_compact(st, ids, n, f, &r->d, &r->c);
	r->ids = ids;
	if (rc) {
		ry_runlist__colread_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

ry_cell_type ry_runlist__colread_get(const ry_colread *r, size_t i, double *num, const char **text)
{
	size_t at = COLUMN_AT(r->c.m, r->ids, i);
	switch (r->c.type[at]) {
	case V_NUM:
		*num = r->c.val[at];
		return RY_CELL_NUM;
	case V_TEXT:
		*text = r->d.texts[(size_t)r->c.val[at]];
		return RY_CELL_TEXT;
	default:
		return RY_CELL_NULL;
	}
}

void ry_runlist__colread_free(ry_colread *r)
{
	if (!r)
		return;
	compact_free(&r->c);
	dict_free(&r->d);
	free(r);
}

struct ry_cellreader {
	ry_store *st;
	const int64_t *ids;
	size_t n, nfields;
	ry_field *const *fields;
	struct idmap m;
	bool dense;          /* the ids suit the column arrays */
	struct column *cols; /* read on the first block past the start; NULL until then */
};

/* The first rows are looked up, so that output starts at once, before the
 * column scans (2-3 s for 13 columns at 10^6 runs) that serve the rest. */
#define READER_EAGER 2048

int ry_cellreader_open(ry_cellreader **out, ry_store *st, const int64_t *ids, size_t n,
                       ry_field *const *fields, size_t nfields)
{
	ry_cellreader *r = ry_xcalloc(1, sizeof *r);
	r->st = st;
	r->ids = ids;
	r->n = n;
	r->fields = fields;
	r->nfields = nfields;
	if (n > POINT_MAX && nfields) {
		idmap_build(&r->m, ids, n);
		r->dense = r->m.span > 0;
	}
	*out = r;
	return 0;
}

static int reader_scan(ry_cellreader *r)
{
	bool txn = read_begin(r->st);
	int rc = 0;
	bool *done = ry_xcalloc(r->nfields, sizeof *done);
	r->cols = ry_xcalloc(r->nfields, sizeof *r->cols);
	rc = fetch_listed(r->st, &r->m, r->fields, r->nfields, r->cols, done);
	for (size_t j = 0; j < r->nfields && !rc; j++)
		if (!done[j])
			rc = fetch_scan(r->st, &r->m, r->fields[j], &r->cols[j], j, r->nfields, NULL);
	free(done);
	read_end(r->st, txn);
	return rc;
}

int ry_cellreader_read(ry_cellreader *r, size_t from, size_t k, ry_cell *cells)
{
	int rc;
	if (!r->cols && (!r->dense || from + k <= READER_EAGER))
		return ry_runlist_fetch(r->st, r->ids + from, k, r->fields, r->nfields, cells);
	if (!r->cols && (rc = reader_scan(r))) {
		memset(cells, 0, k * r->nfields * sizeof *cells);
		return rc;
	}
	/* As gather, but the strings stay with the columns (a row may be read
	 * again): each cell gets its own copy. */
	for (size_t i = 0; i < k; i++) {
		size_t at = (size_t)((uint64_t)r->ids[from + i] - (uint64_t)r->m.min);
		for (size_t j = 0; j < r->nfields; j++) {
			const struct column *col = &r->cols[j];
			ry_cell *c = &cells[i * r->nfields + j];
			c->num = 0;
			c->text = NULL;
			c->type = RY_CELL_NULL;
			if (col->types[at] == V_NUM) {
				c->type = RY_CELL_NUM;
				c->num = col->vals[at];
			} else if (col->types[at] == V_TEXT) {
				c->type = RY_CELL_TEXT;
				c->text = ry_xstrdup(col->texts[at]);
			}
		}
	}
	return 0;
}

void ry_cellreader_free(ry_cellreader *r)
{
	if (!r)
		return;
	if (r->cols)
		for (size_t j = 0; j < r->nfields; j++)
			column_free(&r->cols[j], r->m.span);
	free(r->cols);
	if (r->n > POINT_MAX && r->nfields)
		idmap_free(&r->m);
	free(r);
}

void ry_cells_clear(ry_cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cells[i].type == RY_CELL_TEXT)
			free(cells[i].text);
		cells[i].text = NULL;
		cells[i].type = RY_CELL_NULL;
	}
}

/* ---- formatting -------------------------------------------------------- */

static void format_number(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "nan");
	else if (isinf(v))
		snprintf(out, n, v > 0 ? "inf" : "-inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, n, "%.0f", v == 0 ? 0.0 : v); /* no "-0" */
	else
		snprintf(out, n, "%.6g", v);
}

void ry_cell_format(const ry_field *f, const ry_cell *c, double now, char *out, size_t n)
{
	const char *name = ry_field_key(f);
	if (!n)
		return;
	switch (c->type) {
	case RY_CELL_NULL:
		snprintf(out, n, "-");
		return;
	case RY_CELL_TEXT:
		snprintf(out, n, "%s", c->text ? c->text : "");
		return;
	case RY_CELL_NUM:
		break;
	}
	if (ry_field_kind_of(f) == RY_FIELD_BUILTIN) {
		if (strcmp(name, "duration") == 0) {
			ry_format_duration(c->num, out, n);
			return;
		}
		if (strcmp(name, "created") == 0 || strcmp(name, "started") == 0 || strcmp(name, "ended") == 0) {
			ry_format_age(c->num, now, out, n);
			return;
		}
		if (strcmp(name, "cost") == 0) {
			snprintf(out, n, "$%.2f", c->num);
			return;
		}
	}
	format_number(c->num, out, n);
}
