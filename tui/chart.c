/*
 * Line charts as a grid of cells: series overlaid, each drawn as a polyline
 * on a canvas of dots (braille, 2x4 dots a cell, in UTF-8; 1x3 levels drawn
 * with . - ' | / \ otherwise), plus nice axis ticks and labels.
 *
 * Every series is reduced, in one pass, to per-dot-column buckets (first,
 * last, min, max) before anything is drawn, so the cost is O(points) with a
 * tiny constant and spikes survive: a column shows the full min..max span of
 * what fell into it.  EMA smoothing runs inside that pass.  Non-finite values
 * (and non-positive ones on a log axis) break the line.
 *
 * This module computes; it does not draw.  The view paints the returned
 * cells in each series' colour and writes the tick labels.
 */
#include "chart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define MAX_TICKS 16
#define EMA_MAX 0.999

/* ---------------------------------------------------------------- labels */

/* "1.50" -> "1.5", "2.00" -> "2", "1.0e-05" -> "1e-05" */
static void strip_zeros(char *s)
{
	char *dot = strchr(s, '.'), *tail, *end;
	if (!dot)
		return;
	tail = strpbrk(dot, "eE");
	if (!tail)
		tail = s + strlen(s);
	end = tail;
	while (end > dot + 1 && end[-1] == '0')
		end--;
	if (end == dot + 1)
		end--;
	memmove(end, tail, strlen(tail) + 1);
}

static int decimals_for(double step)
{
	int d = (int)-floor(log10(step) + 1e-9);
	return d < 0 ? 0 : d > 10 ? 10 : d;
}

void tui_chart_label(double v, double step, char out[16])
{
	static const struct { double scale; char suffix; } big[] = {
		{ 1e12, 'T' }, { 1e9, 'G' }, { 1e6, 'M' }, { 1e3, 'k' },
	};
	double a = fabs(v);
	bool have_step = isfinite(step) && step > 0;

	if (isnan(v)) {
		snprintf(out, 16, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, 16, v > 0 ? "inf" : "-inf");
		return;
	}
	if (a == 0 || (have_step && a < step * 1e-6)) {
		snprintf(out, 16, "0");
		return;
	}
	if (a >= 1e15 || a < 1e-4) {
		int p = have_step ? (int)(floor(log10(a) + 1e-9) - floor(log10(step) + 1e-9)) : 3;
		p = p < 0 ? 0 : p > 7 ? 7 : p;
		snprintf(out, 16, "%.*e", p, v);
		strip_zeros(out);
		return;
	}
	if (a >= 1000) {
		for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
			if (a >= big[i].scale) {
				int d = have_step ? decimals_for(step / big[i].scale) : 2;
				char num[32];
				size_t k;
				snprintf(num, sizeof num, "%.*f", d > 9 ? 9 : d, v / big[i].scale);
				strip_zeros(num);
				k = strlen(num) < 14 ? strlen(num) : 14; /* < 1000 before the suffix */
				memcpy(out, num, k);
				out[k] = big[i].suffix;
				out[k + 1] = '\0';
				return;
			}
		}
	}
	if (!have_step) {
		snprintf(out, 16, "%.4g", v);
		return;
	}
	snprintf(out, 16, "%.*f", decimals_for(step), v);
	strip_zeros(out);
}

/* ---------------------------------------------------------------- ticks */

int tui_chart_ticks(double lo, double hi, int max, double *ticks, char labels[][16])
{
	static const double mult[] = { 1, 2, 5 };
	double range, mag, step = 0, k0 = 0, k1 = -1;
	bool found = false;
	int n = 0;

	if (!isfinite(lo) || !isfinite(hi) || max < 1 || !ticks)
		return 0;
	if (max > MAX_TICKS)
		max = MAX_TICKS;
	if (hi < lo) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	range = hi / 2 - lo / 2; /* halves: no overflow at +-DBL_MAX */
	if (range <= 0) {
		ticks[0] = lo;
		if (labels)
			tui_chart_label(lo, 0, labels[0]);
		return 1;
	}
	mag = pow(10, floor(log10(range / max * 2)));
	/* the smallest 1-2-5 step giving at most max ticks; found by e = 2 */
	for (int e = 0; e < 4 && !found; e++) {
		for (size_t m = 0; m < 3 && !found; m++) {
			step = mult[m] * mag * pow(10, e);
			k0 = ceil(lo / step - 1e-9);
			k1 = floor(hi / step + 1e-9);
			found = k1 - k0 + 1 <= max;
		}
	}
	if (k1 < k0) {
		/* No multiple of the step lies inside (a narrow range far from
		 * zero with max 1): show the middle. */
		ticks[0] = lo / 2 + hi / 2;
		if (labels)
			tui_chart_label(ticks[0], range / 5, labels[0]);
		return 1;
	}
	for (double k = k0; k <= k1 && n < max; k++) {
		double v = k * step;
		if (fabs(v) < step * 1e-6)
			v = 0; /* no "-0" */
		ticks[n] = v;
		if (labels)
			tui_chart_label(v, step, labels[n]);
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------- ema */

void tui_chart_ema(double *y, size_t n, double weight)
{
	double last = 0, wpow = 1;
	if (!y || !(weight > 0))
		return;
	if (weight > EMA_MAX)
		weight = EMA_MAX;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			continue;
		/* TensorBoard: debias by 1 - w^k so early points are not pulled to 0 */
		last = last * weight + (1 - weight) * y[i];
		wpow *= weight;
		y[i] = last / (1 - wpow);
	}
}

/* ---------------------------------------------------------------- decimate */

static inline double xval(const double *x, size_t i)
{
	return x ? x[i] : (double)i;
}

size_t tui_chart_decimate(const double *x, const double *y, size_t n, size_t buckets,
                          double *ox, double *oy)
{
	double xmin = INFINITY, xmax = -INFINITY, scale;
	size_t valid = 0, out = 0, *lo, *hi;

	if (!y || !ox || !oy || buckets == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		double xi = xval(x, i);
		if (!isfinite(xi) || !isfinite(y[i]))
			continue;
		valid++;
		if (xi < xmin) xmin = xi;
		if (xi > xmax) xmax = xi;
	}
	if (valid <= 2 * buckets) {
		for (size_t i = 0; i < n; i++) {
			double xi = xval(x, i);
			if (isfinite(xi) && isfinite(y[i])) {
				ox[out] = xi;
				oy[out++] = y[i];
			}
		}
		return out;
	}
	lo = ry_xmalloc(buckets * sizeof *lo);
	hi = ry_xmalloc(buckets * sizeof *hi);
	for (size_t b = 0; b < buckets; b++)
		lo[b] = hi[b] = SIZE_MAX;
	scale = xmax > xmin ? (double)buckets / (xmax - xmin) : 0;
	for (size_t i = 0; i < n; i++) {
		double xi = xval(x, i);
		size_t b;
		if (!isfinite(xi) || !isfinite(y[i]))
			continue;
		b = (size_t)((xi - xmin) * scale);
		if (b >= buckets)
			b = buckets - 1;
		if (lo[b] == SIZE_MAX) {
			lo[b] = hi[b] = i;
			continue;
		}
		if (y[i] < y[lo[b]])
			lo[b] = i;
		if (y[i] > y[hi[b]])
			hi[b] = i;
	}
	for (size_t b = 0; b < buckets; b++) {
		size_t first = lo[b], second = hi[b];
		if (first == SIZE_MAX)
			continue;
		if (xval(x, second) < xval(x, first) ||
		    (xval(x, second) == xval(x, first) && second < first)) {
			size_t t = first;
			first = second;
			second = t;
		}
		ox[out] = xval(x, first);
		oy[out++] = y[first];
		if (second != first) {
			ox[out] = xval(x, second);
			oy[out++] = y[second];
		}
	}
	free(lo);
	free(hi);
	return out;
}

/* ---------------------------------------------------------------- render */

/* What fell into one dot column of one series, in drawing order.  A new
 * bucket starts when the column changes or after a gap. */
struct bucket {
	int col;
	bool gap_before;        /* do not join to the previous bucket */
	double first, last, lo, hi;
};

struct bucket_list {
	struct bucket *b;
	size_t n, cap;
};

enum { DIR_RISE = 1, DIR_FALL = 2, DIR_VERT = 4 };

struct canvas {
	int w, h;          /* cells */
	int dx, dy;        /* dots per cell */
	int dw, dh;        /* dots */
	bool utf8;
	uint8_t *bits;     /* lit dots of each cell */
	uint8_t *dir;      /* ASCII only: how lines crossed the cell */
	int *owner;        /* colour of the last series that lit the cell */
};

static const uint8_t braille_bit[2][4] = {
	{ 0x01, 0x02, 0x04, 0x40 },
	{ 0x08, 0x10, 0x20, 0x80 },
};

static inline void plot(struct canvas *cv, int x, int y, int color, uint8_t dir)
{
	int cx = x / cv->dx, cy = y / cv->dy;
	size_t i = (size_t)cy * (size_t)cv->w + (size_t)cx;
	if (cv->utf8) {
		cv->bits[i] |= braille_bit[x % 2][y % 4];
	} else {
		cv->bits[i] |= (uint8_t)(1u << (y % 3));
		cv->dir[i] |= dir;
	}
	cv->owner[i] = color;
}

/* Bresenham from (x0,y0) to (x1,y1); dir tells the ASCII glyph chooser
 * which way the data went (rows grow downwards, values upwards). */
static void line(struct canvas *cv, int x0, int y0, int x1, int y1, int color, uint8_t dir)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int err = dx + dy;
	for (;;) {
		int e2;
		plot(cv, x0, y0, color, dir);
		if (x0 == x1 && y0 == y1)
			break;
		e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

static void push(struct bucket_list *l, const struct bucket *b)
{
	l->b = ry_xgrow(l->b, &l->cap, l->n + 1, sizeof *l->b);
	l->b[l->n++] = *b;
}

/* Dot row of value v (raw; the log is taken here), clamped to the canvas. */
static inline int row_of(double v, double ymax, double sy, int dh, bool log_y)
{
	int r = (int)((ymax - (log_y ? log10(v) : v)) * sy + 0.5);
	return r < 0 ? 0 : r >= dh ? dh - 1 : r;
}

static inline bool usable(double x, double y, bool log_y)
{
	return isfinite(x) && isfinite(y) && (!log_y || y > 0);
}

/* One pass over a series: smoothing and bucketing by dot column. */
static size_t bucketize(const tui_series *s, const tui_chart_opts *o, double xmin, double sx,
                        int dw, struct bucket_list *l)
{
	struct bucket cur = { -1, true, 0, 0, 0, 0 };
	bool open = false, gap = true;
	double last = 0, wpow = 1, w = o->ema > EMA_MAX ? EMA_MAX : o->ema;
	bool smooth = w > 0;
	size_t used = 0;

	for (size_t i = 0; i < s->n; i++) {
		double x = xval(s->x, i), y = s->y[i];
		int col;
		if (!usable(x, y, o->log_y)) {
			gap = true;
			continue;
		}
		if (smooth) {
			last = last * w + (1 - w) * y;
			if (wpow > 1e-18) { /* the debias factor is 1 after that: skip the division */
				wpow *= w;
				y = last / (1 - wpow);
			} else {
				y = last;
			}
		}
		used++;
		col = (int)((x - xmin) * sx + 0.5);
		if (col < 0)
			col = 0;
		else if (col >= dw)
			col = dw - 1;
		if (!open || col != cur.col || gap) {
			if (open)
				push(l, &cur);
			cur.col = col;
			cur.gap_before = gap;
			cur.first = cur.last = cur.lo = cur.hi = y;
			open = true;
			gap = false;
			continue;
		}
		cur.last = y;
		if (y < cur.lo) cur.lo = y;
		if (y > cur.hi) cur.hi = y;
	}
	if (open)
		push(l, &cur);
	return used;
}

static const char *ascii_glyph(uint8_t bits, uint8_t dir)
{
	int levels = (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);
	if (levels == 1)
		return bits & 1 ? "'" : bits & 2 ? "-" : ".";
	if (!(dir & DIR_VERT) && (dir & (DIR_RISE | DIR_FALL)) == DIR_RISE)
		return "/";
	if (!(dir & DIR_VERT) && (dir & (DIR_RISE | DIR_FALL)) == DIR_FALL)
		return "\\";
	return "|";
}

static void expand_range(double *lo, double *hi, bool log_y, double pad)
{
	if (*hi <= *lo) {
		double d = log_y ? 0.5 : (*lo != 0 ? fabs(*lo) * 0.1 : 1);
		*lo -= d;
		*hi += d;
	} else {
		double d = (*hi - *lo) * pad;
		*lo -= d;
		*hi += d;
	}
}

static int ticks_for_log(double lo, double hi, int max, double *t, char lab[][16])
{
	double e0 = ceil(lo - 1e-9), e1 = floor(hi + 1e-9);
	int n = 0;
	if (e1 - e0 + 1 >= 2) {
		/* decades, thinned to fit: 0.001, 0.01, ... or every other one */
		double stride = ceil((e1 - e0 + 1) / max);
		for (double e = ceil(e0 / stride) * stride; e <= e1 && n < max; e += stride) {
			t[n] = e;
			tui_chart_label(pow(10, e), pow(10, e), lab[n]);
			n++;
		}
		return n;
	}
	/* less than two decades: nice linear values, placed on the log axis */
	{
		double v[MAX_TICKS];
		char l[MAX_TICKS][16];
		int k = tui_chart_ticks(pow(10, lo), pow(10, hi), max, v, l);
		for (int i = 0; i < k; i++) {
			if (v[i] <= 0)
				continue;
			t[n] = log10(v[i]);
			memcpy(lab[n], l[i], 16);
			n++;
		}
	}
	return n;
}

void tui_chart_render(tui_chart *c, int w, int h, const tui_series *s, size_t ns,
                      const tui_chart_opts *o)
{
	static const tui_chart_opts defaults = { false, 0, false };
	struct bucket_list *lists;
	struct canvas cv = { 0 };
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY, sx, sy;
	size_t ncells;
	int maxy, maxx;

	if (!o)
		o = &defaults;
	if (!s)
		ns = 0;
	memset(c, 0, sizeof *c);
	c->w = w > 0 && h > 0 ? w : 0;
	c->h = w > 0 && h > 0 ? h : 0;
	cv.w = c->w;
	cv.h = c->h;
	cv.utf8 = o->utf8;
	cv.dx = o->utf8 ? 2 : 1;
	cv.dy = o->utf8 ? 4 : 3;
	cv.dw = cv.w * cv.dx;
	cv.dh = cv.h * cv.dy;

	/* x range over the points that will be drawn */
	for (size_t k = 0; k < ns; k++) {
		const tui_series *se = &s[k];
		if (!se->y)
			continue;
		for (size_t i = 0; i < se->n; i++) {
			double x = xval(se->x, i);
			if (!usable(x, se->y[i], o->log_y))
				continue;
			if (x < xmin) xmin = x;
			if (x > xmax) xmax = x;
		}
	}
	if (xmin > xmax) {
		xmin = 0;
		xmax = 1;
	} else {
		expand_range(&xmin, &xmax, false, 0.01);
	}
	sx = cv.dw > 1 ? (cv.dw - 1) / (xmax - xmin) : 0;

	lists = ry_xcalloc(ns ? ns : 1, sizeof *lists);
	for (size_t k = 0; k < ns; k++) {
		if (!s[k].y || cv.dw == 0)
			continue;
		c->npoints += bucketize(&s[k], o, xmin, sx, cv.dw, &lists[k]);
		for (size_t i = 0; i < lists[k].n; i++) {
			if (lists[k].b[i].lo < ymin) ymin = lists[k].b[i].lo;
			if (lists[k].b[i].hi > ymax) ymax = lists[k].b[i].hi;
		}
	}
	if (ymin > ymax) {
		ymin = 0;
		ymax = 1;
	} else {
		if (o->log_y) {
			ymin = log10(ymin);
			ymax = log10(ymax);
		}
		expand_range(&ymin, &ymax, o->log_y, 0.02);
	}
	sy = cv.dh > 1 ? (cv.dh - 1) / (ymax - ymin) : 0;
	c->xmin = xmin;
	c->xmax = xmax;
	c->ymin = ymin;
	c->ymax = ymax;

	ncells = (size_t)cv.w * (size_t)cv.h;
	if (ncells) {
		cv.bits = ry_xcalloc(ncells, 1);
		cv.dir = ry_xcalloc(ncells, 1);
		cv.owner = ry_xmalloc(ncells * sizeof *cv.owner);
		for (size_t i = 0; i < ncells; i++)
			cv.owner[i] = -1;
	}
	for (size_t k = 0; k < ns && ncells; k++) {
		const struct bucket_list *l = &lists[k];
		int prev_row = 0, prev_col = 0;
#define ROW(v) row_of((v), ymax, sy, cv.dh, o->log_y)
		for (size_t i = 0; i < l->n; i++) {
			const struct bucket *b = &l->b[i];
			int first = ROW(b->first), last = ROW(b->last);
			int top = ROW(b->hi), bottom = ROW(b->lo);
			uint8_t dir;
			if (i > 0 && !b->gap_before) {
				dir = first < prev_row ? DIR_RISE : first > prev_row ? DIR_FALL : 0;
				line(&cv, prev_col, prev_row, b->col, first, s[k].color, dir);
			}
			/* the column's span: a slope if it only went one way, else a spike */
			if (top < (first < last ? first : last) || bottom > (first > last ? first : last))
				dir = DIR_VERT;
			else
				dir = last < first ? DIR_RISE : last > first ? DIR_FALL : 0;
			line(&cv, b->col, top, b->col, bottom, s[k].color, dir);
			prev_col = b->col;
			prev_row = last;
		}
#undef ROW
	}

	if (ncells) {
		c->cells = ry_xmalloc(ncells * sizeof *c->cells);
		for (size_t i = 0; i < ncells; i++) {
			tui_chart_cell *cell = &c->cells[i];
			uint8_t b = cv.bits[i];
			cell->color = b ? cv.owner[i] : -1;
			if (!b) {
				memcpy(cell->glyph, " ", 2);
			} else if (cv.utf8) {
				/* U+2800 + b in UTF-8 */
				cell->glyph[0] = (char)0xe2;
				cell->glyph[1] = (char)(0xa0 | (b >> 6));
				cell->glyph[2] = (char)(0x80 | (b & 0x3f));
				cell->glyph[3] = '\0';
			} else {
				snprintf(cell->glyph, sizeof cell->glyph, "%s", ascii_glyph(b, cv.dir[i]));
			}
		}
	}

	/* ticks: a label every 4 rows or so, and every 12 columns */
	maxy = c->h / 4 + 1;
	maxy = maxy < 2 ? 2 : maxy > MAX_TICKS ? MAX_TICKS : maxy;
	maxx = c->w / 12;
	maxx = maxx < 2 ? 2 : maxx > MAX_TICKS ? MAX_TICKS : maxx;
	c->nyticks = o->log_y ? ticks_for_log(ymin, ymax, maxy, c->yticks, c->ytick_labels)
	                      : tui_chart_ticks(ymin, ymax, maxy, c->yticks, c->ytick_labels);
	c->nxticks = tui_chart_ticks(xmin, xmax, maxx, c->xticks, c->xtick_labels);
	for (int i = 0; i < c->nyticks; i++) {
		int r = cv.dy ? (int)((ymax - c->yticks[i]) * sy + 0.5) / cv.dy : 0;
		c->ytick_rows[i] = r < 0 ? 0 : c->h && r >= c->h ? c->h - 1 : r;
	}
	for (int i = 0; i < c->nxticks; i++) {
		int col = cv.dx ? (int)((c->xticks[i] - xmin) * sx + 0.5) / cv.dx : 0;
		c->xtick_cols[i] = col < 0 ? 0 : c->w && col >= c->w ? c->w - 1 : col;
	}

	for (size_t k = 0; k < ns; k++)
		free(lists[k].b);
	free(lists);
	free(cv.bits);
	free(cv.dir);
	free(cv.owner);
}

void tui_chart_free(tui_chart *c)
{
	if (!c)
		return;
	free(c->cells);
	c->cells = NULL;
}
