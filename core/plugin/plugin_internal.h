/*
 * Internal to core/plugin: what the host (host.c, session.c) and the exec
 * adapter (exec.c) share.
 */
#ifndef RY_PLUGIN_INTERNAL_H
#define RY_PLUGIN_INTERNAL_H

#include "plugin/plugin_host.h"
#include "metrics/metrics.h"
#include "registry/artifact.h"
#include "runs/run.h"

/* The JSON-lines protocol version this runyard speaks (docs/plugins.md). */
#define RY_PLUGIN__PROTOCOL 1
/* Longest line a plugin may send; a longer one fails the request. */
#define RY_PLUGIN__MAX_LINE (8u << 20)
/* Seconds an exec plugin may stay silent while runyard waits for its next
 * message, unless $RUNYARD_PLUGIN_TIMEOUT says otherwise. */
#define RY_PLUGIN__TIMEOUT 30.0

/* Start the exec plugin at `path`, say hello, stop it.  0 with *kinds and
 * *protocol filled in, or an error whose message names the plugin and ends
 * with the tail of its stderr. */
int ry_plugin__exec_probe(const char *path, const char *name, unsigned *kinds, int *protocol);

/* The plugin's side of a session, from memory instead of a process (tests
 * and tests/fuzz/fuzz_exec.c): text holds what it printed, the hello's
 * answer, then the events and answers of requests 1, 2, ... each line as
 * the exec adapter reads them, events passed to svc.  Returns the first
 * failure, RY_EIO ("stopped before it answered") once the text runs out;
 * *kinds gets the hello's kinds. */
int ry_plugin__exec_replay(const ry_plugin_services *svc, const char *text, size_t n, unsigned *kinds);

/* A tracker ops table that drives the exec plugin at `path` (started by
 * open, stopped by close).  Free with ry_plugin__exec_tracker_free. */
ry_tracker_ops *ry_plugin__exec_tracker_new(const char *path, const char *name);
void ry_plugin__exec_tracker_free(ry_tracker_ops *ops); /* accepts NULL */
/* A serving table that drives the exec plugin at `path` (docs/plugins.md,
 * "Serving targets").  Free with ry_plugin__exec_serving_free. */
ry_serving_ops *ry_plugin__exec_serving_new(const char *path, const char *name);
void ry_plugin__exec_serving_free(ry_serving_ops *ops); /* accepts NULL */

/* One plugin session's state: what the services lent to a plugin work on
 * (session.c for importing runs, lend.c for the registry and export). */
struct ry_plugin_host {
	ry_store *st;
	const char *name;       /* the plugin's */
	char *source_col;       /* runs.source and models.source: "plugin:NAME" */
	char *idtag;            /* "NAME.run_id" */
	const ry_plugin_import_options *opts;
	ry_plugin_import_stats *stats;
	char *experiments;      /* the "experiment" option, NULL: all */

	/* the open run (session.c) */
	bool open;
	char *run_ext_id;       /* the plugin's id for it */
	char *fingerprint;      /* the source's, stored at run_end */
	int64_t run_id;
	ry_run *old;     /* a run imported before: how it was; NULL for a new one */
	ry_metric_summary *sum; /* old: its stored series, sorted by key */
	size_t nsum;
	int64_t *seen;          /* points received so far per sum[] key */
	ry_artifact *arts; size_t narts; bool arts_loaded; /* old: its artifacts */
	bool changed;
	int64_t points;
	ry_metrics_writer *w;

	/* what run_read and model_read lend (lend.c) */
	void *lent_run, *lent_version;
};

/* Fill in the registry and export services of svc (lend.c). */
void ry_plugin__lend_registry(ry_plugin_services *svc);
/* Free what run_read / model_read lent (lend.c). */
void ry_plugin__lend_free(ry_plugin_host *h);

/* Run tracker `ops` (named `name`) over `source` into st (session.c; the
 * body of ry_plugin_import). */
int ry_plugin__import(ry_store *st, const ry_tracker_ops *ops, const char *name, const char *source,
                      const ry_plugin_import_options *opts, ry_plugin_import_stats *stats);

/* Push runs (workspace uuids), or with model != NULL version model@number
 * (and alias), to `dest` through tracker ops (session.c; the body of
 * ry_plugin_export*).  *done counts what was pushed. */
int ry_plugin__export(ry_store *st, const ry_tracker_ops *ops, const char *name, const char *dest,
                      const char *const *runs, size_t nruns, const char *model, int64_t number,
                      const char *alias, const ry_plugin_import_options *opts, int64_t *done);

/* The cancel flag of the import running on this thread (its options'
 * `cancel`; NULL: none), for the exec adapter to watch while it waits on a
 * plugin, so that a cancel does not wait for a silent plugin's timeout.
 * Set by ry_plugin__import for the length of the call. */
const atomic_int *ry_plugin__cancel_flag(void);

/* The serving table of p, NULL when p is not a serving target (host.c). */
const ry_serving_ops *ry_plugin__serving_ops(const ry_plugin *p);

/* Open stored artifact sha256 for reading (*fd the caller's to close), for
 * the artifact_open service of plugin `plugin` (serve.c). */
int ry_plugin__artifact_open(ry_store *st, const char *plugin, const char *sha256, int *fd);

/* For the exec adapter of a serving session (h is a ry_serving): the path
 * of stored artifact sha256, readable, for a plugin in another process to
 * read (never to write: the workspace's objects are content-addressed);
 * malloc'd, NULL when the workspace holds no such object. */
char *ry_plugin__serving_artifact_file(ry_plugin_host *h, const char *sha256);

#endif
