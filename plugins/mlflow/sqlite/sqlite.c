/*
 * MLflow's SQLite backend store (an mlflow.db, or sqlite:///path), read
 * directly and only read: opened SQLITE_OPEN_READONLY, never created or
 * migrated, and never left with a -wal or -shm file it did not have.
 *
 * How it is opened follows core/store's read-only fallback: a database in
 * rollback-journal mode (what MLflow leaves) is opened read-only as it is,
 * so a writer's locks keep what we read consistent while MLflow writes; a
 * WAL database with no -wal file has nothing beyond the main file to see
 * and is opened immutable=1, because even a read-only WAL connection
 * creates the -wal and -shm files; a WAL database with a -wal file is
 * being written and is read through the files its writer keeps.
 *
 * The schema is MLflow's (mlflow/store/tracking/dbmodels/models.py and
 * model_registry/dbmodels/models.py), recognised by its alembic revision:
 * one runyard does not know is refused, naming it, rather than misread.
 * Values as the SQL store keeps them: NaN as 0 with is_nan set, +-Inf as
 * +-DBL_MAX (common.c reads those back as infinities).
 *
 * Each run's rows are read inside one read transaction, so a run MLflow is
 * logging to comes out consistent; no transaction spans the whole import,
 * which would block MLflow's writers for as long as it takes.
 * The registry is registry.c's.
 */
#include "plugins/mlflow/sqlite/sqlite_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The alembic revisions of MLflow's schema this reader knows, oldest
 * first: from the one that added registered_model_aliases (MLflow 2.3) to
 * MLflow 2.10.2's head.  Older ones lack tables read here. */
static const char *const known_revisions[] = {
	"3500859a5d39", /* add model aliases table */
	"7f2a7d5fae7d", /* add datasets, inputs, input_tags */
	"2d6e25af4d3e", /* increase max param value length to 8000 */
	"acf3f17fdcc7", /* add storage_location to model_versions (2.10.2's head) */
};
/* The revisions before those, oldest first (mlflow/store/db_migrations). */
static const char *const older_revisions[] = {
	"451aebb31d03", "90e64c465722", "181f10493468", "df50e92ffc5e", "7ac759974ad8", "89d4b8295536",
	"2b4d017a5e9b", "cfd24bdc0731", "0a8213491aaa", "728d730b5ebd", "27a6a02d2cf1", "84291f40a231",
	"a8c4a736bde6", "39d1c3be5f05", "c48cb773bb87", "bd07f7e963c5", "0c779009ac13", "cc1f77228345",
	"97727af70f4d",
};

int mlf_sql_error(const mlf_sqlite *db, const char *doing)
{
	return mlf_error(db->svc, RY_PLUGIN_EIO, "%s: %s: %s", db->path, doing, sqlite3_errmsg(db->db));
}

int mlf_sql_prepare(const mlf_sqlite *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		return mlf_sql_error(db, "reading MLflow's tables");
	return 0;
}

const char *mlf_sql_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* ---- opening ------------------------------------------------------------ */

static bool file_exists(const char *path, bool nonempty)
{
	struct stat sb;
	return stat(path, &sb) == 0 && (!nonempty || sb.st_size > 0);
}

/* Byte 18 of the header: 2 when the database is in WAL mode. */
static bool wal_mode(const char *path)
{
	unsigned char h[20];
	FILE *f = fopen(path, "rb");
	bool wal = f && fread(h, 1, sizeof h, f) == sizeof h && h[18] == 2;
	if (f)
		fclose(f);
	return wal;
}

/* A file: URI for path with `query`. */
static char *uri_for(const char *path, const char *query)
{
	size_t n = strlen(path);
	char *u = mlf_xmalloc(n * 3 + strlen(query) + 8), *o = u;
	o += sprintf(o, "file:");
	/* "//x" would read as a URI authority */
	while (path[0] == '/' && path[1] == '/')
		path++;
	for (const char *c = path; *c; c++)
		o += (*c == '%' || *c == '?' || *c == '#') ? sprintf(o, "%%%02X", (unsigned char)*c) : sprintf(o, "%c", *c);
	sprintf(o, "?%s", query);
	return u;
}

static int connect(mlf_sqlite *db)
{
	char *wal = mlf_xasprintf("%s-wal", db->path);
	bool immutable = wal_mode(db->path) && !file_exists(wal, true);
	char *uri = uri_for(db->path, immutable ? "immutable=1" : "mode=ro");
	free(wal);
	int rc = sqlite3_open_v2(uri, &db->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK)
		return db->db ? mlf_sql_error(db, "opening") : mlf_error(db->svc, RY_PLUGIN_EIO, "%s: cannot open", db->path);
	sqlite3_busy_timeout(db->db, 5000);
	return 0;
}

/* Is the alembic revision one this reader knows?  A clear refusal if not. */
static int check_schema(mlf_sqlite *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "SELECT version_num FROM alembic_version", -1, &st, NULL) != SQLITE_OK) {
		const char *m = sqlite3_errmsg(db->db);
		if (strstr(m, "no such table"))
			return mlf_error(db->svc, RY_PLUGIN_EINVAL, "%s: not an MLflow database (an SQLite file without "
			                 "MLflow's alembic_version table)", db->path);
		if (strstr(m, "not a database") || strstr(m, "malformed"))
			return mlf_error(db->svc, RY_PLUGIN_ECORRUPT, "%s: %s", db->path, m);
		return mlf_sql_error(db, "reading its schema version");
	}
	int step = sqlite3_step(st);
	char *rev = step == SQLITE_ROW && mlf_sql_text(st, 0) ? mlf_xstrdup(mlf_sql_text(st, 0)) : NULL;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return mlf_sql_error(db, "reading its schema version");
	if (!rev)
		return mlf_error(db->svc, RY_PLUGIN_EINVAL, "%s: not an MLflow database (its alembic_version table is "
		                 "empty)", db->path);
	int rc = 0;
	bool known = false, older = false;
	for (size_t i = 0; i < sizeof known_revisions / sizeof *known_revisions; i++)
		known |= !strcmp(rev, known_revisions[i]);
	for (size_t i = 0; i < sizeof older_revisions / sizeof *older_revisions; i++)
		older |= !strcmp(rev, older_revisions[i]);
	if (older)
		rc = mlf_error(db->svc, RY_PLUGIN_EREFUSED, "%s: written by an MLflow older than 2.3 (schema revision %s); "
		               "runyard reads schema revisions %s to %s: upgrade it first with 'mlflow db upgrade "
		               "sqlite:///%s'", db->path, rev, known_revisions[0],
		               known_revisions[sizeof known_revisions / sizeof *known_revisions - 1], db->path);
	else if (!known)
		rc = mlf_error(db->svc, RY_PLUGIN_EREFUSED, "%s: schema revision %s is not one runyard knows (it reads MLflow "
		               "2.3 to 2.10.2, revisions %s to %s); a newer MLflow wrote it -- read it through a "
		               "tracking server instead", db->path, rev, known_revisions[0],
		               known_revisions[sizeof known_revisions / sizeof *known_revisions - 1]);
	free(rev);
	return rc;
}

static void sqlite_close(void *self)
{
	mlf_sqlite *db = self;
	if (!db)
		return;
	if (db->db)
		sqlite3_close_v2(db->db);
	free(db->source);
	free(db->path);
	free(db);
}

static int sqlite_open(void **self, const ry_plugin_services *svc, const char *source)
{
	mlf_sqlite *db = mlf_xmalloc(sizeof *db);
	*self = NULL;
	*db = (mlf_sqlite){ svc, mlf_xstrdup(source), mlf_xstrdup(mlf_source_path(source)), NULL };
	int rc;
	if (!file_exists(db->path, false))
		rc = mlf_error(svc, RY_PLUGIN_ENOTFOUND, "%s: no such file (an MLflow SQLite store is never created "
		               "here)", db->path);
	else if (!(rc = connect(db)))
		rc = check_schema(db);
	if (rc) {
		sqlite_close(db);
		return rc;
	}
	*self = db;
	return 0;
}

/* ---- experiments and runs -------------------------------------------------- */

static int sqlite_list_experiments(void *self, char ***names, size_t *n)
{
	mlf_sqlite *db = self;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, step;
	*names = NULL;
	*n = 0;
	if ((rc = mlf_sql_prepare(db, "SELECT name FROM experiments WHERE lifecycle_stage = 'active' "
	                              "ORDER BY experiment_id", &st)))
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = mlf_sql_text(st, 0);
		if (!name || !mlf_experiment_wanted(db->svc, name))
			continue;
		if (*n == cap)
			*names = mlf_xrealloc(*names, (cap = cap ? cap * 2 : 8) * sizeof **names);
		(*names)[(*n)++] = mlf_xstrdup(name);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		return mlf_sql_error(db, "listing experiments");
	}
	return 0;
}

/* The SQL store's value: NaN is kept as 0 with is_nan set. */
static double sql_value(sqlite3_stmt *st, int col, int nan_col)
{
	return sqlite3_column_int(st, nan_col) ? NAN : sqlite3_column_double(st, col);
}

/* Rows (key, value) of `sql` for run r into its params or tags. */
static int read_kvs(mlf_sqlite *db, const char *sql, mlf_run *r, bool tags)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, sql, &st), step;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = mlf_sql_text(st, 0), *v = mlf_sql_text(st, 1);
		if (!k)
			continue;
		if (tags)
			mlf_run_tag(r, k, v);
		else
			mlf_run_param(r, k, v);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : mlf_sql_error(db, tags ? "reading a run's tags" : "reading a run's params");
}

static int read_latest(mlf_sqlite *db, mlf_run *r)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ?",
	                         &st), step;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (mlf_sql_text(st, 0))
			mlf_run_latest(r, mlf_sql_text(st, 0), sql_value(st, 1, 4), sqlite3_column_int64(st, 3),
			               sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : mlf_sql_error(db, "reading a run's latest metrics");
}

/* The whole histories, in the order logged (rowid) within each key. */
static int read_histories(mlf_sqlite *db, mlf_run *r)
{
	sqlite3_stmt *st;
	int rc = mlf_sql_prepare(db, "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? "
	                             "ORDER BY key, rowid", &st), step;
	mlf_history *h = NULL;
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = mlf_sql_text(st, 0);
		if (!k)
			continue;
		if (!h || strcmp(h->key, k))
			h = mlf_run_history(r, k);
		mlf_history_add(h, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 2), sql_value(st, 1, 4));
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : mlf_sql_error(db, "reading a run's metrics");
}

/* One run's rows (the caller holds a read transaction), sent to core
 * unless core holds it as it is; the histories are read only to send. */
static int run_one(mlf_sqlite *db, mlf_run *r)
{
	int rc = read_kvs(db, "SELECT key, value FROM params WHERE run_uuid = ?", r, false);
	if (!rc)
		rc = read_kvs(db, "SELECT key, value FROM tags WHERE run_uuid = ?", r, true);
	if (!rc)
		rc = read_latest(db, r);
	if (rc)
		return rc;
	int u = mlf_run_unchanged(db->svc, r);
	if (u != 0)
		return u < 0 ? u : 0;
	if ((rc = read_histories(db, r)))
		return rc;
	return mlf_run_import(db->svc, db->source, r);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const char *s = mlf_sql_text(st, col);
	return s ? mlf_xstrdup(s) : NULL;
}

static int sqlite_import_runs(void *self, const char *since, char **cursor)
{
	mlf_sqlite *db = self;
	sqlite3_stmt *st;
	int rc, step;
	int64_t done = 0;
	/* no change log to resume from: fingerprints skip what did not change */
	(void)since;
	*cursor = NULL;
	if ((rc = mlf_sql_prepare(db, "SELECT r.run_uuid, e.experiment_id, e.name, r.name, r.status, r.user_id, "
	                              "r.artifact_uri, r.start_time, r.end_time FROM runs r JOIN experiments e "
	                              "ON r.experiment_id = e.experiment_id WHERE r.lifecycle_stage = 'active' "
	                              "AND e.lifecycle_stage = 'active' ORDER BY e.experiment_id, r.start_time, "
	                              "r.run_uuid", &st)))
		return rc;
	/* Collect the listing first: the statement's own read lock must not
	 * stay open while runs are imported (one transaction per run). */
	mlf_run *runs = NULL;
	size_t n = 0, cap = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *exp = mlf_sql_text(st, 2);
		if (!mlf_sql_text(st, 0) || !exp || !mlf_experiment_wanted(db->svc, exp))
			continue;
		if (n == cap)
			runs = mlf_xrealloc(runs, (cap = cap ? cap * 2 : 64) * sizeof *runs);
		mlf_run *r = &runs[n++];
		*r = (mlf_run){ 0 };
		r->run_id = dup_col(st, 0);
		r->experiment_id = dup_col(st, 1);
		r->experiment = dup_col(st, 2);
		r->name = dup_col(st, 3);
		r->status = dup_col(st, 4);
		r->user = dup_col(st, 5);
		r->artifact_uri = dup_col(st, 6);
		r->start_ms = sqlite3_column_int64(st, 7);
		r->end_ms = sqlite3_column_int64(st, 8);
	}
	sqlite3_finalize(st);
	rc = step == SQLITE_DONE ? 0 : mlf_sql_error(db, "listing runs");
	if (!rc && db->svc->progress)
		db->svc->progress(db->svc->host, 0, (int64_t)n);
	for (size_t i = 0; i < n && !rc; i++) {
		if (sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			rc = mlf_sql_error(db, "beginning a read");
			break;
		}
		rc = run_one(db, &runs[i]);
		sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
		if (!rc && db->svc->progress)
			db->svc->progress(db->svc->host, ++done, (int64_t)n);
	}
	for (size_t i = 0; i < n; i++)
		mlf_run_clear(&runs[i]);
	free(runs);
	return rc;
}

static int sqlite_sync_registry(void *self)
{
	return mlf_sqlite_registry(self);
}

const mlf_source_ops mlf_sqlite_source = {
	.what = "SQLite store",
	.open = sqlite_open,
	.list_experiments = sqlite_list_experiments,
	.import_runs = sqlite_import_runs,
	.sync_registry = sqlite_sync_registry,
	.close = sqlite_close,
};
