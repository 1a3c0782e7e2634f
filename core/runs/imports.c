/*
 * Which workspace run each tracker plugin's run became (the imports
 * table), with the fingerprint the source gave it at the last import: how
 * a second import finds a run again in one indexed lookup and skips it
 * without reading its histories when the fingerprint is unchanged.  The
 * import itself is core/plugin/session.c's.
 */
#include "runs/run.h"
#include "base/error.h"
#include "store/store_internal.h"

int ry_run_import_find(ry_store *st, const char *plugin, const char *ext_id, int64_t *run_id,
                       char **fingerprint)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT run_id, fingerprint FROM imports WHERE plugin = ? AND ext_id = ?");
	sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ext_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*run_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (fingerprint)
		*fingerprint = rc == SQLITE_ROW ? ry_store__column_dup(s, 1) : NULL;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "looking up an imported run");
	sqlite3_reset(s);
	return rc;
}

int ry_run_import_record(ry_store *st, const char *plugin, const char *ext_id, int64_t run_id,
                         const char *fingerprint)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO imports(plugin, ext_id, run_id, fingerprint) "
	                                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(plugin, ext_id) DO UPDATE SET "
	                                     "run_id = ?3, fingerprint = ?4");
	sqlite3_bind_text(s, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, run_id);
	ry_store__bind_text(s, 4, fingerprint);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording an imported run");
	sqlite3_reset(s);
	return rc;
}

int ry_run_import_any(ry_store *st, int64_t experiment_id, bool *any)
{
	/* imports is empty in most workspaces: walk it, not the runs (CROSS JOIN
	 * keeps SQLite from putting runs outside) */
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT EXISTS (SELECT 1 FROM imports i CROSS JOIN runs r ON r.id = i.run_id "
	                                     "WHERE ?1 = 0 OR r.experiment_id = ?1)");
	sqlite3_bind_int64(s, 1, experiment_id);
	int rc = sqlite3_step(s);
	*any = rc == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
	rc = rc == SQLITE_ROW ? 0 : ry_store__sqlerr(st, "looking for imported runs");
	sqlite3_reset(s);
	return rc;
}
