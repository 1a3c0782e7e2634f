/*
 * Runs and experiments: creation, resolution of what users type, settling
 * and per-experiment settings, on real workspace files.
 */
#include "testutil.h"
#include "store/store_internal.h"
#include <math.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
