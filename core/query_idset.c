/*
 * Run-id sets behind the filter's conditions on params, metrics and tags.
 *
 * The compiler turns each group of such conditions into a subquery over the
 * (key, value) indexes.  Written as `r.id IN (SELECT run_id ...)`, SQLite
 * answers it by looking up every matching run by rowid and sorting the
 * result in a temp b-tree: `lr` alone matches 75k of 100k runs and cost
 * 100-250 ms per keystroke of the live filter.  Instead the compiler writes
 * `ry_idset(r.id, ?)` with a pointer to one of these sets bound; the set
 * runs its subquery once, on first use, into a bitmap, and each test is a
 * bit probe.  SQLite then walks whatever index serves the ORDER BY.
 *
 * This file holds the container and the SQL function; query.c fills sets.
 */
#include "query_internal.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#define POINTER_TYPE "ry_idset"

struct ry_idset {
	ry_idset_fill_fn fill;
	void *payload;
	bool ready;
	int rc;            /* the fill's error, reported on every use */
	char *err;
	/* while filling: ids as they come */
	int64_t *ids;
	size_t n, cap;
	/* once ready: a bitmap over [0, nbits) when dense enough, else the
	 * sorted ids (searched by bisection) */
	uint64_t *bits;
	int64_t nbits;
};

ry_idset *ry_idset__new(ry_idset_fill_fn fill, void *payload)
{
	ry_idset *s = ry_xcalloc(1, sizeof *s);
	s->fill = fill;
	s->payload = payload;
	return s;
}

void ry_idset__reset(ry_idset *s)
{
	free(s->ids);
	free(s->bits);
	free(s->err);
	s->ids = NULL;
	s->bits = NULL;
	s->err = NULL;
	s->n = s->cap = 0;
	s->nbits = 0;
	s->rc = 0;
	s->ready = false;
}

void ry_idset__free(ry_idset *s)
{
	if (!s)
		return;
	ry_idset__reset(s);
	free(s);
}

void ry_idset__add(ry_idset *s, int64_t id)
{
	s->ids = ry_xgrow(s->ids, &s->cap, s->n + 1, sizeof *s->ids);
	s->ids[s->n++] = id;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Run ids are dense from 1, so a bitmap is the usual shape: 12.5 KB per
 * 100k runs.  Negative or far-flung ids fall back to bisection. */
static void finish(ry_idset *s)
{
	int64_t max = -1;
	bool dense = true;
	for (size_t i = 0; i < s->n && dense; i++) {
		if (s->ids[i] < 0)
			dense = false;
		else if (s->ids[i] > max)
			max = s->ids[i];
	}
	if (dense && max < (int64_t)(64 * s->n) + (1 << 20)) {
		s->nbits = max + 1;
		s->bits = ry_xcalloc((size_t)(s->nbits + 63) / 64 + 1, sizeof *s->bits);
		for (size_t i = 0; i < s->n; i++)
			s->bits[s->ids[i] >> 6] |= 1ull << (s->ids[i] & 63);
		free(s->ids);
		s->ids = NULL;
		s->n = s->cap = 0;
	} else if (s->n > 1) {
		qsort(s->ids, s->n, sizeof *s->ids, cmp_id);
	}
	s->ready = true;
}

int ry_idset__prepare(ry_idset *s, sqlite3 *db)
{
	if (!s->ready) {
		s->rc = s->fill(db, s->payload, s);
		if (s->rc)
			s->err = ry_xstrdup(sqlite3_errmsg(db));
		finish(s);
	}
	return s->rc;
}

bool ry_idset__has(const ry_idset *s, int64_t id)
{
	if (s->bits)
		return id >= 0 && id < s->nbits && (s->bits[id >> 6] >> (id & 63) & 1);
	return s->n && bsearch(&id, s->ids, s->n, sizeof id, cmp_id) != NULL;
}

size_t ry_idset__count(const ry_idset *s)
{
	size_t c = 0;
	if (!s->bits)
		return s->n;
	for (int64_t w = 0; w < (s->nbits + 63) / 64; w++)
		c += (size_t)__builtin_popcountll(s->bits[w]);
	return c;
}

void ry_idset__bind(sqlite3_stmt *st, int i, ry_idset *s)
{
	ry_idset__reset(s); /* each execution sees the data as it is now */
	sqlite3_bind_pointer(st, i, s, POINTER_TYPE, NULL);
}

/* ry_idset(id, set): 1 if the run is in the set. */
static void idset_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	ry_idset *s = sqlite3_value_pointer(argv[1], POINTER_TYPE);
	(void)argc;
	if (!s) {
		sqlite3_result_error(ctx, "ry_idset: no set bound", -1);
		return;
	}
	if (ry_idset__prepare(s, sqlite3_context_db_handle(ctx))) {
		sqlite3_result_error(ctx, s->err ? s->err : "ry_idset: the subquery failed", -1);
		return;
	}
	sqlite3_result_int(ctx, sqlite3_value_type(argv[0]) == SQLITE_INTEGER &&
	                            ry_idset__has(s, sqlite3_value_int64(argv[0])));
}

int ry_query__register(sqlite3 *db)
{
	return sqlite3_create_function_v2(db, "ry_idset", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DIRECTONLY,
	                                  NULL, idset_fn, NULL, NULL, NULL);
}
