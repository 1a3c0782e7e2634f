/*
 * The HTTP client of the rest backend: every request to a tracking server
 * goes through here.  It reads the environment as MLflow's Python client
 * does (MLFLOW_TRACKING_USERNAME/PASSWORD -> basic auth, else
 * MLFLOW_TRACKING_TOKEN -> bearer; MLFLOW_TRACKING_INSECURE_TLS,
 * MLFLOW_TRACKING_SERVER_CERT_PATH, MLFLOW_TRACKING_CLIENT_CERT_PATH;
 * MLFLOW_HTTP_REQUEST_TIMEOUT, _MAX_RETRIES, _BACKOFF_FACTOR; proxies are
 * libcurl's own reading of http_proxy/https_proxy/no_proxy), runs queued
 * requests in parallel on one libcurl multi handle, retries the transient
 * failures MLflow retries (408, 429, 5xx and lost connections) with
 * exponential backoff or the server's Retry-After, and turns the rest into
 * one message naming the URL, the status and MLflow's error_code/message.
 *
 * It knows nothing of MLflow's endpoints beyond the shape of an error
 * body.  A credential lives in one header string, is never formatted into
 * a message, and is wiped on close.
 */
#include "plugins/mlflow/rest/rest.h"

#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct rest_req rest_req;
struct rest_req {
	rest_req *next;
	const char *method;     /* a literal */
	char *path, *body;
	int flags;
	rest_done_fn done;
	void *ctx;
	void (*drop)(void *ctx); /* frees ctx when the request is abandoned */
	int tries;              /* attempts made so far */
	double not_before;      /* monotonic seconds: a retry waits until then */
	CURL *easy;
	char *resp; size_t nresp, capresp;
	char errbuf[CURL_ERROR_SIZE];
};

#define REST_MAX_INFLIGHT 64

struct rest_client {
	const ry_plugin_services *svc;
	char *url;              /* scheme://host[:port][/prefix], no credentials, no trailing '/' */
	char *auth;             /* "Authorization: ..." or NULL: the one copy of a credential */
	struct curl_slist *hdr_get, *hdr_json;
	bool insecure;
	char *ca_path, *client_cert;
	long timeout_s;
	int max_tries;
	double backoff_s;
	int max_inflight;
	CURLM *multi;
	rest_req *head, *tail;  /* waiting to start (FIFO; retries go to the end) */
	rest_req *fly[REST_MAX_INFLIGHT]; int inflight; /* started, not finished */
	double wait_s;          /* time spent in curl_multi_poll */
	long requests;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *rest_url(const rest_client *c)
{
	return c->url;
}

const ry_plugin_services *rest_svc(const rest_client *c)
{
	return c->svc;
}

double rest_wait_seconds(const rest_client *c)
{
	return c->wait_s;
}

int rest_fail(rest_client *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = mlf_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	int rc = mlf_error(c->svc, code, "MLflow server %s: %s", c->url, s);
	free(s);
	return rc;
}

char *rest_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *d = mlf_xstrdup(e);
	curl_free(e);
	return d;
}

/* ---- opening: the URL and the environment ------------------------------- */

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool env_true(const char *name)
{
	const char *v = env(name);
	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

static long env_long(const char *name, long def, long lo, long hi)
{
	const char *v = env(name);
	char *end;
	if (!v)
		return def;
	long n = strtol(v, &end, 10);
	return *end || n < lo || n > hi ? def : n;
}

/* Base64 of "user:password" for basic auth (RFC 7617). */
static char *base64(const char *s)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s);
	char *o = mlf_xmalloc(4 * ((n + 2) / 3) + 1), *p = o;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*p++ = tab[(v >> 18) & 63];
		*p++ = tab[(v >> 12) & 63];
		*p++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*p = 0;
	return o;
}

static void wipe_free(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = 0;
	free(s);
}

/* The user's URL without credentials, query or fragment; user:password in
 * it become basic auth when the environment names none. */
static int parse_url(rest_client *c, const char *url, char **user, char **password)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *s = NULL;
	int rc = 0;
	*user = *password = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		rc = RY_PLUGIN_EINVAL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &s, CURLU_URLDECODE) == CURLUE_OK) {
		*user = mlf_xstrdup(s);
		curl_free(s);
	}
	if (curl_url_get(u, CURLUPART_PASSWORD, &s, CURLU_URLDECODE) == CURLUE_OK) {
		*password = mlf_xstrdup(s);
		curl_free(s);
	}
	curl_url_set(u, CURLUPART_USER, NULL, 0);
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		rc = RY_PLUGIN_EINVAL;
		goto out;
	}
	c->url = mlf_xstrdup(s);
	curl_free(s);
	for (size_t n = strlen(c->url); n > 0 && c->url[n - 1] == '/'; n--)
		c->url[n - 1] = 0;
out:
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

static void read_auth(rest_client *c, char *url_user, char *url_password)
{
	const char *user = env("MLFLOW_TRACKING_USERNAME"), *pass = env("MLFLOW_TRACKING_PASSWORD");
	const char *token = env("MLFLOW_TRACKING_TOKEN");
	char *cred = NULL, *b64;
	/* MLflow's order (rest_utils.http_request): basic when both halves are
	 * set, else the bearer token. */
	if (user && pass)
		cred = mlf_xasprintf("%s:%s", user, pass);
	else if (!token && url_user && url_password)
		cred = mlf_xasprintf("%s:%s", url_user, url_password);
	if (cred) {
		b64 = base64(cred);
		c->auth = mlf_xasprintf("Authorization: Basic %s", b64);
		wipe_free(b64);
		wipe_free(cred);
	} else if (token) {
		c->auth = mlf_xasprintf("Authorization: Bearer %s", token);
	}
}

static struct curl_slist *headers(const rest_client *c, bool json)
{
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Accept: application/json");
	if (json)
		h = curl_slist_append(h, "Content-Type: application/json");
	/* libcurl would send "Expect: 100-continue" for big bodies; gunicorn's
	 * sync workers do not answer it, which costs a second per request. */
	h = curl_slist_append(h, "Expect:");
	if (c->auth)
		h = curl_slist_append(h, c->auth);
	return h;
}

int rest_open(rest_client **out, const ry_plugin_services *svc, const char *url)
{
	static bool inited;
	rest_client *c = mlf_xmalloc(sizeof *c);
	char *user, *password;
	*c = (rest_client){ .svc = svc };
	*out = NULL;
	if (!inited) {
		/* Once, before any thread could exist: core starts none before an import. */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	if (parse_url(c, url, &user, &password)) {
		rest_close(c);
		return mlf_error(svc, RY_PLUGIN_EINVAL, "the source is not an http(s):// URL of a tracking server");
	}
	read_auth(c, user, password);
	wipe_free(user);
	wipe_free(password);
	c->insecure = env_true("MLFLOW_TRACKING_INSECURE_TLS");
	c->ca_path = env("MLFLOW_TRACKING_SERVER_CERT_PATH") ? mlf_xstrdup(env("MLFLOW_TRACKING_SERVER_CERT_PATH")) : NULL;
	c->client_cert = env("MLFLOW_TRACKING_CLIENT_CERT_PATH") ? mlf_xstrdup(env("MLFLOW_TRACKING_CLIENT_CERT_PATH")) : NULL;
	if (c->insecure && c->ca_path) {
		/* MLflow refuses the pair too: they contradict each other. */
		rest_fail(c, RY_PLUGIN_EINVAL, "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH "
		          "are both set; set one");
		rest_close(c);
		return RY_PLUGIN_EINVAL;
	}
	c->timeout_s = env_long("MLFLOW_HTTP_REQUEST_TIMEOUT", 120, 1, 86400);
	c->max_tries = (int)env_long("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 4, 0, 100) + 1;
	c->backoff_s = (double)env_long("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 1, 0, 600);
	c->max_inflight = (int)env_long("RUNYARD_MLFLOW_PARALLEL", 8, 1, REST_MAX_INFLIGHT);
	c->hdr_get = headers(c, false);
	c->hdr_json = headers(c, true);
	c->multi = curl_multi_init();
	*out = c;
	return 0;
}

static void req_free(rest_req *r)
{
	if (!r)
		return;
	if (r->drop)
		r->drop(r->ctx);
	free(r->path);
	free(r->body);
	free(r->resp);
	free(r);
}

static void abandon(rest_client *c)
{
	for (rest_req *r = c->head, *n; r; r = n) {
		n = r->next;
		req_free(r);
	}
	c->head = c->tail = NULL;
	for (int i = 0; i < c->inflight; i++) {
		curl_multi_remove_handle(c->multi, c->fly[i]->easy);
		curl_easy_cleanup(c->fly[i]->easy);
		req_free(c->fly[i]);
	}
	c->inflight = 0;
}

/* A credential copied into a header list is wiped with it. */
static void headers_free(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		for (volatile char *v = p->data; *v; v++)
			*v = 0;
	curl_slist_free_all(h);
}

void rest_close(rest_client *c)
{
	if (!c)
		return;
	abandon(c);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	headers_free(c->hdr_get);
	headers_free(c->hdr_json);
	wipe_free(c->auth);
	free(c->url);
	free(c->ca_path);
	free(c->client_cert);
	free(c);
}

/* ---- queueing and running ----------------------------------------------- */

void rest_queue(rest_client *c, const char *method, const char *path, const char *body, int flags,
                rest_done_fn done, void *ctx)
{
	rest_queue_owned(c, method, path, body, flags, done, ctx, NULL);
}

void rest_queue_owned(rest_client *c, const char *method, const char *path, const char *body, int flags,
                      rest_done_fn done, void *ctx, void (*drop)(void *ctx))
{
	rest_req *r = mlf_xmalloc(sizeof *r);
	*r = (rest_req){ .method = method, .path = mlf_xstrdup(path), .body = body ? mlf_xstrdup(body) : NULL,
	                 .flags = flags, .done = done, .ctx = ctx, .drop = drop };
	if (c->tail)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
}

void rest_queue_json(rest_client *c, const char *method, const char *path, const cJSON *body, int flags,
                     rest_done_fn done, void *ctx)
{
	char *s = body ? cJSON_PrintUnformatted(body) : NULL;
	if (body && !s) {
		fputs("runyard: out of memory\n", stderr);
		abort();
	}
	rest_queue(c, method, path, s, flags, done, ctx);
	cJSON_free(s);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	rest_req *r = ud;
	size_t len = size * n;
	if (r->nresp + len + 1 > r->capresp) {
		r->capresp = (r->nresp + len + 1) * 2;
		r->resp = mlf_xrealloc(r->resp, r->capresp);
	}
	memcpy(r->resp + r->nresp, p, len);
	r->nresp += len;
	r->resp[r->nresp] = 0;
	return len;
}

static void start(rest_client *c, rest_req *r)
{
	char *url = mlf_xasprintf("%s%s", c->url, r->path);
	CURL *e = curl_easy_init();
	if (!e) {
		fputs("runyard: out of memory\n", stderr);
		abort();
	}
	r->nresp = 0;
	r->errbuf[0] = 0;
	r->tries++;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "runyard-mlflow/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->body ? c->hdr_json : c->hdr_get);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->timeout_s < 30 ? c->timeout_s : 30L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->ca_path)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_path);
	if (c->client_cert)
		curl_easy_setopt(e, CURLOPT_SSLCERT, c->client_cert);
	if (r->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	}
	if (strcmp(r->method, "GET") && strcmp(r->method, "POST"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	else if (!strcmp(r->method, "POST") && !r->body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
	free(url);
	r->easy = e;
	c->fly[c->inflight++] = r;
	c->requests++;
	curl_multi_add_handle(c->multi, e);
}

/* The path as messages show it: without its query (run ids, filters). */
static int path_len(const char *path)
{
	return (int)strcspn(path, "?");
}

/* A failed answer as one line: status, MLflow's error_code and message,
 * or a hint when the body is not MLflow's. */
static int http_error(rest_client *c, rest_req *r, long status, int tries)
{
	char gave_up[48] = "";
	if (tries)
		snprintf(gave_up, sizeof gave_up, " (gave up after %d tries)", tries);
	cJSON *j = r->nresp ? rest_json_parse(r->resp, r->nresp) : NULL;
	const char *code = rest_str(j, "error_code"), *msg = rest_str(j, "message");
	const char *hint = "";
	int rc = status == 401 || status == 403 ? RY_PLUGIN_EREFUSED
	       : status == 404                  ? RY_PLUGIN_ENOTFOUND
	       : status == 400                  ? RY_PLUGIN_EINVAL
	                                        : RY_PLUGIN_EIO;
	if (status == 401 || status == 403)
		hint = " (set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN)";
	else if (status == 404 && !code)
		hint = " (no such endpoint: is this an MLflow tracking server, and is the URL's path prefix right?)";
	if (code || msg)
		rest_fail(c, rc, "%s %.*s: HTTP %ld %s: %.500s%s%s", r->method, path_len(r->path), r->path, status,
		          code ? code : "", msg ? msg : "", hint, gave_up);
	else
		rest_fail(c, rc, "%s %.*s: HTTP %ld%s%s", r->method, path_len(r->path), r->path, status, hint, gave_up);
	cJSON_Delete(j);
	return rc;
}

static bool transient_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static bool transient_transport(CURLcode rc)
{
	/* A server restarting, a connection dropped or a reply cut short; not a
	 * name that does not resolve or a certificate that does not verify. */
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
}

/* When to try again: the server's Retry-After (bounded), else backoff
 * 1, 2, 4... times MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR seconds, with a
 * little jitter so parallel requests do not come back together. */
static double retry_delay(rest_client *c, rest_req *r)
{
	curl_off_t ra = 0;
	if (curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		return ra > 120 ? 120.0 : (double)ra;
	double d = c->backoff_s * pow(2.0, r->tries - 1);
	if (d > 60)
		d = 60;
	return d * (1.0 + 0.1 * ((double)rand() / RAND_MAX));
}

static int finish(rest_client *c, rest_req *r, CURLcode res)
{
	long status = 0;
	int rc = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	bool retry = res == CURLE_OK ? transient_status(status) : transient_transport(res);
	if (retry && r->tries < c->max_tries) {
		r->not_before = mono() + retry_delay(c, r);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		r->next = NULL;
		if (c->tail)
			c->tail->next = r;
		else
			c->head = r;
		c->tail = r;
		return 0;
	}
	if (res != CURLE_OK) {
		char tries[48] = "";
		if (r->tries > 1)
			snprintf(tries, sizeof tries, " (gave up after %d tries)", r->tries);
		rc = rest_fail(c, res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE
		                  ? RY_PLUGIN_EREFUSED : RY_PLUGIN_EIO,
		               "%s %.*s: %s%s", r->method, path_len(r->path), r->path,
		               r->errbuf[0] ? r->errbuf : curl_easy_strerror(res), tries);
	} else if ((status >= 200 && status < 300) || (status == 404 && (r->flags & REST_404_OK))) {
		cJSON *j = r->nresp ? rest_json_parse(r->resp, r->nresp) : NULL;
		if (r->nresp && !j && status != 404)
			rc = rest_fail(c, RY_PLUGIN_ECORRUPT, "%s %.*s: HTTP %ld with a body that is not JSON", r->method,
			               path_len(r->path), r->path, status);
		else if (r->done) {
			r->drop = NULL; /* ctx is the callback's from here on */
			rc = r->done(c, status, j, r->ctx);
		}
		cJSON_Delete(j);
	} else {
		rc = http_error(c, r, status, r->tries > 1 && transient_status(status) ? r->tries : 0);
	}
	curl_easy_cleanup(r->easy);
	req_free(r);
	return rc;
}

static void unfly(rest_client *c, rest_req *r)
{
	for (int i = 0; i < c->inflight; i++)
		if (c->fly[i] == r) {
			c->fly[i] = c->fly[--c->inflight];
			break;
		}
}

/* Start what may start: up to max_inflight, skipping retries not yet due.
 * *due gets the soonest not_before of those left waiting. */
static void start_ready(rest_client *c, double *due)
{
	double now = mono();
	rest_req *prev = NULL;
	*due = 0;
	for (rest_req *r = c->head, *next; r && c->inflight < c->max_inflight; r = next) {
		next = r->next;
		if (r->not_before > now) {
			if (!*due || r->not_before < *due)
				*due = r->not_before;
			prev = r;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			c->head = next;
		if (c->tail == r)
			c->tail = prev;
		r->next = NULL;
		start(c, r);
	}
}

int rest_run(rest_client *c)
{
	int rc = 0;
	while (!rc && (c->head || c->inflight)) {
		double due;
		int running, left;
		start_ready(c, &due);
		curl_multi_perform(c->multi, &running);
		CURLMsg *m;
		while (!rc && (m = curl_multi_info_read(c->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			rest_req *r;
			CURL *e = m->easy_handle;
			CURLcode res = m->data.result;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
			curl_multi_remove_handle(c->multi, e);
			unfly(c, r);
			rc = finish(c, r, res);
		}
		if (rc || (!c->inflight && !c->head))
			break;
		/* Wait for the sockets, or until the next retry is due. */
		int ms = 1000;
		if (c->inflight < c->max_inflight && due) {
			double d = (due - mono()) * 1000;
			ms = d < 0 ? 0 : d > 1000 ? 1000 : (int)d + 1;
		}
		double t0 = mono();
		curl_multi_poll(c->multi, NULL, 0, ms, NULL);
		c->wait_s += mono() - t0;
	}
	if (rc)
		abandon(c);
	return rc;
}

/* rest_call's callback: keep the body. */
typedef struct call_out {
	long status;
	cJSON *json;
} call_out;

static int call_done(rest_client *c, long status, cJSON *json, void *ctx)
{
	(void)c;
	call_out *o = ctx;
	o->status = status;
	o->json = json ? cJSON_Duplicate(json, 1) : NULL;
	return 0;
}

int rest_call(rest_client *c, const char *method, const char *path, const cJSON *body, int flags,
              long *status, cJSON **out)
{
	call_out o = { 0, NULL };
	rest_queue_json(c, method, path, body, flags, call_done, &o);
	int rc = rest_run(c);
	if (status)
		*status = o.status;
	if (out)
		*out = o.json;
	else
		cJSON_Delete(o.json);
	return rc;
}

/* Every page of a GET search (rest.h). */
int rest_search_all(rest_client *c, const char *base, const char *list_key,
                    int (*each)(rest_client *, const cJSON *, void *), void *ctx)
{
	char *token = NULL;
	int rc = 0;
	do {
		char *tok = token ? rest_escape(token) : NULL;
		char *path = mlf_xasprintf("%s%s%s", base, tok ? "&page_token=" : "", tok ? tok : "");
		cJSON *j = NULL;
		rc = rest_call(c, "GET", path, NULL, 0, NULL, &j);
		free(path);
		free(tok);
		free(token);
		token = NULL;
		const cJSON *x;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, list_key)) {
			if (rc)
				break;
			rc = each(c, x, ctx);
		}
		const char *t = rest_str(j, "next_page_token");
		if (!rc && t && *t)
			token = mlf_xstrdup(t);
		cJSON_Delete(j);
	} while (!rc && token);
	free(token);
	return rc > 0 ? 0 : rc;
}

/* ---- MLflow's JSON -------------------------------------------------------- */

/* Where a bare NaN / Infinity / -Infinity token starts at s (outside a
 * string), its length; 0 otherwise. */
static size_t bare_token(const char *s, const char *end)
{
	static const char *const toks[] = { "NaN", "Infinity", "-Infinity" };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(toks[i]);
		if ((size_t)(end - s) >= n && !memcmp(s, toks[i], n))
			return n;
	}
	return 0;
}

cJSON *rest_json_parse(const char *text, size_t n)
{
	const char *end = text + n;
	size_t extra = 0;
	bool in_str = false;
	for (const char *p = text; p < end; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if ((*p == 'N' || *p == 'I' || *p == '-') && bare_token(p, end)) {
			extra += 2;
		}
	}
	if (!extra)
		return cJSON_ParseWithLength(text, n);
	/* Quote them: "NaN" is what MessageToJson writes, and rest_value reads. */
	char *q = mlf_xmalloc(n + extra + 1), *o = q;
	in_str = false;
	for (const char *p = text; p < end; p++) {
		size_t t;
		if (in_str) {
			if (*p == '\\' && p + 1 < end) {
				*o++ = *p++;
			} else if (*p == '"') {
				in_str = false;
			}
		} else if (*p == '"') {
			in_str = true;
		} else if ((*p == 'N' || *p == 'I' || *p == '-') && (t = bare_token(p, end))) {
			*o++ = '"';
			memcpy(o, p, t);
			o += t;
			*o++ = '"';
			p += t - 1;
			continue;
		}
		*o++ = *p;
	}
	cJSON *j = cJSON_ParseWithLength(q, (size_t)(o - q));
	free(q);
	return j;
}

const char *rest_str(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t rest_i64(const cJSON *o, const char *key, int64_t def)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	if (cJSON_IsNumber(v))
		return (int64_t)llround(v->valuedouble);
	if (cJSON_IsString(v) && *v->valuestring)
		return strtoll(v->valuestring, NULL, 10);
	return def;
}

double rest_value(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		if (!strcmp(s, "NaN"))
			return NAN;
		if (!strcmp(s, "Infinity"))
			return INFINITY;
		if (!strcmp(s, "-Infinity"))
			return -INFINITY;
		return strtod(s, NULL);
	}
	return NAN;
}

cJSON *rest_value_json(double v)
{
	if (isnan(v))
		return cJSON_CreateString("NaN");
	if (isinf(v))
		return cJSON_CreateString(v > 0 ? "Infinity" : "-Infinity");
	return cJSON_CreateNumber(v);
}
