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
	const double *x;  /* ascending for best results; NaN/inf points are gaps;
	                     NULL means 0, 1, 2, ... */
	const double *y;
	size_t n;
	int color;        /* series index into the run palette */
	char marker;      /* a letter drawn on the line every so often and
	                     once at least, so the series can be told apart
	                     without colour (NO_COLOR, monochrome, vt100);
	                     0: none */
} tui_series;

typedef struct tui_chart_opts {
	bool log_y;       /* non-positive values become gaps */
	double ema;       /* 0 (none) .. 0.999, TensorBoard-style smoothing of the
	                     raw values (before the log) */
	bool utf8;        /* braille; else ASCII */
} tui_chart_opts;

/* One output cell: a UTF-8 glyph (up to 4 bytes + NUL) and the series that
 * owns it (-1 empty; the last series drawn wins a shared cell). */
typedef struct tui_chart_cell {
	char glyph[8];
	int color;
	bool marker;      /* glyph is the owning series' marker letter */
} tui_chart_cell;

typedef struct tui_chart {
	int w, h;             /* plot area in cells */
	tui_chart_cell *cells;/* w*h, row-major, row 0 at the top; empty cells
	                         hold " " and color -1 */
	double xmin, xmax, ymin, ymax; /* data range shown (in log10 when log_y) */
	int nyticks, nxticks;
	double yticks[16], xticks[16]; /* tick values in the units of the range
	                                  (log10 of the value when log_y) */
	char ytick_labels[16][16], xtick_labels[16][16]; /* real values ("100", "1e-05") */
	int ytick_rows[16], xtick_cols[16]; /* the cell row / column of each tick */
	size_t npoints;       /* finite points drawn, over all series */
	int dx, dy;           /* dots per cell: 2x4 braille, 1x3 ASCII */
} tui_chart;

/* The x axes a metric's chart offers: its step, the wall clock (Unix
 * seconds, labelled as clock times) or the time since its first point;
 * names for titles. */
enum { TUI_CHART_X_STEP, TUI_CHART_X_WALL, TUI_CHART_X_REL, TUI_CHART_X_COUNT };
extern const char *const tui_chart_xaxis_names[TUI_CHART_X_COUNT];
/* The x of a point (its step, its time ts) on axis xaxis; t0 is the time of
 * the series' first point (for the relative axis). */
double tui_chart_x_of(int xaxis, double step, double ts, double t0);

/* The EMA weights the smoothing keys step through; [0] is off. */
#define TUI_CHART_NEMA 7
extern const double tui_chart_ema_levels[TUI_CHART_NEMA];

/* The marker letter of series i in a chart of several: a, b, c, ...
 * (after z: A, B, ...; past those '?'). */
char tui_chart_marker(size_t i);

/* Render series into a w x h cell plot.  *c is overwritten (not freed):
 * call tui_chart_free before rendering into it again.  s may be NULL when
 * ns is 0; o may be NULL (linear, no smoothing, ASCII).  w or h below 1
 * gives no cells but still ranges and ticks.  Never fails: non-finite
 * points (and non-positive ones with log_y) are gaps, an all-gap chart is
 * empty with the range 0..1.  Series with a marker get it drawn over their
 * line at evenly spaced columns, staggered per series so that two markers
 * never share a cell, and always at least once (at the series' last free
 * cell) when the series has a point in the plot. */
void tui_chart_render(tui_chart *c, int w, int h, const tui_series *s, size_t ns,
                      const tui_chart_opts *o);
/* Frees the cells; accepts a zeroed chart and may be called twice. */
void tui_chart_free(tui_chart *c);

/* The cell column of x / cell row of y (in the range's units: log10 when
 * log_y) in a rendered chart, clamped to the plot; 0 for an empty one. */
int tui_chart_col_of(const tui_chart *c, double x);
int tui_chart_row_of(const tui_chart *c, double y);

/* Replace a rendered chart's x ticks with time ticks (tui_chart_time_ticks):
 * durations when x is seconds since a start, clock times when it is Unix
 * seconds (absolute). */
void tui_chart_time_axis(tui_chart *c, bool absolute);

/* Min-max decimation: reduce n points to at most 2*buckets, keeping each
 * bucket's min and max in x order so spikes stay visible.  Buckets split
 * the x range evenly (x NULL: the index).  Gaps survive: a bucket holding
 * only non-finite values becomes one (NaN, NaN) point, which
 * tui_chart_render draws as a gap; other non-finite points are dropped.  If
 * few enough points remain they are copied as they are (with one NaN point
 * per gap).  Returns the number written to ox/oy (arrays of 2*buckets). */
size_t tui_chart_decimate(const double *x, const double *y, size_t n, size_t buckets,
                          double *ox, double *oy);

/* "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi], at most max of them.
 * Returns the count; labels are short ("0.001", "1.5k", "2e-05").  lo == hi
 * gives one tick; non-finite bounds or max < 1 give none.  labels may be NULL. */
int tui_chart_ticks(double lo, double hi, int max, double *ticks, char labels[][16]);

/* Ticks for a time axis at round steps (1, 2, 5, 10, 15, 30 s, 1, 2, 5,
 * 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1, 2, 7 days, ...), at most max of them.
 * absolute: lo/hi are Unix seconds and labels are local clock time
 * ("14:05", "14:05:30", "11-23", "2026-11"); else they are durations ("0",
 * "45s", "1m30s", "2h", "1d12h").  Returns the count, like tui_chart_ticks. */
int tui_chart_time_ticks(double lo, double hi, int max, bool absolute, double *ticks,
                         char labels[][16]);

/* A short label for v when neighbouring values differ by step (which sets
 * the precision; 0 or non-finite: about 4 significant digits): "0.25",
 * "1.5k", "2M", "2e-05", "-3". */
void tui_chart_label(double v, double step, char out[16]);

/* Exponential moving average with TensorBoard's debiasing, in place;
 * non-finite values are skipped and left as they are. */
void tui_chart_ema(double *y, size_t n, double weight);

/* The smoothing's state between calls, so a series can be smoothed as its
 * points arrive: y[0..n) continues where the last call on *e stopped. */
struct tui_chart_ema_state {
	double last, wpow;
};
#define TUI_CHART_EMA_STATE_INIT { 0, 1 }
void tui_chart_ema_continue(struct tui_chart_ema_state *e, double *y, size_t n, double weight);

#endif
