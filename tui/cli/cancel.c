/*
 * `runyard cancel RUN`: kill a remote run's process group on its host and
 * settle it as killed, keeping everything it logged.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
	"usage: runyard cancel RUN\n"
	"\n"
	"Stop a remote run: SIGTERM to its whole process group on the host, SIGKILL\n"
	"if any of the group is still there 10 s later, then a check that none is.\n"
	"Its status becomes 'killed'; its log, metrics and artifacts so far are\n"
	"pulled.  A queued run that has not started is told not to start.  A run on\n"
	"a Slurm host is cancelled with scancel, waiting until Slurm lists it no\n"
	"more.  RUN is an id, a uuid prefix or a unique name (docs/remote.md).\n"
	"\n"
	"Options:\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 cancelled, 1 no such run, not a remote run (a local run is\n"
	"stopped with Ctrl-C in its terminal), already settled, its host could not\n"
	"be reached or a process of the job survived SIGKILL, 2 bad usage.\n";

int cli_cancel(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = { CLI_OPTIONS_END };
	struct cli_getopt go = CLI_GETOPT_INIT("cancel", help, g);
	const char *spec;
	struct cli_remote r;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_run *run = NULL;
	int64_t id;
	int rc;

	if (cli_getopt(&go, argc, argv, "h", opts) != -1)
		return go.status;
	if (optind >= argc)
		return cli_usage("cancel", "which run? give its id, uuid prefix or name");
	if (optind + 1 < argc)
		return cli_extra_arg("cancel", argv[optind + 1], NULL);
	spec = argv[optind];
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
