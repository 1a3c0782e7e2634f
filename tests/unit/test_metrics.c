/* Metric storage: codec round trips, chunking, appending across flushes and
 * processes, summaries, goals, keys, damage detection. */
#include "testutil.h"
#include "sqlutil.h"

#include <math.h>
#include <sqlite3.h>

#include "store/store_internal.h"

/* Two experiments, runs 1..3 in the first, 4 in the second. */
static void make_runs(ry_store *st)
{
	ry_test_exec(st, "INSERT INTO experiments(id, name, created) VALUES (1, 'e1', 0), (2, 'e2', 0);"
	             "INSERT INTO runs(id, uuid, experiment_id, name, status) VALUES"
	             " (1, 'u1', 1, 'r1', 'running'), (2, 'u2', 1, 'r2', 'running'),"
	             " (3, 'u3', 1, 'r3', 'running'), (4, 'u4', 2, 'r4', 'running');");
}

static int setup(void **state)
{
	struct ry_test_ws *ws = calloc(1, sizeof *ws);
	ry_test_ws_open(ws);
	make_runs(ws->st);
	*state = ws;
	return 0;
}

static int teardown(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_test_ws_close(ws);
	free(ws);
	return 0;
}

static bool same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void expect_history(ry_store *st, int64_t run, const char *key, const ry_point *want, size_t n)
{
	ry_point *got = NULL;
	size_t ng = 99;
	assert_int_equal(ry_metrics_read(st, run, key, &got, &ng), 0);
	assert_int_equal(ng, n);
	for (size_t i = 0; i < n; i++) {
		if (got[i].step != want[i].step || !same_double(got[i].value, want[i].value) ||
		    fabs(got[i].ts - want[i].ts) > 0.0005)
			fail_msg("point %zu: got (%lld, %.3f, %.17g) want (%lld, %.3f, %.17g)", i,
			         (long long)got[i].step, got[i].ts, got[i].value,
			         (long long)want[i].step, want[i].ts, want[i].value);
	}
	free(got);
}

static int64_t count_rows(ry_store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	assert_int_equal(sqlite3_prepare_v2(ry_store__db(st), sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void write_points(ry_store *st, int64_t run, const char *key, const ry_point *p, size_t n)
{
	ry_metrics_writer *w;
	assert_int_equal(ry_metrics_writer_new(&w, st), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ry_metrics_append(w, run, key, p[i].step, p[i].ts, p[i].value), 0);
	assert_int_equal(ry_metrics_pending(w), n);
	assert_int_equal(ry_metrics_flush(w), 0);
	assert_int_equal(ry_metrics_pending(w), 0);
	ry_metrics_writer_free(w);
}

static void test_metrics_read__missing_series_is_empty(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point *p = (ry_point *)1;
	size_t n = 7;
	assert_int_equal(ry_metrics_read(ws->st, 1, "nope", &p, &n), 0);
	assert_null(p);
	assert_int_equal(n, 0);
	ry_metrics_writer_free(NULL);
	ry_metric_summaries_free(NULL, 0);
	assert_int_equal(ry_metrics_pending(NULL), 0);
}

static void test_metrics_append__bad_input_is_einval(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *w;
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 0, "loss", 0, 0, 1), RY_EINVAL);
	assert_int_equal(ry_metrics_append(w, 1, "", 0, 0, 1), RY_EINVAL);
	assert_int_equal(ry_metrics_append(w, 1, NULL, 0, 0, 1), RY_EINVAL);
	assert_int_equal(ry_metrics_pending(w), 0);
	assert_int_equal(ry_metrics_flush(w), 0); /* nothing to do */
	ry_metrics_writer_free(w);
}

/* Every value class the codec distinguishes, and hostile steps/times. */
static void test_metrics_codec__round_trips_every_value_kind(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point f64[] = {
		{ 0, 1700000000.123, 0.1 }, { 1, 1700000000.5, NAN }, { 2, 1700000001.0, INFINITY },
		{ 3, 1700000001.5, -INFINITY }, { 4, 1700000002.0, -0.0 }, { 5, 1700000002.5, 1e300 },
		{ 6, 1700000003.0, 5e-324 }, { -7, 1600000000.0, -3.141592653589793 },
	};
	ry_point f32[] = { { 10, 100.0, 0.5f }, { 20, 100.25, 0.25f }, { 30, 100.5, (double)0.1f },
	                   { 40, 100.75, NAN }, { 50, 101.0, INFINITY } };
	ry_point ints[] = { { 0, 0, 1 }, { 1, 0, 2 }, { 2, 0, 1e15 }, { 3, 0, -1e15 }, { 4, 0, 0 } };
	ry_point steps[] = { { INT64_MAX, 1, 1 }, { INT64_MIN, 2, 2 }, { 0, -1.5, 3 },
	                     { INT64_MAX, 9e12, 4 }, { 5, 0, 5 } };
	write_points(ws->st, 1, "f64", f64, sizeof f64 / sizeof *f64);
	write_points(ws->st, 1, "f32", f32, sizeof f32 / sizeof *f32);
	write_points(ws->st, 1, "int", ints, sizeof ints / sizeof *ints);
	write_points(ws->st, 1, "steps", steps, sizeof steps / sizeof *steps);
	expect_history(ws->st, 1, "f64", f64, sizeof f64 / sizeof *f64);
	expect_history(ws->st, 1, "f32", f32, sizeof f32 / sizeof *f32);
	expect_history(ws->st, 1, "int", ints, sizeof ints / sizeof *ints);
	expect_history(ws->st, 1, "steps", steps, sizeof steps / sizeof *steps);
}

static void test_metrics_codec__float32_values_are_compact(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { N = 4000 };
	ry_point *p = malloc(N * sizeof *p);
	int64_t blob = 0;
	for (int i = 0; i < N; i++)
		p[i] = (ry_point){ i, 1700000000.0 + i * 0.5, (double)(float)(2.0 * exp(-i / 900.0) + 0.01 * sin(i)) };
	write_points(ws->st, 2, "loss", p, N);
	blob = count_rows(ws->st, "SELECT sum(length(data)) FROM metric_chunks WHERE run_id = 2");
	/* 4 value bytes, ~1 step byte, ~1 time byte */
	assert_true(blob < N * 7);
	expect_history(ws->st, 2, "loss", p, N);
	free(p);
}

/* A chunk closes at RY_METRICS_CHUNK points or when its blob would outgrow
 * a B-tree cell (~1 KB), whichever comes first: float64 values (8 bytes a
 * point) close it by bytes, float32 ones at a steady cadence (4) too, long
 * before 1024 points; every point is in exactly one chunk, in order. */
static void test_metrics_write__splits_into_chunks(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { N = 2 * RY_METRICS_CHUNK + 952 };
	ry_point *p = malloc(N * sizeof *p);
	for (int i = 0; i < N; i++)
		p[i] = (ry_point){ i * 10, 1000.0 + i, i * 0.37 };
	write_points(ws->st, 1, "loss", p, N);
	for (int i = 0; i < N; i++)
		p[i].value = (double)(float)(i * 0.37);
	write_points(ws->st, 2, "loss", p, N);
	/* 8-byte values: ~118 points a chunk; 4-byte: ~236 */
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 1"), 26);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 2"), 13);
	assert_true(count_rows(ws->st, "SELECT max(length(data)) FROM metric_chunks") <= 960);
	assert_true(count_rows(ws->st, "SELECT max(length(data)) FROM metric_chunks") > 900);
	assert_int_equal(count_rows(ws->st, "SELECT sum(n) FROM metric_chunks WHERE run_id = 1"), N);
	assert_int_equal(count_rows(ws->st, "SELECT max(chunk) + 1 FROM metric_chunks WHERE run_id = 1"), 26);
	expect_history(ws->st, 2, "loss", p, N);
	for (int i = 0; i < N; i++)
		p[i].value = i * 0.37;
	expect_history(ws->st, 1, "loss", p, N);
	free(p);
}

/* Small flushes fill the last chunk up instead of making a chunk each: the
 * series ends in as many chunks as when written at once. */
static void test_metrics_flush__appends_to_partial_chunk(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { N = RY_METRICS_CHUNK + 30 };
	ry_point *p = malloc(N * sizeof *p);
	ry_metrics_writer *w;
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int i = 0; i < N; i++) {
		p[i] = (ry_point){ i, 50.0 + i * 0.25, 1.0 / (i + 1) };
		assert_int_equal(ry_metrics_append(w, 1, "loss", p[i].step, p[i].ts, p[i].value), 0);
		if (i % 7 == 6)
			assert_int_equal(ry_metrics_flush(w), 0);
	}
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);
	write_points(ws->st, 2, "loss", p, N);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 1"),
	                 count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 2"));
	assert_true(count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 1") <= 10);
	assert_int_equal(count_rows(ws->st, "SELECT n FROM metric_summary WHERE run_id = 1 AND key = 'loss'"), N);
	expect_history(ws->st, 1, "loss", p, N);
	free(p);
}

/* A live reader that has the first `from` points reads only the rest, from
 * any point: inside a chunk, at a chunk's edge, at the end, past the end. */
static void test_metrics_read_since__only_the_new_points(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { N = 2 * RY_METRICS_CHUNK + 300 };
	static const size_t froms[] = { 0, 1, 7, RY_METRICS_CHUNK - 1, RY_METRICS_CHUNK, RY_METRICS_CHUNK + 1,
	                                2 * RY_METRICS_CHUNK + 5, N - 1, N, N + 40 };
	ry_point *p = malloc(N * sizeof *p), *buf = NULL;
	size_t cap = 0, n;
	for (int i = 0; i < N; i++)
		p[i] = (ry_point){ 3 * i, 100.0 + i, i % 5 ? 1.0 / (i + 1) : NAN };
	/* in several flushes, as a live run writes: partial chunks filled up */
	write_points(ws->st, 2, "loss", p, 700);
	write_points(ws->st, 2, "loss", p + 700, 900);
	write_points(ws->st, 2, "loss", p + 1600, N - 1600);
	for (size_t f = 0; f < sizeof froms / sizeof froms[0]; f++) {
		size_t from = froms[f], want = from < N ? N - from : 0;
		assert_int_equal(ry_metrics_read_since(ws->st, 2, "loss", from, &buf, &cap, &n), 0);
		assert_int_equal(n, want);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(buf[i].step, p[from + i].step);
			assert_true(buf[i].ts == p[from + i].ts);
			assert_true(isnan(p[from + i].value) ? isnan(buf[i].value) : buf[i].value == p[from + i].value);
		}
	}
	assert_int_equal(ry_metrics_read_since(ws->st, 2, "nope", 3, &buf, &cap, &n), 0);
	assert_int_equal(n, 0);
	free(buf);
	free(p);
}

/* A second writer (a later process) continues an existing series. */
static void test_metrics_writer__continues_series_of_earlier_writer(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[20];
	for (int i = 0; i < 20; i++)
		p[i] = (ry_point){ i, 10.0 + i, i * 2.0 };
	write_points(ws->st, 3, "acc", p, 12);
	write_points(ws->st, 3, "acc", p + 12, 8);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks WHERE run_id = 3"), 1);
	expect_history(ws->st, 3, "acc", p, 20);
}

/* Two connections (as two processes) append to the same series in turn. */
static void test_metrics_writer__sees_other_process_appends(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_store *other;
	ry_metrics_writer *a, *b;
	ry_point p[30];
	ry_metric_summary *s;
	size_t ns;

	assert_int_equal(ry_store_open(&other, ws->path, 0), 0);
	assert_int_equal(ry_metrics_writer_new(&a, ws->st), 0);
	assert_int_equal(ry_metrics_writer_new(&b, other), 0);
	for (int i = 0; i < 30; i++)
		p[i] = (ry_point){ i, 5.0 + i, 100.0 - i };
	for (int i = 0; i < 30; i++) {
		ry_metrics_writer *w = (i / 5) % 2 ? b : a;
		assert_int_equal(ry_metrics_append(w, 1, "loss", p[i].step, p[i].ts, p[i].value), 0);
		if (i % 5 == 4)
			assert_int_equal(ry_metrics_flush(w), 0);
	}
	ry_metrics_writer_free(a);
	ry_metrics_writer_free(b);
	ry_store_close(other);
	expect_history(ws->st, 1, "loss", p, 30);
	assert_int_equal(ry_metrics_summaries(ws->st, 1, &s, &ns), 0);
	assert_int_equal(ns, 1);
	assert_int_equal(s[0].n, 30);
	assert_true(s[0].min == 71.0 && s[0].max == 100.0 && s[0].last == 71.0);
	assert_int_equal(s[0].last_step, 29);
	ry_metric_summaries_free(s, ns);
}

/* Another writer on the same connection: data_version does not move, but
 * the writer must still notice. */
static void test_metrics_writer__sees_same_connection_appends(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *a, *b;
	ry_point p[9];
	for (int i = 0; i < 9; i++)
		p[i] = (ry_point){ i, 1.0 + i, i };
	assert_int_equal(ry_metrics_writer_new(&a, ws->st), 0);
	assert_int_equal(ry_metrics_writer_new(&b, ws->st), 0);
	for (int i = 0; i < 9; i++) {
		ry_metrics_writer *w = (i / 3) % 2 ? b : a;
		assert_int_equal(ry_metrics_append(w, 2, "x", p[i].step, p[i].ts, p[i].value), 0);
		if (i % 3 == 2)
			assert_int_equal(ry_metrics_flush(w), 0);
	}
	ry_metrics_writer_free(a);
	ry_metrics_writer_free(b);
	expect_history(ws->st, 2, "x", p, 9);
}

/* A writer with more series than it keeps in memory forgets them after a
 * flush and must reload them to continue. */
static void test_metrics_writer__many_series_reload_after_forgetting(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { NS = 5000 };
	ry_metrics_writer *w;
	char key[32];
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < NS; k++) {
			snprintf(key, sizeof key, "m%04d", k);
			for (int i = 0; i < 3; i++)
				assert_int_equal(ry_metrics_append(w, 1 + k % 4, key, round * 3 + i, round * 3 + i,
				                                   k + round * 3 + i), 0);
		}
		assert_int_equal(ry_metrics_flush(w), 0);
	}
	ry_metrics_writer_free(w);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_summary WHERE n = 6"), NS);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks"), NS);
	ry_point want[6];
	for (int i = 0; i < 6; i++)
		want[i] = (ry_point){ i, i, 4321 + i };
	expect_history(ws->st, 1 + 4321 % 4, "m4321", want, 6);
}

static void test_metrics_summaries__ignore_non_finite_in_min_max(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[] = { { 1, 10, INFINITY }, { 2, 11, 0.5 }, { 3, 12, -2.0 }, { 4, 13, NAN } };
	ry_point q[] = { { 1, 20, NAN }, { 2, 21, -INFINITY } };
	ry_point r[] = { { 7, 30, 3.0 }, { 8, 31, INFINITY } };
	ry_metric_summary *s;
	size_t n;
	write_points(ws->st, 1, "val_loss", p, 4);
	write_points(ws->st, 1, "allbad", q, 2);
	write_points(ws->st, 1, "inflast", r, 2);
	assert_int_equal(ry_metrics_summaries(ws->st, 1, &s, &n), 0);
	assert_int_equal(n, 3);
	/* sorted by key */
	assert_string_equal(s[0].key, "allbad");
	assert_string_equal(s[1].key, "inflast");
	assert_string_equal(s[2].key, "val_loss");
	assert_true(isnan(s[0].min) && isnan(s[0].max) && isnan(s[0].last));
	assert_int_equal(s[0].n, 2);
	assert_true(s[1].min == 3.0 && s[1].max == 3.0 && isnan(s[1].last));
	assert_int_equal(s[1].last_step, 8);
	assert_true(s[2].min == -2.0 && s[2].max == 0.5 && isnan(s[2].last));
	assert_true(s[2].first_ts == 10.0 && s[2].last_ts == 13.0);
	ry_metric_summaries_free(s, n);
	/* The history keeps the non-finite values exactly. */
	expect_history(ws->st, 1, "val_loss", p, 4);
}

static void test_metrics_flush__unknown_run_fails_and_keeps_points(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *w;
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "ok", 0, 0, 1), 0);
	assert_int_equal(ry_metrics_append(w, 999, "loss", 0, 0, 1), 0);
	assert_int_equal(ry_metrics_flush(w), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "no such run"));
	assert_int_equal(ry_metrics_pending(w), 2);
	/* Nothing of the failed batch was written. */
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks"), 0);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_summary"), 0);
	/* Once the run exists the same points go in. */
	ry_test_exec(ws->st, "INSERT INTO runs(id, uuid, experiment_id, name, status) VALUES (999, 'u9', 1, 'r9', 'running')");
	assert_int_equal(ry_metrics_flush(w), 0);
	assert_int_equal(count_rows(ws->st, "SELECT sum(n) FROM metric_summary"), 2);
	ry_metrics_writer_free(w);
}

/* The flush joins a caller's transaction; rolling that back must not leave
 * the writer believing its points were stored. */
static void test_metrics_flush__survives_caller_rollback(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *w;
	ry_point p[6];
	for (int i = 0; i < 6; i++)
		p[i] = (ry_point){ i, 1.0 + i, i * 0.5 };
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ry_metrics_append(w, 1, "m", p[i].step, p[i].ts, p[i].value), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	assert_int_equal(ry_store_begin(ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "m", 99, 99, 99), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_store_rollback(ws->st);
	for (int i = 3; i < 6; i++)
		assert_int_equal(ry_metrics_append(w, 1, "m", p[i].step, p[i].ts, p[i].value), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);
	expect_history(ws->st, 1, "m", p, 6);
	assert_int_equal(count_rows(ws->st, "SELECT n FROM metric_summary WHERE run_id = 1 AND key = 'm'"), 6);
}

/* A metric name first written inside a caller's transaction that is rolled
 * back takes its id with it; another writer's new name may get that id, and
 * the first writer's next points must still go to their own metric. */
static void test_metrics_flush__rolled_back_name_is_not_reused(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *w, *other;
	ry_point a[] = { { 1, 10, 1.5 } }, b[] = { { 2, 20, 2.5 } };
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_store_begin(ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "a", 0, 1, 9), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_store_rollback(ws->st);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_keys"), 0);
	assert_int_equal(ry_metrics_writer_new(&other, ws->st), 0);
	assert_int_equal(ry_metrics_append(other, 2, "b", b[0].step, b[0].ts, b[0].value), 0);
	assert_int_equal(ry_metrics_flush(other), 0);
	ry_metrics_writer_free(other);
	assert_int_equal(ry_metrics_append(w, 1, "a", a[0].step, a[0].ts, a[0].value), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);
	expect_history(ws->st, 1, "a", a, 1);
	expect_history(ws->st, 2, "b", b, 1);
	expect_history(ws->st, 1, "b", NULL, 0);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_keys"), 2);
}

/* Histories are read on a second, memory-mapped connection outside a
 * transaction: it must see what another process committed since, and a
 * caller inside its own transaction must still see its uncommitted points
 * (that read goes through the main connection). */
static void test_metrics_read__sees_commits_and_own_transaction(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_store *other;
	ry_metrics_writer *w;
	ry_point p[4];
	for (int i = 0; i < 4; i++)
		p[i] = (ry_point){ i, 10.0 + i, 0.5 * i };
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 3, "acc", 0, p[0].ts, p[0].value), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	expect_history(ws->st, 3, "acc", p, 1); /* opens the reader */

	assert_int_equal(ry_store_open(&other, ws->path, 0), 0);
	{
		ry_metrics_writer *ow;
		assert_int_equal(ry_metrics_writer_new(&ow, other), 0);
		assert_int_equal(ry_metrics_append(ow, 3, "acc", 1, p[1].ts, p[1].value), 0);
		assert_int_equal(ry_metrics_flush(ow), 0);
		ry_metrics_writer_free(ow);
	}
	ry_store_close(other);
	expect_history(ws->st, 3, "acc", p, 2);

	assert_int_equal(ry_store_begin(ws->st), 0);
	for (int i = 2; i < 4; i++)
		assert_int_equal(ry_metrics_append(w, 3, "acc", p[i].step, p[i].ts, p[i].value), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	expect_history(ws->st, 3, "acc", p, 4);
	ry_store_rollback(ws->st);
	ry_metrics_writer_free(w);
	expect_history(ws->st, 3, "acc", p, 2);
}

/* Summaries migrated from schema 1 have counts but no values: the writer
 * rebuilds them from the chunks before appending. */
static void test_metrics_writer__rebuilds_valueless_summary(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[] = { { 0, 1, 5.0 }, { 1, 2, 1.0 }, { 2, 3, 3.0 } };
	ry_metric_summary *s;
	size_t n;
	write_points(ws->st, 1, "loss", p, 2);
	ry_test_exec(ws->st, "UPDATE metric_summary SET last = NULL, min = NULL, max = NULL");
	write_points(ws->st, 1, "loss", p + 2, 1);
	assert_int_equal(ry_metrics_summaries(ws->st, 1, &s, &n), 0);
	assert_int_equal(n, 1);
	assert_true(s[0].min == 1.0 && s[0].max == 5.0 && s[0].last == 3.0 && s[0].n == 3);
	ry_metric_summaries_free(s, n);
}

static void test_metrics_read__damaged_chunk_is_ecorrupt(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[] = { { 0, 1, 5.0 }, { 1, 2, 1.0 } };
	ry_point *got = NULL;
	size_t n = 0;
	ry_metrics_writer *w;
	write_points(ws->st, 1, "loss", p, 2);
	ry_test_exec(ws->st, "UPDATE metric_chunks SET data = x'1f0203'");
	assert_int_equal(ry_metrics_read(ws->st, 1, "loss", &got, &n), RY_ECORRUPT);
	assert_non_null(strstr(ry_error_last(), "damaged"));
	assert_null(got);
	ry_test_exec(ws->st, "UPDATE metric_chunks SET data = x''");
	assert_int_equal(ry_metrics_read(ws->st, 1, "loss", &got, &n), RY_ECORRUPT);
	/* A truncated but well-headed blob. */
	ry_test_exec(ws->st, "UPDATE metric_chunks SET data = x'1002000002'");
	assert_int_equal(ry_metrics_read(ws->st, 1, "loss", &got, &n), RY_ECORRUPT);
	/* The writer refuses to append to a damaged partial chunk. */
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "loss", 2, 3, 1), 0);
	assert_int_equal(ry_metrics_flush(w), RY_ECORRUPT);
	ry_metrics_writer_free(w);
}

/* Chunks whose summary row was deleted by hand are reported, not
 * silently overwritten. */
static void test_metrics_flush__orphan_chunks_are_ecorrupt(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[] = { { 0, 1, 5.0 } };
	ry_metrics_writer *w;
	write_points(ws->st, 1, "loss", p, 1);
	ry_test_exec(ws->st, "DELETE FROM metric_summary");
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "loss", 1, 2, 1), 0);
	assert_int_equal(ry_metrics_flush(w), RY_ECORRUPT);
	assert_non_null(strstr(ry_error_last(), "no summary"));
	ry_metrics_writer_free(w);
	expect_history(ws->st, 1, "loss", p, 1);
}

/* Codec version 2 folds a regular column (every delta the same) to its
 * first value and delta; gaps, a single point, two points, non-finite values
 * and far timestamps still round-trip, regular or not. */
static void test_metrics_codec__regular_columns_fold_and_round_trip(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point reg[4] = { { 0, 1700000000.0, 0.5f }, { 10, 1700000001.5, 0.25f }, { 20, 1700000003.0, 0.125f },
	                    { 30, 1700000004.5, 1.0f } };
	ry_point gaps[] = { { 0, 1700000000.0, NAN }, { 1, 1700000000.001, INFINITY }, { 7, 1700000000.002, -INFINITY },
	                    { 8, 1700000000.003, -0.0 }, { 100, 1699999999.0, 1e300 }, { -5, 1800000000.0, 3 } };
	ry_point one[] = { { 42, 1700000000.25, 7 } };
	ry_point two[] = { { 5, 0, 1.5 }, { 3, -2.5, 2.5 } };
	write_points(ws->st, 1, "reg", reg, 4);
	write_points(ws->st, 1, "gaps", gaps, sizeof gaps / sizeof *gaps);
	write_points(ws->st, 1, "one", one, 1);
	write_points(ws->st, 1, "two", two, 2);
	expect_history(ws->st, 1, "reg", reg, 4);
	expect_history(ws->st, 1, "gaps", gaps, sizeof gaps / sizeof *gaps);
	expect_history(ws->st, 1, "one", one, 1);
	expect_history(ws->st, 1, "two", two, 2);
	/* header 1, steps 0 and +10: 2, time: 6 + 2, values 4 x 4 */
	assert_int_equal(count_rows(ws->st, "SELECT length(data) FROM metric_chunks WHERE key_id = "
	                                    "(SELECT id FROM metric_keys WHERE key = 'reg')"), 27);
	/* A regular series topped up by a later flush stays right. */
	write_points(ws->st, 1, "reg", (ry_point[]){ { 40, 1700000006.0, 2.0f } }, 1);
	{
		ry_point all[5];
		memcpy(all, reg, sizeof reg);
		all[4] = (ry_point){ 40, 1700000006.0, 2.0f };
		expect_history(ws->st, 1, "reg", all, 5);
	}
}

/* The chunk blob as schema 8 and before wrote it (codec version 1): the
 * count in the blob, float64 values, every delta-of-delta stored. */
static size_t v1_blob(uint8_t *out, const ry_point *p, size_t n)
{
	uint8_t *o = out;
	uint64_t prev, prevd, v;
	*o++ = 0x10;
	for (v = n; v >= 0x80; v >>= 7)
		*o++ = (uint8_t)(v | 0x80);
	*o++ = (uint8_t)v;
	for (int col = 0; col < 2; col++) {
		prev = prevd = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t x = col == 0 ? p[i].step : (int64_t)(p[i].ts * 1000.0 + 0.5);
			uint64_t d = (uint64_t)x - prev, z = d - prevd;
			z = (z << 1) ^ (uint64_t)(-(int64_t)(z >> 63));
			for (; z >= 0x80; z >>= 7)
				*o++ = (uint8_t)(z | 0x80);
			*o++ = (uint8_t)z;
			prev = (uint64_t)x;
			prevd = i == 0 ? 0 : d;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t b;
		memcpy(&b, &p[i].value, 8);
		for (int k = 0; k < 8; k++)
			*o++ = (uint8_t)(b >> (8 * k));
	}
	return (size_t)(o - out);
}

/* A workspace of schema 8, chunks in the old `metrics` table with their key
 * text and version 1 blobs, opens migrated: every point and summary reads
 * back as it was, and appending tops up the old partial chunk. */
static void test_metrics_migration__schema_8_chunks_read_back(void **state)
{
	char *dir = ry_test_tmpdir(), *path = ry_xasprintf("%s/old.db", dir);
	enum { FULL = RY_METRICS_CHUNK, TAIL = 500 };
	ry_point *p = malloc((FULL + TAIL + 1) * sizeof *p);
	uint8_t *blob = malloc(16 + (size_t)FULL * 30);
	ry_metric_summary *sum;
	ry_store *st;
	sqlite3 *db;
	sqlite3_stmt *q;
	size_t n;
	(void)state;

	for (int i = 0; i < FULL + TAIL + 1; i++)
		p[i] = (ry_point){ i < 500 ? i : 2 * i + 3, 1700000000.0 + i * 1.25 + (i % 3) * 0.001,
		                   i % 97 == 5 ? NAN : i % 101 == 7 ? -INFINITY : sin(i) * 1e-3 };
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1381586771; BEGIN", NULL, NULL, NULL), SQLITE_OK);
	if (ry_store__migrate(db, 0, 8))
		fail_msg("migrate 0->8: %s", ry_error_last());
	assert_int_equal(sqlite3_exec(db, "INSERT INTO experiments(id, name, created) VALUES (1, 'e', 0);"
	                                  "INSERT INTO runs(id, uuid, experiment_id, name, status) VALUES"
	                                  " (1, 'u1', 1, 'r1', 'finished'), (2, 'u2', 1, 'r2', 'finished');"
	                                  "INSERT INTO metric_summary VALUES (1, 'loss', 1524, 3049, NULL, -1, 1,"
	                                  " 1700000000, 1700001326.25), (2, 'acc', 1, 0, 0.5, 0.5, 0.5, 1, 1)",
	                                  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?)", -1, &q, NULL),
	                 SQLITE_OK);
	for (int c = 0; c < 3; c++) {
		int64_t run = c < 2 ? 1 : 2, cn = c == 0 ? FULL : c == 1 ? TAIL : 1;
		ry_point *from = c == 0 ? p : c == 1 ? p + FULL : (ry_point[]){ { 0, 1, 0.5 } };
		sqlite3_bind_int64(q, 1, run);
		sqlite3_bind_text(q, 2, run == 1 ? "loss" : "acc", -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, c == 1);
		sqlite3_bind_int64(q, 4, cn);
		sqlite3_bind_blob(q, 5, blob, (int)v1_blob(blob, from, (size_t)cn), SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	if (ry_store_open(&st, path, 0))
		fail_msg("open old: %s", ry_error_last());
	assert_int_equal(count_rows(st, "PRAGMA user_version"), RY_SCHEMA_VERSION);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'metrics'"), 0);
	expect_history(st, 1, "loss", p, FULL + TAIL);
	expect_history(st, 2, "acc", (ry_point[]){ { 0, 1, 0.5 } }, 1);
	assert_int_equal(ry_metrics_summaries(st, 1, &sum, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(sum[0].key, "loss");
	assert_true(sum[0].n == FULL + TAIL && sum[0].last_step == 3049 && isnan(sum[0].last) && sum[0].min == -1);
	ry_metric_summaries_free(sum, n);
	/* The old partial chunk, 4 KB of float64 values, is more than a chunk
	 * holds now: it stays as it is (version 1) and the next point starts a
	 * chunk of its own. */
	write_points(st, 1, "loss", p + FULL + TAIL, 1);
	expect_history(st, 1, "loss", p, FULL + TAIL + 1);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_chunks WHERE run_id = 1"), 3);
	assert_int_equal(count_rows(st, "SELECT unicode(data) FROM metric_chunks WHERE run_id = 1 AND chunk = 1"), 0x10);
	assert_int_equal(count_rows(st, "SELECT unicode(data) >> 4 FROM metric_chunks WHERE run_id = 1 AND chunk = 2"), 2);
	/* A small old tail is topped up, and rewritten in version 2. */
	write_points(st, 2, "acc", (ry_point[]){ { 1, 2, 0.25 } }, 1);
	expect_history(st, 2, "acc", (ry_point[]){ { 0, 1, 0.5 }, { 1, 2, 0.25 } }, 2);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_chunks WHERE run_id = 2"), 1);
	assert_int_equal(count_rows(st, "SELECT unicode(data) >> 4 FROM metric_chunks WHERE run_id = 2"), 2);
	ry_store_close(st);
	free(blob);
	free(p);
	free(path);
	ry_test_rmdir(dir);
}

/* The run ids a sort or filter lists, comma-separated (malloc'd). */
static char *listed(ry_store *st, const char *sort, const char *filter, size_t limit)
{
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	ry_runlist *l = NULL;
	ry_buf b = RY_BUF_INIT;
	o.sort = sort;
	o.filter = filter;
	o.limit = limit;
	if (ry_runlist_open(&l, st, &o))
		fail_msg("list %s / %s: %s", sort ? sort : "-", filter ? filter : "-", ry_error_last());
	for (size_t i = 0; i < ry_runlist_count(l); i++)
		ry_buf_printf(&b, "%s%lld", i ? "," : "", (long long)ry_runlist_id(l, i));
	ry_runlist_free(l);
	return b.len ? ry_buf_detach(&b) : ry_xstrdup("");
}

static char *text_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	char *v;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = ry_xstrdup(sqlite3_column_type(q, 0) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

/* A workspace of schema 10 (three summary indexes, immediate references to
 * runs) opens migrated to one summary index: every history and summary
 * reads back, and every sort (by the index or in C, whole or a first page)
 * and every filter on last/min/max lists the runs the old tables order
 * (values, ties by id descending, runs without a value last by id
 * descending). */
static void test_metrics_migration__schema_10_lists_the_same(void **state)
{
	char *dir = ry_test_tmpdir(), *path = ry_xasprintf("%s/old.db", dir);
	enum { RUNS = 90 };
	static const struct { const char *sort, *order; } sorts[] = {
		{ "loss:desc", "last DESC" }, { "loss:asc", "last ASC" },
		{ "loss.min:desc", "min DESC" }, { "loss.min:asc", "min ASC" },
		{ "loss.max:desc", "max DESC" }, { "loss.max:asc", "max ASC" },
		{ "loss.best:desc", "min DESC" }, { "loss.best:asc", "min ASC" },
	};
	static const struct { const char *filter, *where; } filters[] = {
		{ "loss > 0.25", "last > 0.25" }, { "loss.min < 0.3", "min < 0.3" },
		{ "loss.max >= 0.5", "max >= 0.5" }, { "loss.min = 0.2", "min = 0.2" },
	};
	char *want_sort[sizeof sorts / sizeof *sorts], *want_filter[sizeof filters / sizeof *filters];
	ry_point pts[RUNS][2];
	uint8_t blob[128];
	ry_store *st;
	sqlite3 *db;
	sqlite3_stmt *q;
	char sql[512];
	(void)state;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1381586771; BEGIN", NULL, NULL, NULL), SQLITE_OK);
	if (ry_store__migrate(db, 0, 10))
		fail_msg("migrate 0->10: %s", ry_error_last());
	assert_int_equal(sqlite3_exec(db, "INSERT INTO experiments(id, name, created) VALUES (1, 'e', 0);"
	                                  "INSERT INTO metric_keys(id, key) VALUES (1, 'loss'), (2, 'acc')",
	                                  NULL, NULL, NULL), SQLITE_OK);
	/* Runs 1..80 have a loss of two points (their values tie often; every
	 * ninth last is NaN, stored NULL), 81..90 none. */
	for (int r = 1; r <= RUNS; r++) {
		snprintf(sql, sizeof sql, "INSERT INTO runs(id, uuid, experiment_id, name, status, created) "
		         "VALUES (%d, 'u%d', 1, 'r%d', 'finished', %d)", r, r, r, r);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO metric_chunks VALUES (?, 1, 0, 2, ?)", -1, &q, NULL),
	                 SQLITE_OK);
	for (int r = 1; r <= 80; r++) {
		double a = (r % 7) * 0.1, b = r % 9 == 0 ? NAN : (r % 5) * 0.1;
		pts[r - 1][0] = (ry_point){ 0, 1700000000.0 + r, a };
		pts[r - 1][1] = (ry_point){ 10, 1700000001.5 + r, b };
		sqlite3_bind_int64(q, 1, r);
		sqlite3_bind_blob(q, 2, blob, (int)v1_blob(blob, pts[r - 1], 2), SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
		char last[32] = "NULL";
		if (!isnan(b))
			snprintf(last, sizeof last, "%.17g", b);
		snprintf(sql, sizeof sql, "INSERT INTO metric_summary VALUES (%d, 'loss', 2, 10, %s, %.17g, %.17g, %.17g, %.17g)",
		         r, last, isnan(b) || a < b ? a : b, isnan(b) || a > b ? a : b, 1700000000.0 + r, 1700000001.5 + r);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_finalize(q);
	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++) {
		snprintf(sql, sizeof sql, "SELECT group_concat(id) FROM (SELECT r.id FROM runs r LEFT JOIN metric_summary s"
		         " ON s.run_id = r.id AND s.key = 'loss' ORDER BY s.%.*s IS NULL, s.%s, r.id DESC)",
		         (int)strcspn(sorts[i].order, " "), sorts[i].order, sorts[i].order);
		want_sort[i] = text_of(db, sql);
	}
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
		snprintf(sql, sizeof sql, "SELECT group_concat(id) FROM (SELECT r.id FROM runs r JOIN metric_summary s"
		         " ON s.run_id = r.id AND s.key = 'loss' WHERE s.%s ORDER BY r.created DESC, r.id DESC)",
		         filters[i].where);
		want_filter[i] = text_of(db, sql);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	if (ry_store_open(&st, path, 0))
		fail_msg("open old: %s", ry_error_last());
	assert_int_equal(count_rows(st, "PRAGMA user_version"), RY_SCHEMA_VERSION);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
	                                "tbl_name = 'metric_summary' AND sql IS NOT NULL"), 1);
	for (int r = 1; r <= 80; r++)
		expect_history(st, r, "loss", pts[r - 1], 2);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_summary"), 80);
	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++) {
		char *all = listed(st, sorts[i].sort, NULL, 0), *page = listed(st, sorts[i].sort, NULL, 25);
		if (strcmp(all, want_sort[i]))
			fail_msg("%s: got %s, want %s", sorts[i].sort, all, want_sort[i]);
		if (strncmp(all, page, strlen(page)) || !*page)
			fail_msg("%s, first page: got %s, want the head of %s", sorts[i].sort, page, all);
		free(all);
		free(page);
		free(want_sort[i]);
	}
	for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
		char *got = listed(st, NULL, filters[i].filter, 0);
		if (strcmp(got, want_filter[i]) || !*got)
			fail_msg("%s: got %s, want %s", filters[i].filter, got, want_filter[i]);
		free(got);
		free(want_filter[i]);
	}
	/* The tables still hang off their runs: a deleted run takes its rows. */
	ry_test_exec(st, "DELETE FROM runs WHERE id = 3");
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_summary WHERE run_id = 3"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_chunks WHERE run_id = 3"), 0);
	/* Appending tops up the old chunk. */
	write_points(st, 4, "loss", (ry_point[]){ { 20, 1700000009.0, 0.75 } }, 1);
	expect_history(st, 4, "loss", (ry_point[]){ pts[3][0], pts[3][1], { 20, 1700000009.0, 0.75 } }, 3);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM metric_chunks WHERE run_id = 4"), 1);
	ry_store_close(st);
	free(path);
	ry_test_rmdir(dir);
}

/* Enough new series for several multi-row batches and a remainder, then
 * appending to all of them (tails rewritten, summaries upserted): every
 * history and summary is what was written, and an unknown run among them
 * fails the whole flush with nothing written. */
static void test_metrics_flush__batches_of_new_series(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { RUNS = 150, KEYS = 3 };
	static const char *const keys[KEYS] = { "loss", "acc", "lr" };
	ry_metrics_writer *w;
	ry_metric_summary *sum;
	size_t n;
	char sql[160];

	for (int r = 10; r < 10 + RUNS; r++) {
		snprintf(sql, sizeof sql, "INSERT INTO runs(id, uuid, experiment_id, name, status) "
		         "VALUES (%d, 'b%d', 1, 'b%d', 'finished')", r, r, r);
		ry_test_exec(ws->st, sql);
	}
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int r = 10; r < 10 + RUNS; r++)
		for (int k = 0; k < KEYS; k++)
			for (int i = 0; i < 1 + (r + k) % 3; i++)
				assert_int_equal(ry_metrics_append(w, r, keys[k], i, 1000.0 + i, r * 0.5 + k + i * 0.25), 0);
	/* An unknown run in the middle: nothing at all is written. */
	assert_int_equal(ry_metrics_append(w, 100000, "loss", 0, 0, 1), 0);
	assert_int_equal(ry_metrics_flush(w), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "run 100000: there is no such run"));
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks"), 0);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_summary"), 0);
	ry_test_exec(ws->st, "INSERT INTO runs(id, uuid, experiment_id, name, status) VALUES (100000, 'bx', 1, 'bx', 'running')");
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);
	/* Second flush: one more point on every series. */
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int r = 10; r < 10 + RUNS; r++)
		for (int k = 0; k < KEYS; k++)
			assert_int_equal(ry_metrics_append(w, r, keys[k], 10, 2000.0, -(double)r), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);

	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_summary"), RUNS * KEYS + 1);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks"), RUNS * KEYS + 1);
	for (int r = 10; r < 10 + RUNS; r++) {
		assert_int_equal(ry_metrics_summaries(ws->st, r, &sum, &n), 0);
		assert_int_equal(n, KEYS);
		for (size_t j = 0; j < n; j++) {
			int k = !strcmp(sum[j].key, "loss") ? 0 : !strcmp(sum[j].key, "acc") ? 1 : 2;
			int m = 1 + (r + k) % 3;
			ry_point want[4];
			for (int i = 0; i < m; i++)
				want[i] = (ry_point){ i, 1000.0 + i, r * 0.5 + k + i * 0.25 };
			want[m] = (ry_point){ 10, 2000.0, -(double)r };
			expect_history(ws->st, r, sum[j].key, want, (size_t)m + 1);
			assert_int_equal(sum[j].n, m + 1);
			assert_int_equal(sum[j].last_step, 10);
			assert_true(sum[j].last == -(double)r && sum[j].min == -(double)r);
			assert_true(sum[j].max == r * 0.5 + k + (m - 1) * 0.25);
			assert_true(sum[j].first_ts == 1000.0 && sum[j].last_ts == 2000.0);
		}
		ry_metric_summaries_free(sum, n);
	}
}

/* A stale chunk row with no summary (a damaged workspace) in the middle of
 * a batch of new series: the flush fails naming that series, and nothing
 * of the batch stays. */
static void test_metrics_flush__batch_names_a_damaged_series(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metrics_writer *w;
	char sql[160];
	for (int r = 10; r < 110; r++) {
		snprintf(sql, sizeof sql, "INSERT INTO runs(id, uuid, experiment_id, name, status) "
		         "VALUES (%d, 'd%d', 1, 'd%d', 'finished')", r, r, r);
		ry_test_exec(ws->st, sql);
	}
	ry_test_exec(ws->st, "INSERT INTO metric_keys(id, key) VALUES (1, 'loss');"
	                 "INSERT INTO metric_chunks VALUES (50, 1, 0, 1, x'00')");
	assert_int_equal(ry_metrics_writer_new(&w, ws->st), 0);
	for (int r = 10; r < 110; r++)
		assert_int_equal(ry_metrics_append(w, r, "loss", 0, 1000.0, r), 0);
	assert_int_equal(ry_metrics_flush(w), RY_ECORRUPT);
	assert_non_null(strstr(ry_error_last(), "run 50 has stored chunks of metric 'loss' but no summary"));
	assert_int_equal(ry_metrics_pending(w), 100);
	ry_metrics_writer_free(w);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_chunks"), 1);
	assert_int_equal(count_rows(ws->st, "SELECT count(*) FROM metric_summary"), 0);
}

static void test_metrics_keys__per_experiment_and_all(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_point p[] = { { 0, 1, 1.0 } };
	char **k;
	size_t n;
	assert_int_equal(ry_metrics_keys(ws->st, 0, &k, &n), 0);
	assert_int_equal(n, 0);
	ry_strings_free(k, n);
	write_points(ws->st, 1, "val_acc", p, 1);
	write_points(ws->st, 2, "loss", p, 1);
	write_points(ws->st, 2, "val_acc", p, 1);
	write_points(ws->st, 4, "auc", p, 1);
	assert_int_equal(ry_metrics_keys(ws->st, 0, &k, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(k[0], "auc");
	assert_string_equal(k[1], "loss");
	assert_string_equal(k[2], "val_acc");
	ry_strings_free(k, n);
	assert_int_equal(ry_metrics_keys(ws->st, 1, &k, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(k[0], "loss");
	assert_string_equal(k[1], "val_acc");
	ry_strings_free(k, n);
	assert_int_equal(ry_metrics_keys(ws->st, 2, &k, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(k[0], "auc");
	ry_strings_free(k, n);
}

static void test_metric_goal__heuristic_and_setting(void **state)
{
	struct ry_test_ws *ws = *state;
	const char *lower[] = { "loss", "val_loss", "train/loss", "error_rate", "val_err", "mse", "eval_rmse",
	                        "perplexity", "val_ppl", "wer", "test/cer", "latency_ms",
	                        "Val_Loss", "kl" };
	const char *higher[] = { "acc", "val_acc", "accuracy", "f1", "auc", "val_auc", "reward", "bleu",
	                         "precision", "recall", "map" };
	for (size_t i = 0; i < sizeof lower / sizeof *lower; i++)
		if (ry_metric_goal(NULL, lower[i]) != -1)
			fail_msg("%s should be lower-is-better", lower[i]);
	for (size_t i = 0; i < sizeof higher / sizeof *higher; i++)
		if (ry_metric_goal(NULL, higher[i]) != 1)
			fail_msg("%s should be higher-is-better", higher[i]);
	assert_int_equal(ry_metric_goal(ws->st, "val_loss"), -1);
	assert_int_equal(ry_store_setting_set(ws->st, "metric.val_loss.goal", "max"), 0);
	assert_int_equal(ry_metric_goal(ws->st, "val_loss"), 1);
	assert_int_equal(ry_store_setting_set(ws->st, "metric.reward.goal", "min"), 0);
	assert_int_equal(ry_metric_goal(ws->st, "reward"), -1);
	assert_int_equal(ry_store_setting_set(ws->st, "metric.f1.goal", "sideways"), 0);
	assert_int_equal(ry_metric_goal(ws->st, "f1"), 1); /* junk setting: heuristic */
}

/* The goal guessed for the keys the capture corpus records
 * (the .expected files of tests/capture/corpus, as printed) and for their usual
 * spellings elsewhere: -1 lower, +1 higher, 0 neither (a schedule, a
 * counter, a clock, a speed: no best, no verdict). */
static void test_metric_goal__guess_corpus_keys(void **state)
{
	(void)state;
	static const struct { const char *key; int goal; } cases[] = {
		/* lower is better */
		{ "loss", -1 }, { "Loss", -1 }, { "train_loss", -1 }, { "eval_loss", -1 }, { "val_loss", -1 },
		{ "valid_loss", -1 }, { "train loss", -1 }, { "val loss", -1 }, { "Test loss", -1 },
		{ "Average loss", -1 }, { "Avg loss", -1 }, { "box_loss", -1 }, { "cls_loss", -1 },
		{ "dfl_loss", -1 }, { "train/box_loss", -1 }, { "Loss/total_loss", -1 },
		{ "Loss/classification_loss", -1 }, { "eval-logloss", -1 }, { "train-logloss", -1 },
		{ "training's binary_logloss", -1 }, { "valid_1's binary_logloss", -1 }, { "valid_0's l1", -1 },
		{ "valid_0's l2", -1 }, { "mae", -1 }, { "val_mae", -1 }, { "mse", -1 }, { "eval_rmse", -1 },
		{ "perplexity", -1 }, { "ppl", -1 }, { "val_ppl", -1 }, { "wer", -1 }, { "eval_wer", -1 },
		{ "cer", -1 }, { "error", -1 }, { "merror", -1 }, { "train_loss_epoch", -1 },
		{ "learn", -1 }, { "test", -1 }, { "best", -1 }, { "bestTest", -1 },
		/* higher is better */
		{ "acc", 1 }, { "accuracy", 1 }, { "Accuracy", 1 }, { "val_acc", 1 }, { "val_accuracy", 1 },
		{ "eval_accuracy", 1 }, { "Test accuracy", 1 }, { "eval-auc", 1 }, { "train-auc", 1 },
		{ "training's auc", 1 }, { "valid_1's auc", 1 }, { "mAP50", 1 }, { "mAP50-95", 1 },
		{ "metrics/mAP50-95(B)", 1 }, { "metrics/precision(B)", 1 }, { "metrics/recall(B)", 1 },
		{ "P", 1 }, { "R", 1 }, { "f1", 1 }, { "eval_f1", 1 }, { "precision", 1 }, { "recall", 1 },
		{ "bleu", 1 }, { "eval_bleu", 1 }, { "rouge1", 1 }, { "rougeL", 1 }, { "reward", 1 },
		{ "Validation score", 1 }, { "val_acc/epoch", 1 },
		{ "Cosine-Similarity Pearson", 1 }, { "Cosine-Similarity Spearman", 1 },
		{ "Euclidean-Distance Pearson", 1 }, { "Manhattan-Distance Spearman", 1 },
		{ "Dot-Product-Similarity Pearson", 1 },
		/* neither */
		{ "learning_rate", 0 }, { "lr", 0 }, { "train/lr0", 0 }, { "lr-Adam", 0 }, { "grad_norm", 0 },
		{ "epoch", 0 }, { "step", 0 }, { "global_step", 0 }, { "eval_runtime", 0 },
		{ "train_runtime", 0 }, { "eval_samples_per_second", 0 }, { "eval_steps_per_second", 0 },
		{ "train_samples_per_second", 0 }, { "train_steps_per_second", 0 }, { "time", 0 },
		{ "time_ms", 0 }, { "per-step time_s", 0 }, { "mfu", 0 }, { "it/s", 0 }, { "samples/s", 0 },
		{ "tokens_per_sec", 0 }, { "items_per_sec", 0 }, { "step_time", 0 }, { "train/step_time", 0 },
		{ "GPU_mem_G", 0 }, { "loss_scale", 0 }, { "total_flos", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int got = ry_metric_goal(NULL, cases[i].key);
		if (got != cases[i].goal)
			fail_msg("goal of '%s': got %d, want %d", cases[i].key, got, cases[i].goal);
	}
}

/* Goal 0 has no best: none in compare, none of a summary, no better. */
static void test_metric_goal__none_has_no_best(void **state)
{
	(void)state;
	double v[] = { 3, 1, 2 };
	ry_metric_summary s = { .key = "lr", .n = 3, .last = 2, .min = 1, .max = 3 };
	assert_int_equal(ry_metric_best_index(v, 3, 1), 0);
	assert_int_equal(ry_metric_best_index(v, 3, -1), 1);
	assert_int_equal(ry_metric_best_index(v, 3, 0), -1);
	assert_true(isnan(ry_metric_summary_best(&s, 0)));
	assert_false(ry_metric_better(0, 2, 1));
	assert_false(ry_metric_better(0, 1, 2));
}

/* An experiment's goal overrides the workspace's, which overrides the
 * guess; each says where it came from, and forgetting one falls back. */
static void test_metric_goal__experiment_over_workspace_over_guess(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_goal_source src;
	assert_int_equal(ry_metric_goal_source(ws->st, 1, "lr", &src), 0);
	assert_int_equal(src, RY_GOAL_GUESSED);
	assert_int_equal(ry_metric_goal_save(ws->st, 0, "lr", "min"), 0);
	assert_int_equal(ry_metric_goal_source(ws->st, 1, "lr", &src), -1);
	assert_int_equal(src, RY_GOAL_WORKSPACE);
	assert_int_equal(ry_metric_goal_save(ws->st, 1, "lr", "max"), 0);
	assert_int_equal(ry_metric_goal_source(ws->st, 1, "lr", &src), 1);
	assert_int_equal(src, RY_GOAL_EXPERIMENT);
	assert_int_equal(ry_metric_goal_in(ws->st, 2, "lr"), -1); /* another experiment: the workspace's */
	assert_int_equal(ry_metric_goal(ws->st, "lr"), -1);
	assert_int_equal(ry_metric_goal_save(ws->st, 1, "loss", "none"), 0);
	assert_int_equal(ry_metric_goal_in(ws->st, 1, "loss"), 0); /* none is a goal too, not "unset" */
	assert_int_equal(ry_metric_goal_save(ws->st, 1, "lr", NULL), 0);
	assert_int_equal(ry_metric_goal_source(ws->st, 1, "lr", &src), -1);
	assert_int_equal(src, RY_GOAL_WORKSPACE);
	assert_int_equal(ry_metric_goal_save(ws->st, 0, "lr", NULL), 0);
	assert_int_equal(ry_metric_goal_source(ws->st, 1, "lr", &src), 0);
	assert_int_equal(src, RY_GOAL_GUESSED);
	assert_int_equal(ry_metric_goal_save(ws->st, 0, "lr", "sideways"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "max, min or none"));
	assert_int_equal(ry_metric_goal_save(ws->st, 0, "", "max"), RY_EINVAL);
	assert_string_equal(ry_metric_goal_name(0), "none");
}

/* The rest of "is higher better" lives with the goal: the word for it,
 * which of two values wins, a summary's best value. */
static void test_metric_goal__words_best_and_better(void **state)
{
	struct ry_test_ws *ws = *state;
	ry_metric_summary s = { .key = "x", .n = 3, .last = 2, .min = 1, .max = 5 };
	assert_int_equal(ry_metric_goal(NULL, NULL), 1);
	assert_int_equal(ry_metric_goal(NULL, "accuracy"), 1); /* "cc" is no unit */
	assert_int_equal(ry_metric_goal(NULL, "items"), 1);    /* nor "ms" in a word */
	assert_int_equal(ry_store_setting_set(ws->st, "metric.acc.goal", "LOWER"), 0);
	assert_int_equal(ry_metric_goal(ws->st, "acc"), -1);
	assert_int_equal(ry_store_setting_set(ws->st, "metric.loss.goal", "higher"), 0);
	assert_int_equal(ry_metric_goal(ws->st, "loss"), 1);
	assert_string_equal(ry_metric_goal_name(1), "max");
	assert_string_equal(ry_metric_goal_name(-1), "min");
	assert_true(ry_metric_better(1, 2, 1));
	assert_false(ry_metric_better(1, 1, 1)); /* a tie is not better */
	assert_true(ry_metric_better(-1, 1, 2));
	assert_false(ry_metric_better(-1, NAN, 2));
	assert_false(ry_metric_better(1, NAN, 2));
	assert_true(ry_metric_summary_best(&s, 1) == 5);
	assert_true(ry_metric_summary_best(&s, -1) == 1);
	assert_true(isnan(ry_metric_summary_best(NULL, 1)));
}

static void test_metrics_storage__counts_points_and_bytes(void **state)
{
	struct ry_test_ws *ws = *state;
	enum { N = 5000 };
	ry_point *p = malloc(N * sizeof *p);
	int64_t bytes = -1, points = -1;
	assert_int_equal(ry_metrics_storage(ws->st, &bytes, &points), 0);
	assert_int_equal(points, 0);
	for (int i = 0; i < N; i++)
		p[i] = (ry_point){ i, 1e9 + i, (double)(float)(1.0 / (1 + i)) };
	write_points(ws->st, 1, "loss", p, N);
	assert_int_equal(ry_metrics_storage(ws->st, &bytes, &points), 0);
	assert_int_equal(points, N);
	assert_true(bytes > 0 && bytes / points <= 16);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metrics_read__missing_series_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_read_since__only_the_new_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_append__bad_input_is_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_codec__round_trips_every_value_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_codec__float32_values_are_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_write__splits_into_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_codec__regular_columns_fold_and_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_migration__schema_8_chunks_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_migration__schema_10_lists_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__batches_of_new_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__batch_names_a_damaged_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__appends_to_partial_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_writer__continues_series_of_earlier_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_writer__sees_other_process_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_writer__sees_same_connection_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_writer__many_series_reload_after_forgetting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_summaries__ignore_non_finite_in_min_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__unknown_run_fails_and_keeps_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__survives_caller_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__rolled_back_name_is_not_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_read__sees_commits_and_own_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_writer__rebuilds_valueless_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_read__damaged_chunk_is_ecorrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_flush__orphan_chunks_are_ecorrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_keys__per_experiment_and_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_goal__heuristic_and_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_goal__words_best_and_better, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_goal__guess_corpus_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_goal__none_has_no_best, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metric_goal__experiment_over_workspace_over_guess, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_storage__counts_points_and_bytes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
