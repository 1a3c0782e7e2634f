/*
 * `runyard metrics RUN [KEY...]`: full metric histories of one run, as a
 * text table, one JSON document, or CSV for `pandas.read_csv`.  It prints
 * what the store holds and computes nothing (summaries are `runyard show`).
 * CSV is data when it goes to a file or pipe (names byte for byte) and text
 * when it goes to a terminal (names sanitised, like every other output).
 */

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"

static const char metrics_help[] =
	"usage: runyard metrics RUN [KEY...] [--json | --csv]\n"
	"\n"
	"Print the full history of a run's metrics (every key, or the KEYs given):\n"
	"step, timestamp and value of each point, in the order they were logged.\n"
	"RUN is a numeric id, a uuid prefix or a unique run name.\n"
	"\n"
	"Options:\n"
	"  --csv        CSV with a header: run,key,step,ts,value (ts: Unix seconds;\n"
	"               non-finite values as nan, inf, -inf), e.g.\n"
	"               pd.read_csv(io.StringIO(out)) or pd.read_csv('m.csv');\n"
	"               names are exact, quoted as RFC 4180 says; at a terminal\n"
	"               their control characters are shown as ^[ etc. instead\n"
	"  --json       one document: {\"run\": {\"id\", \"uuid\", \"name\"}, \"metrics\":\n"
	"               {KEY: {\"step\": [...], \"ts\": [...], \"value\": [...]}}};\n"
	"               non-finite values are null\n"
	"  --db PATH    workspace file\n"
	"  -h, --help   print this help\n"
	"\n"
	"Exit status: 0 ok, 1 no such run, metric or workspace, 2 bad usage (also\n"
	"--csv with --json).\n";

enum fmt { FMT_TEXT, FMT_JSON, FMT_CSV };

/* The JSON document is written by hand, key by key, so that a long history
 * is never held twice (cJSON tree and text); its strings still come out as
 * cJSON writes them, and each piece leaves by cli_json_write. */
static void json_str(FILE *f, const char *s)
{
	ry_buf b = RY_BUF_INIT;
	cli_json_quote(&b, s);
	cli_json_write(f, b.ptr, b.len);
	ry_buf_free(&b);
}

static void num(FILE *f, double v, bool json)
{
	char b[32];
	if (json) {
		cli_json_put_number(f, v);
		return;
	}
	cli_format_exact(v, b, sizeof b);
	fputs(b, f);
}

static void print_key(FILE *f, enum fmt fmt, bool tty, const ry_run *r, const char *key, const ry_point *p,
                      size_t n, bool first)
{
	if (fmt == FMT_JSON) {
		const char *cols[] = { "step", "ts", "value" };
		fputs(first ? "\n    " : ",\n    ", f);
		json_str(f, key);
		fputs(": {", f);
		for (int c = 0; c < 3; c++) {
			fprintf(f, "%s\"%s\": [", c ? ", " : "", cols[c]);
			for (size_t i = 0; i < n; i++) {
				if (i)
					fputc(',', f);
				if (c == 0)
					fprintf(f, "%lld", (long long)p[i].step);
				else if (c == 1)
					fprintf(f, "%.3f", p[i].ts);
				else
					num(f, p[i].value, true);
			}
			fputc(']', f);
		}
		fputc('}', f);
	} else if (fmt == FMT_CSV) {
		for (size_t i = 0; i < n; i++) {
			cli_csv_field(f, r->name ? r->name : r->uuid, tty);
			fputc(',', f);
			cli_csv_field(f, key, tty);
			fprintf(f, ",%lld,%.3f,", (long long)p[i].step, p[i].ts);
			num(f, p[i].value, false);
			fputc('\n', f);
		}
	} else {
		char when[32];
		fputs(first ? "" : "\n", f);
		cli_put_safe(f, key);
		fprintf(f, " (%zu points)\n%10s  %-20s  %s\n", n, "step", "time", "value");
		for (size_t i = 0; i < n; i++) {
			ry_format_time(p[i].ts, when, sizeof when);
			fprintf(f, "%10lld  %-20s  %.6g\n", (long long)p[i].step, when, p[i].value);
		}
	}
}

int cli_metrics(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("metrics", metrics_help, g);
	enum fmt fmt = FMT_TEXT;
	const char *spec;
	char **keys;
	size_t nkeys;
	ry_store *st = NULL;
	ry_run *r = NULL;
	ry_metric_summary *sum = NULL;
	size_t nsum = 0;
	int c, rc = 0;
	bool tty = isatty(STDOUT_FILENO);

	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'j':
			if (fmt == FMT_CSV)
				return cli_conflict("metrics", "--csv", "--json");
			fmt = FMT_JSON;
			break;
		case 'c':
			if (fmt == FMT_JSON)
				return cli_conflict("metrics", "--csv", "--json");
			fmt = FMT_CSV;
			break;
		default: return go.status;
		}
	}
	if (optind >= argc)
		return cli_usage("metrics", "which run? give its id, uuid prefix or name");
	spec = argv[optind];
	keys = argv + optind + 1; /* the keys asked for, in the order given */
	nkeys = (size_t)(argc - optind - 1);
	if ((rc = cli_open_store(&st, g, 0)))
		goto out;
	if ((rc = ry_run_find(&r, st, spec)) || (rc = ry_metrics_summaries(st, r->id, &sum, &nsum))) {
		rc = cli_fail(rc);
		goto out;
	}
	for (size_t k = 0; k < nkeys; k++) {
		bool found = false;
		for (size_t j = 0; j < nsum && !found; j++)
			found = !strcmp(sum[j].key, keys[k]);
		if (!found) {
			ry_buf have = RY_BUF_INIT;
			for (size_t j = 0; j < nsum && j < 20; j++) {
				ry_buf_puts(&have, j ? ", " : "");
				ry_sanitize(&have, sum[j].key, strlen(sum[j].key), false);
			}
			char *safe = ry_sanitize_dup(keys[k]);
			fprintf(stderr, "runyard: run %lld has no metric '%s'; it has: %s\n", (long long)r->id, safe,
			        nsum ? ry_buf_cstr(&have) : "(no metrics)");
			free(safe);
			ry_buf_free(&have);
			rc = 1;
			goto out;
		}
	}
	if (fmt == FMT_JSON) {
		printf("{\n  \"run\": {\"id\": %lld, \"uuid\": ", (long long)r->id);
		json_str(stdout, r->uuid);
		fputs(", \"name\": ", stdout);
		json_str(stdout, r->name ? r->name : "");
		fputs("},\n  \"metrics\": {", stdout);
	} else if (fmt == FMT_CSV) {
		puts("run,key,step,ts,value");
	}
	size_t nout = nkeys ? nkeys : nsum;
	for (size_t k = 0; k < nout; k++) {
		const char *key = nkeys ? keys[k] : sum[k].key;
		ry_point *p = NULL;
		size_t n = 0;
		if ((rc = ry_metrics_read(st, r->id, key, &p, &n))) {
			fflush(stdout);
			rc = cli_fail(rc);
			goto out;
		}
		print_key(stdout, fmt, tty, r, key, p, n, k == 0);
		free(p);
	}
	if (fmt == FMT_JSON)
		fputs(nout ? "\n  }\n}\n" : "}\n}\n", stdout);
	else if (fmt == FMT_TEXT && nout == 0)
		printf("run %lld has no metrics\n", (long long)r->id);
out:
	ry_metric_summaries_free(sum, nsum);
	ry_run_free(r);
	ry_store_close(st);
	return rc;
}
