/*
 * `:import` on a pthread (see import.h).  The worker owns private copies
 * of its inputs and its own store connection; the only shared state is the
 * slot under `mu` (progress, the log, the result) and the cancel flag,
 * which core's import watches.  The wording of the result is
 * text/present.c's, shared with `runyard import`; the drawing is the
 * app's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runyard.h"
#include "text/present.h"
#include "work/import.h"
#include "work/worklog.h"

/* The log keeps at most this much of its end. */
#define LOG_MAX (64u << 10)

struct tui_import {
	char *db, *plugin, *source, *label;
	pthread_t th;
	atomic_int cancel;
	pthread_mutex_t mu;
	struct tui_import_state state; /* under mu */
	ry_buf log;                    /* under mu: sanitised lines */
};

static void log_put(struct tui_import *im, const char *prefix, const char *text)
{
	pthread_mutex_lock(&im->mu);
	tui_worklog_put(&im->log, prefix, text, LOG_MAX);
	pthread_mutex_unlock(&im->mu);
}

static void on_log(void *payload, const char *plugin, int level, const char *message)
{
	char prefix[128];
	if (level == RY_PLUGIN_LOG_DEBUG)
		return;
	tui_worklog_plugin_prefix(prefix, sizeof prefix, plugin, level);
	log_put(payload, prefix, message);
}

static void on_progress(void *payload, int64_t done, int64_t total)
{
	struct tui_import *im = payload;
	pthread_mutex_lock(&im->mu);
	im->state.runs = done;
	im->state.total = total;
	pthread_mutex_unlock(&im->mu);
}

/* The result line: the summary, or what went wrong (its first line:
 * an exec plugin's error goes on with its stderr, which the log keeps)
 * with what was done before. */
static void result_line(struct tui_import *im, int rc, const ry_plugin_import_stats *s, char *out, size_t n)
{
	char partial[256], *first;
	if (rc == 0) {
		char *src = ry_sanitize_dup(im->source);
		tui_present_import(out, n, s, im->plugin, src);
		free(src);
		return;
	}
	tui_present_import_partial(partial, sizeof partial, s);
	if (atomic_load(&im->cancel)) {
		snprintf(out, n, "import cancelled; %s", partial);
		return;
	}
	first = ry_xstrdup(ry_error_last());
	first[strcspn(first, "\n")] = '\0';
	char *clean = ry_sanitize_dup(first);
	snprintf(out, n, "import failed: %s; %s (:messages shows all)", clean, partial);
	free(clean);
	free(first);
}

static void *import_main(void *arg)
{
	struct tui_import *im = arg;
	ry_plugin_import_options o = RY_PLUGIN_IMPORT_OPTIONS_INIT;
	ry_plugin_import_stats stats;
	ry_plugin *p = NULL;
	ry_store *st = NULL;
	char line[sizeof im->state.line];
	int rc;
	memset(&stats, 0, sizeof stats);
	o.log = on_log;
	o.progress = on_progress;
	o.payload = im;
	o.cancel = &im->cancel;
	if (!(rc = ry_plugin_find(&p, RY_PLUGIN_TRACKER, im->plugin)) &&
	    !(rc = ry_store_open(&st, im->db, 0)))
		rc = ry_plugin_import(st, p, im->source, &o, &stats);
	if (rc && !atomic_load(&im->cancel))
		log_put(im, "", ry_error_last());
	result_line(im, rc, &stats, line, sizeof line);
	ry_store_close(st);
	ry_plugin_free(p);
	ry_error_clear();
	pthread_mutex_lock(&im->mu);
	im->state.rc = rc;
	im->state.stats = stats;
	snprintf(im->state.line, sizeof im->state.line, "%s", line);
	im->state.done = true;
	pthread_mutex_unlock(&im->mu);
	return NULL;
}

static void import_release(struct tui_import *im)
{
	pthread_mutex_destroy(&im->mu);
	ry_buf_free(&im->log);
	free(im->db);
	free(im->plugin);
	free(im->source);
	free(im->label);
	free(im);
}

struct tui_import *tui_import_start(const char *db_path, const char *plugin, const char *source, char *msg,
                                    size_t n)
{
	struct tui_import *im = ry_xcalloc(1, sizeof *im);
	im->db = ry_xstrdup(db_path);
	im->plugin = ry_xstrdup(plugin);
	im->source = ry_xstrdup(source);
	im->label = ry_xasprintf("%s %s", plugin, source);
	im->state.total = -1;
	atomic_init(&im->cancel, 0);
	pthread_mutex_init(&im->mu, NULL);
	if (pthread_create(&im->th, NULL, import_main, im) != 0) {
		snprintf(msg, n, "cannot start a background thread");
		import_release(im);
		return NULL;
	}
	return im;
}

bool tui_import_poll(struct tui_import *im, struct tui_import_state *out)
{
	pthread_mutex_lock(&im->mu);
	*out = im->state;
	pthread_mutex_unlock(&im->mu);
	out->cancelling = atomic_load(&im->cancel) != 0;
	return out->done;
}

void tui_import_cancel(struct tui_import *im)
{
	atomic_store(&im->cancel, 1);
}

char *tui_import_messages(struct tui_import *im)
{
	pthread_mutex_lock(&im->mu);
	char *s = ry_xstrdup(ry_buf_cstr(&im->log));
	pthread_mutex_unlock(&im->mu);
	return s;
}

const char *tui_import_label(const struct tui_import *im)
{
	return im->label;
}

void tui_import_free(struct tui_import *im)
{
	if (!im)
		return;
	atomic_store(&im->cancel, 1);
	pthread_join(im->th, NULL);
	import_release(im);
}
