/* The demo workspace: what it promises (experiments, statuses, hosts with
 * prices, params, curves shaped like training, divergence) and that a seed
 * gives the same data. */
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>

#include "store/store_internal.h"

static int64_t one_int(ry_store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	if (sqlite3_prepare_v2(ry_store__db(st), sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(ry_store__db(st)));
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* A digest of everything but uuids and remote dirs (which embed them). */
static char *digest(ry_store *st)
{
	sqlite3_stmt *q;
	const char *sql =
		"SELECT group_concat(x, '|') FROM ("
		" SELECT name || status || coalesce(host, '') || coalesce(gpus, '') || coalesce(exit_code, '') ||"
		"  coalesce(git_commit, '') || coalesce(notes, '') || printf('%.3f', coalesce(cost_total, 0)) ||"
		"  printf('%.3f', created) AS x FROM runs"
		" UNION ALL SELECT run_id || key || value FROM params"
		" UNION ALL SELECT run_id || key || value FROM tags"
		" UNION ALL SELECT run_id || key || n || quote(last) || quote(min) || quote(max) FROM metric_summary"
		" UNION ALL SELECT run_id || key_id || chunk || hex(data) FROM metric_chunks)";
	char *out = NULL;
	assert_int_equal(sqlite3_prepare_v2(ry_store__db(st), sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		out = ry_store__column_dup(q, 0);
	sqlite3_finalize(q);
	assert_non_null(out);
	return out;
}

static void seed(struct ry_test_ws *ws, size_t runs, size_t steps, uint64_t s)
{
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	o.runs = runs;
	o.steps = steps;
	o.seed = s;
	o.now = 1.8e9;
	ry_test_ws_open(ws);
	if (ry_demo_seed(ws->st, &o) != 0)
		fail_msg("seed: %s", ry_error_last());
}

/* The launch estimate's free-GPU check (both front ends') on a demo host:
 * its canned probe answers without a connection; too few free is the
 * verdict with the fact apart from the CLI's remedy; an unreachable host
 * is unknown, with the reason; none asked is not checked. */
static void test_demo_hosts__gpu_check_reads_the_canned_probe(void **state)
{
	struct ry_test_ws ws;
	ry_host *hosts = NULL, *h;
	size_t n = 0;
	ry_hosts_probe_options po = RY_HOSTS_PROBE_OPTIONS_INIT;
	ry_launch_gpu_check g;
	(void)state;
	ry_launch_gpu_check_clear(NULL);
	seed(&ws, 12, 10, 7);
	assert_int_equal(ry_hosts_list(&hosts, &n, NULL, NULL, ws.st), 0);
	assert_non_null(h = ry_hosts_find(hosts, n, "a100-box-1"));
	assert_int_equal(ry_host_probe(h, &po), 0);
	assert_int_equal(h->probe_rc, 0);
	int *idx = calloc(h->ngpus + 1, sizeof *idx);
	int nfree = (int)ry_host_free_gpus(h, idx, h->ngpus);
	free(idx);
	assert_true(nfree >= 1);

	ry_launch_gpu_check_from(&g, h, nfree);
	assert_string_equal(g.verdict, "ok");
	assert_int_equal(g.free, nfree);
	assert_null(g.message);
	ry_launch_gpu_check_clear(&g);

	ry_launch_gpu_check_from(&g, h, nfree + 1);
	assert_string_equal(g.verdict, "too few free");
	assert_non_null(strstr(g.message, "--gpu-ids")); /* the CLI's remedy */
	assert_non_null(g.fact);
	assert_null(strstr(g.fact, "--"));
	assert_int_equal(strncmp(g.message, g.fact, strlen(g.fact)), 0); /* one sentence, written once */
	ry_launch_gpu_check_clear(&g);
	assert_null(g.message);
	assert_null(g.fact);

	ry_launch_gpu_check_from(&g, h, 0);
	assert_null(g.verdict);
	assert_null(g.message);

	h->probe_rc = RY_EIO;
	free(h->error);
	h->error = strdup("connection refused");
	ry_launch_gpu_check_from(&g, h, 1);
	assert_null(g.verdict);
	assert_int_equal(g.free, -1);
	assert_non_null(strstr(g.message, "unknown (connection refused)"));
	ry_launch_gpu_check_clear(&g);
	ry_hosts_free(hosts, n);
	ry_test_ws_close(&ws);
}

static void test_demo_seed__default_workspace_is_believable(void **state)
{
	struct ry_test_ws ws;
	ry_store *st;
	(void)state;
	seed(&ws, 72, 200, 42);
	st = ws.st;
	assert_int_equal(one_int(st, "SELECT count(*) FROM experiments"), 3);
	assert_int_equal(one_int(st, "SELECT count(*) FROM runs"), 72);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE status = 'failed' AND exit_code != 0") >= 2);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE status = 'killed'") >= 1);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE status = 'running' AND ended IS NULL") >= 1);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE status = 'queued' AND started IS NULL") >= 1);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE status = 'finished'") >= 40);
	/* Hosts with prices; every run on one of them, finished runs costed. */
	assert_true(one_int(st, "SELECT count(*) FROM hosts WHERE price_per_hour > 0 OR gpu_price_per_hour > 0") >= 4);
	assert_int_equal(one_int(st, "SELECT count(*) FROM runs WHERE host NOT IN (SELECT name FROM hosts)"), 0);
	assert_int_equal(one_int(st, "SELECT count(*) FROM runs WHERE status = 'finished' AND "
	                             "(cost_total IS NULL OR cost_total <= 0 OR ended <= started)"), 0);
	/* Provenance, params, tags, notes. */
	assert_int_equal(one_int(st, "SELECT count(*) FROM runs WHERE length(git_commit) != 40"), 0);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE git_dirty = 1") >= 1);
	assert_true(one_int(st, "SELECT min(c) FROM (SELECT count(*) c FROM params GROUP BY run_id)") >= 8);
	assert_true(one_int(st, "SELECT count(DISTINCT value) FROM params WHERE key = 'optimizer'") >= 3);
	assert_true(one_int(st, "SELECT count(*) FROM params WHERE key = 'lr' AND num > 0") >= 40);
	assert_true(one_int(st, "SELECT count(*) FROM tags WHERE key = 'best'") >= 1);
	assert_true(one_int(st, "SELECT count(*) FROM runs WHERE notes != ''") >= 5);
	/* Spread over the past weeks, never in the future. */
	assert_true(one_int(st, "SELECT (max(created) - min(created)) / 86400 FROM runs") >= 14);
	assert_int_equal(one_int(st, "SELECT count(*) FROM runs WHERE created > 1.8e9 OR ended > 1.8e9"), 0);
	/* The done-when query of the foundation issue has answers. */
	assert_true(one_int(st, "SELECT count(*) FROM runs r JOIN metric_summary s ON s.run_id = r.id AND "
	                        "s.key = 'val_acc' JOIN params p ON p.run_id = r.id AND p.key = 'optimizer' "
	                        "WHERE s.last > 0.9 AND p.value = 'adam'") >= 1);
	ry_test_ws_close(&ws);
}

static void test_demo_seed__curves_look_like_training(void **state)
{
	struct ry_test_ws ws;
	ry_point *p = NULL;
	size_t n = 0;
	int64_t id;
	(void)state;
	seed(&ws, 72, 200, 42);
	/* A finished image run: loss falls, val_acc rises and saturates. */
	id = one_int(ws.st, "SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id "
	                    "WHERE e.name = 'cifar10-resnet' AND r.status = 'finished' ORDER BY r.id LIMIT 1");
	assert_true(id > 0);
	assert_int_equal(ry_metrics_read(ws.st, id, "loss", &p, &n), 0);
	assert_int_equal(n, 200);
	double head = 0, tail = 0;
	for (size_t i = 0; i < 10; i++) {
		head += p[i].value;
		tail += p[n - 1 - i].value;
	}
	assert_true(head > 3 * tail);
	for (size_t i = 1; i < n; i++) {
		assert_true(p[i].step > p[i - 1].step);
		assert_true(p[i].ts >= p[i - 1].ts - 1.0);
	}
	free(p);
	assert_int_equal(ry_metrics_read(ws.st, id, "val_acc", &p, &n), 0);
	assert_true(p[n - 1].value > 0.7 && p[0].value < 0.5);
	free(p);
	/* Somebody diverged: a NaN in a history, a NULL last in the summary. */
	assert_true(one_int(ws.st, "SELECT count(*) FROM tags WHERE key = 'diverged'") >= 1);
	assert_true(one_int(ws.st, "SELECT count(*) FROM metric_summary WHERE key = 'loss' AND last IS NULL") >= 1);
	/* Running runs have part of a curve, queued ones none. */
	assert_true(one_int(ws.st, "SELECT min(s.n) FROM runs r JOIN metric_summary s ON s.run_id = r.id "
	                           "WHERE r.status = 'running'") < 200);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs r JOIN metric_summary s ON s.run_id = r.id "
	                                "WHERE r.status = 'queued'"), 0);
	ry_test_ws_close(&ws);
}

static void test_demo_seed__same_seed_same_data(void **state)
{
	struct ry_test_ws a, b, c;
	char *da, *db, *dc;
	(void)state;
	seed(&a, 30, 50, 7);
	seed(&b, 30, 50, 7);
	seed(&c, 30, 50, 8);
	da = digest(a.st);
	db = digest(b.st);
	dc = digest(c.st);
	assert_string_equal(da, db);
	assert_true(strcmp(da, dc) != 0);
	free(da);
	free(db);
	free(dc);
	ry_test_ws_close(&a);
	ry_test_ws_close(&b);
	ry_test_ws_close(&c);
}

static void test_demo_seed__scales_and_handles_tiny_sizes(void **state)
{
	struct ry_test_ws ws;
	(void)state;
	seed(&ws, 2000, 10, 1);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs"), 2000);
	assert_true(one_int(ws.st, "SELECT sum(n) FROM metric_summary") > 2000 * 10 * 3);
	ry_test_ws_close(&ws);
	seed(&ws, 1, 1, 1);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs"), 1);
	ry_test_ws_close(&ws);
	seed(&ws, 0, 0, 1);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs"), 0);
	ry_test_ws_close(&ws);
	seed(&ws, 5, 0, 1);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM metric_chunks"), 0);
	ry_test_ws_close(&ws);
}

static void test_demo_seed__adds_to_existing_workspace(void **state)
{
	struct ry_test_ws ws;
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	(void)state;
	seed(&ws, 8, 5, 1);
	o.runs = 8;
	o.steps = 5;
	assert_int_equal(ry_demo_seed(ws.st, &o), 0);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs"), 16);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM experiments"), 3);
	o.runs = 20000000;
	assert_int_equal(ry_demo_seed(ws.st, &o), RY_EINVAL);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs"), 16);
	ry_test_ws_close(&ws);
}

/* The demo shows the registry and is honest about its hosts (issue 13). */
static void test_demo_seed__registry_and_simulated_hosts(void **state)
{
	struct ry_test_ws ws;
	ry_model *m = NULL;
	size_t n = 0;
	ry_model_event *ev = NULL;
	size_t nev = 0, moves = 0, refused = 0;
	int64_t v = 0;
	(void)state;
	seed(&ws, 72, 50, 42);
	/* two models, each with versions, a champion and a challenger */
	assert_int_equal(ry_registry_models(ws.st, &m, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_true(m[i].nversions >= 2);
		assert_int_equal(ry_registry_alias_get(ws.st, m[i].name, "champion", &v), 0);
		assert_true(v > 0);
		/* the artifact is really in the store: verify re-hashes it */
		assert_int_equal(ry_registry_verify(ws.st, m[i].name, v), 0);
		assert_int_equal(ry_registry_alias_get(ws.st, m[i].name, "challenger", &v), 0);
		assert_true(v > 0);
		assert_int_equal(ry_registry_history(ws.st, m[i].name, &ev, &nev), 0);
		for (size_t k = 0; k < nev; k++) {
			moves += !strcmp(ev[k].kind, "alias.set") && ev[k].from_version > 0;
			refused += !strcmp(ev[k].kind, "alias.refused");
		}
		ry_model_events_free(ev, nev);
	}
	ry_models_free(m, n);
	assert_true(moves >= 2);   /* a gated promotion and a move by hand */
	assert_true(refused >= 1); /* a gated promotion that was refused */
	/* artifacts for a bounded number of runs, one unregistered candidate */
	assert_true(one_int(ws.st, "SELECT count(DISTINCT run_id) FROM artifacts") <= 10);
	assert_true(one_int(ws.st, "SELECT count(*) FROM artifacts a WHERE NOT EXISTS (SELECT 1 FROM "
	                           "model_versions v WHERE v.run_id = a.run_id)") >= 1);
	/* every demo host is simulated; running runs carry their planned end */
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM hosts WHERE simulated = 0"), 0);
	assert_int_equal(one_int(ws.st, "SELECT count(*) FROM runs r WHERE r.status = 'running' AND NOT EXISTS "
	                                "(SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.key = 'simulated' "
	                                "AND CAST(t.value AS REAL) > r.started)"), 0);
	ry_test_ws_close(&ws);

	/* models = false (the bench): no artifacts, no registry */
	{
		ry_demo_options o = RY_DEMO_OPTIONS_INIT;
		o.runs = 72;
		o.steps = 10;
		o.models = false;
		ry_test_ws_open(&ws);
		assert_int_equal(ry_demo_seed(ws.st, &o), 0);
		assert_int_equal(one_int(ws.st, "SELECT count(*) FROM artifacts"), 0);
		assert_int_equal(one_int(ws.st, "SELECT count(*) FROM models"), 0);
		ry_test_ws_close(&ws);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_seed__default_workspace_is_believable),
		cmocka_unit_test(test_demo_hosts__gpu_check_reads_the_canned_probe),
		cmocka_unit_test(test_demo_seed__curves_look_like_training),
		cmocka_unit_test(test_demo_seed__same_seed_same_data),
		cmocka_unit_test(test_demo_seed__scales_and_handles_tiny_sizes),
		cmocka_unit_test(test_demo_seed__adds_to_existing_workspace),
		cmocka_unit_test(test_demo_seed__registry_and_simulated_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
