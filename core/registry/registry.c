/*
 * The model registry: promotion (artifact of a run -> model version, alias
 * moves behind an optional metric gate), aliases as compare-and-set, the
 * audit trail, and the read side the CLI and the TUI list from.
 *
 * Every change runs in one BEGIN IMMEDIATE transaction, and every decision
 * (is the alias still where the caller saw it, does the candidate beat the
 * holder) is taken inside it, so two processes cannot both win.  Refusals
 * are committed too: they are part of the audit trail.  Artifacts are
 * re-hashed before they are promoted, aliased or exported; the store itself
 * is artifact.c's.  The model card is registry/card.c's.
 *
 * Events: subject "model:<name>", detail a JSON object (see registry.h).
 */
#include "registry/registry.h"
#include "base/alloc.h"
#include "registry/artifact.h"
#include "base/error.h"
#include "metrics/metrics.h"
#include "store/store_internal.h"
#include "registry/registry_internal.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int ry_registry_check_model_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0)
		return ry_error_set(RY_EINVAL, "a model needs a name, e.g. --model churn-classifier");
	if (n > 100)
		return ry_error_set(RY_EINVAL, "model name is longer than 100 characters");
	for (size_t i = 0; i < n; i++) {
		if (!name_char(name[i]) || (i == 0 && !((name[0] >= 'a' && name[0] <= 'z') ||
		                                        (name[0] >= 'A' && name[0] <= 'Z') ||
		                                        (name[0] >= '0' && name[0] <= '9')))) {
			char *safe = ry_sanitize_dup(name);
			int rc = ry_error_set(RY_EINVAL, "'%s' is not a valid model name: use letters, digits, "
			                      "'.', '_' and '-', starting with a letter or digit", safe);
			free(safe);
			return rc;
		}
	}
	return 0;
}

int ry_registry_check_alias_name(const char *alias)
{
	size_t n = alias ? strlen(alias) : 0;
	char *safe;
	int rc;
	if (n == 0)
		return ry_error_set(RY_EINVAL, "an alias needs a name, e.g. champion");
	if (n <= 64 && ((alias[0] >= 'a' && alias[0] <= 'z') || (alias[0] >= 'A' && alias[0] <= 'Z')) &&
	    strcmp(alias, "latest") != 0) {
		size_t i = 1;
		while (i < n && name_char(alias[i]))
			i++;
		if (i == n)
			return 0;
	}
	safe = ry_sanitize_dup(alias);
	rc = ry_error_set(RY_EINVAL, "'%s' is not a valid alias: use up to 64 letters, digits, '.', '_' "
	                  "and '-', starting with a letter (\"latest\" is reserved)", safe);
	free(safe);
	return rc;
}

static const char *strip_at(const char *alias)
{
	return alias && alias[0] == '@' ? alias + 1 : alias;
}

/* ---- events ------------------------------------------------------------ */

static char *subject_of(const char *model)
{
	return ry_xasprintf("model:%s", model);
}

int ry_registry_record(ry_store *st, const char *model, const char *kind, const char *detail)
{
	char *subject = subject_of(model);
	int rc = ry_store_event(st, kind, subject, detail);
	free(subject);
	return rc;
}

/* Append an event; `j` is consumed. */
static int event(ry_store *st, const char *model, const char *kind, cJSON *j)
{
	char *detail = cJSON_PrintUnformatted(j);
	int rc = ry_registry_record(st, model, kind, detail);
	cJSON_free(detail);
	cJSON_Delete(j);
	return rc;
}

int ry_registry__event(ry_store *st, const char *model, const char *kind, cJSON *j)
{
	return event(st, model, kind, j);
}

static void j_num(cJSON *j, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(j, k, v);
}

static void j_str(cJSON *j, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(j, k, v);
}

/* ---- small queries ----------------------------------------------------- */

static int model_exists(ry_store *st, const char *model, bool *exists)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT 1 FROM models WHERE name = ?");
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*exists = rc == SQLITE_ROW;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading models");
	sqlite3_reset(s);
	return rc;
}

/* RY_ENOTFOUND listing the registered models. */
static int no_such_model(ry_store *st, const char *model)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT name FROM models ORDER BY name LIMIT 20");
	ry_buf b = RY_BUF_INIT;
	char *safe = ry_sanitize_dup(model);
	int rc;
	while (sqlite3_step(s) == SQLITE_ROW) {
		ry_buf_puts(&b, b.len ? ", " : "");
		ry_sanitize(&b, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0), false);
	}
	sqlite3_reset(s);
	if (b.len)
		rc = ry_error_set(RY_ENOTFOUND, "no model named '%s'; registered models: %s", safe, ry_buf_cstr(&b));
	else
		rc = ry_error_set(RY_ENOTFOUND, "no model named '%s'; the registry is empty: register one with "
		                  "'runyard promote RUN --model %s'", safe, safe);
	ry_buf_free(&b);
	free(safe);
	return rc;
}

static int need_model(ry_store *st, const char *model)
{
	bool exists;
	int rc = ry_registry_check_model_name(model);
	if (rc || (rc = model_exists(st, model, &exists)))
		return rc;
	return exists ? 0 : no_such_model(st, model);
}

int ry_registry_alias_get(ry_store *st, const char *model, const char *alias, int64_t *version)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT version FROM aliases WHERE model = ? AND alias = ?");
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, strip_at(alias), -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*version = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading an alias");
	sqlite3_reset(s);
	return rc;
}

/* The version's sha256, artifact path and source run; RY_ENOTFOUND. */
static int version_row(ry_store *st, const char *model, int64_t version, char sha[65], char **path,
                       int64_t *run_id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT artifact_sha256, artifact_path, run_id FROM model_versions "
	                                     "WHERE model = ? AND version = ?");
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, version);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(sha, 65, "%s", (const char *)sqlite3_column_text(s, 0));
		if (path)
			*path = ry_store__column_dup(s, 1);
		if (run_id)
			*run_id = sqlite3_column_int64(s, 2);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		char *safe = ry_sanitize_dup(model);
		rc = ry_error_set(RY_ENOTFOUND, "model %s has no version %lld; 'runyard model %s' lists its versions",
		                  safe, (long long)version, safe);
		free(safe);
	} else {
		rc = ry_store__sqlerr(st, "reading a model version");
	}
	sqlite3_reset(s);
	return rc;
}

/* A version whose artifact this workspace does not hold (imported from a
 * tracker: artifact_sha256 ''): RY_ENOTFOUND saying where it lives. */
static int held_elsewhere(ry_store *st, const char *model, int64_t version)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT coalesce(source_uri, 'an unknown place') FROM model_versions "
	                                     "WHERE model = ? AND version = ?");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, version);
	char *uri = sqlite3_step(s) == SQLITE_ROW ? ry_store__column_dup(s, 0) : NULL;
	sqlite3_reset(s);
	char *safe_m = ry_sanitize_dup(model), *safe_u = ry_sanitize_dup(uri ? uri : "an unknown place");
	int rc = ry_error_set(RY_ENOTFOUND, "the artifact of %s v%lld is not in this workspace: it lives at %s "
	                      "(the version was imported from a tracker)", safe_m, (long long)version, safe_u);
	free(safe_m);
	free(safe_u);
	free(uri);
	return rc;
}

/* The last value of a run's metric; NaN when it has none (or it was not
 * finite).  Read from metric_summary so no chunk is decoded. */
static double metric_last(ry_store *st, int64_t run_id, const char *key)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT last FROM metric_summary WHERE run_id = ? AND key = ?");
	double v = NAN;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_double(s, 0);
	sqlite3_reset(s);
	return v;
}

static void metric_keys(ry_store *st, int64_t run_id, ry_buf *b)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT key FROM metric_summary WHERE run_id = ? ORDER BY key LIMIT 20");
	sqlite3_bind_int64(s, 1, run_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		ry_buf_puts(b, b->len ? ", " : "");
		ry_sanitize(b, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0), false);
	}
	sqlite3_reset(s);
}

static int run_label(ry_store *st, int64_t run_id, char **name)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT name, status FROM runs WHERE id = ?");
	int rc;
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*name = ry_store__column_dup(s, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ry_error_set(RY_ENOTFOUND, "there is no run %lld; 'runyard runs' lists them", (long long)run_id);
	} else {
		rc = ry_store__sqlerr(st, "reading a run");
	}
	sqlite3_reset(s);
	return rc;
}

/* ---- choosing the artifact --------------------------------------------- */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Pick the run's artifact named `want` (exact path, else unique basename),
 * or its only one when want is NULL. */
static int pick_artifact(ry_store *st, int64_t run_id, const char *run_name, const char *want,
                         char sha[65], char **path, int64_t *size)
{
	ry_artifact *a = NULL;
	size_t n = 0, hit = 0, nhits = 0;
	ry_buf list = RY_BUF_INIT;
	char *safe_run = ry_sanitize_dup(run_name);
	int rc = ry_artifact_list(st, run_id, &a, &n);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		ry_buf_puts(&list, i ? ", " : "");
		ry_sanitize(&list, a[i].path, strlen(a[i].path), false);
	}
	if (n == 0) {
		rc = ry_error_set(RY_EINVAL, "run %s recorded no artifacts, so there is nothing to promote; "
		                  "write the model file into $RUNYARD_ARTIFACTS during the run", safe_run);
		goto out;
	}
	if (!want) {
		if (n > 1) {
			rc = ry_error_set(RY_EINVAL, "run %s has %zu artifacts (%s); choose one with --artifact PATH",
			                  safe_run, n, ry_buf_cstr(&list));
			goto out;
		}
		nhits = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(a[i].path, want)) {
				hit = i;
				nhits = 1;
				break;
			}
			if (!strcmp(base_name(a[i].path), base_name(want)) && !strchr(want, '/')) {
				hit = i;
				nhits++;
			}
		}
		if (nhits != 1) {
			char *safe = ry_sanitize_dup(want);
			rc = ry_error_set(RY_EINVAL, "run %s has %s artifact '%s'; its artifacts: %s", safe_run,
			                  nhits ? "more than one" : "no", safe, ry_buf_cstr(&list));
			free(safe);
			goto out;
		}
	}
	if (!a[hit].sha256[0]) {
		char *safe = ry_sanitize_dup(a[hit].path), *where = ry_sanitize_dup(a[hit].uri ? a[hit].uri : "?");
		rc = ry_error_set(RY_EREFUSED, "artifact %s of run %s is not in this workspace (it lives at %s): "
		                  "only an artifact runyard holds can be promoted", safe, safe_run, where);
		free(safe);
		free(where);
		goto out;
	}
	snprintf(sha, 65, "%s", a[hit].sha256);
	*path = ry_xstrdup(a[hit].path);
	*size = a[hit].size;
out:
	ry_artifacts_free(a, n);
	ry_buf_free(&list);
	free(safe_run);
	return rc;
}

/* ---- the gate ---------------------------------------------------------- */

static int64_t version_of_sha(ry_store *st, const char *model, const char *sha)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT min(version) FROM model_versions "
	                                     "WHERE model = ? AND artifact_sha256 = ?");
	int64_t v = 0;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

static void fmt_value(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "none");
	else
		snprintf(out, n, "%.6g", v);
}

/* Fill g from the current state (holder, values, verdict). */
static int evaluate_gate(ry_store *st, const ry_promote_opts *o, int64_t run_id, const char *sha,
                         ry_gate *g)
{
	const char *alias = strip_at(o->alias);
	char cv[32], hv[32], *safe_metric;
	int rc;
	memset(g, 0, sizeof *g);
	g->candidate = g->holder = NAN;
	g->goal = o->gate_goal;
	if (o->gate_metric)
		snprintf(g->metric, sizeof g->metric, "%s", o->gate_metric);
	g->gated = o->gate_metric != NULL;
	g->candidate_version = version_of_sha(st, o->model, sha);
	if (alias && (rc = ry_registry_alias_get(st, o->model, alias, &g->holder_version)))
		return rc;
	if (g->holder_version) {
		char hsha[65];
		if ((rc = version_row(st, o->model, g->holder_version, hsha, NULL, &g->holder_run_id)))
			return rc;
	}
	if (!alias) {
		g->passes = true;
		snprintf(g->reason, sizeof g->reason, "no alias to move");
		return 0;
	}
	/* The values are read before any early verdict: a front end shows them
	 * also when the candidate already holds the alias (after a promote). */
	if (g->gated) {
		g->candidate = metric_last(st, run_id, g->metric);
		if (g->holder_run_id)
			g->holder = metric_last(st, g->holder_run_id, g->metric);
	}
	if (g->holder_version && g->holder_version == g->candidate_version) {
		g->passes = true;
		snprintf(g->reason, sizeof g->reason, "version %lld already holds @%s",
		         (long long)g->holder_version, alias);
		return 0;
	}
	if (!g->gated) {
		g->passes = true;
		snprintf(g->reason, sizeof g->reason, "no gate");
		return 0;
	}
	fmt_value(g->candidate, cv, sizeof cv);
	fmt_value(g->holder, hv, sizeof hv);
	safe_metric = ry_sanitize_dup(g->metric);
	if (isnan(g->candidate)) {
		ry_buf keys = RY_BUF_INIT;
		metric_keys(st, run_id, &keys);
		g->passes = false;
		snprintf(g->reason, sizeof g->reason, "the candidate run has no finite value of %s (its metrics: %s)",
		         safe_metric, keys.len ? ry_buf_cstr(&keys) : "none");
		ry_buf_free(&keys);
	} else if (!g->holder_version) {
		g->passes = true;
		snprintf(g->reason, sizeof g->reason, "@%s is unset: the candidate (%s = %s) takes it",
		         alias, safe_metric, cv);
	} else if (isnan(g->holder)) {
		g->passes = true;
		snprintf(g->reason, sizeof g->reason, "the holder (version %lld) has no value of %s to defend",
		         (long long)g->holder_version, safe_metric);
	} else {
		bool better = ry_metric_better(g->goal, g->candidate, g->holder);
		g->passes = better;
		snprintf(g->reason, sizeof g->reason, "%s %s: candidate %s %s holder %s (version %lld, %s is better)",
		         safe_metric, better ? "beats the holder" : "does not beat the holder", cv,
		         g->candidate == g->holder ? "=" : (g->candidate > g->holder ? ">" : "<"), hv,
		         (long long)g->holder_version, g->goal > 0 ? "higher" : "lower");
	}
	free(safe_metric);
	return 0;
}

static int check_opts(const ry_promote_opts *o)
{
	int rc;
	if (!o || o->version != 1)
		return ry_error_set(RY_EINVAL, "ry_promote_opts: unknown struct version");
	if ((rc = ry_registry_check_model_name(o->model)))
		return rc;
	if (o->alias && (rc = ry_registry_check_alias_name(strip_at(o->alias))))
		return rc;
	if (o->gate_metric) {
		if (!o->alias)
			return ry_error_set(RY_EINVAL, "a gate (--if-better) decides whether an alias moves; "
			                    "give the alias with --alias");
		if (!*o->gate_metric || strlen(o->gate_metric) >= sizeof ((ry_gate *)0)->metric)
			return ry_error_set(RY_EINVAL, "the gate needs a metric name, e.g. --if-better val_acc:max");
		if (o->gate_goal != 1 && o->gate_goal != -1)
			return ry_error_set(RY_EINVAL, "the gate needs a direction: METRIC:max or METRIC:min");
	}
	return 0;
}

/* Everything promote and preview share before deciding. */
struct candidate {
	char *run_name;
	char sha[65];
	char *path;
	int64_t size;
};

static void candidate_free(struct candidate *c)
{
	free(c->run_name);
	free(c->path);
}

static int load_candidate(ry_store *st, const ry_promote_opts *o, struct candidate *c)
{
	int rc;
	memset(c, 0, sizeof *c);
	if ((rc = check_opts(o)) || (rc = run_label(st, o->run_id, &c->run_name)))
		return rc;
	return pick_artifact(st, o->run_id, c->run_name, o->artifact, c->sha, &c->path, &c->size);
}

int ry_registry_gate_preview(ry_store *st, const ry_promote_opts *o, ry_gate *out)
{
	struct candidate c;
	int rc = load_candidate(st, o, &c);
	if (!rc)
		rc = evaluate_gate(st, o, o->run_id, c.sha, out);
	candidate_free(&c);
	return rc;
}

/* ---- promote ----------------------------------------------------------- */

static void gate_json(cJSON *j, const ry_gate *g, bool with_reason)
{
	if (!g->gated)
		return;
	if (with_reason)
		cJSON_AddStringToObject(j, "reason", g->reason);
	cJSON_AddStringToObject(j, "metric", g->metric);
	cJSON_AddStringToObject(j, "goal", ry_metric_goal_name(g->goal));
	j_num(j, "candidate", g->candidate);
	j_num(j, "holder", g->holder);
}

static int ensure_model(ry_store *st, const char *model, bool *created)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO models(name, description, created) VALUES (?, '', ?) "
	                                     "ON CONFLICT(name) DO NOTHING");
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, ry_now());
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "registering a model");
	sqlite3_reset(s);
	*created = !rc && sqlite3_changes(ry_store__db(st)) > 0;
	if (*created)
		rc = event(st, model, "model.create", cJSON_CreateObject());
	return rc;
}

static int insert_version(ry_store *st, const ry_promote_opts *o, const struct candidate *c,
                          int64_t *version)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT coalesce(max(version), 0) + 1 FROM model_versions "
	                                     "WHERE model = ?");
	cJSON *j;
	int rc;
	sqlite3_bind_text(s, 1, o->model, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return ry_store__sqlerr(st, "numbering a model version");
	s = ry_store__stmt(st, "INSERT INTO model_versions(model, version, run_id, artifact_sha256, created, "
	                       "description, artifact_path, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(s, 1, o->model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, *version);
	sqlite3_bind_int64(s, 3, o->run_id);
	sqlite3_bind_text(s, 4, c->sha, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 5, ry_now());
	sqlite3_bind_text(s, 6, o->note ? o->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, c->size);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "registering a model version");
	sqlite3_reset(s);
	if (rc)
		return rc;
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", (double)*version);
	cJSON_AddNumberToObject(j, "run", (double)o->run_id);
	j_str(j, "run_name", c->run_name);
	cJSON_AddStringToObject(j, "sha256", c->sha);
	j_str(j, "artifact", c->path);
	cJSON_AddNumberToObject(j, "size", (double)c->size);
	j_str(j, "note", o->note);
	return event(st, o->model, "version.create", j);
}

static int write_alias(ry_store *st, const char *model, const char *alias, int64_t version)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO aliases(model, alias, version) VALUES (?, ?, ?) "
	                                     "ON CONFLICT(model, alias) DO UPDATE SET version = excluded.version");
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, version);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "moving an alias");
	sqlite3_reset(s);
	return rc;
}

static cJSON *alias_json(const char *alias, int64_t from, int64_t to, const char *note)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "alias", alias);
	cJSON_AddNumberToObject(j, "from", (double)from);
	cJSON_AddNumberToObject(j, "to", (double)to);
	j_str(j, "note", note);
	return j;
}

/* The message for a compare-and-set that found the alias elsewhere. */
static int moved_meanwhile(const char *model, const char *alias, int64_t expect, int64_t now)
{
	char want[32], got[32];
	char *safe = ry_sanitize_dup(model);
	int rc;
	if (expect)
		snprintf(want, sizeof want, "version %lld", (long long)expect);
	else
		snprintf(want, sizeof want, "unset");
	if (now)
		snprintf(got, sizeof got, "version %lld", (long long)now);
	else
		snprintf(got, sizeof got, "unset");
	rc = ry_error_set(RY_EREFUSED, "@%s of model %s was changed by someone else: it is now %s, not %s as "
	                  "expected; nothing was changed; check 'runyard model %s' and try again",
	                  alias, safe, got, want, safe);
	free(safe);
	return rc;
}

/* Record a refusal (its own transaction: the attempt's changes are gone). */
static void record_refusal(ry_store *st, const char *model, const char *kind, cJSON *j, const char *why)
{
	char *msg = ry_xstrdup(ry_error_last());
	int code = ry_error_code();
	j_str(j, "reason", why ? why : msg);
	if (ry_store_begin(st) == 0) {
		if (event(st, model, kind, j) == 0)
			ry_store_commit(st);
		else
			ry_store_rollback(st);
	} else {
		cJSON_Delete(j);
	}
	/* The refusal is what the caller must see, not a failure to log it. */
	ry_error_set(code, "%s", msg);
	free(msg);
}

int ry_registry_promote(ry_store *st, const ry_promote_opts *o, ry_promote_result *res)
{
	ry_promote_result local;
	struct candidate c;
	const char *alias;
	int64_t holder = 0;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if ((rc = load_candidate(st, o, &c)))
		goto out;
	snprintf(res->sha256, sizeof res->sha256, "%s", c.sha);
	snprintf(res->artifact, sizeof res->artifact, "%s", c.path);
	alias = strip_at(o->alias);
	/* Hash outside the write lock: a big model takes a while. */
	if ((rc = ry_artifact_verify(st, c.sha))) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "run", (double)o->run_id);
		cJSON_AddStringToObject(j, "sha256", c.sha);
		j_str(j, "artifact", c.path);
		j_str(j, "alias", alias);
		record_refusal(st, o->model, "promote.refused", j, NULL);
		goto out;
	}
	if ((rc = ry_store_begin(st)))
		goto out;
	if ((rc = evaluate_gate(st, o, o->run_id, c.sha, &res->gate)))
		goto fail;
	holder = res->gate.holder_version;
	res->alias_from = holder;
	if (alias && o->expect_holder != RY_ALIAS_ANY && o->expect_holder != holder) {
		cJSON *j = alias_json(alias, holder, res->gate.candidate_version, o->note);
		rc = moved_meanwhile(o->model, alias, o->expect_holder, holder);
		cJSON_AddNumberToObject(j, "expected", (double)o->expect_holder);
		cJSON_AddNumberToObject(j, "run", (double)o->run_id);
		ry_store_rollback(st);
		record_refusal(st, o->model, "alias.refused", j, "changed by someone else");
		goto out;
	}
	if (alias && !res->gate.passes) {
		cJSON *j = alias_json(alias, holder, res->gate.candidate_version, o->note);
		char *safe = ry_sanitize_dup(o->model);
		cJSON_AddNumberToObject(j, "run", (double)o->run_id);
		gate_json(j, &res->gate, false);
		rc = ry_error_set(RY_EREFUSED, "not promoted: %s; @%s of %s stays on version %lld",
		                  res->gate.reason, alias, safe, (long long)holder);
		free(safe);
		ry_store_rollback(st);
		record_refusal(st, o->model, "alias.refused", j, res->gate.reason);
		goto out;
	}
	if ((rc = ensure_model(st, o->model, &res->model_created)))
		goto fail;
	res->version = res->gate.candidate_version;
	res->existing = res->version != 0;
	if (!res->existing && (rc = insert_version(st, o, &c, &res->version)))
		goto fail;
	if (alias && holder != res->version) {
		cJSON *j = alias_json(alias, holder, res->version, o->note);
		cJSON_AddNumberToObject(j, "run", (double)o->run_id);
		gate_json(j, &res->gate, true);
		if ((rc = write_alias(st, o->model, alias, res->version)) ||
		    (rc = event(st, o->model, "alias.set", j)))
			goto fail;
		res->alias_moved = true;
	}
	if ((rc = ry_store_commit(st)))
		goto out;
	goto out;
fail:
	ry_store_rollback(st);
out:
	candidate_free(&c);
	return rc;
}

/* ---- aliases ----------------------------------------------------------- */

int ry_registry_alias_set(ry_store *st, const char *model, const char *alias, int64_t version,
                          int64_t expect, const char *note, int64_t *from)
{
	char sha[65];
	int64_t holder = 0;
	int rc;

	alias = strip_at(alias);
	if ((rc = need_model(st, model)) || (rc = ry_registry_check_alias_name(alias)) ||
	    (rc = version_row(st, model, version, sha, NULL, NULL)))
		return rc;
	/* a version held elsewhere has nothing here to verify */
	if (*sha && (rc = ry_artifact_verify(st, sha))) {
		cJSON *j = alias_json(alias, 0, version, note);
		record_refusal(st, model, "alias.refused", j, NULL);
		return rc;
	}
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_registry_alias_get(st, model, alias, &holder)))
		goto fail;
	if (from)
		*from = holder;
	if (expect != RY_ALIAS_ANY && expect != holder) {
		cJSON *j = alias_json(alias, holder, version, note);
		cJSON_AddNumberToObject(j, "expected", (double)expect);
		rc = moved_meanwhile(model, alias, expect, holder);
		ry_store_rollback(st);
		record_refusal(st, model, "alias.refused", j, "changed by someone else");
		return rc;
	}
	if (holder == version)
		return ry_store_commit(st);
	if ((rc = write_alias(st, model, alias, version)) ||
	    (rc = event(st, model, "alias.set", alias_json(alias, holder, version, note))))
		goto fail;
	return ry_store_commit(st);
fail:
	ry_store_rollback(st);
	return rc;
}

int ry_registry_alias_delete(ry_store *st, const char *model, const char *alias, const char *note)
{
	sqlite3_stmt *s;
	int64_t holder = 0;
	int rc;
	alias = strip_at(alias);
	if ((rc = need_model(st, model)) || (rc = ry_registry_check_alias_name(alias)))
		return rc;
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_registry_alias_get(st, model, alias, &holder)))
		goto fail;
	if (!holder) {
		char *safe = ry_sanitize_dup(model);
		rc = ry_error_set(RY_ENOTFOUND, "model %s has no alias @%s; 'runyard model %s' lists its aliases",
		                  safe, alias, safe);
		free(safe);
		goto fail;
	}
	s = ry_store__stmt(st, "DELETE FROM aliases WHERE model = ? AND alias = ?");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "deleting an alias");
	sqlite3_reset(s);
	if (rc || (rc = event(st, model, "alias.delete", alias_json(alias, holder, 0, note))))
		goto fail;
	return ry_store_commit(st);
fail:
	ry_store_rollback(st);
	return rc;
}

int ry_registry_model_update(ry_store *st, const char *model, const char *description, const char *tags)
{
	sqlite3_stmt *s;
	cJSON *j;
	int rc;
	if ((rc = need_model(st, model)) || (rc = ry_store_begin(st)))
		return rc;
	s = ry_store__stmt(st, "UPDATE models SET description = coalesce(?, description), "
	                       "tags = coalesce(?, tags) WHERE name = ?");
	ry_store__bind_text(s, 1, description);
	ry_store__bind_text(s, 2, tags);
	sqlite3_bind_text(s, 3, model, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "updating a model");
	sqlite3_reset(s);
	j = cJSON_CreateObject();
	j_str(j, "description", description);
	j_str(j, "tags", tags);
	if (rc || (rc = event(st, model, "model.update", j))) {
		ry_store_rollback(st);
		return rc;
	}
	return ry_store_commit(st);
}

int ry_registry_version_update(ry_store *st, const char *model, int64_t version, const char *description,
                               const char *tags)
{
	sqlite3_stmt *s;
	char sha[65];
	cJSON *j;
	int rc;
	if ((rc = need_model(st, model)) || (rc = version_row(st, model, version, sha, NULL, NULL)) ||
	    (rc = ry_store_begin(st)))
		return rc;
	s = ry_store__stmt(st, "UPDATE model_versions SET description = coalesce(?, description), "
	                       "tags = coalesce(?, tags) WHERE model = ? AND version = ?");
	ry_store__bind_text(s, 1, description);
	ry_store__bind_text(s, 2, tags);
	sqlite3_bind_text(s, 3, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, version);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "updating a model version");
	sqlite3_reset(s);
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", (double)version);
	j_str(j, "description", description);
	j_str(j, "tags", tags);
	if (rc || (rc = event(st, model, "version.update", j))) {
		ry_store_rollback(st);
		return rc;
	}
	return ry_store_commit(st);
}

/* ---- reading ----------------------------------------------------------- */

static int model_aliases(ry_store *st, const char *model, ry_model_alias **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT alias, version FROM aliases WHERE model = ? ORDER BY alias");
	ry_model_alias *v = NULL;
	size_t len = 0, cap = 0;
	int rc;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		v[len].alias = ry_store__column_dup(s, 0);
		v[len].version = sqlite3_column_int64(s, 1);
		len++;
	}
	rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading aliases");
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return rc;
}

static const char MODELS_SQL[] =
	"SELECT m.name, m.description, m.tags, coalesce(m.created, 0),"
	"  (SELECT count(*) FROM model_versions v WHERE v.model = m.name),"
	"  (SELECT coalesce(max(version), 0) FROM model_versions v WHERE v.model = m.name),"
	"  (SELECT max(created) FROM model_versions v WHERE v.model = m.name), m.source"
	" FROM models m WHERE ?1 IS NULL OR m.name = ?1 ORDER BY m.name";

static int load_models(ry_store *st, const char *only, ry_model **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, MODELS_SQL);
	ry_model *v = NULL;
	size_t len = 0, cap = 0;
	int rc;
	ry_store__bind_text(s, 1, only);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ry_model *m;
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		m = &v[len++];
		memset(m, 0, sizeof *m);
		m->name = ry_store__column_dup(s, 0);
		m->description = ry_store__column_dup(s, 1);
		if (!m->description)
			m->description = ry_xstrdup("");
		m->tags = ry_store__column_dup(s, 2);
		m->created = sqlite3_column_double(s, 3);
		m->nversions = sqlite3_column_int64(s, 4);
		m->latest = sqlite3_column_int64(s, 5);
		m->updated = sqlite3_column_type(s, 6) == SQLITE_NULL ? m->created : sqlite3_column_double(s, 6);
		m->source = ry_store__column_dup(s, 7);
	}
	rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "listing models");
	sqlite3_reset(s);
	for (size_t i = 0; !rc && i < len; i++)
		rc = model_aliases(st, v[i].name, &v[i].aliases, &v[i].naliases);
	if (rc) {
		ry_models_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int ry_registry_models(ry_store *st, ry_model **out, size_t *n)
{
	return load_models(st, NULL, out, n);
}

int ry_registry_model(ry_store *st, const char *name, ry_model **out)
{
	size_t n = 0;
	int rc = need_model(st, name);
	if (rc || (rc = load_models(st, name, out, &n)))
		return rc;
	return n == 1 ? 0 : no_such_model(st, name);
}

void ry_models_free(ry_model *m, size_t n)
{
	if (!m)
		return;
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].description);
		free(m[i].tags);
		free(m[i].source);
		for (size_t k = 0; k < m[i].naliases; k++)
			free(m[i].aliases[k].alias);
		free(m[i].aliases);
	}
	free(m);
}

static const char VERSIONS_SQL[] =
	"SELECT v.version, coalesce(v.run_id, 0), r.name, r.uuid, e.name, r.status, r.git_commit,"
	"  v.artifact_sha256, v.artifact_path, coalesce(v.size, 0), v.created, v.description, v.tags,"
	"  (SELECT actor FROM events ev WHERE ev.subject = 'model:' || v.model AND ev.kind = 'version.create'"
	"     AND json_extract(ev.detail, '$.version') = v.version ORDER BY ev.id LIMIT 1),"
	"  v.source_uri"
	" FROM model_versions v LEFT JOIN runs r ON r.id = v.run_id"
	" LEFT JOIN experiments e ON e.id = r.experiment_id"
	" WHERE v.model = ?1 AND (?2 = 0 OR v.version = ?2) ORDER BY v.version DESC";

static int load_versions(ry_store *st, const char *model, int64_t only, ry_model_version **out, size_t *n)
{
	sqlite3_stmt *s;
	ry_model_version *v = NULL;
	ry_model_alias *al = NULL;
	size_t len = 0, cap = 0, nal = 0;
	int rc;
	if ((rc = need_model(st, model)) || (rc = model_aliases(st, model, &al, &nal)))
		return rc;
	s = ry_store__stmt(st, VERSIONS_SQL);
	sqlite3_bind_text(s, 1, model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, only);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ry_model_version *x;
		const char *t;
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		x = &v[len++];
		memset(x, 0, sizeof *x);
		x->model = ry_xstrdup(model);
		x->version = sqlite3_column_int64(s, 0);
		x->run_id = sqlite3_column_int64(s, 1);
		x->run_name = ry_store__column_dup(s, 2);
		if ((t = (const char *)sqlite3_column_text(s, 3)))
			snprintf(x->run_uuid, sizeof x->run_uuid, "%s", t);
		x->experiment = ry_store__column_dup(s, 4);
		x->run_status = ry_store__column_dup(s, 5);
		x->git_commit = ry_store__column_dup(s, 6);
		if ((t = (const char *)sqlite3_column_text(s, 7)))
			snprintf(x->sha256, sizeof x->sha256, "%s", t);
		x->artifact_path = ry_store__column_dup(s, 8);
		x->size = sqlite3_column_int64(s, 9);
		x->created = sqlite3_column_double(s, 10);
		x->description = ry_store__column_dup(s, 11);
		if (!x->description)
			x->description = ry_xstrdup("");
		x->tags = ry_store__column_dup(s, 12);
		x->created_by = ry_store__column_dup(s, 13);
		x->source_uri = ry_store__column_dup(s, 14);
		for (size_t i = 0; i < nal; i++) {
			if (al[i].version != x->version)
				continue;
			x->aliases = ry_xrealloc(x->aliases, (x->naliases + 1) * sizeof *x->aliases);
			x->aliases[x->naliases++] = ry_xstrdup(al[i].alias);
		}
	}
	rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "listing model versions");
	sqlite3_reset(s);
	for (size_t i = 0; i < nal; i++)
		free(al[i].alias);
	free(al);
	if (rc) {
		ry_model_versions_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int ry_registry_versions(ry_store *st, const char *model, ry_model_version **out, size_t *n)
{
	return load_versions(st, model, 0, out, n);
}

int ry_registry_version(ry_store *st, const char *model, int64_t version, ry_model_version **out)
{
	size_t n = 0;
	char sha[65];
	int rc;
	if ((rc = need_model(st, model)) || (rc = version_row(st, model, version, sha, NULL, NULL)))
		return rc;
	if ((rc = load_versions(st, model, version, out, &n)))
		return rc;
	if (n != 1) {
		ry_model_versions_free(*out, n);
		*out = NULL;
		return ry_error_set(RY_ENOTFOUND, "model version %lld vanished while reading it", (long long)version);
	}
	return 0;
}

void ry_model_versions_free(ry_model_version *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].model);
		free(v[i].run_name);
		free(v[i].experiment);
		free(v[i].run_status);
		free(v[i].git_commit);
		free(v[i].artifact_path);
		free(v[i].description);
		free(v[i].tags);
		free(v[i].created_by);
		free(v[i].source_uri);
		ry_strings_free(v[i].aliases, v[i].naliases);
	}
	free(v);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

int ry_registry_resolve(ry_store *st, const char *spec, char **model_out, int64_t *version)
{
	const char *at = spec ? strchr(spec, '@') : NULL;
	char *model = at ? ry_xstrndup(spec, (size_t)(at - spec)) : ry_xstrdup(spec ? spec : "");
	const char *ref = at ? at + 1 : "latest";
	char *safe;
	int64_t v = 0;
	int rc;

	*model_out = NULL;
	if ((rc = need_model(st, model)))
		goto out;
	if (!strcmp(ref, "latest")) {
		ry_model *m = NULL;
		if ((rc = ry_registry_model(st, model, &m)))
			goto out;
		v = m->latest;
		ry_models_free(m, 1);
		if (!v) {
			safe = ry_sanitize_dup(model);
			rc = ry_error_set(RY_ENOTFOUND, "model %s has no versions yet", safe);
			free(safe);
		}
	} else if (all_digits(ref) || ((ref[0] == 'v' || ref[0] == 'V') && all_digits(ref + 1))) {
		char sha[65];
		v = strtoll(ref + (ref[0] == 'v' || ref[0] == 'V'), NULL, 10);
		rc = version_row(st, model, v, sha, NULL, NULL);
	} else if (!(rc = ry_registry_check_alias_name(ref)) &&
	           !(rc = ry_registry_alias_get(st, model, ref, &v)) && !v) {
		ry_model_alias *al = NULL;
		size_t nal = 0;
		ry_buf b = RY_BUF_INIT;
		model_aliases(st, model, &al, &nal);
		for (size_t i = 0; i < nal; i++) {
			ry_buf_printf(&b, "%s@%s", i ? ", " : "", al[i].alias);
			free(al[i].alias);
		}
		free(al);
		safe = ry_sanitize_dup(model);
		rc = ry_error_set(RY_ENOTFOUND, "model %s has no alias @%s; %s%s", safe, ref,
		                  nal ? "its aliases: " : "it has no aliases yet", ry_buf_cstr(&b));
		free(safe);
		ry_buf_free(&b);
	}
out:
	if (rc) {
		free(model);
		return rc;
	}
	*model_out = model;
	*version = v;
	return 0;
}

int ry_registry_history(ry_store *st, const char *model, ry_model_event **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT id, ts, actor, kind, detail FROM events WHERE subject = ? "
	                                     "ORDER BY id");
	char *subject = subject_of(model);
	ry_model_event *v = NULL;
	size_t len = 0, cap = 0;
	int rc;
	sqlite3_bind_text(s, 1, subject, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ry_model_event *e;
		cJSON *j, *x;
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		e = &v[len++];
		memset(e, 0, sizeof *e);
		e->id = sqlite3_column_int64(s, 0);
		e->ts = sqlite3_column_double(s, 1);
		e->actor = ry_store__column_dup(s, 2);
		e->kind = ry_store__column_dup(s, 3);
		e->detail = ry_store__column_dup(s, 4);
		if (!e->detail || !(j = cJSON_Parse(e->detail)))
			continue;
		if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "alias")))
			e->alias = ry_xstrdup(x->valuestring);
		if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(j, "version")))
			e->version = (int64_t)x->valuedouble;
		if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(j, "from")))
			e->from_version = (int64_t)x->valuedouble;
		if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(j, "to")))
			e->to_version = (int64_t)x->valuedouble;
		if (!e->version && e->to_version)
			e->version = e->to_version;
		if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(j, "deployment")))
			e->deployment = (int64_t)x->valuedouble;
		if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "target")))
			e->target = ry_xstrdup(x->valuestring);
		if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "endpoint")))
			e->endpoint = ry_xstrdup(x->valuestring);
		{
			cJSON *why = cJSON_GetObjectItemCaseSensitive(j, "note");
			cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
			bool has_why = cJSON_IsString(why) && why->valuestring[0];
			bool has_reason = cJSON_IsString(reason) && reason->valuestring[0];
			if (has_why && has_reason)
				e->note = ry_xasprintf("%s; %s", why->valuestring, reason->valuestring);
			else if (has_why || has_reason)
				e->note = ry_xstrdup(has_why ? why->valuestring : reason->valuestring);
		}
		cJSON_Delete(j);
	}
	rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading the audit trail");
	sqlite3_reset(s);
	free(subject);
	if (rc) {
		ry_model_events_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void ry_model_events_free(ry_model_event *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].actor);
		free(e[i].kind);
		free(e[i].alias);
		free(e[i].note);
		free(e[i].detail);
		free(e[i].target);
		free(e[i].endpoint);
	}
	free(e);
}

/* ---- integrity and export ---------------------------------------------- */

int ry_registry_verify(ry_store *st, const char *model, int64_t version)
{
	char sha[65];
	int rc = need_model(st, model);
	if (rc || (rc = version_row(st, model, version, sha, NULL, NULL)))
		return rc;
	return *sha ? ry_artifact_verify(st, sha) : held_elsewhere(st, model, version);
}

int ry_registry_export(ry_store *st, const char *model, int64_t version, const char *dir, char **written)
{
	char sha[65], *path = NULL, *dest = NULL;
	const char *base;
	int rc;
	if (written)
		*written = NULL;
	if ((rc = need_model(st, model)) || (rc = version_row(st, model, version, sha, &path, NULL)))
		return rc;
	if (!*sha) {
		free(path);
		return held_elsewhere(st, model, version);
	}
	base = path && *base_name(path) ? base_name(path) : sha;
	if (!strcmp(base, "..") || !strcmp(base, "."))
		base = sha;
	if ((rc = ry_mkdir_p(dir)))
		goto out;
	dest = ry_xasprintf("%s/%s", dir, base);
	if ((rc = ry_artifact_export(st, sha, dest)))
		goto out;
	if (written) {
		*written = dest;
		dest = NULL;
	}
out:
	free(path);
	free(dest);
	return rc;
}

/* ---- deleting runs ----------------------------------------------------- */

int ry_registry_run_delete(ry_store *st, int64_t run_id, bool force)
{
	sqlite3_stmt *s;
	ry_buf versions = RY_BUF_INIT;
	char *name = NULL, *status = NULL;
	size_t nver = 0;
	int rc;

	if ((rc = ry_store_begin(st)))
		return rc;
	s = ry_store__stmt(st, "SELECT name, status FROM runs WHERE id = ?");
	sqlite3_bind_int64(s, 1, run_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		name = ry_store__column_dup(s, 0);
		status = ry_store__column_dup(s, 1);
	}
	sqlite3_reset(s);
	if (!name) {
		rc = ry_error_set(RY_ENOTFOUND, "there is no run %lld; 'runyard runs' lists them", (long long)run_id);
		goto fail;
	}
	if (status && !strcmp(status, "running")) {
		char *safe = ry_sanitize_dup(name);
		rc = ry_error_set(RY_EREFUSED, "run %s is still running; cancel it or wait for it to end before "
		                  "deleting it", safe);
		free(safe);
		goto fail;
	}
	s = ry_store__stmt(st, "SELECT model, version FROM model_versions WHERE run_id = ? ORDER BY model, version");
	sqlite3_bind_int64(s, 1, run_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		ry_buf_puts(&versions, nver++ ? ", " : "");
		ry_sanitize(&versions, (const char *)sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0), false);
		ry_buf_printf(&versions, "@%lld", (long long)sqlite3_column_int64(s, 1));
	}
	sqlite3_reset(s);
	if (nver && !force) {
		char *safe = ry_sanitize_dup(name);
		rc = ry_error_set(RY_EREFUSED, "run %s is the source of registered model version%s %s; deleting it "
		                  "would lose their lineage; use --force to delete it anyway (the versions and "
		                  "their artifacts are kept)", safe, nver > 1 ? "s" : "", ry_buf_cstr(&versions));
		free(safe);
		goto fail;
	}
	if (nver) {
		/* Each affected model's trail says where its lineage went. */
		s = ry_store__stmt(st, "SELECT DISTINCT model FROM model_versions WHERE run_id = ?");
		sqlite3_bind_int64(s, 1, run_id);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			char *model = ry_store__column_dup(s, 0);
			cJSON *j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "run", (double)run_id);
			cJSON_AddStringToObject(j, "run_name", name);
			cJSON_AddStringToObject(j, "note", "source run deleted with --force; versions kept");
			rc = event(st, model, "run.delete", j);
			free(model);
			if (rc)
				break;
		}
		if (rc > 0 && rc != SQLITE_DONE)
			rc = ry_store__sqlerr(st, "reading model versions");
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			goto fail;
		s = ry_store__stmt(st, "UPDATE model_versions SET run_id = NULL WHERE run_id = ?");
		sqlite3_bind_int64(s, 1, run_id);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "unlinking model versions");
		sqlite3_reset(s);
		if (rc)
			goto fail;
	}
	s = ry_store__stmt(st, "DELETE FROM runs WHERE id = ?");
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "deleting a run");
	sqlite3_reset(s);
	if (rc)
		goto fail;
	{
		char subject[32];
		cJSON *j = cJSON_CreateObject();
		char *detail;
		snprintf(subject, sizeof subject, "run:%lld", (long long)run_id);
		cJSON_AddStringToObject(j, "name", name);
		cJSON_AddBoolToObject(j, "force", force);
		detail = cJSON_PrintUnformatted(j);
		rc = ry_store_event(st, "run.delete", subject, detail);
		cJSON_free(detail);
		cJSON_Delete(j);
		if (rc)
			goto fail;
	}
	rc = ry_store_commit(st);
	goto out;
fail:
	ry_store_rollback(st);
out:
	ry_buf_free(&versions);
	free(name);
	free(status);
	return rc;
}
