/*
 * A small SVG writer: a document of lines, polylines, circles and text
 * into a buffer, coordinates in pixels, every text XML-escaped (and
 * control characters dropped, which XML 1.0 cannot hold).  Curses-free;
 * `runyard parallel --svg` writes through it and any plot may.
 */
#ifndef TUI_SVG_H
#define TUI_SVG_H

#include <stddef.h>

#include "base/buf.h"

/* Start a w x h document with a background colour ("#1c1c1c"). */
void tui_svg_begin(ry_buf *b, int w, int h, const char *background);
void tui_svg_end(ry_buf *b);
/* A polyline through n points (xy: x0, y0, x1, y1, ...), stroked; title
 * (may be NULL) becomes its tooltip. */
void tui_svg_polyline(ry_buf *b, const double *xy, size_t n, const char *color, double width, double opacity,
                      const char *title);
void tui_svg_line(ry_buf *b, double x0, double y0, double x1, double y1, const char *color, double width);
void tui_svg_circle(ry_buf *b, double x, double y, double r, const char *color);
/* anchor: "start", "middle" or "end". */
void tui_svg_text(ry_buf *b, double x, double y, const char *anchor, int size, const char *color, const char *text);
/* Append s XML-escaped (&, <, >, ", '), control characters left out. */
void tui_svg_escape(ry_buf *b, const char *s);

#endif
