/*
 * The SQLite backend's insides, shared by sqlite.c (opening, the schema
 * check, experiments and runs) and registry.c (the model registry).  The
 * only header of plugins/ that includes sqlite3.h (CI greps for it).
 */
#ifndef RY_PLUGINS_MLFLOW_SQLITE_INTERNAL_H
#define RY_PLUGINS_MLFLOW_SQLITE_INTERNAL_H

#include "plugins/mlflow/mlflow.h"

#include <sqlite3.h>

typedef struct mlf_sqlite {
	const ry_plugin_services *svc; /* lent */
	char *source;                  /* as the user typed it */
	char *path;                    /* the database file */
	sqlite3 *db;                   /* read-only */
} mlf_sqlite;

/* Record SQLite's error while `doing` something, naming the file. */
int mlf_sql_error(const mlf_sqlite *db, const char *doing);
/* Prepare sql (an error names the file). */
int mlf_sql_prepare(const mlf_sqlite *db, const char *sql, sqlite3_stmt **st);
/* Column `col` as UTF-8 text, lent until the next step; NULL for NULL. */
const char *mlf_sql_text(sqlite3_stmt *st, int col);

/* Import the registry's tables (registry.c). */
int mlf_sqlite_registry(mlf_sqlite *db);

#endif
