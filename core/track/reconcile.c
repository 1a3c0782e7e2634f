/*
 * Reconcile: settle local runs whose runyard died, from what their run
 * directory says, and take in what their command printed and wrote after
 * runyard died (track.h, ry_track_reconcile).  Every runyard start runs it,
 * and so does the full-screen app's background pass; so any number of them
 * may run at once, beside live trackers.
 *
 * The directory is the truth, in this order:
 *   tracker  runyard's own file, written in the transaction that created
 *            the run: while that process lives, the run is its business;
 *   exit     left by a keeper that saw the command end alone: settle from it;
 *   keeper   the keeper's file, written by the keeper before the command
 *            starts: while it lives, the command runs or is being drained;
 *   the command's process, from the pid and identity the keeper recorded.
 * None of them: the run is lost.  A decision is acted on inside one write
 * transaction that first re-reads the run's status, and settling is a
 * compare-and-set (ry_run_finish), so a decision made from a stale list
 * can never overwrite what a tracker recorded.
 *
 * It does not track, start or kill anything (track.c does), nor reconcile
 * remote runs (launch.c syncs those).
 */
#include "track/track.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/fault.h"
#include "metrics/ingest.h"
#include "store/store_internal.h"
#include "track/track_internal.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one reconcile reads of runs' files at most, over all runs: about a
 * third of a second of scanning, so that a start never waits long on a
 * huge log; the next start goes on from where this one stopped. */
#define CATCHUP_BUDGET ((size_t)32 << 20)
#define CATCHUP_CHUNK ((size_t)1 << 20)

struct orphan {
	int64_t id;
	char *uuid;
	int pid;         /* the command's, as the workspace has it (0: none recorded) */
	char *pid_start; /* its identity (NULL: none recorded) */
};

/* The files of the run being reconciled. */
struct paths {
	char *dir, *tracker, *keeper, *exit, *artifacts;
};

/* Ingest what the run's command printed and wrote after its tracker died,
 * from the offsets the tracker's last batch stored, in the same way
 * (ingest.h, resumable ingest).  final: the files are complete, take their
 * last unfinished lines too.  Returns 1 when everything was read, 0 when
 * the budget ran out first, or an RY_E* code.  A run that kept no ingest
 * state (started by an older runyard) has nothing to catch up. */
static int catch_up(ry_store *st, int64_t id, const char *dir, bool final, size_t *budget)
{
	static const char *const names[2] = { "metrics.jsonl", "log" };
	ry_ingest *in = NULL;
	int64_t off[2];
	char *buf = NULL;
	bool all = true;
	int rc;

	/* One write transaction from reading the offsets to storing the new
	 * ones: two starts at the same moment cannot both take the same lines. */
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = ry_ingest_resume(&in, st, id, &off[1], &off[0])) || !in) {
		ry_store_rollback(st);
		return rc ? rc : 1;
	}
	buf = ry_xmalloc(CATCHUP_CHUNK);
	/* JSON lines first: a key they own is then never taken from the log */
	for (int f = 0; f < 2 && !rc; f++) {
		char *path = ry_xasprintf("%s/%s", dir, names[f]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		while (fd >= 0) {
			size_t want = *budget < CATCHUP_CHUNK ? *budget : CATCHUP_CHUNK;
			ssize_t n;
			if (want == 0) {
				all = false;
				break;
			}
			n = pread(fd, buf, want, (off_t)off[f]);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				rc = ry_error_set(RY_EIO, "cannot read %s: %s; its lines are ingested at a later start",
				                  path, strerror(errno));
			if (n <= 0)
				break;
			if (f)
				ry_ingest_log(in, buf, (size_t)n);
			else
				ry_ingest_jsonl(in, buf, (size_t)n);
			off[f] += n;
			*budget -= (size_t)n;
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (!rc)
		rc = ry_ingest_flush(in, final && all);
	if (!rc)
		rc = ry_store_commit(st);
	else
		ry_store_rollback(st);
	ry_ingest_free(in);
	free(buf);
	return rc ? rc : all;
}

/* Does the command still run?  Its identity from the workspace, else from
 * the keeper's file (a runyard killed before recording the pid). */
static bool command_alive(const struct orphan *o, const char *keeper_path)
{
	int pid = o->pid;
	char *want = o->pid_start ? ry_xstrdup(o->pid_start) : NULL, *have;
	bool alive;
	if (pid <= 0 || !want) {
		int kpid = 0;
		char *kid = ry_track__keeper_child(keeper_path, &kpid);
		if (kpid > 0 && (pid <= 0 || pid == kpid)) {
			pid = kpid;
			free(want);
			want = kid;
		} else {
			free(kid);
		}
	}
	if (pid <= 0) {
		free(want);
		return false;
	}
	have = ry_track_pid_identity(pid);
	/* without a recorded identity, a live pid may be the command: leave it */
	alive = have && (!want || !strcmp(have, want));
	free(have);
	free(want);
	return alive;
}

static bool still_running(ry_store *st, int64_t id)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT status = 'running' FROM runs WHERE id = ?");
	bool running;
	sqlite3_bind_int64(s, 1, id);
	running = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return running;
}

/* Decide and act for a run whose tracker is dead, inside the caller's
 * write transaction.  1 settled, 0 left running, or an RY_E* code. */
static int decide(ry_store *st, const struct orphan *o, const struct paths *p, size_t *budget)
{
	struct ry_track__end e;
	bool has_exit;
	int code, shell, rc;
	bool have_exit = ry_track__exit_read(p->exit, &e);

	if (!have_exit && ry_track_pidfile_alive(p->keeper))
		return (rc = catch_up(st, o->id, p->dir, false, budget)) < 0 ? rc : 0;
	/* The keeper leaves the exit file, then leaves: it may have done both
	 * since the first look. */
	if (!have_exit)
		have_exit = ry_track__exit_read(p->exit, &e);
	if (!have_exit && command_alive(o, p->keeper))
		return (rc = catch_up(st, o->id, p->dir, false, budget)) < 0 ? rc : 0;
	/* What the command printed is taken in before the run is settled, all
	 * of it: a run out of budget is settled by a later start. */
	if ((rc = catch_up(st, o->id, p->dir, true, budget)) <= 0)
		return rc;
	if (have_exit) {
		int64_t count = 0;
		const char *status = ry_track__settle(&e, false, &has_exit, &code, &shell);
		ry_track__record_artifacts(st, o->id, p->artifacts, "", &count, true);
		rc = ry_run_finish(st, o->id, status, e.ended, has_exit, code);
	} else {
		rc = ry_run_finish(st, o->id, "lost", ry_now(), false, 0);
	}
	return rc ? rc : 1;
}

/* One running run: left to its live tracker, else decided under the write
 * lock after re-reading its status.  1 settled, 0 not, or an RY_E* code. */
static int reconcile_one(ry_store *st, const struct orphan *o, size_t *budget)
{
	struct paths p;
	int rc;
	p.dir = ry_track_run_dir(st, o->uuid);
	p.tracker = ry_xasprintf("%s/tracker", p.dir);
	p.keeper = ry_xasprintf("%s/keeper", p.dir);
	p.exit = ry_xasprintf("%s/exit", p.dir);
	p.artifacts = ry_xasprintf("%s/artifacts", p.dir);

	/* A live tracker settles its own run.  A missing tracker file means
	 * the tracker is done (it removes the file after settling) or died. */
	if (ry_track_pidfile_alive(p.tracker)) {
		rc = 0;
	} else if ((rc = ry_store_begin(st)) == 0) {
		/* Under the lock no tracker can settle meanwhile: if the run is
		 * still running now, its tracker died. */
		rc = still_running(st, o->id) ? decide(st, o, &p, budget) : 0;
		if (rc >= 0) {
			int c = ry_store_commit(st);
			rc = c ? c : rc;
		} else {
			ry_store_rollback(st);
		}
	}
	free(p.dir);
	free(p.tracker);
	free(p.keeper);
	free(p.exit);
	free(p.artifacts);
	return rc;
}

int ry_track_reconcile(ry_store *st, int *nsettled)
{
	sqlite3_stmt *s;
	char *host;
	struct orphan *runs = NULL;
	size_t n = 0, cap = 0, budget = CATCHUP_BUDGET;
	int rc = 0, step;

	if (nsettled)
		*nsettled = 0;
	if (ry_store_readonly(st))
		return 0; /* nothing can be settled; the next writer will */
	s = ry_store__stmt(st, "SELECT id, pid, pid_start, uuid FROM runs "
	                       "WHERE status = 'running' AND source = 'local' AND host = ?");
	host = ry_track__host();
	sqlite3_bind_text(s, 1, host, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uuid = (const char *)sqlite3_column_text(s, 3);
		if (!uuid)
			continue;
		runs = ry_xgrow(runs, &cap, n + 1, sizeof *runs);
		runs[n].id = sqlite3_column_int64(s, 0);
		runs[n].pid = (int)sqlite3_column_int64(s, 1);
		runs[n].pid_start = ry_store__column_dup(s, 2);
		runs[n++].uuid = ry_xstrdup(uuid);
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "listing running runs");
	sqlite3_reset(s);
	free(host);
	if (n)
		ry_fault("reconcile-listed");
	for (size_t i = 0; i < n; i++) {
		int r = rc ? 0 : reconcile_one(st, &runs[i], &budget);
		if (r < 0)
			rc = r;
		else if (r > 0 && nsettled)
			(*nsettled)++;
		free(runs[i].uuid);
		free(runs[i].pid_start);
	}
	free(runs);
	return rc;
}

/* Settling belongs to opening, not to each front end's memory of it: the
 * CLI, the full-screen app and its background pass all open through here. */
int ry_track_open_workspace(ry_store **out, const char *path, unsigned flags)
{
	int rc = ry_store_open(out, path, flags);
	if (rc)
		return rc;
	/* best effort: a run left unsettled is the next start's to settle, and
	 * must not keep this one from reading the workspace */
	if (ry_track_reconcile(*out, NULL))
		ry_error_clear();
	return 0;
}
