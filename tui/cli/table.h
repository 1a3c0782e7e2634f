/*
 * Output helpers shared by the listing subcommands (experiments, runs, show,
 * compare): aligned text tables measured in display columns, and JSON
 * documents built with cJSON.  Every cell given to a table is outside text
 * and is sanitised here, so callers pass raw strings.
 */
#ifndef TUI_CLI_TABLE_H
#define TUI_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"

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

size_t cli_table_rows(const cli_table *t);

/* Print header and rows, columns separated by two spaces, trailing blanks
 * trimmed.  `header` false prints the rows only. */
void cli_table_print(const cli_table *t, FILE *f, bool header);

/* Display columns of an already sanitised UTF-8 string. */
int cli_text_width(const char *s);

/* Append `s` (sanitised) to b, cut to at most `cols` display columns with an
 * ellipsis when cut. */
void cli_text_fit(ry_buf *b, const char *s, int cols);

/* True when the terminal's locale is UTF-8 (so "…" and "↑" may be used). */
bool cli_utf8(void);

/* The one way JSON text reaches an output: write the len bytes at text to f
 * with every part that is not UTF-8 replaced by U+FFFD (ry_utf8_scrub), so
 * that each document is valid UTF-8 (docs/json.md).  False if f failed. */
bool cli_json_write(FILE *f, const char *text, size_t len);

/* Print `doc` as one JSON document (indented) plus a newline on stdout,
 * through cli_json_write, and delete it.  Returns 0, or 1 (with a message on
 * stderr) if writing stdout failed. */
int cli_json_print(cJSON *doc);

/* Append s (NULL as "") to b as a JSON string, escaped as cJSON escapes the
 * strings of every other document; for the one document written by hand
 * (metrics, streamed key by key), which still leaves by cli_json_write. */
void cli_json_quote(ry_buf *b, const char *s);

/* A number, or null when not finite (JSON has no NaN). */
cJSON *cli_json_number(double v);
/* A string, or null for NULL. */
cJSON *cli_json_string(const char *s);
/* A param or tag value: a number when the whole text is one, else a string. */
cJSON *cli_json_value(const char *s);
/* A Unix time as an ISO-8601 UTC string, or null when unknown (0). */
cJSON *cli_json_time(double ts);

/* Numbers for text output: up to 6 significant digits ("0.001", "1.2346e+06"),
 * "-" when not finite. */
void cli_format_number(double v, char *out, size_t n);

#endif
