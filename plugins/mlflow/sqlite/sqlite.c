/*
 * PLACEHOLDER, replaced by the sqlite backend: refuses every source of its kind.
 */
#include "plugins/mlflow/mlflow.h"

static int p_open(void **self, const ry_plugin_services *svc, const char *source)
{
	(void)source;
	*self = NULL;
	return mlf_error(svc, RY_PLUGIN_EREFUSED, "reading a SQLite store is not built yet");
}

static void p_close(void *self)
{
	(void)self;
}

const mlf_source_ops mlf_sqlite_source = { .what = "SQLite store", .open = p_open, .close = p_close };
