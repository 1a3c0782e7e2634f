/*
 * The keys that tell runs apart (query/keys.h) and the fields a filter
 * reads (ry_query_field, ry_field_name): what the runs table shows by
 * default and what it adds so that a filter's keys are visible.
 */
#include "query_fixture.h"
#include "query/keys.h"

static int setup(void **state)
{
	(void)state;
	ry_test_ws_open(&ws);
	return 0;
}

static char *joined(char **v, size_t n)
{
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	ry_strings_free(v, n);
	return ry_buf_detach(&b);
}

static char *varying(int64_t exp)
{
	char **v;
	size_t n;
	if (ry_keys_varying_params(ws.st, exp, &v, &n) != 0)
		fail_msg("varying params of %lld: %s", (long long)exp, ry_error_last());
	return joined(v, n);
}

static char *main_metrics(int64_t exp)
{
	char **v;
	size_t n;
	if (ry_keys_main_metrics(ws.st, exp, &v, &n) != 0)
		fail_msg("main metrics of %lld: %s", (long long)exp, ry_error_last());
	return joined(v, n);
}

#define EXPECT(expr, want) do { \
		char *got_ = (expr); \
		if (strcmp(got_, want) != 0) \
			fail_msg("%s: got [%s], want [%s]", #expr, got_, want); \
		free(got_); \
	} while (0)

static void test_keys_empty_workspace_has_none(void **state)
{
	(void)state;
	EXPECT(varying(0), "");
	EXPECT(varying(7), "");
	EXPECT(main_metrics(0), "");
}

static void test_keys_varying_params_leave_out_constant_and_single(void **state)
{
	(void)state;
	fx_fill(ws.st);
	/* One value on every run of vision: constant, not a column. */
	fx_exec(ws.st, "INSERT INTO params(run_id, key, value, num) VALUES"
	               " (1, 'dataset', 'cifar10', NULL), (2, 'dataset', 'cifar10', NULL),"
	               " (4, 'dataset', 'cifar10', NULL), (3, 'dataset', 'adult', NULL)");
	/* vision (1, 2, 4): optim.lr and shared are set on run 1 only. */
	EXPECT(varying(1), "batch_size,lr,model,optimizer");
	/* tabular (3, 5): only optimizer is set on both, with two values. */
	EXPECT(varying(2), "optimizer");
	/* Across the workspace dataset takes two values. */
	EXPECT(varying(0), "batch_size,dataset,lr,model,optimizer");
	EXPECT(varying(99), "");
}

static void test_keys_main_metrics_goal_then_val_then_loss(void **state)
{
	(void)state;
	fx_fill(ws.st);
	EXPECT(main_metrics(1), "val/acc,val_acc,loss");
	EXPECT(main_metrics(2), "val_acc,loss");
	assert_int_equal(ry_store_setting_set(ws.st, "metric.shared.goal", "max"), 0);
	EXPECT(main_metrics(1), "shared,val/acc,val_acc,loss");
	EXPECT(main_metrics(0), "shared,val/acc,val_acc,loss");
	/* No main metric at all: every metric is a candidate. */
	fx_exec(ws.st, "INSERT INTO experiments(id, name, created) VALUES (3, 'bare', 0);"
	               "INSERT INTO runs(id, uuid, experiment_id, name, status, created) VALUES"
	               " (6, 'ffff6666-0000-4000-8000-000000000006', 3, 'plain', 'finished', 0);"
	               "INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max) VALUES"
	               " (6, 'acc', 1, 0, 0.5, 0.5, 0.5), (6, 'f1', 1, 0, 0.4, 0.4, 0.4)");
	EXPECT(main_metrics(3), "acc,f1");
}

static char *filter_fields(const char *expr)
{
	ry_query *q;
	ry_buf b = RY_BUF_INIT;
	if (ry_query_compile(&q, ws.st, expr) != 0)
		fail_msg("compile '%s': %s", expr, ry_error_last());
	for (size_t i = 0; i < ry_query_nfields(q); i++)
		ry_buf_printf(&b, "%s%s", i ? "|" : "", ry_query_field(q, i));
	assert_null(ry_query_field(q, ry_query_nfields(q)));
	ry_query_free(q);
	return ry_buf_detach(&b);
}

static void test_keys_filter_fields_by_canonical_name(void **state)
{
	(void)state;
	fx_fill(ws.st);
	EXPECT(filter_fields(""), "");
	EXPECT(filter_fields("lr > 0.01"), "params.lr");
	EXPECT(filter_fields("lr > 0.01 and (params.lr < 1 or val_acc.max > 0.5) and status = failed"),
	       "params.lr|metrics.val_acc.max|status");
	EXPECT(filter_fields("tags.bad and not optim.lr = 1 and metrics.\"val/acc\" > 0"),
	       "tags.bad|params.optim.lr|metrics.val/acc");
	assert_null(ry_query_field(NULL, 0));
	assert_int_equal(ry_query_nfields(NULL), 0);
}

static void test_keys_field_name_reads_back_and_exists(void **state)
{
	static const char *const names[] = { "lr", "params.lr", "metrics.val_acc.best", "duration",
	                                     "params.\"a b\"", "metrics.\"x.max\"", "tags.stage" };
	(void)state;
	fx_fill(ws.st);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		ry_field *f, *g;
		assert_int_equal(ry_field_parse(&f, ws.st, names[i]), 0);
		if (ry_field_parse(&g, ws.st, ry_field_name(f)) != 0)
			fail_msg("'%s' -> '%s' does not parse: %s", names[i], ry_field_name(f), ry_error_last());
		assert_string_equal(ry_field_name(f), ry_field_name(g));
		assert_int_equal(ry_field_kind_of(f), ry_field_kind_of(g));
		assert_string_equal(ry_field_key(f), ry_field_key(g));
		ry_field_free(f);
		ry_field_free(g);
	}
	ry_field *f;
	assert_int_equal(ry_field_parse(&f, ws.st, "params.gone"), 0);
	assert_false(ry_field_exists(ws.st, f));
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "metrics.loss"), 0);
	assert_true(ry_field_exists(ws.st, f));
	ry_field_free(f);
	assert_int_equal(ry_field_parse(&f, ws.st, "created"), 0);
	assert_true(ry_field_exists(ws.st, f));
	ry_field_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keys_empty_workspace_has_none, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_keys_varying_params_leave_out_constant_and_single, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_keys_main_metrics_goal_then_val_then_loss, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_keys_filter_fields_by_canonical_name, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_keys_field_name_reads_back_and_exists, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
