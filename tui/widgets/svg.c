/*
 * The SVG writer (svg.h).  It writes what it is told, in order; layout is
 * the caller's.
 */
#include <stdio.h>

#include "widgets/svg.h"

void tui_svg_escape(ry_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&': ry_buf_printf(b, "&amp;"); break;
		case '<': ry_buf_printf(b, "&lt;"); break;
		case '>': ry_buf_printf(b, "&gt;"); break;
		case '"': ry_buf_printf(b, "&quot;"); break;
		case '\'': ry_buf_printf(b, "&apos;"); break;
		default:
			if (ch >= 0x20 && ch != 0x7f)
				ry_buf_printf(b, "%c", ch);
		}
	}
}

void tui_svg_begin(ry_buf *b, int w, int h, const char *background)
{
	ry_buf_printf(b,
	              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	              "font-family=\"monospace\">\n",
	              w, h, w, h);
	if (background)
		ry_buf_printf(b, "<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n", background);
}

void tui_svg_end(ry_buf *b)
{
	ry_buf_printf(b, "</svg>\n");
}

void tui_svg_polyline(ry_buf *b, const double *xy, size_t n, const char *color, double width, double opacity,
                      const char *title)
{
	ry_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" stroke-opacity=\"%.3f\" points=\"",
	              color, width, opacity);
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
	if (title) {
		ry_buf_printf(b, "\"><title>");
		tui_svg_escape(b, title);
		ry_buf_printf(b, "</title></polyline>\n");
	} else {
		ry_buf_printf(b, "\"/>\n");
	}
}

void tui_svg_line(ry_buf *b, double x0, double y0, double x1, double y1, const char *color, double width)
{
	ry_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.2f\"/>\n",
	              x0, y0, x1, y1, color, width);
}

void tui_svg_circle(ry_buf *b, double x, double y, double r, const char *color)
{
	ry_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", x, y, r, color);
}

void tui_svg_text(ry_buf *b, double x, double y, const char *anchor, int size, const char *color, const char *text)
{
	ry_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\">", x, y, anchor,
	              size, color);
	tui_svg_escape(b, text);
	ry_buf_printf(b, "</text>\n");
}
