/*
 * The model registry of an MLflow SQLite store into runyard's registry:
 * registered_models (+ registered_model_tags), model_versions (+
 * model_version_tags; deleted ones, current_stage Deleted_Internal,
 * skipped as MLflow hides them) and registered_model_aliases, read in one
 * read transaction.  A model whose name runyard cannot hold is skipped with
 * a warning.  Nothing is done while core lends no registry services.
 */
#include "plugins/mlflow/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

/* Tags of one model (version < 0) or version, into a kv array of t's. */
static int read_tags(mlf_sqlite *db, const char *model, int64_t version, mlf_run *t, ry_plugin_kv **kv)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, version < 0 ? "SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key"
	                                         : "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? "
	                                           "ORDER BY key", &st), step;
	*kv = NULL;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	if (version >= 0)
		sqlite3_bind_int64(st, 2, version);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (mlf_sql_text(st, 0))
			mlf_run_tag(t, mlf_sql_text(st, 0), mlf_sql_text(st, 1));
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return mlf_sql_error(db, "reading registry tags");
	*kv = mlf_xmalloc((t->ntags ? t->ntags : 1) * sizeof **kv);
	for (size_t i = 0; i < t->ntags; i++)
		(*kv)[i] = (ry_plugin_kv){ t->tags[i].key, t->tags[i].value };
	return 0;
}

static double ms_to_s(sqlite3_stmt *st, int col)
{
	int64_t v = sqlite3_column_int64(st, col);
	return v > 0 ? (double)v / 1000.0 : 0;
}

static int versions_put(mlf_sqlite *db, const char *model)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, "SELECT version, run_id, source, description, creation_time FROM model_versions "
	                             "WHERE name = ? AND (current_stage IS NULL OR current_stage != 'Deleted_Internal') "
	                             "ORDER BY version", &st), step = SQLITE_DONE;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		mlf_run tags = { 0 };
		ry_plugin_kv *kv;
		int64_t number = sqlite3_column_int64(st, 0);
		if (!(rc = read_tags(db, model, number, &tags, &kv))) {
			ry_plugin_model_version v = RY_PLUGIN_MODEL_VERSION_INIT;
			const char *run_id = mlf_sql_text(st, 1);
			v.model = model;
			v.number = number;
			v.run_id = run_id && *run_id ? run_id : NULL;
			v.source_uri = mlf_sql_text(st, 2);
			v.description = mlf_sql_text(st, 3);
			v.created = ms_to_s(st, 4);
			v.tags = kv;
			v.ntags = tags.ntags;
			rc = db->svc->model_version_put(db->svc->host, &v);
		}
		free(kv);
		mlf_run_clear(&tags);
	}
	sqlite3_finalize(st);
	if (!rc && step != SQLITE_DONE)
		rc = mlf_sql_error(db, "reading model versions");
	return rc;
}

static int aliases_put(mlf_sqlite *db, const char *model)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias",
	                         &st), step = SQLITE_DONE;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		if (mlf_sql_text(st, 0))
			rc = db->svc->model_alias_put(db->svc->host, model, mlf_sql_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	if (!rc && step != SQLITE_DONE)
		rc = mlf_sql_error(db, "reading model aliases");
	return rc;
}

/* One registered model: the model, then its versions, then its aliases. */
static int model_sync(mlf_sqlite *db, sqlite3_stmt *st)
{
	const char *name = mlf_sql_text(st, 0);
	mlf_run tags = { 0 };
	ry_plugin_kv *kv;
	int rc;
	if (!name)
		return 0;
	if ((rc = read_tags(db, name, -1, &tags, &kv)))
		return rc;
	ry_plugin_model m = RY_PLUGIN_MODEL_INIT;
	m.name = name;
	m.description = mlf_sql_text(st, 1);
	m.created = ms_to_s(st, 2);
	m.tags = kv;
	m.ntags = tags.ntags;
	rc = db->svc->model_put(db->svc->host, &m);
	free(kv);
	mlf_run_clear(&tags);
	if (rc == RY_PLUGIN_EINVAL) {
		char *msg = mlf_xasprintf("registered model '%s' skipped: runyard's model names are "
		                          "[A-Za-z0-9][A-Za-z0-9._-]*", name);
		if (db->svc->log)
			db->svc->log(db->svc->host, RY_PLUGIN_LOG_WARN, msg);
		free(msg);
		return 0;
	}
	if (!rc && db->svc->model_version_put)
		rc = versions_put(db, name);
	if (!rc && db->svc->model_alias_put)
		rc = aliases_put(db, name);
	return rc;
}

int mlf_sqlite_registry(mlf_sqlite *db)
{
	sqlite3_stmt *st;
	int rc, step = SQLITE_DONE;
	if (!db->svc->model_put)
		return 0; /* this core lends no registry: nothing to do */
	if (sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return mlf_sql_error(db, "beginning a read");
	rc = mlf_sql_prepare(db, "SELECT name, description, creation_time FROM registered_models ORDER BY name", &st);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = model_sync(db, st);
	if (st)
		sqlite3_finalize(st);
	if (!rc && step != SQLITE_DONE)
		rc = mlf_sql_error(db, "reading registered models");
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}
