/*
 * The analysis table on a pthread (analysis_load.h).  The worker owns
 * private copies of its inputs and its own store connection; the only
 * shared state is the slot under `mu` and the cancel flag, which core's
 * load watches between columns.  Neither side waits for the other to let
 * go: the last of the two to leave (a reference count under `mu`) frees
 * the slot, so Esc on a screen still loading never waits for a query.
 *
 * RUNYARD_TUI_LOAD_DELAY_MS (tests only) makes each column read that much
 * slower, so a test can see the progress and leave during the load.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runyard.h"
#include "analysis/analysis.h"
#include "work/analysis_load.h"
#include "work/listing.h"

struct tui_analysis_load {
	char *db, *filter, *metric;
	char **fields;
	size_t nfields, axes, sample;
	int64_t exp;
	long delay_ms;
	atomic_int cancel;
	pthread_mutex_t mu;
	int refs;                              /* under mu: 2 while both sides hold it */
	struct tui_analysis_load_state state;  /* under mu */
	struct tui_analysis_loaded res;        /* under mu once done; taken: zeroed */
	bool chosen;
};

static void loaded_free(struct tui_analysis_loaded *r)
{
	ry_analysis_free(r->a);
	for (size_t k = 0; k < r->nax; k++)
		tui_axis_free(&r->axes[k]);
	free(r->level);
	free(r->rank);
	ry_strings_free(r->fields, r->nfields);
	ry_strings_free(r->metrics, r->nmetrics);
	memset(r, 0, sizeof *r);
}

static void release(struct tui_analysis_load *l)
{
	pthread_mutex_destroy(&l->mu);
	loaded_free(&l->res);
	ry_strings_free(l->fields, l->nfields);
	free(l->db);
	free(l->filter);
	free(l->metric);
	free(l);
}

/* Drop one side's hold; the last one frees. */
static void unref(struct tui_analysis_load *l)
{
	pthread_mutex_lock(&l->mu);
	int left = --l->refs;
	pthread_mutex_unlock(&l->mu);
	if (!left)
		release(l);
}

static void on_progress(void *payload, size_t done, size_t total, size_t nruns)
{
	struct tui_analysis_load *l = payload;
	pthread_mutex_lock(&l->mu);
	l->state.cols_done = done;
	l->state.cols_total = total;
	l->state.nruns = nruns;
	pthread_mutex_unlock(&l->mu);
	/* the test hook: slower columns, still leaving at once when cancelled */
	for (long w = 0; w < l->delay_ms && !atomic_load(&l->cancel); w += 10)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
}

/* Fields when none are named: the params that go most with the metric and
 * that most runs share, judged on the newest runs. */
static int choose_fields(struct tui_analysis_load *l, ry_store *st)
{
	ry_analysis *sample = NULL;
	ry_analysis_load_options o = RY_ANALYSIS_LOAD_OPTIONS_INIT;
	o.limit = l->sample;
	o.cancel = &l->cancel;
	o.no_names = true;
	int rc = ry_analysis_load_with(&sample, st, l->exp, l->filter, NULL, 0, l->metric, &o);
	if (rc < 0)
		return rc;
	if (sample->ncols > l->axes) {
		ry_analysis_shared_params(sample, l->axes, &l->fields, &l->nfields);
		l->chosen = true;
	}
	ry_analysis_free(sample);
	return 0;
}

static void *load_main(void *arg)
{
	struct tui_analysis_load *l = arg;
	ry_store *st = NULL;
	ry_analysis *a = NULL;
	struct tui_analysis_loaded res;
	int rc = ry_store_open(&st, l->db, 0);
	if (!rc)
		rc = ry_store_set_cache_kib(st, TUI_WORKER_CACHE_KIB);
	if (!rc && !l->nfields)
		rc = choose_fields(l, st);
	pthread_mutex_lock(&l->mu);
	l->state.choosing = false;
	pthread_mutex_unlock(&l->mu);
	if (!rc) {
		ry_analysis_load_options o = RY_ANALYSIS_LOAD_OPTIONS_INIT;
		o.progress = on_progress;
		o.payload = l;
		o.cancel = &l->cancel;
		o.no_names = true; /* the plot names no run */
		rc = ry_analysis_load_with(&a, st, l->exp, l->filter, (const char *const *)l->fields, l->nfields, l->metric,
		                           &o);
	}
	memset(&res, 0, sizeof res);
	if (!rc) {
		res.a = a;
		res.nax = tui_pc_axes_build(res.axes, a);
		res.level = ry_xmalloc((a->n ? a->n : 1) * sizeof *res.level);
		res.rank = ry_xmalloc((a->n ? a->n : 1) * sizeof *res.rank);
		tui_pc_levels(a->metric.num, a->n, a->goal, res.level, res.rank);
		/* the metrics one may colour by, for the screen's metric key */
		if (ry_metrics_keys(st, l->exp, &res.metrics, &res.nmetrics) < 0) {
			res.metrics = NULL;
			res.nmetrics = 0;
		}
	}
	pthread_mutex_lock(&l->mu);
	l->state.rc = rc;
	if (rc)
		snprintf(l->state.msg, sizeof l->state.msg, "%s", ry_error_last());
	if (!rc) {
		/* the worker is done with its fields: they go with the result */
		res.fields = l->fields;
		res.nfields = l->nfields;
		res.chosen = l->chosen;
		l->fields = NULL;
		l->nfields = 0;
	}
	l->res = res;
	l->state.done = true;
	pthread_mutex_unlock(&l->mu);
	ry_store_close(st);
	ry_error_clear();
	unref(l);
	return NULL;
}

struct tui_analysis_load *tui_analysis_load_start(const struct tui_analysis_load_spec *spec, char *msg, size_t n)
{
	struct tui_analysis_load *l = ry_xcalloc(1, sizeof *l);
	pthread_t th;
	const char *delay = getenv("RUNYARD_TUI_LOAD_DELAY_MS");
	l->db = ry_xstrdup(spec->db_path);
	l->filter = spec->filter && *spec->filter ? ry_xstrdup(spec->filter) : NULL;
	l->metric = spec->metric ? ry_xstrdup(spec->metric) : NULL;
	if (spec->nfields) {
		l->fields = ry_xcalloc(spec->nfields, sizeof *l->fields);
		for (size_t i = 0; i < spec->nfields; i++)
			l->fields[i] = ry_xstrdup(spec->fields[i]);
		l->nfields = spec->nfields;
	}
	l->exp = spec->experiment_id;
	l->axes = spec->axes;
	l->sample = spec->sample;
	l->delay_ms = delay ? strtol(delay, NULL, 10) : 0;
	l->refs = 2;
	l->state.choosing = !spec->nfields;
	atomic_init(&l->cancel, 0);
	pthread_mutex_init(&l->mu, NULL);
	if (pthread_create(&th, NULL, load_main, l) != 0) {
		snprintf(msg, n, "cannot start a background thread");
		release(l);
		return NULL;
	}
	pthread_detach(th);
	return l;
}

bool tui_analysis_load_poll(struct tui_analysis_load *l, struct tui_analysis_load_state *out)
{
	pthread_mutex_lock(&l->mu);
	*out = l->state;
	pthread_mutex_unlock(&l->mu);
	return out->done;
}

bool tui_analysis_load_take(struct tui_analysis_load *l, struct tui_analysis_loaded *out)
{
	bool ok;
	pthread_mutex_lock(&l->mu);
	ok = l->state.done && !l->state.rc && l->res.a;
	if (ok) {
		*out = l->res;
		memset(&l->res, 0, sizeof l->res);
	}
	pthread_mutex_unlock(&l->mu);
	return ok;
}

void tui_analysis_load_free(struct tui_analysis_load *l)
{
	if (!l)
		return;
	atomic_store(&l->cancel, 1);
	unref(l);
}
