/* The words both front ends print (tui/text/present.c): the cost estimate,
 * a host's price and probe summary, money.  The CLI's and the launch
 * dialog's lines come from here, so these pin both. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "text/present.h"

static ry_cost_estimate estimate(void)
{
	ry_cost_estimate e;
	memset(&e, 0, sizeof e);
	e.rate = 8;
	e.gpus = 2;
	e.expected_secs = 1200;
	e.nhistory = 3;
	snprintf(e.basis, sizeof e.basis, "median of 3 comparable runs");
	e.expected_cost = 8.0 * 1200 / 3600;
	e.time_limit = 3600;
	e.max_cost = 8;
	e.month_spent = 1.5;
	return e;
}

static ry_host host(void)
{
	ry_host h;
	memset(&h, 0, sizeof h);
	h.name = "gpu8";
	h.price_per_hour = 2;
	h.gpu_price_per_hour = 3;
	h.mem_avail_kb = h.disk_free_kb = -1;
	return h;
}

static void test_money__nan_is_unknown(void **state)
{
	char b[32];
	(void)state;
	tui_present_money(b, sizeof b, NAN);
	assert_string_equal(b, "unknown");
	tui_present_money(b, sizeof b, 0);
	assert_string_equal(b, "$0.00");
	tui_present_money(b, sizeof b, 12.345);
	assert_string_equal(b, "$12.35");
}

static void test_run_cost__rate_and_unknown(void **state)
{
	char b[64];
	(void)state;
	tui_present_run_cost(b, sizeof b, 1.2, 2);
	assert_string_equal(b, "$1.20 at $2.00/h");
	tui_present_run_cost(b, sizeof b, 1.2, 0);
	assert_string_equal(b, "$1.20");
	tui_present_run_cost(b, sizeof b, NAN, 2);
	assert_string_equal(b, "-");
}

static void test_price__with_and_without_gpu_price(void **state)
{
	char b[64];
	ry_host h = host();
	(void)state;
	tui_present_price(b, sizeof b, &h);
	assert_string_equal(b, "$2.00/h + $3.00/GPU-h");
	h.gpu_price_per_hour = 0;
	tui_present_price(b, sizeof b, &h);
	assert_string_equal(b, "$2.00/h");
}

static void test_host_status__each_state(void **state)
{
	char b[256];
	ry_gpu g[2];
	ry_host h = host();
	(void)state;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "not probed");

	h.probed = true;
	h.probe_rc = RY_EIO;
	h.fail = RY_SSH_REFUSED;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "unreachable (refused)");

	h.probe_rc = 0;
	h.probe_secs = 0.125;
	h.ncpu = 8;
	h.load1 = 0.5;
	h.mem_avail_kb = 2048;
	h.disk_free_kb = -1;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "ok (0.12s)  CPU host  8 CPUs  load 0.50  mem 2.0 MiB free  disk ? free");

	memset(g, 0, sizeof g);
	g[0].mem_total = g[1].mem_total = 1000;
	g[1].nprocs = 1; /* busy */
	h.has_nvidia = true;
	h.gpus = g;
	h.ngpus = 2;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "ok (0.12s)  2 GPUs, 1 free  8 CPUs  load 0.50  mem 2.0 MiB free  disk ? free");
	/* a demo host's canned probe never reads as a connection */
	h.simulated = true;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "simulated  2 GPUs, 1 free  8 CPUs  load 0.50  mem 2.0 MiB free  disk ? free");
	h.probed = false;
	tui_present_host_status(b, sizeof b, &h);
	assert_string_equal(b, "simulated, not probed");
}

static void test_estimate__lines_in_order(void **state)
{
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	ry_cost_estimate e = estimate();
	ry_host h = host();
	size_t n;
	(void)state;
	n = tui_present_estimate(l, &e, &h);
	assert_int_equal(n, 6);
	assert_int_equal(l[0].kind, TUI_PRESENT_TITLE);
	assert_string_equal(l[0].text, "Estimate for gpu8 with 2 GPUs:");
	for (size_t i = 1; i < n; i++)
		assert_int_equal(l[i].kind, TUI_PRESENT_BODY);
	assert_string_equal(l[1].text, "  rate           $8.00/h  ($2.00/h + 2 x $3.00/GPU-h)");
	assert_string_equal(l[2].text, "  expected time  20m00s  (median of 3 comparable runs)");
	assert_string_equal(l[3].text, "  expected cost  $2.67");
	assert_string_equal(l[4].text, "  max cost       $8.00 at the time limit 1h00m");
	assert_string_equal(l[5].text, "  this month     $1.50 spent");
}

static void test_estimate__unknowns_and_no_limit(void **state)
{
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	ry_cost_estimate e = estimate();
	size_t n;
	(void)state;
	e.gpus = 1;
	e.expected_secs = e.expected_cost = e.max_cost = NAN;
	e.time_limit = 0;
	snprintf(e.basis, sizeof e.basis, "no history and no time limit");
	n = tui_present_estimate(l, &e, NULL);
	assert_int_equal(n, 6);
	assert_string_equal(l[0].text, "Estimate with 1 GPU:");
	assert_string_equal(l[1].text, "  rate           $8.00/h"); /* no host: no breakdown */
	assert_string_equal(l[2].text, "  expected time  unknown  (no history and no time limit)");
	assert_string_equal(l[3].text, "  expected cost  unknown");
	assert_string_equal(l[4].text, "  max cost       unbounded (no time limit)");
}

static void test_estimate__budget_check_last(void **state)
{
	struct tui_present_line l[TUI_PRESENT_ESTIMATE_LINES];
	ry_cost_estimate e = estimate();
	ry_host h = host();
	char b[TUI_PRESENT_LINE_MAX];
	size_t n;
	(void)state;
	tui_present_budget(b, sizeof b, &e);
	assert_string_equal(b, "");
	e.budget_per_month = 100;
	e.over_budget = true;
	snprintf(e.budget_msg, sizeof e.budget_msg, "the maximum cost exceeds budget_per_run 5.00");
	n = tui_present_estimate(l, &e, &h);
	assert_int_equal(n, TUI_PRESENT_ESTIMATE_LINES);
	assert_string_equal(l[5].text, "  this month     $1.50 spent of $100.00");
	assert_int_equal(l[6].kind, TUI_PRESENT_ALERT);
	assert_string_equal(l[6].text, "warning: over budget: the maximum cost exceeds budget_per_run 5.00");
	e.block_mode = true;
	tui_present_budget(b, sizeof b, &e);
	assert_string_equal(b, "blocked: over budget: the maximum cost exceeds budget_per_run 5.00");
	/* the remedy: the CLI's flags, or the launch dialog's fields */
	e.budget_fix = RY_COST_FIX_SHORTER;
	assert_string_equal(tui_present_budget_fix(&e, false), "set a shorter --time-limit or fewer --gpus");
	assert_string_equal(tui_present_budget_fix(&e, true), "set a shorter 'time limit' or fewer 'GPUs'");
	e.budget_fix = RY_COST_FIX_LIMIT;
	assert_string_equal(tui_present_budget_fix(&e, true), "fill in 'time limit'");
	e.over_budget = false;
	assert_string_equal(tui_present_budget_fix(&e, true), "");
}

static void test_group_stat__mean_std_median_and_none(void **state)
{
	ry_group_stats s = { 0 };
	char out[64];
	(void)state;
	tui_present_group_stat(out, sizeof out, &s, false, true);
	assert_string_equal(out, "-");
	s.n = 1;
	s.mean = s.median = 0.5;
	s.std = NAN;
	tui_present_group_stat(out, sizeof out, &s, false, true);
	assert_string_equal(out, "0.5");
	s.n = 3;
	s.mean = 0.93456;
	s.std = 0.021213;
	s.median = 0.935;
	s.q1 = 0.9275;
	s.q3 = 0.9425;
	tui_present_group_stat(out, sizeof out, &s, false, true);
	assert_string_equal(out, "0.9346 \xc2\xb1 0.02121");
	tui_present_group_stat(out, sizeof out, &s, false, false);
	assert_string_equal(out, "0.9346 +- 0.02121");
	tui_present_group_stat(out, sizeof out, &s, true, true);
	assert_string_equal(out, "0.935 iqr 0.015");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money__nan_is_unknown),
		cmocka_unit_test(test_group_stat__mean_std_median_and_none),
		cmocka_unit_test(test_run_cost__rate_and_unknown),
		cmocka_unit_test(test_price__with_and_without_gpu_price),
		cmocka_unit_test(test_host_status__each_state),
		cmocka_unit_test(test_estimate__lines_in_order),
		cmocka_unit_test(test_estimate__unknowns_and_no_limit),
		cmocka_unit_test(test_estimate__budget_check_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
