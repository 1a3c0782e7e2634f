/*
 * The run queue (queue.h): queueing a run, listing and cancelling waiting
 * ones, and the drain pass that starts those that fit.  Starting one is
 * ry_launch_run's job (it adopts the queued run, spec.run_id); choosing the
 * host is done here, from one parallel probe of the hosts the waiting runs
 * may use.  It does not sync running runs (launch.c) nor loop: the
 * drainers (`runyard queue --drain`, the TUI) call a pass when they like.
 */
#include "remote/queue.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/redact.h"
#include "base/util.h"
#include "remote/hosts.h"
#include "store/store_internal.h"
#include "track/track.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* ---- the command's words, NUL-separated -------------------------------- */

static void argv_encode(ry_buf *b, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		ry_buf_put(b, argv[i], strlen(argv[i]) + 1);
}

static char **argv_decode(const char *p, size_t len)
{
	size_t n = 0, k = 0;
	char **v;
	for (size_t i = 0; i < len; i++)
		n += p[i] == '\0';
	v = ry_xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < len && k < n; k++) {
		size_t l = strnlen(p + i, len - i);
		v[k] = ry_xstrndup(p + i, l);
		i += l + 1;
	}
	return v;
}

static void argv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A secret param in the command (--api-key X): queueing would store it. */
static const char *secret_param(char *const *argv, char *key, size_t keylen)
{
	ry_kv *kv = NULL;
	size_t n = 0;
	const char *found = NULL;
	if (ry_track_parse_params(argv, &kv, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++)
		if (ry_redact_is_secret(kv[i].key) && *kv[i].value) {
			snprintf(key, keylen, "%s", kv[i].key);
			found = key;
		}
	ry_track_kv_free(kv, n);
	return found;
}

/* ---- queueing ------------------------------------------------------------ */

static int check_hosts(ry_inventory *inv, const char *hosts)
{
	size_t n;
	ry_host *all = ry_inventory_hosts(inv, &n);
	char *copy, *save = NULL;
	int rc = 0;
	if (!hosts || !*hosts)
		return ry_error_set(RY_EINVAL, "which hosts may the queued run use? name them (--host H1,H2) or say any");
	if (!strcmp(hosts, "any"))
		return 0;
	copy = ry_xstrdup(hosts);
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		const ry_host *h = ry_hosts_find(all, n, t);
		if (!h)
			rc = ry_error_set(RY_ENOTFOUND, "no host named '%s' (see 'runyard hosts')", t);
		else if (h->simulated)
			rc = ry_error_set(RY_EREFUSED, "%s is a simulated demo host: nothing can run there", t);
	}
	free(copy);
	return rc;
}

static int insert_entry(ry_store *st, int64_t id, const ry_queue_spec *q)
{
	sqlite3_stmt *s = ry_store__stmt(st,
		"INSERT INTO queue(run_id, sweep, hosts, gpus, max_parallel, argv, pack, subdir, queued) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	ry_buf b = RY_BUF_INIT;
	int step;
	argv_encode(&b, q->argv);
	sqlite3_bind_int64(s, 1, id);
	ry_store__bind_text(s, 2, q->sweep);
	ry_store__bind_text(s, 3, q->hosts);
	sqlite3_bind_int(s, 4, q->gpus);
	sqlite3_bind_int(s, 5, q->max_parallel);
	sqlite3_bind_blob(s, 6, b.ptr, (int)b.len, SQLITE_TRANSIENT);
	ry_store__bind_text(s, 7, q->pack_path);
	ry_store__bind_text(s, 8, q->pack->subdir ? q->pack->subdir : "");
	sqlite3_bind_double(s, 9, ry_now());
	step = sqlite3_step(s);
	sqlite3_reset(s);
	ry_buf_free(&b);
	return step == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "queueing a run");
}

int ry_queue_add(ry_store *st, ry_inventory *inv, const ry_queue_spec *q, int64_t *run_id)
{
	ry_run_spec rs = RY_RUN_SPEC_INIT;
	char key[128], *command;
	int rc;
	*run_id = 0;
	if (!q->argv || !q->argv[0] || !*q->argv[0])
		return ry_error_set(RY_EINVAL, "no command to queue; give it after --, e.g. -- python train.py");
	if (secret_param(q->argv, key, sizeof key))
		return ry_error_set(RY_EINVAL, "the command carries a secret (%s): a queued run would have to store it "
		                    "until it starts; read it from the host's environment or a file there instead", key);
	if (q->gpus < 0)
		return ry_error_set(RY_EINVAL, "a queued run needs a GPU count (0 or more), not %d", q->gpus);
	if ((rc = check_hosts(inv, q->hosts)))
		return rc;
	command = ry_launch_command_line(q->argv);
	rs.experiment = q->experiment;
	rs.name = q->name;
	rs.status = "queued";
	rs.command = command;
	rs.cwd = q->cwd;
	rs.source = "queue";
	rs.time_limit = q->time_limit;
	if ((rc = ry_store_begin(st))) {
		free(command);
		return rc;
	}
	rc = ry_run_create(st, &rs, run_id, NULL);
	if (!rc) {
		ry_launch__record_params(st, *run_id, q->argv);
		for (size_t i = 0; i < q->nparams && !rc; i++)
			rc = ry_run_set_param(st, *run_id, q->params[i].key, q->params[i].value);
	}
	if (!rc && q->sweep)
		rc = ry_run_set_tag(st, *run_id, "sweep", q->sweep);
	if (!rc && q->pack->commit) {
		ry_run_set_text(st, *run_id, "git_commit", q->pack->commit);
		ry_run_set_int(st, *run_id, "git_dirty", q->pack->dirty);
		if (q->pack->branch)
			ry_run_set_text(st, *run_id, "git_branch", q->pack->branch);
	}
	if (!rc)
		rc = insert_entry(st, *run_id, q);
	free(command);
	if (rc) {
		ry_store_rollback(st);
		*run_id = 0;
		return rc;
	}
	return ry_store_commit(st);
}

/* ---- listing, cancelling -------------------------------------------------- */

/* The waiting rows, in start order: a run still queued and not taken by a
 * launch yet (source 'queue'). */
#define WAITING_SQL \
	"SELECT q.run_id, r.name, e.name, q.sweep, q.hosts, q.gpus, q.max_parallel, q.queued, q.tries, " \
	"q.last_error FROM queue q JOIN runs r ON r.id = q.run_id JOIN experiments e ON e.id = r.experiment_id " \
	"WHERE r.status = 'queued' AND r.source = 'queue' ORDER BY q.queued, q.run_id"

static char *col_dup(sqlite3_stmt *s, int c)
{
	const unsigned char *t = sqlite3_column_text(s, c);
	return t ? ry_xstrdup((const char *)t) : NULL;
}

int ry_queue_list(ry_store *st, ry_queue_item **items, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, WAITING_SQL);
	size_t cap = 0;
	int rc;
	*items = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ry_queue_item *it;
		*items = ry_xgrow(*items, &cap, *n + 1, sizeof **items);
		it = &(*items)[(*n)++];
		memset(it, 0, sizeof *it);
		it->run_id = sqlite3_column_int64(s, 0);
		it->position = (int)*n;
		it->run_name = col_dup(s, 1);
		it->experiment = col_dup(s, 2);
		it->sweep = col_dup(s, 3);
		it->hosts = col_dup(s, 4);
		it->gpus = sqlite3_column_int(s, 5);
		it->max_parallel = sqlite3_column_int(s, 6);
		it->queued = sqlite3_column_double(s, 7);
		it->tries = sqlite3_column_int(s, 8);
		it->last_error = col_dup(s, 9);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ry_queue_items_free(*items, *n);
		*items = NULL;
		*n = 0;
		return ry_store__sqlerr(st, "reading the queue");
	}
	return 0;
}

void ry_queue_items_free(ry_queue_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].run_name);
		free(items[i].experiment);
		free(items[i].sweep);
		free(items[i].hosts);
		free(items[i].last_error);
	}
	free(items);
}

static int delete_entry(ry_store *st, int64_t run_id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "DELETE FROM queue WHERE run_id = ?");
	int step;
	sqlite3_bind_int64(s, 1, run_id);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	return step == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "taking a run out of the queue");
}

static bool waiting(ry_store *st, int64_t run_id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT 1 FROM queue q JOIN runs r ON r.id = q.run_id "
	                                     "WHERE q.run_id = ? AND r.status = 'queued' AND r.source = 'queue'");
	bool yes;
	sqlite3_bind_int64(s, 1, run_id);
	yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return yes;
}

int ry_queue_cancel(ry_store *st, int64_t run_id)
{
	int rc;
	if ((rc = ry_store_begin(st)))
		return rc;
	if (!waiting(st, run_id)) {
		ry_store_rollback(st);
		return ry_error_set(RY_ENOTFOUND, "run %lld is not waiting in the queue (see 'runyard queue'); a run "
		                    "that started is stopped with 'runyard cancel'", (long long)run_id);
	}
	rc = ry_run_finish(st, run_id, "killed", ry_now(), false, 0);
	if (!rc)
		rc = ry_run_set_notes(st, run_id, "cancelled while queued; it never started");
	if (!rc)
		rc = ry_run_set_tag(st, run_id, "stopped_by", "cancelled");
	if (!rc)
		rc = delete_entry(st, run_id);
	if (rc) {
		ry_store_rollback(st);
		return rc;
	}
	return ry_store_commit(st);
}

void ry_queue_report_clear(ry_queue_report *r)
{
	free(r->errors);
	free(r->log);
	memset(r, 0, sizeof *r);
}

/* ---- draining ------------------------------------------------------------ */

/* One drainer per workspace: an flock on <workspace>.queue.lock, held for
 * the pass and dropped by the kernel if the drainer dies. */
static int lock_queue(ry_store *st)
{
	char *path = ry_xasprintf("%s.queue.lock", ry_store_path(st));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Entries whose run is no longer waiting (started, cancelled, failed, or
 * taken by a launch that died: sync settles that one) are dropped. */
static int drop_stale(ry_store *st)
{
	return sqlite3_exec(ry_store__db(st),
	                    "DELETE FROM queue WHERE run_id NOT IN (SELECT id FROM runs WHERE status = 'queued' "
	                    "AND source = 'queue')",
	                    NULL, NULL, NULL) == SQLITE_OK
		? 0
		: ry_store__sqlerr(st, "tidying the queue");
}

struct entry {
	int64_t run_id;
	char *sweep, *hosts, *pack, *subdir;
	int gpus, max_parallel;
	char **argv;
};

static int load_entries(ry_store *st, struct entry **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st,
		"SELECT q.run_id, q.sweep, q.hosts, q.gpus, q.max_parallel, q.argv, q.pack, q.subdir FROM queue q "
		"JOIN runs r ON r.id = q.run_id WHERE r.status = 'queued' AND r.source = 'queue' "
		"ORDER BY q.queued, q.run_id");
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct entry *e;
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		e = &(*out)[(*n)++];
		e->run_id = sqlite3_column_int64(s, 0);
		e->sweep = col_dup(s, 1);
		e->hosts = col_dup(s, 2);
		e->gpus = sqlite3_column_int(s, 3);
		e->max_parallel = sqlite3_column_int(s, 4);
		e->argv = argv_decode(sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5));
		e->pack = col_dup(s, 6);
		e->subdir = col_dup(s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading the queue");
}

static void entries_free(struct entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].sweep);
		free(e[i].hosts);
		free(e[i].pack);
		free(e[i].subdir);
		argv_free(e[i].argv);
	}
	free(e);
}

bool ry_queue_host_allowed(const char *hosts, const char *name)
{
	size_t l = strlen(name);
	if (!strcmp(hosts, "any"))
		return true;
	for (const char *p = hosts; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == l && !strncmp(p, name, l))
			return true;
	return false;
}

bool ry_queue_host_takes(const ry_host *h, const char *hosts, int gpus, int used, int *idx, ry_buf *why)
{
	size_t nfree = 0;
	int *all;
	if (!ry_queue_host_allowed(hosts, h->name))
		return false;
	if (h->probe_rc) {
		if (why)
			ry_buf_printf(why, "%s%s: unreachable", why->len ? "; " : "", h->name);
		return false;
	}
	if (gpus <= 0)
		return true;
	all = ry_xcalloc(h->ngpus + 1, sizeof *all);
	nfree = ry_host_free_gpus(h, all, h->ngpus);
	if (nfree >= (size_t)(used + gpus)) {
		for (int k = 0; idx && k < gpus; k++)
			idx[k] = all[used + k];
		free(all);
		return true;
	}
	free(all);
	if (why)
		ry_buf_printf(why, "%s%s: %zu of %zu GPUs free", why->len ? "; " : "", h->name,
		              nfree > (size_t)used ? nfree - (size_t)used : 0, h->ngpus);
	return false;
}

/* Runs of a sweep running now, or being started (a launch has them). */
static int sweep_active(ry_store *st, const char *sweep)
{
	sqlite3_stmt *s = ry_store__stmt(st,
		"SELECT count(*) FROM runs r JOIN tags t ON t.run_id = r.id AND t.key = 'sweep' AND t.value = ? "
		"WHERE r.status = 'running' OR (r.status = 'queued' AND r.source <> 'queue')");
	int n = 0;
	ry_store__bind_text(s, 1, sweep);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

static void note_wait(ry_store *st, int64_t run_id, const char *why)
{
	sqlite3_stmt *s = ry_store__stmt(st, "UPDATE queue SET tries = tries + 1, last_error = ? WHERE run_id = ?");
	ry_store__bind_text(s, 1, why);
	sqlite3_bind_int64(s, 2, run_id);
	sqlite3_step(s);
	sqlite3_reset(s);
}

/* The hosts any entry may use, real ones only, probed at once.  Copies:
 * the inventory's entries stay unprobed for the launches. */
ry_host *ry_queue_probe_allowed(const ry_host *all, size_t n, const char *const *hosts, size_t nhosts,
                                const ry_hosts_probe_options *po, size_t *np)
{
	ry_host *pr = ry_xcalloc(n ? n : 1, sizeof *pr);
	*np = 0;
	for (size_t i = 0; i < n; i++) {
		bool used = false;
		for (size_t k = 0; k < nhosts && !used; k++)
			used = ry_queue_host_allowed(hosts[k], all[i].name);
		if (used && !all[i].simulated) {
			ry_host *c = ry_host_copy(&all[i]);
			pr[(*np)++] = *c;
			free(c); /* its strings now belong to pr */
		}
	}
	if (*np)
		ry_hosts_probe(pr, *np, po);
	return pr;
}

/* The hosts the queued entries e[0..ne) may go to, probed. */
static ry_host *probe_hosts(ry_inventory *inv, const struct entry *e, size_t ne, const ry_remote_options *o,
                            size_t *np)
{
	size_t n;
	const ry_host *all = ry_inventory_hosts(inv, &n);
	const char **lists = ry_xcalloc(ne + 1, sizeof *lists);
	ry_hosts_probe_options po = { 1, o->timeout_ms, o->cancel, NULL, NULL, NULL, o->passphrase,
	                              ry_inventory_sshconfig(inv) };
	for (size_t k = 0; k < ne; k++)
		lists[k] = e[k].hosts;
	ry_host *pr = ry_queue_probe_allowed(all, n, lists, ne, &po, np);
	free(lists);
	return pr;
}

/* One "WHO: WHAT" line of the pass's errors. */
static void add_error(ry_buf *errs, const char *who, const char *what)
{
	if (errs->len)
		ry_buf_putc(errs, '\n');
	ry_buf_printf(errs, "%s: %s", who, what);
}

/* Start entry e on the first allowed probed host with room; used[] counts
 * GPUs this pass gave out per host.  1 started, 0 no room, or an error
 * (the run failed; reported). */
static int start_entry(ry_store *st, ry_inventory *inv, const struct entry *e, ry_host *pr, size_t np, int *used,
                       const ry_remote_options *o, ry_queue_report *rep, ry_buf *errs, ry_buf *log)
{
	size_t nall;
	ry_host *all = ry_inventory_hosts(inv, &nall);
	ry_buf why = RY_BUF_INIT;
	ry_run *r = NULL;
	int rc;
	for (size_t i = 0; i < np; i++) {
		ry_host *h = &pr[i];
		ry_launch_spec spec = RY_LAUNCH_SPEC_INIT;
		ry_launch_result res;
		ry_codepack *pack = NULL;
		if (!ry_queue_host_takes(h, e->hosts, e->gpus, used[i], NULL, &why))
			continue;
		if (!r && (rc = ry_run_get(&r, st, e->run_id)))
			break;
		if ((rc = ry_codepack_open(&pack, e->pack, e->subdir, r->git_commit, r->git_branch, r->git_dirty > 0))) {
			ry_run_finish(st, e->run_id, "failed", ry_now(), false, 0);
			ry_run_set_notes(st, e->run_id, ry_error_last());
			add_error(errs, r->name, ry_error_last());
			rep->failed++;
			goto failed;
		}
		spec.ngpus = e->gpus;
		spec.time_limit = r->time_limit;
		spec.argv = e->argv;
		spec.cwd = r->cwd;
		spec.run_id = e->run_id;
		spec.pack = pack;
		rc = ry_launch_run(st, ry_hosts_find(all, nall, h->name), &spec, o, &res);
		ry_codepack_free(pack);
		if (!rc) {
			used[i] += e->gpus;
			rep->started++;
			ry_buf_printf(log, "%s%s on %s, GPUs %s", log->len ? "\n" : "", r->name, h->name,
			              res.gpus ? res.gpus : "none");
			ry_launch_result_clear(&res);
			delete_entry(st, e->run_id);
			ry_run_free(r);
			ry_buf_free(&why);
			return 1;
		}
		if (rc == RY_EBUSY || rc == RY_EREFUSED) {
			/* taken meanwhile by someone else: full for this pass */
			used[i] = (int)h->ngpus;
			ry_buf_printf(&why, "%s%s: %s", why.len ? "; " : "", h->name, ry_error_last());
			ry_launch_result_clear(&res);
			continue;
		}
		add_error(errs, r->name, ry_error_last());
		if (!res.uncertain)
			rep->failed++;
		ry_launch_result_clear(&res);
		goto failed;
	}
	if (why.len)
		note_wait(st, e->run_id, ry_buf_cstr(&why));
	ry_run_free(r);
	ry_buf_free(&why);
	return 0;
failed:
	delete_entry(st, e->run_id);
	ry_run_free(r);
	ry_buf_free(&why);
	return rc;
}

int ry_queue_drain(ry_store *st, ry_inventory *inv, const ry_remote_options *opts, ry_queue_report *rep)
{
	ry_remote_options def = RY_REMOTE_OPTIONS_INIT, o = opts ? *opts : def;
	struct entry *e = NULL;
	size_t ne = 0, np = 0;
	ry_host *pr = NULL;
	int *used = NULL, lock, rc;
	ry_buf errs = RY_BUF_INIT, log = RY_BUF_INIT;

	memset(rep, 0, sizeof *rep);
	o.sshcfg = ry_inventory_sshconfig(inv);
	if ((lock = lock_queue(st)) < 0) {
		rep->busy = true;
		return 0;
	}
	if ((rc = drop_stale(st)) || (rc = load_entries(st, &e, &ne)) || ne == 0)
		goto out;
	pr = probe_hosts(inv, e, ne, &o, &np);
	used = ry_xcalloc(np + 1, sizeof *used);
	for (size_t i = 0; i < np; i++)
		if (pr[i].probe_rc)
			add_error(&errs, pr[i].name, pr[i].error ? pr[i].error : "unreachable");
	for (size_t k = 0; k < ne; k++) {
		if (o.cancel && atomic_load(o.cancel))
			break;
		if (e[k].sweep && e[k].max_parallel > 0 && sweep_active(st, e[k].sweep) >= e[k].max_parallel) {
			note_wait(st, e[k].run_id, "its sweep runs as many at once as --max-parallel allows");
			continue;
		}
		start_entry(st, inv, &e[k], pr, np, used, &o, rep, &errs, &log);
	}
	{
		ry_queue_item *items;
		size_t n;
		if (!ry_queue_list(st, &items, &n)) {
			rep->waiting = (int)n;
			ry_queue_items_free(items, n);
		}
	}
out:
	rep->errors = errs.len ? ry_buf_detach(&errs) : NULL;
	rep->log = log.len ? ry_buf_detach(&log) : NULL;
	ry_buf_free(&errs);
	ry_buf_free(&log);
	ry_hosts_free(pr, np);
	free(used);
	entries_free(e, ne);
	close(lock);
	return rc;
}
