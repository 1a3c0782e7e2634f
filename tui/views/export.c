/*
 * Writing what a screen shows to a file (export.h).  The bytes come from
 * the command line's writers (text/output.h) and the SVG chart writer
 * (views/series.h), so an exported file and the command's output for the
 * same selection are the same file; this module only opens the file, picks
 * the writer by extension and says what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/tui.h"
#include "views/export.h"
#include "views/series.h"
#include "widgets/svgplot.h"

int tui_export_ask(struct tui_view *v, struct tui_ctx *c)
{
	tui_prompt_open(c, v, TUI_PROMPT_EXPORT, "export to (FILE.csv, .json or .svg): ", "");
	return TUI_REDRAW;
}

const char *tui_export_format(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return NULL;
	if (!strcasecmp(dot, ".csv"))
		return "csv";
	if (!strcasecmp(dot, ".json"))
		return "json";
	if (!strcasecmp(dot, ".svg"))
		return "svg";
	return NULL;
}

/* path with a leading ~/ put under $HOME; malloc'd. */
static char *expand(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && path[1] == '/' && home && *home)
		return ry_xasprintf("%s%s", home, path + 1);
	return ry_xstrdup(path);
}

static FILE *open_out(struct tui_ctx *c, const char *path, char **full)
{
	*full = expand(path);
	FILE *f = fopen(*full, "w");
	if (!f)
		tui_error(c, "cannot write %s: %s", path, strerror(errno));
	return f;
}

/* Close f; false (and said) when writing failed: rc from the writer. */
static bool close_out(struct tui_ctx *c, FILE *f, const char *path, int rc)
{
	int err = fclose(f) ? errno : 0;
	if (rc < 0) {
		tui_error(c, "export to %s failed: %s", path, ry_error_last());
		return false;
	}
	if (err) {
		tui_error(c, "export to %s failed: %s", path, strerror(err));
		return false;
	}
	return true;
}

void tui_export_runs(struct tui_ctx *c, const char *path, const struct cli_runs_select *sel)
{
	const char *fmt = tui_export_format(path);
	char *full;
	size_t n = 0;
	if (!fmt || !strcmp(fmt, "svg")) {
		tui_error(c, "the runs table exports as FILE.csv or FILE.json (the chart screens as .svg)");
		return;
	}
	FILE *f = open_out(c, path, &full);
	if (!f) {
		free(full);
		return;
	}
	int rc = cli_runs_write(f, c->st, sel, !strcmp(fmt, "csv") ? CLI_RUNS_CSV : CLI_RUNS_JSON, false, &n);
	if (close_out(c, f, path, rc))
		tui_msg(c, "exported %zu run%s to %s (as runyard runs --%s)", n, n == 1 ? "" : "s", path, fmt);
	free(full);
}

void tui_export_compare(struct tui_ctx *c, const char *path, const int64_t *ids, size_t n)
{
	const char *fmt = tui_export_format(path);
	char *full;
	bool csv = fmt && !strcmp(fmt, "csv");
	if (!fmt || (strcmp(fmt, "json") && !csv)) {
		tui_error(c, "the comparison exports as FILE.json or FILE.csv (as runyard compare --json/--csv), "
		             "its chart as FILE.svg");
		return;
	}
	FILE *f = open_out(c, path, &full);
	if (!f) {
		free(full);
		return;
	}
	int rc = csv ? cli_compare_write_csv(f, c->st, ids, n, false) : cli_compare_write_json(f, c->st, ids, n, false);
	if (close_out(c, f, path, rc))
		tui_msg(c, "exported the comparison of %zu runs to %s (as runyard compare --%s)", n, path, fmt);
	free(full);
}

/* Write the SVG in b to path and say so with what. */
static void svg_out(struct tui_ctx *c, const char *path, const ry_buf *b, const char *what)
{
	char *full;
	FILE *f = open_out(c, path, &full);
	if (f) {
		size_t w = fwrite(b->ptr ? b->ptr : "", 1, b->len, f);
		if (close_out(c, f, path, w == b->len ? 0 : ry_error_set(RY_EIO, "short write")))
			tui_msg(c, "exported %s to %s", what, path);
	}
	free(full);
}

void tui_export_chart(struct tui_ctx *c, const char *path, const int64_t *ids, size_t n, const char *key,
                      const tui_chart_nav *nav, double ema, bool log_y)
{
	const char *fmt = tui_export_format(path);
	ry_buf b = RY_BUF_INIT;
	if (!fmt || strcmp(fmt, "svg")) {
		tui_error(c, "a chart exports as FILE.svg");
		return;
	}
	if (!key || !*key) {
		tui_error(c, "no metric charted here to export");
		return;
	}
	int rc = tui_series_svg(&b, c->st, ids, n, key, nav, ema, log_y, &c->theme);
	if (rc < 0) {
		tui_error(c, "export to %s failed: %s", path, ry_error_last());
		ry_buf_free(&b);
		return;
	}
	char *what = ry_xasprintf("the %s chart of %zu run%s", key, n, n == 1 ? "" : "s");
	svg_out(c, path, &b, what);
	free(what);
	ry_buf_free(&b);
}

void tui_export_svgplot(struct tui_ctx *c, const char *path, const struct tui_svgplot *plot, const char *what)
{
	const char *fmt = tui_export_format(path);
	ry_buf b = RY_BUF_INIT;
	if (!fmt || strcmp(fmt, "svg")) {
		tui_error(c, "a chart exports as FILE.svg");
		return;
	}
	tui_svgplot_write(&b, plot);
	svg_out(c, path, &b, what);
	ry_buf_free(&b);
}
