/*
 * Chart series shared by compare and the run's charts: x on any axis and
 * the reading at the cursor.  A reading reads the history again (one
 * metric of one run: about a millisecond for 100,000 points) rather than
 * keep every full history in memory; the views cache it per cursor spot.
 */
#include "views/series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "app/draw.h"
#include "runs/run.h"
#include "widgets/svgplot.h"

void tui_series_buf_free(struct tui_series_buf *b)
{
	if (!b)
		return;
	free(b->pts);
	free(b->xpts);
	free(b->tmp);
	free(b->rx);
	free(b->ry);
	memset(b, 0, sizeof *b);
}

static double *tmp_reserve(struct tui_series_buf *b, size_t n)
{
	if (n > b->tmpcap) {
		free(b->tmp);
		b->tmp = ry_xmalloc(n * sizeof *b->tmp);
		b->tmpcap = n;
	}
	return b->tmp;
}

int tui_series_x(ry_store *st, int64_t run, const tui_chart_nav *nav, struct tui_series_buf *b, size_t np,
                 double *x)
{
	size_t nx = 0;
	if (nav->xaxis != TUI_CHART_X_METRIC) {
		for (size_t k = 0; k < np; k++)
			x[k] = tui_chart_x_of(nav->xaxis, (double)b->pts[k].step, b->pts[k].ts, b->pts[0].ts);
		return 0;
	}
	if (ry_metrics_read_into(st, run, nav->xmetric, &b->xpts, &b->xcap, &nx) < 0)
		return -1;
	/* steps as doubles: y's in x (overwritten below), x's and values in tmp */
	double *t = tmp_reserve(b, 2 * (nx ? nx : 1));
	for (size_t k = 0; k < nx; k++) {
		t[k] = (double)b->xpts[k].step;
		t[nx + k] = b->xpts[k].value;
	}
	for (size_t k = 0; k < np; k++)
		x[k] = (double)b->pts[k].step;
	/* pairing walks forward, so writing x[i] over ystep[i] is safe */
	tui_chart_pair_by_step(x, np, t, t + nx, nx, x);
	return 0;
}

int tui_series_reading(ry_store *st, int64_t run, const char *key, const tui_chart_nav *nav, double at,
                       struct tui_series_buf *b, struct tui_reading *out)
{
	size_t np = 0, ne = 0;
	memset(out, 0, sizeof *out);
	if (ry_metrics_read_into(st, run, key, &b->pts, &b->cap, &np) < 0)
		return -1;
	if (!np)
		return 0;
	if (np > b->rcap) { /* kept: fresh memory each cursor move would cost page faults */
		free(b->rx);
		free(b->ry);
		b->rx = ry_xmalloc(np * sizeof *b->rx);
		b->ry = ry_xmalloc(np * sizeof *b->ry);
		b->rcap = np;
	}
	double *x = b->rx, *y = b->ry;
	int rc = tui_series_x(st, run, nav, b, np, x);
	for (size_t k = 0; k < np; k++)
		y[k] = b->pts[k].value;
	long i = rc < 0 ? -1 : tui_chart_at_or_before(x, y, np, at);
	if (rc < 0)
		return rc;
	if (i < 0)
		return 0;
	out->ok = true;
	out->value = b->pts[i].value;
	out->step = (double)b->pts[i].step;
	out->ts = b->pts[i].ts;
	out->rel = b->pts[i].ts - b->pts[0].ts;
	if (strcmp(key, "epoch") && ry_metrics_read_into(st, run, "epoch", &b->xpts, &b->xcap, &ne) == 0) {
		/* the epoch the run was in at that step */
		for (size_t k = 0; k < ne; k++) {
			if ((double)b->xpts[k].step > out->step)
				break;
			out->has_epoch = true;
			out->epoch = b->xpts[k].value;
		}
	}
	return 0;
}

void tui_reading_text(const struct tui_reading *r, char *out, size_t n)
{
	char v[32], clock[16], rel[16], ep[48] = "";
	if (!r->ok) {
		snprintf(out, n, "-");
		return;
	}
	tui_fmt_num(r->value, v, sizeof v);
	tui_chart_clock(r->ts, clock);
	tui_chart_duration(r->rel, rel);
	if (r->has_epoch) {
		char e[32];
		tui_fmt_num(r->epoch, e, sizeof e);
		snprintf(ep, sizeof ep, "  epoch %s", e);
	}
	snprintf(out, n, "%s @ step %.0f  %s  +%s%s", v, r->step, clock, rel, ep);
}

void tui_cursor_text(const tui_chart_nav *nav, char *out, size_t n)
{
	char t[32];
	switch (nav->xaxis) {
	case TUI_CHART_X_STEP: snprintf(out, n, "step %.0f", floor(nav->cursor)); return;
	case TUI_CHART_X_WALL: tui_chart_clock(nav->cursor, t); snprintf(out, n, "%s", t); return;
	case TUI_CHART_X_REL: tui_chart_duration(nav->cursor, t); snprintf(out, n, "+%s", t); return;
	default:
		tui_fmt_num(nav->cursor, t, sizeof t);
		snprintf(out, n, "%s %s", nav->xmetric, t);
	}
}

void tui_axis_text(const tui_chart_nav *nav, char *out, size_t n)
{
	char zoom[64] = "", cur[96] = "", mark[128] = "";
	double lo, hi;
	if (tui_chart_nav_range(nav, &lo, &hi)) {
		char a[16], b[16];
		/* in the axis' words: clock times, durations, numbers */
		if (nav->xaxis == TUI_CHART_X_WALL) {
			tui_chart_clock(lo, a);
			tui_chart_clock(hi, b);
		} else if (nav->xaxis == TUI_CHART_X_REL) {
			tui_chart_duration(lo, a);
			tui_chart_duration(hi, b);
		} else {
			tui_chart_label(lo, (hi - lo) / 100, a);
			tui_chart_label(hi, (hi - lo) / 100, b);
		}
		snprintf(zoom, sizeof zoom, "  zoom %s-%s", a, b);
	}
	if (nav->cursor_on) {
		char t[48];
		tui_cursor_text(nav, t, sizeof t);
		snprintf(cur, sizeof cur, "  cursor %s", t);
	}
	if (nav->marking) {
		struct tui_chart_nav m = *nav;
		char t[48];
		m.cursor = m.mark;
		tui_cursor_text(&m, t, sizeof t);
		snprintf(mark, sizeof mark, "  mark %s (z again zooms)", t);
	}
	snprintf(out, n, "x: %s%s%s%s", tui_chart_nav_axis_name(nav), zoom, cur, mark);
}

unsigned tui_series_rgb(const struct tui_theme *theme, size_t i)
{
	struct tui_theme def;
	short fg = theme ? theme->e[tui_theme_series(i)].fg : -1;
	if (fg < 0) {
		tui_theme_default(&def);
		fg = def.e[tui_theme_series(i)].fg;
	}
	return tui_svgplot_xterm_rgb(fg);
}

void tui_stats_text(double last, double min, double max, bool full, char *out, size_t n)
{
	char l[32], lo[32], hi[32];
	tui_fmt_num(last, l, sizeof l);
	if (!full) {
		snprintf(out, n, "last %s", l);
		return;
	}
	tui_fmt_num(min, lo, sizeof lo);
	tui_fmt_num(max, hi, sizeof hi);
	snprintf(out, n, "last %s  min %s  max %s", l, lo, hi);
}

int tui_series_svg(ry_buf *out, ry_store *st, const int64_t *ids, size_t n, const char *key,
                   const tui_chart_nav *nav, double ema, bool log_y, const struct tui_theme *theme)
{
	struct tui_series_buf b;
	struct tui_svgplot_series *s = ry_xcalloc(n ? n : 1, sizeof *s);
	double **xs = ry_xcalloc(n ? n : 1, sizeof *xs), **ys = ry_xcalloc(n ? n : 1, sizeof *ys);
	char **names = ry_xcalloc(n ? n : 1, sizeof *names);
	double zlo = 0, zhi = 0;
	bool zoom = tui_chart_nav_range(nav, &zlo, &zhi);
	int rc = 0;
	memset(&b, 0, sizeof b);
	for (size_t i = 0; i < n && !rc; i++) {
		ry_run *r = NULL;
		size_t np = 0, kept = 0;
		if ((rc = ry_run_get(&r, st, ids[i])))
			break;
		names[i] = ry_xstrdup(r->name && *r->name ? r->name : r->uuid);
		ry_run_free(r);
		if ((rc = ry_metrics_read_into(st, ids[i], key, &b.pts, &b.cap, &np)))
			break;
		xs[i] = ry_xmalloc((np ? np : 1) * sizeof **xs);
		ys[i] = ry_xmalloc((np ? np : 1) * sizeof **ys);
		if (np && (rc = tui_series_x(st, ids[i], nav, &b, np, xs[i])))
			break;
		for (size_t k = 0; k < np; k++)
			ys[i][k] = b.pts[k].value;
		if (ema > 0)
			tui_chart_ema(ys[i], np, ema);
		for (size_t k = 0; k < np; k++) {
			if (zoom && !(xs[i][k] >= zlo && xs[i][k] <= zhi))
				continue;
			xs[i][kept] = xs[i][k];
			ys[i][kept++] = ys[i][k];
		}
		s[i].name = names[i];
		s[i].x = xs[i];
		s[i].y = ys[i];
		s[i].n = kept;
		s[i].rgb = tui_series_rgb(theme, i);
	}
	if (!rc) {
		char title[256];
		struct tui_svgplot p = { .title = title, .xlabel = tui_chart_nav_axis_name(nav), .log_y = log_y,
		                         .s = s, .ns = n, .xlo = zlo, .xhi = zhi };
		snprintf(title, sizeof title, "%s", key);
		if (ema > 0)
			snprintf(title, sizeof title, "%s (EMA %.2f)", key, ema);
		p.xtime = nav->xaxis == TUI_CHART_X_WALL ? TUI_SVGPLOT_X_CLOCK
		        : nav->xaxis == TUI_CHART_X_REL ? TUI_SVGPLOT_X_DURATION : TUI_SVGPLOT_X_PLAIN;
		tui_svgplot_write(out, &p);
	}
	for (size_t i = 0; i < n; i++) {
		free(xs[i]);
		free(ys[i]);
		free(names[i]);
	}
	free(xs);
	free(ys);
	free(names);
	free(s);
	tui_series_buf_free(&b);
	return rc;
}
