/*
 * Runs and experiments: the records a user names and reads.  Resolving what
 * a user typed (id, uuid prefix, name) lives here so that every front end
 * resolves the same way.  Metrics and listing have their own modules; this
 * one does not know how series are stored.
 */
#include "runs/run.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/redact.h"
#include "store/store_internal.h"
#include "base/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_COLUMNS \
	"r.id, r.uuid, r.experiment_id, e.name, r.name, r.status, r.command, r.cwd, r.host, r.gpus, " \
	"r.source, r.remote_dir, r.created, r.started, r.ended, r.exit_code, r.pid, r.pid_start, " \
	"r.git_commit, r.git_branch, r.git_remote, r.git_dirty, r.git_diff_truncated, r.notes, " \
	"r.cost_rate, r.cost_total, r.time_limit, r.log_offset, r.metrics_offset, r.malformed_lines, r.ingest_state"

static void free_kvs(ry_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void ry_run_free(ry_run *r)
{
	if (!r)
		return;
	free(r->experiment);
	free(r->name);
	free(r->status);
	free(r->command);
	free(r->cwd);
	free(r->host);
	free(r->gpus);
	free(r->source);
	free(r->remote_dir);
	free(r->pid_start);
	free(r->ingest_state);
	free(r->git_commit);
	free(r->git_branch);
	free(r->git_remote);
	free(r->notes);
	free_kvs(r->params, r->nparams);
	free_kvs(r->tags, r->ntags);
	free(r);
}

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_double(s, i);
}

static int load_kvs(ry_store *st, const char *sql, int64_t id, ry_kv **out, size_t *n)
{
	sqlite3_stmt *s = ry_store__stmt(st, sql);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		(*out)[*n].key = ry_store__column_dup(s, 0);
		(*out)[*n].value = ry_store__column_dup(s, 1);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading a run");
}

int ry_run_get(ry_run **out, ry_store *st, int64_t id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT " RUN_COLUMNS " FROM runs r "
	                                     "JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?");
	ry_run *r;
	int rc, c = 0;
	*out = NULL;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return ry_error_set(RY_ENOTFOUND, "no run with id %lld; list runs with 'runyard runs'",
			                    (long long)id);
		return ry_store__sqlerr(st, "reading a run");
	}
	r = ry_xcalloc(1, sizeof *r);
	r->id = sqlite3_column_int64(s, c++);
	snprintf(r->uuid, sizeof r->uuid, "%s", (const char *)sqlite3_column_text(s, c++));
	r->experiment_id = sqlite3_column_int64(s, c++);
	r->experiment = ry_store__column_dup(s, c++);
	r->name = ry_store__column_dup(s, c++);
	r->status = ry_store__column_dup(s, c++);
	r->command = ry_store__column_dup(s, c++);
	r->cwd = ry_store__column_dup(s, c++);
	r->host = ry_store__column_dup(s, c++);
	r->gpus = ry_store__column_dup(s, c++);
	r->source = ry_store__column_dup(s, c++);
	r->remote_dir = ry_store__column_dup(s, c++);
	r->created = col_real(s, c++);
	r->started = col_real(s, c++);
	r->ended = col_real(s, c++);
	r->has_exit_code = sqlite3_column_type(s, c) != SQLITE_NULL;
	r->exit_code = sqlite3_column_int(s, c++);
	r->pid = sqlite3_column_int64(s, c++);
	r->pid_start = ry_store__column_dup(s, c++);
	r->git_commit = ry_store__column_dup(s, c++);
	r->git_branch = ry_store__column_dup(s, c++);
	r->git_remote = ry_store__column_dup(s, c++);
	r->git_dirty = sqlite3_column_type(s, c) == SQLITE_NULL ? -1 : sqlite3_column_int(s, c);
	c++;
	r->git_diff_truncated = sqlite3_column_int(s, c++) != 0;
	r->notes = ry_store__column_dup(s, c++);
	r->cost_rate = col_real(s, c++);
	r->cost_total = col_real(s, c++);
	r->time_limit = col_real(s, c++);
	r->log_offset = sqlite3_column_int64(s, c++);
	r->metrics_offset = sqlite3_column_int64(s, c++);
	r->malformed_lines = sqlite3_column_int64(s, c++);
	r->ingest_state = ry_store__column_dup(s, c++);
	sqlite3_reset(s);
	if ((rc = load_kvs(st, "SELECT key, value FROM params WHERE run_id = ? ORDER BY key", id,
	                   &r->params, &r->nparams)) ||
	    (rc = load_kvs(st, "SELECT key, value FROM tags WHERE run_id = ? ORDER BY key", id,
	                   &r->tags, &r->ntags))) {
		ry_run_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool is_hex_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 36)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* Collect ids matching a query with one text parameter. */
static int match_ids(ry_store *st, const char *sql, const char *arg, int64_t **ids, size_t *n,
                     ry_buf *names)
{
	sqlite3_stmt *s = ry_store__stmt(st, sql);
	size_t cap = 0;
	int rc;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = ry_xgrow(*ids, &cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
		if (*n <= 10) {
			char *safe = ry_sanitize_dup((const char *)sqlite3_column_text(s, 1));
			ry_buf_printf(names, "%s%lld %s (%.8s)", *n > 1 ? ", " : "",
			              (long long)sqlite3_column_int64(s, 0), safe,
			              (const char *)sqlite3_column_text(s, 2));
			free(safe);
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "finding a run");
}

int ry_run_resolve(int64_t *id, ry_store *st, const char *spec)
{
	int64_t *ids = NULL;
	size_t n = 0;
	ry_buf names = RY_BUF_INIT;
	int rc;
	char *safe;

	if (!spec || !*spec)
		return ry_error_set(RY_EINVAL, "no run given: name a run by id, uuid prefix or name");
	if (all_digits(spec)) {
		sqlite3_stmt *s = ry_store__stmt(st, "SELECT id FROM runs WHERE id = ?");
		sqlite3_bind_int64(s, 1, strtoll(spec, NULL, 10));
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
			return 0;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return ry_store__sqlerr(st, "finding a run");
	}
	/* An exact name wins over a uuid prefix: names are what people type. */
	rc = match_ids(st, "SELECT id, name, uuid FROM runs WHERE name = ? ORDER BY id", spec, &ids, &n, &names);
	if (!rc && n == 0 && is_hex_prefix(spec)) {
		char *lower = ry_xstrdup(spec);
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		char *pat = ry_xasprintf("%s*", lower);
		rc = match_ids(st, "SELECT id, name, uuid FROM runs WHERE uuid GLOB ? ORDER BY id", pat, &ids, &n,
		               &names);
		free(pat);
		free(lower);
	}
	if (rc)
		goto out;
	safe = ry_sanitize_dup(spec);
	if (n == 0)
		rc = ry_error_set(RY_ENOTFOUND, "no run matches '%s' (by id, uuid prefix or name); "
		                  "list runs with 'runyard runs'", safe);
	else if (n > 1)
		rc = ry_error_set(RY_EAMBIGUOUS, "'%s' matches %zu runs: %s%s; use the id or a longer uuid prefix",
		                  safe, n, ry_buf_cstr(&names), n > 10 ? ", ..." : "");
	else
		*id = ids[0];
	free(safe);
out:
	free(ids);
	ry_buf_free(&names);
	return rc;
}

int ry_run_find(ry_run **out, ry_store *st, const char *spec)
{
	int64_t id;
	int rc = ry_run_resolve(&id, st, spec);
	*out = NULL;
	return rc ? rc : ry_run_get(out, st, id);
}

double ry_run_duration(const ry_run *r, double now)
{
	if (r->started <= 0)
		return NAN;
	if (r->ended > 0)
		return r->ended - r->started;
	if (r->status && (!strcmp(r->status, "running") || !strcmp(r->status, "queued")))
		return now - r->started;
	return NAN;
}

char *ry_run_gpus_text(const char *gpus)
{
	if (!gpus || !*gpus)
		return NULL;
	int n = 1;
	for (const char *q = gpus; *q; q++)
		n += *q == ',';
	return ry_xasprintf("%d (%s %s)", n, n == 1 ? "id" : "ids", gpus);
}

double ry_run_cost(const ry_run *r, double now)
{
	double d;
	if (r->ended > 0 || !r->status || strcmp(r->status, "running"))
		return r->cost_total;
	d = ry_run_duration(r, now);
	return isfinite(d) ? r->cost_rate * d / 3600.0 : r->cost_total;
}

char *ry_run_git_diff(ry_store *st, int64_t id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT git_diff FROM runs WHERE id = ?");
	char *d = NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		d = ry_store__column_dup(s, 0);
	sqlite3_reset(s);
	return d;
}

/* ---- writing ---------------------------------------------------------- */

static const char *const adjectives[] = {
	"amber", "bold", "brave", "brisk", "calm", "clever", "cosmic", "crisp", "dapper", "eager",
	"fierce", "fluffy", "gentle", "golden", "hazy", "jolly", "keen", "lively", "lucky", "mellow",
	"misty", "nimble", "noble", "polar", "proud", "quiet", "rapid", "rusty", "shy", "silent",
	"snowy", "solar", "steady", "stormy", "sunny", "swift", "tidy", "vivid", "wild", "witty",
};
static const char *const nouns[] = {
	"otter", "falcon", "badger", "heron", "lynx", "panda", "raven", "tiger", "walrus", "yak",
	"bison", "comet", "cedar", "dune", "ember", "fjord", "glacier", "harbor", "island", "lagoon",
	"meadow", "nebula", "orchid", "pine", "quasar", "reef", "summit", "tundra", "valley", "willow",
	"koala", "gecko", "marmot", "newt", "ibis", "puffin", "quokka", "salmon", "tapir", "wombat",
};

static bool name_taken(ry_store *st, const char *name)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT 1 FROM runs WHERE name = ? LIMIT 1");
	bool taken;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	taken = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return taken;
}

/* A name never ends in a number: "brave-otter-17" would read as run 17,
 * which may be another run.  Two words while some pair is free, then the
 * pair with a suffix of letters. */
char *ry_run_name_pick(ry_store *st, uint64_t *state)
{
	size_t na = sizeof adjectives / sizeof *adjectives, nn = sizeof nouns / sizeof *nouns;
	for (int attempt = 0; ; attempt++) {
		uint64_t x = (*state = *state * 6364136223846793005ULL + 1442695040888963407ULL);
		char *name, suffix[8] = "";
		if (attempt >= 8) {
			/* 26^3 more names per pair, and one letter more each 8 tries */
			int len = 3 + (attempt - 8) / 8;
			uint64_t y = x >> 5;
			for (int i = 0; i < len && i < (int)sizeof suffix - 2; i++, y /= 26)
				suffix[i] = (char)('a' + y % 26);
		}
		name = ry_xasprintf("%s-%s%s%s", adjectives[(x >> 33) % na], nouns[(x >> 17) % nn],
		                    *suffix ? "-" : "", suffix);
		if (!name_taken(st, name))
			return name;
		free(name);
	}
}

static char *memorable_name(ry_store *st, const char *uuid)
{
	/* Seed from the uuid: random, yet reproducible for a given run. */
	uint64_t x = strtoull(uuid, NULL, 16) ^ ((unsigned long long)getpid() << 20);
	return ry_run_name_pick(st, &x);
}

int ry_run_create(ry_store *st, const ry_run_spec *spec, int64_t *id, char uuid_out[37])
{
	char uuid[37];
	int64_t exp_id;
	char *gen = NULL;
	double now = ry_now();
	sqlite3_stmt *s;
	int rc;

	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_experiment_ensure(st, spec->experiment ? spec->experiment : "default", &exp_id)))
		goto fail;
	ry_uuid(uuid);
	if (!spec->name || !*spec->name)
		gen = memorable_name(st, uuid);
	s = ry_store__stmt(st, "INSERT INTO runs(uuid, experiment_id, name, status, command, cwd, host, gpus, "
	                       "source, created, started, cost_rate, time_limit) "
	                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, exp_id);
	sqlite3_bind_text(s, 3, gen ? gen : spec->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, spec->status ? spec->status : "running", -1, SQLITE_TRANSIENT);
	ry_store__bind_text(s, 5, spec->command);
	ry_store__bind_text(s, 6, spec->cwd);
	ry_store__bind_text(s, 7, spec->host);
	ry_store__bind_text(s, 8, spec->gpus);
	sqlite3_bind_text(s, 9, spec->source ? spec->source : "local", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 10, spec->created > 0 ? spec->created : now);
	if (spec->started > 0 || !spec->status || strcmp(spec->status, "queued"))
		sqlite3_bind_double(s, 11, spec->started > 0 ? spec->started : now);
	sqlite3_bind_double(s, 12, spec->cost_rate);
	if (spec->time_limit > 0)
		sqlite3_bind_double(s, 13, spec->time_limit);
	rc = sqlite3_step(s);
	free(gen);
	if (rc != SQLITE_DONE) {
		rc = rc == SQLITE_CONSTRAINT
			? ry_error_set(RY_EINVAL, "invalid run: status '%s' is not one of queued, running, finished, "
			               "failed, killed, lost", spec->status ? spec->status : "")
			: ry_store__sqlerr(st, "creating a run");
		sqlite3_reset(s);
		goto fail;
	}
	sqlite3_reset(s);
	*id = sqlite3_last_insert_rowid(ry_store__db(st));
	if (uuid_out)
		memcpy(uuid_out, uuid, 37);
	return ry_store_commit(st);
fail:
	ry_store_rollback(st);
	return rc;
}

int ry_run_set_param(ry_store *st, int64_t id, const char *key, const char *value)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO params(run_id, key, value, num) VALUES (?,?,?,?) "
	                                     "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value, "
	                                     "num = excluded.num");
	double num;
	int rc;
	/* every path that stores a param passes here: the one place to redact */
	char *stored = ry_redact_value(key, value);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, stored ? stored : "", -1, SQLITE_TRANSIENT);
	if (stored && ry_parse_number(stored, &num))
		sqlite3_bind_double(s, 4, num);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "saving a param");
	sqlite3_reset(s);
	free(stored);
	return rc;
}

int ry_run_set_tag(ry_store *st, int64_t id, const char *key, const char *value)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO tags(run_id, key, value) VALUES (?,?,?) "
	                                     "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value");
	int rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, value ? value : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "saving a tag");
	sqlite3_reset(s);
	return rc;
}

int ry_run_unset_tag(ry_store *st, int64_t id, const char *key)
{
	sqlite3_stmt *s = ry_store__stmt(st, "DELETE FROM tags WHERE run_id = ? AND key = ?");
	int rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "removing a tag");
	sqlite3_reset(s);
	if (rc == 0 && sqlite3_changes(ry_store__db(st)) == 0)
		rc = ry_error_set(RY_ENOTFOUND, "run %lld has no tag '%s'", (long long)id, key);
	return rc;
}

static int update_one(ry_store *st, sqlite3_stmt *s, int64_t id, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return ry_error_set(RY_EINVAL, "invalid value while %s: %s", what, sqlite3_errmsg(ry_store__db(st)));
	if (rc != SQLITE_DONE)
		return ry_store__sqlerr(st, what);
	if (sqlite3_changes(ry_store__db(st)) == 0)
		return ry_error_set(RY_ENOTFOUND, "no run with id %lld", (long long)id);
	return 0;
}

int ry_run_set_notes(ry_store *st, int64_t id, const char *notes)
{
	sqlite3_stmt *s = ry_store__stmt(st, "UPDATE runs SET notes = ? WHERE id = ?");
	ry_store__bind_text(s, 1, notes && *notes ? notes : NULL);
	sqlite3_bind_int64(s, 2, id);
	return update_one(st, s, id, "saving notes");
}

static bool valid_status(const char *s)
{
	static const char *const ok[] = { "queued", "running", "finished", "failed", "killed", "lost", NULL };
	for (int i = 0; s && ok[i]; i++)
		if (!strcmp(ok[i], s))
			return true;
	return false;
}

int ry_run_finish(ry_store *st, int64_t id, const char *status, double ended, bool has_exit, int exit_code)
{
	if (!valid_status(status))
		return ry_error_set(RY_EINVAL, "invalid run status '%s': use queued, running, finished, failed, "
		                    "killed or lost", status ? status : "");

	/* A status moves forward once: only a queued or running run settles,
	 * so a reconcile that decided from a stale read can never overwrite
	 * what the run's own tracker recorded.  The final cost is the rate
	 * over the whole run; a run without a rate keeps whatever total it
	 * had (imported runs). */
	sqlite3_stmt *s = ry_store__stmt(st,
		"UPDATE runs SET status = ?1, ended = ?2, exit_code = ?3, "
		"cost_total = CASE WHEN coalesce(cost_rate, 0) > 0 AND started IS NOT NULL "
		"  THEN cost_rate * max(?2 - started, 0) / 3600.0 ELSE cost_total END "
		"WHERE id = ?4 AND status IN ('queued', 'running')");
	int rc, step;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 2, ended > 0 ? ended : ry_now());
	if (has_exit)
		sqlite3_bind_int(s, 3, exit_code);
	sqlite3_bind_int64(s, 4, id);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	if (step != SQLITE_DONE)
		return ry_store__sqlerr(st, "settling a run");
	if (sqlite3_changes(ry_store__db(st)) > 0)
		return 0;
	s = ry_store__stmt(st, "SELECT status FROM runs WHERE id = ?");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = ry_error_set(RY_ESTALE, "run %lld was already settled as %s", (long long)id,
		                  (const char *)sqlite3_column_text(s, 0));
	else
		rc = ry_error_set(RY_ENOTFOUND, "no run with id %lld", (long long)id);
	sqlite3_reset(s);
	return rc;
}

/* Only these columns may be set generically: each has its own literal SQL,
 * so no column name ever comes from a caller, and the statement is cached. */
#define SETTABLE(_) \
	_(status) _(command) _(cwd) _(host) _(gpus) _(source) _(remote_dir) _(started) _(ended) \
	_(exit_code) _(pid) _(pid_start) _(git_commit) _(git_branch) _(git_remote) _(git_dirty) \
	_(git_diff) _(git_diff_truncated) _(notes) _(cost_rate) _(cost_total) _(time_limit) \
	_(log_offset) _(metrics_offset) _(malformed_lines) _(heartbeat) _(run_host) _(name) \
	_(ingest_state)

static const struct {
	const char *column;
	const char *sql;
} settable[] = {
#define SETTABLE_ENTRY(c) { #c, "UPDATE runs SET " #c " = ? WHERE id = ?" },
	SETTABLE(SETTABLE_ENTRY)
#undef SETTABLE_ENTRY
};

static int set_column(ry_store *st, int64_t id, const char *column, int type, const char *t, int64_t i,
                      double d)
{
	sqlite3_stmt *s = NULL;
	for (size_t k = 0; k < sizeof settable / sizeof *settable; k++)
		if (!strcmp(settable[k].column, column))
			s = ry_store__stmt(st, settable[k].sql);
	if (!s)
		ry_fatal("ry_run_set: column '%s' is not settable", column);
	if (type == 0)
		ry_store__bind_text(s, 1, t);
	else if (type == 1)
		sqlite3_bind_int64(s, 1, i);
	else
		sqlite3_bind_double(s, 1, d);
	sqlite3_bind_int64(s, 2, id);
	return update_one(st, s, id, "updating a run");
}

int ry_run_set_text(ry_store *st, int64_t id, const char *column, const char *value)
{
	return set_column(st, id, column, 0, value, 0, 0);
}

int ry_run_rename(ry_store *st, int64_t id, const char *name)
{
	int64_t other;
	if (!name || !*name || strspn(name, "0123456789") == strlen(name))
		return ry_error_set(RY_EINVAL, "'%s' cannot name a run: give a name that is not empty nor only digits",
		                    name ? name : "");
	/* Names find runs: one name for two runs would make both ambiguous. */
	if (ry_run_resolve(&other, st, name) == 0 && other != id)
		return ry_error_set(RY_EEXISTS, "run %lld is already named '%s'; pick another name", (long long)other,
		                    name);
	return ry_run_set_text(st, id, "name", name);
}

int ry_run_set_int(ry_store *st, int64_t id, const char *column, int64_t value)
{
	return set_column(st, id, column, 1, NULL, value, 0);
}

int ry_run_set_real(ry_store *st, int64_t id, const char *column, double value)
{
	return set_column(st, id, column, 2, NULL, 0, value);
}

/* ---- experiments ------------------------------------------------------ */

int ry_experiments_list(ry_store *st, ry_experiment **out, size_t *n)
{
	/* Counts and costs are maintained per experiment by triggers on runs
	 * (experiment_stats, schema 8 -> 9): this reads one row per
	 * experiment, whatever the number of runs.  The cost of running runs
	 * accrues by the hour and is computed for now from two sums; it is
	 * clamped at 0 as a whole where the old per-run query clamped each
	 * run, which differs only for a run whose start lies in the future
	 * (a skewed remote clock). */
	sqlite3_stmt *s = ry_store__stmt(st,
		"SELECT e.id, e.name, e.description, e.created, "
		"  coalesce(x.nruns, 0), coalesce(x.nrunning, 0), "
		"  CASE WHEN x.ncost > 0 THEN x.cost_settled END, "
		"  CASE WHEN x.nrate > 0 THEN max(?1 * x.rate - x.rate_started, 0) / 3600.0 END "
		"FROM experiments e LEFT JOIN experiment_stats x ON x.experiment_id = e.id ORDER BY e.name");
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	sqlite3_bind_double(s, 1, ry_now());
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ry_experiment *e;
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		e = &(*out)[(*n)++];
		e->id = sqlite3_column_int64(s, 0);
		e->name = ry_store__column_dup(s, 1);
		e->description = ry_store__column_dup(s, 2);
		e->created = sqlite3_column_double(s, 3);
		e->nruns = sqlite3_column_int64(s, 4);
		e->nrunning = sqlite3_column_int64(s, 5);
		/* NULL where no run has a cost: unknown, not $0.00 */
		if (sqlite3_column_type(s, 6) == SQLITE_NULL && sqlite3_column_type(s, 7) == SQLITE_NULL)
			e->cost = NAN;
		else
			e->cost = sqlite3_column_double(s, 6) + sqlite3_column_double(s, 7);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ry_experiments_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ry_store__sqlerr(st, "listing experiments");
	}
	return 0;
}

void ry_experiments_free(ry_experiment *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].description);
	}
	free(e);
}

int ry_experiment_ensure(ry_store *st, const char *name, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;
	if (!name || !*name)
		return ry_error_set(RY_EINVAL, "an experiment needs a name");
	/* Look first: most calls find it, and a read takes no write lock. */
	s = ry_store__stmt(st, "SELECT id FROM experiments WHERE name = ?");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	s = ry_store__stmt(st, "INSERT INTO experiments(name, created) VALUES (?, ?) "
	                       "ON CONFLICT(name) DO UPDATE SET name = name RETURNING id");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 2, ry_now());
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : ry_store__sqlerr(st, "creating an experiment");
}

int ry_experiment_find(ry_store *st, const char *spec, int64_t *id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT id FROM experiments WHERE name = ?1 OR "
	                                     "(?1 GLOB '[0-9]*' AND id = CAST(?1 AS INTEGER)) ORDER BY name = ?1 DESC");
	ry_buf known = RY_BUF_INIT;
	int rc;
	sqlite3_bind_text(s, 1, spec, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ry_store__sqlerr(st, "finding an experiment");
	s = ry_store__stmt(st, "SELECT name FROM experiments ORDER BY name LIMIT 12");
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *safe = ry_sanitize_dup((const char *)sqlite3_column_text(s, 0));
		ry_buf_printf(&known, "%s%s", known.len ? ", " : "", safe);
		free(safe);
	}
	sqlite3_reset(s);
	{
		char *safe = ry_sanitize_dup(spec);
		rc = ry_error_set(RY_ENOTFOUND, "no experiment named '%s'%s%s", safe,
		                  known.len ? "; known experiments: " : "; the workspace has no experiments yet",
		                  ry_buf_cstr(&known));
		free(safe);
	}
	ry_buf_free(&known);
	return rc;
}

char *ry_experiment_setting_get(ry_store *st, int64_t id, const char *key)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT json_extract(settings, '$.' || json_quote(?2)) "
	                                     "FROM experiments WHERE id = ?1");
	char *v = NULL;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = ry_store__column_dup(s, 0);
	sqlite3_reset(s);
	return v;
}

int ry_experiment_setting_set(ry_store *st, int64_t id, const char *key, const char *value)
{
	sqlite3_stmt *s = value
		? ry_store__stmt(st, "UPDATE experiments SET settings = "
		                     "json_set(coalesce(settings, '{}'), '$.' || json_quote(?2), ?3) WHERE id = ?1")
		: ry_store__stmt(st, "UPDATE experiments SET settings = "
		                     "json_remove(coalesce(settings, '{}'), '$.' || json_quote(?2)) WHERE id = ?1");
	int rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
	if (value)
		sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return ry_store__sqlerr(st, "saving an experiment setting");
	if (sqlite3_changes(ry_store__db(st)) == 0)
		return ry_error_set(RY_ENOTFOUND, "no experiment with id %lld", (long long)id);
	return 0;
}
