/*
 * Push: a workspace run, or a registered version, onto a tracking server.
 *
 * A run is found again by the tags runyard keeps on it (mlflow.run_id
 * with mlflow.tracking_uri naming this server: set by an earlier push or
 * import), else created in the experiment of its name (created if
 * missing).  Then only what the server lacks is sent, with runs/log-batch
 * inside the server's per-request limits (utils/validation.py: 1,000
 * metrics, 100 params, 100 tags, 1,000 entities in all): params it does
 * not have (MLflow refuses to change a logged param, so a different value
 * stops the push before anything is sent), tags that differ, and metric
 * points it does not hold (same step, timestamp and value).  Status, end
 * time and name go with runs/update.  A run is created with the tag
 * runyard.uuid (the workspace run's uuid), and its id goes onto the
 * workspace run as soon as the server made it, before anything is sent;
 * a run not linked yet is first looked for by that tag.  So a push that
 * stops partway -- even killed while runs/create was on the wire -- is
 * finished by the next push, not duplicated.
 *
 * A version is registered with the run's artifact URI and path as its
 * source; one already there with the same run and source is reused, so
 * pushing again adds nothing.
 */
#include "plugins/mlflow/rest/rest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_METRICS 1000
#define BATCH_PARAMS 100
#define BATCH_TAGS 100
/* the tag a pushed run is created with: the workspace run's uuid */
#define RUNYARD_UUID_TAG "runyard.uuid"
#define BATCH_ENTITIES 1000

static const char *kv_get(const ry_plugin_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

static const char *mkv_get(const mlf_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

/* Keys MLflow accepts (utils/validation.py: ^[/\w.\- ]*$; non-ASCII
 * bytes are \w's business, let the server judge them). */
static bool mlflow_key(const char *k)
{
	if (!*k)
		return false;
	for (const unsigned char *p = (const unsigned char *)k; *p; p++)
		if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_/.- ", *p)))
			return false;
	return true;
}

/* The tags runyard keeps about the link itself: never sent as run tags. */
static bool link_tag(const char *k)
{
	return !strcmp(k, "mlflow.run_id") || !strcmp(k, "mlflow.tracking_uri") || !strcmp(k, "mlflow.experiment_id") ||
	       !strcmp(k, "mlflow.artifact_uri");
}

/* ---- finding or creating the run --------------------------------------- */

static int experiment_id(rest_client *c, const char *name, char **id)
{
	char *n = rest_escape(name);
	char *path = mlf_xasprintf("/api/2.0/mlflow/experiments/get-by-name?experiment_name=%s", n);
	cJSON *j = NULL;
	long status;
	int rc = rest_call(c, "GET", path, NULL, REST_404_OK, &status, &j);
	free(path);
	free(n);
	*id = NULL;
	if (!rc && status == 200) {
		const char *s = rest_str(cJSON_GetObjectItemCaseSensitive(j, "experiment"), "experiment_id");
		*id = s ? mlf_xstrdup(s) : NULL;
	}
	cJSON_Delete(j);
	if (rc || *id)
		return rc;
	cJSON *q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "name", name);
	j = NULL;
	rc = rest_call(c, "POST", "/api/2.0/mlflow/experiments/create", q, 0, NULL, &j);
	cJSON_Delete(q);
	if (!rc && rest_str(j, "experiment_id"))
		*id = mlf_xstrdup(rest_str(j, "experiment_id"));
	else if (!rc)
		rc = rest_fail(c, RY_PLUGIN_ECORRUPT, "experiments/create answered without an experiment_id");
	cJSON_Delete(j);
	return rc;
}

/* The server's run `id`, or NULL in *out when it has none (404). */
static int run_get(rest_client *c, const char *id, mlf_run **out)
{
	char *e = rest_escape(id), *path = mlf_xasprintf("/api/2.0/mlflow/runs/get?run_id=%s", e);
	cJSON *j = NULL;
	long status;
	int rc = rest_call(c, "GET", path, NULL, REST_404_OK, &status, &j);
	*out = !rc && status == 200 ? rest_run_parse(cJSON_GetObjectItemCaseSensitive(j, "run"), NULL) : NULL;
	cJSON_Delete(j);
	free(path);
	free(e);
	return rc;
}

/* The server run an earlier push of workspace run `uuid` created, found by
 * the RUNYARD_UUID_TAG it was created with, or NULL in *out.  A push killed
 * after the server made the run and before the workspace recorded its id
 * is finished by the next push on this run, never duplicated (issue 16). */
static int run_find_pushed(rest_client *c, const char *exp, const char *uuid, mlf_run **out)
{
	cJSON *q = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(q, "experiment_ids"), *j = NULL;
	char *filter = mlf_xasprintf("tags.`" RUNYARD_UUID_TAG "` = '%s'", uuid);
	*out = NULL;
	cJSON_AddItemToArray(ids, cJSON_CreateString(exp));
	cJSON_AddStringToObject(q, "filter", filter);
	cJSON_AddNumberToObject(q, "max_results", 1);
	cJSON_AddStringToObject(q, "run_view_type", "ACTIVE_ONLY");
	int rc = rest_call(c, "POST", "/api/2.0/mlflow/runs/search", q, 0, NULL, &j);
	cJSON_Delete(q);
	free(filter);
	const cJSON *runs = j ? cJSON_GetObjectItemCaseSensitive(j, "runs") : NULL;
	if (!rc && cJSON_GetArraySize(runs) > 0)
		*out = rest_run_parse(cJSON_GetArrayItem(runs, 0), NULL);
	cJSON_Delete(j);
	return rc;
}

/* The server run for workspace run `uuid`: one an earlier, interrupted
 * push made (run_find_pushed), else a new one, tagged with the uuid.
 * *created says which. */
static int run_create(rest_client *c, const char *uuid, const ry_plugin_run_data *d, mlf_run **out, bool *created)
{
	char *exp;
	int rc = experiment_id(c, d->experiment && *d->experiment ? d->experiment : "Default", &exp);
	*out = NULL;
	*created = false;
	if (rc)
		return rc;
	if ((rc = run_find_pushed(c, exp, uuid, out)) || *out) {
		free(exp);
		return rc;
	}
	cJSON *q = cJSON_CreateObject(), *j = NULL, *tags, *tag;
	cJSON_AddStringToObject(q, "experiment_id", exp);
	if (d->name)
		cJSON_AddStringToObject(q, "run_name", d->name);
	double t = d->started > 0 ? d->started : d->created;
	if (t > 0)
		cJSON_AddNumberToObject(q, "start_time", (double)llround(t * 1000.0));
	tags = cJSON_AddArrayToObject(q, "tags");
	tag = cJSON_CreateObject();
	cJSON_AddStringToObject(tag, "key", RUNYARD_UUID_TAG);
	cJSON_AddStringToObject(tag, "value", uuid);
	cJSON_AddItemToArray(tags, tag);
	rc = rest_call(c, "POST", "/api/2.0/mlflow/runs/create", q, 0, NULL, &j);
	cJSON_Delete(q);
	free(exp);
	if (!rc && !(*out = rest_run_parse(cJSON_GetObjectItemCaseSensitive(j, "run"), NULL)))
		rc = rest_fail(c, RY_PLUGIN_ECORRUPT, "runs/create answered without a run id");
	cJSON_Delete(j);
	*created = !rc;
	return rc;
}

/* ---- what the server lacks ------------------------------------------------ */

static int point_cmp(const void *a, const void *b)
{
	const ry_plugin_point *x = a, *y = b;
	int64_t tx = llround(x->ts * 1000.0), ty = llround(y->ts * 1000.0);
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return tx < ty ? -1 : tx > ty;
}

static bool same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static bool held(const mlf_history *h, int64_t step, int64_t ts_ms, double value)
{
	if (!h || !h->n)
		return false;
	ry_plugin_point key = { step, (double)ts_ms / 1000.0, value };
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (point_cmp(&h->points[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < h->n && !point_cmp(&h->points[i], &key); i++)
		if (same_value(h->points[i].value, value))
			return true;
	return false;
}

static int server_histories_ready(rest_client *c, mlf_run *r, void *ctx)
{
	(void)c;
	(void)ctx;
	for (size_t i = 0; i < r->nmetrics; i++)
		if (r->metrics[i].n > 1)
			qsort(r->metrics[i].points, r->metrics[i].n, sizeof *r->metrics[i].points, point_cmp);
	return 0;
}

static const mlf_history *server_history(const mlf_run *srv, const char *key)
{
	for (size_t i = 0; i < srv->nmetrics; i++)
		if (!strcmp(srv->metrics[i].key, key))
			return &srv->metrics[i];
	return NULL;
}

/* One log-batch body being filled. */
typedef struct batch {
	cJSON *body, *metrics, *params, *tags;
	int nm, np, nt;
} batch;

typedef struct sender {
	rest_client *c;
	const char *run_id;
	batch b;
	int64_t sent_points, sent_params, sent_tags;
} sender;

static void batch_flush(sender *s)
{
	if (!s->b.body)
		return;
	if (s->b.nm + s->b.np + s->b.nt)
		rest_queue_json(s->c, "POST", "/api/2.0/mlflow/runs/log-batch", s->b.body, 0, NULL, NULL);
	cJSON_Delete(s->b.body);
	memset(&s->b, 0, sizeof s->b);
}

/* Room for one more of a kind (0 metric, 1 param, 2 tag), flushing first
 * when the batch is full. */
static void batch_room(sender *s, int kind)
{
	batch *b = &s->b;
	if (b->body && (b->nm + b->np + b->nt >= BATCH_ENTITIES || (kind == 0 && b->nm >= BATCH_METRICS) ||
	                (kind == 1 && b->np >= BATCH_PARAMS) || (kind == 2 && b->nt >= BATCH_TAGS)))
		batch_flush(s);
	if (!b->body) {
		b->body = cJSON_CreateObject();
		cJSON_AddStringToObject(b->body, "run_id", s->run_id);
		b->metrics = cJSON_AddArrayToObject(b->body, "metrics");
		b->params = cJSON_AddArrayToObject(b->body, "params");
		b->tags = cJSON_AddArrayToObject(b->body, "tags");
	}
}

static void send_kv(sender *s, bool tag, const char *k, const char *v)
{
	batch_room(s, tag ? 2 : 1);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "key", k);
	cJSON_AddStringToObject(o, "value", v ? v : "");
	cJSON_AddItemToArray(tag ? s->b.tags : s->b.params, o);
	if (tag) {
		s->b.nt++;
		s->sent_tags++;
	} else {
		s->b.np++;
		s->sent_params++;
	}
}

static void send_point(sender *s, const char *key, int64_t step, int64_t ts_ms, double value)
{
	batch_room(s, 0);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "key", key);
	cJSON_AddItemToObject(o, "value", rest_value_json(value));
	cJSON_AddNumberToObject(o, "timestamp", (double)ts_ms);
	cJSON_AddNumberToObject(o, "step", (double)step);
	cJSON_AddItemToArray(s->b.metrics, o);
	s->b.nm++;
	s->sent_points++;
}

/* A key not pushed, and why. */
static void warn_key(rest_client *c, const char *uuid, const char *what, const char *key)
{
	char *m = mlf_xasprintf("run %s: %s '%s' not pushed: MLflow keys are letters, digits and _ - . / space", uuid,
	                        what, key);
	rest_svc(c)->log(rest_svc(c)->host, RY_PLUGIN_LOG_WARN, m);
	free(m);
}

/* Params the server has with another value: MLflow refuses to change
 * them, so say which before sending anything. */
static int param_conflicts(rest_client *c, const ry_plugin_run_data *d, const mlf_run *srv)
{
	for (size_t i = 0; i < d->nparams; i++) {
		const char *v = mkv_get(srv->params, srv->nparams, d->params[i].key);
		if (v && strcmp(v, d->params[i].value ? d->params[i].value : ""))
			return rest_fail(c, RY_PLUGIN_EREFUSED,
			                 "run %s: param '%s' is '%.200s' on the server and '%.200s' here, and MLflow never "
			                 "changes a logged param; nothing was sent (push it as a new run by removing its "
			                 "tag mlflow.run_id)",
			                 srv->run_id, d->params[i].key, v, d->params[i].value ? d->params[i].value : "");
	}
	return 0;
}

static void send_tag_if(sender *s, const mlf_run *srv, const char *k, const char *v)
{
	if (!v)
		return;
	const char *have = mkv_get(srv->tags, srv->ntags, k);
	if (!have || strcmp(have, v))
		send_kv(s, true, k, v);
}

static void queue_missing(sender *s, const ry_plugin_run_data *d, const mlf_run *srv)
{
	for (size_t i = 0; i < d->nparams; i++) {
		if (!mlflow_key(d->params[i].key)) {
			warn_key(s->c, d->uuid, "param", d->params[i].key);
			continue;
		}
		if (!mkv_get(srv->params, srv->nparams, d->params[i].key))
			send_kv(s, false, d->params[i].key, d->params[i].value);
	}
	for (size_t i = 0; i < d->ntags; i++) {
		if (link_tag(d->tags[i].key))
			continue;
		if (!mlflow_key(d->tags[i].key)) {
			warn_key(s->c, d->uuid, "tag", d->tags[i].key);
			continue;
		}
		send_tag_if(s, srv, d->tags[i].key, d->tags[i].value);
	}
	send_tag_if(s, srv, "mlflow.source.git.commit", d->git_commit);
	send_tag_if(s, srv, "mlflow.source.git.branch", d->git_branch);
	send_tag_if(s, srv, "mlflow.source.git.repoURL", d->git_remote);
	if (d->notes && *d->notes)
		send_tag_if(s, srv, "mlflow.note.content", d->notes);
	if (!kv_get(d->tags, d->ntags, "runyard.uuid"))
		send_tag_if(s, srv, "runyard.uuid", d->uuid);
	int64_t t0 = llround((d->started > 0 ? d->started : d->created) * 1000.0);
	for (size_t i = 0; i < d->nmetrics; i++) {
		const ry_plugin_series *m = &d->metrics[i];
		if (!mlflow_key(m->key)) {
			warn_key(s->c, d->uuid, "metric", m->key);
			continue;
		}
		const mlf_history *h = server_history(srv, m->key);
		for (size_t k = 0; k < m->n; k++) {
			int64_t ts = m->points[k].ts > 0 ? llround(m->points[k].ts * 1000.0) : t0;
			if (!held(h, m->points[k].step, ts, m->points[k].value))
				send_point(s, m->key, m->points[k].step, ts, m->points[k].value);
		}
	}
	batch_flush(s);
}

static int run_update(rest_client *c, const ry_plugin_run_data *d, const char *run_id)
{
	cJSON *q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "run_id", run_id);
	cJSON_AddStringToObject(q, "status", mlf_status_from_runyard(d->status));
	if (d->ended > 0)
		cJSON_AddNumberToObject(q, "end_time", (double)llround(d->ended * 1000.0));
	if (d->name)
		cJSON_AddStringToObject(q, "run_name", d->name);
	int rc = rest_call(c, "POST", "/api/2.0/mlflow/runs/update", q, 0, NULL, NULL);
	cJSON_Delete(q);
	return rc;
}

/* Push run uuid; *srv_out (may be NULL) gets the server's run. */
static int push_run(rest_client *c, const char *uuid, mlf_run **srv_out)
{
	const ry_plugin_services *svc = rest_svc(c);
	const ry_plugin_run_data *d;
	mlf_run *srv = NULL;
	int rc;
	if (srv_out)
		*srv_out = NULL;
	if (!svc->run_read || !svc->run_annotate)
		return mlf_error(svc, RY_PLUGIN_EREFUSED, "this runyard cannot push runs yet (no run_read service)");
	if ((rc = svc->run_read(svc->host, uuid, &d)))
		return rc;
	const char *id = kv_get(d->tags, d->ntags, "mlflow.run_id");
	const char *uri = kv_get(d->tags, d->ntags, "mlflow.tracking_uri");
	bool linked = id && uri && !strncmp(uri, rest_url(c), strlen(rest_url(c))) &&
	              strspn(uri + strlen(rest_url(c)), "/") == strlen(uri + strlen(rest_url(c)));
	if (linked && (rc = run_get(c, id, &srv)))
		return rc;
	bool created = false, unlinked = !srv;
	if (!srv && (rc = run_create(c, uuid, d, &srv, &created)))
		return rc;
	/* Link the server run at once, before sending anything: a push that
	 * fails or is killed partway leaves a run the next push finds and
	 * completes, never one it makes again (issue 16). */
	if (unlinked && ((rc = svc->run_annotate(svc->host, uuid, "mlflow.run_id", srv->run_id)) ||
	                (rc = svc->run_annotate(svc->host, uuid, "mlflow.tracking_uri", rest_url(c)))))
		goto out;
	if ((rc = param_conflicts(c, d, srv)))
		goto out;
	/* the server's histories of the keys it has, to send only the rest */
	mlf_run *one = srv;
	if (!created && (rc = rest_histories(c, &one, 1, server_histories_ready, NULL)))
		goto out;
	sender s = { c, srv->run_id, { 0 }, 0, 0, 0 };
	queue_missing(&s, d, srv);
	if ((rc = rest_run(c)) || (rc = run_update(c, d, srv->run_id)))
		goto out;
	char *m = mlf_xasprintf("run %s -> %s run %s: %lld params, %lld tags, %lld metric points sent", uuid,
	                        created ? "new" : "existing", srv->run_id, (long long)s.sent_params,
	                        (long long)s.sent_tags, (long long)s.sent_points);
	svc->log(svc->host, RY_PLUGIN_LOG_INFO, m);
	free(m);
out:
	if (!rc && srv_out) {
		*srv_out = srv;
		srv = NULL;
	}
	if (srv) {
		mlf_run_clear(srv);
		free(srv);
	}
	return rc;
}

int rest_export_run(rest_client *c, const char *uuid)
{
	return push_run(c, uuid, NULL);
}

/* ---- a registered version ----------------------------------------------- */

typedef struct find_version {
	const char *run_id, *source;
	int64_t number;
} find_version;

static int model_ensure(rest_client *c, const char *name)
{
	char *n = rest_escape(name), *path = mlf_xasprintf("/api/2.0/mlflow/registered-models/get?name=%s", n);
	long status;
	int rc = rest_call(c, "GET", path, NULL, REST_404_OK, &status, NULL);
	free(path);
	free(n);
	if (rc || status != 404)
		return rc;
	cJSON *q = cJSON_CreateObject();
	cJSON_AddStringToObject(q, "name", name);
	rc = rest_call(c, "POST", "/api/2.0/mlflow/registered-models/create", q, 0, NULL, NULL);
	cJSON_Delete(q);
	return rc;
}

struct version_want {
	const char *run_id, *source;
	int64_t number;
};

static int version_match(rest_client *c, const cJSON *v, void *ctx)
{
	struct version_want *w = ctx;
	const char *r = rest_str(v, "run_id"), *s = rest_str(v, "source");
	(void)c;
	if (!r || !s || strcmp(r, w->run_id) || strcmp(s, w->source))
		return 0;
	w->number = rest_i64(v, "version", 0);
	return w->number > 0;
}

static int version_find(rest_client *c, const char *model, const char *run_id, const char *source, int64_t *number)
{
	char *filter = mlf_xasprintf("name='%s'", model), *f = rest_escape(filter);
	char *base = mlf_xasprintf("/api/2.0/mlflow/model-versions/search?max_results=1000&filter=%s", f);
	struct version_want w = { run_id, source, 0 };
	int rc = rest_search_all(c, base, "model_versions", version_match, &w);
	*number = w.number;
	free(base);
	free(f);
	free(filter);
	return rc;
}

/* Wait while the server registers the version (a store that copies the
 * artifact answers PENDING_REGISTRATION first).  Takes mv (the version as
 * the server last described it). */
static int version_wait(rest_client *c, const char *model, int64_t number, cJSON *mv)
{
	char *n = rest_escape(model);
	int rc = 0;
	for (int i = 0;; i++) {
		const char *st = rest_str(mv, "status");
		if (!st || !strcmp(st, "READY"))
			break;
		if (strcmp(st, "PENDING_REGISTRATION")) {
			rc = rest_fail(c, RY_PLUGIN_EIO, "model %s version %lld: %s: %s", model, (long long)number, st,
			               rest_str(mv, "status_message") ? rest_str(mv, "status_message") : "");
			break;
		}
		if (i == 240) {
			rc = rest_fail(c, RY_PLUGIN_EIO, "model %s version %lld: still PENDING_REGISTRATION after a minute",
			               model, (long long)number);
			break;
		}
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		char *path = mlf_xasprintf("/api/2.0/mlflow/model-versions/get?name=%s&version=%lld", n, (long long)number);
		cJSON *j = NULL;
		rc = rest_call(c, "GET", path, NULL, 0, NULL, &j);
		free(path);
		cJSON_Delete(mv);
		mv = j ? cJSON_DetachItemFromObjectCaseSensitive(j, "model_version") : NULL;
		cJSON_Delete(j);
		if (rc)
			break;
	}
	cJSON_Delete(mv);
	free(n);
	return rc;
}

int rest_export_model(rest_client *c, const char *model, int64_t number, const char *alias)
{
	const ry_plugin_services *svc = rest_svc(c);
	const ry_plugin_model_version *v;
	mlf_run *srv = NULL;
	char *source = NULL;
	int64_t srv_number = 0;
	int rc;
	if (!svc->model_read)
		return mlf_error(svc, RY_PLUGIN_EREFUSED, "this runyard cannot push models yet (no model_read service)");
	if ((rc = svc->model_read(svc->host, model, number, &v)))
		return rc;
	/* lent until the next model_read or run_read: keep what is needed */
	char *run_uuid = v->run_id ? mlf_xstrdup(v->run_id) : NULL;
	char *apath = v->artifact_path ? mlf_xstrdup(v->artifact_path) : NULL;
	char *src = v->source_uri ? mlf_xstrdup(v->source_uri) : NULL;
	char *desc = v->description ? mlf_xstrdup(v->description) : NULL;
	if (run_uuid && (rc = push_run(c, run_uuid, &srv)))
		goto out;
	if (srv && srv->artifact_uri)
		source = mlf_xasprintf("%s/%s", srv->artifact_uri, apath ? apath : "model");
	else if (src)
		source = mlf_xstrdup(src);
	else {
		rc = rest_fail(c, RY_PLUGIN_EINVAL, "model %s version %lld has no run and no source URI to register",
		               model, (long long)number);
		goto out;
	}
	if ((rc = model_ensure(c, model)))
		goto out;
	if (srv && (rc = version_find(c, model, srv->run_id, source, &srv_number)))
		goto out;
	if (!srv_number) {
		cJSON *q = cJSON_CreateObject(), *j = NULL;
		cJSON_AddStringToObject(q, "name", model);
		cJSON_AddStringToObject(q, "source", source);
		if (srv)
			cJSON_AddStringToObject(q, "run_id", srv->run_id);
		if (desc)
			cJSON_AddStringToObject(q, "description", desc);
		rc = rest_call(c, "POST", "/api/2.0/mlflow/model-versions/create", q, 0, NULL, &j);
		cJSON_Delete(q);
		cJSON *mv = j ? cJSON_DetachItemFromObjectCaseSensitive(j, "model_version") : NULL;
		cJSON_Delete(j);
		srv_number = rest_i64(mv, "version", 0);
		if (!rc && !srv_number)
			rc = rest_fail(c, RY_PLUGIN_ECORRUPT, "model-versions/create answered without a version");
		if (!rc)
			rc = version_wait(c, model, srv_number, mv);
		else
			cJSON_Delete(mv);
	}
	if (!rc && alias) {
		cJSON *q = cJSON_CreateObject();
		char num[32];
		snprintf(num, sizeof num, "%lld", (long long)srv_number);
		cJSON_AddStringToObject(q, "name", model);
		cJSON_AddStringToObject(q, "alias", alias);
		cJSON_AddStringToObject(q, "version", num);
		rc = rest_call(c, "POST", "/api/2.0/mlflow/registered-models/alias", q, 0, NULL, NULL);
		cJSON_Delete(q);
	}
	if (!rc) {
		char *m = mlf_xasprintf("model %s version %lld -> server version %lld%s%s", model, (long long)number,
		                        (long long)srv_number, alias ? ", alias " : "", alias ? alias : "");
		svc->log(svc->host, RY_PLUGIN_LOG_INFO, m);
		free(m);
	}
out:
	if (srv) {
		mlf_run_clear(srv);
		free(srv);
	}
	free(source);
	free(run_uuid);
	free(apath);
	free(src);
	free(desc);
	return rc;
}
