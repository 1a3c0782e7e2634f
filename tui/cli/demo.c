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

/* A whole non-negative decimal number, within max. */
static bool parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

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
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	ry_demo_options o = RY_DEMO_OPTIONS_INIT;
	ry_store *st;
	uint64_t v;
	int64_t bytes = 0, points = 0;
	double t0;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!parse_count(optarg, 10000000, &v))
				return cli_usage("demo", "--runs wants a whole number from 0 to 10000000, not '%s'", optarg);
			o.runs = (size_t)v;
			break;
		case 's':
			if (!parse_count(optarg, 1000000, &v))
				return cli_usage("demo", "--steps wants a whole number from 0 to 1000000, not '%s'", optarg);
			o.steps = (size_t)v;
			break;
		case 'S':
			if (!parse_count(optarg, UINT64_MAX, &v))
				return cli_usage("demo", "--seed wants a whole non-negative number, not '%s'", optarg);
			o.seed = v;
			break;
		case 'D':
			g->db_path = optarg;
			break;
		case 'h':
			return cli_help(help);
		case ':':
			return cli_usage("demo", "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage("demo", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("demo", "unexpected argument '%s'", argv[optind]);

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
