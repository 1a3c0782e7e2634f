/*
 * The exec adapter's serving table: an executable runyard-plugin-NAME
 * whose hello lists "serving" deploys, reports on, stops and shows the logs
 * of deployments, one request each (docs/plugins.md, "Serving targets").
 *
 * A request carries the target's name and every option of its
 * [target NAME] section, so a plugin needs no config reader of its own, and
 * the path of the stored artifact, so it can read the registered bytes
 * without a copy.  Host access (host_exec, host_put) is a built-in's
 * service; an exec plugin reaches its hosts by its own means.
 *
 * What the plugin says is checked here (a deploy must name a handle) and
 * sanitised where it is shown (serve.c, core/deploy); the session itself,
 * with its timeouts and the errors that name the plugin, is exec.c's.
 */
#include "plugin/exec_internal.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

struct xserve {
	struct xsess *s;
	const ry_plugin_services *svc;
};

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? ry_xstrdup(s) : NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

/* {"op": op, "target": NAME, "options": {...every key of [target NAME]}} */
static cJSON *request_new(struct xserve *x, const char *op)
{
	cJSON *req = cJSON_CreateObject(), *opts = cJSON_CreateObject();
	const char *key, *value;
	cJSON_AddStringToObject(req, "op", op);
	cJSON_AddStringToObject(req, "target", ry_plugin__xsess_source(x->s));
	for (size_t i = 0; x->svc->option_at && (key = x->svc->option_at(x->svc->host, i, &value)); i++)
		if (!cJSON_GetObjectItemCaseSensitive(opts, key))
			cJSON_AddStringToObject(opts, key, value ? value : "");
	cJSON_AddItemToObject(req, "options", opts);
	return req;
}

static int xs_open(void **self, void *data, const ry_plugin_services *svc, const char *target)
{
	struct xserve *x = ry_xcalloc(1, sizeof *x);
	int rc = ry_plugin__xsess_open(&x->s, data, svc, target, RY_PLUGIN_SERVING);
	*self = NULL;
	if (rc) {
		free(x);
		return rc;
	}
	x->svc = svc;
	*self = x;
	return 0;
}

static int xs_deploy(void *self, const ry_plugin_deploy *d, char **handle, char **endpoint)
{
	struct xserve *x = self;
	cJSON *req = request_new(x, "deploy"), *ans = NULL;
	char *file = d->sha256 && *d->sha256 ? ry_plugin__serving_artifact_file(x->svc->host, d->sha256) : NULL;
	*handle = *endpoint = NULL;
	cJSON_AddStringToObject(req, "model", d->model);
	cJSON_AddNumberToObject(req, "version", (double)d->number);
	add_str(req, "alias", d->alias);
	add_str(req, "sha256", d->sha256 && *d->sha256 ? d->sha256 : NULL);
	add_str(req, "artifact_file", file);
	add_str(req, "artifact_path", d->artifact_path);
	add_str(req, "source_uri", d->source_uri);
	cJSON_AddItemToObject(req, "size", d->size >= 0 ? cJSON_CreateNumber((double)d->size) : cJSON_CreateNull());
	free(file);
	int rc = ry_plugin__xsess_request(x->s, req, &ans);
	if (rc)
		return rc;
	const char *h = str_of(ans, "handle");
	if (!h || !*h)
		rc = ry_plugin__xsess_bad_answer(x->s, "deploy", "without a \"handle\" string");
	else {
		*handle = ry_xstrdup(h);
		*endpoint = dup_or_null(str_of(ans, "endpoint"));
	}
	cJSON_Delete(ans);
	return rc;
}

static int xs_status(void *self, const char *handle, char **status, char **detail)
{
	struct xserve *x = self;
	cJSON *req = request_new(x, "status"), *ans = NULL;
	*status = *detail = NULL;
	cJSON_AddStringToObject(req, "handle", handle);
	int rc = ry_plugin__xsess_request(x->s, req, &ans);
	if (rc)
		return rc;
	if (!str_of(ans, "status"))
		rc = ry_plugin__xsess_bad_answer(x->s, "status", "without a \"status\" string");
	else {
		/* serve.c checks it is one of the four */
		*status = ry_xstrdup(str_of(ans, "status"));
		*detail = dup_or_null(str_of(ans, "detail"));
	}
	cJSON_Delete(ans);
	return rc;
}

static int xs_undeploy(void *self, const char *handle)
{
	struct xserve *x = self;
	cJSON *req = request_new(x, "undeploy");
	cJSON_AddStringToObject(req, "handle", handle);
	return ry_plugin__xsess_request(x->s, req, NULL);
}

static int xs_logs(void *self, const char *handle, size_t max_bytes, char **text)
{
	struct xserve *x = self;
	cJSON *req = request_new(x, "logs"), *ans = NULL;
	*text = NULL;
	cJSON_AddStringToObject(req, "handle", handle);
	cJSON_AddNumberToObject(req, "max_bytes", (double)max_bytes);
	int rc = ry_plugin__xsess_request(x->s, req, &ans);
	if (rc)
		return rc;
	const char *t = str_of(ans, "text");
	if (!t)
		rc = ry_plugin__xsess_bad_answer(x->s, "logs", "without a \"text\" string");
	else {
		/* the end, as the ABI promises, whatever the plugin sent */
		size_t n = strlen(t), from = n > max_bytes ? n - max_bytes : 0;
		while (t[from] && ((unsigned char)t[from] & 0xC0) == 0x80)
			from++; /* not inside a character */
		*text = ry_xstrdup(t + from);
	}
	cJSON_Delete(ans);
	return rc;
}

static void xs_close(void *self)
{
	struct xserve *x = self;
	if (!x)
		return;
	ry_plugin__xsess_free(x->s);
	free(x);
}

ry_serving_ops *ry_plugin__exec_serving_new(const char *path, const char *name)
{
	ry_serving_ops *ops = ry_xcalloc(1, sizeof *ops);
	struct xplug *pl = ry_plugin__xplug_new(path, name);
	ops->version = RY_PLUGIN_ABI;
	ops->name = pl->name;
	ops->data = pl;
	ops->open = xs_open;
	ops->deploy = xs_deploy;
	ops->status = xs_status;
	ops->undeploy = xs_undeploy;
	ops->logs = xs_logs;
	ops->close = xs_close;
	return ops;
}

void ry_plugin__exec_serving_free(ry_serving_ops *ops)
{
	if (!ops)
		return;
	ry_plugin__xplug_free(ops->data);
	free(ops);
}
