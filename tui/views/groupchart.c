/*
 * The chart of groups: what `c` opens on the runs screen while it is
 * grouped (`:group KEY`).  Each group is one series, its mean over step
 * (core/query/group.h computes the curve), with a band around it, min to
 * max or mean +- std (B switches), as a lighter fill.  The groups are told
 * apart by their letters (a, b, ...) as the runs are on compare, so it
 * reads without colour.  The chart cursor is compare's (widgets/chart.h
 * nav): < and > move it and the legend reads each group there.  It reads
 * through core and draws; it does not compare params (Enter on a group
 * row lists its runs for that).
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
#include "widgets/theme.h"

struct gseries {
	char *label;              /* the group's value (outside text) */
	int64_t *ids;
	size_t nids;
	double *x, *mean, *lo, *hi;
	size_t n;
	size_t maxn;              /* most runs at one step */
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
	tui_chart_nav nav;        /* the cursor, on the step axis, as compare's */
};


static void curves_free(struct groupchart_priv *p)
{
	for (size_t i = 0; i < p->ng; i++) {
		free(p->g[i].x);
		free(p->g[i].mean);
		free(p->g[i].lo);
		free(p->g[i].hi);
		p->g[i].x = p->g[i].mean = p->g[i].lo = p->g[i].hi = NULL;
		p->g[i].n = 0;
	}
	p->built = false;
}

static void curves_build(struct tui_ctx *c, struct groupchart_priv *p)
{
	curves_free(p);
	p->built = true;
	if (p->metric >= p->nmkeys)
		return;
	for (size_t i = 0; i < p->ng; i++) {
		struct gseries *g = &p->g[i];
		ry_group_point *pts = NULL;
		size_t n = 0;
		if (ry_group_curve(c->st, g->ids, g->nids, p->mkeys[p->metric], &pts, &n) < 0) {
			tui_error(c, "%s", ry_error_last());
			continue;
		}
		g->x = ry_xmalloc((n ? n : 1) * sizeof *g->x);
		g->mean = ry_xmalloc((n ? n : 1) * sizeof *g->mean);
		g->lo = ry_xmalloc((n ? n : 1) * sizeof *g->lo);
		g->hi = ry_xmalloc((n ? n : 1) * sizeof *g->hi);
		g->maxn = 0;
		for (size_t k = 0; k < n; k++) {
			double sd = isfinite(pts[k].std) ? pts[k].std : 0;
			g->x[k] = (double)pts[k].step;
			g->mean[k] = pts[k].mean;
			g->lo[k] = p->std_band ? pts[k].mean - sd : pts[k].min;
			g->hi[k] = p->std_band ? pts[k].mean + sd : pts[k].max;
			g->maxn = pts[k].n > g->maxn ? pts[k].n : g->maxn;
		}
		g->n = n;
		free(pts);
	}
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

static void groupchart_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct groupchart_priv *p = v->priv;
	char title[512];
	int ylab = 9, plot_x = ylab + 1, plot_w = c->cols - plot_x - 2, lrows = 0;
	if (!p->built)
		curves_build(c, p);
	snprintf(title, sizeof title, " %s by %s  mean over step, band: %s  y: %s ",
	         p->metric < p->nmkeys ? p->mkeys[p->metric] : "(no metric)", p->key,
	         p->std_band ? (c->utf8 ? "mean \xc2\xb1 std" : "mean +- std") : "min-max", p->log_y ? "log" : "linear");
	tui_draw_str(c, y, 2, c->cols - 4, title, TUI_COLOR_HEADER);
	if (!p->nmkeys) {
		tui_draw_text(c, y + 2, 2, c->cols - 4, "These runs log no metrics.", TUI_COLOR_DIM);
		return;
	}
	/* The legend: a row a group, its letter, value and run count. */
	for (size_t i = 0; i < p->ng && lrows < 6; i++, lrows++) {
		char name[128], line[512], fitted[600], rd[160] = "";
		tui_text_fit(name, sizeof name, p->g[i].label, 40, false, false, c->utf8);
		if (p->nav.cursor_on) {
			long k = tui_chart_at_or_before(p->g[i].x, p->g[i].mean, p->g[i].n, p->nav.cursor);
			if (k < 0)
				snprintf(rd, sizeof rd, "  -");
			else
				snprintf(rd, sizeof rd, "  mean %.4g  band %.4g..%.4g @ step %.0f", p->g[i].mean[k],
				         p->g[i].lo[k], p->g[i].hi[k], p->g[i].x[k]);
		}
		snprintf(line, sizeof line, "%s %c %s = %-40s %zu run%s%s", c->utf8 ? "\xe2\x96\xa0" : "#",
		         tui_chart_marker(i), p->key, name, p->g[i].nids, p->g[i].nids == 1 ? "" : "s", rd);
		tui_text_fit(fitted, sizeof fitted, line, c->cols - 2, false, false, c->utf8);
		attrset((attr_t)c->attrs[tui_theme_series(i)]);
		mvaddstr(y + 1 + lrows, 1, fitted);
		attrset(A_NORMAL);
	}
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
	memset(&ch, 0, sizeof ch);
	tui_chart_render_bands(&ch, plot_w, plot_h, s, b, ns, &o);
	tui_draw_chart(c, &ch, plot_y, plot_x, ylab);
	tui_chart_nav_drawn(&p->nav, &ch);
	if (p->nav.cursor_on)
		tui_draw_chart_cursor(c, &ch, plot_y, plot_x, tui_chart_col_of(&ch, p->nav.cursor));
	tui_chart_free(&ch);
}

static void groupchart_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct groupchart_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " charting %zu group%s by %s  m/p metric  </> cursor  B band  y log  q back", p->ng, p->ng == 1 ? "" : "s",
	         p->key);
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
	case TUI_ACT_LOG_Y:
		p->log_y = !p->log_y;
		return TUI_REDRAW;
	case TUI_ACT_CURSOR_LEFT: case TUI_ACT_CURSOR_RIGHT:
		tui_chart_nav_move(&p->nav, a == TUI_ACT_CURSOR_LEFT ? -1 : 1);
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
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
};
