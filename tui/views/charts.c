/*
 * One run's metrics charted, several at once: small multiples, one chart
 * per metric in a grid of one to three columns (by screen width),
 * scrolled by chart row.  The run's main metrics come first (val_* and
 * losses), the others after in name order; M picks which are shown.  The
 * x axis (step, wall time, relative time), EMA smoothing and a log y axis
 * apply to every chart at once, as in compare.
 *
 * Each chart keeps only its decimated series (a few points a column),
 * built when first drawn at a width and dropped when the axis, smoothing
 * or the metric's point count changes, so a running run's charts follow
 * it.  Comparing several runs on one metric is compare's job, not this.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/draw.h"
#include "app/tui.h"
#include "views/export.h"
#include "text/text.h"
#include "widgets/chart.h"
#include "views/series.h"

enum { CHART_MIN_W = 56, CHART_ROWS = 12, YLAB = 8 };

struct slot {
	double *dx, *dy;   /* decimated series, owned */
	size_t nd;
	int built_w;       /* plot width it was built for; -1 stale */
	int64_t built_n;   /* the metric's point count then */
	double dlo, dhi;   /* the x range of all its points, zoomed or not */
	bool rd_valid;     /* rd is the reading at rd_at */
	double rd_at;
	struct tui_reading rd;
};

struct charts_priv {
	int64_t id;
	int64_t experiment_id;      /* the run's: its goals */
	char *name;                 /* the run's, owned */
	ry_metric_summary *ms;      /* in display order */
	size_t nms;
	struct slot *slots;         /* one per ms */
	bool *shown;                /* one per ms */
	struct tui_chart_nav nav;   /* x axis, cursor, zoom: every chart's */
	int ema;
	bool log_y;
	struct tui_list rows;       /* a pager over chart rows */
	struct tui_series_buf sb;   /* reused history buffers */
	double *sx, *sy;            /* scratch, scap entries */
	size_t scap;
};

/* Main metrics first: what a data scientist looks at before the rest
 * (a goal someone set comes first of all: load moves those up). */
static int cmp_summary(const void *a, const void *b)
{
	const ry_metric_summary *x = a, *y = b;
	int d = tui_chart_metric_rank(x->key, false) - tui_chart_metric_rank(y->key, false);
	return d ? d : strcmp(x->key, y->key);
}

/* Metrics with a goal someone set to the front, in the order they had. */
static void goals_first(ry_store *st, ry_metric_summary *ms, size_t n)
{
	size_t front = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ry_metric_goal_set(st, ms[i].key))
			continue;
		ry_metric_summary t = ms[i];
		memmove(ms + front + 1, ms + front, (i - front) * sizeof *ms);
		ms[front++] = t;
	}
}

static void slot_drop(struct slot *s)
{
	free(s->dx);
	free(s->dy);
	s->dx = s->dy = NULL;
	s->nd = 0;
	s->built_w = -1;
	s->dlo = INFINITY;
	s->dhi = -INFINITY;
	s->rd_valid = false;
}

static void slots_drop(struct charts_priv *p)
{
	for (size_t i = 0; i < p->nms; i++)
		slot_drop(&p->slots[i]);
}

static void data_free(struct charts_priv *p)
{
	slots_drop(p);
	free(p->slots);
	free(p->shown);
	ry_metric_summaries_free(p->ms, p->nms);
	p->slots = NULL;
	p->shown = NULL;
	p->ms = NULL;
	p->nms = 0;
}

/* Read the run and its metrics; which were shown is kept by name. */
static int load(struct tui_ctx *c, struct charts_priv *p)
{
	ry_run *r = NULL;
	ry_metric_summary *ms = NULL;
	size_t nms = 0;
	if (ry_run_get(&r, c->st, p->id) < 0 || ry_metrics_summaries(c->st, p->id, &ms, &nms) < 0) {
		tui_error(c, "%s", ry_error_last());
		ry_run_free(r);
		return -1;
	}
	free(p->name);
	p->name = ry_xstrdup(r->name ? r->name : "?");
	p->experiment_id = r->experiment_id;
	ry_run_free(r);
	if (nms)
		qsort(ms, nms, sizeof *ms, cmp_summary);
	goals_first(c->st, ms, nms);
	bool *shown = ry_xcalloc(nms ? nms : 1, sizeof *shown);
	struct slot *slots = ry_xcalloc(nms ? nms : 1, sizeof *slots);
	for (size_t i = 0; i < nms; i++) {
		shown[i] = true;
		slot_drop(&slots[i]);
		for (size_t k = 0; k < p->nms; k++) {
			if (strcmp(p->ms[k].key, ms[i].key))
				continue;
			shown[i] = p->shown[k];
			if (p->ms[k].n == ms[i].n) { /* unchanged: keep its series */
				slots[i] = p->slots[k];
				p->slots[k].dx = p->slots[k].dy = NULL; /* moved: not to be freed */
				slot_drop(&p->slots[k]);
			}
		}
	}
	data_free(p);
	p->ms = ms;
	p->nms = nms;
	p->shown = shown;
	p->slots = slots;
	return 0;
}

static void scratch_reserve(struct charts_priv *p, size_t n)
{
	if (n <= p->scap)
		return;
	free(p->sx);
	free(p->sy);
	p->sx = ry_xmalloc(n * sizeof *p->sx);
	p->sy = ry_xmalloc(n * sizeof *p->sy);
	p->scap = n;
}

/* Metric i's series for a plot w columns wide: its history on the chosen
 * axis, smoothed, the points outside a zoom left out, decimated to a few
 * points a column. */
static void slot_build(struct tui_ctx *c, struct charts_priv *p, size_t i, int w)
{
	struct slot *s = &p->slots[i];
	size_t np = 0, kept = 0, buckets = (size_t)(w > 0 ? w : 1) * 2;
	double zlo = 0, zhi = 0;
	bool zoom = tui_chart_nav_range(&p->nav, &zlo, &zhi);
	if (s->built_w == w)
		return;
	slot_drop(s);
	s->built_w = w;
	s->built_n = p->ms[i].n;
	if (ry_metrics_read_into(c->st, p->id, p->ms[i].key, &p->sb.pts, &p->sb.cap, &np) < 0) {
		tui_error(c, "%s", ry_error_last());
		return;
	}
	if (!np)
		return;
	scratch_reserve(p, np);
	if (tui_series_x(c->st, p->id, &p->nav, &p->sb, np, p->sx) < 0)
		tui_error(c, "%s", ry_error_last());
	for (size_t k = 0; k < np; k++)
		p->sy[k] = p->sb.pts[k].value;
	if (tui_chart_ema_levels[p->ema] > 0)
		tui_chart_ema(p->sy, np, tui_chart_ema_levels[p->ema]);
	for (size_t k = 0; k < np; k++) {
		double x = p->sx[k];
		if (!isfinite(x))
			continue;
		if (x < s->dlo) s->dlo = x;
		if (x > s->dhi) s->dhi = x;
		if (zoom && (x < zlo || x > zhi))
			continue;
		p->sx[kept] = x;
		p->sy[kept++] = p->sy[k];
	}
	s->dx = ry_xmalloc(2 * buckets * sizeof *s->dx);
	s->dy = ry_xmalloc(2 * buckets * sizeof *s->dy);
	s->nd = tui_chart_decimate(p->sx, p->sy, kept, buckets, s->dx, s->dy);
}

static int charts_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_charts_arg *a = arg;
	struct charts_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	p->id = (int64_t)a->run_id;
	tui_list_init(&p->rows, true);
	return load(c, p);
}

static void charts_done(struct tui_view *v, struct tui_ctx *c)
{
	struct charts_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	data_free(p);
	free(p->name);
	tui_series_buf_free(&p->sb);
	free(p->sx);
	free(p->sy);
	free(p);
}

static void charts_reload(struct tui_view *v, struct tui_ctx *c)
{
	load(c, v->priv);
}

/* ---- drawing -------------------------------------------------------------- */

/* Chart columns for the screen width: one below 2 x CHART_MIN_W, at most 3
 * (narrower charts get too few x ticks to read). */
static int grid_cols(const struct tui_ctx *c)
{
	int n = c->cols / CHART_MIN_W;
	return n < 1 ? 1 : n > 3 ? 3 : n;
}

static size_t shown_count(const struct charts_priv *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nms; i++)
		n += p->shown[i];
	return n;
}

/* Chart geometry in a box w x h: the plot's width and height (a row less
 * with the cursor's reading under the title). */
static void plot_size(const struct charts_priv *p, int w, int h, int *pw, int *ph)
{
	*pw = w - YLAB - 3;
	*ph = h - 4 - (p->nav.cursor_on ? 1 : 0);
}

/* One small chart in the box at y,x of w x h: its title (name, last,
 * min, max, best), the reading at the cursor, the plot and its axes. */
static void draw_one(struct tui_ctx *c, struct charts_priv *p, size_t i, int y, int x, int w, int h)
{
	const ry_metric_summary *m = &p->ms[i];
	int goal = ry_metric_goal_in(c->st, p->experiment_id, m->key);
	char last[32], best[32], mn[32], mx[32], title[256];
	tui_fmt_num(m->last, last, sizeof last);
	tui_fmt_num(m->min, mn, sizeof mn);
	tui_fmt_num(m->max, mx, sizeof mx);
	tui_fmt_num(ry_metric_summary_best(m, goal), best, sizeof best);
	if (goal) /* with no goal there is no best to name */
		snprintf(title, sizeof title, "%s  last %s  best %s (%s)  min %s  max %s  %lld pts", m->key, last, best,
		         ry_metric_goal_name(goal), mn, mx, (long long)m->n);
	else
		snprintf(title, sizeof title, "%s  last %s  min %s  max %s  %lld pts", m->key, last, mn, mx,
		         (long long)m->n);
	tui_draw_text(c, y, x + 1, w - 2, title, TUI_COLOR_HEADER);
	int plot_x = x + YLAB + 1, plot_w, plot_h, top = y + 1;
	plot_size(p, w, h, &plot_w, &plot_h);
	if (plot_w < 8 || plot_h < 2)
		return;
	struct slot *s = &p->slots[i];
	if (p->nav.cursor_on) {
		char at[160], line[200];
		if (!s->rd_valid || s->rd_at != p->nav.cursor) {
			if (tui_series_reading(c->st, p->id, m->key, &p->nav, p->nav.cursor, &p->sb, &s->rd) < 0)
				tui_error(c, "%s", ry_error_last());
			s->rd_valid = true;
			s->rd_at = p->nav.cursor;
		}
		tui_reading_text(&s->rd, at, sizeof at);
		snprintf(line, sizeof line, "at cursor: %s", at);
		tui_draw_text(c, top++, x + 1, w - 2, line, TUI_COLOR_DEFAULT);
	}
	if (!s->nd) {
		tui_draw_text(c, top, plot_x, plot_w, "no finite points", TUI_COLOR_DIM);
		return;
	}
	tui_series se = { s->dx, s->dy, s->nd, 0, 0 };
	tui_chart_opts o = { p->log_y, 0, c->utf8, 0, 0 };
	tui_chart ch;
	/* every chart the same x range: the zoom's, else all the data's */
	tui_chart_nav_opts(&p->nav, &o);
	if (!(o.xhi > o.xlo) && p->nav.dhi > p->nav.dlo) {
		o.xlo = p->nav.dlo;
		o.xhi = p->nav.dhi;
	}
	tui_chart_render(&ch, plot_w, plot_h, &se, 1, &o);
	if (p->nav.xaxis == TUI_CHART_X_WALL || p->nav.xaxis == TUI_CHART_X_REL)
		tui_chart_time_axis(&ch, p->nav.xaxis == TUI_CHART_X_WALL);
	tui_draw_chart(c, &ch, top, plot_x, YLAB);
	tui_chart_nav_drawn(&p->nav, &ch);
	if (p->nav.marking)
		tui_draw_chart_cursor(c, &ch, top, plot_x, tui_chart_col_of(&ch, p->nav.mark));
	if (p->nav.cursor_on)
		tui_draw_chart_cursor(c, &ch, top, plot_x, tui_chart_col_of(&ch, p->nav.cursor));
	tui_chart_free(&ch);
}

static void charts_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct charts_priv *p = v->priv;
	char head[768], ema[32], zoom[64] = "", cur[128] = "";
	size_t n = shown_count(p), ncols = (size_t)grid_cols(c);
	double zlo, zhi;
	if (tui_chart_ema_levels[p->ema] > 0)
		snprintf(ema, sizeof ema, "%.2f", tui_chart_ema_levels[p->ema]);
	else
		snprintf(ema, sizeof ema, "off");
	if (tui_chart_nav_range(&p->nav, &zlo, &zhi)) {
		char a[16], b[16];
		tui_chart_label(zlo, (zhi - zlo) / 100, a);
		tui_chart_label(zhi, (zhi - zlo) / 100, b);
		snprintf(zoom, sizeof zoom, "  zoom %s-%s", a, b);
	}
	if (p->nav.cursor_on || p->nav.marking) {
		char t[64];
		tui_cursor_text(&p->nav, t, sizeof t);
		snprintf(cur, sizeof cur, "  cursor %s%s", t, p->nav.marking ? " (marked: z again zooms)" : "");
	}
	snprintf(head, sizeof head, " %s: %zu of %zu metrics  x: %s%s%s  smoothing: %s  y: %s ", p->name, n, p->nms,
	         tui_chart_nav_axis_name(&p->nav), zoom, cur, ema, p->log_y ? "log" : "linear");
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	tui_draw_str(c, y, 1, c->cols - 2, head, TUI_COLOR_HEADER);
	if (!p->nms || !n) {
		tui_draw_text(c, y + 2, 2, c->cols - 4,
		              p->nms ? "No metric chosen: M picks which to chart." : "No metrics logged for this run.",
		              TUI_COLOR_DIM);
		return;
	}
	int body = h - 1, ch_h = body < CHART_ROWS ? body : CHART_ROWS;
	size_t nrows = (n + ncols - 1) / ncols, fit = ch_h > 0 ? (size_t)(body / ch_h) : 0;
	if (fit < 1)
		fit = 1;
	if (fit * (size_t)ch_h < (size_t)body && nrows <= fit)
		ch_h = body / (int)(nrows ? nrows : 1); /* few charts: let them grow */
	if (ch_h > 3 * CHART_ROWS)
		ch_h = 3 * CHART_ROWS;
	tui_list_fit(&p->rows, nrows, fit);
	v->rows = (int)fit;
	int cw = c->cols / (int)ncols, pw, ph;
	plot_size(p, cw, ch_h, &pw, &ph);
	/* build the charts on screen first: they share their x range */
	double lo = INFINITY, hi = -INFINITY;
	size_t k = 0;
	for (size_t i = 0; i < p->nms; i++) {
		if (!p->shown[i])
			continue;
		size_t row = k++ / ncols;
		if (row < p->rows.top || row >= p->rows.top + fit || pw < 8)
			continue;
		slot_build(c, p, i, pw);
		if (p->slots[i].dlo < lo) lo = p->slots[i].dlo;
		if (p->slots[i].dhi > hi) hi = p->slots[i].dhi;
	}
	p->nav.dlo = lo;
	p->nav.dhi = hi;
	k = 0;
	for (size_t i = 0; i < p->nms; i++) {
		if (!p->shown[i])
			continue;
		size_t row = k / ncols, col = k % ncols;
		k++;
		if (row < p->rows.top || row >= p->rows.top + fit)
			continue;
		int yy = y + 1 + (int)(row - p->rows.top) * ch_h;
		draw_one(c, p, i, yy, (int)col * cw, cw, ch_h);
	}
}

static void charts_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct charts_priv *p = v->priv;
	size_t rows = (shown_count(p) + (size_t)grid_cols(c) - 1) / (size_t)grid_cols(c);
	snprintf(out, n, " charts of %s  chart rows %zu-%zu of %zu  M: pick metrics", p->name,
	         rows ? p->rows.top + 1 : 0, p->rows.top + p->rows.height < rows ? p->rows.top + p->rows.height : rows,
	         rows);
}

/* ---- actions --------------------------------------------------------------- */

static void metrics_chosen(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct charts_priv *p = owner->priv;
	(void)c;
	for (size_t i = 0; i < p->nms; i++) {
		p->shown[i] = false;
		for (size_t k = 0; k < n; k++)
			p->shown[i] |= !strcmp(p->ms[i].key, chosen[k]);
	}
	tui_list_set(&p->rows, 0);
}

static void pick_metrics(struct tui_view *v, struct tui_ctx *c, struct charts_priv *p)
{
	const char **items = ry_xcalloc(p->nms, sizeof *items);
	for (size_t i = 0; i < p->nms; i++)
		items[i] = p->ms[i].key;
	struct tui_picker_arg pa = {
		.title = "Chart which metrics?  Space toggles, Enter applies",
		.items = items, .nitems = p->nms, .selected = p->shown, .multi = true,
		.done = metrics_chosen, .owner = v,
	};
	tui_view_push(c, &tui_view_picker, &pa);
	free(items);
}

static bool run_logs(void *arg, const char *key)
{
	const struct charts_priv *p = arg;
	for (size_t i = 0; i < p->nms; i++)
		if (!strcmp(p->ms[i].key, key))
			return true;
	return false;
}

static int charts_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct charts_priv *p = v->priv;
	if (tui_list_action(&p->rows, a, 0))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_METRIC_PICK:
		if (p->nms)
			pick_metrics(v, c, p);
		return TUI_REDRAW;
	case TUI_ACT_EXPORT_VIEW:
		return tui_export_ask(v, c);
	default: {
		int k = tui_chart_keys(a, &p->nav, &p->ema, &p->log_y, run_logs(p, "epoch"));
		if (k == 1)
			slots_drop(p);
		return k ? TUI_REDRAW : TUI_UNHANDLED;
	}
	}
}

/* `:export FILE.svg [METRIC]`: one chart of the run as SVG, METRIC's or
 * the first one shown, with the axis, zoom and smoothing of the screen. */
static void charts_export(struct tui_ctx *c, struct charts_priv *p, const char *arg)
{
	char *path = ry_xstrdup(arg), *key = strchr(path, ' ');
	const char *metric = NULL;
	if (key) {
		*key++ = '\0';
		while (*key == ' ')
			key++;
	}
	for (size_t i = 0; i < p->nms && !metric; i++)
		if (key && *key ? !strcmp(p->ms[i].key, key) : p->shown[i])
			metric = p->ms[i].key;
	if (key && *key && !metric)
		tui_error(c, "this run has no metric '%s'", key);
	else
		tui_export_chart(c, path, &p->id, 1, metric, &p->nav, tui_chart_ema_levels[p->ema], p->log_y);
	free(path);
}

static int charts_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                         bool cancel)
{
	if (kind == TUI_PROMPT_EXPORT && final && !cancel && *text)
		charts_export(c, v->priv, text);
	return TUI_REDRAW;
}

/* `:x NAME`: the charts' x axis. */
static int charts_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	struct charts_priv *p = v->priv;
	if (!strcmp(cmd, "export")) {
		if (!*arg)
			return tui_export_ask(v, c);
		charts_export(c, p, arg);
		return TUI_REDRAW;
	}
	/* Not the runs table's run under the cursor (or its marks) behind this screen. */
	if (!strcmp(cmd, "tag") || !strcmp(cmd, "untag") || !strcmp(cmd, "rename") || !strcmp(cmd, "delete")) {
		tui_error(c, ":%s works on the runs table and on a run's screen (q goes back)", cmd);
		return TUI_REDRAW;
	}
	if (strcmp(cmd, "x"))
		return TUI_UNHANDLED;
	if (tui_chart_x_command(c, &p->nav, arg, run_logs, p))
		slots_drop(p);
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_charts = {
	.name = "charts",
	.keymap = TUI_KM_CHARTS,
	.open = charts_open,
	.draw = charts_draw,
	.action = charts_action,
	.reload = charts_reload,
	.status = charts_status,
	.done = charts_done,
	.command = charts_command,
	.prompt = charts_prompt,
};
