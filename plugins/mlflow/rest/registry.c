/*
 * The tracking server's model registry into runyard's: every registered
 * model (registered-models/search, paged) with its description and tags,
 * its versions (model-versions/search, paged, filter name='...') with
 * their run, source, description and tags, and its aliases (the
 * registered model's `aliases`).  Versions keep MLflow's numbers; core
 * links each to the run imported with its run_id.
 *
 * A model runyard cannot hold -- a name outside runyard's rules, or a name
 * the workspace already gives a model of its own -- is skipped with a
 * warning: one odd model must not fail an import of everything else.
 */
#include "plugins/mlflow/rest/rest.h"

#include <stdlib.h>
#include <string.h>

/* A kv array from MLflow's [{key, value}], lent from json. */
static ry_plugin_kv *tags_of(const cJSON *arr, size_t *n)
{
	size_t cap = (size_t)cJSON_GetArraySize(arr);
	ry_plugin_kv *v = mlf_xmalloc((cap ? cap : 1) * sizeof *v);
	const cJSON *x;
	*n = 0;
	cJSON_ArrayForEach(x, arr) {
		const char *k = rest_str(x, "key");
		if (k)
			v[(*n)++] = (ry_plugin_kv){ k, rest_str(x, "value") ? rest_str(x, "value") : "" };
	}
	return v;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static int version_put(rest_client *c, const cJSON *x, void *ctx)
{
	const ry_plugin_services *svc = rest_svc(c);
	ry_plugin_model_version v = RY_PLUGIN_MODEL_VERSION_INIT;
	(void)ctx;
	v.model = rest_str(x, "name");
	v.number = rest_i64(x, "version", 0);
	v.run_id = nonempty(rest_str(x, "run_id"));
	v.source_uri = nonempty(rest_str(x, "source"));
	v.description = nonempty(rest_str(x, "description"));
	v.created = (double)rest_i64(x, "creation_timestamp", 0) / 1000.0;
	ry_plugin_kv *tags = tags_of(cJSON_GetObjectItemCaseSensitive(x, "tags"), &v.ntags);
	v.tags = tags;
	int rc = v.model && v.number > 0 ? svc->model_version_put(svc->host, &v) : 0;
	free(tags);
	return rc;
}

static int model_put(rest_client *c, const cJSON *x, void *ctx)
{
	const ry_plugin_services *svc = rest_svc(c);
	ry_plugin_model m = RY_PLUGIN_MODEL_INIT;
	const char *name = rest_str(x, "name");
	int rc;
	(void)ctx;
	if (!name)
		return 0;
	m.name = name;
	m.description = nonempty(rest_str(x, "description"));
	m.created = (double)rest_i64(x, "creation_timestamp", 0) / 1000.0;
	ry_plugin_kv *tags = tags_of(cJSON_GetObjectItemCaseSensitive(x, "tags"), &m.ntags);
	m.tags = tags;
	rc = svc->model_put(svc->host, &m);
	free(tags);
	if (rc == RY_PLUGIN_EINVAL || rc == RY_PLUGIN_EEXISTS) {
		char *w = mlf_xasprintf(rc == RY_PLUGIN_EINVAL
		                        ? "registered model '%s' skipped: runyard's model names are letters, digits and "
		                          "._- (starting with a letter or digit)"
		                        : "registered model '%s' skipped: this workspace has a model of that name that "
		                          "was not imported from MLflow",
		                        name);
		svc->log(svc->host, RY_PLUGIN_LOG_WARN, w);
		free(w);
		return 0;
	}
	if (rc)
		return rc;
	/* a valid runyard name has no quote to escape in the filter */
	char *filter = mlf_xasprintf("name='%s'", name), *f = rest_escape(filter);
	char *base = mlf_xasprintf("/api/2.0/mlflow/model-versions/search?max_results=1000&filter=%s", f);
	rc = rest_search_all(c, base, "model_versions", version_put, NULL);
	free(base);
	free(f);
	free(filter);
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(x, "aliases")) {
		const char *alias = rest_str(a, "alias");
		int64_t num = rest_i64(a, "version", 0);
		if (!rc && alias && num > 0)
			rc = svc->model_alias_put(svc->host, name, alias, num);
	}
	return rc;
}

int rest_sync_registry(rest_client *c)
{
	const ry_plugin_services *svc = rest_svc(c);
	if (!svc->model_put || !svc->model_version_put || !svc->model_alias_put) {
		svc->log(svc->host, RY_PLUGIN_LOG_INFO, "the model registry is not imported: this runyard has no "
		         "registry import yet");
		return 0;
	}
	return rest_search_all(c, "/api/2.0/mlflow/registered-models/search?max_results=1000", "registered_models",
	                  model_put, NULL);
}
