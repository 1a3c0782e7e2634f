/*
 * Drawing helpers.  Every string that may come from outside goes through
 * tui_text_fit before curses sees it; attributes come from the theme's
 * semantic elements, never from literal colours.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "app/draw.h"
#include "text/text.h"
#include "widgets/chart.h"
#include "app/tui.h"

static void put(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e,
                bool pad, bool right)
{
	char buf[4096];
	if (w <= 0 || y < 0 || y >= c->rows || x >= c->cols)
		return;
	if (x + w > c->cols)
		w = c->cols - x;
	if (w > 1000)
		w = 1000;
	tui_text_fit(buf, sizeof buf, s ? s : "", w, pad, right, c->utf8);
	attrset((attr_t)c->attrs[e]);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

void tui_draw_text(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e)
{
	put(c, y, x, w, s, e, true, false);
}

void tui_draw_text_right(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e)
{
	put(c, y, x, w, s, e, true, true);
}

int tui_draw_str(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e)
{
	char buf[4096];
	if (w <= 0 || y < 0 || y >= c->rows || x >= c->cols)
		return 0;
	if (x + w > c->cols)
		w = c->cols - x;
	if (w > 1000)
		w = 1000;
	int used = tui_text_fit(buf, sizeof buf, s ? s : "", w, false, false, c->utf8);
	attrset((attr_t)c->attrs[e]);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

/* Columns of a horizontal span at (y, x) that fall on screen; <= 0: none. */
static int clip_row(const struct tui_ctx *c, int y, int x, int w)
{
	if (y < 0 || y >= c->rows || x >= c->cols)
		return 0;
	return x + w > c->cols ? c->cols - x : w;
}

void tui_draw_fill(struct tui_ctx *c, int y, int x, int w, enum tui_color e)
{
	if ((w = clip_row(c, y, x, w)) <= 0)
		return;
	attrset((attr_t)c->attrs[e]);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void tui_draw_hline(struct tui_ctx *c, int y, int x, int w, enum tui_color e)
{
	if ((w = clip_row(c, y, x, w)) <= 0)
		return;
	attrset((attr_t)c->attrs[e]);
	if (c->utf8)
		mvhline_set(y, x, WACS_HLINE, w);
	else
		mvhline(y, x, '-', w);
	attrset(A_NORMAL);
}

void tui_draw_vline(struct tui_ctx *c, int y, int x, int h, enum tui_color e)
{
	if (x < 0 || x >= c->cols || y >= c->rows)
		return;
	if (y + h > c->rows)
		h = c->rows - y;
	if (h <= 0)
		return;
	attrset((attr_t)c->attrs[e]);
	if (c->utf8)
		mvvline_set(y, x, WACS_VLINE, h);
	else
		mvvline(y, x, '|', h);
	attrset(A_NORMAL);
}

static const struct {
	const char *status, *utf8, *ascii;
	enum tui_color color;
} statuses[] = {
	{ "running",  "\xe2\x97\x8f", "*", TUI_COLOR_RUN_RUNNING },  /* ● */
	{ "finished", "\xe2\x9c\x93", "+", TUI_COLOR_RUN_FINISHED }, /* ✓ */
	{ "failed",   "\xe2\x9c\x97", "x", TUI_COLOR_RUN_FAILED },   /* ✗ */
	{ "killed",   "\xe2\x8a\x98", "k", TUI_COLOR_RUN_KILLED },   /* ⊘ */
	{ "queued",   "\xe2\x97\x8c", ".", TUI_COLOR_RUN_QUEUED },   /* ◌ */
	{ "lost",     "?",            "?", TUI_COLOR_RUN_LOST },
};

const char *tui_status_glyph(const struct tui_ctx *c, const char *status)
{
	for (size_t i = 0; status && i < sizeof statuses / sizeof statuses[0]; i++)
		if (!strcmp(statuses[i].status, status))
			return c->utf8 ? statuses[i].utf8 : statuses[i].ascii;
	return " ";
}

enum tui_color tui_status_color(const char *status)
{
	for (size_t i = 0; status && i < sizeof statuses / sizeof statuses[0]; i++)
		if (!strcmp(statuses[i].status, status))
			return statuses[i].color;
	return TUI_COLOR_DEFAULT;
}

void tui_sparkline(char *out, size_t n, const double *v, size_t nv, int width, bool utf8)
{
	static const char *const bars[] = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	                                    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
	static const char ascii[] = "_.-:=+*#";
	double lo = INFINITY, hi = -INFINITY;
	size_t len = 0;
	out[0] = '\0';
	if (width <= 0 || nv == 0)
		return;
	for (size_t i = 0; i < nv; i++) {
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	for (int col = 0; col < width; col++) {
		/* Each cell shows the mean of its share of the points. */
		size_t a = (size_t)col * nv / (size_t)width, b = (size_t)(col + 1) * nv / (size_t)width;
		if (b <= a)
			b = a + 1;
		if (a >= nv)
			break;
		double sum = 0;
		size_t cnt = 0;
		for (size_t i = a; i < b && i < nv; i++) {
			if (isfinite(v[i])) {
				sum += v[i];
				cnt++;
			}
		}
		const char *g;
		char one[2] = " ";
		if (!cnt) {
			g = " ";
		} else {
			int level = hi > lo ? (int)((sum / (double)cnt - lo) / (hi - lo) * 7.0 + 0.5) : 3;
			level = level < 0 ? 0 : level > 7 ? 7 : level;
			if (utf8) {
				g = bars[level];
			} else {
				one[0] = ascii[level];
				g = one;
			}
		}
		size_t gl = strlen(g);
		if (len + gl + 1 > n)
			break;
		memcpy(out + len, g, gl);
		len += gl;
		out[len] = '\0';
	}
}

void tui_fmt_num(double v, char *out, size_t n)
{
	if (isnan(v))
		snprintf(out, n, "nan");
	else if (isinf(v))
		snprintf(out, n, v > 0 ? "inf" : "-inf");
	else if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3))
		snprintf(out, n, "%.3g", v);
	else
		snprintf(out, n, "%.4g", v);
}

int tui_screen_save(struct tui_ctx *c, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (int y = 0; y < c->rows; y++) {
		char line[8192];
		size_t len = 0;
		int skip = 0;
		for (int x = 0; x < c->cols && len + 16 < sizeof line; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (skip) {
				skip--;
				continue;
			}
			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &a, &pair, NULL) == ERR || !wch[0]) {
				line[len++] = ' ';
				continue;
			}
			for (int k = 0; wch[k] && k < CCHARW_MAX; k++) {
				char mb[8];
				mbstate_t ps;
				memset(&ps, 0, sizeof ps);
				size_t m = wcrtomb(mb, wch[k], &ps);
				if (m == (size_t)-1) {
					mb[0] = '?';
					m = 1;
				}
				memcpy(line + len, mb, m);
				len += m;
			}
			int w = wcwidth(wch[0]);
			if (w > 1)
				skip = w - 1;
		}
		while (len > 0 && line[len - 1] == ' ')
			len--;
		line[len] = '\0';
		fprintf(f, "%s\n", line);
	}
	return fclose(f) == 0 ? 0 : -1;
}

void tui_draw_chart(struct tui_ctx *c, const tui_chart *ch, int y, int x, int ylab)
{
	int right = x + ch->w + 2 < c->cols ? x + ch->w + 2 : c->cols, last_end = -1;
	for (int r = 0; r < ch->h; r++) {
		for (int col = 0; col < ch->w; col++) {
			const tui_chart_cell *cell = &ch->cells[r * ch->w + col];
			if (cell->color < 0 || !cell->glyph[0])
				continue;
			attrset((attr_t)c->attrs[tui_theme_series((size_t)cell->color)] | (cell->marker ? A_BOLD : 0) |
			        (cell->band ? A_DIM : 0));
			mvaddstr(y + r, x + col, cell->glyph);
		}
	}
	attrset(A_NORMAL);
	tui_draw_vline(c, y, x - 1, ch->h, TUI_COLOR_CHART_AXIS);
	tui_draw_hline(c, y + ch->h, x - 1, ch->w + 1, TUI_COLOR_CHART_AXIS);
	for (int t = 0; t < ch->nyticks && t < 16; t++) {
		int row = ch->ytick_rows[t];
		if (row >= 0 && row < ch->h)
			tui_draw_text_right(c, y + row, x - ylab - 1, ylab - 1, ch->ytick_labels[t], TUI_COLOR_CHART_AXIS);
	}
	/* x labels centred on their tick, skipped where they would touch */
	for (int t = 0; t < ch->nxticks && t < 16; t++) {
		int lw = tui_text_width(ch->xtick_labels[t]);
		int start = x + ch->xtick_cols[t] - lw / 2;
		if (start < x - 1)
			start = x - 1;
		if (start + lw > right)
			start = right - lw;
		if (start <= last_end)
			continue;
		tui_draw_str(c, y + ch->h + 1, start, lw, ch->xtick_labels[t], TUI_COLOR_CHART_AXIS);
		last_end = start + lw;
	}
}

static void axis_set(struct tui_chart_nav *nav, int xaxis, const char *metric)
{
	nav->xaxis = xaxis;
	snprintf(nav->xmetric, sizeof nav->xmetric, "%s", metric ? metric : "");
	nav->cursor_on = false;
	tui_chart_nav_reset(nav);
}

int tui_chart_keys(int action, struct tui_chart_nav *nav, int *ema, bool *log_y, bool has_epoch)
{
	switch (action) {
	case TUI_ACT_XAXIS:
		/* step, epoch, wall time, relative time */
		if (nav->xaxis == TUI_CHART_X_STEP && has_epoch)
			axis_set(nav, TUI_CHART_X_METRIC, "epoch");
		else if (nav->xaxis == TUI_CHART_X_STEP || nav->xaxis == TUI_CHART_X_METRIC)
			axis_set(nav, TUI_CHART_X_WALL, NULL);
		else if (nav->xaxis == TUI_CHART_X_WALL)
			axis_set(nav, TUI_CHART_X_REL, NULL);
		else
			axis_set(nav, TUI_CHART_X_STEP, NULL);
		return 1;
	case TUI_ACT_EMA_LESS: if (*ema > 0) (*ema)--; return 1;
	case TUI_ACT_EMA_MORE: if (*ema + 1 < (int)TUI_CHART_NEMA) (*ema)++; return 1;
	case TUI_ACT_LOG_Y: *log_y = !*log_y; return 2;
	case TUI_ACT_CURSOR_LEFT: tui_chart_nav_move(nav, -1); return 2;
	case TUI_ACT_CURSOR_RIGHT: tui_chart_nav_move(nav, 1); return 2;
	case TUI_ACT_CURSOR_PAGE_LEFT: case TUI_ACT_CURSOR_PAGE_RIGHT: {
		int dir = action == TUI_ACT_CURSOR_PAGE_LEFT ? -1 : 1;
		return tui_chart_nav_page(nav, dir) ? 1 : 2;
	}
	case TUI_ACT_ZOOM_MARK: return tui_chart_nav_mark(nav) ? 1 : 2;
	case TUI_ACT_ZOOM_IN: return tui_chart_nav_zoom(nav, 0.5) ? 1 : 2;
	case TUI_ACT_ZOOM_OUT: return tui_chart_nav_zoom(nav, 2) ? 1 : 2;
	case TUI_ACT_ZOOM_RESET: {
		bool was = nav->zoomed;
		tui_chart_nav_reset(nav);
		return was ? 1 : 2;
	}
	default: return 0;
	}
}

int tui_chart_x_command(struct tui_ctx *c, struct tui_chart_nav *nav, const char *name,
                        bool (*is_metric)(void *arg, const char *key), void *arg)
{
	if (!strcmp(name, "step"))
		axis_set(nav, TUI_CHART_X_STEP, NULL);
	else if (!strcmp(name, "wall") || !strcmp(name, "time") || !strcmp(name, "wall time"))
		axis_set(nav, TUI_CHART_X_WALL, NULL);
	else if (!strcmp(name, "relative") || !strcmp(name, "rel") || !strcmp(name, "relative time"))
		axis_set(nav, TUI_CHART_X_REL, NULL);
	else if (*name && is_metric(arg, name))
		axis_set(nav, TUI_CHART_X_METRIC, name);
	else {
		tui_error(c, ":x %s: not an x axis here (step, wall, relative, or a metric the runs log)",
		          *name ? name : "needs a name:");
		return 0;
	}
	tui_msg(c, "x axis: %s", tui_chart_nav_axis_name(nav));
	return 1;
}

void tui_draw_chart_cursor(struct tui_ctx *c, const tui_chart *ch, int y, int x, int col)
{
	if (col < 0 || col >= ch->w)
		return;
	attrset((attr_t)c->attrs[TUI_COLOR_CHART_AXIS]);
	for (int r = 0; r < ch->h; r++) {
		const tui_chart_cell *cell = &ch->cells[r * ch->w + col];
		if (cell->color >= 0)
			continue;
		mvaddstr(y + r, x + col, c->utf8 ? "\xe2\x94\x8a" : ":");
	}
	attrset(A_NORMAL);
}
