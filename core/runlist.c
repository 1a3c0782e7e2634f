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
#include "runlist.h"
#include "query_internal.h"
#include "store_internal.h"
#include "alloc.h"
#include "error.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ry_runlist {
	int64_t *ids;
	size_t n;
};

int ry_runlist_open(ry_runlist **out, ry_store *st, const ry_runlist_options *opts)
{
	static const ry_runlist_options defaults = RY_RUNLIST_OPTIONS_INIT;
	ry_query *q = NULL;
	ry_field *sort = NULL;
	bool desc = true;
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	ry_runlist *l;
	size_t cap = 0;
	int rc, i, step;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = ry_query_compile(&q, st, opts->filter)))
		return rc;
	if (opts->sort && *opts->sort && (rc = ry_sort_parse(&sort, &desc, st, opts->sort))) {
		ry_query_free(q);
		return rc;
	}

	ry_buf_printf(&sql, "SELECT r.id FROM runs AS r WHERE %s", ry_query_sql(q));
	if (opts->experiment_id > 0)
		ry_buf_puts(&sql, " AND r.experiment_id = ?");
	ry_buf_puts(&sql, " ORDER BY ");
	if (sort) {
		ry_field__sql(sort, &sql);
		/* SQLite sorts NULL first: DESC already puts them last, and plain
		 * DESC lets an index on the column serve the order. */
		ry_buf_puts(&sql, desc ? " DESC" : " ASC NULLS LAST");
	} else {
		ry_buf_puts(&sql, "r.created DESC");
	}
	ry_buf_puts(&sql, ", r.id DESC LIMIT ?");

	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing the run list");
		goto done;
	}
	i = ry_query__bind(q, s, 1);
	if (opts->experiment_id > 0)
		sqlite3_bind_int64(s, i++, opts->experiment_id);
	if (sort)
		i = ry_field__bind(sort, s, i);
	sqlite3_bind_int64(s, i, opts->limit ? (sqlite3_int64)opts->limit : -1);

	l = ry_xcalloc(1, sizeof *l);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		l->ids = ry_xgrow(l->ids, &cap, l->n + 1, sizeof *l->ids);
		l->ids[l->n++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE) {
		rc = ry_store__sqlerr(st, "listing runs");
		ry_runlist_free(l);
		goto done;
	}
	*out = l;
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	ry_field_free(sort);
	ry_query_free(q);
	return rc;
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

/* ---- fetching cells ---------------------------------------------------- */

/* Above this many rows a column is read by one index scan, not by lookups
 * (measured with tests/bench/bench_query.c; see docs/query.md). */
#define POINT_MAX 3000

static void set_cell(ry_cell *c, sqlite3_stmt *s, int col)
{
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		c->type = RY_CELL_NUM;
		c->num = sqlite3_column_double(s, col);
		break;
	case SQLITE_NULL:
		c->type = RY_CELL_NULL;
		break;
	default:
		c->type = RY_CELL_TEXT;
		c->text = ry_store__column_dup(s, col);
		break;
	}
}

/* Run id -> first row asking for it; next[] chains rows with the same id. */
struct idmap {
	int64_t *keys;
	size_t *rows; /* row + 1; 0 = empty slot */
	size_t *next; /* row + 1 of the next row with the same id; 0 = none */
	size_t mask;
};

static size_t idhash(int64_t id, size_t mask)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

static void idmap_build(struct idmap *m, const int64_t *ids, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	m->mask = cap - 1;
	m->keys = ry_xmalloc(cap * sizeof *m->keys);
	m->rows = ry_xcalloc(cap, sizeof *m->rows);
	m->next = ry_xcalloc(n, sizeof *m->next);
	for (size_t i = n; i-- > 0;) {
		size_t h = idhash(ids[i], m->mask);
		while (m->rows[h] && m->keys[h] != ids[i])
			h = (h + 1) & m->mask;
		if (m->rows[h])
			m->next[i] = m->rows[h];
		m->keys[h] = ids[i];
		m->rows[h] = i + 1;
	}
}

static size_t idmap_get(const struct idmap *m, int64_t id)
{
	size_t h = idhash(id, m->mask);
	while (m->rows[h]) {
		if (m->keys[h] == id)
			return m->rows[h];
		h = (h + 1) & m->mask;
	}
	return 0;
}

static void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->rows);
	free(m->next);
}

/* One column by primary-key lookups. */
static int fetch_points(ry_store *st, const int64_t *ids, size_t n, const ry_field *f,
                        size_t j, size_t nfields, ry_cell *cells)
{
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, idx;

	ry_buf_puts(&sql, "SELECT ");
	ry_field__sql(f, &sql);
	ry_buf_puts(&sql, " FROM runs AS r WHERE r.id = ?");
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
			set_cell(&cells[i * nfields + j], s, 0);
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

/* One column by a single scan of its key (or of runs), keeping asked rows. */
static int fetch_scan(ry_store *st, const struct idmap *m, const ry_field *f,
                      size_t j, size_t nfields, ry_cell *cells)
{
	ry_buf sql = RY_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, step;

	ry_field__scan_sql(f, &sql);
	if (sqlite3_prepare_v2(ry_store__db(st), ry_buf_cstr(&sql), -1, &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing a column fetch");
		goto done;
	}
	ry_field__bind(f, s, 1);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		size_t row = idmap_get(m, sqlite3_column_int64(s, 0));
		for (; row; row = m->next[row - 1]) {
			ry_cell *c = &cells[(row - 1) * nfields + j];
			if (c->type == RY_CELL_TEXT)
				free(c->text);
			c->text = NULL;
			set_cell(c, s, 1);
		}
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "fetching run columns");
done:
	sqlite3_finalize(s);
	ry_buf_free(&sql);
	return rc;
}

int ry_runlist_fetch(ry_store *st, const int64_t *ids, size_t n,
                     ry_field *const *fields, size_t nfields, ry_cell *cells)
{
	struct idmap m = { 0 };
	bool scan = n > POINT_MAX;
	int rc = 0;

	memset(cells, 0, n * nfields * sizeof *cells);
	if (!n || !nfields)
		return 0;
	if (scan)
		idmap_build(&m, ids, n);
	for (size_t j = 0; j < nfields && !rc; j++) {
		if (scan)
			rc = fetch_scan(st, &m, fields[j], j, nfields, cells);
		else
			rc = fetch_points(st, ids, n, fields[j], j, nfields, cells);
	}
	if (scan)
		idmap_free(&m);
	if (rc)
		ry_cells_clear(cells, n * nfields);
	return rc;
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
