/*
 * The rest backend's insides: one HTTP client for an MLflow tracking
 * server (http.c), and the parts that use it -- import (rest.c), metric
 * histories (history.c), the registry (registry.c) and push (push.c).
 *
 * The client runs every request through one libcurl multi handle: callers
 * queue requests, each with a completion callback, and rest_run drives
 * them with a bounded number in flight until the queue is empty.  The
 * callbacks run on the caller's thread (libcurl multi is single-threaded),
 * so they may call the services and queue more requests.  Retries,
 * backoff, Retry-After, auth, TLS and error messages live in http.c and
 * nowhere else.
 *
 * Ownership: a rest_client is rest_close's; cJSON handed to a callback is
 * lent for the call; strings handed to rest_queue are copied.
 */
#ifndef RY_PLUGINS_MLFLOW_REST_H
#define RY_PLUGINS_MLFLOW_REST_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "plugins/mlflow/mlflow.h"

typedef struct rest_client rest_client;

/* A finished request's callback: `status` is the HTTP status (2xx, or 404
 * when the request was queued with REST_404_OK), `json` the parsed body
 * (NULL when the body was not JSON).  Returns 0, or an error code (set
 * with rest_fail or svc->error) that stops rest_run. */
typedef int (*rest_done_fn)(rest_client *c, long status, cJSON *json, void *ctx);

enum {
	REST_404_OK = 1,        /* a 404 goes to the callback instead of failing the run */
};

/* Open a client for `url` (http[s]://host[:port][/prefix]), reading auth,
 * TLS and timeouts from the environment as MLflow's Python client does. */
int rest_open(rest_client **out, const ry_plugin_services *svc, const char *url);
void rest_close(rest_client *c); /* accepts NULL */

/* The server's URL as messages and tags show it: no credentials, no
 * trailing '/'.  Lent for the client's life. */
const char *rest_url(const rest_client *c);
const ry_plugin_services *rest_svc(const rest_client *c);

/* Queue a request.  `path` is below the URL's prefix ("/api/2.0/mlflow/
 * runs/search?..."), already escaped; `body` (JSON text, NULL none) is
 * sent as application/json.  Both are copied. */
void rest_queue(rest_client *c, const char *method, const char *path, const char *body, int flags,
                rest_done_fn done, void *ctx);
/* The same, and ctx is the request's: drop(ctx) frees it if the request is
 * abandoned (an earlier failure) or fails before its callback runs. */
void rest_queue_owned(rest_client *c, const char *method, const char *path, const char *body, int flags,
                      rest_done_fn done, void *ctx, void (*drop)(void *ctx));
/* Queue a JSON body (printed unformatted; `body` stays the caller's). */
void rest_queue_json(rest_client *c, const char *method, const char *path, const cJSON *body, int flags,
                     rest_done_fn done, void *ctx);
/* Run every queued request (and those their callbacks queue) to the end.
 * On the first failure the rest are abandoned and the error returned. */
int rest_run(rest_client *c);

/* One request, waited for: *out (may be NULL) gets the parsed body, the
 * caller's to cJSON_Delete; *status the HTTP status (404 only with
 * REST_404_OK). */
int rest_call(rest_client *c, const char *method, const char *path, const cJSON *body, int flags,
              long *status, cJSON **out);

/* Fail with a message that names the server's URL. */
int rest_fail(rest_client *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Time spent so far waiting in curl_multi_poll, and requests sent (for the
 * benchmark's figures, printed when RUNYARD_MLFLOW_STATS is set). */
double rest_wait_seconds(const rest_client *c);

/* URL-escape s for a query string (malloc'd). */
char *rest_escape(const char *s);

/* Every page of a GET search: `base` is the path with its query so far
 * (page_token is added); each(c, item, ctx) is called for every item of
 * the answer's `list_key` array and stops the search by returning non-zero
 * (> 0: found, the search returns 0; < 0: that error). */
int rest_search_all(rest_client *c, const char *base, const char *list_key,
                    int (*each)(rest_client *, const cJSON *, void *), void *ctx);

/* ---- reading MLflow's JSON -------------------------------------------- */

/* Parse a body, accepting the bare NaN, Infinity and -Infinity that
 * Python's json module writes (the ajax endpoints do) as the strings
 * MessageToJson writes for them.  NULL when it is not JSON. */
cJSON *rest_json_parse(const char *text, size_t n);
/* A member as a string (NULL when absent or not a string), a number as an
 * int64 (def when absent; MLflow writes int64 as numbers, and proto3 JSON
 * may write them as strings), a metric value as a double (MessageToJson
 * writes NaN and infinities as "NaN", "Infinity", "-Infinity"). */
const char *rest_str(const cJSON *o, const char *key);
int64_t rest_i64(const cJSON *o, const char *key, int64_t def);
double rest_value(const cJSON *v);
/* A metric value for a JSON body: a number, or MessageToJson's string for
 * NaN and the infinities (cJSON would print null). */
cJSON *rest_value_json(double v);

/* An mlf_run (malloc'd; mlf_run_clear then free) from a run object of
 * runs/search, runs/get or runs/create: info, params, tags and the newest
 * point of each metric.  NULL when it has no run id.  rest.c. */
mlf_run *rest_run_parse(const cJSON *run, const char *exp_name);

/* ---- the parts ---------------------------------------------------------- */

/* Fetch the whole metric histories of runs[0..n) (their latest[] names
 * the keys) into each run's metrics[], in parallel; `ready` is called for
 * each run as soon as all its histories are in (then the run may be
 * cleared).  history.c. */
typedef int (*rest_run_ready_fn)(rest_client *c, mlf_run *r, void *ctx);
int rest_histories(rest_client *c, mlf_run **runs, size_t n, rest_run_ready_fn ready, void *ctx);

int rest_sync_registry(rest_client *c);                    /* registry.c */
int rest_export_run(rest_client *c, const char *uuid);      /* push.c */
int rest_export_model(rest_client *c, const char *model, int64_t number, const char *alias);

#endif
