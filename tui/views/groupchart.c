/*
 * The chart of groups: what `c` opens on the runs screen while it is
 * grouped (`:group KEY`).  Each group is one series, its mean curve, with
 * a band around it, min to max or mean +- std (B switches), as a lighter
 * fill.  The groups are told apart by their letters (a, b, ...) as the
 * runs are on compare, so it reads without colour.  The x axis, cursor and
 * zoom are compare's (widgets/chart.h nav, tui_chart_keys, `:x NAME`):
 * on the step axis core pairs the runs' points by step
 * (ry_group_curve); on the others (epoch or any metric, wall-clock or
 * relative time) each run's history is put on the axis as compare does
 * (tui_series_x) and the runs are aggregated per bucket of x, two a plot
 * column of the range shown (widgets/groupcurve.h says how), so a zoom
 * rebuilds them finer.  `:export FILE.svg` writes the chart as shown.  It
 * reads through core and draws; it does not compare params (Enter on a
 * group row lists its runs for that).
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/draw.h"
#include "app/tui.h"
#include "text/text.h"
#include "views/export.h"
#include "views/series.h"
#include "widgets/chart.h"
#include "widgets/groupcurve.h"
#include "widgets/svgplot.h"
#include "widgets/theme.h"

struct gseries {
	char *label;              /* the group's value (outside text) */
	int64_t *ids;
	size_t nids;
	double *x, *mean, *lo, *hi;
	size_t n;
	size_t maxn;              /* most runs at one step */
	double last, min, max;    /* of the mean curve over all the data, zoomed
	                             or not (the legend's figures); NaN: none */
};

struct groupchart_priv {
	char *key;
	struct gseries *g;
	size_t ng;
	char **mkeys;             /* metrics the groups' runs log */
	size_t nmkeys, metric;
	bool std_band;            /* mean +- std, else min..max */
	bool log_y;
	bool built;               /* the curves are of mkeys[metric] */
	int built_w;              /* the plot width bucketed curves were built for */
	tui_chart_nav nav;        /* x axis, cursor, zoom: compare's */
	double dlo, dhi;          /* the x range of all the groups' data */
	struct tui_series_buf sb; /* reused history buffers */
};


static void curves_free_one(struct gseries *g)
{
	free(g->x);
	free(g->mean);
	free(g->lo);
	free(g->hi);
	g->x = g->mean = g->lo = g->hi = NULL;
	g->n = 0;
	g->last = g->min = g->max = NAN; /* none until built (a read that fails says so) */
}

static void curves_free(struct groupchart_priv *p)
{
	for (size_t i = 0; i < p->ng; i++)
		curves_free_one(&p->g[i]);
	p->built = false;
}

static void curve_alloc(struct gseries *g, size_t n)
{
	g->x = ry_xmalloc((n ? n : 1) * sizeof *g->x);
	g->mean = ry_xmalloc((n ? n : 1) * sizeof *g->mean);
	g->lo = ry_xmalloc((n ? n : 1) * sizeof *g->lo);
	g->hi = ry_xmalloc((n ? n : 1) * sizeof *g->hi);
	g->n = n;
	g->maxn = 0;
}

/* Point k of g's curve, with the band chosen. */
static void curve_set(const struct groupchart_priv *p, struct gseries *g, size_t k, double x, size_t n,
                      double mean, double std, double min, double max)
{
	double sd = isfinite(std) ? std : 0;
	g->x[k] = x;
	g->mean[k] = mean;
	g->lo[k] = p->std_band ? mean - sd : min;
	g->hi[k] = p->std_band ? mean + sd : max;
	g->maxn = n > g->maxn ? n : g->maxn;
}

/* The legend's figures of g's mean curve as it is now. */
static void curve_stats(struct gseries *g)
{
	g->last = g->min = g->max = NAN;
	for (size_t k = 0; k < g->n; k++) {
		if (!isfinite(g->mean[k]))
			continue;
		g->last = g->mean[k];
		g->min = !(g->mean[k] >= g->min) ? g->mean[k] : g->min;
		g->max = !(g->mean[k] <= g->max) ? g->mean[k] : g->max;
	}
}

/* On the step axis: core's curve, a point per step any run logged. */
static void curves_by_step(struct tui_ctx *c, struct groupchart_priv *p)
{
	for (size_t i = 0; i < p->ng; i++) {
		struct gseries *g = &p->g[i];
		ry_group_point *pts = NULL;
		size_t n = 0;
		if (ry_group_curve(c->st, g->ids, g->nids, p->mkeys[p->metric], &pts, &n) < 0) {
			tui_error(c, "%s", ry_error_last());
			continue;
		}
		curve_alloc(g, n);
		for (size_t k = 0; k < n; k++)
			curve_set(p, g, k, (double)pts[k].step, pts[k].n, pts[k].mean, pts[k].std, pts[k].min, pts[k].max);
		curve_stats(g);
		free(pts);
	}
}

/* Every run's points of a group on the chosen axis, run after run: run
 * r's are [start[r], start[r + 1]) (the last's end at n). */
struct gpoints {
	double *x, *y;
	size_t n, xcap, ycap;
	size_t *start, nruns, scap;
};

static void group_points(struct tui_ctx *c, struct groupchart_priv *p, const struct gseries *g, struct gpoints *gp)
{
	for (size_t r = 0; r < g->nids; r++) {
		size_t np = 0;
		if (ry_metrics_read_into(c->st, g->ids[r], p->mkeys[p->metric], &p->sb.pts, &p->sb.cap, &np) < 0) {
			tui_error(c, "%s", ry_error_last());
			continue;
		}
		if (!np)
			continue;
		gp->x = ry_xgrow(gp->x, &gp->xcap, gp->n + np, sizeof *gp->x);
		gp->y = ry_xgrow(gp->y, &gp->ycap, gp->n + np, sizeof *gp->y);
		if (tui_series_x(c->st, g->ids[r], &p->nav, &p->sb, np, gp->x + gp->n) < 0) {
			tui_error(c, "%s", ry_error_last());
			continue;
		}
		for (size_t k = 0; k < np; k++)
			gp->y[gp->n + k] = p->sb.pts[k].value;
		gp->start = ry_xgrow(gp->start, &gp->scap, gp->nruns + 1, sizeof *gp->start);
		gp->start[gp->nruns++] = gp->n;
		gp->n += np;
	}
}

/* On any other axis: the runs' points bucketed over the range shown (the
 * zoom's, else all the groups' data), two buckets a plot column. */
static void curves_bucketed(struct tui_ctx *c, struct groupchart_priv *p, int plot_w)
{
	struct gpoints *gp = ry_xcalloc(p->ng ? p->ng : 1, sizeof *gp);
	double lo = INFINITY, hi = -INFINITY, zlo, zhi;
	size_t buckets = (size_t)(plot_w > 0 ? plot_w : 100) * 2;
	for (size_t i = 0; i < p->ng; i++) {
		group_points(c, p, &p->g[i], &gp[i]);
		for (size_t k = 0; k < gp[i].n; k++) {
			if (!isfinite(gp[i].x[k]) || !isfinite(gp[i].y[k]))
				continue;
			lo = gp[i].x[k] < lo ? gp[i].x[k] : lo;
			hi = gp[i].x[k] > hi ? gp[i].x[k] : hi;
		}
	}
	p->dlo = lo;
	p->dhi = hi;
	bool zoom = tui_chart_nav_range(&p->nav, &zlo, &zhi);
	tui_groupcurve_point *out = ry_xmalloc(buckets * sizeof *out);
	for (size_t i = 0; i < p->ng; i++) {
		struct gseries *g = &p->g[i];
		size_t nr = gp[i].nruns;
		const double **xs = ry_xmalloc((nr ? nr : 1) * sizeof *xs), **ys = ry_xmalloc((nr ? nr : 1) * sizeof *ys);
		size_t *ns = ry_xmalloc((nr ? nr : 1) * sizeof *ns);
		for (size_t r = 0; r < nr; r++) {
			xs[r] = gp[i].x + gp[i].start[r];
			ys[r] = gp[i].y + gp[i].start[r];
			ns[r] = (r + 1 < nr ? gp[i].start[r + 1] : gp[i].n) - gp[i].start[r];
		}
		/* all of it first, for the legend's figures; then the zoom's */
		for (int pass = 0; pass < 1 + zoom; pass++) {
			double a = pass ? zlo : lo, b = pass ? zhi : hi;
			size_t n = a <= b ? tui_groupcurve_bucket(xs, ys, ns, nr, a, b, buckets, out) : 0;
			if (pass)
				curves_free_one(g);
			curve_alloc(g, n);
			for (size_t k = 0; k < n; k++)
				curve_set(p, g, k, out[k].x, out[k].n, out[k].mean, out[k].std, out[k].min, out[k].max);
			if (!pass)
				curve_stats(g);
		}
		free(xs);
		free(ys);
		free(ns);
		free(gp[i].x);
		free(gp[i].y);
		free(gp[i].start);
	}
	free(out);
	free(gp);
}

static void curves_build(struct tui_ctx *c, struct groupchart_priv *p, int plot_w)
{
	curves_free(p);
	p->built = true;
	p->built_w = plot_w;
	p->dlo = INFINITY;
	p->dhi = -INFINITY;
	if (p->metric >= p->nmkeys)
		return;
	if (p->nav.xaxis != TUI_CHART_X_STEP) {
		curves_bucketed(c, p, plot_w);
		return;
	}
	curves_by_step(c, p);
	for (size_t i = 0; i < p->ng; i++)
		for (size_t k = 0; k < p->g[i].n; k++) {
			p->dlo = p->g[i].x[k] < p->dlo ? p->g[i].x[k] : p->dlo;
			p->dhi = p->g[i].x[k] > p->dhi ? p->g[i].x[k] : p->dhi;
		}
}

/* Group g's figures for its legend row: its mean curve's last, min and
 * max (full), or the last only. */
static void group_stats(const struct gseries *g, bool full, char *out, size_t n)
{
	if (!isfinite(g->last))
		snprintf(out, n, "no points");
	else
		tui_stats_text(g->last, g->min, g->max, full, out, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The metrics the groups log: those of each group's first runs (a few
 * reads, not one per run of a 100,000-run group). */
static void metrics_load(struct tui_ctx *c, struct groupchart_priv *p)
{
	size_t cap = 0;
	for (size_t i = 0; i < p->ng; i++) {
		for (size_t r = 0; r < p->g[i].nids && r < 3; r++) {
			ry_metric_summary *m = NULL;
			size_t nm = 0;
			if (ry_metrics_summaries(c->st, p->g[i].ids[r], &m, &nm) < 0)
				continue;
			for (size_t k = 0; k < nm; k++) {
				bool have = false;
				for (size_t j = 0; j < p->nmkeys && !have; j++)
					have = !strcmp(p->mkeys[j], m[k].key);
				if (!have) {
					p->mkeys = ry_xgrow(p->mkeys, &cap, p->nmkeys + 1, sizeof *p->mkeys);
					p->mkeys[p->nmkeys++] = ry_xstrdup(m[k].key);
				}
			}
			ry_metric_summaries_free(m, nm);
		}
	}
	if (p->nmkeys)
		qsort(p->mkeys, p->nmkeys, sizeof *p->mkeys, cmp_str);
	/* Start where compare starts: the chart settings last used, else a
	 * validation or loss curve. */
	p->metric = 0;
	for (size_t k = 0; k < p->nmkeys; k++) {
		if (strstr(p->mkeys[k], "val") || strstr(p->mkeys[k], "loss")) {
			p->metric = k;
			break;
		}
	}
	for (size_t k = 0; c->chart.metric && k < p->nmkeys; k++)
		if (!strcmp(p->mkeys[k], c->chart.metric))
			p->metric = k;
}

static int groupchart_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_groupchart_arg *a = arg;
	struct groupchart_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	p->key = ry_xstrdup(a->key ? a->key : "group");
	p->ng = a->ngroups > TUI_MAX_COMPARE ? TUI_MAX_COMPARE : a->ngroups;
	p->g = ry_xcalloc(p->ng ? p->ng : 1, sizeof *p->g);
	for (size_t i = 0; i < p->ng; i++) {
		p->g[i].label = ry_xstrdup(a->labels[i] ? a->labels[i] : "(none)");
		p->g[i].nids = a->nids[i];
		p->g[i].ids = ry_xmalloc((a->nids[i] ? a->nids[i] : 1) * sizeof *p->g[i].ids);
		memcpy(p->g[i].ids, a->ids[i], a->nids[i] * sizeof *p->g[i].ids);
	}
	metrics_load(c, p);
	return 0;
}

static void groupchart_done(struct tui_view *v, struct tui_ctx *c)
{
	struct groupchart_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	curves_free(p);
	tui_series_buf_free(&p->sb);
	for (size_t i = 0; i < p->ng; i++) {
		free(p->g[i].label);
		free(p->g[i].ids);
	}
	free(p->g);
	ry_strings_free(p->mkeys, p->nmkeys);
	free(p->key);
	free(p);
}

static void groupchart_reload(struct tui_view *v, struct tui_ctx *c)
{
	struct groupchart_priv *p = v->priv;
	(void)c;
	p->built = false; /* new points: the curves are read again */
}

static const char *band_name(const struct tui_ctx *c, const struct groupchart_priv *p)
{
	return p->std_band ? (c->utf8 ? "mean \xc2\xb1 std" : "mean +- std") : "min-max";
}

/* The legend: a row a group, its letter, value and run count, then its
 * reading at the cursor when shown, and its mean curve's last, min and
 * max (the last only where the row would not fit). */
static int draw_legend(struct tui_ctx *c, struct groupchart_priv *p, int y)
{
	int lrows = 0, namew = 0;
	for (size_t i = 0; i < p->ng; i++) {
		int w = tui_text_width(p->g[i].label);
		namew = w > namew ? w : namew;
	}
	namew = namew > 40 ? 40 : namew;
	for (size_t i = 0; i < p->ng && lrows < 6; i++, lrows++) {
		const struct gseries *g = &p->g[i];
		char name[128], line[640], fitted[700], rd[200] = "", st[128];
		tui_text_fit(name, sizeof name, g->label, namew, false, false, c->utf8);
		if (p->nav.cursor_on) {
			long k = tui_chart_at_or_before(g->x, g->mean, g->n, p->nav.cursor);
			if (k < 0)
				snprintf(rd, sizeof rd, "  -");
			else {
				struct tui_chart_nav at = p->nav;
				char where[64];
				at.cursor = g->x[k];
				tui_cursor_text(&at, where, sizeof where);
				snprintf(rd, sizeof rd, "  mean %.4g  band %.4g..%.4g @ %s", g->mean[k], g->lo[k], g->hi[k], where);
			}
		}
		for (int full = 1; full >= 0; full--) {
			group_stats(g, full, st, sizeof st);
			snprintf(line, sizeof line, "%s %c %s = %-*s %zu run%s%s  %s", c->utf8 ? "\xe2\x96\xa0" : "#",
			         tui_chart_marker(i), p->key, namew + (int)(strlen(name) - (size_t)tui_text_width(name)), name,
			         g->nids, g->nids == 1 ? "" : "s", rd, st);
			if (tui_text_width(line) <= c->cols - 2)
				break;
		}
		tui_text_fit(fitted, sizeof fitted, line, c->cols - 2, false, false, c->utf8);
		attrset((attr_t)c->attrs[tui_theme_series(i)]);
		mvaddstr(y + lrows, 1, fitted);
		attrset(A_NORMAL);
	}
	return lrows;
}

static void groupchart_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct groupchart_priv *p = v->priv;
	char title[768], axis[256];
	int ylab = 9, plot_x = ylab + 1, plot_w = c->cols - plot_x - 2;
	/* bucketed curves have a resolution: the plot's width */
	if (!p->built || (p->nav.xaxis != TUI_CHART_X_STEP && p->built_w != plot_w))
		curves_build(c, p, plot_w);
	p->nav.dlo = p->dlo;
	p->nav.dhi = p->dhi;
	tui_axis_text(&p->nav, axis, sizeof axis);
	snprintf(title, sizeof title, " %s by %s  mean over %s, band: %s  %s  y: %s ",
	         p->metric < p->nmkeys ? p->mkeys[p->metric] : "(no metric)", p->key,
	         tui_chart_nav_axis_name(&p->nav), band_name(c, p), axis, p->log_y ? "log" : "linear");
	tui_draw_str(c, y, 2, c->cols - 4, title, TUI_COLOR_HEADER);
	if (!p->nmkeys) {
		tui_draw_text(c, y + 2, 2, c->cols - 4, "These runs log no metrics.", TUI_COLOR_DIM);
		return;
	}
	int lrows = draw_legend(c, p, y + 1);
	int plot_y = y + 1 + lrows, plot_h = h - 3 - lrows;
	if (plot_h < 2 || plot_w < 10)
		return;
	tui_series s[TUI_MAX_COMPARE];
	tui_band b[TUI_MAX_COMPARE];
	size_t ns = 0;
	for (size_t i = 0; i < p->ng; i++) {
		if (!p->g[i].n)
			continue;
		s[ns] = (tui_series){ p->g[i].x, p->g[i].mean, p->g[i].n, (int)i, tui_chart_marker(i) };
		b[ns] = (tui_band){ p->g[i].lo, p->g[i].hi };
		ns++;
	}
	if (!ns) {
		tui_draw_text(c, plot_y, plot_x, plot_w, "no points for this metric in these groups", TUI_COLOR_DIM);
		return;
	}
	tui_chart ch;
	tui_chart_opts o = { p->log_y, 0, c->utf8, 0, 0 };
	tui_chart_nav_opts(&p->nav, &o);
	if (!(o.xhi > o.xlo) && p->dhi > p->dlo) { /* all the data, not just its buckets' mean x */
		o.xlo = p->dlo;
		o.xhi = p->dhi;
	}
	memset(&ch, 0, sizeof ch);
	tui_chart_render_bands(&ch, plot_w, plot_h, s, b, ns, &o);
	if (p->nav.xaxis == TUI_CHART_X_WALL || p->nav.xaxis == TUI_CHART_X_REL)
		tui_chart_time_axis(&ch, p->nav.xaxis == TUI_CHART_X_WALL);
	tui_draw_chart(c, &ch, plot_y, plot_x, ylab);
	tui_chart_nav_drawn(&p->nav, &ch);
	if (p->nav.marking)
		tui_draw_chart_cursor(c, &ch, plot_y, plot_x, tui_chart_col_of(&ch, p->nav.mark));
	if (p->nav.cursor_on)
		tui_draw_chart_cursor(c, &ch, plot_y, plot_x, tui_chart_col_of(&ch, p->nav.cursor));
	tui_chart_free(&ch);
}

static void groupchart_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct groupchart_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " charting %zu group%s by %s  m/p metric  </> cursor  x axis  z/+/-/Z zoom  B band  y log  "
	         ":export F.svg  q back", p->ng, p->ng == 1 ? "" : "s", p->key);
}

static bool groups_log(void *arg, const char *key)
{
	const struct groupchart_priv *p = arg;
	for (size_t k = 0; k < p->nmkeys; k++)
		if (!strcmp(p->mkeys[k], key))
			return true;
	return false;
}

static int groupchart_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct groupchart_priv *p = v->priv;
	switch (a) {
	case TUI_ACT_METRIC_NEXT: case TUI_ACT_METRIC_PREV:
		if (p->nmkeys) {
			p->metric = a == TUI_ACT_METRIC_NEXT ? (p->metric + 1) % p->nmkeys
			                                      : (p->metric + p->nmkeys - 1) % p->nmkeys;
			free(c->chart.metric);
			c->chart.metric = ry_xstrdup(p->mkeys[p->metric]);
			p->built = false;
		}
		return TUI_REDRAW;
	case TUI_ACT_BAND:
		p->std_band = !p->std_band;
		p->built = false;
		tui_msg(c, "band: %s", p->std_band ? "mean +- std" : "min-max");
		return TUI_REDRAW;
	case TUI_ACT_EMA_LESS: case TUI_ACT_EMA_MORE:
		/* a mean over runs is smooth enough; smoothing it would hide the band's meaning */
		tui_msg(c, "the group chart is not smoothed (compare a group's runs for that)");
		return TUI_REDRAW;
	case TUI_ACT_EXPORT_VIEW:
		return tui_export_ask(v, c);
	default: {
		int ema = 0;
		int k = tui_chart_keys(a, &p->nav, &ema, &p->log_y, groups_log(p, "epoch"));
		/* a new axis or range: bucketed curves are built again for it */
		if (k == 1 && (p->nav.xaxis != TUI_CHART_X_STEP || a == TUI_ACT_XAXIS))
			p->built = false;
		return k ? TUI_REDRAW : TUI_UNHANDLED;
	}
	}
}

/* `:export FILE.svg`: the groups' mean curves and bands, on the axis and
 * over the range shown, in the screen's colours. */
static void groupchart_export(struct tui_ctx *c, struct groupchart_priv *p, const char *path)
{
	struct tui_svgplot_series s[TUI_MAX_COMPARE];
	double *buf[TUI_MAX_COMPARE][4];
	char *names[TUI_MAX_COMPARE], title[512], what[256];
	double zlo = 0, zhi = 0;
	bool zoom = tui_chart_nav_range(&p->nav, &zlo, &zhi);
	if (!p->nmkeys) {
		tui_error(c, "no metric charted here to export");
		return;
	}
	if (!p->built)
		curves_build(c, p, p->built_w > 0 ? p->built_w : c->cols - 12);
	for (size_t i = 0; i < p->ng; i++) {
		const struct gseries *g = &p->g[i];
		size_t kept = 0;
		for (int e = 0; e < 4; e++)
			buf[i][e] = ry_xmalloc((g->n ? g->n : 1) * sizeof **buf);
		for (size_t k = 0; k < g->n; k++) {
			if (zoom && !(g->x[k] >= zlo && g->x[k] <= zhi))
				continue;
			buf[i][0][kept] = g->x[k];
			buf[i][1][kept] = g->mean[k];
			buf[i][2][kept] = g->lo[k];
			buf[i][3][kept++] = g->hi[k];
		}
		names[i] = ry_xasprintf("%s = %s (%zu run%s)", p->key, g->label, g->nids, g->nids == 1 ? "" : "s");
		s[i] = (struct tui_svgplot_series){ names[i], buf[i][0], buf[i][1], kept, tui_series_rgb(&c->theme, i),
		                                    buf[i][2], buf[i][3] };
	}
	snprintf(title, sizeof title, "%s by %s: mean, band %s", p->mkeys[p->metric], p->key,
	         p->std_band ? "mean +- std" : "min-max");
	struct tui_svgplot plot = { .title = title, .xlabel = tui_chart_nav_axis_name(&p->nav), .log_y = p->log_y,
	                            .s = s, .ns = p->ng, .xlo = zlo, .xhi = zhi };
	plot.xtime = p->nav.xaxis == TUI_CHART_X_WALL ? TUI_SVGPLOT_X_CLOCK
	           : p->nav.xaxis == TUI_CHART_X_REL ? TUI_SVGPLOT_X_DURATION : TUI_SVGPLOT_X_PLAIN;
	snprintf(what, sizeof what, "the %s chart of %zu group%s", p->mkeys[p->metric], p->ng, p->ng == 1 ? "" : "s");
	tui_export_svgplot(c, path, &plot, what);
	for (size_t i = 0; i < p->ng; i++) {
		for (int e = 0; e < 4; e++)
			free(buf[i][e]);
		free(names[i]);
	}
}

static int groupchart_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                             bool cancel)
{
	if (kind == TUI_PROMPT_EXPORT && final && !cancel && *text)
		groupchart_export(c, v->priv, text);
	return TUI_REDRAW;
}

/* `:x NAME` (the chart's x axis), `:export FILE.svg`. */
static int groupchart_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	struct groupchart_priv *p = v->priv;
	if (!strcmp(cmd, "export")) {
		if (!*arg)
			return tui_export_ask(v, c);
		groupchart_export(c, p, arg);
		return TUI_REDRAW;
	}
	if (strcmp(cmd, "x"))
		return TUI_UNHANDLED;
	if (tui_chart_x_command(c, &p->nav, arg, groups_log, p))
		p->built = false;
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_groupchart = {
	.name = "groupchart",
	.keymap = TUI_KM_COMPARE,
	.open = groupchart_open,
	.draw = groupchart_draw,
	.action = groupchart_action,
	.reload = groupchart_reload,
	.status = groupchart_status,
	.done = groupchart_done,
	.command = groupchart_command,
	.prompt = groupchart_prompt,
};
