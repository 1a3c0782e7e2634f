/*
 * PLACEHOLDER, replaced by the rest backend: refuses every source of its kind.
 */
#include "plugins/mlflow/mlflow.h"

static int p_open(void **self, const ry_plugin_services *svc, const char *source)
{
	(void)source;
	*self = NULL;
	return mlf_error(svc, RY_PLUGIN_EREFUSED, "reading a tracking server is not built yet");
}

static void p_close(void *self)
{
	(void)self;
}

const mlf_source_ops mlf_rest_source = { .what = "tracking server", .open = p_open, .close = p_close };
