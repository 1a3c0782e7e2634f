/*
 * The code diff between two runs' commits, for `runyard compare --code RUN
 * RUN` (the compare subcommand calls this; it owns the option parsing).
 * Patch text comes from a repository on this machine, so it is sanitised
 * like any outside text, keeping its newlines.
 */

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "git/gitprov.h"

int cli_code_diff(ry_store *st, const char *run_a, const char *run_b)
{
	int64_t a, b;
	char *patch = NULL;
	ry_buf safe = RY_BUF_INIT;
	int rc;
	if ((rc = ry_run_resolve(&a, st, run_a)) || (rc = ry_run_resolve(&b, st, run_b)) ||
	    (rc = ry_gitprov_diff_runs(st, a, b, &patch)))
		return cli_fail(rc);
	if (!*patch)
		printf("no code changes between the two runs' commits\n");
	ry_sanitize(&safe, patch, strlen(patch), true);
	fputs(ry_buf_cstr(&safe), stdout);
	ry_buf_free(&safe);
	free(patch);
	return 0;
}
