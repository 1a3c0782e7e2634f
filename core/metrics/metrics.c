/*
 * Metric series storage: the chunk codec, the buffering writer and the
 * read-back paths.
 *
 * A series (run, key) is stored as chunks of up to RY_METRICS_CHUNK points,
 * one row each in the WITHOUT ROWID `metric_chunks` table clustered on
 * (run_id, key_id, chunk), so a whole history is one contiguous range scan;
 * key_id names the metric through `metric_keys`, once per workspace rather
 * than once per row.  A chunk blob is columnar: steps and millisecond
 * timestamps as zigzag varints of delta-of-deltas (a steady logging cadence
 * costs one byte per point each, a perfectly regular column two varints in
 * all), then the values in the narrowest exact form: integers as
 * zigzag varint deltas, doubles that are exactly float32 (what frameworks
 * log from float32 tensors) as 4 bytes, anything else as the raw 8 bytes, so
 * NaN and infinities survive bit for bit.  docs/storage.md has the numbers.
 *
 * The writer appends: the first time it touches a series it loads the
 * series' summary and its last, partial chunk, fills that chunk up and
 * rewrites it, and upserts `metric_summary` in the same transaction.  It
 * notices another process's (or another module's) commits between flushes
 * and re-checks what it cached.
 *
 * It does not parse log lines or JSON (ingest.c does), nor aggregate across
 * runs (runlist/query read metric_summary directly).
 */
#include "metrics/metrics.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/error.h"
#include "store/store_internal.h"
#include "base/util.h"

/* ---- chunk codec ------------------------------------------------------ */

/* The header byte: version << 4 | flags.  Version 2 (schema 9) dropped the
 * count from the blob (the row has it) and added the regular-column flags:
 * a series of 4 points stores 4 bytes less, a third of its blob. */
#define CODEC_VERSION 2
enum { VAL_F64 = 0, VAL_F32 = 1, VAL_INT = 2, VAL_MASK = 3, REGULAR_STEPS = 4, REGULAR_TIMES = 8 };

/* Largest encoded size of n points: the header, then per point a 10-byte
 * varint step, a 10-byte varint timestamp and at most 10 value bytes. */
#define CHUNK_MAX_BYTES(n) (16 + (size_t)(n) * 30)

/* A chunk closes at RY_METRICS_CHUNK points or when its blob would outgrow
 * this many bytes, whichever comes first.  On a 4 KB page SQLite keeps at
 * most ~1000 bytes of a cell in the leaf and moves the rest to overflow
 * pages of its own, whose unused part is lost: a 2 KB blob took a whole
 * 4 KB page, and a 400-point series cost 11.7 bytes a point instead of 5. */
#define CHUNK_BYTES 960

static inline uint64_t zz_enc(uint64_t v)
{
	return (v << 1) ^ (uint64_t)(-(int64_t)(v >> 63));
}

static inline uint64_t zz_dec(uint64_t v)
{
	return (v >> 1) ^ (uint64_t)(-(int64_t)(v & 1));
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Reads one varint; false on truncation or an over-long encoding. */
static inline bool get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return false;
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return true;
		}
	}
	return false;
}

static inline int64_t ts_to_ms(double ts)
{
	/* 9e15 ms is year 287000: anything outside is junk, not a time. */
	if (!isfinite(ts) || fabs(ts) > 9e12)
		return 0;
	/* Round half away from zero, like llround, without the libm call (this
	 * runs three times per point). */
	return (int64_t)(ts * 1000.0 + (ts < 0 ? -0.5 : 0.5));
}

/* Values that are integers stored exactly (epoch, tokens, counts). */
static bool value_is_int(double v)
{
	return isfinite(v) && fabs(v) < 9007199254740992.0 && v == trunc(v) && !(v == 0 && signbit(v));
}

static bool value_is_f32(double v)
{
	float f = (float)v;
	double back = (double)f;
	return memcmp(&back, &v, sizeof v) == 0;
}

/* Writes a delta-of-delta column: the first value raw, then its delta, then
 * changes of the delta.  All arithmetic wraps in uint64 so any int64 input
 * round-trips.  A regular column (every delta the same: steps += 10, a
 * timer's cadence) is only its first value and its delta. */
static bool dod_regular(const int64_t *v, size_t n)
{
	for (size_t i = 2; i < n; i++)
		if ((uint64_t)v[i] - (uint64_t)v[i - 1] != (uint64_t)v[1] - (uint64_t)v[0])
			return false;
	return true;
}

static uint8_t *put_dod(uint8_t *p, const int64_t *v, size_t n)
{
	uint64_t prev = 0, prevd = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)v[i] - prev;
		p = put_varint(p, zz_enc(d - prevd));
		prev = (uint64_t)v[i];
		prevd = i == 0 ? 0 : d;
	}
	return p;
}

/* Reads a column of n values of which `stored` (n, or 2 for a regular
 * column) are in the blob. */
static bool get_dod(const uint8_t **pp, const uint8_t *end, int64_t *v, size_t n, size_t stored)
{
	uint64_t prev = 0, prevd = 0, z;
	for (size_t i = 0; i < n; i++) {
		if (i < stored) {
			if (!get_varint(pp, end, &z))
				return false;
		} else {
			z = 0;
		}
		uint64_t d = zz_dec(z) + prevd;
		prev += d;
		v[i] = (int64_t)prev;
		prevd = i == 0 ? 0 : d;
	}
	return true;
}

/* Encode n (>= 1) points into out (CHUNK_MAX_BYTES(n) bytes); returns the
 * length.  The count is not in the blob: it is the row's n column. */
static size_t chunk_encode(uint8_t *out, const ry_point *pts, size_t n, int64_t *scratch)
{
	uint8_t *p = out;
	bool all_int = true, all_f32 = true;
	size_t int_bytes = 0;
	int64_t prev_int = 0;
	int mode, flags;

	for (size_t i = 0; i < n; i++) {
		double v = pts[i].value;
		if (all_int) {
			if (value_is_int(v)) {
				int64_t iv = (int64_t)v;
				int_bytes += varint_len(zz_enc((uint64_t)iv - (uint64_t)prev_int));
				prev_int = iv;
			} else {
				all_int = false;
			}
		}
		if (all_f32 && !value_is_f32(v))
			all_f32 = false;
	}
	mode = VAL_F64;
	if (all_f32)
		mode = VAL_F32;
	if (all_int && int_bytes <= (all_f32 ? 4 : 8) * n)
		mode = VAL_INT;

	flags = mode;
	p++; /* the header, written once the columns' shapes are known */
	for (size_t i = 0; i < n; i++)
		scratch[i] = pts[i].step;
	if (dod_regular(scratch, n)) {
		flags |= REGULAR_STEPS;
		p = put_dod(p, scratch, n < 2 ? n : 2);
	} else {
		p = put_dod(p, scratch, n);
	}
	for (size_t i = 0; i < n; i++)
		scratch[i] = ts_to_ms(pts[i].ts);
	if (dod_regular(scratch, n)) {
		flags |= REGULAR_TIMES;
		p = put_dod(p, scratch, n < 2 ? n : 2);
	} else {
		p = put_dod(p, scratch, n);
	}
	out[0] = (uint8_t)(CODEC_VERSION << 4 | flags);

	switch (mode) {
	case VAL_INT:
		prev_int = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t iv = (int64_t)pts[i].value;
			p = put_varint(p, zz_enc((uint64_t)iv - (uint64_t)prev_int));
			prev_int = iv;
		}
		break;
	case VAL_F32:
		for (size_t i = 0; i < n; i++) {
			float f = (float)pts[i].value;
			uint32_t b;
			memcpy(&b, &f, 4);
			for (int k = 0; k < 4; k++)
				*p++ = (uint8_t)(b >> (8 * k));
		}
		break;
	default:
		for (size_t i = 0; i < n; i++) {
			uint64_t b;
			memcpy(&b, &pts[i].value, 8);
			for (int k = 0; k < 8; k++)
				*p++ = (uint8_t)(b >> (8 * k));
		}
		break;
	}
	return (size_t)(p - out);
}

/* Decode a chunk blob of n points (the row's count) into out.  Returns n,
 * or -1 if the blob is malformed or holds another count.  Version 1 blobs
 * (schema 8 and before, still in workspaces migrated since) carry their
 * count and never a regular column. */
static long chunk_decode(const uint8_t *blob, size_t len, size_t n, ry_point *out, int64_t *scratch)
{
	const uint8_t *p = blob, *end = blob + len;
	int version, flags, mode;
	size_t steps = n, times = n;

	if (len < 2 || n == 0 || n > RY_METRICS_CHUNK)
		return -1;
	version = blob[0] >> 4;
	flags = blob[0] & 0x0f;
	p++;
	if (version == 1) {
		uint64_t stored;
		if (!get_varint(&p, end, &stored) || stored != n || flags > VAL_INT)
			return -1;
	} else if (version == CODEC_VERSION) {
		if (flags & REGULAR_STEPS)
			steps = n < 2 ? n : 2;
		if (flags & REGULAR_TIMES)
			times = n < 2 ? n : 2;
	} else {
		return -1;
	}
	mode = flags & VAL_MASK;
	if (!get_dod(&p, end, scratch, n, steps))
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i].step = scratch[i];
	if (!get_dod(&p, end, scratch, n, times))
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i].ts = (double)scratch[i] / 1000.0;

	switch (mode) {
	case VAL_INT: {
		uint64_t prev = 0, z;
		for (size_t i = 0; i < n; i++) {
			if (!get_varint(&p, end, &z))
				return -1;
			prev += zz_dec(z);
			out[i].value = (double)(int64_t)prev;
		}
		break;
	}
	case VAL_F32:
		if ((size_t)(end - p) < 4 * n)
			return -1;
		for (size_t i = 0; i < n; i++) {
			uint32_t b = 0;
			float f;
			for (int k = 0; k < 4; k++)
				b |= (uint32_t)*p++ << (8 * k);
			memcpy(&f, &b, 4);
			out[i].value = (double)f;
		}
		break;
	case VAL_F64:
		if ((size_t)(end - p) < 8 * n)
			return -1;
		for (size_t i = 0; i < n; i++) {
			uint64_t b = 0;
			for (int k = 0; k < 8; k++)
				b |= (uint64_t)*p++ << (8 * k);
			memcpy(&out[i].value, &b, 8);
		}
		break;
	default:
		return -1;
	}
	return p == end ? (long)n : -1;
}

static int corrupt(ry_store *st, int64_t run_id, const char *key, int64_t chunk)
{
	return ry_error_set(RY_ECORRUPT, "workspace %s: metric chunk %lld of run %lld key '%s' is damaged; "
	                    "restore the workspace from a backup or delete that run's metrics",
	                    ry_store_path(st), (long long)chunk, (long long)run_id, key);
}

/* ---- the writer --------------------------------------------------------- */

struct summary {
	int64_t n, last_step;
	double last, min, max, first_ts, last_ts;
};

struct series {
	int64_t run_id;
	int64_t key_id;          /* metric_keys.id, 0 until a flush resolves it */
	uint64_t hash;
	size_t npend;            /* buffered points, not yet flushed */
	size_t at;               /* during a flush: where they start in `grouped` */
	bool dirty;              /* on the writer's dirty list */
	bool loaded;             /* chunk/summary state below mirrors the store */
	bool stored;             /* while loaded: the store has a summary row for it */
	int64_t last_chunk;      /* index of the last stored chunk, -1 none */
	ry_point *tail;          /* points of last_chunk while it is partial */
	size_t ntail, ctail;     /* ntail == RY_METRICS_CHUNK: full (points or bytes), not kept */
	struct summary sum;
	char key[];              /* NUL-terminated, allocated with the struct */
};

/* A metric name and its metric_keys.id: chunks carry the id, not the text
 * (a key repeated in every row cost a sixth of a small series' bytes). */
struct key_id {
	int64_t id;
	uint64_t hash;
	char *key;
};

/* A new chunk row waiting to be inserted with others (see BATCH_ROWS). */
struct new_chunk {
	struct series *s;
	int64_t chunk;
	size_t n, off, len;      /* point count; the blob's place in ncblob */
};

/* Points are logged in arrival order, interleaved across series; a flush
 * groups them per series with one counting sort, so no series needs a
 * buffer of its own. */
struct pending {
	struct series *s;
	ry_point p;
};

struct ry_metrics_writer {
	ry_store *st;
	struct series **tab;     /* open addressing, power-of-two capacity */
	size_t cap, count;
	struct series **dirty;
	size_t ndirty, cdirty;
	struct pending *log;     /* buffered points in arrival order */
	size_t pending, clog;
	ry_point *grouped;       /* the log regrouped by series, at flush */
	size_t cgrouped;
	struct series *hot;      /* last series appended to */
	bool synced;             /* the fields below describe our last flush */
	int64_t data_version;
	int64_t total_changes;
	int64_t saved_cache;     /* the connection's cache_size before a bulk flush; 0: not raised */
	struct key_id *keys;     /* metric_keys rows seen, open addressing */
	size_t kcap, kcount;
	int64_t *scratch;        /* RY_METRICS_CHUNK codec scratch */
	uint8_t *blob;           /* CHUNK_MAX_BYTES(RY_METRICS_CHUNK) */
	struct new_chunk *nc;    /* new chunks waiting for their batch, BATCH_ROWS */
	size_t nnc;
	uint8_t *ncblob;         /* their blobs, back to back: BATCH_ROWS * CHUNK_MAX_BYTES(RY_METRICS_CHUNK) */
	size_t ncbytes;
	struct series **ns;      /* series whose summary waits for its batch, BATCH_ROWS */
	size_t nns;
};

/* Writers that touched more series than this forget them after a flush, so
 * a bulk import does not keep millions of tails in memory. */
#define KEEP_SERIES 4096

/* A flush of more series than this is a bulk import: the writer raises the
 * connection's page cache to BULK_CACHE_KIB until it is freed.  Every new
 * series adds an entry at a random place in each of metric_summary's three
 * (key, value) indexes; at 10^6 runs they are 400 MB, and with the default
 * 32 MB cache nearly every entry costs a page read and a page write (the
 * 10^6-run bulk ingest ran at half the speed).  The cache only grows as far
 * as pages are touched, so a small workspace pays nothing. */
#define BULK_SERIES 4096
#define BULK_CACHE_KIB 262144

/* New chunk rows, and the summary rows of new series, go to SQLite this
 * many at a time in one multi-row INSERT OR FAIL each.  At a few points a
 * series the rows are the whole cost of a flush, and a statement per row
 * paid its set-up (cursors opened and closed on the table, its index and
 * the runs it references, the statement's end) once per row.  A statement
 * of many rows that may have to undo itself keeps a statement journal,
 * a copy of every page it changes, which cost more than it saved: OR FAIL
 * (a failing row stops the statement, the flush rolls everything back
 * anyway) and the deferred reference to runs (schema 11; the writer checks
 * each run itself) leave nothing to undo.  An existing series' summary is
 * an upsert of its own.  64 rows: 576 parameters for a summary batch,
 * under SQLite's oldest limit of 999. */
#define BATCH_ROWS 64
#define ROWS2(r) r "," r
#define ROWS64(r) ROWS2(ROWS2(ROWS2(ROWS2(ROWS2(ROWS2(r))))))
#define CHUNK_COLS "(n, data, run_id, key_id, chunk)"
#define CHUNK_ROW "(?, ?, ?, ?, ?)"
#define SUMMARY_COLS "(run_id, key, n, last_step, last, min, max, first_ts, last_ts)"
#define SUMMARY_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define SUMMARY_UPSERT " ON CONFLICT(run_id, key) DO UPDATE SET n = excluded.n, " \
	"last_step = excluded.last_step, last = excluded.last, min = excluded.min, max = excluded.max, " \
	"first_ts = excluded.first_ts, last_ts = excluded.last_ts"

static uint64_t series_hash(int64_t run_id, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)run_id * 0x9E3779B97F4A7C15ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static void summary_empty(struct summary *s)
{
	s->n = 0;
	s->last_step = 0;
	s->last = s->min = s->max = NAN;
	s->first_ts = s->last_ts = NAN;
}

static void summary_add(struct summary *s, const ry_point *p)
{
	double ts = (double)ts_to_ms(p->ts) / 1000.0;
	if (s->n == 0)
		s->first_ts = ts;
	s->n++;
	s->last_step = p->step;
	s->last = p->value;
	s->last_ts = ts;
	if (isfinite(p->value)) {
		if (isnan(s->min) || p->value < s->min)
			s->min = p->value;
		if (isnan(s->max) || p->value > s->max)
			s->max = p->value;
	}
}

static void series_forget(struct series *s)
{
	free(s->tail);
	s->tail = NULL;
	s->ntail = s->ctail = 0;
	s->loaded = false;
}

static void series_free(struct series *s)
{
	if (!s)
		return;
	free(s->tail);
	free(s);
}

int ry_metrics_writer_new(ry_metrics_writer **out, ry_store *st)
{
	ry_metrics_writer *w = ry_xcalloc(1, sizeof *w);
	w->st = st;
	w->cap = 64;
	w->tab = ry_xcalloc(w->cap, sizeof *w->tab);
	w->scratch = ry_xmalloc(RY_METRICS_CHUNK * sizeof *w->scratch);
	w->blob = ry_xmalloc(CHUNK_MAX_BYTES(RY_METRICS_CHUNK));
	w->nc = ry_xmalloc(BATCH_ROWS * sizeof *w->nc);
	w->ncblob = ry_xmalloc(BATCH_ROWS * CHUNK_MAX_BYTES(RY_METRICS_CHUNK));
	w->ns = ry_xmalloc(BATCH_ROWS * sizeof *w->ns);
	*out = w;
	return 0;
}

static void drop_all_series(ry_metrics_writer *w)
{
	for (size_t i = 0; i < w->cap; i++) {
		series_free(w->tab[i]);
		w->tab[i] = NULL;
	}
	w->count = 0;
	w->ndirty = 0;
	w->pending = 0;
	w->hot = NULL;
}

static uint64_t key_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* Forget the key ids: after a rollback one may name a row that is gone. */
static void keys_forget(ry_metrics_writer *w)
{
	for (size_t i = 0; i < w->kcap; i++) {
		free(w->keys[i].key);
		w->keys[i].key = NULL;
	}
	w->kcount = 0;
	for (size_t i = 0; i < w->cap; i++)
		if (w->tab[i])
			w->tab[i]->key_id = 0;
}

/* The metric_keys id of a name, added when new (inside the flush's
 * transaction).  Names are never removed, so an id once read stays right
 * unless our own transaction is rolled back. */
static int key_resolve(ry_metrics_writer *w, const char *key, int64_t *id)
{
	uint64_t h = key_hash(key);
	sqlite3_stmt *q;
	size_t j;
	int step, rc = 0;

	if (w->kcap) {
		for (j = h & (w->kcap - 1); w->keys[j].key; j = (j + 1) & (w->kcap - 1)) {
			if (w->keys[j].hash == h && !strcmp(w->keys[j].key, key)) {
				*id = w->keys[j].id;
				return 0;
			}
		}
	}
	q = ry_store__stmt(w->st, "SELECT id FROM metric_keys WHERE key = ?");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	else if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(w->st, "reading metric names");
	sqlite3_reset(q);
	if (rc)
		return rc;
	if (step == SQLITE_DONE) {
		q = ry_store__stmt(w->st, "INSERT INTO metric_keys(key) VALUES (?)");
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = ry_store__sqlerr(w->st, "adding a metric name");
		sqlite3_reset(q);
		if (rc)
			return rc;
		*id = sqlite3_last_insert_rowid(ry_store__db(w->st));
	}
	if ((w->kcount + 1) * 2 > w->kcap) {
		size_t ncap = w->kcap ? w->kcap * 2 : 16;
		struct key_id *nk = ry_xcalloc(ncap, sizeof *nk);
		for (size_t i = 0; i < w->kcap; i++) {
			if (!w->keys[i].key)
				continue;
			for (j = w->keys[i].hash & (ncap - 1); nk[j].key; j = (j + 1) & (ncap - 1))
				;
			nk[j] = w->keys[i];
		}
		free(w->keys);
		w->keys = nk;
		w->kcap = ncap;
	}
	for (j = h & (w->kcap - 1); w->keys[j].key; j = (j + 1) & (w->kcap - 1))
		;
	w->keys[j] = (struct key_id){ *id, h, ry_xstrdup(key) };
	w->kcount++;
	return 0;
}

void ry_metrics_writer_free(ry_metrics_writer *w)
{
	if (!w)
		return;
	drop_all_series(w);
	keys_forget(w);
	if (w->saved_cache) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)w->saved_cache);
		ry_store__exec(w->st, sql);
	}
	free(w->keys);
	free(w->tab);
	free(w->dirty);
	free(w->log);
	free(w->grouped);
	free(w->scratch);
	free(w->blob);
	free(w->nc);
	free(w->ncblob);
	free(w->ns);
	free(w);
}

static void table_grow(ry_metrics_writer *w)
{
	size_t ncap = w->cap * 2;
	struct series **nt = ry_xcalloc(ncap, sizeof *nt);
	for (size_t i = 0; i < w->cap; i++) {
		struct series *s = w->tab[i];
		if (!s)
			continue;
		size_t j = s->hash & (ncap - 1);
		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = s;
	}
	free(w->tab);
	w->tab = nt;
	w->cap = ncap;
}

static struct series *series_get(ry_metrics_writer *w, int64_t run_id, const char *key)
{
	uint64_t h;
	size_t j;
	struct series *s = w->hot;

	if (s && s->run_id == run_id && !strcmp(s->key, key))
		return s;
	h = series_hash(run_id, key);
	for (j = h & (w->cap - 1); w->tab[j]; j = (j + 1) & (w->cap - 1)) {
		s = w->tab[j];
		if (s->hash == h && s->run_id == run_id && !strcmp(s->key, key))
			return w->hot = s;
	}
	if ((w->count + 1) * 4 > w->cap * 3) {
		table_grow(w);
		for (j = h & (w->cap - 1); w->tab[j]; j = (j + 1) & (w->cap - 1))
			;
	}
	size_t klen = strlen(key);
	s = ry_xcalloc(1, sizeof *s + klen + 1);
	s->run_id = run_id;
	memcpy(s->key, key, klen + 1);
	s->hash = h;
	s->last_chunk = -1;
	summary_empty(&s->sum);
	w->tab[j] = s;
	w->count++;
	return w->hot = s;
}

int ry_metrics_append(ry_metrics_writer *w, int64_t run_id, const char *key,
                      int64_t step, double ts, double value)
{
	struct series *s;
	if (run_id <= 0)
		return ry_error_set(RY_EINVAL, "metric for run id %lld: run ids are positive", (long long)run_id);
	if (!key || !*key)
		return ry_error_set(RY_EINVAL, "a metric needs a name (got an empty key)");
	s = series_get(w, run_id, key);
	if (w->pending == w->clog)
		w->log = ry_xgrow(w->log, &w->clog, w->pending + 1, sizeof *w->log);
	w->log[w->pending] = (struct pending){ s, { step, ts, value } };
	s->npend++;
	if (!s->dirty) {
		s->dirty = true;
		if (w->ndirty == w->cdirty)
			w->dirty = ry_xgrow(w->dirty, &w->cdirty, w->ndirty + 1, sizeof *w->dirty);
		w->dirty[w->ndirty++] = s;
	}
	w->pending++;
	return 0;
}

size_t ry_metrics_pending(const ry_metrics_writer *w)
{
	return w ? w->pending : 0;
}

static void bind_real_or_null(sqlite3_stmt *q, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

static double column_real_or_nan(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

/* Rebuild a series' summary from its chunks: for workspaces migrated from
 * schema 1, whose summaries carry counts but no values. */
static int summary_rebuild(ry_metrics_writer *w, struct series *s)
{
	ry_point *pts = NULL;
	size_t n = 0;
	int rc = ry_metrics_read(w->st, s->run_id, s->key, &pts, &n);
	if (rc)
		return rc;
	summary_empty(&s->sum);
	for (size_t i = 0; i < n; i++)
		summary_add(&s->sum, &pts[i]);
	free(pts);
	return 0;
}

/* Bring a series' cached state in line with the store. */
static int series_load(ry_metrics_writer *w, struct series *s)
{
	ry_store *st = w->st;
	sqlite3_stmt *q;
	int rc = 0, step;
	bool have_summary = false, values_missing = false;

	series_forget(s);
	summary_empty(&s->sum);
	s->last_chunk = -1;

	q = ry_store__stmt(st, "SELECT n, last_step, last, min, max, first_ts, last_ts "
	                       "FROM metric_summary WHERE run_id = ? AND key = ?");
	sqlite3_bind_int64(q, 1, s->run_id);
	sqlite3_bind_text(q, 2, s->key, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		have_summary = true;
		s->sum.n = sqlite3_column_int64(q, 0);
		s->sum.last_step = sqlite3_column_int64(q, 1);
		s->sum.last = column_real_or_nan(q, 2);
		s->sum.min = column_real_or_nan(q, 3);
		s->sum.max = column_real_or_nan(q, 4);
		s->sum.first_ts = column_real_or_nan(q, 5);
		s->sum.last_ts = column_real_or_nan(q, 6);
		values_missing = s->sum.n > 0 && sqlite3_column_type(q, 3) == SQLITE_NULL &&
		                 sqlite3_column_type(q, 4) == SQLITE_NULL &&
		                 sqlite3_column_type(q, 2) == SQLITE_NULL;
	} else if (step != SQLITE_DONE) {
		rc = ry_store__sqlerr(st, "reading a metric summary");
	}
	sqlite3_reset(q);
	s->stored = have_summary;
	if (rc || !have_summary) {
		s->loaded = rc == 0;
		return rc;
	}

	q = ry_store__stmt(st, "SELECT chunk, n, data FROM metric_chunks WHERE run_id = ? AND key_id = ? "
	                       "ORDER BY chunk DESC LIMIT 1");
	sqlite3_bind_int64(q, 1, s->run_id);
	sqlite3_bind_int64(q, 2, s->key_id);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		s->last_chunk = sqlite3_column_int64(q, 0);
		int64_t n = sqlite3_column_int64(q, 1);
		if (n >= RY_METRICS_CHUNK) {
			s->ntail = RY_METRICS_CHUNK;
		} else {
			const uint8_t *blob = sqlite3_column_blob(q, 2);
			size_t len = (size_t)sqlite3_column_bytes(q, 2);
			s->tail = ry_xmalloc(RY_METRICS_CHUNK * sizeof *s->tail);
			s->ctail = RY_METRICS_CHUNK;
			long got = blob && n > 0 ? chunk_decode(blob, len, (size_t)n, s->tail, w->scratch) : -1;
			if (got < 0)
				rc = corrupt(st, s->run_id, s->key, s->last_chunk);
			else
				s->ntail = (size_t)got;
		}
	} else if (step != SQLITE_DONE) {
		rc = ry_store__sqlerr(st, "reading a metric chunk");
	}
	sqlite3_reset(q);
	if (!rc && values_missing)
		rc = summary_rebuild(w, s);
	if (rc) {
		series_forget(s);
		return rc;
	}
	s->loaded = true;
	return 0;
}

static int no_such_run(ry_metrics_writer *w, const struct series *s)
{
	return ry_error_set(RY_ENOTFOUND, "cannot log metric '%s' for run %lld: there is no such run in workspace %s",
	                    s->key, (long long)s->run_id, ry_store_path(w->st));
}

/* What a failed chunk write of series s means, from the connection's
 * last error. */
static int chunk_failed(ry_metrics_writer *w, const struct series *s)
{
	ry_store *st = w->st;
	int ext = sqlite3_extended_errcode(ry_store__db(st));
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return no_such_run(w, s);
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return ry_error_set(RY_ECORRUPT, "workspace %s: run %lld has stored chunks of metric '%s' "
		                    "but no summary for them; delete that run's metrics or restore a backup",
		                    ry_store_path(st), (long long)s->run_id, s->key);
	return ry_store__sqlerr(st, "writing metrics");
}

/* Write chunk `chunk` of a series: a plain INSERT for a new chunk, an
 * UPDATE for the partial tail being topped up.  (INSERT OR REPLACE would do
 * both but costs a third more: SQLite opens a statement journal for it.) */
static int write_chunk(ry_metrics_writer *w, struct series *s, int64_t chunk, size_t n, const uint8_t *blob,
                       size_t len, bool fresh)
{
	ry_store *st = w->st;
	sqlite3_stmt *q;
	int rc = 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		bool insert = fresh || attempt == 1;
		q = insert ? ry_store__stmt(st, "INSERT INTO metric_chunks" CHUNK_COLS " VALUES " CHUNK_ROW)
		           : ry_store__stmt(st, "UPDATE metric_chunks SET n = ?, data = ? "
		                                "WHERE run_id = ? AND key_id = ? AND chunk = ?");
		sqlite3_bind_int64(q, 1, (int64_t)n);
		sqlite3_bind_blob(q, 2, blob, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, s->run_id);
		sqlite3_bind_int64(q, 4, s->key_id);
		sqlite3_bind_int64(q, 5, chunk);
		if (sqlite3_step(q) != SQLITE_DONE) {
			rc = chunk_failed(w, s);
			sqlite3_reset(q);
			return rc;
		}
		sqlite3_reset(q);
		/* A tail that vanished under us is written anew. */
		if (insert || sqlite3_changes(ry_store__db(st)) > 0)
			break;
	}
	return rc;
}

static void bind_summary(sqlite3_stmt *q, int i, const struct series *s)
{
	sqlite3_bind_int64(q, i + 1, s->run_id);
	sqlite3_bind_text(q, i + 2, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, i + 3, s->sum.n);
	sqlite3_bind_int64(q, i + 4, s->sum.last_step);
	bind_real_or_null(q, i + 5, s->sum.last);
	bind_real_or_null(q, i + 6, s->sum.min);
	bind_real_or_null(q, i + 7, s->sum.max);
	bind_real_or_null(q, i + 8, s->sum.first_ts);
	bind_real_or_null(q, i + 9, s->sum.last_ts);
}

static int write_summary(ry_metrics_writer *w, struct series *s)
{
	ry_store *st = w->st;
	sqlite3_stmt *q = ry_store__stmt(st, "INSERT INTO metric_summary" SUMMARY_COLS " VALUES " SUMMARY_ROW
	                                     SUMMARY_UPSERT);
	int rc = 0;
	bind_summary(q, 0, s);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "writing a metric summary");
	sqlite3_reset(q);
	return rc;
}

/* Insert the waiting new chunks: BATCH_ROWS in one statement, fewer one
 * by one.  On a failure the flush rolls back. */
static int drain_chunks(ry_metrics_writer *w)
{
	int rc = 0;
	if (w->nnc == BATCH_ROWS) {
		sqlite3_stmt *q = ry_store__stmt(w->st, "INSERT OR FAIL INTO metric_chunks" CHUNK_COLS
		                                        " VALUES " ROWS64(CHUNK_ROW));
		for (size_t i = 0; i < w->nnc; i++) {
			const struct new_chunk *c = &w->nc[i];
			int k = (int)i * 5;
			sqlite3_bind_int64(q, k + 1, (int64_t)c->n);
			sqlite3_bind_blob(q, k + 2, w->ncblob + c->off, (int)c->len, SQLITE_STATIC);
			sqlite3_bind_int64(q, k + 3, c->s->run_id);
			sqlite3_bind_int64(q, k + 4, c->s->key_id);
			sqlite3_bind_int64(q, k + 5, c->chunk);
		}
		if (sqlite3_step(q) != SQLITE_DONE) {
			/* The rows before the failing one stay, counted as changes. */
			size_t at = (size_t)sqlite3_changes(ry_store__db(w->st));
			rc = chunk_failed(w, w->nc[at < w->nnc ? at : 0].s);
		}
		sqlite3_reset(q);
		w->nnc = w->ncbytes = 0;
		return rc;
	}
	for (size_t i = 0; i < w->nnc && !rc; i++) {
		const struct new_chunk *c = &w->nc[i];
		rc = write_chunk(w, c->s, c->chunk, c->n, w->ncblob + c->off, c->len, true);
	}
	w->nnc = w->ncbytes = 0;
	return rc;
}

/* The waiting summaries of new series, as drain_chunks does the chunks. */
static int drain_summaries(ry_metrics_writer *w)
{
	int rc = 0;
	if (w->nns == BATCH_ROWS) {
		sqlite3_stmt *q = ry_store__stmt(w->st, "INSERT OR FAIL INTO metric_summary" SUMMARY_COLS
		                                        " VALUES " ROWS64(SUMMARY_ROW));
		for (size_t i = 0; i < w->nns; i++)
			bind_summary(q, (int)i * 9, w->ns[i]);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = ry_store__sqlerr(w->st, "writing metric summaries");
		sqlite3_reset(q);
		w->nns = 0;
		return rc;
	}
	for (size_t i = 0; i < w->nns && !rc; i++)
		rc = write_summary(w, w->ns[i]);
	w->nns = 0;
	return rc;
}

/* Queue a new chunk (its blob is in w->blob) for drain_chunks. */
static int queue_chunk(ry_metrics_writer *w, struct series *s, int64_t chunk, size_t n, size_t len)
{
	w->nc[w->nnc++] = (struct new_chunk){ s, chunk, n, w->ncbytes, len };
	memcpy(w->ncblob + w->ncbytes, w->blob, len);
	w->ncbytes += len;
	return w->nnc == BATCH_ROWS ? drain_chunks(w) : 0;
}

/* Write a series' summary: an existing row is upserted at once, a new one
 * waits for drain_summaries (which reads it from the series, still there
 * until the flush ends). */
static int put_summary(ry_metrics_writer *w, struct series *s)
{
	if (s->stored)
		return write_summary(w, s);
	s->stored = true;
	w->ns[w->nns++] = s;
	return w->nns == BATCH_ROWS ? drain_summaries(w) : 0;
}

/* How many of pts[0..n) (n >= 1) one chunk takes: all of them, or the most
 * whose blob fits CHUNK_BYTES (at least one).  Their encoding is left in
 * w->blob, its length in *len.  Bytes grow about linearly with points, so
 * interpolating between a count that fits and one that does not finds the
 * most in two or three encodings. */
static size_t chunk_fit(ry_metrics_writer *w, const ry_point *pts, size_t n, size_t *len)
{
	size_t lo = 0, hi = n, lo_len = 0, k = n;
	size_t l = chunk_encode(w->blob, pts, n, w->scratch);
	if (l <= CHUNK_BYTES) {
		*len = l;
		return n;
	}
	while (hi - lo > 1) {
		size_t guess = (size_t)((double)k * CHUNK_BYTES / (double)l);
		if (guess <= lo || guess >= hi)
			guess = lo + (hi - lo) / 2;
		k = guess;
		l = chunk_encode(w->blob, pts, k, w->scratch);
		if (l <= CHUNK_BYTES) {
			lo = k;
			lo_len = l;
		} else {
			hi = k;
		}
	}
	if (lo == 0) /* one point always fits: 31 bytes at most */
		lo = 1;
	if (k != lo || l > CHUNK_BYTES)
		lo_len = chunk_encode(w->blob, pts, lo, w->scratch);
	*len = lo_len;
	return lo;
}

/* Append a series' buffered points to the store: top up the partial last
 * chunk, then add new chunks.  keep: remember the new partial tail (a
 * writer about to forget its series need not copy it). */
static int series_write(ry_metrics_writer *w, struct series *s, bool keep)
{
	const ry_point *pts = w->grouped + s->at;
	size_t m = s->npend, i = 0, len;
	int rc;

	for (size_t k = 0; k < m; k++)
		summary_add(&s->sum, &pts[k]);
	if (s->last_chunk >= 0 && s->ntail < RY_METRICS_CHUNK) {
		size_t take = RY_METRICS_CHUNK - s->ntail, k;
		if (take > m)
			take = m;
		if (s->ntail + take > s->ctail)
			s->tail = ry_xgrow(s->tail, &s->ctail, s->ntail + take, sizeof *s->tail);
		memcpy(s->tail + s->ntail, pts, take * sizeof *pts);
		/* k <= ntail: nothing more fits (or an old, bigger chunk) */
		k = chunk_fit(w, s->tail, s->ntail + take, &len);
		if (k > s->ntail) {
			if ((rc = write_chunk(w, s, s->last_chunk, k, w->blob, len, false)))
				return rc;
			i = k - s->ntail;
			s->ntail = k;
		}
		if (i < m)
			s->ntail = RY_METRICS_CHUNK; /* full: the rest goes on */
	}
	while (i < m) {
		size_t take = m - i < RY_METRICS_CHUNK ? m - i : RY_METRICS_CHUNK;
		take = chunk_fit(w, pts + i, take, &len);
		s->last_chunk++;
		if ((rc = queue_chunk(w, s, s->last_chunk, take, len)))
			return rc;
		if (i + take < m || take == RY_METRICS_CHUNK) {
			s->ntail = RY_METRICS_CHUNK; /* full */
		} else if (keep) {
			if (take > s->ctail)
				s->tail = ry_xgrow(s->tail, &s->ctail, take, sizeof *s->tail);
			memcpy(s->tail, pts + i, take * sizeof *pts);
			s->ntail = take;
		} else {
			s->ntail = take;
			s->loaded = false; /* no tail in memory: reload if ever used */
		}
		i += take;
	}
	return put_summary(w, s);
}

static int raise_cache(ry_metrics_writer *w)
{
	sqlite3_stmt *q = ry_store__stmt(w->st, "PRAGMA cache_size");
	int64_t was = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	char sql[64];
	sqlite3_reset(q);
	if (was == 0 || (was < 0 && -was >= BULK_CACHE_KIB))
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", BULK_CACHE_KIB);
	if (ry_store__exec(w->st, sql))
		return ry_store__sqlerr(w->st, "sizing the page cache for a bulk write");
	w->saved_cache = was;
	return 0;
}

static int series_cmp(const void *a, const void *b)
{
	const struct series *x = *(struct series *const *)a, *y = *(struct series *const *)b;
	if (x->run_id != y->run_id)
		return x->run_id < y->run_id ? -1 : 1;
	return (x->key_id > y->key_id) - (x->key_id < y->key_id);
}

/* Series usually arrive in that order already (a run's metrics, then the
 * next run's), and sorting them anyway was a tenth of a bulk flush. */
static bool dirty_sorted(const ry_metrics_writer *w)
{
	for (size_t i = 1; i < w->ndirty; i++)
		if (series_cmp(&w->dirty[i - 1], &w->dirty[i]) > 0)
			return false;
	return true;
}

/* Regroup the arrival-order log per series (a counting sort: each dirty
 * series knows how many points it has). */
static void group_pending(ry_metrics_writer *w)
{
	size_t off = 0;
	if (w->pending > w->cgrouped)
		w->grouped = ry_xgrow(w->grouped, &w->cgrouped, w->pending, sizeof *w->grouped);
	for (size_t i = 0; i < w->ndirty; i++) {
		w->dirty[i]->at = off;
		off += w->dirty[i]->npend;
	}
	for (size_t i = 0; i < w->pending; i++)
		w->grouped[w->log[i].s->at++] = w->log[i].p;
	for (size_t i = 0; i < w->ndirty; i++)
		w->dirty[i]->at -= w->dirty[i]->npend;
}

/* One probe per run: whether it exists (its rows' reference to runs is
 * checked only at commit, schema 11) and whether it has any metric yet. */
static int run_probe(ry_metrics_writer *w, const struct series *s, bool *has)
{
	sqlite3_stmt *q = ry_store__stmt(w->st, "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1), "
	                                        "EXISTS (SELECT 1 FROM metric_summary WHERE run_id = ?1)");
	int rc = 0;
	sqlite3_bind_int64(q, 1, s->run_id);
	if (sqlite3_step(q) != SQLITE_ROW)
		rc = ry_store__sqlerr(w->st, "reading metric summaries");
	else if (!sqlite3_column_int(q, 0))
		rc = no_such_run(w, s);
	else
		*has = sqlite3_column_int(q, 1) != 0;
	sqlite3_reset(q);
	return rc;
}

/* Has anything but this writer committed since our last flush?  Another
 * process moves data_version; this connection's other writes move
 * total_changes. */
static bool store_moved(ry_metrics_writer *w, int64_t dv, int64_t tc)
{
	return !w->synced || dv != w->data_version || tc != w->total_changes;
}

static int series_still_valid(ry_metrics_writer *w, struct series *s, bool *valid)
{
	sqlite3_stmt *q = ry_store__stmt(w->st, "SELECT n FROM metric_summary WHERE run_id = ? AND key = ?");
	int step, rc = 0;
	sqlite3_bind_int64(q, 1, s->run_id);
	sqlite3_bind_text(q, 2, s->key, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*valid = s->stored && sqlite3_column_int64(q, 0) == s->sum.n;
	else if (step == SQLITE_DONE)
		*valid = !s->stored && s->sum.n == 0;
	else
		rc = ry_store__sqlerr(w->st, "reading a metric summary");
	sqlite3_reset(q);
	return rc;
}

int ry_metrics_flush(ry_metrics_writer *w)
{
	ry_store *st = w->st;
	sqlite3 *db = ry_store__db(st);
	int64_t dv, probed_run = 0;
	bool moved, probed_has = false;
	int rc;

	if (w->ndirty == 0)
		return 0;
	if ((rc = ry_store_begin(st)))
		return rc;
	dv = ry_store_data_version(st);
	moved = store_moved(w, dv, sqlite3_total_changes64(db));
	/* Our last flush joined a caller's transaction: if that was rolled
	 * back, so were the names it added, and their ids may be another's by
	 * now. */
	if (!w->synced)
		keys_forget(w);
	if (w->ndirty > BULK_SERIES && !w->saved_cache && (rc = raise_cache(w)))
		goto fail;
	for (size_t i = 0; i < w->ndirty; i++)
		if (!w->dirty[i]->key_id && (rc = key_resolve(w, w->dirty[i]->key, &w->dirty[i]->key_id)))
			goto fail;
	/* In key order, each table's inserts land next to the previous one:
	 * the pages they touch stay in the cache (and new runs append). */
	if (!dirty_sorted(w))
		qsort(w->dirty, w->ndirty, sizeof *w->dirty, series_cmp);
	group_pending(w);
	for (size_t i = 0; i < w->ndirty; i++) {
		struct series *s = w->dirty[i];
		if (s->loaded && moved) {
			bool valid = false;
			if ((rc = series_still_valid(w, s, &valid)))
				goto fail;
			if (!valid)
				s->loaded = false;
		}
		if (!s->loaded) {
			/* One probe per run: a run without any metric yet (the
			 * common case in bulk) needs no per-series look-up. */
			if (s->run_id != probed_run) {
				probed_run = s->run_id;
				if ((rc = run_probe(w, s, &probed_has)))
					goto fail;
			}
			if (probed_has) {
				if ((rc = series_load(w, s)))
					goto fail;
			} else {
				series_forget(s);
				summary_empty(&s->sum);
				s->last_chunk = -1;
				s->stored = false;
				s->loaded = true;
			}
		}
		if ((rc = series_write(w, s, w->count <= KEEP_SERIES)))
			goto fail;
	}
	if ((rc = drain_chunks(w)) || (rc = drain_summaries(w)))
		goto fail;
	if ((rc = ry_store_commit(st)))
		goto fail_committed;
	for (size_t i = 0; i < w->ndirty; i++) {
		w->dirty[i]->npend = 0;
		w->dirty[i]->dirty = false;
	}
	w->ndirty = 0;
	w->pending = 0;
	/* Inside a caller's transaction our writes may still be rolled back:
	 * then check the cache against the store next time. */
	w->synced = sqlite3_get_autocommit(db) != 0;
	w->data_version = dv;
	w->total_changes = sqlite3_total_changes64(db);
	if (w->count > KEEP_SERIES)
		drop_all_series(w);
	return 0;
fail:
	w->nnc = w->ncbytes = w->nns = 0;
	ry_store_rollback(st);
fail_committed:
	/* What we cached may describe writes that were rolled back: reload
	 * everything on the next try; the buffered points are kept. */
	for (size_t i = 0; i < w->cap; i++) {
		if (w->tab[i]) {
			series_forget(w->tab[i]);
			summary_empty(&w->tab[i]->sum);
		}
	}
	keys_forget(w);
	w->synced = false;
	return rc;
}

/* ---- read-back ---------------------------------------------------------- */

/* Decode the chunks of a history from chunk number `first` on into *buf
 * (grown as needed), dropping the first `skip` points of the first one. */
static int decode_from(ry_store *st, int64_t run_id, const char *key, int64_t first, size_t skip, ry_point **buf,
                       size_t *cap, size_t *n)
{
	int64_t scratch[RY_METRICS_CHUNK];
	sqlite3_stmt *q = ry_store__bulk_stmt(st, "SELECT chunk, n, data FROM metric_chunks WHERE run_id = ? "
	                                          "AND key_id = (SELECT id FROM metric_keys WHERE key = ?) "
	                                          "AND chunk >= ? ORDER BY chunk");
	size_t len = 0;
	int step, rc = 0;
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, first);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t cn = sqlite3_column_int64(q, 1);
		const uint8_t *blob = sqlite3_column_blob(q, 2);
		size_t blen = (size_t)sqlite3_column_bytes(q, 2);
		if (cn <= 0 || cn > RY_METRICS_CHUNK || !blob || (size_t)cn < skip) {
			rc = corrupt(st, run_id, key, sqlite3_column_int64(q, 0));
			break;
		}
		if (len + (size_t)cn > *cap)
			*buf = ry_xgrow(*buf, cap, len + (size_t)cn, sizeof **buf);
		if (chunk_decode(blob, blen, (size_t)cn, *buf + len, scratch) != cn) {
			rc = corrupt(st, run_id, key, sqlite3_column_int64(q, 0));
			break;
		}
		if (skip) /* only in the first chunk: the points the caller has */
			memmove(*buf + len, *buf + len + skip, ((size_t)cn - skip) * sizeof **buf);
		len += (size_t)cn - skip;
		skip = 0;
	}
	if (!rc && step != SQLITE_DONE)
		rc = ry_store__stmt_err(st, q, "reading a metric history");
	sqlite3_reset(q);
	if (rc)
		return rc;
	*n = len;
	return 0;
}

int ry_metrics_read_into(ry_store *st, int64_t run_id, const char *key, ry_point **buf, size_t *cap,
                         size_t *n)
{
	*n = 0;
	if (!key)
		return ry_error_set(RY_EINVAL, "reading a metric needs its name");
	{
		/* Size the array once from the summary: a 100k-point history
		 * otherwise costs a dozen reallocations. */
		sqlite3_stmt *c = ry_store__bulk_stmt(st, "SELECT n FROM metric_summary WHERE run_id = ? AND key = ?");
		sqlite3_bind_int64(c, 1, run_id);
		sqlite3_bind_text(c, 2, key, -1, SQLITE_STATIC);
		if (sqlite3_step(c) == SQLITE_ROW) {
			int64_t hint = sqlite3_column_int64(c, 0);
			if (hint > 0 && hint < ((int64_t)1 << 32))
				*buf = ry_xgrow(*buf, cap, (size_t)hint, sizeof **buf);
		}
		sqlite3_reset(c);
	}
	return decode_from(st, run_id, key, 0, 0, buf, cap, n);
}

int ry_metrics_read_since(ry_store *st, int64_t run_id, const char *key, size_t from, ry_point **buf,
                          size_t *cap, size_t *n)
{
	sqlite3_stmt *q;
	int64_t first = -1;
	size_t before = 0;
	int step, rc = 0;

	*n = 0;
	if (!key)
		return ry_error_set(RY_EINVAL, "reading a metric needs its name");
	if (from == 0)
		return ry_metrics_read_into(st, run_id, key, buf, cap, n);
	/* Which chunk holds point `from`: the counts alone (the blob is the
	 * row's last column, so its overflow pages are not touched). */
	q = ry_store__bulk_stmt(st, "SELECT chunk, n FROM metric_chunks WHERE run_id = ? "
	                            "AND key_id = (SELECT id FROM metric_keys WHERE key = ?) ORDER BY chunk");
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t cn = sqlite3_column_int64(q, 1);
		if (before + (size_t)(cn > 0 ? cn : 0) > from) {
			first = sqlite3_column_int64(q, 0);
			break;
		}
		before += (size_t)(cn > 0 ? cn : 0);
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ry_store__stmt_err(st, q, "reading a metric history");
	sqlite3_reset(q);
	if (rc || first < 0)
		return rc; /* nothing past `from` */
	return decode_from(st, run_id, key, first, from - before, buf, cap, n);
}

int ry_metrics_read(ry_store *st, int64_t run_id, const char *key, ry_point **out, size_t *n)
{
	size_t cap = 0;
	int rc;
	*out = NULL;
	rc = ry_metrics_read_into(st, run_id, key, out, &cap, n);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int ry_metrics_summaries(ry_store *st, int64_t run_id, ry_metric_summary **out, size_t *n)
{
	sqlite3_stmt *q = ry_store__stmt(st, "SELECT key, n, last_step, last, min, max, first_ts, last_ts "
	                                     "FROM metric_summary WHERE run_id = ? ORDER BY key");
	ry_metric_summary *v = NULL;
	size_t len = 0, cap = 0;
	int step, rc = 0;

	*out = NULL;
	*n = 0;
	sqlite3_bind_int64(q, 1, run_id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap)
			v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		ry_metric_summary *m = &v[len++];
		m->key = ry_store__column_dup(q, 0);
		if (!m->key)
			m->key = ry_xstrdup("");
		m->n = sqlite3_column_int64(q, 1);
		m->last_step = sqlite3_column_int64(q, 2);
		m->last = column_real_or_nan(q, 3);
		m->min = column_real_or_nan(q, 4);
		m->max = column_real_or_nan(q, 5);
		m->first_ts = column_real_or_nan(q, 6);
		m->last_ts = column_real_or_nan(q, 7);
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "reading metric summaries");
	sqlite3_reset(q);
	if (rc) {
		ry_metric_summaries_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void ry_metric_summaries_free(ry_metric_summary *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i].key);
	free(s);
}

int ry_metrics_keys(ry_store *st, int64_t experiment_id, char ***out, size_t *n)
{
	sqlite3_stmt *q;
	char **v = NULL;
	size_t len = 0, cap = 0;
	int step, rc = 0;

	*out = NULL;
	*n = 0;
	if (experiment_id > 0) {
		q = ry_store__stmt(st, "SELECT DISTINCT s.key FROM runs r JOIN metric_summary s ON s.run_id = r.id "
		                       "WHERE r.experiment_id = ? ORDER BY s.key");
		sqlite3_bind_int64(q, 1, experiment_id);
	} else {
		/* A skip-scan over the (key, last) index: one seek per distinct
		 * key instead of reading every summary row. */
		q = ry_store__stmt(st, "WITH RECURSIVE k(key) AS ("
		                       "  SELECT (SELECT min(key) FROM metric_summary)"
		                       "  UNION ALL"
		                       "  SELECT (SELECT min(key) FROM metric_summary WHERE key > k.key) FROM k"
		                       "  WHERE k.key IS NOT NULL) "
		                       "SELECT key FROM k WHERE key IS NOT NULL");
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap)
			v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		char *k = ry_store__column_dup(q, 0);
		v[len++] = k ? k : ry_xstrdup("");
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "listing metric names");
	sqlite3_reset(q);
	if (rc) {
		ry_strings_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int ry_metrics_storage(ry_store *st, int64_t *bytes, int64_t *points)
{
	sqlite3 *db = ry_store__db(st);
	sqlite3_stmt *q = NULL;
	int rc = 0;

	*bytes = 0;
	*points = 0;
	/* dbstat counts whole pages (cells, B-tree overhead, free space in
	 * pages); without it, fall back to payload bytes. */
	if (sqlite3_prepare_v2(db, "SELECT sum(pgsize) FROM dbstat WHERE name = 'metric_chunks'", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			*bytes = sqlite3_column_int64(q, 0);
		else
			rc = ry_store__sqlerr(st, "measuring metric storage");
		sqlite3_finalize(q);
	} else {
		sqlite3_finalize(q);
		q = ry_store__stmt(st, "SELECT coalesce(sum(length(data) + 12), 0) FROM metric_chunks");
		if (sqlite3_step(q) == SQLITE_ROW)
			*bytes = sqlite3_column_int64(q, 0);
		else
			rc = ry_store__sqlerr(st, "measuring metric storage");
		sqlite3_reset(q);
	}
	if (rc)
		return rc;
	q = ry_store__stmt(st, "SELECT coalesce(sum(n), 0) FROM metric_chunks");
	if (sqlite3_step(q) == SQLITE_ROW)
		*points = sqlite3_column_int64(q, 0);
	else
		rc = ry_store__sqlerr(st, "counting metric points");
	sqlite3_reset(q);
	return rc;
}
