/*
 * Background sync of running runs for the full-screen app (see
 * remote_sync.h): remote runs over SSH, and local runs whose runyard died
 * (their keeper's output and exit caught up, as every start does); and the
 * run queue drained while the app is open (queue.h: only one process
 * drains a workspace at once, so a `queue --drain` beside it is safe).  One thread, one store connection of its own, woken by a
 * timer or by stop; stop also raises the cancel flag that every SSH call of
 * core watches, so quitting never waits on a slow host, nor on a passphrase
 * question (asked through the app's broker, askpass.h) left unanswered.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runyard.h"
#include "base/config.h"
#include "work/askpass.h"
#include "work/remote_sync.h"

struct tui_syncer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_int stop;
	char *db_path;
	double interval;
	struct tui_askpass_client ask; /* passphrases, with stop as its flag */
};

static bool any_running_remote(ry_store *st)
{
	ry_run **runs = NULL;
	size_t n = 0;
	bool any = false;
	if (ry_remote_jobs(st, &runs, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !any; i++)
		any = runs[i]->status && !strcmp(runs[i]->status, "running");
	ry_remote_jobs_free(runs, n);
	return any;
}

static bool any_queued(ry_store *st)
{
	ry_queue_item *items = NULL;
	size_t n = 0;
	if (ry_queue_list(st, &items, &n) < 0)
		return false;
	ry_queue_items_free(items, n);
	return n > 0;
}

/* Whether the pass asked the user for a passphrase. */
static bool sync_once(struct tui_syncer *s)
{
	ry_store *st = NULL;
	ry_inventory *inv = NULL;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_sync_report rep;

	atomic_store(&s->ask.asked, 0);
	/* A local run whose runyard was killed goes on under its keeper; the
	 * app's start caught up what it had printed by then, and each pass's
	 * open (it settles) keeps catching up until it ends. */
	if (ry_track_open_workspace(&st, s->db_path, 0) < 0)
		return false;
	bool running = any_running_remote(st), queued = any_queued(st);
	if (!running && !queued)
		goto out;
	if (ry_inventory_open(&inv, st, NULL) < 0)
		goto out;
	o.cancel = &s->stop;
	o.passphrase = tui_askpass_fn;
	o.payload = &s->ask;
	o.timeout_ms = 10000;
	memset(&rep, 0, sizeof rep);
	/* Unreachable hosts are reported per run by `runyard sync`; here the
	 * runs simply stay running until a later pass reaches them. */
	if (running) {
		ry_remote_sync(st, inv, 0, &o, &rep);
		ry_sync_report_clear(&rep);
	}
	if (queued) {
		ry_queue_report qr;
		ry_queue_drain(st, inv, &o, &qr);
		ry_queue_report_clear(&qr);
	}
out:
	ry_error_clear();
	ry_inventory_free(inv);
	ry_store_close(st);
	return atomic_load(&s->ask.asked) > 0;
}

static void *loop(void *arg)
{
	struct tui_syncer *s = arg;
	while (!atomic_load(&s->stop)) {
		struct timespec until;
		bool asked = sync_once(s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(asked && s->interval < TUI_SYNC_ASKED_INTERVAL ? TUI_SYNC_ASKED_INTERVAL
		                                                                       : s->interval);
		pthread_mutex_lock(&s->lock);
		while (!atomic_load(&s->stop)) {
			if (pthread_cond_timedwait(&s->wake, &s->lock, &until) == ETIMEDOUT)
				break;
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

struct tui_syncer *tui_syncer_start(const char *db_path, double interval, struct tui_askpass *askpass)
{
	struct tui_syncer *s = ry_xcalloc(1, sizeof *s);
	s->db_path = ry_xstrdup(db_path);
	s->ask.broker = askpass;
	s->ask.cancel = &s->stop;
	s->interval = interval >= 1 ? interval : 1;
	atomic_init(&s->stop, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->wake);
		free(s->db_path);
		free(s);
		return NULL;
	}
	return s;
}

void tui_syncer_stop(struct tui_syncer *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stop, 1);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s->db_path);
	free(s);
}
