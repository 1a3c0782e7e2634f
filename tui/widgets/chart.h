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

/* A band around series k's line (a group's min-max or mean +- std): lo[i]
 * and hi[i] at the series' x[i], n the series' n; NULL lo/hi: none. */
typedef struct tui_band {
	const double *lo, *hi;
} tui_band;

typedef struct tui_chart_opts {
	bool log_y;       /* non-positive values become gaps */
	double ema;       /* 0 (none) .. 0.999, TensorBoard-style smoothing of the
	                     raw values (before the log) */
	bool utf8;        /* braille; else ASCII */
	double xlo, xhi;  /* xhi > xlo: show exactly this x range (a zoom),
	                     points outside it are left out and the y axis
	                     fits what is inside; else the data's range */
} tui_chart_opts;

/* One output cell: a UTF-8 glyph (up to 4 bytes + NUL) and the series that
 * owns it (-1 empty; the last series drawn wins a shared cell). */
typedef struct tui_chart_cell {
	char glyph[8];
	int color;
	bool marker;      /* glyph is the owning series' marker letter */
	bool band;        /* glyph is only a band's fill (no line here): drawn dim */
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
 * seconds, labelled as clock times), the time since its first point, or
 * another metric of the run (its value at the step: tui_chart_pair_by_step;
 * "epoch" is one); names for titles. */
enum { TUI_CHART_X_STEP, TUI_CHART_X_WALL, TUI_CHART_X_REL, TUI_CHART_X_METRIC, TUI_CHART_X_COUNT };
extern const char *const tui_chart_xaxis_names[TUI_CHART_X_COUNT];
/* The x of a point (its step, its time ts) on axis xaxis; t0 is the time of
 * the series' first point (for the relative axis).  NaN for the metric
 * axis, which pairs by step instead. */
double tui_chart_x_of(int xaxis, double step, double ts, double t0);

/* Pair a series with another metric of the run by step: ox[i] gets the
 * value xval[j] of the x metric's point j with the greatest step at or
 * before ystep[i] (its last such point on equal steps), NaN where the x
 * metric has none yet.  Both series ascend by step, as logged; an x point
 * out of order is passed over.  Returns how many got a value. */
size_t tui_chart_pair_by_step(const double *ystep, size_t ny, const double *xstep, const double *xval,
                              size_t nx, double *ox);

/* The point of a series nearest at or before cx: the index of the
 * greatest finite x <= cx whose y is not NaN (the last one of equal x),
 * -1 when there is none.  x NULL means 0, 1, 2, ...; x need not ascend. */
long tui_chart_at_or_before(const double *x, const double *y, size_t n, double cx);

/* A duration for a reader: "0s", "45s", "12m30s", "1h05m", "2d03h"
 * (negative: "-1h05m"; NaN: "?"). */
void tui_chart_duration(double secs, char out[16]);
/* A Unix time as local clock time: "14:05:03" ("?" if not a time). */
void tui_chart_clock(double t, char out[16]);

/* Where a chart is looked at: the x axis, a cursor and a zoomed x range,
 * shared by every chart of a screen (small multiples move together).  All
 * in the x axis' units.  Pure state; the view reads it to build and draw. */
typedef struct tui_chart_nav {
	int xaxis;            /* TUI_CHART_X_* */
	char xmetric[128];    /* the metric, when xaxis is TUI_CHART_X_METRIC */
	bool cursor_on;       /* shown once a cursor key is pressed */
	double cursor;
	bool zoomed;
	double zlo, zhi;      /* the x range shown when zoomed */
	bool marking;         /* a zoom's start is marked at mark */
	double mark;
	/* what the view last drew, for moves in cells: the x range and the
	 * plot's width in cells; and the data's x range, which zoom stays in */
	double vlo, vhi;
	int vw;
	double dlo, dhi;
} tui_chart_nav;

/* Move the cursor by cells columns of the last drawn plot (clamped to
 * it); the first move shows it, at the right edge (the latest points). */
void tui_chart_nav_move(tui_chart_nav *n, int cells);
/* A screenful along x: zoomed, the range moves by its width (within the
 * data; the cursor with it) and true is returned; else the cursor moves
 * by a quarter of the plot. */
bool tui_chart_nav_page(tui_chart_nav *n, int dir);
/* Zoom by factor (0.5: twice as close; 2: twice as far) around the cursor
 * (the middle when it is hidden), within the data's range; zooming out
 * to all of it resets.  Returns whether the range changed. */
bool tui_chart_nav_zoom(tui_chart_nav *n, double factor);
/* Mark a zoom's start at the cursor; pressed again, zoom to the range
 * between the mark and the cursor (an empty one only clears the mark).
 * Returns whether the range changed. */
bool tui_chart_nav_mark(tui_chart_nav *n);
/* Show all the data again, and clear a mark. */
void tui_chart_nav_reset(tui_chart_nav *n);
/* The x range to build and draw: the zoom's, else false. */
bool tui_chart_nav_range(const tui_chart_nav *n, double *lo, double *hi);
/* Put the opts' fixed x range from the zoom. */
void tui_chart_nav_opts(const tui_chart_nav *n, tui_chart_opts *o);
/* The axis' name as a chart labels it: "step", "wall time", "relative
 * time", "epoch" (a metric's name). */
const char *tui_chart_nav_axis_name(const tui_chart_nav *n);
/* After drawing: remember the plot's x range and width. */
void tui_chart_nav_drawn(tui_chart_nav *n, const tui_chart *c);

/* How a metric ranks among a run's charts: 0 first (a metric with a goal
 * someone set: goal_set), 1 validation metrics and losses, 2 the rest. */
int tui_chart_metric_rank(const char *key, bool goal_set);

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
/* The same with bands[k] (bands may be NULL) around series k: drawn under
 * every line as sparse dots, a lighter fill (every other dot in braille,
 * ':' in ASCII; those cells have .band set), counted in the y range where
 * their x is shown; neither smoothed nor decimated. */
void tui_chart_render_bands(tui_chart *c, int w, int h, const tui_series *s, const tui_band *bands, size_t ns,
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
