/*
 * The registry side of importing from a tracker: models, versions and
 * aliases that another system of record (MLflow's registry) numbers and
 * owns.  They keep the source's version numbers, point at the imported
 * runs, and record where the artifact lives (source_uri) instead of holding
 * it (artifact_sha256 '').  A model belongs to one source: a local model of
 * the same name is never merged with an imported one.
 *
 * Every write is compared with what is stored first, so importing an
 * unchanged registry writes nothing and adds no event.  This file does not
 * talk to any plugin (core/plugin/session.c calls it).
 */
#include "registry/registry.h"
#include "registry/registry_internal.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Each call is one transaction (nested in the caller's when it has one). */
static int end(ry_store *st, int rc)
{
	if (rc) {
		ry_store_rollback(st);
		return rc;
	}
	return ry_store_commit(st);
}

static cJSON *detail(const char *source)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "source", source);
	return j;
}

/* The model's source column: *exists false when there is no such model. */
static int model_source(ry_store *st, const char *name, bool *exists, char **source, char **description,
                        char **tags)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT source, description, tags FROM models WHERE name = ?");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*exists = rc == SQLITE_ROW;
	*source = *exists ? ry_store__column_dup(s, 0) : NULL;
	*description = *exists ? ry_store__column_dup(s, 1) : NULL;
	*tags = *exists ? ry_store__column_dup(s, 2) : NULL;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading a model");
	sqlite3_reset(s);
	return rc;
}

/* RY_EEXISTS unless model `name` is one imported through `source`. */
static int check_owner(const char *name, const char *have, const char *source)
{
	if (have && !strcmp(have, source))
		return 0;
	char *safe = ry_sanitize_dup(name);
	int rc = ry_error_set(RY_EEXISTS, "model %s already exists in this workspace (%s), so the imported "
	                      "model of that name was skipped; rename one of them to import it", safe,
	                      have ? have : "registered here");
	free(safe);
	return rc;
}

int ry_registry_import_model(ry_store *st, const char *source, const char *name, const char *description,
                             const char *tags, double created, bool *changed)
{
	bool exists, dummy;
	char *have = NULL, *desc = NULL, *tg = NULL;
	int rc;
	if (!changed)
		changed = &dummy;
	*changed = false;
	if ((rc = ry_registry_check_model_name(name)) || (rc = ry_store_begin(st)))
		return rc;
	if ((rc = model_source(st, name, &exists, &have, &desc, &tg)))
		goto out;
	if (exists && (rc = check_owner(name, have, source)))
		goto out;
	if (exists && same(desc, description) && same(tg, tags))
		goto out;
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO models(name, description, created, tags, source) "
	                                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET "
	                                     "description = ?2, tags = ?4");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, description ? description : "", -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, created > 0 ? created : ry_now());
	ry_store__bind_text(s, 4, tags && *tags ? tags : NULL);
	sqlite3_bind_text(s, 5, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "importing a model");
	sqlite3_reset(s);
	if (!rc) {
		*changed = true;
		rc = ry_registry__event(st, name, exists ? "model.import" : "model.create", detail(source));
	}
out:
	free(have);
	free(desc);
	free(tg);
	return end(st, rc);
}

/* The model must exist and be source's. */
static int need_imported(ry_store *st, const char *source, const char *model)
{
	bool exists;
	char *have = NULL, *desc = NULL, *tg = NULL;
	int rc = model_source(st, model, &exists, &have, &desc, &tg);
	if (!rc && !exists) {
		char *safe = ry_sanitize_dup(model);
		rc = ry_error_set(RY_ENOTFOUND, "model %s was not imported (put the model before its versions)", safe);
		free(safe);
	} else if (!rc) {
		rc = check_owner(model, have, source);
	}
	free(have);
	free(desc);
	free(tg);
	return rc;
}

int ry_registry_import_version(ry_store *st, const char *source, const char *model, int64_t number,
                               int64_t run_id, const char *source_uri, const char *description,
                               const char *tags, double created, bool *changed)
{
	bool dummy, exists;
	int rc;
	if (!changed)
		changed = &dummy;
	*changed = false;
	if (number < 1)
		return ry_error_set(RY_EINVAL, "a model version number must be 1 or more, not %lld", (long long)number);
	if ((rc = ry_store_begin(st)))
		return rc;
	if ((rc = need_imported(st, source, model)))
		return end(st, rc);
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT coalesce(run_id, 0), source_uri, description, tags "
	                                     "FROM model_versions WHERE model = ? AND version = ?");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, number);
	rc = sqlite3_step(s);
	exists = rc == SQLITE_ROW;
	bool unchanged = exists && sqlite3_column_int64(s, 0) == run_id &&
	                 same((const char *)sqlite3_column_text(s, 1), source_uri) &&
	                 same((const char *)sqlite3_column_text(s, 2), description) &&
	                 same((const char *)sqlite3_column_text(s, 3), tags && *tags ? tags : NULL);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "reading a model version");
	sqlite3_reset(s);
	if (rc || unchanged)
		return end(st, rc);
	s = ry_store__stmt(st, "INSERT INTO model_versions(model, version, run_id, artifact_sha256, created, "
	                       "description, tags, source_uri) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7) "
	                       "ON CONFLICT(model, version) DO UPDATE SET run_id = ?3, description = ?5, "
	                       "tags = ?6, source_uri = ?7");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, number);
	if (run_id > 0)
		sqlite3_bind_int64(s, 3, run_id);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_double(s, 4, created > 0 ? created : ry_now());
	sqlite3_bind_text(s, 5, description ? description : "", -1, SQLITE_STATIC);
	ry_store__bind_text(s, 6, tags && *tags ? tags : NULL);
	ry_store__bind_text(s, 7, source_uri);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "importing a model version");
	sqlite3_reset(s);
	if (!rc) {
		cJSON *j = detail(source);
		cJSON_AddNumberToObject(j, "version", (double)number);
		if (run_id > 0)
			cJSON_AddNumberToObject(j, "run", (double)run_id);
		if (source_uri)
			cJSON_AddStringToObject(j, "source_uri", source_uri);
		*changed = true;
		rc = ry_registry__event(st, model, exists ? "version.import" : "version.create", j);
	}
	return end(st, rc);
}

int ry_registry_import_alias(ry_store *st, const char *source, const char *model, const char *alias,
                             int64_t number, bool *changed)
{
	bool dummy;
	int64_t holder = 0;
	int rc;
	if (!changed)
		changed = &dummy;
	*changed = false;
	if ((rc = ry_registry_check_alias_name(alias)) || (rc = ry_store_begin(st)))
		return rc;
	if ((rc = need_imported(st, source, model)) || (rc = ry_registry_alias_get(st, model, alias, &holder)))
		return end(st, rc);
	if (holder == number)
		return end(st, 0);
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO aliases(model, alias, version) SELECT ?1, ?2, ?3 "
	                                     "WHERE EXISTS (SELECT 1 FROM model_versions WHERE model = ?1 AND "
	                                     "version = ?3) ON CONFLICT(model, alias) DO UPDATE SET version = ?3");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, alias, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, number);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "importing an alias");
	sqlite3_reset(s);
	if (!rc && sqlite3_changes(ry_store__db(st)) == 0) {
		char *safe = ry_sanitize_dup(model);
		rc = ry_error_set(RY_ENOTFOUND, "alias %s of model %s points at version %lld, which was not imported",
		                  alias, safe, (long long)number);
		free(safe);
	}
	if (!rc) {
		cJSON *j = detail(source);
		cJSON_AddStringToObject(j, "alias", alias);
		cJSON_AddNumberToObject(j, "from", (double)holder);
		cJSON_AddNumberToObject(j, "to", (double)number);
		cJSON_AddStringToObject(j, "note", "imported");
		*changed = true;
		rc = ry_registry__event(st, model, "alias.set", j);
	}
	return end(st, rc);
}
