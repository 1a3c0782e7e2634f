/* The exec-plugin protocol (core/plugin/exec.c): what a plugin prints on
 * its stdout -- the hello's answer, then events and answers -- read by the
 * adapter's own line reader and message parser (ry_plugin__exec_replay),
 * with services that check what they are handed and store nothing. */
#include "fuzz.h"

#include <math.h>

#include "plugin/plugin.h"
#include "plugin/plugin_internal.h"

static void str_ok(const char *s)
{
	if (s)
		(void)strlen(s);
}

static int run_begin(ry_plugin_host *h, const ry_plugin_run *r)
{
	str_ok(r->id), str_ok(r->experiment), str_ok(r->name), str_ok(r->command), str_ok(r->fingerprint);
	return 0;
}
static int kv(ry_plugin_host *h, const char *key, const char *value)
{
	str_ok(key), str_ok(value);
	return 0;
}
static int run_metric(ry_plugin_host *h, const char *key, const ry_plugin_point *p, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += p[i].value + (double)p[i].step + p[i].ts;
	return isnan(sum) ? 0 : 0;
}
static int run_end(ry_plugin_host *h, const char *status, double ended) { str_ok(status); return 0; }
static void log_fn(ry_plugin_host *h, int level, const char *message) { str_ok(message); }
static int error_fn(ry_plugin_host *h, int code, const char *message) { return code; }
static int run_artifact(ry_plugin_host *h, const char *path, const char *uri, int64_t size)
{
	str_ok(path), str_ok(uri);
	return 0;
}
static int model_put(ry_plugin_host *h, const ry_plugin_model *m)
{
	str_ok(m->name);
	for (size_t i = 0; i < m->ntags; i++)
		str_ok(m->tags[i].key), str_ok(m->tags[i].value);
	return 0;
}
static int model_version_put(ry_plugin_host *h, const ry_plugin_model_version *v)
{
	str_ok(v->model), str_ok(v->run_id);
	for (size_t i = 0; i < v->ntags; i++)
		str_ok(v->tags[i].key), str_ok(v->tags[i].value);
	return 0;
}
static int model_alias_put(ry_plugin_host *h, const char *model, const char *alias, int64_t n)
{
	str_ok(model), str_ok(alias);
	return 0;
}
static const char *option(ry_plugin_host *h, const char *key) { return NULL; }
static void progress(ry_plugin_host *h, int64_t done, int64_t total) {}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ry_plugin_services svc;
	memset(&svc, 0, sizeof svc);
	svc.version = RY_PLUGIN_ABI;
	svc.run_begin = run_begin;
	svc.run_param = kv;
	svc.run_tag = kv;
	svc.run_metric = run_metric;
	svc.run_end = run_end;
	svc.log = log_fn;
	svc.error = error_fn;
	svc.run_artifact = run_artifact;
	svc.model_put = model_put;
	svc.model_version_put = model_version_put;
	svc.model_alias_put = model_alias_put;
	svc.option = option;
	svc.progress = progress;
	unsigned kinds;
	(void)ry_plugin__exec_replay(&svc, (const char *)data, size, &kinds);
	return 0;
}
