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

/* The printf loop's text (base/dtoa.h), cut to n. */
void cli_format_exact(double v, char *out, size_t n)
{
	char b[RY_DTOA_SIZE];
	size_t len = ry_dtoa(v, b);
	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(out, b, len);
	out[len] = '\0';
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
void cli_csv_put(ry_buf *b, const char *s, bool tty)
{
	char *safe = tty ? ry_sanitize_dup(s) : NULL;
	const char *t = safe ? safe : s;
	if (!strpbrk(t, ",\"\n\r")) {
		ry_buf_puts(b, t);
	} else {
		ry_buf_putc(b, '"');
		for (; *t; t++) {
			if (*t == '"')
				ry_buf_putc(b, '"');
			ry_buf_putc(b, *t);
		}
		ry_buf_putc(b, '"');
	}
	free(safe);
}

void cli_csv_field(FILE *f, const char *s, bool tty)
{
	ry_buf b = RY_BUF_INIT;
	if (!tty && !strpbrk(s, ",\"\n\r")) { /* the usual field, without a copy */
		fputs(s, f);
		return;
	}
	cli_csv_put(&b, s, tty);
	fwrite(b.ptr, 1, b.len, f);
	ry_buf_free(&b);
}

void cli_csv_number(ry_buf *b, double v)
{
	ry_buf_grow(b, RY_DTOA_SIZE);
	b->len += ry_dtoa(v, b->ptr + b->len);
}
