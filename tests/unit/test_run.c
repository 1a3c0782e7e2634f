/*
 * Runs and experiments: creation, resolution of what users type, settling
 * and per-experiment settings, on real workspace files.
 */
#include "testutil.h"
#include "store/store_internal.h"
#include <math.h>

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("exec %s: %s", sql, err ? err : "?");
}

static int64_t mkrun(ry_store *st, const char *exp, const char *name)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t id;
	spec.experiment = exp;
	spec.name = name;
	if (ry_run_create(st, &spec, &id, NULL) != 0)
		fail_msg("create: %s", ry_error_last());
	return id;
}

static void test_run_find__empty_spec_is_bad_input(void **state)
{
	struct ry_test_ws ws;
	ry_run *r = NULL;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(ry_run_find(&r, ws.st, ""), RY_EINVAL);
	assert_null(r);
	ry_test_ws_close(&ws);
}

static void test_run_find__unknown_run_says_how_to_list(void **state)
{
	struct ry_test_ws ws;
	ry_run *r = NULL;
	(void)state;
	ry_test_ws_open(&ws);
	mkrun(ws.st, "e", "alpha");
	assert_int_equal(ry_run_find(&r, ws.st, "nope"), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "runyard runs"));
	assert_int_equal(ry_run_find(&r, ws.st, "999"), RY_ENOTFOUND);
	ry_test_ws_close(&ws);
}

static void test_run_find__by_id_name_and_uuid_prefix(void **state)
{
	struct ry_test_ws ws;
	ry_run *r = NULL;
	char uuid[37], prefix[9];
	int64_t id;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	(void)state;
	ry_test_ws_open(&ws);
	spec.experiment = "cifar";
	spec.name = "resnet-a";
	spec.command = "python train.py --lr 0.01";
	assert_int_equal(ry_run_create(ws.st, &spec, &id, uuid), 0);

	char idstr[32];
	snprintf(idstr, sizeof idstr, "%lld", (long long)id);
	assert_int_equal(ry_run_find(&r, ws.st, idstr), 0);
	assert_string_equal(r->name, "resnet-a");
	assert_string_equal(r->experiment, "cifar");
	assert_string_equal(r->status, "running");
	ry_run_free(r);

	assert_int_equal(ry_run_find(&r, ws.st, "resnet-a"), 0);
	assert_int_equal(r->id, id);
	ry_run_free(r);

	memcpy(prefix, uuid, 8);
	prefix[8] = '\0';
	assert_int_equal(ry_run_find(&r, ws.st, prefix), 0);
	assert_string_equal(r->uuid, uuid);
	ry_run_free(r);
	ry_test_ws_close(&ws);
}

static void test_run_find__ambiguous_prefix_lists_candidates(void **state)
{
	struct ry_test_ws ws;
	ry_run *r = NULL;
	(void)state;
	ry_test_ws_open(&ws);
	int64_t a = mkrun(ws.st, "e", "first");
	int64_t b = mkrun(ws.st, "e", "second");
	/* Force a shared uuid prefix. */
	sqlite3_exec(ry_store__db(ws.st), "UPDATE runs SET uuid = 'abcd' || substr(uuid, 5)", NULL, NULL, NULL);
	assert_int_equal(ry_run_find(&r, ws.st, "abcd"), RY_EAMBIGUOUS);
	assert_non_null(strstr(ry_error_last(), "first"));
	assert_non_null(strstr(ry_error_last(), "second"));
	(void)a; (void)b;
	/* Duplicate names are ambiguous too. */
	mkrun(ws.st, "e", "twin");
	mkrun(ws.st, "e", "twin");
	assert_int_equal(ry_run_find(&r, ws.st, "twin"), RY_EAMBIGUOUS);
	ry_test_ws_close(&ws);
}

static void test_run_create__generates_unique_memorable_names(void **state)
{
	struct ry_test_ws ws;
	ry_run *r1, *r2;
	(void)state;
	ry_test_ws_open(&ws);
	int64_t a = mkrun(ws.st, NULL, NULL), b = mkrun(ws.st, NULL, NULL);
	assert_int_equal(ry_run_get(&r1, ws.st, a), 0);
	assert_int_equal(ry_run_get(&r2, ws.st, b), 0);
	assert_string_not_equal(r1->name, r2->name);
	assert_non_null(strchr(r1->name, '-'));
	assert_string_equal(r1->experiment, "default");
	ry_run_free(r1);
	ry_run_free(r2);
	ry_test_ws_close(&ws);
}

static void test_run_params__numeric_values_are_indexed_as_numbers(void **state)
{
	struct ry_test_ws ws;
	ry_run *r;
	sqlite3_stmt *s;
	(void)state;
	ry_test_ws_open(&ws);
	int64_t id = mkrun(ws.st, "e", "p");
	assert_int_equal(ry_run_set_param(ws.st, id, "lr", "1e-3"), 0);
	assert_int_equal(ry_run_set_param(ws.st, id, "optimizer", "adam"), 0);
	assert_int_equal(ry_run_set_param(ws.st, id, "lr", "0.01"), 0); /* overwrite */
	assert_int_equal(ry_run_get(&r, ws.st, id), 0);
	assert_int_equal(r->nparams, 2);
	assert_string_equal(r->params[0].key, "lr");
	assert_string_equal(r->params[0].value, "0.01");
	ry_run_free(r);
	sqlite3_prepare_v2(ry_store__db(ws.st), "SELECT num FROM params WHERE key = ?", -1, &s, NULL);
	sqlite3_bind_text(s, 1, "lr", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_double(s, 0) == 0.01);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, "optimizer", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s, 0), SQLITE_NULL);
	sqlite3_finalize(s);
	ry_test_ws_close(&ws);
}

static void test_run_finish__settles_status_exit_and_cost(void **state)
{
	struct ry_test_ws ws;
	ry_run *r;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t id;
	(void)state;
	ry_test_ws_open(&ws);
	spec.started = 1000;
	spec.cost_rate = 3.6; /* per hour: 0.001 per second */
	assert_int_equal(ry_run_create(ws.st, &spec, &id, NULL), 0);
	assert_int_equal(ry_run_finish(ws.st, id, "failed", 2000, true, 3), 0);
	assert_int_equal(ry_run_get(&r, ws.st, id), 0);
	assert_string_equal(r->status, "failed");
	assert_true(r->has_exit_code);
	assert_int_equal(r->exit_code, 3);
	assert_true(fabs(r->cost_total - 1.0) < 1e-9);
	assert_true(fabs(ry_run_duration(r, 5000) - 1000) < 1e-9);
	ry_run_free(r);
	assert_int_equal(ry_run_finish(ws.st, id, "bogus", 0, false, 0), RY_EINVAL);
	assert_int_equal(ry_run_finish(ws.st, 12345, "finished", 0, false, 0), RY_ENOTFOUND);
	ry_test_ws_close(&ws);
}

static void test_experiments__counts_running_and_cost(void **state)
{
	struct ry_test_ws ws;
	ry_experiment *e;
	size_t n;
	int64_t eid;
	char *v;
	(void)state;
	ry_test_ws_open(&ws);
	int64_t a = mkrun(ws.st, "b-exp", "r1");
	mkrun(ws.st, "b-exp", "r2");
	mkrun(ws.st, "a-exp", "r3");
	ry_run_set_real(ws.st, a, "cost_total", 2.5);
	ry_run_finish(ws.st, a, "finished", 0, true, 0);
	assert_int_equal(ry_experiments_list(ws.st, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "a-exp");
	assert_int_equal(e[1].nruns, 2);
	assert_int_equal(e[1].nrunning, 1);
	assert_true(fabs(e[1].cost - 2.5) < 1e-9);
	ry_experiments_free(e, n);

	assert_int_equal(ry_experiment_find(ws.st, "nope", &eid), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "a-exp"));
	assert_int_equal(ry_experiment_find(ws.st, "b-exp", &eid), 0);
	assert_int_equal(ry_experiment_setting_set(ws.st, eid, "columns", "lr,val_acc"), 0);
	v = ry_experiment_setting_get(ws.st, eid, "columns");
	assert_string_equal(v, "lr,val_acc");
	free(v);
	assert_null(ry_experiment_setting_get(ws.st, eid, "other"));
	ry_test_ws_close(&ws);
}

/* ---- maintained counts and costs (experiment_stats) -------------------- */

/* The figures ry_experiments_list shows, counted from scratch over runs as
 * it did before they were maintained: runs, running, and the cost at time
 * `now` (NaN where no run has one).  The reference the triggers must match. */
static void recount(sqlite3 *db, int64_t exp, double now, int64_t *nruns, int64_t *nrunning, double *cost)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT (SELECT count(*) FROM runs WHERE experiment_id = ?1),"
		"  (SELECT count(*) FROM runs WHERE experiment_id = ?1 AND status = 'running'),"
		"  (SELECT sum(cost_total) FROM runs WHERE experiment_id = ?1 AND status <> 'running'),"
		"  (SELECT sum(cost_rate * max(?2 - started, 0) / 3600.0) FROM runs"
		"     WHERE experiment_id = ?1 AND status = 'running')", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, exp);
	sqlite3_bind_double(s, 2, now);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	*nruns = sqlite3_column_int64(s, 0);
	*nrunning = sqlite3_column_int64(s, 1);
	*cost = sqlite3_column_type(s, 2) == SQLITE_NULL && sqlite3_column_type(s, 3) == SQLITE_NULL
		? NAN : sqlite3_column_double(s, 2) + sqlite3_column_double(s, 3);
	sqlite3_finalize(s);
}

/* Every experiment's listed figures equal the recount; returns how many
 * experiments were checked. */
static size_t expect_stats_match_recount(ry_store *st)
{
	ry_experiment *e = NULL;
	size_t n = 0;
	double now = ry_now();
	assert_int_equal(ry_experiments_list(st, &e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		int64_t nruns, nrunning;
		double cost;
		recount(ry_store__db(st), e[i].id, now, &nruns, &nrunning, &cost);
		if (e[i].nruns != nruns || e[i].nrunning != nrunning)
			fail_msg("experiment %s: listed %lld runs, %lld running; recounted %lld, %lld", e[i].name,
			         (long long)e[i].nruns, (long long)e[i].nrunning, (long long)nruns, (long long)nrunning);
		if (isnan(cost) != isnan(e[i].cost) || (!isnan(cost) && fabs(cost - e[i].cost) > 1e-6 * (1 + fabs(cost))))
			fail_msg("experiment %s: listed cost %.9f, recounted %.9f", e[i].name, e[i].cost, cost);
	}
	ry_experiments_free(e, n);
	return n;
}

static void test_experiment_stats__follow_inserts_changes_deletes_and_moves(void **state)
{
	struct ry_test_ws ws;
	static const char *const exps[] = { "a", "b", "c" };
	static const char *const statuses[] = { "queued", "running", "finished", "failed", "killed", "lost" };
	int64_t ids[60];
	uint64_t x = 42;
	double now = ry_now();
	(void)state;
	ry_test_ws_open(&ws);
	ry_experiment_ensure(ws.st, "empty", &(int64_t){ 0 });
	assert_int_equal(expect_stats_match_recount(ws.st), 1);

	/* Runs of every status, some with a rate (accruing while running),
	 * some with a total only (imported), some with neither. */
	for (int i = 0; i < 60; i++) {
		ry_run_spec spec = RY_RUN_SPEC_INIT;
		spec.experiment = exps[i % 3];
		spec.status = statuses[i % 6];
		spec.started = now - 3600 * (1 + i % 7);
		spec.cost_rate = i % 4 == 0 ? 0 : 0.5 * (i % 5);
		assert_int_equal(ry_run_create(ws.st, &spec, &ids[i], NULL), 0);
		if (i % 5 == 1)
			assert_int_equal(ry_run_set_real(ws.st, ids[i], "cost_total", 1.25 * i), 0);
	}
	expect_stats_match_recount(ws.st);

	/* Runs settle (their cost fixed from the rate), others are restarted,
	 * re-timed or re-priced, as trackers, sync and reconcile do. */
	for (int i = 0; i < 60; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		switch ((x >> 33) % 5) {
		case 0: ry_run_finish(ws.st, ids[i], "finished", now - 60, true, 0); break;
		case 1: assert_int_equal(ry_run_set_text(ws.st, ids[i], "status", "running"), 0); break;
		case 2: assert_int_equal(ry_run_set_real(ws.st, ids[i], "started", now - 7200), 0); break;
		case 3: assert_int_equal(ry_run_set_real(ws.st, ids[i], "cost_rate", 2.0), 0); break;
		default: assert_int_equal(ry_run_set_real(ws.st, ids[i], "ended", now), 0); break;
		}
	}
	expect_stats_match_recount(ws.st);

	/* Moves between experiments and deletes, straight in SQL: the
	 * triggers cover writers that never call into run.c. */
	exec_ok(ry_store__db(ws.st), "UPDATE runs SET experiment_id = (SELECT id FROM experiments WHERE name = 'c')"
	                             " WHERE id % 4 = 0");
	expect_stats_match_recount(ws.st);
	exec_ok(ry_store__db(ws.st), "DELETE FROM runs WHERE id % 3 = 1");
	expect_stats_match_recount(ws.st);
	assert_int_equal(ry_registry_run_delete(ws.st, ids[2], true), 0);
	expect_stats_match_recount(ws.st);

	/* Every run gone: exactly zero and unknown cost again, no rounding left. */
	exec_ok(ry_store__db(ws.st), "DELETE FROM runs");
	assert_int_equal(expect_stats_match_recount(ws.st), 4);
	assert_int_equal(query_int(ry_store__db(ws.st),
	                           "SELECT count(*) FROM experiment_stats WHERE nruns = 0 AND cost_settled = 0"
	                           " AND rate = 0 AND rate_started = 0"), 4);
	ry_test_ws_close(&ws);
}

/* A workspace made before the figures were maintained gets them built
 * from its runs when it is opened. */
static void test_experiment_stats__built_when_an_old_workspace_migrates(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/v8.db", dir);
	ry_store *st = NULL;
	sqlite3 *db;
	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA application_id = 1381586771"); /* 0x52595753, "RYWS": a runyard workspace */
	exec_ok(db, "BEGIN");
	if (ry_store__migrate(db, 0, 8))
		fail_msg("migrate 0->8: %s", ry_error_last());
	exec_ok(db, "INSERT INTO experiments(id, name, created) VALUES (1, 'old', 1), (2, 'idle', 1), (3, 'live', 1);"
	            "INSERT INTO runs(uuid, experiment_id, name, status, started, cost_rate, cost_total, created)"
	            "  VALUES ('u1', 1, 'r1', 'finished', 1000, 2, 3.5, 1), ('u2', 1, 'r2', 'failed', 1000, NULL, 1.5, 2),"
	            "         ('u3', 3, 'r3', 'running', 1700000000, 3.6, NULL, 3), ('u4', 3, 'r4', 'queued', NULL, 1, NULL, 4),"
	            "         ('u5', 3, 'r5', 'running', NULL, 2, NULL, 5);");
	exec_ok(db, "COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	if (ry_store_open(&st, path, 0))
		fail_msg("open v8: %s", ry_error_last());
	assert_int_equal(expect_stats_match_recount(st), 3);
	assert_int_equal(query_int(ry_store__db(st), "SELECT nruns FROM experiment_stats WHERE experiment_id = 3"), 3);
	assert_int_equal(query_int(ry_store__db(st), "SELECT nrate FROM experiment_stats WHERE experiment_id = 3"), 1);
	/* and they go on being maintained */
	exec_ok(ry_store__db(st), "UPDATE runs SET status = 'finished', cost_total = 9 WHERE name = 'r3'");
	assert_int_equal(expect_stats_match_recount(st), 3);
	ry_store_close(st);
	free(path);
	ry_test_rmdir(dir);
}

/* The TUI asks at every refresh whether imported runs are in view (for the
 * source column): the answer follows the imports table, per experiment. */
static void test_run_import_any__per_experiment(void **state)
{
	struct ry_test_ws ws;
	int64_t a, b, ea, eb;
	bool any = true;
	(void)state;
	ry_test_ws_open(&ws);
	a = mkrun(ws.st, "ea", "alpha");
	b = mkrun(ws.st, "eb", "beta");
	(void)b;
	assert_int_equal(ry_experiment_ensure(ws.st, "ea", &ea), 0);
	assert_int_equal(ry_experiment_ensure(ws.st, "eb", &eb), 0);
	assert_int_equal(ry_run_import_any(ws.st, 0, &any), 0);
	assert_false(any);
	assert_int_equal(ry_run_import_record(ws.st, "mlflow", "abc123", a, "fp"), 0);
	assert_int_equal(ry_run_import_any(ws.st, 0, &any), 0);
	assert_true(any);
	assert_int_equal(ry_run_import_any(ws.st, ea, &any), 0);
	assert_true(any);
	assert_int_equal(ry_run_import_any(ws.st, eb, &any), 0);
	assert_false(any);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_find__empty_spec_is_bad_input),
		cmocka_unit_test(test_run_find__unknown_run_says_how_to_list),
		cmocka_unit_test(test_run_find__by_id_name_and_uuid_prefix),
		cmocka_unit_test(test_run_find__ambiguous_prefix_lists_candidates),
		cmocka_unit_test(test_run_create__generates_unique_memorable_names),
		cmocka_unit_test(test_run_params__numeric_values_are_indexed_as_numbers),
		cmocka_unit_test(test_run_finish__settles_status_exit_and_cost),
		cmocka_unit_test(test_experiments__counts_running_and_cost),
		cmocka_unit_test(test_run_import_any__per_experiment),
		cmocka_unit_test(test_experiment_stats__follow_inserts_changes_deletes_and_moves),
		cmocka_unit_test(test_experiment_stats__built_when_an_old_workspace_migrates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
