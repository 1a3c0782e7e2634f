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
} ry_plugin_run;
#define RY_PLUGIN_RUN_INIT { RY_PLUGIN_ABI, NULL, NULL, NULL, NULL, NULL, 0, 0 }

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
	/* Create or update run `run_uuid` of the workspace at the source. */
	int (*export_run)(void *self, const char *run_uuid);
	/* Bring the source's model registry and the workspace's in step. */
	int (*sync_registry)(void *self);
	/* Release self; accepts NULL. */
	void (*close)(void *self);
} ry_tracker_ops;

/* A serving target: where a registered model version is deployed. */
typedef struct ry_serving_ops {
	unsigned version;       /* RY_PLUGIN_ABI */
	const char *name;
	void *data;

	int (*open)(void **self, void *data, const ry_plugin_services *svc, const char *target);
	/* Deploy the version whose artifact has `sha256` (artifact_open reads
	 * it) as `model`@`version`; *deployment_id is malloc'd. */
	int (*deploy)(void *self, const char *model, int64_t version, const char *sha256, char **deployment_id);
	/* *status: "starting", "ready", "failed", "stopped" (malloc'd). */
	int (*status)(void *self, const char *deployment_id, char **status);
	int (*undeploy)(void *self, const char *deployment_id);
	/* The deployment's log, at most `max_bytes` of its end (malloc'd). */
	int (*logs)(void *self, const char *deployment_id, size_t max_bytes, char **text);
	void (*close)(void *self);
} ry_serving_ops;

#endif
