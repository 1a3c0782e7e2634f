/*
 * The model registry on real workspace files: promotion and dedup, artifact
 * choice, gates (pass, refuse, preview), aliases as compare-and-set, the
 * audit trail, resolving NAME@X, corruption, deleting source runs, and the
 * model card.
 */
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>

struct fx {
	struct ry_test_ws ws;
	int nfiles;
};

static int setup(void **state)
{
	struct fx *f = ry_xcalloc(1, sizeof *f);
	ry_test_ws_open(&f->ws);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ry_test_ws_close(&f->ws);
	free(f);
	return 0;
}

/* A finished run with `content` recorded as artifact `rel` (NULL: none)
 * and metric `key` ending at `last` (key NULL: none). */
static int64_t run_with(struct fx *f, const char *rel, const char *content, const char *key, double last)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	int64_t id;
	spec.experiment = "exp";
	spec.status = "finished";
	spec.command = "python train.py --lr 0.1";
	assert_int_equal(ry_run_create(f->ws.st, &spec, &id, NULL), 0);
	assert_int_equal(ry_run_set_param(f->ws.st, id, "lr", "0.1"), 0);
	assert_int_equal(ry_run_set_param(f->ws.st, id, "dataset", "s3://bucket/train.csv"), 0);
	if (rel) {
		char *path = ry_xasprintf("%s/file%d", f->ws.dir, f->nfiles++), hex[65];
		int64_t size;
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(content, fp);
		fclose(fp);
		assert_int_equal(ry_artifact_put(f->ws.st, path, hex, &size), 0);
		assert_int_equal(ry_artifact_record(f->ws.st, id, rel, hex, size), 0);
		free(path);
	}
	if (key) {
		ry_metrics_writer *w;
		assert_int_equal(ry_metrics_writer_new(&w, f->ws.st), 0);
		assert_int_equal(ry_metrics_append(w, id, key, 0, ry_now(), last / 2), 0);
		assert_int_equal(ry_metrics_append(w, id, key, 1, ry_now(), last), 0);
		assert_int_equal(ry_metrics_flush(w), 0);
		ry_metrics_writer_free(w);
	}
	return id;
}

static size_t count_kind(ry_store *st, const char *model, const char *kind)
{
	ry_model_event *e;
	size_t n, k = 0;
	assert_int_equal(ry_registry_history(st, model, &e, &n), 0);
	for (size_t i = 0; i < n; i++)
		k += !strcmp(e[i].kind, kind);
	ry_model_events_free(e, n);
	return k;
}

static void test_names(void **state)
{
	assert_int_equal(ry_registry_check_model_name(NULL), RY_EINVAL);
	assert_int_equal(ry_registry_check_model_name(""), RY_EINVAL);
	assert_int_equal(ry_registry_check_model_name("churn@x"), RY_EINVAL);
	assert_int_equal(ry_registry_check_model_name("-x"), RY_EINVAL);
	assert_int_equal(ry_registry_check_model_name("a b"), RY_EINVAL);
	assert_int_equal(ry_registry_check_model_name("churn-v2.1_x"), 0);
	assert_int_equal(ry_registry_check_alias_name("champion"), 0);
	assert_int_equal(ry_registry_check_alias_name("3"), RY_EINVAL);
	assert_int_equal(ry_registry_check_alias_name("latest"), RY_EINVAL);
	assert_int_equal(ry_registry_check_alias_name("a\x1b[0m"), RY_EINVAL);
	assert_null(strchr(ry_error_last(), '\x1b'));
}

static void test_empty_registry(void **state)
{
	struct fx *f = *state;
	ry_model *m = NULL;
	ry_model_version *v = NULL;
	ry_model_event *e = NULL;
	size_t n = 9;
	char *model;
	int64_t ver;
	assert_int_equal(ry_registry_models(f->ws.st, &m, &n), 0);
	assert_int_equal(n, 0);
	ry_models_free(m, n);
	assert_int_equal(ry_registry_versions(f->ws.st, "nope", &v, &n), RY_ENOTFOUND);
	assert_int_equal(ry_registry_resolve(f->ws.st, "nope@champion", &model, &ver), RY_ENOTFOUND);
	assert_int_equal(ry_registry_history(f->ws.st, "nope", &e, &n), 0);
	assert_int_equal(n, 0);
	ry_model_events_free(e, n);
}

static void test_promote_registers_and_dedups(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_promote_result r;
	ry_model_version *v;
	ry_model *m;
	size_t n;
	int64_t run1 = run_with(f, "model.pt", "weights-1", NULL, 0);
	int64_t run2 = run_with(f, "out/model.pt", "weights-1", NULL, 0); /* same bytes */
	int64_t run3 = run_with(f, "model.pt", "weights-3", NULL, 0);

	o.model = "churn";
	o.run_id = run1;
	o.note = "first";
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 1);
	assert_true(r.model_created);
	assert_false(r.existing);
	/* The same content from another run is the existing version. */
	o.run_id = run2;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 1);
	assert_true(r.existing);
	assert_false(r.model_created);
	o.run_id = run3;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 2);

	assert_int_equal(ry_registry_versions(f->ws.st, "churn", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].version, 2);
	assert_int_equal(v[0].run_id, run3);
	assert_int_equal(v[1].run_id, run1);
	assert_string_equal(v[1].description, "first");
	assert_string_equal(v[1].artifact_path, "model.pt");
	assert_string_equal(v[1].experiment, "exp");
	assert_int_equal(v[1].size, 9);
	assert_non_null(v[1].created_by);
	ry_model_versions_free(v, n);
	assert_int_equal(ry_registry_model(f->ws.st, "churn", &m), 0);
	assert_int_equal(m->nversions, 2);
	assert_int_equal(m->latest, 2);
	ry_models_free(m, 1);
	assert_int_equal(count_kind(f->ws.st, "churn", "version.create"), 2);
	assert_int_equal(count_kind(f->ws.st, "churn", "model.create"), 1);
}

static void test_promote_artifact_choice(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_promote_result r;
	int64_t none = run_with(f, NULL, NULL, NULL, 0);
	int64_t two = run_with(f, "ckpt/model.pt", "w", NULL, 0);
	char *path = ry_xasprintf("%s/extra", f->ws.dir), hex[65];
	int64_t size;
	FILE *fp = fopen(path, "w");
	fputs("cfg", fp);
	fclose(fp);
	assert_int_equal(ry_artifact_put(f->ws.st, path, hex, &size), 0);
	assert_int_equal(ry_artifact_record(f->ws.st, two, "config.json", hex, size), 0);
	free(path);

	o.model = "m";
	o.run_id = none;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "no artifacts"));
	o.run_id = two;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "--artifact"));
	o.artifact = "missing.bin";
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EINVAL);
	o.artifact = "model.pt"; /* unique basename */
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 1);
	o.artifact = "config.json";
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 2);
	o.run_id = 9999;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_ENOTFOUND);
	/* Bad options are refused before anything is read. */
	o.run_id = two;
	o.gate_metric = "acc";
	o.gate_goal = 1;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EINVAL);
}

static void test_gate_pass_refuse_preview(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_promote_result r;
	ry_gate g;
	ry_model_version *v;
	size_t n;
	int64_t a = run_with(f, "m.pt", "A", "val_acc", 0.80);
	int64_t b = run_with(f, "m.pt", "B", "val_acc", 0.90);
	int64_t c = run_with(f, "m.pt", "C", "val_acc", 0.85);
	int64_t d = run_with(f, "m.pt", "D", "loss", 0.1);
	int64_t holder;

	o.model = "clf";
	o.alias = "@champion";
	o.gate_metric = "val_acc";
	o.gate_goal = 1;
	o.run_id = a;
	/* Unset alias: the first candidate takes it. */
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_true(r.alias_moved);
	assert_int_equal(r.alias_from, 0);
	o.run_id = b;
	assert_int_equal(ry_registry_gate_preview(f->ws.st, &o, &g), 0);
	assert_true(g.passes);
	assert_int_equal(g.holder_version, 1);
	assert_true(fabs(g.candidate - 0.90) < 1e-12);
	assert_true(fabs(g.holder - 0.80) < 1e-12);
	/* The preview changed nothing. */
	assert_int_equal(ry_registry_versions(f->ws.st, "clf", &v, &n), 0);
	assert_int_equal(n, 1);
	ry_model_versions_free(v, n);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.alias_from, 1);
	assert_true(r.gate.passes);

	/* Worse candidate: refused, no version registered, attempt recorded. */
	o.run_id = c;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EREFUSED);
	assert_false(r.gate.passes);
	assert_true(fabs(r.gate.candidate - 0.85) < 1e-12);
	assert_true(fabs(r.gate.holder - 0.90) < 1e-12);
	assert_non_null(strstr(ry_error_last(), "does not beat"));
	assert_int_equal(ry_registry_alias_get(f->ws.st, "clf", "champion", &holder), 0);
	assert_int_equal(holder, 2);
	assert_int_equal(ry_registry_versions(f->ws.st, "clf", &v, &n), 0);
	assert_int_equal(n, 2);
	ry_model_versions_free(v, n);
	assert_int_equal(count_kind(f->ws.st, "clf", "alias.refused"), 1);

	/* Lower is better: 0.85 < 0.90 passes. */
	o.gate_goal = -1;
	assert_int_equal(ry_registry_gate_preview(f->ws.st, &o, &g), 0);
	assert_true(g.passes);
	/* A candidate without the metric is refused and told what it has. */
	o.run_id = d;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), RY_EREFUSED);
	assert_non_null(strstr(ry_error_last(), "loss"));
	/* Re-promoting the holder's own artifact is a no-op, not a refusal. */
	o.run_id = b;
	o.gate_goal = 1;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, &r), 0);
	assert_true(r.existing);
	assert_false(r.alias_moved);
}

static void test_alias_compare_and_set(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_model_event *e;
	size_t n;
	int64_t from = -5, holder;
	o.model = "m";
	o.run_id = run_with(f, "a", "1", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	o.run_id = run_with(f, "a", "2", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	o.run_id = run_with(f, "a", "3", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);

	assert_int_equal(ry_registry_alias_set(f->ws.st, "m", "prod", 1, RY_ALIAS_UNSET, "go", &from), 0);
	assert_int_equal(from, 0);
	/* Two movers that both saw version 1: the first wins, the second is told. */
	assert_int_equal(ry_registry_alias_set(f->ws.st, "m", "prod", 2, 1, NULL, &from), 0);
	assert_int_equal(ry_registry_alias_set(f->ws.st, "m", "prod", 3, 1, NULL, &from), RY_EREFUSED);
	assert_non_null(strstr(ry_error_last(), "changed by someone else"));
	assert_int_equal(ry_registry_alias_get(f->ws.st, "m", "prod", &holder), 0);
	assert_int_equal(holder, 2);
	assert_int_equal(ry_registry_alias_set(f->ws.st, "m", "prod", 9, RY_ALIAS_ANY, NULL, NULL), RY_ENOTFOUND);
	assert_int_equal(ry_registry_alias_set(f->ws.st, "nope", "prod", 1, RY_ALIAS_ANY, NULL, NULL), RY_ENOTFOUND);
	assert_int_equal(ry_registry_alias_delete(f->ws.st, "m", "prod", "retired"), 0);
	assert_int_equal(ry_registry_alias_delete(f->ws.st, "m", "prod", NULL), RY_ENOTFOUND);

	assert_int_equal(ry_registry_history(f->ws.st, "m", &e, &n), 0);
	/* model.create, 3x version.create, set, move, refused, delete */
	assert_int_equal(n, 8);
	assert_string_equal(e[4].kind, "alias.set");
	assert_int_equal(e[4].from_version, 0);
	assert_int_equal(e[4].to_version, 1);
	assert_string_equal(e[4].note, "go");
	assert_string_equal(e[5].kind, "alias.set");
	assert_int_equal(e[5].from_version, 1);
	assert_int_equal(e[5].to_version, 2);
	assert_string_equal(e[6].kind, "alias.refused");
	assert_int_equal(e[6].to_version, 3);
	assert_string_equal(e[7].kind, "alias.delete");
	assert_int_equal(e[7].from_version, 2);
	assert_string_equal(e[7].note, "retired");
	assert_non_null(e[7].actor);
	assert_true(e[7].ts > 0);
	ry_model_events_free(e, n);
}

static void test_resolve(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	char *model = NULL;
	int64_t v = 0;
	o.model = "m";
	o.alias = "staging";
	o.run_id = run_with(f, "a", "1", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	o.alias = NULL;
	o.run_id = run_with(f, "a", "2", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);

	assert_int_equal(ry_registry_resolve(f->ws.st, "m@staging", &model, &v), 0);
	assert_string_equal(model, "m");
	assert_int_equal(v, 1);
	free(model);
	assert_int_equal(ry_registry_resolve(f->ws.st, "m", &model, &v), 0);
	assert_int_equal(v, 2);
	free(model);
	assert_int_equal(ry_registry_resolve(f->ws.st, "m@v1", &model, &v), 0);
	assert_int_equal(v, 1);
	free(model);
	assert_int_equal(ry_registry_resolve(f->ws.st, "m@latest", &model, &v), 0);
	assert_int_equal(v, 2);
	free(model);
	assert_int_equal(ry_registry_resolve(f->ws.st, "m@7", &model, &v), RY_ENOTFOUND);
	assert_int_equal(ry_registry_resolve(f->ws.st, "m@champion", &model, &v), RY_ENOTFOUND);
	assert_non_null(strstr(ry_error_last(), "@staging"));
	assert_int_equal(ry_registry_resolve(f->ws.st, "m@", &model, &v), RY_EINVAL);
	assert_null(model);
}

static void corrupt(ry_store *st, const char *sha)
{
	char *obj = ry_artifact_object_path(st, sha);
	FILE *fp;
	assert_int_equal(chmod(obj, 0644), 0);
	fp = fopen(obj, "r+");
	assert_non_null(fp);
	fputc('X', fp);
	fclose(fp);
	free(obj);
}

static void test_corrupt_artifact_never_promoted_or_exported(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_model_version *v;
	char *out = ry_xasprintf("%s/export", f->ws.dir), *written = NULL, *file;
	struct stat sb;
	int64_t run = run_with(f, "m.bin", "good bytes", NULL, 0);
	int64_t run2 = run_with(f, "m.bin", "other good bytes", NULL, 0);

	o.model = "m";
	o.run_id = run;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	assert_int_equal(ry_registry_version(f->ws.st, "m", 1, &v), 0);
	assert_int_equal(ry_registry_verify(f->ws.st, "m", 1), 0);
	assert_int_equal(ry_registry_export(f->ws.st, "m", 1, out, &written), 0);
	assert_non_null(strstr(written, "/m.bin"));
	free(written);
	assert_int_equal(ry_registry_export(f->ws.st, "m", 1, out, NULL), RY_EEXISTS);

	corrupt(f->ws.st, v->sha256);
	assert_int_equal(ry_registry_verify(f->ws.st, "m", 1), RY_ECORRUPT);
	file = ry_xasprintf("%s/again", out);
	assert_int_equal(ry_registry_export(f->ws.st, "m", 1, file, NULL), RY_ECORRUPT);
	free(file);
	file = ry_xasprintf("%s/again/m.bin", out);
	assert_int_not_equal(stat(file, &sb), 0);
	free(file);
	assert_int_equal(ry_registry_alias_set(f->ws.st, "m", "prod", 1, RY_ALIAS_ANY, NULL, NULL), RY_ECORRUPT);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), RY_ECORRUPT);
	assert_int_equal(count_kind(f->ws.st, "m", "promote.refused"), 1);
	assert_int_equal(count_kind(f->ws.st, "m", "alias.refused"), 1);
	/* Another version is unaffected. */
	o.run_id = run2;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	ry_model_versions_free(v, 1);
	free(out);
}

static void test_run_delete_guard(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_model_version *v;
	ry_run *r = NULL;
	int64_t run = run_with(f, "m.bin", "bytes", "acc", 0.5), plain = run_with(f, NULL, NULL, NULL, 0);
	o.model = "m";
	o.run_id = run;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	assert_int_equal(ry_registry_run_delete(f->ws.st, plain, false), 0);
	assert_int_equal(ry_run_get(&r, f->ws.st, plain), RY_ENOTFOUND);
	assert_int_equal(ry_registry_run_delete(f->ws.st, run, false), RY_EREFUSED);
	assert_non_null(strstr(ry_error_last(), "m@1"));
	assert_int_equal(ry_run_get(&r, f->ws.st, run), 0);
	ry_run_free(r);
	assert_int_equal(ry_registry_run_delete(f->ws.st, run, true), 0);
	assert_int_equal(ry_registry_version(f->ws.st, "m", 1, &v), 0);
	assert_int_equal(v->run_id, 0);
	assert_null(v->run_name);
	assert_int_equal(ry_registry_verify(f->ws.st, "m", 1), 0); /* artifact kept */
	ry_model_versions_free(v, 1);
	assert_int_equal(count_kind(f->ws.st, "m", "run.delete"), 1);
	assert_int_equal(ry_registry_run_delete(f->ws.st, run, true), RY_ENOTFOUND);
}

static void test_update_description_and_tags(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_model_version *v;
	ry_model *m;
	o.model = "m";
	o.note = "orig";
	o.run_id = run_with(f, "a", "1", NULL, 0);
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	assert_int_equal(ry_registry_model_update(f->ws.st, "m", "desc", NULL), 0);
	assert_int_equal(ry_registry_model_update(f->ws.st, "m", NULL, "team=a"), 0);
	assert_int_equal(ry_registry_model(f->ws.st, "m", &m), 0);
	assert_string_equal(m->description, "desc");
	assert_string_equal(m->tags, "team=a");
	ry_models_free(m, 1);
	assert_int_equal(ry_registry_version_update(f->ws.st, "m", 1, NULL, "stage=prod"), 0);
	assert_int_equal(ry_registry_version(f->ws.st, "m", 1, &v), 0);
	assert_string_equal(v->description, "orig");
	assert_string_equal(v->tags, "stage=prod");
	ry_model_versions_free(v, 1);
	assert_int_equal(ry_registry_version_update(f->ws.st, "m", 2, "x", NULL), RY_ENOTFOUND);
	assert_int_equal(ry_registry_model_update(f->ws.st, "zz", "x", NULL), RY_ENOTFOUND);
	assert_int_equal(count_kind(f->ws.st, "m", "model.update"), 2);
	assert_int_equal(count_kind(f->ws.st, "m", "version.update"), 1);
}

/* One wording of an alias move for the card, the CLI and the screen. */
static void test_event_move_words(void **state)
{
	char b[48];
	ry_model_event e;
	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = "version.create";
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, ""); /* not about an alias */
	e.alias = "champion";
	e.kind = "alias.set";
	e.to_version = 1;
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, "unset -> v1");
	e.from_version = 1;
	e.to_version = 12;
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, "v1 -> v12");
	e.kind = "alias.delete";
	e.to_version = 0;
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, "v1 -> unset");
	e.kind = "alias.refused"; /* the candidate was not registered yet */
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, "v1 -> new");
	e.kind = "promote.refused";
	e.from_version = 0;
	ry_registry_event_move(&e, b, sizeof b);
	assert_string_equal(b, "(not moved)");
}

static void test_card(void **state)
{
	struct fx *f = *state;
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	ry_buf b = RY_BUF_INIT;
	int64_t run = run_with(f, "model.pt", "weights", "val_acc", 0.93);
	const char *s;
	assert_int_equal(ry_run_set_text(f->ws.st, run, "git_commit", "0123456789abcdef0123456789abcdef01234567"), 0);
	assert_int_equal(ry_run_set_param(f->ws.st, run, "note", "a|b\x1b[31m"), 0);
	o.model = "churn";
	o.alias = "champion";
	o.note = "best so far";
	o.run_id = run;
	assert_int_equal(ry_registry_promote(f->ws.st, &o, NULL), 0);
	assert_int_equal(ry_registry_card(f->ws.st, "churn", 1, "champion", &b), 0);
	s = ry_buf_cstr(&b);
	assert_non_null(strstr(s, "# Model card: churn@champion (version 1)"));
	assert_non_null(strstr(s, "## Lineage"));
	assert_non_null(strstr(s, "## Code provenance"));
	assert_non_null(strstr(s, "0123456789abcdef0123456789abcdef01234567"));
	assert_non_null(strstr(s, "## Data provenance"));
	assert_non_null(strstr(s, "s3://bucket/train.csv"));
	assert_non_null(strstr(s, "## Parameters"));
	assert_non_null(strstr(s, "| lr | 0.1 |"));
	assert_non_null(strstr(s, "## Metrics"));
	assert_non_null(strstr(s, "| val_acc | 0.93 |"));
	assert_non_null(strstr(s, "## Promotion history"));
	assert_non_null(strstr(s, "alias.set"));
	assert_non_null(strstr(s, "best so far"));
	assert_non_null(strstr(s, "verified"));
	assert_non_null(strstr(s, "a\\|b^[[31m"));
	assert_null(strchr(s, '\x1b'));
	ry_buf_free(&b);
	assert_int_equal(ry_registry_card(f->ws.st, "churn", 5, NULL, &b), RY_ENOTFOUND);
	ry_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_empty_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_promote_registers_and_dedups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_promote_artifact_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_pass_refuse_preview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_compare_and_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_artifact_never_promoted_or_exported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_delete_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_description_and_tags, setup, teardown),
		cmocka_unit_test(test_event_move_words),
		cmocka_unit_test_setup_teardown(test_card, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
