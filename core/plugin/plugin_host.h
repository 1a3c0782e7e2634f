/*
 * The plugin host, for the front ends: register the built-in plugins, find
 * a plugin by name (built-in, else an exec plugin on disk), list every
 * plugin found with whether its handshake works, and import runs through a
 * tracker plugin.
 *
 * Core knows no plugin by name: the binary registers its built-ins at start
 * (tui/main.c, from plugins/builtin.c) and a unit test registers a fake one
 * the same way.  An exec plugin is an executable `runyard-plugin-NAME`
 * found, first match wins, in each directory of $PATH, then in
 * $XDG_DATA_HOME/runyard/plugins, then in runyard's installed plugin
 * directory ($(pkgdatadir)/plugins); it speaks the JSON-lines protocol of
 * docs/plugins.md, translated by plugin/exec.c into the same ops table.
 */
#ifndef RY_PLUGIN_HOST_H
#define RY_PLUGIN_HOST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin.h"
#include "store/store.h"

typedef enum ry_plugin_kind {
	RY_PLUGIN_TRACKER = 1 << 0,
	RY_PLUGIN_SERVING = 1 << 1,
} ry_plugin_kind;

/* Register a built-in (the table is lent for the life of the process).
 * RY_EINVAL for another ABI version, a bad name or a missing open/close;
 * RY_EEXISTS when that kind already has a plugin of that name.  Not
 * thread-safe: call at start, before any other thread runs. */
int ry_plugin_register_tracker(const ry_tracker_ops *ops);
int ry_plugin_register_serving(const ry_serving_ops *ops);
/* Forget every registered built-in (tests). */
void ry_plugin_unregister_all(void);

/* Is `name` a plugin name: [a-z0-9][a-z0-9._-]*, at most 64 bytes. */
bool ry_plugin_name_ok(const char *name);

/* What `runyard plugins` shows of one plugin. */
typedef struct ry_plugin_info {
	char *name;         /* owned */
	unsigned kinds;     /* RY_PLUGIN_* bits; for exec plugins what the hello said (0: unknown) */
	int protocol;       /* RY_PLUGIN_ABI for built-ins, the hello's protocol for exec plugins; 0 unknown */
	bool builtin;
	char *where;        /* owned: "built-in", or the executable's path */
	bool ok;            /* built-ins: always; exec: the hello handshake worked */
	char *error;        /* owned: why not ok (names the plugin, ends with its stderr); NULL when ok */
} ry_plugin_info;

/* Every plugin found, by name (a name shadowed by an earlier directory or a
 * built-in is listed once, as ry_plugin_find would pick it).  Each exec
 * plugin is started for a hello and stopped again.  Free with
 * ry_plugin_infos_free. */
int ry_plugin_list(ry_plugin_info **out, size_t *n);
void ry_plugin_infos_free(ry_plugin_info *v, size_t n); /* accepts NULL */

typedef struct ry_plugin ry_plugin;

/* Find plugin `name` of `kind`: a registered built-in, else an exec plugin
 * (found, not yet started).  RY_EINVAL for a bad name, RY_ENOTFOUND (the
 * message says where it looked).  Caller owns *out; ry_plugin_free. */
int ry_plugin_find(ry_plugin **out, ry_plugin_kind kind, const char *name);
void ry_plugin_free(ry_plugin *p); /* accepts NULL */
const char *ry_plugin_name(const ry_plugin *p);  /* lent */
const char *ry_plugin_where(const ry_plugin *p); /* lent: "built-in" or a path */

/* The source to use when the user names none: the value of the tracker's
 * default_source_env (lent from the environment), or NULL. */
const char *ry_plugin_default_source(const ry_plugin *p);

/* What an import did. */
typedef struct ry_plugin_import_stats {
	int64_t runs_new;       /* runs created */
	int64_t runs_updated;   /* runs imported before that changed: points, params, tags, status */
	int64_t runs_unchanged; /* runs imported before, sent again unchanged */
	int64_t points;         /* metric points added */
	int64_t registry_changes; /* models, versions and aliases created or changed */
} ry_plugin_import_stats;

typedef struct ry_plugin_import_options {
	unsigned version;       /* 2: with experiments and progress; 3: and cancel */
	bool full;              /* ignore the cursor kept from the last import of this source */
	/* The plugin's log lines and progress (message lent; sanitise before
	 * showing).  NULL: dropped. */
	void (*log)(void *payload, const char *plugin, int level, const char *message);
	void *payload;
	/* The source's experiments to import (NULL or none: all); lent. */
	const char *const *experiments; size_t nexperiments;
	/* Progress: runs done of total (-1 unknown), as the plugin reports it
	 * (called from the importing thread; NULL: dropped). */
	void (*progress)(void *payload, int64_t done, int64_t total);
	/* Set to non-zero from any thread to stop the import: checked before
	 * each run and while an exec plugin is waited for; the run in progress
	 * is rolled back and the import fails with "import cancelled".  NULL:
	 * none. */
	const atomic_int *cancel;
} ry_plugin_import_options;
#define RY_PLUGIN_IMPORT_OPTIONS_INIT { 3, false, NULL, NULL, NULL, 0, NULL, NULL }

/* Import runs from `source` through tracker plugin p into st.  Each run is
 * one transaction: a plugin that fails or dies in the middle of a run
 * leaves the runs it finished and nothing of the one it was in, so the
 * import can simply be run again.  Imported runs get source
 * "plugin:NAME" and tag "NAME.run_id"; importing the same data again
 * updates or skips instead of duplicating.  The cursor the plugin returns
 * is kept in the workspace setting "plugin.NAME.cursor.SOURCE".  stats
 * (may be NULL) is filled in even on failure. */
int ry_plugin_import(ry_store *st, ry_plugin *p, const char *source, const ry_plugin_import_options *opts,
                     ry_plugin_import_stats *stats);

/* Push workspace runs `runs` (uuids; resolve the user's specs with
 * ry_run_resolve first) to `dest` through tracker p: each run is created
 * at the destination, or updated when it was pushed there before (the
 * plugin records where with tags on the run).  Stops at the first run that
 * fails; *done counts the runs pushed.  opts may be NULL (log and progress
 * only are used). */
int ry_plugin_export(ry_store *st, ry_plugin *p, const char *dest, const char *const *runs, size_t n,
                     const ry_plugin_import_options *opts, int64_t *done);
/* Push version model@number (its source run first) to `dest` and point
 * `alias` (NULL: none) at it there. */
int ry_plugin_export_model(ry_store *st, ry_plugin *p, const char *dest, const char *model, int64_t number,
                           const char *alias, const ry_plugin_import_options *opts);

/* ---- serving targets (plugin/serve.c) ---------------------------------- */

/* From base/config.h (see remote/hosts.h for why it is declared here). */
typedef struct ry_config ry_config;

/* One open serving session: plugin p on config section [target NAME],
 * lent host_exec / host_put over SSH to the configured hosts.  core/deploy
 * drives it and records what it does; front ends use deploy/deploy.h. */
typedef struct ry_serving ry_serving;

typedef struct ry_serving_options {
	unsigned version;       /* 1 */
	int timeout_ms;         /* each SSH operation; <= 0: 20000 */
	/* a key's passphrase (remote/ssh.h's ry_ssh_passphrase_fn); NULL: none */
	int (*passphrase)(const char *keyfile, char *buf, size_t size, void *payload);
	void *payload;          /* for passphrase and log */
	/* the plugin's log lines (message lent; sanitise before showing); NULL: dropped */
	void (*log)(void *payload, const char *plugin, int level, const char *message);
} ry_serving_options;
#define RY_SERVING_OPTIONS_INIT { 1, 0, NULL, NULL, NULL }

/* Open serving plugin p on target `target`: cfg (lent; NULL: the default
 * config file is loaded) holds its [target NAME] section, read by the
 * plugin's option().  o may be NULL.  p is taken: it lives as long as the
 * session (an exec plugin's table is p's), freed here when the open fails.
 * Caller closes with ry_serving_close. */
int ry_serving_open(ry_serving **out, ry_store *st, ry_plugin *p, const ry_config *cfg, const char *target,
                    const ry_serving_options *o);
/* The plugin's members (ry_serving_ops), with its error named when it said
 * none and its status checked to be one of the four.  What they hand back
 * is malloc'd (caller frees); a plugin may set *handle even when deploy
 * fails, so the failed deployment's logs can still be read. */
int ry_serving_deploy(ry_serving *s, const ry_plugin_deploy *d, char **handle, char **endpoint);
int ry_serving_status(ry_serving *s, const char *handle, char **status, char **detail);
int ry_serving_undeploy(ry_serving *s, const char *handle);
int ry_serving_logs(ry_serving *s, const char *handle, size_t max_bytes, char **text);
void ry_serving_close(ry_serving *s); /* accepts NULL; closes the SSH sessions */

#endif
