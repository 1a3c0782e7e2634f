/*
 * Drawing helpers shared by the views: text fitted to a width (always
 * through tui_text_fit, so outside text is sanitised and cut by display
 * width), filled bars, lines with a UTF-8 or ASCII look, status glyphs,
 * sparklines and the screen dump used by tests.  They draw on stdscr with
 * the context's theme attributes and never decide layout.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/theme.h"

struct tui_chart_nav;

struct tui_ctx;

/* Draw s (outside text is fine) at y,x fitted to w columns, padded. */
void tui_draw_text(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e);
void tui_draw_text_right(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e);
/* Draw without padding; returns the columns used. */
int tui_draw_str(struct tui_ctx *c, int y, int x, int w, const char *s, enum tui_color e);
/* Fill w cells with spaces in the element's colour. */
void tui_draw_fill(struct tui_ctx *c, int y, int x, int w, enum tui_color e);
void tui_draw_hline(struct tui_ctx *c, int y, int x, int w, enum tui_color e);
void tui_draw_vline(struct tui_ctx *c, int y, int x, int h, enum tui_color e);

/* Glyph and colour for a run status ("running", "failed", ...). */
const char *tui_status_glyph(const struct tui_ctx *c, const char *status);
enum tui_color tui_status_color(const char *status);

/* A sparkline of values (NaN skipped) into out, width cells. */
void tui_sparkline(char *out, size_t n, const double *v, size_t nv, int width, bool utf8);

/* Format a number compactly (up to 4 significant digits). */
void tui_fmt_num(double v, char *out, size_t n);

struct tui_chart;
/* Draw a rendered chart (widgets/chart.h) with its plot's top left at y,x:
 * each cell in its series' colour (marker letters in bold), the axes just
 * left of and below the plot, y tick labels right-aligned in the ylab - 1
 * columns before the axis and x tick labels on the row under it. */
void tui_draw_chart(struct tui_ctx *c, const struct tui_chart *ch, int y, int x, int ylab);

/* The chart keys every chart view shares (x axis, smoothing, log y, the
 * cursor and zoom) applied to its settings: 0 when `action` is not one of
 * them, 1 when what is drawn must be recomputed (x axis, smoothing, zoom),
 * 2 when a redraw will do (log y, the cursor).  The x axis cycles step,
 * epoch (when has_epoch: a run logs an `epoch` metric), wall time,
 * relative time; changing it hides the cursor and resets the zoom. */
int tui_chart_keys(int action, struct tui_chart_nav *nav, int *ema, bool *log_y, bool has_epoch);
/* `:x NAME` on a chart screen: step, epoch, wall (wall time, time),
 * relative (rel), or any metric (is_metric says whether the run(s) log
 * it).  0 and a message when NAME is none of them, else as
 * tui_chart_keys. */
int tui_chart_x_command(struct tui_ctx *c, struct tui_chart_nav *nav, const char *name,
                        bool (*is_metric)(void *arg, const char *key), void *arg);
/* A vertical cursor at plot column col of a chart drawn at y,x: a dotted
 * line through the empty cells (the curves stay on top). */
void tui_draw_chart_cursor(struct tui_ctx *c, const struct tui_chart *ch, int y, int x, int col);

#endif
