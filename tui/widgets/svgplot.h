/*
 * Line charts as SVG: the chart a screen shows, written to a file (the
 * TUI's `:export FILE.svg` and `runyard plot --svg` both come here through
 * tui_series_svg).  One <polyline> per series, in its colour, the axes with
 * the same ticks the terminal chart uses (widgets/chart.h), a title and a
 * legend.  Pure computation into a buffer: no curses, no store, unit-tested
 * alone.  The elements and the escaping are svg.h's, which the
 * parallel-coordinates plot writes through too.
 */
#ifndef TUI_WIDGETS_SVGPLOT_H
#define TUI_WIDGETS_SVGPLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

struct tui_svgplot_series {
	const char *name;         /* the legend's text (escaped here); NULL: "" */
	const double *x, *y;      /* n points; a non-finite x or y (or y <= 0 with
	                             log_y) is left out of the line */
	size_t n;
	unsigned rgb;             /* 0xRRGGBB */
	const double *lo, *hi;    /* a band around the line (a group's min-max or
	                             mean +- std) at x[i], drawn as a light fill
	                             under it; NULL: none */
};

enum tui_svgplot_xtime {
	TUI_SVGPLOT_X_PLAIN,      /* numbers */
	TUI_SVGPLOT_X_DURATION,   /* seconds since a start: "45s", "1m30s" */
	TUI_SVGPLOT_X_CLOCK,      /* Unix seconds: clock times */
};

struct tui_svgplot {
	const char *title;        /* the metric; may be NULL */
	const char *xlabel;       /* the x axis' name ("step"); may be NULL */
	bool log_y;               /* y on a log10 scale */
	enum tui_svgplot_xtime xtime;
	const struct tui_svgplot_series *s;
	size_t ns;
	int width, height;        /* pixels; 0: 800 x 480 */
	double xlo, xhi;          /* xhi > xlo: exactly this x range (a zoom the
	                             screen shows), points outside it left out and
	                             the y range fitting what is inside; else the
	                             data's range */
};

/* Append the SVG document (UTF-8, with the XML declaration) to out.  Each
 * polyline holds its series' finite points in order, reduced per pixel
 * column by tui_svgplot_decimate, so a file of 12 runs x 100,000 points
 * holds at most 4 points a column a run and draws the same shape as every
 * point would at its size; a chart without any gets the axes over the
 * range 0..1.  Bands are a <polygon> each (class "band"), before the lines,
 * their edges reduced the same way. */
void tui_svgplot_write(ry_buf *out, const struct tui_svgplot *p);

/* Reduce a line through n points in pixel coordinates (px, py) to the
 * points it needs at that size: each run of consecutive points that falls
 * in one pixel column (floor(px)) keeps its first, lowest, highest and last
 * point, in their order, so no extreme is lost and the segments joining
 * columns are those of the full line.  ox/oy (n entries) may be px/py.
 * Returns the count kept: at most 4 a column when x ascends. */
size_t tui_svgplot_decimate(const double *px, const double *py, size_t n, double *ox, double *oy);

/* The RGB of xterm's 256-colour index c (the theme's numbers); -1 or out of
 * range: a mid grey. */
unsigned tui_svgplot_xterm_rgb(int c);

#endif
