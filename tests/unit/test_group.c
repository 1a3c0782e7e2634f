/*
 * Grouped listings (core/query/group.h): the aggregates against values
 * worked out by hand, missing and non-finite values, the value order, the
 * sort by a mean, the filter that selects a group, and the seed rule.
 */
#include "query_fixture.h"
#include "query/group.h"
#include "store/store_internal.h"


#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_group_stats_degenerate(void **state)
{
	ry_group_stats s;
	double one[] = { 2.5 };
	(void)state;
	ry_group_stats_compute(&s, NULL, 0, 3);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.nmissing, 3);
	assert_true(isnan(s.mean) && isnan(s.std) && isnan(s.median) && isnan(s.q1));
	ry_group_stats_compute(&s, one, 1, 0);
	NEAR(s.mean, 2.5);
	NEAR(s.median, 2.5);
	NEAR(s.q1, 2.5);
	assert_true(isnan(s.std)); /* no spread from one value */
}

static void test_group_stats_by_hand(void **state)
{
	/* 1 2 3 4 10: mean 4, sample var (9+4+1+0+36)/4 = 12.5, median 3,
	 * q1 at position 1 = 2, q3 at position 3 = 4. */
	double v[] = { 10, 3, 1, 4, 2 };
	double even[] = { 4, 1, 3, 2 }; /* q1 at 0.75: 1.75; median 2.5; q3 3.25 */
	ry_group_stats s;
	(void)state;
	ry_group_stats_compute(&s, v, 5, 1);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.nmissing, 1);
	NEAR(s.mean, 4);
	NEAR(s.std, sqrt(12.5));
	NEAR(s.median, 3);
	NEAR(s.q1, 2);
	NEAR(s.q3, 4);
	NEAR(s.min, 1);
	NEAR(s.max, 10);
	ry_group_stats_compute(&s, even, 4, 0);
	NEAR(s.median, 2.5);
	NEAR(s.q1, 1.75);
	NEAR(s.q3, 3.25);
}

static ry_grouping *group(const char *key, const char *const *cols, size_t ncols)
{
	const int64_t ids[] = { 5, 4, 3, 2, 1 };
	ry_field *f[8] = { NULL };
	ry_grouping *g = NULL;
	for (size_t j = 0; j < ncols; j++)
		if (ry_field_parse(&f[j], ws.st, cols[j]))
			fail_msg("field %s: %s", cols[j], ry_error_last());
	if (ry_grouping_open(&g, ws.st, ids, 5, key, f, ncols))
		fail_msg("group %s: %s", key, ry_error_last());
	for (size_t j = 0; j < ncols; j++)
		ry_field_free(f[j]);
	return g;
}

static void test_group_by_param_by_hand(void **state)
{
	static const char *const cols[] = { "val_acc", "loss" };
	ry_grouping *g = group("optimizer", cols, 2);
	const ry_group_stats *s;
	(void)state;
	/* text values by bytes: the quote of run 5's value sorts first */
	assert_int_equal(ry_grouping_count(g), 4);
	assert_string_equal(ry_grouping_value(g, 0), "'; DROP TABLE runs; --");
	assert_string_equal(ry_grouping_value(g, 1), "adam");
	assert_string_equal(ry_grouping_value(g, 2), "adamw");
	assert_string_equal(ry_grouping_value(g, 3), "sgd");
	assert_int_equal(ry_grouping_nruns(g, 1), 2);
	assert_int_equal(ry_grouping_ids(g, 1)[0], 3); /* in the order given */
	assert_int_equal(ry_grouping_ids(g, 1)[1], 1);
	s = ry_grouping_stats(g, 1, 0); /* adam val_acc: 0.95, 0.92 */
	assert_int_equal(s->n, 2);
	NEAR(s->mean, 0.935);
	NEAR(s->std, sqrt(2 * 0.015 * 0.015));
	NEAR(s->median, 0.935);
	NEAR(s->q1, 0.9275);
	NEAR(s->q3, 0.9425);
	s = ry_grouping_stats(g, 1, 1); /* adam loss: 0.1, 0.2 */
	NEAR(s->mean, 0.15);
	s = ry_grouping_stats(g, 2, 0); /* adamw: run 4 has no val_acc */
	assert_int_equal(s->n, 0);
	assert_int_equal(s->nmissing, 1);
	assert_true(isnan(s->mean));

	/* by the mean of val_acc, groups without one last both ways */
	ry_grouping_sort(g, 0, true);
	assert_string_equal(ry_grouping_value(g, 0), "adam");
	assert_string_equal(ry_grouping_value(g, 1), "sgd");
	ry_grouping_sort(g, 0, false);
	assert_string_equal(ry_grouping_value(g, 0), "sgd");
	assert_string_equal(ry_grouping_value(g, 1), "adam");
	assert_string_equal(ry_grouping_value(g, 2), "'; DROP TABLE runs; --");
	ry_grouping_sort(g, 99, false);
	assert_string_equal(ry_grouping_value(g, 0), "'; DROP TABLE runs; --");
	ry_grouping_free(g);
}

static void test_group_missing_key_and_filter(void **state)
{
	ry_grouping *g = group("lr", NULL, 0);
	char *f;
	(void)state;
	/* numbers by value: 1e-4 0.001 0.05 0.1, then run 5 without lr */
	assert_int_equal(ry_grouping_count(g), 5);
	assert_string_equal(ry_grouping_value(g, 0), "0.0001");
	assert_string_equal(ry_grouping_value(g, 3), "0.1");
	assert_null(ry_grouping_value(g, 4));
	f = ry_grouping_filter(g, 4);
	assert_string_equal(f, "not params.lr");
	free(f);
	f = ry_grouping_filter(g, 3);
	assert_string_equal(f, "params.lr = 0.1");
	free(f);
	ry_grouping_free(g);

	g = group("tags.bad", NULL, 0);
	assert_int_equal(ry_grouping_count(g), 2);
	assert_string_equal(ry_grouping_value(g, 0), "diverged");
	f = ry_grouping_filter(g, 0);
	assert_string_equal(f, "tags.bad = \"diverged\"");
	free(f);
	ry_grouping_free(g);
	assert_int_not_equal(ry_grouping_open(&g, ws.st, NULL, 0, "no_such_key", NULL, 0), 0);
	assert_null(g);
	assert_int_not_equal(ry_grouping_open(&g, ws.st, NULL, 0, "", NULL, 0), 0);
}

static void test_group_seed_rule(void **state)
{
	(void)state;
	assert_true(ry_group_seed_like("seed"));
	assert_true(ry_group_seed_like("SEED"));
	assert_true(ry_group_seed_like("data_seed"));
	assert_true(ry_group_seed_like("trainer.seed"));
	assert_true(ry_group_seed_like("seed_everything"));
	assert_true(ry_group_seed_like("random_state"));
	assert_false(ry_group_seed_like("seeds"));
	assert_false(ry_group_seed_like("reseeding"));
	assert_false(ry_group_seed_like("lr"));
	assert_false(ry_group_seed_like(NULL));
	assert_true(ry_group_key_is_config("config"));
	assert_true(ry_group_key_is_config("-seed"));
	assert_false(ry_group_key_is_config("seed"));
}

static void test_group_config_collapses_seeds(void **state)
{
	const int64_t ids[] = { 6, 7, 8, 9 };
	ry_field *f;
	ry_grouping *g;
	(void)state;
	fx_exec(ws.st,
		"INSERT INTO runs(id, uuid, experiment_id, name, status, created, source) VALUES"
		" (6, 'u6', 1, 's1', 'finished', 1, 'local'), (7, 'u7', 1, 's2', 'finished', 2, 'local'),"
		" (8, 'u8', 1, 's3', 'finished', 3, 'local'), (9, 'u9', 1, 'other', 'finished', 4, 'local');"
		"INSERT INTO params(run_id, key, value, num) VALUES"
		" (6, 'lr', '0.1', 0.1), (6, 'seed', '1', 1),"
		" (7, 'lr', '0.1', 0.1), (7, 'seed', '2', 2), (7, 'data_seed', '9', 9),"
		" (8, 'lr', '0.1', 0.1), (8, 'random_state', '3', 3),"
		" (9, 'lr', '0.2', 0.2), (9, 'seed', '1', 1);"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max) VALUES"
		" (6, 'acc', 1, 0, 0.5, 0.5, 0.5), (7, 'acc', 1, 0, 0.7, 0.7, 0.7),"
		" (8, 'acc', 1, 0, 0.6, 0.6, 0.6), (9, 'acc', 1, 0, 0.1, 0.1, 0.1);");
	assert_int_equal(ry_field_parse(&f, ws.st, "acc"), 0);
	assert_int_equal(ry_grouping_open(&g, ws.st, ids, 4, "-seed", &f, 1), 0);
	assert_int_equal(ry_grouping_count(g), 2);
	assert_string_equal(ry_grouping_value(g, 0), "lr=0.1");
	assert_int_equal(ry_grouping_nruns(g, 0), 3);
	NEAR(ry_grouping_stats(g, 0, 0)->mean, 0.6);
	NEAR(ry_grouping_stats(g, 0, 0)->std, 0.1);
	assert_string_equal(ry_grouping_value(g, 1), "lr=0.2");
	assert_null(ry_grouping_filter(g, 0));
	ry_grouping_free(g);
	ry_field_free(f);
}

static void test_group_curve_by_step(void **state)
{
	/* run 1: steps 0 1 2 = 1 2 3; run 2: steps 0 1 = 3 NaN, 2 missing */
	const int64_t ids[] = { 1, 2, 3 };
	ry_metrics_writer *w;
	ry_group_point *pts;
	size_t n;
	(void)state;
	assert_int_equal(ry_metrics_writer_new(&w, ws.st), 0);
	assert_int_equal(ry_metrics_append(w, 1, "curve", 0, 1, 1), 0);
	assert_int_equal(ry_metrics_append(w, 1, "curve", 1, 2, 2), 0);
	assert_int_equal(ry_metrics_append(w, 1, "curve", 2, 3, 3), 0);
	assert_int_equal(ry_metrics_append(w, 2, "curve", 0, 1, 3), 0);
	assert_int_equal(ry_metrics_append(w, 2, "curve", 1, 2, NAN), 0);
	assert_int_equal(ry_metrics_flush(w), 0);
	ry_metrics_writer_free(w);
	assert_int_equal(ry_group_curve(ws.st, ids, 3, "curve", &pts, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pts[0].step, 0);
	assert_int_equal(pts[0].n, 2);
	NEAR(pts[0].mean, 2);
	NEAR(pts[0].std, sqrt(2));
	NEAR(pts[0].min, 1);
	NEAR(pts[0].max, 3);
	assert_int_equal(pts[1].n, 1); /* the NaN left out */
	NEAR(pts[1].mean, 2);
	assert_true(isnan(pts[1].std));
	NEAR(pts[2].mean, 3);
	free(pts);
	assert_int_equal(ry_group_curve(ws.st, ids, 3, "no_such_metric", &pts, &n), 0);
	assert_int_equal(n, 0);
	free(pts);
}

/* 5,000 runs take the column scans (a type and a value a run, read a
 * column at a time): every group, its runs and its metric's count and
 * mean are what SQL says, for a key mixing numbers, texts and runs
 * without it. */
static void test_group_many_runs_match_sql(void **state)
{
	enum { N = 5000 };
	struct ry_test_ws big;
	(void)state;
	ry_test_ws_open(&big);
	char *sql = ry_xasprintf(
		"INSERT INTO experiments(id, name, created) VALUES (1, 'e', 0);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		" INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
		"  SELECT i * 3, 'u' || i, 1, 'r' || i, 'finished', i FROM n;"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
		"  SELECT id, 'score', 1, 0, CASE WHEN id %% 7 = 0 THEN NULL ELSE ((id * 37) %% 11) - 5.5 END, 0, 0"
		"  FROM runs WHERE id %% 13 != 0;"
		"INSERT INTO params(run_id, key, value, num)"
		"  SELECT id, 'mixed', CASE WHEN id %% 5 = 0 THEN 'x' || (id %% 4) ELSE CAST(id %% 9 AS TEXT) END,"
		"         CASE WHEN id %% 5 = 0 THEN NULL ELSE id %% 9 END FROM runs WHERE id %% 11 != 0;", N);
	fx_exec(big.st, sql);
	free(sql);
	int64_t *ids = malloc(N * sizeof *ids);
	for (size_t i = 0; i < N; i++)
		ids[i] = (int64_t)(N - i) * 3;
	ry_field *score = NULL;
	ry_grouping *g = NULL;
	assert_int_equal(ry_field_parse(&score, big.st, "score"), 0);
	assert_int_equal(ry_grouping_open(&g, big.st, ids, N, "mixed", &score, 1), 0);
	sqlite3_stmt *q = NULL, *all = NULL;
	assert_int_equal(sqlite3_prepare_v2(ry_store__db(big.st),
	                                    "SELECT count(*), count(s.last), avg(s.last) FROM runs r"
	                                    " LEFT JOIN params p ON p.run_id = r.id AND p.key = 'mixed'"
	                                    " LEFT JOIN metric_summary s ON s.run_id = r.id AND s.key = 'score'"
	                                    " WHERE p.value IS ?1",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(ry_store__db(big.st),
	                                    "SELECT count(DISTINCT value) + 1 FROM params WHERE key = 'mixed'", -1, &all,
	                                    NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(all), SQLITE_ROW);
	assert_int_equal(ry_grouping_count(g), sqlite3_column_int(all, 0)); /* the values and the runs without */
	size_t runs = 0;
	for (size_t i = 0; i < ry_grouping_count(g); i++) {
		const char *v = ry_grouping_value(g, i);
		if (v)
			sqlite3_bind_text(q, 1, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q, 1);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		const ry_group_stats *st = ry_grouping_stats(g, i, 0);
		if (ry_grouping_nruns(g, i) != (size_t)sqlite3_column_int(q, 0) || st->n != (size_t)sqlite3_column_int(q, 1))
			fail_msg("group %s: %zu runs, %zu values; SQL %d, %d", v ? v : "(none)", ry_grouping_nruns(g, i), st->n,
			         sqlite3_column_int(q, 0), sqlite3_column_int(q, 1));
		if (st->n)
			assert_true(fabs(st->mean - sqlite3_column_double(q, 2)) < 1e-9);
		runs += ry_grouping_nruns(g, i);
		sqlite3_reset(q);
	}
	assert_int_equal(runs, N);
	sqlite3_finalize(q);
	sqlite3_finalize(all);
	ry_grouping_free(g);
	ry_field_free(score);
	free(ids);
	ry_test_ws_close(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_stats_degenerate),
		cmocka_unit_test(test_group_stats_by_hand),
		cmocka_unit_test(test_group_by_param_by_hand),
		cmocka_unit_test(test_group_missing_key_and_filter),
		cmocka_unit_test(test_group_seed_rule),
		cmocka_unit_test(test_group_config_collapses_seeds),
		cmocka_unit_test(test_group_curve_by_step),
		cmocka_unit_test(test_group_many_runs_match_sql),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
