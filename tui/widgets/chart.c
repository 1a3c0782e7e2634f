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
 * Markers (a run's letter) go over the lines last, at evenly spaced cell
 * columns staggered per series, so a chart stays readable without colour.
 *
 * This module computes; it does not draw.  The view paints the returned
 * cells in each series' colour and writes the tick labels.
 */
#include "widgets/chart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"

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
			if (!isfinite(step))
				break; /* near DBL_MAX: no bigger step exists */
			k0 = ceil(lo / step - 1e-9);
			k1 = floor(hi / step + 1e-9);
			found = k1 - k0 + 1 <= max;
		}
	}
	if (!found || k1 < k0) {
		/* No multiple of the step lies inside (a narrow range far from
		 * zero with max 1, or a range of nearly 2 * DBL_MAX): show the
		 * middle. */
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

/* ---------------------------------------------------------------- time ticks */

static void format_duration(double v, double step, char out[16])
{
	static const struct { long long secs; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	double a = fabs(v);
	char buf[64];
	long long whole, big, next;
	size_t i;
	if (a < step * 1e-6 || a < 1e-9) {
		snprintf(out, 16, "0");
		return;
	}
	if (a < 1 || step < 1 || a > 1e15) { /* sub-second steps, or absurd: plain seconds */
		char num[16];
		tui_chart_label(v, step, num);
		snprintf(buf, sizeof buf, "%ss", num);
		snprintf(out, 16, "%.15s", buf);
		return;
	}
	whole = llround(a);
	for (i = 0; i < 3 && whole < units[i].secs; i++)
		;
	/* the biggest unit, then the next one if it is not zero: 1d12h, 1h30m */
	big = whole / units[i].secs;
	next = i < 3 ? whole % units[i].secs / units[i + 1].secs : 0;
	if (next)
		snprintf(buf, sizeof buf, "%s%lld%c%lld%c", v < 0 ? "-" : "", big, units[i].unit, next,
		         units[i + 1].unit);
	else
		snprintf(buf, sizeof buf, "%s%lld%c", v < 0 ? "-" : "", big, units[i].unit);
	snprintf(out, 16, "%.15s", buf);
}

static void format_clock(double t, double step, char out[16])
{
	time_t tt;
	struct tm tm;
	size_t k = 0;
	if (!isfinite(t) || fabs(t) > 1e15) {
		snprintf(out, 16, "?");
		return;
	}
	tt = (time_t)floor(t);
	if (localtime_r(&tt, &tm)) {
		if (step < 60)
			k = strftime(out, 16, "%H:%M:%S", &tm);
		else if (step < 86400)
			k = strftime(out, 16, "%H:%M", &tm);
		else if (step < 28 * 86400)
			k = strftime(out, 16, "%m-%d", &tm);
		else
			k = strftime(out, 16, "%Y-%m", &tm);
	}
	if (!k)
		snprintf(out, 16, "?");
}

int tui_chart_time_ticks(double lo, double hi, int max, bool absolute, double *ticks,
                         char labels[][16])
{
	static const double ladder[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
		43200, 86400, 172800, 604800, 1209600, 2592000, 7776000, 15552000, 31536000,
	};
	double step = 0, off = 0, k0 = 0, k1 = -1;
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
	if ((hi - lo) / max < 1 || (hi - lo) / max > 31536000.0 * 1e4) {
		/* below a second a tick, or beyond centuries: plain numbers are clearer */
		int k = tui_chart_ticks(lo, hi, max, ticks, labels);
		for (int i = 0; labels && i < k; i++) {
			if (absolute)
				format_clock(ticks[i], k > 1 ? ticks[1] - ticks[0] : 1, labels[i]);
			else
				format_duration(ticks[i], k > 1 ? ticks[1] - ticks[0] : 1, labels[i]);
		}
		return k;
	}
	if (absolute) {
		/* round to local midnight and hours, not UTC's */
		time_t tt = (time_t)lo;
		struct tm tm;
		if (localtime_r(&tt, &tm))
			off = (double)tm.tm_gmtoff;
	}
	for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
		step = ladder[i];
		k0 = ceil((lo + off) / step - 1e-9);
		k1 = floor((hi + off) / step + 1e-9);
		if (k1 - k0 + 1 <= max)
			break;
		step = 0;
	}
	if (step == 0) { /* years: 1-2-5 of them */
		double yr = 31536000, mag = pow(10, floor(log10((hi - lo) / yr / max)));
		static const double mult[] = { 1, 2, 5, 10 };
		for (size_t m = 0; m < 4; m++) {
			step = mult[m] * mag * yr;
			k0 = ceil((lo + off) / step - 1e-9);
			k1 = floor((hi + off) / step + 1e-9);
			if (k1 - k0 + 1 <= max)
				break;
		}
	}
	for (double k = k0; k <= k1 && n < max; k++) {
		double v = k * step - off;
		if (!absolute && fabs(v) < step * 1e-6)
			v = 0;
		ticks[n] = v;
		if (labels) {
			if (absolute)
				format_clock(v, step, labels[n]);
			else
				format_duration(v, step, labels[n]);
		}
		n++;
	}
	if (n == 0) { /* nothing round inside: the middle */
		ticks[0] = lo / 2 + hi / 2;
		if (labels) {
			if (absolute)
				format_clock(ticks[0], 1, labels[0]);
			else
				format_duration(ticks[0], 1, labels[0]);
		}
		n = 1;
	}
	return n;
}

/* ---------------------------------------------------------------- ema */

void tui_chart_ema_continue(struct tui_chart_ema_state *e, double *y, size_t n, double weight)
{
	if (!y || !(weight > 0))
		return;
	if (weight > EMA_MAX)
		weight = EMA_MAX;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			continue;
		/* TensorBoard: debias by 1 - w^k so early points are not pulled to 0 */
		e->last = e->last * weight + (1 - weight) * y[i];
		e->wpow *= weight;
		y[i] = e->last / (1 - e->wpow);
	}
}

void tui_chart_ema(double *y, size_t n, double weight)
{
	struct tui_chart_ema_state e = TUI_CHART_EMA_STATE_INIT;
	tui_chart_ema_continue(&e, y, n, weight);
}

/* ---------------------------------------------------------------- decimate */

/* floor(f) clamped to 0..n-1.  Extreme data can make f NaN or infinite
 * (inf * 0), and converting those to an integer is undefined. */
static inline size_t to_index(double f, size_t n)
{
	if (!(f >= 0))
		return 0;
	return f < (double)n ? (size_t)f : n - 1;
}

static inline double xval(const double *x, size_t i)
{
	return x ? x[i] : (double)i;
}

size_t tui_chart_decimate(const double *x, const double *y, size_t n, size_t buckets,
                          double *ox, double *oy)
{
	double xmin = INFINITY, xmax = -INFINITY, scale;
	size_t valid = 0, runs = 0, out = 0, *lo, *hi;
	bool *holes, in_run = false, pending = false;

	if (!y || !ox || !oy || buckets == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		double xi = xval(x, i);
		if (!isfinite(xi) || !isfinite(y[i])) {
			in_run = valid > 0;
			continue;
		}
		runs += in_run;
		in_run = false;
		valid++;
		if (xi < xmin) xmin = xi;
		if (xi > xmax) xmax = xi;
	}
	if (valid + runs <= 2 * buckets) {
		/* few enough to keep: every finite point, one NaN per gap */
		in_run = false;
		for (size_t i = 0; i < n; i++) {
			double xi = xval(x, i);
			if (!isfinite(xi) || !isfinite(y[i])) {
				in_run = out > 0;
				continue;
			}
			if (in_run) {
				ox[out] = oy[out] = NAN;
				out++;
				in_run = false;
			}
			ox[out] = xi;
			oy[out++] = y[i];
		}
		return out;
	}
	lo = ry_xmalloc(buckets * sizeof *lo);
	hi = ry_xmalloc(buckets * sizeof *hi);
	holes = ry_xcalloc(buckets, sizeof *holes);
	for (size_t b = 0; b < buckets; b++)
		lo[b] = hi[b] = SIZE_MAX;
	scale = xmax > xmin ? (double)buckets / (xmax - xmin) : 0;
	for (size_t i = 0; i < n; i++) {
		double xi = xval(x, i);
		size_t b;
		if (!isfinite(xi) || xi < xmin || xi > xmax)
			continue;
		b = to_index((xi - xmin) * scale, buckets);
		if (!isfinite(y[i])) {
			holes[b] = true;
			continue;
		}
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
		if (first == SIZE_MAX) {
			/* A bucket with only missing values is a gap the chart must
			 * show; its two unused slots pay for the NaN that marks it. */
			pending |= holes[b] && out > 0;
			continue;
		}
		if (pending) {
			ox[out] = oy[out] = NAN;
			out++;
			pending = false;
		}
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
	free(holes);
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
	return (int)to_index((ymax - (log_y ? log10(v) : v)) * sy + 0.5, (size_t)dh);
}

static inline bool usable(double x, double y, bool log_y)
{
	return isfinite(x) && isfinite(y) && (!log_y || y > 0);
}

/* One pass over a series: smoothing and bucketing by dot column.  Sets
 * *outside if a point lies outside [xlo, xhi], the range that was guessed. */
static size_t bucketize(const tui_series *s, const tui_chart_opts *o, double xmin, double sx,
                        int dw, double xlo, double xhi, bool *outside, struct bucket_list *l)
{
	/* Everything the loop touches lives in locals: a struct whose address
	 * escapes (push) or a store through *outside would make the compiler
	 * reload them on every point, doubling the cost. */
	const double *xs = s->x, *ys = s->y;
	const size_t n = s->n;
	const bool log_y = o->log_y, smooth = o->ema > 0, clip = o->xhi > o->xlo;
	const double w = o->ema > EMA_MAX ? EMA_MAX : o->ema;
	double first = 0, last_y = 0, lo = 0, hi = 0, acc = 0, wpow = 1;
	int col_cur = -1;
	bool open = false, gap = true, gap_before = true, out = false;
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		double x = xs ? xs[i] : (double)i, y = ys[i];
		int col;
		if (!usable(x, y, log_y)) {
			gap = true;
			continue;
		}
		if (smooth) {
			acc = acc * w + (1 - w) * y;
			if (wpow > 1e-18) { /* the debias factor is 1 after that: skip the division */
				wpow *= w;
				y = acc / (1 - wpow);
			} else {
				y = acc;
			}
			/* extreme inputs can smooth to inf, or underflow to 0 on a log axis */
			if (!isfinite(y) || (log_y && !(y > 0))) {
				gap = true;
				continue;
			}
		}
		if (clip && (x < xlo || x > xhi)) { /* outside a zoom: not drawn */
			gap = true;
			continue;
		}
		used++;
		out |= x < xlo || x > xhi;
		col = (int)to_index((x - xmin) * sx + 0.5, (size_t)dw);
		if (col != col_cur || gap) {
			if (open) {
				struct bucket b = { col_cur, gap_before, first, last_y, lo, hi };
				push(l, &b);
			}
			col_cur = col;
			gap_before = gap;
			first = last_y = lo = hi = y;
			open = true;
			gap = false;
			continue;
		}
		last_y = y;
		lo = y < lo ? y : lo;
		hi = y > hi ? y : hi;
	}
	if (open) {
		struct bucket b = { col_cur, gap_before, first, last_y, lo, hi };
		push(l, &b);
	}
	if (out)
		*outside = true;
	return used;
}

/* The x range [*lo, *hi] of the points to draw (lo > hi when there are
 * none): from every point when full, else from each series' first and last
 * usable point, which is right when x ascends. */
static void x_range(const tui_series *s, size_t ns, bool log_y, bool full, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t k = 0; k < ns; k++) {
		const tui_series *se = &s[k];
		size_t i, j;
		if (!se->y)
			continue;
		for (i = 0; i < se->n && !usable(xval(se->x, i), se->y[i], log_y); i++)
			;
		if (i == se->n)
			continue;
		for (j = se->n - 1; j > i && !usable(xval(se->x, j), se->y[j], log_y); j--)
			;
		if (full) {
			for (size_t m = i; m <= j; m++) {
				double x = xval(se->x, m);
				if (!usable(x, se->y[m], log_y))
					continue;
				if (x < *lo) *lo = x;
				if (x > *hi) *hi = x;
			}
			continue;
		}
		for (size_t m = 0; m < 2; m++) {
			double x = xval(se->x, m ? j : i);
			if (x < *lo) *lo = x;
			if (x > *hi) *hi = x;
		}
	}
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

/* Widen [lo, hi] by pad of its width on each side (a zero width gets a
 * fixed margin), never past the largest finite double. */
static void expand_range(double *lo, double *hi, bool log_y, double pad)
{
	double d;
	if (*hi <= *lo)
		d = log_y ? 0.5 : (*lo != 0 ? fabs(*lo) * 0.1 : 1);
	else
		d = (*hi / 2 - *lo / 2) * 2 * pad; /* halves: hi - lo may overflow */
	if (isfinite(*lo - d))
		*lo -= d;
	if (isfinite(*hi + d))
		*hi += d;
	if (!(*hi > *lo)) { /* a huge value whose 10% is lost to rounding */
		*lo = nextafter(*lo, -INFINITY);
		*hi = nextafter(*hi, INFINITY);
	}
}

static int ticks_for_log(double lo, double hi, int max, double *t, char lab[][16])
{
	double e0 = ceil(lo - 1e-9), e1 = floor(hi + 1e-9);
	int n = 0;
	if (!isfinite(lo) || !isfinite(hi))
		return 0;
	if (e1 - e0 + 1 >= 2 && e1 - e0 <= max) {
		/* few decades and room: 1, 2, 5, 10, 20, 50 ... if they fit */
		static const double mult[] = { 1, 2, 5 };
		for (double e = e0 - 1; e <= e1; e++) {
			for (size_t m = 0; m < 3; m++) {
				double v = mult[m] * pow(10, e), lv = log10(v);
				if (lv < lo - 1e-9 || lv > hi + 1e-9)
					continue;
				if (n == max)
					goto decades;
				t[n] = lv;
				tui_chart_label(v, pow(10, e), lab[n]);
				n++;
			}
		}
		return n;
	}
decades:
	n = 0;
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

/* ---------------------------------------------------------------- axes, markers */

const char *const tui_chart_xaxis_names[TUI_CHART_X_COUNT] = { "step", "wall time", "relative time", "metric" };
const double tui_chart_ema_levels[TUI_CHART_NEMA] = { 0, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99 };

double tui_chart_x_of(int xaxis, double step, double ts, double t0)
{
	return xaxis == TUI_CHART_X_STEP ? step : xaxis == TUI_CHART_X_WALL ? ts
	     : xaxis == TUI_CHART_X_REL ? ts - t0 : NAN;
}

size_t tui_chart_pair_by_step(const double *ystep, size_t ny, const double *xstep, const double *xval,
                              size_t nx, double *ox)
{
	size_t j = 0, paired = 0;
	double have = NAN, at = -INFINITY;
	for (size_t i = 0; i < ny; i++) {
		/* take every x point up to this step; one that goes back in
		 * step is passed over */
		while (j < nx && !(xstep[j] > ystep[i])) {
			if (xstep[j] >= at) {
				at = xstep[j];
				have = xval[j];
			}
			j++;
		}
		ox[i] = at > -INFINITY ? have : NAN;
		paired += at > -INFINITY;
	}
	return paired;
}

long tui_chart_at_or_before(const double *x, const double *y, size_t n, double cx)
{
	long best = -1;
	double bx = -INFINITY;
	if (isnan(cx))
		return -1;
	for (size_t i = 0; i < n; i++) {
		double xi = x ? x[i] : (double)i;
		if (!isfinite(xi) || xi > cx || (y && isnan(y[i])))
			continue;
		if (xi >= bx) {
			bx = xi;
			best = (long)i;
		}
	}
	return best;
}

void tui_chart_duration(double secs, char out[16])
{
	static const struct { long long secs; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	long long whole;
	size_t i;
	if (!isfinite(secs) || fabs(secs) > 1e15) {
		snprintf(out, 16, "?");
		return;
	}
	whole = llround(fabs(secs));
	for (i = 0; i < 3 && whole < units[i].secs; i++)
		;
	/* the biggest unit, then the next to two digits: 1h05m, 12m30s */
	char buf[64];
	if (i < 3)
		snprintf(buf, sizeof buf, "%s%lld%c%02lld%c", secs < 0 ? "-" : "", whole / units[i].secs,
		         units[i].unit, whole % units[i].secs / units[i + 1].secs, units[i + 1].unit);
	else
		snprintf(buf, sizeof buf, "%s%llds", secs < 0 && whole ? "-" : "", whole);
	snprintf(out, 16, "%.15s", buf);
}

void tui_chart_clock(double t, char out[16])
{
	format_clock(t, 1, out);
}

/* ---------------------------------------------------------------- navigation */

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void tui_chart_nav_move(tui_chart_nav *n, int cells)
{
	double lo = n->vlo, hi = n->vhi, cell;
	if (!(hi > lo) || n->vw < 1)
		return;
	cell = (hi - lo) / (n->vw > 1 ? n->vw - 1 : 1);
	if (!n->cursor_on || !(n->cursor >= lo && n->cursor <= hi)) {
		n->cursor_on = true;
		n->cursor = hi;
		if (cells >= 0)
			return;
	}
	n->cursor = clampd(n->cursor + cells * cell, lo, hi);
}

bool tui_chart_nav_page(tui_chart_nav *n, int dir)
{
	double w = n->zhi - n->zlo, lo, hi;
	if (!n->zoomed || !(w > 0)) {
		tui_chart_nav_move(n, dir * (n->vw > 4 ? n->vw / 4 : 1));
		return false;
	}
	lo = clampd(n->zlo + dir * w, n->dlo, n->dhi - w);
	if (!(n->dhi - w >= n->dlo) || lo == n->zlo)
		return false;
	hi = lo + w;
	if (n->cursor_on)
		n->cursor = clampd(n->cursor + (lo - n->zlo), lo, hi);
	n->zlo = lo;
	n->zhi = hi;
	return true;
}

bool tui_chart_nav_zoom(tui_chart_nav *n, double factor)
{
	double lo = n->zoomed ? n->zlo : n->vlo, hi = n->zoomed ? n->zhi : n->vhi;
	double dlo = n->dlo, dhi = n->dhi, mid, half;
	if (!(dhi > dlo) || !(hi > lo) || !(factor > 0))
		return false;
	mid = n->cursor_on ? n->cursor : lo / 2 + hi / 2;
	half = (hi - lo) / 2 * factor;
	if (half * 2 >= dhi - dlo) {
		bool was = n->zoomed;
		n->zoomed = false;
		return was;
	}
	if (half * 2 < (dhi - dlo) * 1e-9)
		return false; /* as close as it goes */
	/* keep the cursor where it is on screen: scale around it */
	lo = mid - (mid - lo) * factor;
	hi = lo + half * 2;
	if (lo < dlo) {
		hi += dlo - lo;
		lo = dlo;
	}
	if (hi > dhi) {
		lo -= hi - dhi;
		hi = dhi;
	}
	n->zoomed = true;
	n->zlo = lo;
	n->zhi = hi;
	return true;
}

bool tui_chart_nav_mark(tui_chart_nav *n)
{
	if (!n->cursor_on)
		tui_chart_nav_move(n, 0);
	if (!n->cursor_on)
		return false;
	if (!n->marking) {
		n->marking = true;
		n->mark = n->cursor;
		return false;
	}
	n->marking = false;
	if (n->mark == n->cursor)
		return false;
	n->zoomed = true;
	n->zlo = n->mark < n->cursor ? n->mark : n->cursor;
	n->zhi = n->mark < n->cursor ? n->cursor : n->mark;
	return true;
}

void tui_chart_nav_reset(tui_chart_nav *n)
{
	n->zoomed = false;
	n->marking = false;
}

bool tui_chart_nav_range(const tui_chart_nav *n, double *lo, double *hi)
{
	if (!n->zoomed || !(n->zhi > n->zlo))
		return false;
	*lo = n->zlo;
	*hi = n->zhi;
	return true;
}

void tui_chart_nav_opts(const tui_chart_nav *n, tui_chart_opts *o)
{
	if (!tui_chart_nav_range(n, &o->xlo, &o->xhi))
		o->xlo = o->xhi = 0;
}

const char *tui_chart_nav_axis_name(const tui_chart_nav *n)
{
	if (n->xaxis == TUI_CHART_X_METRIC)
		return n->xmetric[0] ? n->xmetric : "?";
	return (unsigned)n->xaxis < TUI_CHART_X_COUNT ? tui_chart_xaxis_names[n->xaxis] : "?";
}

void tui_chart_nav_drawn(tui_chart_nav *n, const tui_chart *c)
{
	n->vlo = c->xmin;
	n->vhi = c->xmax;
	n->vw = c->w;
}

int tui_chart_metric_rank(const char *key, bool goal_set)
{
	if (goal_set)
		return 0;
	return !strncmp(key, "val", 3) || strstr(key, "loss") ? 1 : 2;
}

char tui_chart_marker(size_t i)
{
	return i < 26 ? (char)('a' + i) : i < 52 ? (char)('A' + (i - 26)) : '?';
}

/* The dot row where series l crosses cell column cc, or -1 where it has no
 * point there or a gap: the last value of a bucket in that column, else
 * the line joining the buckets either side.  *pos walks forward, so cc
 * must ascend between calls (x ascending; other series get fewer
 * markers, never wrong ones). */
static int row_at_cell(const struct canvas *cv, const struct bucket_list *l, size_t *pos, int cc,
                       double ymax, double sy, bool log_y)
{
	size_t i = *pos;
	while (i < l->n && l->b[i].col / cv->dx < cc)
		i++;
	*pos = i;
	if (i < l->n && l->b[i].col / cv->dx == cc)
		return row_of(l->b[i].last, ymax, sy, cv->dh, log_y);
	if (i == 0 || i >= l->n || l->b[i].gap_before)
		return -1;
	const struct bucket *a = &l->b[i - 1], *b = &l->b[i];
	if (a->col / cv->dx >= cc || b->col / cv->dx <= cc) /* x went backwards */
		return -1;
	int ra = row_of(a->last, ymax, sy, cv->dh, log_y), rb = row_of(b->first, ymax, sy, cv->dh, log_y);
	int dc = cc * cv->dx - a->col;
	return ra + (rb - ra) * dc / (b->col - a->col);
}

/* Put each marked series' letter on its line: every `gap` cells, the
 * series' own phase apart from the others' (gap is at least two cells a
 * series, so phases never coincide), then, if none landed (a short
 * series, or every spot taken), on its last point with a free cell.
 * mark[cell] gets the letter and owner[cell] the series' colour. */
static void place_markers(const struct canvas *cv, const tui_series *s, size_t ns,
                          const struct bucket_list *lists, double ymax, double sy, bool log_y,
                          char *mark, int *owner)
{
	size_t nm = 0, km = 0;
	for (size_t k = 0; k < ns; k++)
		nm += s[k].marker != 0;
	if (!nm)
		return;
	int gap = (int)nm * 2 > 12 ? (int)nm * 2 : 12, step = gap / (int)nm;
	for (size_t k = 0; k < ns; k++) {
		const struct bucket_list *l = &lists[k];
		size_t pos = 0;
		bool placed = false;
		if (!s[k].marker)
			continue;
		for (int cc = (gap / 2 + (int)km * step) % gap; cc < cv->w; cc += gap) {
			int row = row_at_cell(cv, l, &pos, cc, ymax, sy, log_y);
			size_t cell;
			if (row < 0)
				continue;
			cell = (size_t)(row / cv->dy) * (size_t)cv->w + (size_t)cc;
			if (mark[cell])
				continue;
			mark[cell] = s[k].marker;
			owner[cell] = s[k].color;
			placed = true;
		}
		for (size_t i = l->n; !placed && i-- > 0;) {
			int row = row_of(l->b[i].last, ymax, sy, cv->dh, log_y);
			size_t cell = (size_t)(row / cv->dy) * (size_t)cv->w + (size_t)(l->b[i].col / cv->dx);
			if (mark[cell])
				continue;
			mark[cell] = s[k].marker;
			owner[cell] = s[k].color;
			placed = true;
		}
		km++;
	}
}

void tui_chart_render(tui_chart *c, int w, int h, const tui_series *s, size_t ns,
                      const tui_chart_opts *o)
{
	tui_chart_render_bands(c, w, h, s, NULL, ns, o);
}

void tui_chart_render_bands(tui_chart *c, int w, int h, const tui_series *s, const tui_band *bands, size_t ns,
                            const tui_chart_opts *o)
{
	static const tui_chart_opts defaults = { false, 0, false, 0, 0 };
	struct bucket_list *lists;
	struct canvas cv = { 0 };
	double xmin, xmax, xlo, xhi, ymin = INFINITY, ymax = -INFINITY, sx = 0, sy;
	size_t ncells;
	int maxy, maxx, *mark_owner = NULL;
	char *mark = NULL;

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
	c->dx = cv.dx;
	c->dy = cv.dy;

	/* Sorted x is the usual case and needs only each series' ends for the
	 * x range; if bucketing then meets a point outside it, scan fully and
	 * bucket again. */
	lists = ry_xcalloc(ns ? ns : 1, sizeof *lists);
	for (int attempt = 0; attempt < 2; attempt++) {
		bool outside = false;
		if (o->xhi > o->xlo) { /* a zoom: exactly its range */
			xlo = xmin = o->xlo;
			xhi = xmax = o->xhi;
		} else {
			x_range(s, ns, o->log_y, attempt > 0, &xlo, &xhi);
			xmin = xlo;
			xmax = xhi;
		}
		if (!(o->xhi > o->xlo) && xmin > xmax) {
			xmin = 0;
			xmax = 1;
		} else if (!(o->xhi > o->xlo)) {
			expand_range(&xmin, &xmax, false, 0.01);
		}
		sx = cv.dw > 1 ? (cv.dw - 1) / (xmax - xmin) : 0;
		c->npoints = 0;
		for (size_t k = 0; k < ns; k++) {
			lists[k].n = 0;
			if (!s[k].y || cv.dw == 0)
				continue;
			c->npoints += bucketize(&s[k], o, xmin, sx, cv.dw, xlo, xhi, &outside, &lists[k]);
		}
		if (!outside)
			break;
	}
	for (size_t k = 0; k < ns; k++) {
		for (size_t i = 0; i < lists[k].n; i++) {
			if (lists[k].b[i].lo < ymin) ymin = lists[k].b[i].lo;
			if (lists[k].b[i].hi > ymax) ymax = lists[k].b[i].hi;
		}
		/* a band counts where its x is shown */
		for (size_t i = 0; bands && bands[k].lo && bands[k].hi && i < s[k].n; i++) {
			double x = xval(s[k].x, i), lo = bands[k].lo[i], hi = bands[k].hi[i];
			if (!isfinite(x) || x < xmin || x > xmax || !isfinite(lo) || !isfinite(hi) ||
			    (o->log_y && (lo <= 0 || hi <= 0)))
				continue;
			if (lo < ymin) ymin = lo;
			if (hi > ymax) ymax = hi;
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
	/* Bands first, into their own dots: a line's cell shows the line. */
	uint8_t *band = ncells ? ry_xcalloc(ncells, 1) : NULL;
	int *band_owner = ncells ? ry_xmalloc(ncells * sizeof *band_owner) : NULL;
	for (size_t k = 0; k < ns && ncells; k++) {
		const tui_series *se = &s[k];
		int pc = -1;
		double plo = 0, phi = 0;
		for (size_t i = 0; bands && bands[k].lo && bands[k].hi && i < se->n; i++) {
			double x = xval(se->x, i), lo = bands[k].lo[i], hi = bands[k].hi[i];
			if (!isfinite(x) || !isfinite(lo) || !isfinite(hi) || (o->log_y && (lo <= 0 || hi <= 0)) ||
			    x < xmin || x > xmax) {
				pc = -1;
				continue;
			}
			int col = (int)to_index((x - xmin) * sx + 0.5, (size_t)cv.dw);
			/* fill every dot column from the last point's, interpolated */
			int from = pc >= 0 && pc < col ? pc + 1 : col;
			for (int dc = from; dc <= col; dc++) {
				double t = col > pc && pc >= 0 ? (double)(dc - pc) / (double)(col - pc) : 1;
				double bl = pc >= 0 ? plo + t * (lo - plo) : lo, bh = pc >= 0 ? phi + t * (hi - phi) : hi;
				int top = row_of(bh, ymax, sy, cv.dh, o->log_y), bottom = row_of(bl, ymax, sy, cv.dh, o->log_y);
				for (int r = top; r <= bottom; r++) {
					size_t ci = (size_t)(r / cv.dy) * (size_t)cv.w + (size_t)(dc / cv.dx);
					if ((r + dc) % 2) /* every other dot: lighter than a line */
						continue;
					band[ci] |= cv.utf8 ? braille_bit[dc % 2][r % 4] : 1;
					band_owner[ci] = se->color;
				}
			}
			pc = col;
			plo = lo;
			phi = hi;
		}
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
		mark = ry_xcalloc(ncells, 1);
		mark_owner = ry_xmalloc(ncells * sizeof *mark_owner);
		place_markers(&cv, s, ns, lists, ymax, sy, o->log_y, mark, mark_owner);
		c->cells = ry_xmalloc(ncells * sizeof *c->cells);
		for (size_t i = 0; i < ncells; i++) {
			tui_chart_cell *cell = &c->cells[i];
			uint8_t b = cv.bits[i];
			cell->color = b ? cv.owner[i] : -1;
			cell->marker = mark[i] != 0;
			cell->band = false;
			if (!b && !mark[i] && band[i]) {
				cell->band = true;
				cell->color = band_owner[i];
				if (cv.utf8) {
					cell->glyph[0] = (char)0xe2;
					cell->glyph[1] = (char)(0xa0 | (band[i] >> 6));
					cell->glyph[2] = (char)(0x80 | (band[i] & 0x3f));
					cell->glyph[3] = '\0';
				} else {
					memcpy(cell->glyph, ":", 2);
				}
			} else if (mark[i]) {
				cell->glyph[0] = mark[i];
				cell->glyph[1] = '\0';
				cell->color = mark_owner[i];
			} else if (!b) {
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
	for (int i = 0; i < c->nyticks; i++)
		c->ytick_rows[i] = tui_chart_row_of(c, c->yticks[i]);
	for (int i = 0; i < c->nxticks; i++)
		c->xtick_cols[i] = tui_chart_col_of(c, c->xticks[i]);

	for (size_t k = 0; k < ns; k++)
		free(lists[k].b);
	free(lists);
	free(cv.bits);
	free(cv.dir);
	free(cv.owner);
	free(mark);
	free(mark_owner);
	free(band);
	free(band_owner);
}

/* The same mapping as the drawing: value -> dot (rounded) -> cell. */
int tui_chart_col_of(const tui_chart *c, double x)
{
	int dw = c->w * c->dx, col;
	if (c->w <= 0 || !(c->xmax > c->xmin) || !isfinite(x))
		return 0;
	col = dw > 1 ? (int)to_index((x - c->xmin) * (dw - 1) / (c->xmax - c->xmin) + 0.5, (size_t)dw) : 0;
	return col / c->dx;
}

int tui_chart_row_of(const tui_chart *c, double y)
{
	int dh = c->h * c->dy, row;
	if (c->h <= 0 || !(c->ymax > c->ymin) || !isfinite(y))
		return 0;
	row = dh > 1 ? (int)to_index((c->ymax - y) * (dh - 1) / (c->ymax - c->ymin) + 0.5, (size_t)dh) : 0;
	return row / c->dy;
}

void tui_chart_time_axis(tui_chart *c, bool absolute)
{
	int maxx = c->w / 12;
	maxx = maxx < 2 ? 2 : maxx > MAX_TICKS ? MAX_TICKS : maxx;
	c->nxticks = tui_chart_time_ticks(c->xmin, c->xmax, maxx, absolute, c->xticks, c->xtick_labels);
	for (int i = 0; i < c->nxticks; i++)
		c->xtick_cols[i] = tui_chart_col_of(c, c->xticks[i]);
}

void tui_chart_free(tui_chart *c)
{
	if (!c)
		return;
	free(c->cells);
	c->cells = NULL;
}
