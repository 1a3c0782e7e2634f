/*
 * Whole metric histories of many runs, fetched in parallel.
 *
 * MLflow 2.x serves GET /ajax-api/2.0/mlflow/metrics/get-history-bulk:
 * one key, up to 20 run ids, at most 25,000 points in all
 * (server/handlers.py: MAX_RUN_IDS_PER_REQUEST, MAX_HISTORY_RESULTS),
 * sorted by run id, then timestamp.  So runs are packed 20 to a request
 * per key while the step of their newest point says their histories fit,
 * and an answer that may have been cut short (25,000 points, or a run
 * whose newest listed point is missing) is followed up: the runs before
 * the last run id in it are whole, the last run is fetched alone with
 * /api/2.0/mlflow/metrics/get-history (paged), the later ones again in
 * bulk.  A server without the bulk endpoint (404) gets get-history for
 * every run and key.
 *
 * Runs are grouped in listing order, so they complete roughly in that
 * order and are handed on (and freed) while later requests are in flight:
 * memory holds the histories of the runs in flight, not of the import.
 */
#include "plugins/mlflow/rest/rest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_MAX_RUNS 20
#define BULK_MAX_POINTS 25000

typedef struct hrun {
	mlf_run *r;
	int pending;            /* requests still to answer for this run */
} hrun;

typedef struct hctx {
	hrun *runs;
	size_t n;
	rest_run_ready_fn ready;
	void *ctx;
	bool no_bulk;           /* the server answered 404 to the bulk endpoint */
} hctx;

/* One request: a key and the runs it asks for (one for get-history). */
typedef struct hreq {
	hctx *h;
	char *key;
	size_t *idx; size_t n;  /* indices into h->runs */
	char *page_token;       /* get-history only */
} hreq;

static void hreq_free(hreq *q)
{
	free(q->key);
	free(q->idx);
	free(q->page_token);
	free(q);
}

static void drop(void *q)
{
	hreq_free(q);
}

static int run_done(rest_client *c, hctx *h, size_t i)
{
	if (--h->runs[i].pending > 0)
		return 0;
	return h->ready(c, h->runs[i].r, h->ctx);
}

static const mlf_latest *latest_of(const mlf_run *r, const char *key)
{
	for (size_t i = 0; i < r->nlatest; i++)
		if (!strcmp(r->latest[i].key, key))
			return &r->latest[i];
	return NULL;
}

static void queue_bulk(rest_client *c, hctx *h, const char *key, const size_t *idx, size_t n);
static void queue_one(rest_client *c, hctx *h, const char *key, size_t i, const char *page_token);

/* Add the points of a get-history / get-history-bulk answer to their
 * runs; `q` names the runs asked for.  Returns how many points. */
static size_t add_points(hctx *h, hreq *q, const cJSON *metrics, const char **last_run)
{
	size_t count = 0, at = 0;
	const cJSON *m;
	*last_run = NULL;
	cJSON_ArrayForEach(m, metrics) {
		const char *id = rest_str(m, "run_id");
		size_t k = at;
		if (id && strcmp(h->runs[q->idx[k]].r->run_id, id))
			for (k = 0; k < q->n && strcmp(h->runs[q->idx[k]].r->run_id, id); k++)
				;
		if (k == q->n)
			continue; /* a run not asked for: not ours */
		at = k;
		*last_run = h->runs[q->idx[k]].r->run_id;
		mlf_history_add(mlf_run_history(h->runs[q->idx[k]].r, q->key), rest_i64(m, "step", 0),
		                rest_i64(m, "timestamp", 0), rest_value(cJSON_GetObjectItemCaseSensitive(m, "value")));
		count++;
	}
	return count;
}

/* Does r's history of key hold the newest point the listing showed? */
static bool has_latest(mlf_run *r, const char *key)
{
	const mlf_latest *l = latest_of(r, key);
	if (!l)
		return true;
	mlf_history *m = mlf_run_history(r, key);
	for (size_t i = m->n; i-- > 0;)
		if (m->points[i].step == l->step && llround(m->points[i].ts * 1000.0) == l->ts_ms)
			return true;
	return false;
}

static int bulk_done(rest_client *c, long status, cJSON *json, void *ctx)
{
	hreq *q = ctx;
	hctx *h = q->h;
	int rc = 0;
	if (status == 404) {
		/* no bulk endpoint here: one request per run and key instead */
		h->no_bulk = true;
		for (size_t k = 0; k < q->n; k++)
			queue_one(c, h, q->key, q->idx[k], NULL);
		hreq_free(q);
		return 0;
	}
	const char *last_seen;
	size_t count = add_points(h, q, cJSON_GetObjectItemCaseSensitive(json, "metrics"), &last_seen);
	/* a copy: run_done below may hand that run on and free it */
	char *last = last_seen ? mlf_xstrdup(last_seen) : NULL;
	size_t *again = mlf_xmalloc(q->n * sizeof *again), nagain = 0;
	for (size_t k = 0; k < q->n && !rc; k++) {
		size_t i = q->idx[k];
		mlf_run *r = h->runs[i].r;
		int cmp = last ? strcmp(r->run_id, last) : -1;
		if (count >= BULK_MAX_POINTS && cmp >= 0) {
			/* cut short here or after: the last run alone and paged, the
			 * later ones in bulk again */
			mlf_run_history(r, q->key)->n = 0;
			if (cmp == 0)
				queue_one(c, h, q->key, i, NULL);
			else
				again[nagain++] = i;
		} else if (!has_latest(r, q->key)) {
			mlf_run_history(r, q->key)->n = 0;
			queue_one(c, h, q->key, i, NULL);
		} else {
			rc = run_done(c, h, i);
		}
	}
	if (!rc && nagain)
		queue_bulk(c, h, q->key, again, nagain);
	free(again);
	free(last);
	hreq_free(q);
	return rc;
}

static int one_done(rest_client *c, long status, cJSON *json, void *ctx)
{
	hreq *q = ctx;
	hctx *h = q->h;
	const char *last, *token = rest_str(json, "next_page_token");
	int rc = 0;
	(void)status;
	add_points(h, q, cJSON_GetObjectItemCaseSensitive(json, "metrics"), &last);
	if (token && *token)
		queue_one(c, h, q->key, q->idx[0], token);
	else
		rc = run_done(c, h, q->idx[0]);
	hreq_free(q);
	return rc;
}

static void queue_one(rest_client *c, hctx *h, const char *key, size_t i, const char *page_token)
{
	hreq *q = mlf_xmalloc(sizeof *q);
	*q = (hreq){ h, mlf_xstrdup(key), mlf_xmalloc(sizeof(size_t)), 1, NULL };
	q->idx[0] = i;
	char *id = rest_escape(h->runs[i].r->run_id), *k = rest_escape(key);
	char *tok = page_token ? rest_escape(page_token) : NULL;
	char *path = mlf_xasprintf("/api/2.0/mlflow/metrics/get-history?run_id=%s&metric_key=%s&max_results=%d%s%s",
	                           id, k, BULK_MAX_POINTS, tok ? "&page_token=" : "", tok ? tok : "");
	rest_queue_owned(c, "GET", path, NULL, 0, one_done, q, drop);
	free(path);
	free(id);
	free(k);
	free(tok);
}

static void queue_bulk(rest_client *c, hctx *h, const char *key, const size_t *idx, size_t n)
{
	if (h->no_bulk) {
		for (size_t k = 0; k < n; k++)
			queue_one(c, h, key, idx[k], NULL);
		return;
	}
	hreq *q = mlf_xmalloc(sizeof *q);
	*q = (hreq){ h, mlf_xstrdup(key), mlf_xmalloc(n * sizeof(size_t)), n, NULL };
	memcpy(q->idx, idx, n * sizeof(size_t));
	char *k = rest_escape(key);
	size_t cap = 128 + strlen(k) + n * 48, len;
	char *path = mlf_xmalloc(cap);
	len = (size_t)snprintf(path, cap, "/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=%s&max_results=%d",
	                       k, BULK_MAX_POINTS);
	for (size_t j = 0; j < n; j++) {
		char *id = rest_escape(h->runs[idx[j]].r->run_id);
		if (len + strlen(id) + 16 > cap)
			path = mlf_xrealloc(path, cap = (len + strlen(id) + 16) * 2);
		len += (size_t)snprintf(path + len, cap - len, "&run_id=%s", id);
		free(id);
	}
	rest_queue_owned(c, "GET", path, NULL, REST_404_OK, bulk_done, q, drop);
	free(path);
	free(k);
}

/* A history's expected size from its newest step: enough to pack runs. */
static int64_t estimate(const mlf_latest *l)
{
	int64_t e = l->step + 1;
	return e < 1 ? 1 : e > BULK_MAX_POINTS ? BULK_MAX_POINTS : e;
}

/* Queue the requests for runs [from, to): per key, the runs having it,
 * packed while they fit one answer. */
static void queue_group(rest_client *c, hctx *h, size_t from, size_t to)
{
	size_t idx[BULK_MAX_RUNS];
	for (size_t i = from; i < to; i++) {
		mlf_run *r = h->runs[i].r;
		for (size_t k = 0; k < r->nlatest; k++) {
			const char *key = r->latest[k].key;
			bool seen = false;
			for (size_t j = from; j < i && !seen; j++)
				seen = latest_of(h->runs[j].r, key) != NULL;
			if (seen)
				continue; /* queued with the first run of the group that has it */
			size_t n = 0;
			int64_t points = 0;
			for (size_t j = i; j < to; j++) {
				const mlf_latest *l = latest_of(h->runs[j].r, key);
				if (!l)
					continue;
				if (n && points + estimate(l) > BULK_MAX_POINTS) {
					queue_bulk(c, h, key, idx, n);
					n = 0;
					points = 0;
				}
				idx[n++] = j;
				points += estimate(l);
				h->runs[j].pending++;
			}
			queue_bulk(c, h, key, idx, n);
		}
	}
}

int rest_histories(rest_client *c, mlf_run **runs, size_t n, rest_run_ready_fn ready, void *ctx)
{
	hctx h = { mlf_xmalloc((n ? n : 1) * sizeof *h.runs), n, ready, ctx, false };
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		h.runs[i] = (hrun){ runs[i], 0 };
	for (size_t i = 0; i < n; i += BULK_MAX_RUNS)
		queue_group(c, &h, i, i + BULK_MAX_RUNS < n ? i + BULK_MAX_RUNS : n);
	/* runs with no metrics are ready now */
	for (size_t i = 0; i < n && !rc; i++)
		if (!h.runs[i].pending) {
			h.runs[i].pending = 1;
			rc = run_done(c, &h, i);
		}
	if (!rc)
		rc = rest_run(c);
	free(h.runs);
	return rc;
}
