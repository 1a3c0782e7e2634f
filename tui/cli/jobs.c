/*
 * `runyard jobs [--json]`: the remote runs (launched on SSH hosts), newest
 * first, with their state as last synced.  It does not contact the hosts:
 * `runyard sync` does.
 */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"

static const char help[] =
	"usage: runyard jobs [--json]\n"
	"\n"
	"List remote runs (started with 'runyard launch'), newest first: id, name,\n"
	"status, host, GPUs, duration and cost so far, as 'runyard runs' shows them.\n"
	"The state is what the last 'runyard sync' saw; run it to refresh.\n"
	"\n"
	"Options:\n"
	"  --json      one JSON document (see docs/remote.md)\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok (also when there are none), 1 the workspace could not be\n"
	"read, 2 bad usage.\n";

int cli_jobs(int argc, char **argv, struct cli_global *g)
{
	bool json = false;
	ry_store *st;
	ry_run **runs;
	size_t n;
	double now = ry_now();
	int rc;

	if ((rc = cli_parse_json_db(argc, argv, g, "jobs", help, &json)) >= 0)
		return rc;
	if (optind < argc)
		return cli_extra_arg("jobs", argv[optind], NULL);
	if ((rc = cli_open_store(&st, g, RY_STORE_CREATE)))
		return rc;
	if ((rc = ry_remote_jobs(st, &runs, &n))) {
		rc = cli_fail(rc);
		ry_store_close(st);
		return rc;
	}
	if (json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "jobs");
		for (size_t i = 0; i < n && !rc; i++) {
			/* the run object every command prints (docs/json.md) */
			ry_metric_summary *m = NULL;
			size_t nm = 0;
			if ((rc = ry_metrics_summaries(st, runs[i]->id, &m, &nm)))
				break;
			cJSON_AddItemToArray(arr, cli_json_run(st, runs[i], m, nm, now));
			ry_metric_summaries_free(m, nm);
		}
		if (rc) {
			cJSON_Delete(root);
			rc = cli_fail(rc);
		} else {
			rc = cli_json_print(root);
		}
	} else if (n == 0) {
		printf("no remote jobs yet; start one with 'runyard launch --host HOST -- CMD'\n");
	} else {
		/* the runs table's style (cli/table.c): cut with an ellipsis, not
		 * silently, numbers right-aligned */
		static const char *const head[] = { "id", "name", "status", "host", "gpus", "duration", "cost" };
		cli_table *t = cli_table_new(7);
		for (size_t j = 0; j < 7; j++)
			cli_table_column(t, j, head[j], j == 0 || j >= 5, j == 1 ? 32 : 24);
		for (size_t i = 0; i < n; i++) {
			ry_run *r = runs[i];
			char dur[32];
			double d = ry_run_duration(r, now), c = ry_run_cost(r, now);
			if (isnan(d))
				snprintf(dur, sizeof dur, "-");
			else
				ry_format_duration(d, dur, sizeof dur);
			cli_table_row(t);
			cli_table_cellf(t, 0, "%lld", (long long)r->id);
			cli_table_cell(t, 1, r->name);
			cli_table_cell(t, 2, r->status);
			cli_table_cell(t, 3, r->host);
			char *gpus = ry_run_gpus_text(r->gpus);
			cli_table_cell(t, 4, gpus);
			free(gpus);
			cli_table_cell(t, 5, dur);
			if (isnan(c) || isnan(d)) /* never started: no cost, as runs shows it */
				cli_table_cell(t, 6, NULL);
			else
				cli_table_cellf(t, 6, "$%.2f", c);
		}
		cli_table_print(t, stdout, true);
		cli_table_free(t);
	}
	ry_remote_jobs_free(runs, n);
	ry_store_close(st);
	return rc;
}
