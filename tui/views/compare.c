/*
 * Compare 2 to 12 runs: runs as columns; first the runs' experiment,
 * status, host, duration and cost (the rows `runyard compare` prints, in
 * its words: text/present.h), always shown; params as rows with differing
 * values highlighted (identical rows can be hidden); metric rows (last and
 * best) with the best run per row highlighted by the metric's goal (a tie
 * has none) and deltas against a chosen baseline, absolute and in per cent
 * ("+0.012 (+1.4%)"); below, a chart of one metric for all
 * runs overlaid, one colour per run with a legend, x axis by step, wall
 * time or relative time, EMA smoothing and a log y axis.
 *
 * Metric histories are read once per chosen metric; smoothing and axis
 * changes work from memory, and each draw renders only the decimated
 * series (a few points per screen column), so a 12 x 100k-point chart
 * redraws in about a millisecond.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/chart.h"
#include "app/draw.h"
#include "text/present.h"
#include "text/text.h"
#include "app/tui.h"
#include "views/export.h"
#include "views/series.h"

enum row_kind { ROW_META, ROW_PARAM, ROW_METRIC_LAST, ROW_METRIC_BEST, ROW_HEADING };

struct row {
	enum row_kind kind;
	size_t key;       /* index into pkeys or mkeys; a ROW_META's enum tui_present_summary */
	bool differs;
};

/* One chart of a metric for every run: the decimated series and what
 * each has taken in, so that new points of a live run extend it instead
 * of a rebuild that reads every history again. */
struct plot {
	size_t metric;            /* into mkeys */
	double *dx[TUI_MAX_COMPARE], *dy[TUI_MAX_COMPARE]; /* decimated, for the chart */
	size_t nd[TUI_MAX_COMPARE];
	int dec_w;                /* plot width the series were built for; -1 stale */
	size_t nread[TUI_MAX_COMPARE];                 /* points of the history taken in */
	double t0[TUI_MAX_COMPARE];                    /* its first point's time (relative axis) */
	struct tui_chart_ema_state ema_st[TUI_MAX_COMPARE];
	double dlo, dhi;          /* the x range of every point taken in, zoomed or not */
	bool rd_valid;            /* rd holds the readings at rd_at */
	double rd_at;
	struct tui_reading rd[TUI_MAX_COMPARE];
};

struct compare_priv {
	size_t n;
	ry_run *runs[TUI_MAX_COMPARE];
	ry_metric_summary *ms[TUI_MAX_COMPARE];
	size_t nms[TUI_MAX_COMPARE];
	char **pkeys, **mkeys;
	size_t npkeys, nmkeys;
	int *goals;               /* per mkeys entry: +1, -1, or 0 (no best, no verdict) */

	struct row *rows;
	size_t nrows;
	bool hide_same;
	int baseline;             /* run index, -1 none */
	size_t col_cur, col_first;
	int tbl_y, tbl_h, lw, colw;  /* the table as last drawn: top row, rows, label and run column widths (clicks) */
	size_t fit;                  /* run columns it showed from col_first */
	struct tui_list table;       /* a pager over the table's rows */

	/* chart state */
	size_t metric;
	struct tui_chart_nav nav; /* x axis, cursor, zoom: every chart's */
	int ema;
	bool log_y;
	bool grid;                /* small multiples in place of table and chart */
	/* Only the decimated series are kept: a history is read into one
	 * reused buffer, turned into x/y, smoothed and decimated, then the
	 * next run's overwrites it.  Keeping 12 full histories (29 MB) cost
	 * more in page faults than reading them (and reading again, for a new
	 * axis, smoothing or width, takes ~10 ms). */
	struct tui_series_buf sb; /* sb.pts: the history being taken in */
	double *sx, *sy;          /* scratch x/y, scap entries */
	size_t scap;
	struct plot one;          /* the chart under the table (metric) */
	struct plot *plots;       /* small multiples, one per grid metric */
	size_t nplots;
	char **gkeys;             /* the grid's metrics, by name (owned; they outlive reloads) */
	size_t ngkeys;
	double load_ms;           /* time to read the histories (status bar) */
};

static const char *param_of(const ry_run *r, const char *key)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].key, key))
			return r->params[i].value;
	return NULL;
}

static const ry_metric_summary *summary_of(const struct compare_priv *p, size_t run, const char *key)
{
	for (size_t i = 0; i < p->nms[run]; i++)
		if (!strcmp(p->ms[run][i].key, key))
			return &p->ms[run][i];
	return NULL;
}

static void add_key(char ***keys, size_t *n, size_t *cap, const char *k)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*keys)[i], k))
			return;
	*keys = ry_xgrow(*keys, cap, *n + 1, sizeof **keys);
	(*keys)[(*n)++] = ry_xstrdup(k);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void plot_drop(struct compare_priv *p, struct plot *pl)
{
	for (size_t i = 0; i < p->n; i++) {
		free(pl->dx[i]);
		free(pl->dy[i]);
		pl->dx[i] = pl->dy[i] = NULL;
		pl->nd[i] = 0;
		pl->nread[i] = 0;
	}
	pl->dec_w = -1;
	pl->dlo = INFINITY;
	pl->dhi = -INFINITY;
	pl->rd_valid = false;
}

static void grid_drop(struct compare_priv *p)
{
	for (size_t k = 0; k < p->nplots; k++)
		plot_drop(p, &p->plots[k]);
	free(p->plots);
	p->plots = NULL;
	p->nplots = 0;
}

/* Every chart stale: the axis, smoothing, zoom or the data changed. */
static void series_drop(struct compare_priv *p)
{
	plot_drop(p, &p->one);
	for (size_t k = 0; k < p->nplots; k++)
		plot_drop(p, &p->plots[k]);
}

static void data_free(struct compare_priv *p, bool series)
{
	if (series)
		series_drop(p);
	for (size_t i = 0; i < p->n; i++) {
		ry_run_free(p->runs[i]);
		ry_metric_summaries_free(p->ms[i], p->nms[i]);
		p->runs[i] = NULL;
		p->ms[i] = NULL;
		p->nms[i] = 0;
	}
	ry_strings_free(p->pkeys, p->npkeys);
	ry_strings_free(p->mkeys, p->nmkeys);
	p->pkeys = p->mkeys = NULL;
	p->npkeys = p->nmkeys = 0;
	free(p->goals);
	p->goals = NULL;
	free(p->rows);
	p->rows = NULL;
	p->nrows = 0;
}

static bool values_differ(struct compare_priv *p, enum row_kind k, size_t key)
{
	char first[64] = "";
	for (size_t i = 0; i < p->n; i++) {
		char v[64] = "";
		if (k == ROW_PARAM) {
			const char *s = param_of(p->runs[i], p->pkeys[key]);
			snprintf(v, sizeof v, "%s", s ? s : "\x01");
		} else {
			const ry_metric_summary *m = summary_of(p, i, p->mkeys[key]);
			snprintf(v, sizeof v, "%.17g", m ? m->last : NAN);
		}
		if (!i)
			snprintf(first, sizeof first, "%s", v);
		else if (strcmp(first, v))
			return true;
	}
	return false;
}

static void rows_build(struct compare_priv *p)
{
	size_t cap = 0;
	free(p->rows);
	p->rows = NULL;
	p->nrows = 0;
	struct row r;
	/* what the runs are: context for every row below, so never hidden */
	for (size_t k = 0; k < TUI_PRESENT_NSUMMARY; k++) {
		r.kind = ROW_META; r.key = k; r.differs = false;
		p->rows = ry_xgrow(p->rows, &cap, p->nrows + 1, sizeof *p->rows);
		p->rows[p->nrows++] = r;
	}
	r.kind = ROW_HEADING; r.key = 0; r.differs = false;
	p->rows = ry_xgrow(p->rows, &cap, p->nrows + 1, sizeof *p->rows);
	p->rows[p->nrows++] = r;
	for (size_t k = 0; k < p->npkeys; k++) {
		bool d = values_differ(p, ROW_PARAM, k);
		if (p->hide_same && !d)
			continue;
		r.kind = ROW_PARAM; r.key = k; r.differs = d;
		p->rows = ry_xgrow(p->rows, &cap, p->nrows + 1, sizeof *p->rows);
		p->rows[p->nrows++] = r;
	}
	r.kind = ROW_HEADING; r.key = 1; r.differs = false;
	p->rows = ry_xgrow(p->rows, &cap, p->nrows + 1, sizeof *p->rows);
	p->rows[p->nrows++] = r;
	for (size_t k = 0; k < p->nmkeys; k++) {
		bool d = values_differ(p, ROW_METRIC_LAST, k);
		if (p->hide_same && !d)
			continue;
		for (int b = 0; b < (p->goals[k] ? 2 : 1); b++) { /* no goal: no best row */
			r.kind = b ? ROW_METRIC_BEST : ROW_METRIC_LAST; r.key = k; r.differs = d;
			p->rows = ry_xgrow(p->rows, &cap, p->nrows + 1, sizeof *p->rows);
			p->rows[p->nrows++] = r;
		}
	}
}

static int load(struct tui_ctx *c, struct compare_priv *p, const int64_t *ids)
{
	size_t pcap = 0, mcap = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (ry_run_get(&p->runs[i], c->st, ids[i]) < 0 ||
		    ry_metrics_summaries(c->st, ids[i], &p->ms[i], &p->nms[i]) < 0) {
			tui_error(c, "%s", ry_error_last());
			return -1;
		}
		for (size_t k = 0; k < p->runs[i]->nparams; k++)
			add_key(&p->pkeys, &p->npkeys, &pcap, p->runs[i]->params[k].key);
		for (size_t k = 0; k < p->nms[i]; k++)
			add_key(&p->mkeys, &p->nmkeys, &mcap, p->ms[i][k].key);
	}
	if (p->npkeys)
		qsort(p->pkeys, p->npkeys, sizeof *p->pkeys, cmp_str);
	if (p->nmkeys)
		qsort(p->mkeys, p->nmkeys, sizeof *p->mkeys, cmp_str);
	int64_t exps[TUI_MAX_COMPARE];
	for (size_t i = 0; i < p->n; i++)
		exps[i] = p->runs[i]->experiment_id;
	p->goals = ry_xcalloc(p->nmkeys ? p->nmkeys : 1, sizeof *p->goals);
	for (size_t k = 0; k < p->nmkeys; k++)
		p->goals[k] = ry_metric_goal_of_runs(c->st, exps, p->n, p->mkeys[k]);
	rows_build(p);
	return 0;
}

static size_t series_buckets(int plot_w)
{
	return (size_t)(plot_w > 0 ? plot_w : 1) * 2;
}

static void scratch_reserve(struct compare_priv *p, size_t n)
{
	if (n <= p->scap)
		return;
	free(p->sx);
	free(p->sy);
	p->sx = ry_xmalloc(n * sizeof *p->sx);
	p->sy = ry_xmalloc(n * sizeof *p->sy);
	p->scap = n;
}

/* Take the np points in p->sb.pts into run i's series of plot pl: x for
 * the chosen axis, y smoothed on from where the series stopped, points
 * outside a zoom left out, decimated together with what the series
 * already holds.  Decimating the kept points (each a real point, the
 * extremes of its column) with the new ones keeps every column's
 * extremes to within a column; any change of width, axis, smoothing,
 * zoom or metric rebuilds from the full histories. */
static void series_take(struct tui_ctx *c, struct compare_priv *p, struct plot *pl, size_t i, size_t np)
{
	size_t buckets = series_buckets(pl->dec_w), have = pl->nd[i], kept = have;
	double zlo = 0, zhi = 0;
	bool zoom = tui_chart_nav_range(&p->nav, &zlo, &zhi);
	if (!np)
		return;
	if (pl->nread[i] == 0) {
		pl->t0[i] = p->sb.pts[0].ts;
		pl->ema_st[i] = (struct tui_chart_ema_state)TUI_CHART_EMA_STATE_INIT;
	}
	scratch_reserve(p, have + np);
	if (have) {
		memcpy(p->sx, pl->dx[i], have * sizeof *p->sx);
		memcpy(p->sy, pl->dy[i], have * sizeof *p->sy);
	}
	/* Wall time is the clock (Unix seconds, labelled as clock times);
	 * relative time counts from each run's first point; a metric axis
	 * pairs by step. */
	if (p->nav.xaxis == TUI_CHART_X_METRIC) {
		if (tui_series_x(c->st, p->runs[i]->id, &p->nav, &p->sb, np, p->sx + have) < 0)
			tui_error(c, "%s", ry_error_last());
		for (size_t k = 0; k < np; k++)
			p->sy[have + k] = p->sb.pts[k].value;
	} else {
		/* one pass over the history: it is the bulk of the work */
		for (size_t k = 0; k < np; k++) {
			const ry_point *pt = &p->sb.pts[k];
			p->sx[have + k] = tui_chart_x_of(p->nav.xaxis, (double)pt->step, pt->ts, pl->t0[i]);
			p->sy[have + k] = pt->value;
		}
	}
	if (tui_chart_ema_levels[p->ema] > 0)
		tui_chart_ema_continue(&pl->ema_st[i], p->sy + have, np, tui_chart_ema_levels[p->ema]);
	/* the data's range (zoom stays inside it); then only what is shown.
	 * Unzoomed on a step or time axis every point is: the decimated
	 * points give the range, sparing a pass over the history. */
	bool filter = zoom || p->nav.xaxis == TUI_CHART_X_METRIC;
	if (!filter)
		kept = have + np;
	for (size_t k = have; filter && k < have + np; k++) {
		double x = p->sx[k];
		if (!isfinite(x))
			continue;
		if (x < pl->dlo) pl->dlo = x;
		if (x > pl->dhi) pl->dhi = x;
		if (zoom && (x < zlo || x > zhi))
			continue;
		p->sx[kept] = x;
		p->sy[kept] = p->sy[k];
		kept++;
	}
	if (!pl->dx[i]) {
		pl->dx[i] = ry_xmalloc(2 * buckets * sizeof(double));
		pl->dy[i] = ry_xmalloc(2 * buckets * sizeof(double));
	}
	pl->nd[i] = tui_chart_decimate(p->sx, p->sy, kept, buckets, pl->dx[i], pl->dy[i]);
	for (size_t k = 0; !filter && k < pl->nd[i]; k++) {
		double x = pl->dx[i][k];
		if (x < pl->dlo) pl->dlo = x;
		if (x > pl->dhi) pl->dhi = x;
	}
	pl->nread[i] += np;
	pl->rd_valid = false;
}

/* Plot pl's series for a plot plot_w columns wide: for each run, read the
 * charted metric's history and take it in (series_take). */
static void series_build(struct tui_ctx *c, struct compare_priv *p, struct plot *pl, int plot_w)
{
	if (pl->dec_w == plot_w)
		return;
	plot_drop(p, pl);
	pl->dec_w = plot_w;
	if (pl->metric >= p->nmkeys)
		return;
	const char *key = p->mkeys[pl->metric];
	double t_read = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t np = 0;
		double t = ry_monotonic();
		int rc = ry_metrics_read_into(c->st, p->runs[i]->id, key, &p->sb.pts, &p->sb.cap, &np);
		t_read += ry_monotonic() - t;
		if (rc < 0) {
			tui_error(c, "%s", ry_error_last());
			continue;
		}
		series_take(c, p, pl, i, np);
	}
	p->load_ms = t_read * 1000;
}

/* New points of live runs: read only what each series has not taken in.
 * On a metric axis the pairing may change too: build again. */
static void plot_extend(struct tui_ctx *c, struct compare_priv *p, struct plot *pl)
{
	if (pl->dec_w < 0 || pl->metric >= p->nmkeys)
		return;
	if (p->nav.xaxis == TUI_CHART_X_METRIC) {
		plot_drop(p, pl);
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		size_t np = 0;
		if (!p->runs[i])
			continue;
		if (ry_metrics_read_since(c->st, p->runs[i]->id, p->mkeys[pl->metric], pl->nread[i], &p->sb.pts,
		                          &p->sb.cap, &np) < 0) {
			tui_error(c, "%s", ry_error_last());
			plot_drop(p, pl);
			return;
		}
		series_take(c, p, pl, i, np);
	}
}

static void series_extend(struct tui_ctx *c, struct compare_priv *p)
{
	plot_extend(c, p, &p->one);
	/* the grid's metrics may have other counts: build them again */
	for (size_t k = 0; k < p->nplots; k++)
		plot_drop(p, &p->plots[k]);
}

static void chart_restore(struct tui_ctx *c, struct compare_priv *p);

static int compare_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_compare_arg *a = arg;
	struct compare_priv *p = ry_xcalloc(1, sizeof *p);
	int64_t ids[TUI_MAX_COMPARE];
	v->priv = p;
	tui_list_init(&p->table, true);
	p->n = a->n > TUI_MAX_COMPARE ? TUI_MAX_COMPARE : a->n;
	for (size_t i = 0; i < p->n; i++)
		ids[i] = (int64_t)a->ids[i];
	p->baseline = -1;
	plot_drop(p, &p->one);
	p->ema = 0;
	if (load(c, p, ids) < 0)
		return -1;
	/* Start on a metric worth looking at: a validation or loss curve. */
	for (size_t k = 0; k < p->nmkeys; k++) {
		if (strstr(p->mkeys[k], "val") || strstr(p->mkeys[k], "loss")) {
			p->metric = k;
			break;
		}
	}
	chart_restore(c, p);
	p->one.metric = p->metric;
	return 0;
}

static void compare_done(struct tui_view *v, struct tui_ctx *c)
{
	struct compare_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	data_free(p, true);
	grid_drop(p);
	ry_strings_free(p->gkeys, p->ngkeys);
	tui_series_buf_free(&p->sb);
	free(p->sx);
	free(p->sy);
	free(p);
}

/* Points of the charted metric per run, to tell whether a reload must
 * re-read the histories. */
static void metric_counts(struct compare_priv *p, int64_t *counts)
{
	for (size_t i = 0; i < p->n; i++) {
		const ry_metric_summary *m = p->metric < p->nmkeys ? summary_of(p, i, p->mkeys[p->metric]) : NULL;
		counts[i] = m ? m->n : -1;
	}
}

static void compare_reload(struct tui_view *v, struct tui_ctx *c)
{
	struct compare_priv *p = v->priv;
	int64_t ids[TUI_MAX_COMPARE], before[TUI_MAX_COMPARE], after[TUI_MAX_COMPARE];
	char *metric = p->metric < p->nmkeys ? ry_xstrdup(p->mkeys[p->metric]) : NULL;
	for (size_t i = 0; i < p->n; i++)
		ids[i] = p->runs[i] ? p->runs[i]->id : 0;
	metric_counts(p, before);
	data_free(p, false);
	if (load(c, p, ids) < 0) {
		free(metric);
		series_drop(p);
		return;
	}
	bool found = false;
	for (size_t k = 0; metric && k < p->nmkeys; k++) {
		if (!strcmp(p->mkeys[k], metric)) {
			p->metric = k;
			found = true;
		}
	}
	free(metric);
	p->one.metric = p->metric;
	for (size_t k = 0; k < p->nplots; k++) /* their metrics' counts are not kept: build again */
		plot_drop(p, &p->plots[k]);
	p->one.rd_valid = false;
	metric_counts(p, after);
	/* Another metric, or points gone: build again.  New points (a
	 * running run): take in only those. */
	bool shrank = false;
	for (size_t i = 0; i < p->n; i++)
		shrank |= after[i] < before[i];
	if (!found || shrank)
		series_drop(p);
	else if (memcmp(before, after, p->n * sizeof *before))
		series_extend(c, p);
}

/* ---- drawing -------------------------------------------------------------- */

static attr_t series_attr(const struct tui_ctx *c, size_t i)
{
	return (attr_t)c->attrs[tui_theme_series(i)];
}

/* A metric's value against the baseline's, into out: "0.91 +0.012 (+1.4%)"
 * when it fits in w columns, else "0.91 +1.4%", else the value alone.  The
 * numbers are tui_fmt_num's, as in every other cell. */
static void delta_text(char *out, size_t n, const char *num, double v, double bv, int w)
{
	char abs[32];
	double d = v - bv, pct = (v - bv) / fabs(bv) * 100.0;
	tui_fmt_num(d, abs, sizeof abs);
	snprintf(out, n, "%s %s%s (%+.1f%%)", num, d >= 0 ? "+" : "", abs, pct);
	if (tui_text_width(out) > w)
		snprintf(out, n, "%s %+.1f%%", num, pct);
	if (tui_text_width(out) > w)
		snprintf(out, n, "%s", num);
}

static void cell_text(struct tui_ctx *c, struct compare_priv *p, const struct row *r, size_t run,
                      char *out, size_t n, int w, enum tui_color *e, int *best_run)
{
	*e = TUI_COLOR_DEFAULT;
	out[0] = '\0';
	if (r->kind == ROW_META) {
		tui_present_summary(out, n, p->runs[run], (enum tui_present_summary)r->key, ry_now());
		if (r->key == TUI_PRESENT_STATUS)
			*e = tui_status_color(p->runs[run]->status);
		return;
	}
	if (r->kind == ROW_PARAM) {
		const char *v = param_of(p->runs[run], p->pkeys[r->key]);
		snprintf(out, n, "%s", v ? v : "-");
		if (r->differs)
			*e = TUI_COLOR_DIFF;
		return;
	}
	const char *key = p->mkeys[r->key];
	int goal = p->goals[r->key];
	const ry_metric_summary *m = summary_of(p, run, key);
	double v = NAN;
	if (m)
		v = r->kind == ROW_METRIC_LAST ? m->last : ry_metric_summary_best(m, goal);
	char num[32];
	tui_fmt_num(v, num, sizeof num);
	if (!m)
		snprintf(num, sizeof num, "-");
	/* Against the baseline, a change is good or bad by the goal: with none,
	 * no verdict. */
	if (goal && p->baseline >= 0 && (size_t)p->baseline != run && m && isfinite(v)) {
		const ry_metric_summary *bm = summary_of(p, (size_t)p->baseline, key);
		double bv = bm ? (r->kind == ROW_METRIC_LAST ? bm->last : ry_metric_summary_best(bm, goal)) : NAN;
		if (isfinite(bv) && bv != 0) {
			double d = (v - bv) / fabs(bv) * 100.0;
			delta_text(out, n, num, v, bv, w);
			*e = (d > 0) == (goal > 0) ? TUI_COLOR_DELTA_GOOD : TUI_COLOR_DELTA_BAD;
			if (fabs(d) < 0.05)
				*e = TUI_COLOR_DEFAULT;
		} else {
			snprintf(out, n, "%s", num);
		}
	} else {
		snprintf(out, n, "%s", num);
	}
	if (best_run && *best_run == (int)run)
		*e = TUI_COLOR_METRIC_BEST;
}

static int row_best(struct tui_ctx *c, struct compare_priv *p, const struct row *r)
{
	if (r->kind != ROW_METRIC_LAST && r->kind != ROW_METRIC_BEST)
		return -1;
	const char *key = p->mkeys[r->key];
	int goal = p->goals[r->key];
	double *v = ry_xcalloc(p->n ? p->n : 1, sizeof *v);
	for (size_t i = 0; i < p->n; i++) {
		const ry_metric_summary *m = summary_of(p, i, key);
		v[i] = !m ? NAN : r->kind == ROW_METRIC_LAST ? m->last : ry_metric_summary_best(m, goal);
	}
	/* a tie has no best (the rule is the CLI's too) */
	long best = ry_metric_best_index(v, p->n, goal);
	free(v);
	return (int)best;
}

static void draw_table(struct tui_ctx *c, struct compare_priv *p, int y, int h)
{
	int lw = 22, colw = 14;
	int avail = c->cols - lw - 1;
	size_t fit = (size_t)(avail / (colw + 1));
	if (fit < 1)
		fit = 1;
	if (p->col_cur < p->col_first)
		p->col_first = p->col_cur;
	if (p->col_cur >= p->col_first + fit)
		p->col_first = p->col_cur - fit + 1;
	if (fit > p->n)
		colw = avail / (int)p->n - 1 > 30 ? 30 : avail / (int)p->n - 1;
	p->tbl_y = y;
	p->tbl_h = h;
	p->lw = lw;
	p->colw = colw;
	p->fit = fit;

	/* Header: run names in their series colour, baseline marked. */
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_HEADER);
	tui_draw_text(c, y, 1, lw - 1, "run", TUI_COLOR_HEADER);
	for (size_t i = p->col_first, k = 0; i < p->n && k < fit; i++, k++) {
		int x = lw + (int)k * (colw + 1);
		char name[256];
		/* the run's chart letter: ties the column to its curve without colour */
		snprintf(name, sizeof name, "%s%c %s", (int)i == p->baseline ? "=" : "", tui_chart_marker(i),
		         p->runs[i]->name ? p->runs[i]->name : "?");
		enum tui_color e = i == p->col_cur ? TUI_COLOR_CURSOR : tui_theme_series(i);
		tui_draw_text_right(c, y, x, colw, name, e);
	}
	size_t body = h > 1 ? (size_t)h - 1 : 0;
	tui_list_fit(&p->table, p->nrows, body);
	size_t row_top = p->table.top;
	for (size_t r = 0; r < body && row_top + r < p->nrows; r++) {
		const struct row *row = &p->rows[row_top + r];
		int yy = y + 1 + (int)r;
		if (row->kind == ROW_HEADING) {
			tui_draw_text(c, yy, 0, c->cols,
			              row->key == 0 ? (p->npkeys ? "params" : "params (none)")
			                            : (p->nmkeys ? "metrics" : "metrics (none)"),
			              TUI_COLOR_DIM);
			continue;
		}
		char label[160];
		if (row->kind == ROW_META)
			snprintf(label, sizeof label, "  %s", tui_present_summary_name((enum tui_present_summary)row->key));
		else if (row->kind == ROW_PARAM)
			snprintf(label, sizeof label, "  %s", p->pkeys[row->key]);
		else if (row->kind == ROW_METRIC_LAST)
			snprintf(label, sizeof label, "  %s", p->mkeys[row->key]);
		else
			snprintf(label, sizeof label, "    best (%s)", ry_metric_goal_name(p->goals[row->key]));
		tui_draw_text(c, yy, 0, lw - 1, label,
		              row->differs && row->kind == ROW_PARAM ? TUI_COLOR_DIFF : TUI_COLOR_DEFAULT);
		int best = row_best(c, p, row);
		for (size_t i = p->col_first, k = 0; i < p->n && k < fit; i++, k++) {
			char text[256];
			enum tui_color e;
			cell_text(c, p, row, i, text, sizeof text, colw, &e, &best);
			tui_draw_text_right(c, yy, lw + (int)k * (colw + 1), colw, text, e);
		}
	}
}

/* How much of a series' figures the flowing legend shows. */
enum legend_stats { LEGEND_NAMES, LEGEND_LAST, LEGEND_FULL };

/* Run i's legend entry: its colour swatch, its chart letter (the marker
 * on its curve), its name cut to namew, and (stats) the charted metric's
 * last value, with its min and max at LEGEND_FULL; "(no points)" when it
 * has none of this metric, so a run missing from the plot is still
 * accounted for. */
static void legend_entry(const struct tui_ctx *c, const struct compare_priv *p, size_t i, int namew,
                         enum legend_stats stats, char *out, size_t n)
{
	char name[128], st[128] = "";
	tui_text_fit(name, sizeof name, p->runs[i]->name ? p->runs[i]->name : "?", namew, false, false, c->utf8);
	bool none = p->one.dec_w >= 0 && !p->one.nd[i];
	const ry_metric_summary *m = stats != LEGEND_NAMES && p->metric < p->nmkeys
	                                 ? summary_of(p, i, p->mkeys[p->metric]) : NULL;
	if (m && !none) {
		st[0] = st[1] = ' ';
		tui_stats_text(m->last, m->min, m->max, stats == LEGEND_FULL, st + 2, sizeof st - 2);
	}
	snprintf(out, n, "%s %c %s%s%s", c->utf8 ? "\xe2\x96\xa0" : "#", tui_chart_marker(i), name,
	         none ? " (no points)" : "", st);
}

/* Rows the legend takes with names cut to namew, entries flowing left to
 * right and wrapping (three columns apart when they carry figures); drawn
 * there when draw is set. */
static int legend_flow(struct tui_ctx *c, const struct compare_priv *p, int y, int namew, enum legend_stats stats,
                       bool draw)
{
	int x = 1, rows = 1, gap = stats == LEGEND_NAMES ? 2 : 3;
	for (size_t i = 0; i < p->n; i++) {
		char entry[320];
		legend_entry(c, p, i, namew, stats, entry, sizeof entry);
		int w = tui_text_width(entry) + gap;
		if (x > 1 && x + w > c->cols) {
			x = 1;
			rows++;
		}
		if (draw) {
			char fitted[400];
			tui_text_fit(fitted, sizeof fitted, entry, c->cols - x, false, false, c->utf8);
			attrset(series_attr(c, i));
			mvaddstr(y + rows - 1, x, fitted);
			attrset(A_NORMAL);
		}
		x += w;
	}
	return rows;
}

/* Below this many columns the legend gives only the last values. */
enum { LEGEND_FULL_COLS = 80 };

/* The legend: every run, never a silent cut.  With figures (stats) each
 * entry shows the metric's last, min and max while that fits max_rows
 * with names shrunk (20 columns down to 6) on a screen of
 * LEGEND_FULL_COLS or more; else the last value only (narrow screens,
 * many runs); past that the entries wrap onto more rows anyway, taking
 * them from the plot.  Returns the rows used. */
static int draw_legend(struct tui_ctx *c, const struct compare_priv *p, int y, int max_rows, bool stats)
{
	enum legend_stats want[2] = { stats ? LEGEND_FULL : LEGEND_NAMES, stats ? LEGEND_LAST : LEGEND_NAMES };
	for (int k = c->cols < LEGEND_FULL_COLS; k < 2; k++) {
		for (int namew = 20; namew >= 6; namew--)
			if (legend_flow(c, p, y, namew, want[k], false) <= max_rows)
				return legend_flow(c, p, y, namew, want[k], true);
	}
	return legend_flow(c, p, y, 6, want[1], true);
}

/* The readings of every run at the cursor for plot pl, cached for the
 * cursor's spot (a reading reads the history again). */
static void plot_readings(struct tui_ctx *c, struct compare_priv *p, struct plot *pl)
{
	if (!p->nav.cursor_on || pl->metric >= p->nmkeys || (pl->rd_valid && pl->rd_at == p->nav.cursor))
		return;
	for (size_t i = 0; i < p->n; i++) {
		if (tui_series_reading(c->st, p->runs[i]->id, p->mkeys[pl->metric], &p->nav, p->nav.cursor, &p->sb,
		                       &pl->rd[i]) < 0)
			tui_error(c, "%s", ry_error_last());
	}
	pl->rd_valid = true;
	pl->rd_at = p->nav.cursor;
}

/* Render plot pl into the w x h plot area at y,x (ylab label columns to
 * its left), the cursor and a zoom's mark over it.  shared: every chart
 * of the screen shows the same x range (small multiples). */
static void plot_draw(struct tui_ctx *c, struct compare_priv *p, struct plot *pl, int y, int x, int w, int h,
                      int ylab, bool shared)
{
	tui_series s[TUI_MAX_COMPARE];
	size_t ns = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (!pl->nd[i])
			continue;
		s[ns].x = pl->dx[i];
		s[ns].y = pl->dy[i];
		s[ns].n = pl->nd[i];
		s[ns].color = (int)i;
		s[ns].marker = tui_chart_marker(i);
		ns++;
	}
	if (!ns) {
		tui_draw_text(c, y, x, w, "no points for this metric in these runs", TUI_COLOR_DIM);
		return;
	}
	tui_chart ch;
	tui_chart_opts o = { p->log_y, 0, c->utf8, 0, 0 };
	tui_chart_nav_opts(&p->nav, &o);
	if (shared && !(o.xhi > o.xlo) && p->nav.dhi > p->nav.dlo) {
		o.xlo = p->nav.dlo;
		o.xhi = p->nav.dhi;
	}
	memset(&ch, 0, sizeof ch);
	tui_chart_render(&ch, w, h, s, ns, &o);
	if (p->nav.xaxis == TUI_CHART_X_WALL || p->nav.xaxis == TUI_CHART_X_REL)
		tui_chart_time_axis(&ch, p->nav.xaxis == TUI_CHART_X_WALL);
	tui_draw_chart(c, &ch, y, x, ylab);
	tui_chart_nav_drawn(&p->nav, &ch);
	if (p->nav.marking)
		tui_draw_chart_cursor(c, &ch, y, x, tui_chart_col_of(&ch, p->nav.mark));
	if (p->nav.cursor_on)
		tui_draw_chart_cursor(c, &ch, y, x, tui_chart_col_of(&ch, p->nav.cursor));
	tui_chart_free(&ch);
}

/* The legend with the cursor shown: a row per run, its value at the
 * cursor (step, time, epoch), then its last, min and max. */
static int draw_legend_rows(struct tui_ctx *c, struct compare_priv *p, struct plot *pl, int y, int max_rows)
{
	int rows = 0;
	plot_readings(c, p, pl);
	for (size_t i = 0; i < p->n && rows < max_rows; i++, rows++) {
		char name[128], at[160], line[512], st[128];
		const ry_metric_summary *m = pl->metric < p->nmkeys ? summary_of(p, i, p->mkeys[pl->metric]) : NULL;
		tui_text_fit(name, sizeof name, p->runs[i]->name ? p->runs[i]->name : "?", 18, false, false, c->utf8);
		tui_reading_text(&pl->rd[i], at, sizeof at);
		tui_stats_text(m ? m->last : NAN, m ? m->min : NAN, m ? m->max : NAN, true, st, sizeof st);
		snprintf(line, sizeof line, "%s %c %-18s %-52s %s", c->utf8 ? "\xe2\x96\xa0" : "#", tui_chart_marker(i),
		         name, at, st);
		char fitted[600];
		tui_text_fit(fitted, sizeof fitted, line, c->cols - 2, false, false, c->utf8);
		attrset(series_attr(c, i));
		mvaddstr(y + rows, 1, fitted);
		attrset(A_NORMAL);
	}
	return rows;
}

static void ema_text(const struct compare_priv *p, char *ema, size_t n)
{
	if (tui_chart_ema_levels[p->ema] > 0)
		snprintf(ema, n, "%.2f", tui_chart_ema_levels[p->ema]);
	else
		snprintf(ema, n, "off");
}

static void draw_chart(struct tui_ctx *c, struct compare_priv *p, int y, int h)
{
	char title[512], ema[32], axis[256];
	if (h < 5)
		return;
	tui_draw_hline(c, y, 0, c->cols, TUI_COLOR_BORDER);
	if (!p->nmkeys) {
		tui_draw_text(c, y + 1, 2, c->cols - 4, "No metrics to chart.", TUI_COLOR_DIM);
		return;
	}
	ema_text(p, ema, sizeof ema);
	tui_axis_text(&p->nav, axis, sizeof axis);
	snprintf(title, sizeof title, " %s  %s  smoothing: %s  y: %s ", p->mkeys[p->metric], axis, ema,
	         p->log_y ? "log" : "linear");
	tui_draw_str(c, y, 2, c->cols - 4, title, TUI_COLOR_HEADER);

	int ylab = 9, plot_x = ylab + 1, plot_w = c->cols - plot_x - 2;
	p->one.metric = p->metric;
	if (plot_w >= 10)
		series_build(c, p, &p->one, plot_w); /* first: the legend says which runs have no points */
	p->nav.dlo = p->one.dlo;
	p->nav.dhi = p->one.dhi;
	/* Names shrink to keep the legend to two rows; more wrap below.  With
	 * the cursor shown, a row a run: its values there. */
	int lrows = p->nav.cursor_on ? draw_legend_rows(c, p, &p->one, y + 1, h - 6)
	                             : draw_legend(c, p, y + 1, 2, true);
	int plot_y = y + 1 + lrows, plot_h = h - 3 - lrows;
	if (plot_h < 2 || plot_w < 10)
		return;
	plot_draw(c, p, &p->one, plot_y, plot_x, plot_w, plot_h, ylab, false);
}

/* ---- small multiples ------------------------------------------------------- */

static int cmp_rank(const void *a, const void *b, void *st)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int d = tui_chart_metric_rank(x, ry_metric_goal_set(st, x)) - tui_chart_metric_rank(y, ry_metric_goal_set(st, y));
	return d ? d : strcmp(x, y);
}

/* Sort metric names as the grid shows them: a goal someone set first,
 * then validation metrics and losses, then the rest by name. */
static void sort_metrics(ry_store *st, char **keys, size_t n)
{
	/* insertion sort: a dozen names, and qsort has no context argument */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp_rank(&keys[j], &keys[j - 1], st) < 0; j--) {
			char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
}

static void grid_default(struct tui_ctx *c, struct compare_priv *p)
{
	ry_strings_free(p->gkeys, p->ngkeys);
	p->gkeys = ry_xcalloc(p->nmkeys ? p->nmkeys : 1, sizeof *p->gkeys);
	p->ngkeys = 0;
	for (size_t k = 0; k < p->nmkeys; k++)
		p->gkeys[p->ngkeys++] = ry_xstrdup(p->mkeys[k]);
	sort_metrics(c->st, p->gkeys, p->ngkeys);
}

static size_t mkey_index(const struct compare_priv *p, const char *key)
{
	for (size_t k = 0; k < p->nmkeys; k++)
		if (!strcmp(p->mkeys[k], key))
			return k;
	return (size_t)-1;
}

enum { GRID_MIN_W = 56, GRID_MIN_H = 10, GRID_YLAB = 8 };

/* A grid chart's title without the cursor: the metric, then each run's
 * last, min and max ("loss  a last 0.31 min 0.1 max 2.3  b ..."), or only
 * each last value when that is too wide for the chart's w columns. */
static void grid_stats(const struct compare_priv *p, const struct plot *pl, char *title, size_t n, int w)
{
	size_t base = strlen(title);
	for (int full = 1; full >= 0; full--) {
		size_t len = base;
		title[len] = '\0';
		for (size_t i = 0; i < p->n && len + 80 < n; i++) {
			const ry_metric_summary *m = summary_of(p, i, p->mkeys[pl->metric]);
			char st[128];
			if (!m || !pl->nd[i])
				continue;
			tui_stats_text(m->last, m->min, m->max, full, st, sizeof st);
			/* "a last 0.31" is "a 0.31" when only the last is shown */
			len += (size_t)snprintf(title + len, n - len, "  %c %s", tui_chart_marker(i), full ? st : st + 5);
		}
		if (tui_text_width(title) <= w)
			return;
	}
}

/* Several metrics at once, a chart each for every run, in a grid that
 * fits the screen (1 to 3 columns by width, rows by height), sharing the
 * x axis and the cursor. */
static void draw_grid(struct tui_ctx *c, struct compare_priv *p, int y, int h)
{
	char head[512], ema[32], axis[256];
	ema_text(p, ema, sizeof ema);
	tui_axis_text(&p->nav, axis, sizeof axis);
	snprintf(head, sizeof head, " %zu runs, %zu metrics  %s  smoothing: %s  y: %s ", p->n, p->ngkeys, axis, ema,
	         p->log_y ? "log" : "linear");
	int lrows = draw_legend(c, p, y + 1, 2, false), body = h - 1 - lrows;
	int ncols = c->cols / GRID_MIN_W, maxrows = body / GRID_MIN_H;
	ncols = ncols < 1 ? 1 : ncols > 3 ? 3 : ncols;
	maxrows = maxrows < 1 ? 1 : maxrows;
	size_t n = p->ngkeys < (size_t)(ncols * maxrows) ? p->ngkeys : (size_t)(ncols * maxrows);
	if (n < p->ngkeys) { /* say what does not fit: M picks fewer */
		size_t len = strlen(head);
		snprintf(head + len, sizeof head - len, " (%zu fit the screen: M picks) ", n);
	}
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	tui_draw_str(c, y, 1, c->cols - 2, head, TUI_COLOR_HEADER);
	if (!n) {
		tui_draw_text(c, y + 1 + lrows, 2, c->cols - 4, "No metric chosen: M picks which to chart.", TUI_COLOR_DIM);
		return;
	}
	if (n < (size_t)ncols)
		ncols = (int)n;
	int nrows = (int)((n + (size_t)ncols - 1) / (size_t)ncols), cw = c->cols / ncols, chh = body / nrows;
	int plot_w = cw - GRID_YLAB - 3, plot_h = chh - 4;
	if (plot_w < 8 || plot_h < 2)
		return;
	if (p->nplots != n) {
		grid_drop(p);
		p->plots = ry_xcalloc(n, sizeof *p->plots);
		p->nplots = n;
		for (size_t k = 0; k < n; k++)
			plot_drop(p, &p->plots[k]);
	}
	/* build every chart first: they share the x range of all their data */
	double lo = INFINITY, hi = -INFINITY;
	for (size_t k = 0; k < n; k++) {
		struct plot *pl = &p->plots[k];
		size_t m = mkey_index(p, p->gkeys[k]);
		if (pl->metric != m) {
			plot_drop(p, pl);
			pl->metric = m;
		}
		series_build(c, p, pl, plot_w);
		if (pl->dlo < lo) lo = pl->dlo;
		if (pl->dhi > hi) hi = pl->dhi;
	}
	p->nav.dlo = lo;
	p->nav.dhi = hi;
	for (size_t k = 0; k < n; k++) {
		struct plot *pl = &p->plots[k];
		int row = (int)k / ncols, col = (int)k % ncols;
		int yy = y + 1 + lrows + row * chh, xx = col * cw;
		char title[1024];
		size_t len = (size_t)snprintf(title, sizeof title, "%s", p->gkeys[k]);
		if (!p->nav.cursor_on && pl->metric < p->nmkeys)
			grid_stats(p, pl, title, sizeof title, cw - 2);
		else if (p->nav.cursor_on && pl->metric < p->nmkeys) {
			plot_readings(c, p, pl);
			for (size_t i = 0; i < p->n && len < sizeof title - 40; i++) {
				char v[32];
				if (!pl->rd[i].ok)
					continue;
				tui_fmt_num(pl->rd[i].value, v, sizeof v);
				len += (size_t)snprintf(title + len, sizeof title - len, "  %c %s", tui_chart_marker(i), v);
			}
		}
		tui_draw_text(c, yy, xx + 1, cw - 2, title, TUI_COLOR_HEADER);
		if (pl->metric >= p->nmkeys) {
			tui_draw_text(c, yy + 1, xx + GRID_YLAB + 1, plot_w, "not logged by these runs", TUI_COLOR_DIM);
			continue;
		}
		plot_draw(c, p, pl, yy + 1, xx + GRID_YLAB + 1, plot_w, plot_h, GRID_YLAB, true);
	}
}

static void compare_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct compare_priv *p = v->priv;
	if (p->grid) {
		draw_grid(c, p, y, h);
		return;
	}
	int want = (int)p->nrows + 1;
	/* the metadata rows come on top of the table's share, not out of the
	 * params' and metrics' (up to 60% of the screen: the chart keeps room) */
	int share = h * 45 / 100 + TUI_PRESENT_NSUMMARY;
	if (share > h * 60 / 100)
		share = h * 60 / 100;
	int th = want < share ? want : share;
	if (th < 4)
		th = h < 4 ? h : 4;
	draw_table(c, p, y, th);
	draw_chart(c, p, y + th, h - th);
}

static void compare_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct compare_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " comparing %zu runs  baseline: %s  identical rows: %s  chart: %s (read in %.0f ms)",
	         p->n, p->baseline >= 0 && p->runs[p->baseline]->name ? p->runs[p->baseline]->name : "none",
	         p->hide_same ? "hidden" : "shown", p->metric < p->nmkeys ? p->mkeys[p->metric] : "-",
	         p->load_ms);
}

/* ---- actions --------------------------------------------------------------- */

/* Keep the chart settings in c->chart, so that the next compare opens
 * with them and a saved view (the runs screen's :view) carries them. */
static void chart_remember(struct tui_ctx *c, const struct compare_priv *p)
{
	ry_buf b = RY_BUF_INIT;
	free(c->chart.x_axis);
	c->chart.x_axis = ry_xstrdup(p->nav.xaxis == TUI_CHART_X_METRIC ? p->nav.xmetric
	                             : p->nav.xaxis == TUI_CHART_X_WALL  ? "wall"
	                             : p->nav.xaxis == TUI_CHART_X_REL   ? "relative"
	                                                                 : "step");
	c->chart.grid = p->grid;
	free(c->chart.metric);
	c->chart.metric = p->metric < p->nmkeys ? ry_xstrdup(p->mkeys[p->metric]) : NULL;
	for (size_t k = 0; k < p->ngkeys; k++)
		ry_buf_printf(&b, "%s%s", k ? "," : "", p->gkeys[k]);
	free(c->chart.metrics);
	c->chart.metrics = p->ngkeys ? ry_buf_detach(&b) : NULL;
	ry_buf_free(&b);
}

static bool runs_log(void *arg, const char *key);

/* Open with the settings last used (or a saved view's): the axis when the
 * runs log its metric, the chart's metric and the grid's where they have
 * them. */
static void chart_restore(struct tui_ctx *c, struct compare_priv *p)
{
	const ry_view *ch = &c->chart;
	if (ch->x_axis && strcmp(ch->x_axis, "step") &&
	    (!strcmp(ch->x_axis, "wall") || !strcmp(ch->x_axis, "relative") || runs_log(p, ch->x_axis)))
		tui_chart_x_command(c, &p->nav, ch->x_axis, runs_log, p);
	for (size_t k = 0; ch->metric && k < p->nmkeys; k++)
		if (!strcmp(p->mkeys[k], ch->metric))
			p->metric = k;
	if (ch->metrics) {
		char *copy = ry_xstrdup(ch->metrics), *save = NULL;
		size_t cap = 0;
		ry_strings_free(p->gkeys, p->ngkeys);
		p->gkeys = NULL;
		p->ngkeys = 0;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			for (size_t k = 0; k < p->nmkeys; k++) {
				if (!strcmp(p->mkeys[k], t)) {
					p->gkeys = ry_xgrow(p->gkeys, &cap, p->ngkeys + 1, sizeof *p->gkeys);
					p->gkeys[p->ngkeys++] = ry_xstrdup(t);
				}
			}
		}
		free(copy);
	}
	if (ch->grid > 0) {
		p->grid = true;
		if (!p->gkeys)
			grid_default(c, p);
	}
}

static void metric_chosen(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct compare_priv *p = owner->priv;
	for (size_t k = 0; n && k < p->nmkeys; k++) {
		if (!strcmp(p->mkeys[k], chosen[0])) {
			p->metric = k;
			plot_drop(p, &p->one);
		}
	}
	chart_remember(c, p);
}

/* The grid's metrics, chosen in the picker: in the grid's order. */
static void grid_chosen(struct tui_ctx *c, struct tui_view *owner, const char *const *chosen, size_t n)
{
	struct compare_priv *p = owner->priv;
	ry_strings_free(p->gkeys, p->ngkeys);
	p->gkeys = ry_xcalloc(n ? n : 1, sizeof *p->gkeys);
	p->ngkeys = n;
	for (size_t k = 0; k < n; k++)
		p->gkeys[k] = ry_xstrdup(chosen[k]);
	sort_metrics(c->st, p->gkeys, p->ngkeys);
	grid_drop(p);
	chart_remember(c, p);
}

static void pick_grid(struct tui_view *v, struct tui_ctx *c, struct compare_priv *p)
{
	bool *sel = ry_xcalloc(p->nmkeys ? p->nmkeys : 1, sizeof *sel);
	for (size_t k = 0; k < p->nmkeys; k++)
		for (size_t g = 0; g < p->ngkeys; g++)
			sel[k] |= !strcmp(p->mkeys[k], p->gkeys[g]);
	struct tui_picker_arg pa = {
		.title = "Chart which metrics side by side?  Space toggles, Enter applies",
		.items = (const char *const *)p->mkeys, .nitems = p->nmkeys, .selected = sel, .multi = true,
		.done = grid_chosen, .owner = v,
	};
	tui_view_push(c, &tui_view_picker, &pa);
	free(sel);
}

static bool runs_log(void *arg, const char *key)
{
	const struct compare_priv *p = arg;
	for (size_t i = 0; i < p->n; i++)
		if (summary_of(p, i, key))
			return true;
	return false;
}

static int compare_action_do(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct compare_priv *p = v->priv;
	size_t page = v->rows > 4 ? (size_t)v->rows / 3 : 1;
	/* The table is short beside the chart: a half page is a page here. */
	enum tui_action move = a == TUI_ACT_HALF_DOWN ? TUI_ACT_PAGE_DOWN : a == TUI_ACT_HALF_UP ? TUI_ACT_PAGE_UP : a;
	if (tui_list_action(&p->table, move, page))
		return TUI_REDRAW;
	switch (a) {
	case TUI_ACT_MOVE_LEFT: if (p->col_cur) p->col_cur--; return TUI_REDRAW;
	case TUI_ACT_MOVE_RIGHT: if (p->col_cur + 1 < p->n) p->col_cur++; return TUI_REDRAW;
	case TUI_ACT_ENTER: {
		struct tui_detail_arg d = { (long long)p->runs[p->col_cur]->id };
		tui_view_push(c, &tui_view_detail, &d);
		return TUI_REDRAW;
	}
	case TUI_ACT_TOGGLE_SAME:
		p->hide_same = !p->hide_same;
		rows_build(p);
		tui_list_set(&p->table, 0);
		return TUI_REDRAW;
	case TUI_ACT_BASELINE:
		p->baseline = p->baseline == (int)p->col_cur ? -1 : (int)p->col_cur;
		return TUI_REDRAW;
	case TUI_ACT_METRIC_NEXT: case TUI_ACT_METRIC_PREV:
		if (!p->nmkeys)
			return TUI_REDRAW;
		p->metric = a == TUI_ACT_METRIC_NEXT ? (p->metric + 1) % p->nmkeys
		                                      : (p->metric + p->nmkeys - 1) % p->nmkeys;
		plot_drop(p, &p->one);
		return TUI_REDRAW;
	case TUI_ACT_SMALL_MULTIPLES:
		p->grid = !p->grid;
		if (p->grid && !p->gkeys)
			grid_default(c, p);
		return TUI_REDRAW;
	case TUI_ACT_METRIC_PICK: {
		if (p->grid) {
			if (p->nmkeys)
				pick_grid(v, c, p);
			return TUI_REDRAW;
		}
		struct tui_picker_arg pa = {
			.title = "Chart which metric?  Enter picks",
			.items = (const char *const *)p->mkeys, .nitems = p->nmkeys, .multi = false,
			.cursor = p->metric, .done = metric_chosen, .owner = v,
		};
		if (p->nmkeys)
			tui_view_push(c, &tui_view_picker, &pa);
		return TUI_REDRAW;
	}
	case TUI_ACT_EXPORT_VIEW:
		return tui_export_ask(v, c);
	default: {
		int k = tui_chart_keys(a, &p->nav, &p->ema, &p->log_y, runs_log(p, "epoch"));
		if (k == 1)
			series_drop(p);
		return k ? TUI_REDRAW : TUI_UNHANDLED;
	}
	}
}

/* `:export FILE`: .json or .csv the comparison (as `runyard compare
 * --json/--csv`),
 * .svg the chart of the charted metric as shown. */
static void compare_export(struct tui_ctx *c, struct compare_priv *p, const char *path)
{
	int64_t ids[TUI_MAX_COMPARE];
	const char *fmt = tui_export_format(path);
	for (size_t i = 0; i < p->n; i++)
		ids[i] = p->runs[i]->id;
	if (fmt && !strcmp(fmt, "svg"))
		tui_export_chart(c, path, ids, p->n, p->nmkeys ? p->mkeys[p->metric] : NULL, &p->nav,
		                 tui_chart_ema_levels[p->ema], p->log_y);
	else
		tui_export_compare(c, path, ids, p->n);
}

static int compare_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                          bool cancel)
{
	if (kind == TUI_PROMPT_EXPORT && final && !cancel && *text)
		compare_export(c, v->priv, text);
	return TUI_REDRAW;
}

static int compare_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	int r = compare_action_do(v, c, a);
	chart_remember(c, v->priv);
	return r;
}

/* `:x NAME`: the charts' x axis. */
static int compare_command(struct tui_view *v, struct tui_ctx *c, const char *cmd, const char *arg)
{
	struct compare_priv *p = v->priv;
	if (!strcmp(cmd, "export")) {
		if (!*arg)
			return tui_export_ask(v, c);
		compare_export(c, p, arg);
		return TUI_REDRAW;
	}
	/* Not the runs table's run under the cursor (or its marks) behind this screen. */
	if (!strcmp(cmd, "tag") || !strcmp(cmd, "untag") || !strcmp(cmd, "rename") || !strcmp(cmd, "delete")) {
		tui_error(c, ":%s works on the runs table and on a run's screen (Enter opens the run under the "
		          "column cursor)", cmd);
		return TUI_REDRAW;
	}
	if (strcmp(cmd, "x"))
		return TUI_UNHANDLED;
	if (tui_chart_x_command(c, &p->nav, arg, runs_log, p))
		series_drop(p);
	chart_remember(c, p);
	return TUI_REDRAW;
}

/* A click in a run's column (its name or any of its cells) puts the
 * column cursor on that run; a click on the run under the cursor opens it,
 * as Enter does.  The chart below takes no clicks. */
static int compare_click(struct tui_view *v, struct tui_ctx *c, int y, int x)
{
	struct compare_priv *p = v->priv;
	if (p->grid) /* no table on screen */
		return 0;
	if (y < p->tbl_y || y >= p->tbl_y + p->tbl_h || x < p->lw || p->colw < 1)
		return 0;
	size_t k = (size_t)(x - p->lw) / (size_t)(p->colw + 1), i = p->col_first + k;
	if (k >= p->fit || i >= p->n)
		return 0;
	if (i == p->col_cur)
		return compare_action(v, c, TUI_ACT_ENTER);
	p->col_cur = i;
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_compare = {
	.name = "compare",
	.keymap = TUI_KM_COMPARE,
	.open = compare_open,
	.draw = compare_draw,
	.action = compare_action,
	.reload = compare_reload,
	.status = compare_status,
	.done = compare_done,
	.click = compare_click,
	.command = compare_command,
	.prompt = compare_prompt,
};
