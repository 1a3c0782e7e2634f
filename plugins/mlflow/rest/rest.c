/*
 * The rest backend: an MLflow tracking server over REST API 2.0.
 *
 * Import lists the experiments (experiments/search, paged, active only),
 * keeps the ones the user asked for, lists their runs (runs/search, 1,000
 * a page, paged, in parallel across experiments), and describes each run
 * from the listing alone -- info, params, tags and the newest point of
 * each metric -- so mlf_run_unchanged can skip a run that is as it was
 * without reading its histories.  Only the runs that changed get their
 * whole histories (history.c) and go to mlf_run_import, one transaction
 * each, as soon as their histories are in.
 *
 * The registry is registry.c's, push is push.c's, HTTP is http.c's; the
 * mapping of an MLflow run to runyard's is common.c's.  No cursor: the
 * fingerprints make importing again cheap, and runs/search has no
 * "changed since" filter that also sees new metric points.
 */
#include "plugins/mlflow/rest/rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- experiments ------------------------------------------------------ */

typedef struct experiments {
	char **ids, **names;
	size_t n;
	char *token;
} experiments;

static void experiments_free(experiments *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->ids[i]);
		free(e->names[i]);
	}
	free(e->ids);
	free(e->names);
	free(e->token);
	memset(e, 0, sizeof *e);
}

static int experiments_page(rest_client *c, long status, cJSON *json, void *ctx)
{
	experiments *e = ctx;
	const cJSON *x;
	(void)c;
	(void)status;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(json, "experiments")) {
		const char *id = rest_str(x, "experiment_id"), *name = rest_str(x, "name");
		if (!id || !name)
			continue;
		e->ids = mlf_xrealloc(e->ids, (e->n + 1) * sizeof *e->ids);
		e->names = mlf_xrealloc(e->names, (e->n + 1) * sizeof *e->names);
		e->ids[e->n] = mlf_xstrdup(id);
		e->names[e->n] = mlf_xstrdup(name);
		e->n++;
	}
	const char *t = rest_str(json, "next_page_token");
	free(e->token);
	e->token = t && *t ? mlf_xstrdup(t) : NULL;
	return 0;
}

static int experiments_list(rest_client *c, experiments *e)
{
	int rc;
	memset(e, 0, sizeof *e);
	do {
		cJSON *q = cJSON_CreateObject();
		cJSON_AddNumberToObject(q, "max_results", 1000);
		cJSON_AddStringToObject(q, "view_type", "ACTIVE_ONLY");
		if (e->token)
			cJSON_AddStringToObject(q, "page_token", e->token);
		rest_queue_json(c, "POST", "/api/2.0/mlflow/experiments/search", q, 0, experiments_page, e);
		cJSON_Delete(q);
		rc = rest_run(c);
	} while (!rc && e->token);
	if (rc)
		experiments_free(e);
	return rc;
}

/* ---- the backend -------------------------------------------------------- */

typedef struct rest_source {
	rest_client *c;
	const ry_plugin_services *svc;
} rest_source;

static int r_open(void **self, const ry_plugin_services *svc, const char *source)
{
	rest_source *s = mlf_xmalloc(sizeof *s);
	int rc;
	*self = NULL;
	s->svc = svc;
	if ((rc = rest_open(&s->c, svc, source))) {
		free(s);
		return rc;
	}
	*self = s;
	return 0;
}

static void r_close(void *self)
{
	rest_source *s = self;
	if (!s)
		return;
	if (getenv("RUNYARD_MLFLOW_STATS"))
		fprintf(stderr, "runyard: mlflow: %.3f s waiting on the server\n", rest_wait_seconds(s->c));
	rest_close(s->c);
	free(s);
}

static int r_list_experiments(void *self, char ***names, size_t *n)
{
	rest_source *s = self;
	experiments e;
	int rc = experiments_list(s->c, &e);
	*names = NULL;
	*n = 0;
	if (rc)
		return rc;
	*names = e.names;
	*n = e.n;
	e.names = NULL;
	for (size_t i = 0; i < e.n; i++)
		free(e.ids[i]);
	free(e.ids);
	free(e.token);
	return 0;
}

/* ---- runs: the listing -------------------------------------------------- */

typedef struct listing {
	rest_source *s;
	mlf_run **runs;
	size_t n;
} listing;

/* One experiment's search, paged: what the next page's request needs. */
typedef struct search {
	listing *l;
	const char *exp_id, *exp_name; /* lent by the experiments list */
} search;

static void kvs(mlf_run *r, const cJSON *arr, bool tags)
{
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		const char *k = rest_str(x, "key"), *v = rest_str(x, "value");
		if (!k)
			continue;
		if (tags)
			mlf_run_tag(r, k, v);
		else
			mlf_run_param(r, k, v);
	}
}

mlf_run *rest_run_parse(const cJSON *run, const char *exp_name)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(run, "info");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(run, "data");
	const char *id = rest_str(info, "run_id");
	if (!id)
		id = rest_str(info, "run_uuid");
	if (!id)
		return NULL;
	mlf_run *r = mlf_xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	r->run_id = mlf_xstrdup(id);
#define DUP(f, k) r->f = rest_str(info, k) ? mlf_xstrdup(rest_str(info, k)) : NULL
	DUP(experiment_id, "experiment_id");
	DUP(name, "run_name");
	DUP(status, "status");
	DUP(user, "user_id");
	DUP(artifact_uri, "artifact_uri");
#undef DUP
	r->experiment = exp_name ? mlf_xstrdup(exp_name) : NULL;
	r->start_ms = rest_i64(info, "start_time", 0);
	r->end_ms = rest_i64(info, "end_time", 0);
	kvs(r, cJSON_GetObjectItemCaseSensitive(data, "params"), false);
	kvs(r, cJSON_GetObjectItemCaseSensitive(data, "tags"), true);
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(data, "metrics")) {
		const char *k = rest_str(m, "key");
		if (k)
			mlf_run_latest(r, k, rest_value(cJSON_GetObjectItemCaseSensitive(m, "value")),
			               rest_i64(m, "step", 0), rest_i64(m, "timestamp", 0));
	}
	return r;
}

static void search_queue(rest_client *c, search *s, const char *token);

static int search_page(rest_client *c, long status, cJSON *json, void *ctx)
{
	search *s = ctx;
	listing *l = s->l;
	const cJSON *run;
	(void)status;
	cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(json, "runs")) {
		mlf_run *r = rest_run_parse(run, s->exp_name);
		if (!r)
			continue;
		l->runs = mlf_xrealloc(l->runs, (l->n + 1) * sizeof *l->runs);
		l->runs[l->n++] = r;
	}
	const char *t = rest_str(json, "next_page_token");
	if (t && *t)
		search_queue(c, s, t);
	return 0;
}

static void search_queue(rest_client *c, search *s, const char *token)
{
	cJSON *q = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(q, "experiment_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(s->exp_id));
	cJSON_AddNumberToObject(q, "max_results", 1000);
	cJSON_AddStringToObject(q, "run_view_type", "ACTIVE_ONLY");
	if (token)
		cJSON_AddStringToObject(q, "page_token", token);
	rest_queue_json(c, "POST", "/api/2.0/mlflow/runs/search", q, 0, search_page, s);
	cJSON_Delete(q);
}

/* Warn about an --experiment the server does not have: a typo would
 * otherwise import nothing without a word. */
static void warn_missing(rest_source *s, const experiments *e)
{
	const char *want = s->svc->option ? s->svc->option(s->svc->host, "experiment") : NULL;
	for (const char *p = want; p && *p;) {
		size_t len = strcspn(p, "\n");
		bool found = false;
		for (size_t i = 0; i < e->n && !found; i++)
			found = strlen(e->names[i]) == len && !memcmp(e->names[i], p, len);
		if (!found) {
			char *m = mlf_xasprintf("no experiment named '%.*s' on %s", (int)len, p, rest_url(s->c));
			s->svc->log(s->svc->host, RY_PLUGIN_LOG_WARN, m);
			free(m);
		}
		p += len + (p[len] == '\n');
	}
}

/* ---- runs: import ------------------------------------------------------ */

typedef struct progress {
	rest_source *s;
	int64_t done, total;
} progress;

static void tick(progress *p)
{
	p->done++;
	if (p->s->svc->progress)
		p->s->svc->progress(p->s->svc->host, p->done, p->total);
}

static int import_ready(rest_client *c, mlf_run *r, void *ctx)
{
	progress *p = ctx;
	int rc = mlf_run_import(p->s->svc, rest_url(c), r);
	mlf_run_clear(r);
	tick(p);
	return rc;
}

static int r_import_runs(void *self, const char *since, char **cursor)
{
	rest_source *s = self;
	experiments e;
	listing l = { s, NULL, 0 };
	int rc;
	(void)since;
	*cursor = NULL;
	if ((rc = experiments_list(s->c, &e)))
		return rc;
	warn_missing(s, &e);
	search *srch = mlf_xmalloc((e.n ? e.n : 1) * sizeof *srch);
	for (size_t i = 0; i < e.n; i++) {
		srch[i] = (search){ &l, e.ids[i], e.names[i] };
		if (mlf_experiment_wanted(s->svc, e.names[i]))
			search_queue(s->c, &srch[i], NULL);
	}
	rc = rest_run(s->c);
	progress p = { s, 0, (int64_t)l.n };
	mlf_run **changed = mlf_xmalloc((l.n ? l.n : 1) * sizeof *changed);
	size_t nchanged = 0;
	if (!rc && s->svc->progress)
		s->svc->progress(s->svc->host, 0, p.total);
	for (size_t i = 0; i < l.n && !rc; i++) {
		int u = mlf_run_unchanged(s->svc, l.runs[i]);
		if (u < 0)
			rc = u;
		else if (u == 1)
			tick(&p);
		else
			changed[nchanged++] = l.runs[i];
	}
	if (!rc)
		rc = rest_histories(s->c, changed, nchanged, import_ready, &p);
	for (size_t i = 0; i < l.n; i++) {
		mlf_run_clear(l.runs[i]);
		free(l.runs[i]);
	}
	free(l.runs);
	free(changed);
	free(srch);
	experiments_free(&e);
	return rc;
}

static int r_sync_registry(void *self)
{
	rest_source *s = self;
	return rest_sync_registry(s->c);
}

static int r_export_run(void *self, const char *uuid)
{
	rest_source *s = self;
	return rest_export_run(s->c, uuid);
}

static int r_export_model(void *self, const char *model, int64_t number, const char *alias)
{
	rest_source *s = self;
	return rest_export_model(s->c, model, number, alias);
}

const mlf_source_ops mlf_rest_source = {
	.what = "tracking server",
	.open = r_open,
	.list_experiments = r_list_experiments,
	.import_runs = r_import_runs,
	.sync_registry = r_sync_registry,
	.export_run = r_export_run,
	.export_model = r_export_model,
	.close = r_close,
};
