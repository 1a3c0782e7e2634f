/*
 * The services core lends a plugin while it imports (ry_plugin_services),
 * and the import that drives a tracker through them.
 *
 * Everything is written through the public run and metrics APIs, never SQL:
 * a plugin's runs obey the same invariants as any other.  A run is one
 * transaction from run_begin to run_end; a failure anywhere in between
 * (the plugin's, a service's, a dead exec plugin's) rolls it back, so the
 * workspace never holds half a run.  Importing again finds runs imported
 * before by their "<plugin>.run_id" tag and updates them in place: params
 * and tags set again, points beyond those already stored appended.
 *
 * This file does not know how a plugin is reached (host.c, exec.c).
 */
#include "plugin/plugin_internal.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/fault.h"
#include "base/redact.h"
#include "base/util.h"
#include "metrics/ingest.h"
#include "metrics/metrics.h"
#include "registry/artifact.h"
#include "runs/run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Points buffered before the writer writes a chunk batch (inside the run's
 * transaction, so a rollback still takes them back). */
#define FLUSH_POINTS 65536

static void run_clear(ry_plugin_host *h)
{
	ry_metrics_writer_free(h->w);
	ry_run_free(h->old);
	ry_metric_summaries_free(h->sum, h->nsum);
	free(h->seen);
	free(h->run_ext_id);
	free(h->fingerprint);
	ry_artifacts_free(h->arts, h->narts);
	h->arts = NULL;
	h->narts = 0;
	h->arts_loaded = false;
	h->fingerprint = NULL;
	h->w = NULL;
	h->old = NULL;
	h->sum = NULL;
	h->seen = NULL;
	h->run_ext_id = NULL;
	h->nsum = 0;
	h->open = false;
}

/* Take back everything of the open run (accepts none open). */
static void run_abort(ry_plugin_host *h)
{
	if (!h->open)
		return;
	ry_store_rollback(h->st);
	run_clear(h);
}

/* A service failed: the run it was part of is gone (a store call that
 * fails may already have rolled the transaction back), so nothing written
 * after it may land outside one. */
static int fail(ry_plugin_host *h, int rc)
{
	run_abort(h);
	return rc;
}

static int need_run(ry_plugin_host *h, const char *what)
{
	if (!h->open)
		return ry_error_set(RY_EINVAL, "plugin %s: %s outside a run (send run_begin first)", h->name, what);
	return 0;
}

static int check_key(ry_plugin_host *h, const char *what, const char *key)
{
	if (!key || !ry_ingest_key_ok(key))
		return ry_error_set(RY_EINVAL, "plugin %s: a %s name must be 1 to 200 bytes of UTF-8 without "
		                    "control characters", h->name, what);
	return 0;
}

static int check_text(ry_plugin_host *h, const char *what, const char *s)
{
	if (s && !ry_utf8_valid(s, strlen(s)))
		return ry_error_set(RY_EINVAL, "plugin %s: the %s is not UTF-8", h->name, what);
	return 0;
}

/* A git column of the open run, from the source: written when it differs. */
static int set_git(ry_plugin_host *h, const char *column, const char *was, const char *now)
{
	if (!now || !*now || (was && !strcmp(was, now)))
		return 0;
	int rc = check_text(h, column, now);
	if (rc)
		return rc;
	if (h->old)
		h->changed = true;
	return ry_run_set_text(h->st, h->run_id, column, now);
}

/* The import running on this thread's cancel flag (ry_plugin__cancel_flag). */
static _Thread_local const atomic_int *import_cancel;

const atomic_int *ry_plugin__cancel_flag(void)
{
	return import_cancel;
}

static int check_cancel(ry_plugin_host *h)
{
	if (import_cancel && atomic_load(import_cancel))
		return ry_error_set(RY_ERROR, "plugin %s: import cancelled", h->name);
	return 0;
}

static int svc_run_begin(ry_plugin_host *h, const ry_plugin_run *run)
{
	int rc;
	int64_t id;
	/* Between runs is where a cancel stops an import that keeps sending. */
	if ((rc = check_cancel(h)))
		return fail(h, rc);
	if (h->open) {
		char *was = ry_xstrdup(h->run_ext_id);
		run_abort(h);
		rc = ry_error_set(RY_EINVAL, "plugin %s: run '%s' began before run '%s' ended", h->name,
		                  run && run->id ? run->id : "?", was);
		free(was);
		return rc;
	}
	if (!run || run->version != RY_PLUGIN_ABI)
		return ry_error_set(RY_EINVAL, "plugin %s: run_begin with a run of another ABI version", h->name);
	if (!run->id || !*run->id)
		return ry_error_set(RY_EINVAL, "plugin %s: run_begin needs the source's run id", h->name);
	if ((rc = check_text(h, "run id", run->id)) || (rc = check_text(h, "experiment", run->experiment)) ||
	    (rc = check_text(h, "run name", run->name)) || (rc = check_text(h, "command", run->command)) ||
	    (rc = check_text(h, "host", run->host)))
		return rc;
	if ((rc = ry_store_begin(h->st)))
		return rc;
	h->open = true;
	h->run_ext_id = ry_xstrdup(run->id);
	h->fingerprint = run->fingerprint ? ry_xstrdup(run->fingerprint) : NULL;
	h->changed = false;
	h->points = 0;
	if ((rc = ry_run_import_find(h->st, h->name, run->id, &id, NULL)))
		return fail(h, rc);
	if (id) {
		h->run_id = id;
		if ((rc = ry_run_get(&h->old, h->st, id)) || (rc = ry_metrics_summaries(h->st, id, &h->sum, &h->nsum)))
			return fail(h, rc);
		h->seen = ry_xcalloc(h->nsum ? h->nsum : 1, sizeof *h->seen);
		if ((rc = set_git(h, "git_commit", h->old->git_commit, run->git_commit)) ||
		    (rc = set_git(h, "git_branch", h->old->git_branch, run->git_branch)) ||
		    (rc = set_git(h, "git_remote", h->old->git_remote, run->git_remote)))
			return fail(h, rc);
	} else {
		ry_run_spec spec = RY_RUN_SPEC_INIT;
		spec.experiment = run->experiment && *run->experiment ? run->experiment : NULL;
		spec.name = run->name;
		spec.command = run->command;
		spec.host = run->host;
		spec.source = h->source_col;
		spec.created = run->created > 0 ? run->created : run->started;
		spec.started = run->started;
		if ((rc = ry_run_create(h->st, &spec, &h->run_id, NULL)) ||
		    (rc = ry_run_set_tag(h->st, h->run_id, h->idtag, run->id)) ||
		    (rc = set_git(h, "git_commit", NULL, run->git_commit)) ||
		    (rc = set_git(h, "git_branch", NULL, run->git_branch)) ||
		    (rc = set_git(h, "git_remote", NULL, run->git_remote)))
			return fail(h, rc);
	}
	if ((rc = ry_metrics_writer_new(&h->w, h->st)))
		return fail(h, rc);
	return 0;
}

/* The value a re-import finds stored for a kv: NULL if none. */
static const char *kv_get(const ry_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

static int svc_run_param(ry_plugin_host *h, const char *key, const char *value)
{
	int rc;
	if ((rc = need_run(h, "a param")) || (rc = check_key(h, "param", key)) ||
	    (rc = check_text(h, "param value", value)))
		return fail(h, rc);
	if (h->old) {
		const char *was = kv_get(h->old->params, h->old->nparams, key);
		char *now = ry_redact_value(key, value ? value : "");
		bool same = was && !strcmp(was, now);
		free(now);
		if (same)
			return 0;
		h->changed = true;
	}
	if ((rc = ry_run_set_param(h->st, h->run_id, key, value ? value : "")))
		return fail(h, rc);
	return 0;
}

static int svc_run_tag(ry_plugin_host *h, const char *key, const char *value)
{
	int rc;
	if ((rc = need_run(h, "a tag")) || (rc = check_key(h, "tag", key)) || (rc = check_text(h, "tag value", value)))
		return fail(h, rc);
	if (!strcmp(key, h->idtag))
		return fail(h, ry_error_set(RY_EINVAL, "plugin %s: tag '%s' is runyard's own", h->name, key));
	if (h->old) {
		const char *was = kv_get(h->old->tags, h->old->ntags, key);
		if (was && !strcmp(was, value ? value : ""))
			return 0;
		h->changed = true;
	}
	if ((rc = ry_run_set_tag(h->st, h->run_id, key, value ? value : "")))
		return fail(h, rc);
	return 0;
}

static int sum_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const ry_metric_summary *)elem)->key);
}

static int svc_run_metric(ry_plugin_host *h, const char *key, const ry_plugin_point *pts, size_t n)
{
	int rc;
	size_t skip = 0;
	if ((rc = need_run(h, "a metric")) || (rc = check_key(h, "metric", key)))
		return fail(h, rc);
	if (n > 0 && !pts)
		return fail(h, ry_error_set(RY_EINVAL, "plugin %s: metric '%s' without its points", h->name, key));
	/* A re-import: the first points of a stored series are those stored
	 * already (histories only grow at the source). */
	if (h->old && h->nsum > 0) {
		const ry_metric_summary *s = bsearch(key, h->sum, h->nsum, sizeof *h->sum, sum_cmp);
		if (s) {
			int64_t *seen = &h->seen[s - h->sum];
			int64_t left = s->n - *seen;
			skip = left <= 0 ? 0 : (size_t)left < n ? (size_t)left : n;
			*seen += (int64_t)skip;
		}
	}
	for (size_t i = skip; i < n; i++)
		if ((rc = ry_metrics_append(h->w, h->run_id, key, pts[i].step, pts[i].ts, pts[i].value)))
			return fail(h, rc);
	if (n > skip) {
		h->points += (int64_t)(n - skip);
		h->changed = true;
	}
	if (ry_metrics_pending(h->w) >= FLUSH_POINTS && (rc = ry_metrics_flush(h->w)))
		return fail(h, rc);
	return 0;
}

static bool status_ok(const char *s)
{
	return s && (!strcmp(s, "finished") || !strcmp(s, "failed") || !strcmp(s, "killed") ||
	             !strcmp(s, "running"));
}

static int svc_run_end(ry_plugin_host *h, const char *status, double ended)
{
	int rc;
	if ((rc = need_run(h, "run_end")))
		return rc;
	if (!status_ok(status))
		return fail(h, ry_error_set(RY_EINVAL, "plugin %s: run '%s' ended with status '%s': use finished, "
		                            "failed, killed or running", h->name, h->run_ext_id, status ? status : ""));
	if (!isfinite(ended) || ended < 0)
		ended = 0;
	if ((rc = ry_metrics_flush(h->w)))
		return fail(h, rc);
	if (!h->old) {
		if (strcmp(status, "running") && (rc = ry_run_finish(h->st, h->run_id, status, ended, false, 0)))
			return fail(h, rc);
	} else {
		if (strcmp(h->old->status, status)) {
			if ((rc = ry_run_set_text(h->st, h->run_id, "status", status)))
				return fail(h, rc);
			h->changed = true;
		}
		if (ended > 0 && fabs(h->old->ended - ended) > 1e-3) {
			if ((rc = ry_run_set_real(h->st, h->run_id, "ended", ended)))
				return fail(h, rc);
			h->changed = true;
		}
	}
	if ((rc = ry_run_import_record(h->st, h->name, h->run_ext_id, h->run_id, h->fingerprint)))
		return fail(h, rc);
	ry_fault("import-run-written"); /* a run's points and its import record written, not committed */
	if ((rc = ry_store_commit(h->st)))
		return fail(h, rc);
	if (!h->old)
		h->stats->runs_new++;
	else if (h->changed)
		h->stats->runs_updated++;
	else
		h->stats->runs_unchanged++;
	h->stats->points += h->points;
	run_clear(h);
	return 0;
}

static int svc_artifact_open(ry_plugin_host *h, const char *sha256, int *fd)
{
	*fd = -1;
	if (!sha256 || !ry_sha256_valid(sha256))
		return ry_error_set(RY_EINVAL, "plugin %s: '%s' is not an artifact's sha256", h->name,
		                    sha256 ? sha256 : "");
	char *path = ry_artifact_object_path(h->st, sha256);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved = errno;
	free(path);
	if (*fd < 0)
		return ry_error_set(saved == ENOENT ? RY_ENOTFOUND : RY_EIO, "plugin %s: artifact %.12s: %s", h->name,
		                    sha256, saved == ENOENT ? "not in this workspace" : strerror(saved));
	return 0;
}

static int svc_run_unchanged(ry_plugin_host *h, const char *id, const char *fingerprint)
{
	int64_t run_id;
	char *stored = NULL;
	if (h->open)
		return ry_error_set(RY_EINVAL, "plugin %s: run_unchanged inside run '%s'", h->name, h->run_ext_id);
	if (!id || !*id || !fingerprint || !*fingerprint)
		return 0;
	int rc = ry_run_import_find(h->st, h->name, id, &run_id, &stored);
	bool same = !rc && run_id && stored && !strcmp(stored, fingerprint);
	free(stored);
	if (rc)
		return rc;
	if (same)
		h->stats->runs_unchanged++;
	return same ? 1 : 0;
}

static int svc_run_artifact(ry_plugin_host *h, const char *path, const char *uri, int64_t size)
{
	int rc;
	if ((rc = need_run(h, "an artifact")) || (rc = check_text(h, "artifact path", path)) ||
	    (rc = check_text(h, "artifact URI", uri)))
		return fail(h, rc);
	if (!path || !*path || path[0] == '/' || !uri || !*uri)
		return fail(h, ry_error_set(RY_EINVAL, "plugin %s: an artifact needs a relative path and a URI",
		                            h->name));
	if (h->old && !h->arts_loaded) {
		if ((rc = ry_artifact_list(h->st, h->run_id, &h->arts, &h->narts)))
			return fail(h, rc);
		h->arts_loaded = true;
	}
	for (size_t i = 0; i < h->narts; i++)
		if (!strcmp(h->arts[i].path, path) && h->arts[i].uri && !strcmp(h->arts[i].uri, uri) &&
		    h->arts[i].size == size)
			return 0;
	if (h->old)
		h->changed = true;
	if ((rc = ry_artifact_record_external(h->st, h->run_id, path, uri, size < 0 ? -1 : size)))
		return fail(h, rc);
	return 0;
}

static const char *svc_option(ry_plugin_host *h, const char *key)
{
	if (key && !strcmp(key, "experiment"))
		return h->experiments;
	return NULL;
}

static void svc_progress(ry_plugin_host *h, int64_t done, int64_t total)
{
	if (h->opts && h->opts->progress)
		h->opts->progress(h->opts->payload, done, total);
}

static void svc_log(ry_plugin_host *h, int level, const char *message)
{
	if (h->opts && h->opts->log && message)
		h->opts->log(h->opts->payload, h->name, level, message);
}

static int svc_error(ry_plugin_host *h, int code, const char *message)
{
	if (code >= 0)
		code = RY_ERROR;
	return ry_error_set(code, "plugin %s: %s", h->name, message && *message ? message : "failed");
}

/* A session over st for plugin `name`: the host and the services lent. */
static void session_init(ry_plugin_host *h, ry_plugin_services *svc, ry_store *st, const char *name,
                         const ry_plugin_import_options *opts, ry_plugin_import_stats *stats)
{
	memset(h, 0, sizeof *h);
	h->st = st;
	h->name = name;
	h->source_col = ry_xasprintf("plugin:%s", name);
	h->idtag = ry_xasprintf("%s.run_id", name);
	h->opts = opts;
	h->stats = stats;
	*svc = (ry_plugin_services){
		.version = RY_PLUGIN_ABI, .host = h, .run_begin = svc_run_begin, .run_param = svc_run_param,
		.run_tag = svc_run_tag, .run_metric = svc_run_metric, .run_end = svc_run_end,
		.artifact_open = svc_artifact_open, .log = svc_log, .error = svc_error,
		.run_unchanged = svc_run_unchanged, .run_artifact = svc_run_artifact,
		.option = svc_option, .progress = svc_progress,
	};
	ry_plugin__lend_registry(svc);
}

static void session_done(ry_plugin_host *h)
{
	run_abort(h);
	ry_plugin__lend_free(h);
	free(h->source_col);
	free(h->idtag);
	free(h->experiments);
}

/* The "experiment" option: the names one per line, NULL for all. */
static char *experiments_option(const ry_plugin_import_options *opts)
{
	if (!opts || opts->version < 2 || !opts->nexperiments)
		return NULL;
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0; i < opts->nexperiments; i++)
		ry_buf_printf(&b, "%s%s", i ? "\n" : "", opts->experiments[i]);
	return ry_buf_detach(&b);
}

int ry_plugin__import(ry_store *st, const ry_tracker_ops *ops, const char *name, const char *source,
                      const ry_plugin_import_options *opts, ry_plugin_import_stats *stats)
{
	ry_plugin_host h;
	ry_plugin_services svc;
	void *self = NULL;
	char *cursor = NULL, *since = NULL;
	char *cursor_key = ry_xasprintf("plugin.%s.cursor.%s", name, source);
	int rc;

	if (!ops->import_runs)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot import runs", name);
	session_init(&h, &svc, st, name, opts, stats);
	h.experiments = experiments_option(opts);
	if (!opts || !opts->full)
		since = ry_store_setting_get(st, cursor_key);
	import_cancel = opts && opts->version >= 3 ? opts->cancel : NULL;
	ry_error_clear();
	rc = ops->open(&self, ops->data, &svc, source);
	if (rc == 0)
		rc = ops->import_runs(self, since, &cursor);
	if (rc == 0 && h.open)
		rc = ry_error_set(RY_ERROR, "plugin %s: finished while run '%s' was still open; that run was not "
		                  "imported", name, h.run_ext_id);
	/* the registry after the runs, so versions find the runs they came from */
	if (rc == 0 && ops->sync_registry)
		rc = ops->sync_registry(self);
	if (rc != 0 && !*ry_error_last())
		ry_error_set(rc, "plugin %s failed (code %d) and said nothing more", name, rc);
	/* Keep the error of the failure, not of the clean-up. */
	char *msg = rc ? ry_xstrdup(ry_error_last()) : NULL;
	import_cancel = NULL;
	run_abort(&h);
	if (self)
		ops->close(self);
	if (msg)
		ry_error_set(rc, "%s", msg);
	free(msg);
	if (rc == 0 && cursor)
		rc = ry_store_setting_set(st, cursor_key, cursor);
	free(cursor);
	free(since);
	free(cursor_key);
	session_done(&h);
	return rc;
}

int ry_plugin__export(ry_store *st, const ry_tracker_ops *ops, const char *name, const char *dest,
                      const char *const *runs, size_t nruns, const char *model, int64_t number,
                      const char *alias, const ry_plugin_import_options *opts, int64_t *done)
{
	ry_plugin_host h;
	ry_plugin_services svc;
	ry_plugin_import_stats stats = { 0 };
	void *self = NULL;
	int rc;

	*done = 0;
	if (model ? !ops->export_model : !ops->export_run)
		return ry_error_set(RY_EREFUSED, "plugin %s cannot push %s", name, model ? "models" : "runs");
	session_init(&h, &svc, st, name, opts, &stats);
	/* an export writes nothing of an import's */
	svc.run_begin = NULL;
	svc.run_param = svc.run_tag = NULL;
	svc.run_metric = NULL;
	svc.run_end = NULL;
	svc.run_unchanged = NULL;
	svc.run_artifact = NULL;
	svc.model_put = NULL;
	svc.model_version_put = NULL;
	svc.model_alias_put = NULL;
	ry_error_clear();
	rc = ops->open(&self, ops->data, &svc, dest);
	for (size_t i = 0; rc == 0 && !model && i < nruns; i++) {
		svc_progress(&h, (int64_t)i, (int64_t)nruns);
		if ((rc = ops->export_run(self, runs[i])) == 0)
			(*done)++;
	}
	if (rc == 0 && model && (rc = ops->export_model(self, model, number, alias)) == 0)
		(*done)++;
	if (rc != 0 && !*ry_error_last())
		ry_error_set(rc, "plugin %s failed (code %d) and said nothing more", name, rc);
	char *msg = rc ? ry_xstrdup(ry_error_last()) : NULL;
	if (self)
		ops->close(self);
	if (msg)
		ry_error_set(rc, "%s", msg);
	free(msg);
	session_done(&h);
	return rc;
}
