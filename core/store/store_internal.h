/*
 * Internal to core: the SQLite handle behind a store, and the helpers every
 * core module uses to talk to it.  Never included from tui/.
 */
#ifndef RY_STORE_INTERNAL_H
#define RY_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* The connection (lent for the store's lifetime). */
sqlite3 *ry_store__db(ry_store *st);

/* A prepared statement for `sql`, cached on the store by the string's
 * address: pass string literals only.  The statement is reset and its
 * bindings cleared; it stays owned by the store (do not finalize). */
sqlite3_stmt *ry_store__stmt(ry_store *st, const char *sql);

/* Translate the connection's last SQLite error into ry_error_set with a
 * message naming `what` was being done; returns the RY_E* code. */
int ry_store__sqlerr(ry_store *st, const char *what);
/* Like ry_store__stmt, for reading bulk data (metric histories): outside a
 * transaction it runs on a read-only, memory-mapped connection of its own
 * (see store.c for why).  Report its errors with ry_store__stmt_err. */
sqlite3_stmt *ry_store__bulk_stmt(ry_store *st, const char *sql);
/* ry_store__sqlerr for the connection statement s belongs to. */
int ry_store__stmt_err(ry_store *st, sqlite3_stmt *s, const char *what);

/* Something a module above the store defines on a connection (query's
 * ry_idset SQL function): SQLITE_OK or an SQLite code. */
typedef int (*ry_store_conn_init_fn)(sqlite3 *db);
/* Run init on each of st's connections, now and on those it opens later
 * (the bulk reader).  A module calls this before preparing SQL that needs
 * it; asking again with the same init costs a loop over a few pointers.
 * 0 or an RY_E* code. */
int ry_store__use(ry_store *st, ry_store_conn_init_fn init);

/* Run one or more statements without results; 0 or an RY_E* code. */
int ry_store__exec(ry_store *st, const char *sql);

/* Migrations (schema.c): bring `db` from its user_version up to `target`
 * inside the caller's transaction.  0 or an RY_E* code. */
int ry_store__migrate(sqlite3 *db, int from, int target);

/* Bind helpers: text NULL binds SQL NULL. */
void ry_store__bind_text(sqlite3_stmt *s, int i, const char *v);

/* Column helper: a malloc'd copy of a text column, NULL for SQL NULL. */
char *ry_store__column_dup(sqlite3_stmt *s, int i);

#endif
