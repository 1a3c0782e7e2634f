/*
 * `runyard compare RUN RUN...`: runs side by side.  Params are rows and runs
 * are columns; a row whose values differ between runs is marked.  Metrics
 * follow as summary rows (last and best per metric) with the best run of
 * each row marked, "best" meaning higher or lower as ry_metric_goal says.
 * Curves are the TUI's job; this prints numbers only.  The runs are named
 * on the command line or selected with runs' --filter/--sort/--limit, which
 * core's run listing (runlist.h) evaluates, so a filter selects the same
 * runs here as in `runyard runs`.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/output.h"
#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard compare RUN RUN... [--diff-only] [--json | --csv]\n"
	"                       [--db PATH]\n"
	"       runyard compare [--filter EXPR] [--sort KEY[:desc]] [--limit N]\n"
	"                       [--diff-only] [--json | --csv] [--db PATH]\n"
	"       runyard compare --code RUN RUN\n"
	"\n"
	"Compare runs side by side: experiment, status, host, duration and cost,\n"
	"then params as rows with runs as columns, then metric summaries.  Name\n"
	"the runs, or select them the way `runyard runs` does (--filter, --sort,\n"
	"--limit; newest first unless sorted), e.g. the best three:\n"
	"  runyard compare --sort val_acc:desc --limit 3\n"
	"\n"
	"In the table, '*' before a param marks a row whose values differ between\n"
	"the runs; for metrics, 'last' is the final value and 'best' the highest or\n"
	"lowest value seen (higher is better for accuracy-like names, lower for\n"
	"loss-like names; set workspace setting metric.KEY.goal to override), and\n"
	"'*' after a value marks the best run of that row.\n"
	"\n"
	"RUN is a numeric id, a uuid prefix (4+ hex digits) or a unique name.\n"
	"\n"
	"Options:\n"
	CLI_HELP_FILTER
	"  -s, --sort KEY[:desc] order of the selected runs (default: newest first)\n"
	"  -n, --limit N         at most N runs (N from 1)\n"
	"  -d, --diff-only       hide params that are the same in every run\n"
	"  --json                print one JSON object (docs/json.md)\n"
	"  --csv                 the comparison as CSV, one column per run: a header\n"
	"                        row kind,key,RUN...; a 'param' row per param, then\n"
	"                        'last', 'best', 'min', 'max' and 'n' rows per metric\n"
	"                        (numbers in full, a missing value empty)\n"	"  --code                print the code diff between the two runs' git\n"
	"                        commits (read from the repository at the first\n"
	"                        run's directory)\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 ok, 1 a run was not found or is ambiguous, fewer than two\n"
	"runs were selected, or the workspace could not be read, 2 bad usage or an\n"
	"invalid filter or sort.\n";

struct cmp_run {
	ry_run *r;
	ry_metric_summary *m;
	size_t nm;
};

struct cmp {
	struct cmp_run *runs;
	size_t n;
	char **pkeys;  /* union of param keys, sorted */
	size_t npkeys;
	char **mkeys;  /* union of metric keys, sorted */
	size_t nmkeys;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, de-duplicated union of keys; returns the array (count in *n). */
static char **union_add(char **keys, size_t *n, size_t *cap, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(keys[i], key))
			return keys;
	keys = ry_xgrow(keys, cap, *n + 1, sizeof *keys);
	keys[(*n)++] = ry_xstrdup(key);
	return keys;
}

static const char *param_of(const ry_run *r, const char *key)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].key, key))
			return r->params[i].value;
	return NULL;
}

static const ry_metric_summary *metric_of(const struct cmp_run *cr, const char *key)
{
	for (size_t i = 0; i < cr->nm; i++)
		if (!strcmp(cr->m[i].key, key))
			return &cr->m[i];
	return NULL;
}

/* The goal of metric key for these runs: their experiment's when they
 * share one (core decides). */
static int goal_of(const struct cmp *c, ry_store *st, const char *key)
{
	int64_t *exps = ry_xcalloc(c->n ? c->n : 1, sizeof *exps);
	for (size_t i = 0; i < c->n; i++)
		exps[i] = c->runs[i].r->experiment_id;
	int goal = ry_metric_goal_of_runs(st, exps, c->n, key);
	free(exps);
	return goal;
}

static double best_of(const ry_metric_summary *s, int goal)
{
	return ry_metric_summary_best(s, goal);
}

/* Values are the same when equal as text, or as numbers ("0.10" = "0.1"). */
static bool same_value(const char *a, const char *b)
{
	double x, y;
	if (!a || !b)
		return a == b;
	if (!strcmp(a, b))
		return true;
	return ry_parse_number(a, &x) && ry_parse_number(b, &y) && x == y;
}

static bool param_differs(const struct cmp *c, const char *key)
{
	const char *first = param_of(c->runs[0].r, key);
	for (size_t i = 1; i < c->n; i++)
		if (!same_value(first, param_of(c->runs[i].r, key)))
			return true;
	return false;
}

/* Load the runs named by specs[i], or, when specs is NULL, by ids[i]. */
static int load(struct cmp *c, ry_store *st, char **specs, const int64_t *ids, size_t n)
{
	size_t pcap = 0, mcap = 0;
	int rc;
	c->runs = ry_xcalloc(n, sizeof *c->runs);
	for (size_t i = 0; i < n; i++) {
		struct cmp_run *cr = &c->runs[i];
		if ((rc = specs ? ry_run_find(&cr->r, st, specs[i]) : ry_run_get(&cr->r, st, ids[i])))
			return rc;
		c->n++;
		if ((rc = ry_metrics_summaries(st, cr->r->id, &cr->m, &cr->nm)))
			return rc;
		for (size_t k = 0; k < cr->r->nparams; k++)
			c->pkeys = union_add(c->pkeys, &c->npkeys, &pcap, cr->r->params[k].key);
		for (size_t k = 0; k < cr->nm; k++)
			c->mkeys = union_add(c->mkeys, &c->nmkeys, &mcap, cr->m[k].key);
	}
	if (c->npkeys)
		qsort(c->pkeys, c->npkeys, sizeof *c->pkeys, cmp_str);
	if (c->nmkeys)
		qsort(c->mkeys, c->nmkeys, sizeof *c->mkeys, cmp_str);
	return 0;
}

static void cmp_free(struct cmp *c)
{
	for (size_t i = 0; i < c->n; i++) {
		ry_run_free(c->runs[i].r);
		ry_metric_summaries_free(c->runs[i].m, c->runs[i].nm);
	}
	free(c->runs);
	ry_strings_free(c->pkeys, c->npkeys);
	ry_strings_free(c->mkeys, c->nmkeys);
}

/* ---- text -------------------------------------------------------------- */

static void summary_row(cli_table *t, const struct cmp *c, enum tui_present_summary which)
{
	double now = ry_now();
	cli_table_row(t);
	cli_table_cell(t, 0, "");
	cli_table_cell(t, 1, tui_present_summary_name(which));
	for (size_t i = 0; i < c->n; i++) {
		char buf[256];
		tui_present_summary(buf, sizeof buf, c->runs[i].r, which, now);
		cli_table_cell(t, 2 + i, buf);
	}
}

/* A metric's "last" or "best" row; with goal 0 the last row has no arrow
 * and no run is marked. */
static void metric_row(cli_table *t, const struct cmp *c, const char *key, int goal, bool last)
{
	double *v = ry_xcalloc(c->n, sizeof *v);
	long best;
	char label[300];
	for (size_t i = 0; i < c->n; i++) {
		const ry_metric_summary *s = metric_of(&c->runs[i], key);
		v[i] = last ? (s ? s->last : NAN) : best_of(s, goal);
	}
	best = c->n > 1 ? ry_metric_best_index(v, c->n, goal) : -1;
	snprintf(label, sizeof label, "  %s %s %s", key, last ? "last" : "best",
	         !goal ? "" : cli_utf8() ? (goal > 0 ? "\xe2\x86\x91" : "\xe2\x86\x93") : (goal > 0 ? "(max)" : "(min)"));
	cli_table_row(t);
	cli_table_cell(t, 0, "");
	cli_table_cell(t, 1, label);
	for (size_t i = 0; i < c->n; i++) {
		char buf[40];
		cli_format_number(v[i], buf, sizeof buf);
		cli_table_cellf(t, 2 + i, "%s%s", buf, (long)i == best ? "*" : " ");
	}
	free(v);
}

static void print_text(const struct cmp *c, ry_store *st, bool diff_only)
{
	cli_table *t = cli_table_new(2 + c->n);
	size_t hidden = 0;

	cli_table_column(t, 0, "", false, 1);
	cli_table_column(t, 1, "", false, 32);
	for (size_t i = 0; i < c->n; i++) {
		char *head = ry_xasprintf("#%lld %s", (long long)c->runs[i].r->id,
		                          c->runs[i].r->name ? c->runs[i].r->name : "");
		cli_table_column(t, 2 + i, head, false, 24);
		free(head);
	}
	for (int k = 0; k < TUI_PRESENT_NSUMMARY; k++)
		summary_row(t, c, (enum tui_present_summary)k);

	cli_table_row(t);
	cli_table_cell(t, 0, "");
	cli_table_cell(t, 1, "params");
	for (size_t i = 0; i < c->n; i++)
		cli_table_cell(t, 2 + i, "");
	for (size_t k = 0; k < c->npkeys; k++) {
		bool differs = param_differs(c, c->pkeys[k]);
		if (diff_only && !differs) {
			hidden++;
			continue;
		}
		cli_table_row(t);
		cli_table_cell(t, 0, differs ? "*" : "");
		cli_table_cellf(t, 1, "  %s", c->pkeys[k]);
		for (size_t i = 0; i < c->n; i++)
			cli_table_cell(t, 2 + i, param_of(c->runs[i].r, c->pkeys[k]));
	}

	if (c->nmkeys) {
		cli_table_row(t);
		cli_table_cell(t, 0, "");
		cli_table_cell(t, 1, "metrics");
		for (size_t i = 0; i < c->n; i++)
			cli_table_cell(t, 2 + i, "");
		for (size_t k = 0; k < c->nmkeys; k++) {
			int goal = goal_of(c, st, c->mkeys[k]);
			metric_row(t, c, c->mkeys[k], goal, true);
			if (goal) /* no goal: no best to show */
				metric_row(t, c, c->mkeys[k], goal, false);
		}
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
	if (hidden)
		printf("(%zu identical param%s hidden; run without --diff-only to see them)\n",
		       hidden, hidden == 1 ? "" : "s");
}

/* ---- JSON -------------------------------------------------------------- */

static int write_json(FILE *f, const struct cmp *c, ry_store *st, bool diff_only)
{
	double now = ry_now();
	cJSON *doc = cJSON_CreateObject();
	cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
	cJSON *params = cJSON_AddArrayToObject(doc, "params");
	cJSON *metrics = cJSON_AddArrayToObject(doc, "metrics");

	for (size_t i = 0; i < c->n; i++) {
		const struct cmp_run *cr = &c->runs[i];
		cJSON_AddItemToArray(runs, cli_json_run(st, cr->r, cr->m, cr->nm, now));
	}
	for (size_t k = 0; k < c->npkeys; k++) {
		bool differs = param_differs(c, c->pkeys[k]);
		cJSON *o, *values;
		if (diff_only && !differs)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", c->pkeys[k]);
		cJSON_AddBoolToObject(o, "differs", differs);
		values = cJSON_AddArrayToObject(o, "values");
		for (size_t i = 0; i < c->n; i++)
			cJSON_AddItemToArray(values, cli_json_value(param_of(c->runs[i].r, c->pkeys[k])));
		cJSON_AddItemToArray(params, o);
	}
	for (size_t k = 0; k < c->nmkeys; k++) {
		const char *key = c->mkeys[k];
		int goal = goal_of(c, st, key);
		double *last = ry_xcalloc(c->n, sizeof *last), *best = ry_xcalloc(c->n, sizeof *best);
		cJSON *o = cJSON_CreateObject(), *per;
		long bl, bb;
		cJSON_AddStringToObject(o, "key", key);
		cJSON_AddStringToObject(o, "goal", ry_metric_goal_name(goal));
		per = cJSON_AddArrayToObject(o, "values");
		for (size_t i = 0; i < c->n; i++) {
			const ry_metric_summary *s = metric_of(&c->runs[i], key);
			cJSON *v;
			last[i] = s ? s->last : NAN;
			best[i] = best_of(s, goal);
			if (!s) {
				cJSON_AddItemToArray(per, cJSON_CreateNull());
				continue;
			}
			v = cJSON_CreateObject();
			cJSON_AddItemToObject(v, "last", cli_json_number(s->last));
			cJSON_AddItemToObject(v, "best", cli_json_number(best[i]));
			cJSON_AddItemToObject(v, "min", cli_json_number(s->min));
			cJSON_AddItemToObject(v, "max", cli_json_number(s->max));
			cJSON_AddNumberToObject(v, "n", (double)s->n);
			cJSON_AddItemToArray(per, v);
		}
		bl = ry_metric_best_index(last, c->n, goal);
		bb = ry_metric_best_index(best, c->n, goal);
		cJSON_AddItemToObject(o, "best_last_run", bl >= 0 ? cJSON_CreateNumber((double)c->runs[bl].r->id)
		                                                   : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "best_run", bb >= 0 ? cJSON_CreateNumber((double)c->runs[bb].r->id)
		                                              : cJSON_CreateNull());
		cJSON_AddItemToArray(metrics, o);
		free(last);
		free(best);
	}
	return cli_json_fprint(f, doc);
}

int cli_compare_write_json(FILE *f, ry_store *st, const int64_t *ids, size_t n, bool diff_only)
{
	struct cmp c;
	int rc;
	memset(&c, 0, sizeof c);
	if (!(rc = load(&c, st, NULL, ids, n)))
		rc = write_json(f, &c, st, diff_only);
	cmp_free(&c);
	return rc;
}

/* ---- CSV --------------------------------------------------------------- */

static void csv_number(FILE *f, double v)
{
	char num[64];
	if (isfinite(v)) {
		cli_format_exact(v, num, sizeof num);
		fputs(num, f);
	}
}

/* One row per param, then one per metric statistic, one column per run;
 * fields quoted by cli_csv_field as `runs --csv` quotes them. */
static int write_csv(FILE *f, const struct cmp *c, ry_store *st, bool diff_only, bool tty)
{
	static const char *const stats[] = { "last", "best", "min", "max", "n" };
	fputs("kind,key", f);
	for (size_t i = 0; i < c->n; i++) {
		fputc(',', f);
		cli_csv_field(f, c->runs[i].r->name ? c->runs[i].r->name : c->runs[i].r->uuid, tty);
	}
	fputc('\n', f);
	for (size_t k = 0; k < c->npkeys; k++) {
		if (diff_only && !param_differs(c, c->pkeys[k]))
			continue;
		fputs("param,", f);
		cli_csv_field(f, c->pkeys[k], tty);
		for (size_t i = 0; i < c->n; i++) {
			const char *v = param_of(c->runs[i].r, c->pkeys[k]);
			fputc(',', f);
			if (v)
				cli_csv_field(f, v, tty);
		}
		fputc('\n', f);
	}
	for (size_t k = 0; k < c->nmkeys; k++) {
		int goal = goal_of(c, st, c->mkeys[k]);
		for (size_t j = 0; j < sizeof stats / sizeof *stats; j++) {
			fprintf(f, "%s,", stats[j]);
			cli_csv_field(f, c->mkeys[k], tty);
			for (size_t i = 0; i < c->n; i++) {
				const ry_metric_summary *s = metric_of(&c->runs[i], c->mkeys[k]);
				fputc(',', f);
				if (!s)
					continue;
				csv_number(f, j == 0 ? s->last : j == 1 ? best_of(s, goal) : j == 2 ? s->min
				              : j == 3 ? s->max : (double)s->n);
			}
			fputc('\n', f);
		}
	}
	return fflush(f) || ferror(f) ? ry_error_set(RY_EIO, "could not write the output") : 0;
}

int cli_compare_write_csv(FILE *f, ry_store *st, const int64_t *ids, size_t n, bool diff_only)
{
	struct cmp c;
	int rc;
	memset(&c, 0, sizeof c);
	if (!(rc = load(&c, st, NULL, ids, n)))
		rc = write_csv(f, &c, st, diff_only, false);
	cmp_free(&c);
	return rc;
}

/* Load the runs a filter/sort/limit selects; at least two, or nothing to
 * compare (exit 1, saying how many matched). */
static int load_selected(struct cmp *c, ry_store *st, const ry_runlist_options *lo)
{
	ry_runlist *list = NULL;
	size_t n;
	int rc;
	if ((rc = ry_runlist_open(&list, st, lo)))
		return cli_fail(rc);
	n = ry_runlist_count(list);
	if (n < 2) {
		fprintf(stderr, "runyard compare: %s run%s selected; compare needs at least two\n",
		        n ? "only one" : "no", n ? " is" : "s are");
		rc = 1;
	} else if ((rc = load(c, st, NULL, ry_runlist_ids(list), n))) {
		rc = cli_fail(rc);
	}
	ry_runlist_free(list);
	return rc;
}

int cli_compare(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "diff-only", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "code", no_argument, NULL, 'c' },
		{ "filter", required_argument, NULL, 'f' },
		{ "sort", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		CLI_OPTIONS_END,
	};
	struct cmp c;
	bool json = false, csv = false, diff_only = false, code = false, select = false;
	ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
	struct cli_getopt go = CLI_GETOPT_INIT("compare", help, g);
	ry_store *st;
	int ch, rc;

	while ((ch = cli_getopt(&go, argc, argv, "df:s:n:h", opts)) != -1) {
		switch (ch) {
		case 'd': diff_only = true; break;
		case 'j': json = true; break;
		case 'C': csv = true; break;
		case 'c': code = true; break;
		case 'f': lo.filter = optarg; select = true; break;
		case 's': lo.sort = optarg; select = true; break;
		case 'n':
			if ((rc = cli_parse_limit("compare", optarg, &lo.limit)))
				return rc;
			select = true;
			break;
		default: return go.status;
		}
	}
	if (select && code)
		return cli_conflict("compare", "--code", lo.filter ? "--filter" : lo.sort ? "--sort" : "--limit");
	if (select && optind < argc)
		return cli_extra_arg("compare", argv[optind], "name the runs or select them with --filter, not both");
	if (lo.sort && !*lo.sort)
		return cli_usage("compare", "--sort needs a field name, e.g. --sort val_acc:desc");
	if (!select && argc - optind < 2)
		return cli_usage("compare", "give at least two runs to compare (ids, uuid prefixes or names)");

	if (json && csv)
		return cli_conflict("compare", "--csv", "--json");
	if (code && (argc - optind != 2 || json || csv))
		return cli_usage("compare", "--code compares the code of exactly two runs, as text");

	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (code) {
		rc = cli_code_diff(st, argv[optind], argv[optind + 1]);
		ry_store_close(st);
		return rc;
	}
	memset(&c, 0, sizeof c);
	if (select)
		rc = load_selected(&c, st, &lo);
	else if ((rc = load(&c, st, argv + optind, NULL, (size_t)(argc - optind))))
		rc = cli_fail(rc);
	if (rc)
		;
	else if (json && (rc = write_json(stdout, &c, st, diff_only)))
		rc = cli_fail(rc);
	else if (csv && (rc = write_csv(stdout, &c, st, diff_only, isatty(STDOUT_FILENO))))
		rc = cli_fail(rc);
	else if (!json && !csv)
		print_text(&c, st, diff_only);
	cmp_free(&c);
	ry_store_close(st);
	return rc;
}
