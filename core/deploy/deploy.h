/*
 * Deployments: a registered model version put on a serving target, and
 * what became of it (the deployments table).
 *
 * A target is a section of runyard's config file:
 *
 *   [target staging]
 *   kind = ssh              # the serving plugin (built-in ssh or http, or
 *   host = gpu-box-1        #   an exec plugin); the rest is the plugin's
 *   serve = python3 serve.py --model {model_path} --port {port}
 *
 * ry_deploy resolves NAME@ALIAS / NAME@VERSION, verifies the artifact,
 * records the deployment as `starting` (and a deploy.start event in the
 * model's audit trail) before the plugin is called, so a deploy that dies
 * midway is still on record, then records `ready` (deploy.ready) with the
 * plugin's handle and endpoint, or `failed` (deploy.failed) with why.
 * Status refreshes ask the plugin and record each change (a deployment
 * that fails or stops by itself gets a deploy.failed event); undeploy asks
 * the plugin to stop it and records `stopped` (undeploy).
 *
 * Each call opens its own serving session (and SSH sessions), so it may run
 * on a background thread with a store of its own.  The plugin's calls can
 * take as long as its timeout option (a health check that never answers):
 * front ends call them off the UI thread.
 */
#ifndef RY_DEPLOY_H
#define RY_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "store/store.h"

typedef struct ry_deployment {
	int64_t id;
	char *model;            /* owned, like every string below */
	int64_t version;
	char *alias;            /* how it was named ("champion"), NULL: by number */
	char *target;           /* the [target NAME] */
	char *kind;             /* the serving plugin */
	char *handle;           /* the plugin's reference, NULL before it gave one */
	char *endpoint;         /* where it answers, NULL unknown */
	char *status;           /* starting|ready|failed|stopped */
	double created, updated;/* Unix seconds */
	char *detail;           /* one line of why (a failure's message), NULL none */
} ry_deployment;

void ry_deployments_free(ry_deployment *d, size_t n); /* accepts NULL */

typedef struct ry_deploy_options {
	unsigned version;       /* 1 */
	const ry_config *cfg;   /* lent; NULL: runyard's config file is loaded */
	int timeout_ms;         /* each SSH operation; <= 0: 20000 */
	int (*passphrase)(const char *keyfile, char *buf, size_t size, void *payload); /* NULL: none */
	void *payload;
	/* the plugin's log lines (lent; sanitise before showing); NULL: dropped */
	void (*log)(void *payload, const char *plugin, int level, const char *message);
} ry_deploy_options;
#define RY_DEPLOY_OPTIONS_INIT { 1, NULL, 0, NULL, NULL, NULL }

/* What a deploy would do, for a confirm: the version and the target. */
typedef struct ry_deploy_plan {
	char *model;            /* owned */
	int64_t version;
	char *alias;            /* owned, NULL: by number */
	char sha256[65];
	char *artifact_path;    /* owned */
	int64_t size;
	char *target;           /* owned */
	char *kind;             /* owned: the target's kind = its plugin */
	char *where;            /* owned: the target's host or url option, NULL when neither */
} ry_deploy_plan;
void ry_deploy_plan_clear(ry_deploy_plan *p); /* accepts a zeroed one */

/* One configured target, for a picker. */
typedef struct ry_deploy_target {
	char *name;             /* owned: the NAME of [target NAME] */
	char *kind;             /* owned, NULL: the section sets no kind (deploying to it is refused) */
	char *where;            /* owned: its host or url option, NULL when neither */
} ry_deploy_target;
void ry_deploy_targets_free(ry_deploy_target *t, size_t n); /* accepts NULL */

/* The [target NAME] sections of the config (o->cfg, else runyard's config
 * file), in file order; *n may be 0.  Reads the config only. */
int ry_deploy_targets(const ry_deploy_options *o, ry_deploy_target **out, size_t *n);

/* Resolve `spec` (NAME@ALIAS, NAME@VERSION, NAME) and read target `target`
 * (RY_ENOTFOUND listing the targets configured, RY_EINVAL without a kind).
 * Changes nothing. */
int ry_deploy_plan_get(ry_store *st, const char *spec, const char *target, const ry_deploy_options *o,
                       ry_deploy_plan *out);

/* Deploy `spec` to `target`.  *id (may be NULL) gets the deployment's id,
 * set as soon as it is recorded: also when the deploy then fails (the
 * error is the plugin's; the row says failed with the same message).  A
 * version whose bytes no longer match its sha256 is refused (RY_ECORRUPT)
 * before anything is recorded or sent. */
int ry_deploy(ry_store *st, const char *spec, const char *target, const ry_deploy_options *o, int64_t *id);

/* The deployments, newest first; all=false leaves out the stopped ones.
 * As recorded: ry_deploy_refresh asks the plugins. */
int ry_deploy_list(ry_store *st, bool all, ry_deployment **out, size_t *n);
/* One (ry_deployments_free(d, 1)).  RY_ENOTFOUND. */
int ry_deploy_get(ry_store *st, int64_t id, ry_deployment **out);

/* Ask the plugin for deployment id's status and record it (a change of
 * status also goes into the audit trail).  Stopped deployments, and
 * failed ones without a handle, are not asked.  0 also when the plugin
 * could not be reached: the row is left as it was, and *why (may be NULL;
 * caller frees) says what went wrong, else NULL. */
int ry_deploy_refresh(ry_store *st, int64_t id, const ry_deploy_options *o, char **why);

/* Stop deployment id through its plugin and record it stopped (an undeploy
 * event).  Already stopped: RY_EINVAL.  A failed deployment is stopped too
 * (what the plugin left is cleaned up). */
int ry_deploy_undeploy(ry_store *st, int64_t id, const ry_deploy_options *o);

/* The last max_bytes of deployment id's log, as its plugin keeps it
 * (malloc'd; caller frees; raw bytes, sanitise before showing). */
int ry_deploy_logs(ry_store *st, int64_t id, size_t max_bytes, const ry_deploy_options *o, char **text);

#endif
