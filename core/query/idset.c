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
 * At 10^6 runs a compound filter's parts scan ~10^6 index rows (~95 ms);
 * two things keep that from being paid again and again:
 *   - each connection keeps the last few parts' id sets (a cache keyed by
 *     the part's SQL and values, valid while the workspace's data version
 *     and the connection's own change count stay the same), so the next
 *     keystroke of a live filter, a sort change or `G` re-scans only the
 *     part that changed;
 *   - the fill (query.c) scans the part it expects to be smallest first
 *     and may test the candidates left against a big part one by one
 *     (ry_idset__filter) instead of scanning it: sizes seen before are
 *     remembered here (ry_idset__size_hint) for that choice.
 *
 * This file holds the container, the cache and the SQL function; query.c
 * fills sets.
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

/* Parts' sets kept on one connection (the ry_idset function's user data). */
#define CACHE_SETS 8
#define CACHE_SIZES 64
struct ry_idset_cache {
	struct {
		char *key;       /* the part's SQL and values; NULL: free slot */
		int64_t dv, tc;  /* data_version and total_changes when filled */
		struct rep rep;
		uint64_t used;   /* for LRU eviction */
	} set[CACHE_SETS];
	struct {
		char *key;
		size_t n;
	} size[CACHE_SIZES];
	size_t nsize_next;   /* round-robin replacement of size slots */
	ry_idset *target;    /* what ry_idset_collect adds to */
	size_t budget;       /* ... at most this many ids (0: no limit) */
	bool over;           /* ... and it went past that */
	uint64_t clock;
	int64_t dv, tc;      /* the versions read for the fill in progress */
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

static struct rep rep_copy(const struct rep *r)
{
	struct rep c = *r;
	if (r->bits) {
		size_t words = (size_t)(r->nbits + 63) / 64 + 1;
		c.bits = ry_xmalloc(words * sizeof *c.bits);
		memcpy(c.bits, r->bits, words * sizeof *c.bits);
	} else if (r->n) {
		c.ids = ry_xmalloc(r->n * sizeof *c.ids);
		memcpy(c.ids, r->ids, r->n * sizeof *c.ids);
	} else {
		c.ids = NULL;
	}
	return c;
}

static size_t rep_count(const struct rep *r)
{
	size_t c = 0;
	if (!r->bits)
		return r->n;
	for (int64_t w = 0; w < (r->nbits + 63) / 64; w++)
		c += (size_t)__builtin_popcountll(r->bits[w]);
	return c;
}

/* Add r as the next part of s (r consumed). */
static void add_part(ry_idset *s, struct rep *r)
{
	if (!s->have) {
		s->acc = *r;
		s->have = true;
	} else {
		rep_and(&s->acc, r);
	}
	memset(r, 0, sizeof *r);
}

void ry_idset__part_done(ry_idset *s)
{
	struct rep r = rep_make(s->ids, s->n);
	s->ids = NULL;
	s->n = s->cap = 0;
	add_part(s, &r);
}

void ry_idset__part_abort(ry_idset *s)
{
	s->n = 0;
}

size_t ry_idset__part_rows(const ry_idset *s)
{
	return s->n;
}

bool ry_idset__started(const ry_idset *s)
{
	return s->have;
}

size_t ry_idset__candidates(const ry_idset *s)
{
	return s->have ? rep_count(&s->acc) : 0;
}

int ry_idset__filter(ry_idset *s, int (*keep)(void *arg, int64_t id), void *arg)
{
	struct rep *r = &s->acc;
	if (r->bits) {
		for (int64_t w = 0; w < (r->nbits + 63) / 64; w++) {
			uint64_t bits = r->bits[w];
			while (bits) {
				int b = __builtin_ctzll(bits);
				int64_t id = w * 64 + b;
				bits &= bits - 1;
				int k = keep(arg, id);
				if (k < 0)
					return k;
				if (!k)
					r->bits[w] &= ~(1ull << b);
			}
		}
		return 0;
	}
	size_t out = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (i && r->ids[i] == r->ids[i - 1])
			continue;
		int k = keep(arg, r->ids[i]);
		if (k < 0) {
			r->n = out;
			return k;
		}
		if (k)
			r->ids[out++] = r->ids[i];
	}
	r->n = out;
	return 0;
}

/* ---- the per-connection cache ------------------------------------------ */

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* What a cached set must match: another connection's commit moves
 * data_version, this connection's own writes move total_changes. */
static void cache_versions(sqlite3 *db, int64_t *dv, int64_t *tc)
{
	/* Inside a write transaction nothing is kept or taken: a rollback
	 * would leave kept sets that no version number tells apart. */
	*dv = sqlite3_txn_state(db, NULL) == SQLITE_TXN_WRITE ? -1 : one_int(db, "PRAGMA data_version");
	*tc = sqlite3_total_changes64(db);
}

bool ry_idset__cached_part(ry_idset *s, ry_idset_cache *c, const char *key)
{
	if (!c)
		return false;
	for (int i = 0; i < CACHE_SETS; i++) {
		if (!c->set[i].key || strcmp(c->set[i].key, key))
			continue;
		if (c->set[i].dv != c->dv || c->set[i].tc != c->tc || c->dv < 0)
			return false;
		c->set[i].used = ++c->clock;
		struct rep r = rep_copy(&c->set[i].rep);
		add_part(s, &r);
		return true;
	}
	return false;
}

void ry_idset__part_done_keep(ry_idset *s, ry_idset_cache *c, const char *key)
{
	struct rep r = rep_make(s->ids, s->n);
	s->ids = NULL;
	s->n = s->cap = 0;
	if (c && c->dv >= 0) {
		int slot = 0;
		for (int i = 0; i < CACHE_SETS; i++) {
			if (c->set[i].key && !strcmp(c->set[i].key, key)) {
				slot = i;
				break;
			}
			if (!c->set[i].key || c->set[i].used < c->set[slot].used)
				slot = i;
			if (!c->set[slot].key)
				break;
		}
		free(c->set[slot].key);
		rep_free(&c->set[slot].rep);
		c->set[slot].key = ry_xstrdup(key);
		c->set[slot].dv = c->dv;
		c->set[slot].tc = c->tc;
		c->set[slot].rep = rep_copy(&r);
		c->set[slot].used = ++c->clock;
		ry_idset__size_note(c, key, rep_count(&r));
	}
	add_part(s, &r);
}

long long ry_idset__size_hint(const ry_idset_cache *c, const char *key)
{
	if (!c)
		return -1;
	for (int i = 0; i < CACHE_SIZES; i++)
		if (c->size[i].key && !strcmp(c->size[i].key, key))
			return (long long)c->size[i].n;
	return -1;
}

void ry_idset__size_note(ry_idset_cache *c, const char *key, size_t n)
{
	if (!c)
		return;
	for (int i = 0; i < CACHE_SIZES; i++) {
		if (c->size[i].key && !strcmp(c->size[i].key, key)) {
			c->size[i].n = n;
			return;
		}
	}
	size_t i = c->nsize_next++ % CACHE_SIZES;
	free(c->size[i].key);
	c->size[i].key = ry_xstrdup(key);
	c->size[i].n = n;
}

static void cache_free(void *p)
{
	ry_idset_cache *c = p;
	if (!c)
		return;
	for (int i = 0; i < CACHE_SETS; i++) {
		free(c->set[i].key);
		rep_free(&c->set[i].rep);
	}
	for (int i = 0; i < CACHE_SIZES; i++)
		free(c->size[i].key);
	free(c);
}
int ry_idset__prepare(ry_idset *s, sqlite3 *db, ry_idset_cache *c)
{
	if (!s->ready) {
		if (c)
			cache_versions(db, &c->dv, &c->tc);
		s->rc = s->fill(db, s->payload, s, c);
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
	return rep_count(&s->acc);
}

void ry_idset__bind(sqlite3_stmt *st, int i, ry_idset *s)
{
	/* A filled set stays filled: the statements of one listing read one
	 * snapshot, and the run list fills the set before choosing its plan
	 * (refilling it per statement re-ran the probes). */
	sqlite3_bind_pointer(st, i, s, POINTER_TYPE, NULL);
}

size_t ry_idset__ids(const ry_idset *s, int64_t *out)
{
	const struct rep *r = &s->acc;
	size_t k = 0;
	if (!r->bits) {
		for (size_t i = 0; i < r->n; i++)
			if (i == 0 || r->ids[i] != r->ids[i - 1])
				out[k++] = r->ids[i];
		return k;
	}
	for (int64_t w = 0; w < (r->nbits + 63) / 64; w++)
		for (uint64_t bits = r->bits[w]; bits; bits &= bits - 1)
			out[k++] = w * 64 + __builtin_ctzll(bits);
	return k;
}

int ry_idset__fill(ry_store *st, ry_idset *s, size_t *n)
{
	sqlite3_stmt *q = ry_store__stmt(st, "SELECT ry_idset_fill(?)");
	int rc = 0;
	sqlite3_bind_pointer(q, 1, s, POINTER_TYPE, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(q, 0);
	else
		rc = ry_store__sqlerr(st, "filtering runs");
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

/* ry_idset(id, set): 1 if the run is in the set. */
static void idset_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	/* Called once per run of the list: the filled set's test is the hot
	 * path.  The set is a bound parameter, constant while the statement
	 * runs, so its pointer is kept as auxiliary data: looking it up by
	 * type (a strcmp) was a tenth of the test. */
	ry_idset *s = sqlite3_get_auxdata(ctx, 1);
	(void)argc;
	if (!s && (s = sqlite3_value_pointer(argv[1], POINTER_TYPE)) != NULL)
		sqlite3_set_auxdata(ctx, 1, s, NULL);
	if (!s) {
		sqlite3_result_error(ctx, "ry_idset: no set bound", -1);
		return;
	}
	if (!s->ready && ry_idset__prepare(s, sqlite3_context_db_handle(ctx), sqlite3_user_data(ctx))) {
		sqlite3_result_error(ctx, s->err ? s->err : "ry_idset: the subquery failed", -1);
		return;
	}
	if (s->rc) {
		sqlite3_result_error(ctx, s->err ? s->err : "ry_idset: the subquery failed", -1);
		return;
	}
	sqlite3_result_int(ctx, sqlite3_value_type(argv[0]) == SQLITE_INTEGER &&
	                            ry_idset__has(s, sqlite3_value_int64(argv[0])));
}

/* ry_idset_fill(set): fill the set now, with this connection's kept
 * parts, and return its size (ry_idset__fill). */
static void fill_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	ry_idset *s = sqlite3_value_pointer(argv[0], POINTER_TYPE);
	(void)argc;
	if (!s) {
		sqlite3_result_error(ctx, "ry_idset_fill: no set bound", -1);
		return;
	}
	if (ry_idset__prepare(s, sqlite3_context_db_handle(ctx), sqlite3_user_data(ctx))) {
		sqlite3_result_error(ctx, s->err ? s->err : "ry_idset: the subquery failed", -1);
		return;
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)ry_idset__count(s));
}

/* ry_idset_collect(id): an aggregate adding each id to the cache's target
 * set, so that a part's scan runs inside one sqlite3_step: returning each
 * row to C cost more than reading it (~40% of a scan at 10^6 runs). */
static void collect_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	ry_idset_cache *c = sqlite3_user_data(ctx);
	ry_idset *s = c->target;
	(void)argc;
	if (!s || sqlite3_value_type(argv[0]) != SQLITE_INTEGER)
		return;
	if (s->n < s->cap) /* once per index row scanned: no call to grow */
		s->ids[s->n++] = sqlite3_value_int64(argv[0]);
	else
		ry_idset__add(s, sqlite3_value_int64(argv[0]));
	if (c->budget && s->n > c->budget) {
		c->over = true;
		sqlite3_result_error(ctx, "ry_idset_collect: over budget", -1);
	}
}

static void collect_final(sqlite3_context *ctx)
{
	sqlite3_result_null(ctx);
}

int ry_idset__collect(ry_idset *s, ry_idset_cache *c, sqlite3_stmt *st, size_t budget, bool *over)
{
	int rc;
	c->target = s;
	c->budget = budget;
	c->over = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	*over = c->over;
	c->target = NULL;
	c->budget = 0;
	return rc == SQLITE_DONE || *over ? SQLITE_OK : rc;
}

/* Each connection gets its own cache (freed with the connection): a
 * worker thread's connection never shares one with the main thread's. */
static int define_idset(sqlite3 *db)
{
	ry_idset_cache *c = ry_xcalloc(1, sizeof *c);
	int rc = sqlite3_create_function_v2(db, "ry_idset_collect", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, c, NULL,
	                                    collect_step, collect_final, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "ry_idset_fill", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, c, fill_fn,
		                                NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		cache_free(c);
		return rc;
	}
	return sqlite3_create_function_v2(db, "ry_idset", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DIRECTONLY,
	                                  c, idset_fn, NULL, NULL, cache_free);
}

/* The query defines its function on the store's connections itself, on
 * first use: the store sits below the query and knows nothing of it. */
int ry_query__use(ry_store *st)
{
	return ry_store__use(st, define_idset);
}
