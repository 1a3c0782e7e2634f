/*
 * `runyard plot RUN... --metric K --svg FILE`: a metric's chart of some
 * runs as an SVG file, the one the TUI's `:export FILE.svg` writes from a
 * chart screen (both go through tui_series_svg, views/series.h): one line
 * per run in the theme's series colours (reduced per pixel column by
 * widgets/svgplot.c), axes and a legend.  No terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "views/series.h"

static const char help[] =
	"usage: runyard plot RUN... --metric KEY --svg FILE [--x AXIS] [--x-range LO:HI]\n"
	"                    [--smooth W] [--log-y] [--db PATH]\n"
	"\n"
	"Write the chart of metric KEY for each RUN (numeric id, uuid prefix or\n"
	"unique name; up to 12) to FILE as SVG: one line per run, in the colours the\n"
	"TUI's charts give them (series-1, series-2... of the theme), with axes and\n"
	"a legend of run names.  It is the file ':export FILE.svg' writes from the\n"
	"compare screen for the same runs, metric, axis and smoothing (and, for a\n"
	"zoomed screen, --x-range of its zoom; without it plot writes the whole\n"
	"range).\n"
	"Each line is reduced per pixel column of the 800 px wide file to the\n"
	"column's first, lowest, highest and last point: the shape every point\n"
	"draws at that size, every extreme kept, at most 4 points a column (12 runs\n"
	"of 100,000 points make a 300 KB file, not 14 MB).  'runyard --theme NAME\n"
	"plot ...' takes the colours of theme NAME.\n"
	"\n"
	"Options:\n"
	"  -m, --metric KEY   the metric to chart (required)\n"
	"  -o, --svg FILE     where to write the SVG (required; - for stdout)\n"
	"  -x, --x AXIS       the x axis: step (default), epoch, wall (clock time),\n"
	"                     relative (time since each run's first point), or any\n"
	"                     other metric of the runs (its value at each step)\n"
	"  --x-range LO:HI    only this x range, as a zoomed chart shows it: the\n"
	"                     axis spans it, the points outside are left out and\n"
	"                     the y axis fits what is inside (in the axis' units:\n"
	"                     steps, Unix seconds for wall, seconds for relative)\n"
	"  --smooth W         EMA smoothing weight, 0 (none) to 0.999\n"
	"  --log-y            a logarithmic y axis (values <= 0 are left out)\n"
	"  --db PATH          workspace file\n"
	"  -h, --help         print this help\n"
	"\n"
	"Exit status: 0 written, 1 a run was not found or FILE could not be\n"
	"written, 2 bad usage.\n";

enum { MAX_RUNS = 12 };

int cli_plot(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "svg", required_argument, NULL, 'o' },
		{ "x", required_argument, NULL, 'x' },
		{ "smooth", required_argument, NULL, 's' },
		{ "log-y", no_argument, NULL, 'l' },
		{ "x-range", required_argument, NULL, 'r' },
		CLI_OPTIONS_END,
	};
	struct cli_getopt go = CLI_GETOPT_INIT("plot", help, g);
	const char *metric = NULL, *out = NULL, *xaxis = "step", *range = NULL;
	double ema = 0;
	bool log_y = false;
	tui_chart_nav nav;
	int64_t ids[MAX_RUNS];
	struct tui_theme theme;
	char err[256];
	ry_buf b = RY_BUF_INIT;
	ry_store *st;
	size_t n;
	int c, rc;

	while ((c = cli_getopt(&go, argc, argv, "m:o:x:h", opts)) != -1) {
		switch (c) {
		case 'm': metric = optarg; break;
		case 'o': out = optarg; break;
		case 'x': xaxis = optarg; break;
		case 'l': log_y = true; break;
		case 'r': range = optarg; break;
		case 's': {
			char *end;
			ema = strtod(optarg, &end);
			if (*end || !(ema >= 0 && ema <= 0.999))
				return cli_bad_value("plot", "--smooth", optarg, "a weight from 0 to 0.999");
			break;
		}
		default: return go.status;
		}
	}
	if (optind >= argc)
		return cli_usage("plot", "which runs? give their ids, uuid prefixes or names");
	if (argc - optind > MAX_RUNS)
		return cli_usage("plot", "at most %d runs in one chart", MAX_RUNS);
	if (!metric || !*metric)
		return cli_usage("plot", "which metric? give --metric KEY");
	if (!out || !*out)
		return cli_usage("plot", "where to? give --svg FILE (- for stdout)");
	memset(&nav, 0, sizeof nav);
	if (!strcmp(xaxis, "step")) {
		nav.xaxis = TUI_CHART_X_STEP;
	} else if (!strcmp(xaxis, "wall")) {
		nav.xaxis = TUI_CHART_X_WALL;
	} else if (!strcmp(xaxis, "relative")) {
		nav.xaxis = TUI_CHART_X_REL;
	} else if (*xaxis) {
		nav.xaxis = TUI_CHART_X_METRIC; /* epoch is one */
		snprintf(nav.xmetric, sizeof nav.xmetric, "%s", xaxis);
	} else {
		return cli_bad_value("plot", "--x", xaxis, "step, epoch, wall, relative or a metric");
	}
	if (range) {
		char *end, *colon = strchr(range, ':');
		double lo = colon ? strtod(range, &end) : NAN, hi = NAN;
		if (colon && end == colon)
			hi = strtod(colon + 1, &end);
		if (!colon || *end || !(hi > lo) || !isfinite(lo) || !isfinite(hi))
			return cli_bad_value("plot", "--x-range", range, "LO:HI with LO below HI");
		nav.zoomed = true; /* the screen's zoom, as tui_series_svg reads it */
		nav.zlo = lo;
		nav.zhi = hi;
	}
	if (tui_theme_load(&theme, g->theme, err, sizeof err) < 0)
		fprintf(stderr, "runyard plot: %s; using the default colours\n", err);
	if ((rc = cli_open_store(&st, g, 0)))
		return rc;
	n = (size_t)(argc - optind);
	for (size_t i = 0; i < n; i++)
		if ((rc = ry_run_resolve(&ids[i], st, argv[optind + (int)i]))) {
			rc = cli_fail(rc);
			ry_store_close(st);
			return rc;
		}
	if ((rc = tui_series_svg(&b, st, ids, n, metric, &nav, ema, log_y, &theme))) {
		rc = cli_fail(rc);
	} else {
		FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;
		if (!f || fwrite(b.ptr, 1, b.len, f) != b.len || (f != stdout ? fclose(f) : fflush(f))) {
			fprintf(stderr, "runyard plot: cannot write %s: %s\n", out, strerror(errno));
			rc = 1;
		}
	}
	ry_buf_free(&b);
	ry_store_close(st);
	return rc;
}
