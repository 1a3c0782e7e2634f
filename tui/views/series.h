/*
 * What the chart screens (compare, a run's charts) share about reading a
 * metric for a chart: its points on the chosen x axis (step, time, or
 * another metric paired by step) and the reading at the chart cursor
 * (value, step, wall time, time since the start, epoch).  Reads through
 * core; draws nothing.
 */
#ifndef TUI_VIEWS_SERIES_H
#define TUI_VIEWS_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/metrics.h"
#include "base/buf.h"
#include "widgets/chart.h"
#include "widgets/theme.h"

/* Buffers reused from one read to the next; zero-initialise, free with
 * tui_series_buf_free. */
struct tui_series_buf {
	ry_point *pts, *xpts;     /* the y metric's history, the x metric's */
	size_t cap, xcap;
	double *tmp;              /* scratch, tmpcap entries */
	size_t tmpcap;
	double *rx, *ry;          /* a reading's x and y, rcap entries */
	size_t rcap;
};
void tui_series_buf_free(struct tui_series_buf *b);

/* The x of each of the np points in b->pts (those of run `run`) on nav's
 * axis, into x (np entries): for a metric axis the x metric is read here
 * (NaN before its first point).  0 or an RY_E* code. */
int tui_series_x(ry_store *st, int64_t run, const tui_chart_nav *nav, struct tui_series_buf *b, size_t np,
                 double *x);

/* A run's metric at the cursor: the point nearest at or before `at` on
 * nav's axis. */
struct tui_reading {
	bool ok;                  /* false: no point there (or no such metric) */
	double value, step, ts, rel;  /* rel: seconds since the metric's first point */
	bool has_epoch;           /* the run logs `epoch`: its value at that step */
	double epoch;
};
int tui_series_reading(ry_store *st, int64_t run, const char *key, const tui_chart_nav *nav, double at,
                       struct tui_series_buf *b, struct tui_reading *out);
/* "0.3123 @ step 450  14:05:03  +1h05m  epoch 3" ("-" without a point). */
void tui_reading_text(const struct tui_reading *r, char *out, size_t n);
/* Where the cursor is, in the axis' words: "step 450", "14:05:03",
 * "+1h05m", "epoch 3". */
void tui_cursor_text(const tui_chart_nav *nav, char *out, size_t n);

/* What a chart's x axis shows, for its title: "x: step  zoom 120-480
 * cursor step 450  mark step 200 (z again zooms)". */
void tui_axis_text(const tui_chart_nav *nav, char *out, size_t n);

/* The RGB (0xRRGGBB) of series i in theme's colours, as the screen draws
 * it; under NO_COLOR (no colours) the default theme's, so a file still
 * tells series apart. */
unsigned tui_series_rgb(const struct tui_theme *theme, size_t i);

/* A series' figures for a legend: "last 0.31  min 0.12  max 2.3", or with
 * full false (a narrow legend) "last 0.31"; numbers as tui_fmt_num writes them. */
void tui_stats_text(double last, double min, double max, bool full, char *out, size_t n);

/* The chart of metric key for runs ids[0..n) as SVG, appended to out: x on
 * nav's axis (when zoomed, the file's x axis spans the zoom and the points
 * outside are left out), the EMA weight ema (0: none) and log_y as the
 * screen shows them, run i in theme's series colour i (NULL: the default
 * theme), each history reduced per pixel column (widgets/svgplot.h).  The TUI's `:export FILE.svg` and `runyard
 * plot --svg` both write through here.  0 or an RY_E* code. */
int tui_series_svg(ry_buf *out, ry_store *st, const int64_t *ids, size_t n, const char *key,
                   const tui_chart_nav *nav, double ema, bool log_y, const struct tui_theme *theme);

#endif
