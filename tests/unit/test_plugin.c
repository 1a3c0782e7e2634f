/*
 * The plugin host with a fake tracker registered in C exactly as the binary
 * registers its built-ins: imports go through the services into the
 * workspace, a second import updates or skips, and a plugin that fails in
 * the middle of a run leaves nothing of that run.
 */
#include <math.h>
#include <stdatomic.h>

#include "testutil.h"
#include "plugin/plugin_host.h"

/* ---- the fake tracker --------------------------------------------------- */

struct fake {
	const ry_plugin_services *svc;
	char *source;
};

static int fake_open(void **self, void *data, const ry_plugin_services *svc, const char *source)
{
	struct fake *f = calloc(1, sizeof *f);
	(void)data;
	f->svc = svc;
	f->source = strdup(source);
	*self = f;
	return 0;
}

static void fake_close(void *self)
{
	struct fake *f = self;
	if (f)
		free(f->source);
	free(f);
}

/* Run r1: params, tags, a loss history of `steps` points (one NaN). */
static int send_r1(struct fake *f, int steps)
{
	const ry_plugin_services *s = f->svc;
	ry_plugin_run run = RY_PLUGIN_RUN_INIT;
	ry_plugin_point pts[16];
	int rc;
	run.id = "r1";
	run.experiment = "imported";
	run.name = "first";
	run.started = 1700000000;
	if ((rc = s->run_begin(s->host, &run)) || (rc = s->run_param(s->host, "lr", "0.01")) ||
	    (rc = s->run_param(s->host, "optimizer", "adam")) || (rc = s->run_tag(s->host, "team", "vision")))
		return rc;
	for (int i = 0; i < steps; i++)
		pts[i] = (ry_plugin_point){ i, 1700000000 + i, i == 2 ? NAN : 1.0 / (i + 1) };
	/* two batches of one key continue each other */
	if ((rc = s->run_metric(s->host, "loss", pts, 2)) || (rc = s->run_metric(s->host, "loss", pts + 2, (size_t)steps - 2)))
		return rc;
	return s->run_end(s->host, "finished", 1700000100);
}

static int send_r2(struct fake *f)
{
	const ry_plugin_services *s = f->svc;
	ry_plugin_run run = RY_PLUGIN_RUN_INIT;
	ry_plugin_point p = { 0, 0, 0.5 };
	int rc;
	run.id = "r2";
	run.experiment = "imported";
	if ((rc = s->run_begin(s->host, &run)) || (rc = s->run_metric(s->host, "acc", &p, 1)))
		return rc;
	return s->run_end(s->host, "failed", 0);
}

/* Raised by the fake's "cancel-after-r1" source, as a UI thread would. */
static atomic_int cancel_flag;

static int fake_import(void *self, const char *since, char **cursor)
{
	struct fake *f = self;
	int rc;
	(void)since;
	*cursor = NULL;
	if (!strcmp(f->source, "good"))
		return (rc = send_r1(f, 4)) ? rc : send_r2(f);
	if (!strcmp(f->source, "more"))
		return (rc = send_r1(f, 6)) ? rc : send_r2(f);
	if (!strcmp(f->source, "fail-mid")) {
		const ry_plugin_services *s = f->svc;
		ry_plugin_run run = RY_PLUGIN_RUN_INIT;
		ry_plugin_point p = { 0, 0, 1 };
		if ((rc = send_r1(f, 4)))
			return rc;
		run.id = "r3";
		if ((rc = s->run_begin(s->host, &run)) || (rc = s->run_param(s->host, "lr", "0.1")) ||
		    (rc = s->run_metric(s->host, "loss", &p, 1)))
			return rc;
		return s->error(s->host, RY_PLUGIN_EIO, "the source went away");
	}
	if (!strcmp(f->source, "cancel-after-r1")) {
		if ((rc = send_r1(f, 4)))
			return rc;
		atomic_store(&cancel_flag, 1);
		return send_r2(f);
	}
	if (!strcmp(f->source, "no-end")) {
		ry_plugin_run run = RY_PLUGIN_RUN_INIT;
		run.id = "r4";
		return f->svc->run_begin(f->svc->host, &run);
	}
	return f->svc->error(f->svc->host, RY_PLUGIN_ENOTFOUND, "no such source");
}

static const ry_tracker_ops fake_ops = {
	.version = RY_PLUGIN_ABI, .name = "fake", .open = fake_open, .import_runs = fake_import,
	.close = fake_close,
};

/* ---- helpers ------------------------------------------------------------ */

static char *empty_path;

static int setup(void **state)
{
	(void)state;
	/* No exec plugin of the machine may answer for a name (the system's
	 * directories stay for rm). */
	empty_path = ry_test_tmpdir();
	char *path = ry_xasprintf("%s:/usr/bin:/bin", empty_path);
	setenv("PATH", path, 1);
	free(path);
	setenv("XDG_DATA_HOME", empty_path, 1);
	ry_plugin_unregister_all();
	assert_int_equal(ry_plugin_register_tracker(&fake_ops), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ry_plugin_unregister_all();
	ry_test_rmdir(empty_path);
	return 0;
}

static size_t count_runs(ry_store *st, const char *filter)
{
	ry_runlist *l;
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	o.filter = filter;
	assert_int_equal(ry_runlist_open(&l, st, &o), 0);
	size_t n = ry_runlist_count(l);
	ry_runlist_free(l);
	return n;
}

static int import(ry_store *st, const char *source, ry_plugin_import_stats *stats)
{
	ry_plugin *p;
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "fake"), 0);
	int rc = ry_plugin_import(st, p, source, NULL, stats);
	ry_plugin_free(p);
	return rc;
}

static ry_run *run_by_ext_id(ry_store *st, const char *id)
{
	ry_runlist *l;
	ry_run *r = NULL;
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	char *f = ry_xasprintf("tags.\"fake.run_id\" = \"%s\"", id);
	o.filter = f;
	assert_int_equal(ry_runlist_open(&l, st, &o), 0);
	if (ry_runlist_count(l) == 1)
		assert_int_equal(ry_run_get(&r, st, ry_runlist_id(l, 0)), 0);
	ry_runlist_free(l);
	free(f);
	return r;
}

/* ---- tests -------------------------------------------------------------- */

static void test_register__refuses_other_abi_bad_names_and_twice(void **state)
{
	ry_tracker_ops other = fake_ops, badname = fake_ops;
	(void)state;
	other.version = RY_PLUGIN_ABI + 1;
	other.name = "other";
	badname.name = "../evil";
	assert_int_equal(ry_plugin_register_tracker(&other), RY_EINVAL);
	assert_int_equal(ry_plugin_register_tracker(&badname), RY_EINVAL);
	assert_int_equal(ry_plugin_register_tracker(&fake_ops), RY_EEXISTS);
}

static void test_find__builtin_unknown_and_bad_name(void **state)
{
	ry_plugin *p;
	(void)state;
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "fake"), 0);
	assert_string_equal(ry_plugin_where(p), "built-in");
	ry_plugin_free(p);
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "nosuch"), RY_ENOTFOUND);
	assert_null(p);
	assert_non_null(strstr(ry_error_last(), "runyard-plugin-nosuch"));
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "a/b"), RY_EINVAL);
	/* a serving lookup does not return a tracker */
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_SERVING, "fake"), RY_ENOTFOUND);
}

static void test_list__shows_the_builtin(void **state)
{
	ry_plugin_info *v;
	size_t n;
	(void)state;
	assert_int_equal(ry_plugin_list(&v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "fake");
	assert_true(v[0].builtin && v[0].ok);
	assert_int_equal(v[0].kinds, RY_PLUGIN_TRACKER);
	assert_int_equal(v[0].protocol, RY_PLUGIN_ABI);
	ry_plugin_infos_free(v, n);
}

static void test_import__run_with_params_tags_metrics(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_stats stats;
	ry_point *pts;
	size_t n;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import(ws.st, "good", &stats), 0);
	assert_int_equal(stats.runs_new, 2);
	assert_int_equal(stats.runs_updated + stats.runs_unchanged, 0);
	assert_int_equal(stats.points, 5);
	ry_run *r = run_by_ext_id(ws.st, "r1");
	assert_non_null(r);
	assert_string_equal(r->source, "plugin:fake");
	assert_string_equal(r->experiment, "imported");
	assert_string_equal(r->name, "first");
	assert_string_equal(r->status, "finished");
	assert_true(fabs(r->started - 1700000000) < 1e-3 && fabs(r->ended - 1700000100) < 1e-3);
	assert_int_equal(r->nparams, 2);
	assert_string_equal(r->params[0].key, "lr");
	assert_string_equal(r->params[0].value, "0.01");
	assert_int_equal(r->ntags, 2);
	assert_string_equal(r->tags[0].key, "fake.run_id");
	assert_string_equal(r->tags[0].value, "r1");
	assert_string_equal(r->tags[1].key, "team");
	assert_int_equal(ry_metrics_read(ws.st, r->id, "loss", &pts, &n), 0);
	assert_int_equal(n, 4);
	assert_true(isnan(pts[2].value));
	assert_int_equal(pts[3].step, 3);
	assert_true(fabs(pts[3].value - 0.25) < 1e-12);
	free(pts);
	ry_run_free(r);
	r = run_by_ext_id(ws.st, "r2");
	assert_non_null(r);
	assert_string_equal(r->status, "failed");
	ry_run_free(r);
	ry_test_ws_close(&ws);
}

static void test_import__again_skips_then_updates_in_place(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_stats stats;
	ry_point *pts;
	size_t n;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import(ws.st, "good", &stats), 0);
	ry_run *before = run_by_ext_id(ws.st, "r1");
	assert_int_equal(import(ws.st, "good", &stats), 0);
	assert_int_equal(stats.runs_new, 0);
	assert_int_equal(stats.runs_unchanged, 2);
	assert_int_equal(stats.points, 0);
	assert_int_equal(count_runs(ws.st, NULL), 2);
	/* the source grew: two more points of r1 */
	assert_int_equal(import(ws.st, "more", &stats), 0);
	assert_int_equal(stats.runs_new, 0);
	assert_int_equal(stats.runs_updated, 1);
	assert_int_equal(stats.runs_unchanged, 1);
	assert_int_equal(stats.points, 2);
	assert_int_equal(count_runs(ws.st, NULL), 2);
	ry_run *after = run_by_ext_id(ws.st, "r1");
	assert_int_equal(after->id, before->id);
	assert_int_equal(ry_metrics_read(ws.st, after->id, "loss", &pts, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(pts[5].step, 5);
	free(pts);
	ry_run_free(before);
	ry_run_free(after);
	ry_test_ws_close(&ws);
}

static void test_import__failure_mid_run_rolls_that_run_back(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_stats stats;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import(ws.st, "fail-mid", &stats), RY_EIO);
	assert_non_null(strstr(ry_error_last(), "plugin fake: the source went away"));
	assert_int_equal(stats.runs_new, 1);
	/* r1 finished before the failure and stays; nothing of r3 */
	assert_int_equal(count_runs(ws.st, NULL), 1);
	assert_null(run_by_ext_id(ws.st, "r3"));
	ry_run *r1 = run_by_ext_id(ws.st, "r1");
	assert_non_null(r1);
	ry_run_free(r1);
	/* the store is usable afterwards, outside any transaction */
	assert_int_equal(import(ws.st, "good", &stats), 0);
	assert_int_equal(stats.runs_new, 1);
	assert_int_equal(stats.runs_unchanged, 1);
	ry_test_ws_close(&ws);
}

static void test_import__returning_with_a_run_open_imports_none_of_it(void **state)
{
	struct ry_test_ws ws;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import(ws.st, "no-end", NULL), RY_ERROR);
	assert_non_null(strstr(ry_error_last(), "still open"));
	assert_int_equal(count_runs(ws.st, NULL), 0);
	assert_int_equal(import(ws.st, "nowhere", NULL), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "no such source"));
	ry_test_ws_close(&ws);
}

static void test_import__cancel_stops_before_the_next_run(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_options o = RY_PLUGIN_IMPORT_OPTIONS_INIT;
	ry_plugin_import_stats stats;
	ry_plugin *p;
	(void)state;
	ry_test_ws_open(&ws);
	atomic_store(&cancel_flag, 0);
	o.cancel = &cancel_flag;
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "fake"), 0);
	assert_int_equal(ry_plugin_import(ws.st, p, "cancel-after-r1", &o, &stats), RY_ERROR);
	assert_non_null(strstr(ry_error_last(), "plugin fake: import cancelled"));
	/* r1 was committed before the cancel; r2 was refused at its begin */
	assert_int_equal(stats.runs_new, 1);
	assert_int_equal(count_runs(ws.st, NULL), 1);
	assert_null(run_by_ext_id(ws.st, "r2"));
	/* a flag that stays down changes nothing */
	atomic_store(&cancel_flag, 0);
	assert_int_equal(ry_plugin_import(ws.st, p, "good", &o, &stats), 0);
	assert_int_equal(stats.runs_new, 1);
	ry_plugin_free(p);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register__refuses_other_abi_bad_names_and_twice),
		cmocka_unit_test(test_find__builtin_unknown_and_bad_name),
		cmocka_unit_test(test_list__shows_the_builtin),
		cmocka_unit_test(test_import__run_with_params_tags_metrics),
		cmocka_unit_test(test_import__again_skips_then_updates_in_place),
		cmocka_unit_test(test_import__failure_mid_run_rolls_that_run_back),
		cmocka_unit_test(test_import__returning_with_a_run_open_imports_none_of_it),
		cmocka_unit_test(test_import__cancel_stops_before_the_next_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
