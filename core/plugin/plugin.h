/*
 * The plugin ABI: the one header a plugin includes (docs/plugins.md).
 *
 * A plugin is a table of functions core calls (ry_tracker_ops for a
 * system of record such as MLflow, ry_serving_ops for a place models are
 * deployed to) plus the table of services core lends it while it runs
 * (ry_plugin_services).  A plugin never sees the workspace, SQLite or SSH:
 * everything it learns or writes goes through the services, so it cannot
 * break the store's invariants, and the exec adapter (plugin/exec.c) can
 * translate the JSON-lines protocol one message to one call.
 *
 * This header depends on nothing but the C library on purpose: plugins/
 * include it and nothing else of core (CI greps for that).
 *
 * Conventions for every member below:
 *  - functions return 0 on success or a negative error code: the RY_E*
 *    values of base/error.h, repeated here as RY_PLUGIN_E* so a plugin needs
 *    no other header (they are the same numbers; a static assertion in
 *    plugin/host.c keeps them so);
 *  - strings passed in are lent for the duration of the call and are UTF-8;
 *    copy what you keep;
 *  - what a function hands back (*out) is malloc'd and the caller frees it
 *    with free(), unless the member says otherwise;
 *  - a member may be NULL: in an ops table, "this plugin does not do that"
 *    (core reports RY_EREFUSED, naming the plugin); in the services, "not
 *    lent in this context" (host_exec is lent to serving targets only).
 */
#ifndef RY_PLUGIN_H
#define RY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/* The ABI version: an ops table whose `version` differs is refused at
 * registration.  Bumped when a member changes meaning or moves; members
 * are only ever added at the end. */
#define RY_PLUGIN_ABI 1

/* Error codes a plugin returns (== base/error.h's RY_E*). */
enum {
	RY_PLUGIN_OK = 0,
	RY_PLUGIN_ERROR = -1,     /* the operation failed */
	RY_PLUGIN_EINVAL = -2,    /* bad input: a source that is not one, a bad option */
	RY_PLUGIN_ENOTFOUND = -3, /* the named thing does not exist */
	RY_PLUGIN_EEXISTS = -5,
	RY_PLUGIN_EIO = -6,       /* file or network I/O failed */
	RY_PLUGIN_ECORRUPT = -8,  /* the source's data failed a check */
	RY_PLUGIN_EBUSY = -9,
	RY_PLUGIN_EREFUSED = -10, /* refused: auth, policy, unsupported */
};

/* Opaque: core's side of one plugin session (the workspace, the run being
 * imported).  Only ever passed back to the services. */
typedef struct ry_plugin_host ry_plugin_host;

/* One metric point.  The same shape as metrics.h's ry_point, repeated so
 * the ABI stays independent of core's internal types. */
typedef struct ry_plugin_point {
	int64_t step;
	double ts;    /* Unix seconds; 0 when the source does not record time */
	double value; /* NaN and +-inf are kept */
} ry_plugin_point;

/* What a run is begun with.  Only `id` is required; NULL / 0 is unknown. */
typedef struct ry_plugin_run {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *id;         /* the source's own run id, unique within the source: kept as tag
	                           "<plugin>.run_id", so importing again updates instead of duplicating */
	const char *experiment; /* created if new; NULL: "default" */
	const char *name;       /* NULL: a generated name */
	const char *command;
	const char *host;
	double created, started; /* Unix seconds */
	const char *git_commit, *git_branch, *git_remote; /* code provenance; NULL unknown */
	const char *fingerprint;/* the source's summary of the run's state (status, end time, newest
	                           point of each metric, counts of params and tags...): stored with the
	                           run, so the next import can ask run_unchanged before reading the
	                           run's histories.  NULL: none (the run is always sent). */
} ry_plugin_run;
#define RY_PLUGIN_RUN_INIT { RY_PLUGIN_ABI, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }

typedef struct ry_plugin_kv {
	const char *key;
	const char *value;
} ry_plugin_kv;

/* A registered model, as a tracker imports it (model_put). */
typedef struct ry_plugin_model {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *name;       /* runyard's model-name rules apply: [A-Za-z0-9][A-Za-z0-9._-]* */
	const char *description;/* NULL: none */
	double created;         /* Unix seconds; 0 unknown */
	const ry_plugin_kv *tags; size_t ntags;
} ry_plugin_model;
#define RY_PLUGIN_MODEL_INIT { RY_PLUGIN_ABI, NULL, NULL, 0, NULL, 0 }

/* One version of a registered model: what model_version_put imports and
 * model_read hands out. */
typedef struct ry_plugin_model_version {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *model;
	int64_t number;         /* the version number (kept as the source numbers it) */
	const char *run_id;     /* import: the source's id of the run it came from (linked to that
	                           imported run; NULL or not imported: no link).  model_read: the
	                           workspace run's uuid, NULL when the run is gone */
	const char *source_uri; /* where the artifact lives (e.g. "runs:/<id>/model",
	                           "s3://..."); NULL: unknown */
	const char *sha256;     /* model_read: the artifact's, "" when the workspace holds only the
	                           record; import: ignored */
	const char *artifact_path; /* model_read: the path the run recorded ("model.pt"), NULL none */
	const char *description;/* NULL: none */
	double created;         /* Unix seconds; 0 unknown */
	const ry_plugin_kv *tags; size_t ntags;
	const char *const *aliases; size_t naliases; /* model_read only: aliases on this version */
} ry_plugin_model_version;
#define RY_PLUGIN_MODEL_VERSION_INIT { RY_PLUGIN_ABI, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0 }

/* One metric's whole history, as run_read hands it out. */
typedef struct ry_plugin_series {
	const char *key;
	const ry_plugin_point *points; size_t n; /* in step order */
} ry_plugin_series;

/* A workspace run as run_read hands it out (for export).  Strings are NULL
 * when unknown; secrets are already redacted, as the workspace stores them. */
typedef struct ry_plugin_run_data {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *uuid;
	const char *experiment;
	const char *name;
	const char *status;     /* queued|running|finished|failed|killed|lost */
	const char *command, *host, *source;
	const char *git_commit, *git_branch, *git_remote;
	int git_dirty;          /* -1 unknown, 0 clean, 1 dirty */
	double created, started, ended; /* Unix seconds; 0 unknown */
	int has_exit_code, exit_code;
	const char *notes;
	const ry_plugin_kv *params; size_t nparams; /* sorted by key */
	const ry_plugin_kv *tags; size_t ntags;     /* sorted by key */
	const ry_plugin_series *metrics; size_t nmetrics; /* sorted by key */
} ry_plugin_run_data;

enum ry_plugin_log_level { RY_PLUGIN_LOG_DEBUG, RY_PLUGIN_LOG_INFO, RY_PLUGIN_LOG_WARN, RY_PLUGIN_LOG_ERROR };

/* What core lends a plugin, from open to close.  Every function takes the
 * table's own `host` first. */
typedef struct ry_plugin_services {
	unsigned version;       /* RY_PLUGIN_ABI */
	ry_plugin_host *host;   /* lent; pass it to every call below */

	/* Begin importing one run.  One run is open at a time: everything up to
	 * run_end is one transaction, so a plugin that fails or dies before
	 * run_end leaves nothing of that run (and a run begun while one is open
	 * is RY_EINVAL).  A run already imported from this plugin with the same
	 * id is updated in place: params and tags are set again, metric points
	 * beyond those already stored are appended. */
	int (*run_begin)(ry_plugin_host *h, const ry_plugin_run *run);
	/* A param or tag of the open run (set again: the last value wins).
	 * A param whose name is a secret is stored redacted (redact.h).
	 * RY_EINVAL outside a run or for a key that is empty, not UTF-8, or has
	 * control characters. */
	int (*run_param)(ry_plugin_host *h, const char *key, const char *value);
	int (*run_tag)(ry_plugin_host *h, const char *key, const char *value);
	/* A batch of points of one metric of the open run, in step order;
	 * points[] is lent for the call.  Send a history in as many batches as
	 * suits; batches of one key continue each other. */
	int (*run_metric)(ry_plugin_host *h, const char *key, const ry_plugin_point *points, size_t n);
	/* End the open run with its final status ("finished", "failed",
	 * "killed", or "running" for one still live at the source) and end time
	 * (0: unknown), and commit it. */
	int (*run_end)(ry_plugin_host *h, const char *status, double ended);

	/* Open a stored artifact (by its sha256, 64 lowercase hex digits) for
	 * reading: *fd is the caller's to close.  RY_ENOTFOUND when the
	 * workspace holds no such object. */
	int (*artifact_open)(ry_plugin_host *h, const char *sha256, int *fd);
	/* Run `command` (a shell command line) on configured host `host_name`
	 * and wait for it; *out (may be NULL) gets its stdout, malloc'd.  Lent
	 * to serving targets only: NULL for trackers. */
	int (*host_exec)(ry_plugin_host *h, const char *host_name, const char *command, int *exit_code,
	                 char **out);
	/* A message for the user (shown sanitised, prefixed by the plugin's
	 * name).  Never fails. */
	void (*log)(ry_plugin_host *h, int level, const char *message);
	/* Record why the current call fails, and return `code` so a plugin can
	 * write `return svc->error(svc->host, RY_PLUGIN_EIO, "...")`. */
	int (*error)(ry_plugin_host *h, int code, const char *message);

	/* ---- importing, continued (trackers) ---- */

	/* Did the last import of run `id` from this plugin store `fingerprint`
	 * (ry_plugin_run.fingerprint)?  1: yes, the run is counted unchanged and
	 * the plugin skips it; 0: send it (new, changed, or stored without a
	 * fingerprint); <0: an error. */
	int (*run_unchanged)(ry_plugin_host *h, const char *id, const char *fingerprint);
	/* An artifact of the open run that stays where it is: `path` within the
	 * run (e.g. "model/model.pkl"), `uri` where it lives at the source
	 * ("s3://...", "mlflow-artifacts:/..."), `size` in bytes (-1 unknown).
	 * Listed with the run's artifacts; this workspace holds no copy. */
	int (*run_artifact)(ry_plugin_host *h, const char *path, const char *uri, int64_t size);
	/* The registry, outside a run (each call is its own transaction; a
	 * call inside an open run is RY_EINVAL).  model_put creates the model or
	 * updates its description and tags; a model of that name that was not
	 * imported from this plugin is RY_EEXISTS (runyard never merges two
	 * registries' numbering).  model_version_put creates or updates version
	 * v->number, linked to the run imported with id v->run_id;
	 * model_alias_put points an alias at an imported version.  Each change
	 * goes into the model's audit trail; an unchanged one adds nothing. */
	int (*model_put)(ry_plugin_host *h, const ry_plugin_model *m);
	int (*model_version_put)(ry_plugin_host *h, const ry_plugin_model_version *v);
	int (*model_alias_put)(ry_plugin_host *h, const char *model, const char *alias, int64_t number);

	/* ---- exporting (trackers' export_run and export_model) ---- */

	/* Workspace run `uuid` with its params, tags and whole metric
	 * histories.  *out is lent until the next run_read or the end of the
	 * call that was given these services.  RY_ENOTFOUND. */
	int (*run_read)(ry_plugin_host *h, const char *uuid, const ry_plugin_run_data **out);
	/* Set tag key=value on workspace run `uuid` (the id a run got at the
	 * destination, so pushing again updates instead of duplicating). */
	int (*run_annotate)(ry_plugin_host *h, const char *uuid, const char *key, const char *value);
	/* Registered version model@number, lent like run_read's.  RY_ENOTFOUND. */
	int (*model_read)(ry_plugin_host *h, const char *model, int64_t number, const ry_plugin_model_version **out);

	/* An option of this session, lent until close; NULL when unset.
	 * Serving targets: option `key` of the config section [target NAME].
	 * Trackers: what the user asked for; "experiment" is the --experiment
	 * names, one per line (NULL: every experiment). */
	const char *(*option)(ry_plugin_host *h, const char *key);
	/* How far the current call has got: `done` of `total` items (runs for
	 * an import; total -1 while unknown), for a progress bar.  Never fails. */
	void (*progress)(ry_plugin_host *h, int64_t done, int64_t total);

	/* ---- serving targets (NULL for trackers) ---- */

	/* Copy stored artifact `sha256` by SFTP to `remote_path` on configured
	 * host `host_name` (written to a temporary name, its sha256 checked on
	 * the host, then renamed into place). */
	int (*host_put)(ry_plugin_host *h, const char *host_name, const char *sha256, const char *remote_path);
	/* The i-th option of this session (0, 1, ...), *value its value (both
	 * lent until close), NULL past the last: every key of [target NAME],
	 * for a plugin that passes its target's options on whole (the exec
	 * adapter does). */
	const char *(*option_at)(ry_plugin_host *h, size_t i, const char **value);
} ry_plugin_services;

/* A tracker: a system of record runs are imported from (and, later,
 * exported to).  Register with ry_plugin_register_tracker (plugin_host.h);
 * the table is lent for the life of the process. */
typedef struct ry_tracker_ops {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *name;       /* [a-z0-9][a-z0-9._-]*: what `runyard import NAME` names */
	void *data;             /* passed to open; for adapters serving many plugins with one table */

	/* Open `source` (a path or URL, as the user typed it).  *self is the
	 * plugin's state, passed to every other member and released by close.
	 * svc is lent until close. */
	int (*open)(void **self, void *data, const ry_plugin_services *svc, const char *source);
	/* The source's experiments: *names is a malloc'd array of *n malloc'd
	 * strings; the caller frees each and the array. */
	int (*list_experiments)(void *self, char ***names, size_t *n);
	/* Import the runs changed since `since` (a cursor this plugin returned
	 * before; NULL: everything), each as run_begin ... run_end.  *cursor
	 * (malloc'd, or NULL when the source has no notion of one) is what to
	 * pass as `since` next time. */
	int (*import_runs)(void *self, const char *since, char **cursor);
	/* Create or update run `run_uuid` of the workspace at the source
	 * (run_read gives it; run_annotate records the id it got there). */
	int (*export_run)(void *self, const char *run_uuid);
	/* Import the source's model registry (model_put, model_version_put,
	 * model_alias_put), after import_runs so versions link to their runs. */
	int (*sync_registry)(void *self);
	/* Release self; accepts NULL. */
	void (*close)(void *self);
	/* Register workspace version model@number at the source (its run
	 * exported first), and point `alias` (NULL: none) at it there. */
	int (*export_model)(void *self, const char *model, int64_t number, const char *alias);
	/* The environment variable that names the source when the user names
	 * none (MLflow: "MLFLOW_TRACKING_URI"); NULL: a source is required. */
	const char *default_source_env;
} ry_tracker_ops;

/* What a serving target deploys. */
typedef struct ry_plugin_deploy {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *model;
	int64_t number;         /* the version */
	const char *alias;      /* how the user named it, NULL: by number */
	const char *sha256;     /* the artifact's ("" when the workspace holds only its record) */
	const char *artifact_path; /* as the run recorded it ("model.pt"), NULL unknown */
	const char *source_uri; /* where else it lives, NULL none */
	int64_t size;           /* bytes, -1 unknown */
} ry_plugin_deploy;

/* A serving target: where a registered model version is deployed. */
typedef struct ry_serving_ops {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *name;
	void *data;

	/* `target` is the name of the config section [target NAME];
	 * target_option reads its options. */
	int (*open)(void **self, void *data, const ry_plugin_services *svc, const char *target);
	/* Deploy d (its artifact: artifact_open or host_put by d->sha256).
	 * *handle (malloc'd) is the plugin's own reference to the deployment,
	 * stored by core and passed back to status, undeploy and logs;
	 * *endpoint (malloc'd, NULL: none) is where it answers.  A deploy that
	 * fails may still set *handle (what it started is then recorded as
	 * failed, and its logs can be read). */
	int (*deploy)(void *self, const ry_plugin_deploy *d, char **handle, char **endpoint);
	/* *status: "starting", "ready", "failed" or "stopped" (malloc'd);
	 * *detail (malloc'd, may be left NULL): one line of why. */
	int (*status)(void *self, const char *handle, char **status, char **detail);
	int (*undeploy)(void *self, const char *handle);
	/* The deployment's log, at most `max_bytes` of its end (malloc'd). */
	int (*logs)(void *self, const char *handle, size_t max_bytes, char **text);
	void (*close)(void *self);
} ry_serving_ops;


#endif
