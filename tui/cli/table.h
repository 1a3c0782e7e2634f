/*
 * Output helpers shared by the listing subcommands (experiments, runs, show,
 * compare): aligned text tables measured in display columns (JSON lives in
 * cli/json.h, included here for the commands that print both).  Every cell
 * given to a table is outside text and is sanitised here, so callers pass
 * raw strings.
 */
#ifndef TUI_CLI_TABLE_H
#define TUI_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/json.h"

typedef struct cli_table cli_table;

/* A table of `ncols` columns; free with cli_table_free. */
cli_table *cli_table_new(size_t ncols);
void cli_table_free(cli_table *t); /* accepts NULL */

/* Column j: header text, right-aligned (numbers) or not, and the widest it
 * may grow in display columns (longer cells are cut with an ellipsis). */
void cli_table_column(cli_table *t, size_t j, const char *header, bool right, int max_width);

/* Start a new row; cells default to "". */
void cli_table_row(cli_table *t);
/* Set cell j of the current row (copied and sanitised; NULL prints "-"). */
void cli_table_cell(cli_table *t, size_t j, const char *text);
void cli_table_cellf(cli_table *t, size_t j, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print header and rows, columns separated by two spaces, trailing blanks
 * trimmed.  `header` false prints the rows only. */
void cli_table_print(const cli_table *t, FILE *f, bool header);

/* Append `s` (sanitised) to b, cut to at most `cols` display columns with an
 * ellipsis when cut. */
void cli_text_fit(ry_buf *b, const char *s, int cols);

/* True when the terminal's locale is UTF-8 (so "…" and "↑" may be used). */
bool cli_utf8(void);

/* Numbers for text output: up to 6 significant digits ("0.001", "1.2346e+06"),
 * "-" when not finite. */
void cli_format_number(double v, char *out, size_t n);

/* Numbers for data (CSV, JSON): the shortest text that reads back as the same
 * double; "nan", "inf", "-inf" when not finite (JSON writes null instead:
 * cli_json_put_number). */
void cli_format_exact(double v, char *out, size_t n);
/* One CSV field (RFC 4180 quoting) written to f: exact, or sanitised first
 * when `tty` (output at a terminal).  For `metrics --csv` and `runs --csv`. */
void cli_csv_field(FILE *f, const char *s, bool tty);
/* The same field appended to b, for writers that send a block of rows in
 * one write (runs --csv). */
void cli_csv_put(ry_buf *b, const char *s, bool tty);
/* cli_format_exact's text of a finite v appended to b. */
void cli_csv_number(ry_buf *b, double v);

#endif
