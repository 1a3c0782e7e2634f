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
#include "text/text.h"
#include "widgets/chart.h"

enum { CHART_MIN_W = 56, CHART_ROWS = 12, YLAB = 8 };

struct slot {
	double *dx, *dy;   /* decimated series, owned */
	size_t nd;
	int built_w;       /* plot width it was built for; -1 stale */
	int64_t built_n;   /* the metric's point count then */
};

struct charts_priv {
	int64_t id;
	int64_t experiment_id;      /* the run's: its goals */
	char *name;                 /* the run's, owned */
	ry_metric_summary *ms;      /* in display order */
	size_t nms;
	struct slot *slots;         /* one per ms */
	bool *shown;                /* one per ms */
	int xaxis, ema;
	bool log_y;
	struct tui_list rows;       /* a pager over chart rows */
	ry_point *buf;              /* reused history buffer */
	size_t bufcap;
	double *sx, *sy;            /* scratch, scap entries */
	size_t scap;
};

/* Main metrics first: what a data scientist looks at before the rest. */
static int rank(const char *key)
{
	return !strncmp(key, "val", 3) || strstr(key, "loss") ? 0 : 1;
}

static int cmp_summary(const void *a, const void *b)
{
	const ry_metric_summary *x = a, *y = b;
	int d = rank(x->key) - rank(y->key);
	return d ? d : strcmp(x->key, y->key);
}

static void slot_drop(struct slot *s)
{
	free(s->dx);
	free(s->dy);
	s->dx = s->dy = NULL;
	s->nd = 0;
	s->built_w = -1;
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
	bool *shown = ry_xcalloc(nms ? nms : 1, sizeof *shown);
	struct slot *slots = ry_xcalloc(nms ? nms : 1, sizeof *slots);
	for (size_t i = 0; i < nms; i++) {
		shown[i] = true;
		slots[i].built_w = -1;
		for (size_t k = 0; k < p->nms; k++) {
			if (strcmp(p->ms[k].key, ms[i].key))
				continue;
			shown[i] = p->shown[k];
			if (p->ms[k].n == ms[i].n) { /* unchanged: keep its series */
				slots[i] = p->slots[k];
				p->slots[k] = (struct slot){ NULL, NULL, 0, -1, 0 };
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
 * axis, smoothed, decimated to a few points a column. */
static void slot_build(struct tui_ctx *c, struct charts_priv *p, size_t i, int w)
{
	struct slot *s = &p->slots[i];
	size_t np = 0, buckets = (size_t)(w > 0 ? w : 1) * 2;
	if (s->built_w == w)
		return;
	slot_drop(s);
	s->built_w = w;
	s->built_n = p->ms[i].n;
	if (ry_metrics_read_into(c->st, p->id, p->ms[i].key, &p->buf, &p->bufcap, &np) < 0) {
		tui_error(c, "%s", ry_error_last());
		return;
	}
	if (!np)
		return;
	scratch_reserve(p, np);
	for (size_t k = 0; k < np; k++) {
		p->sx[k] = tui_chart_x_of(p->xaxis, (double)p->buf[k].step, p->buf[k].ts, p->buf[0].ts);
		p->sy[k] = p->buf[k].value;
	}
	if (tui_chart_ema_levels[p->ema] > 0)
		tui_chart_ema(p->sy, np, tui_chart_ema_levels[p->ema]);
	s->dx = ry_xmalloc(2 * buckets * sizeof *s->dx);
	s->dy = ry_xmalloc(2 * buckets * sizeof *s->dy);
	s->nd = tui_chart_decimate(p->sx, p->sy, np, buckets, s->dx, s->dy);
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
	free(p->buf);
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

/* One small chart in the box at y,x of w x h: its title (name, last,
 * best), the plot and its axes. */
static void draw_one(struct tui_ctx *c, struct charts_priv *p, size_t i, int y, int x, int w, int h)
{
	const ry_metric_summary *m = &p->ms[i];
	int goal = ry_metric_goal_in(c->st, p->experiment_id, m->key);
	char last[32], best[32], title[256];
	tui_fmt_num(m->last, last, sizeof last);
	tui_fmt_num(ry_metric_summary_best(m, goal), best, sizeof best);
	if (goal) /* with no goal there is no best to name */
		snprintf(title, sizeof title, "%s  last %s  best %s (%s)  %lld pts", m->key, last, best,
		         ry_metric_goal_name(goal), (long long)m->n);
	else
		snprintf(title, sizeof title, "%s  last %s  %lld pts", m->key, last, (long long)m->n);
	tui_draw_text(c, y, x + 1, w - 2, title, TUI_COLOR_HEADER);
	int plot_x = x + YLAB + 1, plot_w = w - YLAB - 3, plot_h = h - 4;
	if (plot_w < 8 || plot_h < 2)
		return;
	slot_build(c, p, i, plot_w);
	const struct slot *s = &p->slots[i];
	if (!s->nd) {
		tui_draw_text(c, y + 1, plot_x, plot_w, "no finite points", TUI_COLOR_DIM);
		return;
	}
	tui_series se = { s->dx, s->dy, s->nd, 0, 0 };
	tui_chart_opts o = { p->log_y, 0, c->utf8 };
	tui_chart ch;
	tui_chart_render(&ch, plot_w, plot_h, &se, 1, &o);
	if (p->xaxis != TUI_CHART_X_STEP)
		tui_chart_time_axis(&ch, p->xaxis == TUI_CHART_X_WALL);
	tui_draw_chart(c, &ch, y + 1, plot_x, YLAB);
	tui_chart_free(&ch);
}

static void charts_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct charts_priv *p = v->priv;
	char head[512], ema[32];
	size_t n = shown_count(p), ncols = (size_t)grid_cols(c);
	if (tui_chart_ema_levels[p->ema] > 0)
		snprintf(ema, sizeof ema, "%.2f", tui_chart_ema_levels[p->ema]);
	else
		snprintf(ema, sizeof ema, "off");
	snprintf(head, sizeof head, " %s: %zu of %zu metrics  x: %s  smoothing: %s  y: %s ", p->name, n, p->nms,
	         tui_chart_xaxis_names[p->xaxis], ema, p->log_y ? "log" : "linear");
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
	int cw = c->cols / (int)ncols;
	size_t k = 0;
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
	default: {
		int k = tui_chart_keys(a, &p->xaxis, &p->ema, &p->log_y);
		if (k == 1)
			slots_drop(p);
		return k ? TUI_REDRAW : TUI_UNHANDLED;
	}
	}
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
};
