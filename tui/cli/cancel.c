/*
 * `runyard cancel RUN`: kill a remote run's process group on its host and
 * settle it as killed, keeping everything it logged.
 */
#include <string.h>

#include "cli/cli.h"

static const char help[] =
	"usage: runyard cancel RUN\n"
	"\n"
	"Stop a remote run: SIGTERM to its whole process group on the host, SIGKILL\n"
	"5 s later if it is still there.  Its status becomes 'killed'; its log, metrics\n"
	"and artifacts so far are pulled.  RUN is an id, a uuid prefix or a unique name.\n";

int cli_cancel(int argc, char **argv, struct cli_global *g)
{
	const char *spec = NULL;
	struct cli_remote r;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_run *run = NULL;
	int64_t id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cli_help(help);
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			g->db_path = argv[++i];
		else if (argv[i][0] == '-' || spec)
			return cli_usage("cancel", "unexpected argument '%s'", argv[i]);
		else
			spec = argv[i];
	}
	if (!spec)
		return cli_usage("cancel", "which run? give its id, uuid prefix or name");
	if ((rc = cli_remote_open(&r, g, true)))
		return rc;
	o.sshcfg = r.sshcfg;
	o.passphrase = cli_passphrase;
	if ((rc = ry_run_resolve(&id, r.st, spec)) || (rc = ry_remote_cancel(r.st, r.inv, id, &o))) {
		rc = cli_fail(rc);
		cli_remote_close(&r);
		return rc;
	}
	if (ry_run_get(&run, r.st, id) == 0) {
		printf("cancelled run ");
		cli_put_safe(stdout, run->name);
		printf(" (status %s)\n", run->status);
		ry_run_free(run);
	}
	cli_remote_close(&r);
	return 0;
}
