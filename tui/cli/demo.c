/*
 * `runyard demo`: seed a workspace (created if missing) with the demo data
 * of core/demo/demo.c and say in one line what it added.  Sizes scale up to
 * benchmark workspaces with --runs and --steps.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char help[] =
	"usage: runyard demo [--db PATH] [--runs N] [--steps N] [--seed N]\n"
	"\n"
	"Seed a workspace with realistic demo data: three experiments (an image\n"
	"classifier sweep, a tabular churn model, an LLM LoRA fine-tune), hosts with\n"
	"hourly prices, and runs with params, tags, notes, git provenance, costs,\n"
	"statuses (finished, failed, killed, running, queued) and metric curves\n"
	"shaped like real training.  The workspace is created if it does not exist;\n"
	"an existing one keeps its data and gets the demo runs added.  The same seed\n"
	"gives the same data.\n"
	"\n"
	"Options:\n"
	"  --runs N    number of runs (default 72; up to 10000000)\n"
	"  --steps N   logged steps per run for each metric (default 200; 0 for none)\n"
	"  --seed N    random seed (default 42)\n"
	"  --db PATH   workspace file (default: $RUNYARD_DB, else\n"
	"              $XDG_DATA_HOME/runyard/workspace.db)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Example: runyard demo --db /tmp/big.db --runs 100000 --steps 20\n"
	"\n"
	"Exit status: 0 ok, 1 the workspace could not be written, 2 bad usage.\n";

static void progress(double fraction, void *payload)
{
	(void)payload;
	fprintf(stderr, "\rseeding demo workspace... %3.0f%%", fraction * 100.0);
	if (fraction >= 1.0)
		fputs("\r                                  \r", stderr);
	fflush(stderr);
}

int cli_demo(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "steps", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		CLI_OPTIONS_END,
	};
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	ry_store *st;
	uint64_t v;
	int64_t bytes = 0, points = 0;
	double t0;
	struct cli_getopt go = CLI_GETOPT_INIT("demo", help, g);
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'r':
			if (!cli_parse_count(optarg, 0, 10000000, &v))
				return cli_bad_value("demo", "--runs", optarg, "a whole number from 0 to 10000000");
			o.runs = (size_t)v;
			break;
		case 's':
			if (!cli_parse_count(optarg, 0, 1000000, &v))
				return cli_bad_value("demo", "--steps", optarg, "a whole number from 0 to 1000000");
			o.steps = (size_t)v;
			break;
		case 'S':
			if (!cli_parse_count(optarg, 0, UINT64_MAX, &v))
				return cli_bad_value("demo", "--seed", optarg, "a whole non-negative number");
			o.seed = v;
			break;
		default:
			return go.status;
		}
	}
	if (optind < argc)
		return cli_extra_arg("demo", argv[optind], NULL);

	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE)))
		return rc;
	if (isatty(STDERR_FILENO) && o.runs >= 5000)
		o.progress = progress;
	t0 = ry_monotonic();
	if ((rc = ry_demo_seed(st, &o)) || (rc = ry_metrics_storage(st, &bytes, &points))) {
		rc = cli_fail(rc);
		ry_store_close(st);
		return rc;
	}
	printf("seeded ");
	cli_put_safe(stdout, ry_store_path(st));
	printf(": added %zu runs in %d experiments; the workspace holds %" PRId64 " metric points (%.1fs)\n",
	       o.runs, o.runs == 0 ? 0 : o.runs < 4 ? 1 : 3, points, ry_monotonic() - t0);
	ry_store_close(st);
	return 0;
}
