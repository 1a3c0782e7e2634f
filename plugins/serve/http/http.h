/*
 * The http serving target (kind = http): a model server of someone else's
 * that takes deploy requests over HTTP.
 *
 *   [target prod]
 *   kind = http
 *   url = https://deploy.example.org/v1/deployments       # POST a deploy request
 *   status_url = https://deploy.example.org/v1/deployments/{id}   # GET its status
 *   undeploy_url = https://deploy.example.org/v1/deployments/{id} # DELETE it
 *   logs_url = https://deploy.example.org/v1/deployments/{id}/logs # optional, GET text
 *   token_env = DEPLOY_TOKEN   # the NAME of the variable holding the bearer token
 *   timeout = 60               # seconds to wait for ready (each request: at most 30)
 *
 * The request: {"model", "version", "alias", "sha256", "artifact_uri",
 * "artifact_path", "size"}; the answer: {"id", "status", "endpoint"} (status
 * starting|ready|failed|stopped; "detail" or "message" optional).  The
 * token is read from the environment when a request is made and is never
 * written anywhere.  TLS is verified (libcurl's defaults, never turned off).
 */
#ifndef RY_PLUGINS_SERVE_HTTP_H
#define RY_PLUGINS_SERVE_HTTP_H

#include "plugin/plugin.h"

extern const ry_serving_ops ry_serve_http;

#endif
