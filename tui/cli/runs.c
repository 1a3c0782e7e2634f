/*
 * `runyard runs`: the runs table of the command line.  Filtering, sorting
 * and cell values come from core's run listing (runlist.h) and query
 * language (query.h), the same calls the TUI's runs view makes, so a filter
 * means the same thing in both.  This file only chooses the columns and
 * prints them, as an aligned table or a JSON array.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/output.h"
#include "cli/table.h"
#include "text/present.h"

static const char help[] =
	"usage: runyard runs [-e EXP] [--filter EXPR] [--sort KEY[:desc]] [--columns K,K]\n"
	"                    [--limit N] [--group KEY [--median]] [--view NAME]\n"
	"                    [--json | --csv | -q] [--db PATH]\n"
	"\n"
	"List runs, newest first: id, name, experiment, status, host, age, duration\n"
	"and cost, plus the columns you ask for.  Long values are cut with an\n"
	"ellipsis in the table, never in --json.\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  only runs of experiment EXP (name or id)\n"
	CLI_HELP_FILTER
	"  -s, --sort KEY[:desc] sort by a field (default: newest first); the sort\n"
	"                        field is shown as a column\n"
	"  -c, --columns K,K     extra columns: params, metrics, tags or fields\n"
	"  -n, --limit N         at most N runs (N from 1)\n"
	"  -g, --group KEY       one row per value of KEY (a param, tags.KEY or a\n"
	"                        field), or per config (config or -seed: params\n"
	"                        equal but for seed, *_seed, seed_*, random_state):\n"
	"                        the value, the runs and mean +- std of each metric\n"
	"                        column (--columns; default the main metrics);\n"
	"                        --sort by one of them orders groups by its mean\n"
	"  --median              with --group: median and IQR instead\n"
	"  --view NAME           a view saved in the TUI (:view save NAME): its filter,\n"
	"                        sort, columns and grouping, where no option above\n"
	"                        gives them\n"
	"  --json                one JSON array of run objects with their params,\n"
	"                        metric summaries and tags (docs/json.md)\n"
	"  --csv                 the same columns as CSV with a header row; values\n"
	"                        exact (numbers in full, times as Unix seconds),\n"
	"                        unknown ones empty\n"
	"  -q, --quiet           only the ids, one a line, e.g.\n"
	"                          runyard compare $(runyard runs -q -s val_acc:desc -n 3)\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 ok (also when no run matches), 1 the workspace could not be\n"
	"read or the experiment does not exist, 2 bad usage, an invalid filter or an\n"
	"unknown column.\n";

/* The columns every listing starts with. */
static const char *const base_columns[] = {
	"id", "name", "experiment", "status", "host", "created", "duration", "cost",
};
#define NBASE (sizeof base_columns / sizeof base_columns[0])

struct runs_opts {
	const char *experiment;
	const char *filter;
	const char *sort;
	const char *columns;
	size_t limit;
	const char *group;     /* --group KEY */
	bool median;           /* --median */
	enum { OUT_TABLE, OUT_JSON, OUT_CSV, OUT_IDS } out;
};

struct columns {
	ry_field **f;
	size_t n, cap;
};

static void columns_free(struct columns *c)
{
	for (size_t i = 0; i < c->n; i++)
		ry_field_free(c->f[i]);
	free(c->f);
}

static bool columns_has(const struct columns *c, const char *label)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(ry_field_label(c->f[i]), label))
			return true;
	return false;
}

/* Adds f unless a column with the same label is there; takes ownership. */
static void columns_add(struct columns *c, ry_field *f)
{
	if (columns_has(c, ry_field_label(f))) {
		ry_field_free(f);
		return;
	}
	c->f = ry_xgrow(c->f, &c->cap, c->n + 1, sizeof *c->f);
	c->f[c->n++] = f;
}

static int build_columns(ry_store *st, const char *columns, const char *sort, struct columns *cols)
{
	int rc;
	ry_field *f;
	for (size_t i = 0; i < NBASE; i++) {
		if ((rc = ry_field_parse(&f, st, base_columns[i])))
			return rc;
		columns_add(cols, f);
	}
	if (columns) {
		char *list = ry_xstrdup(columns), *save = NULL;
		for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *end;
			while (*tok == ' ')
				tok++;
			end = tok + strlen(tok);
			while (end > tok && end[-1] == ' ')
				*--end = '\0';
			if (!*tok)
				continue;
			if ((rc = ry_field_parse(&f, st, tok))) {
				free(list);
				return rc;
			}
			columns_add(cols, f);
		}
		free(list);
	}
	if (sort) {
		bool desc;
		if ((rc = ry_sort_parse(&f, &desc, st, sort)))
			return rc;
		columns_add(cols, f);
	}
	return 0;
}

static int print_text(const struct columns *cols, const ry_cell *cells, size_t nrows, bool filtered)
{
	cli_table *t;
	double now = ry_now();
	if (nrows == 0) {
		printf(filtered ? "No runs match.\n" : "No runs yet.\n");
		return 0;
	}
	t = cli_table_new(cols->n);
	for (size_t j = 0; j < cols->n; j++) {
		const char *label = ry_field_label(cols->f[j]);
		int maxw = !strcmp(label, "name") ? 32 : !strcmp(label, "experiment") ? 20 : 24;
		cli_table_column(t, j, label, ry_field_numeric(cols->f[j]), maxw);
	}
	for (size_t i = 0; i < nrows; i++) {
		cli_table_row(t);
		for (size_t j = 0; j < cols->n; j++) {
			char buf[256];
			ry_cell_format(cols->f[j], &cells[i * cols->n + j], now, buf, sizeof buf);
			cli_table_cell(t, j, buf[0] ? buf : "-");
		}
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
	return 0;
}

static void cell_json(ry_buf *b, const ry_cell *c)
{
	switch (c->type) {
	case RY_CELL_NUM: cli_json_text_number(b, c->num); break;
	case RY_CELL_TEXT: cli_json_text_string(b, c->text); break;
	default: ry_buf_put(b, "null", 4); break;
	}
}

/* Which columns a run object gets: not one whose label the object has
 * already (cli_json_run's keys are the documented shape and win over a
 * column of the same label, which carries the same value -- `status`,
 * `started` -- or is in params/metrics/tags anyway), nor a second column of
 * one label.  The object's keys are the same for every run, so this is
 * decided once, from the first run's text (`members`: its members, keys at
 * depth 2). */
static bool *columns_kept(const struct columns *cols, const char *members)
{
	bool *keep = ry_xcalloc(cols->n + 1, sizeof *keep);
	for (size_t j = 0; j < cols->n; j++) {
		ry_buf key = RY_BUF_INIT;
		const char *label = ry_field_label(cols->f[j]);
		ry_buf_put(&key, "\n\t\t", 3);
		cli_json_text_string(&key, label);
		ry_buf_put(&key, ":\t", 2);
		ry_buf_putc(&key, '\0');
		keep[j] = !strstr(members, key.ptr);
		for (size_t i = 0; i < j && keep[j]; i++)
			if (keep[i] && !strcmp(ry_field_label(cols->f[i]), label))
				keep[j] = false;
		ry_buf_free(&key);
	}
	return keep;
}

/* Rows go out in blocks of this many: their cells are filled from the
 * reader (core/query/runlist.h ry_cellreader), written and released. */
#define BLOCK 1024
/* and leave in writes of about this many bytes: few calls, and the first
 * rows out as soon as they are made */
#define WRITE_AT 65536

/* Each run as the run object every command prints, plus the listing's
 * columns (aggregates, tags.KEY, a param or metric by its bare name).
 * Streamed: each object is written as text (cli_json_run_members, no
 * cJSON tree) as it is read, so output starts at once and memory stays that
 * of one block at any number of runs; the bytes are what cJSON_Print makes
 * of the whole array. */
static int write_json(FILE *f, ry_store *st, const struct columns *cols, const int64_t *ids,
                      ry_cellreader *rd, size_t nrows)
{
	double now = ry_now();
	bool ok = fputc('[', f) != EOF;
	ry_cell *cells = ry_xcalloc(BLOCK * cols->n + 1, sizeof *cells);
	ry_buf text = RY_BUF_INIT;
	cli_json_goals goals = { NULL, 0, 0 };
	bool *keep = NULL;
	int rc = 0;
	for (size_t from = 0; from < nrows && ok && !rc; from += BLOCK) {
		size_t k = nrows - from < BLOCK ? nrows - from : BLOCK;
		if ((rc = ry_cellreader_read(rd, from, k, cells)))
			break;
		ry_buf_clear(&text);
		for (size_t b = 0; b < k && !rc; b++) {
			size_t i = from + b;
			ry_metric_summary *m = NULL;
			size_t nm = 0;
			ry_run *r = NULL;
			cli_json_obj o;
			if ((rc = ry_run_get(&r, st, ids[i])) || (rc = ry_metrics_summaries(st, ids[i], &m, &nm))) {
				ry_run_free(r);
				break;
			}
			if (i)
				ry_buf_put(&text, ", ", 2);
			cli_json_obj_begin(&o, &text, 1);
			cli_json_run_members(&o, st, r, m, nm, now, &goals);
			ry_metric_summaries_free(m, nm);
			ry_run_free(r);
			if (!keep) {
				ry_buf_putc(&text, '\0');
				keep = columns_kept(cols, text.ptr);
				text.len--;
			}
			for (size_t j = 0; j < cols->n; j++) {
				if (!keep[j])
					continue;
				cli_json_obj_key(&o, ry_field_label(cols->f[j]));
				cell_json(&text, &cells[b * cols->n + j]);
			}
			cli_json_obj_end(&o);
			if (text.len >= WRITE_AT) {
				if (!(ok = cli_json_write(f, text.ptr, text.len)))
					break;
				ry_buf_clear(&text);
			}
		}
		ry_cells_clear(cells, k * cols->n);
		if (!rc && ok && text.len)
			ok = cli_json_write(f, text.ptr, text.len);
	}
	free(cells);
	free(keep);
	ry_buf_free(&text);
	cli_json_goals_free(&goals);
	if (rc)
		return rc;
	if (!ok || fputs("]\n", f) == EOF || fflush(f) == EOF)
		return ry_error_set(RY_EIO, "cannot write the output: %s", strerror(errno));
	return 0;
}

/* A cell as data: text exact, numbers in full (times stay Unix seconds),
 * unknown empty. */
static void csv_cell(ry_buf *b, const ry_cell *c, bool tty)
{
	if (c->type == RY_CELL_TEXT)
		cli_csv_put(b, c->text, tty);
	else if (c->type == RY_CELL_NUM && isfinite(c->num))
		cli_csv_number(b, c->num);
}

/* Streamed as write_json is: a block of rows read, written in one write,
 * released. */
static int write_csv(FILE *f, const struct columns *cols, ry_cellreader *rd, size_t nrows, bool tty)
{
	ry_cell *cells = ry_xcalloc(BLOCK * cols->n + 1, sizeof *cells);
	ry_buf text = RY_BUF_INIT;
	int rc = 0;
	for (size_t j = 0; j < cols->n; j++) {
		if (j)
			ry_buf_putc(&text, ',');
		cli_csv_put(&text, ry_field_label(cols->f[j]), tty);
	}
	ry_buf_putc(&text, '\n');
	for (size_t from = 0; from < nrows && !rc && !ferror(f); from += BLOCK) {
		size_t k = nrows - from < BLOCK ? nrows - from : BLOCK;
		if ((rc = ry_cellreader_read(rd, from, k, cells)))
			break;
		for (size_t i = 0; i < k; i++) {
			for (size_t j = 0; j < cols->n; j++) {
				if (j)
					ry_buf_putc(&text, ',');
				csv_cell(&text, &cells[i * cols->n + j], tty);
			}
			ry_buf_putc(&text, '\n');
			if (text.len >= WRITE_AT) {
				fwrite(text.ptr, 1, text.len, f);
				ry_buf_clear(&text);
			}
		}
		ry_cells_clear(cells, k * cols->n);
	}
	if (!rc && text.len)
		fwrite(text.ptr, 1, text.len, f);
	free(cells);
	ry_buf_free(&text);
	if (rc)
		return rc;
	return fflush(f) || ferror(f) ? ry_error_set(RY_EIO, "could not write the output") : 0;
}

/* The listing sel selects, its columns and its cells: 0 or an RY_E* code.
 * The filter first: its error (with a caret under the column) is the one
 * a user fixing a command line needs to see. */
static int listing_load(ry_store *st, const struct cli_runs_select *sel, ry_runlist **list,
                        struct columns *cols, ry_cell **cells, size_t *n)
{
	ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
	int rc;
	lo.experiment_id = sel->experiment_id;
	lo.filter = sel->filter;
	lo.sort = sel->sort;
	lo.limit = sel->limit;
	*cells = NULL;
	*n = 0;
	if ((rc = ry_runlist_open(list, st, &lo)) || (rc = build_columns(st, sel->columns, sel->sort, cols)))
		return rc;
	*n = ry_runlist_count(*list);
	if (*n > 0) {
		*cells = ry_xcalloc(*n * cols->n, sizeof **cells);
		if ((rc = ry_runlist_fetch(st, ry_runlist_ids(*list), *n, cols->f, cols->n, *cells)))
			return rc;
	}
	return 0;
}

static void listing_free(ry_runlist *list, struct columns *cols, ry_cell *cells, size_t n)
{
	if (cells) {
		ry_cells_clear(cells, n * cols->n);
		free(cells);
	}
	columns_free(cols);
	ry_runlist_free(list);
}

int cli_runs_write(FILE *f, ry_store *st, const struct cli_runs_select *sel, enum cli_runs_format fmt, bool tty,
                   size_t *nrows)
{
	ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
	struct columns cols = { NULL, 0, 0 };
	ry_runlist *list = NULL;
	ry_cellreader *rd = NULL;
	size_t n = 0;
	int rc;
	lo.experiment_id = sel->experiment_id;
	lo.filter = sel->filter;
	lo.sort = sel->sort;
	lo.limit = sel->limit;
	/* The filter first: its error is the one to show (as listing_load). */
	if (!(rc = ry_runlist_open(&list, st, &lo)) && !(rc = build_columns(st, sel->columns, sel->sort, &cols))) {
		n = ry_runlist_count(list);
		if (!(rc = ry_cellreader_open(&rd, st, ry_runlist_ids(list), n, cols.f, cols.n)))
			rc = fmt == CLI_RUNS_JSON ? write_json(f, st, &cols, ry_runlist_ids(list), rd, n)
			                          : write_csv(f, &cols, rd, n, tty);
	}
	if (nrows)
		*nrows = n;
	ry_cellreader_free(rd);
	columns_free(&cols);
	ry_runlist_free(list);
	return rc;
}

/* -q: what `compare` and shell loops take, and nothing else. */
static int print_ids(const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%lld\n", (long long)ids[i]);
	return 0;
}

static int list_runs(ry_store *st, const struct runs_opts *o)
{
	struct cli_runs_select sel = { 0, o->filter, o->sort, o->columns, o->limit };
	struct columns cols = { NULL, 0, 0 };
	ry_runlist *list = NULL;
	ry_cell *cells = NULL;
	size_t n = 0;
	int rc;

	if (o->experiment && (rc = ry_experiment_find(st, o->experiment, &sel.experiment_id)))
		return cli_fail(rc);
	if (o->out == OUT_JSON || o->out == OUT_CSV) {
		rc = cli_runs_write(stdout, st, &sel, o->out == OUT_JSON ? CLI_RUNS_JSON : CLI_RUNS_CSV,
		                    isatty(STDOUT_FILENO), NULL);
		return rc ? cli_fail(rc) : 0;
	}
	if (o->out == OUT_IDS) {
		/* ids only: no cell is read (at 10^6 runs that was 2 s and 450 MB) */
		ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
		lo.experiment_id = sel.experiment_id;
		lo.filter = sel.filter;
		lo.sort = sel.sort;
		lo.limit = sel.limit;
		if ((rc = ry_runlist_open(&list, st, &lo)) || (rc = build_columns(st, sel.columns, sel.sort, &cols)))
			rc = cli_fail(rc);
		else
			rc = print_ids(ry_runlist_ids(list), ry_runlist_count(list));
		columns_free(&cols);
		ry_runlist_free(list);
		return rc;
	}
	if ((rc = listing_load(st, &sel, &list, &cols, &cells, &n)))
		rc = cli_fail(rc);
	else
		rc = print_text(&cols, cells, n, (o->filter && *o->filter) || o->experiment);
	listing_free(list, &cols, cells, n);
	return rc;
}

/* ---- --group: one row per group ----------------------------------------- */

/* The columns a grouping aggregates: --columns and the --sort field that
 * are numbers, or the experiment's main metrics when none is asked. */
static int group_columns(ry_store *st, const struct runs_opts *o, int64_t exp, struct columns *cols)
{
	struct columns asked = { NULL, 0, 0 };
	int rc;
	if ((rc = build_columns(st, o->columns, NULL, &asked)))
		goto out;
	for (size_t j = NBASE; j < asked.n; j++) {
		if (ry_field_numeric(asked.f[j])) {
			columns_add(cols, asked.f[j]);
			asked.f[j] = NULL;
		}
	}
	if (o->sort) {
		ry_field *f;
		bool desc;
		if ((rc = ry_sort_parse(&f, &desc, st, o->sort)))
			goto out;
		if (ry_field_numeric(f))
			columns_add(cols, f);
		else
			ry_field_free(f);
	}
	if (!cols->n) {
		char **keys = NULL;
		size_t nk = 0;
		if ((rc = ry_keys_main_metrics(st, exp, &keys, &nk)))
			goto out;
		for (size_t i = 0; i < nk && i < 4; i++) {
			ry_field *f;
			char *name = ry_xasprintf("metrics.%s", keys[i]);
			if (ry_field_parse(&f, st, name) == 0)
				columns_add(cols, f);
			free(name);
		}
		ry_strings_free(keys, nk);
	}
out:
	for (size_t j = 0; j < asked.n; j++)
		ry_field_free(asked.f[j]);
	free(asked.f);
	return rc;
}

static void stat_json(cJSON *o, const ry_group_stats *s)
{
	cJSON_AddNumberToObject(o, "n", (double)s->n);
	cJSON_AddNumberToObject(o, "missing", (double)s->nmissing);
	cJSON_AddItemToObject(o, "mean", cli_json_number(s->mean));
	cJSON_AddItemToObject(o, "std", cli_json_number(s->std));
	cJSON_AddItemToObject(o, "median", cli_json_number(s->median));
	cJSON_AddItemToObject(o, "q1", cli_json_number(s->q1));
	cJSON_AddItemToObject(o, "q3", cli_json_number(s->q3));
	cJSON_AddItemToObject(o, "min", cli_json_number(s->min));
	cJSON_AddItemToObject(o, "max", cli_json_number(s->max));
}

static int print_groups_json(const ry_grouping *gr, const struct columns *cols, const char *key)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < ry_grouping_count(gr); i++) {
		cJSON *o = cJSON_CreateObject(), *ids = cJSON_CreateArray(), *ms = cJSON_CreateObject();
		const char *v = ry_grouping_value(gr, i);
		cJSON_AddStringToObject(o, "key", key);
		cJSON_AddItemToObject(o, "group", v ? cli_json_string(v) : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "runs", (double)ry_grouping_nruns(gr, i));
		for (size_t k = 0; k < ry_grouping_nruns(gr, i); k++)
			cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)ry_grouping_ids(gr, i)[k]));
		cJSON_AddItemToObject(o, "ids", ids);
		for (size_t j = 0; j < cols->n; j++) {
			cJSON *m = cJSON_CreateObject();
			stat_json(m, ry_grouping_stats(gr, i, j));
			cJSON_AddItemToObject(ms, ry_field_label(cols->f[j]), m);
		}
		cJSON_AddItemToObject(o, "columns", ms);
		cJSON_AddItemToArray(arr, o);
	}
	return cli_json_print(arr);
}

static int print_groups_text(const ry_grouping *gr, const struct columns *cols, const char *key, bool median)
{
	cli_table *t = cli_table_new(cols->n + 2);
	cli_table_column(t, 0, key, false, 48);
	cli_table_column(t, 1, "runs", true, 8);
	for (size_t j = 0; j < cols->n; j++)
		cli_table_column(t, j + 2, ry_field_label(cols->f[j]), true, 32);
	for (size_t i = 0; i < ry_grouping_count(gr); i++) {
		char buf[128];
		const char *v = ry_grouping_value(gr, i);
		cli_table_row(t);
		cli_table_cell(t, 0, v ? (*v ? v : "\"\"") : "(none)");
		snprintf(buf, sizeof buf, "%zu", ry_grouping_nruns(gr, i));
		cli_table_cell(t, 1, buf);
		for (size_t j = 0; j < cols->n; j++) {
			tui_present_group_stat(buf, sizeof buf, ry_grouping_stats(gr, i, j), median, cli_utf8());
			cli_table_cell(t, j + 2, buf);
		}
	}
	cli_table_print(t, stdout, true);
	cli_table_free(t);
	return 0;
}

static int list_groups(ry_store *st, const struct runs_opts *o)
{
	ry_runlist_options lo = RY_RUNLIST_OPTIONS_INIT;
	struct columns cols = { NULL, 0, 0 };
	ry_runlist *list = NULL;
	ry_grouping *gr = NULL;
	int rc;

	if (o->experiment && (rc = ry_experiment_find(st, o->experiment, &lo.experiment_id)))
		return cli_fail(rc);
	lo.filter = o->filter;
	lo.limit = o->limit;
	if ((rc = ry_runlist_open(&list, st, &lo)) || (rc = group_columns(st, o, lo.experiment_id, &cols)) ||
	    (rc = ry_grouping_open(&gr, st, ry_runlist_ids(list), ry_runlist_count(list), o->group, cols.f,
	                           cols.n))) {
		rc = cli_fail(rc);
		goto out;
	}
	if (o->sort) {
		/* groups by the mean of the sort column */
		ry_field *f = NULL;
		bool desc = false;
		if (ry_sort_parse(&f, &desc, st, o->sort) == 0)
			for (size_t j = 0; j < cols.n; j++)
				if (!strcmp(ry_field_name(cols.f[j]), ry_field_name(f)))
					ry_grouping_sort(gr, j, desc);
		ry_field_free(f);
	}
	if (o->out == OUT_JSON)
		rc = print_groups_json(gr, &cols, o->group);
	else if (!ry_grouping_count(gr))
		printf(o->filter || o->experiment ? "No runs match.\n" : "No runs yet.\n");
	else
		rc = print_groups_text(gr, &cols, o->group, o->median);
out:
	ry_grouping_free(gr);
	columns_free(&cols);
	ry_runlist_free(list);
	return rc;
}

int cli_runs(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "filter", required_argument, NULL, 'f' },
		{ "sort", required_argument, NULL, 's' },
		{ "columns", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "group", required_argument, NULL, 'g' },
		{ "median", no_argument, NULL, 'M' },
		{ "view", required_argument, NULL, 'V' },
		CLI_OPTIONS_END,
	};
	static const char *const out_opt[] = { NULL, "--json", "--csv", "-q" };
	struct runs_opts o = { NULL, NULL, NULL, NULL, 0, NULL, false, OUT_TABLE };
	struct cli_getopt go = CLI_GETOPT_INIT("runs", help, g);
	const char *view = NULL;
	ry_view saved = RY_VIEW_INIT;
	ry_store *st;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "e:f:s:c:n:g:qh", opts)) != -1) {
		int want = c == 'j' ? OUT_JSON : c == 'C' ? OUT_CSV : c == 'q' ? OUT_IDS : OUT_TABLE;
		if (want != OUT_TABLE && o.out != OUT_TABLE && (int)o.out != want)
			return cli_conflict("runs", out_opt[o.out], out_opt[want]);
		switch (c) {
		case 'e': o.experiment = optarg; break;
		case 'f': o.filter = optarg; break;
		case 's': o.sort = optarg; break;
		case 'c': o.columns = optarg; break;
		case 'g': o.group = optarg; break;
		case 'M': o.median = true; break;
		case 'V': view = optarg; break;
		case 'n':
			if ((rc = cli_parse_limit("runs", optarg, &o.limit)))
				return rc;
			break;
		case 'j': case 'C': case 'q': o.out = want; break;
		default: return go.status;
		}
	}
	if (optind < argc)
		return cli_extra_arg("runs", argv[optind], "a filter goes after --filter, quoted");
	if (o.sort && !*o.sort)
		return cli_usage("runs", "--sort needs a field name, e.g. --sort val_acc:desc");
	if (o.group && !*o.group)
		return cli_usage("runs", "--group needs a key, e.g. --group optimizer or --group config");

	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	if (view) {
		/* The options given win over the view's. */
		if ((rc = ry_view_load(st, view, &saved))) {
			ry_store_close(st);
			return cli_fail(rc);
		}
		if (!o.filter)
			o.filter = saved.filter;
		if (!o.sort)
			o.sort = saved.sort;
		if (!o.columns)
			o.columns = saved.columns;
		if (!o.group) {
			o.group = saved.group;
			o.median = o.median || (saved.group && saved.median);
		}
	}
	if (o.median && !o.group)
		rc = cli_usage("runs", "--median goes with --group KEY");
	else if (o.group && (o.out == OUT_CSV || o.out == OUT_IDS))
		rc = cli_conflict("runs", "--group", out_opt[o.out]);
	else
		rc = o.group ? list_groups(st, &o) : list_runs(st, &o);
	ry_view_clear(&saved);
	ry_store_close(st);
	return rc;
}
