/*
 * Colour themes: semantic elements (what is drawn), mapped to colours by a
 * theme file of `element = fg on bg [bold|underline|reverse|dim]` lines.
 * Drawing code asks for an element, never a literal colour.  Handles
 * NO_COLOR, 8/16/256-colour terminals and monochrome.
 */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

#define TUI_COLORS(_) \
	_(DEFAULT,        "default")        \
	_(TITLE,          "title")          \
	_(STATUSBAR,      "statusbar")      \
	_(HEADER,         "header")         \
	_(CURSOR,         "cursor")         \
	_(MARKED,         "marked")         \
	_(BORDER,         "border")         \
	_(DIM,            "dim")            \
	_(ERROR,          "error")          \
	_(KEY,            "key")            \
	_(PANE_ACTIVE,    "pane-active")    \
	_(RUN_RUNNING,    "run-running")    \
	_(RUN_FINISHED,   "run-finished")   \
	_(RUN_FAILED,     "run-failed")     \
	_(RUN_KILLED,     "run-killed")     \
	_(RUN_QUEUED,     "run-queued")     \
	_(RUN_LOST,       "run-lost")       \
	_(DIFF,           "diff")           \
	_(METRIC_BEST,    "metric-best")    \
	_(DELTA_GOOD,     "delta-good")     \
	_(DELTA_BAD,      "delta-bad")      \
	_(CHART_AXIS,     "chart-axis")     \
	_(SERIES_1,       "series-1")       \
	_(SERIES_2,       "series-2")       \
	_(SERIES_3,       "series-3")       \
	_(SERIES_4,       "series-4")       \
	_(SERIES_5,       "series-5")       \
	_(SERIES_6,       "series-6")       \
	_(SERIES_7,       "series-7")       \
	_(SERIES_8,       "series-8")       \
	_(SERIES_9,       "series-9")       \
	_(SERIES_10,      "series-10")      \
	_(SERIES_11,      "series-11")      \
	_(SERIES_12,      "series-12")      \
	_(SEARCH_MATCH,   "search-match")

enum tui_color {
#define TUI_COLOR_ENUM(id, name) TUI_COLOR_##id,
	TUI_COLORS(TUI_COLOR_ENUM)
#undef TUI_COLOR_ENUM
	TUI_COLOR_COUNT
};

/* Chart series colours, one per compared run: as many as compare takes,
 * so no two runs of one chart share a colour. */
#define TUI_THEME_NSERIES 12

/* The colour element of series i (0-based), cycling past the last. */
enum tui_color tui_theme_series(size_t i);

/* A parsed theme entry: colours are 0-255, or -1 for the terminal default. */
struct tui_theme_entry {
	short fg, bg;
	unsigned attrs; /* TUI_ATTR_* */
};
enum { TUI_ATTR_BOLD = 1, TUI_ATTR_UNDERLINE = 2, TUI_ATTR_REVERSE = 4, TUI_ATTR_DIM = 8 };

struct tui_theme {
	char name[64];
	struct tui_theme_entry e[TUI_COLOR_COUNT];
};

/* Parse a theme from text: each line `element = [fg] [on bg] [attrs...]`,
 * '#' comments and blank lines; elements not named keep the default.  On
 * error returns -1 and writes "FILE:LINE: what" into err (the theme keeps
 * the default for everything); 0 and an empty err otherwise.  filename may
 * be NULL; err may be NULL. */
int tui_theme_parse(struct tui_theme *t, const char *text, const char *filename, char *err, size_t errn);

/* Load a theme by name (NAME.theme searched in $RUNYARD_THEMES, a
 * colon-separated list, then ry_data_dir()/themes, then the installed
 * themes dir) or by path (anything containing '/').  NULL or "" means
 * "default", which falls back to the built-in table if no file is found.
 * On failure fills err (one line, no trailing "using default": the caller
 * says what it does) and leaves the built-in default in *t; returns -1. */
int tui_theme_load(struct tui_theme *t, const char *name_or_path, char *err, size_t errn);

/* The built-in default theme (same as themes/default.theme). */
void tui_theme_default(struct tui_theme *t);

/* The name used in theme files for an element ("run-failed"); NULL if out
 * of range.  Static storage. */
const char *tui_theme_element_name(enum tui_color c);

/* For NO_COLOR or a terminal without colours: drop every colour, keeping
 * attributes, and add reverse video to elements that had a background (the
 * cursor, bars) so they stay visible. */
void tui_theme_no_color(struct tui_theme *t);

/* The colour to use for 0-255 index c on a terminal with ncolors colours
 * (COLORS): c itself when it exists there, else the nearest of the 16 (or
 * 8) basic colours, keeping coloured things coloured and greys grey.
 * -1 (terminal default) stays -1, and so does everything when ncolors < 8. */
short tui_theme_color_for(short c, int ncolors);

#endif
