/*
 * Shared by the cmocka unit tests: temp workspaces that clean up after
 * themselves.  Include after <cmocka.h>'s prerequisites.
 */
#ifndef RY_TESTUTIL_H
#define RY_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "runyard.h"

/* A fresh temp dir; caller frees the string and removes the dir with
 * ry_test_rmdir. */
static inline char *ry_test_tmpdir(void)
{
	char tmpl[] = "/tmp/runyard-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return ry_xstrdup(d);
}

static inline void ry_test_rmdir(char *dir)
{
	char *cmd = ry_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
	free(cmd);
	free(dir);
}

/* A temp workspace: st is open, dir must be removed afterwards. */
struct ry_test_ws {
	char *dir;
	char *path;
	ry_store *st;
};

static inline void ry_test_ws_open(struct ry_test_ws *ws)
{
	ws->dir = ry_test_tmpdir();
	ws->path = ry_xasprintf("%s/ws.db", ws->dir);
	if (ry_store_open(&ws->st, ws->path, RY_STORE_CREATE) != 0)
		fail_msg("open: %s", ry_error_last());
}

static inline void ry_test_ws_close(struct ry_test_ws *ws)
{
	ry_store_close(ws->st);
	free(ws->path);
	ry_test_rmdir(ws->dir);
}

#endif
