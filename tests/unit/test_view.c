/*
 * Saved views (core/query/view.h): the text form round-trips every field
 * (newlines and backslashes in a filter included), unknown keys are
 * skipped, named views save/load/list/delete with their errors, and the
 * automatic view is kept per experiment.
 */
#include "query_fixture.h"
#include "query/view.h"


static void test_view_empty_round_trip(void **state)
{
	ry_view v = RY_VIEW_INIT, w = RY_VIEW_INIT;
	char *t;
	(void)state;
	ry_view_clear(NULL);
	t = ry_view_encode(&v);
	assert_string_equal(t, "");
	ry_view_decode(&w, t);
	assert_null(w.filter);
	assert_null(w.group);
	assert_int_equal(w.grid, -1);
	assert_false(w.median);
	free(t);
	ry_view_decode(&w, NULL);
	assert_null(w.sort);
}

static void test_view_every_field_round_trips(void **state)
{
	ry_view v = RY_VIEW_INIT, w = RY_VIEW_INIT;
	char *t;
	(void)state;
	v.filter = ry_xstrdup("name ~ \"a\\\\b\"\nand lr < 0.1");
	v.sort = ry_xstrdup("val_acc:desc");
	v.columns = ry_xstrdup("params.lr,metrics.val_acc");
	v.group = ry_xstrdup("config");
	v.median = true;
	v.x_axis = ry_xstrdup("metric:tokens seen");
	v.grid = 1;
	v.metric = ry_xstrdup("val/acc");
	v.metrics = ry_xstrdup("loss,val_acc");
	t = ry_view_encode(&v);
	ry_view_decode(&w, t);
	assert_string_equal(w.filter, v.filter);
	assert_string_equal(w.sort, v.sort);
	assert_string_equal(w.columns, v.columns);
	assert_string_equal(w.group, v.group);
	assert_true(w.median);
	assert_string_equal(w.x_axis, v.x_axis);
	assert_int_equal(w.grid, 1);
	assert_string_equal(w.metric, v.metric);
	assert_string_equal(w.metrics, v.metrics);
	free(t);
	v.grid = 0;
	ry_view_copy(&w, &v);
	assert_int_equal(w.grid, 0);
	t = ry_view_encode(&w);
	ry_view_decode(&w, t);
	assert_int_equal(w.grid, 0);
	free(t);
	/* an unknown key (a newer runyard's) is skipped */
	ry_view_decode(&w, "future thing\nsort lr\n\nnospace\n");
	assert_string_equal(w.sort, "lr");
	assert_null(w.filter);
	ry_view_clear(&v);
	ry_view_clear(&w);
}

static void test_view_named_save_load_list_delete(void **state)
{
	ry_view v = RY_VIEW_INIT, w = RY_VIEW_INIT;
	char **names;
	size_t n;
	(void)state;
	assert_int_equal(ry_view_load(ws.st, "nope", &w), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "none saved yet"));
	assert_int_equal(ry_view_save(ws.st, "bad name", &v), RY_EINVAL);
	assert_int_equal(ry_view_save(ws.st, "", &v), RY_EINVAL);
	v.group = ry_xstrdup("optimizer");
	assert_int_equal(ry_view_save(ws.st, "by-opt", &v), 0);
	free(v.group);
	v.group = NULL;
	v.filter = ry_xstrdup("lr < 0.1");
	assert_int_equal(ry_view_save(ws.st, "a.small_lr", &v), 0);
	assert_int_equal(ry_view_save(ws.st, "a.small_lr", &v), 0); /* replaced, listed once */
	assert_int_equal(ry_view_list(ws.st, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a.small_lr");
	assert_string_equal(names[1], "by-opt");
	ry_strings_free(names, n);
	assert_int_equal(ry_view_load(ws.st, "by-opt", &w), 0);
	assert_string_equal(w.group, "optimizer");
	assert_null(w.filter);
	assert_int_equal(ry_view_load(ws.st, "nope", &w), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "a.small_lr, by-opt"));
	assert_int_equal(ry_view_delete(ws.st, "by-opt"), 0);
	assert_int_equal(ry_view_delete(ws.st, "by-opt"), RY_ENOTFOUND);
	assert_int_equal(ry_view_list(ws.st, &names, &n), 0);
	assert_int_equal(n, 1);
	ry_strings_free(names, n);
	ry_view_clear(&v);
	ry_view_clear(&w);
}

static void test_view_auto_per_experiment(void **state)
{
	ry_view v = RY_VIEW_INIT, w = RY_VIEW_INIT;
	(void)state;
	assert_int_equal(ry_view_load_auto(ws.st, 1, &w), RY_ENOTFOUND);
	v.sort = ry_xstrdup("loss");
	assert_int_equal(ry_view_save_auto(ws.st, 1, &v), 0);
	free(v.sort);
	v.sort = ry_xstrdup("cost");
	assert_int_equal(ry_view_save_auto(ws.st, 0, &v), 0);
	assert_int_equal(ry_view_load_auto(ws.st, 1, &w), 0);
	assert_string_equal(w.sort, "loss");
	assert_int_equal(ry_view_load_auto(ws.st, 2, &w), RY_ENOTFOUND);
	assert_int_equal(ry_view_load_auto(ws.st, 0, &w), 0);
	assert_string_equal(w.sort, "cost");
	ry_view_clear(&v);
	ry_view_clear(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_empty_round_trip),
		cmocka_unit_test(test_view_every_field_round_trips),
		cmocka_unit_test(test_view_named_save_load_list_delete),
		cmocka_unit_test(test_view_auto_per_experiment),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
