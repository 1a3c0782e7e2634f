/*
 * The workspace store on real files: creating, reopening, migrating an old
 * schema, refusing what is not ours (newer schema, not SQLite, another
 * program's database, a directory, a fifo, a corrupt file) without touching
 * a byte, two connections and two processes at once, settings and events.
 */
#include "testutil.h"
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define APPLICATION_ID 0x52595753

/* ---- helpers ------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ry_buf b = RY_BUF_INIT;
	char chunk[8192];
	size_t n;
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		ry_buf_put(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.ptr ? ry_buf_detach(&b) : ry_xstrdup("");
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static bool file_exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

/* Open `path` with `flags` and expect failure with `code`, the message
 * containing `needle`, and the file byte-for-byte as it was. */
static void expect_refused_unchanged(const char *path, unsigned flags, int code, const char *needle)
{
	size_t before_len = 0, after_len = 0;
	char *before = file_exists(path) ? slurp(path, &before_len) : NULL;
	ry_store *st = (ry_store *)0x1;
	int rc = ry_store_open(&st, path, flags);
	if (rc != code)
		fail_msg("open %s: expected %d, got %d (%s)", path, code, rc, ry_error_last());
	assert_null(st);
	if (needle && !strstr(ry_error_last(), needle))
		fail_msg("message '%s' lacks '%s'", ry_error_last(), needle);
	assert_null(strchr(ry_error_last(), '\n'));
	if (before) {
		char *after = slurp(path, &after_len);
		assert_int_equal(before_len, after_len);
		assert_memory_equal(before, after, before_len);
		free(after);
		free(before);
	}
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static char *query_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = ry_xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("exec %s: %s", sql, err ? err : "?");
}

/* A raw SQLite file, closed, made by `sql` (run outside runyard). */
static void make_raw_db(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, sql);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A workspace with a little data, closed (WAL checkpointed into the file). */
static void make_workspace(const char *path, int nexp)
{
	ry_store *st;
	sqlite3 *db;
	if (ry_store_open(&st, path, RY_STORE_CREATE))
		fail_msg("open: %s", ry_error_last());
	db = ry_store__db(st);
	assert_int_equal(ry_store_begin(st), 0);
	for (int i = 0; i < nexp; i++) {
		char *sql = ry_xasprintf("INSERT INTO experiments(name, description, created) "
		                         "VALUES ('exp-%d', '%0200d', %d)", i, i, 1700000000 + i);
		exec_ok(db, sql);
		free(sql);
	}
	assert_int_equal(ry_store_commit(st), 0);
	ry_store_close(st);
}

static const char *const all_tables[] = {
	"experiments", "runs", "params", "tags", "metric_chunks", "metric_keys", "artifacts", "hosts", "models",
	"model_versions", "aliases", "events", "metric_summary", "settings",
};

/* ---- degenerate inputs first ------------------------------------------- */

static void test_store_close__null_is_noop(void **state)
{
	(void)state;
	ry_store_close(NULL);
}

static void test_store_open__missing_without_create_fails(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/nope.db", dir);
	ry_store *st = NULL;
	(void)state;
	assert_int_equal(ry_store_open(&st, path, 0), RY_ENOTFOUND);
	assert_null(st);
	assert_non_null(strstr(ry_error_last(), path));
	assert_false(file_exists(path));
	/* Read-only never creates, even when asked to. */
	assert_int_equal(ry_store_open(&st, path, RY_STORE_CREATE | RY_STORE_READONLY), RY_ENOTFOUND);
	assert_false(file_exists(path));
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__directory_fails(void **state)
{
	char *dir = ry_test_tmpdir();
	ry_store *st = NULL;
	(void)state;
	assert_int_equal(ry_store_open(&st, dir, RY_STORE_CREATE), RY_EIO);
	assert_non_null(strstr(ry_error_last(), "directory"));
	assert_null(st);
	ry_test_rmdir(dir);
}

static void test_store_open__fifo_fails_without_blocking(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/fifo", dir);
	ry_store *st = NULL;
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(ry_store_open(&st, path, RY_STORE_CREATE), RY_EIO);
	assert_non_null(strstr(ry_error_last(), "not a regular file"));
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__not_sqlite_refused_unchanged(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/notes.txt", dir);
	static const char text[] = "These are my notes, not a database.\n"
	                           "They are long enough to fill a header: 0123456789abcdef0123456789abcdef"
	                           "0123456789abcdef0123456789abcdef0123456789abcdef\n";
	(void)state;
	write_file(path, text, sizeof text - 1);
	expect_refused_unchanged(path, RY_STORE_CREATE, RY_ESCHEMA, "not an SQLite database");
	expect_refused_unchanged(path, RY_STORE_READONLY, RY_ESCHEMA, "not an SQLite database");
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__other_sqlite_refused_unchanged(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/other.db", dir);
	char *empty = ry_xasprintf("%s/empty-other.db", dir);
	(void)state;
	make_raw_db(path, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);"
	                  "INSERT INTO customers(name) VALUES ('ada'), ('grace');");
	expect_refused_unchanged(path, RY_STORE_CREATE, RY_ESCHEMA, "not a runyard workspace");
	/* Another program's marked file, even without tables, is not ours to take. */
	make_raw_db(empty, "PRAGMA application_id = 1234;");
	expect_refused_unchanged(empty, RY_STORE_CREATE, RY_ESCHEMA, "not a runyard workspace");
	free(empty);
	free(path);
	ry_test_rmdir(dir);
}

/* ---- creating and reopening ------------------------------------------- */

static void test_store_open__fresh_creates_wal_and_all_tables(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/deep/er/ws.db", dir);
	ry_store *st = NULL;
	sqlite3 *db;
	char *mode;
	(void)state;
	if (ry_store_open(&st, path, RY_STORE_CREATE))
		fail_msg("open: %s", ry_error_last());
	assert_string_equal(ry_store_path(st), path);
	db = ry_store__db(st);
	mode = query_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(db, "PRAGMA user_version"), RY_SCHEMA_VERSION);
	assert_int_equal(query_int(db, "PRAGMA application_id"), APPLICATION_ID);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	for (size_t i = 0; i < sizeof all_tables / sizeof all_tables[0]; i++) {
		char *sql = ry_xasprintf("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
		                         all_tables[i]);
		if (query_int(db, sql) != 1)
			fail_msg("table %s missing", all_tables[i]);
		free(sql);
	}
	/* The metric chunks table is the clustered, chunked layout. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'metric_chunks' "
	                               "AND sql LIKE '%WITHOUT ROWID%'"), 1);
	ry_store_close(st);
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__reopen_keeps_data(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/ws.db", dir);
	ry_store *st = NULL;
	(void)state;
	make_workspace(path, 3);
	if (ry_store_open(&st, path, 0))
		fail_msg("reopen: %s", ry_error_last());
	assert_int_equal(query_int(ry_store__db(st), "SELECT count(*) FROM experiments"), 3);
	assert_int_equal(query_int(ry_store__db(st), "PRAGMA user_version"), RY_SCHEMA_VERSION);
	ry_store_close(st);
	/* Read-only opens a current workspace too. */
	if (ry_store_open(&st, path, RY_STORE_READONLY))
		fail_msg("read-only open: %s", ry_error_last());
	assert_int_equal(query_int(ry_store__db(st), "SELECT count(*) FROM experiments"), 3);
	ry_store_close(st);
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__default_path_from_environment(void **state)
{
	char *dir = ry_test_tmpdir();
	char *env_db = ry_xasprintf("%s/env.db", dir);
	char *xdg = ry_xasprintf("%s/xdg", dir);
	char *expect = ry_xasprintf("%s/xdg/runyard/workspace.db", dir);
	char *old_db = getenv("RUNYARD_DB") ? ry_xstrdup(getenv("RUNYARD_DB")) : NULL;
	char *old_xdg = getenv("XDG_DATA_HOME") ? ry_xstrdup(getenv("XDG_DATA_HOME")) : NULL;
	ry_store *st = NULL;
	(void)state;

	setenv("RUNYARD_DB", env_db, 1);
	assert_int_equal(ry_store_open(&st, NULL, RY_STORE_CREATE), 0);
	assert_string_equal(ry_store_path(st), env_db);
	ry_store_close(st);
	assert_true(file_exists(env_db));

	unsetenv("RUNYARD_DB");
	setenv("XDG_DATA_HOME", xdg, 1);
	assert_int_equal(ry_store_open(&st, NULL, RY_STORE_CREATE), 0);
	assert_string_equal(ry_store_path(st), expect);
	ry_store_close(st);
	assert_true(file_exists(expect));

	if (old_db) setenv("RUNYARD_DB", old_db, 1); else unsetenv("RUNYARD_DB");
	if (old_xdg) setenv("XDG_DATA_HOME", old_xdg, 1); else unsetenv("XDG_DATA_HOME");
	free(old_db);
	free(old_xdg);
	free(env_db);
	free(xdg);
	free(expect);
	ry_test_rmdir(dir);
}

/* ---- schema versions --------------------------------------------------- */

/* What the upgrade notice said, and how often. */
static char heard[512];
static int heard_n;
static void hear(const char *sentence)
{
	snprintf(heard, sizeof heard, "%s", sentence);
	heard_n++;
}

static void test_store_open__schema_v1_is_migrated_with_data(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/old.db", dir);
	ry_store *st = NULL;
	sqlite3 *db;
	char *s;
	char pragma[64];
	(void)state;

	/* A workspace exactly as schema version 1 left it. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", APPLICATION_ID);
	exec_ok(db, pragma);
	exec_ok(db, "BEGIN");
	if (ry_store__migrate(db, 0, 1))
		fail_msg("migrate 0->1: %s", ry_error_last());
	exec_ok(db, "INSERT INTO experiments(id, name, created) VALUES (1, 'mnist', 1700000000);"
	            "INSERT INTO runs(id, uuid, experiment_id, name, status, host, started, ended, cost_total)"
	            "  VALUES (7, '0a1b2c3d-0000-4000-8000-000000000007', 1, 'old-run', 'finished', 'gpu1',"
	            "          1700000100, 1700003700, 2.5);"
	            "INSERT INTO params VALUES (7, 'lr', '0.001'), (7, 'optimizer', 'adam'),"
	            "  (7, 'layers', '12'), (7, 'note', '3 epochs');"
	            "INSERT INTO tags VALUES (7, 'baseline', '');"
	            "INSERT INTO metrics VALUES (7, 'loss', 0, 10, 0, 9, 1700000100, 1700000200, x'00');"
	            "INSERT INTO events(ts, actor, kind, subject) VALUES (1700000000, 'ada', 'run.create', '7');");
	exec_ok(db, "COMMIT");
	assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	ry_store_set_upgrade_notice(hear);
	heard_n = 0;
	if (ry_store_open(&st, path, 0))
		fail_msg("open old: %s", ry_error_last());
	db = ry_store__db(st);
	assert_int_equal(query_int(db, "PRAGMA user_version"), RY_SCHEMA_VERSION);
	/* The person waiting is told, once, what takes the time. */
	assert_int_equal(heard_n, 1);
	char *want = ry_xasprintf("upgrading the workspace %s from schema 1 to %d", path, RY_SCHEMA_VERSION);
	assert_non_null(strstr(heard, want));
	free(want);
	assert_int_equal(query_int(db, "SELECT count(*) FROM runs WHERE id = 7 AND name = 'old-run'"), 1);
	/* New columns filled from old data. */
	assert_int_equal(query_int(db, "SELECT created FROM runs WHERE id = 7"), 1700000100);
	assert_int_equal(query_int(db, "SELECT count(*) FROM params WHERE run_id = 7"), 4);
	assert_int_equal(query_int(db, "SELECT num * 1000 FROM params WHERE key = 'lr'"), 1);
	assert_int_equal(query_int(db, "SELECT num FROM params WHERE key = 'layers'"), 12);
	assert_int_equal(query_int(db, "SELECT num IS NULL FROM params WHERE key = 'optimizer'"), 1);
	assert_int_equal(query_int(db, "SELECT num IS NULL FROM params WHERE key = 'note'"), 1);
	assert_int_equal(query_int(db, "SELECT n FROM metric_summary WHERE run_id = 7 AND key = 'loss'"), 10);
	assert_int_equal(query_int(db, "SELECT last_step FROM metric_summary WHERE run_id = 7"), 9);
	/* The chunk moved to metric_chunks (schema 9) under the key's id. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM metric_chunks c JOIN metric_keys k ON k.id = c.key_id "
	                               "WHERE c.run_id = 7 AND k.key = 'loss' AND c.n = 10 AND c.data = x'00'"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM tags"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM events"), 1);
	s = query_text(db, "PRAGMA journal_mode");
	assert_string_equal(s, "wal");
	free(s);
	/* Settings (added in version 2) work on the migrated file. */
	assert_int_equal(ry_store_setting_set(st, "columns", "lr,loss"), 0);
	ry_store_close(st);

	/* Reopening does not migrate twice, nor says so. */
	assert_int_equal(ry_store_open(&st, path, 0), 0);
	s = ry_store_setting_get(st, "columns");
	assert_string_equal(s, "lr,loss");
	free(s);
	ry_store_close(st);
	assert_int_equal(heard_n, 1);
	/* A new workspace is made, not upgraded: nothing is said. */
	free(path);
	path = ry_xasprintf("%s/new.db", dir);
	assert_int_equal(ry_store_open(&st, path, RY_STORE_CREATE), 0);
	ry_store_close(st);
	assert_int_equal(heard_n, 1);
	ry_store_set_upgrade_notice(NULL);
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__schema_v6_hosts_migrate_as_real(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/v6.db", dir);
	ry_store *st = NULL;
	sqlite3 *db;
	char pragma[64];
	(void)state;

	/* A workspace as schema version 6 left it, with a host of its own. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", APPLICATION_ID);
	exec_ok(db, pragma);
	exec_ok(db, "BEGIN");
	if (ry_store__migrate(db, 0, 6))
		fail_msg("migrate 0->6: %s", ry_error_last());
	exec_ok(db, "INSERT INTO hosts(name, ssh_alias, max_gpus) VALUES ('gpu1', 'gpu1.lab', 4);");
	exec_ok(db, "COMMIT");
	assert_int_equal(query_int(db, "PRAGMA user_version"), 6);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	if (ry_store_open(&st, path, 0))
		fail_msg("open v6: %s", ry_error_last());
	db = ry_store__db(st);
	assert_int_equal(query_int(db, "PRAGMA user_version"), RY_SCHEMA_VERSION);
	/* 6 -> 7: a host there before is a real one, never simulated */
	assert_int_equal(query_int(db, "SELECT simulated FROM hosts WHERE name = 'gpu1'"), 0);
	assert_int_equal(query_int(db, "SELECT max_gpus FROM hosts WHERE name = 'gpu1'"), 4);
	exec_ok(db, "INSERT INTO hosts(name, simulated) VALUES ('demo-box', 1);");
	assert_int_equal(query_int(db, "SELECT count(*) FROM hosts WHERE simulated = 1"), 1);
	ry_store_close(st);
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_open__old_schema_read_only_refused_unchanged(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/old.db", dir);
	sqlite3 *db;
	char pragma[64];
	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", APPLICATION_ID);
	exec_ok(db, pragma);
	exec_ok(db, "BEGIN");
	assert_int_equal(ry_store__migrate(db, 0, 1), 0);
	exec_ok(db, "COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	expect_refused_unchanged(path, RY_STORE_READONLY, RY_ESCHEMA, "needs migrating");
	free(path);
	ry_test_rmdir(dir);
}

static void test_store_migrate__bad_range_refused(void **state)
{
	sqlite3 *db;
	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(ry_store__migrate(db, 0, RY_SCHEMA_VERSION + 1), RY_ESCHEMA);
	assert_int_equal(ry_store__migrate(db, 2, 1), RY_ESCHEMA);
	assert_int_equal(ry_store__migrate(db, -1, 1), RY_ESCHEMA);
	sqlite3_close(db);
}

static void test_store_open__newer_schema_refused_unchanged(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/new.db", dir);
	char *wal = ry_xasprintf("%s-wal", path);
	(void)state;
	make_workspace(path, 2);
	make_raw_db(path, "PRAGMA user_version = 99");
	assert_false(file_exists(wal));
	expect_refused_unchanged(path, RY_STORE_CREATE, RY_ESCHEMA, "newer");
	expect_refused_unchanged(path, 0, RY_ESCHEMA, "version 99");
	expect_refused_unchanged(path, RY_STORE_READONLY, RY_ESCHEMA, "upgrade runyard");
	free(wal);
	free(path);
	ry_test_rmdir(dir);
}

/* Overwrite the file from byte `from` to its end with pseudo-random bytes. */
static void scribble(const char *path, long from)
{
	size_t len;
	char *data = slurp(path, &len);
	unsigned x = 12345;
	assert_true((size_t)from < len);
	for (size_t i = (size_t)from; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (char)(x >> 16);
	}
	write_file(path, data, len);
	free(data);
}

/* Open, then use the store; every failure must be a clean corruption (or
 * not-a-workspace) error, and the file must not change. */
static void expect_corrupt_handled(const char *path)
{
	size_t before_len, after_len;
	char *before = slurp(path, &before_len), *after;
	ry_store *st = NULL;
	int rc = ry_store_open(&st, path, 0);
	if (rc == 0) {
		rc = ry_store__exec(st, "SELECT count(*), max(description) FROM experiments");
		if (rc == 0)
			rc = ry_store_event(st, "test", "corrupt", NULL);
		ry_store_close(st);
	}
	if (rc != RY_ECORRUPT && rc != RY_ESCHEMA)
		fail_msg("corrupt %s: expected RY_ECORRUPT, got %d (%s)", path, rc, ry_error_last());
	assert_null(strchr(ry_error_last(), '\n'));
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void test_store_open__corrupt_pages_fail_cleanly(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/corrupt.db", dir);
	char *page1 = ry_xasprintf("%s/corrupt-page1.db", dir);
	(void)state;
	/* Enough rows to spread the experiments table over many pages. */
	make_workspace(path, 300);
	make_workspace(page1, 300);
	/* Garbage over every page after the first (which holds the header). */
	scribble(path, 4096);
	expect_corrupt_handled(path);
	/* Garbage over the rest of page 1 too: the schema b-tree root. */
	scribble(page1, 100);
	expect_corrupt_handled(page1);
	free(page1);
	free(path);
	ry_test_rmdir(dir);
}

/* ---- concurrency ------------------------------------------------------- */

static void test_store_two_connections__reader_sees_commits(void **state)
{
	struct ry_test_ws ws;
	ry_store *reader = NULL;
	int64_t v0;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(ry_store_open(&reader, ws.path, 0), 0);
	v0 = ry_store_data_version(reader);

	assert_int_equal(ry_store_begin(ws.st), 0);
	exec_ok(ry_store__db(ws.st), "INSERT INTO experiments(name, created) VALUES ('a', 1)");
	/* A reader is never blocked by an open write transaction in WAL mode. */
	assert_int_equal(query_int(ry_store__db(reader), "SELECT count(*) FROM experiments"), 0);
	assert_int_equal(ry_store_commit(ws.st), 0);
	assert_int_equal(query_int(ry_store__db(reader), "SELECT count(*) FROM experiments"), 1);
	assert_true(ry_store_data_version(reader) != v0);

	ry_store_close(reader);
	ry_test_ws_close(&ws);
}

static void test_store_two_processes__child_writes_while_parent_reads(void **state)
{
	struct ry_test_ws ws;
	pid_t pid;
	int status = 0;
	int64_t seen = 0, last = -1;
	bool saw_partial = false;
	(void)state;
	ry_test_ws_open(&ws);
	ry_store_close(ws.st);
	ws.st = NULL;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The child: a tracked job logging in small transactions. */
		ry_store *st;
		if (ry_store_open(&st, ws.path, 0))
			_exit(10);
		for (int i = 0; i < 200; i++) {
			char subject[32];
			snprintf(subject, sizeof subject, "%d", i);
			if (ry_store_begin(st) || ry_store_event(st, "job.log", subject, NULL) || ry_store_commit(st))
				_exit(11);
			if (i % 20 == 0)
				usleep(2000);
		}
		ry_store_close(st);
		_exit(0);
	}

	/* The parent: a TUI polling the same file. */
	{
		ry_store *st;
		double deadline = ry_monotonic() + 20;
		if (ry_store_open(&st, ws.path, 0))
			fail_msg("parent open: %s", ry_error_last());
		while (seen < 200 && ry_monotonic() < deadline) {
			seen = query_int(ry_store__db(st), "SELECT count(*) FROM events WHERE kind = 'job.log'");
			assert_true(seen >= last); /* commits appear whole and in order */
			if (seen > 0 && seen < 200)
				saw_partial = true;
			last = seen;
			usleep(1000);
		}
		ry_store_close(st);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(seen, 200);
	(void)saw_partial; /* timing-dependent: informative only */
	ry_test_ws_close(&ws);
}

/* ---- transactions, settings, events ----------------------------------- */

static void test_store_transactions__nested_and_rollback(void **state)
{
	struct ry_test_ws ws;
	sqlite3 *db;
	(void)state;
	ry_test_ws_open(&ws);
	db = ry_store__db(ws.st);
	assert_int_equal(ry_store_begin(ws.st), 0);
	assert_int_equal(ry_store_begin(ws.st), 0);
	exec_ok(db, "INSERT INTO experiments(name, created) VALUES ('inner', 1)");
	assert_int_equal(ry_store_commit(ws.st), 0); /* inner: not yet durable */
	ry_store_rollback(ws.st);
	assert_int_equal(query_int(db, "SELECT count(*) FROM experiments"), 0);

	assert_int_equal(ry_store_begin(ws.st), 0);
	exec_ok(db, "INSERT INTO experiments(name, created) VALUES ('kept', 1)");
	assert_int_equal(ry_store_commit(ws.st), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM experiments"), 1);
	/* Unbalanced commit/rollback are harmless. */
	assert_int_equal(ry_store_commit(ws.st), 0);
	ry_store_rollback(ws.st);
	assert_int_equal(query_int(db, "SELECT count(*) FROM experiments"), 1);
	ry_test_ws_close(&ws);
}

/* A module above the store (the query) defines its SQL function through
 * ry_store__use: every connection gets it, the bulk reader that opens later
 * included, and asking twice runs it once per connection. */
static int n_inits;
static void answer_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, 42);
}
static int define_answer(sqlite3 *db)
{
	n_inits++;
	return sqlite3_create_function_v2(db, "ry_test_answer", 0, SQLITE_UTF8, NULL, answer_fn, NULL, NULL, NULL);
}

static void test_store_use__every_connection_gets_the_init(void **state)
{
	struct ry_test_ws ws;
	sqlite3_stmt *s;
	(void)state;
	ry_test_ws_open(&ws);
	n_inits = 0;
	assert_int_equal(ry_store__use(ws.st, define_answer), 0);
	assert_int_equal(ry_store__use(ws.st, define_answer), 0);
	assert_int_equal(n_inits, 1);
	s = ry_store__stmt(ws.st, "SELECT ry_test_answer()");
	assert_non_null(s);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 42);
	sqlite3_reset(s);
	/* the bulk reader opens now, after the ask */
	s = ry_store__bulk_stmt(ws.st, "SELECT ry_test_answer()");
	assert_non_null(s);
	assert_ptr_not_equal(sqlite3_db_handle(s), ry_store__db(ws.st));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 42);
	sqlite3_reset(s);
	assert_int_equal(n_inits, 2);
	ry_test_ws_close(&ws);
}

static void test_store_settings__get_set_delete(void **state)
{
	struct ry_test_ws ws;
	char *v;
	(void)state;
	ry_test_ws_open(&ws);
	assert_null(ry_store_setting_get(ws.st, "budget"));
	assert_int_equal(ry_store_setting_set(ws.st, "budget", "100"), 0);
	v = ry_store_setting_get(ws.st, "budget");
	assert_string_equal(v, "100");
	free(v);
	assert_int_equal(ry_store_setting_set(ws.st, "budget", "250.5"), 0);
	v = ry_store_setting_get(ws.st, "budget");
	assert_string_equal(v, "250.5");
	free(v);
	assert_int_equal(ry_store_setting_set(ws.st, "budget", NULL), 0);
	assert_null(ry_store_setting_get(ws.st, "budget"));
	/* Deleting what is not there is fine. */
	assert_int_equal(ry_store_setting_set(ws.st, "never", NULL), 0);
	ry_test_ws_close(&ws);
}

static void test_store_events__recorded_with_actor_and_time(void **state)
{
	struct ry_test_ws ws;
	sqlite3 *db;
	double before = ry_now();
	char *s;
	(void)state;
	ry_test_ws_open(&ws);
	db = ry_store__db(ws.st);
	assert_int_equal(ry_store_event(ws.st, "alias.move", "resnet@champion", "v3 -> v4"), 0);
	assert_int_equal(ry_store_event(ws.st, "run.cancel", "42", NULL), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM events"), 2);
	s = query_text(db, "SELECT detail FROM events WHERE kind = 'alias.move'");
	assert_string_equal(s, "v3 -> v4");
	free(s);
	assert_null(query_text(db, "SELECT detail FROM events WHERE kind = 'run.cancel'"));
	s = query_text(db, "SELECT actor FROM events LIMIT 1");
	assert_string_equal(s, ry_username());
	free(s);
	assert_true(query_int(db, "SELECT min(ts) FROM events") >= (int64_t)before - 1);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_close__null_is_noop),
		cmocka_unit_test(test_store_open__missing_without_create_fails),
		cmocka_unit_test(test_store_open__directory_fails),
		cmocka_unit_test(test_store_open__fifo_fails_without_blocking),
		cmocka_unit_test(test_store_open__not_sqlite_refused_unchanged),
		cmocka_unit_test(test_store_open__other_sqlite_refused_unchanged),
		cmocka_unit_test(test_store_open__fresh_creates_wal_and_all_tables),
		cmocka_unit_test(test_store_open__reopen_keeps_data),
		cmocka_unit_test(test_store_open__default_path_from_environment),
		cmocka_unit_test(test_store_open__schema_v1_is_migrated_with_data),
		cmocka_unit_test(test_store_open__schema_v6_hosts_migrate_as_real),
		cmocka_unit_test(test_store_open__old_schema_read_only_refused_unchanged),
		cmocka_unit_test(test_store_migrate__bad_range_refused),
		cmocka_unit_test(test_store_open__newer_schema_refused_unchanged),
		cmocka_unit_test(test_store_open__corrupt_pages_fail_cleanly),
		cmocka_unit_test(test_store_two_connections__reader_sees_commits),
		cmocka_unit_test(test_store_two_processes__child_writes_while_parent_reads),
		cmocka_unit_test(test_store_transactions__nested_and_rollback),
		cmocka_unit_test(test_store_settings__get_set_delete),
		cmocka_unit_test(test_store_use__every_connection_gets_the_init),
		cmocka_unit_test(test_store_events__recorded_with_actor_and_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
