/*
 * SVG line charts (svgplot.h): range, ticks, one polyline per series, the
 * legend.  The ticks and their labels come from chart.c so the file reads
 * like the terminal chart; coordinates are written with two decimals, which
 * keeps files small and byte-stable from one run to the next.  Lines are
 * reduced per pixel column before they are written (tui_svgplot_decimate):
 * a viewer draws nothing finer, and 1.2 M points would make a 30 MB file
 * that browsers render slowly.
 */
#include "widgets/svgplot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#include "widgets/chart.h"
#include "widgets/svg.h"

/* Margins around the plot, in pixels: room for tick labels, the title and
 * the x axis' name; the legend sits right of the plot. */
enum { ML = 64, MR = 180, MT = 36, MB = 48 };

unsigned tui_svgplot_xterm_rgb(int c)
{
	static const unsigned basic[16] = {
		0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080, 0x008080, 0xc0c0c0,
		0x808080, 0xff0000, 0x00ff00, 0xffff00, 0x0000ff, 0xff00ff, 0x00ffff, 0xffffff,
	};
	if (c < 0 || c > 255)
		return 0x808080;
	if (c < 16)
		return basic[c];
	if (c < 232) {
		static const unsigned lv[6] = { 0, 95, 135, 175, 215, 255 };
		int i = c - 16;
		return lv[i / 36] << 16 | lv[(i / 6) % 6] << 8 | lv[i % 6];
	}
	unsigned g = 8 + 10 * (unsigned)(c - 232);
	return g << 16 | g << 8 | g;
}

size_t tui_svgplot_decimate(const double *px, const double *py, size_t n, double *ox, double *oy)
{
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		/* one column: [i, j), its lowest and highest point (the first of
		 * equal ones) */
		double col = floor(px[i]);
		size_t j = i + 1, lo = i, hi = i;
		for (; j < n && floor(px[j]) == col; j++) {
			if (py[j] < py[lo]) lo = j;
			if (py[j] > py[hi]) hi = j;
		}
		size_t keep[4] = { i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1 };
		/* ascending indices, each at or after out: writing in place is safe */
		for (int k = 0; k < 4; k++) {
			if (k && keep[k] == keep[k - 1])
				continue;
			ox[out] = px[keep[k]];
			oy[out] = py[keep[k]];
			out++;
		}
		i = j;
	}
	return out;
}

static bool usable(const struct tui_svgplot *p, double x, double y)
{
	return isfinite(x) && isfinite(y) && (!p->log_y || y > 0) &&
	       (!(p->xhi > p->xlo) || (x >= p->xlo && x <= p->xhi));
}

void tui_svgplot_write(ry_buf *out, const struct tui_svgplot *p)
{
	int W = p->width > 0 ? p->width : 800, H = p->height > 0 ? p->height : 480;
	int pw = W - ML - MR, ph = H - MT - MB;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	for (size_t i = 0; i < p->ns; i++) {
		const struct tui_svgplot_series *s = &p->s[i];
		for (size_t k = 0; k < s->n; k++) {
			double x = s->x[k], y = s->y[k];
			if (!usable(p, x, y))
				continue;
			y = p->log_y ? log10(y) : y;
			if (x < xlo) xlo = x;
			if (x > xhi) xhi = x;
			if (y < ylo) ylo = y;
			if (y > yhi) yhi = y;
			/* a band is in the range where its line is */
			for (int e = 0; s->lo && s->hi && e < 2; e++) {
				double b = e ? s->hi[k] : s->lo[k];
				if (!usable(p, x, b))
					continue;
				b = p->log_y ? log10(b) : b;
				if (b < ylo) ylo = b;
				if (b > yhi) yhi = b;
			}
		}
	}
	if (p->xhi > p->xlo) {
		xlo = p->xlo;
		xhi = p->xhi;
	} else if (!(xlo <= xhi)) {
		xlo = 0;
		xhi = 1;
	}
	if (!(ylo <= yhi)) {
		ylo = 0;
		yhi = 1;
	}
	if (xhi == xlo) {
		xlo -= 0.5;
		xhi += 0.5;
	}
	if (yhi == ylo) {
		ylo -= 0.5;
		yhi += 0.5;
	}
#define PX(x) (ML + ((x) - xlo) / (xhi - xlo) * pw)
#define PY(y) (MT + (yhi - (y)) / (yhi - ylo) * ph)

	tui_svg_begin(out, W, H, "#ffffff");
	ry_buf_puts(out, "<g font-size=\"12\">\n");
	if (p->title) {
		ry_buf_printf(out, "<text class=\"title\" x=\"%d\" y=\"22\" font-size=\"15\">", ML);
		tui_svg_escape(out, p->title);
		ry_buf_puts(out, p->log_y ? " (log y)</text>\n" : "</text>\n");
	}

	/* The axes: a frame, ticks with their labels and a light grid. */
	ry_buf_puts(out, "<g class=\"axes\" stroke=\"#444444\" fill=\"none\">\n");
	ry_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", ML, MT, pw, ph);
	ry_buf_puts(out, "</g>\n");
	double ticks[16];
	char labels[16][16];
	int nt = tui_chart_ticks(ylo, yhi, 8, ticks, labels);
	ry_buf_puts(out, "<g class=\"yticks\" fill=\"#444444\" text-anchor=\"end\">\n");
	for (int i = 0; i < nt; i++) {
		double y = PY(ticks[i]);
		ry_buf_printf(out, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#dddddd\"/>", ML, y, ML + pw,
		              y);
		ry_buf_printf(out, "<text x=\"%d\" y=\"%.2f\">", ML - 6, y + 4);
		if (p->log_y)
			ry_buf_printf(out, "%g", pow(10, ticks[i]));
		else
			tui_svg_escape(out, labels[i]);
		ry_buf_puts(out, "</text>\n");
	}
	ry_buf_puts(out, "</g>\n");
	if (p->xtime != TUI_SVGPLOT_X_PLAIN)
		nt = tui_chart_time_ticks(xlo, xhi, 8, p->xtime == TUI_SVGPLOT_X_CLOCK, ticks, labels);
	else
		nt = tui_chart_ticks(xlo, xhi, 8, ticks, labels);
	ry_buf_puts(out, "<g class=\"xticks\" fill=\"#444444\" text-anchor=\"middle\">\n");
	for (int i = 0; i < nt; i++) {
		double x = PX(ticks[i]);
		ry_buf_printf(out, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#dddddd\"/>", x, MT, x,
		              MT + ph);
		ry_buf_printf(out, "<text x=\"%.2f\" y=\"%d\">", x, MT + ph + 16);
		tui_svg_escape(out, labels[i]);
		ry_buf_puts(out, "</text>\n");
	}
	ry_buf_puts(out, "</g>\n");
	if (p->xlabel) {
		ry_buf_printf(out, "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", ML + pw / 2, H - 10);
		tui_svg_escape(out, p->xlabel);
		ry_buf_puts(out, "</text>\n");
	}

	/* The bands under every line, then the series, then the legend in the
	 * same order and colours.  xy: one series' pixels, reused. */
	size_t most = 1;
	for (size_t i = 0; i < p->ns; i++)
		most = p->s[i].n > most ? p->s[i].n : most;
	double *px = ry_xmalloc(2 * most * sizeof *px), *py = px + most;
	for (size_t i = 0; i < p->ns; i++) {
		const struct tui_svgplot_series *s = &p->s[i];
		if (!s->lo || !s->hi)
			continue;
		ry_buf_printf(out, "<polygon class=\"band\" data-series=\"%zu\" fill=\"#%06x\" fill-opacity=\"0.18\" "
		              "stroke=\"none\" points=\"", i, s->rgb & 0xffffff);
		/* along the top edge, then back along the bottom one */
		for (int edge = 0; edge < 2; edge++) {
			const double *e = edge ? s->lo : s->hi;
			size_t m = 0;
			for (size_t k = 0; k < s->n; k++) {
				if (!usable(p, s->x[k], e[k]) || !usable(p, s->x[k], s->y[k]))
					continue;
				px[m] = PX(s->x[k]);
				py[m++] = PY(p->log_y ? log10(e[k]) : e[k]);
			}
			m = tui_svgplot_decimate(px, py, m, px, py);
			for (size_t k = 0; k < m; k++) {
				size_t at = edge ? m - 1 - k : k;
				ry_buf_printf(out, "%s%.2f,%.2f", edge || k ? " " : "", px[at], py[at]);
			}
		}
		ry_buf_puts(out, "\"/>\n");
	}
	for (size_t i = 0; i < p->ns; i++) {
		const struct tui_svgplot_series *s = &p->s[i];
		size_t m = 0;
		ry_buf_printf(out, "<polyline class=\"series\" data-series=\"%zu\" fill=\"none\" stroke=\"#%06x\" "
		              "stroke-width=\"1.5\" points=\"", i, s->rgb & 0xffffff);
		for (size_t k = 0; k < s->n; k++) {
			double x = s->x[k], y = s->y[k];
			if (!usable(p, x, y))
				continue;
			px[m] = PX(x);
			py[m++] = PY(p->log_y ? log10(y) : y);
		}
		m = tui_svgplot_decimate(px, py, m, px, py);
		for (size_t k = 0; k < m; k++)
			ry_buf_printf(out, "%s%.2f,%.2f", k ? " " : "", px[k], py[k]);
		ry_buf_puts(out, "\"/>\n");
	}
	free(px);
	ry_buf_puts(out, "<g class=\"legend\">\n");
	for (size_t i = 0; i < p->ns; i++) {
		int y = MT + 8 + (int)i * 18;
		ry_buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"#%06x\"/>", W - MR + 12, y,
		              p->s[i].rgb & 0xffffff);
		ry_buf_printf(out, "<text x=\"%d\" y=\"%d\">", W - MR + 32, y + 6);
		tui_svg_escape(out, p->s[i].name);
		ry_buf_puts(out, "</text>\n");
	}
	ry_buf_puts(out, "</g>\n</g>\n");
	tui_svg_end(out);
#undef PX
#undef PY
}
