/*
 * Deployments (deploy.h): the deployments table and the audit events of
 * each deploy, status change and undeploy, around the serving session of
 * core/plugin/serve.c that does the work.
 *
 * The order of a deploy is what makes it safe to interrupt: the version is
 * resolved and its artifact re-hashed first (corrupt bytes are refused
 * before anything is recorded), then the row is committed as `starting`
 * with its deploy.start event, and only then is the plugin called; its
 * outcome is a second commit.  No transaction is held while a plugin works,
 * so a slow health check never locks the workspace.
 *
 * This file does not talk to hosts or servers (the plugins do, through
 * serve.c's services) and does not draw.
 */
#include "deploy/deploy.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"
#include "plugin/plugin_host.h"
#include "registry/registry.h"
#include "store/store_internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* ---- rows ---------------------------------------------------------------- */

#define COLS "id, model, version, alias, target, kind, handle, endpoint, status, created, updated, detail"

static void row_read(sqlite3_stmt *s, ry_deployment *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->model = ry_store__column_dup(s, 1);
	d->version = sqlite3_column_int64(s, 2);
	d->alias = ry_store__column_dup(s, 3);
	d->target = ry_store__column_dup(s, 4);
	d->kind = ry_store__column_dup(s, 5);
	d->handle = ry_store__column_dup(s, 6);
	d->endpoint = ry_store__column_dup(s, 7);
	d->status = ry_store__column_dup(s, 8);
	d->created = sqlite3_column_double(s, 9);
	d->updated = sqlite3_column_double(s, 10);
	d->detail = ry_store__column_dup(s, 11);
}

void ry_deployments_free(ry_deployment *d, size_t n)
{
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		free(d[i].model);
		free(d[i].alias);
		free(d[i].target);
		free(d[i].kind);
		free(d[i].handle);
		free(d[i].endpoint);
		free(d[i].status);
		free(d[i].detail);
	}
	free(d);
}

int ry_deploy_list(ry_store *st, bool all, ry_deployment **out, size_t *n)
{
	sqlite3_stmt *s = all ? ry_store__stmt(st, "SELECT " COLS " FROM deployments ORDER BY id DESC")
	                      : ry_store__stmt(st, "SELECT " COLS " FROM deployments WHERE status <> 'stopped' "
	                                           "ORDER BY id DESC");
	ry_deployment *v = NULL;
	size_t len = 0, cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!s)
		return ry_store__sqlerr(st, "reading deployments");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		memset(&v[len], 0, sizeof *v);
		row_read(s, &v[len++]);
	}
	rc = rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading deployments");
	sqlite3_reset(s);
	if (rc) {
		ry_deployments_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int ry_deploy_get(ry_store *st, int64_t id, ry_deployment **out)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT " COLS " FROM deployments WHERE id = ?");
	int rc;
	*out = NULL;
	if (!s)
		return ry_store__sqlerr(st, "reading a deployment");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = ry_xcalloc(1, sizeof **out);
		row_read(s, *out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ry_error_set(RY_ENOTFOUND, "no deployment %lld ('runyard deployments --all' lists them)",
		                  (long long)id);
	} else {
		rc = ry_store__sqlerr(st, "reading a deployment");
	}
	sqlite3_reset(s);
	return rc;
}

/* Record what the plugin said of deployment id (each NULL leaves a column). */
static int row_update(ry_store *st, int64_t id, const char *status, const char *handle, const char *endpoint,
                      const char *detail, bool clear_detail)
{
	sqlite3_stmt *s = ry_store__stmt(st, "UPDATE deployments SET status = coalesce(?, status), "
	                                     "handle = coalesce(?, handle), endpoint = coalesce(?, endpoint), "
	                                     "detail = CASE WHEN ? THEN ? ELSE coalesce(?, detail) END, updated = ? "
	                                     "WHERE id = ?");
	int rc;
	if (!s)
		return ry_store__sqlerr(st, "recording a deployment");
	ry_store__bind_text(s, 1, status);
	ry_store__bind_text(s, 2, handle);
	ry_store__bind_text(s, 3, endpoint);
	sqlite3_bind_int(s, 4, clear_detail);
	ry_store__bind_text(s, 5, detail);
	ry_store__bind_text(s, 6, detail);
	sqlite3_bind_double(s, 7, ry_now());
	sqlite3_bind_int64(s, 8, id);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording a deployment");
	sqlite3_reset(s);
	return rc;
}

/* An event about deployment d in its model's audit trail. */
static int event(ry_store *st, const ry_deployment *d, const char *kind, const char *reason)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", (double)d->version);
	cJSON_AddNumberToObject(j, "deployment", (double)d->id);
	cJSON_AddStringToObject(j, "target", d->target);
	cJSON_AddStringToObject(j, "kind", d->kind);
	if (d->alias)
		cJSON_AddStringToObject(j, "via_alias", d->alias);
	if (d->endpoint)
		cJSON_AddStringToObject(j, "endpoint", d->endpoint);
	if (reason && *reason)
		cJSON_AddStringToObject(j, "reason", reason);
	char *text = cJSON_PrintUnformatted(j);
	int rc = ry_registry_record(st, d->model, kind, text);
	cJSON_free(text);
	cJSON_Delete(j);
	return rc;
}

/* Update the row and write the event in one transaction, then read the row
 * back into *d. */
static int settle(ry_store *st, ry_deployment **d, const char *status, const char *handle, const char *endpoint,
                  const char *detail, const char *kind)
{
	int64_t id = (*d)->id;
	int rc;
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = row_update(st, id, status, handle, endpoint, detail, status && !strcmp(status, "ready")))) {
		ry_store_rollback(st);
		return rc;
	}
	ry_deployments_free(*d, 1);
	*d = NULL;
	if ((rc = ry_deploy_get(st, id, d)) || (kind && (rc = event(st, *d, kind, detail))) ||
	    (rc = ry_store_commit(st))) {
		ry_store_rollback(st);
		return rc;
	}
	return 0;
}

/* ---- targets ------------------------------------------------------------- */

static int load_cfg(const ry_deploy_options *o, ry_config **owned, const ry_config **cfg)
{
	*owned = NULL;
	if (o && o->cfg) {
		*cfg = o->cfg;
		return 0;
	}
	int rc = ry_config_load(owned, NULL);
	*cfg = *owned;
	return rc;
}

/* The kind of target `name` (lent from cfg). */
static int target_kind(const ry_config *cfg, const char *name, const char **kind)
{
	char *section = ry_xasprintf("target %s", name);
	bool found = false;
	int rc = 0;
	for (size_t i = 0; i < ry_config_nsections(cfg) && !found; i++)
		found = !strcmp(ry_config_section(cfg, i), section);
	*kind = ry_config_get(cfg, section, "kind");
	if (!found) {
		ry_buf b = RY_BUF_INIT;
		for (size_t i = 0; i < ry_config_nsections(cfg); i++)
			if (!strncmp(ry_config_section(cfg, i), "target ", 7))
				ry_buf_printf(&b, "%s%s", b.len ? ", " : "", ry_config_section(cfg, i) + 7);
		char *path = ry_config_default_path();
		const char *file = getenv("RUNYARD_CONFIG") && *getenv("RUNYARD_CONFIG") ? getenv("RUNYARD_CONFIG") : path;
		rc = ry_error_set(RY_ENOTFOUND, "no target '%s'; %s%s (add a [target %s] section with a kind to %s)",
		                  name, b.len ? "configured targets: " : "no targets are configured",
		                  ry_buf_cstr(&b), name, file);
		free(path);
		ry_buf_free(&b);
	} else if (!*kind || !**kind) {
		rc = ry_error_set(RY_EINVAL, "[target %s] has no kind: set kind = ssh, http or an exec plugin's name",
		                  name);
	}
	free(section);
	return rc;
}

/* Where a target's section says it is: its host, else its url (lent). */
static const char *target_where(const ry_config *cfg, const char *section)
{
	const char *where = ry_config_get(cfg, section, "host");
	return where ? where : ry_config_get(cfg, section, "url");
}

void ry_deploy_targets_free(ry_deploy_target *t, size_t n)
{
	if (!t)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].name);
		free(t[i].kind);
		free(t[i].where);
	}
	free(t);
}

int ry_deploy_targets(const ry_deploy_options *o, ry_deploy_target **out, size_t *n)
{
	ry_config *owned;
	const ry_config *cfg;
	ry_deploy_target *v = NULL;
	size_t len = 0, cap = 0;
	int rc = load_cfg(o, &owned, &cfg);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < ry_config_nsections(cfg); i++) {
		const char *section = ry_config_section(cfg, i), *kind, *where;
		if (strncmp(section, "target ", 7) || !section[7])
			continue;
		kind = ry_config_get(cfg, section, "kind");
		where = target_where(cfg, section);
		v = ry_xgrow(v, &cap, len + 1, sizeof *v);
		v[len].name = ry_xstrdup(section + 7);
		v[len].kind = kind && *kind ? ry_xstrdup(kind) : NULL;
		v[len].where = where ? ry_xstrdup(where) : NULL;
		len++;
	}
	ry_config_free(owned);
	*out = v;
	*n = len;
	return 0;
}

/* The alias spec named, or NULL when it named a number (or nothing). */
static char *alias_of(ry_store *st, const char *spec, const char *model, int64_t version)
{
	const char *at = strrchr(spec, '@');
	int64_t v = 0;
	if (!at || !at[1] || ry_registry_alias_get(st, model, at + 1, &v) != 0 || v != version)
		return NULL;
	return ry_xstrdup(at + 1);
}

void ry_deploy_plan_clear(ry_deploy_plan *p)
{
	free(p->model);
	free(p->alias);
	free(p->artifact_path);
	free(p->target);
	free(p->kind);
	free(p->where);
	memset(p, 0, sizeof *p);
}

static int plan(ry_store *st, const char *spec, const char *target, const ry_config *cfg, ry_deploy_plan *out)
{
	ry_model_version *v = NULL;
	const char *kind, *where;
	char *section;
	int rc;
	memset(out, 0, sizeof *out);
	if (!target || !*target)
		return ry_error_set(RY_EINVAL, "which target? give --target NAME (a [target NAME] of the config)");
	if ((rc = ry_registry_resolve(st, spec, &out->model, &out->version)) ||
	    (rc = ry_registry_version(st, out->model, out->version, &v)) || (rc = target_kind(cfg, target, &kind))) {
		ry_model_versions_free(v, v ? 1 : 0);
		ry_deploy_plan_clear(out);
		return rc;
	}
	out->alias = alias_of(st, spec, out->model, out->version);
	memcpy(out->sha256, v->sha256, sizeof out->sha256);
	out->artifact_path = v->artifact_path ? ry_xstrdup(v->artifact_path) : NULL;
	out->size = v->size;
	out->target = ry_xstrdup(target);
	out->kind = ry_xstrdup(kind);
	section = ry_xasprintf("target %s", target);
	where = target_where(cfg, section);
	out->where = where ? ry_xstrdup(where) : NULL;
	free(section);
	ry_model_versions_free(v, 1);
	return 0;
}

int ry_deploy_plan_get(ry_store *st, const char *spec, const char *target, const ry_deploy_options *o,
                       ry_deploy_plan *out)
{
	ry_config *owned;
	const ry_config *cfg;
	int rc = load_cfg(o, &owned, &cfg);
	memset(out, 0, sizeof *out);
	if (rc == 0)
		rc = plan(st, spec, target, cfg, out);
	ry_config_free(owned);
	return rc;
}

/* ---- the plugin's session ------------------------------------------------ */

static int open_session(ry_store *st, const char *kind, const char *target, const ry_config *cfg,
                        const ry_deploy_options *o, ry_serving **out)
{
	ry_serving_options so = RY_SERVING_OPTIONS_INIT;
	ry_plugin *p = NULL;
	int rc;
	if (o) {
		so.timeout_ms = o->timeout_ms;
		so.passphrase = o->passphrase;
		so.payload = o->payload;
		so.log = o->log;
	}
	if ((rc = ry_plugin_find(&p, RY_PLUGIN_SERVING, kind)) == 0)
		rc = ry_serving_open(out, st, p, cfg, target, &so); /* takes p */
	return rc;
}

/* The source_uri a version was imported with, NULL for none. */
static char *source_uri(ry_store *st, const char *model, int64_t version)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT source_uri FROM model_versions WHERE model = ? AND version = ?");
	char *uri = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, version);
	if (sqlite3_step(s) == SQLITE_ROW)
		uri = ry_store__column_dup(s, 0);
	sqlite3_reset(s);
	return uri;
}

static int insert_row(ry_store *st, const ry_deploy_plan *pl, ry_deployment **d)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO deployments(model, version, alias, target, kind, status, "
	                                     "created, updated) VALUES (?, ?, ?, ?, ?, 'starting', ?, ?)");
	double now = ry_now();
	int rc;
	if (!s)
		return ry_store__sqlerr(st, "recording a deployment");
	if ((rc = ry_store_begin(st)))
		return rc;
	ry_store__bind_text(s, 1, pl->model);
	sqlite3_bind_int64(s, 2, pl->version);
	ry_store__bind_text(s, 3, pl->alias);
	ry_store__bind_text(s, 4, pl->target);
	ry_store__bind_text(s, 5, pl->kind);
	sqlite3_bind_double(s, 6, now);
	sqlite3_bind_double(s, 7, now);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording a deployment");
	sqlite3_reset(s);
	if (rc == 0)
		rc = ry_deploy_get(st, sqlite3_last_insert_rowid(ry_store__db(st)), d);
	if (rc == 0)
		rc = event(st, *d, "deploy.start", NULL);
	if (rc == 0)
		rc = ry_store_commit(st);
	if (rc)
		ry_store_rollback(st);
	return rc;
}

int ry_deploy(ry_store *st, const char *spec, const char *target, const ry_deploy_options *o, int64_t *id)
{
	ry_deploy_plan pl;
	ry_config *owned;
	const ry_config *cfg;
	ry_deployment *d = NULL;
	ry_serving *sv = NULL;
	char *handle = NULL, *endpoint = NULL, *uri = NULL, *why = NULL;
	int rc;
	if (id)
		*id = 0;
	memset(&pl, 0, sizeof pl);
	if ((rc = load_cfg(o, &owned, &cfg)) || (rc = plan(st, spec, target, cfg, &pl)))
		goto out;
	/* Bytes that are not the registered ones never leave the workspace. */
	if (pl.sha256[0] && (rc = ry_registry_verify(st, pl.model, pl.version)))
		goto out;
	if ((rc = insert_row(st, &pl, &d)))
		goto out;
	if (id)
		*id = d->id;
	uri = source_uri(st, pl.model, pl.version);
	ry_plugin_deploy pd = { RY_PLUGIN_ABI, pl.model, pl.version, pl.alias, pl.sha256, pl.artifact_path, uri,
	                        pl.size };
	rc = open_session(st, pl.kind, pl.target, cfg, o, &sv);
	if (rc == 0)
		rc = ry_serving_deploy(sv, &pd, &handle, &endpoint);
	if (rc) {
		why = ry_xstrdup(ry_error_last());
		settle(st, &d, "failed", handle, endpoint, why, "deploy.failed");
		ry_error_set(rc, "%s", why);
		goto out;
	}
	/* The plugin's word on where it stands now: a target may accept a
	 * deploy and report it ready later. */
	char *status = NULL, *detail = NULL;
	if (ry_serving_status(sv, handle, &status, &detail) != 0) {
		status = ry_xstrdup("ready");
		detail = NULL;
	}
	bool failed = !strcmp(status, "failed") || !strcmp(status, "stopped");
	rc = settle(st, &d, failed ? "failed" : status, handle, endpoint, detail,
	            !strcmp(status, "ready") ? "deploy.ready" : failed ? "deploy.failed" : NULL);
	if (rc == 0 && failed)
		rc = ry_error_set(RY_ERROR, "deployment %lld failed: %s", (long long)d->id, detail ? detail : status);
	free(status);
	free(detail);
out:
	ry_serving_close(sv);
	ry_deployments_free(d, d ? 1 : 0);
	ry_deploy_plan_clear(&pl);
	ry_config_free(owned);
	free(handle);
	free(endpoint);
	free(uri);
	free(why);
	return rc;
}

/* Deployment id with a session on its target (the caller closes both). */
static int reopen(ry_store *st, int64_t id, const ry_deploy_options *o, ry_config **owned, ry_deployment **d,
                  ry_serving **sv)
{
	const ry_config *cfg;
	int rc;
	*sv = NULL;
	*owned = NULL;
	if ((rc = ry_deploy_get(st, id, d)) || (rc = load_cfg(o, owned, &cfg)))
		return rc;
	return open_session(st, (*d)->kind, (*d)->target, cfg, o, sv);
}

int ry_deploy_refresh(ry_store *st, int64_t id, const ry_deploy_options *o, char **why)
{
	ry_deployment *d = NULL;
	ry_serving *sv = NULL;
	ry_config *owned = NULL;
	char *status = NULL, *detail = NULL;
	int rc;
	if (why)
		*why = NULL;
	if ((rc = ry_deploy_get(st, id, &d)))
		return rc;
	if (!strcmp(d->status, "stopped") || !d->handle) {
		ry_deployments_free(d, 1);
		return 0;
	}
	ry_deployments_free(d, 1);
	d = NULL;
	rc = reopen(st, id, o, &owned, &d, &sv);
	if (rc == 0)
		rc = ry_serving_status(sv, d->handle, &status, &detail);
	if (rc && d) {
		/* unreachable: keep what was recorded, say why */
		if (why)
			*why = ry_xstrdup(ry_error_last());
		rc = 0;
	} else if (rc == 0 && strcmp(status, d->status)) {
		bool bad = !strcmp(status, "failed") || !strcmp(status, "stopped");
		/* stopped without an undeploy is a failure of the deployment */
		rc = settle(st, &d, bad ? "failed" : status, NULL, NULL, detail ? detail : bad ? "stopped by itself" : NULL,
		            !strcmp(status, "ready") ? "deploy.ready" : bad && strcmp(d->status, "failed") ? "deploy.failed"
		                                                                                        : NULL);
	}
	free(status);
	free(detail);
	ry_serving_close(sv);
	ry_deployments_free(d, d ? 1 : 0);
	ry_config_free(owned);
	return rc;
}

int ry_deploy_undeploy(ry_store *st, int64_t id, const ry_deploy_options *o)
{
	ry_deployment *d = NULL;
	ry_serving *sv = NULL;
	ry_config *owned = NULL;
	int rc;
	if ((rc = ry_deploy_get(st, id, &d)))
		return rc;
	if (!strcmp(d->status, "stopped")) {
		ry_deployments_free(d, 1);
		return ry_error_set(RY_EINVAL, "deployment %lld is already stopped", (long long)id);
	}
	ry_deployments_free(d, 1);
	d = NULL;
	rc = reopen(st, id, o, &owned, &d, &sv);
	if (rc == 0 && d->handle)
		rc = ry_serving_undeploy(sv, d->handle);
	if (rc == 0)
		rc = settle(st, &d, "stopped", NULL, NULL, NULL, "undeploy");
	ry_serving_close(sv);
	ry_deployments_free(d, d ? 1 : 0);
	ry_config_free(owned);
	return rc;
}

int ry_deploy_logs(ry_store *st, int64_t id, size_t max_bytes, const ry_deploy_options *o, char **text)
{
	ry_deployment *d = NULL;
	ry_serving *sv = NULL;
	ry_config *owned = NULL;
	int rc;
	*text = NULL;
	rc = reopen(st, id, o, &owned, &d, &sv);
	if (rc == 0 && !d->handle)
		rc = ry_error_set(RY_ENOTFOUND, "deployment %lld never started, so it has no log%s%s", (long long)id,
		                  d->detail ? ": " : "", d->detail ? d->detail : "");
	if (rc == 0)
		rc = ry_serving_logs(sv, d->handle, max_bytes, text);
	ry_serving_close(sv);
	ry_deployments_free(d, d ? 1 : 0);
	ry_config_free(owned);
	return rc;
}
