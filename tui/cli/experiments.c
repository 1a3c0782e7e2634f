/*
 * `runyard experiments`: every experiment of the workspace with its run
 * counts, total cost and age, as a table or a JSON array.  It only reads.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard experiments [--db PATH] [--json]\n"
	"\n"
	"List the experiments of the workspace: name, number of runs, how many are\n"
	"running now, total cost of their runs and when the experiment was created.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON array instead of a table (docs/json.md)\n"
	"  --db PATH   workspace file (default: $RUNYARD_DB, else\n"
	"              $XDG_DATA_HOME/runyard/workspace.db)\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 1 the workspace could not be read, 2 bad usage.\n";

static int print_json(const ry_experiment *e, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)e[i].id);
		cJSON_AddItemToObject(o, "name", cli_json_string(e[i].name));
		cJSON_AddItemToObject(o, "description", cli_json_string(e[i].description));
		cJSON_AddNumberToObject(o, "runs", (double)e[i].nruns);
		cJSON_AddNumberToObject(o, "running", (double)e[i].nrunning);
		cJSON_AddItemToObject(o, "cost", cli_json_number(e[i].cost));
		cli_json_add_time(o, "created", e[i].created);
		cJSON_AddItemToArray(arr, o);
	}
	return cli_json_print(arr);
}

static void print_text(const ry_experiment *e, size_t n)
{
	cli_table *t = cli_table_new(5);
	double now = ry_now();
	if (n == 0) {
		printf("No experiments yet.  Track a run with 'runyard run -- CMD', or try 'runyard demo'.\n");
		cli_table_free(t);
		return;
	}
	cli_table_column(t, 0, "name", false, 40);
	cli_table_column(t, 1, "runs", true, 10);
	cli_table_column(t, 2, "running", true, 10);
	cli_table_column(t, 3, "cost", true, 14);
	cli_table_column(t, 4, "created", false, 14);
	for (size_t i = 0; i < n; i++) {
		char age[32], cost[64];
		ry_format_age(e[i].created, now, age, sizeof age);
		cli_table_row(t);
		cli_table_cell(t, 0, e[i].name);
		cli_table_cellf(t, 1, "%lld", (long long)e[i].nruns);
		cli_table_cellf(t, 2, "%lld", (long long)e[i].nrunning);
		tui_present_run_cost(cost, sizeof cost, e[i].cost, 0); /* "-": no run has a cost */
		cli_table_cell(t, 3, cost);
		cli_table_cell(t, 4, age);
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
}

int cli_experiments(int argc, char **argv, struct cli_global *g)
{
	bool json = false;
	ry_store *st;
	ry_experiment *e = NULL;
	size_t n = 0;
	int rc;

	if ((rc = cli_parse_json_db(argc, argv, g, "experiments", help, &json)) >= 0)
		return rc;
	if (optind < argc)
		return cli_extra_arg("experiments", argv[optind], NULL);

	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_experiments_list(st, &e, &n))) {
		rc = cli_fail(rc);
		ry_store_close(st);
		return rc;
	}
	if (json)
		rc = print_json(e, n);
	else
		print_text(e, n);
	ry_experiments_free(e, n);
	ry_store_close(st);
	return rc;
}
