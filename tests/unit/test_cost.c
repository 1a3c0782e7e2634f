/* cost.c: command shapes, the history median, budgets. */
#include "testutil.h"
#include "remote/cost.h"
#include "base/config.h"

#include <math.h>

static void test_cost_command_shape__blanks_param_values(void **state)
{
	struct { const char *in, *out; } cases[] = {
		{ "", "" },
		{ "python train.py --lr 0.01 --epochs=10 seed=3 --amp", "python train.py --lr * --epochs=* seed=* --amp" },
		{ "python train.py --lr 0.5 --amp --data /d", "python train.py --lr * --amp --data *" },
		{ "python 'my script.py' --name 'a b'", "python my script.py --name *" },
		{ "./run -3 --x -1e-4", "./run * --x *" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = ry_cost_command_shape(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	char *a = ry_cost_command_shape("python t.py --lr 0.1"), *b = ry_cost_command_shape("python t.py --lr=0.1");
	assert_string_not_equal(a, b); /* different spelling, different shape: not guessed equal */
	free(a);
	free(b);
}

static void seed(ry_store *st, const char *exp, const char *cmd, const char *host, const char *status, double secs)
{
	ry_run_spec s = RY_RUN_SPEC_INIT;
	int64_t id;
	double t0 = ry_now() - 100000;
	s.experiment = exp;
	s.command = cmd;
	s.host = host;
	s.source = "ssh";
	s.started = t0;
	s.created = t0;
	assert_int_equal(ry_run_create(st, &s, &id, NULL), 0);
	assert_int_equal(ry_run_finish(st, id, status, t0 + secs, true, 0), 0);
}

static void test_cost_estimate__median_of_comparable_runs(void **state)
{
	struct ry_test_ws ws;
	ry_host hosts[3];
	ry_cost_estimate e;
	ry_config *cfg;
	ry_test_ws_open(&ws);
	memset(hosts, 0, sizeof hosts);
	hosts[0].name = "a1"; hosts[0].labels = "A100, big"; hosts[0].price_per_hour = 1; hosts[0].gpu_price_per_hour = 2;
	hosts[1].name = "a2"; hosts[1].labels = "big,a100";
	hosts[2].name = "cpu"; hosts[2].labels = NULL;

	/* no history, no limit: unknown */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, hosts, 3, &hosts[0], "x", "python t.py --lr 1", 2, 0), 0);
	assert_true(e.rate == 5);
	assert_true(isnan(e.expected_secs) && isnan(e.expected_cost) && isnan(e.max_cost));
	assert_non_null(strstr(e.basis, "no history"));

	seed(ws.st, "x", "python t.py --lr 0.1", "a1", "finished", 100);
	seed(ws.st, "x", "python t.py --lr 0.2", "a2", "finished", 300);  /* same labels, other order */
	seed(ws.st, "x", "python t.py --lr 0.3", "a1", "finished", 200);
	seed(ws.st, "x", "python t.py --lr 0.3", "a1", "failed", 1);      /* not finished */
	seed(ws.st, "x", "python t.py --bs 3", "a1", "finished", 5000);   /* other shape */
	seed(ws.st, "x", "python t.py --lr 0.3", "cpu", "finished", 7000); /* other labels */
	seed(ws.st, "y", "python t.py --lr 0.3", "a1", "finished", 9000);  /* other experiment */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, hosts, 3, &hosts[0], "x", "python t.py --lr 9", 2, 3600), 0);
	assert_int_equal(e.nhistory, 3);
	assert_true(e.expected_secs == 200);
	assert_true(fabs(e.expected_cost - 5 * 200 / 3600.0) < 1e-12);
	assert_true(e.max_cost == 5);
	assert_non_null(strstr(e.basis, "median of the last 3"));
	/* a host without labels compares only with itself */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, hosts, 3, &hosts[2], "x", "python t.py --lr 9", 0, 0), 0);
	assert_int_equal(e.nhistory, 1);
	assert_true(e.expected_secs == 7000);

	/* budgets */
	assert_int_equal(ry_config_parse(&cfg, "budget_per_run = 4\n", "t"), 0);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, hosts, 3, &hosts[0], "x", "python t.py", 2, 3600), 0);
	assert_true(e.over_budget);
	assert_false(e.block_mode);
	assert_non_null(strstr(e.budget_msg, "budget_per_run"));
	ry_config_free(cfg);
	assert_int_equal(ry_config_parse(&cfg, "budget_per_month = 1\nbudget_mode = block\n", "t"), 0);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, hosts, 3, &hosts[0], "x", "python t.py", 0, 1800), 0);
	assert_false(e.over_budget); /* 0.5 of 1 */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, hosts, 3, &hosts[0], "x", "python t.py", 2, 3600), 0);
	assert_true(e.over_budget && e.block_mode);
	ry_config_free(cfg);
	assert_int_equal(ry_config_parse(&cfg, "budget_mode = maybe\n", "t"), 0);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, hosts, 3, &hosts[0], "x", "python t.py", 0, 3600), RY_EINVAL);
	ry_config_free(cfg);
	assert_int_equal(ry_config_parse(&cfg, "budget_per_run = lots\n", "t"), 0);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, hosts, 3, &hosts[0], "x", "python t.py", 0, 3600), RY_EINVAL);
	ry_config_free(cfg);
	ry_test_ws_close(&ws);
}

static void test_cost_estimate__same_epochs_else_scaled(void **state)
{
	struct ry_test_ws ws;
	ry_host h;
	ry_cost_estimate e;
	ry_test_ws_open(&ws);
	memset(&h, 0, sizeof h);
	h.name = "a1";
	seed(ws.st, "x", "python t.py --epochs 10 --lr 1", "a1", "finished", 100);
	seed(ws.st, "x", "python t.py --epochs 10 --lr 2", "a1", "finished", 140);
	seed(ws.st, "x", "python t.py --epochs 30 --lr 1", "a1", "finished", 900);
	/* the same epochs: only those runs, as they are */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "x", "python t.py --epochs 30 --lr 5", 0, 0), 0);
	assert_int_equal(e.nhistory, 1);
	assert_true(e.expected_secs == 900);
	assert_non_null(strstr(e.basis, "median of the last 1 comparable run (with epochs=30,"));
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "x", "python t.py --epochs 10 --lr 5", 0, 0), 0);
	assert_int_equal(e.nhistory, 2);
	assert_true(e.expected_secs == 120);
	/* none with the same: every other value scaled by its ratio (300 x 2, 900 x 2/3 ... median) */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "x", "python t.py --epochs 20 --lr 5", 0, 0), 0);
	assert_int_equal(e.nhistory, 3);
	assert_true(fabs(e.expected_secs - 280) < 1e-9); /* 200, 280, 600 */
	assert_non_null(strstr(e.basis, "scaled from the last 3 comparable runs (other epochs, to epochs=20,"));
	/* key=value and max_steps; one source value: the factor is shown */
	seed(ws.st, "y", "python t.py max_steps=1000", "a1", "finished", 60);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "y", "python t.py max_steps=4000", 0, 7200), 0);
	assert_true(e.expected_secs == 240);
	assert_non_null(strstr(e.basis, "(max_steps=1000 x4,"));
	/* scaled past the time limit: the limit stops it */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "y", "python t.py max_steps=400000", 0, 600), 0);
	assert_true(e.expected_secs == 600);
	/* no scale key in the command: the shape alone, as before */
	seed(ws.st, "z", "python t.py --lr 1", "a1", "finished", 50);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, NULL, &h, 1, &h, "z", "python t.py --lr 2", 0, 0), 0);
	assert_true(e.expected_secs == 50);
	assert_non_null(strstr(e.basis, "median of the last 1 comparable run (same experiment"));
	ry_test_ws_close(&ws);
}

static void test_cost_estimate__both_budgets_checked(void **state)
{
	struct ry_test_ws ws;
	ry_host h;
	ry_cost_estimate e;
	ry_config *cfg;
	ry_test_ws_open(&ws);
	memset(&h, 0, sizeof h);
	h.name = "a1";
	h.price_per_hour = 10;
	assert_int_equal(ry_config_parse(&cfg, "budget_per_run = 5\nbudget_per_month = 8\n", "t"), 0);
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, &h, 1, &h, "x", "python t.py", 0, 3600), 0);
	assert_true(e.over_budget);
	assert_non_null(strstr(e.budget_msg, "exceeds budget_per_run 5.00"));
	assert_non_null(strstr(e.budget_msg, "; this month's spend 0.00 plus the maximum cost at the time limit 10.00 "
	                                     "exceeds budget_per_month 8.00"));
	assert_int_equal(e.budget_fix, RY_COST_FIX_SHORTER);
	assert_null(strstr(e.budget_msg, "--")); /* the remedy is the front end's, in its own words */
	/* unbounded: a time limit is the remedy */
	assert_int_equal(ry_cost_estimate_run(&e, ws.st, cfg, &h, 1, &h, "x", "python t.py", 0, 0), 0);
	assert_true(e.over_budget);
	assert_int_equal(e.budget_fix, RY_COST_FIX_LIMIT);
	ry_config_free(cfg);
	ry_test_ws_close(&ws);
}

static void test_cost_month_spent__counts_this_month_only(void **state)
{
	struct ry_test_ws ws;
	ry_run_spec s = RY_RUN_SPEC_INIT;
	int64_t id;
	double spent, now = ry_now();
	ry_test_ws_open(&ws);
	s.cost_rate = 36;
	s.started = now - 100; /* running 100 s at 36/h = 1.0 */
	assert_int_equal(ry_run_create(ws.st, &s, &id, NULL), 0);
	s.started = now - 86400 * 40; /* last month or earlier */
	assert_int_equal(ry_run_create(ws.st, &s, &id, NULL), 0);
	assert_int_equal(ry_run_finish(ws.st, id, "finished", now - 86400 * 39, true, 0), 0);
	assert_int_equal(ry_cost_month_spent(ws.st, now, &spent), 0);
	assert_true(fabs(spent - 1.0) < 0.01);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_command_shape__blanks_param_values),
		cmocka_unit_test(test_cost_estimate__median_of_comparable_runs),
		cmocka_unit_test(test_cost_estimate__same_epochs_else_scaled),
		cmocka_unit_test(test_cost_estimate__both_budgets_checked),
		cmocka_unit_test(test_cost_month_spent__counts_this_month_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
