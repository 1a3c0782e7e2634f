/*
 * Deployment work on a pthread (see deploy.h).  The worker owns private
 * copies of its inputs and its own store connection (the config is loaded
 * on the worker too: core/deploy does it when no config is lent); the only
 * shared state is the slot under `mu` (progress, the log, the outcome) and
 * the cancel flag its passphrase questions watch.  Every piece of outside
 * text (a plugin's words, an error, a log) is sanitised here, before the
 * main loop ever sees it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runyard.h"
#include "plugin/plugin_host.h"
#include "work/askpass.h"
#include "work/deploy.h"
#include "work/worklog.h"

/* The log keeps at most this much of its end; a deployment's log is asked
 * for at most this much too. */
#define LOG_MAX (64u << 10)

struct tui_deploy {
	struct tui_deploy_req req;     /* strings owned */
	char *db, *label;
	char *text;                    /* under mu: a logs request's answer */
	pthread_t th;
	atomic_int cancel;
	struct tui_askpass_client ask; /* passphrases, with cancel as its flag */
	pthread_mutex_t mu;
	struct tui_deploy_state state; /* under mu */
	ry_buf log;                    /* under mu: sanitised lines */
};

static void log_put(struct tui_deploy *d, const char *prefix, const char *text)
{
	pthread_mutex_lock(&d->mu);
	tui_worklog_put(&d->log, prefix, text, LOG_MAX);
	pthread_mutex_unlock(&d->mu);
}

/* A plugin's line: into the log, and its last info line is the progress. */
static void on_log(void *payload, const char *plugin, int level, const char *message)
{
	struct tui_deploy *d = payload;
	char prefix[128];
	if (level == RY_PLUGIN_LOG_DEBUG)
		return;
	tui_worklog_plugin_prefix(prefix, sizeof prefix, plugin, level);
	log_put(d, prefix, message);
	char *clean = ry_sanitize_dup(message);
	clean[strcspn(clean, "\n")] = '\0';
	pthread_mutex_lock(&d->mu);
	snprintf(d->state.progress, sizeof d->state.progress, "%s", clean);
	pthread_mutex_unlock(&d->mu);
	free(clean);
}

static int on_passphrase(const char *keyfile, char *buf, size_t size, void *payload)
{
	struct tui_deploy *d = payload;
	return tui_askpass_fn(keyfile, buf, size, &d->ask);
}

/* The error's first line, sanitised, into out (the log keeps all of it). */
static void first_line(char *out, size_t n)
{
	char *first = ry_xstrdup(ry_error_last());
	first[strcspn(first, "\n")] = '\0';
	char *clean = ry_sanitize_dup(first);
	snprintf(out, n, "%s", clean);
	free(clean);
	free(first);
}

static int do_deploy(struct tui_deploy *d, ry_store *st, const ry_deploy_options *o, char *out, size_t n)
{
	int64_t id = 0;
	ry_deployment *dep = NULL;
	char why[512];
	int rc = ry_deploy(st, d->req.spec, d->req.target, o, &id);
	pthread_mutex_lock(&d->mu);
	d->state.id = id;
	pthread_mutex_unlock(&d->mu);
	if (rc) {
		log_put(d, "", ry_error_last());
		first_line(why, sizeof why);
		if (id)
			snprintf(out, n, "deploy failed: %s; recorded as deployment %" PRId64 " (failed) (:messages shows all)",
			         why, id);
		else
			snprintf(out, n, "not deployed: %s", why);
		return rc;
	}
	if ((rc = ry_deploy_get(st, id, &dep))) {
		first_line(why, sizeof why);
		snprintf(out, n, "deployed as deployment %" PRId64 ", but reading it back failed: %s", id, why);
		return rc;
	}
	char *line = ry_xasprintf("deployment %" PRId64 ": %s v%" PRId64 "%s%s to %s is %s%s%s", id, dep->model,
	                          dep->version, dep->alias ? " @" : "", dep->alias ? dep->alias : "", dep->target,
	                          dep->status, dep->endpoint ? " at " : "", dep->endpoint ? dep->endpoint : "");
	char *clean = ry_sanitize_dup(line);
	snprintf(out, n, "%s", clean);
	log_put(d, "", line);
	free(clean);
	free(line);
	ry_deployments_free(dep, 1);
	return 0;
}

static int do_undeploy(struct tui_deploy *d, ry_store *st, const ry_deploy_options *o, char *out, size_t n)
{
	char why[512];
	int rc = ry_deploy_undeploy(st, d->req.id, o);
	if (rc) {
		log_put(d, "", ry_error_last());
		first_line(why, sizeof why);
		snprintf(out, n, "deployment %" PRId64 " not stopped: %s", d->req.id, why);
		return rc;
	}
	snprintf(out, n, "deployment %" PRId64 " stopped", d->req.id);
	return 0;
}

static int do_logs(struct tui_deploy *d, ry_store *st, const ry_deploy_options *o, char *out, size_t n)
{
	char *raw = NULL, why[512];
	int rc = ry_deploy_logs(st, d->req.id, LOG_MAX, o, &raw);
	if (rc) {
		log_put(d, "", ry_error_last());
		first_line(why, sizeof why);
		snprintf(out, n, "no log of deployment %" PRId64 ": %s", d->req.id, why);
		return rc;
	}
	ry_buf b = RY_BUF_INIT;
	ry_sanitize(&b, raw, strlen(raw), true);
	free(raw);
	pthread_mutex_lock(&d->mu);
	d->text = ry_xstrdup(ry_buf_cstr(&b));
	pthread_mutex_unlock(&d->mu);
	ry_buf_free(&b);
	snprintf(out, n, "the log of deployment %" PRId64, d->req.id);
	return 0;
}

/* Every deployment not stopped, asked of its target; a target that cannot
 * be reached keeps its row and says why in the log. */
static int do_refresh(struct tui_deploy *d, ry_store *st, const ry_deploy_options *o, char *out, size_t n)
{
	ry_deployment *v = NULL;
	size_t nv = 0, unreached = 0;
	char why[512];
	int rc = ry_deploy_list(st, false, &v, &nv);
	for (size_t i = 0; rc == 0 && i < nv && !atomic_load(&d->cancel); i++) {
		char *w = NULL;
		rc = ry_deploy_refresh(st, v[i].id, o, &w);
		if (w) {
			char prefix[64];
			snprintf(prefix, sizeof prefix, "deployment %" PRId64 ": status not refreshed: ", v[i].id);
			log_put(d, prefix, w);
			unreached++;
			free(w);
		}
	}
	ry_deployments_free(v, nv);
	if (rc) {
		log_put(d, "", ry_error_last());
		first_line(why, sizeof why);
		snprintf(out, n, "deployments not refreshed: %s", why);
		return rc;
	}
	if (unreached)
		snprintf(out, n, "%zu deployment%s could not be asked (:messages says why)", unreached,
		         unreached == 1 ? "" : "s");
	else
		snprintf(out, n, "%zu deployment%s refreshed", nv, nv == 1 ? "" : "s");
	return 0;
}

static void *deploy_main(void *arg)
{
	struct tui_deploy *d = arg;
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_store *st = NULL;
	char line[sizeof d->state.line] = "", why[512];
	int rc;
	o.passphrase = on_passphrase;
	o.log = d->req.op == TUI_DEPLOY_REFRESH ? NULL : on_log;
	o.payload = d;
	if ((rc = ry_store_open(&st, d->db, 0))) {
		log_put(d, "", ry_error_last());
		first_line(why, sizeof why);
		snprintf(line, sizeof line, "%s: %s", d->label, why);
	} else if (d->req.op == TUI_DEPLOY_DEPLOY) {
		rc = do_deploy(d, st, &o, line, sizeof line);
	} else if (d->req.op == TUI_DEPLOY_UNDEPLOY) {
		rc = do_undeploy(d, st, &o, line, sizeof line);
	} else if (d->req.op == TUI_DEPLOY_LOGS) {
		rc = do_logs(d, st, &o, line, sizeof line);
	} else {
		rc = do_refresh(d, st, &o, line, sizeof line);
	}
	ry_store_close(st);
	ry_error_clear();
	pthread_mutex_lock(&d->mu);
	d->state.rc = rc;
	snprintf(d->state.line, sizeof d->state.line, "%s", line);
	d->state.done = true;
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static void release(struct tui_deploy *d)
{
	pthread_mutex_destroy(&d->mu);
	ry_buf_free(&d->log);
	free((char *)d->req.spec);
	free((char *)d->req.target);
	free(d->db);
	free(d->label);
	free(d->text);
	free(d);
}

static char *label_of(const struct tui_deploy_req *r)
{
	char *raw;
	switch (r->op) {
	case TUI_DEPLOY_DEPLOY: raw = ry_xasprintf("deploy %s to %s", r->spec, r->target); break;
	case TUI_DEPLOY_UNDEPLOY: raw = ry_xasprintf("undeploy %" PRId64, r->id); break;
	case TUI_DEPLOY_LOGS: raw = ry_xasprintf("logs of deployment %" PRId64, r->id); break;
	default: raw = ry_xstrdup("refresh"); break;
	}
	char *clean = ry_sanitize_dup(raw);
	free(raw);
	return clean;
}

struct tui_deploy *tui_deploy_start(const char *db_path, const struct tui_deploy_req *r,
                                    struct tui_askpass *askpass, char *msg, size_t n)
{
	struct tui_deploy *d = ry_xcalloc(1, sizeof *d);
	d->req = *r;
	d->req.spec = r->spec ? ry_xstrdup(r->spec) : NULL;
	d->req.target = r->target ? ry_xstrdup(r->target) : NULL;
	d->db = ry_xstrdup(db_path);
	d->label = label_of(r);
	d->state.id = r->op == TUI_DEPLOY_DEPLOY ? 0 : r->id;
	atomic_init(&d->cancel, 0);
	d->ask.broker = askpass;
	d->ask.cancel = &d->cancel;
	atomic_init(&d->ask.asked, 0);
	pthread_mutex_init(&d->mu, NULL);
	if (pthread_create(&d->th, NULL, deploy_main, d) != 0) {
		snprintf(msg, n, "cannot start a background thread");
		release(d);
		return NULL;
	}
	return d;
}

bool tui_deploy_poll(struct tui_deploy *d, struct tui_deploy_state *out)
{
	pthread_mutex_lock(&d->mu);
	*out = d->state;
	pthread_mutex_unlock(&d->mu);
	return out->done;
}

char *tui_deploy_messages(struct tui_deploy *d)
{
	pthread_mutex_lock(&d->mu);
	char *s = ry_xstrdup(ry_buf_cstr(&d->log));
	pthread_mutex_unlock(&d->mu);
	return s;
}

const char *tui_deploy_text(struct tui_deploy *d)
{
	pthread_mutex_lock(&d->mu);
	const char *t = d->state.done ? d->text : NULL;
	pthread_mutex_unlock(&d->mu);
	return t;
}

const char *tui_deploy_label(const struct tui_deploy *d)
{
	return d->label;
}

enum tui_deploy_op tui_deploy_what(const struct tui_deploy *d)
{
	return d->req.op;
}

void tui_deploy_free(struct tui_deploy *d)
{
	if (!d)
		return;
	atomic_store(&d->cancel, 1);
	pthread_join(d->th, NULL);
	release(d);
}
