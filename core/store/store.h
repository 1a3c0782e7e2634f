/*
 * The workspace store: one SQLite file per workspace, in WAL mode so that a
 * TUI can read while a tracked job writes from another process.
 *
 * A file this process cannot write (or whose directory it cannot) opens
 * read-only; an empty file becomes a workspace only for a creating open.
 * Opening validates before it writes anything: a file that is not SQLite,
 * not a runyard workspace, corrupt, or made by a newer runyard is refused
 * with a message and left byte-for-byte untouched.  Older workspaces are
 * migrated forward in one transaction.
 */
#ifndef RY_STORE_H
#define RY_STORE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ry_store ry_store;

/* The schema version this build writes (PRAGMA user_version). */
#define RY_SCHEMA_VERSION 11

enum ry_store_flags {
	RY_STORE_CREATE = 1 << 0,   /* create the file (and its directory) if missing, or an empty file */
	RY_STORE_READONLY = 1 << 1, /* never write; refuse (not migrate) an old schema */
};

/* Open the workspace at `path` (NULL: ry_default_db_path()).  On success the
 * caller owns *out and closes it with ry_store_close.  Errors: RY_ENOTFOUND
 * (no such file and no RY_STORE_CREATE), RY_ESCHEMA (not a workspace, or a
 * newer one), RY_ECORRUPT, RY_EIO, RY_EBUSY. */
int ry_store_open(ry_store **out, const char *path, unsigned flags);

/* Close and free; accepts NULL. */
void ry_store_close(ry_store *st);

/* Opened read-only: asked for (RY_STORE_READONLY), or because this
 * process cannot write the file or its directory.  Writes then fail with
 * RY_EIO and a message that says why. */
bool ry_store_readonly(const ry_store *st);
/* Why a store asked for read-write was opened read-only (lent), or NULL. */
const char *ry_store_readonly_why(const ry_store *st);

/* Make what runs on st's main connection now stop, from any thread: the
 * call in progress (a run list, a count) fails soon after with an error
 * that says it was interrupted.  For a front end whose worker computes
 * an answer that is no longer wanted (the next keystroke of a filter).
 * No effect while nothing runs; st must stay open during the call. */
void ry_store_interrupt(ry_store *st);

/* After an interrupted call: end a read transaction it may have left
 * open on the main connection (its COMMIT can be interrupted too), so the
 * next call sees the workspace as it is now.  A transaction of
 * ry_store_begin is left alone.  Errors after it no longer count as
 * interrupted. */
void ry_store_end_read(ry_store *st);

/* Cap the page cache of st's main connection at kib KiB (the default is
 * 32 MiB).  For a second connection a front end's worker opens for range
 * scans bigger than any cache (10^6 runs' list index is ~90 MB): the
 * operating system keeps the file's pages anyway, and the process stays
 * small.  0 or an RY_E* code. */
int ry_store_set_cache_kib(ry_store *st, int kib);

/* Who is told, before it starts, that an existing workspace is being
 * upgraded to this build's schema: a one-time step that rewrites tables
 * and can take a minute at 10^6 runs, which must not look like a hang.
 * fn gets one sentence (lent) on the opening thread; process-wide, set
 * once at start by a front end; NULL (the default) tells no one. */
void ry_store_set_upgrade_notice(void (*fn)(const char *sentence));

/* The path the store was opened with (lent). */
const char *ry_store_path(const ry_store *st);
/* Whether this open made a new workspace (there was no file, or an empty
 * one): a mistyped --db then says so instead of showing an empty one. */
bool ry_store_created(const ry_store *st);

/* Explicit transactions for bulk writes; nestable (only the outermost
 * begin/commit reach SQLite).  Rollback undoes the outermost transaction. */
int ry_store_begin(ry_store *st);
int ry_store_commit(ry_store *st);
void ry_store_rollback(ry_store *st);

/* Workspace-level key/value settings (remembered columns, budgets, ...).
 * ry_store_setting_get returns a newly allocated string the caller frees,
 * or NULL if unset. */
char *ry_store_setting_get(ry_store *st, const char *key);
int ry_store_setting_set(ry_store *st, const char *key, const char *value); /* NULL deletes */

/* Append an audit event (events table).  `detail` may be NULL. */
int ry_store_event(ry_store *st, const char *kind, const char *subject, const char *detail);

/* A change counter that moves whenever any process commits to the workspace
 * (PRAGMA data_version).  Front ends poll it to know when to reload. */
int64_t ry_store_data_version(ry_store *st);

#endif
