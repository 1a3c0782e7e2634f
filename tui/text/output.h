/*
 * The documents the command line writes that the full-screen app writes
 * too (`:export`): the runs listing as `runyard runs --csv/--json` prints
 * it and the comparison as `runyard compare --json/--csv` prints it.  Written
 * once, here, to any FILE, so a file exported from the screen holds the
 * same bytes the command prints for the same selection.  No curses.
 *
 * This header is the front ends' common interface, so the full-screen app
 * reaches the writers without a header of tui/cli (CI checks that); the
 * writers' bodies live beside the commands that print them (cli/runs.c,
 * cli/compare.c).
 */
#ifndef TUI_TEXT_OUTPUT_H
#define TUI_TEXT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runyard.h"

/* What a listing shows: `runyard runs -e EXP --filter F --sort S
 * --columns C --limit N`.  Strings are lent; NULL (and 0) for none. */
struct cli_runs_select {
	int64_t experiment_id;   /* 0: every experiment */
	const char *filter;
	const char *sort;        /* KEY[:desc] */
	const char *columns;     /* K,K: added after the base columns */
	size_t limit;
};

enum cli_runs_format { CLI_RUNS_JSON, CLI_RUNS_CSV };

/* Write the runs sel selects to f as `runs --json` or `--csv` does; tty:
 * CSV text is sanitised for a terminal (stdout is one).  *nrows (may be
 * NULL) gets how many runs were written.  0, or an RY_E* code with the
 * message in ry_error_last() (a bad filter, sort or column; f failing). */
int cli_runs_write(FILE *f, ry_store *st, const struct cli_runs_select *sel, enum cli_runs_format fmt, bool tty,
                   size_t *nrows);

/* Write the comparison of runs ids[0..n) (n >= 1) to f as `compare --json`
 * does (diff_only: --diff-only).  0 or an RY_E* code. */
int cli_compare_write_json(FILE *f, ry_store *st, const int64_t *ids, size_t n, bool diff_only);

/* The same comparison as `compare --csv` writes it to a file (exact, not
 * sanitised for a terminal).  0 or an RY_E* code. */
int cli_compare_write_csv(FILE *f, ry_store *st, const int64_t *ids, size_t n, bool diff_only);

#endif
