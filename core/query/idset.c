/*
 * Run-id sets behind the filter's conditions on params, metrics and tags.
 *
 * Each condition on a params / metric_summary / tags row is answered by a
 * range scan of a (key, ...) index, which yields matching run ids in value
 * order.  Written as `r.id IN (SELECT run_id ...)`, SQLite answered them by
 * looking up every matching run by rowid and sorting the result in a temp
 * b-tree: `lr` alone matches 75k of 100k runs and cost 100-250 ms per
 * keystroke of the live filter; several conditions joined in one subquery
 * cost a primary-key probe per candidate row in every other table.
 *
 * Instead the compiler writes `ry_idset(r.id, ?)` with one of these sets
 * bound for each group of conditions joined by `and`.  On first use the set
 * runs each condition's scan (one "part" each) into a bitmap and intersects
 * the parts in C; every later test is a bit probe, and SQLite walks
 * whatever index serves the list's order.  Run ids are dense from 1, so a
 * bitmap is the usual shape (12.5 KB per 100k runs); ids far apart fall
 * back to a sorted array searched by bisection.
 *
 * This file holds the container and the SQL function; query.c fills sets.
 */
#include "query/query_internal.h"
#include "store/store_internal.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#define POINTER_TYPE "ry_idset"

/* A set of ids: a bitmap over [0, nbits) if bits, else n sorted ids. */
struct rep {
	uint64_t *bits;
	int64_t nbits;
	int64_t *ids;
	size_t n;
};

struct ry_idset {
	ry_idset_fill_fn fill;
	void *payload;
	bool ready;
	int rc;            /* the fill's error, reported on every use */
	char *err;
	int64_t *ids;      /* the part being filled, as the ids come */
	size_t n, cap;
	bool have;         /* acc holds the intersection of the parts so far */
	struct rep acc;
};

static void rep_free(struct rep *r)
{
	free(r->bits);
	free(r->ids);
	memset(r, 0, sizeof *r);
}

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
	free(s->err);
	rep_free(&s->acc);
	s->ids = NULL;
	s->err = NULL;
	s->n = s->cap = 0;
	s->have = false;
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

static bool rep_has(const struct rep *r, int64_t id)
{
	if (r->bits)
		return id >= 0 && id < r->nbits && (r->bits[id >> 6] >> (id & 63) & 1);
	return r->n && bsearch(&id, r->ids, r->n, sizeof id, cmp_id) != NULL;
}

/* Take ownership of ids[0..n) as a rep. */
static struct rep rep_make(int64_t *ids, size_t n)
{
	struct rep r = { 0 };
	int64_t max = -1;
	bool dense = true;
	for (size_t i = 0; i < n && dense; i++) {
		if (ids[i] < 0)
			dense = false;
		else if (ids[i] > max)
			max = ids[i];
	}
	if (dense && max < (int64_t)(64 * n) + (1 << 20)) {
		r.nbits = max + 1;
		r.bits = ry_xcalloc((size_t)(r.nbits + 63) / 64 + 1, sizeof *r.bits);
		for (size_t i = 0; i < n; i++)
			r.bits[ids[i] >> 6] |= 1ull << (ids[i] & 63);
		free(ids);
	} else {
		qsort(ids, n, sizeof *ids, cmp_id);
		r.ids = ids;
		r.n = n;
	}
	return r;
}

/* a &= b; b is consumed. */
static void rep_and(struct rep *a, struct rep *b)
{
	if (a->bits && b->bits) {
		int64_t nbits = a->nbits < b->nbits ? a->nbits : b->nbits;
		for (int64_t w = 0; w < (nbits + 63) / 64; w++)
			a->bits[w] &= b->bits[w];
		if (nbits & 63)
			a->bits[(nbits - 1) >> 6] &= ~0ull >> (64 - (nbits & 63));
		a->nbits = nbits;
		rep_free(b);
		return;
	}
	if (a->bits) { /* keep the sorted side, filtered */
		struct rep t = *a;
		*a = *b;
		*b = t;
	}
	size_t k = 0;
	for (size_t i = 0; i < a->n; i++)
		if ((i == 0 || a->ids[i] != a->ids[i - 1]) && rep_has(b, a->ids[i]))
			a->ids[k++] = a->ids[i];
	a->n = k;
	rep_free(b);
}

void ry_idset__part_done(ry_idset *s)
{
	struct rep r = rep_make(s->ids, s->n);
	s->ids = NULL;
	s->n = s->cap = 0;
	if (!s->have) {
		s->acc = r;
		s->have = true;
	} else {
		rep_and(&s->acc, &r);
	}
}

int ry_idset__prepare(ry_idset *s, sqlite3 *db)
{
	if (!s->ready) {
		s->rc = s->fill(db, s->payload, s);
		if (s->rc)
			s->err = ry_xstrdup(sqlite3_errmsg(db));
		if (!s->have) /* no part at all: the empty set */
			ry_idset__part_done(s);
		s->ready = true;
	}
	return s->rc;
}

bool ry_idset__has(const ry_idset *s, int64_t id)
{
	return rep_has(&s->acc, id);
}

size_t ry_idset__count(const ry_idset *s)
{
	size_t c = 0;
	if (!s->acc.bits)
		return s->acc.n;
	for (int64_t w = 0; w < (s->acc.nbits + 63) / 64; w++)
		c += (size_t)__builtin_popcountll(s->acc.bits[w]);
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

static int define_idset(sqlite3 *db)
{
	return sqlite3_create_function_v2(db, "ry_idset", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DIRECTONLY,
	                                  NULL, idset_fn, NULL, NULL, NULL);
}

/* The query defines its function on the store's connections itself, on
 * first use: the store sits below the query and knows nothing of it. */
int ry_query__use(ry_store *st)
{
	return ry_store__use(st, define_idset);
}
