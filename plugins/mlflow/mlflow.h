/*
 * The MLflow plugin's insides: one tracker ("mlflow") over three kinds of
 * source, each a backend with the same shape:
 *
 *   rest/    a tracking server, REST API 2.0 (libcurl + cJSON)
 *   files/   an mlruns/ directory, MLflow's file store, read directly
 *   sqlite/  an MLflow SQLite backend file, opened read-only
 *
 * All three describe a run as an mlf_run and hand it to mlf_run_import
 * (common.c), so the same data gives the same runyard runs whichever way it
 * was read: the mapping of MLflow's statuses, times, tags and ids to
 * runyard's lives there and nowhere else.
 *
 * Ownership: an mlf_run owns every string and array in it (mlf_run_clear
 * frees them); the services are lent by core for the session.
 */
#ifndef RY_PLUGINS_MLFLOW_H
#define RY_PLUGINS_MLFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin.h"

/* The tracker table plugins/builtin.c lists (mlflow.c). */
extern const ry_tracker_ops ry_mlflow_tracker;

/* One backend. */
typedef struct mlf_source_ops {
	const char *what;       /* for messages: "tracking server", "file store", "SQLite store" */
	/* `source` is the user's, already told apart by mlf_source_kind. */
	int (*open)(void **self, const ry_plugin_services *svc, const char *source);
	int (*list_experiments)(void *self, char ***names, size_t *n);
	int (*import_runs)(void *self, const char *since, char **cursor);
	int (*sync_registry)(void *self);
	int (*export_run)(void *self, const char *uuid);          /* NULL: read-only source */
	int (*export_model)(void *self, const char *model, int64_t number, const char *alias);
	void (*close)(void *self);
} mlf_source_ops;

extern const mlf_source_ops mlf_rest_source;   /* rest/ */
extern const mlf_source_ops mlf_files_source;  /* files/ */
extern const mlf_source_ops mlf_sqlite_source; /* sqlite/ */

/* Which backend reads `source`: "http://" or "https://" -> rest;
 * "sqlite:///path", or a file that starts with SQLite's header -> sqlite;
 * "file:///path" or a directory -> files.  NULL when it is none of them
 * (then *why says what was wrong, lent). */
const mlf_source_ops *mlf_source_kind(const char *source, const char **why);
/* The filesystem path in a "sqlite:///p" (SQLAlchemy's: p relative,
 * sqlite:////abs absolute) or "file:///abs" source, or the source itself
 * (lent, points into source). */
const char *mlf_source_path(const char *source);

/* ---- one run, as every backend describes it ------------------------ */

typedef struct mlf_kv {
	char *key, *value;
} mlf_kv;

/* The newest point of a metric: what a source lists without its history
 * (REST's run.data.metrics, SQLite's latest_metrics), and what the
 * fingerprint is made of. */
typedef struct mlf_latest {
	char *key;
	double value;
	int64_t step;
	int64_t ts_ms;
} mlf_latest;

typedef struct mlf_history {
	char *key;
	ry_plugin_point *points; size_t n, cap; /* ts in seconds, in the order logged */
} mlf_history;

typedef struct mlf_run {
	char *run_id;           /* MLflow's run_uuid */
	char *experiment_id;
	char *experiment;       /* the experiment's name */
	char *name;             /* run_name; NULL: the tag mlflow.runName */
	char *status;           /* MLflow's: RUNNING SCHEDULED FINISHED FAILED KILLED */
	char *user;             /* user_id; NULL: the tag mlflow.user */
	char *artifact_uri;
	int64_t start_ms, end_ms; /* 0: unknown */
	mlf_kv *params; size_t nparams;
	mlf_kv *tags; size_t ntags;
	mlf_latest *latest; size_t nlatest;
	mlf_history *metrics; size_t nmetrics;
} mlf_run;

void mlf_run_clear(mlf_run *r); /* frees the contents, zeroes r */

/* Append to r's arrays (copies the strings). */
void mlf_run_param(mlf_run *r, const char *key, const char *value);
void mlf_run_tag(mlf_run *r, const char *key, const char *value);
void mlf_run_latest(mlf_run *r, const char *key, double value, int64_t step, int64_t ts_ms);
/* The history of `key` (created empty the first time), to append to with
 * mlf_history_add. */
mlf_history *mlf_run_history(mlf_run *r, const char *key);
void mlf_history_add(mlf_history *m, int64_t step, int64_t ts_ms, double value);

/* A digest of what a run's listing shows -- status, end time, params,
 * tags, the newest point of each metric -- the same for every backend
 * given the same data (lists are sorted first).  malloc'd hex. */
char *mlf_run_fingerprint(const mlf_run *r);

/* Is the run already imported as it is now?  1: yes (skip it), 0: import
 * it, <0: error.  Computes the fingerprint from r's listing (latest[]
 * filled, histories not needed). */
int mlf_run_unchanged(const ry_plugin_services *svc, const mlf_run *r);

/* Send run r (with its whole histories) to core as one run: run_begin ...
 * run_end.  `tracking_uri` is recorded as tag mlflow.tracking_uri (with
 * any user:password@ removed). */
int mlf_run_import(const ry_plugin_services *svc, const char *tracking_uri, const mlf_run *r);

/* runyard's status for MLflow's ("finished", "failed", "killed",
 * "running"). */
const char *mlf_status_to_runyard(const char *mlflow_status);
/* MLflow's for runyard's (lost -> FAILED, queued -> SCHEDULED). */
const char *mlf_status_from_runyard(const char *status);

/* Is experiment `name` one the user asked for (the "experiment" option:
 * names one per line; none given: every experiment). */
bool mlf_experiment_wanted(const ry_plugin_services *svc, const char *name);

/* A string copy that dies on OOM like core's (plugins cannot use core's
 * allocators). */
void *mlf_xmalloc(size_t n);
void *mlf_xrealloc(void *p, size_t n);
char *mlf_xstrdup(const char *s);
char *mlf_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record why and return code, as svc->error does, with a printf format. */
int mlf_error(const ry_plugin_services *svc, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
