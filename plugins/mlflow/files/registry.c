/*
 * The model registry of MLflow's file store (mlflow/store/model_registry/
 * file_store.py), into runyard's registry through the services:
 *
 *   models/<name>/meta.yaml            name, description, creation_timestamp
 *   models/<name>/tags/<key>           a tag, its contents the value
 *   models/<name>/aliases/<alias>      the version number the alias names
 *   models/<name>/version-<n>/meta.yaml  version, run_id, source, description,
 *                                      creation_timestamp, current_stage
 *   models/<name>/version-<n>/tags/<key>
 *
 * A deleted version (current_stage Deleted_Internal) is skipped, as MLflow
 * hides it.  A model whose name runyard's registry cannot hold is skipped
 * with a warning; the rest still come in.  Nothing is done while core
 * lends no registry services (model_put NULL).
 */
#include "plugins/mlflow/files/files.h"

#include <stdlib.h>
#include <string.h>

/* The kvs of an mlf_run's tag list, lent as the ABI's shape. */
static ry_plugin_kv *as_kvs(const mlf_run *t)
{
	ry_plugin_kv *v = mlf_xmalloc((t->ntags ? t->ntags : 1) * sizeof *v);
	for (size_t i = 0; i < t->ntags; i++)
		v[i] = (ry_plugin_kv){ t->tags[i].key, t->tags[i].value };
	return v;
}

/* tags/ under dir, into t's tag list (an mlf_run used as a bag of tags). */
static int read_tags(const mlf_files *fs, const char *dir, mlf_run *t)
{
	char *tags = mlf_xasprintf("%s/tags", dir), **keys;
	size_t n;
	int rc = mlf_files_tree(fs, tags, &keys, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = mlf_xasprintf("%s/%s", tags, keys[i]), *text;
		size_t len;
		if (!(rc = mlf_files_read(fs, path, &text, &len))) {
			mlf_run_tag(t, keys[i], text);
			free(text);
		}
		free(path);
	}
	mlf_files_names_free(keys, n);
	free(tags);
	return rc;
}

static double ms_to_s(const mlf_yaml *y, const char *key)
{
	int64_t v = 0;
	return mlf_yaml_int(y, key, &v) == 0 && v > 0 ? (double)v / 1000.0 : 0;
}

static int version_put(const mlf_files *fs, const char *mdir, const char *model, const char *vname)
{
	char *dir = mlf_xasprintf("%s/%s", mdir, vname), *meta = mlf_xasprintf("%s/meta.yaml", dir);
	mlf_yaml *y = NULL;
	mlf_run tags = { 0 };
	int64_t number;
	int rc = mlf_files_meta(fs, meta, &y);
	if (rc)
		goto out;
	const char *stage = mlf_yaml_str(y, "current_stage");
	if (stage && !strcmp(stage, "Deleted_Internal"))
		goto out;
	if (mlf_yaml_int(y, "version", &number) != 0 || number < 1) {
		rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: no version number: not a model version's meta.yaml", meta);
		goto out;
	}
	if ((rc = read_tags(fs, dir, &tags)))
		goto out;
	ry_plugin_kv *kv = as_kvs(&tags);
	ry_plugin_model_version v = RY_PLUGIN_MODEL_VERSION_INIT;
	const char *run_id = mlf_yaml_str(y, "run_id");
	v.model = model;
	v.number = number;
	v.run_id = run_id && *run_id ? run_id : NULL;
	v.source_uri = mlf_yaml_str(y, "source");
	v.description = mlf_yaml_str(y, "description");
	v.created = ms_to_s(y, "creation_timestamp");
	v.tags = kv;
	v.ntags = tags.ntags;
	rc = fs->svc->model_version_put(fs->svc->host, &v);
	free(kv);
out:
	mlf_run_clear(&tags);
	mlf_yaml_free(y);
	free(meta);
	free(dir);
	return rc;
}

/* aliases/: one file per alias, holding the version number. */
static int aliases_put(const mlf_files *fs, const char *mdir, const char *model)
{
	char *adir = mlf_xasprintf("%s/aliases", mdir), **names;
	size_t n;
	int rc = mlf_files_list(fs, adir, false, true, &names, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = mlf_xasprintf("%s/%s", adir, names[i]), *text, *end;
		size_t len;
		if (!(rc = mlf_files_read(fs, path, &text, &len))) {
			long long v = strtoll(text, &end, 10);
			if (end == text || *end || v < 1)
				rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: '%.40s' is not a version number", path, text);
			else if (fs->svc->model_alias_put)
				rc = fs->svc->model_alias_put(fs->svc->host, model, names[i], v);
			free(text);
		}
		free(path);
	}
	mlf_files_names_free(names, n);
	free(adir);
	return rc;
}

static int model_sync(mlf_files *fs, const char *mdir)
{
	char *meta = mlf_xasprintf("%s/meta.yaml", mdir), **vers = NULL;
	mlf_yaml *y = NULL;
	mlf_run tags = { 0 };
	size_t nv = 0;
	int rc = mlf_files_meta(fs, meta, &y);
	const char *name = y ? mlf_yaml_str(y, "name") : NULL;
	if (rc == 0 && !name)
		rc = mlf_error(fs->svc, RY_PLUGIN_ECORRUPT, "%s: no name: not a registered model's meta.yaml", meta);
	if (rc == 0)
		rc = read_tags(fs, mdir, &tags);
	if (rc == 0) {
		ry_plugin_kv *kv = as_kvs(&tags);
		ry_plugin_model m = RY_PLUGIN_MODEL_INIT;
		m.name = name;
		m.description = mlf_yaml_str(y, "description");
		m.created = ms_to_s(y, "creation_timestamp");
		m.tags = kv;
		m.ntags = tags.ntags;
		rc = fs->svc->model_put(fs->svc->host, &m);
		free(kv);
		if (rc == RY_PLUGIN_EINVAL) {
			/* a name runyard cannot hold: say so, import the others */
			char *msg = mlf_xasprintf("registered model '%s' skipped: runyard's model names are "
			                          "[A-Za-z0-9][A-Za-z0-9._-]*", name);
			if (fs->svc->log)
				fs->svc->log(fs->svc->host, RY_PLUGIN_LOG_WARN, msg);
			free(msg);
			rc = 1;
		}
	}
	if (rc == 0)
		rc = mlf_files_list(fs, mdir, true, false, &vers, &nv);
	for (size_t i = 0; i < nv && !rc; i++)
		if (!strncmp(vers[i], "version-", 8) && fs->svc->model_version_put)
			rc = version_put(fs, mdir, name, vers[i]);
	if (rc == 0)
		rc = aliases_put(fs, mdir, name);
	mlf_files_names_free(vers, nv);
	mlf_run_clear(&tags);
	mlf_yaml_free(y);
	free(meta);
	return rc > 0 ? 0 : rc;
}

int mlf_files_registry(mlf_files *fs)
{
	if (!fs->svc->model_put)
		return 0; /* this core lends no registry: nothing to do */
	char *models = mlf_xasprintf("%s/models", fs->root), **names;
	size_t n;
	int rc = mlf_files_list(fs, models, true, true, &names, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		char *mdir = mlf_xasprintf("%s/%s", models, names[i]);
		rc = model_sync(fs, mdir);
		free(mdir);
	}
	mlf_files_names_free(names, n);
	free(models);
	return rc;
}
