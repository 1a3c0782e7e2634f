/*
 * Helpers shared by the subcommands: opening the workspace, reporting errors
 * in one voice, printing outside text safely.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "track/track.h"

int cli_fail(int code)
{
	const char *msg = ry_error_last();
	ry_buf b = RY_BUF_INIT;
	/* Messages quote outside text (run names, paths, filter input): keep the
	 * newlines of a multi-line filter error, escape everything else. */
	ry_sanitize(&b, *msg ? msg : "operation failed", *msg ? strlen(msg) : 16, true);
	fprintf(stderr, "runyard: %s\n", ry_buf_cstr(&b));
	ry_buf_free(&b);
	return ry_error_exit_status(code);
}

int cli_open_store(ry_store **st, const struct cli_global *g, unsigned flags)
{
	/* Every start settles runs whose tracker died (track.h). */
	int rc = ry_track_open_workspace(st, g->db_path, flags);
	return rc ? cli_fail(rc) : 0;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "runyard %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'runyard %s --help'\n", cmd);
	return 2;
}

void cli_put_safe(FILE *f, const char *s)
{
	ry_buf b = RY_BUF_INIT;
	if (!s)
		return;
	ry_sanitize(&b, s, strlen(s), false);
	fputs(ry_buf_cstr(&b), f);
	ry_buf_free(&b);
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}
