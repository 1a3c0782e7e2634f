/*
 * `:export FILE`: what a screen shows, written to a file by the code the
 * command line writes it with: the runs table as `runyard runs
 * --csv/--json`, the comparison as `runyard compare --json/--csv`, a chart as
 * `runyard plot --svg`.  The format comes from the file's extension.
 * Messages go to the message line; nothing here draws.
 */
#ifndef TUI_VIEWS_EXPORT_H
#define TUI_VIEWS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/output.h"
#include "widgets/chart.h"

struct tui_ctx;
struct tui_view;

/* The export-view key: a prompt for the file, owned by v, which gets it as
 * TUI_PROMPT_EXPORT.  Reaction bits. */
int tui_export_ask(struct tui_view *v, struct tui_ctx *c);

/* The runs sel selects, to path (.csv or .json). */
void tui_export_runs(struct tui_ctx *c, const char *path, const struct cli_runs_select *sel);

/* The comparison of runs ids[0..n) to path (.json or .csv). */
void tui_export_compare(struct tui_ctx *c, const char *path, const int64_t *ids, size_t n);

/* The chart of metric key for runs ids[0..n) to path (.svg), as the screen
 * shows it (nav: axis and zoom; ema weight; log_y). */
void tui_export_chart(struct tui_ctx *c, const char *path, const int64_t *ids, size_t n, const char *key,
                      const tui_chart_nav *nav, double ema, bool log_y);

struct tui_svgplot;

/* A chart the screen built itself (the group chart) to path (.svg);
 * what names it in the message ("the loss chart of 3 groups"). */
void tui_export_svgplot(struct tui_ctx *c, const char *path, const struct tui_svgplot *plot, const char *what);

/* The format path's extension names: "csv", "json", "svg", or NULL. */
const char *tui_export_format(const char *path);

#endif
