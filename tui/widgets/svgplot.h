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
};

/* Append the SVG document (UTF-8, with the XML declaration) to out.  The
 * points each polyline holds are the finite points of its series, in
 * order; a chart without any gets the axes over the range 0..1. */
void tui_svgplot_write(ry_buf *out, const struct tui_svgplot *p);

/* The RGB of xterm's 256-colour index c (the theme's numbers); -1 or out of
 * range: a mid grey. */
unsigned tui_svgplot_xterm_rgb(int c);

#endif
