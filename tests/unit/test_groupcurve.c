/* A group's curve on an axis its runs do not share (tui/widgets/groupcurve.c):
 * buckets over the range, one vote per run and bucket, the votes' mean,
 * std, min and max; points outside the range or not finite left out. */
#include "testutil.h"
#include "widgets/groupcurve.h"

#include <math.h>

static void test_groupcurve__nothing_is_nothing(void **state)
{
	(void)state;
	tui_groupcurve_point out[4];
	assert_int_equal(tui_groupcurve_bucket(NULL, NULL, NULL, 0, 0, 1, 4, out), 0);
	/* a run without points */
	size_t n0 = 0;
	const double *none = NULL;
	assert_int_equal(tui_groupcurve_bucket(&none, &none, &n0, 1, 0, 1, 4, out), 0);
}

/* Two runs whose times never coincide still share buckets: each bucket's
 * mean is over both runs, its min and max theirs. */
static void test_groupcurve__runs_at_other_times_share_buckets(void **state)
{
	(void)state;
	/* run 0 at 0, 10, 20, 30 (values 1..4), run 1 at 3, 13, 23, 33 (values 3..6) */
	double x0[4] = { 0, 10, 20, 30 }, y0[4] = { 1, 2, 3, 4 }, x1[4] = { 3, 13, 23, 33 }, y1[4] = { 3, 4, 5, 6 };
	const double *x[2] = { x0, x1 }, *y[2] = { y0, y1 };
	size_t ns[2] = { 4, 4 };
	tui_groupcurve_point out[4];
	size_t n = tui_groupcurve_bucket(x, y, ns, 2, 0, 40, 4, out);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].n, 2);
		assert_true(fabs(out[i].mean - (2.0 + (double)i)) < 1e-12);
		assert_true(out[i].min == 1.0 + (double)i && out[i].max == 3.0 + (double)i);
		assert_true(fabs(out[i].std - sqrt(2.0)) < 1e-12);
		assert_true(fabs(out[i].x - (1.5 + 10.0 * (double)i)) < 1e-12);
	}
}

/* A run logging three points in a bucket votes once, with their mean:
 * it does not outweigh a run with one point there. */
static void test_groupcurve__one_vote_per_run(void **state)
{
	(void)state;
	double x0[3] = { 1, 2, 3 }, y0[3] = { 10, 10, 10 }, x1[1] = { 4 }, y1[1] = { 0 };
	const double *x[2] = { x0, x1 }, *y[2] = { y0, y1 };
	size_t ns[2] = { 3, 1 };
	tui_groupcurve_point out[1];
	assert_int_equal(tui_groupcurve_bucket(x, y, ns, 2, 0, 10, 1, out), 1);
	assert_int_equal(out[0].n, 2);
	assert_true(out[0].mean == 5.0);
	assert_true(out[0].min == 0.0 && out[0].max == 10.0);
}

/* Outside the range (a zoom), NaN, inf: left out; an empty bucket gives
 * no point; one run gives a NaN std. */
static void test_groupcurve__range_and_gaps(void **state)
{
	(void)state;
	double x[6] = { -1, 0.5, NAN, 2.5, 9.5, 11 }, y[6] = { 1, 2, 3, INFINITY, 5, 6 };
	const double *xp = x, *yp = y;
	size_t six = 6, one = 1, two = 2;
	tui_groupcurve_point out[10];
	size_t n = tui_groupcurve_bucket(&xp, &yp, &six, 1, 0, 10, 10, out);
	assert_int_equal(n, 2);
	assert_true(out[0].x == 0.5 && out[0].mean == 2);
	assert_true(out[1].x == 9.5 && out[1].mean == 5);
	assert_true(isnan(out[0].std));
	/* the upper end belongs to the last bucket */
	double xe[1] = { 10 }, ye[1] = { 7 };
	xp = xe, yp = ye;
	assert_int_equal(tui_groupcurve_bucket(&xp, &yp, &one, 1, 0, 10, 10, out), 1);
	/* an empty range: one bucket, at lo */
	double xs[2] = { 3, 4 }, ys[2] = { 1, 2 };
	xp = xs, yp = ys;
	assert_int_equal(tui_groupcurve_bucket(&xp, &yp, &two, 1, 3, 3, 10, out), 1);
	assert_true(out[0].mean == 1);
}

/* Values near 1e12 that differ by 1 and 3: the std is that of 1 and 3, not
 * lost to cancellation. */
static void test_groupcurve__std_of_large_values(void **state)
{
	(void)state;
	double x0[1] = { 1 }, y0[1] = { 1e12 + 1 }, x1[1] = { 1 }, y1[1] = { 1e12 + 3 };
	const double *x[2] = { x0, x1 }, *y[2] = { y0, y1 };
	size_t ns[2] = { 1, 1 };
	tui_groupcurve_point out[1];
	assert_int_equal(tui_groupcurve_bucket(x, y, ns, 2, 0, 2, 1, out), 1);
	assert_true(fabs(out[0].std - sqrt(2.0)) < 1e-9);
	assert_true(out[0].mean == 1e12 + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groupcurve__nothing_is_nothing),
		cmocka_unit_test(test_groupcurve__runs_at_other_times_share_buckets),
		cmocka_unit_test(test_groupcurve__one_vote_per_run),
		cmocka_unit_test(test_groupcurve__range_and_gaps),
		cmocka_unit_test(test_groupcurve__std_of_large_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
