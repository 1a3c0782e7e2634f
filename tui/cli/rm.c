/*
 * `runyard rm RUN [--force]`: delete a run and what it recorded (params,
 * tags, metrics, artifact records).  A run that is the source of registered
 * model versions is refused unless --force, which keeps the versions and
 * their artifacts and drops only their link to the run.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli/registry.h"

static const char help[] =
	"usage: runyard rm RUN [--force] [--db PATH]\n"
	"\n"
	"Delete run RUN (numeric id, uuid prefix or unique name) with its params,\n"
	"tags, metrics and artifact records.  Stored artifact files are kept (other\n"
	"runs or model versions may share them).  A running run is refused.\n"
	"\n"
	"A run that is the source of registered model versions is refused: deleting\n"
	"it would lose their lineage.  --force deletes it anyway; the versions and\n"
	"their artifacts stay, shown with their source run as deleted.\n"
	"\n"
	"Options:\n"
	"  --force     delete even a run with registered model versions\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 deleted, 1 refused or failed, 2 bad usage.\n";

int cli_rm(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		CLI_OPTIONS_END,
	};
	bool force = false;
	ry_run *run = NULL;
	struct cli_getopt go = CLI_GETOPT_INIT("rm", help, g);
	ry_store *st;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "hf", opts)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		default: return go.status;
		}
	}
	if (argc - optind != 1)
		return cli_usage("rm", "expected one RUN");
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_run_find(&run, st, argv[optind])) || (rc = ry_registry_run_delete(st, run->id, force))) {
		ry_run_free(run);
		return cli_reg_fail(st, rc);
	}
	printf("deleted run ");
	cli_put_safe(stdout, run->name);
	printf(" (id %lld)\n", (long long)run->id);
	ry_run_free(run);
	ry_store_close(st);
	return 0;
}
