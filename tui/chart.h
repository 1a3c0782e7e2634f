/*
 * Line charts for the terminal: several series overlaid on a grid of cells,
 * drawn with braille dots (2x4 per cell) in UTF-8 locales and with ASCII
 * otherwise.  Pure computation: it fills a cell grid that the view draws with
 * curses, so it is unit-tested without a terminal.
 */
#ifndef TUI_CHART_H
#define TUI_CHART_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tui_series {
	const double *x;  /* ascending for best results; NaN/inf points are gaps */
	const double *y;
	size_t n;
	int color;        /* series index into the run palette */
} tui_series;

typedef struct tui_chart_opts {
	bool log_y;       /* non-positive values become gaps */
	double ema;       /* 0 (none) .. 0.999, TensorBoard-style smoothing */
	bool utf8;        /* braille; else ASCII */
} tui_chart_opts;

/* One output cell: a UTF-8 glyph (up to 4 bytes + NUL) and the series that
 * owns it (-1 empty; the last series drawn wins a shared cell). */
typedef struct tui_chart_cell {
	char glyph[8];
	int color;
} tui_chart_cell;

typedef struct tui_chart {
	int w, h;             /* plot area in cells */
	tui_chart_cell *cells;/* w*h, row-major, row 0 at the top */
	double xmin, xmax, ymin, ymax; /* data range shown (in log10 when log_y) */
	int nyticks, nxticks;
	double yticks[16], xticks[16]; /* tick values in data units */
	char ytick_labels[16][16], xtick_labels[16][16];
} tui_chart;

/* Render series into a w x h cell plot; caller frees with tui_chart_free. */
void tui_chart_render(tui_chart *c, int w, int h, const tui_series *s, size_t ns,
                      const tui_chart_opts *o);
void tui_chart_free(tui_chart *c);

/* Min-max decimation: reduce n points to at most 2*buckets, keeping each
 * bucket's min and max in x order so spikes stay visible.  Returns the
 * number written to ox/oy (arrays of 2*buckets). */
size_t tui_chart_decimate(const double *x, const double *y, size_t n, size_t buckets,
                          double *ox, double *oy);

/* "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi], at most max of them.
 * Returns the count; labels are short ("0.001", "1.5k", "2e-05"). */
int tui_chart_ticks(double lo, double hi, int max, double *ticks, char labels[][16]);

/* Exponential moving average with TensorBoard's debiasing, in place;
 * non-finite values are skipped and left as they are. */
void tui_chart_ema(double *y, size_t n, double weight);

#endif
