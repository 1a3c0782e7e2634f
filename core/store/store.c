/*
 * The workspace store: opening (validate, then migrate, then tune), the
 * statement cache and transaction nesting.  It deliberately knows nothing of
 * runs or metrics; those modules bring their own SQL.
 */
#include "store/store_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/fault.h"
#include "base/util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 'RYWS': marks a SQLite file as a runyard workspace (PRAGMA application_id). */
#define RY_APPLICATION_ID 0x52595753

#define STMT_CACHE 128
/* Connection set-ups a store runs (ry_store__use): query's SQL function is
 * the only one today. */
#define CONN_INITS 4

struct stmt_cache {
	struct {
		const char *sql; /* key: the literal's address */
		sqlite3_stmt *stmt;
	} e[STMT_CACHE];
	int n;
};

struct ry_store {
	sqlite3 *db;
	char *path;
	int txn_depth;
	/* ry_store_interrupt was called since the last ry_store_end_read:
	 * written by any thread */
	atomic_bool interrupted;
	bool readonly;
	char *readonly_why; /* why a writer's open fell back to read-only; NULL if asked for */
	bool ready;      /* validated and migrated: only then may close write */
	bool created;    /* this open made the workspace (no file, or an empty one) */
	int check_sqlrc; /* SQLite's code when the workspace check failed */
	struct stmt_cache cache;
	/* The bulk reader (ry_store__bulk_stmt), opened on first use. */
	sqlite3 *bulk;
	bool bulk_failed;
	struct stmt_cache bulk_cache;
	ry_store_conn_init_fn inits[CONN_INITS]; /* run on every connection (ry_store__use) */
	int ninits;
};

sqlite3 *ry_store__db(ry_store *st)
{
	return st->db;
}

void ry_store_interrupt(ry_store *st)
{
	/* Only the main connection: the bulk reader is opened lazily by the
	 * thread that uses the store, so its pointer is not ours to read. */
	if (st && st->db) {
		atomic_store(&st->interrupted, true);
		sqlite3_interrupt(st->db);
	}
}

void ry_store_end_read(ry_store *st)
{
	if (st && st->db && st->txn_depth == 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (st)
		atomic_store(&st->interrupted, false);
}

int ry_store_set_cache_kib(ry_store *st, int kib)
{
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib > 0 ? kib : 1);
	return ry_store__exec(st, sql);
}

const char *ry_store_path(const ry_store *st)
{
	return st->path;
}

bool ry_store_created(const ry_store *st)
{
	return st->created;
}

static int translate(int sqlrc, const char *path, const char *what, const char *msg)
{
	switch (sqlrc & 0xff) {
	case SQLITE_NOTADB:
		return ry_error_set(RY_ESCHEMA, "%s is not a runyard workspace (not an SQLite database); "
		                    "check the path given with --db or RUNYARD_DB", path);
	case SQLITE_CORRUPT:
		return ry_error_set(RY_ECORRUPT, "workspace %s is corrupt (%s while %s); restore it from a backup, "
		                    "or salvage it with: sqlite3 %s .recover", path, msg, what, path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ry_error_set(RY_EBUSY, "workspace %s stayed locked by another process while %s; try again",
		                    path, what);
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_FULL:
		return ry_error_set(RY_EIO, "cannot use workspace %s while %s: %s", path, what, msg);
	default:
		return ry_error_set(RY_ERROR, "workspace %s: %s failed: %s", path, what, msg);
	}
}

int ry_store__sqlerr(ry_store *st, const char *what)
{
	if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_READONLY && st->readonly)
		return ry_error_set(RY_EIO, "workspace %s is open read-only (%s), so %s is not possible",
		                    st->path, st->readonly_why ? st->readonly_why : "as asked", what);
	int code = sqlite3_extended_errcode(st->db);
	/* An interrupt that stopped a statement inside one of our SQL
	 * functions (the filter's sets) comes back as that function's plain
	 * error, its message read after the inner statement was reset: the
	 * request was still interrupted, and says so. */
	if ((code & 0xff) == SQLITE_INTERRUPT || ((code & 0xff) == SQLITE_ERROR && atomic_load(&st->interrupted)))
		return ry_error_set(RY_ERROR, "workspace %s: %s was interrupted", st->path, what);
	return translate(code, st->path, what, sqlite3_errmsg(st->db));
}

int ry_store__exec(ry_store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ry_store__sqlerr(st, "running a statement");
	return 0;
}

static sqlite3_stmt *cached(struct stmt_cache *c, sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	for (int i = 0; i < c->n; i++) {
		if (c->e[i].sql == sql) {
			sqlite3_reset(c->e[i].stmt);
			sqlite3_clear_bindings(c->e[i].stmt);
			return c->e[i].stmt;
		}
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		ry_fatal("internal SQL error: %s\nin: %s", sqlite3_errmsg(db), sql);
	if (c->n == STMT_CACHE)
		ry_fatal("statement cache full (raise STMT_CACHE)");
	c->e[c->n].sql = sql;
	c->e[c->n].stmt = s;
	c->n++;
	return s;
}

static void cache_clear(struct stmt_cache *c)
{
	for (int i = 0; i < c->n; i++)
		sqlite3_finalize(c->e[i].stmt);
	c->n = 0;
}

sqlite3_stmt *ry_store__stmt(ry_store *st, const char *sql)
{
	return cached(&st->cache, st->db, sql);
}

/* Metric histories are the bulk of what is read: a 12-run compare reads
 * ~12 MB of chunks, each spilling over a few 4 KB pages, so through the
 * main connection that is one pread per page (110-140 ms cold on a VM).  A
 * second, read-only connection maps the file instead (16 ms), and touches
 * only the chunk pages, so its mapped pages stay close to what was read.
 * The main connection does not map: its index scans jump around the file,
 * and the kernel maps 16 pages around every page touched, which took a
 * 100k-run TUI to 170 MB resident.  Inside a transaction the main
 * connection is used, so a caller reads its own uncommitted writes. */
sqlite3_stmt *ry_store__bulk_stmt(ry_store *st, const char *sql)
{
	if (!sqlite3_get_autocommit(st->db) || st->bulk_failed)
		return ry_store__stmt(st, sql);
	if (!st->bulk) {
		if (sqlite3_open_v2(st->path, &st->bulk, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    sqlite3_exec(st->bulk, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -2048",
		                 NULL, NULL, NULL) != SQLITE_OK) {
			sqlite3_close_v2(st->bulk);
			st->bulk = NULL;
			st->bulk_failed = true;
			return ry_store__stmt(st, sql);
		}
		sqlite3_extended_result_codes(st->bulk, 1);
		sqlite3_busy_timeout(st->bulk, 5000);
		for (int i = 0; i < st->ninits; i++) {
			if (st->inits[i](st->bulk) != SQLITE_OK) {
				sqlite3_close_v2(st->bulk);
				st->bulk = NULL;
				st->bulk_failed = true;
				return ry_store__stmt(st, sql);
			}
		}
	}
	return cached(&st->bulk_cache, st->bulk, sql);
}

/* The store knows nothing of what the modules above it define on a
 * connection; it only makes sure each of its connections gets it, the
 * bulk reader too when it opens later.  Defining a new SQL function
 * neither expires prepared statements nor needs the connection idle, so
 * asking late (on first use) is safe. */
int ry_store__use(ry_store *st, ry_store_conn_init_fn init)
{
	for (int i = 0; i < st->ninits; i++)
		if (st->inits[i] == init)
			return 0;
	if (st->ninits == CONN_INITS)
		return ry_error_set(RY_ERROR, "internal error: too many connection set-ups on one workspace");
	if (init(st->db) != SQLITE_OK)
		return ry_store__sqlerr(st, "setting up");
	if (st->bulk && init(st->bulk) != SQLITE_OK) {
		/* the main connection serves bulk reads too, as when the reader cannot open */
		cache_clear(&st->bulk_cache);
		sqlite3_close_v2(st->bulk);
		st->bulk = NULL;
		st->bulk_failed = true;
	}
	st->inits[st->ninits++] = init;
	return 0;
}

int ry_store__stmt_err(ry_store *st, sqlite3_stmt *s, const char *what)
{
	sqlite3 *db = sqlite3_db_handle(s);
	return translate(sqlite3_extended_errcode(db), st->path, what, sqlite3_errmsg(db));
}

void ry_store__bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

char *ry_store__column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? ry_xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static int pragma_int(ry_store *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return ry_store__sqlerr(st, "reading the workspace header");
	return 0;
}

/* Validate the file before anything can write to it.  The caller holds a
 * transaction, so the three reads see one state of the file even while
 * another process creates the workspace. */
static int check_workspace(ry_store *st, bool *fresh, int *version)
{
	int appid = 0, ntables = 0, rc;
	if ((rc = pragma_int(st, "PRAGMA application_id", &appid)))
		return rc;
	ry_fault("store-check");
	if ((rc = pragma_int(st, "PRAGMA user_version", version)) ||
	    (rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &ntables)))
		return rc;
	/* An empty file is ours to initialise only if no other program has
	 * claimed it with its own application_id. */
	*fresh = ntables == 0 && *version == 0 && (appid == 0 || appid == RY_APPLICATION_ID);
	if (*fresh)
		return 0;
	if (appid != RY_APPLICATION_ID)
		return ry_error_set(RY_ESCHEMA, "%s is an SQLite database but not a runyard workspace; "
		                    "choose another path with --db or RUNYARD_DB", st->path);
	if (*version > RY_SCHEMA_VERSION)
		return ry_error_set(RY_ESCHEMA, "workspace %s has schema version %d, newer than this runyard "
		                    "understands (%d); upgrade runyard to open it (the file was not changed)",
		                    st->path, *version, RY_SCHEMA_VERSION);
	return 0;
}

/* Check in a read transaction: one snapshot of the header. */
static int check_consistent(ry_store *st, bool *fresh, int *version)
{
	int rc;
	if ((rc = ry_store__exec(st, "BEGIN")))
		return rc;
	rc = check_workspace(st, fresh, version);
	st->check_sqlrc = rc ? sqlite3_extended_errcode(st->db) : SQLITE_OK;
	sqlite3_exec(st->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Create or migrate under the write lock, checking the file again there:
 * the check and the creation are one transaction, so of many processes
 * creating the same new workspace at once one creates it and the others
 * find it made. */
static void (*upgrade_notice)(const char *);

void ry_store_set_upgrade_notice(void (*fn)(const char *sentence))
{
	upgrade_notice = fn;
}

static int migrate_locked(ry_store *st, bool fresh, int version)
{
	int rc;
	if (version == RY_SCHEMA_VERSION)
		return 0;
	if (st->readonly)
		return ry_error_set(RY_ESCHEMA, "workspace %s has schema version %d and needs migrating to %d; "
		                    "open it once with write access", st->path, version, RY_SCHEMA_VERSION);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ry_store__sqlerr(st, "taking the write lock to set the workspace up");
	if ((rc = check_workspace(st, &fresh, &version)))
		goto fail;
	if (version == RY_SCHEMA_VERSION)
		return ry_store__exec(st, "COMMIT");
	if (fresh) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d", RY_APPLICATION_ID);
		if ((rc = ry_store__exec(st, sql)))
			goto fail;
	}
	if (!fresh && upgrade_notice) {
		char *say = ry_xasprintf("upgrading the workspace %s from schema %d to %d (once; large workspaces "
		                         "take a while, about a minute at a million runs)...", st->path, version,
		                         RY_SCHEMA_VERSION);
		upgrade_notice(say);
		free(say);
	}
	if ((rc = ry_store__migrate(st->db, version, RY_SCHEMA_VERSION)))
		goto fail;
	return ry_store__exec(st, "COMMIT");
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* An upgrade that rebuilds tables sorts their indexes: SQLite's sorter
 * may spill to temporary files meanwhile rather than hold it all in memory
 * (890 MB at 10^6 runs for schema 11's).  SQLite changes temp_store only
 * outside a transaction. */
static int migrate(ry_store *st, bool fresh, int version)
{
	bool upgrade = !fresh && version != RY_SCHEMA_VERSION && !st->readonly;
	if (upgrade)
		sqlite3_exec(st->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	int rc = migrate_locked(st, fresh, version);
	if (upgrade)
		sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	return rc;
}

/* Why this process cannot write the workspace at `path` (an existing
 * file), or NULL if it can: the file or its directory (where SQLite keeps
 * the -wal and -shm files) is not writable, or the file system is
 * read-only.  Caller frees. */
static char *not_writable(const char *path)
{
	char *dir = ry_xstrdup(path), *slash = strrchr(dir, '/'), *why = NULL;
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (access(path, W_OK) != 0)
		why = ry_xasprintf("%s: %s", path, strerror(errno));
	else if (access(dir, W_OK) != 0)
		why = ry_xasprintf("directory %s: %s", dir, strerror(errno));
	free(dir);
	return why;
}

/* Reopen st read-only as an immutable file (a file: URI with immutable=1)
 * and check it again.  Only when no -wal file exists. */
static int open_immutable(ry_store *st, bool *fresh, int *version)
{
	char *wal = ry_xasprintf("%s-wal", st->path);
	struct stat sb;
	bool has_wal = stat(wal, &sb) == 0 && sb.st_size > 0;
	ry_buf uri = RY_BUF_INIT;
	int rc;
	free(wal);
	if (has_wal)
		return ry_error_set(RY_EIO, "cannot read workspace %s: it is being written (it has a -wal file) and "
		                    "this process cannot create its -shm file (%s); ask its owner for read access to "
		                    "the directory, or copy the workspace", st->path, st->readonly_why);
	ry_buf_puts(&uri, "file:");
	for (const char *c = st->path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#')
			ry_buf_printf(&uri, "%%%02X", (unsigned char)*c);
		else
			ry_buf_putc(&uri, *c);
	}
	ry_buf_puts(&uri, "?immutable=1");
	sqlite3_close_v2(st->db);
	st->db = NULL;
	if (sqlite3_open_v2(ry_buf_cstr(&uri), &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
	                    NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "opening");
	} else {
		sqlite3_extended_result_codes(st->db, 1);
		sqlite3_busy_timeout(st->db, 5000);
		rc = check_consistent(st, fresh, version);
	}
	ry_buf_free(&uri);
	return rc;
}

/* Put the file in WAL mode (a no-op once it is).  Switching a new file
 * needs it to itself, and SQLite does not wait for that through the busy
 * timeout: while other processes are creating the same workspace, try
 * again for as long as the busy timeout would have waited. */
static int use_wal(ry_store *st)
{
	double until = ry_monotonic() + 5.0;
	for (int attempt = 0;; attempt++) {
		int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		int code = sqlite3_extended_errcode(st->db) & 0xff;
		if (rc == SQLITE_OK)
			return 0;
		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || ry_monotonic() > until)
			return ry_store__sqlerr(st, "switching to write-ahead logging");
		struct timespec ts = { 0, (long)(2 + attempt % 8) * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int ry_store_open(ry_store **out, const char *path, unsigned flags)
{
	ry_store *st;
	struct stat sb;
	char *owned = NULL;
	bool fresh = false, exists;
	int version = 0, rc, oflags;

	*out = NULL;
	if (!path)
		path = owned = ry_default_db_path();
	exists = stat(path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode)) {
		rc = ry_error_set(RY_EIO, "workspace path %s is a directory; give the path of a workspace file, "
		                  "e.g. %s/workspace.db", path, path);
		free(owned);
		return rc;
	}
	if (exists && !S_ISREG(sb.st_mode)) {
		rc = ry_error_set(RY_EIO, "workspace path %s is not a regular file", path);
		free(owned);
		return rc;
	}
	if (exists && access(path, R_OK) != 0) {
		rc = ry_error_set(RY_EIO, "cannot read workspace %s: %s; check its permissions", path, strerror(errno));
		free(owned);
		return rc;
	}
	if (!exists) {
		if (!(flags & RY_STORE_CREATE) || (flags & RY_STORE_READONLY)) {
			rc = ry_error_set(RY_ENOTFOUND, "no workspace at %s; create one with 'runyard demo --db %s' "
			                  "or by opening it with 'runyard --db %s'", path, path, path);
			free(owned);
			return rc;
		}
		char *dir = ry_xstrdup(path), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if ((rc = ry_mkdir_p(dir))) {
				free(dir);
				free(owned);
				return rc;
			}
		}
		free(dir);
	}

	/* An empty file is a workspace only once a writer has made it one: a
	 * command that only reads must not turn it into one. */
	if (exists && sb.st_size == 0 && !(flags & RY_STORE_CREATE)) {
		rc = ry_error_set(RY_ENOTFOUND, "%s is an empty file, not a runyard workspace yet (left unchanged); "
		                  "check the path, or create a workspace there with 'runyard demo --db %s' "
		                  "or 'runyard run --db %s -- CMD'", path, path, path);
		free(owned);
		return rc;
	}

	st = ry_xcalloc(1, sizeof *st);
	st->path = owned ? owned : ry_xstrdup(path);
	st->readonly = (flags & RY_STORE_READONLY) != 0;
	/* Reading must work where writing cannot: open read-only, and say why
	 * when something then needs to write. */
	if (exists && !st->readonly && (st->readonly_why = not_writable(path)))
		st->readonly = true;
	oflags = SQLITE_OPEN_NOMUTEX | (st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
	if (!exists)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(st->path, &st->db, oflags, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	rc = check_consistent(st, &fresh, &version);
	if (rc && st->readonly && (st->check_sqlrc & 0xff) == SQLITE_READONLY) {
		/* A WAL workspace needs its -shm file even to be read, and a
		 * directory we cannot write cannot hold a new one.  With no -wal
		 * file there is nothing beyond the main file to see (a writer
		 * would have made one): read the file as it is. */
		ry_error_clear();
		rc = open_immutable(st, &fresh, &version);
	}
	if (rc)
		goto fail;
	if (fresh && st->readonly) {
		rc = ry_error_set(RY_ENOTFOUND, "%s is an empty database, not a runyard workspace yet, and it cannot be "
		                  "made one here (%s)", st->path, st->readonly_why ? st->readonly_why : "read-only");
		goto fail;
	}
	/* Only now that the file is known to be ours may anything write to it. */
	if (!st->readonly && (rc = use_wal(st)))
		goto fail;
	if ((rc = ry_store__exec(st, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	                             /* 32 MiB of page cache and no mmap: the TUI stays
	                              * under 100 MB resident on a 10^7-point workspace. */
	                             "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;")))
		goto fail;
	if ((rc = migrate(st, fresh, version)))
		goto fail;
	st->created = fresh;
	st->ready = true;
	*out = st;
	return 0;
fail:
	ry_store_close(st);
	return rc;
}

void ry_store_close(ry_store *st)
{
	if (!st)
		return;
	cache_clear(&st->bulk_cache);
	/* The reader goes first, so the main connection is the last one and
	 * checkpoints the WAL away. */
	sqlite3_close_v2(st->bulk);
	cache_clear(&st->cache);
	if (st->db) {
		if (st->txn_depth > 0)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		/* A connection that wrote refreshes the planner's statistics
		 * (bounded work; SQLite's advice for long-lived files).  One that
		 * only read leaves the file exactly as it found it. */
		if (st->ready && !st->readonly && sqlite3_total_changes(st->db) > 0)
			sqlite3_exec(st->db, "PRAGMA analysis_limit = 1000; PRAGMA optimize", NULL, NULL, NULL);
		/* Leave the WAL checkpointed for the next opener. */
		sqlite3_close_v2(st->db);
	}
	free(st->path);
	free(st->readonly_why);
	free(st);
}

bool ry_store_readonly(const ry_store *st)
{
	return st->readonly;
}

const char *ry_store_readonly_why(const ry_store *st)
{
	return st->readonly_why;
}

int ry_store_begin(ry_store *st)
{
	if (st->txn_depth++ > 0)
		return 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		st->txn_depth = 0;
		return ry_store__sqlerr(st, "starting a transaction");
	}
	return 0;
}

int ry_store_commit(ry_store *st)
{
	if (st->txn_depth == 0)
		return 0;
	if (--st->txn_depth > 0)
		return 0;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = ry_store__sqlerr(st, "committing");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

void ry_store_rollback(ry_store *st)
{
	if (st->txn_depth == 0)
		return;
	st->txn_depth = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

char *ry_store_setting_get(ry_store *st, const char *key)
{
	sqlite3_stmt *s = ry_store__stmt(st, "SELECT value FROM settings WHERE key = ?");
	char *v = NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = ry_store__column_dup(s, 0);
	sqlite3_reset(s);
	return v;
}

int ry_store_setting_set(ry_store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = value
		? ry_store__stmt(st, "INSERT INTO settings(key, value) VALUES (?, ?) "
		                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
		: ry_store__stmt(st, "DELETE FROM settings WHERE key = ?");
	int rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "saving a setting");
	sqlite3_reset(s);
	return rc;
}

int ry_store_event(ry_store *st, const char *kind, const char *subject, const char *detail)
{
	sqlite3_stmt *s = ry_store__stmt(st, "INSERT INTO events(ts, actor, kind, subject, detail) "
	                                     "VALUES (?, ?, ?, ?, ?)");
	int rc;
	sqlite3_bind_double(s, 1, ry_now());
	sqlite3_bind_text(s, 2, ry_username(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, subject, -1, SQLITE_STATIC);
	ry_store__bind_text(s, 5, detail);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ry_store__sqlerr(st, "recording an event");
	sqlite3_reset(s);
	return rc;
}

int64_t ry_store_data_version(ry_store *st)
{
	int v = 0;
	pragma_int(st, "PRAGMA data_version", &v);
	return v;
}
