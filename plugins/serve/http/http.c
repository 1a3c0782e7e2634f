/*
 * The http serving target (http.h): deploy requests as JSON over HTTP(S)
 * with libcurl, a bearer token taken from the environment variable the
 * target names, and the status URL polled until the deployment is ready.
 *
 * Errors name the method, the URL, the HTTP status and what the server
 * said ({"message"} / {"error"} / {"detail"}, else the start of its body),
 * so a 403 reads as "POST https://…: HTTP 403: token expired".  The token
 * is read at each request, only into the Authorization header; it is not
 * kept, logged or put into any message.
 *
 * This file does not retry: a deploy request is not idempotent, and the
 * status poll simply asks again until the timeout.
 */
#include "plugins/serve/http/http.h"

#include "plugins/serve/common.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest answer read; a bigger one is cut (logs) or refused (JSON). */
#define MAX_BODY (16u << 20)

struct http_target {
	const ry_plugin_services *svc;
	char *target;
};

struct body {
	char *p;
	size_t n;
	bool cut;
};

static const char *opt(struct http_target *t, const char *key)
{
	const char *v = t->svc->option(t->svc->host, key);
	return v && *v ? v : NULL;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb, take = n;
	if (b->n + take > MAX_BODY) {
		take = MAX_BODY - b->n;
		b->cut = true;
	}
	char *p = realloc(b->p, b->n + take + 1);
	if (!p)
		abort();
	b->p = p;
	memcpy(b->p + b->n, data, take);
	b->n += take;
	b->p[b->n] = '\0';
	return n;
}

/* What the server said about an error: its JSON message, else the start of
 * its body on one line. */
static void server_message(const struct body *b, char *out, size_t n)
{
	cJSON *j = b->p ? cJSON_Parse(b->p) : NULL, *x = NULL;
	const char *keys[] = { "message", "error", "detail" };
	for (size_t i = 0; i < 3 && !cJSON_IsString(x); i++)
		x = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
	if (cJSON_IsString(x))
		snprintf(out, n, "%s", x->valuestring);
	else
		snprintf(out, n, "%.300s", b->p && *b->p ? b->p : "(no body)");
	cJSON_Delete(j);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

static int code_of(long status)
{
	if (status == 401 || status == 403)
		return RY_PLUGIN_EREFUSED;
	if (status == 404)
		return RY_PLUGIN_ENOTFOUND;
	if (status == 400 || status == 409 || status == 422)
		return RY_PLUGIN_EINVAL;
	return status >= 500 ? RY_PLUGIN_EIO : RY_PLUGIN_ERROR;
}

/* One request: method to url with JSON `json` (NULL: none); *b gets the
 * body of a 2xx answer.  Anything else is an error naming all of it. */
static int request(struct http_target *t, const char *method, const char *url, const char *json, struct body *b)
{
	const char *token_env = opt(t, "token_env"), *token = NULL;
	struct curl_slist *hdr = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	int rc = 0;
	memset(b, 0, sizeof *b);
	if (token_env) {
		token = getenv(token_env);
		if (!token || !*token)
			return serve_fail(t->svc, RY_PLUGIN_EREFUSED, "[target %s] token_env = %s, but $%s is not set", t->target,
			            token_env, token_env);
	}
	CURL *c = curl_easy_init();
	if (!c)
		return serve_fail(t->svc, RY_PLUGIN_ERROR, "libcurl could not start a request");
	if (token) {
		size_t n = strlen(token) + 32;
		char *h = malloc(n);
		if (!h)
			abort();
		snprintf(h, n, "Authorization: Bearer %s", token);
		hdr = curl_slist_append(hdr, h);
		memset(h, 0, n); /* libcurl keeps its own copy */
		free(h);
	}
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (json)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (json)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "runyard");
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		rc = serve_fail(t->svc, RY_PLUGIN_EIO, "%s %s: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299) {
			char msg[400];
			server_message(b, msg, sizeof msg);
			rc = serve_fail(t->svc, code_of(status), "%s %s: HTTP %ld: %s", method, url, status, msg);
		}
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (rc) {
		free(b->p);
		memset(b, 0, sizeof *b);
	}
	return rc;
}

/* url with {id} replaced by the id, URL-escaped. */
static char *with_id(const char *tmpl, const char *id)
{
	char *esc = curl_easy_escape(NULL, id, 0);
	const char *at = strstr(tmpl, "{id}");
	size_t n = strlen(tmpl) + (esc ? strlen(esc) : 0) + 1;
	char *out = malloc(n);
	if (!out || !esc)
		abort();
	if (at)
		snprintf(out, n, "%.*s%s%s", (int)(at - tmpl), tmpl, esc, at + 4);
	else
		snprintf(out, n, "%s", tmpl);
	curl_free(esc);
	return out;
}

static bool status_ok(const char *s)
{
	return s && (!strcmp(s, "starting") || !strcmp(s, "ready") || !strcmp(s, "failed") || !strcmp(s, "stopped"));
}

/* An answer {"status", "endpoint", "detail"|"message", "id"}: each out may
 * be NULL; what is not there is left NULL. */
static int parse_answer(struct http_target *t, const char *what, const char *url, const struct body *b, char **id,
                        char **status, char **endpoint, char **detail)
{
	cJSON *j = b->p ? cJSON_Parse(b->p) : NULL, *x;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return serve_fail(t->svc, RY_PLUGIN_ECORRUPT, "%s %s: the answer is not a JSON object: %.200s", what, url,
		            b->p ? b->p : "");
	}
	if (id) {
		x = cJSON_GetObjectItemCaseSensitive(j, "id");
		if (cJSON_IsString(x) && *x->valuestring)
			*id = serve_xstrdup(x->valuestring);
		else if (cJSON_IsNumber(x)) {
			char n[32];
			snprintf(n, sizeof n, "%.0f", x->valuedouble);
			*id = serve_xstrdup(n);
		}
	}
	if (status && cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "status")))
		*status = serve_xstrdup(x->valuestring);
	if (endpoint && cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "endpoint")))
		*endpoint = serve_xstrdup(x->valuestring);
	if (detail && (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "detail")) ||
	               cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(j, "message"))))
		*detail = serve_xstrdup(x->valuestring);
	cJSON_Delete(j);
	if (status && *status && !status_ok(*status)) {
		int rc = serve_fail(t->svc, RY_PLUGIN_ECORRUPT, "%s %s: status '%.40s' is not starting, ready, failed or stopped",
		              what, url, *status);
		free(*status);
		*status = NULL;
		return rc;
	}
	return 0;
}

static int http_open(void **self, void *data, const ry_plugin_services *svc, const char *target)
{
	(void)data;
	static bool inited;
	if (!inited) { /* libcurl >= 7.84: thread-safe; before, runyard calls this first from one thread */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	if (!svc->option)
		return svc->error(svc->host, RY_PLUGIN_EREFUSED, "this runyard lends no option()");
	struct http_target *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->svc = svc;
	t->target = serve_xstrdup(target);
	*self = t;
	return 0;
}

static void http_close(void *self)
{
	struct http_target *t = self;
	if (!t)
		return;
	free(t->target);
	free(t);
}

static char *request_json(const ry_plugin_deploy *d)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "model", d->model);
	cJSON_AddNumberToObject(j, "version", (double)d->number);
	if (d->alias)
		cJSON_AddStringToObject(j, "alias", d->alias);
	else
		cJSON_AddNullToObject(j, "alias");
	cJSON_AddStringToObject(j, "sha256", d->sha256 ? d->sha256 : "");
	if (d->source_uri)
		cJSON_AddStringToObject(j, "artifact_uri", d->source_uri);
	else
		cJSON_AddNullToObject(j, "artifact_uri");
	if (d->artifact_path)
		cJSON_AddStringToObject(j, "artifact_path", d->artifact_path);
	if (d->size >= 0)
		cJSON_AddNumberToObject(j, "size", (double)d->size);
	else
		cJSON_AddNullToObject(j, "size");
	char *text = cJSON_PrintUnformatted(j), *copy = serve_xstrdup(text);
	cJSON_free(text);
	cJSON_Delete(j);
	return copy;
}

static int get_status(struct http_target *t, const char *id, char **status, char **endpoint, char **detail)
{
	const char *tmpl = opt(t, "status_url");
	struct body b;
	int rc;
	if (!tmpl)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs status_url = URL (with {id})", t->target);
	char *url = with_id(tmpl, id);
	if ((rc = request(t, "GET", url, NULL, &b)) == 0)
		rc = parse_answer(t, "GET", url, &b, NULL, status, endpoint, detail);
	if (rc == 0 && !*status)
		rc = serve_fail(t->svc, RY_PLUGIN_ECORRUPT, "GET %s: the answer has no status", url);
	free(b.p);
	free(url);
	return rc;
}

static int http_deploy(void *self, const ry_plugin_deploy *d, char **handle, char **endpoint)
{
	struct http_target *t = self;
	const char *url = opt(t, "url"), *timeout_s = opt(t, "timeout");
	char *status = NULL, *detail = NULL, *end = NULL;
	double timeout = timeout_s ? strtod(timeout_s, &end) : 60;
	struct body b;
	int rc;
	if (!url)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs url = URL (where deploy requests go)", t->target);
	if (!opt(t, "status_url"))
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs status_url = URL (with {id})", t->target);
	if ((end && *end) || !(timeout > 0))
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] timeout = '%s' is not a number of seconds", t->target,
		            timeout_s);
	char *json = request_json(d);
	rc = request(t, "POST", url, json, &b);
	free(json);
	if (rc == 0)
		rc = parse_answer(t, "POST", url, &b, handle, &status, endpoint, &detail);
	if (rc == 0 && !*handle)
		rc = serve_fail(t->svc, RY_PLUGIN_ECORRUPT, "POST %s: the answer has no deployment id", url);
	free(b.p);
	/* poll until it is ready or failed, or the timeout */
	for (double deadline = serve_now() + timeout; rc == 0 && (!status || !strcmp(status, "starting"));) {
		if (serve_now() >= deadline) {
			t->svc->log(t->svc->host, RY_PLUGIN_LOG_WARN, "still starting at the timeout; "
			            "'runyard deployments' will ask again");
			break;
		}
		serve_nap(0.25);
		free(status);
		free(detail);
		status = detail = NULL;
		char *ep = NULL;
		rc = get_status(t, *handle, &status, &ep, &detail);
		if (ep) {
			free(*endpoint);
			*endpoint = ep;
		}
	}
	if (rc == 0 && (!strcmp(status, "failed") || !strcmp(status, "stopped")))
		rc = serve_fail(t->svc, RY_PLUGIN_ERROR, "%s says deployment %s %s%s%s", url, *handle, status, detail ? ": " : "",
		          detail ? detail : "");
	free(status);
	free(detail);
	return rc;
}

static int http_status(void *self, const char *handle, char **status, char **detail)
{
	return get_status(self, handle, status, NULL, detail);
}

static int http_undeploy(void *self, const char *handle)
{
	struct http_target *t = self;
	const char *tmpl = opt(t, "undeploy_url");
	struct body b;
	if (!tmpl)
		return serve_fail(t->svc, RY_PLUGIN_EINVAL, "[target %s] needs undeploy_url = URL (with {id}) to undeploy",
		            t->target);
	char *url = with_id(tmpl, handle);
	int rc = request(t, "DELETE", url, NULL, &b);
	free(b.p);
	free(url);
	return rc;
}

static int http_logs(void *self, const char *handle, size_t max_bytes, char **text)
{
	struct http_target *t = self;
	const char *tmpl = opt(t, "logs_url");
	struct body b;
	if (!tmpl)
		return serve_fail(t->svc, RY_PLUGIN_ENOTFOUND, "[target %s] has no logs_url: this target shows no logs", t->target);
	char *url = with_id(tmpl, handle);
	int rc = request(t, "GET", url, NULL, &b);
	free(url);
	if (rc)
		return rc;
	const char *from = b.p ? b.p : "";
	if (b.n > max_bytes)
		from += b.n - max_bytes;
	*text = serve_xstrdup(from);
	free(b.p);
	return 0;
}

const ry_serving_ops ry_serve_http = {
	.version = RY_PLUGIN_ABI,
	.name = "http",
	.open = http_open,
	.deploy = http_deploy,
	.status = http_status,
	.undeploy = http_undeploy,
	.logs = http_logs,
	.close = http_close,
};
