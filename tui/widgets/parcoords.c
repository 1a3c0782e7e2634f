/*
 * Parallel coordinates and scatter plots (parcoords.h): axis scaling,
 * brushes and their filter clauses, rasterising polylines into counted
 * cells.  No curses here: the views turn cells into glyphs and colours.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/util.h"
#include "query/query.h"
#include "widgets/parcoords.h"
#include "widgets/svg.h"

static const double STEP = 1.0 / 20;

static void axis_init(tui_axis *ax, const char *label, const char *field, size_t n)
{
	memset(ax, 0, sizeof *ax);
	ax->label = ry_xstrdup(label ? label : "");
	ax->field = ry_xstrdup(field ? field : "");
	ax->n = n;
	ax->blo = 0;
	ax->bhi = 1;
}

void tui_axis_free(tui_axis *ax)
{
	free(ax->label);
	free(ax->field);
	free(ax->own);
	free(ax->own_code);
	free(ax->place);
	free(ax->rows);
	if (ax->cats)
		for (size_t i = 0; i < ax->ncats; i++)
			free(ax->cats[i]);
	free(ax->cats);
	memset(ax, 0, sizeof *ax);
}

/* The axis's ends in its scale: log10 of them on a log axis. */
static void scaled_ends(const tui_axis *ax, double *lo, double *hi)
{
	*lo = ax->kind == TUI_AXIS_LOG ? log10(ax->lo) : ax->lo;
	*hi = ax->kind == TUI_AXIS_LOG ? log10(ax->hi) : ax->hi;
}

/* tui_axis_pos_of with the ends scaled once for many values. */
static double pos_scaled(const tui_axis *ax, double v, double lo, double hi)
{
	if (!isfinite(v) || (ax->kind == TUI_AXIS_LOG && v <= 0))
		return NAN;
	double t;
	if (ax->kind == TUI_AXIS_LOG)
		v = log10(v);
	if (!(hi > lo))
		return 0.5;
	t = (v - lo) / (hi - lo);
	return t < 0 ? 0 : t > 1 ? 1 : t;
}

double tui_axis_pos_of(const tui_axis *ax, double v)
{
	double lo, hi;
	scaled_ends(ax, &lo, &hi);
	return pos_scaled(ax, v, lo, hi);
}

/* A category's position: evenly spaced, the only one in the middle. */
static double cat_pos(const tui_axis *ax, int c)
{
	return c < 0 ? NAN : ax->ncats > 1 ? (double)c / (double)(ax->ncats - 1) : 0.5;
}

/* Run i's position, the axis's ends already scaled (scaled_ends): the
 * loops over every run scale them once. */
static inline double run_pos(const tui_axis *ax, size_t i, double lo, double hi)
{
	return ax->kind == TUI_AXIS_CATEGORY ? cat_pos(ax, tui_axis_cat(ax, i)) : pos_scaled(ax, ax->val[i], lo, hi);
}

double tui_axis_pos(const tui_axis *ax, size_t i)
{
	double lo, hi;
	scaled_ends(ax, &lo, &hi);
	return run_pos(ax, i, lo, hi);
}

double tui_axis_value_at(const tui_axis *ax, double pos)
{
	if (ax->kind == TUI_AXIS_LOG)
		return pow(10, log10(ax->lo) + pos * (log10(ax->hi) - log10(ax->lo)));
	return ax->lo + pos * (ax->hi - ax->lo);
}

void tui_axis_numeric_lent(tui_axis *ax, const char *label, const char *field, const double *v, size_t n, int log)
{
	double lo = INFINITY, hi = -INFINITY, plo = INFINITY, phi = -INFINITY;
	bool nonpos = false;
	axis_init(ax, label, field, n);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
		if (v[i] > 0) {
			plo = fmin(plo, v[i]);
			phi = fmax(phi, v[i]);
		} else {
			nonpos = true;
		}
	}
	if (log < 0)
		log = !nonpos && isfinite(plo) && phi >= 100 * plo;
	ax->kind = log ? TUI_AXIS_LOG : TUI_AXIS_LINEAR;
	ax->lo = log ? plo : lo;
	ax->hi = log ? phi : hi;
	if (!isfinite(ax->lo)) {
		ax->lo = log ? 1 : 0;
		ax->hi = log ? 10 : 1;
	}
	ax->val = v;
}

void tui_axis_numeric(tui_axis *ax, const char *label, const char *field, const double *v, size_t n, int log)
{
	double *own = ry_xmalloc((n ? n : 1) * sizeof *own);
	if (n)
		memcpy(own, v, n * sizeof *own);
	tui_axis_numeric_lent(ax, label, field, own, n, log);
	ax->own = own;
}

/* Text order, but numbers among the values in numeric order (batch sizes
 * 32, 64, 128), and numbers before words. */
static int cmp_cat(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	char *ex, *ey;
	double dx = strtod(x, &ex), dy = strtod(y, &ey);
	bool nx = *x && !*ex, ny = *y && !*ey;
	if (nx && ny && dx != dy)
		return dx < dy ? -1 : 1;
	if (nx != ny)
		return nx ? -1 : 1;
	return strcmp(x, y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tui_axis_cat(const tui_axis *ax, size_t i)
{
	int32_t c = ax->code[i];
	return c >= 0 && (size_t)c < ax->ncats ? ax->place[c] : -1;
}

void tui_axis_category_codes_lent(tui_axis *ax, const char *label, const char *field, char *const *values,
                                  size_t nvalues, const int32_t *code, size_t n)
{
	axis_init(ax, label, field, n);
	ax->kind = TUI_AXIS_CATEGORY;
	/* The values come in strcmp order (cmp_cat parses numbers: 10^5 runs
	 * sorted by it cost a strtod per comparison); the axis's order is
	 * found for those few, and each run's place through its code. */
	ax->cats = ry_xcalloc(nvalues ? nvalues : 1, sizeof *ax->cats);
	for (size_t i = 0; i < nvalues; i++)
		ax->cats[i] = ry_xstrdup(values[i]);
	ax->ncats = nvalues;
	qsort(ax->cats, nvalues, sizeof *ax->cats, cmp_cat);
	/* the place on the axis of each distinct value, in strcmp order */
	ax->place = ry_xmalloc((nvalues ? nvalues : 1) * sizeof *ax->place);
	for (size_t c = 0; c < nvalues; c++) {
		char *const *hit = bsearch(&ax->cats[c], values, nvalues, sizeof *values, cmp_str);
		ax->place[hit - values] = (int)c;
	}
	ax->code = code;
}

void tui_axis_category_codes(tui_axis *ax, const char *label, const char *field, char *const *values,
                             size_t nvalues, const int32_t *code, size_t n)
{
	int32_t *own = ry_xmalloc((n ? n : 1) * sizeof *own);
	if (n)
		memcpy(own, code, n * sizeof *own);
	tui_axis_category_codes_lent(ax, label, field, values, nvalues, own, n);
	ax->own_code = own;
}

void tui_axis_category(tui_axis *ax, const char *label, const char *field, char *const *text, size_t n)
{
	/* the distinct values by strcmp, then each run's code among them */
	char **d = ry_xmalloc((n ? n : 1) * sizeof *d);
	int32_t *code = ry_xmalloc((n ? n : 1) * sizeof *code);
	size_t nd = 0, u = 0;
	for (size_t i = 0; i < n; i++)
		if (text[i])
			d[nd++] = text[i];
	qsort(d, nd, sizeof *d, cmp_str);
	for (size_t i = 0; i < nd; i++)
		if (!u || strcmp(d[u - 1], d[i]))
			d[u++] = d[i];
	for (size_t i = 0; i < n; i++) {
		char **hit = text[i] ? bsearch(&text[i], d, u, sizeof *d, cmp_str) : NULL;
		code[i] = hit ? (int32_t)(hit - d) : -1;
	}
	tui_axis_category_codes_lent(ax, label, field, d, u, code, n);
	ax->own_code = code;
	free(d);
}

double tui_axis_y(const tui_axis *ax, size_t i)
{
	double p = tui_axis_pos(ax, i);
	return ax->flip && !isnan(p) ? 1 - p : p;
}

bool tui_axis_brushed(const tui_axis *ax)
{
	return ax->blo > 1e-9 || ax->bhi < 1 - 1e-9;
}

/* Whether position p is inside ax's brush. */
static bool pos_in_brush(const tui_axis *ax, double p)
{
	return !isnan(p) && p >= ax->blo - 1e-9 && p <= ax->bhi + 1e-9;
}

bool tui_axis_in_brush(const tui_axis *ax, size_t i)
{
	return !tui_axis_brushed(ax) || pos_in_brush(ax, tui_axis_pos(ax, i));
}

void tui_axis_brush_clear(tui_axis *ax)
{
	ax->blo = 0;
	ax->bhi = 1;
}

void tui_axis_brush_move(tui_axis *ax, int end, int dir)
{
	double step = ax->kind == TUI_AXIS_CATEGORY && ax->ncats > 1 ? 1.0 / (double)(ax->ncats - 1) : STEP;
	/* On a flipped axis the screen's top end is the low end of pos. */
	if (ax->flip) {
		end = !end;
		dir = -dir;
	}
	if (end) {
		ax->bhi += dir * step;
		if (ax->bhi > 1)
			ax->bhi = 1;
		if (ax->bhi < ax->blo)
			ax->bhi = ax->blo;
	} else {
		ax->blo += dir * step;
		if (ax->blo < 0)
			ax->blo = 0;
		if (ax->blo > ax->bhi)
			ax->blo = ax->bhi;
	}
	/* Snap to a category so the clause names whole values. */
	if (ax->kind == TUI_AXIS_CATEGORY && ax->ncats > 1) {
		ax->blo = round(ax->blo / step) * step;
		ax->bhi = round(ax->bhi / step) * step;
	}
}

static bool parse_num(const char *s, size_t len, double *v)
{
	char buf[64], *e;
	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (!len)
		return false;
	if (len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*v = strtod(buf, &e);
	return !*e && isfinite(*v);
}

bool tui_axis_brush_parse(tui_axis *ax, const char *text, char *err, size_t errn)
{
	while (*text == ' ')
		text++;
	if (!*text) {
		tui_axis_brush_clear(ax);
		return true;
	}
	if (ax->kind == TUI_AXIS_CATEGORY) {
		long lo = -1, hi = -1;
		char **words;
		size_t nw;
		ry_split_words(text, strlen(text), ',', &words, &nw);
		for (size_t w = 0; w < nw; w++) {
			const char *t = words[w];
			long k = -1;
			for (size_t c = 0; c < ax->ncats; c++)
				if (!strcmp(ax->cats[c], t))
					k = (long)c;
			if (k < 0) {
				snprintf(err, errn, "%s has no value '%s'", ax->label, t);
				ry_strings_free(words, nw);
				return false;
			}
			lo = lo < 0 || k < lo ? k : lo;
			hi = k > hi ? k : hi;
		}
		ry_strings_free(words, nw);
		if (lo < 0 || ax->ncats < 2) {
			tui_axis_brush_clear(ax);
			return true;
		}
		ax->blo = (double)lo / (double)(ax->ncats - 1);
		ax->bhi = (double)hi / (double)(ax->ncats - 1);
		return true;
	}
	const char *dots = strstr(text, "..");
	double lo = ax->lo, hi = ax->hi;
	if (!dots) {
		snprintf(err, errn, "bounds are LO..HI (either may be left out), e.g. 0.001..0.01");
		return false;
	}
	if ((dots > text && !parse_num(text, (size_t)(dots - text), &lo)) ||
	    (dots[2] && !parse_num(dots + 2, strlen(dots + 2), &hi))) {
		snprintf(err, errn, "'%s': bounds are numbers, LO..HI", text);
		return false;
	}
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	double plo = tui_axis_pos_of(ax, lo), phi = tui_axis_pos_of(ax, hi);
	if (isnan(plo) || isnan(phi)) {
		snprintf(err, errn, "a log axis takes bounds above 0");
		return false;
	}
	ax->blo = plo;
	ax->bhi = phi;
	return true;
}

/* v printed short, but never inside the brush's range: rounded down for
 * a low bound and up for a high one. */
static void bound(double v, bool up, char out[40])
{
	for (int prec = 4; prec <= 17; prec++) {
		snprintf(out, 40, "%.*g", prec, v);
		double back = strtod(out, NULL);
		if (up ? back >= v : back <= v)
			return;
		/* Nudge by one unit in the last place kept, then check again. */
		double unit = pow(10, floor(log10(fabs(v) > 0 ? fabs(v) : 1)) - (prec - 1));
		snprintf(out, 40, "%.*g", prec, up ? back + unit : back - unit);
		back = strtod(out, NULL);
		if (up ? back >= v : back <= v)
			return;
	}
	snprintf(out, 40, "%.17g", v);
}

char *tui_axis_brush_clause(const tui_axis *ax)
{
	if (!tui_axis_brushed(ax))
		return NULL;
	ry_buf b = RY_BUF_INIT;
	if (ax->kind == TUI_AXIS_CATEGORY) {
		size_t k = 0;
		ry_buf_printf(&b, "(");
		for (size_t c = 0; c < ax->ncats; c++) {
			double p = ax->ncats > 1 ? (double)c / (double)(ax->ncats - 1) : 0.5;
			if (p < ax->blo - 1e-9 || p > ax->bhi + 1e-9)
				continue;
			ry_buf_printf(&b, "%s%s = ", k++ ? " or " : "", ax->field);
			ry_query_put_value(&b, ax->cats[c]);
		}
		if (!k)
			ry_buf_printf(&b, "%s = \"\" and not %s", ax->field, ax->field);
		ry_buf_printf(&b, ")");
	} else {
		char lo[40], hi[40];
		bool has_lo = ax->blo > 1e-9, has_hi = ax->bhi < 1 - 1e-9;
		bound(tui_axis_value_at(ax, ax->blo), false, lo);
		bound(tui_axis_value_at(ax, ax->bhi), true, hi);
		if (has_lo)
			ry_buf_printf(&b, "%s >= %s", ax->field, lo);
		if (has_hi)
			ry_buf_printf(&b, "%s%s <= %s", has_lo ? " and " : "", ax->field, hi);
	}
	char *s = ry_xstrdup(ry_buf_cstr(&b));
	ry_buf_free(&b);
	return s;
}

char *tui_pc_filter(const char *base, tui_axis *const *axes, size_t nax)
{
	ry_buf b = RY_BUF_INIT;
	size_t k = 0;
	if (base && *base) {
		ry_buf_printf(&b, "(%s)", base);
		k++;
	}
	for (size_t j = 0; j < nax; j++) {
		char *c = tui_axis_brush_clause(axes[j]);
		if (c)
			ry_buf_printf(&b, "%s%s", k++ ? " and " : "", c);
		free(c);
	}
	char *s = k ? ry_xstrdup(ry_buf_cstr(&b)) : NULL;
	if (k == 1 && base && *base) { /* the base alone: as it was */
		free(s);
		s = ry_xstrdup(base);
	}
	ry_buf_free(&b);
	return s;
}

/* ---- levels --------------------------------------------------------------- */

struct byval {
	double v;
	size_t i;
};

static int cmp_byval(const void *a, const void *b)
{
	const struct byval *x = a, *y = b;
	return x->v < y->v ? 1 : x->v > y->v ? -1 : (x->i > y->i) - (x->i < y->i);
}

void tui_pc_levels(const double *metric, size_t n, int goal, int8_t *level, uint8_t *rank)
{
	double lo = INFINITY, hi = -INFINITY;
	int sign = goal < 0 ? -1 : 1;
	for (size_t i = 0; i < n; i++)
		if (isfinite(metric[i])) {
			lo = fmin(lo, sign * metric[i]);
			hi = fmax(hi, sign * metric[i]);
		}
	for (size_t i = 0; i < n; i++) {
		rank[i] = 0;
		if (!isfinite(metric[i])) {
			level[i] = -1;
			continue;
		}
		double t = hi > lo ? (sign * metric[i] - lo) / (hi - lo) : 1;
		level[i] = (int8_t)floor(t * (TUI_PC_LEVELS - 1) + 0.5);
	}
	if (!goal)
		return;
	/* the TUI_PC_RANKED best, kept sorted as the runs go by: no sort of
	 * 10^5 values for five ranks (ties: the earlier run first) */
	struct byval top[TUI_PC_RANKED];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(metric[i]))
			continue;
		struct byval x = { sign * metric[i], i };
		if (m == TUI_PC_RANKED && cmp_byval(&x, &top[m - 1]) >= 0)
			continue;
		size_t k = m < TUI_PC_RANKED ? m++ : m - 1;
		while (k > 0 && cmp_byval(&x, &top[k - 1]) < 0) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = x;
	}
	for (size_t k = 0; k < m; k++)
		rank[top[k].i] = (uint8_t)(k + 1);
}

/* ---- rendering --------------------------------------------------------------- */

/* Braille dot bits by (dot column, dot row) within a cell (U+2800 + bits). */
static const unsigned char braille_bit[2][4] = { { 0x01, 0x02, 0x04, 0x40 }, { 0x08, 0x10, 0x20, 0x80 } };

struct raster {
	tui_pc *pc;
	int dx, dy, W, H;
	int dxs, dys;          /* log2 of dx, dy: cells are found by shifts */
	unsigned char *dots;   /* per cell: braille bits */
	int *stamp;            /* per cell: the last run (+1) counted in it */
	long *lsum;            /* per cell: sum of the levels counted */
	int *lcount;
	/* the weight of the bin being rasterised (density plots) */
	int w_in, w_out, w_lcount;
	long w_lsum;
};

static void raster_init(struct raster *r, tui_pc *pc, int w, int h, bool utf8)
{
	memset(pc, 0, sizeof *pc);
	pc->w = w > 0 ? w : 0;
	pc->h = h > 0 ? (h > 16000 ? 16000 : h) : 0; /* dot rows fit axis_rows' 16 bits */
	size_t nc = (size_t)pc->w * (size_t)pc->h;
	pc->cells = ry_xcalloc(nc ? nc : 1, sizeof *pc->cells);
	r->pc = pc;
	r->dx = utf8 ? 2 : 1;
	r->dy = utf8 ? 4 : 1;
	r->dxs = utf8 ? 1 : 0;
	r->dys = utf8 ? 2 : 0;
	r->W = pc->w * r->dx;
	r->H = pc->h * r->dy;
	r->dots = ry_xcalloc(nc ? nc : 1, 1);
	r->stamp = ry_xcalloc(nc ? nc : 1, sizeof *r->stamp);
	r->lsum = ry_xcalloc(nc ? nc : 1, sizeof *r->lsum);
	r->lcount = ry_xcalloc(nc ? nc : 1, sizeof *r->lcount);
}

/* The braille bits of dot rows lo..hi (0..3) of dot column col in a cell. */
static unsigned char span_bits(int col, int lo, int hi)
{
	unsigned char m = 0;
	for (int y = lo; y <= hi; y++)
		m |= braille_bit[col][y];
	return m;
}

/* Dots y0..y1 (y0 <= y1, clipped here) of dot column x for one run: a cell
 * at a time, counting the run once in each cell it enters. */
static void span(struct raster *r, int x, int y0, int y1, int run, int level, bool ranked)
{
	if (x < 0 || x >= r->W)
		return;
	if (y0 < 0)
		y0 = 0;
	if (y1 >= r->H)
		y1 = r->H - 1;
	int col = x >> r->dxs, bc = x & (r->dx - 1), mask = r->dy - 1;
	for (int row = y0 >> r->dys; row <= y1 >> r->dys; row++) {
		int top = row << r->dys, lo = y0 > top ? y0 - top : 0, hi = y1 < top + mask ? y1 - top : mask;
		size_t c = (size_t)row * (size_t)r->pc->w + (size_t)col;
		r->dots[c] |= span_bits(bc, lo, hi);
		if (r->stamp[c] != run + 1) {
			r->stamp[c] = run + 1;
			r->pc->cells[c].count++;
			if (level >= 0) {
				r->lsum[c] += level;
				r->lcount[c]++;
			}
			if (ranked)
				r->pc->cells[c].ranked = true;
		}
	}
}

static inline void plot(struct raster *r, int x, int y, int run, int level, bool ranked)
{
	if (y >= 0 && y < r->H)
		span(r, x, y, y, run, level, ranked);
}

static const char ascii_shade[4] = { '.', ':', '+', '#' };

const char *tui_pc_shade_glyph(int s, bool utf8)
{
	static const char *const blocks[TUI_PC_SHADES] = { "░", "▒", "▓", "█" };
	static const char *const ascii[TUI_PC_SHADES] = { ":", "+", "#", "@" };
	if (s < 0)
		return utf8 ? "·" : ".";
	if (s >= TUI_PC_SHADES)
		s = TUI_PC_SHADES - 1;
	return utf8 ? blocks[s] : ascii[s];
}

int tui_pc_log_shade(int count, int max)
{
	if (count <= 1 || max <= 1)
		return 0;
	/* log scale: one line among 10^5 still shows, and the shades split the
	 * decades between a line and the densest cell evenly */
	double t = log((double)count) / log((double)max);
	int s = (int)(t * TUI_PC_SHADES);
	return s >= TUI_PC_SHADES ? TUI_PC_SHADES - 1 : s;
}

static void raster_finish(struct raster *r, bool utf8)
{
	tui_pc *pc = r->pc;
	size_t nc = (size_t)pc->w * (size_t)pc->h;
	int maxout = 0;
	for (size_t c = 0; c < nc; c++) {
		if (pc->cells[c].count > pc->maxcount)
			pc->maxcount = pc->cells[c].count;
		if (pc->cells[c].out > maxout)
			maxout = pc->cells[c].out;
	}
	for (size_t c = 0; c < nc; c++) {
		tui_pc_cell *cell = &pc->cells[c];
		cell->level = r->lcount[c] ? (int)lround((double)r->lsum[c] / r->lcount[c]) : -1;
		if (pc->density) {
			/* the brushed-in lines shaded by count; where only brushed-out
			 * lines pass, their own faint mark */
			if (cell->count)
				cell->shade = tui_pc_log_shade(cell->count, pc->maxcount);
			snprintf(cell->glyph, sizeof cell->glyph, "%s",
			         cell->count ? tui_pc_shade_glyph(cell->shade, utf8) : cell->out ? tui_pc_shade_glyph(-1, utf8) : " ");
			continue;
		}
		if (!cell->count) {
			strcpy(cell->glyph, " ");
			continue;
		}
		/* Density on a square-root scale: one line among thousands still shows. */
		double t = pc->maxcount > 1 ? sqrt((double)(cell->count - 1) / (double)(pc->maxcount - 1)) : 0;
		cell->shade = (int)floor(t * 3.999);
		if (utf8) {
			unsigned cp = 0x2800u + r->dots[c];
			cell->glyph[0] = (char)(0xe0 | (cp >> 12));
			cell->glyph[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			cell->glyph[2] = (char)(0x80 | (cp & 0x3f));
			cell->glyph[3] = '\0';
		} else {
			cell->glyph[0] = ascii_shade[cell->shade];
			cell->glyph[1] = '\0';
		}
	}
	free(r->dots);
	free(r->stamp);
	free(r->lsum);
	free(r->lcount);
}

int tui_pc_row_of(int h, double y)
{
	if (h <= 0 || isnan(y))
		return 0;
	int row = (int)lround((1 - y) * (h - 1));
	return row < 0 ? 0 : row >= h ? h - 1 : row;
}

int tui_pc_col_of(int w, double x)
{
	if (w <= 0 || isnan(x))
		return 0;
	int col = (int)lround(x * (w - 1));
	return col < 0 ? 0 : col >= w ? w - 1 : col;
}

static void put_marker(tui_pc *pc, int row, int col, int rank)
{
	if (row < 0 || col < 0 || row >= pc->h || col >= pc->w)
		return;
	tui_pc_cell *cell = &pc->cells[(size_t)row * (size_t)pc->w + (size_t)col];
	char m = (char)('0' + rank);
	if (!cell->marker || m < cell->marker)
		cell->marker = m; /* the better rank wins a shared cell */
}

/* ---- density: lines binned by their ends, each bin rasterised once ---------- */

/* Cells y0..y1 (dot rows, y0 <= y1) of cell column x: the current bin's
 * weight added once to each cell it enters (stamp: the bin's serial). */
static void span_weight(struct raster *r, int x, int y0, int y1, int serial)
{
	if (x < 0 || x >= r->W)
		return;
	if (y0 < 0)
		y0 = 0;
	if (y1 >= r->H)
		y1 = r->H - 1;
	int col = x >> r->dxs;
	for (int row = y0 >> r->dys; row <= y1 >> r->dys; row++) {
		size_t c = (size_t)row * (size_t)r->pc->w + (size_t)col;
		if (r->stamp[c] == serial)
			continue;
		r->stamp[c] = serial;
		r->pc->cells[c].count += r->w_in;
		r->pc->cells[c].out += r->w_out;
		r->lsum[c] += r->w_lsum;
		r->lcount[c] += r->w_lcount;
	}
}

/* What a segment's spans add: one run's line (counted once a cell by its
 * run), or, serial > 0, the weight of the density bin being drawn. */
struct stroke {
	int run, level;
	bool ranked;
	int serial;
};

/* A segment from dot (x0, y0) to (x1, y1), x0 < x1: one span a dot
 * column, reaching the previous column's dot so steep lines stay whole;
 * `from` is the first column drawn (a density plot's x0 + 1 after the
 * first axis pair, so the cell of an axis that two segments share counts
 * each line once).  One walker for lines and bins, so the two kinds of
 * plot put a line on the same dots. */
static void segment(struct raster *r, int x0, double y0, int x1, double y1, int from, const struct stroke *st)
{
	/* y stays within 0..H-1 here, so adding a half and truncating rounds
	 * (lround is a library call a dot column, the hot loop of 10^5 runs) */
	double slope = x1 > x0 ? (y1 - y0) / (double)(x1 - x0) : 0, yy = y0 + 0.5;
	int prev = (int)yy;
	for (int x = x0; x <= x1; x++, yy += slope) {
		int y = (int)yy, a = y, b = y;
		if (x > x0) {
			if (prev < y - 1)
				a = prev + 1;
			else if (prev > y + 1)
				b = prev - 1;
		}
		if (x >= from) {
			if (st->serial)
				span_weight(r, x, a, b, st->serial);
			else
				span(r, x, a, b, st->run, st->level, st->ranked);
		}
		prev = y;
	}
}

struct bin {
	int in, out, lcount;
	long lsum;
};

enum { NO_ROW = 0xffff };

/* The dot row (0 top .. H-1) of a screen height y. */
static inline int dot_row_of(double y, int H)
{
	int row = (int)((1 - y) * (H - 1) + 0.5);
	return row < 0 ? 0 : row >= H ? H - 1 : row;
}

/* Dot rows fit a byte (0xff: missing) in a plot this many dot rows high
 * or less (the common one: 120 columns x 40 lines is 140). */
enum { NARROW_ROWS = 255 };

/* Run i's dot row in rows as axis_rows wrote them, NO_ROW missing. */
static inline unsigned row_at(const void *rows, bool wide, size_t i)
{
	if (wide)
		return ((const uint16_t *)rows)[i];
	unsigned r = ((const uint8_t *)rows)[i];
	return r == 0xff ? NO_ROW : r;
}

/* Every run's dot row on ax in a plot H dot rows high, kept on the axis
 * until H or its flip changes: a redraw reads a byte or two a run and
 * axis, and nothing a run is held but the values. */
static const void *axis_rows(tui_axis *ax, int H)
{
	bool wide = H > NARROW_ROWS;
	if (ax->rows && ax->rows_h == H && ax->rows_flip == ax->flip)
		return ax->rows;
	if (ax->rows && (ax->rows_h > NARROW_ROWS) != wide) {
		free(ax->rows);
		ax->rows = NULL;
	}
	if (!ax->rows)
		ax->rows = ry_xmalloc((ax->n ? ax->n : 1) * (wide ? sizeof(uint16_t) : 1));
	double lo, hi;
	scaled_ends(ax, &lo, &hi);
	uint16_t *w = ax->rows;
	uint8_t *b = ax->rows;
	for (size_t i = 0; i < ax->n; i++) {
		double p = run_pos(ax, i, lo, hi);
		int row = isnan(p) ? -1 : dot_row_of(ax->flip ? 1 - p : p, H);
		if (wide)
			w[i] = row < 0 ? NO_ROW : (uint16_t)row;
		else
			b[i] = row < 0 ? 0xff : (uint8_t)row;
	}
	ax->rows_h = H;
	ax->rows_flip = ax->flip;
	return ax->rows;
}

/* Count into bins (H x H, by the two end rows) the lines from dot rows a
 * to dot rows b.  wide is a constant at each call: a loop for each width. */
static inline void bin_lines(struct bin *bins, size_t H, const void *a, const void *b, bool wide, size_t n,
                             const signed char *state, const int8_t *level)
{
	for (size_t i = 0; i < n; i++) {
		if (!state[i])
			continue;
		struct bin *bn = &bins[(size_t)row_at(a, wide, i) * H + (size_t)row_at(b, wide, i)];
		if (state[i] > 0) {
			bn->in++;
			if (level && level[i] >= 0) {
				bn->lsum += level[i];
				bn->lcount++;
			}
		} else {
			bn->out++;
		}
	}
}

static void render_density(struct raster *r, const void *const *rows, bool wide, size_t n, size_t nax,
                           const signed char *state, const int8_t *level)
{
	tui_pc *pc = r->pc;
	size_t nb = (size_t)r->H * (size_t)r->H;
	struct bin *bins = ry_xcalloc(nb, sizeof *bins);
	int serial = 0;
	for (size_t k = 0; k + 1 < nax; k++) {
		/* bin the lines between axis k and k+1 by their two end rows */
		if (wide)
			bin_lines(bins, (size_t)r->H, rows[k], rows[k + 1], true, n, state, level);
		else
			bin_lines(bins, (size_t)r->H, rows[k], rows[k + 1], false, n, state, level);
		int x0 = pc->axis_col[k] * r->dx + r->dx / 2, x1 = pc->axis_col[k + 1] * r->dx + r->dx / 2;
		int from = k ? x0 + 1 : x0;
		for (size_t j = 0; j < nb; j++) {
			struct bin *b = &bins[j];
			if (!b->in && !b->out)
				continue;
			r->w_in = b->in;
			r->w_out = b->out;
			r->w_lsum = b->lsum;
			r->w_lcount = b->lcount;
			struct stroke st = { 0, 0, false, ++serial };
			segment(r, x0, (double)(j / (size_t)r->H), x1, (double)(j % (size_t)r->H), from, &st);
			memset(b, 0, sizeof *b);
		}
	}
	free(bins);
}

void tui_pc_render(tui_pc *pc, int w, int h, tui_axis *const *axes, size_t nax, const int8_t *level,
                   const uint8_t *rank, bool utf8)
{
	struct raster r;
	raster_init(&r, pc, w, h, utf8);
	if (nax > TUI_PC_MAX_AXES)
		nax = TUI_PC_MAX_AXES;
	pc->nax = nax;
	for (size_t k = 0; k < nax; k++)
		pc->axis_col[k] = nax > 1 ? (int)lround((double)k * (pc->w - 1) / (double)(nax - 1)) : pc->w / 2;
	size_t n = nax ? axes[0]->n : 0;
	/* per run: 1 inside every brush, -1 outside some, 0 missing a value */
	signed char *state = ry_xmalloc(n ? n : 1);
	const void *rows[TUI_PC_MAX_AXES];
	bool wide = r.H > NARROW_ROWS;
	bool brushed[TUI_PC_MAX_AXES];
	double lo[TUI_PC_MAX_AXES], hi[TUI_PC_MAX_AXES];
	for (size_t k = 0; k < nax; k++) {
		rows[k] = axis_rows(axes[k], r.H > 0 ? r.H : 1);
		brushed[k] = tui_axis_brushed(axes[k]);
		scaled_ends(axes[k], &lo[k], &hi[k]);
	}
	/* a run missing a value on some axis: 0, an axis at a time */
	memset(state, 1, n);
	for (size_t k = 0; k < nax; k++) {
		const uint16_t *rw = rows[k];
		const uint8_t *rb = rows[k];
		if (wide) {
			for (size_t i = 0; i < n; i++)
				state[i] = rw[i] == NO_ROW ? 0 : state[i];
		} else {
			for (size_t i = 0; i < n; i++)
				state[i] = rb[i] == 0xff ? 0 : state[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		signed char in = state[i];
		/* a brushed axis: the run's position, its ends scaled once */
		for (size_t k = 0; k < nax && in > 0; k++)
			if (brushed[k] && !pos_in_brush(axes[k], run_pos(axes[k], i, lo[k], hi[k])))
				in = -1;
		state[i] = in;
		pc->shown += state[i] > 0;
		pc->out += state[i] < 0;
	}
	if (pc->w <= 0 || pc->h <= 0)
		pc->shown = pc->out = 0; /* no room: nothing drawn */
	pc->density = nax > 1 && pc->shown + pc->out > TUI_PC_DENSITY_MIN;
	if (pc->density && pc->w > 0 && pc->h > 0) {
		/* counts only: a cell column a step, whatever the glyphs */
		r.dx = 1;
		r.dxs = 0;
		r.W = pc->w;
		render_density(&r, rows, wide, n, nax, state, level);
	} else if (pc->w > 0 && pc->h > 0) {
		for (size_t i = 0; i < n; i++) {
			if (state[i] <= 0)
				continue;
			int lv = level ? level[i] : -1;
			bool ranked = rank && rank[i] > 0;
			struct stroke st = { (int)i, lv, ranked, 0 };
			for (size_t k = 0; k + 1 < nax; k++) {
				double y0 = (1 - tui_axis_y(axes[k], i)) * (r.H - 1);
				double y1 = (1 - tui_axis_y(axes[k + 1], i)) * (r.H - 1);
				int x0 = pc->axis_col[k] * r.dx + r.dx / 2, x1 = pc->axis_col[k + 1] * r.dx + r.dx / 2;
				segment(&r, x0, y0, x1, y1, x0, &st);
			}
			if (nax == 1)
				plot(&r, pc->axis_col[0] * r.dx, (int)lround((1 - tui_axis_y(axes[0], i)) * (r.H - 1)), (int)i,
				     lv, ranked);
		}
	}
	/* the best runs: marked by rank where they meet an axis, their cells bold */
	for (size_t i = 0; rank && i < n && pc->w > 0 && pc->h > 0; i++) {
		if (state[i] <= 0 || rank[i] <= 0)
			continue;
		for (size_t k = 0; k < nax; k++)
			put_marker(pc, tui_pc_row_of(pc->h, tui_axis_y(axes[k], i)), pc->axis_col[k], rank[i]);
		if (pc->density)
			for (size_t k = 0; k + 1 < nax; k++) {
				int c0 = pc->axis_col[k], c1 = pc->axis_col[k + 1];
				double y0 = tui_axis_y(axes[k], i), y1 = tui_axis_y(axes[k + 1], i);
				for (int col = c0; col <= c1; col++) {
					double t = c1 > c0 ? (double)(col - c0) / (double)(c1 - c0) : 0;
					int row = tui_pc_row_of(pc->h, y0 + t * (y1 - y0));
					pc->cells[(size_t)row * (size_t)pc->w + (size_t)col].ranked = true;
				}
			}
	}
	free(state);
	raster_finish(&r, utf8);
}

void tui_scatter_render(tui_pc *pc, int w, int h, const double *x, const double *y, size_t n,
                        const int8_t *level, const uint8_t *rank, bool utf8)
{
	struct raster r;
	raster_init(&r, pc, w, h, utf8);
	if (pc->w > 0 && pc->h > 0)
		for (size_t i = 0; i < n; i++) {
			if (isnan(x[i]) || isnan(y[i]))
				continue;
			pc->shown++;
			int dx = (int)lround(x[i] * (r.W - 1)), dy = (int)lround((1 - y[i]) * (r.H - 1));
			plot(&r, dx, dy, (int)i, level ? level[i] : -1, rank && rank[i] > 0);
		}
	raster_finish(&r, utf8);
	for (size_t i = 0; rank && i < n; i++)
		if (rank[i] == 1 && !isnan(x[i]) && !isnan(y[i])) {
			int row = tui_pc_row_of(pc->h, y[i]), col = tui_pc_col_of(pc->w, x[i]);
			pc->cells[(size_t)row * (size_t)pc->w + (size_t)col].marker = '*';
		}
}

void tui_pc_free(tui_pc *pc)
{
	free(pc->cells);
	pc->cells = NULL;
	pc->w = pc->h = 0;
}

/* ---- the scatter cursor --------------------------------------------------------- */

long tui_scatter_nearest(const double *x, const double *y, size_t n, long cur, int dx, int dy)
{
	double cx = 0.5, cy = 0.5, best = INFINITY;
	long hit = -1;
	if (cur >= 0 && (size_t)cur < n) {
		cx = x[cur];
		cy = y[cur];
	}
	for (size_t i = 0; i < n; i++) {
		if ((long)i == cur || isnan(x[i]) || isnan(y[i]))
			continue;
		double ax = x[i] - cx, ay = y[i] - cy, along, off;
		if (cur < 0) {
			along = 0;
			off = hypot(ax, ay);
		} else {
			along = dx ? ax * dx : ay * dy;
			off = fabs(dx ? ay : ax);
			if (along <= 0 || off > along)
				continue; /* not that way */
		}
		double d = along + 2 * off;
		if (d < best) {
			best = d;
			hit = (long)i;
		}
	}
	return hit;
}

/* ---- from an analysis, to SVG ------------------------------------------------ */

const char *const tui_pc_level_rgb[TUI_PC_LEVELS] = { "#ff5f5f", "#d7875f", "#ffff5f", "#5fd787", "#87ff87" };

/* An axis over a column, its values lent: the table outlives its axes. */
static void axis_from_col(tui_axis *ax, const ry_analysis_col *c, size_t n)
{
	if (c->numeric)
		tui_axis_numeric_lent(ax, c->label, c->name, c->num, n, -1);
	else
		tui_axis_category_codes_lent(ax, c->label, c->name, c->values, c->nvalues, c->code, n);
}

size_t tui_pc_axes_build(tui_axis *axes, const ry_analysis *a)
{
	size_t k = 0;
	for (size_t j = 0; j < a->ncols && k + 1 < TUI_PC_MAX_AXES; j++)
		axis_from_col(&axes[k++], &a->cols[j], a->n);
	axis_from_col(&axes[k++], &a->metric, a->n);
	return k;
}

static bool run_drawn(tui_axis *const *axes, size_t nax, size_t i)
{
	for (size_t k = 0; k < nax; k++)
		if (!tui_axis_in_brush(axes[k], i) || isnan(tui_axis_pos(axes[k], i)))
			return false;
	return true;
}

/* An axis end's value, short. */
static void svg_axis_label(double v, char out[40])
{
	snprintf(out, 40, "%.4g", v);
}

size_t tui_pc_svg(ry_buf *b, int w, int h, tui_axis *const *axes, size_t nax, const int8_t *level,
                  const uint8_t *rank, char *const *names)
{
	const double left = 60, right = 60, top = 40, bottom = 40;
	double pw = w - left - right, ph = h - top - bottom, *xy = ry_xmalloc((nax ? nax : 1) * 2 * sizeof *xy);
	size_t n = nax ? axes[0]->n : 0, lines = 0;
	tui_svg_begin(b, w, h, "#1c1c1c");
	/* Worse lines first, the ranked last: the best stay on top. */
	for (int pass = 0; pass <= TUI_PC_LEVELS + 1; pass++)
		for (size_t i = 0; i < n; i++) {
			int lv = level ? level[i] : -1;
			bool ranked = rank && rank[i] > 0;
			if (ranked ? pass != TUI_PC_LEVELS + 1 : lv + 1 != pass)
				continue;
			if (!run_drawn(axes, nax, i))
				continue;
			for (size_t k = 0; k < nax; k++) {
				xy[2 * k] = left + (nax > 1 ? pw * (double)k / (double)(nax - 1) : pw / 2);
				xy[2 * k + 1] = top + (1 - tui_axis_y(axes[k], i)) * ph;
			}
			const char *color = lv >= 0 ? tui_pc_level_rgb[lv] : "#808080";
			char title[256];
			const char *name = names && names[i] ? names[i] : "";
			if (ranked)
				snprintf(title, sizeof title, "%s (best #%d)", name, rank[i]);
			else
				snprintf(title, sizeof title, "%s", name);
			tui_svg_polyline(b, xy, nax, color, ranked ? 2.5 : 1, ranked ? 1 : 0.5, title);
			lines++;
		}
	for (size_t k = 0; k < nax; k++) {
		const tui_axis *ax = axes[k];
		double x = left + (nax > 1 ? pw * (double)k / (double)(nax - 1) : pw / 2);
		char lab[40];
		tui_svg_line(b, x, top, x, top + ph, "#bcbcbc", 1);
		tui_svg_text(b, x, top - 16, "middle", 13, "#eeeeee", ax->label);
		if (ax->kind == TUI_AXIS_CATEGORY) {
			for (size_t c = 0; c < ax->ncats; c++) {
				double p = ax->ncats > 1 ? (double)c / (double)(ax->ncats - 1) : 0.5;
				tui_svg_text(b, x + 4, top + (1 - (ax->flip ? 1 - p : p)) * ph + 4, "start", 11, "#bcbcbc",
				             ax->cats[c]);
			}
		} else {
			svg_axis_label(ax->flip ? ax->lo : ax->hi, lab);
			tui_svg_text(b, x, top - 3, "middle", 11, "#bcbcbc", lab);
			svg_axis_label(ax->flip ? ax->hi : ax->lo, lab);
			tui_svg_text(b, x, top + ph + 14, "middle", 11, "#bcbcbc", lab);
			if (ax->kind == TUI_AXIS_LOG)
				tui_svg_text(b, x, top + ph + 28, "middle", 10, "#8a8a8a", "log");
		}
	}
	tui_svg_end(b);
	free(xy);
	return lines;
}
