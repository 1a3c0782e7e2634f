/*
 * The "mlflow" tracker: which backend reads a source, and the ops table
 * core registers.  Reading is the backends' (rest/, files/, sqlite/);
 * mapping runs to runyard's is common.c's.
 */
#include "plugins/mlflow/mlflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What an open mlflow source is: its backend and the backend's state. */
typedef struct mlf_session {
	const mlf_source_ops *ops;
	void *self;
	const ry_plugin_services *svc;
} mlf_session;

const char *mlf_source_path(const char *source)
{
	/* SQLAlchemy's form, as MLflow takes it: sqlite:///mlflow.db is
	 * relative to the working directory, sqlite:////abs/mlflow.db absolute */
	if (!strncmp(source, "sqlite:///", 10))
		return source + 10;
	if (!strncmp(source, "file:///", 8))
		return source + 7;
	if (!strncmp(source, "file://", 7) || !strncmp(source, "sqlite://", 9))
		return strchr(source, ':') + 3;
	return source;
}

static bool sqlite_header(const char *path)
{
	char b[16];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	bool ok = fread(b, 1, 16, f) == 16 && !memcmp(b, "SQLite format 3", 16);
	fclose(f);
	return ok;
}

const mlf_source_ops *mlf_source_kind(const char *source, const char **why)
{
	struct stat sb;
	*why = NULL;
	if (!source || !*source) {
		*why = "no source given (a tracking server URL, an mlruns/ directory or an mlflow.db file; "
		       "MLFLOW_TRACKING_URI is the default)";
		return NULL;
	}
	if (!strncmp(source, "http://", 7) || !strncmp(source, "https://", 8))
		return &mlf_rest_source;
	if (strstr(source, "://") && strncmp(source, "file://", 7) && strncmp(source, "sqlite://", 9)) {
		*why = "not a source runyard reads: use http(s)://, sqlite:///PATH, file:///PATH or a path";
		return NULL;
	}
	const char *path = mlf_source_path(source);
	if (stat(path, &sb) != 0) {
		*why = "no such file or directory";
		return NULL;
	}
	if (S_ISDIR(sb.st_mode))
		return &mlf_files_source;
	if (sqlite_header(path))
		return &mlf_sqlite_source;
	*why = "neither a directory (an mlruns/ file store) nor an SQLite file (mlflow.db)";
	return NULL;
}

static int mlflow_open(void **out, void *data, const ry_plugin_services *svc, const char *source)
{
	(void)data;
	const char *why;
	const mlf_source_ops *ops = mlf_source_kind(source, &why);
	*out = NULL;
	if (!ops)
		return mlf_error(svc, RY_PLUGIN_EINVAL, "'%s': %s", source ? source : "", why);
	mlf_session *s = mlf_xmalloc(sizeof *s);
	*s = (mlf_session){ ops, NULL, svc };
	int rc = ops->open(&s->self, svc, source);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int mlflow_list_experiments(void *self, char ***names, size_t *n)
{
	mlf_session *s = self;
	return s->ops->list_experiments(s->self, names, n);
}

static int mlflow_import_runs(void *self, const char *since, char **cursor)
{
	mlf_session *s = self;
	return s->ops->import_runs(s->self, since, cursor);
}

static int mlflow_sync_registry(void *self)
{
	mlf_session *s = self;
	return s->ops->sync_registry ? s->ops->sync_registry(s->self) : 0;
}

static int read_only(mlf_session *s)
{
	return mlf_error(s->svc, RY_PLUGIN_EREFUSED,
	                 "a %s is read here, never written: push to a tracking server URL", s->ops->what);
}

static int mlflow_export_run(void *self, const char *uuid)
{
	mlf_session *s = self;
	return s->ops->export_run ? s->ops->export_run(s->self, uuid) : read_only(s);
}

static int mlflow_export_model(void *self, const char *model, int64_t number, const char *alias)
{
	mlf_session *s = self;
	return s->ops->export_model ? s->ops->export_model(s->self, model, number, alias) : read_only(s);
}

static void mlflow_close(void *self)
{
	mlf_session *s = self;
	if (!s)
		return;
	s->ops->close(s->self);
	free(s);
}

const ry_tracker_ops ry_mlflow_tracker = {
	.version = RY_PLUGIN_ABI,
	.name = "mlflow",
	.open = mlflow_open,
	.list_experiments = mlflow_list_experiments,
	.import_runs = mlflow_import_runs,
	.export_run = mlflow_export_run,
	.sync_registry = mlflow_sync_registry,
	.close = mlflow_close,
	.export_model = mlflow_export_model,
	.default_source_env = "MLFLOW_TRACKING_URI",
};
