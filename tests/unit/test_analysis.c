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
	int32_t opt[] = { 0, 0, 0, 1, 1, 1 }; /* "a", "a", "a", "b", "b", "b" */
	char *optv[] = { "a", "b" };
	ry_analysis_col cols[3] = {
		{ "params.seed", "seed", true, seed, NULL, NULL, 0 },
		{ "params.opt", "opt", false, NULL, opt, optv, 2 },
		{ "params.lr", "lr", true, lr, NULL, NULL, 0 },
	};
	ry_analysis a = { .n = 6, .cols = cols, .ncols = 3, .goal = 1 };
	a.metric = (ry_analysis_col){ "metrics.acc", "acc", true, m, NULL, NULL, 0 };
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

struct progress_log {
	size_t calls, last_done, total, nruns;
	bool ordered;
	atomic_int *cancel_at_first; /* set on the first column done, if not NULL */
};

static void on_progress(void *payload, size_t done, size_t total, size_t nruns)
{
	struct progress_log *l = payload;
	if (l->calls ? done != l->last_done + 1 : done != 0)
		l->ordered = false;
	l->calls++;
	l->last_done = done;
	l->total = total;
	l->nruns = nruns;
	if (done == 1 && l->cancel_at_first)
		atomic_store(l->cancel_at_first, 1);
}

/* The options a background load uses: progress after the listing and each
 * column, no names, a cancel that stops it between columns. */
static void test_load_with__progress_no_names_and_cancel(void **state)
{
	(void)state;
	struct ry_test_ws ws;
	ry_test_ws_open(&ws);
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	assert_int_equal(ry_demo_seed(ws.st, &o), 0);
	int64_t exp;
	assert_int_equal(ry_experiment_find(ws.st, "cifar10-resnet", &exp), 0);
	const char *fields[] = { "lr", "optimizer", "batch_size" };
	ry_analysis *a = NULL;
	struct progress_log log = { .ordered = true };
	ry_analysis_load_options lo = RY_ANALYSIS_LOAD_OPTIONS_INIT;
	lo.progress = on_progress;
	lo.payload = &log;
	lo.no_names = true;
	assert_int_equal(ry_analysis_load_with(&a, ws.st, exp, NULL, fields, 3, "val_acc", &lo), 0);
	assert_true(log.ordered);
	assert_int_equal(log.total, 4);        /* three params and the metric: no names read */
	assert_int_equal(log.calls, 5);        /* the listing, then each column */
	assert_int_equal(log.last_done, 4);
	assert_int_equal(log.nruns, a->n);
	assert_true(a->n > 0);
	for (size_t i = 0; i < a->n; i++)
		assert_null(a->names[i]);
	assert_true(a->cols[0].numeric);       /* the columns themselves as ever */
	ry_analysis_free(a);
	/* cancelled after the first column: it stops with nothing to free */
	atomic_int cancel;
	atomic_init(&cancel, 0);
	memset(&log, 0, sizeof log);
	log.ordered = true;
	log.cancel_at_first = &cancel;
	lo.cancel = &cancel;
	a = NULL;
	assert_int_equal(ry_analysis_load_with(&a, ws.st, exp, NULL, fields, 3, "val_acc", &lo), RY_ERROR);
	assert_null(a);
	assert_string_equal(ry_error_last(), "cancelled");
	assert_int_equal(log.last_done, 1);    /* no column read after the cancel */
	/* cancelled before it starts: not even the listing */
	memset(&log, 0, sizeof log);
	assert_int_equal(ry_analysis_load_with(&a, ws.st, exp, NULL, fields, 3, "val_acc", &lo), RY_ERROR);
	assert_int_equal(log.calls, 0);
	ry_test_ws_close(&ws);
}

/* The params chosen for the axes: by importance, at most max, and only
 * those most runs share. */
static void test_shared_params__important_and_shared(void **state)
{
	(void)state;
	enum { N = 40 };
	double lr[N], seed[N], rare[N], m[N];
	for (int i = 0; i < N; i++) {
		lr[i] = i;                 /* the metric follows it exactly */
		seed[i] = (i * 7) % 5;     /* noise */
		rare[i] = i < 4 ? i : NAN; /* a perfect fit, but on 4 runs of 40 */
		m[i] = 2 * i + 1;
	}
	ry_analysis_col cols[3] = {
		{ "params.lr", "lr", true, lr, NULL, NULL, 0 },
		{ "params.seed", "seed", true, seed, NULL, NULL, 0 },
		{ "params.rare", "rare", true, rare, NULL, NULL, 0 },
	};
	ry_analysis a = { .n = N, .cols = cols, .ncols = 3, .metric = { "metrics.m", "m", true, m, NULL, NULL, 0 }, .goal = 1 };
	char **out = NULL;
	size_t n = 0;
	ry_analysis_shared_params(&a, 5, &out, &n);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "params.lr");   /* the most important first */
	assert_string_equal(out[1], "params.seed");
	ry_strings_free(out, n);
	ry_analysis_shared_params(&a, 1, &out, &n); /* at most max */
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "params.lr");
	ry_strings_free(out, n);
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
		cmocka_unit_test(test_load_with__progress_no_names_and_cancel),
		cmocka_unit_test(test_shared_params__important_and_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
