/*
 * The analysis screens over many runs: parallel coordinates (one axis a
 * param, the last the metric, each run a line, coloured worst to best)
 * with brushes that narrow the runs table's filter as they move, and a
 * scatter of one param against the metric with a cursor that walks the
 * points and, beside it, the params ranked by how they go with the
 * metric.  Both read the runs the table showed when they opened (its
 * experiment and filter); the table (core/analysis), the plot
 * (widgets/parcoords) and the words (text/present) live elsewhere: this
 * file lays them out and turns keys into changes.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/draw.h"
#include "app/screen.h"
#include "app/tui.h"
#include "text/present.h"
#include "text/text.h"
#include "widgets/parcoords.h"
#include "work/analysis_load.h"

/* The gradient, worst to best (tui_pc_level_rgb names their default colours). */
static const enum tui_color level_color[TUI_PC_LEVELS] = {
	TUI_COLOR_DELTA_BAD, TUI_COLOR_RUN_KILLED, TUI_COLOR_SERIES_7, TUI_COLOR_DELTA_GOOD, TUI_COLOR_METRIC_BEST,
};

/* What both screens read: the table, its axes and colours. */
struct data {
	int64_t exp;
	char *filter;            /* the table's when opened; owned, may be NULL */
	char **fields;           /* as asked; owned */
	size_t nfields;
	char *metric;            /* as asked; owned, may be NULL */
	struct tui_view *owner;  /* the runs view */
	ry_analysis *a;
	tui_axis axes[TUI_PC_MAX_AXES];
	size_t nax;
	int8_t *level;
	uint8_t *rank;
	double draw_ms;          /* the last plot's render time */
	size_t shown;            /* the runs it drew */
};

static void data_axes_free(struct data *d)
{
	for (size_t k = 0; k < d->nax; k++)
		tui_axis_free(&d->axes[k]);
	d->nax = 0;
}

static void data_free(struct data *d)
{
	data_axes_free(d);
	ry_analysis_free(d->a);
	free(d->level);
	free(d->rank);
	free(d->filter);
	ry_strings_free(d->fields, d->nfields);
	free(d->metric);
}

static int data_load(struct tui_ctx *c, struct data *d)
{
	ry_analysis *a = NULL;
	if (ry_analysis_load(&a, c->st, d->exp, d->filter, (const char *const *)d->fields, d->nfields, d->metric) < 0) {
		tui_error(c, "%s", ry_error_last());
		return -1;
	}
	data_axes_free(d);
	ry_analysis_free(d->a);
	d->a = a;
	d->nax = tui_pc_axes_build(d->axes, a);
	free(d->level);
	free(d->rank);
	d->level = ry_xmalloc((a->n ? a->n : 1) * sizeof *d->level);
	d->rank = ry_xmalloc((a->n ? a->n : 1) * sizeof *d->rank);
	tui_pc_levels(a->metric.num, a->n, a->goal, d->level, d->rank);
	return 0;
}

static void data_init(struct data *d, const struct tui_analysis_arg *a)
{
	d->exp = a->experiment_id;
	d->filter = a->filter && *a->filter ? ry_xstrdup(a->filter) : NULL;
	if (a->nfields) {
		d->fields = ry_xcalloc(a->nfields, sizeof *d->fields);
		for (size_t i = 0; i < a->nfields; i++)
			d->fields[i] = ry_xstrdup(a->fields[i]);
		d->nfields = a->nfields;
	}
	d->metric = a->metric ? ry_xstrdup(a->metric) : NULL;
	d->owner = a->owner;
}

/* Draw a rendered grid with its top left at y, x: each cell in its level's
 * colour, denser cells bolder, sparse ones dim, ranked runs' cells bold and
 * their rank digits where they meet an axis (readable without colour). */
static void draw_grid(struct tui_ctx *c, const tui_pc *pc, int y, int x)
{
	for (int r = 0; r < pc->h; r++)
		for (int col = 0; col < pc->w; col++) {
			const tui_pc_cell *cell = &pc->cells[(size_t)r * (size_t)pc->w + (size_t)col];
			if (cell->marker) {
				char m[2] = { cell->marker, 0 };
				attrset((attr_t)c->attrs[TUI_COLOR_METRIC_BEST] | A_BOLD | (c->color ? 0 : A_REVERSE));
				mvaddstr(y + r, x + col, m);
				continue;
			}
			if (!cell->count && !cell->out)
				continue;
			enum tui_color e = cell->count && cell->level >= 0 ? level_color[cell->level] : TUI_COLOR_DIM;
			attr_t at = (attr_t)c->attrs[e];
			if (!cell->count) /* density: only brushed-out lines pass here */
				at |= A_DIM;
			else if (cell->ranked || cell->shade >= TUI_PC_SHADES - 1)
				at |= A_BOLD;
			else if (cell->shade == 0 && pc->maxcount > 4 && !pc->density)
				at |= A_DIM;
			attrset(at);
			mvaddstr(y + r, x + col, cell->glyph);
		}
	attrset(A_NORMAL);
}

static void fmt_value(const tui_axis *ax, double pos, char *out, size_t n)
{
	tui_fmt_num(tui_axis_value_at(ax, pos), out, n);
}

/* ---- parallel coordinates ----------------------------------------------------- */

/* Axes shown when none are asked for: the params most related to the metric. */
enum { PAR_DEFAULT_AXES = 6, PAR_SAMPLE = 2000 };

/* The screen reads its runs on a thread (work/analysis_load.h): the first
 * load shows its progress, a later one (new data, another metric) keeps
 * the plot until the new table is in. */
struct parallel_priv {
	struct data d;
	struct tui_analysis_load *load; /* in flight, or NULL */
	struct tui_analysis_load_state ls; /* its last polled state */
	bool ready;                    /* a table is in */
	bool stale;                    /* the workspace changed since: read again when due */
	double loaded_at;              /* when the last load finished (ry_monotonic) */
	char failed[512];              /* the first load failed: why */
	char **metrics;                /* the metric keys the runs log, for m; owned */
	size_t nmetrics;
	size_t order[TUI_PC_MAX_AXES]; /* display order: indexes into d.axes */
	size_t sel;                    /* the selected place in order */
	tui_pc pc;                     /* the last plot, kept while nothing it shows changes */
	bool pc_valid;
	bool pc_utf8;
};

static tui_axis *par_axis(struct parallel_priv *p, size_t place)
{
	return &p->d.axes[p->order[place]];
}

/* Read the table again in the background with the fields and metric as
 * they are now (a load already running is dropped). */
static void parallel_load(struct tui_ctx *c, struct parallel_priv *p)
{
	char msg[256];
	struct tui_analysis_load_spec sp = {
		ry_store_path(c->st), p->d.exp, p->d.filter, (const char *const *)p->d.fields, p->d.nfields,
		p->d.metric, PAR_DEFAULT_AXES, PAR_SAMPLE,
	};
	tui_analysis_load_free(p->load);
	memset(&p->ls, 0, sizeof p->ls);
	p->ls.choosing = !p->d.nfields;
	p->load = tui_analysis_load_start(&sp, msg, sizeof msg);
	if (!p->load) {
		snprintf(p->failed, sizeof p->failed, "%s", msg);
		tui_error(c, "%s", msg);
	}
	if (!c->headless)
		tui_screen_wait_short(p->load != NULL);
}

/* A finished load: its table in, the brushes, flips and order kept by
 * axis field from the one before. */
static void parallel_take(struct tui_ctx *c, struct parallel_priv *p)
{
	struct tui_analysis_loaded r;
	struct tui_analysis_load_state st = p->ls;
	bool ok = tui_analysis_load_take(p->load, &r);
	tui_analysis_load_free(p->load);
	p->load = NULL;
	p->loaded_at = ry_monotonic();
	if (!c->headless)
		tui_screen_wait_short(false);
	if (!ok) {
		tui_error(c, "%s", st.msg);
		if (!p->ready)
			snprintf(p->failed, sizeof p->failed, "%s", st.msg);
		return;
	}
	if (!r.a->n && !p->ready) {
		snprintf(p->failed, sizeof p->failed, "no runs to plot: the filter shows none");
		tui_error(c, "%s", p->failed);
	}
	struct { char field[128]; double blo, bhi; bool flip; } keep[TUI_PC_MAX_AXES];
	char order[TUI_PC_MAX_AXES][128];
	size_t n = p->ready ? p->d.nax : 0;
	for (size_t k = 0; k < n; k++) {
		snprintf(keep[k].field, sizeof keep[k].field, "%s", p->d.axes[k].field);
		keep[k].blo = p->d.axes[k].blo;
		keep[k].bhi = p->d.axes[k].bhi;
		keep[k].flip = p->d.axes[k].flip;
		snprintf(order[k], sizeof order[k], "%s", par_axis(p, k)->field);
	}
	data_axes_free(&p->d);
	ry_analysis_free(p->d.a);
	free(p->d.level);
	free(p->d.rank);
	p->d.a = r.a;
	memcpy(p->d.axes, r.axes, sizeof r.axes);
	p->d.nax = r.nax;
	p->d.level = r.level;
	p->d.rank = r.rank;
	if (r.chosen)
		tui_msg(c, "the %zu params that go most with %s and that most runs share (:parallel METRIC PARAM,... picks others)",
		        r.nfields, r.a->metric.label);
	/* later loads read the same fields, never choosing again */
	ry_strings_free(p->d.fields, p->d.nfields);
	p->d.fields = r.fields;
	p->d.nfields = r.nfields;
	ry_strings_free(p->metrics, p->nmetrics);
	p->metrics = r.metrics;
	p->nmetrics = r.nmetrics;
	for (size_t k = 0; k < p->d.nax; k++) {
		p->order[k] = k;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(keep[j].field, p->d.axes[k].field)) {
				p->d.axes[k].blo = keep[j].blo;
				p->d.axes[k].bhi = keep[j].bhi;
				p->d.axes[k].flip = keep[j].flip;
			}
	}
	if (p->d.nax == n) /* the same axes: the same order */
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < n; j++)
				if (!strcmp(order[k], p->d.axes[j].field))
					p->order[k] = j;
	if (p->sel >= p->d.nax)
		p->sel = p->d.nax ? p->d.nax - 1 : 0;
	p->ready = true;
	p->pc_valid = false;
}

/* Poll the load; TUI_REDRAW when something shown changed. */
static int parallel_poll(struct tui_ctx *c, struct parallel_priv *p)
{
	struct tui_analysis_load_state st;
	if (!p->load)
		return 0;
	bool done = tui_analysis_load_poll(p->load, &st);
	bool moved = st.cols_done != p->ls.cols_done || st.nruns != p->ls.nruns || st.choosing != p->ls.choosing;
	p->ls = st;
	if (done) {
		parallel_take(c, p);
		return TUI_REDRAW;
	}
	return moved ? TUI_REDRAW : 0;
}

/* `:parallel METRIC PARAM,PARAM...`: the first word is the metric when it
 * names one (val_acc, loss.min), as `runyard parallel --metric M --params
 * A,B` reads them; --metric and --params themselves are understood too.
 * Without a metric word every word is a param. */
static void parallel_words(struct tui_ctx *c, struct data *d)
{
	size_t k = 0;
	for (size_t i = 0; i < d->nfields; i++) {
		char *w = d->fields[i];
		if (!strcmp(w, "--metric") || !strcmp(w, "-m")) {
			free(w);
			if (i + 1 < d->nfields) {
				free(d->metric);
				d->metric = d->fields[++i];
			}
			continue;
		}
		if (!strcmp(w, "--params") || !strcmp(w, "-p")) {
			free(w);
			continue;
		}
		d->fields[k++] = w;
	}
	d->nfields = k;
	if (d->metric || !d->nfields)
		return;
	ry_field *f = NULL;
	if (ry_field_parse(&f, c->st, d->fields[0]) == 0 && ry_field_kind_of(f) == RY_FIELD_METRIC &&
	    ry_field_agg(f) != RY_AGG_COUNT) {
		d->metric = d->fields[0];
		memmove(d->fields, d->fields + 1, (d->nfields - 1) * sizeof *d->fields);
		d->nfields--;
	}
	ry_field_free(f);
	ry_error_clear();
}

static int parallel_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	struct parallel_priv *p = ry_xcalloc(1, sizeof *p);
	v->priv = p;
	data_init(&p->d, arg);
	parallel_words(c, &p->d);
	parallel_load(c, p);
	if (!p->load)
		return -1;
	return 0;
}

static void parallel_done(struct tui_view *v, struct tui_ctx *c)
{
	struct parallel_priv *p = v->priv;
	if (!p)
		return;
	if (p->load && !c->headless)
		tui_screen_wait_short(false);
	tui_analysis_load_free(p->load); /* returns at once: the worker stops by itself */
	data_free(&p->d);
	ry_strings_free(p->metrics, p->nmetrics);
	tui_pc_free(&p->pc);
	free(p);
}

/* A live run changes the workspace every few hundred milliseconds and a
 * load of 10^5 runs takes a second: read again at most this often. */
#define PAR_RELOAD_EVERY 3.0

static int parallel_tick(struct tui_view *v, struct tui_ctx *c)
{
	struct parallel_priv *p = v->priv;
	if (p->stale && !p->load && ry_monotonic() - p->loaded_at >= PAR_RELOAD_EVERY) {
		p->stale = false;
		parallel_load(c, p);
	}
	return parallel_poll(c, p);
}

/* A script has no one watching the progress: its next line finds the
 * table in (the bench times the wait). */
static void parallel_idle(struct tui_view *v, struct tui_ctx *c)
{
	struct parallel_priv *p = v->priv;
	if (!c->headless)
		return;
	while (p->load) {
		if (parallel_poll(c, p))
			c->dirty |= TUI_REDRAW;
		if (p->load)
			nanosleep(&(struct timespec){ 0, 2 * 1000 * 1000 }, NULL);
	}
}

/* The brushes changed: the runs table's filter follows, live. */
static void brush_apply(struct tui_ctx *c, struct parallel_priv *p)
{
	tui_axis *ap[TUI_PC_MAX_AXES];
	for (size_t k = 0; k < p->d.nax; k++)
		ap[k] = par_axis(p, k);
	char *f = tui_pc_filter(p->d.filter, ap, p->d.nax);
	c->msg[0] = '\0';
	c->msg_error = false;
	if (p->d.owner && p->d.owner->ops->command)
		p->d.owner->ops->command(p->d.owner, c, "filter", f ? f : "");
	if (!c->msg_error) /* the table's word on a filter it refused stays */
		tui_msg(c, "filter: %s", f ? f : "(none)");
	free(f);
}

/* The plot of the runs inside every brush; its render time is kept for
 * the status line and the bench. */
static void parallel_render(struct tui_ctx *c, struct parallel_priv *p, tui_pc *pc, int w, int h)
{
	if (p->pc_valid && pc->w == w && pc->h == h && p->pc_utf8 == c->utf8)
		return; /* nothing it shows changed: a redraw only draws the cells */
	tui_pc_free(pc);
	p->pc_valid = true;
	p->pc_utf8 = c->utf8;
	tui_axis *ap[TUI_PC_MAX_AXES];
	for (size_t k = 0; k < p->d.nax; k++)
		ap[k] = par_axis(p, k);
	double t0 = ry_monotonic();
	tui_pc_render(pc, w, h, ap, p->d.nax, p->d.level, p->d.rank, c->utf8);
	p->d.draw_ms = (ry_monotonic() - t0) * 1000;
	p->d.shown = pc->shown;
}

size_t tui_parallel_shown(const struct tui_view *v)
{
	const struct parallel_priv *p = v->ops == &tui_view_parallel ? v->priv : NULL;
	return p ? p->d.shown : 0;
}

bool tui_parallel_loading(const struct tui_view *v)
{
	const struct parallel_priv *p = v->ops == &tui_view_parallel ? v->priv : NULL;
	return p && p->load;
}

size_t tui_parallel_rows(const struct tui_view *v)
{
	const struct parallel_priv *p = v->ops == &tui_view_parallel ? v->priv : NULL;
	return p && p->ready ? p->d.a->n : 0;
}

bool tui_parallel_density(const struct tui_view *v)
{
	const struct parallel_priv *p = v->ops == &tui_view_parallel ? v->priv : NULL;
	return p && p->pc_valid && p->pc.density;
}

/* What the load is doing, in words: "loading 100000 runs: column 3 of 8". */
static void load_words(const struct parallel_priv *p, char *out, size_t n)
{
	const struct tui_analysis_load_state *st = &p->ls;
	if (st->choosing)
		snprintf(out, n, "choosing the axes on the newest %d runs", PAR_SAMPLE);
	else if (!st->cols_total)
		snprintf(out, n, "listing the runs the filter shows");
	else
		snprintf(out, n, "loading %zu runs: %zu of %zu columns read", st->nruns, st->cols_done, st->cols_total);
}

static void parallel_draw_waiting(struct tui_ctx *c, struct parallel_priv *p, int y)
{
	char line[512], what[256];
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	if (*p->failed) {
		tui_draw_str(c, y, 1, c->cols - 2, " parallel coordinates: nothing to plot", TUI_COLOR_HEADER);
		snprintf(line, sizeof line, "%s", p->failed);
		tui_draw_text(c, y + 2, 2, c->cols - 4, line, TUI_COLOR_ERROR);
		tui_draw_text(c, y + 4, 2, c->cols - 4, "q goes back to the runs.", TUI_COLOR_DIM);
		return;
	}
	load_words(p, what, sizeof what);
	snprintf(line, sizeof line, " parallel coordinates: %s...", what);
	tui_draw_str(c, y, 1, c->cols - 2, line, TUI_COLOR_HEADER);
	tui_draw_text(c, y + 2, 2, c->cols - 4,
	              "The runs' params and metric are read in the background; the plot is drawn when they are in.",
	              TUI_COLOR_DIM);
	tui_draw_text(c, y + 3, 2, c->cols - 4, "Esc or q goes back at once (the load is dropped).", TUI_COLOR_DIM);
}

static void parallel_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct parallel_priv *p = v->priv;
	if (!p->ready || !p->d.a->n) {
		parallel_draw_waiting(c, p, y);
		return;
	}
	const ry_analysis *a = p->d.a;
	char head[512], what[256] = "";
	int plot_y = y + 3, plot_h = h - 7, margin = 6, plot_x = margin, plot_w = c->cols - 2 * margin;
	if (plot_h >= 4 && plot_w >= 10 && p->d.nax)
		parallel_render(c, p, &p->pc, plot_w, plot_h);
	if (p->load) { /* a new table on its way: say so over the old plot */
		load_words(p, what + 3, sizeof what - 3);
		memcpy(what, "   ", 3);
	}
	snprintf(head, sizeof head, " parallel coordinates: %zu runs, %zu in the brushes   colour: %s, worst to best%s%s",
	         a->n, p->pc_valid ? p->pc.shown : 0, a->metric.label, a->goal ? "" : " (no goal: low to high)", what);
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	tui_draw_str(c, y, 1, c->cols - 2, head, TUI_COLOR_HEADER);
	if (plot_h < 4 || plot_w < 10 || !p->d.nax) {
		tui_draw_text(c, y + 2, 2, c->cols - 4, "The screen is too small for the plot.", TUI_COLOR_DIM);
		return;
	}
	const tui_pc pc = p->pc;
	/* the axes first, under the lines */
	for (size_t k = 0; k < p->d.nax; k++) {
		int col = plot_x + pc.axis_col[k];
		tui_draw_vline(c, plot_y, col, plot_h, k == p->sel ? TUI_COLOR_KEY : TUI_COLOR_CHART_AXIS);
	}
	draw_grid(c, &pc, plot_y, plot_x);
	int gap = p->d.nax > 1 ? plot_w / (int)(p->d.nax - 1) : plot_w;
	for (size_t k = 0; k < p->d.nax; k++) {
		tui_axis *ax = par_axis(p, k);
		int col = plot_x + pc.axis_col[k], lw = gap - 1 > 4 ? gap - 1 : 4;
		char top[32], bot[32], lab[96];
		/* the brush: the range kept, beside the axis */
		if (tui_axis_brushed(ax)) {
			double b0 = ax->flip ? 1 - ax->bhi : ax->blo, b1 = ax->flip ? 1 - ax->blo : ax->bhi;
			int r0 = tui_pc_row_of(plot_h, b1), r1 = tui_pc_row_of(plot_h, b0);
			for (int r = r0; r <= r1; r++)
				tui_draw_str(c, plot_y + r, col - 1, 1, c->utf8 ? "▐" : "[", TUI_COLOR_MARKED);
		}
		if (ax->kind == TUI_AXIS_CATEGORY) {
			for (size_t i = 0; i < ax->ncats; i++) {
				double pos = ax->ncats > 1 ? (double)i / (double)(ax->ncats - 1) : 0.5;
				int r = tui_pc_row_of(plot_h, ax->flip ? 1 - pos : pos);
				tui_draw_str(c, plot_y + r, col + 1, lw / 2 > 3 ? lw / 2 : 3, ax->cats[i], TUI_COLOR_CHART_AXIS);
			}
			snprintf(top, sizeof top, "%zu values", ax->ncats);
			bot[0] = '\0';
		} else {
			fmt_value(ax, ax->flip ? 0 : 1, top, sizeof top);
			fmt_value(ax, ax->flip ? 1 : 0, bot, sizeof bot);
		}
		int tw = tui_text_width(top), bw = tui_text_width(bot);
		tui_draw_str(c, plot_y - 1, col - tw / 2 > 0 ? col - tw / 2 : 0, tw, top, TUI_COLOR_CHART_AXIS);
		tui_draw_str(c, plot_y + plot_h, col - bw / 2 > 0 ? col - bw / 2 : 0, bw, bot, TUI_COLOR_CHART_AXIS);
		snprintf(lab, sizeof lab, "%s%s%s%s", k == p->sel ? ">" : "", ax->label,
		         ax->kind == TUI_AXIS_LOG ? " (log)" : "", ax->flip ? " (flipped)" : "");
		int w = tui_text_width(lab);
		if (w > lw)
			w = lw;
		int x0 = col - w / 2;
		if (x0 < 0)
			x0 = 0;
		if (x0 + w > c->cols)
			x0 = c->cols - w;
		tui_draw_str(c, plot_y - 2, x0, w, lab,
		             k == p->sel ? TUI_COLOR_CURSOR : TUI_COLOR_HEADER);
	}
	char foot[512], sel[256];
	tui_axis *ax = par_axis(p, p->sel);
	char *clause = tui_axis_brush_clause(ax);
	snprintf(sel, sizeof sel, "%s", clause ? clause : "(not brushed)");
	free(clause);
	snprintf(foot, sizeof foot, " 1-%d: the best runs by %s, marked on each axis.  axis %s: %s", TUI_PC_RANKED,
	         a->metric.label, ax->label, sel);
	tui_draw_text(c, plot_y + plot_h + 1, 0, c->cols, foot, TUI_COLOR_DIM);
	if (pc.density)
		snprintf(foot, sizeof foot,
		         " density of %zu lines (%zu brushed out, %s), drawn in %.1f ms; the densest cell holds %d   m: colour by "
		         "another metric",
		         pc.shown, pc.out, c->utf8 ? "·" : ".", p->d.draw_ms, pc.maxcount);
	else
		snprintf(foot, sizeof foot, " %zu lines drawn in %.1f ms; the densest cell holds %d   m: colour by another metric",
		         pc.shown, p->d.draw_ms, pc.maxcount);
	tui_draw_text(c, plot_y + plot_h + 2, 0, c->cols, foot, TUI_COLOR_DIM);
}

static void parallel_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct parallel_priv *p = v->priv;
	(void)c;
	if (!p->ready) {
		snprintf(out, n, " parallel  %s  Esc/q: back", *p->failed ? "nothing to plot" : "loading");
		return;
	}
	snprintf(out, n, " parallel  axis %zu of %zu: %s  k/j K/J brush  < > move  v flip  b bounds  x clear  m metric",
	         p->sel + 1, p->d.nax, par_axis(p, p->sel)->label);
}

/* m: colour by the next metric the runs log (read again in the background). */
static int parallel_next_metric(struct tui_ctx *c, struct parallel_priv *p)
{
	if (!p->nmetrics) {
		tui_error(c, "no other metric to colour by");
		return TUI_REDRAW;
	}
	size_t at = p->nmetrics - 1;
	for (size_t i = 0; i < p->nmetrics; i++)
		if (!strcmp(p->metrics[i], p->d.a->metric.label))
			at = i;
	const char *next = p->metrics[(at + 1) % p->nmetrics];
	if (!strcmp(next, p->d.a->metric.label)) {
		tui_msg(c, "%s is the only metric the runs log", next);
		return TUI_REDRAW;
	}
	free(p->d.metric);
	p->d.metric = ry_xstrdup(next);
	tui_msg(c, "colour by %s: reading it...", next);
	parallel_load(c, p);
	return TUI_REDRAW;
}

static int parallel_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct parallel_priv *p = v->priv;
	if (!p->ready) /* loading, or nothing to plot: only leaving (the generic keys) */
		return a == TUI_ACT_ESCAPE ? TUI_POP : TUI_UNHANDLED;
	tui_axis *ax = par_axis(p, p->sel);
	switch (a) {
	case TUI_ACT_MOVE_LEFT:
		if (p->sel > 0)
			p->sel--;
		return TUI_REDRAW;
	case TUI_ACT_MOVE_RIGHT:
		if (p->sel + 1 < p->d.nax)
			p->sel++;
		return TUI_REDRAW;
	case TUI_ACT_FIRST: p->sel = 0; return TUI_REDRAW;
	case TUI_ACT_LAST: p->sel = p->d.nax - 1; return TUI_REDRAW;
	case TUI_ACT_AXIS_LEFT:
	case TUI_ACT_AXIS_RIGHT: {
		size_t to = a == TUI_ACT_AXIS_LEFT ? p->sel - 1 : p->sel + 1;
		if ((a == TUI_ACT_AXIS_LEFT && !p->sel) || to >= p->d.nax)
			return TUI_REDRAW;
		size_t t = p->order[to];
		p->order[to] = p->order[p->sel];
		p->order[p->sel] = t;
		p->sel = to;
		p->pc_valid = false;
		return TUI_REDRAW;
	}
	case TUI_ACT_AXIS_FLIP: ax->flip = !ax->flip; p->pc_valid = false; return TUI_REDRAW;
	case TUI_ACT_METRIC_NEXT: return parallel_next_metric(c, p);
	case TUI_ACT_BRUSH_TOP_UP: tui_axis_brush_move(ax, 1, 1); break;
	case TUI_ACT_BRUSH_TOP_DOWN: tui_axis_brush_move(ax, 1, -1); break;
	case TUI_ACT_BRUSH_BOTTOM_UP: tui_axis_brush_move(ax, 0, 1); break;
	case TUI_ACT_BRUSH_BOTTOM_DOWN: tui_axis_brush_move(ax, 0, -1); break;
	case TUI_ACT_BRUSH_CLEAR: tui_axis_brush_clear(ax); break;
	case TUI_ACT_BRUSH_BOUNDS: {
		char label[128];
		snprintf(label, sizeof label, "%s %s: ", ax->label,
		         ax->kind == TUI_AXIS_CATEGORY ? "values a,b" : "LO..HI");
		tui_prompt_open(c, v, TUI_PROMPT_FIELD, label, "");
		return TUI_REDRAW;
	}
	default: return TUI_UNHANDLED;
	}
	p->pc_valid = false; /* a brush moved: plot again */
	brush_apply(c, p);
	return TUI_REDRAW;
}

static int parallel_prompt(struct tui_view *v, struct tui_ctx *c, int kind, const char *text, bool final,
                           bool cancel)
{
	struct parallel_priv *p = v->priv;
	char err[256];
	if (kind != TUI_PROMPT_FIELD || !final || cancel || !p->ready)
		return TUI_REDRAW;
	p->pc_valid = false;
	if (!tui_axis_brush_parse(par_axis(p, p->sel), text, err, sizeof err)) {
		tui_error(c, "%s", err);
		return TUI_REDRAW;
	}
	brush_apply(c, p);
	return TUI_REDRAW;
}

static void parallel_reload(struct tui_view *v, struct tui_ctx *c)
{
	/* New runs or metrics: read again in the background; the brushes and
	 * the order are kept by axis name when the table comes in. */
	struct parallel_priv *p = v->priv;
	if (p->ready)
		p->stale = true; /* the next tick that is due reads it */
	(void)c;
}

const struct tui_view_ops tui_view_parallel = {
	.name = "parallel",
	.keymap = TUI_KM_PARALLEL,
	.open = parallel_open,
	.draw = parallel_draw,
	.action = parallel_action,
	.reload = parallel_reload,
	.status = parallel_status,
	.prompt = parallel_prompt,
	.tick = parallel_tick,
	.idle = parallel_idle,
	.done = parallel_done,
};

/* ---- scatter and importance ---------------------------------------------------- */

enum { SIDE_W = 46 };

struct scatter_priv {
	struct data d;
	size_t xcol;              /* the column on the x axis */
	int log_x, log_y;         /* -1: as the values' span suggests (tui_axis_numeric), else off/on */
	tui_axis x, y;            /* built for xcol and the logs */
	long cur;                 /* the run under the cursor, -1 none */
	double *px, *py;          /* positions of every run, NaN missing */
	ry_importance *imp;
	size_t nimp;
};

static void scatter_axes(struct scatter_priv *p)
{
	const ry_analysis *a = p->d.a;
	const ry_analysis_col *xc = &a->cols[p->xcol];
	tui_axis_free(&p->x);
	tui_axis_free(&p->y);
	if (xc->numeric)
		tui_axis_numeric(&p->x, xc->label, xc->name, xc->num, a->n, p->log_x);
	else
		tui_axis_category_codes(&p->x, xc->label, xc->name, xc->values, xc->nvalues, xc->code, a->n);
	tui_axis_numeric(&p->y, a->metric.label, a->metric.name, a->metric.num, a->n, p->log_y);
	free(p->px);
	free(p->py);
	p->px = ry_xmalloc((a->n ? a->n : 1) * sizeof *p->px);
	p->py = ry_xmalloc((a->n ? a->n : 1) * sizeof *p->py);
	for (size_t i = 0; i < a->n; i++) {
		p->px[i] = tui_axis_pos(&p->x, i);
		p->py[i] = tui_axis_pos(&p->y, i);
	}
	if (p->cur < 0 || (size_t)p->cur >= a->n || isnan(p->px[p->cur]) || isnan(p->py[p->cur])) {
		long best = ry_analysis_best(a);
		p->cur = best >= 0 && !isnan(p->px[best]) ? best : tui_scatter_nearest(p->px, p->py, a->n, -1, 0, 0);
	}
}

/* The x column: the one named first, else the most important param. */
static void scatter_pick_x(struct scatter_priv *p)
{
	const ry_analysis *a = p->d.a;
	p->xcol = 0;
	if (p->d.nfields || !p->nimp)
		return;
	for (size_t j = 0; j < a->ncols; j++)
		if (!strcmp(a->cols[j].label, p->imp[0].label))
			p->xcol = j;
}

static int scatter_load(struct tui_ctx *c, struct scatter_priv *p)
{
	if (data_load(c, &p->d) < 0)
		return -1;
	if (!p->d.a->ncols) {
		tui_error(c, "no param to scatter: the runs have none that varies (name one: :scatter PARAM)");
		return -1;
	}
	ry_importance_free(p->imp, p->nimp);
	ry_analysis_importance(p->d.a, &p->imp, &p->nimp);
	return 0;
}

static int scatter_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	struct scatter_priv *p = ry_xcalloc(1, sizeof *p);
	const struct tui_analysis_arg *a = arg;
	struct tui_analysis_arg copy = *a;
	char **fields = NULL;
	size_t nf = 0;
	v->priv = p;
	p->cur = -1;
	p->log_x = p->log_y = -1;
	/* The x param first, then every other varying param, for the importance table. */
	if (a->nfields) {
		char **vary = NULL;
		size_t nv = 0;
		ry_keys_varying_params(c->st, a->experiment_id, &vary, &nv);
		fields = ry_xcalloc(nv + 1, sizeof *fields);
		fields[nf++] = ry_xstrdup(a->fields[0]);
		for (size_t i = 0; i < nv; i++)
			if (strcmp(vary[i], a->fields[0]))
				fields[nf++] = ry_xstrdup(vary[i]);
		ry_strings_free(vary, nv);
		copy.fields = (const char *const *)fields;
		copy.nfields = nf;
	}
	data_init(&p->d, &copy);
	ry_strings_free(fields, nf);
	if (scatter_load(c, p) < 0)
		return -1;
	if (!p->d.a->n) {
		tui_error(c, "no runs to plot: the filter shows none");
		return -1;
	}
	scatter_pick_x(p);
	scatter_axes(p);
	return 0;
}

static void scatter_done(struct tui_view *v, struct tui_ctx *c)
{
	struct scatter_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	data_free(&p->d);
	tui_axis_free(&p->x);
	tui_axis_free(&p->y);
	free(p->px);
	free(p->py);
	ry_importance_free(p->imp, p->nimp);
	free(p);
}

static void scatter_reload(struct tui_view *v, struct tui_ctx *c)
{
	struct scatter_priv *p = v->priv;
	char xname[256];
	snprintf(xname, sizeof xname, "%s", p->d.a->cols[p->xcol].name);
	if (scatter_load(c, p) < 0)
		return;
	p->xcol = 0;
	for (size_t j = 0; j < p->d.a->ncols; j++)
		if (!strcmp(p->d.a->cols[j].name, xname))
			p->xcol = j;
	p->cur = -1;
	scatter_axes(p);
}

/* The importance table beside the plot, in the words the CLI prints. */
static void draw_importance(struct tui_ctx *c, struct scatter_priv *p, int y, int x, int w, int h)
{
	char line[1024];
	int row = y;
	tui_draw_text(c, row++, x, w, "Parameter importance", TUI_COLOR_HEADER);
	tui_present_importance_method(line, sizeof line, p->d.a->metric.label, p->d.a->n);
	/* the method, wrapped at spaces */
	const char *s = line;
	while (*s && row < y + h / 2) {
		int len = (int)strlen(s), cut = len < w - 1 ? len : w - 1;
		if (cut < len)
			while (cut > 0 && s[cut] != ' ')
				cut--;
		if (cut <= 0)
			cut = w - 1 < len ? w - 1 : len;
		char part[256];
		snprintf(part, sizeof part, "%.*s", cut, s);
		tui_draw_text(c, row++, x, w, part, TUI_COLOR_DIM);
		s += cut;
		while (*s == ' ')
			s++;
	}
	row++;
	tui_draw_text(c, row++, x, w, "param            effect   rho/H", TUI_COLOR_HEADER);
	for (size_t i = 0; i < p->nimp && row < y + h; i++) {
		const ry_importance *r = &p->imp[i];
		char eff[16], val[32];
		if (isfinite(r->effect))
			snprintf(eff, sizeof eff, "%.3f", r->effect);
		else
			snprintf(eff, sizeof eff, "-");
		if (r->categorical)
			snprintf(val, sizeof val, isfinite(r->kw_h) ? "H %.2f" : "-", r->kw_h);
		else
			snprintf(val, sizeof val, isfinite(r->spearman) ? "%+.3f" : "-", r->spearman);
		snprintf(line, sizeof line, "%-16.16s %6s   %s", r->label, eff, val);
		bool on_x = !strcmp(r->label, p->d.a->cols[p->xcol].label);
		tui_draw_text(c, row++, x, w, line, on_x ? TUI_COLOR_KEY : TUI_COLOR_DEFAULT);
	}
}

static void scatter_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct scatter_priv *p = v->priv;
	const ry_analysis *a = p->d.a;
	char head[512];
	snprintf(head, sizeof head, " scatter: %s against %s over %zu runs   x: %s  y: %s", p->x.label, p->y.label, a->n,
	         p->x.kind == TUI_AXIS_LOG ? "log" : p->x.kind == TUI_AXIS_CATEGORY ? "values" : "linear",
	         p->y.kind == TUI_AXIS_LOG ? "log" : "linear");
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_DEFAULT);
	tui_draw_str(c, y, 1, c->cols - 2, head, TUI_COLOR_HEADER);
	bool side = c->cols >= 100;
	int ylab = 9, plot_x = ylab + 1, plot_y = y + 2, plot_h = h - 6;
	int plot_w = c->cols - plot_x - 2 - (side ? SIDE_W + 2 : 0);
	if (side)
		draw_importance(c, p, y + 2, c->cols - SIDE_W - 1, SIDE_W, h - 3);
	if (plot_h < 4 || plot_w < 10) {
		tui_draw_text(c, y + 2, 2, c->cols - 4, "The screen is too small for the plot.", TUI_COLOR_DIM);
		return;
	}
	tui_pc pc;
	double t0 = ry_monotonic();
	tui_scatter_render(&pc, plot_w, plot_h, p->px, p->py, a->n, p->d.level, p->d.rank, c->utf8);
	p->d.draw_ms = (ry_monotonic() - t0) * 1000;
	tui_draw_vline(c, plot_y, plot_x - 1, plot_h, TUI_COLOR_CHART_AXIS);
	tui_draw_hline(c, plot_y + plot_h, plot_x - 1, plot_w + 1, TUI_COLOR_CHART_AXIS);
	draw_grid(c, &pc, plot_y, plot_x);
	/* y labels: top, middle, bottom */
	for (int t = 0; t < 3; t++) {
		char lab[32];
		double pos = 1 - t / 2.0;
		fmt_value(&p->y, pos, lab, sizeof lab);
		tui_draw_text_right(c, plot_y + tui_pc_row_of(plot_h, pos), 0, ylab - 1, lab, TUI_COLOR_CHART_AXIS);
	}
	/* x labels: the categories, or left, middle, right */
	if (p->x.kind == TUI_AXIS_CATEGORY) {
		int last = -1;
		for (size_t i = 0; i < p->x.ncats; i++) {
			double pos = p->x.ncats > 1 ? (double)i / (double)(p->x.ncats - 1) : 0.5;
			int col = plot_x + tui_pc_col_of(plot_w, pos), w = tui_text_width(p->x.cats[i]);
			int x0 = col - w / 2 > last ? col - w / 2 : last + 1;
			if (x0 + w > c->cols)
				x0 = c->cols - w;
			tui_draw_str(c, plot_y + plot_h + 1, x0, w, p->x.cats[i], TUI_COLOR_CHART_AXIS);
			last = x0 + w;
		}
	} else {
		for (int t = 0; t < 3; t++) {
			char lab[32];
			double pos = t / 2.0;
			fmt_value(&p->x, pos, lab, sizeof lab);
			int w = tui_text_width(lab), col = plot_x + tui_pc_col_of(plot_w, pos) - (t ? (t == 2 ? w : w / 2) : 0);
			tui_draw_str(c, plot_y + plot_h + 1, col, w, lab, TUI_COLOR_CHART_AXIS);
		}
	}
	/* the cursor, and the run under it */
	char line[512];
	if (p->cur >= 0) {
		int row = tui_pc_row_of(plot_h, p->py[p->cur]), col = tui_pc_col_of(plot_w, p->px[p->cur]);
		tui_draw_str(c, plot_y + row, plot_x + col, 1, c->utf8 ? "◆" : "@", TUI_COLOR_CURSOR);
		char xv[64], yv[32];
		if (p->x.kind == TUI_AXIS_CATEGORY)
			snprintf(xv, sizeof xv, "%s", tui_axis_cat(&p->x, (size_t)p->cur) >= 0 ? p->x.cats[tui_axis_cat(&p->x, (size_t)p->cur)] : "-");
		else
			tui_fmt_num(p->x.val[p->cur], xv, sizeof xv);
		tui_fmt_num(a->metric.num[p->cur], yv, sizeof yv);
		snprintf(line, sizeof line, " run %s (id %lld): %s = %s, %s = %s%s   Enter opens it",
		         a->names[p->cur] ? a->names[p->cur] : "?", (long long)a->ids[p->cur], p->x.label, xv, p->y.label, yv,
		         p->d.rank[p->cur] == 1 ? "  (the best)" : "");
	} else {
		snprintf(line, sizeof line, " no run has both values");
	}
	tui_draw_text(c, plot_y + plot_h + 2, 0, c->cols - (side ? SIDE_W + 2 : 0), line, TUI_COLOR_DEFAULT);
	snprintf(line, sizeof line, " * the best run by %s; %zu points drawn in %.1f ms", a->metric.label, pc.shown,
	         p->d.draw_ms);
	tui_draw_text(c, plot_y + plot_h + 3, 0, c->cols - (side ? SIDE_W + 2 : 0), line, TUI_COLOR_DIM);
	tui_pc_free(&pc);
}

static void scatter_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct scatter_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " scatter  x: %s (%zu of %zu)  h/j/k/l: nearest point  Enter: open  [ ]: param  X/y: log",
	         p->x.label, p->xcol + 1, p->d.a->ncols);
}

static int scatter_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct scatter_priv *p = v->priv;
	int dx = 0, dy = 0;
	switch (a) {
	case TUI_ACT_MOVE_LEFT: dx = -1; break;
	case TUI_ACT_MOVE_RIGHT: dx = 1; break;
	case TUI_ACT_MOVE_UP: dy = 1; break;
	case TUI_ACT_MOVE_DOWN: dy = -1; break;
	case TUI_ACT_ENTER:
		if (p->cur >= 0) {
			struct tui_detail_arg da = { (long long)p->d.a->ids[p->cur] };
			tui_view_push(c, &tui_view_detail, &da);
		}
		return TUI_REDRAW;
	case TUI_ACT_PARAM_NEXT:
	case TUI_ACT_PARAM_PREV: {
		size_t n = p->d.a->ncols;
		p->xcol = a == TUI_ACT_PARAM_NEXT ? (p->xcol + 1) % n : (p->xcol + n - 1) % n;
		scatter_axes(p);
		return TUI_REDRAW;
	}
	case TUI_ACT_LOG_X:
		if (!p->d.a->cols[p->xcol].numeric) {
			tui_error(c, "%s takes values, not numbers: no log axis", p->x.label);
			return TUI_REDRAW;
		}
		p->log_x = p->x.kind != TUI_AXIS_LOG;
		scatter_axes(p);
		return TUI_REDRAW;
	case TUI_ACT_LOG_Y:
		p->log_y = p->y.kind != TUI_AXIS_LOG;
		scatter_axes(p);
		return TUI_REDRAW;
	default: return TUI_UNHANDLED;
	}
	long next = tui_scatter_nearest(p->px, p->py, p->d.a->n, p->cur, dx, dy);
	if (next >= 0)
		p->cur = next;
	return TUI_REDRAW;
}

const struct tui_view_ops tui_view_scatter = {
	.name = "scatter",
	.keymap = TUI_KM_SCATTER,
	.open = scatter_open,
	.draw = scatter_draw,
	.action = scatter_action,
	.reload = scatter_reload,
	.status = scatter_status,
	.done = scatter_done,
};
