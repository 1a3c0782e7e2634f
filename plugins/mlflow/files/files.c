/*
 * PLACEHOLDER, replaced by the files backend: refuses every source of its kind.
 */
#include "plugins/mlflow/mlflow.h"

static int p_open(void **self, const ry_plugin_services *svc, const char *source)
{
	(void)source;
	*self = NULL;
	return mlf_error(svc, RY_PLUGIN_EREFUSED, "reading a file store is not built yet");
}

static void p_close(void *self)
{
	(void)self;
}

const mlf_source_ops mlf_files_source = { .what = "file store", .open = p_open, .close = p_close };
