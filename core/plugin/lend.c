/*
 * The services a tracker gets beyond importing runs: the registry puts of
 * an import (model_put, model_version_put, model_alias_put), and what
 * exporting needs (run_read, run_annotate, model_read), plus the export
 * itself (ry_plugin__export*).
 *
 * Reads go through the public run, metrics and registry APIs; what is lent
 * to the plugin is built here and owned by the session until the next read
 * or its end.  This file does not know how a plugin is reached.
 */
#include "plugin/plugin_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"
#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>

/* ry_point and ry_plugin_point are the same three fields, so histories are
 * lent without copying. */
_Static_assert(sizeof(ry_point) == sizeof(ry_plugin_point) &&
               offsetof(ry_point, step) == offsetof(ry_plugin_point, step) &&
               offsetof(ry_point, ts) == offsetof(ry_plugin_point, ts) &&
               offsetof(ry_point, value) == offsetof(ry_plugin_point, value),
               "ry_point and ry_plugin_point must match");

/* ---- the registry of an import ----------------------------------------- */

static int outside_run(ry_plugin_host *h, const char *what)
{
	if (h->open)
		return ry_error_set(RY_EINVAL, "plugin %s: %s inside run '%s' (send the registry after run_end)",
		                    h->name, what, h->run_ext_id);
	return 0;
}

/* "k=v,k=v", the registry's tag text, sorted so the same tags compare equal
 * whatever order the source lists them in; NULL for none. */
static char *tags_text(ry_plugin_host *h, const ry_plugin_kv *tags, size_t n, int *rc)
{
	*rc = 0;
	if (!n)
		return NULL;
	const ry_plugin_kv **v = ry_xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &tags[i];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1]->key, v[j]->key) > 0; j--) {
			const ry_plugin_kv *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0; i < n && !*rc; i++) {
		const char *k = v[i]->key, *val = v[i]->value ? v[i]->value : "";
		if (!k || !*k || !ry_utf8_valid(k, strlen(k)) || !ry_utf8_valid(val, strlen(val)))
			*rc = ry_error_set(RY_EINVAL, "plugin %s: a registry tag that is empty or not UTF-8", h->name);
		ry_buf_printf(&b, "%s%s=%s", i ? "," : "", k, val);
	}
	free(v);
	if (*rc) {
		ry_buf_free(&b);
		return NULL;
	}
	return ry_buf_detach(&b);
}

static int svc_model_put(ry_plugin_host *h, const ry_plugin_model *m)
{
	int rc;
	bool changed;
	if ((rc = outside_run(h, "model_put")))
		return rc;
	if (!m || m->version != RY_PLUGIN_ABI || !m->name)
		return ry_error_set(RY_EINVAL, "plugin %s: model_put without a model of this ABI", h->name);
	if (m->description && !ry_utf8_valid(m->description, strlen(m->description)))
		return ry_error_set(RY_EINVAL, "plugin %s: the description of model %s is not UTF-8", h->name, m->name);
	char *tags = tags_text(h, m->tags, m->ntags, &rc);
	if (!rc)
		rc = ry_registry_import_model(h->st, h->source_col, m->name, m->description, tags, m->created, &changed);
	free(tags);
	if (!rc && changed)
		h->stats->registry_changes++;
	return rc;
}

static int svc_model_version_put(ry_plugin_host *h, const ry_plugin_model_version *v)
{
	int rc;
	bool changed;
	int64_t run_id = 0;
	if ((rc = outside_run(h, "model_version_put")))
		return rc;
	if (!v || v->version != RY_PLUGIN_ABI || !v->model)
		return ry_error_set(RY_EINVAL, "plugin %s: model_version_put without a version of this ABI", h->name);
	if ((v->source_uri && !ry_utf8_valid(v->source_uri, strlen(v->source_uri))) ||
	    (v->description && !ry_utf8_valid(v->description, strlen(v->description))))
		return ry_error_set(RY_EINVAL, "plugin %s: version %lld of model %s has text that is not UTF-8",
		                    h->name, (long long)v->number, v->model);
	if (v->run_id && *v->run_id && (rc = ry_run_import_find(h->st, h->name, v->run_id, &run_id, NULL)))
		return rc;
	char *tags = tags_text(h, v->tags, v->ntags, &rc);
	if (!rc)
		rc = ry_registry_import_version(h->st, h->source_col, v->model, v->number, run_id, v->source_uri,
		                                v->description, tags, v->created, &changed);
	free(tags);
	if (!rc && changed)
		h->stats->registry_changes++;
	return rc;
}

static int svc_model_alias_put(ry_plugin_host *h, const char *model, const char *alias, int64_t number)
{
	int rc;
	bool changed;
	if ((rc = outside_run(h, "model_alias_put")))
		return rc;
	if (!model || !alias)
		return ry_error_set(RY_EINVAL, "plugin %s: model_alias_put needs a model and an alias", h->name);
	rc = ry_registry_import_alias(h->st, h->source_col, model, alias, number, &changed);
	if (!rc && changed)
		h->stats->registry_changes++;
	return rc;
}

/* ---- reading for export -------------------------------------------------- */

/* What run_read lends: the run, its histories and the arrays pointing into
 * them. */
typedef struct lent_run {
	ry_run *run;
	ry_plugin_kv *params, *tags;
	ry_plugin_series *series;
	ry_point **points;
	ry_metric_summary *sum;
	size_t nsum;
	ry_plugin_run_data data;
} lent_run;

static void lent_run_free(lent_run *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nsum; i++)
		free(l->points[i]);
	free(l->points);
	free(l->series);
	ry_metric_summaries_free(l->sum, l->nsum);
	free(l->params);
	free(l->tags);
	ry_run_free(l->run);
	free(l);
}

typedef struct lent_version {
	ry_model_version *v;
	ry_plugin_kv *tags;
	char *tags_copy;
	ry_plugin_model_version data;
} lent_version;

static void lent_version_free(lent_version *l)
{
	if (!l)
		return;
	ry_model_versions_free(l->v, 1);
	free(l->tags);
	free(l->tags_copy);
	free(l);
}

void ry_plugin__lend_free(ry_plugin_host *h)
{
	lent_run_free(h->lent_run);
	lent_version_free(h->lent_version);
	h->lent_run = h->lent_version = NULL;
}

static ry_plugin_kv *kvs(const ry_kv *v, size_t n)
{
	ry_plugin_kv *o = ry_xcalloc(n ? n : 1, sizeof *o);
	for (size_t i = 0; i < n; i++)
		o[i] = (ry_plugin_kv){ v[i].key, v[i].value };
	return o;
}

static int svc_run_read(ry_plugin_host *h, const char *uuid, const ry_plugin_run_data **out)
{
	lent_run *l = ry_xcalloc(1, sizeof *l);
	int rc;
	*out = NULL;
	lent_run_free(h->lent_run);
	h->lent_run = NULL;
	if ((rc = ry_run_find(&l->run, h->st, uuid ? uuid : "")) ||
	    (rc = ry_metrics_summaries(h->st, l->run->id, &l->sum, &l->nsum)))
		goto fail;
	l->series = ry_xcalloc(l->nsum ? l->nsum : 1, sizeof *l->series);
	l->points = ry_xcalloc(l->nsum ? l->nsum : 1, sizeof *l->points);
	for (size_t i = 0; i < l->nsum; i++) {
		size_t n = 0;
		if ((rc = ry_metrics_read(h->st, l->run->id, l->sum[i].key, &l->points[i], &n)))
			goto fail;
		l->series[i] = (ry_plugin_series){ l->sum[i].key, (const ry_plugin_point *)l->points[i], n };
	}
	const ry_run *r = l->run;
	l->params = kvs(r->params, r->nparams);
	l->tags = kvs(r->tags, r->ntags);
	l->data = (ry_plugin_run_data){
		.version = RY_PLUGIN_ABI, .uuid = r->uuid, .experiment = r->experiment, .name = r->name,
		.status = r->status, .command = r->command, .host = r->host, .source = r->source,
		.git_commit = r->git_commit, .git_branch = r->git_branch, .git_remote = r->git_remote,
		.git_dirty = r->git_dirty, .created = r->created, .started = r->started, .ended = r->ended,
		.has_exit_code = r->has_exit_code, .exit_code = r->exit_code, .notes = r->notes,
		.params = l->params, .nparams = r->nparams, .tags = l->tags, .ntags = r->ntags,
		.metrics = l->series, .nmetrics = l->nsum,
	};
	h->lent_run = l;
	*out = &l->data;
	return 0;
fail:
	lent_run_free(l);
	return rc;
}

static int svc_run_annotate(ry_plugin_host *h, const char *uuid, const char *key, const char *value)
{
	int64_t id;
	int rc;
	if (!key || !*key || !ry_utf8_valid(key, strlen(key)) || (value && !ry_utf8_valid(value, strlen(value))))
		return ry_error_set(RY_EINVAL, "plugin %s: run_annotate with a key or value that is empty or not UTF-8",
		                    h->name);
	if ((rc = ry_run_resolve(&id, h->st, uuid ? uuid : "")) || (rc = ry_store_begin(h->st)))
		return rc;
	if ((rc = ry_run_set_tag(h->st, id, key, value ? value : ""))) {
		ry_store_rollback(h->st);
		return rc;
	}
	return ry_store_commit(h->st);
}

/* Split the registry's "k=v,k=v" tag text into kvs pointing into copy. */
static ry_plugin_kv *split_tags(char *copy, size_t *n)
{
	ry_plugin_kv *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (char *p = copy; p && *p;) {
		char *comma = strchr(p, ','), *eq;
		if (comma)
			*comma = '\0';
		if ((eq = strchr(p, '='))) {
			*eq = '\0';
			v = ry_xgrow(v, &cap, *n + 1, sizeof *v);
			v[(*n)++] = (ry_plugin_kv){ p, eq + 1 };
		}
		p = comma ? comma + 1 : NULL;
	}
	return v;
}

static int svc_model_read(ry_plugin_host *h, const char *model, int64_t number,
                          const ry_plugin_model_version **out)
{
	lent_version *l = ry_xcalloc(1, sizeof *l);
	int rc;
	*out = NULL;
	lent_version_free(h->lent_version);
	h->lent_version = NULL;
	if ((rc = ry_registry_version(h->st, model ? model : "", number, &l->v))) {
		lent_version_free(l);
		return rc;
	}
	const ry_model_version *v = l->v;
	size_t ntags = 0;
	l->tags_copy = v->tags ? ry_xstrdup(v->tags) : NULL;
	l->tags = split_tags(l->tags_copy, &ntags);
	l->data = (ry_plugin_model_version){
		.version = RY_PLUGIN_ABI, .model = v->model, .number = v->version,
		.run_id = v->run_uuid[0] ? v->run_uuid : NULL, .source_uri = v->source_uri, .sha256 = v->sha256,
		.artifact_path = v->artifact_path, .description = v->description, .created = v->created,
		.tags = l->tags, .ntags = ntags, .aliases = (const char *const *)v->aliases, .naliases = v->naliases,
	};
	h->lent_version = l;
	*out = &l->data;
	return 0;
}

void ry_plugin__lend_registry(ry_plugin_services *svc)
{
	svc->model_put = svc_model_put;
	svc->model_version_put = svc_model_version_put;
	svc->model_alias_put = svc_model_alias_put;
	svc->run_read = svc_run_read;
	svc->run_annotate = svc_run_annotate;
	svc->model_read = svc_model_read;
}
