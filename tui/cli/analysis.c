/*
 * `runyard parallel` and `runyard importance`: many runs at once.  The
 * table comes from core (analysis/analysis.h), the plot from the widget
 * the TUI draws with (widgets/parcoords.h) and the importance rows from
 * the text both front ends print (text/present.h), so the CLI and the
 * screens show the same runs, colours and numbers.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json.h"
#include "text/present.h"
#include "widgets/parcoords.h"

static const char parallel_help[] =
	"usage: runyard parallel [-e EXP] [--params K,K...] [--metric M] [--filter EXPR] --svg FILE\n"
	"\n"
	"Write a parallel-coordinates plot of the runs as an SVG file: one vertical\n"
	"axis per param and one for the metric, each run a line across them,\n"
	"coloured from the worst value of the metric (red) to the best (green);\n"
	"the five best runs are drawn wider, on top.  Params whose values span\n"
	"decades (lr) get a log axis; text params (optimizer) an axis of their\n"
	"values, evenly spaced.  A run missing a value is left out.  The TUI draws\n"
	"the same plot: `:parallel` or p in the runs table.\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  only runs of experiment EXP (name or id)\n"
	"  -p, --params K,K      the axes, in order: params or metric summaries\n"
	"                        (default: the params that vary between the runs)\n"
	"  -m, --metric M        the metric axis and colour, e.g. val_acc or\n"
	"                        loss.min (default: the experiment's main metric)\n"
	CLI_HELP_FILTER
	"  -o, --svg FILE        where to write the plot (- for stdout)\n"
	"      --width N         pixels (default 1000)\n"
	"      --height N        pixels (default 500)\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"It prints how many runs it drew (to FILE; nothing else with --svg -).\n"
	"\n"
	"Exit status: 0 ok, 1 the workspace or the file could not be used, 2 bad\n"
	"usage, a bad filter, param or metric.\n";

static const char importance_help[] =
	"usage: runyard importance [-e EXP] [--metric M] [--params K,K...] [--filter EXPR] [--json]\n"
	"\n"
	"Which params move a metric: for each param, over the runs that have it\n"
	"and the metric, Pearson's r and Spearman's rank correlation rho with the\n"
	"metric (numeric params), or the correlation ratio eta and the Kruskal-\n"
	"Wallis H (tie-corrected) of the metric across its values (text params),\n"
	"sorted by |rho| (text params: by the rank effect sqrt(H/(n-1)), 0 to 1\n"
	"like |rho|).  A correlation says the metric moves with the param in\n"
	"these runs, not that the param causes it.  The TUI's scatter screen\n"
	"(`:scatter`) shows the same table.\n"
	"\n"
	"Options:\n"
	"  -e, --experiment EXP  only runs of experiment EXP (name or id)\n"
	"  -m, --metric M        the metric (default: the experiment's main metric)\n"
	"  -p, --params K,K      the params (default: those that vary between runs)\n"
	CLI_HELP_FILTER
	"  --json                one document: {\"metric\", \"runs\", \"method\", \"params\":\n"
	"                        [{\"param\", \"kind\", \"n\", \"effect\", \"pearson\",\n"
	"                        \"spearman\", \"groups\", \"eta\", \"kruskal_h\"}]};\n"
	"                        a value that cannot be computed is null\n"
	"  --db PATH             workspace file\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: 0 ok, 1 the workspace could not be read, 2 bad usage, a bad\n"
	"filter, param or metric.\n";

struct opts {
	const char *experiment, *params, *metric, *filter, *svg;
	bool json;
	uint64_t width, height;
};

static void split(const char *list, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (list)
		ry_split_words(list, strlen(list), ',', out, n);
}

static int load(ry_store *st, const struct opts *o, ry_analysis **a)
{
	int64_t exp = 0;
	char **params = NULL;
	size_t np = 0;
	int rc;
	if (o->experiment && (rc = ry_experiment_find(st, o->experiment, &exp)))
		return cli_fail(rc);
	split(o->params, &params, &np);
	rc = ry_analysis_load(a, st, exp, o->filter, (const char *const *)params, np, o->metric);
	ry_strings_free(params, np);
	return rc < 0 ? cli_fail(rc) : 0;
}

static int parse(int argc, char **argv, struct cli_global *g, const char *cmd, const char *help, struct opts *o)
{
	static const struct option opts[] = {
		{ "experiment", required_argument, NULL, 'e' },
		{ "params", required_argument, NULL, 'p' },
		{ "metric", required_argument, NULL, 'm' },
		{ "filter", required_argument, NULL, 'f' },
		{ "svg", required_argument, NULL, 'o' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT(cmd, help, g);
	bool svg = !strcmp(cmd, "parallel");
	int c;
	while ((c = cli_getopt(&go, argc, argv, svg ? "e:p:m:f:o:h" : "e:p:m:f:h", opts)) != -1) {
		switch (c) {
		case 'e': o->experiment = optarg; break;
		case 'p': o->params = optarg; break;
		case 'm': o->metric = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'o':
			if (!svg)
				return cli_usage(cmd, "unknown option '--svg'");
			o->svg = optarg;
			break;
		case 'W': case 'H':
			if (!svg)
				return cli_usage(cmd, "unknown option '--%s'", c == 'W' ? "width" : "height");
			if (!cli_parse_count(optarg, 100, 20000, c == 'W' ? &o->width : &o->height))
				return cli_bad_value(cmd, c == 'W' ? "--width" : "--height", optarg,
				                     "a whole number from 100 to 20000");
			break;
		case 'j':
			if (svg)
				return cli_usage(cmd, "unknown option '--json'");
			o->json = true;
			break;
		default: return go.status;
		}
	}
	if (optind < argc)
		return cli_extra_arg(cmd, argv[optind], "a filter goes after --filter, quoted");
	return -1;
}

int cli_parallel(int argc, char **argv, struct cli_global *g)
{
	struct opts o = { .width = 1000, .height = 500 };
	ry_store *st;
	ry_analysis *a = NULL;
	int rc = parse(argc, argv, g, "parallel", parallel_help, &o);
	if (rc >= 0)
		return rc;
	if (!o.svg)
		return cli_usage("parallel", "--svg FILE is needed (where to write the plot)");
	if ((rc = cli_open_store(&st, g, RY_STORE_READONLY)))
		return rc;
	if ((rc = load(st, &o, &a))) {
		ry_store_close(st);
		return rc;
	}
	tui_axis axes[TUI_PC_MAX_AXES], *ap[TUI_PC_MAX_AXES];
	size_t nax = tui_pc_axes_build(axes, a);
	for (size_t k = 0; k < nax; k++)
		ap[k] = &axes[k];
	int8_t *level = ry_xmalloc((a->n ? a->n : 1) * sizeof *level);
	uint8_t *rank = ry_xmalloc((a->n ? a->n : 1) * sizeof *rank);
	tui_pc_levels(a->metric.num, a->n, a->goal, level, rank);
	ry_buf b = RY_BUF_INIT;
	size_t lines = tui_pc_svg(&b, (int)o.width, (int)o.height, ap, nax, level, rank, a->names);
	FILE *f = strcmp(o.svg, "-") ? fopen(o.svg, "w") : stdout;
	if (!f || fwrite(b.ptr, 1, b.len, f) != b.len || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "runyard parallel: cannot write %s\n", o.svg);
		rc = 1;
	} else {
		if (f != stdout)
			printf("%zu of %zu runs drawn (%zu axes: the rest lack a value) into %s\n", lines, a->n, nax, o.svg);
		rc = 0;
	}
	ry_buf_free(&b);
	free(level);
	free(rank);
	for (size_t k = 0; k < nax; k++)
		tui_axis_free(&axes[k]);
	ry_analysis_free(a);
	ry_store_close(st);
	return rc;
}

static cJSON *num_or_null(double v)
{
	return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

int cli_importance(int argc, char **argv, struct cli_global *g)
{
	struct opts o = { 0 };
	ry_store *st;
	ry_analysis *a = NULL;
	int rc = parse(argc, argv, g, "importance", importance_help, &o);
	if (rc >= 0)
		return rc;
	if ((rc = cli_open_store(&st, g, RY_STORE_READONLY)))
		return rc;
	if ((rc = load(st, &o, &a))) {
		ry_store_close(st);
		return rc;
	}
	ry_importance *v = NULL;
	size_t nv = 0;
	char line[1024];
	ry_analysis_importance(a, &v, &nv);
	tui_present_importance_method(line, sizeof line, a->metric.label, a->n);
	if (o.json) {
		cJSON *doc = cJSON_CreateObject(), *arr = cJSON_CreateArray();
		cJSON_AddItemToObject(doc, "metric", cli_json_string(a->metric.name));
		cJSON_AddNumberToObject(doc, "runs", (double)a->n);
		cJSON_AddItemToObject(doc, "method", cli_json_string(line));
		for (size_t i = 0; i < nv; i++) {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddItemToObject(r, "param", cli_json_string(v[i].label));
			cJSON_AddStringToObject(r, "kind", v[i].categorical ? "categorical" : "numeric");
			cJSON_AddNumberToObject(r, "n", (double)v[i].n);
			cJSON_AddItemToObject(r, "effect", num_or_null(v[i].effect));
			cJSON_AddItemToObject(r, "pearson", num_or_null(v[i].pearson));
			cJSON_AddItemToObject(r, "spearman", num_or_null(v[i].spearman));
			if (v[i].categorical)
				cJSON_AddNumberToObject(r, "groups", v[i].ngroups);
			else
				cJSON_AddNullToObject(r, "groups");
			cJSON_AddItemToObject(r, "eta", num_or_null(v[i].eta));
			cJSON_AddItemToObject(r, "kruskal_h", num_or_null(v[i].kw_h));
			cJSON_AddItemToArray(arr, r);
		}
		cJSON_AddItemToObject(doc, "params", arr);
		rc = cli_json_print(doc);
	} else {
		cli_put_safe(stdout, line);
		printf("\n\n");
		tui_present_importance_header(line, sizeof line);
		printf("%s\n", line);
		for (size_t i = 0; i < nv; i++) {
			tui_present_importance_row(line, sizeof line, &v[i]);
			cli_put_safe(stdout, line);
			printf("\n");
		}
		if (!nv)
			printf("(no params to rank: name them with --params)\n");
		rc = 0;
	}
	ry_importance_free(v, nv);
	ry_analysis_free(a);
	ry_store_close(st);
	return rc;
}
