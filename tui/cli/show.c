/*
 * `runyard show RUN`: everything runyard knows about one run: identity,
 * where and how it ran, times and cost, git provenance, params, tags, notes
 * a summary of each metric and the artifacts it recorded.  Full metric
 * histories are `runyard metrics`'s job, not this one's.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard show RUN [--json] [--db PATH]\n"
	"\n"
	"Show one run: ids, experiment, status, command, working directory, host and\n"
	"GPUs, times, duration, exit code, cost, git commit/branch/remote and whether\n"
	"the tree was dirty, params, tags, notes, and for each metric its last, min\n"
	"and max value and number of points, and the artifacts it recorded.\n"
	"\n"
	"RUN is a numeric id (12), a uuid prefix of at least 4 hex digits (3f9a) or a\n"
	"unique run name (brave-otter-42).  An ambiguous prefix or name lists the\n"
	"candidates.\n"
	"\n"
	"Options:\n"
	"  --json      print one JSON object (docs/json.md)\n"
	"  --db PATH   workspace file\n"
	"  -h, --help  print this help\n"
	"\n"
	"Exit status: 0 ok, 1 no such run, an ambiguous RUN or the workspace could\n"
	"not be read, 2 bad usage.\n";

static void field(const char *label, const char *value)
{
	printf("  %-11s ", label);
	cli_put_safe(stdout, value && *value ? value : "-");
	putchar('\n');
}

static void time_field(const char *label, double ts, double now)
{
	char iso[32], age[32], both[80];
	if (ts <= 0) {
		field(label, "-");
		return;
	}
	ry_format_time(ts, iso, sizeof iso);
	ry_format_age(ts, now, age, sizeof age);
	snprintf(both, sizeof both, "%s (%s)", iso, age);
	field(label, both);
}

static void kv_block(const char *title, const ry_kv *kv, size_t n)
{
	cli_table *t;
	if (n == 0)
		return;
	printf("\n%s\n", title);
	t = cli_table_new(2);
	cli_table_column(t, 0, "", false, 32);
	cli_table_column(t, 1, "", false, 200);
	for (size_t i = 0; i < n; i++) {
		cli_table_row(t);
		cli_table_cellf(t, 0, "  %s", kv[i].key);
		cli_table_cell(t, 1, kv[i].value && *kv[i].value ? kv[i].value : "-");
	}
	cli_table_print(t, stdout, false);
	cli_table_free(t);
}

static void metrics_block(ry_store *st, int64_t experiment_id, const ry_metric_summary *m, size_t n)
{
	cli_table *t;
	if (n == 0) {
		printf("\nmetrics: none logged\n");
		return;
	}
	printf("\nmetrics\n");
	t = cli_table_new(6);
	cli_table_column(t, 0, "  key", false, 34);
	cli_table_column(t, 1, "last", true, 14);
	cli_table_column(t, 2, "min", true, 14);
	cli_table_column(t, 3, "max", true, 14);
	cli_table_column(t, 4, "points", true, 12);
	cli_table_column(t, 5, "goal", false, 6);
	for (size_t i = 0; i < n; i++) {
		char buf[32];
		cli_table_row(t);
		cli_table_cellf(t, 0, "  %s", m[i].key);
		cli_format_number(m[i].last, buf, sizeof buf);
		cli_table_cell(t, 1, buf);
		cli_format_number(m[i].min, buf, sizeof buf);
		cli_table_cell(t, 2, buf);
		cli_format_number(m[i].max, buf, sizeof buf);
		cli_table_cell(t, 3, buf);
		cli_table_cellf(t, 4, "%lld", (long long)m[i].n);
		cli_table_cell(t, 5, ry_metric_goal_name(ry_metric_goal_in(st, experiment_id, m[i].key)));
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
}

/* Artifacts: the count, and the files themselves up to a screenful. */
static void artifacts_block(const ry_artifact *a, size_t n)
{
	enum { SHOWN = 20 };
	cli_table *t;
	if (n == 0) {
		printf("\nartifacts: none\n");
		return;
	}
	printf("\nartifacts: %zu\n", n);
	t = cli_table_new(3);
	cli_table_column(t, 0, "", false, 60);
	cli_table_column(t, 1, "", true, 12);
	cli_table_column(t, 2, "", false, 12);
	for (size_t i = 0; i < n && i < SHOWN; i++) {
		cli_table_row(t);
		cli_table_cellf(t, 0, "  %s", a[i].path);
		if (a[i].size >= 0)
			cli_table_cellf(t, 1, "%lld", (long long)a[i].size);
		/* one left at its source shows where it lives instead of a hash */
		if (a[i].sha256[0])
			cli_table_cellf(t, 2, "%.8s", a[i].sha256);
		else
			cli_table_cellf(t, 2, "at %s", a[i].uri ? a[i].uri : "?");
	}
	cli_table_print(t, stdout, false);
	cli_table_free(t);
	if (n > SHOWN)
		printf("  ... and %zu more (runyard show RUN --json lists them all)\n", n - SHOWN);
}

static void print_text(ry_store *st, const ry_run *r, const ry_metric_summary *m, size_t nm,
                       const ry_artifact *a, size_t na)
{
	double now = ry_now(), dur = ry_run_duration(r, now), cost = ry_run_cost(r, now);
	char buf[512], d[32];

	printf("run %lld  ", (long long)r->id);
	cli_put_safe(stdout, r->name);
	putchar('\n');
	field("uuid", r->uuid);
	field("experiment", r->experiment);
	if (r->has_exit_code)
		snprintf(buf, sizeof buf, "%s (exit %d)", r->status ? r->status : "?", r->exit_code);
	else
		snprintf(buf, sizeof buf, "%s", r->status ? r->status : "?");
	field("status", buf);
	field("command", r->command);
	field("cwd", r->cwd);
	field("host", r->host);
	char *gpus = ry_run_gpus_text(r->gpus);
	field("gpus", gpus);
	free(gpus);
	field("source", r->source);
	if (r->remote_dir)
		field("remote dir", r->remote_dir);
	if (r->pid > 0 && r->status && !strcmp(r->status, "running")) {
		snprintf(buf, sizeof buf, "%lld", (long long)r->pid);
		field("pid", buf);
	}
	time_field("created", r->created, now);
	time_field("started", r->started, now);
	time_field("ended", r->ended, now);
	ry_format_duration(dur, d, sizeof d);
	field("duration", isfinite(dur) ? d : "-");
	if (r->time_limit > 0) {
		ry_format_duration(r->time_limit, d, sizeof d);
		field("time limit", d);
	}
	tui_present_run_cost(buf, sizeof buf, cost, r->cost_rate);
	field("cost", buf);
	if (r->git_commit) {
		snprintf(buf, sizeof buf, "%s%s%s%s", r->git_commit,
		         r->git_branch ? " on " : "", r->git_branch ? r->git_branch : "",
		         r->git_dirty == 1 ? (r->git_diff_truncated ? " (dirty, diff truncated)" : " (dirty)")
		         : r->git_dirty == 0 ? " (clean)" : "");
		field("git", buf);
		if (r->git_remote)
			field("git remote", r->git_remote);
	} else {
		field("git", "-");
	}
	if (r->malformed_lines > 0) {
		snprintf(buf, sizeof buf, "%lld malformed metric lines skipped", (long long)r->malformed_lines);
		field("ingest", buf);
	}
	kv_block("params", r->params, r->nparams);
	kv_block("tags", r->tags, r->ntags);
	if (r->notes && *r->notes) {
		ry_buf b = RY_BUF_INIT;
		/* Notes are multi-line prose: keep their newlines, indent each line. */
		ry_sanitize(&b, r->notes, strlen(r->notes), true);
		printf("\nnotes\n  ");
		for (const char *p = ry_buf_cstr(&b); *p; p++) {
			putchar(*p);
			if (*p == '\n' && p[1])
				fputs("  ", stdout);
		}
		if (b.len && b.ptr[b.len - 1] != '\n')
			putchar('\n');
		ry_buf_free(&b);
	}
	metrics_block(st, r->experiment_id, m, nm);
	artifacts_block(a, na);
}

/* The run object every command prints (cli_json_run), plus what only show
 * gives: provenance, notes and artifacts. */
static int print_json(ry_store *st, const ry_run *r, const ry_metric_summary *m, size_t nm,
                      const ry_artifact *a, size_t na)
{
	cJSON *o = cli_json_run(st, r, m, nm, ry_now()), *git, *arts;
	git = cJSON_AddObjectToObject(o, "git");
	cJSON_AddItemToObject(git, "commit", cli_json_string(r->git_commit));
	cJSON_AddItemToObject(git, "branch", cli_json_string(r->git_branch));
	cJSON_AddItemToObject(git, "remote", cli_json_string(r->git_remote));
	if (r->git_dirty < 0)
		cJSON_AddNullToObject(git, "dirty");
	else
		cJSON_AddBoolToObject(git, "dirty", r->git_dirty == 1);
	cJSON_AddBoolToObject(git, "diff_truncated", r->git_diff_truncated);
	cJSON_AddItemToObject(o, "notes", cli_json_string(r->notes));
	arts = cJSON_AddArrayToObject(o, "artifacts");
	for (size_t i = 0; i < na; i++) {
		cJSON *f = cJSON_CreateObject();
		cJSON_AddItemToObject(f, "path", cli_json_string(a[i].path));
		cJSON_AddItemToObject(f, "size", a[i].size >= 0 ? cJSON_CreateNumber((double)a[i].size) : cJSON_CreateNull());
		cJSON_AddItemToObject(f, "sha256", a[i].sha256[0] ? cJSON_CreateString(a[i].sha256) : cJSON_CreateNull());
		cJSON_AddItemToObject(f, "uri", cli_json_string(a[i].uri));
		cJSON_AddItemToArray(arts, f);
	}
	return cli_json_print(o);
}

int cli_show(int argc, char **argv, struct cli_global *g)
{
	bool json = false;
	const char *spec;
	ry_store *st;
	ry_run *r = NULL;
	ry_metric_summary *m = NULL;
	ry_artifact *a = NULL;
	size_t nm = 0, na = 0;
	int rc;

	if ((rc = cli_parse_json_db(argc, argv, g, "show", help, &json)) >= 0)
		return rc;
	if (optind >= argc)
		return cli_usage("show", "which run?  Give a run id, uuid prefix or name");
	if (optind + 1 < argc)
		return cli_usage("show", "one run at a time; to compare runs use 'runyard compare RUN RUN...'");
	spec = argv[optind];

	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if ((rc = ry_run_find(&r, st, spec)) || (rc = ry_metrics_summaries(st, r->id, &m, &nm)) ||
	    (rc = ry_artifact_list(st, r->id, &a, &na))) {
		rc = cli_fail(rc);
	} else if (json) {
		rc = print_json(st, r, m, nm, a, na);
	} else {
		print_text(st, r, m, nm, a, na);
		rc = 0;
	}
	ry_artifacts_free(a, na);
	ry_metric_summaries_free(m, nm);
	ry_run_free(r);
	ry_store_close(st);
	return rc;
}
