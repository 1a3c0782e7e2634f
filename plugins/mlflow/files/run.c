/*
 * One run directory of MLflow's file store into an mlf_run: meta.yaml
 * (ids, name, status, times, user, lifecycle), params/ and tags/ (one file
 * per key, its contents the value; a key with '/' is a subdirectory) and
 * metrics/ (one file per key, a line "timestamp value [step]" per point,
 * appended in the order logged).
 *
 * The newest point of each metric is computed here as MLflow's stores do:
 * the largest (step, timestamp, value), the first logged winning a tie and
 * NaN counting as 0 -- what the SQL store's latest_metrics holds, so the
 * fingerprint matches an SQLite store or a server with the same data.
 * Numbers are read in the C locale whatever the user's (MLflow writes
 * Python's repr: "0.5", "nan", "inf", "-inf").
 */
#include "plugins/mlflow/files/files.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* MLflow's RunStatus numbers, as meta.yaml stores them. */
static const char *status_name(int64_t v)
{
	static const char *const names[] = { NULL, "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED" };
	return v >= 1 && v <= 5 ? names[v] : NULL;
}

/* Is point a newer than b by MLflow's rule (see the top)? */
static bool newer(int64_t step, int64_t ts, double v, const mlf_latest *b)
{
	double x = isnan(v) ? 0 : v, y = isnan(b->value) ? 0 : b->value;
	if (step != b->step)
		return step > b->step;
	if (ts != b->ts_ms)
		return ts > b->ts_ms;
	return x > y;
}

/* A strict integer of a metrics line (Python's int() of a field). */
static bool parse_i64(const char *s, const char *e, int64_t *v)
{
	char buf[32];
	if (e - s <= 0 || e - s >= (long)sizeof buf)
		return false;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	char *end;
	errno = 0;
	long long x = strtoll(buf, &end, 10);
	if (errno || *end || end == buf)
		return false;
	*v = x;
	return true;
}

static bool parse_double(const char *s, const char *e, double *v)
{
	char buf[64];
	if (e - s <= 0 || e - s >= (long)sizeof buf)
		return false;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	char *end;
	*v = strtod(buf, &end);
	return *end == '\0' && end != buf;
}

/* One line of a metrics file: "ts value" or "ts value step", single spaces. */
bool mlf_files__parse_point(const char *p, const char *e, int64_t *ts, double *v, int64_t *step)
{
	const char *f[4];
	size_t nf = 0;
	while (e > p && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
		e--;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	f[nf++] = p;
	for (const char *c = p; c < e; c++)
		if (*c == ' ') {
			if (nf == 4)
				return false;
			f[nf++] = c + 1;
		}
	if (nf < 2 || nf > 3)
		return false;
	*step = 0;
	return parse_i64(f[0], f[1] - 1, ts) && parse_double(f[1], nf == 3 ? f[2] - 1 : e, v) &&
	       (nf == 2 || parse_i64(f[2], e, step));
}

/* Read one metrics file: its newest point into r->latest, and with
 * `history` every point into r's history of `key`. */
static int read_metric(const mlf_files *fs, const char *path, const char *key, bool history, mlf_run *r)
{
	char *text;
	size_t len;
	int rc = mlf_files_read(fs, path, &text, &len);
	if (rc)
		return rc;
	mlf_history *h = history ? mlf_run_history(r, key) : NULL;
	mlf_latest best = { NULL, 0, 0, 0 };
	bool any = false;
	int line = 1;
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), old = c ? uselocale(c) : (locale_t)0;
	for (const char *p = text, *end = text + len; p < end; line++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		int64_t ts, step;
		double v;
		if (!mlf_files__parse_point(p, e, &ts, &v, &step)) {
			rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: line %d: '%.*s' is not 'timestamp value [step]'",
			               path, line, (int)(e - p > 80 ? 80 : e - p), p);
			break;
		}
		if (!any || newer(step, ts, v, &best))
			best = (mlf_latest){ NULL, v, step, ts };
		any = true;
		if (h)
			mlf_history_add(h, step, ts, v);
		p = e + 1;
	}
	if (old)
		uselocale(old);
	if (c)
		freelocale(c);
	free(text);
	if (rc == 0 && !any)
		rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: an empty metrics file (MLflow writes one point a line)",
		               path);
	if (rc == 0)
		mlf_run_latest(r, key, best.value, best.step, best.ts_ms);
	return rc;
}

/* params/ or tags/: each file under it a key, its contents the value. */
static int read_values(const mlf_files *fs, const char *dir, mlf_run *r, bool tags)
{
	char **keys;
	size_t n;
	int rc = mlf_files_tree(fs, dir, &keys, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = mlf_xasprintf("%s/%s", dir, keys[i]), *text;
		size_t len;
		if (!(rc = mlf_files_read(fs, path, &text, &len))) {
			if (memchr(text, '\0', len))
				rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: a NUL byte in a %s value", path,
				               tags ? "tag" : "param");
			else if (tags)
				mlf_run_tag(r, keys[i], text);
			else
				mlf_run_param(r, keys[i], text);
			free(text);
		}
		free(path);
	}
	mlf_files_names_free(keys, n);
	return rc;
}

static int read_metrics(const mlf_files *fs, const char *dir, bool history, mlf_run *r)
{
	char **keys;
	size_t n;
	int rc = mlf_files_tree(fs, dir, &keys, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = mlf_xasprintf("%s/%s", dir, keys[i]);
		rc = read_metric(fs, path, keys[i], history, r);
		free(path);
	}
	mlf_files_names_free(keys, n);
	return rc;
}

/* An optional time field (ms): null and absent are 0. */
static int meta_time(const mlf_files *fs, const mlf_yaml *y, const char *path, const char *key, int64_t *v)
{
	*v = 0;
	int k = mlf_yaml_int(y, key, v);
	if (k < 0)
		return mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: %s is not a time in milliseconds", path, key);
	return 0;
}

/* meta.yaml into r.  *skip for a run MLflow does not list. */
static int read_meta(const mlf_files *fs, const char *dir, const char *exp_id, mlf_run *r, bool *skip)
{
	char *path = mlf_xasprintf("%s/meta.yaml", dir);
	mlf_yaml *y = NULL;
	int rc;
	int64_t st;
	if ((rc = mlf_files_meta(fs, path, &y)))
		goto out;
	const char *id = mlf_yaml_str(y, "run_id") ? mlf_yaml_str(y, "run_id") : mlf_yaml_str(y, "run_uuid");
	const char *eid = mlf_yaml_str(y, "experiment_id"), *stage = mlf_yaml_str(y, "lifecycle_stage");
	const char *status = mlf_yaml_str(y, "status");
	if (!id || !eid) {
		rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: no %s: not a run's meta.yaml", path,
		               !id ? "run_id" : "experiment_id");
		goto out;
	}
	if (stage && strcmp(stage, "active")) {
		*skip = true;
		goto out;
	}
	if (strcmp(eid, exp_id)) {
		char *m = mlf_xasprintf("%s: experiment_id '%s' is not its experiment's; skipped, as MLflow does", path, eid);
		if (fs->svc->log)
			fs->svc->log(fs->svc->host, RY_PLUGIN_LOG_WARN, m);
		free(m);
		*skip = true;
		goto out;
	}
	/* status: RunStatus's number; absent is RUNNING, as MLflow reads it
	 * (a name, from an older writer, is kept as it is) */
	const char *sname = "RUNNING";
	if (status && mlf_yaml_int(y, "status", &st) == 0) {
		if (!(sname = status_name(st))) {
			rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: status %s is not one of MLflow's (1-5)", path, status);
			goto out;
		}
	} else if (status) {
		sname = status;
	}
	r->run_id = mlf_xstrdup(id);
	r->experiment_id = mlf_xstrdup(eid);
	r->status = mlf_xstrdup(sname);
	if (mlf_yaml_str(y, "run_name") && *mlf_yaml_str(y, "run_name"))
		r->name = mlf_xstrdup(mlf_yaml_str(y, "run_name"));
	if (mlf_yaml_str(y, "user_id"))
		r->user = mlf_xstrdup(mlf_yaml_str(y, "user_id"));
	if (mlf_yaml_str(y, "artifact_uri"))
		r->artifact_uri = mlf_xstrdup(mlf_yaml_str(y, "artifact_uri"));
	if (!(rc = meta_time(fs, y, path, "start_time", &r->start_ms)))
		rc = meta_time(fs, y, path, "end_time", &r->end_ms);
out:
	mlf_yaml_free(y);
	free(path);
	return rc;
}

int mlf_files_run(const mlf_files *fs, const char *dir, const char *exp_id, const char *exp_name, bool histories,
                  mlf_run *r, bool *skip)
{
	*skip = false;
	memset(r, 0, sizeof *r);
	int rc = read_meta(fs, dir, exp_id, r, skip);
	if (rc || *skip) {
		mlf_run_clear(r);
		return rc;
	}
	r->experiment = mlf_xstrdup(exp_name);
	char *params = mlf_xasprintf("%s/params", dir), *tags = mlf_xasprintf("%s/tags", dir);
	char *metrics = mlf_xasprintf("%s/metrics", dir);
	if (!(rc = read_values(fs, params, r, false)) && !(rc = read_values(fs, tags, r, true)))
		rc = read_metrics(fs, metrics, histories, r);
	free(params);
	free(tags);
	free(metrics);
	if (rc)
		mlf_run_clear(r);
	return rc;
}
