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
#include "plugin/plugin_internal.h"
#include "registry/artifact.h"
#include "registry/registry.h"

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

/* ---- a tracker with fingerprints, artifacts, a registry and export ------ */

/* source "v1" or "v2": run m1 with fingerprint = the source (v2 adds a point
 * and a tag), an artifact that stays at the source, then a registry. */
static int reg_import(void *self, const char *since, char **cursor)
{
	struct fake *f = self;
	const ry_plugin_services *s = f->svc;
	ry_plugin_run run = RY_PLUGIN_RUN_INIT;
	ry_plugin_point pts[3] = { { 0, 1700000000, 1.0 }, { 1, 1700000001, 0.5 }, { 2, 1700000002, 0.25 } };
	bool v2 = !strcmp(f->source, "v2");
	int rc;
	(void)since;
	*cursor = NULL;
	if ((rc = s->run_unchanged(s->host, "m1", f->source)) != 0)
		return rc < 0 ? rc : 0; /* 1: skipped, as a real plugin does */
	run.id = "m1";
	run.experiment = "reg";
	run.name = "mlrun";
	run.git_commit = "0123456789abcdef0123456789abcdef01234567";
	run.fingerprint = f->source;
	if ((rc = s->run_begin(s->host, &run)) || (rc = s->run_param(s->host, "lr", "0.1")) ||
	    (v2 && (rc = s->run_tag(s->host, "stage", "two"))) ||
	    (rc = s->run_metric(s->host, "loss", pts, v2 ? 3 : 2)) ||
	    (rc = s->run_artifact(s->host, "model/model.pkl", "s3://bucket/m1/model/model.pkl", 1234)))
		return rc;
	return s->run_end(s->host, "finished", 1700000100);
}

static int reg_sync(void *self)
{
	struct fake *f = self;
	const ry_plugin_services *s = f->svc;
	ry_plugin_kv tags[] = { { "team", "vision" }, { "domain", "images" } };
	ry_plugin_model m = RY_PLUGIN_MODEL_INIT;
	ry_plugin_model_version v = RY_PLUGIN_MODEL_VERSION_INIT;
	int rc;
	m.name = "detector";
	m.description = "finds things";
	m.tags = tags;
	m.ntags = 2;
	if ((rc = s->model_put(s->host, &m)))
		return rc;
	v.model = "detector";
	v.number = 1;
	v.run_id = "m1";
	v.source_uri = "runs:/m1/model";
	if ((rc = s->model_version_put(s->host, &v)))
		return rc;
	v.number = 3; /* the source's numbering is kept, gaps and all */
	v.run_id = "not-imported";
	v.description = "retrained";
	if ((rc = s->model_version_put(s->host, &v)))
		return rc;
	if ((rc = s->model_alias_put(s->host, "detector", "champion", strcmp(f->source, "v2") ? 1 : 3)))
		return rc;
	/* a model of that name from elsewhere is not the source's to change:
	 * refused (the registry test checks it stays as it was) */
	m.name = "local";
	rc = s->model_put(s->host, &m);
	return rc == RY_PLUGIN_EEXISTS ? 0 : rc;
}

/* export_run: read the run and annotate it with what it got "there". */
static int reg_export(void *self, const char *uuid)
{
	struct fake *f = self;
	const ry_plugin_services *s = f->svc;
	const ry_plugin_run_data *d;
	int rc;
	if ((rc = s->run_read(s->host, uuid, &d)))
		return rc;
	if (d->nmetrics != 1 || strcmp(d->metrics[0].key, "loss") || d->metrics[0].n != 3 ||
	    d->metrics[0].points[2].value != 0.25 || d->nparams != 1 || strcmp(d->params[0].value, "0.1") ||
	    !d->git_commit || strcmp(d->status, "finished"))
		return s->error(s->host, RY_PLUGIN_ERROR, "run_read gave something else than was imported");
	char *id = ry_xasprintf("there-%s", d->name);
	rc = s->run_annotate(s->host, uuid, "fake2.pushed", id);
	free(id);
	return rc;
}

static int reg_export_model(void *self, const char *model, int64_t number, const char *alias)
{
	struct fake *f = self;
	const ry_plugin_model_version *v;
	int rc = f->svc->model_read(f->svc->host, model, number, &v);
	if (rc)
		return rc;
	/* v3 came from a run that was not imported: no run */
	if (strcmp(v->source_uri, "runs:/m1/model") || v->run_id || v->naliases != 1 ||
	    strcmp(v->aliases[0], alias))
		return f->svc->error(f->svc->host, RY_PLUGIN_ERROR, "model_read gave something else");
	return 0;
}

static const ry_tracker_ops reg_ops = {
	.version = RY_PLUGIN_ABI, .name = "reg", .open = fake_open, .import_runs = reg_import,
	.sync_registry = reg_sync, .export_run = reg_export, .export_model = reg_export_model,
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
	assert_int_equal(ry_plugin_register_tracker(&reg_ops), 0);
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

static int import_with(ry_store *st, const char *plugin, const char *source, ry_plugin_import_stats *stats)
{
	ry_plugin *p;
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, plugin), 0);
	int rc = ry_plugin_import(st, p, source, NULL, stats);
	if (rc)
		print_message("import %s %s: %s\n", plugin, source, ry_error_last());
	ry_plugin_free(p);
	return rc;
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
	assert_int_equal(n, 2); /* fake, reg */
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

static void test_import__fingerprint_skips_an_unchanged_run(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_stats stats;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import_with(ws.st, "reg", "v1", &stats), 0);
	assert_int_equal(stats.runs_new, 1);
	assert_int_equal(stats.points, 2);
	assert_int_equal(import_with(ws.st, "reg", "v1", &stats), 0);
	assert_int_equal(stats.runs_new + stats.runs_updated, 0);
	assert_int_equal(stats.runs_unchanged, 1);
	assert_int_equal(stats.registry_changes, 0);
	assert_int_equal(import_with(ws.st, "reg", "v2", &stats), 0);
	assert_int_equal(stats.runs_updated, 1);
	assert_int_equal(stats.points, 1);
	assert_int_equal(count_runs(ws.st, "source = \"plugin:reg\""), 1);
	ry_test_ws_close(&ws);
}

static void test_import__git_and_artifacts_that_stay_at_the_source(void **state)
{
	struct ry_test_ws ws;
	ry_artifact *a;
	size_t n;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import_with(ws.st, "reg", "v1", NULL), 0);
	assert_int_equal(import_with(ws.st, "reg", "v2", NULL), 0);
	ry_run *r = NULL;
	assert_int_equal(ry_run_find(&r, ws.st, "mlrun"), 0);
	assert_string_equal(r->git_commit, "0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(ry_artifact_list(ws.st, r->id, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].path, "model/model.pkl");
	assert_string_equal(a[0].sha256, "");
	assert_string_equal(a[0].uri, "s3://bucket/m1/model/model.pkl");
	assert_int_equal(a[0].size, 1234);
	ry_artifacts_free(a, n);
	ry_run_free(r);
	ry_test_ws_close(&ws);
}

static void test_import__registry_kept_as_the_source_numbers_it(void **state)
{
	struct ry_test_ws ws;
	ry_plugin_import_stats stats;
	ry_model_version *v;
	ry_model *m;
	ry_model_event *e;
	size_t n, ne, ne2;
	int64_t at;
	(void)state;
	ry_test_ws_open(&ws);
	/* a model of the workspace's own, which the import must not touch */
	assert_int_equal(ry_registry_import_model(ws.st, "local", "local", "mine", NULL, 0, NULL), 0);
	assert_int_equal(import_with(ws.st, "reg", "v1", &stats), 0);
	assert_int_equal(stats.registry_changes, 4); /* model, two versions, alias */
	assert_int_equal(ry_registry_model(ws.st, "detector", &m), 0);
	assert_string_equal(m->description, "finds things");
	assert_string_equal(m->tags, "domain=images,team=vision");
	assert_string_equal(m->source, "plugin:reg");
	ry_models_free(m, 1);
	assert_int_equal(ry_registry_versions(ws.st, "detector", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].version, 3);
	assert_int_equal(v[0].run_id, 0); /* its run was not imported */
	assert_int_equal(v[1].version, 1);
	assert_string_equal(v[1].run_name, "mlrun");
	assert_string_equal(v[1].source_uri, "runs:/m1/model");
	assert_string_equal(v[1].sha256, "");
	ry_model_versions_free(v, n);
	assert_int_equal(ry_registry_alias_get(ws.st, "detector", "champion", &at), 0);
	assert_int_equal(at, 1);
	/* held elsewhere: verify and export say where it lives */
	assert_int_equal(ry_registry_verify(ws.st, "detector", 1), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "runs:/m1/model"));
	assert_int_equal(ry_registry_model(ws.st, "local", &m), 0);
	assert_string_equal(m->description, "mine");
	ry_models_free(m, 1);

	/* again, unchanged: nothing written, no event */
	assert_int_equal(ry_registry_history(ws.st, "detector", &e, &ne), 0);
	ry_model_events_free(e, ne);
	assert_int_equal(import_with(ws.st, "reg", "v1", &stats), 0);
	assert_int_equal(stats.registry_changes, 0);
	assert_int_equal(ry_registry_history(ws.st, "detector", &e, &ne2), 0);
	ry_model_events_free(e, ne2);
	assert_int_equal(ne2, ne);
	/* the source moved the alias: so does the workspace, with an event */
	assert_int_equal(import_with(ws.st, "reg", "v2", &stats), 0);
	assert_int_equal(stats.registry_changes, 1);
	assert_int_equal(ry_registry_alias_get(ws.st, "detector", "champion", &at), 0);
	assert_int_equal(at, 3);
	ry_test_ws_close(&ws);
}

static void test_export__reads_the_run_and_annotates_it(void **state)
{
	struct ry_test_ws ws;
	ry_plugin *p;
	int64_t done;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(import_with(ws.st, "reg", "v2", NULL), 0);
	ry_run *r = NULL;
	assert_int_equal(ry_run_find(&r, ws.st, "mlrun"), 0);
	const char *uuids[] = { r->uuid };
	assert_int_equal(ry_plugin_find(&p, RY_PLUGIN_TRACKER, "reg"), 0);
	assert_int_equal(ry_plugin_export(ws.st, p, "dest", uuids, 1, NULL, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(ry_plugin_export_model(ws.st, p, "dest", "detector", 3, "champion", NULL), 0);
	/* the fake tracker cannot push: a clear refusal, nothing pushed */
	ry_plugin *fake;
	assert_int_equal(ry_plugin_find(&fake, RY_PLUGIN_TRACKER, "fake"), 0);
	assert_int_equal(ry_plugin_export(ws.st, fake, "dest", uuids, 1, NULL, &done), RY_EREFUSED);
	assert_int_equal(done, 0);
	ry_plugin_free(fake);
	ry_plugin_free(p);
	ry_run_free(r);
	assert_int_equal(ry_run_find(&r, ws.st, "mlrun"), 0);
	const char *tag = NULL;
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i].key, "fake2.pushed"))
			tag = r->tags[i].value;
	assert_non_null(tag);
	assert_string_equal(tag, "there-mlrun");
	ry_run_free(r);
	ry_test_ws_close(&ws);
}

/* ---- the exec protocol from memory (ry_plugin__exec_replay) ----------- */

static int64_t replay_version = 0;
static int replay_versions = 0;
static int64_t replay_size = 0;

static int replay_version_put(ry_plugin_host *h, const ry_plugin_model_version *v)
{
	(void)h;
	replay_versions++;
	replay_version = v->number;
	return 0;
}

static int replay_artifact(ry_plugin_host *h, const char *path, const char *uri, int64_t size)
{
	(void)h, (void)path, (void)uri;
	replay_size = size;
	return 0;
}

static void replay_log(ry_plugin_host *h, int level, const char *message)
{
	(void)h, (void)level, (void)message;
}

/* Numbers a plugin sends past int64_t's range (fuzz_exec: 8.9e122, whose
 * conversion is undefined and came out as INT64_MIN): a version number is
 * refused, an artifact's size is unknown, a param is written as it is. */
static void test_exec_replay__numbers_out_of_range(void **state)
{
	ry_plugin_services svc;
	unsigned kinds;
	(void)state;
	memset(&svc, 0, sizeof svc);
	svc.version = RY_PLUGIN_ABI;
	svc.model_version_put = replay_version_put;
	svc.run_artifact = replay_artifact;
	svc.log = replay_log;
	static const char ok[] = "{\"protocol\":1,\"kinds\":[\"tracker\"]}\n"
	                         "{\"id\":1,\"event\":\"artifact\",\"path\":\"m\",\"uri\":\"s3://x\",\"size\":1e300}\n"
	                         "{\"id\":1,\"event\":\"model_version\",\"model\":\"m\",\"version\":3}\n"
	                         "{\"id\":1,\"ok\":true}\n";
	assert_int_equal(ry_plugin__exec_replay(&svc, ok, strlen(ok), &kinds), RY_EIO); /* the text ends */
	assert_int_equal(kinds, RY_PLUGIN_TRACKER);
	assert_int_equal(replay_size, -1);
	assert_int_equal(replay_versions, 1);
	assert_int_equal(replay_version, 3);
	static const char big[] = "{\"protocol\":1,\"kinds\":[\"tracker\"]}\n"
	                          "{\"id\":1,\"event\":\"model_version\",\"model\":\"m\",\"version\":8.9e122}\n";
	assert_int_equal(ry_plugin__exec_replay(&svc, big, strlen(big), &kinds), RY_EIO);
	assert_non_null(strstr(ry_error_last(), "\"version\" number"));
	assert_int_equal(replay_versions, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register__refuses_other_abi_bad_names_and_twice),
		cmocka_unit_test(test_exec_replay__numbers_out_of_range),
		cmocka_unit_test(test_find__builtin_unknown_and_bad_name),
		cmocka_unit_test(test_list__shows_the_builtin),
		cmocka_unit_test(test_import__run_with_params_tags_metrics),
		cmocka_unit_test(test_import__again_skips_then_updates_in_place),
		cmocka_unit_test(test_import__failure_mid_run_rolls_that_run_back),
		cmocka_unit_test(test_import__returning_with_a_run_open_imports_none_of_it),
		cmocka_unit_test(test_import__fingerprint_skips_an_unchanged_run),
		cmocka_unit_test(test_import__git_and_artifacts_that_stay_at_the_source),
		cmocka_unit_test(test_import__registry_kept_as_the_source_numbers_it),
		cmocka_unit_test(test_export__reads_the_run_and_annotates_it),
		cmocka_unit_test(test_import__cancel_stops_before_the_next_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
