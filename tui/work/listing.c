/*
 * The background run list (see listing.h).  Shared between the threads:
 * the request and the result under `mu`; the worker's store pointer is
 * written once by the worker (under mu) and closed only as it exits, so
 * the main thread may interrupt it under mu at any time in between.
 */
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runyard.h"
#include "work/listing.h"

/* `running` while the worker reads the index for tui_listing_warm. */
#define WARMING UINT_MAX

struct tui_listing {
	char *db;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool quit;               /* under mu */
	bool warm;               /* under mu: ry_runlist_warm wanted when idle */
	/* the newest request, under mu */
	unsigned gen;
	int64_t exp;
	char *filter, *sort;
	size_t first;            /* > 0: hand over that many runs first */
	unsigned running;        /* the request being evaluated, 0 none */
	ry_store *st;            /* the worker's connection, once opened */
	/* the newest request's result, under mu */
	bool ready;
	bool partial;            /* list is the first runs only; the worker goes on */
	unsigned done_gen;
	ry_runlist *list;
	double ms;
	char msg[512];
	int delay_ms;            /* the test hook */
	char *trace;             /* the trace hook's file, NULL when unset */
};

static char *dup_or_null(const char *s)
{
	return s && *s ? ry_xstrdup(s) : NULL;
}

/* The test hook's wait, in slices, given up as soon as a newer request
 * comes; true if the request is still the newest. */
static bool test_delay(struct tui_listing *w, unsigned gen)
{
	for (int left = w->delay_ms; left > 0; left -= 10) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&w->mu);
		bool stale = w->gen != gen || w->quit;
		pthread_mutex_unlock(&w->mu);
		if (stale)
			return false;
	}
	return true;
}

/* The trace hook: one line per evaluation's start and end, so a test
 * can wait until the worker has taken a request or is done with it,
 * rather than sleeping for a guess at how long that takes. */
static void trace(const struct tui_listing *w, const char *what, const char *filter)
{
	if (!w->trace)
		return;
	FILE *f = fopen(w->trace, "a");
	if (f) {
		fprintf(f, "%s %s\n", what, filter ? filter : "");
		fclose(f);
	}
}

/* The worker's connection, opened on first need (on the worker). */
static int open_store(struct tui_listing *w)
{
	if (w->st)
		return 0;
	ry_store *st = NULL;
	int rc = ry_store_open(&st, w->db, 0);
	if (!rc && (rc = ry_store_set_cache_kib(st, TUI_WORKER_CACHE_KIB)) != 0) {
		ry_store_close(st);
		st = NULL;
	}
	pthread_mutex_lock(&w->mu);
	w->st = st;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static void *listing_main(void *arg)
{
	struct tui_listing *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && !w->warm && (w->gen == 0 || w->gen == w->done_gen || w->gen == w->running))
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		if (w->warm && (w->gen == 0 || w->gen == w->done_gen)) {
			w->warm = false;
			w->running = WARMING; /* a request that comes interrupts it */
			pthread_mutex_unlock(&w->mu);
			if (open_store(w) == 0) {
				ry_runlist_warm(w->st);
				ry_store_end_read(w->st);
			}
			pthread_mutex_lock(&w->mu);
			w->running = 0;
			continue;
		}
		w->warm = false; /* a request reads the index anyway */
		unsigned gen = w->gen;
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		char *filter = dup_or_null(w->filter), *sort = dup_or_null(w->sort);
		size_t first = w->first;
		o.experiment_id = w->exp;
		o.filter = filter;
		o.sort = sort;
		w->running = gen;
		pthread_mutex_unlock(&w->mu);

		ry_runlist *l = NULL;
		char msg[sizeof w->msg] = "";
		int rc = 0;
		double t0 = ry_monotonic();
		trace(w, "start", filter);
		if (w->delay_ms > 0 && !test_delay(w, gen)) {
			rc = RY_ERROR; /* replaced meanwhile: nobody wants this one */
		} else {
			rc = open_store(w);
		}
		if (!rc)
			ry_store_end_read(w->st); /* never list from a snapshot left open */
		if (!rc && first) {
			ry_runlist_options fo = o;
			fo.limit = first;
			rc = ry_runlist_open(&l, w->st, &fo);
			pthread_mutex_lock(&w->mu);
			if (!rc && gen == w->gen) {
				ry_runlist_free(w->list);
				w->list = l;
				w->partial = true;
				w->ready = true;
				w->ms = (ry_monotonic() - t0) * 1000;
				w->msg[0] = '\0';
				l = NULL;
			}
			bool stale = gen != w->gen;
			pthread_mutex_unlock(&w->mu);
			ry_runlist_free(l);
			l = NULL;
			/* The test hook waits here too, so a test sees the first rows
			 * on screen with "counting…". */
			if (stale || (w->delay_ms > 0 && !test_delay(w, gen)))
				rc = RY_ERROR;
		}
		if (!rc)
			rc = ry_runlist_open(&l, w->st, &o);
		if (rc)
			snprintf(msg, sizeof msg, "%s", ry_error_last());
		ry_store_end_read(w->st); /* an interrupt may have cut its COMMIT */
		double ms = (ry_monotonic() - t0) * 1000;
		/* Traced just before the result is handed over (below): a test
		 * that sees "end kept" waits for the screen to show it; one that
		 * sees every start ended knows no stale result can still come. */
		pthread_mutex_lock(&w->mu);
		bool kept = gen == w->gen;
		pthread_mutex_unlock(&w->mu);
		trace(w, kept && !rc ? "end kept" : "end dropped", filter);
		free(filter);
		free(sort);
		/* This thread's malloc arena keeps what a sort over every run
		 * freed (~50 MB at 10^6 runs); give it back to the system. */
		tui_listing_trim();

		pthread_mutex_lock(&w->mu);
		w->running = 0;
		if (gen == w->gen) {
			ry_runlist_free(w->list);
			w->list = l;
			w->ms = ms;
			w->done_gen = gen;
			w->ready = true;
			w->partial = false;
			snprintf(w->msg, sizeof w->msg, "%s", msg);
		} else {
			ry_runlist_free(l); /* a newer request came meanwhile */
		}
	}
	pthread_mutex_unlock(&w->mu);
	ry_store_close(w->st);
	ry_error_clear();
	return NULL;
}

void tui_listing_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void tui_listing_malloc_init(void)
{
#ifdef __GLIBC__
	/* glibc raises its threshold past every mapped block freed (up to
	 * 32 MiB), so after the first 8 MB column of 10^6 runs is freed the
	 * next ones come from the arenas, where what is freed stays resident
	 * among live blocks: the parallel screen at 10^6 runs peaked ~9 MB
	 * higher.  Setting the threshold (its default) turns that off. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

static void release(struct tui_listing *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	ry_runlist_free(w->list);
	free(w->db);
	free(w->filter);
	free(w->sort);
	free(w->trace);
	free(w);
}

static int delay_ms(void)
{
	const char *d = getenv("RUNYARD_TEST_LISTING_DELAY_MS");
	return d ? atoi(d) : 0;
}

bool tui_listing_test_delay(void)
{
	return delay_ms() > 0;
}

struct tui_listing *tui_listing_new(const char *db_path)
{
	struct tui_listing *w = ry_xcalloc(1, sizeof *w);
	w->db = ry_xstrdup(db_path);
	w->delay_ms = delay_ms();
	const char *tr = getenv("RUNYARD_TEST_LISTING_TRACE");
	w->trace = tr && *tr ? ry_xstrdup(tr) : NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, listing_main, w) != 0) {
		release(w);
		return NULL;
	}
	return w;
}

/* Under mu: stop the evaluation in progress if it is not the newest. */
static void interrupt_stale(struct tui_listing *w)
{
	if (w->running && w->running != w->gen && w->st)
		ry_store_interrupt(w->st);
}

unsigned tui_listing_submit(struct tui_listing *w, int64_t experiment_id, const char *filter, const char *sort,
                            size_t first)
{
	pthread_mutex_lock(&w->mu);
	unsigned gen = ++w->gen;
	w->exp = experiment_id;
	free(w->filter);
	free(w->sort);
	w->filter = dup_or_null(filter);
	w->sort = dup_or_null(sort);
	w->first = first;
	w->ready = false;
	ry_runlist_free(w->list);
	w->list = NULL;
	interrupt_stale(w);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return gen;
}

void tui_listing_warm(struct tui_listing *w)
{
	pthread_mutex_lock(&w->mu);
	w->warm = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void tui_listing_cancel(struct tui_listing *w)
{
	pthread_mutex_lock(&w->mu);
	/* A newer number with nothing to do: the worker sees it as done. */
	w->done_gen = ++w->gen;
	w->ready = false;
	interrupt_stale(w);
	pthread_mutex_unlock(&w->mu);
}

bool tui_listing_take(struct tui_listing *w, unsigned *gen, ry_runlist **out, bool *partial, double *ms, char *msg,
                      size_t n)
{
	bool got = false;
	pthread_mutex_lock(&w->mu);
	if (w->ready && (w->partial || w->done_gen == w->gen)) {
		*gen = w->gen;
		*partial = w->partial;
		*out = w->list;
		*ms = w->ms;
		snprintf(msg, n, "%s", w->msg);
		w->list = NULL;
		w->ready = false;
		w->partial = false;
		got = true;
	}
	pthread_mutex_unlock(&w->mu);
	return got;
}

bool tui_listing_busy(struct tui_listing *w)
{
	pthread_mutex_lock(&w->mu);
	bool busy = w->gen != w->done_gen || w->ready;
	pthread_mutex_unlock(&w->mu);
	return busy;
}

void tui_listing_free(struct tui_listing *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	w->gen++;
	interrupt_stale(w);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	release(w);
}
