/*
 * Shared by the unit tests that set a workspace up with SQL of their own
 * (fixtures too big or too odd for the API): one statement list run on
 * the store's connection, the test failed with SQLite's words if it fails.
 * Include after testutil.h.
 */
#ifndef RY_SQLUTIL_H
#define RY_SQLUTIL_H

#include "store/store_internal.h"

static inline void ry_test_exec(ry_store *st, const char *sql)
{
	if (ry_store__exec(st, sql) != 0)
		fail_msg("SQL failed: %s\n%s", ry_error_last(), sql);
}

#endif
