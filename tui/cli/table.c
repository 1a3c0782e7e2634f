/*
 * Text tables and JSON for the command line.  Tables are measured in display
 * columns (wide CJK characters count two, combining marks zero; tui/text/text.c
 * decides, as for the full-screen app) so that columns line up in a
 * terminal; cells are sanitised on the way in, so a run named with an escape
 * sequence prints as visible "^[" text.  JSON is cli/json.c's.  This file
 * does not decide what a command prints, only how.
 */
#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include "cli/table.h"
#include "text/text.h"

struct cli_col {
	char *header;
	bool right;
	int max_width;
};

struct cli_table {
	size_t ncols;
	struct cli_col *cols;
	char **cells;     /* rows * ncols, sanitised and already cut to max_width */
	size_t rows, cap; /* rows used / allocated */
};

bool cli_utf8(void)
{
	static int utf8 = -1;
	if (utf8 < 0) {
		const char *cs = nl_langinfo(CODESET);
		utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	}
	return utf8;
}

void cli_text_fit(ry_buf *b, const char *s, int cols)
{
	/* Sanitising can quadruple a byte ("\\x9B"); the ellipsis adds three. */
	size_t n = 4 * strlen(s) + 4 * (size_t)(cols > 0 ? cols : 0) + 16;
	char *out = ry_xmalloc(n);
	tui_text_fit(out, n, s, cols > 0 ? cols : INT_MAX / 2, false, false, cli_utf8());
	ry_buf_puts(b, out);
	free(out);
}

cli_table *cli_table_new(size_t ncols)
{
	cli_table *t = ry_xcalloc(1, sizeof *t);
	t->ncols = ncols;
	t->cols = ry_xcalloc(ncols, sizeof *t->cols);
	return t;
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	for (size_t j = 0; j < t->ncols; j++)
		free(t->cols[j].header);
	for (size_t i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->cols);
	free(t);
}

void cli_table_column(cli_table *t, size_t j, const char *header, bool right, int max_width)
{
	ry_buf b = RY_BUF_INIT;
	cli_text_fit(&b, header, max_width);
	free(t->cols[j].header);
	t->cols[j].header = ry_buf_detach(&b);
	t->cols[j].right = right;
	t->cols[j].max_width = max_width;
}

void cli_table_row(cli_table *t)
{
	size_t need = (t->rows + 1) * t->ncols;
	if (need > t->cap) {
		size_t old = t->cap;
		t->cells = ry_xgrow(t->cells, &t->cap, need, sizeof *t->cells);
		memset(t->cells + old, 0, (t->cap - old) * sizeof *t->cells);
	}
	t->rows++;
}

void cli_table_cell(cli_table *t, size_t j, const char *text)
{
	ry_buf b = RY_BUF_INIT;
	char **cell = &t->cells[(t->rows - 1) * t->ncols + j];
	cli_text_fit(&b, text ? text : "-", t->cols[j].max_width);
	free(*cell);
	*cell = ry_buf_detach(&b);
}

void cli_table_cellf(cli_table *t, size_t j, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = ry_xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	cli_table_cell(t, j, text);
	free(text);
}

static void print_row(const cli_table *t, FILE *f, char *const *cells, const int *widths)
{
	ry_buf line = RY_BUF_INIT;
	for (size_t j = 0; j < t->ncols; j++) {
		const char *s = cells[j] ? cells[j] : "";
		int pad = widths[j] - tui_text_width(s);
		if (j > 0)
			ry_buf_puts(&line, "  ");
		if (t->cols[j].right)
			for (int k = 0; k < pad; k++)
				ry_buf_putc(&line, ' ');
		ry_buf_puts(&line, s);
		if (!t->cols[j].right)
			for (int k = 0; k < pad; k++)
				ry_buf_putc(&line, ' ');
	}
	while (line.len > 0 && line.ptr[line.len - 1] == ' ')
		line.ptr[--line.len] = '\0';
	fprintf(f, "%s\n", ry_buf_cstr(&line));
	ry_buf_free(&line);
}

void cli_table_print(const cli_table *t, FILE *f, bool header)
{
	int *widths = ry_xcalloc(t->ncols, sizeof *widths);
	char **hdr = ry_xcalloc(t->ncols, sizeof *hdr);
	for (size_t j = 0; j < t->ncols; j++) {
		hdr[j] = t->cols[j].header;
		if (header && hdr[j])
			widths[j] = tui_text_width(hdr[j]);
		for (size_t i = 0; i < t->rows; i++) {
			const char *s = t->cells[i * t->ncols + j];
			int w = s ? tui_text_width(s) : 0;
			if (w > widths[j])
				widths[j] = w;
		}
	}
	if (header)
		print_row(t, f, hdr, widths);
	for (size_t i = 0; i < t->rows; i++)
		print_row(t, f, t->cells + i * t->ncols, widths);
	free(hdr);
	free(widths);
}

void cli_format_number(double v, char *out, size_t n)
{
	if (!isfinite(v))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.6g", v);
}

/* Write p significant digits d[0..p-1] of a value with decimal exponent x
 * as printf's %.<p>g does: fixed where -4 <= x < p, else d.ddde+XX, with
 * trailing zeros of the fraction dropped (and the point with them). */
static void put_g(char *out, size_t n, bool neg, const char *d, int p, int x)
{
	char buf[64], *o = buf;
	int last = p - 1;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		while (last > 0 && d[last] == '0')
			last--;
		*o++ = d[0];
		if (last > 0) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)last);
			o += last;
		}
		snprintf(o, sizeof buf - (size_t)(o - buf), "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else {
		int frac_from = x >= 0 ? x + 1 : 0; /* digits before it are the integer part */
		while (last >= frac_from && d[last] == '0')
			last--;
		if (x >= 0) {
			memcpy(o, d, (size_t)x + 1);
			o += x + 1;
		} else {
			*o++ = '0';
		}
		if (last >= frac_from) {
			*o++ = '.';
			for (int z = x + 1; z < 0; z++)
				*o++ = '0';
			memcpy(o, d + frac_from, (size_t)(last - frac_from + 1));
			o += last - frac_from + 1;
		}
		*o = '\0';
	}
	snprintf(out, n, "%s", buf);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v.  One printf
 * gives the 17 significant digits; the 15- and 16-digit forms are those
 * digits rounded, which is what printf would give from the exact binary
 * value except where the digits dropped are exactly a half (the 17th digit
 * may itself be rounded): there printf is asked.  Writing 10^6 CSV rows of
 * 13 columns was 3 printf and 3 strtod a number; now 1 and 1-2. */
void cli_format_exact(double v, char *out, size_t n)
{
	char e[40], d[18], r[18];
	int x;
	bool neg;
	if (isnan(v)) {
		snprintf(out, n, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, n, "%s", v > 0 ? "inf" : "-inf");
		return;
	}
	if (v == 0) {
		snprintf(out, n, "%.15g", v);
		return;
	}
	snprintf(e, sizeof e, "%.16e", v); /* [-]d.dddddddddddddddde[+-]XX */
	neg = e[0] == '-';
	{
		const char *q = e + neg;
		d[0] = q[0];
		memcpy(d + 1, q + 2, 16);
		d[17] = '\0';
		x = atoi(q + 19);
	}
	for (int p = 15; p <= 16; p++) {
		int rx = x;
		bool half = d[p] == '5' && strspn(d + p + 1, "0") == (size_t)(16 - p);
		if (half) {
			snprintf(out, n, "%.*g", p, v);
		} else {
			memcpy(r, d, (size_t)p);
			if (d[p] >= '5') {
				int i = p - 1;
				while (i >= 0 && r[i] == '9')
					r[i--] = '0';
				if (i >= 0) {
					r[i]++;
				} else { /* 99..9 rounded up: 100..0, one decade higher */
					r[0] = '1';
					rx++;
				}
			}
			put_g(out, n, neg, r, p, rx);
		}
		if (strtod(out, NULL) == v)
			return;
	}
	put_g(out, n, neg, d, 17, x);
}

/* One CSV field, quoted as RFC 4180 says (a field with a comma, a double
 * quote, CR or LF is quoted and its quotes doubled).  At a terminal the name
 * is sanitised first and then quoted, so the row still parses; to a file or
 * pipe it is exact, because there it is data that pandas reads back.
 *
 * No guard against spreadsheet formula injection (a name starting with '=',
 * '+', '-' or '@'): the reader this output is for is pandas, and prefixing
 * a quote would change the very names it promises to give exactly.  A
 * spreadsheet that runs formulas from imported CSV is the place to refuse. */
void cli_csv_field(FILE *f, const char *s, bool tty)
{
	char *safe = tty ? ry_sanitize_dup(s) : NULL;
	const char *t = safe ? safe : s;
	if (!strpbrk(t, ",\"\n\r")) {
		fputs(t, f);
	} else {
		fputc('"', f);
		for (; *t; t++) {
			if (*t == '"')
				fputc('"', f);
			fputc(*t, f);
		}
		fputc('"', f);
	}
	free(safe);
}
