/* Analysis statistics against hand-computed values: average ranks,
 * Pearson, Spearman, eta and Kruskal-Wallis H, degenerate cases first
 * (core/analysis/analysis.c); and the table read from a workspace. */
#include "testutil.h"
#include "analysis/analysis.h"

#include <math.h>

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

static void test_pearson__degenerate_is_nan(void **state)
{
	(void)state;
	double x[] = { 1, 2 }, y[] = { 3, 4 }, c[] = { 5, 5, 5 }, z[] = { 1, 2, 3 };
	assert_true(isnan(ry_stats_pearson(x, y, 0)));
	assert_true(isnan(ry_stats_pearson(x, y, 2)));    /* fewer than 3 pairs */
	assert_true(isnan(ry_stats_pearson(c, z, 3)));    /* a constant side */
	assert_true(isnan(ry_stats_spearman(c, z, 3)));
}

static void test_pearson__hand_computed(void **state)
{
	(void)state;
	/* dx = -2..2, dy = -2 0 1 0 1: sxy 6, sxx 10, syy 6, r = 6 / sqrt(60) */
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 5, 4, 5 };
	NEAR(ry_stats_pearson(x, y, 5), 6 / sqrt(60));
	/* a NaN pair is left out: the same five pairs and one gap */
	double xn[] = { 1, NAN, 2, 3, 4, 5 }, yn[] = { 2, 9, 4, 5, 4, 5 };
	NEAR(ry_stats_pearson(xn, yn, 6), 6 / sqrt(60));
	double neg[] = { 5, 4, 3, 2, 1 };
	NEAR(ry_stats_pearson(x, neg, 5), -1);
}

static void test_ranks__ties_share_the_mean_and_nan_takes_no_place(void **state)
{
	(void)state;
	double v[] = { 3, NAN, 1, 3 }, r[4];
	ry_stats_ranks(v, 4, r);
	NEAR(r[0], 2.5);
	assert_true(isnan(r[1]));
	NEAR(r[2], 1);
	NEAR(r[3], 2.5);
}

static void test_spearman__hand_computed_with_ties(void **state)
{
	(void)state;
	/* y ranks 1 2.5 4.5 2.5 4.5 against 1..5: sxy 7, sxx 10, syy 9 */
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 4, 5, 4, 5 };
	NEAR(ry_stats_spearman(x, y, 5), 7 / sqrt(90));
	/* monotone but not linear: rho 1, r below 1 */
	double e[] = { 1, 10, 100, 1000, 10000 };
	NEAR(ry_stats_spearman(x, e, 5), 1);
	assert_true(ry_stats_pearson(x, e, 5) < 0.9);
}

static void test_eta__hand_computed(void **state)
{
	(void)state;
	/* mean 2.5, SS_total 5, group means 1.5 and 3.5: SS_between 4 */
	int g[] = { 0, 0, 1, 1 };
	double y[] = { 1, 2, 3, 4 };
	NEAR(ry_stats_eta(g, y, 4, 2), sqrt(0.8));
	int one[] = { 0, 0, 0, 0 };
	assert_true(isnan(ry_stats_eta(one, y, 4, 1)));   /* one group */
	assert_true(isnan(ry_stats_eta(one, y, 4, 2)));   /* one non-empty group */
}

static void test_kruskal__hand_computed_with_and_without_ties(void **state)
{
	(void)state;
	/* ranks 1..6, R = 6 and 15: H = 12/42 (36/3 + 225/3) - 21 */
	int g[] = { 0, 0, 0, 1, 1, 1 };
	double y[] = { 1, 2, 3, 4, 5, 6 };
	NEAR(ry_stats_kruskal(g, y, 6, 2), 12.0 / 42 * 87 - 21);
	/* ties: ranks 1.5 1.5 3 4, R = 3 and 7: H = 0.6 * 29 - 15 = 2.4,
	 * corrected by 1 - 6 / 60 */
	int g2[] = { 0, 0, 1, 1 };
	double y2[] = { 1, 1, 2, 3 };
	NEAR(ry_stats_kruskal(g2, y2, 4, 2), 2.4 / 0.9);
	/* a value left out (group -1, NaN metric) changes nothing */
	int g3[] = { 0, -1, 0, 1, 1, 2 };
	double y3[] = { 1, 7, 1, 2, 3, NAN };
	NEAR(ry_stats_kruskal(g3, y3, 6, 3), 2.4 / 0.9);
}

static void test_importance__sorted_by_effect(void **state)
{
	(void)state;
	/* a by hand: lr follows the metric, seed does not, opt splits it */
	double lr[] = { 1, 2, 3, 4, 5, 6 }, seed[] = { 3, 1, 2, 2, 1, 3 }, m[] = { 1, 2, 3, 4, 5, 6 };
	char *opt[] = { "a", "a", "a", "b", "b", "b" };
	ry_analysis_col cols[3] = {
		{ "params.seed", "seed", true, seed, NULL },
		{ "params.opt", "opt", false, NULL, opt },
		{ "params.lr", "lr", true, lr, NULL },
	};
	ry_analysis a = { .n = 6, .cols = cols, .ncols = 3, .goal = 1 };
	a.metric = (ry_analysis_col){ "metrics.acc", "acc", true, m, NULL };
	ry_importance *v;
	size_t n;
	ry_analysis_importance(&a, &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].label, "lr");
	NEAR(v[0].spearman, 1);
	NEAR(v[0].effect, 1);
	assert_string_equal(v[1].label, "opt");
	assert_true(v[1].categorical);
	assert_int_equal(v[1].ngroups, 2);
	NEAR(v[1].kw_h, 12.0 / 42 * 87 - 21);
	NEAR(v[1].effect, sqrt((12.0 / 42 * 87 - 21) / 5));
	assert_true(isnan(v[1].spearman));
	assert_string_equal(v[2].label, "seed");
	ry_importance_free(v, n);
}

static void test_load__the_filtered_runs_params_and_metric(void **state)
{
	(void)state;
	struct ry_test_ws ws;
	ry_test_ws_open(&ws);
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	assert_int_equal(ry_demo_seed(ws.st, &o), 0);
	int64_t exp;
	assert_int_equal(ry_experiment_find(ws.st, "cifar10-resnet", &exp), 0);
	ry_analysis *a = NULL;
	const char *fields[] = { "lr", "optimizer" };
	assert_int_equal(ry_analysis_load(&a, ws.st, exp, "status = finished", fields, 2, "val_acc"), 0);
	assert_true(a->n > 0);
	assert_int_equal(a->ncols, 2);
	assert_string_equal(a->cols[0].name, "params.lr");
	assert_true(a->cols[0].numeric);
	assert_false(a->cols[1].numeric);
	assert_string_equal(a->metric.label, "val_acc");
	assert_int_equal(a->goal, 1);
	for (size_t i = 0; i < a->n; i++)
		assert_non_null(a->names[i]);
	ry_analysis_free(a);
	/* the default metric is a main one with a goal; a param is refused as one */
	assert_int_equal(ry_analysis_load(&a, ws.st, exp, NULL, NULL, 0, NULL), 0);
	assert_true(a->ncols >= 2);
	assert_true(a->goal != 0);
	ry_analysis_free(a);
	a = NULL;
	assert_int_equal(ry_analysis_load(&a, ws.st, exp, NULL, fields, 1, "lr"), RY_EINVAL);
	assert_null(a);
	assert_int_equal(ry_analysis_load(&a, ws.st, exp, "lr <", fields, 1, NULL), RY_EINVAL);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pearson__degenerate_is_nan),
		cmocka_unit_test(test_pearson__hand_computed),
		cmocka_unit_test(test_ranks__ties_share_the_mean_and_nan_takes_no_place),
		cmocka_unit_test(test_spearman__hand_computed_with_ties),
		cmocka_unit_test(test_eta__hand_computed),
		cmocka_unit_test(test_kruskal__hand_computed_with_and_without_ties),
		cmocka_unit_test(test_importance__sorted_by_effect),
		cmocka_unit_test(test_load__the_filtered_runs_params_and_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
