/*
 * The table of built-in plugins.  Each built-in lives in its own folder
 * under plugins/ and includes core's plugin header only; this file lists
 * them so the binary can register them all in one loop.
 */
#include "plugins/builtin.h"
#include "plugins/mlflow/mlflow.h"
#include "plugins/serve/http/http.h"
#include "plugins/serve/ssh/ssh.h"

#include <stddef.h>

const ry_tracker_ops *const ry_builtin_trackers[] = {
	&ry_mlflow_tracker,
	NULL,
};

const ry_serving_ops *const ry_builtin_servings[] = {
	&ry_serve_ssh,
	&ry_serve_http,
	NULL,
};
