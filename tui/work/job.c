/*
 * Background jobs for the full-screen app: `L` launches and `K` cancels on
 * a pthread so a slow host or a big upload never freezes the screen; the
 * promote dialog registers a model (which re-hashes the artifact: seconds
 * for a big model) and the hosts screen probes every host the same way.
 * The worker owns private copies of its inputs and its own store
 * connection; the only shared state is the slot under `mu` and the app's
 * passphrase broker (askpass.h), through which an encrypted key is asked
 * for.  It does not draw or decide what to show (the views do).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work/askpass.h"
#include "work/job.h"
#include "runyard.h"

enum { JOB_LAUNCH, JOB_CANCEL, JOB_PROMOTE, JOB_PROBE, JOB_EXPORT, JOB_ALIAS };

struct tui_job {
	int kind;
	char *db;
	/* launch */
	char *experiment, *command, *host, *name;
	int ngpus;
	double time_limit;
	/* cancel, promote */
	int64_t run_id;
	/* promote: the options (strings owned here) and, once done, the result */
	ry_promote_opts promote;
	char *model, *artifact, *alias, *gate_metric, *note;
	ry_promote_result promoted;
	/* export (model, version, dir) and alias move (model, alias, version, expect) */
	char *dir;
	int64_t version, expect;
	/* probe: the hosts (owned here until taken) and the ssh config (lent) */
	ry_host *hosts;
	size_t nhosts;
	const ry_sshconfig *sshcfg;
	int timeout_ms;

	pthread_t th;
	atomic_int cancel;
	struct tui_askpass_client ask; /* passphrases, with cancel as its flag */
	pthread_mutex_t mu;
	bool done;              /* the rest: under mu */
	int rc;
	char progress[128];
	char result[512];
};

char **tui_job_split_command(const char *s, size_t *n)
{
	char **v = ry_xcalloc(strlen(s) / 2 + 2, sizeof *v);
	ry_buf w = RY_BUF_INIT;
	size_t nv = 0;
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		bool any = false;
		ry_buf_clear(&w);
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			any = true;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');
				if (!e)
					goto bad;
				ry_buf_put(&w, p + 1, (size_t)(e - p - 1));
				p = e + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					ry_buf_put(&w, p++, 1);
				}
				if (*p != '"')
					goto bad;
				p++;
			} else if (*p == '\\' && p[1]) {
				ry_buf_put(&w, p + 1, 1);
				p += 2;
			} else {
				ry_buf_put(&w, p++, 1);
			}
		}
		if (any)
			v[nv++] = ry_xstrdup(ry_buf_cstr(&w));
	}
	ry_buf_free(&w);
	*n = nv;
	return v;
bad:
	ry_buf_free(&w);
	ry_strings_free(v, nv);
	*n = 0;
	return NULL;
}

static void set_progress(struct tui_job *j, const char *what, double frac)
{
	pthread_mutex_lock(&j->mu);
	if (frac >= 0)
		snprintf(j->progress, sizeof j->progress, "%s %.0f%%", what, frac * 100);
	else
		snprintf(j->progress, sizeof j->progress, "%s", what);
	pthread_mutex_unlock(&j->mu);
}

static void on_progress(double frac, const char *what, void *payload)
{
	set_progress(payload, what ? what : "", frac);
}

/* The options' payload is the job (for progress too). */
static int on_passphrase(const char *keyfile, char *buf, size_t size, void *payload)
{
	struct tui_job *j = payload;
	return tui_askpass_fn(keyfile, buf, size, &j->ask);
}

static int do_launch(struct tui_job *j, ry_store *st, ry_host *hosts, size_t nhosts, ry_remote_options *o,
                     char *out, size_t n)
{
	size_t nw = 0;
	char **words = tui_job_split_command(j->command, &nw);
	ry_launch_spec spec = RY_LAUNCH_SPEC_INIT;
	ry_launch_result res = { 0 };
	char *code_dir = NULL;
	int64_t eid;
	int rc;
	ry_host *h = ry_hosts_find(hosts, nhosts, j->host);
	if (!h) {
		ry_strings_free(words, nw);
		return ry_error_set(RY_ENOTFOUND, "no host named '%s'", j->host);
	}
	if (!words || !nw) {
		if (words)
			free(words);
		return ry_error_set(RY_EINVAL, "the command is empty or has an unterminated quote");
	}
	spec.experiment = j->experiment;
	spec.name = j->name;
	spec.ngpus = j->ngpus;
	spec.time_limit = j->time_limit;
	spec.argv = words;
	if (ry_experiment_find(st, spec.experiment, &eid) == 0)
		code_dir = ry_experiment_setting_get(st, eid, "code_dir");
	spec.code_dir = code_dir;
	rc = ry_launch_run(st, h, &spec, o, &res);
	if (rc == 0)
		snprintf(out, n, "launched run %lld on %s, GPUs %s, $%.2f/h", (long long)res.run_id, h->name,
		         res.gpus ? res.gpus : "none", res.cost_rate);
	ry_launch_result_clear(&res);
	free(code_dir);
	ry_strings_free(words, nw);
	return rc;
}

static void *job_main(void *arg)
{
	struct tui_job *j = arg;
	ry_inventory *inv = NULL;
	ry_store *st = NULL;
	char out[512] = "";
	int rc;
	set_progress(j, j->kind == JOB_LAUNCH ? "connecting" : "cancelling", -1);
	if (!(rc = ry_store_open(&st, j->db, 0)) && !(rc = ry_inventory_open(&inv, st, NULL))) {
		ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
		size_t nhosts;
		ry_host *hosts = ry_inventory_hosts(inv, &nhosts);
		o.cancel = &j->cancel;
		o.progress = on_progress;
		o.passphrase = on_passphrase;
		o.payload = j;
		o.sshcfg = ry_inventory_sshconfig(inv);
		if (j->kind == JOB_LAUNCH) {
			rc = do_launch(j, st, hosts, nhosts, &o, out, sizeof out);
		} else {
			rc = ry_remote_cancel(st, inv, j->run_id, &o);
			if (rc == 0)
				snprintf(out, sizeof out, "cancelled run %lld", (long long)j->run_id);
		}
	}
	if (rc)
		snprintf(out, sizeof out, "%s failed: %s", j->kind == JOB_LAUNCH ? "launch" : "cancel", ry_error_last());
	ry_inventory_free(inv);
	ry_store_close(st);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	snprintf(j->result, sizeof j->result, "%s", out);
	j->done = true;
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

static void job_finish(struct tui_job *j, int rc, const char *out)
{
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	snprintf(j->result, sizeof j->result, "%s", out);
	j->done = true;
	pthread_mutex_unlock(&j->mu);
}

/* The result line of a promotion, for the message line. */
static void promote_line(const ry_promote_opts *o, const ry_promote_result *res, int rc, char *out, size_t n)
{
	if (rc < 0 && rc != RY_EREFUSED)
		snprintf(out, n, "not promoted: %s", ry_error_last());
	else if (rc == RY_EREFUSED)
		snprintf(out, n, "%s", ry_error_last());
	else
		snprintf(out, n, "%s %s version %lld (%s, sha256 %.12s)",
		         res->existing ? "already registered:" : "registered", o->model, (long long)res->version,
		         res->artifact, res->sha256);
}

/* Promotion verifies the artifact's bytes against their sha256 before it
 * registers them: the slow part, and why this is a job. */
static void *promote_main(void *arg)
{
	struct tui_job *j = arg;
	ry_store *st = NULL;
	ry_promote_result res;
	char out[512];
	int rc;
	memset(&res, 0, sizeof res);
	set_progress(j, "verifying the artifact's sha256", -1);
	if (!(rc = ry_store_open(&st, j->db, 0)))
		rc = ry_registry_promote(st, &j->promote, &res);
	promote_line(&j->promote, &res, rc, out, sizeof out);
	ry_store_close(st);
	pthread_mutex_lock(&j->mu);
	j->promoted = res;
	pthread_mutex_unlock(&j->mu);
	job_finish(j, rc, out);
	return NULL;
}

/* Export and alias moves re-hash the version's artifact, like promotion. */
static void *registry_main(void *arg)
{
	struct tui_job *j = arg;
	ry_store *st = NULL;
	char out[512], *written = NULL;
	int64_t from = 0;
	int rc;
	set_progress(j, "verifying the artifact's sha256", -1);
	if (!(rc = ry_store_open(&st, j->db, 0)))
		rc = j->kind == JOB_EXPORT ? ry_registry_export(st, j->model, j->version, j->dir, &written)
		   : ry_registry_alias_set(st, j->model, j->alias, j->version, j->expect, NULL, &from);
	if (rc < 0)
		snprintf(out, sizeof out, "%s: %s", j->kind == JOB_EXPORT ? "not exported" : "not moved", ry_error_last());
	else if (j->kind == JOB_EXPORT)
		snprintf(out, sizeof out, "exported %s v%lld to %s", j->model, (long long)j->version, written);
	else if (from)
		snprintf(out, sizeof out, "@%s moved v%lld -> v%lld", j->alias, (long long)from, (long long)j->version);
	else
		snprintf(out, sizeof out, "@%s set -> v%lld", j->alias, (long long)j->version);
	free(written);
	ry_store_close(st);
	job_finish(j, rc, out);
	return NULL;
}

static void *probe_main(void *arg)
{
	struct tui_job *j = arg;
	ry_hosts_probe_options o = RY_HOSTS_PROBE_OPTIONS_INIT;
	if (j->timeout_ms > 0)
		o.timeout_ms = j->timeout_ms;
	o.cancel = &j->cancel;
	o.sshcfg = j->sshcfg;
	o.passphrase = tui_askpass_fn;
	o.payload = &j->ask;
	set_progress(j, "probing", -1);
	ry_hosts_probe(j->hosts, j->nhosts, &o);
	job_finish(j, 0, "");
	return NULL;
}

static struct tui_job *job_new(int kind, const char *db, struct tui_askpass *askpass)
{
	struct tui_job *j = ry_xcalloc(1, sizeof *j);
	j->kind = kind;
	j->db = ry_xstrdup(db);
	j->ask.broker = askpass;
	j->ask.cancel = &j->cancel;
	pthread_mutex_init(&j->mu, NULL);
	return j;
}

static void job_release(struct tui_job *j)
{
	pthread_mutex_destroy(&j->mu);
	free(j->db);
	free(j->experiment);
	free(j->command);
	free(j->host);
	free(j->name);
	free(j->model);
	free(j->artifact);
	free(j->alias);
	free(j->gate_metric);
	free(j->note);
	free(j->dir);
	ry_hosts_free(j->hosts, j->nhosts);
	free(j);
}

static struct tui_job *job_start(struct tui_job *j, char *msg, size_t n)
{
	void *(*main_fn)(void *) = j->kind == JOB_PROMOTE ? promote_main : j->kind == JOB_PROBE ? probe_main
	                         : j->kind == JOB_EXPORT || j->kind == JOB_ALIAS ? registry_main : job_main;
	if (pthread_create(&j->th, NULL, main_fn, j) != 0) {
		snprintf(msg, n, "cannot start a background thread");
		job_release(j);
		return NULL;
	}
	return j;
}

struct tui_job *tui_job_launch(const char *db_path, const struct tui_launch_req *r, struct tui_askpass *askpass,
                               char *msg, size_t n)
{
	struct tui_job *j = job_new(JOB_LAUNCH, db_path, askpass);
	j->experiment = r->experiment ? ry_xstrdup(r->experiment) : NULL;
	j->command = ry_xstrdup(r->command);
	j->host = ry_xstrdup(r->host);
	j->name = r->name && *r->name ? ry_xstrdup(r->name) : NULL;
	j->ngpus = r->ngpus;
	j->time_limit = r->time_limit;
	return job_start(j, msg, n);
}

struct tui_job *tui_job_cancel_run(const char *db_path, int64_t run_id, struct tui_askpass *askpass, char *msg,
                                   size_t n)
{
	struct tui_job *j = job_new(JOB_CANCEL, db_path, askpass);
	j->run_id = run_id;
	return job_start(j, msg, n);
}

static char *dup_or_null(const char *s)
{
	return s ? ry_xstrdup(s) : NULL;
}

struct tui_job *tui_job_promote(const char *db_path, const ry_promote_opts *o, char *msg, size_t n)
{
	struct tui_job *j = job_new(JOB_PROMOTE, db_path, NULL);
	j->promote = *o;
	j->promote.model = j->model = dup_or_null(o->model);
	j->promote.artifact = j->artifact = dup_or_null(o->artifact);
	j->promote.alias = j->alias = dup_or_null(o->alias);
	j->promote.gate_metric = j->gate_metric = dup_or_null(o->gate_metric);
	j->promote.note = j->note = dup_or_null(o->note);
	j->run_id = o->run_id;
	return job_start(j, msg, n);
}

bool tui_job_promote_result(struct tui_job *j, ry_promote_result *out)
{
	bool done;
	pthread_mutex_lock(&j->mu);
	done = j->done && j->kind == JOB_PROMOTE;
	if (done)
		*out = j->promoted;
	pthread_mutex_unlock(&j->mu);
	return done;
}

struct tui_job *tui_job_export(const char *db_path, const char *model, int64_t version, const char *dir,
                               char *msg, size_t n)
{
	struct tui_job *j = job_new(JOB_EXPORT, db_path, NULL);
	j->model = ry_xstrdup(model);
	j->version = version;
	j->dir = ry_xstrdup(dir);
	return job_start(j, msg, n);
}

struct tui_job *tui_job_alias_set(const char *db_path, const char *model, const char *alias, int64_t version,
                                  int64_t expect, char *msg, size_t n)
{
	struct tui_job *j = job_new(JOB_ALIAS, db_path, NULL);
	j->model = ry_xstrdup(model);
	j->alias = ry_xstrdup(alias);
	j->version = version;
	j->expect = expect;
	return job_start(j, msg, n);
}

struct tui_job *tui_job_probe(ry_host *hosts, size_t nhosts, const ry_sshconfig *sshcfg, int timeout_ms,
                              struct tui_askpass *askpass, char *msg, size_t n)
{
	struct tui_job *j = job_new(JOB_PROBE, "", askpass);
	j->hosts = hosts;
	j->nhosts = nhosts;
	j->sshcfg = sshcfg;
	j->timeout_ms = timeout_ms;
	return job_start(j, msg, n);
}

bool tui_job_probe_take(struct tui_job *j, ry_host **hosts, size_t *nhosts, bool *asked)
{
	bool done;
	pthread_mutex_lock(&j->mu);
	done = j->done && j->kind == JOB_PROBE;
	pthread_mutex_unlock(&j->mu);
	if (!done)
		return false;
	*hosts = j->hosts;
	*nhosts = j->nhosts;
	j->hosts = NULL;
	j->nhosts = 0;
	*asked = atomic_load(&j->ask.asked) > 0;
	return true;
}

bool tui_job_poll(struct tui_job *j, char *progress, size_t pn, char *result, size_t rn, int *rc)
{
	bool done;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	snprintf(progress, pn, "%s", j->progress);
	snprintf(result, rn, "%s", j->result);
	*rc = j->rc;
	pthread_mutex_unlock(&j->mu);
	return done;
}

const char *tui_job_what(const struct tui_job *j)
{
	static const char *const what[] = { "launch", "cancel", "promote", "probe", "export", "alias move" };
	return what[j->kind];
}

void tui_job_free(struct tui_job *j)
{
	if (!j)
		return;
	atomic_store(&j->cancel, 1);
	pthread_join(j->th, NULL);
	job_release(j);
}
