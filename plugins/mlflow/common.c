/*
 * What every MLflow backend shares: an mlf_run's memory, the mapping of an
 * MLflow run to runyard's (mlf_run_import), its fingerprint, statuses and
 * the experiment filter.  Reading a source is the backends' job; this file
 * never does I/O beyond the services.
 */
#include "plugins/mlflow/mlflow.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *mlf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("runyard: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *mlf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("runyard: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *mlf_xstrdup(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *d = mlf_xmalloc(n + 1);
	memcpy(d, s ? s : "", n + 1);
	return d;
}

static char *vxasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = mlf_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	return s;
}

char *mlf_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vxasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int mlf_error(const ry_plugin_services *svc, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vxasprintf(fmt, ap);
	va_end(ap);
	int rc = svc->error(svc->host, code, s);
	free(s);
	return rc;
}

/* ---- an mlf_run's memory ------------------------------------------------- */

static void kvs_free(mlf_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void mlf_run_clear(mlf_run *r)
{
	free(r->run_id);
	free(r->experiment_id);
	free(r->experiment);
	free(r->name);
	free(r->status);
	free(r->user);
	free(r->artifact_uri);
	kvs_free(r->params, r->nparams);
	kvs_free(r->tags, r->ntags);
	for (size_t i = 0; i < r->nlatest; i++)
		free(r->latest[i].key);
	free(r->latest);
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].key);
		free(r->metrics[i].points);
	}
	free(r->metrics);
	memset(r, 0, sizeof *r);
}

/* Arrays grow by doubling; a count that is a power of two is full. */
static void *grow(void *v, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		v = mlf_xrealloc(v, (n ? n * 2 : 4) * size);
	return v;
}

static void kv_add(mlf_kv **v, size_t *n, const char *key, const char *value)
{
	*v = grow(*v, *n, sizeof **v);
	(*v)[*n].key = mlf_xstrdup(key);
	(*v)[*n].value = mlf_xstrdup(value ? value : "");
	(*n)++;
}

void mlf_run_param(mlf_run *r, const char *key, const char *value)
{
	kv_add(&r->params, &r->nparams, key, value);
}

void mlf_run_tag(mlf_run *r, const char *key, const char *value)
{
	kv_add(&r->tags, &r->ntags, key, value);
}

/* MLflow's SQL store keeps +-Inf as +-DBL_MAX (SQL has no infinities), and
 * a server on it hands those out: read them back as what was logged, so
 * every kind of source gives the same value. */
static double sql_inf(double v)
{
	return v == DBL_MAX ? INFINITY : v == -DBL_MAX ? -INFINITY : v;
}

void mlf_run_latest(mlf_run *r, const char *key, double value, int64_t step, int64_t ts_ms)
{
	r->latest = grow(r->latest, r->nlatest, sizeof *r->latest);
	r->latest[r->nlatest++] = (mlf_latest){ mlf_xstrdup(key), sql_inf(value), step, ts_ms };
}

mlf_history *mlf_run_history(mlf_run *r, const char *key)
{
	for (size_t i = r->nmetrics; i-- > 0;)
		if (!strcmp(r->metrics[i].key, key))
			return &r->metrics[i];
	r->metrics = grow(r->metrics, r->nmetrics, sizeof *r->metrics);
	mlf_history *m = &r->metrics[r->nmetrics++];
	*m = (mlf_history){ mlf_xstrdup(key), NULL, 0, 0 };
	return m;
}

void mlf_history_add(mlf_history *m, int64_t step, int64_t ts_ms, double value)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->points = mlf_xrealloc(m->points, m->cap * sizeof *m->points);
	}
	m->points[m->n++] = (ry_plugin_point){ step, (double)ts_ms / 1000.0, sql_inf(value) };
}

/* ---- statuses -------------------------------------------------------------- */

const char *mlf_status_to_runyard(const char *s)
{
	if (!s)
		return "finished";
	if (!strcmp(s, "FINISHED"))
		return "finished";
	if (!strcmp(s, "FAILED"))
		return "failed";
	if (!strcmp(s, "KILLED"))
		return "killed";
	/* RUNNING and SCHEDULED: live at the source; the next import settles it. */
	return "running";
}

const char *mlf_status_from_runyard(const char *s)
{
	if (!s || !strcmp(s, "finished"))
		return "FINISHED";
	if (!strcmp(s, "running"))
		return "RUNNING";
	if (!strcmp(s, "queued"))
		return "SCHEDULED";
	if (!strcmp(s, "killed"))
		return "KILLED";
	return "FAILED"; /* failed, lost */
}

bool mlf_experiment_wanted(const ry_plugin_services *svc, const char *name)
{
	const char *want = svc->option ? svc->option(svc->host, "experiment") : NULL;
	if (!want || !*want)
		return true;
	size_t n = strlen(name);
	for (const char *p = want; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !memcmp(p, name, n))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* ---- the fingerprint ------------------------------------------------------- */

/* FNV-1a, 64 bits, twice with different offsets: change detection, not
 * security (a collision costs one missed update until the run changes
 * again), and plugins have no hash of core's to call. */
typedef struct fp {
	uint64_t a, b;
} fp;

static void fp_bytes(fp *f, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		f->a = (f->a ^ c[i]) * 0x100000001b3ULL;
		f->b = (f->b ^ c[i]) * 0x100000001b3ULL;
	}
	/* a separator no string holds, so "ab","c" differs from "a","bc" */
	f->a = (f->a ^ 0xff) * 0x100000001b3ULL;
	f->b = (f->b ^ 0xfe) * 0x100000001b3ULL;
}

static void fp_str(fp *f, const char *s)
{
	fp_bytes(f, s ? s : "", s ? strlen(s) : 0);
}

static void fp_i64(fp *f, int64_t v)
{
	char b[32];
	fp_bytes(f, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)v));
}

static void fp_num(fp *f, double v)
{
	char b[40];
	/* %.17g round-trips; NaN and inf spelt one way whatever the source's sign bits */
	int n = isnan(v) ? snprintf(b, sizeof b, "nan") : snprintf(b, sizeof b, "%.17g", v);
	fp_bytes(f, b, (size_t)n);
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const mlf_kv *)a)->key, ((const mlf_kv *)b)->key);
}

static int latest_cmp(const void *a, const void *b)
{
	return strcmp(((const mlf_latest *)a)->key, ((const mlf_latest *)b)->key);
}

static void fp_kvs(fp *f, const mlf_kv *v, size_t n)
{
	mlf_kv *s = mlf_xmalloc((n ? n : 1) * sizeof *s);
	if (n)
		memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, kv_cmp);
	fp_i64(f, (int64_t)n);
	for (size_t i = 0; i < n; i++) {
		fp_str(f, s[i].key);
		fp_str(f, s[i].value);
	}
	free(s);
}

char *mlf_run_fingerprint(const mlf_run *r)
{
	fp f = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };
	fp_str(&f, "mlflow-fp-1");
	fp_str(&f, r->status);
	fp_i64(&f, r->end_ms);
	fp_str(&f, r->name);
	fp_kvs(&f, r->params, r->nparams);
	fp_kvs(&f, r->tags, r->ntags);
	mlf_latest *l = mlf_xmalloc((r->nlatest ? r->nlatest : 1) * sizeof *l);
	if (r->nlatest)
		memcpy(l, r->latest, r->nlatest * sizeof *l);
	qsort(l, r->nlatest, sizeof *l, latest_cmp);
	fp_i64(&f, (int64_t)r->nlatest);
	for (size_t i = 0; i < r->nlatest; i++) {
		fp_str(&f, l[i].key);
		fp_num(&f, l[i].value);
		fp_i64(&f, l[i].step);
		fp_i64(&f, l[i].ts_ms);
	}
	free(l);
	return mlf_xasprintf("%016llx%016llx", (unsigned long long)f.a, (unsigned long long)f.b);
}

int mlf_run_unchanged(const ry_plugin_services *svc, const mlf_run *r)
{
	if (!svc->run_unchanged)
		return 0;
	char *f = mlf_run_fingerprint(r);
	int rc = svc->run_unchanged(svc->host, r->run_id, f);
	free(f);
	return rc;
}

/* ---- one run into runyard ------------------------------------------------------ */

static const char *tag_of(const mlf_run *r, const char *key)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i].key, key))
			return r->tags[i].value;
	return NULL;
}

/* The URI without user:password@, so a credential typed into a URL never
 * lands in the workspace. */
static char *uri_without_userinfo(const char *uri)
{
	const char *s = strstr(uri, "://");
	if (!s)
		return mlf_xstrdup(uri);
	s += 3;
	const char *end = s + strcspn(s, "/?#");
	const char *at = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return mlf_xstrdup(uri);
	return mlf_xasprintf("%.*s%s", (int)(s - uri), uri, at + 1);
}

static int send_tags(const ry_plugin_services *svc, const mlf_run *r, const char *tracking_uri)
{
	int rc;
	for (size_t i = 0; i < r->ntags; i++) {
		/* mlflow.run_id is core's own (the id tag of plugin "mlflow") */
		if (!strcmp(r->tags[i].key, "mlflow.run_id"))
			continue;
		if ((rc = svc->run_tag(svc->host, r->tags[i].key, r->tags[i].value)))
			return rc;
	}
	char *uri = uri_without_userinfo(tracking_uri);
	rc = svc->run_tag(svc->host, "mlflow.tracking_uri", uri);
	free(uri);
	if (!rc && r->experiment_id)
		rc = svc->run_tag(svc->host, "mlflow.experiment_id", r->experiment_id);
	if (!rc && r->artifact_uri && *r->artifact_uri)
		rc = svc->run_tag(svc->host, "mlflow.artifact_uri", r->artifact_uri);
	if (!rc && r->user && *r->user && !tag_of(r, "mlflow.user"))
		rc = svc->run_tag(svc->host, "mlflow.user", r->user);
	return rc;
}

/* Step order, and within a step the order logged (MLflow allows several
 * values at one step and logging out of order; runyard series are in step
 * order).  Stable: a merge sort would do, but histories are nearly sorted,
 * so insertion sort is linear in practice. */
static void history_sort(mlf_history *m)
{
	for (size_t i = 1; i < m->n; i++) {
		ry_plugin_point p = m->points[i];
		size_t j = i;
		while (j > 0 && (m->points[j - 1].step > p.step ||
		                 (m->points[j - 1].step == p.step && m->points[j - 1].ts > p.ts))) {
			m->points[j] = m->points[j - 1];
			j--;
		}
		m->points[j] = p;
	}
}

int mlf_run_import(const ry_plugin_services *svc, const char *tracking_uri, const mlf_run *r)
{
	ry_plugin_run run = RY_PLUGIN_RUN_INIT;
	char *fpr = mlf_run_fingerprint(r);
	int rc;
	run.id = r->run_id;
	run.experiment = r->experiment;
	run.name = r->name && *r->name ? r->name : tag_of(r, "mlflow.runName");
	run.started = r->start_ms > 0 ? (double)r->start_ms / 1000.0 : 0;
	run.created = run.started;
	run.command = tag_of(r, "mlflow.source.name");
	run.git_commit = tag_of(r, "mlflow.source.git.commit");
	run.git_branch = tag_of(r, "mlflow.source.git.branch");
	run.git_remote = tag_of(r, "mlflow.source.git.repoURL");
	run.fingerprint = fpr;
	rc = svc->run_begin(svc->host, &run);
	free(fpr);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->nparams && !rc; i++)
		rc = svc->run_param(svc->host, r->params[i].key, r->params[i].value);
	if (!rc)
		rc = send_tags(svc, r, tracking_uri);
	for (size_t i = 0; i < r->nmetrics && !rc; i++) {
		history_sort(&r->metrics[i]);
		rc = svc->run_metric(svc->host, r->metrics[i].key, r->metrics[i].points, r->metrics[i].n);
	}
	if (rc)
		return rc;
	return svc->run_end(svc->host, mlf_status_to_runyard(r->status),
	                    r->end_ms > 0 ? (double)r->end_ms / 1000.0 : 0);
}
